"""The commune report PDFs, read back with ``pdftotext -layout``: every figure printed
equals the database (the tally's result lines and envelope results)."""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import pytest

from implementation.services import publish_commune_report
from tests.implementation.builders import build_tallied_world
from tests.reports.html_tables import clean, euros_to_cents
from voting.models import EnvelopeResult, ResultLine

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(shutil.which("pdftotext") is None, reason="pdftotext is not installed"),
]
AMOUNT = re.compile(r"(?<![\d,])\d{1,3}(?: \d{3})*,\d\d €")


def pdf_lines(pdf: bytes, tmp_path: Path) -> list[str]:
    path = tmp_path / "report.pdf"
    path.write_bytes(pdf)
    out = subprocess.run(["pdftotext", "-layout", str(path), "-"], check=True,
                         capture_output=True, text=True)
    return [line for line in (clean(raw) for raw in out.stdout.splitlines()) if line]


def row(lines: list[str], start: str) -> str:
    matches = [line for line in lines if line.startswith(start)]
    assert len(matches) == 1, (start, matches)
    return matches[0]


def amount_on(line: str) -> int:
    amounts = AMOUNT.findall(line)
    assert len(amounts) == 1, line
    return euros_to_cents(amounts[0])


def test_the_french_pdf_prints_the_database_figures(tmp_path):
    built = build_tallied_world()
    w = built.world
    report = publish_commune_report(actor=w.publisher, cycle=w.cycle, commune=w.cenon)

    lines = pdf_lines(report.pdf("fr"), tmp_path)

    text = "\n".join(lines)
    assert "Rapport de décision — Cenon" in text and "Version 1, publiée le" in text
    funded = ResultLine.objects.filter(envelope_result__tally_run=built.tally_run, is_funded=True)
    cenon_lines = [line for line in funded if line.proposal.commune_id == w.cenon.pk]
    assert len(cenon_lines) == 4
    for line in cenon_lines:
        printed = row(lines, line.proposal.title)
        assert amount_on(printed) == line.cost_cents
        assert re.search(rf"\b{line.votes}\b", printed.replace(line.proposal.title, ""))
        assert "Lauréate" in printed
    for line in funded.exclude(proposal__commune=w.cenon):
        assert line.proposal.title not in text
    results = {r.envelope.name: r for r in EnvelopeResult.objects.filter(
        tally_run=built.tally_run).select_related("envelope")}
    assert amount_on(row(lines, "Attribué sur l’enveloppe de la commune")) == \
        results["Enveloppe Cenon"].spent_cents
    assert amount_on(row(lines, "Total attribué par l’enveloppe du territoire")) == \
        results["Enveloppe territoire"].spent_cents
    assert amount_on(row(lines, "Montant total financé dans la commune")) == \
        sum(line.cost_cents for line in cenon_lines)
    assert row(lines, "Part de l’enveloppe du territoire").endswith("70,59 %")
    assert report.tally_run.fingerprint in "".join(text.split())


def test_the_english_pdf_has_the_same_figures(tmp_path):
    built = build_tallied_world()
    w = built.world
    report = publish_commune_report(actor=w.admin, cycle=w.cycle, commune=w.floirac)

    text = "\n".join(pdf_lines(report.pdf("en"), tmp_path))

    assert "29.41%" in text
    assert "60 000,00 €" in text and "33 333,33 €" in text and "93 333,33 €" in text
    assert "Aire de jeux" in text and "Jardin de Floirac" in text
    assert "Bancs au parc Palmer" not in text


def test_the_draft_pdf_says_it_is_a_draft(client, tmp_path):
    w = build_tallied_world().world
    client.force_login(w.publisher)

    response = client.get("/rapports/bp-test/communes/cenon/brouillon.pdf")

    text = "\n".join(pdf_lines(response.content, tmp_path))
    assert "BROUILLON" in text and "Version 1" not in text
