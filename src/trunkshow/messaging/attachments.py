"""Keeping the files that come with messages: server-made storage keys, display names, cleanup on failure.

A file is written before its row; if the transaction that holds the row fails, the files written
inside ``files_removed_on_failure`` are deleted, so neither a row without its file nor a file
without its row is left behind. Blocks nest: an inner one hands its files to the outermost, which
deletes them all if anything fails before it ends (a service that writes photos and then more rows).
"""

from __future__ import annotations

import io
import mimetypes
import time
import unicodedata
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar

from django.conf import settings
from django.core import signing
from django.core.files.base import ContentFile
from django.urls import reverse
from django.utils import timezone

from trunkshow.messaging.models import Attachment, Message, attachment_storage
from trunkshow.messaging.photos import Photo, PhotoRefused, photo_prepare
from trunkshow.stores.models import Store

MAX_FILENAME = 150


def display_filename(name: str | None, content_type: str = "") -> str:
    """The sender's file name made safe to show: no path, no control or direction-changing characters."""
    text = unicodedata.normalize("NFC", name or "")
    text = text.replace("\\", "/").rsplit("/", 1)[-1]
    # Cc: control characters (CR, LF, NUL); Cf: format characters, among them the right-to-left
    # override that makes "gpj.exe" read as "exe.jpg"; Cs/Co: surrogates and private use.
    text = "".join(ch for ch in text if unicodedata.category(ch) not in {"Cc", "Cf", "Cs", "Co"})
    text = " ".join(text.split()).lstrip(". ")
    if not text:
        extension = mimetypes.guess_extension(content_type or "") or ""
        return f"attachment{extension}"
    if len(text) > MAX_FILENAME:
        stem, dot, extension = text.rpartition(".")
        if dot and 0 < len(extension) <= 10:
            text = stem[: MAX_FILENAME - len(extension) - 1] + "." + extension
        else:
            text = text[:MAX_FILENAME]
    return text


def storage_key(store: Store) -> str:
    now = timezone.now()
    return f"{store.pk}/{now:%Y}/{now:%m}/{uuid.uuid4().hex}"


class WrittenFiles:
    def __init__(self) -> None:
        self.names: list[str] = []


_outermost: ContextVar[WrittenFiles | None] = ContextVar("trunkshow_written_files", default=None)


@contextmanager
def files_removed_on_failure() -> Iterator[WrittenFiles]:
    outer = _outermost.get()
    if outer is not None:  # the enclosing block deletes these too if it fails later
        yield outer
        return
    written = WrittenFiles()
    reset = _outermost.set(written)
    try:
        yield written
    except BaseException:
        storage = attachment_storage()
        for name in written.names:
            storage.delete(name)
        raise
    finally:
        _outermost.reset(reset)


def attachment_add(
    *, store: Store, message: Message, filename: str, content_type: str, data: bytes, written: WrittenFiles
) -> Attachment:
    """Write the file under a key we make, then its row (inside the caller's transaction)."""
    storage = attachment_storage()
    name = storage.save(storage_key(store), ContentFile(data))
    written.names.append(name)
    return Attachment.objects.create(
        store=store,
        message=message,
        file=name,
        filename=display_filename(filename, content_type),
        content_type=(content_type or "application/octet-stream")[:100],
        size=len(data),
    )


def photo_add(*, store: Store, message: Message, photo: Photo, written: WrittenFiles) -> Attachment:
    """Write a re-encoded photo and its thumbnail under keys we make, then its row."""
    storage = attachment_storage()
    name = storage.save(storage_key(store), ContentFile(photo.data))
    written.names.append(name)
    thumb = storage.save(storage_key(store), ContentFile(photo.thumbnail))
    written.names.append(thumb)
    return Attachment.objects.create(
        store=store,
        message=message,
        file=name,
        thumbnail=thumb,
        filename=photo.filename,
        content_type=photo.content_type,
        size=len(photo.data),
        width=photo.width,
        height=photo.height,
    )


# ---- signed links: for those who are not staff (the provider's fetch, the web-chat visitor) --------

SIGNING_SALT = "trunkshow.messaging.attachment"
PROVIDER_MINUTES = 60


def attachment_token(attachment_id: int, store_id: int, *, minutes: int) -> str:
    expires = int(time.time()) + minutes * 60
    return signing.dumps({"a": attachment_id, "s": store_id, "e": expires}, salt=SIGNING_SALT, compress=False)


def attachment_token_read(token: str) -> tuple[int, int] | None:
    """(store id, attachment id) of a link we signed and that has not expired, else None."""
    try:
        value = signing.loads(token, salt=SIGNING_SALT)
    except signing.BadSignature:
        return None
    if not isinstance(value, dict) or not all(isinstance(value.get(k), int) for k in ("a", "s", "e")):
        return None
    if value["e"] < time.time():
        return None
    return value["s"], value["a"]


def signed_url_for(attachment_id: int, store_id: int, *, minutes: int, thumb: bool = False) -> str:
    path = reverse("attachment_signed", args=[attachment_token(attachment_id, store_id, minutes=minutes)])
    return settings.PUBLIC_URL + path + ("thumb/" if thumb else "")


def attachment_signed_url(attachment: Attachment, *, minutes: int, thumb: bool = False) -> str:
    """An absolute link anyone holding it may open for ``minutes`` (Twilio's MediaUrl, the chat widget)."""
    return signed_url_for(attachment.pk, attachment.store_id, minutes=minutes, thumb=thumb)


def received_file_add(
    *, store: Store, message: Message, filename: str, content_type: str, data: bytes, written: WrittenFiles
) -> Attachment:
    """A file a customer sent, kept byte for byte as it came.

    When it is an image Pillow can read among the formats we allow, it also gets a re-encoded
    thumbnail (no metadata) and its real type, and is then shown inline in the thread; anything
    else is only ever served as a download.
    """
    attachment = attachment_add(
        store=store, message=message, filename=filename, content_type=content_type, data=data, written=written
    )
    if not content_type.lower().startswith("image/"):
        return attachment
    try:
        photo = photo_prepare(io.BytesIO(data), filename=filename, size=len(data))
    except PhotoRefused:
        return attachment
    storage = attachment_storage()
    thumb = storage.save(storage_key(store), ContentFile(photo.thumbnail))
    written.names.append(thumb)
    attachment.thumbnail = thumb
    attachment.content_type = photo.source_type
    attachment.width, attachment.height = photo.width, photo.height
    attachment.save(update_fields=["thumbnail", "content_type", "width", "height"])
    return attachment
