"""Explicit, recorded tie-breaking between projects.

API::

    make_tiebreaker(profile, rule, seed="") -> Tiebreaker
    Tiebreaker.rank[i]                 # total order: the lower rank wins a tie
    Tiebreaker.best(candidates) -> int
    Tiebreaker.order(candidates) -> list[int]
    Tiebreaker.record(tied, *, round, context) -> TieBreak   # what a Result stores

Rules:

- ``lexicographic``: the smaller project id *as a string* wins (Python ``str`` order, i.e. by
  code point). This is pabutools' ``lexico_tie_breaking`` (``sorted`` on ``project.name``),
  used for parity with the reference implementation.
- ``default`` (the product's): more votes (voters naming the project, ``Profile.votes``)
  wins; then the lower cost; then a lottery that anyone can redo: the smaller
  ``SHA-256(seed + ":" + project id)`` (hexadecimal) wins. The seed is an input string, for
  instance the head of the frozen ballot log; no random module state is used.

Every tie a rule breaks is returned as a :class:`~budgets.allocation.result.TieBreak`
naming the tied projects, the order chosen and the criterion that decided.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from dataclasses import dataclass
from enum import StrEnum

from budgets.allocation.profile import Profile
from budgets.allocation.result import TieBreak

__all__ = ["TieBreakRule", "Tiebreaker", "lottery_ticket", "make_tiebreaker"]


class TieBreakRule(StrEnum):
    LEXICOGRAPHIC = "lexicographic"
    DEFAULT = "default"


def lottery_ticket(seed: str, project_id: str) -> str:
    """The lottery value of a project: SHA-256 of ``seed:project_id`` in hexadecimal."""
    return hashlib.sha256(f"{seed}:{project_id}".encode()).hexdigest()


@dataclass(frozen=True, slots=True)
class Tiebreaker:
    """A total order on the projects of one profile, with the means to explain it."""

    rule: TieBreakRule
    seed: str
    project_ids: tuple[str, ...]
    votes: tuple[int, ...]
    costs: tuple[int, ...]
    rank: tuple[int, ...]

    def best(self, candidates: Iterable[int]) -> int:
        """The candidate that wins the tie."""
        rank = self.rank
        return min(candidates, key=rank.__getitem__)

    def order(self, candidates: Iterable[int]) -> list[int]:
        """Candidates from the tie's winner to its last."""
        return sorted(candidates, key=self.rank.__getitem__)

    def criterion(self, first: int, second: int) -> str:
        """What made ``first`` beat ``second``."""
        if self.rule is TieBreakRule.LEXICOGRAPHIC:
            return "lexicographic project id"
        if self.votes[first] != self.votes[second]:
            return "more votes"
        if self.costs[first] != self.costs[second]:
            return "lower cost"
        return "seeded lottery"

    def record(self, tied: Iterable[int], *, round: int, context: str) -> TieBreak:
        """The record of a tie among ``tied`` broken by this order."""
        ordered = self.order(tied)
        decided = [self.criterion(a, b) for a, b in zip(ordered, ordered[1:], strict=False)]
        criteria = tuple(dict.fromkeys(decided))
        ids = self.project_ids
        return TieBreak(
            round=round,
            context=context,
            tied=tuple(sorted(ids[i] for i in ordered)),
            order=tuple(ids[i] for i in ordered),
            rule=self.rule.value,
            criteria=criteria,
            seed=self.seed if self.rule is TieBreakRule.DEFAULT else "",
        )


def make_tiebreaker(profile: Profile, rule: TieBreakRule | str, seed: str = "") -> Tiebreaker:
    """Build the tie-breaking order of ``rule`` for the projects of ``profile``."""
    rule = TieBreakRule(rule)
    ids = profile.project_ids
    n = len(ids)
    if rule is TieBreakRule.LEXICOGRAPHIC:
        order = sorted(range(n), key=ids.__getitem__)
    else:
        order = sorted(
            range(n),
            key=lambda i: (
                -profile.votes[i],
                profile.costs[i],
                lottery_ticket(seed, ids[i]),
                ids[i],
            ),
        )
    rank = [0] * n
    for r, i in enumerate(order):
        rank[i] = r
    return Tiebreaker(
        rule=rule,
        seed=seed,
        project_ids=ids,
        votes=profile.votes,
        costs=profile.costs,
        rank=tuple(rank),
    )
