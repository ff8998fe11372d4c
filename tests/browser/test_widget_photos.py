"""A visitor sends photos from the chat on a store's website; the associate's open inbox shows them live.

The store's website is another origin (a small HTTP server on another port) with a
Content-Security-Policy like a careful shop would set, so the widget's cross-origin calls, its
preflights and its ``blob:`` images are what a real site gets. Screenshots go to /tmp/widget-shots/.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest
from django_scopes import scope, scopes_disabled
from playwright.sync_api import expect

from tests.browser.conftest import (
    DESKTOP,
    PHONE,
    assert_accessible,
    assert_no_horizontal_scroll,
    log_in,
    staff_request_context,
)
from tests.conftest import World
from tests.messaging.test_photos import jpeg_with_gps, png_header
from tests.messaging.test_widget_photos import XSS_NAME, transparent_png
from trunkshow.messaging.channels.webchat.services import webchat_settings_update
from trunkshow.messaging.models import Attachment, Conversation, Message

SHOTS = Path("/tmp/widget-shots")


def shop_page(live: str) -> bytes:
    return f"""<!doctype html><html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1"><title>Atelier Ana</title>
<style>body {{ font: 18px Georgia, serif; margin: 24px; background: #faf6f0; }}</style></head>
<body><h1>Atelier Ana</h1><p>Rings made to measure in our workshop.</p>
<script src="{live}/widget/atelier.js" async></script></body></html>""".encode()


@pytest.fixture
def shop_site(live_server_url: str) -> Iterator[str]:
    """The store's own website: another origin, with a strict Content-Security-Policy."""
    live = live_server_url
    csp = (
        f"default-src 'self'; script-src 'self' {live}; connect-src {live} {live.replace('http://', 'ws://')}; "
        "img-src 'self' blob:; style-src 'self' 'unsafe-inline'"
    )

    class Page(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            body = shop_page(live)
            self.send_response(200)
            self.send_header("Content-Type", "text/html; charset=utf-8")
            self.send_header("Content-Security-Policy", csp)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Page)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


@pytest.fixture
def shop(world: World, shop_site: str, transactional_db: Any) -> World:
    with scopes_disabled():
        type(world.a).objects.filter(pk=world.a.pk).update(opening_hours={})  # always open
    with scope(store=world.a):
        webchat_settings_update(
            store=world.a,
            actor=None,
            allowed_origins=[shop_site],
            reply_time_text="We usually reply within 10 minutes.",
        )
    return world


def visitor_page(browser: Any, size: str) -> Any:
    extra = {"is_mobile": True, "has_touch": True, "device_scale_factor": 2} if size == "phone" else {}
    context = browser.new_context(viewport=PHONE if size == "phone" else DESKTOP, **extra)
    page = context.new_page()
    page.set_default_timeout(10_000)
    page.on("dialog", lambda dialog: pytest.fail(f"a script ran: {dialog.message}"))
    return page


def staff_reply_with_photo(browser: Any, live: str, person: Any, conversation_id: int, image: bytes) -> None:
    """The associate answers with a photo through the inbox's own reply endpoint (session and CSRF)."""
    context = staff_request_context(browser, live, person.user)
    response = context.request.post(
        f"/inbox/{conversation_id}/reply/",
        multipart={
            "body": "Here it is in yellow gold.",
            "kind": "reply",
            "files": {"name": "yellow-gold.jpg", "mimeType": "image/jpeg", "buffer": image},
        },
        headers={"X-CSRFToken": "k" * 32, "Accept": "application/json", "Origin": live},
    )
    assert response.status == 201, response.text()
    context.close()


def widget_photos_loaded(page: Any, items: str) -> None:
    """Wait until every thumbnail in the widget's ``li.<items>`` messages has loaded."""
    page.wait_for_function(
        "items => [...document.querySelector('[data-trunkshow-chat]').shadowRoot"
        ".querySelectorAll(`li.${items} button.pic img`)].every(i => i.complete && i.naturalWidth > 0)",
        arg=items,
    )


def shown_whole(img: Any) -> dict[str, Any]:
    """How a photo is drawn: its fit, the shape of its box (the photo's own, to two places) and its size."""
    return img.evaluate(
        "i => { const r = i.getBoundingClientRect(); return { fit: getComputedStyle(i).objectFit,"
        " ratio: Math.round(r.width / r.height * 100) / 100, width: Math.round(r.width), height: Math.round(r.height) }; }"
    )


def shot(target: Any, name: str) -> None:
    SHOTS.mkdir(exist_ok=True)
    target.screenshot(path=str(SHOTS / f"{name}.png"))


@pytest.mark.parametrize("size", ["phone", "desktop"])
def test_a_visitor_sends_photos_that_the_associate_sees_live_and_a_bad_one_is_refused_inline(
    browser: Any, live_server_url: str, shop: World, shop_site: str, size: str
) -> None:
    page = visitor_page(browser, size)
    page.goto(f"{shop_site}/")
    page.get_by_role("button", name="Chat with us").click()
    message_box = page.get_by_label("Message", exact=True)
    message_box.fill("Hello, I have a ring question.")
    message_box.press("Enter")
    log = page.get_by_role("log", name="Messages")
    log.get_by_text("Hello, I have a ring question.").wait_for()
    with scope(store=shop.a):
        conversation = Conversation.objects.get(channel="webchat")

    # The associate has the conversation open in the inbox.
    staff = browser.new_context(viewport=DESKTOP, base_url=live_server_url)
    inbox = staff.new_page()
    inbox.set_default_timeout(15_000)
    inbox.on("dialog", lambda dialog: pytest.fail(f"a script ran in the inbox: {dialog.message}"))
    log_in(inbox, live_server_url, shop.a_associate)
    inbox.goto(f"/inbox/{conversation.pk}/")
    expect(inbox.locator(".thread")).to_contain_text("Hello, I have a ring question.")
    inbox.wait_for_timeout(500)  # the staff socket is open

    # The attach button is a real button: it opens the file chooser (a phone's camera or gallery).
    attach = page.get_by_role("button", name="Attach photos")
    assert attach.evaluate("b => b.tagName") == "BUTTON"
    chooser_input = page.locator("[data-trunkshow-chat] input[type=file]")
    assert chooser_input.get_attribute("accept") == "image/*"
    bomb = {"name": "bomb.png", "mimeType": "image/png", "buffer": png_header(30_000, 30_000)}
    with page.expect_file_chooser() as chosen:
        attach.click()
    chosen.value.set_files([bomb])
    page.get_by_role("button", name="Send").click()
    alert = page.locator("[data-trunkshow-chat] .error")
    expect(alert).to_have_text("“bomb.png” has too many pixels; a photo can have at most 40 megapixels.")
    with scope(store=shop.a):
        assert (Message.objects.count(), Attachment.objects.count()) == (1, 0)

    # Keyboard: remove the refused photo, then choose two good ones (one named like markup).
    page.get_by_role("button", name="Remove bomb.png").focus()
    page.keyboard.press("Enter")
    expect(page.get_by_role("list", name="Photos to send")).to_be_hidden()
    assert attach.evaluate("el => el === el.getRootNode().activeElement")
    ring = {"name": "ring.jpg", "mimeType": "image/jpeg", "buffer": jpeg_with_gps()}
    markup = {"name": XSS_NAME, "mimeType": "image/png", "buffer": transparent_png()}
    chooser_input.evaluate("i => i.addEventListener('click', () => { i.dataset.opened = 'yes'; })")
    page.keyboard.press("Enter")  # the same button, from the keyboard, opens the chooser
    expect(chooser_input).to_have_attribute("data-opened", "yes")
    chooser_input.set_input_files([ring, markup])
    tray = page.get_by_role("list", name="Photos to send")
    expect(tray.get_by_role("listitem")).to_have_count(2)
    expect(tray).to_contain_text(XSS_NAME)  # the name as text, never markup
    message_box.fill("Could this be made in yellow gold?")
    shot(page, f"widget-photos-preview-{size}")
    # On a slow connection the visitor sees the upload going, and cannot send twice.
    network = page.context.new_cdp_session(page)
    network.send("Network.enable")
    slow = {"offline": False, "latency": 0, "downloadThroughput": -1, "uploadThroughput": 8 * 1024}
    network.send("Network.emulateNetworkConditions", slow)
    page.get_by_role("button", name="Send").click()
    expect(page.locator("[data-trunkshow-chat] .conn")).to_contain_text("Sending 2 photos…")
    expect(page.get_by_role("button", name="Send")).to_be_disabled()
    expect(attach).to_be_disabled()
    shot(page, f"widget-photos-sending-{size}")
    network.send("Network.emulateNetworkConditions", {**slow, "uploadThroughput": -1})

    # The visitor's thread shows both thumbnails, loaded with the visitor's token.
    mine = log.locator("li.me").last
    expect(mine).to_contain_text("Could this be made in yellow gold?")
    thumbs = mine.locator("button.pic img")
    expect(thumbs).to_have_count(2)
    widget_photos_loaded(page, "me")
    assert thumbs.first.evaluate("i => i.src.startsWith('blob:')")
    assert thumbs.first.evaluate("i => i.naturalWidth") == 320
    assert mine.get_by_role("button", name=f"Photo {XSS_NAME}, open full size").count() == 1
    assert page.locator("[data-trunkshow-chat] img[src=x]").count() == 0
    expect(tray).to_be_hidden()

    with scope(store=shop.a):
        message = Message.objects.get(body="Could this be made in yellow gold?")
        photos = list(Attachment.objects.filter(message=message).order_by("id"))
    assert [(p.filename, p.width, p.height) for p in photos] == [("ring.jpg", 800, 1200), (XSS_NAME, 300, 200)]

    # The associate's open conversation shows them without a reload.
    for photo in photos:
        thumb = inbox.locator(f'#thread img[src="/inbox/attachments/{photo.pk}/thumb/"]')
        expect(thumb).to_be_visible()
    expect(inbox.locator(".thread")).to_contain_text("Could this be made in yellow gold?")
    inbox.wait_for_function(
        "() => [...document.querySelectorAll('#thread img')].every(i => i.complete && i.naturalWidth)"
    )
    inbox.locator(f"#m{message.pk}").scroll_into_view_if_needed()
    shot(inbox, f"inbox-visitor-photos-{size}")

    # The associate answers with a tall photo: it arrives in the widget live, whole (its top was cut
    # off when the widget filled a 200 by 260 box with it), as the associate sees it.
    staff_reply_with_photo(
        browser, live_server_url, shop.a_associate, conversation.pk, jpeg_with_gps(900, 600)
    )  # turned upright: 600 by 900
    theirs = log.locator("li.them").last
    expect(theirs).to_contain_text("Here it is in yellow gold.")
    store_thumb = theirs.locator("button.pic img")
    expect(store_thumb).to_have_count(1)
    widget_photos_loaded(page, "them")
    assert shown_whole(store_thumb) == {"fit": "contain", "ratio": 0.67, "width": 173, "height": 260}
    # The visitor's own photos, side by side, are whole too, each in its tile.
    for thumb in thumbs.all():
        assert thumb.evaluate("i => getComputedStyle(i).objectFit") == "contain"
    assert_no_horizontal_scroll(page)
    shot(page, f"widget-photos-{size}")
    assert_accessible(page)

    # A thumbnail opens the full photo; Escape closes it and gives the focus back.
    opener = mine.get_by_role("button", name="Photo ring.jpg, open full size")
    opener.click()
    viewer = page.get_by_role("dialog", name="Photo")
    expect(viewer).to_be_visible()
    full = viewer.locator("img")
    page.wait_for_function(
        "() => { const i = document.querySelector('[data-trunkshow-chat]').shadowRoot.querySelector('.viewer img');"
        " return i.complete && i.naturalWidth === 800; }"
    )
    expect(viewer).to_contain_text("ring.jpg")
    assert full.evaluate("i => i.naturalHeight") == 1200
    # The photo over an opaque backdrop (the chat's "Add my details" showed through and ran into the
    # caption), the chat behind it out of reach of the keyboard and a screen reader while it is open.
    assert viewer.evaluate("v => getComputedStyle(v).backgroundColor") == "rgb(12, 12, 14)"
    assert page.locator("[data-trunkshow-chat] .panel").evaluate("p => p.inert") is True
    shot(page, f"widget-photo-viewer-{size}")
    page.keyboard.press("Escape")
    expect(viewer).to_be_hidden()
    assert page.locator("[data-trunkshow-chat] .panel").evaluate("p => p.inert") is False
    expect(page.get_by_role("dialog", name="Atelier Ana")).to_be_visible()  # the chat stays open
    assert opener.evaluate("el => el === el.getRootNode().activeElement")

    # After a reload the thread comes back with every photo.
    page.reload()
    page.get_by_role("button", name="Chat with us").click()
    expect(log.locator("button.pic")).to_have_count(3)
    with scope(store=shop.a):
        assert Message.objects.filter(direction="in").count() == 2
    staff.close()
    page.context.close()
