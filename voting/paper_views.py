"""Pages of the paper channel, for facilitators: events, the register at an event, keying
sheets and the reconciliation list. Rules and refusals come from voting/paper.py."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse, QueryDict
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from budgets.models import BudgetCycle, Envelope
from budgets.services import current_phase_of
from config.errors import DomainError, InvalidBallot, NotAllowed
from config.throttling import limit_writes
from proposals.models import Proposal
from voting import paper
from voting.models import InPersonEvent, SheetStatus
from voting.paper_forms import AccountVoterForm, EventForm, IdentityVoterForm, SheetForm


@dataclass
class OptionRow:
    proposal: Proposal
    is_checked: bool
    value: str


@dataclass
class OptionGroup:
    envelope: Envelope
    rows: list[OptionRow] = field(default_factory=list)


def _add_errors(form: Any, error: ValidationError) -> None:
    for name, messages_ in error.message_dict.items():
        form.add_error(name if name in form.fields else None, messages_)


@login_required
@limit_writes
def event_list(request: HttpRequest, slug: str) -> HttpResponse:
    cycle = get_object_or_404(BudgetCycle, slug=slug)
    communes = paper.facilitated_communes(request.user, cycle)
    if not communes:
        raise NotAllowed(_("Cette page est réservée aux animateurs des communes de ce budget."))
    form = EventForm(request.POST or None, communes=communes)
    refusal = ""
    if request.method == "POST" and form.is_valid():
        try:
            event = paper.create_event(facilitator=request.user, cycle=cycle, **form.cleaned_data)
        except ValidationError as error:
            _add_errors(form, error)
        except DomainError as error:
            refusal = str(error.message)
        else:
            messages.success(request, _("La rencontre est enregistrée."))
            return redirect("voting:paper:event", slug=cycle.slug, event_id=event.pk)
    events = (InPersonEvent.objects.filter(cycle=cycle, commune__in=communes)
              .select_related("commune"))
    status = 400 if form.errors else 409 if refusal else 200
    return render(request, "voting/paper/event_list.html", {
        "cycle": cycle, "events": events, "form": form, "refusal": refusal,
        "phase": current_phase_of(cycle),
    }, status=status)


def _event_for(request: HttpRequest, slug: str, event_id: int) -> InPersonEvent:
    # The cycle's envelopes are read once: the options, the page and the keying check use them.
    event = get_object_or_404(InPersonEvent.objects.select_related("cycle", "commune")
                              .prefetch_related("cycle__envelopes"), pk=event_id, cycle__slug=slug)
    paper.require_facilitator(request.user, event.commune)
    return event


def _render_event(request: HttpRequest, event: InPersonEvent, *, status: int = 200,
                  refusal: str = "", problems: list[str] | None = None,
                  account_form: AccountVoterForm | None = None,
                  identity_form: IdentityVoterForm | None = None,
                  sheet_form: SheetForm | None = None) -> HttpResponse:
    options = paper.paper_options(event)
    sheet_form = sheet_form or SheetForm(options=options, ballot_kind=event.cycle.ballot_kind)
    posted = sheet_form.data if isinstance(sheet_form.data, QueryDict) else None
    checked = set(posted.getlist("choices")) if posted is not None else set()
    groups = {e.pk: OptionGroup(e) for e in paper.paper_envelopes(event)}
    for proposal in options:
        groups[proposal.envelope_id].rows.append(OptionRow(
            proposal=proposal, is_checked=str(proposal.pk) in checked,
            value=posted.get(f"points-{proposal.pk}", "") if posted is not None else "",
        ))
    rows = paper.event_sheets(event, options)
    return render(request, "voting/paper/event_detail.html", {
        "cycle": event.cycle, "event": event, "phase": current_phase_of(event.cycle),
        "groups": sorted(groups.values(), key=lambda g: (g.envelope.commune_id is None,
                                                         g.envelope.name)),
        "rows": rows,
        "mismatches": [r for r in rows if r.sheet.status == SheetStatus.MISMATCH],
        "reconciled_count": sum(r.sheet.status == SheetStatus.RECONCILED for r in rows),
        "voter_count": event.participations.count(),
        "account_form": account_form or AccountVoterForm(prefix="compte"),
        "identity_form": identity_form or IdentityVoterForm(prefix="identite"),
        "sheet_form": sheet_form,
        "refusal": refusal, "problems": problems or [],
    }, status=status)


@login_required
def event_detail(request: HttpRequest, slug: str, event_id: int) -> HttpResponse:
    return _render_event(request, _event_for(request, slug, event_id))


@require_POST
@login_required
@limit_writes
def register_voter(request: HttpRequest, slug: str, event_id: int) -> HttpResponse:
    event = _event_for(request, slug, event_id)
    with_account = request.POST.get("mode") == "compte"
    form: Any = (AccountVoterForm(request.POST, prefix="compte") if with_account
                 else IdentityVoterForm(request.POST, prefix="identite"))
    forms_ = {"account_form" if with_account else "identity_form": form}
    if not form.is_valid():
        return _render_event(request, event, status=400, **forms_)
    if with_account:
        account = paper.find_account(form.cleaned_data["email"])
        if account is None:
            form.add_error("email", _("Aucun compte n’a cette adresse : enregistrez la personne "
                                      "avec son identité."))
            return _render_event(request, event, status=400, **forms_)
        identity: dict[str, Any] = {"voter": account,
                                    "birth_date": form.cleaned_data["birth_date"]}
    else:
        identity = form.cleaned_data
    try:
        paper.register_paper_voter(facilitator=request.user, event=event, **identity)
    except ValidationError as error:
        _add_errors(form, error)
        return _render_event(request, event, status=400, **forms_)
    except DomainError as error:
        return _render_event(request, event, status=error.status, refusal=str(error.message),
                             **forms_)
    messages.success(request, _("Votant inscrit au registre : il peut déposer son bulletin "
                                "dans l’urne."))
    return redirect("voting:paper:event", slug=event.cycle.slug, event_id=event.pk)


@require_POST
@login_required
@limit_writes
def key_sheet(request: HttpRequest, slug: str, event_id: int) -> HttpResponse:
    event = _event_for(request, slug, event_id)
    form = SheetForm(request.POST, options=paper.paper_options(event),
                     ballot_kind=event.cycle.ballot_kind)
    if not form.is_valid():
        return _render_event(request, event, status=400, sheet_form=form)
    try:
        outcome = paper.key_paper_sheet(facilitator=request.user, event=event,
                                        number=form.cleaned_data["number"],
                                        choices=form.ballot_choices())
    except ValidationError as error:
        _add_errors(form, error)
        return _render_event(request, event, status=400, sheet_form=form)
    except InvalidBallot as error:
        return _render_event(request, event, status=400, sheet_form=form,
                             problems=[str(p) for p in error.problems])
    except DomainError as error:
        return _render_event(request, event, status=error.status, refusal=str(error.message),
                             sheet_form=form)
    sheet = outcome.sheet
    if sheet.status == SheetStatus.RECONCILED:
        text = _("Bulletin n° %(n)d : les deux saisies concordent, il est enregistré.")
    elif sheet.status == SheetStatus.MISMATCH:
        text = _("Bulletin n° %(n)d : les saisies divergent, il est à réconcilier.")
    else:
        text = _("Bulletin n° %(n)d saisi : une seconde saisie par un autre animateur est "
                 "nécessaire.")
    level = messages.WARNING if sheet.status == SheetStatus.MISMATCH else messages.SUCCESS
    messages.add_message(request, level, text % {"n": sheet.number})
    return redirect("voting:paper:event", slug=event.cycle.slug, event_id=event.pk)
