"""Reads of the inbox: the conversation list with unread counts and response clocks, one page at a time."""

from __future__ import annotations

import base64
import datetime as dt
import json
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import ValidationError
from django.db import connection
from django.db.models import Count, Q
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _

from trunkshow.core.validation import fold
from trunkshow.customers import search as customer_search
from trunkshow.customers.models import Customer
from trunkshow.inbox.services import inbox_settings, response_due_at
from trunkshow.messaging.models import ChannelKind, Conversation, ConversationStatus, Message
from trunkshow.stores.models import Store, User

PAGE_SIZE = 25
VIEWS = ("mine", "unassigned", "all")
ANY_STATUS = "any"  # the status filter's "Any status": a search across open, pending, snoozed and closed
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
    if status != ANY_STATUS and status not in ConversationStatus.values:
        errors["status"] = _("Choose open, pending, snoozed, closed or any status.")
    if channel and channel not in ChannelKind.values:
        errors["channel"] = _("Choose webchat, sms, whatsapp or email.")
    if len(q) > 200:
        errors["q"] = _("Search for at most 200 characters.")
    if errors:
        raise ValidationError(errors)
    return InboxFilters(view=view, status=status, channel=channel, q=q)


def _search_ids(store: Store, q: str) -> list[int]:
    """Conversations whose messages contain ``q``, staff notes included (the inbox is the staff's,
    and notes are where they write "the locket is in the safe"), or whose customer's name, email
    or phone does. A phone is read as the customer search reads it: "(917) 555-0123",
    "917-555-0123" and "+1 917 555 0123" find what "9175550123" finds."""
    in_messages = (
        Message.objects.filter(store=store, body__icontains=q)
        .order_by("-id")
        .values_list("conversation_id", flat=True)[:SEARCH_SCAN]
    )
    about_customer = Q(customer__search_text__contains=fold(q))
    query = customer_search.parse(q, region=store.phone_region or "US")
    if query.kind == "phone":
        for digits in query.digits:
            about_customer |= Q(customer__search_text__contains=digits)
    by_customer = (
        Conversation.objects.filter(store=store).filter(about_customer).values_list("id", flat=True)[:SEARCH_SCAN]
    )
    return sorted(set(in_messages) | set(by_customer))


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
    # A search that found nothing in the chosen status: how many it finds in each other one, as
    # (status, count), in the statuses' order (empty otherwise).
    elsewhere: list[tuple[str, int]] = field(default_factory=list)


# The list's one statement, written out: building and compiling the equivalent ORM query (two
# correlated subqueries, a join) cost twenty times the statement itself (bench/inbox.py).
_LIST_SQL = """
SELECT c.id, c.channel, c.address, c.status, c.snoozed_until, c.assigned_to_id, c.last_message_at,
       c.last_message_preview, c.last_inbound_at, c.awaiting_since, c.first_response_seconds, c.created_at,
       c.reopened_at, c.customer_id, cu.first_name, cu.last_name, cu.preferred_name, u.name, u.email,
       (SELECT COUNT(*) FROM messaging_message m
         WHERE m.conversation_id = c.id AND m.direction = 'in' AND {not_keyword}
           AND m.id > COALESCE((SELECT r.last_read_message_id FROM inbox_readstate r
                                 WHERE r.conversation_id = c.id AND r.user_id = %s), 0)) AS unread
  FROM messaging_conversation c
  LEFT JOIN customers_customer cu ON cu.id = c.customer_id
  LEFT JOIN stores_user u ON u.id = c.assigned_to_id
 WHERE c.store_id = %s {where}
 ORDER BY c.last_message_at DESC, c.id DESC
 LIMIT %s
"""
_DATETIMES = (4, 6, 8, 9, 11, 12)
# A keyword (STOP, START, HELP) is answered automatically (``messaging.services._keyword_mark``):
# it is in the thread, never unread, as nobody needs to read it to answer it.
_NOT_KEYWORD_POSTGRES = "(m.meta ->> 'keyword') IS NULL"
_NOT_KEYWORD_SQLITE = "json_extract(m.meta, '$.keyword') IS NULL"


def _aware(value: Any) -> dt.datetime | None:
    if value is None or isinstance(value, dt.datetime):
        return value if value is None or value.tzinfo else value.replace(tzinfo=dt.UTC)
    parsed = parse_datetime(str(value))
    return parsed if parsed is None or parsed.tzinfo else parsed.replace(tzinfo=dt.UTC)


def _conversations(
    store: Store, user: Any, filters: InboxFilters, cursor: str, limit: int, ids: list[int] | None
) -> list[Conversation]:
    """A page of the list; ``ids`` are the conversations a search found (None: no search)."""
    where: list[str] = []
    params: list[Any] = [user.pk, store.pk]
    if filters.status != ANY_STATUS:
        where.append("AND c.status = %s")
        params.append(filters.status)
    if filters.view == "mine":
        where.append("AND c.assigned_to_id = %s")
        params.append(user.pk)
    elif filters.view == "unassigned":
        where.append("AND c.assigned_to_id IS NULL")
    if filters.channel:
        where.append("AND c.channel = %s")
        params.append(filters.channel)
    if ids is not None:
        marks = ", ".join(["%s"] * len(ids))
        where.append(f"AND c.id IN ({marks})" if ids else "AND 1 = 0")
        params += ids
    if cursor:
        at, pk = _cursor_decode(cursor)
        where.append("AND (c.last_message_at < %s OR (c.last_message_at = %s AND c.id < %s))")
        value = connection.ops.adapt_datetimefield_value(at)
        params += [value, value, pk]
    params.append(limit)
    with connection.cursor() as cur:
        not_keyword = _NOT_KEYWORD_POSTGRES if connection.vendor == "postgresql" else _NOT_KEYWORD_SQLITE
        cur.execute(_LIST_SQL.format(where=" ".join(where), not_keyword=not_keyword), params)
        rows = cur.fetchall()
    out = []
    for row in rows:
        values = list(row)
        for i in _DATETIMES:
            values[i] = _aware(values[i])
        c = Conversation(
            id=values[0],
            store=store,
            channel=values[1],
            address=values[2],
            status=values[3],
            snoozed_until=values[4],
            assigned_to_id=values[5],
            last_message_at=values[6],
            last_message_preview=values[7],
            last_inbound_at=values[8],
            awaiting_since=values[9],
            first_response_seconds=values[10],
            created_at=values[11],
            reopened_at=values[12],
        )
        if values[13] is not None:
            c.customer = Customer(
                id=values[13], store=store, first_name=values[14], last_name=values[15], preferred_name=values[16]
            )
        else:
            c.customer = None
        c.assigned_to = User(id=values[5], name=values[17], email=values[18]) if values[5] is not None else None
        c.unread = values[19]  # type: ignore[attr-defined]
        out.append(c)
    return out


def inbox_page(*, store: Store, user: Any, filters: InboxFilters, cursor: str = "", size: int = PAGE_SIZE) -> InboxPage:
    ids = _search_ids(store, filters.q) if filters.q else None
    items = _conversations(store, user, filters, cursor, size + 1, ids)
    more = len(items) > size
    items = items[:size]
    target = inbox_settings(store).response_target_minutes
    now = timezone.now()
    rows = [inbox_row(store, c, target, now) for c in items]
    elsewhere = []
    if ids and not items and not cursor and filters.status != ANY_STATUS:
        elsewhere = _found_elsewhere(store, user, filters, ids)
    return InboxPage(rows=rows, next_cursor=_cursor_encode(items[-1]) if more and items else None, elsewhere=elsewhere)


def _found_elsewhere(store: Store, user: Any, filters: InboxFilters, ids: list[int]) -> list[tuple[str, int]]:
    """What the search finds with the same view and channel in the other statuses (one statement)."""
    found = Conversation.objects.filter(store=store, id__in=ids).exclude(status=filters.status)
    if filters.view == "mine":
        found = found.filter(assigned_to=user)
    elif filters.view == "unassigned":
        found = found.filter(assigned_to__isnull=True)
    if filters.channel:
        found = found.filter(channel=filters.channel)
    counts = dict(found.order_by().values_list("status").annotate(n=Count("id")).values_list("status", "n"))
    return [(status, counts[status]) for status in ConversationStatus.values if counts.get(status)]


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


# ---- @mentions --------------------------------------------------------------------------------


def mentions_waiting_count(*, store: Store, user: Any) -> int:
    """How many notes @naming this person in this store they have not opened yet (the navigation's count)."""
    from trunkshow.inbox.models import Mention

    return int(Mention.objects.filter(store=store, user=user, read_at__isnull=True).count())


def mentions_for(*, store: Store, user: Any, read_limit: int = 20) -> dict[str, list[Any]]:
    """This person's mentions in this store: those waiting (oldest first, to answer in order), and the
    latest ones already seen."""
    from trunkshow.inbox.models import Mention

    rows = Mention.objects.filter(store=store, user=user).select_related("message__author", "conversation__customer")
    return {
        "waiting": list(rows.filter(read_at__isnull=True).order_by("at", "id")),
        "seen": list(rows.filter(read_at__isnull=False).order_by("-at", "-id")[:read_limit]),
    }
