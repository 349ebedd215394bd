"""Closing the vote, running the tally and certifying, through the services."""

import pytest

from audit.models import AuditEvent
from budgets.models import PhaseKind
from budgets.services import close_voting, current_phase_of
from config.errors import Conflict, NotAllowed, PhaseClosed
from tests.builders import build_world, make_proposal, set_phase
from voting.models import Certification, ResultLine, TallyRun
from voting.services import cast_ballot
from voting.tally import certification_status, certify_result, run_tally

pytestmark = pytest.mark.django_db


def voted_world(quorum=1):
    """Cenon envelope 100 000 €: A (60 000 €, 2 votes), B (50 000 €, 2 votes), C (30 000 €, 1 vote)."""
    w = build_world(phase=PhaseKind.VOTING, quorum=quorum)
    w.a = make_proposal(w, title="A", cost_cents=60_000_00)
    w.b = make_proposal(w, title="B", cost_cents=50_000_00)
    w.c = make_proposal(w, title="C", cost_cents=30_000_00)
    cast_ballot(voter=w.resident, cycle=w.cycle, proposal_ids=[w.a.pk, w.b.pk])
    cast_ballot(voter=w.second_resident, cycle=w.cycle, proposal_ids=[w.a.pk, w.b.pk, w.c.pk])
    close_voting(actor=w.admin, cycle=w.cycle)
    return w


def test_close_voting_ends_the_vote_and_opens_results():
    w = voted_world()
    assert current_phase_of(w.cycle).kind == PhaseKind.RESULTS
    assert AuditEvent.objects.filter(action="voting.closed").count() == 1


def test_close_voting_is_refused_to_non_administrators():
    w = build_world(phase=PhaseKind.VOTING)
    for user in (w.resident, w.committee_member, w.reviewer, w.moderator):
        with pytest.raises(NotAllowed):
            close_voting(actor=user, cycle=w.cycle)
    assert current_phase_of(w.cycle).kind == PhaseKind.VOTING


def test_close_voting_is_refused_when_voting_is_not_open():
    w = build_world(phase=PhaseKind.DELIBERATION)
    with pytest.raises(PhaseClosed):
        close_voting(actor=w.admin, cycle=w.cycle)


def test_tally_funds_by_votes_skips_what_does_not_fit_and_breaks_the_tie_explicitly():
    w = voted_world()
    run = run_tally(actor=w.admin, cycle=w.cycle)
    lines = {line.proposal.title: line for line in ResultLine.objects.filter(
        envelope_result__tally_run=run, envelope_result__envelope=w.cenon_envelope)}
    # A and B tie on 2 votes: B is cheaper, so B first (50 000), then A does not fit, C fits.
    assert lines["B"].is_funded and lines["B"].rank == 1
    assert not lines["A"].is_funded
    assert lines["C"].is_funded and lines["C"].rank == 2
    assert (lines["A"].votes, lines["B"].votes, lines["C"].votes) == (2, 2, 1)
    result = run.envelope_results.get(envelope=w.cenon_envelope)
    assert result.spent_cents == 80_000_00
    assert result.tie_breaks and set(result.tie_breaks[0]["tied"]) == {"A", "B"}
    assert result.tie_breaks[0]["winner"] == "B"
    assert "départage" in lines["A"].explanation  # it would have fitted had it won the tie
    assert run.ballot_count == 2 and len(run.fingerprint) == 64


def test_tally_twice_on_the_same_ballots_keeps_the_same_run():
    w = voted_world()
    first = run_tally(actor=w.admin, cycle=w.cycle)
    second = run_tally(actor=w.admin, cycle=w.cycle)
    assert first.pk == second.pk and TallyRun.objects.count() == 1


def test_tally_is_refused_during_voting_and_to_non_administrators():
    w = build_world(phase=PhaseKind.VOTING)
    with pytest.raises(PhaseClosed):
        run_tally(actor=w.admin, cycle=w.cycle)
    set_phase(w.cycle, PhaseKind.RESULTS)
    for user in (w.resident, w.committee_member, w.publisher):
        with pytest.raises(NotAllowed):
            run_tally(actor=user, cycle=w.cycle)


def test_certification_reaches_quorum_with_distinct_members():
    w = voted_world(quorum=2)
    run = run_tally(actor=w.admin, cycle=w.cycle)
    certify_result(member=w.committee_member, tally_run=run)
    assert certification_status(run) == {"count": 1, "quorum": 2, "is_certified": False}
    with pytest.raises(Conflict):
        certify_result(member=w.committee_member, tally_run=run)
    certify_result(member=w.second_committee_member, tally_run=run)
    assert certification_status(run)["is_certified"]
    assert AuditEvent.objects.filter(action="tally.certified").count() == 2


def test_certification_is_refused_to_everyone_but_committee_members():
    w = voted_world()
    run = run_tally(actor=w.admin, cycle=w.cycle)
    for user in (w.resident, w.admin, w.reviewer, w.moderator, w.publisher, w.facilitator):
        with pytest.raises(NotAllowed):
            certify_result(member=user, tally_run=run)
    assert Certification.objects.count() == 0


def test_a_recount_with_another_fingerprint_voids_earlier_certifications():
    w = voted_world()
    run = run_tally(actor=w.admin, cycle=w.cycle)
    certify_result(member=w.committee_member, tally_run=run)
    w.c.validated_cost_cents = 45_000_00  # the input changes: another fingerprint
    w.c.save()
    recount = run_tally(actor=w.admin, cycle=w.cycle)
    assert recount.pk != run.pk and recount.fingerprint != run.fingerprint
    run.refresh_from_db()
    assert not run.is_current
    assert certification_status(recount)["count"] == 0
    with pytest.raises(Conflict):
        certify_result(member=w.second_committee_member, tally_run=run)


def test_certification_is_refused_when_a_stored_ballot_no_longer_matches_the_log():
    from voting.models import BallotChoice

    w = voted_world()
    run = run_tally(actor=w.admin, cycle=w.cycle)
    BallotChoice.objects.filter(proposal=w.c).update(points=5)
    with pytest.raises(Conflict) as error:
        certify_result(member=w.committee_member, tally_run=run)
    assert "entrée n°" in str(error.value.message)
    assert Certification.objects.count() == 0


def test_every_reason_of_the_engine_has_a_french_explanation():
    from budgets.allocation.result import Reason
    from voting.tally import explanation_text

    texts = {reason: explanation_text(reason, 1) for reason in Reason}
    assert all(text and text != "Non financé." for text in texts.values())
    assert len(set(texts.values())) == len(Reason)


@pytest.mark.parametrize("rule", ["greedy", "greedy-no-skip", "greedy-cost", "mes", "mes-add1",
                                  "phragmen", "max-welfare"])
def test_every_rule_of_the_engine_runs_from_the_cycle_settings(rule):
    w = voted_world()
    w.cycle.rule = rule
    w.cycle.save()
    run = run_tally(actor=w.admin, cycle=w.cycle)
    result = run.envelope_results.get(envelope=w.cenon_envelope)
    assert result.result["rule"] == rule
    assert result.spent_cents <= w.cenon_envelope.amount_cents
    assert run.parameters["envelopes"][str(w.cenon_envelope.pk)]["rule"] == rule


def test_an_envelope_may_use_its_own_rule_and_the_cycle_threshold_applies():
    w = voted_world()
    w.cenon_envelope.rule = "mes"
    w.cenon_envelope.save()
    w.cycle.threshold_percent = 75  # C has 1 vote of 2 (50 %): below the threshold
    w.cycle.save()
    run = run_tally(actor=w.admin, cycle=w.cycle)
    cenon = run.envelope_results.get(envelope=w.cenon_envelope)
    territory = run.envelope_results.get(envelope=w.territory_envelope)
    assert (cenon.result["rule"], territory.result["rule"]) == ("mes", "greedy")
    line_c = cenon.lines.get(proposal=w.c)
    assert not line_c.is_funded and "seuil" in line_c.explanation


def test_mes_add1_records_the_chosen_completion_variant():
    w = voted_world()
    w.cycle.rule = "mes-add1"
    w.cycle.add1_stop = "overspend"
    w.cycle.save()
    run = run_tally(actor=w.admin, cycle=w.cycle)
    params = dict(run.envelope_results.get(envelope=w.cenon_envelope).result["parameters"])
    assert "overspend" in str(params)
