"""Advisory locks on a budget cycle (PostgreSQL; SQLite serialises writers anyway).

``VOTING_LOCK`` orders casting and closing: every cast holds it *shared* from its phase
re-check to its commit, ``close_voting`` takes it *exclusive*, so the close waits for the
casts in flight and no cast accepted before the close commits after it. PostgreSQL queues
lock requests fairly: casts arriving after a waiting close wait behind it (a row lock taken
``FOR SHARE`` would not, and could starve the close under load). On SQLite, whose
``IMMEDIATE`` transactions take the database write lock at ``BEGIN``, these are no-ops.
"""

from __future__ import annotations

from django.db import connection

VOTING_LOCK = 0x50494E01  # namespace (first key) of the per-cycle voting lock
SEQUENCER_LOCK = 0x50494E02  # namespace of the per-cycle ballot-log sequencer lock


def hold_voting_lock(cycle_id: int, *, shared: bool) -> None:
    """Take the cycle's voting lock until the end of the current transaction."""
    if connection.vendor != "postgresql":
        return
    function = "pg_advisory_xact_lock_shared" if shared else "pg_advisory_xact_lock"
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {function}(%s, %s)", [VOTING_LOCK, cycle_id])
