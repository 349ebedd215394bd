"""Who may read the minutes (procès-verbal) and the participation statistics of a cycle:
fetch and authorise in one step."""

from __future__ import annotations

from typing import Any

from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _

from budgets.models import BudgetCycle
from budgets.roles import Role, has_role, has_role_on_any, is_administrator
from config.errors import NotAllowed


def can_download_minutes(user: Any, cycle: BudgetCycle) -> bool:
    """Staff, committee members of the cycle, publishers of any commune of the cycle."""
    if not getattr(user, "is_authenticated", False):
        return False
    if is_administrator(user) or has_role(user, Role.COMMITTEE, cycle):
        return True
    communes = {e.commune for e in cycle.envelopes.select_related("commune") if e.commune}
    return has_role_on_any(user, Role.PUBLISHER, communes)


def access_minutes(user: Any, cycle_slug: str) -> BudgetCycle:
    """The cycle, if ``user`` may download its minutes; 404 if unknown, NotAllowed otherwise."""
    cycle = get_object_or_404(BudgetCycle, slug=cycle_slug)
    if not can_download_minutes(user, cycle):
        raise NotAllowed(_("Le procès-verbal est réservé à l’administration, au comité de suivi "
                           "et aux personnes chargées de la publication dans les communes."))
    return cycle


def access_statistics(user: Any, cycle_slug: str) -> BudgetCycle:
    """The cycle, if ``user`` may read its participation statistics (the same people as the
    minutes, which print them); 404 if unknown, NotAllowed otherwise."""
    cycle = get_object_or_404(BudgetCycle, slug=cycle_slug)
    if not can_download_minutes(user, cycle):
        raise NotAllowed(_("Les statistiques de participation sont réservées à l’administration, au "
                           "comité de suivi et aux personnes chargées de la publication dans les "
                           "communes."))
    return cycle
