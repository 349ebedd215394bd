"""Debate API: threads of proposals and of the cycle, comment edit/delete/history, reactions,
flags, moderation (queue, hide, restore, dismiss, suspend, lift) and workshops.

Every write calls the same service as the HTML views (deliberation.services); refusals come
back in the single error shape (config.errors). Writes are rate-limited by the default
``WriteRateThrottle``.
"""

from __future__ import annotations

from typing import Any

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db.models import Count, Q, QuerySet
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import serializers, status
from rest_framework.permissions import IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response

from budgets.models import BudgetCycle
from config.api import PinsAPIView, error_responses, get_or_404
from deliberation import selectors, services
from deliberation.models import (
    Comment,
    CommentingSuspension,
    FlagReason,
    ReactionValue,
    Stance,
    Workshop,
)
from deliberation.services import (
    MAX_COMMENT_LENGTH,
    MAX_FLAG_DETAILS_LENGTH,
    MAX_MINUTES_LENGTH,
    MAX_REASON_LENGTH,
)
from proposals.models import Proposal
from territory.models import Commune

TAGS = ["Débat"]
MODERATION_TAGS = ["Modération"]
WORKSHOP_TAGS = ["Ateliers"]


def _annotated(qs: QuerySet[Comment]) -> QuerySet[Comment]:
    return (qs.select_related("author__commune", "cycle")
            .annotate(up_count=Count("reactions", filter=Q(reactions__value="up")),
                      down_count=Count("reactions", filter=Q(reactions__value="down")))
            .order_by("created_at", "pk"))


def _fresh(comment: Comment) -> Comment:
    return _annotated(Comment.objects.filter(pk=comment.pk)).get()


class CommentOut(serializers.Serializer[Any]):
    id = serializers.IntegerField()
    cycle = serializers.SlugField(source="cycle.slug")
    proposal = serializers.IntegerField(source="proposal_id", allow_null=True,
                                        help_text="Vide pour le débat général du budget.")
    parent = serializers.IntegerField(  # type: ignore[assignment]  # a field, not Field.parent
        source="parent_id", allow_null=True)
    depth = serializers.IntegerField(help_text="0 pour un commentaire, 1 et 2 pour les réponses.")
    state = serializers.SerializerMethodField(
        help_text="visible, hidden (masqué par la modération) ou deleted (supprimé par "
                  "son auteur).")
    author_name = serializers.SerializerMethodField(
        help_text="Nom public ; jamais l’adresse e-mail. Vide si le commentaire est supprimé.")
    stance = serializers.ChoiceField(choices=Stance.choices)
    body = serializers.SerializerMethodField(
        help_text="Texte brut (balises retirées) ; vide si masqué ou supprimé.")
    hidden_reason = serializers.CharField(help_text="Motif public du masquage.")
    created_at = serializers.DateTimeField()
    edited_at = serializers.DateTimeField(allow_null=True)
    up_count = serializers.IntegerField()
    down_count = serializers.IntegerField()

    def get_state(self, comment: Comment) -> str:
        if comment.is_deleted:
            return "deleted"
        return "hidden" if comment.is_hidden else "visible"

    def get_author_name(self, comment: Comment) -> str:
        return "" if comment.is_deleted else str(comment.author.public_name)

    def get_body(self, comment: Comment) -> str:
        return comment.body if comment.is_visible else ""


class CommentIn(serializers.Serializer[Any]):
    # Longer input is accepted here: the service measures the text once markup is stripped.
    body = serializers.CharField(min_length=1, max_length=4 * MAX_COMMENT_LENGTH)
    stance = serializers.ChoiceField(choices=Stance.choices, default=Stance.NEUTRAL)
    parent = serializers.IntegerField(  # type: ignore[assignment]  # a field, not Field.parent
        required=False, allow_null=True, min_value=1,
        help_text="Identifiant du commentaire auquel on répond.")


class CommentEditIn(serializers.Serializer[Any]):
    body = serializers.CharField(min_length=1, max_length=4 * MAX_COMMENT_LENGTH)
    stance = serializers.ChoiceField(choices=Stance.choices)


class RevisionOut(serializers.Serializer[Any]):
    body = serializers.CharField()
    stance = serializers.ChoiceField(choices=Stance.choices)
    written_at = serializers.DateTimeField()
    replaced_at = serializers.DateTimeField()


class ReactionIn(serializers.Serializer[Any]):
    value = serializers.ChoiceField(choices=ReactionValue.choices)


class ReactionOut(serializers.Serializer[Any]):
    value = serializers.CharField(help_text="up, down, ou vide si la réaction est retirée.")
    up_count = serializers.IntegerField()
    down_count = serializers.IntegerField()


class FlagIn(serializers.Serializer[Any]):
    reason = serializers.ChoiceField(choices=FlagReason.choices)
    details = serializers.CharField(required=False, allow_blank=True,
                                    max_length=4 * MAX_FLAG_DETAILS_LENGTH,
                                    help_text="Obligatoire pour le motif other.")


class FlagOut(serializers.Serializer[Any]):
    id = serializers.IntegerField()
    comment = serializers.IntegerField(source="comment_id")
    reason = serializers.ChoiceField(choices=FlagReason.choices)
    details = serializers.CharField()
    created_at = serializers.DateTimeField()


class HideIn(serializers.Serializer[Any]):
    reason = serializers.CharField(min_length=1, max_length=4 * MAX_REASON_LENGTH,
                                   help_text="Motif public, affiché à la place du texte.")


class DismissOut(serializers.Serializer[Any]):
    dismissed = serializers.IntegerField()


class QueueItemOut(CommentOut):
    text = serializers.CharField(source="body", help_text="Texte, visible des modérateurs.")
    open_flags = FlagOut(many=True)
    up_count = None  # type: ignore[assignment]
    down_count = None  # type: ignore[assignment]


class SuspensionIn(serializers.Serializer[Any]):
    user = serializers.IntegerField(min_value=1)
    reason = serializers.CharField(min_length=1, max_length=4 * MAX_REASON_LENGTH)
    ends_at = serializers.DateTimeField(required=False, allow_null=True)


class SuspensionOut(serializers.Serializer[Any]):
    id = serializers.IntegerField()
    user = serializers.IntegerField(source="user_id")
    user_name = serializers.CharField(source="user.public_name")
    reason = serializers.CharField()
    ends_at = serializers.DateTimeField(allow_null=True)
    created_at = serializers.DateTimeField()
    lifted_at = serializers.DateTimeField(allow_null=True)


class QueueOut(serializers.Serializer[Any]):
    flagged = QueueItemOut(many=True)
    hidden = QueueItemOut(many=True)
    suspensions = SuspensionOut(many=True)


class WorkshopOut(serializers.Serializer[Any]):
    id = serializers.IntegerField()
    cycle = serializers.SlugField(source="cycle.slug")
    commune = serializers.CharField(source="commune.slug")
    held_on = serializers.DateField()
    place = serializers.CharField()
    facilitator_name = serializers.CharField(source="facilitator.public_name")
    attendance = serializers.IntegerField()
    minutes = serializers.CharField(help_text="Texte brut.")
    proposals = serializers.SerializerMethodField(help_text="Propositions discutées.")

    def get_proposals(self, workshop: Workshop) -> list[int]:
        return sorted(p.pk for p in workshop.proposals.all())


class WorkshopIn(serializers.Serializer[Any]):
    commune = serializers.SlugField(help_text="Commune où l’atelier a eu lieu (création).")
    held_on = serializers.DateField()
    place = serializers.CharField(min_length=1, max_length=800)
    attendance = serializers.IntegerField(min_value=0, max_value=services.MAX_ATTENDANCE)
    minutes = serializers.CharField(min_length=1, max_length=4 * MAX_MINUTES_LENGTH)
    proposals = serializers.ListField(child=serializers.IntegerField(min_value=1),
                                      required=False, max_length=500)


class WorkshopEditIn(WorkshopIn):
    commune = None  # type: ignore[assignment]  # fixed at creation


def _comment(pk: int) -> Comment:
    return get_or_404(Comment.objects.select_related("cycle", "proposal", "author"),
                      _("Ce commentaire n’existe pas."), pk=pk)


def _cycle(slug: str) -> BudgetCycle:
    return get_or_404(BudgetCycle.objects.all(), _("Ce budget n’existe pas."), slug=slug)


def _proposals(cycle: BudgetCycle, ids: list[int]) -> list[Proposal]:
    found = list(Proposal.objects.filter(cycle=cycle, pk__in=ids))
    if len(found) != len(set(ids)):
        raise ValidationError({"proposals": _("Les propositions liées doivent appartenir à ce "
                                              "budget.")})
    return found


class _ThreadView(PinsAPIView):
    serializer_class = CommentOut

    def _post(self, request: Request, **target: Any) -> Response:
        data = CommentIn(data=request.data)
        data.is_valid(raise_exception=True)
        values = dict(data.validated_data)
        parent_id = values.pop("parent", None)
        if parent_id is not None:
            parent = _comment(parent_id)
            expected = target.get("proposal")
            if (parent.proposal_id != (expected.pk if expected else None)
                    or parent.cycle_id != (expected.cycle_id if expected
                                           else target["cycle"].pk)):
                raise ValidationError({"parent": _("Ce commentaire n’est pas dans ce fil.")})
            comment = services.post_comment(author=request.user, parent=parent, **values)
        else:
            comment = services.post_comment(author=request.user, **target, **values)
        return Response(CommentOut(_fresh(comment)).data, status=status.HTTP_201_CREATED)


@extend_schema_view(
    get=extend_schema(summary="Fil de discussion d’une proposition", tags=TAGS,
                      description="Public. Tous les commentaires, dans l’ordre de publication, "
                                  "avec leur parent : un commentaire masqué garde sa place (motif "
                                  "public, sans texte), un commentaire supprimé aussi (vide).",
                      responses={200: CommentOut(many=True), **error_responses(404)}),
    post=extend_schema(summary="Commenter une proposition ou répondre", request=CommentIn,
                       tags=TAGS,
                       description="Personne connectée, dans une phase qui permet de commenter, "
                                   "non suspendue. Position : for, against ou neutral. "
                                   "Réponses jusqu’à 3 niveaux. Texte brut : balises retirées.",
                       responses={201: CommentOut,
                                  **error_responses(400, 401, 403, 404, 409, 429)}),
)
class ProposalCommentsView(_ThreadView):
    """GET/POST /api/v1/proposals/{id}/comments/."""

    def get_proposal(self, pk: int) -> Proposal:
        return get_or_404(Proposal.objects.select_related("cycle"),
                          _("Cette proposition n’existe pas."), pk=pk)

    def get(self, request: Request, pk: int) -> Response:
        proposal = self.get_proposal(pk)
        page = self.paginate_queryset(_annotated(Comment.objects.filter(proposal=proposal)))
        return self.get_paginated_response(CommentOut(page, many=True).data)

    def post(self, request: Request, pk: int) -> Response:
        return self._post(request, proposal=self.get_proposal(pk))


@extend_schema_view(
    get=extend_schema(summary="Débat général d’un budget", tags=TAGS,
                      responses={200: CommentOut(many=True), **error_responses(404)}),
    post=extend_schema(summary="Commenter le budget ou répondre", request=CommentIn, tags=TAGS,
                       responses={201: CommentOut,
                                  **error_responses(400, 401, 403, 404, 409, 429)}),
)
class CycleCommentsView(_ThreadView):
    """GET/POST /api/v1/cycles/{slug}/comments/."""

    def get(self, request: Request, slug: str) -> Response:
        cycle = _cycle(slug)
        qs = Comment.objects.filter(cycle=cycle, proposal__isnull=True)
        page = self.paginate_queryset(_annotated(qs))
        return self.get_paginated_response(CommentOut(page, many=True).data)

    def post(self, request: Request, slug: str) -> Response:
        return self._post(request, cycle=_cycle(slug))


@extend_schema_view(
    get=extend_schema(summary="Un commentaire", tags=TAGS,
                      responses={200: CommentOut, **error_responses(404)}),
    patch=extend_schema(summary="Modifier son commentaire", request=CommentEditIn, tags=TAGS,
                        description="Auteur seulement ; l’ancienne version va dans l’historique.",
                        responses={200: CommentOut,
                                   **error_responses(400, 401, 403, 404, 409, 429)}),
    delete=extend_schema(summary="Supprimer son commentaire", tags=TAGS,
                         description="Auteur seulement ; une trace « supprimé » garde le fil "
                                     "lisible et les réponses restent.",
                         responses={200: CommentOut,
                                    **error_responses(400, 401, 403, 404, 409, 429)}),
)
class CommentView(PinsAPIView):
    """GET/PATCH/DELETE /api/v1/comments/{id}/."""

    serializer_class = CommentOut

    def get(self, request: Request, pk: int) -> Response:
        return Response(CommentOut(_fresh(_comment(pk))).data)

    def patch(self, request: Request, pk: int) -> Response:
        comment = _comment(pk)
        data = CommentEditIn(data=request.data)
        data.is_valid(raise_exception=True)
        services.edit_comment(author=request.user, comment=comment, **data.validated_data)
        return Response(CommentOut(_fresh(comment)).data)

    def delete(self, request: Request, pk: int) -> Response:
        comment = _comment(pk)
        services.delete_comment(author=request.user, comment=comment)
        return Response(CommentOut(_fresh(comment)).data)


@extend_schema(summary="Versions précédentes d’un commentaire", tags=TAGS,
               description="Public ; vide pour un commentaire masqué ou supprimé.",
               responses={200: RevisionOut(many=True), **error_responses(404)})
class CommentRevisionsView(PinsAPIView):
    """GET /api/v1/comments/{id}/revisions/."""

    serializer_class = RevisionOut
    pagination_class = None

    def get(self, request: Request, pk: int) -> Response:
        comment = _comment(pk)
        revisions = comment.revisions.order_by("replaced_at", "pk") if comment.is_visible else []
        return Response(RevisionOut(revisions, many=True).data)


@extend_schema_view(
    put=extend_schema(summary="Réagir à un commentaire (utile / pas d’accord)",
                      request=ReactionIn, tags=TAGS,
                      description="Une réaction par personne et commentaire ; la renvoyer la "
                                  "change. Pas sur son propre commentaire.",
                      responses={200: ReactionOut,
                                 **error_responses(400, 401, 403, 404, 409, 429)}),
    delete=extend_schema(summary="Retirer sa réaction", tags=TAGS,
                         responses={200: ReactionOut,
                                    **error_responses(400, 401, 403, 404, 409, 429)}),
)
class CommentReactionView(PinsAPIView):
    """PUT/DELETE /api/v1/comments/{id}/reaction/."""

    serializer_class = ReactionOut
    permission_classes = [IsAuthenticated]

    def _answer(self, comment: Comment, value: str) -> Response:
        fresh = _fresh(comment)
        return Response(ReactionOut({"value": value, "up_count": fresh.up_count,  # type: ignore[attr-defined]
                                     "down_count": fresh.down_count}).data)  # type: ignore[attr-defined]

    def put(self, request: Request, pk: int) -> Response:
        comment = _comment(pk)
        data = ReactionIn(data=request.data)
        data.is_valid(raise_exception=True)
        value = services.react(user=request.user, comment=comment,
                               value=data.validated_data["value"])
        return self._answer(comment, value)

    def delete(self, request: Request, pk: int) -> Response:
        comment = _comment(pk)
        return self._answer(comment, services.react(user=request.user, comment=comment,
                                                    value=""))


@extend_schema(summary="Signaler un commentaire aux modérateurs", request=FlagIn, tags=TAGS,
               description="Motif dans une liste fermée ; précisions obligatoires pour other.",
               responses={201: FlagOut, **error_responses(400, 401, 403, 404, 409, 429)})
class CommentFlagsView(PinsAPIView):
    """POST /api/v1/comments/{id}/flags/."""

    serializer_class = FlagOut

    def post(self, request: Request, pk: int) -> Response:
        comment = _comment(pk)
        data = FlagIn(data=request.data)
        data.is_valid(raise_exception=True)
        flag = services.flag_comment(reporter=request.user, comment=comment,
                                     **data.validated_data)
        return Response(FlagOut(flag).data, status=status.HTTP_201_CREATED)


@extend_schema(summary="File de modération d’un budget", tags=MODERATION_TAGS,
               description="Modérateurs du budget et administrateurs : commentaires signalés "
                           "(avec les signalements ouverts), commentaires masqués, suspensions "
                           "en cours.",
               responses={200: QueueOut, **error_responses(401, 403, 404)})
class ModerationQueueView(PinsAPIView):
    """GET /api/v1/cycles/{slug}/moderation/."""

    serializer_class = QueueOut
    permission_classes = [IsAuthenticated]
    pagination_class = None

    def get(self, request: Request, slug: str) -> Response:
        cycle = _cycle(slug)
        services.require_moderator(request.user, cycle)
        queue = selectors.moderation_queue(cycle)
        for comment in queue["hidden"]:
            comment.open_flags = []  # type: ignore[attr-defined]
        return Response(QueueOut(queue).data)


@extend_schema(summary="Masquer un commentaire", request=HideIn, tags=MODERATION_TAGS,
               description="Modérateurs et administrateurs, quelle que soit la phase. Le motif "
                           "est public. Événement d’audit.",
               responses={200: CommentOut, **error_responses(400, 401, 403, 404, 409, 429)})
class CommentHideView(PinsAPIView):
    serializer_class = CommentOut
    permission_classes = [IsAuthenticated]

    def post(self, request: Request, pk: int) -> Response:
        comment = _comment(pk)
        data = HideIn(data=request.data)
        data.is_valid(raise_exception=True)
        services.hide_comment(moderator=request.user, comment=comment,
                              reason=data.validated_data["reason"])
        return Response(CommentOut(_fresh(comment)).data)


@extend_schema(summary="Rétablir un commentaire masqué", request=None, tags=MODERATION_TAGS,
               responses={200: CommentOut, **error_responses(400, 401, 403, 404, 409, 429)})
class CommentRestoreView(PinsAPIView):
    serializer_class = CommentOut
    permission_classes = [IsAuthenticated]

    def post(self, request: Request, pk: int) -> Response:
        comment = _comment(pk)
        services.restore_comment(moderator=request.user, comment=comment)
        return Response(CommentOut(_fresh(comment)).data)


@extend_schema(summary="Écarter les signalements d’un commentaire", request=None,
               tags=MODERATION_TAGS,
               responses={200: DismissOut, **error_responses(400, 401, 403, 404, 409, 429)})
class CommentDismissFlagsView(PinsAPIView):
    serializer_class = DismissOut
    permission_classes = [IsAuthenticated]

    def post(self, request: Request, pk: int) -> Response:
        count = services.dismiss_flags(moderator=request.user, comment=_comment(pk))
        return Response({"dismissed": count})


@extend_schema(summary="Suspendre une personne des commentaires du budget",
               request=SuspensionIn, tags=MODERATION_TAGS,
               description="Modérateurs et administrateurs. Sans ends_at : jusqu’à levée.",
               responses={201: SuspensionOut, **error_responses(400, 401, 403, 404, 409, 429)})
class SuspensionsView(PinsAPIView):
    serializer_class = SuspensionOut
    permission_classes = [IsAuthenticated]

    def post(self, request: Request, slug: str) -> Response:
        cycle = _cycle(slug)
        services.require_moderator(request.user, cycle)
        data = SuspensionIn(data=request.data)
        data.is_valid(raise_exception=True)
        values = dict(data.validated_data)
        user = get_or_404(get_user_model().objects.all(),
                          _("Cette personne n’existe pas."), pk=values.pop("user"))
        suspension = services.suspend_commenter(moderator=request.user, cycle=cycle, user=user,
                                                **values)
        return Response(SuspensionOut(suspension).data, status=status.HTTP_201_CREATED)


@extend_schema(summary="Lever une suspension", request=None, tags=MODERATION_TAGS,
               responses={200: SuspensionOut, **error_responses(400, 401, 403, 404, 409, 429)})
class SuspensionLiftView(PinsAPIView):
    serializer_class = SuspensionOut
    permission_classes = [IsAuthenticated]

    def post(self, request: Request, pk: int) -> Response:
        suspension = get_or_404(CommentingSuspension.objects.select_related("cycle", "user"),
                                _("Cette suspension n’existe pas."), pk=pk)
        return Response(SuspensionOut(services.lift_suspension(
            moderator=request.user, suspension=suspension)).data)


def _workshops() -> QuerySet[Workshop]:
    return (Workshop.objects.select_related("cycle", "commune", "facilitator__commune")
            .prefetch_related("proposals").order_by("-held_on", "-pk"))


@extend_schema_view(
    get=extend_schema(summary="Ateliers en personne d’un budget", tags=WORKSHOP_TAGS,
                      responses={200: WorkshopOut(many=True), **error_responses(404)}),
    post=extend_schema(summary="Enregistrer un atelier", request=WorkshopIn, tags=WORKSHOP_TAGS,
                       description="Animateur ou animatrice de la commune, ou administrateur. "
                                   "Événement d’audit.",
                       responses={201: WorkshopOut,
                                  **error_responses(400, 401, 403, 404, 429)}),
)
class CycleWorkshopsView(PinsAPIView):
    serializer_class = WorkshopOut

    def get(self, request: Request, slug: str) -> Response:
        page = self.paginate_queryset(_workshops().filter(cycle=_cycle(slug)))
        return self.get_paginated_response(WorkshopOut(page, many=True).data)

    def post(self, request: Request, slug: str) -> Response:
        cycle = _cycle(slug)
        data = WorkshopIn(data=request.data)
        data.is_valid(raise_exception=True)
        values = dict(data.validated_data)
        commune = get_or_404(Commune.objects.all(), _("Cette commune n’existe pas."),
                             slug=values.pop("commune"))
        proposals = _proposals(cycle, values.pop("proposals", []))
        workshop = services.record_workshop(facilitator=request.user, cycle=cycle,
                                            commune=commune, proposals=proposals, **values)
        return Response(WorkshopOut(_workshops().get(pk=workshop.pk)).data,
                        status=status.HTTP_201_CREATED)


@extend_schema_view(
    get=extend_schema(summary="Un atelier", tags=WORKSHOP_TAGS,
                      responses={200: WorkshopOut, **error_responses(404)}),
    put=extend_schema(summary="Corriger un atelier", request=WorkshopEditIn, tags=WORKSHOP_TAGS,
                      responses={200: WorkshopOut,
                                 **error_responses(400, 401, 403, 404, 429)}),
)
class WorkshopView(PinsAPIView):
    serializer_class = WorkshopOut

    def get(self, request: Request, pk: int) -> Response:
        return Response(WorkshopOut(get_or_404(_workshops(), _("Cet atelier n’existe pas."),
                                               pk=pk)).data)

    def put(self, request: Request, pk: int) -> Response:
        workshop = get_or_404(_workshops(), _("Cet atelier n’existe pas."), pk=pk)
        data = WorkshopEditIn(data=request.data)
        data.is_valid(raise_exception=True)
        values = dict(data.validated_data)
        proposals = _proposals(workshop.cycle, values.pop("proposals", []))
        services.update_workshop(actor=request.user, workshop=workshop, proposals=proposals,
                                 **values)
        return Response(WorkshopOut(_workshops().get(pk=pk)).data)
