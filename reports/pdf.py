"""The minutes (procès-verbal) of a cycle as a PDF, rendered by WeasyPrint.

``render_minutes(cycle)`` is a pure rendering function: it reads ``cycle_report`` and the
Django template ``reports/minutes.html`` (with its print stylesheet
``reports/minutes.css``: A4, page numbers in the footer, table headers repeated on each
page) and returns the PDF bytes. It writes nothing. The HTML view and the
``manage.py minutes`` command both call it, so both give the same document.
"""

from __future__ import annotations

from datetime import datetime

from django.conf import settings
from django.template.loader import render_to_string
from django.utils import timezone, translation

from budgets.models import BudgetCycle
from reports.selectors import cycle_report


def minutes_html(cycle: BudgetCycle, *, generated_at: datetime | None = None,
                 language: str = "fr") -> str:
    """The HTML source of the minutes (useful to debug the layout in a browser)."""
    with translation.override(language):
        return render_to_string("reports/minutes.html", {
            "cycle": cycle,
            "report": cycle_report(cycle),
            "generated_at": generated_at or timezone.now(),
            "language": language,
        })


def render_minutes(cycle: BudgetCycle, *, generated_at: datetime | None = None,
                   language: str = "fr") -> bytes:
    """The minutes of ``cycle`` as PDF bytes (French unless ``language`` says otherwise)."""
    from weasyprint import HTML  # imported here: loading pango is slow and only PDFs need it

    html = minutes_html(cycle, generated_at=generated_at, language=language)
    pdf: bytes = HTML(string=html, base_url=str(settings.BASE_DIR)).write_pdf()
    return pdf
