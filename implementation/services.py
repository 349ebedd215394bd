"""Writes: publishing a commune's decision report, recording an implementation milestone.

Both are for the commune's publisher (``budgets.roles.Role.PUBLISHER`` on the commune) or
an administrator, in a phase that allows the action (publish: results or implementation;
track: implementation), once the cycle's results are certified and published. Each writes
one audit event.
"""

from __future__ import annotations

import hashlib
from datetime import date
from typing import Any

import nh3
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from audit.services import record_event
from budgets.models import BudgetCycle
from budgets.policy import Action
from budgets.roles import Role, has_role, is_administrator
from budgets.services import require_phase_allows
from config.errors import Conflict, NotAllowed
from implementation import selectors
from implementation.documents import render_report_pdf
from implementation.models import CommuneReport, Milestone
from proposals.models import Proposal, ProposalStatus
from proposals.services import set_implementation_status
from territory.models import Commune
from voting.publication import publication_of

TITLE_MAX = 140
NOTE_MAX = 2000


def can_act_for(user: Any, commune: Commune) -> bool:
    """The commune's publisher, or an administrator."""
    return is_administrator(user) or has_role(user, Role.PUBLISHER, commune)


def publish_commune_report(*, actor: Any, cycle: BudgetCycle, commune: Commune) -> CommuneReport:
    """Publish the next version of the commune's decision report.

    Freezes the figures of the published result (``selectors.commune_snapshot``), renders
    the French and English PDFs from them and stores both with their SHA-256: the version
    never changes afterwards. Locks the cycle row so two publications cannot take the same
    version number (the unique (cycle, commune, version) constraint backs it).

    Raises NotAllowed (not the commune's publisher nor an administrator), PhaseClosed (the
    phase does not allow publishing), Conflict (the commune has no envelope in the cycle,
    the results are not certified and published, or nothing changed since the last
    version).
    """
    if not can_act_for(actor, commune):
        raise NotAllowed(_("Seules les personnes chargées de la publication pour cette commune "
                           "et les administrateurs peuvent publier son rapport."))
    require_phase_allows(cycle, Action.PUBLISH)
    if not cycle.envelopes.filter(commune=commune).exists():
        raise Conflict(_("Cette commune n’a pas d’enveloppe dans ce budget participatif."))
    with transaction.atomic():
        BudgetCycle.objects.select_for_update().get(pk=cycle.pk)
        run = selectors.published_run(cycle)
        if run is None:
            raise Conflict(_("Les résultats de ce budget ne sont pas encore certifiés et publiés : "
                             "le rapport de la commune ne peut pas être publié."))
        snapshot = selectors.commune_snapshot(cycle, commune, run)
        last = (CommuneReport.objects.filter(cycle=cycle, commune=commune)
                .order_by("-version").only("version", "snapshot").first())
        if last is not None and last.snapshot == snapshot:
            raise Conflict(_("Rien n’a changé depuis la version %(version)d du rapport : "
                             "aucune nouvelle version n’est publiée.") % {"version": last.version})
        version = last.version + 1 if last else 1
        now = timezone.now()
        pdfs = {language: render_report_pdf(snapshot, language=language, version=version,
                                            published_at=now, generated_at=now)
                for language in ("fr", "en")}
        digests = {language: hashlib.sha256(pdf).hexdigest() for language, pdf in pdfs.items()}
        report = CommuneReport.objects.create(
            cycle=cycle, commune=commune, version=version, tally_run=run, published_at=now,
            published_by=actor, snapshot=snapshot, pdf_fr=pdfs["fr"], pdf_en=pdfs["en"],
            pdf_fr_sha256=digests["fr"], pdf_en_sha256=digests["en"],
        )
        record_event(
            actor=actor,
            action="commune_report.republished" if last else "commune_report.published",
            target=report,
            payload={"cycle": cycle.slug, "commune": commune.slug, "version": version,
                     "tally_run": run.pk, "fingerprint": run.fingerprint,
                     "total_cents": snapshot["total_cents"],
                     "pdf_fr_sha256": digests["fr"], "pdf_en_sha256": digests["en"]},
        )
    return report


def clean_milestone_fields(*, title: str, note: str, progress: Any, happened_on: Any,
                           delivered: bool) -> tuple[str, str, int, date]:
    """The checks of one milestone on its own (no database): cleaned values, or a
    ValidationError with every problem by field. Forms call it to report all at once."""
    errors: dict[str, list[str]] = {}
    title = (title or "").strip()
    # Public text: plain text only (any markup is dropped), shown with line breaks.
    note = nh3.clean((note or "").strip(), tags=set()).strip()
    if not title:
        errors.setdefault("title", []).append(_("Donnez un titre au jalon."))
    elif len(title) > TITLE_MAX:
        errors.setdefault("title", []).append(
            _("Le titre ne doit pas dépasser %(max)d caractères.") % {"max": TITLE_MAX})
    if len(note) > NOTE_MAX:
        errors.setdefault("note", []).append(
            _("La note ne doit pas dépasser %(max)d caractères.") % {"max": NOTE_MAX})
    if isinstance(progress, bool) or not isinstance(progress, int) or not 0 <= progress <= 100:
        errors.setdefault("progress", []).append(
            _("L’avancement est un nombre entier de 0 à 100 (pour cent)."))
    elif delivered and progress != 100:
        errors.setdefault("progress", []).append(
            _("Un projet réalisé est avancé à 100 %."))
    if not isinstance(happened_on, date):
        errors.setdefault("happened_on", []).append(_("Indiquez la date du jalon."))
    elif happened_on > timezone.localdate():
        errors.setdefault("happened_on", []).append(
            _("La date du jalon ne peut pas être dans le futur : un jalon rend compte de ce qui "
              "a été fait."))
    if errors:
        raise ValidationError(errors)
    return title, note, progress, happened_on


def record_milestone(*, actor: Any, proposal: Proposal, happened_on: date, title: str,
                     progress: int, note: str = "", delivered: bool = False) -> Milestone:
    """Record a dated milestone of a funded project, with the progress reached after it.

    Progress is a whole percentage from 0 to 100. It may go down (works can meet a
    setback), but then the public note must say why. Milestones are recorded in order: a
    milestone cannot be dated before the previous one, nor before the publication of the
    results, nor in the future. The first milestone moves the project from funded to in
    progress; ``delivered`` (progress 100) moves it to delivered, after which it takes no
    more milestones. Status moves go through ``proposals.services.set_implementation_status``.
    Locks the proposal row.

    Raises NotAllowed, PhaseClosed (outside the implementation phase), Conflict (results
    not published, project not funded, or already delivered), ValidationError (French
    messages by field: title, note, progress, happened_on).
    """
    if not can_act_for(actor, proposal.commune):
        raise NotAllowed(_("Seules les personnes chargées de la publication pour la commune du "
                           "projet et les administrateurs peuvent suivre sa réalisation."))
    cycle = proposal.cycle
    require_phase_allows(cycle, Action.TRACK)
    title, note, progress, happened_on = clean_milestone_fields(
        title=title, note=note, progress=progress, happened_on=happened_on, delivered=delivered)
    with transaction.atomic():
        locked = Proposal.objects.select_for_update().get(pk=proposal.pk)
        run = selectors.published_run(cycle)
        if run is None or not selectors.is_funded_in(run, locked):
            raise Conflict(_("Ce projet n’est pas financé par un résultat publié : sa réalisation "
                             "ne se suit pas ici."))
        if locked.status == ProposalStatus.DELIVERED:
            raise Conflict(_("Ce projet est déjà réalisé : il n’accepte plus de jalon."))
        if locked.status not in (ProposalStatus.FUNDED, ProposalStatus.IN_PROGRESS):
            raise Conflict(_("Le résultat de ce projet n’est pas encore enregistré : "
                             "sa réalisation ne peut pas commencer."))
        previous = Milestone.objects.filter(proposal=locked).order_by(
            "-happened_on", "-recorded_at", "-pk").first()
        publication = publication_of(cycle)
        errors: dict[str, list[str]] = {}
        if publication and happened_on < timezone.localdate(publication.published_at):
            errors["happened_on"] = [
                _("La date du jalon ne peut pas précéder la publication des résultats "
                  "(%(date)s).") % {"date": date_format(
                      timezone.localdate(publication.published_at), "j F Y")}]
        elif previous and happened_on < previous.happened_on:
            errors["happened_on"] = [
                _("La date du jalon ne peut pas précéder celle du jalon précédent (%(date)s).")
                % {"date": date_format(previous.happened_on, "j F Y")}]
        if previous and progress < previous.progress and not note:
            errors["note"] = [
                _("L’avancement baisse (de %(before)d %% à %(after)d %%) : expliquez pourquoi "
                  "dans la note publique.") % {"before": previous.progress, "after": progress}]
        if errors:
            raise ValidationError(errors)
        milestone = Milestone.objects.create(
            proposal=locked, happened_on=happened_on, title=title, note=note, progress=progress,
            recorded_by=actor, recorded_at=timezone.now())
        if locked.status == ProposalStatus.FUNDED:
            set_implementation_status(actor=actor, proposal=locked, status=ProposalStatus.IN_PROGRESS)
        if delivered:
            set_implementation_status(actor=actor, proposal=locked, status=ProposalStatus.DELIVERED)
        record_event(actor=actor, action="implementation.milestone_recorded", target=locked,
                     payload={"milestone": milestone.pk, "happened_on": happened_on.isoformat(),
                              "title": title, "progress": progress, "delivered": delivered,
                              "previous_progress": previous.progress if previous else None})
    proposal.status = locked.status
    return milestone
