"""Template helpers shared by every page: euro amounts and the cycle the navigation points to.

``euros`` formats integer cents the French way (``12 000 €``, ``12 000,50 €``) with
narrow no-break spaces, so amounts never wrap in the middle. ``nav_cycle`` gives the
cycle the page is about (context variable ``cycle``) or else the most recent one.
"""

from __future__ import annotations

from typing import Any

from django import template

from budgets.models import BudgetCycle
from budgets.money import format_euros

register = template.Library()

@register.filter
def euros(cents: Any) -> str:
    """``{{ proposal.estimated_cost_cents|euros }}`` → ``12 000 €``."""
    try:
        return format_euros(int(cents)) if cents is not None and cents != "" else ""
    except (TypeError, ValueError):
        return ""


@register.simple_tag(takes_context=True)
def nav_cycle(context: template.Context) -> BudgetCycle | None:
    """The cycle of the current page, else the most recently created cycle, else None."""
    cycle = context.get("cycle")
    if isinstance(cycle, BudgetCycle):
        return cycle
    return BudgetCycle.objects.order_by("-created_at").first()


@register.filter
def rank_range(length: Any) -> range:
    """``{% for r in cycle.max_choices|rank_range %}`` → 1 … length."""
    return range(1, int(length) + 1)


@register.filter
def all_ok(checks: Any) -> bool:
    """True when every check of a list has ``ok`` set."""
    return all(getattr(check, "ok", False) for check in checks)
