"""The current user's ballot in a cycle: read it, cast or replace it (``cast_ballot``).

Only the voter sees their own ballot; it is found through the keyed pseudonym
(``current_ballot_of``), never stored against the user. The options on offer come from
``voting.selectors.ballot_page``, the same read as the HTML ballot page.
"""

from __future__ import annotations

from typing import Any

from django.contrib.auth import get_user_model
from django.db import connection
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import serializers, status
from rest_framework.authentication import TokenAuthentication, get_authorization_header
from rest_framework.authtoken.models import Token
from rest_framework.exceptions import NotFound
from rest_framework.permissions import IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response

from budgets.models import BudgetCycle
from config.api import PinsAPIView, error_responses, get_or_404
from voting import cache as voting_cache
from voting.models import Ballot, Participation
from voting.pg import pg_rows
from voting.selectors import ballot_page
from voting.services import cast_ballot, current_ballot_of

MAX_BALLOT_IDS = 500  # far above any real ballot; bounds the work on hostile input
MAX_POINTS = 10_000


class PointsLine(serializers.Serializer[Any]):
    proposal_id = serializers.IntegerField(min_value=1)
    points = serializers.IntegerField(
        min_value=0, max_value=MAX_POINTS,
        help_text="Points (bulletin à points), note (à notes) ou rang, 1 le meilleur "
                  "(classement). 0 : projet non retenu.",
    )


class OptionOut(serializers.Serializer[Any]):
    id = serializers.IntegerField()
    title = serializers.CharField()
    cost_cents = serializers.IntegerField(help_text="Coût validé, en centimes.")


class EnvelopeOptionsOut(serializers.Serializer[Any]):
    id = serializers.IntegerField(source="envelope.id")
    name = serializers.CharField(source="envelope.name")
    commune = serializers.CharField(source="envelope.commune.slug", allow_null=True,
                                    help_text="null pour l’enveloppe territoriale.")
    amount_cents = serializers.IntegerField(source="envelope.amount_cents")
    options = OptionOut(many=True, source="proposals")


class StoredBallotOut(serializers.Serializer[Any]):
    cycle = serializers.SlugField()
    has_voted = serializers.BooleanField(help_text="Vous avez voté, en ligne ou sur papier.")
    proposal_ids = serializers.ListField(child=serializers.IntegerField())
    points = PointsLine(many=True, help_text="Chaque choix avec ses points (1 en approbation).")
    receipt_code = serializers.CharField(allow_null=True,
                                         help_text="Reçu du dernier dépôt (registre public).")
    revision = serializers.IntegerField(allow_null=True,
                                        help_text="1 au premier dépôt, +1 à chaque remplacement.")


class BallotOut(StoredBallotOut):
    eligible = serializers.BooleanField(help_text="Vous pouvez voter pour ce budget.")
    refusal = serializers.CharField(help_text="Pourquoi vous ne pouvez pas voter (vide sinon).")
    channel = serializers.CharField(allow_null=True,
                                    help_text="online ou paper ; null avant votre vote.")
    envelopes = EnvelopeOptionsOut(
        many=True, help_text="Vos enveloppes (commune et territoire) et leurs projets recevables.")


class CastOut(StoredBallotOut):
    is_replacement = serializers.BooleanField(help_text="Ce dépôt remplace un bulletin précédent.")


class CastIn(serializers.Serializer[Any]):
    """Soit « proposal_ids » (approbation, panier, un seul choix), soit « points »
    (bulletin à points, à notes, classement)."""

    # The two shapes cast_ballot takes; which one a cycle needs is its ballot_kind.

    proposal_ids = serializers.ListField(
        child=serializers.IntegerField(min_value=1), allow_empty=True, max_length=MAX_BALLOT_IDS,
        required=False,
        help_text="Bulletins d’approbation, panier, un seul choix : identifiants des propositions "
                  "choisies, toutes enveloppes confondues.",
    )
    points = serializers.ListField(
        child=PointsLine(), required=False, max_length=MAX_BALLOT_IDS,
        help_text="Bulletins à points, à notes, classement : une ligne par proposition.",
    )

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        if ("proposal_ids" in attrs) == ("points" in attrs):
            raise serializers.ValidationError({"__all__": [
                _("Envoyez soit « proposal_ids », soit « points » (un seul des deux).")]})
        if "points" in attrs:
            ids = [line["proposal_id"] for line in attrs["points"]]
            if len(set(ids)) != len(ids):
                raise serializers.ValidationError({"points": _("Un projet est noté deux fois.")})
            attrs["points"] = {line["proposal_id"]: line["points"] for line in attrs["points"]}
        return attrs


def ballot_payload(cycle: BudgetCycle, user: Any) -> dict[str, Any]:
    """The voter's page: eligibility, options by envelope, participation and own ballot.

    A paper ballot is not linked to its voter: it shows as ``channel: "paper"`` without
    choices.
    """
    page = ballot_page(cycle, user)
    participation = Participation.objects.filter(cycle=cycle, voter=user).first()
    # The page has read the ballot already, unless eligibility was refused first.
    ballot = current_ballot_of(cycle, user) if page.refusal else page.ballot
    context = {
        "eligible": not page.refusal, "refusal": page.refusal, "envelopes": page.groups,
        "channel": participation.channel if participation else None,
    }
    if ballot is None:
        return {"cycle": cycle.slug, "has_voted": participation is not None,
                "proposal_ids": [], "points": [], "receipt_code": None, "revision": None,
                **context}
    lines = sorted((c.proposal_id, c.points) for c in ballot.choices.all())
    return {**stored_payload(cycle, ballot, lines), **context}


def stored_payload(cycle: BudgetCycle, ballot: Ballot, lines: list[tuple[int, int]]) -> dict[str, Any]:
    """The ballot as stored: its (proposal id, points) lines sorted by id."""
    return {
        "cycle": cycle.slug, "has_voted": True,
        "proposal_ids": [pid for pid, _points in lines],
        "points": [{"proposal_id": pid, "points": points} for pid, points in lines],
        "receipt_code": ballot.receipt_code, "revision": ballot.revision,
    }


def token_login(request: Request) -> None:
    """Authenticate a ``Token`` request as DRF's TokenAuthentication would, with the user
    read in one prepared statement (PostgreSQL; every cast pays for it). Only a success
    is decided here: otherwise nothing is set and DRF's authenticators run as usual (same
    refusals, same messages). The view keeps DRF's authentication classes (and schema)."""
    if connection.vendor != "postgresql":
        return
    parts = get_authorization_header(request).split()
    authenticator = next((a for a in request.authenticators or () if type(a) is TokenAuthentication), None)
    if authenticator is None or len(parts) != 2 or parts[0].lower() != authenticator.keyword.lower().encode():
        return
    try:
        key = parts[1].decode()
    except UnicodeError:
        return
    user = user_of_token(key)
    if user is None or not user.is_active:
        return
    request._authenticator = authenticator  # type: ignore[attr-defined]  # as DRF's _authenticate
    request.user = user
    request.auth = Token(key=key, user=user)


def user_of_token(key: str) -> Any:
    """The user a DRF token belongs to (every column, as the ORM reads it), or None."""
    model = get_user_model()
    fields = list(model._meta.concrete_fields)
    columns = ", ".join(f'u."{f.column}"' for f in fields)
    # Identifiers from the model's metadata only; the key is a bound parameter.
    sql = (f'SELECT {columns} FROM authtoken_token t JOIN "{model._meta.db_table}" u '  # noqa: S608
           f'ON u."{model._meta.pk.column}" = t.user_id WHERE t.key = %s')
    rows = pg_rows(sql, [key])
    if not rows:
        return None
    return model.from_db(connection.alias, [f.attname for f in fields], rows[0])


@extend_schema_view(
    get=extend_schema(summary="Mon bulletin pour ce budget", tags=["Bulletin"],
                      description="Ce qu’il faut pour voter (vos enveloppes et leurs projets "
                                  "recevables) et votre bulletin : le vôtre seulement, "
                                  "retrouvé par un pseudonyme, avec son code de reçu.",
                      responses={200: BallotOut, **error_responses(401, 404)}),
    put=extend_schema(
        summary="Voter ou remplacer mon bulletin (phase de vote)", request=CastIn,
        tags=["Bulletin"],
        description="Le bulletin complet, toutes enveloppes confondues ; il remplace le "
                    "précédent jusqu’à la clôture (un seul bulletin par personne). La réponse "
                    "donne le code de reçu, inscrit au registre public des bulletins.",
        responses={
            201: OpenApiResponse(CastOut, description="Premier bulletin enregistré"),
            200: OpenApiResponse(CastOut, description="Bulletin précédent remplacé"),
            **error_responses(400, 401, 403, 404, 409),
        },
    ),
)
class CycleBallotView(PinsAPIView):
    """GET/PUT /api/v1/cycles/{slug}/ballot/ for the authenticated voter."""

    permission_classes = [IsAuthenticated]
    serializer_class = BallotOut

    def initialize_request(self, request: Any, *args: Any, **kwargs: Any) -> Request:
        drf_request = super().initialize_request(request, *args, **kwargs)
        if request.method == "PUT":
            token_login(drf_request)
        return drf_request

    def get_cycle(self, slug: str) -> BudgetCycle:
        # Every cast of a cycle reads the same cycle, envelopes, phases and options: they
        # come from the short-lived per-process cache (voting/cache.py). cast_ballot decides
        # refusals on fresh rows and re-reads the phase under its lock.
        try:
            return voting_cache.cycle_by_slug(slug)
        except BudgetCycle.DoesNotExist:
            raise NotFound(_("Ce budget participatif n’existe pas.")) from None

    def get(self, request: Request, slug: str) -> Response:
        cycle = get_or_404(BudgetCycle.objects.prefetch_related("envelopes__commune"),
                           _("Ce budget participatif n’existe pas."), slug=slug)
        return Response(BallotOut(ballot_payload(cycle, request.user)).data)

    def put(self, request: Request, slug: str) -> Response:
        cycle = self.get_cycle(slug)
        validated = plain_cast_input(request.data)
        if validated is None:  # anything unusual: the serializer decides (and words errors)
            data = CastIn(data=request.data)
            data.is_valid(raise_exception=True)
            validated = data.validated_data
        receipt = cast_ballot(voter=request.user, cycle=cycle, **validated)
        # Answered from what was just written (same transaction outcome), not re-read; the
        # body has CastOut's fields, already of their JSON types.
        body = {**stored_payload(cycle, receipt.ballot, sorted(receipt.lines)),
                "is_replacement": receipt.is_replacement}
        code = status.HTTP_200_OK if receipt.is_replacement else status.HTTP_201_CREATED
        return Response(body, status=code)


def _plain_id(value: Any, minimum: int, maximum: int | None = None) -> bool:
    return (type(value) is int and value >= minimum  # bool and str are left to the serializer
            and (maximum is None or value <= maximum))


def plain_cast_input(data: Any) -> dict[str, Any] | None:
    """The validated input of the common, well-formed cast body without the serializer:
    exactly ``{"proposal_ids": [ids]}`` or ``{"points": [{"proposal_id", "points"}]}``
    with JSON integers in range and no repeated project. Anything else returns None and
    goes through ``CastIn``, so what is accepted and every error message stay CastIn's."""
    if not isinstance(data, dict) or len(data) != 1:
        return None
    if "proposal_ids" in data:
        ids = data["proposal_ids"]
        if (isinstance(ids, list) and len(ids) <= MAX_BALLOT_IDS
                and all(_plain_id(pid, 1) for pid in ids)):
            return {"proposal_ids": ids}
        return None
    lines = data.get("points")
    if not isinstance(lines, list) or len(lines) > MAX_BALLOT_IDS:
        return None
    points: dict[int, int] = {}
    for line in lines:
        if not (isinstance(line, dict) and len(line) == 2
                and _plain_id(line.get("proposal_id"), 1)
                and _plain_id(line.get("points"), 0, MAX_POINTS)):
            return None
        points[line["proposal_id"]] = line["points"]
    if len(points) != len(lines):
        return None
    return {"points": points}
