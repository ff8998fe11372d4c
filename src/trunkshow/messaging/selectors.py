"""Reads of the conversations: the payloads browsers get, access checks."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from typing import Any

from django.core.exceptions import ValidationError
from django.http import Http404
from django.utils.translation import gettext as _

from trunkshow.core import clock
from trunkshow.core.templatetags.trunkshow import store_day
from trunkshow.customers.models import CurrentConsent
from trunkshow.messaging.models import (
    CHANNEL_IN_SENTENCE,
    ChannelKind,
    Conversation,
    ConversationFold,
    ConversationStatus,
    Direction,
    Message,
    OptOut,
)
from trunkshow.stores.models import Store

WHATSAPP_WINDOW = dt.timedelta(hours=24)
# We stop offering free-form WhatsApp messages this long before the window closes: the customer's
# message reaches us after WhatsApp dated it, our clock may be minutes off theirs, and the outbox may
# send a little after the reply was written. Without it a reply at 23:58 could be refused (63016).
WHATSAPP_WINDOW_MARGIN = dt.timedelta(minutes=10)
TEXT_CHANNELS = (ChannelKind.SMS, ChannelKind.WHATSAPP)
# A conversation still going: the customer's next message belongs in it, and a merge folds a
# customer's live conversations into one (ADR 0010). A closed one is done; a message reopens it
# only when the customer has no live one.
LIVE = (ConversationStatus.OPEN, ConversationStatus.PENDING, ConversationStatus.SNOOZED)


def conversation_get_for(*, store: Store, conversation_id: Any) -> Conversation:
    try:
        return Conversation.objects.select_related("customer").get(store=store, pk=int(conversation_id))
    except (Conversation.DoesNotExist, TypeError, ValueError):
        raise Http404("No such conversation") from None


def conversation_folded_into(*, store: Store, conversation_id: Any) -> Conversation | None:
    """The thread a conversation was folded into by a customer merge, or None (never another store's)."""
    try:
        wanted = int(conversation_id)
    except (TypeError, ValueError):
        return None
    fold = ConversationFold.objects.filter(store=store, folded_id=wanted).select_related("conversation").first()
    return fold.conversation if fold is not None else None


def conversation_existing(*, store: Store, customer: Any) -> Conversation | None:
    """The customer's conversation: the most recent open, pending or snoozed one, else the most
    recent closed one. Their next message goes there and "Message" opens it; a merge leaves at most
    one live conversation, but closed ones beside it (ADR 0010)."""
    rows = Conversation.objects.filter(store=store, customer=customer)
    return (
        rows.filter(status__in=LIVE).order_by("-last_message_at", "-id").first()
        or rows.order_by("-last_message_at", "-id").first()
    )


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
        "template": (message.meta.get("template") or {}).get("name", ""),
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
    name = " ".join(p for p in (customer.preferred_name or customer.first_name, customer.last_name) if p)
    return name or customer.display_name  # without a name, their number as the store writes it


def merge_values(*, conversation: Conversation, associate: Any) -> dict[str, str]:
    """The merge fields of saved replies and WhatsApp templates for this conversation ('' when unknown)."""
    customer = conversation.customer
    return {
        "first_name": (customer.preferred_name or customer.first_name) if customer else "",
        "associate": (associate.name or "").split(" ")[0] if associate is not None else "",
        "store": conversation.store.name,
    }


def conversation_messages(*, conversation: Conversation, after_id: int = 0, limit: int = 200) -> list[Message]:
    """The thread in the order its messages reached Trunkshow (by id, ADR 0015): their times come from
    different processes' clocks, and a reply must never show above the message it answers."""
    qs = (
        Message.objects.filter(conversation=conversation, id__gt=after_id)
        .select_related("author")
        .prefetch_related("attachments")
    )
    thread = list(qs.order_by("id")[:limit])
    for message in thread:
        message.other_address = _other_address(conversation, message)  # type: ignore[attr-defined]
    return thread


def _other_address(conversation: Conversation, message: Message) -> str:
    """The customer's number a text or WhatsApp message came from or went to when it is not the
    conversation's own: after a merge joined two records' threads, each message of the other number
    says which it was ("" otherwise)."""
    if message.channel not in TEXT_CHANNELS:
        return ""
    address = {Direction.INBOUND: message.from_address, Direction.OUTBOUND: message.to_address}.get(
        Direction(message.direction), ""
    )
    return address if address and address != conversation.address else ""


def whatsapp_window_closes_at(*, conversation: Conversation) -> dt.datetime | None:
    """When we stop sending free-form WhatsApp messages: 24 hours after the customer's last WhatsApp
    message, less ``WHATSAPP_WINDOW_MARGIN``.

    ``None`` when the customer never wrote on WhatsApp (only a template may open the conversation).
    A text or an email from them opens no WhatsApp window.
    """
    last = (
        Message.objects.filter(conversation=conversation, direction=Direction.INBOUND, channel=ChannelKind.WHATSAPP)
        .order_by("-created_at", "-id")
        .values_list("created_at", flat=True)
        .first()
    )
    return last + WHATSAPP_WINDOW - WHATSAPP_WINDOW_MARGIN if last is not None else None


def whatsapp_window_open(*, conversation: Conversation) -> bool:
    """Whether WhatsApp takes a free-form message to this customer now (else only a template)."""
    closes_at = whatsapp_window_closes_at(conversation=conversation)
    return closes_at is not None and clock.now() <= closes_at


# ---- where a reply may go ---------------------------------------------------------------------


def opt_outs_for(*, store: Store, addresses: Iterable[str]) -> dict[tuple[str, str], OptOut]:
    """The opt-outs among these addresses, by (channel, address): nothing goes to an address on a
    channel found here. The one rule for the outbox, the composer and the customer's page."""
    wanted = {a for a in addresses if a}
    if not wanted:
        return {}
    return {(o.channel, o.address): o for o in OptOut.objects.filter(store=store, address__in=wanted)}


def opted_out(*, store: Store, channel: str, address: str) -> OptOut | None:
    return opt_outs_for(store=store, addresses=[address]).get((channel, address))


def _address_for(conversation: Conversation, channel: str) -> str:
    if channel == conversation.channel and conversation.address:
        return conversation.address
    customer = conversation.customer
    if customer is None:
        return ""
    if channel in TEXT_CHANNELS:
        phone = customer.phones.order_by("-is_primary", "id").first()
        return phone.e164 if phone else ""
    if channel == ChannelKind.EMAIL:
        email = customer.emails.order_by("-is_primary", "id").first()
        return email.address if email else ""
    return ""


def reply_address(*, store: Store, conversation: Conversation, channel: str) -> str:
    """The address a reply on ``channel`` goes to, once the channel is known, agreed to and not opted
    out of; otherwise a ValidationError saying why. The one rule for sending and for the composer's
    "Send by" menu (``reply_channels``).

    A reply goes where the customer wrote; another channel only with their consent to it.
    """
    if channel not in ChannelKind.values:
        raise ValidationError({"channel": _("Unknown channel “%(channel)s”.") % {"channel": channel}})
    label = CHANNEL_IN_SENTENCE[ChannelKind(channel)]
    if (
        channel != conversation.channel
        and not CurrentConsent.objects.filter(customer=conversation.customer, channel=channel, granted=True).exists()
    ):
        raise ValidationError(
            {"channel": _("The customer has not agreed to be contacted by %(channel)s.") % {"channel": label}}
        )
    address = _address_for(conversation, channel)
    if channel != ChannelKind.WEBCHAT and not address:
        raise ValidationError(
            {"channel": _("There is no address to reach this customer by %(channel)s.") % {"channel": label}}
        )
    blocked = opted_out(store=store, channel=channel, address=address) if address else None
    if blocked is not None:
        raise ValidationError(
            {
                "channel": _("This customer opted out of %(channel)s on %(date)s; nothing can be sent there.")
                % {"channel": label, "date": store_day(store, blocked.at)}
            }
        )
    return address


def reply_channels(*, store: Store, conversation: Conversation) -> list[str]:
    """The channels the composer offers: the conversation's own (a refusal there says why, like an
    opt-out), then each other one a reply may go to now (``reply_address``): agreed to, with an
    address, not opted out of. A web chat is never switched to: only the visitor's page reaches it."""
    offered = [conversation.channel]
    if conversation.customer_id is None:
        return offered
    for channel in (ChannelKind.SMS, ChannelKind.WHATSAPP, ChannelKind.EMAIL):
        if channel in offered:
            continue
        try:
            reply_address(store=store, conversation=conversation, channel=channel)
        except ValidationError:
            continue
        offered.append(channel)
    return offered


def reply_refusal(*, store: Store, conversation: Conversation, channel: str) -> str:
    """Why a reply on ``channel`` would be refused now (an opt-out, no consent, no address), or ""."""
    try:
        reply_address(store=store, conversation=conversation, channel=channel)
    except ValidationError as exc:
        return " ".join(exc.message_dict.get("channel", exc.messages))
    return ""


def conversation_last_channel(*, conversation: Conversation) -> str:
    """The channel of the conversation's newest message either way, notes aside (ADR 0010): the
    customer's latest message or the staff's latest reply, whichever is newer. It is what the inbox
    row shows and where the composer starts; ``Conversation.channel`` stays where the customer last
    wrote from (where an answer to them arrives)."""
    latest = (
        Message.objects.filter(conversation=conversation)
        .exclude(direction=Direction.NOTE)
        .order_by("-created_at", "-id")
        .values_list("channel", flat=True)
        .first()
    )
    return latest or conversation.channel


def reply_channel_default(
    *, conversation: Conversation, offered: Sequence[str], own_refused: bool = False, latest: str | None = None
) -> str:
    """The "Send by" the composer starts on, among ``offered`` (``reply_channels``): the channel of the
    conversation's newest message (``conversation_last_channel``: a switch to email sticks until the
    customer writes again), else the conversation's own channel, except where a typed reply there
    would be refused: when the customer opted out of it (``own_refused``), or on WhatsApp past its
    24-hour window; then the first other channel offered (a text to their phone, else email).
    WhatsApp stays offered for its templates, and stays the default when there is no other way to
    reach them."""

    def shut() -> bool:  # read only where WhatsApp is in question: one query
        return not whatsapp_window_open(conversation=conversation)

    latest = latest or conversation_last_channel(conversation=conversation)
    if latest != conversation.channel and latest in offered and not (latest == ChannelKind.WHATSAPP and shut()):
        return latest
    if own_refused or (conversation.channel == ChannelKind.WHATSAPP and shut()):
        return next((c for c in offered if c != conversation.channel), conversation.channel)
    return conversation.channel
