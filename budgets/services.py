"""Cycle-level operations: the current phase, phase checks, editing the timeline, closing
a phase (the vote included) early."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from audit.services import record_event
from budgets import policy, timeline
from budgets.locks import hold_voting_lock
from budgets.models import BudgetCycle, Phase, PhaseKind
from budgets.roles import is_administrator
from config.errors import Conflict, NotAllowed, PhaseClosed


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
        _lock_timeline(cycle)
        now = timezone.now()
        voting = current_phase_of(cycle, now)
        if voting is None or voting.kind != PhaseKind.VOTING:
            raise PhaseClosed(_("Le vote n’est pas ouvert : il ne peut pas être clos."))
        return _close_voting_now(actor, cycle, voting, now)


def _lock_timeline(cycle: BudgetCycle) -> None:
    """Lock the cycle row, then take the voting lock exclusively: waits for the casts in
    flight (they hold it shared from their phase check to their commit), and no cast
    starts until the transaction ends."""
    BudgetCycle.objects.select_for_update().get(pk=cycle.pk)
    hold_voting_lock(cycle.pk, shared=False)


def _close_voting_now(actor: Any, cycle: BudgetCycle, voting: Phase, now: datetime) -> Phase:
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


def close_phase_early(*, actor: Any, cycle: BudgetCycle, start_next: bool = True) -> Phase | None:
    """End the phase under way now; return the phase open afterwards (or None).

    Voting is closed exactly as ``close_voting`` does (voting lock held exclusively, the
    results phase opened now, created for a year if missing), whatever ``start_next``.
    Any other phase ends now; with ``start_next``, the next phase of the timeline (in the
    order of kinds) that has not started yet starts now, keeping its end. Administrators
    only (NotAllowed); PhaseClosed when no phase is under way. One audit event
    (``voting.closed`` or ``phase.closed_early``).
    """
    if not is_administrator(actor):
        raise NotAllowed()
    with transaction.atomic():
        _lock_timeline(cycle)
        now = timezone.now()
        phases = list(cycle.phases.all())
        current = policy.current_phase(phases, now)
        if current is None:
            raise PhaseClosed(_("Aucune phase n’est en cours : il n’y a rien à clore."))
        if current.kind == PhaseKind.VOTING:
            return _close_voting_now(actor, cycle, current, now)
        if current.starts_at >= now:
            raise Conflict(_("Cette phase vient de commencer : elle ne peut pas être close "
                             "à l’instant même."))
        planned_end = current.ends_at
        current.ends_at = now
        current.save(update_fields=["ends_at"])
        following = timeline.next_phase_after(phases, current)
        opened: Phase | None = None
        payload: dict[str, Any] = {"kind": current.kind, "closed_at": now.isoformat(),
                                   "planned_end": planned_end.isoformat()}
        if start_next and isinstance(following, Phase) and following.starts_at > now:
            payload.update(next_kind=following.kind,
                           next_planned_start=following.starts_at.isoformat())
            following.starts_at = now
            following.save(update_fields=["starts_at"])
            opened = following
        record_event(actor=actor, action="phase.closed_early", target=cycle, payload=payload)
        return opened


def _timeline_message(problem: timeline.Problem) -> str:
    label = PhaseKind(problem.kind).label
    moment = (date_format(timezone.localtime(problem.moment), _("j F Y à H:i"))
              if problem.moment else "")
    other = PhaseKind(problem.other_kind).label if problem.other_kind else ""
    Code = timeline.Code
    messages = {
        Code.OUT_OF_RANGE: _("Les dates de la phase « %(phase)s » doivent être comprises entre "
                             "l’an 2000 et l’an 2099."),
        Code.DUPLICATE_KIND: _("La phase « %(phase)s » figure deux fois dans le calendrier."),
        Code.END_NOT_AFTER_START: _("La phase « %(phase)s » doit finir après son début."),
        Code.STARTS_BEFORE_PREVIOUS_ENDS: _(
            "La phase « %(phase)s » doit commencer après la fin de la phase « %(other)s » "
            "(le %(moment)s) : les phases se suivent dans l’ordre, sans se chevaucher."),
        Code.STARTED_REMOVED: _(
            "La phase « %(phase)s » a commencé le %(moment)s : elle ne peut plus être retirée "
            "du calendrier."),
        Code.STARTED_START_CHANGED: _(
            "La phase « %(phase)s » a commencé : son début (le %(moment)s) ne peut plus changer."),
        Code.ENDED_END_CHANGED: _(
            "La phase « %(phase)s » est terminée : sa fin (le %(moment)s) ne peut plus changer."),
        Code.END_IN_PAST: _(
            "La phase « %(phase)s » est en cours : sa nouvelle fin doit être dans le futur "
            "(après le %(moment)s). Pour la clore tout de suite, utilisez « Clore cette phase "
            "maintenant »."),
        Code.START_IN_PAST: _(
            "La phase « %(phase)s » n’a pas commencé : elle ne peut pas commencer dans le passé "
            "(avant le %(moment)s)."),
    }
    return messages[problem.code] % {"phase": label, "other": other, "moment": moment}


def set_timeline(*, actor: Any, cycle: BudgetCycle,
                 phases: Sequence[policy.Dated]) -> list[Phase]:
    """Replace the cycle's timeline by ``phases`` (kind, starts_at, ends_at each).

    Checked by ``budgets.timeline.check_timeline`` against the phases in force, under the
    cycle's row lock and the voting lock held exclusively (a cast in flight finishes under
    the old dates, the next one sees the new ones). Raises NotAllowed for non-administrators
    and a ValidationError keyed ``"<kind>.<field>"`` (``voting.starts_at``...) listing every
    problem; nothing is written then. Phases missing from ``phases`` are deleted (only
    phases not started may be). One audit event ``timeline.changed`` with the timelines
    before and after, when anything changed. Returns the phases by start.
    """
    if not is_administrator(actor):
        raise NotAllowed()
    with transaction.atomic():
        _lock_timeline(cycle)
        now = timezone.now()
        existing = {p.kind: p for p in cycle.phases.all()}
        problems = timeline.check_timeline(phases, existing.values(), now)
        if problems:
            errors: dict[str, list[str]] = {}
            for problem in problems:
                errors.setdefault(problem.key, []).append(_timeline_message(problem))
            raise ValidationError(errors)
        before = _describe(existing.values())
        wanted = {PhaseKind(p.kind): p for p in phases}
        for kind, phase in existing.items():
            if kind not in wanted:
                phase.delete()
        for kind, planned in wanted.items():
            phase = existing.get(kind) or Phase(cycle=cycle, kind=kind)
            if phase.pk and (phase.starts_at, phase.ends_at) == (planned.starts_at, planned.ends_at):
                continue
            phase.starts_at, phase.ends_at = planned.starts_at, planned.ends_at
            phase.save()
        result = sorted(cycle.phases.all(), key=lambda p: p.starts_at)
        after = _describe(result)
        if after != before:
            record_event(actor=actor, action="timeline.changed", target=cycle,
                         payload={"before": before, "after": after})
        return result


def _describe(phases: Iterable[Phase]) -> list[dict[str, str]]:
    return [{"kind": p.kind, "starts_at": p.starts_at.isoformat(), "ends_at": p.ends_at.isoformat()}
            for p in sorted(phases, key=lambda p: p.starts_at)]
