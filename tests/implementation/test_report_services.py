"""publish_commune_report: who, when, what is frozen, versions, audit; the share in cents."""

import hashlib

import pytest
from django.db import IntegrityError, connection, transaction

from audit.models import AuditEvent
from budgets.models import PhaseKind
from config.errors import Conflict, NotAllowed, PhaseClosed
from implementation.models import CommuneReport
from implementation.selectors import commune_snapshot, published_run, share_basis_points
from implementation.services import publish_commune_report
from proposals.models import ProposalStatus
from proposals.services import set_implementation_status
from tests.builders import set_phase
from tests.implementation.builders import build_tallied_world

pytestmark = pytest.mark.django_db


def test_share_basis_points_is_integer_and_rounds_half_up():
    assert share_basis_points(1, 3) == 3333
    assert share_basis_points(2, 3) == 6667
    assert share_basis_points(1, 8) == 1250
    assert share_basis_points(1, 20_000) == 1  # 0,5 bp rounds up
    assert share_basis_points(0, 100) == 0
    assert share_basis_points(100, 100) == 10_000
    assert share_basis_points(5, 0) is None


def test_publisher_publishes_the_commune_figures_frozen_with_the_pdf_digests():
    built = build_tallied_world()
    w = built.world

    report = publish_commune_report(actor=w.publisher, cycle=w.cycle, commune=w.cenon)

    snap = report.snapshot
    assert report.version == 1 and report.tally_run == built.tally_run
    assert [p["title"] for p in snap["projects"]] == [
        "Bancs au parc Palmer", "Fresque murale", "Boîte à livres", "Festival des quartiers"]
    assert snap["commune_envelope"] == {"name": "Enveloppe Cenon", "amount_cents": 100_000_00,
                                        "spent_cents": 72_500_50, "funded_cents": 72_500_50}
    territory = snap["territory_envelope"]
    assert territory["spent_cents"] == 113_333_33
    assert territory["commune_cents"] == 80_000_00
    assert territory["share_basis_points"] == 7059  # 8 000 000 / 11 333 333
    assert snap["total_cents"] == 152_500_50
    assert report.pdf_fr_sha256 == hashlib.sha256(report.pdf("fr")).hexdigest()
    assert report.pdf_en_sha256 == hashlib.sha256(report.pdf("en")).hexdigest()
    assert report.pdf("fr").startswith(b"%PDF") and report.pdf("fr") != report.pdf("en")
    event = AuditEvent.objects.get(action="commune_report.published")
    assert event.target_id == str(report.pk)
    assert event.payload["pdf_fr_sha256"] == report.pdf_fr_sha256
    assert event.payload["version"] == 1


def test_two_communes_shares_of_the_territory_envelope_add_up_to_the_whole():
    built = build_tallied_world()
    w = built.world
    run = published_run(w.cycle)

    cenon = commune_snapshot(w.cycle, w.cenon, run)["territory_envelope"]
    floirac = commune_snapshot(w.cycle, w.floirac, run)["territory_envelope"]

    assert cenon["commune_cents"] + floirac["commune_cents"] == cenon["spent_cents"]
    assert floirac["commune_cents"] == 33_333_33
    assert (cenon["share_basis_points"], floirac["share_basis_points"]) == (7059, 2941)


def test_administrator_may_publish_for_any_commune():
    w = build_tallied_world().world

    report = publish_commune_report(actor=w.admin, cycle=w.cycle, commune=w.floirac)

    assert report.snapshot["total_cents"] == 60_000_00 + 33_333_33


@pytest.mark.parametrize("key", ["resident", "outsider", "reviewer", "facilitator",
                                 "committee_member", "moderator"])
def test_other_roles_may_not_publish(key):
    w = build_tallied_world().world

    with pytest.raises(NotAllowed):
        publish_commune_report(actor=w.users[key], cycle=w.cycle, commune=w.cenon)
    assert not CommuneReport.objects.exists()


def test_a_publisher_of_another_commune_may_not_publish():
    w = build_tallied_world().world  # the publisher publishes for Cenon only

    with pytest.raises(NotAllowed):
        publish_commune_report(actor=w.publisher, cycle=w.cycle, commune=w.floirac)


@pytest.mark.parametrize("phase", [PhaseKind.INFORMATION, PhaseKind.SUBMISSION, PhaseKind.REVIEW,
                                   PhaseKind.DELIBERATION, PhaseKind.VOTING, None])
def test_publication_is_refused_outside_results_and_implementation(phase):
    built = build_tallied_world()
    w = built.world
    set_phase(w.cycle, phase)

    with pytest.raises(PhaseClosed):
        publish_commune_report(actor=w.publisher, cycle=w.cycle, commune=w.cenon)
    assert not CommuneReport.objects.exists()


def test_publication_is_allowed_in_the_implementation_phase():
    w = build_tallied_world(phase=PhaseKind.IMPLEMENTATION).world

    assert publish_commune_report(actor=w.publisher, cycle=w.cycle, commune=w.cenon).version == 1


def test_publication_is_refused_before_certification():
    w = build_tallied_world(certified=False).world

    with pytest.raises(Conflict, match="certifiés et publiés"):
        publish_commune_report(actor=w.publisher, cycle=w.cycle, commune=w.cenon)
    assert not AuditEvent.objects.filter(action__startswith="commune_report").exists()


def test_publication_is_refused_when_certified_results_are_not_published():
    w = build_tallied_world(published=False).world

    with pytest.raises(Conflict):
        publish_commune_report(actor=w.admin, cycle=w.cycle, commune=w.cenon)


def test_republishing_unchanged_figures_is_refused():
    w = build_tallied_world().world
    publish_commune_report(actor=w.publisher, cycle=w.cycle, commune=w.cenon)

    with pytest.raises(Conflict, match="Rien n’a changé"):
        publish_commune_report(actor=w.publisher, cycle=w.cycle, commune=w.cenon)
    assert CommuneReport.objects.count() == 1


def test_republication_writes_a_new_version_and_leaves_the_first_as_published():
    built = build_tallied_world(phase=PhaseKind.IMPLEMENTATION)
    w = built.world
    first = publish_commune_report(actor=w.publisher, cycle=w.cycle, commune=w.cenon)
    first_pdf, first_snapshot = first.pdf("fr"), first.snapshot
    set_implementation_status(actor=w.publisher, proposal=built.proposals["Fresque murale"],
                              status=ProposalStatus.IN_PROGRESS)

    second = publish_commune_report(actor=w.publisher, cycle=w.cycle, commune=w.cenon)

    first.refresh_from_db()
    assert second.version == 2
    assert first.snapshot == first_snapshot and first.pdf("fr") == first_pdf
    statuses = {p["title"]: p["status"] for p in second.snapshot["projects"]}
    assert statuses["Fresque murale"] == ProposalStatus.IN_PROGRESS
    assert {p["status"] for p in first.snapshot["projects"]} == {ProposalStatus.FUNDED}
    assert AuditEvent.objects.filter(action="commune_report.republished").count() == 1


def test_a_commune_without_envelope_in_the_cycle_has_no_report():
    from territory.models import Commune

    w = build_tallied_world().world
    lormont = Commune.objects.create(name="Lormont", slug="lormont")

    with pytest.raises(Conflict):
        publish_commune_report(actor=w.admin, cycle=w.cycle, commune=lormont)


def test_two_versions_with_the_same_number_are_refused_by_the_database():
    w = build_tallied_world().world
    report = publish_commune_report(actor=w.publisher, cycle=w.cycle, commune=w.cenon)

    with pytest.raises(IntegrityError), transaction.atomic():
        CommuneReport.objects.create(
            cycle=w.cycle, commune=w.cenon, version=1, tally_run=report.tally_run,
            published_at=report.published_at, published_by=w.admin, snapshot={}, pdf_fr=b"",
            pdf_en=b"", pdf_fr_sha256="", pdf_en_sha256="")


@pytest.mark.skipif(connection.vendor != "postgresql", reason="the trigger exists on PostgreSQL")
def test_postgresql_refuses_to_change_a_published_report():
    from django.db import DatabaseError

    w = build_tallied_world().world
    report = publish_commune_report(actor=w.publisher, cycle=w.cycle, commune=w.cenon)

    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
        CommuneReport.objects.filter(pk=report.pk).update(snapshot={"total_cents": 0})
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
        CommuneReport.objects.filter(pk=report.pk).delete()
