"""What the staff are told after an action: in the flow of the page, never over the thread or the
customer beside it; read by a screen reader (role=status), and put away with one tap."""

from __future__ import annotations

from typing import Any

import pytest
from django_scopes import scope
from playwright.sync_api import expect

from tests.browser.conftest import log_in, screenshot
from tests.conftest import World, make_customer
from trunkshow.messaging.services import message_receive

# Whatever is on the screen of a conversation that a notice must not cover.
CONTENT = "#thread li.msg, .convo-side .card, #reply-body, .composer-row"


def _overlaps(page: Any, notice: Any) -> list[str]:
    """The things on the screen the notice is drawn over (their text, shortened), other than the one it is in."""
    return notice.evaluate(
        """(n, sel) => { const a = n.getBoundingClientRect();
        return [...document.querySelectorAll(sel)].filter(e => { const b = e.getBoundingClientRect();
          return b.width && !e.contains(n) && a.left < b.right && b.left < a.right && a.top < b.bottom && b.top < a.bottom; })
        .map(e => e.textContent.trim().slice(0, 40)); }""",
        CONTENT,
    )


def _texted(world: World, provider_id: str) -> Any:
    make_customer(world.a, first_name="Zsófia", last_name="Szirmay", phones=["+12125550142"])
    with scope(store=world.a):
        for n in range(8):  # a thread longer than the screen: the page opens scrolled to its end
            message, _created = message_receive(
                store=world.a,
                channel="sms",
                from_address="+12125550142",
                body=f"Is my ring resized yet? ({n + 1})",
                provider="sandbox",
                provider_id=f"{provider_id}{n}",
            )
    return message


def test_a_done_notice_sits_in_the_reply_box_beside_no_message_and_a_warning_too(
    phone: Any, world: World, live_server_url: str
) -> None:
    page = phone
    message = _texted(world, "SMflash")
    log_in(page, live_server_url, world.a_associate)
    page.goto(f"/inbox/{message.conversation_id}/")

    page.get_by_text("Assign · Status · Snooze").click()  # the conversation's menu, at the top of the thread
    page.select_option("#status", "pending")
    page.get_by_role("button", name="Save status").click()
    done = page.locator(".flash p", has_text="Conversation marked pending.")
    expect(done).to_be_in_viewport()
    # Read out, under the heading of the panel the page opens on (where the status was saved).
    assert page.locator("#conversation-panel > .flash[role=status]").count() == 1
    page.wait_for_timeout(5_000)  # it does not leave while someone is reading it, nor slide anything under a thumb
    expect(done).to_be_visible()
    assert _overlaps(page, page.locator(".flash")) == []
    page.screenshot(path=str(screenshot(page, "flash-done-phone").with_name("flash-done-phone-view.png")))
    done.get_by_role("button", name="Dismiss").click()
    expect(page.locator(".flash")).to_have_count(0)

    page.fill("#reply-body", "@Nobody can you look at the clasp?")
    page.get_by_role("button", name="Add note").click()
    warning = page.locator(".flash p.flash-warning")
    expect(warning).to_contain_text("nobody on the staff is @Nobody")
    expect(warning).to_be_in_viewport()
    assert page.locator("#composer > .flash[role=status]").count() == 1  # in the reply box, below the note
    expect(page.locator("#thread li.msg").last).to_be_in_viewport(ratio=1)
    assert _overlaps(page, page.locator(".flash")) == []
    page.screenshot(path=str(screenshot(page, "flash-warning-phone").with_name("flash-warning-phone-view.png")))
    page.get_by_role("button", name="Dismiss").click()
    expect(warning).to_have_count(0)
    page.fill("#reply-body", "@Max can you look at the clasp?")
    page.screenshot(path=str(screenshot(page, "flash-dismissed-phone").with_name("flash-dismissed-phone-view.png")))


@pytest.mark.parametrize("size", ["phone", "desktop"])
def test_a_text_played_in_from_the_sandbox_is_announced_without_covering_the_thread_or_the_customer(
    transactional_db: Any, request: Any, world: World, live_server_url: str, size: str
) -> None:
    page = request.getfixturevalue(size)
    message = _texted(world, f"SMsandbox{size}")
    log_in(page, live_server_url, world.a_associate)
    page.goto("/inbox/sandbox/")
    page.fill("[name=phone]", "+1 212 555 0142")
    page.fill("[name=body]", "Hello, is my ring ready?")
    page.get_by_role("button", name="Send to the store").click()
    page.wait_for_url(f"**/inbox/{message.conversation_id}/**")
    notice = page.locator(".flash")
    expect(notice).to_contain_text("The text arrived in the inbox.")
    expect(notice).to_have_attribute("role", "status")
    expect(notice).to_be_in_viewport()
    newest = page.locator("#thread li.msg").last
    expect(newest).to_contain_text("Hello, is my ring ready?")
    expect(newest).to_be_in_viewport(ratio=1)
    assert _overlaps(page, notice) == []
    screenshot(page, f"flash-sandbox-{size}")


def test_a_saved_profile_section_says_so_under_its_heading(phone: Any, world: World, live_server_url: str) -> None:
    page = phone
    customer = make_customer(world.a, first_name="Zsófia", last_name="Szirmay", phones=["+12125550142"])
    log_in(page, live_server_url, world.a_associate)
    page.goto(f"/customers/{customer.pk}/")
    page.get_by_label("Add a note").fill("Prefers rose gold.")
    page.get_by_role("button", name="Add note").click()
    notice = page.locator(".flash")
    expect(notice).to_be_in_viewport()
    assert notice.evaluate("n => n.parentElement.id") == "timeline"
    screenshot(page, "flash-profile-note-phone")
