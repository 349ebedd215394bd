"""Reads for the debate. Each runs a fixed number of queries whatever the number of comments:
a thread is one query for its comments (authors, reaction counts annotated), one for the
reader's own reactions, plus the phase and role checks; the tree is built in Python.

Contracts with other apps (docs: notes/contracts.md):
- ``proposal_thread(proposal, user)`` → context for ``deliberation/_proposal_thread.html``
  (included under the name ``thread``);
- ``cycle_thread(cycle, user)`` → context for ``deliberation/_cycle_thread.html``;
- ``workshops_for(proposal)`` → list for ``deliberation/_proposal_workshops.html``
  (included under the name ``workshops``).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.db.models import Count, Prefetch, Q, QuerySet
from django.urls import reverse
from django.utils import timezone

from budgets.models import BudgetCycle
from budgets.policy import Action, phase_allows
from budgets.services import current_phase_of
from deliberation.forms import CommentForm
from deliberation.models import (
    MAX_DEPTH,
    Comment,
    CommentingSuspension,
    Flag,
    FlagOutcome,
    Reaction,
    Stance,
    Workshop,
)
from deliberation.services import active_suspension, is_moderator
from proposals.models import Proposal


def _thread_comments(qs: QuerySet[Comment]) -> QuerySet[Comment]:
    return (qs.select_related("author__commune")
            .annotate(up_count=Count("reactions", filter=Q(reactions__value="up")),
                      down_count=Count("reactions", filter=Q(reactions__value="down")))
            .order_by("created_at", "pk"))


def balance_of(comments: Iterable[Comment]) -> dict[str, int]:
    """Counts of visible comments for / against / neutral, and the share of for and against
    among the comments that took a side (whole percents summing to 100, 0 when none)."""
    counts = {Stance.FOR: 0, Stance.AGAINST: 0, Stance.NEUTRAL: 0}
    for comment in comments:
        if comment.is_visible:
            counts[Stance(comment.stance)] += 1
    sided = counts[Stance.FOR] + counts[Stance.AGAINST]
    for_percent = round(100 * counts[Stance.FOR] / sided) if sided else 0
    return {"for_count": counts[Stance.FOR], "against_count": counts[Stance.AGAINST],
            "neutral_count": counts[Stance.NEUTRAL], "sided": sided,
            "for_percent": for_percent,
            "against_percent": (100 - for_percent) if sided else 0}


def _participation(user: Any, cycle: BudgetCycle) -> dict[str, Any]:
    """What the reader may do in this cycle's threads now, and why not when they may not."""
    phase = current_phase_of(cycle)
    kind = phase.kind if phase else None
    authenticated = bool(getattr(user, "is_authenticated", False))
    suspension = active_suspension(user, cycle) if authenticated else None
    needs_verification = (authenticated and not cycle.unverified_may_comment
                          and not getattr(user, "is_verified", False))
    phase_comment = phase_allows(kind, Action.COMMENT)
    return {
        "phase_allows_comment": phase_comment,
        "can_comment": authenticated and phase_comment and not needs_verification
        and suspension is None,
        "can_react": authenticated and phase_allows(kind, Action.REACT) and suspension is None,
        "can_flag": authenticated and phase_allows(kind, Action.FLAG),
        "needs_verification": needs_verification,
        "suspension": suspension,
        "is_moderator": authenticated and is_moderator(user, cycle),
    }


def _build(comments: list[Comment], user: Any, rights: dict[str, Any]) -> list[Comment]:
    """Attach ``children`` and the reader's permissions to each comment; return the roots."""
    mine: dict[int, str] = {}
    if getattr(user, "is_authenticated", False) and comments:
        mine = dict(Reaction.objects.filter(user=user, comment__in=[c.pk for c in comments])
                    .values_list("comment_id", "value"))
    by_id = {c.pk: c for c in comments}
    roots: list[Comment] = []
    user_pk = getattr(user, "pk", None)
    for comment in comments:
        comment.children = []  # type: ignore[attr-defined]
        own = comment.author_id == user_pk
        visible = comment.is_visible
        comment.my_reaction = mine.get(comment.pk, "")  # type: ignore[attr-defined]
        comment.is_own = own  # type: ignore[attr-defined]
        comment.may_reply = (rights["can_comment"] and visible  # type: ignore[attr-defined]
                             and comment.depth + 1 < MAX_DEPTH)
        comment.may_edit = (own and rights["can_comment"]  # type: ignore[attr-defined]
                            and visible)
        comment.may_delete = (own and rights["phase_allows_comment"]  # type: ignore[attr-defined]
                              and not comment.is_deleted)
        comment.may_react = rights["can_react"] and visible and not own  # type: ignore[attr-defined]
        comment.may_flag = rights["can_flag"] and visible and not own  # type: ignore[attr-defined]
    for comment in comments:
        parent = by_id.get(comment.parent_id) if comment.parent_id else None
        if parent is not None:
            parent.children.append(comment)  # type: ignore[attr-defined]
        else:
            roots.append(comment)
    return roots


def _thread(*, kind: str, cycle: BudgetCycle, proposal: Proposal | None,
            comments: QuerySet[Comment], user: Any, post_url: str,
            next_url: str) -> dict[str, Any]:
    rows = list(_thread_comments(comments))
    rights = _participation(user, cycle)
    roots = _build(rows, user, rights)
    return {
        "kind": kind, "cycle": cycle, "proposal": proposal, "roots": roots,
        "count": sum(1 for c in rows if c.is_visible), "balance": balance_of(rows),
        "post_url": post_url, "next_url": next_url, "form": CommentForm(),
        "login_url": reverse("accounts:login"),
        "moderation_url": reverse("deliberation:moderation", kwargs={"cycle_slug": cycle.slug}),
        "max_depth": MAX_DEPTH, **rights,
    }


def proposal_thread(proposal: Proposal, user: Any) -> dict[str, Any]:
    """Context of a proposal's thread (``deliberation/_proposal_thread.html``)."""
    return _thread(
        kind="proposal", cycle=proposal.cycle, proposal=proposal,
        comments=Comment.objects.filter(proposal=proposal), user=user,
        post_url=reverse("deliberation:comment", kwargs={"pk": proposal.pk}),
        next_url=reverse("proposals:detail", kwargs={"pk": proposal.pk}),
    )


def cycle_thread(cycle: BudgetCycle, user: Any) -> dict[str, Any]:
    """Context of the cycle's own thread (``deliberation/_cycle_thread.html``)."""
    thread = _thread(
        kind="cycle", cycle=cycle, proposal=None,
        comments=Comment.objects.filter(cycle=cycle, proposal__isnull=True), user=user,
        post_url=reverse("deliberation:cycle_comment", kwargs={"cycle_slug": cycle.slug}),
        next_url=reverse("deliberation:cycle", kwargs={"cycle_slug": cycle.slug}),
    )
    thread["workshop_count"] = Workshop.objects.filter(cycle=cycle).count()
    return thread


def thread_url(comment: Comment) -> str:
    """The page that shows ``comment`` in its thread, with its anchor."""
    if comment.proposal_id:
        url = reverse("proposals:detail", kwargs={"pk": comment.proposal_id})
    else:
        url = reverse("deliberation:cycle", kwargs={"cycle_slug": comment.cycle.slug})
    return f"{url}#commentaire-{comment.pk}"


def get_comment(pk: int) -> Comment | None:
    return (Comment.objects.select_related("cycle", "proposal", "author__commune", "parent")
            .filter(pk=pk).first())


def workshops_for(proposal: Proposal) -> list[Workshop]:
    """Workshops that discussed ``proposal``, latest first (one query)."""
    return list(proposal.workshops.select_related("commune", "facilitator__commune")
                .order_by("-held_on", "-pk"))


def cycle_workshops(cycle: BudgetCycle) -> QuerySet[Workshop]:
    """The cycle's workshops with their communes and linked proposals (two queries)."""
    return (Workshop.objects.filter(cycle=cycle)
            .select_related("commune", "facilitator__commune")
            .prefetch_related(Prefetch("proposals", queryset=Proposal.objects.order_by("title")))
            .order_by("-held_on", "-pk"))


def moderation_queue(cycle: BudgetCycle) -> dict[str, Any]:
    """Flagged comments awaiting a decision (with their open flags), hidden comments and
    current suspensions of the cycle. A fixed number of queries."""
    open_flags = Prefetch("flags", queryset=Flag.objects.filter(outcome=FlagOutcome.OPEN)
                          .select_related("reporter__commune"), to_attr="open_flags")
    base = Comment.objects.filter(cycle=cycle).select_related(
        "author__commune", "proposal", "hidden_by")
    flagged = list(base.filter(flags__outcome=FlagOutcome.OPEN).distinct()
                   .annotate(open_flag_count=Count("flags", filter=Q(
                       flags__outcome=FlagOutcome.OPEN), distinct=True))
                   .prefetch_related(open_flags).order_by("-open_flag_count", "created_at"))
    hidden = list(base.filter(is_hidden=True).order_by("-hidden_at")[:100])
    suspensions = list(CommentingSuspension.objects
                       .filter(cycle=cycle, lifted_at__isnull=True)
                       .filter(Q(ends_at__isnull=True) | Q(ends_at__gt=timezone.now()))
                       .select_related("user__commune", "created_by"))
    return {"flagged": flagged, "hidden": hidden, "suspensions": suspensions}
