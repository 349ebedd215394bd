"""Services of the debate: who may comment, reply, edit, delete, react and flag, when, and
what is stored; moderation, suspensions and their audit events."""

from datetime import timedelta

import pytest
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from audit.models import AuditEvent
from config.errors import Conflict, NotAllowed, PhaseClosed
from deliberation.models import (
    Comment,
    CommentingSuspension,
    CommentRevision,
    Flag,
    FlagOutcome,
    Reaction,
)
from deliberation.selectors import balance_of, moderation_queue, proposal_thread
from deliberation.services import (
    delete_comment,
    dismiss_flags,
    edit_comment,
    flag_comment,
    hide_comment,
    lift_suspension,
    post_comment,
    react,
    restore_comment,
    suspend_commenter,
)
from tests.builders import build_world, make_proposal, set_phase

pytestmark = pytest.mark.django_db

PARTICIPATION_PHASES = ["information", "submission", "review", "deliberation", "voting",
                        "results", "implementation"]


def debate(phase="deliberation"):
    world = build_world(phase=phase)
    return world, make_proposal(world)


# --- posting ---------------------------------------------------------------------------------

@pytest.mark.parametrize("phase", PARTICIPATION_PHASES)
def test_residents_may_comment_in_every_phase_of_the_table(phase):
    world, proposal = debate(phase)
    comment = post_comment(author=world.resident, proposal=proposal, body="  Bonjour  ")
    assert comment.body == "Bonjour" and comment.author == world.resident
    assert comment.cycle == world.cycle and comment.depth == 0 and comment.stance == "neutral"
    assert not comment.is_hidden


def test_comment_is_refused_when_no_phase_is_open():
    world, proposal = debate(None)
    with pytest.raises(PhaseClosed):
        post_comment(author=world.resident, proposal=proposal, body="Bonjour")
    assert not Comment.objects.exists()


def test_anonymous_users_cannot_comment():
    world, proposal = debate()
    with pytest.raises(NotAllowed):
        post_comment(author=AnonymousUser(), proposal=proposal, body="Bonjour")
    assert not Comment.objects.exists()


def test_unverified_residents_cannot_comment_when_the_cycle_requires_verification():
    world, proposal = debate()
    world.cycle.unverified_may_comment = False
    world.cycle.save()
    with pytest.raises(NotAllowed):
        post_comment(author=world.resident, proposal=proposal, body="Bonjour")
    world.resident.is_verified = True
    world.resident.save()
    post_comment(author=world.resident, proposal=proposal, body="Bonjour")
    assert Comment.objects.count() == 1


def test_markup_is_removed_and_entities_are_kept_as_plain_text():
    world, proposal = debate()
    comment = post_comment(author=world.resident, proposal=proposal,
                           body="<p>3 &lt; 4 <script>x()</script>& <em>vrai</em></p>")
    assert comment.body == "3 < 4 & vrai"


@pytest.mark.parametrize("body", ["", "   ", "<script>x()</script>", "<br><br>"])
def test_empty_comments_are_refused(body):
    world, proposal = debate()
    with pytest.raises(ValidationError) as info:
        post_comment(author=world.resident, proposal=proposal, body=body)
    assert "body" in info.value.message_dict
    assert not Comment.objects.exists()


def test_comments_longer_than_3000_characters_are_refused():
    world, proposal = debate()
    post_comment(author=world.resident, proposal=proposal, body="a" * 3000)
    with pytest.raises(ValidationError):
        post_comment(author=world.resident, proposal=proposal, body="a" * 3001)
    assert Comment.objects.count() == 1


@pytest.mark.parametrize("stance", ["for", "against", "neutral"])
def test_a_comment_carries_its_stance(stance):
    world, proposal = debate()
    assert post_comment(author=world.resident, proposal=proposal, body="Avis",
                        stance=stance).stance == stance


@pytest.mark.parametrize("stance", ["", "pour", "FOR", "maybe"])
def test_an_unknown_stance_is_refused_on_the_stance_field(stance):
    world, proposal = debate()
    with pytest.raises(ValidationError) as info:
        post_comment(author=world.resident, proposal=proposal, body="Avis", stance=stance)
    assert "stance" in info.value.message_dict
    assert not Comment.objects.exists()


def test_the_cycle_has_its_own_thread_without_a_proposal():
    world, proposal = debate()
    general = post_comment(author=world.resident, cycle=world.cycle, body="Question générale")
    post_comment(author=world.resident, proposal=proposal, body="Sur le projet")
    assert general.proposal is None and general.cycle == world.cycle
    assert list(proposal.comments.values_list("body", flat=True)) == ["Sur le projet"]


# --- replies and depth -----------------------------------------------------------------------

def test_replies_nest_to_three_levels_and_no_deeper():
    world, proposal = debate()
    first = post_comment(author=world.resident, proposal=proposal, body="1", stance="for")
    second = post_comment(author=world.second_resident, parent=first, body="2",
                          stance="against")
    third = post_comment(author=world.resident, parent=second, body="3")
    assert (first.depth, second.depth, third.depth) == (0, 1, 2)
    assert third.proposal == proposal and third.parent == second
    with pytest.raises(Conflict):
        post_comment(author=world.second_resident, parent=third, body="4")
    assert Comment.objects.count() == 3


def test_the_database_refuses_a_comment_deeper_than_the_limit():
    world, proposal = debate()
    with pytest.raises(IntegrityError), transaction.atomic():
        Comment.objects.create(cycle=world.cycle, proposal=proposal, author=world.resident,
                               body="x", depth=3)


def test_a_reply_to_a_cycle_comment_stays_in_the_cycle_thread():
    world, _proposal = debate()
    root = post_comment(author=world.resident, cycle=world.cycle, body="Question")
    reply = post_comment(author=world.moderator, parent=root, body="Réponse")
    assert reply.proposal is None and reply.cycle == world.cycle and reply.depth == 1


def test_one_cannot_reply_to_a_deleted_or_hidden_comment():
    world, proposal = debate()
    deleted = post_comment(author=world.resident, proposal=proposal, body="a")
    delete_comment(author=world.resident, comment=deleted)
    hidden = post_comment(author=world.resident, proposal=proposal, body="b")
    hide_comment(moderator=world.moderator, comment=hidden, reason="Hors charte")
    for parent in (Comment.objects.get(pk=deleted.pk), Comment.objects.get(pk=hidden.pk)):
        with pytest.raises(Conflict):
            post_comment(author=world.second_resident, parent=parent, body="Réponse")
    assert Comment.objects.count() == 2


# --- edit and delete -------------------------------------------------------------------------

def test_editing_keeps_the_previous_versions_in_order():
    world, proposal = debate()
    comment = post_comment(author=world.resident, proposal=proposal, body="v1", stance="for")
    edit_comment(author=world.resident, comment=comment, body="v2", stance="for")
    edited = edit_comment(author=world.resident, comment=comment, body="<b>v3</b>",
                          stance="against")
    assert edited.body == "v3" and edited.stance == "against" and edited.edited_at
    assert list(CommentRevision.objects.filter(comment=comment).order_by("replaced_at", "pk")
                .values_list("body", "stance")) == [("v1", "for"), ("v2", "for")]


def test_an_unchanged_edit_records_no_revision():
    world, proposal = debate()
    comment = post_comment(author=world.resident, proposal=proposal, body="Même")
    result = edit_comment(author=world.resident, comment=comment, body=" Même ", stance="neutral")
    assert result.edited_at is None and not CommentRevision.objects.exists()


@pytest.mark.parametrize("who", ["second_resident", "moderator", "admin"])
def test_only_the_author_may_edit_or_delete(who):
    world, proposal = debate()
    comment = post_comment(author=world.resident, proposal=proposal, body="Original")
    with pytest.raises(NotAllowed):
        edit_comment(author=world.users[who], comment=comment, body="Changé", stance="neutral")
    with pytest.raises(NotAllowed):
        delete_comment(author=world.users[who], comment=comment)
    comment.refresh_from_db()
    assert comment.body == "Original" and comment.deleted_at is None


def test_an_empty_edit_is_refused_and_nothing_changes():
    world, proposal = debate()
    comment = post_comment(author=world.resident, proposal=proposal, body="Original")
    with pytest.raises(ValidationError):
        edit_comment(author=world.resident, comment=comment, body="<i></i>", stance="neutral")
    comment.refresh_from_db()
    assert comment.body == "Original" and not CommentRevision.objects.exists()


def test_a_hidden_comment_cannot_be_edited_by_its_author():
    world, proposal = debate()
    comment = post_comment(author=world.resident, proposal=proposal, body="Injure")
    hide_comment(moderator=world.moderator, comment=comment, reason="Propos injurieux")
    with pytest.raises(Conflict):
        edit_comment(author=world.resident, comment=comment, body="Excuses", stance="neutral")


def test_editing_is_refused_when_the_phase_is_closed():
    world, proposal = debate()
    comment = post_comment(author=world.resident, proposal=proposal, body="Avant")
    set_phase(world.cycle, None)
    with pytest.raises(PhaseClosed):
        edit_comment(author=world.resident, comment=comment, body="Après", stance="neutral")
    with pytest.raises(PhaseClosed):
        delete_comment(author=world.resident, comment=comment)


def test_deleting_leaves_a_tombstone_and_keeps_the_replies():
    world, proposal = debate()
    root = post_comment(author=world.resident, proposal=proposal, body="Racine", stance="for")
    reply = post_comment(author=world.second_resident, parent=root, body="Réponse")
    edit_comment(author=world.resident, comment=root, body="Racine 2", stance="for")
    react(user=world.second_resident, comment=root, value="up")
    delete_comment(author=world.resident, comment=root)
    root.refresh_from_db()
    assert root.deleted_at and root.body == "" and not root.is_visible
    assert not root.revisions.exists() and not root.reactions.exists()
    assert Comment.objects.get(pk=reply.pk).parent_id == root.pk
    with pytest.raises(Conflict):
        delete_comment(author=world.resident, comment=root)
    thread = proposal_thread(proposal, world.second_resident)
    assert [c.pk for c in thread["roots"]] == [root.pk]
    assert [c.pk for c in thread["roots"][0].children] == [reply.pk]
    assert thread["count"] == 1 and thread["balance"]["for_count"] == 0


# --- reactions -------------------------------------------------------------------------------

def test_one_reaction_per_person_that_can_be_changed_and_withdrawn():
    world, proposal = debate()
    comment = post_comment(author=world.resident, proposal=proposal, body="Avis")
    assert react(user=world.second_resident, comment=comment, value="up") == "up"
    assert react(user=world.second_resident, comment=comment, value="up") == "up"
    assert react(user=world.second_resident, comment=comment, value="down") == "down"
    react(user=world.floirac_resident, comment=comment, value="up")
    assert sorted(Reaction.objects.values_list("user__email", "value")) == [
        ("floirac@example.org", "up"), ("second@example.org", "down")]
    assert react(user=world.second_resident, comment=comment, value="") == ""
    assert Reaction.objects.count() == 1
    thread = proposal_thread(proposal, world.floirac_resident)
    node = thread["roots"][0]
    assert (node.up_count, node.down_count, node.my_reaction) == (1, 0, "up")


def test_the_database_refuses_a_second_reaction_by_the_same_person():
    world, proposal = debate()
    comment = post_comment(author=world.resident, proposal=proposal, body="Avis")
    Reaction.objects.create(comment=comment, user=world.second_resident, value="up")
    with pytest.raises(IntegrityError), transaction.atomic():
        Reaction.objects.create(comment=comment, user=world.second_resident, value="down")


def test_reactions_are_refused_on_ones_own_comment_and_unknown_values():
    world, proposal = debate()
    comment = post_comment(author=world.resident, proposal=proposal, body="Avis")
    with pytest.raises(Conflict):
        react(user=world.resident, comment=comment, value="up")
    with pytest.raises(ValidationError):
        react(user=world.second_resident, comment=comment, value="love")
    assert not Reaction.objects.exists()


def test_reactions_follow_the_phase_and_need_an_account():
    world, proposal = debate()
    comment = post_comment(author=world.resident, proposal=proposal, body="Avis")
    with pytest.raises(NotAllowed):
        react(user=AnonymousUser(), comment=comment, value="up")
    set_phase(world.cycle, None)
    with pytest.raises(PhaseClosed):
        react(user=world.second_resident, comment=comment, value="up")
    assert not Reaction.objects.exists()


# --- flags and moderation --------------------------------------------------------------------

def test_a_flag_needs_a_listed_reason_and_details_for_other():
    world, proposal = debate()
    comment = post_comment(author=world.resident, proposal=proposal, body="Avis")
    with pytest.raises(ValidationError) as info:
        flag_comment(reporter=world.second_resident, comment=comment, reason="boring")
    assert "reason" in info.value.message_dict
    with pytest.raises(ValidationError) as info:
        flag_comment(reporter=world.second_resident, comment=comment, reason="other",
                     details="<b> </b>")
    assert "details" in info.value.message_dict
    flag = flag_comment(reporter=world.second_resident, comment=comment, reason="other",
                        details="<i>Numéro</i> de téléphone")
    assert flag.details == "Numéro de téléphone" and flag.outcome == FlagOutcome.OPEN


def test_one_open_flag_per_person_and_not_on_ones_own_comment():
    world, proposal = debate()
    comment = post_comment(author=world.resident, proposal=proposal, body="Avis")
    flag_comment(reporter=world.second_resident, comment=comment, reason="insult")
    with pytest.raises(Conflict):
        flag_comment(reporter=world.second_resident, comment=comment, reason="spam")
    with pytest.raises(Conflict):
        flag_comment(reporter=world.resident, comment=comment, reason="spam")
    with pytest.raises(NotAllowed):
        flag_comment(reporter=AnonymousUser(), comment=comment, reason="spam")
    assert Flag.objects.count() == 1


def test_flags_follow_the_phase():
    world, proposal = debate()
    comment = post_comment(author=world.resident, proposal=proposal, body="Avis")
    set_phase(world.cycle, None)
    with pytest.raises(PhaseClosed):
        flag_comment(reporter=world.second_resident, comment=comment, reason="spam")


@pytest.mark.parametrize("who", ["moderator", "admin"])
def test_a_moderator_hides_with_a_public_reason_resolving_flags_with_an_audit_event(who):
    world, proposal = debate()
    comment = post_comment(author=world.resident, proposal=proposal, body="Injure")
    flag_comment(reporter=world.second_resident, comment=comment, reason="insult")
    hidden = hide_comment(moderator=world.users[who], comment=comment,
                          reason="<b>Propos injurieux</b>")
    assert hidden.is_hidden and hidden.hidden_reason == "Propos injurieux"
    assert hidden.body == "Injure"  # kept for the moderators and a restore
    assert Flag.objects.get().outcome == FlagOutcome.HIDDEN
    event = AuditEvent.objects.get(action="comment.hidden")
    assert event.target_id == str(comment.pk) and event.payload["reason"] == "Propos injurieux"
    assert event.payload["flags"] == 1


@pytest.mark.parametrize("who", ["resident", "second_resident", "reviewer", "facilitator",
                                 "committee_member", "publisher"])
def test_people_without_the_moderator_role_cannot_moderate(who):
    world, proposal = debate()
    comment = post_comment(author=world.floirac_resident, proposal=proposal, body="Avis")
    user = world.users[who]
    with pytest.raises(NotAllowed):
        hide_comment(moderator=user, comment=comment, reason="Non")
    with pytest.raises(NotAllowed):
        suspend_commenter(moderator=user, cycle=world.cycle, user=world.floirac_resident,
                          reason="Non")
    with pytest.raises(NotAllowed):
        dismiss_flags(moderator=user, comment=comment)
    assert not Comment.objects.filter(is_hidden=True).exists()
    assert not CommentingSuspension.objects.exists()
    assert not AuditEvent.objects.exists()


def test_moderation_works_whatever_the_phase():
    world, proposal = debate()
    comment = post_comment(author=world.resident, proposal=proposal, body="Avis")
    set_phase(world.cycle, None)
    hide_comment(moderator=world.moderator, comment=comment, reason="Hors sujet")
    restore_comment(moderator=world.moderator, comment=comment)
    comment.refresh_from_db()
    assert not comment.is_hidden and comment.hidden_reason == ""
    assert list(AuditEvent.objects.values_list("action", flat=True)) == [
        "comment.hidden", "comment.restored"]


def test_a_hide_without_reason_is_refused_and_restoring_a_visible_comment_is_a_conflict():
    world, proposal = debate()
    comment = post_comment(author=world.resident, proposal=proposal, body="Avis")
    with pytest.raises(ValidationError):
        hide_comment(moderator=world.moderator, comment=comment, reason="   ")
    with pytest.raises(Conflict):
        restore_comment(moderator=world.moderator, comment=comment)
    assert not AuditEvent.objects.exists()


def test_dismissing_flags_keeps_the_comment_and_clears_the_queue():
    world, proposal = debate()
    comment = post_comment(author=world.resident, proposal=proposal, body="Avis")
    flag_comment(reporter=world.second_resident, comment=comment, reason="off_topic")
    flag_comment(reporter=world.floirac_resident, comment=comment, reason="spam")
    assert [c.pk for c in moderation_queue(world.cycle)["flagged"]] == [comment.pk]
    assert dismiss_flags(moderator=world.moderator, comment=comment) == 2
    assert moderation_queue(world.cycle)["flagged"] == []
    assert set(Flag.objects.values_list("outcome", flat=True)) == {FlagOutcome.DISMISSED}
    with pytest.raises(Conflict):
        dismiss_flags(moderator=world.moderator, comment=comment)
    # The same person may flag again after a dismissal (the old flag is closed).
    flag_comment(reporter=world.second_resident, comment=comment, reason="insult")


def test_a_moderator_of_another_cycle_cannot_moderate_this_one():
    from budgets.models import BudgetCycle
    from budgets.roles import Role, grant_role
    from tests.builders import make_user

    world, proposal = debate()
    other = BudgetCycle.objects.create(name="Autre", slug="autre")
    stranger = make_user("autre.moderateur@example.org")
    grant_role(stranger, Role.MODERATOR, other)
    comment = post_comment(author=world.resident, proposal=proposal, body="Avis")
    with pytest.raises(NotAllowed):
        hide_comment(moderator=stranger, comment=comment, reason="Non")


# --- suspensions -----------------------------------------------------------------------------

def test_a_suspended_person_cannot_comment_nor_react_until_the_end_date():
    world, proposal = debate()
    comment = post_comment(author=world.second_resident, proposal=proposal, body="Avis")
    suspension = suspend_commenter(moderator=world.moderator, cycle=world.cycle,
                                   user=world.resident, reason="Insultes répétées",
                                   ends_at=timezone.now() + timedelta(days=7))
    with pytest.raises(NotAllowed, match="Insultes répétées"):
        post_comment(author=world.resident, proposal=proposal, body="Encore")
    with pytest.raises(NotAllowed):
        react(user=world.resident, comment=comment, value="down")
    event = AuditEvent.objects.get(action="commenting.suspended")
    assert event.payload["user"] == world.resident.pk
    # Others still comment; the suspension ends on its date.
    post_comment(author=world.floirac_resident, proposal=proposal, body="Moi oui")
    CommentingSuspension.objects.filter(pk=suspension.pk).update(
        ends_at=timezone.now() - timedelta(seconds=1))
    post_comment(author=world.resident, proposal=proposal, body="De retour")


def test_a_suspension_is_per_cycle_and_can_be_lifted():
    world, proposal = debate()
    suspension = suspend_commenter(moderator=world.moderator, cycle=world.cycle,
                                   user=world.resident, reason="Spam")
    assert suspension.ends_at is None
    with pytest.raises(Conflict):
        suspend_commenter(moderator=world.moderator, cycle=world.cycle, user=world.resident,
                          reason="Encore")
    lift_suspension(moderator=world.moderator, suspension=suspension)
    post_comment(author=world.resident, proposal=proposal, body="Merci")
    with pytest.raises(Conflict):
        lift_suspension(moderator=world.moderator, suspension=suspension)
    assert AuditEvent.objects.filter(action="commenting.suspension_lifted").count() == 1


def test_a_suspended_person_may_still_delete_their_own_comment():
    world, proposal = debate()
    comment = post_comment(author=world.resident, proposal=proposal, body="Regret")
    suspend_commenter(moderator=world.moderator, cycle=world.cycle, user=world.resident,
                      reason="Spam")
    delete_comment(author=world.resident, comment=comment)
    assert Comment.objects.get().is_deleted


def test_suspensions_refuse_a_past_end_oneself_and_other_moderators():
    world, _proposal = debate()
    with pytest.raises(ValidationError):
        suspend_commenter(moderator=world.moderator, cycle=world.cycle, user=world.resident,
                          reason="Spam", ends_at=timezone.now() - timedelta(hours=1))
    with pytest.raises(Conflict):
        suspend_commenter(moderator=world.moderator, cycle=world.cycle, user=world.moderator,
                          reason="Moi")
    with pytest.raises(Conflict):
        suspend_commenter(moderator=world.moderator, cycle=world.cycle, user=world.admin,
                          reason="Admin")
    with pytest.raises(ValidationError):
        suspend_commenter(moderator=world.moderator, cycle=world.cycle, user=world.resident,
                          reason="")
    assert not CommentingSuspension.objects.exists()


# --- balance ---------------------------------------------------------------------------------

def test_the_balance_counts_visible_for_and_against_comments_only():
    world, proposal = debate()
    for author, stance in [(world.resident, "for"), (world.second_resident, "for"),
                           (world.floirac_resident, "against"), (world.outsider, "neutral")]:
        post_comment(author=author, proposal=proposal, body="Avis", stance=stance)
    hidden = post_comment(author=world.moderator, proposal=proposal, body="x", stance="against")
    hide_comment(moderator=world.admin, comment=hidden, reason="Hors charte")
    balance = proposal_thread(proposal, world.resident)["balance"]
    assert balance == {"for_count": 2, "against_count": 1, "neutral_count": 1, "sided": 3,
                       "for_percent": 67, "against_percent": 33}


def test_the_balance_of_a_thread_without_sides_is_empty():
    assert balance_of([]) == {"for_count": 0, "against_count": 0, "neutral_count": 0,
                              "sided": 0, "for_percent": 0, "against_percent": 0}
