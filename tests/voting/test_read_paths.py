"""Reads of the voting pages and checks: each piece of data is read once per request."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from budgets.models import PhaseKind
from budgets.services import close_voting
from tests.builders import build_world, make_proposal
from tests.voting.test_paper_http import paper_world
from voting import paper
from voting.board import verify_cycle
from voting.models import Ballot
from voting.services import cast_ballot
from voting.tally import run_tally

pytestmark = pytest.mark.django_db


def statements_on(captured, table):
    return [q["sql"] for q in captured.captured_queries if f'FROM "{table}"' in q["sql"]]


def test_the_ballot_api_reads_the_voters_ballot_and_its_choices_once(client):
    world = build_world(phase=PhaseKind.VOTING)
    proposal = make_proposal(world)
    receipt = cast_ballot(voter=world.resident, cycle=world.cycle, proposal_ids=[proposal.pk])
    client.force_login(world.resident)

    with CaptureQueriesContext(connection) as captured:
        response = client.get("/api/v1/cycles/bp-test/ballot/")

    assert response.status_code == 200
    body = response.json()
    assert body["proposal_ids"] == [proposal.pk] and body["receipt_code"] == receipt.receipt_code
    assert len(statements_on(captured, "voting_ballot")) == 1
    assert len(statements_on(captured, "voting_ballotchoice")) == 1


def test_the_ballot_api_still_shows_the_ballot_of_a_voter_who_is_no_longer_eligible(client):
    world = build_world(phase=PhaseKind.VOTING)
    proposal = make_proposal(world)
    cast_ballot(voter=world.resident, cycle=world.cycle, proposal_ids=[proposal.pk])
    world.resident.commune = None
    world.resident.save(update_fields=["commune"])
    client.force_login(world.resident)

    body = client.get("/api/v1/cycles/bp-test/ballot/").json()

    assert not body["eligible"] and body["refusal"]
    assert body["proposal_ids"] == [proposal.pk]


def test_verify_cycle_walks_the_ballot_log_once_per_check_even_with_a_stored_tally():
    world = build_world(phase=PhaseKind.VOTING)
    proposal = make_proposal(world)
    cast_ballot(voter=world.resident, cycle=world.cycle, proposal_ids=[proposal.pk])
    close_voting(actor=world.admin, cycle=world.cycle)
    run = run_tally(actor=world.admin, cycle=world.cycle)

    with CaptureQueriesContext(connection) as captured:
        checks = verify_cycle(world.cycle)

    assert [check.ok for check in checks] == [True, True, True]
    assert run.fingerprint[:16] in checks[-1].detail
    # One walk for the chain, one for the ballots against their entries; the recount is
    # seeded with the head already verified.
    walks = [sql for sql in statements_on(captured, "voting_ballotlogentry") if "ORDER BY" in sql
             and '"seq" ASC' in sql]
    assert len(walks) == 2


def test_the_paper_event_page_reads_the_envelopes_and_the_options_once(client):
    world = paper_world()
    paper.key_paper_sheet(facilitator=world.facilitator, event=world.event, number=1,
                          choices={world.a.pk: 1})
    client.force_login(world.facilitator)

    with CaptureQueriesContext(connection) as captured:
        response = client.get(world.url)

    assert response.status_code == 200
    assert "Jardin partagé" in response.content.decode()
    assert len(statements_on(captured, "budgets_envelope")) == 1
    assert len(statements_on(captured, "proposals_proposal")) == 1


def test_casting_from_the_ballot_page_reads_the_cycles_envelopes_once(client):
    world = build_world(phase=PhaseKind.VOTING)
    proposal = make_proposal(world)
    client.force_login(world.resident)

    with CaptureQueriesContext(connection) as captured:
        response = client.post("/vote/bp-test/", {"choices": [proposal.pk]})

    assert response.status_code == 302
    assert Ballot.objects.get().choices.get().proposal_id == proposal.pk
    assert len(statements_on(captured, "budgets_envelope")) == 1
