"""The web-chat widget in Chromium, on the demo's sample store website.

A visitor opens the chat and writes; an associate replies through the server's reply endpoint
(the inbox page is not built yet); the visitor sees the reply live, as text, and finds the
conversation again after a reload. Screenshots go to /tmp/widget-shots/ for a person to look at.
"""

from __future__ import annotations

import datetime as dt
import gzip
import io
import itertools
import json
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from django_scopes import scope, scopes_disabled
from playwright.sync_api import expect

from tests.browser.conftest import (
    DESKTOP,
    PHONE,
    assert_accessible,
    assert_no_horizontal_scroll,
    clear_of_midnight,
    staff_request_context,
)
from trunkshow.demo import WEBCHAT_VISITOR, demo_load, demo_site_allow
from trunkshow.messaging.models import Conversation, Message
from trunkshow.stores.models import Store, User

SHOTS = Path("/tmp/widget-shots")
XSS = "<img src=x onerror=alert(1)>"
ALWAYS: dict[str, Any] = {}  # a store without opening hours is always open
WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")


def open_a_minute_a_day(zone: str = "America/New_York") -> tuple[dict[str, Any], str]:
    """Opening hours of one minute a day, at least six hours away from now in the store's zone: the
    store is closed all through a test, whenever it runs (open at 00:00–00:01, it was open for the
    first minute of every day). 05:00 or 17:00, never in an hour a daylight-saving change skips.
    Returns the week and its minute ("05:00")."""
    minute = "05:00" if 11 <= dt.datetime.now(ZoneInfo(zone)).hour < 23 else "17:00"
    return {day: [[minute, minute[:3] + "01"]] for day in WEEKDAYS}, minute


@pytest.fixture
def demo(live_server_url: str, transactional_db: Any) -> Store:
    demo_load(owner_password="demo owner password 1", customers=0)
    demo_site_allow(origin=live_server_url)
    with scopes_disabled():
        Store.objects.filter(slug="demo").update(opening_hours=ALWAYS)
        return Store.objects.get(slug="demo")


def visitors_chats() -> Any:
    """The web-chat conversations of this test's visitors (the demo's inbox holds one of its own)."""
    return Conversation.objects.filter(channel="webchat").exclude(customer__emails__address=WEBCHAT_VISITOR[2])


def shot(page: Any, name: str) -> None:
    SHOTS.mkdir(exist_ok=True)
    page.screenshot(path=str(SHOTS / f"{name}.png"))


def staff_reply(browser: Any, base_url: str, conversation_id: int, body: str) -> None:
    """Sofía answers through the server's reply endpoint, with her session and the CSRF token."""
    with scopes_disabled():
        user = User.objects.get(email="sofia@example.com")
    context = staff_request_context(browser, base_url, user)
    response = context.request.post(
        f"/inbox/{conversation_id}/reply/",
        data=json.dumps({"body": body}),
        headers={"Content-Type": "application/json", "X-CSRFToken": "k" * 32},
    )
    assert response.status == 201, response.text()
    context.close()


def visitor_page(browser: Any, base_url: str, viewport: dict[str, int], phone: bool) -> Any:
    extra = {"is_mobile": True, "has_touch": True, "device_scale_factor": 2} if phone else {}
    context = browser.new_context(viewport=viewport, base_url=base_url, **extra)
    page = context.new_page()
    page.set_default_timeout(10_000)
    page.on("dialog", lambda dialog: pytest.fail(f"a script ran: {dialog.message}"))
    return page


def phone_chat_started(browser: Any, base_url: str, first_message: str) -> Any:
    """A visitor on a phone opens the chat on the sample site and sends a first message."""
    page = visitor_page(browser, base_url, PHONE, True)
    page.goto("/demo-site/")
    page.get_by_role("button", name="Chat with us").click()
    page.get_by_label("Message", exact=True).fill(first_message)
    page.keyboard.press("Enter")
    page.get_by_role("log", name="Messages").get_by_text(first_message).wait_for()
    return page


@pytest.mark.parametrize("size", ["desktop", "phone"])
def test_a_visitor_chats_and_sees_the_staff_reply_live_as_text(
    browser: Any, live_server_url: str, demo: Store, size: str
) -> None:
    phone = size == "phone"
    page = visitor_page(browser, live_server_url, PHONE if phone else DESKTOP, phone)
    sockets: list[str] = []
    api_calls: list[str] = []
    scripts: dict[str, bytes] = {}
    page.on("websocket", lambda ws: sockets.append(ws.url))
    page.on("request", lambda r: api_calls.append(r.url) if "/widget/api/" in r.url else None)
    page.on("response", lambda r: scripts.__setitem__(r.url, r.body()) if r.request.resource_type == "script" else None)

    page.goto("/demo-site/")
    launcher = page.get_by_role("button", name="Chat with us")
    launcher.wait_for()
    page.wait_for_timeout(300)
    assert sockets == [] and api_calls == []  # nothing until the visitor opens the chat
    # The host page's hostile styles (red Impact buttons) do not reach into the widget.
    assert launcher.evaluate("b => getComputedStyle(b).fontFamily").startswith("system-ui")

    launcher.click()
    dialog = page.get_by_role("dialog", name="Maison Demo Jewelers")
    dialog.wait_for()
    message_box = page.get_by_label("Message", exact=True)
    assert message_box.evaluate("el => el === el.getRootNode().activeElement")
    assert "We usually reply within 5 minutes while we are open." in dialog.inner_text()
    message_box.fill("Do you resize rings? " + XSS)
    message_box.press("Enter")
    log = page.get_by_role("log", name="Messages")
    log.get_by_text("Do you resize rings? " + XSS).wait_for()
    script_gz = sum(len(gzip.compress(body, 9)) for body in scripts.values())
    print(f"\nJavaScript loaded before the first message ({size}): {len(scripts)} file(s), {script_gz:,} bytes gzipped")
    assert script_gz <= 40 * 1024

    page.get_by_text("so we can answer even if you leave this page").wait_for()
    with scope(store=demo):
        conversation = visitors_chats().get()
        assert conversation.customer_id is None
    page.wait_for_function("() => performance.getEntriesByType('resource').length >= 0")
    page.wait_for_timeout(300)
    assert [url for url in sockets if "/ws/widget/demo/" in url]

    staff_reply(browser, live_server_url, conversation.pk, XSS)
    log.get_by_text(XSS, exact=True).wait_for()  # live, without a reload
    assert log.locator("img").count() == 0  # the reply is text: no image in the thread
    assert_no_horizontal_scroll(page)
    shot(page, f"widget-open-{size}")
    assert_accessible(page)

    # The visitor leaves their details (a new, unverified contact) with consent.
    page.get_by_role("button", name="Add my details").click()
    assert page.get_by_label("Your name", exact=True).evaluate("el => el === el.getRootNode().activeElement")
    page.get_by_label("Your name", exact=True).fill("Nora Visitor")
    page.get_by_label("Email", exact=True).fill("nora@example.com")
    page.get_by_role("checkbox").check()
    page.get_by_role("button", name="Save my details").click()
    page.get_by_text("Thank you, Nora.").wait_for()
    shot(page, f"widget-identified-{size}")

    page.keyboard.press("Escape")
    dialog.wait_for(state="hidden")
    assert launcher.evaluate("el => el === el.getRootNode().activeElement")
    shot(page, f"widget-closed-{size}")

    # Across page loads: same conversation, connected at once because one is going.
    page.reload()
    launcher.wait_for()
    page.wait_for_timeout(500)
    assert len([url for url in sockets if "/ws/widget/demo/" in url]) >= 2
    launcher.click()
    log.get_by_text(XSS, exact=True).wait_for()
    assert log.get_by_role("listitem").count() == 2
    staff_reply(browser, live_server_url, conversation.pk, "See you Saturday, Nora.")
    log.get_by_text("See you Saturday, Nora.").wait_for()
    with scope(store=demo):
        assert visitors_chats().count() == 1
        assert Message.objects.filter(direction="in", conversation__in=visitors_chats()).count() == 1
        assert visitors_chats().get().customer.first_name == "Nora"
    page.context.close()


def test_the_sample_website_loads_without_a_failed_request(browser: Any, live_server_url: str, demo: Store) -> None:
    """Found by a new user: the page had no icon, so the browser asked /favicon.ico and logged a 404."""
    page = visitor_page(browser, live_server_url, DESKTOP, False)
    problems: list[str] = []
    page.on("console", lambda m: problems.append(m.text) if m.type == "error" else None)
    page.on("requestfailed", lambda r: problems.append(f"{r.url} {r.failure}"))
    page.on("response", lambda r: problems.append(f"{r.url} {r.status}") if r.status >= 400 else None)
    page.goto("/demo-site/")
    page.get_by_role("button", name="Chat with us").click()
    page.get_by_role("dialog", name="Maison Demo Jewelers").wait_for()
    page.wait_for_load_state("networkidle")
    assert problems == []
    icon = page.locator('link[rel="icon"]').get_attribute("href", timeout=1000)
    assert icon is not None and icon.startswith("data:image/svg+xml,")
    page.context.close()


@pytest.mark.parametrize("size", ["desktop", "phone"])
def test_the_open_chat_adds_no_second_banner_landmark_to_the_store_website(
    browser: Any, live_server_url: str, demo: Store, size: str
) -> None:
    """Found by a new user: the panel's title bar was a <header>, so on a store website with its own
    header a screen reader listed two banners, one of them the chat's (axe: landmark-no-duplicate-banner)."""
    from axe_playwright_python.sync_playwright import Axe

    phone = size == "phone"
    page = visitor_page(browser, live_server_url, PHONE if phone else DESKTOP, phone)
    page.goto("/demo-site/")
    assert page.get_by_role("banner").count() == 1  # the store's own header
    page.get_by_role("button", name="Chat with us").click()
    page.get_by_role("dialog", name="Maison Demo Jewelers").wait_for()
    assert page.get_by_role("banner").count() == 1
    violations = [v["id"] for v in Axe().run(page).response["violations"]]
    assert [v for v in violations if v.startswith("landmark")] == []
    page.context.close()


def test_a_closed_store_asks_for_name_and_contact_at_once(browser: Any, live_server_url: str, demo: Store) -> None:
    # Open one minute a day (New York time), far from now: closed now, opening later today or tomorrow.
    now = clear_of_midnight("America/New_York")
    week, minute = open_a_minute_a_day()
    day = "today" if f"{now:%H:%M}" < minute else "tomorrow"
    with scopes_disabled():
        Store.objects.filter(pk=demo.pk).update(opening_hours=week)
    page = visitor_page(browser, live_server_url, PHONE, True)
    page.goto("/demo-site/")
    page.get_by_role("button", name="Chat with us").click()
    page.get_by_text("Nobody can answer right now.").wait_for()
    # Twelve-hour time, as the demo's New York store writes it everywhere else.
    noon = "AM" if minute == "05:00" else "PM"
    assert (
        f"We are closed now; we open {day} at 5:00\u202f{noon} (New York time)."
        in page.get_by_role("dialog").inner_text()
    )
    page.get_by_text("Opening hours").click()
    assert page.locator(".hours li span").nth(1).inner_text() == f"5:00\u2009–\u20095:01\u202f{noon}"  # Monday
    page.get_by_label("Your name", exact=True).fill("Sam Late")
    page.get_by_label("Phone", exact=True).fill("(212) 555-0177")
    page.get_by_role("checkbox").check()
    page.get_by_label("Message", exact=True).fill("Can I pick up my ring Monday?")
    shot(page, "widget-closed-store-phone")
    assert_accessible(page)
    page.get_by_role("button", name="Send").click()
    page.get_by_text("Thank you, Sam.").wait_for()
    with scope(store=demo):
        customer = visitors_chats().get().customer
        assert (customer.first_name, customer.last_name) == ("Sam", "Late")
        assert list(customer.phones.values_list("e164", flat=True)) == ["+12125550177"]
        event = customer.consent_events.get()
        assert (event.channel, event.method, event.evidence_url) == ("sms", "form", f"{live_server_url}/demo-site/")
    page.context.close()


def in_view(page: Any, name: str) -> bool:
    """The widget's button is on screen, inside the panel, and nothing covers its middle."""
    return bool(
        page.evaluate(
            """name => {
          const root = document.querySelector('[data-trunkshow-chat]').shadowRoot;
          const button = [...root.querySelectorAll('.panel button')].find(b => b.textContent.trim() === name);
          const r = button.getBoundingClientRect(), panel = root.querySelector('.panel').getBoundingClientRect();
          const inside = r.height > 0 && r.top >= panel.top && r.bottom <= panel.bottom && r.bottom <= innerHeight;
          return inside && root.elementFromPoint(r.left + r.width / 2, r.top + r.height / 2) === button;
        }""",
            name,
        )
    )


def contact_form_hidden_parts(page: Any) -> list[str]:
    """The contact form's fields and checkbox a visitor would have to scroll to: outside the panel or
    the form's own view, or covered. Empty when the whole form shows at once."""
    return list(
        page.evaluate(
            """() => {
          const root = document.querySelector('[data-trunkshow-chat]').shadowRoot;
          const body = root.querySelector('.id-body'), panel = root.querySelector('.panel').getBoundingClientRect();
          const view = body.getBoundingClientRect();
          const hidden = ['#ts-name', '#ts-phone', '#ts-email', '#ts-consent'].filter(id => {
            const e = root.querySelector(id), r = e.getBoundingClientRect();
            const inside = r.height > 0 && r.top >= view.top && r.bottom <= view.bottom && r.bottom <= panel.bottom;
            return !inside || root.elementFromPoint(r.left + r.width / 2, r.top + r.height * 0.75) !== e;
          });
          if (body.scrollHeight > body.clientHeight + 1) hidden.push('the form scrolls by ' + (body.scrollHeight - body.clientHeight) + ' px');
          return hidden;
        }"""
        )
    )


def closed_store_chat(browser: Any, live_server_url: str, demo: Store, size: str) -> Any:
    """The sample website of a store closed all week, its chat opened: the contact form shows at once."""
    with scopes_disabled():
        Store.objects.filter(pk=demo.pk).update(opening_hours=open_a_minute_a_day()[0])
    phone = size == "phone"
    page = visitor_page(browser, live_server_url, PHONE if phone else DESKTOP, phone)
    page.goto("/demo-site/")
    page.get_by_role("button", name="Chat with us").click()
    page.get_by_text("Nobody can answer right now.").wait_for()
    return page


@pytest.mark.parametrize("size", ["desktop", "phone"])
def test_a_closed_store_keeps_the_thread_readable_and_the_contact_buttons_in_view(
    browser: Any, live_server_url: str, demo: Store, size: str
) -> None:
    """Found by a new user: on a desk, the closed store's contact form squeezed the thread to a
    sliver (about 22-40 px) and pushed its buttons out of the panel."""
    page = closed_store_chat(browser, live_server_url, demo, size)
    log = page.get_by_role("log", name="Messages")

    def assert_laid_out(moment: str) -> None:
        log_box = log.bounding_box()
        assert log_box is not None and log_box["height"] >= 170, f"{moment}: the thread is {log_box} high"
        for button in ("Save my details", "Not now", "Send"):
            assert in_view(page, button), f"{moment}: {button!r} is out of view"

    assert_laid_out("opened")
    # Found by a new user: on a desk, the email field and the consent box were below the form's fold.
    assert contact_form_hidden_parts(page) == []
    shot(page, f"widget-closed-store-form-{size}")
    # The compact form keeps a visible label on every field and the reading order for the keyboard.
    page.get_by_label("Your name", exact=True).focus()
    order = []
    for _ in range(5):
        page.keyboard.press("Tab")
        order.append(
            page.evaluate(
                "() => { const a = document.querySelector('[data-trunkshow-chat]').shadowRoot.activeElement; return a.id || a.textContent; }"
            )
        )
    assert order == ["ts-phone", "ts-email", "ts-consent", "Save my details", "Not now"]
    for label in ("Your name", "Phone", "Email"):
        assert page.get_by_label(label, exact=True).is_visible()
    page.get_by_label("Message", exact=True).fill("Can I pick up my ring Monday?")
    page.keyboard.press("Enter")
    log.get_by_text("is closed now").wait_for()
    assert_laid_out("after the first message")
    assert contact_form_hidden_parts(page) == []
    # A field scrolled out of the form's view comes back into it when it takes the focus.
    page.get_by_role("checkbox").focus()
    assert page.get_by_role("checkbox").evaluate(
        "el => { const r = el.getBoundingClientRect(); return el.getRootNode().elementFromPoint(r.left + 11, r.top + 11) === el; }"
    )
    shot(page, f"widget-closed-store-sent-{size}")
    page.context.close()


def a_png() -> bytes:
    from PIL import Image

    out = io.BytesIO()
    Image.new("RGB", (300, 200), (192, 138, 43)).save(out, "PNG")
    return out.getvalue()


@pytest.mark.parametrize("size", ["desktop", "phone"])
def test_a_photo_an_error_and_the_contact_form_at_once_keep_the_thread_readable_and_send_in_reach(
    browser: Any, live_server_url: str, demo: Store, size: str
) -> None:
    """Found on a phone: with a photo waiting, an error and the contact form showing at once, the thread
    shrank to a strip with the store's answer cut off, and on a desk it did the same."""
    page = closed_store_chat(browser, live_server_url, demo, size)
    page.get_by_label("Message", exact=True).fill("Hello! Do you have this ring in a size 6?")
    page.keyboard.press("Enter")
    log = page.get_by_role("log", name="Messages")
    log.get_by_text("is closed now").wait_for()
    page.locator("[data-trunkshow-chat] input[type=file]").set_input_files(
        [
            {"name": "ring-in-the-window.png", "mimeType": "image/png", "buffer": a_png()},
            {"name": "notes.pdf", "mimeType": "application/pdf", "buffer": b"%PDF-1.4"},
        ]
    )
    expect(page.get_by_role("alert")).to_have_text("“notes.pdf” is not a photo.")
    expect(page.get_by_role("list", name="Photos to send").get_by_role("listitem")).to_have_count(1)
    page.wait_for_timeout(100)  # the thread keeps to its end after the panel's change

    layout = page.evaluate(
        """() => {
          const root = document.querySelector('[data-trunkshow-chat]').shadowRoot;
          const box = sel => { const r = root.querySelector(sel).getBoundingClientRect(); return [r.top, r.bottom]; };
          const newest = root.querySelector('.msgs li:last-child').getBoundingClientRect();
          return { parts: ['.log', '.identify', '.error', '.tray', '.composer'].map(box), panel: box('.panel'),
                   newest: [newest.top, newest.bottom] };
        }"""
    )
    parts, (panel_top, panel_bottom) = layout["parts"], layout["panel"]
    # One above the other in that order, none covering the next, all inside the panel.
    for (_top, bottom), (next_top, _bottom) in itertools.pairwise(parts):
        assert bottom <= next_top + 0.5, layout
    assert panel_top <= parts[0][0] and parts[-1][1] <= panel_bottom + 0.5, layout
    (log_top, log_bottom), (newest_top, newest_bottom) = parts[0], layout["newest"]
    # The thread keeps room for a reply of a few lines, and shows the store's answer whole.
    assert log_bottom - log_top >= 199, layout
    assert log_top <= newest_top and newest_bottom <= log_bottom + 0.5, layout
    for button in ("Save my details", "Not now", "Send"):
        assert in_view(page, button), f"{button!r} is out of view"
    assert_no_horizontal_scroll(page)
    shot(page, f"widget-photo-error-form-{size}")
    page.context.close()


def test_without_a_websocket_the_widget_falls_back_to_polling(browser: Any, live_server_url: str, demo: Store) -> None:
    """As when the channel layer (Redis) is down: every socket is refused, replies still arrive."""
    page = visitor_page(browser, live_server_url, DESKTOP, False)
    page.route_web_socket("**/ws/widget/**", lambda ws: ws.close(code=1011))
    page.goto("/demo-site/")
    page.get_by_role("button", name="Chat with us").click()
    page.get_by_label("Message", exact=True).fill("Is anyone there?")
    page.keyboard.press("Enter")
    log = page.get_by_role("log", name="Messages")
    log.get_by_text("Is anyone there?").wait_for()
    page.get_by_text("Reconnecting…").wait_for()
    with scope(store=demo):
        conversation = visitors_chats().get()
    staff_reply(browser, live_server_url, conversation.pk, "Yes, Sofía here.")
    log.get_by_text("Yes, Sofía here.").wait_for(timeout=20_000)
    assert log.get_by_role("listitem").count() == 2
    page.context.close()


@pytest.mark.parametrize("size", ["desktop", "phone"])
def test_the_owner_sets_up_the_chat_on_the_settings_page(
    browser: Any, live_server_url: str, transactional_db: Any, world: Any, size: str
) -> None:
    from tests.browser.conftest import log_in

    phone = size == "phone"
    page = visitor_page(browser, live_server_url, PHONE if phone else DESKTOP, phone)
    log_in(page, live_server_url, world.a_owner)
    page.goto("/settings/")
    page.get_by_role("link", name="Chat on your website").click()
    page.get_by_role("heading", name="Chat on your website").wait_for()
    assert f'<script src="{live_server_url}/widget/atelier.js" async></script>' in page.locator("pre").inner_text()
    page.get_by_label("Websites allowed to show the chat").fill(
        "https://www.atelier-ana.example\nhttp://atelier-ana.example"
    )
    page.get_by_label("Expected reply time").fill("We reply within the hour.")
    page.get_by_role("button", name="Save chat settings").click()
    page.get_by_text("a public website must use https://").first.wait_for()
    assert page.get_by_label("Expected reply time").input_value() == "We reply within the hour."
    assert_no_horizontal_scroll(page)
    shot(page, f"chat-settings-error-{size}")
    assert_accessible(page)
    page.get_by_label("Websites allowed to show the chat").fill("https://www.atelier-ana.example")
    page.get_by_role("button", name="Save chat settings").click()
    page.get_by_text("The chat settings are saved.").wait_for()
    shot(page, f"chat-settings-{size}")
    with scope(store=world.a):
        from trunkshow.messaging.models import WebchatSettings

        row = WebchatSettings.objects.get()
        assert (row.allowed_origins, row.reply_time_text) == (
            ["https://www.atelier-ana.example"],
            "We reply within the hour.",
        )
    page.context.close()


def launcher_name(page: Any) -> str:
    return str(
        page.evaluate(
            "() => document.querySelector('[data-trunkshow-chat]').shadowRoot.querySelector('.launch')"
            ".getAttribute('aria-label') || 'Chat with us'"
        )
    )


def test_a_reply_read_in_the_open_chat_is_not_new_again_after_a_reload(
    browser: Any, live_server_url: str, demo: Store
) -> None:
    """Found by a new user: after reading the reply, closing the chat and reloading, the button said
    "Chat with us, 1 new message" again (the history replayed on load counted every staff message)."""
    page = phone_chat_started(browser, live_server_url, "Do you resize rings?")
    launcher = page.get_by_role("button", name="Chat with us")
    log = page.get_by_role("log", name="Messages")
    with scope(store=demo):
        conversation = visitors_chats().get()
    staff_reply(browser, live_server_url, conversation.pk, "Yes, bring it in any day.")
    log.get_by_text("Yes, bring it in any day.").wait_for()  # read in the open chat
    page.keyboard.press("Escape")
    assert launcher_name(page) == "Chat with us"

    def reloaded() -> None:
        with page.expect_response(lambda r: "/messages?after=0" in r.url):
            page.reload()
        page.wait_for_timeout(300)

    reloaded()
    assert launcher_name(page) == "Chat with us"
    badge = page.locator("[data-trunkshow-chat] .badge")
    assert badge.is_hidden()

    # A reply that arrives with the chat closed is new, and stays new across a reload until it is read.
    staff_reply(browser, live_server_url, conversation.pk, "We are open until 6 today.")
    page.wait_for_function(
        "() => document.querySelector('[data-trunkshow-chat]').shadowRoot.querySelector('.launch')"
        ".getAttribute('aria-label') === 'Chat with us, 1 new message'"
    )
    assert badge.inner_text() == "1"
    shot(page, "widget-one-new-phone")
    reloaded()
    assert launcher_name(page) == "Chat with us, 1 new message"
    launcher.click()
    log.get_by_text("We are open until 6 today.").wait_for()
    page.keyboard.press("Escape")
    reloaded()
    assert launcher_name(page) == "Chat with us"
    page.context.close()


@pytest.mark.parametrize("size", ["desktop", "phone"])
def test_details_left_without_consent_say_so_and_the_box_can_still_be_ticked(
    browser: Any, live_server_url: str, demo: Store, size: str
) -> None:
    """Found by a new user: with the consent box unticked, the chat said "We will reply here while this page
    is open." and the form went, so the visitor could not go back and tick it."""
    page = visitor_page(browser, live_server_url, DESKTOP if size == "desktop" else PHONE, size == "phone")
    page.goto("/demo-site/")
    page.get_by_role("button", name="Chat with us").click()
    page.get_by_label("Message", exact=True).fill("Is the pearl pendant still available?")
    page.keyboard.press("Enter")
    page.get_by_role("button", name="Add my details").click()
    page.get_by_label("Your name", exact=True).fill("Priya Shah")
    page.get_by_label("Phone", exact=True).fill("(212) 555-0143")
    page.get_by_label("Email", exact=True).fill("priya@example.com")
    box = page.get_by_role("checkbox")
    shown = page.locator("[data-trunkshow-chat]").locator("#ts-consent-label").inner_text()
    assert not box.is_checked()
    page.get_by_role("button", name="Save my details").click()
    thanks = page.get_by_role("dialog").get_by_role("status")
    page.get_by_text("Thank you, Priya.").wait_for()
    assert thanks.inner_text() == "Thank you, Priya. We can only answer you here, while this page is open."
    with scope(store=demo):
        customer = visitors_chats().get().customer
        assert customer.consent_events.count() == 0
    again = page.get_by_role("button", name="Also let the store answer me after I leave")
    expect(again).to_be_visible()
    shot(page, f"widget-thanks-without-consent-{size}")

    # She changes her mind, after a reload too: the box comes back alone, with the same words.
    page.reload()
    page.get_by_role("button", name="Chat with us").click()
    again.click()
    expect(box).to_be_focused()
    expect(page.get_by_label("Your name", exact=True)).to_be_hidden()
    expect(page.locator("[data-trunkshow-chat]").locator("#ts-consent-label")).to_have_text(shown)  # from /config
    save = page.get_by_role("button", name="Save my choice")
    save.click()
    expect(page.get_by_role("alert")).to_have_text("Tick the box first, or tap Not now.")
    shot(page, f"widget-consent-again-{size}")
    assert_accessible(page)
    box.check()
    save.click()
    page.get_by_text("Thank you, Priya. We will reply here, or by text or email if you leave.").wait_for()
    expect(again).to_be_hidden()
    with scope(store=demo):
        rows = list(customer.consent_events.order_by("id").values_list("channel", "evidence_text", "evidence_url"))
    assert rows == [("sms", shown, f"{live_server_url}/demo-site/"), ("email", shown, f"{live_server_url}/demo-site/")]
    page.context.close()


def test_the_thanks_promises_only_the_channel_the_visitor_left(browser: Any, live_server_url: str, demo: Store) -> None:
    """Found by a new user: a visitor who left only an email read "or by text or email if you leave"."""
    page = phone_chat_started(browser, live_server_url, "Do you have pearl studs?")
    page.get_by_role("button", name="Add my details").click()
    page.get_by_label("Your name", exact=True).fill("Ana Email")
    page.get_by_label("Email", exact=True).fill("ana@example.com")
    page.get_by_role("checkbox").check()
    page.get_by_role("button", name="Save my details").click()
    thanks = page.get_by_role("dialog").get_by_role("status")
    page.get_by_text("Thank you, Ana.").wait_for()
    assert thanks.inner_text() == "Thank you, Ana. We will reply here, or by email if you leave."
    expect(page.get_by_role("button", name="Also let the store answer me after I leave")).to_have_count(0)
    page.context.close()


def test_a_staff_reply_while_closed_softens_the_nobody_can_answer_notice(
    browser: Any, live_server_url: str, demo: Store
) -> None:
    """Found by a new user: "Nobody can answer right now…" stayed right under a staff reply."""
    with scopes_disabled():
        Store.objects.filter(pk=demo.pk).update(opening_hours=open_a_minute_a_day()[0])
    page = visitor_page(browser, live_server_url, PHONE, True)
    page.goto("/demo-site/")
    page.get_by_role("button", name="Chat with us").click()
    page.get_by_text("Nobody can answer right now.").wait_for()
    page.get_by_label("Message", exact=True).fill("Is the emerald ring still there?")
    page.keyboard.press("Enter")
    log = page.get_by_role("log", name="Messages")
    log.get_by_text("is closed now").wait_for()
    with scope(store=demo):
        conversation = visitors_chats().get()
    staff_reply(browser, live_server_url, conversation.pk, "I'm here late: yes, it is.")
    log.get_by_text("I'm here late: yes, it is.").wait_for()
    page.get_by_text("so we can answer even if you leave this page").wait_for()
    assert page.get_by_text("Nobody can answer right now.").count() == 0
    shot(page, "widget-closed-after-staff-reply-phone")

    # After a reload the same: the reply is an hour old at most, so the notice stays soft.
    page.reload()
    page.get_by_role("button", name="Chat with us").click()
    log.get_by_text("I'm here late: yes, it is.").wait_for()
    page.get_by_text("so we can answer even if you leave this page").wait_for()
    assert page.get_by_text("Nobody can answer right now.").count() == 0
    page.context.close()


def test_the_offer_to_leave_details_comes_back_after_a_reload_until_answered(
    browser: Any, live_server_url: str, demo: Store
) -> None:
    """Found by a new user: reloaded before choosing "Add my details" or "Not now", the chat never offered
    again, and after "Not now" there was no way left to give a name and a phone or email."""
    page = phone_chat_started(browser, live_server_url, "Do you engrave inside a ring?")
    launcher = page.get_by_role("button", name="Chat with us")
    log = page.get_by_role("log", name="Messages")
    offer = page.get_by_text("so we can answer even if you leave this page")
    offer.wait_for()
    add = page.get_by_role("button", name="Add my details")
    not_now = page.get_by_role("button", name="Not now")

    # Reloaded without choosing: the history comes back, and so does the offer.
    page.reload()
    launcher.click()
    log.get_by_text("Do you engrave inside a ring?").wait_for()
    offer.wait_for()
    expect(add).to_have_count(1)
    shot(page, "widget-offer-after-reload-phone")

    # "Not now" is kept across a reload; a small "Add my details" at the end of the thread stays.
    not_now.click()
    expect(offer).to_be_hidden()
    expect(add).to_be_visible()
    assert add.evaluate("b => b.closest('.log') !== null")
    shot(page, "widget-details-later-phone")
    page.reload()
    launcher.click()
    log.get_by_text("Do you engrave inside a ring?").wait_for()
    expect(add).to_be_visible()
    expect(offer).to_be_hidden()
    expect(not_now).to_be_hidden()
    page.get_by_label("Message", exact=True).fill("Also, do you size bands?")
    page.keyboard.press("Enter")
    log.get_by_text("Also, do you size bands?").wait_for()
    expect(offer).to_be_hidden()  # "Not now" was an answer: not asked again with each message

    # Later, the visitor leaves them after all.
    add.click()
    name = page.get_by_label("Your name", exact=True)
    expect(name).to_be_focused()
    name.fill("Ines Later")
    page.get_by_label("Phone", exact=True).fill("(212) 555-0199")
    page.get_by_role("button", name="Save my details").click()
    page.get_by_text("Thank you, Ines.").wait_for()
    expect(add).to_have_count(0)
    page.reload()
    launcher.click()
    log.get_by_text("Also, do you size bands?").wait_for()
    page.wait_for_timeout(300)
    expect(add).to_have_count(0)
    expect(offer).to_have_count(0)
    with scope(store=demo):
        assert visitors_chats().get().customer.first_name == "Ines"
    page.context.close()


def test_a_run_of_messages_from_one_person_is_headed_once(browser: Any, live_server_url: str, demo: Store) -> None:
    """ "You · 8:27 PM" above the first of a run, not above every bubble; the later ones keep it for
    screen readers (visually hidden, still in the text of the log)."""
    page = phone_chat_started(browser, live_server_url, "Hello there")
    log = page.get_by_role("log", name="Messages")
    for text in ("I saw a ring on your site", "The oval sapphire one"):
        page.get_by_label("Message", exact=True).fill(text)
        page.keyboard.press("Enter")
        log.get_by_text(text).wait_for()
    with scope(store=demo):
        conversation = visitors_chats().get()
    staff_reply(page.context.browser, live_server_url, conversation.pk, "It is here, come and see it")
    log.get_by_text("It is here, come and see it").wait_for()

    items = log.locator("li")
    assert items.count() == 4
    heads = [item.locator(".who") for item in items.all()]
    shown = [h.bounding_box()["height"] > 2 for h in heads]  # type: ignore[index]
    assert shown == [True, False, False, True]  # the visitor's run of three, then the store
    assert [" ".join(h.inner_text().split()).split(" · ")[0] for h in heads][:3] == ["You", "You", "You"]
    assert [item.get_attribute("class") for item in items.all()] == ["me", "me cont", "me cont", "them"]
    shot(page, "widget-run-headed-once-phone")
    page.context.close()
