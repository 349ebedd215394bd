"""Comments API: read the visible comments of a proposal, post one (``post_comment``)."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import serializers, status
from rest_framework.request import Request
from rest_framework.response import Response

from config.api import PinsAPIView, error_responses, get_or_404
from deliberation.services import MAX_COMMENT_LENGTH, post_comment
from proposals.models import Proposal
from proposals.selectors import visible_comments


class CommentOut(serializers.Serializer[Any]):
    id = serializers.IntegerField()
    proposal = serializers.IntegerField(source="proposal_id")
    author_name = serializers.CharField(source="author.public_name",
                                        help_text="Nom public ; jamais l’adresse e-mail.")
    body = serializers.CharField(help_text="Texte brut (balises retirées).")
    created_at = serializers.DateTimeField()


class CommentIn(serializers.Serializer[Any]):
    # Longer input is accepted here: the service measures the text once markup is stripped.
    body = serializers.CharField(min_length=1, max_length=4 * MAX_COMMENT_LENGTH)


@extend_schema_view(
    get=extend_schema(summary="Commentaires d’une proposition", tags=["Commentaires"],
                      description="Public. Les commentaires masqués par la modération "
                                  "n’apparaissent pas ; l’auteur est désigné par son nom public.",
                      responses={200: CommentOut(many=True), **error_responses(404)}),
    post=extend_schema(summary="Commenter une proposition", request=CommentIn,
                       tags=["Commentaires"],
                       description="Personne connectée, dans une phase qui permet de "
                                   "commenter. Texte brut : les balises sont retirées.",
                       responses={201: CommentOut, **error_responses(400, 401, 404, 409)}),
)
class ProposalCommentsView(PinsAPIView):
    """GET/POST /api/v1/proposals/{id}/comments/. Hidden comments are never listed."""

    serializer_class = CommentOut

    def get_proposal(self, pk: int) -> Proposal:
        return get_or_404(Proposal.objects.select_related("cycle"),
                          _("Cette proposition n’existe pas."), pk=pk)

    def get(self, request: Request, pk: int) -> Response:
        proposal = self.get_proposal(pk)
        page = self.paginate_queryset(visible_comments(proposal))
        return self.get_paginated_response(CommentOut(page, many=True).data)

    def post(self, request: Request, pk: int) -> Response:
        proposal = self.get_proposal(pk)
        data = CommentIn(data=request.data)
        data.is_valid(raise_exception=True)
        comment = post_comment(author=request.user, proposal=proposal, **data.validated_data)
        return Response(CommentOut(comment).data, status=status.HTTP_201_CREATED)
