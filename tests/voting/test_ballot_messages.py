"""French sentences for every ballot problem code (voting/ballot_messages.py)."""

from __future__ import annotations

import pytest
from django.utils import translation

from budgets.allocation.ballots import Problem, ProblemCode
from budgets.money import format_euros
from voting.ballot_messages import message_for, messages_for

NBSP = "\u00a0"
NNBSP = "\u202f"


def problem(code: ProblemCode, **params: int | str) -> Problem:
    return Problem(code, tuple(params.items()))


C = ProblemCode

SAMPLES: list[tuple[Problem, str]] = [
    (problem(C.EMPTY_BALLOT), "Votre bulletin est vide : choisissez au moins un projet."),
    (
        problem(C.TOO_FEW_CHOICES, count=1, minimum=2),
        "Vous avez choisi 1 projet ; le minimum est 2.",
    ),
    (
        problem(C.TOO_MANY_CHOICES, count=6, maximum=5),
        "Vous avez choisi 6 projets ; le maximum est 5.",
    ),
    (
        problem(C.UNKNOWN_PROJECT, project="p9"),
        "Le projet « p9 » ne fait pas partie de ce vote.",
    ),
    (
        problem(C.DUPLICATE_CHOICE, project="p1"),
        "Le projet « Jardin partagé » figure plusieurs fois sur votre bulletin.",
    ),
    (
        problem(C.OVER_BUDGET, total=120_050, cap=100_000),
        f"Vos choix coûtent 1{NNBSP}200,50{NNBSP}€ ; le maximum est 1{NNBSP}000{NNBSP}€.",
    ),
    (
        problem(C.UNDER_FLOOR, total=40_000, floor=50_000),
        f"Vos choix coûtent 400{NNBSP}€ ; vous devez dépenser au moins 500{NNBSP}€.",
    ),
    (
        problem(C.UNEXPECTED_POINTS),
        "Ce vote ne se fait pas par points : choisissez seulement des projets.",
    ),
    (
        problem(C.POINTS_MISMATCH, choices=2, points=1),
        (
            "Le nombre de valeurs de points (1) ne correspond pas au nombre "
            "de projets (2) : donnez une valeur à chaque projet."
        ),
    ),
    (
        problem(C.NEGATIVE_POINTS, project="p1", points=-3),
        (
            "Vous avez donné -3 points au projet « Jardin partagé » ; "
            "les points ne peuvent pas être négatifs."
        ),
    ),
    (
        problem(C.POINTS_OVER_MAX, project="p1", points=6, maximum=5),
        "Vous avez donné 6 points au projet « Jardin partagé » ; le maximum par projet est 5.",
    ),
    (
        problem(C.POINTS_TOTAL_OVER_MAX, total=11, maximum=10),
        "Vous avez donné 11 points en tout ; le maximum est 10.",
    ),
    (
        problem(C.POINTS_TOTAL_UNDER_MIN, total=3, minimum=4),
        "Vous avez donné 3 points en tout ; le minimum est 4.",
    ),
    (
        problem(C.SCORE_BELOW_MIN, project="p1", score=-1, minimum=0),
        "Vous avez noté le projet « Jardin partagé » -1 ; la note minimale est 0.",
    ),
    (
        problem(C.SCORE_ABOVE_MAX, project="p1", score=11, maximum=10),
        "Vous avez noté le projet « Jardin partagé » 11 ; la note maximale est 10.",
    ),
]

NAMES = {"p1": "Jardin partagé"}


@pytest.mark.parametrize(("the_problem", "french"), SAMPLES, ids=[p.code.value for p, _ in SAMPLES])
def test_message_for_gives_the_french_sentence(the_problem: Problem, french: str) -> None:
    with translation.override("fr"):
        assert message_for(the_problem, project_names=NAMES) == french


def test_every_problem_code_has_a_french_sample() -> None:
    assert {p.code for p, _ in SAMPLES} == set(ProblemCode)


def test_message_for_shows_the_project_id_when_no_name_is_known() -> None:
    with translation.override("fr"):
        assert message_for(problem(C.DUPLICATE_CHOICE, project="p1")) == (
            "Le projet « p1 » figure plusieurs fois sur votre bulletin."
        )


def test_messages_for_keeps_the_order_of_the_problems() -> None:
    problems = (problem(C.EMPTY_BALLOT), problem(C.TOO_MANY_CHOICES, count=2, maximum=1))
    with translation.override("fr"):
        assert messages_for(problems) == [
            "Votre bulletin est vide : choisissez au moins un projet.",
            "Vous avez choisi 2 projets ; le maximum est 1.",
        ]


@pytest.mark.parametrize(
    ("cents", "shown"),
    [
        (0, f"0{NNBSP}€"),
        (5, f"0,05{NNBSP}€"),
        (100, f"1{NNBSP}€"),
        (123_456_789, f"1{NNBSP}234{NNBSP}567,89{NNBSP}€"),
        (-250, f"-2,50{NNBSP}€"),
    ],
)
def test_format_euros_writes_cents_the_french_way(cents: int, shown: str) -> None:
    assert format_euros(cents) == shown
