"""The life of a proposal: its statuses and the moves allowed between them. Pure: no Django.

    draft ─▶ submitted ─▶ in_review ─▶ feasible ─▶ on_ballot ─▶ funded ─▶ in_progress ─▶ delivered
                  │            │      ╲    │  ▲          │   ▲     │
                  │            │       ╲   ▼  │          ▼   │     ▼
                  │            │        unfeasible   not_funded  (correction of a
                  │            │                                 re-published result)
                  ▼            ▼
               merged (a duplicate folded into another proposal)
    feasible ─▶ not_retained (fewer supports than the cycle's threshold at draw-up)

A reviewer may decide straight from ``submitted`` (taking the proposal into review is
implied) and may correct a decision (feasible ⇄ unfeasible) while review is open. An
outcome recorded when results are published may be corrected (funded ⇄ not_funded) until
the work starts; ``in_progress`` and ``delivered`` never go back.
"""

from __future__ import annotations

from enum import StrEnum


class Status(StrEnum):
    DRAFT = "draft"
    SUBMITTED = "submitted"
    IN_REVIEW = "in_review"
    FEASIBLE = "feasible"
    UNFEASIBLE = "unfeasible"
    ON_BALLOT = "on_ballot"
    NOT_RETAINED = "not_retained"
    FUNDED = "funded"
    NOT_FUNDED = "not_funded"
    IN_PROGRESS = "in_progress"
    DELIVERED = "delivered"
    MERGED = "merged"


TRANSITIONS: dict[Status, frozenset[Status]] = {
    Status.DRAFT: frozenset({Status.SUBMITTED}),
    Status.SUBMITTED: frozenset({Status.IN_REVIEW, Status.FEASIBLE, Status.UNFEASIBLE,
                                 Status.MERGED}),
    Status.IN_REVIEW: frozenset({Status.FEASIBLE, Status.UNFEASIBLE, Status.MERGED}),
    Status.FEASIBLE: frozenset({Status.FEASIBLE, Status.UNFEASIBLE, Status.ON_BALLOT,
                                Status.NOT_RETAINED, Status.MERGED}),
    Status.UNFEASIBLE: frozenset({Status.FEASIBLE, Status.UNFEASIBLE}),
    Status.ON_BALLOT: frozenset({Status.FUNDED, Status.NOT_FUNDED}),
    Status.NOT_RETAINED: frozenset(),
    Status.FUNDED: frozenset({Status.NOT_FUNDED, Status.IN_PROGRESS}),
    Status.NOT_FUNDED: frozenset({Status.FUNDED}),
    Status.IN_PROGRESS: frozenset({Status.DELIVERED}),
    Status.DELIVERED: frozenset(),
    Status.MERGED: frozenset(),
}

# Proposals that went to the vote: the ballot, the tally and the results read these.
BALLOT_STATUSES: frozenset[Status] = frozenset({
    Status.ON_BALLOT, Status.FUNDED, Status.NOT_FUNDED, Status.IN_PROGRESS, Status.DELIVERED,
})
# Statuses whose proposal carries a validated cost (the review found it feasible).
COSTED_STATUSES: frozenset[Status] = frozenset({Status.FEASIBLE, Status.NOT_RETAINED}
                                               | BALLOT_STATUSES)
# Authors and co-authors may change the text while the proposal is in one of these.
EDITABLE_STATUSES: frozenset[Status] = frozenset({Status.DRAFT, Status.SUBMITTED})
# A reviewer may record a feasibility decision from these.
REVIEWABLE_STATUSES: frozenset[Status] = frozenset({Status.SUBMITTED, Status.IN_REVIEW,
                                                    Status.FEASIBLE, Status.UNFEASIBLE})
# Residents may support these (during the deliberation phase).
SUPPORTABLE_STATUSES: frozenset[Status] = frozenset({Status.FEASIBLE})
# A duplicate may be merged from these (and into a target in one of these).
MERGEABLE_STATUSES: frozenset[Status] = frozenset({Status.SUBMITTED, Status.IN_REVIEW,
                                                   Status.FEASIBLE})


class InvalidTransition(ValueError):
    """A move the table does not allow."""

    def __init__(self, current: str, target: str) -> None:
        super().__init__(f"{current} -> {target}")
        self.current = current
        self.target = target


def can_move(current: str, target: str) -> bool:
    """True when the table allows ``current`` → ``target``."""
    return Status(target) in TRANSITIONS[Status(current)]


def check_move(current: str, target: str) -> None:
    """Raise InvalidTransition unless the table allows ``current`` → ``target``."""
    if not can_move(current, target):
        raise InvalidTransition(current, target)


def is_public(status: str) -> bool:
    """Everything but a draft is public (a draft is private to its authors)."""
    return Status(status) != Status.DRAFT


def ballot_outcome(*, supports: int, threshold: int) -> Status:
    """At draw-up, a feasible proposal goes on the ballot when it has at least ``threshold``
    supports (a threshold of 0 puts every feasible proposal on the ballot)."""
    return Status.ON_BALLOT if supports >= threshold else Status.NOT_RETAINED
