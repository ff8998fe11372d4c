"""Which Twilio account and numbers a store uses, read from the settings at each call.

A store's own number (``TWILIO_STORE_NUMBERS``) serves it on both SMS and WhatsApp; otherwise
the account's ``TWILIO_FROM_NUMBER`` (SMS) and ``TWILIO_WHATSAPP_FROM`` (WhatsApp). Addresses
are stored bare (``+15551234567``) everywhere in Trunkshow, so a customer's WhatsApp and SMS
threads find the same phone; the ``whatsapp:`` prefix exists only on Twilio's wire.
"""

from __future__ import annotations

from functools import cache
from typing import Any

from django.conf import settings
from django.urls import reverse

PROVIDER = "twilio"
WHATSAPP_PREFIX = "whatsapp:"
TEXT_CHANNELS = ("sms", "whatsapp")


def twilio_configured() -> bool:
    return bool(settings.TWILIO_ACCOUNT_SID and settings.TWILIO_AUTH_TOKEN)


def store_number(store: Any, channel: str) -> str:
    """The number the store sends from, and receives on, for a text channel ('' when none is set)."""
    own = settings.TWILIO_STORE_NUMBERS.get(store.slug)
    if own:
        return str(own)
    if channel == "whatsapp":
        return str(settings.TWILIO_WHATSAPP_FROM)
    return str(settings.TWILIO_FROM_NUMBER)


def wire_address(channel: str, number: str) -> str:
    if channel == "whatsapp" and not number.startswith(WHATSAPP_PREFIX):
        return WHATSAPP_PREFIX + number
    return number


def from_wire(address: str) -> tuple[str, str]:
    """(channel, bare number) of an address as Twilio writes it."""
    address = address.strip()
    if address.startswith(WHATSAPP_PREFIX):
        return "whatsapp", address[len(WHATSAPP_PREFIX) :]
    return "sms", address


def hook_url(store: Any, name: str) -> str:
    """The public address of one of the store's Twilio webhooks, as Twilio calls it and signs it."""
    return str(settings.PUBLIC_URL) + reverse(f"twilio_{name}", args=[store.slug])


def client() -> Any:
    return _client(
        settings.TWILIO_ACCOUNT_SID,
        settings.TWILIO_AUTH_TOKEN,
        settings.TWILIO_API_BASE,
        float(settings.TWILIO_TIMEOUT_SECONDS),
    )


@cache
def _client(account_sid: str, auth_token: str, api_base: str, timeout: float) -> Any:
    # One client (one connection pool) per configuration; keyed so a test's settings get their own.
    from twilio.rest import Client

    from trunkshow.messaging.channels.twilio.transport import RebasedHttpClient

    return Client(account_sid, auth_token, http_client=RebasedHttpClient(api_base=api_base, timeout=timeout))
