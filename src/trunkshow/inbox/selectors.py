"""Reads of the inbox: the conversation list with unread counts and response clocks, one page at a time."""

from __future__ import annotations

import base64
import datetime as dt
import json
from dataclasses import dataclass, field, replace
from typing import Any

from django.core.exceptions import ValidationError
from django.db import connection
from django.db.models import Count, Q
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _

from trunkshow.core import clock
from trunkshow.core.validation import fold, search_text
from trunkshow.customers import search as customer_search
from trunkshow.customers.models import Customer, CustomerEmail
from trunkshow.inbox.matches import Match, excerpt, marks_in, matched_messages, words_held
from trunkshow.inbox.services import WAITING_STATUSES, inbox_settings, response_due_at
from trunkshow.inbox.stems import word_forms
from trunkshow.messaging.models import ChannelKind, Conversation, ConversationStatus
from trunkshow.stores.models import Store, User

PAGE_SIZE = 25
VIEWS = ("mine", "unassigned", "all")
ANY_STATUS = "any"  # the status filter's "Any status": a search across open, pending, snoozed and closed
# The list's orders: newest activity first, or the customers waiting for an answer, longest first
# (only those: a conversation nobody waits in has no wait to order by; ADR 0010).
NEWEST, WAITING = "newest", "waiting"
SORTS = (NEWEST, WAITING)


@dataclass(frozen=True)
class InboxFilters:
    view: str = "all"
    status: str = ConversationStatus.OPEN
    channel: str = ""
    q: str = ""
    sort: str = NEWEST


def inbox_filters(params: Any) -> InboxFilters:
    """The list's filters from a query string; an unknown value is a clear error, not an empty list."""
    view = params.get("view") or "all"
    status = params.get("status") or ConversationStatus.OPEN
    channel = params.get("channel") or ""
    q = (params.get("q") or "").strip()
    sort = params.get("sort") or NEWEST
    errors: dict[str, str] = {}
    if view not in VIEWS:
        errors["view"] = _("Choose mine, unassigned or all.")
    if status != ANY_STATUS and status not in ConversationStatus.values:
        errors["status"] = _("Choose open, pending, snoozed, closed or any status.")
    if channel and channel not in ChannelKind.values:
        errors["channel"] = _("Choose webchat, sms, whatsapp or email.")
    if len(q) > 200:
        errors["q"] = _("Search for at most 200 characters.")
    if sort not in SORTS:
        errors["sort"] = _("Choose newest or waiting.")
    if errors:
        raise ValidationError(errors)
    return InboxFilters(view=view, status=status, channel=channel, q=q, sort=sort)


@dataclass(frozen=True)
class _Search:
    """The list's search as a condition on the list's own statement (``c`` the conversation, ``cu``
    its customer), so that the list's ``ORDER BY ... LIMIT`` stops at the first page of matches
    instead of collecting every match first."""

    sql: str
    params: list[Any]
    terms: tuple[_Term, ...] = ()  # what it looks for, to show where each row holds it


# A search word held by more messages (or customers) than this is "common": the list then checks it
# row by row, in its own order, and stops at the first page (``ring``, ``gold``). Below it, the
# trigram index gives every conversation that holds the word, and the list reads only those.
FEW = 2000


@dataclass(frozen=True)
class _Term:
    """One thing a conversation must hold: ``text`` (folded) in one of its messages, one of
    ``about`` in its customer's search_text, or a customer among ``customer_ids``."""

    text: str
    about: tuple[str, ...]
    customer_ids: tuple[int, ...] = ()
    phone: bool = False  # a phone number, ``about`` its digits

    @property
    def forms(self) -> tuple[str, ...]:
        """What a message must hold for it (any one, as a substring): the word typed or its stem,
        English endings forgiven (``inbox.stems``: ``engrave`` is found in "engraving"). A
        customer's name is matched as typed: it is no English word (``hughes`` is not Hugh)."""
        return (self.text,) if self.phone else word_forms(self.text)


def _search(store: Store, q: str, *, typos: bool = False) -> _Search | None:
    """Every word of ``q`` must be found in the conversation, each anywhere in it.

    A word is found when one of the conversation's messages holds it (staff notes included: the
    inbox is the staff's, and notes are where they write "the locket is in the safe"), or when its
    customer's name, email or phone does, folded on both sides (``muller`` finds Müller, ``Müller``
    finds Muller). The words need not be in the same message, nor in the order typed: ``gold chains``
    finds "do you buy old gold? I have a few chains." A phone is one term, read as the customer
    search reads it: "(917) 555-0123", "917-555-0123" and "+1 917 555 0123" find what "9175550123"
    finds. ``typos`` (asked when nothing was found as typed): a word of 4 letters or more is also
    found in the conversations of the customers the customer search finds for it, typos forgiven
    (``szirmai`` finds Szirmay); None when the customer search forgives no word (nothing to ask again).
    """
    query = customer_search.parse(q, region=store.phone_region or "US")
    if query.kind == "phone":
        if typos:
            return None
        terms = [_Term(fold(q.strip()), tuple(query.digits), phone=True)]
    else:
        words = [fold(typed) for typed in search_text(q).split() if fold(typed).strip()]
        if not query.kind or not words:
            return None if typos else _Search("AND 1 = 0", [])
        terms, forgiven = [], False
        for word in words:
            ids: tuple[int, ...] = ()
            if typos and customer_search.max_edits(word):
                ids = tuple(hit.id for hit in customer_search.ranked(store=store, q=word))
                forgiven = forgiven or bool(ids)
            terms.append(_Term(word, (word,), ids))
        if typos and not forgiven:
            return None
    return _narrowed(store, terms)


def _narrowed(store: Store, terms: list[_Term]) -> _Search:
    """The terms as conditions: the conversations holding the less common ones, found through the
    trigram indexes, as a list of ids; the common ones checked on those (or, when every term is
    common, on the list's rows in order, which soon fills a page)."""
    sql, params = "", []
    candidates: set[int] | None = None
    for term in terms:
        holding = _holding(store, term)
        if holding is None:
            part, values = _checked(term)
            sql += " " + part
            params += values
        else:
            candidates = holding if candidates is None else candidates & holding
    if candidates is not None:
        # Integers read from the database, written into the statement: a list of thousands of
        # parameters would meet SQLite's limit on them.
        ids = ", ".join(str(int(pk)) for pk in sorted(candidates)) or "NULL"
        sql = f" AND c.id IN ({ids})" + sql
    return _Search(sql, params, tuple(terms))


def _holding(store: Store, term: _Term) -> set[int] | None:
    """The ids of the store's conversations that hold ``term``, or None when it is common (or too
    short for a trigram index) and is better checked row by row."""
    forms = term.forms
    if any(len(text) < 3 for text in [*forms, *term.about]):
        return None
    postgres = connection.vendor == "postgresql"
    with connection.cursor() as cur:
        if postgres:
            held = " OR ".join(["search_text LIKE %s ESCAPE '\\'"] * len(forms))
            cur.execute(
                f"SELECT conversation_id FROM messaging_message WHERE store_id = %s AND ({held}) LIMIT %s",  # noqa: S608
                [store.pk, *(_contains(form) for form in forms), FEW],
            )
        else:
            cur.execute(
                "SELECT m.conversation_id FROM message_search_fts f CROSS JOIN messaging_message m ON m.id = f.rowid "
                "WHERE message_search_fts MATCH %s AND m.store_id = %s LIMIT %s",
                [" OR ".join(_phrase(form) for form in forms), store.pk, FEW],
            )
        rows = cur.fetchall()
        if len(rows) >= FEW:
            return None
        found = {row[0] for row in rows}
        customers = set(term.customer_ids)
        for about in term.about:
            if postgres:
                cur.execute(
                    "SELECT id FROM customers_customer WHERE store_id = %s AND erased_at IS NULL "
                    "AND search_text LIKE %s ESCAPE '\\' LIMIT %s",
                    [store.pk, _contains(about), FEW],
                )
            else:
                cur.execute(
                    "SELECT cu.id FROM customer_search_fts f CROSS JOIN customers_customer cu ON cu.id = f.rowid "
                    "WHERE customer_search_fts MATCH %s AND cu.store_id = %s AND cu.erased_at IS NULL LIMIT %s",
                    [_phrase(about), store.pk, FEW],
                )
            rows = cur.fetchall()
            if len(rows) >= FEW:
                return None
            customers.update(row[0] for row in rows)
        ordered = sorted(customers)
        for start in range(0, len(ordered), 500):
            chunk = ordered[start : start + 500]
            cur.execute(
                f"SELECT id FROM messaging_conversation WHERE store_id = %s "  # noqa: S608 - placeholders only
                f"AND customer_id IN ({', '.join(['%s'] * len(chunk))})",
                [store.pk, *chunk],
            )
            found.update(row[0] for row in cur.fetchall())
    return found


def _phrase(text: str) -> str:
    """``text`` as one FTS5 phrase: with the trigram tokenizer, every row holding it as a substring."""
    return '"' + text.replace('"', '""') + '"'


def _checked(term: _Term) -> tuple[str, list[Any]]:
    """``term`` as a condition checked on each of the list's rows."""
    # OFFSET 0 keeps PostgreSQL checking the row's own messages by the thread index: without it, it
    # turns the EXISTS into a hash of every message holding the word (250,000 for "ring" among a
    # million: 240 ms) before reading the first row of the list.
    fence = " OFFSET 0" if connection.vendor == "postgresql" else ""
    held = " OR ".join(["m.search_text LIKE %s ESCAPE '\\'"] * len(term.forms))
    in_messages = f"EXISTS (SELECT 1 FROM messaging_message m WHERE m.conversation_id = c.id AND ({held}){fence})"  # noqa: S608 - placeholders only
    found: list[tuple[str, list[Any]]] = [(in_messages, [_contains(form) for form in term.forms])]
    found += [("cu.search_text LIKE %s ESCAPE '\\'", [_contains(about)]) for about in term.about]
    if term.customer_ids:
        found.append((f"c.customer_id IN ({', '.join(['%s'] * len(term.customer_ids))})", list(term.customer_ids)))
    return "AND (" + " OR ".join(sql for sql, _ in found) + ")", [p for _, values in found for p in values]


def _contains(text: str) -> str:
    return f"%{connection.ops.prep_for_like_query(text)}%"


def _cursor_encode(conversation: Conversation, sort: str) -> str:
    """Where the next page starts: the last row's place in the order (its date and id), and the
    order's name when it is not the newest-first one (so a link from one order is refused by another)."""
    if sort == WAITING:
        assert conversation.awaiting_since is not None  # the waiting order lists only those waiting
        place: list[Any] = [conversation.awaiting_since.isoformat(), conversation.pk, WAITING]
    else:
        place = [conversation.last_message_at.isoformat(), conversation.pk]
    return base64.urlsafe_b64encode(json.dumps(place).encode()).decode().rstrip("=")


def _cursor_decode(cursor: str, sort: str) -> tuple[dt.datetime, int]:
    try:
        at, pk, *order = json.loads(base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)))
        if (order or [NEWEST]) != [sort]:
            raise ValueError("another order's cursor")
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
    match: Match | None = None  # in a searched list: why it is listed (``inbox.matches``)

    @property
    def mentioned(self) -> bool:
        """A note @mentions the person asking and they have not opened the conversation since."""
        return bool(getattr(self.conversation, "mentioned", False))

    @property
    def channel(self) -> str:
        """The channel of the newest message, notes aside (ADR 0010): the list's statement reads it."""
        return str(getattr(self.conversation, "last_channel", None) or self.conversation.channel)

    @property
    def channel_label(self) -> str:
        return str(ChannelKind(self.channel).label)


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
       {unread} AS unread,
       EXISTS (SELECT 1 FROM inbox_mention mn
                WHERE mn.conversation_id = c.id AND mn.user_id = %s AND mn.read_at IS NULL) AS mentioned,
       (SELECT m.channel FROM messaging_message m WHERE m.conversation_id = c.id AND m.direction <> 'note'
         ORDER BY m.created_at DESC, m.id DESC LIMIT 1) AS last_channel
  FROM messaging_conversation c
  LEFT JOIN customers_customer cu ON cu.id = c.customer_id
  LEFT JOIN stores_user u ON u.id = c.assigned_to_id
 WHERE c.store_id = %s {where}
 ORDER BY {order}
 LIMIT %s
"""
# What is new to the staff member asking (the one parameter): the customer's messages of the wait the
# conversation is in (since ``awaiting_since``: a person's answer or an opt-out ends it, and a message to a
# closed conversation starts a new one) that they have not opened (after their ``ReadState``), none in a
# closed conversation (closing dealt with it), no keyword.
# So a message a colleague answered is new to nobody, and a person's own reply is never new to them
# (ADR 0010, amended 2026-11-25). The thread index (conversation, created_at, id) reads only the wait.
_UNREAD_SQL = """CASE WHEN c.status = 'closed' OR c.awaiting_since IS NULL THEN 0 ELSE
       (SELECT COUNT(*) FROM messaging_message m
         WHERE m.conversation_id = c.id AND m.created_at >= c.awaiting_since AND m.direction = 'in'
           AND {not_keyword}
           AND m.id > COALESCE((SELECT r.last_read_message_id FROM inbox_readstate r
                                 WHERE r.conversation_id = c.id AND r.user_id = %s), 0)) END"""
_ONE_UNREAD_SQL = "SELECT {unread} FROM messaging_conversation c WHERE c.id = %s"
# Each order, and the rows after a cursor's place in it. The waiting order is served by the partial
# index ``conversation_waiting`` (store, status, awaiting_since, id WHERE awaiting_since IS NOT NULL).
_ORDERS = {
    NEWEST: (
        "c.last_message_at DESC, c.id DESC",
        "AND (c.last_message_at < %s OR (c.last_message_at = %s AND c.id < %s))",
    ),
    WAITING: (
        "c.awaiting_since ASC, c.id ASC",
        "AND (c.awaiting_since > %s OR (c.awaiting_since = %s AND c.id > %s))",
    ),
}
_WAITING_WHERE = "AND c.status IN ({}) AND c.awaiting_since IS NOT NULL".format(
    ", ".join(f"'{status}'" for status in WAITING_STATUSES)
)
_DATETIMES = (4, 6, 8, 9, 11, 12)
# A keyword (STOP, START, HELP) is answered automatically (``messaging.services._keyword_mark``):
# it is in the thread, never unread, as nobody needs to read it to answer it.
_NOT_KEYWORD_POSTGRES = "(m.meta ->> 'keyword') IS NULL"
_NOT_KEYWORD_SQLITE = "json_extract(m.meta, '$.keyword') IS NULL"


def _unread_sql() -> str:
    not_keyword = _NOT_KEYWORD_POSTGRES if connection.vendor == "postgresql" else _NOT_KEYWORD_SQLITE
    return _UNREAD_SQL.format(not_keyword=not_keyword)


def conversation_unread(*, user: Any, conversation: Conversation) -> int:
    """How many of the conversation's messages are new to ``user``: the list's rule, for one conversation
    (the API's answer after an assignment or a status change carries the same ``unread`` as the list)."""
    with connection.cursor() as cur:
        cur.execute(_ONE_UNREAD_SQL.format(unread=_unread_sql()), [user.pk, conversation.pk])
        row = cur.fetchone()
    return int(row[0]) if row else 0


def _aware(value: Any) -> dt.datetime | None:
    if value is None or isinstance(value, dt.datetime):
        return value if value is None or value.tzinfo else value.replace(tzinfo=dt.UTC)
    parsed = parse_datetime(str(value))
    return parsed if parsed is None or parsed.tzinfo else parsed.replace(tzinfo=dt.UTC)


def _where(user: Any, filters: InboxFilters, search: _Search | None) -> tuple[list[str], list[Any]]:
    """The list's conditions but its status: the view, the channel, the waiting order's (a customer
    waiting) and the search."""
    where: list[str] = []
    params: list[Any] = []
    if filters.view == "mine":
        where.append("AND c.assigned_to_id = %s")
        params.append(user.pk)
    elif filters.view == "unassigned":
        where.append("AND c.assigned_to_id IS NULL")
    if filters.channel:
        where.append("AND c.channel = %s")
        params.append(filters.channel)
    if filters.sort == WAITING:
        where.append(_WAITING_WHERE)
    if search is not None:
        where.append(search.sql)
        params += search.params
    return where, params


def _conversations(
    store: Store, user: Any, filters: InboxFilters, cursor: str, limit: int, search: _Search | None
) -> list[Conversation]:
    """A page of the list, narrowed by ``search`` when there is one."""
    where, params = _where(user, filters, search)
    params = [user.pk, user.pk, store.pk, *params]
    if filters.status != ANY_STATUS:
        where.append("AND c.status = %s")
        params.append(filters.status)
    order, after = _ORDERS[filters.sort]
    if cursor:
        at, pk = _cursor_decode(cursor, filters.sort)
        where.append(after)
        value = connection.ops.adapt_datetimefield_value(at)
        params += [value, value, pk]
    params.append(limit)
    with connection.cursor() as cur:
        cur.execute(_LIST_SQL.format(where=" ".join(where), unread=_unread_sql(), order=order), params)
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
        # An @mention of the person asking not yet opened (the conversation's page marks it read).
        c.mentioned = bool(values[20])  # type: ignore[attr-defined]
        # The channel of the newest message either way, notes aside: what the row and the composer show.
        c.last_channel = values[21] or c.channel  # type: ignore[attr-defined]
        out.append(c)
    return out


def inbox_page(*, store: Store, user: Any, filters: InboxFilters, cursor: str = "", size: int = PAGE_SIZE) -> InboxPage:
    search = _search(store, filters.q) if filters.q else None
    items = _conversations(store, user, filters, cursor, size + 1, search)
    forgiving = _search(store, filters.q, typos=True) if search is not None and not items else None
    if forgiving is not None:  # nothing holds every word as typed: a word may be a typo of a customer's name
        search = forgiving
        items = _conversations(store, user, filters, cursor, size + 1, search)
    more = len(items) > size
    items = items[:size]
    target = inbox_settings(store).response_target_minutes
    now = clock.now()
    rows = [inbox_row(store, c, target, now) for c in items]
    if search is not None and search.terms and rows:  # one statement more, for the page
        found = _matches(items, search.terms)
        for row in rows:
            row.match = found.get(row.conversation.pk)
    elsewhere = []
    if search is not None and not items and not cursor and filters.status != ANY_STATUS:
        elsewhere = _found_elsewhere(store, user, filters, search)
    return InboxPage(
        rows=rows, next_cursor=_cursor_encode(items[-1], filters.sort) if more and items else None, elsewhere=elsewhere
    )


def _matches(items: list[Conversation], terms: tuple[_Term, ...]) -> dict[int, Match]:
    """Each searched row's reason: its newest message holding the most of the words (one statement
    for the page), with them marked; and whether its customer's name or phone holds the others."""
    words = [term.text for term in terms]
    found = matched_messages([c.pk for c in items], words)
    out, left = {}, {}
    for c in items:
        message_id, direction, body = found.get(c.pk, (None, "", ""))
        held = set(words_held(body, words)) if message_id else set()
        text, marks = excerpt(body, marks_in(body, words)) if message_id else ("", ())
        left[c.pk] = [t for t in terms if t.text not in held]
        out[c.pk] = Match(message_id, direction, text, marks, _customer_holds(c, left[c.pk]))
    # A word no message nor the customer's name holds may be in their email (goldberg.zoe@...): one
    # statement more, for the page's rows that still need it.
    unsaid = {
        c.customer.pk: c.pk
        for c in items
        if c.customer is not None and not out[c.pk].customer and any(not t.phone for t in left[c.pk])
    }
    if unsaid:
        emails: dict[int, list[str]] = {}
        for customer_id, address in CustomerEmail.objects.filter(customer_id__in=unsaid).values_list(
            "customer_id", "address"
        ):
            emails.setdefault(customer_id, []).append(fold(address))
        for customer_id, conversation_id in unsaid.items():
            held_by_email = any(
                a in address
                for t in left[conversation_id]
                if not t.phone
                for a in t.about
                for address in emails.get(customer_id, [])
            )
            if held_by_email:
                out[conversation_id] = replace(out[conversation_id], customer="email")
    return out


def _customer_holds(conversation: Conversation, terms: list[_Term]) -> str:
    """ "name" when the customer's name holds one of ``terms`` (or is a typo of one), "phone" for a
    phone searched, "" otherwise (their email, told apart in ``_matches``, or nothing we can tell)."""
    customer = conversation.customer
    if customer is None or not terms:
        return ""
    name = fold(" ".join(filter(None, (customer.first_name, customer.last_name, customer.preferred_name))))
    if any(customer.pk in t.customer_ids or any(a in name for a in t.about) for t in terms if not t.phone):
        return "name"
    return "phone" if any(t.phone for t in terms) else ""


_ELSEWHERE_SQL = """
SELECT c.status, COUNT(*)
  FROM messaging_conversation c
  LEFT JOIN customers_customer cu ON cu.id = c.customer_id
 WHERE c.store_id = %s AND c.status <> %s {where}
 GROUP BY c.status
"""


def _found_elsewhere(store: Store, user: Any, filters: InboxFilters, search: _Search) -> list[tuple[str, int]]:
    """What the search finds with the same view and channel in the other statuses (one statement)."""
    where, params = _where(user, filters, search)
    with connection.cursor() as cur:
        cur.execute(_ELSEWHERE_SQL.format(where=" ".join(where)), [store.pk, filters.status, *params])
        counts = dict(cur.fetchall())
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


def inbox_counts(*, store: Store, user: Any, filters: InboxFilters) -> dict[str, int]:
    """The tabs' counts: the conversations each tab lists in the chosen status (every status for "Any
    status") and channel (with a customer waiting, in the waiting order), the search aside (one statement; ADR 0010). A search does not narrow them:
    counting every match would read every conversation the search holds, where the list stops at its
    first page; the page shows no counts while it searches rather than counts that are not the matches."""
    rows = Conversation.objects.filter(store=store)
    if filters.status != ANY_STATUS:
        rows = rows.filter(status=filters.status)
    if filters.channel:
        rows = rows.filter(channel=filters.channel)
    if filters.sort == WAITING:
        rows = rows.filter(status__in=WAITING_STATUSES, awaiting_since__isnull=False)
    return rows.aggregate(
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
