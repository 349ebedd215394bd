"""Voting pages: the ballot, the receipt, and the staff pages to close, tally and certify."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from budgets.models import BudgetCycle
from budgets.roles import Role, has_role, is_administrator
from budgets.services import close_voting, current_phase_of
from config.errors import Conflict, InvalidBallot, NotAllowed
from config.throttling import limit_writes
from voting import selectors
from voting.board import board_summary, verify_cycle
from voting.forms import CertifyForm, parse_ballot
from voting.publication import publication_of, publish_results
from voting.services import cast_ballot
from voting.tally import certification_status, certify_result, run_tally


def _cycle_with_envelopes(slug: str) -> BudgetCycle:
    """The cycle with its envelopes read once (eligibility, the page and the cast use them);
    never its phases: ``cast_ballot`` re-reads those under its lock."""
    return get_object_or_404(BudgetCycle.objects.prefetch_related("envelopes"), slug=slug)


@login_required
@limit_writes
def ballot_cast(request: HttpRequest, slug: str) -> HttpResponse:
    cycle = _cycle_with_envelopes(slug)
    page = selectors.ballot_page(cycle, request.user)
    problems: list[str] = []
    if request.method == "POST":
        lines, problems = parse_ballot(cycle.ballot_kind, request.POST, page.option_ids, page.envelope_of)
        if not problems:
            try:
                receipt = cast_ballot(voter=request.user, cycle=cycle, points=lines)
            except InvalidBallot as error:
                problems = [str(p) for p in error.problems]
            else:
                messages.success(request, _("Votre vote a été remplacé.") if receipt.is_replacement
                                 else _("Votre vote est enregistré."))
                return redirect("voting:receipt", slug=cycle.slug)
        page.chosen = lines
    return render(request, "voting/ballot_cast.html", {
        "cycle": cycle, "page": page, "problems": problems, "phase": current_phase_of(cycle),
    }, status=400 if problems else 200)


@login_required
def receipt(request: HttpRequest, slug: str) -> HttpResponse:
    cycle = _cycle_with_envelopes(slug)
    page = selectors.ballot_page(cycle, request.user)
    return render(request, "voting/receipt.html", {"cycle": cycle, "page": page})


def _require_admin(request: HttpRequest) -> None:
    if not is_administrator(request.user):
        raise NotAllowed(_("Cette page est réservée aux administrateurs."))


@login_required
def manage(request: HttpRequest, slug: str) -> HttpResponse:
    cycle = get_object_or_404(BudgetCycle, slug=slug)
    _require_admin(request)
    run = selectors.current_run(cycle)
    return render(request, "voting/manage.html", {
        "cycle": cycle, "phase": current_phase_of(cycle), "summary": selectors.voting_summary(cycle),
        "run": run, "status": certification_status(run) if run else None,
        "publication": publication_of(cycle),
    })


@require_POST
@login_required
@limit_writes
def close(request: HttpRequest, slug: str) -> HttpResponse:
    cycle = get_object_or_404(BudgetCycle, slug=slug)
    _require_admin(request)
    pending = selectors.unreconciled_sheets(cycle)
    if pending and not request.POST.get("confirm_pending"):
        messages.error(request, _("%(n)d bulletin(s) papier ne sont pas encore validés par une seconde "
                                  "saisie : ils ne seront pas comptés. Cochez la case pour clore quand "
                                  "même.") % {"n": pending})
        return redirect("voting:manage", slug=cycle.slug)
    close_voting(actor=request.user, cycle=cycle)
    messages.success(request, _("Le vote est clos. Vous pouvez lancer le dépouillement."))
    return redirect("voting:manage", slug=cycle.slug)


@require_POST
@login_required
@limit_writes
def tally(request: HttpRequest, slug: str) -> HttpResponse:
    cycle = get_object_or_404(BudgetCycle, slug=slug)
    try:
        run = run_tally(actor=request.user, cycle=cycle)
    except Conflict as error:  # a broken chain, or a published result it would replace
        messages.error(request, str(error))
    else:
        messages.success(request, _("Dépouillement effectué (empreinte %(fp)s).") % {"fp": run.fingerprint[:16]})
    return redirect("voting:manage", slug=cycle.slug)


@require_POST
@login_required
@limit_writes
def publish(request: HttpRequest, slug: str) -> HttpResponse:
    cycle = get_object_or_404(BudgetCycle, slug=slug)
    try:
        publish_results(actor=request.user, cycle=cycle)
    except Conflict as error:
        messages.error(request, str(error))
    else:
        messages.success(request, _("Les résultats sont publiés : la page des résultats et les données "
                                    "ouvertes sont accessibles à tous."))
    return redirect("voting:manage", slug=cycle.slug)


@login_required
@limit_writes
def certify(request: HttpRequest, slug: str) -> HttpResponse:
    cycle = get_object_or_404(BudgetCycle, slug=slug)
    if not has_role(request.user, Role.COMMITTEE, cycle):
        raise NotAllowed(_("Cette page est réservée aux membres du comité de suivi."))
    run = selectors.current_run(cycle)
    form = CertifyForm(request.POST or None)
    if request.method == "POST" and run is not None and form.is_valid():
        certify_result(member=request.user, tally_run=run, statement=form.cleaned_data["statement"])
        messages.success(request, _("Votre certification est enregistrée."))
        return redirect("voting:certify", slug=cycle.slug)
    signed = run is not None and any(c.member_id == request.user.pk for c in run.certifications.all())
    return render(request, "voting/certify.html", {
        "cycle": cycle, "run": run, "form": form, "signed": signed,
        "status": certification_status(run) if run else None,
        "checks": verify_cycle(cycle) if run else [],
        "summary": board_summary(cycle),
    }, status=400 if form.errors else 200)
