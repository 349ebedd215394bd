"""Recount a pabulib file from the command line (no Django needed).

API::

    main(argv=None, *, stdout=None, stderr=None) -> int   # exit code
    add_arguments(parser)                                  # shared with manage.py recount
    recount(options) -> str                                # the text to print; RecountError
    RecountError(message, code)

Usage::

    python -m budgets.allocation.cli FILE.pb --rule RULE [--tie-break lexicographic|default]
        [--seed TEXT] [--utility cost|cardinality] [--borda city|pabutools]
        [--add1-stop exhaustive|overspend] [--greedy-fill] [--threshold N|P%] [--json]

By default a table in French (the operators' language); ``--json`` prints one JSON object:
:meth:`~budgets.allocation.result.Result.to_json` (``selected`` in selection order, ``spent``,
``rule``, ``parameters``, ``tie_breaks``, ``explanations``, ``fingerprint``, ...) plus
``file``. Money is in smallest units (``1 / scale`` of the file's currency unit).

Exit codes: 0 on success; 2 for a bad command line, an unreadable or malformed file (one line
on stderr naming the file, the line and the problem, never a traceback) or a rule that does
not apply to the file (e.g. phragmen on ranked ballots).
"""

from __future__ import annotations

import argparse
import json
import sys
import typing
from collections.abc import Sequence
from fractions import Fraction
from typing import TextIO

from budgets.allocation.engine import RULES, allocate
from budgets.allocation.pabulib import PabulibError, read_pabulib
from budgets.allocation.result import Reason, Result

__all__ = ["RecountError", "add_arguments", "main", "recount"]

REASONS_FR = {
    Reason.FUNDED: "financé",
    Reason.DID_NOT_FIT: "ne tenait pas dans le reste du budget",
    Reason.SUPPORTERS_EXHAUSTED: "budget de ses soutiens épuisé",
    Reason.LOST_TIE: "a perdu un départage",
    Reason.BELOW_THRESHOLD: "sous le seuil de voix",
    Reason.RULE_STOPPED: "la règle s'est arrêtée avant",
    Reason.NOT_IN_OPTIMUM: "hors de l'ensemble optimal",
}


class RecountError(Exception):
    """A recount that cannot be done; ``code`` is the exit code."""

    def __init__(self, message: str, code: int = 2) -> None:
        super().__init__(message)
        self.code = code


class _Parser(argparse.ArgumentParser):
    """An argument parser that reports a bad command line as a :class:`RecountError`."""

    def error(self, message: str) -> typing.NoReturn:
        raise RecountError(f"{message} (see --help)")


def _threshold(text: str) -> int | Fraction:
    """``100`` = minimum score; ``5%`` or ``0.05`` = minimum share of voters."""
    try:
        if text.endswith("%"):
            value = Fraction(text[:-1].strip()) / 100
        elif "." in text or "/" in text:
            value = Fraction(text)
        else:
            count = int(text)
            if count < 0:
                raise ValueError
            return count
    except (ValueError, ZeroDivisionError):
        raise argparse.ArgumentTypeError(f"invalid threshold {text!r}") from None
    if not 0 <= value <= 1:
        raise argparse.ArgumentTypeError(f"threshold share {text!r} is not between 0 and 1")
    return value


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """The recount options (used by :func:`main` and by ``manage.py recount``)."""
    parser.add_argument("file", help="pabulib file (.pb)")
    parser.add_argument("--rule", required=True, choices=RULES)
    parser.add_argument(
        "--tie-break", default="lexicographic", choices=("lexicographic", "default")
    )
    parser.add_argument("--seed", default="", help="lottery seed for --tie-break default")
    parser.add_argument("--utility", default=None, choices=("cost", "cardinality"))
    parser.add_argument("--borda", default=None, choices=("city", "pabutools"))
    parser.add_argument("--add1-stop", default=None, choices=("exhaustive", "overspend"))
    parser.add_argument("--greedy-fill", action="store_true")
    parser.add_argument(
        "--threshold",
        type=_threshold,
        default=None,
        help="minimum score (e.g. 100) or share of voters (e.g. 5%%)",
    )
    parser.add_argument("--json", action="store_true", help="print one JSON object")


def _money(amount: int, scale: int) -> str:
    if scale == 1:
        return f"{amount:,}".replace(",", "\u202f")
    whole, frac = divmod(amount, scale)
    return f"{whole:,}".replace(",", "\u202f") + "," + str(frac).rjust(len(str(scale)) - 1, "0")


def _table(result: Result, file: str) -> str:
    s = result.scale
    lines = [
        f"Fichier : {file}",
        f"Règle : {result.rule} ({', '.join(f'{k}={v}' for k, v in result.parameters)})",
        f"Arithmétique : {result.arithmetic}",
        f"Budget : {_money(result.budget, s)}   Dépensé : {_money(result.spent, s)}   "
        f"Projets retenus : {len(result.selected)}",
        "",
    ]
    rows = [("Rang", "Projet", "Coût", "Voix", "Résultat")]
    by_id = {e.project_id: e for e in result.explanations}
    funded = [by_id[p] for p in result.selected]
    others = sorted(
        (e for e in result.explanations if not e.funded), key=lambda e: (-e.votes, e.project_id)
    )
    for e in funded + others:
        rows.append(
            (
                str(e.round) if e.funded and e.round is not None else "-",
                e.project_id,
                _money(e.cost, s),
                str(e.votes),
                REASONS_FR[e.reason],
            )
        )
    widths = [max(len(r[i]) for r in rows) for i in range(4)]
    for r in rows:
        lines.append(
            f"{r[0].rjust(widths[0])}  {r[1].ljust(widths[1])}  {r[2].rjust(widths[2])}  "
            f"{r[3].rjust(widths[3])}  {r[4]}"
        )
    lines.append("")
    for t in result.tie_breaks:
        lines.append(
            f"Départage (tour {t.round}, {t.context}) : {' > '.join(t.order)} "
            f"[{t.rule} : {', '.join(t.criteria)}]"
        )
    lines.append(f"Empreinte : {result.fingerprint}")
    return "\n".join(lines)


def recount(options: argparse.Namespace) -> str:
    """Run the recount described by parsed ``options``; return the text to print."""
    try:
        election = read_pabulib(options.file)
    except PabulibError as exc:
        raise RecountError(str(exc)) from None
    try:
        result = allocate(
            election,
            rule=options.rule,
            tie_break=options.tie_break,
            utility=options.utility,
            add1_stop=options.add1_stop,
            greedy_fill=options.greedy_fill,
            threshold=options.threshold,
            seed=options.seed,
            borda=options.borda,
        )
    except ValueError as exc:
        raise RecountError(f"{options.file}: {exc}") from None
    if options.json:
        body = result.to_json()
        body["file"] = str(options.file)
        return json.dumps(body, ensure_ascii=False)
    return _table(result, str(options.file))


def main(
    argv: Sequence[str] | None = None,
    *,
    stdout: TextIO | None = None,
    stderr: TextIO | None = None,
) -> int:
    """Parse ``argv``, recount, print; return the exit code (module docstring)."""
    out = stdout if stdout is not None else sys.stdout
    err = stderr if stderr is not None else sys.stderr
    parser = _Parser(prog="recount", description="Recount a pabulib file with an allocation rule.")
    add_arguments(parser)
    try:
        options = parser.parse_args(list(argv) if argv is not None else None)
        text = recount(options)
    except RecountError as exc:
        print(f"recount: error: {exc}", file=err)
        return exc.code
    except SystemExit as exc:  # --help
        return exc.code if isinstance(exc.code, int) else 0
    print(text, file=out)
    return 0


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
