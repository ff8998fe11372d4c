"""A customer merge and their conversations: the merged-away record's conversations become the
survivor's, and the live ones (open, pending, snoozed) are folded into one thread (ADR 0010,
amended 2026-11-25), so the customer's next message has one place to go.
"""

from __future__ import annotations

from django.db.models import Q

from trunkshow.core.events import publish_on_commit
from trunkshow.core.models import LiveEvent
from trunkshow.customers.models import Customer
from trunkshow.messaging import hooks
from trunkshow.messaging.models import (
    Conversation,
    ConversationFold,
    ConversationStatus,
    Message,
    Response,
    WebchatVisitor,
)
from trunkshow.messaging.selectors import LIVE
from trunkshow.messaging.services import unanswered_since
from trunkshow.stores.models import Store

# Which status a folded thread takes: the one that asks for attention soonest. A waiting customer
# (open) first; a snooze comes back by itself, so it beats pending, which would never wake it.
_STATUS_ORDER = (ConversationStatus.OPEN, ConversationStatus.SNOOZED, ConversationStatus.PENDING)


def conversations_merge(store: Store, survivor: Customer, gone: Customer) -> None:
    """Two records of one person become one: the other record's conversations are the survivor's,
    and the survivor's live conversations become one (``conversations_fold``)."""
    own = set(Conversation.objects.filter(store=store, customer=survivor).values_list("id", flat=True))
    Conversation.objects.filter(store=store, customer=gone).update(customer=survivor)
    live = list(
        Conversation.objects.select_for_update()
        .filter(store=store, customer=survivor, status__in=LIVE)
        .order_by("-last_message_at", "-id")
    )
    if not live or (len(live) == 1 and live[0].pk in own):
        return  # nothing to fold, and the customer's own thread keeps whoever answers it
    # The surviving record's thread stays (its id, its links), as the surviving record does; the
    # most recent of its live ones, else the most recent of the other record's. A single live thread
    # of the other record (a web chat a visitor started) is "folded" alone: it takes the customer's
    # associate, as their message would have been assigned had the chat known who they were.
    host = next((c for c in live if c.pk in own), live[0])
    conversations_fold(store=store, customer=survivor, host=host, others=[c for c in live if c.pk != host.pk])


def conversations_fold(
    *, store: Store, customer: Customer, host: Conversation, others: list[Conversation]
) -> Conversation:
    """Move everything of ``others`` into ``host`` and delete them: the messages (with their ids,
    statuses and provider ids, so status callbacks still find them), the response-time records, the
    web-chat visitor when the host has none, and, through ``hooks.conversations_folded`` (first, while
    each thread is still its own), what the apps above keep per conversation (read marks, mentions,
    alerts, the assignment)."""
    everyone = [host, *others]
    ids = [c.pk for c in others]
    host.customer = customer
    hooks.conversations_folded(store, host, others)  # before the messages move: it reads each thread's own
    Message.objects.filter(store=store, conversation_id__in=ids).update(conversation=host)
    Response.objects.filter(store=store, conversation_id__in=ids).update(conversation=host)
    if not WebchatVisitor.objects.filter(conversation=host).exists():
        visitor = WebchatVisitor.objects.filter(store=store, conversation_id__in=ids).order_by("-id").first()
        if visitor is not None:
            visitor.conversation = host
            visitor.save(update_fields=["conversation"])

    # Where the customer last wrote from is where an answer to them goes (``Conversation.channel``).
    last_in = max(everyone, key=lambda c: (c.last_inbound_at is not None, c.last_inbound_at or c.created_at, c.pk))
    if last_in.last_inbound_at is not None:
        host.channel, host.address, host.last_inbound_at = last_in.channel, last_in.address, last_in.last_inbound_at
    newest = max(everyone, key=lambda c: (c.last_message_at, c.pk))
    host.last_message_at, host.last_message_preview = newest.last_message_at, newest.last_message_preview
    host.created_at = min(c.created_at for c in everyone)
    host.subject = host.subject or next((c.subject for c in others if c.subject), "")
    # One thread waits as one conversation would: from the customer's first message after the last
    # answer by a person in any of them (a reply in the web chat answered the text asked before it),
    # and only if one of them was waiting (an opt-out or a close ended a wait; a fold starts none).
    # Its target clock counts from the latest time one of them came back to open, as it did.
    waiting = [c for c in everyone if c.awaiting_since is not None]
    asked = unanswered_since(host) if waiting else None
    host.awaiting_since = asked
    reopened = [c.reopened_at for c in waiting if c.reopened_at is not None]
    host.reopened_at = max(reopened) if asked is not None and reopened else None
    if host.first_response_seconds is None:
        host.first_response_seconds = next(
            (c.first_response_seconds for c in others if c.first_response_seconds is not None), None
        )
    host.status = min((c.status for c in everyone), key=lambda s: _STATUS_ORDER.index(ConversationStatus(s)))
    snoozes = [c.snoozed_until for c in everyone if c.status == ConversationStatus.SNOOZED and c.snoozed_until]
    host.snoozed_until = min(snoozes) if host.status == ConversationStatus.SNOOZED and snoozes else None
    host.save()

    # Events name a conversation by its id, and an erasure finds the customer's by their
    # conversations' ids: the folded ones' ids are gone, so their events go with them (open pages
    # fetch the list again on the event below).
    LiveEvent.objects.filter(store=store).filter(
        Q(payload__conversation__in=ids)
        | Q(kind="conversation", payload__id__in=ids)
        | Q(topic__in=[f"conversation:{c}" for c in ids])
    ).delete()
    # Their addresses lead here from now on (and those that led to them, here too).
    ConversationFold.objects.filter(store=store, conversation_id__in=ids).update(conversation=host)
    ConversationFold.objects.bulk_create(ConversationFold(store=store, folded_id=pk, conversation=host) for pk in ids)
    Conversation.objects.filter(store=store, pk__in=ids).delete()
    publish_on_commit(
        store=store,
        kind="conversation",
        payload={
            "id": host.pk,
            "status": host.status,
            "assigned_to": host.assigned_to_id,
            "snoozed_until": host.snoozed_until.isoformat() if host.snoozed_until else None,
            "merged": ids,
        },
    )
    return host
