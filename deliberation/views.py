"""Pages of the debate. Each view parses a form, calls one service, and redirects to the
comment in its thread; field problems are shown again on a small page of their own (the form
works without JavaScript). Domain refusals (NotAllowed, PhaseClosed, Conflict) propagate to
``config.errors.DomainErrorMiddleware``.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST
from guardian.shortcuts import get_objects_for_user

from budgets.models import BudgetCycle
from budgets.roles import COMMUNE_ROLES, Role, is_administrator
from config.errors import Conflict, NotAllowed
from config.forms import apply_validation_error
from config.throttling import limit_writes
from deliberation import selectors, services
from deliberation.forms import CommentForm, FlagForm, HideForm, SuspendForm, WorkshopForm
from deliberation.models import Comment, CommentingSuspension, Workshop
from proposals.selectors import get_proposal
from territory.models import Commune

GET_POST = require_http_methods(["GET", "POST"])


def _comment_or_404(pk: int) -> Comment:
    comment = selectors.get_comment(pk)
    if comment is None:
        raise Http404
    return comment


def _cycle_or_404(slug: str) -> BudgetCycle:
    return get_object_or_404(BudgetCycle, slug=slug)


def _comment_page(request: HttpRequest, form: CommentForm, *, title: str, action: str,
                  back: str, parent: Comment | None = None, comment: Comment | None = None,
                  submit: str = "") -> HttpResponse:
    return render(request, "deliberation/comment_form.html", {
        "form": form, "title": title, "action": action, "back": back, "parent": parent,
        "comment": comment, "submit": submit or _("Publier"),
    })


def _post(request: HttpRequest, *, title: str, action: str, back: str,
          parent: Comment | None = None, **target: Any) -> HttpResponse:
    form = CommentForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            comment = services.post_comment(author=request.user, parent=parent,
                                            body=form.cleaned_data["body"],
                                            stance=form.cleaned_data["stance"], **target)
        except ValidationError as exc:
            apply_validation_error(form, exc)
        else:
            messages.success(request, _("Votre commentaire est publié."))
            return redirect(selectors.thread_url(comment))
    return _comment_page(request, form, title=title, action=action, back=back, parent=parent)


@login_required
@GET_POST
@limit_writes
def comment_create(request: HttpRequest, pk: int) -> HttpResponse:
    """A top-level comment on a proposal."""
    proposal = get_proposal(pk)
    if proposal is None:
        raise Http404
    back = reverse("proposals:detail", kwargs={"pk": proposal.pk})
    return _post(request, proposal=proposal, back=back, action=request.path,
                 title=_("Commenter « %(title)s »") % {"title": proposal.title})


@login_required
@GET_POST
@limit_writes
def cycle_comment_create(request: HttpRequest, cycle_slug: str) -> HttpResponse:
    """A top-level comment in the cycle's own thread."""
    cycle = _cycle_or_404(cycle_slug)
    back = reverse("deliberation:cycle", kwargs={"cycle_slug": cycle.slug})
    return _post(request, cycle=cycle, back=back, action=request.path,
                 title=_("Débat général : %(name)s") % {"name": cycle.name})


@login_required
@GET_POST
@limit_writes
def comment_reply(request: HttpRequest, pk: int) -> HttpResponse:
    parent = _comment_or_404(pk)
    return _post(request, parent=parent, back=selectors.thread_url(parent), action=request.path,
                 title=_("Répondre à %(name)s") % {"name": parent.author.public_name})


@login_required
@GET_POST
@limit_writes
def comment_edit(request: HttpRequest, pk: int) -> HttpResponse:
    comment = _comment_or_404(pk)
    if comment.author_id != request.user.pk:
        raise Http404
    if not comment.is_visible:  # the service refuses too; do not offer an empty form
        raise Conflict(_("Ce commentaire est supprimé ou masqué : il ne peut plus être "
                         "modifié."))
    initial = {"body": comment.body, "stance": comment.stance}
    form = CommentForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.edit_comment(author=request.user, comment=comment,
                                  body=form.cleaned_data["body"],
                                  stance=form.cleaned_data["stance"])
        except ValidationError as exc:
            apply_validation_error(form, exc)
        else:
            messages.success(request, _("Votre commentaire est modifié."))
            return redirect(selectors.thread_url(comment))
    return _comment_page(request, form, title=_("Modifier votre commentaire"),
                         action=request.path, back=selectors.thread_url(comment),
                         comment=comment, submit=_("Enregistrer la modification"))


@login_required
@GET_POST
@limit_writes
def comment_delete(request: HttpRequest, pk: int) -> HttpResponse:
    comment = _comment_or_404(pk)
    if comment.author_id != request.user.pk:
        raise Http404
    if request.method == "POST":
        services.delete_comment(author=request.user, comment=comment)
        messages.success(request, _("Votre commentaire est supprimé."))
        return redirect(selectors.thread_url(comment))
    return render(request, "deliberation/comment_delete.html",
                  {"comment": comment, "back": selectors.thread_url(comment)})


def comment_history(request: HttpRequest, pk: int) -> HttpResponse:
    """Earlier versions of a visible comment (a hidden or deleted one shows none)."""
    comment = _comment_or_404(pk)
    revisions = comment.revisions.all() if comment.is_visible else []
    return render(request, "deliberation/comment_history.html", {
        "comment": comment, "revisions": revisions, "back": selectors.thread_url(comment)})


@login_required
@require_POST
@limit_writes
def comment_react(request: HttpRequest, pk: int) -> HttpResponse:
    comment = _comment_or_404(pk)
    value = request.POST.get("value", "")
    try:
        stored = services.react(user=request.user, comment=comment, value=value)
    except ValidationError:
        return render(request, "refused.html",
                      {"message": _("Réaction inconnue : « utile » ou « pas d’accord ».")},
                      status=400)
    messages.success(request, _("Votre réaction est enregistrée.") if stored
                     else _("Votre réaction est retirée."))
    return redirect(selectors.thread_url(comment))


@login_required
@GET_POST
@limit_writes
def comment_flag(request: HttpRequest, pk: int) -> HttpResponse:
    comment = _comment_or_404(pk)
    form = FlagForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.flag_comment(reporter=request.user, comment=comment, **form.cleaned_data)
        except ValidationError as exc:
            apply_validation_error(form, exc)
        else:
            messages.success(request, _("Merci : les modérateurs vont examiner ce commentaire."))
            return redirect(selectors.thread_url(comment))
    return render(request, "deliberation/comment_flag.html",
                  {"comment": comment, "form": form, "back": selectors.thread_url(comment)})


# --- moderation ------------------------------------------------------------------------------

@login_required
def moderation(request: HttpRequest, cycle_slug: str) -> HttpResponse:
    cycle = _cycle_or_404(cycle_slug)
    services.require_moderator(request.user, cycle)
    return render(request, "deliberation/moderation_queue.html",
                  {"cycle": cycle, "queue": selectors.moderation_queue(cycle)})


def _back_to_queue(comment: Comment) -> str:
    return reverse("deliberation:moderation", kwargs={"cycle_slug": comment.cycle.slug})


@login_required
@GET_POST
@limit_writes
def comment_hide(request: HttpRequest, pk: int) -> HttpResponse:
    comment = _comment_or_404(pk)
    services.require_moderator(request.user, comment.cycle)
    form = HideForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.hide_comment(moderator=request.user, comment=comment,
                                  reason=form.cleaned_data["reason"])
        except ValidationError as exc:
            apply_validation_error(form, exc)
        else:
            messages.success(request, _("Le commentaire est masqué ; le motif est affiché à "
                                        "sa place."))
            return redirect(_back_to_queue(comment))
    return render(request, "deliberation/moderation_form.html", {
        "comment": comment, "form": form, "back": _back_to_queue(comment),
        "title": _("Masquer un commentaire"), "submit": _("Masquer")})


@login_required
@require_POST
@limit_writes
def comment_restore(request: HttpRequest, pk: int) -> HttpResponse:
    comment = _comment_or_404(pk)
    services.restore_comment(moderator=request.user, comment=comment)
    messages.success(request, _("Le commentaire est de nouveau visible."))
    return redirect(_back_to_queue(comment))


@login_required
@require_POST
@limit_writes
def comment_dismiss_flags(request: HttpRequest, pk: int) -> HttpResponse:
    comment = _comment_or_404(pk)
    services.dismiss_flags(moderator=request.user, comment=comment)
    messages.success(request, _("Les signalements sont écartés ; le commentaire reste visible."))
    return redirect(_back_to_queue(comment))


@login_required
@GET_POST
@limit_writes
def comment_suspend_author(request: HttpRequest, pk: int) -> HttpResponse:
    comment = _comment_or_404(pk)
    services.require_moderator(request.user, comment.cycle)
    form = SuspendForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.suspend_commenter(moderator=request.user, cycle=comment.cycle,
                                       user=comment.author, reason=form.cleaned_data["reason"],
                                       ends_at=form.ends_at())
        except ValidationError as exc:
            apply_validation_error(form, exc, {"ends_at": "until"})
        else:
            messages.success(request, _("%(name)s ne peut plus commenter dans ce budget.")
                             % {"name": comment.author.public_name})
            return redirect(_back_to_queue(comment))
    return render(request, "deliberation/moderation_form.html", {
        "comment": comment, "form": form, "back": _back_to_queue(comment),
        "title": _("Suspendre %(name)s des commentaires") % {
            "name": comment.author.public_name},
        "submit": _("Suspendre")})


@login_required
@require_POST
@limit_writes
def suspension_lift(request: HttpRequest, pk: int) -> HttpResponse:
    suspension = get_object_or_404(CommentingSuspension.objects.select_related("cycle"), pk=pk)
    services.lift_suspension(moderator=request.user, suspension=suspension)
    messages.success(request, _("La suspension est levée."))
    return redirect("deliberation:moderation", cycle_slug=suspension.cycle.slug)


# --- the cycle's debate and workshops --------------------------------------------------------

def cycle_debate(request: HttpRequest, cycle_slug: str) -> HttpResponse:
    """The cycle's own thread and its workshops."""
    cycle = _cycle_or_404(cycle_slug)
    return render(request, "deliberation/cycle_debate.html", {
        "cycle": cycle, "thread": selectors.cycle_thread(cycle, request.user),
        "workshops": selectors.cycle_workshops(cycle),
        "may_record": _workshop_communes(request.user, cycle).exists(),
    })


def _workshop_communes(user: Any, cycle: BudgetCycle) -> Any:
    """Communes of the cycle where ``user`` may record a workshop."""
    communes = Commune.objects.filter(envelopes__cycle=cycle).distinct().order_by("name")
    if cycle.envelopes.filter(commune__isnull=True).exists():
        communes = Commune.objects.order_by("name")
    if is_administrator(user):
        return communes
    if not getattr(user, "is_authenticated", False):
        return Commune.objects.none()
    allowed = get_objects_for_user(user, COMMUNE_ROLES[Role.FACILITATOR], klass=Commune,
                                   accept_global_perms=False)
    return communes.filter(pk__in=allowed.values("pk"))


def workshop_detail(request: HttpRequest, pk: int) -> HttpResponse:
    workshop = get_object_or_404(
        Workshop.objects.select_related("cycle", "commune", "facilitator__commune"), pk=pk)
    return render(request, "deliberation/workshop_detail.html", {
        "workshop": workshop, "cycle": workshop.cycle,
        "proposals": workshop.proposals.order_by("title"),
        "may_edit": services.may_record_workshop(request.user, workshop.commune),
    })


@login_required
@GET_POST
@limit_writes
def workshop_create(request: HttpRequest, cycle_slug: str) -> HttpResponse:
    cycle = _cycle_or_404(cycle_slug)
    communes = _workshop_communes(request.user, cycle)
    if not communes.exists():
        raise NotAllowed(_("Seuls les animateurs et animatrices de la commune "
                                    "peuvent enregistrer un atelier."))
    form = WorkshopForm(request.POST or None, cycle=cycle, communes=communes)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            workshop = services.record_workshop(
                facilitator=request.user, cycle=cycle, commune=data["commune"],
                held_on=data["held_on"], place=data["place"], attendance=data["attendance"],
                minutes=data["minutes"], proposals=list(data["proposals"]))
        except ValidationError as exc:
            apply_validation_error(form, exc)
        else:
            messages.success(request, _("L’atelier est enregistré."))
            return redirect("deliberation:workshop", pk=workshop.pk)
    return render(request, "deliberation/workshop_form.html",
                  {"cycle": cycle, "form": form, "title": _("Enregistrer un atelier")})


@login_required
@GET_POST
@limit_writes
def workshop_edit(request: HttpRequest, pk: int) -> HttpResponse:
    workshop = get_object_or_404(Workshop.objects.select_related("cycle", "commune"), pk=pk)
    if not services.may_record_workshop(request.user, workshop.commune):
        raise NotAllowed(_("Seuls les animateurs et animatrices de la commune "
                                    "peuvent modifier cet atelier."))
    form = WorkshopForm(request.POST or None, workshop=workshop, cycle=workshop.cycle,
                        communes=Commune.objects.filter(pk=workshop.commune_id))
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.update_workshop(
                actor=request.user, workshop=workshop, held_on=data["held_on"],
                place=data["place"], attendance=data["attendance"], minutes=data["minutes"],
                proposals=list(data["proposals"]))
        except ValidationError as exc:
            apply_validation_error(form, exc)
        else:
            messages.success(request, _("L’atelier est modifié."))
            return redirect("deliberation:workshop", pk=workshop.pk)
    return render(request, "deliberation/workshop_form.html",
                  {"cycle": workshop.cycle, "form": form, "workshop": workshop,
                   "title": _("Modifier l’atelier")})
