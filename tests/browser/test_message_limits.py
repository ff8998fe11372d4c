"""A reply's length in the composer: a live count as the text gets long (a text's number of parts too),
a warning over the channel's limit, Send refusing, and a 100 KB paste kept whole rather than cut; that
newer error clearing an older one at the top of the page."""

from __future__ import annotations

from typing import Any

from django_scopes import scope
from playwright.sync_api import expect

from tests.browser.conftest import PHONE, log_in, screenshot
from tests.browser.test_widget import demo as demo  # the fixture
from tests.browser.test_widget import visitor_page, visitors_chats
from tests.conftest import World, make_customer
from trunkshow.messaging.models import Message
from trunkshow.messaging.services import message_receive


def _conversation(world: World) -> int:
    make_customer(world.a, first_name="Clara", phones=["+12125550142"])
    with scope(store=world.a):
        message, _created = message_receive(
            store=world.a,
            channel="sms",
            from_address="+12125550142",
            body="Hello",
            provider="sandbox",
            provider_id="L1",
        )
    return int(message.conversation_id)


def _composer(page: Any, world: World, base_url: str) -> tuple[int, Any, Any]:
    """The associate's phone on the conversation: its id, the reply box and the line under it."""
    conversation = _conversation(world)
    log_in(page, base_url, world.a_associate)
    page.goto(f"/inbox/{conversation}/")
    return conversation, page.get_by_label("Your reply"), page.locator("#reply-count")


def test_the_composer_counts_a_long_text_and_refuses_one_over_1600_characters(
    phone: Any, world: World, live_server_url: str
) -> None:
    page = phone
    conversation, box, count = _composer(page, world, live_server_url)

    box.fill("Short and sweet.")
    expect(count).to_be_hidden()  # nothing to count yet
    box.fill("x" * 161)
    expect(count).to_have_text("161 of 1,600 characters · sent as 2 texts")
    box.fill("é" * 71)  # é is in GSM-7: still one text
    expect(count).to_be_hidden()
    box.fill("ł" * 71)  # ł is not: UCS-2, 70 a text
    expect(count).to_have_text("71 of 1,600 characters · sent as 2 texts")

    pasted = "Lorem ipsum dolor sit amet. " * 3_572  # 100,016 characters
    box.fill("")
    box.focus()
    page.keyboard.insert_text(pasted)
    assert box.evaluate("b => b.value.length") == len(pasted)  # not cut by a maxlength
    expect(count).to_contain_text("A text message can be at most 1,600 characters; this one has 100,015.")
    expect(count).to_have_attribute("role", "alert")
    expect(box).to_have_attribute("aria-invalid", "true")
    screenshot(page, "composer-over-limit-phone")
    page.get_by_role("button", name="Send", exact=True).click()
    page.wait_for_timeout(500)
    assert page.url.endswith(f"/inbox/{conversation}/")
    assert box.evaluate("b => b.value.length") == len(pasted)
    with scope(store=world.a):
        assert Message.objects.filter(direction="out").count() == 0

    box.fill("See you Saturday.")
    expect(count).to_be_hidden()
    page.get_by_role("button", name="Send", exact=True).click()
    expect(page.locator("#thread")).to_contain_text("See you Saturday.")
    with scope(store=world.a):
        assert list(Message.objects.filter(direction="out").values_list("body", flat=True)) == ["See you Saturday."]


def test_a_visitor_pasting_too_much_in_the_chat_is_told_and_keeps_the_text(
    browser: Any,
    live_server_url: str,
    demo: Any,
) -> None:
    page = visitor_page(browser, live_server_url, PHONE, True)
    page.goto("/demo-site/")
    page.get_by_role("button", name="Chat with us").click()
    box = page.get_by_label("Message", exact=True)
    box.focus()
    page.keyboard.insert_text("y" * 5_001)
    box.press("Enter")
    expect(page.get_by_role("alert")).to_have_text(
        "Your message has 5,001 characters; we can take at most 5,000. Shorten it or send it in parts."
    )
    assert box.evaluate("b => b.value.length") == 5_001
    with scope(store=demo):
        assert Message.objects.filter(conversation__in=visitors_chats()).count() == 0
    page.context.close()


def test_saving_the_status_on_a_phone_comes_back_to_the_status_panel(
    phone: Any, world: World, live_server_url: str
) -> None:
    """Found by a new user: snoozing on a phone jumped the page to the reply box."""
    page = phone
    conversation = _conversation(world)
    log_in(page, live_server_url, world.a_associate)
    page.goto(f"/inbox/{conversation}/")
    page.get_by_text("Assign · Status · Snooze").click()
    page.get_by_label("Status", exact=True).select_option("closed")
    page.get_by_role("button", name="Save status").click()
    page.wait_for_url(f"**/inbox/{conversation}/#conversation-panel")
    expect(page.get_by_text("Conversation marked closed.")).to_be_visible()
    page.wait_for_timeout(300)
    in_view = page.get_by_role("button", name="Save status").evaluate(
        "b => { const r = b.getBoundingClientRect(); return r.top >= 0 && r.bottom <= innerHeight; }"
    )
    assert in_view
    screenshot(page, "status-saved-phone")


# One error at a time: a newer error said beside the reply box replaces the older one left at the top of
# the page (an empty note's "Write a note first.").
def test_a_newer_composer_error_replaces_the_empty_notes_message(
    phone: Any, world: World, live_server_url: str
) -> None:
    conversation = _conversation(world)
    page = phone
    log_in(page, live_server_url, world.a_associate)
    page.goto(f"/inbox/{conversation}/")

    # An empty note posted as a page without the script posts it (the script now refuses it beside the
    # box): the server's refusal comes back at the top of the page.
    with page.expect_navigation():
        page.evaluate(
            """() => { const form = document.getElementById("composer"), kind = document.createElement("input");
            kind.type = "hidden"; kind.name = "kind"; kind.value = "note"; form.append(kind); form.submit(); }"""
        )
    stale = page.locator(".flash").get_by_text("Write a note first.")
    expect(stale).to_be_visible()
    screenshot(page, "composer-empty-note-phone")

    box = page.get_by_label("Your reply")
    box.focus()
    page.keyboard.insert_text("x" * 102_400)
    page.get_by_role("button", name="Send", exact=True).click()
    expect(page.locator("#reply-count")).to_contain_text(
        "A text message can be at most 1,600 characters; this one has 102,400."
    )
    expect(stale).to_have_count(0)  # the older message is gone: only the error true now is said
    expect(page.locator(".flash p")).to_have_count(0)
    expect(box).to_be_focused()
    screenshot(page, "composer-newer-error-phone")
    with scope(store=world.a):
        assert Message.objects.filter(direction__in=["out", "note"]).count() == 0


def test_send_with_an_empty_reply_says_so_beside_the_box_and_sends_nothing(
    phone: Any, world: World, live_server_url: str
) -> None:
    """Found by a new user: Send with nothing written did nothing they could see (the server's "Write a
    message first." went to the top of the page, off a phone's screen, and the page came back at the box)."""
    page = phone
    conversation, box, count = _composer(page, world, live_server_url)

    box.fill("   ")
    page.get_by_role("button", name="Send", exact=True).click()
    expect(count).to_have_text("Write a message first.")
    expect(count).to_have_attribute("role", "alert")
    expect(box).to_have_attribute("aria-invalid", "true")
    expect(box).to_be_focused()
    assert count.is_visible() and box.is_visible()
    assert page.url.endswith(f"/inbox/{conversation}/")  # not sent, not reloaded
    screenshot(page, "composer-empty-reply-phone")
    page.get_by_role("button", name="Add note").click()
    expect(count).to_have_text("Write a note first.")
    with scope(store=world.a):
        assert Message.objects.filter(direction="out").count() == 0
        assert Message.objects.count() == 1  # the customer's, nothing else (no note either)

    box.type("O")  # writing clears it at once
    expect(count).to_be_hidden()
    expect(box).not_to_have_attribute("aria-invalid", "true")
    box.fill("On its way.")
    page.get_by_role("button", name="Send", exact=True).click()
    expect(page.locator("#thread")).to_contain_text("On its way.")
