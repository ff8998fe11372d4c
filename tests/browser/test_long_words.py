"""A message with no spaces (or a long link) wraps: the text sandbox became 57,000 px wide.
No page of the inbox scrolls sideways at 390×844 or 1280×800 with a 3,000-character word in a
customer's text, a reply, a note, the customer's interests and notes."""

from __future__ import annotations

from typing import Any

import pytest
from django_scopes import scope

from tests.browser.conftest import DESKTOP, PHONE, assert_no_horizontal_scroll, log_in, screenshot
from tests.conftest import World, make_customer
from trunkshow.customers.services import ConsentGrant, note_create
from trunkshow.messaging.services import message_receive, message_send, note_add

WORD = "https://example.com/" + "a" * 2_980  # 3,000 characters, no space


@pytest.mark.parametrize("size", ["phone", "desktop"])
def test_a_3000_character_word_wraps_everywhere_in_the_inbox(
    browser: Any, live_server_url: str, world: World, transactional_db: Any, size: str
) -> None:
    customer = make_customer(
        world.a,
        phones=["+12125550142"],
        interests=[("stone", "Sapphire" + "b" * 52)],
        consents=[ConsentGrant(channel="whatsapp", purpose="service")],
    )
    with scope(store=world.a):
        note_create(store=world.a, actor=world.a_owner.user, customer=customer, body=WORD)
        inbound, _created = message_receive(
            store=world.a,
            channel="whatsapp",
            from_address="+12125550142",
            body=WORD,
            provider="sandbox",
            provider_id="W1",
        )
        conversation = inbound.conversation
        message_send(store=world.a, actor=world.a_owner.user, conversation=conversation, body=WORD)
        note_add(store=world.a, actor=world.a_owner.user, conversation=conversation, body="@Ali " + WORD)
    context = browser.new_context(viewport=PHONE if size == "phone" else DESKTOP, base_url=live_server_url)
    page = context.new_page()
    log_in(page, live_server_url, world.a_owner)
    for path, name in (
        ("/inbox/sandbox/", "sandbox"),
        (f"/inbox/{conversation.pk}/", "conversation"),
        ("/inbox/?view=all", "list"),
        (f"/customers/{customer.pk}/", "customer"),
    ):
        page.goto(path)
        page.wait_for_load_state("load")
        assert_no_horizontal_scroll(page)
        widest = page.evaluate(
            "() => Math.max(...[...document.querySelectorAll('body *')].map(e => e.getBoundingClientRect().right))"
        )
        assert widest <= page.viewport_size["width"] + 1, f"{path}: something reaches {widest}px"
        if name in ("sandbox", "conversation"):
            screenshot(page, f"long-word-{name}-{size}")
    context.close()
