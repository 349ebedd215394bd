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
    INFORMATION = "information"
    SUBMISSION = "submission"
    REVIEW = "review"
    DELIBERATION = "deliberation"  # debate and supports
    VOTING = "voting"
    RESULTS = "results"
    IMPLEMENTATION = "implementation"


class Action(StrEnum):
    SUBMIT = "submit"                # file a proposal (or a draft)
    EDIT_PROPOSAL = "edit_proposal"  # an author (or co-author) edits their proposal
    COMMENT = "comment"              # post, edit or delete one's own comment
    REACT = "react"                  # up/down reaction on a comment
    FLAG = "flag"                    # report a comment to the moderators
    SUPPORT = "support"              # support a proposal (supports threshold)
    REVIEW = "review"                # feasibility review, validated cost
    MERGE = "merge"                  # merge duplicate proposals
    DRAW_UP_BALLOT = "draw_up_ballot"  # apply the supports threshold: on the ballot or not
    VOTE = "vote"
    TALLY = "tally"
    CERTIFY = "certify"
    PUBLISH = "publish"              # publish results and commune decision reports
    TRACK = "track"                  # implementation status and milestones


# Moderation and in-person workshops are not in this table: a moderator may hide a
# comment, and a facilitator record a workshop, whatever the phase.
ALLOWED_ACTIONS: dict[PhaseKind, frozenset[Action]] = {
    PhaseKind.INFORMATION: frozenset({Action.COMMENT, Action.REACT, Action.FLAG}),
    PhaseKind.SUBMISSION: frozenset({Action.SUBMIT, Action.EDIT_PROPOSAL, Action.COMMENT,
                                     Action.REACT, Action.FLAG, Action.REVIEW, Action.MERGE}),
    PhaseKind.REVIEW: frozenset({Action.REVIEW, Action.MERGE, Action.COMMENT, Action.REACT,
                                 Action.FLAG}),
    PhaseKind.DELIBERATION: frozenset({Action.SUPPORT, Action.COMMENT, Action.REACT, Action.FLAG,
                                       Action.DRAW_UP_BALLOT}),
    PhaseKind.VOTING: frozenset({Action.VOTE, Action.COMMENT, Action.REACT, Action.FLAG}),
    PhaseKind.RESULTS: frozenset({Action.TALLY, Action.CERTIFY, Action.PUBLISH, Action.COMMENT,
                                  Action.REACT, Action.FLAG}),
    PhaseKind.IMPLEMENTATION: frozenset({Action.PUBLISH, Action.TRACK, Action.COMMENT,
                                         Action.REACT, Action.FLAG}),
}


class Dated(Protocol):
    """A phase or anything shaped like one (read-only: frozen dataclasses qualify)."""

    @property
    def kind(self) -> str: ...
    @property
    def starts_at(self) -> datetime: ...
    @property
    def ends_at(self) -> datetime: ...


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
