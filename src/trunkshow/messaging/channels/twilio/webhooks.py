"""Twilio's webhooks: inbound texts and WhatsApp messages, and delivery status callbacks.

Each store has its own two URLs, ``/hooks/twilio/<store slug>/inbound`` and ``.../status``:
the store is named by the URL that Twilio signs, so a request signed for one store's URL fails
the signature check on another's, and the ``To`` number must also be the store's own. (Finding
the store from ``To`` alone would need every store to have its own number; with the slug in the
URL, stores that share the account's number still keep their customers apart.)

Order of work for every request, so that nothing is written for a request we refuse:
1. the per-address rate limit (a counter in the cache, nothing in the database);
2. ``X-Twilio-Signature``, checked by the library's ``RequestValidator`` over the URL rebuilt
   from ``PUBLIC_URL`` (never from the ``Host`` header, which the client chooses) and the form
   fields; missing, forged or altered → 403;
3. the store (unknown slug → 404), the account and the ``To`` number (another's → 403);
4. the raw event in ``ProviderEvent`` under a unique id, in the same transaction as its effect:
   a retried or replayed webhook hits the unique constraint and changes nothing (still 200,
   so Twilio stops retrying);
5. the service (``message_receive`` or ``message_status_apply``), then empty TwiML; an inbound
   message's photos are fetched afterwards by the worker (``inbound_media``), never in the request.

Twilio's signatures carry no timestamp, so a captured request stays valid forever: replay
protection is the unique ``MessageSid`` (and, for status callbacks, sid plus status).
"""

from __future__ import annotations

import logging
import re
import uuid
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.http import HttpRequest, HttpResponse, JsonResponse, QueryDict
from django.views.decorators.csrf import csrf_exempt
from django_scopes import scope
from twilio.request_validator import RequestValidator
from twilio.twiml.messaging_response import MessagingResponse

from trunkshow.core.access import client_ip
from trunkshow.core.throttle import throttle_hit
from trunkshow.messaging.channels.twilio import config
from trunkshow.messaging.channels.twilio.errors import reason_for
from trunkshow.messaging.channels.twilio.media import media_url_allowed
from trunkshow.messaging.inbound_media import inbound_media_schedule
from trunkshow.messaging.models import MessageStatus, ProviderEvent
from trunkshow.messaging.services import message_receive, message_status_apply
from trunkshow.stores.models import Store

log = logging.getLogger(__name__)

# Twilio's message statuses, as ours. Its early states (accepted, scheduled, queued) are ours
# "queued", which never moves a message back; "canceled" means it will never go out.
STATUSES = {
    "accepted": MessageStatus.QUEUED,
    "scheduled": MessageStatus.QUEUED,
    "queued": MessageStatus.QUEUED,
    "sending": MessageStatus.SENDING,
    "sent": MessageStatus.SENT,
    "delivered": MessageStatus.DELIVERED,
    "read": MessageStatus.READ,
    "undelivered": MessageStatus.UNDELIVERED,
    "failed": MessageStatus.FAILED,
    "canceled": MessageStatus.FAILED,
}
SID = re.compile(r"[A-Z]{2}[0-9a-fA-F]{32}")  # SM..., MM...: two letters and 32 hexadecimal digits
MAX_MEDIA = 10  # Twilio delivers at most 10 media items with one message


def _error(status: int, code: str, message: str, fields: dict[str, list[str]] | None = None) -> JsonResponse:
    return JsonResponse({"error": {"code": code, "message": message, "fields": fields or {}}}, status=status)


def _twiml() -> HttpResponse:
    return HttpResponse(str(MessagingResponse()), content_type="text/xml; charset=utf-8")


def _refusal(request: HttpRequest) -> HttpResponse | None:
    """The answer to a request we will not process, or None to go on."""
    if request.method != "POST":
        response = _error(405, "method_not_allowed", f"This endpoint does not accept {request.method}.")
        response["Allow"] = "POST"
        return response
    wait = throttle_hit(
        f"twilio-hook:{client_ip(request) or 'unknown'}", limit=settings.TWILIO_HOOK_RATE_PER_MINUTE, window=60
    )
    if wait is not None:
        response = _error(429, "rate_limited", f"Too many webhook requests from this address; retry in {wait} s.")
        response["Retry-After"] = str(wait)
        return response
    if not config.twilio_configured():
        return _error(404, "not_found", "Twilio is not set up on this server.")
    signature = request.headers.get("X-Twilio-Signature", "")
    url = str(settings.PUBLIC_URL) + request.get_full_path()
    if not signature or not RequestValidator(settings.TWILIO_AUTH_TOKEN).validate(url, request.POST, signature):
        log.warning("twilio webhook refused: bad or missing signature for %s", request.path)
        return _error(403, "bad_signature", "The X-Twilio-Signature header is missing or does not match.")
    if request.POST.get("AccountSid") != settings.TWILIO_ACCOUNT_SID:
        return _error(403, "wrong_account", "This webhook is for another Twilio account.")
    return None


def _store(slug: str) -> Store | None:
    return Store.objects.filter(slug=slug).first()


def _form(request: HttpRequest) -> QueryDict:
    """The signed form fields, without NUL characters (PostgreSQL stores none, in text or JSON)."""
    form = request.POST.copy()
    for key, values in request.POST.lists():
        form.setlist(key, [value.replace("\x00", "") for value in values])
    return form


def _payload(form: QueryDict) -> dict[str, Any]:
    return {key: values[0] if len(values) == 1 else values for key, values in form.lists()}


def _record(store: Store, event_id: str, kind: str, payload: dict[str, Any]) -> bool:
    """Store the raw event; False when its id is already stored (a retry or a replay)."""
    try:
        with transaction.atomic():
            ProviderEvent.objects.create(
                store=store, provider=config.PROVIDER, event_id=event_id[:160], kind=kind, payload=payload
            )
    except IntegrityError:
        return False
    return True


def _reference(value: str) -> uuid.UUID | None:
    """Our reference from a status callback's address (set by ``status_callback_for``); None if absent or not one."""
    try:
        return uuid.UUID(value) if value else None
    except ValueError:
        return None


def _media(form: QueryDict) -> tuple[list[dict[str, str]], list[str]]:
    try:
        count = min(MAX_MEDIA, max(0, int(form.get("NumMedia", "0") or 0)))
    except ValueError:
        count = 0
    kept, refused = [], []
    for index in range(count):
        url = form.get(f"MediaUrl{index}", "")
        if not url:
            continue
        if media_url_allowed(url):
            content_type = form.get(f"MediaContentType{index}", "")[:100]
            kept.append({"url": url, "content_type": content_type, "state": "pending"})
        else:
            refused.append(url[:300])
    return kept, refused


@csrf_exempt
def inbound(request: HttpRequest, slug: str) -> HttpResponse:
    refused = _refusal(request)
    if refused is not None:
        return refused
    store = _store(slug)
    if store is None:
        return _error(404, "not_found", "No such store.")
    form = _form(request)
    sid = form.get("MessageSid", "").strip()
    channel, sender = config.from_wire(form.get("From", ""))
    to_channel, to_number = config.from_wire(form.get("To", ""))
    if not SID.fullmatch(sid) or not sender:
        return _error(400, "invalid", "A Twilio MessageSid and From are required.")
    if to_channel != channel or to_number != config.store_number(store, channel):
        return _error(403, "wrong_number", "This message was sent to a number that is not this store's.")
    media, refused_media = _media(form)
    meta: dict[str, Any] = {"num_media": len(media) + len(refused_media), "media": media}
    if refused_media:
        meta["media_refused"] = refused_media  # not on Twilio's host: never fetched
    try:
        with scope(store=store), transaction.atomic():
            if not _record(store, sid, "inbound", _payload(form)):
                return _twiml()
            message, created = message_receive(
                store=store,
                channel=channel,
                from_address=sender,
                to_address=to_number,
                body=form.get("Body", ""),
                provider=config.PROVIDER,
                provider_id=sid,
                name=form.get("ProfileName", "")[:200],
                meta=meta,
            )
            if created:  # a retried webhook fetches nothing again
                inbound_media_schedule(store=store, message=message)
    except ValidationError as exc:
        # A sender that cannot be a customer's phone (a short code, an alphanumeric id): refused
        # whole, nothing stored, with the reason Twilio's debugger will show.
        log.warning("twilio inbound %s refused: %s", sid, exc.messages)
        return _error(400, "invalid", "The sender is not a phone number we can keep.", {"From": exc.messages})
    return _twiml()


@csrf_exempt
def status(request: HttpRequest, slug: str) -> HttpResponse:
    refused = _refusal(request)
    if refused is not None:
        return refused
    store = _store(slug)
    if store is None:
        return _error(404, "not_found", "No such store.")
    form = _form(request)
    sid = form.get("MessageSid", "").strip()
    raw = (form.get("MessageStatus") or form.get("SmsStatus") or "").strip().lower()
    if not SID.fullmatch(sid) or not raw:
        return _error(400, "invalid", "A Twilio MessageSid and MessageStatus are required.")
    channel, number = config.from_wire(form.get("From", ""))
    if number and number != config.store_number(store, channel):
        return _error(403, "wrong_number", "This report is about a number that is not this store's.")
    reference = _reference(request.GET.get("ref", ""))
    with scope(store=store), transaction.atomic():
        if not _record(store, f"{sid}:{raw}", "status", _payload(form)):
            return _twiml()
        ours = STATUSES.get(raw)
        if ours is not None:
            code = form.get("ErrorCode", "")
            error = reason_for(code, form.get("ErrorMessage", "")) if code else ""
            message_status_apply(
                store=store, provider=config.PROVIDER, provider_id=sid, status=ours, error=error, reference=reference
            )
    return _twiml()
