"""Proposal pages: drafts, edition, attachments served safely, supports, merge, draw-up."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from proposals.models import Attachment, Proposal, ProposalStatus, Support
from proposals.services import add_attachment
from tests.builders import build_world, make_proposal
from tests.proposals.files import pdf_bytes, png_bytes


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    return tmp_path


def form_data(world, **overrides):
    data = {"title": "Un jardin", "summary": "", "description": "Des **bacs**.",
            "category": "environment", "commune": world.cenon.pk, "district": "",
            "envelope": world.cenon_envelope.pk, "estimated_cost": "5 000", "address": "",
            "latitude": "", "longitude": ""}
    data.update(overrides)
    return data


@pytest.mark.django_db
def test_a_draft_saved_from_the_form_is_private_then_submitted(client):
    world = build_world(phase="submission")
    client.force_login(world.resident)
    response = client.post("/propositions/bp-test/deposer/",
                           {**form_data(world), "action": "draft"}, follow=True)
    proposal = Proposal.objects.get()
    assert proposal.status == ProposalStatus.DRAFT
    page = response.content.decode()
    assert "Brouillon" in page and "<strong>bacs</strong>" in page
    url = f"/propositions/p/{proposal.pk}/"
    client.logout()
    assert client.get(url).status_code == 404
    client.force_login(world.second_resident)
    assert client.get(url).status_code == 404
    client.force_login(world.resident)
    page = client.get("/propositions/bp-test/mes-propositions/").content.decode()
    assert "Un jardin" in page
    client.post(f"{url}deposer/")
    assert Proposal.objects.get().status == ProposalStatus.SUBMITTED
    client.logout()
    assert client.get(url).status_code == 200


@pytest.mark.django_db
def test_the_author_edits_with_the_form_and_a_location_out_of_range_is_refused(client):
    world = build_world(phase="submission")
    proposal = make_proposal(world, feasible=False)
    client.force_login(world.resident)
    url = f"/propositions/p/{proposal.pk}/modifier/"
    page = client.get(url).content.decode()
    assert 'value="Des bancs au parc Palmer"' in page
    response = client.post(url, form_data(world, latitude="95", longitude="2"))
    assert response.status_code == 200 and 'id="id_latitude_error"' in response.content.decode()
    response = client.post(url, form_data(world, latitude="44,85", longitude=""))
    assert 'id="id_longitude_error"' in response.content.decode()
    response = client.post(url, form_data(world, title="Un jardin partagé", latitude="44,8571",
                                          longitude="-0,5322", address="Parc Palmer"))
    assert response.status_code == 302
    proposal.refresh_from_db()
    assert proposal.title == "Un jardin partagé" and str(proposal.latitude) == "44.857100"
    page = client.get(f"/propositions/p/{proposal.pk}/").content.decode()
    assert "Parc Palmer" in page and "openstreetmap.org/?mlat=44.857100" in page


@pytest.mark.django_db
@pytest.mark.parametrize("user", [None, "second_resident", "reviewer"])
def test_only_authors_open_the_edit_page(client, user):
    world = build_world(phase="submission")
    proposal = make_proposal(world, feasible=False)
    if user:
        client.force_login(getattr(world, user))
    response = client.get(f"/propositions/p/{proposal.pk}/modifier/")
    assert response.status_code == (302 if user is None else 403)


@pytest.mark.django_db
def test_attachments_are_uploaded_and_served_with_safe_headers(client, media):
    world = build_world(phase="submission")
    proposal = make_proposal(world, feasible=False)
    client.force_login(world.resident)
    upload = SimpleUploadedFile("plan.png", png_bytes(), content_type="text/html")
    response = client.post(f"/propositions/p/{proposal.pk}/pieces/", {"file": upload})
    assert response.status_code == 302
    image = Attachment.objects.get()
    response = client.get(f"/propositions/p/{proposal.pk}/pieces/{image.pk}/")
    assert response["Content-Type"] == "image/png"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Content-Disposition"].startswith("inline")
    assert "sandbox" in response["Content-Security-Policy"]
    pdf = add_attachment(editor=world.resident, proposal=proposal, content=pdf_bytes(),
                         filename="devis.pdf")
    response = client.get(f"/propositions/p/{proposal.pk}/pieces/{pdf.pk}/")
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"] == 'attachment; filename="devis.pdf"'
    bad = SimpleUploadedFile("x.pdf", b"<script>alert(1)</script>")
    response = client.post(f"/propositions/p/{proposal.pk}/pieces/", {"file": bad})
    assert response.status_code == 400 and 'id="id_file_error"' in response.content.decode()
    assert Attachment.objects.count() == 2
    page = client.get(f"/propositions/p/{proposal.pk}/").content.decode()
    assert f'src="/propositions/p/{proposal.pk}/pieces/{image.pk}/"' in page


@pytest.mark.django_db
def test_attachments_of_a_draft_are_private(client, media):
    world = build_world(phase="submission")
    proposal = make_proposal(world, feasible=False, status=ProposalStatus.DRAFT)
    image = add_attachment(editor=world.resident, proposal=proposal, content=png_bytes(),
                           filename="a.png")
    assert client.get(f"/propositions/p/{proposal.pk}/pieces/{image.pk}/").status_code == 404


@pytest.mark.django_db
def test_a_resident_supports_then_withdraws_from_the_detail_page(client):
    world = build_world(phase="deliberation")
    proposal = make_proposal(world)
    url = f"/propositions/p/{proposal.pk}/"
    page = client.get(url).content.decode()
    assert "0 soutien" in page and "Connectez-vous pour soutenir" in page
    client.force_login(world.resident)
    assert "Soutenir cette proposition" in client.get(url).content.decode()
    client.post(f"{url}soutien/")
    page = client.get(url).content.decode()
    assert "1 soutien" in page and "Retirer mon soutien" in page
    client.post(f"{url}soutien/", {"action": "withdraw"})
    assert not Support.objects.exists()


@pytest.mark.django_db
def test_supporting_outside_deliberation_is_refused_with_a_page(client):
    world = build_world(phase="voting")
    proposal = make_proposal(world)
    client.force_login(world.resident)
    response = client.post(f"/propositions/p/{proposal.pk}/soutien/")
    assert response.status_code == 409 and not Support.objects.exists()


@pytest.mark.django_db
def test_a_reviewer_rejects_with_a_reason_that_the_public_reads(client):
    world = build_world(phase="review")
    proposal = make_proposal(world, feasible=False)
    client.force_login(world.reviewer)
    client.post(f"/propositions/p/{proposal.pk}/prendre-en-charge/")
    assert Proposal.objects.get().status == ProposalStatus.IN_REVIEW
    client.post(f"/propositions/p/{proposal.pk}/analyser/",
                {"decision": "unfeasible", "public_reason": "Le terrain est privé."})
    client.logout()
    page = client.get(f"/propositions/p/{proposal.pk}/").content.decode()
    assert "Non recevable" in page and "Le terrain est privé." in page


@pytest.mark.django_db
def test_the_merge_page_merges_and_the_duplicate_shows_a_notice(client):
    world = build_world(phase="review")
    target = make_proposal(world, title="Jardin", feasible=False)
    duplicate = make_proposal(world, title="Potager", feasible=False,
                              author=world.second_resident)
    client.force_login(world.reviewer)
    page = client.get(f"/propositions/p/{duplicate.pk}/fusionner/").content.decode()
    assert f'<option value="{target.pk}">Jardin</option>' in page
    client.post(f"/propositions/p/{duplicate.pk}/fusionner/", {"target": target.pk})
    client.force_login(world.second_resident)
    page = client.get(f"/propositions/p/{duplicate.pk}/").content.decode()
    assert "Proposition fusionnée" in page and f'href="/propositions/p/{target.pk}/"' in page
    client.force_login(world.resident)
    assert client.get(f"/propositions/p/{duplicate.pk}/fusionner/").status_code == 403


@pytest.mark.django_db
def test_the_administrator_draws_up_the_ballot_from_its_page(client):
    world = build_world(phase="deliberation")
    world.cycle.supports_threshold = 1
    world.cycle.save()
    kept = make_proposal(world, title="Soutenue")
    make_proposal(world, title="Oubliée")
    Support.objects.create(proposal=kept, user=world.resident)
    client.force_login(world.admin)
    page = client.get("/propositions/bp-test/liste-soumise-au-vote/").content.decode()
    assert "Soutenue" in page and "Non retenue" in page
    client.post("/propositions/bp-test/liste-soumise-au-vote/")
    assert dict(Proposal.objects.values_list("title", "status")) == {
        "Soutenue": "on_ballot", "Oubliée": "not_retained"}
    client.force_login(world.reviewer)
    assert client.get("/propositions/bp-test/liste-soumise-au-vote/").status_code == 403
