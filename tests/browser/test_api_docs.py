"""The API's interactive docs work on a machine without the internet: nothing is loaded from another host."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

from playwright.sync_api import expect

from tests.browser.conftest import screenshot


def test_the_api_docs_render_from_our_own_files_only(desktop: Any, live_server_url: str) -> None:
    page = desktop
    ours = urlsplit(live_server_url).netloc
    elsewhere: list[str] = []

    def only_ours(route: Any) -> None:
        if urlsplit(route.request.url).netloc == ours:
            route.continue_()
        else:  # as on a shop's machine without the internet
            elsewhere.append(route.request.url)
            route.abort()

    page.route("**/*", only_ours)
    page.goto("/api/v1/docs")

    expect(page.locator(".swagger-ui .info .title")).to_contain_text("Trunkshow API")
    expect(page.get_by_text("/api/v1/customers", exact=True).first).to_be_visible()
    assert elsewhere == []
    page.screenshot(path=str(screenshot(page, "api-docs-desktop")))


def test_the_api_docs_say_how_to_start(phone: Any, live_server_url: str) -> None:
    page = phone
    page.goto("/api/v1/docs")
    description = page.locator(".swagger-ui .info .description")
    expect(description).to_contain_text("open Account → API tokens and create one")
    expect(description).to_contain_text("Authorization: Bearer <token>")
    expect(description).to_contain_text('{"error": {"code": "...", "message": "...", "fields": {...}}}')
    expect(description).to_contain_text("?cursor=<next_cursor>")
    screenshot(page, "api-docs-phone")
