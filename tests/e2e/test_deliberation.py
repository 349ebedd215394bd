"""Residents debate a proposal with stances in a real browser (comment, reply without
JavaScript-only widgets, react, flag); a moderator hides the flagged comment from the queue
and the public sees the reason in its place."""

from __future__ import annotations

import re
from datetime import date

import pytest
from playwright.sync_api import Page, expect

from budgets.models import PhaseKind
from deliberation.models import Comment, Flag
from tests.builders import build_world, make_proposal
from tests.e2e.helpers import check_axe, login_with_cookie, shot

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_residents_debate_and_a_moderator_hides_a_flagged_comment(page: Page, live_server):
    world = build_world(phase=PhaseKind.DELIBERATION)
    proposal = make_proposal(world)
    base = live_server.url
    detail = f"{base}/propositions/p/{proposal.pk}/"

    # Awa argues for the proposal.
    login_with_cookie(page, base, world.resident)
    page.goto(detail)
    thread = page.locator("#commentaires")
    form = thread.locator("form.comment-form")
    form.get_by_label("Pour", exact=True).check()
    form.get_by_label("Votre commentaire").fill("Il n’y a aucun banc entre l’école et le parc.")
    form.get_by_role("button", name="Publier").click()
    expect(page.get_by_role("status").filter(has_text="Votre commentaire est publié")
           ).to_be_visible()
    expect(thread).to_contain_text("1 pour")
    check_axe(page)

    # Bruno replies against (the reply form opens from a <details>), then reacts.
    page.context.clear_cookies()
    login_with_cookie(page, base, world.second_resident)
    page.goto(detail)
    first = Comment.objects.get()
    item = page.locator(f"#commentaire-{first.pk}")
    item.locator("summary").filter(has_text="Répondre").click()
    reply = item.locator("details.reply form")
    reply.get_by_label("Contre").check()
    reply.get_by_label("Votre réponse").fill("Des bancs attireront des rassemblements tard le "
                                             "soir, idiots de voisins.")
    reply.get_by_role("button", name="Publier la réponse").click()
    expect(page).to_have_url(re.compile(r"#commentaire-\d+$"))
    balance = page.locator(".balance-counts")
    expect(balance).to_contain_text("1 pour")
    expect(balance).to_contain_text("1 contre")
    item = page.locator(f"#commentaire-{first.pk}")
    item.get_by_role("button", name=re.compile("Utile")).first.click()
    expect(page.locator(f"#commentaire-{first.pk} > article button[aria-pressed=true]")
           ).to_contain_text("1")
    shot(page, "deliberation-thread")

    # Fatima (Floirac) flags the reply as insulting.
    answer = Comment.objects.get(parent=first)
    page.context.clear_cookies()
    login_with_cookie(page, base, world.floirac_resident)
    page.goto(detail)
    page.locator(f"#commentaire-{answer.pk}").get_by_role("link", name=re.compile("Signaler")
                                                          ).click()
    expect(page.get_by_role("heading", level=1, name="Signaler un commentaire")).to_be_visible()
    page.get_by_label("Insulte, harcèlement ou propos haineux").check()
    page.get_by_label("Précisions").fill("« idiots de voisins »")
    check_axe(page)
    page.get_by_role("button", name="Signaler").click()
    expect(page.get_by_role("status").filter(has_text="les modérateurs vont examiner")
           ).to_be_visible()
    assert Flag.objects.get().reason == "insult"

    # The moderator hides it from the queue with a public reason.
    page.context.clear_cookies()
    login_with_cookie(page, base, world.moderator)
    page.goto(f"{base}/debat/{world.cycle.slug}/moderation/")
    expect(page.get_by_role("heading", name="1 commentaire signalé à examiner")).to_be_visible()
    check_axe(page)
    shot(page, "deliberation-moderation-queue")
    page.get_by_role("link", name="Masquer…").click()
    page.get_by_label("Motif public").fill("Propos insultants envers les voisins")
    page.get_by_role("button", name="Masquer", exact=True).click()
    expect(page.get_by_text("Aucun signalement en attente.")).to_be_visible()
    expect(page.get_by_role("status")).to_contain_text("le motif est affiché à sa place")

    # The public sees the reason in place of the text; the thread stays readable.
    page.context.clear_cookies()
    page.goto(detail)
    hidden = page.locator(f"#commentaire-{answer.pk}")
    expect(hidden).to_contain_text(
        "Commentaire masqué par la modération. Motif : Propos insultants envers les voisins")
    expect(hidden).not_to_contain_text("idiots")
    expect(page.locator(".balance-counts")).to_contain_text("0 contre")
    expect(page.locator(f"#commentaire-{first.pk}")).to_contain_text("aucun banc")
    check_axe(page)
    shot(page, "deliberation-hidden-public")


def test_a_facilitator_records_a_workshop_shown_on_the_proposal(page: Page, live_server):
    world = build_world(phase=PhaseKind.DELIBERATION)
    proposal = make_proposal(world)
    base = live_server.url
    login_with_cookie(page, base, world.facilitator)
    page.goto(f"{base}/debat/{world.cycle.slug}/")
    page.get_by_role("link", name="Enregistrer un atelier").click()
    check_axe(page)
    page.get_by_role("button", name="Enregistrer").click()
    expect(page.locator(".error-summary")).to_be_visible()
    page.get_by_label("Commune").select_option(label="Cenon")
    page.get_by_label("Date").fill(date.today().isoformat())
    page.get_by_label("Lieu").fill("Centre social Palmer")
    page.get_by_label("Nombre de participants").fill("18")
    page.get_by_label("Compte rendu").fill("Les habitants veulent des bancs à l’ombre.")
    page.get_by_label("Des bancs au parc Palmer").check()
    page.get_by_role("button", name="Enregistrer").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Centre social Palmer")
    check_axe(page)
    page.get_by_role("link", name="Des bancs au parc Palmer").click()
    workshops = page.locator("section.workshops")
    expect(workshops).to_contain_text("Centre social Palmer")
    expect(workshops).to_contain_text("18 participants")
    shot(page, "deliberation-proposal-with-workshop")
    assert proposal.workshops.count() == 1
