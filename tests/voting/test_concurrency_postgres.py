"""Simultaneous ballots on PostgreSQL: row locks and constraints keep exactly one per voter."""

import threading
import time
from concurrent.futures import ThreadPoolExecutor

import pytest
from django.db import connection, transaction
from django.db.utils import DatabaseError

from accounts.models import User
from audit.services import record_event
from budgets.models import PhaseKind
from budgets.services import close_voting
from tests.builders import build_world, in_thread, make_proposal
from voting.models import Ballot, BallotLogEntry, CastRecord, Channel, Participation
from voting.secrecy import voter_pseudonym
from voting.services import (
    cast_ballot,
    lock_for_casting,
    record_ballot,
    sequence_pending,
    verify_ballot_log,
)

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.postgres]


def test_fifty_simultaneous_casts_of_one_voter_leave_exactly_one_ballot(on_postgres):
    w = build_world(phase=PhaseKind.VOTING, max_choices=1)
    options = [make_proposal(w, title=f"P{i}", cost_cents=1_000_00) for i in range(5)]
    voter_id, cycle_id = w.resident.pk, w.cycle.pk

    @in_thread
    def cast(i):
        voter = User.objects.get(pk=voter_id)
        cycle = type(w.cycle).objects.get(pk=cycle_id)
        return cast_ballot(voter=voter, cycle=cycle, proposal_ids=[options[i % 5].pk]).receipt_code

    with ThreadPoolExecutor(max_workers=50) as pool:
        receipts = list(pool.map(cast, range(50)))
    assert len(set(receipts)) == 50
    assert Ballot.objects.count() == 1 and Participation.objects.count() == 1
    # Every cast was chained by the casts themselves (no reader has run the sequencer).
    assert not CastRecord.objects.filter(log_entry__isnull=True).exists()
    assert BallotLogEntry.objects.count() == 50
    assert list(BallotLogEntry.objects.filter(kind="cast").values_list("seq", flat=True)) == [1]
    # The stored ballot is the last one logged.
    last = BallotLogEntry.objects.order_by("-seq").first()
    assert Ballot.objects.get().receipt_code == last.receipt_code
    assert verify_ballot_log(w.cycle)[0]


def test_five_hundred_simultaneous_voters_leave_five_hundred_ballots(on_postgres):
    w = build_world(phase=PhaseKind.VOTING)
    option = make_proposal(w, title="Bancs", cost_cents=1_000_00)
    voters = User.objects.bulk_create(
        [User(email=f"v{i}@example.org", username=f"v{i}@example.org", commune=w.cenon) for i in range(500)]
    )
    cycle_id = w.cycle.pk

    @in_thread
    def cast(voter_id):
        voter = User.objects.get(pk=voter_id)
        cycle = type(w.cycle).objects.get(pk=cycle_id)
        return cast_ballot(voter=voter, cycle=cycle, proposal_ids=[option.pk]).receipt_code

    with ThreadPoolExecutor(max_workers=40) as pool:
        receipts = list(pool.map(cast, [v.pk for v in voters]))
    assert len(set(receipts)) == 500
    assert Ballot.objects.count() == 500 and Participation.objects.count() == 500
    assert not CastRecord.objects.filter(log_entry__isnull=True).exists()
    assert BallotLogEntry.objects.count() == 500
    assert set(BallotLogEntry.objects.values_list("receipt_code", flat=True)) == set(receipts)
    assert verify_ballot_log(w.cycle)[0]


def test_the_ballot_log_refuses_update_and_delete_on_postgres(on_postgres):
    w = build_world(phase=PhaseKind.VOTING)
    option = make_proposal(w, title="Bancs")
    cast_ballot(voter=w.resident, cycle=w.cycle, proposal_ids=[option.pk])
    record_event(actor=w.admin, action="test.event", target=w.cycle)
    for statement in ("UPDATE voting_ballotlogentry SET kind = 'replace'",
                      "DELETE FROM voting_ballotlogentry",
                      "UPDATE voting_castrecord SET kind = 'replace'",
                      "DELETE FROM voting_castrecord",
                      "UPDATE audit_auditevent SET action = 'x'"):
        with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
            with connection.cursor() as cursor:
                cursor.execute(statement)
    assert BallotLogEntry.objects.get().kind == "cast"


def test_a_cast_committed_after_a_later_one_was_chained_is_chained_too(on_postgres):
    """Transactions commit out of id order: the sequencer looks for records without an
    entry, not past a watermark."""
    w = build_world(phase=PhaseKind.VOTING)
    option = make_proposal(w, title="Bancs")
    cycle_id = w.cycle.pk
    recorded, release = threading.Event(), threading.Event()

    @in_thread
    def slow_cast():
        cycle = type(w.cycle).objects.get(pk=cycle_id)
        pseudonym = voter_pseudonym(cycle_id=cycle_id, voter_id=w.resident.pk)
        with transaction.atomic():
            _b, record, _r = record_ballot(cycle=cycle, pseudonym=pseudonym,
                                           commune_id=w.cenon.pk, channel=Channel.ONLINE,
                                           chosen=[(option, 1)])
            recorded.set()
            release.wait(10)
        sequence_pending(cycle_id, wait=False)
        return record.pk

    with ThreadPoolExecutor(max_workers=1) as pool:
        slow = pool.submit(slow_cast)
        assert recorded.wait(10)
        fast = cast_ballot(voter=w.second_resident, cycle=w.cycle, proposal_ids=[option.pk])
        assert BallotLogEntry.objects.get().cast_record_id == fast.record.pk
        release.set()
        slow_id = slow.result(10)
    assert slow_id < fast.record.pk
    entries = list(BallotLogEntry.objects.order_by("seq").values_list("seq", "cast_record_id"))
    assert entries == [(1, fast.record.pk), (2, slow_id)]
    assert verify_ballot_log(w.cycle)[0]


def test_closing_the_vote_waits_for_the_casts_in_flight(on_postgres):
    w = build_world(phase=PhaseKind.VOTING)
    cycle_id = w.cycle.pk
    holding, release = threading.Event(), threading.Event()

    @in_thread
    def cast_in_flight():
        with transaction.atomic():
            lock_for_casting(cycle_id, voter_pseudonym(cycle_id=cycle_id, voter_id=w.resident.pk))
            holding.set()
            release.wait(10)

    @in_thread
    def close():
        close_voting(actor=w.admin, cycle=type(w.cycle).objects.get(pk=cycle_id))
        return time.monotonic()

    with ThreadPoolExecutor(max_workers=2) as pool:
        in_flight = pool.submit(cast_in_flight)
        assert holding.wait(10)
        closing = pool.submit(close)
        time.sleep(0.5)
        assert not closing.done()  # the close waits for the cast's shared voting lock
        released_at = time.monotonic()
        release.set()
        in_flight.result(10)
        assert closing.result(10) >= released_at
