"""Forms for proposals: filters, submission, feasibility review. Euros in, cents out."""

from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from accounts.forms import DistrictChoiceField
from budgets.models import BudgetCycle, Envelope
from budgets.money import format_amount, format_euros
from proposals.models import Category, Proposal, ProposalStatus, ReviewDecision
from proposals.selectors import MAX_SEED, SORT_LABELS
from territory.models import Commune, District

_SPACES = re.compile(r"[\s\u00a0\u202f']")


def parse_euros_to_cents(raw: str) -> int:
    """Parse a French or English euro amount into integer cents.

    Accepts ``12000``, ``12 000``, ``12 000,50``, ``12000.5``, ``12 000 €``. Refuses more
    than two decimals, negative numbers and anything that is not a number (ValueError).
    """
    text = _SPACES.sub("", raw).replace("€", "").replace("EUR", "").strip()
    if text.count(",") == 1 and "." not in text:
        text = text.replace(",", ".")
    if not re.fullmatch(r"\d+(\.\d{1,2})?", text):
        raise ValueError(raw)
    try:
        value = Decimal(text)
    except InvalidOperation as exc:
        raise ValueError(raw) from exc
    return int(value * 100)


class EurosField(forms.CharField):
    """A text input for an amount in euros; ``cleaned_data`` holds integer cents."""

    default_error_messages = {
        "invalid": _("Indiquez un montant en euros, par exemple 12 000 ou 12 000,50."),
    }

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("max_length", 20)
        kwargs.setdefault(
            "widget", forms.TextInput(attrs={"inputmode": "decimal", "autocomplete": "off"})
        )
        super().__init__(**kwargs)

    def clean(self, value: Any) -> int | None:
        text = super().clean(value)  # required and length checks on the text itself
        if text in self.empty_values:
            return None
        try:
            return parse_euros_to_cents(text)
        except ValueError:
            raise forms.ValidationError(self.error_messages["invalid"], code="invalid") from None


class EnvelopeChoiceField(forms.ModelChoiceField):  # type: ignore[type-arg]
    def label_from_instance(self, obj: Envelope) -> str:
        return f"{obj.name} ({format_euros(obj.amount_cents)})"


class ProposalFilterForm(forms.Form):
    """GET filters, search and sort of the proposal list; every field optional."""

    q = forms.CharField(label=_("Rechercher"), required=False, max_length=100,
                        widget=forms.TextInput(attrs={"type": "search"}),
                        help_text=_("Un ou plusieurs mots du titre, du résumé ou de la "
                                    "description."))
    commune = forms.ModelChoiceField(
        label=_("Commune"), queryset=Commune.objects.all(), required=False,
        empty_label=_("Toutes les communes"),
    )
    district = DistrictChoiceField(
        label=_("Quartier"), required=False, queryset=District.objects.select_related("commune"),
        empty_label=_("Tous les quartiers"),
    )
    category = forms.ChoiceField(
        label=_("Thème"), required=False,
        choices=[("", _("Tous les thèmes")), *Category.choices],
    )
    status = forms.ChoiceField(
        label=_("État"), required=False,
        choices=[("", _("Tous les états")),
                 *[c for c in ProposalStatus.choices if c[0] != ProposalStatus.DRAFT]],
    )
    sort = forms.ChoiceField(label=_("Trier"), required=False,
                             choices=[(k.value, v) for k, v in SORT_LABELS.items()])
    seed = forms.IntegerField(required=False, min_value=0, max_value=MAX_SEED,
                              widget=forms.HiddenInput)


class ProposalForm(forms.Form):
    title = forms.CharField(label=_("Titre"), max_length=140,
                            help_text=_("Une phrase courte qui dit ce que vous proposez."))
    summary = forms.CharField(
        label=_("Résumé (facultatif)"), max_length=300, required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Deux phrases affichées dans la liste des propositions (300 caractères "
                    "au plus)."),
    )
    description = forms.CharField(
        label=_("Description"), max_length=5000, widget=forms.Textarea(attrs={"rows": 10}),
        help_text=_("Le besoin, le lieu, qui en profitera (5 000 caractères au plus). Mise en "
                    "forme possible : **gras**, *italique*, listes avec « - », liens."),
    )
    category = forms.ChoiceField(label=_("Thème"),
                                 choices=[("", _("Choisissez un thème")), *Category.choices])
    commune = forms.ModelChoiceField(label=_("Commune du projet"), queryset=Commune.objects.all(),
                                     empty_label=_("Choisissez la commune"))
    district = DistrictChoiceField(
        label=_("Quartier (facultatif)"), required=False,
        queryset=District.objects.select_related("commune"), empty_label=_("Aucun en particulier"),
    )
    envelope = EnvelopeChoiceField(
        label=_("Enveloppe"), queryset=Envelope.objects.none(),
        empty_label=_("Choisissez l’enveloppe"),
        help_text=_("L’enveloppe de la commune du projet, ou celle de tout le territoire."),
    )
    estimated_cost = EurosField(
        label=_("Coût estimé (en euros)"),
        help_text=_("Une estimation suffit, par exemple 15 000. Les services la vérifieront."),
    )
    address = forms.CharField(
        label=_("Adresse ou lieu (facultatif)"), max_length=200, required=False,
        help_text=_("Par exemple : parc Palmer, entrée rue Camille-Pelletan."),
    )
    latitude = forms.DecimalField(
        label=_("Latitude (facultatif)"), required=False, min_value=-90, max_value=90,
        max_digits=9, decimal_places=6, localize=True,
        help_text=_("En degrés décimaux, entre -90 et 90 (par exemple 44,8571)."),
    )
    longitude = forms.DecimalField(
        label=_("Longitude (facultatif)"), required=False, min_value=-180, max_value=180,
        max_digits=10, decimal_places=6, localize=True,
        help_text=_("En degrés décimaux, entre -180 et 180 (par exemple -0,5322)."),
    )

    def __init__(self, *args: Any, cycle: BudgetCycle, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        envelope_field = self.fields["envelope"]
        assert isinstance(envelope_field, EnvelopeChoiceField)
        envelope_field.queryset = cycle.envelopes.select_related("commune")

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        lat, lon = data.get("latitude"), data.get("longitude")
        if (lat is None) != (lon is None) and not ({"latitude", "longitude"} & set(self.errors)):
            self.add_error("longitude" if lon is None else "latitude",
                           _("Indiquez la latitude et la longitude, ou aucune des deux."))
        return data

    @staticmethod
    def initial_for(proposal: Proposal) -> dict[str, Any]:
        """The form's values for an existing proposal (the edit page)."""
        return {
            "title": proposal.title, "summary": proposal.summary,
            "description": proposal.description, "category": proposal.category,
            "commune": proposal.commune_id, "district": proposal.district_id,
            "envelope": proposal.envelope_id,
            "estimated_cost": format_amount(proposal.estimated_cost_cents),
            "address": proposal.address, "latitude": proposal.latitude,
            "longitude": proposal.longitude,
        }

    def service_arguments(self) -> dict[str, Any]:
        """``cleaned_data`` under the services' argument names."""
        data = self.cleaned_data
        return {
            "envelope": data["envelope"], "title": data["title"],
            "summary": data.get("summary") or "", "description": data["description"],
            "category": data["category"], "commune": data["commune"],
            "district": data["district"], "estimated_cost_cents": data["estimated_cost"],
            "address": data.get("address") or "", "latitude": data.get("latitude"),
            "longitude": data.get("longitude"),
        }


class CoAuthorForm(forms.Form):
    email = forms.EmailField(
        label=_("Adresse e-mail du co-auteur"), max_length=254,
        help_text=_("La personne doit déjà avoir un compte. Elle pourra modifier la "
                    "proposition pendant la phase de dépôt."),
    )


class AttachmentForm(forms.Form):
    file = forms.FileField(
        label=_("Image ou document PDF"),
        help_text=_("JPEG, PNG, WebP ou PDF, 5 Mo au plus. Les informations cachées des photos "
                    "(position GPS…) sont retirées."),
        widget=forms.ClearableFileInput(attrs={"accept": "image/jpeg,image/png,image/webp,"
                                                         "application/pdf"}),
    )


class MergeForm(forms.Form):
    target = forms.ModelChoiceField(
        label=_("Proposition qui reste"), queryset=Proposal.objects.none(),
        empty_label=_("Choisissez la proposition"),
        help_text=_("Cette proposition-ci y sera fusionnée : ses auteurs deviennent co-auteurs, "
                    "ses soutiens et commentaires y sont rattachés."),
    )

    def __init__(self, *args: Any, candidates: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        target = self.fields["target"]
        assert isinstance(target, forms.ModelChoiceField)
        target.queryset = candidates


class ReviewForm(forms.Form):
    decision = forms.ChoiceField(label=_("Décision"), choices=ReviewDecision.choices,
                                 widget=forms.RadioSelect)
    validated_cost = EurosField(
        label=_("Coût validé (en euros)"), required=False,
        help_text=_("Obligatoire si la proposition est recevable."),
    )
    public_reason = forms.CharField(
        label=_("Motif public"), required=False, max_length=3000,
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text=_("Publié avec la proposition. Obligatoire si elle est non recevable."),
    )

    @staticmethod
    def initial_for(proposal: Proposal) -> dict[str, Any]:
        """The current decision of a proposal already reviewed, to correct it; else nothing."""
        if proposal.status not in (ProposalStatus.FEASIBLE, ProposalStatus.UNFEASIBLE):
            return {}
        cost = proposal.validated_cost_cents
        return {
            "decision": proposal.status,
            "validated_cost": format_amount(cost) if cost else "",
            "public_reason": proposal.public_reason,
        }

    def clean(self) -> dict[str, Any]:
        super().clean()
        data = self.cleaned_data
        decision = data.get("decision")
        if decision == ReviewDecision.UNFEASIBLE and not (data.get("public_reason") or "").strip():
            self.add_error("public_reason", _("Un motif public est obligatoire pour déclarer "
                                              "une proposition non recevable."))
        if decision == ReviewDecision.FEASIBLE and data.get("validated_cost") is None \
                and "validated_cost" not in self.errors:
            self.add_error("validated_cost", _("Indiquez le coût validé (positif)."))
        return data
