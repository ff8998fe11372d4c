"""Starting a conversation from the store's side: the profile's "Message" and POST /api/v1/conversations.

The customer's conversation is one thread across channels (ADR 0010), so "Message" opens the one
they have: the most recent open, pending or snoozed one, else the most recent closed one (sending
reopens it, and the associate sees what was said before). Only a customer with no conversation at
all gets a new one, on the best channel they may be messaged on (``channel_choose``). Nothing is
sent here: the associate writes in the inbox's composer, and the outbox's own checks apply there.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from trunkshow.core import clock
from trunkshow.core.templatetags.trunkshow import phone_for_region, store_day
from trunkshow.customers.models import ConsentPurpose, CurrentConsent, Customer
from trunkshow.messaging.models import CHANNEL_IN_SENTENCE, ChannelKind, Conversation
from trunkshow.messaging.selectors import conversation_existing, opt_outs_for
from trunkshow.stores.models import Store

# The channels a conversation may be started on, in the order taken when nothing else decides:
# a text reaches a phone at once; an email waits; WhatsApp without the customer's message first
# takes only an approved template. Web chat is never started from our side: only the visitor's page
# reaches it, so it is used only where the visitor's conversation already exists.
STARTABLE = (ChannelKind.SMS, ChannelKind.EMAIL, ChannelKind.WHATSAPP)


@dataclass(frozen=True)
class ChannelChoice:
    channel: str
    address: str


@dataclass(frozen=True)
class Started:
    conversation: Conversation
    created: bool


class NoChannel(ValidationError):
    """No channel the customer may be messaged on; ``reason`` says why, in a sentence for staff."""

    def __init__(self, reason: str) -> None:
        super().__init__({"channel": [reason]})
        self.reason = reason


def _withdrawn(customer: Customer) -> dict[str, dt.datetime]:
    """The channels whose service messages the customer said no to (the ledger's latest word), and when."""
    rows = CurrentConsent.objects.filter(
        customer=customer, purpose=ConsentPurpose.SERVICE, granted=False
    ).select_related("event")
    return {row.channel: row.event.occurred_at for row in rows}


def _granted(customer: Customer) -> set[str]:
    return set(CurrentConsent.objects.filter(customer=customer, granted=True).values_list("channel", flat=True))


def _options(
    store: Store, customer: Customer, *, phones: list[str] | None = None, emails: list[str] | None = None
) -> tuple[dict[str, str], dict[str, str]]:
    """Per startable channel: the address a conversation would use, or the reason it cannot."""
    if phones is None:
        phones = list(customer.phones.order_by("-is_primary", "id").values_list("e164", flat=True))
    if emails is None:
        emails = list(customer.emails.order_by("-is_primary", "id").values_list("address", flat=True))
    blocked = opt_outs_for(store=store, addresses=[*phones, *emails])
    withdrawn = _withdrawn(customer)
    usable: dict[str, str] = {}
    refused: dict[str, str] = {}
    for channel in STARTABLE:
        label = str(CHANNEL_IN_SENTENCE[channel])
        addresses = emails if channel == ChannelKind.EMAIL else phones
        if not addresses:
            refused[channel] = (
                _("there is no email address") if channel == ChannelKind.EMAIL else _("there is no phone number")
            )
            continue
        if channel in withdrawn:
            refused[channel] = _("they withdrew consent to %(channel)s on %(date)s") % {
                "channel": label,
                "date": store_day(store, withdrawn[channel]),
            }
            continue
        free = [a for a in addresses if (channel, a) not in blocked]
        if free:
            usable[channel] = free[0]
            continue
        refused[channel] = "; ".join(
            _("%(address)s opted out of %(channel)s on %(date)s")
            % {
                "address": phone_for_region(a, store.phone_region) if channel != ChannelKind.EMAIL else a,
                "channel": label,
                "date": store_day(store, blocked[(channel, a)].at),
            }
            for a in addresses
        )
    return usable, refused


def _refusal(customer: Customer, refused: dict[str, str]) -> str:
    reasons = list(dict.fromkeys(refused[c] for c in STARTABLE if c in refused))
    name = customer.display_name
    if reasons == [_("there is no phone number"), _("there is no email address")]:
        return _("%(name)s cannot be messaged: there is no phone number or email address. Add one under Contact.") % {
            "name": name
        }
    return _("%(name)s cannot be messaged: %(reasons)s.") % {"name": name, "reasons": "; ".join(reasons)}


def channel_choose(*, store: Store, customer: Customer, channel: str | None = None) -> ChannelChoice:
    """The channel and address a new conversation with the customer starts on, else ``NoChannel``.

    A channel needs an address (a phone for texts and WhatsApp, an email for email), one not opted
    out of that channel (another of their numbers may be), and no withdrawn consent to service
    messages there. Among those: ``channel`` when asked for (refused with its reason otherwise),
    else their preferred channel, else one they agreed to be contacted on, else the first in
    ``STARTABLE``.
    """
    usable, refused = _options(store, customer)
    if channel is not None:
        if channel not in STARTABLE:
            raise NoChannel(
                _("A conversation can be started by text message, email or WhatsApp, not “%(channel)s”.")
                % {"channel": channel}
            )
        if channel not in usable:
            raise NoChannel(_refusal(customer, {channel: refused[channel]}))
        return ChannelChoice(channel, usable[channel])
    if not usable:
        raise NoChannel(_refusal(customer, refused))
    granted = _granted(customer)
    ranked = sorted(
        usable,
        key=lambda c: (c != customer.preferred_channel, c not in granted, STARTABLE.index(ChannelKind(c))),
    )
    return ChannelChoice(ranked[0], usable[ranked[0]])


def message_blocked(
    *, store: Store, customer: Customer, phones: list[str] | None = None, emails: list[str] | None = None
) -> str | None:
    """Why ``conversation_start`` would refuse this customer, or None: the profile says it beside the
    button rather than after the tap. ``phones`` and ``emails``, primary first, when the caller holds them."""
    if Conversation.objects.filter(store=store, customer=customer).exists():
        return None
    usable, refused = _options(store, customer, phones=phones, emails=emails)
    return None if usable else _refusal(customer, refused)


@transaction.atomic
def conversation_start(*, store: Store, actor: Any, customer: Customer, channel: str | None = None) -> Started:
    """The customer's conversation to write in (``conversation_existing``), else a new one on
    ``channel_choose``'s channel, assigned to the customer's associate, else to whoever started it.
    ``NoChannel`` when there is none to open and none may be started."""
    # Two taps on "Message" (or two associates at once) must not start two threads.
    Customer.objects.select_for_update().filter(store=store, pk=customer.pk).first()
    existing = conversation_existing(store=store, customer=customer)
    if existing is not None:
        return Started(existing, created=False)
    choice = channel_choose(store=store, customer=customer, channel=channel)
    now = clock.now()
    conversation = Conversation.objects.create(
        store=store,
        customer=customer,
        channel=choice.channel,
        address=choice.address,
        assigned_to_id=customer.assigned_associate_id or getattr(actor, "pk", None),
        last_message_at=now,
        created_at=now,
    )
    return Started(conversation, created=True)
