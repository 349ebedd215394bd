"""Voting-day load benchmark: N distinct voters cast knapsack ballots over the REST API.

What it does (a benchmark, not a test; run it by hand, on an otherwise quiet machine):

1. creates a dedicated PostgreSQL database (``--db``, default ``pins_bench``; dropped at the
   end unless ``--keep-db``) and migrates it;
2. prepares, with the ORM (not over HTTP), a cycle in its voting phase with a knapsack
   ballot: a territory-wide envelope and one envelope per commune, feasible proposals in
   each, ``--voters`` distinct eligible residents (verified for the cycle, old enough) and a
   DRF token for each (``Token`` rows created in bulk);
3. starts gunicorn serving ``config.wsgi`` with DEBUG off, a SECRET_KEY and ALLOWED_HOSTS in
   the environment (receipt e-mails are queued by the casts, see below);
4. sends one ``PUT /api/v1/cycles/{slug}/ballot/`` per voter (token authentication, a
   random knapsack basket within each envelope) from ``--concurrency`` client threads, each
   with its own keep-alive socket (a minimal HTTP/1.1 client, requests encoded before the
   clock starts, so that the client takes little of the two cores), then optionally
   re-casts a share of the ballots (``--replacements``, answered 200);
5. prints ballots/second, p50/p95/p99 latency and errors by status, and checks that the
   stored ballots, the participation register and the ballot log hold exactly what was
   sent (count, one ballot per voter, each ballot's content equals the last one sent, every
   returned receipt is in the log) and that the hash chain verifies
   (``voting.services.verify_ballot_log``).

The exit status is 0 when every integrity check passes (1 otherwise); the throughput
target (>= 300 ballots/s with p95 < 200 ms on 2 cores) is reported, not enforced.
Results are recorded in docs/performance.md ("Voting day").

CPU is reported per request for each party, from /proc (user + system time): the gunicorn
workers, the PostgreSQL backends serving the benchmark database, and this client process;
plus how busy the whole machine was. On a shared machine the CPU per request is the fair
figure (throughput is whatever CPU the other work left); on an idle one, throughput is.

Reproduce on an idle machine (PostgreSQL running locally, trust or password in --pg; about
one minute for N=3000; nothing else running on the two cores):

    .venv/bin/python benchmarks/voting_day.py            # 3000 voters, 8 clients, 2 x 4 gthread
    .venv/bin/python benchmarks/voting_day.py --voters 3000 --workers 2 --threads 4 \
        --concurrency 8 --db pins_bench --pg postgres://postgres@127.0.0.1:5432

Receipt e-mails are queued by the casts (voting.models.PendingReceipt); after the run the
script sends them in process with ``voting.receipts.send_pending_receipts`` (Django's
in-memory mail backend) and reports receipts/s.

Server default: 2 gthread workers x 4 threads. On 2 cores, two processes keep both cores
busy with Python, and the threads of each overlap their waits on PostgreSQL (every cast
waits on its commit's WAL flush; the ballot log is chained in batches by the sequencer); 8 requests in flight need 8 DB
connections instead of the 8 processes sync workers would need for the same overlap.
Measured alternatives: 3 or 4 sync workers (fewer requests in flight: lower throughput,
same CPU per request), 3 x 3 gthread (more GIL contention, worse p95). Client default: 8
connections; more only queue behind the lock (latency grows as concurrency / throughput).

Each voter writes at most twice, far below the API write throttle (``API_WRITE_RATE``,
60/min per user by default), so the throttle stays on at its default unless
``--write-rate`` says otherwise.
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import random
import secrets
import signal
import socket
import statistics
import subprocess
import sys
import threading
import time
from collections import Counter
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
HOST = "127.0.0.1"
SLUG = "vote-bench"
TARGET_RATE = 300.0
TARGET_P95_MS = 200.0


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    p = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    p.add_argument("--voters", type=int, default=3000, help="distinct voters, one ballot each")
    p.add_argument("--concurrency", type=int, default=8, help="client threads (open connections)")
    p.add_argument("--workers", type=int, default=2, help="gunicorn worker processes")
    p.add_argument(
        "--threads",
        type=int,
        default=4,
        help="threads per worker (>1 uses the gthread worker class)",
    )
    p.add_argument(
        "--replacements",
        type=int,
        default=300,
        help="voters who re-cast a different ballot after the main run (0: none)",
    )
    p.add_argument("--proposals", type=int, default=12, help="feasible proposals per envelope")
    p.add_argument("--communes", type=int, default=3, help="communes (one envelope each)")
    p.add_argument("--port", type=int, default=8765)
    p.add_argument("--db", default="pins_bench", help="database created and dropped by the run")
    p.add_argument(
        "--pg",
        default="postgres://postgres@127.0.0.1:5432",
        help="PostgreSQL server URL, without database name",
    )
    p.add_argument(
        "--write-rate",
        default=None,
        help="API_WRITE_RATE for the server (default: the project default)",
    )
    p.add_argument(
        "--settings", default="config.settings", help="Django settings module of the server"
    )
    p.add_argument("--seed", type=int, default=20270401)
    p.add_argument("--keep-db", action="store_true", help="leave the database for inspection")
    p.add_argument(
        "--count-commits",
        action="store_true",
        help="also report the benchmark database's commits per request (pg_stat_database;"
        " waits 11 s before and after each phase for the backends to report their counts)",
    )
    p.add_argument("--server-log", default=None, help="file for gunicorn's output")
    return p.parse_args(argv)


# --- environment and database ------------------------------------------------------------


def server_environment(args: argparse.Namespace) -> dict[str, str]:
    env = dict(os.environ)
    env.update(
        {
            "DJANGO_SETTINGS_MODULE": args.settings,
            "DATABASE_URL": f"{args.pg}/{args.db}",
            "DEBUG": "0",
            "SECRET_KEY": "bench-" + secrets.token_hex(24),
            "ALLOWED_HOSTS": f"{HOST},localhost",
            "EMAIL_BACKEND": "django.core.mail.backends.locmem.EmailBackend",
            "LOG_LEVEL": "WARNING",
            "CONN_MAX_AGE": "600",
        }
    )
    if args.write_rate:
        env["API_WRITE_RATE"] = args.write_rate
    return env


def recreate_database(args: argparse.Namespace, *, create: bool) -> None:
    import psycopg

    with psycopg.connect(f"{args.pg}/postgres", autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{args.db}" WITH (FORCE)')
        if create:
            conn.execute(f'CREATE DATABASE "{args.db}"')


def setup_django(env: dict[str, str]) -> None:
    os.environ.update(env)
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()


# --- the cycle, voters and their ballots ---------------------------------------------------


@dataclass
class Job:
    voter_id: int
    token: str
    proposal_ids: list[int]


@dataclass
class Plan:
    cycle_id: int
    jobs: list[Job]
    replacements: list[Job] = field(default_factory=list)


def knapsack_basket(
    rng: random.Random, options: list[tuple[int, int]], envelope: int, max_choices: int
) -> list[int]:
    """A random basket that fits the envelope: shuffled options taken while they fit."""
    order = options[:]
    rng.shuffle(order)
    chosen, spent = [], 0
    for pid, cost in order:
        if len(chosen) < max_choices and spent + cost <= envelope:
            chosen.append(pid)
            spent += cost
    return chosen


def prepare(args: argparse.Namespace) -> Plan:
    """The cycle, proposals, voters, tokens and every ballot to send (ORM, in bulk)."""
    from django.contrib.auth.hashers import make_password
    from django.db import transaction
    from django.utils import timezone
    from rest_framework.authtoken.models import Token

    from accounts.models import User
    from budgets.models import BallotKind, BudgetCycle, Envelope, Phase, PhaseKind
    from budgets.models import Verification as Required
    from proposals.models import Proposal, ProposalStatus
    from territory.models import Commune
    from voting.models import Verification, VerificationMethod

    rng = random.Random(args.seed)
    now = timezone.now()
    with transaction.atomic():
        communes = [
            Commune.objects.create(name=f"Commune {i + 1}", slug=f"commune-{i + 1}")
            for i in range(args.communes)
        ]
        cycle = BudgetCycle.objects.create(
            name="Budget participatif — jour de vote",
            slug=SLUG,
            ballot_kind=BallotKind.KNAPSACK,
            min_choices=0,
            max_choices=5,
            knapsack_floor_percent=0,
            minimum_age=16,
            required_verification=Required.ANY,
        )
        for index, (kind, _label) in enumerate(PhaseKind.choices):
            offset = index - [k for k, _l in PhaseKind.choices].index(PhaseKind.VOTING)
            start = now + timedelta(days=30 * offset) - timedelta(days=1)
            Phase.objects.create(
                cycle=cycle, kind=kind, starts_at=start, ends_at=start + timedelta(days=30)
            )
        envelopes = [
            Envelope.objects.create(
                cycle=cycle, commune=None, name="Enveloppe territoire", amount_cents=300_000_00
            )
        ]
        envelopes += [
            Envelope.objects.create(
                cycle=cycle, commune=c, name=f"Enveloppe {c.name}", amount_cents=100_000_00
            )
            for c in communes
        ]
        author = User.objects.create_user(
            email="auteur@bench.example.org", password=None, commune=communes[0]
        )
        proposals = []
        for envelope in envelopes:
            for j in range(args.proposals):
                cost = rng.randrange(5_000_00, envelope.amount_cents // 2, 100_00)
                proposals.append(
                    Proposal(
                        cycle=cycle,
                        envelope=envelope,
                        author=author,
                        title=f"{envelope.name} — projet {j + 1}",
                        description="Projet du banc d’essai.",
                        category="public_space",
                        commune=envelope.commune or communes[0],
                        estimated_cost_cents=cost,
                        validated_cost_cents=cost,
                        status=ProposalStatus.ON_BALLOT,
                    )
                )
        Proposal.objects.bulk_create(proposals)
        unusable = make_password(None)
        users = User.objects.bulk_create(
            [
                User(
                    email=f"votant{i}@bench.example.org",
                    username=f"votant{i}@bench.example.org",
                    password=unusable,
                    commune=communes[i % len(communes)],
                    is_verified=True,
                    birth_date=date(1950 + i % 55, 1 + i % 12, 1 + i % 28),
                )
                for i in range(args.voters)
            ],
            batch_size=1000,
        )
        tokens = Token.objects.bulk_create(
            [Token(key=Token.generate_key(), user=u) for u in users], batch_size=1000
        )
        Verification.objects.bulk_create(
            [
                Verification(
                    cycle=cycle,
                    user=u,
                    commune_id=u.commune_id,
                    method=VerificationMethod.LIST,
                    verified_at=now,
                )
                for u in users
            ],
            batch_size=1000,
        )

    options: dict[int | None, list[tuple[int, int]]] = {}
    for p in Proposal.objects.filter(cycle=cycle).select_related("envelope"):
        options.setdefault(p.envelope.commune_id, []).append((p.pk, p.validated_cost_cents))
    amount = {e.commune_id: e.amount_cents for e in envelopes}

    def basket(user: User) -> list[int]:
        ids: list[int] = []
        for commune_id in (None, user.commune_id):
            ids += knapsack_basket(rng, options[commune_id], amount[commune_id], cycle.max_choices)
        return sorted(ids)

    jobs = [
        Job(voter_id=u.pk, token=t.key, proposal_ids=basket(u))
        for u, t in zip(users, tokens, strict=True)
    ]
    by_id = {u.pk: u for u in users}
    rng.shuffle(jobs)
    again = rng.sample(jobs, min(args.replacements, len(jobs)))
    replacements = [
        Job(voter_id=j.voter_id, token=j.token, proposal_ids=basket(by_id[j.voter_id]))
        for j in again
    ]
    return Plan(cycle_id=cycle.pk, jobs=jobs, replacements=replacements)


# --- the server -------------------------------------------------------------------------------


def start_server(args: argparse.Namespace, env: dict[str, str]) -> subprocess.Popen[bytes]:
    worker_class = "gthread" if args.threads > 1 else "sync"
    command = [
        sys.executable,
        "-m",
        "gunicorn",
        "config.wsgi",
        "--bind",
        f"{HOST}:{args.port}",
        "--workers",
        str(args.workers),
        "--worker-class",
        worker_class,
        "--threads",
        str(args.threads),
        "--backlog",
        "2048",
        "--log-level",
        "warning",
        "--timeout",
        "60",
    ]
    log = open(args.server_log, "ab") if args.server_log else subprocess.DEVNULL  # noqa: SIM115
    server = subprocess.Popen(command, cwd=ROOT, env=env, stdout=log, stderr=log)
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise SystemExit(f"gunicorn exited with status {server.returncode}")
        try:
            status, _body = request("GET", f"/api/v1/cycles/{SLUG}/", None, None)
            if status == 200:
                return server
        except OSError:
            pass
        time.sleep(0.2)
    stop_server(server)
    raise SystemExit("gunicorn did not answer within 30 s")


def stop_server(server: subprocess.Popen[bytes]) -> None:
    if server.poll() is None:
        server.send_signal(signal.SIGTERM)
        try:
            server.wait(timeout=30)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()


PORT = 8765


def request(
    method: str,
    path: str,
    token: str | None,
    body: dict | None,
    conn: http.client.HTTPConnection | None = None,
) -> tuple[int, bytes]:
    own = conn is None
    conn = conn or http.client.HTTPConnection(HOST, PORT, timeout=60)
    headers = {"Accept": "application/json"}
    data = None
    if token:
        headers["Authorization"] = f"Token {token}"
    if body is not None:
        data = json.dumps(body).encode()
        headers["Content-Type"] = "application/json"
    try:
        conn.request(method, path, body=data, headers=headers)
        response = conn.getresponse()
        return response.status, response.read()
    finally:
        if own:
            conn.close()


# --- the load ---------------------------------------------------------------------------------


@dataclass
class Outcome:
    job: Job
    status: int | str
    started: float
    ended: float
    receipt: str | None


class RawConnection:
    """A keep-alive HTTP/1.1 client on a plain socket: what the load costs the client is
    a send and a receive per request (http.client builds and parses much more)."""

    def __init__(self) -> None:
        self.sock = socket.create_connection((HOST, PORT), timeout=60)
        self.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        self.buffer = b""

    def exchange(self, raw_request: bytes) -> tuple[int, bytes]:
        self.sock.sendall(raw_request)
        while b"\r\n\r\n" not in self.buffer:
            self._read()
        head, _sep, self.buffer = self.buffer.partition(b"\r\n\r\n")
        lines = head.split(b"\r\n")
        status = int(lines[0].split(b" ", 2)[1])
        length = None
        for line in lines[1:]:
            name, _colon, value = line.partition(b":")
            if name.strip().lower() == b"content-length":
                length = int(value)
        if length is None:
            raise http.client.HTTPException("response without Content-Length")
        while len(self.buffer) < length:
            self._read()
        body, self.buffer = self.buffer[:length], self.buffer[length:]
        return status, body

    def _read(self) -> None:
        chunk = self.sock.recv(65536)
        if not chunk:
            raise ConnectionError("server closed the connection")
        self.buffer += chunk

    def close(self) -> None:
        self.sock.close()


def raw_put(path: str, token: str, body: dict) -> bytes:
    data = json.dumps(body).encode()
    return (
        f"PUT {path} HTTP/1.1\r\nHost: {HOST}:{PORT}\r\nAuthorization: Token {token}\r\n"
        f"Accept: application/json\r\nContent-Type: application/json\r\n"
        f"Content-Length: {len(data)}\r\n\r\n"
    ).encode() + data


def drive(jobs: list[Job], concurrency: int) -> tuple[list[Outcome], float, float]:
    """Send every job once, from ``concurrency`` threads with their own connections.

    The requests are encoded before the clock starts; each thread then only sends and
    receives on its keep-alive socket (``RawConnection``) and reads the receipt from the
    answer. Failed requests are not retried (a retry could hide a lost ballot as a
    replacement). Returns the outcomes and the wall-clock and client CPU seconds of the run.
    """
    path = f"/api/v1/cycles/{SLUG}/ballot/"
    outcomes: list[Outcome] = []
    lock = threading.Lock()
    cursor = iter(
        [(job, raw_put(path, job.token, {"proposal_ids": job.proposal_ids})) for job in jobs]
    )
    start_gate = threading.Barrier(concurrency + 1)

    def worker() -> None:
        conn = RawConnection()
        mine: list[Outcome] = []
        start_gate.wait()
        while True:
            with lock:
                item = next(cursor, None)
            if item is None:
                break
            job, raw_request = item
            started = time.perf_counter()
            receipt = None
            try:
                status, raw = conn.exchange(raw_request)
                if status in (200, 201):
                    receipt = json.loads(raw)["receipt_code"]
            except (OSError, http.client.HTTPException, ValueError) as exc:
                status = type(exc).__name__
                conn.close()
                conn = RawConnection()
            mine.append(Outcome(job, status, started, time.perf_counter(), receipt))
        conn.close()
        with lock:
            outcomes.extend(mine)

    threads = [threading.Thread(target=worker, daemon=True) for _i in range(concurrency)]
    for t in threads:
        t.start()
    cpu0 = time.process_time()
    start_gate.wait()
    began = time.perf_counter()
    for t in threads:
        t.join()
    return outcomes, time.perf_counter() - began, time.process_time() - cpu0


def process_ticks(pids: list[int]) -> dict[int, int]:
    """CPU clock ticks (user + system) used so far by each process still alive."""
    ticks = {}
    for pid in pids:
        try:
            with open(f"/proc/{pid}/stat") as f:
                fields = f.read().rsplit(")", 1)[1].split()
        except OSError:
            continue
        ticks[pid] = int(fields[11]) + int(fields[12])
    return ticks


def server_pids(server_pid: int, pg: str, db: str) -> tuple[list[int], list[int]]:
    """(gunicorn worker pids, PostgreSQL backend pids serving the benchmark database)."""
    import psycopg

    workers = []
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                with open(f"/proc/{entry}/stat") as f:
                    ppid = int(f.read().rsplit(")", 1)[1].split()[1])
            except OSError:
                continue
            if ppid == server_pid:
                workers.append(int(entry))
    with psycopg.connect(f"{pg}/postgres", autocommit=True) as conn:
        query = "SELECT pid FROM pg_stat_activity WHERE datname = %s"
        backends = [row[0] for row in conn.execute(query, (db,))]
    return workers, backends


def all_process_ticks() -> dict[int, tuple[str, int]]:
    """(label, CPU ticks) of every process on the machine; PostgreSQL processes are labelled by
    their title (``postgres: walwriter``, ``postgres: autovacuum worker``...)."""
    found = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat") as f:
                head, tail = f.read().rsplit(")", 1)
            fields = tail.split()
            label = head.split("(", 1)[1]
            if label.startswith(("postgres", "python")):
                with open(f"/proc/{entry}/cmdline", "rb") as f:
                    words = f.read().replace(b"\0", b" ").decode(errors="replace").split()
                words = [w for w in words if "(" not in w and not w.startswith("/")]
                label = " ".join(words[:5])[:70] or label
        except (OSError, IndexError):
            continue
        found[int(entry)] = (label, int(fields[11]) + int(fields[12]))
    return found


def database_commits(args: argparse.Namespace) -> int:
    """The benchmark database's committed transactions so far, once idle backends have
    reported them (PostgreSQL 15 flushes an idle backend's counts within 10 s)."""
    import psycopg

    time.sleep(11)
    with psycopg.connect(f"{args.pg}/postgres", autocommit=True) as conn:
        query = "SELECT xact_commit FROM pg_stat_database WHERE datname = %s"
        row = conn.execute(query, (args.db,)).fetchone()
    return int(row[0]) if row else 0


def machine_split() -> list[int]:
    """The first line of /proc/stat: user nice system idle iowait irq softirq steal..."""
    with open("/proc/stat") as f:
        return [int(v) for v in f.readline().split()[1:]]


def print_cpu_breakdown(
    before: dict[int, tuple[str, int]],
    after: dict[int, tuple[str, int]],
    split0: list[int],
    split1: list[int],
    requests: int,
    special: dict[int, str],
) -> None:
    """Where the whole machine's CPU went during a phase, in ms per request."""
    tick_ms = 1000 / os.sysconf("SC_CLK_TCK")
    by_label: Counter[str] = Counter()
    for pid, (label, ticks) in after.items():
        used = ticks - before.get(pid, (label, 0))[1]
        if used > 0:
            by_label[special.get(pid, label)] += used
    names = ["user", "nice", "system", "idle", "iowait", "irq", "softirq", "steal"]
    split = {
        n: (b - a) * tick_ms / requests
        for n, a, b in zip(names, split0[:8], split1[:8], strict=True)
    }
    busy = sum(v for n, v in split.items() if n not in ("idle", "iowait"))
    counted = sum(by_label.values()) * tick_ms / requests
    print(
        f"  machine CPU ms/request   {busy:.2f} busy (user {split['user']:.2f}, nice"
        f" {split['nice']:.2f}, system {split['system']:.2f}, irq+softirq"
        f" {split['irq'] + split['softirq']:.2f}, steal {split['steal']:.2f});"
        f" in processes {counted:.2f}"
    )
    for label, ticks in by_label.most_common(12):
        print(f"    {ticks * tick_ms / requests:6.3f}  {label}")


def machine_busy() -> tuple[int, int]:
    """(busy, total) jiffies of the whole machine, from /proc/stat."""
    with open("/proc/stat") as f:
        values = [int(v) for v in f.readline().split()[1:]]
    idle = values[3] + values[4]
    return sum(values) - idle, sum(values)


def percentile(sorted_values: list[float], q: float) -> float:
    """Nearest-rank percentile (q in 0..100) of sorted values."""
    if not sorted_values:
        return float("nan")
    rank = max(1, -(-len(sorted_values) * q // 100))
    return sorted_values[int(rank) - 1]


@dataclass
class Figures:
    sent: int
    ok: int
    seconds: float
    rate: float
    steady_rate: float
    p50: float
    p95: float
    p99: float
    max: float
    errors: dict[str, int]
    machine_cpu: float
    client_cpu: float
    app_ms: float = float("nan")  # gunicorn workers' CPU per request
    db_ms: float = float("nan")  # PostgreSQL backends' CPU per request


def summarise(
    outcomes: list[Outcome], seconds: float, client_cpu: float, busy: float, expected_status: int
) -> Figures:
    latencies = sorted((o.ended - o.started) * 1000 for o in outcomes)
    ok = [o for o in outcomes if o.status == expected_status]
    ends = sorted(o.ended for o in ok)
    steady = float("nan")
    if len(ends) >= 20:  # completions between the 10th and the 90th percent of the run
        lo, hi = ends[len(ends) // 10], ends[len(ends) * 9 // 10]
        steady = (len(ends) * 9 // 10 - len(ends) // 10) / (hi - lo) if hi > lo else float("nan")
    errors = Counter(str(o.status) for o in outcomes if o.status != expected_status)
    return Figures(
        sent=len(outcomes),
        ok=len(ok),
        seconds=seconds,
        rate=len(ok) / seconds,
        steady_rate=steady,
        p50=percentile(latencies, 50),
        p95=percentile(latencies, 95),
        p99=percentile(latencies, 99),
        max=latencies[-1] if latencies else float("nan"),
        errors=dict(errors),
        machine_cpu=busy,
        client_cpu=client_cpu,
    )


def print_figures(title: str, f: Figures, expected_status: int) -> None:
    print(f"\n{title}")
    print(f"  requests sent            {f.sent}  (answered {expected_status}: {f.ok})")
    print(f"  wall time                {f.seconds:.2f} s")
    print(f"  ballots/s (whole run)    {f.rate:.1f}")
    print(f"  ballots/s (10%-90%)      {f.steady_rate:.1f}")
    print(f"  latency ms p50/p95/p99   {f.p50:.1f} / {f.p95:.1f} / {f.p99:.1f}  (max {f.max:.1f})")
    print(f"  errors by status         {f.errors or 'none'}")
    client_ms = f.client_cpu * 1000 / f.sent if f.sent else float("nan")
    print(
        f"  machine CPU busy         {f.machine_cpu:.0%} of {os.cpu_count()} cores;"
        f" client process {f.client_cpu:.1f} s CPU"
    )
    print(
        f"  CPU ms per request       gunicorn {f.app_ms:.2f} + PostgreSQL {f.db_ms:.2f}"
        f" + client {client_ms:.2f} = {f.app_ms + f.db_ms + client_ms:.2f}"
        f"  (2 cores / that = {2000 / (f.app_ms + f.db_ms + client_ms):.0f} requests/s at most)"
    )


def run_phase(
    title: str, jobs: list[Job], args: argparse.Namespace, server_pid: int, expected_status: int
) -> tuple[list[Outcome], Figures]:
    workers, backends = server_pids(server_pid, args.pg, args.db)
    app0, db0 = process_ticks(workers), process_ticks(backends)
    commits0 = database_commits(args) if args.count_commits else 0
    every0, split0 = all_process_ticks(), machine_split()
    busy0, total0 = machine_busy()
    outcomes, seconds, client_cpu = drive(jobs, args.concurrency)
    busy1, total1 = machine_busy()
    every1, split1 = all_process_ticks(), machine_split()
    workers, backends = server_pids(server_pid, args.pg, args.db)
    app1, db1 = process_ticks(workers), process_ticks(backends)
    busy = (busy1 - busy0) / (total1 - total0) if total1 > total0 else float("nan")
    figures = summarise(outcomes, seconds, client_cpu, busy, expected_status)
    tick_ms = 1000 / os.sysconf("SC_CLK_TCK")
    figures.app_ms = sum(t - app0.get(p, 0) for p, t in app1.items()) * tick_ms / len(outcomes)
    figures.db_ms = sum(t - db0.get(p, 0) for p, t in db1.items()) * tick_ms / len(outcomes)
    print_figures(title, figures, expected_status)
    special = {server_pid: "gunicorn master", os.getpid(): "benchmark client"}
    special.update({pid: "gunicorn worker" for pid in workers})
    special.update({pid: f"postgres backend ({args.db})" for pid in backends})
    print_cpu_breakdown(every0, every1, split0, split1, len(outcomes), special)
    if args.count_commits:
        commits = database_commits(args) - commits0
        print(f"  commits per request      {commits / len(outcomes):.2f} (pg_stat_database)")
    return outcomes, figures


def warm_up(plan: Plan, concurrency: int) -> None:
    """Load every worker's code paths and database connection with read-only requests."""
    path = f"/api/v1/cycles/{SLUG}/ballot/"
    tokens = [j.token for j in plan.jobs[: 20 * concurrency]]

    def read(token: str) -> None:
        request("GET", path, token, None)

    threads = [
        threading.Thread(target=lambda ts=tokens[i::concurrency]: [read(t) for t in ts])
        for i in range(concurrency)
    ]
    for t in threads:
        t.start()
    for t in threads:
        t.join()


# --- the checks -------------------------------------------------------------------------------


def check(plan: Plan, first: list[Outcome], second: list[Outcome]) -> list[tuple[str, bool, str]]:
    """Compare the database with what the server acknowledged."""
    from django.db.models import Count

    from budgets.models import BudgetCycle
    from voting.models import (
        Ballot,
        BallotChoice,
        BallotLogEntry,
        CastRecord,
        LogKind,
        Participation,
        PendingReceipt,
    )
    from voting.secrecy import voter_pseudonym
    from voting.services import verify_ballot_log

    cycle = BudgetCycle.objects.get(pk=plan.cycle_id)
    cast_ok = [o for o in first if o.status == 201]
    replaced_ok = [o for o in second if o.status == 200]
    voters = {o.job.voter_id for o in cast_ok}
    expected: dict[str, list[int]] = {}
    for o in cast_ok + replaced_ok:  # replacements were sent after every first cast
        expected[voter_pseudonym(cycle_id=cycle.pk, voter_id=o.job.voter_id)] = o.job.proposal_ids

    ballots = Ballot.objects.filter(cycle=cycle)
    stored: dict[str, list[int]] = {}
    for pseudonym, pid in BallotChoice.objects.filter(ballot__cycle=cycle).values_list(
        "ballot__pseudonym", "proposal_id"
    ):
        stored.setdefault(pseudonym, []).append(pid)
    lost = sum(1 for p, ids in expected.items() if sorted(stored.get(p, [])) != ids)
    duplicated = sum(
        c - 1
        for c in ballots.values("pseudonym")
        .annotate(c=Count("id"))
        .filter(c__gt=1)
        .values_list("c", flat=True)
    )
    strangers = ballots.exclude(pseudonym__in=list(expected)).count()
    # Counted before anything runs the sequencer: the casts themselves must have chained
    # every record (a busy sequencer's holder re-checks after releasing its lock).
    unchained = CastRecord.objects.filter(cycle=cycle, log_entry__isnull=True).count()
    log = BallotLogEntry.objects.filter(cycle=cycle)
    kinds = Counter(log.values_list("kind", flat=True))
    receipts = [o.receipt for o in cast_ok + replaced_ok]
    logged_receipts = set(log.values_list("receipt_code", flat=True))
    ok, message, head = verify_ballot_log(cycle)
    participations = Participation.objects.filter(cycle=cycle)
    queued = set(PendingReceipt.objects.filter(cycle=cycle).values_list("voter_id", flat=True))
    return [
        (
            "one receipt e-mail queued per voter acknowledged",
            queued == voters,
            f"{len(queued)} / {len(voters)}",
        ),
        (
            "stored ballots == distinct voters acknowledged",
            ballots.count() == len(voters),
            f"{ballots.count()} / {len(voters)}",
        ),
        (
            "participation register == voters acknowledged",
            participations.count() == len(voters)
            and set(participations.values_list("voter_id", flat=True)) == voters,
            f"{participations.count()} / {len(voters)}",
        ),
        (
            "ballot log length == casts + replacements acknowledged",
            log.count() == len(cast_ok) + len(replaced_ok)
            and kinds[LogKind.CAST] == len(cast_ok)
            and kinds[LogKind.REPLACE] == len(replaced_ok),
            f"{log.count()} = {kinds[LogKind.CAST]} cast + {kinds[LogKind.REPLACE]} replace"
            f" / {len(cast_ok)} + {len(replaced_ok)}",
        ),
        (
            "every cast record chained by the casts themselves (none left pending)",
            unchained == 0,
            str(unchained),
        ),
        ("chain verifies (verify_ballot_log)", ok, f"{message} head {head[:16]}…"),
        (
            "every receipt returned is in the log, all distinct",
            len(set(receipts)) == len(receipts) and set(receipts) <= logged_receipts,
            f"{len(set(receipts))} distinct of {len(receipts)}",
        ),
        ("lost ballots (missing or content differs from the last sent)", lost == 0, str(lost)),
        ("duplicated ballots (same voter twice)", duplicated == 0, str(duplicated)),
        ("ballots of no acknowledged voter", strangers == 0, str(strangers)),
        (
            "replaced ballots are at revision 2",
            ballots.filter(revision=2).count() == len(replaced_ok),
            f"{ballots.filter(revision=2).count()} / {len(replaced_ok)}",
        ),
    ]


def send_receipts() -> None:
    """Send the queued receipts in process (in-memory mail backend) and time it."""
    from django.core import mail

    from voting.receipts import send_pending_receipts

    mail.outbox = []
    t0, cpu0 = time.perf_counter(), time.process_time()
    done = 0
    while handled := send_pending_receipts(limit=200):
        done += handled
    seconds = time.perf_counter() - t0
    print(
        f"\nreceipts: {done} queued rows sent as {len(mail.outbox)} e-mails in {seconds:.1f} s"
        f" ({done / seconds if seconds else float('nan'):.0f}/s,"
        f" {(time.process_time() - cpu0) * 1000 / max(done, 1):.2f} ms CPU each, in process)"
    )


# --- main ---------------------------------------------------------------------------------------


def main(argv: list[str] | None = None) -> int:
    global PORT
    args = parse_args(argv)
    PORT = args.port
    env = server_environment(args)
    print(
        f"voting day: {args.voters} voters, concurrency {args.concurrency}, gunicorn "
        f"{args.workers} worker(s) x {args.threads} thread(s), database {args.db}"
    )
    recreate_database(args, create=True)
    server = None
    try:
        setup_django(env)
        from django.core.management import call_command
        from django.db import connections

        t0 = time.perf_counter()
        call_command("migrate", verbosity=0)
        plan = prepare(args)
        connections.close_all()
        print(
            f"prepared in {time.perf_counter() - t0:.1f} s: cycle {SLUG}, "
            f"{len(plan.jobs)} voters with tokens, "
            f"{statistics.mean(len(j.proposal_ids) for j in plan.jobs):.1f} projects per ballot"
        )
        server = start_server(args, env)
        warm_up(plan, args.concurrency)
        first, figures = run_phase(
            "casts (PUT, first ballot of each voter)", plan.jobs, args, server.pid, 201
        )
        second: list[Outcome] = []
        if plan.replacements:
            second, _f = run_phase(
                "replacements (PUT, same voters again)", plan.replacements, args, server.pid, 200
            )
        stop_server(server)
        server = None
        results = check(plan, first, second)
        send_receipts()
        connections.close_all()
    finally:
        if server is not None:
            stop_server(server)
        if not args.keep_db:
            recreate_database(args, create=False)
    print("\nchecks")
    for label, passed, detail in results:
        print(f"  [{'ok' if passed else 'FAIL'}] {label}: {detail}")
    # "Sustained": the completions between the 10th and the 90th percent of the casts, so
    # that the start (connections opening, statements being prepared) and the last
    # stragglers do not count; the whole-run rate is printed beside it.
    met = figures.steady_rate >= TARGET_RATE and figures.p95 < TARGET_P95_MS
    print(
        f"\ntarget (>= {TARGET_RATE:.0f} ballots/s sustained, p95 < {TARGET_P95_MS:.0f} ms): "
        f"{'met' if met else 'MISSED'} ({figures.steady_rate:.1f} ballots/s sustained, "
        f"{figures.rate:.1f} over the whole run; p95 {figures.p95:.1f} ms)"
    )
    return 0 if all(passed for _l, passed, _d in results) else 1


if __name__ == "__main__":
    raise SystemExit(main())
