"""Writes on the debate: posting a comment."""

from __future__ import annotations

import html
from typing import Any

import nh3
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from budgets.policy import Action
from budgets.services import require_phase_allows
from config.errors import NotAllowed
from deliberation.models import Comment
from proposals.models import Proposal

MAX_COMMENT_LENGTH = 3000


def post_comment(*, author: Any, proposal: Proposal, body: str) -> Comment:
    """Add a comment. Markup is stripped: comments are plain text, escaped on output.

    Raises NotAllowed for anonymous users, PhaseClosed when the phase does not allow
    comments, ValidationError for an empty or over-long body.
    """
    if not getattr(author, "is_authenticated", False):
        raise NotAllowed(_("Connectez-vous pour commenter."))
    require_phase_allows(proposal.cycle, Action.COMMENT)
    if not proposal.cycle.unverified_may_comment and not author.is_verified:
        raise NotAllowed(_("Pour ce budget, seuls les comptes vérifiés peuvent commenter."))
    text = html.unescape(nh3.clean(body, tags=set())).strip()
    if not text:
        raise ValidationError({"body": _("Le commentaire est vide.")})
    if len(text) > MAX_COMMENT_LENGTH:
        raise ValidationError(
            {"body": _("Le commentaire dépasse %(max)d caractères.") % {"max": MAX_COMMENT_LENGTH}}
        )
    return Comment.objects.create(proposal=proposal, author=author, body=text)
