"""A demo user plays a customer texting a photo from the text sandbox; the open inbox shows it arrive, on a phone."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django_scopes import scope

from tests.browser.conftest import assert_no_horizontal_scroll, log_in, screenshot
from tests.conftest import World, make_customer
from tests.messaging.test_photos import jpeg_with_gps
from trunkshow.messaging.models import Attachment
from trunkshow.messaging.services import message_receive

SHOTS = Path("/tmp/sandbox-photo-shots")


def test_a_photo_texted_in_the_sandbox_arrives_live_in_the_open_thread_on_a_phone(
    phone: Any, browser: Any, world: World, live_server_url: str, tmp_path: Path
) -> None:
    make_customer(world.a, first_name="Clara", phones=["+12125550142"])
    with scope(store=world.a):
        inbound, _created = message_receive(
            store=world.a,
            channel="sms",
            from_address="+12125550142",
            body="I found the ring I told you about, one moment.",
            provider="sandbox",
            provider_id="SMbrowser-sandbox-1",
        )
    ring = tmp_path / "IMG_2041.jpg"
    ring.write_bytes(jpeg_with_gps())
    thread = phone
    log_in(thread, live_server_url, world.a_associate)
    thread.goto(f"/inbox/{inbound.conversation_id}/")

    # The demo user, in another tab, plays Clara texting a photo.
    sandbox = thread.context.new_page()
    sandbox.goto("/inbox/sandbox/")
    sandbox.fill("#sb-phone", "(212) 555-0142")
    sandbox.fill("#sb-body", "This one, with the oval sapphire.")
    sandbox.set_input_files("#sb-photos", [str(ring)])
    screenshot(sandbox, "sandbox-photo-form-phone")
    sandbox.get_by_role("button", name="Send to the store").click()
    sandbox.wait_for_url(f"**/inbox/{inbound.conversation_id}/**")
    with scope(store=world.a):
        photo = Attachment.objects.get()
        assert photo.message.direction == "in" and photo.message.body == "This one, with the oval sapphire."

    # The thread that was already open shows it without a reload.
    thumbnail = thread.locator(f'#thread img[src="/inbox/attachments/{photo.pk}/thumb/"]')
    thumbnail.wait_for(timeout=15_000)
    thread.wait_for_function("img => img.complete && img.naturalWidth > 0", arg=thumbnail.element_handle())
    assert thumbnail.evaluate("img => img.naturalWidth") == 320  # the thumbnail, upright
    assert thumbnail.get_attribute("alt").startswith("Photo from Clara, ")
    assert thread.locator(f'#thread a[href="/inbox/attachments/{photo.pk}/"]').count() == 1
    assert_no_horizontal_scroll(thread)
    screenshot(thread, "sandbox-photo-thread-phone")
    SHOTS.mkdir(exist_ok=True)
    thread.screenshot(path=str(SHOTS / "thread-viewport-phone.png"))

    # A file that is no photo, and a contact card: said in the thread, in words, not dropped.
    sandbox.goto("/inbox/sandbox/")
    sandbox.fill("#sb-phone", "(212) 555-0142")
    sandbox.set_input_files(
        "#sb-photos",
        [
            {"name": "ring.jpg", "mimeType": "image/jpeg", "buffer": b"<html>not a photo</html>"},
            {"name": "clara.vcf", "mimeType": "text/vcard", "buffer": b"BEGIN:VCARD\r\nEND:VCARD\r\n"},
        ],
    )
    sandbox.get_by_role("button", name="Send to the store").click()
    sandbox.wait_for_url(f"**/inbox/{inbound.conversation_id}/**")
    notes = thread.locator("#thread .msg-media-note")
    notes.nth(1).wait_for(timeout=15_000)
    assert notes.all_inner_texts() == [
        "Photo 1 is not shown: “photo 1.jpg” is not a JPEG, PNG, WEBP or GIF photo.",
        "The customer sent a contact card (text/vcard); only photos are shown here.",
    ]
    assert_no_horizontal_scroll(thread)
    thread.screenshot(path=str(SHOTS / "thread-notes-phone.png"))
