"""submit_proposal and review_proposal: who, when, what is checked, what is stored."""

import pytest
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import ValidationError

from audit.models import AuditEvent
from budgets.models import BudgetCycle, Envelope
from config.errors import NotAllowed, PhaseClosed
from proposals.models import Proposal, ProposalStatus, Review
from proposals.services import review_proposal, submit_proposal
from territory.models import District
from tests.builders import build_world, make_proposal


def submit(world, **overrides):
    args = {
        "author": world.resident, "cycle": world.cycle, "envelope": world.cenon_envelope,
        "title": "  Un jardin partagé ", "description": "Des bacs.", "category": "environment",
        "commune": world.cenon, "district": world.cenon_district,
        "estimated_cost_cents": 5_000_00,
    }
    args.update(overrides)
    return submit_proposal(**args)


@pytest.mark.django_db
def test_submit_proposal_creates_a_submitted_proposal():
    world = build_world(phase="submission")
    proposal = submit(world)
    assert proposal.title == "Un jardin partagé" and proposal.status == ProposalStatus.SUBMITTED
    assert proposal.estimated_cost_cents == 5_000_00 and proposal.validated_cost_cents is None


@pytest.mark.django_db
def test_submit_proposal_accepts_the_territory_wide_envelope_for_any_commune():
    world = build_world()
    proposal = submit(world, envelope=world.territory_envelope, commune=world.floirac,
                      district=None)
    assert proposal.envelope == world.territory_envelope


@pytest.mark.django_db
@pytest.mark.parametrize("phase", ["review", "deliberation", "voting", "results",
                                   "implementation", None])
def test_submit_proposal_is_refused_outside_submission(phase):
    world = build_world(phase=phase)
    with pytest.raises(PhaseClosed):
        submit(world)
    assert not Proposal.objects.exists()


@pytest.mark.django_db
def test_submit_proposal_refuses_anonymous_authors():
    world = build_world()
    with pytest.raises(NotAllowed):
        submit(world, author=AnonymousUser())


@pytest.mark.django_db
def test_submit_proposal_names_each_inconsistent_field():
    world = build_world()
    other_district = District.objects.create(commune=world.floirac, name="Dravemont",
                                             slug="dravemont")
    with pytest.raises(ValidationError) as info:
        submit(world, envelope=world.floirac_envelope, district=other_district, category="x",
               title=" ", description="", estimated_cost_cents=0)
    assert set(info.value.message_dict) == {"envelope", "district", "category", "title",
                                            "description", "estimated_cost_cents"}
    assert not Proposal.objects.exists()


@pytest.mark.django_db
def test_submit_proposal_refuses_an_envelope_of_another_cycle():
    world = build_world()
    other = BudgetCycle.objects.create(name="Autre", slug="autre")
    foreign = Envelope.objects.create(cycle=other, commune=world.cenon, name="E",
                                      amount_cents=10_000_00)
    with pytest.raises(ValidationError) as info:
        submit(world, envelope=foreign)
    assert "envelope" in info.value.message_dict


@pytest.mark.django_db
def test_submit_proposal_accepts_the_envelope_amount_but_not_one_cent_more():
    world = build_world()
    submit(world, estimated_cost_cents=world.cenon_envelope.amount_cents)
    with pytest.raises(ValidationError) as info:
        submit(world, estimated_cost_cents=world.cenon_envelope.amount_cents + 1)
    assert "estimated_cost_cents" in info.value.message_dict
    assert Proposal.objects.count() == 1


@pytest.mark.django_db
def test_the_refusal_over_the_envelope_names_its_amount_to_the_cent():
    world = build_world()
    envelope = world.cenon_envelope
    envelope.amount_cents = 2_500_50
    envelope.save(update_fields=["amount_cents"])
    with pytest.raises(ValidationError) as info:
        submit(world, estimated_cost_cents=2_500_51)
    assert info.value.message_dict["estimated_cost_cents"] == [
        "Le coût estimé dépasse le montant de l’enveloppe (2\u202f500,50 €)."]


@pytest.mark.django_db
@pytest.mark.parametrize("phase", ["submission", "review"])
def test_review_proposal_records_a_feasible_decision_and_an_audit_event(phase):
    world = build_world(phase=phase)
    proposal = make_proposal(world, feasible=False)
    review = review_proposal(reviewer=world.reviewer, proposal=proposal, decision="feasible",
                             validated_cost_cents=9_000_00, public_reason=" Chiffré. ")
    proposal.refresh_from_db()
    assert proposal.status == ProposalStatus.FEASIBLE
    assert proposal.validated_cost_cents == 9_000_00 and proposal.public_reason == "Chiffré."
    assert review.reviewer == world.reviewer
    event = AuditEvent.objects.get(action="proposal.reviewed")
    assert event.payload["decision"] == "feasible"
    assert event.payload["validated_cost_cents"] == 9_000_00


@pytest.mark.django_db
def test_a_later_unfeasible_review_clears_the_validated_cost():
    world = build_world(phase="review")
    proposal = make_proposal(world, feasible=False)
    review_proposal(reviewer=world.reviewer, proposal=proposal, decision="feasible",
                    validated_cost_cents=9_000_00)
    review_proposal(reviewer=world.reviewer, proposal=proposal, decision="unfeasible",
                    validated_cost_cents=9_000_00, public_reason="Terrain privé.")
    proposal.refresh_from_db()
    assert proposal.status == ProposalStatus.UNFEASIBLE
    assert proposal.validated_cost_cents is None and proposal.public_reason == "Terrain privé."
    assert Review.objects.count() == 2


@pytest.mark.django_db
def test_review_proposal_needs_a_reason_to_declare_unfeasible():
    world = build_world(phase="review")
    proposal = make_proposal(world, feasible=False)
    with pytest.raises(ValidationError) as info:
        review_proposal(reviewer=world.reviewer, proposal=proposal, decision="unfeasible",
                        public_reason="   ")
    assert "public_reason" in info.value.message_dict
    assert not Review.objects.exists()


@pytest.mark.django_db
@pytest.mark.parametrize("cost", [None, 0, -1, 100_000_01])
def test_review_proposal_needs_a_positive_cost_within_the_envelope(cost):
    world = build_world(phase="review")
    proposal = make_proposal(world, feasible=False)
    with pytest.raises(ValidationError) as info:
        review_proposal(reviewer=world.reviewer, proposal=proposal, decision="feasible",
                        validated_cost_cents=cost)
    assert "validated_cost_cents" in info.value.message_dict
    assert Proposal.objects.get().status == ProposalStatus.SUBMITTED


@pytest.mark.django_db
def test_review_proposal_refuses_an_unknown_decision():
    world = build_world(phase="review")
    with pytest.raises(ValidationError) as info:
        review_proposal(reviewer=world.reviewer, proposal=make_proposal(world, feasible=False),
                        decision="maybe", validated_cost_cents=10)
    assert "decision" in info.value.message_dict


@pytest.mark.django_db
@pytest.mark.parametrize("role", ["floirac_reviewer", "resident", "moderator", "facilitator",
                                  "committee_member", "publisher"])
def test_review_proposal_is_refused_to_anyone_but_the_commune_reviewer(role):
    world = build_world(phase="review")
    proposal = make_proposal(world, feasible=False)
    with pytest.raises(NotAllowed):
        review_proposal(reviewer=getattr(world, role), proposal=proposal, decision="unfeasible",
                        public_reason="Non.")
    assert not Review.objects.exists()


@pytest.mark.django_db
@pytest.mark.parametrize("phase", ["deliberation", "voting", "results", "implementation", None])
def test_review_proposal_is_refused_after_the_review_phase(phase):
    world = build_world(phase=phase)
    with pytest.raises(PhaseClosed):
        review_proposal(reviewer=world.reviewer, proposal=make_proposal(world, feasible=False),
                        decision="unfeasible", public_reason="Non.")
    assert not Review.objects.exists()
