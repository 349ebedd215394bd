"""The proposal list: filters, full-text search (PostgreSQL) and its portable fallback,
sorts (with a stable random seed), pagination, and a query count that does not grow."""

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from deliberation.services import post_comment
from proposals.models import Proposal, ProposalStatus, Support
from proposals.selectors import list_proposals, search
from tests.builders import build_world, make_proposal, make_user

URL = "/propositions/bp-test/"


def titles(client, **params):
    page = client.get(URL, params).content.decode()
    return re.findall(r'<h2 class="h3"><a href="/propositions/p/\d+/">([^<]+)</a>', page)


def texts(world):
    rows = [
        ("Jardin partagé au parc Palmer", "Des bacs potagers pour les familles."),
        ("Piste cyclable rue Camille-Pelletan", "Relier le tram aux écoles."),
        ("Bancs et ombrières", "Des bancs à l’ombre près du jardin d’enfants."),
        ("Boîte à livres", "Une étagère protégée, ouverte à tous."),
    ]
    for title, description in rows:
        proposal = make_proposal(world, title=title)
        Proposal.objects.filter(pk=proposal.pk).update(description=description)


SEARCHES = {
    "jardin": {"Jardin partagé au parc Palmer", "Bancs et ombrières"},
    "JARDIN bacs": {"Jardin partagé au parc Palmer"},
    "pelletan": {"Piste cyclable rue Camille-Pelletan"},
    "ombre": {"Bancs et ombrières"},  # a word's beginning: "ombre", "ombrières"
    "livres étagère": {"Boîte à livres"},
    "ardin": set(),  # inside a word: no match either way
    "vélo": set(),
}


@pytest.mark.django_db
@pytest.mark.parametrize(("query", "expected"), sorted(SEARCHES.items()))
def test_search_finds_words_by_their_beginning_on_this_database(client, query, expected):
    world = build_world(phase="deliberation")
    texts(world)
    assert set(titles(client, q=query)) == expected


@pytest.mark.django_db
def test_full_text_search_and_the_portable_fallback_agree_on_postgresql(on_postgres):
    world = build_world(phase="deliberation")
    texts(world)
    base = Proposal.objects.filter(cycle=world.cycle)
    for query, expected in SEARCHES.items():
        full_text = set(search(base, query, full_text=True).values_list("title", flat=True))
        portable = set(search(base, query, full_text=False).values_list("title", flat=True))
        assert full_text == portable == expected, query


@pytest.mark.django_db
def test_the_list_filters_by_district_and_never_shows_drafts(client):
    world = build_world(phase="submission")
    palmer = make_proposal(world, title="A Palmer", feasible=False)
    Proposal.objects.filter(pk=palmer.pk).update(district=world.cenon_district)
    make_proposal(world, title="Ailleurs", feasible=False)
    make_proposal(world, title="Mon brouillon", feasible=False, status=ProposalStatus.DRAFT)
    assert set(titles(client)) == {"A Palmer", "Ailleurs"}
    assert titles(client, district=world.cenon_district.pk) == ["A Palmer"]
    # "draft" is not a choice: the form is invalid, its error is shown, no draft is listed.
    response = client.get(URL, {"status": "draft"}).content.decode()
    assert 'class="error-summary"' in response and "Mon brouillon" not in response
    client.force_login(world.resident)
    assert "Mon brouillon" not in titles(client)


@pytest.mark.django_db
def test_sorts_by_supports_discussion_and_newest(client):
    world = build_world(phase="deliberation")
    old = make_proposal(world, title="Ancienne")
    supported = make_proposal(world, title="Soutenue")
    discussed = make_proposal(world, title="Débattue")
    for user in (world.resident, world.second_resident):
        Support.objects.create(proposal=supported, user=user)
    post_comment(author=world.resident, proposal=discussed, body="Oui")
    post_comment(author=world.second_resident, proposal=discussed, body="Non")
    Proposal.objects.filter(pk=old.pk).update(submitted_at="2020-01-01T00:00:00Z")
    Proposal.objects.filter(pk=supported.pk).update(submitted_at="2021-01-01T00:00:00Z")
    Proposal.objects.filter(pk=discussed.pk).update(submitted_at="2022-01-01T00:00:00Z")
    assert titles(client, sort="soutiens")[0] == "Soutenue"
    assert titles(client, sort="debattues")[0] == "Débattue"
    assert titles(client) == ["Débattue", "Soutenue", "Ancienne"]
    assert titles(client, sort="titre") == ["Ancienne", "Débattue", "Soutenue"]
    page = client.get(URL).content.decode()
    assert "2 soutiens" in page and "2 commentaires" in page


@pytest.mark.django_db
def test_random_order_gets_a_seed_in_the_address_and_keeps_it(client):
    world = build_world(phase="deliberation")
    for index in range(30):
        make_proposal(world, title=f"Projet {index:02d}")
    response = client.get(URL, {"sort": "hasard"})
    assert response.status_code == 302
    location = response["Location"]
    seed = re.search(r"seed=(\d+)", location).group(1)
    first = client.get(location).content.decode()
    again = client.get(location).content.decode()
    assert titles(client, sort="hasard", seed=seed) == titles(client, sort="hasard", seed=seed)
    assert f"seed={seed}" in first and "page=2" in first  # the next page keeps the seed
    order = re.compile(r'<h2 class="h3"><a href="/propositions/p/\d+/">([^<]+)</a>')
    assert order.findall(first) == order.findall(again)
    orders = {tuple(titles(client, sort="hasard", seed=s)) for s in (1, 2, 3)}
    assert len(orders) > 1
    seen = titles(client, sort="hasard", seed=seed) + titles(client, sort="hasard", seed=seed,
                                                             page=2)
    assert sorted(seen) == [f"Projet {i:02d}" for i in range(30)]  # no overlap, none missing


def add_discussed_proposals(world, start, count):
    for index in range(start, start + count):
        author = make_user(f"a{index}@example.org", commune=world.cenon)
        proposal = make_proposal(world, title=f"Projet {index:02d}", author=author)
        Support.objects.create(proposal=proposal, user=author)
        post_comment(author=author, proposal=proposal, body="Un avis")


@pytest.mark.django_db
def test_the_list_page_runs_the_same_few_queries_for_5_or_50_proposals(
    client, django_assert_max_num_queries,
):
    world = build_world(phase="deliberation")
    client.force_login(world.resident)
    counts = []
    for start, count in ((0, 5), (5, 45)):  # 5 proposals, then 50
        add_discussed_proposals(world, start, count)
        with django_assert_max_num_queries(12), CaptureQueriesContext(connection) as queries:
            response = client.get(URL, {"sort": "soutiens", "q": "projet"})
        assert response.status_code == 200
        counts.append(len(queries))
    assert counts[0] == counts[1]
    assert "50 propositions" in response.content.decode()


@pytest.mark.django_db
def test_list_proposals_counts_only_visible_comments():
    world = build_world(phase="deliberation")
    proposal = make_proposal(world)
    post_comment(author=world.resident, proposal=proposal, body="Visible")
    hidden = post_comment(author=world.second_resident, proposal=proposal, body="Masqué")
    type(hidden).objects.filter(pk=hidden.pk).update(is_hidden=True)
    row = list_proposals(cycle=world.cycle).get()
    assert row.visible_comment_count == 1 and row.support_count == 0
    assert connection.vendor in {"sqlite", "postgresql"}
