"""The open data of a cycle, built from the published results: what files, with which bytes.

After the publication (``reports.selectors.results_published``) anyone may download:

- ``<cycle>-propositions.{csv,json}``: the proposals that went to the vote;
- ``<cycle>-resultats.{csv,json}``: the official result, one row per proposal and envelope;
- ``<cycle>-bulletins.{csv,json}``: the anonymised final ballots, one row per choice;
- ``<cycle>-donnees.xlsx``: the three tables and a sheet describing the tally, in one workbook;
- ``<cycle>-<envelope id>.pb``: one pabulib file per envelope, the very file the public
  board publishes (``voting.board.pabulib_files``), whose META names the rule, the
  tie-break, its seed and every parameter, so ``manage.py recount`` gives the winners.

Guarantees: the same data give the same bytes (hence the SHA-256 shown on the page): rows
in a fixed order, no generation time, a deterministic XLSX (``opendata.xlsx``). No file
names a voter: ballots carry no pseudonym, receipt, channel or time, only the voter's
commune (as on the board) and a number in the canonical order of the ballot contents,
which owes nothing to the order of the votes. CSV cells that a spreadsheet would read as a
formula (starting with ``=``, ``+``, ``-``, ``@``) are prefixed with ``'``; JSON and XLSX
keep the text as it is (XLSX cells are always text, never formulas).
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from budgets.models import BudgetCycle, Envelope
from proposals.models import Proposal
from territory.models import Commune
from voting.board import pabulib_files
from voting.models import BallotLogEntry, ResultLine, ResultPublication
from voting.publication import publication_of
from voting.tally import frozen_ballots

Row = Sequence[Any]

PROPOSAL_COLUMNS = ["proposal_id", "title", "category", "commune", "district", "envelope_id",
                    "envelope", "cost_cents", "status", "description"]
RESULT_COLUMNS = ["envelope_id", "envelope", "rule", "proposal_id", "title", "votes", "cost_cents",
                  "funded", "rank", "explanation"]
BALLOT_COLUMNS = ["ballot", "commune", "proposal_id", "points"]
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


@dataclass
class OpenDataFile:
    """One published file: stable name, media type, bytes and their SHA-256."""

    name: str
    kind: str  # "propositions", "resultats", "bulletins", "classeur", "pabulib"
    fmt: str   # "CSV", "JSON", "XLSX", "pabulib"
    content: bytes
    media_type: str
    envelope_name: str = ""
    command: str = ""  # the recount command line, for pabulib files
    envelope_pk: int | None = None  # pabulib files
    sha256: str = field(init=False)

    def __post_init__(self) -> None:
        self.sha256 = hashlib.sha256(self.content).hexdigest()

    @property
    def size(self) -> int:
        return len(self.content)


@dataclass
class Tables:
    """The three tables, as rows of plain values, and what describes the tally."""

    about: dict[str, Any]
    proposals: list[list[Any]]
    results: list[list[Any]]
    ballots: list[list[Any]]


def _published_lines(publication: ResultPublication) -> list[ResultLine]:
    return list(
        ResultLine.objects.filter(envelope_result__tally_run=publication.tally_run)
        .select_related("envelope_result__envelope", "proposal", "proposal__commune",
                        "proposal__district")
        .order_by("envelope_result__envelope_id", "proposal_id")
    )


def tables(cycle: BudgetCycle, publication: ResultPublication) -> Tables:
    """Everything the CSV, JSON and XLSX files hold, read from the published run."""
    run = publication.tally_run
    lines = _published_lines(publication)
    rules = {str(key): value.get("rule", run.rule)
             for key, value in (run.parameters.get("envelopes") or {}).items()}
    proposals: dict[int, Proposal] = {}
    envelope_names: dict[int, str] = {}
    results = []
    for line in lines:
        envelope = line.envelope_result.envelope
        proposals[line.proposal_id] = line.proposal
        envelope_names[envelope.pk] = envelope.name
        results.append([envelope.pk, envelope.name, rules.get(str(envelope.pk), run.rule),
                        line.proposal_id, line.proposal.title, line.votes, line.cost_cents,
                        line.is_funded, line.rank, line.explanation])
    proposal_rows = [
        [p.pk, p.title, p.category, p.commune.name, p.district.name if p.district else "",
         p.envelope_id, envelope_names.get(p.envelope_id, ""), p.cost_cents, p.status, p.description]
        for p in sorted(proposals.values(), key=lambda p: p.pk)
    ]
    communes = dict(Commune.objects.values_list("pk", "name"))
    ballot_rows: list[list[Any]] = []
    for number, (commune_id, choices) in enumerate(frozen_ballots(cycle), start=1):
        commune = communes.get(commune_id, "") if commune_id else ""
        if not choices:
            ballot_rows.append([number, commune, None, None])
        ballot_rows.extend([number, commune, proposal_id, points] for proposal_id, points in choices)
    about = {
        "cycle": cycle.slug,
        "name": cycle.name,
        "published_on": publication.published_at.date().isoformat(),
        "ballot_kind": cycle.ballot_kind,
        "rule": run.rule,
        "parameters": run.parameters,
        "arithmetic": run.arithmetic,
        "ballot_count": run.ballot_count,
        "ballot_log_head": run.log_head,
        "result_fingerprint": run.fingerprint,
        "code_version": run.code_version,
        "currency": "EUR",
        "amounts": "cents",
    }
    return Tables(about=about, proposals=proposal_rows, results=results, ballots=ballot_rows)


def csv_cell(value: Any) -> str:
    """Text for a CSV cell: booleans as true/false, None empty, formula-like text quoted."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    text = str(value)
    if isinstance(value, str) and text.startswith(FORMULA_START):
        return "'" + text
    return text


def to_csv(columns: list[str], rows: list[list[Any]]) -> bytes:
    """UTF-8, comma-separated, a header row, CRLF line ends (RFC 4180)."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(columns)
    writer.writerows([csv_cell(value) for value in row] for row in rows)
    return out.getvalue().encode("utf-8")


def to_json(about: dict[str, Any], dataset: str, columns: list[str], rows: list[list[Any]]) -> bytes:
    """One object: the tally's description, the dataset name and one object per row."""
    body = {**about, "dataset": dataset,
            "rows": [dict(zip(columns, row, strict=True)) for row in rows]}
    return (json.dumps(body, ensure_ascii=False, sort_keys=True, indent=1) + "\n").encode("utf-8")


def _about_rows(about: dict[str, Any]) -> list[list[Any]]:
    rows: list[list[Any]] = [["key", "value"]]
    for key, value in about.items():
        if isinstance(value, dict):
            rows.append([key, json.dumps(value, ensure_ascii=False, sort_keys=True)])
        else:
            rows.append([key, value])
    return rows


def table_files(cycle: BudgetCycle, publication: ResultPublication) -> list[OpenDataFile]:
    """The tables of the published run as CSV and JSON, then the workbook, in page order."""
    from opendata.xlsx import write_xlsx

    slug = cycle.slug
    data = tables(cycle, publication)
    files = []
    for name, columns, rows in [("propositions", PROPOSAL_COLUMNS, data.proposals),
                                ("resultats", RESULT_COLUMNS, data.results),
                                ("bulletins", BALLOT_COLUMNS, data.ballots)]:
        files.append(OpenDataFile(f"{slug}-{name}.csv", name, "CSV", to_csv(columns, rows),
                                  "text/csv; charset=utf-8"))
        files.append(OpenDataFile(f"{slug}-{name}.json", name, "JSON",
                                  to_json(data.about, name, columns, rows),
                                  "application/json; charset=utf-8"))
    workbook = write_xlsx([
        ("propositions", [PROPOSAL_COLUMNS, *data.proposals]),
        ("resultats", [RESULT_COLUMNS, *data.results]),
        ("bulletins", [BALLOT_COLUMNS, *data.ballots]),
        ("depouillement", _about_rows(data.about)),
    ])
    files.append(OpenDataFile(
        f"{slug}-donnees.xlsx", "classeur", "XLSX", workbook,
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"))
    return files


def pabulib_open_files(cycle: BudgetCycle) -> list[OpenDataFile]:
    """The board's pabulib files (``voting.board.pabulib_files``) under their open-data names."""
    return [OpenDataFile(
        f"{cycle.slug}-{published.envelope.pk}.pb", "pabulib", "pabulib", published.text.encode("utf-8"),
        "text/plain; charset=utf-8", envelope_name=published.envelope.name,
        command=published.command, envelope_pk=published.envelope.pk)
        for published in pabulib_files(cycle)]


def current_publication(cycle: BudgetCycle) -> ResultPublication | None:
    """The cycle's publication while its run is the current one, else None."""
    publication = publication_of(cycle)
    if publication is None or not publication.tally_run.is_current:
        return None
    return publication


def table_inputs(cycle: BudgetCycle, publication: ResultPublication) -> dict[str, Any]:
    """Everything ``table_files`` reads, except the ballots, which the ballot-log head
    stands for, and the result lines and the run's fields, which never change once the run
    is stored (its id and fingerprint stand for them). A few small queries, none
    proportional to the number of ballots: the key of the stored tables (``opendata.store``).
    Proposals are read live (their status moves on after the publication: funded, in
    progress, delivered), so a change to one of them gives new files."""
    run = publication.tally_run
    last = BallotLogEntry.objects.filter(cycle=cycle).order_by("-seq").values_list("hash", flat=True).first()
    proposal_ids = ResultLine.objects.filter(envelope_result__tally_run=run).values("proposal_id")
    return {
        "head": last or "",
        "cycle": [cycle.pk, cycle.slug, cycle.name, cycle.ballot_kind],
        "publication": [publication.pk, publication.published_at.date().isoformat()],
        "run": [run.pk, run.fingerprint, run.is_current],
        "envelopes": [list(row) for row in
                      Envelope.objects.filter(cycle=cycle).order_by("pk").values_list("pk", "name")],
        "communes": [list(row) for row in Commune.objects.order_by("pk").values_list("pk", "name")],
        "proposals": [list(row) for row in
                      Proposal.objects.filter(pk__in=proposal_ids).order_by("pk").values_list(
                          "pk", "title", "category", "commune__name", "district__name",
                          "envelope_id", "estimated_cost_cents", "validated_cost_cents", "status",
                          "description")],
    }


def published_files(cycle: BudgetCycle, *, only: str | None = None) -> list[OpenDataFile]:
    """Every open-data file of the cycle, built afresh, in page order; [] before the
    publication. The pages serve the stored copies (``opendata.store``); this is the
    reference they are tested against.

    ``only``: build just the file of that name, or nothing if it is unknown."""
    publication = current_publication(cycle)
    if publication is None:
        return []
    files = []
    if only is None or not only.endswith(".pb"):
        files = table_files(cycle, publication)
    if only is None or only.endswith(".pb"):
        files.extend(pabulib_open_files(cycle))
    return [f for f in files if only in (None, f.name)]
