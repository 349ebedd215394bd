"""The minutes (procès-verbal) of a cycle as a PDF, rendered by WeasyPrint.

``render_minutes(cycle)`` reads ``reports.minutes.minutes_for`` (the results of
``cycle_report`` plus the timeline, statistics, close calls, recount commands and the
unfeasible proposals) and the Django template ``reports/minutes.html`` (with its print
stylesheet ``reports/minutes.css``: A4, page numbers in the footer, table headers repeated
on each page), and returns the PDF bytes. It writes nothing to the database. The HTML view
and the ``manage.py minutes`` command both call it, so both give the same document.

The PDF is PDF/A-3b (``PDF_VARIANT``, see docs/decisions.md "PDF minutes"): fonts embedded,
colours and metadata declared, so that it can be archived. When a signing key is configured
(``reports.signing``) it is then signed (PAdES) in an incremental update, which PDF/A allows;
otherwise the first page says it is not signed.
"""

from __future__ import annotations

import re
from datetime import datetime

from django.conf import settings
from django.template.loader import render_to_string
from django.utils import timezone, translation

from budgets.models import BudgetCycle
from reports import signing
from reports.minutes import minutes_for

#: Archival PDF/A-3b: level "b" (basic: the look is preserved) is what WeasyPrint can
#: promise for any content; part 3 as part 2, and it may carry attached files.
PDF_VARIANT = "pdf/a-3b"

#: Whitespace that spans a line break between two tags: the template's indentation. It is
#: not content (pdftotext reads the same text without it), but WeasyPrint's parser and box
#: builder walk every such text node; dropping it saves about 3 % of the generation.
_INDENTATION = re.compile(r">\s*\n\s*<")


def compact_html(html: str) -> str:
    """``html`` without the indentation between tags (what WeasyPrint is given)."""
    return _INDENTATION.sub("><", html)


def minutes_html(cycle: BudgetCycle, *, generated_at: datetime | None = None,
                 language: str = "fr", signer: str = "") -> str:
    """The HTML source of the minutes (useful to debug the layout in a browser)."""
    generated_at = generated_at or timezone.now()
    with translation.override(language):
        return render_to_string("reports/minutes.html", {
            "cycle": cycle,
            "minutes": minutes_for(cycle, signer=signer, generated_at=generated_at),
            "generated_at": generated_at,
            "language": language,
        })


def render_minutes(cycle: BudgetCycle, *, generated_at: datetime | None = None,
                   language: str = "fr") -> bytes:
    """The minutes of ``cycle`` as PDF bytes (French unless ``language`` says otherwise),
    signed when ``reports.signing`` is configured."""
    from weasyprint import HTML  # imported here: loading pango is slow and only PDFs need it

    signer = signing.configured_signer()
    html = minutes_html(cycle, generated_at=generated_at, language=language,
                        signer=signer.name if signer else "")
    html = compact_html(html)
    pdf: bytes = HTML(string=html, base_url=str(settings.BASE_DIR)).write_pdf(
        pdf_variant=PDF_VARIANT)
    if signer is not None:
        pdf = signing.sign_pdf(pdf, signer)
    return pdf
