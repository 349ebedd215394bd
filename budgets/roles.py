"""Who holds which role, as django-guardian object permissions.

Roles on a cycle: moderator, committee member. Roles on a commune: reviewer, facilitator,
publisher. Administrators are Django staff. A superuser holds every role.
"""

from __future__ import annotations

from collections.abc import Iterable
from enum import StrEnum
from typing import Any

from guardian.core import ObjectPermissionChecker
from guardian.shortcuts import assign_perm, remove_perm

from budgets.models import BudgetCycle
from territory.models import Commune


class Role(StrEnum):
    MODERATOR = "moderator"
    COMMITTEE = "committee"
    REVIEWER = "reviewer"
    FACILITATOR = "facilitator"
    PUBLISHER = "publisher"


CYCLE_ROLES = {
    Role.MODERATOR: "budgets.moderate_cycle",
    Role.COMMITTEE: "budgets.certify_results",
}
COMMUNE_ROLES = {
    Role.REVIEWER: "territory.review_proposals",
    Role.FACILITATOR: "territory.facilitate_events",
    Role.PUBLISHER: "territory.publish_reports",
}


def _perm(role: Role, obj: Any) -> str:
    if isinstance(obj, BudgetCycle) and role in CYCLE_ROLES:
        return CYCLE_ROLES[role]
    if isinstance(obj, Commune) and role in COMMUNE_ROLES:
        return COMMUNE_ROLES[role]
    raise ValueError(f"Role {role} does not apply to {type(obj).__name__}")


def has_role(user: Any, role: Role, obj: BudgetCycle | Commune) -> bool:
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return False
    return bool(user.has_perm(_perm(role, obj), obj))


def has_role_on_any(user: Any, role: Role, objs: Iterable[BudgetCycle | Commune]) -> bool:
    """True when ``has_role(user, role, obj)`` holds for at least one of ``objs``, read in a
    fixed number of queries (guardian's ``prefetch_perms``) however many objects there are."""
    objs = list(objs)
    if not objs or not getattr(user, "is_authenticated", False) or not user.is_active:
        return False
    perms = {_perm(role, obj) for obj in objs}
    if len(perms) != 1:
        raise ValueError(f"Role {role} checked on objects of different kinds")
    perm = perms.pop()
    checker = ObjectPermissionChecker(user)
    checker.prefetch_perms(objs)  # type: ignore[arg-type]  # takes any iterable of objects
    return any(checker.has_perm(perm, obj) for obj in objs)


def is_administrator(user: Any) -> bool:
    return bool(getattr(user, "is_authenticated", False) and user.is_active and user.is_staff)


def grant_role(user: Any, role: Role, obj: BudgetCycle | Commune) -> None:
    assign_perm(_perm(role, obj), user, obj)


def revoke_role(user: Any, role: Role, obj: BudgetCycle | Commune) -> None:
    remove_perm(_perm(role, obj), user, obj)
