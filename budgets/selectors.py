"""Reads for the public pages of budget cycles (a bounded number of queries each)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from django.db.models import Prefetch, QuerySet
from django.utils import timezone

from budgets import policy
from budgets.models import BudgetCycle, Envelope, Phase
from budgets.roles import Role, has_role, has_role_on_any, is_administrator


@dataclass(frozen=True)
class PhaseStep:
    phase: Phase
    state: str  # "past" | "current" | "future"


@dataclass(frozen=True)
class CycleOverview:
    """A cycle with its current phase, its timeline and what the phase allows now."""

    cycle: BudgetCycle
    current: Phase | None
    steps: list[PhaseStep]
    envelopes: list[Envelope] = field(default_factory=list)
    allowed: dict[str, bool] = field(default_factory=dict)

    @property
    def next(self) -> Phase | None:
        """The first phase still to come."""
        return next((s.phase for s in self.steps if s.state == "future"), None)

    @property
    def total_cents(self) -> int:
        return sum(e.amount_cents for e in self.envelopes)


def _overview(cycle: BudgetCycle, now: datetime) -> CycleOverview:
    phases = sorted(cycle.phases.all(), key=lambda p: p.starts_at)
    current = policy.current_phase(phases, now)
    steps = [
        PhaseStep(p, "current" if p == current else ("past" if p.ends_at <= now else "future"))
        for p in phases
    ]
    kind = current.kind if current else None
    allowed = {a.value: policy.phase_allows(kind, a) for a in policy.Action}
    envelopes = list(cycle.envelopes.all())
    return CycleOverview(cycle=cycle, current=current, steps=steps, envelopes=envelopes,
                         allowed=allowed)


def cycles_with_timeline() -> QuerySet[BudgetCycle]:
    """Cycles with their phases (by start) and envelopes (with communes) prefetched:
    three queries for any number of cycles. The pages and the API read cycles this way."""
    return BudgetCycle.objects.prefetch_related(
        Prefetch("phases", queryset=Phase.objects.order_by("starts_at")),
        Prefetch("envelopes", queryset=Envelope.objects.select_related("commune")),
    )


def list_cycle_overviews(now: datetime | None = None) -> list[CycleOverview]:
    """Every cycle, newest first, with its phases and envelopes (three queries)."""
    now = now or timezone.now()
    return [_overview(c, now) for c in cycles_with_timeline().order_by("-created_at")]


def get_cycle_overview(slug: str, now: datetime | None = None) -> CycleOverview | None:
    """One cycle by slug (three queries), or None."""
    cycle = cycles_with_timeline().filter(slug=slug).first()
    return _overview(cycle, now or timezone.now()) if cycle else None


def roles_of(user: object, cycle: BudgetCycle) -> dict[str, bool]:
    """Which staff roles the user holds for this cycle (to show the matching links)."""
    communes = [e.commune for e in cycle.envelopes.all() if e.commune is not None]
    return {
        "admin": is_administrator(user),
        "committee": has_role(user, Role.COMMITTEE, cycle),
        "facilitator": has_role_on_any(user, Role.FACILITATOR, communes),
    }
