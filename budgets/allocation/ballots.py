"""Ballot methods of the product, their constraints, and a pure admissibility check.

A *ballot method* is what a voter is asked to do on the voting page. Each method has a
frozen rules dataclass carrying its constraints:

- ``ApprovalRules``: approve between ``min_choices`` and ``max_choices`` projects.
- ``KnapsackRules``: approve projects whose total cost is at most the cap (the envelope
  by default, Decidim's "budgeting" component) and, optionally, at least a floor given as
  a share of the envelope (Decidim's ``vote_threshold_percent``: "spend at least 50%").
- ``Choose1Rules``: exactly one project (pabulib ``choose-1``).
- ``CumulativeRules``: spread points, at most ``max_per_project`` on one project and
  between ``min_total`` and ``max_total`` in all (pabulib ``cumulative``).
- ``RankingRules``: rank up to ``max_length`` projects, best first, each at most once
  (pabulib ``ordinal``).
- ``ScoreRules``: give each chosen project a score between ``min_score`` and
  ``max_score`` (pabulib ``scoring``).

``validate_ballot`` returns every problem it finds as a tuple of ``Problem`` values (empty
tuple: the ballot is admissible). It never raises on a bad ballot and never stops at the
first problem, so a form can show them all. Each ``Problem`` has a stable ``code`` (the
contract with the interface, see ``voting/ballot_messages.py`` for the French text), the
numbers involved as ``params`` and an English default ``message``. Problems come in a
fixed order: shape of the points, then per-choice problems in ballot order (unknown,
duplicate, points), then counts, then totals; so the same ballot always yields the same
tuple.

Money is integer smallest units; the floor is ``ceil(envelope * floor_share)`` computed
exactly with ``fractions.Fraction`` (a ballot spending exactly the floor is admissible).
A floor nobody could reach is lowered: when every project on offer that fits the cap, taken
together, still fits the cap, the floor is at most their total cost (so a ballot choosing
them all is admissible). ``effective_floor`` gives the figure the check uses.

How each method feeds the allocation rules (``utility_basis``) follows the conventions of
pabutools 1.2.3 and of ``/work/shared/data/pabulib/README.md``: approval-like ballots
(approval, knapsack, choose-1) give cost or cardinality utilities, cumulative ballots their
points, rankings Borda points, score ballots their scores. The utilities themselves are
computed by ``budgets.allocation.profile.build_profile`` for a whole ``Election``; this
module only names the basis (reusing ``profile.default_utility``), so there is one
implementation of utilities.

Reference for the shapes: pabulib format description (Faliszewski et al., "Participatory
Budgeting: Data, Tools, and Analysis", IJCAI 2023) and Decidim's budgeting component.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from fractions import Fraction
from math import ceil

from budgets.allocation.profile import APPROVAL_KINDS, Utility, default_utility
from budgets.allocation.types import Ballot, BallotKind, Project

ParamValue = int | str


class ProblemCode(StrEnum):
    """Stable identifiers of what can be wrong with a ballot (never renamed)."""

    EMPTY_BALLOT = "empty_ballot"
    TOO_FEW_CHOICES = "too_few_choices"
    TOO_MANY_CHOICES = "too_many_choices"
    UNKNOWN_PROJECT = "unknown_project"
    DUPLICATE_CHOICE = "duplicate_choice"
    OVER_BUDGET = "over_budget"
    UNDER_FLOOR = "under_floor"
    UNEXPECTED_POINTS = "unexpected_points"
    POINTS_MISMATCH = "points_mismatch"
    NEGATIVE_POINTS = "negative_points"
    POINTS_OVER_MAX = "points_over_max"
    POINTS_TOTAL_OVER_MAX = "points_total_over_max"
    POINTS_TOTAL_UNDER_MIN = "points_total_under_min"
    SCORE_BELOW_MIN = "score_below_min"
    SCORE_ABOVE_MAX = "score_above_max"


# English default messages, ``str.format`` templates over the problem's params.
ENGLISH_MESSAGES: Mapping[ProblemCode, str] = {
    ProblemCode.EMPTY_BALLOT: "The ballot is empty.",
    ProblemCode.TOO_FEW_CHOICES: "You chose {count} projects; the minimum is {minimum}.",
    ProblemCode.TOO_MANY_CHOICES: "You chose {count} projects; the maximum is {maximum}.",
    ProblemCode.UNKNOWN_PROJECT: "Project {project} is not on this ballot.",
    ProblemCode.DUPLICATE_CHOICE: "Project {project} appears more than once.",
    ProblemCode.OVER_BUDGET: "Your choices cost {total}; the maximum is {cap}.",
    ProblemCode.UNDER_FLOOR: "Your choices cost {total}; you must spend at least {floor}.",
    ProblemCode.UNEXPECTED_POINTS: "This ballot takes no points.",
    ProblemCode.POINTS_MISMATCH: ("The ballot lists {choices} projects but {points} point values."),
    ProblemCode.NEGATIVE_POINTS: "Project {project} was given {points} points; "
    "points cannot be negative.",
    ProblemCode.POINTS_OVER_MAX: "Project {project} was given {points} points; "
    "the maximum per project is {maximum}.",
    ProblemCode.POINTS_TOTAL_OVER_MAX: "You gave {total} points; the maximum is {maximum}.",
    ProblemCode.POINTS_TOTAL_UNDER_MIN: "You gave {total} points; the minimum is {minimum}.",
    ProblemCode.SCORE_BELOW_MIN: "Project {project} was scored {score}; "
    "the minimum score is {minimum}.",
    ProblemCode.SCORE_ABOVE_MAX: "Project {project} was scored {score}; "
    "the maximum score is {maximum}.",
}


@dataclass(frozen=True, slots=True)
class Problem:
    """One reason a ballot is not admissible.

    ``params`` are ``(name, value)`` pairs in a fixed order per code; values are integers
    (counts, money in smallest units, points) or project ids.
    """

    code: ProblemCode
    params: tuple[tuple[str, ParamValue], ...] = ()

    def param(self, name: str) -> ParamValue:
        """The value of one parameter; ``KeyError`` if this problem has no such parameter."""
        for key, value in self.params:
            if key == name:
                return value
        raise KeyError(name)

    def params_dict(self) -> dict[str, ParamValue]:
        """The parameters as a fresh dict (for ``%``-formatting a translated message)."""
        return dict(self.params)

    @property
    def message(self) -> str:
        """Default English sentence, e.g. ``"You chose 6 projects; the maximum is 5."``."""
        return ENGLISH_MESSAGES[self.code].format(**self.params_dict())


def _problem(code: ProblemCode, **params: ParamValue) -> Problem:
    return Problem(code, tuple(params.items()))


# --- Rules per ballot method -------------------------------------------------------------


def _check_non_negative(**values: int | None) -> None:
    for name, value in values.items():
        if value is not None and value < 0:
            raise ValueError(f"{name} must be >= 0, got {value}")


def _check_order(low_name: str, low: int, high_name: str, high: int | None) -> None:
    if high is not None and low > high:
        raise ValueError(f"{low_name} ({low}) must be <= {high_name} ({high})")


@dataclass(frozen=True, slots=True)
class ApprovalRules:
    """Approve between ``min_choices`` and ``max_choices`` projects (``None``: no maximum)."""

    min_choices: int = 1
    max_choices: int | None = None

    def __post_init__(self) -> None:
        _check_non_negative(min_choices=self.min_choices, max_choices=self.max_choices)
        _check_order("min_choices", self.min_choices, "max_choices", self.max_choices)


@dataclass(frozen=True, slots=True)
class KnapsackRules:
    """Approve projects whose total cost fits the cap (Decidim's budgeting ballot).

    ``envelope`` is the money of the envelope (smallest units). ``cap`` is the most a
    ballot may spend; ``None`` means the envelope. ``floor_share`` is the least share of
    the envelope a ballot must spend (``Fraction(1, 2)``: at least half); the floor in
    money is rounded up. ``min_choices`` / ``max_choices`` optionally bound the count.
    """

    envelope: int
    cap: int | None = None
    floor_share: Fraction = field(default_factory=Fraction)
    min_choices: int = 1
    max_choices: int | None = None

    def __post_init__(self) -> None:
        _check_non_negative(
            envelope=self.envelope,
            cap=self.cap,
            min_choices=self.min_choices,
            max_choices=self.max_choices,
        )
        _check_order("min_choices", self.min_choices, "max_choices", self.max_choices)
        if not 0 <= self.floor_share <= 1:
            raise ValueError(f"floor_share must be between 0 and 1, got {self.floor_share}")
        if self.floor > self.spending_cap:
            raise ValueError(f"floor ({self.floor}) is above the cap ({self.spending_cap})")

    @property
    def spending_cap(self) -> int:
        """The most a ballot may spend, in smallest units."""
        return self.envelope if self.cap is None else self.cap

    @property
    def floor(self) -> int:
        """The least a ballot must spend, in smallest units: ceil(envelope * floor_share)."""
        return ceil(self.envelope * Fraction(self.floor_share))

    def effective_floor(self, projects: Mapping[str, Project]) -> int:
        """``floor``, lowered to the total cost of the projects on offer that fit the cap
        when all of them together fit the cap (otherwise no ballot could reach the floor)."""
        fitting = sum(p.cost for p in projects.values() if p.cost <= self.spending_cap)
        if fitting <= self.spending_cap:
            return min(self.floor, fitting)
        return self.floor


@dataclass(frozen=True, slots=True)
class Choose1Rules:
    """Choose exactly one project."""


@dataclass(frozen=True, slots=True)
class CumulativeRules:
    """Spread points: at most ``max_per_project`` on one project, ``min_total`` to
    ``max_total`` in all. A project listed with 0 points counts as not chosen."""

    max_per_project: int
    max_total: int
    min_total: int = 1

    def __post_init__(self) -> None:
        _check_non_negative(
            max_per_project=self.max_per_project,
            max_total=self.max_total,
            min_total=self.min_total,
        )
        _check_order("min_total", self.min_total, "max_total", self.max_total)


@dataclass(frozen=True, slots=True)
class RankingRules:
    """Rank between ``min_length`` and ``max_length`` projects, best first, no repeats."""

    max_length: int | None = None
    min_length: int = 1

    def __post_init__(self) -> None:
        _check_non_negative(min_length=self.min_length, max_length=self.max_length)
        _check_order("min_length", self.min_length, "max_length", self.max_length)


@dataclass(frozen=True, slots=True)
class ScoreRules:
    """Score between ``min_choices`` and ``max_choices`` projects, each score in
    ``[min_score, max_score]``."""

    min_score: int
    max_score: int
    min_choices: int = 1
    max_choices: int | None = None

    def __post_init__(self) -> None:
        _check_order("min_score", self.min_score, "max_score", self.max_score)
        _check_non_negative(min_choices=self.min_choices, max_choices=self.max_choices)
        _check_order("min_choices", self.min_choices, "max_choices", self.max_choices)


BallotRules = (
    ApprovalRules | KnapsackRules | Choose1Rules | CumulativeRules | RankingRules | ScoreRules
)


def kind_of(rules: BallotRules) -> BallotKind:
    """The ballot kind (``types.BallotKind``) a rules value describes."""
    if isinstance(rules, ApprovalRules):
        return BallotKind.APPROVAL
    if isinstance(rules, KnapsackRules):
        return BallotKind.KNAPSACK
    if isinstance(rules, Choose1Rules):
        return BallotKind.CHOOSE_1
    if isinstance(rules, CumulativeRules):
        return BallotKind.CUMULATIVE
    if isinstance(rules, RankingRules):
        return BallotKind.ORDINAL
    return BallotKind.SCORING


# --- Validation ----------------------------------------------------------------------------


def _choice_problems(
    ballot: Ballot, projects: Mapping[str, Project]
) -> tuple[list[Problem], list[int]]:
    """Unknown and duplicate choices, in ballot order; and the indexes of valid choices."""
    problems: list[Problem] = []
    kept: list[int] = []
    seen: set[str] = set()
    for index, project_id in enumerate(ballot.choices):
        if project_id in seen:
            problems.append(_problem(ProblemCode.DUPLICATE_CHOICE, project=project_id))
            continue
        seen.add(project_id)
        if project_id not in projects:
            problems.append(_problem(ProblemCode.UNKNOWN_PROJECT, project=project_id))
            continue
        kept.append(index)
    return problems, kept


def _count_problems(count: int, minimum: int, maximum: int | None) -> list[Problem]:
    if count == 0 and minimum > 0:
        return [_problem(ProblemCode.EMPTY_BALLOT)]
    if count < minimum:
        return [_problem(ProblemCode.TOO_FEW_CHOICES, count=count, minimum=minimum)]
    if maximum is not None and count > maximum:
        return [_problem(ProblemCode.TOO_MANY_CHOICES, count=count, maximum=maximum)]
    return []


def _no_points(ballot: Ballot) -> list[Problem]:
    return [_problem(ProblemCode.UNEXPECTED_POINTS)] if ballot.points else []


def _points_shape(ballot: Ballot) -> list[Problem]:
    if len(ballot.points) != len(ballot.choices):
        return [
            _problem(
                ProblemCode.POINTS_MISMATCH,
                choices=len(ballot.choices),
                points=len(ballot.points),
            )
        ]
    return []


def _validate_approval_like(
    ballot: Ballot,
    projects: Mapping[str, Project],
    minimum: int,
    maximum: int | None,
    knapsack: KnapsackRules | None,
) -> list[Problem]:
    problems = _no_points(ballot)
    choice_problems, kept = _choice_problems(ballot, projects)
    problems += choice_problems
    # Count what the voter chose (distinct ids), so a duplicate is not also "too many".
    count_problems = _count_problems(len(set(ballot.choices)), minimum, maximum)
    problems += count_problems
    is_empty = bool(count_problems) and count_problems[0].code is ProblemCode.EMPTY_BALLOT
    if knapsack is not None:
        total = sum(projects[ballot.choices[i]].cost for i in kept)
        if total > knapsack.spending_cap:
            problems.append(
                _problem(ProblemCode.OVER_BUDGET, total=total, cap=knapsack.spending_cap)
            )
        elif not is_empty and total < (floor := knapsack.effective_floor(projects)):
            problems.append(_problem(ProblemCode.UNDER_FLOOR, total=total, floor=floor))
    return problems


def _validate_cumulative(
    ballot: Ballot, rules: CumulativeRules, projects: Mapping[str, Project]
) -> list[Problem]:
    problems = _points_shape(ballot)
    if problems:
        return problems
    choice_problems, _ = _choice_problems(ballot, projects)
    problems += choice_problems
    for project_id, points in zip(ballot.choices, ballot.points, strict=True):
        if points < 0:
            problems.append(
                _problem(ProblemCode.NEGATIVE_POINTS, project=project_id, points=points)
            )
        elif points > rules.max_per_project:
            problems.append(
                _problem(
                    ProblemCode.POINTS_OVER_MAX,
                    project=project_id,
                    points=points,
                    maximum=rules.max_per_project,
                )
            )
    total = sum(p for p in ballot.points if p > 0)
    if total == 0 and rules.min_total > 0:
        problems.append(_problem(ProblemCode.EMPTY_BALLOT))
    elif total < rules.min_total:
        problems.append(
            _problem(ProblemCode.POINTS_TOTAL_UNDER_MIN, total=total, minimum=rules.min_total)
        )
    elif total > rules.max_total:
        problems.append(
            _problem(ProblemCode.POINTS_TOTAL_OVER_MAX, total=total, maximum=rules.max_total)
        )
    return problems


def _validate_ranking(
    ballot: Ballot, rules: RankingRules, projects: Mapping[str, Project]
) -> list[Problem]:
    problems = _no_points(ballot)
    choice_problems, _ = _choice_problems(ballot, projects)
    problems += choice_problems
    problems += _count_problems(len(set(ballot.choices)), rules.min_length, rules.max_length)
    return problems


def _validate_score(
    ballot: Ballot, rules: ScoreRules, projects: Mapping[str, Project]
) -> list[Problem]:
    problems = _points_shape(ballot)
    if problems:
        return problems
    choice_problems, _ = _choice_problems(ballot, projects)
    problems += choice_problems
    for project_id, score in zip(ballot.choices, ballot.points, strict=True):
        if score < rules.min_score:
            problems.append(
                _problem(
                    ProblemCode.SCORE_BELOW_MIN,
                    project=project_id,
                    score=score,
                    minimum=rules.min_score,
                )
            )
        elif score > rules.max_score:
            problems.append(
                _problem(
                    ProblemCode.SCORE_ABOVE_MAX,
                    project=project_id,
                    score=score,
                    maximum=rules.max_score,
                )
            )
    problems += _count_problems(len(set(ballot.choices)), rules.min_choices, rules.max_choices)
    return problems


def validate_ballot(
    ballot: Ballot, *, rules: BallotRules, projects: Mapping[str, Project]
) -> tuple[Problem, ...]:
    """Every reason ``ballot`` is not admissible under ``rules``; ``()`` if it is admissible.

    ``projects`` maps the ids on offer (one envelope's projects) to their ``Project``.
    Guarantees: pure (no I/O, no mutation), deterministic order of problems (see module
    docstring), never raises for any ``Ballot`` value. Money compares in exact integers.
    """
    problems: list[Problem]
    if isinstance(rules, ApprovalRules):
        problems = _validate_approval_like(
            ballot, projects, rules.min_choices, rules.max_choices, None
        )
    elif isinstance(rules, KnapsackRules):
        problems = _validate_approval_like(
            ballot, projects, rules.min_choices, rules.max_choices, rules
        )
    elif isinstance(rules, Choose1Rules):
        problems = _validate_approval_like(ballot, projects, 1, 1, None)
    elif isinstance(rules, CumulativeRules):
        problems = _validate_cumulative(ballot, rules, projects)
    elif isinstance(rules, RankingRules):
        problems = _validate_ranking(ballot, rules, projects)
    else:
        problems = _validate_score(ballot, rules, projects)
    return tuple(problems)


# --- How each method feeds the rules -------------------------------------------------------


class UtilityBasis(StrEnum):
    """What a voter's utility for a chosen project is, per ballot kind."""

    COST = "cost"  # approval-like, cost utilities: utility = project cost
    CARDINALITY = "cardinality"  # approval-like, 1 per approved project
    POINTS = "points"  # cumulative: the points given
    BORDA = "borda"  # ordinal: Borda points from the rank (convention: profile.BordaConvention)
    SCORE = "score"  # scoring: the score given


def utility_basis(kind: BallotKind, *, utility: Utility | None = None) -> UtilityBasis:
    """The utility basis the rules use for ballots of ``kind``.

    ``utility`` is the engine's parameter (``profile.Utility``); ``None`` takes
    ``profile.default_utility(kind)``, exactly as ``engine.allocate`` does. For approval-like
    kinds it chooses cost (pabutools ``Cost_Sat``) or cardinality (``Cardinality_Sat``); for
    the other kinds the ballot's own score is used, and cost utilities raise ``ValueError``
    as ``profile.build_profile`` does. The numbers themselves come from ``build_profile``.
    """
    chosen = default_utility(kind) if utility is None else utility
    if kind in APPROVAL_KINDS:
        return UtilityBasis.COST if chosen is Utility.COST else UtilityBasis.CARDINALITY
    if chosen is Utility.COST:
        raise ValueError(f"cost utilities need approval-like ballots, not {kind.value}")
    if kind is BallotKind.CUMULATIVE:
        return UtilityBasis.POINTS
    if kind is BallotKind.ORDINAL:
        return UtilityBasis.BORDA
    return UtilityBasis.SCORE
