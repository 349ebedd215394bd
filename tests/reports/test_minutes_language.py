"""Per-project explanations are said in the reader's language: the tally stores a French
sentence (kept as the record), the pages and the minutes rebuild it at display time from the
reason code and round the engine recorded. Also the link from the results page to the
statistics dashboard, for the people allowed to read it."""

from __future__ import annotations

import shutil

import pytest
from django.utils import translation

from budgets.models import PhaseKind
from reports.pdf import render_minutes
from reports.selectors import explanation_of
from tests.builders import build_world, make_proposal, set_phase
from tests.reports.builders import build_results_world
from tests.reports.html_tables import read_page
from tests.reports.test_minutes_pdf import pdf_text
from voting.models import ResultLine
from voting.publication import publish_results
from voting.services import cast_ballot
from voting.tally import certify_result, run_tally

needs_pdftotext = pytest.mark.skipif(
    shutil.which("pdftotext") is None, reason="pdftotext (poppler-utils) is not installed")

@pytest.fixture(autouse=True)
def _keep_the_language():
    """A request with ``Accept-Language: en`` leaves English active in this thread (the
    locale middleware activates it); later tests expect the default language back."""
    language = translation.get_language()
    yield
    translation.activate(language)


FR_DID_NOT_FIT = "Non financé : il ne restait pas assez d’argent dans l’enveloppe."
EN_DID_NOT_FIT = "Not funded: there was not enough money left in the envelope."


def tallied_world():
    """Cenon's envelope (100 000 €): Bancs (60 000 €, 2 votes) is funded, Jardin (50 000 €,
    1 vote) no longer fits. Tallied, certified and published by the real services."""
    world = build_world(phase=PhaseKind.VOTING, quorum=1)
    bancs = make_proposal(world, title="Bancs au parc Palmer", cost_cents=60_000_00)
    jardin = make_proposal(world, title="Jardin partagé", cost_cents=50_000_00)
    cast_ballot(voter=world.resident, cycle=world.cycle, proposal_ids=[bancs.pk])
    cast_ballot(voter=world.second_resident, cycle=world.cycle, proposal_ids=[bancs.pk, jardin.pk])
    set_phase(world.cycle, PhaseKind.RESULTS)
    with translation.override("fr"):  # the tally writes its sentence in the active language
        run = run_tally(actor=world.admin, cycle=world.cycle)
    certify_result(member=world.committee_member, tally_run=run)
    publish_results(actor=world.admin, cycle=world.cycle)
    return world, run


def jardin_line(run) -> ResultLine:
    return ResultLine.objects.select_related("envelope_result", "proposal").get(
        envelope_result__tally_run=run, proposal__title="Jardin partagé")


@pytest.mark.django_db
def test_the_stored_sentence_stays_french_and_the_display_follows_the_language():
    world, run = tallied_world()
    line = jardin_line(run)
    assert not line.is_funded
    assert line.explanation == FR_DID_NOT_FIT  # the record written by the tally
    with translation.override("en"):
        assert explanation_of(line) == EN_DID_NOT_FIT
        funded = ResultLine.objects.select_related("envelope_result").get(
            envelope_result__tally_run=run, proposal__title="Bancs au parc Palmer")
        assert explanation_of(funded) == "Funded (selected in round 1)."
    with translation.override("fr"):
        assert explanation_of(line) == FR_DID_NOT_FIT
    assert jardin_line(run).explanation == FR_DID_NOT_FIT  # display never rewrites history


@pytest.mark.django_db
def test_without_a_usable_reason_code_the_stored_sentence_is_shown():
    world, run = tallied_world()
    line = jardin_line(run)
    result = line.envelope_result
    for item in result.result["explanations"]:
        item["reason"] = "no-such-reason"
    result.save(update_fields=["result"])
    with translation.override("en"):
        assert explanation_of(jardin_line(run)) == FR_DID_NOT_FIT


@pytest.mark.django_db
def test_lines_without_the_engines_records_show_the_stored_sentence():
    built = build_results_world()  # lines written directly, result without "explanations"
    with translation.override("en"):
        for stored in ResultLine.objects.filter(envelope_result__tally_run=built.tally_run):
            assert explanation_of(stored) == stored.explanation


@needs_pdftotext
@pytest.mark.django_db
def test_english_minutes_give_the_english_reason_and_french_minutes_the_french_one(tmp_path):
    world, run = tallied_world()
    english = " ".join(pdf_text(render_minutes(world.cycle, language="en"), tmp_path).split())
    french = " ".join(pdf_text(render_minutes(world.cycle, language="fr"), tmp_path).split())
    assert f"(1) {EN_DID_NOT_FIT}" in english
    assert FR_DID_NOT_FIT not in english
    assert f"(1) {FR_DID_NOT_FIT}" in french
    assert EN_DID_NOT_FIT not in french


@pytest.mark.django_db
def test_the_results_page_gives_the_reason_in_the_readers_language(client):
    world, run = tallied_world()
    url = f"/rapports/{world.cycle.slug}/resultats/"
    envelope = world.cenon_envelope.pk
    for language, expected in (("en", EN_DID_NOT_FIT), ("fr", FR_DID_NOT_FIT)):
        tables, _ = read_page(client.get(url, HTTP_ACCEPT_LANGUAGE=language).content.decode())
        rows = {row[0]: row[1:] for row in tables[f"results-{envelope}"][1:]}
        assert rows["Jardin partagé"][-1] == expected, language


@pytest.mark.django_db
@pytest.mark.parametrize("published", [True, False])
def test_the_results_page_links_the_statistics_only_for_those_allowed(client, published):
    if published:
        world, _run = tallied_world()
    else:
        world = build_world(phase=PhaseKind.VOTING)
    url = f"/rapports/{world.cycle.slug}/resultats/"
    link = f'href="/rapports/{world.cycle.slug}/statistiques/"'
    for allowed in (world.admin, world.committee_member, world.publisher):
        client.force_login(allowed)
        assert link in client.get(url).content.decode()
    for refused in (world.resident, world.reviewer):
        client.force_login(refused)
        assert link not in client.get(url).content.decode()
    client.logout()
    assert link not in client.get(url).content.decode()
