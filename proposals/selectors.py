"""Reads for proposal pages; each runs a bounded number of queries whatever the data size."""

from __future__ import annotations

import re
from collections.abc import Iterable
from enum import StrEnum
from typing import Any

from django.db import connection
from django.db.models import (
    BigIntegerField,
    Count,
    ExpressionWrapper,
    F,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Value,
)
from django.db.models.functions import Coalesce
from django.utils.translation import gettext_lazy as _
from guardian.shortcuts import get_objects_for_user

from budgets.models import BudgetCycle, Envelope
from proposals.lifecycle import BALLOT_STATUSES, MERGEABLE_STATUSES
from proposals.models import Proposal, ProposalStatus, Support
from territory.models import Commune, District


def _with_relations(qs: QuerySet[Proposal]) -> QuerySet[Proposal]:
    return qs.select_related("commune", "district", "envelope", "cycle", "author__commune",
                             "merged_into")


class Sort(StrEnum):
    NEWEST = "recent"
    SUPPORTS = "soutiens"
    DISCUSSED = "debattues"
    RANDOM = "hasard"
    TITLE = "titre"


SORT_LABELS = {
    Sort.NEWEST: _("Les plus récentes"),
    Sort.SUPPORTS: _("Les plus soutenues"),
    Sort.DISCUSSED: _("Les plus débattues"),
    Sort.RANDOM: _("Au hasard"),
    Sort.TITLE: _("Par titre"),
}
MAX_SEED = 2**31 - 1
_PRIME = 4_294_967_291  # the largest prime below 2**32: id × factor stays within 64 bits
_WORD = re.compile(r"\w+", re.UNICODE)


def search_words(query: str) -> list[str]:
    """The words of a search, lower-cased (punctuation dropped, at most 8 words)."""
    return [w.lower() for w in _WORD.findall(query or "")][:8]


def search(qs: QuerySet[Proposal], query: str, *,
           full_text: bool | None = None) -> QuerySet[Proposal]:
    """Proposals whose title, summary or description has a word starting with each word
    of ``query``. PostgreSQL: full-text search (``simple`` configuration, prefix match);
    elsewhere a word-boundary regular expression, which gives the same result for simple
    words (no stemming either side, so both agree). ``full_text`` forces one or the other
    (the regular expression also runs on PostgreSQL: the tests compare both there)."""
    words = search_words(query)
    if not words:
        return qs
    if full_text is None:
        full_text = connection.vendor == "postgresql"
    if full_text:
        from django.contrib.postgres.search import SearchQuery, SearchVector

        vector = SearchVector("title", "summary", "description", config="simple")
        terms = [w for w in words if w.isalnum()]  # nothing tsquery could read as syntax
        if not terms:
            return qs.none()
        tsquery = " & ".join(f"{w}:*" for w in terms)
        return qs.annotate(search=vector).filter(
            search=SearchQuery(tsquery, config="simple", search_type="raw"))
    for word in words:
        pattern = r"(^|\W)" + re.escape(word)
        qs = qs.filter(Q(title__iregex=pattern) | Q(summary__iregex=pattern)
                       | Q(description__iregex=pattern))
    return qs


def with_counts(qs: QuerySet[Proposal]) -> QuerySet[Proposal]:
    """Annotate ``support_count`` and ``visible_comment_count`` (subqueries: no join
    multiplication, one query for the whole page)."""
    supports = (Support.objects.filter(proposal=OuterRef("pk")).order_by()
                .values("proposal").annotate(n=Count("pk")).values("n"))
    comments = (Proposal.objects.filter(pk=OuterRef("pk"))
                .annotate(n=Count("comments", filter=Q(comments__is_hidden=False,
                                                        comments__deleted_at__isnull=True)))
                .values("n"))
    return qs.annotate(support_count=Coalesce(Subquery(supports), 0),
                       visible_comment_count=Coalesce(Subquery(comments), 0))


def list_proposals(
    *, cycle: BudgetCycle, commune: Commune | None = None, district: District | None = None,
    category: str = "", status: str = "", query: str = "", sort: str = Sort.NEWEST,
    seed: int = 0,
) -> QuerySet[Proposal]:
    """The cycle's public proposals (drafts excluded), filtered, searched and sorted, with
    support and visible-comment counts. Ties are broken by id, so pages never overlap.
    ``Sort.RANDOM`` orders by a hash of the id and ``seed``: the same seed, the same order."""
    qs = _with_relations(Proposal.objects.filter(cycle=cycle)
                         .exclude(status=ProposalStatus.DRAFT))
    if commune is not None:
        qs = qs.filter(commune=commune)
    if district is not None:
        qs = qs.filter(district=district)
    if category:
        qs = qs.filter(category=category)
    if status:
        qs = qs.filter(status=status)
    counted: QuerySet[Any] = with_counts(search(qs, query))
    return _sorted(counted, sort, seed)


def _sorted(qs: QuerySet[Any], sort: str, seed: int) -> QuerySet[Proposal]:
    if sort == Sort.SUPPORTS:
        return qs.order_by("-support_count", "-pk")
    if sort == Sort.DISCUSSED:
        return qs.order_by("-visible_comment_count", "-pk")
    if sort == Sort.TITLE:
        return qs.order_by("title", "pk")
    if sort == Sort.RANDOM:
        # Multiplying by a seed-dependent factor modulo a prime permutes the ids, and each
        # factor gives a different permutation (an added offset would only rotate them).
        factor = 1 + (seed % MAX_SEED) * 2654435761 % (_PRIME - 1)
        mixed = ExpressionWrapper(F("pk") * Value(factor) % Value(_PRIME),
                                  output_field=BigIntegerField())
        return qs.annotate(shuffle=mixed).order_by("shuffle", "pk")
    return qs.order_by(F("submitted_at").desc(nulls_last=True), "-pk")


def visible_to(proposal: Proposal, user: Any) -> bool:
    """Drafts are private to their authors and co-authors; everything else is public."""
    if proposal.status != ProposalStatus.DRAFT:
        return True
    if not getattr(user, "is_authenticated", False):
        return False
    return user.pk == proposal.author_id or proposal.co_authors.filter(pk=user.pk).exists()


def my_proposals(*, cycle: BudgetCycle, user: Any) -> QuerySet[Proposal]:
    """Proposals ``user`` wrote or co-writes in ``cycle``, drafts included, newest first."""
    if not getattr(user, "is_authenticated", False):
        return Proposal.objects.none()
    return with_counts(_with_relations(
        Proposal.objects.filter(Q(author=user) | Q(co_authors=user), cycle=cycle).distinct()
    )).order_by("-created_at", "-pk")


def supported_ids(user: Any, proposals: Iterable[Proposal]) -> set[int]:
    """Ids among ``proposals`` that ``user`` supports (one query)."""
    if not getattr(user, "is_authenticated", False):
        return set()
    return set(Support.objects.filter(user=user, proposal__in=[p.pk for p in proposals])
               .values_list("proposal_id", flat=True))


def detail_extras(proposal: Proposal) -> dict[str, Any]:
    """Co-authors, attachments, merged duplicates and the support count of one proposal."""
    return {
        "co_authors": list(proposal.co_authors.select_related("commune").order_by("pk")),
        "attachments": list(proposal.attachments.all()),
        "merged_duplicates": list(proposal.merged_duplicates.order_by("title", "pk")),
        "support_count": proposal.supports.count(),
    }


def merge_candidates(proposal: Proposal) -> QuerySet[Proposal]:
    """Other proposals of the cycle that ``proposal`` could be merged into."""
    return (Proposal.objects.filter(cycle_id=proposal.cycle_id,
                                    status__in=sorted(MERGEABLE_STATUSES))
            .exclude(pk=proposal.pk).select_related("commune").order_by("title", "pk"))


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


def reviewed_communes(user: Any) -> QuerySet[Commune]:
    """Communes whose proposals ``user`` may review (object permission; none if anonymous)."""
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return Commune.objects.none()
    return get_objects_for_user(user, "territory.review_proposals", klass=Commune,
                                accept_global_perms=False)


def review_queue(*, cycle: BudgetCycle, communes: QuerySet[Commune]) -> QuerySet[Proposal]:
    """Proposals of the cycle in those communes awaiting a decision (submitted or in
    review), oldest first."""
    return _with_relations(
        Proposal.objects.filter(cycle=cycle, commune__in=communes,
                                status__in=[ProposalStatus.SUBMITTED, ProposalStatus.IN_REVIEW])
    ).select_related("taken_by__commune").order_by("created_at", "pk")
