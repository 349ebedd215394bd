"""Public board, receipts, open data, recount from the published file, verify_cycle/audit."""

import json

import pytest
from django.core import mail
from django.core.management import CommandError, call_command

from audit.models import AuditEvent
from audit.services import verify_audit_log
from budgets.allocation.engine import allocate
from budgets.allocation.pabulib import parse_pabulib
from budgets.models import PhaseKind
from budgets.services import close_voting
from tests.builders import build_world, make_proposal, tampering
from voting.board import pabulib_files, verify_cycle
from voting.models import Ballot, BallotChoice, BallotLogEntry, EnvelopeResult
from voting.services import cast_ballot
from voting.tally import run_tally

pytestmark = pytest.mark.django_db


def voted_world():
    w = build_world(phase=PhaseKind.VOTING)
    w.a = make_proposal(w, title="Jardin", cost_cents=60_000_00)
    w.b = make_proposal(w, title="Bancs", cost_cents=50_000_00)
    w.t = make_proposal(w, title="Navette", envelope=w.territory_envelope, cost_cents=90_000_00)
    w.r1 = cast_ballot(voter=w.resident, cycle=w.cycle, proposal_ids=[w.a.pk, w.t.pk])
    w.r2 = cast_ballot(voter=w.second_resident, cycle=w.cycle, proposal_ids=[w.a.pk, w.b.pk])
    return w


def test_the_voter_gets_the_receipt_by_email_without_the_choices(django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        w = voted_world()
    assert mail.outbox == []  # queued by the cast, sent by manage.py send_receipts
    call_command("send_receipts")
    assert len(mail.outbox) == 2
    mine = next(m for m in mail.outbox if m.to == [w.resident.email])  # queue order is not kept
    assert w.r1.receipt_code in mine.body
    assert "Jardin" not in mine.body


def test_board_during_voting_shows_counts_and_receipts_but_no_totals(client):
    w = voted_world()
    page = client.get(f"/vote/bp-test/registre/?recu={w.r1.receipt_code}").content.decode()
    assert "et c’est lui qui compte" in page
    assert "Jardin" not in page and "Navette" not in page
    log = client.get("/vote/bp-test/registre/journal.json").json()["entries"]
    assert len(log) == 2 and all(set(e["content"]) == {"ballot", "commitment"} for e in log)
    assert client.get("/vote/bp-test/registre/bulletins.json").status_code == 409
    assert client.get(f"/vote/bp-test/registre/enveloppe-{w.cenon_envelope.pk}.pb").status_code == 409


def test_a_replaced_receipt_is_reported_as_superseded_and_an_unknown_one_as_absent(client):
    w = voted_world()
    cast_ballot(voter=w.resident, cycle=w.cycle, proposal_ids=[w.b.pk])
    page = client.get(f"/vote/bp-test/registre/?recu={w.r1.receipt_code.lower()}").content.decode()
    assert "a été remplacé" in page
    assert "ne figure pas" in client.get("/vote/bp-test/registre/?recu=ZZZZ-ZZZZ-ZZ").content.decode()


def test_after_close_the_published_file_recounts_to_the_stored_result(client):
    w = voted_world()
    close_voting(actor=w.admin, cycle=w.cycle)
    run = run_tally(actor=w.admin, cycle=w.cycle)
    ballots = client.get("/vote/bp-test/registre/bulletins.json").json()["ballots"]
    assert len(ballots) == 2 and all(set(b) == {"commune", "choices"} for b in ballots)
    response = client.get(f"/vote/bp-test/registre/enveloppe-{w.cenon_envelope.pk}.pb")
    assert response.status_code == 200
    election = parse_pabulib(response.content.decode())
    recount = allocate(election, rule="greedy", tie_break="default", seed=run.log_head)
    stored = EnvelopeResult.objects.get(tally_run=run, envelope=w.cenon_envelope)
    assert recount.fingerprint == stored.fingerprint
    page = client.get("/vote/bp-test/registre/").content.decode()
    assert pabulib_files(w.cycle)[0].sha256 in page


def test_verify_cycle_passes_on_an_untouched_cycle():
    w = voted_world()
    close_voting(actor=w.admin, cycle=w.cycle)
    run_tally(actor=w.admin, cycle=w.cycle)
    assert all(check.ok for check in verify_cycle(w.cycle))
    call_command("verify_cycle", "bp-test")


def test_verify_cycle_names_the_entry_of_a_ballot_changed_in_the_database():
    w = voted_world()
    second = Ballot.objects.get(receipt_code=w.r2.receipt_code)
    BallotChoice.objects.filter(ballot=second, proposal=w.b).update(proposal=w.t)
    checks = verify_cycle(w.cycle)
    entry = BallotLogEntry.objects.get(cast_record=second.cast)
    assert not checks[-1].ok and f"n° {entry.seq}" in checks[-1].detail
    with pytest.raises(CommandError):
        call_command("verify_cycle", "bp-test")


def test_verify_cycle_detects_a_deleted_ballot_and_a_changed_result():
    w = voted_world()
    close_voting(actor=w.admin, cycle=w.cycle)
    run = run_tally(actor=w.admin, cycle=w.cycle)
    run.fingerprint = "0" * 64
    run.save()
    assert not verify_cycle(w.cycle)[-1].ok
    Ballot.objects.get(receipt_code=w.r1.receipt_code).delete()
    checks = verify_cycle(w.cycle)
    assert not checks[-1].ok and "disparu" in checks[-1].detail


def test_verify_audit_detects_an_altered_and_a_removed_event():
    w = voted_world()
    close_voting(actor=w.admin, cycle=w.cycle)
    run_tally(actor=w.admin, cycle=w.cycle)
    assert verify_audit_log()[0]
    call_command("verify_audit")
    first = AuditEvent.objects.order_by("seq").first()
    with tampering():
        AuditEvent.objects.filter(pk=first.pk).update(payload={"closed_at": "forged"})
    ok, message = verify_audit_log()
    assert not ok and f"#{first.seq}" in message
    with pytest.raises(CommandError):
        call_command("verify_audit")


def test_verify_audit_detects_a_removed_event():
    w = voted_world()
    close_voting(actor=w.admin, cycle=w.cycle)
    run_tally(actor=w.admin, cycle=w.cycle)
    with tampering():
        AuditEvent.objects.order_by("seq").first().delete()
    assert not verify_audit_log()[0]


def test_board_json_is_valid_utf8_json(client):
    voted_world()
    body = client.get("/vote/bp-test/registre/journal.json").content.decode("utf-8")
    assert json.loads(body)["cycle"] == "bp-test"


def test_the_published_recount_command_reproduces_each_envelope_fingerprint(client, tmp_path, capsys):
    import shlex

    from budgets.allocation.cli import main as recount_main

    w = voted_world()
    w.cenon_envelope.rule = "mes-add1"
    w.cenon_envelope.save()
    w.cycle.threshold_percent = 40
    w.cycle.save()
    close_voting(actor=w.admin, cycle=w.cycle)
    run = run_tally(actor=w.admin, cycle=w.cycle)
    for published in pabulib_files(w.cycle):
        path = tmp_path / f"bp-test-{published.envelope.pk}.pb"
        path.write_text(published.text, encoding="utf-8")
        argv = shlex.split(published.command)[3:]  # drop "python manage.py recount"
        argv[0] = str(path)
        capsys.readouterr()
        assert recount_main([*argv, "--json"]) == 0
        printed = json.loads(capsys.readouterr().out)
        stored = EnvelopeResult.objects.get(tally_run=run, envelope=published.envelope)
        assert printed["fingerprint"] == stored.fingerprint, published.command
