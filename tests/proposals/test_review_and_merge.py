"""Taking a proposal into review and merging duplicates."""

import pytest
from django.core import mail
from django.core.exceptions import ValidationError

from audit.models import AuditEvent
from config.errors import Conflict, NotAllowed, PhaseClosed
from deliberation.models import Comment
from deliberation.services import post_comment
from proposals.models import Proposal, ProposalStatus, Support
from proposals.services import merge_proposals, review_proposal, take_into_review
from tests.builders import build_world, make_proposal, set_phase


@pytest.mark.django_db
def test_a_reviewer_takes_a_submitted_proposal_into_review_then_decides():
    world = build_world(phase="review")
    proposal = make_proposal(world, feasible=False)
    take_into_review(reviewer=world.reviewer, proposal=proposal)
    proposal.refresh_from_db()
    assert proposal.status == ProposalStatus.IN_REVIEW and proposal.taken_by == world.reviewer
    assert AuditEvent.objects.filter(action="proposal.taken_into_review").count() == 1
    with pytest.raises(Conflict):
        take_into_review(reviewer=world.reviewer, proposal=proposal)
    review_proposal(reviewer=world.reviewer, proposal=proposal, decision="unfeasible",
                    public_reason="Terrain privé.")
    assert Proposal.objects.get().status == ProposalStatus.UNFEASIBLE


@pytest.mark.django_db
@pytest.mark.parametrize("user", ["resident", "floirac_reviewer", "publisher", "admin"])
def test_only_the_communes_reviewer_takes_a_proposal(user):
    world = build_world(phase="review")
    proposal = make_proposal(world, feasible=False)
    with pytest.raises(NotAllowed):
        take_into_review(reviewer=getattr(world, user), proposal=proposal)
    assert Proposal.objects.get().status == ProposalStatus.SUBMITTED


@pytest.mark.django_db
def test_a_proposal_on_the_ballot_cannot_be_reviewed_again():
    world = build_world(phase="review")
    proposal = make_proposal(world, status=ProposalStatus.ON_BALLOT)
    with pytest.raises(Conflict):
        review_proposal(reviewer=world.reviewer, proposal=proposal, decision="unfeasible",
                        public_reason="Trop tard.")
    assert Proposal.objects.get().status == ProposalStatus.ON_BALLOT


@pytest.mark.django_db
def test_merging_moves_authors_supports_and_comments_and_tells_the_authors(
    django_capture_on_commit_callbacks,
):
    world = build_world(phase="deliberation")
    target = make_proposal(world, title="Jardin partagé")
    duplicate = make_proposal(world, title="Un potager", author=world.second_resident)
    duplicate.co_authors.add(world.floirac_resident)
    comment = post_comment(author=world.resident, proposal=duplicate, body="Bonne idée !")
    Support.objects.create(proposal=target, user=world.resident)
    Support.objects.create(proposal=duplicate, user=world.resident)  # supports both
    Support.objects.create(proposal=duplicate, user=world.outsider)
    set_phase(world.cycle, "review")

    with django_capture_on_commit_callbacks(execute=True):
        merge_proposals(reviewer=world.reviewer, duplicate=duplicate, target=target)

    duplicate.refresh_from_db()
    assert duplicate.status == ProposalStatus.MERGED and duplicate.merged_into == target
    assert set(target.co_authors.all()) == {world.second_resident, world.floirac_resident}
    assert sorted(target.supports.values_list("user__email", flat=True)) == [
        "outsider@example.org", "resident@example.org"]  # the resident counts once
    assert not duplicate.supports.exists()
    assert Comment.objects.get(pk=comment.pk).proposal == target
    assert sorted(m.to[0] for m in mail.outbox) == ["floirac@example.org", "second@example.org"]
    event = AuditEvent.objects.get(action="proposal.merged")
    assert event.payload["supports_moved"] == 1 and event.payload["supports_already_there"] == 1
    assert event.payload["comments_moved"] == 1


@pytest.mark.django_db
def test_merge_refusals_leave_both_proposals_unchanged():
    world = build_world(phase="review")
    target = make_proposal(world, title="Cible", feasible=False)
    duplicate = make_proposal(world, title="Doublon", feasible=False)
    floirac = make_proposal(world, title="Floirac", envelope=world.floirac_envelope,
                            feasible=False)
    with pytest.raises(ValidationError):
        merge_proposals(reviewer=world.reviewer, duplicate=duplicate, target=duplicate)
    with pytest.raises(NotAllowed):  # Cenon's reviewer does not review Floirac
        merge_proposals(reviewer=world.reviewer, duplicate=duplicate, target=floirac)
    with pytest.raises(NotAllowed):
        merge_proposals(reviewer=world.resident, duplicate=duplicate, target=target)
    rejected = make_proposal(world, title="Refusée", feasible=False)
    Proposal.objects.filter(pk=rejected.pk).update(status=ProposalStatus.UNFEASIBLE,
                                                   public_reason="Non.")
    rejected.refresh_from_db()
    with pytest.raises(Conflict):
        merge_proposals(reviewer=world.reviewer, duplicate=duplicate, target=rejected)
    set_phase(world.cycle, "voting")
    with pytest.raises(PhaseClosed):
        merge_proposals(reviewer=world.reviewer, duplicate=duplicate, target=target)
    assert not Proposal.objects.filter(status=ProposalStatus.MERGED).exists()


@pytest.mark.django_db
def test_a_chain_of_merges_points_every_duplicate_at_the_last_target():
    world = build_world(phase="review")
    first = make_proposal(world, title="A", feasible=False)
    second = make_proposal(world, title="B", feasible=False)
    third = make_proposal(world, title="C", feasible=False)
    merge_proposals(reviewer=world.reviewer, duplicate=first, target=second)
    merge_proposals(reviewer=world.reviewer, duplicate=second, target=third)
    assert Proposal.objects.get(pk=first.pk).merged_into_id == third.pk
    with pytest.raises(Conflict):  # a merged proposal cannot receive a merge
        merge_proposals(reviewer=world.reviewer, duplicate=third, target=first)
