"""Open data served from stored files: built once after the publication, the page reads
names, sizes and SHA-256 only, downloads are the bytes of a fresh build, and a change of
what a file is made from (a proposal's status, its title) gives a new file."""

import hashlib

import pytest

from opendata import store
from opendata.exports import published_files
from opendata.models import StoredFile
from proposals.models import Proposal
from tests.opendata.test_opendata import certified_world, download, page, published_world

pytestmark = pytest.mark.django_db


@pytest.fixture
def builds(monkeypatch):
    calls = []
    for name in ("build_board", "build_opendata"):
        real = getattr(store, name)

        def counting(cycle, real=real, name=name):
            calls.append(name)
            return real(cycle)

        monkeypatch.setattr(store, name, counting)
    return calls


def test_nothing_is_built_or_stored_before_the_publication(client, builds):
    w = certified_world()
    assert page(client, w).status_code == 200
    assert download(client, w, f"{w.cycle.slug}-resultats.csv").status_code == 404
    assert download(client, w, f"{w.cycle.slug}-{w.cenon_envelope.pk}.pb").status_code == 404
    assert builds == [] and not StoredFile.objects.exists()


def test_the_files_are_built_once_then_served_from_the_store(client, builds):
    w = published_world()
    assert page(client, w).status_code == 200
    assert sorted(builds) == ["build_board", "build_opendata"]
    page(client, w)
    for item in published_files(w.cycle):
        download(client, w, item.name)
    assert sorted(builds) == ["build_board", "build_opendata"]


def test_every_download_is_a_fresh_build_with_the_sha256_the_page_shows(client):
    w = published_world()
    shown = page(client, w).content.decode()
    fresh = published_files(w.cycle)
    assert len(fresh) == 7 + w.cycle.envelopes.count()
    for item in fresh:
        response = download(client, w, item.name)
        assert response.status_code == 200, item.name
        assert response.content == item.content, item.name
        digest = hashlib.sha256(response.content).hexdigest()
        assert digest == item.sha256 and digest in shown
        assert response["ETag"] == f'"{digest}"' and response["X-Content-SHA256"] == digest
        assert response["Content-Type"] == item.media_type
        assert response["Content-Disposition"] == f'attachment; filename="{item.name}"'
        assert response["X-Content-Type-Options"] == "nosniff"
        assert response["Cache-Control"] == "public, no-cache"


def test_a_pabulib_name_is_not_served_as_a_table_nor_the_reverse(client):
    w = published_world()
    page(client, w)
    assert download(client, w, f"{w.cycle.slug}-bulletins-anonymises.json").status_code == 404
    assert download(client, w, f"{w.cycle.slug}-999999.pb").status_code == 404


def test_a_status_change_after_the_publication_gives_a_new_proposals_file(client, builds):
    w = published_world()
    name = f"{w.cycle.slug}-propositions.csv"
    before = download(client, w, name)
    assert "in_progress" not in before.content.decode()
    Proposal.objects.filter(pk=w.a.pk).update(status="in_progress")  # as tracking would
    after = download(client, w, name)
    assert "in_progress" in after.content.decode()
    assert after["ETag"] != before["ETag"]
    assert after.content == [f for f in published_files(w.cycle) if f.name == name][0].content
    assert builds == ["build_opendata", "build_opendata"]  # a table download needs no pabulib
    assert StoredFile.objects.filter(bundle="opendata").values("key").distinct().count() == 1


def test_the_page_reads_only_stored_metadata_in_a_bounded_number_of_queries(
        client, django_assert_max_num_queries):
    w = published_world()
    page(client, w)
    with django_assert_max_num_queries(14) as captured:
        response = page(client, w)
    assert response.status_code == 200
    sql = " ".join(q["sql"] for q in captured.captured_queries)
    assert "voting_ballotchoice" not in sql and '"opendata_storedfile"."content"' not in sql
    with django_assert_max_num_queries(10):  # a table: no pabulib key to compute
        assert download(client, w, f"{w.cycle.slug}-bulletins.csv").status_code == 200
