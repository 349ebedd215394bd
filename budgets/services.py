"""Cycle-level operations: the current phase, phase checks, closing the vote."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from audit.services import record_event
from budgets import policy
from budgets.locks import hold_voting_lock
from budgets.models import BudgetCycle, Phase, PhaseKind
from budgets.roles import is_administrator
from config.errors import NotAllowed, PhaseClosed


def current_phase_of(cycle: BudgetCycle, now: datetime | None = None) -> Phase | None:
    """The open phase of the cycle, or None between phases."""
    return policy.current_phase(cycle.phases.all(), now or timezone.now())


def require_phase_allows(cycle: BudgetCycle, action: policy.Action) -> Phase:
    """Return the current phase if it allows ``action``; raise PhaseClosed otherwise."""
    phase = current_phase_of(cycle)
    if not policy.phase_allows(phase.kind if phase else None, action):
        label = phase.get_kind_display() if phase else _("aucune phase en cours")
        raise PhaseClosed(
            _("Cette action n’est pas possible pendant la phase actuelle (%(phase)s).")
            % {"phase": label}
        )
    assert phase is not None
    return phase


def _a_year_after(moment: datetime) -> datetime:
    """The same day next year; 28 February after a 29 February."""
    try:
        return moment.replace(year=moment.year + 1)
    except ValueError:
        return moment.replace(year=moment.year + 1, day=28)


def close_voting(*, actor: Any, cycle: BudgetCycle) -> Phase:
    """End the voting phase now and open the results phase.

    Locks the cycle's phases and takes the voting lock exclusively (budgets/locks.py), so
    every cast accepted before the close has committed and none commits after it. Raises NotAllowed for non-administrators and PhaseClosed
    when voting is not the current phase.
    """
    if not is_administrator(actor):
        raise NotAllowed()
    with transaction.atomic():
        BudgetCycle.objects.select_for_update().get(pk=cycle.pk)
        hold_voting_lock(cycle.pk, shared=False)  # waits for the casts in flight
        now = timezone.now()
        voting = current_phase_of(cycle, now)
        if voting is None or voting.kind != PhaseKind.VOTING:
            raise PhaseClosed(_("Le vote n’est pas ouvert : il ne peut pas être clos."))
        voting.ends_at = now
        voting.save(update_fields=["ends_at"])
        results, _created = Phase.objects.get_or_create(
            cycle=cycle, kind=PhaseKind.RESULTS,
            defaults={"starts_at": now, "ends_at": _a_year_after(now)},
        )
        if results.starts_at > now:
            results.starts_at = now
            results.save(update_fields=["starts_at"])
        record_event(actor=actor, action="voting.closed", target=cycle,
                     payload={"closed_at": now.isoformat()})
        return results
