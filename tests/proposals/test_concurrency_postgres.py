"""Double submits of a support on PostgreSQL: the row lock and the unique constraint keep
one support per resident and proposal, and draw-up counts each resident once."""

from concurrent.futures import ThreadPoolExecutor

import pytest
from django.db import IntegrityError, transaction
from django.test import Client

from accounts.models import User
from budgets.models import PhaseKind
from proposals.models import Proposal, Support
from proposals.services import draw_up_ballot, support_proposal
from tests.builders import PASSWORD, build_world, in_thread, make_proposal

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.postgres]


def test_twenty_simultaneous_supports_of_one_resident_count_once(on_postgres):
    world = build_world(phase=PhaseKind.DELIBERATION)
    world.cycle.supports_threshold = 2
    world.cycle.save()
    proposal_id, user_id = make_proposal(world).pk, world.resident.pk

    @in_thread
    def submit(_i):
        return support_proposal(user=User.objects.get(pk=user_id),
                                proposal=Proposal.objects.select_related("cycle").get(pk=proposal_id))

    with ThreadPoolExecutor(max_workers=10) as pool:
        created = list(pool.map(submit, range(20)))
    assert created.count(True) == 1 and created.count(False) == 19
    assert Support.objects.filter(proposal_id=proposal_id).count() == 1
    # One resident's twenty clicks do not reach a threshold of two.
    assert draw_up_ballot(actor=world.admin, cycle=world.cycle) == (0, 1)


def test_simultaneous_posts_of_the_support_form_leave_one_support(on_postgres):
    world = build_world(phase=PhaseKind.DELIBERATION)
    proposal_id = make_proposal(world).pk

    @in_thread
    def post(_i):
        client = Client()
        client.login(email="resident@example.org", password=PASSWORD)
        return client.post(f"/propositions/p/{proposal_id}/soutien/").status_code

    with ThreadPoolExecutor(max_workers=6) as pool:
        statuses = list(pool.map(post, range(6)))
    assert set(statuses) == {302}
    assert Support.objects.filter(proposal_id=proposal_id).count() == 1


def test_the_database_refuses_a_second_support_row(on_postgres):
    world = build_world(phase=PhaseKind.DELIBERATION)
    proposal = make_proposal(world)
    Support.objects.create(proposal=proposal, user=world.resident)
    with pytest.raises(IntegrityError), transaction.atomic():
        Support.objects.create(proposal=proposal, user=world.resident)
