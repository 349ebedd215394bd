"""Simultaneous reactions and flags on PostgreSQL: the upsert and the unique constraints keep
one reaction (and one open flag) per person and comment."""

from concurrent.futures import ThreadPoolExecutor

import pytest

from accounts.models import User
from budgets.models import PhaseKind
from config.errors import Conflict
from deliberation.models import Comment, Flag, Reaction
from deliberation.services import flag_comment, post_comment, react
from tests.builders import build_world, in_thread, make_proposal

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.postgres]


def test_twenty_simultaneous_reactions_of_one_person_leave_one_reaction(on_postgres):
    world = build_world(phase=PhaseKind.DELIBERATION)
    comment = post_comment(author=world.resident, proposal=make_proposal(world), body="Avis")
    user_id, comment_id = world.second_resident.pk, comment.pk

    @in_thread
    def submit(i):
        return react(user=User.objects.get(pk=user_id),
                     comment=Comment.objects.select_related("cycle").get(pk=comment_id),
                     value="up" if i % 2 else "down")

    with ThreadPoolExecutor(max_workers=20) as pool:
        values = list(pool.map(submit, range(20)))
    assert set(values) == {"up", "down"}
    reaction = Reaction.objects.get()
    assert reaction.user_id == user_id and reaction.value in {"up", "down"}


def test_simultaneous_flags_of_one_person_leave_one_open_flag(on_postgres):
    world = build_world(phase=PhaseKind.DELIBERATION)
    comment = post_comment(author=world.resident, proposal=make_proposal(world), body="Avis")
    user_id, comment_id = world.second_resident.pk, comment.pk

    @in_thread
    def submit(_i):
        try:
            flag_comment(reporter=User.objects.get(pk=user_id),
                         comment=Comment.objects.select_related("cycle").get(pk=comment_id),
                         reason="spam")
            return "flagged"
        except Conflict:
            return "conflict"

    with ThreadPoolExecutor(max_workers=10) as pool:
        outcomes = list(pool.map(submit, range(10)))
    assert outcomes.count("flagged") == 1 and outcomes.count("conflict") == 9
    assert Flag.objects.count() == 1
