"""Verification pages through HTTP."""

import pytest

from budgets.models import PhaseKind
from tests.builders import build_world
from voting.eligibility import generate_codes
from voting.models import EligibilityEntry, Verification, VotingCode

pytestmark = pytest.mark.django_db


def world():
    w = build_world(phase=PhaseKind.VOTING)
    w.cycle.required_verification = "any"
    w.cycle.save()
    return w


def test_resident_redeems_a_code_on_the_verification_page(client):
    w = world()
    code = generate_codes(actor=w.admin, cycle=w.cycle, commune=w.cenon, count=1).codes[0]
    client.force_login(w.resident)
    assert "code de vote" in client.get("/vote/bp-test/verification/").content.decode()
    response = client.post("/vote/bp-test/verification/", {"method": "code", "code": code})
    assert response.status_code == 302 and response["Location"] == "/vote/bp-test/"
    assert Verification.objects.get().user == w.resident


def test_a_used_code_is_refused_on_the_page_with_the_reason(client):
    w = world()
    code = generate_codes(actor=w.admin, cycle=w.cycle, commune=w.cenon, count=1).codes[0]
    client.force_login(w.resident)
    client.post("/vote/bp-test/verification/", {"method": "code", "code": code})
    client.force_login(w.second_resident)
    response = client.post("/vote/bp-test/verification/", {"method": "code", "code": code})
    assert response.status_code == 400 and "déjà été utilisé" in response.content.decode()


def test_unverified_resident_sees_why_they_cannot_vote(client):
    w = world()
    client.force_login(w.resident)
    assert "doit être vérifié" in client.get("/vote/bp-test/").content.decode()


def test_administrator_downloads_codes_as_csv(client):
    w = world()
    client.force_login(w.admin)
    response = client.post("/vote/bp-test/codes/", {"commune": w.cenon.pk, "count": 5})
    assert response.status_code == 200 and response["Content-Type"].startswith("text/csv")
    assert len(response.content.decode().strip().splitlines()) == 6
    assert VotingCode.objects.count() == 5


@pytest.mark.parametrize("role", ["resident", "facilitator", "committee_member"])
def test_codes_and_list_pages_are_refused_to_non_administrators(client, role):
    w = world()
    client.force_login(getattr(w, role))
    assert client.post("/vote/bp-test/codes/", {"commune": w.cenon.pk, "count": 5}).status_code == 403
    assert client.get("/vote/bp-test/liste-des-votants/").status_code == 403
    assert VotingCode.objects.count() == 0


def test_administrator_imports_a_voters_list(client):
    from django.core.files.uploadedfile import SimpleUploadedFile

    w = world()
    client.force_login(w.admin)
    upload = SimpleUploadedFile("liste.csv", b"identifiant\nX1\nX2\n", content_type="text/csv")
    response = client.post("/vote/bp-test/liste-des-votants/", {"commune": w.cenon.pk, "file": upload})
    assert response.status_code == 200 and "2 identifiant" in response.content.decode()
    assert EligibilityEntry.objects.count() == 2
    latin1 = SimpleUploadedFile("l.csv", "identifiant\nÉlodie\n".encode("latin-1"))
    bad = client.post("/vote/bp-test/liste-des-votants/", {"commune": w.cenon.pk, "file": latin1})
    assert bad.status_code == 400 and "UTF-8" in bad.content.decode()


def test_facilitator_verifies_a_resident_and_an_unknown_email_is_explained(client):
    w = world()
    client.force_login(w.facilitator)
    unknown = client.post("/vote/bp-test/verifier-un-habitant/", {"email": "nobody@example.org"})
    assert unknown.status_code == 400 and "Aucun compte" in unknown.content.decode()
    ok = client.post("/vote/bp-test/verifier-un-habitant/", {"email": "resident@example.org"})
    assert ok.status_code == 302
    client.force_login(w.reviewer)
    refused = client.post("/vote/bp-test/verifier-un-habitant/", {"email": "second@example.org"})
    assert refused.status_code == 400 and "animateurs" in refused.content.decode()
    assert Verification.objects.count() == 1
