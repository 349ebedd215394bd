"""What a tally run records (code version, arithmetic, parameters, comparisons) and how
runs are kept: a rerun confirms, a changed ballot set gives a new run and voids signatures."""

from __future__ import annotations

import re

import pytest

from audit.models import AuditEvent
from budgets.models import PhaseKind
from tests.builders import build_world, make_proposal, set_phase
from voting.board import verify_cycle
from voting.models import EnvelopeResult, ResultLine, TallyRun
from voting.publication import is_certified
from voting.services import cast_ballot
from voting.tally import (
    _git_commit,
    certification_status,
    certify_result,
    code_version,
    compute_tally,
    run_tally,
    sources_digest,
)

pytestmark = pytest.mark.django_db
HEX64 = re.compile(r"^[0-9a-f]{64}$")


def voted_world(quorum=1, rule="greedy"):
    """Cenon 100 000 €: A (60 000 €, 2 votes), B (50 000 €, 2 votes), C (30 000 €, 1 vote)."""
    w = build_world(phase=PhaseKind.VOTING, quorum=quorum)
    w.cycle.rule = rule
    w.cycle.save(update_fields=["rule"])
    w.a = make_proposal(w, title="A", cost_cents=60_000_00)
    w.b = make_proposal(w, title="B", cost_cents=50_000_00)
    w.c = make_proposal(w, title="C", cost_cents=30_000_00)
    cast_ballot(voter=w.resident, cycle=w.cycle, proposal_ids=[w.a.pk, w.b.pk])
    cast_ballot(voter=w.second_resident, cycle=w.cycle, proposal_ids=[w.a.pk, w.b.pk, w.c.pk])
    set_phase(w.cycle, PhaseKind.RESULTS)
    return w


def test_a_run_records_the_head_rule_parameters_arithmetic_and_code_version():
    w = voted_world()
    run = run_tally(actor=w.admin, cycle=w.cycle)
    assert run.log_head == run.parameters["seed"] and HEX64.match(run.log_head)
    assert run.rule == "greedy"
    envelope_params = run.parameters["envelopes"][str(w.cenon_envelope.pk)]
    assert envelope_params["rule"] == "greedy" and envelope_params["tie_break"] == "default"
    assert run.arithmetic == "exact: integers and rational numbers"
    assert run.code_version["package"] == "0.1.0"
    assert HEX64.match(run.code_version["sources_sha256"])
    assert run.code_version == code_version()
    assert HEX64.match(run.fingerprint) and HEX64.match(run.input_fingerprint)
    # One explanation per project, tie-breaks kept with the envelope's result.
    result = run.envelope_results.get(envelope=w.cenon_envelope)
    assert result.lines.count() == 3 and all(line.explanation for line in result.lines.all())
    assert result.tie_breaks[0]["winner"] == "B"
    assert result.result["arithmetic"] == run.arithmetic
    event = AuditEvent.objects.get(action="tally.run")
    assert event.payload["code_version"] == run.code_version


def test_equal_shares_records_the_arithmetic_the_engine_reports():
    w = voted_world(rule="mes")
    run = run_tally(actor=w.admin, cycle=w.cycle)
    # Each decision certified exactly (error bounds, else rationals): the engine says which.
    engine_says = {r.result["arithmetic"] for r in run.envelope_results.all()}
    assert run.arithmetic == "; ".join(sorted(engine_says))
    assert "certified" in run.arithmetic or "rational" in run.arithmetic
    assert run.parameters["envelopes"][str(w.cenon_envelope.pk)]["rule"] == "mes"


def test_rerunning_gives_the_same_fingerprint_and_keeps_the_run_and_its_signatures():
    w = voted_world()
    run = run_tally(actor=w.admin, cycle=w.cycle)
    certify_result(member=w.committee_member, tally_run=run)
    assert compute_tally(w.cycle).fingerprint == run.fingerprint  # recomputed from scratch
    again = run_tally(actor=w.admin, cycle=w.cycle)
    assert again.pk == run.pk and again.fingerprint == run.fingerprint
    assert TallyRun.objects.filter(cycle=w.cycle).count() == 1
    assert certification_status(again)["count"] == 1 and is_certified(again)
    confirmed = AuditEvent.objects.get(action="tally.confirmed")
    assert confirmed.payload["fingerprint"] == run.fingerprint


def test_a_changed_ballot_set_gives_a_new_run_keeps_the_old_one_and_voids_its_signatures():
    w = voted_world()
    first = run_tally(actor=w.admin, cycle=w.cycle)
    certify_result(member=w.committee_member, tally_run=first)
    assert is_certified(first)
    set_phase(w.cycle, PhaseKind.VOTING)  # a vote reopened by the administration
    cast_ballot(voter=w.resident, cycle=w.cycle, proposal_ids=[w.c.pk])  # replaces their ballot
    set_phase(w.cycle, PhaseKind.RESULTS)
    second = run_tally(actor=w.admin, cycle=w.cycle)
    assert second.pk != first.pk
    assert second.fingerprint != first.fingerprint and second.log_head != first.log_head
    assert second.input_fingerprint != first.input_fingerprint
    assert second.ballot_count == first.ballot_count == 2
    first.refresh_from_db()
    assert not first.is_current and second.is_current  # the old run is kept, marked replaced
    assert EnvelopeResult.objects.filter(tally_run=first).count() == 3  # nothing overwritten
    assert not is_certified(first) and certification_status(second)["count"] == 0
    event = AuditEvent.objects.filter(action="tally.run").latest("pk")
    assert event.payload["replaced"] == first.pk and event.payload["voided_certifications"] == 1


def test_comparisons_are_stored_beside_the_result_and_stay_out_of_the_fingerprint():
    w = voted_world()
    run = run_tally(actor=w.admin, cycle=w.cycle)
    result = run.envelope_results.get(envelope=w.cenon_envelope)
    [other] = result.comparisons
    assert other["rule"] == "mes"  # the official greedy rule is not compared with itself
    assert sum(ResultLine.objects.get(proposal_id=pid).cost_cents for pid in other["selected"]) \
        == other["spent"] <= w.cenon_envelope.amount_cents
    # Tampering with the comparison does not touch the official result or its check.
    EnvelopeResult.objects.filter(pk=result.pk).update(comparisons=[])
    assert all(check.ok for check in verify_cycle(w.cycle))
    assert compute_tally(w.cycle).fingerprint == run.fingerprint


def test_mes_is_compared_with_greedy():
    w = voted_world(rule="mes")
    run = run_tally(actor=w.admin, cycle=w.cycle)
    rules = [row["rule"] for row in run.envelope_results.get(envelope=w.cenon_envelope).comparisons]
    assert rules == ["greedy"]


def test_sources_digest_follows_the_deciding_sources(tmp_path):
    (tmp_path / "budgets" / "allocation").mkdir(parents=True)
    (tmp_path / "voting").mkdir()
    engine = tmp_path / "budgets" / "allocation" / "engine.py"
    engine.write_text("RULES = ('greedy',)\n")
    (tmp_path / "voting" / "tally.py").write_text("TIE_BREAK = 'default'\n")
    before = sources_digest(tmp_path)
    assert sources_digest(tmp_path) == before
    engine.write_text("RULES = ('greedy', 'mes')\n")
    assert sources_digest(tmp_path) != before


def test_git_commit_is_read_from_a_loose_or_packed_ref_and_empty_without_git(tmp_path):
    assert _git_commit(tmp_path) == ""
    git = tmp_path / ".git"
    (git / "refs" / "heads").mkdir(parents=True)
    (git / "HEAD").write_text("ref: refs/heads/main\n")
    (git / "packed-refs").write_text("# pack-refs\n" + "a" * 40 + " refs/heads/main\n")
    assert _git_commit(tmp_path) == "a" * 40
    (git / "refs" / "heads" / "main").write_text("b" * 40 + "\n")
    assert _git_commit(tmp_path) == "b" * 40
    (git / "HEAD").write_text("c" * 40 + "\n")  # a detached head
    assert _git_commit(tmp_path) == "c" * 40


def test_the_stored_explanations_are_french_whatever_the_operators_language():
    from django.utils import translation

    w = voted_world()
    with translation.override("en"):
        run = run_tally(actor=w.admin, cycle=w.cycle)
    sentences = list(ResultLine.objects.filter(envelope_result__tally_run=run)
                     .values_list("explanation", flat=True))
    assert sentences
    assert all(s.startswith(("Financé", "Non financé")) for s in sentences), sentences
