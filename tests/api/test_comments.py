"""The debate through the API: the same services as the pages, the single error shape."""

from datetime import timedelta

import pytest
from django.core.cache import cache
from django.utils import timezone

from audit.models import AuditEvent
from budgets.models import PhaseKind
from deliberation.models import Comment, CommentingSuspension, Flag, Reaction, Workshop
from deliberation.services import flag_comment, hide_comment, post_comment
from tests.api.support import assert_api_error, client_for
from tests.builders import build_world, make_proposal, set_phase

pytestmark = pytest.mark.django_db


def url(proposal):
    return f"/api/v1/proposals/{proposal.pk}/comments/"


def debate():
    world = build_world(phase=PhaseKind.DELIBERATION)
    return world, make_proposal(world)


def test_resident_comments_with_a_stance_and_markup_is_stripped():
    world, proposal = debate()
    response = client_for(world.second_resident).post(
        url(proposal), {"body": "<b>Oui</b> <script>alert(1)</script>, il manque des bancs.",
                        "stance": "for"}, format="json")
    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["body"] == "Oui , il manque des bancs."
    assert body["author_name"] == "Bruno" and body["stance"] == "for"
    assert body["proposal"] == proposal.pk and body["parent"] is None and body["depth"] == 0
    assert body["state"] == "visible" and body["cycle"] == "bp-test"
    assert Comment.objects.get().author == world.second_resident


def test_replies_go_through_the_parent_and_stop_at_three_levels():
    world, proposal = debate()
    client = client_for(world.second_resident)
    parent = None
    for _level in range(3):
        response = client.post(url(proposal), {"body": "Niveau", "parent": parent},
                               format="json")
        assert response.status_code == 201, response.json()
        parent = response.json()["id"]
    assert response.json()["depth"] == 2
    assert_api_error(client.post(url(proposal), {"body": "Quatre", "parent": parent},
                                 format="json"), 409, "conflict")
    other = make_proposal(world, title="Autre")
    error = assert_api_error(client.post(url(other), {"body": "x", "parent": parent},
                                         format="json"), 400, "invalid")
    assert "parent" in error["fields"]
    assert_api_error(client.post(url(proposal), {"body": "x", "parent": 9999},
                                 format="json"), 404, "not_found")
    assert Comment.objects.count() == 3


def test_the_list_keeps_hidden_and_deleted_comments_in_place_without_their_text():
    world, proposal = debate()
    post_comment(author=world.resident, proposal=proposal, body="Premier avis")
    hidden = post_comment(author=world.floirac_resident, proposal=proposal, body="Injure")
    hide_comment(moderator=world.moderator, comment=hidden, reason="Propos injurieux")
    deleted = post_comment(author=world.second_resident, proposal=proposal, body="Retiré")
    client_for(world.second_resident).delete(f"/api/v1/comments/{deleted.pk}/")
    response = client_for().get(url(proposal))
    assert response.status_code == 200
    results = response.json()["results"]
    assert [(c["state"], c["body"]) for c in results] == [
        ("visible", "Premier avis"), ("hidden", ""), ("deleted", "")]
    assert results[1]["hidden_reason"] == "Propos injurieux"
    assert results[2]["author_name"] == ""
    content = response.content.decode()
    assert "@example.org" not in content and "Injure" not in content


def test_anonymous_writes_are_401():
    world, proposal = debate()
    comment = post_comment(author=world.resident, proposal=proposal, body="Avis")
    anonymous = client_for()
    assert_api_error(anonymous.post(url(proposal), {"body": "Bonjour"}, format="json"),
                     401, "not_authenticated")
    assert_api_error(anonymous.put(f"/api/v1/comments/{comment.pk}/reaction/",
                                   {"value": "up"}, format="json"), 401, "not_authenticated")
    assert_api_error(anonymous.get("/api/v1/cycles/bp-test/moderation/"), 401,
                     "not_authenticated")
    assert Comment.objects.count() == 1


def test_commenting_is_refused_when_the_phase_is_closed():
    world, proposal = debate()
    set_phase(world.cycle, None)
    assert_api_error(client_for(world.resident).post(url(proposal), {"body": "x"},
                                                     format="json"), 409, "phase_closed")


def test_the_cycle_thread():
    world, _proposal = debate()
    client = client_for(world.resident)
    response = client.post("/api/v1/cycles/bp-test/comments/", {"body": "Question",
                                                                 "stance": "neutral"},
                           format="json")
    assert response.status_code == 201 and response.json()["proposal"] is None
    listed = client_for().get("/api/v1/cycles/bp-test/comments/").json()["results"]
    assert [c["body"] for c in listed] == ["Question"]
    assert_api_error(client_for().get("/api/v1/cycles/nope/comments/"), 404, "not_found")


def test_the_author_edits_and_the_history_is_public():
    world, proposal = debate()
    comment = post_comment(author=world.resident, proposal=proposal, body="v1", stance="for")
    response = client_for(world.resident).patch(f"/api/v1/comments/{comment.pk}/",
                                                {"body": "v2", "stance": "against"},
                                                format="json")
    assert response.status_code == 200
    assert response.json()["body"] == "v2" and response.json()["edited_at"]
    history = client_for().get(f"/api/v1/comments/{comment.pk}/revisions/").json()
    assert [(r["body"], r["stance"]) for r in history] == [("v1", "for")]
    assert_api_error(client_for(world.second_resident).patch(
        f"/api/v1/comments/{comment.pk}/", {"body": "x", "stance": "for"}, format="json"),
        403, "not_allowed")
    assert_api_error(client_for(world.second_resident).delete(
        f"/api/v1/comments/{comment.pk}/"), 403, "not_allowed")


def test_reactions_one_per_person_with_counts():
    world, proposal = debate()
    comment = post_comment(author=world.resident, proposal=proposal, body="Avis")
    client = client_for(world.second_resident)
    reaction = f"/api/v1/comments/{comment.pk}/reaction/"
    assert client.put(reaction, {"value": "up"}, format="json").json() == {
        "value": "up", "up_count": 1, "down_count": 0}
    assert client.put(reaction, {"value": "down"}, format="json").json() == {
        "value": "down", "up_count": 0, "down_count": 1}
    assert client.delete(reaction).json() == {"value": "", "up_count": 0, "down_count": 0}
    assert_api_error(client.put(reaction, {"value": "love"}, format="json"), 400, "invalid")
    assert_api_error(client_for(world.resident).put(reaction, {"value": "up"}, format="json"),
                     409, "conflict")
    assert not Reaction.objects.exists()


def test_flags_through_the_api():
    world, proposal = debate()
    comment = post_comment(author=world.resident, proposal=proposal, body="Avis")
    client = client_for(world.second_resident)
    flags = f"/api/v1/comments/{comment.pk}/flags/"
    error = assert_api_error(client.post(flags, {"reason": "other"}, format="json"),
                             400, "invalid")
    assert "details" in error["fields"]
    response = client.post(flags, {"reason": "spam"}, format="json")
    assert response.status_code == 201 and response.json()["reason"] == "spam"
    assert_api_error(client.post(flags, {"reason": "spam"}, format="json"), 409, "conflict")
    assert Flag.objects.count() == 1


def test_the_moderation_queue_hide_restore_and_dismiss():
    world, proposal = debate()
    comment = post_comment(author=world.resident, proposal=proposal, body="Injure")
    flag_comment(reporter=world.second_resident, comment=comment, reason="insult")
    assert_api_error(client_for(world.resident).get("/api/v1/cycles/bp-test/moderation/"),
                     403, "not_allowed")
    moderator = client_for(world.moderator)
    queue = moderator.get("/api/v1/cycles/bp-test/moderation/").json()
    assert [c["text"] for c in queue["flagged"]] == ["Injure"]
    assert queue["flagged"][0]["open_flags"][0]["reason"] == "insult"
    assert_api_error(client_for(world.second_resident).post(
        f"/api/v1/comments/{comment.pk}/hide/", {"reason": "Non"}, format="json"),
        403, "not_allowed")
    hidden = moderator.post(f"/api/v1/comments/{comment.pk}/hide/",
                            {"reason": "Propos injurieux"}, format="json")
    assert hidden.status_code == 200 and hidden.json()["state"] == "hidden"
    assert hidden.json()["hidden_reason"] == "Propos injurieux" and hidden.json()["body"] == ""
    queue = moderator.get("/api/v1/cycles/bp-test/moderation/").json()
    assert queue["flagged"] == [] and [c["text"] for c in queue["hidden"]] == ["Injure"]
    restored = moderator.post(f"/api/v1/comments/{comment.pk}/restore/")
    assert restored.json()["state"] == "visible"
    assert_api_error(moderator.post(f"/api/v1/comments/{comment.pk}/dismiss-flags/"),
                     409, "conflict")
    flag_comment(reporter=world.floirac_resident, comment=comment, reason="spam")
    assert moderator.post(f"/api/v1/comments/{comment.pk}/dismiss-flags/").json() == {
        "dismissed": 1}
    assert AuditEvent.objects.filter(action__startswith="comment.").count() == 3


def test_suspensions_through_the_api():
    world, proposal = debate()
    moderator = client_for(world.moderator)
    ends = (timezone.now() + timedelta(days=3)).isoformat()
    response = moderator.post("/api/v1/cycles/bp-test/suspensions/",
                              {"user": world.resident.pk, "reason": "Spam", "ends_at": ends},
                              format="json")
    assert response.status_code == 201, response.json()
    assert response.json()["user_name"] == "Awa"
    assert_api_error(client_for(world.resident).post(url(proposal), {"body": "x"},
                                                     format="json"), 403, "not_allowed")
    assert_api_error(moderator.post("/api/v1/cycles/bp-test/suspensions/",
                                    {"user": 99999, "reason": "Spam"}, format="json"),
                     404, "not_found")
    assert_api_error(client_for(world.second_resident).post(
        "/api/v1/cycles/bp-test/suspensions/", {"user": world.floirac_resident.pk,
                                                "reason": "x"}, format="json"),
        403, "not_allowed")
    suspension = CommentingSuspension.objects.get()
    lifted = moderator.post(f"/api/v1/suspensions/{suspension.pk}/lift/")
    assert lifted.status_code == 200 and lifted.json()["lifted_at"]
    assert client_for(world.resident).post(url(proposal), {"body": "x"},
                                           format="json").status_code == 201


def test_workshops_through_the_api():
    world, proposal = debate()
    yesterday = (timezone.localdate() - timedelta(days=1)).isoformat()
    payload = {"commune": "cenon", "held_on": yesterday, "place": "Centre social",
               "attendance": 14, "minutes": "<b>Compte</b> rendu", "proposals": [proposal.pk]}
    assert_api_error(client_for(world.resident).post("/api/v1/cycles/bp-test/workshops/",
                                                     payload, format="json"),
                     403, "not_allowed")
    response = client_for(world.facilitator).post("/api/v1/cycles/bp-test/workshops/", payload,
                                                  format="json")
    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["minutes"] == "Compte rendu" and body["proposals"] == [proposal.pk]
    workshop = Workshop.objects.get()
    listed = client_for().get("/api/v1/cycles/bp-test/workshops/").json()["results"]
    assert [w["place"] for w in listed] == ["Centre social"]
    changed = client_for(world.facilitator).put(
        f"/api/v1/workshops/{workshop.pk}/",
        {**payload, "attendance": 15, "proposals": []}, format="json")
    assert changed.status_code == 200 and changed.json()["attendance"] == 15
    assert changed.json()["proposals"] == []
    error = assert_api_error(client_for(world.facilitator).put(
        f"/api/v1/workshops/{workshop.pk}/", {**payload, "proposals": [99999]},
        format="json"), 400, "invalid")
    assert "proposals" in error["fields"]


def test_write_rate_limit_applies_to_comments(settings):
    cache.clear()
    world, proposal = debate()
    from rest_framework.throttling import SimpleRateThrottle

    rates = SimpleRateThrottle.THROTTLE_RATES
    original = dict(rates)
    rates["writes"] = "2/min"
    try:
        client = client_for(world.resident)
        for text in ("Un", "Deux"):
            assert client.post(url(proposal), {"body": text}, format="json").status_code == 201
        assert_api_error(client.post(url(proposal), {"body": "Trois"}, format="json"),
                         429, "throttled")
    finally:
        rates.clear()
        rates.update(original)
        cache.clear()
    assert Comment.objects.count() == 2
