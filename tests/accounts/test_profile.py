"""A resident edits their profile: display name, district, birth date (once)."""

from datetime import date

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from territory.models import District
from tests.builders import build_world

pytestmark = pytest.mark.django_db


def test_resident_sets_a_birth_date_and_a_district(client):
    w = build_world()
    client.force_login(w.resident)
    assert "Mon profil" in client.get("/comptes/profil/").content.decode()
    response = client.post("/comptes/profil/", {"display_name": "Awa D.", "district": w.cenon_district.pk,
                                                "birth_date": "1990-04-02"})
    assert response.status_code == 302
    w.resident.refresh_from_db()
    assert (w.resident.display_name, w.resident.district, w.resident.birth_date) == (
        "Awa D.", w.cenon_district, date(1990, 4, 2))


def test_a_recorded_birth_date_cannot_be_changed_by_the_resident(client):
    w = build_world()
    w.resident.birth_date = date(1990, 4, 2)
    w.resident.save()
    client.force_login(w.resident)
    client.post("/comptes/profil/", {"display_name": "", "birth_date": "2015-01-01"})
    w.resident.refresh_from_db()
    assert w.resident.birth_date == date(1990, 4, 2)


@pytest.mark.parametrize("value", ["2999-01-01", "1800-01-01", "pas une date"])
def test_an_implausible_birth_date_is_refused_in_french(client, value):
    w = build_world()
    client.force_login(w.resident)
    response = client.post("/comptes/profil/", {"display_name": "", "birth_date": value})
    assert response.status_code == 400
    w.resident.refresh_from_db()
    assert w.resident.birth_date is None


def test_a_district_of_another_commune_is_refused(client):
    from territory.models import District

    w = build_world()
    other = District.objects.create(commune=w.floirac, name="Dravemont", slug="dravemont")
    client.force_login(w.resident)
    response = client.post("/comptes/profil/", {"display_name": "", "district": other.pk})
    assert response.status_code == 400


def test_anonymous_visitors_are_sent_to_login(client):
    build_world()
    assert client.get("/comptes/profil/").status_code == 302


def test_the_profile_page_lists_many_districts_in_as_many_queries_as_one(client):
    w = build_world()
    client.force_login(w.resident)
    with CaptureQueriesContext(connection) as one_district:
        client.get("/comptes/profil/")
    for index in range(8):
        District.objects.create(commune=w.cenon, name=f"Quartier {index}", slug=f"q{index}")
    with CaptureQueriesContext(connection) as nine_districts:
        page = client.get("/comptes/profil/").content.decode()
    assert len(nine_districts.captured_queries) == len(one_district.captured_queries)
    assert "Quartier 7 (Cenon)" in page
