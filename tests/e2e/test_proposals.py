"""Proposals in a real browser: a resident submits one (with a photo), edits it; a reviewer
rejects another with a public reason that a visitor then reads; list, detail and forms at
phone and desktop widths (axe at each)."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from budgets.models import PhaseKind
from proposals.models import Proposal, ProposalStatus
from tests.builders import build_world, make_proposal, set_phase
from tests.e2e.helpers import check_axe, login_with_cookie, login_with_form, logout, shot
from tests.proposals.files import png_bytes

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_a_resident_submits_a_proposal_then_edits_it_and_adds_a_photo(
    page: Page, live_server, settings, tmp_path,
):
    settings.MEDIA_ROOT = tmp_path
    world = build_world(phase=PhaseKind.SUBMISSION)
    make_proposal(world, title="Des bancs au parc Palmer", feasible=False)
    base = live_server.url

    login_with_form(page, base, world.resident.email, then="/propositions/bp-test/")
    check_axe(page)
    page.get_by_role("link", name="Déposer une proposition").first.click()
    expect(page.get_by_role("heading", level=1, name="Déposer une proposition")).to_be_visible()
    check_axe(page)
    shot(page, "proposal-submit")
    page.get_by_label("Titre").fill("Un jardin partagé rue Camille-Pelletan")
    page.get_by_label("Résumé (facultatif)").fill("Des bacs potagers ouverts à tous.")
    page.get_by_label("Description").fill("Des **bacs** surélevés.\n\n- un abri\n- un composteur")
    page.get_by_label("Thème").select_option(label="Nature et environnement")
    page.get_by_label("Enveloppe").select_option(value=str(world.cenon_envelope.pk))
    page.get_by_label("Coût estimé (en euros)").fill("15 000")
    page.get_by_label("Adresse ou lieu (facultatif)").fill("Square Camille-Pelletan")
    page.get_by_role("button", name="Déposer ma proposition").click()

    expect(page.get_by_role("status").filter(has_text="Votre proposition est déposée")) \
        .to_be_visible()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Un jardin partagé")
    expect(page.locator(".description strong")).to_have_text("bacs")
    proposal = Proposal.objects.get(title__startswith="Un jardin")
    assert proposal.status == ProposalStatus.SUBMITTED and proposal.author == world.resident
    check_axe(page)

    page.get_by_role("link", name="Modifier la proposition").click()
    check_axe(page)
    page.get_by_label("Image ou document PDF").set_input_files(
        {"name": "jardin.png", "mimeType": "image/png", "buffer": png_bytes(64, 48)})
    page.get_by_role("button", name="Ajouter la pièce jointe").click()
    expect(page.get_by_role("status").filter(has_text="La pièce jointe est ajoutée")) \
        .to_be_visible()
    shot(page, "proposal-edit")
    page.get_by_label("Titre").fill("Un jardin partagé square Camille-Pelletan")
    page.get_by_role("button", name="Enregistrer les modifications").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Un jardin partagé square Camille-Pelletan")
    expect(page.get_by_role("img", name=re.compile("Image jointe"))).to_be_visible()
    shot(page, "proposal-detail-author")

    page.goto(f"{base}/propositions/bp-test/?q=jardin")
    expect(page.get_by_role("status").filter(has_text="1 proposition")).to_be_visible()
    check_axe(page)


def test_a_reviewer_rejects_a_proposal_with_a_reason_the_public_reads(page: Page, live_server):
    world = build_world(phase=PhaseKind.REVIEW)
    proposal = make_proposal(world, title="Un skatepark sur le parking", feasible=False)
    Proposal.objects.filter(pk=proposal.pk).update(
        summary="Une rampe et des modules.",
        description="Un **skatepark** à la place du parking du gymnase.")
    make_proposal(world, title="Des bancs au parc Palmer", feasible=False)
    base = live_server.url

    login_with_cookie(page, base, world.reviewer)
    page.goto(f"{base}/propositions/p/{proposal.pk}/")
    page.get_by_role("button", name="Prendre en charge l’analyse").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Analyser")
    check_axe(page)
    page.get_by_label("Non recevable").check()
    page.get_by_role("button", name="Enregistrer l’avis").click()
    expect(page.locator(".error-summary")).to_be_visible()  # the reason is required
    page.get_by_label("Motif public").fill("Le parking appartient au département.")
    page.get_by_role("button", name="Enregistrer l’avis").click()
    expect(page.get_by_role("status").filter(has_text="Votre avis est enregistré")) \
        .to_be_visible()
    logout(page)

    set_phase(world.cycle, PhaseKind.DELIBERATION)
    page.goto(f"{base}/propositions/bp-test/")
    check_axe(page)
    shot(page, "proposal-list")
    page.get_by_role("link", name="Un skatepark sur le parking").click()
    expect(page.get_by_text("Non recevable").first).to_be_visible()
    expect(page.get_by_text("Le parking appartient au département.")).to_be_visible()
    check_axe(page)
    shot(page, "proposal-detail-unfeasible")
    assert Proposal.objects.get(pk=proposal.pk).status == ProposalStatus.UNFEASIBLE
