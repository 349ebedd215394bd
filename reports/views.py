"""Public results page and the downloadable minutes (procès-verbal) of a cycle."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.utils.translation import get_language

from budgets.models import BudgetCycle
from budgets.roles import Role, has_role, is_administrator
from reports.access import access_minutes, can_download_minutes
from reports.pdf import render_minutes
from reports.selectors import cycle_report


def can_preview_results(user: Any, cycle: BudgetCycle) -> bool:
    """Administrators and the cycle's committee read the results before they are published."""
    return bool(getattr(user, "is_authenticated", False)
                and (is_administrator(user) or has_role(user, Role.COMMITTEE, cycle)))


def results_detail(request: HttpRequest, cycle_slug: str) -> HttpResponse:
    """Anyone may read the published results; before the publication the page says when
    they will appear, and only the staff and the committee see a preview marked as not
    published."""
    cycle = get_object_or_404(BudgetCycle, slug=cycle_slug)
    report = cycle_report(cycle)
    preview = not report.is_published and can_preview_results(request.user, cycle)
    response = render(request, "reports/results_detail.html", {
        "cycle": cycle,
        "report": report,
        "show_results": report.is_tallied and (report.is_published or preview),
        "is_preview": preview and report.is_tallied,
        "can_download_minutes": can_download_minutes(request.user, cycle),
    })
    if not report.is_published:
        response["Cache-Control"] = "private, no-store"  # never cache a preview or the wait
    return response


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
