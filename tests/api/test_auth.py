"""API authentication: the token endpoint, token use, and CSRF on session-authenticated writes."""

import secrets

import pytest
from rest_framework.authtoken.models import Token

from budgets.models import PhaseKind
from deliberation.models import Comment
from tests.api.support import assert_api_error, client_for
from tests.builders import PASSWORD, build_world, make_proposal
from voting.models import Ballot

pytestmark = pytest.mark.django_db

TOKEN_URL = "/api/v1/auth/token/"


def test_email_and_password_give_a_token_that_stays_the_same():
    world = build_world()
    client = client_for()

    first = client.post(TOKEN_URL, {"email": "resident@example.org", "password": PASSWORD},
                        format="json")
    second = client.post(TOKEN_URL, {"email": "Resident@Example.org", "password": PASSWORD},
                         format="json")

    assert first.status_code == 200, first.json()
    assert first.json() == {"token": Token.objects.get(user=world.resident).key}
    assert second.json() == first.json()


@pytest.mark.parametrize("email,password", [
    ("resident@example.org", "mauvais-mot-de-passe"),
    ("personne@example.org", PASSWORD),
])
def test_wrong_credentials_get_the_same_401(email, password):
    build_world()

    response = client_for().post(TOKEN_URL, {"email": email, "password": password}, format="json")

    error = assert_api_error(response, 401, "authentication_failed")
    assert error["message"] == "Adresse e-mail ou mot de passe incorrect."
    assert not Token.objects.exists()


def test_inactive_account_gets_no_token():
    world = build_world()
    world.resident.is_active = False
    world.resident.save()

    response = client_for().post(TOKEN_URL, {"email": "resident@example.org",
                                             "password": PASSWORD}, format="json")

    assert_api_error(response, 401, "authentication_failed")


def test_token_request_without_fields_names_them():
    build_world()

    response = client_for().post(TOKEN_URL, {}, format="json")

    error = assert_api_error(response, 400, "invalid")
    assert set(error["fields"]) == {"email", "password"}


def test_token_authenticates_a_ballot_without_any_csrf_token():
    world = build_world(phase=PhaseKind.VOTING)
    proposal = make_proposal(world)
    key = client_for().post(TOKEN_URL, {"email": "resident@example.org", "password": PASSWORD},
                            format="json").json()["token"]
    client = client_for(enforce_csrf_checks=True)
    client.credentials(HTTP_AUTHORIZATION=f"Token {key}")

    response = client.put("/api/v1/cycles/bp-test/ballot/", {"proposal_ids": [proposal.pk]},
                          format="json")

    assert response.status_code == 201, response.json()
    assert client.get("/api/v1/cycles/bp-test/ballot/").json()["proposal_ids"] == [proposal.pk]
    assert Ballot.objects.count() == 1


def test_an_unknown_token_is_refused_even_on_a_public_read():
    build_world()
    client = client_for()
    client.credentials(HTTP_AUTHORIZATION="Token " + "0" * 40)

    response = client.get("/api/v1/cycles/")

    assert_api_error(response, 401, "authentication_failed")


def test_session_writes_need_the_csrf_token():
    world = build_world(phase=PhaseKind.DELIBERATION)
    proposal = make_proposal(world)
    client = client_for(world.resident, enforce_csrf_checks=True)
    url = f"/api/v1/proposals/{proposal.pk}/comments/"

    refused = client.post(url, {"body": "Sans jeton CSRF"}, format="json")

    error = assert_api_error(refused, 403, "permission_denied")
    assert "CSRF" in error["message"]
    assert not Comment.objects.exists()

    csrf = secrets.token_hex(16)
    client.cookies["csrftoken"] = csrf
    accepted = client.post(url, {"body": "Avec jeton CSRF"}, format="json", HTTP_X_CSRFTOKEN=csrf)

    assert accepted.status_code == 201, accepted.json()
    assert Comment.objects.get().body == "Avec jeton CSRF"


def test_session_reads_need_no_csrf_token():
    world = build_world(phase=PhaseKind.VOTING)
    client = client_for(world.resident, enforce_csrf_checks=True)

    response = client.get("/api/v1/cycles/bp-test/ballot/")

    assert response.status_code == 200
