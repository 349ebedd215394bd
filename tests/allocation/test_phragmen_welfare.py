"""Sequential Phragmén and maximum welfare: hand cases, brute force, invariants."""

from __future__ import annotations

import itertools
from fractions import Fraction

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from budgets.allocation.engine import allocate
from budgets.allocation.result import Reason
from budgets.allocation.types import Ballot, BallotKind, Election, Project
from tests.allocation.helpers import approval, small_approval_elections


def by_id(result: object) -> dict[str, object]:
    return {e.project_id: e for e in result.explanations}  # type: ignore[attr-defined]


def test_phragmen_funds_the_project_with_the_smallest_new_maximal_load() -> None:
    # a: (0+4)/2 = 2, then b: (2+3)/1 = 5 (v1 carries a), then c: 6/1 = 6 does not fit.
    e = approval(10, {"a": 4, "b": 3, "c": 6}, [["a", "b"], ["a"], ["c"]])
    result = allocate(e, rule="phragmen")
    assert result.selected == ("a", "b")
    exp = by_id(result)
    assert exp["a"].price_per_supporter == Fraction(2)  # type: ignore[attr-defined]
    assert exp["b"].price_per_supporter == Fraction(5)  # type: ignore[attr-defined]
    assert exp["c"].reason is Reason.DID_NOT_FIT  # type: ignore[attr-defined]


def test_phragmen_stops_at_the_first_project_that_does_not_fit_instead_of_skipping() -> None:
    # After a and b (7 spent), c (load 6) does not fit; e (load 8, cost 3) would, but the
    # rule has stopped.
    e = approval(10, {"a": 4, "b": 3, "c": 6, "e": 3}, [["a", "b", "e"], ["a"], ["c"]])
    result = allocate(e, rule="phragmen")
    assert result.selected == ("a", "b")
    assert by_id(result)["e"].reason is Reason.RULE_STOPPED  # type: ignore[attr-defined]


def test_phragmen_stops_when_any_project_tied_at_the_minimum_does_not_fit() -> None:
    # r first (load 2); then p (2+3)/1 = 5 and q 5/1 = 5 tie; q does not fit: stop.
    e = approval(8, {"r": 4, "p": 3, "q": 5}, [["r", "p"], ["r"], ["q"]])
    result = allocate(e, rule="phragmen")
    assert result.selected == ("r",)
    (tie,) = result.tie_breaks
    assert tie.tied == ("p", "q")


def test_phragmen_refuses_ranked_ballots() -> None:
    e = Election(1, (Project("a", 1),), (Ballot("1", ("a",)),), BallotKind.ORDINAL)
    with pytest.raises(ValueError, match="approval"):
        allocate(e, rule="phragmen")


def reference_phragmen(e: Election) -> tuple[str, ...]:
    """pabutools' sequential_phragmen, written plainly with fractions (test oracle)."""
    loads = [Fraction(0)] * len(e.ballots)
    remaining = sorted(p.id for p in e.projects if p.cost <= e.budget)
    cost = {p.id: p.cost for p in e.projects}
    spent, chosen = 0, []
    while remaining:

        def level(pid: str) -> Fraction | None:
            sup = [i for i, b in enumerate(e.ballots) if pid in b.choices]
            return (
                (sum((loads[i] for i in sup), Fraction(0)) + cost[pid]) / len(sup) if sup else None
            )

        values = {pid: level(pid) for pid in remaining}
        finite = [v for v in values.values() if v is not None]
        best = min(finite) if finite else None
        tied = [pid for pid, v in values.items() if v == best]
        if any(spent + cost[pid] > e.budget for pid in tied):
            break
        winner = min(tied)
        chosen.append(winner)
        spent += cost[winner]
        remaining.remove(winner)
        for i, b in enumerate(e.ballots):
            if winner in b.choices and best is not None:
                loads[i] = best
    return tuple(chosen)


small_elections = small_approval_elections(
    max_projects=7, max_cost=40, max_budget=100, max_ballots=10
)


@settings(max_examples=200, deadline=None)
@given(small_elections)
def test_phragmen_agrees_with_a_plain_rational_implementation(e: Election) -> None:
    result = allocate(e, rule="phragmen")
    assert result.selected == reference_phragmen(e)
    assert result.spent <= e.budget
    reordered = Election(e.budget, e.projects, tuple(reversed(e.ballots)), e.kind)
    assert allocate(reordered, rule="phragmen").selected == result.selected


def test_max_welfare_finds_the_best_knapsack_not_the_greedy_one() -> None:
    # Cost utilities: welfare = sum of cost x votes. Greedy takes a (3 votes) then nothing;
    # b + c give 2*50 + 2*50 = 200 > 3*60 = 180.
    e = approval(100, {"a": 60, "b": 50, "c": 50}, [["a", "b", "c"], ["a", "b", "c"], ["a"]])
    assert allocate(e, rule="greedy").selected == ("a",)
    result = allocate(e, rule="max-welfare")
    assert sorted(result.selected) == ["b", "c"]
    assert dict(result.details)["welfare"] == "200"
    assert by_id(result)["a"].reason is Reason.NOT_IN_OPTIMUM  # type: ignore[attr-defined]


def test_max_welfare_breaks_a_tie_between_optimal_sets_and_records_it() -> None:
    # {a} and {b} both give welfare 50 (cost utilities: 50 x 1 vote each).
    e = approval(50, {"a": 50, "b": 50}, [["a"], ["b"]])
    result = allocate(e, rule="max-welfare")
    assert result.selected == ("a",)
    (tie,) = result.tie_breaks
    assert tie.tied == ("a", "b")
    seeded = [
        allocate(e, rule="max-welfare", tie_break="default", seed=f"s{i}").selected
        for i in range(12)
    ]
    assert set(seeded) == {("a",), ("b",)}


def brute_force_best(e: Election, utility: str, rank: list[str]) -> tuple[int, list[str]]:
    cost = {p.id: p.cost for p in e.projects}
    util = {}
    for p in e.projects:
        votes = sum(p.id in b.choices for b in e.ballots)
        util[p.id] = votes * (p.cost if utility == "cost" else 1)
    free = [pid for pid in cost if cost[pid] == 0 and util[pid] > 0]
    items = [pid for pid in cost if cost[pid] > 0 and util[pid] > 0]
    best: tuple[int, tuple[bool, ...]] | None = None
    best_set: list[str] = []
    for r in range(len(items) + 1):
        for subset in itertools.combinations(items, r):
            if sum(cost[p] for p in subset) > e.budget:
                continue
            w = sum(util[p] for p in subset)
            key = (w, tuple(p in subset for p in rank))
            if best is None or key > best:
                best, best_set = key, list(subset)
    assert best is not None
    return best[0] + sum(util[p] for p in free), sorted(best_set + free)


@settings(max_examples=80, deadline=None)
@given(small_elections, st.sampled_from(["cost", "cardinality"]))
def test_max_welfare_agrees_with_brute_force_including_its_tie_break(
    e: Election, utility: str
) -> None:
    result = allocate(e, rule="max-welfare", utility=utility)
    welfare, best = brute_force_best(e, utility, sorted(p.id for p in e.projects))
    assert result.spent <= e.budget
    assert int(dict(result.details)["welfare"]) == welfare
    assert sorted(result.selected) == best
