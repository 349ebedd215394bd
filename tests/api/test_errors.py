"""Every API error has the one shape of config.errors.api_exception_handler.

``{"error": {"code": ..., "message": ..., "fields": {...}?}}`` for validation, domain
refusals, 401, 403, 404 (object and unknown address), 405, 409, 415 and 429.
"""

import pytest
from django.core.cache import cache

from budgets.models import PhaseKind
from config.throttling import WriteRateThrottle
from deliberation.models import Comment
from tests.api.support import assert_api_error, client_for
from tests.builders import build_world, make_proposal

pytestmark = pytest.mark.django_db


def test_field_validation_error_lists_fields():
    world = build_world(phase=PhaseKind.SUBMISSION)

    response = client_for(world.resident).post("/api/v1/cycles/bp-test/proposals/",
                                               {"title": ""}, format="json")

    error = assert_api_error(response, 400, "invalid")
    assert "title" in error["fields"] and "envelope" in error["fields"]


def test_service_validation_error_lists_fields():
    world = build_world(phase=PhaseKind.REVIEW)
    proposal = make_proposal(world, feasible=False)

    response = client_for(world.reviewer).post(f"/api/v1/proposals/{proposal.pk}/review/",
                                               {"decision": "feasible"}, format="json")

    error = assert_api_error(response, 400, "invalid")
    assert list(error["fields"]) == ["validated_cost_cents"]


def test_malformed_json_is_a_parse_error():
    world = build_world(phase=PhaseKind.DELIBERATION)
    proposal = make_proposal(world)

    response = client_for(world.resident).post(f"/api/v1/proposals/{proposal.pk}/comments/",
                                               data='{"body": ', content_type="application/json")

    assert_api_error(response, 400, "parse_error")


def test_domain_refusal_of_a_ballot_lists_problems_under_all():
    world = build_world(phase=PhaseKind.VOTING, max_choices=1)
    first, second = make_proposal(world, title="A"), make_proposal(world, title="B")

    response = client_for(world.resident).put("/api/v1/cycles/bp-test/ballot/",
                                              {"proposal_ids": [first.pk, second.pk]},
                                              format="json")

    error = assert_api_error(response, 400, "invalid_ballot")
    assert list(error["fields"]) == ["__all__"]


def test_anonymous_write_is_a_401_with_a_token_challenge():
    world = build_world(phase=PhaseKind.DELIBERATION)
    proposal = make_proposal(world)

    response = client_for().post(f"/api/v1/proposals/{proposal.pk}/comments/", {"body": "x"},
                                 format="json")

    assert_api_error(response, 401, "not_authenticated")
    assert response["WWW-Authenticate"] == "Token"


def test_wrong_role_is_a_403():
    world = build_world(phase=PhaseKind.REVIEW)
    proposal = make_proposal(world, feasible=False)

    response = client_for(world.second_resident).post(
        f"/api/v1/proposals/{proposal.pk}/review/",
        {"decision": "unfeasible", "public_reason": "Non."}, format="json")

    assert_api_error(response, 403, "not_allowed")


def test_not_eligible_voter_is_a_403():
    world = build_world(phase=PhaseKind.VOTING)
    proposal = make_proposal(world, envelope=world.territory_envelope)

    response = client_for(world.outsider).put("/api/v1/cycles/bp-test/ballot/",
                                              {"proposal_ids": [proposal.pk]}, format="json")

    assert_api_error(response, 403, "not_eligible")


@pytest.mark.parametrize("url", [
    "/api/v1/cycles/inconnu/",
    "/api/v1/cycles/inconnu/proposals/",
    "/api/v1/proposals/987654/",
    "/api/v1/proposals/987654/comments/",
    "/api/v1/nulle-part/",
    "/api/v1/proposals/pas-un-nombre/",
])
def test_unknown_object_or_address_is_a_404(url):
    build_world()

    assert_api_error(client_for().get(url), 404, "not_found")


@pytest.mark.parametrize("method,url", [
    ("delete", "/api/v1/cycles/bp-test/"),
    ("put", "/api/v1/cycles/bp-test/proposals/"),
    ("put", "/api/v1/proposals/{pk}/"),  # PATCH edits; PUT is not offered
    ("get", "/api/v1/proposals/{pk}/review/"),
    ("post", "/api/v1/cycles/bp-test/ballot/"),
    ("get", "/api/v1/auth/token/"),
])
def test_wrong_method_is_a_405(method, url):
    world = build_world()
    proposal = make_proposal(world)

    response = getattr(client_for(world.resident), method)(url.format(pk=proposal.pk))

    assert_api_error(response, 405, "method_not_allowed")


def test_wrong_phase_is_a_409():
    world = build_world(phase=PhaseKind.DELIBERATION)
    proposal = make_proposal(world)

    response = client_for(world.resident).put("/api/v1/cycles/bp-test/ballot/",
                                              {"proposal_ids": [proposal.pk]}, format="json")

    error = assert_api_error(response, 409, "phase_closed")
    assert "Débat" in error["message"]


def test_unsupported_media_type_is_a_415():
    world = build_world(phase=PhaseKind.DELIBERATION)
    proposal = make_proposal(world)

    response = client_for(world.resident).post(f"/api/v1/proposals/{proposal.pk}/comments/",
                                               data="body=x", content_type="text/plain")

    assert_api_error(response, 415, "unsupported_media_type")


def test_messages_are_french_by_default_and_follow_accept_language():
    world = build_world()
    client = client_for(world.resident)

    french = client.delete("/api/v1/cycles/bp-test/")
    english = client.delete("/api/v1/cycles/bp-test/", HTTP_ACCEPT_LANGUAGE="en")

    assert "Méthode" in assert_api_error(french, 405, "method_not_allowed")["message"]
    assert assert_api_error(english, 405, "method_not_allowed")["message"] == (
        'Method "DELETE" not allowed.')


@pytest.fixture
def two_writes_per_minute(monkeypatch):
    """The configured write rate, lowered for one test (the cache holds the counts)."""
    monkeypatch.setattr(WriteRateThrottle, "rate", "2/min", raising=False)
    cache.clear()
    yield
    cache.clear()


def test_too_many_writes_are_throttled_with_a_429(two_writes_per_minute):
    world = build_world(phase=PhaseKind.DELIBERATION)
    proposal = make_proposal(world)
    client = client_for(world.resident)
    url = f"/api/v1/proposals/{proposal.pk}/comments/"

    statuses = [client.post(url, {"body": f"Avis {n}"}, format="json").status_code
                for n in range(2)]
    refused = client.post(url, {"body": "Avis de trop"}, format="json")

    assert statuses == [201, 201]
    assert_api_error(refused, 429, "throttled")
    assert int(refused["Retry-After"]) > 0
    assert Comment.objects.count() == 2
    assert client.get(url).status_code == 200  # reads are not counted


def test_address_without_its_final_slash_is_a_404_with_a_hint():
    build_world()

    error = assert_api_error(client_for().get("/api/v1/cycles/bp-test"), 404, "not_found")

    assert error["message"].endswith("essayez /api/v1/cycles/bp-test/")
    assert "essayez" not in client_for().get("/api/v1/nulle-part").json()["error"]["message"]


def test_page_beyond_the_last_is_a_404():
    build_world()

    assert_api_error(client_for().get("/api/v1/cycles/?page=9"), 404, "not_found")


@pytest.mark.parametrize("url", ["/api/v1/cycles/bp-test/ballot/",
                                 "/api/v1/cycles/bp-test/proposals/",
                                 "/api/v1/proposals/{pk}/review/"])
def test_options_describes_the_endpoint_without_failing(url):
    world = build_world(phase=PhaseKind.VOTING)
    proposal = make_proposal(world)

    response = client_for(world.resident).options(url.format(pk=proposal.pk))

    assert response.status_code == 200
    assert response.json()["parses"] == ["application/json"]
