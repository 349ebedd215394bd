"""Supports, merge and ballot draw-up in a real browser, each page checked with axe:
a resident supports a feasible proposal, a reviewer merges a duplicate, the administrator
draws up the ballot and the proposal shows "Soumise au vote"."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from budgets.models import PhaseKind
from proposals.models import Proposal, ProposalStatus
from tests.builders import build_world, make_proposal, set_phase
from tests.e2e.helpers import check_axe, login_with_cookie, shot

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_merge_then_supports_then_draw_up(page: Page, live_server):
    world = build_world(phase=PhaseKind.REVIEW)
    world.cycle.supports_threshold = 1
    world.cycle.save()
    garden = make_proposal(world, title="Jardin partagé au parc Palmer")
    duplicate = make_proposal(world, title="Potager à Palmer", feasible=False,
                              author=world.second_resident)
    make_proposal(world, title="Fontaine place du marché")
    base = live_server.url

    login_with_cookie(page, base, world.reviewer)
    page.goto(f"{base}/propositions/p/{duplicate.pk}/")
    page.get_by_role("link", name="Fusionner avec une autre proposition").click()
    check_axe(page)
    shot(page, "proposal-merge")
    page.get_by_label("Proposition qui reste").select_option(value=str(garden.pk))
    page.get_by_role("button", name="Fusionner").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Jardin partagé au parc Palmer")
    page.goto(f"{base}/propositions/p/{duplicate.pk}/")
    expect(page.get_by_role("heading", name="Proposition fusionnée")).to_be_visible()
    check_axe(page)

    set_phase(world.cycle, PhaseKind.DELIBERATION)
    page.context.clear_cookies()
    login_with_cookie(page, base, world.resident)
    page.goto(f"{base}/propositions/p/{garden.pk}/")
    page.get_by_role("button", name="Soutenir cette proposition").click()
    expect(page.get_by_role("status").filter(has_text="votre soutien est enregistré")) \
        .to_be_visible()
    expect(page.get_by_role("button", name="Retirer mon soutien")).to_be_visible()
    check_axe(page)
    shot(page, "proposal-detail-supported")

    page.context.clear_cookies()
    login_with_cookie(page, base, world.admin)
    page.goto(f"{base}/propositions/bp-test/")
    page.get_by_role("link", name="Établir la liste soumise au vote").click()
    check_axe(page)
    shot(page, "proposal-draw-up")
    page.get_by_role("button", name="Établir la liste").click()
    expect(page.get_by_role("status").filter(has_text="1 proposition(s) soumise(s) au vote")) \
        .to_be_visible()
    assert dict(Proposal.objects.values_list("title", "status")) == {
        "Jardin partagé au parc Palmer": ProposalStatus.ON_BALLOT,
        "Potager à Palmer": ProposalStatus.MERGED,
        "Fontaine place du marché": ProposalStatus.NOT_RETAINED,
    }
    page.goto(f"{base}/propositions/bp-test/?status=on_ballot")
    expect(page.get_by_role("link", name="Jardin partagé au parc Palmer")).to_be_visible()
    check_axe(page)
