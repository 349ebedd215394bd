"""Sign-up, login and logout through the HTTP layer, and the register_resident service."""

import pytest
from django.core.exceptions import ValidationError

from accounts.models import User
from accounts.services import register_resident
from tests.builders import PASSWORD, build_world


def signup_data(world, **overrides):
    data = {
        "email": "Nouvelle@Example.org", "password1": "un-mot-de-passe-long",
        "password2": "un-mot-de-passe-long", "commune": world.cenon.pk,
        "district": world.cenon_district.pk, "display_name": "Chloé",
    }
    data.update(overrides)
    return data


@pytest.mark.django_db
def test_signup_page_labels_every_field(client):
    build_world()
    page = client.get("/comptes/inscription/").content.decode()
    for field_id in ("id_email", "id_password1", "id_password2", "id_commune", "id_district",
                     "id_display_name"):
        assert f'<label for="{field_id}">' in page


@pytest.mark.django_db
def test_signup_creates_an_unverified_resident_and_logs_them_in(client):
    world = build_world()
    response = client.post("/comptes/inscription/", signup_data(world), follow=True)
    assert response.redirect_chain == [("/", 302)]
    user = User.objects.get(email="nouvelle@example.org")
    assert user.commune == world.cenon and user.district == world.cenon_district
    assert user.display_name == "Chloé" and not user.is_verified
    assert response.context["user"] == user
    assert "Votre compte est créé." in response.content.decode()


@pytest.mark.django_db
def test_signup_without_optional_fields_works(client):
    world = build_world()
    data = signup_data(world, district="", display_name="")
    assert client.post("/comptes/inscription/", data).status_code == 302
    assert User.objects.get(email="nouvelle@example.org").district is None


@pytest.mark.django_db
def test_signup_refuses_two_different_passwords(client):
    world = build_world()
    response = client.post("/comptes/inscription/", signup_data(world, password2="autre-chose-42"))
    assert response.status_code == 200
    page = response.content.decode()
    assert "Les deux mots de passe ne sont pas identiques." in page
    assert 'aria-invalid="true"' in page and 'id="id_password2_error"' in page
    assert not User.objects.filter(email="nouvelle@example.org").exists()


@pytest.mark.django_db
def test_signup_refuses_an_address_already_used_whatever_its_case(client):
    world = build_world()
    response = client.post("/comptes/inscription/",
                           signup_data(world, email="RESIDENT@example.org"))
    assert "Un compte existe déjà avec cette adresse e-mail." in response.content.decode()
    assert User.objects.filter(email__iexact="resident@example.org").count() == 1


@pytest.mark.django_db
def test_signup_refuses_a_district_of_another_commune(client):
    world = build_world()
    response = client.post("/comptes/inscription/", signup_data(world, commune=world.floirac.pk))
    assert "Ce quartier n’est pas dans la commune choisie." in response.content.decode()
    assert not User.objects.filter(email="nouvelle@example.org").exists()


@pytest.mark.django_db
def test_signup_refuses_a_weak_password(client):
    world = build_world()
    response = client.post("/comptes/inscription/",
                           signup_data(world, password1="12345678", password2="12345678"))
    assert response.status_code == 200
    assert 'id="id_password1_error"' in response.content.decode()
    assert not User.objects.filter(email="nouvelle@example.org").exists()


@pytest.mark.django_db
def test_signup_requires_a_commune_of_residence(client):
    world = build_world()
    response = client.post("/comptes/inscription/", signup_data(world, commune="", district=""))
    assert 'id="id_commune_error"' in response.content.decode()
    assert not User.objects.filter(email="nouvelle@example.org").exists()


@pytest.mark.django_db
def test_login_with_email_and_password_goes_to_the_next_page(client):
    build_world()
    response = client.post("/comptes/connexion/", {
        "username": "resident@example.org", "password": PASSWORD,
        "next": "/propositions/bp-test/",
    })
    assert response.status_code == 302
    assert response["Location"] == "/propositions/bp-test/"
    assert "_auth_user_id" in client.session


@pytest.mark.django_db
def test_login_refuses_a_wrong_password_with_a_clear_message(client):
    build_world()
    response = client.post("/comptes/connexion/",
                           {"username": "resident@example.org", "password": "faux"})
    assert response.status_code == 200
    assert "Adresse e-mail ou mot de passe incorrect." in response.content.decode()
    assert "_auth_user_id" not in client.session


@pytest.mark.django_db
def test_login_ignores_a_next_page_on_another_site(client):
    build_world()
    response = client.post("/comptes/connexion/", {
        "username": "resident@example.org", "password": PASSWORD,
        "next": "https://evil.example.com/",
    })
    assert response["Location"] == "/"


@pytest.mark.django_db
def test_logout_needs_a_post(client):
    world = build_world()
    client.force_login(world.resident)
    assert client.get("/comptes/deconnexion/").status_code == 405
    assert "_auth_user_id" in client.session
    response = client.post("/comptes/deconnexion/")
    assert response.status_code == 302 and response["Location"] == "/"
    assert "_auth_user_id" not in client.session


@pytest.mark.django_db
def test_register_resident_stores_the_email_lower_cased():
    world = build_world()
    user = register_resident(email="  Zoe@Example.ORG ", password="un-mot-de-passe-long",
                             commune=world.floirac)
    assert user.email == "zoe@example.org" and user.username == "zoe@example.org"
    assert user.check_password("un-mot-de-passe-long")
    assert user.commune == world.floirac and not user.is_verified


@pytest.mark.django_db
def test_register_resident_reports_every_field_problem_at_once():
    world = build_world()
    with pytest.raises(ValidationError) as info:
        register_resident(email="resident@example.org", password="123",
                          commune=world.floirac, district=world.cenon_district)
    assert set(info.value.message_dict) == {"email", "password", "district"}
    assert User.objects.filter(email="resident@example.org").count() == 1
