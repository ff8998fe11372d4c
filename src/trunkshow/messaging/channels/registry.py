"""Which adapter sends on which channel, chosen from the settings once per process."""

from __future__ import annotations

from functools import cache
from typing import Any

from django.conf import settings

from trunkshow.messaging.channels.base import Accepted, Adapter, MediaSource, Outbound, TemplateReviews
from trunkshow.messaging.channels.email import EmailAdapter, email_headers
from trunkshow.messaging.channels.sandbox import SandboxAdapter
from trunkshow.messaging.channels.twilio.config import hook_url, store_number, twilio_configured
from trunkshow.messaging.models import ChannelKind


class WebchatAdapter:
    """The widget reads the thread over its websocket (and by polling): sending is storing."""

    name = "webchat"

    def send(self, message: Outbound) -> Accepted:
        return Accepted(provider=self.name, provider_id=message.reference)

    def lookup(self, reference: str) -> Accepted | None:
        return Accepted(provider=self.name, provider_id=reference)


@cache
def sandbox() -> SandboxAdapter:
    return SandboxAdapter()


@cache
def _twilio() -> Adapter:
    from trunkshow.messaging.channels.twilio.adapter import TwilioAdapter

    return TwilioAdapter()


def adapter_for(channel: str) -> Adapter:
    if channel == ChannelKind.WEBCHAT:
        return WebchatAdapter()
    if channel == ChannelKind.EMAIL:
        return EmailAdapter()
    if channel in (ChannelKind.SMS, ChannelKind.WHATSAPP) and twilio_configured():
        return _twilio()
    return sandbox()


def template_reviews() -> TemplateReviews | None:
    """Who can say whether WhatsApp approved a template: Twilio when it is set up; nobody in the sandbox."""
    if twilio_configured():
        from trunkshow.messaging.channels.twilio.adapter import TwilioAdapter

        adapter = _twilio()
        assert isinstance(adapter, TwilioAdapter)
        return adapter
    return None


def media_source_for(provider: str) -> MediaSource | None:
    """Who fetches the media of a message this provider delivered: Twilio while it is set up, else nobody."""
    if provider == "twilio" and twilio_configured():
        from trunkshow.messaging.channels.twilio.adapter import TwilioAdapter

        adapter = _twilio()
        assert isinstance(adapter, TwilioAdapter)
        return adapter
    return None


def sender_for(store: Any, channel: str) -> str:
    if channel == ChannelKind.EMAIL:
        return str(settings.DEFAULT_FROM_EMAIL)
    if channel in (ChannelKind.SMS, ChannelKind.WHATSAPP):
        if twilio_configured():
            return store_number(store, channel)
        return str(settings.TWILIO_FROM_NUMBER or "+15005550006")
    return ""


def status_callback_for(store: Any, message: Any) -> str:
    """Where the provider reports the message's delivery ('' when it reports nowhere).

    The address carries our reference for the message: a report can arrive before the provider's
    answer to the send has been written (a batch of fifty takes seconds), or after a timeout
    that left us without its id, and it must still find its message. Twilio signs the whole
    URL, query included, so the reference cannot be altered.
    """
    if message.channel in (ChannelKind.SMS, ChannelKind.WHATSAPP) and twilio_configured():
        return f"{hook_url(store, 'status')}?ref={message.reference}"
    return ""


def outbound_headers(store: Any, message: Any, context: dict[str, Any] | None = None) -> dict[str, str]:
    if message.channel == ChannelKind.EMAIL:
        return email_headers(store, message, context)
    return {}
