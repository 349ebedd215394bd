"""The sections of the minutes added for the full procès-verbal: timeline, participation
statistics, cumulative spending, close calls, recount commands, unfeasible annex, signature
status and PDF/A; every figure read back with pdftotext and compared with the database.
Also the ``minutes`` command and the staff statistics dashboard."""

from __future__ import annotations

import re
import shutil
import subprocess

import pytest
from django.core.management import CommandError, call_command
from django.db.models import Sum
from django.utils import dateformat, timezone, translation
from scipy import stats

from budgets.models import Phase, Rule
from proposals.models import Proposal, ProposalStatus
from reports.minutes import close_calls, minutes_for, rule_explanation
from reports.pdf import render_minutes
from reports.statistics import eligible_bands
from territory.models import AgeBand, PopulationFigure
from tests.builders import make_proposal
from tests.reports.builders import build_results_world
from tests.reports.html_tables import clean, read_page, to_int
from tests.reports.statistics_world import build_statistics_world
from tests.reports.test_minutes_pdf import ALLOWED, REFUSED, pdf_text
from voting.board import recount_command
from voting.models import Channel, EnvelopeResult, Participation, ResultLine

needs_poppler = pytest.mark.skipif(
    shutil.which("pdftotext") is None or shutil.which("pdfinfo") is None,
    reason="poppler-utils is not installed")


def percent(part: int, whole: int, digits: int = 1) -> str:
    return f"{100 * part / whole:.{digits}f}".replace(".", ",") + " %"


def grouped(number: int) -> str:
    return f"{number:,}".replace(",", " ")


def flat(text: str) -> str:
    return " ".join(text.split())


def stats_world_with_annex():
    built = build_statistics_world()
    world = built.world
    world.cycle.description = "Troisième édition du budget participatif des Hauts-de-Garonne."
    world.cycle.save(update_fields=["description"])
    declare_unfeasible(make_proposal(world, title="Piscine olympique", cost_cents=9_000_000_00,
                                     feasible=False),
                       "Le coût dépasse plusieurs fois le montant de l’enveloppe.")
    return built


def declare_unfeasible(proposal, reason: str) -> None:
    Proposal.objects.filter(pk=proposal.pk).update(status=ProposalStatus.UNFEASIBLE, public_reason=reason)


@needs_poppler
@pytest.mark.django_db
def test_statistics_printed_in_the_minutes_equal_the_database(tmp_path):
    built = stats_world_with_annex()
    cycle = built.world.cycle
    text = pdf_text(render_minutes(cycle), tmp_path)
    participations = Participation.objects.filter(cycle=cycle)
    total = participations.count()
    bands = eligible_bands(cycle.minimum_age)
    figures = PopulationFigure.objects.filter(age_band__in=bands)

    def row(label: str, voters: int, population: int | None = None) -> None:
        expected = f"{label} {voters} {percent(voters, total)}"
        if population is not None:
            all_people = figures.aggregate(n=Sum("population"))["n"]
            expected += (f" {grouped(population)} {percent(population, all_people)} "
                         f"{percent(voters, population, 2)}")
        assert re.search(rf"^{re.escape(expected)}$", text, re.MULTILINE), expected

    for channel, label in Channel.choices:
        row(str(label), participations.filter(channel=channel).count())
    for commune in (built.world.cenon, built.world.floirac):
        row(commune.name, participations.filter(commune=commune).count(),
            figures.filter(district__commune=commune).aggregate(n=Sum("population"))["n"])
    for district in built.districts.values():
        row(f"{district.name} ({district.commune.name})",
            participations.filter(voter__district=district).count(),
            figures.filter(district=district).aggregate(n=Sum("population"))["n"])
    row("Quartiers prioritaires (QPV)",
        participations.filter(voter__district__is_priority_area=True).count(),
        figures.filter(district__is_priority_area=True).aggregate(n=Sum("population"))["n"])
    row("Autres quartiers", participations.filter(voter__district__is_priority_area=False).count(),
        figures.filter(district__is_priority_area=False).aggregate(n=Sum("population"))["n"])
    year = timezone.localtime(Phase.objects.get(cycle=cycle, kind="voting").ends_at).year
    observed = []
    for band in bands:
        low, _sep, high = band.partition("-")
        voters = participations.filter(voter__birth_date__year__lte=year - int(low.rstrip("+")))
        if high:
            voters = voters.filter(voter__birth_date__year__gte=year - int(high))
        observed.append(voters.count())
        row(str(AgeBand(band).label), voters.count(),
            figures.filter(age_band=band).aggregate(n=Sum("population"))["n"])
    unknown_age = participations.filter(voter__birth_date__isnull=True).count()
    assert unknown_age == 2
    assert re.search(rf"^Non renseigné {unknown_age} {re.escape(percent(unknown_age, total))} — — —$",
                     text, re.MULTILINE)
    assert re.search(rf"^Non renseigné {total} 100,0 %$", text, re.MULTILINE)  # gender
    assert "Les comptes ne demandent pas le genre" in text

    # The age test, recomputed with scipy from the database figures.
    populations = [figures.filter(age_band=b).aggregate(n=Sum("population"))["n"] for b in bands]
    known = sum(observed)
    chi2 = stats.chisquare(observed, [known * p / sum(populations) for p in populations])
    statistic = f"{float(chi2.statistic):.2f}".replace(".", ",")
    p_value = f"{float(chi2.pvalue):.3f}".replace(".", ",")
    assert "Les votants ressemblent à la population par tranche d’âge" in flat(text)
    assert f"khi-deux = {statistic} ; {len(bands) - 1} degrés de liberté ; p = {p_value}" in flat(text)
    assert "Prudence : certains effectifs attendus sont inférieurs à 5 votants" in flat(text)
    assert "Source de la population : INSEE 2021 (test)." in flat(text)


@needs_poppler
@pytest.mark.django_db
def test_timeline_context_close_calls_recount_and_annex_are_printed(tmp_path):
    built = stats_world_with_annex()
    cycle = built.world.cycle
    text = pdf_text(render_minutes(cycle), tmp_path)
    with translation.override("fr"):
        for phase in Phase.objects.filter(cycle=cycle):
            start = dateformat.format(timezone.localtime(phase.starts_at), "j F Y à H:i")
            end = dateformat.format(timezone.localtime(phase.ends_at), "j F Y à H:i")
            assert re.search(rf"^{re.escape(phase.get_kind_display())} {start} {end}$", text,
                             re.MULTILINE), phase.kind
    assert "Troisième édition du budget participatif des Hauts-de-Garonne." in text
    body = flat(text)
    assert ("« Jardin partagé » (4 voix) a obtenu 2 voix de plus que « Boîte à livres » (2 voix, "
            "financé), mais n’est pas financé. Non financé : il ne restait pas assez d’argent dans "
            "l’enveloppe.") in body
    assert ("« Piste cyclable » (2 voix) n’est pas financé, à 1 voix de « Aire de jeux » (3 voix, "
            "financé).") in body
    assert flat(str(rule_explanation(Rule.GREEDY))) in body
    run = built.world.cycle.tally_runs.get(is_current=True)
    for result in EnvelopeResult.objects.filter(tally_run=run).select_related("envelope"):
        command = recount_command(cycle, result.envelope, run.log_head)
        assert command.startswith(f"python manage.py recount bp-test-{result.envelope.pk}.pb --rule greedy")
        assert command in body
        assert f"/vote/bp-test/registre/enveloppe-{result.envelope.pk}.pb" in body
        assert re.search(rf"^Empreinte de l’enveloppe {result.fingerprint}$", text, re.MULTILINE)
    assert "python manage.py verify_cycle bp-test" in body
    assert re.search(r"^Piscine olympique Cenon Le coût dépasse plusieurs fois le montant de", text,
                     re.MULTILINE)
    assert "Ce document n’est pas signé électroniquement" in body


@needs_poppler
@pytest.mark.django_db
def test_the_minutes_are_pdf_a_3b(tmp_path):
    built = build_results_world()
    path = tmp_path / "pv.pdf"
    path.write_bytes(render_minutes(built.world.cycle))
    meta = subprocess.run(["pdfinfo", "-meta", str(path)], check=True, capture_output=True,
                          text=True).stdout
    assert 'pdfaid:part="3"' in meta and 'pdfaid:conformance="B"' in meta


@pytest.mark.django_db
def test_cumulative_spending_and_close_calls_from_the_result_lines():
    built = build_results_world()
    minutes = minutes_for(built.world.cycle)
    cenon = next(e for e in minutes.envelopes if e.envelope == built.world.cenon_envelope)
    assert [(m.line.proposal.title, m.cumulative_cents) for m in cenon.lines] == [
        ("Bancs au parc Palmer", 40_000_00), ("Fresque murale", 70_000_00),
        ("Boîte à livres", 72_500_50), ("Jardin partagé", None)]
    territory = next(e for e in minutes.envelopes if e.envelope == built.world.territory_envelope)
    # Navette (5 votes) is far from Festival (7 votes): not a close call.
    assert territory.close_calls == []


@pytest.mark.django_db
def test_an_equal_vote_count_is_a_close_call_and_a_distant_one_is_not():
    built = build_results_world()
    lines = list(ResultLine.objects.filter(
        envelope_result__envelope=built.world.cenon_envelope).select_related("proposal"))
    for line in lines:
        if line.proposal.title == "Jardin partagé":
            line.votes = 2
    assert close_calls(lines) == [
        "« Jardin partagé » a obtenu autant de voix (2) que « Boîte à livres », financé, mais "
        "n’est pas financé. Non financé : il ne restait pas assez d’argent dans l’enveloppe."]
    for line in lines:
        if line.proposal.title == "Jardin partagé":
            line.votes = 0
    assert close_calls(lines) == []


@pytest.mark.django_db
def test_minutes_read_a_bounded_number_of_queries(django_assert_max_num_queries):
    built = build_statistics_world(extra_voters=40)
    for index in range(12):
        declare_unfeasible(make_proposal(built.world, title=f"Projet non recevable {index}",
                                         feasible=False), "Hors compétence.")
    with django_assert_max_num_queries(25):
        minutes = minutes_for(built.world.cycle)
        [m.line.proposal.commune.name for e in minutes.envelopes for m in e.lines]
        [p.commune.name for p in minutes.unfeasible]
    assert len(minutes.unfeasible) == 12


# --- The command -----------------------------------------------------------------------------


@needs_poppler
@pytest.mark.django_db
def test_minutes_command_writes_the_english_minutes(tmp_path):
    built = build_results_world()
    output = tmp_path / "minutes.pdf"
    call_command("minutes", built.world.cycle.slug, "--lang", "en", "-o", str(output))
    text = pdf_text(output.read_bytes(), tmp_path)
    assert "Minutes of the count and results" in text
    assert built.tally_run.fingerprint in text


@pytest.mark.django_db
def test_minutes_command_refuses_a_cycle_not_tallied_yet(tmp_path):
    built = build_results_world(tallied=False)
    with pytest.raises(CommandError, match="n’a pas encore été dépouillé"):
        call_command("minutes", built.world.cycle.slug, "-o", str(tmp_path / "pv.pdf"))
    assert not (tmp_path / "pv.pdf").exists()


@pytest.mark.django_db
def test_minutes_command_names_the_known_cycles_when_the_cycle_is_unknown(tmp_path):
    build_results_world(tallied=False)
    with pytest.raises(CommandError, match="Aucun cycle « inconnu ». Cycles existants : bp-test."):
        call_command("minutes", "inconnu", "-o", str(tmp_path / "pv.pdf"))


@pytest.mark.django_db
def test_minutes_command_refuses_a_missing_directory(tmp_path):
    built = build_results_world()
    with pytest.raises(CommandError, match="n’existe pas"):
        call_command("minutes", built.world.cycle.slug, "-o", str(tmp_path / "absent" / "pv.pdf"))


# --- The staff dashboard ---------------------------------------------------------------------


def dashboard_url(cycle) -> str:
    return f"/rapports/{cycle.slug}/statistiques/"


@pytest.mark.django_db
@pytest.mark.parametrize("role", ALLOWED)
def test_staff_committee_and_publishers_read_the_statistics_dashboard(client, role):
    built = build_statistics_world()
    client.force_login(built.world.users[role])
    response = client.get(dashboard_url(built.world.cycle))
    assert response.status_code == 200
    tables, texts = read_page(response.content.decode())
    participations = Participation.objects.filter(cycle=built.world.cycle)
    assert to_int(texts["statistics-total"]) == participations.count()
    communes = {row[0]: row[1:] for row in tables["breakdown-commune-table"][1:]}
    cenon_pop = PopulationFigure.objects.filter(
        district__commune=built.world.cenon, age_band__in=eligible_bands(16)).aggregate(
        n=Sum("population"))["n"]
    assert communes["Cenon"][0] == str(participations.filter(commune=built.world.cenon).count())
    assert to_int(communes["Cenon"][2]) == cenon_pop
    assert communes["Cenon"][4] == clean(percent(6, cenon_pop, 2))
    channels = {row[0]: row[1] for row in tables["breakdown-channel-table"][1:]}
    assert channels == {"En ligne": "7", "Papier": "2"}
    assert "Les votants" in texts["representativeness"]
    assert 'class="bar-chart" role="img"' in response.content.decode()


@pytest.mark.django_db
@pytest.mark.parametrize("role", REFUSED)
def test_residents_and_other_roles_are_refused_the_statistics_dashboard(client, role):
    built = build_statistics_world()
    client.force_login(built.world.users[role])
    response = client.get(dashboard_url(built.world.cycle))
    assert response.status_code == 403
    assert "Les statistiques de participation sont réservées" in response.content.decode()


@pytest.mark.django_db
def test_anonymous_visitor_is_sent_to_the_login_page_from_the_dashboard(client):
    built = build_results_world(tallied=False)
    response = client.get(dashboard_url(built.world.cycle))
    assert response.status_code == 302
    assert response["Location"] == "/comptes/connexion/?next=/rapports/bp-test/statistiques/"


@pytest.mark.django_db
def test_dashboard_of_an_unknown_cycle_gives_not_found(client):
    built = build_results_world(tallied=False)
    client.force_login(built.world.admin)
    assert client.get("/rapports/inconnu/statistiques/").status_code == 404

