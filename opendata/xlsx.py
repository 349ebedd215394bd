"""A minimal, deterministic XLSX (Office Open XML spreadsheet) writer. Pure: no Django.

API::

    write_xlsx(sheets: Sequence[tuple[str, Sequence[Sequence[Cell]]]]) -> bytes

Each sheet is a name and rows of cells: ``int`` cells are written as numbers, ``bool`` as
booleans, ``None`` as an empty cell and anything else as text (``str()``), always as an
inline string, never as a formula, so a title such as ``=HYPERLINK(...)`` stays text.
Characters XML 1.0 cannot hold (control characters) are dropped.

Why not openpyxl: the open-data page shows each file's SHA-256, so the same data must give
the same bytes. This writer fixes every zip entry's date and order, and writes no creation
date, author or application name; it needs nothing beyond the standard library. Checked
by hand against openpyxl 3.1.5 and ``pandas.read_excel`` (reader side, not a dependency).
"""

from __future__ import annotations

import io
import re
import zipfile
from collections.abc import Sequence
from xml.sax.saxutils import escape, quoteattr

Cell = int | bool | str | None

_FIXED_DATE = (1980, 1, 1, 0, 0, 0)  # the earliest date a zip entry can carry
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")
_SHEET_NAME_FORBIDDEN = re.compile(r"[\[\]:*?/\\]")

_CONTENT_TYPES = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
    '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
    '<Default Extension="xml" ContentType="application/xml"/>'
    '<Override PartName="/xl/workbook.xml" '
    'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
    '<Override PartName="/xl/styles.xml" '
    'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.styles+xml"/>'
    "{sheets}</Types>"
)
_SHEET_TYPE = (
    '<Override PartName="/xl/worksheets/sheet{n}.xml" '
    'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
)
_ROOT_RELS = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    '<Relationship Id="rId1" '
    'Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" '
    'Target="xl/workbook.xml"/></Relationships>'
)
_STYLES = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    '<styleSheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
    '<fonts count="2"><font><sz val="11"/><name val="Calibri"/></font>'
    '<font><b/><sz val="11"/><name val="Calibri"/></font></fonts>'
    '<fills count="2"><fill><patternFill patternType="none"/></fill>'
    '<fill><patternFill patternType="gray125"/></fill></fills>'
    '<borders count="1"><border><left/><right/><top/><bottom/><diagonal/></border></borders>'
    '<cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0"/></cellStyleXfs>'
    '<cellXfs count="2"><xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0"/>'
    '<xf numFmtId="0" fontId="1" fillId="0" borderId="0" xfId="0" applyFont="1"/></cellXfs>'
    '<cellStyles count="1"><cellStyle name="Normal" xfId="0" builtinId="0"/></cellStyles>'
    "</styleSheet>"
)
_MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
_REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"


def column_letter(index: int) -> str:
    """0 → A, 25 → Z, 26 → AA."""
    letters = ""
    index += 1
    while index:
        index, remainder = divmod(index - 1, 26)
        letters = chr(65 + remainder) + letters
    return letters


def sheet_name(name: str) -> str:
    """A name Excel accepts: no ``[]:*?/\\``, at most 31 characters, never empty."""
    cleaned = _SHEET_NAME_FORBIDDEN.sub(" ", _NOT_XML.sub("", name)).strip("' ")[:31]
    return cleaned or "Feuille"


def _cell(ref: str, value: Cell, style: int) -> str:
    s = f' s="{style}"' if style else ""
    if value is None:
        return ""
    if isinstance(value, bool):
        return f'<c r="{ref}" t="b"{s}><v>{int(value)}</v></c>'
    if isinstance(value, int):
        return f'<c r="{ref}"{s}><v>{value}</v></c>'
    text = _NOT_XML.sub("", str(value))
    return f'<c r="{ref}" t="inlineStr"{s}><is><t xml:space="preserve">{escape(text)}</t></is></c>'


def _sheet(rows: Sequence[Sequence[Cell]]) -> str:
    body = []
    for r, row in enumerate(rows, start=1):
        style = 1 if r == 1 else 0  # the header row in bold
        cells = "".join(_cell(f"{column_letter(c)}{r}", value, style) for c, value in enumerate(row))
        body.append(f'<row r="{r}">{cells}</row>')
    return (f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<worksheet xmlns="{_MAIN}">'
            f'<sheetData>{"".join(body)}</sheetData></worksheet>')


def write_xlsx(sheets: Sequence[tuple[str, Sequence[Sequence[Cell]]]]) -> bytes:
    """The bytes of an .xlsx workbook with these sheets (the first row of each in bold)."""
    if not sheets:
        raise ValueError("a workbook needs at least one sheet")
    names: list[str] = []
    for name, _rows in sheets:
        base = candidate = sheet_name(name)
        suffix = 2
        while candidate.lower() in (n.lower() for n in names):  # names are case-insensitive
            tail = f" ({suffix})"
            candidate = base[: 31 - len(tail)] + tail
            suffix += 1
        names.append(candidate)
    workbook = (
        f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
        f'<workbook xmlns="{_MAIN}" xmlns:r="{_REL}"><sheets>'
        + "".join(f'<sheet name={quoteattr(name)} sheetId="{n}" r:id="rId{n}"/>'
                  for n, name in enumerate(names, start=1))
        + "</sheets></workbook>"
    )
    workbook_rels = (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
        '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
        + "".join(f'<Relationship Id="rId{n}" Type="{_REL}/worksheet" Target="worksheets/sheet{n}.xml"/>'
                  for n in range(1, len(names) + 1))
        + f'<Relationship Id="rId{len(names) + 1}" Type="{_REL}/styles" Target="styles.xml"/>'
        "</Relationships>"
    )
    parts = [
        ("[Content_Types].xml", _CONTENT_TYPES.format(
            sheets="".join(_SHEET_TYPE.format(n=n) for n in range(1, len(names) + 1)))),
        ("_rels/.rels", _ROOT_RELS),
        ("xl/workbook.xml", workbook),
        ("xl/_rels/workbook.xml.rels", workbook_rels),
        ("xl/styles.xml", _STYLES),
        *((f"xl/worksheets/sheet{n}.xml", _sheet(rows)) for n, (_name, rows) in enumerate(sheets, start=1)),
    ]
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for name, text in parts:
            info = zipfile.ZipInfo(name, date_time=_FIXED_DATE)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o644 << 16
            archive.writestr(info, text.encode("utf-8"))
    return buffer.getvalue()
