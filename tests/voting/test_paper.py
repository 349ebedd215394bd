"""Paper and in-person channel services: events, the participation register, double keying,
reconciliation into the ballot log (voting/paper.py)."""

from concurrent.futures import ThreadPoolExecutor
from datetime import date

import pytest
from django.core.exceptions import ValidationError

from accounts.models import User
from audit.models import AuditEvent
from budgets.models import PhaseKind
from budgets.roles import Role, grant_role
from config.errors import (
    AlreadyVoted,
    BudgetExceeded,
    Conflict,
    InvalidBallot,
    NotAllowed,
    NotEligible,
    PhaseClosed,
)
from territory.models import Commune
from tests.builders import build_world, in_thread, make_proposal, make_user, set_phase
from voting import paper
from voting.models import (
    Ballot,
    BallotLogEntry,
    Channel,
    InPersonEvent,
    PaperKeying,
    PaperSheet,
    Participation,
    SheetStatus,
)
from voting.secrecy import voter_pseudonym
from voting.services import ballot_body, cast_ballot, commitment, verify_ballot_log

pytestmark = pytest.mark.django_db


def paper_world(**kwargs):
    """A world in the voting phase with Cenon, Floirac and territory proposals, a second
    Cenon facilitator, a third one and a Floirac facilitator, and one Cenon event."""
    w = build_world(phase=PhaseKind.VOTING, **kwargs)
    w.a = make_proposal(w, title="Jardin partagé", cost_cents=60_000_00)
    w.b = make_proposal(w, title="Bancs au parc", cost_cents=50_000_00)
    w.t = make_proposal(w, title="Navette", envelope=w.territory_envelope, cost_cents=90_000_00)
    w.f = make_proposal(w, title="Skatepark de Floirac", envelope=w.floirac_envelope)
    w.users["second_facilitator"] = make_user("facilitator2@example.org")
    grant_role(w.second_facilitator, Role.FACILITATOR, w.cenon)
    w.users["third_facilitator"] = make_user("facilitator3@example.org")
    grant_role(w.third_facilitator, Role.FACILITATOR, w.cenon)
    w.users["floirac_facilitator"] = make_user("facilitator.floirac@example.org")
    grant_role(w.floirac_facilitator, Role.FACILITATOR, w.floirac)
    w.event = paper.create_event(facilitator=w.facilitator, cycle=w.cycle, commune=w.cenon,
                                 place="Salle du Rocher de Palmer", held_on=date(2026, 11, 21))
    return w


def register_people(w, count):
    """``count`` people without an account registered at the Cenon event."""
    for i in range(count):
        paper.register_paper_voter(facilitator=w.facilitator, event=w.event,
                                   last_name=f"Martin{i}", first_name="Léa",
                                   birth_date=date(1990, 1, 1), postcode="33150")


def key_twice(w, number, choices, first=None, second=None):
    paper.key_paper_sheet(facilitator=first or w.facilitator, event=w.event, number=number,
                          choices=choices)
    return paper.key_paper_sheet(facilitator=second or w.second_facilitator, event=w.event,
                                 number=number, choices=choices)


def actions():
    return list(AuditEvent.objects.order_by("seq").values_list("action", flat=True))


# --- events -------------------------------------------------------------------------------

def test_facilitator_creates_an_event_of_their_commune_and_it_is_audited():
    w = paper_world()
    assert w.event.commune == w.cenon and w.event.created_by == w.facilitator
    event = AuditEvent.objects.get(action="paper.event_created")
    assert event.target_id == str(w.event.pk) and event.actor == w.facilitator


@pytest.mark.parametrize("who", ["resident", "floirac_facilitator", "reviewer", "admin"])
def test_only_a_facilitator_of_the_commune_creates_an_event(who):
    w = paper_world()
    with pytest.raises(NotAllowed):
        paper.create_event(facilitator=getattr(w, who), cycle=w.cycle, commune=w.cenon,
                           place="Mairie", held_on=date(2026, 11, 22))
    assert InPersonEvent.objects.count() == 1


@pytest.mark.parametrize("phase", [PhaseKind.DELIBERATION, PhaseKind.RESULTS, None])
def test_no_event_is_created_outside_the_voting_phase(phase):
    w = paper_world()
    set_phase(w.cycle, phase)
    with pytest.raises(PhaseClosed):
        paper.create_event(facilitator=w.facilitator, cycle=w.cycle, commune=w.cenon,
                           place="Mairie", held_on=date(2026, 11, 22))


def test_an_event_in_a_commune_outside_the_cycle_is_refused():
    w = paper_world()
    bouliac = Commune.objects.create(name="Bouliac", slug="bouliac")
    grant_role(w.facilitator, Role.FACILITATOR, bouliac)
    with pytest.raises(ValidationError) as error:
        paper.create_event(facilitator=w.facilitator, cycle=w.cycle, commune=bouliac,
                           place="Mairie", held_on=date(2026, 11, 22))
    assert "commune" in error.value.message_dict


# --- the participation register ----------------------------------------------------------

def test_an_account_is_registered_on_paper_at_the_event_and_audited():
    w = paper_world()
    participation = paper.register_paper_voter(facilitator=w.facilitator, event=w.event,
                                               voter=w.resident)
    assert (participation.channel, participation.event, participation.recorded_by,
            participation.voter, participation.commune) == (
        Channel.PAPER, w.event, w.facilitator, w.resident, w.cenon)
    audit = AuditEvent.objects.get(action="paper.voter_registered")
    assert audit.payload == {"with_account": True}  # nothing that orders the register
    assert audit.target_id == str(w.event.pk)


def test_an_online_voter_is_refused_on_paper_with_the_reason():
    w = paper_world()
    cast_ballot(voter=w.resident, cycle=w.cycle, proposal_ids=[w.a.pk])
    with pytest.raises(AlreadyVoted) as error:
        paper.register_paper_voter(facilitator=w.facilitator, event=w.event, voter=w.resident)
    assert "déjà voté en ligne" in str(error.value.message)
    assert Participation.objects.filter(channel=Channel.PAPER).count() == 0


def test_a_paper_voter_is_refused_online_with_the_reason():
    w = paper_world()
    paper.register_paper_voter(facilitator=w.facilitator, event=w.event, voter=w.resident)
    with pytest.raises(AlreadyVoted) as error:
        cast_ballot(voter=w.resident, cycle=w.cycle, proposal_ids=[w.a.pk])
    assert "déjà voté sur papier" in str(error.value.message)
    assert Ballot.objects.count() == 0


def test_an_account_already_registered_on_paper_is_refused_at_another_event_naming_the_first():
    w = paper_world()
    paper.register_paper_voter(facilitator=w.facilitator, event=w.event, voter=w.resident)
    other = paper.create_event(facilitator=w.second_facilitator, cycle=w.cycle, commune=w.cenon,
                               place="Marché de la Morlette", held_on=date(2026, 11, 28))
    with pytest.raises(AlreadyVoted) as error:
        paper.register_paper_voter(facilitator=w.second_facilitator, event=other, voter=w.resident)
    message = str(error.value.message)
    assert "déjà voté sur papier" in message and "Salle du Rocher de Palmer" in message
    assert "21/11/2026" in message


def test_a_person_without_account_is_recognised_despite_case_accents_and_spaces():
    w = paper_world()
    first = paper.register_paper_voter(facilitator=w.facilitator, event=w.event,
                                       last_name="Dupré", first_name="Élise",
                                       birth_date=date(1980, 5, 17), postcode="33150")
    assert first.voter is None and len(first.person_digest) == 64
    assert "Dupr" not in first.person_digest  # only a keyed digest is stored
    with pytest.raises(AlreadyVoted) as error:
        paper.register_paper_voter(facilitator=w.second_facilitator, event=w.event,
                                   last_name="  DUPRE ", first_name="elise",
                                   birth_date=date(1980, 5, 17), postcode="33 150")
    assert "déjà voté sur papier" in str(error.value.message)


def test_two_different_people_without_account_are_both_registered():
    w = paper_world()
    register_people(w, 2)
    assert Participation.objects.filter(event=w.event).count() == 2


def test_an_identity_matching_an_account_that_voted_online_is_refused():
    w = paper_world()
    w.resident.first_name, w.resident.last_name = "Awa", "Diallo"
    w.resident.birth_date = date(1985, 3, 2)
    w.resident.save()
    cast_ballot(voter=w.resident, cycle=w.cycle, proposal_ids=[w.a.pk])
    with pytest.raises(AlreadyVoted) as error:
        paper.register_paper_voter(facilitator=w.facilitator, event=w.event, last_name="DIALLO",
                                   first_name="Awa", birth_date=date(1985, 3, 2), postcode="33150")
    assert "déjà voté en ligne" in str(error.value.message)


def test_an_identity_matching_an_account_links_the_account_so_it_cannot_vote_online():
    w = paper_world()
    w.resident.first_name, w.resident.last_name = "Awa", "Diallo"
    w.resident.birth_date = date(1985, 3, 2)
    w.resident.save()
    participation = paper.register_paper_voter(facilitator=w.facilitator, event=w.event,
                                               last_name="Diallo", first_name="Awa",
                                               birth_date=date(1985, 3, 2), postcode="33150")
    assert participation.voter == w.resident
    with pytest.raises(AlreadyVoted):
        cast_ballot(voter=w.resident, cycle=w.cycle, proposal_ids=[w.a.pk])


def test_an_incomplete_identity_is_refused_field_by_field():
    w = paper_world()
    with pytest.raises(ValidationError) as error:
        paper.register_paper_voter(facilitator=w.facilitator, event=w.event, last_name=" ",
                                   first_name="Léa", birth_date=None, postcode="")
    assert set(error.value.message_dict) == {"last_name", "birth_date", "postcode"}
    assert Participation.objects.count() == 0


@pytest.mark.parametrize("who", ["outsider", "floirac_resident"])
def test_an_account_not_resident_of_the_event_commune_is_refused(who):
    w = paper_world()
    with pytest.raises(NotEligible) as error:
        paper.register_paper_voter(facilitator=w.facilitator, event=w.event, voter=getattr(w, who))
    assert "habitant" in str(error.value.message)
    assert Participation.objects.count() == 0


def test_a_person_under_the_minimum_age_is_refused():
    w = paper_world()
    w.cycle.minimum_age = 16
    w.cycle.save()
    today = date.today()
    with pytest.raises(NotEligible) as error:
        paper.register_paper_voter(facilitator=w.facilitator, event=w.event, last_name="Petit",
                                   first_name="Jules", birth_date=today.replace(year=today.year - 15),
                                   postcode="33150")
    assert "à partir de 16 ans" in str(error.value.message)
    w.resident.birth_date = today.replace(year=today.year - 30)
    w.resident.save()
    paper.register_paper_voter(facilitator=w.facilitator, event=w.event, voter=w.resident)


def test_an_account_without_birth_date_needs_one_checked_by_the_facilitator_under_a_minimum_age():
    w = paper_world()
    w.cycle.minimum_age = 16
    w.cycle.save()
    with pytest.raises(NotEligible) as error:
        paper.register_paper_voter(facilitator=w.facilitator, event=w.event, voter=w.resident)
    assert "date de naissance" in str(error.value.message)
    today = date.today()
    with pytest.raises(NotEligible):
        paper.register_paper_voter(facilitator=w.facilitator, event=w.event, voter=w.resident,
                                   birth_date=today.replace(year=today.year - 12))
    participation = paper.register_paper_voter(facilitator=w.facilitator, event=w.event,
                                               voter=w.resident, birth_date=date(1990, 1, 1))
    assert participation.voter == w.resident


@pytest.mark.parametrize("who", ["resident", "floirac_facilitator", "reviewer"])
def test_only_a_facilitator_of_the_event_commune_registers_voters(who):
    w = paper_world()
    with pytest.raises(NotAllowed):
        paper.register_paper_voter(facilitator=getattr(w, who), event=w.event,
                                   voter=w.second_resident)
    assert Participation.objects.count() == 0


def test_no_voter_is_registered_outside_the_voting_phase():
    w = paper_world()
    set_phase(w.cycle, PhaseKind.RESULTS)
    with pytest.raises(PhaseClosed):
        paper.register_paper_voter(facilitator=w.facilitator, event=w.event, voter=w.resident)


# --- double keying -----------------------------------------------------------------------

def test_a_single_keying_leaves_the_sheet_pending_and_out_of_the_log():
    w = paper_world()
    register_people(w, 1)
    outcome = paper.key_paper_sheet(facilitator=w.facilitator, event=w.event, number=1,
                                    choices={w.a.pk: 1, w.t.pk: 1})
    assert outcome.sheet.status == SheetStatus.PENDING and not outcome.is_reconciled
    assert outcome.keying.choices == {str(w.a.pk): 1, str(w.t.pk): 1}
    assert Ballot.objects.count() == 0 and BallotLogEntry.objects.count() == 0


def test_the_same_facilitator_cannot_key_a_sheet_twice():
    w = paper_world()
    register_people(w, 1)
    paper.key_paper_sheet(facilitator=w.facilitator, event=w.event, number=1, choices={w.a.pk: 1})
    with pytest.raises(Conflict) as error:
        paper.key_paper_sheet(facilitator=w.facilitator, event=w.event, number=1,
                              choices={w.a.pk: 1})
    assert "autre animateur" in str(error.value.message)
    assert PaperKeying.objects.count() == 1 and Ballot.objects.count() == 0


def test_two_agreeing_keyings_by_two_facilitators_put_the_ballot_in_the_log_as_paper():
    w = paper_world()
    cast_ballot(voter=w.second_resident, cycle=w.cycle, proposal_ids=[w.b.pk])
    register_people(w, 1)
    outcome = key_twice(w, 7, {w.a.pk: 1, w.t.pk: 1})
    sheet = PaperSheet.objects.get(event=w.event, number=7)
    assert outcome.is_reconciled and sheet.status == SheetStatus.RECONCILED
    ballot = sheet.ballot
    assert ballot.channel == Channel.PAPER and ballot.commune == w.cenon
    assert {c.proposal_id for c in ballot.choices.all()} == {w.a.pk, w.t.pk}
    assert ballot.pseudonym == paper.paper_pseudonym(event_id=w.event.pk, number=7)
    people = [u.pk for u in w.users.values()]
    assert ballot.pseudonym not in {voter_pseudonym(cycle_id=w.cycle.pk, voter_id=pk) for pk in people}
    entry = BallotLogEntry.objects.get(receipt_code=ballot.receipt_code)
    body = ballot_body(commune_id=w.cenon.pk, channel="paper", lines=[(w.a.pk, 1), (w.t.pk, 1)])
    assert entry.seq == 2 and entry.content["commitment"] == commitment(ballot.salt, body)
    ok, message, head = verify_ballot_log(w.cycle)
    assert ok, message
    assert head == entry.hash


def test_diverging_keyings_put_the_sheet_in_the_reconciliation_list():
    w = paper_world()
    register_people(w, 1)
    paper.key_paper_sheet(facilitator=w.facilitator, event=w.event, number=3, choices={w.a.pk: 1})
    outcome = paper.key_paper_sheet(facilitator=w.second_facilitator, event=w.event, number=3,
                                    choices={w.b.pk: 1})
    assert outcome.sheet.status == SheetStatus.MISMATCH
    assert Ballot.objects.count() == 0 and BallotLogEntry.objects.count() == 0
    rows = [r for r in paper.event_sheets(w.event) if r.sheet.status == SheetStatus.MISMATCH]
    assert [r.sheet.number for r in rows] == [3]
    side_by_side = [(k.keyed_by, [p.title for p, _points in lines]) for k, lines in rows[0].keyings]
    assert side_by_side == [(w.facilitator, ["Jardin partagé"]),
                            (w.second_facilitator, ["Bancs au parc"])]


def test_a_third_keying_agreeing_with_one_of_the_first_two_reconciles_the_sheet():
    w = paper_world()
    register_people(w, 1)
    paper.key_paper_sheet(facilitator=w.facilitator, event=w.event, number=3, choices={w.a.pk: 1})
    paper.key_paper_sheet(facilitator=w.second_facilitator, event=w.event, number=3,
                          choices={w.b.pk: 1})
    outcome = paper.key_paper_sheet(facilitator=w.third_facilitator, event=w.event, number=3,
                                    choices={w.b.pk: 1})
    assert outcome.is_reconciled
    assert [c.proposal_id for c in outcome.sheet.ballot.choices.all()] == [w.b.pk]
    assert BallotLogEntry.objects.count() == 1
    assert verify_ballot_log(w.cycle)[0]


def test_a_third_keying_agreeing_with_neither_keeps_the_sheet_in_mismatch():
    w = paper_world()
    register_people(w, 1)
    paper.key_paper_sheet(facilitator=w.facilitator, event=w.event, number=3, choices={w.a.pk: 1})
    paper.key_paper_sheet(facilitator=w.second_facilitator, event=w.event, number=3,
                          choices={w.b.pk: 1})
    outcome = paper.key_paper_sheet(facilitator=w.third_facilitator, event=w.event, number=3,
                                    choices={w.t.pk: 1})
    assert outcome.sheet.status == SheetStatus.MISMATCH and Ballot.objects.count() == 0


def test_a_reconciled_sheet_never_enters_the_log_twice():
    w = paper_world()
    register_people(w, 2)
    key_twice(w, 1, {w.a.pk: 1})
    with pytest.raises(Conflict) as error:
        paper.key_paper_sheet(facilitator=w.third_facilitator, event=w.event, number=1,
                              choices={w.a.pk: 1})
    assert "déjà concordant" in str(error.value.message)
    assert BallotLogEntry.objects.count() == 1 and Ballot.objects.count() == 1


def test_sheets_beyond_the_registered_paper_voters_are_refused_and_nothing_is_written():
    w = paper_world()
    register_people(w, 1)
    key_twice(w, 1, {w.a.pk: 1})
    paper.key_paper_sheet(facilitator=w.facilitator, event=w.event, number=2, choices={w.b.pk: 1})
    with pytest.raises(Conflict) as error:
        paper.key_paper_sheet(facilitator=w.second_facilitator, event=w.event, number=2,
                              choices={w.b.pk: 1})
    message = str(error.value.message)
    assert "plus de bulletins (2) que de votants inscrits au registre (1)" in message
    assert PaperSheet.objects.get(number=2).status == SheetStatus.PENDING
    assert PaperKeying.objects.filter(sheet__number=2).count() == 1
    assert BallotLogEntry.objects.count() == 1


def test_a_sheet_cannot_be_reconciled_at_an_event_without_registered_voters():
    w = paper_world()
    with pytest.raises(Conflict):
        key_twice(w, 1, {w.a.pk: 1})
    assert Ballot.objects.count() == 0


def test_a_paper_ballot_with_too_many_choices_gets_the_same_message_as_online():
    w = paper_world(max_choices=1)
    register_people(w, 1)
    with pytest.raises(InvalidBallot) as online:
        cast_ballot(voter=w.resident, cycle=w.cycle, proposal_ids=[w.a.pk, w.b.pk])
    with pytest.raises(InvalidBallot) as on_paper:
        paper.key_paper_sheet(facilitator=w.facilitator, event=w.event, number=1,
                              choices={w.a.pk: 1, w.b.pk: 1})
    assert on_paper.value.problems == online.value.problems
    assert "le maximum est 1" in on_paper.value.problems[0]
    assert PaperSheet.objects.count() == 0 and PaperKeying.objects.count() == 0


def test_an_over_budget_knapsack_paper_ballot_is_refused():
    w = paper_world(ballot_kind="knapsack")
    register_people(w, 1)
    with pytest.raises(BudgetExceeded) as error:
        paper.key_paper_sheet(facilitator=w.facilitator, event=w.event, number=1,
                              choices={w.a.pk: 1, w.b.pk: 1})
    assert "Enveloppe Cenon" in error.value.problems[0]


def test_a_project_of_another_commune_is_not_on_the_event_ballot():
    w = paper_world()
    register_people(w, 1)
    with pytest.raises(InvalidBallot) as error:
        paper.key_paper_sheet(facilitator=w.facilitator, event=w.event, number=1,
                              choices={w.f.pk: 1})
    assert "ne fait pas partie de votre bulletin" in str(error.value.message)


def test_an_empty_or_unnumbered_sheet_is_refused():
    w = paper_world()
    with pytest.raises(InvalidBallot):
        paper.key_paper_sheet(facilitator=w.facilitator, event=w.event, number=1, choices={})
    with pytest.raises(ValidationError):
        paper.key_paper_sheet(facilitator=w.facilitator, event=w.event, number=0,
                              choices={w.a.pk: 1})


@pytest.mark.parametrize("who", ["resident", "floirac_facilitator", "committee_member", "admin"])
def test_only_facilitators_of_the_event_commune_key_sheets(who):
    w = paper_world()
    register_people(w, 1)
    with pytest.raises(NotAllowed):
        paper.key_paper_sheet(facilitator=getattr(w, who), event=w.event, number=1,
                              choices={w.a.pk: 1})
    assert PaperKeying.objects.count() == 0


@pytest.mark.parametrize("phase", [PhaseKind.DELIBERATION, PhaseKind.RESULTS])
def test_no_sheet_is_keyed_outside_the_voting_phase(phase):
    w = paper_world()
    register_people(w, 1)
    paper.key_paper_sheet(facilitator=w.facilitator, event=w.event, number=1, choices={w.a.pk: 1})
    set_phase(w.cycle, phase)
    with pytest.raises(PhaseClosed):
        paper.key_paper_sheet(facilitator=w.second_facilitator, event=w.event, number=1,
                              choices={w.a.pk: 1})
    assert Ballot.objects.count() == 0


def test_every_paper_action_is_in_the_audit_log():
    w = paper_world()
    register_people(w, 2)
    key_twice(w, 1, {w.a.pk: 1})
    paper.key_paper_sheet(facilitator=w.facilitator, event=w.event, number=2, choices={w.a.pk: 1})
    paper.key_paper_sheet(facilitator=w.second_facilitator, event=w.event, number=2,
                          choices={w.b.pk: 1})
    assert [a for a in actions() if a.startswith("paper.")] == [
        "paper.event_created", "paper.voter_registered", "paper.voter_registered",
        "paper.sheet_keyed", "paper.sheet_keyed", "paper.sheet_reconciled",
        "paper.sheet_keyed", "paper.sheet_keyed", "paper.sheet_mismatch",
    ]
    reconciled = AuditEvent.objects.get(action="paper.sheet_reconciled")
    assert reconciled.actor == w.second_facilitator and reconciled.payload["log_seq"] == 1
    assert "Martin" not in str(list(AuditEvent.objects.values_list("payload", flat=True)))


def test_a_cumulative_paper_ballot_keeps_its_points_in_the_log():
    w = paper_world(ballot_kind="cumulative")
    register_people(w, 1)
    outcome = key_twice(w, 1, {w.a.pk: 3, w.b.pk: 2, w.t.pk: 5})
    assert {(c.proposal_id, c.points) for c in outcome.sheet.ballot.choices.all()} == {
        (w.a.pk, 3), (w.b.pk, 2), (w.t.pk, 5)}
    entry = BallotLogEntry.objects.get()
    body = ballot_body(commune_id=w.cenon.pk, channel="paper",
                       lines=[(w.a.pk, 3), (w.b.pk, 2), (w.t.pk, 5)])
    assert entry.content["commitment"] == commitment(outcome.sheet.ballot.salt, body)


def test_keyings_that_differ_only_by_points_do_not_agree():
    w = paper_world(ballot_kind="cumulative")
    register_people(w, 1)
    paper.key_paper_sheet(facilitator=w.facilitator, event=w.event, number=1,
                          choices={w.a.pk: 3})
    outcome = paper.key_paper_sheet(facilitator=w.second_facilitator, event=w.event, number=1,
                                    choices={w.a.pk: 4})
    assert outcome.sheet.status == SheetStatus.MISMATCH


def test_a_cumulative_paper_ballot_over_the_points_gets_the_same_message_as_online():
    w = paper_world(ballot_kind="cumulative")
    too_many = {w.a.pk: 6, w.b.pk: 5}  # 6 > 5 per project, 11 > 10 in all
    with pytest.raises(InvalidBallot) as online:
        cast_ballot(voter=w.resident, cycle=w.cycle, points=too_many)
    with pytest.raises(InvalidBallot) as on_paper:
        paper.key_paper_sheet(facilitator=w.facilitator, event=w.event, number=1, choices=too_many)
    assert on_paper.value.problems == online.value.problems


# --- concurrency (PostgreSQL) ------------------------------------------------------------



@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_simultaneous_keyings_of_one_sheet_enter_the_log_once(on_postgres):
    w = paper_world()
    register_people(w, 1)
    facilitators = [w.facilitator, w.second_facilitator, w.third_facilitator]
    for i in range(9):
        extra = make_user(f"animateur{i}@example.org")
        grant_role(extra, Role.FACILITATOR, w.cenon)
        facilitators.append(extra)
    event_id, choice = w.event.pk, {w.a.pk: 1}

    @in_thread(returning=(Conflict, AlreadyVoted))
    def key(user_id):
        event = InPersonEvent.objects.select_related("cycle", "commune").get(pk=event_id)
        return paper.key_paper_sheet(facilitator=User.objects.get(pk=user_id), event=event,
                                     number=1, choices=choice)

    with ThreadPoolExecutor(max_workers=12) as pool:
        outcomes = list(pool.map(key, [f.pk for f in facilitators]))
    refused = [o for o in outcomes if isinstance(o, Conflict)]
    assert len(refused) == 10 and all("déjà concordant" in str(r.message) for r in refused)
    assert PaperKeying.objects.count() == 2 and Ballot.objects.count() == 1
    assert BallotLogEntry.objects.count() == 1 and verify_ballot_log(w.cycle)[0]


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_simultaneous_registrations_of_one_person_leave_one_participation(on_postgres):
    w = paper_world()
    event_id, facilitator_ids = w.event.pk, [w.facilitator.pk, w.second_facilitator.pk] * 5

    @in_thread(returning=(Conflict, AlreadyVoted))
    def register(user_id):
        event = InPersonEvent.objects.select_related("cycle", "commune").get(pk=event_id)
        return paper.register_paper_voter(facilitator=User.objects.get(pk=user_id), event=event,
                                          last_name="Dupré", first_name="Élise",
                                          birth_date=date(1980, 5, 17), postcode="33150")

    with ThreadPoolExecutor(max_workers=10) as pool:
        outcomes = list(pool.map(register, facilitator_ids))
    assert sum(isinstance(o, AlreadyVoted) for o in outcomes) == 9
    assert Participation.objects.count() == 1
