"""Table tests for ballot methods: every kind, every problem code, the boundaries.

Each row is (ballot, rules, expected problems). Expected problems are written out in full
(code and numbers), so a change of order, code or parameter breaks a test.
"""

from __future__ import annotations

from fractions import Fraction

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from budgets.allocation.ballots import (
    ApprovalRules,
    BallotRules,
    Choose1Rules,
    CumulativeRules,
    KnapsackRules,
    Problem,
    ProblemCode,
    RankingRules,
    ScoreRules,
    UtilityBasis,
    kind_of,
    utility_basis,
    validate_ballot,
)
from budgets.allocation.profile import Utility
from budgets.allocation.types import Ballot, BallotKind, Project

# Six projects: costs in cents, envelope 100_000 (1,000.00 €).
PROJECTS = {
    p.id: p
    for p in (
        Project("a", 10_000),
        Project("b", 20_000),
        Project("c", 30_000),
        Project("d", 40_000),
        Project("e", 50_000),
        Project("f", 60_000),
    )
}
ENVELOPE = 100_000


def ballot(*choices: str, points: tuple[int, ...] = ()) -> Ballot:
    return Ballot(voter_id="v1", choices=tuple(choices), points=points)


def problem(code: ProblemCode, **params: int | str) -> Problem:
    return Problem(code, tuple(params.items()))


C = ProblemCode

CASES: list[tuple[str, Ballot, BallotRules, tuple[Problem, ...]]] = [
    # --- approval ---
    ("approval accepts one choice", ballot("a"), ApprovalRules(), ()),
    (
        "approval accepts exactly the maximum",
        ballot("a", "b", "c"),
        ApprovalRules(max_choices=3),
        (),
    ),
    (
        "approval refuses one over the maximum",
        ballot("a", "b", "c", "d"),
        ApprovalRules(max_choices=3),
        (problem(C.TOO_MANY_CHOICES, count=4, maximum=3),),
    ),
    (
        "approval accepts exactly the minimum",
        ballot("a", "b"),
        ApprovalRules(min_choices=2),
        (),
    ),
    (
        "approval refuses one under the minimum",
        ballot("a"),
        ApprovalRules(min_choices=2),
        (problem(C.TOO_FEW_CHOICES, count=1, minimum=2),),
    ),
    ("approval refuses an empty ballot", ballot(), ApprovalRules(), (problem(C.EMPTY_BALLOT),)),
    (
        "approval accepts an empty ballot when the minimum is zero",
        ballot(),
        ApprovalRules(min_choices=0),
        (),
    ),
    (
        "approval approving every project has no cost limit",
        ballot("a", "b", "c", "d", "e", "f"),
        ApprovalRules(),
        (),
    ),
    (
        "approval reports an unknown project",
        ballot("a", "zz"),
        ApprovalRules(),
        (problem(C.UNKNOWN_PROJECT, project="zz"),),
    ),
    (
        "approval reports a duplicate once and does not count it twice",
        ballot("a", "b", "a"),
        ApprovalRules(max_choices=2),
        (problem(C.DUPLICATE_CHOICE, project="a"),),
    ),
    (
        "approval refuses points",
        ballot("a", points=(3,)),
        ApprovalRules(),
        (problem(C.UNEXPECTED_POINTS),),
    ),
    (
        "approval reports every problem in a fixed order",
        ballot("zz", "a", "a", "b", "c", points=(1, 1, 1, 1, 1)),
        ApprovalRules(max_choices=2),
        (
            problem(C.UNEXPECTED_POINTS),
            problem(C.UNKNOWN_PROJECT, project="zz"),
            problem(C.DUPLICATE_CHOICE, project="a"),
            problem(C.TOO_MANY_CHOICES, count=4, maximum=2),
        ),
    ),
    # --- knapsack ---
    (
        "knapsack accepts a total exactly at the envelope",
        ballot("a", "b", "d", "c"),
        KnapsackRules(envelope=ENVELOPE),
        (),
    ),
    (
        "knapsack refuses a total one cent over the envelope",
        ballot("a", "b", "d", "c"),
        KnapsackRules(envelope=ENVELOPE - 1),
        (problem(C.OVER_BUDGET, total=100_000, cap=99_999),),
    ),
    (
        "knapsack uses an explicit cap instead of the envelope",
        ballot("c", "d"),
        KnapsackRules(envelope=ENVELOPE, cap=60_000),
        (problem(C.OVER_BUDGET, total=70_000, cap=60_000),),
    ),
    (
        "knapsack accepts a total exactly at the floor",
        ballot("e"),
        KnapsackRules(envelope=ENVELOPE, floor_share=Fraction(1, 2)),
        (),
    ),
    (
        "knapsack refuses a total under the floor",
        ballot("a", "c"),
        KnapsackRules(envelope=ENVELOPE, floor_share=Fraction(1, 2)),
        (problem(C.UNDER_FLOOR, total=40_000, floor=50_000),),
    ),
    (
        "knapsack rounds the floor up to the next cent",
        ballot("c"),
        KnapsackRules(envelope=90_001, floor_share=Fraction(1, 3)),
        (problem(C.UNDER_FLOOR, total=30_000, floor=30_001),),
    ),
    (
        "knapsack reports an empty ballot rather than a floor",
        ballot(),
        KnapsackRules(envelope=ENVELOPE, floor_share=Fraction(1, 2)),
        (problem(C.EMPTY_BALLOT),),
    ),
    (
        "knapsack with no minimum count still enforces the floor on an empty ballot",
        ballot(),
        KnapsackRules(envelope=ENVELOPE, floor_share=Fraction(1, 2), min_choices=0),
        (problem(C.UNDER_FLOOR, total=0, floor=50_000),),
    ),
    (
        "knapsack ignores unknown projects in the total and counts a duplicate once",
        ballot("f", "zz", "f", "c"),
        KnapsackRules(envelope=ENVELOPE),
        (
            problem(C.UNKNOWN_PROJECT, project="zz"),
            problem(C.DUPLICATE_CHOICE, project="f"),
        ),
    ),
    (
        "knapsack also bounds the number of projects",
        ballot("a", "b", "c"),
        KnapsackRules(envelope=ENVELOPE, max_choices=2),
        (problem(C.TOO_MANY_CHOICES, count=3, maximum=2),),
    ),
    (
        "knapsack reports count and money problems together",
        ballot("d", "e", "f"),
        KnapsackRules(envelope=ENVELOPE, max_choices=2),
        (
            problem(C.TOO_MANY_CHOICES, count=3, maximum=2),
            problem(C.OVER_BUDGET, total=150_000, cap=100_000),
        ),
    ),
    # --- choose-1 ---
    ("choose-1 accepts one project", ballot("f"), Choose1Rules(), ()),
    (
        "choose-1 refuses two projects",
        ballot("a", "b"),
        Choose1Rules(),
        (problem(C.TOO_MANY_CHOICES, count=2, maximum=1),),
    ),
    ("choose-1 refuses an empty ballot", ballot(), Choose1Rules(), (problem(C.EMPTY_BALLOT),)),
    (
        "choose-1 refuses an unknown project",
        ballot("zz"),
        Choose1Rules(),
        (problem(C.UNKNOWN_PROJECT, project="zz"),),
    ),
    # --- cumulative ---
    (
        "cumulative accepts points at both maxima",
        ballot("a", "b", points=(5, 5)),
        CumulativeRules(max_per_project=5, max_total=10),
        (),
    ),
    (
        "cumulative refuses one point over the per-project maximum",
        ballot("a", "b", points=(6, 1)),
        CumulativeRules(max_per_project=5, max_total=10),
        (problem(C.POINTS_OVER_MAX, project="a", points=6, maximum=5),),
    ),
    (
        "cumulative refuses one point over the total",
        ballot("a", "b", "c", points=(5, 5, 1)),
        CumulativeRules(max_per_project=5, max_total=10),
        (problem(C.POINTS_TOTAL_OVER_MAX, total=11, maximum=10),),
    ),
    (
        "cumulative refuses a total under the minimum",
        ballot("a", points=(3,)),
        CumulativeRules(max_per_project=5, max_total=10, min_total=4),
        (problem(C.POINTS_TOTAL_UNDER_MIN, total=3, minimum=4),),
    ),
    (
        "cumulative accepts a total exactly at the minimum",
        ballot("a", points=(4,)),
        CumulativeRules(max_per_project=5, max_total=10, min_total=4),
        (),
    ),
    (
        "cumulative refuses negative points and does not let them lower the total",
        ballot("a", "b", "c", points=(-3, 5, 5)),
        CumulativeRules(max_per_project=5, max_total=10),
        (problem(C.NEGATIVE_POINTS, project="a", points=-3),),
    ),
    (
        "cumulative treats all-zero points as an empty ballot",
        ballot("a", points=(0,)),
        CumulativeRules(max_per_project=5, max_total=10),
        (problem(C.EMPTY_BALLOT),),
    ),
    (
        "cumulative refuses points that do not match the choices",
        ballot("a", "b", points=(1,)),
        CumulativeRules(max_per_project=5, max_total=10),
        (problem(C.POINTS_MISMATCH, choices=2, points=1),),
    ),
    (
        "cumulative reports unknown and duplicate projects",
        ballot("zz", "a", "a", points=(1, 1, 1)),
        CumulativeRules(max_per_project=5, max_total=10),
        (
            problem(C.UNKNOWN_PROJECT, project="zz"),
            problem(C.DUPLICATE_CHOICE, project="a"),
        ),
    ),
    # --- ranking ---
    (
        "ranking accepts exactly the maximum length",
        ballot("c", "a", "b"),
        RankingRules(max_length=3),
        (),
    ),
    (
        "ranking refuses one over the maximum length",
        ballot("c", "a", "b", "d"),
        RankingRules(max_length=3),
        (problem(C.TOO_MANY_CHOICES, count=4, maximum=3),),
    ),
    (
        "ranking refuses the same project twice",
        ballot("c", "a", "c"),
        RankingRules(max_length=3),
        (problem(C.DUPLICATE_CHOICE, project="c"),),
    ),
    (
        "ranking refuses a ranking shorter than required",
        ballot("c"),
        RankingRules(min_length=2),
        (problem(C.TOO_FEW_CHOICES, count=1, minimum=2),),
    ),
    ("ranking refuses an empty ranking", ballot(), RankingRules(), (problem(C.EMPTY_BALLOT),)),
    (
        "ranking refuses points",
        ballot("a", points=(1,)),
        RankingRules(),
        (problem(C.UNEXPECTED_POINTS),),
    ),
    # --- score ---
    (
        "score accepts scores at both bounds",
        ballot("a", "b", points=(0, 10)),
        ScoreRules(min_score=0, max_score=10),
        (),
    ),
    (
        "score refuses a score one under the minimum",
        ballot("a", points=(-1,)),
        ScoreRules(min_score=0, max_score=10),
        (problem(C.SCORE_BELOW_MIN, project="a", score=-1, minimum=0),),
    ),
    (
        "score refuses a score one over the maximum",
        ballot("a", points=(11,)),
        ScoreRules(min_score=0, max_score=10),
        (problem(C.SCORE_ABOVE_MAX, project="a", score=11, maximum=10),),
    ),
    (
        "score accepts negative scores when the scale allows them",
        ballot("a", points=(-2,)),
        ScoreRules(min_score=-2, max_score=2),
        (),
    ),
    (
        "score refuses scores that do not match the choices",
        ballot("a", points=()),
        ScoreRules(min_score=0, max_score=10),
        (problem(C.POINTS_MISMATCH, choices=1, points=0),),
    ),
    (
        "score bounds the number of scored projects",
        ballot("a", "b", "c", points=(1, 1, 1)),
        ScoreRules(min_score=0, max_score=10, max_choices=2),
        (problem(C.TOO_MANY_CHOICES, count=3, maximum=2),),
    ),
    (
        "score refuses an empty ballot",
        ballot(),
        ScoreRules(min_score=0, max_score=10),
        (problem(C.EMPTY_BALLOT),),
    ),
    (
        "score reports an unknown project",
        ballot("zz", points=(1,)),
        ScoreRules(min_score=0, max_score=10),
        (problem(C.UNKNOWN_PROJECT, project="zz"),),
    ),
]


@pytest.mark.parametrize(
    ("the_ballot", "rules", "expected"),
    [pytest.param(b, r, e, id=name) for name, b, r, e in CASES],
)
def test_validate_ballot_reports_exactly_the_expected_problems(
    the_ballot: Ballot, rules: BallotRules, expected: tuple[Problem, ...]
) -> None:
    assert validate_ballot(the_ballot, rules=rules, projects=PROJECTS) == expected


def test_every_problem_code_is_exercised_by_a_table_case() -> None:
    seen = {p.code for _, _, _, expected in CASES for p in expected}
    assert seen == set(ProblemCode)


def test_every_ballot_kind_has_an_admissible_and_an_inadmissible_case() -> None:
    admissible = {kind_of(r) for _, _, r, e in CASES if not e}
    inadmissible = {kind_of(r) for _, _, r, e in CASES if e}
    assert admissible == inadmissible == set(BallotKind)


@pytest.mark.parametrize(
    ("the_problem", "english"),
    [
        (
            problem(C.TOO_MANY_CHOICES, count=6, maximum=5),
            "You chose 6 projects; the maximum is 5.",
        ),
        (
            problem(C.OVER_BUDGET, total=120_000, cap=100_000),
            "Your choices cost 120000; the maximum is 100000.",
        ),
        (problem(C.UNKNOWN_PROJECT, project="zz"), "Project zz is not on this ballot."),
        (problem(C.EMPTY_BALLOT), "The ballot is empty."),
    ],
)
def test_problem_message_fills_the_english_template(the_problem: Problem, english: str) -> None:
    assert the_problem.message == english


def test_every_problem_from_the_table_renders_an_english_message_without_placeholders() -> None:
    for _, _, _, expected in CASES:
        for p in expected:
            assert "{" not in p.message and p.message.endswith(".")


def test_problem_param_returns_a_value_and_raises_for_a_missing_name() -> None:
    p = problem(C.POINTS_OVER_MAX, project="a", points=6, maximum=5)
    assert p.param("maximum") == 5
    assert p.params_dict() == {"project": "a", "points": 6, "maximum": 5}
    with pytest.raises(KeyError):
        p.param("minimum")


def test_validate_ballot_does_not_depend_on_the_projects_mapping_order() -> None:
    reversed_projects = dict(reversed(list(PROJECTS.items())))
    rules = KnapsackRules(envelope=ENVELOPE, max_choices=2)
    b = ballot("f", "zz", "e", "f", "a")
    assert validate_ballot(b, rules=rules, projects=reversed_projects) == validate_ballot(
        b, rules=rules, projects=PROJECTS
    )


def test_problems_are_hashable_so_they_can_be_collected_in_sets() -> None:
    assert len({problem(C.EMPTY_BALLOT), problem(C.EMPTY_BALLOT)}) == 1


def test_knapsack_floor_is_lowered_when_the_projects_on_offer_cannot_reach_it() -> None:
    few = {p.id: p for p in (Project("a", 10_000), Project("b", 20_000))}
    rules = KnapsackRules(envelope=ENVELOPE, floor_share=Fraction(1, 2))
    assert rules.effective_floor(few) == 30_000
    assert validate_ballot(ballot("a", "b"), rules=rules, projects=few) == ()
    assert validate_ballot(ballot("b"), rules=rules, projects=few) == (
        problem(C.UNDER_FLOOR, total=20_000, floor=30_000),
    )


def test_knapsack_floor_ignores_projects_over_the_cap_when_lowering_it() -> None:
    offer = {p.id: p for p in (Project("a", 10_000), Project("huge", 150_000))}
    rules = KnapsackRules(envelope=ENVELOPE, floor_share=Fraction(1, 2))
    assert rules.effective_floor(offer) == 10_000
    assert validate_ballot(ballot("a"), rules=rules, projects=offer) == ()


def test_knapsack_floor_is_kept_when_the_projects_on_offer_can_reach_it() -> None:
    rules = KnapsackRules(envelope=ENVELOPE, floor_share=Fraction(1, 2))
    assert rules.effective_floor(PROJECTS) == 50_000


def test_knapsack_floor_and_cap_are_exact_integers() -> None:
    rules = KnapsackRules(envelope=100_001, floor_share=Fraction(1, 2))
    assert rules.floor == 50_001
    assert rules.spending_cap == 100_001
    assert KnapsackRules(envelope=100_000, cap=70_000).spending_cap == 70_000


@pytest.mark.parametrize(
    "make",
    [
        lambda: ApprovalRules(min_choices=3, max_choices=2),
        lambda: ApprovalRules(min_choices=-1),
        lambda: KnapsackRules(envelope=-1),
        lambda: KnapsackRules(envelope=100, floor_share=Fraction(3, 2)),
        lambda: KnapsackRules(envelope=100, cap=40, floor_share=Fraction(1, 2)),
        lambda: CumulativeRules(max_per_project=5, max_total=3, min_total=4),
        lambda: CumulativeRules(max_per_project=-1, max_total=3),
        lambda: RankingRules(max_length=1, min_length=2),
        lambda: ScoreRules(min_score=5, max_score=1),
        lambda: ScoreRules(min_score=0, max_score=1, min_choices=2, max_choices=1),
    ],
    ids=[
        "approval min over max",
        "approval negative min",
        "knapsack negative envelope",
        "knapsack floor share over one",
        "knapsack floor above cap",
        "cumulative min total over max total",
        "cumulative negative per-project max",
        "ranking min over max",
        "score min over max",
        "score min choices over max choices",
    ],
)
def test_incoherent_rules_are_refused_when_built(make: object) -> None:
    assert callable(make)
    with pytest.raises(ValueError):
        make()


@pytest.mark.parametrize(
    ("kind", "utility", "basis"),
    [
        (BallotKind.APPROVAL, None, UtilityBasis.COST),
        (BallotKind.APPROVAL, Utility.COST, UtilityBasis.COST),
        (BallotKind.APPROVAL, Utility.CARDINALITY, UtilityBasis.CARDINALITY),
        (BallotKind.KNAPSACK, None, UtilityBasis.COST),
        (BallotKind.CHOOSE_1, Utility.CARDINALITY, UtilityBasis.CARDINALITY),
        (BallotKind.CUMULATIVE, None, UtilityBasis.POINTS),
        (BallotKind.CUMULATIVE, Utility.CARDINALITY, UtilityBasis.POINTS),
        (BallotKind.ORDINAL, None, UtilityBasis.BORDA),
        (BallotKind.SCORING, None, UtilityBasis.SCORE),
    ],
)
def test_utility_basis_follows_the_ballot_kind(
    kind: BallotKind, utility: Utility | None, basis: UtilityBasis
) -> None:
    assert utility_basis(kind, utility=utility) is basis


@pytest.mark.parametrize("kind", [BallotKind.CUMULATIVE, BallotKind.ORDINAL, BallotKind.SCORING])
def test_utility_basis_refuses_cost_utilities_for_scored_ballots(kind: BallotKind) -> None:
    with pytest.raises(ValueError):
        utility_basis(kind, utility=Utility.COST)


def test_importing_ballots_loads_no_django() -> None:
    import subprocess
    import sys

    code = (
        "import sys, budgets.allocation.ballots; "
        "sys.exit(1 if any(m == 'django' or m.startswith('django.') for m in sys.modules) else 0)"
    )
    assert subprocess.run([sys.executable, "-c", code], check=False).returncode == 0


# --- properties -----------------------------------------------------------------------------

ANY_RULES = st.one_of(
    st.builds(
        ApprovalRules,
        min_choices=st.integers(0, 2),
        max_choices=st.one_of(st.none(), st.integers(2, 4)),
    ),
    st.builds(
        KnapsackRules,
        envelope=st.integers(30_000, 200_000),
        floor_share=st.sampled_from([Fraction(0), Fraction(1, 3), Fraction(1, 2)]),
    ),
    st.just(Choose1Rules()),
    st.builds(
        CumulativeRules,
        max_per_project=st.integers(0, 5),
        max_total=st.integers(3, 10),
        min_total=st.integers(0, 3),
    ),
    st.builds(RankingRules, max_length=st.one_of(st.none(), st.integers(1, 4))),
    st.builds(ScoreRules, min_score=st.integers(-2, 0), max_score=st.integers(1, 5)),
)


@st.composite
def rules_and_ballot(draw: st.DrawFn) -> tuple[BallotRules, Ballot]:
    """Mostly well-formed ballots for the rules drawn (so that admissible ones are common),
    sometimes not: an unknown id or a repeat, points where none belong, or points missing."""
    rules = draw(ANY_RULES)
    most = draw(st.sampled_from([1, 2, 3, 6]))
    choices = draw(st.lists(st.sampled_from(sorted(PROJECTS)), max_size=most, unique=True))
    if draw(st.integers(0, 4)) == 0:
        choices.insert(draw(st.integers(0, len(choices))), draw(st.sampled_from(["zz", "", "a"])))
    takes_points = isinstance(rules, CumulativeRules | ScoreRules)
    if draw(st.integers(0, 4)) == 0:
        size = draw(st.integers(0, 7))
    else:
        size = len(choices) if takes_points else 0
    points = draw(st.lists(st.integers(-1, 6), min_size=size, max_size=size))
    return rules, Ballot("v", tuple(choices), tuple(points))


def plainly_admissible(b: Ballot, rules: BallotRules) -> bool:
    """The rules restated directly, independently of validate_ballot's code."""
    ids = list(b.choices)
    if len(set(ids)) != len(ids) or any(i not in PROJECTS for i in ids):
        return False
    if isinstance(rules, CumulativeRules | ScoreRules):
        if len(b.points) != len(ids):
            return False
    elif b.points:
        return False
    if isinstance(rules, ApprovalRules):
        return rules.min_choices <= len(ids) <= (rules.max_choices or len(ids))
    if isinstance(rules, KnapsackRules):
        total = sum(PROJECTS[i].cost for i in ids)
        return (
            rules.min_choices <= len(ids)
            and total <= rules.spending_cap
            and total >= rules.effective_floor(PROJECTS)
        )
    if isinstance(rules, Choose1Rules):
        return len(ids) == 1
    if isinstance(rules, CumulativeRules):
        total = sum(b.points)
        return (
            all(0 <= p <= rules.max_per_project for p in b.points)
            and rules.min_total <= total <= rules.max_total
            and (total > 0 or rules.min_total == 0)
        )
    if isinstance(rules, RankingRules):
        return rules.min_length <= len(ids) <= (rules.max_length or len(ids))
    return rules.min_choices <= len(ids) and all(
        rules.min_score <= p <= rules.max_score for p in b.points
    )


@settings(max_examples=400, deadline=None, derandomize=True)
@given(case=rules_and_ballot())
def test_validate_ballot_never_raises_and_accepts_exactly_the_admissible_ballots(
    case: tuple[BallotRules, Ballot],
) -> None:
    rules, the_ballot = case
    problems = validate_ballot(the_ballot, rules=rules, projects=PROJECTS)
    assert all(isinstance(p, Problem) and p.message for p in problems)
    assert (problems == ()) == plainly_admissible(the_ballot, rules)
    assert validate_ballot(the_ballot, rules=rules, projects=PROJECTS) == problems
