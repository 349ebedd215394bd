"""Number formatting for the results page and the minutes, the French way.

``money`` shows cents as ``1 234,56 €`` (always with the cents, as minutes print them); ``count`` groups thousands with a narrow no-break space
(``12 345``), so figures never wrap.
"""

from __future__ import annotations

from typing import Any

from django import template

from budgets.money import format_euros, group_thousands

register = template.Library()


@register.filter
def money(cents: Any) -> str:
    if cents is None or cents == "":
        return ""
    return format_euros(int(cents), always_cents=True)


@register.filter
def count(number: Any) -> str:
    if number is None or number == "":
        return ""
    return group_thousands(int(number))


@register.filter
def explanation(line: Any) -> str:
    """A result line's reason in the reader's language (``reports.selectors.explanation_of``)."""
    from reports.selectors import explanation_of

    return explanation_of(line)
