"""A conversation on an associate's phone (390×844), as a new user found it: the conversation's actions
within reach at the top of the thread, a half-written reply kept when she leaves and comes back, a saved
reply that starts a new word, and the customer's name never left under the top bar."""

from __future__ import annotations

from typing import Any

from django_scopes import scope
from playwright.sync_api import expect

from tests.browser.conftest import assert_accessible, assert_no_horizontal_scroll, log_in, screenshot
from tests.conftest import World, make_customer
from trunkshow.inbox.models import SavedReply
from trunkshow.messaging.models import Conversation
from trunkshow.messaging.services import message_receive

NUMBER = "+12125550142"


def _conversation(world: World, messages: int = 1) -> int:
    make_customer(
        world.a,
        first_name="Clara",
        last_name="Okafor",
        phones=[NUMBER],
        emails=["clara@example.com"],
        interests=[("stone", "sapphire"), ("style", "vintage")],
    )
    with scope(store=world.a):
        for i in range(messages):
            message, _created = message_receive(
                store=world.a,
                channel="sms",
                from_address=NUMBER,
                body=f"Is the oval sapphire still there? ({i + 1})",
                provider="sandbox",
                provider_id=f"P{i}",
            )
    return int(message.conversation_id)


def _under_top_bar(page: Any, selector: str) -> bool:
    """Whether the element's top is hidden by the sticky top bar (or above the screen)."""
    return bool(
        page.locator(selector).evaluate(
            "e => e.getBoundingClientRect().top < document.querySelector('.topbar').getBoundingClientRect().bottom"
        )
    )


def test_the_conversations_actions_are_at_the_top_of_the_thread_on_a_phone(
    phone: Any, world: World, live_server_url: str
) -> None:
    page = phone
    conversation = _conversation(world)
    log_in(page, live_server_url, world.a_associate)
    page.goto(f"/inbox/{conversation}/")

    menu = page.get_by_text("Assign · Status · Snooze")
    expect(menu).to_be_in_viewport()
    close = page.get_by_role("button", name="Close", exact=True)
    expect(close).to_be_in_viewport()
    # Above the thread and the customer's panel, not below them.
    side_top = page.locator(".convo-side").evaluate("e => e.getBoundingClientRect().top")
    assert menu.evaluate("e => e.getBoundingClientRect().bottom") < side_top
    for target in (menu, close):
        box = target.bounding_box()
        assert box is not None and box["height"] >= 44 and box["x"] + box["width"] <= 390, box
    screenshot(page, "inbox-actions-phone")

    menu.click()
    expect(page.get_by_label("Assigned to")).to_be_visible()
    expect(page.get_by_label("Snoozed until (if snoozed)")).to_be_in_viewport()
    assert_no_horizontal_scroll(page)
    assert_accessible(page)
    screenshot(page, "inbox-actions-open-phone")
    page.keyboard.press("Escape")
    expect(page.get_by_label("Assigned to")).to_be_hidden()

    # Snoozing from the menu comes back to it, open, with the time and what was done.
    menu.click()
    page.get_by_label("Status", exact=True).select_option("pending")
    page.get_by_role("button", name="Save status").click()
    page.wait_for_url(f"**/inbox/{conversation}/#conversation-panel")
    expect(page.get_by_text("Conversation marked pending.")).to_be_in_viewport()
    expect(page.get_by_role("button", name="Save status")).to_be_in_viewport()

    # One tap closes it, and the same place reopens it.
    page.get_by_role("button", name="Close", exact=True).click()
    expect(page.get_by_text("Conversation marked closed.")).to_be_visible()
    with scope(store=world.a):
        assert Conversation.objects.get(pk=conversation).status == "closed"
    page.get_by_role("button", name="Reopen").click()
    expect(page.get_by_text("Conversation marked open.")).to_be_visible()


def test_a_half_written_reply_is_there_when_she_comes_back_and_gone_once_sent(
    phone: Any, world: World, live_server_url: str
) -> None:
    page = phone
    conversation = _conversation(world)
    with scope(store=world.a):
        SavedReply.objects.create(store=world.a, title="Thanks", body="Thank you for your patience!")
    log_in(page, live_server_url, world.a_associate)
    page.goto(f"/inbox/{conversation}/")
    box = page.get_by_label("Your reply")
    box.fill("It is still here, in platinum.")

    page.get_by_role("link", name="← Inbox").click()
    page.wait_for_url("**/inbox/")
    page.goto(f"/inbox/{conversation}/")
    expect(box).to_have_value("It is still here, in platinum.")

    # A saved reply after a sentence starts a new word, as a person would write it.
    page.get_by_text("Saved replies").click()
    page.get_by_role("button", name="Thanks").click()
    expect(box).to_have_value("It is still here, in platinum. Thank you for your patience!")
    screenshot(page, "inbox-draft-phone")

    # Another person on the same phone does not find it, nor another conversation.
    with scope(store=world.a):
        other = Conversation.objects.create(store=world.a, channel="sms", address="+12125550199")
    page.goto(f"/inbox/{other.pk}/")
    expect(page.get_by_label("Your reply")).to_have_value("")

    page.goto(f"/inbox/{conversation}/")
    page.get_by_role("button", name="Send", exact=True).click()
    page.wait_for_url(f"**/inbox/{conversation}/")
    expect(page.locator("#thread")).to_contain_text("It is still here, in platinum. Thank you for your patience!")
    page.goto("/inbox/")
    page.goto(f"/inbox/{conversation}/")
    expect(page.get_by_label("Your reply")).to_have_value("")


def test_a_draft_is_kept_per_person(phone: Any, world: World, live_server_url: str) -> None:
    page = phone
    conversation = _conversation(world)
    log_in(page, live_server_url, world.a_associate)
    page.goto(f"/inbox/{conversation}/")
    page.get_by_label("Your reply").fill("Mine, not yours")
    log_in(page, live_server_url, world.a_manager)
    page.goto(f"/inbox/{conversation}/")
    expect(page.get_by_label("Your reply")).to_have_value("")


def test_a_conversation_opens_with_the_customers_name_clear_of_the_top_bar(
    phone: Any, world: World, live_server_url: str
) -> None:
    page = phone
    conversation = _conversation(world, messages=3)
    log_in(page, live_server_url, world.a_associate)
    page.goto(f"/inbox/{conversation}/")
    page.wait_for_load_state("load")
    newest = page.locator("#thread li.msg").last
    expect(newest).to_be_in_viewport()
    assert not _under_top_bar(page, "#convo-title")
    screenshot(page, "inbox-open-phone")

    # After a note, the same: the note in view above the reply box, and the name clear of the bar.
    page.get_by_label("Your reply").fill("Asked about the oval sapphire")
    page.get_by_role("button", name="Add note").click()
    page.wait_for_url(f"**/inbox/{conversation}/")
    page.wait_for_load_state("load")
    expect(page.locator("#thread li.msg").last).to_contain_text("Asked about the oval sapphire")
    page.wait_for_timeout(200)
    expect(page.locator("#thread li.msg").last).to_be_in_viewport()
    assert not _under_top_bar(page, "#convo-title")


def test_a_long_thread_opens_on_the_newest_message_and_leaves_no_name_half_hidden(
    phone: Any, world: World, live_server_url: str
) -> None:
    page = phone
    conversation = _conversation(world, messages=12)
    log_in(page, live_server_url, world.a_associate)
    page.goto(f"/inbox/{conversation}/")
    page.wait_for_load_state("load")
    expect(page.locator("#thread li.msg").last).to_be_in_viewport()
    # The head is either in full view below the bar or scrolled past it, never cut under it.
    cut = page.locator(".convo-head").evaluate(
        """e => { const r = e.getBoundingClientRect(), bar = document.querySelector('.topbar').getBoundingClientRect();
                  return r.top < bar.bottom && r.bottom > bar.bottom + 4; }"""
    )
    assert not cut


def test_a_thread_a_little_too_long_never_leaves_the_back_link_half_under_the_top_bar(
    phone: Any, world: World, live_server_url: str
) -> None:
    page = phone
    # From a thread that fits to one a few messages too long: the cases in between opened with
    # "← Inbox" cut in two by the bar.
    conversations = {}
    for count in range(3, 10):
        number = f"+1212555017{count}"
        make_customer(world.a, first_name="Clara", last_name=f"Okafor {count}", phones=[number])
        with scope(store=world.a):
            for i in range(count):
                message, _created = message_receive(
                    store=world.a,
                    channel="sms",
                    from_address=number,
                    body=f"Is the oval sapphire still there? ({i + 1})",
                    provider="sandbox",
                    provider_id=f"Q{count}-{i}",
                )
        conversations[count] = message.conversation_id
    log_in(page, live_server_url, world.a_associate)
    for count, conversation in conversations.items():
        page.goto(f"/inbox/{conversation}/")
        page.wait_for_load_state("load")
        page.wait_for_timeout(100)
        expect(page.locator("#thread li.msg").last).to_be_in_viewport()
        for part in (".convo-head .back", ".convo-head"):
            cut = page.locator(part).evaluate(
                """e => { const r = e.getBoundingClientRect(), bar = document.querySelector('.topbar').getBoundingClientRect();
                          return r.top < bar.bottom && r.bottom > bar.bottom + 1 && [r.top, r.bottom, bar.bottom, scrollY]; }"""
            )
            assert not cut, f"{part} half under the top bar with {count} messages: {cut}"
    screenshot(page, "inbox-a-little-too-long-phone")

    # From the profile's Message (#write): the cursor in the reply box all the same.
    page.goto(f"/inbox/{conversations[5]}/#write")
    page.wait_for_load_state("load")
    expect(page.get_by_label("Your reply")).to_be_focused()
