"""Real-time events: recorded with the change that causes them, pushed to browsers after commit.

Services call ``publish_on_commit``; nothing else publishes. Each event gets an increasing id
from its ``LiveEvent`` row, so a browser that reconnects asks ``events_since(store, topics,
after_id)`` and receives what it missed, in order, without duplicates (it drops ids it has seen).
Channel groups are namespaced by store: ``store.<id>`` for staff, ``store.<id>.conversation.<id>``
for one conversation's visitor.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from typing import Any

from asgiref.sync import async_to_sync
from channels.layers import InMemoryChannelLayer, get_channel_layer
from django.db import transaction

from trunkshow.core.cache import OUTAGE
from trunkshow.core.models import LiveEvent

log = logging.getLogger(__name__)

BACKFILL_LIMIT = 500
# Ids of the events this process has handed to its channel layer: a reader of the events table
# (the web process's relay without Redis) skips them rather than sending them again.
PUSHED_HERE: set[int] = set()


def group_name(store_id: int, topic: str = "store") -> str:
    if topic == "store":
        return f"store.{store_id}"
    return f"store.{store_id}.{topic.replace(':', '.')}"


def publish_on_commit(*, store: Any, kind: str, payload: dict[str, Any], topics: Iterable[str] = ("store",)) -> None:
    """Record the event for each topic now; push it to the connected browsers once the change commits."""
    publish_many_on_commit(store=store, events=[(kind, payload, tuple(topics))])


def publish_many_on_commit(*, store: Any, events: list[tuple[str, dict[str, Any], tuple[str, ...]]]) -> None:
    """Several events at once (the outbox finishing a batch): one insert, one trip to the channel layer."""
    rows = LiveEvent.objects.bulk_create(
        LiveEvent(store=store, kind=kind, topic=topic, payload=payload)
        for kind, payload, topics in events
        for topic in topics
    )
    if rows and rows[0].pk is None:  # backends without RETURNING on bulk inserts
        rows = list(LiveEvent.objects.filter(store=store).order_by("-id")[: len(rows)])[::-1]

    async def send_all(layer: Any) -> None:
        for row in rows:
            await layer.group_send(group_name(store.pk, row.topic), {"type": "live.event", **as_dict(row)})

    def push() -> None:
        layer = get_channel_layer()
        if layer is None:
            return
        try:
            async_to_sync(send_all)(layer)
            # Only the in-process layer has a relay to tell; it forgets them as it reads past them.
            if isinstance(layer, InMemoryChannelLayer) and len(PUSHED_HERE) < 100_000:
                PUSHED_HERE.update(row.pk for row in rows)
        except Exception as exc:  # a layer outage must not fail the request; clients backfill on reconnect
            # Redis down is said in one line per push, not a traceback each: the browsers ask instead.
            log.warning("could not push %d live events: %s", len(rows), exc, exc_info=not isinstance(exc, OUTAGE))

    transaction.on_commit(push)


def as_dict(row: LiveEvent) -> dict[str, Any]:
    return {"id": row.pk, "kind": row.kind, "topic": row.topic, "payload": row.payload, "at": row.at.isoformat()}


def events_since(*, store: Any, topic: str, after_id: int, limit: int = BACKFILL_LIMIT) -> list[dict[str, Any]]:
    rows = LiveEvent.objects.filter(store=store, topic=topic, id__gt=after_id).order_by("id")[:limit]
    return [as_dict(row) for row in rows]
