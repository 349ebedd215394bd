"""Proposal pages: list with filters, submission, detail, feasibility review, review queue.

Views parse with a form, call one service or selector, and render. Domain refusals
(PhaseClosed, NotAllowed) propagate to ``config.errors.DomainErrorMiddleware``, which
renders them on ``refused.html``; field problems from services become form errors.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from budgets.models import BudgetCycle
from budgets.policy import Action, phase_allows
from budgets.roles import Role, has_role
from budgets.services import current_phase_of, require_phase_allows
from config.errors import NotAllowed
from config.forms import apply_validation_error
from config.throttling import limit_writes
from proposals import selectors
from proposals.forms import ProposalFilterForm, ProposalForm, ReviewForm
from proposals.models import Proposal
from proposals.services import review_proposal, submit_proposal

PAGE_SIZE = 25
SUBMIT_FIELDS = {"estimated_cost_cents": "estimated_cost"}
REVIEW_FIELDS = {"validated_cost_cents": "validated_cost"}


def _proposal_or_404(pk: int) -> Proposal:
    proposal = selectors.get_proposal(pk)
    if proposal is None:
        raise Http404
    return proposal


def proposal_list(request: HttpRequest, cycle_slug: str) -> HttpResponse:
    cycle = get_object_or_404(BudgetCycle, slug=cycle_slug)
    filters = ProposalFilterForm(request.GET or None)
    criteria = filters.cleaned_data if filters.is_valid() else {}
    proposals = selectors.list_proposals(
        cycle=cycle, commune=criteria.get("commune"), category=criteria.get("category", ""),
        status=criteria.get("status", ""),
    )
    page = Paginator(proposals, PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    phase = current_phase_of(cycle)
    return render(request, "proposals/proposal_list.html", {
        "cycle": cycle, "filters": filters, "page": page, "query": query.urlencode(),
        "can_submit": phase_allows(phase.kind if phase else None, Action.SUBMIT),
    })


@login_required
@require_http_methods(["GET", "POST"])
@limit_writes
def proposal_submit(request: HttpRequest, cycle_slug: str) -> HttpResponse:
    cycle = get_object_or_404(BudgetCycle, slug=cycle_slug)
    require_phase_allows(cycle, Action.SUBMIT)
    initial = {"commune": getattr(request.user, "commune_id", None),
               "district": getattr(request.user, "district_id", None)}
    form = ProposalForm(request.POST or None, cycle=cycle, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            proposal = submit_proposal(
                author=request.user, cycle=cycle, envelope=data["envelope"],
                title=data["title"], description=data["description"],
                category=data["category"], commune=data["commune"], district=data["district"],
                estimated_cost_cents=data["estimated_cost"],
            )
        except ValidationError as exc:
            apply_validation_error(form, exc, SUBMIT_FIELDS)
        else:
            messages.success(request, _("Votre proposition est déposée. Les services de la "
                                        "commune vont l’analyser."))
            return redirect("proposals:detail", pk=proposal.pk)
    return render(request, "proposals/proposal_submit.html", {"cycle": cycle, "form": form})


def render_detail(request: HttpRequest, proposal: Proposal, comment_form: Any = None,
                  status: int = 200) -> HttpResponse:
    """The detail page; deliberation's comment view reuses it to show a comment's errors."""
    phase = current_phase_of(proposal.cycle)
    kind = phase.kind if phase else None
    return render(request, "proposals/proposal_detail.html", {
        "proposal": proposal, "cycle": proposal.cycle,
        "comments": selectors.visible_comments(proposal),
        "comment_form": comment_form,
        "can_comment": phase_allows(kind, Action.COMMENT),
        "comment_needs_verification": not proposal.cycle.unverified_may_comment
        and not getattr(request.user, "is_verified", False),
        "can_review": phase_allows(kind, Action.REVIEW)
        and has_role(request.user, Role.REVIEWER, proposal.commune),
    }, status=status)


def proposal_detail(request: HttpRequest, pk: int) -> HttpResponse:
    return render_detail(request, _proposal_or_404(pk))


@login_required
@require_http_methods(["GET", "POST"])
@limit_writes
def proposal_review(request: HttpRequest, pk: int) -> HttpResponse:
    proposal = _proposal_or_404(pk)
    if not has_role(request.user, Role.REVIEWER, proposal.commune):
        raise NotAllowed(_("Seuls les services de la commune concernée peuvent analyser "
                           "cette proposition."))
    require_phase_allows(proposal.cycle, Action.REVIEW)
    form = ReviewForm(request.POST or None, initial=ReviewForm.initial_for(proposal))
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            review_proposal(
                reviewer=request.user, proposal=proposal, decision=data["decision"],
                validated_cost_cents=data["validated_cost"],
                public_reason=data["public_reason"],
            )
        except ValidationError as exc:
            apply_validation_error(form, exc, REVIEW_FIELDS)
        else:
            messages.success(request, _("Votre avis est enregistré et publié."))
            return redirect("proposals:review_queue", cycle_slug=proposal.cycle.slug)
    return render(request, "proposals/proposal_review.html",
                  {"proposal": proposal, "cycle": proposal.cycle, "form": form})


@login_required
def review_queue(request: HttpRequest, cycle_slug: str) -> HttpResponse:
    cycle = get_object_or_404(BudgetCycle, slug=cycle_slug)
    communes = selectors.reviewed_communes(request.user)
    if not communes.exists():
        raise NotAllowed(_("Cette page est réservée aux services chargés d’analyser les "
                           "propositions."))
    phase = current_phase_of(cycle)
    return render(request, "proposals/review_queue.html", {
        "cycle": cycle, "communes": list(communes),
        "proposals": selectors.review_queue(cycle=cycle, communes=communes),
        "can_review": phase_allows(phase.kind if phase else None, Action.REVIEW),
    })
