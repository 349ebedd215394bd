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
