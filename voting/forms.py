from django import forms
from django.utils.translation import gettext_lazy as _


class BallotForm(forms.Form):
    """The choices of a ballot: proposal ids, checked on the page (validated by the service)."""

    choices = forms.TypedMultipleChoiceField(
        coerce=int, required=False, widget=forms.CheckboxSelectMultiple, label=_("Vos choix"),
    )

    def __init__(self, *args, option_ids: list[int], **kwargs):  # type: ignore[no-untyped-def]
        super().__init__(*args, **kwargs)
        self.fields["choices"].choices = [(pk, str(pk)) for pk in option_ids]
        self.fields["choices"].error_messages["invalid_choice"] = _(
            "Un des projets choisis ne fait pas partie de votre bulletin."
        )


class CertifyForm(forms.Form):
    statement = forms.CharField(
        label=_("Observations (facultatif)"), required=False, max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    confirm = forms.BooleanField(
        label=_("J’ai examiné le résultat et je le certifie conforme."), required=True,
        error_messages={"required": _("Cochez la case pour confirmer la certification.")},
    )


class RedeemCodeForm(forms.Form):
    code = forms.CharField(label=_("Code de vote reçu par courrier"), max_length=40,
                           help_text=_("12 lettres et chiffres, par exemple ABCD-EFGH-JKLM."))


class ClaimListForm(forms.Form):
    identifier = forms.CharField(label=_("Identifiant figurant sur la liste des votants"), max_length=120)


class GenerateCodesForm(forms.Form):
    commune = forms.ModelChoiceField(queryset=None, label=_("Commune"))  # type: ignore[arg-type]
    count = forms.IntegerField(label=_("Nombre de codes"), min_value=1, max_value=50_000)

    def __init__(self, *args, communes, **kwargs):  # type: ignore[no-untyped-def]
        super().__init__(*args, **kwargs)
        self.fields["commune"].queryset = communes


class ImportListForm(GenerateCodesForm):
    count = None  # type: ignore[assignment]
    file = forms.FileField(label=_("Fichier CSV (colonne « identifiant »)"))


class VerifyResidentForm(forms.Form):
    email = forms.EmailField(label=_("Adresse e-mail du compte de l’habitant"))
