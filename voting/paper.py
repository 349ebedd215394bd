"""The paper and in-person channel: events, the participation register, double keying.

How a paper vote reaches the ballot log (issue 4, "Paper and in-person channel"):

1. A facilitator of a commune records an in-person event (``create_event``).
2. At the event, the facilitator checks each person against the participation register
   (``register_paper_voter``): someone who already voted online or on paper is refused with
   the reason; the person is then written in the register (channel ``paper``). The register
   says *who* voted, never *what*: the sheet they put in the box carries no name.
3. After the event, each sheet is keyed by two different facilitators
   (``key_paper_sheet``). Two identical keyings reconcile the sheet: it is validated like an
   online ballot, written through ``voting.services.record_ballot`` with channel
   ``paper`` and a pseudonym derived from (event, sheet number) only, so it is linked to no
   person, and chained into the ballot log at once (``sequence_pending``, same
   transaction). Divergent keyings put the sheet in the reconciliation list; a later keying
   by a third facilitator that equals one of them reconciles it.

Guarantees: a sheet enters the log at most once (status checked under the cycle row lock,
one ballot per sheet by ``PaperSheet.ballot`` and the unique pseudonym); an event never has
more reconciled sheets than paper participations registered at it; every write is audited.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass
from datetime import date
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User
from audit.services import record_event
from budgets.models import BudgetCycle, Envelope
from budgets.policy import Action
from budgets.roles import Role, has_role
from budgets.services import require_phase_allows
from config.errors import AlreadyVoted, Conflict, NotAllowed, NotEligible
from proposals.models import Proposal
from territory.models import Commune
from voting.eligibility import age_on, cycle_communes
from voting.models import (
    Channel,
    InPersonEvent,
    PaperKeying,
    PaperSheet,
    Participation,
    SheetStatus,
)
from voting.secrecy import keyed_digest
from voting.services import (
    ballot_options,
    check_choices,
    coarse_now,
    log_entry_of,
    record_ballot,
    sequence_pending,
)


@dataclass(frozen=True)
class KeyingOutcome:
    """What a keying led to: the sheet (with its new status) and the keying written."""

    sheet: PaperSheet
    keying: PaperKeying

    @property
    def is_reconciled(self) -> bool:
        return self.sheet.status == SheetStatus.RECONCILED


# ---------------------------------------------------------------------------------------
# Keys and digests


def _normalise(text: str) -> str:
    """Case, accents and spacing do not matter: "  Élise  Dupont-" == "elise dupont-"."""
    decomposed = unicodedata.normalize("NFKD", text)
    stripped = "".join(c for c in decomposed if not unicodedata.combining(c))
    return " ".join(stripped.casefold().split())


def person_digest(*, last_name: str, first_name: str, birth_date: date, postcode: str) -> str:
    """HMAC-SHA256 of a normalised identity: finds the same person twice without storing
    who they are (a database reader without the key learns nothing from it)."""
    message = "|".join([
        _normalise(last_name), _normalise(first_name), birth_date.isoformat(),
        "".join(postcode.split()),
    ])
    return keyed_digest("paper-person", message)


def paper_pseudonym(*, event_id: int, number: int) -> str:
    """The ballot pseudonym of a paper sheet: HMAC of "paper:<event>:<number>". It depends
    on the sheet only; the register never records which sheet a person put in the box."""
    return keyed_digest("paper-sheet", f"paper:{event_id}:{number}")


# ---------------------------------------------------------------------------------------
# Checks shared by the services


def require_facilitator(user: Any, commune: Commune) -> None:
    if not has_role(user, Role.FACILITATOR, commune):
        raise NotAllowed(
            _("Seuls les animateurs de %(commune)s peuvent faire cette action.")
            % {"commune": commune.name}
        )


def paper_envelopes(event: InPersonEvent) -> list[Envelope]:
    """A paper ballot of an event covers the event commune's envelope and the territory one."""
    return [e for e in event.cycle.envelopes.all()
            if e.commune_id is None or e.commune_id == event.commune_id]


def paper_options(event: InPersonEvent) -> list[Proposal]:
    """The proposals printed on the event's paper ballot (same as online for its residents)."""
    return ballot_options(event.cycle, paper_envelopes(event))


def _require_old_enough(cycle: BudgetCycle, birth_date: date | None) -> None:
    if not cycle.minimum_age:
        return
    if birth_date is None:
        raise NotEligible(
            _("La date de naissance de ce compte n’est pas renseignée : indiquez-la, "
              "après vérification sur une pièce d’identité.")
        )
    if age_on(birth_date, timezone.localdate()) < cycle.minimum_age:
        raise NotEligible(
            _("Ce vote est ouvert à partir de %(age)d ans : cette personne est trop jeune.")
            % {"age": cycle.minimum_age}
        )


def _refusal_for(participation: Participation) -> AlreadyVoted:
    if participation.channel == Channel.ONLINE:
        return AlreadyVoted(_("Cette personne a déjà voté en ligne pour ce budget : "
                              "un seul vote par personne, elle ne peut pas voter sur papier."))
    event = participation.event
    if event is None:
        return AlreadyVoted(_("Cette personne a déjà voté sur papier pour ce budget : "
                              "un seul vote par personne."))
    return AlreadyVoted(
        _("Cette personne a déjà voté sur papier pour ce budget (rencontre du %(date)s, "
          "%(place)s) : un seul vote par personne.")
        % {"date": event.held_on.strftime("%d/%m/%Y"), "place": event.place}
    )


def find_account(email: str) -> User | None:
    """The account with this e-mail address (case-insensitive), if any."""
    return User.objects.filter(email__iexact=email.strip()).select_related("commune").first()


def _matching_accounts(last_name: str, first_name: str, birth_date: date) -> list[User]:
    """Accounts carrying the same name and birth date: a person registered by identity who
    has an account is the same voter, whichever channel they use."""
    candidates = User.objects.filter(birth_date=birth_date).only("pk", "first_name", "last_name")
    wanted = (_normalise(last_name), _normalise(first_name))
    return [u for u in candidates if (_normalise(u.last_name), _normalise(u.first_name)) == wanted]


# ---------------------------------------------------------------------------------------
# Services


def create_event(*, facilitator: Any, cycle: BudgetCycle, commune: Commune, place: str,
                 held_on: date) -> InPersonEvent:
    """Record an in-person voting event of ``commune``.

    Raises NotAllowed unless the actor facilitates that commune, PhaseClosed outside the
    voting phase, ValidationError if the commune takes no part in the cycle or the place is
    empty. Audited as ``paper.event_created``.
    """
    require_facilitator(facilitator, commune)
    require_phase_allows(cycle, Action.VOTE)
    place = " ".join(place.split())
    errors: dict[str, str] = {}
    if commune.pk not in {c.pk for c in cycle_communes(cycle)}:
        errors["commune"] = _("Cette commune ne participe pas à ce budget.")
    if not place:
        errors["place"] = _("Indiquez le lieu de la rencontre.")
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        event = InPersonEvent.objects.create(cycle=cycle, commune=commune, place=place,
                                             held_on=held_on, created_by=facilitator)
        record_event(actor=facilitator, action="paper.event_created", target=event,
                     payload={"cycle": cycle.pk, "commune": commune.pk, "place": place,
                              "held_on": held_on.isoformat()})
    return event


def register_paper_voter(
    *, facilitator: Any, event: InPersonEvent, voter: Any = None, last_name: str = "",
    first_name: str = "", birth_date: date | None = None, postcode: str = "",
) -> Participation:
    """Check a person against the participation register and record their paper vote.

    The person is either an account (``voter``; ``birth_date``, checked on an identity
    document, stands in when the account has none) or, without an account, an identity (last
    name, first name, birth date, postcode) kept only as a keyed digest. Refuses with a
    French reason: NotAllowed (not a facilitator of the event's commune), PhaseClosed,
    NotEligible (not a resident of the event's commune, too young), AlreadyVoted (already in
    the register online or on paper, by account or by identity; an identity matching an
    account counts as that account), ValidationError (identity incomplete). The register is
    checked and written under the cycle row lock, backed by its unique constraints.
    Audited as ``paper.voter_registered`` (neither identity nor participation key in the payload).
    """
    cycle = event.cycle
    require_facilitator(facilitator, event.commune)
    require_phase_allows(cycle, Action.VOTE)
    digest = ""
    if voter is not None:
        voters = [voter]
        cycle_ids = {c.pk for c in cycle_communes(cycle)}
        if voter.commune_id is None or voter.commune_id not in cycle_ids:
            raise NotEligible(_("Ce compte n’est pas celui d’un habitant d’une commune de ce "
                                "budget : la personne ne peut pas voter."))
        if voter.commune_id != event.commune_id:
            raise NotEligible(
                _("Ce compte est celui d’un habitant de %(theirs)s : le bulletin papier de cette "
                  "rencontre porte sur les projets de %(here)s. La personne peut voter en ligne "
                  "ou lors d’une rencontre de sa commune.")
                % {"theirs": voter.commune, "here": event.commune.name}
            )
        _require_old_enough(cycle, voter.birth_date or birth_date)
    else:
        errors = {}
        if not _normalise(last_name):
            errors["last_name"] = _("Indiquez le nom.")
        if not _normalise(first_name):
            errors["first_name"] = _("Indiquez le prénom.")
        if birth_date is None:
            errors["birth_date"] = _("Indiquez la date de naissance.")
        if not "".join(postcode.split()):
            errors["postcode"] = _("Indiquez le code postal.")
        if errors:
            raise ValidationError(errors)
        assert birth_date is not None
        _require_old_enough(cycle, birth_date)
        digest = person_digest(last_name=last_name, first_name=first_name,
                               birth_date=birth_date, postcode=postcode)
        voters = _matching_accounts(last_name, first_name, birth_date)
    try:
        with transaction.atomic():
            BudgetCycle.objects.select_for_update().get(pk=cycle.pk)
            require_phase_allows(cycle, Action.VOTE)
            earlier = (
                Participation.objects.filter(cycle=cycle, voter__in=voters).select_related("event")
                .first() if voters else None
            )
            if earlier is None and digest:
                earlier = (Participation.objects.filter(cycle=cycle, person_digest=digest)
                           .select_related("event").first())
            if earlier is not None:
                raise _refusal_for(earlier)
            participation = Participation.objects.create(
                cycle=cycle, voter=voters[0] if len(voters) == 1 else None, person_digest=digest,
                commune=event.commune, channel=Channel.PAPER, event=event,
                recorded_by=facilitator, voted_at=coarse_now(),
            )
            # No participation key in the audit payload: its exact time and sequence would
            # give the register the order that coarse_now() and random keys remove.
            record_event(actor=facilitator, action="paper.voter_registered", target=event,
                         payload={"with_account": voter is not None})
    except IntegrityError as exc:  # a concurrent registration of the same person
        raise AlreadyVoted(_("Cette personne vient d’être enregistrée : un seul vote par "
                             "personne.")) from exc
    return participation


def _normalise_choices(choices: dict[Any, Any]) -> dict[str, int]:
    """Choices as stored in a keying: {"<proposal id>": points}, points > 0, sorted ids."""
    try:
        pairs = sorted((int(pid), int(points)) for pid, points in choices.items())
    except (TypeError, ValueError) as exc:
        raise ValidationError({"choices": _("Les choix saisis ne sont pas lisibles.")}) from exc
    if any(points < 0 for _pid, points in pairs):
        raise ValidationError({"choices": _("Les points ne peuvent pas être négatifs.")})
    return {str(pid): points for pid, points in pairs if points > 0}


def _validated(event: InPersonEvent, choices: dict[str, int]) -> list[tuple[Proposal, int]]:
    """The same validation as an online ballot of a resident of the event's commune; returns
    the (proposal, points) lines."""
    lines = {int(pid): points for pid, points in choices.items()}
    return check_choices(event.cycle, paper_envelopes(event), lines)


def key_paper_sheet(*, facilitator: Any, event: InPersonEvent, number: int,
                    choices: dict[Any, Any]) -> KeyingOutcome:
    """Record one facilitator's keying of sheet ``number`` of ``event``.

    ``choices`` maps proposal ids to points (1 for approval-like ballots). The content is
    validated as an online ballot (InvalidBallot/BudgetExceeded with the same French
    messages). Under the cycle row lock: a reconciled sheet is refused (Conflict), the same
    person cannot key a sheet twice (Conflict); when this keying equals a keying by another
    facilitator the sheet is reconciled and its ballot appended to the log (channel paper),
    unless the event would then have more reconciled sheets than registered paper voters
    (Conflict, nothing written); otherwise the sheet is pending (one keying) or mismatch.
    Audited as ``paper.sheet_keyed`` and, when it happens, ``paper.sheet_reconciled`` or
    ``paper.sheet_mismatch``.
    """
    cycle = event.cycle
    require_facilitator(facilitator, event.commune)
    require_phase_allows(cycle, Action.VOTE)
    if not isinstance(number, int) or number < 1:
        raise ValidationError({"number": _("Le numéro de bulletin est un entier positif.")})
    normalised = _normalise_choices(choices)
    chosen = _validated(event, normalised)
    with transaction.atomic():
        BudgetCycle.objects.select_for_update().get(pk=cycle.pk)
        require_phase_allows(cycle, Action.VOTE)
        sheet, _created = PaperSheet.objects.get_or_create(event=event, number=number)
        if sheet.status == SheetStatus.RECONCILED:
            raise Conflict(_("Le bulletin n° %(n)d est déjà concordant et enregistré : il ne "
                             "peut plus être saisi.") % {"n": number})
        earlier = list(sheet.keyings.all())
        if any(k.keyed_by_id == facilitator.pk for k in earlier):
            raise Conflict(_("Vous avez déjà saisi le bulletin n° %(n)d : la seconde saisie doit "
                             "être faite par un autre animateur.") % {"n": number})
        keying = PaperKeying.objects.create(sheet=sheet, keyed_by=facilitator, choices=normalised,
                                            keyed_at=timezone.now())
        record_event(actor=facilitator, action="paper.sheet_keyed", target=sheet,
                     payload={"event": event.pk, "number": number, "keying": keying.pk})
        agreeing = [k for k in earlier if k.choices == normalised]
        if agreeing:
            _reconcile(facilitator=facilitator, sheet=sheet, chosen=chosen,
                       keyings=[agreeing[0], keying])
        elif earlier:
            sheet.status = SheetStatus.MISMATCH
            sheet.save(update_fields=["status"])
            record_event(actor=facilitator, action="paper.sheet_mismatch", target=sheet,
                         payload={"event": event.pk, "number": number,
                                  "keyings": [k.pk for k in [*earlier, keying]]})
    return KeyingOutcome(sheet=sheet, keying=keying)


def _reconcile(*, facilitator: Any, sheet: PaperSheet, chosen: list[tuple[Proposal, int]],
               keyings: list[PaperKeying]) -> None:
    """Append a sheet's ballot to the log. The caller holds the cycle row lock."""
    event = sheet.event
    reconciled = PaperSheet.objects.filter(event=event, status=SheetStatus.RECONCILED).count()
    registered = Participation.objects.filter(event=event, channel=Channel.PAPER).count()
    if reconciled >= registered:
        raise Conflict(
            _("Impossible d’enregistrer le bulletin n° %(n)d : la rencontre compterait plus de "
              "bulletins (%(sheets)d) que de votants inscrits au registre (%(voters)d). "
              "Inscrivez d’abord les votants de la rencontre.")
            % {"n": sheet.number, "sheets": reconciled + 1, "voters": registered}
        )
    ballot, record, is_replacement = record_ballot(
        cycle=event.cycle, pseudonym=paper_pseudonym(event_id=event.pk, number=sheet.number),
        commune_id=event.commune_id, channel=Channel.PAPER, chosen=chosen,
    )
    if is_replacement:  # cannot happen while the status check holds; never log a sheet twice
        raise Conflict(_("Ce bulletin papier figure déjà au registre des bulletins."))
    # Chained at once, in this transaction (paper entry is rare): the audit event names the entry.
    sequence_pending(event.cycle_id, wait=True)
    entry = log_entry_of(record.pk)
    assert entry is not None
    sheet.status = SheetStatus.RECONCILED
    sheet.ballot = ballot
    sheet.reconciled_at = timezone.now()
    sheet.save(update_fields=["status", "ballot", "reconciled_at"])
    record_event(actor=facilitator, action="paper.sheet_reconciled", target=sheet,
                 payload={"event": event.pk, "number": sheet.number, "log_seq": entry.seq,
                          "keyings": [k.pk for k in keyings]})


# ---------------------------------------------------------------------------------------
# Reads for the pages


@dataclass
class SheetRow:
    sheet: PaperSheet
    keyings: list[tuple[PaperKeying, list[tuple[Proposal, int]]]]


def facilitated_communes(user: Any, cycle: BudgetCycle) -> list[Commune]:
    """Communes of the cycle where ``user`` is a facilitator."""
    return [c for c in cycle_communes(cycle) if has_role(user, Role.FACILITATOR, c)]


def event_sheets(event: InPersonEvent, options: list[Proposal] | None = None) -> list[SheetRow]:
    """The event's sheets with each keying's choices resolved to proposals (bounded queries).
    ``options``: the event's ``paper_options`` when the caller has them already."""
    by_id = {p.pk: p for p in (paper_options(event) if options is None else options)}
    rows = []
    for sheet in event.sheets.prefetch_related("keyings__keyed_by"):
        keyings = []
        for keying in sheet.keyings.all():
            lines = [(by_id[int(pid)], points) for pid, points in keying.choices.items()
                     if int(pid) in by_id]
            keyings.append((keying, lines))
        rows.append(SheetRow(sheet=sheet, keyings=keyings))
    return rows
