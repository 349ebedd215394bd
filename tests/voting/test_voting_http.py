"""The voting pages through HTTP: ballot, receipt, close, tally, certify, with refusals."""

import pytest

from budgets.models import PhaseKind
from tests.builders import build_world, make_proposal, set_phase
from voting.models import Ballot, Certification, TallyRun

pytestmark = pytest.mark.django_db


def world_with_options(**kwargs):
    w = build_world(phase=PhaseKind.VOTING, **kwargs)
    w.a = make_proposal(w, title="Jardin partagé", cost_cents=60_000_00)
    w.b = make_proposal(w, title="Bancs <b>gras</b>", cost_cents=50_000_00)
    w.t = make_proposal(w, title="Navette", envelope=w.territory_envelope, cost_cents=90_000_00)
    return w


def test_anonymous_visitor_is_sent_to_login(client):
    w = world_with_options()
    response = client.get("/vote/bp-test/")
    assert response.status_code == 302 and "/comptes/connexion/" in response["Location"]
    assert client.post("/vote/bp-test/", {"choices": [w.a.pk]}).status_code == 302
    assert Ballot.objects.count() == 0


def test_resident_sees_the_options_of_their_envelopes_only(client):
    w = world_with_options()
    floirac = make_proposal(w, title="Skatepark de Floirac", envelope=w.floirac_envelope)
    client.force_login(w.resident)
    page = client.get("/vote/bp-test/").content.decode()
    assert "Jardin partagé" in page and "Navette" in page
    assert floirac.title not in page
    assert "Bancs &lt;b&gt;gras&lt;/b&gt;" in page  # titles are escaped


def test_resident_casts_then_sees_a_receipt_then_replaces_the_ballot(client):
    w = world_with_options()
    client.force_login(w.resident)
    response = client.post("/vote/bp-test/", {"choices": [w.a.pk, w.t.pk]})
    assert response.status_code == 302 and response["Location"] == "/vote/bp-test/recu/"
    receipt_page = client.get("/vote/bp-test/recu/").content.decode()
    code = Ballot.objects.get().receipt_code
    assert code in receipt_page and "Jardin partagé" in receipt_page
    client.post("/vote/bp-test/", {"choices": [w.b.pk]})
    assert Ballot.objects.count() == 1
    assert Ballot.objects.get().receipt_code != code


def test_too_many_choices_shows_a_french_error_and_records_nothing(client):
    w = world_with_options(max_choices=1)
    client.force_login(w.resident)
    response = client.post("/vote/bp-test/", {"choices": [w.a.pk, w.b.pk]})
    assert response.status_code == 400
    assert "le maximum est 1" in response.content.decode()
    assert Ballot.objects.count() == 0


def test_over_budget_knapsack_ballot_is_refused_with_the_reason(client):
    w = world_with_options(ballot_kind="knapsack")
    client.force_login(w.resident)
    response = client.post("/vote/bp-test/", {"choices": [w.a.pk, w.b.pk]})  # 110 000 € > 100 000 €
    assert response.status_code == 400
    assert "Enveloppe Cenon" in response.content.decode()
    assert Ballot.objects.count() == 0


def test_unknown_choice_is_refused(client):
    w = world_with_options()
    client.force_login(w.resident)
    response = client.post("/vote/bp-test/", {"choices": ["999999"]})
    assert response.status_code == 400 and Ballot.objects.count() == 0


def test_voting_outside_the_voting_phase_is_refused(client):
    w = world_with_options()
    set_phase(w.cycle, PhaseKind.DELIBERATION)
    client.force_login(w.resident)
    response = client.post("/vote/bp-test/", {"choices": [w.a.pk]})
    assert response.status_code == 409
    assert "phase" in response.content.decode()
    assert Ballot.objects.count() == 0


def test_outsider_is_told_they_cannot_vote(client):
    world_with_options()
    from accounts.models import User

    client.force_login(User.objects.get(email="outsider@example.org"))
    page = client.get("/vote/bp-test/").content.decode()
    assert "réservé aux habitants" in page


def test_administrator_closes_tallies_and_committee_certifies(client):
    w = world_with_options()
    client.force_login(w.resident)
    client.post("/vote/bp-test/", {"choices": [w.a.pk]})
    client.force_login(w.admin)
    assert client.get("/vote/bp-test/gestion/").status_code == 200
    assert client.post("/vote/bp-test/clore/").status_code == 302
    assert client.post("/vote/bp-test/depouiller/").status_code == 302
    run = TallyRun.objects.get()
    assert run.fingerprint in client.get("/vote/bp-test/gestion/").content.decode()
    client.force_login(w.committee_member)
    page = client.get("/vote/bp-test/certifier/").content.decode()
    assert run.fingerprint in page
    assert "1 bulletin compté." in page and "Échec" not in page
    missing_confirm = client.post("/vote/bp-test/certifier/", {"statement": "RAS"})
    assert missing_confirm.status_code == 400 and Certification.objects.count() == 0
    assert client.post("/vote/bp-test/certifier/", {"confirm": "on"}).status_code == 302
    assert Certification.objects.get().member == w.committee_member


@pytest.mark.parametrize("role", ["resident", "reviewer", "committee_member", "moderator", "publisher"])
def test_staff_actions_are_refused_to_non_administrators(client, role):
    w = world_with_options()
    client.force_login(getattr(w, role))
    assert client.get("/vote/bp-test/gestion/").status_code == 403
    assert client.post("/vote/bp-test/clore/").status_code == 403
    set_phase(w.cycle, PhaseKind.RESULTS)
    assert client.post("/vote/bp-test/depouiller/").status_code == 403
    assert TallyRun.objects.count() == 0


@pytest.mark.parametrize("role", ["resident", "admin", "reviewer", "moderator", "publisher"])
def test_certify_page_is_refused_to_non_members(client, role):
    w = world_with_options()
    client.force_login(getattr(w, role))
    assert client.get("/vote/bp-test/certifier/").status_code == 403


def test_closing_with_paper_sheets_awaiting_a_second_keying_needs_a_confirmation(client):
    from datetime import date

    from budgets.models import PhaseKind as Kind
    from budgets.services import current_phase_of
    from voting.models import InPersonEvent, PaperSheet

    w = world_with_options()
    event = InPersonEvent.objects.create(cycle=w.cycle, commune=w.cenon, place="Salle Palmer",
                                         held_on=date.today(), created_by=w.facilitator)
    PaperSheet.objects.create(event=event, number=1)
    client.force_login(w.admin)
    assert "seconde saisie" in client.get("/vote/bp-test/gestion/").content.decode()
    client.post("/vote/bp-test/clore/")
    assert current_phase_of(w.cycle).kind == Kind.VOTING
    client.post("/vote/bp-test/clore/", {"confirm_pending": "1"})
    assert current_phase_of(w.cycle).kind == Kind.RESULTS
