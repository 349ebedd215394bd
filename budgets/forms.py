"""The administrators' timeline editor: one fieldset per kind of phase.

What has happened is shown, not editable: the start of a phase that has started and the
end of a phase that has ended are disabled fields (Django then ignores what is posted and
keeps the stored value), and a started phase cannot be unticked. The rules themselves are
checked by ``budgets.services.set_timeline``; ``apply_service_errors`` puts its errors on
the matching fields.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from budgets import timeline
from budgets.models import Phase, PhaseKind
from budgets.policy import PhaseKind as PolicyPhaseKind

DATETIME_WIDGET_FORMAT = "%Y-%m-%dT%H:%M"


class LocalDateTimeInput(forms.DateTimeInput):
    input_type = "datetime-local"

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(format=DATETIME_WIDGET_FORMAT, **kwargs)


@dataclass(frozen=True)
class PhaseRow:
    """One fieldset of the editor: a kind, its stored phase (if any) and its fields."""

    kind: PhaseKind
    phase: Phase | None
    state: str  # "past" | "current" | "future" | "absent"
    included: forms.BoundField
    starts_at: forms.BoundField
    ends_at: forms.BoundField


def _same_minute(value: datetime | None, stored: datetime) -> bool:
    """The input shows minutes only: a value equal to the stored one cut to the minute
    (in local time) is the stored value left as it was."""
    if value is None:
        return False
    local = timezone.localtime(stored).replace(second=0, microsecond=0)
    return value == local


class TimelineForm(forms.Form):
    """Fields ``<kind>_included``, ``<kind>_starts_at``, ``<kind>_ends_at`` for every kind."""

    def __init__(self, *args: Any, phases: Iterable[Phase], now: datetime, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.now = now
        self.stored = {PhaseKind(p.kind): p for p in phases}
        for kind in PhaseKind:
            phase = self.stored.get(kind)
            started = phase is not None and timeline.has_started(phase, now)
            ended = phase is not None and timeline.has_ended(phase, now)
            self.fields[f"{kind.value}_included"] = forms.BooleanField(
                label=_("Prévoir cette phase"), required=False, initial=phase is not None,
                disabled=started,
            )
            self.fields[f"{kind.value}_starts_at"] = forms.DateTimeField(
                label=_("Début"), required=False, widget=LocalDateTimeInput(),
                initial=phase.starts_at if phase else None, disabled=started,
            )
            self.fields[f"{kind.value}_ends_at"] = forms.DateTimeField(
                label=_("Fin"), required=False, widget=LocalDateTimeInput(),
                initial=phase.ends_at if phase else None, disabled=ended,
            )

    def rows(self) -> list[PhaseRow]:
        rows = []
        for kind in PhaseKind:
            phase = self.stored.get(kind)
            if phase is None:
                state = "absent"
            elif timeline.has_ended(phase, self.now):
                state = "past"
            elif timeline.has_started(phase, self.now):
                state = "current"
            else:
                state = "future"
            rows.append(PhaseRow(kind, phase, state, self[f"{kind.value}_included"],
                                 self[f"{kind.value}_starts_at"], self[f"{kind.value}_ends_at"]))
        return rows

    def clean(self) -> dict[str, Any]:
        super().clean()
        data = self.cleaned_data
        for kind in PhaseKind:
            if not data.get(f"{kind.value}_included"):
                continue
            stored = self.stored.get(kind)
            for name, missing in (
                ("starts_at", _("Indiquez le début de la phase « %(phase)s ».")),
                ("ends_at", _("Indiquez la fin de la phase « %(phase)s »."))
            ):
                key = f"{kind.value}_{name}"
                value = data.get(key)
                if stored is not None and (self.fields[key].disabled
                                           or _same_minute(value, getattr(stored, name))):
                    # Disabled fields give back their initial value without microseconds.
                    data[key] = getattr(stored, name)
                elif value is None and key not in self.errors:
                    self.add_error(key, missing % {"phase": kind.label})
        return data

    def planned(self) -> list[timeline.PlannedPhase]:
        """The timeline the administrator asks for (call after ``is_valid()``)."""
        data = self.cleaned_data
        return [
            timeline.PlannedPhase(PolicyPhaseKind(kind), data[f"{kind.value}_starts_at"], data[f"{kind.value}_ends_at"])
            for kind in PhaseKind if data.get(f"{kind.value}_included")
        ]

    def apply_service_errors(self, error: ValidationError) -> None:
        """Put ``set_timeline``'s errors (keyed ``"voting.starts_at"``...) on the fields;
        those about a field that cannot be edited go to the top of the form."""
        for key, messages in error.message_dict.items():
            kind, _dot, field = key.partition(".")
            name = f"{kind}_{'included' if field == 'kind' else field}"
            target = name if name in self.fields and not self.fields[name].disabled else None
            for message in messages:
                self.add_error(target, message)


class ClosePhaseForm(forms.Form):
    start_next = forms.BooleanField(
        label=_("Ouvrir aussitôt la phase suivante"), required=False, initial=True,
    )
