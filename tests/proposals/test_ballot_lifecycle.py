"""The lifecycle services other apps rely on: supports, draw-up, outcomes, implementation."""

import pytest
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import ValidationError

from audit.models import AuditEvent
from config.errors import Conflict, NotAllowed, PhaseClosed
from proposals.models import Proposal, ProposalStatus, Support
from proposals.selectors import ballot_proposals
from proposals.services import (
    draw_up_ballot,
    record_outcomes,
    set_implementation_status,
    support_proposal,
    withdraw_support,
)
from territory.models import Commune
from tests.builders import build_world, make_proposal, make_user, set_phase


def status_of(proposal):
    return Proposal.objects.get(pk=proposal.pk).status


@pytest.mark.django_db
def test_draw_up_puts_feasible_proposals_with_enough_supports_on_the_ballot():
    world = build_world(phase="deliberation")
    world.cycle.supports_threshold = 2
    world.cycle.save()
    popular = make_proposal(world, title="Populaire")
    lonely = make_proposal(world, title="Seule")
    pending = make_proposal(world, title="Pas analysée", feasible=False)
    rejected = make_proposal(world, title="Refusée", feasible=False)
    Proposal.objects.filter(pk=rejected.pk).update(status=ProposalStatus.UNFEASIBLE,
                                                   public_reason="Non.")
    for user in (world.resident, world.second_resident):
        assert support_proposal(user=user, proposal=popular)
    support_proposal(user=world.resident, proposal=lonely)

    assert draw_up_ballot(actor=world.admin, cycle=world.cycle) == (1, 1)

    assert status_of(popular) == ProposalStatus.ON_BALLOT
    assert status_of(lonely) == ProposalStatus.NOT_RETAINED
    assert status_of(pending) == ProposalStatus.SUBMITTED
    assert status_of(rejected) == ProposalStatus.UNFEASIBLE
    assert list(ballot_proposals(world.cycle)) == [Proposal.objects.get(pk=popular.pk)]
    event = AuditEvent.objects.get(action="proposals.ballot_drawn_up")
    assert event.payload["on_ballot"] == [popular.pk]
    assert event.payload["not_retained"] == [lonely.pk]
    assert event.payload["supports"] == {str(popular.pk): 2, str(lonely.pk): 1}
    # A second call finds nothing left to draw up and records nothing.
    assert draw_up_ballot(actor=world.admin, cycle=world.cycle) == (0, 0)
    assert AuditEvent.objects.filter(action="proposals.ballot_drawn_up").count() == 1


@pytest.mark.django_db
def test_with_a_zero_threshold_every_feasible_proposal_goes_on_the_ballot():
    world = build_world(phase="deliberation")
    make_proposal(world, title="A")
    make_proposal(world, title="B")
    assert draw_up_ballot(actor=world.admin, cycle=world.cycle) == (2, 0)


@pytest.mark.django_db
@pytest.mark.parametrize("user", ["resident", "reviewer", "publisher", "moderator"])
def test_only_an_administrator_draws_up_the_ballot(user):
    world = build_world(phase="deliberation")
    proposal = make_proposal(world)
    with pytest.raises(NotAllowed):
        draw_up_ballot(actor=getattr(world, user), cycle=world.cycle)
    assert status_of(proposal) == ProposalStatus.FEASIBLE


@pytest.mark.django_db
@pytest.mark.parametrize("phase", ["information", "submission", "review", "voting", "results",
                                   "implementation"])
def test_the_ballot_is_drawn_up_only_in_the_deliberation_phase(phase):
    world = build_world(phase=phase)
    make_proposal(world, status=ProposalStatus.FEASIBLE)
    with pytest.raises(PhaseClosed):
        draw_up_ballot(actor=world.admin, cycle=world.cycle)


@pytest.mark.django_db
def test_supports_are_one_per_resident_and_can_be_withdrawn():
    world = build_world(phase="deliberation")
    proposal = make_proposal(world)
    assert support_proposal(user=world.resident, proposal=proposal) is True
    assert support_proposal(user=world.resident, proposal=proposal) is False
    assert Support.objects.filter(proposal=proposal).count() == 1
    assert withdraw_support(user=world.resident, proposal=proposal) is True
    assert withdraw_support(user=world.resident, proposal=proposal) is False
    assert not Support.objects.exists()


@pytest.mark.django_db
@pytest.mark.parametrize("phase", ["submission", "review", "voting"])
def test_supports_are_refused_outside_deliberation(phase):
    world = build_world(phase=phase)
    proposal = make_proposal(world, status=ProposalStatus.FEASIBLE)
    with pytest.raises(PhaseClosed):
        support_proposal(user=world.resident, proposal=proposal)
    assert not Support.objects.exists()


@pytest.mark.django_db
def test_supports_need_a_resident_account_and_a_feasible_proposal():
    world = build_world(phase="deliberation")
    proposal = make_proposal(world)
    with pytest.raises(NotAllowed):
        support_proposal(user=AnonymousUser(), proposal=proposal)
    with pytest.raises(NotAllowed):
        support_proposal(user=world.outsider, proposal=proposal)
    elsewhere = make_user("lormont@example.org",
                          commune=Commune.objects.create(name="Lormont", slug="lormont"))
    with pytest.raises(NotAllowed):  # a commune without an envelope in this budget
        support_proposal(user=elsewhere, proposal=proposal)
    assert support_proposal(user=world.floirac_resident, proposal=proposal)  # any commune of it
    Support.objects.all().delete()
    pending = make_proposal(world, title="En attente", feasible=False)
    with pytest.raises(Conflict):
        support_proposal(user=world.resident, proposal=pending)
    draw_up_ballot(actor=world.admin, cycle=world.cycle)
    with pytest.raises(Conflict):
        support_proposal(user=world.resident, proposal=proposal)
    assert not Support.objects.exists()


@pytest.mark.django_db
def test_record_outcomes_sets_funded_and_not_funded_and_is_idempotent():
    world = build_world(phase="results")
    winner = make_proposal(world, title="Gagnante")
    loser = make_proposal(world, title="Perdante")
    assert {status_of(winner), status_of(loser)} == {ProposalStatus.ON_BALLOT}
    record_outcomes(actor=world.admin, cycle=world.cycle, funded_ids=[winner.pk])
    assert status_of(winner) == ProposalStatus.FUNDED
    assert status_of(loser) == ProposalStatus.NOT_FUNDED
    record_outcomes(actor=world.admin, cycle=world.cycle, funded_ids=[winner.pk])
    assert AuditEvent.objects.filter(action="proposals.outcomes_recorded").count() == 1
    # A corrected result swaps them, but never moves a project already under way.
    set_implementation_status(actor=world.publisher, proposal=winner, status="in_progress")
    record_outcomes(actor=world.admin, cycle=world.cycle, funded_ids=[loser.pk])
    assert status_of(winner) == ProposalStatus.IN_PROGRESS
    assert status_of(loser) == ProposalStatus.FUNDED


@pytest.mark.django_db
def test_record_outcomes_refuses_non_administrators_and_foreign_ids():
    world = build_world(phase="results")
    proposal = make_proposal(world)
    outside = make_proposal(world, title="Jamais au vote", status=ProposalStatus.FEASIBLE)
    with pytest.raises(NotAllowed):
        record_outcomes(actor=world.committee_member, cycle=world.cycle, funded_ids=[proposal.pk])
    with pytest.raises(Conflict):
        record_outcomes(actor=world.admin, cycle=world.cycle, funded_ids=[outside.pk])
    assert status_of(proposal) == ProposalStatus.ON_BALLOT


@pytest.mark.django_db
def test_implementation_goes_funded_in_progress_delivered_and_never_back():
    world = build_world(phase="implementation")
    proposal = make_proposal(world, status=ProposalStatus.FUNDED)
    set_implementation_status(actor=world.publisher, proposal=proposal, status="in_progress")
    with pytest.raises(Conflict):
        set_implementation_status(actor=world.admin, proposal=proposal, status="in_progress")
    set_implementation_status(actor=world.admin, proposal=proposal, status="delivered")
    assert status_of(proposal) == ProposalStatus.DELIVERED
    with pytest.raises(Conflict):
        set_implementation_status(actor=world.admin, proposal=proposal, status="in_progress")
    events = AuditEvent.objects.filter(action="proposal.implementation_status")
    assert [e.payload["to"] for e in events.order_by("pk")] == ["in_progress", "delivered"]


@pytest.mark.django_db
def test_implementation_status_is_refused_to_others_and_to_unfunded_proposals():
    world = build_world(phase="implementation")
    funded = make_proposal(world, status=ProposalStatus.FUNDED)
    with pytest.raises(NotAllowed):
        set_implementation_status(actor=world.resident, proposal=funded, status="in_progress")
    floirac_publisher_less = make_proposal(world, title="Floirac", envelope=world.floirac_envelope,
                                           status=ProposalStatus.FUNDED)
    with pytest.raises(NotAllowed):  # the publisher is Cenon's
        set_implementation_status(actor=world.publisher, proposal=floirac_publisher_less,
                                  status="in_progress")
    not_funded = make_proposal(world, title="Perdante", status=ProposalStatus.NOT_FUNDED)
    with pytest.raises(Conflict):
        set_implementation_status(actor=world.admin, proposal=not_funded, status="in_progress")
    with pytest.raises(ValidationError):
        set_implementation_status(actor=world.admin, proposal=funded, status="funded")
    assert status_of(funded) == ProposalStatus.FUNDED


@pytest.mark.django_db
def test_set_phase_to_voting_puts_feasible_proposals_on_the_ballot_like_a_draw_up():
    world = build_world(phase="review")
    feasible = make_proposal(world)
    pending = make_proposal(world, title="Pas analysée", feasible=False)
    set_phase(world.cycle, "voting")
    assert status_of(feasible) == ProposalStatus.ON_BALLOT
    assert status_of(pending) == ProposalStatus.SUBMITTED


@pytest.mark.django_db
def test_ballot_proposals_filters_by_envelope():
    world = build_world(phase="voting")
    cenon = make_proposal(world, title="Cenon")
    floirac = make_proposal(world, title="Floirac", envelope=world.floirac_envelope)
    assert set(ballot_proposals(world.cycle)) == {cenon, floirac}
    assert list(ballot_proposals(world.cycle, [world.floirac_envelope])) == [floirac]
    assert list(ballot_proposals(world.cycle, world.cycle.envelopes.filter(commune=world.cenon))) \
        == [cenon]
