"""set_timeline and close_phase_early: who may, what is checked, what is written, the audit."""

from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from audit.models import AuditEvent
from budgets.models import Phase, PhaseKind
from budgets.policy import Action
from budgets.services import (
    close_phase_early,
    current_phase_of,
    require_phase_allows,
    set_timeline,
)
from budgets.timeline import PlannedPhase
from config.errors import NotAllowed, PhaseClosed
from tests.builders import build_world

pytestmark = pytest.mark.django_db

NON_ADMINS = ["resident", "outsider", "moderator", "reviewer", "facilitator", "committee_member",
              "publisher"]


def planned(cycle):
    """The cycle's timeline in force, as PlannedPhase values."""
    return [PlannedPhase(PhaseKind(p.kind), p.starts_at, p.ends_at)
            for p in cycle.phases.order_by("starts_at")]


def dates(cycle):
    return {p.kind: (p.starts_at, p.ends_at) for p in cycle.phases.all()}


def replace(phases, kind, **changes):
    return [PlannedPhase(p.kind, changes.get("starts_at", p.starts_at), changes.get("ends_at", p.ends_at))
            if p.kind == kind else p for p in phases]


def test_an_administrator_lengthens_the_current_phase_and_moves_the_next_ones():
    w = build_world(phase=PhaseKind.SUBMISSION)
    phases = planned(w.cycle)
    week = timedelta(days=7)
    later = [PlannedPhase(p.kind, p.starts_at + week, p.ends_at + week) for p in phases
             if p.kind not in (PhaseKind.INFORMATION, PhaseKind.SUBMISSION)]
    submission = next(p for p in phases if p.kind == PhaseKind.SUBMISSION)
    proposed = [phases[0], PlannedPhase(PhaseKind.SUBMISSION, submission.starts_at,
                                        submission.ends_at + week), *later]

    result = set_timeline(actor=w.admin, cycle=w.cycle, phases=proposed)

    assert [(p.kind, p.starts_at, p.ends_at) for p in result] == [
        (p.kind, p.starts_at, p.ends_at) for p in proposed]
    assert dates(w.cycle)[PhaseKind.SUBMISSION][1] == submission.ends_at + week
    event = AuditEvent.objects.get(action="timeline.changed")
    assert event.actor == w.admin
    assert len(event.payload["before"]) == 7 and len(event.payload["after"]) == 7
    assert event.payload["before"] != event.payload["after"]


def test_adding_and_removing_phases_that_have_not_started():
    w = build_world(phase=PhaseKind.SUBMISSION)
    phases = [p for p in planned(w.cycle) if p.kind != PhaseKind.IMPLEMENTATION]

    set_timeline(actor=w.admin, cycle=w.cycle, phases=phases)
    assert PhaseKind.IMPLEMENTATION not in dates(w.cycle)

    results_end = phases[-1].ends_at
    back = [*phases, PlannedPhase(PhaseKind.IMPLEMENTATION, results_end + timedelta(days=1),
                                  results_end + timedelta(days=400))]
    set_timeline(actor=w.admin, cycle=w.cycle, phases=back)
    assert dates(w.cycle)[PhaseKind.IMPLEMENTATION][0] == results_end + timedelta(days=1)
    assert AuditEvent.objects.filter(action="timeline.changed").count() == 2


def test_saving_the_timeline_unchanged_writes_no_audit_event():
    w = build_world(phase=PhaseKind.REVIEW)
    before = dates(w.cycle)

    set_timeline(actor=w.admin, cycle=w.cycle, phases=planned(w.cycle))

    assert dates(w.cycle) == before
    assert not AuditEvent.objects.filter(action="timeline.changed").exists()


@pytest.mark.parametrize("role", NON_ADMINS)
def test_only_administrators_edit_the_timeline(role):
    w = build_world(phase=PhaseKind.SUBMISSION)
    before = dates(w.cycle)
    proposed = [p for p in planned(w.cycle) if p.kind != PhaseKind.IMPLEMENTATION]

    with pytest.raises(NotAllowed):
        set_timeline(actor=getattr(w, role), cycle=w.cycle, phases=proposed)

    assert dates(w.cycle) == before


def test_a_refused_timeline_reports_every_problem_in_french_and_writes_nothing():
    w = build_world(phase=PhaseKind.REVIEW)
    before = dates(w.cycle)
    phases = planned(w.cycle)
    now = timezone.now()
    proposed = replace(phases, PhaseKind.REVIEW, starts_at=now - timedelta(days=3))  # rule 5
    proposed = replace(proposed, PhaseKind.VOTING, ends_at=dates(w.cycle)[PhaseKind.VOTING][0])
    proposed = [p for p in proposed if p.kind != PhaseKind.SUBMISSION]  # rule 4

    with pytest.raises(ValidationError) as caught:
        set_timeline(actor=w.admin, cycle=w.cycle, phases=proposed)

    errors = caught.value.message_dict
    assert set(errors) == {"submission.kind", "review.starts_at", "voting.ends_at"}
    assert "« Dépôt des propositions » a commencé le" in errors["submission.kind"][0]
    assert "ne peut plus être retirée" in errors["submission.kind"][0]
    assert "son début (le " in errors["review.starts_at"][0]
    assert errors["voting.ends_at"] == ["La phase « Vote » doit finir après son début."]
    assert dates(w.cycle) == before
    assert not AuditEvent.objects.filter(action="timeline.changed").exists()


def test_an_overlap_names_the_previous_phase_and_its_end():
    w = build_world(phase=PhaseKind.SUBMISSION)
    phases = planned(w.cycle)
    deliberation_end = dates(w.cycle)[PhaseKind.DELIBERATION][1]
    proposed = replace(phases, PhaseKind.VOTING, starts_at=deliberation_end - timedelta(hours=1))

    with pytest.raises(ValidationError) as caught:
        set_timeline(actor=w.admin, cycle=w.cycle, phases=proposed)

    [message] = caught.value.message_dict["voting.starts_at"]
    assert message.startswith("La phase « Vote » doit commencer après la fin de la phase "
                              "« Débat et soutiens » (le ")
    assert "sans se chevaucher" in message


def test_a_current_phase_cannot_be_ended_in_the_past_through_the_editor():
    w = build_world(phase=PhaseKind.DELIBERATION)
    proposed = replace(planned(w.cycle), PhaseKind.DELIBERATION,
                       ends_at=timezone.now() - timedelta(minutes=1))

    with pytest.raises(ValidationError) as caught:
        set_timeline(actor=w.admin, cycle=w.cycle, phases=proposed)

    assert "Clore cette phase maintenant" in caught.value.message_dict["deliberation.ends_at"][0]


def test_a_future_phase_cannot_be_back_dated():
    w = build_world(phase=PhaseKind.SUBMISSION)
    submission_end = dates(w.cycle)[PhaseKind.SUBMISSION][1]
    proposed = replace(planned(w.cycle), PhaseKind.SUBMISSION, ends_at=timezone.now() + timedelta(hours=1))
    proposed = replace(proposed, PhaseKind.REVIEW, starts_at=timezone.now() - timedelta(hours=1))

    with pytest.raises(ValidationError) as caught:
        set_timeline(actor=w.admin, cycle=w.cycle, phases=proposed)

    assert "review.starts_at" in caught.value.message_dict
    assert dates(w.cycle)[PhaseKind.SUBMISSION][1] == submission_end


# -- close_phase_early ------------------------------------------------------------------


def test_closing_submission_early_ends_it_now_and_opens_review_now():
    w = build_world(phase=PhaseKind.SUBMISSION)
    review_end = dates(w.cycle)[PhaseKind.REVIEW][1]

    opened = close_phase_early(actor=w.admin, cycle=w.cycle)

    assert opened.kind == PhaseKind.REVIEW
    submission_end = dates(w.cycle)[PhaseKind.SUBMISSION][1]
    assert submission_end <= timezone.now()
    assert dates(w.cycle)[PhaseKind.REVIEW] == (submission_end, review_end)
    assert current_phase_of(w.cycle).kind == PhaseKind.REVIEW
    with pytest.raises(PhaseClosed):
        require_phase_allows(w.cycle, Action.SUBMIT)
    event = AuditEvent.objects.get(action="phase.closed_early")
    assert event.actor == w.admin
    assert event.payload["kind"] == "submission"
    assert event.payload["next_kind"] == "review"


def test_closing_early_without_starting_the_next_phase_leaves_a_gap():
    w = build_world(phase=PhaseKind.DELIBERATION)
    voting_before = dates(w.cycle)[PhaseKind.VOTING]

    opened = close_phase_early(actor=w.admin, cycle=w.cycle, start_next=False)

    assert opened is None
    assert dates(w.cycle)[PhaseKind.VOTING] == voting_before
    assert current_phase_of(w.cycle) is None
    assert "next_kind" not in AuditEvent.objects.get(action="phase.closed_early").payload


def test_closing_the_last_phase_opens_nothing():
    w = build_world(phase=PhaseKind.IMPLEMENTATION)

    assert close_phase_early(actor=w.admin, cycle=w.cycle) is None
    assert current_phase_of(w.cycle) is None


def test_closing_voting_early_keeps_the_close_voting_guarantees():
    w = build_world(phase=PhaseKind.VOTING)
    Phase.objects.filter(cycle=w.cycle, kind=PhaseKind.RESULTS).delete()

    opened = close_phase_early(actor=w.admin, cycle=w.cycle, start_next=False)

    assert opened.kind == PhaseKind.RESULTS  # voting always opens the results
    assert current_phase_of(w.cycle).kind == PhaseKind.RESULTS
    assert AuditEvent.objects.filter(action="voting.closed").count() == 1
    assert not AuditEvent.objects.filter(action="phase.closed_early").exists()
    with pytest.raises(PhaseClosed):
        require_phase_allows(w.cycle, Action.VOTE)


def test_closing_early_with_no_phase_under_way_is_refused():
    w = build_world(phase=None)
    before = dates(w.cycle)

    with pytest.raises(PhaseClosed, match="Aucune phase n’est en cours"):
        close_phase_early(actor=w.admin, cycle=w.cycle)

    assert dates(w.cycle) == before


@pytest.mark.parametrize("role", NON_ADMINS)
def test_only_administrators_close_a_phase_early(role):
    w = build_world(phase=PhaseKind.SUBMISSION)
    before = dates(w.cycle)

    with pytest.raises(NotAllowed):
        close_phase_early(actor=getattr(w, role), cycle=w.cycle)

    assert dates(w.cycle) == before
    assert not AuditEvent.objects.exists()


def test_a_closed_phase_is_history_for_the_editor():
    w = build_world(phase=PhaseKind.SUBMISSION)
    close_phase_early(actor=w.admin, cycle=w.cycle)
    submission_start, submission_end = dates(w.cycle)[PhaseKind.SUBMISSION]
    proposed = replace(planned(w.cycle), PhaseKind.SUBMISSION,
                       ends_at=submission_end + timedelta(days=1))

    with pytest.raises(ValidationError) as caught:
        set_timeline(actor=w.admin, cycle=w.cycle, phases=proposed)

    assert "submission.ends_at" in caught.value.message_dict
