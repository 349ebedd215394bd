"""Facilitators key a paper ballot twice in a real browser; the committee certifies a tally
and the public results page shows it."""

from __future__ import annotations

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from budgets.models import PhaseKind
from budgets.roles import Role, grant_role
from budgets.services import close_voting
from tests.builders import build_world, make_proposal, make_user
from tests.e2e.helpers import check_axe, login_with_cookie, login_with_form, logout, shot
from voting.models import Ballot, BallotChoice, Certification, Channel, PaperSheet, SheetStatus
from voting.services import cast_ballot
from voting.tally import run_tally

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def board_count(page: Page, base: str, slug: str) -> str:
    page.goto(f"{base}/vote/{slug}/registre/")
    return page.locator("dl.card dt:has-text('Bulletins comptés') + dd").inner_text().strip()


def key_sheet(page: Page, number: int, titles: list[str]) -> None:
    keying = page.get_by_role("region", name="Saisir un bulletin papier")
    keying.get_by_label("Numéro du bulletin").fill(str(number))
    for title in titles:
        keying.get_by_label(title).check()
    keying.get_by_role("button", name="Enregistrer ma saisie").click()


def test_two_facilitators_key_the_same_paper_sheet_and_it_enters_the_board(
        page: Page, live_server):
    world = build_world(phase=PhaseKind.VOTING)
    make_proposal(world, title="Des bancs au parc Palmer")
    make_proposal(world, title="Un jardin partagé", cost_cents=30_000_00)
    make_proposal(world, title="Une piste cyclable", envelope=world.territory_envelope,
                  cost_cents=90_000_00)
    second = make_user("facilitator2@example.org", display_name="Chloé")
    grant_role(second, Role.FACILITATOR, world.cenon)
    base, slug = live_server.url, world.cycle.slug
    assert board_count(page, base, slug) == "0"

    # Facilitator 1: creates the event, registers a voter, keys sheet 1.
    login_with_form(page, base, world.facilitator.email, then=f"/vote/{slug}/rencontres/")
    expect(page.get_by_role("heading", level=1)).to_contain_text("Rencontres de vote")
    check_axe(page)
    new_event = page.get_by_role("region", name="Nouvelle rencontre")
    new_event.get_by_label("Commune").select_option(label="Cenon")
    new_event.get_by_label("Lieu").fill("Salle des fêtes")
    new_event.get_by_label("Date").fill(timezone.localdate().isoformat())
    new_event.get_by_role("button", name="Enregistrer la rencontre").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Rencontre de vote : Salle des fêtes")
    event_url = page.url
    check_axe(page)

    with_account = page.locator("form").filter(has_text="La personne a un compte")
    with_account.get_by_label("Adresse e-mail du compte").fill(world.second_resident.email)
    with_account.get_by_role("button", name="Vérifier et inscrire").click()
    expect(page.get_by_role("status").filter(has_text="Votant inscrit au registre")).to_be_visible()
    expect(page.locator("dt:has-text('Votants inscrits au registre') + dd")).to_have_text("1")

    key_sheet(page, 1, ["Des bancs au parc Palmer", "Une piste cyclable"])
    expect(page.get_by_role("status").filter(has_text="Bulletin n° 1 saisi")).to_be_visible()
    saisis = page.get_by_role("region", name="Bulletins saisis")
    expect(saisis.locator("tbody tr").first).to_contain_text("En attente de seconde saisie")
    assert board_count(page, base, slug) == "0"  # one keying enters nothing
    page.goto(event_url)
    logout(page)

    # Facilitator 2: keys the same sheet identically; it reconciles.
    login_with_form(page, base, second.email, then=event_url.removeprefix(base))
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Rencontre de vote : Salle des fêtes")
    key_sheet(page, 1, ["Une piste cyclable", "Des bancs au parc Palmer"])
    expect(page.get_by_role("status").filter(has_text="les deux saisies concordent")).to_be_visible()
    saisis = page.get_by_role("region", name="Bulletins saisis")
    row = saisis.get_by_role("row").filter(has=page.get_by_role("cell", name="1", exact=True))
    expect(row).to_contain_text("Concordant, enregistré")
    expect(row).to_contain_text(world.facilitator.email)
    expect(row).to_contain_text(second.email)
    expect(page.locator("dt:has-text('Bulletins concordants enregistrés') + dd")).to_have_text("1")
    expect(page.get_by_role("region", name="Bulletins à réconcilier")).to_contain_text(
        "Aucun bulletin à réconcilier")
    check_axe(page)
    shot(page, "paper-event")

    assert board_count(page, base, slug) == "1"
    sheet = PaperSheet.objects.get(event__cycle=world.cycle, number=1)
    assert sheet.status == SheetStatus.RECONCILED
    assert sheet.ballot.channel == Channel.PAPER


def test_the_committee_sees_the_verified_count_certifies_and_the_results_show_it(
        page: Page, live_server):
    world = build_world(phase=PhaseKind.VOTING, quorum=1)
    benches = make_proposal(world, title="Des bancs au parc Palmer")
    garden = make_proposal(world, title="Un jardin partagé", cost_cents=30_000_00)
    cast_ballot(voter=world.resident, cycle=world.cycle, points={benches.pk: 1, garden.pk: 1})
    cast_ballot(voter=world.second_resident, cycle=world.cycle, points={benches.pk: 1})
    base, slug = live_server.url, world.cycle.slug

    # The administrator closes the vote and runs the tally from the management page.
    login_with_cookie(page, base, world.admin)
    page.goto(f"{base}/vote/{slug}/gestion/")
    check_axe(page)
    page.get_by_role("button", name="Clore le vote maintenant").click()
    expect(page.get_by_role("status").filter(has_text="Le vote est clos")).to_be_visible()
    page.get_by_role("button", name="Lancer le dépouillement").click()
    expect(page.get_by_role("status").filter(has_text="Dépouillement effectué")).to_be_visible()
    expect(page.get_by_text("Effectué le")).to_contain_text("sur 2 bulletins")
    check_axe(page)
    page.context.clear_cookies()

    # A committee member sees the count and the fingerprint, then certifies.
    login_with_cookie(page, base, world.committee_member)
    page.goto(f"{base}/vote/{slug}/certifier/")
    expect(page.get_by_role("heading", level=1, name="Certifier le résultat")).to_be_visible()
    run = world.cycle.tally_runs.get(is_current=True)
    expect(page.get_by_text("Dépouillement du")).to_contain_text("sur 2 bulletins")
    expect(page.locator("code.hash").first).to_have_text(run.fingerprint)
    checks = page.get_by_role("region", name="Vérifications")
    expect(checks).to_contain_text("2 bulletins comptés.")
    expect(checks.locator("li")).to_have_count(3)
    expect(checks.locator("li").filter(has_text="Vérifié")).to_have_count(3)
    expect(checks).not_to_contain_text("Échec")
    expect(checks).to_contain_text(f"Empreinte {run.fingerprint[:16]} retrouvée")
    check_axe(page)
    shot(page, "certify")

    page.get_by_role("button", name="Certifier").click()  # without ticking: refused
    expect(page.locator("#confirm-error")).to_contain_text("Cochez la case")
    expect(page.get_by_label("J’ai examiné le résultat")).to_have_attribute("aria-invalid", "true")
    page.get_by_label("Observations (facultatif)").fill("Recompté à partir du fichier pabulib.")
    page.get_by_label("J’ai examiné le résultat").check()
    page.get_by_role("button", name="Certifier").click()
    expect(page.get_by_role("status").filter(has_text="Vous avez certifié ce résultat")).to_be_visible()
    expect(page.get_by_text("1 signature(s) sur 1 requise(s)")).to_be_visible()
    check_axe(page)

    page.goto(f"{base}/rapports/{slug}/resultats/")
    expect(page.locator("#certification-status")).to_contain_text(
        "Résultat certifié par le comité de suivi (1 signature")
    expect(page.locator("#ballot-count")).to_have_text("2")
    expect(page.locator("#certifiers")).to_be_visible()
    check_axe(page)
    shot(page, "results")
    assert Ballot.objects.filter(cycle=world.cycle).count() == 2


def test_the_committee_cannot_certify_when_a_ballot_row_was_altered(page: Page, live_server):
    world = build_world(phase=PhaseKind.VOTING, quorum=1)
    benches = make_proposal(world, title="Des bancs au parc Palmer")
    garden = make_proposal(world, title="Un jardin partagé", cost_cents=30_000_00)
    cast_ballot(voter=world.resident, cycle=world.cycle, points={benches.pk: 1})
    close_voting(actor=world.admin, cycle=world.cycle)
    run_tally(actor=world.admin, cycle=world.cycle)
    # Someone with database access moves a vote after the tally.
    BallotChoice.objects.filter(ballot__cycle=world.cycle).update(proposal=garden)

    login_with_cookie(page, live_server.url, world.committee_member)
    page.goto(f"{live_server.url}/vote/{world.cycle.slug}/certifier/")
    checks = page.get_by_role("region", name="Vérifications")
    expect(checks.locator("li").filter(has_text="Échec")).not_to_have_count(0)
    expect(checks).to_contain_text("entrée n° 1")
    expect(page.get_by_role("alert")).to_contain_text("Une vérification a échoué")
    expect(page.get_by_role("button", name="Certifier")).to_have_count(0)
    check_axe(page)
    assert not Certification.objects.exists()
