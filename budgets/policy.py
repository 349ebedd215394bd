"""Which phase a cycle is in, and which actions each phase allows. Pure: no ORM.

One closed enum of phase kinds, one static table of allowed actions, one function that
picks the current phase from dated intervals ``[starts_at, ends_at)``.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from enum import StrEnum
from typing import Protocol, TypeVar


class PhaseKind(StrEnum):
    SUBMISSION = "submission"
    REVIEW = "review"
    DELIBERATION = "deliberation"
    VOTING = "voting"
    RESULTS = "results"
    IMPLEMENTATION = "implementation"


class Action(StrEnum):
    SUBMIT = "submit"
    COMMENT = "comment"
    SUPPORT = "support"
    REVIEW = "review"
    VOTE = "vote"
    TALLY = "tally"
    CERTIFY = "certify"
    PUBLISH = "publish"


ALLOWED_ACTIONS: dict[PhaseKind, frozenset[Action]] = {
    PhaseKind.SUBMISSION: frozenset({Action.SUBMIT, Action.COMMENT, Action.SUPPORT, Action.REVIEW}),
    PhaseKind.REVIEW: frozenset({Action.REVIEW, Action.COMMENT, Action.SUPPORT}),
    PhaseKind.DELIBERATION: frozenset({Action.COMMENT, Action.SUPPORT}),
    PhaseKind.VOTING: frozenset({Action.VOTE, Action.COMMENT}),
    PhaseKind.RESULTS: frozenset({Action.TALLY, Action.CERTIFY, Action.PUBLISH, Action.COMMENT}),
    PhaseKind.IMPLEMENTATION: frozenset({Action.PUBLISH, Action.COMMENT}),
}


class Dated(Protocol):
    kind: str
    starts_at: datetime
    ends_at: datetime


P = TypeVar("P", bound=Dated)


def current_phase(phases: Iterable[P], now: datetime) -> P | None:
    """The phase whose interval contains ``now`` (the latest-starting one if several)."""
    open_now = [p for p in phases if p.starts_at <= now < p.ends_at]
    return max(open_now, key=lambda p: p.starts_at) if open_now else None


def phase_allows(kind: str | None, action: Action) -> bool:
    """True when a phase of this kind allows the action (no phase allows nothing)."""
    if kind is None:
        return False
    return action in ALLOWED_ACTIONS[PhaseKind(kind)]
