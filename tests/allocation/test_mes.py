"""Method of Equal Shares and its add1 completion (budgets/allocation/mes.py).

References: pabutools 1.2.3 outcomes in /work/shared/data/pabulib/expected.json (lexicographic
tie-breaking; cost utilities for approval, points for cumulative, pabutools Borda for
ordinal), the cities' official winners, and the unit-step definition of add1 (every step
computed, ``naive=True``) for the leaps that skip steps. Every result is checked priceable:
replayed in exact rational arithmetic, every funded project is paid exactly by its
supporters, nobody pays more than the initial share, and at the end no unfunded project's
supporters can pay for it.
"""

from __future__ import annotations

import json
import random
from fractions import Fraction
from functools import cache
from pathlib import Path

import pytest

from budgets.allocation.mes import Add1Stop, MesEngine, MesRun, explain_run
from budgets.allocation.pabulib import read_pabulib
from budgets.allocation.profile import Utility, build_profile
from budgets.allocation.result import Reason
from budgets.allocation.tiebreak import make_tiebreaker
from budgets.allocation.types import Ballot, BallotKind, Election, Project

DATA = Path(__file__).resolve().parents[3] / "shared" / "data" / "pabulib"
EXPECTED = json.loads((DATA / "expected.json").read_text()) if DATA.is_dir() else {}
needs_data = pytest.mark.skipif(not EXPECTED, reason=f"pabulib data folder absent: {DATA}")

MES_FILES = sorted(n for n, e in EXPECTED.items() if e["rules"].get("mes", {}).get("selected"))
ADD1_FILES = sorted(
    n for n, e in EXPECTED.items() if e["rules"].get("mes-add1", {}).get("selected")
)
SMALL_ADD1_FILES = [
    "Netherlands_Assen_2024.pb",
    "Poland_Swiecie_2023.pb",
    "Poland_Wieliczka_2023_Green_Budget.pb",
    "Poland_Wroclaw_2015_150_-_500.pb",
]


@cache
def shared_engine(name: str) -> tuple[Election, MesEngine]:
    election = read_pabulib(DATA / name)
    profile = build_profile(election)
    return election, MesEngine(profile, make_tiebreaker(profile, "lexicographic"))


def engine_for(
    election: Election, *, utility: Utility | None = None, tie: str = "lexicographic"
) -> MesEngine:
    profile = build_profile(election, utility=utility)
    return MesEngine(profile, make_tiebreaker(profile, tie, seed="seed"))


def ids(engine: MesEngine, projects: tuple[int, ...]) -> list[str]:
    return [engine.profile.project_ids[p] for p in projects]


def assert_priceable(engine: MesEngine, run: MesRun) -> None:
    """Replay ``run`` exactly: MES prices pay every funded project, within the shares."""
    profile = engine.profile
    mult = profile.multiplicity
    money: dict[int, Fraction] = {}
    for rnd in run.rounds:
        p = rnd.project
        cost = profile.costs[p]
        if rnd.rho is None:
            assert cost == 0
            continue
        paid = Fraction(0)
        for g, u in zip(profile.supporters[p], profile.supporter_utilities[p], strict=True):
            have = money.get(g, run.share)
            pay = min(have, rnd.rho * u)
            money[g] = have - pay
            paid += mult[g] * pay
        assert paid == cost, f"project {profile.project_ids[p]} paid {paid} of {cost}"
    assert all(m >= 0 for m in money.values())
    funded = set(run.selected)
    assert len(funded) == len(run.selected)
    for p in engine.candidates:
        if p not in funded:
            left = sum(
                (mult[g] * money.get(g, run.share) for g in profile.supporters[p]), Fraction(0)
            )
            assert left < profile.costs[p], f"{profile.project_ids[p]} was still affordable"


# ---------------------------------------------------------------- parity with pabutools


@needs_data
def test_every_file_with_a_mes_reference_is_covered() -> None:
    assert len(MES_FILES) == 10
    assert {"Poland_Lodz_2022.pb", "Poland_Warszawa_2026.pb"} <= set(ADD1_FILES)


@needs_data
@pytest.mark.parametrize("name", MES_FILES)
def test_mes_funds_what_pabutools_funds_in_the_same_order(name: str) -> None:
    election, engine = shared_engine(name)
    expected = EXPECTED[name]["rules"]["mes"]
    run = engine.run(Fraction(election.budget, engine.num_voters))
    assert ids(engine, run.selected) == expected["selection_order"]
    assert Fraction(engine.cost_of(run.selected), election.scale) == Fraction(expected["spent"])
    assert_priceable(engine, run)


@needs_data
@pytest.mark.parametrize("name", ADD1_FILES)
def test_mes_add1_exhaustive_funds_what_the_reference_funds(name: str) -> None:
    election, engine = shared_engine(name)
    expected = EXPECTED[name]["rules"]["mes-add1"]
    result = engine.add1(Add1Stop.EXHAUSTIVE, election.scale)
    assert sorted(ids(engine, result.run.selected)) == sorted(expected["selected"])
    if expected.get("selection_order"):
        assert ids(engine, result.run.selected) == expected["selection_order"]
    spent = engine.cost_of(result.run.selected)
    assert Fraction(spent, election.scale) == Fraction(expected["spent"])
    assert result.run.share == result.first.share + result.steps * election.scale
    assert_priceable(engine, result.run)


@needs_data
@pytest.mark.parametrize("name", ["Poland_Swiecie_2023.pb", "Netherlands_Assen_2024.pb"])
def test_mes_add1_exhaustive_reproduces_the_official_winners(name: str) -> None:
    election, engine = shared_engine(name)
    result = engine.add1(Add1Stop.EXHAUSTIVE, election.scale)
    assert sorted(ids(engine, result.run.selected)) == sorted(EXPECTED[name]["official_selected"])


@needs_data
def test_mes_add1_overspend_reproduces_wieliczka_2023_and_exhaustive_does_not() -> None:
    name = "Poland_Wieliczka_2023_Green_Budget.pb"
    election, engine = shared_engine(name)
    official = sorted(EXPECTED[name]["official_selected"])
    overspend = engine.add1(Add1Stop.OVERSPEND, election.scale)
    assert sorted(ids(engine, overspend.run.selected)) == official
    assert (len(overspend.run.selected), engine.cost_of(overspend.run.selected)) == (30, 995079)
    assert overspend.reason == "next step overspends"
    exhaustive = engine.add1(Add1Stop.EXHAUSTIVE, election.scale)
    assert (len(exhaustive.run.selected), engine.cost_of(exhaustive.run.selected)) == (31, 984579)
    assert exhaustive.reason == "exhaustive"
    assert_priceable(engine, overspend.run)


@needs_data
@pytest.mark.parametrize("name", SMALL_ADD1_FILES)
@pytest.mark.parametrize("stop", list(Add1Stop))
def test_add1_leaps_give_the_unit_step_result_on_real_files(name: str, stop: Add1Stop) -> None:
    election, engine = shared_engine(name)
    fast = engine.add1(stop, election.scale)
    naive = engine.add1(stop, election.scale, naive=True)
    assert fast.run == naive.run
    assert (fast.steps, fast.reason) == (naive.steps, naive.reason)


# ---------------------------------------------------------------- random elections


def random_election(seed: int, kind: BallotKind = BallotKind.APPROVAL) -> Election:
    """Small elections built to tie: few distinct costs and supports."""
    rng = random.Random(seed)
    n = rng.randint(2, 8)
    projects = tuple(
        Project(id=f"p{i}", cost=rng.choice((0, 10, 20, 20, 30, 40, 60, 90)) if i else 30)
        for i in range(n)
    )
    ballots = []
    for v in range(rng.randint(1, 14)):
        chosen = rng.sample([p.id for p in projects], rng.randint(0, n))
        points = tuple(rng.randint(1, 3) for _ in chosen) if kind is BallotKind.CUMULATIVE else ()
        ballots.append(Ballot(voter_id=str(v), choices=tuple(chosen), points=points))
    budget = rng.randint(20, sum(p.cost for p in projects) + 20)
    return Election(budget=budget, projects=projects, ballots=tuple(ballots), kind=kind)


CONFIGS = [
    (BallotKind.APPROVAL, Utility.COST, "lexicographic"),
    (BallotKind.APPROVAL, Utility.CARDINALITY, "lexicographic"),
    (BallotKind.APPROVAL, Utility.COST, "default"),
    (BallotKind.CUMULATIVE, None, "lexicographic"),
]


@pytest.mark.parametrize(("kind", "utility", "tie"), CONFIGS)
def test_fast_runs_equal_rational_runs_on_random_elections(
    kind: BallotKind, utility: Utility | None, tie: str
) -> None:
    ties = 0
    for seed in range(120):
        election = random_election(seed, kind)
        if not election.ballots:
            continue
        engine = engine_for(election, utility=utility, tie=tie)
        for extra in (0, 1, 3, 7):
            share = Fraction(election.budget, engine.num_voters) + extra
            fast = engine.run(share)
            exact = engine.run_exact(share)
            assert fast.rounds == exact.rounds, (seed, extra)
            assert_priceable(engine, fast)
            ties += sum(1 for r in fast.rounds if r.tied)
    assert ties > 20  # the generator does exercise exact ties


@pytest.mark.parametrize(("kind", "utility", "tie"), CONFIGS)
@pytest.mark.parametrize("stop", list(Add1Stop))
def test_add1_with_leaps_equals_the_unit_step_definition_on_random_elections(
    kind: BallotKind, utility: Utility | None, tie: str, stop: Add1Stop
) -> None:
    for seed in range(60):
        election = random_election(1000 + seed, kind)
        engine = engine_for(election, utility=utility, tie=tie)
        fast = engine.add1(stop, 1)
        naive = engine.add1(stop, 1, naive=True)
        assert fast.run.rounds == naive.run.rounds, seed
        assert (fast.steps, fast.reason) == (naive.steps, naive.reason), seed
        assert engine.cost_of(fast.run.selected) <= election.budget
        assert_priceable(engine, fast.run)


# ---------------------------------------------------------------- hand-made tables


def table_election() -> Election:
    """Three voters, budget 300 (a share of 100 each).

    A (200) is approved by v1 and v2, B (150) by v3, C (60) by v1 and v3. Round 1: A and C
    both cost 1/2 per unit of utility (A: 100 from each of v1, v2; C: 30 each from v1, v3).
    """
    projects = (Project("A", 200), Project("B", 150), Project("C", 60))
    ballots = (
        Ballot("v1", ("A", "C")),
        Ballot("v2", ("A",)),
        Ballot("v3", ("B", "C")),
    )
    return Election(budget=300, projects=projects, ballots=ballots, kind=BallotKind.APPROVAL)


def test_lexicographic_tie_funds_a_then_c_and_explains_every_project() -> None:
    engine = engine_for(table_election())
    run = engine.run(Fraction(100))
    assert ids(engine, run.selected) == ["A", "C"]
    assert [r.rho for r in run.rounds] == [Fraction(1, 2), Fraction(1)]
    assert ids(engine, run.rounds[0].tied) == ["A", "C"]
    explanations, ties = explain_run(
        engine.profile, make_tiebreaker(engine.profile, "lexicographic"), engine, run
    )
    a, b, c = (explanations[i] for i in range(3))
    assert (a.reason, a.round, a.price_per_supporter) == (Reason.FUNDED, 1, 100)
    assert (c.reason, c.round, c.price_per_supporter) == (Reason.FUNDED, 2, 60)
    assert b.reason is Reason.SUPPORTERS_EXHAUSTED
    assert b.note == "its supporters had 40 left for a cost of 150"
    assert [(t.round, t.tied, t.order[0]) for t in ties] == [(1, ("A", "C"), "A")]
    assert_priceable(engine, run)


def test_default_tie_break_prefers_the_cheaper_project_and_a_loses_its_money() -> None:
    engine = engine_for(table_election(), tie="default")
    run = engine.run(Fraction(100))
    # Equal votes (2 each), C is cheaper: C first at 30 each; then A's supporters hold
    # 70 + 100 < 200 and B's 70 < 150.
    assert ids(engine, run.selected) == ["C"]
    explanations, ties = explain_run(
        engine.profile, make_tiebreaker(engine.profile, "default", seed="seed"), engine, run
    )
    assert explanations[0].reason is Reason.LOST_TIE
    assert ties[0].criteria == ("lower cost",)


def test_cardinality_utilities_change_the_price_per_supporter() -> None:
    engine = engine_for(table_election(), utility=Utility.CARDINALITY)
    run = engine.run(Fraction(100))
    # Per unit of utility (one per project): C costs 30 each, A 100 each: C first.
    assert ids(engine, run.selected) == ["C"]
    assert run.rounds[0].rho == 30


def test_a_project_nobody_supports_is_never_funded_even_if_free() -> None:
    election = Election(
        budget=100,
        projects=(Project("free", 0), Project("liked", 50), Project("free-liked", 0)),
        ballots=(Ballot("v1", ("liked", "free-liked")),),
        kind=BallotKind.APPROVAL,
    )
    engine = engine_for(election, utility=Utility.CARDINALITY)
    run = engine.run(Fraction(100))
    assert ids(engine, run.selected) == ["free-liked", "liked"]


def test_add1_keeps_the_last_outcome_that_fits_when_the_next_step_overspends() -> None:
    # Two voters, budget 100 (50 each). Z (40) is approved by both, X (60) by v1, Y (60) by
    # v2. At a share s, Z costs 20 each, then X and Y need s - 20 >= 60: at s = 80 all three
    # are funded (160 > 100); at 79 only Z, which leaves 60 where X would fit.
    election = Election(
        budget=100,
        projects=(Project("X", 60), Project("Y", 60), Project("Z", 40)),
        ballots=(Ballot("v1", ("X", "Z")), Ballot("v2", ("Y", "Z"))),
        kind=BallotKind.APPROVAL,
    )
    engine = engine_for(election)
    for stop in Add1Stop:
        result = engine.add1(stop, 1)
        assert ids(engine, result.run.selected) == ["Z"]
        assert (result.steps, result.run.share) == (29, 79)
        assert result.reason == "next step overspends"
        assert result.run == engine.add1(stop, 1, naive=True).run


def test_an_election_without_ballots_funds_nothing() -> None:
    election = Election(
        budget=100, projects=(Project("A", 0),), ballots=(), kind=BallotKind.APPROVAL
    )
    engine = engine_for(election)
    assert engine.add1(Add1Stop.EXHAUSTIVE, 1).run.selected == ()


def test_runs_on_one_engine_share_its_buffers_without_leaking_money_between_shares() -> None:
    """The fast path reuses its money arrays from run to run, and widens them past 64
    rounds: runs in any order of shares, before and after the widening, equal fresh
    rational runs."""
    rng = random.Random(7)
    projects = tuple(Project(id=f"p{i:02d}", cost=rng.choice((10, 20, 30))) for i in range(70))
    ballots = tuple(
        Ballot(voter_id=str(v), choices=tuple(rng.sample([p.id for p in projects], 40)))
        for v in range(25)
    )
    budget = sum(p.cost for p in projects) * 3 // 4
    election = Election(budget=budget, projects=projects, ballots=ballots, kind=BallotKind.APPROVAL)
    engine = engine_for(election)
    base = Fraction(budget, len(ballots))
    rounds = 0
    for extra in (40, 0, 7, 40, 1):
        fast = engine.run(base + extra)
        assert fast.rounds == engine_for(election).run_exact(base + extra).rounds, extra
        assert not fast.exact
        rounds = max(rounds, len(fast.rounds))
    assert rounds > 64  # the widening happened, and runs after it were checked
