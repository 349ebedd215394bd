"""French sentences for ballot problems found by ``budgets.allocation.ballots``.

``validate_ballot`` (pure, no Django) returns ``Problem`` values with a stable ``code`` and
numbers; this module turns each one into a sentence for the voter, through Django's
gettext so that the English interface can translate it. Message ids are French (the
interface language), with ``%(name)s`` placeholders as Django's ``makemessages`` expects.

Money parameters (``total``, ``cap``, ``floor``) are integer cents and are shown in euros
(``1 200,50 €``); a project id is shown by its name when ``project_names`` knows it.
Every ``ProblemCode`` has a sentence (a test checks it), so a voter never sees a code.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping

from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop, ngettext

from budgets.allocation.ballots import ParamValue, Problem, ProblemCode
from budgets.money import format_euros

MONEY_PARAMS = frozenset({"total", "cap", "floor"})


def _empty(p: dict[str, str], raw: dict[str, ParamValue]) -> str:
    return _("Votre bulletin est vide : choisissez au moins un projet.")


def _too_few(p: dict[str, str], raw: dict[str, ParamValue]) -> str:
    # Literal ngettext call so that makemessages extracts both forms.
    return (
        ngettext(
            "Vous avez choisi %(count)s projet ; le minimum est %(minimum)s.",
            "Vous avez choisi %(count)s projets ; le minimum est %(minimum)s.",
            int(raw["count"]),
        )
        % p
    )


def _too_many(p: dict[str, str], raw: dict[str, ParamValue]) -> str:
    # Literal ngettext call so that makemessages extracts both forms.
    return (
        ngettext(
            "Vous avez choisi %(count)s projet ; le maximum est %(maximum)s.",
            "Vous avez choisi %(count)s projets ; le maximum est %(maximum)s.",
            int(raw["count"]),
        )
        % p
    )


def _simple(message: str) -> Callable[[dict[str, str], dict[str, ParamValue]], str]:
    # ``message`` is marked for makemessages with gettext_noop where it is written (the full
    # name: makemessages does not know aliases) in _SENTENCES and translated here, at call
    # time, in the active language.
    def render(p: dict[str, str], raw: dict[str, ParamValue]) -> str:
        return _(message) % p

    return render


_SENTENCES: Mapping[ProblemCode, Callable[[dict[str, str], dict[str, ParamValue]], str]] = {
    ProblemCode.EMPTY_BALLOT: _empty,
    ProblemCode.TOO_FEW_CHOICES: _too_few,
    ProblemCode.TOO_MANY_CHOICES: _too_many,
    ProblemCode.UNKNOWN_PROJECT: _simple(
        gettext_noop("Le projet « %(project)s » ne fait pas partie de ce vote.")
    ),
    ProblemCode.DUPLICATE_CHOICE: _simple(
        gettext_noop("Le projet « %(project)s » figure plusieurs fois sur votre bulletin.")
    ),
    ProblemCode.OVER_BUDGET: _simple(
        gettext_noop("Vos choix coûtent %(total)s ; le maximum est %(cap)s.")
    ),
    ProblemCode.UNDER_FLOOR: _simple(
        gettext_noop("Vos choix coûtent %(total)s ; vous devez dépenser au moins %(floor)s.")
    ),
    ProblemCode.UNEXPECTED_POINTS: _simple(
        gettext_noop("Ce vote ne se fait pas par points : choisissez seulement des projets.")
    ),
    ProblemCode.POINTS_MISMATCH: _simple(
        gettext_noop(
            "Le nombre de valeurs de points (%(points)s) ne correspond pas au nombre "
            "de projets (%(choices)s) : donnez une valeur à chaque projet."
        )
    ),
    ProblemCode.NEGATIVE_POINTS: _simple(
        gettext_noop(
            "Vous avez donné %(points)s points au projet « %(project)s » ; "
            "les points ne peuvent pas être négatifs."
        )
    ),
    ProblemCode.POINTS_OVER_MAX: _simple(
        gettext_noop(
            "Vous avez donné %(points)s points au projet « %(project)s » ; "
            "le maximum par projet est %(maximum)s."
        )
    ),
    ProblemCode.POINTS_TOTAL_OVER_MAX: _simple(
        gettext_noop("Vous avez donné %(total)s points en tout ; le maximum est %(maximum)s.")
    ),
    ProblemCode.POINTS_TOTAL_UNDER_MIN: _simple(
        gettext_noop("Vous avez donné %(total)s points en tout ; le minimum est %(minimum)s.")
    ),
    ProblemCode.SCORE_BELOW_MIN: _simple(
        gettext_noop(
            "Vous avez noté le projet « %(project)s » %(score)s ; la note minimale est %(minimum)s."
        )
    ),
    ProblemCode.SCORE_ABOVE_MAX: _simple(
        gettext_noop(
            "Vous avez noté le projet « %(project)s » %(score)s ; la note maximale est %(maximum)s."
        )
    ),
}


def message_for(problem: Problem, *, project_names: Mapping[str, str] | None = None) -> str:
    """The sentence shown to the voter for ``problem``, in the active language.

    Money parameters are formatted in euros (cents in, ``"1 200,00 €"`` out); a project id
    is replaced by its name from ``project_names`` when present. Points-based totals
    (cumulative ballots) are plain numbers.
    """
    raw = problem.params_dict()
    shown: dict[str, str] = {}
    for name, value in raw.items():
        if name in MONEY_PARAMS and problem.code in (
            ProblemCode.OVER_BUDGET,
            ProblemCode.UNDER_FLOOR,
        ):
            shown[name] = format_euros(int(value))
        elif name == "project" and project_names is not None:
            shown[name] = project_names.get(str(value), str(value))
        else:
            shown[name] = str(value)
    return _SENTENCES[problem.code](shown, raw)


def messages_for(
    problems: tuple[Problem, ...], *, project_names: Mapping[str, str] | None = None
) -> list[str]:
    """``message_for`` over several problems, in order (for ``InvalidBallot(problems=...)``)."""
    return [message_for(p, project_names=project_names) for p in problems]
