"""New messages shown as live notices (toasts) over the inbox: on a desk and on a phone, two at once,
they leave the top bar, the page's buttons, the bottom bar and the composer uncovered."""

from __future__ import annotations

from typing import Any

import pytest
from django_scopes import scope
from playwright.sync_api import expect

from tests.browser.conftest import SCREENSHOTS, log_in
from tests.conftest import World, make_customer
from trunkshow.messaging.channels.webchat.services import webchat_conversation_start
from trunkshow.messaging.models import Message
from trunkshow.messaging.services import message_receive

# Everything a person taps or types into (on a phone: in the top bar, the page's head, the bottom bar and
# the reply box; elsewhere a notice covers the content for a few seconds, as a phone's own notifications do).
COVERED = """(within) => {
  const toasts = [...document.querySelectorAll(".toast")].map(t => t.getBoundingClientRect());
  const hits = [];
  for (const el of document.querySelectorAll("a[href], button, input:not([type=hidden]), select, textarea, summary")) {
    if (el.closest("#toasts") || (within && !el.closest(within))) continue;
    const r = el.getBoundingClientRect();
    if (!r.width || !r.height || getComputedStyle(el).visibility === "hidden") continue;
    for (const t of toasts) {
      if (r.left < t.right && t.left < r.right && r.top < t.bottom && t.top < r.bottom) {
        hits.push((el.textContent.trim() || el.getAttribute("aria-label") || el.name || el.tagName).slice(0, 40));
      }
    }
  }
  return hits;
}"""
ON_A_PHONE = ".topbar, .page-head, .convo-head, .action-bar, #composer"


def _text_in(world: World, phone: str, body: str, sid: str) -> Message:
    with scope(store=world.a):
        message, _created = message_receive(
            store=world.a, channel="sms", from_address=phone, body=body, provider="sandbox", provider_id=sid
        )
    return message


def _two_toasts(page: Any, world: World) -> None:
    _text_in(world, "+12125550143", "Do you still have the emerald studs from the window?", "SMt1")
    _text_in(world, "+12125550144", "Could we move Saturday's fitting to 3pm?", "SMt2")
    expect(page.locator(".toast")).to_have_count(2, timeout=15_000)


@pytest.fixture
def customers(world: World) -> Message:
    """Zsófia's conversation is open; Bea and Cleo text while it is."""
    make_customer(world.a, first_name="Zsófia", last_name="Szirmay", phones=["+12125550142"])
    make_customer(world.a, first_name="Bea", last_name="Brandt", phones=["+12125550143"])
    make_customer(world.a, first_name="Cleo", last_name="Costa", phones=["+12125550144"])
    return _text_in(world, "+12125550142", "Is my ring resized yet?", "SMt0")


@pytest.mark.parametrize("size", ["desktop", "phone"])
def test_new_message_notices_cover_no_button_or_link_of_the_inbox(
    request: Any, size: str, transactional_db: Any, world: World, customers: Message, live_server_url: str
) -> None:
    page = request.getfixturevalue(size)
    log_in(page, live_server_url, world.a_manager)
    page.goto("/inbox/?view=all")
    expect(page.locator(".inbox-row")).to_have_count(1)
    _two_toasts(page, world)
    page.screenshot(path=str(SCREENSHOTS / f"inbox-toasts-{size}.png"))  # the screen, where the notices are
    assert page.evaluate(COVERED, ON_A_PHONE if size == "phone" else None) == []


def test_a_notice_names_who_wrote_a_visitor_who_left_no_name_as_the_list_does(
    phone: Any, transactional_db: Any, world: World, customers: Message, live_server_url: str
) -> None:
    log_in(phone, live_server_url, world.a_manager)
    phone.goto("/inbox/?view=all")
    expect(phone.locator(".inbox-row")).to_have_count(1)

    _text_in(world, "+12125550143", "Do you still have the emerald studs from the window?", "SMt1")
    toast = phone.locator(".toast")
    expect(toast).to_have_count(1, timeout=15_000)
    expect(toast.locator("strong")).to_have_text("Bea Brandt")

    with scope(store=world.a):
        webchat_conversation_start(store=world.a, body="Do you have pearl studs under $500?")
    expect(toast).to_have_count(2, timeout=15_000)
    expect(toast.nth(1).locator("strong")).to_have_text("Website visitor")
    expect(toast.nth(1)).to_contain_text("Do you have pearl studs under $500?")
    expect(phone.locator(".inbox-row").first).to_contain_text("Website visitor")


@pytest.mark.parametrize("size", ["desktop", "phone"])
def test_new_message_notices_leave_the_open_conversation_usable(
    request: Any, size: str, transactional_db: Any, world: World, customers: Message, live_server_url: str
) -> None:
    page = request.getfixturevalue(size)
    for n in range(12):  # a thread longer than the screen: the reply box is stuck to its bottom
        _text_in(world, "+12125550142", f"And one more thing ({n})", f"SMz{n}")
    log_in(page, live_server_url, world.a_manager)
    page.goto(f"/inbox/{customers.conversation_id}/")
    expect(page.locator("#composer")).to_be_visible()
    _two_toasts(page, world)
    page.screenshot(path=str(SCREENSHOTS / f"inbox-conversation-toasts-{size}.png"))
    assert page.evaluate(COVERED, ON_A_PHONE if size == "phone" else None) == []
    if size == "phone":  # above the reply box, which spans the screen, not behind it
        composer = page.locator("#composer").bounding_box()
        boxes = [t.bounding_box() for t in page.locator(".toast").all()]
        assert composer is not None
        assert [round(b["y"] + b["height"]) <= round(composer["y"]) for b in boxes if b] == [True, True]
