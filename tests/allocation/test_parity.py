"""Parity with pabutools 1.2.3 (expected.json) and the cities' official winners.

Every (file, rule) pair of expected.json for the rules of this module set is run through
``engine.allocate`` with lexicographic tie-breaking; the selected set and the money spent
must be equal (spent is compared in the file's currency unit). Greedy rules must also give
the same selection order. pabutools sorts the Phragmén outcome, and orders max-welfare by a
floating-point efficiency, so for those two only the set is compared.
"""

from __future__ import annotations

import json
from fractions import Fraction
from pathlib import Path

import pytest

from budgets.allocation.engine import allocate
from budgets.allocation.pabulib import read_pabulib
from budgets.allocation.types import Election

DATA = Path(__file__).resolve().parents[3] / "shared" / "data" / "pabulib"
EXPECTED = json.loads((DATA / "expected.json").read_text()) if DATA.is_dir() else {}
OWN_RULES = ("greedy", "greedy-cost", "phragmen", "max-welfare")
CASES = [
    (name, rule)
    for name, entry in sorted(EXPECTED.items())
    for rule in OWN_RULES
    if rule in entry["rules"] and entry["rules"][rule].get("selected") is not None
]
needs_data = pytest.mark.skipif(not EXPECTED, reason=f"pabulib data folder absent: {DATA}")

_cache: dict[str, Election] = {}


def election(name: str) -> Election:
    if name not in _cache:
        _cache[name] = read_pabulib(DATA / name)
    return _cache[name]


@needs_data
def test_every_rule_of_this_module_set_has_parity_cases() -> None:
    assert {rule for _, rule in CASES} == set(OWN_RULES)
    assert len(CASES) >= 30


@needs_data
@pytest.mark.parametrize(("name", "rule"), CASES)
def test_outcome_equals_pabutools(name: str, rule: str) -> None:
    expected = EXPECTED[name]["rules"][rule]
    e = election(name)
    result = allocate(e, rule=rule)
    assert sorted(result.selected) == sorted(expected["selected"])
    assert Fraction(result.spent, e.scale) == Fraction(expected["spent"])
    if rule.startswith("greedy"):
        assert list(result.selected) == expected["selection_order"]


def official(name: str) -> list[str]:
    return sorted(EXPECTED[name]["official_selected"])


@needs_data
@pytest.mark.parametrize(
    "name",
    ["Poland_Lodz_2022.pb", "Poland_Czestochowa_2024.pb", "Poland_Krakow_2023_Nowa_Huta.pb"],
)
def test_greedy_by_votes_reproduces_the_official_winners(name: str) -> None:
    assert sorted(allocate(election(name), rule="greedy").selected) == official(name)


@needs_data
def test_greedy_without_skipping_reproduces_wroclaw_2015() -> None:
    name = "Poland_Wroclaw_2015_150_-_500.pb"
    assert EXPECTED[name]["official_rule"] == "greedy-no-skip"
    assert sorted(allocate(election(name), rule="greedy-no-skip").selected) == official(name)


@needs_data
@pytest.mark.parametrize("name", ["Poland_Warszawa_2026.pb", "Poland_Lodz_2022.pb"])
def test_greedy_with_the_meta_score_threshold_reproduces_greedy_threshold_cities(
    name: str,
) -> None:
    e = election(name)
    threshold = int(dict(e.meta)["min_project_score_threshold"])
    assert sorted(allocate(e, rule="greedy", threshold=threshold).selected) == official(name)


@needs_data
def test_plain_greedy_does_not_reproduce_warsaw_which_needs_its_threshold() -> None:
    name = "Poland_Warszawa_2026.pb"
    assert sorted(allocate(election(name), rule="greedy").selected) != official(name)
