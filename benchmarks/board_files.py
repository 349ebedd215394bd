"""Board and open-data files benchmark: first build versus later page views.

What it does (a benchmark, not a test; run it by hand):

1. creates a dedicated PostgreSQL database (``--db``, default ``pins_board_files_bench``;
   dropped at the end unless ``--keep-db``), migrates it and builds, not timed, the same
   tallied and certified cycle as ``benchmarks.minutes`` (``--ballots`` voters, default
   20,000, and ``--proposals`` proposals on 5 envelopes), then publishes its results;
2. times, through the Django test client (full request: middleware, view, template):
   - the first view of the public board after the close (builds and stores the anonymised
     ballots JSON and one pabulib file per envelope), then ``--repeat`` later views;
   - the first view of the open-data page (builds and stores the CSV, JSON and XLSX
     tables), then ``--repeat`` later views;
   - ``--repeat`` downloads of the largest stored file and ``--repeat`` revalidations
     (``If-None-Match`` → 304);
   - for comparison, ``--repeat`` fresh builds of both bundles (what every view cost before
     the files were stored), and the SQL query count of each later view.

    .venv/bin/python -m benchmarks.board_files                         # 20 000 ballots
    .venv/bin/python -m benchmarks.board_files --ballots 2000 --repeat 3   # quick look

Results are in docs/performance.md ("Board and open-data files").
"""

from __future__ import annotations

import argparse
import os
import statistics
import time
from typing import Any

from benchmarks import minutes


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    p = argparse.ArgumentParser(description=(__doc__ or "").split("\n\n")[0])
    p.add_argument("--proposals", type=int, default=200, help="proposals on the ballot")
    p.add_argument("--ballots", type=int, default=20_000, help="voters, one ballot each")
    p.add_argument("--repeat", type=int, default=5, help="timed later views")
    p.add_argument("--pg", default=os.environ.get("BENCH_PG", "postgres://postgres@127.0.0.1:5432"),
                   help="PostgreSQL server URL, without the database name")
    p.add_argument("--db", default="pins_board_files_bench", help="database to create (and drop)")
    p.add_argument("--keep-db", action="store_true", help="keep the database afterwards")
    p.add_argument("--seed", type=int, default=2027)
    return p.parse_args(argv)


def timed(fn: Any) -> tuple[float, float, Any]:
    """(wall seconds, CPU seconds of this process, result)."""
    started, started_cpu = time.perf_counter(), time.process_time()
    result = fn()
    return time.perf_counter() - started, time.process_time() - started_cpu, result


def summary(name: str, runs: list[tuple[float, float]]) -> str:
    walls = [w for w, _ in runs]
    cpus = [c for _, c in runs]
    return (f"  {name:<44} wall best {min(walls) * 1000:9.1f} ms  median "
            f"{statistics.median(walls) * 1000:9.1f} ms   cpu median {statistics.median(cpus) * 1000:9.1f} ms")


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    minutes.recreate_database(args, create=True)
    try:
        minutes.setup_django(args)
        from django.conf import settings
        from django.core.management import call_command
        from django.db import connection
        from django.test import Client
        from django.test.utils import CaptureQueriesContext

        call_command("migrate", verbosity=0)
        settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "testserver"]
        started = time.perf_counter()
        cycle = minutes.build(args)
        from accounts.models import User
        from opendata import store
        from opendata.models import StoredFile
        from voting.models import Ballot
        from voting.publication import publish_results

        publish_results(actor=User.objects.get(email="admin@example.org"), cycle=cycle)
        print(f"cycle {cycle.slug}: {Ballot.objects.filter(cycle=cycle).count()} ballots, "
              f"{cycle.envelopes.count()} envelopes, results published "
              f"(built in {time.perf_counter() - started:.1f} s, not timed)")
        client = Client()
        board_url = f"/vote/{cycle.slug}/registre/"
        opendata_url = f"/donnees-ouvertes/{cycle.slug}/"

        def get(url: str, **headers: str) -> Any:
            response = client.get(url, secure=True, headers=headers)
            assert response.status_code in (200, 304), (url, response.status_code)
            return response

        lines = []
        wall, cpu, _ = timed(lambda: get(board_url))
        lines.append(summary("board page, first view (builds, stores)", [(wall, cpu)]))
        runs = [timed(lambda: get(board_url))[:2] for _ in range(args.repeat)]
        lines.append(summary(f"board page, later views ({args.repeat})", runs))
        wall, cpu, _ = timed(lambda: get(opendata_url))
        lines.append(summary("open-data page, first view (builds tables)", [(wall, cpu)]))
        runs = [timed(lambda: get(opendata_url))[:2] for _ in range(args.repeat)]
        lines.append(summary(f"open-data page, later views ({args.repeat})", runs))
        largest = StoredFile.objects.defer("content").order_by("-size").first()
        assert largest is not None
        file_url = (f"/vote/{cycle.slug}/registre/bulletins.json" if largest.bundle == store.BOARD
                    else f"/donnees-ouvertes/{cycle.slug}/{largest.name}")
        runs = [timed(lambda: get(file_url))[:2] for _ in range(args.repeat)]
        lines.append(summary(f"download {largest.name} ({largest.size:,} B)", runs))
        runs = [timed(lambda: get(file_url, If_None_Match=f'"{largest.sha256}"'))[:2]
                for _ in range(args.repeat)]
        lines.append(summary("same, revalidated (304)", runs))
        runs = [timed(lambda: (store.build_board(cycle), store.build_opendata(cycle)))[:2]
                for _ in range(max(1, args.repeat // 2))]
        lines.append(summary("fresh build of both bundles (the old per-view cost)", runs))
        counts = []
        for url in (board_url, opendata_url, file_url):
            with CaptureQueriesContext(connection) as captured:
                get(url)
            counts.append(f"{url}: {len(captured.captured_queries)}")
        sizes = sum(StoredFile.objects.values_list("size", flat=True))
        print(f"stored: {StoredFile.objects.count()} files, {sizes:,} bytes")
        print("\n".join(lines))
        print("SQL queries of a later view: " + "; ".join(counts))
        load = os.getloadavg()
        print(f"load average at the end: {load[0]:.1f} {load[1]:.1f} {load[2]:.1f}")
        return 0
    finally:
        if not args.keep_db:
            from django.db import connections

            connections.close_all()
            minutes.recreate_database(args, create=False)


if __name__ == "__main__":
    raise SystemExit(main())
