"""The results API: nothing before the publication except a preview for the staff and the
committee; publishing through the same service as the page; figures equal the database."""

from __future__ import annotations

import pytest

from budgets.models import PhaseKind
from reports.selectors import results_published
from tests.api.support import assert_api_error, client_for
from tests.builders import build_world, make_proposal, set_phase
from voting.models import ResultLine
from voting.services import cast_ballot
from voting.tally import certify_result, run_tally

pytestmark = pytest.mark.django_db


def tallied_world(quorum=1):
    w = build_world(phase=PhaseKind.VOTING, quorum=quorum)
    w.a = make_proposal(w, title="A", cost_cents=60_000_00)
    w.b = make_proposal(w, title="B", cost_cents=50_000_00)
    w.c = make_proposal(w, title="C", cost_cents=30_000_00)
    cast_ballot(voter=w.resident, cycle=w.cycle, proposal_ids=[w.a.pk, w.b.pk])
    cast_ballot(voter=w.second_resident, cycle=w.cycle, proposal_ids=[w.a.pk, w.b.pk, w.c.pk])
    set_phase(w.cycle, PhaseKind.RESULTS)
    w.run = run_tally(actor=w.admin, cycle=w.cycle)
    return w


def url(w, suffix=""):
    return f"/api/v1/cycles/{w.cycle.slug}/results/{suffix}"


def test_before_the_publication_the_public_gets_no_result_and_the_committee_a_preview():
    w = tallied_world()
    for user in (None, w.resident, w.publisher):
        body = client_for(user).get(url(w)).json()
        assert body == {"cycle": w.cycle.slug, "published": False, "published_at": None,
                        "preview": False, "tally": None, "envelopes": []}
    for user in (w.admin, w.committee_member):
        response = client_for(user).get(url(w))
        body = response.json()
        assert body["preview"] and not body["published"] and "no-store" in response["Cache-Control"]
        assert body["tally"]["fingerprint"] == w.run.fingerprint


def test_publishing_through_the_api_and_reading_the_figures():
    w = tallied_world()
    assert_api_error(client_for().post(url(w, "publish/")), 401, "not_authenticated")
    assert_api_error(client_for(w.committee_member).post(url(w, "publish/")), 403, "not_allowed")
    assert_api_error(client_for(w.admin).post(url(w, "publish/")), 409, "conflict")
    certify_result(member=w.committee_member, tally_run=w.run)
    response = client_for(w.admin).post(url(w, "publish/"))
    assert response.status_code == 200 and response.json()["published"]
    assert results_published(w.cycle)
    assert_api_error(client_for(w.admin).post(url(w, "publish/")), 409, "conflict")

    body = client_for().get(url(w)).json()
    assert body["published"] and not body["preview"] and body["published_at"]
    tally = body["tally"]
    assert (tally["fingerprint"], tally["ballot_log_head"], tally["arithmetic"]) == (
        w.run.fingerprint, w.run.log_head, w.run.arithmetic)
    assert tally["code_version"] == w.run.code_version and tally["certified"]
    cenon = next(e for e in body["envelopes"] if e["id"] == w.cenon_envelope.pk)
    for line in cenon["lines"]:
        stored = ResultLine.objects.get(envelope_result__tally_run=w.run, proposal_id=line["proposal_id"])
        assert (line["votes"], line["cost_cents"], line["funded"], line["rank"]) == (
            stored.votes, stored.cost_cents, stored.is_funded, stored.rank)
    assert [c["rule"] for c in cenon["comparisons"]] == ["mes"]


def test_an_unknown_cycle_is_a_404():
    assert_api_error(client_for().get("/api/v1/cycles/inconnu/results/"), 404, "not_found")
