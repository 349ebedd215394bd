"""Drafts, edition, co-authors and attachments: who may, when, what is checked and kept."""

import pytest
from django.contrib.auth.models import AnonymousUser
from django.core import mail
from django.core.exceptions import ValidationError

from audit.models import AuditEvent
from config.errors import Conflict, NotAllowed, PhaseClosed
from proposals.attachments import MAX_ATTACHMENT_BYTES
from proposals.models import Attachment, Proposal, ProposalStatus
from proposals.rendering import render_markdown
from proposals.services import (
    add_attachment,
    delete_attachment,
    edit_proposal,
    invite_co_author,
    remove_co_author,
    submit_draft,
    submit_proposal,
)
from tests.builders import build_world, make_proposal, set_phase
from tests.proposals.files import jpeg_with_exif, pdf_bytes, png_bytes


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    return tmp_path


def draft(world, **overrides):
    args = {"author": world.resident, "cycle": world.cycle, "envelope": world.cenon_envelope,
            "title": "Un jardin", "description": "Des bacs.", "category": "environment",
            "commune": world.cenon, "district": None, "estimated_cost_cents": 5_000_00,
            "as_draft": True}
    args.update(overrides)
    return submit_proposal(**args)


@pytest.mark.django_db
def test_a_draft_is_submitted_by_its_author_and_audited():
    world = build_world(phase="submission")
    proposal = draft(world)
    assert proposal.status == ProposalStatus.DRAFT and proposal.submitted_at is None
    with pytest.raises(NotAllowed):
        submit_draft(author=world.second_resident, proposal=proposal)
    submit_draft(author=world.resident, proposal=proposal)
    proposal.refresh_from_db()
    assert proposal.status == ProposalStatus.SUBMITTED and proposal.submitted_at is not None
    assert list(AuditEvent.objects.filter(target_id=str(proposal.pk))
                .values_list("action", flat=True).order_by("pk")) == [
        "proposal.draft_created", "proposal.submitted"]
    with pytest.raises(Conflict):
        submit_draft(author=world.resident, proposal=proposal)


@pytest.mark.django_db
def test_a_draft_cannot_be_submitted_after_the_submission_phase():
    world = build_world(phase="submission")
    proposal = draft(world)
    set_phase(world.cycle, "review")
    with pytest.raises(PhaseClosed):
        submit_draft(author=world.resident, proposal=proposal)


@pytest.mark.django_db
def test_authors_and_co_authors_edit_in_the_submission_phase_only():
    world = build_world(phase="submission")
    proposal = make_proposal(world, feasible=False)
    proposal.co_authors.add(world.second_resident)
    edit_proposal(editor=world.second_resident, proposal=proposal, title=" Des bancs neufs ",
                  summary="Trois bancs.")
    proposal.refresh_from_db()
    assert proposal.title == "Des bancs neufs" and proposal.summary == "Trois bancs."
    event = AuditEvent.objects.get(action="proposal.edited")
    assert event.payload == {"fields": ["title", "summary"]}
    for outsider in (world.floirac_resident, world.reviewer, AnonymousUser()):
        with pytest.raises(NotAllowed):
            edit_proposal(editor=outsider, proposal=proposal, title="Piraté")
    set_phase(world.cycle, "review")
    with pytest.raises(PhaseClosed):
        edit_proposal(editor=world.resident, proposal=proposal, title="Trop tard")
    assert Proposal.objects.get().title == "Des bancs neufs"


@pytest.mark.django_db
def test_a_proposal_taken_into_review_is_no_longer_editable():
    world = build_world(phase="submission")
    proposal = make_proposal(world, feasible=False, status=ProposalStatus.IN_REVIEW)
    with pytest.raises(Conflict):
        edit_proposal(editor=world.resident, proposal=proposal, title="Autre")


@pytest.mark.django_db
def test_edition_checks_the_whole_content_again():
    world = build_world(phase="submission")
    proposal = make_proposal(world, feasible=False)
    with pytest.raises(ValidationError) as caught:
        edit_proposal(editor=world.resident, proposal=proposal, commune=world.floirac,
                      latitude=None, longitude=10, estimated_cost_cents=0, title="  ")
    assert set(caught.value.message_dict) == {"envelope", "latitude", "estimated_cost_cents",
                                              "title"}
    with pytest.raises(ValidationError) as caught:
        edit_proposal(editor=world.resident, proposal=proposal, latitude=91, longitude=-181)
    assert set(caught.value.message_dict) == {"latitude", "longitude"}
    assert Proposal.objects.get().commune == world.cenon


@pytest.mark.django_db
def test_location_is_stored_rounded_to_six_decimals():
    world = build_world(phase="submission")
    proposal = draft(world, latitude=44.8571234567, longitude=-0.53221, address="Parc Palmer")
    proposal.refresh_from_db()
    assert str(proposal.latitude) == "44.857123" and str(proposal.longitude) == "-0.532210"
    assert proposal.has_location and proposal.address == "Parc Palmer"


@pytest.mark.django_db
def test_the_author_invites_an_existing_account_as_co_author_who_is_told_by_mail(
    django_capture_on_commit_callbacks,
):
    world = build_world(phase="submission")
    proposal = make_proposal(world, feasible=False)
    with django_capture_on_commit_callbacks(execute=True):
        user = invite_co_author(author=world.resident, proposal=proposal,
                                email=" Second@Example.org ")
    assert user == world.second_resident
    assert list(proposal.co_authors.all()) == [world.second_resident]
    assert [m.to for m in mail.outbox] == [["second@example.org"]]
    with pytest.raises(ValidationError):
        invite_co_author(author=world.resident, proposal=proposal, email="second@example.org")
    with pytest.raises(ValidationError):
        invite_co_author(author=world.resident, proposal=proposal, email="inconnu@example.org")
    with pytest.raises(NotAllowed):  # a co-author does not invite others
        invite_co_author(author=world.second_resident, proposal=proposal,
                         email="floirac@example.org")
    remove_co_author(author=world.second_resident, proposal=proposal, user=world.second_resident)
    assert not proposal.co_authors.exists()


@pytest.mark.django_db
def test_a_stranger_cannot_remove_a_co_author():
    world = build_world(phase="submission")
    proposal = make_proposal(world, feasible=False)
    proposal.co_authors.add(world.second_resident)
    with pytest.raises(NotAllowed):
        remove_co_author(author=world.floirac_resident, proposal=proposal,
                         user=world.second_resident)
    assert proposal.co_authors.exists()


@pytest.mark.django_db
def test_an_image_is_re_encoded_without_its_metadata_and_stored_under_a_random_name(media):
    world = build_world(phase="submission")
    proposal = make_proposal(world, feasible=False)
    attachment = add_attachment(editor=world.resident, proposal=proposal,
                                content=jpeg_with_exif(), filename="../../etc/ma photo.php.jpg")
    assert attachment.kind == "image" and attachment.content_type == "image/jpeg"
    assert attachment.original_name == "ma photophp.jpg"
    stored = media / attachment.file.name
    assert stored.exists() and "photo" not in attachment.file.name
    assert attachment.file.name.startswith(f"proposals/{proposal.pk}/")
    assert attachment.file.name.endswith(".jpg")
    assert b"PhoneMaker" not in stored.read_bytes()


@pytest.mark.django_db
def test_a_pdf_is_accepted_and_html_or_scripts_are_refused(media):
    world = build_world(phase="submission")
    proposal = make_proposal(world, feasible=False)
    pdf = add_attachment(editor=world.resident, proposal=proposal, content=pdf_bytes(),
                         filename="devis.pdf")
    assert pdf.kind == "pdf" and pdf.content_type == "application/pdf"
    refused = [
        b"<html><script>alert(1)</script></html>",
        b"%PDF-1.4\n<html>not really a pdf</html>",
        pdf_bytes(b"/OpenAction << /S /JavaScript /JS (app.alert(1)) >> "),
        pdf_bytes()[:-30],
        b"GIF89a" + b"\0" * 20,
        b"",
        png_bytes() + b"\0" * MAX_ATTACHMENT_BYTES,
    ]
    for content in refused:
        with pytest.raises(ValidationError) as caught:
            add_attachment(editor=world.resident, proposal=proposal, content=content,
                           filename="x.png")
        assert list(caught.value.message_dict) == ["file"]
    assert Attachment.objects.count() == 1


@pytest.mark.django_db
def test_attachments_follow_the_edition_rules_and_are_deleted_with_their_file(
    media, django_capture_on_commit_callbacks,
):
    world = build_world(phase="submission")
    proposal = make_proposal(world, feasible=False)
    with pytest.raises(NotAllowed):
        add_attachment(editor=world.second_resident, proposal=proposal, content=png_bytes(),
                       filename="a.png")
    attachment = add_attachment(editor=world.resident, proposal=proposal, content=png_bytes(),
                                filename="a.png")
    stored = media / attachment.file.name
    assert stored.exists()
    with django_capture_on_commit_callbacks(execute=True):
        delete_attachment(editor=world.resident, attachment=attachment)
    assert not Attachment.objects.exists()
    assert not stored.exists()  # removed once the deletion is committed


def test_markdown_is_rendered_and_sanitised():
    html = render_markdown("# Titre\n\n**gras** <img src=x onerror=alert(1)> "
                           "[lien](javascript:alert(1)) [bon](https://example.org)\n\n- un")
    assert "<h3>Titre</h3>" in html and "<strong>gras</strong>" in html
    assert "<img" not in html  # raw HTML stays text: "&lt;img ..."
    assert 'href="javascript' not in html
    assert '<a href="https://example.org" rel="nofollow noopener noreferrer ugc">bon</a>' in html
    assert "<li>un</li>" in html
