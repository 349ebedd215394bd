"""Posting a comment on a proposal (the list of comments is on the proposal page)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from config.forms import apply_validation_error
from config.throttling import limit_writes
from deliberation.forms import CommentForm
from deliberation.services import post_comment
from proposals import selectors
from proposals.views import render_detail


@login_required
@require_POST
@limit_writes
def comment_create(request: HttpRequest, pk: int) -> HttpResponse:
    """Add a comment; on a field problem, show the proposal page again with the error."""
    proposal = selectors.get_proposal(pk)
    if proposal is None:
        raise Http404
    form = CommentForm(request.POST)
    if form.is_valid():
        try:
            comment = post_comment(author=request.user, proposal=proposal,
                                   body=form.cleaned_data["body"])
        except ValidationError as exc:
            apply_validation_error(form, exc)
        else:
            messages.success(request, _("Votre commentaire est publié."))
            url = reverse("proposals:detail", kwargs={"pk": proposal.pk})
            return redirect(f"{url}#commentaire-{comment.pk}")
    return render_detail(request, proposal, comment_form=form)
