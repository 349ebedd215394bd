"""Helpers shared by the browser tests: login, accessibility check, screenshots."""

from __future__ import annotations

import os
from pathlib import Path

from django.conf import settings
from django.test import Client
from playwright.sync_api import Page, expect

from tests.builders import PASSWORD

BLOCKING_IMPACTS = {"serious", "critical"}
SHOTS = Path(os.environ.get("E2E_SHOTS", "/tmp/e2e-shots"))


def check_axe(page: Page) -> None:
    """Run axe-core on the current page; fail on any serious or critical violation."""
    from axe_playwright_python.sync_playwright import Axe

    results = Axe().run(page)
    blocking = [v for v in results.response["violations"] if v.get("impact") in BLOCKING_IMPACTS]
    details = "\n".join(
        f"- [{v['impact']}] {v['id']}: {v['help']} — "
        + "; ".join(" ".join(n["target"]) if isinstance(n["target"], list) else str(n["target"])
                    for n in v["nodes"][:5])
        for v in blocking
    )
    assert not blocking, f"axe violations on {page.url}:\n{details}"


def login_with_form(page: Page, base_url: str, email: str, *, then: str = "/") -> None:
    """Log in through the real login form (``/comptes/connexion/``)."""
    page.goto(f"{base_url}/comptes/connexion/?next={then}")
    page.get_by_label("Adresse e-mail").fill(email)
    page.get_by_label("Mot de passe").fill(PASSWORD)
    page.get_by_role("button", name="Se connecter").click()
    expect(page.get_by_role("button", name="Déconnexion")).to_be_visible()


def login_with_cookie(page: Page, base_url: str, user: object) -> None:
    """Log in by handing the browser a session made with ``Client.force_login``."""
    client = Client()
    client.force_login(user)  # type: ignore[arg-type]
    cookie = client.cookies[settings.SESSION_COOKIE_NAME]
    page.context.add_cookies([{"name": settings.SESSION_COOKIE_NAME, "value": cookie.value,
                               "url": base_url}])


def logout(page: Page) -> None:
    page.get_by_role("button", name="Déconnexion").click()
    expect(page.get_by_role("link", name="Connexion")).to_be_visible()


def shot(page: Page, name: str, *, widths: tuple[int, ...] = (390, 1280)) -> None:
    """Full-page screenshots of the current page at each width into SHOTS.

    At phone widths the page is also checked: no sideways scrolling (WCAG 1.4.10) and axe
    (some rules, such as scrollable regions, only apply once content overflows).
    """
    SHOTS.mkdir(parents=True, exist_ok=True)
    original = page.viewport_size
    for width in widths:
        page.set_viewport_size({"width": width, "height": 844 if width < 600 else 900})
        if width < 600:
            overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
            assert overflow <= 0, f"{page.url} scrolls sideways by {overflow}px at {width}px"
            check_axe(page)
        page.screenshot(path=str(SHOTS / f"{name}-{width}.png"), full_page=True)
    if original:
        page.set_viewport_size(original)
