"""The API's base: one NinjaAPI, bearer authentication, the error envelope and cursors.

Errors are always ``{"error": {"code": ..., "message": ..., "fields": {...}}}``.
Apps add their routers in ``trunkshow/urls.py``; this module imports no app.
"""

from __future__ import annotations

import base64
import datetime as dt
import json
import logging
from collections.abc import Callable, Sequence
from typing import Any, get_args, get_origin

import orjson
from django.conf import settings
from django.core.exceptions import FieldDoesNotExist, RequestDataTooBig
from django.core.exceptions import ValidationError as DjangoValidationError
from django.core.serializers.json import DjangoJSONEncoder
from django.db.models import IntegerField, Q, QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.http.multipartparser import MultiPartParserError
from django.utils.translation import gettext as _
from ninja import NinjaAPI, Schema
from ninja.errors import AuthenticationError, HttpError
from ninja.errors import ValidationError as NinjaValidationError
from ninja.renderers import BaseRenderer
from ninja.security import HttpBearer
from pydantic import BaseModel

from trunkshow.core.access import PermissionDenied
from trunkshow.core.errors import RETRY_AFTER_SECONDS, UNAVAILABLE_MESSAGE, database_unreachable
from trunkshow.core.pages import is_api

logger = logging.getLogger(__name__)


class ApiError(Exception):
    def __init__(self, status: int, code: str, message: str, fields: dict[str, list[str]] | None = None) -> None:
        super().__init__(message)
        self.status, self.code, self.message, self.fields = status, code, message, fields or {}


class ErrorBody(Schema):
    code: str
    message: str
    fields: dict[str, list[str]] = {}


class ErrorOut(Schema):
    error: ErrorBody


# Documented on every operation: bad input, no or bad token, a role without the right,
# not this store's (or no such) object.
ERRORS: dict[Any, Any] = {(400, 401, 403, 404): ErrorOut}


def refuse_body(request: HttpRequest) -> None:
    """An action that takes no body (erase, cancel, retry, check) refuses one rather than acting on
    it regardless: a client sending ``{"dry_run": true}`` to erase must not lose the customer.
    Nothing, or an empty JSON object, is accepted."""
    if request.content_type in ("multipart/form-data", "application/x-www-form-urlencoded"):
        empty = not request.POST and not request.FILES  # an empty form, as a bare POST of many clients
    else:
        body = request.body.strip()
        try:
            empty = not body or json.loads(body) == {}
        except ValueError:
            empty = False
    if not empty:
        raise ApiError(
            400,
            "invalid",
            _("This action takes no request body; send none."),
            {"body": [_("Nothing was done: remove the body and send the request again.")]},
        )


def refuse_unknown_parameters(request: HttpRequest, allowed: type[Schema]) -> None:
    """A filter this list does not know is refused, never silently ignored."""
    unknown = sorted(set(request.GET) - set(allowed.model_fields))
    if unknown:
        known = ", ".join(sorted(allowed.model_fields))
        why = (
            _("Not a filter of this list; use %(known)s.") % {"known": known}
            if known
            else _("This endpoint takes no query parameters.")
        )
        raise ApiError(
            400,
            "invalid",
            _("Unknown query parameter: %(names)s.") % {"names": ", ".join(unknown)},
            {name: [why] for name in unknown},
        )
    repeated = sorted(
        name for name in set(request.GET) if len(request.GET.getlist(name)) > 1 and not _many(allowed, name)
    )
    if repeated:
        raise ApiError(
            400,
            "invalid",
            _("Give each of these parameters once: %(names)s.") % {"names": ", ".join(repeated)},
            {name: [_("Give this parameter once.")] for name in repeated},
        )


def _many(schema: type[Schema], name: str) -> bool:
    """Whether the parameter is a list (``interest=a&interest=b``); any other given twice is refused,
    never read as its last value."""
    annotation = schema.model_fields[name].annotation
    return list in (get_origin(annotation), *(get_origin(a) for a in get_args(annotation)))


class StoreBearer(HttpBearer):
    """The store middleware has already resolved the token; here we only require that it did."""

    openapi_scheme = "bearer"

    def __call__(self, request: HttpRequest) -> Any:
        membership = getattr(request, "membership", None)
        if membership is None:
            raise AuthenticationError(401, getattr(request, "api_auth_error", None) or "Authentication required.")
        return membership

    def authenticate(self, request: HttpRequest, token: str) -> Any:  # pragma: no cover - unused
        return getattr(request, "membership", None)


# An error answer stays small whatever the request held: 100,000 bad keys in a 1.7 MB body made a
# 21 MB answer, one error per key (ADR 0002). The first few fields are named, then counted.
MAX_FIELD_ERRORS = 20
MAX_MESSAGES_PER_FIELD = 3
MAX_ERROR_TEXT = 1000


def _clip(text: Any) -> str:
    text = str(text)
    return text if len(text) <= MAX_ERROR_TEXT else text[: MAX_ERROR_TEXT - 1] + "…"


def bounded_fields(message: str, fields: dict[str, Any]) -> tuple[str, dict[str, list[str]]]:
    """The first ``MAX_FIELD_ERRORS`` fields, a few messages each, long names and texts cut; the
    message says how many there were when some are left out."""
    kept = {
        _clip(name): [_clip(m) for m in (msgs if isinstance(msgs, list) else [msgs])[:MAX_MESSAGES_PER_FIELD]]
        for name, msgs in list(fields.items())[:MAX_FIELD_ERRORS]
    }
    if len(fields) > MAX_FIELD_ERRORS:
        message = f"{_clip(message)} ({len(fields)} fields have errors; the first {MAX_FIELD_ERRORS} are listed.)"
    return _clip(message) if len(fields) <= MAX_FIELD_ERRORS else message, kept


def error_response(
    api: NinjaAPI, request: HttpRequest, status: int, code: str, message: str, fields: dict[str, Any] | None = None
) -> HttpResponse:
    message, fields = bounded_fields(message, fields or {})
    response = api.create_response(
        request, {"error": {"code": code, "message": message, "fields": fields}}, status=status
    )
    if status == 401:
        response["WWW-Authenticate"] = 'Bearer realm="trunkshow"'
    return response


def _loc_to_field(loc: Sequence[Any]) -> str:
    """``("body", "payload", "phones", 0, "number")`` -> ``"phones.0.number"``; ``("query", "limit")`` -> ``"limit"``."""
    parts = [str(p) for p in loc]
    # django-ninja puts the source first and, for a body, the handler's parameter name second.
    if parts[:1] == ["body"]:
        parts = parts[2:]
    elif parts[:1] in (["query"], ["path"], ["form"], ["header"], ["cookie"]):
        parts = parts[1:]
    return ".".join(parts) or "body"


# What the interactive docs (/api/v1/docs) say above the operations: how to start, in a few lines.
DESCRIPTION = """\
One store's customers, conversations, messages and saved replies, for your own programs.

**A token.** In Trunkshow, open **Account → API tokens** and create one (or run
`trunkshow token create --store SLUG --email EMAIL`). It acts as you, in that store, with your role;
keep it secret and revoke it there when it is no longer needed. Send it with every request:
`Authorization: Bearer <token>` (here: **Authorize**, then paste the token).

**Errors** always have one shape, `{"error": {"code": "...", "message": "...", "fields": {...}}}`:
`code` for programs (such as `invalid` or `not_found`), `message` to show a person, `fields`
naming each field that is wrong. 400 bad input, 401 no or bad
token, 403 your role may not, 404 not this store's (or no such) object (`merged`: merged into
another customer, whose id the message names), 409 a conflict with what is stored (a phone or
email another customer has, a second erase), 410 a customer whose personal data was erased, 413 a
request body over the size limit, 429 too many requests for now, 503 the database is not
answering (retry after the `Retry-After` seconds).

**Lists** come a page at a time: `items` and `next_cursor`. Ask for the next page with
`?cursor=<next_cursor>` (and the same filters); `next_cursor` is null on the last page. `limit`
sets the page's size.
"""


class JSONRenderer(BaseRenderer):
    """JSON by orjson, with Django's encoder for what orjson hands back (dates and times written as
    Django writes them, to the millisecond with ``Z``; decimals; lazy text), so an answer says the
    same as with the standard library's ``json``, in UTF-8 and without spaces. A page of 25
    customers is written in 0.01 ms instead of 0.15 ms (bench/search.py's API side, ADR 0019)."""

    media_type = "application/json"
    _encoder = DjangoJSONEncoder()
    _options = orjson.OPT_PASSTHROUGH_DATETIME | orjson.OPT_NON_STR_KEYS

    def render(self, request: HttpRequest, data: Any, *, response_status: int) -> bytes:
        try:
            return orjson.dumps(data, default=self._encoder.default, option=self._options)
        except TypeError:
            # What orjson refuses and ``json`` writes: half of a UTF-16 pair (an error message
            # repeating the input back, "\ud800"), an integer past 64 bits. Rare: the slow way.
            return json.dumps(data, cls=DjangoJSONEncoder, separators=(",", ":")).encode()


class TrunkshowAPI(NinjaAPI):
    """NinjaAPI that builds its OpenAPI schema once per process: generating it walks every operation
    and schema (about 0.7 s), and the docs page asked for it on every load. Routes do not change
    while the process runs."""

    def get_openapi_schema(self, *, path_prefix: str | None = None, path_params: dict[str, Any] | None = None) -> Any:
        if path_prefix is None:
            path_prefix = self.get_root_path(path_params or {})
        cache: dict[str, Any] = self.__dict__.setdefault("_schemas", {})
        if path_prefix not in cache:
            cache[path_prefix] = super().get_openapi_schema(path_prefix=path_prefix, path_params=path_params)
        return cache[path_prefix]


def build_api() -> NinjaAPI:
    api = TrunkshowAPI(
        title="Trunkshow API",
        version="1",
        description=DESCRIPTION,
        urls_namespace="api",
        auth=StoreBearer(),
        docs_url="/docs",
        renderer=JSONRenderer(),
    )

    @api.exception_handler(ApiError)
    def _api_error(request: HttpRequest, exc: ApiError) -> HttpResponse:
        return error_response(api, request, exc.status, exc.code, exc.message, exc.fields)

    @api.exception_handler(AuthenticationError)
    def _unauthenticated(request: HttpRequest, exc: AuthenticationError) -> HttpResponse:
        return error_response(api, request, 401, "unauthenticated", exc.message)

    @api.exception_handler(PermissionDenied)
    def _forbidden(request: HttpRequest, exc: PermissionDenied) -> HttpResponse:
        return error_response(api, request, 403, "forbidden", str(exc))

    @api.exception_handler(Http404)
    def _not_found(request: HttpRequest, exc: Http404) -> HttpResponse:
        return error_response(api, request, 404, "not_found", "Not found.")

    @api.exception_handler(NinjaValidationError)
    def _invalid(request: HttpRequest, exc: NinjaValidationError) -> HttpResponse:
        fields: dict[str, list[str]] = {}
        for err in exc.errors:
            fields.setdefault(_loc_to_field(err.get("loc", ())), []).append(str(err.get("msg", "Invalid value.")))
        return error_response(api, request, 400, "invalid", "The request has invalid fields.", fields)

    @api.exception_handler(DjangoValidationError)
    def _invalid_service(request: HttpRequest, exc: DjangoValidationError) -> HttpResponse:
        fields = exc.message_dict if hasattr(exc, "error_dict") else {"": exc.messages}
        first = next(iter(fields.values()))[0] if fields else "Invalid input."
        return error_response(api, request, 400, "invalid", first, fields)

    @api.exception_handler(RequestDataTooBig)
    def _too_large(request: HttpRequest, exc: RequestDataTooBig) -> HttpResponse:
        limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE
        return error_response(api, request, 413, "too_large", f"The request body is over the limit of {limit} bytes.")

    @api.exception_handler(MultiPartParserError)
    def _unreadable_multipart(request: HttpRequest, exc: MultiPartParserError) -> HttpResponse:
        message = "The multipart/form-data body cannot be read (check its boundary); nothing was saved."
        return error_response(api, request, 400, "bad_request", message)

    @api.exception_handler(HttpError)
    def _http_error(request: HttpRequest, exc: HttpError) -> HttpResponse:
        codes = {400: "bad_request", 405: "method_not_allowed", 413: "too_large", 429: "throttled"}
        return error_response(api, request, exc.status_code, codes.get(exc.status_code, "error"), str(exc))

    @api.exception_handler(Exception)
    def _crash(request: HttpRequest, exc: Exception) -> HttpResponse:
        logger.exception("API error on %s %s", request.method, request.path)
        if database_unreachable(exc):
            response = error_response(api, request, 503, "unavailable", UNAVAILABLE_MESSAGE)
            response["Retry-After"] = str(RETRY_AFTER_SECONDS)
            return response
        return error_response(
            api, request, 500, "server_error", "Something went wrong on our side; it has been logged."
        )

    return api


# ---- cursor pagination -------------------------------------------------------------------


class Page(Schema):
    next_cursor: str | None = None


class Row(BaseModel):
    """An item of a long list built from plain values (a dict per row), validated by pydantic
    alone. django-ninja's ``Schema`` runs a wrapping validator on every instance that reads the
    input through a ``DjangoGetter`` (made for model instances): 25 rows of 13 fields cost
    0.51 ms that way against 0.06 ms as a plain model, measured on this machine; that was a fifth
    of the customer search API's time around the query (bench/search.py). Use it for rows that
    never come from a model instance."""


def encode_cursor(values: Sequence[Any]) -> str:
    return base64.urlsafe_b64encode(json.dumps(list(values), separators=(",", ":")).encode()).decode().rstrip("=")


MAX_CURSOR_LENGTH = 1000


def _bad_cursor() -> ApiError:
    return ApiError(400, "invalid_cursor", "The cursor is not one this API gave out.")


def _refuse_constant(name: str) -> Any:
    raise ValueError(f"{name} is not a cursor value")


def decode_cursor(cursor: str, size: int) -> list[Any]:
    """The key values in a cursor: a short flat JSON list of strings and whole numbers."""
    if len(cursor) > MAX_CURSOR_LENGTH:
        raise _bad_cursor()
    try:
        padded = cursor + "=" * (-len(cursor) % 4)
        values = json.loads(base64.urlsafe_b64decode(padded.encode()), parse_constant=_refuse_constant)
    except (ValueError, TypeError, RecursionError):
        raise _bad_cursor() from None
    if not isinstance(values, list) or len(values) != size:
        raise _bad_cursor()
    for value in values:
        if isinstance(value, bool) or not isinstance(value, str | int):
            raise _bad_cursor()
        if isinstance(value, int) and not -(2**63) < value < 2**63:
            raise _bad_cursor()
        if isinstance(value, str) and ("\x00" in value or len(value) > 300):
            raise _bad_cursor()
    return values


def _cursor_value(model: Any, name: str, value: Any) -> Any:
    """A cursor value as the key's field would store it, or a 400 when it cannot be one."""
    try:
        field = model._meta.get_field(name)
    except FieldDoesNotExist:  # an annotation the list is ordered by, such as search's rank
        field = IntegerField()
    try:
        clean = field.to_python(value)
        if isinstance(clean, dt.datetime):
            if clean.tzinfo is None:
                raise ValueError("naive")
            clean = clean.astimezone(dt.UTC)
        if isinstance(clean, dt.date) and not 1900 <= clean.year <= 9998:
            raise ValueError("out of range")
    except (TypeError, ValueError, OverflowError, DjangoValidationError):
        raise _bad_cursor() from None
    return clean


def _key_values(row: Any, names: Sequence[str]) -> list[Any]:
    """A row's key values as a cursor holds them: dates and moments as ISO text."""
    values = [row[name] if isinstance(row, dict) else getattr(row, name) for name in names]
    return [value.isoformat() if isinstance(value, dt.date) else value for value in values]


def paginate(qs: QuerySet[Any], *, cursor: str | None, limit: int, keys: Sequence[str]) -> tuple[list[Any], str | None]:
    """Keyset pagination over ``keys`` (the last unique): stable under inserts.

    A key is ascending, or descending with a leading ``-`` (newest first: ``["-created_at", "-id"]``).
    A cursor whose values do not fit the keys' types is refused like a garbled one (400).
    """
    names = [key.removeprefix("-") for key in keys]
    if cursor:
        values = [
            _cursor_value(qs.model, name, value)
            for name, value in zip(names, decode_cursor(cursor, len(keys)), strict=True)
        ]
        after = Q()
        for i, key in enumerate(keys):
            beyond = "lt" if key.startswith("-") else "gt"
            after |= Q(**{names[j]: values[j] for j in range(i)}) & Q(**{f"{names[i]}__{beyond}": values[i]})
        qs = qs.filter(after)
    rows = list(qs.order_by(*keys)[: limit + 1])
    next_cursor = encode_cursor(_key_values(rows[limit - 1], names)) if len(rows) > limit else None
    return rows[:limit], next_cursor


class ApiEnvelopeMiddleware:
    """Answers under /api/ that come from outside django-ninja (no route: 404; a method the route
    lacks: 405) get the same error envelope as everything else the API says."""

    MESSAGES = {
        404: ("not_found", "No such endpoint."),
        405: ("method_not_allowed", "This endpoint does not accept {method}."),
    }

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if (
            is_api(request)
            and response.status_code in self.MESSAGES
            and not response.get("Content-Type", "").startswith("application/json")
        ):
            code, message = self.MESSAGES[response.status_code]
            body = {"error": {"code": code, "message": message.format(method=request.method), "fields": {}}}
            enveloped = HttpResponse(json.dumps(body), status=response.status_code, content_type="application/json")
            if response.has_header("Allow"):
                enveloped["Allow"] = response["Allow"]
            return enveloped
        return response
