"""Photos in the inbox: sending one from a phone (preview, remove, send, see it in the thread), and several
shown as a compact grid of thumbnails."""

from __future__ import annotations

import io
import shutil
from pathlib import Path
from typing import Any

from django.core.files.uploadedfile import SimpleUploadedFile
from django_scopes import scope
from PIL import Image

from tests.browser.conftest import DESKTOP, PHONE, assert_no_horizontal_scroll, log_in, screenshot
from tests.conftest import World, browser_client, make_customer
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
    page.wait_for_function(  # the thumbnail loaded (lazily: on a busy machine, a moment after it is there)
        "sel => { const i = document.querySelector(sel); return i && i.complete && i.naturalWidth === 320; }",
        arg=f'#thread img[src="/inbox/attachments/{photo.pk}/thumb/"]',
    )
    link = page.locator(f'#thread a[href="/inbox/attachments/{photo.pk}/"]')
    assert link.count() == 1
    assert_no_horizontal_scroll(page)
    page.locator(f"#m{photo.message_id}").evaluate(
        "li => window.scrollTo(0, li.getBoundingClientRect().top + scrollY - 120)"
    )
    SHOTS.mkdir(exist_ok=True)
    page.screenshot(path=str(SHOTS / "thread-phone.png"))
    shutil.copy(screenshot(page, "inbox-photo-phone"), SHOTS / "thread-phone-full.png")


def test_a_photo_texted_without_a_provider_shows_on_the_sandbox_page_as_a_thumbnail_only_staff_open(
    desktop: Any, browser: Any, world: World, live_server_url: str, tmp_path: Path
) -> None:
    """Found by a new user: the text sandbox listed an MMS's words but not its photo."""
    make_customer(world.a, first_name="Clara", phones=["+12125550142"])
    with scope(store=world.a):
        inbound, _created = message_receive(
            store=world.a,
            channel="sms",
            from_address="+12125550142",
            body="Could you text me a photo of the ring?",
            provider="sandbox",
            provider_id="SMbrowser2",
        )
    ring = tmp_path / "ring.jpg"
    ring.write_bytes(jpeg_with_gps())
    page = desktop
    log_in(page, live_server_url, world.a_associate)
    page.goto(f"/inbox/{inbound.conversation_id}/")
    page.set_input_files("#reply-files", [str(ring)])
    page.fill("#reply-body", "Here it is, freshly polished.")
    page.get_by_role("button", name="Send", exact=True).click()
    page.wait_for_url(f"**/inbox/{inbound.conversation_id}/**")
    with scope(store=world.a):
        photo = Attachment.objects.get()
        assert photo.message.channel == "sms" and photo.message.direction == "out"

    page.goto("/inbox/sandbox/")
    sent = page.locator(".sandbox-sent li").filter(has_text="Here it is, freshly polished.")
    thumbnail = sent.locator(
        f'a[href="/inbox/attachments/{photo.pk}/"] img[src="/inbox/attachments/{photo.pk}/thumb/"]'
    )
    thumbnail.wait_for()
    page.wait_for_function(  # the thumbnail loaded (lazily: on a busy machine, a moment after it is there)
        "sel => { const i = document.querySelector(sel); if (!i) return false; i.scrollIntoView();"
        " return i.complete && i.naturalWidth === 320; }",
        arg=f'.sandbox-sent img[src="/inbox/attachments/{photo.pk}/thumb/"]',
    )
    assert thumbnail.get_attribute("alt").startswith(f"Photo from {world.a_associate.user.display_name}, ")
    assert "Text message · Clara Customer, (212) 555-0142" in sent.inner_text()  # whose number it is
    assert_no_horizontal_scroll(page)
    SHOTS.mkdir(exist_ok=True)
    page.screenshot(path=str(SHOTS / "sandbox-desktop.png"), full_page=True)

    # The thumbnail opens the whole photo, the store's re-encoded copy.
    with page.expect_popup() as opened:
        thumbnail.click()
    full = opened.value
    full.wait_for_load_state()
    response = full.request.get(f"/inbox/attachments/{photo.pk}/")
    assert (response.status, response.headers["content-type"]) == (200, "image/jpeg")
    full.close()
    # Staff only: without a session the same addresses give no photo.
    stranger = browser.new_context(base_url=live_server_url)
    for address in (f"/inbox/attachments/{photo.pk}/", f"/inbox/attachments/{photo.pk}/thumb/"):
        refused = stranger.request.get(address, max_redirects=0)
        assert refused.status == 302 and "/login/" in refused.headers["location"], address
    stranger.close()

    page.set_viewport_size({"width": 390, "height": 844})
    page.reload()
    thumbnail.wait_for()
    assert_no_horizontal_scroll(page)
    page.screenshot(path=str(SHOTS / "sandbox-phone.png"), full_page=True)


def _photo(color: tuple[int, int, int], width: int, height: int) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (width, height), color).save(out, "JPEG")
    return out.getvalue()


def test_six_photos_show_as_a_compact_grid_of_thumbnails_each_opening_the_full_photo(
    browser: Any, world: World, live_server_url: str, transactional_db: Any
) -> None:
    make_customer(world.a, first_name="Clara", phones=["+12125550142"])
    colors = [(180, 40, 40), (40, 120, 60), (30, 60, 150), (200, 160, 40), (120, 40, 140), (60, 60, 60)]
    files = [
        SimpleUploadedFile(f"IMG_{i}.jpg", _photo(c, 1200 if i % 2 else 800, 800 if i % 2 else 1200), "image/jpeg")
        for i, c in enumerate(colors)
    ]
    sent = browser_client(world.a_associate).post(
        "/inbox/sandbox/", {"phone": "(212) 555-0142", "body": "All six angles", "channel": "sms", "photos": files}
    )
    assert sent.status_code == 302
    with scope(store=world.a):
        photos = list(Attachment.objects.order_by("id"))
    assert len(photos) == 6

    for size, viewport, per_row in (("phone", PHONE, 3), ("desktop", DESKTOP, 3)):
        context = browser.new_context(viewport=viewport, base_url=live_server_url, is_mobile=size == "phone")
        page = context.new_page()
        log_in(page, live_server_url, world.a_associate)
        page.goto(f"/inbox/{photos[0].message.conversation_id}/")
        thumbs = page.locator("#thread .msg-photos img")
        assert thumbs.count() == 6
        page.wait_for_function(
            "() => [...document.querySelectorAll('#thread .msg-photos img')].every(i => i.complete && i.naturalWidth)"
        )
        boxes = [thumbs.nth(i).bounding_box() for i in range(6)]
        rows = sorted({round(b["y"]) for b in boxes})
        assert len(rows) == 6 // per_row, (size, boxes)
        # Square thumbnails, all the same size, the six together no taller than two of the old photos.
        assert {(round(b["width"]), round(b["height"])) for b in boxes} == {(round(boxes[0]["width"]),) * 2}
        grid = page.locator("#thread .msg-photos").bounding_box()
        assert grid["height"] < (200 if size == "phone" else 300), grid
        assert_no_horizontal_scroll(page)
        # Each opens its full photo, as before.
        hrefs = [page.locator("#thread .msg-photos a").nth(i).get_attribute("href") for i in range(6)]
        assert hrefs == [f"/inbox/attachments/{p.pk}/" for p in photos]
        screenshot(page, f"photos-six-grid-{size}")
        SHOTS.mkdir(exist_ok=True)
        page.locator("#thread .msg-photos").screenshot(path=str(SHOTS / f"six-grid-{size}.png"))
        context.close()
