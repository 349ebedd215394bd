"""Role × phase × action: every combination tried through the real services.

Two tables are written out here, by hand, from the rules of the participatory budget (not
read from the code under test): ``ROLE_MAY`` (who may do what when the phase allows it) and
``OPEN_IN`` (in which phases each action is open; ``test_the_written_phase_table_is_the_policy``
checks that ``budgets.policy.ALLOWED_ACTIONS`` says the same). Each cell then calls the
service and expects:

- allowed role, open phase: the service succeeds;
- allowed role, closed phase: PhaseClosed;
- refused role, open phase: NotAllowed (NotEligible for a vote);
- refused role, closed phase: either refusal.

Anything else (a Conflict, a ValidationError, a crash) is a failure: it means the world
below does not give an allowed person a fair chance, or a service refuses for a wrong
reason. Each attempt runs in a savepoint that is rolled back, so cells do not influence
each other. The cycle requires a verification to vote (``required_verification="any"``),
so the resident and the verified resident differ.
"""

from datetime import timedelta

import pytest
from django.contrib.auth.models import AnonymousUser
from django.db import transaction
from django.utils import timezone

from budgets.models import PhaseKind
from budgets.policy import ALLOWED_ACTIONS, Action
from budgets.policy import PhaseKind as Kind
from budgets.services import close_phase_early, close_voting, set_timeline
from budgets.timeline import PlannedPhase
from config.errors import NotAllowed, NotEligible, PhaseClosed
from deliberation.models import Comment, Flag
from deliberation.services import (
    delete_comment,
    dismiss_flags,
    edit_comment,
    flag_comment,
    hide_comment,
    post_comment,
    react,
    record_workshop,
    suspend_commenter,
)
from implementation.services import publish_commune_report, record_milestone
from proposals.models import Proposal, ProposalStatus
from proposals.services import (
    draw_up_ballot,
    edit_proposal,
    invite_co_author,
    merge_proposals,
    record_outcomes,
    review_proposal,
    submit_draft,
    submit_proposal,
    support_proposal,
    take_into_review,
    withdraw_support,
)
from tests.builders import build_world, make_proposal, make_user, set_phase
from voting.eligibility import generate_codes, verify_in_person
from voting.models import InPersonEvent, ResultPublication, Verification, VerificationMethod
from voting.paper import create_event, register_paper_voter
from voting.publication import funded_ids, publish_results
from voting.services import cast_ballot
from voting.tally import certify_result, run_tally

pytestmark = pytest.mark.django_db

ROLES = ["anonymous", "resident", "verified_resident", "author", "moderator", "reviewer",
         "facilitator", "committee_member", "publisher", "admin",
         # Two more refusals worth checking: no commune at all, and another commune's services.
         "outsider", "floirac_reviewer"]
SIGNED_IN = set(ROLES) - {"anonymous"}
# Accounts with a commune of the cycle (the moderator lives in Cenon).
RESIDENTS = {"resident", "verified_resident", "author", "moderator"}

# Actions outside budgets.policy.Action: the phase does not matter for them.
MODERATE = "moderate"                # hide a comment (moderation)
RECORD_WORKSHOP = "record_workshop"  # record an in-person workshop
PUBLISH_REPORT = "publish_report"    # publish a commune's decision report (Action.PUBLISH)
TAKE_INTO_REVIEW = "take_into_review"  # a reviewer takes a proposal (Action.REVIEW)
WITHDRAW_SUPPORT = "withdraw_support"  # withdraw one's support (Action.SUPPORT)
SUSPEND = "suspend_commenter"        # moderation: keep someone from commenting
EDIT_TIMELINE = "edit_timeline"      # administrators edit the phases' dates
CLOSE_PHASE = "close_phase_early"    # administrators end the current phase now
EDIT_OWN_COMMENT = "edit_own_comment"      # Action.COMMENT
EDIT_OTHERS_COMMENT = "edit_others_comment"  # nobody, not even a moderator
DELETE_OWN_COMMENT = "delete_own_comment"  # Action.COMMENT
SUBMIT_DRAFT = "submit_draft"        # Action.SUBMIT, by the draft's author
INVITE_CO_AUTHOR = "invite_co_author"  # Action.EDIT_PROPOSAL, by the author
DISMISS_FLAGS = "dismiss_flags"      # moderation
VERIFY_IN_PERSON = "verify_in_person"  # a facilitator vouches for a resident of the commune
GENERATE_CODES = "generate_codes"    # voting codes for a commune (administrators)
CLOSE_VOTING = "close_voting"        # administrators, while the vote is open
PAPER_EVENT = "paper_event"          # a facilitator opens an in-person voting event (Action.VOTE)
PAPER_VOTER = "paper_voter"          # ... and records a resident's paper vote there

ACTIONS = [Action.SUBMIT, Action.EDIT_PROPOSAL, Action.COMMENT, Action.REACT, Action.FLAG,
           Action.SUPPORT, Action.REVIEW, Action.MERGE, Action.DRAW_UP_BALLOT, Action.VOTE,
           Action.TALLY, Action.CERTIFY, Action.PUBLISH, PUBLISH_REPORT, Action.TRACK,
           MODERATE, RECORD_WORKSHOP, TAKE_INTO_REVIEW, WITHDRAW_SUPPORT, SUSPEND,
           EDIT_TIMELINE, CLOSE_PHASE, EDIT_OWN_COMMENT, EDIT_OTHERS_COMMENT, DELETE_OWN_COMMENT,
           SUBMIT_DRAFT, INVITE_CO_AUTHOR, DISMISS_FLAGS, VERIFY_IN_PERSON, GENERATE_CODES,
           CLOSE_VOTING, PAPER_EVENT, PAPER_VOTER]

ROLE_MAY = {
    Action.SUBMIT: SIGNED_IN,                  # anyone signed in proposes
    Action.EDIT_PROPOSAL: {"author"},          # only its authors edit a proposal
    Action.COMMENT: SIGNED_IN,                 # the cycle lets unverified accounts comment
    Action.REACT: SIGNED_IN,
    Action.FLAG: SIGNED_IN,
    Action.SUPPORT: RESIDENTS,                 # residents of a commune of the territory
    Action.REVIEW: {"reviewer"},               # the services of the proposal's commune
    Action.MERGE: {"reviewer"},
    Action.DRAW_UP_BALLOT: {"admin"},
    Action.VOTE: {"verified_resident"},        # a resident, verified for this cycle
    Action.TALLY: {"admin"},
    Action.CERTIFY: {"committee_member"},
    Action.PUBLISH: {"admin"},                 # the results
    PUBLISH_REPORT: {"publisher", "admin"},    # the commune's report: its publisher or an admin
    Action.TRACK: {"publisher", "admin"},      # milestones of a funded project of the commune
    MODERATE: {"moderator", "admin"},
    RECORD_WORKSHOP: {"facilitator", "admin"},
    TAKE_INTO_REVIEW: {"reviewer"},
    WITHDRAW_SUPPORT: SIGNED_IN,               # nothing to withdraw is not an error
    SUSPEND: {"moderator", "admin"},
    EDIT_TIMELINE: {"admin"},
    CLOSE_PHASE: {"admin"},
    EDIT_OWN_COMMENT: SIGNED_IN,
    EDIT_OTHERS_COMMENT: set(),
    DELETE_OWN_COMMENT: SIGNED_IN,
    SUBMIT_DRAFT: {"author"},
    INVITE_CO_AUTHOR: {"author"},
    DISMISS_FLAGS: {"moderator", "admin"},
    VERIFY_IN_PERSON: {"facilitator"},         # of the resident's commune; not administrators
    GENERATE_CODES: {"admin"},
    CLOSE_VOTING: {"admin"},
    PAPER_EVENT: {"facilitator"},              # of the event's commune
    PAPER_VOTER: {"facilitator"},
}

INF, S, R, D, V, RE, IM = (Kind.INFORMATION, Kind.SUBMISSION, Kind.REVIEW, Kind.DELIBERATION,
                           Kind.VOTING, Kind.RESULTS, Kind.IMPLEMENTATION)
EVERY_PHASE = {INF, S, R, D, V, RE, IM}
ANY_TIME = EVERY_PHASE | {None}  # also between phases
OPEN_IN = {
    Action.SUBMIT: {S},
    Action.EDIT_PROPOSAL: {S},
    Action.COMMENT: EVERY_PHASE,
    Action.REACT: EVERY_PHASE,
    Action.FLAG: EVERY_PHASE,
    Action.SUPPORT: {D},
    Action.REVIEW: {S, R},
    Action.MERGE: {S, R},
    Action.DRAW_UP_BALLOT: {D},
    Action.VOTE: {V},
    Action.TALLY: {RE},
    Action.CERTIFY: {RE},
    Action.PUBLISH: {RE, IM},
    PUBLISH_REPORT: {RE, IM},
    Action.TRACK: {IM},
    MODERATE: ANY_TIME,
    RECORD_WORKSHOP: ANY_TIME,
    TAKE_INTO_REVIEW: {S, R},
    WITHDRAW_SUPPORT: {D},
    SUSPEND: ANY_TIME,
    EDIT_TIMELINE: ANY_TIME,
    CLOSE_PHASE: EVERY_PHASE,                  # there must be a phase under way to close
    EDIT_OWN_COMMENT: EVERY_PHASE,
    EDIT_OTHERS_COMMENT: EVERY_PHASE,
    DELETE_OWN_COMMENT: EVERY_PHASE,
    SUBMIT_DRAFT: {S},
    INVITE_CO_AUTHOR: {S},
    DISMISS_FLAGS: ANY_TIME,
    VERIFY_IN_PERSON: ANY_TIME,
    GENERATE_CODES: ANY_TIME,
    CLOSE_VOTING: {V},
    PAPER_EVENT: {V},
    PAPER_VOTER: {V},
}
PHASES = [*Kind, None]


class World:
    """The cycle with something to act on for every action, then put in the phase tested.

    A submitted proposal (edit, review), a feasible one with a comment (support, react,
    flag, moderate, merge target) and a submitted duplicate, a proposal on the ballot with
    one vote, tallied and certified (quorum 1) but not published.
    """

    def __init__(self):
        w = self.w = build_world(phase=PhaseKind.VOTING, quorum=1)
        w.cycle.required_verification = "any"
        w.cycle.save(update_fields=["required_verification"])
        w.users["author"] = make_user("author@example.org", commune=w.cenon, display_name="Chloé")
        w.users["verified_resident"] = make_user("verified@example.org", commune=w.cenon)
        for user in (w.verified_resident, w.second_resident):
            Verification.objects.create(cycle=w.cycle, user=user, commune=w.cenon,
                                        method=VerificationMethod.IN_PERSON,
                                        verified_at=timezone.now(), verified_by=w.facilitator)
        self.on_ballot = make_proposal(w, title="Bancs", author=w.author,
                                       status=ProposalStatus.ON_BALLOT)
        cast_ballot(voter=w.second_resident, cycle=w.cycle, proposal_ids=[self.on_ballot.pk])
        set_phase(w.cycle, PhaseKind.RESULTS)
        self.run = run_tally(actor=w.admin, cycle=w.cycle)
        certify_result(member=w.second_committee_member, tally_run=self.run)
        assert funded_ids(self.run) == [self.on_ballot.pk]
        # Created after the tally, so that they are not in it.
        self.submitted = make_proposal(w, title="Fontaine", author=w.author, feasible=False)
        self.feasible = make_proposal(w, title="Jardin", author=w.author,
                                      status=ProposalStatus.FEASIBLE)
        self.duplicate = make_proposal(w, title="Jardin partagé", author=w.second_resident,
                                       status=ProposalStatus.SUBMITTED)
        self.draft = make_proposal(w, title="Nichoirs", author=w.author, feasible=False,
                                   status=ProposalStatus.DRAFT)
        self.event = InPersonEvent.objects.create(cycle=w.cycle, commune=w.cenon, place="Mairie",
                                                  held_on=timezone.localdate(),
                                                  created_by=w.facilitator)
        self.comment = post_comment(author=w.second_resident, proposal=self.feasible,
                                    body="Bonne idée.")
        Flag.objects.create(comment=self.comment, reporter=w.floirac_resident, reason="spam")

    def enter(self, phase):
        """Put the cycle in ``phase``; the feasible proposal stays feasible (set_phase puts
        feasible proposals on the ballot from the vote on)."""
        set_phase(self.w.cycle, phase)
        Proposal.objects.filter(pk=self.feasible.pk).update(status=ProposalStatus.FEASIBLE)

    def user(self, role):
        return AnonymousUser() if role == "anonymous" else getattr(self.w, role)

    def publish_directly(self):
        """Results published, written straight to the tables (no phase check): what the
        report and the milestones need, whatever the phase tested."""
        w = self.w
        ResultPublication.objects.create(cycle=w.cycle, tally_run=self.run,
                                         published_at=timezone.now(), published_by=w.admin)
        record_outcomes(actor=w.admin, cycle=w.cycle, funded_ids=[self.on_ballot.pk])
        self.on_ballot.refresh_from_db()

    def attempt(self, action, user):
        w = self.w
        if action == Action.SUBMIT:
            submit_proposal(author=user, cycle=w.cycle, envelope=w.cenon_envelope, title="Un abri",
                            description="Un abri pour les vélos.", category="mobility",
                            commune=w.cenon, district=None, estimated_cost_cents=5_000_00)
        elif action == Action.EDIT_PROPOSAL:
            edit_proposal(editor=user, proposal=self.submitted, title="Une fontaine à boire")
        elif action == Action.COMMENT:
            post_comment(author=user, proposal=self.feasible, body="Je suis pour.")
        elif action == Action.REACT:
            react(user=user, comment=self.comment, value="up")
        elif action == Action.FLAG:
            flag_comment(reporter=user, comment=self.comment, reason="spam")
        elif action == Action.SUPPORT:
            support_proposal(user=user, proposal=self.feasible)
        elif action == Action.REVIEW:
            review_proposal(reviewer=user, proposal=self.submitted, decision="feasible",
                            validated_cost_cents=6_000_00)
        elif action == Action.MERGE:
            merge_proposals(reviewer=user, duplicate=self.duplicate, target=self.feasible)
        elif action == Action.DRAW_UP_BALLOT:
            draw_up_ballot(actor=user, cycle=w.cycle)
        elif action == Action.VOTE:
            cast_ballot(voter=user, cycle=w.cycle, proposal_ids=[self.on_ballot.pk])
        elif action == Action.TALLY:
            run_tally(actor=user, cycle=w.cycle)
        elif action == Action.CERTIFY:
            certify_result(member=user, tally_run=self.run)
        elif action == Action.PUBLISH:
            publish_results(actor=user, cycle=w.cycle)
        elif action == PUBLISH_REPORT:
            self.publish_directly()
            publish_commune_report(actor=user, cycle=w.cycle, commune=w.cenon)
        elif action == Action.TRACK:
            self.publish_directly()
            record_milestone(actor=user, proposal=self.on_ballot, happened_on=timezone.localdate(),
                             title="Travaux commencés", progress=10)
        elif action == MODERATE:
            hide_comment(moderator=user, comment=self.comment, reason="Message publicitaire.")
        elif action == RECORD_WORKSHOP:
            record_workshop(facilitator=user, cycle=w.cycle, commune=w.cenon,
                            held_on=timezone.localdate() - timedelta(days=1), place="Salle Palmer",
                            attendance=12, minutes="Douze habitants ont discuté des jardins.")
        elif action == TAKE_INTO_REVIEW:
            take_into_review(reviewer=user, proposal=self.submitted)
        elif action == WITHDRAW_SUPPORT:
            withdraw_support(user=user, proposal=self.feasible)
        elif action == SUSPEND:
            suspend_commenter(moderator=user, cycle=w.cycle, user=w.second_resident,
                              reason="Messages répétés.")
        elif action == EDIT_TIMELINE:
            phases = list(w.cycle.phases.order_by("starts_at"))
            last = phases[-1]
            later = [PlannedPhase(Kind(p.kind), p.starts_at, p.ends_at) for p in phases[:-1]]
            set_timeline(actor=user, cycle=w.cycle, phases=[*later, PlannedPhase(
                Kind(last.kind), last.starts_at, last.ends_at + timedelta(days=1))])
        elif action == CLOSE_PHASE:
            close_phase_early(actor=user, cycle=w.cycle)
        elif action in (EDIT_OWN_COMMENT, DELETE_OWN_COMMENT):
            own = (Comment.objects.create(cycle=w.cycle, proposal=self.feasible, author=user,
                                          body="Mon avis.")
                   if user.is_authenticated else self.comment)
            if action == EDIT_OWN_COMMENT:
                edit_comment(author=user, comment=own, body="Mon avis, précisé.", stance="for")
            else:
                delete_comment(author=user, comment=own)
        elif action == EDIT_OTHERS_COMMENT:
            edit_comment(author=user, comment=self.comment, body="Réécrit.", stance="against")
        elif action == SUBMIT_DRAFT:
            submit_draft(author=user, proposal=self.draft)
        elif action == INVITE_CO_AUTHOR:
            invite_co_author(author=user, proposal=self.submitted, email="second@example.org")
        elif action == DISMISS_FLAGS:
            dismiss_flags(moderator=user, comment=self.comment)
        elif action == VERIFY_IN_PERSON:
            verify_in_person(facilitator=user, cycle=w.cycle, resident=w.resident)
        elif action == GENERATE_CODES:
            generate_codes(actor=user, cycle=w.cycle, commune=w.cenon, count=2)
        elif action == CLOSE_VOTING:
            close_voting(actor=user, cycle=w.cycle)
        elif action == PAPER_EVENT:
            create_event(facilitator=user, cycle=w.cycle, commune=w.cenon, place="Mairie",
                         held_on=timezone.localdate())
        elif action == PAPER_VOTER:
            register_paper_voter(facilitator=user, event=self.event, voter=w.resident)
        else:  # pragma: no cover - a new action must get its attempt
            raise AssertionError(f"no attempt written for {action}")

    def outcome(self, action, role):
        # Services update the objects they are given (status, merged_into...): reload them,
        # so that a rolled-back attempt leaves nothing behind in memory either.
        for obj in (self.on_ballot, self.submitted, self.feasible, self.duplicate, self.draft,
                    self.comment, self.run, self.w.cycle, self.w.resident):
            obj.refresh_from_db()
        try:
            with transaction.atomic():
                self.attempt(action, self.user(role))
                transaction.set_rollback(True)
        except PhaseClosed:
            return "phase_closed"
        except (NotAllowed, NotEligible):
            return "not_allowed"
        except Exception as error:  # noqa: BLE001 - any other outcome is a finding
            return f"unexpected {type(error).__name__}: {error}"
        return "done"


def expected(role, action, phase):
    role_ok, phase_ok = role in ROLE_MAY[action], phase in OPEN_IN[action]
    if role_ok and phase_ok:
        return {"done"}
    if role_ok:
        return {"phase_closed"}
    if phase_ok:
        return {"not_allowed"}
    return {"not_allowed", "phase_closed"}


@pytest.mark.parametrize("phase", PHASES, ids=[str(p) for p in PHASES])
def test_permission_matrix(phase):
    world = World()
    world.enter(phase)
    mismatches = {}
    for action in ACTIONS:
        for role in ROLES:
            got = world.outcome(action, role)
            if got not in expected(role, action, phase):
                mismatches[f"{action} by {role}"] = f"got {got}, expected {expected(role, action, phase)}"
    assert mismatches == {}


def test_the_written_phase_table_is_the_policy():
    for action in Action:
        assert action in OPEN_IN, f"{action} is missing from the matrix"
        in_policy = {kind for kind in Kind if action in ALLOWED_ACTIONS[kind]}
        assert OPEN_IN[action] == in_policy, action


def test_every_action_and_role_of_the_matrix_has_its_expectation():
    assert set(ROLE_MAY) == set(ACTIONS) == set(OPEN_IN)
    assert all(ROLE_MAY[a] <= set(ROLES) for a in ACTIONS)
    assert {r for r in ROLES} >= {"anonymous", "resident", "verified_resident", "author",
                                  "moderator", "reviewer", "facilitator", "committee_member",
                                  "publisher", "admin"}
