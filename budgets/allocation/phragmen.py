"""Sequential Phragmén for participatory budgeting (approval ballots).

API::

    phragmen(profile, tiebreaker) -> Outcome

Reference: pabutools 1.2.3 ``sequential_phragmen`` (Brill, Freeman, Janson, Lackner,
"Phragmén's voting methods and justified representation", 2017; the PB version of Los,
Christoff, Grossi 2022). Every voter carries a load, initially 0. For each remaining project
``p`` the new maximal load is ``(sum of its approvers' loads + cost(p)) / approvals(p)``
(infinite without approvers). The project with the smallest new load is chosen, ties broken
by the tiebreaker, and all its approvers' loads become that value. As in pabutools, the rule
**stops** as soon as one of the projects tied at the smallest new load does not fit in the
money left (it does not skip it), and projects costing more than the budget are never
candidates.

Only the approvals matter (the profile's utility is ignored); ballots are grouped, so a
voter group of multiplicity m counts m times. Projects whose ``profile.fundable`` flag is
False are not candidates.

Arithmetic: voters are kept in classes of equal load (a class per funded project), so that
the load sums are exact integer combinations of a few rational loads. Floating-point values
pick the few projects near the minimum; their new loads are then computed and compared
exactly with :class:`fractions.Fraction`, so every decision is the exact one.
"""

from __future__ import annotations

import math
from fractions import Fraction

from budgets.allocation.profile import APPROVAL_KINDS, Profile
from budgets.allocation.result import Outcome, ProjectExplanation, Reason, TieBreak, explain
from budgets.allocation.tiebreak import Tiebreaker

__all__ = ["phragmen"]

_REL = 1e-9  # relative width of the floating-point candidate window


def phragmen(profile: Profile, tiebreaker: Tiebreaker) -> Outcome:
    """Run sequential Phragmén (see the module docstring)."""
    if profile.kind not in APPROVAL_KINDS:
        raise ValueError(f"phragmen needs approval ballots, not {profile.kind.value}")
    n = profile.num_projects
    costs = profile.costs
    mult = profile.multiplicity
    group_projects = profile.group_projects
    # Approvals and supporters from the scores (utility-independent).
    approvers: list[list[int]] = [[] for _ in range(n)]
    for g, projs in enumerate(group_projects):
        for p in projs:
            approvers[p].append(g)
    approvals = [sum(mult[g] for g in approvers[p]) for p in range(n)]

    loads: list[Fraction] = [Fraction(0)]  # load of each class
    loads_f: list[float] = [0.0]
    group_class = [0] * len(mult)
    # weight[p][k]: number of p's approvers in load class k.
    weight: list[dict[int, int]] = [{0: approvals[p]} if approvals[p] else {} for p in range(n)]
    load_sum_f = [0.0] * n  # float sum of p's approvers' loads

    remaining = set(
        p for p in range(n) if profile.fundable[p] and costs[p] <= profile.budget
    )
    spent = 0
    selected: list[int] = []
    explanations: dict[int, ProjectExplanation] = {}
    tie_breaks: list[TieBreak] = []
    while remaining:
        # New maximal loads, floating point (inf without approvers).
        best = math.inf
        values: dict[int, float] = {}
        for p in remaining:
            a = approvals[p]
            v = (load_sum_f[p] + costs[p]) / a if a else math.inf
            values[p] = v
            if v < best:
                best = v
        if best == math.inf:
            tied = sorted(remaining)  # nobody approves what is left: all tie at infinity
            level: Fraction | None = None
        else:
            window = best * (1 + _REL) + 1e-300
            near = [p for p, v in values.items() if v <= window]
            exact = {
                p: (sum((loads[k] * w for k, w in weight[p].items()), Fraction(0)) + costs[p])
                / approvals[p]
                for p in near
            }
            level = min(exact.values())
            tied = [p for p, v in exact.items() if v == level]
        rnd = len(selected) + 1
        if len(tied) > 1:
            tie_breaks.append(tiebreaker.record(tied, round=rnd, context="phragmen round"))
        too_expensive = [p for p in tied if spent + costs[p] > profile.budget]
        if too_expensive:
            for p in remaining:
                if p in too_expensive:
                    explanations[p] = explain(
                        profile, p, Reason.DID_NOT_FIT,
                        note=f"cost {costs[p]} > money left {profile.budget - spent}; "
                        "the rule stops here",
                    )
                else:
                    explanations[p] = explain(profile, p, Reason.RULE_STOPPED,
                                              note="the rule stopped at an unaffordable project")
            break
        winner = tiebreaker.best(tied)
        remaining.discard(winner)
        selected.append(winner)
        spent += costs[winner]
        explanations[winner] = explain(
            profile, winner, Reason.FUNDED, round=rnd, price=level,
            note="" if level is None else "maximal voter load after funding",
        )
        if level is None:
            continue
        # Move the winner's approvers into a new load class.
        k_new = len(loads)
        loads.append(level)
        level_f = float(level)
        loads_f.append(level_f)
        for g in approvers[winner]:
            k_old = group_class[g]
            m = mult[g]
            delta = m * (level_f - loads_f[k_old])
            group_class[g] = k_new
            for p in group_projects[g]:
                w = weight[p]
                left = w[k_old] - m
                if left:
                    w[k_old] = left
                else:
                    del w[k_old]
                w[k_new] = w.get(k_new, 0) + m
                load_sum_f[p] += delta
    for p in range(n):
        if p not in explanations:
            if not profile.fundable[p]:
                explanations[p] = explain(profile, p, Reason.BELOW_THRESHOLD)
            else:
                explanations[p] = explain(profile, p, Reason.DID_NOT_FIT,
                                          note=f"cost {costs[p]} > budget {profile.budget}")
    return Outcome(
        selected=tuple(selected),
        explanations=tuple(explanations[p] for p in range(n)),
        tie_breaks=tuple(tie_breaks),
    )
