"""Formatting for the minutes and the statistics dashboard: shares as French percentages."""

from __future__ import annotations

from typing import Any

from django import template

from reports.statistics import format_percent

register = template.Library()


@register.filter
def percent(share: Any, digits: Any = 1) -> str:
    """``0.125`` → ``12,5 %`` (narrow no-break space); ``None`` → ``—``;
    ``{{ rate|percent:2 }}`` for two decimals."""
    if share is None or share == "":
        return "—"
    return format_percent(float(share), int(digits))
