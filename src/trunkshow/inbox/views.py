"""The inbox pages: the queue of conversations, one conversation beside its customer, and the actions on it.

Thin views: parse, fetch through a ``*_get_for`` selector (another store's id is a 404), call one
service, redirect back with a message, or answer JSON to the page's script.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
from typing import Any
from zoneinfo import ZoneInfo

from django.contrib import messages as flash
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_GET, require_POST

from trunkshow.core import clock
from trunkshow.core.events import events_since
from trunkshow.customers import selectors as customer_selectors
from trunkshow.inbox import replies, reports, selectors, services
from trunkshow.inbox.models import SavedReply
from trunkshow.inbox.notes import notes_marked
from trunkshow.messaging import outbox
from trunkshow.messaging import services as messaging
from trunkshow.messaging import whatsapp_templates as wa
from trunkshow.messaging.channels.twilio.config import twilio_configured
from trunkshow.messaging.limits import limits_for_composer
from trunkshow.messaging.media import attachment_get_for, attachment_response
from trunkshow.messaging.models import ChannelKind, Conversation, ConversationStatus
from trunkshow.messaging.photos import PhotoRefused, photo_limits, photos_prepare
from trunkshow.messaging.selectors import (
    WHATSAPP_WINDOW,
    WHATSAPP_WINDOW_MARGIN,
    conversation_folded_into,
    conversation_get_for,
    conversation_last_channel,
    conversation_messages,
    customer_name,
    merge_values,
    message_get_for,
    reply_channel_default,
    reply_channels,
    reply_refusal,
    whatsapp_window_closes_at,
)
from trunkshow.stores import hours, roles
from trunkshow.stores.access import store_page
from trunkshow.stores.models import Membership

log = logging.getLogger(__name__)


def _errors_text(exc: ValidationError) -> str:
    return " ".join(m for msgs in exc.message_dict.values() for m in msgs)


@store_page("inbox.view")
@require_GET
def inbox_list(request: HttpRequest) -> HttpResponse:
    store, user = request.store, request.user  # type: ignore[attr-defined]
    try:
        filters = selectors.inbox_filters(request.GET)
        page = selectors.inbox_page(store=store, user=user, filters=filters, cursor=request.GET.get("cursor", ""))
        error = ""
    except ValidationError as exc:
        filters, page, error = selectors.InboxFilters(), selectors.InboxPage([], None), _errors_text(exc)
    context = {
        "nav": "inbox",
        "filters": filters,
        "page": page,
        "error": error,
        "tabs": _tabs(store, user, filters),
        # Live events from here on: what happened before is on the page already (and no toasts for it).
        "last_event": _last_event_id(store),
        "text_sandbox": not twilio_configured(),
        "can_report": roles.has_right(request.membership, "inbox.report"),  # type: ignore[attr-defined]
        "statuses": [*ConversationStatus.choices, (selectors.ANY_STATUS, _("Any status"))],
        "channels": ChannelKind.choices,
        "sorts": [(selectors.NEWEST, _("Newest activity")), (selectors.WAITING, _("Waiting longest"))],
        "not_found": _not_found(filters, page),
    }
    status = 400 if error else 200
    return render(request, "inbox/list.html", context, status=status)


def _tabs(store: Any, user: Any, filters: selectors.InboxFilters) -> list[tuple[str, str, int | None]]:
    """Each tab with how many conversations it lists; no count while searching (they would not be
    the matches, and counting the matches would read all of them: ADR 0010)."""
    labels = {"mine": _("Mine"), "unassigned": _("Unassigned"), "all": _("All")}
    counts = None if filters.q else selectors.inbox_counts(store=store, user=user, filters=filters)
    return [(view, labels[view], counts[view] if counts is not None else None) for view in selectors.VIEWS]


def _not_found(filters: selectors.InboxFilters, page: selectors.InboxPage) -> dict[str, Any] | None:
    """What an empty search says: none in this status, and where it does find some (with links)."""
    if not filters.q or page.rows:
        return None
    q = {"q": filters.q}
    sentences: dict[str, str] = {
        ConversationStatus.OPEN: _("No open conversation mentions “%(q)s”.") % q,
        ConversationStatus.PENDING: _("No pending conversation mentions “%(q)s”.") % q,
        ConversationStatus.SNOOZED: _("No snoozed conversation mentions “%(q)s”.") % q,
        ConversationStatus.CLOSED: _("No closed conversation mentions “%(q)s”.") % q,
    }
    elsewhere = []
    for status, n in page.elsewhere:
        found = {
            ConversationStatus.OPEN: ngettext("%(n)s open one does.", "%(n)s open ones do.", n),
            ConversationStatus.PENDING: ngettext("%(n)s pending one does.", "%(n)s pending ones do.", n),
            ConversationStatus.SNOOZED: ngettext("%(n)s snoozed one does.", "%(n)s snoozed ones do.", n),
            ConversationStatus.CLOSED: ngettext("%(n)s closed one does.", "%(n)s closed ones do.", n),
        }[ConversationStatus(status)] % {"n": n}
        elsewhere.append((found, _list_url(filters, status=status)))
    if len(elsewhere) > 1:
        elsewhere.append((_("Show them all."), _list_url(filters, status=selectors.ANY_STATUS)))
    return {
        "text": sentences.get(filters.status, _("No conversation mentions “%(q)s”.") % q),
        "elsewhere": elsewhere,
    }


def _list_url(filters: selectors.InboxFilters, **changes: str) -> str:
    params = {"view": filters.view, "status": filters.status, "channel": filters.channel, "q": filters.q} | changes
    if filters.sort != selectors.NEWEST:
        params["sort"] = filters.sort
    return reverse("inbox:list") + "?" + urlencode(params)


@store_page("inbox.view")
@require_GET
def conversation_detail(request: HttpRequest, conversation_id: int) -> HttpResponse:
    store, user = request.store, request.user  # type: ignore[attr-defined]
    try:
        conversation = conversation_get_for(store=store, conversation_id=conversation_id)
    except Http404:
        # Folded into another by a customer merge: its address leads to the thread that stayed.
        kept = conversation_folded_into(store=store, conversation_id=conversation_id)
        if kept is None:
            raise
        flash.info(
            request,
            _("This conversation was joined to %(name)s's other one when their records were merged: this is it now.")
            % {"name": customer_name(kept) or _("the customer")},
        )
        return redirect("inbox:conversation", kept.pk)
    thread = conversation_messages(conversation=conversation, limit=500)
    notes_marked(store=store, thread=thread)
    customer = conversation.customer
    profile = customer_selectors.customer_profile(customer=customer) if customer else None
    purchases = list(customer_selectors.customer_purchases(customer=customer)[:3]) if customer else []
    notes = list(customer_selectors.customer_notes(customer=customer)[:3]) if customer else []
    now = clock.now()
    services.conversation_read(store=store, user=user, conversation=conversation)
    target = services.inbox_settings(store).response_target_minutes
    zone = ZoneInfo(store.time_zone or "UTC")
    draft = _draft_once(request, conversation.pk)
    status_draft = _status_draft_once(request, conversation.pk)
    # A reply on the conversation's own channel that would be refused (they opted out of it) is said
    # above the box, and that channel is not offered: nobody writes a reply only to have it refused.
    refused = reply_refusal(store=store, conversation=conversation, channel=conversation.channel)
    offered = [
        c for c in reply_channels(store=store, conversation=conversation) if not (refused and c == conversation.channel)
    ]
    channels = [(c, ChannelKind(c).label) for c in offered]
    # A refused reply keeps the channel it was sent by; else WhatsApp past its window starts on another.
    latest = conversation_last_channel(conversation=conversation)
    chosen = draft["channel"] or reply_channel_default(
        conversation=conversation, offered=offered, own_refused=bool(refused), latest=latest
    )
    context = {
        "nav": "inbox",
        "conversation": conversation,
        "row": selectors.inbox_row(store, conversation, target, now),
        "thread": thread,
        "last_event": _last_event_id(store),
        "profile": profile,
        # The consent recorded for some channel and purpose (the rest has never been asked).
        "consent_recorded": [state for state in profile.consent if state.event] if profile else [],
        "purchases": purchases,
        "notes": notes,
        "partner": customer_selectors.customer_partner(store=store, customer=customer) if customer else None,
        "local_time": customer_selectors.customer_local_time(store=store, customer=customer, at=now)
        if customer
        else None,
        "possible_matches": customer_selectors.customer_possible_matches(store=store, profile=profile)
        if profile
        else [],
        "can_merge": roles.has_right(request.membership, "customers.merge"),  # type: ignore[attr-defined]
        # What sending accepts (the conversation's own channel, and those the customer may be reached on now).
        "channels": channels,
        "own_channel_refused": refused,
        "channel_chosen": chosen,
        # The channel of the newest message (notes aside), as the inbox row shows it (ADR 0010).
        "channel_latest_label": ChannelKind(latest).label,
        "channel_chosen_label": dict(channels).get(chosen, ""),
        "staff": Membership.objects.filter(store=store, is_active=True).select_related("user"),
        "statuses": ConversationStatus.choices,
        "saved_replies": [
            (r, replies.saved_reply_fill(reply=r, conversation=conversation, associate=user))
            for r in SavedReply.objects.filter(store=store)
        ],
        # Without any yet, those who may write them are shown where (associates see the inbox's link).
        "can_edit_replies": roles.has_right(request.membership, "inbox.replies"),  # type: ignore[attr-defined]
        # A refused snooze as it was chosen, with the reason (else None).
        "status_draft": status_draft,
        # The time it is snoozed until, else the store's next opening (tomorrow at 9:00 without hours).
        "snooze_default": status_draft["until"]
        if status_draft
        else (conversation.snoozed_until or _snooze_default(store, now)).astimezone(zone).strftime("%Y-%m-%dT%H:%M"),
        "whatsapp": None if refused else _whatsapp_templates(request, conversation),  # opted out: not even a template
        "draft": draft,
        "composer_limits": limits_for_composer(),
        "name_hint": _name_hint(conversation, user, draft["body"]),
        "mention_choices": services.mention_choices(store, exclude=user),
        "photo_limits": photo_limits(),
    }
    return render(request, "inbox/conversation.html", context)


def _snooze_default(store: Any, now: dt.datetime) -> dt.datetime:
    """When a snooze ends unless chosen: the store's next opening for the day (``hours.next_day_opening``),
    so the conversation is back when someone is there to answer; tomorrow at 9:00 without hours."""
    opening = hours.next_day_opening(store, now)
    if opening is not None:
        return opening
    zone = ZoneInfo(store.time_zone or "UTC")
    tomorrow = now.astimezone(zone) + dt.timedelta(days=1)
    return tomorrow.replace(hour=9, minute=0, second=0, microsecond=0)


def _name_hint(conversation: Conversation, user: Any, draft: str) -> dict[str, bool] | None:
    """When this conversation has no first name for {first_name}: the composer's hint saying what to
    do, shown while the text holds the field (the script shows it as a saved reply puts it in)."""
    if merge_values(conversation=conversation, associate=user)["first_name"]:
        return None
    return {"shown": "{first_name}" in draft}


def _draft_once(request: HttpRequest, conversation_id: int) -> dict[str, str]:
    """The text and the chosen "Send by" channel of a refused reply, put back in the composer once
    (kept while another conversation is shown); after that, the composer starts afresh."""
    draft = request.session.get("inbox_draft")
    if not isinstance(draft, dict) or draft.get("conversation") != conversation_id:
        return {"body": "", "channel": ""}
    del request.session["inbox_draft"]
    return {"body": str(draft.get("body", "")), "channel": str(draft.get("channel", ""))}


def _keep_draft(request: HttpRequest, conversation_id: int, body: str, channel: str) -> None:
    # A refused text comes back whole (up to a 100 KB paste), so its author shortens it rather than losing the end.
    request.session["inbox_draft"] = {"conversation": conversation_id, "body": body[:100_000], "channel": channel[:16]}


def _last_event_id(store: Any) -> int:
    from trunkshow.core.models import LiveEvent

    return (
        LiveEvent.objects.filter(store=store, topic="store").order_by("-id").values_list("id", flat=True).first() or 0
    )


def _back(conversation_id: int, to: str = "composer") -> HttpResponse:
    return redirect(reverse("inbox:conversation", args=[conversation_id]) + "#" + to)


def _back_to_panel(conversation_id: int) -> HttpResponse:
    """Status and assignment are saved from the side panel: the page comes back there, not to the
    reply box (on a phone the panel is below the thread, and the page jumped away from it)."""
    return _back(conversation_id, "conversation-panel")


def _wants_json(request: HttpRequest) -> bool:
    return request.content_type == "application/json" or "application/json" in request.headers.get("Accept", "")


def _reply_fields(request: HttpRequest) -> dict[str, Any]:
    """The composer's fields, from its form or, for the page's script, from JSON.

    A WhatsApp template comes as ``template`` (its id) with ``variables`` ({"1": ...}; in the form,
    one ``var_<n>`` field per placeholder).
    """
    if request.content_type == "application/json":
        try:
            data = json.loads(request.body or b"{}")
        except (ValueError, UnicodeDecodeError):
            data = None
        if not isinstance(data, dict):
            raise ValidationError({"body": _('Send the message as JSON: {"body": "..."}.')})
        fields: dict[str, Any] = {k: str(data.get(k) or "") for k in ("body", "channel", "kind", "template")}
        variables = data.get("variables") or {}
        fields["variables"] = (
            {str(k): "" if v is None else str(v) for k, v in variables.items()} if isinstance(variables, dict) else {}
        )
        return fields
    fields = {k: request.POST.get(k, "") for k in ("body", "channel", "kind", "template")}
    fields["variables"] = {k[4:]: v for k, v in request.POST.items() if k.startswith("var_")}
    return fields


def _reply_refused(
    request: HttpRequest, conversation_id: int, fields: dict[str, Any], status: int, code: str, text: str
) -> HttpResponse:
    if _wants_json(request):
        return JsonResponse({"error": {"code": code, "message": text, "fields": {"files": [text]}}}, status=status)
    flash.error(request, text)
    _keep_draft(request, conversation_id, fields.get("body", ""), fields.get("channel", ""))
    return _back(conversation_id)


@store_page("inbox.reply")
@require_POST
def reply(request: HttpRequest, conversation_id: int) -> HttpResponse:
    store, user = request.store, request.user  # type: ignore[attr-defined]
    conversation = conversation_get_for(store=store, conversation_id=conversation_id)
    fields: dict[str, Any] = {}
    try:
        fields = _reply_fields(request)
        body = fields["body"]
        if fields["template"]:
            template = wa.whatsapp_template_get_for(store=store, template_id=fields["template"])  # another store's: 404
            message = messaging.message_send_template(
                store=store, actor=user, conversation=conversation, template=template, variables=fields["variables"]
            )
        elif fields["kind"] == "note":
            photos = photos_prepare(request.FILES.getlist("files"))
            message = messaging.note_add(store=store, actor=user, conversation=conversation, body=body, photos=photos)
        else:
            message = messaging.message_send(
                store=store,
                actor=user,
                conversation=conversation,
                body=body,
                channel=fields["channel"] or None,
                photos=photos_prepare(request.FILES.getlist("files")),
            )
    except PhotoRefused as exc:
        return _reply_refused(request, conversation.pk, fields, exc.status, exc.code, exc.message)
    except OSError:
        log.exception("photo storage failed for conversation %s", conversation.pk)
        text = _("The photos could not be saved (storage is failing); nothing was sent. Try again shortly.")
        return _reply_refused(request, conversation.pk, fields, 503, "storage_failed", text)
    except ValidationError as exc:
        if _wants_json(request):
            return JsonResponse(
                {"error": {"code": "invalid", "message": _errors_text(exc), "fields": exc.message_dict}}, status=400
            )
        flash.error(request, _errors_text(exc))
        if fields.get("template"):  # the template form comes back open, with the values as they were typed
            request.session["inbox_template_draft"] = {
                "conversation": conversation.pk,
                "template": template.pk,
                "values": {k: v[:500] for k, v in list(fields["variables"].items())[:20]},
                "errors": exc.message_dict,
            }
            return redirect(reverse("inbox:conversation", args=[conversation.pk]) + "#templates")
        _keep_draft(request, conversation.pk, fields.get("body", ""), fields.get("channel", ""))
        return _back(conversation.pk)
    warnings = services.mentions_unknown_warning(store, message)
    if _wants_json(request):
        from trunkshow.messaging.selectors import message_payload

        return JsonResponse({"message": message_payload(message), "warnings": warnings}, status=201)
    for warning in warnings:
        flash.warning(request, warning)
    return _back(conversation.pk)


def _whatsapp_templates(request: HttpRequest, conversation: Any) -> dict[str, Any] | None:
    """Past WhatsApp's 24-hour window, the approved templates to pick from, filled in for this customer."""
    if conversation.channel != ChannelKind.WHATSAPP:
        return None
    closes_at = whatsapp_window_closes_at(conversation=conversation)
    if closes_at is not None and clock.now() <= closes_at:
        return None
    draft = request.session.pop("inbox_template_draft", None) or {}
    if draft.get("conversation") != conversation.pk:
        draft = {}
    choices = []
    for template in wa.approved_templates(store=request.store):  # type: ignore[attr-defined]
        values = wa.template_prefill(template=template, conversation=conversation, associate=request.user)
        is_draft = draft.get("template") == template.pk
        errors: dict[str, list[str]] = draft.get("errors", {}) if is_draft else {}
        if is_draft:
            values |= {k: v for k, v in draft.get("values", {}).items() if k in values}
        variables = wa.template_variables(template)
        choices.append(
            {
                "template": template,
                "fields": [
                    {"variable": v, "value": values[v.key], "errors": errors.get(f"variables.{v.key}", [])}
                    for v in variables
                ],
                "errors": [
                    m for k, msgs in errors.items() if k not in {f"variables.{v.key}" for v in variables} for m in msgs
                ],
                "preview": wa.template_render(template, values),
                "open": is_draft,
            }
        )
    last_wrote = closes_at - (WHATSAPP_WINDOW - WHATSAPP_WINDOW_MARGIN) if closes_at else None
    return {"last_wrote": last_wrote, "templates": choices}


@store_page("inbox.view")
@require_GET
def attachment(request: HttpRequest, attachment_id: int, thumb: bool = False) -> HttpResponseBase:
    """A file of a message of this store, to its staff (another store's id is a 404)."""
    found = attachment_get_for(store=request.store, attachment_id=attachment_id)  # type: ignore[attr-defined]
    return attachment_response(found, thumb=thumb)


@store_page("inbox.reply")
@require_POST
def retry(request: HttpRequest, message_id: int) -> HttpResponse:
    store, user = request.store, request.user  # type: ignore[attr-defined]
    message = message_get_for(store=store, message_id=message_id)
    try:
        outbox.message_retry(store=store, actor=user, message=message)
        flash.success(request, _("Sending again."))
    except ValidationError as exc:
        flash.error(request, _errors_text(exc))
    return _back(message.conversation_id)


@store_page("inbox.reply")
@require_POST
def set_status(request: HttpRequest, conversation_id: int) -> HttpResponse:
    store, user = request.store, request.user  # type: ignore[attr-defined]
    conversation = conversation_get_for(store=store, conversation_id=conversation_id)
    status = request.POST.get("status", "")
    raw = request.POST.get("snoozed_until", "").strip()
    until = None
    if status == ConversationStatus.SNOOZED:
        if not raw:
            return _status_refused(
                request, conversation.pk, status, raw, _("Choose when the conversation should come back.")
            )
        try:
            local = dt.datetime.fromisoformat(raw)
            until = local.replace(tzinfo=ZoneInfo(store.time_zone or "UTC")) if local.tzinfo is None else local
        except ValueError:
            message = _("“%(value)s” is not a date and time.") % {"value": raw[:40]}
            return _status_refused(request, conversation.pk, status, raw, message)
    try:
        services.conversation_status_set(
            store=store, actor=user, conversation=conversation, status=status, snoozed_until=until
        )
        flash.success(
            request, _("Conversation marked %(status)s.") % {"status": ConversationStatus(status).label.lower()}
        )
    except ValidationError as exc:
        if status != ConversationStatus.SNOOZED:
            flash.error(request, _errors_text(exc))
        else:
            return _status_refused(request, conversation.pk, status, raw, _errors_text(exc))
    return _back_to_panel(conversation.pk)


def _status_refused(request: HttpRequest, conversation_id: int, status: str, until: str, error: str) -> HttpResponse:
    """A refused snooze comes back as it was chosen (snoozed, the time typed), the reason beside the time."""
    request.session["inbox_status_draft"] = {
        "conversation": conversation_id,
        "status": status[:16],
        "until": until[:40],
        "error": str(error),
    }
    return _back_to_panel(conversation_id)


def _status_draft_once(request: HttpRequest, conversation_id: int) -> dict[str, str] | None:
    draft = request.session.pop("inbox_status_draft", None)
    if not isinstance(draft, dict) or draft.get("conversation") != conversation_id:
        return None
    return {key: str(draft.get(key, "")) for key in ("status", "until", "error")}


@store_page("inbox.reply")
@require_POST
def assign(request: HttpRequest, conversation_id: int) -> HttpResponse:
    store, user = request.store, request.user  # type: ignore[attr-defined]
    conversation = conversation_get_for(store=store, conversation_id=conversation_id)
    raw = request.POST.get("assigned_to", "")
    try:
        user_id = int(raw) if raw else None
    except ValueError:
        user_id = -1
    try:
        services.conversation_assign(store=store, actor=user, conversation=conversation, user_id=user_id)
        flash.success(request, _("Assignment saved."))
    except ValidationError as exc:
        flash.error(request, _errors_text(exc))
    return _back_to_panel(conversation.pk)


@store_page("inbox.view")
@require_GET
def events(request: HttpRequest) -> JsonResponse:
    """What happened since an event id: the page's fallback when its websocket is down, and its backfill."""
    store = request.store  # type: ignore[attr-defined]
    try:
        after = int(request.GET.get("after", "0"))
    except ValueError:
        return JsonResponse(
            {"error": {"code": "invalid", "message": _("“after” must be an event id."), "fields": {}}}, status=400
        )
    return JsonResponse({"events": events_since(store=store, topic="store", after_id=after)})


@store_page("inbox.view")
@require_GET
def thread_fragment(request: HttpRequest, conversation_id: int) -> HttpResponse:
    """The messages after an id, rendered as the thread renders them (for the live page)."""
    store = request.store  # type: ignore[attr-defined]
    conversation = conversation_get_for(store=store, conversation_id=conversation_id)
    try:
        after = int(request.GET.get("after", "0"))
    except ValueError:
        after = 0
    thread = conversation_messages(conversation=conversation, after_id=after)
    notes_marked(store=store, thread=thread)
    services.conversation_read(store=store, user=request.user, conversation=conversation)
    return render(request, "inbox/_messages.html", {"thread": thread, "conversation": conversation})


@store_page("inbox.view")
@require_GET
def mentions(request: HttpRequest) -> HttpResponse:
    """The notes that @name this person: those waiting for them, then the latest they have seen."""
    store, user = request.store, request.user  # type: ignore[attr-defined]
    found = selectors.mentions_for(store=store, user=user)
    return render(request, "inbox/mentions.html", {"nav": "mentions", **found})


@store_page("inbox.view")
@require_GET
def mentions_nav(request: HttpRequest) -> HttpResponse:
    """The navigation's count of mentions waiting (empty when none), fetched again by an open inbox page
    when a note names the person reading it."""
    return render(request, "inbox/_nav_mentions.html")


# ---- saved replies ----------------------------------------------------------------------------


@store_page("inbox.view")
def saved_replies(request: HttpRequest, reply_id: int | None = None) -> HttpResponse:
    """The list of saved replies; owners and managers add and change them here."""
    store, user, membership = request.store, request.user, request.membership  # type: ignore[attr-defined]
    reply = replies.saved_reply_get_for(store=store, reply_id=reply_id) if reply_id is not None else None
    errors: dict[str, list[str]] = {}
    values = {"title": reply.title if reply else "", "body": reply.body if reply else ""}
    if request.method == "POST":
        values = {"title": request.POST.get("title", ""), "body": request.POST.get("body", "")}
        try:
            replies.saved_reply_save(
                store=store, actor=user, membership=membership, reply=reply, title=values["title"], body=values["body"]
            )
        except ValidationError as exc:
            errors = exc.message_dict
        else:
            flash.success(request, _("Saved reply “%(title)s” saved.") % {"title": values["title"].strip()})
            return redirect("inbox:replies")
    context = {
        "nav": "inbox",
        "replies": SavedReply.objects.filter(store=store),
        "editing": reply,
        "values": values,
        "errors": errors,
        "fields": replies.FIELDS,
    }
    return render(request, "inbox/replies.html", context, status=400 if errors else 200)


@store_page("inbox.replies")
@require_POST
def saved_reply_delete(request: HttpRequest, reply_id: int) -> HttpResponse:
    store, membership = request.store, request.membership  # type: ignore[attr-defined]
    reply = replies.saved_reply_get_for(store=store, reply_id=reply_id)
    replies.saved_reply_delete(store=store, membership=membership, reply=reply)
    flash.success(request, _("Saved reply “%(title)s” deleted.") % {"title": reply.title})
    return redirect("inbox:replies")


@store_page("inbox.report")
@require_GET
def response_times(request: HttpRequest) -> HttpResponse:
    """How fast the store answered: first response times against its target, by day, associate and channel."""
    store = request.store  # type: ignore[attr-defined]
    error, status = "", 200
    try:
        days = reports.period_parse(request.GET.get("days"))
    except ValidationError as exc:
        days, error, status = reports.DEFAULT_PERIOD, _errors_text(exc), 400
    report = reports.response_report(store=store, days=days)
    context = {
        "nav": "inbox",
        "report": report,
        "chart": reports.chart(report),
        "periods": reports.PERIODS,
        "error": error,
        "can_edit_settings": roles.has_right(request.membership, "store.edit"),  # type: ignore[attr-defined]
    }
    return render(request, "inbox/response_times.html", context, status=status)


@store_page("store.edit")
def inbox_settings_page(request: HttpRequest) -> HttpResponse:
    """The first-response target and the automatic answer when closed (owners)."""
    from trunkshow.core.access import client_ip
    from trunkshow.inbox.forms import InboxSettingsForm
    from trunkshow.stores.forms import add_service_errors

    store = request.store  # type: ignore[attr-defined]
    current = services.inbox_settings(store)
    links = {
        "nav": "settings",
        "hours_url": reverse("store_settings") + "#hours-h",
        "chat_url": reverse("messaging:chat_settings"),
    }
    if request.method == "POST":
        form = InboxSettingsForm(request.POST)
        if form.is_valid():
            try:
                services.inbox_settings_update(
                    store=store,
                    actor=request.user,
                    response_target_minutes=form.cleaned_data["response_target_minutes"],
                    out_of_hours_reply=form.cleaned_data["out_of_hours_reply"],
                    ip=client_ip(request),
                )
            except ValidationError as exc:
                add_service_errors(form, exc)
            else:
                flash.success(request, _("The inbox settings are saved."))
                return redirect("inbox:settings")
        return render(request, "inbox/settings.html", {**links, "form": form}, status=400)
    form = InboxSettingsForm(
        initial={
            "response_target_minutes": current.response_target_minutes,
            "out_of_hours_reply": current.out_of_hours_reply,
        }
    )
    return render(request, "inbox/settings.html", {**links, "form": form})
