"""The public bulletin board and the re-verification of a cycle.

During voting the board shows the number of ballots, the length and head of the ballot
log and answers receipt lookups ("my ballot is recorded") — never running totals (the log
holds only salted commitments). After the close it publishes the anonymised final ballots
(canonical order, no receipt, no pseudonym) and, per envelope, the pabulib file they form
with its SHA-256, from which anyone can recount with ``manage.py recount``.

The pages do not call the builders here on each view: ``opendata.store`` builds the files
once per state of ``board_inputs`` and serves the stored bytes.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from typing import Any

from django.core.serializers.json import DjangoJSONEncoder
from django.utils import timezone
from django.utils.translation import gettext as _

from budgets.allocation.pabulib import write_pabulib
from budgets.models import BudgetCycle, Envelope, PhaseKind
from proposals.selectors import ballot_proposals
from voting.models import Ballot, BallotLogEntry, CastRecord, TallyRun
from voting.services import (
    ballot_body,
    commitment,
    last_log_entry,
    sequence_pending,
    verify_ballot_log,
)
from voting.tally import compute_tally, cycle_elections, frozen_ballots, rule_parameters


def is_closed(cycle: BudgetCycle) -> bool:
    """True once voting is over: the voting phase has ended."""
    voting = cycle.phases.filter(kind=PhaseKind.VOTING).first()
    return voting is not None and voting.ends_at <= timezone.now()


@dataclass
class BoardSummary:
    ballot_count: int
    log_length: int
    head: str
    is_closed: bool


def board_summary(cycle: BudgetCycle) -> BoardSummary:
    last = last_log_entry(cycle.pk)
    return BoardSummary(
        ballot_count=Ballot.objects.filter(cycle=cycle).count(),
        log_length=last.seq if last else 0,
        head=last.hash if last else "",
        is_closed=is_closed(cycle),
    )


@dataclass
class ReceiptLookup:
    code: str
    found: bool
    seq: int = 0
    is_current: bool = False
    is_pending: bool = False  # recorded, not yet appended to the log by the sequencer


def lookup_receipt(cycle: BudgetCycle, code: str) -> ReceiptLookup:
    """Is this receipt in the log, and is it the ballot that counts (not since replaced)?

    A receipt whose cast is recorded but not yet chained (the sequencer is a few
    milliseconds behind under load) is reported as found and pending, never as absent.
    """
    cleaned = "".join(ch for ch in code.upper() if ch.isalnum())[:10]
    formatted = f"{cleaned[:4]}-{cleaned[4:8]}-{cleaned[8:10]}"
    entry = BallotLogEntry.objects.filter(cycle=cycle, receipt_code=formatted).first()
    if entry is None:
        record = CastRecord.objects.filter(cycle=cycle, receipt_code=formatted).first()
        if record is None:
            return ReceiptLookup(code=formatted, found=False)
        current = Ballot.objects.filter(cycle=cycle, cast=record).exists()
        return ReceiptLookup(code=formatted, found=True, is_current=current, is_pending=True)
    current = Ballot.objects.filter(cycle=cycle, receipt_code=formatted,
                                    cast_id=entry.cast_record_id).exists()
    return ReceiptLookup(code=formatted, found=True, seq=entry.seq, is_current=current)


def public_log(cycle: BudgetCycle) -> list[dict[str, Any]]:
    """The whole chain as published: seq, kind, commitment, hashes, receipt code."""
    return [
        {"seq": e.seq, "kind": e.kind, "content": e.content, "prev_hash": e.prev_hash,
         "hash": e.hash, "receipt": e.receipt_code}
        for e in BallotLogEntry.objects.filter(cycle=cycle).order_by("seq").iterator()
    ]


def final_ballots(cycle: BudgetCycle) -> list[dict[str, Any]]:
    """The anonymised final ballots: commune and (proposal, points) lines, canonical order."""
    return [{"commune": commune or None, "choices": [list(line) for line in lines]}
            for commune, lines in frozen_ballots(cycle)]


def final_ballots_json(cycle: BudgetCycle) -> bytes:
    """The bytes of the anonymised ballots file: exactly what a ``JsonResponse`` of
    ``{"cycle", "ballots"}`` with ``ensure_ascii=False`` writes."""
    return json.dumps({"cycle": cycle.slug, "ballots": final_ballots(cycle)},
                      cls=DjangoJSONEncoder, ensure_ascii=False).encode("utf-8")


def board_inputs(cycle: BudgetCycle) -> dict[str, Any]:
    """Everything the board's published files (``final_ballots_json``, ``pabulib_files``)
    are built from, except the ballots themselves, which the ballot-log head stands for
    (each log entry commits to one ballot's commune and choices). A few small queries,
    none proportional to the number of ballots: the key of the stored files
    (``opendata.store``). Any cycle field counts (a field the files do not use only costs
    a rebuild)."""
    last = last_log_entry(cycle.pk)
    return {
        "head": last.hash if last else "",
        "log_length": last.seq if last else 0,
        "cycle": {f.attname: str(getattr(cycle, f.attname)) for f in cycle._meta.concrete_fields},
        "envelopes": [list(row) for row in cycle.envelopes.order_by("pk").values_list(
            "pk", "name", "amount_cents", "rule", "commune_id", "commune__name")],
        "proposals": [list(row) for row in ballot_proposals(cycle).order_by("pk").values_list(
            "pk", "envelope_id", "estimated_cost_cents", "validated_cost_cents", "title")],
    }


@dataclass
class PublishedFile:
    envelope: Envelope
    text: str
    command: str = ""
    sha256: str = field(init=False)

    def __post_init__(self) -> None:
        self.sha256 = hashlib.sha256(self.text.encode("utf-8")).hexdigest()


def recount_command(cycle: BudgetCycle, envelope: Envelope, head: str) -> str:
    """The command line that recounts this envelope's published file exactly as the tally did."""
    params = rule_parameters(cycle, envelope)
    parts = [f"python manage.py recount {cycle.slug}-{envelope.pk}.pb", f"--rule {params['rule']}",
             f"--tie-break {params['tie_break']}", f"--seed {head}"]
    if params["utility"]:
        parts.append(f"--utility {params['utility']}")
    if params["add1_stop"]:
        parts.append(f"--add1-stop {params['add1_stop']}")
    if params["greedy_fill"]:
        parts.append("--greedy-fill")
    if params["threshold"] is not None:
        parts.append(f"--threshold {params['threshold']}")
    return " ".join(parts)


def pabulib_files(cycle: BudgetCycle) -> list[PublishedFile]:
    """One pabulib file per envelope, built from the same election the tally used."""
    files = []
    computation = cycle_elections(cycle)
    for item in computation.envelopes:
        envelope = item.envelope
        params = rule_parameters(cycle, envelope)
        meta = (
            ("description", f"{cycle.name} — {envelope.name}"),
            ("country", "France"),
            # Not translated: the published file and its SHA-256 must not depend on the
            # reader's language.
            ("unit", envelope.commune.name if envelope.commune else "Territoire"),
            ("instance", cycle.slug),
            ("currency", "EUR"),
            # The exact rule the tally ran (the envelope's own, else the cycle's), its
            # tie-break with the lottery seed, and every parameter that is set: the META
            # alone says how to recount (``recount_command``).
            ("rule", params["rule"]),
            ("tie_break", params["tie_break"]),
            ("tie_break_seed", computation.head),
            *((key, str(value)) for key, value in sorted(params.items())
              if key not in ("rule", "tie_break") and value not in (None, False)),
        )
        election = item.election
        text = write_pabulib(type(election)(
            budget=election.budget, projects=election.projects, ballots=election.ballots,
            kind=election.kind, scale=election.scale, meta=meta,
        ))
        files.append(PublishedFile(envelope=envelope, text=text,
                                   command=recount_command(cycle, envelope, computation.head)))
    return files


# --- Verification ------------------------------------------------------------------------------


@dataclass
class Check:
    name: str
    ok: bool
    detail: str


def verify_cycle(cycle: BudgetCycle) -> list[Check]:
    """Re-check everything that can be re-checked; each check names what it found.

    Chains any cast still waiting for the sequencer first, so every recorded cast is
    checked."""
    sequence_pending(cycle.pk, wait=True)
    checks: list[Check] = []
    ok, message, head = verify_ballot_log(cycle)
    checks.append(Check(_("Chaînage du registre des bulletins"), ok, str(message)))
    if not ok:
        return checks
    checks.append(_check_ballots_against_log(cycle))
    if not checks[-1].ok:
        return checks
    checks.append(_check_stored_result(cycle, head))
    return checks


def _check_ballots_against_log(cycle: BudgetCycle) -> Check:
    """Every stored ballot matches the commitment of its latest log entry, and vice versa;
    every log entry says what its cast record says, and every cast record is in the log."""
    name = _("Bulletins conformes au registre")
    latest: dict[str, BallotLogEntry] = {}
    by_record: dict[int, BallotLogEntry] = {}
    records = {r.pk: r for r in CastRecord.objects.filter(cycle=cycle)}
    for entry in BallotLogEntry.objects.filter(cycle=cycle).order_by("seq").iterator():
        record = records.get(entry.cast_record_id)
        if record is None or (record.kind, record.ballot_key, record.commitment,
                              record.receipt_code) != (entry.kind, entry.content.get("ballot"),
                                                       entry.content.get("commitment"),
                                                       entry.receipt_code):
            return Check(name, False, _("Le bulletin de l’entrée n° %(seq)d ne correspond pas au registre.")
                         % {"seq": entry.seq})
        latest[entry.content.get("ballot", "")] = entry
        by_record[entry.cast_record_id] = entry
    unchained = sorted(set(records) - set(by_record))
    if unchained:
        return Check(name, False, _("Le dépôt %(receipt)s n’est pas inscrit au registre.")
                     % {"receipt": records[unchained[0]].receipt_code})
    seen = set()
    rows = []
    for ballot in Ballot.objects.filter(cycle=cycle).prefetch_related("choices"):
        found = by_record.get(ballot.cast_id)
        rows.append((found.seq if found else 0, ballot, found))
    for seq, ballot, found in sorted(rows, key=lambda row: row[0]):
        body = ballot_body(commune_id=ballot.commune_id, channel=ballot.channel,
                           lines=[(c.proposal_id, c.points) for c in ballot.choices.all()])
        if found is None or found.content.get("ballot") != ballot.pseudonym[:16] \
                or latest.get(found.content.get("ballot")) is not found \
                or found.content.get("commitment") != commitment(ballot.salt, body) \
                or found.receipt_code != ballot.receipt_code:
            return Check(name, False, _("Le bulletin de l’entrée n° %(seq)d ne correspond pas au registre.")
                         % {"seq": seq})
        seen.add(found.content.get("ballot"))
    missing = [e.seq for key, e in latest.items() if key not in seen]
    if missing:
        return Check(name, False, _("Le bulletin de l’entrée n° %(seq)d a disparu.") % {"seq": min(missing)})
    return Check(name, True, _("%(count)d bulletins conformes.") % {"count": len(seen)})


def _check_stored_result(cycle: BudgetCycle, head: str) -> Check:
    """Recount from the ballots and compare with the current stored tally, if any. ``head``:
    the log head ``verify_cycle`` has just verified (the recount is seeded with it)."""
    name = _("Recomptage identique au résultat enregistré")
    run = TallyRun.objects.filter(cycle=cycle, is_current=True).first()
    if run is None:
        return Check(name, True, _("Aucun dépouillement enregistré : rien à comparer."))
    fresh = compute_tally(cycle, verified_head=head)
    if fresh.fingerprint != run.fingerprint:
        return Check(name, False, _("Le recomptage donne l’empreinte %(new)s au lieu de %(old)s.")
                     % {"new": fresh.fingerprint[:16], "old": run.fingerprint[:16]})
    return Check(name, True, _("Empreinte %(fp)s retrouvée.") % {"fp": run.fingerprint[:16]})
