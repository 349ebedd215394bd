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
the load sums are exact integer combinations of a few rational loads (integer counts per
project and class, updated with numpy). Floating-point values pick the few projects within a
relative 1e-9 of the minimum; their new loads are then computed and compared exactly with
:class:`fractions.Fraction`, so every decision is the exact one.
"""

from __future__ import annotations

from fractions import Fraction

import numpy as np
import numpy.typing as npt

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
    n_groups = len(profile.multiplicity)
    mult = np.asarray(profile.multiplicity, dtype=np.int64)
    # Group -> approved projects, as flat arrays (CSR).
    lengths = np.fromiter((len(g) for g in profile.group_projects), dtype=np.int64, count=n_groups)
    gp_ptr = np.zeros(n_groups + 1, dtype=np.int64)
    np.cumsum(lengths, out=gp_ptr[1:])
    gp_proj = np.fromiter(
        (p for g in profile.group_projects for p in g), dtype=np.int64, count=int(gp_ptr[-1])
    )
    owners = np.repeat(np.arange(n_groups, dtype=np.int64), lengths)
    order = np.argsort(gp_proj, kind="stable")
    bounds = np.searchsorted(gp_proj[order], np.arange(n + 1))
    approvers: list[npt.NDArray[np.int64]] = [
        owners[order[bounds[p] : bounds[p + 1]]] for p in range(n)
    ]
    approvals = np.bincount(gp_proj, weights=mult[owners], minlength=n).astype(np.int64)

    width = n + 1  # load classes: 0, then one per funded project
    loads: list[Fraction] = [Fraction(0)]
    loads_f = np.zeros(width)
    group_class = np.zeros(n_groups, dtype=np.int64)
    # weight[p, k]: number of p's approvers in load class k (exact integers).
    weight = np.zeros((n, width), dtype=np.int64)
    weight[:, 0] = approvals
    load_sum_f = np.zeros(n)  # float sum of p's approvers' loads
    cost_f = np.asarray(costs, dtype=np.float64)
    approvals_f = approvals.astype(np.float64)
    has_approvers = approvals > 0

    remaining = np.array(
        [profile.fundable[p] and costs[p] <= profile.budget for p in range(n)], dtype=bool
    )
    spent = 0
    selected: list[int] = []
    explanations: dict[int, ProjectExplanation] = {}
    tie_breaks: list[TieBreak] = []
    while remaining.any():
        live = remaining & has_approvers
        level: Fraction | None
        if not live.any():
            tied = [int(p) for p in np.flatnonzero(remaining)]  # all tie at infinity
            level = None
        else:
            values = np.full(n, np.inf)
            values[live] = (load_sum_f[live] + cost_f[live]) / approvals_f[live]
            best = float(values.min())
            near = np.flatnonzero(values <= best * (1 + _REL) + 1e-300)
            exact: dict[int, Fraction] = {}
            for p in near.tolist():
                row = weight[p]
                total = sum(
                    (loads[k] * int(row[k]) for k in np.flatnonzero(row).tolist()), Fraction(0)
                )
                exact[p] = (total + costs[p]) / int(approvals[p])
            level = min(exact.values())
            tied = [p for p, v in exact.items() if v == level]
        rnd = len(selected) + 1
        if len(tied) > 1:
            tie_breaks.append(tiebreaker.record(tied, round=rnd, context="phragmen round"))
        too_expensive = [p for p in tied if spent + costs[p] > profile.budget]
        if too_expensive:
            for p in np.flatnonzero(remaining).tolist():
                if p in too_expensive:
                    explanations[p] = explain(
                        profile,
                        p,
                        Reason.DID_NOT_FIT,
                        note=f"cost {costs[p]} > money left {profile.budget - spent}; "
                        "the rule stops here",
                    )
                else:
                    explanations[p] = explain(
                        profile,
                        p,
                        Reason.RULE_STOPPED,
                        note="the rule stopped at an unaffordable project",
                    )
            break
        winner = tiebreaker.best(tied)
        remaining[winner] = False
        selected.append(winner)
        spent += costs[winner]
        explanations[winner] = explain(
            profile,
            winner,
            Reason.FUNDED,
            round=rnd,
            price=level,
            note="" if level is None else "maximal voter load after funding",
        )
        if level is None:
            continue
        # Move the winner's approvers into a new load class.
        k_new = len(loads)
        loads.append(level)
        loads_f[k_new] = float(level)
        groups = approvers[winner]
        starts = gp_ptr[groups]
        counts = gp_ptr[groups + 1] - starts
        offsets = np.repeat(starts - np.cumsum(counts) + counts, counts)
        idx = offsets + np.arange(int(counts.sum()), dtype=np.int64)
        projs = gp_proj[idx]
        rep = np.repeat(groups, counts)
        k_old = group_class[rep]
        m = mult[rep]
        flat = weight.reshape(-1)
        flat -= np.bincount(projs * width + k_old, weights=m, minlength=n * width).astype(np.int64)
        weight[:, k_new] += np.bincount(projs, weights=m, minlength=n).astype(np.int64)
        load_sum_f += np.bincount(projs, weights=m * (loads_f[k_new] - loads_f[k_old]), minlength=n)
        group_class[groups] = k_new
    for p in range(n):
        if p not in explanations:
            if not profile.fundable[p]:
                explanations[p] = explain(profile, p, Reason.BELOW_THRESHOLD)
            else:
                explanations[p] = explain(
                    profile,
                    p,
                    Reason.DID_NOT_FIT,
                    note=f"cost {costs[p]} > budget {profile.budget}",
                )
    return Outcome(
        selected=tuple(selected),
        explanations=tuple(explanations[p] for p in range(n)),
        tie_breaks=tuple(tie_breaks),
    )
