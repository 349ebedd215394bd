"""API over budget cycles: envelopes, dated phases and the phase open now (public); the
timeline replaced and the current phase closed early by administrators (same services as
the pages: ``set_timeline``, ``close_phase_early``)."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema, extend_schema_field, extend_schema_view
from rest_framework import mixins, serializers
from rest_framework.request import Request
from rest_framework.response import Response

from budgets import policy
from budgets.models import BudgetCycle, Phase
from budgets.selectors import cycles_with_timeline
from budgets.services import close_phase_early, current_phase_of, set_timeline
from budgets.timeline import PlannedPhase
from config.api import PinsAPIView, PinsViewSet, error_responses, get_or_404


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


# -- Timeline: read (public), replace and close the current phase (administrators) --------


class TimelinePhaseOut(PhaseOut):
    state = serializers.ChoiceField(choices=["past", "current", "future"],
                                    help_text="past : terminée ; current : en cours ; future : à venir.")


class TimelineOut(serializers.Serializer[Any]):
    cycle = serializers.SlugField()
    current_phase = serializers.CharField(
        allow_null=True, help_text="Type (kind) de la phase en cours ; null entre deux phases.")
    phases = TimelinePhaseOut(many=True, help_text="Les phases, par date de début.")


class TimelinePhaseIn(serializers.Serializer[Any]):
    kind = serializers.ChoiceField(choices=[k.value for k in policy.PhaseKind])
    starts_at = serializers.DateTimeField(help_text="ISO 8601 ; sans fuseau : heure de Paris.")
    ends_at = serializers.DateTimeField(help_text="ISO 8601 ; exclue (la phase finit juste avant).")


class TimelineIn(serializers.Serializer[Any]):
    phases = serializers.ListField(
        child=TimelinePhaseIn(), max_length=len(policy.PhaseKind),
        help_text="Le calendrier complet : une phase absente est retirée (seulement si elle n’a "
                  "pas commencé).")


class ClosePhaseIn(serializers.Serializer[Any]):
    start_next = serializers.BooleanField(
        default=True, help_text="Ouvrir aussitôt la phase suivante (toujours vrai pour le vote : "
                                "sa clôture ouvre les résultats).")


def timeline_payload(cycle: BudgetCycle) -> dict[str, Any]:
    """The cycle's phases by start with their state now (one query)."""
    now = timezone.now()
    phases = list(cycle.phases.order_by("starts_at"))
    current = policy.current_phase(phases, now)
    return {
        "cycle": cycle.slug,
        "current_phase": current.kind if current else None,
        "phases": [
            {"kind": p.kind, "get_kind_display": p.get_kind_display(), "starts_at": p.starts_at,
             "ends_at": p.ends_at,
             "state": "current" if p == current else ("past" if p.ends_at <= now else "future")}
            for p in phases
        ],
    }


def _cycle(slug: str) -> BudgetCycle:
    return get_or_404(BudgetCycle.objects.all(), _("Ce budget participatif n’existe pas."), slug=slug)


@extend_schema_view(
    get=extend_schema(
        summary="Calendrier d’un budget", tags=["Budgets"],
        description="Public. Les phases datées [début, fin) et leur état maintenant.",
        responses={200: TimelineOut, **error_responses(404)},
    ),
    put=extend_schema(
        summary="Remplacer le calendrier (administrateurs)", tags=["Budgets"], request=TimelineIn,
        description="Les phases se suivent dans l’ordre des types (information, dépôt, analyse, "
                    "débat, vote, résultats, réalisation) sans se chevaucher. Ce qui a eu lieu ne "
                    "change plus : une phase commencée garde son début et reste au calendrier, une "
                    "phase terminée garde sa fin, la fin d’une phase en cours reste dans le futur, "
                    "une phase à venir ne commence pas dans le passé. Les erreurs sont données par "
                    "champ, sous la clé « <type>.<champ> » (ex. voting.starts_at).",
        responses={200: TimelineOut, **error_responses(400, 401, 403, 404)},
    ),
)
class CycleTimelineView(PinsAPIView):
    """GET/PUT /api/v1/cycles/{slug}/timeline/."""

    serializer_class = TimelineOut

    def get(self, request: Request, slug: str) -> Response:
        return Response(TimelineOut(timeline_payload(_cycle(slug))).data)

    def put(self, request: Request, slug: str) -> Response:
        cycle = _cycle(slug)
        data = TimelineIn(data=request.data)
        data.is_valid(raise_exception=True)
        phases = [PlannedPhase(policy.PhaseKind(p["kind"]), p["starts_at"], p["ends_at"])
                  for p in data.validated_data["phases"]]
        set_timeline(actor=request.user, cycle=cycle, phases=phases)
        return Response(TimelineOut(timeline_payload(cycle)).data)


@extend_schema_view(
    post=extend_schema(
        summary="Clore la phase en cours maintenant (administrateurs)", tags=["Budgets"],
        request=ClosePhaseIn,
        description="La phase en cours finit maintenant ; avec start_next, la phase suivante "
                    "commence maintenant (sa fin ne change pas). Clore le vote attend les votes "
                    "en cours d’enregistrement et ouvre les résultats ; les bulletins papier "
                    "encore en attente d’une seconde saisie ne seront pas comptés (la page de "
                    "gestion du vote les signale). 409 si aucune phase n’est en cours.",
        responses={200: TimelineOut, **error_responses(400, 401, 403, 404, 409)},
    ),
)
class CyclePhaseCloseView(PinsAPIView):
    """POST /api/v1/cycles/{slug}/close-phase/."""

    serializer_class = TimelineOut

    def post(self, request: Request, slug: str) -> Response:
        cycle = _cycle(slug)
        data = ClosePhaseIn(data=request.data)
        data.is_valid(raise_exception=True)
        close_phase_early(actor=request.user, cycle=cycle, start_next=data.validated_data["start_next"])
        return Response(TimelineOut(timeline_payload(cycle)).data)
