"""Euro amounts, the French way: one formatter for pages, messages and minutes. Pure."""

from __future__ import annotations

NARROW_NBSP = "\u202f"


def format_euros(cents: int, *, always_cents: bool = False) -> str:
    """``1200050`` → ``12 000,50 €``; ``1200000`` → ``12 000 €`` (or ``12 000,00 €`` with
    ``always_cents``, as official minutes print them). Narrow no-break spaces keep an
    amount on one line."""
    sign = "-" if cents < 0 else ""
    euros, rest = divmod(abs(int(cents)), 100)
    whole = f"{euros:,}".replace(",", NARROW_NBSP)
    if rest or always_cents:
        return f"{sign}{whole},{rest:02d}{NARROW_NBSP}€"
    return f"{sign}{whole}{NARROW_NBSP}€"
