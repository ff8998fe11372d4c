"""A photo a customer texts through Twilio, as the associate sees it arrive in the open thread on a phone.

The MMS webhook is signed as Twilio signs it and posted in this process; the worker (immediate in
tests) fetches the photo from the fake Twilio with basic auth and attaches it re-encoded. The thread
is open in Chromium, on the uvicorn server, which learns of it from the events table as it would
from a separate worker.
"""

from __future__ import annotations

import io
from typing import Any

from django_scopes import scope
from PIL import Image
from playwright.sync_api import expect

from tests.browser.conftest import assert_no_horizontal_scroll, log_in, screenshot
from tests.conftest import World, make_customer
from tests.messaging.test_photos import jpeg_with_gps
from tests.messaging.twilio.conftest import (  # noqa: F401 - the fixtures, for this module's tests
    FakeTwilio,
    fake_twilio,
    hook,
    inbound_fields,
    twilio,
)
from trunkshow.messaging.models import Message
from trunkshow.messaging.services import message_receive

CLARA = "+12125550142"
MM, ME1, ME2 = "MM" + "7" * 32, "ME" + "7" * 32, "ME" + "8" * 32


def test_a_texted_photo_appears_live_in_the_open_thread_and_opens_full_size(
    phone: Any,
    world: World,
    live_server_url: str,
    twilio: FakeTwilio,  # noqa: F811 - the fixture imported above
    django_capture_on_commit_callbacks: Any,
) -> None:
    page = phone
    make_customer(world.a, first_name="Zsófia", last_name="Szirmay", phones=[CLARA])
    with scope(store=world.a):
        first, _created = message_receive(
            store=world.a,
            channel="sms",
            from_address=CLARA,
            body="I'll send you a photo of mine",
            provider="sandbox",
            provider_id="SMfirst",
        )
    log_in(page, live_server_url, world.a_associate)
    page.goto(f"/inbox/{first.conversation_id}/")
    expect(page.locator("#thread")).to_contain_text("I'll send you a photo of mine")
    page.wait_for_timeout(1_000)  # the page's socket is up

    twilio.media[ME1] = ("image/jpeg", jpeg_with_gps(1200, 800))
    twilio.media[ME2] = ("video/mp4", b"\x00\x00\x00\x18ftypmp42")
    fields = inbound_fields(
        "This is the ring I mean",
        sid=MM,
        sender=CLARA,
        NumMedia="2",
        MediaUrl0=twilio.media_url(MM, ME1),
        MediaContentType0="image/jpeg",
        MediaUrl1=twilio.media_url(MM, ME2),
        MediaContentType1="video/mp4",
    )
    with django_capture_on_commit_callbacks(execute=True):
        assert hook("/hooks/twilio/atelier/inbound", fields).status_code == 200
    with scope(store=world.a):
        mms = Message.objects.prefetch_related("attachments").get(provider_id=MM)
        assert [a.content_type for a in mms.attachments.all()] == ["image/jpeg"]
        assert mms.conversation_id == first.conversation_id

    # Without a reload: the message, its photo loaded (thumbnail), and why the video is not shown.
    bubble = page.locator(f"#m{mms.pk}")
    expect(bubble).to_contain_text("This is the ring I mean", timeout=15_000)
    photo = bubble.locator(".msg-photos img")
    expect(photo).to_have_count(1)
    # The day in the store's calendar (New York's evening is the next day in UTC).
    expect(photo).to_have_attribute("alt", f"Photo from Zsófia, {mms.created_at.astimezone(world.a.tz):%-d %b}")
    # Found afresh on each poll: the thread may be drawn again as the photo's events arrive.
    page.wait_for_function(
        "sel => { const i = document.querySelector(sel); if (!i) return false;"
        " i.scrollIntoView({ block: 'center' }); return i.complete && i.naturalWidth > 0; }",
        arg=f"#m{mms.pk} .msg-photos img",
    )
    expect(bubble).to_contain_text("The customer sent a video (video/mp4); only photos are shown here.")
    assert_no_horizontal_scroll(page)
    page.screenshot(path=str(screenshot(page, "inbox-twilio-photo-phone")))

    # A tap opens the full photo: a JPEG, upright, as large as it came, nothing of the camera's notes left.
    with page.context.expect_page() as opened:
        photo.click()
    full = opened.value
    full.wait_for_load_state()
    response = full.request.get(full.url)
    assert response.headers["content-type"] == "image/jpeg"
    image = Image.open(io.BytesIO(response.body()))
    assert image.size == (800, 1200)  # the phone held it upright
    assert dict(image.getexif()) == {}
