"""The administrators' timeline editor and "close this phase now" (HTML), and the cycle page."""

from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from audit.models import AuditEvent
from budgets.models import PhaseKind
from tests.builders import build_world, make_user

pytestmark = pytest.mark.django_db

URL = "/budgets/bp-test/calendrier/"
CLOSE_URL = "/budgets/bp-test/calendrier/clore/"
NON_ADMINS = ["resident", "moderator", "reviewer", "facilitator", "committee_member", "publisher"]


def local(moment):
    return timezone.localtime(moment).strftime("%Y-%m-%dT%H:%M")


def form_data(cycle, **changes):
    """What the editor posts for the timeline in force; ``changes`` override fields."""
    data = {}
    for phase in cycle.phases.all():
        data[f"{phase.kind}_included"] = "on"
        data[f"{phase.kind}_starts_at"] = local(phase.starts_at)
        data[f"{phase.kind}_ends_at"] = local(phase.ends_at)
    data.update(changes)
    return {k: v for k, v in data.items() if v is not None}


def dates(cycle):
    return {p.kind: (p.starts_at, p.ends_at) for p in cycle.phases.all()}


def logged_in(user, **kwargs):
    client = Client(**kwargs)
    client.force_login(user)
    return client


def test_anonymous_visitors_are_sent_to_the_login_page():
    build_world()
    response = Client().get(URL)
    assert response.status_code == 302
    assert response["Location"].startswith("/comptes/connexion/?next=")


@pytest.mark.parametrize("role", NON_ADMINS)
def test_the_editor_is_refused_to_non_administrators(role):
    w = build_world()
    before = dates(w.cycle)
    client = logged_in(getattr(w, role))

    assert client.get(URL).status_code == 403
    response = client.post(URL, form_data(w.cycle, implementation_included=None))
    assert response.status_code == 403
    assert "réservée aux administrateurs" in response.content.decode()
    assert client.post(CLOSE_URL, {"start_next": "on"}).status_code == 403
    assert dates(w.cycle) == before


def test_the_editor_shows_what_has_happened_as_fixed_text():
    w = build_world(phase=PhaseKind.REVIEW)
    response = logged_in(w.admin).get(URL)
    html = response.content.decode()

    assert response.status_code == 200
    assert html.count("<fieldset") == 7
    # Information and submission are over: no inputs for their dates; review has started:
    # its start is fixed, its end editable; deliberation is to come: both editable.
    for name in ("information_starts_at", "information_ends_at", "submission_starts_at",
                 "submission_ends_at", "review_starts_at"):
        assert f'name="{name}"' not in html, name
    for name in ("review_ends_at", "deliberation_starts_at", "deliberation_ends_at"):
        assert f'name="{name}" ' in html or f'name="{name}"' in html, name
    assert 'name="review_included"' not in html  # a started phase cannot be unticked
    assert 'name="voting_included"' in html
    assert "(a eu lieu : ne change plus)" in html
    assert "Clore cette phase maintenant" in html
    assert "Ouvrir aussitôt la phase suivante (« Débat et soutiens »)" in html


def test_an_administrator_shortens_the_vote_and_an_audit_event_is_recorded():
    w = build_world(phase=PhaseKind.SUBMISSION)
    voting_start, voting_end = dates(w.cycle)[PhaseKind.VOTING]
    new_end = timezone.localtime(voting_end - timedelta(days=3)).replace(second=0, microsecond=0)

    response = logged_in(w.admin).post(URL, form_data(w.cycle, voting_ends_at=local(new_end)))

    assert response.status_code == 302 and response["Location"] == URL
    assert dates(w.cycle)[PhaseKind.VOTING] == (voting_start, new_end)  # start kept to the microsecond
    event = AuditEvent.objects.get(action="timeline.changed")
    assert event.actor == w.admin


def test_posting_the_form_unchanged_keeps_the_stored_dates_exactly():
    w = build_world(phase=PhaseKind.DELIBERATION)
    before = dates(w.cycle)

    response = logged_in(w.admin).post(URL, form_data(w.cycle))

    assert response.status_code == 302
    assert dates(w.cycle) == before
    assert not AuditEvent.objects.exists()


def test_unticking_a_phase_to_come_removes_it():
    w = build_world(phase=PhaseKind.SUBMISSION)

    response = logged_in(w.admin).post(URL, form_data(w.cycle, implementation_included=None))

    assert response.status_code == 302
    assert PhaseKind.IMPLEMENTATION not in dates(w.cycle)


def test_adding_a_phase_without_its_dates_is_refused_per_field():
    w = build_world(phase=PhaseKind.SUBMISSION)
    w.cycle.phases.filter(kind=PhaseKind.IMPLEMENTATION).delete()

    response = logged_in(w.admin).post(URL, form_data(w.cycle, implementation_included="on"))
    html = response.content.decode()

    assert response.status_code == 400
    assert "Indiquez le début de la phase « Réalisation »." in html
    assert "Indiquez la fin de la phase « Réalisation »." in html
    assert 'href="#id_implementation_starts_at"' in html


def test_an_overlap_is_shown_in_the_error_summary_and_on_the_field_and_nothing_is_saved():
    w = build_world(phase=PhaseKind.SUBMISSION)
    before = dates(w.cycle)
    deliberation_end = before[PhaseKind.DELIBERATION][1]

    response = logged_in(w.admin).post(URL, form_data(
        w.cycle, voting_starts_at=local(deliberation_end - timedelta(days=2))))
    html = response.content.decode()

    assert response.status_code == 400
    assert 'class="error-summary"' in html
    assert 'href="#id_voting_starts_at"' in html
    assert "doit commencer après la fin de la phase « Débat et soutiens »" in html
    assert 'id="id_voting_starts_at_error"' in html
    assert 'aria-invalid="true"' in html
    assert dates(w.cycle) == before


def test_a_malformed_date_is_refused_in_french():
    w = build_world(phase=PhaseKind.SUBMISSION)

    response = logged_in(w.admin).post(URL, form_data(w.cycle, voting_ends_at="31/02/2027 25:00"))

    assert response.status_code == 400
    assert "Saisissez une date et une heure valides." in response.content.decode()


def test_an_absurd_year_is_refused_without_a_server_error():
    w = build_world(phase=PhaseKind.SUBMISSION)

    response = logged_in(w.admin).post(URL, form_data(w.cycle, implementation_ends_at="9999-12-31T23:59"))

    assert response.status_code == 400
    assert "entre l’an 2000 et l’an 2099" in response.content.decode()


def test_the_editor_refuses_a_post_without_its_csrf_token():
    w = build_world(phase=PhaseKind.SUBMISSION)
    before = dates(w.cycle)
    client = logged_in(w.admin, enforce_csrf_checks=True)

    assert client.post(URL, form_data(w.cycle, implementation_included=None)).status_code == 403
    assert client.post(CLOSE_URL, {"start_next": "on"}).status_code == 403
    assert dates(w.cycle) == before


def test_closing_the_current_phase_now_opens_the_next_one():
    w = build_world(phase=PhaseKind.SUBMISSION)

    response = logged_in(w.admin).post(CLOSE_URL, {"start_next": "on"}, follow=True)
    html = response.content.decode()

    assert response.redirect_chain == [(URL, 302)]
    assert "La phase « Analyse de faisabilité » est ouverte." in html
    assert AuditEvent.objects.filter(action="phase.closed_early").count() == 1
    assert Client().get("/budgets/bp-test/").context["overview"].current.kind == PhaseKind.REVIEW


def test_closing_without_opening_the_next_phase():
    w = build_world(phase=PhaseKind.SUBMISSION)

    response = logged_in(w.admin).post(CLOSE_URL, {}, follow=True)

    assert "Aucune phase n’est ouverte pour l’instant." in response.content.decode()
    assert Client().get("/budgets/bp-test/").context["overview"].current is None


def test_closing_is_post_only_and_refused_when_nothing_is_under_way():
    w = build_world(phase=None)
    client = logged_in(w.admin)

    assert client.get(CLOSE_URL).status_code == 405
    response = client.post(CLOSE_URL, {"start_next": "on"})
    assert response.status_code == 409
    assert "Aucune phase n’est en cours" in response.content.decode()


def test_during_the_vote_the_editor_sends_to_the_vote_management_page():
    w = build_world(phase=PhaseKind.VOTING)
    html = logged_in(w.admin).get(URL).content.decode()

    assert "Clore cette phase maintenant" not in html
    assert 'href="/vote/bp-test/gestion/"' in html


def test_the_cycle_page_links_the_editor_for_administrators_only():
    w = build_world(phase=PhaseKind.SUBMISSION)

    assert f'href="{URL}"' in logged_in(w.admin).get("/budgets/bp-test/").content.decode()
    for user in (w.resident, w.moderator, w.committee_member):
        assert f'href="{URL}"' not in logged_in(user).get("/budgets/bp-test/").content.decode()


def test_the_cycle_page_shows_the_timeline_with_times_and_the_next_phase():
    w = build_world(phase=PhaseKind.REVIEW)
    review = w.cycle.phases.get(kind=PhaseKind.REVIEW)
    deliberation = w.cycle.phases.get(kind=PhaseKind.DELIBERATION)

    html = Client().get("/budgets/bp-test/").content.decode()

    assert html.count('<li class="is-') == 7
    assert 'aria-current="step"' in html
    start = timezone.localtime(review.starts_at)
    assert f"{start.day} " in html and f"à {start:%H:%M}" in html
    assert "Phase suivante : Débat et soutiens, à partir du" in html
    assert timezone.localtime(deliberation.starts_at).strftime("%H:%M") in html


def test_the_cycle_page_includes_the_cycle_debate():
    build_world(phase=PhaseKind.DELIBERATION)

    html = Client().get("/budgets/bp-test/").content.decode()

    assert 'id="debat-general-titre"' in html
    assert "Débat général : 0 commentaire" in html


def test_posting_the_close_during_the_vote_sends_to_the_vote_management_page():
    w = build_world(phase=PhaseKind.VOTING)

    response = logged_in(w.admin).post(CLOSE_URL, {"start_next": "on"})

    assert response.status_code == 302 and response["Location"] == "/vote/bp-test/gestion/"
    assert w.cycle.phases.get(kind=PhaseKind.VOTING).ends_at > timezone.now()
    assert not AuditEvent.objects.exists()


def test_the_django_admin_shows_the_phases_read_only():
    w = build_world(phase=PhaseKind.SUBMISSION)
    root = make_user("root@example.org", is_staff=True, is_superuser=True)
    before = dates(w.cycle)
    client = logged_in(root)

    html = client.get(f"/admin/budgets/budgetcycle/{w.cycle.pk}/change/").content.decode()

    assert "Dépôt des propositions" in html
    assert 'name="phases-0-starts_at"' not in html
    assert 'name="phases-0-DELETE"' not in html
    assert dates(w.cycle) == before
