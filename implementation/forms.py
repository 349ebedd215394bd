"""The milestone form: parsing only; the rules are checked by ``services.record_milestone``."""

from __future__ import annotations

from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from implementation.services import NOTE_MAX, TITLE_MAX, clean_milestone_fields

MILESTONE_FIELDS = {"happened_on": "happened_on", "title": "title", "note": "note",
                    "progress": "progress"}


class MilestoneForm(forms.Form):
    happened_on = forms.DateField(
        label=_("Date du jalon"), widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        input_formats=["%Y-%m-%d", "%d/%m/%Y"],
        help_text=_("Le jour où l’étape a eu lieu (jj/mm/aaaa), ni dans le futur ni avant le "
                    "jalon précédent."),
        error_messages={"required": _("Indiquez la date du jalon."),
                        "invalid": _("Saisissez une date valide, par exemple 15/03/2027.")},
    )
    title = forms.CharField(
        label=_("Titre du jalon"), max_length=TITLE_MAX,
        help_text=_("Par exemple : « Commande passée », « Début des travaux »."),
        error_messages={"required": _("Donnez un titre au jalon.")},
    )
    progress = forms.IntegerField(
        label=_("Avancement après ce jalon (en %)"), min_value=0, max_value=100,
        help_text=_("Un nombre entier de 0 à 100. S’il baisse, expliquez pourquoi dans la note."),
        error_messages={"required": _("Indiquez l’avancement, de 0 à 100."),
                        "invalid": _("L’avancement est un nombre entier de 0 à 100 (pour cent)."),
                        "min_value": _("L’avancement est un nombre entier de 0 à 100 (pour cent)."),
                        "max_value": _("L’avancement est un nombre entier de 0 à 100 (pour cent).")},
    )
    note = forms.CharField(
        label=_("Note publique (facultative)"), required=False, max_length=NOTE_MAX,
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text=_("Publiée telle quelle, en texte simple (2 000 caractères au plus)."),
    )
    delivered = forms.BooleanField(
        label=_("Le projet est réalisé (avancement 100 %)"), required=False,
        help_text=_("Le projet passe à l’état « réalisé » ; il n’accepte plus de jalon ensuite."),
    )

    def clean(self) -> dict[str, Any]:
        """When a field already failed, also run the service's own field checks on the
        others, so that every problem shows at once (a missing title and a delivered
        project under 100 %). Without field errors the service checks everything."""
        super().clean()
        data = self.cleaned_data
        if not self.errors:
            return data
        progress = data.get("progress")
        try:
            clean_milestone_fields(
                title=data.get("title") or "-", note=data.get("note") or "",
                progress=progress if progress is not None else (100 if data.get("delivered") else 0),
                happened_on=data.get("happened_on") or timezone.localdate(),
                delivered=bool(data.get("delivered")))
        except ValidationError as exc:
            for field, messages in exc.message_dict.items():
                if field not in self.errors:
                    for message in messages:
                        self.add_error(field, message)
        return data
