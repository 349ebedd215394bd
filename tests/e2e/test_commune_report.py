"""A commune's publisher publishes its decision report in a real browser; the public then
reads it and the implementation tracking pages (axe-checked, 390 and 1280 px)."""

from __future__ import annotations

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from budgets.models import PhaseKind
from implementation.models import CommuneReport
from implementation.services import record_milestone
from tests.e2e.helpers import check_axe, login_with_form, logout, shot
from tests.implementation.builders import build_tallied_world

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_a_commune_publishes_its_report_and_the_public_reads_it(page: Page, live_server):
    built = build_tallied_world(phase=PhaseKind.IMPLEMENTATION)
    world = built.world
    record_milestone(actor=world.publisher, proposal=built.proposals["Bancs au parc Palmer"],
                     happened_on=timezone.localdate(), title="Pose des premiers bancs",
                     progress=45, note="Trois bancs posés sur sept.")
    base = live_server.url
    report_url = "/rapports/bp-test/communes/cenon/"

    # The public: nothing published yet, no draft.
    page.goto(base + report_url)
    expect(page.locator("#not-published")).to_contain_text("pas encore publié")
    expect(page.get_by_text("Brouillon")).to_have_count(0)

    # The publisher sees the draft, marked, and publishes it.
    login_with_form(page, base, world.publisher.email, then=report_url)
    draft = page.get_by_role("region", name="Brouillon Prochaine version, non publiée")
    expect(draft).to_contain_text("Bancs au parc Palmer")
    expect(draft).to_contain_text("70,59")
    check_axe(page)
    shot(page, "tracking-commune-report-draft")
    page.get_by_role("button", name="Publier le rapport").click()
    expect(page.get_by_role("status").or_(page.locator(".notice-success")).first).to_be_visible()
    expect(page.locator("#report-version")).to_contain_text("Version 1, publiée le")
    assert CommuneReport.objects.filter(commune=world.cenon, version=1).exists()
    check_axe(page)  # the published version and the next draft on one page
    logout(page)

    # The public reads the published version and its PDF link.
    page.goto(base + report_url)
    published = page.locator("#published-report")
    expect(published).to_contain_text("Festival des quartiers")
    expect(published.get_by_role("link", name="PDF en français")).to_be_visible()
    expect(page.get_by_text("Brouillon")).to_have_count(0)
    check_axe(page)
    shot(page, "tracking-commune-report")
    pdf = page.request.get(base + report_url + "v1-fr.pdf")
    assert pdf.ok and pdf.body().startswith(b"%PDF")
    page.goto(base + "/rapports/bp-test/communes/")
    expect(page.locator("#commune-reports")).to_contain_text("Version 1 publiée le")
    check_axe(page)
    shot(page, "tracking-reports-index")

    # The tracking pages: status in words and progress value next to the bar.
    page.goto(base + "/realisation/bp-test/")
    bancs = page.locator("li.tracking-item", has_text="Bancs au parc Palmer")
    expect(bancs).to_contain_text("En cours de réalisation")
    expect(bancs).to_contain_text("45 % réalisé")
    expect(bancs.get_by_role("progressbar")).to_have_attribute("value", "45")
    check_axe(page)
    shot(page, "tracking-cycle")
    page.goto(base + "/realisation/bp-test/communes/floirac/")
    expect(page.locator("#tracked-projects")).to_contain_text("Jardin de Floirac")
    check_axe(page)
    shot(page, "tracking-floirac")


def test_a_publisher_records_a_milestone_after_fixing_the_form(page: Page, live_server):
    built = build_tallied_world(phase=PhaseKind.IMPLEMENTATION)
    world = built.world
    fresque = built.proposals["Fresque murale"]
    base = live_server.url

    login_with_form(page, base, world.publisher.email, then="/realisation/bp-test/communes/cenon/")
    item = page.locator("li.tracking-item", has_text="Fresque murale")
    item.get_by_role("link", name="Ajouter un jalon").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Nouveau jalon : Fresque murale")
    check_axe(page)

    page.get_by_label("Date du jalon").fill(timezone.localdate().isoformat())
    page.get_by_label("Avancement après ce jalon (en %)").fill("80")
    page.get_by_label("Le projet est réalisé (avancement 100 %)").check()
    page.get_by_role("button", name="Enregistrer le jalon").click()

    summary = page.get_by_role("alert")
    expect(summary).to_contain_text("Donnez un titre au jalon.")
    expect(summary).to_contain_text("Un projet réalisé est avancé à 100 %.")
    check_axe(page)
    shot(page, "tracking-milestone-errors")
    page.get_by_label("Titre du jalon").fill("Fresque terminée")
    page.get_by_label("Avancement après ce jalon (en %)").fill("100")
    page.get_by_label("Note publique (facultative)").fill("Inaugurée avec l’école du quartier.")
    page.get_by_role("button", name="Enregistrer le jalon").click()

    expect(page.get_by_text("Le jalon est enregistré et publié.")).to_be_visible()
    item = page.locator("li.tracking-item", has_text="Fresque murale")
    expect(item).to_contain_text("Réalisée")
    expect(item).to_contain_text("100 % réalisé")
    expect(item.get_by_role("link", name="Ajouter un jalon")).to_have_count(0)
    fresque.refresh_from_db()
    assert fresque.status == "delivered"
