"""Checks on uploaded attachments, by content (never by the name or the declared type).

Images: Pillow must identify a JPEG, PNG or WebP under a pixel limit and decode it whole;
the image is then re-encoded, which drops its metadata (EXIF, often the GPS position of
the phone that took it) and anything appended to the pixels (a polyglot file).
PDFs: the ``%PDF-`` header, an ``%%EOF`` trailer, and a ``startxref`` offset pointing at a
cross-reference section or stream inside the file (a structural parse without a PDF
library); a PDF naming JavaScript, a launch action or an embedded file is refused.
"""

from __future__ import annotations

import io
import re
from dataclasses import dataclass

from PIL import Image, UnidentifiedImageError

MAX_ATTACHMENT_BYTES = 5 * 1024 * 1024
MAX_ATTACHMENTS = 8
MAX_IMAGE_PIXELS = 40_000_000
IMAGE_FORMATS = {"JPEG": ("jpg", "image/jpeg"), "PNG": ("png", "image/png"),
                 "WEBP": ("webp", "image/webp")}
_PDF_HEADER = re.compile(rb"%PDF-[12]\.\d")
_STARTXREF = re.compile(rb"startxref\s+(\d+)\s+%%EOF\s*$")
_XREF_AT = re.compile(rb"\s*(xref|\d+\s+\d+\s+obj)")
_ACTIVE_PDF = re.compile(rb"/(JavaScript|JS|Launch|EmbeddedFile|RichMedia|XFA)\b")


class AttachmentRefused(ValueError):
    """The file is not an accepted image or PDF; ``str()`` says why, for the uploader."""


@dataclass(frozen=True)
class CheckedFile:
    kind: str  # "image" or "pdf"
    extension: str
    content_type: str
    content: bytes


def check_attachment(content: bytes) -> CheckedFile:
    """Identify ``content`` as an accepted image or PDF, or raise AttachmentRefused."""
    if not content:
        raise AttachmentRefused("empty")
    if len(content) > MAX_ATTACHMENT_BYTES:
        raise AttachmentRefused("too_large")
    if content.startswith(b"%PDF-"):
        return _check_pdf(content)
    return _check_image(content)


def _check_pdf(content: bytes) -> CheckedFile:
    if not _PDF_HEADER.match(content):
        raise AttachmentRefused("pdf_header")
    trailer = _STARTXREF.search(content[-2048:])
    if trailer is None:
        raise AttachmentRefused("pdf_structure")
    offset = int(trailer.group(1))
    if offset >= len(content) or not _XREF_AT.match(content, offset):
        raise AttachmentRefused("pdf_structure")
    if _ACTIVE_PDF.search(content):
        raise AttachmentRefused("pdf_active")
    return CheckedFile("pdf", "pdf", "application/pdf", content)


def _check_image(content: bytes) -> CheckedFile:
    try:
        with Image.open(io.BytesIO(content)) as probe:
            fmt = probe.format or ""
            if fmt not in IMAGE_FORMATS:
                raise AttachmentRefused("type")
            width, height = probe.size
            if width * height > MAX_IMAGE_PIXELS:
                raise AttachmentRefused("too_many_pixels")
            probe.verify()
        with Image.open(io.BytesIO(content)) as image:
            image.load()
            clean = image.convert("RGBA" if image.mode in ("RGBA", "LA", "P") else "RGB")
    except AttachmentRefused:
        raise
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError,
            Image.DecompressionBombError) as exc:
        raise AttachmentRefused("type") from exc
    extension, content_type = IMAGE_FORMATS[fmt]
    if fmt == "JPEG" and clean.mode != "RGB":
        clean = clean.convert("RGB")
    out = io.BytesIO()
    clean.save(out, format=fmt, **({"quality": 88} if fmt in ("JPEG", "WEBP") else {}))
    return CheckedFile("image", extension, content_type, out.getvalue())
