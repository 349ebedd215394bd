"""record_milestone: who, when, the validation (French messages), the status moves, audit."""

from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from audit.models import AuditEvent
from budgets.models import PhaseKind
from config.errors import Conflict, NotAllowed, PhaseClosed
from implementation.models import Milestone
from implementation.selectors import published_run, tracked_projects
from implementation.services import record_milestone
from proposals.models import ProposalStatus
from tests.builders import set_phase
from tests.implementation.builders import build_tallied_world

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate


def tracked(phase=PhaseKind.IMPLEMENTATION, **kwargs):
    built = build_tallied_world(phase=phase, **kwargs)
    return built, built.world, built.proposals["Bancs au parc Palmer"]


def add(actor, proposal, **overrides):
    data = {"happened_on": TODAY(), "title": "Commande passée", "progress": 20, "note": ""}
    data.update(overrides)
    return record_milestone(actor=actor, proposal=proposal, **data)


def errors_of(excinfo):
    return excinfo.value.message_dict


def test_first_milestone_starts_the_works_and_is_audited():
    _built, w, bancs = tracked()

    milestone = add(w.publisher, bancs, note="Bon de commande signé.")

    bancs.refresh_from_db()
    assert bancs.status == ProposalStatus.IN_PROGRESS
    assert milestone.progress == 20 and milestone.recorded_by == w.publisher
    event = AuditEvent.objects.get(action="implementation.milestone_recorded")
    assert event.target_id == str(bancs.pk)
    assert event.payload["progress"] == 20 and event.payload["milestone"] == milestone.pk
    assert AuditEvent.objects.filter(action="proposal.implementation_status").count() == 1


def test_delivered_milestone_ends_the_works_and_no_milestone_follows():
    _built, w, bancs = tracked()
    add(w.publisher, bancs)

    add(w.publisher, bancs, title="Inauguration", progress=100, delivered=True)

    bancs.refresh_from_db()
    assert bancs.status == ProposalStatus.DELIVERED
    with pytest.raises(Conflict, match="déjà réalisé"):
        add(w.admin, bancs, progress=100)
    assert Milestone.objects.filter(proposal=bancs).count() == 2


def test_a_project_can_be_delivered_with_its_first_milestone():
    _built, w, bancs = tracked()

    add(w.admin, bancs, progress=100, delivered=True)

    bancs.refresh_from_db()
    assert bancs.status == ProposalStatus.DELIVERED


def test_delivered_requires_full_progress():
    _built, w, bancs = tracked()

    with pytest.raises(ValidationError) as excinfo:
        add(w.publisher, bancs, progress=90, delivered=True)
    assert errors_of(excinfo) == {"progress": ["Un projet réalisé est avancé à 100 %."]}


def test_progress_may_go_down_only_with_a_public_note():
    _built, w, bancs = tracked()
    add(w.publisher, bancs, progress=60)

    with pytest.raises(ValidationError) as excinfo:
        add(w.publisher, bancs, progress=40)
    assert "de 60 % à 40 %" in errors_of(excinfo)["note"][0]

    add(w.publisher, bancs, progress=40, note="Un lot a été refusé à la réception.")
    run = published_run(w.cycle)
    project = next(p for p in tracked_projects(run, w.cenon) if p.proposal.pk == bancs.pk)
    assert project.progress == 40 and len(project.milestones) == 2


@pytest.mark.parametrize(("overrides", "field", "message"), [
    ({"title": "   "}, "title", "Donnez un titre au jalon."),
    ({"title": "x" * 141}, "title", "Le titre ne doit pas dépasser 140 caractères."),
    ({"note": "x" * 2001}, "note", "La note ne doit pas dépasser 2000 caractères."),
    ({"progress": 101}, "progress", "L’avancement est un nombre entier de 0 à 100 (pour cent)."),
    ({"progress": -1}, "progress", "L’avancement est un nombre entier de 0 à 100 (pour cent)."),
    ({"progress": "50"}, "progress", "L’avancement est un nombre entier de 0 à 100 (pour cent)."),
    ({"progress": True}, "progress", "L’avancement est un nombre entier de 0 à 100 (pour cent)."),
    ({"happened_on": None}, "happened_on", "Indiquez la date du jalon."),
])
def test_invalid_milestones_are_refused_with_a_french_message_and_nothing_written(
        overrides, field, message):
    _built, w, bancs = tracked()

    with pytest.raises(ValidationError) as excinfo:
        add(w.publisher, bancs, **overrides)

    assert errors_of(excinfo)[field] == [message]
    assert not Milestone.objects.exists()
    bancs.refresh_from_db()
    assert bancs.status == ProposalStatus.FUNDED
    assert not AuditEvent.objects.filter(action="implementation.milestone_recorded").exists()


def test_a_milestone_in_the_future_is_refused():
    _built, w, bancs = tracked()

    with pytest.raises(ValidationError) as excinfo:
        add(w.publisher, bancs, happened_on=TODAY() + timedelta(days=1))
    assert "futur" in errors_of(excinfo)["happened_on"][0]


def test_a_milestone_before_the_publication_of_the_results_is_refused():
    _built, w, bancs = tracked()

    with pytest.raises(ValidationError) as excinfo:
        add(w.publisher, bancs, happened_on=TODAY() - timedelta(days=3))
    assert "publication des résultats" in errors_of(excinfo)["happened_on"][0]


def test_a_milestone_before_the_previous_one_is_refused():
    _built, w, bancs = tracked()
    add(w.publisher, bancs)
    Milestone.objects.update(happened_on=TODAY() + timedelta(days=1))  # recorded earlier, dated later

    with pytest.raises(ValidationError) as excinfo:
        add(w.publisher, bancs)
    assert "jalon précédent" in errors_of(excinfo)["happened_on"][0]


def test_markup_in_the_note_is_dropped():
    _built, w, bancs = tracked()

    milestone = add(w.publisher, bancs, note="<script>alert(1)</script>Chantier <b>ouvert</b>")

    assert "<" not in milestone.note and "Chantier ouvert" in milestone.note


@pytest.mark.parametrize("key", ["resident", "outsider", "reviewer", "facilitator",
                                 "committee_member", "moderator", "floirac_resident"])
def test_other_roles_may_not_record_milestones(key):
    _built, w, bancs = tracked()

    with pytest.raises(NotAllowed):
        add(w.users[key], bancs)
    assert not Milestone.objects.exists()


def test_the_publisher_of_another_commune_may_not_track_its_projects():
    built, w, _bancs = tracked()

    with pytest.raises(NotAllowed):
        add(w.publisher, built.proposals["Aire de jeux"])  # Floirac's project


def test_territory_projects_are_tracked_by_the_commune_they_are_in():
    built, w, _bancs = tracked()

    add(w.publisher, built.proposals["Festival des quartiers"])  # territory-wide, in Cenon

    with pytest.raises(NotAllowed):
        add(w.publisher, built.proposals["Jardin de Floirac"])  # territory-wide, in Floirac


@pytest.mark.parametrize("phase", [PhaseKind.RESULTS, PhaseKind.VOTING, PhaseKind.SUBMISSION, None])
def test_tracking_is_refused_outside_the_implementation_phase(phase):
    built, w, bancs = tracked(phase=PhaseKind.RESULTS)
    set_phase(w.cycle, phase)

    with pytest.raises(PhaseClosed):
        add(w.publisher, bancs)


def test_a_project_that_was_not_funded_takes_no_milestone():
    built, w, _bancs = tracked()

    with pytest.raises(Conflict, match="pas financé"):
        add(w.publisher, built.proposals["Jardin partagé"])


def test_no_milestone_before_the_results_are_published():
    built, w, bancs = tracked(published=False)

    with pytest.raises(Conflict):
        add(w.admin, bancs)


def test_the_database_refuses_a_progress_over_100():
    _built, w, bancs = tracked()

    with pytest.raises(IntegrityError), transaction.atomic():
        Milestone.objects.create(proposal=bancs, happened_on=TODAY(), title="x", progress=101,
                                 recorded_by=w.admin, recorded_at=timezone.now())
