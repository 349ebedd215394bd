"""Feasibility review and the reviewer queue through the HTTP layer."""

import pytest

from audit.models import AuditEvent
from proposals.models import Proposal, ProposalStatus, Review
from tests.builders import build_world, make_proposal


def submitted(world, **kwargs):
    return make_proposal(world, feasible=False, **kwargs)


@pytest.mark.django_db
def test_reviewer_sees_the_review_form_of_a_proposal_of_their_commune(client):
    world = build_world(phase="review")
    proposal = submitted(world)
    client.force_login(world.reviewer)
    response = client.get(f"/propositions/p/{proposal.pk}/analyser/")
    assert response.status_code == 200
    page = response.content.decode()
    assert '<fieldset id="id_decision"' in page and "<legend>Décision" in page
    assert '<label for="id_validated_cost">' in page and '<label for="id_public_reason">' in page


@pytest.mark.django_db
def test_reviewer_declares_a_proposal_feasible_with_a_validated_cost_in_euros(client):
    world = build_world(phase="review")
    proposal = submitted(world)
    client.force_login(world.reviewer)
    response = client.post(f"/propositions/p/{proposal.pk}/analyser/",
                           {"decision": "feasible", "validated_cost": "15 500"}, follow=True)
    assert response.redirect_chain == [("/propositions/bp-test/a-analyser/", 302)]
    proposal.refresh_from_db()
    assert proposal.status == ProposalStatus.FEASIBLE
    assert proposal.validated_cost_cents == 1_550_000
    assert Review.objects.get().reviewer == world.reviewer
    assert AuditEvent.objects.filter(action="proposal.reviewed").count() == 1
    assert "Votre avis est enregistré et publié." in response.content.decode()


@pytest.mark.django_db
def test_unfeasible_decision_is_published_with_its_reason(client):
    world = build_world(phase="submission")
    proposal = submitted(world)
    client.force_login(world.reviewer)
    client.post(f"/propositions/p/{proposal.pk}/analyser/",
                {"decision": "unfeasible", "public_reason": "Terrain privé."})
    proposal.refresh_from_db()
    assert proposal.status == ProposalStatus.UNFEASIBLE
    assert proposal.validated_cost_cents is None
    client.logout()
    page = client.get(f"/propositions/p/{proposal.pk}/").content.decode()
    assert "Non recevable" in page and "Terrain privé." in page


@pytest.mark.django_db
def test_unfeasible_without_a_reason_is_refused_on_the_reason_field(client):
    world = build_world(phase="review")
    proposal = submitted(world)
    client.force_login(world.reviewer)
    response = client.post(f"/propositions/p/{proposal.pk}/analyser/",
                           {"decision": "unfeasible", "public_reason": "   "})
    assert response.status_code == 200
    page = response.content.decode()
    assert 'id="id_public_reason_error"' in page
    assert "Un motif public est obligatoire" in page
    assert 'value="unfeasible" id="id_decision_1" required checked' in page
    proposal.refresh_from_db()
    assert proposal.status == ProposalStatus.SUBMITTED and not Review.objects.exists()


@pytest.mark.django_db
@pytest.mark.parametrize("cost", ["", "beaucoup", "12,000"])
def test_feasible_without_a_readable_cost_is_refused_on_the_cost_field(client, cost):
    world = build_world(phase="review")
    proposal = submitted(world)
    client.force_login(world.reviewer)
    response = client.post(f"/propositions/p/{proposal.pk}/analyser/",
                           {"decision": "feasible", "validated_cost": cost})
    assert 'id="id_validated_cost_error"' in response.content.decode()
    assert not Review.objects.exists()


@pytest.mark.django_db
def test_validated_cost_above_the_envelope_is_refused_on_the_cost_field(client):
    world = build_world(phase="review")
    proposal = submitted(world)
    client.force_login(world.reviewer)
    response = client.post(f"/propositions/p/{proposal.pk}/analyser/",
                           {"decision": "feasible", "validated_cost": "100 001"})
    page = response.content.decode()
    assert 'id="id_validated_cost_error"' in page
    assert "Le coût validé dépasse le montant de l’enveloppe." in page
    assert not Review.objects.exists()


@pytest.mark.django_db
def test_missing_decision_is_refused(client):
    world = build_world(phase="review")
    proposal = submitted(world)
    client.force_login(world.reviewer)
    response = client.post(f"/propositions/p/{proposal.pk}/analyser/", {"validated_cost": "10"})
    assert 'id="id_decision_error"' in response.content.decode()
    assert not Review.objects.exists()


@pytest.mark.django_db
def test_reviewer_of_another_commune_is_refused(client):
    world = build_world(phase="review")
    proposal = submitted(world)
    client.force_login(world.floirac_reviewer)
    assert client.get(f"/propositions/p/{proposal.pk}/analyser/").status_code == 403
    response = client.post(f"/propositions/p/{proposal.pk}/analyser/",
                           {"decision": "feasible", "validated_cost": "10"})
    assert response.status_code == 403
    assert "Seuls les services de la commune concernée" in response.content.decode()
    assert not Review.objects.exists()


@pytest.mark.django_db
@pytest.mark.parametrize("role", ["resident", "moderator", "facilitator", "committee_member",
                                  "publisher"])
def test_users_without_the_reviewer_role_are_refused(client, role):
    world = build_world(phase="review")
    proposal = submitted(world)
    client.force_login(getattr(world, role))
    response = client.post(f"/propositions/p/{proposal.pk}/analyser/",
                           {"decision": "unfeasible", "public_reason": "Non."})
    assert response.status_code == 403
    assert Proposal.objects.get().status == ProposalStatus.SUBMITTED


@pytest.mark.django_db
def test_anonymous_visitor_is_sent_to_login_before_reviewing(client):
    world = build_world(phase="review")
    proposal = submitted(world)
    response = client.post(f"/propositions/p/{proposal.pk}/analyser/",
                           {"decision": "unfeasible", "public_reason": "Non."})
    assert response.status_code == 302
    assert response["Location"].startswith("/comptes/connexion/?next=")
    assert not Review.objects.exists()


@pytest.mark.django_db
@pytest.mark.parametrize("phase", ["deliberation", "voting", "results", "implementation", None])
def test_review_is_refused_outside_submission_and_review_phases(client, phase):
    world = build_world(phase=phase)
    proposal = submitted(world)
    client.force_login(world.reviewer)
    assert client.get(f"/propositions/p/{proposal.pk}/analyser/").status_code == 409
    response = client.post(f"/propositions/p/{proposal.pk}/analyser/",
                           {"decision": "feasible", "validated_cost": "10"})
    assert response.status_code == 409
    assert not Review.objects.exists()


@pytest.mark.django_db
def test_detail_page_links_the_review_form_only_for_the_commune_reviewer(client):
    world = build_world(phase="review")
    proposal = submitted(world)
    link = f'href="/propositions/p/{proposal.pk}/analyser/"'
    client.force_login(world.reviewer)
    assert link in client.get(f"/propositions/p/{proposal.pk}/").content.decode()
    client.force_login(world.floirac_reviewer)
    assert link not in client.get(f"/propositions/p/{proposal.pk}/").content.decode()


@pytest.mark.django_db
def test_queue_lists_only_unreviewed_proposals_of_the_reviewer_communes(client):
    world = build_world(phase="review")
    submitted(world, title="Bancs à Cenon")
    make_proposal(world, title="Déjà recevable", feasible=True)
    submitted(world, title="Piste à Floirac", envelope=world.floirac_envelope)
    client.force_login(world.reviewer)
    response = client.get("/propositions/bp-test/a-analyser/")
    assert response.status_code == 200
    page = response.content.decode()
    assert "Bancs à Cenon" in page
    assert "Déjà recevable" not in page and "Piste à Floirac" not in page
    assert "1 proposition en attente d’avis" in page
    client.force_login(world.floirac_reviewer)
    page = client.get("/propositions/bp-test/a-analyser/").content.decode()
    assert "Piste à Floirac" in page and "Bancs à Cenon" not in page


@pytest.mark.django_db
def test_queue_warns_when_review_is_not_open(client):
    world = build_world(phase="voting")
    submitted(world, title="Bancs à Cenon")
    client.force_login(world.reviewer)
    page = client.get("/propositions/bp-test/a-analyser/").content.decode()
    assert "L’analyse de faisabilité n’est pas ouverte" in page
    assert "/analyser/" not in page.split("<main")[1]


@pytest.mark.django_db
@pytest.mark.parametrize("role", ["resident", "moderator", "committee_member", "publisher"])
def test_queue_is_refused_to_users_who_review_no_commune(client, role):
    world = build_world(phase="review")
    client.force_login(getattr(world, role))
    assert client.get("/propositions/bp-test/a-analyser/").status_code == 403


@pytest.mark.django_db
def test_queue_sends_anonymous_visitors_to_login(client):
    build_world(phase="review")
    response = client.get("/propositions/bp-test/a-analyser/")
    assert response.status_code == 302
    assert response["Location"] == "/comptes/connexion/?next=/propositions/bp-test/a-analyser/"


@pytest.mark.django_db
def test_review_form_of_a_reviewed_proposal_starts_from_the_current_decision(client):
    world = build_world(phase="review")
    proposal = make_proposal(world, feasible=True, cost_cents=1_234_550)
    proposal.public_reason = "Chiffrage des services."
    proposal.save()
    client.force_login(world.reviewer)
    page = client.get(f"/propositions/p/{proposal.pk}/analyser/").content.decode()
    assert 'value="feasible" id="id_decision_0" required checked' in page
    assert 'value="12\u202f345,50"' in page
    assert "Chiffrage des services." in page
    client.post(f"/propositions/p/{proposal.pk}/analyser/",
                {"decision": "feasible", "validated_cost": "12\u202f345,50",
                 "public_reason": "Chiffrage des services."})
    proposal.refresh_from_db()
    assert proposal.validated_cost_cents == 1_234_550


@pytest.mark.django_db
def test_queue_shows_who_took_a_proposal_into_review(client):
    from proposals.services import take_into_review

    world = build_world(phase="review")
    world.reviewer.display_name = "Services techniques"
    world.reviewer.save()
    taken = submitted(world, title="Bancs à Cenon")
    submitted(world, title="Fontaine")
    take_into_review(reviewer=world.reviewer, proposal=taken)
    client.force_login(world.reviewer)
    page = client.get("/propositions/bp-test/a-analyser/").content.decode()
    assert "2 propositions en attente d’avis" in page
    assert "En cours d’analyse" in page and "par Services techniques" in page
