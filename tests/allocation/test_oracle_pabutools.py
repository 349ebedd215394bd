"""Parity with the reference implementation, pabutools 1.2.3, on random small elections.

pabutools is a test oracle only (it is slow, and hard-requires the proprietary gurobipy,
so it is installed with ``pip install --no-deps pabutools==1.2.3`` plus numpy, gmpy2,
natsort, pulp, prefsampling and preflibtools); this file is skipped when it is absent.

Mapping (lexicographic tie-breaking on the project id everywhere, pabutools'
``lexico_tie_breaking``; utilities as in /work/shared/data/pabulib/README.md):

- ``greedy`` (approval) = ``greedy_utilitarian_welfare`` with ``Cost_Sat``; selection order
  compared.
- ``greedy-cost`` = ``greedy_utilitarian_welfare`` with ``Cardinality_Sat`` (approval),
  ``Additive_Cardinal_Sat`` (cumulative) or ``Additive_Borda_Sat`` (ordinal, L-1..0);
  selection order compared.
- ``mes`` = ``method_of_equal_shares`` with ``Cost_Sat`` / points / Borda; order compared.
- ``mes-add1`` (``add1_stop="exhaustive"``) = ``method_of_equal_shares(...,
  voter_budget_increment=1)``: per-voter budget raised one unit until the outcome is
  exhaustive or would overspend.
- ``mes-add1`` (``add1_stop="overspend"``) = ``exhaustion_by_budget_increase`` over
  ``method_of_equal_shares`` with ``exhaustive_stop=False`` and a total-budget step of n
  (one unit per voter): raised until the next outcome would overspend. When every project
  with supporters is funded we stop raising (recorded as "all candidates funded") while
  pabutools goes on to its budget bound; the set is then the same but the order of the
  rounds may differ, so only the set is compared in that case.
- ``greedy_fill=True`` after ``mes`` / ``mes-add1`` = ``completion_by_rule_combination`` of
  that MES and ``greedy_utilitarian_welfare`` with the same satisfaction.
- ``utility="cardinality"`` for approval ballots = the same rules with ``Cardinality_Sat``.
- ``phragmen`` = ``sequential_phragmen``; pabutools returns its selection sorted, so sets are
  compared.
- ``max-welfare`` = ``max_additive_utilitarian_welfare`` with the ILP solver and
  ``resoluteness=False`` (every optimal set; pabutools itself breaks no tie): ours must be
  one of them, and the one our lexicographic rule picks (``welfare.py``: the set holding
  the smallest id of the symmetric difference wins).
"""

from __future__ import annotations

from fractions import Fraction
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from budgets.allocation.engine import allocate
from budgets.allocation.pabulib import read_pabulib
from budgets.allocation.profile import BordaConvention, Profile, build_profile
from budgets.allocation.types import Ballot, BallotKind, Election, Project

pytest.importorskip(
    "pabutools.rules",
    reason="pabutools is not installed (pip install --no-deps pabutools==1.2.3 numpy gmpy2 "
    "natsort pulp prefsampling preflibtools): the parity oracle cannot run",
)

from pabutools import election as pb  # noqa: E402
from pabutools import rules as pr  # noqa: E402
from pabutools.tiebreaking import lexico_tie_breaking  # noqa: E402

# pulp (used by pabutools' ILP) warns about its own coming 4.0 API on every call.
pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning")

IDS = ("1", "2", "10", "11", "a", "B", "p9", "20")

SETTINGS = settings(
    max_examples=30,
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.too_slow],
)


@st.composite
def elections(draw: st.DrawFn, kind: BallotKind, min_cost: int = 1) -> Election:
    ids = draw(st.lists(st.sampled_from(IDS), min_size=1, max_size=6, unique=True))
    palette = draw(st.sampled_from([(2, 4), (3,), tuple(range(min_cost, 7)), tuple(range(1, 25))]))
    if min_cost == 0:
        palette = (0, *palette)
    costs = draw(st.lists(st.sampled_from(palette), min_size=len(ids), max_size=len(ids)))
    budget = draw(st.integers(0, sum(costs) + 1))
    n = draw(st.integers(1, 9))
    ballots = []
    least = 0 if kind is BallotKind.APPROVAL else 1
    for v in range(n):
        chosen = draw(
            st.lists(st.sampled_from(ids), min_size=least, max_size=len(ids), unique=True)
        )
        points: tuple[int, ...] = ()
        if kind is BallotKind.CUMULATIVE:
            points = tuple(
                draw(st.lists(st.integers(1, 4), min_size=len(chosen), max_size=len(chosen)))
            )
        ballots.append(Ballot(f"v{v}", tuple(chosen), points))
    projects = tuple(Project(i, c) for i, c in zip(ids, costs, strict=True))
    return Election(budget, projects, tuple(ballots), kind)


def to_pabutools(election: Election) -> tuple[Any, Any, Any]:
    """Instance, profile and the satisfaction class pabutools uses for ``election``'s kind."""
    projects = {p.id: pb.Project(p.id, p.cost) for p in election.projects}
    instance = pb.Instance(projects.values(), budget_limit=election.budget)
    if election.kind is BallotKind.APPROVAL:
        ballots = [pb.ApprovalBallot(projects[c] for c in b.choices) for b in election.ballots]
        return instance, pb.ApprovalProfile(ballots, instance=instance), pb.Cost_Sat
    if election.kind is BallotKind.CUMULATIVE:
        cumulative = [
            pb.CumulativeBallot({projects[c]: p for c, p in zip(b.choices, b.points, strict=True)})
            for b in election.ballots
        ]
        profile = pb.CumulativeProfile(cumulative, instance=instance)
        return instance, profile, pb.Additive_Cardinal_Sat
    ordinal = [pb.OrdinalBallot([projects[c] for c in b.choices]) for b in election.ballots]
    return instance, pb.OrdinalProfile(ordinal, instance=instance), pb.Additive_Borda_Sat


def pabutools_outcome(
    election: Election, rule: str, *, greedy_fill: bool = False, cardinality: bool = False
) -> list[str]:
    """pabutools' selection for ``rule``, in its order (see the module docstring)."""
    instance, profile, sat = to_pabutools(election)
    if cardinality:
        sat = pb.Cardinality_Sat
    tie = lexico_tie_breaking
    if greedy_fill:
        first: dict[str, Any] = {"sat_class": sat, "tie_breaking": tie}
        if rule == "mes-add1":
            first["voter_budget_increment"] = 1
        out = pr.completion_by_rule_combination(
            instance,
            profile,
            [pr.method_of_equal_shares, pr.greedy_utilitarian_welfare],
            [first, {"sat_class": sat, "tie_breaking": tie}],
        )
    elif rule == "greedy":
        out = pr.greedy_utilitarian_welfare(instance, profile, sat_class=sat, tie_breaking=tie)
    elif rule == "greedy-cost":
        if election.kind is BallotKind.APPROVAL:
            sat = pb.Cardinality_Sat
        out = pr.greedy_utilitarian_welfare(instance, profile, sat_class=sat, tie_breaking=tie)
    elif rule == "mes":
        out = pr.method_of_equal_shares(instance, profile, sat_class=sat, tie_breaking=tie)
    elif rule == "mes-add1":
        out = pr.method_of_equal_shares(
            instance, profile, sat_class=sat, tie_breaking=tie, voter_budget_increment=1
        )
    elif rule == "mes-add1-overspend":
        out = pr.exhaustion_by_budget_increase(
            instance,
            profile,
            pr.method_of_equal_shares,
            rule_params={"sat_class": sat, "tie_breaking": tie},
            exhaustive_stop=False,
            budget_step=len(election.ballots),
        )
    elif rule == "phragmen":
        out = pr.sequential_phragmen(instance, profile, tie_breaking=tie)
    else:
        raise ValueError(rule)
    return [p.name for p in out]


def pabutools_optima(election: Election) -> list[set[str]]:
    """Every budget allocation of maximum welfare, per pabutools' ILP."""
    instance, profile, sat = to_pabutools(election)
    outs = pr.max_additive_utilitarian_welfare(
        instance,
        profile,
        sat_class=sat,
        resoluteness=False,
        inner_algo=pr.MaxAddUtilWelfareAlgo.ILP_SOLVER,
    )
    return [{p.name for p in out} for out in outs]


def profile_of(election: Election) -> Profile:
    return build_profile(election, borda=BordaConvention.PABUTOOLS)


def ours(election: Election, rule: str, **options: Any) -> list[str]:
    borda = "pabutools" if election.kind is BallotKind.ORDINAL else None
    return list(allocate(election, rule=rule, borda=borda, **options).selected)


def lexicographic_pick(optima: list[set[str]]) -> set[str]:
    best = optima[0]
    for other in optima[1:]:
        if other != best and min(other ^ best) in other:
            best = other
    return best


approval = elections(BallotKind.APPROVAL)
scored = st.one_of(elections(BallotKind.CUMULATIVE), elections(BallotKind.ORDINAL))


@SETTINGS
@given(election=approval)
def test_greedy_selects_what_pabutools_selects_in_the_same_order(election: Election) -> None:
    assert ours(election, "greedy") == pabutools_outcome(election, "greedy")


@SETTINGS
@given(election=st.one_of(approval, scored))
def test_greedy_cost_selects_what_pabutools_selects_in_the_same_order(election: Election) -> None:
    assert ours(election, "greedy-cost") == pabutools_outcome(election, "greedy-cost")


@SETTINGS
@given(election=st.one_of(approval, scored))
def test_mes_selects_what_pabutools_selects_in_the_same_order(election: Election) -> None:
    assert ours(election, "mes") == pabutools_outcome(election, "mes")


@SETTINGS
@given(election=st.one_of(approval, scored))
def test_mes_add1_exhaustive_selects_what_pabutools_selects(election: Election) -> None:
    assert ours(election, "mes-add1") == pabutools_outcome(election, "mes-add1")


@SETTINGS
@given(election=st.one_of(approval, scored))
def test_mes_add1_overspend_selects_what_pabutools_budget_increase_selects(
    election: Election,
) -> None:
    borda = "pabutools" if election.kind is BallotKind.ORDINAL else None
    result = allocate(election, rule="mes-add1", add1_stop="overspend", borda=borda)
    reference = pabutools_outcome(election, "mes-add1-overspend")
    if dict(result.details)["add1_stopped_because"] == "all candidates funded":
        assert sorted(result.selected) == sorted(reference)
    else:
        assert list(result.selected) == reference


@settings(SETTINGS, max_examples=20)
@given(election=st.one_of(approval, scored), rule=st.sampled_from(["mes", "mes-add1"]))
def test_mes_with_greedy_fill_selects_what_pabutools_rule_combination_selects(
    election: Election, rule: str
) -> None:
    assert ours(election, rule, greedy_fill=True) == pabutools_outcome(
        election, rule, greedy_fill=True
    )


@settings(SETTINGS, max_examples=20)
@given(election=approval, rule=st.sampled_from(["mes", "mes-add1"]))
def test_mes_with_cardinality_utilities_selects_what_pabutools_selects(
    election: Election, rule: str
) -> None:
    assert ours(election, rule, utility="cardinality") == pabutools_outcome(
        election, rule, cardinality=True
    )


@SETTINGS
@given(election=approval)
def test_phragmen_selects_what_pabutools_selects(election: Election) -> None:
    assert sorted(ours(election, "phragmen")) == sorted(pabutools_outcome(election, "phragmen"))


@settings(SETTINGS, max_examples=15)
@given(election=st.one_of(approval, scored))
def test_max_welfare_is_the_lexicographic_choice_among_pabutools_optima(
    election: Election,
) -> None:
    # pabutools lists optima with and without zero-utility projects; we never fund those
    # (welfare.py), so they are taken out before comparing.
    profile = profile_of(election)
    utility = dict(zip(profile.project_ids, profile.total_utility, strict=True))
    optima = []
    for optimum in pabutools_optima(election):
        useful = {p for p in optimum if utility[p] > 0}
        if useful not in optima:
            optima.append(useful)
    chosen = set(ours(election, "max-welfare"))
    assert chosen in optima
    assert chosen == lexicographic_pick(optima)


@SETTINGS
@given(election=elections(BallotKind.APPROVAL, min_cost=0))
def test_with_free_projects_every_rule_selects_the_same_set_as_pabutools(
    election: Election,
) -> None:
    for rule in ("greedy", "greedy-cost", "mes", "mes-add1", "phragmen"):
        assert sorted(ours(election, rule)) == sorted(pabutools_outcome(election, rule)), rule


@pytest.mark.parametrize("rule", ["greedy", "greedy-cost", "mes", "mes-add1", "phragmen"])
def test_an_election_without_ballots_gives_what_pabutools_gives(rule: str) -> None:
    election = Election(10, (Project("b", 4), Project("a", 7)), (), BallotKind.APPROVAL)
    assert sorted(ours(election, rule)) == sorted(pabutools_outcome(election, rule))


def test_greedy_funds_a_free_project_in_pabutools_order() -> None:
    # Cost_Sat gives a free project zero satisfaction, so pabutools ranks it last by
    # satisfaction per cost (0), after "b" (1 vote per unit), although both have 1 vote.
    election = Election(
        1, (Project("a", 0), Project("b", 1)), (Ballot("v", ("a", "b")),), BallotKind.APPROVAL
    )
    assert pabutools_outcome(election, "greedy") == ["b", "a"]
    assert ours(election, "greedy") == ["b", "a"]


# --- a real file, read by both implementations ---------------------------------------------

DATA = Path(__file__).resolve().parents[3] / "shared" / "data" / "pabulib"
ASSEN = DATA / "Netherlands_Assen_2024.pb"


@pytest.mark.skipif(not ASSEN.is_file(), reason=f"pabulib data file absent: {ASSEN}")
def test_assen_2024_read_by_both_gives_the_same_election_and_the_same_outcomes() -> None:
    ours_election = read_pabulib(ASSEN)
    instance, profile = pb.parse_pabulib(str(ASSEN))
    assert ours_election.scale == 1
    assert ours_election.budget == instance.budget_limit
    assert {p.id: p.cost for p in ours_election.projects} == {p.name: p.cost for p in instance}
    assert sorted(sorted(b.choices) for b in ours_election.ballots) == sorted(
        sorted(p.name for p in ballot) for ballot in profile
    )
    tie = lexico_tie_breaking
    profile = profile.as_multiprofile()  # identical ballots grouped: same outcomes, faster
    reference = {
        "greedy": pr.greedy_utilitarian_welfare(
            instance, profile, sat_class=pb.Cost_Sat, tie_breaking=tie
        ),
        "greedy-cost": pr.greedy_utilitarian_welfare(
            instance, profile, sat_class=pb.Cardinality_Sat, tie_breaking=tie
        ),
        "mes": pr.method_of_equal_shares(
            instance, profile, sat_class=pb.Cost_Sat, tie_breaking=tie
        ),
        "mes-add1": pr.method_of_equal_shares(
            instance, profile, sat_class=pb.Cost_Sat, tie_breaking=tie, voter_budget_increment=1
        ),
    }
    for rule, outcome in reference.items():
        assert ours(ours_election, rule) == [p.name for p in outcome], rule
    phragmen = pr.sequential_phragmen(instance, profile, tie_breaking=tie)
    assert sorted(ours(ours_election, "phragmen")) == sorted(p.name for p in phragmen)


@settings(SETTINGS, max_examples=20)
@given(election=approval, rule=st.sampled_from(["mes", "mes-add1"]))
def test_amounts_in_cents_raise_one_currency_unit_per_add1_step_like_pabutools(
    election: Election, rule: str
) -> None:
    # The same election with every amount a hundred times larger and scale 100 is the same
    # election in cents: pabutools gets the amounts in currency units (exact fractions).
    in_cents = Election(
        election.budget * 100 + 37,
        tuple(Project(p.id, p.cost * 100 + 13) for p in election.projects),
        election.ballots,
        election.kind,
        scale=100,
    )
    projects = {p.id: pb.Project(p.id, Fraction(p.cost, 100)) for p in in_cents.projects}
    instance = pb.Instance(projects.values(), budget_limit=Fraction(in_cents.budget, 100))
    profile = pb.ApprovalProfile(
        [pb.ApprovalBallot(projects[c] for c in b.choices) for b in in_cents.ballots],
        instance=instance,
    )
    increment = {"voter_budget_increment": 1} if rule == "mes-add1" else {}
    reference = pr.method_of_equal_shares(
        instance, profile, sat_class=pb.Cost_Sat, tie_breaking=lexico_tie_breaking, **increment
    )
    assert ours(in_cents, rule) == [p.name for p in reference]
