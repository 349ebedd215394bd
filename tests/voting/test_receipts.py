"""Receipt e-mails leave outside the cast: queued by the cast, sent by send_receipts."""

import smtplib
import uuid

import pytest
from django.core import mail
from django.core.management import CommandError, call_command
from django.test import override_settings

from budgets.models import PhaseKind
from tests.builders import build_world, make_proposal
from voting.models import Ballot, PendingReceipt
from voting.receipts import send_pending_receipts
from voting.services import cast_ballot

pytestmark = pytest.mark.django_db


def voting_world():
    w = build_world(phase=PhaseKind.VOTING)
    w.parks = make_proposal(w, title="Jardin partagé", cost_cents=30_000_00)
    w.lights = make_proposal(w, title="Éclairage", cost_cents=60_000_00)
    return w


def test_the_cast_queues_one_row_naming_only_the_cycle_and_the_voter(django_capture_on_commit_callbacks):
    w = voting_world()
    with django_capture_on_commit_callbacks(execute=True):
        cast_ballot(voter=w.resident, cycle=w.cycle, proposal_ids=[w.parks.pk])
    assert mail.outbox == []  # nothing sent during the cast
    row = PendingReceipt.objects.get()
    assert (row.cycle_id, row.voter_id) == (w.cycle.pk, w.resident.pk)
    assert isinstance(row.pk, uuid.UUID)
    # No address, no code, no time: nothing a participation row does not already say.
    assert {f.attname for f in PendingReceipt._meta.concrete_fields} == {"id", "cycle_id", "voter_id"}


def test_the_mail_carries_the_current_code_once_even_after_a_replacement():
    w = voting_world()
    cast_ballot(voter=w.resident, cycle=w.cycle, proposal_ids=[w.parks.pk])
    second = cast_ballot(voter=w.resident, cycle=w.cycle, proposal_ids=[w.lights.pk])
    assert PendingReceipt.objects.count() == 1
    assert send_pending_receipts() == 1
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == [w.resident.email]
    assert second.receipt_code in message.body
    assert "Éclairage" not in message.body and "Jardin" not in message.body
    assert not PendingReceipt.objects.exists()
    assert send_pending_receipts() == 0 and len(mail.outbox) == 1  # never twice


def test_a_voter_without_an_address_or_a_switched_off_mail_queues_nothing():
    w = voting_world()
    w.resident.email = ""
    w.resident.save(update_fields=["email"])
    cast_ballot(voter=w.resident, cycle=w.cycle, proposal_ids=[w.parks.pk])
    with override_settings(EMAIL_BACKEND="django.core.mail.backends.dummy.EmailBackend"):
        cast_ballot(voter=w.second_resident, cycle=w.cycle, proposal_ids=[w.parks.pk])
    assert Ballot.objects.count() == 2
    assert not PendingReceipt.objects.exists()


def test_a_mail_server_failure_keeps_the_receipts_queued_and_never_touches_the_vote(monkeypatch):
    w = voting_world()
    cast_ballot(voter=w.resident, cycle=w.cycle, proposal_ids=[w.parks.pk])
    cast_ballot(voter=w.second_resident, cycle=w.cycle, proposal_ids=[w.lights.pk])

    def down(*args, **kwargs):
        raise ConnectionRefusedError("mail server down")

    monkeypatch.setattr("voting.receipts.send_mail", down)
    assert send_pending_receipts() == 0
    assert PendingReceipt.objects.count() == 2 and Ballot.objects.count() == 2
    monkeypatch.undo()
    call_command("send_receipts")
    assert len(mail.outbox) == 2 and not PendingReceipt.objects.exists()


def test_a_refused_recipient_is_dropped_and_the_others_still_leave(monkeypatch):
    w = voting_world()
    cast_ballot(voter=w.resident, cycle=w.cycle, proposal_ids=[w.parks.pk])
    cast_ballot(voter=w.second_resident, cycle=w.cycle, proposal_ids=[w.lights.pk])
    from django.core.mail import send_mail as real_send_mail

    def refuse_awa(subject, body, sender, recipients, **kwargs):
        if recipients == [w.resident.email]:
            raise smtplib.SMTPRecipientsRefused({w.resident.email: (550, b"unknown")})
        return real_send_mail(subject, body, sender, recipients, **kwargs)

    monkeypatch.setattr("voting.receipts.send_mail", refuse_awa)
    assert send_pending_receipts() == 2
    assert [m.to for m in mail.outbox] == [[w.second_resident.email]]
    assert not PendingReceipt.objects.exists()


def test_the_queue_is_emptied_in_batches_and_the_command_checks_its_options():
    w = voting_world()
    for voter in (w.resident, w.second_resident):
        cast_ballot(voter=voter, cycle=w.cycle, proposal_ids=[w.parks.pk])
    call_command("send_receipts", "--batch", "1")
    assert len(mail.outbox) == 2 and not PendingReceipt.objects.exists()
    with pytest.raises(CommandError):
        call_command("send_receipts", "--batch", "0")
