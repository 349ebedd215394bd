"""Shared test configuration. Builders live in tests/builders.py (called explicitly)."""

import pytest
from django.db import connection


@pytest.fixture
def on_postgres():
    """Skip the test unless the database is PostgreSQL."""
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL (run the suite with DATABASE_URL=postgres://...)")
    return True
