"""Open-data pages: the list of published cycles, a cycle's files with their SHA-256, the files."""

from __future__ import annotations

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.utils.translation import gettext as _

from budgets.models import BudgetCycle
from opendata import store
from opendata.exports import current_publication


def index(request: HttpRequest) -> HttpResponse:
    """Cycles whose results are published, most recent publication first."""
    cycles = (BudgetCycle.objects.filter(result_publication__tally_run__is_current=True)
              .select_related("result_publication").order_by("-result_publication__published_at"))
    return render(request, "opendata/index.html", {"cycles": cycles})


def cycle_page(request: HttpRequest, cycle_slug: str) -> HttpResponse:
    """The cycle's files with their size and SHA-256; before the publication, when to come back.

    Reads the stored files' names, sizes and SHA-256 only (``opendata.store``): built once,
    on the first view after the publication or after a change of their inputs."""
    cycle = get_object_or_404(BudgetCycle, slug=cycle_slug)
    tables = store.stored_files(cycle, store.OPENDATA)
    pabulib = ([f for f in store.stored_files(cycle, store.BOARD) if f.kind == "pabulib"]
               if tables else [])
    return render(request, "opendata/cycle.html", {
        "cycle": cycle, "files": tables, "publication": current_publication(cycle) if tables else None,
        "tables": tables, "pabulib": pabulib,
    })


def download(request: HttpRequest, cycle_slug: str, filename: str) -> HttpResponse:
    """One file under its stable name; 404 before the publication or for an unknown name."""
    cycle = get_object_or_404(BudgetCycle, slug=cycle_slug)
    tables = store.stored_files(cycle, store.OPENDATA)
    if tables and filename.endswith(".pb"):
        candidates = store.stored_files(cycle, store.BOARD)
    else:
        candidates = tables
    for item in candidates:
        if item.name == filename and (item.kind == "pabulib") == filename.endswith(".pb"):
            return store.file_response(request, item, attachment=True)
    raise Http404(_("Ce fichier n’existe pas ou les résultats ne sont pas encore publiés."))
