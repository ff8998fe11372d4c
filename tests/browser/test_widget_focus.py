"""The web-chat widget's focus, its thread after a reload, and its contact form on a desk, in Chromium.

Found in a new user's trial: on a phone, Tab after Send left the full-screen chat for the page behind it;
after a reload the newest message could sit under the message box while photos loaded; on a 1280×800 desk
a refused photo's preview or a long draft pushed the contact form's fields and consent box out of view.
"""

from __future__ import annotations

import time
from typing import Any

import pytest
from django_scopes import scope, scopes_disabled
from playwright.sync_api import expect

from tests.browser import test_widget
from tests.browser.conftest import DESKTOP, PHONE
from tests.browser.test_widget import (
    a_png,
    contact_form_hidden_parts,
    in_view,
    open_a_minute_a_day,
    shot,
    staff_reply,
    visitor_page,
    visitors_chats,
)
from trunkshow.stores.models import Store

demo = test_widget.demo  # fixture: the demo store, always open, its sample website allowed
WIDGET = "document.querySelector('[data-trunkshow-chat]').shadowRoot"
# Where the focus is: "panel: <what>" inside the chat's panel, "launcher", or "page: <tag>" outside the widget.
FOCUS = f"""() => {{
  const a = document.activeElement;
  if (!a || !a.matches('[data-trunkshow-chat]')) return 'page: ' + (a ? a.tagName : 'none');
  const s = {WIDGET}.activeElement;
  if (!s) return 'widget host';
  if (s.matches('.launch')) return 'launcher';
  const name = s.id || s.getAttribute('aria-label') || s.textContent.trim();
  return (s.closest('.panel') ? 'panel: ' : 'widget: ') + name;
}}"""


def chat_with_a_message(browser: Any, live_server_url: str, phone: bool) -> tuple[Any, Any]:
    """The sample website on a phone or a desk, its chat open after a first message: the page and the dialog."""
    page = visitor_page(browser, live_server_url, PHONE if phone else DESKTOP, phone)
    page.goto("/demo-site/")
    page.get_by_role("button", name="Chat with us").click()
    page.get_by_label("Message", exact=True).fill("Do you resize rings?")
    page.keyboard.press("Enter")
    page.get_by_role("log", name="Messages").get_by_text("Do you resize rings?").wait_for()
    page.get_by_role("button", name="Add my details").wait_for()
    return page, page.get_by_role("dialog", name="Maison Demo Jewelers")


def test_on_a_phone_tab_and_shift_tab_go_round_inside_the_full_screen_chat(
    browser: Any, live_server_url: str, demo: Store
) -> None:
    page, dialog = chat_with_a_message(browser, live_server_url, phone=True)
    assert dialog.get_attribute("aria-modal") == "true"

    send = page.get_by_role("button", name="Send")
    send.focus()
    page.keyboard.press("Tab")
    assert page.evaluate(FOCUS) == "panel: Close chat"  # round to the first, never the page behind
    page.keyboard.press("Shift+Tab")
    assert page.evaluate(FOCUS) == "panel: Send"
    shot(page, "widget-focus-trap-phone")
    # All the way round both ways, every stop is inside the panel.
    forward = []
    for _ in range(12):
        page.keyboard.press("Tab")
        forward.append(page.evaluate(FOCUS))
    assert all(stop.startswith("panel: ") for stop in forward), forward
    assert forward[:3] == ["panel: Close chat", "panel: Opening hours", "panel: Messages"]
    assert "panel: Add my details" in forward and "panel: Send" in forward
    for _ in range(12):
        page.keyboard.press("Shift+Tab")
        assert page.evaluate(FOCUS).startswith("panel: ")

    # A closed store's form, a photo waiting: every field and button is still on the way round.
    page.get_by_role("button", name="Add my details").click()
    page.locator("[data-trunkshow-chat] input[type=file]").set_input_files(
        [{"name": "ring.png", "mimeType": "image/png", "buffer": a_png()}]
    )
    send.focus()
    stops = []
    for _ in range(16):
        page.keyboard.press("Tab")
        stops.append(page.evaluate(FOCUS))
    assert all(stop.startswith("panel: ") for stop in stops), stops
    for stop in ("ts-name", "ts-phone", "ts-email", "ts-consent", "Save my details", "Remove ring.png", "Send"):
        assert f"panel: {stop}" in stops, (stop, stops)

    # Escape still closes and gives the focus back to the chat button.
    page.keyboard.press("Escape")
    expect(dialog).to_be_hidden()
    assert page.evaluate(FOCUS) == "launcher"
    page.context.close()


def test_on_a_desk_the_chat_is_a_non_modal_popover_the_focus_may_leave(
    browser: Any, live_server_url: str, demo: Store
) -> None:
    """Decided in ADR 0009: beside a usable page, the panel is a non-modal dialog; Tab goes on to the page."""
    page, dialog = chat_with_a_message(browser, live_server_url, phone=False)
    assert dialog.get_attribute("aria-modal") is None
    # Open, the panel takes the button's place: its × and Escape close it.
    expect(page.locator("[data-trunkshow-chat] .launch")).to_be_hidden()
    page.get_by_role("button", name="Send").focus()
    page.keyboard.press("Tab")
    assert not page.evaluate(FOCUS).startswith("panel: ")
    page.keyboard.press("Shift+Tab")
    assert page.evaluate(FOCUS) == "panel: Send"
    page.keyboard.press("Escape")
    expect(dialog).to_be_hidden()
    assert page.evaluate(FOCUS) == "launcher"

    # A window narrowed to a phone's width makes it the full-screen modal dialog, and back.
    page.get_by_role("button", name="Chat with us").click()
    page.set_viewport_size(PHONE)
    expect(dialog).to_have_attribute("aria-modal", "true")
    page.set_viewport_size(DESKTOP)
    expect(dialog).not_to_have_attribute("aria-modal", "true")
    page.context.close()


def newest_in_view(page: Any) -> dict[str, Any]:
    """Whether the newest message's end shows above the message box, the thread scrolled to its end."""
    return dict(
        page.evaluate(
            f"""() => {{
          const root = {WIDGET}, log = root.querySelector('.log');
          const view = log.getBoundingClientRect(), newest = root.querySelector('.msgs li:last-child').getBoundingClientRect();
          const composer = root.querySelector('.composer').getBoundingClientRect();
          return {{ end_shown: newest.bottom > view.top && newest.bottom <= view.bottom + 0.5 && view.bottom <= composer.top + 0.5,
                   at_end: log.scrollTop >= log.scrollHeight - log.clientHeight - 1,
                   photos_loaded: [...root.querySelectorAll('.pic img')].every(i => i.complete && i.naturalWidth > 0) }};
        }}"""
        )
    )


@pytest.mark.parametrize("size", ["phone", "desktop"])
def test_after_a_reload_the_thread_opens_at_its_newest_message_while_photos_load(
    browser: Any, live_server_url: str, demo: Store, size: str
) -> None:
    page = visitor_page(browser, live_server_url, PHONE if size == "phone" else DESKTOP, size == "phone")
    page.goto("/demo-site/")
    page.get_by_role("button", name="Chat with us").click()
    box = page.get_by_label("Message", exact=True)
    log = page.get_by_role("log", name="Messages")
    for text in ("Do you resize rings?", "And engrave them?", "Here is mine:"):
        box.fill(text)
        box.press("Enter")
        log.get_by_text(text).wait_for()
    page.locator("[data-trunkshow-chat] input[type=file]").set_input_files(
        [{"name": "ring.png", "mimeType": "image/png", "buffer": a_png()}]
    )
    page.get_by_role("button", name="Send").click()
    expect(log.locator("li.me .pic")).to_have_count(1)

    def slowly(route: Any) -> None:  # photos and the config arrive after the thread was first scrolled
        time.sleep(0.6)
        route.continue_()

    page.route("**/photos/**", slowly)
    page.route("**/config", slowly)

    def reopened(moment: str) -> None:
        page.reload()
        page.get_by_role("button", name="Chat with us").click()
        expect(log.locator(".pic")).to_have_count(1)
        page.wait_for_function(
            f"() => [...{WIDGET}.querySelectorAll('.pic img')].every(i => i.complete && i.naturalWidth > 0)"
        )
        page.get_by_text("We usually reply within").wait_for()
        page.wait_for_timeout(200)
        state = newest_in_view(page)
        assert state == {"end_shown": True, "at_end": True, "photos_loaded": True}, (moment, state)

    reopened("a photo last")
    shot(page, f"widget-reload-photo-last-{size}")
    with scope(store=demo):
        conversation = visitors_chats().get()
    long_reply = "\n".join(f"Line {n}: we resize and engrave every ring in our own workshop." for n in range(10))
    staff_reply(browser, live_server_url, conversation.pk, long_reply)
    log.get_by_text("Line 9: we resize").wait_for()
    reopened("a long text last")
    shot(page, f"widget-reload-long-text-last-{size}")
    page.context.close()


TYPED = "Could you tell me whether this ring comes in a size 6 and in yellow gold, and how long a resize takes?"


@pytest.mark.parametrize("locale", ["en-US", "fr-FR", "de-DE"])
def test_on_a_desk_the_contact_form_shows_whole_beside_a_refused_photo_and_a_long_draft(
    browser: Any, live_server_url: str, demo: Store, locale: str
) -> None:
    """Found by a new user: on a 1280×800 desk, a refused photo's preview (or a long draft) cut the phone and
    email fields off and put the consent box out of view."""
    with scopes_disabled():  # closed all day: the contact form shows at once
        Store.objects.filter(pk=demo.pk).update(opening_hours=open_a_minute_a_day()[0])
    context = browser.new_context(viewport=DESKTOP, base_url=live_server_url, locale=locale)
    page = context.new_page()
    page.set_default_timeout(10_000)
    page.goto("/demo-site/")
    page.locator("[data-trunkshow-chat] .launch").click()
    page.locator("[data-trunkshow-chat] #ts-name").wait_for()
    expect(page.locator("[data-trunkshow-chat] .status")).not_to_be_empty()  # the config has come
    box = page.locator("[data-trunkshow-chat] textarea")
    save = page.locator("[data-trunkshow-chat] .identify button[type=submit]").inner_text()

    page.locator("[data-trunkshow-chat] input[type=file]").set_input_files(
        [
            {"name": "ring-in-the-window.png", "mimeType": "image/png", "buffer": a_png()},
            {"name": "notes.pdf", "mimeType": "application/pdf", "buffer": b"%PDF-1.4"},
        ]
    )
    expect(page.get_by_role("alert")).to_contain_text("notes.pdf")
    box.focus()
    page.wait_for_timeout(100)
    assert contact_form_hidden_parts(page) == [], "with a refused photo's preview"
    shot(page, f"widget-form-preview-desktop-{locale}")

    page.locator("[data-trunkshow-chat] .tray .rm").click()  # the preview goes; a long draft instead
    box.focus()
    page.keyboard.type(TYPED)
    assert box.evaluate("e => e.offsetHeight") > 100  # grown to its tallest
    assert contact_form_hidden_parts(page) == [], "with a long draft"

    # Both at once: while the visitor writes, the form's fields scroll inside it; the moment the form has the
    # focus, the draft folds to a line and the whole form shows.
    page.locator("[data-trunkshow-chat] input[type=file]").set_input_files(
        [
            {"name": "ring-in-the-window.png", "mimeType": "image/png", "buffer": a_png()},
            {"name": "notes.pdf", "mimeType": "application/pdf", "buffer": b"%PDF-1.4"},
        ]
    )
    expect(page.get_by_role("alert")).to_contain_text("notes.pdf")
    page.locator("[data-trunkshow-chat] #ts-name").focus()
    page.wait_for_timeout(100)
    assert contact_form_hidden_parts(page) == [], "the form focused, with a draft, a refused photo and its preview"
    assert in_view(page, save) and in_view(page, page.locator("[data-trunkshow-chat] .send").inner_text())
    page.keyboard.press("Tab")
    page.keyboard.press("Tab")
    page.keyboard.press("Tab")
    assert page.evaluate(FOCUS) == "panel: ts-consent"
    assert contact_form_hidden_parts(page) == []
    shot(page, f"widget-form-draft-photo-desktop-{locale}")
    box.focus()  # back in the message box, the draft is whole again
    assert box.evaluate("e => e.offsetHeight") > 100 and box.input_value() == TYPED
    log_box = page.get_by_role("log").bounding_box()
    assert log_box is not None and log_box["height"] >= 199
    context.close()
