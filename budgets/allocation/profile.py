"""Turn an :class:`~budgets.allocation.types.Election` into integer utilities for the rules.

API::

    build_profile(election, *, utility=None, borda=BordaConvention.PABUTOOLS) -> Profile
    Utility.COST | Utility.CARDINALITY
    BordaConvention.PABUTOOLS | BordaConvention.CITY
    default_utility(kind) -> Utility

A voter's *score* for a project (reference: pabutools 1.2.3 satisfaction classes):

- approval, knapsack, choose-1: 1 if approved (``Cardinality_Sat``);
- cumulative, scoring: the points given (``Additive_Cardinal_Sat``);
- ordinal, ballot of length L, position k = 0 for the first choice:
  ``PABUTOOLS`` gives L - 1 - k (``Additive_Borda_Sat``: ``len(ballot) - position - 1``, so the
  last choice scores 0), ``CITY`` gives L - k (L, ..., 1: the scoring Kraków used).

A voter's *utility* is the score (``Utility.CARDINALITY``) or, for approval-like ballots only,
the project's cost when approved (``Utility.COST``, pabutools ``Cost_Sat``).

Guarantees: identical ballots are grouped (``multiplicity``), so work is per distinct
ballot; groups keep ballots that give nothing to anyone (empty ballots still count in
``num_voters``, as in pabutools, where MES divides the budget by the number of ballots);
``supporters[p]`` lists, once, the groups with positive utility for project ``p`` with the
utilities in ``supporter_utilities[p]``; every number is an ``int``. Project indices follow
the order of ``election.projects``. ``fundable`` is all True unless the engine excluded
projects (vote threshold): a rule must never select a project whose flag is False.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from enum import StrEnum
from itertools import repeat
from operator import attrgetter

from budgets.allocation.types import BallotKind, Election

__all__ = ["BordaConvention", "Profile", "Utility", "build_profile", "default_utility"]

APPROVAL_KINDS = frozenset({BallotKind.APPROVAL, BallotKind.KNAPSACK, BallotKind.CHOOSE_1})
_WITH_POINTS = frozenset({BallotKind.CUMULATIVE, BallotKind.SCORING})


class Utility(StrEnum):
    """How much a voter gains from a funded project."""

    COST = "cost"
    CARDINALITY = "cardinality"


class BordaConvention(StrEnum):
    """Scores of an ordinal ballot of length L."""

    PABUTOOLS = "pabutools"  # L-1, ..., 0
    CITY = "city"  # L, ..., 1


def default_utility(kind: BallotKind) -> Utility:
    """Cost utilities for approval-like ballots, scores (points, Borda) otherwise."""
    return Utility.COST if kind in APPROVAL_KINDS else Utility.CARDINALITY


@dataclass(frozen=True, slots=True)
class Profile:
    """Grouped ballots as integer utilities; see the module docstring for the guarantees."""

    budget: int
    project_ids: tuple[str, ...]
    costs: tuple[int, ...]
    kind: BallotKind
    utility: Utility
    borda: BordaConvention
    # Per distinct ballot ("group"):
    multiplicity: tuple[int, ...]
    group_projects: tuple[tuple[int, ...], ...]  # projects with a non-zero score, by index
    # Per project:
    supporters: tuple[tuple[int, ...], ...]  # groups with utility > 0
    supporter_utilities: tuple[tuple[int, ...], ...]  # parallel to supporters
    votes: tuple[int, ...]  # voters whose ballot names the project
    scores: tuple[int, ...]  # total score (votes for approval, points, Borda)
    total_utility: tuple[int, ...]  # sum of utilities over voters
    fundable: tuple[bool, ...]

    @property
    def num_voters(self) -> int:
        """Number of ballots, empty ones included."""
        return sum(self.multiplicity)

    @property
    def num_projects(self) -> int:
        return len(self.project_ids)


def build_profile(
    election: Election,
    *,
    utility: Utility | None = None,
    borda: BordaConvention = BordaConvention.PABUTOOLS,
) -> Profile:
    """Group the ballots of ``election`` and compute scores and utilities (module docstring)."""
    kind = election.kind
    if utility is None:
        utility = default_utility(kind)
    if utility is Utility.COST and kind not in APPROVAL_KINDS:
        raise ValueError(f"cost utilities need approval-like ballots, not {kind.value}")
    ids = tuple(p.id for p in election.projects)
    costs = tuple(p.cost for p in election.projects)
    index = {pid: i for i, pid in enumerate(ids)}
    n = len(ids)

    # 1. Count identical ballots as cast (one C-level dict operation per ballot).
    if kind in _WITH_POINTS:
        raw: Counter[tuple[tuple[str, ...], tuple[int, ...]]] = Counter(
            map(attrgetter("choices", "points"), election.ballots)
        )
    else:
        raw = Counter(zip(map(attrgetter("choices"), election.ballots), repeat(())))

    # 2. Canonical form (project index -> score, sorted by index); merge equal forms.
    approval = kind in APPROVAL_KINDS
    use_cost = utility is Utility.COST
    supporters: list[list[int]] = [[] for _ in range(n)]
    sup_util: list[list[int]]
    scores = [0] * n
    total = [0] * n
    if approval:  # every score is 1, the utility is the cost (or 1)
        get = index.__getitem__
        approved: dict[tuple[int, ...], int] = {}
        for (choices, _), count in raw.items():
            key = tuple(sorted(map(get, choices)))
            approved[key] = approved.get(key, 0) + count
        multiplicity = list(approved.values())
        group_projects = list(approved)
        appends = [lst.append for lst in supporters]
        for g, (projs, count) in enumerate(approved.items()):
            for i in projs:
                scores[i] += count
                appends[i](g)
        votes = list(scores)
        unit = [c if use_cost else 1 for c in costs]
        sup_util = []
        for i in range(n):
            if unit[i] > 0:
                sup_util.append([unit[i]] * len(supporters[i]))
                total[i] = unit[i] * scores[i]
            else:
                supporters[i] = []
                sup_util.append([])
    else:
        groups: dict[tuple[tuple[int, ...], tuple[int, ...]], int] = {}
        votes = [0] * n
        for (choices, points), count in raw.items():
            if kind is BallotKind.ORDINAL:
                length = len(choices)
                top = length - 1 if borda is BordaConvention.PABUTOOLS else length
                pairs = [(index[c], top - k) for k, c in enumerate(choices)]
            else:
                pairs = [(index[c], s) for c, s in zip(choices, points, strict=True)]
            for i, _ in pairs:
                votes[i] += count
            kept = sorted((i, s) for i, s in pairs if s != 0)
            form = (tuple(i for i, _ in kept), tuple(s for _, s in kept))
            groups[form] = groups.get(form, 0) + count
        multiplicity = list(groups.values())
        group_projects = [f[0] for f in groups]
        sup_util = [[] for _ in range(n)]
        for g, ((projs, svals), count) in enumerate(groups.items()):
            for i, s in zip(projs, svals, strict=True):
                scores[i] += s * count
                if s > 0:  # cost utilities were refused above: the utility is the score
                    supporters[i].append(g)
                    sup_util[i].append(s)
                    total[i] += s * count
    return Profile(
        budget=election.budget,
        project_ids=ids,
        costs=costs,
        kind=kind,
        utility=utility,
        borda=borda,
        multiplicity=tuple(multiplicity),
        group_projects=tuple(group_projects),
        supporters=tuple(tuple(s) for s in supporters),
        supporter_utilities=tuple(tuple(u) for u in sup_util),
        votes=tuple(votes),
        scores=tuple(scores),
        total_utility=tuple(total),
        fundable=(True,) * n,
    )
