"""The public results page: figures read back from the HTML equal the database rows."""

from __future__ import annotations

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from budgets.models import PhaseKind
from reports.selectors import cycle_report
from tests.builders import build_world, make_proposal, make_user, set_phase
from tests.reports.builders import build_results_world
from tests.reports.html_tables import euros_to_cents, read_page, to_int
from voting.models import (
    BallotChoice,
    Certification,
    Channel,
    EnvelopeResult,
    Participation,
    ResultLine,
    ResultPublication,
    TallyRun,
)
from voting.publication import publish_results
from voting.services import cast_ballot
from voting.tally import certify_result, run_tally

BEFORE_TALLY = "Les résultats seront publiés après le dépouillement"
BEFORE_PUBLICATION = "Le dépouillement est fait. Les résultats seront publiés ici après leur certification"


def published(built):
    """Publish the builder's run as rows (the builder writes its run directly too)."""
    ResultPublication.objects.create(cycle=built.world.cycle, tally_run=built.tally_run,
                                     published_at=timezone.now(), published_by=built.world.admin)
    return built


def results_url(cycle) -> str:
    return f"/rapports/{cycle.slug}/resultats/"


@pytest.mark.django_db
def test_before_the_tally_the_page_says_results_come_after_the_count(client):
    built = build_results_world(tallied=False)
    response = client.get(results_url(built.world.cycle))
    html = response.content.decode()
    assert response.status_code == 200
    assert BEFORE_TALLY in html
    tables, _texts = read_page(html)
    assert not [name for name in tables if name.startswith("results-")]
    assert "Bancs au parc Palmer" not in html  # no running totals, not even the projects


@pytest.mark.django_db
def test_before_the_vote_the_page_also_waits_for_the_count(client):
    world = build_world(phase=PhaseKind.VOTING)
    response = client.get(results_url(world.cycle))
    assert response.status_code == 200
    assert BEFORE_TALLY in response.content.decode()


@pytest.mark.django_db
def test_anonymous_visitor_can_read_the_results_page(client):
    built = published(build_results_world())
    response = client.get(results_url(built.world.cycle))
    assert response.status_code == 200
    assert BEFORE_TALLY not in response.content.decode()
    assert "proces-verbal.pdf" not in response.content.decode()


@pytest.mark.django_db
def test_unknown_cycle_gives_not_found(client):
    build_results_world(tallied=False)
    assert client.get("/rapports/pas-de-cycle/resultats/").status_code == 404


@pytest.mark.django_db
def test_participation_figures_shown_equal_the_database(client):
    built = published(build_results_world())
    cycle = built.world.cycle
    tables, texts = read_page(client.get(results_url(cycle)).content.decode())
    participations = Participation.objects.filter(cycle=cycle)
    assert to_int(texts["participation-total"]) == participations.count() == 9
    assert to_int(texts["ballot-count"]) == built.tally_run.ballot_count
    by_channel = {row[0]: to_int(row[1]) for row in tables["participation-by-channel"][1:]}
    assert by_channel == {
        "En ligne": participations.filter(channel=Channel.ONLINE).count(),
        "Papier": participations.filter(channel=Channel.PAPER).count(),
    }
    assert by_channel["Papier"] == 2
    by_commune = {row[0]: to_int(row[1]) for row in tables["participation-by-commune"][1:]}
    assert by_commune == {
        "Cenon": participations.filter(commune=built.world.cenon).count(),
        "Floirac": participations.filter(commune=built.world.floirac).count(),
    }


@pytest.mark.django_db
def test_each_envelope_table_shows_the_votes_costs_and_funding_of_the_database(client):
    built = published(build_results_world())
    cycle = built.world.cycle
    tables, texts = read_page(client.get(results_url(cycle)).content.decode())
    results = EnvelopeResult.objects.filter(tally_run=built.tally_run).select_related("envelope")
    assert results.count() == 3
    for result in results:
        envelope = result.envelope
        assert euros_to_cents(texts[f"spent-{envelope.pk}"]) == result.spent_cents
        rows = {row[0]: row[1:] for row in tables[f"results-{envelope.pk}"][1:]}
        lines = ResultLine.objects.filter(envelope_result=result).select_related("proposal")
        assert set(rows) == {line.proposal.title for line in lines}
        for line in lines:
            votes, cost, funded, explanation = rows[line.proposal.title]
            assert to_int(votes) == line.votes
            assert to_int(votes) == BallotChoice.objects.filter(proposal=line.proposal).count()
            assert euros_to_cents(cost) == line.cost_cents
            assert funded == ("Oui" if line.is_funded else "Non")
            assert explanation == line.explanation
    cenon = EnvelopeResult.objects.get(tally_run=built.tally_run, envelope=built.world.cenon_envelope)
    assert cenon.spent_cents == 72_500_50  # the builder's figures, so the test covers cents


@pytest.mark.django_db
def test_the_page_shows_tie_breaks_fingerprint_and_certifiers(client):
    built = published(build_results_world(certifier_keys=("committee_member", "second_committee_member")))
    html = client.get(results_url(built.world.cycle)).content.decode()
    _tables, texts = read_page(html)
    assert texts["fingerprint"] == built.tally_run.fingerprint
    assert texts["log-head"] == built.tally_run.log_head
    cenon = built.world.cenon_envelope.pk
    assert texts[f"tie-breaks-{cenon}"] == (
        "Égalité entre Fresque murale, Jardin partagé : Fresque murale passe en premier "
        "(coût le plus bas).")
    assert f"tie-breaks-{built.world.floirac_envelope.pk}" not in texts
    assert "Claire Martin" in texts["certifiers"] and "Denis Roux" in texts["certifiers"]
    assert "committee@example.org" not in html
    assert texts["certification-status"].startswith("Résultat certifié")


@pytest.mark.django_db
def test_below_the_quorum_the_result_is_shown_as_awaiting_certification(client):
    built = build_results_world(certifier_keys=("committee_member",), quorum=2)
    client.force_login(built.world.second_committee_member)  # a preview: not published
    _tables, texts = read_page(client.get(results_url(built.world.cycle)).content.decode())
    assert texts["preview-banner"].startswith("Aperçu : ces résultats ne sont pas publiés.")
    assert texts["certification-status"].startswith("Résultat provisoire")
    assert "1 signature(s) sur 2" in texts["certification-status"]


@pytest.mark.django_db
def test_a_superseded_run_and_its_signatures_are_not_shown(client):
    built = build_results_world(certifier_keys=("committee_member", "second_committee_member"))
    old = built.tally_run
    TallyRun.objects.filter(pk=old.pk).update(is_current=False)
    new = TallyRun.objects.create(
        cycle=old.cycle, run_at=timezone.now(), run_by=built.world.admin, rule=old.rule,
        parameters=old.parameters, ballot_count=old.ballot_count, log_head=old.log_head,
        input_fingerprint=old.input_fingerprint, fingerprint="1" * 64,
    )
    report = cycle_report(old.cycle)
    assert report.tally_run == new
    assert report.certifications == [] and not report.quorum_met
    client.force_login(built.world.admin)
    html = client.get(results_url(old.cycle)).content.decode()
    assert "1" * 64 in html and old.fingerprint not in html
    assert "Claire Martin" not in html


@pytest.mark.django_db
def test_cycle_report_runs_a_bounded_number_of_queries():
    built = published(build_results_world(certifier_keys=("committee_member", "second_committee_member")))
    cycle = built.world.cycle
    with CaptureQueriesContext(connection) as small:
        cycle_report(cycle)
    result = EnvelopeResult.objects.get(tally_run=built.tally_run, envelope=built.world.cenon_envelope)
    for index in range(20):
        proposal = make_proposal(built.world, title=f"Projet {index}", cost_cents=1_000_00)
        ResultLine.objects.create(envelope_result=result, proposal=proposal, votes=0,
                                  cost_cents=proposal.cost_cents, is_funded=False, explanation="—")
        voter = make_user(f"extra{index}@example.org", commune=built.world.floirac)
        Participation.objects.create(cycle=cycle, voter=voter, channel=Channel.ONLINE,
                                     voted_at=timezone.now())
    with CaptureQueriesContext(connection) as large:
        report = cycle_report(cycle)
        figures = [line.proposal.commune.name for e in report.envelopes for line in e.lines]
        names = [c.name for c in report.certifiers]
    assert len(figures) == 8 + 20 and len(names) == 2
    assert len(large.captured_queries) == len(small.captured_queries) <= 12


@pytest.mark.django_db
def test_the_results_page_query_count_does_not_grow_with_the_data(client):
    built = published(build_results_world(certifier_keys=("committee_member", "second_committee_member")))
    cycle = built.world.cycle
    client.force_login(built.world.publisher)
    with CaptureQueriesContext(connection) as small:
        assert client.get(results_url(cycle)).status_code == 200
    result = EnvelopeResult.objects.get(tally_run=built.tally_run, envelope=built.world.floirac_envelope)
    for index in range(15):
        proposal = make_proposal(built.world, title=f"Projet {index}", envelope=built.world.floirac_envelope)
        ResultLine.objects.create(envelope_result=result, proposal=proposal, votes=index,
                                  cost_cents=proposal.cost_cents, is_funded=False, explanation="—")
    with CaptureQueriesContext(connection) as large:
        assert "Projet 14" in client.get(results_url(cycle)).content.decode()
    assert len(large.captured_queries) == len(small.captured_queries)


@pytest.mark.django_db
def test_figures_after_a_real_tally_and_certification_equal_the_database(client):
    """The same page over rows written by the real services (cast, tally, certify)."""
    world = build_world(phase=PhaseKind.VOTING, quorum=1)
    bancs = make_proposal(world, title="Bancs au parc Palmer", cost_cents=60_000_00)
    jardin = make_proposal(world, title="Jardin partagé", cost_cents=50_000_00)
    fete = make_proposal(world, title="Fête de quartier", envelope=world.territory_envelope,
                         cost_cents=10_000_50)
    cast_ballot(voter=world.resident, cycle=world.cycle, proposal_ids=[bancs.pk, fete.pk])
    cast_ballot(voter=world.second_resident, cycle=world.cycle, proposal_ids=[bancs.pk, jardin.pk])
    cast_ballot(voter=world.floirac_resident, cycle=world.cycle, proposal_ids=[fete.pk])
    set_phase(world.cycle, PhaseKind.RESULTS)
    run = run_tally(actor=world.admin, cycle=world.cycle)
    certify_result(member=world.committee_member, tally_run=run)
    publish_results(actor=world.admin, cycle=world.cycle)
    tables, texts = read_page(client.get(results_url(world.cycle)).content.decode())
    assert to_int(texts["participation-total"]) == Participation.objects.filter(cycle=world.cycle).count() == 3
    assert texts["fingerprint"] == run.fingerprint
    assert texts["certification-status"].startswith("Résultat certifié")
    for result in run.envelope_results.select_related("envelope"):
        assert euros_to_cents(texts[f"spent-{result.envelope.pk}"]) == result.spent_cents
        rows = {row[0]: row[1:] for row in tables[f"results-{result.envelope.pk}"][1:]}
        for line in result.lines.select_related("proposal"):
            assert to_int(rows[line.proposal.title][0]) == line.votes
            assert rows[line.proposal.title][2] == ("Oui" if line.is_funded else "Non")
    assert Certification.objects.filter(tally_run=run).count() == 1


@pytest.mark.django_db
def test_a_certifier_without_a_name_is_shown_by_role_never_by_e_mail(client):
    built = published(build_results_world(certifier_keys=("committee_member",)))
    member = built.world.committee_member
    member.display_name = ""
    member.save(update_fields=["display_name"])
    html = client.get(results_url(built.world.cycle)).content.decode()
    _tables, texts = read_page(html)
    assert texts["certifiers"].startswith("Membre du comité de suivi, le ")
    assert member.email not in html


@pytest.mark.django_db
def test_a_lottery_tie_break_of_the_real_tally_is_explained_on_the_page(client):
    world = build_world(phase=PhaseKind.VOTING)
    bancs = make_proposal(world, title="Bancs", cost_cents=60_000_00)
    jardin = make_proposal(world, title="Jardin", cost_cents=60_000_00)
    cast_ballot(voter=world.resident, cycle=world.cycle, proposal_ids=[bancs.pk])
    cast_ballot(voter=world.second_resident, cycle=world.cycle, proposal_ids=[jardin.pk])
    set_phase(world.cycle, PhaseKind.RESULTS)
    run = run_tally(actor=world.admin, cycle=world.cycle)
    [record] = run.envelope_results.get(envelope=world.cenon_envelope).tie_breaks
    client.force_login(world.admin)  # the unpublished preview shows the same explanation
    _tables, texts = read_page(client.get(results_url(world.cycle)).content.decode())
    assert texts[f"tie-breaks-{world.cenon_envelope.pk}"] == (
        f"Égalité entre Bancs, Jardin : {record['winner']} passe en premier "
        "(tirage au sort reproductible, graine : tête du registre des bulletins).")


def real_world(rule="greedy"):
    """Cenon 100 000 €: Bancs (60 000 €) 2 votes, Jardin (50 000 €) 2 votes, Fresque
    (30 000 €) 1 vote; tallied with the real services, certified."""
    world = build_world(phase=PhaseKind.VOTING, quorum=1)
    world.cycle.rule = rule
    world.cycle.save(update_fields=["rule"])
    bancs = make_proposal(world, title="Bancs", cost_cents=60_000_00)
    jardin = make_proposal(world, title="Jardin", cost_cents=50_000_00)
    fresque = make_proposal(world, title="Fresque", cost_cents=30_000_00)
    cast_ballot(voter=world.resident, cycle=world.cycle, proposal_ids=[bancs.pk, jardin.pk])
    cast_ballot(voter=world.second_resident, cycle=world.cycle,
                proposal_ids=[bancs.pk, jardin.pk, fresque.pk])
    set_phase(world.cycle, PhaseKind.RESULTS)
    run = run_tally(actor=world.admin, cycle=world.cycle)
    certify_result(member=world.committee_member, tally_run=run)
    return world, run


@pytest.mark.django_db
def test_a_tallied_unpublished_result_is_hidden_from_the_public_and_previewed_by_the_staff(client):
    world, run = real_world()
    html = client.get(results_url(world.cycle)).content.decode()
    tables, texts = read_page(html)
    assert texts["awaiting-publication"].startswith(BEFORE_PUBLICATION)
    assert not [name for name in tables if name.startswith(("results-", "comparison-"))]
    assert run.fingerprint not in html and "Bancs" not in html and "preview-banner" not in texts
    client.force_login(world.committee_member)
    tables, texts = read_page(client.get(results_url(world.cycle)).content.decode())
    assert texts["preview-banner"].startswith("Aperçu : ces résultats ne sont pas publiés.")
    assert f"results-{world.cenon_envelope.pk}" in tables and "publication-status" not in texts
    response = client.get(results_url(world.cycle))
    assert "no-store" in response["Cache-Control"]


@pytest.mark.django_db
def test_the_published_page_shows_the_publication_run_metadata_and_links_the_open_data(client):
    world, run = real_world()
    publish_results(actor=world.admin, cycle=world.cycle)
    html = client.get(results_url(world.cycle)).content.decode()
    _tables, texts = read_page(html)
    assert texts["publication-status"].startswith("Résultats officiels, publiés le")
    assert f"/donnees-ouvertes/{world.cycle.slug}/" in html
    assert run.arithmetic == "exact: integers and rational numbers"
    assert texts["arithmetic"] == "exacte : entiers et nombres rationnels"
    assert run.code_version["sources_sha256"] in texts["code-version"]
    assert "preview-banner" not in texts and "non publié" not in html


@pytest.mark.django_db
def test_the_comparison_is_labelled_unofficial_and_kept_apart_from_the_result(client):
    world, run = real_world()  # greedy: Jardin (tie won on cost) and Fresque funded
    publish_results(actor=world.admin, cycle=world.cycle)
    html = client.get(results_url(world.cycle)).content.decode()
    tables, texts = read_page(html)
    cenon = world.cenon_envelope.pk
    official = {row[0]: row[3] for row in tables[f"results-{cenon}"][1:]}
    assert official == {"Jardin": "Oui", "Fresque": "Oui", "Bancs": "Non"}
    assert texts["comparison-title"] == "Comparaison avec d’autres règles (non officielle)"
    header, *rows = tables[f"comparison-{cenon}"]
    assert header[0] == "Règle (non officielle)"
    [(rule, funded, spent, difference)] = [tuple(row) for row in rows]
    stored = run.envelope_results.get(envelope=world.cenon_envelope).comparisons[0]
    assert rule == "Méthode des parts égales" and stored["rule"] == "mes"
    assert euros_to_cents(spent) == stored["spent"]
    titles = {line.proposal_id: line.proposal.title for line in ResultLine.objects.filter(
        envelope_result__tally_run=run)}
    assert funded == ", ".join(titles[pid] for pid in stored["selected"])
    same = {titles[pid] for pid in stored["selected"]} == {"Jardin", "Fresque"}
    assert (difference == "aucun : mêmes projets") == same
    # The comparison comes after every official table, inside its own marked section.
    assert html.index('id="comparison"') > max(html.index(f'id="results-{e.pk}"') for e in (
        world.cenon_envelope, world.floirac_envelope, world.territory_envelope))
    assert "Ceci n’est pas le résultat." in texts["comparison"]


@pytest.mark.django_db
def test_every_arithmetic_the_engine_states_has_a_french_label():
    from pathlib import Path

    from reports.selectors import ARITHMETIC

    engine = Path("budgets/allocation/engine.py").read_text()
    stated = set(re.findall(r'"((?:exact|floating|MILP|rational)[^"]*)"', engine))
    assert stated and stated <= set(ARITHMETIC)
