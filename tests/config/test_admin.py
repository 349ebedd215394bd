"""The Django admin lists every model and opens its pages for a superuser."""

import pytest
from django.contrib import admin
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from accounts.models import User
from tests.builders import build_world, make_proposal, make_user

pytestmark = pytest.mark.django_db


def test_every_project_model_is_in_the_admin_directly_or_inline():
    from django.apps import apps

    ours = {"audit", "territory", "accounts", "budgets", "proposals", "deliberation", "voting"}
    missing = [m._meta.label for m in apps.get_models()
               if m._meta.app_label in ours and m not in admin.site._registry
               and m._meta.label not in {"voting.BallotChoice", "voting.ResultLine", "voting.PaperKeying",
                                         "territory.PopulationFigure", "proposals.Review",
                                         "budgets.Envelope", "budgets.Phase"}]  # edited inline
    assert missing == []


def test_admin_changelists_open_for_a_superuser(client):
    world = build_world(phase="voting")
    make_proposal(world)
    superuser = User.objects.create_superuser(email="root@example.org", password="x-pass-42")
    client.force_login(superuser)
    for model in admin.site._registry:
        url = reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_changelist")
        assert client.get(url).status_code == 200, url


def test_the_user_changelist_runs_as_many_queries_for_many_users_as_for_few(client):
    world = build_world()
    superuser = User.objects.create_superuser(email="root@example.org", password="x-pass-42")
    client.force_login(superuser)
    url = reverse("admin:accounts_user_changelist")
    with CaptureQueriesContext(connection) as few:
        client.get(url)
    for index in range(10):
        make_user(f"habitant{index}@example.org", commune=world.floirac)
    with CaptureQueriesContext(connection) as many:
        page = client.get(url).content.decode()
    assert len(many.captured_queries) == len(few.captured_queries)
    assert "habitant9@example.org" in page
