"""Casting ballots and the ballot log; tally and certification live in voting/tally.py."""

from __future__ import annotations

import hashlib
import logging
import secrets
import threading
import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from fractions import Fraction
from typing import Any

from django.db import DatabaseError, IntegrityError, connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from audit.chain import GENESIS, canonical, link
from budgets import policy
from budgets.allocation.ballots import (
    ApprovalRules,
    BallotRules,
    Choose1Rules,
    CumulativeRules,
    KnapsackRules,
    ProblemCode,
    RankingRules,
    ScoreRules,
    validate_ballot,
)
from budgets.allocation.types import Ballot as PureBallot
from budgets.allocation.types import Project as PureProject
from budgets.locks import SEQUENCER_LOCK, VOTING_LOCK
from budgets.models import BallotKind, BudgetCycle, Envelope
from budgets.policy import Action
from budgets.services import require_phase_allows
from config.errors import (
    AlreadyVoted,
    BudgetExceeded,
    Conflict,
    DomainError,
    InvalidBallot,
    PhaseClosed,
)
from proposals.models import Proposal
from proposals.selectors import ballot_proposals
from voting import cache as voting_cache
from voting.ballot_messages import message_for
from voting.eligibility import require_eligible, voter_envelopes  # noqa: F401 (re-exported)
from voting.models import (
    Ballot,
    BallotChoice,
    BallotLogEntry,
    CastRecord,
    Channel,
    LogKind,
    Participation,
    PendingCast,
    PendingReceipt,
)
from voting.pg import pg_rows
from voting.receipts import receipts_wanted
from voting.secrecy import receipt_code, voter_pseudonym

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class CastReceipt:
    ballot: Ballot
    record: CastRecord
    receipt_code: str
    is_replacement: bool
    lines: tuple[tuple[int, int], ...] = ()  # (proposal id, points) as stored, by id


def ballot_options(cycle: BudgetCycle, envelopes: list[Envelope]) -> list[Proposal]:
    """Proposals on offer in these envelopes, for display."""
    return list(
        ballot_proposals(cycle, envelopes)
        .select_related("envelope", "commune")
        .order_by("envelope__commune__name", "title")
    )


def choice_options(cycle: BudgetCycle, envelopes: list[Envelope]) -> dict[int, Proposal]:
    """What validation reads of the options, by id (no joins, no ordering): every cast
    needs it; a cycle from ``voting.cache`` gets it from there."""
    def load() -> dict[int, Proposal]:
        return {p.pk: p for p in ballot_proposals(cycle, envelopes).only(
            "id", "envelope_id", "title", "estimated_cost_cents", "validated_cost_cents")}
    if voting_cache.is_cached(cycle):
        return voting_cache.options_for(cycle, tuple(sorted(e.pk for e in envelopes)), load)
    return load()


def envelope_rules(cycle: BudgetCycle, envelope: Envelope) -> BallotRules:
    """The pure validation rules of one envelope's part of a ballot, from the cycle settings."""
    kind = cycle.ballot_kind
    minimum = max(cycle.min_choices, 1)  # an envelope left empty is handled by the caller
    if kind == BallotKind.KNAPSACK:
        return KnapsackRules(envelope=envelope.amount_cents, min_choices=minimum,
                             floor_share=Fraction(cycle.knapsack_floor_percent, 100))
    if kind == BallotKind.CHOOSE_1:
        return Choose1Rules()
    if kind == BallotKind.CUMULATIVE:
        return CumulativeRules(max_per_project=cycle.max_points_per_project,
                               max_total=cycle.max_points_total)
    if kind == BallotKind.ORDINAL:
        return RankingRules(max_length=cycle.max_choices, min_length=minimum)
    if kind == BallotKind.SCORING:
        return ScoreRules(min_score=1, max_score=cycle.score_max, min_choices=minimum,
                          max_choices=cycle.max_choices)
    return ApprovalRules(min_choices=minimum, max_choices=cycle.max_choices)


def pure_ballot(kind: str, lines: list[tuple[int, int]], voter_id: str = "") -> PureBallot:
    """The engine's ballot for (proposal id, points) lines of one envelope.

    Ordinal ballots carry ranks (1 = best) and become a ranking, best first; cumulative
    and scoring ballots carry their points; approval-like ballots carry no points.
    """
    if kind == BallotKind.ORDINAL:
        ordered = sorted(lines, key=lambda line: (line[1], line[0]))
        return PureBallot(voter_id=voter_id, choices=tuple(str(pid) for pid, _r in ordered))
    if kind in (BallotKind.CUMULATIVE, BallotKind.SCORING):
        return PureBallot(voter_id=voter_id, choices=tuple(str(pid) for pid, _p in lines),
                          points=tuple(points for _pid, points in lines))
    return PureBallot(voter_id=voter_id, choices=tuple(str(pid) for pid, _p in lines))


def check_choices(
    cycle: BudgetCycle, envelopes: list[Envelope], choices: Mapping[int, int],
    options: dict[int, Proposal] | None = None,
) -> list[tuple[Proposal, int]]:
    """Validate a ballot against the cycle's ballot method, envelope by envelope.

    ``choices`` maps proposal ids to points (1 for approval-like ballots, the points or
    score given, or the rank for a ranking, 1 being the best). An envelope left empty is
    allowed when the cycle's minimum is 0. Returns the (proposal, points) lines. Raises
    InvalidBallot (BudgetExceeded for a knapsack over the envelope) listing every
    problem in French. ``options``: the result of ``choice_options`` when already read.
    """
    if options is None:
        options = choice_options(cycle, envelopes)
    lines = {pid: pts for pid, pts in choices.items() if pts}
    if not lines:
        raise InvalidBallot(_("Votre bulletin est vide : choisissez au moins un projet."))
    if any(pid not in options for pid in lines):
        raise InvalidBallot(_("Un des projets choisis ne fait pas partie de votre bulletin."))
    problems: list[str] = []
    over_budget = False
    by_envelope: dict[int, list[tuple[str, Proposal]]] = {}  # options keep their order
    for pid, proposal in options.items():  # keyed by id: no ``.pk`` look-up per option
        by_envelope.setdefault(proposal.envelope_id, []).append((str(pid), proposal))
    for envelope in envelopes:
        in_envelope = by_envelope.get(envelope.id, [])
        chosen = [(p.id, lines[p.id]) for _key, p in in_envelope if p.id in lines]
        if not chosen and cycle.min_choices == 0:
            continue
        if cycle.ballot_kind == BallotKind.ORDINAL and len({r for _pid, r in chosen}) != len(chosen):
            problems.append(_("%(envelope)s : chaque rang ne peut être donné qu’à un seul projet.")
                            % {"envelope": envelope.name})
            continue
        projects = {key: PureProject(id=key, cost=p.cost_cents) for key, p in in_envelope}
        ballot = pure_ballot(cycle.ballot_kind, chosen)
        rules = envelope_rules(cycle, envelope)
        for problem in validate_ballot(ballot, rules=rules, projects=projects):
            over_budget = over_budget or problem.code == ProblemCode.OVER_BUDGET
            names = {key: p.title for key, p in in_envelope}
            problems.append(f"{envelope.name} : {message_for(problem, project_names=names)}")
    if problems:
        error = BudgetExceeded if over_budget else InvalidBallot
        raise error(problems[0], problems)
    return [(options[pid], pts) for pid, pts in sorted(lines.items())]


# --- The ballot log: cast records chained by the sequencer ---------------------------------
#
# A cast writes its ballot and an append-only CastRecord (kind, pseudonym prefix, salted
# commitment, receipt) in its own transaction, without any cycle-wide exclusive lock; then,
# after its commit, it runs the sequencer without waiting. The sequencer appends, under the
# cycle's sequencer lock, one hash-chained BallotLogEntry per cast record that has none yet,
# in record id order, in one transaction, so one WAL flush chains a whole batch. Pending
# records are found through the PendingCast queue (written with the record, deleted with
# the chaining), not past a watermark on ids: transactions commit out of id order.
#
# Nothing is left behind: on PostgreSQL the lock is a session advisory lock, and whoever
# releases it checks again for pending records *after* releasing (and sequences them if it
# can take the lock again). A cast that finds the lock busy has committed its record before
# trying, so the holder's check after its release sees it. Readers that must see every cast
# (verify_cycle, the tally, the published files) sequence with ``wait=True`` first.


def last_log_entry(cycle_id: int) -> BallotLogEntry | None:
    """The head of the cycle's ballot log, with only ``seq`` and ``hash`` read; None if empty."""
    return BallotLogEntry.objects.filter(cycle_id=cycle_id).only("seq", "hash").order_by("-seq").first()


# The queue emptied and its records read in one statement, with the head of the log.
_PG_TAKE_PENDING = """
WITH queue AS (DELETE FROM voting_pendingcast WHERE cycle_id = %(cycle)s RETURNING record_id),
     head AS (SELECT seq, hash FROM voting_ballotlogentry WHERE cycle_id = %(cycle)s
              ORDER BY seq DESC LIMIT 1)
SELECT r.id, r.kind, r.ballot_key, r.commitment, r.receipt_code,
       (SELECT seq FROM head), (SELECT hash FROM head)
FROM voting_castrecord r JOIN queue ON queue.record_id = r.id
ORDER BY r.id
"""


def _take_pending(cycle_id: int) -> tuple[list[CastRecord], int, str]:
    """Remove the cycle's queue and return its records in id order, with the log head."""
    if connection.vendor == "postgresql":
        rows = pg_rows(_PG_TAKE_PENDING, {"cycle": cycle_id})
        records = [CastRecord(id=r[0], cycle_id=cycle_id, kind=r[1], ballot_key=r[2],
                              commitment=r[3], receipt_code=r[4]) for r in rows]
        if not rows:
            return [], 0, GENESIS
        return records, rows[0][5] or 0, rows[0][6] or GENESIS
    queued = PendingCast.objects.filter(cycle_id=cycle_id).values("record_id")
    records = list(CastRecord.objects.filter(pk__in=queued).order_by("pk"))
    if not records:
        return [], 0, GENESIS
    PendingCast.objects.filter(record_id__in=[record.pk for record in records]).delete()
    last = last_log_entry(cycle_id)
    return records, (last.seq if last else 0), (last.hash if last else GENESIS)


def _append_pending(cycle_id: int) -> list[BallotLogEntry]:
    """Chain every pending record of the cycle. The caller holds the sequencer lock, in a
    transaction: the queue rows are deleted with the entries written, or neither."""
    records, seq, prev = _take_pending(cycle_id)
    if not records:
        return []
    entries = []
    for record in records:
        seq += 1
        content = {"ballot": record.ballot_key, "commitment": record.commitment}
        entry_hash = link(prev, {"cycle": cycle_id, "seq": seq, "kind": record.kind, "content": content})
        entries.append(BallotLogEntry(
            cycle_id=cycle_id, seq=seq, kind=record.kind, content=content, prev_hash=prev,
            hash=entry_hash, receipt_code=record.receipt_code, cast_record=record,
        ))
        prev = entry_hash
    if connection.vendor != "postgresql":
        return BallotLogEntry.objects.bulk_create(entries)
    ids = dict(pg_rows(_PG_APPEND, {
        "cycle": cycle_id, "seq": [e.seq for e in entries], "kind": [e.kind for e in entries],
        "content": [canonical(e.content) for e in entries],
        "prev": [e.prev_hash for e in entries], "hash": [e.hash for e in entries],
        "receipt": [e.receipt_code for e in entries],
        "record": [e.cast_record_id for e in entries],
    }))
    for entry in entries:
        entry.pk = ids[entry.seq]
        entry._state.adding = False
        entry._state.db = connection.alias
    return entries


# The batch of log entries in one statement (one row per array element, in order).
_PG_APPEND = """
INSERT INTO voting_ballotlogentry
  (cycle_id, seq, kind, content, prev_hash, hash, receipt_code, cast_record_id)
SELECT %(cycle)s::bigint, e.seq, e.kind, e.content::jsonb, e.prev, e.hash, e.receipt, e.record
FROM unnest(%(seq)s::integer[], %(kind)s::text[], %(content)s::text[], %(prev)s::text[],
            %(hash)s::text[], %(receipt)s::text[], %(record)s::bigint[])
     AS e(seq, kind, content, prev, hash, receipt, record)
RETURNING seq, id
"""


# Threads of this process holding a cycle's sequencer lock (PostgreSQL session lock), by
# cycle: a cast that sees one skips its own try (one round trip less), as it would skip
# after a failed try; the holder's check after its release covers the cast.
_local_holders: dict[int, int] = {}
_local_holders_lock = threading.Lock()


def _advisory(sql: str, cycle_id: int) -> bool:
    row = pg_rows(sql, [SEQUENCER_LOCK, cycle_id])
    return not row or row[0][0] is not False


def sequence_pending(cycle_id: int, *, wait: bool, hand_over: bool = True) -> list[BallotLogEntry]:
    """Append a log entry for every committed cast record of the cycle that has none.

    Returns the entries this call appended (in chain order). ``wait=False``: if another
    process holds the sequencer lock, return at once (it will chain this cast's record:
    see the comment above). Inside an outer transaction the entries are written in it and
    the lock is held until it ends; after its commit, a hand-over run (``wait=False``)
    chains whatever was committed meanwhile. On SQLite, the ``IMMEDIATE`` transaction
    serialises sequencing (``wait`` makes no difference). Guarantees: one entry per record
    (unique ``cast_record``), one chain per cycle (unique ``(cycle, seq)``), each entry
    linked to the previous one.
    """
    postgres = connection.vendor == "postgresql"
    if connection.in_atomic_block or not postgres:
        with transaction.atomic():
            if postgres:
                got = _advisory("SELECT pg_advisory_xact_lock(%s::int, %s::int)" if wait
                                else "SELECT pg_try_advisory_xact_lock(%s::int, %s::int)", cycle_id)
                if hand_over:
                    transaction.on_commit(
                        lambda: sequence_pending(cycle_id, wait=False, hand_over=False))
                if not got:
                    return []
            return _append_pending(cycle_id)
    appended: list[BallotLogEntry] = []
    if not wait and _local_holders.get(cycle_id):
        # A thread of this process holds the lock: it checks the queue again after its
        # release (it stops counting itself before that check), after this cast's commit.
        return appended
    while True:
        if not _advisory("SELECT pg_advisory_lock(%s::int, %s::int)" if wait
                         else "SELECT pg_try_advisory_lock(%s::int, %s::int)", cycle_id):
            return appended  # the holder checks again after releasing the lock
        with _local_holders_lock:
            _local_holders[cycle_id] = _local_holders.get(cycle_id, 0) + 1
        try:
            with transaction.atomic():
                appended += _append_pending(cycle_id)
        finally:
            try:
                _advisory("SELECT pg_advisory_unlock(%s::int, %s::int)", cycle_id)
            except DatabaseError:
                connection.close()  # a session lock must never outlive this call
                raise
            finally:
                with _local_holders_lock:
                    _local_holders[cycle_id] -= 1
        if not pg_rows("SELECT EXISTS (SELECT 1 FROM voting_pendingcast WHERE cycle_id = %s::bigint)",
                       [cycle_id])[0][0]:
            return appended
        wait = False  # records committed while we held the lock: chain them unless someone else will


def log_entry_of(record_id: int) -> BallotLogEntry | None:
    """The log entry of a cast record, or None while it waits for the sequencer."""
    return BallotLogEntry.objects.filter(cast_record_id=record_id).first()


def ballot_lines(proposal_ids: list[int] | None, points: Mapping[int, int] | None) -> dict[int, int]:
    """One input shape for every ballot kind: ids (approval-like) or ids with points/ranks."""
    if points is not None:
        return {int(pid): int(value) for pid, value in points.items()}
    return dict.fromkeys((int(pid) for pid in proposal_ids or []), 1)


def _checked_choices(
    cycle: BudgetCycle, voter: Any, lines: dict[int, int]
) -> tuple[list[Envelope], list[tuple[Proposal, int]]]:
    """Eligibility, the phase (first check, repeated under the lock) and the ballot's
    validity, in that order; raises the first refusal."""
    envelopes = require_eligible(cycle, voter)
    require_phase_allows(cycle, Action.VOTE)
    return envelopes, check_choices(cycle, envelopes, lines, choice_options(cycle, envelopes))


def cast_ballot(
    *,
    voter: Any,
    cycle: BudgetCycle,
    proposal_ids: list[int] | None = None,
    points: Mapping[int, int] | None = None,
) -> CastReceipt:
    """Record or replace the voter's online ballot for the cycle.

    Guarantees one ballot per voter and cycle: the ballot's own lock is held for the
    duration (so concurrent casts of one voter serialise and the second replaces the
    first), backed by the unique (cycle, pseudonym) constraint; the participation register
    is unique per voter and cycle too. Casts of different voters do not wait for each
    other: each writes a cast record with its receipt, and the sequencer appends it to the
    ballot log after the commit (``sequence_pending``). The close waits for the casts in
    flight (shared voting lock), and the phase is read again under that lock. Raises
    NotAllowed, NotEligible, PhaseClosed, InvalidBallot/BudgetExceeded, AlreadyVoted (the
    voter already voted on paper). Approval-like ballots pass ``proposal_ids``;
    cumulative, scoring and ranking ballots pass ``points`` (id → points, score or rank
    with 1 the best). A cycle from ``voting.cache`` (the API) is checked against cached
    rows first; a refusal is always decided on fresh rows.
    """
    lines = ballot_lines(proposal_ids, points)
    try:
        _envelopes, chosen = _checked_choices(cycle, voter, lines)
    except DomainError:
        if not voting_cache.is_cached(cycle):
            raise
        cycle = BudgetCycle.objects.get(pk=cycle.pk)  # refuse on fresh rows only
        _envelopes, chosen = _checked_choices(cycle, voter, lines)
    pseudonym = voter_pseudonym(cycle_id=cycle.pk, voter_id=voter.pk)
    outer = connection.in_atomic_block
    try:
        with transaction.atomic():
            if connection.vendor == "postgresql":
                ballot, record, is_replacement = _cast_postgres(
                    cycle=cycle, voter=voter, pseudonym=pseudonym, chosen=chosen)
            else:
                ballot, record, is_replacement = _cast_orm(
                    cycle=cycle, voter=voter, pseudonym=pseudonym, chosen=chosen)
    except IntegrityError as exc:  # only reachable if a lock was bypassed
        raise AlreadyVoted(_("Votre bulletin a déjà été enregistré ; rechargez la page.")) from exc
    # Committed (or part of the caller's transaction): chain it. Outside a transaction, a
    # busy sequencer is left to chain it together with others.
    if outer:
        sequence_pending(cycle.pk, wait=True)
    else:
        try:
            sequence_pending(cycle.pk, wait=False)
        except DatabaseError:  # the ballot is committed: the next cast or reader chains it
            logger.exception("cycle %s: sequencing after a cast failed", cycle.pk)
    return CastReceipt(ballot=ballot, record=record, receipt_code=record.receipt_code,
                       is_replacement=is_replacement,
                       lines=tuple((p.pk, points) for p, points in chosen))


def _already_voted_on_paper() -> AlreadyVoted:
    return AlreadyVoted(_("Vous avez déjà voté sur papier lors d’une rencontre : "
                          "un seul vote par personne."))


def _previous_ballot_missing(cycle_id: int) -> Conflict:
    # The register says this person voted but no ballot answers to their pseudonym (the
    # key changed, or a ballot went missing): a new ballot would count them twice. Refuse,
    # loudly (the transaction is rolled back).
    logger.error("cycle %s: participation without a matching ballot", cycle_id)
    return Conflict(_("Votre bulletin précédent est introuvable : votre vote ne peut pas "
                      "être modifié. Contactez la mairie."))


def _require_vote_open_now(cycle: BudgetCycle) -> None:
    """The phase check under the casting lock, on fresh rows (never a cached cycle's)."""
    require_phase_allows(BudgetCycle(pk=cycle.pk), Action.VOTE)


def _cast_orm(
    *, cycle: BudgetCycle, voter: Any, pseudonym: str, chosen: list[tuple[Proposal, int]]
) -> tuple[Ballot, CastRecord, bool]:
    """The casting transaction with the ORM (SQLite); the caller opened the transaction."""
    lock_for_casting(cycle.pk, pseudonym)
    _require_vote_open_now(cycle)  # the close may have happened meanwhile
    ballot, record, is_replacement = record_ballot(
        cycle=cycle, pseudonym=pseudonym, commune_id=voter.commune_id,
        channel=Channel.ONLINE, chosen=chosen, locked=True,
    )
    participation = Participation.objects.filter(cycle=cycle, voter=voter).first()
    if participation and participation.channel != Channel.ONLINE:
        raise _already_voted_on_paper()
    if participation and not is_replacement:
        raise _previous_ballot_missing(cycle.pk)
    if participation is None:
        Participation.objects.create(cycle=cycle, voter=voter, commune_id=voter.commune_id,
                                     channel=Channel.ONLINE, voted_at=coarse_now())
    if receipts_wanted(voter):  # sent by manage.py send_receipts, never in the cast
        PendingReceipt.objects.bulk_create([PendingReceipt(cycle=cycle, voter=voter)],
                                           ignore_conflicts=True)
    return ballot, record, is_replacement


# The casting transaction on PostgreSQL: the locks (one statement), the fresh phase with the
# ballot (row-locked) and the participation (one statement), then every write in one
# statement: the cast record, its queue row, the ballot, its choices, for a first ballot
# the participation, and the receipt e-mail to send. Five round trips with BEGIN and
# COMMIT (six for a replacement, whose old choices are deleted first).
_PG_CAST_READ = """
WITH ballot AS (SELECT id, revision FROM voting_ballot
                WHERE cycle_id = %(cycle)s::bigint AND pseudonym = %(pseudonym)s FOR UPDATE)
SELECT (SELECT kind FROM budgets_phase
        WHERE cycle_id = %(cycle)s::bigint AND starts_at <= %(now)s AND ends_at > %(now)s
        ORDER BY starts_at DESC LIMIT 1),
       (SELECT id FROM ballot), (SELECT revision FROM ballot),
       (SELECT channel FROM voting_participation
        WHERE cycle_id = %(cycle)s::bigint AND voter_id = %(voter)s::bigint)
"""
_PG_RECORD = """
WITH record AS (
  INSERT INTO voting_castrecord (cycle_id, kind, ballot_key, commitment, receipt_code)
  VALUES (%(cycle)s::bigint, %(kind)s, %(key)s, %(commitment)s, %(receipt)s) RETURNING id),
pending AS (INSERT INTO voting_pendingcast (record_id, cycle_id)
            SELECT id, %(cycle)s::bigint FROM record),
"""
_PG_NEW_BALLOT = """
ballot AS (INSERT INTO voting_ballot
             (cycle_id, pseudonym, commune_id, channel, receipt_code, revision, salt, cast_id)
           SELECT %(cycle)s::bigint, %(pseudonym)s, %(commune)s::bigint, %(channel)s,
                  %(receipt)s, 1, %(salt)s, id FROM record
           RETURNING id, revision),
"""
_PG_REPLACED_BALLOT = """
ballot AS (UPDATE voting_ballot SET receipt_code = %(receipt)s, revision = revision + 1,
                  salt = %(salt)s, cast_id = (SELECT id FROM record)
           WHERE id = %(ballot)s::bigint RETURNING id, revision),
"""
_PG_CHOICES = """
choices AS (INSERT INTO voting_ballotchoice (ballot_id, proposal_id, points)
            SELECT ballot.id, line.pid, line.pts
            FROM ballot, unnest(%(pids)s::bigint[], %(pts)s::integer[]) AS line(pid, pts))
"""
_PG_PARTICIPATION = """,
participation AS (INSERT INTO voting_participation
                    (id, cycle_id, voter_id, person_digest, commune_id, channel, voted_at)
                  VALUES (%(uuid)s::uuid, %(cycle)s::bigint, %(voter)s::bigint, '',
                          %(commune)s::bigint, %(channel)s, %(voted_at)s))
"""
_PG_RECEIPT = """,
receipt_mail AS (INSERT INTO voting_pendingreceipt (id, cycle_id, voter_id)
                 VALUES (%(mail_id)s::uuid, %(cycle)s::bigint, %(voter)s::bigint)
                 ON CONFLICT DO NOTHING)
"""
_PG_RESULT = "SELECT (SELECT id FROM record), (SELECT id FROM ballot), (SELECT revision FROM ballot)"
_PG_WRITES = {
    (replacing, registering, mailing): _PG_RECORD
    + (_PG_REPLACED_BALLOT if replacing else _PG_NEW_BALLOT) + _PG_CHOICES
    + (_PG_PARTICIPATION if registering else "") + (_PG_RECEIPT if mailing else "") + _PG_RESULT
    for replacing in (False, True) for registering in (False, True) for mailing in (False, True)
}


def _cast_postgres(
    *, cycle: BudgetCycle, voter: Any, pseudonym: str, chosen: list[tuple[Proposal, int]]
) -> tuple[Ballot, CastRecord, bool]:
    """The casting transaction on PostgreSQL, in as few statements as it takes (see above):
    the same locks, checks and rows as ``_cast_orm``. The caller opened the transaction."""
    lock_for_casting(cycle.pk, pseudonym)
    now = timezone.now()
    ((kind, ballot_id, revision, channel),) = pg_rows(_PG_CAST_READ, {
        "cycle": cycle.pk, "pseudonym": pseudonym, "now": now, "voter": voter.pk})
    if not policy.phase_allows(kind, Action.VOTE):  # closed meanwhile: say why, fresh
        _require_vote_open_now(cycle)
        raise PhaseClosed()
    if channel is not None and channel != Channel.ONLINE:
        raise _already_voted_on_paper()
    is_replacement = ballot_id is not None
    if channel is not None and not is_replacement:
        raise _previous_ballot_missing(cycle.pk)
    salt = secrets.token_hex(16)
    lines = [(p.pk, points) for p, points in chosen]
    sealed = commitment(salt, ballot_body(commune_id=voter.commune_id, channel=Channel.ONLINE,
                                          lines=lines))
    receipt = receipt_code(sealed)
    kind = LogKind.REPLACE if is_replacement else LogKind.CAST
    if is_replacement:
        pg_rows("DELETE FROM voting_ballotchoice WHERE ballot_id = %s::bigint", [ballot_id])
    writes = _PG_WRITES[is_replacement, channel is None, receipts_wanted(voter)]
    ((record_id, ballot_id, revision),) = pg_rows(writes, {
        "cycle": cycle.pk, "kind": kind, "key": pseudonym[:16], "commitment": sealed,
        "receipt": receipt, "pseudonym": pseudonym, "commune": voter.commune_id,
        "channel": Channel.ONLINE, "salt": salt, "ballot": ballot_id,
        "pids": [pid for pid, _pts in lines], "pts": [pts for _pid, pts in lines],
        "uuid": uuid.uuid4(), "voter": voter.pk, "voted_at": coarse_now(), "mail_id": uuid.uuid4(),
    })
    record = CastRecord(id=record_id, cycle_id=cycle.pk, kind=kind, ballot_key=pseudonym[:16],
                        commitment=sealed, receipt_code=receipt)
    ballot = Ballot(id=ballot_id, cycle_id=cycle.pk, pseudonym=pseudonym,
                    commune_id=voter.commune_id, channel=Channel.ONLINE, receipt_code=receipt,
                    revision=revision, salt=salt, cast_id=record_id)
    for instance in (record, ballot):
        instance._state.adding = False
        instance._state.db = connection.alias
    return ballot, record, is_replacement


def lock_for_casting(cycle_id: int, pseudonym: str) -> None:
    """Inside the casting transaction, on PostgreSQL: the cycle's voting lock shared (the
    close waits for this cast; see budgets/locks.py) and the ballot's own lock exclusive, so
    two casts of one voter (or of one paper sheet) serialise and the second replaces the
    first. One statement. On SQLite the ``IMMEDIATE`` transaction already serialises."""
    if connection.vendor != "postgresql":
        return
    pg_rows("SELECT pg_advisory_xact_lock_shared(%s::int, %s::int), pg_advisory_xact_lock(%s::bigint)",
            [VOTING_LOCK, cycle_id, ballot_lock_key(pseudonym)])


def ballot_lock_key(pseudonym: str) -> int:
    """The advisory lock key of a ballot: 60 bits of its pseudonym (which names its cycle).
    Two ballots sharing a key would only wait for each other."""
    return int(pseudonym[:15], 16)


def ballot_body(*, commune_id: int | None, channel: str, lines: list[tuple[int, int]]) -> dict[str, Any]:
    """What a ballot says, in canonical order: the content its log commitment covers."""
    return {"commune": commune_id, "channel": channel, "choices": sorted([pid, pts] for pid, pts in lines)}


def commitment(salt: str, body: dict[str, Any]) -> str:
    """SHA-256 over the salt and the canonical ballot body."""
    return hashlib.sha256((salt + "\n" + canonical(body)).encode("utf-8")).hexdigest()


def coarse_now() -> datetime:
    """The current time to the hour: what the participation register keeps."""
    return timezone.now().replace(minute=0, second=0, microsecond=0)


def record_ballot(
    *, cycle: BudgetCycle, pseudonym: str, commune_id: int | None, channel: str,
    chosen: list[tuple[Proposal, int]], locked: bool = False,
) -> tuple[Ballot, CastRecord, bool]:
    """Write a ballot's content (new or replacing) and its cast record.

    Call inside a transaction with validated ``chosen``; ``locked=True`` when the caller
    already holds the casting locks (``lock_for_casting``), otherwise they are taken here.
    Shared by every channel (online casting, reconciled paper ballots). The record reaches
    the ballot log through ``sequence_pending`` (the caller runs it). Returns (ballot, cast
    record, whether it replaced an earlier ballot).
    """
    if not locked:
        lock_for_casting(cycle.pk, pseudonym)
    ballot = Ballot.objects.select_for_update().filter(cycle=cycle, pseudonym=pseudonym).first()
    is_replacement = ballot is not None
    salt = secrets.token_hex(16)
    body = ballot_body(commune_id=commune_id, channel=channel,
                       lines=[(p.pk, points) for p, points in chosen])
    sealed = commitment(salt, body)
    record = CastRecord.objects.create(
        cycle=cycle, kind=LogKind.REPLACE if is_replacement else LogKind.CAST,
        ballot_key=pseudonym[:16], commitment=sealed, receipt_code=receipt_code(sealed),
    )
    PendingCast.objects.create(record=record, cycle=cycle)
    if ballot is None:
        ballot = Ballot.objects.create(cycle=cycle, pseudonym=pseudonym, channel=channel,
                                       commune_id=commune_id, receipt_code=record.receipt_code,
                                       salt=salt, cast=record)
    else:
        ballot.choices.all().delete()
        ballot.receipt_code = record.receipt_code
        ballot.revision += 1
        ballot.salt = salt
        ballot.cast = record
        ballot.save(update_fields=["receipt_code", "revision", "salt", "cast"])
    BallotChoice.objects.bulk_create(
        [BallotChoice(ballot=ballot, proposal=p, points=points) for p, points in chosen]
    )
    return ballot, record, is_replacement


def verify_ballot_log(cycle: BudgetCycle) -> tuple[bool, str, str]:
    """Re-check the cycle's chain: (ok, message naming the first bad entry, head hash)."""
    prev = GENESIS
    expected = 1
    for entry in BallotLogEntry.objects.filter(cycle=cycle).order_by("seq").iterator():
        body = {"cycle": cycle.pk, "seq": entry.seq, "kind": entry.kind, "content": entry.content}
        if entry.seq != expected:
            return False, _("Entrée n° %(seq)d manquante.") % {"seq": expected}, prev
        if entry.prev_hash != prev or link(prev, body) != entry.hash:
            return False, _("Entrée n° %(seq)d altérée.") % {"seq": entry.seq}, prev
        prev = entry.hash
        expected += 1
    return True, _("%(count)d entrées vérifiées.") % {"count": expected - 1}, prev


def current_ballot_of(cycle: BudgetCycle, voter: Any) -> Ballot | None:
    """The voter's current ballot (for their own eyes only)."""
    if not getattr(voter, "is_authenticated", False):
        return None
    pseudonym = voter_pseudonym(cycle_id=cycle.pk, voter_id=voter.pk)
    return Ballot.objects.filter(cycle=cycle, pseudonym=pseudonym).prefetch_related("choices").first()
