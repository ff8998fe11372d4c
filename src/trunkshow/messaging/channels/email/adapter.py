"""Email through Django's configured backend, threaded so the customer's reply lands in the conversation.

Each outbound email carries our own ``Message-ID`` (``<reference@domain>``) and, when the
customer wrote before, ``In-Reply-To`` and ``References`` pointing at their last email, so their
mail client threads it and their reply names our id. With ``INBOUND_EMAIL_DOMAIN`` set, the
``Reply-To`` is the conversation's signed reply address, so a reply finds its thread even when
the customer's client drops those headers. The store's name is the sender's display name; line
breaks in any header value are flattened (never a smuggled header) and non-ASCII is encoded.
A refused recipient is permanent; a server that is down, times out or answers 4xx is transient.
"""

from __future__ import annotations

import smtplib
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from email.utils import formataddr, parseaddr
from typing import Any

from django.conf import settings
from django.core.mail import BadHeaderError, EmailMessage, get_connection

from trunkshow.messaging.channels.base import Accepted, Outbound, PermanentError, TransientError
from trunkshow.messaging.models import attachment_storage


def message_id_domain() -> str:
    sender = str(settings.DEFAULT_FROM_EMAIL)
    domain = sender.rsplit("@", 1)[-1].strip(" >")
    return domain or "trunkshow.invalid"


def one_line(value: str) -> str:
    """A header value on one line: CR, LF and other controls become spaces."""
    return " ".join("".join(" " if ord(ch) < 32 or ord(ch) == 127 else ch for ch in value).split())


def email_headers(store: Any, message: Any, context: dict[str, Any] | None = None) -> dict[str, str]:
    """Our Message-ID, the store as sender, the signed reply address, and the thread's headers from the
    customer's last email (looked up once per outbox batch through ``context``)."""
    from trunkshow.messaging.channels.email.addresses import reply_address
    from trunkshow.messaging.models import Direction, Message

    headers = {"Message-ID": f"<{message.reference}@{message_id_domain()}>"}
    sender_name, sender_address = parseaddr(str(settings.DEFAULT_FROM_EMAIL))
    if sender_address:
        headers["From"] = formataddr((one_line(store.name) or sender_name, sender_address))
    reply_to = reply_address(message.conversation)
    if reply_to:
        headers["Reply-To"] = reply_to
    cache = context if context is not None else {}
    key = f"last-email:{message.conversation_id}"
    if key not in cache:
        cache[key] = (
            Message.objects.filter(
                conversation_id=message.conversation_id, direction=Direction.INBOUND, channel="email"
            )
            .order_by("-created_at", "-id")
            .first()
        )
    last = cache[key]
    subject = message.conversation.subject or store.name
    if last is not None and last.meta.get("message_id"):
        parent = last.meta["message_id"]
        references = [*last.meta.get("references", []), parent][-20:]
        headers["In-Reply-To"] = parent
        headers["References"] = " ".join(references)
        if not subject.lower().startswith("re:"):
            subject = f"Re: {subject}"
    headers["Subject"] = one_line(subject)
    return headers


class EmailAdapter:
    name = "email"

    def __init__(self) -> None:
        self._connection: Any = None

    @contextmanager
    def session(self) -> Iterator[None]:
        """One SMTP connection for a batch of messages (opened on the first send, closed after)."""
        try:
            yield
        finally:
            if self._connection is not None:
                with suppress(smtplib.SMTPException, OSError):
                    self._connection.close()
                self._connection = None

    def _send(self, email: EmailMessage) -> None:
        if self._connection is None:
            self._connection = get_connection(fail_silently=False)
            self._connection.open()
        try:
            self._connection.send_messages([email])
        except (smtplib.SMTPServerDisconnected, smtplib.SMTPResponseException, OSError):
            # The server may have dropped the connection or refused this one message: next time, anew.
            with suppress(smtplib.SMTPException, OSError):
                self._connection.close()
            self._connection = None
            raise

    def send(self, message: Outbound) -> Accepted:
        headers = dict(message.headers)
        subject = headers.pop("Subject", "")
        email = EmailMessage(
            subject=subject, body=message.body, from_email=message.sender, to=[message.to], headers=headers
        )
        if message.files:
            storage = attachment_storage()
            for file in message.files:
                try:
                    with storage.open(file.storage_name, "rb") as handle:
                        email.attach(file.filename, handle.read(), file.content_type)
                except OSError as exc:
                    raise TransientError(f"The photo {file.filename} could not be read from storage.") from exc
        try:
            self._send(email)
        except BadHeaderError as exc:  # a line break that reached a header: never sent, never retried
            raise PermanentError("A header of the message has a line break in it.") from exc
        except smtplib.SMTPRecipientsRefused as exc:
            codes = [code for code, _text in exc.recipients.values()]
            if codes and all(400 <= code < 500 for code in codes):
                raise TransientError(f"The mail server answered {codes[0]}: try again later.") from exc
            raise PermanentError(f"The mail server refused the address {message.to}.") from exc
        except smtplib.SMTPResponseException as exc:
            if 400 <= exc.smtp_code < 500:
                raise TransientError(f"The mail server answered {exc.smtp_code}: try again later.") from exc
            raise PermanentError(f"The mail server refused the message ({exc.smtp_code}).") from exc
        except (smtplib.SMTPException, OSError) as exc:
            raise TransientError(f"The mail server could not be reached ({exc.__class__.__name__}).") from exc
        return Accepted(provider=self.name, provider_id=headers["Message-ID"])

    def lookup(self, reference: str) -> Accepted | None:
        return None  # SMTP has no lookup: a resend after an ambiguous failure may duplicate, which mail tolerates
