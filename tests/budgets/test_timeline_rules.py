"""The pure rules of budgets.timeline.check_timeline, one or more cases per rule."""

from datetime import UTC, datetime, timedelta

import pytest

from budgets.policy import PhaseKind as K
from budgets.timeline import Code, PlannedPhase, check_timeline, next_phase_after

NOW = datetime(2027, 3, 15, 12, 0, tzinfo=UTC)
DAY = timedelta(days=1)


def p(kind, start_days, end_days):
    """A phase from NOW + start_days to NOW + end_days."""
    return PlannedPhase(kind, NOW + start_days * DAY, NOW + end_days * DAY)


def codes(problems):
    return [(pb.key, pb.code) for pb in problems]


# In force: submission over, review under way, deliberation and voting to come.
IN_FORCE = [p(K.SUBMISSION, -40, -10), p(K.REVIEW, -10, 5), p(K.DELIBERATION, 5, 20),
            p(K.VOTING, 20, 30)]


def test_the_timeline_in_force_resubmitted_unchanged_is_accepted():
    assert check_timeline(IN_FORCE, IN_FORCE, NOW) == []


def test_a_new_timeline_in_the_future_with_gaps_and_touching_phases_is_accepted():
    proposed = [p(K.INFORMATION, 1, 2), p(K.SUBMISSION, 2, 10), p(K.VOTING, 15, 20),
                p(K.RESULTS, 20, 40)]
    assert check_timeline(proposed, [], NOW) == []


def test_an_empty_timeline_is_accepted_when_nothing_has_started():
    assert check_timeline([], [p(K.VOTING, 1, 2)], NOW) == []


def test_rule_0_dates_out_of_range_are_the_only_problems_reported():
    proposed = [PlannedPhase(K.SUBMISSION, NOW + DAY, datetime(9999, 12, 31, 23, 59, tzinfo=UTC)),
                PlannedPhase(K.VOTING, datetime(1999, 12, 31, 23, 59, tzinfo=UTC), NOW + 2 * DAY)]
    problems = check_timeline(proposed, IN_FORCE, NOW)
    assert codes(problems) == [("submission.ends_at", Code.OUT_OF_RANGE),
                               ("voting.starts_at", Code.OUT_OF_RANGE)]


def test_rule_0_the_bounds_themselves():
    start = datetime(2000, 1, 1, tzinfo=UTC)
    assert check_timeline([PlannedPhase(K.VOTING, start, start + DAY)], [], start) == []
    end = datetime(2100, 1, 1, tzinfo=UTC)
    problems = check_timeline([PlannedPhase(K.VOTING, NOW, end)], [], NOW)
    assert codes(problems) == [("voting.ends_at", Code.OUT_OF_RANGE)]


def test_rule_1_a_kind_appears_once():
    problems = check_timeline([p(K.VOTING, 1, 2), p(K.VOTING, 3, 4)], [], NOW)
    assert codes(problems) == [("voting.kind", Code.DUPLICATE_KIND)]


@pytest.mark.parametrize("end_days", [1, 0.5])
def test_rule_2_a_phase_ends_strictly_after_it_starts(end_days):
    problems = check_timeline([p(K.VOTING, 1, end_days)], [], NOW)
    assert codes(problems) == [("voting.ends_at", Code.END_NOT_AFTER_START)]


def test_rule_3_phases_may_not_overlap():
    problems = check_timeline([p(K.SUBMISSION, 1, 10), p(K.REVIEW, 9, 20)], [], NOW)
    assert codes(problems) == [("review.starts_at", Code.STARTS_BEFORE_PREVIOUS_ENDS)]
    assert problems[0].other_kind == K.SUBMISSION
    assert problems[0].moment == NOW + 10 * DAY


def test_rule_3_phases_follow_the_order_of_the_kinds_whatever_the_list_order():
    # Voting dated before submission: voting is "after" submission in the fixed order.
    problems = check_timeline([p(K.VOTING, 1, 5), p(K.SUBMISSION, 10, 20)], [], NOW)
    assert codes(problems) == [("voting.starts_at", Code.STARTS_BEFORE_PREVIOUS_ENDS)]
    # The same phases listed in any order are judged the same.
    assert check_timeline([p(K.RESULTS, 10, 20), p(K.VOTING, 1, 5)], [], NOW) == []


def test_rule_3_compares_with_the_previous_phase_present_skipping_absent_kinds():
    problems = check_timeline([p(K.INFORMATION, 1, 10), p(K.VOTING, 5, 20)], [], NOW)
    assert codes(problems) == [("voting.starts_at", Code.STARTS_BEFORE_PREVIOUS_ENDS)]
    assert problems[0].other_kind == K.INFORMATION


def test_rule_4_a_started_phase_cannot_be_removed():
    proposed = [ph for ph in IN_FORCE if ph.kind != K.SUBMISSION]
    assert codes(check_timeline(proposed, IN_FORCE, NOW)) == [
        ("submission.kind", Code.STARTED_REMOVED)]
    proposed = [ph for ph in IN_FORCE if ph.kind != K.REVIEW]
    assert ("review.kind", Code.STARTED_REMOVED) in codes(check_timeline(proposed, IN_FORCE, NOW))


def test_rule_4_a_phase_not_started_may_be_removed():
    proposed = [ph for ph in IN_FORCE if ph.kind != K.VOTING]
    assert check_timeline(proposed, IN_FORCE, NOW) == []


def test_rule_5_a_started_phase_keeps_its_start_in_either_direction():
    for shift in (-1, 1):
        proposed = [p(K.SUBMISSION, -40, -10), p(K.REVIEW, -10 + shift, 5),
                    p(K.DELIBERATION, 5, 20)]
        problems = check_timeline(proposed, IN_FORCE[:3], NOW)
        assert ("review.starts_at", Code.STARTED_START_CHANGED) in codes(problems)


def test_rule_5_a_started_phase_starting_exactly_now_counts_as_started():
    in_force = [p(K.VOTING, 0, 10)]
    problems = check_timeline([p(K.VOTING, 1, 10)], in_force, NOW)
    assert codes(problems) == [("voting.starts_at", Code.STARTED_START_CHANGED)]


def test_rule_6_an_ended_phase_keeps_its_end():
    for end in (-11, -9):
        proposed = [p(K.SUBMISSION, -40, end), p(K.REVIEW, -10, 5)]
        problems = check_timeline(proposed, IN_FORCE[:2], NOW)
        assert ("submission.ends_at", Code.ENDED_END_CHANGED) in codes(problems)


def test_rule_6_a_phase_ending_exactly_now_has_ended():
    in_force = [p(K.REVIEW, -10, 0)]
    problems = check_timeline([p(K.REVIEW, -10, 3)], in_force, NOW)
    assert codes(problems) == [("review.ends_at", Code.ENDED_END_CHANGED)]


def test_rule_7_a_current_phase_may_be_lengthened_or_shortened_into_the_future():
    for end in (2, 0.001):
        proposed = [p(K.SUBMISSION, -40, -10), p(K.REVIEW, -10, end), p(K.DELIBERATION, 5, 20)]
        assert check_timeline(proposed, IN_FORCE[:3], NOW) == []


@pytest.mark.parametrize("end_days", [0, -1, -5])
def test_rule_7_a_current_phase_cannot_end_at_or_before_now(end_days):
    proposed = [p(K.SUBMISSION, -40, -10), p(K.REVIEW, -10, end_days)]
    problems = check_timeline(proposed, IN_FORCE[:2], NOW)
    assert codes(problems) == [("review.ends_at", Code.END_IN_PAST)]


def test_rule_8_a_phase_not_started_cannot_be_moved_into_the_past():
    proposed = [p(K.SUBMISSION, -40, -10), p(K.REVIEW, -10, 5), p(K.DELIBERATION, -1, 20)]
    problems = check_timeline(proposed, IN_FORCE[:3], NOW)
    assert ("deliberation.starts_at", Code.START_IN_PAST) in codes(problems)


def test_rule_8_a_new_phase_cannot_be_back_dated():
    problems = check_timeline([p(K.INFORMATION, -5, 1)], [], NOW)
    assert codes(problems) == [("information.starts_at", Code.START_IN_PAST)]


def test_rule_8_a_new_phase_may_start_exactly_now():
    assert check_timeline([p(K.INFORMATION, 0, 1)], [], NOW) == []


def test_a_phase_cannot_be_inserted_before_a_started_one():
    # Adding an information phase while review runs: it would have to end before review
    # started, in the past.
    proposed = [p(K.INFORMATION, 1, 2), *IN_FORCE]
    problems = check_timeline(proposed, IN_FORCE, NOW)
    assert ("submission.starts_at", Code.STARTS_BEFORE_PREVIOUS_ENDS) in codes(problems)


def test_every_problem_is_reported_in_the_order_of_the_kinds():
    proposed = [p(K.VOTING, 3, 2), p(K.SUBMISSION, -41, -10), p(K.REVIEW, -10, -1)]
    problems = check_timeline(proposed, IN_FORCE, NOW)
    assert codes(problems) == [
        ("submission.starts_at", Code.STARTED_START_CHANGED),
        ("review.ends_at", Code.END_IN_PAST),
        ("voting.ends_at", Code.END_NOT_AFTER_START),
    ]


def test_next_phase_after_follows_the_order_of_kinds_not_the_list():
    phases = [p(K.RESULTS, 30, 40), p(K.SUBMISSION, 0, 10), p(K.VOTING, 20, 30)]
    assert next_phase_after(phases, phases[1]).kind == K.VOTING
    assert next_phase_after(phases, phases[0]) is None
