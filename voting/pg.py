"""Statements of the voting-day path on PostgreSQL, prepared once per connection."""

from __future__ import annotations

import time
from collections.abc import Mapping
from typing import Any

import psycopg
from django.db import DEFAULT_DB_ALIAS, connections
from psycopg.pq import ExecStatus

_ONLY_WHEN_ASKED = 2**31  # a prepare threshold no statement reaches by being repeated


def pg_rows(sql: str, params: Mapping[str, Any] | list[Any]) -> list[tuple[Any, ...]]:
    """Run one statement of the voting-day path on PostgreSQL and return its rows.

    Server-side parameter binding and a prepared statement: PostgreSQL parses and plans it
    once per connection instead of once per cast. Same transaction and error translation as the ORM (Django's
    connection); logged in ``connection.queries`` when queries are being logged.
    """

    db = connections[DEFAULT_DB_ALIAS]  # once: each ``connection.x`` is a thread-local lookup
    db.validate_no_broken_transaction()
    db.ensure_connection()
    started = time.monotonic()
    pg = db.connection
    if pg.prepare_threshold is None:
        # Django opens its connections with ``prepare_threshold=None`` (for connection
        # poolers), with which psycopg prepares nothing, even when asked. A threshold no
        # statement reaches: only these statements, which ask (``prepare=True``), are
        # prepared; Django's own cursors bind on the client side and never prepare.
        pg.prepare_threshold = _ONLY_WHEN_ASKED
    with db.wrap_database_errors, psycopg.Cursor(pg) as cursor:
        # Prepared on its first run on this connection, then executed by name (psycopg
        # keeps up to ``prepared_max`` per connection).
        cursor.execute(sql, params, prepare=True)
        result = cursor.pgresult  # not cursor.description, which builds every column's object
        rows = cursor.fetchall() if result is not None and result.status == ExecStatus.TUPLES_OK else []
    if db.queries_logged:
        db.queries_log.append({"sql": sql, "time": f"{time.monotonic() - started:.3f}"})
    return rows
