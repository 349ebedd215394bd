"""Read-only API over budget cycles: envelopes, dated phases and the phase open now."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema, extend_schema_field, extend_schema_view
from rest_framework import mixins, serializers
from rest_framework.request import Request
from rest_framework.response import Response

from budgets import policy
from budgets.models import BudgetCycle, Phase
from budgets.selectors import cycles_with_timeline
from budgets.services import current_phase_of
from config.api import PinsViewSet, error_responses, get_or_404


class EnvelopeOut(serializers.Serializer[Any]):
    id = serializers.IntegerField()
    name = serializers.CharField()
    commune = serializers.CharField(source="commune.slug", allow_null=True,
                                    help_text="Commune (slug) ; null pour l’enveloppe territoriale.")
    amount_cents = serializers.IntegerField(help_text="Montant en centimes d’euro.")


class PhaseOut(serializers.Serializer[Any]):
    kind = serializers.ChoiceField(choices=[k.value for k in policy.PhaseKind])
    kind_label = serializers.CharField(source="get_kind_display")
    starts_at = serializers.DateTimeField()
    ends_at = serializers.DateTimeField()


class CurrentPhaseOut(PhaseOut):
    allowed_actions = serializers.SerializerMethodField()

    def get_allowed_actions(self, phase: Phase) -> list[str]:
        return sorted(a.value for a in policy.ALLOWED_ACTIONS[policy.PhaseKind(phase.kind)])


class CycleSummaryOut(serializers.Serializer[Any]):
    slug = serializers.SlugField()
    name = serializers.CharField()
    ballot_kind = serializers.CharField(help_text="approval, knapsack, choose-1, cumulative…")
    max_choices = serializers.IntegerField(help_text="Choix maximum par enveloppe (approbation).")
    rule = serializers.CharField(help_text="Règle d’attribution.")
    current_phase = serializers.SerializerMethodField()

    @extend_schema_field(CurrentPhaseOut(allow_null=True))
    def get_current_phase(self, cycle: BudgetCycle) -> dict[str, Any] | None:
        phase = current_phase_of(cycle)
        return CurrentPhaseOut(phase).data if phase else None


class CycleDetailOut(CycleSummaryOut):
    description = serializers.CharField()
    min_choices = serializers.IntegerField()
    max_points_total = serializers.IntegerField(help_text="Bulletin à points.")
    max_points_per_project = serializers.IntegerField(help_text="Bulletin à points.")
    score_max = serializers.IntegerField(help_text="Bulletin à notes.")
    knapsack_floor_percent = serializers.IntegerField(help_text="Bulletin panier.")
    minimum_age = serializers.IntegerField()
    required_verification = serializers.CharField()
    certification_quorum = serializers.IntegerField()
    envelopes = EnvelopeOut(many=True)
    phases = PhaseOut(many=True)


def cycles_queryset() -> QuerySet[BudgetCycle]:
    """Cycles, newest first, with their phases and envelopes prefetched (three queries)."""
    return cycles_with_timeline().order_by("-created_at", "slug")


@extend_schema_view(
    list=extend_schema(
        summary="Lister les budgets participatifs", tags=["Budgets"],
        description="Public. Chaque budget avec sa phase en cours (null entre deux phases) et "
                    "les actions qu’elle permet.",
        responses={200: CycleSummaryOut, **error_responses(404)},
    ),
    retrieve=extend_schema(
        summary="Un budget : enveloppes, calendrier, phase en cours", tags=["Budgets"],
        description="Public. Enveloppes (montants en centimes ; commune null pour l’enveloppe "
                    "territoriale), phases datées, réglages du bulletin.",
        responses={200: CycleDetailOut, **error_responses(404)},
    ),
)
class CycleViewSet(mixins.ListModelMixin, PinsViewSet):
    """GET /api/v1/cycles/ and /api/v1/cycles/{slug}/ (public)."""

    lookup_field = "slug"
    lookup_value_regex = "[-a-zA-Z0-9_]+"
    serializer_class = CycleSummaryOut

    def get_queryset(self) -> QuerySet[BudgetCycle]:
        return cycles_queryset()

    def retrieve(self, request: Request, slug: str) -> Response:
        cycle = get_or_404(cycles_queryset(), _("Ce budget participatif n’existe pas."), slug=slug)
        return Response(CycleDetailOut(cycle).data)
