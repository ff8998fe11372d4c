"""Reads of the conversations: the payloads browsers get, access checks."""

from __future__ import annotations

from typing import Any

from django.http import Http404

from trunkshow.messaging.models import Conversation, Message
from trunkshow.stores.models import Store


def conversation_get_for(*, store: Store, conversation_id: Any) -> Conversation:
    try:
        return Conversation.objects.select_related("customer").get(store=store, pk=int(conversation_id))
    except (Conversation.DoesNotExist, TypeError, ValueError):
        raise Http404("No such conversation") from None


def message_get_for(*, store: Store, message_id: Any) -> Message:
    try:
        return Message.objects.select_related("conversation").get(store=store, pk=int(message_id))
    except (Message.DoesNotExist, TypeError, ValueError):
        raise Http404("No such message") from None


def message_payload(message: Message) -> dict[str, Any]:
    return {
        "id": message.pk,
        "conversation": message.conversation_id,
        "direction": message.direction,
        "channel": message.channel,
        "body": message.body,
        "status": message.status,
        "error": message.error,
        "author": getattr(message.author, "name", "") if message.author_id else "",
        "customer": customer_name(message.conversation),
        "at": message.created_at.isoformat(),
        "photos": len(message.meta.get("photos", ())),
        # What a client needs to show them (the web-chat visitor's socket forwards these).
        "photo_list": message_photos(message) if message.meta.get("photos") else [],
    }


def message_photos(message: Message) -> list[dict[str, Any]]:
    """The photos of a message we re-encoded (only those are shown inline): id, display name, pixels."""
    return [
        {"id": a.pk, "name": a.filename, "width": a.width, "height": a.height}
        for a in message.attachments.all()
        if a.is_photo
    ]


def customer_name(conversation: Conversation) -> str:
    """How staff see the conversation's customer: preferred or first name and last name ('' for a visitor)."""
    customer = conversation.customer
    if customer is None:
        return ""
    return " ".join(p for p in (customer.preferred_name or customer.first_name, customer.last_name) if p)


def conversation_messages(*, conversation: Conversation, after_id: int = 0, limit: int = 200) -> list[Message]:
    qs = (
        Message.objects.filter(conversation=conversation, id__gt=after_id)
        .select_related("author")
        .prefetch_related("attachments")
    )
    return list(qs.order_by("created_at", "id")[:limit])
