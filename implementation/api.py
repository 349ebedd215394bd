"""API of the commune decision reports and of the implementation tracking.

Reads show published figures only (a draft is for the HTML page of the commune's
publishers). Writes call ``implementation.services`` (``publish_commune_report``,
``record_milestone``): roles, phases and field checks with their French messages live there.
"""

from __future__ import annotations

from typing import Any

from django.urls import reverse
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import serializers, status
from rest_framework.permissions import IsAuthenticated, IsAuthenticatedOrReadOnly
from rest_framework.request import Request
from rest_framework.response import Response

from budgets.models import BudgetCycle
from config.api import PinsAPIView, error_responses, get_or_404
from implementation import selectors, services
from implementation.models import CommuneReport, Milestone
from implementation.services import NOTE_MAX, TITLE_MAX
from proposals.models import Proposal, ProposalStatus
from territory.models import Commune


class ReportProjectOut(serializers.Serializer[Any]):
    id = serializers.IntegerField(help_text="Identifiant de la proposition.")
    title = serializers.CharField()
    scope = serializers.ChoiceField(choices=["commune", "territory"],
                                    help_text="Enveloppe de la commune ou du territoire.")
    district = serializers.CharField(help_text="Quartier (vide si aucun).")
    votes = serializers.IntegerField()
    cost_cents = serializers.IntegerField(help_text="Montant attribué, en centimes.")
    status = serializers.ChoiceField(choices=ProposalStatus.choices,
                                     help_text="État de la proposition à la publication.")


class CommuneEnvelopeOut(serializers.Serializer[Any]):
    name = serializers.CharField()
    amount_cents = serializers.IntegerField()
    spent_cents = serializers.IntegerField()
    funded_cents = serializers.IntegerField()


class TerritoryEnvelopeOut(serializers.Serializer[Any]):
    name = serializers.CharField()
    amount_cents = serializers.IntegerField()
    spent_cents = serializers.IntegerField(help_text="Total attribué par l’enveloppe du territoire.")
    commune_cents = serializers.IntegerField(help_text="Dont projets situés dans la commune.")
    share_basis_points = serializers.IntegerField(
        allow_null=True, help_text="commune_cents / spent_cents en points de base (10 000 = 100 %), "
                                   "arrondi au plus proche ; null si rien n’a été attribué.")


class SnapshotOut(serializers.Serializer[Any]):
    commune_envelope = CommuneEnvelopeOut(allow_null=True)
    territory_envelope = TerritoryEnvelopeOut(allow_null=True)
    projects = ReportProjectOut(many=True)
    total_cents = serializers.IntegerField()
    tally = serializers.DictField(help_text="Dépouillement d’origine : run_id, fingerprint, "
                                            "run_at, certifiers.")


class ReportVersionOut(serializers.Serializer[Any]):
    version = serializers.IntegerField()
    published_at = serializers.DateTimeField()
    pdf_fr_url = serializers.CharField()
    pdf_en_url = serializers.CharField()
    pdf_fr_sha256 = serializers.CharField()
    pdf_en_sha256 = serializers.CharField()


class CommuneReportSummaryOut(serializers.Serializer[Any]):
    commune = serializers.SlugField()
    commune_name = serializers.CharField()
    latest_version = serializers.IntegerField(allow_null=True,
                                              help_text="null tant que rien n’est publié.")
    published_at = serializers.DateTimeField(allow_null=True)


class CommuneReportOut(serializers.Serializer[Any]):
    commune = serializers.SlugField()
    commune_name = serializers.CharField()
    versions = ReportVersionOut(many=True, help_text="Versions publiées, la plus récente d’abord.")
    latest = SnapshotOut(allow_null=True, help_text="Chiffres de la dernière version publiée.")


class MilestoneOut(serializers.Serializer[Any]):
    id = serializers.IntegerField()
    happened_on = serializers.DateField()
    title = serializers.CharField()
    note = serializers.CharField()
    progress = serializers.IntegerField(help_text="Avancement après ce jalon, de 0 à 100.")
    recorded_at = serializers.DateTimeField()


class TrackedProjectOut(serializers.Serializer[Any]):
    id = serializers.IntegerField(source="proposal.pk")
    title = serializers.CharField(source="proposal.title")
    commune = serializers.SlugField(source="proposal.commune.slug")
    scope = serializers.SerializerMethodField()
    cost_cents = serializers.IntegerField()
    status = serializers.ChoiceField(choices=ProposalStatus.choices)
    status_label = serializers.CharField()
    progress = serializers.IntegerField(help_text="Avancement du dernier jalon (0 sans jalon).")
    milestones = MilestoneOut(many=True)

    def get_scope(self, project: selectors.TrackedProject) -> str:
        return "territory" if project.envelope.is_territory_wide else "commune"


class TrackingFilterIn(serializers.Serializer[Any]):
    commune = serializers.SlugField(required=False, help_text="Slug de la commune (ex. cenon).")


class MilestoneIn(serializers.Serializer[Any]):
    happened_on = serializers.DateField(help_text="Date du jalon (AAAA-MM-JJ).")
    title = serializers.CharField(max_length=TITLE_MAX)
    note = serializers.CharField(max_length=NOTE_MAX, required=False, allow_blank=True, default="")
    progress = serializers.IntegerField(min_value=0, max_value=100)
    delivered = serializers.BooleanField(required=False, default=False,
                                         help_text="Le projet est réalisé (progress = 100).")


def _cycle(slug: str) -> BudgetCycle:
    return get_or_404(BudgetCycle.objects.all(), _("Ce budget participatif n’existe pas."), slug=slug)


def _commune(cycle: BudgetCycle, slug: str) -> Commune:
    return get_or_404(Commune.objects.filter(envelopes__cycle=cycle),
                      _("Cette commune n’a pas d’enveloppe dans ce budget."), slug=slug)


def _version_payload(report: CommuneReport) -> dict[str, Any]:
    urls = {language: reverse("implementation:commune_report_pdf", args=[
        report.cycle.slug, report.commune.slug, report.version, language]) for language in ("fr", "en")}
    return {"version": report.version, "published_at": report.published_at,
            "pdf_fr_url": urls["fr"], "pdf_en_url": urls["en"],
            "pdf_fr_sha256": report.pdf_fr_sha256, "pdf_en_sha256": report.pdf_en_sha256}


@extend_schema(summary="Rapports de décision des communes d’un budget", tags=["Rapports des communes"],
               description="Public. Chaque commune du budget et sa dernière version publiée.",
               responses={200: CommuneReportSummaryOut(many=True), **error_responses(404)})
class CommuneReportsView(PinsAPIView):
    """GET /api/v1/cycles/{slug}/commune-reports/."""

    serializer_class = CommuneReportSummaryOut
    pagination_class = None

    def get(self, request: Request, slug: str) -> Response:
        cycle = _cycle(slug)
        latest = selectors.latest_reports(cycle)
        rows = [{"commune": c.slug, "commune_name": c.name,
                 "latest_version": latest[c.pk].version if c.pk in latest else None,
                 "published_at": latest[c.pk].published_at if c.pk in latest else None}
                for c in selectors.cycle_communes(cycle)]
        return Response(CommuneReportSummaryOut(rows, many=True).data)


@extend_schema(summary="Rapport de décision d’une commune", tags=["Rapports des communes"],
               description="Public. Les versions publiées (PDF et empreintes SHA-256) et les "
                           "chiffres de la dernière ; latest est null tant que rien n’est publié.",
               responses={200: CommuneReportOut, **error_responses(404)})
class CommuneReportView(PinsAPIView):
    """GET /api/v1/cycles/{slug}/commune-reports/{commune}/."""

    serializer_class = CommuneReportOut

    def get(self, request: Request, slug: str, commune: str) -> Response:
        cycle = _cycle(slug)
        place = _commune(cycle, commune)
        versions = list(selectors.report_versions(cycle, place).select_related("cycle", "commune"))
        return Response(CommuneReportOut({
            "commune": place.slug, "commune_name": place.name,
            "versions": [_version_payload(v) for v in versions],
            "latest": versions[0].snapshot if versions else None,
        }).data)


@extend_schema(
    summary="Publier le rapport de décision d’une commune", request=None,
    tags=["Rapports des communes"],
    description="Personne chargée de la publication pour la commune, ou administrateur ; "
                "phase des résultats ou de réalisation ; résultats certifiés et publiés. "
                "Chaque publication crée une nouvelle version datée, qui ne change plus "
                "(conflit si rien n’a changé depuis la précédente).",
    responses={201: OpenApiResponse(ReportVersionOut), **error_responses(400, 401, 403, 404, 409)},
)
class CommuneReportPublishView(PinsAPIView):
    """POST /api/v1/cycles/{slug}/commune-reports/{commune}/publish/."""

    serializer_class = ReportVersionOut
    permission_classes = [IsAuthenticated]

    def post(self, request: Request, slug: str, commune: str) -> Response:
        cycle = _cycle(slug)
        place = _commune(cycle, commune)
        report = services.publish_commune_report(actor=request.user, cycle=cycle, commune=place)
        return Response(ReportVersionOut(_version_payload(report)).data, status=status.HTTP_201_CREATED)


@extend_schema(summary="Réalisation des projets financés d’un budget", tags=["Réalisation"],
               parameters=[TrackingFilterIn],
               description="Public. Les projets financés par le résultat publié, leur état, leur "
                           "avancement et leurs jalons ; liste vide avant la publication des "
                           "résultats. Filtre facultatif : commune (slug).",
               responses={200: TrackedProjectOut(many=True), **error_responses(400, 404)})
class CycleTrackingView(PinsAPIView):
    """GET /api/v1/cycles/{slug}/implementation/."""

    serializer_class = TrackedProjectOut
    pagination_class = None

    def get(self, request: Request, slug: str) -> Response:
        cycle = _cycle(slug)
        filters = TrackingFilterIn(data=request.query_params)
        filters.is_valid(raise_exception=True)
        place = _commune(cycle, filters.validated_data["commune"]) \
            if "commune" in filters.validated_data else None
        run = selectors.published_run(cycle)
        projects = selectors.tracked_projects(run, place) if run else []
        return Response(TrackedProjectOut(projects, many=True).data)


@extend_schema_view(
    get=extend_schema(summary="Jalons d’un projet", tags=["Réalisation"], description="Public.",
                      responses={200: MilestoneOut(many=True), **error_responses(404)}),
    post=extend_schema(
        summary="Ajouter un jalon (phase de réalisation)", request=MilestoneIn, tags=["Réalisation"],
        description="Personne chargée de la publication pour la commune du projet, ou "
                    "administrateur, pendant la phase de réalisation, pour un projet financé "
                    "par le résultat publié. Le premier jalon fait passer le projet « en cours » ; "
                    "delivered (avec progress 100) le fait passer « réalisé ». Un avancement en "
                    "baisse exige une note.",
        responses={201: OpenApiResponse(MilestoneOut), **error_responses(400, 401, 403, 404, 409)},
    ),
)
class ProposalMilestonesView(PinsAPIView):
    """GET/POST /api/v1/proposals/{id}/milestones/."""

    serializer_class = MilestoneOut
    pagination_class = None
    permission_classes = [IsAuthenticatedOrReadOnly]

    def _proposal(self, pk: int) -> Proposal:
        return get_or_404(Proposal.objects.select_related("cycle", "commune"),
                          _("Cette proposition n’existe pas."), pk=pk)

    def get(self, request: Request, pk: int) -> Response:
        proposal = self._proposal(pk)
        return Response(MilestoneOut(Milestone.objects.filter(proposal=proposal), many=True).data)

    def post(self, request: Request, pk: int) -> Response:
        proposal = self._proposal(pk)
        data = MilestoneIn(data=request.data)
        data.is_valid(raise_exception=True)
        milestone = services.record_milestone(actor=request.user, proposal=proposal,
                                              **data.validated_data)
        return Response(MilestoneOut(milestone).data, status=status.HTTP_201_CREATED)
