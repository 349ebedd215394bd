"""Proposal descriptions: Markdown in, sanitised HTML out.

markdown-it-py renders CommonMark with raw HTML disabled (a ``<script>`` typed by an author
stays text); nh3 then keeps only a short list of tags and attributes, so whatever the
renderer produced, nothing executable reaches the page. Headings are shifted down two
levels (``#`` becomes ``<h3>``) to fit under the page's own ``<h1>`` and ``<h2>``; images
are not rendered (no third-party requests from a proposal page: attachments carry images).
"""

from __future__ import annotations

import re

import nh3
from markdown_it import MarkdownIt

ALLOWED_TAGS = {"p", "br", "strong", "em", "ul", "ol", "li", "blockquote", "code", "pre",
                "h3", "h4", "h5", "h6", "a", "hr"}
ALLOWED_ATTRIBUTES = {"a": {"href", "title"}, "ol": {"start"}}
URL_SCHEMES = {"http", "https", "mailto"}

_md = MarkdownIt("commonmark", {"html": False, "linkify": False, "typographer": False})
_md.disable("image")
_HEADING = re.compile(r"<(/?)h([1-6])>")


def _shift_heading(match: re.Match[str]) -> str:
    return f"<{match.group(1)}h{min(int(match.group(2)) + 2, 6)}>"


def render_markdown(text: str) -> str:
    """Sanitised HTML for a proposal's Markdown text (safe to mark as such in templates)."""
    html = _HEADING.sub(_shift_heading, _md.render(text or ""))
    return nh3.clean(html, tags=ALLOWED_TAGS, attributes=ALLOWED_ATTRIBUTES,
                     url_schemes=URL_SCHEMES, link_rel="nofollow noopener noreferrer ugc")
