"""The staff statistics dashboard of a cycle (administrators, committee, publishers)."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from reports.access import access_statistics
from reports.statistics import participation_statistics


@login_required
def statistics_dashboard(request: HttpRequest, cycle_slug: str) -> HttpResponse:
    """Participation tables with their charts and the representativeness tests, in words."""
    cycle = access_statistics(request.user, cycle_slug)
    return render(request, "reports/statistics_dashboard.html", {
        "cycle": cycle,
        "statistics": participation_statistics(cycle),
    })
