"""Simultaneous ballots on PostgreSQL: row locks and constraints keep exactly one per voter."""

from concurrent.futures import ThreadPoolExecutor

import pytest
from django.db import connection, connections, transaction
from django.db.utils import DatabaseError

from accounts.models import User
from audit.services import record_event
from budgets.models import PhaseKind
from tests.builders import build_world, make_proposal
from voting.models import Ballot, BallotLogEntry, Participation
from voting.services import cast_ballot, verify_ballot_log

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.postgres]


def in_thread(fn):
    def run(*args):
        try:
            return fn(*args)
        finally:
            connections.close_all()
    return run


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
    assert BallotLogEntry.objects.count() == 500
    assert verify_ballot_log(w.cycle)[0]


def test_the_ballot_log_refuses_update_and_delete_on_postgres(on_postgres):
    w = build_world(phase=PhaseKind.VOTING)
    option = make_proposal(w, title="Bancs")
    cast_ballot(voter=w.resident, cycle=w.cycle, proposal_ids=[option.pk])
    record_event(actor=w.admin, action="test.event", target=w.cycle)
    for statement in ("UPDATE voting_ballotlogentry SET kind = 'replace'",
                      "DELETE FROM voting_ballotlogentry",
                      "UPDATE audit_auditevent SET action = 'x'"):
        with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
            with connection.cursor() as cursor:
                cursor.execute(statement)
    assert BallotLogEntry.objects.get().kind == "cast"
