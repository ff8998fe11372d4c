"""Photos staff send: re-encoded without metadata, thumbnailed, limited, served only to the conversation's parties."""

from __future__ import annotations

import datetime as dt
import errno
import io
import resource
import struct
import zlib
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import time_machine
from django.conf import settings
from django.core.files.storage import FileSystemStorage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import override_settings
from django_scopes import scope
from PIL import Image

from tests.conftest import api, browser_client, make_customer
from trunkshow.messaging.attachments import attachment_signed_url
from trunkshow.messaging.models import Attachment, Conversation, Message, attachment_storage
from trunkshow.messaging.services import message_receive

NUMBER = "+12125550142"
GPS_IFD = 0x8825
ORIENTATION = 0x0112


@pytest.fixture(autouse=True)
def photo_dir(tmp_path: Path) -> Iterator[Path]:
    with override_settings(ATTACHMENTS_DIR=tmp_path / "attachments"):
        yield tmp_path / "attachments"


def stored_files(root: Path) -> list[Path]:
    return sorted(p for p in root.rglob("*") if p.is_file()) if root.exists() else []


def jpeg_with_gps(width: int = 1200, height: int = 800) -> bytes:
    """A camera-like JPEG: GPS position, orientation "rotate 90° clockwise", a maker note."""
    image = Image.new("RGB", (width, height), (200, 30, 30))
    exif = Image.Exif()
    exif[ORIENTATION] = 6
    exif[0x010F] = "PhoneMaker"
    gps = exif.get_ifd(GPS_IFD)
    gps[1] = "N"
    gps[2] = (48.0, 51.0, 24.0)
    gps[3] = "E"
    gps[4] = (2.0, 21.0, 7.0)
    out = io.BytesIO()
    image.save(out, format="JPEG", exif=exif.tobytes(), icc_profile=b"\0" * 128)
    data = out.getvalue()
    assert Image.open(io.BytesIO(data)).getexif().get_ifd(GPS_IFD)[1] == "N"  # the fixture has what we strip
    return data


def png_header(width: int, height: int) -> bytes:
    """A PNG that claims to be ``width`` × ``height`` and holds a few bytes of pixels: a decompression bomb."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)

    ihdr = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) + chunk(b"IDAT", zlib.compress(b"\0" * 1024)) + chunk(b"IEND", b"")
    )


def upload(name: str, data: bytes, content_type: str = "image/jpeg") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, data, content_type=content_type)


def texting_customer(world: Any, captured: Any) -> Conversation:
    make_customer(world.a, phones=[NUMBER], emails=["clara@example.com"])
    with scope(store=world.a), captured(execute=True):
        message, _created = message_receive(
            store=world.a,
            channel="sms",
            from_address=NUMBER,
            to_address="+15005550006",
            body="Can I see the ring?",
            provider="sandbox",
            provider_id="SMphoto1",
        )
    return message.conversation


def signed_path(url: str) -> str:
    assert url.startswith(settings.PUBLIC_URL + "/media/attachments/")
    return url.removeprefix(settings.PUBLIC_URL)


def test_a_phone_photo_from_the_composer_is_sent_without_its_location_and_shown_in_the_thread(
    world: Any, django_capture_on_commit_callbacks: Any, photo_dir: Path
) -> None:
    conversation = texting_customer(world, django_capture_on_commit_callbacks)
    staff = browser_client(world.a_associate)
    with django_capture_on_commit_callbacks(execute=True):
        response = staff.post(
            f"/inbox/{conversation.pk}/reply/",
            {
                "body": "Here it is",
                "channel": "sms",
                "kind": "reply",
                "files": [upload("IMG_0001.JPG", jpeg_with_gps())],
            },
        )
    assert response.status_code == 302

    with scope(store=world.a):
        message = Message.objects.get(conversation=conversation, direction="out")
        photo = Attachment.objects.get(message=message)
    assert message.status == "sent"
    assert message.body == "Here it is"
    assert (photo.filename, photo.content_type, photo.width, photo.height) == ("IMG_0001.jpg", "image/jpeg", 800, 1200)
    assert len(stored_files(photo_dir)) == 2  # the photo and its thumbnail, nothing else
    for name in (photo.file.name, photo.thumbnail.name):
        assert "IMG" not in name and ".." not in name and name.startswith(f"{world.a.pk}/")

    # Stored upright, with no EXIF (so no GPS), no ICC profile.
    kept = Image.open(photo_dir / photo.file.name)
    assert (kept.format, kept.size) == ("JPEG", (800, 1200))
    assert dict(kept.getexif()) == {}
    assert "exif" not in kept.info and "icc_profile" not in kept.info
    assert kept.getpixel((400, 600))[0] > 180  # the pixels survived the re-encode
    thumb = Image.open(photo_dir / photo.thumbnail.name)
    assert (thumb.format, thumb.size) == ("JPEG", (320, 480))
    assert dict(thumb.getexif()) == {}

    # The provider gets signed absolute links (Twilio's MediaUrl).
    assert message.meta["photos"] == [photo.pk]
    assert len(message.meta["media_urls"]) == 1
    fetched = staff.get(signed_path(message.meta["media_urls"][0]))
    assert fetched.status_code == 200
    assert b"".join(fetched.streaming_content) == (photo_dir / photo.file.name).read_bytes()

    # The thread shows the thumbnail, linking to the photo, with alt text.
    page = staff.get(f"/inbox/{conversation.pk}/").content.decode()
    day = message.created_at.astimezone(world.a.tz).strftime("%-d %b")
    assert (
        f'<a href="/inbox/attachments/{photo.pk}/" target="_blank" rel="noopener">'
        f'<img src="/inbox/attachments/{photo.pk}/thumb/" alt="Photo from {world.a_associate.user.display_name}, {day}"'
    ) in page
    # The inbox list says a photo was sent when there is no text.
    timeline = staff.get(f"/customers/{conversation.customer_id}/").content.decode()
    assert f'<img src="/inbox/attachments/{photo.pk}/thumb/"' in timeline

    # Served to the store's staff with safe headers.
    for path, size in (
        (f"/inbox/attachments/{photo.pk}/", photo.size),
        (f"/inbox/attachments/{photo.pk}/thumb/", None),
    ):
        served = staff.get(path)
        assert served.status_code == 200
        assert served["Content-Type"] == "image/jpeg"
        assert served["X-Content-Type-Options"] == "nosniff"
        assert served["Content-Disposition"] == 'inline; filename="IMG_0001.jpg"'
        assert served["Cache-Control"] == "private, max-age=3600"
        body = b"".join(served.streaming_content)
        assert Image.open(io.BytesIO(body)).format == "JPEG"
        if size is not None:
            assert len(body) == size

    # Another store's staff, or nobody: not served.
    assert browser_client(world.b_owner).get(f"/inbox/attachments/{photo.pk}/").status_code == 404
    assert browser_client(world.b_owner).get(f"/inbox/attachments/{photo.pk}/thumb/").status_code == 404
    anonymous = staff.__class__().get(f"/inbox/attachments/{photo.pk}/")
    assert anonymous.status_code == 302 and "/login" in anonymous["Location"]


def test_a_signed_link_opens_the_photo_for_an_hour_and_not_when_altered(
    world: Any, django_capture_on_commit_callbacks: Any
) -> None:
    conversation = texting_customer(world, django_capture_on_commit_callbacks)
    with django_capture_on_commit_callbacks(execute=True):
        response = api(world.a_owner).post(
            f"/api/v1/conversations/{conversation.pk}/messages",
            {"body": "", "kind": "reply", "files": [upload("ring.jpg", jpeg_with_gps())]},
        )
    assert response.status_code == 201, response.content
    photo_id = response.json()["photos"][0]["id"]
    with scope(store=world.a):
        photo = Attachment.objects.get(pk=photo_id)
    anyone = browser_client(world.b_owner).__class__()  # no session at all
    with time_machine.travel(dt.datetime.now(dt.UTC), tick=False) as traveller:
        path = signed_path(attachment_signed_url(photo, minutes=60))
        thumb_path = signed_path(attachment_signed_url(photo, minutes=60, thumb=True))
        ok = anyone.get(path)
        assert ok.status_code == 200
        assert (ok["Content-Type"], ok["X-Content-Type-Options"], ok["Cache-Control"]) == (
            "image/jpeg",
            "nosniff",
            "private, max-age=3600",
        )
        assert ok["Content-Disposition"] == 'inline; filename="ring.jpg"'
        thumb = anyone.get(thumb_path)
        assert Image.open(io.BytesIO(b"".join(thumb.streaming_content))).size == (320, 480)

        token = path.split("/")[3]
        altered = path.replace(token, token[:-2] + ("AA" if not token.endswith("AA") else "BB"))
        refused = anyone.get(altered)
        assert refused.status_code == 403
        assert refused.json()["error"] == {
            "code": "link_expired",
            "message": "This link has expired or is not valid; ask for a new one.",
            "fields": {},
        }
        assert anyone.get("/media/attachments/../../etc/passwd/").status_code == 404

        traveller.shift(dt.timedelta(minutes=61))
        expired = anyone.get(path)
        assert expired.status_code == 403
        assert expired.json()["error"]["code"] == "link_expired"


def test_the_preview_of_a_photo_without_text_says_photo(world: Any, django_capture_on_commit_callbacks: Any) -> None:
    conversation = texting_customer(world, django_capture_on_commit_callbacks)
    with django_capture_on_commit_callbacks(execute=True):
        response = api(world.a_owner).post(
            f"/api/v1/conversations/{conversation.pk}/messages",
            {"files": [upload("a.jpg", jpeg_with_gps()), upload("b.jpg", jpeg_with_gps())]},
        )
    assert response.status_code == 201, response.content
    assert [p["filename"] for p in response.json()["photos"]] == ["a.jpg", "b.jpg"]
    with scope(store=world.a):
        assert Conversation.objects.get(pk=conversation.pk).last_message_preview == "2 photos"


def _svg() -> bytes:
    return b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>'


@pytest.mark.parametrize(
    ("files", "status", "code", "message"),
    [
        (
            [upload("huge.jpg", b"\xff\xd8" + b"\0" * (15 * 1024 * 1024))],
            413,
            "photo_too_large",
            "“huge.jpg” is 15.0 MB; a photo can be at most 15 MB.",
        ),
        (
            [upload("bomb.png", png_header(30_000, 30_000), "image/png")],
            400,
            "photo_too_many_pixels",
            "“bomb.png” has too many pixels; a photo can have at most 40 megapixels.",
        ),
        (
            [upload("big.png", png_header(8_000, 6_000), "image/png")],
            400,
            "photo_too_many_pixels",
            "“big.png” is 8000 × 6000 pixels; a photo can have at most 40 megapixels.",
        ),
        (
            [upload("photo.jpg", b"<!doctype html><html><script>alert(1)</script></html>")],
            415,
            "not_a_photo",
            "“photo.jpg” is not a JPEG, PNG, WEBP or GIF photo.",
        ),
        (
            [upload("logo.svg", _svg(), "image/svg+xml")],
            415,
            "not_a_photo",
            "“logo.svg” is not a JPEG, PNG, WEBP or GIF photo.",
        ),
        (
            [upload("IMG_2.HEIC", b"\0\0\0\x18ftypheic\0\0\0\0mif1heic" + b"\0" * 64, "image/heic")],
            415,
            "heic_not_supported",
            "“IMG_2.HEIC” is a HEIC photo, which we cannot read yet. HEIC photos: set your phone to “Most compatible” "
            "(Settings › Camera › Formats) or send a screenshot of it.",
        ),
        (
            [upload(f"p{i}.jpg", b"x") for i in range(7)],
            400,
            "too_many_photos",
            "A message can carry at most 6 photos; 7 were attached.",
        ),
    ],
    ids=["over-15MB", "30000x30000-bomb", "48MP", "html-named-jpg", "svg", "heic", "7-files"],
)
def test_a_photo_over_a_limit_or_not_a_photo_is_refused_with_nothing_kept(
    world: Any,
    django_capture_on_commit_callbacks: Any,
    photo_dir: Path,
    files: list[Any],
    status: int,
    code: str,
    message: str,
) -> None:
    conversation = texting_customer(world, django_capture_on_commit_callbacks)
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss  # KiB on Linux
    response = api(world.a_owner).post(
        f"/api/v1/conversations/{conversation.pk}/messages", {"body": "Look", "files": files}
    )
    grown_mib = (resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - before) / 1024
    assert response.status_code == status
    assert response.json() == {"error": {"code": code, "message": message, "fields": {"files": [message]}}}
    assert grown_mib < 60  # never decoded: 30000 × 30000 RGB would be 2.5 GiB
    with scope(store=world.a):
        assert not Message.objects.filter(conversation=conversation, direction="out").exists()
    assert stored_files(photo_dir) == []

    # The composer says the same in a flash message and keeps the draft.
    for f in files:
        f.seek(0)
    staff = browser_client(world.a_associate)
    page = staff.post(
        f"/inbox/{conversation.pk}/reply/", {"body": "Look", "kind": "reply", "files": files}, follow=True
    )
    html = page.content.decode()
    assert message in html
    assert ">Look</textarea>" in html


def test_transparent_png_stays_png_and_an_animated_gif_keeps_its_first_frame(
    world: Any, django_capture_on_commit_callbacks: Any, photo_dir: Path
) -> None:
    conversation = texting_customer(world, django_capture_on_commit_callbacks)
    logo = Image.new("RGBA", (300, 200), (0, 0, 0, 0))
    logo.paste((10, 120, 10, 255), (0, 0, 150, 200))
    png = io.BytesIO()
    logo.save(png, format="PNG")
    frames = [Image.new("RGB", (100, 80), colour) for colour in ((0, 0, 255), (255, 0, 0))]
    gif = io.BytesIO()
    frames[0].save(gif, format="GIF", save_all=True, append_images=frames[1:], duration=100, loop=0)
    response = api(world.a_owner).post(
        f"/api/v1/conversations/{conversation.pk}/messages",
        {
            "kind": "note",
            "files": [upload("logo.png", png.getvalue(), "image/png"), upload("spin.gif", gif.getvalue(), "image/gif")],
        },
    )
    assert response.status_code == 201, response.content
    photos = response.json()["photos"]
    assert [(p["filename"], p["content_type"], p["width"], p["height"]) for p in photos] == [
        ("logo.png", "image/png", 300, 200),
        ("spin.jpg", "image/jpeg", 100, 80),
    ]
    with scope(store=world.a):
        gif_row = Attachment.objects.get(pk=photos[1]["id"])
    first = Image.open(photo_dir / gif_row.file.name).convert("RGB").getpixel((50, 40))
    assert first[2] > 200 and first[0] < 50  # blue: the first frame


class FullDisk(FileSystemStorage):
    """A disk that takes one file and then is full: the second write of a message fails."""

    writes = 0

    def _save(self, name: str, content: Any) -> str:
        FullDisk.writes += 1
        if FullDisk.writes > 1:
            raise OSError(errno.ENOSPC, "No space left on device")
        return super()._save(name, content)


def test_a_storage_failure_saves_nothing_neither_message_nor_files(
    world: Any, django_capture_on_commit_callbacks: Any, tmp_path: Path
) -> None:
    conversation = texting_customer(world, django_capture_on_commit_callbacks)
    disk = tmp_path / "full-disk"
    with override_settings(
        STORAGES={
            **settings.STORAGES,
            "attachments": {"BACKEND": f"{__name__}.FullDisk", "OPTIONS": {"location": str(disk)}},
        }
    ):
        FullDisk.writes = 0
        page = browser_client(world.a_associate).post(
            f"/inbox/{conversation.pk}/reply/",
            {"body": "Here", "kind": "reply", "files": [upload("ring.jpg", jpeg_with_gps())]},
            follow=True,
        )
        assert FullDisk.writes == 2  # the photo was written, its thumbnail was not
        assert "The photos could not be saved (storage is failing); nothing was sent." in page.content.decode()

        FullDisk.writes = 0
        response = api(world.a_owner).post(
            f"/api/v1/conversations/{conversation.pk}/messages",
            {"body": "Here", "files": [upload("ring.jpg", jpeg_with_gps())]},
        )
        assert response.status_code == 503
        assert response.json()["error"]["code"] == "storage_failed"
    with scope(store=world.a):
        assert not Message.objects.filter(conversation=conversation, direction="out").exists()
        assert not Attachment.objects.exists()
    assert stored_files(disk) == []


def test_an_emailed_reply_carries_its_photos_as_attachments(
    world: Any, smtp: Any, django_capture_on_commit_callbacks: Any
) -> None:
    make_customer(world.a, emails=["clara@example.com"])
    with scope(store=world.a), django_capture_on_commit_callbacks(execute=True):
        inbound, _created = message_receive(
            store=world.a,
            channel="email",
            from_address="clara@example.com",
            body="Photos of the ring please",
            provider="email",
            provider_id="<q1@example.com>",
        )
    with django_capture_on_commit_callbacks(execute=True):
        response = api(world.a_owner).post(
            f"/api/v1/conversations/{inbound.conversation_id}/messages",
            {"body": "Here it is", "files": [upload("ring.jpg", jpeg_with_gps())]},
        )
    assert response.status_code == 201, response.content
    assert len(smtp.messages) == 1
    sent = smtp.messages[0]
    parts = [p for p in sent.walk() if p.get_filename()]
    assert [(p.get_filename(), p.get_content_type()) for p in parts] == [("ring.jpg", "image/jpeg")]
    attached = Image.open(io.BytesIO(parts[0].get_payload(decode=True)))
    assert attached.size == (800, 1200)
    assert dict(attached.getexif()) == {}


def test_erasing_the_customer_removes_their_photos_and_thumbnails(
    world: Any, django_capture_on_commit_callbacks: Any, photo_dir: Path
) -> None:
    conversation = texting_customer(world, django_capture_on_commit_callbacks)
    with django_capture_on_commit_callbacks(execute=True):
        response = api(world.a_owner).post(
            f"/api/v1/conversations/{conversation.pk}/messages",
            {"body": "Here", "files": [upload("a.jpg", jpeg_with_gps()), upload("b.jpg", jpeg_with_gps())]},
        )
    assert response.status_code == 201
    assert len(stored_files(photo_dir)) == 4
    with django_capture_on_commit_callbacks(execute=True):
        erased = api(world.a_owner).post(
            f"/api/v1/customers/{conversation.customer_id}/erase",
        )
    assert erased.status_code == 200, erased.content
    assert stored_files(photo_dir) == []
    with scope(store=world.a):
        assert not Attachment.objects.exists()


def test_storage_keys_are_ours_whatever_the_file_is_called(
    world: Any, django_capture_on_commit_callbacks: Any, photo_dir: Path
) -> None:
    conversation = texting_customer(world, django_capture_on_commit_callbacks)
    response = api(world.a_owner).post(
        f"/api/v1/conversations/{conversation.pk}/messages",
        {"body": "x", "files": [upload("../../etc/\u202egpj.exe", jpeg_with_gps())]},
    )
    assert response.status_code == 201, response.content
    assert response.json()["photos"][0]["filename"] == "gpj.jpg"
    files = stored_files(photo_dir)
    assert len(files) == 2
    assert all(f.parent.parent.parent.parent == photo_dir and len(f.name) == 32 for f in files)
    assert attachment_storage().exists(str(files[0].relative_to(photo_dir)))


def test_a_photos_day_is_the_stores_not_utcs(world: Any, django_capture_on_commit_callbacks: Any) -> None:
    conversation = texting_customer(world, django_capture_on_commit_callbacks)
    staff = browser_client(world.a_associate)
    # 01:51 UTC on 24 November is 8:51 PM on the 23rd in New York.
    with time_machine.travel(dt.datetime(2026, 11, 24, 1, 51, tzinfo=dt.UTC), tick=False):
        staff.post(
            f"/inbox/{conversation.pk}/reply/",
            {"body": "The engraving", "channel": "sms", "kind": "reply", "files": [upload("a.jpg", jpeg_with_gps())]},
        )
    with scope(store=world.a):
        photo = Attachment.objects.get()
    alt = f'<img src="/inbox/attachments/{photo.pk}/thumb/" alt="Photo from {world.a_associate.user.display_name}, '
    for page in (f"/inbox/{conversation.pk}/", f"/inbox/{conversation.pk}/messages/?after=0"):
        assert alt + '23 Nov"' in staff.get(page).content.decode()
    timeline = staff.get(f"/customers/{conversation.customer_id}/").content.decode()
    assert alt + '23 Nov"' in timeline
