"""Reads of the web chat: the store behind a widget, the visitor behind a token, what the visitor may see."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db.models import JSONField, OuterRef, Subquery
from django.http import Http404
from django.utils import timezone
from django_scopes import scopes_disabled

from trunkshow.core.events import events_since
from trunkshow.core.models import LiveEvent
from trunkshow.messaging.channels.webchat.services import token_hash
from trunkshow.messaging.models import (
    Attachment,
    ChannelKind,
    Conversation,
    Direction,
    Message,
    WebchatSettings,
    WebchatVisitor,
)
from trunkshow.messaging.selectors import conversation_folded_into, message_photos
from trunkshow.stores import hours
from trunkshow.stores.models import WEEKDAYS, Store

VISIBLE = (Direction.INBOUND, Direction.OUTBOUND)


def store_for_widget(slug: str) -> Store:
    with scopes_disabled():
        store = Store.objects.filter(slug=slug).first()
    if store is None:
        raise Http404("No such store")
    return store


def allowed_origins(store: Store) -> list[str]:
    row = WebchatSettings.objects.filter(store=store).values_list("allowed_origins", flat=True).first()
    return list(row or [])


def visitor_for(*, store: Store, token: str) -> WebchatVisitor | None:
    """The visitor whose token this is, in this store; None for any other token (or another store's)."""
    if not _token_usable(token):
        return None
    return (
        WebchatVisitor.objects.select_related("conversation").filter(store=store, token_hash=token_hash(token)).first()
    )


def _token_usable(token: str) -> bool:
    """A token worth hashing and looking up (one made by us is 43 characters)."""
    return bool(token) and len(token) <= 200


def visitor_socket(*, slug: str, token: str, origin: str) -> tuple[Store, int] | None:
    """The store and the conversation a widget socket opens, in one statement: the token's visitor
    in the store of that slug, if the page's origin is one the store allows; None for anything else
    (a handshake of a reconnect storm costs one trip to the database, not three)."""
    if not _token_usable(token) or not origin:
        return None
    origins = WebchatSettings._base_manager.filter(store=OuterRef("store_id")).values("allowed_origins")[:1]
    row = (
        WebchatVisitor._base_manager.filter(store__slug=slug, token_hash=token_hash(token))
        .select_related("store")
        .annotate(origins=Subquery(origins, output_field=JSONField()))
        .only("conversation_id", "store")
        .first()
    )
    if row is None or origin not in (row.origins or []):
        return None
    return row.store, row.conversation_id


def visitor_get_for(*, store: Store, token: str, conversation_id: Any) -> WebchatVisitor:
    """The visitor of the conversation in the URL, if and only if the token opens it: anything else is a 404.

    A conversation a merge folded into the customer's thread is gone, and its visitor moved to that
    thread (ADR 0010): a widget still naming the old id gets the thread its token opens now (the
    answer says which), as the fold's record says the old id became it. Any other id is a 404.
    """
    visitor = visitor_for(store=store, token=token)
    if visitor is None:
        raise Http404("No such conversation")
    if str(visitor.conversation_id) != str(conversation_id):
        kept = conversation_folded_into(store=store, conversation_id=conversation_id)
        if kept is None or kept.pk != visitor.conversation_id:
            raise Http404("No such conversation")
    return visitor


def widget_messages(*, conversation: Conversation, after_id: int = 0, limit: int = 200) -> list[Message]:
    """What the visitor may read: what was said in the web chat, never notes or other channels' messages."""
    qs = (
        Message.objects.filter(
            conversation=conversation, channel=ChannelKind.WEBCHAT, direction__in=VISIBLE, id__gt=after_id
        )
        .select_related("author")
        .prefetch_related("attachments")
    )
    return list(qs.order_by("id")[:limit])


def widget_photo_get_for(*, conversation: Conversation, photo_id: Any) -> Attachment:
    """A photo of a message the visitor may read; a note's photo, another conversation's, or any other file: 404."""
    try:
        found = Attachment.objects.get(
            pk=int(str(photo_id)),
            store_id=conversation.store_id,
            message__conversation=conversation,
            message__channel=ChannelKind.WEBCHAT,
            message__direction__in=VISIBLE,
        )
    except (Attachment.DoesNotExist, TypeError, ValueError):
        raise Http404("No such photo") from None
    if not found.is_photo:
        raise Http404("No such photo")
    return found


def _first_name(name: str) -> str:
    return name.split()[0] if name.split() else ""


def _as_visitor_sees(
    message_id: int, direction: str, body: str, author: str, at: str | None, photos: list[dict[str, Any]]
) -> dict[str, Any]:
    return {
        "id": message_id,
        "from": "visitor" if direction == Direction.INBOUND else "store",
        "body": body,
        "author": _first_name(author),
        "at": at,
        "photos": photos,
    }


def widget_message(message: Message) -> dict[str, Any]:
    author = message.author.display_name if message.author is not None else ""
    at = message.created_at.isoformat()
    return _as_visitor_sees(message.pk, message.direction, message.body, author, at, message_photos(message))


def widget_event(event: dict[str, Any]) -> dict[str, Any] | None:
    """A live event of the conversation's topic as the visitor sees it; None for what they must not see."""
    payload = event.get("payload") or {}
    if event.get("kind") != "message" or payload.get("channel") != ChannelKind.WEBCHAT:
        return None
    if payload.get("direction") not in VISIBLE:
        return None
    message = _as_visitor_sees(
        payload["id"],
        payload["direction"],
        payload.get("body", ""),
        payload.get("author") or "",
        payload.get("at"),
        payload.get("photo_list") or [],
    )
    return {"type": "message", "event": event["id"], "message": message}


def widget_events_since(*, store: Store, conversation_id: int, after_id: int) -> list[dict[str, Any]]:
    """What the visitor's socket missed since an event id, as the visitor sees it."""
    events = events_since(store=store, topic=f"conversation:{conversation_id}", after_id=after_id)
    return [e for e in (widget_event(ev) for ev in events) if e is not None]


def message_event_id(*, store: Store, conversation_id: int, message_id: int) -> int:
    """The live event that carried a message: what a client showing that message has seen (0 if none)."""
    row = (
        LiveEvent.objects.filter(
            store=store, topic=f"conversation:{conversation_id}", kind="message", payload__id=message_id
        )
        .values_list("id", flat=True)
        .first()
    )
    return int(row or 0)


def last_event_id(*, store: Store, conversation_id: int) -> int:
    row = (
        LiveEvent.objects.filter(store=store, topic=f"conversation:{conversation_id}")
        .order_by("-id")
        .values_list("id", flat=True)
        .first()
    )
    return int(row or 0)


# ---- opening hours ----------------------------------------------------------------------------


def opening_hours(store: Store, now: dt.datetime | None = None) -> dict[str, Any]:
    """Whether the store is open now (``stores.hours``, in its own time zone) and its week, for the widget.

    ``next_open`` is ``{"day": "tue", "time": "10:00", "in_days": 1}`` in the store's zone when closed.
    """
    now = now or timezone.now()
    local = now.astimezone(hours.zone(store))
    is_open = hours.is_open(store, now)
    opening = None if is_open else hours.next_opening(store, now)
    next_open = None
    if opening is not None:
        opens = opening.astimezone(hours.zone(store))
        next_open = {
            "day": WEEKDAYS[opens.weekday()],
            "time": opens.strftime("%H:%M"),
            "in_days": (opens.date() - local.date()).days,
        }
    return {
        "open": is_open,
        "today": WEEKDAYS[local.weekday()],
        "time_zone": store.time_zone,
        "week": [{"day": day, "spans": [list(s) for s in hours.day_spans(store, day)]} for day in WEEKDAYS],
        "next_open": next_open,
    }
