"""Proposals through the API: list and filter, submit (submit_proposal), read, review."""

import pytest

from budgets.models import BudgetCycle, Envelope, PhaseKind
from proposals.models import Proposal, ProposalStatus, Review
from territory.models import District
from tests.api.support import assert_api_error, client_for
from tests.builders import build_world, make_proposal, make_user, set_phase

pytestmark = pytest.mark.django_db

URL = "/api/v1/cycles/bp-test/proposals/"


def submission(world, **overrides):
    data = {
        "envelope": world.cenon_envelope.pk,
        "title": "Un jardin partagé rue Camille Pelletan",
        "description": "Des bacs potagers ouverts aux habitants.",
        "category": "environment",
        "commune": "cenon",
        "district": world.cenon_district.pk,
        "estimated_cost_cents": 15_000_00,
    }
    return {**data, **overrides}


def test_resident_submits_a_proposal_with_cost_in_cents():
    world = build_world(phase=PhaseKind.SUBMISSION)

    response = client_for(world.resident).post(URL, submission(world), format="json")

    assert response.status_code == 201, response.json()
    body = response.json()
    proposal = Proposal.objects.get(pk=body["id"])
    assert proposal.author == world.resident
    assert proposal.estimated_cost_cents == 15_000_00
    assert proposal.status == ProposalStatus.SUBMITTED
    assert body["estimated_cost_cents"] == 15_000_00
    assert body["validated_cost_cents"] is None
    assert body["commune"] == "cenon"
    assert body["district"] == world.cenon_district.pk
    assert body["status"] == "submitted"
    assert body["author_name"] == "Awa"
    assert "resident@example.org" not in response.content.decode()


def test_anonymous_submission_is_refused_with_401():
    world = build_world(phase=PhaseKind.SUBMISSION)

    response = client_for().post(URL, submission(world), format="json")

    assert_api_error(response, 401, "not_authenticated")
    assert response["WWW-Authenticate"] == "Token"
    assert not Proposal.objects.exists()


@pytest.mark.parametrize("phase", [PhaseKind.REVIEW, PhaseKind.VOTING, PhaseKind.RESULTS, None])
def test_submission_outside_the_submission_phase_is_a_409(phase):
    world = build_world(phase=phase)

    response = client_for(world.resident).post(URL, submission(world), format="json")

    assert_api_error(response, 409, "phase_closed")
    assert not Proposal.objects.exists()


def test_submission_with_a_district_of_another_commune_names_the_field():
    world = build_world(phase=PhaseKind.SUBMISSION)
    floirac_district = District.objects.create(commune=world.floirac, name="Dravemont",
                                               slug="dravemont")

    response = client_for(world.resident).post(
        URL, submission(world, district=floirac_district.pk), format="json")

    error = assert_api_error(response, 400, "invalid")
    assert list(error["fields"]) == ["district"]
    assert not Proposal.objects.exists()


def test_submission_over_the_envelope_names_the_cost_field():
    world = build_world(phase=PhaseKind.SUBMISSION)
    too_much = world.cenon_envelope.amount_cents + 1

    response = client_for(world.resident).post(
        URL, submission(world, estimated_cost_cents=too_much), format="json")

    error = assert_api_error(response, 400, "invalid")
    assert "estimated_cost_cents" in error["fields"]


@pytest.mark.parametrize("cost", ["150.50", 150.5, 0, -100, "beaucoup"])
def test_submission_cost_must_be_a_positive_integer_of_cents(cost):
    world = build_world(phase=PhaseKind.SUBMISSION)

    response = client_for(world.resident).post(
        URL, submission(world, estimated_cost_cents=cost), format="json")

    error = assert_api_error(response, 400, "invalid")
    assert list(error["fields"]) == ["estimated_cost_cents"]
    assert not Proposal.objects.exists()


def test_submission_with_missing_fields_lists_each_of_them():
    world = build_world(phase=PhaseKind.SUBMISSION)

    response = client_for(world.resident).post(URL, {}, format="json")

    error = assert_api_error(response, 400, "invalid")
    assert set(error["fields"]) == {"envelope", "title", "description", "category", "commune",
                                    "estimated_cost_cents"}


def test_submission_in_an_envelope_of_another_cycle_is_refused():
    world = build_world(phase=PhaseKind.SUBMISSION)
    other = BudgetCycle.objects.create(name="Autre", slug="autre")
    foreign = Envelope.objects.create(cycle=other, commune=world.cenon, name="X",
                                      amount_cents=100_000_00)

    response = client_for(world.resident).post(URL, submission(world, envelope=foreign.pk),
                                               format="json")

    error = assert_api_error(response, 400, "invalid")
    assert list(error["fields"]) == ["envelope"]


def test_submission_to_an_unknown_cycle_is_a_404():
    world = build_world(phase=PhaseKind.SUBMISSION)

    response = client_for(world.resident).post("/api/v1/cycles/inconnu/proposals/",
                                               submission(world), format="json")

    assert_api_error(response, 404, "not_found")


def test_list_filters_by_commune_and_status():
    world = build_world(phase=PhaseKind.DELIBERATION)
    make_proposal(world, title="Bancs à Cenon")
    make_proposal(world, title="Un abri à Cenon", feasible=False)
    make_proposal(world, title="Piste à Floirac", envelope=world.floirac_envelope)
    client = client_for()

    def titles(query):
        return [p["title"] for p in client.get(URL + query).json()["results"]]

    assert titles("") == ["Bancs à Cenon", "Piste à Floirac", "Un abri à Cenon"]
    assert titles("?commune=cenon") == ["Bancs à Cenon", "Un abri à Cenon"]
    assert titles("?commune=floirac&status=feasible") == ["Piste à Floirac"]
    assert titles("?status=submitted") == ["Un abri à Cenon"]
    assert titles("?commune=bassens") == []


def test_list_refuses_an_unknown_status_filter():
    build_world()

    response = client_for().get(URL + "?status=elected")

    error = assert_api_error(response, 400, "invalid")
    assert list(error["fields"]) == ["status"]


def test_list_runs_a_bounded_number_of_queries(django_assert_max_num_queries):
    world = build_world()
    for index in range(12):
        make_proposal(world, title=f"Projet {index:02d}")

    with django_assert_max_num_queries(4):
        response = client_for().get(URL)

    assert response.json()["count"] == 12


def test_list_reads_authors_without_a_display_name_in_a_bounded_number_of_queries(
    django_assert_max_num_queries,
):
    world = build_world()
    for index in range(12):
        author = make_user(f"author{index}@example.org", commune=world.cenon)
        make_proposal(world, title=f"Projet {index:02d}", author=author)

    with django_assert_max_num_queries(4):
        response = client_for().get(URL)

    assert {p["author_name"] for p in response.json()["results"]} == {"Habitant·e de Cenon"}


def test_proposal_detail_and_unknown_proposal():
    world = build_world()
    proposal = make_proposal(world, cost_cents=9_000_00)
    client = client_for()

    body = client.get(f"/api/v1/proposals/{proposal.pk}/").json()

    assert body["id"] == proposal.pk
    assert body["cycle"] == "bp-test"
    assert body["cost_cents"] == 9_000_00
    assert body["status"] == "feasible"
    assert_api_error(client.get(f"/api/v1/proposals/{proposal.pk + 1000}/"), 404, "not_found")


def review_url(proposal):
    return f"/api/v1/proposals/{proposal.pk}/review/"


def test_reviewer_of_the_commune_accepts_with_a_validated_cost():
    world = build_world(phase=PhaseKind.REVIEW)
    proposal = make_proposal(world, feasible=False, cost_cents=20_000_00)

    response = client_for(world.reviewer).post(
        review_url(proposal), {"decision": "feasible", "validated_cost_cents": 18_000_00},
        format="json")

    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["decision"] == "feasible"
    assert body["proposal"]["status"] == "feasible"
    assert body["proposal"]["validated_cost_cents"] == 18_000_00
    proposal.refresh_from_db()
    assert proposal.status == ProposalStatus.FEASIBLE
    assert proposal.validated_cost_cents == 18_000_00


def test_reviewer_rejects_with_a_public_reason():
    world = build_world(phase=PhaseKind.REVIEW)
    proposal = make_proposal(world, feasible=False)

    response = client_for(world.reviewer).post(
        review_url(proposal), {"decision": "unfeasible", "public_reason": "Terrain privé."},
        format="json")

    assert response.status_code == 201
    assert response.json()["proposal"]["public_reason"] == "Terrain privé."
    assert response.json()["proposal"]["status"] == "unfeasible"


def test_rejection_without_a_reason_is_refused_and_writes_nothing():
    world = build_world(phase=PhaseKind.REVIEW)
    proposal = make_proposal(world, feasible=False)

    response = client_for(world.reviewer).post(review_url(proposal), {"decision": "unfeasible"},
                                               format="json")

    error = assert_api_error(response, 400, "invalid")
    assert list(error["fields"]) == ["public_reason"]
    assert not Review.objects.exists()


@pytest.mark.parametrize("role", ["resident", "floirac_reviewer", "moderator", "committee_member",
                                  "facilitator", "publisher"])
def test_review_by_anyone_but_the_communes_reviewer_is_a_403(role):
    world = build_world(phase=PhaseKind.REVIEW)
    proposal = make_proposal(world, feasible=False)

    response = client_for(world.users[role]).post(
        review_url(proposal), {"decision": "feasible", "validated_cost_cents": 100}, format="json")

    assert_api_error(response, 403, "not_allowed")
    assert not Review.objects.exists()


def test_anonymous_review_is_a_401():
    world = build_world(phase=PhaseKind.REVIEW)
    proposal = make_proposal(world, feasible=False)

    response = client_for().post(review_url(proposal), {"decision": "feasible",
                                                        "validated_cost_cents": 100}, format="json")

    assert_api_error(response, 401, "not_authenticated")


@pytest.mark.parametrize("phase", [PhaseKind.DELIBERATION, PhaseKind.VOTING, None])
def test_review_outside_a_review_phase_is_a_409(phase):
    world = build_world(phase=PhaseKind.REVIEW)
    proposal = make_proposal(world, feasible=False)
    set_phase(world.cycle, phase)

    response = client_for(world.reviewer).post(
        review_url(proposal), {"decision": "feasible", "validated_cost_cents": 100}, format="json")

    assert_api_error(response, 409, "phase_closed")
    proposal.refresh_from_db()
    assert proposal.status == ProposalStatus.SUBMITTED


def test_review_of_an_unknown_proposal_is_a_404():
    world = build_world(phase=PhaseKind.REVIEW)

    response = client_for(world.reviewer).post("/api/v1/proposals/999999/review/",
                                               {"decision": "feasible"}, format="json")

    assert_api_error(response, 404, "not_found")
