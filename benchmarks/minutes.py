"""Minutes benchmark: the PDF procès-verbal of a large tallied cycle.

What it does (a benchmark, not a test; run it by hand):

1. creates a dedicated PostgreSQL database (``--db``, default ``pins_minutes_bench``;
   dropped at the end unless ``--keep-db``) and migrates it;
2. builds, with the ORM and the shared write path (not timed): four communes with three
   districts each (one a priority neighbourhood) and population figures per age band; a
   cycle with 5 envelopes (one per commune and one territory-wide) and ``--proposals``
   proposals on the ballot spread over them, plus 20 proposals declared unfeasible with
   their reasons; ``--ballots`` voters: 80 % with an account (commune, district, birth
   date), 20 % paper voters without one; their participations, and their approval ballots
   written through ``voting.services.record_ballot`` and chained by ``sequence_pending``;
   then the real tally (``voting.tally.run_tally``) and two certifications;
3. times ``reports.pdf.render_minutes(cycle)`` ``--repeat`` times (after one warm-up run
   that loads WeasyPrint and its fonts) and prints the best and median wall-clock times,
   the CPU time of this process for the same runs (``cpu``: what the generation costs
   when the machine is shared and the wall clock also counts other processes' turns),
   then the same work split into
   the database reads and statistics (``reports.minutes.minutes_for``), the template
   rendering and WeasyPrint's layout and PDF/A writing, with the number of SQL queries,
   the page count and the file size.

"Minutes generation" is exactly what a staff download or ``manage.py minutes`` does:
every query (results, participation, statistics with pandas and scipy, timeline,
unfeasible proposals), the Django template, and WeasyPrint up to the PDF/A bytes. Signing
is not included (no key configured). The target is under 3 s on the project's 2-core
machine; it is reported, not enforced. Results are in docs/performance.md ("Minutes").

    .venv/bin/python -m benchmarks.minutes                       # 200 proposals, 20 000 ballots
    .venv/bin/python -m benchmarks.minutes --ballots 2000 --repeat 2   # quick look
    .venv/bin/python -m benchmarks.minutes --keep-db; .venv/bin/python -m benchmarks.minutes --reuse-db
"""

from __future__ import annotations

import argparse
import os
import random
import secrets
import statistics
import sys
import time
from datetime import date, timedelta
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
SLUG = "pv-bench"
TARGET_SECONDS = 3.0
COMMUNES = ["Bassens", "Cenon", "Floirac", "Lormont"]
BANDS = {"0-14": 0.17, "15-29": 0.20, "30-44": 0.20, "45-59": 0.19, "60-74": 0.15, "75+": 0.09}


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    p = argparse.ArgumentParser(description=(__doc__ or "").split("\n\n")[0])
    p.add_argument("--proposals", type=int, default=200, help="proposals on the ballot")
    p.add_argument("--ballots", type=int, default=20_000, help="voters, one ballot each")
    p.add_argument("--repeat", type=int, default=3, help="timed generations of the minutes")
    p.add_argument("--pg", default=os.environ.get("BENCH_PG", "postgres://postgres@127.0.0.1:5432"),
                   help="PostgreSQL server URL, without the database name")
    p.add_argument("--db", default="pins_minutes_bench", help="database to create (and drop)")
    p.add_argument("--keep-db", action="store_true", help="keep the database afterwards")
    p.add_argument("--reuse-db", action="store_true",
                   help="time the cycle of a database kept by --keep-db (no rebuild, not dropped)")
    p.add_argument("--output", default="", help="also write the last PDF to this file")
    p.add_argument("--seed", type=int, default=2027)
    return p.parse_args(argv)


def recreate_database(args: argparse.Namespace, *, create: bool) -> None:
    import psycopg

    with psycopg.connect(f"{args.pg}/postgres", autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{args.db}" WITH (FORCE)')
        if create:
            conn.execute(f'CREATE DATABASE "{args.db}"')


def setup_django(args: argparse.Namespace) -> None:
    os.environ.update({"DJANGO_SETTINGS_MODULE": "config.settings", "DEBUG": "0",
                       "SECRET_KEY": "bench-" + secrets.token_hex(24),
                       "DATABASE_URL": f"{args.pg}/{args.db}"})
    for name in ("PINS_SIGNING_KEY", "PINS_SIGNING_CERT"):
        os.environ.pop(name, None)
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()


def build(args: argparse.Namespace) -> Any:
    """The tallied cycle (see the module docstring). Returns the cycle."""
    from django.contrib.auth.hashers import make_password
    from django.db import transaction
    from django.utils import timezone

    from accounts.models import User
    from budgets.models import BudgetCycle, Envelope, Phase, PhaseKind
    from budgets.roles import Role, grant_role
    from proposals.models import Proposal, ProposalStatus
    from territory.models import Commune, District, PopulationFigure
    from voting.models import Certification, Channel, Participation
    from voting.secrecy import voter_pseudonym
    from voting.services import record_ballot, sequence_pending
    from voting.tally import run_tally

    rng = random.Random(args.seed)
    now = timezone.now()
    communes = [Commune.objects.create(name=name, slug=name.lower()) for name in COMMUNES]
    districts: dict[int, list[District]] = {}
    for commune in communes:
        districts[commune.pk] = [
            District.objects.create(commune=commune, name=f"{commune.name} {label}",
                                    slug=f"{commune.slug}-{index}", is_priority_area=index == 0)
            for index, label in enumerate(["Quartier prioritaire", "Centre", "Plateau"])
        ]
        for district in districts[commune.pk]:
            people = rng.randint(6_000, 14_000)
            PopulationFigure.objects.bulk_create([
                PopulationFigure(district=district, age_band=band, population=round(people * share),
                                 source="INSEE RP 2021, arrondi (benchmark)")
                for band, share in BANDS.items()])
    cycle = BudgetCycle.objects.create(
        name="Budget participatif — benchmark du procès-verbal", slug=SLUG, max_choices=12,
        minimum_age=16, certification_quorum=2,
        description="Cycle synthétique : 5 enveloppes, 200 projets, 20 000 votants.")
    start = now - timedelta(days=200)
    for index, kind in enumerate(PhaseKind.values):
        begins = start + timedelta(days=30 * index)
        ends = begins + timedelta(days=30)
        if kind == PhaseKind.VOTING:
            ends = now - timedelta(days=1)
        if kind == PhaseKind.RESULTS:
            begins, ends = now - timedelta(days=1), now + timedelta(days=29)
        if kind == PhaseKind.IMPLEMENTATION:
            begins, ends = now + timedelta(days=29), now + timedelta(days=400)
        if begins >= ends:
            continue
        Phase.objects.create(cycle=cycle, kind=kind, starts_at=begins, ends_at=ends)
    envelopes = [Envelope.objects.create(cycle=cycle, commune=c, name=f"Enveloppe {c.name}",
                                         amount_cents=rng.randint(3, 6) * 100_000_00) for c in communes]
    envelopes.append(Envelope.objects.create(cycle=cycle, name="Enveloppe territoire",
                                             amount_cents=1_000_000_00))
    author = User.objects.create_user(email="auteur@example.org", password=None)
    proposals: dict[int, list[Proposal]] = {e.pk: [] for e in envelopes}
    for index in range(args.proposals + 20):
        envelope = envelopes[index % len(envelopes)]
        commune = envelope.commune or communes[index % len(communes)]
        cost = rng.randint(5, 150) * 1_000_00 + rng.choice([0, 0, 50])
        unfeasible = index >= args.proposals
        proposal = Proposal.objects.create(
            cycle=cycle, envelope=envelope, author=author, commune=commune,
            title=f"Projet {index + 1:03d} — {rng.choice(['jardin', 'bancs', 'piste', 'fresque', 'aire de jeux', 'éclairage'])}",
            description="Projet synthétique.", category="public_space",
            estimated_cost_cents=cost, validated_cost_cents=None if unfeasible else cost,
            status=ProposalStatus.UNFEASIBLE if unfeasible else ProposalStatus.ON_BALLOT,
            public_reason="Hors des compétences de la commune." if unfeasible else "")
        if not unfeasible:
            proposals[envelope.pk].append(proposal)
    territory = envelopes[-1]
    by_commune = {e.commune_id: e for e in envelopes if e.commune_id}
    # Voters: accounts for 80 %, paper without account for the rest.
    accounts = int(args.ballots * 0.8)
    password = make_password(None)
    users = User.objects.bulk_create([
        User(email=f"v{i}@example.org", username=f"v{i}@example.org", password=password,
             commune=communes[i % len(communes)],
             district=rng.choice(districts[communes[i % len(communes)].pk]) if rng.random() < 0.9 else None,
             birth_date=date(rng.randint(1935, 2009), rng.randint(1, 12), 1) if rng.random() < 0.85 else None)
        for i in range(accounts)
    ], batch_size=2000)
    voted_at = (now - timedelta(days=3)).replace(minute=0, second=0, microsecond=0)
    participations = []
    ballots = []
    for i in range(args.ballots):
        commune = communes[i % len(communes)]
        voter = users[i] if i < accounts else None
        channel = Channel.ONLINE if voter is not None and rng.random() < 0.9 else Channel.PAPER
        participations.append(Participation(
            cycle=cycle, voter=voter, person_digest="" if voter else secrets.token_hex(32),
            commune=commune, channel=channel, voted_at=voted_at))
        local = proposals[by_commune[commune.pk].pk]
        chosen = rng.sample(local, rng.randint(1, min(6, len(local))))
        chosen += rng.sample(proposals[territory.pk], rng.randint(0, 4))
        pseudonym = voter_pseudonym(cycle_id=cycle.pk, voter_id=voter.pk if voter else 10**9 + i)
        ballots.append((pseudonym, commune.pk, channel, chosen))
    Participation.objects.bulk_create(participations, batch_size=2000)
    for chunk in range(0, len(ballots), 1000):
        with transaction.atomic():
            for pseudonym, commune_id, channel, chosen in ballots[chunk:chunk + 1000]:
                record_ballot(cycle=cycle, pseudonym=pseudonym, commune_id=commune_id,
                              channel=channel, chosen=[(p, 1) for p in chosen])
        sequence_pending(cycle.pk, wait=True)
    admin = User.objects.create_user(email="admin@example.org", password=None, is_staff=True)
    run = run_tally(actor=admin, cycle=cycle)
    for index in range(2):
        member = User.objects.create_user(email=f"comite{index}@example.org", password=None,
                                          display_name=f"Membre du comité {index + 1}")
        grant_role(member, Role.COMMITTEE, cycle)
        Certification.objects.create(tally_run=run, member=member, certified_at=timezone.now())
    return cycle


def time_minutes(cycle: Any, repeat: int) -> dict[str, Any]:
    """Time the whole generation, then its three parts, ``repeat`` times each."""
    from django.conf import settings
    from django.db import connection
    from django.template.loader import render_to_string
    from django.test.utils import CaptureQueriesContext
    from django.utils import timezone
    from weasyprint import HTML

    from reports.minutes import minutes_for
    from reports.pdf import PDF_VARIANT, compact_html, render_minutes

    render_minutes(cycle)  # warm-up: WeasyPrint, fonts, templates
    totals, cpu, reads, templates, layouts = [], [], [], [], []
    pdf = b""
    queries = 0
    for _ in range(repeat):
        started, started_cpu = time.perf_counter(), time.process_time()
        with CaptureQueriesContext(connection) as captured:
            pdf = render_minutes(cycle)
        totals.append(time.perf_counter() - started)
        cpu.append(time.process_time() - started_cpu)
        queries = len(captured.captured_queries)
        started = time.perf_counter()
        minutes = minutes_for(cycle, generated_at=timezone.now())
        reads.append(time.perf_counter() - started)
        started = time.perf_counter()
        html = render_to_string("reports/minutes.html", {
            "cycle": cycle, "minutes": minutes, "generated_at": timezone.now(), "language": "fr"})
        templates.append(time.perf_counter() - started)
        started = time.perf_counter()
        document = HTML(string=compact_html(html), base_url=str(settings.BASE_DIR)).render()
        document.write_pdf(pdf_variant=PDF_VARIANT)
        layouts.append(time.perf_counter() - started)
        pages = len(document.pages)
    return {"total": totals, "cpu": cpu, "reads": reads, "template": templates, "weasyprint": layouts,
            "queries": queries, "pages": pages, "bytes": len(pdf), "pdf": pdf}


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    if args.reuse_db:
        args.keep_db = True
    else:
        recreate_database(args, create=True)
    try:
        setup_django(args)
        from django.core.management import call_command

        from budgets.models import BudgetCycle

        call_command("migrate", verbosity=0)
        started = time.perf_counter()
        cycle = BudgetCycle.objects.filter(slug=SLUG).first() if args.reuse_db else None
        cycle = cycle or build(args)
        built_in = time.perf_counter() - started
        from proposals.models import Proposal
        from voting.models import Ballot, BallotChoice, Participation

        print(f"cycle {cycle.slug}: {cycle.envelopes.count()} envelopes, "
              f"{Proposal.objects.filter(cycle=cycle).count()} proposals "
              f"({args.proposals} on the ballot), "
              f"{Participation.objects.filter(cycle=cycle).count()} voters, "
              f"{Ballot.objects.filter(cycle=cycle).count()} ballots, "
              f"{BallotChoice.objects.filter(ballot__cycle=cycle).count()} choices "
              f"(built and tallied in {built_in:.1f} s, not timed)")
        figures = time_minutes(cycle, args.repeat)

        def line(name: str) -> str:
            values = figures[name]
            assert isinstance(values, list)
            return (f"{name:<11} best {min(values):6.3f} s   median {statistics.median(values):6.3f} s"
                    f"   ({', '.join(f'{v:.3f}' for v in values)})")

        print(f"minutes generation, {args.repeat} runs after one warm-up:")
        for name in ("total", "cpu", "reads", "template", "weasyprint"):
            print("  " + line(name))
        print(f"  {figures['queries']} SQL queries, {figures['pages']} pages, {figures['bytes']:,} bytes (PDF/A-3b)")
        best = min(figures["total"])
        verdict = "met" if best < TARGET_SECONDS else "NOT met"
        print(f"target < {TARGET_SECONDS:.0f} s: {verdict} (best {best:.3f} s)")
        if args.output:
            Path(args.output).write_bytes(figures["pdf"])
            print(f"wrote {args.output}")
        return 0
    finally:
        if not args.keep_db:
            from django.db import connections

            connections.close_all()
            recreate_database(args, create=False)


if __name__ == "__main__":
    raise SystemExit(main())
