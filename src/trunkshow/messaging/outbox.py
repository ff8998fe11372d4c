"""The outbox: the worker takes queued messages, hands them to their channel's adapter, retries.

A message is claimed by one conditional UPDATE (queued → sending), so two workers never send it
twice. Transient failures go back to ``queued`` with a jittered exponential backoff; after
``MAX_ATTEMPTS`` the message is ``failed`` with the reason, shown in the thread with a retry
button. After an ambiguous failure (a timeout once the request was out) the provider is asked
for our reference before anything is sent again. The opt-out check runs here, right before the
provider is called, so no code path can send to an opted-out address.
"""

from __future__ import annotations

import datetime as dt
import logging
import random
from typing import Any

from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from trunkshow.messaging.channels.base import AmbiguousError, Outbound, PermanentError, TransientError
from trunkshow.messaging.channels.registry import adapter_for
from trunkshow.messaging.models import Message, MessageStatus, OptOut
from trunkshow.stores.models import Store

log = logging.getLogger(__name__)

MAX_ATTEMPTS = 6
BASE_DELAY = 5.0  # seconds; then 10, 20, 40, 80 (± 25%)
CLAIM_TIMEOUT = dt.timedelta(minutes=2)  # a worker killed while sending: the message is looked up, then retried
SWEEP_GRACE = dt.timedelta(seconds=30)  # a queued message no task picked up (enqueue lost) after this


def backoff(attempts: int) -> dt.timedelta:
    delay = BASE_DELAY * 2 ** max(0, attempts - 1)
    return dt.timedelta(seconds=delay * random.uniform(0.75, 1.25))


def _claim(store: Store, message_id: int, now: dt.datetime) -> Message | None:
    claimed = Message.objects.filter(
        Q(next_attempt_at__isnull=True) | Q(next_attempt_at__lte=now),
        store=store,
        pk=message_id,
        status=MessageStatus.QUEUED,
    ).update(status=MessageStatus.SENDING, claimed_at=now, attempts=F("attempts") + 1, status_at=now)
    if not claimed:
        return None
    return Message.objects.select_related("conversation").get(pk=message_id)


def _publish(store: Store, message: Message) -> None:
    from trunkshow.messaging.services import _publish_status

    _publish_status(store, message)


def message_deliver(*, store: Store, message_id: int) -> str:
    """Try to send one queued message now; returns its status afterwards ('' when it was not ours to send)."""
    from trunkshow.messaging.services import KIND_OPT_OUT_CONFIRMATION

    now = timezone.now()
    message = _claim(store, message_id, now)
    if message is None:
        return ""
    exempt = message.meta.get("system") == KIND_OPT_OUT_CONFIRMATION
    if (
        not exempt
        and message.to_address
        and OptOut.objects.filter(store=store, channel=message.channel, address=message.to_address).exists()
    ):
        return _finish(store, message, MessageStatus.FAILED, error=_("Not sent: the customer opted out."))
    adapter = adapter_for(message.channel)
    try:
        accepted = adapter.lookup(str(message.reference)) if message.meta.get("ambiguous") else None
        if accepted is None:
            accepted = adapter.send(_outbound(store, message))
    except PermanentError as exc:
        return _finish(store, message, MessageStatus.FAILED, error=exc.reason)
    except TransientError as exc:
        if isinstance(exc, AmbiguousError):
            message.meta = {**message.meta, "ambiguous": True}
        if message.attempts >= MAX_ATTEMPTS:
            return _finish(
                store,
                message,
                MessageStatus.FAILED,
                error=_("Not sent after %(n)s tries: %(reason)s") % {"n": message.attempts, "reason": exc.reason},
            )
        message.status = MessageStatus.QUEUED
        message.error = exc.reason[:300]
        message.next_attempt_at = now + backoff(message.attempts)
        message.save(update_fields=["status", "error", "next_attempt_at", "meta", "status_at"])
        _schedule(store, message)
        _publish(store, message)
        return message.status
    except Exception as exc:  # an adapter bug must not lose the message: retry it like a transient failure
        log.exception("adapter %s failed on message %s", adapter.name, message.pk)
        message.status = MessageStatus.QUEUED
        message.error = f"{exc.__class__.__name__}"[:300]
        message.next_attempt_at = now + backoff(message.attempts)
        message.save(update_fields=["status", "error", "next_attempt_at", "status_at"])
        return message.status
    message.provider = accepted.provider
    message.provider_id = accepted.provider_id
    message.sent_at = timezone.now()
    status = accepted.status if accepted.status in (MessageStatus.SENT, MessageStatus.DELIVERED) else MessageStatus.SENT
    return _finish(store, message, status, error="")


def _finish(store: Store, message: Message, status: str, *, error: str) -> str:
    with transaction.atomic():
        message.status = status
        message.error = error[:300]
        message.status_at = timezone.now()
        message.next_attempt_at = None
        message.save(
            update_fields=["status", "error", "status_at", "next_attempt_at", "provider", "provider_id", "sent_at"]
        )
        _publish(store, message)
    return status


def _outbound(store: Store, message: Message) -> Outbound:
    from trunkshow.messaging.channels.registry import outbound_headers, sender_for, status_callback_for

    return Outbound(
        reference=str(message.reference),
        channel=message.channel,
        to=message.to_address,
        sender=message.from_address or sender_for(store, message.channel),
        body=message.body,
        media_urls=tuple(str(url) for url in message.meta.get("media_urls", ())),
        headers=outbound_headers(store, message),
        status_callback=status_callback_for(store, message),
    )


def _schedule(store: Store, message: Message) -> None:
    from trunkshow.messaging.tasks import deliver_message

    if message.next_attempt_at is not None:
        deliver_message.schedule((store.pk, message.pk), eta=message.next_attempt_at)


@transaction.atomic
def message_retry(*, store: Store, actor: Any, message: Message) -> Message:
    """Put a failed message back in the outbox (the retry button)."""
    from django.core.exceptions import ValidationError

    from trunkshow.messaging.services import _enqueue

    if message.status != MessageStatus.FAILED:
        raise ValidationError({"message": _("Only a failed message can be sent again.")})
    if OptOut.objects.filter(store=store, channel=message.channel, address=message.to_address).exists():
        raise ValidationError({"message": _("The customer opted out of this channel; it cannot be sent.")})
    message.status = MessageStatus.QUEUED
    message.attempts = 0
    message.next_attempt_at = None
    message.error = ""
    message.status_at = timezone.now()
    message.save(update_fields=["status", "attempts", "next_attempt_at", "error", "status_at"])
    _publish(store, message)
    _enqueue(store, message)
    return message


def outbox_sweep(*, now: dt.datetime | None = None) -> list[tuple[int, int]]:
    """Messages whose send is due but that no task is going to run: returned as (store id, message id).

    Covers a lost enqueue (the process died between commit and enqueue), a retry whose scheduled
    task was lost, and a worker killed while sending (claimed too long ago: marked ambiguous so
    the provider is asked before a resend).
    """
    from django_scopes import scopes_disabled

    now = now or timezone.now()
    with scopes_disabled():
        stale = Message.objects.filter(status=MessageStatus.SENDING, claimed_at__lt=now - CLAIM_TIMEOUT)
        for message in stale:
            message.status = MessageStatus.QUEUED
            message.meta = {**message.meta, "ambiguous": True}
            message.next_attempt_at = None
            message.save(update_fields=["status", "meta", "next_attempt_at"])
        due = Message.objects.filter(status=MessageStatus.QUEUED).filter(
            Q(next_attempt_at__lte=now) | Q(next_attempt_at__isnull=True, created_at__lt=now - SWEEP_GRACE)
        )
        return list(due.order_by("id").values_list("store_id", "id")[:1000])
