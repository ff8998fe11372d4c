"""The staff app as an installable PWA: the service worker (the offline page, web pushes) is in place
from the first page the app opens on, the inbox list, before anyone turns notifications on."""

from __future__ import annotations

from typing import Any

from tests.browser.conftest import log_in
from tests.conftest import World


def _service_worker_from_the_inbox_list(page: Any, world: World, live_server_url: str) -> None:
    log_in(page, live_server_url, world.a_associate)
    page.goto("/inbox/")  # the manifest's start_url
    page.locator("#push-on").wait_for()  # "Notify me": push is offered, not turned on
    scopes = page.evaluate(
        """async () => {
            const registration = await Promise.race([
                navigator.serviceWorker.ready,
                new Promise((resolve) => setTimeout(() => resolve(null), 5000)),
            ]);
            return registration ? [registration.scope, registration.active.scriptURL] : null;
        }"""
    )
    assert scopes == [f"{live_server_url}/", f"{live_server_url}/sw.js"]
    # Offline, a page of the app says so instead of the browser's error.
    page.context.set_offline(True)
    try:
        page.reload()
        assert page.locator("body").inner_text() == "You are offline. Trunkshow will be back when the connection is."
    finally:
        page.context.set_offline(False)


def test_on_a_phone_the_inbox_list_installs_the_service_worker_before_notifications_are_turned_on(
    phone: Any, world: World, live_server_url: str
) -> None:
    _service_worker_from_the_inbox_list(phone, world, live_server_url)


def test_on_a_desk_the_inbox_list_installs_the_service_worker_before_notifications_are_turned_on(
    desktop: Any, world: World, live_server_url: str
) -> None:
    _service_worker_from_the_inbox_list(desktop, world, live_server_url)
