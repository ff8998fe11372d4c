"""Receiving an import file over HTTP without ever holding more than the limit.

A declared length over the limit is refused before the body is read; a body that turns out
longer (no length, or a lying one) is cut off by the upload handler while it streams.
"""

from __future__ import annotations

from typing import Any

from django.core.files.uploadhandler import StopUpload, TemporaryFileUploadHandler
from django.http import HttpRequest

from trunkshow.customers.importing.reading import MAX_FILE_BYTES

# Room for the multipart envelope and the other form fields around the file.
ENVELOPE_BYTES = 64 * 1024


class LimitedUpload(TemporaryFileUploadHandler):
    """Streams the file to a temporary file and stops reading once it passes the limit."""

    too_large = False

    def __init__(self, request: HttpRequest, limit: int = MAX_FILE_BYTES) -> None:
        super().__init__(request)
        self.limit = limit

    def receive_data_chunk(self, raw_data: bytes, start: int) -> bytes | None:
        if start + len(raw_data) > self.limit:
            self.too_large = True
            raise StopUpload(connection_reset=False)
        return super().receive_data_chunk(raw_data, start)


def declared_too_large(request: HttpRequest) -> bool:
    try:
        length = int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        return False
    return length > MAX_FILE_BYTES + ENVELOPE_BYTES


def limit_uploads(request: HttpRequest) -> LimitedUpload:
    """Put the limiting handler in front; call before anything reads request.POST or FILES.

    A body declared longer than the limit keeps its small fields (the CSRF token) and no file."""
    handler = LimitedUpload(request, limit=-1 if declared_too_large(request) else MAX_FILE_BYTES)
    request.upload_handlers = [handler]
    return handler


def uploaded_file(request: HttpRequest, handler: LimitedUpload, name: str = "file") -> Any:
    """The uploaded file, or None; ``handler.too_large`` says when it was cut off."""
    files = request.FILES
    return None if handler.too_large else files.get(name)
