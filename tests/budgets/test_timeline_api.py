"""GET/PUT /api/v1/cycles/{slug}/timeline/ and POST /api/v1/cycles/{slug}/close-phase/."""

from datetime import timedelta

import pytest
from django.utils import timezone
from rest_framework.authtoken.models import Token

from audit.models import AuditEvent
from budgets.models import PhaseKind
from tests.api.support import assert_api_error, client_for
from tests.builders import build_world

pytestmark = pytest.mark.django_db

URL = "/api/v1/cycles/bp-test/timeline/"
CLOSE_URL = "/api/v1/cycles/bp-test/close-phase/"
NON_ADMINS = ["resident", "moderator", "reviewer", "facilitator", "committee_member", "publisher"]


def body_of(cycle, **changes):
    phases = []
    for p in cycle.phases.order_by("starts_at"):
        start, end = changes.get(p.kind, (p.starts_at, p.ends_at))
        phases.append({"kind": p.kind, "starts_at": start.isoformat(), "ends_at": end.isoformat()})
    return {"phases": phases}


def dates(cycle):
    return {p.kind: (p.starts_at, p.ends_at) for p in cycle.phases.all()}


def test_the_timeline_is_public_with_each_phase_state():
    build_world(phase=PhaseKind.REVIEW)

    response = client_for().get(URL)

    assert response.status_code == 200
    body = response.json()
    assert body["cycle"] == "bp-test"
    assert body["current_phase"] == "review"
    assert [p["kind"] for p in body["phases"]] == [
        "information", "submission", "review", "deliberation", "voting", "results", "implementation"]
    assert [p["state"] for p in body["phases"]] == [
        "past", "past", "current", "future", "future", "future", "future"]
    assert body["phases"][2]["kind_label"] == "Analyse de faisabilité"


def test_an_unknown_cycle_is_a_404_in_the_error_shape():
    assert_api_error(client_for().get("/api/v1/cycles/nope/timeline/"), 404, "not_found")


def test_an_administrator_replaces_the_timeline():
    w = build_world(phase=PhaseKind.SUBMISSION)
    start, end = dates(w.cycle)[PhaseKind.IMPLEMENTATION]
    new_end = end + timedelta(days=100)

    response = client_for(w.admin).put(URL, body_of(w.cycle, implementation=(start, new_end)),
                                       format="json")

    assert response.status_code == 200, response.content
    assert response.json()["phases"][-1]["ends_at"] == timezone.localtime(new_end).isoformat()
    assert dates(w.cycle)[PhaseKind.IMPLEMENTATION] == (start, new_end)
    assert AuditEvent.objects.filter(action="timeline.changed", actor=w.admin).count() == 1


def test_a_token_works_for_an_administrator():
    w = build_world(phase=PhaseKind.SUBMISSION)
    body = body_of(w.cycle)
    body["phases"] = [p for p in body["phases"] if p["kind"] != "implementation"]
    token = Token.objects.create(user=w.admin).key

    response = client_for(HTTP_AUTHORIZATION=f"Token {token}").put(URL, body, format="json")

    assert response.status_code == 200
    assert PhaseKind.IMPLEMENTATION not in dates(w.cycle)


def test_rule_violations_come_back_per_field_in_french_and_nothing_changes():
    w = build_world(phase=PhaseKind.REVIEW)
    before = dates(w.cycle)
    review_start, review_end = before[PhaseKind.REVIEW]
    voting_start, _voting_end = before[PhaseKind.VOTING]
    body = body_of(w.cycle, review=(review_start - timedelta(hours=1), review_end),
                   voting=(voting_start, voting_start))

    response = client_for(w.admin).put(URL, body, format="json")

    error = assert_api_error(response, 400, "invalid")
    assert set(error["fields"]) == {"review.starts_at", "voting.ends_at"}
    overlap, moved = error["fields"]["review.starts_at"]
    assert "doit commencer après la fin de la phase « Dépôt des propositions »" in overlap
    assert "a commencé : son début (le " in moved and "ne peut plus changer" in moved
    assert error["fields"]["voting.ends_at"] == ["La phase « Vote » doit finir après son début."]
    assert dates(w.cycle) == before


def test_a_duplicate_kind_is_refused():
    w = build_world(phase=None)
    body = body_of(w.cycle)
    body["phases"] = [body["phases"][0], body["phases"][0]]

    error = assert_api_error(client_for(w.admin).put(URL, body, format="json"), 400, "invalid")

    assert "information.kind" in error["fields"]


@pytest.mark.parametrize("body", [
    {},
    {"phases": [{"kind": "vote", "starts_at": "2030-01-01T10:00", "ends_at": "2030-01-02T10:00"}]},
    {"phases": [{"kind": "voting", "starts_at": "demain", "ends_at": "2030-01-02T10:00"}]},
    {"phases": [{"kind": "voting", "starts_at": "2030-01-01T10:00", "ends_at": "9999-12-31T23:59"}]},
    {"phases": [{"kind": "voting", "starts_at": "2030-01-01T10:00",
                 "ends_at": "2030-01-02T10:00"}] * 8},
])
def test_malformed_bodies_are_refused_without_a_server_error(body):
    w = build_world(phase=None)
    before = dates(w.cycle)

    assert_api_error(client_for(w.admin).put(URL, body, format="json"), 400, "invalid")

    assert dates(w.cycle) == before


def test_anonymous_writes_need_authentication():
    w = build_world(phase=PhaseKind.SUBMISSION)
    body = body_of(w.cycle)

    response = client_for().put(URL, body, format="json")
    assert_api_error(response, 401, "not_authenticated")
    assert response["WWW-Authenticate"] == "Token"
    assert_api_error(client_for().post(CLOSE_URL, {}, format="json"), 401, "not_authenticated")


@pytest.mark.parametrize("role", NON_ADMINS)
def test_non_administrators_are_refused(role):
    w = build_world(phase=PhaseKind.SUBMISSION)
    before = dates(w.cycle)
    body = body_of(w.cycle)
    body["phases"].pop()
    client = client_for(getattr(w, role))

    assert_api_error(client.put(URL, body, format="json"), 403, "not_allowed")
    assert_api_error(client.post(CLOSE_URL, {}, format="json"), 403, "not_allowed")
    assert dates(w.cycle) == before


def test_session_writes_need_the_csrf_token():
    w = build_world(phase=PhaseKind.SUBMISSION)
    client = client_for(w.admin, enforce_csrf_checks=True)

    assert_api_error(client.post(CLOSE_URL, {}, format="json"), 403, "permission_denied")
    assert client.get(URL).json()["current_phase"] == "submission"


def test_closing_the_current_phase_opens_the_next_one_by_default():
    w = build_world(phase=PhaseKind.SUBMISSION)

    response = client_for(w.admin).post(CLOSE_URL, {}, format="json")

    assert response.status_code == 200
    assert response.json()["current_phase"] == "review"
    assert AuditEvent.objects.filter(action="phase.closed_early").count() == 1


def test_closing_without_opening_the_next_phase():
    w = build_world(phase=PhaseKind.SUBMISSION)

    response = client_for(w.admin).post(CLOSE_URL, {"start_next": False}, format="json")

    assert response.status_code == 200
    assert response.json()["current_phase"] is None


def test_closing_the_vote_through_the_api_opens_the_results():
    w = build_world(phase=PhaseKind.VOTING)

    response = client_for(w.admin).post(CLOSE_URL, {"start_next": False}, format="json")

    assert response.json()["current_phase"] == "results"
    assert AuditEvent.objects.filter(action="voting.closed").count() == 1


def test_closing_when_no_phase_is_under_way_is_a_conflict():
    w = build_world(phase=None)

    error = assert_api_error(client_for(w.admin).post(CLOSE_URL, {}, format="json"), 409, "phase_closed")

    assert "Aucune phase n’est en cours" in error["message"]
