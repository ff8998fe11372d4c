"""Browser tests: the real uvicorn server on the test database (tests/conftest.py), driven by
Debian's Chromium.

Without Chromium the tests are skipped with one line saying how to install it; with
``TRUNKSHOW_REQUIRE_BROWSER=1`` (as in CI) they fail instead.
"""

from __future__ import annotations

import datetime as dt
import os
import shutil
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from django.conf import settings
from django.test import Client

from tests.conftest import Person

CHROMIUM = os.environ.get("TRUNKSHOW_CHROMIUM", "/usr/bin/chromium")
INSTALL_HINT = "install it with: sudo apt-get install chromium (Debian/Ubuntu), then run the tests again"
SCREENSHOTS = Path(__file__).resolve().parents[2] / "screenshots"
PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1280, "height": 800}


def pytest_collection_modifyitems(config: Any, items: list[Any]) -> None:
    for item in items:
        if "tests/browser/" in str(item.fspath).replace(os.sep, "/"):
            item.add_marker(pytest.mark.browser)


def _require_chromium() -> None:
    if shutil.which(CHROMIUM) or Path(CHROMIUM).exists():
        return
    message = f"Browser tests need Chromium at {CHROMIUM}; {INSTALL_HINT}"
    if os.environ.get("TRUNKSHOW_REQUIRE_BROWSER") == "1":
        pytest.fail(message, pytrace=False)
    pytest.skip(message)


@pytest.fixture(scope="session")
def live_server_url(uvicorn_url: str) -> str:
    """The uvicorn server (tests/conftest.py), for a browser: skipped or failed without Chromium."""
    _require_chromium()
    return uvicorn_url


@pytest.fixture(scope="session")
def browser(live_server_url: str) -> Iterator[Any]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(
            executable_path=CHROMIUM,
            headless=True,
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--disable-background-networking",
                "--disable-component-update",
                "--no-first-run",
                "--disable-sync",
                "--disable-quic",
            ],
        )
        yield browser
        browser.close()


@pytest.fixture
def phone(browser: Any, live_server_url: str, transactional_db: Any) -> Iterator[Any]:
    """A page in a phone-sized (390×844) touch context."""
    context = browser.new_context(
        viewport=PHONE, is_mobile=True, has_touch=True, device_scale_factor=2, base_url=live_server_url
    )
    page = context.new_page()
    page.set_default_timeout(10_000)
    yield page
    context.close()


@pytest.fixture
def desktop(browser: Any, live_server_url: str, transactional_db: Any) -> Iterator[Any]:
    context = browser.new_context(viewport=DESKTOP, base_url=live_server_url)
    page = context.new_page()
    page.set_default_timeout(10_000)
    yield page
    context.close()


def clear_of_midnight(zone: str, margin: dt.timedelta = dt.timedelta(minutes=2)) -> dt.datetime:
    """Now in ``zone`` (a store's), after waiting out its midnight when that is less than ``margin`` away.

    The server runs in another process, so time_machine cannot hold its clock: a test whose
    expectations name the store's day ("we open tomorrow", the weekday marked as today, the last
    7 days) calls this before it sets them up, and sees one store day from then to its last look.
    """
    tz = ZoneInfo(zone)
    now = dt.datetime.now(tz)
    midnight = dt.datetime.combine(now.date() + dt.timedelta(days=1), dt.time(), tzinfo=tz)
    left = midnight.astimezone(dt.UTC) - now.astimezone(dt.UTC)
    if left < margin:
        time.sleep(left.total_seconds() + 1)
        now = dt.datetime.now(tz)
    return now


def log_in(page: Any, base_url: str, person: Person) -> None:
    """Give the browser a session for this person without typing (the login test types)."""
    client = Client()
    client.force_login(person.user)
    cookie = client.cookies[settings.SESSION_COOKIE_NAME]
    page.context.add_cookies([{"name": settings.SESSION_COOKIE_NAME, "value": cookie.value, "url": base_url}])


def staff_request_context(browser: Any, base_url: str, user: Any) -> Any:
    """A browser context with this staff member's session and a known CSRF token (``"k" * 32``), for
    calling the staff endpoints as the inbox page does: ``context.request.post(..., headers={"X-CSRFToken": ...})``."""
    client = Client()
    client.force_login(user)
    context = browser.new_context(base_url=base_url)
    context.add_cookies(
        [
            {
                "name": settings.SESSION_COOKIE_NAME,
                "value": client.cookies[settings.SESSION_COOKIE_NAME].value,
                "url": base_url,
            },
            {"name": "csrftoken", "value": "k" * 32, "url": base_url},
        ]
    )
    return context


def assert_accessible(page: Any) -> None:
    """No axe-core violations of serious or critical impact on the current page."""
    from axe_playwright_python.sync_playwright import Axe

    results = Axe().run(page)
    bad = [v for v in results.response["violations"] if v.get("impact") in ("serious", "critical")]
    summary = "\n".join(
        f"{v['id']} ({v['impact']}): {v['help']} — {[n['target'] for n in v['nodes']][:5]}" for v in bad
    )
    assert bad == [], f"axe found serious or critical violations on {page.url}:\n{summary}"


def assert_no_horizontal_scroll(page: Any) -> None:
    overflow = page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")
    assert overflow <= 0, f"{page.url} scrolls sideways by {overflow}px"


def screenshot(page: Any, name: str) -> Path:
    """Save a full-page screenshot under ./screenshots for a person to look at."""
    SCREENSHOTS.mkdir(exist_ok=True)
    path = SCREENSHOTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    return path
