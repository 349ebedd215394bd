"""One entry point for every allocation rule.

API::

    allocate(election, *, rule, tie_break="lexicographic", utility=None, add1_stop=None,
             greedy_fill=False, threshold=None, seed="", borda=None) -> Result
    RULES  # the rule names accepted

Rules (each module names its reference): ``greedy``, ``greedy-no-skip``, ``greedy-cost``
(:mod:`~budgets.allocation.greedy`), ``mes``, ``mes-add1`` (:mod:`~budgets.allocation.mes`),
``phragmen`` (:mod:`~budgets.allocation.phragmen`), ``max-welfare``
(:mod:`~budgets.allocation.welfare`).

Parameters:

- ``tie_break``: ``lexicographic`` (pabutools parity) or ``default`` (more votes, lower cost,
  lottery seeded by ``seed``, e.g. the ballot-log head).
- ``utility``: ``cost`` or ``cardinality``; None picks cost for approval-like ballots and the
  ballot's own score (points, Borda) otherwise. Used by mes, mes-add1 and max-welfare; the
  greedy rules order by total score and phragmen by approvals whatever the utility.
- ``borda``: for ordinal ballots, ``city`` (L..1) or ``pabutools`` (L-1..0); None picks
  ``city`` for greedy and greedy-no-skip (the scoring cities publish) and ``pabutools``
  for the other rules (parity with pabutools' ``Additive_Borda_Sat``).
- ``add1_stop``: ``exhaustive`` (pabutools) or ``overspend`` (equalshares.net), for
  ``mes-add1`` only; None there means ``exhaustive`` (the variant is always recorded).
  ``greedy_fill``: complete mes / mes-add1 greedily by utility per cost.
- ``threshold``: None; an ``int`` = minimum total score (votes for approval ballots, as
  pabulib's ``min_project_score_threshold``); a :class:`~fractions.Fraction` in [0, 1] = minimum
  score as a share of the number of voters. Projects below it are never funded and are
  explained as ``below-threshold``.

Guarantees: the returned :class:`~budgets.allocation.result.Result` records the rule, every
parameter (as text), the arithmetic used, every tie broken, one explanation per project in
the election's order, the money spent (never more than the budget: checked here again) and
the input's fingerprint.
"""

from __future__ import annotations

import dataclasses
import gc
from fractions import Fraction

from budgets.allocation.greedy import greedy
from budgets.allocation.profile import (
    BordaConvention,
    Profile,
    Utility,
    build_profile,
    default_utility,
)
from budgets.allocation.result import (
    Outcome,
    ProjectExplanation,
    Reason,
    Result,
    TieBreak,
    election_fingerprint,
    explain,
)
from budgets.allocation.tiebreak import Tiebreaker, TieBreakRule, make_tiebreaker
from budgets.allocation.types import Election

__all__ = ["RULES", "allocate"]

RULES = (
    "greedy",
    "greedy-no-skip",
    "greedy-cost",
    "mes",
    "mes-add1",
    "phragmen",
    "max-welfare",
)
ADD1_STOPS = ("exhaustive", "overspend")


def _threshold_text(threshold: int | Fraction | None) -> str:
    if threshold is None:
        return "none"
    if isinstance(threshold, Fraction):
        return f"share {threshold}"
    return f"score {threshold}"


def _apply_threshold(profile: Profile, threshold: int | Fraction | None) -> Profile:
    if threshold is None:
        return profile
    if isinstance(threshold, bool) or not isinstance(threshold, (int, Fraction)):
        raise TypeError("threshold must be an int (score) or a Fraction (share of voters)")
    if isinstance(threshold, Fraction):
        if not 0 <= threshold <= 1:
            raise ValueError("a threshold share must be between 0 and 1")
        voters = profile.num_voters
        fundable = tuple(
            s * threshold.denominator >= threshold.numerator * voters for s in profile.scores
        )
    else:
        fundable = tuple(s >= threshold for s in profile.scores)
    return dataclasses.replace(profile, fundable=fundable)


def allocate(
    election: Election,
    *,
    rule: str,
    tie_break: str = "lexicographic",
    utility: str | None = None,
    add1_stop: str | None = None,
    greedy_fill: bool = False,
    threshold: int | Fraction | None = None,
    seed: str = "",
    borda: str | None = None,
) -> Result:
    """Run ``rule`` on ``election`` (see the module docstring)."""
    # A run allocates many small containers and creates no reference cycles; pausing the
    # cyclic collector avoids full collections over a large election (up to 2x faster).
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        return _allocate(
            election,
            rule=rule,
            tie_break=tie_break,
            utility=utility,
            add1_stop=add1_stop,
            greedy_fill=greedy_fill,
            threshold=threshold,
            seed=seed,
            borda=borda,
        )
    finally:
        if was_enabled:
            gc.enable()


def _allocate(
    election: Election,
    *,
    rule: str,
    tie_break: str,
    utility: str | None,
    add1_stop: str | None,
    greedy_fill: bool,
    threshold: int | Fraction | None,
    seed: str,
    borda: str | None,
) -> Result:
    if rule not in RULES:
        raise ValueError(f"unknown rule {rule!r}; expected one of {', '.join(RULES)}")
    tb_rule = TieBreakRule(tie_break)
    util = Utility(utility) if utility is not None else default_utility(election.kind)
    if borda is None:
        conv = (
            BordaConvention.CITY
            if rule in ("greedy", "greedy-no-skip")
            else BordaConvention.PABUTOOLS
        )
    else:
        conv = BordaConvention(borda)
    if rule == "mes-add1" and add1_stop is None:
        add1_stop = "exhaustive"
    if rule == "mes-add1" and add1_stop not in ADD1_STOPS:
        raise ValueError("add1_stop must be 'exhaustive' or 'overspend'")
    if rule != "mes-add1" and add1_stop is not None:
        raise ValueError("add1_stop only applies to mes-add1")
    if greedy_fill and rule not in ("mes", "mes-add1"):
        raise ValueError("greedy_fill only applies to mes and mes-add1")

    profile = build_profile(election, utility=util, borda=conv)
    profile = _apply_threshold(profile, threshold)
    tiebreaker = make_tiebreaker(profile, tb_rule, seed)

    parameters: dict[str, str] = {
        "tie_break": tb_rule.value,
        "threshold": _threshold_text(threshold),
    }
    if tb_rule is TieBreakRule.DEFAULT:
        parameters["seed"] = seed
    if rule in ("mes", "mes-add1", "max-welfare"):
        parameters["utility"] = util.value
    if election.kind.value == "ordinal":
        parameters["borda"] = conv.value
    if rule in ("mes", "mes-add1"):
        parameters["greedy_fill"] = "yes" if greedy_fill else "no"
    if rule == "mes-add1":
        parameters["add1_stop"] = str(add1_stop)

    if rule in ("greedy", "greedy-no-skip", "greedy-cost"):
        outcome = greedy(
            profile,
            tiebreaker,
            key="votes-per-cost" if rule == "greedy-cost" else "votes",
            skip=rule != "greedy-no-skip",
        )
        arithmetic = "exact: integers and rational numbers"
    elif rule == "phragmen":
        from budgets.allocation.phragmen import phragmen

        outcome = phragmen(profile, tiebreaker)
        arithmetic = "floating-point search, every decision confirmed in rational numbers"
    elif rule == "max-welfare":
        from budgets.allocation.welfare import max_welfare

        outcome = max_welfare(profile, tiebreaker)
        arithmetic = "MILP (scipy HiGHS) search, objective and budget confirmed in integers"
    else:
        outcome, arithmetic = _run_mes(
            profile,
            tiebreaker,
            add1_stop=add1_stop,
            greedy_fill=greedy_fill,
            step=election.scale,
        )

    explanations = list(outcome.explanations)
    for i, ok in enumerate(profile.fundable):
        if not ok:
            explanations[i] = explain(
                profile, i, Reason.BELOW_THRESHOLD, note=f"score {profile.scores[i]}"
            )
    selected = outcome.selected
    if len(set(selected)) != len(selected) or any(not profile.fundable[i] for i in selected):
        raise AssertionError(f"{rule} returned an invalid selection")
    spent = sum(profile.costs[i] for i in selected)
    if spent > profile.budget:
        raise AssertionError(f"{rule} spent {spent} of a budget of {profile.budget}")
    return Result(
        rule=rule,
        parameters=tuple(sorted(parameters.items())),
        arithmetic=arithmetic,
        budget=election.budget,
        scale=election.scale,
        selected=tuple(profile.project_ids[i] for i in selected),
        spent=spent,
        tie_breaks=outcome.tie_breaks,
        explanations=tuple(explanations),
        input_fingerprint=election_fingerprint(election),
        details=outcome.details,
    )


def _run_mes(
    profile: Profile,
    tiebreaker: Tiebreaker,
    *,
    add1_stop: str | None,
    greedy_fill: bool,
    step: int,
) -> tuple[Outcome, str]:
    """Adapter from A2's :mod:`~budgets.allocation.mes` engine to an :class:`Outcome`."""
    from budgets.allocation import mes

    engine = mes.MesEngine(profile, tiebreaker)
    details: list[tuple[str, str]] = []
    if add1_stop is None:
        run = engine.run(Fraction(profile.budget, max(profile.num_voters, 1)))
    else:
        add1 = engine.add1(mes.Add1Stop(add1_stop), step)
        run = add1.run
        details += [
            ("add1_steps", str(add1.steps)),
            ("add1_final_share", str(run.share)),
            ("add1_stopped_because", add1.reason),
        ]
    arithmetic = (
        "rational numbers (floating point could not certify a decision)"
        if run.exact
        else "floating point with every decision certified by error bounds"
    )
    n = profile.num_projects
    # A2's explanations: round and price per supporter, lost tie, supporters' money left.
    explained, ties = mes.explain_run(profile, tiebreaker, engine, run)
    explanations: dict[int, ProjectExplanation] = dict(explained)
    tie_breaks: list[TieBreak] = list(ties)
    selected = run.selected
    if greedy_fill:
        filled = greedy(
            profile,
            tiebreaker,
            key="votes" if profile.utility is Utility.COST else "votes-per-cost",
            initial=selected,
        )
        mes_funded = set(selected)
        for i in range(n):
            if i not in mes_funded:  # the fill decides: funded, did not fit, lost a tie
                fill = filled.explanations[i]
                explanations[i] = dataclasses.replace(
                    fill, note=f"not funded by MES; greedy fill: {fill.note}".rstrip(": ")
                )
        tie_breaks += [dataclasses.replace(t, context="greedy fill") for t in filled.tie_breaks]
        selected = filled.selected
    return (
        Outcome(
            selected=tuple(selected),
            explanations=tuple(explanations[i] for i in range(n)),
            tie_breaks=tuple(tie_breaks),
            details=tuple(details),
        ),
        arithmetic,
    )
