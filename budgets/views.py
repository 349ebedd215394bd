"""Public pages of budget cycles: the home page and one cycle's page."""

from __future__ import annotations

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render

from budgets.selectors import get_cycle_overview, list_cycle_overviews, roles_of


def home(request: HttpRequest) -> HttpResponse:
    """Every cycle with its current phase and dates."""
    return render(request, "budgets/home.html", {"overviews": list_cycle_overviews()})


def cycle_detail(request: HttpRequest, slug: str) -> HttpResponse:
    """Description, envelopes, phase timeline and what one can do now."""
    overview = get_cycle_overview(slug)
    if overview is None:
        raise Http404
    return render(request, "budgets/cycle_detail.html", {
        "overview": overview, "cycle": overview.cycle, "roles": roles_of(request.user, overview.cycle),
    })
