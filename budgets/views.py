"""Public pages of budget cycles: the home page and one cycle's page."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render

from budgets.models import BudgetCycle


def home(request: HttpRequest) -> HttpResponse:
    cycles = BudgetCycle.objects.prefetch_related("phases")
    return render(request, "budgets/home.html", {"cycles": cycles})


def cycle_detail(request: HttpRequest, slug: str) -> HttpResponse:
    cycle = get_object_or_404(BudgetCycle, slug=slug)
    return render(request, "budgets/cycle_detail.html", {"cycle": cycle})
