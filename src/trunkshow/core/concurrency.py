"""At most ``WEB_REQUEST_LIMIT`` HTTP requests of a web process inside Django at once.

Django runs each request's view in a thread of its own under ASGI, with no bound: a burst of
webhooks became as many threads, each with its own database connection, all contending for the
interpreter and, on SQLite, for the one write lock; past its 5 s wait a text was refused (503)
and lost, since Twilio does not retry an inbound webhook (bench/inbound.py, docs/benchmarks.md).
Requests beyond the limit wait here, in the event loop (a waiting request costs no thread), in
arrival order, and each is let in when an earlier one has its answer started: a streamed export
frees its place once its headers are out, not when its last row is. ``/healthz`` never waits, so
a busy process is not taken for a dead one.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, MutableMapping
from typing import Any

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
App = Callable[[Scope, Receive, Send], Awaitable[None]]

UNLIMITED_PATHS = frozenset({"/healthz"})


class RequestLimit:
    def __init__(self, app: App, limit: int) -> None:
        self.app = app
        self.limit = limit
        self._slots: asyncio.Semaphore | None = None

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope.get("path") in UNLIMITED_PATHS:
            await self.app(scope, receive, send)
            return
        if self._slots is None:  # made in the server's event loop, on the first request
            self._slots = asyncio.Semaphore(self.limit)
        slots = self._slots
        await slots.acquire()
        held = True

        def release() -> None:
            nonlocal held
            if held:
                held = False
                slots.release()

        async def sending(message: Message) -> None:
            if message["type"] == "http.response.start":
                release()
            await send(message)

        try:
            await self.app(scope, receive, sending)
        finally:
            release()
