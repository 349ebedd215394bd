"""Casting ballots and the ballot log; tally and certification live in voting/tally.py."""

from __future__ import annotations

import hashlib
import logging
import secrets
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from fractions import Fraction
from typing import Any

from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from audit.chain import GENESIS, canonical, link
from budgets.allocation.ballots import (
    ApprovalRules,
    BallotRules,
    Choose1Rules,
    CumulativeRules,
    KnapsackRules,
    ProblemCode,
    RankingRules,
    ScoreRules,
    validate_ballot,
)
from budgets.allocation.types import Ballot as PureBallot
from budgets.allocation.types import Project as PureProject
from budgets.models import BallotKind, BudgetCycle, Envelope
from budgets.policy import Action
from budgets.services import require_phase_allows
from config.errors import AlreadyVoted, BudgetExceeded, Conflict, InvalidBallot
from proposals.models import Proposal, ProposalStatus
from voting.ballot_messages import message_for
from voting.eligibility import require_eligible, voter_envelopes  # noqa: F401 (re-exported)
from voting.models import (
    Ballot,
    BallotChoice,
    BallotLogEntry,
    Channel,
    LogKind,
    Participation,
)
from voting.secrecy import receipt_code, voter_pseudonym

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class CastReceipt:
    ballot: Ballot
    entry: BallotLogEntry
    receipt_code: str
    is_replacement: bool
    lines: tuple[tuple[int, int], ...] = ()  # (proposal id, points) as stored, by id


def ballot_options(cycle: BudgetCycle, envelopes: list[Envelope]) -> list[Proposal]:
    """Feasible proposals on offer in these envelopes."""
    return list(
        Proposal.objects.filter(cycle=cycle, envelope__in=envelopes, status=ProposalStatus.FEASIBLE)
        .select_related("envelope", "commune")
        .order_by("envelope__commune__name", "title")
    )


def envelope_rules(cycle: BudgetCycle, envelope: Envelope) -> BallotRules:
    """The pure validation rules of one envelope's part of a ballot, from the cycle settings."""
    kind = cycle.ballot_kind
    minimum = max(cycle.min_choices, 1)  # an envelope left empty is handled by the caller
    if kind == BallotKind.KNAPSACK:
        return KnapsackRules(envelope=envelope.amount_cents, min_choices=minimum,
                             floor_share=Fraction(cycle.knapsack_floor_percent, 100))
    if kind == BallotKind.CHOOSE_1:
        return Choose1Rules()
    if kind == BallotKind.CUMULATIVE:
        return CumulativeRules(max_per_project=cycle.max_points_per_project,
                               max_total=cycle.max_points_total)
    if kind == BallotKind.ORDINAL:
        return RankingRules(max_length=cycle.max_choices, min_length=minimum)
    if kind == BallotKind.SCORING:
        return ScoreRules(min_score=1, max_score=cycle.score_max, min_choices=minimum,
                          max_choices=cycle.max_choices)
    return ApprovalRules(min_choices=minimum, max_choices=cycle.max_choices)


def pure_ballot(kind: str, lines: list[tuple[int, int]], voter_id: str = "") -> PureBallot:
    """The engine's ballot for (proposal id, points) lines of one envelope.

    Ordinal ballots carry ranks (1 = best) and become a ranking, best first; cumulative
    and scoring ballots carry their points; approval-like ballots carry no points.
    """
    if kind == BallotKind.ORDINAL:
        ordered = sorted(lines, key=lambda line: (line[1], line[0]))
        return PureBallot(voter_id=voter_id, choices=tuple(str(pid) for pid, _r in ordered))
    if kind in (BallotKind.CUMULATIVE, BallotKind.SCORING):
        return PureBallot(voter_id=voter_id, choices=tuple(str(pid) for pid, _p in lines),
                          points=tuple(points for _pid, points in lines))
    return PureBallot(voter_id=voter_id, choices=tuple(str(pid) for pid, _p in lines))


def check_choices(
    cycle: BudgetCycle, envelopes: list[Envelope], choices: Mapping[int, int]
) -> list[tuple[Proposal, int]]:
    """Validate a ballot against the cycle's ballot method, envelope by envelope.

    ``choices`` maps proposal ids to points (1 for approval-like ballots, the points or
    score given, or the rank for a ranking, 1 being the best). An envelope left empty is
    allowed when the cycle's minimum is 0. Returns the (proposal, points) lines. Raises
    InvalidBallot (BudgetExceeded for a knapsack over the envelope) listing every
    problem in French.
    """
    # Only what validation reads (no joins, no ordering): this runs on every cast.
    options = {p.pk: p for p in Proposal.objects.filter(
        cycle=cycle, envelope__in=envelopes, status=ProposalStatus.FEASIBLE,
    ).only("id", "envelope_id", "title", "estimated_cost_cents", "validated_cost_cents")}
    lines = {pid: pts for pid, pts in choices.items() if pts}
    if not lines:
        raise InvalidBallot(_("Votre bulletin est vide : choisissez au moins un projet."))
    if any(pid not in options for pid in lines):
        raise InvalidBallot(_("Un des projets choisis ne fait pas partie de votre bulletin."))
    problems: list[str] = []
    over_budget = False
    for envelope in envelopes:
        in_envelope = [p for p in options.values() if p.envelope_id == envelope.pk]
        chosen = [(p.pk, lines[p.pk]) for p in in_envelope if p.pk in lines]
        if not chosen and cycle.min_choices == 0:
            continue
        if cycle.ballot_kind == BallotKind.ORDINAL and len({r for _pid, r in chosen}) != len(chosen):
            problems.append(_("%(envelope)s : chaque rang ne peut être donné qu’à un seul projet.")
                            % {"envelope": envelope.name})
            continue
        projects = {str(p.pk): PureProject(id=str(p.pk), cost=p.cost_cents) for p in in_envelope}
        names = {str(p.pk): p.title for p in in_envelope}
        ballot = pure_ballot(cycle.ballot_kind, chosen)
        rules = envelope_rules(cycle, envelope)
        for problem in validate_ballot(ballot, rules=rules, projects=projects):
            over_budget = over_budget or problem.code == ProblemCode.OVER_BUDGET
            problems.append(f"{envelope.name} : {message_for(problem, project_names=names)}")
    if problems:
        error = BudgetExceeded if over_budget else InvalidBallot
        raise error(problems[0], problems)
    return [(options[pid], pts) for pid, pts in sorted(lines.items())]


def append_log(*, cycle: BudgetCycle, kind: str, content: dict) -> BallotLogEntry:
    """Append to the cycle's chain. The caller holds the cycle row lock."""
    last = BallotLogEntry.objects.filter(cycle=cycle).only("seq", "hash").order_by("-seq").first()
    seq = last.seq + 1 if last else 1
    prev = last.hash if last else GENESIS
    body = {"cycle": cycle.pk, "seq": seq, "kind": kind, "content": content}
    entry_hash = link(prev, body)
    return BallotLogEntry.objects.create(
        cycle=cycle, seq=seq, kind=kind, content=content, prev_hash=prev, hash=entry_hash,
        receipt_code=receipt_code(entry_hash),
    )


def ballot_lines(proposal_ids: list[int] | None, points: Mapping[int, int] | None) -> dict[int, int]:
    """One input shape for every ballot kind: ids (approval-like) or ids with points/ranks."""
    if points is not None:
        return {int(pid): int(value) for pid, value in points.items()}
    return dict.fromkeys((int(pid) for pid in proposal_ids or []), 1)


def cast_ballot(
    *,
    voter: Any,
    cycle: BudgetCycle,
    proposal_ids: list[int] | None = None,
    points: Mapping[int, int] | None = None,
) -> CastReceipt:
    """Record or replace the voter's online ballot for the cycle.

    Guarantees one ballot per voter and cycle: the cycle row is locked for the duration
    (so concurrent casts of one voter serialise and the second replaces the first), and
    the unique (cycle, pseudonym) constraint backs it. Every cast is appended to the
    ballot log. Raises NotAllowed, NotEligible, PhaseClosed, InvalidBallot/BudgetExceeded,
    AlreadyVoted (the voter already voted on paper). Approval-like ballots pass
    ``proposal_ids``; cumulative, scoring and ranking ballots pass ``points`` (id → points,
    score or rank with 1 the best).
    """
    envelopes = require_eligible(cycle, voter)
    require_phase_allows(cycle, Action.VOTE)
    chosen = check_choices(cycle, envelopes, ballot_lines(proposal_ids, points))
    pseudonym = voter_pseudonym(cycle_id=cycle.pk, voter_id=voter.pk)
    try:
        with transaction.atomic():
            BudgetCycle.objects.select_for_update().get(pk=cycle.pk)
            require_phase_allows(cycle, Action.VOTE)  # the close may have happened meanwhile
            participation = Participation.objects.filter(cycle=cycle, voter=voter).first()
            if participation and participation.channel != Channel.ONLINE:
                raise AlreadyVoted(_("Vous avez déjà voté sur papier lors d’une rencontre : "
                                     "un seul vote par personne."))
            if participation and not Ballot.objects.filter(cycle=cycle, pseudonym=pseudonym).exists():
                # The register says this person voted but no ballot answers to their
                # pseudonym (the key changed, or a ballot went missing): a new ballot would
                # count them twice. Refuse, loudly.
                logger.error("cycle %s: participation without a matching ballot", cycle.pk)
                raise Conflict(_("Votre bulletin précédent est introuvable : votre vote ne peut pas "
                                 "être modifié. Contactez la mairie."))
            ballot, entry, is_replacement = record_ballot(
                cycle=cycle, pseudonym=pseudonym, commune_id=voter.commune_id,
                channel=Channel.ONLINE, chosen=chosen,
            )
            if participation is None:
                Participation.objects.create(cycle=cycle, voter=voter, commune_id=voter.commune_id,
                                             channel=Channel.ONLINE, voted_at=coarse_now())
    except IntegrityError as exc:  # only reachable if a lock was bypassed
        raise AlreadyVoted(_("Votre bulletin a déjà été enregistré ; rechargez la page.")) from exc
    if voter.email:
        code = entry.receipt_code
        transaction.on_commit(lambda: send_receipt(email=voter.email, cycle=cycle, code=code))
    return CastReceipt(ballot=ballot, entry=entry, receipt_code=entry.receipt_code,
                       is_replacement=is_replacement,
                       lines=tuple((p.pk, points) for p, points in chosen))


def ballot_body(*, commune_id: int | None, channel: str, lines: list[tuple[int, int]]) -> dict[str, Any]:
    """What a ballot says, in canonical order: the content its log commitment covers."""
    return {"commune": commune_id, "channel": channel, "choices": sorted([pid, pts] for pid, pts in lines)}


def commitment(salt: str, body: dict[str, Any]) -> str:
    """SHA-256 over the salt and the canonical ballot body."""
    return hashlib.sha256((salt + "\n" + canonical(body)).encode("utf-8")).hexdigest()


def coarse_now() -> datetime:
    """The current time to the hour: what the participation register keeps."""
    return timezone.now().replace(minute=0, second=0, microsecond=0)


def send_receipt(*, email: str, cycle: BudgetCycle, code: str) -> None:
    """E-mail the receipt code (never the choices). A mail failure never undoes a vote."""
    body = _(
        "Bonjour,\n\nVotre vote au %(cycle)s est enregistré.\nVotre code de reçu : %(code)s\n\n"
        "Vous pouvez vérifier sur le registre public que ce code y figure. Ce code ne révèle pas "
        "vos choix. Si vous n’avez pas voté, signalez-le à la mairie.\n"
    ) % {"cycle": cycle.name, "code": code}
    try:
        send_mail(_("Votre reçu de vote"), body, None, [email])
    except OSError:
        logger.warning("receipt e-mail could not be sent for cycle %s", cycle.pk)


def record_ballot(
    *, cycle: BudgetCycle, pseudonym: str, commune_id: int | None, channel: str,
    chosen: list[tuple[Proposal, int]],
) -> tuple[Ballot, BallotLogEntry, bool]:
    """Write a ballot's content (new or replacing) and append it to the log.

    The caller holds the cycle row lock inside a transaction and has validated
    ``chosen``. Shared by every channel (online casting, reconciled paper ballots).
    Returns (ballot, log entry, whether it replaced an earlier ballot).
    """
    ballot = Ballot.objects.select_for_update().filter(cycle=cycle, pseudonym=pseudonym).first()
    is_replacement = ballot is not None
    salt = secrets.token_hex(16)
    body = ballot_body(commune_id=commune_id, channel=channel,
                       lines=[(p.pk, points) for p, points in chosen])
    content = {"ballot": pseudonym[:16], "commitment": commitment(salt, body)}
    entry = append_log(cycle=cycle, kind=LogKind.REPLACE if is_replacement else LogKind.CAST,
                       content=content)
    if ballot is None:
        ballot = Ballot.objects.create(cycle=cycle, pseudonym=pseudonym, channel=channel,
                                       commune_id=commune_id, receipt_code=entry.receipt_code,
                                       salt=salt, log_seq=entry.seq)
    else:
        ballot.choices.all().delete()
        ballot.receipt_code = entry.receipt_code
        ballot.revision += 1
        ballot.salt = salt
        ballot.log_seq = entry.seq
        ballot.save(update_fields=["receipt_code", "revision", "salt", "log_seq"])
    BallotChoice.objects.bulk_create(
        [BallotChoice(ballot=ballot, proposal=p, points=points) for p, points in chosen]
    )
    return ballot, entry, is_replacement


def verify_ballot_log(cycle: BudgetCycle) -> tuple[bool, str, str]:
    """Re-check the cycle's chain: (ok, message naming the first bad entry, head hash)."""
    prev = GENESIS
    expected = 1
    for entry in BallotLogEntry.objects.filter(cycle=cycle).order_by("seq").iterator():
        body = {"cycle": cycle.pk, "seq": entry.seq, "kind": entry.kind, "content": entry.content}
        if entry.seq != expected:
            return False, _("Entrée n° %(seq)d manquante.") % {"seq": expected}, prev
        if entry.prev_hash != prev or link(prev, body) != entry.hash:
            return False, _("Entrée n° %(seq)d altérée.") % {"seq": entry.seq}, prev
        prev = entry.hash
        expected += 1
    return True, _("%(count)d entrées vérifiées.") % {"count": expected - 1}, prev


def current_ballot_of(cycle: BudgetCycle, voter: Any) -> Ballot | None:
    """The voter's current ballot (for their own eyes only)."""
    if not getattr(voter, "is_authenticated", False):
        return None
    pseudonym = voter_pseudonym(cycle_id=cycle.pk, voter_id=voter.pk)
    return Ballot.objects.filter(cycle=cycle, pseudonym=pseudonym).prefetch_related("choices").first()
