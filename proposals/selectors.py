"""Reads for proposal pages; each runs a bounded number of queries whatever the data size."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.db.models import Count, Q, QuerySet
from guardian.shortcuts import get_objects_for_user

from budgets.models import BudgetCycle, Envelope
from proposals.lifecycle import BALLOT_STATUSES
from proposals.models import Proposal, ProposalStatus
from territory.models import Commune


def _with_relations(qs: QuerySet[Proposal]) -> QuerySet[Proposal]:
    return qs.select_related("commune", "district", "envelope", "cycle", "author__commune")


def list_proposals(
    *, cycle: BudgetCycle, commune: Commune | None = None, category: str = "",
    status: str = "",
) -> QuerySet[Proposal]:
    """The cycle's proposals, filtered, ordered by title, with visible-comment counts."""
    qs = _with_relations(Proposal.objects.filter(cycle=cycle))
    if commune is not None:
        qs = qs.filter(commune=commune)
    if category:
        qs = qs.filter(category=category)
    if status:
        qs = qs.filter(status=status)
    # The reverse relation is named by deliberation; counting it needs no import upward.
    return qs.annotate(
        visible_comment_count=Count("comments", filter=Q(comments__is_hidden=False))
    ).order_by("title", "pk")


def ballot_proposals(cycle: BudgetCycle,
                     envelopes: Iterable[Envelope] | None = None) -> QuerySet[Proposal]:
    """The proposals that went to the vote in ``cycle`` (status in ``BALLOT_STATUSES``),
    only those of ``envelopes`` when given. No ordering, no joins: callers add theirs."""
    qs = Proposal.objects.filter(cycle=cycle, status__in=sorted(BALLOT_STATUSES))
    if envelopes is not None:
        qs = qs.filter(envelope__in=envelopes if isinstance(envelopes, QuerySet)
                       else list(envelopes))
    return qs


def get_proposal(pk: int) -> Proposal | None:
    """One proposal with its cycle, commune, district, envelope and author (one query)."""
    return _with_relations(Proposal.objects.filter(pk=pk)).first()


def visible_comments(proposal: Proposal) -> QuerySet[Any]:
    """Comments not hidden by moderation, oldest first, with authors and their communes
    (one query: ``public_name`` reads the commune)."""
    return proposal.comments.filter(is_hidden=False).select_related("author__commune").order_by(
        "created_at", "pk"
    )


def reviewed_communes(user: Any) -> QuerySet[Commune]:
    """Communes whose proposals ``user`` may review (object permission; none if anonymous)."""
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return Commune.objects.none()
    return get_objects_for_user(user, "territory.review_proposals", klass=Commune,
                                accept_global_perms=False)


def review_queue(*, cycle: BudgetCycle, communes: QuerySet[Commune]) -> QuerySet[Proposal]:
    """Submitted (not yet reviewed) proposals of the cycle in those communes, oldest first."""
    return _with_relations(
        Proposal.objects.filter(cycle=cycle, commune__in=communes,
                                status=ProposalStatus.SUBMITTED)
    ).order_by("created_at", "pk")
