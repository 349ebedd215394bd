"""What a rule returns: frozen, JSON-serialisable records with a SHA-256 fingerprint.

API::

    Reason                      # why a project was or was not funded (closed enum)
    TieBreak                    # one tie a rule broke: tied ids, order chosen, rule, criteria
    ProjectExplanation          # one per project: funded in which round / at what price, or why not
    Outcome                     # what a rule function returns (project indices, internal)
    Result                      # what the engine returns: Outcome + rule, parameters, money
    Result.to_json() -> dict    # JSON-ready; includes "fingerprint"
    Result.canonical_json() -> str  # the hashed form (everything but the fingerprint)
    Result.fingerprint -> str   # SHA-256 hex of canonical_json()
    election_fingerprint(election) -> str

Contract for a rule function (``greedy``, ``phragmen``, ``welfare``, A2's ``mes``): it takes a
:class:`~budgets.allocation.profile.Profile` and a
:class:`~budgets.allocation.tiebreak.Tiebreaker` and returns an :class:`Outcome` whose
``explanations`` has exactly one entry per project, in profile order (build them with
:func:`explain`). The engine turns it into a :class:`Result`.

Canonical JSON: ``json.dumps(obj, sort_keys=True, separators=(",", ":"), ensure_ascii=False)``
encoded as UTF-8; fractions are written ``"p/q"`` strings (``"3"`` when whole), money as
integers of ``1 / scale`` currency unit. Equal results give equal fingerprints; a change in
any input, parameter, tie-break or explanation changes it.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from enum import StrEnum
from fractions import Fraction
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from budgets.allocation.profile import Profile
    from budgets.allocation.types import Election

__all__ = [
    "Outcome",
    "ProjectExplanation",
    "Reason",
    "Result",
    "TieBreak",
    "canonical_dumps",
    "election_fingerprint",
    "explain",
    "fraction_text",
]


class Reason(StrEnum):
    """Why a project ended where it did."""

    FUNDED = "funded"
    DID_NOT_FIT = "did-not-fit"  # not enough money left when its turn came
    SUPPORTERS_EXHAUSTED = "supporters-money-exhausted"  # MES: supporters could not pay
    LOST_TIE = "lost-tie"  # would have fit, but a tied project took the money first
    BELOW_THRESHOLD = "below-threshold"  # too few votes to be fundable
    RULE_STOPPED = "rule-stopped"  # the rule stopped before considering it further
    NOT_IN_OPTIMUM = "not-in-optimum"  # max-welfare: not in the chosen optimal set


@dataclass(frozen=True, slots=True)
class TieBreak:
    """One tie broken during a run."""

    round: int  # 1-based round (selection step) in which the tie was met
    context: str  # e.g. "selection", "add1 budget 1234"
    tied: tuple[str, ...]  # the tied project ids, sorted as strings
    order: tuple[str, ...]  # the order chosen, winner first
    rule: str  # "lexicographic" or "default"
    criteria: tuple[str, ...]  # what decided, e.g. ("more votes", "seeded lottery")
    seed: str = ""  # lottery seed when the default rule was used

    def to_json(self) -> dict[str, Any]:
        return {
            "round": self.round,
            "context": self.context,
            "tied": list(self.tied),
            "order": list(self.order),
            "winner": self.order[0] if self.order else None,
            "rule": self.rule,
            "criteria": list(self.criteria),
            "seed": self.seed,
        }


@dataclass(frozen=True, slots=True)
class ProjectExplanation:
    """Why one project was funded or not."""

    project_id: str
    cost: int
    votes: int
    score: int
    funded: bool
    reason: Reason
    round: int | None = None  # 1-based selection round when funded
    # Price per supporter: MES rho, Phragmén load level; None where it means nothing.
    price_per_supporter: Fraction | None = None
    note: str = ""

    def to_json(self) -> dict[str, Any]:
        return {
            "project_id": self.project_id,
            "cost": self.cost,
            "votes": self.votes,
            "score": self.score,
            "funded": self.funded,
            "reason": self.reason.value,
            "round": self.round,
            "price_per_supporter": (
                None
                if self.price_per_supporter is None
                else fraction_text(self.price_per_supporter)
            ),
            "note": self.note,
        }


@dataclass(frozen=True, slots=True)
class Outcome:
    """What a rule function returns (indices are profile project indices)."""

    selected: tuple[int, ...]  # in selection order
    explanations: tuple[ProjectExplanation, ...]  # one per project, profile order
    tie_breaks: tuple[TieBreak, ...] = ()
    # Facts the rule wants recorded with the parameters (e.g. the final add1 budget).
    details: tuple[tuple[str, str], ...] = ()


@dataclass(frozen=True, slots=True)
class Result:
    """The full, auditable result of one allocation run."""

    rule: str
    parameters: tuple[tuple[str, str], ...]  # every parameter, as text, sorted by name
    arithmetic: str  # how outcome-deciding comparisons were made
    budget: int
    scale: int
    selected: tuple[str, ...]  # project ids in selection order
    spent: int
    tie_breaks: tuple[TieBreak, ...]
    explanations: tuple[ProjectExplanation, ...]  # one per project, election order
    input_fingerprint: str  # election_fingerprint of the input
    details: tuple[tuple[str, str], ...] = ()

    def _body(self) -> dict[str, Any]:
        return {
            "rule": self.rule,
            "parameters": dict(self.parameters),
            "arithmetic": self.arithmetic,
            "budget": self.budget,
            "scale": self.scale,
            "selected": list(self.selected),
            "spent": self.spent,
            "tie_breaks": [t.to_json() for t in self.tie_breaks],
            "explanations": [e.to_json() for e in self.explanations],
            "input_fingerprint": self.input_fingerprint,
            "details": dict(self.details),
        }

    def canonical_json(self) -> str:
        """The canonical JSON text that the fingerprint hashes (no fingerprint inside)."""
        return canonical_dumps(self._body())

    @property
    def fingerprint(self) -> str:
        """SHA-256 (hex) of :meth:`canonical_json`."""
        return hashlib.sha256(self.canonical_json().encode("utf-8")).hexdigest()

    def to_json(self) -> dict[str, Any]:
        """A JSON-ready dict: the canonical body plus ``fingerprint``."""
        body = self._body()
        body["fingerprint"] = self.fingerprint
        return body

    def explanation(self, project_id: str) -> ProjectExplanation:
        for e in self.explanations:
            if e.project_id == project_id:
                return e
        raise KeyError(project_id)


def fraction_text(value: Fraction) -> str:
    """``"p/q"``, or ``"p"`` when whole."""
    return str(value)


def canonical_dumps(obj: Any) -> str:
    """Deterministic JSON text: sorted keys, no spaces, UTF-8 kept."""
    return json.dumps(obj, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def explain(
    profile: Profile,
    index: int,
    reason: Reason,
    *,
    round: int | None = None,
    price: Fraction | None = None,
    note: str = "",
) -> ProjectExplanation:
    """The explanation of project ``index`` of ``profile``."""
    return ProjectExplanation(
        project_id=profile.project_ids[index],
        cost=profile.costs[index],
        votes=profile.votes[index],
        score=profile.scores[index],
        funded=reason is Reason.FUNDED,
        reason=reason,
        round=round,
        price_per_supporter=price,
        note=note,
    )


def election_fingerprint(election: Election) -> str:
    """SHA-256 (hex) of what decides an outcome: kind, scale, budget, projects (id, cost) and
    ballots (voter id, choices, points), in order. Names, META and extra columns are left
    out: they cannot change a result.

    Form: the canonical JSON of the head, then one line per ballot: voter id, choices joined
    by U+001E and points joined by ``,``, the three fields separated by U+001F."""
    head = {
        "kind": election.kind.value,
        "scale": election.scale,
        "budget": election.budget,
        "projects": [[p.id, p.cost] for p in election.projects],
    }
    h = hashlib.sha256(canonical_dumps(head).encode("utf-8"))
    join = "\x1e".join
    if any(b.points for b in election.ballots):
        lines = [
            f"\n{b.voter_id}\x1f{join(b.choices)}\x1f{','.join(map(str, b.points))}"
            for b in election.ballots
        ]
    else:
        lines = [f"\n{b.voter_id}\x1f{join(b.choices)}\x1f" for b in election.ballots]
    h.update("".join(lines).encode("utf-8"))
    return h.hexdigest()
