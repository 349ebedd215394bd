"""Real-browser tests: pytest-playwright driving Debian's chromium against ``live_server``.

Setup as in /work/shared/STACK.md: never ``playwright install``; the browser is the system
chromium. The whole folder is skipped (with the reason) when chromium is not installed.
Each page visited goes through axe-core (``check_axe``): no violation of impact "serious"
or "critical" is accepted.
"""

from __future__ import annotations

import os
import shutil
from typing import Any

import pytest

# The sync Playwright API runs an event loop in the test thread; Django's ORM calls made by
# the test itself (builders, assertions on the database) are still synchronous and safe.
os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"

CHROMIUM = shutil.which("chromium")


def pytest_configure(config: pytest.Config) -> None:
    # pytest-playwright 0.10's session ``base_url`` fixture trips a pytest 9 deprecation notice.
    config.addinivalue_line("filterwarnings",
                            "ignore:Session-scoped fixtures defined as instance methods")


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    if CHROMIUM:
        return
    skip = pytest.mark.skip(reason="browser tests need Debian's chromium "
                                   "(apt-get install -y chromium); it is not installed")
    for item in items:
        if "tests/e2e/" in str(item.fspath).replace(os.sep, "/"):
            item.add_marker(skip)


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args: dict[str, Any]) -> dict[str, Any]:
    return {
        **browser_type_launch_args,
        "executable_path": CHROMIUM,
        "args": ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run",
                 "--disable-quic"],
    }


@pytest.fixture(scope="session")
def browser_context_args(browser_context_args: dict[str, Any]) -> dict[str, Any]:
    return {**browser_context_args, "locale": "fr-FR",
            "viewport": {"width": 1280, "height": 900}}
