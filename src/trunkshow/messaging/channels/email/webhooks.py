"""``POST /hooks/email/inbound``: one raw RFC 5322 message as the body, from our mail server.

Authentication comes first: ``Authorization: Bearer <TRUNKSHOW_INBOUND_EMAIL_SECRET>`` or
``X-Trunkshow-Signature: sha256=<hex HMAC-SHA256 of the body with that secret>``, compared in
constant time. Optional query parameters: ``recipient`` (the envelope recipient, which routes
before the headers do) and ``store`` (a store's slug, when the mail server already knows it).
"""

from __future__ import annotations

import hashlib
import hmac
import logging

from django.conf import settings
from django.db import DatabaseError
from django.http import HttpRequest, JsonResponse
from django.views.decorators.csrf import csrf_exempt
from django_scopes import scope

from trunkshow.core.access import client_ip
from trunkshow.core.throttle import throttle_hit
from trunkshow.messaging.channels.email.inbound import Refused, email_receive, route_raw

logger = logging.getLogger(__name__)
SIGNATURE_HEADER = "HTTP_X_TRUNKSHOW_SIGNATURE"


def _error(status: int, code: str, message: str) -> JsonResponse:
    return JsonResponse({"error": {"code": code, "message": message, "fields": {}}}, status=status)


def _bearer_refusal(request: HttpRequest, secret: str) -> JsonResponse | None:
    scheme, _space, token = request.META.get("HTTP_AUTHORIZATION", "").partition(" ")
    if scheme.lower() != "bearer" or not hmac.compare_digest(token.strip().encode(), secret.encode()):
        return _error(403, "forbidden", "The inbound email secret is wrong.")
    return None


def _signature_refusal(raw: bytes, given: str, secret: str) -> JsonResponse | None:
    expected = "sha256=" + hmac.new(secret.encode(), raw, hashlib.sha256).hexdigest()
    if not hmac.compare_digest(given.strip().lower().encode(), expected.encode()):
        return _error(403, "forbidden", "The signature does not match the body.")
    return None


def _too_large(size: int) -> JsonResponse:
    limit = settings.INBOUND_EMAIL_MAX_BYTES
    return _error(413, "too_large", f"The message is {size} bytes; the limit is {limit} bytes.")


@csrf_exempt
def inbound(request: HttpRequest) -> JsonResponse:
    if request.method != "POST":
        response = _error(405, "method_not_allowed", "Deliver messages with POST.")
        response["Allow"] = "POST"
        return response
    wait = throttle_hit(f"email-inbound:{client_ip(request)}", limit=settings.INBOUND_EMAIL_RATE_PER_MINUTE)
    if wait is not None:
        response = _error(429, "throttled", f"Too many deliveries; try again in {wait} seconds.")
        response["Retry-After"] = str(wait)
        return response
    secret = settings.INBOUND_EMAIL_SECRET
    if not secret:
        return _error(403, "not_configured", "Inbound email is not configured (TRUNKSHOW_INBOUND_EMAIL_SECRET).")
    signature = request.META.get(SIGNATURE_HEADER, "")
    if not signature and not request.META.get("HTTP_AUTHORIZATION"):
        return _error(401, "unauthenticated", "Authenticate with the inbound email secret.")
    if not signature:
        refusal = _bearer_refusal(request, secret)
        if refusal is not None:
            return refusal
    try:
        declared = int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        declared = 0
    if declared > settings.INBOUND_EMAIL_MAX_BYTES:
        return _too_large(declared)
    # Read from the stream: request.body would stop at DATA_UPLOAD_MAX_MEMORY_SIZE (2.5 MB).
    raw = request.read(settings.INBOUND_EMAIL_MAX_BYTES + 1)
    if signature:
        refusal = _signature_refusal(raw, signature, secret)
        if refusal is not None:
            return refusal
    if len(raw) > settings.INBOUND_EMAIL_MAX_BYTES:
        return _too_large(len(raw))
    if not raw.strip():
        return _error(400, "empty", "The body must be the raw message (Content-Type: message/rfc822).")
    recipient = request.GET.get("recipient", "")[:254]
    try:
        route = route_raw(raw=raw, recipient=recipient, store_slug=request.GET.get("store", "")[:50])
        with scope(store=route.store):
            message, created = email_receive(route=route, raw=raw, recipient=recipient)
    except Refused as refused:
        return _error(refused.status, refused.code, refused.reason)
    except (OSError, DatabaseError):
        # The disk or the database failed mid-way: nothing was kept; the mail server delivers again later.
        logger.exception("inbound email not stored")
        return _error(503, "unavailable", "The message could not be stored now; deliver it again later.")
    return JsonResponse(
        {"message": message.pk, "conversation": message.conversation_id, "created": created},
        status=201 if created else 200,
    )
