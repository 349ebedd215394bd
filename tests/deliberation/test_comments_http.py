"""The debate through HTTP: posting, replying, editing, deleting, reacting, flagging, the
thread templates and their query counts."""

import pytest
from django.core.cache import cache
from django.template.loader import render_to_string
from django.test import RequestFactory

from deliberation.models import Comment, CommentRevision, Flag, Reaction
from deliberation.selectors import cycle_thread, proposal_thread
from deliberation.services import edit_comment, hide_comment, post_comment
from tests.builders import build_world, make_proposal

pytestmark = pytest.mark.django_db


def debate(phase="deliberation"):
    world = build_world(phase=phase)
    return world, make_proposal(world)


def render_thread(proposal, user):
    """The proposal thread as the proposal page includes it."""
    request = RequestFactory().get(f"/propositions/p/{proposal.pk}/")
    request.user = user
    return render_to_string("deliberation/_proposal_thread.html",
                            {"thread": proposal_thread(proposal, user), "user": user},
                            request=request)


def cycle_page(client):
    return client.get("/debat/bp-test/").content.decode()


# --- posting ---------------------------------------------------------------------------------

def test_resident_posts_a_comment_with_a_stance_and_lands_on_it(client):
    world, proposal = debate()
    client.force_login(world.second_resident)
    response = client.post(f"/debat/p/{proposal.pk}/commenter/",
                           {"body": "Très bonne idée,\nje soutiens.", "stance": "for"})
    comment = Comment.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"/propositions/p/{proposal.pk}/#commentaire-{comment.pk}"
    assert (comment.author, comment.stance, comment.proposal) == (
        world.second_resident, "for", proposal)
    html = render_thread(proposal, world.second_resident)
    assert f'id="commentaire-{comment.pk}"' in html and "Bruno" in html
    assert "Très bonne idée,\nje soutiens." in html and "1 pour" in html
    assert "Débat : 1 commentaire" in html


def test_a_post_without_a_stance_is_neutral(client):
    world, proposal = debate()
    client.force_login(world.resident)
    client.post(f"/debat/p/{proposal.pk}/commenter/", {"body": "Une question ?"})
    assert Comment.objects.get().stance == "neutral"


def test_the_comment_form_page_has_a_stance_fieldset_and_a_labelled_text(client):
    world, proposal = debate()
    client.force_login(world.resident)
    page = client.get(f"/debat/p/{proposal.pk}/commenter/").content.decode()
    assert "<legend>Votre position" in page and 'for="id_comment_body"' in page
    assert "Commenter « Des bancs au parc Palmer »" in page


@pytest.mark.parametrize("body", ["", "   ", "<b></b>"])
def test_an_empty_comment_is_refused_with_an_error_summary(client, body):
    world, proposal = debate()
    client.force_login(world.resident)
    response = client.post(f"/debat/p/{proposal.pk}/commenter/", {"body": body,
                                                                  "stance": "for"})
    page = response.content.decode()
    assert response.status_code == 200
    assert 'class="error-summary"' in page and 'href="#id_comment_body"' in page
    assert 'id="id_comment_body_error"' in page and 'aria-invalid="true"' in page
    assert not Comment.objects.exists()


def test_an_over_long_comment_is_refused_and_kept_in_the_field(client):
    world, proposal = debate()
    client.force_login(world.resident)
    page = client.post(f"/debat/p/{proposal.pk}/commenter/",
                       {"body": "a" * 3001}).content.decode()
    assert 'id="id_comment_body_error"' in page and "a" * 3001 in page
    assert not Comment.objects.exists()


def test_markup_is_stripped_and_text_that_looks_like_markup_is_escaped(client):
    world, proposal = debate()
    client.force_login(world.resident)
    client.post(f"/debat/p/{proposal.pk}/commenter/",
                {"body": '<script>alert("x")</script><b>Bonjour</b> <img src=x onerror=alert(1)>'})
    assert "<" not in Comment.objects.get().body
    Comment.objects.create(cycle=world.cycle, proposal=proposal, author=world.resident,
                           body='<script>alert("x")</script> 3 < 4 & "ok"')
    html = render_thread(proposal, world.resident)
    assert "<script>alert" not in html and "onerror" not in html
    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; 3 &lt; 4 &amp; &quot;ok&quot;" in html


def test_anonymous_visitors_are_sent_to_login_and_told_so_in_the_thread(client):
    world, proposal = debate()
    response = client.post(f"/debat/p/{proposal.pk}/commenter/", {"body": "Bonjour"})
    assert response.status_code == 302
    assert response["Location"].startswith("/comptes/connexion/?next=")
    assert not Comment.objects.exists()
    html = render_thread(proposal, __import__("django.contrib.auth.models",
                                              fromlist=["AnonymousUser"]).AnonymousUser())
    assert "Connectez-vous pour commenter." in html
    assert f"/comptes/connexion/?next=/propositions/p/{proposal.pk}/" in html
    assert 'name="body"' not in html


def test_comment_on_an_unknown_proposal_is_not_found(client):
    world, _proposal = debate()
    client.force_login(world.resident)
    assert client.post("/debat/p/999/commenter/", {"body": "x"}).status_code == 404


def test_comments_are_refused_when_no_phase_is_open(client):
    world, proposal = debate(None)
    client.force_login(world.resident)
    response = client.post(f"/debat/p/{proposal.pk}/commenter/", {"body": "Bonjour"})
    assert response.status_code == 409
    assert "aucune phase en cours" in response.content.decode()
    assert not Comment.objects.exists()
    html = render_thread(proposal, world.resident)
    assert "Les commentaires ne sont pas ouverts pendant la phase actuelle." in html


def test_unverified_residents_are_told_to_verify_when_the_cycle_requires_it(client):
    world, proposal = debate()
    world.cycle.unverified_may_comment = False
    world.cycle.save()
    client.force_login(world.resident)
    html = render_thread(proposal, world.resident)
    assert "seuls les comptes vérifiés peuvent commenter" in html
    assert 'href="/vote/bp-test/verification/"' in html and 'name="body"' not in html
    response = client.post(f"/debat/p/{proposal.pk}/commenter/", {"body": "Bonjour"})
    assert response.status_code == 403 and not Comment.objects.exists()


def test_too_many_comments_in_a_minute_are_refused_with_a_429_page(client, settings):
    cache.clear()
    settings.HTML_WRITE_RATE = "2/60"
    world, proposal = debate()
    client.force_login(world.resident)
    for text in ("Un", "Deux"):
        assert client.post(f"/debat/p/{proposal.pk}/commenter/",
                           {"body": text}).status_code == 302
    response = client.post(f"/debat/p/{proposal.pk}/commenter/", {"body": "Trois"})
    assert response.status_code == 429
    assert "Trop de demandes en peu de temps." in response.content.decode()
    assert Comment.objects.count() == 2
    cache.clear()


# --- the cycle thread and replies ------------------------------------------------------------

def test_the_cycle_has_a_general_thread_page(client):
    world, _proposal = debate()
    client.force_login(world.resident)
    response = client.post("/debat/bp-test/commenter/", {"body": "Quand est le vote ?"})
    comment = Comment.objects.get()
    assert response["Location"] == f"/debat/bp-test/#commentaire-{comment.pk}"
    assert comment.proposal is None
    page = cycle_page(client)
    assert "Débat général : 1 commentaire" in page and "Quand est le vote ?" in page


def test_replies_nest_and_stop_at_the_third_level(client):
    world, proposal = debate()
    root = post_comment(author=world.resident, proposal=proposal, body="Racine")
    client.force_login(world.second_resident)
    response = client.post(f"/debat/c/{root.pk}/repondre/", {"body": "Réponse",
                                                             "stance": "against"})
    reply = Comment.objects.get(parent=root)
    assert response["Location"] == f"/propositions/p/{proposal.pk}/#commentaire-{reply.pk}"
    assert reply.depth == 1 and reply.stance == "against"
    third = post_comment(author=world.resident, parent=reply, body="Troisième")
    html = render_thread(proposal, world.second_resident)
    assert f'action="/debat/c/{reply.pk}/repondre/"' in html
    assert f'action="/debat/c/{third.pk}/repondre/"' not in html  # no fourth level offered
    assert client.post(f"/debat/c/{third.pk}/repondre/", {"body": "Quatre"}).status_code == 409
    assert Comment.objects.count() == 3


def test_the_reply_form_page_quotes_the_parent(client):
    world, proposal = debate()
    root = post_comment(author=world.resident, proposal=proposal, body="Texte parent")
    client.force_login(world.second_resident)
    page = client.get(f"/debat/c/{root.pk}/repondre/").content.decode()
    assert "Répondre à Awa" in page and "Texte parent" in page


# --- edit, history, delete -------------------------------------------------------------------

def test_the_author_edits_and_the_thread_says_modified_with_a_history(client):
    world, proposal = debate()
    comment = post_comment(author=world.resident, proposal=proposal, body="Première version")
    client.force_login(world.resident)
    form = client.get(f"/debat/c/{comment.pk}/modifier/").content.decode()
    assert "Première version" in form
    response = client.post(f"/debat/c/{comment.pk}/modifier/",
                           {"body": "Seconde version", "stance": "against"})
    assert response.status_code == 302
    html = render_thread(proposal, world.second_resident)
    assert "Seconde version" in html and f'href="/debat/c/{comment.pk}/historique/"' in html
    assert "modifié" in html
    history = client.get(f"/debat/c/{comment.pk}/historique/").content.decode()
    assert "Première version" in history and "Seconde version" in history
    assert CommentRevision.objects.count() == 1


def test_someone_else_cannot_open_the_edit_or_delete_pages(client):
    world, proposal = debate()
    comment = post_comment(author=world.resident, proposal=proposal, body="À moi")
    client.force_login(world.second_resident)
    assert client.get(f"/debat/c/{comment.pk}/modifier/").status_code == 404
    assert client.post(f"/debat/c/{comment.pk}/modifier/",
                       {"body": "Piraté"}).status_code == 404
    assert client.post(f"/debat/c/{comment.pk}/supprimer/").status_code == 404
    comment.refresh_from_db()
    assert comment.body == "À moi" and comment.deleted_at is None


def test_deleting_asks_first_then_leaves_a_tombstone_with_the_replies(client):
    world, proposal = debate()
    root = post_comment(author=world.resident, proposal=proposal, body="Je retire ceci")
    post_comment(author=world.second_resident, parent=root, body="Réponse qui reste")
    client.force_login(world.resident)
    confirm = client.get(f"/debat/c/{root.pk}/supprimer/").content.decode()
    assert "Supprimer définitivement" in confirm
    assert client.post(f"/debat/c/{root.pk}/supprimer/").status_code == 302
    html = render_thread(proposal, world.second_resident)
    assert "Commentaire supprimé par son auteur" in html and "Je retire ceci" not in html
    assert "Réponse qui reste" in html
    assert client.get(f"/debat/c/{root.pk}/modifier/").status_code == 409


# --- reactions -------------------------------------------------------------------------------

def test_reacting_toggles_and_the_counts_are_shown(client):
    world, proposal = debate()
    comment = post_comment(author=world.resident, proposal=proposal, body="Avis")
    client.force_login(world.second_resident)
    url = f"/debat/c/{comment.pk}/reagir/"
    assert client.post(url, {"value": "up"}).status_code == 302
    html = render_thread(proposal, world.second_resident)
    assert 'value="" aria-pressed="true"' in html  # pressing again withdraws
    assert '<span class="count">1</span>' in html
    client.post(url, {"value": "down"})
    assert Reaction.objects.get().value == "down"
    client.post(url, {"value": ""})
    assert not Reaction.objects.exists()
    assert client.post(url, {"value": "love"}).status_code == 400
    assert client.get(url).status_code == 405


def test_one_cannot_react_to_ones_own_comment(client):
    world, proposal = debate()
    comment = post_comment(author=world.resident, proposal=proposal, body="Avis")
    client.force_login(world.resident)
    assert client.post(f"/debat/c/{comment.pk}/reagir/", {"value": "up"}).status_code == 409
    html = render_thread(proposal, world.resident)
    assert f'action="/debat/c/{comment.pk}/reagir/"' not in html
    assert '<p class="reaction-counts meta">0 utile' in html


# --- flags -----------------------------------------------------------------------------------

def test_flagging_with_a_reason_from_the_list(client):
    world, proposal = debate()
    comment = post_comment(author=world.resident, proposal=proposal, body="Avis")
    client.force_login(world.second_resident)
    form = client.get(f"/debat/c/{comment.pk}/signaler/").content.decode()
    assert "<legend>Motif du signalement" in form
    page = client.post(f"/debat/c/{comment.pk}/signaler/", {"reason": "other"}).content.decode()
    assert 'class="error-summary"' in page and "Précisez la raison" in page
    assert not Flag.objects.exists()
    response = client.post(f"/debat/c/{comment.pk}/signaler/",
                           {"reason": "insult", "details": "Vise une voisine"})
    assert response.status_code == 302
    flag = Flag.objects.get()
    assert (flag.reason, flag.details, flag.reporter) == ("insult", "Vise une voisine",
                                                          world.second_resident)
    assert client.post(f"/debat/c/{comment.pk}/signaler/",
                       {"reason": "spam"}).status_code == 409


# --- query counts ----------------------------------------------------------------------------

def _fill(world, proposal, n):
    authors = [world.resident, world.second_resident, world.floirac_resident, world.moderator]
    roots = []
    for index in range(n):
        author = authors[index % 4]
        if index % 3 == 2 and roots:
            parent = roots[-1]
            post_comment(author=author, parent=parent, body=f"Réponse {index}",
                         stance="against")
        else:
            roots.append(post_comment(author=author, proposal=proposal, body=f"Avis {index}",
                                      stance="for"))
    edit_comment(author=roots[0].author, comment=roots[0], body="Modifié", stance="for")
    hide_comment(moderator=world.admin, comment=roots[1], reason="Hors charte")


@pytest.mark.parametrize("n", [5, 50])
def test_the_proposal_thread_runs_the_same_number_of_queries_for_5_or_50_comments(
        django_assert_max_num_queries, n):
    world, proposal = debate()
    _fill(world, proposal, n)
    with django_assert_max_num_queries(9):
        html = render_thread(proposal, world.second_resident)
    assert html.count('class="comment depth-') == n


@pytest.mark.parametrize("n", [5, 50])
def test_the_cycle_page_runs_a_bounded_number_of_queries(client, django_assert_max_num_queries,
                                                         n):
    world, _proposal = debate()
    for index in range(n):
        post_comment(author=world.resident, cycle=world.cycle, body=f"Avis {index}")
    client.force_login(world.second_resident)
    with django_assert_max_num_queries(20):
        page = cycle_page(client)
    assert page.count('class="comment depth-') == n
    assert cycle_thread(world.cycle, world.second_resident)["count"] == n


def test_an_empty_reply_shows_the_reply_page_with_the_error_and_the_parent(client):
    world, proposal = debate()
    root = post_comment(author=world.resident, proposal=proposal, body="Texte parent")
    client.force_login(world.second_resident)
    page = client.post(f"/debat/c/{root.pk}/repondre/", {"body": " ", "stance": "for"}
                       ).content.decode()
    assert "Répondre à Awa" in page and "Texte parent" in page
    assert 'class="error-summary"' in page and 'id="id_comment_body_error"' in page
    assert Comment.objects.count() == 1


def test_reactions_and_flags_are_rate_limited_too(client, settings):
    cache.clear()
    settings.HTML_WRITE_RATE = "2/60"
    world, proposal = debate()
    comment = post_comment(author=world.resident, proposal=proposal, body="Avis")
    client.force_login(world.second_resident)
    url = f"/debat/c/{comment.pk}/reagir/"
    assert client.post(url, {"value": "up"}).status_code == 302
    assert client.post(url, {"value": "down"}).status_code == 302
    assert client.post(url, {"value": ""}).status_code == 429
    assert client.post(f"/debat/c/{comment.pk}/signaler/",
                       {"reason": "spam"}).status_code == 429
    assert Reaction.objects.get().value == "down" and not Flag.objects.exists()
    cache.clear()
