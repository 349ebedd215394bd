"""One error vocabulary for services, mapped once to HTML and once to JSON.

Services raise ``django.core.exceptions.ValidationError`` for field problems and a
``DomainError`` subclass for refusals of the domain. ``DomainErrorMiddleware`` turns an
uncaught domain error into a page with the message (HTML); ``api_exception_handler`` turns
it into ``{"error": {"code": ..., "message": ..., "fields": {...}}}`` (API).
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext_lazy as _
from rest_framework import exceptions as drf_exceptions
from rest_framework.response import Response
from rest_framework.views import exception_handler


class DomainError(Exception):
    """A refusal the user must understand. ``message`` is already translated (lazy)."""

    code = "domain_error"
    status = 400
    default_message: Any = _("Cette action n’est pas possible.")

    def __init__(self, message: Any = None) -> None:
        self.message = message if message is not None else self.default_message
        super().__init__(str(self.message))


class PhaseClosed(DomainError):
    code = "phase_closed"
    status = 409
    default_message = _("Cette action n’est pas ouverte dans la phase actuelle du budget.")


class NotAllowed(DomainError):
    code = "not_allowed"
    status = 403
    default_message = _("Vous n’avez pas le droit de faire cette action.")


class NotEligible(DomainError):
    code = "not_eligible"
    status = 403
    default_message = _("Vous ne pouvez pas voter pour ce budget.")


class InvalidBallot(DomainError):
    code = "invalid_ballot"
    status = 400
    default_message = _("Ce bulletin n’est pas valable.")

    def __init__(self, message: Any = None, problems: list[str] | None = None) -> None:
        super().__init__(message)
        self.problems = problems or [str(self.message)]


class BudgetExceeded(InvalidBallot):
    code = "budget_exceeded"


class AlreadyVoted(DomainError):
    code = "already_voted"
    status = 409
    default_message = _("Vous avez déjà voté.")


class Conflict(DomainError):
    code = "conflict"
    status = 409


def error_payload(code: str, message: Any, fields: dict[str, list[str]] | None = None) -> dict:
    body: dict[str, Any] = {"code": code, "message": str(message)}
    if fields:
        body["fields"] = fields
    return {"error": body}


def api_exception_handler(exc: Exception, context: dict) -> Response | None:
    """Map every error to the single API error shape."""
    if isinstance(exc, DomainError):
        fields = {"__all__": exc.problems} if isinstance(exc, InvalidBallot) else None
        return Response(error_payload(exc.code, exc.message, fields), status=exc.status)
    if isinstance(exc, DjangoValidationError):
        fields = (
            {k: [str(m) for m in v] for k, v in exc.message_dict.items()}
            if hasattr(exc, "error_dict")
            else {"__all__": [str(m) for m in exc.messages]}
        )
        return Response(error_payload("invalid", _("Données invalides."), fields), status=400)
    if isinstance(exc, PermissionDenied):
        exc = drf_exceptions.PermissionDenied()
    response = exception_handler(exc, context)
    if response is None:
        return None
    detail = response.data
    if isinstance(exc, drf_exceptions.ValidationError):
        fields = detail if isinstance(detail, dict) else {"__all__": detail}
        fields = {k: [str(m) for m in (v if isinstance(v, list) else [v])] for k, v in fields.items()}
        response.data = error_payload("invalid", _("Données invalides."), fields)
    else:
        code = getattr(exc, "default_code", "error")
        message = detail.get("detail", detail) if isinstance(detail, dict) else detail
        response.data = error_payload(str(code), message)
    return response


class DomainErrorMiddleware:
    """Render an uncaught DomainError as a readable page instead of a server error."""

    def __init__(self, get_response: Any) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        if isinstance(exception, DomainError) and not request.path.startswith("/api/"):
            return render(
                request, "refused.html", {"message": exception.message}, status=exception.status
            )
        return None
