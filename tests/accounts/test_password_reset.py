"""Password reset by e-mail and password change, over HTTP."""

import re

import pytest
from django.core import mail
from django.test import override_settings

from tests.builders import PASSWORD, build_world, make_user

NEW_PASSWORD = "un-autre-mot-de-passe-77"
pytestmark = pytest.mark.django_db


def reset_link(message: str) -> str:
    match = re.search(r"https?://[^/\s]+(/comptes/mot-de-passe/nouveau/\S+/)", message)
    assert match, message
    return match.group(1)


def test_login_page_links_to_the_reset_form(client):
    page = client.get("/comptes/connexion/").content.decode()
    assert 'href="/comptes/mot-de-passe/oublie/"' in page


def test_reset_sends_a_single_use_link_that_sets_a_new_password(client):
    world = build_world()
    user = make_user("nadia@example.org", commune=world.cenon)
    response = client.post("/comptes/mot-de-passe/oublie/", {"email": "Nadia@Example.org"})
    assert response.status_code == 302
    assert response["Location"] == "/comptes/mot-de-passe/oublie/envoye/"
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == ["nadia@example.org"]
    assert "nouveau mot de passe" in mail.outbox[0].subject
    link = reset_link(mail.outbox[0].body)

    form_page = client.get(link, follow=True)  # Django swaps the token for a session marker
    assert form_page.status_code == 200
    set_url = form_page.redirect_chain[-1][0]
    done = client.post(set_url, {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD})
    assert done.status_code == 302
    assert done["Location"] == "/comptes/mot-de-passe/nouveau/fait/"
    user.refresh_from_db()
    assert user.check_password(NEW_PASSWORD)

    client.logout()
    again = client.get(link, follow=True).content.decode()
    assert "Ce lien n’est plus valable" in again  # used once, never twice


def test_reset_page_does_not_reveal_whether_an_account_exists(client):
    build_world()
    response = client.post("/comptes/mot-de-passe/oublie/", {"email": "personne@example.org"})
    assert response.status_code == 302
    assert response["Location"] == "/comptes/mot-de-passe/oublie/envoye/"
    assert mail.outbox == []


def test_reset_refuses_a_weak_new_password_in_french(client):
    world = build_world()
    user = make_user("karim@example.org", commune=world.floirac)
    client.post("/comptes/mot-de-passe/oublie/", {"email": "karim@example.org"})
    form_page = client.get(reset_link(mail.outbox[0].body), follow=True)
    page = client.post(form_page.redirect_chain[-1][0],
                       {"new_password1": "1234", "new_password2": "1234"}).content.decode()
    assert "trop court" in page
    user.refresh_from_db()
    assert user.check_password(PASSWORD)


def test_a_tampered_link_is_refused_with_a_clear_message(client):
    build_world()
    page = client.get("/comptes/mot-de-passe/nouveau/MQ/abc-123/").content.decode()
    assert "Ce lien n’est plus valable" in page


@override_settings(HTML_WRITE_RATE="2/60")
def test_reset_requests_are_rate_limited(client):
    build_world()
    for _ in range(2):
        client.post("/comptes/mot-de-passe/oublie/", {"email": "x@example.org"})
    assert client.post("/comptes/mot-de-passe/oublie/", {"email": "x@example.org"}).status_code == 429


def test_password_change_needs_the_old_password(client):
    world = build_world()
    user = make_user("lea@example.org", commune=world.cenon)
    client.force_login(user)
    assert 'href="/comptes/mot-de-passe/changer/"' in client.get("/comptes/profil/").content.decode()
    wrong = client.post("/comptes/mot-de-passe/changer/", {
        "old_password": "pas-le-bon", "new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD,
    })
    assert wrong.status_code == 200
    assert "ancien mot de passe est incorrect" in wrong.content.decode()
    ok = client.post("/comptes/mot-de-passe/changer/", {
        "old_password": PASSWORD, "new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD,
    })
    assert ok["Location"] == "/comptes/mot-de-passe/changer/fait/"
    user.refresh_from_db()
    assert user.check_password(NEW_PASSWORD)


def test_password_change_requires_login(client):
    response = client.get("/comptes/mot-de-passe/changer/")
    assert response.status_code == 302
    assert "/comptes/connexion/" in response["Location"]
