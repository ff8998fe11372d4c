"""Websockets: a web-chat visitor's conversation, and the staff's live feed of their store.

Both join a channel group after checking who is asking, forward ``live.event`` messages, and on
``{"type": "resume", "after": <event id>}`` send what was missed since that id, in order, each
event once. A frame over 64 kB closes the socket.
"""

from __future__ import annotations

import asyncio
import json
from types import SimpleNamespace
from typing import Any
from urllib.parse import parse_qs

from channels.db import database_sync_to_async
from channels.generic.websocket import AsyncWebsocketConsumer
from channels.layers import InMemoryChannelLayer
from django_scopes import scope, scopes_disabled

from trunkshow.core.events import BACKFILL_LIMIT, PUSHED_HERE, as_dict, events_since, group_name
from trunkshow.core.limits import WS_MAX_FRAME
from trunkshow.core.models import LiveEvent
from trunkshow.messaging.channels.webchat import selectors
from trunkshow.stores.middleware import membership_for_session
from trunkshow.stores.models import Store

MAX_FRAME = WS_MAX_FRAME
POLL_SECONDS = 2.0  # only with the in-process channel layer (no Redis)
CLOSE_TOO_BIG = 1009
# Refusals after the handshake would leak which part was wrong; before it, the server answers 403.


def _header(scope_: dict[str, Any], name: bytes) -> str:
    for key, value in scope_.get("headers", []):
        if key == name:
            return str(value.decode("latin-1"))
    return ""


class _Relay:
    """Without Redis the channel layer lives in this process only: events published by the worker
    (delivery statuses) or another web process would never arrive. One task per process reads the
    events table every POLL_SECONDS while some socket is open, and hands each new event to its
    group on the in-process layer, as publishing does, except those this process published itself
    (already sent); sockets drop ids they have already sent.
    (One reader for the process, not one per socket: a thousand sockets each reading every two
    seconds kept a web process's CPU busy with nothing but those reads.)"""

    def __init__(self) -> None:
        self.sockets = 0
        self.task: asyncio.Task[None] | None = None
        self.started = asyncio.Event()
        self.after = 0

    async def join(self, layer: Any) -> None:
        self.sockets += 1
        # The reader is made before the first await: sockets joining while it reads its starting
        # position (a reconnect storm) find it there instead of each starting one that runs forever.
        if self.task is None or self.task.done():
            self.started = asyncio.Event()
            self.task = asyncio.create_task(self._run(layer, self.started))
        # The position is read before the socket's resume is answered: events after it are relayed,
        # events before it are in the resume's backfill.
        await self.started.wait()

    def leave(self) -> None:
        self.sockets = max(0, self.sockets - 1)
        if not self.sockets and self.task is not None:
            self.task.cancel()
            self.task = None

    @staticmethod
    def _latest() -> int:
        with scopes_disabled():  # the process's newest event, of any store: only a position
            return int(LiveEvent.objects.order_by("-id").values_list("id", flat=True).first() or 0)

    def _new(self) -> list[LiveEvent]:
        with scopes_disabled():  # each event goes to its own store's group below
            return list(LiveEvent.objects.filter(id__gt=self.after).order_by("id")[:BACKFILL_LIMIT])

    async def _run(self, layer: Any, started: asyncio.Event) -> None:
        try:
            self.after = await database_sync_to_async(self._latest)()
        finally:
            started.set()  # also when the read failed: the sockets go on without a reader (the next join retries)
        while True:
            await asyncio.sleep(POLL_SECONDS)
            for row in await database_sync_to_async(self._new)():
                self.after = max(self.after, row.pk)
                if row.pk in PUSHED_HERE:  # published in this process: already sent (forgotten below)
                    continue
                await layer.group_send(group_name(row.store_id, row.topic), {"type": "live.event", **as_dict(row)})
            PUSHED_HERE.difference_update([pk for pk in PUSHED_HERE.copy() if pk <= self.after])  # copy: threads add


_RELAYS: dict[int, _Relay] = {}  # per event loop: tests run several servers in one process


def _relay() -> _Relay:
    return _RELAYS.setdefault(id(asyncio.get_running_loop()), _Relay())


class _LiveConsumer(AsyncWebsocketConsumer):
    """Shared by both sockets: frame limit, resume, and de-duplication by event id."""

    store: Store
    topic: str
    group: str

    async def connect(self) -> None:
        self.seen: set[int] = set()
        self.relayed = False
        if not await self.authorise():
            await self.close()
            return
        self.group = group_name(self.store.pk, self.topic)
        await self.channel_layer.group_add(self.group, self.channel_name)
        await self.accept()
        if isinstance(self.channel_layer, InMemoryChannelLayer):
            await _relay().join(self.channel_layer)
            self.relayed = True

    async def disconnect(self, code: int) -> None:
        if getattr(self, "relayed", False):
            _relay().leave()
            self.relayed = False
        group = getattr(self, "group", None)
        if group:
            await self.channel_layer.group_discard(group, self.channel_name)

    async def receive(self, text_data: str | None = None, bytes_data: bytes | None = None) -> None:
        size = len(text_data.encode()) if text_data is not None else len(bytes_data or b"")
        if size > MAX_FRAME:
            await self.close(code=CLOSE_TOO_BIG)
            return
        try:
            data = json.loads(text_data or "")
        except ValueError:
            return
        # "since" is what the inbox page sends; "resume" what the widget sends: the same request.
        if isinstance(data, dict) and data.get("type") in ("resume", "since"):
            after = data.get("after", 0)
            if isinstance(after, int) and not isinstance(after, bool) and after >= 0:
                for event in await database_sync_to_async(self.backfill)(after):
                    await self.forward(event)

    async def live_event(self, event: dict[str, Any]) -> None:
        shaped = self.shape({k: v for k, v in event.items() if k != "type"})
        if shaped is not None:
            await self.forward(shaped)

    async def forward(self, shaped: dict[str, Any]) -> None:
        # A live event can also arrive in the backfill of a resume: the visitor sees it once.
        event_id = int(shaped.get("event") or shaped.get("id") or 0)
        if event_id in self.seen:
            return
        self.seen.add(event_id)
        await self.send(text_data=json.dumps(shaped))

    async def authorise(self) -> bool:
        raise NotImplementedError

    def backfill(self, after: int) -> list[dict[str, Any]]:
        raise NotImplementedError

    def shape(self, event: dict[str, Any]) -> dict[str, Any] | None:
        return event


class WidgetConsumer(_LiveConsumer):
    """``ws/widget/<store>/?token=...``: the visitor's own conversation, from an allowed origin only."""

    conversation_id: int

    async def authorise(self) -> bool:
        slug = self.scope["url_route"]["kwargs"]["store_slug"]
        token = parse_qs(self.scope.get("query_string", b"").decode("latin-1")).get("token", [""])[0]
        found = await database_sync_to_async(selectors.visitor_socket)(
            slug=slug, token=token, origin=_header(self.scope, b"origin")
        )
        if found is None:
            return False
        self.store, self.conversation_id = found
        self.topic = f"conversation:{self.conversation_id}"
        return True

    def backfill(self, after: int) -> list[dict[str, Any]]:
        with scope(store=self.store):
            return selectors.widget_events_since(store=self.store, conversation_id=self.conversation_id, after_id=after)

    def shape(self, event: dict[str, Any]) -> dict[str, Any] | None:
        return selectors.widget_event(event)


class StaffConsumer(_LiveConsumer):
    """``ws/staff/``: everything that happens in the logged-in member's store (session authentication)."""

    topic = "store"

    async def authorise(self) -> bool:
        user, session = self.scope.get("user"), self.scope.get("session")
        if user is None or not user.is_authenticated or session is None:
            return False
        membership = await database_sync_to_async(membership_for_session)(SimpleNamespace(user=user, session=session))
        if membership is None:
            return False
        self.store = membership.store
        return True

    def backfill(self, after: int) -> list[dict[str, Any]]:
        with scope(store=self.store):
            return [{"type": "event", **e} for e in events_since(store=self.store, topic="store", after_id=after)]

    def shape(self, event: dict[str, Any]) -> dict[str, Any] | None:
        return {"type": "event", **event}
