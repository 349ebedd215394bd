"""Tally and certification: the allocation rule on the frozen ballots, then signatures.

``run_tally`` freezes the ballots (cycle row lock), checks the ballot chain, runs the
cycle's rule per envelope through the pure engine (``budgets.allocation``) with the
product's tie-breaking (more votes, then lower cost, then a lottery seeded by the ballot
log head, so anyone can redo it), and stores the result with its fingerprints. Running it
again on the same ballots gives the same fingerprint and keeps the current run (and its
certifications); a different fingerprint replaces it, which voids earlier certifications.
Runs are never deleted or overwritten: a replaced run stays, marked ``is_current=False``.
Once the results are published (``voting.publication``) a run can no longer be replaced.

Each run records what an auditor needs to redo it: the ballot-log head (also the lottery
seed), the rule and every parameter per envelope, the arithmetic the engine used (exact
integers and rationals for the greedy and equal-shares rules), the tie-breaks, one
explanation per project, the result fingerprint and ``code_version``: the package version,
the git commit when the deployment has its ``.git`` directory, and always the SHA-256 of the
sources that decide a result (the pure allocation engine and this module), so two runs
can be compared even where git is absent.
"""

from __future__ import annotations

import hashlib
import importlib.metadata
from dataclasses import dataclass, field, replace
from fractions import Fraction
from functools import cache
from pathlib import Path
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import override

from audit.chain import canonical
from audit.services import record_event
from budgets.allocation.engine import allocate
from budgets.allocation.result import Reason, Result
from budgets.allocation.types import BallotKind as PureKind
from budgets.allocation.types import Election
from budgets.allocation.types import Project as PureProject
from budgets.models import BallotKind, BudgetCycle, Envelope
from budgets.policy import Action
from budgets.roles import Role, has_role, is_administrator
from budgets.services import require_phase_allows
from config.errors import Conflict, NotAllowed
from proposals.models import Proposal
from proposals.selectors import ballot_proposals
from voting.models import (
    Ballot,
    BallotChoice,
    Certification,
    EnvelopeResult,
    ResultLine,
    TallyRun,
)
from voting.services import pure_ballot, sequence_pending, verify_ballot_log

TIE_BREAK = "default"
PURE_KIND = {
    BallotKind.APPROVAL: PureKind.APPROVAL,
    BallotKind.KNAPSACK: PureKind.APPROVAL,  # the rules see a knapsack ballot as approvals
    BallotKind.CHOOSE_1: PureKind.CHOOSE_1,
    BallotKind.CUMULATIVE: PureKind.CUMULATIVE,
    BallotKind.ORDINAL: PureKind.ORDINAL,
    BallotKind.SCORING: PureKind.SCORING,
}


def _sha256(value: Any) -> str:
    return hashlib.sha256(canonical(value).encode("utf-8")).hexdigest()


FrozenBallot = tuple[int, list[tuple[int, int]]]  # (commune id or 0, lines)


def envelope_election(cycle: BudgetCycle, envelope: Envelope, ballots: list[FrozenBallot],
                      proposals: list[Proposal]) -> Election:
    """The pure election of one envelope: its feasible proposals and the ballots that count.

    A commune's envelope counts the ballots of that commune's residents (even those who
    chose nothing in it: under proportional rules they hold a share of the money); the
    territory-wide envelope counts every ballot.
    """
    ids = {p.pk for p in proposals}
    parts = sorted(
        (pure_ballot(cycle.ballot_kind, [(pid, pts) for pid, pts in lines if pid in ids])
         for commune_id, lines in ballots
         if envelope.commune_id is None or commune_id == envelope.commune_id),
        key=lambda b: (b.choices, b.points),
    )
    # Voters are numbered in the canonical order: the published file gives the same election.
    pure_ballots = tuple(replace(b, voter_id=str(i)) for i, b in enumerate(parts, start=1))
    return Election(
        budget=envelope.amount_cents,
        scale=100,  # amounts in cents of a euro: one currency unit is 100
        projects=tuple(PureProject(id=str(p.pk), cost=p.cost_cents, name=p.title) for p in proposals),
        ballots=pure_ballots,
        kind=PURE_KIND[BallotKind(cycle.ballot_kind)],
    )


def explanation_text(reason: str, round_: int | None) -> str:
    """A French sentence for the minutes and the results page."""
    if reason == Reason.FUNDED:
        return _("Financé (retenu au tour %(round)d).") % {"round": round_ or 0}
    return {
        Reason.DID_NOT_FIT: _("Non financé : il ne restait pas assez d’argent dans l’enveloppe."),
        Reason.SUPPORTERS_EXHAUSTED: _("Non financé : la part de budget de ses soutiens était épuisée."),
        Reason.LOST_TIE: _("Non financé : a perdu un départage à égalité de voix."),
        Reason.BELOW_THRESHOLD: _("Non financé : en dessous du seuil de voix requis."),
        Reason.RULE_STOPPED: _("Non financé : la règle s’est arrêtée avant de pouvoir le financer."),
        Reason.NOT_IN_OPTIMUM: _("Non financé : il ne fait pas partie de la combinaison de projets "
                                 "qui satisfait le plus de votants."),
    }.get(Reason(reason), _("Non financé."))


def _tie_break_records(result: Result, titles: dict[str, str]) -> list[dict[str, Any]]:
    return [
        {
            "round": tb.round,
            "tied": [titles.get(pid, pid) for pid in tb.tied],
            "order": [titles.get(pid, pid) for pid in tb.order],
            "winner": titles.get(tb.order[0], tb.order[0]) if tb.order else "",
            "criteria": list(tb.criteria),
            "rule": tb.rule,
            "seed": tb.seed,
        }
        for tb in result.tie_breaks
    ]


def frozen_ballots(cycle: BudgetCycle) -> list[FrozenBallot]:
    """Every current ballot as (commune id, sorted (proposal id, points) lines), in a
    canonical order that owes nothing to database ids or casting order."""
    lines: dict[int, list[tuple[int, int]]] = {}
    for ballot_id, proposal_id, points in BallotChoice.objects.filter(ballot__cycle=cycle).values_list(
        "ballot_id", "proposal_id", "points"
    ):
        lines.setdefault(ballot_id, []).append((proposal_id, points))
    return sorted(
        (commune_id if commune_id is not None else 0, sorted(lines.get(ballot_id, [])))
        for ballot_id, commune_id in Ballot.objects.filter(cycle=cycle).values_list("pk", "commune_id")
    )


@dataclass
class EnvelopeComputation:
    envelope: Envelope
    proposals: list[Proposal]
    election: Election
    result: Result | None = None


@dataclass
class Computation:
    """Everything a tally decides, before it is stored (also used to re-verify a run)."""

    head: str
    ballot_count: int
    input_fingerprint: str
    envelopes: list[EnvelopeComputation] = field(default_factory=list)

    @property
    def fingerprint(self) -> str:
        return _sha256({
            "input": self.input_fingerprint,
            "envelopes": [[e.envelope.pk, e.result.fingerprint if e.result else ""] for e in self.envelopes],
        })


def cycle_elections(cycle: BudgetCycle, *, verified_head: str | None = None) -> Computation:
    """The pure election of every envelope on the current ballots (rules not yet run).

    Chains any cast still waiting for the sequencer first (so every recorded ballot is in
    the log head the count is seeded with). Refuses (Conflict) when the ballot chain does
    not verify. A caller that has just done both passes the head it verified as
    ``verified_head`` (the chain is then not walked again).
    """
    if verified_head is None:
        sequence_pending(cycle.pk, wait=True)
        ok, message, head = verify_ballot_log(cycle)
        if not ok:
            raise Conflict(_("Le registre des bulletins ne se vérifie pas : %(msg)s")
                           % {"msg": message})
    else:
        head = verified_head
    ballots = frozen_ballots(cycle)
    computation = Computation(head=head, ballot_count=len(ballots),
                              input_fingerprint=_sha256({"log_head": head, "ballots": ballots}))
    for envelope in cycle.envelopes.select_related("commune").order_by("pk"):
        proposals = list(
            ballot_proposals(cycle, [envelope]).order_by("pk")
        )
        computation.envelopes.append(EnvelopeComputation(
            envelope, proposals, envelope_election(cycle, envelope, ballots, proposals)))
    return computation


def rule_parameters(cycle: BudgetCycle, envelope: Envelope) -> dict[str, Any]:
    """The engine's keyword arguments for one envelope, from the cycle's settings."""
    rule = envelope.rule or cycle.rule
    return {
        "rule": rule,
        "tie_break": TIE_BREAK,
        "utility": cycle.utility or None,
        "add1_stop": cycle.add1_stop if rule == "mes-add1" else None,
        "greedy_fill": cycle.greedy_fill and rule in ("mes", "mes-add1"),
        "threshold": Fraction(cycle.threshold_percent, 100) if cycle.threshold_percent else None,
    }


def compute_tally(cycle: BudgetCycle, *, verified_head: str | None = None) -> Computation:
    """Run each envelope's rule on its ballots (pure; stores nothing). ``verified_head``:
    see ``cycle_elections``."""
    computation = cycle_elections(cycle, verified_head=verified_head)
    for item in computation.envelopes:
        item.result = allocate(item.election, seed=computation.head,
                               **rule_parameters(cycle, item.envelope))
    return computation


# The sources whose change could change a result (hashed into ``code_version``).
_DECIDING_SOURCES = ("budgets/allocation", "voting/tally.py")
_ROOT = Path(__file__).resolve().parent.parent


def _git_commit(root: Path) -> str:
    """The commit checked out in ``root`` (read from .git, no subprocess); "" if unknown."""
    git = root / ".git"
    try:
        head = (git / "HEAD").read_text().strip()
        if not head.startswith("ref: "):
            return head
        ref = head[5:]
        loose = git / ref
        if loose.exists():
            return loose.read_text().strip()
        for line in (git / "packed-refs").read_text().splitlines():
            if line.endswith(" " + ref):
                return line.split(" ", 1)[0]
    except OSError:
        return ""
    return ""


def sources_digest(root: Path = _ROOT) -> str:
    """SHA-256 over the deciding sources: each file's relative path and bytes, sorted."""
    digest = hashlib.sha256()
    for name in _DECIDING_SOURCES:
        base = root / name
        files = sorted(base.rglob("*.py")) if base.is_dir() else [base]
        for path in files:
            digest.update(path.relative_to(root).as_posix().encode() + b"\0")
            digest.update(path.read_bytes() + b"\0")
    return digest.hexdigest()


@cache
def code_version() -> dict[str, str]:
    """Which code computed a run: package version, git commit (if any), sources digest.

    Cached for the process: the code does not change under a running server."""
    try:
        version = importlib.metadata.version("pins")
    except importlib.metadata.PackageNotFoundError:
        version = ""
    return {"package": version, "git_commit": _git_commit(_ROOT), "sources_sha256": sources_digest()}


def arithmetic_of(computation: Computation) -> str:
    """The engine's arithmetic statement(s) over the envelopes, distinct, in a stable order."""
    return "; ".join(sorted({item.result.arithmetic for item in computation.envelopes if item.result}))


def run_tally(*, actor: Any, cycle: BudgetCycle) -> TallyRun:
    """Run the cycle's rule on every envelope and store the result.

    Administrators only, in a phase that allows tallying (after the close). Locks the
    cycle row so no ballot can change during the run. Refuses when the ballot chain
    does not verify. Returns the current run (the same one when nothing changed).
    """
    if not is_administrator(actor):
        raise NotAllowed(_("Seul un administrateur peut lancer le dépouillement."))
    require_phase_allows(cycle, Action.TALLY)
    with transaction.atomic():
        BudgetCycle.objects.select_for_update().get(pk=cycle.pk)
        computation = compute_tally(cycle)
        fingerprint = computation.fingerprint
        current = TallyRun.objects.filter(cycle=cycle, is_current=True).first()
        if current is not None and current.fingerprint == fingerprint:
            # A recount that confirms the current run: nothing to store but the fact.
            record_event(actor=actor, action="tally.confirmed", target=cycle, payload={
                "tally_run": current.pk, "fingerprint": fingerprint, "code_version": code_version(),
            })
            return current
        if current is not None and hasattr(current, "publication"):
            raise Conflict(_("Les résultats sont publiés : le recomptage donne une autre empreinte "
                             "(%(new)s au lieu de %(old)s) et ne peut pas les remplacer.")
                           % {"new": fingerprint[:16], "old": current.fingerprint[:16]})
        TallyRun.objects.filter(cycle=cycle, is_current=True).update(is_current=False)
        run = TallyRun.objects.create(
            cycle=cycle, run_at=timezone.now(), run_by=actor, rule=cycle.rule,
            parameters={
                "seed": computation.head, "ballot_kind": cycle.ballot_kind,
                "envelopes": {str(item.envelope.pk): {k: str(v) for k, v in
                              rule_parameters(cycle, item.envelope).items()}
                              for item in computation.envelopes},
            },
            ballot_count=computation.ballot_count, log_head=computation.head,
            input_fingerprint=computation.input_fingerprint, fingerprint=fingerprint,
            arithmetic=arithmetic_of(computation), code_version=code_version(),
        )
        for item in computation.envelopes:
            assert item.result is not None
            _store_envelope_result(run, item.envelope, item.proposals, item.result,
                                   comparisons(cycle, item, computation.head))
        record_event(actor=actor, action="tally.run", target=cycle, payload={
            "tally_run": run.pk, "fingerprint": fingerprint, "replaced": current.pk if current else None,
            "voided_certifications": current.certifications.count() if current else 0,
            "code_version": run.code_version,
        })
    return run


# Shown beside the official result, clearly labelled as such: the simplest rule (most
# votes first) and the method of equal shares. The envelope's own rule is left out.
COMPARISON_RULES = ("greedy", "mes")


def comparisons(cycle: BudgetCycle, item: EnvelopeComputation, seed: str) -> list[dict[str, Any]]:
    """The same election under each other comparison rule, with the engine's defaults
    and the product's tie-break. For information only: never stored as a result."""
    official = rule_parameters(cycle, item.envelope)["rule"]
    rows = []
    for rule in COMPARISON_RULES:
        if rule == official:
            continue
        result = allocate(item.election, seed=seed, rule=rule, tie_break=TIE_BREAK)
        rows.append({
            "rule": rule, "parameters": dict(result.parameters), "arithmetic": result.arithmetic,
            "selected": [int(pid) for pid in result.selected], "spent": result.spent,
            "fingerprint": result.fingerprint,
        })
    return rows


def _store_envelope_result(run: TallyRun, envelope: Envelope, proposals: list[Proposal],
                           result: Result, compared: list[dict[str, Any]]) -> None:
    titles = {str(p.pk): p.title for p in proposals}
    by_id = {str(p.pk): p for p in proposals}
    envelope_result = EnvelopeResult.objects.create(
        tally_run=run, envelope=envelope, spent_cents=result.spent, fingerprint=result.fingerprint,
        result=result.to_json(), tie_breaks=_tie_break_records(result, titles), comparisons=compared,
    )
    rank_of = {pid: index + 1 for index, pid in enumerate(result.selected)}
    with override("fr"):  # the stored record is French whatever the operator's language
        explanations = {ex.project_id: explanation_text(ex.reason, ex.round)
                        for ex in result.explanations}
    ResultLine.objects.bulk_create([
        ResultLine(
            envelope_result=envelope_result, proposal=by_id[ex.project_id], votes=ex.votes,
            cost_cents=ex.cost, is_funded=ex.funded, rank=rank_of.get(ex.project_id),
            explanation=explanations[ex.project_id],
        )
        for ex in result.explanations
    ])


def certification_status(run: TallyRun) -> dict[str, Any]:
    """Signatures gathered on a run, the quorum and whether it is met."""
    count = run.certifications.count()
    quorum = run.cycle.certification_quorum
    return {"count": count, "quorum": quorum, "is_certified": count >= quorum}


def certify_result(*, member: Any, tally_run: TallyRun, statement: str = "") -> Certification:
    """Sign the current tally run as a member of the cycle's steering committee.

    Raises NotAllowed for non-members, PhaseClosed outside the results phase, Conflict for
    a superseded run or a second signature by the same member.
    """
    cycle = tally_run.cycle
    if not has_role(member, Role.COMMITTEE, cycle):
        raise NotAllowed(_("Seuls les membres du comité de suivi peuvent certifier les résultats."))
    require_phase_allows(cycle, Action.CERTIFY)
    with transaction.atomic():
        run = TallyRun.objects.select_for_update().get(pk=tally_run.pk)
        if not run.is_current:
            raise Conflict(_("Ce dépouillement a été remplacé par un recomptage : certifiez le nouveau."))
        if Certification.objects.filter(tally_run=run, member=member).exists():
            raise Conflict(_("Vous avez déjà certifié ce résultat."))
        from voting.board import verify_cycle  # board builds on this module

        failed = [c for c in verify_cycle(cycle) if not c.ok]
        if failed:
            raise Conflict(_("La vérification du vote a échoué (%(detail)s) : certification impossible.")
                           % {"detail": failed[0].detail})
        certification = Certification.objects.create(
            tally_run=run, member=member, certified_at=timezone.now(), statement=statement.strip(),
        )
        record_event(actor=member, action="tally.certified", target=cycle,
                     payload={"tally_run": run.pk, "fingerprint": run.fingerprint})
    return certification
