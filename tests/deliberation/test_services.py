"""post_comment: who may comment, when, and what is stored."""

import pytest
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import ValidationError

from config.errors import NotAllowed, PhaseClosed
from deliberation.models import Comment
from deliberation.services import post_comment
from tests.builders import build_world, make_proposal


@pytest.mark.django_db
@pytest.mark.parametrize("phase", ["submission", "review", "deliberation", "voting", "results",
                                   "implementation"])
def test_residents_may_comment_in_every_phase(phase):
    world = build_world(phase=phase)
    proposal = make_proposal(world)
    comment = post_comment(author=world.resident, proposal=proposal, body="  Bonjour  ")
    assert comment.body == "Bonjour" and comment.author == world.resident
    assert not comment.is_hidden


@pytest.mark.django_db
def test_comment_is_refused_when_no_phase_is_open():
    world = build_world(phase=None)
    with pytest.raises(PhaseClosed):
        post_comment(author=world.resident, proposal=make_proposal(world), body="Bonjour")
    assert not Comment.objects.exists()


@pytest.mark.django_db
def test_anonymous_users_cannot_comment():
    world = build_world(phase="deliberation")
    with pytest.raises(NotAllowed):
        post_comment(author=AnonymousUser(), proposal=make_proposal(world), body="Bonjour")
    assert not Comment.objects.exists()


@pytest.mark.django_db
def test_markup_is_removed_and_entities_are_kept_as_plain_text():
    world = build_world(phase="deliberation")
    comment = post_comment(author=world.resident, proposal=make_proposal(world),
                           body="<p>3 &lt; 4 <script>x()</script>& <em>vrai</em></p>")
    assert comment.body == "3 < 4 & vrai"


@pytest.mark.django_db
@pytest.mark.parametrize("body", ["", "   ", "<script>x()</script>", "<br><br>"])
def test_empty_comments_are_refused(body):
    world = build_world(phase="deliberation")
    with pytest.raises(ValidationError) as info:
        post_comment(author=world.resident, proposal=make_proposal(world), body=body)
    assert "body" in info.value.message_dict
    assert not Comment.objects.exists()


@pytest.mark.django_db
def test_comments_longer_than_3000_characters_are_refused():
    world = build_world(phase="deliberation")
    proposal = make_proposal(world)
    post_comment(author=world.resident, proposal=proposal, body="a" * 3000)
    with pytest.raises(ValidationError):
        post_comment(author=world.resident, proposal=proposal, body="a" * 3001)
    assert Comment.objects.count() == 1
