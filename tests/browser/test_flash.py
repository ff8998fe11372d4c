"""What the staff are told after an action: "done" reads and then gets out of the way of the thread,
a warning stays."""

from __future__ import annotations

from typing import Any

from django_scopes import scope
from playwright.sync_api import expect

from tests.browser.conftest import log_in, screenshot
from tests.conftest import World, make_customer
from trunkshow.messaging.services import message_receive


def test_a_done_notice_leaves_the_thread_in_view_and_a_warning_stays(
    phone: Any, world: World, live_server_url: str
) -> None:
    page = phone
    make_customer(world.a, first_name="Zsófia", last_name="Szirmay", phones=["+12125550142"])
    with scope(store=world.a):
        message, _created = message_receive(
            store=world.a,
            channel="sms",
            from_address="+12125550142",
            body="Is my ring resized yet?",
            provider="sandbox",
            provider_id="SMflash1",
        )
    log_in(page, live_server_url, world.a_associate)
    page.goto(f"/inbox/{message.conversation_id}/")

    page.select_option("#status", "pending")
    page.get_by_role("button", name="Save status").click()
    done = page.locator(".flash p", has_text="Conversation marked pending.")
    expect(done).to_be_visible()
    page.screenshot(path=str(screenshot(page, "flash-done-phone").with_name("flash-done-phone-view.png")))
    expect(done).to_be_hidden(timeout=8_000)  # after about four seconds
    assert page.locator(".flash").evaluate("f => getComputedStyle(f).visibility") == "hidden"

    page.fill("#reply-body", "@Nobody can you look at the clasp?")
    page.get_by_role("button", name="Add note").click()
    warning = page.locator(".flash p.flash-warning")
    expect(warning).to_contain_text("nobody on the staff is @Nobody")
    page.wait_for_timeout(5_500)
    expect(warning).to_be_visible()
    assert warning.evaluate("p => getComputedStyle(p).opacity") == "1"
    page.screenshot(path=str(screenshot(page, "flash-warning-phone").with_name("flash-warning-phone-view.png")))
    # It may sit over the reply box the person wants to use again: one tap puts it away.
    page.get_by_role("button", name="Dismiss").click()
    expect(warning).to_have_count(0)
    page.fill("#reply-body", "@Max can you look at the clasp?")  # reachable again
    page.screenshot(path=str(screenshot(page, "flash-dismissed-phone").with_name("flash-dismissed-phone-view.png")))
