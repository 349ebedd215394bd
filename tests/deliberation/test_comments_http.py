"""Posting and reading comments on a proposal page through the HTTP layer."""

import pytest
from django.core.cache import cache

from deliberation.models import Comment
from tests.builders import build_world, make_proposal


@pytest.mark.django_db
def test_resident_posts_a_comment_that_shows_with_their_public_name(client):
    world = build_world(phase="deliberation")
    proposal = make_proposal(world)
    client.force_login(world.second_resident)
    response = client.post(f"/propositions/p/{proposal.pk}/commenter/",
                           {"body": "Très bonne idée,\nje soutiens."})
    comment = Comment.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"/propositions/p/{proposal.pk}/#commentaire-{comment.pk}"
    assert comment.author == world.second_resident
    page = client.get(f"/propositions/p/{proposal.pk}/").content.decode()
    assert f'id="commentaire-{comment.pk}"' in page
    assert "Bruno" in page and "Très bonne idée,\nje soutiens." in page
    assert "1 commentaire" in page and "Votre commentaire est publié." in page


@pytest.mark.django_db
def test_markup_in_a_comment_is_stripped_before_storage(client):
    world = build_world(phase="deliberation")
    proposal = make_proposal(world)
    client.force_login(world.resident)
    client.post(f"/propositions/p/{proposal.pk}/commenter/",
                {"body": '<script>alert("x")</script><b>Bonjour</b> <img src=x onerror=alert(1)>'})
    comment = Comment.objects.get()
    assert "<" not in comment.body and "Bonjour" in comment.body
    page = client.get(f"/propositions/p/{proposal.pk}/").content.decode()
    assert "<script>alert" not in page and "onerror" not in page


@pytest.mark.django_db
def test_comment_text_that_looks_like_markup_is_escaped_on_the_page(client):
    world = build_world(phase="deliberation")
    proposal = make_proposal(world)
    Comment.objects.create(proposal=proposal, author=world.resident,
                           body='<script>alert("x")</script> 3 < 4 & "ok"')
    page = client.get(f"/propositions/p/{proposal.pk}/").content.decode()
    assert "<script>alert" not in page
    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; 3 &lt; 4 &amp; &quot;ok&quot;" in page


@pytest.mark.django_db
@pytest.mark.parametrize("body", ["", "   ", "<b></b>"])
def test_empty_comment_is_refused_on_the_comment_field(client, body):
    world = build_world(phase="deliberation")
    proposal = make_proposal(world)
    client.force_login(world.resident)
    response = client.post(f"/propositions/p/{proposal.pk}/commenter/", {"body": body})
    assert response.status_code == 200
    page = response.content.decode()
    assert 'id="id_body_error"' in page and 'aria-invalid="true"' in page
    assert "<h1>Des bancs au parc Palmer</h1>" in page
    assert not Comment.objects.exists()


@pytest.mark.django_db
def test_over_long_comment_is_refused_and_kept_in_the_field(client):
    world = build_world(phase="deliberation")
    proposal = make_proposal(world)
    client.force_login(world.resident)
    response = client.post(f"/propositions/p/{proposal.pk}/commenter/", {"body": "a" * 3001})
    page = response.content.decode()
    assert 'id="id_body_error"' in page and "a" * 3001 in page
    assert not Comment.objects.exists()


@pytest.mark.django_db
def test_anonymous_visitor_is_sent_to_login_and_nothing_is_posted(client):
    world = build_world(phase="deliberation")
    proposal = make_proposal(world)
    response = client.post(f"/propositions/p/{proposal.pk}/commenter/", {"body": "Bonjour"})
    assert response.status_code == 302
    assert response["Location"].startswith("/comptes/connexion/?next=")
    assert not Comment.objects.exists()
    page = client.get(f"/propositions/p/{proposal.pk}/").content.decode()
    assert "Connectez-vous pour commenter." in page
    assert f'action="/propositions/p/{proposal.pk}/commenter/"' not in page


@pytest.mark.django_db
def test_comment_url_only_accepts_post(client):
    world = build_world(phase="deliberation")
    proposal = make_proposal(world)
    client.force_login(world.resident)
    assert client.get(f"/propositions/p/{proposal.pk}/commenter/").status_code == 405


@pytest.mark.django_db
def test_comment_on_an_unknown_proposal_is_not_found(client):
    world = build_world(phase="deliberation")
    client.force_login(world.resident)
    assert client.post("/propositions/p/999/commenter/", {"body": "x"}).status_code == 404


@pytest.mark.django_db
def test_comments_are_refused_when_no_phase_is_open(client):
    world = build_world(phase=None)
    proposal = make_proposal(world)
    client.force_login(world.resident)
    response = client.post(f"/propositions/p/{proposal.pk}/commenter/", {"body": "Bonjour"})
    assert response.status_code == 409
    assert "aucune phase en cours" in response.content.decode()
    assert not Comment.objects.exists()
    page = client.get(f"/propositions/p/{proposal.pk}/").content.decode()
    assert "Les commentaires ne sont pas ouverts pendant la phase actuelle." in page


@pytest.mark.django_db
def test_hidden_comments_are_not_shown_nor_counted(client):
    world = build_world(phase="deliberation")
    proposal = make_proposal(world)
    Comment.objects.create(proposal=proposal, author=world.resident, body="Visible")
    Comment.objects.create(proposal=proposal, author=world.resident, body="Injurieux",
                           is_hidden=True)
    page = client.get(f"/propositions/p/{proposal.pk}/").content.decode()
    assert "Visible" in page and "Injurieux" not in page and "1 commentaire" in page
    listing = client.get("/propositions/bp-test/").content.decode()
    assert "1 commentaire" in listing


@pytest.mark.django_db
def test_detail_page_runs_a_bounded_number_of_queries(client, django_assert_max_num_queries):
    world = build_world(phase="deliberation")
    proposal = make_proposal(world)
    authors = [world.resident, world.second_resident, world.floirac_resident, world.moderator]
    for index in range(20):
        Comment.objects.create(proposal=proposal, author=authors[index % 4], body=f"Avis {index}")
    client.force_login(world.resident)
    with django_assert_max_num_queries(10):
        response = client.get(f"/propositions/p/{proposal.pk}/")
    assert response.content.decode().count('class="comment"') == 20


@pytest.mark.django_db
def test_too_many_comments_in_a_minute_are_refused_with_a_429_page(client, settings):
    cache.clear()
    settings.HTML_WRITE_RATE = "2/60"
    world = build_world(phase="deliberation")
    proposal = make_proposal(world)
    client.force_login(world.resident)
    for text in ("Un", "Deux"):
        assert client.post(f"/propositions/p/{proposal.pk}/commenter/",
                           {"body": text}).status_code == 302
    response = client.post(f"/propositions/p/{proposal.pk}/commenter/", {"body": "Trois"})
    assert response.status_code == 429
    assert "Trop de demandes en peu de temps." in response.content.decode()
    assert Comment.objects.count() == 2
    cache.clear()


@pytest.mark.django_db
def test_unverified_residents_are_told_to_verify_when_the_cycle_requires_it(client):
    world = build_world(phase="deliberation")
    world.cycle.unverified_may_comment = False
    world.cycle.save()
    proposal = make_proposal(world)
    client.force_login(world.resident)
    page = client.get(f"/propositions/p/{proposal.pk}/").content.decode()
    assert "seuls les comptes vérifiés peuvent commenter" in page
    assert 'href="/vote/bp-test/verification/"' in page
    assert 'name="body"' not in page
    response = client.post(f"/propositions/p/{proposal.pk}/commenter/", {"body": "Bonjour"})
    assert response.status_code == 403
    assert not Comment.objects.exists()
    world.resident.is_verified = True
    world.resident.save()
    assert 'name="body"' in client.get(f"/propositions/p/{proposal.pk}/").content.decode()
