"""In-person workshops: recorded by a facilitator of the commune (or an administrator),
shown on the proposals they discussed and listed on the cycle; an audit event each time."""

from datetime import date, timedelta

import pytest
from django.core.exceptions import ValidationError
from django.template.loader import render_to_string
from django.utils import timezone

from audit.models import AuditEvent
from config.errors import NotAllowed
from deliberation.models import Workshop
from deliberation.selectors import workshops_for
from deliberation.services import record_workshop, update_workshop
from tests.builders import build_world, make_proposal

pytestmark = pytest.mark.django_db

YESTERDAY = timezone.localdate() - timedelta(days=1)


def world_with_proposals():
    world = build_world(phase="deliberation")
    return world, make_proposal(world), make_proposal(world, title="Piste cyclable",
                                                       envelope=world.floirac_envelope)


def record(world, proposals, **overrides):
    values = {"facilitator": world.facilitator, "cycle": world.cycle, "commune": world.cenon,
              "held_on": YESTERDAY, "place": "Salle Simone-Signoret", "attendance": 23,
              "minutes": "<p>On a parlé des <b>bancs</b>.</p>", "proposals": proposals}
    values.update(overrides)
    return record_workshop(**values)


def test_a_facilitator_records_a_workshop_with_sanitised_minutes_and_an_audit_event():
    world, bancs, _piste = world_with_proposals()
    workshop = record(world, [bancs])
    assert workshop.minutes == "On a parlé des bancs." and workshop.attendance == 23
    assert workshop.facilitator == world.facilitator
    assert list(workshops_for(bancs)) == [workshop]
    event = AuditEvent.objects.get(action="workshop.recorded")
    assert event.payload["proposals"] == [bancs.pk] and event.payload["attendance"] == 23


@pytest.mark.parametrize("who", ["resident", "moderator", "reviewer", "publisher"])
def test_only_facilitators_of_the_commune_and_administrators_record_workshops(who):
    world, bancs, _piste = world_with_proposals()
    with pytest.raises(NotAllowed):
        record(world, [bancs], facilitator=world.users[who])
    with pytest.raises(NotAllowed):  # a Cenon facilitator, in Floirac
        record(world, [bancs], commune=world.floirac)
    record(world, [bancs], facilitator=world.admin, commune=world.floirac)
    assert Workshop.objects.count() == 1


def test_workshops_are_recorded_in_any_phase():
    world = build_world(phase=None)
    record(world, [make_proposal(world)])
    assert Workshop.objects.count() == 1


@pytest.mark.parametrize("field,value", [
    ("held_on", timezone.localdate() + timedelta(days=2)),
    ("attendance", -1),
    ("attendance", 100_001),
    ("place", "<i></i>"),
    ("minutes", "   "),
])
def test_bad_workshop_input_is_refused_on_its_field(field, value):
    world, bancs, _piste = world_with_proposals()
    with pytest.raises(ValidationError) as info:
        record(world, [bancs], **{field: value})
    assert field in info.value.message_dict
    assert not Workshop.objects.exists() and not AuditEvent.objects.exists()


def test_linked_proposals_must_belong_to_the_cycle():
    from budgets.models import BudgetCycle, Envelope
    from proposals.models import Proposal

    world, bancs, _piste = world_with_proposals()
    other = BudgetCycle.objects.create(name="Autre", slug="autre")
    envelope = Envelope.objects.create(cycle=other, commune=world.cenon, name="E",
                                       amount_cents=1000)
    stranger = Proposal.objects.create(
        cycle=other, envelope=envelope, author=world.resident, title="Ailleurs",
        description="Ailleurs, ailleurs.", category="public_space", commune=world.cenon,
        estimated_cost_cents=100)
    with pytest.raises(ValidationError) as info:
        record(world, [bancs, stranger])
    assert "proposals" in info.value.message_dict


def test_updating_a_workshop_records_what_changed():
    world, bancs, piste = world_with_proposals()
    workshop = record(world, [bancs])
    update_workshop(actor=world.facilitator, workshop=workshop, held_on=YESTERDAY,
                    place="Salle Simone-Signoret", attendance=25, minutes="Compte rendu complet",
                    proposals=[bancs, piste])
    workshop.refresh_from_db()
    assert workshop.attendance == 25 and set(workshop.proposals.all()) == {bancs, piste}
    event = AuditEvent.objects.get(action="workshop.updated")
    assert event.payload["changed"] == ["attendance", "minutes", "proposals"]
    with pytest.raises(NotAllowed):
        update_workshop(actor=world.resident, workshop=workshop, held_on=YESTERDAY,
                        place="x", attendance=1, minutes="x")


def test_the_proposal_shows_the_workshops_that_discussed_it():
    world, bancs, piste = world_with_proposals()
    workshop = record(world, [bancs])
    html = render_to_string("deliberation/_proposal_workshops.html",
                            {"workshops": workshops_for(bancs)})
    assert "Discutée en atelier" in html and f'href="/debat/ateliers/{workshop.pk}/"' in html
    assert "Salle Simone-Signoret" in html and "23 participants" in html
    assert render_to_string("deliberation/_proposal_workshops.html",
                            {"workshops": workshops_for(piste)}).strip() == ""


def test_a_facilitator_records_a_workshop_through_the_form(client):
    world, bancs, piste = world_with_proposals()
    client.force_login(world.facilitator)
    assert "Enregistrer un atelier" in client.get("/debat/bp-test/").content.decode()
    form = client.get("/debat/bp-test/ateliers/nouveau/").content.decode()
    assert "Des bancs au parc Palmer" in form and 'type="date"' in form
    response = client.post("/debat/bp-test/ateliers/nouveau/", {
        "commune": world.cenon.pk, "held_on": YESTERDAY.isoformat(), "place": "Centre social",
        "attendance": "12", "minutes": "Beaucoup de questions sur l’entretien.",
        "proposals": [bancs.pk, piste.pk]})
    workshop = Workshop.objects.get()
    assert response["Location"] == f"/debat/ateliers/{workshop.pk}/"
    detail = client.get(f"/debat/ateliers/{workshop.pk}/").content.decode()
    assert "Centre social" in detail and "Beaucoup de questions" in detail
    assert "Piste cyclable" in detail and "Modifier l’atelier" in detail
    listing = client.get("/debat/bp-test/").content.decode()
    assert "Centre social" in listing and "12 participants" in listing


def test_the_workshop_form_shows_field_errors(client):
    world, _bancs, _piste = world_with_proposals()
    client.force_login(world.facilitator)
    tomorrow = (date.today() + timedelta(days=3)).isoformat()
    page = client.post("/debat/bp-test/ateliers/nouveau/", {
        "commune": world.cenon.pk, "held_on": tomorrow, "place": "Centre social",
        "attendance": "12", "minutes": "Compte rendu"}).content.decode()
    assert 'class="error-summary"' in page and 'id="id_held_on_error"' in page
    assert not Workshop.objects.exists()


def test_residents_cannot_open_the_workshop_form(client):
    world, _bancs, _piste = world_with_proposals()
    client.force_login(world.resident)
    assert client.get("/debat/bp-test/ateliers/nouveau/").status_code == 403
    assert "Enregistrer un atelier" not in client.get("/debat/bp-test/").content.decode()


def test_a_facilitator_corrects_a_workshop_through_the_form(client):
    world, bancs, _piste = world_with_proposals()
    workshop = record(world, [bancs])
    client.force_login(world.facilitator)
    response = client.post(f"/debat/ateliers/{workshop.pk}/modifier/", {
        "held_on": YESTERDAY.isoformat(), "place": "Salle B", "attendance": "30",
        "minutes": "Corrigé", "proposals": [bancs.pk]})
    assert response.status_code == 302
    workshop.refresh_from_db()
    assert (workshop.place, workshop.attendance, workshop.commune) == ("Salle B", 30, world.cenon)
    client.force_login(world.floirac_resident)
    assert client.get(f"/debat/ateliers/{workshop.pk}/modifier/").status_code == 403
