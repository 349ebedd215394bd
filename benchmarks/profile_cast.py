"""Profile one voting-day cast in process: CPU, SQL statements and a cProfile listing.

Prepares the voting-day election (benchmarks/voting_day.py ``prepare``) in its own
PostgreSQL database, then sends ``--casts`` ballot PUTs through the WSGI application (the
same ``config.wsgi`` gunicorn serves, DEBUG off), one at a time, and prints the median wall
and CPU per cast, the SQL statements of one cast and, with ``--cprofile``, the top functions
by cumulative time. A tool for finding where a cast's time goes, not a benchmark.

    .venv/bin/python benchmarks/profile_cast.py --casts 300 --cprofile 40
"""

from __future__ import annotations

import argparse
import cProfile
import io
import json
import os
import pstats
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks import voting_day  # noqa: E402


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--casts", type=int, default=300)
    p.add_argument("--cprofile", type=int, default=0, help="print this many profile rows")
    p.add_argument("--db", default="pins_profile")
    p.add_argument("--pg", default="postgres://postgres@127.0.0.1:5432")
    p.add_argument("--settings", default="config.settings")
    p.add_argument("--sql", action="store_true", help="print the SQL of one cast")
    ours = p.parse_args(argv)
    args = voting_day.parse_args(["--voters", str(ours.casts + 20), "--db", ours.db,
                                  "--pg", ours.pg, "--replacements", "0",
                                  "--settings", ours.settings])
    env = voting_day.server_environment(args)
    voting_day.recreate_database(args, create=True)
    try:
        voting_day.setup_django(env)
        from django.core.management import call_command
        from django.db import connection, connections
        from django.test.utils import CaptureQueriesContext

        from config.wsgi import application

        call_command("migrate", verbosity=0)
        plan = voting_day.prepare(args)
        connections.close_all()
        path = f"/api/v1/cycles/{voting_day.SLUG}/ballot/"

        def put(job: voting_day.Job) -> int:
            body = json.dumps({"proposal_ids": job.proposal_ids}).encode()
            environ = {
                "REQUEST_METHOD": "PUT", "PATH_INFO": path, "SCRIPT_NAME": "", "QUERY_STRING": "",
                "SERVER_NAME": "127.0.0.1", "SERVER_PORT": "8765", "SERVER_PROTOCOL": "HTTP/1.1",
                "HTTP_HOST": "127.0.0.1", "HTTP_AUTHORIZATION": f"Token {job.token}",
                "HTTP_ACCEPT": "application/json", "CONTENT_TYPE": "application/json",
                "CONTENT_LENGTH": str(len(body)), "wsgi.input": io.BytesIO(body),
                "wsgi.url_scheme": "http", "wsgi.errors": sys.stderr, "REMOTE_ADDR": "127.0.0.1",
            }
            status: list[str] = []
            chunks = application(environ, lambda s, h, *a: status.append(s))  # type: ignore[arg-type]
            b"".join(chunks)
            getattr(chunks, "close", lambda: None)()
            return int(status[0].split()[0])

        jobs = iter(plan.jobs)
        for _i in range(10):  # warm up: imports, connection, caches
            assert put(next(jobs)) == 201
        with CaptureQueriesContext(connection) as queries:
            assert put(next(jobs)) == 201
        print(f"SQL statements in one cast: {len(queries.captured_queries)}")
        if ours.sql:
            for q in queries.captured_queries:
                print("  ", q["sql"][:200])
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_backend_pid()")
            backend = cursor.fetchone()[0]
        db_ticks0 = voting_day.process_ticks([backend]).get(backend, 0)
        walls, cpus = [], []
        profiler = cProfile.Profile(time.process_time) if ours.cprofile else None  # CPU, not waits
        for job in list(jobs)[: ours.casts]:
            w0, c0 = time.perf_counter(), time.process_time()
            if profiler:
                profiler.enable()
            status = put(job)
            if profiler:
                profiler.disable()
            cpus.append((time.process_time() - c0) * 1000)
            walls.append((time.perf_counter() - w0) * 1000)
            assert status == 201, status
        db_ms = ((voting_day.process_ticks([backend]).get(backend, 0) - db_ticks0)
                 * 1000 / os.sysconf("SC_CLK_TCK") / len(walls))
        print(f"{len(walls)} casts: wall median {statistics.median(walls):.2f} ms, "
              f"CPU median {statistics.median(cpus):.2f} ms, CPU mean {statistics.mean(cpus):.2f} ms"
              + (" (under cProfile)" if profiler else "")
              + f"; PostgreSQL backend CPU {db_ms:.2f} ms per cast")
        if profiler:
            stats = pstats.Stats(profiler).sort_stats("cumulative")
            stats.print_stats(ours.cprofile)
            stats.sort_stats("tottime").print_stats(ours.cprofile)
        connections.close_all()
    finally:
        voting_day.recreate_database(args, create=False)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
