"""Role × phase × action: every combination tried through the services.

An action is expected to succeed exactly when the role may do it (ROLE_MAY) and the
current phase allows it (budgets.policy.ALLOWED_ACTIONS). Each attempt runs in a
savepoint that is rolled back, so the cells do not influence each other.
"""

import pytest
from django.contrib.auth.models import AnonymousUser
from django.db import transaction

from budgets.models import PhaseKind
from budgets.policy import ALLOWED_ACTIONS, Action
from budgets.policy import PhaseKind as Kind
from config.errors import DomainError
from deliberation.services import post_comment
from proposals.services import review_proposal, submit_proposal
from tests.builders import build_world, make_proposal, set_phase
from voting.models import TallyRun
from voting.services import cast_ballot
from voting.tally import certify_result, run_tally

pytestmark = pytest.mark.django_db

ROLES = ["anonymous", "resident", "outsider", "reviewer", "floirac_reviewer", "moderator",
         "facilitator", "committee_member", "publisher", "admin"]
ACTIONS = [Action.SUBMIT, Action.COMMENT, Action.REVIEW, Action.VOTE, Action.TALLY, Action.CERTIFY]
ROLE_MAY = {
    # Any signed-in person may propose and comment.
    Action.SUBMIT: set(ROLES) - {"anonymous"},
    Action.COMMENT: set(ROLES) - {"anonymous"},
    # Only the services of the proposal's commune (Cenon) review it.
    Action.REVIEW: {"reviewer"},
    # Residents of a commune of the cycle vote (the moderator lives in Cenon).
    Action.VOTE: {"resident", "moderator"},
    Action.TALLY: {"admin"},
    Action.CERTIFY: {"committee_member"},
}
PHASES = [k for k, _label in PhaseKind.choices] + [None]


class Attempt:
    def __init__(self, world):
        self.w = world
        self.proposal = make_proposal(world, title="Bancs", cost_cents=10_000_00)
        self.pending = make_proposal(world, title="Fontaine", feasible=False)
        set_phase(world.cycle, PhaseKind.RESULTS)
        self.run = run_tally(actor=world.admin, cycle=world.cycle)

    def __call__(self, action, user):
        w = self.w
        if action == Action.SUBMIT:
            submit_proposal(author=user, cycle=w.cycle, envelope=w.cenon_envelope, title="Un abri",
                            description="Un abri vélo.", category="mobility", commune=w.cenon,
                            district=None, estimated_cost_cents=5_000_00)
        elif action == Action.COMMENT:
            post_comment(author=user, proposal=self.proposal, body="Bonne idée.")
        elif action == Action.REVIEW:
            review_proposal(reviewer=user, proposal=self.pending, decision="feasible",
                            validated_cost_cents=6_000_00)
        elif action == Action.VOTE:
            cast_ballot(voter=user, cycle=w.cycle, proposal_ids=[self.proposal.pk])
        elif action == Action.TALLY:
            TallyRun.objects.all().delete()
            run_tally(actor=user, cycle=w.cycle)
        elif action == Action.CERTIFY:
            certify_result(member=user, tally_run=self.run)


def succeeds(attempt, action, user):
    try:
        with transaction.atomic():
            attempt(action, user)
            transaction.set_rollback(True)
    except DomainError:
        return False
    return True


@pytest.mark.parametrize("phase", PHASES)
@pytest.mark.parametrize("action", ACTIONS)
def test_permission_matrix(phase, action):
    world = build_world(phase=None)
    attempt = Attempt(world)
    set_phase(world.cycle, phase)
    phase_ok = phase is not None and action in ALLOWED_ACTIONS[Kind(phase)]
    mismatches = {}
    for role in ROLES:
        user = AnonymousUser() if role == "anonymous" else getattr(world, role)
        expected = phase_ok and role in ROLE_MAY[action]
        if succeeds(attempt, action, user) != expected:
            mismatches[role] = "expected allowed" if expected else "expected refused"
    assert mismatches == {}
