"""In a real browser: an administrator edits the timeline (an overlap is refused with a
linked error summary, then fixed), closes the review early, and the public cycle page
shows the new timeline."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from budgets.models import PhaseKind
from tests.builders import build_world
from tests.e2e.helpers import check_axe, login_with_cookie, shot

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def local(moment):
    return timezone.localtime(moment).strftime("%Y-%m-%dT%H:%M")


def test_an_administrator_edits_the_timeline_and_closes_the_review_early(page: Page, live_server):
    world = build_world(phase=PhaseKind.REVIEW)
    deliberation = world.cycle.phases.get(kind=PhaseKind.DELIBERATION)
    login_with_cookie(page, live_server.url, world.admin)

    page.goto(f"{live_server.url}/budgets/bp-test/")
    page.get_by_role("link", name="Calendrier des phases (modifier, clore la phase en cours)").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Calendrier : Budget participatif test")
    check_axe(page)
    shot(page, "timeline-editor")

    # Voting starting two days before the debate ends: refused, nothing saved.
    voting = page.get_by_role("group", name="Vote")
    voting.get_by_label("Début").fill(local(deliberation.ends_at - timedelta(days=2)))
    page.get_by_role("button", name="Enregistrer le calendrier").click()
    summary = page.locator(".error-summary")
    expect(summary).to_contain_text("doit commencer après la fin de la phase « Débat et soutiens »")
    check_axe(page)
    shot(page, "timeline-editor-errors")
    summary.get_by_role("link").first.click()
    expect(voting.get_by_label("Début")).to_be_focused()

    # Fixed: the vote starts when the debate ends.
    voting.get_by_label("Début").fill(local(deliberation.ends_at + timedelta(minutes=1)))
    page.get_by_role("button", name="Enregistrer le calendrier").click()
    expect(page.get_by_text("Le calendrier est enregistré.")).to_be_visible()

    page.get_by_role("button", name="Clore cette phase maintenant").click()
    expect(page.get_by_text("La phase « Débat et soutiens » est ouverte.")).to_be_visible()

    page.goto(f"{live_server.url}/budgets/bp-test/")
    expect(page.locator('[aria-current="step"]')).to_contain_text("Débat et soutiens")
    check_axe(page)
    shot(page, "cycle-page-timeline")
