"""Every ballot kind, through the service and the page, then through the tally."""

import pytest

from budgets.models import PhaseKind
from budgets.services import close_voting
from config.errors import BudgetExceeded, InvalidBallot
from tests.builders import build_world, make_proposal
from voting.models import Ballot, BallotChoice, ResultLine
from voting.services import cast_ballot
from voting.tally import run_tally

pytestmark = pytest.mark.django_db


def world(kind, **fields):
    w = build_world(phase=PhaseKind.VOTING, ballot_kind=kind)
    for name, value in fields.items():
        setattr(w.cycle, name, value)
    w.cycle.save()
    w.a = make_proposal(w, title="A", cost_cents=40_000_00)
    w.b = make_proposal(w, title="B", cost_cents=30_000_00)
    w.c = make_proposal(w, title="C", cost_cents=20_000_00)
    return w


def test_cumulative_points_are_stored_and_checked_against_the_limits():
    w = world("cumulative", max_points_total=10, max_points_per_project=6)
    cast_ballot(voter=w.resident, cycle=w.cycle, points={w.a.pk: 6, w.b.pk: 4})
    assert dict(BallotChoice.objects.values_list("proposal_id", "points")) == {w.a.pk: 6, w.b.pk: 4}
    with pytest.raises(InvalidBallot):
        cast_ballot(voter=w.second_resident, cycle=w.cycle, points={w.a.pk: 7})
    with pytest.raises(InvalidBallot):
        cast_ballot(voter=w.second_resident, cycle=w.cycle, points={w.a.pk: 6, w.b.pk: 5})


def test_ranking_refuses_a_repeated_rank_or_too_long_a_ranking():
    w = world("ordinal", max_choices=2)
    cast_ballot(voter=w.resident, cycle=w.cycle, points={w.b.pk: 1, w.a.pk: 2})
    with pytest.raises(InvalidBallot):
        cast_ballot(voter=w.second_resident, cycle=w.cycle, points={w.a.pk: 1, w.b.pk: 2, w.c.pk: 3})


def test_scores_must_be_within_the_scale():
    w = world("scoring", score_max=5)
    cast_ballot(voter=w.resident, cycle=w.cycle, points={w.a.pk: 5, w.c.pk: 2})
    with pytest.raises(InvalidBallot):
        cast_ballot(voter=w.second_resident, cycle=w.cycle, points={w.a.pk: 6})


def test_choose_one_accepts_one_project_per_envelope_only():
    w = world("choose-1")
    cast_ballot(voter=w.resident, cycle=w.cycle, proposal_ids=[w.a.pk])
    with pytest.raises(InvalidBallot):
        cast_ballot(voter=w.second_resident, cycle=w.cycle, proposal_ids=[w.a.pk, w.b.pk])


def test_knapsack_floor_requires_spending_enough_of_the_envelope():
    w = world("knapsack", knapsack_floor_percent=50)  # 50 000 € of the 100 000 € envelope
    with pytest.raises(InvalidBallot) as error:
        cast_ballot(voter=w.resident, cycle=w.cycle, proposal_ids=[w.c.pk])
    assert not isinstance(error.value, BudgetExceeded)
    cast_ballot(voter=w.resident, cycle=w.cycle, proposal_ids=[w.a.pk, w.c.pk])


@pytest.mark.parametrize("kind,ballots,funded", [
    # Points: A gets 8, B 7, C 5; envelope 100 000 €: A (40k) + B (30k) + C (20k) all fit.
    ("cumulative", [{"a": 5, "b": 5}, {"a": 3, "b": 2, "c": 5}], {"A", "B", "C"}),
    # Ranks: the greedy rule with city scoring funds everything that fits, best first.
    ("ordinal", [{"c": 1, "a": 2}, {"c": 1, "b": 2}], {"A", "B", "C"}),
])
def test_tally_counts_points_of_every_kind(kind, ballots, funded):
    w = world(kind, max_points_total=10, max_points_per_project=5, max_choices=3)
    voters = [w.resident, w.second_resident]
    for voter, ballot in zip(voters, ballots, strict=True):
        cast_ballot(voter=voter, cycle=w.cycle, points={getattr(w, k).pk: v for k, v in ballot.items()})
    close_voting(actor=w.admin, cycle=w.cycle)
    run = run_tally(actor=w.admin, cycle=w.cycle)
    lines = ResultLine.objects.filter(envelope_result__tally_run=run,
                                      envelope_result__envelope=w.cenon_envelope)
    assert {line.proposal.title for line in lines if line.is_funded} == funded


def test_cumulative_ballot_page_reads_points_and_explains_a_refusal(client):
    w = world("cumulative", max_points_total=10, max_points_per_project=6)
    client.force_login(w.resident)
    page = client.get("/vote/bp-test/").content.decode()
    assert f'name="points-{w.a.pk}"' in page
    bad = client.post("/vote/bp-test/", {f"points-{w.a.pk}": "abc"})
    assert bad.status_code == 400 and "nombre entier" in bad.content.decode()
    over = client.post("/vote/bp-test/", {f"points-{w.a.pk}": "6", f"points-{w.b.pk}": "6"})
    assert over.status_code == 400 and Ballot.objects.count() == 0
    ok = client.post("/vote/bp-test/", {f"points-{w.a.pk}": "6", f"points-{w.b.pk}": "4"})
    assert ok.status_code == 302
    assert "6 points" in client.get("/vote/bp-test/recu/").content.decode()


def test_ranking_page_offers_ranks_and_keeps_the_order(client):
    w = world("ordinal", max_choices=3)
    client.force_login(w.resident)
    assert f'name="rank-{w.a.pk}"' in client.get("/vote/bp-test/").content.decode()
    client.post("/vote/bp-test/", {f"rank-{w.b.pk}": "1", f"rank-{w.a.pk}": "2"})
    assert dict(BallotChoice.objects.values_list("proposal_id", "points")) == {w.b.pk: 1, w.a.pk: 2}


def test_choose_one_page_uses_one_radio_group_per_envelope(client):
    w = world("choose-1")
    client.force_login(w.resident)
    page = client.get("/vote/bp-test/").content.decode()
    assert f'name="choice-{w.cenon_envelope.pk}"' in page
    response = client.post("/vote/bp-test/", {f"choice-{w.cenon_envelope.pk}": str(w.b.pk)})
    assert response.status_code == 302
    assert list(BallotChoice.objects.values_list("proposal_id", flat=True)) == [w.b.pk]
    forged = client.post("/vote/bp-test/", {f"choice-{w.territory_envelope.pk}": str(w.a.pk)})
    assert forged.status_code == 400


def test_knapsack_page_carries_costs_for_the_running_total(client):
    w = world("knapsack")
    client.force_login(w.resident)
    page = client.get("/vote/bp-test/").content.decode()
    assert 'data-cost="4000000"' in page and "js/basket.js" in page


def test_ranking_refuses_two_projects_at_the_same_rank():
    w = world("ordinal", max_choices=3)
    with pytest.raises(InvalidBallot) as error:
        cast_ballot(voter=w.resident, cycle=w.cycle, points={w.a.pk: 1, w.b.pk: 1})
    assert "un seul projet" in error.value.problems[0]
    assert Ballot.objects.count() == 0
