"""Commune report and tracking pages over HTTP: who sees what, publishing, milestones."""

from datetime import date

import pytest
from django.test import Client
from django.utils import timezone

from audit.models import AuditEvent
from budgets.models import PhaseKind
from implementation.models import CommuneReport, Milestone
from implementation.services import publish_commune_report, record_milestone
from proposals.models import ProposalStatus
from tests.implementation.builders import build_tallied_world

pytestmark = pytest.mark.django_db

REPORT = "/rapports/bp-test/communes/cenon/"
TRACKING = "/realisation/bp-test/"


def client_for(user=None):
    client = Client()
    if user is not None:
        client.force_login(user)
    return client


def test_before_publication_the_public_sees_no_figures_and_no_draft():
    build_tallied_world()

    response = client_for().get(REPORT)

    body = response.content.decode()
    assert response.status_code == 200
    assert "n’est pas encore publié" in body
    assert "Brouillon" not in body and "Bancs au parc Palmer" not in body


def test_the_publisher_sees_the_draft_marked_as_such_with_the_publish_button():
    w = build_tallied_world().world

    body = client_for(w.publisher).get(REPORT).content.decode().replace("\u202f", " ")

    assert "Brouillon" in body and "non publiée" in body
    assert 'id="publish-report"' in body
    assert "Bancs au parc Palmer" in body and "70,59" in body


def test_a_resident_never_sees_the_draft():
    w = build_tallied_world().world

    body = client_for(w.resident).get(REPORT).content.decode()

    assert "Brouillon" not in body and 'id="publish-report"' not in body


def test_before_certification_the_publisher_is_told_why_nothing_can_be_published():
    w = build_tallied_world(certified=False).world

    body = client_for(w.publisher).get(REPORT).content.decode()

    assert "pas encore certifiés et publiés" in body and 'id="publish-report"' not in body


def test_publishing_from_the_page_shows_the_dated_version_to_everyone():
    w = build_tallied_world().world

    response = client_for(w.publisher).post(REPORT + "publier/")

    assert response.status_code == 302 and response["Location"] == REPORT
    report = CommuneReport.objects.get()
    body = client_for().get(REPORT).content.decode().replace("\u202f", " ")
    assert "Version 1, publiée le" in body and report.pdf_fr_sha256 in body
    assert "Festival des quartiers" in body and "152 500,50" in body
    assert "/rapports/bp-test/communes/cenon/v1-fr.pdf" in body
    assert AuditEvent.objects.filter(action="commune_report.published").count() == 1


def test_a_resident_cannot_publish_through_the_page():
    w = build_tallied_world().world

    response = client_for(w.resident).post(REPORT + "publier/")

    assert response.status_code == 403
    assert not CommuneReport.objects.exists()


def test_publishing_anonymously_redirects_to_the_login_page():
    build_tallied_world()

    response = client_for().post(REPORT + "publier/")

    assert response.status_code == 302 and "/comptes/connexion/" in response["Location"]


def test_publishing_in_the_voting_phase_is_refused_with_a_page():
    from tests.builders import set_phase

    w = build_tallied_world().world
    set_phase(w.cycle, PhaseKind.VOTING)

    response = client_for(w.publisher).post(REPORT + "publier/")

    assert response.status_code == 409
    assert not CommuneReport.objects.exists()


def test_a_published_pdf_is_served_byte_for_byte():
    w = build_tallied_world().world
    report = publish_commune_report(actor=w.publisher, cycle=w.cycle, commune=w.cenon)

    fr = client_for().get(REPORT + "v1-fr.pdf")
    en = client_for().get(REPORT + "v1-en.pdf")

    assert fr.status_code == 200 and fr["Content-Type"] == "application/pdf"
    assert fr.content == report.pdf("fr") and en.content == report.pdf("en")
    assert client_for().get(REPORT + "v1-de.pdf").status_code == 404
    assert client_for().get(REPORT + "v2-fr.pdf").status_code == 404


def test_the_draft_pdf_is_for_the_publisher_only():
    w = build_tallied_world().world

    assert client_for(w.publisher).get(REPORT + "brouillon.pdf").content.startswith(b"%PDF")
    assert client_for(w.resident).get(REPORT + "brouillon.pdf").status_code == 403


def test_unknown_cycle_or_commune_without_envelope_is_404():
    from territory.models import Commune

    build_tallied_world()
    Commune.objects.create(name="Lormont", slug="lormont")

    assert client_for().get("/rapports/bp-test/communes/lormont/").status_code == 404
    assert client_for().get("/rapports/inconnu/communes/cenon/").status_code == 404


def test_reports_index_lists_communes_and_their_latest_version():
    w = build_tallied_world().world
    publish_commune_report(actor=w.publisher, cycle=w.cycle, commune=w.cenon)

    body = client_for().get("/rapports/bp-test/communes/").content.decode()

    assert "Cenon" in body and "Version 1 publiée" in body
    assert "Floirac" in body and "pas encore publié" in body


def test_tracking_page_lists_funded_projects_with_status_in_words_and_progress_value():
    built = build_tallied_world(phase=PhaseKind.IMPLEMENTATION)
    w = built.world
    record_milestone(actor=w.publisher, proposal=built.proposals["Bancs au parc Palmer"],
                     happened_on=timezone.localdate(), title="Pose des bancs", progress=45,
                     note="Trois bancs sur sept.")

    body = client_for().get(TRACKING).content.decode()

    for title in ["Bancs au parc Palmer", "Fresque murale", "Boîte à livres", "Aire de jeux",
                  "Festival des quartiers", "Jardin de Floirac"]:
        assert title in body
    assert "Jardin partagé" not in body and "Piste cyclable" not in body
    bancs_pk = built.proposals["Bancs au parc Palmer"].pk
    assert f'<progress id="progress-{bancs_pk}" max="100" value="45">' in body
    assert "45 % réalisé" in body and "En cours de réalisation" in body
    assert "Pose des bancs" in body and "Trois bancs sur sept." in body
    assert "Ajouter un jalon" not in body  # anonymous visitor


def test_tracking_per_commune_shows_only_its_projects():
    build_tallied_world(phase=PhaseKind.IMPLEMENTATION)

    body = client_for().get(TRACKING + "communes/floirac/").content.decode()

    assert "Aire de jeux" in body and "Jardin de Floirac" in body
    assert "Bancs au parc Palmer" not in body and "Festival des quartiers" not in body


def test_tracking_before_publication_says_so():
    build_tallied_world(published=False, phase=PhaseKind.IMPLEMENTATION)

    body = client_for().get(TRACKING).content.decode()

    assert "ne sont pas encore publiés" in body and "Bancs au parc Palmer" not in body


def test_the_publisher_gets_milestone_links_for_the_commune_projects_only():
    built = build_tallied_world(phase=PhaseKind.IMPLEMENTATION)
    w = built.world

    body = client_for(w.publisher).get(TRACKING).content.decode()

    assert f'/realisation/projets/{built.proposals["Bancs au parc Palmer"].pk}/jalons/nouveau/' in body
    assert f'/realisation/projets/{built.proposals["Aire de jeux"].pk}/jalons/nouveau/' not in body


def test_milestone_form_records_and_redirects_to_the_commune_tracking():
    built = build_tallied_world(phase=PhaseKind.IMPLEMENTATION)
    w = built.world
    bancs = built.proposals["Bancs au parc Palmer"]
    url = f"/realisation/projets/{bancs.pk}/jalons/nouveau/"

    assert client_for(w.publisher).get(url).status_code == 200
    response = client_for(w.publisher).post(url, {
        "happened_on": timezone.localdate().isoformat(), "title": "Commande passée",
        "progress": "10", "note": "Fournisseur choisi."})

    assert response.status_code == 302
    assert response["Location"] == "/realisation/bp-test/communes/cenon/"
    bancs.refresh_from_db()
    assert bancs.status == ProposalStatus.IN_PROGRESS and Milestone.objects.count() == 1


def test_milestone_form_shows_french_errors_in_a_summary_and_keeps_nothing():
    built = build_tallied_world(phase=PhaseKind.IMPLEMENTATION)
    w = built.world
    url = f"/realisation/projets/{built.proposals['Bancs au parc Palmer'].pk}/jalons/nouveau/"

    response = client_for(w.publisher).post(url, {
        "happened_on": date(2999, 1, 1).isoformat(), "title": "", "progress": "150"})

    body = response.content.decode()
    assert response.status_code == 200 and 'class="error-summary"' in body
    assert "Donnez un titre au jalon." in body
    assert "de 0 à 100" in body
    assert "ne peut pas être dans le futur" in body  # reported with the others, not after
    assert not Milestone.objects.exists()


def test_milestone_service_errors_come_back_on_the_form():
    built = build_tallied_world(phase=PhaseKind.IMPLEMENTATION)
    w = built.world
    url = f"/realisation/projets/{built.proposals['Bancs au parc Palmer'].pk}/jalons/nouveau/"

    response = client_for(w.publisher).post(url, {
        "happened_on": "2999-01-01", "title": "Futur", "progress": "10"})

    assert "ne peut pas être dans le futur" in response.content.decode()


def test_milestone_form_is_refused_to_residents_and_outside_the_phase():
    built = build_tallied_world(phase=PhaseKind.RESULTS)
    w = built.world
    url = f"/realisation/projets/{built.proposals['Bancs au parc Palmer'].pk}/jalons/nouveau/"

    assert client_for(w.resident).get(url).status_code == 403
    assert client_for(w.publisher).get(url).status_code == 409


def test_tracking_page_queries_do_not_grow_with_projects_and_milestones(django_assert_max_num_queries):
    built = build_tallied_world(phase=PhaseKind.IMPLEMENTATION)
    w = built.world
    for title in ["Bancs au parc Palmer", "Fresque murale", "Aire de jeux"]:
        for progress in (10, 20, 30):
            record_milestone(actor=w.admin, proposal=built.proposals[title],
                             happened_on=timezone.localdate(), title=f"Étape {progress}",
                             progress=progress)
    client = client_for()

    with django_assert_max_num_queries(8):
        assert client.get(TRACKING).status_code == 200


def test_admin_shows_reports_and_milestones_read_only():
    from tests.builders import make_user

    w = build_tallied_world().world
    report = publish_commune_report(actor=w.publisher, cycle=w.cycle, commune=w.cenon)
    root = client_for(make_user("root@example.org", is_staff=True, is_superuser=True))

    assert root.get("/admin/implementation/communereport/").status_code == 200
    assert root.get(f"/admin/implementation/communereport/{report.pk}/change/").status_code == 200
    assert root.get("/admin/implementation/milestone/").status_code == 200
    assert root.get("/admin/implementation/milestone/add/").status_code == 403
    assert root.post(f"/admin/implementation/communereport/{report.pk}/delete/",
                     {"post": "yes"}).status_code == 403
    assert CommuneReport.objects.count() == 1


def test_the_cycle_page_links_to_the_commune_reports_and_the_tracking_after_the_vote():
    build_tallied_world(phase=PhaseKind.IMPLEMENTATION)

    body = client_for().get("/budgets/bp-test/").content.decode()

    assert 'href="/rapports/bp-test/communes/"' in body
    assert 'href="/realisation/bp-test/"' in body


def test_republishing_unchanged_figures_from_the_page_says_why_on_the_report_page():
    w = build_tallied_world().world
    publish_commune_report(actor=w.publisher, cycle=w.cycle, commune=w.cenon)
    client = client_for(w.publisher)

    response = client.post(REPORT + "publier/", follow=True)

    assert response.redirect_chain == [(REPORT, 302)]
    assert "Rien n’a changé depuis la version 1" in response.content.decode()
    assert CommuneReport.objects.count() == 1
