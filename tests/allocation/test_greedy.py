"""Greedy rules, tie-breaking records, thresholds and the Result record."""

from __future__ import annotations

import itertools
import json
from fractions import Fraction

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from budgets.allocation.engine import allocate
from budgets.allocation.profile import BordaConvention, Utility, build_profile
from budgets.allocation.result import Reason
from budgets.allocation.tiebreak import lottery_ticket
from budgets.allocation.types import Ballot, BallotKind, Election, Project
from tests.allocation.helpers import approval, small_approval_elections


def reasons(result: object) -> dict[str, Reason]:
    return {e.project_id: e.reason for e in result.explanations}  # type: ignore[attr-defined]


def test_greedy_skips_projects_that_do_not_fit() -> None:
    e = approval(100, {"a": 80, "b": 30, "c": 20}, [["a", "b", "c"]] * 3 + [["b", "c"]] + [["c"]])
    result = allocate(e, rule="greedy")
    assert result.selected == ("c", "b")  # c has 5 votes, b 4, a (3) no longer fits
    assert result.spent == 50
    assert reasons(result)["a"] is Reason.DID_NOT_FIT


def test_greedy_no_skip_stops_at_the_first_project_that_does_not_fit() -> None:
    e = approval(100, {"a": 60, "b": 50, "c": 10}, [["a", "b", "c"]] * 3 + [["a", "b"]] + [["a"]])
    assert allocate(e, rule="greedy").selected == ("a", "c")
    stopped = allocate(e, rule="greedy-no-skip")
    assert stopped.selected == ("a",)
    assert reasons(stopped) == {
        "a": Reason.FUNDED,
        "b": Reason.DID_NOT_FIT,
        "c": Reason.RULE_STOPPED,
    }


def test_greedy_cost_orders_by_votes_per_unit_of_cost() -> None:
    # a: 4 votes / 80, b: 3 votes / 30, c: 1 vote / 5.
    e = approval(100, {"a": 80, "b": 30, "c": 5}, [["a", "b"]] * 3 + [["a", "c"]])
    assert allocate(e, rule="greedy-cost").selected == ("c", "b")
    assert allocate(e, rule="greedy").selected == ("a", "c")


def test_greedy_selects_projects_without_votes_when_money_is_left_like_pabutools() -> None:
    e = approval(100, {"a": 50, "z": 40}, [["a"]])
    assert allocate(e, rule="greedy").selected == ("a", "z")


def test_lexicographic_tie_break_compares_ids_as_strings_and_is_recorded() -> None:
    e = approval(100, {"9": 60, "10": 60}, [["9", "10"]])
    result = allocate(e, rule="greedy")
    assert result.selected == ("10",)  # "10" < "9" as strings
    (tie,) = result.tie_breaks
    assert tie.tied == ("10", "9") and tie.order == ("10", "9")
    assert tie.rule == "lexicographic"
    assert reasons(result)["9"] is Reason.LOST_TIE


def test_default_tie_break_prefers_the_lower_cost_among_equal_votes() -> None:
    e = approval(100, {"a": 70, "b": 60}, [["a", "b"]])
    result = allocate(e, rule="greedy", tie_break="default", seed="x")
    assert result.selected == ("b",)
    assert result.tie_breaks[0].criteria == ("lower cost",)


def test_default_tie_break_ends_with_a_lottery_anyone_can_redo_from_the_seed() -> None:
    e = approval(100, {"a": 60, "b": 60}, [["a", "b"]])
    for seed in ("head-1", "head-2", "head-3", "head-4"):
        result = allocate(e, rule="greedy", tie_break="default", seed=seed)
        expected = min(("a", "b"), key=lambda pid: lottery_ticket(seed, pid))
        assert result.selected == (expected,)
        assert result.tie_breaks[0].criteria == ("seeded lottery",)
        assert result.tie_breaks[0].seed == seed
        assert allocate(e, rule="greedy", tie_break="default", seed=seed) == result
    winners = {
        allocate(e, rule="greedy", tie_break="default", seed=f"s{i}").selected for i in range(16)
    }
    assert winners == {("a",), ("b",)}


def test_a_vote_threshold_makes_projects_below_it_unfundable() -> None:
    e = approval(100, {"a": 10, "b": 10, "c": 10}, [["a", "b", "c"]] * 2 + [["a", "b"]] + [["a"]])
    by_count = allocate(e, rule="greedy", threshold=3)
    assert by_count.selected == ("a", "b")
    assert reasons(by_count)["c"] is Reason.BELOW_THRESHOLD
    by_share = allocate(e, rule="greedy", threshold=Fraction(3, 4))
    assert by_share.selected == ("a", "b")
    assert dict(by_share.parameters)["threshold"] == "share 3/4"


def test_ordinal_greedy_uses_city_rank_points_by_default_and_pabutools_borda_on_request() -> None:
    # Ballots of length 2: city points 2, 1; pabutools Borda 1, 0.
    e = Election(
        budget=10,
        projects=(Project("a", 10), Project("b", 10)),
        ballots=(Ballot("1", ("a", "b")), Ballot("2", ("a", "b")), Ballot("3", ("b",))),
        kind=BallotKind.ORDINAL,
    )
    city = build_profile(e, borda=BordaConvention.CITY)
    pabu = build_profile(e, borda=BordaConvention.PABUTOOLS)
    assert city.scores == (4, 3) and pabu.scores == (2, 0)
    assert allocate(e, rule="greedy").selected == ("a",)
    assert dict(allocate(e, rule="greedy").parameters)["borda"] == "city"


def test_identical_ballots_are_grouped_with_their_multiplicity() -> None:
    e = approval(100, {"a": 10, "b": 20}, [["a", "b"], ["b", "a"], ["a"], []])
    profile = build_profile(e, utility=Utility.COST)
    assert sorted(profile.multiplicity) == [1, 1, 2]
    assert profile.num_voters == 4
    assert profile.votes == (3, 2)
    assert profile.total_utility == (30, 40)
    assert [len(s) for s in profile.supporters] == [2, 1]


def test_cost_utilities_are_refused_for_ranked_ballots() -> None:
    e = Election(budget=1, projects=(Project("a", 1),), ballots=(), kind=BallotKind.ORDINAL)
    with pytest.raises(ValueError, match="approval-like"):
        build_profile(e, utility=Utility.COST)


def test_result_json_is_serialisable_and_its_fingerprint_tracks_every_input() -> None:
    e = approval(100, {"a": 60, "b": 60}, [["a", "b"], ["a"]])
    result = allocate(e, rule="greedy")
    body = result.to_json()
    assert json.loads(json.dumps(body)) == body
    assert body["selected"] == ["a"] and body["spent"] == 60
    assert body["fingerprint"] == result.fingerprint == allocate(e, rule="greedy").fingerprint
    other_ballots = approval(100, {"a": 60, "b": 60}, [["a", "b"], ["b"]])
    other_budget = approval(101, {"a": 60, "b": 60}, [["a", "b"], ["a"]])
    fingerprints = {
        result.fingerprint,
        allocate(other_ballots, rule="greedy").fingerprint,
        allocate(other_budget, rule="greedy").fingerprint,
        allocate(e, rule="greedy", tie_break="default", seed="s").fingerprint,
        allocate(e, rule="greedy-cost").fingerprint,
    }
    assert len(fingerprints) == 5


small_elections = small_approval_elections(
    max_projects=6, max_cost=50, max_budget=120, max_ballots=12
)


@settings(max_examples=150, deadline=None)
@given(small_elections, st.sampled_from(["greedy", "greedy-no-skip", "greedy-cost"]))
def test_greedy_rules_never_overspend_and_ignore_ballot_order(e: Election, rule: str) -> None:
    result = allocate(e, rule=rule)
    assert result.spent <= e.budget
    shuffled = Election(e.budget, e.projects, tuple(reversed(e.ballots)), e.kind)
    assert allocate(shuffled, rule=rule).selected == result.selected


@settings(max_examples=150, deadline=None)
@given(small_elections)
def test_greedy_skip_leaves_no_affordable_project_unfunded(e: Election) -> None:
    result = allocate(e, rule="greedy")
    left = e.budget - result.spent
    assert all(p.cost > left for p in e.projects if p.id not in result.selected)
    # Funded projects come by decreasing votes, equal votes by id as a string; a free project
    # counts as 0 votes (pabutools' cost satisfaction gives it nothing).
    votes = {p.id: sum(p.id in b.choices for b in e.ballots) if p.cost else 0 for p in e.projects}
    for a, b in itertools.pairwise(result.selected):
        assert (-votes[a], a) < (-votes[b], b)


def test_default_tie_break_prefers_more_votes_when_densities_tie() -> None:
    # greedy-cost: a has 2 votes for 20, b 1 vote for 10: equal density 1/10.
    e = approval(20, {"a": 20, "b": 10}, [["a", "b"], ["a"]])
    lexicographic = allocate(e, rule="greedy-cost")
    assert lexicographic.selected == ("a",)
    e_renamed = approval(20, {"z": 20, "b": 10}, [["z", "b"], ["z"]])
    assert allocate(e_renamed, rule="greedy-cost").selected == ("b",)
    default = allocate(e_renamed, rule="greedy-cost", tie_break="default", seed="s")
    assert default.selected == ("z",)
    assert default.tie_breaks[0].criteria == ("more votes",)


def test_every_project_gets_exactly_one_explanation_in_election_order() -> None:
    e = approval(30, {"c": 10, "a": 25, "b": 10}, [["a", "b"], ["c"]])
    for rule in ("greedy", "greedy-no-skip", "greedy-cost", "phragmen", "max-welfare"):
        result = allocate(e, rule=rule)
        assert [x.project_id for x in result.explanations] == ["c", "a", "b"]
        funded = {x.project_id for x in result.explanations if x.funded}
        assert funded == set(result.selected)
        rounds = [result.explanation(pid).round for pid in result.selected]
        assert rounds == list(range(1, len(result.selected) + 1))
