"""A resident votes online in a real browser, changes the ballot, checks the public board;
an over-budget knapsack ballot is refused; the vote page works at phone width and in English.
"""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from budgets.models import BallotKind, PhaseKind
from tests.builders import build_world, make_proposal
from tests.e2e.helpers import check_axe, login_with_cookie, login_with_form, shot
from voting.models import Ballot, BallotLogEntry

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

RECEIPT = re.compile(r"^[A-Z0-9]{4}(-[A-Z0-9]{2,4})+$")


def receipt_code(page: Page) -> str:
    code = page.locator(".receipt-code strong").inner_text().strip()
    assert RECEIPT.match(code), f"unexpected receipt code {code!r}"
    return code


def test_a_resident_votes_from_the_proposals_list_then_replaces_the_ballot(page: Page, live_server):
    world = build_world(phase=PhaseKind.VOTING, max_choices=2)
    benches = make_proposal(world, title="Des bancs au parc Palmer", cost_cents=12_000_00)
    make_proposal(world, title="Un jardin partagé", cost_cents=30_000_00)
    make_proposal(world, title="Une piste cyclable", envelope=world.territory_envelope,
                  cost_cents=90_000_00)
    base = live_server.url

    login_with_form(page, base, world.resident.email, then=f"/propositions/{world.cycle.slug}/")
    expect(page.get_by_role("heading", level=1, name="Propositions")).to_be_visible()
    check_axe(page)
    page.get_by_role("link", name="Des bancs au parc Palmer").click()
    expect(page).to_have_url(re.compile(rf"/propositions/p/{benches.pk}/$"))
    expect(page.get_by_role("heading", level=1)).to_contain_text("Des bancs au parc Palmer")
    check_axe(page)

    page.get_by_role("navigation", name="Navigation principale").get_by_role(
        "link", name="Voter").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Voter")
    check_axe(page)
    page.get_by_label("Des bancs au parc Palmer").check()
    page.get_by_label("Une piste cyclable").check()
    shot(page, "vote-page")
    page.get_by_role("button", name="Valider mon vote").click()

    expect(page.get_by_role("heading", level=1, name="Votre reçu de vote")).to_be_visible()
    expect(page.get_by_role("status").filter(has_text="Votre vote est enregistré")).to_be_visible()
    first = receipt_code(page)
    expect(page.locator("main li").filter(has_text="Des bancs au parc Palmer")).to_be_visible()
    check_axe(page)
    shot(page, "receipt")

    page.get_by_role("link", name="Modifier mon bulletin").click()
    expect(page.get_by_label("Des bancs au parc Palmer")).to_be_checked()
    expect(page.get_by_role("status").filter(has_text=first)).to_be_visible()
    page.get_by_label("Des bancs au parc Palmer").uncheck()
    page.get_by_label("Un jardin partagé").check()
    page.get_by_role("button", name="Remplacer mon bulletin").click()

    expect(page.get_by_role("status").filter(has_text="Votre vote a été remplacé")).to_be_visible()
    second = receipt_code(page)
    assert second != first
    expect(page.locator("main li").filter(has_text="Un jardin partagé")).to_be_visible()
    expect(page.locator("main li").filter(has_text="Des bancs au parc Palmer")).to_have_count(0)
    check_axe(page)
    assert Ballot.objects.filter(cycle=world.cycle).count() == 1
    assert BallotLogEntry.objects.filter(cycle=world.cycle).count() == 2


def test_an_over_budget_knapsack_ballot_shows_the_french_error_summary_and_records_nothing(
        page: Page, live_server):
    world = build_world(phase=PhaseKind.VOTING, ballot_kind=BallotKind.KNAPSACK, max_choices=5)
    make_proposal(world, title="Une salle de sport", cost_cents=60_000_00)
    make_proposal(world, title="Un terrain de jeux", cost_cents=50_000_00)
    login_with_cookie(page, live_server.url, world.resident)

    page.goto(f"{live_server.url}/vote/{world.cycle.slug}/")
    page.get_by_label("Une salle de sport").check()
    page.get_by_label("Un terrain de jeux").check()
    # The optional script shows the running total (the server decides in any case).
    expect(page.locator(".basket-total").first).to_contain_text("dépasse l’enveloppe")
    page.get_by_role("button", name="Valider mon vote").click()

    summary = page.get_by_role("alert").filter(has_text="Votre bulletin n’a pas été enregistré")
    expect(summary).to_be_visible()
    expect(summary).to_contain_text(re.compile(r"Vos choix coûtent 110\s000\s€ ; "
                                               r"le maximum est 100\s000\s€"))
    # What the voter ticked is still ticked, to be corrected.
    expect(page.get_by_label("Une salle de sport")).to_be_checked()
    check_axe(page)
    shot(page, "vote-refused", widths=(390,))
    assert not Ballot.objects.filter(cycle=world.cycle).exists()
    assert not BallotLogEntry.objects.filter(cycle=world.cycle).exists()


def test_a_resident_finds_their_receipt_on_the_public_board(page: Page, live_server):
    world = build_world(phase=PhaseKind.VOTING)
    make_proposal(world, title="Des bancs au parc Palmer")
    login_with_cookie(page, live_server.url, world.resident)

    page.goto(f"{live_server.url}/vote/{world.cycle.slug}/")
    page.get_by_label("Des bancs au parc Palmer").check()
    page.get_by_role("button", name="Valider mon vote").click()
    code = receipt_code(page)  # copied from the receipt page, as the voter would

    page.goto(f"{live_server.url}/vote/{world.cycle.slug}/registre/")
    expect(page.get_by_role("heading", level=1, name="Registre public des bulletins")).to_be_visible()
    counts = page.locator("dl.card")
    expect(counts.locator("dt:has-text('Bulletins comptés') + dd")).to_have_text("1")
    check_axe(page)
    page.get_by_label("Code de reçu").fill(code.lower().replace("-", " "))  # forgiving input
    page.get_by_role("button", name="Vérifier").click()

    found = page.get_by_role("status").filter(has_text="c’est lui qui compte")
    expect(found).to_be_visible()
    expect(found).to_contain_text("entrée n° 1 du registre")
    check_axe(page)
    shot(page, "board")

    page.get_by_label("Code de reçu").fill("ZZZZ-ZZZZ-ZZ")
    page.get_by_role("button", name="Vérifier").click()
    expect(page.get_by_role("alert")).to_contain_text("Ce code ne figure pas au registre")


def test_the_vote_page_at_phone_width_is_accessible_and_switches_to_english(
        page: Page, live_server):
    world = build_world(phase=PhaseKind.VOTING, ballot_kind=BallotKind.KNAPSACK, max_choices=5)
    make_proposal(world, title="Des bancs au parc Palmer", cost_cents=12_000_00)
    make_proposal(world, title="Une piste cyclable", envelope=world.territory_envelope,
                  cost_cents=90_000_00)
    login_with_cookie(page, live_server.url, world.resident)
    page.set_viewport_size({"width": 390, "height": 844})

    page.goto(f"{live_server.url}/vote/{world.cycle.slug}/")
    page.get_by_label("Des bancs au parc Palmer").check()
    expect(page.locator(".basket-total").first).to_contain_text("Votre panier")
    check_axe(page)
    overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
    assert overflow <= 0, f"the vote page scrolls sideways by {overflow}px at 390px"
    expect(page.locator("html")).to_have_attribute("lang", "fr")

    page.get_by_label("Langue").select_option("en")
    page.get_by_role("button", name="Changer").click()

    expect(page).to_have_url(re.compile(rf"/vote/{world.cycle.slug}/$"))
    expect(page.locator("html")).to_have_attribute("lang", "en")
    nav = page.get_by_role("navigation", name="Main navigation")
    expect(nav.get_by_role("link", name="Vote", exact=True)).to_be_visible()
    expect(page.get_by_role("button", name="Change")).to_be_visible()
    check_axe(page)
    shot(page, "vote-page-en", widths=(390,))
