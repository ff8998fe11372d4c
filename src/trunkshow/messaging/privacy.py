"""A customer's conversations in their data export, and gone with them when they are erased."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.db.models import Q

from trunkshow.core.models import LiveEvent
from trunkshow.customers.models import Customer
from trunkshow.messaging.models import Attachment, Conversation, Message, OptOut, ProviderEvent, attachment_storage
from trunkshow.stores.models import Store


def conversations_export(customer: Customer) -> list[dict[str, Any]]:
    out = []
    conversations = Conversation.objects.filter(customer=customer).order_by("created_at", "id")
    for conversation in conversations:
        messages = (
            Message.objects.filter(conversation=conversation)
            .exclude(direction="note")  # staff's internal notes are the store's, not the customer's data
            .order_by("created_at", "id")
        )
        out.append(
            {
                "channel": conversation.channel,
                "started_at": conversation.created_at.isoformat(),
                "messages": [
                    {
                        "direction": m.direction,
                        "channel": m.channel,
                        "body": m.body,
                        "from": m.from_address,
                        "to": m.to_address,
                        "status": m.status,
                        "at": m.created_at.isoformat(),
                        "attachments": [a.filename for a in m.attachments.all()],
                    }
                    for m in messages
                ],
            }
        )
    return out


def conversations_preview(customer: Customer) -> dict[str, int]:
    """What erasing the customer removes here, for the confirmation page (staff notes included)."""
    conversations = Conversation.objects.filter(customer=customer)
    return {
        "conversations": conversations.count(),
        "messages": Message.objects.filter(conversation__in=conversations).count(),
        "attachments": Attachment.objects.filter(message__conversation__in=conversations).count(),
    }


def conversations_erase(store: Store, customer: Customer, phones: list[str], emails: list[str]) -> dict[str, int]:
    """Delete the customer's conversations with every message, attachment, raw webhook and live event.

    Their opt-outs go too: the suppression digests erasure keeps are checked by the outbox, so an
    erased person is never sent anything again either way.
    """
    conversations = list(Conversation.objects.filter(store=store, customer=customer).values_list("id", flat=True))
    messages = Message.objects.filter(store=store, conversation_id__in=conversations)
    provider_ids = [p for p in messages.values_list("provider_id", flat=True) if p]
    events = Q(event_id__in=provider_ids)
    for pid in provider_ids:
        events |= Q(event_id__startswith=f"{pid}:")
    if provider_ids:
        ProviderEvent.objects.filter(Q(store=store) & events).delete()
    files = [
        str(name)
        for a in Attachment.objects.filter(store=store, message__conversation_id__in=conversations)
        for name in (a.file.name, a.thumbnail.name)  # a photo's thumbnail is its own file
        if name
    ]
    count = messages.count()
    LiveEvent.objects.filter(store=store).filter(
        Q(payload__conversation__in=conversations)
        | Q(kind="conversation", payload__id__in=conversations)
        | Q(topic__in=[f"conversation:{c}" for c in conversations])
    ).delete()
    Conversation.objects.filter(pk__in=conversations).delete()
    OptOut.objects.filter(store=store, address__in=[*phones, *emails]).delete()

    def remove_files() -> None:
        storage = attachment_storage()
        for name in files:
            storage.delete(name)

    transaction.on_commit(remove_files)
    return {"conversations": len(conversations), "messages": count}
