"""A short-lived, per-process cache of what every cast of a cycle reads alike.

On voting day every cast of a cycle reads the same cycle row, its envelopes and phases and
the proposals on the ballot; only the voter's own rows differ. The API's ballot PUT takes
the cycle (with its envelopes and phases) and the options from here instead of reading
them again for every cast. What the cache may and may not decide:

- it only ever *accepts* faster: a cast that the cached data would refuse (phase not open,
  unknown proposal, over the envelope...) is checked again against fresh rows before the
  refusal (``voting.services.cast_ballot``);
- the phase is always re-read under the casting lock (``voting.services``), so the close
  (``budgets.services.close_voting``) is never missed, whatever this cache holds;
- an entry lives ``settings.VOTING_CACHE_SECONDS`` (default 5 s; 0 disables the cache),
  and any save or delete of a cycle, phase, envelope or proposal in this process empties
  it (signals; ``QuerySet.update`` sends none, hence the lifetime). A change made by another
  process (an administrator editing the ballot during the vote, which the procedures do
  not foresee) reaches this one within that lifetime.
"""

from __future__ import annotations

import threading
import time
from typing import Any

from django.conf import settings
from django.db.models import Prefetch

from budgets.models import BudgetCycle, Phase
from proposals.models import Proposal

_lock = threading.Lock()
_cycles: dict[str, tuple[float, BudgetCycle]] = {}
_options: dict[tuple[int, tuple[int, ...]], tuple[float, dict[int, Proposal]]] = {}
CACHED = "_voting_cache_loaded_at"  # attribute marking a cycle that came from here


def lifetime() -> float:
    return float(getattr(settings, "VOTING_CACHE_SECONDS", 5.0))


def clear(**_kwargs: Any) -> None:
    """Forget everything (signal receiver; also for tests)."""
    with _lock:
        _cycles.clear()
        _options.clear()


def cycle_by_slug(slug: str) -> BudgetCycle:
    """The cycle with its envelopes and phases prefetched, from the cache when fresh.

    Raises ``BudgetCycle.DoesNotExist``. The cycle is shared between the requests of this
    process: callers must not modify it.
    """
    ttl = lifetime()
    now = time.monotonic()
    hit = _cycles.get(slug)
    if hit is not None and now - hit[0] < ttl:
        return hit[1]
    cycle = BudgetCycle.objects.prefetch_related(
        "envelopes", Prefetch("phases", queryset=Phase.objects.order_by("starts_at"))
    ).get(slug=slug)
    if ttl > 0:
        setattr(cycle, CACHED, now)
        with _lock:
            _cycles[slug] = (now, cycle)
    return cycle


def is_cached(cycle: BudgetCycle) -> bool:
    return hasattr(cycle, CACHED)


def options_for(cycle: BudgetCycle, envelope_ids: tuple[int, ...], load: Any) -> dict[int, Proposal]:
    """The ballot options of these envelopes of a cached cycle (``load()`` when stale)."""
    key = (cycle.pk, envelope_ids)
    now = time.monotonic()
    hit = _options.get(key)
    if hit is not None and now - hit[0] < lifetime():
        return hit[1]
    options = load()
    with _lock:
        _options[key] = (now, options)
    return options


def connect_signals() -> None:
    from django.db.models.signals import post_delete, post_save

    from budgets.models import Envelope

    for model in (BudgetCycle, Phase, Envelope, Proposal):
        post_save.connect(clear, sender=model, dispatch_uid=f"voting-cache-{model.__name__}-save")
        post_delete.connect(clear, sender=model, dispatch_uid=f"voting-cache-{model.__name__}-del")
