"""On PostgreSQL: closing the vote early and editing the timeline wait for the casts in
flight (they hold the cycle's voting lock shared from their phase check to their commit)."""

import threading
import time
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta

import pytest
from django.db import transaction

from budgets.models import BudgetCycle, PhaseKind
from budgets.services import close_phase_early, current_phase_of, set_timeline
from budgets.timeline import PlannedPhase
from tests.builders import build_world, in_thread
from voting.secrecy import voter_pseudonym
from voting.services import lock_for_casting

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.postgres]


def waits_for_a_cast_in_flight(world, change):
    """Run ``change`` while a cast holds the voting lock; return (released_at, changed_at)."""
    cycle_id = world.cycle.pk
    holding, release = threading.Event(), threading.Event()

    @in_thread
    def cast_in_flight():
        with transaction.atomic():
            lock_for_casting(cycle_id, voter_pseudonym(cycle_id=cycle_id, voter_id=world.resident.pk))
            holding.set()
            release.wait(10)

    @in_thread
    def run_change():
        change(BudgetCycle.objects.get(pk=cycle_id))
        return time.monotonic()

    with ThreadPoolExecutor(max_workers=2) as pool:
        in_flight = pool.submit(cast_in_flight)
        assert holding.wait(10)
        changing = pool.submit(run_change)
        time.sleep(0.5)
        assert not changing.done()  # waits for the cast's shared voting lock
        released_at = time.monotonic()
        release.set()
        in_flight.result(10)
        return released_at, changing.result(10)


def test_closing_the_vote_early_waits_for_the_casts_in_flight(on_postgres):
    w = build_world(phase=PhaseKind.VOTING)

    released_at, closed_at = waits_for_a_cast_in_flight(
        w, lambda cycle: close_phase_early(actor=w.admin, cycle=cycle))

    assert closed_at >= released_at
    assert current_phase_of(w.cycle).kind == PhaseKind.RESULTS


def test_editing_the_timeline_waits_for_the_casts_in_flight(on_postgres):
    w = build_world(phase=PhaseKind.VOTING)
    phases = [PlannedPhase(PhaseKind(p.kind), p.starts_at, p.ends_at)
              for p in w.cycle.phases.order_by("starts_at")]
    implementation = phases[-1]
    later = [*phases[:-1], PlannedPhase(implementation.kind, implementation.starts_at,
                                        implementation.ends_at + timedelta(days=30))]

    released_at, saved_at = waits_for_a_cast_in_flight(
        w, lambda cycle: set_timeline(actor=w.admin, cycle=cycle, phases=later))

    assert saved_at >= released_at
    assert w.cycle.phases.get(kind=PhaseKind.IMPLEMENTATION).ends_at == later[-1].ends_at
