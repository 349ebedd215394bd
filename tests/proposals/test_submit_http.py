"""Submitting, listing and reading proposals through the HTTP layer."""

import pytest

from budgets.models import BudgetCycle, Envelope
from proposals.forms import parse_euros_to_cents
from proposals.models import Proposal, ProposalStatus
from tests.builders import build_world, make_proposal, set_phase

NNBSP = "\u202f"


@pytest.mark.parametrize(
    ("raw", "cents"),
    [("12000", 1_200_000), ("12 000", 1_200_000), ("12\u202f000,50", 1_200_050),
     ("12000.5", 1_200_050), ("12 000 €", 1_200_000), ("0,05", 5), ("1 234 567,89", 123_456_789)],
)
def test_euro_amounts_are_parsed_into_integer_cents(raw, cents):
    assert parse_euros_to_cents(raw) == cents


@pytest.mark.parametrize("raw", ["douze", "12,000", "12.000", "1,234", "-5", "12,5,0", "", "1e3"])
def test_ambiguous_or_invalid_euro_amounts_are_refused(raw):
    with pytest.raises(ValueError):
        parse_euros_to_cents(raw)


def submission(world, **overrides):
    data = {
        "title": "Un jardin partagé", "description": "Des bacs et un composteur.",
        "category": "environment", "commune": world.cenon.pk,
        "district": world.cenon_district.pk, "envelope": world.cenon_envelope.pk,
        "estimated_cost": "12 000,50",
    }
    data.update(overrides)
    return data


@pytest.mark.django_db
def test_anonymous_visitor_is_sent_to_login_before_submitting(client):
    build_world()
    response = client.get("/propositions/bp-test/deposer/")
    assert response.status_code == 302
    assert response["Location"] == "/comptes/connexion/?next=/propositions/bp-test/deposer/"
    response = client.post("/propositions/bp-test/deposer/", {})
    assert response.status_code == 302
    assert Proposal.objects.count() == 0


@pytest.mark.django_db
def test_submission_form_preselects_the_resident_commune(client):
    world = build_world()
    client.force_login(world.resident)
    response = client.get("/propositions/bp-test/deposer/")
    assert response.status_code == 200
    assert f'<option value="{world.cenon.pk}" selected>Cenon</option>' in response.content.decode()


@pytest.mark.django_db
def test_resident_submits_a_proposal_with_the_cost_in_euros(client):
    world = build_world()
    client.force_login(world.resident)
    response = client.post("/propositions/bp-test/deposer/", submission(world), follow=True)
    proposal = Proposal.objects.get()
    assert response.redirect_chain == [(f"/propositions/p/{proposal.pk}/", 302)]
    assert proposal.estimated_cost_cents == 1_200_050
    assert proposal.author == world.resident and proposal.status == ProposalStatus.SUBMITTED
    assert proposal.district == world.cenon_district
    page = response.content.decode()
    assert "Votre proposition est déposée." in page and 'role="status"' in page
    assert f"12{NNBSP}000,50{NNBSP}€" in page


@pytest.mark.django_db
@pytest.mark.parametrize("cost", ["douze mille", "12,000", "-3"])
def test_unreadable_cost_is_refused_on_the_cost_field(client, cost):
    world = build_world()
    client.force_login(world.resident)
    response = client.post("/propositions/bp-test/deposer/",
                           submission(world, estimated_cost=cost))
    assert response.status_code == 200
    page = response.content.decode()
    assert 'id="id_estimated_cost_error"' in page
    assert "Indiquez un montant en euros" in page
    assert Proposal.objects.count() == 0


@pytest.mark.django_db
def test_cost_above_the_envelope_is_refused_on_the_cost_field(client):
    world = build_world()
    client.force_login(world.resident)
    response = client.post("/propositions/bp-test/deposer/",
                           submission(world, estimated_cost="100 000,01"))
    page = response.content.decode()
    assert 'id="id_estimated_cost_error"' in page
    assert "dépasse le montant de l’enveloppe" in page
    assert Proposal.objects.count() == 0


@pytest.mark.django_db
def test_zero_cost_is_refused(client):
    world = build_world()
    client.force_login(world.resident)
    response = client.post("/propositions/bp-test/deposer/", submission(world, estimated_cost="0"))
    assert "Le coût estimé doit être positif." in response.content.decode()
    assert Proposal.objects.count() == 0


@pytest.mark.django_db
def test_envelope_of_another_commune_is_refused_on_the_envelope_field(client):
    world = build_world()
    client.force_login(world.resident)
    response = client.post("/propositions/bp-test/deposer/",
                           submission(world, envelope=world.floirac_envelope.pk))
    page = response.content.decode()
    assert 'id="id_envelope_error"' in page
    assert "L’enveloppe choisie est celle d’une autre commune." in page
    assert Proposal.objects.count() == 0


@pytest.mark.django_db
def test_envelope_of_another_cycle_cannot_be_chosen(client):
    world = build_world()
    other = BudgetCycle.objects.create(name="Autre", slug="autre")
    foreign = Envelope.objects.create(cycle=other, commune=world.cenon, name="Autre Cenon",
                                      amount_cents=1_000_000_00)
    client.force_login(world.resident)
    response = client.post("/propositions/bp-test/deposer/", submission(world, envelope=foreign.pk))
    assert 'id="id_envelope_error"' in response.content.decode()
    assert Proposal.objects.count() == 0


@pytest.mark.django_db
def test_missing_fields_are_listed_in_an_error_summary(client):
    world = build_world()
    client.force_login(world.resident)
    response = client.post("/propositions/bp-test/deposer/",
                           submission(world, title="", category=""))
    page = response.content.decode()
    assert 'class="error-summary" role="alert"' in page
    assert 'href="#id_title"' in page and 'href="#id_category"' in page
    assert Proposal.objects.count() == 0


@pytest.mark.django_db
@pytest.mark.parametrize("phase", ["review", "deliberation", "voting", "results", None])
def test_submission_is_refused_outside_the_submission_phase(client, phase):
    world = build_world(phase=phase)
    client.force_login(world.resident)
    response = client.get("/propositions/bp-test/deposer/")
    assert response.status_code == 409
    assert "pas possible pendant la phase actuelle" in response.content.decode()
    response = client.post("/propositions/bp-test/deposer/", submission(world))
    assert response.status_code == 409
    assert Proposal.objects.count() == 0


@pytest.mark.django_db
def test_unknown_cycle_has_no_submission_page(client):
    world = build_world()
    client.force_login(world.resident)
    assert client.get("/propositions/nope/deposer/").status_code == 404


@pytest.mark.django_db
def test_list_shows_proposals_and_offers_submission_during_the_submission_phase(client):
    world = build_world()
    make_proposal(world, title="Des bancs")
    make_proposal(world, title="Une piste", envelope=world.floirac_envelope, feasible=False)
    page = client.get("/propositions/bp-test/").content.decode()
    assert "Des bancs" in page and "Une piste" in page
    assert "2 propositions" in page
    assert 'href="/propositions/bp-test/deposer/"' in page
    set_phase(world.cycle, "voting")
    page = client.get("/propositions/bp-test/").content.decode()
    assert 'href="/propositions/bp-test/deposer/"' not in page


@pytest.mark.django_db
def test_list_filters_by_commune_category_and_status(client):
    world = build_world()
    make_proposal(world, title="Des bancs")
    floirac = make_proposal(world, title="Une piste", envelope=world.floirac_envelope,
                            feasible=False)
    floirac.category = "mobility"
    floirac.save()
    page = client.get("/propositions/bp-test/", {"commune": world.floirac.pk}).content.decode()
    assert "Une piste" in page and "Des bancs" not in page
    page = client.get("/propositions/bp-test/", {"category": "public_space"}).content.decode()
    assert "Des bancs" in page and "Une piste" not in page
    page = client.get("/propositions/bp-test/", {"status": "submitted"}).content.decode()
    assert "Une piste" in page and "Des bancs" not in page
    page = client.get("/propositions/bp-test/",
                      {"commune": world.cenon.pk, "status": "submitted"}).content.decode()
    assert "Aucune proposition ne correspond à ces critères." in page


@pytest.mark.django_db
def test_list_ignores_a_nonsense_filter_instead_of_failing(client):
    world = build_world()
    make_proposal(world, title="Des bancs")
    response = client.get("/propositions/bp-test/", {"commune": "abc", "status": "<x>"})
    assert response.status_code == 200
    assert "Des bancs" in response.content.decode()


@pytest.mark.django_db
def test_list_runs_a_bounded_number_of_queries(client, django_assert_max_num_queries):
    world = build_world()
    for index in range(30):
        make_proposal(world, title=f"Projet {index:02d}")
    with django_assert_max_num_queries(8):
        response = client.get("/propositions/bp-test/")
    page = response.content.decode()
    assert "30 propositions" in page and "Page 1 sur 2" in page
    assert 'href="?page=2"' in page


@pytest.mark.django_db
def test_detail_shows_status_costs_and_public_reason(client):
    world = build_world(phase="review")
    proposal = make_proposal(world, title="Un skatepark", feasible=False, cost_cents=50_000_00)
    proposal.status = ProposalStatus.UNFEASIBLE
    proposal.public_reason = "Le terrain est inondable."
    proposal.save()
    page = client.get(f"/propositions/p/{proposal.pk}/").content.decode()
    assert "Un skatepark" in page and "Non recevable" in page
    assert "Le terrain est inondable." in page
    assert f"50{NNBSP}000{NNBSP}€" in page
    assert "Awa" in page and "resident@example.org" not in page


@pytest.mark.django_db
def test_detail_of_an_unknown_proposal_is_not_found(client):
    build_world()
    assert client.get("/propositions/p/999/").status_code == 404
