"""API of the commune reports and the implementation tracking (same services as the pages)."""

import pytest
from django.core.cache import cache
from django.utils import timezone

from budgets.models import PhaseKind
from implementation.models import CommuneReport, Milestone
from implementation.services import publish_commune_report
from proposals.models import ProposalStatus
from tests.api.support import assert_api_error, client_for
from tests.implementation.builders import build_tallied_world

pytestmark = pytest.mark.django_db

REPORTS = "/api/v1/cycles/bp-test/commune-reports/"


@pytest.fixture(autouse=True)
def fresh_throttle():
    cache.clear()
    yield
    cache.clear()


def test_report_list_names_each_commune_and_its_latest_version():
    w = build_tallied_world().world
    publish_commune_report(actor=w.publisher, cycle=w.cycle, commune=w.cenon)

    body = client_for().get(REPORTS).json()

    assert [(r["commune"], r["latest_version"]) for r in body] == [("cenon", 1), ("floirac", None)]


def test_report_detail_gives_the_published_figures_and_the_pdf_digests():
    w = build_tallied_world().world
    report = publish_commune_report(actor=w.publisher, cycle=w.cycle, commune=w.cenon)

    body = client_for().get(REPORTS + "cenon/").json()

    assert body["versions"][0]["pdf_fr_sha256"] == report.pdf_fr_sha256
    assert body["versions"][0]["pdf_en_url"] == "/rapports/bp-test/communes/cenon/v1-en.pdf"
    latest = body["latest"]
    assert latest["total_cents"] == 152_500_50
    assert latest["territory_envelope"]["share_basis_points"] == 7059
    assert [p["cost_cents"] for p in latest["projects"]] == [40_000_00, 30_000_00, 2_500_50, 80_000_00]


def test_an_unpublished_report_has_no_figures_in_the_api():
    build_tallied_world()

    body = client_for().get(REPORTS + "floirac/").json()

    assert body == {"commune": "floirac", "commune_name": "Floirac", "versions": [], "latest": None}


def test_unknown_commune_or_cycle_is_a_not_found_error():
    build_tallied_world()

    assert_api_error(client_for().get(REPORTS + "lormont/"), 404, "not_found")
    assert_api_error(client_for().get("/api/v1/cycles/inconnu/commune-reports/"), 404, "not_found")


def test_publisher_publishes_through_the_api():
    w = build_tallied_world().world

    response = client_for(w.publisher).post(REPORTS + "cenon/publish/", format="json")

    assert response.status_code == 201
    assert response.json()["version"] == 1 and CommuneReport.objects.count() == 1
    assert_api_error(client_for(w.publisher).post(REPORTS + "cenon/publish/", format="json"),
                     409, "conflict")


def test_publish_refusals_in_the_api_error_shape():
    w = build_tallied_world(certified=False).world

    assert_api_error(client_for().post(REPORTS + "cenon/publish/", format="json"), 401,
                     "not_authenticated")
    assert_api_error(client_for(w.resident).post(REPORTS + "cenon/publish/", format="json"), 403,
                     "not_allowed")
    error = assert_api_error(client_for(w.publisher).post(REPORTS + "cenon/publish/", format="json"),
                             409, "conflict")
    assert "certifiés" in error["message"]


def test_tracking_lists_funded_projects_with_progress_and_filters_by_commune():
    built = build_tallied_world(phase=PhaseKind.IMPLEMENTATION)
    w = built.world
    bancs = built.proposals["Bancs au parc Palmer"]
    client_for(w.publisher).post(f"/api/v1/proposals/{bancs.pk}/milestones/", {
        "happened_on": timezone.localdate().isoformat(), "title": "Commande", "progress": 30},
        format="json")

    everything = client_for().get("/api/v1/cycles/bp-test/implementation/").json()
    floirac = client_for().get("/api/v1/cycles/bp-test/implementation/?commune=floirac").json()

    assert len(everything) == 6
    bancs_row = next(p for p in everything if p["id"] == bancs.pk)
    assert (bancs_row["status"], bancs_row["progress"]) == (ProposalStatus.IN_PROGRESS, 30)
    assert bancs_row["milestones"][0]["title"] == "Commande"
    assert {p["title"] for p in floirac} == {"Aire de jeux", "Jardin de Floirac"}
    assert {p["scope"] for p in floirac} == {"commune", "territory"}


def test_milestone_post_validates_in_french_and_refuses_other_roles():
    built = build_tallied_world(phase=PhaseKind.IMPLEMENTATION)
    w = built.world
    url = f"/api/v1/proposals/{built.proposals['Bancs au parc Palmer'].pk}/milestones/"
    good = {"happened_on": timezone.localdate().isoformat(), "title": "Commande", "progress": 30}

    assert_api_error(client_for().post(url, good, format="json"), 401, "not_authenticated")
    assert_api_error(client_for(w.resident).post(url, good, format="json"), 403, "not_allowed")
    error = assert_api_error(client_for(w.publisher).post(
        url, {**good, "progress": 80, "delivered": True}, format="json"), 400, "invalid")
    assert error["fields"] == {"progress": ["Un projet réalisé est avancé à 100 %."]}
    assert_api_error(client_for(w.publisher).post(url, {**good, "progress": 101}, format="json"),
                     400, "invalid")
    assert not Milestone.objects.exists()
    created = client_for(w.publisher).post(url, good, format="json")
    assert created.status_code == 201 and created.json()["progress"] == 30
    assert [m["title"] for m in client_for().get(url).json()] == ["Commande"]


def test_milestone_post_outside_the_implementation_phase_is_a_phase_closed_error():
    built = build_tallied_world(phase=PhaseKind.RESULTS)
    w = built.world
    url = f"/api/v1/proposals/{built.proposals['Bancs au parc Palmer'].pk}/milestones/"

    assert_api_error(client_for(w.publisher).post(url, {
        "happened_on": timezone.localdate().isoformat(), "title": "Commande", "progress": 30},
        format="json"), 409, "phase_closed")
