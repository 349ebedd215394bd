"""Open data: nothing before the publication; then files with stable names and bytes, their
SHA-256 on the page, contents equal to the database, no voter identity, and a pabulib file
that ``manage.py recount`` turns into the published winners."""

from __future__ import annotations

import csv
import hashlib
import io
import json
import re
import shlex
import subprocess
import sys
import zipfile
from xml.etree import ElementTree

import pytest
from django.conf import settings
from django.core.management import call_command

from budgets.models import PhaseKind
from opendata.exports import published_files
from tests.builders import build_world, make_proposal, set_phase
from voting.models import Ballot, BallotChoice, ResultLine
from voting.publication import publish_results
from voting.services import cast_ballot
from voting.tally import certify_result, run_tally

pytestmark = pytest.mark.django_db
NS = {"m": "http://schemas.openxmlformats.org/spreadsheetml/2006/main"}


def certified_world(rule="greedy"):
    """Cenon: A (60 000 €), B (50 000 €), C (30 000 €); territory: Fête (10 000,50 €).
    Three voters, one in Floirac; a title that a spreadsheet would take for a formula."""
    w = build_world(phase=PhaseKind.VOTING, quorum=1)
    w.cycle.rule = rule
    w.cycle.save(update_fields=["rule"])
    w.a = make_proposal(w, title="A", cost_cents=60_000_00)
    w.b = make_proposal(w, title="=HYPERLINK(\"http://x\";\"B\")", cost_cents=50_000_00)
    w.c = make_proposal(w, title="C", cost_cents=30_000_00)
    w.fete = make_proposal(w, title="Fête", envelope=w.territory_envelope, cost_cents=10_000_50)
    cast_ballot(voter=w.resident, cycle=w.cycle, proposal_ids=[w.a.pk, w.b.pk, w.fete.pk])
    cast_ballot(voter=w.second_resident, cycle=w.cycle, proposal_ids=[w.a.pk, w.b.pk, w.c.pk])
    cast_ballot(voter=w.floirac_resident, cycle=w.cycle, proposal_ids=[w.fete.pk])
    set_phase(w.cycle, PhaseKind.RESULTS)
    w.run = run_tally(actor=w.admin, cycle=w.cycle)
    certify_result(member=w.committee_member, tally_run=w.run)
    return w


def published_world(rule="greedy"):
    w = certified_world(rule)
    publish_results(actor=w.admin, cycle=w.cycle)
    return w


def page(client, w):
    return client.get(f"/donnees-ouvertes/{w.cycle.slug}/")


def download(client, w, name):
    return client.get(f"/donnees-ouvertes/{w.cycle.slug}/{name}")


def test_nothing_is_published_before_the_publication(client):
    w = certified_world()
    assert published_files(w.cycle) == []
    response = page(client, w)
    assert response.status_code == 200
    assert "seront publiées avec les résultats officiels" in response.content.decode()
    for name in (f"{w.cycle.slug}-resultats.csv", f"{w.cycle.slug}-bulletins.json",
                 f"{w.cycle.slug}-{w.cenon_envelope.pk}.pb"):
        assert download(client, w, name).status_code == 404
    assert w.cycle.name not in client.get("/donnees-ouvertes/").content.decode()


def test_the_page_lists_every_file_with_the_sha256_of_what_is_downloaded(client):
    w = published_world()
    slug = w.cycle.slug
    html = page(client, w).content.decode()
    names = [f"{slug}-{d}.{ext}" for d in ("propositions", "resultats", "bulletins") for ext in ("csv", "json")]
    names += [f"{slug}-donnees.xlsx"] + [f"{slug}-{e.pk}.pb" for e in
                                        (w.cenon_envelope, w.floirac_envelope, w.territory_envelope)]
    assert [f.name for f in published_files(w.cycle)] == names
    for name in names:
        response = download(client, w, name)
        assert response.status_code == 200, name
        content = response.content
        digest = hashlib.sha256(content).hexdigest()
        assert digest in html and response["X-Content-SHA256"] == digest
        assert response["ETag"] == f'"{digest}"'
        assert response["Content-Disposition"] == f'attachment; filename="{name}"'
        assert download(client, w, name).content == content  # stable bytes
    assert download(client, w, f"{slug}-inconnu.csv").status_code == 404
    assert w.cycle.name in client.get("/donnees-ouvertes/").content.decode()


def test_results_csv_and_json_equal_the_result_lines(client):
    w = published_world()
    text = download(client, w, f"{w.cycle.slug}-resultats.csv").content.decode("utf-8")
    rows = list(csv.DictReader(io.StringIO(text)))
    lines = ResultLine.objects.filter(envelope_result__tally_run=w.run)
    assert len(rows) == lines.count() == 4
    for row in rows:
        line = lines.get(proposal_id=int(row["proposal_id"]))
        assert int(row["votes"]) == line.votes and int(row["cost_cents"]) == line.cost_cents
        assert row["funded"] == ("true" if line.is_funded else "false")
        assert row["rule"] == "greedy" and row["explanation"] == line.explanation
    # The formula-like title is neutralised in CSV, kept as it is in JSON.
    assert [r["title"] for r in rows if r["proposal_id"] == str(w.b.pk)] == ["'" + w.b.title]
    body = json.loads(download(client, w, f"{w.cycle.slug}-resultats.json").content)
    assert body["result_fingerprint"] == w.run.fingerprint and body["ballot_log_head"] == w.run.log_head
    assert body["code_version"] == w.run.code_version and body["arithmetic"] == w.run.arithmetic
    assert {r["title"] for r in body["rows"]} >= {w.b.title}
    assert {r["proposal_id"] for r in body["rows"] if r["funded"]} == set(
        lines.filter(is_funded=True).values_list("proposal_id", flat=True))


def test_ballots_are_anonymous_and_complete(client):
    w = published_world()
    files = {f.name: f.content for f in published_files(w.cycle)}
    rows = list(csv.DictReader(io.StringIO(files[f"{w.cycle.slug}-bulletins.csv"].decode())))
    assert len(rows) == BallotChoice.objects.filter(ballot__cycle=w.cycle).count() == 7
    assert len({r["ballot"] for r in rows}) == Ballot.objects.filter(cycle=w.cycle).count() == 3
    assert {r["commune"] for r in rows} == {"Cenon", "Floirac"}
    secrets = [b.pseudonym for b in Ballot.objects.all()] + [b.pseudonym[:16] for b in Ballot.objects.all()]
    secrets += [b.receipt_code for b in Ballot.objects.all()] + [b.salt for b in Ballot.objects.all()]
    secrets += [w.resident.email, w.second_resident.email, w.floirac_resident.email]
    for name, content in files.items():
        raw = content if not name.endswith(".xlsx") else b"".join(
            zipfile.ZipFile(io.BytesIO(content)).read(n) for n in zipfile.ZipFile(io.BytesIO(content)).namelist())
        text = raw.decode("utf-8")
        for secret in secrets:
            assert secret not in text, (name, secret)
        assert not re.search(r"\d{2}:\d{2}", text), name  # no time of day anywhere
        assert "online" not in text and "paper" not in text  # nor the channel


def test_the_workbook_holds_the_same_tables(client):
    w = published_world()
    files = {f.name: f.content for f in published_files(w.cycle)}
    book = zipfile.ZipFile(io.BytesIO(files[f"{w.cycle.slug}-donnees.xlsx"]))
    assert book.testzip() is None
    workbook = ElementTree.fromstring(book.read("xl/workbook.xml"))  # noqa: S314 (our own output)
    assert [s.get("name") for s in workbook.find("m:sheets", NS)] == [
        "propositions", "resultats", "bulletins", "depouillement"]

    def sheet(n):
        root = ElementTree.fromstring(book.read(f"xl/worksheets/sheet{n}.xml"))  # noqa: S314
        out = []
        for row in root.find("m:sheetData", NS):
            cells = {}
            for c in row:  # empty cells are not written: place each by its reference
                column = ord(re.match(r"[A-Z]+", c.get("r")).group()) - ord("A")
                if c.get("t") == "inlineStr":
                    cells[column] = c.find("m:is/m:t", NS).text or ""
                elif c.get("t") == "b":
                    cells[column] = "true" if c.find("m:v", NS).text == "1" else "false"
                else:
                    cells[column] = c.find("m:v", NS).text
            out.append([cells.get(i, "") for i in range(max(cells) + 1)])
        return out

    results = sheet(2)
    csv_rows = list(csv.reader(io.StringIO(files[f"{w.cycle.slug}-resultats.csv"].decode())))
    # Same table; only the CSV neutralises the formula-like title (XLSX cells are text).
    assert [[c.removeprefix("'") for c in r] for r in csv_rows] == [[c or "" for c in r] for r in results]
    assert [r[:1] for r in sheet(4)][1:3] == [["cycle"], ["name"]]


@pytest.mark.parametrize("rule", ["greedy", "mes"])
def test_the_published_pabulib_file_recounts_to_the_published_winners(tmp_path, rule):
    w = published_world(rule)
    files = [f for f in published_files(w.cycle) if f.kind == "pabulib"]
    assert len(files) == 3
    for item in files:
        text = item.content.decode("utf-8")
        meta = dict(line.split(";", 1) for line in text.split("PROJECTS")[0].splitlines()[2:])
        assert meta["rule"] == rule and meta["tie_break"] == "default"
        assert meta["tie_break_seed"] == w.run.log_head
        path = tmp_path / item.name
        path.write_bytes(item.content)
        argv = shlex.split(item.command)
        assert argv[:4] == ["python", "manage.py", "recount", item.name]
        out = io.StringIO()
        call_command("recount", str(path), *argv[4:], "--json", stdout=out)
        recounted = json.loads(out.getvalue())
        result = w.run.envelope_results.get(envelope__name=item.envelope_name)
        funded = result.lines.filter(is_funded=True).values_list("proposal_id", flat=True)
        assert sorted(recounted["selected"]) == sorted(str(pk) for pk in funded), item.name
        assert recounted["fingerprint"] == result.fingerprint
        # The same file through the stand-alone recount (no Django, as a reader runs it).
        standalone = subprocess.run(
            [sys.executable, "-m", "budgets.allocation.cli", str(path), *argv[4:], "--json"],
            capture_output=True, text=True, check=True, cwd=settings.BASE_DIR)
        assert json.loads(standalone.stdout)["fingerprint"] == result.fingerprint
    assert any(result.lines.filter(is_funded=True) for result in w.run.envelope_results.all())


def test_building_one_file_gives_the_bytes_of_the_full_set():
    w = published_world()
    every = {f.name: f.content for f in published_files(w.cycle)}
    for name, content in every.items():
        [alone] = published_files(w.cycle, only=name)
        assert alone.name == name and alone.content == content
    assert published_files(w.cycle, only=f"{w.cycle.slug}-inconnu.pb") == []
    assert published_files(w.cycle, only="autre.csv") == []
