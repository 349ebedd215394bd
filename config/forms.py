"""Map a service's ValidationError onto a bound form, so views stay thin."""

from __future__ import annotations

from django import forms
from django.core.exceptions import ValidationError


def apply_validation_error(
    form: forms.Form, exc: ValidationError, field_map: dict[str, str] | None = None
) -> None:
    """Add each message of ``exc`` to ``form``.

    A service key is renamed through ``field_map`` (service argument -> form field);
    a key the form does not have, and a message without a key, become non-field errors.
    """
    field_map = field_map or {}
    if not hasattr(exc, "error_dict"):
        for message in exc.messages:
            form.add_error(None, message)
        return
    for key, errors in exc.message_dict.items():
        field = field_map.get(key, key)
        target = field if field in form.fields else None
        for message in errors:
            form.add_error(target, message)
