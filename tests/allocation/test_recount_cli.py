"""The recount command line (pure ``cli.main``) and its ``manage.py recount`` wrapper."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from budgets.allocation.cli import main

DATA = Path(__file__).resolve().parents[3] / "shared" / "data" / "pabulib"
SMALL = """META
key;value
budget;100.50
vote_type;approval
PROJECTS
project_id;cost;name
a;60.25;Aire de jeux
b;50;Bancs
c;40;Composteur
VOTES
voter_id;vote
1;a,b
2;a
3;b,c
4;c
5;a,c
"""


def run(*argv: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    code = main(list(argv), stdout=out, stderr=err)
    return code, out.getvalue(), err.getvalue()


@pytest.fixture
def small_file(tmp_path: Path) -> Path:
    path = tmp_path / "small.pb"
    path.write_text(SMALL, encoding="utf-8")
    return path


def test_json_output_is_one_object_with_the_documented_fields(small_file: Path) -> None:
    code, out, err = run(str(small_file), "--rule", "greedy", "--json")
    assert (code, err) == (0, "")
    body = json.loads(out)
    assert {
        "selected",
        "spent",
        "rule",
        "parameters",
        "tie_breaks",
        "explanations",
        "fingerprint",
    } <= set(body)
    # a, c (3 votes each, "a" first), then b no longer fits: 60.25 + 40 = 100.25.
    assert body["selected"] == ["a", "c"]
    assert (body["spent"], body["scale"]) == (10025, 100)
    assert body["tie_breaks"][0]["tied"] == ["a", "c"]


def test_the_default_output_is_a_table_with_every_project_and_the_fingerprint(
    small_file: Path,
) -> None:
    code, out, _ = run(str(small_file), "--rule", "greedy")
    assert code == 0
    assert "Dépensé : 100,25" in out
    for pid in ("a", "b", "c"):
        assert any(line.split()[1:2] == [pid] for line in out.splitlines() if line.strip())
    json_code, json_out, _ = run(str(small_file), "--rule", "greedy", "--json")
    assert f"Empreinte : {json.loads(json_out)['fingerprint']}" in out


def test_options_reach_the_engine_and_are_recorded(small_file: Path) -> None:
    code, out, _ = run(
        str(small_file),
        "--rule",
        "greedy",
        "--tie-break",
        "default",
        "--seed",
        "head",
        "--threshold",
        "3",
        "--json",
    )
    assert code == 0
    params = json.loads(out)["parameters"]
    assert params == {"tie_break": "default", "seed": "head", "threshold": "score 3"}
    code, out, _ = run(str(small_file), "--rule", "greedy", "--threshold", "50%", "--json")
    assert json.loads(out)["parameters"]["threshold"] == "share 1/2"


def test_a_malformed_file_gives_one_line_with_the_line_number_and_exit_code_2(
    tmp_path: Path,
) -> None:
    bad = tmp_path / "bad.pb"
    bad.write_text(SMALL.replace("3;b,c", "3;b,zz"), encoding="utf-8")
    code, out, err = run(str(bad), "--rule", "greedy")
    assert (code, out) == (2, "")
    assert err.count("\n") == 1
    assert "line 14" in err and "unknown project 'zz'" in err
    assert "Traceback" not in err


def test_a_missing_file_and_a_bad_option_exit_with_code_2(tmp_path: Path) -> None:
    code, _, err = run(str(tmp_path / "absent.pb"), "--rule", "greedy")
    assert code == 2 and "cannot read file" in err
    code, _, err = run(str(tmp_path / "absent.pb"), "--rule", "nope")
    assert code == 2 and "invalid choice" in err
    code, _, err = run(str(tmp_path / "absent.pb"), "--rule", "greedy", "--threshold", "150%")
    assert code == 2 and "threshold" in err


@pytest.mark.skipif(not DATA.is_dir(), reason=f"pabulib data folder absent: {DATA}")
def test_a_rule_that_does_not_apply_is_a_clean_error() -> None:
    code, _, err = run(str(DATA / "Poland_Krakow_2023_Nowa_Huta.pb"), "--rule", "phragmen")
    assert code == 2 and "approval" in err and err.count("\n") == 1


def test_manage_py_recount_delegates_to_the_same_code(small_file: Path) -> None:
    out = io.StringIO()
    call_command("recount", str(small_file), "--rule", "greedy", "--json", stdout=out)
    code, cli_out, _ = run(str(small_file), "--rule", "greedy", "--json")
    assert json.loads(out.getvalue()) == json.loads(cli_out)


def test_manage_py_recount_reports_a_malformed_file_with_exit_code_2(tmp_path: Path) -> None:
    bad = tmp_path / "bad.pb"
    bad.write_text(SMALL.replace("60.25", "60,25"), encoding="utf-8")
    with pytest.raises(CommandError, match="line 7") as info:
        call_command("recount", str(bad), "--rule", "greedy")
    assert info.value.returncode == 2
