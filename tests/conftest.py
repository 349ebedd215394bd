"""Shared test configuration. Builders live in tests/builders.py (called explicitly)."""

import pytest
from django.conf import settings
from django.db import connection
from django.utils import translation


@pytest.fixture
def on_postgres():
    """Skip the test unless the database is PostgreSQL."""
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL (run the suite with DATABASE_URL=postgres://...)")
    return True


@pytest.fixture(autouse=True)
def _default_language():
    """Each test starts and ends in the site's default language (French), whatever a test
    before it activated."""
    translation.activate(settings.LANGUAGE_CODE)
    yield
    translation.activate(settings.LANGUAGE_CODE)
