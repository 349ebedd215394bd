"""In a real browser: the committee previews an unpublished result, the administrator
publishes it, then a resident reads the public results and downloads an open-data file
whose SHA-256 is the one the page shows."""

from __future__ import annotations

import hashlib

import pytest
from playwright.sync_api import Page, expect

from budgets.models import PhaseKind
from tests.builders import build_world, make_proposal, set_phase
from tests.e2e.helpers import SHOTS, check_axe, login_with_cookie, shot
from voting.services import cast_ballot
from voting.tally import certify_result, run_tally

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def tallied_world():
    """Cenon: benches and garden tie on two votes (the garden is cheaper and wins), the
    fresco has one; territory: a festival. Equal shares funds otherwise than greedy."""
    world = build_world(phase=PhaseKind.VOTING, quorum=1)
    benches = make_proposal(world, title="Des bancs au parc Palmer", cost_cents=60_000_00)
    garden = make_proposal(world, title="Un jardin partagé", cost_cents=50_000_00)
    fresco = make_proposal(world, title="Une fresque murale", cost_cents=30_000_00)
    festival = make_proposal(world, title="Festival des quartiers", envelope=world.territory_envelope,
                             cost_cents=80_000_00)
    cast_ballot(voter=world.resident, cycle=world.cycle, proposal_ids=[benches.pk, garden.pk, festival.pk])
    cast_ballot(voter=world.second_resident, cycle=world.cycle,
                proposal_ids=[benches.pk, garden.pk, fresco.pk])
    cast_ballot(voter=world.floirac_resident, cycle=world.cycle, proposal_ids=[festival.pk])
    set_phase(world.cycle, PhaseKind.RESULTS)
    run = run_tally(actor=world.admin, cycle=world.cycle)
    return world, run


def test_a_resident_reads_the_published_results_and_downloads_the_open_data(page: Page, live_server):
    world, run = tallied_world()
    base, slug = live_server.url, world.cycle.slug
    results = f"{base}/rapports/{slug}/resultats/"

    # Before the publication a visitor learns when the results come, and nothing else.
    page.goto(results)
    expect(page.locator("#awaiting-publication")).to_contain_text("Le dépouillement est fait")
    expect(page.get_by_text("Un jardin partagé")).to_have_count(0)
    check_axe(page)
    shot(page, "results-public-waiting")

    # The committee previews it, clearly marked as not published, with the comparison.
    login_with_cookie(page, base, world.committee_member)
    page.goto(results)
    expect(page.get_by_role("heading", level=1)).to_contain_text("non publié")
    expect(page.locator("#preview-banner")).to_contain_text("Aperçu : ces résultats ne sont pas publiés.")
    comparison = page.locator("#comparison")
    expect(comparison.get_by_role("heading", level=2)).to_have_text(
        "Comparaison avec d’autres règles (non officielle)")
    expect(comparison).to_contain_text("Ceci n’est pas le résultat.")
    check_axe(page)
    shot(page, "results-preview")
    comparison.screenshot(path=str(SHOTS / "results-comparison.png"))
    certify_result(member=world.committee_member, tally_run=run)
    page.context.clear_cookies()

    # The administrator publishes from the management page.
    login_with_cookie(page, base, world.admin)
    page.goto(f"{base}/vote/{slug}/gestion/")
    page.get_by_role("button", name="Publier les résultats").click()
    expect(page.get_by_role("status").filter(has_text="Les résultats sont publiés")).to_be_visible()
    check_axe(page)
    page.context.clear_cookies()

    # A resident reads the official results and follows the link to the open data.
    login_with_cookie(page, base, world.resident)
    page.goto(results)
    expect(page.locator("#publication-status")).to_contain_text("Résultats officiels, publiés le")
    expect(page.locator("#preview-banner")).to_have_count(0)
    garden_row = page.locator(f"#results-{world.cenon_envelope.pk} tr", has_text="Un jardin partagé")
    expect(garden_row).to_contain_text("Oui")
    expect(page.locator("#fingerprint")).to_have_text(run.fingerprint)
    check_axe(page)
    shot(page, "results-published")

    page.get_by_role("link", name="Télécharger les données ouvertes").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Données ouvertes")
    check_axe(page)
    shot(page, "opendata")
    name = f"{slug}-resultats.csv"
    row = page.locator(f'tr[data-file="{name}"]')
    shown = row.locator("code.hash").inner_text()
    with page.expect_download() as info:
        row.get_by_role("link", name=name).click()
    download = info.value
    assert download.suggested_filename == name
    content = open(download.path(), "rb").read()
    assert hashlib.sha256(content).hexdigest() == shown
    assert "Un jardin partagé" in content.decode("utf-8")
