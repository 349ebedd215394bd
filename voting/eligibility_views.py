"""Pages to get verified (residents) and to verify (administrators, facilitators)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _

from accounts.models import User
from budgets.models import BudgetCycle
from budgets.roles import is_administrator
from config.errors import DomainError, NotAllowed
from config.throttling import limit_writes
from territory.models import Commune
from voting import eligibility
from voting.forms import (
    ClaimListForm,
    GenerateCodesForm,
    ImportListForm,
    RedeemCodeForm,
    VerifyResidentForm,
)


@login_required
@limit_writes
def verify_me(request: HttpRequest, slug: str) -> HttpResponse:
    cycle = get_object_or_404(BudgetCycle, slug=slug)
    method = request.POST.get("method")
    code_form = RedeemCodeForm(request.POST if method == "code" else None)
    list_form = ClaimListForm(request.POST if method == "list" else None)
    bound = {"code": code_form, "list": list_form}.get(method or "")
    if bound is not None and bound.is_valid():
        try:
            if bound is code_form:
                eligibility.redeem_code(user=request.user, cycle=cycle, code=bound.cleaned_data["code"])
            else:
                eligibility.claim_list_entry(user=request.user, cycle=cycle,
                                             identifier=bound.cleaned_data["identifier"])
        except DomainError as refusal:
            bound.add_error(None, str(refusal.message))
        else:
            messages.success(request, _("Votre compte est vérifié : vous pouvez voter."))
            return redirect("voting:ballot", slug=cycle.slug)
    return render(request, "voting/verify_me.html", {
        "cycle": cycle, "code_form": code_form, "list_form": list_form,
        "verification": eligibility.verification_of(cycle, request.user),
    }, status=400 if bound is not None else 200)


def _admin_cycle(request: HttpRequest, slug: str) -> BudgetCycle:
    cycle = get_object_or_404(BudgetCycle, slug=slug)
    if not is_administrator(request.user):
        raise NotAllowed(_("Cette page est réservée aux administrateurs."))
    return cycle


def _communes(cycle: BudgetCycle):  # type: ignore[no-untyped-def]
    return Commune.objects.filter(envelopes__cycle=cycle).order_by("name")


@login_required
@limit_writes
def generate_codes(request: HttpRequest, slug: str) -> HttpResponse:
    cycle = _admin_cycle(request, slug)
    form = GenerateCodesForm(request.POST or None, communes=_communes(cycle))
    if request.method == "POST" and form.is_valid():
        batch = eligibility.generate_codes(actor=request.user, cycle=cycle, **form.cleaned_data)
        response = HttpResponse(batch.as_csv(), content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = f'attachment; filename="codes-{batch.batch}.csv"'
        return response
    return render(request, "voting/codes_generate.html", {"cycle": cycle, "form": form},
                  status=400 if form.errors else 200)


@login_required
@limit_writes
def import_list(request: HttpRequest, slug: str) -> HttpResponse:
    cycle = _admin_cycle(request, slug)
    form = ImportListForm(request.POST or None, request.FILES or None, communes=_communes(cycle))
    report = None
    if request.method == "POST" and form.is_valid():
        raw = form.cleaned_data["file"].read()
        try:
            text = raw.decode("utf-8-sig")
        except UnicodeDecodeError:
            form.add_error("file", _("Le fichier doit être un CSV encodé en UTF-8."))
        else:
            report = eligibility.import_eligibility_list(
                actor=request.user, cycle=cycle, commune=form.cleaned_data["commune"], csv_text=text)
    failed = bool(form.errors or (report and report.errors))
    return render(request, "voting/list_import.html", {"cycle": cycle, "form": form, "report": report},
                  status=400 if failed else 200)


@login_required
@limit_writes
def verify_resident(request: HttpRequest, slug: str) -> HttpResponse:
    cycle = get_object_or_404(BudgetCycle, slug=slug)
    form = VerifyResidentForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        resident = User.objects.filter(email__iexact=form.cleaned_data["email"]).first()
        if resident is None:
            form.add_error("email", _("Aucun compte n’utilise cette adresse."))
        else:
            try:
                eligibility.verify_in_person(facilitator=request.user, cycle=cycle, resident=resident)
            except DomainError as refusal:
                form.add_error(None, str(refusal.message))
            else:
                messages.success(request, _("%(name)s est vérifié·e pour ce budget.") % {"name": resident.public_name})
                return redirect("voting:verify_resident", slug=cycle.slug)
    return render(request, "voting/verify_resident.html", {"cycle": cycle, "form": form},
                  status=400 if form.errors else 200)
