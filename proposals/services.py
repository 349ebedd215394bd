"""Writes on proposals: submission and feasibility review."""

from __future__ import annotations

import logging
import re
import secrets
from collections.abc import Collection
from decimal import Decimal
from typing import Any

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.mail import send_mail
from django.db import transaction
from django.db.models import Count
from django.utils import timezone
from django.utils.translation import gettext as _

from audit.services import record_event
from budgets.models import BudgetCycle, Envelope
from budgets.money import format_amount
from budgets.policy import Action
from budgets.roles import Role, has_role, is_administrator
from budgets.services import require_phase_allows
from config.errors import Conflict, NotAllowed
from proposals.attachments import (
    MAX_ATTACHMENT_BYTES,
    MAX_ATTACHMENTS,
    AttachmentRefused,
    check_attachment,
)
from proposals.lifecycle import (
    BALLOT_STATUSES,
    EDITABLE_STATUSES,
    MERGEABLE_STATUSES,
    SUPPORTABLE_STATUSES,
    InvalidTransition,
    Status,
    ballot_outcome,
    check_move,
)
from proposals.models import (
    Attachment,
    Category,
    Proposal,
    ProposalStatus,
    Review,
    ReviewDecision,
    Support,
)
from territory.models import Commune, District

logger = logging.getLogger(__name__)

MAX_COST_CENTS = 10_000_000_000  # 100 million euros: anything above is a typing mistake


def _content_errors(
    *, cycle: BudgetCycle, envelope: Envelope, title: str, summary: str, description: str,
    category: str, commune: Commune, district: District | None, estimated_cost_cents: int,
    latitude: Decimal | None, longitude: Decimal | None, address: str,
) -> dict[str, str]:
    """French messages per field for a proposal's content (empty when all is well)."""
    errors: dict[str, str] = {}
    if envelope.cycle_id != cycle.pk:
        errors["envelope"] = _("Cette enveloppe n’appartient pas à ce budget.")
    elif envelope.commune_id is not None and envelope.commune_id != commune.pk:
        errors["envelope"] = _("L’enveloppe choisie est celle d’une autre commune.")
    if district is not None and district.commune_id != commune.pk:
        errors["district"] = _("Ce quartier n’est pas dans la commune choisie.")
    if category not in Category.values:
        errors["category"] = _("Choisissez un thème dans la liste.")
    if not title.strip():
        errors["title"] = _("Le titre est obligatoire.")
    elif len(title.strip()) > 140:
        errors["title"] = _("Le titre doit faire 140 caractères au plus.")
    if len(summary.strip()) > 300:
        errors["summary"] = _("Le résumé doit faire 300 caractères au plus.")
    if not description.strip():
        errors["description"] = _("La description est obligatoire.")
    elif len(description.strip()) > 5000:
        errors["description"] = _("La description doit faire 5 000 caractères au plus.")
    if estimated_cost_cents <= 0:
        errors["estimated_cost_cents"] = _("Le coût estimé doit être positif.")
    elif estimated_cost_cents > min(MAX_COST_CENTS, envelope.amount_cents):
        errors["estimated_cost_cents"] = _(
            "Le coût estimé dépasse le montant de l’enveloppe (%(amount)s €)."
        ) % {"amount": format_amount(envelope.amount_cents)}
    if (latitude is None) != (longitude is None):
        errors["latitude" if latitude is None else "longitude"] = _(
            "Indiquez la latitude et la longitude, ou aucune des deux.")
    if latitude is not None and not Decimal(-90) <= latitude <= Decimal(90):
        errors["latitude"] = _("La latitude doit être comprise entre -90 et 90.")
    if longitude is not None and not Decimal(-180) <= longitude <= Decimal(180):
        errors["longitude"] = _("La longitude doit être comprise entre -180 et 180.")
    if len(address.strip()) > 200:
        errors["address"] = _("L’adresse doit faire 200 caractères au plus.")
    return errors


def _rounded(value: Decimal | float | None) -> Decimal | None:
    """A coordinate as stored: six decimals (about 10 cm)."""
    return None if value is None else Decimal(str(value)).quantize(Decimal("0.000001"))


def submit_proposal(
    *,
    author: Any,
    cycle: BudgetCycle,
    envelope: Envelope,
    title: str,
    description: str,
    category: str,
    commune: Commune,
    district: District | None,
    estimated_cost_cents: int,
    summary: str = "",
    latitude: Decimal | None = None,
    longitude: Decimal | None = None,
    address: str = "",
    as_draft: bool = False,
) -> Proposal:
    """Create a proposal in the submission phase: submitted, or a private draft.

    Raises NotAllowed for anonymous users, PhaseClosed outside submission, and
    ValidationError (per field) for inconsistent input. One audit event.
    """
    if not getattr(author, "is_authenticated", False):
        raise NotAllowed(_("Connectez-vous pour déposer une proposition."))
    require_phase_allows(cycle, Action.SUBMIT)
    errors = _content_errors(
        cycle=cycle, envelope=envelope, title=title, summary=summary, description=description,
        category=category, commune=commune, district=district,
        estimated_cost_cents=estimated_cost_cents, latitude=latitude, longitude=longitude,
        address=address,
    )
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        proposal = Proposal.objects.create(
            cycle=cycle, envelope=envelope, author=author, title=title.strip(),
            summary=summary.strip(), description=description.strip(), category=category,
            commune=commune, district=district, estimated_cost_cents=estimated_cost_cents,
            latitude=_rounded(latitude), longitude=_rounded(longitude), address=address.strip(),
            status=ProposalStatus.DRAFT if as_draft else ProposalStatus.SUBMITTED,
            submitted_at=None if as_draft else timezone.now(),
        )
        record_event(actor=author, action="proposal.draft_created" if as_draft
                     else "proposal.submitted", target=proposal, payload={"title": proposal.title})
    return proposal


def is_author(user: Any, proposal: Proposal) -> bool:
    """The author or a co-author of ``proposal``."""
    if not getattr(user, "is_authenticated", False):
        return False
    return user.pk == proposal.author_id or proposal.co_authors.filter(pk=user.pk).exists()


def _require_editor(user: Any, proposal: Proposal) -> None:
    if not is_author(user, proposal):
        raise NotAllowed(_("Seuls les auteurs de cette proposition peuvent la modifier."))
    require_phase_allows(proposal.cycle, Action.EDIT_PROPOSAL)
    if proposal.status not in EDITABLE_STATUSES:
        raise Conflict(_("Cette proposition ne peut plus être modifiée : son analyse a commencé."))


def submit_draft(*, author: Any, proposal: Proposal) -> Proposal:
    """Submit a draft (an author or co-author, in the submission phase): it becomes public."""
    if not is_author(author, proposal):
        raise NotAllowed(_("Seuls les auteurs de cette proposition peuvent la déposer."))
    require_phase_allows(proposal.cycle, Action.SUBMIT)
    with transaction.atomic():
        locked = Proposal.objects.select_for_update().get(pk=proposal.pk)
        _move(locked, ProposalStatus.SUBMITTED)
        locked.status = ProposalStatus.SUBMITTED
        locked.submitted_at = timezone.now()
        locked.save(update_fields=["status", "submitted_at", "updated_at"])
        record_event(actor=author, action="proposal.submitted", target=locked,
                     payload={"title": locked.title, "from_draft": True})
    proposal.status, proposal.submitted_at = locked.status, locked.submitted_at
    return proposal


EDITABLE_FIELDS = ("envelope", "title", "summary", "description", "category", "commune",
                   "district", "estimated_cost_cents", "latitude", "longitude", "address")


def edit_proposal(*, editor: Any, proposal: Proposal, **changes: Any) -> Proposal:
    """Change a draft or submitted proposal's content (authors and co-authors, in the
    submission phase). ``changes`` are any of ``EDITABLE_FIELDS``; the whole content is
    checked again as at submission. Locks the proposal; audit event naming the fields."""
    unknown = set(changes) - set(EDITABLE_FIELDS)
    if unknown:
        raise TypeError(f"not editable: {sorted(unknown)}")
    _require_editor(editor, proposal)
    with transaction.atomic():
        locked = Proposal.objects.select_for_update().select_related("cycle").get(pk=proposal.pk)
        _require_editor(editor, locked)
        content = {name: getattr(locked, name) for name in EDITABLE_FIELDS}
        content.update(changes)
        errors = _content_errors(cycle=locked.cycle, **content)
        if errors:
            raise ValidationError(errors)
        changed = []
        for name, value in content.items():
            if isinstance(value, str):
                value = value.strip()
            if name in ("latitude", "longitude"):
                value = _rounded(value)
            if getattr(locked, name) != value:
                setattr(locked, name, value)
                changed.append(name)
        if changed:
            locked.save(update_fields=[*changed, "updated_at"])
            record_event(actor=editor, action="proposal.edited", target=locked,
                         payload={"fields": changed})
    return locked


def invite_co_author(*, author: Any, proposal: Proposal, email: str) -> Any:
    """Add the account with this e-mail address as a co-author (the author only, while the
    proposal may be edited); the co-author is told by e-mail. Returns the user."""
    if not getattr(author, "is_authenticated", False) or author.pk != proposal.author_id:
        raise NotAllowed(_("Seul l’auteur de la proposition peut inviter des co-auteurs."))
    _require_editor(author, proposal)
    User = get_user_model()
    user = User.objects.filter(email__iexact=email.strip(), is_active=True).first()
    if user is None or not email.strip():
        raise ValidationError({"email": _("Aucun compte n’utilise cette adresse : la personne "
                                          "doit d’abord créer son compte.")})
    if user.pk == proposal.author_id or proposal.co_authors.filter(pk=user.pk).exists():
        raise ValidationError({"email": _("Cette personne est déjà autrice ou co-autrice de la "
                                          "proposition.")})
    with transaction.atomic():
        proposal.co_authors.add(user)
        record_event(actor=author, action="proposal.co_author_added", target=proposal,
                     payload={"user": user.pk})
        _notify([user.email], _("Vous êtes co-auteur d’une proposition"),
                _("%(name)s vous a ajouté comme co-auteur de la proposition « %(title)s ». "
                  "Vous pouvez la modifier pendant la phase de dépôt.") % {
                    "name": author.public_name, "title": proposal.title})
    return user


def remove_co_author(*, author: Any, proposal: Proposal, user: Any) -> None:
    """Remove a co-author (the author only, or co-authors removing themselves)."""
    own = getattr(author, "is_authenticated", False) and author.pk == user.pk
    if not own and not (getattr(author, "is_authenticated", False)
                        and author.pk == proposal.author_id):
        raise NotAllowed(_("Seul l’auteur de la proposition peut retirer un co-auteur."))
    with transaction.atomic():
        proposal.co_authors.remove(user)
        record_event(actor=author, action="proposal.co_author_removed", target=proposal,
                     payload={"user": user.pk})


def add_attachment(*, editor: Any, proposal: Proposal, content: bytes,
                   filename: str) -> Attachment:
    """Attach an image or a PDF, checked by its content (``proposals.attachments``), stored
    under a random name. Authors and co-authors, while the proposal may be edited."""
    _require_editor(editor, proposal)
    try:
        checked = check_attachment(content)
    except AttachmentRefused as exc:
        raise ValidationError({"file": _refusal_message(str(exc))}) from None
    name = _safe_display_name(filename, checked.extension)
    with transaction.atomic():
        Proposal.objects.select_for_update().get(pk=proposal.pk)
        if proposal.attachments.count() >= MAX_ATTACHMENTS:
            raise ValidationError({"file": _("Une proposition compte %(n)d pièces jointes au "
                                             "plus.") % {"n": MAX_ATTACHMENTS}})
        attachment = Attachment(proposal=proposal, uploaded_by=editor, kind=checked.kind,
                                content_type=checked.content_type, original_name=name,
                                size=len(checked.content))
        attachment.file.save(f"{secrets.token_urlsafe(18)}.{checked.extension}",
                             ContentFile(checked.content), save=False)
        attachment.save()
        record_event(actor=editor, action="proposal.attachment_added", target=proposal,
                     payload={"attachment": attachment.pk, "kind": checked.kind,
                              "size": attachment.size})
    return attachment


def delete_attachment(*, editor: Any, attachment: Attachment) -> None:
    """Remove an attachment and its file (authors and co-authors, while editable)."""
    proposal = attachment.proposal
    _require_editor(editor, proposal)
    with transaction.atomic():
        record_event(actor=editor, action="proposal.attachment_deleted", target=proposal,
                     payload={"attachment": attachment.pk})
        name = attachment.file.name or ""
        attachment.delete()
        transaction.on_commit(lambda: attachment.file.storage.delete(name))


def _refusal_message(code: str) -> str:
    return {
        "empty": _("Le fichier est vide."),
        "too_large": _("Le fichier dépasse %(mb)d Mo.") % {"mb": MAX_ATTACHMENT_BYTES // 2**20},
        "too_many_pixels": _("L’image est trop grande (40 millions de pixels au plus)."),
        "pdf_header": _("Ce fichier n’est pas un PDF lisible."),
        "pdf_structure": _("Ce PDF est incomplet ou endommagé."),
        "pdf_active": _("Ce PDF contient du code, une action ou un fichier intégré : "
                        "enregistrez-le à nouveau en PDF simple."),
    }.get(code, _("Seules les images (JPEG, PNG, WebP) et les documents PDF sont acceptés."))


def _safe_display_name(filename: str, extension: str) -> str:
    """The uploader's file name reduced to safe characters, with the checked extension."""
    stem = re.sub(r"[^\w\- ]+", "", (filename or "").rsplit("/", 1)[-1].rsplit("\\", 1)[-1]
                  .rsplit(".", 1)[0], flags=re.UNICODE).strip()[:100] or "piece-jointe"
    return f"{stem}.{extension}"


def _notify(addresses: list[str], subject: str, body: str) -> None:
    """E-mail after the commit, to the addresses that exist; a mail failure never undoes
    the action (the notice on the proposal page stays)."""
    recipients = [a for a in addresses if a]
    if not recipients:
        return

    def send() -> None:
        for address in recipients:  # one message each: no one sees the others' addresses
            try:
                send_mail(subject, body, None, [address])
            except Exception:  # noqa: BLE001 - an unreachable mail server must not fail it
                logger.exception("proposal notification not sent")

    transaction.on_commit(send)


def take_into_review(*, reviewer: Any, proposal: Proposal) -> Proposal:
    """A reviewer of the proposal's commune takes a submitted proposal into review."""
    if not has_role(reviewer, Role.REVIEWER, proposal.commune):
        raise NotAllowed(_("Seuls les services de la commune concernée peuvent analyser cette "
                           "proposition."))
    require_phase_allows(proposal.cycle, Action.REVIEW)
    with transaction.atomic():
        locked = Proposal.objects.select_for_update().get(pk=proposal.pk)
        _move(locked, ProposalStatus.IN_REVIEW)
        locked.status = ProposalStatus.IN_REVIEW
        locked.taken_by = reviewer
        locked.save(update_fields=["status", "taken_by", "updated_at"])
        record_event(actor=reviewer, action="proposal.taken_into_review", target=locked)
    proposal.status, proposal.taken_by = locked.status, reviewer
    return proposal


def merge_proposals(*, reviewer: Any, duplicate: Proposal, target: Proposal) -> Proposal:
    """Fold ``duplicate`` into ``target``: the duplicate becomes "merged", its authors become
    co-authors of the target and are told (notice on their page, e-mail), its supports move
    to the target (a resident who supported both counts once), its comments are read from
    the target, its workshops are linked to the target.

    A reviewer of both proposals' communes, in a phase that allows merging. Locks both
    proposals (in id order). Raises ValidationError when they are the same proposal or in
    different cycles, Conflict when either is not at a stage where merging makes sense.
    """
    if duplicate.pk == target.pk:
        raise ValidationError({"target": _("Une proposition ne peut pas être fusionnée avec "
                                           "elle-même.")})
    if duplicate.cycle_id != target.cycle_id:
        raise ValidationError({"target": _("Les deux propositions doivent appartenir au même "
                                           "budget.")})
    if not (has_role(reviewer, Role.REVIEWER, duplicate.commune)
            and has_role(reviewer, Role.REVIEWER, target.commune)):
        raise NotAllowed(_("Seuls les services des communes concernées peuvent fusionner ces "
                           "propositions."))
    require_phase_allows(duplicate.cycle, Action.MERGE)
    with transaction.atomic():
        locked = {p.pk: p for p in Proposal.objects.select_for_update()
                  .filter(pk__in=[duplicate.pk, target.pk]).order_by("pk")}
        dup, tgt = locked[duplicate.pk], locked[target.pk]
        if tgt.status not in MERGEABLE_STATUSES:
            raise Conflict(_("La proposition cible ne peut plus recevoir de fusion (« %(s)s »).")
                           % {"s": tgt.get_status_display()})
        if dup.status not in MERGEABLE_STATUSES:
            raise Conflict(_("Cette proposition ne peut plus être fusionnée (« %(s)s »).")
                           % {"s": dup.get_status_display()})
        _move(dup, ProposalStatus.MERGED)
        authors = [dup.author, *dup.co_authors.all()]
        new_co_authors = [u for u in authors if u.pk != tgt.author_id]
        tgt.co_authors.add(*new_co_authors)
        already = Support.objects.filter(proposal=tgt).values("user_id")
        dropped, _detail = Support.objects.filter(proposal=dup, user_id__in=already).delete()
        moved = Support.objects.filter(proposal=dup).update(proposal=tgt)
        comments = dup.comments.update(proposal=tgt)
        tgt.workshops.add(*dup.workshops.all())
        Proposal.objects.filter(merged_into=dup).update(merged_into=tgt)
        dup.status = ProposalStatus.MERGED
        dup.merged_into = tgt
        dup.save(update_fields=["status", "merged_into", "updated_at"])
        record_event(actor=reviewer, action="proposal.merged", target=dup, payload={
            "into": tgt.pk, "supports_moved": moved, "supports_already_there": dropped,
            "comments_moved": comments, "co_authors_added": [u.pk for u in new_co_authors],
        })
        _notify([u.email for u in authors], _("Votre proposition a été fusionnée"),
                _("Votre proposition « %(dup)s » rejoint la proposition « %(target)s », qui "
                  "décrit le même projet. Vous en êtes désormais co-auteur ; ses soutiens et "
                  "commentaires ont été conservés.") % {"dup": dup.title, "target": tgt.title})
    duplicate.status, duplicate.merged_into = dup.status, tgt
    return dup


def review_proposal(
    *,
    reviewer: Any,
    proposal: Proposal,
    decision: str,
    validated_cost_cents: int | None = None,
    public_reason: str = "",
) -> Review:
    """Record a feasibility decision and reflect it on the proposal.

    Only a reviewer of the proposal's commune may review, in a phase that allows it.
    Unfeasible needs a public reason; feasible needs a validated cost. Locks the proposal.
    """
    if not has_role(reviewer, Role.REVIEWER, proposal.commune):
        raise NotAllowed(_("Seuls les services de la commune concernée peuvent analyser cette proposition."))
    require_phase_allows(proposal.cycle, Action.REVIEW)
    public_reason = public_reason.strip()
    if decision == ReviewDecision.FEASIBLE:
        if validated_cost_cents is None or validated_cost_cents <= 0:
            raise ValidationError({"validated_cost_cents": _("Indiquez le coût validé (positif).")})
        if validated_cost_cents > proposal.envelope.amount_cents:
            raise ValidationError(
                {"validated_cost_cents": _("Le coût validé dépasse le montant de l’enveloppe.")}
            )
    elif decision == ReviewDecision.UNFEASIBLE:
        if not public_reason:
            raise ValidationError(
                {"public_reason": _("Un motif public est obligatoire pour déclarer une proposition non recevable.")}
            )
        validated_cost_cents = None
    else:
        raise ValidationError({"decision": _("Choisissez « recevable » ou « non recevable ».")})
    with transaction.atomic():
        locked = Proposal.objects.select_for_update().get(pk=proposal.pk)
        _move(locked, ProposalStatus.FEASIBLE if decision == ReviewDecision.FEASIBLE
              else ProposalStatus.UNFEASIBLE)
        review = Review.objects.create(
            proposal=locked, reviewer=reviewer, decision=decision,
            validated_cost_cents=validated_cost_cents, public_reason=public_reason,
        )
        locked.status = (
            ProposalStatus.FEASIBLE if decision == ReviewDecision.FEASIBLE else ProposalStatus.UNFEASIBLE
        )
        locked.validated_cost_cents = validated_cost_cents
        locked.public_reason = public_reason
        locked.save(update_fields=["status", "validated_cost_cents", "public_reason"])
        record_event(
            actor=reviewer, action="proposal.reviewed", target=locked,
            payload={"decision": decision, "validated_cost_cents": validated_cost_cents,
                     "public_reason": public_reason},
        )
    proposal.refresh_from_db()
    return review


def _move(proposal: Proposal, target: str) -> None:
    """Check ``proposal.status`` → ``target`` against the lifecycle table (Conflict if not)."""
    try:
        check_move(proposal.status, target)
    except InvalidTransition:
        raise Conflict(_("Cette proposition est « %(current)s » : elle ne peut pas passer à "
                         "« %(target)s ».") % {
            "current": ProposalStatus(proposal.status).label,
            "target": ProposalStatus(target).label,
        }) from None


def support_proposal(*, user: Any, proposal: Proposal) -> bool:
    """Support a feasible proposal during the deliberation phase (once per resident).

    Locks the proposal row (draw-up changes its status under the same lock) and relies
    on the unique constraint for a double submit: a second support changes nothing and
    returns False; the first returns True. Raises NotAllowed for anonymous users and
    accounts whose commune has no envelope in the cycle (not a resident of its territory),
    PhaseClosed outside deliberation, Conflict when the proposal is not open to supports.
    """
    if not getattr(user, "is_authenticated", False):
        raise NotAllowed(_("Connectez-vous pour soutenir une proposition."))
    commune_id = getattr(user, "commune_id", None)
    if commune_id is None or not proposal.cycle.envelopes.filter(commune_id=commune_id).exists():
        raise NotAllowed(_("Seuls les habitants d’une commune du territoire peuvent soutenir "
                           "une proposition : indiquez votre commune dans votre profil."))
    require_phase_allows(proposal.cycle, Action.SUPPORT)
    with transaction.atomic():
        locked = Proposal.objects.select_for_update().get(pk=proposal.pk)
        if locked.status not in SUPPORTABLE_STATUSES:
            raise Conflict(_("Seules les propositions recevables peuvent être soutenues, "
                             "jusqu’à l’établissement de la liste soumise au vote."))
        _support, created = Support.objects.get_or_create(proposal=locked, user=user)
    return created


def withdraw_support(*, user: Any, proposal: Proposal) -> bool:
    """Withdraw one's support during the deliberation phase; True if there was one."""
    if not getattr(user, "is_authenticated", False):
        raise NotAllowed(_("Connectez-vous pour retirer votre soutien."))
    require_phase_allows(proposal.cycle, Action.SUPPORT)
    with transaction.atomic():
        locked = Proposal.objects.select_for_update().get(pk=proposal.pk)
        if locked.status not in SUPPORTABLE_STATUSES:
            raise Conflict(_("La liste soumise au vote est établie : les soutiens ne peuvent "
                             "plus changer."))
        deleted, _detail = Support.objects.filter(proposal=locked, user=user).delete()
    return bool(deleted)


def draw_up_ballot(*, actor: Any, cycle: BudgetCycle) -> tuple[int, int]:
    """Apply the supports threshold: every feasible proposal of ``cycle`` goes on the ballot
    (supports ≥ ``cycle.supports_threshold``) or is not retained.

    Administrator only, in a phase that allows it (deliberation). Locks the cycle's
    feasible proposals, so that no support lands between the count and the move. Proposals
    already drawn up are left alone: a second call moves nothing. Returns
    (put on the ballot, not retained) by this call; one audit event with both lists.
    """
    if not is_administrator(actor):
        raise NotAllowed(_("Seul un administrateur peut établir la liste soumise au vote."))
    require_phase_allows(cycle, Action.DRAW_UP_BALLOT)
    with transaction.atomic():
        ids = list(Proposal.objects.select_for_update()
                   .filter(cycle=cycle, status=ProposalStatus.FEASIBLE)
                   .order_by("pk").values_list("pk", flat=True))
        if not ids:
            return 0, 0  # nothing left to draw up: no event for a repeated click
        counts = dict(Support.objects.filter(proposal_id__in=ids).values("proposal_id")
                      .annotate(n=Count("pk")).values_list("proposal_id", "n"))
        threshold = cycle.supports_threshold
        on: list[int] = []
        out: list[int] = []
        for pk in ids:
            outcome = ballot_outcome(supports=counts.get(pk, 0), threshold=threshold)
            (on if outcome == Status.ON_BALLOT else out).append(pk)
        Proposal.objects.filter(pk__in=on).update(status=ProposalStatus.ON_BALLOT)
        Proposal.objects.filter(pk__in=out).update(status=ProposalStatus.NOT_RETAINED)
        record_event(actor=actor, action="proposals.ballot_drawn_up", target=cycle, payload={
            "supports_threshold": threshold, "on_ballot": on, "not_retained": out,
            "supports": {str(pk): counts.get(pk, 0) for pk in ids},
        })
    return len(on), len(out)


def record_outcomes(*, actor: Any, cycle: BudgetCycle, funded_ids: Collection[int]) -> None:
    """Set each ballot proposal of ``cycle`` funded (its id in ``funded_ids``) or not funded.

    Called when results are published (administrator). Idempotent: a second call with the
    same ids changes nothing and records nothing; a call with other ids (a corrected,
    re-published result) swaps funded ⇄ not funded. A proposal already in progress or
    delivered never moves back. Raises NotAllowed for anyone but an administrator and
    Conflict when an id is not a ballot proposal of the cycle. One audit event when
    something changed.
    """
    if not is_administrator(actor):
        raise NotAllowed(_("Seul un administrateur peut enregistrer les résultats."))
    wanted = set(funded_ids)
    decidable = {ProposalStatus.ON_BALLOT, ProposalStatus.FUNDED, ProposalStatus.NOT_FUNDED}
    with transaction.atomic():
        rows = list(Proposal.objects.select_for_update()
                    .filter(cycle=cycle, status__in=sorted(BALLOT_STATUSES))
                    .order_by("pk").values_list("pk", "status"))
        if wanted - {pk for pk, _status in rows}:
            raise Conflict(_("Un projet désigné lauréat n’a pas été soumis au vote de ce budget."))
        funded = [pk for pk, status in rows
                  if status in decidable and pk in wanted and status != ProposalStatus.FUNDED]
        not_funded = [pk for pk, status in rows
                      if status in decidable and pk not in wanted
                      and status != ProposalStatus.NOT_FUNDED]
        if not funded and not not_funded:
            return
        Proposal.objects.filter(pk__in=funded).update(status=ProposalStatus.FUNDED)
        Proposal.objects.filter(pk__in=not_funded).update(status=ProposalStatus.NOT_FUNDED)
        record_event(actor=actor, action="proposals.outcomes_recorded", target=cycle,
                     payload={"funded": funded, "not_funded": not_funded})


def set_implementation_status(*, actor: Any, proposal: Proposal, status: str) -> Proposal:
    """Move a funded proposal along its implementation: funded → in progress → delivered.

    The publisher of the proposal's commune or an administrator. Locks the proposal;
    Conflict for any other move (nothing goes back). One audit event.
    """
    if not (is_administrator(actor) or has_role(actor, Role.PUBLISHER, proposal.commune)):
        raise NotAllowed(_("Seuls la commune de la proposition et les administrateurs "
                           "peuvent suivre sa réalisation."))
    if status not in (ProposalStatus.IN_PROGRESS, ProposalStatus.DELIVERED):
        raise ValidationError({"status": _("Choisissez « en cours de réalisation » ou "
                                           "« réalisée ».")})
    with transaction.atomic():
        locked = Proposal.objects.select_for_update().get(pk=proposal.pk)
        _move(locked, status)
        previous = locked.status
        locked.status = status
        locked.save(update_fields=["status"])
        record_event(actor=actor, action="proposal.implementation_status", target=locked,
                     payload={"from": previous, "to": status})
    proposal.status = status
    return proposal
