"""An associate on a phone with the inbox open: a text arrives and shows without a reload, they open it,
see the customer beside it, answer with a saved reply they edit, and the reply is sent."""

from __future__ import annotations

from typing import Any

from django_scopes import scope
from playwright.sync_api import expect

from tests.browser.conftest import assert_accessible, assert_no_horizontal_scroll, log_in, screenshot
from tests.conftest import World, make_customer
from trunkshow.customers.services import ConsentGrant
from trunkshow.inbox.models import SavedReply
from trunkshow.messaging.models import Message, MessageStatus
from trunkshow.messaging.services import message_receive, message_status_apply


def _text_in(world: World, body: str, sid: str) -> Message:
    with scope(store=world.a):
        message, _created = message_receive(
            store=world.a,
            channel="sms",
            from_address="+12125550142",
            body=body,
            provider="sandbox",
            provider_id=sid,
        )
    return message


def _menu_width(select: Any) -> tuple[float, float]:
    """The menu's width on the page, and the width its longest name needs (as wide as its content)."""
    width, needed = select.evaluate(
        """s => { const w = s.getBoundingClientRect().width; s.style.cssText = "flex: none; width: max-content";
          const need = s.getBoundingClientRect().width; s.style.cssText = ""; return [w, need]; }"""
    )
    return round(width), round(needed)


def test_a_text_arrives_live_and_is_answered_from_a_phone(phone: Any, world: World, live_server_url: str) -> None:
    page = phone
    make_customer(
        world.a,
        first_name="Zsófia",
        last_name="Szirmay",
        phones=["+12125550142"],
        interests=[("stone", "Sapphire")],
        assigned_associate_id=world.a_associate.user.pk,
        # She agreed to WhatsApp too: the menu offers it beside the channel she texted on.
        consents=[ConsentGrant(channel="whatsapp", purpose="service")],
    )
    with scope(store=world.a):
        SavedReply.objects.create(store=world.a, title="It's ready", body="Hi {first_name}, it is ready for you.")
    log_in(page, live_server_url, world.a_associate)
    page.goto("/inbox/")
    expect(
        page.get_by_text("Nothing waiting for you", exact=False).or_(page.get_by_text("No conversations"))
    ).to_be_visible()

    # The text arrives while the page is open: the list and a toast show it without a reload.
    _text_in(world, "Is my ring resized yet? <b>Saturday</b> would be ideal", "SMlive1")
    row = page.locator(".inbox-row").first
    expect(row).to_contain_text("Zsófia Szirmay", timeout=15_000)
    expect(row).to_contain_text("1 new")
    expect(page.locator(".toast")).to_contain_text("Is my ring resized yet? <b>Saturday</b> would be ideal")
    assert_no_horizontal_scroll(page)
    screenshot(page, "inbox-list-phone")
    assert_accessible(page)

    row.get_by_role("link").click()
    expect(page.locator("#convo-title")).to_have_text("Zsófia Szirmay")
    expect(page.locator(".thread")).to_contain_text("<b>Saturday</b>")  # text, never markup
    expect(page.locator(".convo-side")).to_contain_text("Sapphire")
    # The channel menu shows its whole names on a phone (it once showed "Text m"), the buttons beside it.
    channel = page.get_by_label("Send by")
    expect(channel.locator("option")).to_have_text(["Text message", "WhatsApp"])
    width, needed = _menu_width(channel)
    assert width >= needed, f"the channel menu is {width}px wide; its names need {needed}px"
    for name in ("Add note", "Send"):
        box = page.get_by_role("button", name=name, exact=True).bounding_box()
        assert box is not None and box["x"] >= 0 and box["x"] + box["width"] <= 390, f"{name}: {box}"
    page.locator(".saved-replies > summary").click()
    page.get_by_role("button", name="It's ready").click()
    box = page.get_by_label("Your reply")
    expect(box).to_have_value("Hi Zsófia, it is ready for you.")
    box.press("End")
    box.type(" Saturday at 11 works.")
    page.get_by_role("button", name="Send", exact=True).click()
    expect(page.locator(".msg-out").last).to_contain_text("Hi Zsófia, it is ready for you. Saturday at 11 works.")
    assert_no_horizontal_scroll(page)
    screenshot(page, "inbox-conversation-phone")
    assert_accessible(page)

    # A second text shows up in the open thread by itself.
    _text_in(world, "Wonderful, thank you!", "SMlive2")
    expect(page.locator(".msg-in").last).to_contain_text("Wonderful, thank you!", timeout=15_000)
    with scope(store=world.a):
        reply = Message.objects.get(direction="out", author=world.a_associate.user)
    assert reply.body == "Hi Zsófia, it is ready for you. Saturday at 11 works."

    # The carrier reports it delivered: the reply's status changes in the open thread by itself
    # (the page once asked only for messages after the last one, and kept showing the old status).
    mine = page.locator(f"#m{reply.pk} .msg-status")
    expect(mine).not_to_have_text("Delivered")
    with scope(store=world.a):
        message_status_apply(
            store=world.a, provider=reply.provider, provider_id=reply.provider_id, status=MessageStatus.DELIVERED
        )
    expect(mine).to_have_text("Delivered", timeout=15_000)
    assert reply.to_address == "+12125550142"


def test_on_a_desk_the_composer_keeps_its_menu_and_buttons_on_one_line(
    desktop: Any, world: World, live_server_url: str
) -> None:
    page = desktop
    make_customer(world.a, first_name="Zsófia", last_name="Szirmay", phones=["+12125550142"])
    message = _text_in(world, "Is my ring resized yet?", "SMdesk1")
    log_in(page, live_server_url, world.a_associate)
    page.goto(f"/inbox/{message.conversation_id}/")
    channel = page.get_by_label("Send by")
    expect(channel).to_have_value("sms")
    width, needed = _menu_width(channel)
    assert width == needed  # as wide as "Text message", not stretched across the pane
    tops = {
        round(box["y"])
        for box in (
            channel.bounding_box(),
            page.get_by_role("button", name="Add note").bounding_box(),
            page.get_by_role("button", name="Send", exact=True).bounding_box(),
        )
        if box is not None
    }
    assert len(tops) == 1, tops
    screenshot(page, "inbox-conversation-desktop")
