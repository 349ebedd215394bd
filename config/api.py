"""Shared pieces of the REST API: the base view, the error schema, object look-ups.

- ``PinsAPIView`` / ``PinsViewSet``: token authentication is tried first so that an
  anonymous write gets ``401`` with ``WWW-Authenticate: Token`` (DRF answers 403 when the
  first authentication class is session-based). Session authentication still applies to
  browsers and enforces CSRF on unsafe methods. Request bodies are JSON only (415 otherwise).
- ``ErrorOut``: the one error shape built by ``config.errors.api_exception_handler``,
  declared once for the OpenAPI schema (``error_responses``).
- ``get_or_404``: fetch-or-refuse with a French ``not_found`` error in that same shape.
"""

from __future__ import annotations

from typing import Any, TypeVar

from django.core.exceptions import ObjectDoesNotExist
from django.db import models
from django.urls import Resolver404, resolve
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiResponse, extend_schema, inline_serializer
from rest_framework import serializers
from rest_framework.authentication import SessionAuthentication, TokenAuthentication
from rest_framework.decorators import api_view, authentication_classes, permission_classes
from rest_framework.exceptions import NotFound
from rest_framework.generics import GenericAPIView
from rest_framework.metadata import SimpleMetadata
from rest_framework.parsers import JSONParser
from rest_framework.permissions import AllowAny
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.viewsets import GenericViewSet

M = TypeVar("M", bound=models.Model)

API_AUTHENTICATION = [TokenAuthentication, SessionAuthentication]


API_PARSERS = [JSONParser]


class ApiMetadata(SimpleMetadata):
    """OPTIONS answers name, description and media types; the schema documents the fields.

    DRF's default also describes the write serializers by calling ``get_object()``, which
    views with custom look-ups (the ballot, nested lists) do not support.
    """

    def determine_actions(self, request: Request, view: Any) -> dict[str, Any]:
        return {}


class PinsAPIView(GenericAPIView[Any]):
    authentication_classes = API_AUTHENTICATION
    parser_classes = API_PARSERS
    metadata_class = ApiMetadata


class PinsViewSet(GenericViewSet[Any]):
    authentication_classes = API_AUTHENTICATION
    parser_classes = API_PARSERS
    metadata_class = ApiMetadata


class ErrorOut(serializers.Serializer[Any]):
    # inline: a serializer field named "fields" would shadow Serializer.fields for mypy
    error = inline_serializer("ErrorBody", fields={
        "code": serializers.CharField(
            help_text="Code stable (ex. phase_closed, not_allowed, invalid)."),
        "message": serializers.CharField(help_text="Message lisible, dans la langue demandée."),
        "fields": serializers.DictField(
            child=serializers.ListField(child=serializers.CharField()), required=False,
            help_text="Problèmes par champ ; « __all__ » pour ceux qui concernent l’ensemble.",
        ),
    })


ERROR_DESCRIPTIONS = {
    400: "Données invalides (code invalid, invalid_ballot, budget_exceeded, parse_error…)",
    401: "Authentification requise (code not_authenticated, authentication_failed)",
    403: "Rôle ou droit insuffisant (code not_allowed, not_eligible, permission_denied)",
    404: "Introuvable (code not_found)",
    409: "Phase fermée ou conflit (code phase_closed, already_voted)",
    429: "Trop de demandes (code throttled)",
}


def error_responses(*statuses: int) -> dict[int, OpenApiResponse]:
    """OpenAPI responses for these error statuses, all with the single error shape."""
    return {s: OpenApiResponse(ErrorOut, description=ERROR_DESCRIPTIONS[s]) for s in statuses}


def get_or_404(queryset: models.QuerySet[M], message: str, **lookup: Any) -> M:
    """The one object matching ``lookup`` or a ``not_found`` API error with ``message``."""
    try:
        return queryset.get(**lookup)
    except (ObjectDoesNotExist, ValueError, TypeError):
        raise NotFound(message) from None


@extend_schema(exclude=True)
@api_view(["GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS"])
@authentication_classes([])
@permission_classes([AllowAny])
def unknown_endpoint(request: Request, path: str = "") -> Response:
    """Any path under /api/v1/ that matches no endpoint: a 404 in the API error shape.

    A path that only lacks its final slash gets a hint (APPEND_SLASH cannot redirect here:
    this catch-all matches first, and a redirect would drop a POST body anyway).
    """
    if not request.path.endswith("/"):
        try:
            match = resolve(request.path + "/")
        except Resolver404:
            match = None
        if match is not None and match.url_name != "unknown":
            raise NotFound(_("Cette adresse de l’API n’existe pas ; essayez %(url)s")
                           % {"url": request.path + "/"})
    raise NotFound(_("Cette adresse de l’API n’existe pas."))
