"""API over a cycle's results: read them (public once published; a preview for the staff
and the committee before) and publish them (administrators). Same selectors and service
as the pages: ``reports.selectors.cycle_report``, ``voting.publication.publish_results``."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.response import Response

from budgets.models import BudgetCycle
from config.api import PinsAPIView, error_responses, get_or_404
from reports.selectors import CycleReport, cycle_report
from reports.views import can_preview_results
from voting.publication import publish_results


class ResultLineOut(serializers.Serializer[Any]):
    proposal_id = serializers.IntegerField()
    title = serializers.CharField()
    votes = serializers.IntegerField()
    cost_cents = serializers.IntegerField(help_text="Coût en centimes d’euro.")
    funded = serializers.BooleanField()
    rank = serializers.IntegerField(allow_null=True, help_text="Ordre de sélection ; null si non financé.")
    explanation = serializers.CharField()


class RuleComparisonOut(serializers.Serializer[Any]):
    rule = serializers.CharField()
    funded_ids = serializers.ListField(child=serializers.IntegerField())
    spent_cents = serializers.IntegerField()


class EnvelopeResultOut(serializers.Serializer[Any]):
    id = serializers.IntegerField()
    name = serializers.CharField()
    rule = serializers.CharField()
    amount_cents = serializers.IntegerField()
    spent_cents = serializers.IntegerField()
    lines = ResultLineOut(many=True)
    comparisons = RuleComparisonOut(many=True, help_text="Autres règles, à titre indicatif : jamais le résultat officiel.")


class TallyRunOut(serializers.Serializer[Any]):
    run_at = serializers.DateTimeField()
    rule = serializers.CharField()
    parameters = serializers.DictField()
    arithmetic = serializers.CharField()
    code_version = serializers.DictField(child=serializers.CharField())
    ballot_count = serializers.IntegerField()
    ballot_log_head = serializers.CharField()
    fingerprint = serializers.CharField()
    certifications = serializers.IntegerField()
    quorum = serializers.IntegerField()
    certified = serializers.BooleanField()


class ResultsOut(serializers.Serializer[Any]):
    cycle = serializers.SlugField()
    published = serializers.BooleanField()
    published_at = serializers.DateTimeField(allow_null=True)
    preview = serializers.BooleanField(help_text="Vrai : résultats non publiés, montrés à l’administration "
                                                 "ou au comité de suivi.")
    tally = TallyRunOut(allow_null=True, help_text="null tant que les résultats ne sont pas visibles.")
    envelopes = EnvelopeResultOut(many=True)


def results_payload(report: CycleReport, *, visible: bool) -> dict[str, Any]:
    """What the API shows of ``report``; the tally and the envelopes only when ``visible``."""
    run = report.tally_run
    payload: dict[str, Any] = {
        "cycle": report.cycle.slug, "published": report.is_published,
        "published_at": report.publication.published_at if report.is_published and report.publication
        else None,
        "preview": visible and not report.is_published, "tally": None, "envelopes": [],
    }
    if not visible or run is None:
        return payload
    payload["tally"] = {
        "run_at": run.run_at, "rule": run.rule, "parameters": run.parameters,
        "arithmetic": run.arithmetic, "code_version": run.code_version,
        "ballot_count": run.ballot_count, "ballot_log_head": run.log_head,
        "fingerprint": run.fingerprint, "certifications": len(report.certifications),
        "quorum": report.quorum, "certified": report.quorum_met,
    }
    payload["envelopes"] = [
        {
            "id": item.envelope.pk, "name": item.envelope.name,
            "rule": (item.result.result or {}).get("rule", run.rule),
            "amount_cents": item.envelope.amount_cents, "spent_cents": item.result.spent_cents,
            "lines": [{"proposal_id": line.proposal_id, "title": line.proposal.title, "votes": line.votes,
                       "cost_cents": line.cost_cents, "funded": line.is_funded, "rank": line.rank,
                       "explanation": line.explanation} for line in item.lines],
            "comparisons": [{"rule": row.get("rule", ""), "funded_ids": row.get("selected", []),
                             "spent_cents": row.get("spent", 0)}
                            for row in (item.result.comparisons if item.lines else [])],
        }
        for item in report.envelopes if item.result is not None
    ]
    return payload


def _cycle(slug: str) -> BudgetCycle:
    return get_or_404(BudgetCycle.objects.all(), _("Ce budget participatif n’existe pas."), slug=slug)


@extend_schema_view(
    get=extend_schema(
        summary="Résultats d’un cycle", tags=["Résultats"],
        description="Publics une fois publiés. Avant, tally est null pour tous, sauf pour "
                    "l’administration et le comité de suivi qui reçoivent un aperçu (preview).",
        responses={200: ResultsOut, **error_responses(404)},
    ),
)
class CycleResultsView(PinsAPIView):
    """GET /api/v1/cycles/{slug}/results/."""

    serializer_class = ResultsOut

    def get(self, request: Request, slug: str) -> Response:
        cycle = _cycle(slug)
        report = cycle_report(cycle)
        visible = report.is_published or can_preview_results(request.user, cycle)
        response = Response(ResultsOut(results_payload(report, visible=visible)).data)
        if not report.is_published:
            response["Cache-Control"] = "private, no-store"
        return response


@extend_schema_view(
    post=extend_schema(
        summary="Publier les résultats certifiés (administrateurs)", tags=["Résultats"],
        request=None,
        description="Publie le dépouillement en cours s’il est certifié (quorum du comité "
                    "atteint) et enregistre les projets lauréats. 409 sans dépouillement, sans "
                    "certification, si le registre a changé ou si c’est déjà publié.",
        responses={200: ResultsOut, **error_responses(400, 401, 403, 404, 409)},
    ),
)
class CycleResultsPublishView(PinsAPIView):
    """POST /api/v1/cycles/{slug}/results/publish/."""

    serializer_class = ResultsOut

    def post(self, request: Request, slug: str) -> Response:
        cycle = _cycle(slug)
        publish_results(actor=request.user, cycle=cycle)
        return Response(ResultsOut(results_payload(cycle_report(cycle), visible=True)).data)
