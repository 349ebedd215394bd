"""Builders shared by the allocation tests (plain functions and hypothesis strategies)."""

from __future__ import annotations

from hypothesis import strategies as st

from budgets.allocation.types import Ballot, BallotKind, Election, Project


def approval(budget: int, costs: dict[str, int], ballots: list[list[str]]) -> Election:
    """An approval election: projects in ``costs`` order, voters ``v0``, ``v1``, ..."""
    return Election(
        budget=budget,
        projects=tuple(Project(pid, cost) for pid, cost in costs.items()),
        ballots=tuple(Ballot(f"v{i}", tuple(c)) for i, c in enumerate(ballots)),
        kind=BallotKind.APPROVAL,
    )


def small_approval_elections(
    *, max_projects: int, max_cost: int, max_budget: int, max_ballots: int
) -> st.SearchStrategy[Election]:
    """Approval elections with 1 to ``max_projects`` projects ``p0``, ``p1``, ... (costs 0 to
    ``max_cost``), a budget of 0 to ``max_budget`` and up to ``max_ballots`` ballots of up
    to 4 approvals each."""
    return st.builds(
        lambda costs, budget, ballots: approval(
            budget,
            {f"p{i}": c for i, c in enumerate(costs)},
            [[f"p{i}" for i in sorted(set(b)) if i < len(costs)] for b in ballots],
        ),
        st.lists(st.integers(0, max_cost), min_size=1, max_size=max_projects),
        st.integers(0, max_budget),
        st.lists(st.lists(st.integers(0, max_projects - 1), max_size=4), max_size=max_ballots),
    )
