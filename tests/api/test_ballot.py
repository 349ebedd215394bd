"""The voter's ballot through the API: GET/PUT /api/v1/cycles/{slug}/ballot/ (cast_ballot)."""

from concurrent.futures import ThreadPoolExecutor

import pytest
from django.db import connections
from django.utils import timezone
from rest_framework.authtoken.models import Token

from budgets.models import BallotKind, PhaseKind
from tests.api.support import assert_api_error, client_for
from tests.builders import build_world, make_proposal
from voting.models import Ballot, BallotChoice, BallotLogEntry, Channel, Participation

pytestmark = pytest.mark.django_db

URL = "/api/v1/cycles/bp-test/ballot/"


def voting_world(**options):
    world = build_world(phase=PhaseKind.VOTING, **options)
    world.benches = make_proposal(world, title="Bancs", cost_cents=30_000_00)
    world.trees = make_proposal(world, title="Arbres", cost_cents=50_000_00)
    world.lights = make_proposal(world, title="Éclairage", cost_cents=40_000_00)
    world.bridge = make_proposal(world, title="Passerelle", cost_cents=150_000_00,
                                 envelope=world.territory_envelope)
    world.track = make_proposal(world, title="Piste", envelope=world.floirac_envelope)
    return world


def test_my_ballot_is_empty_before_voting():
    world = voting_world()

    response = client_for(world.resident).get(URL)

    assert response.status_code == 200
    body = response.json()
    assert {k: body[k] for k in ("has_voted", "channel", "proposal_ids", "points",
                                 "receipt_code", "revision")} == {
        "has_voted": False, "channel": None, "proposal_ids": [], "points": [],
        "receipt_code": None, "revision": None}
    assert body["eligible"] is True and body["refusal"] == ""


def test_my_ballot_lists_my_envelopes_and_their_feasible_proposals():
    world = voting_world()
    make_proposal(world, title="Pas encore analysée", feasible=False)

    body = client_for(world.resident).get(URL).json()

    envelopes = {e["name"]: e for e in body["envelopes"]}
    assert set(envelopes) == {"Enveloppe Cenon", "Enveloppe territoire"}  # not Floirac's
    cenon = envelopes["Enveloppe Cenon"]
    assert cenon["commune"] == "cenon"
    assert cenon["amount_cents"] == world.cenon_envelope.amount_cents
    assert {o["title"]: o["cost_cents"] for o in cenon["options"]} == {
        "Arbres": 50_000_00, "Bancs": 30_000_00, "Éclairage": 40_000_00}
    territory = envelopes["Enveloppe territoire"]
    assert territory["commune"] is None
    assert [o["id"] for o in territory["options"]] == [world.bridge.pk]


def test_outsider_sees_why_they_cannot_vote():
    world = voting_world()

    body = client_for(world.outsider).get(URL).json()

    assert body["eligible"] is False
    assert "Cenon" in body["refusal"] and "Floirac" in body["refusal"]
    assert body["envelopes"] == []


def test_first_ballot_is_created_with_a_receipt_and_can_be_read_back():
    world = voting_world()
    client = client_for(world.resident)
    choices = [world.trees.pk, world.benches.pk, world.bridge.pk]

    response = client.put(URL, {"proposal_ids": choices}, format="json")

    assert response.status_code == 201, response.json()
    cast = response.json()
    assert cast["is_replacement"] is False
    assert cast["has_voted"] is True
    assert cast["proposal_ids"] == sorted(choices)
    entry = BallotLogEntry.objects.get()
    assert cast["receipt_code"] == entry.receipt_code
    assert cast["revision"] == 1
    mine = client.get(URL).json()
    assert {k: v for k, v in mine.items() if k in cast} == {
        "cycle": "bp-test", "has_voted": True, "proposal_ids": sorted(choices),
        "points": [{"proposal_id": pk, "points": 1} for pk in sorted(choices)],
        "receipt_code": entry.receipt_code, "revision": 1}
    assert mine["channel"] == "online"
    assert Participation.objects.get().voter == world.resident


def test_second_ballot_replaces_the_first_and_leaves_one_ballot_row():
    world = voting_world()
    client = client_for(world.resident)
    first = client.put(URL, {"proposal_ids": [world.benches.pk, world.trees.pk]}, format="json")

    second = client.put(URL, {"proposal_ids": [world.lights.pk]}, format="json")

    assert first.status_code == 201
    assert second.status_code == 200, second.json()
    body = second.json()
    assert body["is_replacement"] is True
    assert body["proposal_ids"] == [world.lights.pk]
    assert body["revision"] == 2
    assert body["receipt_code"] != first.json()["receipt_code"]
    assert Ballot.objects.count() == 1
    assert list(BallotChoice.objects.values_list("proposal_id", flat=True)) == [world.lights.pk]
    assert list(BallotLogEntry.objects.values_list("kind", flat=True)) == ["cast", "replace"]
    assert Participation.objects.count() == 1
    assert client.get(URL).json()["receipt_code"] == body["receipt_code"]


def test_other_voters_ballot_is_not_mine():
    world = voting_world()
    client_for(world.resident).put(URL, {"proposal_ids": [world.benches.pk]}, format="json")

    response = client_for(world.second_resident).get(URL)

    assert response.json()["has_voted"] is False


def test_too_many_approval_choices_are_refused_and_nothing_is_written():
    world = voting_world(max_choices=2)

    response = client_for(world.resident).put(
        URL, {"proposal_ids": [world.benches.pk, world.trees.pk, world.lights.pk]}, format="json")

    error = assert_api_error(response, 400, "invalid_ballot")
    assert len(error["fields"]["__all__"]) == 1
    assert "Enveloppe Cenon" in error["fields"]["__all__"][0]
    assert not Ballot.objects.exists()
    assert not BallotLogEntry.objects.exists()


def test_knapsack_ballot_over_the_envelope_is_refused_as_budget_exceeded():
    world = voting_world(ballot_kind=BallotKind.KNAPSACK)
    # 300 000 + 500 000 + 400 000 cents = 1 200 000 > 1 000 000 (Cenon envelope)
    choices = [world.benches.pk, world.trees.pk, world.lights.pk]

    response = client_for(world.resident).put(URL, {"proposal_ids": choices}, format="json")

    error = assert_api_error(response, 400, "budget_exceeded")
    assert any("Enveloppe Cenon" in problem for problem in error["fields"]["__all__"])
    assert not Ballot.objects.exists()


def test_knapsack_ballot_within_the_envelope_is_accepted():
    world = voting_world(ballot_kind=BallotKind.KNAPSACK)

    response = client_for(world.resident).put(
        URL, {"proposal_ids": [world.trees.pk, world.lights.pk]}, format="json")

    assert response.status_code == 201, response.json()


def test_choice_from_another_communes_envelope_is_refused():
    world = voting_world()

    response = client_for(world.resident).put(URL, {"proposal_ids": [world.track.pk]},
                                              format="json")

    assert_api_error(response, 400, "invalid_ballot")
    assert not Ballot.objects.exists()


def test_empty_ballot_is_refused():
    world = voting_world()

    response = client_for(world.resident).put(URL, {"proposal_ids": []}, format="json")

    assert_api_error(response, 400, "invalid_ballot")


def test_proposal_ids_must_be_a_list_of_integers():
    world = voting_world()

    response = client_for(world.resident).put(URL, {"proposal_ids": "1,2"}, format="json")

    error = assert_api_error(response, 400, "invalid")
    assert list(error["fields"]) == ["proposal_ids"]


@pytest.mark.parametrize("phase", [PhaseKind.DELIBERATION, PhaseKind.RESULTS])
def test_ballot_outside_the_voting_phase_is_a_409(phase):
    world = build_world(phase=phase)
    proposal = make_proposal(world)

    response = client_for(world.resident).put(URL, {"proposal_ids": [proposal.pk]}, format="json")

    assert_api_error(response, 409, "phase_closed")
    assert not Ballot.objects.exists()


def test_voter_who_voted_on_paper_gets_a_409():
    world = voting_world()
    Participation.objects.create(cycle=world.cycle, voter=world.resident, channel=Channel.PAPER,
                                 voted_at=timezone.now())

    response = client_for(world.resident).put(URL, {"proposal_ids": [world.benches.pk]},
                                              format="json")

    assert_api_error(response, 409, "already_voted")
    assert not Ballot.objects.exists()
    mine = client_for(world.resident).get(URL).json()
    assert (mine["has_voted"], mine["channel"], mine["proposal_ids"]) == (True, "paper", [])


@pytest.mark.parametrize("role", ["outsider", "reviewer", "committee_member"])
def test_people_outside_the_communes_are_not_eligible(role):
    world = voting_world()

    response = client_for(world.users[role]).put(URL, {"proposal_ids": [world.bridge.pk]},
                                                 format="json")

    assert_api_error(response, 403, "not_eligible")
    assert not Ballot.objects.exists()


def test_anonymous_cannot_read_or_cast_a_ballot():
    world = voting_world()
    client = client_for()

    assert_api_error(client.get(URL), 401, "not_authenticated")
    response = client.put(URL, {"proposal_ids": [world.benches.pk]}, format="json")
    assert_api_error(response, 401, "not_authenticated")
    assert not Ballot.objects.exists()


def test_ballot_of_an_unknown_cycle_is_a_404():
    world = voting_world()

    response = client_for(world.resident).put("/api/v1/cycles/inconnu/ballot/",
                                              {"proposal_ids": [world.benches.pk]}, format="json")

    assert_api_error(response, 404, "not_found")


def points(*pairs):
    return {"points": [{"proposal_id": pk, "points": p} for pk, p in pairs]}


def test_cumulative_ballot_sends_points_and_reads_them_back():
    world = voting_world(ballot_kind=BallotKind.CUMULATIVE)
    client = client_for(world.resident)

    response = client.put(URL, points((world.benches.pk, 5), (world.trees.pk, 3)), format="json")

    assert response.status_code == 201, response.json()
    expected = sorted([{"proposal_id": world.benches.pk, "points": 5},
                       {"proposal_id": world.trees.pk, "points": 3}],
                      key=lambda line: line["proposal_id"])
    assert response.json()["points"] == expected
    assert client.get(URL).json()["points"] == expected
    assert sorted(BallotChoice.objects.values_list("points", flat=True)) == [3, 5]


def test_cumulative_ballot_over_the_points_per_project_is_refused():
    world = voting_world(ballot_kind=BallotKind.CUMULATIVE)  # at most 5 points per project

    response = client_for(world.resident).put(URL, points((world.benches.pk, 6)), format="json")

    assert_api_error(response, 400, "invalid_ballot")
    assert not Ballot.objects.exists()


def test_ranking_ballot_sends_ranks():
    world = voting_world(ballot_kind=BallotKind.ORDINAL)

    response = client_for(world.resident).put(
        URL, points((world.lights.pk, 1), (world.benches.pk, 2)), format="json")

    assert response.status_code == 201, response.json()
    ranks = {line["proposal_id"]: line["points"] for line in response.json()["points"]}
    assert ranks == {world.lights.pk: 1, world.benches.pk: 2}


@pytest.mark.parametrize("body", [
    {},
    {"proposal_ids": [1], "points": [{"proposal_id": 1, "points": 1}]},
])
def test_ballot_needs_exactly_one_of_proposal_ids_and_points(body):
    world = voting_world()

    response = client_for(world.resident).put(URL, body, format="json")

    error = assert_api_error(response, 400, "invalid")
    assert list(error["fields"]) == ["__all__"]
    assert not Ballot.objects.exists()


def test_points_may_not_name_a_proposal_twice():
    world = voting_world(ballot_kind=BallotKind.CUMULATIVE)

    response = client_for(world.resident).put(
        URL, points((world.benches.pk, 2), (world.benches.pk, 3)), format="json")

    error = assert_api_error(response, 400, "invalid")
    assert list(error["fields"]) == ["points"]


@pytest.mark.django_db(transaction=True)
@pytest.mark.postgres
def test_simultaneous_puts_of_one_voter_leave_one_ballot_created_once(on_postgres):
    world = voting_world()
    key = Token.objects.create(user=world.resident).key
    options = [world.benches.pk, world.trees.pk, world.lights.pk]

    def put(i):
        try:
            client = client_for()
            client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
            response = client.put(URL, {"proposal_ids": [options[i % 3]]}, format="json")
            return response.status_code, response.json()["receipt_code"]
        finally:
            connections.close_all()

    with ThreadPoolExecutor(max_workers=12) as pool:
        results = list(pool.map(put, range(12)))

    assert sorted(status for status, _receipt in results) == [200] * 11 + [201]
    assert len({receipt for _status, receipt in results}) == 12
    assert Ballot.objects.count() == 1
    assert Participation.objects.count() == 1
    last = BallotLogEntry.objects.order_by("-seq").first()
    assert Ballot.objects.get().receipt_code == last.receipt_code


def test_reading_my_ballot_runs_a_bounded_number_of_queries(django_assert_max_num_queries):
    world = voting_world()
    for index in range(15):
        make_proposal(world, title=f"Projet {index:02d}", cost_cents=1_000_00)
    client = client_for(world.resident)
    client.put(URL, {"proposal_ids": [world.benches.pk, world.bridge.pk]}, format="json")

    with django_assert_max_num_queries(12):  # 11 today, whatever the number of options
        body = client.get(URL).json()

    assert len(body["envelopes"][0]["options"]) + len(body["envelopes"][1]["options"]) == 19


def token_client(user):
    client = client_for()
    client.credentials(HTTP_AUTHORIZATION=f"Token {Token.objects.create(user=user).key}")
    return client


def test_a_cast_with_a_token_answers_as_with_a_session():
    world = voting_world()
    by_token = token_client(world.resident).put(
        URL, {"proposal_ids": [world.trees.pk, world.benches.pk]}, format="json")
    by_session = client_for(world.second_resident).put(
        URL, {"proposal_ids": [world.trees.pk, world.benches.pk]}, format="json")
    assert by_token.status_code == by_session.status_code == 201
    one, other = by_token.json(), by_session.json()
    assert list(one) == list(other) == ["cycle", "has_voted", "proposal_ids", "points",
                                        "receipt_code", "revision", "is_replacement"]
    assert one["proposal_ids"] == sorted([world.trees.pk, world.benches.pk])
    assert one["points"] == [{"proposal_id": pid, "points": 1} for pid in one["proposal_ids"]]
    assert (one["revision"], one["is_replacement"]) == (1, False)


def test_a_token_of_an_inactive_or_unknown_user_is_refused_with_drf_messages():
    world = voting_world()
    client = token_client(world.resident)
    world.resident.is_active = False
    world.resident.save(update_fields=["is_active"])
    assert_api_error(client.put(URL, {"proposal_ids": [world.trees.pk]}, format="json"),
                     401, "authentication_failed")
    stranger = client_for()
    stranger.credentials(HTTP_AUTHORIZATION="Token " + "0" * 40)
    assert_api_error(stranger.put(URL, {"proposal_ids": [world.trees.pk]}, format="json"),
                     401, "authentication_failed")
    assert not Ballot.objects.exists()


@pytest.mark.parametrize(("body", "status", "code"), [
    ({"proposal_ids": ["BENCHES"]}, 201, None),  # a numeric string: the serializer accepts it
    ({"proposal_ids": [True]}, 400, "invalid"),
    ({"proposal_ids": [0]}, 400, "invalid"),
    ({"proposal_ids": ["BENCHES"], "note": "ignored"}, 201, None),
    ({"points": [{"proposal_id": "BENCHES", "points": "un"}]}, 400, "invalid"),
    ({"points": [{"proposal_id": "BENCHES", "points": 1}]}, 201, None),
])
def test_unusual_bodies_are_decided_by_the_serializer(body, status, code):
    world = voting_world()
    text = repr(body).replace("'BENCHES'", f"'{world.benches.pk}'")
    body = eval(text)  # noqa: S307 (test data built above)
    response = token_client(world.resident).put(URL, body, format="json")
    if code:
        assert_api_error(response, status, code)
    else:
        assert response.status_code == status
        assert response.json()["proposal_ids"] == [world.benches.pk]


def test_plain_cast_input_takes_only_the_common_shapes():
    from voting.api import plain_cast_input

    assert plain_cast_input({"proposal_ids": [3, 1]}) == {"proposal_ids": [3, 1]}
    assert plain_cast_input({"points": [{"proposal_id": 3, "points": 2}]}) == {"points": {3: 2}}
    for odd in ({"proposal_ids": ["3"]}, {"proposal_ids": [3], "x": 1}, {"points": [{"proposal_id": 3}]},
                {"points": [{"proposal_id": 3, "points": 1}, {"proposal_id": 3, "points": 2}]},
                {"points": [{"proposal_id": 3, "points": -1}]}, {"proposal_ids": [1.0]}, [], "x"):
        assert plain_cast_input(odd) is None, odd


def test_a_cached_cycle_never_refuses_a_cast_that_fresh_rows_accept(settings):
    from budgets.models import Phase
    from voting import cache

    settings.VOTING_CACHE_SECONDS = 3600
    world = build_world(phase=PhaseKind.DELIBERATION)
    proposal = make_proposal(world, title="Bancs", cost_cents=30_000_00)
    client = token_client(world.resident)
    cache.clear()
    assert_api_error(client.put(URL, {"proposal_ids": [proposal.pk]}, format="json"),
                     409, "phase_closed")  # the cycle is cached with voting not open yet
    now = timezone.now()
    Phase.objects.filter(cycle=world.cycle).exclude(kind=PhaseKind.VOTING).update(
        starts_at=now - timezone.timedelta(days=400), ends_at=now - timezone.timedelta(days=399))
    Phase.objects.filter(cycle=world.cycle, kind=PhaseKind.VOTING).update(
        starts_at=now - timezone.timedelta(days=1), ends_at=now + timezone.timedelta(days=1))
    proposal.__class__.objects.filter(pk=proposal.pk).update(status="on_ballot")  # no signals
    response = client.put(URL, {"proposal_ids": [proposal.pk]}, format="json")
    assert response.status_code == 201, response.content
    assert Ballot.objects.count() == 1
    cache.clear()
