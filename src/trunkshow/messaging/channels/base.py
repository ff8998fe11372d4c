"""The interface every sending channel implements, and the errors it may raise.

The outbox (``messaging.outbox``) calls ``send``; it never knows a provider's wire format. An
adapter raises ``TransientError`` for what may work on a later try (a timeout, a 5xx, a rate
limit) and ``PermanentError`` for what never will (an invalid number, a refused sender).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Protocol


class SendError(Exception):
    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


class TransientError(SendError):
    """Try again later: the provider timed out, failed or limited us."""


class AmbiguousError(TransientError):
    """The provider may have accepted the message (a timeout after sending): look it up before a resend."""


class PermanentError(SendError):
    """Retrying will not help: the address is invalid, the sender refused, the content not allowed."""


@dataclass(frozen=True)
class OutboundFile:
    """A file sent with the message itself (email attachments): its name in attachment storage."""

    filename: str
    content_type: str
    storage_name: str


@dataclass(frozen=True)
class Outbound:
    reference: str  # our unique id of the message (UUID), for idempotency and lookups
    channel: str
    to: str
    sender: str
    body: str
    media_urls: tuple[str, ...] = ()
    files: tuple[OutboundFile, ...] = ()
    headers: dict[str, str] = field(default_factory=dict)
    status_callback: str = ""
    # An approved WhatsApp template sent instead of ``body`` (which then only records what the customer reads).
    content_sid: str = ""
    content_variables: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class Accepted:
    provider: str
    provider_id: str
    status: str = "sent"


@dataclass(frozen=True)
class TemplateReview:
    """What the provider says of a WhatsApp template: its approval status and, when refused, why."""

    status: str
    rejection_reason: str = ""


class Adapter(Protocol):
    name: str

    def send(self, message: Outbound) -> Accepted: ...

    def lookup(self, reference: str) -> Accepted | None:
        """The message the provider holds for our reference, if it accepted one (after an ambiguous error)."""
        ...


@dataclass(frozen=True)
class ReceivedMedia:
    """A file a customer sent, as the provider served it: its type and its bytes (within the limit asked for)."""

    content_type: str
    data: bytes


class MediaSource(Protocol):
    """An adapter that can fetch the media of an inbound message (Twilio's MediaUrl).

    Raises ``TransientError`` for what may work later (a timeout, a 5xx, a refused connection)
    and ``PermanentError`` for what never will (a host we do not fetch from, a file over
    ``max_bytes``, credentials refused).
    """

    def fetch_media(self, url: str, *, max_bytes: int) -> ReceivedMedia: ...


class TemplateReviews(Protocol):
    """An adapter that can tell how WhatsApp's review of a template stands (Twilio; the sandbox cannot)."""

    def template_review(self, content_sid: str) -> TemplateReview: ...
