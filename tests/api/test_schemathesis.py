"""Property-based run of the API against its own OpenAPI schema (schemathesis).

Each operation gets generated requests, authenticated with a resident's token in a cycle
open for voting; every response must match the documented status codes, content types
and bodies, invalid input must be refused, and no response may be a server error.
"""

import pytest
from django.core.cache import cache
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from hypothesis import HealthCheck, settings
from rest_framework.authtoken.models import Token

from budgets.models import PhaseKind
from config.wsgi import application
from tests.builders import build_world, make_proposal

schemathesis = pytest.importorskip("schemathesis", reason="schemathesis is not installed")

schema = schemathesis.openapi.from_wsgi("/api/schema/", application)


@pytest.fixture
def wsgi_keeps_the_test_connection():
    """Called straight through WSGI, Django would close the test's open transaction between
    requests (PostgreSQL); django.test.Client disconnects the same handlers."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


@pytest.fixture
def token_world(db, wsgi_keeps_the_test_connection):
    cache.clear()  # write-throttle counts of earlier tests
    world = build_world(phase=PhaseKind.VOTING)
    make_proposal(world, title="Bancs")
    make_proposal(world, title="Piste", envelope=world.floirac_envelope)
    yield Token.objects.create(user=world.resident).key
    cache.clear()


@schema.parametrize()
@settings(max_examples=15, deadline=None, derandomize=True,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow,
                                 HealthCheck.filter_too_much])
def test_api_answers_as_its_schema_says(case, token_world):
    # Schema-valid input may still break a domain rule (a cost over the envelope, a blank
    # comment once markup is stripped): positive_data_acceptance does not apply.
    case.call_and_validate(headers={"Authorization": f"Token {token_world}"},
                           excluded_checks=[schemathesis.checks.positive_data_acceptance])
