"""Sending a photo from a phone in the inbox composer: preview, remove, send, see it in the thread."""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

from django_scopes import scope

from tests.browser.conftest import assert_no_horizontal_scroll, log_in, screenshot
from tests.conftest import World, make_customer
from tests.messaging.test_photos import jpeg_with_gps
from trunkshow.messaging.models import Attachment
from trunkshow.messaging.services import message_receive

SHOTS = Path("/tmp/photos-shots")


def test_a_photo_attached_on_a_phone_is_previewed_removable_and_sent_as_a_thumbnail(
    phone: Any, world: World, live_server_url: str, tmp_path: Path
) -> None:
    make_customer(world.a, first_name="Clara", phones=["+12125550142"])
    with scope(store=world.a):
        inbound, _created = message_receive(
            store=world.a,
            channel="sms",
            from_address="+12125550142",
            body="Could you send me a photo of the ring?",
            provider="sandbox",
            provider_id="SMbrowser1",
        )
    ring, clasp = tmp_path / "ring.jpg", tmp_path / "clasp.jpg"
    ring.write_bytes(jpeg_with_gps())
    clasp.write_bytes(jpeg_with_gps(600, 600))
    page = phone
    log_in(page, live_server_url, world.a_associate)
    page.goto(f"/inbox/{inbound.conversation_id}/")

    page.set_input_files("#reply-files", [str(ring), str(clasp)])
    previews = page.locator("#reply-photos img")
    assert previews.count() == 2
    page.get_by_role("button", name="Remove clasp.jpg").click()
    assert previews.count() == 1
    assert page.locator("#reply-files").evaluate("input => [...input.files].map(f => f.name)") == ["ring.jpg"]
    page.fill("#reply-body", "Here it is, freshly polished.")
    SHOTS.mkdir(exist_ok=True)
    page.locator("#composer").screenshot(path=str(SHOTS / "composer-preview-phone.png"))
    page.get_by_role("button", name="Send", exact=True).click()
    page.wait_for_url(f"**/inbox/{inbound.conversation_id}/**")

    with scope(store=world.a):
        photo = Attachment.objects.get()
    thumbnail = page.locator(f'#thread img[src="/inbox/attachments/{photo.pk}/thumb/"]')
    thumbnail.wait_for()
    assert thumbnail.get_attribute("alt").startswith(f"Photo from {world.a_associate.user.display_name}, ")
    assert thumbnail.evaluate("img => img.complete && img.naturalWidth") == 320  # the thumbnail loaded
    link = page.locator(f'#thread a[href="/inbox/attachments/{photo.pk}/"]')
    assert link.count() == 1
    assert_no_horizontal_scroll(page)
    page.locator(f"#m{photo.message_id}").evaluate(
        "li => window.scrollTo(0, li.getBoundingClientRect().top + scrollY - 120)"
    )
    SHOTS.mkdir(exist_ok=True)
    page.screenshot(path=str(SHOTS / "thread-phone.png"))
    shutil.copy(screenshot(page, "inbox-photo-phone"), SHOTS / "thread-phone-full.png")
