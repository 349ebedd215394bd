"""The OpenAPI document and the offline docs pages (Swagger UI, Redoc from the sidecar)."""

import re

import pytest
from django.contrib.staticfiles import finders
from django.core.management import call_command
from drf_spectacular.validation import validate_schema

from tests.api.support import client_for

pytestmark = pytest.mark.django_db

EXPECTED = {
    "/api/v1/auth/token/": {"post"},
    "/api/v1/cycles/": {"get"},
    "/api/v1/cycles/{slug}/": {"get"},
    "/api/v1/cycles/{slug}/proposals/": {"get", "post"},
    "/api/v1/cycles/{slug}/ballot/": {"get", "put"},
    "/api/v1/cycles/{slug}/timeline/": {"get", "put"},
    "/api/v1/cycles/{slug}/close-phase/": {"post"},
    "/api/v1/proposals/{id}/": {"get", "patch"},
    "/api/v1/proposals/{id}/review/": {"post"},
    "/api/v1/cycles/{slug}/proposals/draw-up/": {"post"},
    "/api/v1/proposals/{id}/submit/": {"post"},
    "/api/v1/proposals/{id}/take/": {"post"},
    "/api/v1/proposals/{id}/merge/": {"post"},
    "/api/v1/proposals/{id}/support/": {"post", "delete"},
    "/api/v1/proposals/{id}/co-authors/": {"post"},
    "/api/v1/proposals/{id}/co-authors/{user_id}/": {"delete"},
    "/api/v1/proposals/{id}/attachments/": {"post"},
    "/api/v1/proposals/{id}/attachments/{attachment_id}/": {"delete"},
    "/api/v1/proposals/{id}/comments/": {"get", "post"},
    "/api/v1/cycles/{slug}/comments/": {"get", "post"},
    "/api/v1/cycles/{slug}/moderation/": {"get"},
    "/api/v1/cycles/{slug}/suspensions/": {"post"},
    "/api/v1/cycles/{slug}/workshops/": {"get", "post"},
    "/api/v1/comments/{id}/": {"get", "patch", "delete"},
    "/api/v1/comments/{id}/revisions/": {"get"},
    "/api/v1/comments/{id}/reaction/": {"put", "delete"},
    "/api/v1/comments/{id}/flags/": {"post"},
    "/api/v1/comments/{id}/hide/": {"post"},
    "/api/v1/comments/{id}/restore/": {"post"},
    "/api/v1/comments/{id}/dismiss-flags/": {"post"},
    "/api/v1/suspensions/{id}/lift/": {"post"},
    "/api/v1/workshops/{id}/": {"get", "put"},
    "/api/v1/cycles/{slug}/commune-reports/": {"get"},
    "/api/v1/cycles/{slug}/commune-reports/{commune}/": {"get"},
    "/api/v1/cycles/{slug}/commune-reports/{commune}/publish/": {"post"},
    "/api/v1/cycles/{slug}/implementation/": {"get"},
    "/api/v1/cycles/{slug}/results/": {"get"},
    "/api/v1/cycles/{slug}/results/publish/": {"post"},
    "/api/v1/proposals/{id}/milestones/": {"get", "post"},
}


def fetch_schema():
    response = client_for().get("/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json")
    assert response.status_code == 200
    return response.json()


def test_schema_is_a_valid_openapi_3_document_with_every_endpoint():
    schema = fetch_schema()

    validate_schema(schema)  # raises on an invalid OpenAPI 3 document
    assert schema["openapi"].startswith("3.")
    methods = {path: set(ops) & {"get", "post", "put", "patch", "delete"}
               for path, ops in schema["paths"].items()}
    assert methods == EXPECTED


def test_every_write_documents_the_error_shape_and_the_cents_field():
    schema = fetch_schema()

    for path, methods in EXPECTED.items():
        for method in methods - {"get"}:
            responses = schema["paths"][path][method]["responses"]
            assert responses["400"]["content"]["application/json"]["schema"] == {
                "$ref": "#/components/schemas/ErrorOut"}, (path, method)
    submit = schema["components"]["schemas"]["ProposalSubmitIn"]["properties"]
    assert submit["estimated_cost_cents"]["type"] == "integer"
    assert set(schema["paths"]["/api/v1/cycles/{slug}/ballot/"]["put"]["responses"]) >= {
        "200", "201", "400", "401", "403", "409"}


def test_schema_generation_has_no_warning(tmp_path):
    call_command("spectacular", "--fail-on-warn", "--validate", "--file", str(tmp_path / "s.yml"))

    assert (tmp_path / "s.yml").read_text().startswith("openapi: 3")


@pytest.mark.parametrize("url", ["/api/docs/", "/api/redoc/"])
def test_docs_pages_use_only_local_static_assets(url):
    response = client_for().get(url)

    assert response.status_code == 200
    html = response.content.decode()
    references = re.findall(r"""(?:src|href)\s*=\s*["']([^"']+)["']""", html)
    assets = [r for r in references if r.startswith("/static/")]
    assert assets, "the page loads no script or style at all"
    for reference in references:
        assert not re.match(r"^(https?:)?//", reference), reference
    for asset in assets:
        assert finders.find(asset.removeprefix("/static/")), f"missing static file {asset}"
    assert not re.search(r"cdn|jsdelivr|unpkg|googleapis", html, re.IGNORECASE)
    assert "/api/schema/" in html
