"""GET /api/v1/cycles/ and /api/v1/cycles/{slug}/: envelopes, phases, the phase open now."""

import pytest

from budgets.models import BudgetCycle, Envelope
from budgets.policy import ALLOWED_ACTIONS, PhaseKind
from tests.api.support import assert_api_error, client_for
from tests.builders import PHASE_ORDER, build_world, set_phase

pytestmark = pytest.mark.django_db


def test_cycle_list_is_public_and_gives_the_current_phase():
    world = build_world(phase=PhaseKind.SUBMISSION)

    response = client_for().get("/api/v1/cycles/")

    assert response.status_code == 200
    body = response.json()
    assert body["count"] == 1
    [cycle] = body["results"]
    assert cycle["slug"] == world.cycle.slug
    assert cycle["name"] == "Budget participatif test"
    assert cycle["ballot_kind"] == "approval"
    assert cycle["max_choices"] == 3
    assert cycle["current_phase"]["kind"] == "submission"
    assert "submit" in cycle["current_phase"]["allowed_actions"]


def test_cycle_detail_lists_envelopes_in_cents_and_the_dated_timeline():
    world = build_world(phase=PhaseKind.VOTING)

    body = client_for().get("/api/v1/cycles/bp-test/").json()

    envelopes = {e["name"]: e for e in body["envelopes"]}
    assert envelopes["Enveloppe Cenon"]["amount_cents"] == world.cenon_envelope.amount_cents
    assert envelopes["Enveloppe Cenon"]["commune"] == "cenon"
    assert envelopes["Enveloppe Floirac"]["commune"] == "floirac"
    assert envelopes["Enveloppe territoire"]["commune"] is None
    assert [p["kind"] for p in body["phases"]] == PHASE_ORDER
    starts = [p["starts_at"] for p in body["phases"]]
    assert starts == sorted(starts)
    assert body["current_phase"]["kind"] == "voting"
    assert body["current_phase"]["allowed_actions"] == sorted(ALLOWED_ACTIONS[PhaseKind.VOTING])
    assert body["certification_quorum"] == 1


def test_cycle_between_phases_has_no_current_phase():
    world = build_world(phase=PhaseKind.SUBMISSION)
    set_phase(world.cycle, None)

    body = client_for().get("/api/v1/cycles/bp-test/").json()

    assert body["current_phase"] is None
    assert len(body["phases"]) == len(PHASE_ORDER)


def test_unknown_cycle_is_a_404_in_the_error_shape():
    build_world()

    response = client_for().get("/api/v1/cycles/nope/")

    assert_api_error(response, 404, "not_found")


def test_cycle_list_runs_a_bounded_number_of_queries(django_assert_max_num_queries):
    world = build_world()
    for index in range(5):
        cycle = BudgetCycle.objects.create(name=f"Cycle {index}", slug=f"cycle-{index}")
        Envelope.objects.create(cycle=cycle, commune=world.cenon, name="E", amount_cents=100)
        set_phase(cycle, PhaseKind.REVIEW)

    with django_assert_max_num_queries(5):
        response = client_for().get("/api/v1/cycles/")

    assert response.json()["count"] == 6


def test_cycles_are_read_only():
    world = build_world()

    response = client_for(world.admin).post("/api/v1/cycles/", {"name": "x"}, format="json")

    assert_api_error(response, 405, "method_not_allowed")
