"""A commune decision report as a page and as a PDF, drawn from its snapshot.

The page and the PDF read the same snapshot (``selectors.commune_snapshot``): live figures
for a draft, the stored figures for a published version, so a published version always
shows what was published. ``render_report_pdf`` calls WeasyPrint directly (the minutes'
renderer in ``reports.pdf`` is bound to the minutes template).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.conf import settings
from django.template.loader import render_to_string
from django.utils import translation
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _

from proposals.models import ProposalStatus


def format_share(basis_points: int | None, language: str = "fr") -> str:
    """``1234`` → ``12,34 %`` (French) or ``12.34%`` (English); ``—`` when unknown."""
    if basis_points is None:
        return "—"
    whole, rest = divmod(basis_points, 100)
    if language == "en":
        return f"{whole}.{rest:02d}%"
    return f"{whole},{rest:02d}\u202f%"


def present(snapshot: dict[str, Any], language: str = "fr") -> dict[str, Any]:
    """The snapshot with translated labels added (status, scope, share), for templates.

    Call it inside the wanted language (``translation.override``)."""
    statuses = dict(ProposalStatus.choices)
    projects = [{
        **project,
        "status_label": str(statuses.get(project["status"], project["status"])),
        "scope_label": _("Enveloppe du territoire") if project["scope"] == "territory"
        else _("Enveloppe de la commune"),
    } for project in snapshot["projects"]]
    territory = snapshot.get("territory_envelope")
    return {
        **snapshot,
        "projects": projects,
        "commune_projects": [p for p in projects if p["scope"] == "commune"],
        "territory_projects": [p for p in projects if p["scope"] == "territory"],
        "share_label": format_share(territory["share_basis_points"] if territory else None, language),
        "run_at": parse_datetime(snapshot["tally"]["run_at"]),
    }


def report_html(snapshot: dict[str, Any], *, language: str, version: int | None,
                published_at: datetime | None, generated_at: datetime) -> str:
    """The HTML source of the PDF (a draft when ``version`` is None)."""
    with translation.override(language):
        return render_to_string("implementation/report_document.html", {
            "report": present(snapshot, language), "language": language, "version": version,
            "published_at": published_at, "generated_at": generated_at,
        })


def render_report_pdf(snapshot: dict[str, Any], *, language: str, version: int | None,
                      published_at: datetime | None, generated_at: datetime) -> bytes:
    """The report as PDF bytes, in ``language`` ("fr" or "en")."""
    from weasyprint import HTML  # loading pango is slow; only PDFs need it

    html = report_html(snapshot, language=language, version=version,
                       published_at=published_at, generated_at=generated_at)
    pdf: bytes = HTML(string=html, base_url=str(settings.BASE_DIR)).write_pdf()
    return pdf
