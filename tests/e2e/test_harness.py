"""The browser checks themselves can fail: axe and the phone-width check catch real faults."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page

from tests.e2e.helpers import check_axe, shot

pytestmark = pytest.mark.e2e

FAULTY = """<!DOCTYPE html><html lang="fr"><head><title>Essai</title></head><body><main>
<h1>Essai</h1><form><input type="text" name="code"></form>
<p><code>{}</code></p></main></body></html>"""


def test_the_accessibility_check_fails_on_an_unlabelled_field(page: Page):
    page.set_content(FAULTY.format("court"))
    with pytest.raises(AssertionError, match=r"\[critical\] label"):
        check_axe(page)


def test_the_phone_width_check_fails_on_a_page_that_scrolls_sideways(page: Page, tmp_path,
                                                                     monkeypatch):
    monkeypatch.setattr("tests.e2e.helpers.SHOTS", tmp_path)
    page.set_content(FAULTY.format("f" * 200))
    with pytest.raises(AssertionError, match="scrolls sideways"):
        shot(page, "faulty", widths=(390,))
