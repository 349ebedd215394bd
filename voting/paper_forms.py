"""Forms of the paper channel pages. They parse input; the rules live in voting/paper.py."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from budgets.models import BallotKind
from proposals.models import Proposal
from territory.models import Commune

# Ballot kinds where a sheet is a set of ticked boxes; the others carry points per project.
TICK_KINDS = {BallotKind.APPROVAL, BallotKind.KNAPSACK, BallotKind.CHOOSE_1}


class DateInput(forms.DateInput):
    input_type = "date"


class EventForm(forms.Form):
    commune = forms.ModelChoiceField(queryset=Commune.objects.none(), label=_("Commune"),
                                     empty_label=None)
    place = forms.CharField(label=_("Lieu"), max_length=200,
                            help_text=_("Par exemple : salle des fêtes, marché du samedi."))
    held_on = forms.DateField(label=_("Date"), widget=DateInput)

    def __init__(self, *args: Any, communes: list[Commune], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["commune"]
        assert isinstance(field, forms.ModelChoiceField)
        field.queryset = Commune.objects.filter(pk__in=[c.pk for c in communes])


class AccountVoterForm(forms.Form):
    email = forms.EmailField(label=_("Adresse e-mail du compte"),
                             help_text=_("La personne a un compte : cherchez-le par son adresse."))
    birth_date = forms.DateField(
        label=_("Date de naissance (facultatif)"), widget=DateInput, required=False,
        help_text=_("Seulement si le compte ne l’indique pas et qu’un âge minimum s’applique ; "
                    "vérifiez-la sur une pièce d’identité."),
    )


class IdentityVoterForm(forms.Form):
    last_name = forms.CharField(label=_("Nom"), max_length=150)
    first_name = forms.CharField(label=_("Prénom"), max_length=150)
    birth_date = forms.DateField(label=_("Date de naissance"), widget=DateInput)
    postcode = forms.CharField(label=_("Code postal"), max_length=10)


class SheetForm(forms.Form):
    """A paper sheet: its number and what it says. Tick ballots post ``choices`` (ids);
    point ballots post ``points-<id>`` (points, score or rank, empty for none)."""

    number = forms.IntegerField(label=_("Numéro du bulletin"), min_value=1,
                                help_text=_("Le numéro imprimé ou écrit sur le bulletin papier."))

    def __init__(self, *args: Any, options: list[Proposal], ballot_kind: str, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.options = options
        self.uses_ticks = ballot_kind in TICK_KINDS
        if self.uses_ticks:
            self.fields["choices"] = forms.TypedMultipleChoiceField(
                coerce=int, required=False, widget=forms.CheckboxSelectMultiple,
                choices=[(p.pk, p.title) for p in options], label=_("Projets cochés"),
                error_messages={"invalid_choice": _(
                    "Un des projets choisis ne fait pas partie de votre bulletin.")},
            )
        else:
            for proposal in options:
                self.fields[f"points-{proposal.pk}"] = forms.IntegerField(
                    label=proposal.title, required=False, min_value=0,
                )

    def ballot_choices(self) -> dict[int, int]:
        """{proposal id: points} from the cleaned data (1 per ticked box)."""
        if self.uses_ticks:
            return dict.fromkeys(self.cleaned_data["choices"], 1)
        return {p.pk: self.cleaned_data[f"points-{p.pk}"] for p in self.options
                if self.cleaned_data.get(f"points-{p.pk}")}

    def points_field(self, proposal: Proposal) -> forms.BoundField:
        return self[f"points-{proposal.pk}"]
