"""Build each public file once, store it, serve the stored bytes.

The public board (``voting.board_views``: the anonymised ballots JSON and one pabulib file
per envelope) and the open data (``opendata.views``: the CSV, JSON and XLSX tables, and the
same pabulib files) used to rebuild every file on every view: seconds of work per request
for a real cycle. Now each *bundle* of files is built once per state of its inputs and kept
in ``StoredFile`` rows.

- The **key** of a bundle is the SHA-256 of everything its builder reads
  (``voting.board.board_inputs``, ``opendata.exports.table_inputs``: the ballot-log head
  standing for the ballots, the cycle's settings, the envelopes, the proposals' fields,
  the publication and its run) and of the builders' own source code. Computing it takes a
  few small queries, none proportional to the number of ballots.
- A page or a download computes the current key and reads the rows stored under it: a file
  is served only while its inputs are unchanged, never stale. When no row has that key the
  bundle is built, then the key is computed again: if an input changed during the build,
  the build is redone (the rows always hold the bytes of their key).
- Concurrent first views: on PostgreSQL a per-cycle advisory lock lets one build while the
  others wait, then read its rows; everywhere, the unique (cycle, bundle, key, name)
  constraint and ``ignore_conflicts`` make a second insert of the same bytes a no-op.
- Superseded versions (another key, same cycle and bundle) are deleted when a new version
  is stored: no page can serve them any more, and the current bytes can always be rebuilt.
- A cast still waiting for the sequencer is chained before the key is computed, so the
  head the key holds is the head the builder sees.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

from django.conf import settings
from django.db import connection, transaction
from django.http import HttpRequest, HttpResponse
from django.utils import timezone
from django.utils.http import http_date
from django.utils.translation import gettext as _

from audit.chain import canonical
from budgets.models import BudgetCycle
from config.errors import Conflict
from opendata import exports
from opendata.models import StoredFile
from voting import board
from voting.models import PendingCast
from voting.services import sequence_pending

BOARD = "board"
OPENDATA = "opendata"
BUILD_LOCK = 0x50494E10  # advisory-lock namespace (first key) of the file builds
_LOCK_SECOND = {BOARD: 0, OPENDATA: 1}  # added to 2 * cycle id: one lock per cycle and bundle
_SOURCES = ("voting/board.py", "voting/tally.py", "budgets/allocation/pabulib.py",
            "opendata/exports.py", "opendata/xlsx.py", "opendata/store.py")
_BUILD_ATTEMPTS = 3


@cache
def code_digest() -> str:
    """SHA-256 of the builders' sources: a deployment that changes how a file is written
    changes every key, so no file written by the old code is served by the new."""
    digest = hashlib.sha256()
    root = Path(settings.BASE_DIR)
    for name in _SOURCES:
        digest.update(name.encode() + b"\0" + (root / name).read_bytes() + b"\0")
    return digest.hexdigest()


def _key(bundle: str, inputs: dict[str, Any]) -> str:
    body = {"bundle": bundle, "code": code_digest(), "inputs": inputs}
    return hashlib.sha256(canonical(body).encode("utf-8")).hexdigest()


@dataclass
class Built:
    """One file as a builder returns it, before it is stored."""

    name: str
    kind: str
    fmt: str
    media_type: str
    content: bytes
    envelope_pk: int | None = None
    envelope_name: str = ""
    command: str = ""


# --- The two bundles: key and builder ------------------------------------------------------


def board_key(cycle: BudgetCycle) -> str:
    return _key(BOARD, board.board_inputs(cycle))


def ballots_file_name(cycle: BudgetCycle) -> str:
    return f"{cycle.slug}-bulletins-anonymises.json"


def build_board(cycle: BudgetCycle) -> list[Built]:
    """The anonymised ballots JSON, then one pabulib file per envelope (envelope order)."""
    files = [Built(ballots_file_name(cycle), "bulletins", "JSON", "application/json",
                   board.final_ballots_json(cycle))]
    for item in exports.pabulib_open_files(cycle):
        files.append(Built(item.name, item.kind, item.fmt, item.media_type, item.content,
                           envelope_pk=item.envelope_pk, envelope_name=item.envelope_name,
                           command=item.command))
    return files


def opendata_key(cycle: BudgetCycle) -> str | None:
    """None before the publication (or when the published run is no longer current)."""
    publication = exports.current_publication(cycle)
    if publication is None:
        return None
    return _key(OPENDATA, exports.table_inputs(cycle, publication))


def build_opendata(cycle: BudgetCycle) -> list[Built]:
    publication = exports.current_publication(cycle)
    if publication is None:
        raise Conflict(_("Les résultats de ce cycle ne sont pas publiés."))
    return [Built(f.name, f.kind, f.fmt, f.media_type, f.content)
            for f in exports.table_files(cycle, publication)]


def _bundle(bundle: str) -> tuple[Callable[[BudgetCycle], str | None],
                                 Callable[[BudgetCycle], list[Built]]]:
    """The key function and the builder of a bundle (looked up at each call)."""
    if bundle == BOARD:
        return board_key, build_board
    if bundle == OPENDATA:
        return opendata_key, build_opendata
    raise ValueError(bundle)


# --- Storing and reading -------------------------------------------------------------------


def _chain_pending(cycle: BudgetCycle) -> None:
    """Chain any cast still waiting for the sequencer, so the key sees the final head."""
    if PendingCast.objects.filter(cycle_id=cycle.pk).exists():
        sequence_pending(cycle.pk, wait=True)


def _listing(cycle: BudgetCycle, bundle: str, key: str) -> list[StoredFile]:
    return list(StoredFile.objects.filter(cycle=cycle, bundle=bundle, key=key)
                .defer("content").order_by("position"))


@contextmanager
def _build_lock(cycle: BudgetCycle, bundle: str) -> Iterator[None]:
    """One build per cycle and bundle at a time (PostgreSQL); elsewhere, nothing."""
    if connection.vendor != "postgresql":
        yield
        return
    args = [BUILD_LOCK, 2 * cycle.pk + _LOCK_SECOND[bundle]]
    if connection.in_atomic_block:  # held until the caller's transaction ends
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s, %s)", args)
        yield
        return
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_advisory_lock(%s, %s)", args)
    try:
        yield
    finally:
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_unlock(%s, %s)", args)


def _store(cycle: BudgetCycle, bundle: str, key: str, built: list[Built]) -> None:
    now = timezone.now()
    rows = [StoredFile(
        cycle=cycle, bundle=bundle, key=key, name=item.name, position=position, kind=item.kind,
        fmt=item.fmt, media_type=item.media_type, envelope_pk=item.envelope_pk,
        envelope_name=item.envelope_name, command=item.command, content=item.content,
        sha256=hashlib.sha256(item.content).hexdigest(), size=len(item.content), created_at=now,
    ) for position, item in enumerate(built)]
    with transaction.atomic():
        StoredFile.objects.bulk_create(rows, ignore_conflicts=True)
        StoredFile.objects.filter(cycle=cycle, bundle=bundle).exclude(key=key).delete()


def stored_files(cycle: BudgetCycle, bundle: str) -> list[StoredFile]:
    """The bundle's files for the current inputs, without their bytes (``content`` is
    deferred), in page order; built and stored first if they are not yet. [] when the
    bundle does not exist yet (open data before the publication)."""
    key_of, build = _bundle(bundle)
    _chain_pending(cycle)
    key = key_of(cycle)
    if key is None:
        return []
    rows = _listing(cycle, bundle, key)
    if rows:
        return rows
    with _build_lock(cycle, bundle):
        key = key_of(cycle)  # another build may have finished, or the inputs moved, meanwhile
        if key is None:
            return []
        rows = _listing(cycle, bundle, key)
        if rows:
            return rows
        for _attempt in range(_BUILD_ATTEMPTS):
            built = build(cycle)
            after = key_of(cycle)
            if after == key:
                break
            if after is None:
                return []
            key = after
        else:
            raise Conflict(_("Les données de ce cycle changent en ce moment : réessayez dans un instant."))
        _store(cycle, bundle, key, built)
    return _listing(cycle, bundle, key)


def file_response(request: HttpRequest, stored: StoredFile, *, attachment: bool) -> HttpResponse:
    """The stored bytes with their media type, name, SHA-256 as ETag and caching headers.

    ``Cache-Control: no-cache``: a cache may keep the file but must revalidate it, because
    the same URL gives a new file when its inputs change; revalidation is cheap (a matching
    ``If-None-Match`` gets a 304 without reading the bytes)."""
    etag = f'"{stored.sha256}"'
    headers = {
        "ETag": etag,
        "X-Content-SHA256": stored.sha256,
        "X-Content-Type-Options": "nosniff",
        "Cache-Control": "public, no-cache",
        "Last-Modified": http_date(stored.created_at.timestamp()),
    }
    if attachment:
        headers["Content-Disposition"] = f'attachment; filename="{stored.name}"'
    if etag in [tag.strip() for tag in request.headers.get("If-None-Match", "").split(",")]:
        response = HttpResponse(status=304)
    else:
        content = StoredFile.objects.filter(pk=stored.pk).values_list("content", flat=True).first()
        if content is None:  # superseded and deleted between the listing and now
            raise Conflict(_("Ce fichier vient d’être mis à jour : réessayez."))
        response = HttpResponse(bytes(content), content_type=stored.media_type)
        headers["Content-Length"] = str(stored.size)
    for name, value in headers.items():
        response[name] = value
    return response
