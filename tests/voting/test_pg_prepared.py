"""The voting-day statements (voting.pg.pg_rows) are prepared once per connection."""

import pytest
from django.db import connection

from voting.pg import pg_rows

pytestmark = pytest.mark.django_db


def test_pg_rows_statements_are_prepared_and_reused(on_postgres):
    # Django opens psycopg connections with prepare_threshold=None (never prepare): pg_rows
    # must ask for it, or PostgreSQL parses and plans every statement of every cast.
    sql = "SELECT %s::int + 40 AS pins_prepared_probe"
    assert pg_rows(sql, [1]) == [(41,)]
    assert pg_rows(sql, [2]) == [(42,)]
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM pg_prepared_statements "
                       "WHERE statement LIKE %s", ["%pins_prepared_probe%"])
        assert cursor.fetchone()[0] == 1  # one prepared statement, run twice


def test_pg_rows_write_without_rows_returns_empty_list(on_postgres):
    assert pg_rows("SELECT 1 WHERE false", []) == []
    assert pg_rows("SET LOCAL statement_timeout = 0", []) == []
