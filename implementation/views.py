"""Commune decision reports (page, PDFs, publication) and implementation tracking pages."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from budgets import policy
from budgets.models import BudgetCycle
from budgets.services import current_phase_of, require_phase_allows
from config.errors import Conflict, NotAllowed
from config.forms import apply_validation_error
from config.throttling import limit_writes
from implementation import selectors, services
from implementation.documents import present, render_report_pdf
from implementation.forms import MILESTONE_FIELDS, MilestoneForm
from implementation.models import CommuneReport
from proposals.models import Proposal
from territory.models import Commune

LANGUAGES = ("fr", "en")


def _cycle_and_commune(cycle_slug: str, commune_slug: str) -> tuple[BudgetCycle, Commune]:
    """The cycle and one of its communes (one with an envelope in it), or 404."""
    cycle = get_object_or_404(BudgetCycle, slug=cycle_slug)
    commune = get_object_or_404(Commune, slug=commune_slug, envelopes__cycle=cycle)
    return cycle, commune


def _phase_allows(cycle: BudgetCycle, action: policy.Action) -> bool:
    phase = current_phase_of(cycle)
    return policy.phase_allows(phase.kind if phase else None, action)


def _language() -> str:
    return "en" if (get_language() or "fr").startswith("en") else "fr"


def reports_index(request: HttpRequest, cycle_slug: str) -> HttpResponse:
    """The cycle's communes and the latest published version of each one's report."""
    cycle = get_object_or_404(BudgetCycle, slug=cycle_slug)
    latest = selectors.latest_reports(cycle)
    rows = [(commune, latest.get(commune.pk)) for commune in selectors.cycle_communes(cycle)]
    return render(request, "implementation/reports_index.html", {"cycle": cycle, "rows": rows})


def commune_report(request: HttpRequest, cycle_slug: str, commune_slug: str) -> HttpResponse:
    """The latest published version for everyone; the live draft for the commune's publishers
    and administrators, clearly marked as such, with the publish button."""
    cycle, commune = _cycle_and_commune(cycle_slug, commune_slug)
    versions = list(selectors.report_versions(cycle, commune))
    language = _language()
    context: dict[str, Any] = {
        "cycle": cycle, "commune": commune, "versions": versions,
        "published": present(versions[0].snapshot, language) if versions else None,
        "latest": versions[0] if versions else None,
        "can_publish": services.can_act_for(request.user, commune),
    }
    if context["can_publish"]:
        run = selectors.published_run(cycle)
        context["results_ready"] = run is not None
        context["phase_allows_publish"] = _phase_allows(cycle, policy.Action.PUBLISH)
        if run is not None:
            context["draft"] = present(selectors.commune_snapshot(cycle, commune, run), language)
    return render(request, "implementation/commune_report.html", context)


@login_required
@require_POST
@limit_writes
def commune_report_publish(request: HttpRequest, cycle_slug: str, commune_slug: str) -> HttpResponse:
    """Publish the next version. A conflict (nothing changed, results not published) comes
    back on the report page; a role or phase refusal gets the refusal page."""
    cycle, commune = _cycle_and_commune(cycle_slug, commune_slug)
    try:
        report = services.publish_commune_report(actor=request.user, cycle=cycle, commune=commune)
    except Conflict as exc:
        messages.error(request, str(exc.message))
    else:
        messages.success(request, _("Version %(version)d du rapport publiée.")
                         % {"version": report.version})
    return redirect("implementation:commune_report", cycle_slug=cycle.slug, commune_slug=commune.slug)


def _pdf_response(pdf: bytes, filename: str, *, private: bool) -> HttpResponse:
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="{filename}"'
    if private:
        response["Cache-Control"] = "private, no-store"
    return response


def commune_report_pdf(request: HttpRequest, cycle_slug: str, commune_slug: str, version: int,
                       language: str) -> HttpResponse:
    """A published version's stored PDF, byte for byte (its SHA-256 is on the page)."""
    if language not in LANGUAGES:
        raise Http404
    cycle, commune = _cycle_and_commune(cycle_slug, commune_slug)
    report = get_object_or_404(CommuneReport, cycle=cycle, commune=commune, version=version)
    return _pdf_response(report.pdf(language),
                         f"rapport-{cycle.slug}-{commune.slug}-v{version}-{language}.pdf",
                         private=False)


@login_required
def commune_report_draft_pdf(request: HttpRequest, cycle_slug: str, commune_slug: str) -> HttpResponse:
    """The draft as PDF (marked as such), for the commune's publishers and administrators."""
    cycle, commune = _cycle_and_commune(cycle_slug, commune_slug)
    if not services.can_act_for(request.user, commune):
        raise NotAllowed(_("Le brouillon du rapport est réservé aux personnes chargées de la "
                           "publication pour cette commune et aux administrateurs."))
    run = selectors.published_run(cycle)
    if run is None:
        raise Http404
    language = _language()
    pdf = render_report_pdf(selectors.commune_snapshot(cycle, commune, run), language=language,
                            version=None, published_at=None, generated_at=timezone.now())
    return _pdf_response(pdf, f"rapport-{cycle.slug}-{commune.slug}-brouillon-{language}.pdf",
                         private=True)


def tracking_cycle(request: HttpRequest, cycle_slug: str) -> HttpResponse:
    """Every funded project of the cycle with its status, progress and milestones."""
    cycle = get_object_or_404(BudgetCycle, slug=cycle_slug)
    run = selectors.published_run(cycle)
    projects = selectors.tracked_projects(run) if run else []
    return render(request, "implementation/tracking.html", {
        "cycle": cycle, "commune": None, "results_ready": run is not None, "projects": projects,
        "communes": selectors.cycle_communes(cycle),
        "trackable": _trackable(request.user, cycle, projects),
    })


def tracking_commune(request: HttpRequest, cycle_slug: str, commune_slug: str) -> HttpResponse:
    cycle, commune = _cycle_and_commune(cycle_slug, commune_slug)
    run = selectors.published_run(cycle)
    projects = selectors.tracked_projects(run, commune) if run else []
    return render(request, "implementation/tracking.html", {
        "cycle": cycle, "commune": commune, "results_ready": run is not None, "projects": projects,
        "communes": selectors.cycle_communes(cycle),
        "trackable": _trackable(request.user, cycle, projects),
    })


def _trackable(user: Any, cycle: BudgetCycle, projects: list[selectors.TrackedProject]) -> set[int]:
    """Ids of the listed projects whose milestone form ``user`` may open now (for the links)."""
    if not getattr(user, "is_authenticated", False) or not _phase_allows(cycle, policy.Action.TRACK):
        return set()
    communes = {p.proposal.commune for p in projects}
    allowed = {c.pk for c in communes if services.can_act_for(user, c)}
    return {p.proposal.pk for p in projects if p.proposal.commune_id in allowed
            and p.status != "delivered"}


@login_required
@require_http_methods(["GET", "POST"])
@limit_writes
def milestone_add(request: HttpRequest, pk: int) -> HttpResponse:
    proposal = get_object_or_404(Proposal.objects.select_related("cycle", "commune"), pk=pk)
    if not services.can_act_for(request.user, proposal.commune):
        raise NotAllowed(_("Seules les personnes chargées de la publication pour la commune du "
                           "projet et les administrateurs peuvent suivre sa réalisation."))
    require_phase_allows(proposal.cycle, policy.Action.TRACK)
    form = MilestoneForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.record_milestone(
                actor=request.user, proposal=proposal, happened_on=data["happened_on"],
                title=data["title"], note=data["note"], progress=data["progress"],
                delivered=data["delivered"])
        except ValidationError as exc:
            apply_validation_error(form, exc, MILESTONE_FIELDS)
        else:
            messages.success(request, _("Le jalon est enregistré et publié."))
            return redirect("implementation:tracking_commune", cycle_slug=proposal.cycle.slug,
                            commune_slug=proposal.commune.slug)
    run = selectors.published_run(proposal.cycle)
    tracked = [p for p in (selectors.tracked_projects(run, proposal.commune) if run else [])
               if p.proposal.pk == proposal.pk]
    return render(request, "implementation/milestone_add.html", {
        "proposal": proposal, "cycle": proposal.cycle, "form": form,
        "project": tracked[0] if tracked else None,
    })
