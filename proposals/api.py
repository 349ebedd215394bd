"""Proposals API: list and submit in a cycle, read one, record a feasibility review.

Writes call ``proposals.services`` (``submit_proposal``, ``review_proposal``); the phase
and role checks, and the field checks with their French messages, live there.
"""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import mixins, serializers, status
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from budgets.models import BudgetCycle, Envelope
from config.api import PinsAPIView, PinsViewSet, error_responses, get_or_404
from proposals.models import Category, Proposal, ProposalStatus, ReviewDecision
from proposals.services import MAX_COST_CENTS, review_proposal, submit_proposal
from territory.models import Commune, District


class ProposalOut(serializers.Serializer[Any]):
    id = serializers.IntegerField()
    cycle = serializers.CharField(source="cycle.slug")
    envelope = serializers.IntegerField(source="envelope_id")
    envelope_name = serializers.CharField(source="envelope.name")
    title = serializers.CharField()
    description = serializers.CharField()
    category = serializers.ChoiceField(choices=Category.choices)
    category_label = serializers.CharField(source="get_category_display")
    commune = serializers.CharField(source="commune.slug")
    district = serializers.IntegerField(source="district_id", allow_null=True)
    estimated_cost_cents = serializers.IntegerField()
    validated_cost_cents = serializers.IntegerField(allow_null=True)
    cost_cents = serializers.IntegerField(help_text="Coût qui compte : validé, sinon estimé.")
    status = serializers.ChoiceField(choices=ProposalStatus.choices)
    status_label = serializers.CharField(source="get_status_display")
    public_reason = serializers.CharField()
    author_name = serializers.CharField(source="author.public_name")
    created_at = serializers.DateTimeField()


class ProposalFilterIn(serializers.Serializer[Any]):
    commune = serializers.SlugField(required=False, help_text="Slug de la commune (ex. cenon).")
    status = serializers.ChoiceField(choices=ProposalStatus.choices, required=False)


class ProposalSubmitIn(serializers.Serializer[Any]):
    envelope = serializers.PrimaryKeyRelatedField(queryset=Envelope.objects.all())
    title = serializers.CharField(min_length=1, max_length=140)
    description = serializers.CharField(min_length=1, max_length=5000)
    category = serializers.ChoiceField(choices=Category.choices)
    commune = serializers.SlugRelatedField(slug_field="slug", queryset=Commune.objects.all())
    district = serializers.PrimaryKeyRelatedField(
        queryset=District.objects.all(), required=False, allow_null=True, default=None
    )
    estimated_cost_cents = serializers.IntegerField(
        min_value=1, max_value=MAX_COST_CENTS, help_text="Coût estimé en centimes d’euro."
    )


class ReviewIn(serializers.Serializer[Any]):
    decision = serializers.ChoiceField(choices=ReviewDecision.choices)
    validated_cost_cents = serializers.IntegerField(
        required=False, allow_null=True, default=None, min_value=0, max_value=MAX_COST_CENTS,
        help_text="Obligatoire si la proposition est recevable.",
    )
    public_reason = serializers.CharField(
        required=False, allow_blank=True, default="", max_length=5000,
        help_text="Obligatoire si la proposition n’est pas recevable.",
    )


class ReviewOut(serializers.Serializer[Any]):
    id = serializers.IntegerField()
    decision = serializers.ChoiceField(choices=ReviewDecision.choices)
    validated_cost_cents = serializers.IntegerField(allow_null=True)
    public_reason = serializers.CharField()
    created_at = serializers.DateTimeField()
    proposal = ProposalOut()


def proposals_queryset() -> QuerySet[Proposal]:
    """With every relation ``ProposalOut`` reads (``public_name`` reads the author's commune)."""
    return Proposal.objects.select_related("cycle", "envelope", "commune", "author__commune").order_by(
        "title", "pk"
    )


def get_cycle_or_404(slug: str) -> BudgetCycle:
    return get_or_404(BudgetCycle.objects.all(), _("Ce budget participatif n’existe pas."),
                      slug=slug)


@extend_schema_view(
    get=extend_schema(
        summary="Lister les propositions d’un budget", parameters=[ProposalFilterIn],
        tags=["Propositions"],
        description="Public. Filtres facultatifs : commune (slug) et statut.",
        responses={200: ProposalOut(many=True), **error_responses(400, 404)},
    ),
    post=extend_schema(
        summary="Déposer une proposition (phase de dépôt)", request=ProposalSubmitIn,
        tags=["Propositions"],
        description="Habitant connecté, pendant la phase de dépôt. Coût estimé en centimes, "
                    "au plus le montant de l’enveloppe choisie (celle de la commune ou "
                    "l’enveloppe territoriale).",
        responses={201: ProposalOut, **error_responses(400, 401, 403, 404, 409)},
    ),
)
class CycleProposalsView(PinsAPIView):
    """GET/POST /api/v1/cycles/{slug}/proposals/."""

    serializer_class = ProposalOut

    def get(self, request: Request, slug: str) -> Response:
        cycle = get_cycle_or_404(slug)
        filters = ProposalFilterIn(data=request.query_params)
        filters.is_valid(raise_exception=True)
        queryset = proposals_queryset().filter(cycle=cycle)
        if "commune" in filters.validated_data:
            queryset = queryset.filter(commune__slug=filters.validated_data["commune"])
        if "status" in filters.validated_data:
            queryset = queryset.filter(status=filters.validated_data["status"])
        page = self.paginate_queryset(queryset)
        return self.get_paginated_response(ProposalOut(page, many=True).data)

    def post(self, request: Request, slug: str) -> Response:
        cycle = get_cycle_or_404(slug)
        data = ProposalSubmitIn(data=request.data)
        data.is_valid(raise_exception=True)
        proposal = submit_proposal(author=request.user, cycle=cycle, **data.validated_data)
        return Response(ProposalOut(proposals_queryset().get(pk=proposal.pk)).data,
                        status=status.HTTP_201_CREATED)


@extend_schema_view(
    retrieve=extend_schema(summary="Une proposition", tags=["Propositions"],
                           description="Public.",
                           responses={200: ProposalOut, **error_responses(404)}),
)
class ProposalViewSet(mixins.RetrieveModelMixin, PinsViewSet):
    """GET /api/v1/proposals/{id}/ and POST /api/v1/proposals/{id}/review/."""

    serializer_class = ProposalOut
    lookup_value_regex = "[0-9]+"

    def get_queryset(self) -> QuerySet[Proposal]:
        return proposals_queryset()

    def get_object(self) -> Proposal:
        return get_or_404(self.get_queryset(), _("Cette proposition n’existe pas."),
                          pk=self.kwargs["pk"])

    @extend_schema(
        summary="Analyse de faisabilité (services de la commune)", request=ReviewIn,
        tags=["Propositions"],
        description="Instructeur de la commune de la proposition, pendant le dépôt ou "
                    "l’analyse. « feasible » exige le coût validé ; « unfeasible » exige un "
                    "motif public.",
        responses={201: OpenApiResponse(ReviewOut), **error_responses(400, 401, 403, 404, 409)},
    )
    @action(detail=True, methods=["post"])
    def review(self, request: Request, pk: str) -> Response:
        proposal = self.get_object()
        data = ReviewIn(data=request.data)
        data.is_valid(raise_exception=True)
        review = review_proposal(reviewer=request.user, proposal=proposal, **data.validated_data)
        review.proposal = self.get_object()
        return Response(ReviewOut(review).data, status=status.HTTP_201_CREATED)
