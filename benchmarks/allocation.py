"""Benchmark of the allocation engine: every rule on every shared pabulib file and on a
synthetic approval election (100,000 voters x 200 projects, fixed seed).

Usage::

    .venv/bin/python -m benchmarks.allocation            # everything but Budapest mes-add1
    .venv/bin/python -m benchmarks.allocation --quick    # a subset (Łódź, Wrocław, Warsaw add1)
    .venv/bin/python -m benchmarks.allocation --files Poland_Lodz_2022.pb --rules mes
    .venv/bin/python -m benchmarks.allocation --all      # also Budapest mes-add1 (minutes)

Per (election, rule) it prints, as a markdown table: the parsing seconds (once per file),
the wall and CPU seconds of ``engine.allocate`` (profile building included, parsing
excluded; best of ``--repeat`` runs), the peak memory traced by :mod:`tracemalloc` during one
more run (Python and numpy allocations), pabutools' seconds from expected.json on the same
kind of machine, and the ratio pabutools / ours (wall). The process's peak resident set
(``ru_maxrss``) is printed at the end. CPU seconds are the fairer figure on a shared machine:
wall time counts the time other processes hold the cores.
"""

from __future__ import annotations

import argparse
import json
import platform
import resource
import sys
import time
import tracemalloc
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np

from budgets.allocation.engine import RULES, allocate
from budgets.allocation.pabulib import read_pabulib
from budgets.allocation.types import Ballot, BallotKind, Election, Project

DATA = Path(__file__).resolve().parents[2] / "shared" / "data" / "pabulib"
SYNTHETIC = "synthetic 100k x 200"
QUICK = {
    "Poland_Lodz_2022.pb": RULES,
    "Poland_Wroclaw_2015_150_-_500.pb": RULES,
    "Poland_Warszawa_2026.pb": ("mes", "mes-add1"),
    SYNTHETIC: ("mes",),
}
# Rule name in the table -> keyword arguments of allocate.
VARIANTS: dict[str, tuple[str, dict[str, Any]]] = {
    "greedy": ("greedy", {}),
    "greedy-no-skip": ("greedy-no-skip", {}),
    "greedy-cost": ("greedy-cost", {}),
    "mes": ("mes", {}),
    "mes-add1": ("mes-add1", {"add1_stop": "exhaustive"}),
    "mes-add1 overspend": ("mes-add1", {"add1_stop": "overspend"}),
    "phragmen": ("phragmen", {}),
    "max-welfare": ("max-welfare", {}),
}


def synthetic_election(voters: int = 100_000, projects: int = 200, seed: int = 2026) -> Election:
    """Approval ballots: each voter approves 1 to 10 projects, drawn without replacement
    with Pareto-distributed popularities (Gumbel top-k); costs 50,000 to 1,000,000 by steps
    of 2,500; budget one fifth of the total cost. Same seed, same election."""
    rng = np.random.default_rng(seed)
    costs = rng.integers(20, 401, size=projects) * 2500
    weights = np.log(rng.pareto(1.2, size=projects) + 0.05)
    sizes = rng.integers(1, 11, size=voters)
    ids = [f"s{i:03d}" for i in range(projects)]
    ballots: list[Ballot] = []
    chunk = 10_000
    for start in range(0, voters, chunk):
        stop = min(start + chunk, voters)
        keys = weights + rng.gumbel(size=(stop - start, projects))
        order = np.argsort(-keys, axis=1)[:, :10]
        for v in range(start, stop):
            chosen = order[v - start, : sizes[v]]
            ballots.append(Ballot(voter_id=str(v), choices=tuple(ids[i] for i in chosen)))
    return Election(
        budget=int(costs.sum()) // 5,
        projects=tuple(Project(id=i, cost=int(c)) for i, c in zip(ids, costs, strict=True)),
        ballots=tuple(ballots),
        kind=BallotKind.APPROVAL,
    )


def timed(fn: Callable[[], Any], repeat: int) -> tuple[float, float, Any]:
    """Best wall and best CPU seconds over ``repeat`` calls, and the last value."""
    wall = cpu = float("inf")
    value: Any = None
    for _ in range(repeat):
        w, c = time.perf_counter(), time.process_time()
        value = fn()
        wall = min(wall, time.perf_counter() - w)
        cpu = min(cpu, time.process_time() - c)
    return wall, cpu, value


def traced_peak_mb(fn: Callable[[], Any]) -> float:
    tracemalloc.start()
    try:
        fn()
        return tracemalloc.get_traced_memory()[1] / 2**20
    finally:
        tracemalloc.stop()


def pabutools_seconds(expected: dict[str, Any], name: str, rule: str) -> str:
    entry = expected.get(name, {}).get("rules", {}).get(rule, {})
    if entry.get("seconds") is not None:
        return f"{entry['seconds']:.3f}"
    if entry.get("pabutools_seconds"):
        return str(entry["pabutools_seconds"])
    if entry.get("timeout_s"):
        return f">{entry['timeout_s']}"
    return ""


def ratio(reference: str, wall: float) -> str:
    if not reference or wall <= 0:
        return ""
    bound = reference.startswith(">")
    value = float(reference.lstrip(">")) / wall
    return f"{'>' if bound else ''}{value:,.0f}x" if value >= 10 else f"{value:.1f}x"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="a subset (see QUICK)")
    parser.add_argument("--all", action="store_true", help="include Budapest mes-add1")
    parser.add_argument("--files", nargs="*", help="file names (or 'synthetic')")
    parser.add_argument("--rules", nargs="*", choices=sorted(VARIANTS))
    parser.add_argument("--repeat", type=int, default=3, help="runs timed per cell (best)")
    parser.add_argument("--add1-repeat", type=int, default=1, help="the same for mes-add1")
    parser.add_argument("--no-memory", action="store_true", help="skip the tracemalloc run")
    args = parser.parse_args(argv)

    expected: dict[str, Any] = {}
    files: list[str] = []
    if DATA.is_dir():
        expected = json.loads((DATA / "expected.json").read_text())
        files = sorted(p.name for p in DATA.glob("*.pb"))
    else:
        print(f"pabulib data folder absent ({DATA}): synthetic election only", file=sys.stderr)
    files.append(SYNTHETIC)
    if args.quick:
        files = [f for f in files if f in QUICK]
    if args.files:
        wanted = {SYNTHETIC if f == "synthetic" else f for f in args.files}
        files = [f for f in files if f in wanted]

    print(
        f"Machine: {platform.processor() or platform.machine()}, {platform.system()} "
        f"{platform.release()}, Python {platform.python_version()}, numpy {np.__version__}"
    )
    print()
    print(
        "| election | voters | rule | parse s | wall s | CPU s | peak MB | pabutools s | "
        "speed-up | selected |"
    )
    print("|---|---:|---|---:|---:|---:|---:|---:|---:|---:|")
    for name in files:
        start = time.perf_counter()
        election = synthetic_election() if name == SYNTHETIC else read_pabulib(DATA / name)
        parse = time.perf_counter() - start
        rules = list(args.rules or VARIANTS)
        if args.quick:
            rules = [r for r in rules if VARIANTS[r][0] in QUICK[name]]
        for label in rules:
            rule, kwargs = VARIANTS[label]
            if rule == "mes-add1" and name.startswith("Hungary_Budapest") and not args.all:
                continue
            repeat = args.add1_repeat if rule == "mes-add1" else args.repeat

            def run(
                rule: str = rule, kwargs: dict[str, Any] = kwargs, election: Election = election
            ) -> Any:
                return allocate(election, rule=rule, **kwargs)

            try:
                wall, cpu, result = timed(run, repeat)
            except ValueError as exc:  # a rule that refuses the kind
                print(
                    f"| {name} | {len(election.ballots)} | {label} | {parse:.2f} | "
                    f"refused: {exc} | | | | | |"
                )
                continue
            peak = "" if args.no_memory else f"{traced_peak_mb(run):.0f}"
            reference = pabutools_seconds(
                expected, name, rule if label != "mes-add1 overspend" else ""
            )
            print(
                f"| {name} | {len(election.ballots)} | {label} | {parse:.2f} | {wall:.3f} | "
                f"{cpu:.3f} | {peak} | {reference} | {ratio(reference, wall)} | "
                f"{len(result.selected)} |",
                flush=True,
            )
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print()
    print(f"Peak resident set of the whole benchmark process: {rss:.0f} MB")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
