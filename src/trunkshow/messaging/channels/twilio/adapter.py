"""Sending texts, MMS photos and WhatsApp messages with the ``twilio`` library.

One ``Client.messages.create`` per message, with ``StatusCallback`` pointing at the store's
status webhook so delivery reports come back. Errors are sorted for the outbox:

- Twilio answered 5xx or 429, or the connection could not be made (refused, connect timeout):
  nothing was accepted, ``TransientError`` (retried with backoff);
- the request went out and no answer came back (read timeout, connection dropped mid-answer):
  Twilio may have accepted it, ``AmbiguousError``: before any resend the outbox calls
  ``lookup``, which searches the messages Twilio holds (see ``lookup``);
- any other 4xx (invalid number, blocked, not a mobile, credentials): ``PermanentError`` with
  the reason in words.
"""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

import requests
from django.utils.translation import gettext as _
from twilio.base.exceptions import TwilioException, TwilioRestException
from urllib3.exceptions import ConnectTimeoutError

from trunkshow.messaging.channels.base import (
    Accepted,
    AmbiguousError,
    Outbound,
    PermanentError,
    ReceivedMedia,
    TemplateReview,
    TransientError,
)
from trunkshow.messaging.channels.twilio import config
from trunkshow.messaging.channels.twilio.errors import reason_for

# How many of the latest messages between the two numbers ``lookup`` reads, and how far before
# our row's creation a match may be dated (clocks differ a little).
LOOKUP_LIMIT = 20
LOOKUP_CLOCK_SLACK = dt.timedelta(minutes=2)


class TwilioAdapter:
    name = config.PROVIDER

    def __init__(self, client: Any | None = None) -> None:
        self._client = client

    @property
    def client(self) -> Any:
        return self._client or config.client()

    def send(self, message: Outbound) -> Accepted:
        if not message.sender:
            raise PermanentError(
                _("No Twilio number is set up for %(channel)s: set TWILIO_FROM_NUMBER or TWILIO_WHATSAPP_FROM.")
                % {"channel": message.channel}
            )
        kwargs: dict[str, Any] = {
            "to": config.wire_address(message.channel, message.to),
            "from_": config.wire_address(message.channel, message.sender),
        }
        if message.content_sid:
            # Twilio renders the approved template itself: ContentSid and the values as one JSON string,
            # never a Body. A template without placeholders gets no ContentVariables (Twilio refuses "{}").
            kwargs["content_sid"] = message.content_sid
            if message.content_variables:
                kwargs["content_variables"] = json.dumps(message.content_variables, ensure_ascii=False)
        else:
            kwargs["body"] = message.body
        if message.media_urls:
            kwargs["media_url"] = list(message.media_urls)
        if message.status_callback:
            kwargs["status_callback"] = message.status_callback
        try:
            created = self.client.messages.create(**kwargs)
        except TwilioRestException as exc:
            raise _refusal(exc) from exc
        except requests.exceptions.RequestException as exc:
            raise _connection_failure(exc) from exc
        except (TwilioException, ValueError) as exc:  # an answer that cannot be read: it may have been accepted
            raise AmbiguousError(
                _("Twilio's answer could not be read (%(error)s); checking before sending again.")
                % {"error": exc.__class__.__name__}
            ) from exc
        return Accepted(provider=self.name, provider_id=str(created.sid), status="sent")

    def lookup(self, reference: str) -> Accepted | None:
        """The message Twilio accepted for our reference before an ambiguous failure, if any.

        Twilio takes no idempotency key and keeps no field of ours on a message, so this reads
        the latest messages between the store's number and the customer's (newest first) and
        takes one with the same body, created no earlier than our row, whose sid we do not
        already hold for another message. ``None`` when none matches: the outbox then sends.
        """
        from django_scopes import scopes_disabled

        from trunkshow.messaging.models import Message

        with scopes_disabled():
            row = Message.objects.filter(reference=reference).select_related("store").first()
            if row is None:
                return None
            sender = row.from_address or config.store_number(row.store, row.channel)
            try:
                candidates = self.client.messages.list(
                    to=config.wire_address(row.channel, row.to_address),
                    from_=config.wire_address(row.channel, sender),
                    limit=LOOKUP_LIMIT,
                )
            except TwilioRestException as exc:
                raise _refusal(exc) from exc
            except requests.exceptions.RequestException as exc:
                # Still unknown: stay ambiguous and ask again on the next try.
                raise AmbiguousError(
                    _("Twilio could not be asked about an earlier try (%(error)s).") % {"error": exc.__class__.__name__}
                ) from exc
            earliest = row.created_at - LOOKUP_CLOCK_SLACK
            for candidate in candidates:
                created = candidate.date_created
                if candidate.body != row.body or (created is not None and created < earliest):
                    continue
                if Message.objects.filter(provider=self.name, provider_id=candidate.sid).exclude(pk=row.pk).exists():
                    continue
                return Accepted(provider=self.name, provider_id=str(candidate.sid), status="sent")
        return None

    def fetch_media(self, url: str, *, max_bytes: int) -> ReceivedMedia:
        """A photo a customer sent (``MediaUrl``), with the account's credentials (see ``twilio.media``)."""
        from trunkshow.messaging.channels.twilio.media import media_fetch

        return media_fetch(url, max_bytes=max_bytes)

    def template_review(self, content_sid: str) -> TemplateReview:
        """WhatsApp's review of a content template (``GET content.twilio.com/v1/Content/{sid}/ApprovalRequests``).

        A template never submitted to WhatsApp has no ``whatsapp`` part: "unsubmitted". Raises
        ``PermanentError`` when Twilio has no such template on this account, ``TransientError``
        when Twilio cannot be asked now.
        """
        try:
            review = self.client.content.v1.contents(content_sid).approval_fetch().fetch()
        except TwilioRestException as exc:
            if exc.status == 404:
                raise PermanentError(
                    _("Twilio has no template %(sid)s on this account: check the content SID.") % {"sid": content_sid}
                ) from exc
            refusal = _refusal(exc)
            if isinstance(refusal, TransientError):  # asked by a person, not retried by the outbox
                raise TransientError(
                    _("Twilio answered %(status)s; try again shortly.") % {"status": exc.status}
                ) from exc
            raise refusal from exc
        except requests.exceptions.RequestException as exc:
            raise TransientError(
                _("Twilio could not be asked (%(error)s); try again shortly.") % {"error": exc.__class__.__name__}
            ) from exc
        except (TwilioException, ValueError) as exc:
            raise TransientError(
                _("Twilio's answer could not be read (%(error)s).") % {"error": exc.__class__.__name__}
            ) from exc
        whatsapp = review.whatsapp if isinstance(review.whatsapp, dict) else {}
        return TemplateReview(
            status=str(whatsapp.get("status") or "unsubmitted").lower(),
            rejection_reason=str(whatsapp.get("rejection_reason") or ""),
        )


def _refusal(exc: TwilioRestException) -> Exception:
    detail = str(exc.msg or "").split(": ", 1)[-1]
    if exc.status == 429 or exc.code == 20429:
        return TransientError(_("Twilio is limiting our sending rate (429); trying again later."))
    if exc.status >= 500:
        return TransientError(_("Twilio answered %(status)s; trying again later.") % {"status": exc.status})
    return PermanentError(
        reason_for(exc.code, detail) or _("Twilio refused the message (%(status)s).") % {"status": exc.status}
    )


def _connection_failure(exc: requests.exceptions.RequestException) -> Exception:
    reason = exc.args[0] if exc.args else None
    reason = getattr(reason, "reason", reason)
    # Refused, unresolvable or too slow to connect: the request never left.
    if isinstance(exc, requests.exceptions.ConnectTimeout) or isinstance(reason, ConnectTimeoutError):
        return TransientError(_("Twilio could not be reached (%(error)s).") % {"error": _name(reason, exc)})
    if isinstance(exc, requests.exceptions.Timeout):
        return AmbiguousError(_("Twilio did not answer in time; checking before sending again."))
    return AmbiguousError(
        _("The connection to Twilio broke before its answer (%(error)s); checking before sending again.")
        % {"error": _name(reason, exc)}
    )


def _name(reason: Any, exc: Exception) -> str:
    return (reason if isinstance(reason, Exception) else exc).__class__.__name__
