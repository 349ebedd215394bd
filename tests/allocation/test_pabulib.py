"""pabulib reader and writer: real files, scaling, round trips, malformed files."""

from __future__ import annotations

import json
from fractions import Fraction
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from budgets.allocation.pabulib import PabulibError, parse_pabulib, read_pabulib, write_pabulib
from budgets.allocation.types import Ballot, BallotKind, Election, Project

DATA = Path(__file__).resolve().parents[3] / "shared" / "data" / "pabulib"
FILES = sorted(p.name for p in DATA.glob("*.pb")) if DATA.is_dir() else []
needs_data = pytest.mark.skipif(not FILES, reason=f"pabulib data folder absent: {DATA}")


def meta_of(election: Election) -> dict[str, str]:
    return dict(election.meta)


@needs_data
@pytest.mark.parametrize("name", FILES)
def test_every_shared_file_reads_with_the_counts_its_meta_announces(name: str) -> None:
    election = read_pabulib(DATA / name)
    meta = meta_of(election)
    assert len(election.projects) == int(meta["num_projects"])
    assert len(election.ballots) == int(meta["num_votes"])
    assert election.kind.value == meta["vote_type"]
    known = {p.id for p in election.projects}
    assert all(set(b.choices) <= known for b in election.ballots)


@needs_data
@pytest.mark.parametrize("name", FILES)
def test_every_shared_file_survives_a_write_then_read_round_trip(name: str) -> None:
    election = read_pabulib(DATA / name)
    assert parse_pabulib(write_pabulib(election)) == election


@needs_data
def test_decimal_budget_is_scaled_to_integer_hundredths() -> None:
    election = read_pabulib(DATA / "Poland_Krakow_2023_Nowa_Huta.pb")
    assert election.scale == 100
    assert election.budget == 245848822  # 2458488.22 in the file
    expected = json.loads((DATA / "expected.json").read_text())
    first = election.projects[0]
    text = (DATA / "Poland_Krakow_2023_Nowa_Huta.pb").read_text(encoding="utf-8")
    row = next(line for line in text.splitlines() if line.startswith(first.id + ";"))
    assert first.cost == int(row.split(";")[1]) * 100
    reference = Fraction(expected["Poland_Krakow_2023_Nowa_Huta.pb"]["budget"])  # pabutools
    assert Fraction(election.budget, election.scale) == reference


@needs_data
def test_cumulative_points_are_read_parallel_to_the_choices() -> None:
    election = read_pabulib(DATA / "Poland_Czestochowa_2024.pb")
    assert election.kind is BallotKind.CUMULATIVE
    assert all(len(b.points) == len(b.choices) for b in election.ballots)
    assert max(sum(b.points) for b in election.ballots) <= int(meta_of(election)["max_sum_points"])


def small_election(**changes: object) -> Election:
    base = Election(
        budget=1000,
        projects=(
            Project("a", 250, "Parc; jeux", extra=(("category", "green"),)),
            Project("b", 1050, 'Piste "cyclable"', extra=(("category", ""),)),
        ),
        ballots=(
            Ballot("v1", ("a", "b"), (), (("age", "31"),)),
            Ballot("v2", ("b",), (), (("age", ""),)),
            Ballot("v3", (), (), (("age", "70"),)),
        ),
        kind=BallotKind.APPROVAL,
        scale=100,
        meta=(
            ("description", "Essai"),
            ("budget", "10.00"),
            ("vote_type", "approval"),
            ("num_projects", "2"),
            ("num_votes", "3"),
        ),
    )
    return Election(**{**{f: getattr(base, f) for f in base.__slots__}, **changes})


def test_round_trip_keeps_quoted_names_decimals_and_empty_ballots() -> None:
    election = small_election()
    text = write_pabulib(election)
    assert "10.50" in text  # cost 1050 hundredths
    assert parse_pabulib(text) == election


def test_round_trip_of_cumulative_ballots_keeps_points() -> None:
    election = small_election(
        kind=BallotKind.CUMULATIVE,
        ballots=(Ballot("v1", ("b", "a"), (3, 7)), Ballot("v2", ("a",), (10,))),
        meta=(("budget", "10.00"), ("vote_type", "cumulative")),
    )
    again = parse_pabulib(write_pabulib(election))
    assert again.ballots == election.ballots
    assert (again.budget, again.scale, again.kind) == (1000, 100, BallotKind.CUMULATIVE)


def test_writer_completes_missing_meta_so_the_file_reads_back() -> None:
    election = small_election(meta=())
    again = parse_pabulib(write_pabulib(election))
    assert meta_of(again) == {
        "budget": "10.00",
        "vote_type": "approval",
        "num_projects": "2",
        "num_votes": "3",
    }
    assert (again.projects, again.ballots, again.budget) == (
        election.projects,
        election.ballots,
        election.budget,
    )


GOOD_HEAD = "META\nkey;value\nbudget;100\nvote_type;approval\n"
GOOD_PROJECTS = "PROJECTS\nproject_id;cost;name\np1;60;Un\np2;50;Deux\n"
GOOD_VOTES = "VOTES\nvoter_id;vote\nv1;p1,p2\nv2;p2\n"


def error_of(text: str) -> PabulibError:
    with pytest.raises(PabulibError) as info:
        parse_pabulib(text, source="t.pb")
    return info.value


def test_the_minimal_well_formed_file_parses() -> None:
    election = parse_pabulib(GOOD_HEAD + GOOD_PROJECTS + GOOD_VOTES)
    assert [p.cost for p in election.projects] == [60, 50]
    assert [b.choices for b in election.ballots] == [("p1", "p2"), ("p2",)]


@pytest.mark.parametrize(
    ("text", "line", "words"),
    [
        (GOOD_HEAD + GOOD_PROJECTS, 8, "VOTES section"),
        (GOOD_HEAD + "PROJECTS\n", 5, "no column header"),
        (GOOD_HEAD, 4, "PROJECTS section"),
        (GOOD_HEAD + "PROJECTS\nproject_id;cost;name\np1;6x0;Un\n" + GOOD_VOTES, 7, "cost '6x0'"),
        (GOOD_HEAD + "PROJECTS\nproject_id;cost;name\np1;-5;Un\n" + GOOD_VOTES, 7, "non-negative"),
        (
            GOOD_HEAD + "PROJECTS\nproject_id;cost;name\np1;60;Un\np1;50;Bis\n" + GOOD_VOTES,
            8,
            "duplicate project id 'p1' (first on line 7)",
        ),
        (
            GOOD_HEAD + GOOD_PROJECTS + "VOTES\nvoter_id;vote\nv1;p1,p9\n",
            11,
            "unknown project 'p9'",
        ),
        (
            GOOD_HEAD + GOOD_PROJECTS + "VOTES\nvoter_id;vote\nv1;p1\nv1;p2\n",
            12,
            "duplicate voter id 'v1'",
        ),
        (GOOD_HEAD + GOOD_PROJECTS + "VOTES\nvoter_id;vote\nv1;p1,p1\n", 11, "twice"),
        (GOOD_HEAD + GOOD_PROJECTS + "VOTES\nvoter_id;vote\nv1;p1\nv2\n", 12, "1 fields"),
        ("META\nkey;value\nvote_type;approval\n" + GOOD_PROJECTS + GOOD_VOTES, 3, "no 'budget'"),
        (
            "META\nkey;value\nbudget;1e3\nvote_type;approval\n" + GOOD_PROJECTS + GOOD_VOTES,
            3,
            "budget '1e3'",
        ),
        (
            "META\nkey;value\nbudget;100\nvote_type;knapsack\n" + GOOD_PROJECTS + GOOD_VOTES,
            4,
            "vote_type",
        ),
        (
            "META\nkey;value\nbudget;100\nvote_type;cumulative\n"
            + GOOD_PROJECTS
            + "VOTES\nvoter_id;vote;points\nv1;p1,p2;3\n",
            11,
            "1 points for 2",
        ),
        (
            "META\nkey;value\nbudget;100\nvote_type;cumulative\n"
            + GOOD_PROJECTS
            + "VOTES\nvoter_id;vote;points\nv1;p1;x\n",
            11,
            "not whole numbers",
        ),
        ("PROJECTS\nproject_id;cost\n", 1, "expected the META section"),
    ],
)
def test_malformed_files_raise_an_error_naming_the_line(text: str, line: int, words: str) -> None:
    error = error_of(text)
    assert error.line == line
    assert words in error.reason
    assert str(error).startswith(f"t.pb: line {line}: ")


def test_a_file_that_is_not_utf8_names_the_first_bad_line(tmp_path: Path) -> None:
    path = tmp_path / "latin1.pb"
    path.write_bytes(
        (GOOD_HEAD + "PROJECTS\nproject_id;cost;name\np1;60;Caf\xe9\n").encode("latin-1")
    )
    with pytest.raises(PabulibError) as info:
        read_pabulib(path)
    assert info.value.line == 7


def test_a_missing_file_is_a_pabulib_error_not_an_os_error(tmp_path: Path) -> None:
    with pytest.raises(PabulibError, match="cannot read file"):
        read_pabulib(tmp_path / "absent.pb")


# Ids: no comma, no control or line-separator character (pabulib cannot hold them).
ids = (
    st.text(
        alphabet=st.characters(
            blacklist_categories=("Cs", "Cc", "Zl", "Zp"), blacklist_characters=","
        ),
        min_size=1,
        max_size=6,
    )
    .map(str.strip)
    .filter(bool)
)
# Names may hold the delimiter, quotes and line breaks: the writer quotes them.
names = st.text(
    alphabet=st.characters(blacklist_categories=("Cs",), blacklist_characters="\x00"), max_size=8
)


@st.composite
def elections(draw: st.DrawFn) -> Election:
    kind = draw(
        st.sampled_from(
            [
                BallotKind.APPROVAL,
                BallotKind.CUMULATIVE,
                BallotKind.ORDINAL,
                BallotKind.CHOOSE_1,
                BallotKind.SCORING,
            ]
        )
    )
    scale = draw(st.sampled_from([1, 10, 100]))
    project_ids = draw(st.lists(ids, min_size=1, max_size=5, unique=True))
    projects = tuple(Project(pid, draw(st.integers(0, 10**6)), draw(names)) for pid in project_ids)
    voter_ids = draw(st.lists(ids, max_size=6, unique=True))
    ballots = []
    for vid in voter_ids:
        choices = tuple(draw(st.lists(st.sampled_from(project_ids), unique=True, max_size=3)))
        points = (
            tuple(draw(st.integers(-5, 20)) for _ in choices)
            if kind in (BallotKind.CUMULATIVE, BallotKind.SCORING)
            else ()
        )
        ballots.append(Ballot(vid, choices, points))
    budget = draw(st.integers(0, 10**7))
    e = Election(budget, projects, tuple(ballots), kind, scale)
    # Give it the META the reader would produce, so that equality is exact.
    return parse_pabulib(write_pabulib(e))


@settings(max_examples=150, deadline=None)
@given(elections())
def test_write_then_read_gives_the_same_election_for_any_representable_election(
    e: Election,
) -> None:
    assert parse_pabulib(write_pabulib(e)) == e


@settings(max_examples=60, deadline=None)
@given(elections())
def test_the_first_round_trip_keeps_everything_but_the_completed_meta(e: Election) -> None:
    bare = Election(e.budget, e.projects, e.ballots, e.kind, e.scale)
    again = parse_pabulib(write_pabulib(bare))
    assert (again.budget, again.projects, again.ballots, again.kind, again.scale) == (
        bare.budget,
        bare.projects,
        bare.ballots,
        bare.kind,
        bare.scale,
    )


@pytest.mark.parametrize("bad_id", ["a,b", " a", "a\nb", ""])
def test_the_writer_refuses_project_ids_pabulib_cannot_hold(bad_id: str) -> None:
    with pytest.raises(ValueError, match="cannot be written"):
        write_pabulib(small_election(projects=(Project(bad_id, 1),), ballots=()))
