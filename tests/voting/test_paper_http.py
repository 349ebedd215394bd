"""The paper channel pages through HTTP: events, the register at an event, keying sheets,
the reconciliation list, with refusals (voting/paper_views.py)."""

import re
from datetime import date

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from budgets.models import PhaseKind
from budgets.roles import Role, grant_role
from tests.builders import build_world, make_proposal, make_user, set_phase
from voting import paper
from voting.models import (
    Ballot,
    BallotLogEntry,
    InPersonEvent,
    PaperKeying,
    Participation,
    SheetStatus,
)
from voting.services import cast_ballot

pytestmark = pytest.mark.django_db


def paper_world(**kwargs):
    w = build_world(phase=PhaseKind.VOTING, **kwargs)
    w.a = make_proposal(w, title="Jardin partagé", cost_cents=60_000_00)
    w.b = make_proposal(w, title="Bancs <b>gras</b>", cost_cents=50_000_00)
    w.t = make_proposal(w, title="Navette", envelope=w.territory_envelope, cost_cents=90_000_00)
    w.f = make_proposal(w, title="Skatepark de Floirac", envelope=w.floirac_envelope)
    w.users["second_facilitator"] = make_user("facilitator2@example.org")
    grant_role(w.second_facilitator, Role.FACILITATOR, w.cenon)
    w.users["floirac_facilitator"] = make_user("facilitator.floirac@example.org")
    grant_role(w.floirac_facilitator, Role.FACILITATOR, w.floirac)
    w.event = paper.create_event(facilitator=w.facilitator, cycle=w.cycle, commune=w.cenon,
                                 place="Salle du Rocher de Palmer", held_on=date(2026, 11, 21))
    w.url = f"/vote/bp-test/rencontres/{w.event.pk}/"
    return w


def register_someone(w):
    paper.register_paper_voter(facilitator=w.facilitator, event=w.event, last_name="Martin",
                               first_name="Léa", birth_date=date(1990, 1, 1), postcode="33150")


def text(response):
    return response.content.decode()


# --- event list and creation -------------------------------------------------------------

def test_anonymous_visitor_is_sent_to_login(client):
    w = paper_world()
    for url in ["/vote/bp-test/rencontres/", w.url]:
        response = client.get(url)
        assert response.status_code == 302 and "/comptes/connexion/" in response["Location"]
    response = client.post(f"{w.url}saisie/", {"number": 1, "choices": [w.a.pk]})
    assert response.status_code == 302 and PaperKeying.objects.count() == 0


@pytest.mark.parametrize("who", ["resident", "reviewer", "committee_member", "admin"])
def test_event_pages_are_refused_to_people_who_are_not_facilitators(client, who):
    w = paper_world()
    client.force_login(getattr(w, who))
    assert client.get("/vote/bp-test/rencontres/").status_code == 403
    response = client.get(w.url)
    assert response.status_code == 403 and "animateurs de Cenon" in text(response)


def test_a_facilitator_of_another_commune_cannot_open_or_use_the_event(client):
    w = paper_world()
    client.force_login(w.floirac_facilitator)
    assert "Salle du Rocher" not in text(client.get("/vote/bp-test/rencontres/"))
    assert client.get(w.url).status_code == 403
    assert client.post(f"{w.url}saisie/", {"number": 1, "choices": [w.a.pk]}).status_code == 403
    response = client.post(f"{w.url}registre/", {"mode": "compte", "compte-email": w.resident.email})
    assert response.status_code == 403
    assert PaperKeying.objects.count() == 0 and Participation.objects.count() == 0


def test_facilitator_lists_events_and_creates_one(client):
    w = paper_world()
    client.force_login(w.second_facilitator)
    page = text(client.get("/vote/bp-test/rencontres/"))
    assert "Salle du Rocher de Palmer" in page and 'for="id_place"' in page
    response = client.post("/vote/bp-test/rencontres/", {
        "commune": w.cenon.pk, "place": "Marché de la Morlette", "held_on": "2026-11-28"})
    event = InPersonEvent.objects.get(place="Marché de la Morlette")
    assert response.status_code == 302
    assert response["Location"] == f"/vote/bp-test/rencontres/{event.pk}/"
    assert event.created_by == w.second_facilitator and event.held_on == date(2026, 11, 28)


def test_an_event_without_place_is_refused_with_the_field_error(client):
    w = paper_world()
    client.force_login(w.facilitator)
    response = client.post("/vote/bp-test/rencontres/", {"commune": w.cenon.pk, "place": "",
                                                         "held_on": "2026-11-28"})
    assert response.status_code == 400 and 'href="#id_place"' in text(response)
    assert InPersonEvent.objects.count() == 1


def test_a_facilitator_cannot_create_an_event_in_a_commune_they_do_not_facilitate(client):
    w = paper_world()
    client.force_login(w.floirac_facilitator)
    response = client.post("/vote/bp-test/rencontres/", {
        "commune": w.cenon.pk, "place": "Mairie", "held_on": "2026-11-28"})
    assert response.status_code == 400 and InPersonEvent.objects.count() == 1


def test_no_event_is_created_outside_the_voting_phase(client):
    w = paper_world()
    set_phase(w.cycle, PhaseKind.RESULTS)
    client.force_login(w.facilitator)
    response = client.post("/vote/bp-test/rencontres/", {
        "commune": w.cenon.pk, "place": "Mairie", "held_on": "2026-11-28"})
    assert response.status_code == 409 and "phase actuelle" in text(response)
    assert InPersonEvent.objects.count() == 1


def test_an_event_is_only_found_under_its_own_cycle(client):
    w = paper_world()
    client.force_login(w.facilitator)
    assert client.get(f"/vote/autre-cycle/rencontres/{w.event.pk}/").status_code == 404


# --- the event page ----------------------------------------------------------------------

def test_event_page_shows_the_paper_ballot_of_the_event_commune(client):
    w = paper_world()
    client.force_login(w.facilitator)
    response = client.get(w.url)
    page = text(response)
    assert response.status_code == 200
    assert "Jardin partagé" in page and "Navette" in page and "Skatepark de Floirac" not in page
    assert "Bancs &lt;b&gt;gras&lt;/b&gt;" in page
    assert f'id="choix-{w.a.pk}"' in page and f'for="choix-{w.a.pk}"' in page
    assert 'for="id_compte-email"' in page and 'for="id_identite-last_name"' in page


def test_a_cumulative_event_page_asks_for_points(client):
    w = paper_world(ballot_kind="cumulative")
    client.force_login(w.facilitator)
    page = text(client.get(w.url))
    assert f'type="number" min="0" inputmode="numeric" name="points-{w.a.pk}"' in page
    assert "au plus 5 par projet et 10 par enveloppe" in page
    assert f'name="choices" value="{w.a.pk}"' not in page


# --- the register ------------------------------------------------------------------------

def test_facilitator_registers_an_account_found_by_email(client):
    w = paper_world()
    client.force_login(w.facilitator)
    response = client.post(f"{w.url}registre/", {"mode": "compte",
                                                 "compte-email": "RESIDENT@example.org"})
    assert response.status_code == 302 and response["Location"] == w.url
    participation = Participation.objects.get()
    assert participation.voter == w.resident and participation.event == w.event
    assert "inscrit au registre" in text(client.get(w.url))


def test_an_unknown_email_is_refused_with_advice(client):
    w = paper_world()
    client.force_login(w.facilitator)
    response = client.post(f"{w.url}registre/", {"mode": "compte",
                                                 "compte-email": "nobody@example.org"})
    assert response.status_code == 400 and "Aucun compte n’a cette adresse" in text(response)
    assert Participation.objects.count() == 0


def test_facilitator_registers_a_person_without_account(client):
    w = paper_world()
    client.force_login(w.facilitator)
    response = client.post(f"{w.url}registre/", {
        "mode": "identite", "identite-last_name": "Dupré", "identite-first_name": "Élise",
        "identite-birth_date": "1980-05-17", "identite-postcode": "33150"})
    assert response.status_code == 302
    participation = Participation.objects.get()
    assert participation.voter is None and participation.person_digest


def test_an_incomplete_identity_shows_the_field_errors(client):
    w = paper_world()
    client.force_login(w.facilitator)
    response = client.post(f"{w.url}registre/", {"mode": "identite", "identite-last_name": "Dupré"})
    page = text(response)
    assert response.status_code == 400
    assert 'href="#id_identite-first_name"' in page and 'href="#id_identite-birth_date"' in page
    assert Participation.objects.count() == 0


def test_an_online_voter_is_refused_at_the_event_with_the_reason(client):
    w = paper_world()
    cast_ballot(voter=w.resident, cycle=w.cycle, proposal_ids=[w.a.pk])
    client.force_login(w.facilitator)
    response = client.post(f"{w.url}registre/", {"mode": "compte", "compte-email": w.resident.email})
    assert response.status_code == 409 and "déjà voté en ligne" in text(response)
    assert Participation.objects.count() == 1


def test_a_paper_voter_is_refused_on_the_online_ballot_page_with_the_reason(client):
    w = paper_world()
    client.force_login(w.facilitator)
    client.post(f"{w.url}registre/", {"mode": "compte", "compte-email": w.resident.email})
    client.force_login(w.resident)
    response = client.post("/vote/bp-test/", {"choices": [w.a.pk]})
    assert response.status_code == 409 and "déjà voté sur papier" in text(response)
    assert Ballot.objects.count() == 0


def test_a_resident_of_another_commune_is_refused_at_the_event(client):
    w = paper_world()
    client.force_login(w.facilitator)
    response = client.post(f"{w.url}registre/", {"mode": "compte",
                                                 "compte-email": w.floirac_resident.email})
    assert response.status_code == 403 and "habitant de Floirac" in text(response)
    assert Participation.objects.count() == 0


# --- keying ------------------------------------------------------------------------------

def test_two_facilitators_key_the_same_sheet_and_it_is_recorded_as_paper(client):
    w = paper_world()
    register_someone(w)
    client.force_login(w.facilitator)
    response = client.post(f"{w.url}saisie/", {"number": 4, "choices": [w.a.pk, w.t.pk]})
    assert response.status_code == 302
    assert "une seconde saisie par un autre animateur" in text(client.get(w.url))
    client.force_login(w.second_facilitator)
    client.post(f"{w.url}saisie/", {"number": 4, "choices": [w.t.pk, w.a.pk]})
    page = text(client.get(w.url))
    assert "les deux saisies concordent" in page
    assert re.search(r"<td>4</td><td>Concordant, enregistré</td>", page)
    entry = BallotLogEntry.objects.get()
    assert Ballot.objects.get(cast=entry.cast_record).channel == "paper"


def test_the_same_facilitator_keying_twice_is_refused(client):
    w = paper_world()
    register_someone(w)
    client.force_login(w.facilitator)
    client.post(f"{w.url}saisie/", {"number": 4, "choices": [w.a.pk]})
    response = client.post(f"{w.url}saisie/", {"number": 4, "choices": [w.a.pk]})
    assert response.status_code == 409 and "autre animateur" in text(response)
    assert PaperKeying.objects.count() == 1 and Ballot.objects.count() == 0


def test_diverging_keyings_are_shown_side_by_side_for_reconciliation(client):
    w = paper_world()
    register_someone(w)
    client.force_login(w.facilitator)
    client.post(f"{w.url}saisie/", {"number": 9, "choices": [w.a.pk]})
    client.force_login(w.second_facilitator)
    client.post(f"{w.url}saisie/", {"number": 9, "choices": [w.b.pk, w.t.pk]})
    page = text(client.get(w.url))
    section = page[page.index('id="titre-reconciliation"'):page.index('id="titre-bulletins"')]
    assert "Bulletin n° 9" in section
    assert "Saisie de facilitator@example.org" in section
    assert "Saisie de facilitator2@example.org" in section
    first, second = section.split("<td>")[1:3]
    assert "Jardin partagé" in first and "Navette" not in first
    assert "Bancs &lt;b&gt;gras&lt;/b&gt;" in second and "Navette" in second
    assert Ballot.objects.count() == 0


def test_a_sheet_with_too_many_choices_is_refused_with_the_online_message(client):
    w = paper_world(max_choices=1)
    register_someone(w)
    client.force_login(w.facilitator)
    response = client.post(f"{w.url}saisie/", {"number": 1, "choices": [w.a.pk, w.b.pk]})
    page = text(response)
    assert response.status_code == 400 and "le maximum est 1" in page
    assert f'id="choix-{w.a.pk}" checked' in page  # what was keyed is kept on the form
    assert PaperKeying.objects.count() == 0


def test_a_sheet_without_number_is_refused(client):
    w = paper_world()
    client.force_login(w.facilitator)
    response = client.post(f"{w.url}saisie/", {"number": "", "choices": [w.a.pk]})
    assert response.status_code == 400 and 'href="#id_number"' in text(response)
    assert PaperKeying.objects.count() == 0


def test_a_project_of_another_commune_cannot_be_keyed(client):
    w = paper_world()
    client.force_login(w.facilitator)
    response = client.post(f"{w.url}saisie/", {"number": 1, "choices": [w.f.pk]})
    assert response.status_code == 400 and PaperKeying.objects.count() == 0


def test_reconciling_more_sheets_than_registered_voters_is_refused_with_the_reason(client):
    w = paper_world()
    client.force_login(w.facilitator)
    client.post(f"{w.url}saisie/", {"number": 1, "choices": [w.a.pk]})
    client.force_login(w.second_facilitator)
    response = client.post(f"{w.url}saisie/", {"number": 1, "choices": [w.a.pk]})
    assert response.status_code == 409 and "que de votants inscrits au registre (0)" in text(response)
    assert Ballot.objects.count() == 0


def test_cumulative_points_are_keyed_and_reconciled(client):
    w = paper_world(ballot_kind="cumulative")
    register_someone(w)
    for who in (w.facilitator, w.second_facilitator):
        client.force_login(who)
        client.post(f"{w.url}saisie/", {"number": 2, f"points-{w.a.pk}": "3",
                                        f"points-{w.t.pk}": "4", f"points-{w.b.pk}": ""})
    sheet = w.event.sheets.get(number=2)
    assert sheet.status == SheetStatus.RECONCILED
    assert {(c.proposal_id, c.points) for c in sheet.ballot.choices.all()} == {(w.a.pk, 3), (w.t.pk, 4)}


def test_keying_outside_the_voting_phase_is_refused(client):
    w = paper_world()
    register_someone(w)
    set_phase(w.cycle, PhaseKind.RESULTS)
    client.force_login(w.facilitator)
    response = client.post(f"{w.url}saisie/", {"number": 1, "choices": [w.a.pk]})
    assert response.status_code == 409 and PaperKeying.objects.count() == 0
    assert "Le vote n’est pas ouvert" in text(client.get(w.url))


def test_the_event_page_runs_the_same_number_of_queries_whatever_the_number_of_sheets(client):
    w = paper_world()
    client.force_login(w.facilitator)

    def queries():
        with CaptureQueriesContext(connection) as captured:
            assert client.get(w.url).status_code == 200
        return len(captured)

    for number in (1, 2):
        paper.key_paper_sheet(facilitator=w.facilitator, event=w.event, number=number,
                              choices={w.a.pk: 1})
    few = queries()
    for number in range(3, 13):
        paper.key_paper_sheet(facilitator=w.facilitator, event=w.event, number=number,
                              choices={w.a.pk: 1})
        paper.key_paper_sheet(facilitator=w.second_facilitator, event=w.event, number=number,
                              choices={w.b.pk: 1})
    assert queries() == few


def test_a_ranking_sheet_is_keyed_with_ranks_and_reconciled(client):
    w = paper_world(ballot_kind="ordinal")
    register_someone(w)
    client.force_login(w.facilitator)
    assert "1 pour le projet préféré" in text(client.get(w.url))
    for who in (w.facilitator, w.second_facilitator):
        client.force_login(who)
        client.post(f"{w.url}saisie/", {"number": 5, f"points-{w.b.pk}": "1",
                                        f"points-{w.a.pk}": "2", f"points-{w.t.pk}": "1"})
    sheet = w.event.sheets.get(number=5)
    assert sheet.status == SheetStatus.RECONCILED
    assert {(c.proposal_id, c.points) for c in sheet.ballot.choices.all()} == {
        (w.b.pk, 1), (w.a.pk, 2), (w.t.pk, 1)}


def test_an_account_without_birth_date_is_registered_with_the_date_checked_on_site(client):
    w = paper_world()
    w.cycle.minimum_age = 16
    w.cycle.save()
    client.force_login(w.facilitator)
    response = client.post(f"{w.url}registre/", {"mode": "compte", "compte-email": w.resident.email})
    assert response.status_code == 403 and "pièce d’identité" in text(response)
    response = client.post(f"{w.url}registre/", {"mode": "compte", "compte-email": w.resident.email,
                                                 "compte-birth_date": "1990-01-01"})
    assert response.status_code == 302 and Participation.objects.get().voter == w.resident
