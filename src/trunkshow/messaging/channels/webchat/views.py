"""The widget's public endpoints: its script and its JSON API, open only to the store's allowed origins.

No cookies are used: the visitor's token travels in the ``Authorization`` header, so these views
are exempt from CSRF and a page on another origin can never act with a staff session.
"""

from __future__ import annotations

import functools
import hashlib
import json
import logging
from collections.abc import Callable
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from django.conf import settings
from django.core.exceptions import RequestDataTooBig, SuspiciousOperation, ValidationError
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.http.multipartparser import MultiPartParserError
from django.http.response import HttpResponseBase
from django.utils import translation
from django.utils.cache import patch_vary_headers
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.csrf import csrf_exempt
from django_scopes import scope

from trunkshow.core import clock
from trunkshow.core.access import client_ip
from trunkshow.core.throttle import rate_allow
from trunkshow.messaging import hooks
from trunkshow.messaging.channels.webchat import selectors, services, text
from trunkshow.messaging.limits import body_limit
from trunkshow.messaging.media import attachment_response
from trunkshow.messaging.models import ChannelKind
from trunkshow.messaging.photos import MAX_PHOTO_BYTES, MAX_PHOTOS, Photo, PhotoRefused, photo_limits, photos_prepare
from trunkshow.messaging.services import webchat_message_receive
from trunkshow.stores.models import Store

log = logging.getLogger(__name__)
HERE = Path(__file__).resolve().parent
# A request with photos: every photo at its limit, plus room for the words and the form's framing.
MAX_UPLOAD_BYTES = MAX_PHOTOS * MAX_PHOTO_BYTES + 1024 * 1024
# (requests, seconds): generous for a person chatting, tight for a script hammering.
RATE_LIMITS: dict[str, tuple[int, int]] = {
    "script": (120, 60),
    "preflight": (120, 60),
    "config": (60, 60),
    "start": (10, 600),
    "message": (20, 60),
    "read": (60, 60),
    "identify": (5, 600),
    "photos": (10, 600),  # messages with photos (each up to 6)
    "photo": (240, 60),  # photos and thumbnails opened in the thread
    # Every API call from one address, whatever the token (made-up tokens cost a lookup each).
    "address": (300, 60),
}


def _limit(name: str) -> tuple[int, int]:
    return {**RATE_LIMITS, **getattr(settings, "WIDGET_RATE_LIMITS", {})}[name]


def _error(status: int, code: str, message: str, fields: dict[str, list[str]] | None = None) -> JsonResponse:
    return JsonResponse({"error": {"code": code, "message": message, "fields": fields or {}}}, status=status)


def _throttled(retry_after: int) -> JsonResponse:
    response = _error(
        429,
        "throttled",
        ngettext(
            "Too many requests; try again in %(n)s second.",
            "Too many requests; try again in %(n)s seconds.",
            retry_after,
        )
        % {"n": retry_after},
    )
    response["Retry-After"] = str(retry_after)
    return response


def _allowed(request: HttpRequest, name: str, who: str) -> JsonResponse | None:
    limit, window = _limit(name)
    ok, retry_after = rate_allow(key=f"widget:{name}:{who}", limit=limit, window=window)
    return None if ok else _throttled(retry_after)


# ---- the script -------------------------------------------------------------------------------


@functools.lru_cache(maxsize=256)
def _script(slug: str, name: str, base: str, language: str) -> tuple[bytes, str]:
    source = (HERE / "widget.js").read_text()
    style = (HERE / "widget.css").read_text()
    with translation.override(language):
        # The store's name signs its messages that have no author (the closed store's answer), from
        # the first one shown, before /config has answered.
        config = {
            "store": slug,
            "name": name,
            "base": base,
            "lang": language,
            "max": body_limit(ChannelKind.WEBCHAT),
            "text": text.widget_words(),
        }
    script = source.replace("__CONFIG__", json.dumps(config, ensure_ascii=False)).replace(
        "__CSS__", json.dumps(" ".join(style.split()))
    )
    body = script.encode()
    return body, hashlib.sha256(body).hexdigest()[:20]


def widget_script(request: HttpRequest, store_slug: str) -> HttpResponse:
    refused = _allowed(request, "script", client_ip(request) or "")
    if refused is not None:
        return refused
    store = selectors.store_for_widget(store_slug)
    # In the language LocaleMiddleware negotiated from Accept-Language (it adds Vary: Accept-Language).
    body, digest = _script(store.slug, store.name, request.build_absolute_uri("/").rstrip("/"), text.language())
    etag = f'"{digest}"'
    if etag in request.headers.get("If-None-Match", ""):
        response = HttpResponse(status=304)
    else:
        response = HttpResponse(body, content_type="text/javascript; charset=utf-8")
    response["ETag"] = etag
    # The tag's URL never changes, so the copy is short-lived and revalidated by its content hash.
    response["Cache-Control"] = "public, max-age=300, stale-while-revalidate=86400"
    response["Cross-Origin-Resource-Policy"] = "cross-origin"
    return response


# ---- CORS and the JSON endpoints ---------------------------------------------------------------


def _origin(request: HttpRequest) -> str:
    origin = request.headers.get("Origin", "")
    if origin:
        return origin
    # Browsers omit Origin on a same-origin GET (the demo site): the referrer then says where it comes from.
    referer = urlsplit(request.headers.get("Referer", ""))
    return f"{referer.scheme}://{referer.netloc}" if referer.scheme and referer.netloc else ""


def _with_cors(response: HttpResponseBase, origin: str) -> HttpResponseBase:
    response["Access-Control-Allow-Origin"] = origin
    patch_vary_headers(response, ["Origin"])
    response["Access-Control-Expose-Headers"] = "Retry-After"
    return response


def widget_api(**rates: str) -> Callable[..., Any]:
    """A public widget endpoint: the store's allowed origins only, preflight answered, rate-limited.

    ``rates`` names each method the endpoint answers and the rate limit it counts against.
    """
    methods = tuple(rates)

    def decorate(view: Callable[..., HttpResponseBase]) -> Callable[..., HttpResponseBase]:
        @csrf_exempt
        @functools.wraps(view)
        def wrapper(request: HttpRequest, store_slug: str, **kwargs: Any) -> HttpResponseBase:
            ip = client_ip(request) or ""
            try:
                store = selectors.store_for_widget(store_slug)
            except Http404:
                return _error(404, "not_found", _("No such store."))
            with scope(store=store):
                origin = _origin(request)
                if not origin or origin not in selectors.allowed_origins(store):
                    return _error(403, "origin_not_allowed", _("This website may not use the store's chat."))
                if request.method == "OPTIONS":
                    refused = _allowed(request, "preflight", f"{store.pk}:{ip}")
                    response = refused or HttpResponse(status=204)
                    response["Access-Control-Allow-Methods"] = ", ".join((*methods, "OPTIONS"))
                    response["Access-Control-Allow-Headers"] = "Authorization, Content-Type"
                    response["Access-Control-Max-Age"] = "600"
                    return _with_cors(response, origin)
                if request.method not in methods:
                    return _with_cors(_error(405, "method_not_allowed", _("Method not allowed.")), origin)
                token = request.headers.get("Authorization", "").removeprefix("Bearer ").strip()
                # Per visitor when there is a token, else per address, and always per store.
                refused = _allowed(request, "address", f"{store.pk}:{ip}") or _allowed(
                    request, rates[request.method], f"{store.pk}:{token[:64] or ip}"
                )
                if refused is not None:
                    return _with_cors(refused, origin)
                answer: HttpResponseBase
                try:
                    answer = view(request, store=store, token=token, ip=ip, **kwargs)
                except Http404:
                    answer = _error(404, "not_found", _("No such conversation."))
                except RequestDataTooBig:
                    answer = _error(413, "too_large", _("This message is too large to send; shorten it."))
                except ValidationError as exc:
                    answer = _invalid(exc)
                except _BadInput as exc:
                    answer = _error(400, "bad_request", str(exc))
                except PhotoRefused as exc:
                    answer = _error(exc.status, exc.code, exc.message, {"files": [exc.message]})
                except _StorageFailed:
                    said = _("The photos could not be saved; nothing was sent. Try again in a moment.")
                    answer = _error(503, "storage_failed", said, {"files": [said]})
                return _with_cors(answer, origin)

        return wrapper

    return decorate


class _BadInput(Exception):
    pass


class _StorageFailed(Exception):
    pass


def _invalid(exc: ValidationError) -> JsonResponse:
    fields = exc.message_dict if hasattr(exc, "error_dict") else {"body": exc.messages}
    first = next(iter(fields.values()))[0] if fields else _("The request is not valid.")
    return _error(400, "invalid", str(first), {k: [str(m) for m in v] for k, v in fields.items()})


def _json(request: HttpRequest) -> dict[str, Any]:
    try:
        data = json.loads(request.body or b"{}")
    except (ValueError, UnicodeDecodeError):
        raise _BadInput(_("The body must be JSON.")) from None
    if not isinstance(data, dict):
        raise _BadInput(_("The body must be a JSON object."))
    return data


def _text(data: dict[str, Any], name: str, max_length: int = 100_000) -> str:
    value = data.get(name, "")
    if value is None:
        return ""
    if not isinstance(value, str):
        raise ValidationError({name: [_("Must be text.")]})
    return value[:max_length]


def _form(request: HttpRequest) -> tuple[dict[str, Any], list[Photo]]:
    """The request's fields and its photos re-encoded: JSON for words alone, multipart when ``files`` come too.

    Every photo is read and re-encoded before anything is written; the first one refused refuses
    the message (nothing kept, the reason names the file).
    """
    if request.content_type != "multipart/form-data":
        return _json(request), []
    length = request.headers.get("Content-Length", "")
    if length.isdigit() and int(length) > MAX_UPLOAD_BYTES:
        raise PhotoRefused(
            413,
            "photos_too_large",
            _("These photos are %(mb)s MB together; a message can carry at most %(max)s MB.")
            % {"mb": int(length) // 1024 // 1024, "max": MAX_UPLOAD_BYTES // 1024 // 1024},
        )
    try:
        fields = {name: request.POST.get(name, "") for name in ("body", "page")}
        files = request.FILES.getlist("files")
    except (MultiPartParserError, SuspiciousOperation):
        raise _BadInput(_("The photos did not arrive whole; send them again.")) from None
    return fields, photos_prepare(files)


def _written(write: Callable[[], Any]) -> Any:
    """A write with photos: a failing disk is a 503 (the service has removed what it wrote)."""
    try:
        return write()
    except OSError:
        log.exception("the web chat could not store photos")
        raise _StorageFailed from None


@widget_api(GET="config")
def widget_config(request: HttpRequest, *, store: Store, token: str, ip: str) -> HttpResponse:
    settings_row = services.webchat_settings_get(store=store)
    hours = selectors.opening_hours(store)
    # Times as the visitor's language writes them in the store's country: "10:00 AM" for English in New
    # York, "10:00" in Paris. The visitor's own region is not known: the script asks in its language alone.
    locale = text.times_locale(store.locale)
    return JsonResponse(
        {
            "store": store.name,
            "hours": hours,
            # The week's spans as the widget lists them ("" on a closed day); ``hours`` keeps the data.
            "times": text.week_times(hours, locale),
            "reply_time": text.reply_time(settings_row.reply_time_text, hooks.response_target_minutes(store)),
            "status": text.hours_status(hours, store.time_zone, locale),
            # The widget sends it back with the visitor's consent: the ledger records this language's words.
            "language": text.language(),
            "consent_text": services.consent_text(store),
            # Nobody answers while the store is closed: ask how to reach the visitor straight away.
            "ask_contact_first": not hours["open"],
            "photos": photo_limits(),
            # The widget compares the store's times with this, never with the visitor's own clock.
            "now": clock.now().isoformat(),
        }
    )


@widget_api(POST="start")
def conversation_start(request: HttpRequest, *, store: Store, token: str, ip: str) -> HttpResponse:
    data, photos = _form(request)
    conversation, message, raw = _written(
        lambda: services.webchat_conversation_start(
            store=store, body=_text(data, "body"), page_url=_text(data, "page", 500), photos=photos
        )
    )
    return JsonResponse(
        {
            "conversation": conversation.pk,
            "token": raw,
            "message": selectors.widget_message(message),
            # The visitor's own message's event, not the latest: what the same request added after
            # it (the closed store's automatic answer) then comes on the socket's resume.
            "last_event": selectors.message_event_id(
                store=store, conversation_id=conversation.pk, message_id=message.pk
            ),
        },
        status=201,
    )


@widget_api(GET="read", POST="message")
def messages(request: HttpRequest, *, store: Store, token: str, ip: str, conversation_id: int) -> HttpResponse:
    """POST: the visitor writes; GET ``?after=<message id>``: what they have not seen (the polling fallback)."""
    conversation = selectors.visitor_get_for(store=store, token=token, conversation_id=conversation_id).conversation
    if request.method == "POST":
        data = _json(request)
        message = webchat_message_receive(store=store, conversation=conversation, body=_text(data, "body"))
        return JsonResponse({"message": selectors.widget_message(message)}, status=201)
    after = request.GET.get("after", "0")
    if not after.isdigit():
        raise ValidationError({"after": [_("Give a message id (a whole number).")]})
    messages = selectors.widget_messages(conversation=conversation, after_id=int(after))
    return JsonResponse(
        {
            "conversation": conversation.pk,  # another than asked after a merge folded it (ADR 0010)
            "messages": [selectors.widget_message(m) for m in messages],
            "identified": conversation.customer_id is not None,
            "last_event": selectors.last_event_id(store=store, conversation_id=conversation.pk),
            "now": clock.now().isoformat(),
        }
    )


@widget_api(POST="photos")
def photos(request: HttpRequest, *, store: Store, token: str, ip: str, conversation_id: int) -> HttpResponse:
    """The visitor sends photos (``multipart/form-data``: ``files``, one to six, and an optional ``body``)."""
    conversation = selectors.visitor_get_for(store=store, token=token, conversation_id=conversation_id).conversation
    if request.content_type != "multipart/form-data":
        raise _BadInput(_("Send photos as multipart/form-data, each in a field named files."))
    data, prepared = _form(request)
    if not prepared:
        raise ValidationError({"files": [_("Choose at least one photo to send.")]})
    message = _written(
        lambda: webchat_message_receive(
            store=store, conversation=conversation, body=_text(data, "body"), photos=prepared
        )
    )
    return JsonResponse({"message": selectors.widget_message(message)}, status=201)


@widget_api(GET="photo")
def photo(
    request: HttpRequest, *, store: Store, token: str, ip: str, conversation_id: int, photo_id: int, thumb: bool = False
) -> HttpResponseBase:
    """One photo of the visitor's conversation (or its thumbnail), only with the visitor's token."""
    conversation = selectors.visitor_get_for(store=store, token=token, conversation_id=conversation_id).conversation
    return attachment_response(
        selectors.widget_photo_get_for(conversation=conversation, photo_id=photo_id), thumb=thumb
    )


@widget_api(POST="identify")
def identify(request: HttpRequest, *, store: Store, token: str, ip: str, conversation_id: int) -> HttpResponse:
    visitor = selectors.visitor_get_for(store=store, token=token, conversation_id=conversation_id)
    data = _json(request)
    consent = data.get("consent", False)
    if not isinstance(consent, bool):
        raise ValidationError({"consent": [_("Must be true or false.")]})
    customer = services.webchat_identify(
        store=store,
        visitor=visitor,
        name=_text(data, "name", 1000),
        phone=_text(data, "phone", 100),
        email=_text(data, "email", 300),
        consent=consent,
        consent_language=_text(data, "language", 20) or text.language(),
        page_url=_text(data, "page", 500),
        ip=ip or None,
    )
    # "reach": where else the store may answer (the channels given and consented to), so the thanks
    # promises no more than that.
    return JsonResponse(
        {"identified": True, "name": customer.first_name, "reach": services.webchat_reach(customer=customer)}
    )


@widget_api(POST="identify")
def consent(request: HttpRequest, *, store: Store, token: str, ip: str, conversation_id: int) -> HttpResponse:
    """The box ticked after the details were saved without it (the widget's "Also let the store…")."""
    visitor = selectors.visitor_get_for(store=store, token=token, conversation_id=conversation_id)
    data = _json(request)
    customer = services.webchat_consent_give(
        store=store,
        visitor=visitor,
        language=_text(data, "language", 20) or text.language(),
        page_url=_text(data, "page", 500),
        ip=ip or None,
    )
    return JsonResponse({"name": customer.first_name, "reach": services.webchat_reach(customer=customer)})
