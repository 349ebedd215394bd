"""Casting ballots through the service: eligibility, phase, validation, one per voter."""

import pytest

from budgets.models import PhaseKind
from config.errors import BudgetExceeded, InvalidBallot, NotAllowed, NotEligible, PhaseClosed
from tests.builders import build_world, make_proposal, tampering
from voting.models import Ballot, BallotChoice, BallotLogEntry, Participation
from voting.secrecy import voter_pseudonym
from voting.services import cast_ballot, current_ballot_of, verify_ballot_log

pytestmark = pytest.mark.django_db


def voting_world(**kwargs):
    world = build_world(phase=PhaseKind.VOTING, **kwargs)
    world.parks = make_proposal(world, title="Bancs", cost_cents=30_000_00)
    world.lights = make_proposal(world, title="Éclairage", cost_cents=60_000_00)
    world.garden = make_proposal(world, title="Jardin", cost_cents=50_000_00)
    world.bus = make_proposal(world, title="Navette", envelope=world.territory_envelope,
                              cost_cents=90_000_00)
    world.floirac_only = make_proposal(world, title="Skatepark", envelope=world.floirac_envelope,
                                       cost_cents=40_000_00)
    return world


def test_cast_ballot_records_choices_participation_and_a_receipt():
    w = voting_world()
    receipt = cast_ballot(voter=w.resident, cycle=w.cycle, proposal_ids=[w.parks.pk, w.bus.pk])
    assert len(receipt.receipt_code) == 12
    assert not receipt.is_replacement
    ballot = Ballot.objects.get()
    assert {c.proposal_id for c in ballot.choices.all()} == {w.parks.pk, w.bus.pk}
    assert Participation.objects.get().voter == w.resident
    assert BallotLogEntry.objects.get().receipt_code == receipt.receipt_code


def test_ballot_is_not_linked_to_the_user_by_any_column(settings):
    w = voting_world()
    cast_ballot(voter=w.resident, cycle=w.cycle, proposal_ids=[w.parks.pk])
    ballot = Ballot.objects.get()
    field_names = {f.name for f in Ballot._meta.get_fields()}
    assert "voter" not in field_names and "user" not in field_names
    # The pseudonym depends on the server key: without it, it cannot be recomputed.
    settings.BALLOT_PSEUDONYM_KEY = "another-key"
    assert voter_pseudonym(cycle_id=w.cycle.pk, voter_id=w.resident.pk) != ballot.pseudonym
    settings.BALLOT_PSEUDONYM_KEY = "test-pseudonym-key"
    assert current_ballot_of(w.cycle, w.resident) == ballot
    assert current_ballot_of(w.cycle, w.second_resident) is None


def test_second_cast_replaces_the_first_and_leaves_one_ballot():
    w = voting_world()
    first = cast_ballot(voter=w.resident, cycle=w.cycle, proposal_ids=[w.parks.pk])
    second = cast_ballot(voter=w.resident, cycle=w.cycle, proposal_ids=[w.lights.pk])
    assert second.is_replacement
    assert first.receipt_code != second.receipt_code
    assert Ballot.objects.count() == 1
    assert list(BallotChoice.objects.values_list("proposal_id", flat=True)) == [w.lights.pk]
    assert Participation.objects.count() == 1
    assert list(BallotLogEntry.objects.values_list("kind", flat=True)) == ["cast", "replace"]
    ok, _message, head = verify_ballot_log(w.cycle)
    assert ok and head == BallotLogEntry.objects.get(seq=2).hash


def test_cast_ballot_rejects_more_choices_than_the_maximum():
    w = voting_world(max_choices=2)
    with pytest.raises(InvalidBallot) as error:
        cast_ballot(voter=w.resident, cycle=w.cycle,
                    proposal_ids=[w.parks.pk, w.lights.pk, w.garden.pk])
    assert "maximum est 2" in " ".join(error.value.problems)
    assert Ballot.objects.count() == 0 and BallotLogEntry.objects.count() == 0


def test_knapsack_ballot_rejects_choices_over_the_envelope():
    w = voting_world(ballot_kind="knapsack")
    with pytest.raises(BudgetExceeded):
        cast_ballot(voter=w.resident, cycle=w.cycle,
                    proposal_ids=[w.parks.pk, w.lights.pk, w.garden.pk])  # 140 000 € > 100 000 €
    assert Ballot.objects.count() == 0


def test_knapsack_ballot_within_the_envelope_is_accepted():
    w = voting_world(ballot_kind="knapsack")
    cast_ballot(voter=w.resident, cycle=w.cycle, proposal_ids=[w.parks.pk, w.lights.pk])
    assert Ballot.objects.count() == 1


def test_cast_ballot_rejects_an_empty_ballot():
    w = voting_world()
    with pytest.raises(InvalidBallot):
        cast_ballot(voter=w.resident, cycle=w.cycle, proposal_ids=[])


def test_cast_ballot_rejects_another_communes_project():
    w = voting_world()
    with pytest.raises(InvalidBallot):
        cast_ballot(voter=w.resident, cycle=w.cycle, proposal_ids=[w.floirac_only.pk])


def test_cast_ballot_rejects_a_project_that_is_not_feasible():
    w = voting_world()
    pending = make_proposal(w, title="En attente", feasible=False)
    with pytest.raises(InvalidBallot):
        cast_ballot(voter=w.resident, cycle=w.cycle, proposal_ids=[pending.pk])


def test_cast_ballot_rejects_a_resident_of_no_commune_of_the_cycle():
    w = voting_world()
    with pytest.raises(NotEligible):
        cast_ballot(voter=w.outsider, cycle=w.cycle, proposal_ids=[w.bus.pk])


def test_cast_ballot_rejects_anonymous_users():
    from django.contrib.auth.models import AnonymousUser

    w = voting_world()
    with pytest.raises(NotAllowed):
        cast_ballot(voter=AnonymousUser(), cycle=w.cycle, proposal_ids=[w.bus.pk])


@pytest.mark.parametrize("phase", [k for k, _ in PhaseKind.choices if k != "voting"] + [None])
def test_cast_ballot_is_refused_outside_the_voting_phase(phase):
    w = voting_world()
    from tests.builders import set_phase

    set_phase(w.cycle, phase)
    with pytest.raises(PhaseClosed):
        cast_ballot(voter=w.resident, cycle=w.cycle, proposal_ids=[w.parks.pk])
    assert Ballot.objects.count() == 0


def test_verify_ballot_log_names_the_altered_entry():
    w = voting_world()
    cast_ballot(voter=w.resident, cycle=w.cycle, proposal_ids=[w.parks.pk])
    cast_ballot(voter=w.second_resident, cycle=w.cycle, proposal_ids=[w.lights.pk])
    with tampering():
        BallotLogEntry.objects.filter(seq=2).update(content={"choices": [w.parks.pk]})
    ok, message, _head = verify_ballot_log(w.cycle)
    assert not ok and "n° 2" in message


def test_a_voter_whose_ballot_cannot_be_found_is_refused_rather_than_counted_twice(settings):
    from config.errors import Conflict

    w = voting_world()
    cast_ballot(voter=w.resident, cycle=w.cycle, proposal_ids=[w.parks.pk])
    settings.BALLOT_PSEUDONYM_KEY = "a-key-changed-during-the-vote"
    with pytest.raises(Conflict):
        cast_ballot(voter=w.resident, cycle=w.cycle, proposal_ids=[w.lights.pk])
    assert Ballot.objects.count() == 1 and BallotLogEntry.objects.count() == 1
