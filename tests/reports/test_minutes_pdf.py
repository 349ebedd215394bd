"""The PDF minutes (procès-verbal): who may download them, and that every figure printed
equals the database (read back with ``pdftotext -layout``)."""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone

from budgets.models import BudgetCycle
from budgets.roles import Role, grant_role
from reports.pdf import render_minutes
from territory.models import Commune
from tests.builders import make_user
from tests.reports.builders import build_results_world
from tests.reports.html_tables import clean, euros_to_cents, to_int
from voting.models import Channel, EnvelopeResult, Participation, ResultLine

ALLOWED = ["admin", "committee_member", "second_committee_member", "publisher"]
REFUSED = ["resident", "second_resident", "floirac_resident", "outsider", "reviewer",
           "floirac_reviewer", "facilitator", "moderator"]

needs_pdftotext = pytest.mark.skipif(
    shutil.which("pdftotext") is None, reason="pdftotext (poppler-utils) is not installed"
)


def minutes_url(cycle) -> str:
    return f"/rapports/{cycle.slug}/proces-verbal.pdf"


def pdf_text(pdf: bytes, tmp_path: Path) -> str:
    path = tmp_path / "minutes.pdf"
    path.write_bytes(pdf)
    out = subprocess.run(["pdftotext", "-layout", str(path), "-"], check=True,
                         capture_output=True, text=True)
    # Page furniture (running header and footer) is dropped so that table rows are whole.
    lines = [clean(line) for line in out.stdout.splitlines()]
    return "\n".join(line for line in lines if line)


@pytest.mark.django_db
@pytest.mark.parametrize("role", ALLOWED)
def test_staff_committee_and_publishers_can_download_the_minutes(client, role):
    built = build_results_world()
    client.force_login(built.world.users[role])
    response = client.get(minutes_url(built.world.cycle))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"] == 'attachment; filename="proces-verbal-bp-test.pdf"'
    assert response.content.startswith(b"%PDF-")


@pytest.mark.django_db
@pytest.mark.parametrize("role", REFUSED)
def test_residents_reviewers_and_other_roles_are_refused_the_minutes(client, role):
    built = build_results_world()
    client.force_login(built.world.users[role])
    response = client.get(minutes_url(built.world.cycle))
    assert response.status_code == 403
    assert "Le procès-verbal est réservé" in response.content.decode()


@pytest.mark.django_db
def test_a_publisher_of_a_commune_outside_the_cycle_is_refused(client):
    built = build_results_world()
    lormont = Commune.objects.create(name="Lormont", slug="lormont")
    stranger = make_user("publisher.lormont@example.org")
    grant_role(stranger, Role.PUBLISHER, lormont)
    client.force_login(stranger)
    assert client.get(minutes_url(built.world.cycle)).status_code == 403


@pytest.mark.django_db
def test_a_committee_member_of_another_cycle_is_refused(client):
    built = build_results_world()
    member = make_user("committee.other@example.org")
    other_cycle = BudgetCycle.objects.create(name="Autre cycle", slug="autre")
    grant_role(member, Role.COMMITTEE, other_cycle)
    client.force_login(member)
    assert client.get(minutes_url(built.world.cycle)).status_code == 403


@pytest.mark.django_db
def test_anonymous_visitor_is_sent_to_the_login_page(client):
    built = build_results_world()
    response = client.get(minutes_url(built.world.cycle))
    assert response.status_code == 302
    assert response["Location"] == "/comptes/connexion/?next=/rapports/bp-test/proces-verbal.pdf"


@pytest.mark.django_db
def test_minutes_of_an_unknown_cycle_give_not_found(client):
    built = build_results_world(tallied=False)
    client.force_login(built.world.admin)
    assert client.get("/rapports/inconnu/proces-verbal.pdf").status_code == 404


@pytest.mark.django_db
def test_the_results_page_links_the_minutes_only_for_those_allowed(client):
    built = build_results_world()
    url = f"/rapports/{built.world.cycle.slug}/resultats/"
    client.force_login(built.world.publisher)
    assert minutes_url(built.world.cycle) in client.get(url).content.decode()
    client.force_login(built.world.resident)
    assert minutes_url(built.world.cycle) not in client.get(url).content.decode()


def _figure(text: str, label: str) -> str:
    match = re.search(rf"^{re.escape(label)} (\S+)$", text, re.MULTILINE)
    assert match, f"{label!r} not found in the minutes"
    return match.group(1)


@needs_pdftotext
@pytest.mark.django_db
def test_every_figure_in_the_minutes_equals_the_database(tmp_path):
    built = build_results_world(certifier_keys=("committee_member", "second_committee_member"))
    world, run = built.world, built.tally_run
    text = pdf_text(render_minutes(world.cycle), tmp_path)

    participations = Participation.objects.filter(cycle=world.cycle)
    assert to_int(_figure(text, "Votants (total)")) == participations.count() == 9
    assert to_int(_figure(text, "Votants — canal : En ligne")) == participations.filter(
        channel=Channel.ONLINE).count()
    assert to_int(_figure(text, "Votants — canal : Papier")) == participations.filter(
        channel=Channel.PAPER).count()
    assert to_int(_figure(text, "Votants — commune : Cenon")) == participations.filter(
        commune=world.cenon).count()
    assert to_int(_figure(text, "Votants — commune : Floirac")) == participations.filter(
        commune=world.floirac).count()
    assert to_int(_figure(text, "Bulletins dépouillés")) == run.ballot_count

    spent = re.findall(r"Montant de l’enveloppe : ([\d ]+,\d\d €)\. Montant attribué : "
                       r"([\d ]+,\d\d €)\.", text)
    results = EnvelopeResult.objects.filter(tally_run=run).select_related("envelope")
    assert sorted((euros_to_cents(a), euros_to_cents(s)) for a, s in spent) == sorted(
        (r.envelope.amount_cents, r.spent_cents) for r in results)

    row = re.compile(r"^(\d+|—) (.+?) (Cenon|Floirac) ([\d ]+,\d\d €) (\d+) (Oui|Non \(\d\)) "
                     r"([\d ]+,\d\d €|—)$", re.MULTILINE)
    reasons = dict(re.findall(r"^\((\d)\) (Non financé : .+)$", text, re.MULTILINE))
    printed = {m.group(2): m.groups() for m in row.finditer(text)}
    lines = ResultLine.objects.filter(envelope_result__tally_run=run).select_related("proposal")
    assert set(printed) == {line.proposal.title for line in lines}
    spent_so_far: dict[int, int] = {}
    for line in sorted(lines, key=lambda x: (x.envelope_result_id, x.rank or 10**6)):
        rank, _title, commune, cost, votes, funded, cumulative = printed[line.proposal.title]
        assert rank == (str(line.rank) if line.rank else "—")
        assert commune == line.proposal.commune.name
        assert int(votes) == line.votes
        assert euros_to_cents(cost) == line.cost_cents
        assert funded.startswith("Oui" if line.is_funded else "Non")
        if not line.is_funded:  # "Non (n)": note n gives the reason the tally recorded
            assert reasons[funded[-2]] == line.explanation
        if line.is_funded:
            spent_so_far[line.envelope_result_id] = spent_so_far.get(line.envelope_result_id, 0) + line.cost_cents
            assert euros_to_cents(cumulative) == spent_so_far[line.envelope_result_id]
        else:
            assert cumulative == "—"
    assert spent_so_far == {r.pk: r.spent_cents for r in results}

    assert _figure(text, "Empreinte du résultat") == run.fingerprint
    assert _figure(text, "Tête du registre des bulletins au") == run.log_head
    assert _figure(text, "Graine du tirage (tête du registre)") == run.parameters["seed"]
    assert re.search(r"^Règle Glouton par nombre de voix$", text, re.MULTILINE)
    assert re.search(r"^Type de bulletin Approbation \(nombre de choix limité\)$", text, re.MULTILINE)
    assert "Fresque murale passe en premier (coût le plus bas)" in text
    assert "Résultat certifié : 2 signature(s), quorum de 2 atteint." in text
    for certification in built.certifications:
        when = timezone.localtime(certification.certified_at)
        name = certification.member.display_name or certification.member.get_full_name()
        assert re.search(rf"^{re.escape(name)} {when.day} \w+ {when.year} à {when:%H:%M} —$",
                         text, re.MULTILINE), name


@needs_pdftotext
@pytest.mark.django_db
def test_minutes_name_a_certifier_without_a_name_by_e_mail(tmp_path):
    built = build_results_world(certifier_keys=("committee_member",))
    member = built.world.committee_member
    member.display_name = ""
    member.save(update_fields=["display_name"])
    text = pdf_text(render_minutes(built.world.cycle), tmp_path)
    assert re.search(r"^committee@example\.org \d+ \w+ \d{4} à \d\d:\d\d —$", text, re.MULTILINE)


@needs_pdftotext
@pytest.mark.django_db
def test_minutes_before_the_tally_say_there_is_no_result(tmp_path):
    built = build_results_world(tallied=False)
    text = pdf_text(render_minutes(built.world.cycle), tmp_path)
    assert "Aucun dépouillement n’a encore eu lieu pour ce cycle" in text
    assert to_int(_figure(text, "Votants (total)")) == 9
    assert "Bancs au parc Palmer" not in text


@needs_pdftotext
@pytest.mark.django_db
def test_minutes_command_writes_the_same_document(tmp_path):
    built = build_results_world()
    output = tmp_path / "pv.pdf"
    call_command("minutes", built.world.cycle.slug, "-o", str(output))
    text = pdf_text(output.read_bytes(), tmp_path)
    assert _figure(text, "Empreinte du résultat") == built.tally_run.fingerprint


@pytest.mark.django_db
def test_minutes_command_refuses_an_unknown_cycle(tmp_path):
    with pytest.raises(CommandError, match="Aucun cycle"):
        call_command("minutes", "inconnu", "-o", str(tmp_path / "pv.pdf"))
