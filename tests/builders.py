"""Explicit builders for tests: a small territory, a cycle in a chosen phase, a named cast.

No fixture magic: a test calls ``build_world(phase=...)`` and gets a ``World`` with the
cycle, its envelopes, communes and one user per role.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

from django.db import connection, connections, transaction
from django.utils import timezone

from accounts.models import User
from budgets.models import BallotKind, BudgetCycle, Envelope, Phase, PhaseKind
from budgets.roles import Role, grant_role
from budgets.services import current_phase_of
from proposals.models import Proposal, ProposalStatus
from territory.models import Commune, District

PASSWORD = "motdepasse-solide-42"
PHASE_ORDER = [k for k, _label in PhaseKind.choices]


@dataclass
class World:
    cycle: BudgetCycle
    cenon: Commune
    floirac: Commune
    cenon_district: District
    cenon_envelope: Envelope
    floirac_envelope: Envelope
    territory_envelope: Envelope
    users: dict[str, User] = field(default_factory=dict)

    def __getattr__(self, name: str) -> Any:
        users = self.__dict__.get("users", {})
        if name in users:
            return users[name]
        raise AttributeError(name)


def make_user(email: str, *, commune: Commune | None = None, **extra: Any) -> User:
    return User.objects.create_user(email=email, password=PASSWORD, commune=commune, **extra)


def set_phase(cycle: BudgetCycle, kind: str | None) -> None:
    """Lay out the cycle's phases so that ``kind`` is open now (None: all in the future)."""
    now = timezone.now()
    cycle.phases.all().delete()
    current = PHASE_ORDER.index(kind) if kind else len(PHASE_ORDER)
    for index, phase_kind in enumerate(PHASE_ORDER):
        offset = index - current
        start = now + timedelta(days=30 * offset) - timedelta(days=1)
        if kind is None:
            start = now + timedelta(days=30 * (index + 1))
        Phase.objects.create(cycle=cycle, kind=phase_kind, starts_at=start,
                             ends_at=start + timedelta(days=30))
    if kind is not None and _past_deliberation(kind):
        # The ballot is drawn up at the end of deliberation: feasible proposals go on it
        # (all of them with the default threshold of 0), as draw_up_ballot would do.
        Proposal.objects.filter(cycle=cycle, status=ProposalStatus.FEASIBLE).update(
            status=ProposalStatus.ON_BALLOT)


def _past_deliberation(kind: str) -> bool:
    return PHASE_ORDER.index(kind) > PHASE_ORDER.index(PhaseKind.DELIBERATION)


def build_world(*, phase: str | None = PhaseKind.SUBMISSION, ballot_kind: str = BallotKind.APPROVAL,
                max_choices: int = 3, quorum: int = 1) -> World:
    """Two communes, three envelopes, one user per role, the cycle in ``phase``."""
    cenon = Commune.objects.create(name="Cenon", slug="cenon")
    floirac = Commune.objects.create(name="Floirac", slug="floirac")
    district = District.objects.create(commune=cenon, name="Palmer", slug="palmer", is_priority_area=True)
    cycle = BudgetCycle.objects.create(name="Budget participatif test", slug="bp-test",
                                       ballot_kind=ballot_kind, max_choices=max_choices,
                                       certification_quorum=quorum)
    world = World(
        cycle=cycle, cenon=cenon, floirac=floirac, cenon_district=district,
        cenon_envelope=Envelope.objects.create(cycle=cycle, commune=cenon, name="Enveloppe Cenon",
                                               amount_cents=100_000_00),
        floirac_envelope=Envelope.objects.create(cycle=cycle, commune=floirac,
                                                 name="Enveloppe Floirac", amount_cents=80_000_00),
        territory_envelope=Envelope.objects.create(cycle=cycle, commune=None,
                                                   name="Enveloppe territoire", amount_cents=200_000_00),
    )
    set_phase(cycle, phase)
    u = world.users
    u["resident"] = make_user("resident@example.org", commune=cenon, display_name="Awa")
    u["second_resident"] = make_user("second@example.org", commune=cenon, display_name="Bruno")
    u["floirac_resident"] = make_user("floirac@example.org", commune=floirac)
    u["outsider"] = make_user("outsider@example.org", commune=None)
    u["moderator"] = make_user("moderator@example.org", commune=cenon)
    grant_role(u["moderator"], Role.MODERATOR, cycle)
    u["reviewer"] = make_user("reviewer@example.org")
    grant_role(u["reviewer"], Role.REVIEWER, cenon)
    u["floirac_reviewer"] = make_user("reviewer.floirac@example.org")
    grant_role(u["floirac_reviewer"], Role.REVIEWER, floirac)
    u["facilitator"] = make_user("facilitator@example.org")
    grant_role(u["facilitator"], Role.FACILITATOR, cenon)
    u["committee_member"] = make_user("committee@example.org")
    grant_role(u["committee_member"], Role.COMMITTEE, cycle)
    u["second_committee_member"] = make_user("committee2@example.org")
    grant_role(u["second_committee_member"], Role.COMMITTEE, cycle)
    u["publisher"] = make_user("publisher@example.org")
    grant_role(u["publisher"], Role.PUBLISHER, cenon)
    u["admin"] = make_user("admin@example.org", is_staff=True)
    return world


def make_proposal(world: World, *, title: str = "Des bancs au parc Palmer",
                  envelope: Envelope | None = None, cost_cents: int = 12_000_00,
                  feasible: bool = True, author: User | None = None,
                  commune: Commune | None = None, status: str | None = None) -> Proposal:
    """A proposal created directly (not through the phase-checked service).

    ``feasible``: reviewed feasible with its cost validated — on the ballot when the cycle
    is past deliberation (voting or later); else submitted. ``status`` overrides both.
    """
    envelope = envelope or world.cenon_envelope
    commune = commune or envelope.commune or world.cenon
    if status is None:
        phase = current_phase_of(world.cycle)
        if not feasible:
            status = ProposalStatus.SUBMITTED
        elif phase is not None and _past_deliberation(phase.kind):
            status = ProposalStatus.ON_BALLOT
        else:
            status = ProposalStatus.FEASIBLE
    return Proposal.objects.create(
        cycle=world.cycle, envelope=envelope, author=author or world.users["resident"],
        title=title, description="Une description suffisante.", category="public_space",
        commune=commune, estimated_cost_cents=cost_cents,
        validated_cost_cents=cost_cents if feasible else None, status=status,
    )


@contextmanager
def tampering() -> Iterator[None]:
    """Alter an append-only log as an attacker with database superuser rights would.

    On PostgreSQL the logs' triggers refuse UPDATE and DELETE; the tables' owner can
    disable them, which is what this does, inside a transaction so that they come back
    (SQLite has no triggers).
    """
    tables = ["voting_ballotlogentry", "voting_castrecord", "audit_auditevent"]
    with transaction.atomic():
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")  # no pending FK checks
                for table in tables:
                    cursor.execute(f"ALTER TABLE {table} DISABLE TRIGGER {table}_append_only")
        yield
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
                for table in tables:
                    cursor.execute(f"ALTER TABLE {table} ENABLE TRIGGER {table}_append_only")


def in_thread(fn: Any = None, *, returning: tuple[type[BaseException], ...] = ()) -> Any:
    """Wrap ``fn`` to run in a worker thread of a concurrency test: it closes the thread's
    database connections when done, and returns (instead of raising) the exceptions listed
    in ``returning``. Use as ``@in_thread`` or ``@in_thread(returning=(Conflict,))``."""
    def wrap(func: Any) -> Any:
        def run(*args: Any) -> Any:
            try:
                return func(*args)
            except returning as refusal:
                return refusal
            finally:
                connections.close_all()
        return run
    return wrap(fn) if fn is not None else wrap
