"""Comments through the API: post_comment behind POST, visible comments behind GET."""

import pytest

from budgets.models import PhaseKind
from deliberation.models import Comment
from tests.api.support import assert_api_error, client_for
from tests.builders import build_world, make_proposal, set_phase

pytestmark = pytest.mark.django_db


def url(proposal):
    return f"/api/v1/proposals/{proposal.pk}/comments/"


def test_resident_comments_and_markup_is_stripped():
    world = build_world(phase=PhaseKind.DELIBERATION)
    proposal = make_proposal(world)

    response = client_for(world.second_resident).post(
        url(proposal), {"body": "<b>Oui</b> <script>alert(1)</script>, il manque des bancs."},
        format="json")

    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["body"] == "Oui , il manque des bancs."
    assert body["author_name"] == "Bruno"
    assert body["proposal"] == proposal.pk
    assert Comment.objects.get().author == world.second_resident


def test_comment_list_hides_moderated_comments_and_email_addresses():
    world = build_world(phase=PhaseKind.DELIBERATION)
    proposal = make_proposal(world)
    Comment.objects.create(proposal=proposal, author=world.resident, body="Premier avis")
    Comment.objects.create(proposal=proposal, author=world.floirac_resident, body="Masqué",
                           is_hidden=True)
    Comment.objects.create(proposal=proposal, author=world.floirac_resident, body="Second avis")

    response = client_for().get(url(proposal))

    assert response.status_code == 200
    results = response.json()["results"]
    assert [c["body"] for c in results] == ["Premier avis", "Second avis"]
    assert results[1]["author_name"] == "Habitant·e de Floirac"
    assert "@example.org" not in response.content.decode()


def test_anonymous_comment_is_a_401():
    world = build_world(phase=PhaseKind.DELIBERATION)
    proposal = make_proposal(world)

    response = client_for().post(url(proposal), {"body": "Bonjour"}, format="json")

    assert_api_error(response, 401, "not_authenticated")
    assert not Comment.objects.exists()


def test_comment_when_no_phase_is_open_is_a_409():
    world = build_world(phase=PhaseKind.DELIBERATION)
    proposal = make_proposal(world)
    set_phase(world.cycle, None)

    response = client_for(world.resident).post(url(proposal), {"body": "Bonjour"}, format="json")

    assert_api_error(response, 409, "phase_closed")
    assert not Comment.objects.exists()


@pytest.mark.parametrize("text", ["", "   ", "<p></p>"])
def test_empty_comment_is_refused_on_the_body_field(text):
    world = build_world(phase=PhaseKind.DELIBERATION)
    proposal = make_proposal(world)

    response = client_for(world.resident).post(url(proposal), {"body": text}, format="json")

    error = assert_api_error(response, 400, "invalid")
    assert list(error["fields"]) == ["body"]
    assert not Comment.objects.exists()


def test_comment_over_the_length_limit_is_refused():
    world = build_world(phase=PhaseKind.DELIBERATION)
    proposal = make_proposal(world)

    response = client_for(world.resident).post(url(proposal), {"body": "a" * 3001}, format="json")

    error = assert_api_error(response, 400, "invalid")
    assert list(error["fields"]) == ["body"]


def test_comments_of_an_unknown_proposal_are_a_404():
    world = build_world(phase=PhaseKind.DELIBERATION)

    assert_api_error(client_for().get("/api/v1/proposals/424242/comments/"), 404, "not_found")
    response = client_for(world.resident).post("/api/v1/proposals/424242/comments/",
                                               {"body": "Bonjour"}, format="json")
    assert_api_error(response, 404, "not_found")
