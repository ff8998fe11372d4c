"""Keeping the files that come with messages: server-made storage keys, display names, cleanup on failure.

A file is written before its row; if the transaction that holds the row fails, the files written
inside ``files_removed_on_failure`` are deleted, so neither a row without its file nor a file
without its row is left behind.
"""

from __future__ import annotations

import mimetypes
import unicodedata
import uuid
from collections.abc import Iterator
from contextlib import contextmanager

from django.core.files.base import ContentFile
from django.utils import timezone

from trunkshow.messaging.models import Attachment, Message, attachment_storage
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


@contextmanager
def files_removed_on_failure() -> Iterator[WrittenFiles]:
    written = WrittenFiles()
    try:
        yield written
    except BaseException:
        storage = attachment_storage()
        for name in written.names:
            storage.delete(name)
        raise


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
