"""Simultaneous publications and milestones on PostgreSQL: the cycle and proposal row locks
keep version numbers unique and the milestone order checked against the latest one."""

from concurrent.futures import ThreadPoolExecutor

import pytest
from django.core.exceptions import ValidationError
from django.db import connections
from django.utils import timezone

from accounts.models import User
from budgets.models import PhaseKind
from config.errors import Conflict
from implementation.models import CommuneReport, Milestone
from implementation.services import publish_commune_report, record_milestone
from proposals.models import Proposal
from territory.models import Commune
from tests.implementation.builders import build_tallied_world

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.postgres]


def in_thread(fn):
    def run(*args):
        try:
            return fn(*args)
        except Conflict:
            return "conflict"
        finally:
            connections.close_all()
    return run


def test_simultaneous_publications_make_one_version_and_refuse_the_rest(on_postgres):
    w = build_tallied_world().world
    cycle, publisher_id = w.cycle, w.publisher.pk

    @in_thread
    def publish(_i):
        return publish_commune_report(actor=User.objects.get(pk=publisher_id), cycle=cycle,
                                      commune=Commune.objects.get(slug="cenon")).version

    with ThreadPoolExecutor(max_workers=3) as pool:
        outcomes = list(pool.map(publish, range(3)))

    assert sorted(outcomes, key=str) == [1, "conflict", "conflict"]
    assert list(CommuneReport.objects.values_list("version", flat=True)) == [1]


def test_simultaneous_milestones_never_record_an_unexplained_drop(on_postgres):
    """Each milestone is checked against the one recorded just before it (proposal row
    lock): whatever order the four arrive in, the recorded progress never goes down, and
    a late smaller one is refused instead (it would need a note)."""
    built = build_tallied_world(phase=PhaseKind.IMPLEMENTATION)
    proposal_id, publisher_id = built.proposals["Bancs au parc Palmer"].pk, built.world.publisher.pk

    @in_thread
    def add(progress):
        try:
            return record_milestone(
                actor=User.objects.get(pk=publisher_id),
                proposal=Proposal.objects.select_related("cycle", "commune").get(pk=proposal_id),
                happened_on=timezone.localdate(), title=f"Étape {progress}", progress=progress).pk
        except ValidationError:
            return "refused"

    with ThreadPoolExecutor(max_workers=4) as pool:
        outcomes = list(pool.map(add, [10, 20, 30, 40]))

    recorded = list(Milestone.objects.filter(proposal_id=proposal_id).order_by("pk")
                    .values_list("progress", flat=True))
    assert recorded == sorted(recorded) and recorded
    assert len(recorded) + outcomes.count("refused") == 4 and "conflict" not in outcomes
    assert Proposal.objects.get(pk=proposal_id).status == "in_progress"
