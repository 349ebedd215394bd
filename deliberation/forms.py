"""Forms of the debate. The services strip markup, check lengths and rights; the forms only
parse the input and carry the labels."""

from __future__ import annotations

from datetime import datetime, time, timedelta
from typing import Any, cast

from django import forms
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from budgets.models import BudgetCycle
from deliberation.models import FlagReason, Stance, Workshop
from deliberation.services import (
    MAX_ATTENDANCE,
    MAX_COMMENT_LENGTH,
    MAX_FLAG_DETAILS_LENGTH,
    MAX_MINUTES_LENGTH,
    MAX_REASON_LENGTH,
)
from proposals.models import Proposal
from territory.models import Commune


class CommentForm(forms.Form):
    stance = forms.ChoiceField(
        label=_("Votre position"), choices=Stance.choices, initial=Stance.NEUTRAL,
        widget=forms.RadioSelect, required=False,
    )
    body = forms.CharField(
        label=_("Votre commentaire"), max_length=MAX_COMMENT_LENGTH,
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text=_("Texte simple, 3 000 caractères au plus. Restez courtois : les messages "
                    "sont publics et modérés."),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("auto_id", "id_comment_%s")
        super().__init__(*args, **kwargs)

    def clean_stance(self) -> str:
        """No choice (an older form, a client without the field) means « neutre »."""
        return self.cleaned_data.get("stance") or Stance.NEUTRAL


class FlagForm(forms.Form):
    reason = forms.ChoiceField(label=_("Motif du signalement"), choices=FlagReason.choices,
                               widget=forms.RadioSelect)
    details = forms.CharField(
        label=_("Précisions"), required=False, max_length=MAX_FLAG_DETAILS_LENGTH,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Obligatoire pour « Autre raison ». Visible des seuls modérateurs."),
    )


class HideForm(forms.Form):
    reason = forms.CharField(
        label=_("Motif public"), max_length=MAX_REASON_LENGTH,
        help_text=_("Affiché à la place du commentaire, par exemple « Propos injurieux »."),
    )


class SuspendForm(forms.Form):
    reason = forms.CharField(label=_("Motif"), max_length=MAX_REASON_LENGTH,
                             help_text=_("Communiqué à la personne suspendue."))
    until = forms.DateField(
        label=_("Jusqu’au (inclus)"), required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        help_text=_("Laisser vide pour une suspension sans date de fin."),
    )

    def ends_at(self) -> datetime | None:
        """The end of the chosen day, local time (the day is included)."""
        until = self.cleaned_data.get("until")
        if until is None:
            return None
        return timezone.make_aware(datetime.combine(until + timedelta(days=1), time.min))


class WorkshopForm(forms.Form):
    commune = forms.ModelChoiceField(label=_("Commune"), queryset=Commune.objects.none())
    held_on = forms.DateField(label=_("Date"),
                              widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"))
    place = forms.CharField(label=_("Lieu"), max_length=200)
    attendance = forms.IntegerField(label=_("Nombre de participants"), min_value=0,
                                    max_value=MAX_ATTENDANCE)
    minutes = forms.CharField(
        label=_("Compte rendu"), max_length=MAX_MINUTES_LENGTH,
        widget=forms.Textarea(attrs={"rows": 8}),
        help_text=_("Texte simple : ce qui a été dit, les questions, les suites."))
    proposals = forms.ModelMultipleChoiceField(
        label=_("Propositions discutées"), required=False, queryset=Proposal.objects.none(),
        widget=forms.CheckboxSelectMultiple,
        help_text=_("Les propositions discutées ; l’atelier sera signalé sur leur page."))

    def __init__(self, *args: Any, cycle: BudgetCycle, communes: QuerySet[Commune],
                 workshop: Workshop | None = None, **kwargs: Any) -> None:
        if workshop is not None:
            kwargs["initial"] = {
                "commune": workshop.commune_id, "held_on": workshop.held_on,
                "place": workshop.place, "attendance": workshop.attendance,
                "minutes": workshop.minutes,
                "proposals": list(workshop.proposals.values_list("pk", flat=True))}
        super().__init__(*args, **kwargs)
        commune = cast(forms.ModelChoiceField, self.fields["commune"])  # type: ignore[type-arg]
        commune.queryset = communes
        commune.disabled = workshop is not None  # fixed once recorded
        proposals = cast(forms.ModelMultipleChoiceField,  # type: ignore[type-arg]
                         self.fields["proposals"])
        proposals.queryset = Proposal.objects.filter(cycle=cycle).order_by("title", "pk")
