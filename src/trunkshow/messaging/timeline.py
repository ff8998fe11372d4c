"""Messages on the customer's timeline: what they wrote and what we answered, on which channel."""

from __future__ import annotations

from collections.abc import Iterable

from trunkshow.customers.models import Customer
from trunkshow.customers.timeline import TimelineEntry, register_source
from trunkshow.messaging.models import Direction, Message


def _messages(customer: Customer, limit: int) -> Iterable[TimelineEntry]:
    rows = (
        Message.objects.filter(conversation__customer=customer)
        .exclude(direction=Direction.NOTE)
        .select_related("author")
        .prefetch_related("attachments")
        .order_by("-created_at", "-id")[:limit]
    )
    for message in rows:
        yield TimelineEntry(message.created_at, "message", message.author, message)


register_source("messages", _messages)
