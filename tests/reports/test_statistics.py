"""Participation statistics: hand-computed tables and chi-square tests (reports.statistics)."""

from __future__ import annotations

import math
from datetime import date

import pytest
from scipy import stats

from reports.statistics import (
    age_band,
    eligible_bands,
    format_p_value,
    goodness_of_fit,
    participation_statistics,
)
from tests.reports.statistics_world import POPULATION, build_statistics_world

LABELS = {"a": "A", "b": "B"}
PHRASES = {"a": "Les jeunes", "b": "Les aînés"}


# --- The chi-square test, by hand ---------------------------------------------------------------


def test_a_clear_gap_is_reported_with_the_over_and_under_represented_groups():
    # 40 voters, population 50/50: expected 20 and 20; chi2 = 10²/20 + 10²/20 = 10, 1 df.
    test = goodness_of_fit({"a": 30, "b": 10}, {"a": 500, "b": 500}, LABELS,
                           dimension="par tranche d’âge", group_phrase=PHRASES)
    assert test is not None
    assert test.statistic == pytest.approx(10.0)
    assert test.degrees_of_freedom == 1
    assert test.p_value == pytest.approx(math.erfc(math.sqrt(10 / 2)))  # chi2(1) survival
    assert test.p_value == pytest.approx(0.0015654, rel=1e-4)
    assert not test.is_representative
    assert test.sentences == [
        "Les votants ne ressemblent pas à la population par tranche d’âge : des écarts aussi "
        "grands n’arrivent que rarement par hasard (khi-deux = 10,00 ; 1 degré de liberté ; "
        "p = 0,002).",
        "Les jeunes sont sur-représentés : 75,0\u202f% des votants pour 50,0\u202f% de la population.",
        "Les aînés sont sous-représentés : 25,0\u202f% des votants pour 50,0\u202f% de la population.",
    ]


def test_a_small_gap_says_the_voters_resemble_the_population():
    # expected 20/20, observed 21/19: chi2 = 1/20 + 1/20 = 0.1.
    test = goodness_of_fit({"a": 21, "b": 19}, {"a": 7, "b": 7}, LABELS, dimension="par commune")
    assert test is not None
    assert test.statistic == pytest.approx(0.1)
    assert test.p_value == pytest.approx(0.7518, abs=1e-4)
    assert test.is_representative
    assert test.sentences == [
        "Les votants ressemblent à la population par commune : les écarts observés peuvent "
        "s’expliquer par le hasard (khi-deux = 0,10 ; 1 degré de liberté ; p = 0,752)."]


def test_three_categories_match_scipy_and_unequal_populations():
    observed = {"a": 12, "b": 30, "c": 8}
    population = {"a": 2000, "b": 5000, "c": 3000}
    # expected = 50 * (0.2, 0.5, 0.3) = (10, 25, 15)
    expected_chi2 = (12 - 10) ** 2 / 10 + (30 - 25) ** 2 / 25 + (8 - 15) ** 2 / 15
    test = goodness_of_fit(observed, population, {}, dimension="par commune")
    assert test is not None
    assert test.statistic == pytest.approx(expected_chi2)  # 4.6667
    assert test.degrees_of_freedom == 2
    assert test.p_value == pytest.approx(math.exp(-expected_chi2 / 2))  # chi2(2) survival
    assert test.p_value == pytest.approx(stats.chi2.sf(expected_chi2, 2))
    assert [round(d.expected, 6) for d in test.deviations] == [10, 25, 15]


def test_small_expected_counts_come_with_a_caution():
    test = goodness_of_fit({"a": 3, "b": 1}, {"a": 1, "b": 1}, LABELS, dimension="par commune")
    assert test is not None and test.small_counts
    assert test.sentences[-1].startswith("Prudence : certains effectifs attendus sont inférieurs à 5")


def test_voters_outside_the_population_categories_are_not_tested():
    test = goodness_of_fit({"a": 20, "b": 20, "unknown": 100}, {"a": 1, "b": 1}, LABELS,
                           dimension="par commune")
    assert test is not None and test.counted == 40 and test.statistic == 0


@pytest.mark.parametrize(("observed", "population"), [
    ({"a": 10}, {"a": 100}),                  # one category: nothing to compare
    ({}, {"a": 100, "b": 100}),               # no voter
    ({"a": 10, "b": 5}, {"a": 100, "b": 0}),  # a category without population is left out
])
def test_no_test_without_two_populated_categories_and_voters(observed, population):
    assert goodness_of_fit(observed, population, LABELS, dimension="par commune") is None


def test_p_values_are_written_the_french_way():
    assert format_p_value(0.04567) == "p = 0,046"
    assert format_p_value(0.0004) == "p < 0,001"


@pytest.mark.parametrize(("age", "band"), [(0, "0-14"), (14, "0-14"), (15, "15-29"), (29, "15-29"),
                                           (30, "30-44"), (74, "60-74"), (75, "75+"), (103, "75+"),
                                           (-1, None)])
def test_ages_fall_in_the_population_age_bands(age, band):
    assert age_band(age) == band


def test_bands_where_nobody_may_vote_are_left_out_of_the_population():
    assert eligible_bands(0)[0] == "0-14"
    assert eligible_bands(16) == ["15-29", "30-44", "45-59", "60-74", "75+"]
    assert eligible_bands(14)[0] == "0-14"


# --- From the database ---------------------------------------------------------------------------


def rows(statistics, key):
    return {row.label: (row.voters, row.population, row.rate) for row in statistics.breakdown(key).rows}


@pytest.mark.django_db
def test_participation_tables_equal_hand_counted_figures():
    built = build_statistics_world()
    s = participation_statistics(built.world.cycle)
    assert s.total == 9
    assert rows(s, "channel") == {"En ligne": (7, None, None), "Papier": (2, None, None)}
    # Voting-age population (minimum age 16: bands from 15-29): see statistics_world.POPULATION.
    cenon_pop = sum(POPULATION["palmer"].values()) + sum(POPULATION["bas-cenon"].values())
    floirac_pop = sum(POPULATION["dravemont"].values())
    assert rows(s, "commune") == {"Cenon": (6, cenon_pop, 6 / cenon_pop),
                                  "Floirac": (3, floirac_pop, 3 / floirac_pop)}
    palmer = sum(POPULATION["palmer"].values())
    bas = sum(POPULATION["bas-cenon"].values())
    assert rows(s, "district") == {
        "Bas Cenon (Cenon)": (2, bas, 2 / bas), "Palmer (Cenon)": (3, palmer, 3 / palmer),
        "Dravemont (Floirac)": (2, floirac_pop, 2 / floirac_pop), "Non renseigné": (2, None, None)}
    priority = palmer + floirac_pop
    assert rows(s, "priority") == {
        "Quartiers prioritaires (QPV)": (5, priority, 5 / priority),
        "Autres quartiers": (2, bas, 2 / bas), "Non renseigné": (2, None, None)}
    band_pop = {band: sum(POPULATION[d][band] for d in POPULATION) for band in POPULATION["palmer"]}
    assert rows(s, "age") == {
        "15 à 29 ans": (3, band_pop["15-29"], 3 / band_pop["15-29"]),
        "30 à 44 ans": (2, band_pop["30-44"], 2 / band_pop["30-44"]),
        "45 à 59 ans": (1, band_pop["45-59"], 1 / band_pop["45-59"]),
        "60 à 74 ans": (1, band_pop["60-74"], 1 / band_pop["60-74"]),
        "75 ans et plus": (0, band_pop["75+"], 0.0),
        "Non renseigné": (2, None, None)}
    assert rows(s, "gender") == {"Non renseigné": (9, None, None)}
    assert "ne demandent pas le genre" in s.breakdown("gender").note
    shares = {row.label: row.share for row in s.breakdown("channel").rows}
    assert shares == {"En ligne": pytest.approx(7 / 9), "Papier": pytest.approx(2 / 9)}


@pytest.mark.django_db
def test_representativeness_tests_use_the_voters_with_a_known_value():
    built = build_statistics_world()
    s = participation_statistics(built.world.cycle)
    band_pop = [sum(POPULATION[d][band] for d in POPULATION) for band in POPULATION["palmer"]]
    observed = [3, 2, 1, 1, 0]
    expected = [7 * p / sum(band_pop) for p in band_pop]
    reference = stats.chisquare(observed, expected)
    assert s.age_test is not None
    assert s.age_test.counted == 7
    assert s.age_test.statistic == pytest.approx(float(reference.statistic))
    assert s.age_test.p_value == pytest.approx(float(reference.pvalue))
    assert s.age_test.small_counts  # 7 voters over 5 bands
    commune_pop = [sum(POPULATION["palmer"].values()) + sum(POPULATION["bas-cenon"].values()),
                   sum(POPULATION["dravemont"].values())]
    commune_ref = stats.chisquare([6, 3], [9 * p / sum(commune_pop) for p in commune_pop])
    assert s.commune_test is not None
    assert s.commune_test.statistic == pytest.approx(float(commune_ref.statistic))
    assert s.commune_test.p_value == pytest.approx(float(commune_ref.pvalue))


@pytest.mark.django_db
def test_ages_are_counted_at_the_year_the_vote_closed():
    built = build_statistics_world()
    voter = built.voters[0]
    year = participation_statistics(built.world.cycle).reference_year
    voter.birth_date = date(year - 30, 12, 31)  # 30 during that year: 30-44, not 15-29
    voter.save(update_fields=["birth_date"])
    s = participation_statistics(built.world.cycle)
    assert rows(s, "age")["15 à 29 ans"][0] == 2
    assert rows(s, "age")["30 à 44 ans"][0] == 3


@pytest.mark.django_db
def test_a_cycle_without_voters_or_population_gives_empty_tables_and_no_test():
    built = build_statistics_world(voters=False, population=False)
    s = participation_statistics(built.world.cycle)
    assert s.total == 0 and s.age_test is None and s.commune_test is None
    assert rows(s, "commune") == {"Cenon": (0, None, None), "Floirac": (0, None, None)}


@pytest.mark.django_db
def test_statistics_read_a_bounded_number_of_queries(django_assert_max_num_queries):
    built = build_statistics_world(extra_voters=60)
    with django_assert_max_num_queries(7):
        s = participation_statistics(built.world.cycle)
    assert s.total == 69
