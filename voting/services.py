"""Casting ballots and the ballot log; tally and certification live in voting/tally.py."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from audit.chain import GENESIS, link
from budgets.allocation.ballots import ApprovalRules, KnapsackRules, validate_ballot
from budgets.allocation.types import Ballot as PureBallot
from budgets.allocation.types import Project as PureProject
from budgets.models import BallotKind, BudgetCycle, Envelope
from budgets.policy import Action
from budgets.services import require_phase_allows
from config.errors import AlreadyVoted, BudgetExceeded, InvalidBallot
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


@dataclass(frozen=True)
class CastReceipt:
    ballot: Ballot
    entry: BallotLogEntry
    receipt_code: str
    is_replacement: bool


def ballot_options(cycle: BudgetCycle, envelopes: list[Envelope]) -> list[Proposal]:
    """Feasible proposals on offer in these envelopes."""
    return list(
        Proposal.objects.filter(cycle=cycle, envelope__in=envelopes, status=ProposalStatus.FEASIBLE)
        .select_related("envelope", "commune")
        .order_by("envelope__commune__name", "title")
    )


def check_choices(cycle: BudgetCycle, envelopes: list[Envelope], proposal_ids: list[int]) -> list[Proposal]:
    """Validate a set of choices against the cycle's ballot method, envelope by envelope.

    Returns the chosen proposals. Raises InvalidBallot (or BudgetExceeded) listing every
    problem in French.
    """
    options = {p.pk: p for p in ballot_options(cycle, envelopes)}
    problems: list[str] = []
    if not proposal_ids:
        raise InvalidBallot(_("Votre bulletin est vide : choisissez au moins un projet."))
    if len(set(proposal_ids)) != len(proposal_ids):
        problems.append(_("Un projet est choisi plusieurs fois."))
    unknown = [pid for pid in proposal_ids if pid not in options]
    if unknown:
        problems.append(_("Un des projets choisis ne fait pas partie de votre bulletin."))
        raise InvalidBallot(problems[0], problems)
    chosen = [options[pid] for pid in dict.fromkeys(proposal_ids)]
    by_envelope: dict[int, list[Proposal]] = defaultdict(list)
    for proposal in chosen:
        by_envelope[proposal.envelope_id].append(proposal)
    over_budget = False
    for envelope in envelopes:
        in_envelope = [p for p in options.values() if p.envelope_id == envelope.pk]
        projects = {str(p.pk): PureProject(id=str(p.pk), cost=p.cost_cents) for p in in_envelope}
        names = {str(p.pk): p.title for p in in_envelope}
        rules: ApprovalRules | KnapsackRules
        if cycle.ballot_kind == BallotKind.KNAPSACK:
            rules = KnapsackRules(envelope=envelope.amount_cents, min_choices=0)
        else:
            rules = ApprovalRules(min_choices=0, max_choices=cycle.max_choices)
        pure = PureBallot(voter_id="", choices=tuple(str(p.pk) for p in by_envelope[envelope.pk]))
        for problem in validate_ballot(pure, rules=rules, projects=projects):
            over_budget = over_budget or problem.code == "over_budget"
            problems.append(f"{envelope.name} : {message_for(problem, project_names=names)}")
    if problems:
        error = BudgetExceeded if over_budget else InvalidBallot
        raise error(problems[0], problems)
    return chosen


def append_log(*, cycle: BudgetCycle, kind: str, content: dict) -> BallotLogEntry:
    """Append to the cycle's chain. The caller holds the cycle row lock."""
    last = BallotLogEntry.objects.filter(cycle=cycle).order_by("-seq").first()
    seq = last.seq + 1 if last else 1
    prev = last.hash if last else GENESIS
    body = {"cycle": cycle.pk, "seq": seq, "kind": kind, "content": content}
    entry_hash = link(prev, body)
    return BallotLogEntry.objects.create(
        cycle=cycle, seq=seq, kind=kind, content=content, prev_hash=prev, hash=entry_hash,
        receipt_code=receipt_code(entry_hash),
    )


def cast_ballot(*, voter: Any, cycle: BudgetCycle, proposal_ids: list[int]) -> CastReceipt:
    """Record or replace the voter's online ballot for the cycle.

    Guarantees one ballot per voter and cycle: the cycle row is locked for the duration
    (so concurrent casts of one voter serialise and the second replaces the first), and
    the unique (cycle, pseudonym) constraint backs it. Every cast is appended to the
    ballot log. Raises NotAllowed, NotEligible, PhaseClosed, InvalidBallot/BudgetExceeded,
    AlreadyVoted (the voter already voted on paper).
    """
    envelopes = require_eligible(cycle, voter)
    require_phase_allows(cycle, Action.VOTE)
    chosen = check_choices(cycle, envelopes, proposal_ids)
    pseudonym = voter_pseudonym(cycle_id=cycle.pk, voter_id=voter.pk)
    try:
        with transaction.atomic():
            BudgetCycle.objects.select_for_update().get(pk=cycle.pk)
            require_phase_allows(cycle, Action.VOTE)  # the close may have happened meanwhile
            participation = Participation.objects.filter(cycle=cycle, voter=voter).first()
            if participation and participation.channel != Channel.ONLINE:
                raise AlreadyVoted(_("Vous avez déjà voté sur papier lors d’une rencontre : "
                                     "un seul vote par personne."))
            ballot, entry, is_replacement = record_ballot(
                cycle=cycle, pseudonym=pseudonym, commune_id=voter.commune_id,
                channel=Channel.ONLINE, chosen=chosen,
            )
            if participation is None:
                Participation.objects.create(cycle=cycle, voter=voter, commune_id=voter.commune_id,
                                             channel=Channel.ONLINE, voted_at=timezone.now())
    except IntegrityError as exc:  # only reachable if a lock was bypassed
        raise AlreadyVoted(_("Votre bulletin a déjà été enregistré ; rechargez la page.")) from exc
    return CastReceipt(ballot=ballot, entry=entry, receipt_code=entry.receipt_code,
                       is_replacement=is_replacement)


def record_ballot(
    *, cycle: BudgetCycle, pseudonym: str, commune_id: int | None, channel: str,
    chosen: list[Proposal],
) -> tuple[Ballot, BallotLogEntry, bool]:
    """Write a ballot's content (new or replacing) and append it to the log.

    The caller holds the cycle row lock inside a transaction and has validated
    ``chosen``. Shared by every channel (online casting, reconciled paper ballots).
    Returns (ballot, log entry, whether it replaced an earlier ballot).
    """
    ballot = Ballot.objects.select_for_update().filter(cycle=cycle, pseudonym=pseudonym).first()
    is_replacement = ballot is not None
    content = {
        "ballot": pseudonym[:16],
        "commune": commune_id,
        "channel": channel,
        "choices": sorted(p.pk for p in chosen),
    }
    entry = append_log(cycle=cycle, kind=LogKind.REPLACE if is_replacement else LogKind.CAST,
                       content=content)
    if ballot is None:
        ballot = Ballot.objects.create(cycle=cycle, pseudonym=pseudonym, channel=channel,
                                       commune_id=commune_id, receipt_code=entry.receipt_code)
    else:
        ballot.choices.all().delete()
        ballot.receipt_code = entry.receipt_code
        ballot.revision += 1
        ballot.save(update_fields=["receipt_code", "revision"])
    BallotChoice.objects.bulk_create([BallotChoice(ballot=ballot, proposal=p) for p in chosen])
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
