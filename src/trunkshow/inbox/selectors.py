"""Reads of the inbox: the conversation list with unread counts and response clocks, one page at a time."""

from __future__ import annotations

import base64
import datetime as dt
import json
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ValidationError
from django.db.models import Count, IntegerField, OuterRef, Q, QuerySet, Subquery, Value
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext as _

from trunkshow.core.validation import fold
from trunkshow.inbox.models import ReadState
from trunkshow.inbox.services import inbox_settings, response_due_at
from trunkshow.messaging.models import ChannelKind, Conversation, ConversationStatus, Direction, Message
from trunkshow.stores.models import Store

PAGE_SIZE = 25
VIEWS = ("mine", "unassigned", "all")
SEARCH_SCAN = 5_000  # newest matching messages considered per search


@dataclass(frozen=True)
class InboxFilters:
    view: str = "all"
    status: str = ConversationStatus.OPEN
    channel: str = ""
    q: str = ""


def inbox_filters(params: Any) -> InboxFilters:
    """The list's filters from a query string; an unknown value is a clear error, not an empty list."""
    view = params.get("view") or "all"
    status = params.get("status") or ConversationStatus.OPEN
    channel = params.get("channel") or ""
    q = (params.get("q") or "").strip()
    errors: dict[str, str] = {}
    if view not in VIEWS:
        errors["view"] = _("Choose mine, unassigned or all.")
    if status not in ConversationStatus.values:
        errors["status"] = _("Choose open, pending, snoozed or closed.")
    if channel and channel not in ChannelKind.values:
        errors["channel"] = _("Choose webchat, sms, whatsapp or email.")
    if len(q) > 200:
        errors["q"] = _("Search for at most 200 characters.")
    if errors:
        raise ValidationError(errors)
    return InboxFilters(view=view, status=status, channel=channel, q=q)


def _unread(user: Any) -> Any:
    """Inbound messages after the last one this user read, counted in the list's own statement."""
    read_up_to = ReadState.objects.filter(user=user, conversation=OuterRef(OuterRef("pk"))).values(
        "last_read_message_id"
    )[:1]
    unread = (
        Message.objects.filter(conversation=OuterRef("pk"), direction=Direction.INBOUND)
        .filter(id__gt=Coalesce(Subquery(read_up_to), Value(0)))
        .order_by()
        .values("conversation")
        .annotate(n=Count("id"))
        .values("n")
    )
    return Coalesce(Subquery(unread, output_field=IntegerField()), Value(0))


def inbox_queryset(*, store: Store, user: Any, filters: InboxFilters) -> QuerySet[Conversation]:
    qs = Conversation.objects.filter(store=store, status=filters.status)
    if filters.view == "mine":
        qs = qs.filter(assigned_to=user)
    elif filters.view == "unassigned":
        qs = qs.filter(assigned_to__isnull=True)
    if filters.channel:
        qs = qs.filter(channel=filters.channel)
    if filters.q:
        matching = (
            Message.objects.filter(store=store, body__icontains=filters.q)
            .exclude(direction=Direction.NOTE)
            .order_by("-id")
            .values_list("conversation_id", flat=True)[:SEARCH_SCAN]
        )
        qs = qs.filter(Q(pk__in=list(matching)) | Q(customer__search_text__contains=fold(filters.q)))
    return qs.select_related("customer", "assigned_to").annotate(unread=_unread(user))


def _cursor_encode(conversation: Conversation) -> str:
    raw = json.dumps([conversation.last_message_at.isoformat(), conversation.pk]).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def _cursor_decode(cursor: str) -> tuple[dt.datetime, int]:
    try:
        at, pk = json.loads(base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)))
        moment = dt.datetime.fromisoformat(at)
        if moment.tzinfo is None:
            raise ValueError("naive")
        return moment, int(pk)
    except (ValueError, TypeError):
        raise ValidationError({"cursor": _("This page link is not valid; start from the first page.")}) from None


@dataclass
class InboxRow:
    conversation: Conversation
    unread: int
    due_at: dt.datetime | None
    state: str  # "overdue", "due_soon", "waiting" or "" (nobody is waiting)
    waiting_minutes: int


@dataclass
class InboxPage:
    rows: list[InboxRow]
    next_cursor: str | None


def inbox_page(*, store: Store, user: Any, filters: InboxFilters, cursor: str = "", size: int = PAGE_SIZE) -> InboxPage:
    qs = inbox_queryset(store=store, user=user, filters=filters)
    if cursor:
        at, pk = _cursor_decode(cursor)
        qs = qs.filter(Q(last_message_at__lt=at) | Q(last_message_at=at, pk__lt=pk))
    items = list(qs.order_by("-last_message_at", "-id")[: size + 1])
    more = len(items) > size
    items = items[:size]
    target = inbox_settings(store).response_target_minutes
    now = timezone.now()
    rows = [inbox_row(store, c, target, now) for c in items]
    return InboxPage(rows=rows, next_cursor=_cursor_encode(items[-1]) if more and items else None)


def inbox_row(store: Store, conversation: Conversation, target: int, now: dt.datetime) -> InboxRow:
    due = response_due_at(store, conversation, target)
    state, waiting = "", 0
    if due is not None and conversation.awaiting_since is not None:
        waiting = max(0, int((now - conversation.awaiting_since).total_seconds() // 60))
        if now >= due:
            state = "overdue"
        elif (due - now) <= dt.timedelta(minutes=target) / 2:
            state = "due_soon"
        else:
            state = "waiting"
    return InboxRow(conversation, int(getattr(conversation, "unread", 0)), due, state, waiting)


def inbox_counts(*, store: Store, user: Any) -> dict[str, int]:
    """Open conversations per tab, for the tab labels (one statement)."""
    return Conversation.objects.filter(store=store, status=ConversationStatus.OPEN).aggregate(
        mine=Count("id", filter=Q(assigned_to=user)),
        unassigned=Count("id", filter=Q(assigned_to__isnull=True)),
        all=Count("id"),
    )
