"""Receiving one raw email: route it to a store, thread it, store it with its attachments, once.

The webhook (``webhooks.py``) and the ``trunkshow email receive`` command both call
``email_route`` then, inside the store's scope, ``email_receive``. Threading follows our own
ids only: a reply naming one of our Message-IDs (In-Reply-To, References) or sent to a signed
reply address goes to that conversation; anything else goes to the sender's conversation
through ``message_receive``, which starts one (and a customer) for an unknown address.
"""

from __future__ import annotations

import re
from typing import Any

from django.db import transaction

from trunkshow.core import clock
from trunkshow.messaging.attachments import files_removed_on_failure, received_file_add
from trunkshow.messaging.channels.email.addresses import Route, email_route
from trunkshow.messaging.channels.email.parsing import Headers, Refused, email_parse, headers_read, raw_digest
from trunkshow.messaging.models import ChannelKind, Conversation, Message, ProviderEvent
from trunkshow.messaging.services import message_receive
from trunkshow.stores.models import Store

__all__ = ["Refused", "Route", "email_receive", "email_route", "route_raw"]

PROVIDER = "email"
MAX_QUOTED = 20_000
MAX_PROVIDER_ID = Message._meta.get_field("provider_id").max_length or 100


def route_raw(*, raw: bytes, recipient: str = "", store_slug: str = "") -> Route:
    return email_route(headers=headers_read(raw), recipient=recipient, store_slug=store_slug)


def provider_key(store: Store, headers: Headers, raw: bytes) -> str:
    """The message's id in this store: its Message-ID (hashed when long), or the hash of its bytes.

    The store comes first because one email may be sent to two stores, and the provider id is
    unique across the installation.
    """
    message_id = headers.message_id
    key = f"{store.pk}:{message_id}"
    if message_id and len(key) <= MAX_PROVIDER_ID:
        return key
    source = message_id.encode() if message_id else raw
    return f"{store.pk}:sha256:{raw_digest(source)}"


def _thread(store: Store, headers: Headers, route: Route) -> Conversation | None:
    """The conversation our ids name: a message of ours the mail answers, else the signed reply address."""
    ids = [*headers.in_reply_to, *reversed(headers.references)]
    if ids:
        keys = ids + [f"{store.pk}:{message_id}" for message_id in ids]
        parent = (
            Message.objects.filter(store=store, provider=PROVIDER, provider_id__in=keys)
            .select_related("conversation")
            .order_by("-created_at", "-id")
            .first()
        )
        if parent is not None:
            return parent.conversation
    if route.conversation_id is not None:
        return Conversation.objects.filter(store=store, pk=route.conversation_id).first()
    return None


def _summary(headers: Headers, raw: bytes) -> dict[str, Any]:
    return {
        "message_id": headers.message_id,
        "from": headers.from_address,
        "to": headers.recipients[:20],
        "subject": headers.subject,
        "date": headers.date,
        "size": len(raw),
        "sha256": raw_digest(raw),
    }


def _refusal_record(store: Store, key: str, headers: Headers, raw: bytes, refused: Refused) -> None:
    """What was refused and why, kept among the store's provider events for review (not the body)."""
    payload = {**_summary(headers, raw), "code": refused.code, "reason": refused.reason}
    with transaction.atomic():
        ProviderEvent.objects.get_or_create(
            provider=PROVIDER,
            event_id=f"refused:{key}"[:160],
            defaults={"store": store, "kind": "refused", "payload": payload},
        )


def _subject(subject: str) -> str:
    return re.sub(r"^\s*((re|fwd?|aw|wg|tr|sv)\s*:\s*)+", "", subject, flags=re.IGNORECASE)[:200]


def email_receive(*, route: Route, raw: bytes, recipient: str = "") -> tuple[Message, bool]:
    """Store the email in the store of ``route`` (its scope entered); ``created`` is False for a repeat."""
    store = route.store
    headers = headers_read(raw)
    key = provider_key(store, headers, raw)
    existing = Message.objects.filter(provider=PROVIDER, provider_id=key).first()
    if existing is not None:
        return existing, False
    try:
        parsed = email_parse(raw)
    except Refused as refused:
        _refusal_record(store, key, headers, raw, refused)
        raise
    meta: dict[str, Any] = {
        "message_id": headers.message_id,
        "references": headers.references,
        "subject": headers.subject,
    }
    if headers.in_reply_to:
        meta["in_reply_to"] = headers.in_reply_to
    if parsed.quoted:
        meta["quoted"] = parsed.quoted[:MAX_QUOTED]
    if parsed.html:
        meta["html"] = parsed.html
    if headers.auto_submitted and headers.auto_submitted.lower() != "no":
        meta["auto_submitted"] = headers.auto_submitted
    to_address = recipient or (headers.recipients[0] if headers.recipients else "")
    with files_removed_on_failure() as written, transaction.atomic():
        ProviderEvent.objects.get_or_create(
            provider=PROVIDER,
            event_id=key[:160],
            defaults={"store": store, "kind": "inbound", "payload": _summary(headers, raw)},
        )
        message, created = message_receive(
            store=store,
            channel=ChannelKind.EMAIL,
            from_address=headers.from_address,
            to_address=to_address[:254],
            body=parsed.text,
            provider=PROVIDER,
            provider_id=key,
            name=headers.from_name,
            meta=meta,
            received_at=clock.now(),
            conversation=_thread(store, headers, route),
        )
        if created:
            for attachment in parsed.attachments:
                received_file_add(
                    store=store,
                    message=message,
                    filename=attachment.filename,
                    content_type=attachment.content_type,
                    data=attachment.data,
                    written=written,
                )
            if headers.subject:
                Conversation.objects.filter(pk=message.conversation_id, subject="").update(
                    subject=_subject(headers.subject)
                )
    return message, created
