"""The public bulletin board: counts and receipts during voting, open data after the close."""

from __future__ import annotations

from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, render
from django.utils.translation import gettext as _

from budgets.models import BudgetCycle
from config.errors import PhaseClosed
from voting import board


def board_page(request: HttpRequest, slug: str) -> HttpResponse:
    cycle = get_object_or_404(BudgetCycle, slug=slug)
    summary = board.board_summary(cycle)
    code = request.GET.get("recu", "").strip()
    lookup = board.lookup_receipt(cycle, code) if code else None
    files = board.pabulib_files(cycle) if summary.is_closed else []
    return render(request, "voting/board.html", {
        "cycle": cycle, "summary": summary, "code": code, "lookup": lookup, "files": files,
    })


def log_json(request: HttpRequest, slug: str) -> JsonResponse:
    cycle = get_object_or_404(BudgetCycle, slug=slug)
    return JsonResponse({"cycle": cycle.slug, "entries": board.public_log(cycle)},
                        json_dumps_params={"ensure_ascii": False})


def _require_closed(cycle: BudgetCycle) -> None:
    if not board.is_closed(cycle):
        raise PhaseClosed(_("Les bulletins ne sont publiés qu’après la clôture du vote."))


def ballots_json(request: HttpRequest, slug: str) -> JsonResponse:
    cycle = get_object_or_404(BudgetCycle, slug=slug)
    _require_closed(cycle)
    return JsonResponse({"cycle": cycle.slug, "ballots": board.final_ballots(cycle)},
                        json_dumps_params={"ensure_ascii": False})


def pabulib_file(request: HttpRequest, slug: str, envelope_id: int) -> HttpResponse:
    cycle = get_object_or_404(BudgetCycle, slug=slug)
    _require_closed(cycle)
    for published in board.pabulib_files(cycle):
        if published.envelope.pk == envelope_id:
            response = HttpResponse(published.text, content_type="text/plain; charset=utf-8")
            response["Content-Disposition"] = f'attachment; filename="{cycle.slug}-{envelope_id}.pb"'
            return response
    raise Http404(_("Enveloppe inconnue."))
