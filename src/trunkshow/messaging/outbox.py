"""The outbox: the worker takes queued messages, hands them to their channel's adapter, retries.

Messages are claimed by one conditional UPDATE (queued → sending, with a claim token), so two
workers never send the same one. A worker drains in batches: the task for one message also takes
up to ``BATCH`` other due messages of the same store, so a burst (a reply to a hundred trade-show
clients) costs one claim, one opt-out lookup, one adapter session (one SMTP connection) and one
status write per batch instead of per message (bench/outbox.py). Transient failures go back to
``queued`` with a jittered exponential backoff; after ``MAX_ATTEMPTS`` the message is ``failed``
with the reason, shown in the thread with a retry button. After an ambiguous failure (a timeout
once the request was out) the provider is asked for our reference before anything is sent again.
The opt-out check runs here, right before the provider is called, so no code path can send to an
opted-out address.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import logging
import random
import uuid
from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.db.models import F, Q
from django.utils.translation import gettext as _

from trunkshow.core import clock
from trunkshow.core.events import publish_many_on_commit
from trunkshow.core.tasks import enqueue_on_commit
from trunkshow.customers.suppression import suppressed_values
from trunkshow.messaging.attachments import PROVIDER_MINUTES, signed_url_for
from trunkshow.messaging.channels.base import AmbiguousError, Outbound, OutboundFile, PermanentError, TransientError
from trunkshow.messaging.channels.registry import adapter_for, outbound_headers, sender_for, status_callback_for
from trunkshow.messaging.models import Attachment, ChannelKind, Message, MessageStatus
from trunkshow.messaging.selectors import opt_outs_for, opted_out
from trunkshow.stores.models import Store

log = logging.getLogger(__name__)

MAX_ATTEMPTS = 6
BASE_DELAY = 5.0  # seconds; then 10, 20, 40, 80 (± 25%)
BATCH = 50
CLAIM_TIMEOUT = dt.timedelta(minutes=2)  # a worker killed while sending: the message is looked up, then retried
SWEEP_GRACE = dt.timedelta(seconds=30)  # a queued message no task picked up (enqueue lost) after this


def backoff(attempts: int) -> dt.timedelta:
    delay = BASE_DELAY * 2 ** max(0, attempts - 1)
    return dt.timedelta(seconds=delay * random.uniform(0.75, 1.25))


def _due(now: dt.datetime) -> Q:
    return Q(status=MessageStatus.QUEUED) & (Q(next_attempt_at__isnull=True) | Q(next_attempt_at__lte=now))


def _claim(store: Store, first_id: int | None, now: dt.datetime, limit: int) -> list[Message]:
    """Take due messages of the store (``first_id`` among them if it is due) for this worker alone."""
    others = Message.objects.filter(_due(now), store=store).order_by("id")
    if first_id is not None:
        others = others.exclude(pk=first_id)
    ids = list(others.values_list("id", flat=True)[: limit - 1 if first_id else limit])
    if first_id is not None:
        ids.insert(0, first_id)
    token = uuid.uuid4().hex
    claimed = Message.objects.filter(_due(now), store=store, pk__in=ids).update(
        status=MessageStatus.SENDING,
        claimed_at=now,
        claim_token=token,
        attempts=F("attempts") + 1,
        status_at=now,
    )
    if not claimed:
        return []
    return list(Message.objects.filter(claim_token=token).select_related("conversation").order_by("id"))


@dataclass
class _Result:
    message: Message
    status: str
    error: str = ""


def message_deliver(*, store: Store, message_id: int | None = None) -> str:
    """Send ``message_id`` now if it is due, with other due messages of the store; returns its status afterwards.

    '' when it was not this worker's to send (already sent, claimed by another worker, not due).
    """
    results = outbox_drain(store=store, first_id=message_id)
    for result in results:
        if result.message.pk == message_id:
            return result.status
    return ""


def outbox_drain(*, store: Store, first_id: int | None = None, limit: int = BATCH) -> list[_Result]:
    from trunkshow.messaging.services import KIND_OPT_OUT_CONFIRMATION

    now = clock.now()
    batch = _claim(store, first_id, now, limit)
    if not batch:
        return []
    blocked = opt_outs_for(store=store, addresses={m.to_address for m in batch})
    # An erased customer's addresses are kept only as digests: never sent anything again either.
    erased = suppressed_values(
        store=store,
        phones={m.to_address for m in batch if m.channel in ("sms", "whatsapp") and m.to_address},
        emails={m.to_address for m in batch if m.channel == "email" and m.to_address},
    )
    results: list[_Result] = []
    by_channel: dict[str, list[Message]] = {}
    for message in batch:
        exempt = message.meta.get("system") == KIND_OPT_OUT_CONFIRMATION
        if message.to_address in erased:
            results.append(_Result(message, MessageStatus.FAILED, _("The customer's data was erased.")))
        elif not exempt and (message.channel, message.to_address) in blocked:
            results.append(_Result(message, MessageStatus.FAILED, _("The customer opted out.")))
        else:
            by_channel.setdefault(message.channel, []).append(message)
    for channel, messages in by_channel.items():
        adapter = adapter_for(channel)
        session = getattr(adapter, "session", None)
        with session() if session else contextlib.nullcontext():
            context: dict[str, Any] = {}  # what messages of one batch share (a thread's last email)
            for message in messages:
                results.append(_send_one(store, adapter, message, now, context))
    _finish(store, results)
    return results


def _send_one(store: Store, adapter: Any, message: Message, now: dt.datetime, context: dict[str, Any]) -> _Result:
    try:
        accepted = adapter.lookup(str(message.reference)) if message.meta.get("ambiguous") else None
        if accepted is None:
            accepted = adapter.send(_outbound(store, message, context))
    except PermanentError as exc:
        return _Result(message, MessageStatus.FAILED, exc.reason)
    except TransientError as exc:
        if isinstance(exc, AmbiguousError):
            message.meta = {**message.meta, "ambiguous": True}
        return _retry_or_fail(message, now, exc.reason)
    except Exception as exc:  # an adapter bug must not lose the message: retry it like a transient failure
        log.exception("adapter %s failed on message %s", getattr(adapter, "name", "?"), message.pk)
        return _retry_or_fail(message, now, exc.__class__.__name__)
    message.provider = accepted.provider
    message.provider_id = accepted.provider_id
    message.sent_at = clock.now()
    status = accepted.status if accepted.status in (MessageStatus.SENT, MessageStatus.DELIVERED) else MessageStatus.SENT
    return _Result(message, status)


def _retry_or_fail(message: Message, now: dt.datetime, reason: str) -> _Result:
    if message.attempts >= MAX_ATTEMPTS:
        return _Result(
            message,
            MessageStatus.FAILED,
            _("%(n)s tries failed. %(reason)s") % {"n": message.attempts, "reason": reason},
        )
    message.next_attempt_at = now + backoff(message.attempts)
    return _Result(message, MessageStatus.QUEUED, reason)


def _finish(store: Store, results: list[_Result]) -> None:
    """Write every outcome of the batch in one transaction, announce them, schedule the retries."""
    now = clock.now()
    with transaction.atomic():
        for result in results:
            m = result.message
            m.status, m.error, m.status_at = result.status, result.error[:300], now
            if result.status != MessageStatus.QUEUED:
                m.next_attempt_at = None
        # One UPDATE by primary key per message: Django's bulk_update (a CASE per column) took 13 ms
        # a row on SQLite for a 50-message batch. Each is conditional on our claim: a status report
        # that came while we were sending (``message_status_apply`` by reference) has already moved
        # the message on, and it keeps that status rather than ours.
        for result in results:
            m = result.message
            written = Message.objects.filter(pk=m.pk, status=MessageStatus.SENDING, claim_token=m.claim_token).update(
                status=m.status,
                error=m.error,
                status_at=m.status_at,
                next_attempt_at=m.next_attempt_at,
                provider=m.provider,
                provider_id=m.provider_id,
                sent_at=m.sent_at,
                meta=m.meta,
            )
            if not written:
                _overtaken(result)
        publish_many_on_commit(
            store=store,
            events=[
                (
                    "message_status",
                    {
                        "id": r.message.pk,
                        "conversation": r.message.conversation_id,
                        "status": r.status,
                        "error": r.message.error,
                    },
                    ("store",),
                )
                for r in results
            ],
        )
        for result in results:
            if result.status == MessageStatus.QUEUED:
                _schedule(store, result.message)


def _overtaken(result: _Result) -> None:
    """Our claim was overtaken while we sent: keep the message's status, add only what we learned."""
    m = result.message
    if m.provider_id:
        Message.objects.filter(pk=m.pk, provider_id="").update(provider=m.provider, provider_id=m.provider_id)
    if m.sent_at:
        Message.objects.filter(pk=m.pk, sent_at__isnull=True).update(sent_at=m.sent_at)
    current = Message.objects.filter(pk=m.pk).values_list("status", "error").first()
    if current is not None:
        result.status, m.error = current
    m.status, m.next_attempt_at = result.status, None  # not scheduled again: it is out of our hands
    log.info("message %s: a status report overtook the send; kept %s", m.pk, result.status)


def _outbound(store: Store, message: Message, context: dict[str, Any]) -> Outbound:
    template = message.meta.get("template") or {}
    return Outbound(
        reference=str(message.reference),
        channel=message.channel,
        to=message.to_address,
        sender=message.from_address or sender_for(store, message.channel),
        body=message.body,
        media_urls=_media_urls(store, message),
        files=_files(message),
        headers=outbound_headers(store, message, context),
        status_callback=status_callback_for(store, message),
        content_sid=str(template.get("content_sid", "")),
        content_variables={str(k): str(v) for k, v in (template.get("variables") or {}).items()},
    )


def _media_urls(store: Store, message: Message) -> tuple[str, ...]:
    photos = message.meta.get("photos")
    if photos:  # signed now, so a retry hours later still gives the provider a link it can fetch
        return tuple(signed_url_for(int(i), store.pk, minutes=PROVIDER_MINUTES) for i in photos)
    return tuple(str(url) for url in message.meta.get("media_urls", ()))


def _files(message: Message) -> tuple[OutboundFile, ...]:
    if message.channel != ChannelKind.EMAIL or not message.meta.get("photos"):
        return ()
    rows = Attachment.objects.filter(message=message).order_by("id")
    return tuple(OutboundFile(a.filename, a.content_type, str(a.file.name)) for a in rows)


def _schedule(store: Store, message: Message) -> None:
    from trunkshow.messaging.tasks import deliver_message

    if message.next_attempt_at is not None:
        store_id, message_id, eta = store.pk, message.pk, message.next_attempt_at
        enqueue_on_commit(deliver_message, store_id, message_id, eta=eta)


@transaction.atomic
def message_retry(*, store: Store, actor: Any, message: Message) -> Message:
    """Put a failed message back in the outbox (the retry button)."""
    from django.core.exceptions import ValidationError

    from trunkshow.messaging.services import _enqueue, _publish_status

    if message.status != MessageStatus.FAILED:
        raise ValidationError({"message": _("Only a failed message can be sent again.")})
    if opted_out(store=store, channel=message.channel, address=message.to_address) is not None:
        raise ValidationError({"message": _("The customer opted out of this channel; it cannot be sent.")})
    message.status = MessageStatus.QUEUED
    message.attempts = 0
    message.next_attempt_at = None
    message.error = ""
    message.status_at = clock.now()
    message.save(update_fields=["status", "attempts", "next_attempt_at", "error", "status_at"])
    _publish_status(store, message)
    _enqueue(store, message)
    return message


def outbox_sweep(*, now: dt.datetime | None = None) -> list[tuple[int, int]]:
    """Messages whose send is due but that no task is going to run: returned as (store id, message id).

    Covers a lost enqueue (the process died between commit and enqueue), a retry whose scheduled
    task was lost, and a worker killed while sending (claimed too long ago: marked ambiguous so
    the provider is asked before a resend).
    """
    from django_scopes import scopes_disabled

    now = now or clock.now()
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
