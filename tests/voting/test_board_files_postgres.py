"""Simultaneous first views on PostgreSQL: one build, one row per file, the right bytes."""

import threading
from concurrent.futures import ThreadPoolExecutor

import pytest
from django.db import connections

from budgets.models import BudgetCycle
from opendata import store
from opendata.exports import published_files
from opendata.models import StoredFile
from tests.opendata.test_opendata import published_world
from voting.board import final_ballots_json

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.postgres]


def test_simultaneous_first_views_build_once_and_store_each_file_once(on_postgres, monkeypatch):
    w = published_world()
    calls: list[str] = []
    guard = threading.Lock()
    for name in ("build_board", "build_opendata"):
        real = getattr(store, name)

        def counting(cycle, real=real, name=name):
            with guard:
                calls.append(name)
            return real(cycle)

        monkeypatch.setattr(store, name, counting)
    barrier = threading.Barrier(8)

    def view(i):
        try:
            cycle = BudgetCycle.objects.get(pk=w.cycle.pk)
            barrier.wait()
            bundle = store.BOARD if i % 2 else store.OPENDATA
            return [(f.name, f.sha256) for f in store.stored_files(cycle, bundle)]
        finally:
            connections.close_all()

    with ThreadPoolExecutor(max_workers=8) as pool:
        results = list(pool.map(view, range(8)))
    assert sorted(calls) == ["build_board", "build_opendata"]  # the others waited, then read
    assert all(result == results[i % 2] for i, result in enumerate(results))
    fresh = {f.name: f.content for f in published_files(w.cycle)}
    fresh[store.ballots_file_name(w.cycle)] = final_ballots_json(w.cycle)
    stored = {row.name: bytes(row.content) for row in StoredFile.objects.all()}
    assert stored == fresh  # one row per file, each the bytes of a fresh build
    assert StoredFile.objects.count() == len(fresh)


def test_a_second_insert_of_the_same_key_is_a_no_op(on_postgres):
    w = published_world()
    files = store.stored_files(w.cycle, store.BOARD)
    key = files[0].key
    store._store(w.cycle, store.BOARD, key, store.build_board(w.cycle))
    assert StoredFile.objects.filter(bundle=store.BOARD).count() == len(files)
