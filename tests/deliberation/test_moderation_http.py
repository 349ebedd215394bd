"""Moderation pages: the queue per cycle, hide with a public reason, restore, dismiss,
suspend and lift; who may see and do what."""

import pytest
from django.utils import timezone

from audit.models import AuditEvent
from deliberation.models import Comment, CommentingSuspension, Flag
from deliberation.services import flag_comment, hide_comment, post_comment, suspend_commenter
from tests.builders import build_world, make_proposal
from tests.deliberation.test_comments_http import render_thread

pytestmark = pytest.mark.django_db


def flagged():
    world = build_world(phase="deliberation")
    proposal = make_proposal(world)
    comment = post_comment(author=world.resident, proposal=proposal, body="Texte injurieux")
    flag_comment(reporter=world.second_resident, comment=comment, reason="insult",
                 details="Vise un voisin")
    return world, proposal, comment


@pytest.mark.parametrize("who", ["moderator", "admin"])
def test_moderators_see_the_flagged_comments_of_their_cycle(client, who):
    world, _proposal, comment = flagged()
    client.force_login(world.users[who])
    page = client.get("/debat/bp-test/moderation/").content.decode()
    assert "1 commentaire signalé à examiner" in page
    assert "Texte injurieux" in page and "Vise un voisin" in page
    assert f'href="/debat/c/{comment.pk}/masquer/"' in page


@pytest.mark.parametrize("who", ["resident", "second_resident", "reviewer", "facilitator",
                                 "committee_member"])
def test_others_cannot_open_the_queue_nor_moderate(client, who):
    world, _proposal, comment = flagged()
    client.force_login(world.users[who])
    assert client.get("/debat/bp-test/moderation/").status_code == 403
    assert client.get(f"/debat/c/{comment.pk}/masquer/").status_code == 403
    assert client.post(f"/debat/c/{comment.pk}/masquer/",
                       {"reason": "Non"}).status_code == 403
    assert client.post(f"/debat/c/{comment.pk}/suspendre-auteur/",
                       {"reason": "Non"}).status_code == 403
    assert not Comment.objects.filter(is_hidden=True).exists()
    assert not CommentingSuspension.objects.exists()


def test_anonymous_visitors_are_sent_to_login_from_the_queue(client):
    flagged()
    response = client.get("/debat/bp-test/moderation/")
    assert response.status_code == 302 and response["Location"].startswith("/comptes/connexion/")


def test_hiding_shows_the_public_reason_in_place_of_the_text(client):
    world, proposal, comment = flagged()
    client.force_login(world.moderator)
    page = client.post(f"/debat/c/{comment.pk}/masquer/", {"reason": ""}).content.decode()
    assert 'class="error-summary"' in page
    response = client.post(f"/debat/c/{comment.pk}/masquer/", {"reason": "Propos injurieux"})
    assert response["Location"] == "/debat/bp-test/moderation/"
    html = render_thread(proposal, world.floirac_resident)
    assert "Commentaire masqué par la modération. Motif : Propos injurieux" in html
    assert "Texte injurieux" not in html
    assert Flag.objects.get().outcome == "hidden"
    assert AuditEvent.objects.filter(action="comment.hidden").count() == 1
    queue = client.get("/debat/bp-test/moderation/").content.decode()
    assert "Aucun signalement en attente." in queue and "Rétablir" in queue


def test_restoring_and_dismissing_from_the_queue(client):
    world, proposal, comment = flagged()
    client.force_login(world.moderator)
    assert client.post(f"/debat/c/{comment.pk}/ecarter-signalements/").status_code == 302
    assert Flag.objects.get().outcome == "dismissed"
    hide_comment(moderator=world.moderator, comment=comment, reason="Erreur")
    assert client.post(f"/debat/c/{comment.pk}/retablir/").status_code == 302
    assert "Texte injurieux" in render_thread(proposal, world.floirac_resident)
    assert client.post(f"/debat/c/{comment.pk}/retablir/").status_code == 409
    assert list(AuditEvent.objects.values_list("action", flat=True)) == [
        "comment.flags_dismissed", "comment.hidden", "comment.restored"]


def test_suspending_the_author_with_an_end_date_then_lifting(client):
    world, proposal, comment = flagged()
    client.force_login(world.moderator)
    response = client.post(f"/debat/c/{comment.pk}/suspendre-auteur/",
                           {"reason": "Insultes répétées", "until": "2999-01-31"})
    assert response.status_code == 302
    suspension = CommentingSuspension.objects.get()
    assert suspension.user == world.resident
    # The chosen day is included: the suspension ends at midnight, local time, after it.
    assert timezone.localtime(suspension.ends_at).isoformat().startswith("2999-02-01T00:00")
    html = render_thread(proposal, world.resident)
    assert "Vous ne pouvez plus commenter ni réagir dans ce budget jusqu’au" in html
    assert "Insultes répétées" in html and 'name="body"' not in html
    client.force_login(world.resident)
    assert client.post(f"/debat/p/{proposal.pk}/commenter/",
                       {"body": "Encore"}).status_code == 403
    client.force_login(world.moderator)
    queue = client.get("/debat/bp-test/moderation/").content.decode()
    assert "Lever la suspension" in queue
    assert client.post(f"/debat/suspensions/{suspension.pk}/lever/").status_code == 302
    client.force_login(world.resident)
    assert client.post(f"/debat/p/{proposal.pk}/commenter/",
                       {"body": "Encore"}).status_code == 302


def test_a_past_end_date_is_refused_on_its_field(client):
    world, _proposal, comment = flagged()
    client.force_login(world.moderator)
    page = client.post(f"/debat/c/{comment.pk}/suspendre-auteur/",
                       {"reason": "Spam", "until": "2000-01-01"}).content.decode()
    assert 'id="id_until_error"' in page
    assert not CommentingSuspension.objects.exists()


def test_the_moderator_sees_a_link_to_the_queue_and_hide_links_in_the_thread():
    world, proposal, comment = flagged()
    html = render_thread(proposal, world.moderator)
    assert 'href="/debat/bp-test/moderation/"' in html
    assert f'href="/debat/c/{comment.pk}/masquer/"' in html
    assert "/moderation/" not in render_thread(proposal, world.second_resident)
    hide_comment(moderator=world.moderator, comment=comment, reason="Injure")
    assert f'action="/debat/c/{comment.pk}/retablir/"' in render_thread(proposal, world.moderator)
    assert "/retablir/" not in render_thread(proposal, world.second_resident)


def test_a_suspension_is_shown_in_the_queue_until_it_ends(client):
    world, _proposal, _comment = flagged()
    suspend_commenter(moderator=world.moderator, cycle=world.cycle, user=world.resident,
                      reason="Spam")
    client.force_login(world.admin)
    page = client.get("/debat/bp-test/moderation/").content.decode()
    assert "sans date de fin" in page and "Motif : Spam" in page
