"""Plain values the allocation engine works on.

Everything here is a frozen dataclass over integers and strings, so an election can be
built in a notebook, read from a pabulib file or assembled from the database, and
compared, hashed and serialised without surprises.

Money is an integer number of the smallest unit (cents for the product; for a pabulib
file whose costs carry decimals, the reader scales every amount by ``Election.scale``,
e.g. 100, and records it so that outputs can be printed in the file's own unit).
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class BallotKind(StrEnum):
    """How a voter expresses a ballot (pabulib ``vote_type`` plus the product's knapsack)."""

    APPROVAL = "approval"
    KNAPSACK = "knapsack"  # approval whose total cost is capped (Decidim-style)
    CHOOSE_1 = "choose-1"
    CUMULATIVE = "cumulative"
    ORDINAL = "ordinal"  # a ranking, best first
    SCORING = "scoring"


@dataclass(frozen=True, slots=True)
class Project:
    """A project that can be funded. ``cost`` is in the smallest unit and is >= 0."""

    id: str
    cost: int
    name: str = ""
    # Extra columns (pabulib) kept verbatim for a faithful round trip.
    extra: tuple[tuple[str, str], ...] = ()


@dataclass(frozen=True, slots=True)
class Ballot:
    """One voter's ballot, as cast.

    ``choices`` are project ids: the approved set (approval, knapsack, choose-1), the
    projects given points (cumulative, scoring) or the ranking, best first (ordinal).
    ``points`` is empty, or parallel to ``choices`` for cumulative and scoring ballots.
    """

    voter_id: str
    choices: tuple[str, ...]
    points: tuple[int, ...] = ()
    extra: tuple[tuple[str, str], ...] = ()


@dataclass(frozen=True, slots=True)
class Election:
    """A whole election: what can be spent, on what, and what the voters said."""

    budget: int
    projects: tuple[Project, ...]
    ballots: tuple[Ballot, ...]
    kind: BallotKind
    # Amounts are integers of 1/scale of the file's currency unit (1 when they were whole).
    scale: int = 1
    # META section (pabulib) kept verbatim, in order.
    meta: tuple[tuple[str, str], ...] = ()
