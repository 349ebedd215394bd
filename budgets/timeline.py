"""Which changes to a cycle's timeline are acceptable. Pure: no Django, no ORM.

A timeline is a list of dated phases ``[starts_at, ends_at)``, at most one of each
``PhaseKind``. ``check_timeline(proposed, existing, now)`` compares a proposed timeline with
the one in force and returns every problem found (an empty list: the change may be saved).
The rules, each with its own ``Code``:

0. ``OUT_OF_RANGE``: every date lies in ``[EARLIEST, LATEST)`` (years 2000 to 2099), so
   that no date is absurd and every one can be shown in local time. When a date is out of
   range, only these problems are reported.
1. ``DUPLICATE_KIND``: a kind appears at most once.
2. ``END_NOT_AFTER_START``: a phase ends strictly after it starts.
3. ``STARTS_BEFORE_PREVIOUS_ENDS``: taken in the fixed order of the kinds (information,
   submission, review, deliberation, voting, results, implementation), each phase starts no
   earlier than the end of the previous phase present. So phases follow the order of the
   kinds and never overlap; gaps are allowed, and a phase may start the instant the previous
   one ends (the intervals are half-open).
4. ``STARTED_REMOVED``: a phase that has started (``starts_at <= now``) stays in the timeline.
5. ``STARTED_START_CHANGED``: a phase that has started keeps its start.
6. ``ENDED_END_CHANGED``: a phase that has ended (``ends_at <= now``) keeps its end: it is
   history, and nothing about it changes.
7. ``END_IN_PAST``: a phase under way (started, not ended) may get a new end, but not one at
   or before ``now`` (ending it now is ``close_phase_early``'s job: it takes the voting lock
   and opens the next phase).
8. ``START_IN_PAST``: a phase that has not started, or a new one, starts at or after ``now``
   (no back-dating: nobody could have acted in a phase that did not exist).

A phase that has not started may be moved, shortened or removed freely within rules 1-3
and 8. Rules 4-7 are about the phases in force, so they look at ``existing``.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from enum import StrEnum

from budgets.policy import Dated, PhaseKind

ORDER: list[PhaseKind] = list(PhaseKind)
EARLIEST = datetime(2000, 1, 1, tzinfo=UTC)
LATEST = datetime(2100, 1, 1, tzinfo=UTC)


class Code(StrEnum):
    OUT_OF_RANGE = "out_of_range"
    DUPLICATE_KIND = "duplicate_kind"
    END_NOT_AFTER_START = "end_not_after_start"
    STARTS_BEFORE_PREVIOUS_ENDS = "starts_before_previous_ends"
    STARTED_REMOVED = "started_removed"
    STARTED_START_CHANGED = "started_start_changed"
    ENDED_END_CHANGED = "ended_end_changed"
    END_IN_PAST = "end_in_past"
    START_IN_PAST = "start_in_past"


@dataclass(frozen=True)
class PlannedPhase:
    """One phase of a proposed timeline."""

    kind: PhaseKind
    starts_at: datetime
    ends_at: datetime


@dataclass(frozen=True)
class Problem:
    """What is wrong, and where: the phase ``kind`` and its ``field``
    (``"kind"`` for the phase as a whole, ``"starts_at"`` or ``"ends_at"``)."""

    kind: PhaseKind
    field: str
    code: Code
    # For the message: the previous phase's kind and end (rule 3), the date kept (4-6).
    other_kind: PhaseKind | None = None
    moment: datetime | None = None

    @property
    def key(self) -> str:
        """``"voting.starts_at"``: the key of the error in forms and API answers."""
        return f"{self.kind.value}.{self.field}"


def has_started(phase: Dated, now: datetime) -> bool:
    return phase.starts_at <= now


def has_ended(phase: Dated, now: datetime) -> bool:
    return phase.ends_at <= now


def check_timeline(proposed: Sequence[Dated], existing: Iterable[Dated],
                   now: datetime) -> list[Problem]:
    """Every problem with replacing ``existing`` by ``proposed`` at ``now`` (rules above).

    Problems come in the order of the kinds, then of the rules, so messages read in the
    order of the form.
    """
    problems = [
        Problem(PhaseKind(item.kind), name, Code.OUT_OF_RANGE)
        for item in proposed for name in ("starts_at", "ends_at")
        if not EARLIEST <= getattr(item, name) < LATEST
    ]
    if problems:
        return problems
    seen: set[PhaseKind] = set()
    by_kind: dict[PhaseKind, Dated] = {}
    for item in proposed:
        kind = PhaseKind(item.kind)
        if kind in seen:
            problems.append(Problem(kind, "kind", Code.DUPLICATE_KIND))
            continue
        seen.add(kind)
        by_kind[kind] = item
    old = {PhaseKind(p.kind): p for p in existing}

    previous: Dated | None = None
    for kind in ORDER:
        before = old.get(kind)
        planned = by_kind.get(kind)
        if planned is None:
            if before is not None and has_started(before, now):
                problems.append(Problem(kind, "kind", Code.STARTED_REMOVED,
                                        moment=before.starts_at))
            continue
        phase = planned
        if phase.ends_at <= phase.starts_at:
            problems.append(Problem(kind, "ends_at", Code.END_NOT_AFTER_START))
        if previous is not None and phase.starts_at < previous.ends_at:
            problems.append(Problem(kind, "starts_at", Code.STARTS_BEFORE_PREVIOUS_ENDS,
                                    other_kind=PhaseKind(previous.kind), moment=previous.ends_at))
        if before is not None and has_started(before, now):
            if phase.starts_at != before.starts_at:
                problems.append(Problem(kind, "starts_at", Code.STARTED_START_CHANGED,
                                        moment=before.starts_at))
            if has_ended(before, now):
                if phase.ends_at != before.ends_at:
                    problems.append(Problem(kind, "ends_at", Code.ENDED_END_CHANGED,
                                            moment=before.ends_at))
            elif phase.ends_at <= now:
                problems.append(Problem(kind, "ends_at", Code.END_IN_PAST, moment=now))
        elif phase.starts_at < now:
            problems.append(Problem(kind, "starts_at", Code.START_IN_PAST, moment=now))
        previous = phase
    return problems


def next_phase_after(phases: Iterable[Dated], phase: Dated) -> Dated | None:
    """The phase that follows ``phase`` in the fixed order of kinds, if any."""
    later = [p for p in phases if ORDER.index(PhaseKind(p.kind)) > ORDER.index(PhaseKind(phase.kind))]
    return min(later, key=lambda p: ORDER.index(PhaseKind(p.kind))) if later else None
