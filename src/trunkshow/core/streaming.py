"""Streamed answers under ASGI: read a piece at a time in a worker thread, never gathered first.

Django's ASGI handler can only stream an async iterator; given a sync one (WhiteNoise's static
files, a message's attachment, any ``FileResponse``) it warns and reads the whole of it into a
list before the first byte goes out, so a file or a long stream sat in memory at once. This
middleware, outermost, turns such a stream into an async one as the answer leaves: a file is read
in blocks in a worker thread, any other iterator advanced one piece at a time in the request's
sync thread (where a view's generator may use the database). Under WSGI and the test client a
sync stream is served as it is. A view that already streams an async iterator (the customer
export) is left alone.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from typing import Any, BinaryIO

from asgiref.sync import iscoroutinefunction, markcoroutinefunction, sync_to_async
from django.core.handlers.asgi import ASGIRequest
from django.http import HttpRequest
from django.http.response import HttpResponseBase, StreamingHttpResponse

BLOCK = 2**16  # what Django's ASGI handler reads a file response in
_END = object()


async def file_pieces(filelike: BinaryIO, block: int = BLOCK) -> AsyncIterator[bytes]:
    """A file's bytes in blocks, each read in a worker thread (the event loop never waits on a disk)."""
    read = sync_to_async(filelike.read, thread_sensitive=False)
    while piece := await read(block):
        yield piece


async def iterator_pieces(iterator: Iterator[Any]) -> AsyncIterator[Any]:
    """A sync iterator's pieces, one at a time, each produced in the request's sync thread."""

    def step() -> Any:
        return next(iterator, _END)

    advance = sync_to_async(step, thread_sensitive=True)
    while (piece := await advance()) is not _END:
        yield piece


def streamed_async(response: HttpResponseBase) -> HttpResponseBase:
    """The response with a sync stream swapped for an async one (the same bytes, as they are read)."""
    if not isinstance(response, StreamingHttpResponse) or response.is_async:
        return response
    filelike = getattr(response, "file_to_stream", None)
    # The file, or the iterator, is already among the response's closers: closed once it is sent.
    if filelike is not None:
        response.streaming_content = file_pieces(filelike)
    else:
        response.streaming_content = iterator_pieces(iter(response.streaming_content))  # type: ignore[arg-type]  # sync, checked above
    return response


class AsyncStreamingMiddleware:
    """Whichever mode Django runs it in (sync, behind a sync middleware, even under ASGI), the swap
    is decided by the request: the async stream is only read later, by the ASGI handler."""

    sync_capable = True
    async_capable = True

    def __init__(self, get_response: Callable[[HttpRequest], Any]) -> None:
        self.get_response = get_response
        self.is_async = iscoroutinefunction(get_response)
        if self.is_async:
            markcoroutinefunction(self)

    def __call__(self, request: HttpRequest) -> HttpResponseBase | Awaitable[HttpResponseBase]:
        if self.is_async:
            return self._serve_async(request)
        return _for(request, self.get_response(request))

    async def _serve_async(self, request: HttpRequest) -> HttpResponseBase:
        return _for(request, await self.get_response(request))


def _for(request: HttpRequest, response: HttpResponseBase) -> HttpResponseBase:
    return streamed_async(response) if isinstance(request, ASGIRequest) else response
