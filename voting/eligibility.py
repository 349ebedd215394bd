"""Who may vote in a cycle, and in which envelopes."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _

from budgets.models import BudgetCycle, Envelope
from config.errors import NotAllowed, NotEligible


def voter_envelopes(cycle: BudgetCycle, voter: Any) -> list[Envelope]:
    """Envelopes a voter may vote in: the territory-wide one and their commune's."""
    return [e for e in cycle.envelopes.all() if e.commune_id is None or e.commune_id == voter.commune_id]


def require_eligible(cycle: BudgetCycle, voter: Any) -> list[Envelope]:
    """Raise NotAllowed/NotEligible unless the voter may vote; return their envelopes."""
    if not getattr(voter, "is_authenticated", False):
        raise NotAllowed(_("Connectez-vous pour voter."))
    communes = {e.commune_id for e in cycle.envelopes.all() if e.commune_id is not None}
    if voter.commune_id is None or voter.commune_id not in communes:
        raise NotEligible(
            _("Ce budget est réservé aux habitants de %(communes)s.")
            % {"communes": ", ".join(sorted(e.commune.name for e in cycle.envelopes.all() if e.commune))}
        )
    return voter_envelopes(cycle, voter)
