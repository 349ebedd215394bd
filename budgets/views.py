"""Pages of budget cycles: the home page, one cycle's page, and the administrators'
timeline editor with its "close this phase now" action."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from budgets import policy, timeline
from budgets.forms import ClosePhaseForm, TimelineForm
from budgets.models import BudgetCycle, PhaseKind
from budgets.roles import is_administrator
from budgets.selectors import get_cycle_overview, list_cycle_overviews, roles_of
from budgets.services import close_phase_early, current_phase_of, set_timeline
from config.errors import NotAllowed
from config.throttling import limit_writes
from deliberation.selectors import cycle_thread


def home(request: HttpRequest) -> HttpResponse:
    """Every cycle with its current phase and dates."""
    return render(request, "budgets/home.html", {"overviews": list_cycle_overviews()})


def cycle_detail(request: HttpRequest, slug: str) -> HttpResponse:
    """Description, envelopes, phase timeline, what one can do now, the discussion."""
    overview = get_cycle_overview(slug)
    if overview is None:
        raise Http404
    return render(request, "budgets/cycle_detail.html", {
        "overview": overview, "cycle": overview.cycle, "roles": roles_of(request.user, overview.cycle),
        "thread": cycle_thread(overview.cycle, request.user),
    })


def _require_admin(request: HttpRequest) -> None:
    if not is_administrator(request.user):
        raise NotAllowed(_("Cette page est réservée aux administrateurs."))


@login_required
@limit_writes
def timeline_edit(request: HttpRequest, slug: str) -> HttpResponse:
    """The timeline editor (administrators): dates of every phase, and closing the current one."""
    cycle = get_object_or_404(BudgetCycle, slug=slug)
    _require_admin(request)
    now = timezone.now()
    phases = list(cycle.phases.all())
    form = TimelineForm(request.POST or None, phases=phases, now=now)
    if request.method == "POST" and form.is_valid():
        try:
            set_timeline(actor=request.user, cycle=cycle, phases=form.planned())
        except ValidationError as error:
            form.apply_service_errors(error)
        else:
            messages.success(request, _("Le calendrier est enregistré."))
            return redirect("budgets:timeline", slug=cycle.slug)
    current = policy.current_phase(phases, now)
    following = timeline.next_phase_after(phases, current) if current else None
    return render(request, "budgets/timeline_edit.html", {
        "cycle": cycle, "form": form, "rows": form.rows(), "current": current,
        "following": following, "close_form": ClosePhaseForm(),
    }, status=400 if form.errors else 200)


@require_POST
@login_required
@limit_writes
def phase_close(request: HttpRequest, slug: str) -> HttpResponse:
    """Close the current phase now (administrators); the vote closes on its own page, which
    warns about paper ballots still waiting for their second entry."""
    cycle = get_object_or_404(BudgetCycle, slug=slug)
    _require_admin(request)
    current = current_phase_of(cycle)
    if current is not None and current.kind == PhaseKind.VOTING:
        messages.info(request, _("Le vote se clôt depuis la page de gestion du vote, qui signale "
                                 "les bulletins papier encore en attente d’une seconde saisie."))
        return redirect("voting:manage", slug=cycle.slug)
    form = ClosePhaseForm(request.POST)
    start_next = form.is_valid() and form.cleaned_data["start_next"]
    opened = close_phase_early(actor=request.user, cycle=cycle, start_next=start_next)
    if opened is not None:
        messages.success(request, _("La phase est close. La phase « %(phase)s » est ouverte.")
                         % {"phase": opened.get_kind_display()})
    else:
        messages.success(request, _("La phase est close. Aucune phase n’est ouverte pour l’instant."))
    return redirect("budgets:timeline", slug=cycle.slug)
