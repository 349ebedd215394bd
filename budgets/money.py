"""Euro amounts, the French way: one formatter for pages, messages, forms and minutes. Pure."""

from __future__ import annotations

NARROW_NBSP = "\u202f"


def group_thousands(number: int) -> str:
    """``12345`` → ``12 345``, grouped with narrow no-break spaces so it never wraps."""
    return f"{int(number):,}".replace(",", NARROW_NBSP)


def format_amount(cents: int, *, always_cents: bool = False) -> str:
    """``1200050`` → ``12 000,50``; ``1200000`` → ``12 000`` (or ``12 000,00`` with
    ``always_cents``). No currency sign: what a cost field shows for editing."""
    sign = "-" if cents < 0 else ""
    euros, rest = divmod(abs(int(cents)), 100)
    whole = group_thousands(euros)
    if rest or always_cents:
        return f"{sign}{whole},{rest:02d}"
    return f"{sign}{whole}"


def format_euros(cents: int, *, always_cents: bool = False) -> str:
    """``1200050`` → ``12 000,50 €``; ``1200000`` → ``12 000 €`` (or ``12 000,00 €`` with
    ``always_cents``, as official minutes print them). Narrow no-break spaces keep an
    amount on one line."""
    return f"{format_amount(cents, always_cents=always_cents)}{NARROW_NBSP}€"
