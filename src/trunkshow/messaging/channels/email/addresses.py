"""Which store and which conversation an inbound email is for, from the address it was sent to.

``<store-slug>@INBOUND_EMAIL_DOMAIN`` (or ``<slug>+anything@``) reaches the store; the reply
address of our outbound mail, ``reply+<store>-<conversation>-<signature>@INBOUND_EMAIL_DOMAIN``,
names the conversation and is signed with the installation's secret key, so it cannot be made
up to reach another thread. The signature is lowercase hex: mail systems may change the case
of a local part.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from django.conf import settings
from django.utils.crypto import constant_time_compare, salted_hmac
from django_scopes import scopes_disabled

from trunkshow.messaging.channels.email.parsing import Headers, Refused
from trunkshow.messaging.models import Conversation
from trunkshow.stores.models import Store

_SALT = "trunkshow.messaging.email.reply"
_TOKEN = re.compile(r"^reply\+(\d{1,12})-(\d{1,12})-([0-9a-f]{20})$")


@dataclass(frozen=True)
class Route:
    store: Store
    conversation_id: int | None = None  # named by a signed reply address


def _signature(store_id: int, conversation_id: int) -> str:
    return salted_hmac(_SALT, f"{store_id}-{conversation_id}", algorithm="sha256").hexdigest()[:20]


def reply_address(conversation: Conversation) -> str:
    """The address the customer's reply goes to, or "" when no inbound domain is configured."""
    domain = settings.INBOUND_EMAIL_DOMAIN
    if not domain:
        return ""
    store_id, conversation_id = conversation.store_id, conversation.pk
    return f"reply+{store_id}-{conversation_id}-{_signature(store_id, conversation_id)}@{domain}"


def _route_of(address: str) -> Route | None:
    local, _at, domain = address.strip().lower().rpartition("@")
    if local.startswith("reply "):
        local = "reply+" + local[6:]  # a "+" sent unencoded in a query string arrives as a space
    token = _TOKEN.match(local)
    if token is not None:
        store_id, conversation_id = int(token.group(1)), int(token.group(2))
        if not constant_time_compare(token.group(3), _signature(store_id, conversation_id)):
            return None
        with scopes_disabled():
            conversation = Conversation.objects.filter(pk=conversation_id, store_id=store_id).select_related("store")
            found = conversation.first()
        return Route(store=found.store, conversation_id=found.pk) if found is not None else None
    if not settings.INBOUND_EMAIL_DOMAIN or domain != settings.INBOUND_EMAIL_DOMAIN:
        return None
    slug = local.split("+", 1)[0]
    store = Store.objects.filter(slug=slug).first()
    return Route(store=store) if store is not None else None


def email_route(*, headers: Headers, recipient: str = "", store_slug: str = "") -> Route:
    """The store (and maybe the conversation) for a message: the slug given, else its recipients."""
    if store_slug:
        store = Store.objects.filter(slug=store_slug).first()
        if store is None:
            raise Refused(404, "unknown_store", f"There is no store “{store_slug}”.")
        # A signed reply address among the recipients still names the conversation, in this store only.
        for address in [recipient, *headers.recipients]:
            route = _route_of(address) if address else None
            if route is not None and route.store.pk == store.pk and route.conversation_id is not None:
                return route
        return Route(store=store)
    # The envelope recipient (what the mail server delivered to) before the headers the sender wrote.
    for address in [recipient, *headers.recipients]:
        route = _route_of(address) if address else None
        if route is not None:
            return route
    raise Refused(404, "unknown_recipient", "No store receives mail at the addresses this message was sent to.")
