"""Cast records and the sequencer: casts do not wait for each other, and every cast still
reaches the hash-chained ballot log exactly once, in a chain that verifies."""

import pytest
from django.db import transaction

from budgets.models import PhaseKind
from budgets.services import close_voting
from tests.builders import build_world, make_proposal, tampering
from voting.board import lookup_receipt, verify_cycle
from voting.models import Ballot, BallotLogEntry, CastRecord, Channel
from voting.secrecy import receipt_code, voter_pseudonym
from voting.services import cast_ballot, record_ballot, sequence_pending, verify_ballot_log
from voting.tally import cycle_elections


def voting_world():
    w = build_world(phase=PhaseKind.VOTING)
    w.parks = make_proposal(w, title="Bancs", cost_cents=30_000_00)
    w.lights = make_proposal(w, title="Éclairage", cost_cents=60_000_00)
    return w


def record_without_sequencing(w, voter, proposal):
    """A cast as its transaction writes it, before any sequencer has run."""
    with transaction.atomic():
        _ballot, record, _replaced = record_ballot(
            cycle=w.cycle, pseudonym=voter_pseudonym(cycle_id=w.cycle.pk, voter_id=voter.pk),
            commune_id=voter.commune_id, channel=Channel.ONLINE, chosen=[(proposal, 1)],
        )
    return record


@pytest.mark.django_db(transaction=True)
def test_a_cast_outside_any_transaction_is_chained_before_the_voter_gets_the_answer():
    w = voting_world()
    receipt = cast_ballot(voter=w.resident, cycle=w.cycle, proposal_ids=[w.parks.pk])
    assert not CastRecord.objects.filter(log_entry__isnull=True).exists()
    entry = BallotLogEntry.objects.get()
    assert entry.cast_record_id == receipt.record.pk == Ballot.objects.get().cast_id
    assert entry.receipt_code == receipt.receipt_code
    # The receipt is derived from the public commitment: anyone can match the two.
    assert receipt_code(entry.content["commitment"]) == receipt.receipt_code
    assert verify_ballot_log(w.cycle)[0]


@pytest.mark.django_db
def test_a_recorded_cast_not_yet_chained_is_shown_as_recorded_and_being_entered(client):
    w = voting_world()
    record = record_without_sequencing(w, w.resident, w.parks)
    assert not BallotLogEntry.objects.exists()
    lookup = lookup_receipt(w.cycle, record.receipt_code)
    assert lookup.found and lookup.is_pending and lookup.is_current
    page = client.get(f"/vote/bp-test/registre/?recu={record.receipt_code}").content.decode()
    assert "en cours d’inscription au registre" in page
    assert "ne figure pas" not in page


@pytest.mark.django_db
def test_verification_and_the_count_chain_pending_casts_first_so_none_is_left_out():
    w = voting_world()
    cast_ballot(voter=w.resident, cycle=w.cycle, proposal_ids=[w.parks.pk])
    pending = record_without_sequencing(w, w.second_resident, w.lights)
    assert all(check.ok for check in verify_cycle(w.cycle))
    entry = BallotLogEntry.objects.get(cast_record=pending)
    assert entry.seq == 2 and entry.receipt_code == pending.receipt_code
    assert lookup_receipt(w.cycle, pending.receipt_code).seq == 2
    assert cycle_elections(w.cycle).ballot_count == 2


@pytest.mark.django_db
def test_the_sequencer_chains_pending_records_in_id_order_once_only():
    w = voting_world()
    first = record_without_sequencing(w, w.resident, w.parks)
    second = record_without_sequencing(w, w.second_resident, w.lights)
    replaced = record_without_sequencing(w, w.resident, w.lights)
    appended = sequence_pending(w.cycle.pk, wait=True)
    assert [e.cast_record_id for e in appended] == [first.pk, second.pk, replaced.pk]
    assert [e.kind for e in appended] == ["cast", "cast", "replace"]
    assert sequence_pending(w.cycle.pk, wait=True) == []
    assert BallotLogEntry.objects.count() == 3 and verify_ballot_log(w.cycle)[0]


@pytest.mark.django_db
def test_verify_cycle_names_a_log_entry_that_differs_from_its_cast_record():
    w = voting_world()
    cast_ballot(voter=w.resident, cycle=w.cycle, proposal_ids=[w.parks.pk])
    cast_ballot(voter=w.second_resident, cycle=w.cycle, proposal_ids=[w.lights.pk])
    with tampering():
        CastRecord.objects.filter(log_entry__seq=2).update(commitment="0" * 64)
    checks = verify_cycle(w.cycle)
    assert not checks[-1].ok and "n° 2" in checks[-1].detail


@pytest.mark.django_db
def test_no_cast_is_accepted_once_the_vote_is_closed():
    from config.errors import PhaseClosed

    w = voting_world()
    cast_ballot(voter=w.resident, cycle=w.cycle, proposal_ids=[w.parks.pk])
    close_voting(actor=w.admin, cycle=w.cycle)
    with pytest.raises(PhaseClosed):
        cast_ballot(voter=w.second_resident, cycle=w.cycle, proposal_ids=[w.parks.pk])
    assert CastRecord.objects.count() == 1 and Ballot.objects.count() == 1
