"""Photos from the web-chat visitor: sent through the widget's API, re-encoded like staff photos,
kept all or nothing, and opened only with the visitor's token (or by the store's staff)."""

from __future__ import annotations

import io
import resource
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from django.core.cache import cache
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client, override_settings
from django_scopes import scope, scopes_disabled
from PIL import Image

from tests.conftest import World, browser_client
from tests.messaging import test_photos, test_widget_api
from tests.messaging.test_photos import GPS_IFD, jpeg_with_gps, png_header, stored_files
from tests.messaging.test_widget_api import SITE, count, get, post, start, visitor
from trunkshow.messaging import hooks
from trunkshow.messaging.models import Attachment, Conversation, Message, WebchatVisitor
from trunkshow.messaging.services import message_send, note_add, webchat_message_receive

XSS_NAME = "<img src=x onerror=alert(1)>.png"
site = test_widget_api.site  # fixture: store A's chat allowed on SITE, store B's on its own site
photo_dir = test_photos.photo_dir  # fixture (autouse): attachments in a fresh folder per test


@pytest.fixture(autouse=True)
def _fresh_rate_limits() -> None:
    cache.clear()


def upload(name: str, data: bytes, content_type: str = "image/jpeg") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, data, content_type=content_type)


def transparent_png(width: int = 300, height: int = 200) -> bytes:
    logo = Image.new("RGBA", (width, height), (0, 0, 0, 0))
    logo.paste((10, 120, 10, 255), (0, 0, width // 2, height))
    out = io.BytesIO()
    logo.save(out, format="PNG")
    return out.getvalue()


def send_photos(client: Client, conversation: int, token: str, files: list[Any], body: str = "") -> Any:
    data: dict[str, Any] = {"files": files}
    if body:
        data["body"] = body
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    return client.post(f"/widget/api/atelier/conversations/{conversation}/photos", data, headers=headers)


def photo_url(conversation: int, photo: int, thumb: bool = False, slug: str = "atelier") -> str:
    return f"/widget/api/{slug}/conversations/{conversation}/photos/{photo}" + ("/thumb" if thumb else "")


def body_of(response: Any) -> bytes:
    return b"".join(response.streaming_content)


def test_a_visitor_sends_photos_with_words_kept_without_their_location_and_shown_to_both_sides(
    site: World, django_capture_on_commit_callbacks: Any, photo_dir: Path
) -> None:
    client = visitor()
    chat = start(client).json()
    with django_capture_on_commit_callbacks(execute=True):
        response = send_photos(
            client,
            chat["conversation"],
            chat["token"],
            [upload("IMG_0001.JPG", jpeg_with_gps()), upload("logo.png", transparent_png(), "image/png")],
            body="Like this one, in gold?",
        )
    assert response.status_code == 201, response.content
    assert response["Access-Control-Allow-Origin"] == SITE

    with scope(store=site.a):
        message = Message.objects.get(direction="in", body="Like this one, in gold?")
        ring, logo = Attachment.objects.filter(message=message).order_by("id")
        conversation = Conversation.objects.get(pk=chat["conversation"])
    assert response.json()["message"] == {
        "id": message.pk,
        "from": "visitor",
        "body": "Like this one, in gold?",
        "author": "",
        "at": message.created_at.isoformat(),
        "photos": [
            {"id": ring.pk, "name": "IMG_0001.jpg", "width": 800, "height": 1200},
            {"id": logo.pk, "name": "logo.png", "width": 300, "height": 200},
        ],
    }
    assert (message.channel, message.status, message.meta) == ("webchat", "received", {"photos": [ring.pk, logo.pk]})
    assert conversation.last_message_preview == "Like this one, in gold?"
    assert len(stored_files(photo_dir)) == 4  # two photos, two thumbnails

    # What is kept was written by Pillow from the pixels: upright, no EXIF (so no GPS), no ICC profile.
    kept = Image.open(photo_dir / ring.file.name)
    assert (kept.format, kept.size, dict(kept.getexif())) == ("JPEG", (800, 1200), {})
    assert "icc_profile" not in kept.info
    assert Image.open(io.BytesIO(jpeg_with_gps())).getexif().get_ifd(GPS_IFD)  # the upload had a position
    assert Image.open(photo_dir / logo.file.name).mode == "RGBA"

    # The visitor opens the photo and its thumbnail with their token, from the store's website.
    for thumb, size in ((False, (800, 1200)), (True, (320, 480))):
        served = get(client, photo_url(chat["conversation"], ring.pk, thumb), chat["token"])
        assert served.status_code == 200
        assert (served["Content-Type"], served["X-Content-Type-Options"]) == ("image/jpeg", "nosniff")
        assert served["Cache-Control"] == "private, max-age=3600"
        assert served["Access-Control-Allow-Origin"] == SITE
        assert Image.open(io.BytesIO(body_of(served))).size == size
    assert (
        body_of(get(client, photo_url(chat["conversation"], ring.pk), chat["token"]))
        == (photo_dir / ring.file.name).read_bytes()
    )

    # The store's staff see them in the thread and open them; another store's staff do not.
    staff = browser_client(site.a_associate)
    page = staff.get(f"/inbox/{chat['conversation']}/").content.decode()
    assert f'<img src="/inbox/attachments/{ring.pk}/thumb/" alt="Photo from the visitor, ' in page
    assert staff.get(f"/inbox/attachments/{logo.pk}/").status_code == 200
    assert browser_client(site.b_owner).get(f"/inbox/attachments/{logo.pk}/").status_code == 404

    # The live event carries the photos, so the visitor's socket and the inbox show them at once.
    with scope(store=site.a):
        from trunkshow.core.models import LiveEvent

        event = LiveEvent.objects.filter(kind="message", topic=f"conversation:{conversation.pk}").order_by("-id")[0]
    assert event.payload["photos"] == 2
    assert event.payload["photo_list"] == response.json()["message"]["photos"]


def test_a_photo_alone_can_start_a_conversation(site: World, photo_dir: Path) -> None:
    client = visitor()
    response = client.post(
        "/widget/api/atelier/conversations", {"files": [upload("ring.jpg", jpeg_with_gps())], "page": f"{SITE}/rings"}
    )
    assert response.status_code == 201, response.content
    data = response.json()
    assert data["message"]["body"] == ""
    assert [p["name"] for p in data["message"]["photos"]] == ["ring.jpg"]
    with scope(store=site.a):
        conversation = Conversation.objects.get()
        assert conversation.last_message_preview == "Photo"
        assert Message.objects.get().meta == {"page": f"{SITE}/rings", "photos": [data["message"]["photos"][0]["id"]]}
    assert (
        get(client, photo_url(data["conversation"], data["message"]["photos"][0]["id"]), data["token"]).status_code
        == 200
    )


def test_the_widget_config_tells_the_photo_limits(site: World) -> None:
    assert visitor().get("/widget/api/atelier/config").json()["photos"] == {
        "max_count": 6,
        "max_bytes": 15 * 1024 * 1024,
        "max_mb": 15,
        "max_megapixels": 40,
        "types": "image/jpeg image/png image/webp image/gif",
    }


# A factory per case: a file the test client has read once would be empty the next time.
BAD_UPLOADS = [
    pytest.param(
        lambda: [upload("photo.jpg", b"<!doctype html><html><script>alert(1)</script></html>")],
        415,
        "not_a_photo",
        "“photo.jpg” is not a JPEG, PNG, WEBP or GIF photo.",
        id="html-named-jpg",
    ),
    pytest.param(
        lambda: [upload("bomb.png", png_header(30_000, 30_000), "image/png")],
        400,
        "photo_too_many_pixels",
        "“bomb.png” has too many pixels; a photo can have at most 40 megapixels.",
        id="30000x30000-png-bomb",
    ),
    pytest.param(
        lambda: [upload("big.png", png_header(8_000, 6_000), "image/png")],
        400,
        "photo_too_many_pixels",
        "“big.png” is 8000 × 6000 pixels; a photo can have at most 40 megapixels.",
        id="48-megapixels",
    ),
    pytest.param(
        lambda: [upload("huge.jpg", b"\xff\xd8" + b"\0" * (15 * 1024 * 1024))],
        413,
        "photo_too_large",
        "“huge.jpg” is 15.0 MB; a photo can be at most 15 MB.",
        id="over-15MB",
    ),
    pytest.param(
        lambda: [upload("empty.jpg", b"")],
        400,
        "photo_empty",
        "“empty.jpg” is empty (0 bytes); choose the photo again.",
        id="empty-file",
    ),
    pytest.param(
        lambda: [upload("ok.jpg", jpeg_with_gps(60, 40)), upload("note.jpg", b"just words")],
        415,
        "not_a_photo",
        "“note.jpg” is not a JPEG, PNG, WEBP or GIF photo.",
        id="one-good-one-bad",
    ),
    pytest.param(
        lambda: [upload(f"p{i}.jpg", b"x") for i in range(7)],
        400,
        "too_many_photos",
        "A message can carry at most 6 photos; 7 were attached.",
        id="7-files",
    ),
]


@pytest.mark.parametrize(("files", "status", "code", "message"), BAD_UPLOADS)
def test_a_refused_photo_refuses_the_message_with_the_reason_and_keeps_nothing(
    site: World, photo_dir: Path, files: Any, status: int, code: str, message: str
) -> None:
    client = visitor()
    chat = start(client).json()
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss  # KiB on Linux
    response = send_photos(client, chat["conversation"], chat["token"], files(), body="Look")
    grown_mib = (resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - before) / 1024
    assert response.status_code == status
    assert response.json() == {"error": {"code": code, "message": message, "fields": {"files": [message]}}}
    assert response["Access-Control-Allow-Origin"] == SITE  # the widget can read the reason
    assert grown_mib < 60  # a bomb is refused from its header, never decoded
    assert (count(Message), count(Attachment)) == (1, 0)
    assert stored_files(photo_dir) == []


@pytest.mark.parametrize(("files", "status", "code", "message"), BAD_UPLOADS[:2])
def test_a_first_message_with_a_refused_photo_starts_nothing(
    site: World, photo_dir: Path, files: Any, status: int, code: str, message: str
) -> None:
    response = visitor().post("/widget/api/atelier/conversations", {"body": "Hello", "files": files()})
    assert response.status_code == status
    assert response.json()["error"]["code"] == code
    assert (count(Conversation), count(Message), count(WebchatVisitor), count(Attachment)) == (0, 0, 0, 0)
    assert stored_files(photo_dir) == []


def test_no_photo_or_not_a_form_is_refused_with_a_clear_reason(site: World, photo_dir: Path) -> None:
    client = visitor()
    chat = start(client).json()
    none = send_photos(client, chat["conversation"], chat["token"], [], body="only words")
    assert none.status_code == 400
    assert none.json()["error"]["fields"] == {"files": ["Choose at least one photo to send."]}
    as_json = post(
        client, f"/widget/api/atelier/conversations/{chat['conversation']}/photos", {"body": "x"}, chat["token"]
    )
    assert as_json.status_code == 400
    assert as_json.json()["error"] == {
        "code": "bad_request",
        "message": "Send photos as multipart/form-data, each in a field named files.",
        "fields": {},
    }
    too_long = send_photos(client, chat["conversation"], chat["token"], [upload("a.jpg", jpeg_with_gps())], "x" * 5001)
    assert too_long.status_code == 400
    assert list(too_long.json()["error"]["fields"]) == ["body"]
    # A request announcing more than six photos at their limit is refused before it is read.
    huge = client.post(
        f"/widget/api/atelier/conversations/{chat['conversation']}/photos",
        {"files": [upload("a.jpg", b"x")]},
        headers={"Authorization": f"Bearer {chat['token']}"},
        CONTENT_LENGTH=str(92 * 1024 * 1024),
    )
    assert huge.status_code == 413
    assert huge.json()["error"]["message"] == "These photos are 92 MB together; a message can carry at most 91 MB."
    assert (count(Message), count(Attachment)) == (1, 0)
    assert stored_files(photo_dir) == []


def test_photos_need_the_conversations_own_token_anything_else_is_a_404(site: World, photo_dir: Path) -> None:
    client = visitor()
    mine, theirs = start(client).json(), start(client, "Someone else").json()
    sent = send_photos(client, mine["conversation"], mine["token"], [upload("ring.jpg", jpeg_with_gps())])
    photo = sent.json()["message"]["photos"][0]["id"]
    files_before = stored_files(photo_dir)

    for conversation, token in (
        (theirs["conversation"], mine["token"]),  # another conversation's id with my token
        (mine["conversation"], theirs["token"]),  # my conversation with another visitor's token
        (mine["conversation"], ""),
        (mine["conversation"], "x" * 43),
    ):
        refused = send_photos(client, conversation, token, [upload("more.jpg", jpeg_with_gps())])
        assert refused.status_code == 404
        assert refused.json()["error"]["code"] == "not_found"
        for thumb in (False, True):
            assert get(client, photo_url(conversation, photo, thumb), token).status_code == 404
    # My photo id under the other conversation with its own token: not theirs to open.
    assert get(client, photo_url(theirs["conversation"], photo), theirs["token"]).status_code == 404
    # Another store's widget with my token and ids: nobody there.
    bijoux = visitor("https://bijoux.example")
    assert get(bijoux, photo_url(mine["conversation"], photo, slug="bijoux"), mine["token"]).status_code == 404
    # An origin not on the store's list cannot even ask.
    assert (
        get(visitor("https://evil.example"), photo_url(mine["conversation"], photo), mine["token"]).status_code == 403
    )
    assert (count(Message), count(Attachment)) == (3, 1)
    assert stored_files(photo_dir) == files_before


def test_another_stores_conversation_takes_no_photos(world: World, site: World, photo_dir: Path) -> None:
    bijoux = visitor("https://bijoux.example")
    theirs = post(bijoux, "/widget/api/bijoux/conversations", {"body": "Bonjour"}).json()
    client = visitor()
    mine = start(client).json()
    # Store A's widget, store B's conversation id, with store B's own token: still a 404 on A.
    response = client.post(
        f"/widget/api/atelier/conversations/{theirs['conversation']}/photos",
        {"files": [upload("ring.jpg", jpeg_with_gps())]},
        headers={"Authorization": f"Bearer {theirs['token']}"},
    )
    assert response.status_code == 404
    assert (
        send_photos(client, theirs["conversation"], mine["token"], [upload("r.jpg", jpeg_with_gps())]).status_code
        == 404
    )
    assert count(Attachment) == 0
    assert stored_files(photo_dir) == []


def test_the_visitor_sees_staff_photos_but_never_a_notes(
    site: World, django_capture_on_commit_callbacks: Any, django_assert_max_num_queries: Any, photo_dir: Path
) -> None:
    from trunkshow.messaging.photos import photo_prepare

    client = visitor()
    chat = start(client).json()
    with scope(store=site.a), django_capture_on_commit_callbacks(execute=True):
        conversation = Conversation.objects.get(pk=chat["conversation"])
        note = note_add(
            store=site.a,
            actor=site.a_associate.user,
            conversation=conversation,
            body="Stock photo, internal",
            photos=[photo_prepare(io.BytesIO(jpeg_with_gps(100, 100)), filename="stock.jpg")],
        )
        reply = message_send(
            store=site.a,
            actor=site.a_associate.user,
            conversation=conversation,
            body="Here is the ring",
            photos=[photo_prepare(io.BytesIO(jpeg_with_gps(300, 200)), filename="ring.jpg")],
        )
        note_photo = Attachment.objects.get(message=note)
        reply_photo = Attachment.objects.get(message=reply)
    with django_assert_max_num_queries(6):  # photos come in one query whatever the number of messages
        read = get(client, f"/widget/api/atelier/conversations/{chat['conversation']}/messages?after=0", chat["token"])
    assert [(m["from"], m["body"], m["photos"]) for m in read.json()["messages"]] == [
        ("visitor", "Do you resize rings?", []),
        ("store", "Here is the ring", [{"id": reply_photo.pk, "name": "ring.jpg", "width": 200, "height": 300}]),
    ]
    assert get(client, photo_url(chat["conversation"], reply_photo.pk, True), chat["token"]).status_code == 200
    for thumb in (False, True):
        hidden = get(client, photo_url(chat["conversation"], note_photo.pk, thumb), chat["token"])
        assert hidden.status_code == 404


def test_a_burst_of_photo_messages_or_photo_reads_is_throttled_and_nothing_extra_is_stored(
    site: World, settings: Any, photo_dir: Path
) -> None:
    client = visitor()
    chat = start(client).json()
    settings.WIDGET_RATE_LIMITS = {"photos": (2, 600), "photo": (3, 60)}
    statuses = [
        send_photos(
            client, chat["conversation"], chat["token"], [upload(f"{i}.jpg", jpeg_with_gps(60, 40))]
        ).status_code
        for i in range(4)
    ]
    assert statuses == [201, 201, 429, 429]
    refused = send_photos(client, chat["conversation"], chat["token"], [upload("x.jpg", jpeg_with_gps(60, 40))])
    assert refused.json()["error"]["code"] == "throttled"
    assert 1 <= int(refused["Retry-After"]) <= 600
    assert (count(Message), count(Attachment), len(stored_files(photo_dir))) == (3, 2, 4)
    with scope(store=site.a):
        photo = Attachment.objects.order_by("id").first()
    reads = [get(client, photo_url(chat["conversation"], photo.pk, True), chat["token"]).status_code for _ in range(5)]
    assert reads == [200, 200, 200, 429, 429]


def test_a_failure_after_the_photos_are_written_removes_them_with_the_message(
    site: World, photo_dir: Path, monkeypatch: Any
) -> None:
    from trunkshow.messaging.photos import photo_prepare

    def failing_hook(store: Any, conversation: Any, message: Any) -> None:
        raise RuntimeError("the inbox could not assign the conversation")

    monkeypatch.setitem(hooks._INBOUND, "failing", failing_hook)
    with scope(store=site.a), pytest.raises(RuntimeError):
        webchat_message_receive(
            store=site.a,
            conversation=None,
            body="",
            photos=[photo_prepare(io.BytesIO(jpeg_with_gps(60, 40)), filename="ring.jpg")],
        )
    assert (count(Conversation), count(Message), count(Attachment)) == (0, 0, 0)
    assert stored_files(photo_dir) == []


def test_a_failing_disk_keeps_nothing_and_says_so(site: World, tmp_path: Path) -> None:
    from tests.messaging.test_photos import FullDisk

    client = visitor()
    chat = start(client).json()
    disk = tmp_path / "full-disk"
    with override_settings(
        STORAGES={
            **settings.STORAGES,
            "attachments": {"BACKEND": "tests.messaging.test_photos.FullDisk", "OPTIONS": {"location": str(disk)}},
        }
    ):
        FullDisk.writes = 0
        response = send_photos(client, chat["conversation"], chat["token"], [upload("ring.jpg", jpeg_with_gps())])
    assert FullDisk.writes == 2  # the photo was written, its thumbnail was not
    assert response.status_code == 503
    assert response.json()["error"]["code"] == "storage_failed"
    assert (count(Message), count(Attachment)) == (1, 0)
    assert stored_files(disk) == []


def test_a_file_name_with_markup_is_kept_as_text(site: World, photo_dir: Path) -> None:
    client = visitor()
    chat = start(client).json()
    response = send_photos(
        client, chat["conversation"], chat["token"], [upload(XSS_NAME, transparent_png(), "image/png")]
    )
    assert response.status_code == 201
    assert response["Content-Type"] == "application/json"
    assert [p["name"] for p in response.json()["message"]["photos"]] == [XSS_NAME]
    with scopes_disabled():
        photo = Attachment.objects.get()
    served = get(client, photo_url(chat["conversation"], photo.pk), chat["token"])
    assert served["Content-Disposition"] == 'inline; filename="<img src=x onerror=alert(1)>.png"'
    assert served["Content-Security-Policy"].endswith("sandbox")
