"""Home and cycle pages, and the shared layout (base.html) they render in."""

import pytest
from django.contrib.auth.models import AnonymousUser
from django.db import connection
from django.test.utils import CaptureQueriesContext

from budgets.models import BudgetCycle, Envelope
from budgets.money import format_amount, format_euros
from budgets.roles import Role, grant_role, has_role, has_role_on_any
from reports.templatetags.report_format import count, money
from territory.models import Commune
from tests.builders import build_world, make_user, set_phase

NNBSP = "\u202f"


@pytest.mark.parametrize(
    ("cents", "text"),
    [
        (0, f"0{NNBSP}€"),
        (5, f"0,05{NNBSP}€"),
        (1_200_000, f"12{NNBSP}000{NNBSP}€"),
        (1_200_050, f"12{NNBSP}000,50{NNBSP}€"),
        (123_456_789_00, f"123{NNBSP}456{NNBSP}789{NNBSP}€"),
        (-250, f"-2,50{NNBSP}€"),
    ],
)
def test_euros_are_formatted_the_french_way_from_cents(cents, text):
    assert format_euros(cents) == text


@pytest.mark.parametrize(
    ("cents", "text"),
    [(0, "0"), (1_234_550, f"12{NNBSP}345,50"), (1_200_000, f"12{NNBSP}000"), (-250, "-2,50")],
)
def test_amounts_for_cost_fields_are_the_euro_format_without_the_sign(cents, text):
    assert format_amount(cents) == text
    assert format_euros(cents) == f"{text}{NNBSP}€"


def test_report_counts_and_money_group_thousands_with_narrow_no_break_spaces():
    assert count(1234567) == f"1{NNBSP}234{NNBSP}567"
    assert count("") == ""
    assert money(1_200_000) == f"12{NNBSP}000,00{NNBSP}€"


@pytest.mark.django_db
def test_home_lists_each_cycle_with_its_current_phase_and_dates(client):
    build_world(phase="voting")
    response = client.get("/")
    assert response.status_code == 200
    page = response.content.decode()
    assert "Budget participatif test" in page
    assert 'href="/budgets/bp-test/"' in page
    assert "Phase en cours :</strong> Vote" in page
    assert f"380{NNBSP}000{NNBSP}€ en 3 enveloppes" in page


@pytest.mark.django_db
def test_home_says_when_no_phase_is_open_and_names_the_next_one(client):
    build_world(phase=None)
    page = client.get("/").content.decode()
    assert "Aucune phase en cours." in page
    assert "Prochaine étape : Information" in page


@pytest.mark.django_db
def test_home_without_any_cycle_says_so(client):
    page = client.get("/").content.decode()
    assert "Aucun budget participatif n’est ouvert pour le moment." in page


@pytest.mark.django_db
def test_home_runs_the_same_number_of_queries_for_one_or_many_cycles(
    client, django_assert_max_num_queries
):
    world = build_world()
    with django_assert_max_num_queries(5):
        client.get("/")
    for index in range(5):
        cycle = BudgetCycle.objects.create(name=f"Cycle {index}", slug=f"cycle-{index}")
        Envelope.objects.create(cycle=cycle, commune=world.cenon, name="E", amount_cents=100)
        set_phase(cycle, "review")
    with django_assert_max_num_queries(5):
        response = client.get("/")
    assert response.content.decode().count("Phase en cours :") == 6


@pytest.mark.django_db
def test_cycle_page_shows_envelopes_with_amounts_and_the_current_phase(client):
    build_world(phase="submission")
    response = client.get("/budgets/bp-test/")
    assert response.status_code == 200
    page = response.content.decode()
    assert "Enveloppe Cenon" in page and f"100{NNBSP}000{NNBSP}€" in page
    assert "Tout le territoire" in page and f"200{NNBSP}000{NNBSP}€" in page
    assert page.count('aria-current="step"') == 1
    current = page.split('aria-current="step"')[1][:200]
    assert "Dépôt des propositions" in current


@pytest.mark.django_db
def test_cycle_page_offers_submission_only_in_the_submission_phase(client):
    world = build_world(phase="submission")
    page = client.get("/budgets/bp-test/").content.decode()
    assert 'href="/propositions/bp-test/deposer/"' in page
    assert 'href="/vote/bp-test/"' not in page.split("<main")[1]
    set_phase(world.cycle, "voting")
    page = client.get("/budgets/bp-test/").content.decode()
    assert 'href="/propositions/bp-test/deposer/"' not in page
    assert 'href="/vote/bp-test/"' in page.split("<main")[1]


@pytest.mark.django_db
def test_cycle_page_links_results_once_voting_is_over(client):
    world = build_world(phase="results")
    page = client.get("/budgets/bp-test/").content.decode().split("<main")[1]
    assert 'href="/rapports/bp-test/resultats/"' in page
    set_phase(world.cycle, "deliberation")
    page = client.get("/budgets/bp-test/").content.decode().split("<main")[1]
    assert 'href="/rapports/bp-test/resultats/"' not in page


@pytest.mark.django_db
def test_cycle_page_invites_anonymous_visitors_to_log_in(client):
    build_world()
    page = client.get("/budgets/bp-test/").content.decode()
    assert "Pour participer, connectez-vous ou créez un compte." in page
    assert 'href="/comptes/inscription/"' in page


@pytest.mark.django_db
def test_unknown_cycle_is_not_found(client):
    build_world()
    assert client.get("/budgets/nope/").status_code == 404


@pytest.mark.django_db
def test_layout_has_skip_link_landmarks_language_and_navigation(client):
    build_world()
    page = client.get("/budgets/bp-test/").content.decode()
    assert '<html lang="fr">' in page
    assert '<a class="skip-link" href="#contenu">Aller au contenu</a>' in page
    assert '<main id="contenu"' in page and "<header" in page and "<footer" in page
    assert '<nav aria-label="Navigation principale">' in page
    for href in ('href="/propositions/bp-test/"', 'href="/vote/bp-test/"',
                 'href="/rapports/bp-test/resultats/"', 'href="/comptes/connexion/?next='):
        assert href in page
    assert 'action="/i18n/setlang/"' in page
    assert '<input name="next" type="hidden" value="/budgets/bp-test/">' in page


@pytest.mark.django_db
def test_layout_shows_a_logout_button_with_the_user_name_when_logged_in(client):
    world = build_world()
    client.force_login(world.resident)
    page = client.get("/").content.decode()
    assert 'action="/comptes/deconnexion/"' in page
    assert "Déconnexion (Awa)" in page
    assert ">Connexion</a>" not in page


@pytest.mark.django_db
def test_language_switch_to_english_sets_the_lang_attribute(client):
    build_world()
    response = client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    assert response.status_code == 302
    assert response["Location"] == "/"
    page = client.get("/").content.decode()
    assert '<html lang="en">' in page
    assert "<h1>Participatory budget</h1>" in page and "Skip to content" in page
    page = client.get("/budgets/bp-test/").content.decode()
    assert "What you can do now" in page and "Proposal submission" in page


@pytest.mark.django_db
def test_pages_are_in_french_unless_the_browser_or_the_visitor_asks_for_english(client):
    build_world()
    page = client.get("/", HTTP_ACCEPT_LANGUAGE="de-DE,de;q=0.9").content.decode()
    assert '<html lang="fr">' in page and "<h1>Budget participatif</h1>" in page
    page = client.get("/", HTTP_ACCEPT_LANGUAGE="en-GB,en;q=0.9").content.decode()
    assert '<html lang="en">' in page and "<h1>Participatory budget</h1>" in page


@pytest.mark.django_db
def test_cycle_page_runs_a_bounded_number_of_queries(client, django_assert_max_num_queries):
    build_world()
    with django_assert_max_num_queries(5):
        assert client.get("/budgets/bp-test/").status_code == 200


@pytest.mark.django_db
def test_cycle_page_for_a_logged_in_user_runs_as_many_queries_for_many_communes_as_for_two(
    client,
):
    world = build_world(phase="voting")
    client.force_login(world.resident)
    with CaptureQueriesContext(connection) as two_communes:
        client.get("/budgets/bp-test/")
    for index in range(6):
        commune = Commune.objects.create(name=f"Commune {index}", slug=f"commune-{index}")
        Envelope.objects.create(cycle=world.cycle, commune=commune, name=f"E{index}",
                                amount_cents=100)
    with CaptureQueriesContext(connection) as eight_communes:
        page = client.get("/budgets/bp-test/").content.decode()
    assert len(eight_communes.captured_queries) == len(two_communes.captured_queries)
    assert "/vote/bp-test/rencontres/" not in page


@pytest.mark.django_db
def test_a_facilitator_of_any_commune_of_the_cycle_sees_the_facilitator_links(client):
    world = build_world(phase="voting")
    grant_role(world.resident, Role.FACILITATOR, world.floirac)
    client.force_login(world.resident)
    page = client.get("/budgets/bp-test/").content.decode()
    assert "/vote/bp-test/rencontres/" in page


@pytest.mark.django_db
def test_holding_a_role_on_any_of_several_communes_agrees_with_one_check_per_commune():
    world = build_world()
    communes = [world.cenon, world.floirac]
    inactive = make_user("inactive@example.org", is_active=False)
    grant_role(inactive, Role.PUBLISHER, world.cenon)
    superuser = make_user("root@example.org", is_superuser=True)
    for user in [world.publisher, world.resident, world.facilitator, inactive, superuser,
                 AnonymousUser()]:
        for role in [Role.PUBLISHER, Role.FACILITATOR, Role.REVIEWER]:
            expected = any(has_role(user, role, commune) for commune in communes)
            assert has_role_on_any(user, role, communes) is expected, (user, role)
    assert has_role_on_any(world.publisher, Role.PUBLISHER, communes) is True
    assert has_role_on_any(world.resident, Role.PUBLISHER, communes) is False
    assert has_role_on_any(superuser, Role.PUBLISHER, []) is False
    with pytest.raises(ValueError):
        has_role_on_any(world.publisher, Role.PUBLISHER, [world.cenon, world.cycle])


@pytest.mark.django_db
def test_missing_pages_get_a_readable_404_in_the_site_layout(client, settings):
    settings.DEBUG = False
    build_world()
    response = client.get("/budgets/nope/")
    assert response.status_code == 404
    page = response.content.decode()
    assert "<h1>Page introuvable</h1>" in page and '<main id="contenu"' in page


@pytest.mark.django_db
@pytest.mark.parametrize("role,visible,hidden", [
    ("admin", ["/vote/bp-test/gestion/", "/vote/bp-test/codes/"], ["/vote/bp-test/certifier/"]),
    ("committee_member", ["/vote/bp-test/certifier/"], ["/vote/bp-test/gestion/"]),
    ("facilitator", ["/vote/bp-test/rencontres/", "/vote/bp-test/verifier-un-habitant/"],
     ["/vote/bp-test/gestion/"]),
    ("resident", [], ["/vote/bp-test/gestion/", "/vote/bp-test/certifier/", "/vote/bp-test/rencontres/"]),
])
def test_cycle_page_shows_staff_links_by_role(client, role, visible, hidden):
    world = build_world(phase="voting")
    client.force_login(getattr(world, role))
    page = client.get("/budgets/bp-test/").content.decode()
    assert "/vote/bp-test/registre/" in page
    for link in visible:
        assert link in page
    for link in hidden:
        assert link not in page
