"""Publishing results: only a certified current run, by an administrator, once; outcomes
recorded; the public page and the open data gated on it; a published run cannot be replaced."""

from __future__ import annotations

import pytest

from audit.models import AuditEvent
from budgets.models import PhaseKind
from config.errors import Conflict, NotAllowed, PhaseClosed
from proposals.models import ProposalStatus
from reports.selectors import is_certified, results_published
from tests.builders import build_world, make_proposal, set_phase
from voting.models import ResultPublication, TallyRun
from voting.publication import publish_results
from voting.services import cast_ballot
from voting.tally import certify_result, run_tally

pytestmark = pytest.mark.django_db


def tallied_world(quorum=1):
    """Cenon 100 000 €: A (60 000 €) and B (50 000 €) on 2 votes each, C (30 000 €) on 1.
    B wins the tie (lower cost), A then does not fit, C does."""
    w = build_world(phase=PhaseKind.VOTING, quorum=quorum)
    w.a = make_proposal(w, title="A", cost_cents=60_000_00)
    w.b = make_proposal(w, title="B", cost_cents=50_000_00)
    w.c = make_proposal(w, title="C", cost_cents=30_000_00)
    cast_ballot(voter=w.resident, cycle=w.cycle, proposal_ids=[w.a.pk, w.b.pk])
    cast_ballot(voter=w.second_resident, cycle=w.cycle, proposal_ids=[w.a.pk, w.b.pk, w.c.pk])
    set_phase(w.cycle, PhaseKind.RESULTS)
    w.run = run_tally(actor=w.admin, cycle=w.cycle)
    return w


def certified_world(quorum=1):
    w = tallied_world(quorum=quorum)
    certify_result(member=w.committee_member, tally_run=w.run)
    return w


def test_publishing_a_certified_run_records_the_outcomes_and_an_audit_event():
    w = certified_world()
    assert not results_published(w.cycle)
    publication = publish_results(actor=w.admin, cycle=w.cycle)
    assert publication.tally_run == w.run and publication.published_by == w.admin
    assert results_published(w.cycle) and is_certified(w.run)
    for proposal, status in ((w.a, ProposalStatus.NOT_FUNDED), (w.b, ProposalStatus.FUNDED),
                             (w.c, ProposalStatus.FUNDED)):
        proposal.refresh_from_db()
        assert proposal.status == status, proposal.title
    event = AuditEvent.objects.get(action="results.published")
    assert event.payload == {"tally_run": w.run.pk, "fingerprint": w.run.fingerprint,
                             "funded": sorted([w.b.pk, w.c.pk])}


def test_publication_is_refused_below_the_quorum():
    w = tallied_world(quorum=2)
    with pytest.raises(Conflict, match="pas certifié"):
        publish_results(actor=w.admin, cycle=w.cycle)
    certify_result(member=w.committee_member, tally_run=w.run)
    with pytest.raises(Conflict):
        publish_results(actor=w.admin, cycle=w.cycle)
    certify_result(member=w.second_committee_member, tally_run=w.run)
    publish_results(actor=w.admin, cycle=w.cycle)
    assert results_published(w.cycle)


def test_publication_is_refused_without_a_run():
    w = build_world(phase=PhaseKind.RESULTS)
    with pytest.raises(Conflict, match="rien à publier"):
        publish_results(actor=w.admin, cycle=w.cycle)
    assert not ResultPublication.objects.exists()


def test_publication_is_refused_to_everyone_but_administrators():
    w = certified_world()
    for user in (w.resident, w.committee_member, w.publisher, w.reviewer, w.moderator):
        with pytest.raises(NotAllowed):
            publish_results(actor=user, cycle=w.cycle)
    assert not results_published(w.cycle)
    w.b.refresh_from_db()
    assert w.b.status == ProposalStatus.ON_BALLOT


def test_publication_is_refused_when_the_phase_does_not_allow_it():
    w = certified_world()
    set_phase(w.cycle, PhaseKind.VOTING)
    with pytest.raises(PhaseClosed):
        publish_results(actor=w.admin, cycle=w.cycle)
    set_phase(w.cycle, PhaseKind.IMPLEMENTATION)  # publishing late is allowed
    publish_results(actor=w.admin, cycle=w.cycle)
    assert results_published(w.cycle)


def test_a_second_publication_is_refused_and_changes_nothing():
    w = certified_world()
    publish_results(actor=w.admin, cycle=w.cycle)
    with pytest.raises(Conflict, match="déjà publiés"):
        publish_results(actor=w.admin, cycle=w.cycle)
    assert ResultPublication.objects.count() == 1
    assert AuditEvent.objects.filter(action="results.published").count() == 1


def test_after_publication_a_recount_confirms_but_never_replaces_the_run():
    w = certified_world()
    publish_results(actor=w.admin, cycle=w.cycle)
    assert run_tally(actor=w.admin, cycle=w.cycle).pk == w.run.pk  # same ballots: confirmed
    w.c.validated_cost_cents = 45_000_00  # the input changes: another fingerprint
    w.c.save()
    with pytest.raises(Conflict, match="publiés"):
        run_tally(actor=w.admin, cycle=w.cycle)
    assert TallyRun.objects.filter(cycle=w.cycle).count() == 1
    w.run.refresh_from_db()
    assert w.run.is_current and results_published(w.cycle)


def test_a_superseded_run_is_not_certified():
    w = certified_world()
    assert is_certified(w.run)
    w.c.validated_cost_cents = 45_000_00
    w.c.save()
    recount = run_tally(actor=w.admin, cycle=w.cycle)
    w.run.refresh_from_db()
    assert not is_certified(w.run) and not is_certified(recount) and not is_certified(None)
    with pytest.raises(Conflict):
        publish_results(actor=w.admin, cycle=w.cycle)


# --- HTTP: the manage page's button, the results page gate ------------------------------------


def test_the_manage_page_publishes_once_certified(client):
    w = tallied_world()
    client.force_login(w.admin)
    page = client.get(f"/vote/{w.cycle.slug}/gestion/").content.decode()
    assert "Publier les résultats" not in page and "La publication sera possible" in page
    response = client.post(f"/vote/{w.cycle.slug}/publier/", follow=True)
    assert "pas certifié" in response.content.decode() and not results_published(w.cycle)
    certify_result(member=w.committee_member, tally_run=w.run)
    assert "Publier les résultats" in client.get(f"/vote/{w.cycle.slug}/gestion/").content.decode()
    response = client.post(f"/vote/{w.cycle.slug}/publier/", follow=True)
    assert response.status_code == 200 and results_published(w.cycle)
    assert "Les résultats sont publiés" in response.content.decode()


def test_the_publish_url_refuses_non_administrators_and_get(client):
    w = certified_world()
    client.force_login(w.committee_member)
    assert client.post(f"/vote/{w.cycle.slug}/publier/").status_code == 403
    client.force_login(w.admin)
    assert client.get(f"/vote/{w.cycle.slug}/publier/").status_code == 405
    assert not results_published(w.cycle)


def test_the_public_results_page_waits_for_the_publication(client):
    w = certified_world()
    url = f"/rapports/{w.cycle.slug}/resultats/"
    for user in (None, w.resident, w.publisher):
        client.logout()
        if user:
            client.force_login(user)
        html = client.get(url).content.decode()
        assert "Les résultats seront publiés ici après leur certification" in html
        assert w.run.fingerprint not in html and ">B<" not in html and "non publié" not in html
    for user in (w.admin, w.committee_member, w.second_committee_member):
        client.force_login(user)
        html = client.get(url).content.decode()
        assert "Aperçu : ces résultats ne sont pas publiés." in html and w.run.fingerprint in html
    publish_results(actor=w.admin, cycle=w.cycle)
    client.logout()
    html = client.get(url).content.decode()
    assert w.run.fingerprint in html and "Résultats officiels, publiés le" in html and ">B<" in html
    assert "non publié" not in html


def test_the_tally_button_after_publication_explains_the_refusal(client):
    w = certified_world()
    publish_results(actor=w.admin, cycle=w.cycle)
    w.c.validated_cost_cents = 45_000_00
    w.c.save()
    client.force_login(w.admin)
    response = client.post(f"/vote/{w.cycle.slug}/depouiller/", follow=True)
    assert response.status_code == 200
    assert "ne peut pas les remplacer" in response.content.decode()
    assert TallyRun.objects.filter(cycle=w.cycle).count() == 1
