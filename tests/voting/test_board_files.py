"""The board's published files are built once, stored, and served while their inputs last:
a second view does not rebuild, a changed input gives a new file, the bytes served are
those of a fresh build and the SHA-256 shown is theirs."""

import hashlib
import json

import pytest

from budgets.models import PhaseKind
from budgets.services import close_voting
from opendata import store
from opendata.models import StoredFile
from tests.builders import build_world, make_proposal, set_phase
from voting import board
from voting.board import pabulib_files
from voting.publication import publish_results
from voting.services import cast_ballot
from voting.tally import certify_result, run_tally

pytestmark = pytest.mark.django_db


def closed_world():
    w = build_world(phase=PhaseKind.VOTING)
    w.a = make_proposal(w, title="Jardin", cost_cents=60_000_00)
    w.b = make_proposal(w, title="Bancs", cost_cents=50_000_00)
    w.t = make_proposal(w, title="Navette", envelope=w.territory_envelope, cost_cents=90_000_00)
    cast_ballot(voter=w.resident, cycle=w.cycle, proposal_ids=[w.a.pk, w.t.pk])
    cast_ballot(voter=w.second_resident, cycle=w.cycle, proposal_ids=[w.a.pk, w.b.pk])
    close_voting(actor=w.admin, cycle=w.cycle)
    return w


@pytest.fixture
def builds(monkeypatch):
    """Counts the board builds (the builder itself still runs)."""
    calls = []
    real = store.build_board

    def counting(cycle):
        calls.append(cycle.pk)
        return real(cycle)

    monkeypatch.setattr(store, "build_board", counting)
    return calls


def pb_url(w, envelope):
    return f"/vote/bp-test/registre/enveloppe-{envelope.pk}.pb"


def test_a_second_view_and_the_downloads_do_not_rebuild(client, builds):
    w = closed_world()
    assert not StoredFile.objects.exists()
    assert client.get("/vote/bp-test/registre/").status_code == 200
    assert builds == [w.cycle.pk]
    client.get("/vote/bp-test/registre/")
    client.get("/vote/bp-test/registre/bulletins.json")
    client.get(pb_url(w, w.cenon_envelope))
    assert builds == [w.cycle.pk]
    # One row per file: the ballots JSON and one pabulib file per envelope.
    assert StoredFile.objects.filter(bundle="board").count() == 1 + w.cycle.envelopes.count()


def test_the_bytes_served_are_a_fresh_build_and_the_sha256_shown_is_theirs(client):
    w = closed_world()
    page = client.get("/vote/bp-test/registre/").content.decode()
    for fresh in pabulib_files(w.cycle):
        response = client.get(pb_url(w, fresh.envelope))
        assert response.status_code == 200
        assert response.content == fresh.text.encode("utf-8")
        digest = hashlib.sha256(response.content).hexdigest()
        assert digest == fresh.sha256 and digest in page and fresh.command in page
        assert response["ETag"] == f'"{digest}"'
        assert response["Content-Type"] == "text/plain; charset=utf-8"
        assert response["Content-Disposition"] == f'attachment; filename="bp-test-{fresh.envelope.pk}.pb"'
        assert response["Cache-Control"] == "public, no-cache"
        assert response["Content-Length"] == str(len(fresh.text.encode("utf-8")))
    ballots = client.get("/vote/bp-test/registre/bulletins.json")
    assert ballots["Content-Type"] == "application/json"
    assert ballots.content == board.final_ballots_json(w.cycle)
    assert json.loads(ballots.content) == {"cycle": "bp-test", "ballots": board.final_ballots(w.cycle)}


def test_a_matching_etag_gets_a_304_without_the_bytes(client):
    w = closed_world()
    first = client.get(pb_url(w, w.cenon_envelope))
    again = client.get(pb_url(w, w.cenon_envelope), HTTP_IF_NONE_MATCH=first["ETag"])
    assert again.status_code == 304 and again.content == b""
    assert again["ETag"] == first["ETag"]
    other = client.get(pb_url(w, w.cenon_envelope), HTTP_IF_NONE_MATCH='"autre"')
    assert other.status_code == 200 and other.content == first.content


def test_a_new_log_head_gives_new_files_and_drops_the_old_ones(client, builds):
    w = closed_world()
    before = client.get(pb_url(w, w.cenon_envelope))
    old_key = StoredFile.objects.values_list("key", flat=True).first()
    # The vote reopens (as a test may do) and a third ballot moves the head of the log.
    set_phase(w.cycle, PhaseKind.VOTING)
    cast_ballot(voter=w.floirac_resident, cycle=w.cycle, proposal_ids=[w.t.pk])
    close_voting(actor=w.admin, cycle=w.cycle)
    after = client.get(pb_url(w, w.territory_envelope))
    assert len(builds) == 2
    assert after.content == [f for f in pabulib_files(w.cycle)
                             if f.envelope == w.territory_envelope][0].text.encode("utf-8")
    ballots = client.get("/vote/bp-test/registre/bulletins.json").json()["ballots"]
    assert len(ballots) == 3
    assert not StoredFile.objects.filter(key=old_key).exists()  # superseded versions go
    # Cenon's file counts no new ballot, but its seed (the head) moved with the log.
    assert client.get(pb_url(w, w.cenon_envelope))["ETag"] != before["ETag"]
    assert len(builds) == 2


def test_a_renamed_proposal_or_a_changed_rule_gives_a_new_file(client, builds):
    w = closed_world()
    client.get("/vote/bp-test/registre/")
    w.a.title = "Jardin partagé"
    w.a.save(update_fields=["title"])
    response = client.get(pb_url(w, w.cenon_envelope))
    assert "Jardin partagé" in response.content.decode()
    assert len(builds) == 2
    w.cenon_envelope.rule = "mes"
    w.cenon_envelope.save(update_fields=["rule"])
    response = client.get(pb_url(w, w.cenon_envelope))
    assert "mes" in response.content.decode().split("PROJECTS")[0]
    assert response.content == [f for f in pabulib_files(w.cycle)
                                if f.envelope == w.cenon_envelope][0].text.encode("utf-8")
    assert len(builds) == 3


def test_new_builder_code_gives_new_files(client, builds, monkeypatch):
    closed_world()
    client.get("/vote/bp-test/registre/")
    monkeypatch.setattr(store, "code_digest", lambda: "0" * 64)
    client.get("/vote/bp-test/registre/")
    assert len(builds) == 2


def test_an_input_changed_during_the_build_is_not_stored_under_the_old_key(monkeypatch):
    w = closed_world()
    real = store.build_board
    renamed = []

    def racing(cycle):
        built = real(cycle)
        if not renamed:  # someone renames a proposal while the first build runs
            w.b.title = "Bancs publics"
            w.b.save(update_fields=["title"])
            renamed.append(True)
        return built

    monkeypatch.setattr(store, "build_board", racing)
    files = store.stored_files(w.cycle, store.BOARD)
    cenon = [f for f in files if f.envelope_pk == w.cenon_envelope.pk][0]
    content = bytes(StoredFile.objects.get(pk=cenon.pk).content)
    assert "Bancs publics" in content.decode()
    assert StoredFile.objects.values("key").distinct().count() == 1


def test_the_board_page_reads_stored_metadata_only(client, django_assert_max_num_queries):
    w = closed_world()
    client.get("/vote/bp-test/registre/")  # first view: builds
    with django_assert_max_num_queries(10) as captured:
        assert client.get("/vote/bp-test/registre/").status_code == 200
    sql = " ".join(q["sql"] for q in captured.captured_queries)
    assert "voting_ballotchoice" not in sql  # no ballot is read again
    assert '"opendata_storedfile"."content"' not in sql  # nor any stored bytes
    with django_assert_max_num_queries(8):
        assert client.get(pb_url(w, w.cenon_envelope)).status_code == 200


def test_the_board_links_to_the_open_data_once_the_results_are_published(client):
    w = closed_world()
    assert "/donnees-ouvertes/bp-test/" not in client.get("/vote/bp-test/registre/").content.decode()
    set_phase(w.cycle, PhaseKind.RESULTS)
    run = run_tally(actor=w.admin, cycle=w.cycle)
    certify_result(member=w.committee_member, tally_run=run)
    assert "/donnees-ouvertes/bp-test/" not in client.get("/vote/bp-test/registre/").content.decode()
    publish_results(actor=w.admin, cycle=w.cycle)
    page = client.get("/vote/bp-test/registre/").content.decode()
    assert 'href="/donnees-ouvertes/bp-test/"' in page
