"""Open-data pages: the list of published cycles, a cycle's files with their SHA-256, the files."""

from __future__ import annotations

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.utils.translation import gettext as _

from budgets.models import BudgetCycle
from opendata.exports import published_files
from voting.publication import publication_of


def index(request: HttpRequest) -> HttpResponse:
    """Cycles whose results are published, most recent publication first."""
    cycles = (BudgetCycle.objects.filter(result_publication__tally_run__is_current=True)
              .select_related("result_publication").order_by("-result_publication__published_at"))
    return render(request, "opendata/index.html", {"cycles": cycles})


def cycle_page(request: HttpRequest, cycle_slug: str) -> HttpResponse:
    """The cycle's files with their size and SHA-256; before the publication, when to come back."""
    cycle = get_object_or_404(BudgetCycle, slug=cycle_slug)
    files = published_files(cycle)
    return render(request, "opendata/cycle.html", {
        "cycle": cycle, "files": files, "publication": publication_of(cycle) if files else None,
        "tables": [f for f in files if f.kind != "pabulib"],
        "pabulib": [f for f in files if f.kind == "pabulib"],
    })


def download(request: HttpRequest, cycle_slug: str, filename: str) -> HttpResponse:
    """One file under its stable name; 404 before the publication or for an unknown name."""
    cycle = get_object_or_404(BudgetCycle, slug=cycle_slug)
    for item in published_files(cycle):
        if item.name == filename:
            response = HttpResponse(item.content, content_type=item.media_type)
            response["Content-Disposition"] = f'attachment; filename="{item.name}"'
            response["X-Content-SHA256"] = item.sha256
            response["X-Content-Type-Options"] = "nosniff"
            return response
    raise Http404(_("Ce fichier n’existe pas ou les résultats ne sont pas encore publiés."))
