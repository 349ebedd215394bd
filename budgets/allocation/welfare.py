"""Maximum utilitarian welfare: the affordable set of projects with the largest total utility.

API::

    max_welfare(profile, tiebreaker) -> Outcome

Reference: pabutools 1.2.3 ``max_additive_utilitarian_welfare`` (a 0/1 knapsack: maximise
``sum_p U(p) x_p`` subject to ``sum_p cost(p) x_p <= budget``, where ``U(p)`` is the total
utility of ``p``: cost utilities for approval ballots by default, points, Borda scores).

Method: ``scipy.optimize.milp`` (HiGHS, ``mip_rel_gap=0``) finds an optimum in floating point
on a normalised problem. Then, exactly in integers: the chosen set is checked to fit the
budget (if rounding made it overspend, the budget row is tightened and the problem solved
again) and its welfare is recomputed. To make the choice exact and deterministic, every other
affordable set whose welfare is within a relative 1e-9 of it is enumerated with no-good cuts
(usually none), all their welfares are compared as integers, and among the sets of largest
exact welfare the tiebreaker decides: the set containing the best-ranked project of their
symmetric difference wins. Such a tie is recorded. Projects of zero total utility are never
selected (as in pabutools); free projects with positive utility always are. Projects whose
``profile.fundable`` flag is False are excluded. Optimality itself rests on HiGHS's
branch-and-bound with a zero gap (within its tolerances); everything else is exact.
"""

from __future__ import annotations

from fractions import Fraction

import numpy as np
from scipy.optimize import Bounds, LinearConstraint, milp

from budgets.allocation.profile import Profile
from budgets.allocation.result import Outcome, ProjectExplanation, Reason, TieBreak, explain
from budgets.allocation.tiebreak import Tiebreaker

__all__ = ["max_welfare"]

_NEAR = 1e-9  # relative window of near-optimal sets compared exactly
_MAX_ALTERNATIVES = 64


def _solve(
    items: list[int],
    utilities: list[int],
    costs: list[int],
    capacity: int,
    *,
    floor: float | None,
    cuts: list[frozenset[int]],
) -> frozenset[int] | None:
    """One MILP solve; returns the chosen items (positions in ``items``) or None if none."""
    k = len(items)
    if k == 0:
        return frozenset() if floor is None or floor <= 0 else None
    u_max = max(utilities) or 1
    c = -np.asarray(utilities, dtype=np.float64) / u_max
    rows = [np.asarray(costs, dtype=np.float64) / max(capacity, 1)]
    lo = [-np.inf]
    hi = [capacity / max(capacity, 1)]
    if floor is not None:
        rows.append(np.asarray(utilities, dtype=np.float64) / u_max)
        lo.append(floor / u_max)
        hi.append(np.inf)
    for cut in cuts:
        # At least one item must change: sum_{in cut}(1 - x) + sum_{not in cut} x >= 1.
        row = np.ones(k)
        for j in cut:
            row[j] = -1.0
        rows.append(row)
        lo.append(1.0 - len(cut))
        hi.append(np.inf)
    res = milp(
        c,
        constraints=LinearConstraint(np.vstack(rows), np.asarray(lo), np.asarray(hi)),
        integrality=np.ones(k),
        bounds=Bounds(0, 1),
        options={"mip_rel_gap": 0.0, "presolve": True},
    )
    if res.x is None or res.status not in (0,):
        return None
    return frozenset(j for j in range(k) if res.x[j] > 0.5)


def max_welfare(profile: Profile, tiebreaker: Tiebreaker) -> Outcome:
    """Run maximum utilitarian welfare (see the module docstring)."""
    n = profile.num_projects
    budget = profile.budget
    total = profile.total_utility
    free = [p for p in range(n) if profile.fundable[p] and profile.costs[p] == 0 and total[p] > 0]
    items = [
        p
        for p in range(n)
        if profile.fundable[p] and total[p] > 0 and 0 < profile.costs[p] <= budget
    ]
    utilities = [total[p] for p in items]
    costs = [profile.costs[p] for p in items]

    def exact_welfare(chosen: frozenset[int]) -> int:
        return sum(utilities[j] for j in chosen)

    def fits(chosen: frozenset[int]) -> bool:
        return sum(costs[j] for j in chosen) <= budget

    capacity = budget
    first = None
    for _ in range(8):
        first = _solve(items, utilities, costs, capacity, floor=None, cuts=[])
        if first is None:
            raise RuntimeError("the MILP solver found no solution")
        over = sum(costs[j] for j in first) - budget
        if over <= 0:
            break
        capacity -= over  # rounding let the solver overspend: tighten and solve again
    assert first is not None
    if not fits(first):
        raise RuntimeError("the MILP solver could not find a set within the budget")

    # Enumerate the near-optimal affordable sets and compare them exactly.
    found = [first]
    best_w = exact_welfare(first)
    floor = best_w * (1 - _NEAR) - 0.5
    while len(found) <= _MAX_ALTERNATIVES:
        # The best set other than those found (a plain objective solves faster than one
        # with a welfare floor); stop once it is clearly worse.
        other = _solve(items, utilities, costs, budget, floor=None, cuts=list(found))
        if other is None or other in found or not fits(other):
            break
        if exact_welfare(other) < floor:
            break
        found.append(other)
    best_w = max(exact_welfare(s) for s in found)
    optimal = [s for s in found if exact_welfare(s) == best_w]
    tie_breaks: list[TieBreak] = []

    chosen = optimal[0]
    if len(optimal) > 1:
        # The set holding the best-ranked project of the symmetric difference wins.
        def better(a: frozenset[int], b: frozenset[int]) -> bool:
            diff = a ^ b
            top = min(diff, key=lambda j: tiebreaker.rank[items[j]])
            return top in a

        for s in optimal[1:]:
            if better(s, chosen):
                chosen = s
        diff_projects = sorted({items[j] for s in optimal for j in s ^ chosen})
        tie_breaks.append(
            tiebreaker.record(
                diff_projects, round=1, context=f"{len(optimal)} optimal sets of equal welfare"
            )
        )

    picked = [items[j] for j in chosen] + free

    # Selection order: by utility per cost (free projects first), then tiebreaker.
    def order_key(p: int) -> tuple[int, Fraction, int]:
        if profile.costs[p] == 0:
            return (0, Fraction(0), tiebreaker.rank[p])
        return (1, -Fraction(total[p], profile.costs[p]), tiebreaker.rank[p])

    picked.sort(key=order_key)
    welfare = sum(total[p] for p in picked)
    explanations: dict[int, ProjectExplanation] = {}
    for r, p in enumerate(picked, 1):
        explanations[p] = explain(
            profile, p, Reason.FUNDED, round=r, note=f"in the optimal set (welfare {welfare})"
        )
    for p in range(n):
        if p in explanations:
            continue
        if not profile.fundable[p]:
            explanations[p] = explain(profile, p, Reason.BELOW_THRESHOLD)
        elif profile.costs[p] > budget:
            explanations[p] = explain(
                profile, p, Reason.DID_NOT_FIT, note=f"cost {profile.costs[p]} > budget {budget}"
            )
        else:
            note = "no utility" if total[p] == 0 else f"not in the optimal set (welfare {welfare})"
            explanations[p] = explain(profile, p, Reason.NOT_IN_OPTIMUM, note=note)
    return Outcome(
        selected=tuple(picked),
        explanations=tuple(explanations[p] for p in range(n)),
        tie_breaks=tuple(tie_breaks),
        details=(("welfare", str(welfare)), ("optimal_sets_compared", str(len(found)))),
    )
