"""Closing the vote on awkward dates."""

from datetime import UTC, datetime

import pytest
from django.utils import timezone

from budgets.models import Phase, PhaseKind
from budgets.services import close_voting
from tests.builders import build_world

pytestmark = pytest.mark.django_db


def test_closing_on_29_february_opens_results_until_28_february_next_year(monkeypatch):
    leap_day = datetime(2028, 2, 29, 18, 30, tzinfo=UTC)
    monkeypatch.setattr(timezone, "now", lambda: leap_day)
    world = build_world(phase=PhaseKind.VOTING)
    Phase.objects.filter(cycle=world.cycle, kind=PhaseKind.RESULTS).delete()

    results = close_voting(actor=world.admin, cycle=world.cycle)

    assert results.starts_at == leap_day
    assert results.ends_at == datetime(2029, 2, 28, 18, 30, tzinfo=UTC)
    voting = Phase.objects.get(cycle=world.cycle, kind=PhaseKind.VOTING)
    assert voting.ends_at == leap_day
