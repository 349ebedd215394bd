"""The minimal XLSX writer: deterministic bytes, text never a formula, valid names."""

from __future__ import annotations

import io
import zipfile

import pytest

from opendata.xlsx import column_letter, sheet_name, write_xlsx


def test_column_letters():
    assert [column_letter(i) for i in (0, 25, 26, 27, 51, 52, 701, 702)] == [
        "A", "Z", "AA", "AB", "AZ", "BA", "ZZ", "AAA"]


def test_sheet_names_are_cleaned_and_deduplicated():
    assert sheet_name("a/b:c[d]*?") == "a b c d"
    assert len(sheet_name("x" * 40)) == 31 and sheet_name("''") == "Feuille"
    book = zipfile.ZipFile(io.BytesIO(write_xlsx([("Données", [[1]]), ("données", [[2]])])))
    assert 'name="Données"' in book.read("xl/workbook.xml").decode()
    assert 'name="données (2)"' in book.read("xl/workbook.xml").decode()


def test_the_same_data_give_the_same_bytes():
    sheets = [("t", [["a", "b"], [1, True], [None, "é"]])]
    assert write_xlsx(sheets) == write_xlsx(sheets)
    assert write_xlsx(sheets) != write_xlsx([("t", [["a", "b"], [2, True]])])
    for info in zipfile.ZipFile(io.BytesIO(write_xlsx(sheets))).infolist():
        assert info.date_time == (1980, 1, 1, 0, 0, 0)


def test_cells_are_typed_and_text_is_escaped_never_a_formula():
    book = zipfile.ZipFile(io.BytesIO(write_xlsx([("t", [["=1+1 <b> & \x07x", 42, False, None]])])))
    xml = book.read("xl/worksheets/sheet1.xml").decode()
    assert '<c r="A1" t="inlineStr" s="1"><is><t xml:space="preserve">=1+1 &lt;b&gt; &amp; x</t></is></c>' in xml
    assert '<c r="B1" s="1"><v>42</v></c>' in xml and '<c r="C1" t="b" s="1"><v>0</v></c>' in xml
    assert "D1" not in xml and "<f>" not in xml


def test_a_workbook_needs_a_sheet():
    with pytest.raises(ValueError):
        write_xlsx([])
