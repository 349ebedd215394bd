"""The public bulletin board: counts and receipts during voting, open data after the close.

The files published after the close (anonymised ballots, pabulib files) are built once and
served from ``opendata.store`` (stored bytes, keyed by their inputs; see its docstring).
This is the one place where ``voting`` reads an app to its right: a view, never a service
(docs/decisions.md, "Stored public files").
"""

from __future__ import annotations

from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, render
from django.utils.translation import gettext as _

from budgets.models import BudgetCycle
from config.errors import PhaseClosed
from opendata import store  # to the right of voting: see the docstring
from voting import board
from voting.publication import results_published


def board_page(request: HttpRequest, slug: str) -> HttpResponse:
    cycle = get_object_or_404(BudgetCycle, slug=slug)
    summary = board.board_summary(cycle)
    code = request.GET.get("recu", "").strip()
    lookup = board.lookup_receipt(cycle, code) if code else None
    files = []
    if summary.is_closed:
        files = [f for f in store.stored_files(cycle, store.BOARD) if f.kind == "pabulib"]
    return render(request, "voting/board.html", {
        "cycle": cycle, "summary": summary, "code": code, "lookup": lookup, "files": files,
        "published": summary.is_closed and results_published(cycle),
    })


def log_json(request: HttpRequest, slug: str) -> JsonResponse:
    cycle = get_object_or_404(BudgetCycle, slug=slug)
    return JsonResponse({"cycle": cycle.slug, "entries": board.public_log(cycle)},
                        json_dumps_params={"ensure_ascii": False})


def _require_closed(cycle: BudgetCycle) -> None:
    if not board.is_closed(cycle):
        raise PhaseClosed(_("Les bulletins ne sont publiés qu’après la clôture du vote."))


def ballots_json(request: HttpRequest, slug: str) -> HttpResponse:
    cycle = get_object_or_404(BudgetCycle, slug=slug)
    _require_closed(cycle)
    for stored in store.stored_files(cycle, store.BOARD):
        if stored.kind == "bulletins":
            return store.file_response(request, stored, attachment=False)
    raise Http404(_("Ce fichier n’existe pas."))


def pabulib_file(request: HttpRequest, slug: str, envelope_id: int) -> HttpResponse:
    cycle = get_object_or_404(BudgetCycle, slug=slug)
    _require_closed(cycle)
    for stored in store.stored_files(cycle, store.BOARD):
        if stored.kind == "pabulib" and stored.envelope_pk == envelope_id:
            return store.file_response(request, stored, attachment=True)
    raise Http404(_("Enveloppe inconnue."))
