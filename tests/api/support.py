"""Helpers shared by the API tests: the one error shape, and JSON requests."""

from __future__ import annotations

from typing import Any

from rest_framework.test import APIClient


def assert_api_error(response: Any, status: int, code: str) -> dict:
    """Assert the single error shape of config.errors.api_exception_handler; return its body."""
    assert response.status_code == status, (response.status_code, response.content[:500])
    assert response["Content-Type"].startswith("application/json")
    payload = response.json()
    assert list(payload) == ["error"]
    error = payload["error"]
    assert set(error) <= {"code", "message", "fields"}
    assert error["code"] == code
    assert isinstance(error["message"], str) and error["message"].strip()
    if "fields" in error:
        assert all(isinstance(v, list) and all(isinstance(m, str) for m in v)
                   for v in error["fields"].values())
    return error


def client_for(user: Any = None, **kwargs: Any) -> APIClient:
    """An API client logged in (through the session) as ``user``, or anonymous."""
    client = APIClient(**kwargs)
    if user is not None:
        client.force_login(user)
    return client
