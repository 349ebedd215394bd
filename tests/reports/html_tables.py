"""Read figures back from rendered pages: tables by id, element text by id (stdlib only)."""

from __future__ import annotations

import re
from html.parser import HTMLParser

SPACES = re.compile(r"[\s\u00a0\u202f]+")


def clean(text: str) -> str:
    """Collapse every kind of space (including no-break ones) into one plain space."""
    return SPACES.sub(" ", text).strip()


def euros_to_cents(text: str) -> int:
    """``"72 500,50 €"`` -> ``7250050``."""
    match = re.fullmatch(r"(-?[\d ]+),(\d\d) €", clean(text))
    assert match, f"not an amount in euros: {text!r}"
    return int(match.group(1).replace(" ", "")) * 100 + int(match.group(2))


def to_int(text: str) -> int:
    return int(clean(text).replace(" ", ""))


class _Reader(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tables: dict[str, list[list[str]]] = {}
        self.texts: dict[str, str] = {}
        self._table: str | None = None
        self._row: list[str] | None = None
        self._cell: list[str] | None = None
        self._open_ids: list[tuple[str, str, int]] = []  # (id, tag, depth)
        self._captured: dict[str, list[str]] = {}
        self._depth = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        attributes = dict(attrs)
        if tag not in {"br", "img", "input", "meta", "link", "col"}:
            self._depth += 1
        if tag == "table" and attributes.get("id"):
            self._table = attributes["id"]
            self.tables[self._table] = []
        elif tag == "tr" and self._table:
            self._row = []
        elif tag in {"td", "th"} and self._row is not None:
            self._cell = []
        if attributes.get("id") and tag != "table":
            self._open_ids.append((attributes["id"] or "", tag, self._depth))
            self._captured[attributes["id"] or ""] = []

    def handle_endtag(self, tag: str) -> None:
        if tag in {"td", "th"} and self._cell is not None and self._row is not None:
            self._row.append(clean("".join(self._cell)))
            self._cell = None
        elif tag == "tr" and self._row is not None and self._table:
            self.tables[self._table].append(self._row)
            self._row = None
        elif tag == "table":
            self._table = None
        if self._open_ids and self._open_ids[-1][1] == tag and self._open_ids[-1][2] == self._depth:
            ident, _tag, _depth = self._open_ids.pop()
            self.texts[ident] = clean("".join(self._captured.pop(ident)))
        self._depth -= 1

    def handle_data(self, data: str) -> None:
        if self._cell is not None:
            self._cell.append(data)
        for ident in self._captured:
            self._captured[ident].append(data)


def read_page(html: str) -> tuple[dict[str, list[list[str]]], dict[str, str]]:
    """``(tables by id -> rows of cell texts, element texts by id)``."""
    reader = _Reader()
    reader.feed(html)
    return reader.tables, reader.texts
