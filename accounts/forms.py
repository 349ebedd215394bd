"""Forms for signing up and logging in. They parse; accounts.services writes."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib.auth.forms import AuthenticationForm
from django.utils.translation import gettext_lazy as _

from territory.models import Commune, District


class DistrictChoiceField(forms.ModelChoiceField):  # type: ignore[type-arg]
    """A district shown with its commune (``Palmer (Cenon)``); give it a queryset that
    joins the commune. Proposal forms use it too."""

    def label_from_instance(self, obj: District) -> str:
        return f"{obj.name} ({obj.commune.name})"


class SignupForm(forms.Form):
    email = forms.EmailField(
        label=_("Adresse e-mail"), max_length=254,
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
        help_text=_("Elle sert à vous connecter ; elle n’est jamais affichée publiquement."),
    )
    password1 = forms.CharField(
        label=_("Mot de passe"), strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        help_text=_("Au moins 8 caractères, pas uniquement des chiffres, pas un mot de passe courant."),
    )
    password2 = forms.CharField(
        label=_("Mot de passe (confirmation)"), strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )
    commune = forms.ModelChoiceField(
        label=_("Commune de résidence"), queryset=Commune.objects.all(),
        empty_label=_("Choisissez votre commune"),
    )
    district = DistrictChoiceField(
        label=_("Quartier (facultatif)"), required=False,
        queryset=District.objects.select_related("commune"),
        empty_label=_("Je ne sais pas / autre"),
    )
    display_name = forms.CharField(
        label=_("Nom affiché (facultatif)"), max_length=80, required=False,
        widget=forms.TextInput(attrs={"autocomplete": "nickname"}),
        help_text=_("Montré à côté de vos propositions et commentaires. "
                    "Sinon : « Habitant·e de » votre commune."),
    )

    def clean(self) -> dict[str, Any]:
        super().clean()
        data = self.cleaned_data
        if data.get("password1") and data.get("password2") \
                and data["password1"] != data["password2"]:
            self.add_error("password2", _("Les deux mots de passe ne sont pas identiques."))
        return data


class LoginForm(AuthenticationForm):
    """Django's login form with an e-mail label and French messages."""

    error_messages = {
        "invalid_login": _("Adresse e-mail ou mot de passe incorrect."),
        "inactive": _("Ce compte est désactivé."),
    }

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["username"].label = _("Adresse e-mail")
        self.fields["username"].widget = forms.EmailInput(
            attrs={"autocomplete": "email", "autofocus": True}
        )
        self.fields["password"].label = _("Mot de passe")


class ProfileForm(forms.Form):
    display_name = forms.CharField(
        label=_("Nom affiché (facultatif)"), max_length=80, required=False,
        widget=forms.TextInput(attrs={"autocomplete": "nickname"}),
    )
    district = DistrictChoiceField(
        label=_("Quartier (facultatif)"), required=False, queryset=District.objects.none(),
        empty_label=_("Je ne sais pas / autre"),
    )
    birth_date = forms.DateField(
        label=_("Date de naissance"), required=False,
        widget=forms.DateInput(attrs={"type": "date", "autocomplete": "bday"}),
        help_text=_("Nécessaire quand un budget fixe un âge minimum pour voter."),
    )

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["district"]
        field.queryset = District.objects.filter(  # type: ignore[attr-defined]
            commune_id=user.commune_id).select_related("commune")
        if user.birth_date is not None:
            self.fields["birth_date"].disabled = True
