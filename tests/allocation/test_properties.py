"""Property-based tests of every rule of ``engine.allocate`` on random small elections.

Invariants (hypothesis, small instances so that the file runs in a few seconds):

- never over budget: the selection is distinct known projects whose costs add up to
  ``spent`` <= budget;
- the order of the ballots does not matter (same selection, money, explanations, ties);
- greedy equals a plain reference greedy, and max-welfare equals an exhaustive search over
  all subsets (optimal welfare, then the documented lexicographic choice among optima);
- MES outcomes are priceable (Peters, Pierczyński, Skowron 2021, "Proportional
  participatory budgeting with additive utilities", Def. of priceability): replaying the
  recorded price per unit of utility, every voter starts with budget / n, pays
  min(remaining, rho * utility) for each funded project it supports, every funded project is
  paid exactly, nobody goes below 0, and no unfunded project's supporters still hold its
  cost between them;
- the result fingerprint is stable, and changes when an input or a parameter changes.
"""

from __future__ import annotations

import itertools
import json
import random
from fractions import Fraction

from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from budgets.allocation.engine import RULES, allocate
from budgets.allocation.profile import BordaConvention, build_profile
from budgets.allocation.result import Reason, Result
from budgets.allocation.types import Ballot, BallotKind, Election, Project

# Ids chosen so that string order differs from numeric order ("10" < "2").
IDS = ("1", "2", "10", "11", "a", "B", "p9", "20")
APPROVAL_RULES = RULES
SCORED_RULES = tuple(r for r in RULES if r != "phragmen")  # phragmen is approval-only

SETTINGS = settings(
    max_examples=25,
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.too_slow],
)


@st.composite
def elections(
    draw: st.DrawFn,
    kind: BallotKind = BallotKind.APPROVAL,
    max_projects: int = 6,
    min_cost: int = 1,
) -> Election:
    ids = draw(st.lists(st.sampled_from(IDS), min_size=1, max_size=max_projects, unique=True))
    # Few distinct costs so that ties are frequent.
    costs = draw(st.lists(st.integers(min_cost, 12), min_size=len(ids), max_size=len(ids)))
    budget = draw(st.integers(0, sum(costs) + 1))
    n = draw(st.integers(1, 7))
    ballots = []
    for v in range(n):
        if kind is BallotKind.APPROVAL:
            chosen = draw(st.lists(st.sampled_from(ids), max_size=len(ids), unique=True))
            ballots.append(Ballot(f"v{v}", tuple(chosen)))
        elif kind is BallotKind.CUMULATIVE:
            chosen = draw(
                st.lists(st.sampled_from(ids), min_size=1, max_size=len(ids), unique=True)
            )
            points = draw(st.lists(st.integers(1, 4), min_size=len(chosen), max_size=len(chosen)))
            ballots.append(Ballot(f"v{v}", tuple(chosen), tuple(points)))
        else:
            chosen = draw(
                st.lists(st.sampled_from(ids), min_size=1, max_size=len(ids), unique=True)
            )
            ballots.append(Ballot(f"v{v}", tuple(chosen)))
    projects = tuple(Project(i, c) for i, c in zip(ids, costs, strict=True))
    return Election(budget, projects, tuple(ballots), kind)


any_kind_election = st.one_of(
    elections(BallotKind.APPROVAL, min_cost=0).map(lambda e: (e, APPROVAL_RULES)),
    elections(BallotKind.CUMULATIVE).map(lambda e: (e, SCORED_RULES)),
    elections(BallotKind.ORDINAL).map(lambda e: (e, SCORED_RULES)),
)


def comparable(result_json: dict[str, object]) -> dict[str, object]:
    """The parts of a result that must not depend on the order of the ballots."""
    body = dict(result_json)
    for key in ("fingerprint", "input_fingerprint"):
        body.pop(key)
    return body


# --- never over budget --------------------------------------------------------------------


@SETTINGS
@given(case=any_kind_election, tie_break=st.sampled_from(["lexicographic", "default"]))
def test_no_rule_ever_spends_more_than_the_budget(
    case: tuple[Election, tuple[str, ...]], tie_break: str
) -> None:
    election, rules = case
    cost = {p.id: p.cost for p in election.projects}
    for rule in rules:
        result = allocate(election, rule=rule, tie_break=tie_break, seed="s")
        assert len(set(result.selected)) == len(result.selected), rule
        assert set(result.selected) <= set(cost), rule
        assert result.spent == sum(cost[p] for p in result.selected), rule
        assert result.spent <= election.budget, rule
        funded = {e.project_id for e in result.explanations if e.funded}
        assert funded == set(result.selected), rule
        assert [e.project_id for e in result.explanations] == list(cost), rule


# --- ballot order -------------------------------------------------------------------------


@SETTINGS
@given(
    case=any_kind_election,
    order=st.randoms(use_true_random=False),
    tie_break=st.sampled_from(["lexicographic", "default"]),
)
def test_the_order_of_the_ballots_does_not_change_any_outcome(
    case: tuple[Election, tuple[str, ...]], order: random.Random, tie_break: str
) -> None:
    election, rules = case
    shuffled = list(election.ballots)
    order.shuffle(shuffled)
    other = Election(election.budget, election.projects, tuple(shuffled), election.kind)
    for rule in rules:
        first = allocate(election, rule=rule, tie_break=tie_break, seed="s").to_json()
        second = allocate(other, rule=rule, tie_break=tie_break, seed="s").to_json()
        assert comparable(first) == comparable(second), rule


# --- greedy against a plain reference -----------------------------------------------------


def reference_greedy(election: Election, *, per_cost: bool, skip: bool) -> list[str]:
    """Greedy written out plainly: order by votes (or votes per unit of cost, a free project
    with votes first, one without votes last), ties by id as a string; fund what fits."""
    votes = {p.id: 0 for p in election.projects}
    for b in election.ballots:
        for c in b.choices:
            votes[c] += 1

    def key(p: Project) -> tuple[Fraction | int, str]:
        if not per_cost:
            return (-votes[p.id], p.id)
        if p.cost == 0:
            return (-(10**9) if votes[p.id] else 0, p.id)
        return (-Fraction(votes[p.id], p.cost), p.id)

    left = election.budget
    chosen: list[str] = []
    for p in sorted(election.projects, key=key):
        if p.cost <= left:
            chosen.append(p.id)
            left -= p.cost
        elif not skip:
            break
    return chosen


@SETTINGS
@given(election=elections(BallotKind.APPROVAL))
def test_greedy_rules_equal_the_plain_reference_greedy(election: Election) -> None:
    assert list(allocate(election, rule="greedy").selected) == reference_greedy(
        election, per_cost=False, skip=True
    )
    assert list(allocate(election, rule="greedy-no-skip").selected) == reference_greedy(
        election, per_cost=False, skip=False
    )
    assert list(allocate(election, rule="greedy-cost").selected) == reference_greedy(
        election, per_cost=True, skip=True
    )


@SETTINGS
@given(election=elections(BallotKind.APPROVAL))
def test_greedy_leaves_no_affordable_project_unfunded(election: Election) -> None:
    result = allocate(election, rule="greedy")
    left = election.budget - result.spent
    assert all(p.cost > left for p in election.projects if p.id not in set(result.selected))


# --- max-welfare against exhaustive search ------------------------------------------------


def brute_force_max_welfare(election: Election) -> tuple[int, set[str]]:
    """Every subset of positive-utility projects; the best welfare, then the lexicographic
    rule of ``welfare.py``: among optimal sets, the one holding the smallest id (as a
    string) of the symmetric difference of any two wins (free useful projects are in)."""
    profile = build_profile(election)
    utility = dict(zip(profile.project_ids, profile.total_utility, strict=True))
    cost = dict(zip(profile.project_ids, profile.costs, strict=True))
    useful = sorted(p for p in profile.project_ids if utility[p] > 0)
    best: tuple[int, set[str]] | None = None
    for size in range(len(useful) + 1):
        for subset in itertools.combinations(useful, size):
            if sum(cost[p] for p in subset) > election.budget:
                continue
            welfare = sum(utility[p] for p in subset)
            chosen = set(subset)
            if best is None or welfare > best[0]:
                best = (welfare, chosen)
            elif welfare == best[0] and chosen != best[1]:
                first = min(chosen ^ best[1])
                if first in chosen:
                    best = (welfare, chosen)
    assert best is not None
    return best


@SETTINGS
@given(
    election=st.one_of(
        elections(BallotKind.APPROVAL, min_cost=0),
        elections(BallotKind.CUMULATIVE),
        elections(BallotKind.ORDINAL),
    )
)
def test_max_welfare_equals_exhaustive_search(election: Election) -> None:
    welfare, chosen = brute_force_max_welfare(election)
    result = allocate(election, rule="max-welfare")
    profile = build_profile(election)
    utility = dict(zip(profile.project_ids, profile.total_utility, strict=True))
    assert sum(utility[p] for p in result.selected) == welfare
    assert set(result.selected) == chosen


# --- MES priceability ---------------------------------------------------------------------


def assert_priceable(election: Election, rule: str) -> None:
    """Replay the recorded prices (mes.explain_run: ``price_per_supporter`` is what each
    supporter pays when all supporters have the same utility, note "price per supporter";
    otherwise the price per point of utility, note "price per point of utility")."""
    result = allocate(election, rule=rule)
    profile = build_profile(election)
    n = profile.num_voters
    if rule == "mes":
        share = Fraction(election.budget, n)
    else:
        share = Fraction(dict(result.details)["add1_final_share"])
    index = {pid: i for i, pid in enumerate(profile.project_ids)}
    money = [share] * len(profile.multiplicity)  # per voter of each ballot group
    for project_id in result.selected:
        expl = result.explanation(project_id)
        i = index[project_id]
        price = expl.price_per_supporter
        if profile.costs[i] == 0:
            continue
        assert price is not None and price > 0, project_id
        assert expl.note in ("price per supporter", "price per point of utility"), expl.note
        per_supporter = expl.note == "price per supporter"
        if per_supporter:
            assert len(set(profile.supporter_utilities[i])) == 1, project_id
        paid = Fraction(0)
        for g, u in zip(profile.supporters[i], profile.supporter_utilities[i], strict=True):
            pay = min(money[g], price if per_supporter else price * u)
            money[g] -= pay
            paid += pay * profile.multiplicity[g]
        assert paid == profile.costs[i], (project_id, paid)
    assert all(m >= 0 for m in money)
    for i, project_id in enumerate(profile.project_ids):
        if project_id in result.selected or not profile.supporters[i]:
            continue
        held = sum(money[g] * profile.multiplicity[g] for g in profile.supporters[i])
        # MES stops only when no remaining project is affordable by its supporters.
        assert held < profile.costs[i], (project_id, held)


@SETTINGS
@given(election=st.one_of(elections(BallotKind.APPROVAL), elections(BallotKind.CUMULATIVE)))
def test_mes_outcomes_are_priceable(election: Election) -> None:
    assert_priceable(election, "mes")


@SETTINGS
@given(election=st.one_of(elections(BallotKind.APPROVAL), elections(BallotKind.CUMULATIVE)))
def test_mes_add1_outcomes_are_priceable_at_their_final_share(election: Election) -> None:
    assert_priceable(election, "mes-add1")


# --- fingerprint --------------------------------------------------------------------------


@SETTINGS
@given(election=elections(BallotKind.APPROVAL), rule=st.sampled_from(RULES))
def test_the_fingerprint_is_stable_and_json_round_trips(election: Election, rule: str) -> None:
    first = allocate(election, rule=rule)
    second = allocate(election, rule=rule)
    assert first.fingerprint == second.fingerprint
    assert len(first.fingerprint) == 64
    data = json.loads(json.dumps(first.to_json()))
    assert data["fingerprint"] == first.fingerprint
    assert data["selected"] == list(first.selected)


@SETTINGS
@given(
    election=elections(BallotKind.APPROVAL),
    rule=st.sampled_from(RULES),
    change=st.sampled_from(["budget", "cost", "drop ballot", "add ballot", "voter id"]),
)
def test_the_fingerprint_changes_when_an_input_changes(
    election: Election, rule: str, change: str
) -> None:
    projects = election.projects
    ballots = election.ballots
    budget = election.budget
    if change == "budget":
        budget += 1
    elif change == "cost":
        projects = (Project(projects[0].id, projects[0].cost + 1),) + projects[1:]
    elif change == "drop ballot":
        ballots = ballots[:-1]
    elif change == "add ballot":
        ballots = ballots + (Ballot("extra", (projects[0].id,)),)
    else:
        ballots = (Ballot(ballots[0].voter_id + "x", ballots[0].choices),) + ballots[1:]
    assume(ballots)  # elections without ballots are covered by a plain test below
    changed = Election(budget, projects, ballots, election.kind)
    before = allocate(election, rule=rule)
    after = allocate(changed, rule=rule)
    assert before.input_fingerprint != after.input_fingerprint
    assert before.fingerprint != after.fingerprint


@SETTINGS
@given(election=elections(BallotKind.APPROVAL))
def test_the_fingerprint_changes_with_the_rule_or_its_parameters(election: Election) -> None:
    prints = {
        allocate(election, rule="greedy").fingerprint,
        allocate(election, rule="greedy-no-skip").fingerprint,
        allocate(election, rule="greedy", tie_break="default", seed="a").fingerprint,
        allocate(election, rule="greedy", tie_break="default", seed="b").fingerprint,
        allocate(election, rule="mes").fingerprint,
        allocate(election, rule="mes", greedy_fill=True).fingerprint,
        allocate(election, rule="mes-add1", add1_stop="exhaustive").fingerprint,
        allocate(election, rule="mes-add1", add1_stop="overspend").fingerprint,
    }
    assert len(prints) == 8


# --- tie-breaks and thresholds ------------------------------------------------------------


@SETTINGS
@given(case=any_kind_election)
def test_the_tie_break_rule_changes_nothing_unless_a_tie_was_recorded(
    case: tuple[Election, tuple[str, ...]],
) -> None:
    election, rules = case
    for rule in rules:
        # max-welfare has no rounds: its selection is listed in tie-break order, so only the
        # set is an outcome there; for the other rules the order of the rounds is one too.
        def outcome(result: Result, rule: str = rule) -> object:
            return frozenset(result.selected) if rule == "max-welfare" else result.selected

        lexicographic = allocate(election, rule=rule)
        seeded = [allocate(election, rule=rule, tie_break="default", seed=s) for s in "ab"]
        for other in seeded:
            if outcome(other) != outcome(lexicographic):
                assert lexicographic.tie_breaks and other.tie_breaks, rule
        if not seeded[0].tie_breaks:
            assert outcome(seeded[0]) == outcome(seeded[1]), rule


@SETTINGS
@given(case=any_kind_election, threshold=st.integers(0, 6))
def test_no_rule_funds_a_project_below_the_vote_threshold(
    case: tuple[Election, tuple[str, ...]], threshold: int
) -> None:
    election, rules = case
    borda = "pabutools" if election.kind is BallotKind.ORDINAL else None
    profile = build_profile(election, borda=BordaConvention.PABUTOOLS)
    scores = dict(zip(profile.project_ids, profile.scores, strict=True))
    for rule in rules:
        result = allocate(election, rule=rule, threshold=threshold, borda=borda)
        for project_id in result.selected:
            assert scores[project_id] >= threshold, (rule, project_id)
        for e in result.explanations:
            if scores[e.project_id] < threshold:
                assert e.reason is Reason.BELOW_THRESHOLD, (rule, e.project_id)


# --- degenerate inputs --------------------------------------------------------------------


def test_every_rule_accepts_an_election_without_ballots() -> None:
    election = Election(10, (Project("a", 4), Project("b", 7)), (), BallotKind.APPROVAL)
    for rule in RULES:
        result = allocate(election, rule=rule)
        assert result.spent <= election.budget, rule


def test_every_rule_accepts_a_budget_of_zero() -> None:
    election = Election(
        0, (Project("a", 4), Project("b", 0)), (Ballot("v", ("a", "b")),), BallotKind.APPROVAL
    )
    for rule in RULES:
        result = allocate(election, rule=rule)
        assert result.spent == 0, rule
        assert "a" not in result.selected, rule
