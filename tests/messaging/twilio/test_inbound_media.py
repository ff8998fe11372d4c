"""Photos customers text or WhatsApp to the store: fetched from a fake Twilio after the webhook, kept as staff uploads are.

The webhook is signed as Twilio signs it and lists the media on the fake's address (the configured
``TWILIO_API_BASE``, which stands in for Twilio's hosts); the worker (immediate in tests) fetches
them with basic auth, follows the fake's redirect to its media host, and attaches the re-encoded
photos to the inbound message. Retries are driven as the outbox's are: the clock moved to the
scheduled time, the sweep finds the message, the task runs.
"""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import time_machine
from django.test import override_settings
from django_scopes import scope, scopes_disabled
from PIL import Image

from tests.conftest import browser_client
from tests.messaging.test_photos import GPS_IFD, jpeg_with_gps
from tests.messaging.twilio.conftest import ACCOUNT_SID, FakeTwilio, basic_auth, hook, inbound_fields
from trunkshow.core.models import LiveEvent
from trunkshow.messaging import inbound_media
from trunkshow.messaging.models import Attachment, Conversation, Message
from trunkshow.messaging.photos import MAX_PHOTO_BYTES

CLARA = "+12125550142"
A_INBOUND = "/hooks/twilio/atelier/inbound"
MM = "MM" + "4" * 32
ME1, ME2 = "ME" + "1" * 32, "ME" + "2" * 32


@pytest.fixture(autouse=True)
def photo_dir(tmp_path: Path) -> Iterator[Path]:
    with override_settings(ATTACHMENTS_DIR=tmp_path / "attachments"):
        yield tmp_path / "attachments"


def mms(captured: Any, twilio: FakeTwilio, media: list[tuple[str, str]], body: str = "Is this one in stock?") -> Any:
    """Twilio's inbound-message webhook for an MMS carrying ``media`` ((content type, MediaUrl) pairs)."""
    extra = {"NumMedia": str(len(media))}
    for index, (content_type, url) in enumerate(media):
        extra[f"MediaContentType{index}"] = content_type
        extra[f"MediaUrl{index}"] = url
    with captured(execute=True):
        response = hook(A_INBOUND, inbound_fields(body, sid=MM, sender=CLARA, **extra))
    assert response.status_code == 200
    return response


def the_message(world: Any) -> Message:
    with scope(store=world.a):
        return Message.objects.prefetch_related("attachments").get(direction="in")


def thread_html(world: Any, message: Message) -> str:
    response = browser_client(world.a_associate).get(f"/inbox/{message.conversation_id}/")
    assert response.status_code == 200
    return str(response.content.decode())


def retry_when_due(world: Any, message: Message, captured: Any) -> Message:
    """Move the clock to the scheduled retry; the minute sweep finds it and the task runs it."""
    next_at = dt.datetime.fromisoformat(message.meta["media_next_at"])
    with time_machine.travel(next_at + inbound_media.SWEEP_GRACE, tick=False):
        assert inbound_media.inbound_media_sweep() == [(world.a.pk, message.pk)]
        with scope(store=world.a), captured(execute=True):
            inbound_media.inbound_media_fetch(store=world.a, message_id=message.pk)
    return the_message(world)


def ring_png() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (500, 300), (10, 120, 200)).save(out, format="PNG")
    return out.getvalue()


def test_an_mms_with_two_photos_arrives_with_both_attached_without_location_and_thumbnailed(
    world: Any, twilio: FakeTwilio, django_capture_on_commit_callbacks: Any, photo_dir: Path
) -> None:
    twilio.media[ME1] = ("image/jpeg", jpeg_with_gps())
    twilio.media[ME2] = ("image/png", ring_png())

    mms(
        django_capture_on_commit_callbacks,
        twilio,
        [("image/jpeg", twilio.media_url(MM, ME1)), ("image/png", twilio.media_url(MM, ME2))],
    )

    message = the_message(world)
    photos = sorted(message.attachments.all(), key=lambda a: a.pk)
    assert [(p.filename, p.content_type, p.width, p.height) for p in photos] == [
        ("photo 1.jpg", "image/jpeg", 800, 1200),  # turned upright, as the phone meant it
        ("photo 2.jpg", "image/jpeg", 500, 300),
    ]
    assert [m["state"] for m in message.meta["media"]] == ["attached", "attached"]
    assert [m["attachment"] for m in message.meta["media"]] == [p.pk for p in photos]
    assert message.meta["photos"] == [p.pk for p in photos]
    assert "media_pending" not in message.meta
    kept = Image.open(photo_dir / photos[0].file.name)
    assert dict(kept.getexif()) == {} and "exif" not in kept.info
    assert kept.getexif().get_ifd(GPS_IFD) == {}

    # Twilio's way: basic auth to its API, a redirect, the media host without our credentials.
    api_hits = [r for r in twilio.media_requests if "/Media/" in r.path]
    cdn_hits = [r for r in twilio.media_requests if r.path.startswith("/cdn/")]
    assert [r.path for r in api_hits] == [
        f"/2010-04-01/Accounts/{ACCOUNT_SID}/Messages/{MM}/Media/{ME1}",
        f"/2010-04-01/Accounts/{ACCOUNT_SID}/Messages/{MM}/Media/{ME2}",
    ]
    assert {r.authorization for r in api_hits} == {basic_auth()}
    assert [r.path for r in cdn_hits] == [f"/cdn/{ME1}", f"/cdn/{ME2}"]
    assert {r.authorization for r in cdn_hits} == {""}

    # Shown in the thread and on the timeline through the staff-only addresses, thumbnails served.
    html = thread_html(world, message)
    for photo in photos:
        assert f'src="/inbox/attachments/{photo.pk}/thumb/"' in html
    staff = browser_client(world.a_associate)
    thumb = staff.get(f"/inbox/attachments/{photos[0].pk}/thumb/")
    assert thumb.status_code == 200
    assert (thumb["Content-Type"], thumb["X-Content-Type-Options"]) == ("image/jpeg", "nosniff")
    small = Image.open(io.BytesIO(b"".join(thumb.streaming_content)))
    assert small.size == (320, 480) and dict(small.getexif()) == {}
    with scopes_disabled():
        customer = Conversation.objects.get().customer
    timeline = staff.get(f"/customers/{customer.pk}/").content.decode()
    assert f'src="/inbox/attachments/{photos[1].pk}/thumb/"' in timeline

    # The open thread hears of it: the changed message's live event.
    with scopes_disabled():
        kinds = list(LiveEvent.objects.filter(store=world.a).values_list("kind", "payload"))
    assert (
        "message_status",
        {"id": message.pk, "conversation": message.conversation_id, "status": "received", "error": ""},
    ) in kinds


def test_a_retried_webhook_fetches_and_attaches_nothing_more(
    world: Any, twilio: FakeTwilio, django_capture_on_commit_callbacks: Any
) -> None:
    twilio.media[ME1] = ("image/jpeg", jpeg_with_gps(300, 200))
    twilio.media[ME2] = ("image/png", ring_png())
    media = [("image/jpeg", twilio.media_url(MM, ME1)), ("image/png", twilio.media_url(MM, ME2))]
    mms(django_capture_on_commit_callbacks, twilio, media)
    fetched = len(twilio.media_requests)

    mms(django_capture_on_commit_callbacks, twilio, media)  # Twilio retries the same MessageSid

    with scopes_disabled():
        assert Message.objects.count() == 1
        assert Attachment.objects.count() == 2
    assert len(twilio.media_requests) == fetched == 4
    # A duplicate fetch task (say the sweep and a late retry) attaches nothing twice either.
    message = the_message(world)
    with scope(store=world.a):
        inbound_media.inbound_media_fetch(store=world.a, message_id=message.pk)
    with scopes_disabled():
        assert Attachment.objects.count() == 2


def test_a_media_server_failing_twice_is_retried_with_backoff_and_the_photo_arrives(
    world: Any, twilio: FakeTwilio, django_capture_on_commit_callbacks: Any
) -> None:
    twilio.media[ME1] = ("image/jpeg", jpeg_with_gps(300, 200))
    twilio.media_plan.extend([("status", 503), ("hang",)])

    mms(django_capture_on_commit_callbacks, twilio, [("image/jpeg", twilio.media_url(MM, ME1))])

    message = the_message(world)
    assert message.meta["media"][0]["state"] == "pending"
    assert message.meta["media"][0]["error"] == "Twilio answered 503 for the photo; trying again later."
    assert message.meta["media_attempts"] == 1
    assert "Photo 1 is on its way; fetching it again shortly" in thread_html(world, message)

    message = retry_when_due(world, message, django_capture_on_commit_callbacks)  # the fake hangs: a time-out
    assert message.meta["media"][0]["error"] == "Twilio did not send the photo in time."
    assert message.meta["media_attempts"] == 2
    first_delay = dt.datetime.fromisoformat(message.meta["media_next_at"]) - message.created_at
    assert first_delay > dt.timedelta(seconds=5)  # backing off: 5 s, then about 10 s more

    message = retry_when_due(world, message, django_capture_on_commit_callbacks)
    assert message.meta["media"][0]["state"] == "attached"
    assert message.attachments.count() == 1
    assert "media_pending" not in message.meta and "media_next_at" not in message.meta
    assert inbound_media.inbound_media_sweep() == []


def test_a_media_server_that_always_fails_shows_the_failure_in_the_thread(
    world: Any, twilio: FakeTwilio, django_capture_on_commit_callbacks: Any
) -> None:
    twilio.media[ME1] = ("image/jpeg", jpeg_with_gps(300, 200))
    twilio.media_plan.extend([("status", 500)] * 6)

    mms(django_capture_on_commit_callbacks, twilio, [("image/jpeg", twilio.media_url(MM, ME1))])
    message = the_message(world)
    for _try in range(5):
        message = retry_when_due(world, message, django_capture_on_commit_callbacks)

    assert message.meta["media"][0]["state"] == "failed"
    reason = "6 tries failed. Twilio answered 500 for the photo; trying again later."
    assert message.meta["media"][0]["error"] == reason
    assert "media_pending" not in message.meta
    assert message.attachments.count() == 0
    assert len([r for r in twilio.media_requests if "/Media/" in r.path]) == 6
    assert f"Photo 1 could not be fetched: {reason}" in thread_html(world, message)
    assert inbound_media.inbound_media_sweep() == []


def test_an_oversized_photo_is_not_read_past_the_limit_and_the_thread_says_why(
    world: Any, twilio: FakeTwilio, django_capture_on_commit_callbacks: Any
) -> None:
    twilio.media[ME1] = ("image/jpeg", b"\xff\xd8" + b"\0" * MAX_PHOTO_BYTES)
    twilio.media[ME2] = ("image/jpeg", b"\xff\xd8" + b"\0" * MAX_PHOTO_BYTES)
    twilio.media_plan.extend([("serve",), ("stream",)])  # the second without a Content-Length

    mms(
        django_capture_on_commit_callbacks,
        twilio,
        [("image/jpeg", twilio.media_url(MM, ME1)), ("image/jpeg", twilio.media_url(MM, ME2))],
    )

    message = the_message(world)
    reason = "The photo is larger than 15 MB, the most we keep; it was not fetched."
    assert [(m["state"], m["error"]) for m in message.meta["media"]] == [("failed", reason), ("failed", reason)]
    assert message.attachments.count() == 0
    assert f"Photo 2 could not be fetched: {reason}" in thread_html(world, message)


def test_a_contact_card_is_not_fetched_and_a_fake_photo_is_refused_both_said_in_the_thread(
    world: Any, twilio: FakeTwilio, django_capture_on_commit_callbacks: Any
) -> None:
    twilio.media[ME1] = ("text/vcard", b"BEGIN:VCARD\r\nFN:Clara\r\nEND:VCARD\r\n")
    twilio.media[ME2] = ("image/jpeg", b"<html><script>alert(1)</script></html>")

    mms(
        django_capture_on_commit_callbacks,
        twilio,
        [("text/vcard", twilio.media_url(MM, ME1)), ("image/jpeg", twilio.media_url(MM, ME2))],
        body="",
    )

    message = the_message(world)
    assert [m["state"] for m in message.meta["media"]] == ["not_shown", "refused"]
    assert message.meta["media"][1]["error"] == "“photo 2.jpg” is not a JPEG, PNG, WEBP or GIF photo."
    assert [r.path for r in twilio.media_requests if "/Media/" in r.path] == [
        f"/2010-04-01/Accounts/{ACCOUNT_SID}/Messages/{MM}/Media/{ME2}"
    ]  # the contact card was never downloaded
    html = thread_html(world, message)
    assert "The customer sent a contact card (text/vcard); only photos are shown here." in html
    assert "Photo 2 is not shown: “photo 2.jpg” is not a JPEG, PNG, WEBP or GIF photo." in html
    with scopes_disabled():
        assert Conversation.objects.get().last_message_preview == "Photo"
        assert Attachment.objects.count() == 0


def test_media_on_another_host_or_redirected_elsewhere_is_never_fetched(
    world: Any, twilio: FakeTwilio, django_capture_on_commit_callbacks: Any
) -> None:
    twilio.media[ME1] = ("image/jpeg", jpeg_with_gps(300, 200))
    twilio.media_plan.append(("redirect", "http://169.254.169.254/latest/meta-data/iam"))

    mms(
        django_capture_on_commit_callbacks,
        twilio,
        [("image/jpeg", twilio.media_url(MM, ME1)), ("image/png", "https://attacker.example/ring.png")],
    )

    message = the_message(world)
    assert message.meta["media_refused"] == ["https://attacker.example/ring.png"]
    assert message.meta["num_media"] == 2
    reason = "Twilio redirected the photo to an address we do not fetch from."
    assert [(m["state"], m["error"]) for m in message.meta["media"]] == [("failed", reason)]
    assert "media_pending" not in message.meta  # not retried: no try would make it safe
    html = thread_html(world, message)
    assert f"Photo 1 could not be fetched: {reason}" in html
    assert "A file came from an address that is not the text provider's; it was not fetched." in html


def test_another_stores_staff_get_404_for_a_texted_photo(
    world: Any, twilio: FakeTwilio, django_capture_on_commit_callbacks: Any
) -> None:
    twilio.media[ME1] = ("image/jpeg", jpeg_with_gps(300, 200))
    mms(django_capture_on_commit_callbacks, twilio, [("image/jpeg", twilio.media_url(MM, ME1))])
    photo = the_message(world).attachments.get()

    for person, status in ((world.a_associate, 200), (world.b_owner, 404), (world.b_associate, 404)):
        client = browser_client(person)
        assert client.get(f"/inbox/attachments/{photo.pk}/").status_code == status
        assert client.get(f"/inbox/attachments/{photo.pk}/thumb/").status_code == status
