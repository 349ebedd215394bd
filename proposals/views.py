"""Proposal pages: list (filters, search, sort), submission and drafts, detail, edition,
attachments, co-authors, supports, feasibility review, merge, ballot draw-up.

Views parse with a form, call one service or selector, and render. Domain refusals
(PhaseClosed, NotAllowed, Conflict) propagate to ``config.errors.DomainErrorMiddleware``,
which renders them on ``refused.html``; field problems from services become form errors.
"""

from __future__ import annotations

import secrets
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from budgets.models import BudgetCycle
from budgets.policy import Action, phase_allows
from budgets.roles import Role, has_role, is_administrator
from budgets.services import current_phase_of, require_phase_allows
from config.errors import NotAllowed
from config.forms import apply_validation_error
from config.throttling import limit_writes
from proposals import selectors, services
from proposals.forms import (
    AttachmentForm,
    CoAuthorForm,
    MergeForm,
    ProposalFilterForm,
    ProposalForm,
    ReviewForm,
)
from proposals.lifecycle import EDITABLE_STATUSES, MERGEABLE_STATUSES, SUPPORTABLE_STATUSES
from proposals.models import Attachment, Proposal, ProposalStatus
from proposals.rendering import render_markdown
from proposals.selectors import MAX_SEED, Sort

PAGE_SIZE = 20
SUBMIT_FIELDS = {"estimated_cost_cents": "estimated_cost"}
REVIEW_FIELDS = {"validated_cost_cents": "validated_cost"}


def _proposal_or_404(pk: int, user: Any = None) -> Proposal:
    """The proposal, or 404 when it does not exist or is a draft ``user`` may not see."""
    proposal = selectors.get_proposal(pk)
    if proposal is None or not selectors.visible_to(proposal, user):
        raise Http404
    return proposal


def _phase_kind(cycle: BudgetCycle) -> str | None:
    phase = current_phase_of(cycle)
    return phase.kind if phase else None


def proposal_list(request: HttpRequest, cycle_slug: str) -> HttpResponse:
    cycle = get_object_or_404(BudgetCycle, slug=cycle_slug)
    filters = ProposalFilterForm(request.GET or None)
    criteria = filters.cleaned_data if filters.is_valid() else {}
    sort = criteria.get("sort") or Sort.NEWEST
    if sort == Sort.RANDOM and criteria.get("seed") is None:
        # Keep the shuffle in the address, so that pages and reloads show the same order.
        query = request.GET.copy()
        query["seed"] = str(secrets.randbelow(MAX_SEED))
        query.pop("page", None)
        return redirect(f"{request.path}?{query.urlencode()}")
    proposals = selectors.list_proposals(
        cycle=cycle, commune=criteria.get("commune"), district=criteria.get("district"),
        category=criteria.get("category", ""), status=criteria.get("status", ""),
        query=criteria.get("q", ""), sort=sort, seed=criteria.get("seed") or 0,
    )
    page = Paginator(proposals, PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    kind = _phase_kind(cycle)
    return render(request, "proposals/proposal_list.html", {
        "cycle": cycle, "filters": filters, "page": page, "query": query.urlencode(),
        "can_submit": phase_allows(kind, Action.SUBMIT),
        "can_draw_up": phase_allows(kind, Action.DRAW_UP_BALLOT)
        and is_administrator(request.user),
        "supported": selectors.supported_ids(request.user, page.object_list),
    })


@login_required
def my_proposals(request: HttpRequest, cycle_slug: str) -> HttpResponse:
    cycle = get_object_or_404(BudgetCycle, slug=cycle_slug)
    return render(request, "proposals/my_proposals.html", {
        "cycle": cycle, "proposals": selectors.my_proposals(cycle=cycle, user=request.user),
        "can_submit": phase_allows(_phase_kind(cycle), Action.SUBMIT),
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
        as_draft = request.POST.get("action") == "draft"
        try:
            proposal = services.submit_proposal(author=request.user, cycle=cycle,
                                                as_draft=as_draft, **form.service_arguments())
        except ValidationError as exc:
            apply_validation_error(form, exc, SUBMIT_FIELDS)
        else:
            if as_draft:
                messages.success(request, _("Votre brouillon est enregistré. Vous seul et vos "
                                            "co-auteurs le voyez tant qu’il n’est pas déposé."))
            else:
                messages.success(request, _("Votre proposition est déposée. Les services de la "
                                            "commune vont l’analyser."))
            return redirect("proposals:detail", pk=proposal.pk)
    return render(request, "proposals/proposal_submit.html", {"cycle": cycle, "form": form})


@login_required
@require_http_methods(["GET", "POST"])
@limit_writes
def proposal_edit(request: HttpRequest, pk: int) -> HttpResponse:
    proposal = _proposal_or_404(pk, request.user)
    if not services.is_author(request.user, proposal):
        raise NotAllowed(_("Seuls les auteurs de cette proposition peuvent la modifier."))
    require_phase_allows(proposal.cycle, Action.EDIT_PROPOSAL)
    form = ProposalForm(request.POST or None, cycle=proposal.cycle,
                        initial=ProposalForm.initial_for(proposal))
    if request.method == "POST" and form.is_valid():
        try:
            services.edit_proposal(editor=request.user, proposal=proposal,
                                   **form.service_arguments())
        except ValidationError as exc:
            apply_validation_error(form, exc, SUBMIT_FIELDS)
        else:
            messages.success(request, _("Vos modifications sont enregistrées."))
            return redirect("proposals:detail", pk=proposal.pk)
    return render(request, "proposals/proposal_edit.html", {
        "proposal": proposal, "cycle": proposal.cycle, "form": form,
        "attachment_form": AttachmentForm(), "co_author_form": CoAuthorForm(),
        "is_main_author": request.user.pk == proposal.author_id,
        **selectors.detail_extras(proposal),
    })


@login_required
@require_POST
@limit_writes
def proposal_submit_draft(request: HttpRequest, pk: int) -> HttpResponse:
    proposal = _proposal_or_404(pk, request.user)
    services.submit_draft(author=request.user, proposal=proposal)
    messages.success(request, _("Votre proposition est déposée. Les services de la commune vont "
                                "l’analyser."))
    return redirect("proposals:detail", pk=proposal.pk)


def proposal_detail(request: HttpRequest, pk: int) -> HttpResponse:
    from deliberation.selectors import proposal_thread, workshops_for  # deliberation sits above

    proposal = _proposal_or_404(pk, request.user)
    kind = _phase_kind(proposal.cycle)
    user = request.user
    is_reviewer = has_role(user, Role.REVIEWER, proposal.commune)
    return render(request, "proposals/proposal_detail.html", {
        "proposal": proposal, "cycle": proposal.cycle,
        "description_html": render_markdown(proposal.description),
        "thread": proposal_thread(proposal, user), "workshops": workshops_for(proposal),
        "is_author": services.is_author(user, proposal),
        "can_edit": phase_allows(kind, Action.EDIT_PROPOSAL)
        and proposal.status in EDITABLE_STATUSES and services.is_author(user, proposal),
        "can_submit_draft": phase_allows(kind, Action.SUBMIT)
        and proposal.status == ProposalStatus.DRAFT and services.is_author(user, proposal),
        "can_support": phase_allows(kind, Action.SUPPORT)
        and proposal.status in SUPPORTABLE_STATUSES,
        "supports_it": bool(selectors.supported_ids(user, [proposal])),
        "can_review": phase_allows(kind, Action.REVIEW) and is_reviewer
        and proposal.status != ProposalStatus.DRAFT,
        "can_take": phase_allows(kind, Action.REVIEW) and is_reviewer
        and proposal.status == ProposalStatus.SUBMITTED,
        "can_merge": phase_allows(kind, Action.MERGE) and is_reviewer
        and proposal.status in MERGEABLE_STATUSES,
        **selectors.detail_extras(proposal),
    })


@login_required
@require_POST
@limit_writes
def proposal_support(request: HttpRequest, pk: int) -> HttpResponse:
    proposal = _proposal_or_404(pk, request.user)
    if request.POST.get("action") == "withdraw":
        services.withdraw_support(user=request.user, proposal=proposal)
        messages.success(request, _("Votre soutien est retiré."))
    else:
        services.support_proposal(user=request.user, proposal=proposal)
        messages.success(request, _("Merci : votre soutien est enregistré."))
    return redirect(f"{proposal_url(proposal)}#soutiens")


def proposal_url(proposal: Proposal) -> str:
    return reverse("proposals:detail", kwargs={"pk": proposal.pk})


@login_required
@require_POST
@limit_writes
def attachment_upload(request: HttpRequest, pk: int) -> HttpResponse:
    proposal = _proposal_or_404(pk, request.user)
    form = AttachmentForm(request.POST, request.FILES)
    if form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            services.add_attachment(editor=request.user, proposal=proposal,
                                    content=upload.read(services.MAX_ATTACHMENT_BYTES + 1),
                                    filename=upload.name or "")
        except ValidationError as exc:
            apply_validation_error(form, exc, {})
        else:
            messages.success(request, _("La pièce jointe est ajoutée."))
            return redirect("proposals:edit", pk=proposal.pk)
    return _edit_page_with(request, proposal, attachment_form=form)


def _edit_page_with(request: HttpRequest, proposal: Proposal, **forms: Any) -> HttpResponse:
    """The edit page showing the errors of one of its secondary forms."""
    require_phase_allows(proposal.cycle, Action.EDIT_PROPOSAL)
    context = {
        "proposal": proposal, "cycle": proposal.cycle,
        "form": ProposalForm(cycle=proposal.cycle, initial=ProposalForm.initial_for(proposal)),
        "attachment_form": AttachmentForm(), "co_author_form": CoAuthorForm(),
        "is_main_author": request.user.pk == proposal.author_id,
        **selectors.detail_extras(proposal),
    }
    context.update(forms)
    return render(request, "proposals/proposal_edit.html", context, status=400)


@login_required
@require_POST
@limit_writes
def attachment_delete(request: HttpRequest, pk: int, attachment_id: int) -> HttpResponse:
    proposal = _proposal_or_404(pk, request.user)
    attachment = get_object_or_404(Attachment, pk=attachment_id, proposal=proposal)
    attachment.proposal = proposal
    services.delete_attachment(editor=request.user, attachment=attachment)
    messages.success(request, _("La pièce jointe est supprimée."))
    return redirect("proposals:edit", pk=proposal.pk)


def attachment_download(request: HttpRequest, pk: int, attachment_id: int) -> FileResponse:
    """Serve an attachment with the type found when it was checked, never sniffed, and a
    sandboxing Content-Security-Policy: a browser shows it, nothing in it runs."""
    proposal = _proposal_or_404(pk, request.user)
    attachment = get_object_or_404(Attachment, pk=attachment_id, proposal=proposal)
    try:
        handle = attachment.file.open("rb")
    except FileNotFoundError:
        raise Http404 from None
    # Images show inline; PDFs are downloaded (a PDF reader, not the site's origin).
    response = FileResponse(handle, content_type=attachment.content_type,
                            as_attachment=attachment.kind != "image",
                            filename=attachment.original_name)
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    response["Cache-Control"] = "private, max-age=3600"
    return response


@login_required
@require_POST
@limit_writes
def co_author_invite(request: HttpRequest, pk: int) -> HttpResponse:
    proposal = _proposal_or_404(pk, request.user)
    form = CoAuthorForm(request.POST)
    if form.is_valid():
        try:
            user = services.invite_co_author(author=request.user, proposal=proposal,
                                             email=form.cleaned_data["email"])
        except ValidationError as exc:
            apply_validation_error(form, exc, {})
        else:
            messages.success(request, _("%(name)s est désormais co-auteur de la proposition.")
                             % {"name": user.public_name})
            return redirect("proposals:edit", pk=proposal.pk)
    return _edit_page_with(request, proposal, co_author_form=form)


@login_required
@require_POST
@limit_writes
def co_author_remove(request: HttpRequest, pk: int, user_id: int) -> HttpResponse:
    proposal = _proposal_or_404(pk, request.user)
    user = get_object_or_404(proposal.co_authors.all(), pk=user_id)
    services.remove_co_author(author=request.user, proposal=proposal, user=user)
    messages.success(request, _("Le co-auteur est retiré."))
    if request.user.pk == user.pk:
        return redirect("proposals:detail", pk=proposal.pk)
    return redirect("proposals:edit", pk=proposal.pk)


def _require_reviewer(user: Any, proposal: Proposal) -> None:
    if not has_role(user, Role.REVIEWER, proposal.commune):
        raise NotAllowed(_("Seuls les services de la commune concernée peuvent analyser "
                           "cette proposition."))


@login_required
@require_http_methods(["GET", "POST"])
@limit_writes
def proposal_review(request: HttpRequest, pk: int) -> HttpResponse:
    proposal = _proposal_or_404(pk, request.user)
    _require_reviewer(request.user, proposal)
    require_phase_allows(proposal.cycle, Action.REVIEW)
    form = ReviewForm(request.POST or None, initial=ReviewForm.initial_for(proposal))
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.review_proposal(
                reviewer=request.user, proposal=proposal, decision=data["decision"],
                validated_cost_cents=data["validated_cost"],
                public_reason=data["public_reason"],
            )
        except ValidationError as exc:
            apply_validation_error(form, exc, REVIEW_FIELDS)
        else:
            messages.success(request, _("Votre avis est enregistré et publié."))
            return redirect("proposals:review_queue", cycle_slug=proposal.cycle.slug)
    return render(request, "proposals/proposal_review.html", {
        "proposal": proposal, "cycle": proposal.cycle, "form": form,
        "description_html": render_markdown(proposal.description),
    })


@login_required
@require_POST
@limit_writes
def proposal_take(request: HttpRequest, pk: int) -> HttpResponse:
    proposal = _proposal_or_404(pk, request.user)
    services.take_into_review(reviewer=request.user, proposal=proposal)
    messages.success(request, _("Vous avez pris cette proposition en charge."))
    return redirect("proposals:review", pk=proposal.pk)


@login_required
@require_http_methods(["GET", "POST"])
@limit_writes
def proposal_merge(request: HttpRequest, pk: int) -> HttpResponse:
    proposal = _proposal_or_404(pk, request.user)
    _require_reviewer(request.user, proposal)
    require_phase_allows(proposal.cycle, Action.MERGE)
    form = MergeForm(request.POST or None, candidates=selectors.merge_candidates(proposal))
    if request.method == "POST" and form.is_valid():
        target = form.cleaned_data["target"]
        try:
            services.merge_proposals(reviewer=request.user, duplicate=proposal, target=target)
        except ValidationError as exc:
            apply_validation_error(form, exc, {})
        else:
            messages.success(request, _("La proposition est fusionnée ; ses auteurs sont "
                                        "prévenus."))
            return redirect("proposals:detail", pk=target.pk)
    return render(request, "proposals/proposal_merge.html",
                  {"proposal": proposal, "cycle": proposal.cycle, "form": form})


@login_required
def review_queue(request: HttpRequest, cycle_slug: str) -> HttpResponse:
    cycle = get_object_or_404(BudgetCycle, slug=cycle_slug)
    communes = selectors.reviewed_communes(request.user)
    if not communes.exists():
        raise NotAllowed(_("Cette page est réservée aux services chargés d’analyser les "
                           "propositions."))
    return render(request, "proposals/review_queue.html", {
        "cycle": cycle, "communes": list(communes),
        "proposals": selectors.review_queue(cycle=cycle, communes=communes),
        "can_review": phase_allows(_phase_kind(cycle), Action.REVIEW),
    })


@login_required
@require_http_methods(["GET", "POST"])
@limit_writes
def ballot_draw_up(request: HttpRequest, cycle_slug: str) -> HttpResponse:
    cycle = get_object_or_404(BudgetCycle, slug=cycle_slug)
    if not is_administrator(request.user):
        raise NotAllowed(_("Seul un administrateur peut établir la liste soumise au vote."))
    require_phase_allows(cycle, Action.DRAW_UP_BALLOT)
    if request.method == "POST":
        on, out = services.draw_up_ballot(actor=request.user, cycle=cycle)
        messages.success(request, _("Liste établie : %(on)d proposition(s) soumise(s) au vote, "
                                    "%(out)d non retenue(s).") % {"on": on, "out": out})
        return redirect("proposals:list", cycle_slug=cycle.slug)
    candidates = selectors.list_proposals(cycle=cycle, status=ProposalStatus.FEASIBLE,
                                          sort=Sort.SUPPORTS)
    return render(request, "proposals/ballot_draw_up.html",
                  {"cycle": cycle, "candidates": candidates})

