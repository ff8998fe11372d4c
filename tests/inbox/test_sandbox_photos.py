"""The text sandbox plays a customer texting a photo: it arrives through the pipeline a texted photo goes through."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import override_settings
from django_scopes import scope, scopes_disabled
from PIL import Image

from tests.conftest import browser_client
from tests.messaging.test_photos import jpeg_with_gps
from trunkshow.messaging.models import Attachment, Conversation, Message


@pytest.fixture(autouse=True)
def photo_dir(tmp_path: Path) -> Iterator[Path]:
    with override_settings(ATTACHMENTS_DIR=tmp_path / "attachments"):
        yield tmp_path / "attachments"


def test_a_sandbox_text_with_a_photo_and_a_contact_card_arrives_with_the_photo_attached_and_the_card_said(
    world: Any, django_capture_on_commit_callbacks: Any, photo_dir: Path
) -> None:
    client = browser_client(world.a_associate)
    photo = SimpleUploadedFile("IMG_2041.JPG", jpeg_with_gps(), content_type="image/jpeg")
    card = SimpleUploadedFile("clara.vcf", b"BEGIN:VCARD\r\nEND:VCARD\r\n", content_type="text/vcard")
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            "/inbox/sandbox/", {"phone": "(212) 555-0142", "body": "", "channel": "whatsapp", "photos": [photo, card]}
        )

    assert response.status_code == 302
    with scope(store=world.a):
        message = Message.objects.get(direction="in")
        kept = Attachment.objects.get()
    assert (message.channel, message.provider, message.body) == ("whatsapp", "sandbox", "")
    assert [m["state"] for m in message.meta["media"]] == ["attached", "not_shown"]
    assert (kept.message_id, kept.filename, kept.width, kept.height) == (message.pk, "photo 1.jpg", 800, 1200)
    assert dict(Image.open(photo_dir / kept.file.name).getexif()) == {}
    assert response["Location"] == f"/inbox/{message.conversation_id}/"
    html = client.get(response["Location"]).content.decode()
    assert f'src="/inbox/attachments/{kept.pk}/thumb/"' in html
    assert "The customer sent a contact card (text/vcard); only photos are shown here." in html
    with scopes_disabled():
        assert Conversation.objects.get().last_message_preview == "Photo"


def test_a_sandbox_photo_that_is_not_one_is_said_in_the_thread_and_seven_photos_are_refused(
    world: Any, django_capture_on_commit_callbacks: Any
) -> None:
    client = browser_client(world.a_associate)
    too_many = [SimpleUploadedFile(f"{i}.jpg", b"x", content_type="image/jpeg") for i in range(7)]
    refused = client.post(
        "/inbox/sandbox/", {"phone": "(212) 555-0142", "body": "Hi", "channel": "sms", "photos": too_many}
    )
    assert refused.status_code == 400
    assert "A message can carry at most 6 photos; 7 were attached." in refused.content.decode()
    with scopes_disabled():
        assert Message.objects.count() == 0

    fake = SimpleUploadedFile("ring.jpg", b"<svg onload=alert(1)>", content_type="image/jpeg")
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            "/inbox/sandbox/", {"phone": "(212) 555-0142", "body": "Hi", "channel": "sms", "photos": [fake]}
        )
    assert response.status_code == 302
    html = client.get(response["Location"]).content.decode()
    assert "Photo 1 is not shown: “photo 1.jpg” is not a JPEG, PNG, WEBP or GIF photo." in html
    with scopes_disabled():
        assert Attachment.objects.count() == 0
