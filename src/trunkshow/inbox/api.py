"""API: conversations under /api/v1/conversations: the inbox list, one thread, starting one with a customer,
replies, notes, assignment, status.

Everyone on the staff may read and answer; another store's conversation id is a 404.
"""

from __future__ import annotations

import datetime as dt
import json
from typing import Any, Literal

from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import HttpRequest
from django.urls import reverse
from ninja import Field, Query, Router, Schema, Status
from ninja.errors import ValidationError as NinjaValidationError
from pydantic import ConfigDict
from pydantic import ValidationError as PydanticValidationError

from trunkshow.core.api import ERRORS, ApiError, ErrorOut, refuse_body, refuse_unknown_parameters
from trunkshow.customers.selectors import customer_get_for
from trunkshow.inbox import replies, reports, selectors, services
from trunkshow.inbox.matches import Match
from trunkshow.inbox.models import SavedReply
from trunkshow.messaging import outbox
from trunkshow.messaging import services as messaging
from trunkshow.messaging.models import Conversation, Message
from trunkshow.messaging.photos import MAX_PHOTO_BYTES, MAX_PHOTOS, MAX_PIXELS, Photo, PhotoRefused, photos_prepare
from trunkshow.messaging.selectors import conversation_get_for, conversation_messages, customer_name, message_get_for
from trunkshow.messaging.starting import NoChannel, conversation_start
from trunkshow.messaging.whatsapp_templates import whatsapp_template_get_for
from trunkshow.stores import roles
from trunkshow.stores.models import Membership

router = Router(tags=["conversations"])


class ListParams(Schema):
    view: Literal["mine", "unassigned", "all"] = "all"
    status: Literal["open", "pending", "snoozed", "closed", "any"] = "open"
    channel: Literal["webchat", "sms", "whatsapp", "email"] | None = None
    q: str | None = Field(
        None, max_length=200, description="Words in a message or a staff note, or a customer's name, email or phone."
    )
    sort: Literal["newest", "waiting"] = Field(
        "newest",
        description='"newest": newest activity first. "waiting": only the conversations whose customer waits for '
        "an answer (open, unanswered), the longest waiting first; the cursor keeps the order.",
    )
    cursor: str | None = None
    limit: int = Field(25, ge=1, le=100)


class CustomerRef(Schema):
    id: int
    name: str


class ResponseClock(Schema):
    state: str = Field(description='"overdue", "due_soon", "waiting", or "" when nobody is waiting.')
    waiting_minutes: int
    due_at: dt.datetime | None


class MatchOut(Schema):
    message: int | None = Field(
        description="The newest message holding the most of the words searched; null when none holds any "
        "(the customer's name, email or phone matched)."
    )
    direction: str = Field(description='"in", "out" or "note"; "" without a message.')
    excerpt: str = Field(description="Up to 160 characters of that message around the first word found, cut with …")
    marks: list[tuple[int, int]] = Field(
        description="Where the excerpt holds the words, as [start, end) offsets in Unicode code points (not UTF-16 "
        "units), to mark as text."
    )
    customer: str = Field(
        description='"name", "email" or "phone" when the customer\'s name, email or phone holds words, else "".'
    )


class ConversationOut(Schema):
    id: int
    customer: CustomerRef | None
    channel: str
    address: str
    status: str
    snoozed_until: dt.datetime | None
    assigned_to: int | None
    last_message_at: dt.datetime
    preview: str
    unread: int
    first_response_seconds: int | None
    response: ResponseClock
    match: MatchOut | None = Field(None, description="With q: why it is listed. Null without a search.")


class ConversationPage(Schema):
    items: list[ConversationOut]
    next_cursor: str | None


class PhotoOut(Schema):
    id: int
    filename: str
    content_type: str
    width: int | None
    height: int | None
    url: str = Field(description="The photo, for the store's staff (session or token).")
    thumbnail_url: str


class TemplateUseOut(Schema):
    id: int = Field(description="The WhatsApp template's id (it may have been deleted since).")
    name: str
    content_sid: str
    variables: dict[str, str] = Field(description='The values sent for its placeholders: {"1": "Clara", ...}.')


class MessageOut(Schema):
    id: int
    direction: str
    channel: str
    body: str = Field(description="The text; for a WhatsApp template, the text the customer reads.")
    status: str
    error: str
    author: int | None
    created_at: dt.datetime
    photos: list[PhotoOut] = []
    template: TemplateUseOut | None = None
    other_address: str = Field(
        "",
        description="The number a text or WhatsApp message came from or went to when it is not the "
        "conversation's (a merge joined two records' threads); empty otherwise.",
    )


class MessageCreated(MessageOut):
    warnings: list[str] = Field(
        default_factory=list,
        description="What was saved but may not do what was meant: a note's @name that is nobody on the staff.",
    )


class ThreadOut(ConversationOut):
    messages: list[MessageOut]


class MessagesParams(Schema):
    after: int = Field(0, ge=0, description="Only messages after this id (what a client missed).")


class MessageIn(Schema):
    model_config = ConfigDict(extra="forbid")

    # No max_length here: the service refuses a body over its channel's limit in words that name the
    # channel and the limit (messaging/limits.py); the request's size limit (DATA_UPLOAD_MAX_MEMORY_SIZE,
    # 413) is what protects the server.
    body: str = ""
    channel: Literal["webchat", "sms", "whatsapp", "email"] | None = Field(
        None, description="Where to send; by default where the customer last wrote."
    )
    kind: Literal["reply", "note"] = "reply"
    template: int | None = Field(
        None, description="An approved WhatsApp template's id, sent on WhatsApp instead of a body."
    )
    variables: dict[str, str] = Field(
        default_factory=dict, max_length=50, description='The template\'s values: {"1": "Clara", "2": "Saturday"}.'
    )


class AssignIn(Schema):
    model_config = ConfigDict(extra="forbid")

    assigned_to: int | None = Field(
        ..., ge=1, le=2**63 - 1, description="A staff member's user id, or null for nobody."
    )


class ConversationStartIn(Schema):
    model_config = ConfigDict(extra="forbid")

    customer_id: int = Field(..., ge=1, le=2**63 - 1, description="A customer of this store.")
    channel: Literal["sms", "email", "whatsapp"] | None = Field(
        None,
        description="For a new conversation only: the channel to start on. Left out: their preferred channel "
        "if they may be messaged there, else one they agreed to, else text, email, WhatsApp in that order.",
    )


class StatusIn(Schema):
    model_config = ConfigDict(extra="forbid")

    status: Literal["open", "pending", "snoozed", "closed"]
    snoozed_until: dt.datetime | None = None


def _who(request: HttpRequest) -> Membership:
    membership: Membership = request.auth  # type: ignore[attr-defined]
    return membership


def _customer_ref(conversation: Conversation) -> dict[str, Any] | None:
    c = conversation.customer
    if c is None:
        return None
    return {"id": c.pk, "name": customer_name(conversation)}


def _out(row: selectors.InboxRow) -> dict[str, Any]:
    c = row.conversation
    return {
        "id": c.pk,
        "customer": _customer_ref(c),
        "channel": c.channel,
        "address": c.address,
        "status": c.status,
        "snoozed_until": c.snoozed_until,
        "assigned_to": c.assigned_to_id,
        "last_message_at": c.last_message_at,
        "preview": c.last_message_preview,
        "unread": row.unread,
        "first_response_seconds": c.first_response_seconds,
        "response": {"state": row.state, "waiting_minutes": row.waiting_minutes, "due_at": row.due_at},
        "match": _match_out(row.match),
    }


def _match_out(match: Match | None) -> dict[str, Any] | None:
    if match is None:
        return None
    return {
        "message": match.message_id,
        "direction": match.direction,
        "excerpt": match.text,
        "marks": match.marks,
        "customer": match.customer,
    }


def _message_out(m: Message) -> MessageOut:
    return MessageOut(
        id=m.pk,
        direction=m.direction,
        channel=m.channel,
        body=m.body,
        status=m.status,
        error=m.error,
        author=m.author_id,
        created_at=m.created_at,
        template=_template_use(m),
        other_address=getattr(m, "other_address", ""),
        photos=[
            PhotoOut(
                id=a.pk,
                filename=a.filename,
                content_type=a.content_type,
                width=a.width,
                height=a.height,
                url=reverse("inbox:attachment", args=[a.pk]),
                thumbnail_url=reverse("inbox:attachment_thumb", args=[a.pk]),
            )
            for a in m.attachments.all()
        ],
    )


def _template_use(m: Message) -> TemplateUseOut | None:
    used = m.meta.get("template")
    if not used:
        return None
    return TemplateUseOut(
        id=used["id"], name=used["name"], content_sid=used["content_sid"], variables=used.get("variables", {})
    )


def _row(request: HttpRequest, conversation: Conversation) -> selectors.InboxRow:
    from trunkshow.core import clock

    who = _who(request)
    target = services.inbox_settings(who.store).response_target_minutes
    row = selectors.inbox_row(who.store, conversation, target, clock.now())
    row.unread = selectors.conversation_unread(user=who.user, conversation=conversation)  # as the list counts it
    return row


@router.get("", response={200: ConversationPage, **ERRORS}, summary="List conversations")
def conversation_list(request: HttpRequest, params: Query[ListParams]) -> dict[str, Any]:
    """Newest activity first (or, with ``sort=waiting``, the customers waiting longest first), filtered like
    the inbox page; ``unread`` counts for the token's user."""
    refuse_unknown_parameters(request, ListParams)
    who = _who(request)
    roles.require(who, "inbox.view")
    filters = selectors.inbox_filters(
        {
            "view": params.view,
            "status": params.status,
            "channel": params.channel or "",
            "q": params.q or "",
            "sort": params.sort,
        }
    )
    try:
        page = selectors.inbox_page(
            store=who.store, user=who.user, filters=filters, cursor=params.cursor or "", size=params.limit
        )
    except DjangoValidationError as exc:  # the code every list of the API gives a cursor it did not give out
        if "cursor" not in exc.message_dict:
            raise
        raise ApiError(400, "invalid_cursor", "The cursor is not one this API gave out.", exc.message_dict) from None
    # Plain dicts: the response schema validates them once (building the models first doubled the cost).
    return {"items": [_out(r) for r in page.rows], "next_cursor": page.next_cursor}


@router.post(
    "",
    response={200: ConversationOut, 201: ConversationOut, (400, 401, 403, 404, 409, 410): ErrorOut},
    summary="Open or start a conversation with a customer",
)
def conversation_create(request: HttpRequest, payload: ConversationStartIn) -> Status[ConversationOut]:
    """The customer's conversation to write in, as the profile's "Message" opens it; then send with
    ``POST /conversations/{id}/messages``.

    A customer has one conversation across channels: the most recent open, pending or snoozed one
    is answered with 200, else the most recent closed one (a message reopens it). Only a customer
    without any gets a new one (201) on an address not opted out and a channel whose service
    messages they did not refuse (a phone for ``sms`` and ``whatsapp``, an email for ``email``;
    web chat is never started from the store's side). When there is none: 409 ``no_channel``,
    saying why (no phone or email, which number opted out and when). Another store's customer is
    a 404, an erased one a 410."""
    who = _who(request)
    roles.require(who, "inbox.reply")
    customer = customer_get_for(store=who.store, customer_id=payload.customer_id)
    try:
        started = conversation_start(store=who.store, actor=who.user, customer=customer, channel=payload.channel)
    except NoChannel as exc:
        raise ApiError(409, "no_channel", exc.reason, {"channel": [exc.reason]}) from None
    conversation = conversation_get_for(store=who.store, conversation_id=started.conversation.pk)
    return Status(201 if started.created else 200, ConversationOut(**_out(_row(request, conversation))))


@router.get("/{conversation_id}", response={200: ThreadOut, **ERRORS}, summary="Read a conversation")
def conversation_read(request: HttpRequest, conversation_id: int) -> ThreadOut:
    """The conversation with its latest 200 messages, notes included; marks it read for the token's user."""
    refuse_unknown_parameters(request, Schema)
    who = _who(request)
    roles.require(who, "inbox.view")
    conversation = conversation_get_for(store=who.store, conversation_id=conversation_id)
    thread = conversation_messages(conversation=conversation, limit=200)
    services.conversation_read(store=who.store, user=who.user, conversation=conversation)
    return ThreadOut(**_out(_row(request, conversation)), messages=[_message_out(m) for m in thread])


@router.get("/{conversation_id}/messages", response={200: list[MessageOut], **ERRORS}, summary="List messages")
def message_list(request: HttpRequest, conversation_id: int, params: Query[MessagesParams]) -> list[MessageOut]:
    refuse_unknown_parameters(request, MessagesParams)
    who = _who(request)
    roles.require(who, "inbox.view")
    conversation = conversation_get_for(store=who.store, conversation_id=conversation_id)
    return [_message_out(m) for m in conversation_messages(conversation=conversation, after_id=params.after)]


def _message_in(request: HttpRequest) -> tuple[MessageIn, list[Photo]]:
    """The request as JSON, or as a multipart form whose ``files`` are photos (re-encoded here)."""
    if request.content_type == "multipart/form-data":
        data: Any = {k: request.POST.get(k) for k in ("body", "channel", "kind") if request.POST.get(k)}
        files = request.FILES.getlist("files")
    else:
        try:
            data = json.loads(request.body or b"null")
        except ValueError:
            raise ApiError(400, "bad_request", "The request body is not JSON (or send multipart/form-data).") from None
        files = []
    try:
        payload = MessageIn.model_validate(data)
    except PydanticValidationError as exc:
        raise NinjaValidationError([{**e, "loc": ("body", "payload", *e["loc"])} for e in exc.errors()]) from None
    try:
        photos = photos_prepare(files)
    except PhotoRefused as exc:
        raise ApiError(exc.status, exc.code, exc.message, {"files": [exc.message]}) from None
    return payload, photos


_MESSAGE_FIELDS: dict[str, Any] = {
    "body": {
        "type": "string",
        "description": "The text; may be empty when photos are attached. At most 1,600 characters on a text "
        "message, 4,096 on WhatsApp, 5,000 by email, web chat or in a note.",
    },
    "channel": {"type": "string", "enum": ["webchat", "sms", "whatsapp", "email"]},
    "kind": {"type": "string", "enum": ["reply", "note"], "default": "reply"},
}
_TEMPLATE_FIELDS: dict[str, Any] = {
    "template": {
        "type": "integer",
        "description": "An approved WhatsApp template's id (GET /whatsapp-templates); sent on WhatsApp instead "
        "of a body, also past the 24-hour window.",
    },
    "variables": {
        "type": "object",
        "additionalProperties": {"type": "string"},
        "description": 'The template\'s values, one per placeholder: {"1": "Clara", "2": "Saturday"}.',
    },
}


@router.post(
    "/{conversation_id}/messages",
    response={201: MessageCreated, (400, 401, 403, 404, 413, 415, 503): ErrorOut},
    summary="Send a message or add a note",
    openapi_extra={
        "requestBody": {
            "required": True,
            "content": {
                "application/json": {
                    "schema": {"type": "object", "properties": {**_MESSAGE_FIELDS, **_TEMPLATE_FIELDS}}
                },
                "multipart/form-data": {
                    "schema": {
                        "type": "object",
                        "properties": {
                            **_MESSAGE_FIELDS,
                            "files": {
                                "type": "array",
                                "items": {"type": "string", "format": "binary"},
                                "description": f"Up to {MAX_PHOTOS} photos (JPEG, PNG, WEBP, GIF), "
                                f"{MAX_PHOTO_BYTES // 1024 // 1024} MB and {MAX_PIXELS // 1_000_000} MP each.",
                            },
                        },
                    }
                },
            },
        }
    },
)
def message_create(request: HttpRequest, conversation_id: int) -> Status[MessageCreated]:
    """A reply is queued in the outbox and sent by the worker (``status`` follows it); a note stays with the staff.

    JSON for text; ``multipart/form-data`` with ``files`` to send photos (each re-encoded, its
    metadata dropped, thumbnailed; over 15 MB is a 413, not an image a 415, over 40 MP or over
    6 files a 400). The message and its photos are saved together or not at all.

    A WhatsApp template: ``{"template": id, "variables": {"1": "Clara"}}`` and no body. Another
    store's template is a 404; one not approved, a missing, empty or extra value a 400 naming it.

    A note's ``@Max`` (first name) or ``@max.bell`` (start of an email) tells that colleague at
    once; an @name that is nobody on the staff is kept as written and named in ``warnings``.
    """
    who = _who(request)
    roles.require(who, "inbox.reply")
    conversation = conversation_get_for(store=who.store, conversation_id=conversation_id)
    payload, photos = _message_in(request)
    try:
        if payload.template is not None:
            message = _send_template(who, conversation, payload, photos)
        elif payload.kind == "note":
            if payload.channel is not None:
                said = "A note stays with the staff and goes nowhere; leave out channel, or send a reply."
                raise ApiError(400, "invalid", said, {"channel": [said]})
            message = messaging.note_add(
                store=who.store, actor=who.user, conversation=conversation, body=payload.body, photos=photos
            )
        else:
            message = messaging.message_send(
                store=who.store,
                actor=who.user,
                conversation=conversation,
                body=payload.body,
                channel=payload.channel,
                photos=photos,
            )
    except PhotoRefused as exc:
        raise ApiError(exc.status, exc.code, exc.message, {"files": [exc.message]}) from None
    except OSError:
        raise ApiError(503, "storage_failed", "The photos could not be saved; nothing was sent. Try again.") from None
    warnings = services.mentions_unknown_warning(who.store, message)
    return Status(201, MessageCreated(**_message_out(message).model_dump(), warnings=warnings))


def _send_template(who: Membership, conversation: Conversation, payload: MessageIn, photos: list[Photo]) -> Message:
    mixed = {
        "body": bool(payload.body.strip()),
        "kind": payload.kind != "reply",
        "files": bool(photos),
        "channel": payload.channel not in (None, "whatsapp"),
    }
    wrong = [name for name, bad in mixed.items() if bad]
    if wrong:
        text = (
            "A WhatsApp template is sent as it was approved: leave out body, files, kind and any channel but whatsapp."
        )
        raise ApiError(400, "invalid", text, {name: [text] for name in wrong})
    template = whatsapp_template_get_for(store=who.store, template_id=payload.template)  # another store's: 404
    return messaging.message_send_template(
        store=who.store, actor=who.user, conversation=conversation, template=template, variables=payload.variables
    )


@router.post("/{conversation_id}/assign", response={200: ConversationOut, **ERRORS}, summary="Assign a conversation")
def conversation_assign(request: HttpRequest, conversation_id: int, payload: AssignIn) -> ConversationOut:
    who = _who(request)
    roles.require(who, "inbox.reply")
    conversation = conversation_get_for(store=who.store, conversation_id=conversation_id)
    services.conversation_assign(
        store=who.store, actor=who.user, conversation=conversation, user_id=payload.assigned_to
    )
    return ConversationOut(**_out(_row(request, conversation)))


@router.post(
    "/{conversation_id}/status", response={200: ConversationOut, **ERRORS}, summary="Set a conversation's status"
)
def conversation_status(request: HttpRequest, conversation_id: int, payload: StatusIn) -> ConversationOut:
    """``snoozed`` needs ``snoozed_until`` in the future (at most a year); the conversation reopens then."""
    who = _who(request)
    roles.require(who, "inbox.reply")
    conversation = conversation_get_for(store=who.store, conversation_id=conversation_id)
    if payload.snoozed_until is not None and payload.status != "snoozed":
        said = "Only a snoozed conversation has a time to reopen; leave out snoozed_until or set status to snoozed."
        raise ApiError(400, "invalid", said, {"snoozed_until": [said]})
    services.conversation_status_set(
        store=who.store,
        actor=who.user,
        conversation=conversation,
        status=payload.status,
        snoozed_until=payload.snoozed_until,
    )
    return ConversationOut(**_out(_row(request, conversation)))


messages_router = Router(tags=["conversations"])


@messages_router.post(
    "/{message_id}/retry", response={200: MessageOut, **ERRORS}, summary="Send a failed message again"
)
def message_retry(request: HttpRequest, message_id: int) -> MessageOut:
    refuse_body(request)
    who = _who(request)
    roles.require(who, "inbox.reply")
    message = message_get_for(store=who.store, message_id=message_id)
    return _message_out(outbox.message_retry(store=who.store, actor=who.user, message=message))


replies_router = Router(tags=["saved replies"])


class SavedReplyIn(Schema):
    model_config = ConfigDict(extra="forbid")

    title: str = Field(..., max_length=200)
    body: str = Field(..., max_length=10_000, description="Merge fields: {first_name}, {associate}, {store}.")


class SavedReplyOut(Schema):
    id: int
    title: str
    body: str
    updated_at: dt.datetime


def _reply_out(reply: SavedReply) -> SavedReplyOut:
    return SavedReplyOut(id=reply.pk, title=reply.title, body=reply.body, updated_at=reply.updated_at)


@replies_router.get("", response={200: list[SavedReplyOut], **ERRORS}, summary="List saved replies")
def saved_reply_list(request: HttpRequest) -> list[SavedReplyOut]:
    refuse_unknown_parameters(request, Schema)
    return [_reply_out(r) for r in SavedReply.objects.filter(store=_who(request).store)]


@replies_router.post("", response={201: SavedReplyOut, **ERRORS}, summary="Save a reply")
def saved_reply_create(request: HttpRequest, payload: SavedReplyIn) -> Status[SavedReplyOut]:
    """Owners and managers; an unknown merge field or a title in use is a 400 naming the field."""
    who = _who(request)
    reply = replies.saved_reply_save(
        store=who.store, actor=who.user, membership=who, title=payload.title, body=payload.body
    )
    return Status(201, _reply_out(reply))


@replies_router.put("/{reply_id}", response={200: SavedReplyOut, **ERRORS}, summary="Change a saved reply")
def saved_reply_update(request: HttpRequest, reply_id: int, payload: SavedReplyIn) -> SavedReplyOut:
    who = _who(request)
    reply = replies.saved_reply_get_for(store=who.store, reply_id=reply_id)
    replies.saved_reply_save(
        store=who.store, actor=who.user, membership=who, reply=reply, title=payload.title, body=payload.body
    )
    return _reply_out(reply)


@replies_router.delete("/{reply_id}", response={204: None, **ERRORS}, summary="Delete a saved reply")
def saved_reply_delete(request: HttpRequest, reply_id: int) -> Status[None]:
    who = _who(request)
    reply = replies.saved_reply_get_for(store=who.store, reply_id=reply_id)
    replies.saved_reply_delete(store=who.store, membership=who, reply=reply)
    return Status(204, None)


reports_router = Router(tags=["reports"])


class ReportParams(Schema):
    days: str | None = Field(None, description="The period: 7, 30 (the default) or 90 days, today included.")


class FiguresOut(Schema):
    answered: int = Field(
        description="Customer waits a person answered in the period (each time a customer wrote and waited)."
    )
    median_wait_seconds: int | None = Field(description="Median wait counted while the store was open.")
    median_real_wait_seconds: int | None = Field(description="Median wait with the hours the store was closed.")
    within_target: int = Field(description="Answers within the store's target as it is now (opening hours counted).")
    within_target_percent: int | None


class DayOut(FiguresOut):
    date: dt.date


class GroupOut(FiguresOut):
    key: str = Field(
        description='The channel ("sms", "whatsapp", "email", "webchat"), or the staff member\'s user id ("" for former staff).'
    )
    name: str


class ResponseTimesOut(Schema):
    days: int
    since: dt.datetime
    until: dt.datetime
    target_minutes: int
    total: FiguresOut
    daily: list[DayOut]
    by_associate: list[GroupOut]
    by_channel: list[GroupOut]
    waiting: int = Field(description="Customers waiting for an answer now.")
    overdue: int = Field(description="Of them, those past the target now.")


def _figures(f: reports.Figures) -> dict[str, Any]:
    return {
        "answered": f.answered,
        "median_wait_seconds": f.median_seconds,
        "median_real_wait_seconds": f.median_real_seconds,
        "within_target": f.within,
        "within_target_percent": f.within_percent,
    }


@reports_router.get(
    "/response-times", response={200: ResponseTimesOut, **ERRORS}, summary="Response times against the target"
)
def response_times(request: HttpRequest, params: Query[ReportParams]) -> dict[str, Any]:
    """Owners and managers: what the page Inbox → Response times shows, for one store."""
    refuse_unknown_parameters(request, ReportParams)
    who = _who(request)
    roles.require(who, "inbox.report")
    report = reports.response_report(store=who.store, days=reports.period_parse(params.days))
    return {
        "days": report.days,
        "since": report.since,
        "until": report.until,
        "target_minutes": report.target_minutes,
        "total": _figures(report.total),
        "daily": [{"date": d.date, **_figures(d.figures)} for d in report.daily],
        "by_associate": [{"key": g.key, "name": g.label, **_figures(g.figures)} for g in report.by_associate],
        "by_channel": [{"key": g.key, "name": g.label, **_figures(g.figures)} for g in report.by_channel],
        "waiting": report.waiting,
        "overdue": report.overdue,
    }
