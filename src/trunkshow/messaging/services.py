"""Writes of the conversations: receive a message, send one (into the outbox), note, apply a status.

Every path that puts a message in a conversation goes through here, so the opt-out rules, the
first-response clock and the live events are decided once.
"""

from __future__ import annotations

import datetime as dt
import re
import uuid
from collections.abc import Mapping, Sequence
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from trunkshow.core import clock
from trunkshow.core.events import publish_on_commit
from trunkshow.core.tasks import enqueue_on_commit
from trunkshow.core.validation import check_text
from trunkshow.customers.models import (
    ConsentAction,
    ConsentEvent,
    ConsentMethod,
    ConsentPurpose,
    CurrentConsent,
    Customer,
    CustomerEmail,
    CustomerPhone,
    Source,
)
from trunkshow.customers.services import ConsentGrant, consent_events_add, customer_create
from trunkshow.messaging import hooks, keywords
from trunkshow.messaging.attachments import PROVIDER_MINUTES, files_removed_on_failure, photo_add, signed_url_for
from trunkshow.messaging.limits import OWN_LIMIT, body_check, note_check
from trunkshow.messaging.models import (
    STATUS_RANK,
    ChannelKind,
    Conversation,
    ConversationStatus,
    Direction,
    Message,
    MessageStatus,
    OptOut,
    Response,
    WhatsAppTemplate,
)
from trunkshow.messaging.photos import Photo, count_check
from trunkshow.messaging.selectors import (
    TEXT_CHANNELS,
    conversation_existing,
    opted_out,
    reply_address,
    whatsapp_window_open,
)
from trunkshow.messaging.whatsapp_templates import template_fill
from trunkshow.stores.models import Store

MAX_BODY = OWN_LIMIT  # characters, without a channel's own limit (``limits.BODY_LIMITS``)
PREVIEW = 160
# A merge field left as typed: {first_name}, {{ store }}, [associate].
_UNFILLED = re.compile(r"\{\{?\s*[a-z_]+\s*\}?\}|\[\s*(first_name|associate|store)\s*\]", re.IGNORECASE)
# Messages the system sends that an opt-out must not block: the one confirmation of the opt-out.
KIND_OPT_OUT_CONFIRMATION = "opt_out_confirmation"
# What a keyword in a text decided (``_keyword_decide``).
KEYWORD_OPT_OUT = "opt_out"
KEYWORD_OPTED_OUT_AGAIN = "opted_out_again"
KEYWORD_OPT_IN = "opt_in"
KEYWORD_HELP = "help"


def _preview(body: str) -> str:
    flat = " ".join(body.split())
    return flat if len(flat) <= PREVIEW else flat[: PREVIEW - 1] + "…"


def _publish_message(store: Store, message: Message) -> None:
    from trunkshow.messaging.selectors import message_payload

    payload = message_payload(message)
    topics = ["store"]
    if message.conversation.channel == ChannelKind.WEBCHAT and message.direction != Direction.NOTE:
        topics.append(f"conversation:{message.conversation_id}")
    publish_on_commit(store=store, kind="message", payload=payload, topics=topics)


# ---- finding the conversation -----------------------------------------------------------------


def _customer_by_address(store: Store, channel: str, address: str) -> Customer | None:
    if channel in TEXT_CHANNELS:
        phone = CustomerPhone.objects.filter(store=store, e164=address, customer__erased_at__isnull=True).first()
        return phone.customer if phone else None
    if channel == ChannelKind.EMAIL:
        email = CustomerEmail.objects.filter(store=store, address=address, customer__erased_at__isnull=True).first()
        return email.customer if email else None
    return None


def conversation_for(*, store: Store, customer: Customer, channel: str, address: str) -> Conversation:
    """The customer's conversation (one thread per customer, across channels), started if there is none:
    their live one, else their most recent closed one, which the message reopens (``conversation_existing``)."""
    conversation = conversation_existing(store=store, customer=customer)
    if conversation is None:
        conversation = Conversation.objects.create(
            store=store,
            customer=customer,
            channel=channel,
            address=address,
            assigned_to_id=customer.assigned_associate_id,
        )
    else:
        conversation.customer = customer  # the one in hand: the message's payload reads its name
    return conversation


def _new_customer_for(store: Store, channel: str, address: str, name: str) -> Customer:
    first, _sep, last = name.strip().partition(" ")
    phones = [address] if channel in TEXT_CHANNELS else []
    emails = [address] if channel == ChannelKind.EMAIL else []
    return customer_create(
        store=store,
        actor=None,
        first_name=first[:100] or "",
        # Without a name they have none: pages show the number or address (Customer.display_name).
        last_name=last[:100],
        phones=phones,
        emails=emails,
        source=Source.CHAT,
        allow_duplicate=True,
        their_own_contact=True,  # they wrote in themselves (ADR 0006)
    )


# ---- inbound ----------------------------------------------------------------------------------


@transaction.atomic
def message_receive(
    *,
    store: Store,
    channel: str,
    from_address: str,
    to_address: str = "",
    body: str,
    provider: str,
    provider_id: str,
    name: str = "",
    meta: dict[str, Any] | None = None,
    received_at: dt.datetime | None = None,
    conversation: Conversation | None = None,
) -> tuple[Message, bool]:
    """Store an inbound message; ``(message, False)`` when the provider's id was already stored (a retry).

    ``conversation`` is the thread the channel proved the message belongs to (an email answering
    one of ours); without it, the sender's address finds the customer's conversation.
    """
    if provider_id:
        existing = Message.objects.filter(provider=provider, provider_id=provider_id).first()
        if existing is not None:
            return existing, False
    received_at = received_at or clock.now()
    if conversation is not None and conversation.customer is not None:
        customer = conversation.customer
    else:
        found = _customer_by_address(store, channel, from_address)
        customer = found if found is not None else _new_customer_for(store, channel, from_address, name)
    if conversation is None:
        conversation = conversation_for(store=store, customer=customer, channel=channel, address=from_address)
    try:
        with transaction.atomic():
            message = Message.objects.create(
                store=store,
                conversation=conversation,
                direction=Direction.INBOUND,
                channel=channel,
                body=body[:100_000],
                from_address=from_address,
                to_address=to_address,
                status=MessageStatus.RECEIVED,
                provider=provider,
                provider_id=provider_id,
                meta=meta or {},
                created_at=received_at,
            )
    except IntegrityError:  # the same webhook, concurrently: the other request stored it
        return Message.objects.get(provider=provider, provider_id=provider_id), False
    keyword = _keyword_decide(store, customer, message) if channel in TEXT_CHANNELS else None
    _keyword_mark(message, keyword)
    _conversation_inbound(conversation, message, keyword=keyword)
    _publish_message(store, message)
    if keyword is not None:
        _keyword_answer(store, conversation, message, keyword)
        return message, True  # a keyword is answered by its confirmation (a repeated STOP by nothing), not by a person
    hooks.inbound_received(store, conversation, message)
    return message, True


def _conversation_inbound(conversation: Conversation, message: Message, *, keyword: str | None = None) -> None:
    """The conversation's clocks and status after a customer's message; ``keyword`` is what
    ``_keyword_decide`` made of it (None for a message to a person)."""
    if conversation.channel != message.channel:  # shown on the timeline: "switched from ..."
        message.meta = {**message.meta, "previous_channel": conversation.channel}
        message.save(update_fields=["meta"])
    conversation.channel = message.channel
    conversation.address = message.from_address
    conversation.last_message_at = message.created_at
    conversation.last_inbound_at = message.created_at
    conversation.last_message_preview = _inbound_preview(message)
    if conversation.status == ConversationStatus.CLOSED:
        # Closing a conversation ended its wait, answered or not: a new message starts a new one
        # (the reopened conversation is not "waiting 2 days" for what was dealt with).
        conversation.awaiting_since = None
    if keyword in (KEYWORD_OPT_OUT, KEYWORD_OPTED_OUT_AGAIN):
        # Nobody may answer an address that opted out: whatever it was waiting for ends here,
        # so it is not "past target" and no manager is alerted about it.
        conversation.awaiting_since = None
    elif keyword is None and conversation.awaiting_since is None:
        conversation.awaiting_since = message.created_at
    elif (
        keyword == KEYWORD_OPT_IN
        and conversation.awaiting_since is None
        and conversation.status != ConversationStatus.CLOSED
    ):
        # The START lifts what the STOP ended: a question nobody answered waits again. Nobody could
        # answer it during the opt-out, so the target's clock (the marks, the managers' alert, the
        # report's measure) counts from the START, as after a snooze; the question itself is what
        # waits ("Waiting …", the order, what is new). A closed conversation's wait ended with it.
        asked = unanswered_since(conversation, before=message)
        if asked is not None:
            conversation.awaiting_since = asked
            conversation.reopened_at = message.created_at
    # A keyword answered automatically (START, HELP) starts no wait of its own: it needs no person, and an
    # earlier question still waits from when it was asked. The automatic answer is not a response:
    # ``first_response_seconds`` is set only by the first person who answers (``_conversation_outbound``)
    # and stays None while nobody has, so response times measure people, never the confirmations.
    # Nor does a keyword reopen the conversation or wake it: a STOP to a closed one stays in the
    # thread, the ledger and the timeline, and the conversation stays closed (a trial's STOP
    # reopened a closed conversation that nobody was allowed to answer).
    if keyword is None and conversation.status != ConversationStatus.OPEN:
        conversation.status = ConversationStatus.OPEN
        conversation.snoozed_until = None
        conversation.reopened_at = message.created_at  # the target clock counts from this message
    conversation.save()
    if conversation.customer_id is not None:
        Customer.objects.filter(pk=conversation.customer_id).update(last_contact_at=message.created_at)


def unanswered_since(conversation: Conversation, *, before: Message | None = None) -> dt.datetime | None:
    """When the customer's first message to a person that nobody has answered since was written
    (before ``before``, if given); None when a person answered their last one (or they wrote none).
    Keywords are answered automatically and automatic answers answer nobody: neither counts."""
    thread = Message.objects.filter(conversation=conversation)
    if before is not None:
        thread = thread.filter(id__lt=before.pk)
    answered = (
        thread.filter(direction=Direction.OUTBOUND, meta__system__isnull=True)
        .order_by("-id")
        .values_list("id", flat=True)
        .first()
    )
    asked = thread.filter(direction=Direction.INBOUND, meta__keyword__isnull=True, id__gt=answered or 0)
    return asked.order_by("id").values_list("created_at", flat=True).first()


def _keyword_mark(message: Message, keyword: str | None) -> None:
    """A keyword is answered automatically: marked on the message, it is not unread for staff
    (``inbox.selectors``), as nobody needs to read it to answer it."""
    if keyword is not None:
        message.meta = {**message.meta, "keyword": keyword}
        message.save(update_fields=["meta"])


def _keyword_answer(store: Store, conversation: Conversation, message: Message, kind: str) -> None:
    """The automatic answer to a keyword: one confirmation of an opt-out, none to a repeated STOP
    (and, through ``system_reply``, nothing else to an address that opted out)."""
    if kind == KEYWORD_OPT_OUT:
        system_reply(
            store,
            conversation,
            message,
            _("%(store)s: you are unsubscribed and will receive no more messages. Reply START to resubscribe.")
            % {"store": store.name},
            kind=KIND_OPT_OUT_CONFIRMATION,
        )
    elif kind == KEYWORD_OPT_IN:
        system_reply(
            store,
            conversation,
            message,
            _("%(store)s: you are subscribed again. Msg & data rates may apply. Reply HELP for help, STOP to stop.")
            % {"store": store.name},
        )
    elif kind == KEYWORD_HELP:
        contact = store_contact_line(store)
        system_reply(
            store,
            conversation,
            message,
            _("%(store)s%(contact)s. Reply STOP to unsubscribe.") % {"store": store.name, "contact": contact},
        )


def _keyword_decide(store: Store, customer: Customer, message: Message, at: dt.datetime | None = None) -> str | None:
    """What a keyword decides, without answering it: the opt-out and the consent ledger. Returns its kind
    (``KEYWORD_*``), or None for a message that is for a person.

    A STOP from an address that had already opted out is ``KEYWORD_OPTED_OUT_AGAIN``: the opt-out
    keeps its first date and word, nothing confirms it again, and the ledger records a withdrawal
    only for what was granted since (consent a member of staff recorded in person): the ledger
    records changes, and the repeated word itself stays in the thread. An opt-in word from an
    address that has not opted out changes nothing and is for a person ("Yes" to "shall I hold
    the ring for you?", or a START from someone already subscribed).

    ``at`` is when the customer said it, for a message recorded from the past; a live one is now.
    """
    kind = keywords.classify(message.body)
    channel, address = message.channel, message.from_address
    evidence = message.body[:500]
    if kind == KEYWORD_OPT_OUT:
        _optout, created = OptOut.objects.get_or_create(
            store=store,
            channel=channel,
            address=address,
            defaults={"keyword": keywords.keyword_of(message.body)[:40], "at": at or timezone.now()},
        )
        if created:
            _keyword_consent(store, customer, channel, ConsentAction.WITHDRAWN, evidence, at)
        else:
            kind = KEYWORD_OPTED_OUT_AGAIN
            granted_since = CurrentConsent.objects.filter(customer=customer, channel=channel, granted=True)
            purposes = tuple(granted_since.values_list("purpose", flat=True))
            _keyword_consent(store, customer, channel, ConsentAction.WITHDRAWN, evidence, at, purposes=purposes)
        # Whatever was waiting to go to this address stays unsent.
        Message.objects.filter(store=store, channel=channel, to_address=address, status=MessageStatus.QUEUED).update(
            status=MessageStatus.FAILED, error=_("The customer opted out."), status_at=timezone.now()
        )
    elif kind == KEYWORD_OPT_IN:
        removed, _by_model = OptOut.objects.filter(store=store, channel=channel, address=address).delete()
        if not removed:
            return None
        purposes = _purposes_stop_withdrew(customer, channel)
        _keyword_consent(store, customer, channel, ConsentAction.GRANTED, evidence, at, purposes=purposes)
    return kind


def _purposes_stop_withdrew(customer: Customer, channel: str) -> tuple[str, ...]:
    """What a START grants: service texts on the channel, and each other purpose whose last word in
    the ledger is a STOP's withdrawal (the first STOP's or a repeated one's) of consent the customer
    had given just before it.

    START is the customer asking for the store's texts again: that is consent to service texts
    (the conversation, their order, their appointment), with the word as evidence, whatever the
    ledger said before (ADR 0010, amended 2026-11-24). It is no consent to marketing the customer
    never agreed to: marketing the STOP found not granted stays as it was, and so does marketing
    whose last word came after the STOP (consent or a withdrawal staff recorded since).
    """
    purposes: list[str] = []
    service = CurrentConsent.objects.filter(
        customer=customer, channel=channel, purpose=ConsentPurpose.SERVICE, granted=True
    ).exists()
    if not service:
        purposes.append(ConsentPurpose.SERVICE)
    for purpose in ConsentPurpose.values:
        if purpose == ConsentPurpose.SERVICE:
            continue
        last_two = list(
            ConsentEvent.objects.filter(customer=customer, channel=channel, purpose=purpose).order_by(
                "-occurred_at", "-id"
            )[:2]
        )
        if (
            len(last_two) == 2
            and (last_two[0].method, last_two[0].action) == (ConsentMethod.KEYWORD, ConsentAction.WITHDRAWN)
            and last_two[1].action == ConsentAction.GRANTED
        ):
            purposes.append(purpose)
    return tuple(purposes)


def _keyword_consent(
    store: Store,
    customer: Customer,
    channel: str,
    action: str,
    evidence: str,
    at: dt.datetime | None = None,
    *,
    purposes: Sequence[str] = (ConsentPurpose.MARKETING, ConsentPurpose.SERVICE),
) -> None:
    """A STOP speaks for every purpose on the channel (no texts at all); a START passes the purposes
    the STOP withdrew (``_purposes_stop_withdrew``), and none at all records nothing."""
    consent_events_add(
        store=store,
        actor=None,
        customer=customer,
        grants=[
            ConsentGrant(channel, purpose, action, ConsentMethod.KEYWORD, evidence_text=evidence, occurred_at=at)
            for purpose in purposes
        ],
    )


def store_contact_line(store: Store) -> str:
    """How to reach the store, for HELP: its street and city, and the email address that reaches its
    inbox when inbound email is set up (``<slug>@INBOUND_EMAIL_DOMAIN``, docs/email.md)."""
    parts = [", ".join(p for p in (store.address_line1, store.city) if p)]
    if settings.INBOUND_EMAIL_DOMAIN:
        parts.append(_("email %(address)s") % {"address": f"{store.slug}@{settings.INBOUND_EMAIL_DOMAIN}"})
    written = "; ".join(p for p in parts if p)
    return (": " + written) if written else ""


def system_reply(
    store: Store, conversation: Conversation, inbound: Message, body: str, kind: str = ""
) -> Message | None:
    """An automatic answer on the channel the customer used (keywords, out of hours). None to an
    address that opted out, but for the opt-out's own confirmation: the outbox would only fail it,
    leaving a failed reply in the thread (HELP, or a closed store's answer, after a STOP)."""
    if (
        kind != KIND_OPT_OUT_CONFIRMATION
        and opted_out(store=store, channel=inbound.channel, address=inbound.from_address) is not None
    ):
        return None
    message = Message.objects.create(
        store=store,
        conversation=conversation,
        direction=Direction.OUTBOUND,
        channel=inbound.channel,
        body=body,
        to_address=inbound.from_address,
        from_address=inbound.to_address,
        status=MessageStatus.QUEUED,
        meta={"system": kind or "auto_reply"},
        created_at=clock.now(),
    )
    _publish_message(store, message)
    _enqueue(store, message)
    return message


# ---- outbound ---------------------------------------------------------------------------------


def _message_text(body: str, *, channel: str, photos: int = 0) -> str:
    """What a person wrote, trimmed: required unless photos come with it (a photo alone is a message),
    and within its channel's limit (1,600 characters for a text: Twilio refuses longer)."""
    text = (body or "").strip()
    if not text and not photos:
        raise ValidationError({"body": _("Write a message first.")})
    check_text(text, field="body", multiline=True)
    body_check(text, channel)
    return text


def _names_first_name(field: str) -> bool:
    return field.strip("{}[] ").lower() == "first_name"


def _unfilled_text(text: str) -> str:
    """Every merge field left in ``text``, each once and in order, to be named in one sentence
    ("Fill in {piece} and {pickup_day} before sending…"), else "" when there is none."""
    fields = list(dict.fromkeys(m.group(0) for m in _UNFILLED.finditer(text)))
    if not fields:
        return ""
    if len(fields) == 1:
        return _("Fill in %(field)s before sending: the customer would see it as typed.") % {"field": fields[0]}
    return _("Fill in %(some)s and %(last)s before sending: the customer would see them as typed.") % {
        "some": ", ".join(fields[:-1]),
        "last": fields[-1],
    }


def _clean_body(body: str, *, channel: str, photos: int = 0, conversation: Conversation | None = None) -> str:
    text = _message_text(body, channel=channel, photos=photos)
    unfilled = _UNFILLED.search(text)
    if unfilled and conversation is not None and _names_first_name(unfilled.group(0)):
        customer = conversation.customer
        if customer is None:
            raise ValidationError(
                {
                    "body": _(
                        "We do not know this person's name: write it in place of %(field)s, or leave the greeting out."
                    )
                    % {"field": unfilled.group(0)}
                }
            )
        if not (customer.preferred_name or customer.first_name):
            raise ValidationError(
                {
                    "body": _(
                        "This customer has no first name on file: write the name in place of %(field)s, "
                        "or add it to their profile."
                    )
                    % {"field": unfilled.group(0)}
                }
            )
    if unfilled:
        raise ValidationError({"body": _unfilled_text(text)})
    return text


def _queue(
    store: Store, actor: Any, conversation: Conversation, channel: str, address: str, body: str, meta: dict[str, Any]
) -> Message:
    if channel != conversation.channel:
        meta = {"previous_channel": conversation.channel, **meta}
    return Message.objects.create(
        store=store,
        conversation=conversation,
        direction=Direction.OUTBOUND,
        channel=channel,
        body=body,
        author=actor if getattr(actor, "pk", None) else None,
        to_address=address,
        status=MessageStatus.QUEUED,
        created_at=clock.now(),
        meta=meta,
    )


def _announce(store: Store, conversation: Conversation, message: Message) -> None:
    _conversation_outbound(store, conversation, message)
    _publish_message(store, message)
    _enqueue(store, message)


@transaction.atomic
def message_send(
    *,
    store: Store,
    actor: Any,
    conversation: Conversation,
    body: str,
    channel: str | None = None,
    photos: Sequence[Photo] = (),
) -> Message:
    """Queue a staff reply in the outbox; the worker sends it after this transaction commits.

    Its photos (already re-encoded, see ``photos.photo_prepare``) are written with it: if a file
    cannot be stored, the message and every file written for it are gone with the transaction.
    """
    count_check(len(photos))
    channel = channel or conversation.channel
    text = _clean_body(body, channel=channel, photos=len(photos), conversation=conversation)
    address = reply_address(store=store, conversation=conversation, channel=channel)
    if channel == ChannelKind.WHATSAPP and not whatsapp_window_open(conversation=conversation):
        raise ValidationError(
            {
                "channel": _(
                    "WhatsApp allows free-form messages only within 24 hours of the customer's last message; "
                    "send an approved template or use another channel."
                )
            }
        )
    message = _queue(store, actor, conversation, channel, address, text, {})
    _photos_attach(store, message, photos)
    _announce(store, conversation, message)
    return message


@transaction.atomic
def message_send_template(
    *,
    store: Store,
    actor: Any,
    conversation: Conversation,
    template: WhatsAppTemplate,
    variables: Mapping[str, Any],
) -> Message:
    """Queue an approved WhatsApp template, filled in: the one message WhatsApp takes outside the 24-hour window.

    The row keeps the text the customer reads (for the thread and the timeline) and, in
    ``meta["template"]``, the template's id, name, SID and the values, which the outbox sends to
    the provider instead of the text. Opt-outs and consent apply as to any reply.
    """
    if template.store_id != store.pk:
        raise ValidationError({"template": _("This template is not one of the store's.")})
    if not template.is_approved:
        raise ValidationError(
            {
                "template": _(
                    "“%(name)s” is not approved by WhatsApp (status: %(status)s); only an approved template can be sent."
                )
                % {"name": template.name, "status": template.get_approval_status_display().lower()}
            }
        )
    values, text = template_fill(template=template, values=variables)
    for key, value in values.items():
        if unfilled_words := _unfilled_text(value):
            raise ValidationError({f"variables.{key}": unfilled_words})
    address = reply_address(store=store, conversation=conversation, channel=ChannelKind.WHATSAPP)
    meta = {
        "template": {
            "id": template.pk,
            "name": template.name,
            "content_sid": template.content_sid,
            "language": template.language,
            "variables": values,
        }
    }
    message = _queue(store, actor, conversation, ChannelKind.WHATSAPP, address, text, meta)
    _announce(store, conversation, message)
    return message


def _photos_attach(store: Store, message: Message, photos: Sequence[Photo], *, provider_links: bool = True) -> None:
    if not photos:
        return
    with files_removed_on_failure() as written:
        ids = [photo_add(store=store, message=message, photo=p, written=written).pk for p in photos]
    # The ids, not links: the outbox signs fresh links at each attempt (a retry can be hours later).
    message.meta = {**message.meta, "photos": ids}
    if provider_links:
        message.meta["media_urls"] = [signed_url_for(i, store.pk, minutes=PROVIDER_MINUTES) for i in ids]
    message.save(update_fields=["meta"])


def _message_preview(message: Message, photos: int) -> str:
    if message.body or not photos:
        return _preview(message.body)
    return ngettext("Photo", "%(n)s photos", photos) % {"n": photos}


def _inbound_preview(message: Message) -> str:
    """A customer's message without words: its photos, or the files still to be fetched (a text's media)."""
    media = message.meta.get("media", ())
    photos = len(message.meta.get("photos", ())) or sum(
        1 for m in media if str(m.get("content_type", "")).lower().startswith("image/")
    )
    if not message.body and not photos and media:
        return _("Attachment")
    return _message_preview(message, photos)


def _conversation_outbound(store: Store, conversation: Conversation, message: Message) -> None:
    if conversation.awaiting_since is not None:
        waited = int((message.created_at - conversation.awaiting_since).total_seconds())
        # Every wait a person ends is kept for the response-time report, the first one on the conversation too.
        Response.objects.create(
            store=store,
            conversation=conversation,
            channel=message.channel,
            asked_at=conversation.awaiting_since,
            clock_from=hooks.response_clock_from(store, conversation) or conversation.awaiting_since,
            answered_at=max(message.created_at, conversation.awaiting_since),
            answered_by_id=message.author_id,
            first=conversation.first_response_seconds is None,
        )
        if conversation.first_response_seconds is None:
            conversation.first_response_seconds = max(0, waited)
        conversation.awaiting_since = None
    conversation.last_message_at = message.created_at
    conversation.last_message_preview = _message_preview(message, len(message.meta.get("photos", ())))
    conversation.save()
    if conversation.customer_id:
        Customer.objects.filter(pk=conversation.customer_id).update(last_contact_at=message.created_at)


def _enqueue(store: Store, message: Message) -> None:
    from trunkshow.messaging.tasks import deliver_message

    store_id, message_id = store.pk, message.pk
    enqueue_on_commit(deliver_message, store_id, message_id)


@transaction.atomic
def note_add(
    *, store: Store, actor: Any, conversation: Conversation, body: str, photos: Sequence[Photo] = ()
) -> Message:
    """An internal note in the thread: staff see it, the customer never does."""
    count_check(len(photos))
    text = (body or "").strip()
    if not text and not photos:
        raise ValidationError({"body": _("Write a note first.")})
    check_text(text, field="body", multiline=True)
    note_check(text)
    message = Message.objects.create(
        store=store,
        conversation=conversation,
        direction=Direction.NOTE,
        channel=conversation.channel,
        body=text,
        author=actor if getattr(actor, "pk", None) else None,
        status=MessageStatus.SENT,
        created_at=clock.now(),
    )
    _photos_attach(store, message, photos)
    _publish_message(store, message)
    hooks.note_added(store, conversation, message)
    return message


# ---- history ----------------------------------------------------------------------------------

# What a message from the past ended as: nothing recorded is queued, so the worker never sends it.
RECORDED_STATUSES = {
    Direction.INBOUND: (MessageStatus.RECEIVED,),
    Direction.OUTBOUND: (
        MessageStatus.SENT,
        MessageStatus.DELIVERED,
        MessageStatus.READ,
        MessageStatus.UNDELIVERED,
        MessageStatus.FAILED,
    ),
    Direction.NOTE: (MessageStatus.SENT,),
}


@transaction.atomic
def message_record(
    *,
    store: Store,
    conversation: Conversation,
    direction: str,
    body: str,
    at: dt.datetime,
    author: Any = None,
    status: str = "",
    provider: str = "",
    provider_id: str = "",
    meta: dict[str, Any] | None = None,
    photos: Sequence[Photo] = (),
) -> Message:
    """Record a message that happened in the past (the demo's history; a thread brought from elsewhere).

    It keeps its own time and final status and moves the conversation's clocks as it did then
    (last message, waiting since, first response time, the customer's last contact), and a STOP or
    START among them still decides the opt-out and the consent ledger, dated when it was said. But
    it is history: nothing is queued or sent, nothing answers it (no keyword confirmation, no
    out-of-hours reply), nobody is assigned or notified, no live event goes out. Record a
    conversation's messages in the order they happened. What happens now goes through
    ``message_receive``, ``message_send`` and ``note_add``.
    """
    if at.tzinfo is None or at > timezone.now():
        raise ValueError("a recorded message needs an aware time in the past")
    status = status or RECORDED_STATUSES[Direction(direction)][0]
    if status not in RECORDED_STATUSES[Direction(direction)]:
        raise ValueError(f"a recorded {direction} message cannot be {status!r}")
    inbound = direction == Direction.INBOUND
    message = Message.objects.create(
        store=store,
        conversation=conversation,
        direction=direction,
        channel=conversation.channel,
        body=body,
        author=None if inbound else author,
        from_address=conversation.address if inbound else "",
        to_address="" if inbound or direction == Direction.NOTE else conversation.address,
        status=status,
        provider=provider,
        provider_id=provider_id,
        meta=meta or {},
        created_at=at,
        sent_at=at if direction == Direction.OUTBOUND else None,
        status_at=at,
    )
    _photos_attach(store, message, photos, provider_links=False)  # kept as any upload is; nothing is sent
    if conversation.created_at > at:  # a conversation begins with its first message
        conversation.created_at = at
        conversation.save(update_fields=["created_at"])
    if inbound:
        keyword = None
        if conversation.channel in TEXT_CHANNELS and conversation.customer is not None:
            keyword = _keyword_decide(store, conversation.customer, message, at)
            _keyword_mark(message, keyword)
        _conversation_inbound(conversation, message, keyword=keyword)
    elif direction == Direction.OUTBOUND:
        _conversation_outbound(store, conversation, message)
    return message


# ---- provider status --------------------------------------------------------------------------


@transaction.atomic
def message_status_apply(
    *,
    store: Store,
    provider: str,
    provider_id: str,
    status: str,
    error: str = "",
    reference: uuid.UUID | None = None,
) -> Message | None:
    """Move a message forward to ``status``; an older or equal state arriving late changes nothing.

    The message is found by the provider's id, or else by our ``reference`` when the report came
    before that id was written (the provider answered the send but the outbox had not yet
    recorded it, or the send timed out after the provider took it). Such a message learns the
    provider's id here, and the outbox, finishing later, keeps the status that arrived first
    (``outbox._finish``).
    """
    if status not in STATUS_RANK:
        return None
    rows = Message.objects.select_for_update()
    message = rows.filter(store=store, provider=provider, provider_id=provider_id).first()
    if message is None and reference is not None:
        message = rows.filter(store=store, reference=reference, provider_id="").first()
        if message is not None:
            message.provider, message.provider_id = provider, provider_id
            message.save(update_fields=["provider", "provider_id"])
    if message is None:
        return None
    if STATUS_RANK[MessageStatus(status)] <= STATUS_RANK[MessageStatus(message.status)]:
        return message
    message.status = status
    message.status_at = timezone.now()
    if error:
        message.error = error[:300]
    message.save(update_fields=["status", "status_at", "error"])
    _publish_status(store, message)
    return message


def _publish_status(store: Store, message: Message) -> None:
    publish_on_commit(
        store=store,
        kind="message_status",
        payload={
            "id": message.pk,
            "conversation": message.conversation_id,
            "status": message.status,
            "error": message.error,
        },
    )


# ---- web chat ---------------------------------------------------------------------------------


@transaction.atomic
def webchat_message_receive(
    *,
    store: Store,
    conversation: Conversation | None,
    body: str,
    meta: dict[str, Any] | None = None,
    photos: Sequence[Photo] = (),
) -> Message:
    """A web-chat visitor's message, with its photos; without a conversation it starts one that has no customer yet.

    The visitor is anonymous until they say who they are (``channels.webchat.services.webchat_identify``).
    The photos (already re-encoded, see ``photos.photo_prepare``) are written with the message: if
    anything fails before the transaction ends, the message, its rows and every file written are gone.
    """
    count_check(len(photos))
    text = _message_text(body, channel=ChannelKind.WEBCHAT, photos=len(photos))
    now = clock.now()
    with files_removed_on_failure():
        if conversation is None:
            conversation = Conversation.objects.create(store=store, channel=ChannelKind.WEBCHAT, created_at=now)
        message = Message.objects.create(
            store=store,
            conversation=conversation,
            direction=Direction.INBOUND,
            channel=ChannelKind.WEBCHAT,
            body=text,
            status=MessageStatus.RECEIVED,
            provider="webchat",
            meta=meta or {},
            created_at=now,
        )
        _photos_attach(store, message, photos, provider_links=False)
        _conversation_inbound(conversation, message)
        _publish_message(store, message)
        hooks.inbound_received(store, conversation, message)  # assignment, the out-of-hours answer, pushes
    return message
