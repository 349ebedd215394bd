"""Public results page and the downloadable minutes (procès-verbal) of a cycle."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.utils.translation import get_language

from budgets.models import BudgetCycle
from reports.access import access_minutes, can_download_minutes
from reports.pdf import render_minutes
from reports.selectors import cycle_report


def results_detail(request: HttpRequest, cycle_slug: str) -> HttpResponse:
    """Anyone may read the results; before the tally the page says when they will appear."""
    cycle = get_object_or_404(BudgetCycle, slug=cycle_slug)
    return render(request, "reports/results_detail.html", {
        "cycle": cycle,
        "report": cycle_report(cycle),
        "can_download_minutes": can_download_minutes(request.user, cycle),
    })


@login_required
def minutes_pdf(request: HttpRequest, cycle_slug: str) -> HttpResponse:
    """The PDF minutes, for staff, the cycle's committee and the communes' publishers, in the
    page language (French unless the visitor chose English)."""
    cycle = access_minutes(request.user, cycle_slug)
    pdf = render_minutes(cycle, language=get_language() or "fr")
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="proces-verbal-{cycle.slug}.pdf"'
    response["Cache-Control"] = "private, no-store"
    return response
