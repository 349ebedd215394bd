"""The pure lifecycle table: statuses, allowed moves, ballot statuses, the threshold rule."""

import pytest

from proposals import lifecycle
from proposals.lifecycle import BALLOT_STATUSES, TRANSITIONS, InvalidTransition, Status
from proposals.models import ProposalStatus


def test_the_model_choices_are_the_lifecycle_statuses():
    assert set(ProposalStatus.values) == {s.value for s in Status}


def test_every_status_has_a_row_in_the_table():
    assert set(TRANSITIONS) == set(Status)


def test_ballot_statuses_are_those_that_went_to_the_vote():
    assert {s.value for s in BALLOT_STATUSES} == {
        "on_ballot", "funded", "not_funded", "in_progress", "delivered"}


@pytest.mark.parametrize(("current", "target"), [
    ("draft", "submitted"), ("submitted", "in_review"), ("submitted", "feasible"),
    ("in_review", "unfeasible"), ("unfeasible", "feasible"), ("feasible", "on_ballot"),
    ("feasible", "not_retained"), ("on_ballot", "funded"), ("on_ballot", "not_funded"),
    ("funded", "not_funded"), ("not_funded", "funded"), ("funded", "in_progress"),
    ("in_progress", "delivered"), ("submitted", "merged"), ("feasible", "merged"),
])
def test_allowed_moves(current, target):
    assert lifecycle.can_move(current, target)
    lifecycle.check_move(current, target)


@pytest.mark.parametrize(("current", "target"), [
    ("draft", "feasible"), ("submitted", "on_ballot"), ("unfeasible", "on_ballot"),
    ("not_retained", "on_ballot"), ("on_ballot", "feasible"), ("in_progress", "funded"),
    ("delivered", "in_progress"), ("not_funded", "in_progress"), ("merged", "submitted"),
    ("on_ballot", "merged"), ("submitted", "draft"),
])
def test_refused_moves(current, target):
    assert not lifecycle.can_move(current, target)
    with pytest.raises(InvalidTransition):
        lifecycle.check_move(current, target)


def test_final_statuses_go_nowhere():
    for status in (Status.NOT_RETAINED, Status.DELIVERED, Status.MERGED):
        assert TRANSITIONS[status] == frozenset()


def test_only_drafts_are_private():
    assert not lifecycle.is_public("draft")
    assert all(lifecycle.is_public(s) for s in Status if s != Status.DRAFT)


@pytest.mark.parametrize(("supports", "threshold", "expected"), [
    (0, 0, Status.ON_BALLOT), (3, 3, Status.ON_BALLOT), (4, 3, Status.ON_BALLOT),
    (2, 3, Status.NOT_RETAINED), (0, 1, Status.NOT_RETAINED),
])
def test_ballot_outcome_applies_the_threshold_inclusively(supports, threshold, expected):
    assert lifecycle.ballot_outcome(supports=supports, threshold=threshold) == expected
