"""Greedy rules: by votes (skip or stop), by votes per unit of cost.

API::

    greedy(profile, tiebreaker, *, key="votes", skip=True, initial=()) -> Outcome

Rules (reference: pabutools 1.2.3 ``greedy_utilitarian_welfare`` with an additive
satisfaction, whose order is total satisfaction divided by cost, ties by the tie-breaking
order, every project that fits taken in that order):

- ``greedy`` (``key="votes"``, ``skip=True``): projects by decreasing total score (votes for
  approval ballots, points for cumulative ones, rank points for ordinal ones), each funded if
  it fits in what is left, otherwise skipped. For approval ballots this is pabutools' greedy
  with cost utilities (total cost-utility / cost = votes); as there, a free project counts as
  0 votes for the order (``Cost_Sat`` gives it no satisfaction), so it comes after every
  project with votes (it is still funded by ``greedy``, as it always fits).
- ``greedy-no-skip`` (``skip=False``): the same order, but the rule stops at the first project
  that does not fit (the rule Wrocław used).
- ``greedy-cost`` (``key="votes-per-cost"``): projects by decreasing total score / cost (pabutools'
  greedy with ``Cardinality_Sat``, ``Additive_Cardinal_Sat`` or ``Additive_Borda_Sat``). As in
  pabutools, a free project with a positive score comes first and a project with no score
  has density 0.

Equal keys are ordered by the tiebreaker and each such group is recorded as a tie. A project
that is not funded because a tied project ahead of it took the money it would have fitted
in is explained as ``lost-tie``; otherwise ``did-not-fit`` (or ``rule-stopped`` after a stop).
Projects whose ``profile.fundable`` flag is False are never funded (the engine explains them).
``initial`` is a selection already made (e.g. by MES, for a greedy completion): those projects
stay first, in their order, and their cost is already spent.

Arithmetic: scores are integers; densities are compared as exact fractions.
"""

from __future__ import annotations

from collections.abc import Sequence
from fractions import Fraction
from itertools import groupby
from typing import Literal

from budgets.allocation.profile import APPROVAL_KINDS, Profile
from budgets.allocation.result import Outcome, ProjectExplanation, Reason, TieBreak, explain
from budgets.allocation.tiebreak import Tiebreaker

__all__ = ["GreedyKey", "greedy"]

GreedyKey = Literal["votes", "votes-per-cost"]


def _density(profile: Profile, i: int, key: GreedyKey) -> tuple[int, Fraction]:
    """Sort key (smaller first): free projects with a positive score, then by density."""
    score = profile.scores[i]
    cost = profile.costs[i]
    if key == "votes":
        if cost == 0 and profile.kind in APPROVAL_KINDS:
            return (1, Fraction(0))  # pabutools: Cost_Sat gives a free project nothing
        return (1, Fraction(-score))
    if score > 0 and cost == 0:
        return (0, Fraction(0))
    if score <= 0:
        return (1, Fraction(0))
    return (1, -Fraction(score, cost))


def greedy(
    profile: Profile,
    tiebreaker: Tiebreaker,
    *,
    key: GreedyKey = "votes",
    skip: bool = True,
    initial: Sequence[int] = (),
) -> Outcome:
    """Run a greedy rule (see the module docstring)."""
    n = profile.num_projects
    remaining = profile.budget - sum(profile.costs[i] for i in initial)
    if remaining < 0:
        raise ValueError("the initial selection is over budget")
    selected: list[int] = list(initial)
    chosen = set(initial)
    explanations: dict[int, ProjectExplanation] = {
        i: explain(profile, i, Reason.FUNDED, round=r, note="initial selection")
        for r, i in enumerate(initial, 1)
    }
    tie_breaks: list[TieBreak] = []
    candidates = [i for i in range(n) if i not in chosen and profile.fundable[i]]
    density = {i: _density(profile, i, key) for i in candidates}
    keyed = sorted(candidates, key=lambda i: (density[i], tiebreaker.rank[i]))
    stopped = False
    for _, group_iter in groupby(keyed, key=density.__getitem__):
        group = list(group_iter)
        if stopped:
            for i in group:
                explanations[i] = explain(
                    profile, i, Reason.RULE_STOPPED, note="the rule stopped at an earlier project"
                )
            continue
        if len(group) > 1:
            tie_breaks.append(
                tiebreaker.record(group, round=len(selected) + 1, context="greedy order")
            )
        at_start = remaining
        for i in group:
            cost = profile.costs[i]
            if stopped:
                explanations[i] = explain(
                    profile, i, Reason.RULE_STOPPED, note="the rule stopped at an earlier project"
                )
            elif cost <= remaining:
                remaining -= cost
                selected.append(i)
                explanations[i] = explain(
                    profile,
                    i,
                    Reason.FUNDED,
                    round=len(selected),
                    note=f"left after funding: {remaining}",
                )
            else:
                reason = Reason.LOST_TIE if cost <= at_start else Reason.DID_NOT_FIT
                explanations[i] = explain(
                    profile, i, reason, note=f"cost {cost} > money left {remaining}"
                )
                if not skip:
                    stopped = True
    for i in range(n):
        if i not in explanations:  # not fundable: the engine gives the reason
            explanations[i] = explain(profile, i, Reason.BELOW_THRESHOLD)
    return Outcome(
        selected=tuple(selected),
        explanations=tuple(explanations[i] for i in range(n)),
        tie_breaks=tuple(tie_breaks),
    )
