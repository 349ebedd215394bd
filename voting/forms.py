from typing import Any

from django import forms
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from territory.models import Commune


def parse_ballot(kind: str, data: Any, option_ids: list[int],
                 envelope_of: dict[int, int]) -> tuple[dict[int, int], list[str]]:
    """Read a posted ballot of any kind into {proposal id: points}; list unreadable input.

    Field names: ``choices`` (checkboxes, approval and knapsack), ``choice-<envelope>``
    (one radio per envelope, choose-1), ``points-<proposal>`` (cumulative points or
    scores) and ``rank-<proposal>`` (ranking, 1 is the best). Empty means not chosen.
    The service validates what the numbers mean; this only parses.
    """
    options = set(option_ids)
    lines: dict[int, int] = {}
    errors: list[str] = []
    unknown = _("Un des projets choisis ne fait pas partie de votre bulletin.")
    if kind in ("approval", "knapsack"):
        for raw in data.getlist("choices"):
            if not raw.isdigit() or int(raw) not in options:
                errors.append(unknown)
            else:
                lines[int(raw)] = 1
    elif kind == "choose-1":
        for envelope_id in sorted(set(envelope_of.values())):
            raw = data.get(f"choice-{envelope_id}", "")
            if raw and (not raw.isdigit() or envelope_of.get(int(raw)) != envelope_id):
                errors.append(unknown)
            elif raw:
                lines[int(raw)] = 1
    else:
        prefix = "rank" if kind == "ordinal" else "points"
        for pid in option_ids:
            raw = data.get(f"{prefix}-{pid}", "").strip()
            if not raw:
                continue
            if not raw.lstrip("-").isdigit():
                errors.append(_("« %(value)s » n’est pas un nombre entier.") % {"value": raw[:20]})
            elif int(raw) < 0:
                errors.append(_("Les nombres négatifs ne sont pas acceptés."))
            elif int(raw) > 0:
                lines[pid] = int(raw)
    return lines, list(dict.fromkeys(errors))


class CertifyForm(forms.Form):
    statement = forms.CharField(
        label=gettext_lazy("Observations (facultatif)"), required=False, max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    confirm = forms.BooleanField(
        label=gettext_lazy("J’ai examiné le résultat et je le certifie conforme."), required=True,
        error_messages={"required": gettext_lazy("Cochez la case pour confirmer la certification.")},
    )


class RedeemCodeForm(forms.Form):
    code = forms.CharField(label=gettext_lazy("Code de vote reçu par courrier"), max_length=40,
                           help_text=gettext_lazy("12 lettres et chiffres, par exemple ABCD-EFGH-JKLM."))


class ClaimListForm(forms.Form):
    identifier = forms.CharField(label=gettext_lazy("Identifiant figurant sur la liste des votants"), max_length=120)


class GenerateCodesForm(forms.Form):
    commune: "forms.ModelChoiceField[Commune]" = forms.ModelChoiceField(
        queryset=Commune.objects.none(), label=gettext_lazy("Commune"))
    count = forms.IntegerField(label=gettext_lazy("Nombre de codes"), min_value=1, max_value=50_000)

    def __init__(self, *args, communes, **kwargs):  # type: ignore[no-untyped-def]
        super().__init__(*args, **kwargs)
        self.fields["commune"].queryset = communes  # type: ignore[attr-defined]


class ImportListForm(GenerateCodesForm):
    count = None  # type: ignore[assignment]
    file = forms.FileField(label=gettext_lazy("Fichier CSV (colonne « identifiant »)"))


class VerifyResidentForm(forms.Form):
    email = forms.EmailField(label=gettext_lazy("Adresse e-mail du compte de l’habitant"))
