"""Read and write elections in the pabulib format.

Reference: the pabulib file format (pabulib.org/format; sections ``META``, ``PROJECTS`` and
``VOTES``, fields separated by ``;``, choices separated by ``,``), as read by pabutools 1.2.3
(``pabutools.election.pabulib``, which uses :mod:`csv` with ``;`` as delimiter).

API::

    read_pabulib(path) -> Election        # a file on disk
    parse_pabulib(text, source=...) -> Election
    write_pabulib(election) -> str        # the text of a pabulib file
    PabulibError(ValueError)              # .line (1-based, or None) and .reason

Guarantees:

- Every amount (``budget`` and every project ``cost``) is an integer in units of
  ``1 / Election.scale`` of the file's currency unit, where ``scale = 10 ** d`` and ``d`` is
  the largest number of decimals written in any of those amounts (1 when all are whole).
  No float is ever involved.
- A malformed file raises :class:`PabulibError` naming the line and what is wrong: missing
  or truncated sections, a row with the wrong number of fields, a bad or negative amount, a
  bad number of points, an unknown project in a vote, a duplicate project or voter id, a
  project chosen twice on one ballot. Never another exception for bad content.
- ``parse_pabulib(write_pabulib(e)) == e`` for every election ``e`` read by this module, and
  for any election whose META already holds consistent ``budget``, ``vote_type``,
  ``num_projects`` and ``num_votes`` entries and whose extra columns are the same on every
  row (the reader keeps every column, empty or not). Otherwise the writer completes META
  and fills missing extra columns with empty strings. ``knapsack`` elections are written
  with ``vote_type`` ``approval`` (pabulib has no knapsack type; the cap belongs to META).
  The writer refuses (``ValueError``) what it cannot represent: an empty id, an id with
  surrounding spaces or a line break, a project id with a comma, a NUL character.
- META and extra columns are kept verbatim, in order (values are interned, so that 132,000
  ballots with a few demographic columns stay small in memory).
"""

from __future__ import annotations

import csv
import gc
import io
import operator
import re
import sys
from collections.abc import Iterator
from pathlib import Path

from budgets.allocation.types import Ballot, BallotKind, Election, Project

__all__ = ["PabulibError", "parse_pabulib", "read_pabulib", "write_pabulib"]

_AMOUNT = re.compile(r"(\d+)(?:\.(\d+))?")
_SECTIONS = ("META", "PROJECTS", "VOTES")
_VOTE_TYPES: dict[str, BallotKind] = {
    "approval": BallotKind.APPROVAL,
    "choose-1": BallotKind.CHOOSE_1,
    "cumulative": BallotKind.CUMULATIVE,
    "ordinal": BallotKind.ORDINAL,
    "scoring": BallotKind.SCORING,
}
_WITH_POINTS = (BallotKind.CUMULATIVE, BallotKind.SCORING)


class PabulibError(ValueError):
    """A pabulib file that cannot be read: ``line`` (1-based, None if global) and ``reason``."""

    def __init__(self, line: int | None, reason: str, source: str = "") -> None:
        self.line = line
        self.reason = reason
        self.source = source
        where = f"line {line}" if line is not None else "file"
        prefix = f"{source}: " if source else ""
        super().__init__(f"{prefix}{where}: {reason}")


def read_pabulib(path: str | Path) -> Election:
    """Read a pabulib file from disk (UTF-8, optional BOM)."""
    p = Path(path)
    try:
        raw = p.read_bytes()
    except OSError as exc:
        raise PabulibError(None, f"cannot read file ({exc.strerror})", str(p)) from None
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        raise PabulibError(line, "not valid UTF-8 text", str(p)) from None
    return parse_pabulib(text, source=str(p))


def _split_amount(text: str) -> tuple[str, str] | None:
    m = _AMOUNT.fullmatch(text.strip())
    if m is None:
        return None
    return m.group(1), m.group(2) or ""


def parse_pabulib(text: str, *, source: str = "") -> Election:
    """Parse the text of a pabulib file into an :class:`Election` (see module docstring)."""
    # The parse allocates hundreds of thousands of small objects and no cycles: pausing the
    # cyclic garbage collector halves the time on the largest files.
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        return _Parser(text, source).parse()
    finally:
        if was_enabled:
            gc.enable()


class _Parser:
    def __init__(self, text: str, source: str) -> None:
        self.source = source
        if "\x00" in text:
            line = text[: text.index("\x00")].count("\n") + 1
            raise PabulibError(line, "NUL byte in file", source)
        self.rows = self._rows(text)
        self.line = 0
        self.pending: tuple[int, list[str]] | None = None
        self.interned: dict[str, str] = {}

    @staticmethod
    def _rows(text: str) -> Iterator[tuple[int, list[str]]]:
        """Yield (line number, fields) for every non-blank row."""
        if '"' not in text:
            # Fast path: no quoting, so a row is a line (most pabulib files).
            for number, line in enumerate(io.StringIO(text, newline="\n"), 1):
                line = line.rstrip("\r\n")
                if line.strip():
                    yield number, line.split(";")
            return
        reader = csv.reader(io.StringIO(text, newline=""), delimiter=";")
        start = 1
        for row in reader:
            if row and (len(row) > 1 or row[0].strip()):
                yield start, row
            start = reader.line_num + 1

    def error(self, reason: str, line: int | None = -1) -> PabulibError:
        return PabulibError(self.line if line == -1 else line, reason, self.source)

    def next_row(self) -> list[str] | None:
        if self.pending is not None:
            (self.line, row), self.pending = self.pending, None
            return row
        try:
            for line, row in self.rows:
                self.line = line
                return row
        except csv.Error as exc:
            raise self.error(f"unreadable row ({exc})", self.line + 1) from None
        return None

    def section(self, name: str) -> tuple[list[str], list[tuple[int, list[str]]]]:
        """Read a section header, its column header and all its rows (with line numbers)."""
        columns = self.header(name)
        return columns, list(self.body(name, len(columns)))

    def header(self, name: str) -> list[str]:
        """Read a section marker and its column header."""
        row = self.next_row()
        if row is None:
            raise self.error(f"file ends before the {name} section")
        if row[0].strip().upper() != name:
            raise self.error(f"expected the {name} section, found {row[0].strip()[:40]!r}")
        header = self.next_row()
        if header is None or header[0].strip().upper() in _SECTIONS:
            if header is not None:
                self.pending = (self.line, header)
            raise self.error(f"the {name} section has no column header")
        columns = [c.strip() for c in header]
        if len(set(columns)) != len(columns):
            raise self.error(f"duplicate column in the {name} header")
        return columns

    def body(self, name: str, width: int) -> Iterator[tuple[int, list[str]]]:
        """Yield the rows of a section up to the next section marker (streamed)."""
        while True:
            row = self.next_row()
            if row is None:
                return
            if len(row) == 1 and row[0].strip().upper() in _SECTIONS:
                self.pending = (self.line, row)
                return
            if len(row) != width:
                raise self.error(f"{name} row has {len(row)} fields, the header has {width}")
            yield self.line, row

    def intern(self, value: str) -> str:
        got = self.interned.get(value)
        if got is None:
            got = sys.intern(value) if len(value) < 64 else value
            self.interned[got] = got
        return got

    def parse(self) -> Election:
        meta_cols, meta_rows = self.section("META")
        if meta_cols[:2] != ["key", "value"]:
            raise self.error(
                "the META header must be 'key;value'", meta_rows[0][0] - 1 if meta_rows else None
            )
        meta: list[tuple[str, str]] = []
        meta_line: dict[str, int] = {}
        for line, row in meta_rows:
            key = row[0].strip()
            if key in meta_line:
                raise self.error(f"duplicate META key {key!r}", line)
            meta_line[key] = line
            meta.append((key, row[1]))
        meta_map = dict(meta)
        if "budget" not in meta_map:
            raise self.error("META has no 'budget'", None if not meta_rows else meta_rows[-1][0])
        vote_type = meta_map.get("vote_type", "").strip()
        if vote_type not in _VOTE_TYPES:
            where = meta_line.get("vote_type", meta_rows[-1][0] if meta_rows else None)
            raise self.error(f"unknown or missing vote_type {vote_type!r}", where)
        kind = _VOTE_TYPES[vote_type]

        proj_cols, proj_rows = self.section("PROJECTS")
        if "project_id" not in proj_cols or "cost" not in proj_cols:
            raise self.error("the PROJECTS header needs 'project_id' and 'cost'")
        i_id = proj_cols.index("project_id")
        i_cost = proj_cols.index("cost")
        i_name = proj_cols.index("name") if "name" in proj_cols else -1
        extra_cols = [(i, c) for i, c in enumerate(proj_cols) if i not in (i_id, i_cost, i_name)]

        # Amounts: split first, scale once the largest number of decimals is known.
        budget_parts = _split_amount(meta_map["budget"])
        if budget_parts is None:
            raise self.error(
                f"budget {meta_map['budget']!r} is not a non-negative number", meta_line["budget"]
            )
        cost_parts: list[tuple[str, str]] = []
        ids: list[str] = []
        seen: dict[str, int] = {}
        for line, row in proj_rows:
            pid = row[i_id].strip()
            if not pid:
                raise self.error("empty project_id", line)
            if pid in seen:
                raise self.error(f"duplicate project id {pid!r} (first on line {seen[pid]})", line)
            seen[pid] = line
            parts = _split_amount(row[i_cost])
            if parts is None:
                raise self.error(
                    f"cost {row[i_cost]!r} of project {pid!r} is not a non-negative number", line
                )
            ids.append(pid)
            cost_parts.append(parts)
        decimals = max([len(budget_parts[1])] + [len(f) for _, f in cost_parts])
        scale: int = 10**decimals

        def scaled(parts: tuple[str, str]) -> int:
            whole, frac = parts
            return int(whole) * scale + (int(frac.ljust(decimals, "0")) if decimals else 0)

        projects = tuple(
            Project(
                id=pid,
                cost=scaled(parts),
                name=row[i_name] if i_name >= 0 else "",
                extra=tuple((c, row[i]) for i, c in extra_cols),
            )
            for pid, parts, (_, row) in zip(ids, cost_parts, proj_rows, strict=True)
        )
        ballots = self.votes(kind, {pid: pid for pid in ids})
        return Election(
            budget=scaled(budget_parts),
            projects=projects,
            ballots=ballots,
            kind=kind,
            scale=scale,
            meta=tuple(meta),
        )

    def votes(self, kind: BallotKind, known: dict[str, str]) -> tuple[Ballot, ...]:
        cols = self.header("VOTES")
        if "voter_id" not in cols or "vote" not in cols:
            raise self.error("the VOTES header needs 'voter_id' and 'vote'")
        rows = self.body("VOTES", len(cols))
        i_voter = cols.index("voter_id")
        i_vote = cols.index("vote")
        with_points = kind in _WITH_POINTS
        i_points = -1
        if with_points:
            if "points" not in cols:
                raise self.error(f"a {kind.value} file needs a 'points' column in VOTES")
            i_points = cols.index("points")
        own = (i_voter, i_vote, i_points if with_points else -1)
        extra_idx = [i for i in range(len(cols)) if i not in own]
        extra_names = tuple(self.intern(cols[i]) for i in extra_idx)
        get_extra = operator.itemgetter(*extra_idx) if extra_idx else None
        extras: dict[object, tuple[tuple[str, str], ...]] = {}
        voters: dict[str, int] = {}
        ballots: list[Ballot] = []
        append = ballots.append
        known_get = known.get
        for line, row in rows:
            voter = row[i_voter].strip()
            if not voter:
                raise self.error("empty voter_id", line)
            if voter in voters:
                raise self.error(
                    f"duplicate voter id {voter!r} (first on line {voters[voter]})", line
                )
            voters[voter] = line
            raw = row[i_vote]
            choices: tuple[str, ...] = ()
            if raw:
                parts = raw.split(",")
                found = [known_get(part) or known_get(part.strip()) for part in parts]
                if None in found:
                    bad = parts[found.index(None)].strip()
                    if bad or len(parts) > 1:
                        raise self.error(f"vote names unknown project {bad!r}", line)
                    found = []
                choices = tuple(found)  # type: ignore[arg-type]
                if len(choices) > 1 and len(set(choices)) != len(choices):
                    raise self.error("a project appears twice on the same ballot", line)
            points: tuple[int, ...] = ()
            if with_points:
                rawp = row[i_points]
                try:
                    points = tuple(int(x) for x in rawp.split(",")) if rawp.strip() else ()
                except ValueError:
                    raise self.error(f"points {rawp[:40]!r} are not whole numbers", line) from None
                if len(points) != len(choices):
                    raise self.error(
                        f"{len(points)} points for {len(choices)} chosen projects", line
                    )
            extra: tuple[tuple[str, str], ...] = ()
            if get_extra is not None:
                values = get_extra(row)
                got = extras.get(values)
                if got is None:
                    vals = values if isinstance(values, tuple) else (values,)
                    got = tuple(
                        (name, self.intern(v)) for name, v in zip(extra_names, vals, strict=True)
                    )
                    extras[values] = got
                extra = got
            append(Ballot(voter, choices, points, extra))
        extra_row = self.next_row()
        if extra_row is not None:
            raise self.error(f"unexpected content after the VOTES section: {extra_row[0][:40]!r}")
        return tuple(ballots)


class _RowWriter:
    """Write ``;``-separated rows, quoting (csv style) any field holding ``;``, ``"``, CR or
    LF. (:func:`csv.writer` leaves a lone CR unquoted when the line ends with LF.)"""

    def __init__(self, out: io.StringIO) -> None:
        self.out = out

    @staticmethod
    def field(value: str) -> str:
        if ";" in value or '"' in value or "\n" in value or "\r" in value:
            return '"' + value.replace('"', '""') + '"'
        return value

    def writerow(self, row: list[str]) -> None:
        self.out.write(";".join(map(self.field, row)) + "\n")


def _format_amount(amount: int, scale: int) -> str:
    if scale == 1:
        return str(amount)
    decimals = len(str(scale)) - 1
    sign = "-" if amount < 0 else ""
    whole, frac = divmod(abs(amount), scale)
    return f"{sign}{whole}.{str(frac).rjust(decimals, '0')}"


def write_pabulib(election: Election) -> str:
    """Return the text of a pabulib file for ``election`` (see the module docstring)."""
    scale = election.scale
    if scale < 1 or 10 ** (len(str(scale)) - 1) != scale:
        raise ValueError(f"scale {scale} is not a power of ten")
    for p in election.projects:
        if not p.id or p.id != p.id.strip() or any(ch in p.id for ch in ",\r\n"):
            raise ValueError(
                f"project id {p.id!r} cannot be written in pabulib (comma, line "
                "break, surrounding space or empty)"
            )
    for b in election.ballots:
        if (
            not b.voter_id
            or b.voter_id != b.voter_id.strip()
            or any(ch in b.voter_id for ch in "\r\n")
        ):
            raise ValueError(f"voter id {b.voter_id!r} cannot be written in pabulib")
    out = io.StringIO()
    w = _RowWriter(out)
    vote_type = "approval" if election.kind is BallotKind.KNAPSACK else str(election.kind.value)
    budget_text = _format_amount(election.budget, scale)
    required = {
        "budget": budget_text,
        "vote_type": vote_type,
        "num_projects": str(len(election.projects)),
        "num_votes": str(len(election.ballots)),
    }

    def consistent(key: str, value: str) -> bool:
        if key == "budget":
            parts = _split_amount(value)
            if parts is None or len(parts[1]) > len(str(scale)) - 1:
                return False
            decimals = len(str(scale)) - 1
            whole, frac = parts
            return int(whole) * scale + (int(frac.ljust(decimals, "0")) if decimals else 0) == (
                election.budget
            )
        return value.strip() == required[key]

    out.write("META\n")
    w.writerow(["key", "value"])
    written: set[str] = set()
    for key, value in election.meta:
        if key in required and not consistent(key, value):
            value = required[key]
        w.writerow([key, value])
        written.add(key)
    for key, value in required.items():
        if key not in written:
            w.writerow([key, value])

    out.write("PROJECTS\n")
    extra_p: list[str] = []
    for p in election.projects:
        for k, _ in p.extra:
            if k not in extra_p:
                extra_p.append(k)
    w.writerow(["project_id", "cost", "name", *extra_p])
    for p in election.projects:
        ex = dict(p.extra)
        w.writerow([p.id, _format_amount(p.cost, scale), p.name, *(ex.get(k, "") for k in extra_p)])

    out.write("VOTES\n")
    with_points = election.kind in _WITH_POINTS
    extra_v: list[str] = []
    seen_v: set[str] = set()
    for b in election.ballots:
        for k, _ in b.extra:
            if k not in seen_v:
                seen_v.add(k)
                extra_v.append(k)
    w.writerow(["voter_id", "vote", *(["points"] if with_points else []), *extra_v])
    for b in election.ballots:
        row = [b.voter_id, ",".join(b.choices)]
        if with_points:
            row.append(",".join(str(x) for x in b.points))
        if extra_v:
            ex = dict(b.extra)
            row.extend(ex.get(k, "") for k in extra_v)
        w.writerow(row)
    text = out.getvalue()
    if "\x00" in text:
        raise ValueError("a NUL character cannot be written in a pabulib file")
    return text
