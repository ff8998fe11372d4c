"""CSV export of a filtered customer list or a segment: streamed, safe in a spreadsheet, audited.

Rows are read by keyset in chunks (never an OFFSET, never the whole list), each chunk with
its phones, emails, interests, anniversaries, sizes and consent in six more queries, and written as
it is read, so memory stays flat at a million rows. The audit entry is written and committed before the
first byte is sent, with the filters and the number of rows the export holds; when the
stream ends it records how many rows went out and whether it finished, so an interrupted
download is still in the log (as not finished).
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
import unicodedata
from collections import defaultdict
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass
from typing import Any

from asgiref.sync import sync_to_async
from django.core.handlers.asgi import ASGIRequest
from django.db import connection
from django.db.models import QuerySet
from django.http import StreamingHttpResponse
from django.utils import timezone
from django.utils.text import slugify
from django_scopes import scope

from trunkshow.core.audit import audit_log
from trunkshow.core.models import AuditEntry
from trunkshow.customers.coming import ComingDate, rows_coming
from trunkshow.customers.filtering import (
    RELEVANCE,
    SOONEST,
    SORTS,
    CustomerFilter,
    Sort,
    customers_filtered,
    ranked_after,
    rows_beyond,
)
from trunkshow.customers.models import (
    Channel,
    Customer,
    Segment,
    Source,
)
from trunkshow.stores import roles
from trunkshow.stores.models import Membership, Store

CHUNK = 1000
BOM = "\ufeff"
# A cell starting with one of these is a formula to a spreadsheet (OWASP "CSV injection").
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")

COLUMNS = (
    "Customer ID",
    "First name",
    "Last name",
    "Preferred name",
    "Title",
    "Emails",
    "Phones",
    "Address line 1",
    "Address line 2",
    "City",
    "Region",
    "Postal code",
    "Country",
    "Birthday",
    "Partner",
    "Partner's birthday",
    "Anniversary",
    "Interests",
    "Ring size",
    "Bracelet size",
    "Necklace length",
    "How we met",
    "Associate",
    "Lifetime spend",
    "Currency",
    "Purchases",
    "Last purchase",
    "Last contact",
    "Text marketing",
    "Email marketing",
    "WhatsApp marketing",
    "Added on",
)
# With a date filter, what it kept each customer for: the dates in its window, soonest first
# (ISO, as the other dates), and what each is ("Birthday; 25th anniversary").
COMING_COLUMNS = ("Coming dates", "Coming occasions")

_FIELDS = (
    "id",
    "first_name",
    "last_name",
    "preferred_name",
    "title",
    "address_line1",
    "address_line2",
    "city",
    "region",
    "postal_code",
    "country",
    "birthday_day",
    "birthday_month",
    "birthday_year",
    "partner_id",
    "partner_name",
    "partner_birthday_day",
    "partner_birthday_month",
    "partner_birthday_year",
    "partner__first_name",
    "partner__last_name",
    "partner__preferred_name",
    "partner__birthday_day",
    "partner__birthday_month",
    "partner__birthday_year",
    "source",
    "assigned_associate_id",
    "lifetime_spend",
    "purchase_count",
    "last_purchase_on",
    "last_contact_at",
    "created_at",
    "sort_name",
    "time_zone",
)

# The search's rank and the soonest date are annotations of a list, not columns (mypy's plugin cannot see them).
_RANKED_FIELDS: tuple[str, ...] = (*_FIELDS, "search_rank")
_SOONEST_FIELDS: tuple[str, ...] = (*_FIELDS, SORTS[SOONEST].column)


def neutralise(value: str) -> str:
    """A cell a spreadsheet would run as a formula gets a leading apostrophe (shown as text)."""
    return _safe(value)


def _month_day(day: int | None, month: int | None, year: int | None) -> str:
    if not day or not month:
        return ""
    return f"{year:04d}-{month:02d}-{day:02d}" if year else f"{month:02d}-{day:02d}"


def partner_display(first_name: str, preferred_name: str, last_name: str) -> str:
    """How the export names a partner who is a customer: as they are called, then their last name."""
    return " ".join(p for p in (preferred_name or first_name, last_name) if p)


@dataclass
class Export:
    """What a view streams: the file name, the rows it will hold, and the CSV text in pieces."""

    entry: AuditEntry
    filename: str
    row_count: int
    store: Store
    filters: CustomerFilter
    segment: Segment | None
    now: dt.datetime  # one moment for the whole file: its count, its window, its order, its dates

    @property
    def columns(self) -> tuple[str, ...]:
        return (*COLUMNS, *COMING_COLUMNS) if self.filters.date else COLUMNS

    def _queryset(self) -> QuerySet[Customer]:
        return customers_filtered(store=self.store, filters=self.filters, now=self.now)

    def chunks(self) -> Iterator[str]:
        """The file as text pieces (a chunk of rows each), read inside the store's scope."""
        written, finished = 0, False
        try:
            yield BOM + _csv_line(self.columns)
            state = _Reader(self)
            while True:
                piece = state.next_piece()
                if piece is None:
                    break
                text, count = piece
                written += count
                yield text
            finished = True
        finally:
            _record_end(self.entry, written, finished)

    async def achunks(self) -> AsyncIterator[str]:
        """The same pieces for an ASGI server: each chunk is read in the sync thread, so the
        event loop is never blocked and Django never gathers the whole stream into a list.

        Everything that touches the database runs through ``sync_to_async``, the reader's
        constructor included (it reads the store's staff): the ORM refuses to run in the event
        loop, and a refusal here cut every download off after its header."""
        written, finished = 0, False
        try:
            yield BOM + _csv_line(self.columns)
            state = await sync_to_async(_Reader, thread_sensitive=True)(self)
            step = sync_to_async(state.next_piece, thread_sensitive=True)
            while True:
                piece = await step()
                if piece is None:
                    break
                text, count = piece
                written += count
                yield text
            finished = True
        finally:
            await sync_to_async(_record_end, thread_sensitive=True)(self.entry, written, finished)


def _record_end(entry: AuditEntry, written: int, finished: bool) -> None:
    data = {**entry.data, "rows_written": written, "finished": finished}
    AuditEntry.objects.with_scopes_disabled().filter(pk=entry.pk).update(data=data)


def _csv_line(values: Any) -> str:
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\r\n").writerow([neutralise(str(v)) for v in values])
    return buffer.getvalue()


class _Reader:
    """Reads the export's rows chunk by chunk, by keyset on the list's order.

    A searched list without a chosen sort is in the search's ranking, and so is its export:
    keyset on (search_rank, sort_name, id), exactly as the list pages it: every match, the best
    search.CANDIDATES by their rank and the others after them by name (ADR 0003, "every match")."""

    def __init__(self, export: Export) -> None:
        self.export = export
        self.store = export.store
        sort_name = export.filters.effective_sort
        self.ranked = sort_name == RELEVANCE
        self.sort: Sort = SORTS["name" if sort_name == RELEVANCE else sort_name]
        self.position: tuple[Any, ...] | None = None
        self.done = False
        with scope(store=self.store):
            self.staff = {
                m.user_id: str(m.user) for m in Membership.objects.filter(store=self.store).select_related("user")
            }
        self.sources = {value: str(label) for value, label in Source.choices}

    def next_piece(self) -> tuple[str, int] | None:
        if self.done:
            return None
        with scope(store=self.store):
            found: QuerySet[Any] = self.export._queryset()
            if self.ranked and "search_rank" in found.query.annotations:
                qs = found.order_by("search_rank", "sort_name", "id").values(*_RANKED_FIELDS)
                if self.position is not None:
                    qs = qs.filter(ranked_after(*self.position))
                rows = list(qs[:CHUNK])
            else:
                fields = _SOONEST_FIELDS if self.sort.name == SOONEST else _FIELDS
                qs = found.order_by(*self.sort.order_by()).values(*fields)
                if self.position is None:
                    rows = list(qs[:CHUNK])
                else:
                    value, pk = self.position
                    rows = rows_beyond(qs, self.sort, value, pk, CHUNK)
            if len(rows) < CHUNK:
                self.done = True
            if not rows:
                return None
            last = rows[-1]
            if "search_rank" in last:
                self.position = (last["search_rank"], last["sort_name"], last["id"])
            else:
                self.position = (last[self.sort.column], last["id"])
            return self._write(rows), len(rows)

    def _children(self, sql: str, ids: list[int]) -> list[tuple[Any, ...]]:
        """Rows of a child table for this chunk's customers. Plain SQL: building a thousand-value
        ``__in`` lookup through the ORM six times a chunk cost more than the queries themselves.
        The ids come from the scoped query above, so no other store's rows can be read."""
        marks = ", ".join(["%s"] * len(ids))
        with connection.cursor() as cursor:
            cursor.execute(sql.format(marks=marks), ids)
            return list(cursor.fetchall())

    def _write(self, rows: list[dict[str, Any]]) -> str:
        ids = [row["id"] for row in rows]
        phones: dict[int, list[str]] = defaultdict(list)
        for cid, number in self._children(
            "SELECT customer_id, e164 FROM customers_customerphone WHERE customer_id IN ({marks}) "
            "ORDER BY customer_id, is_primary DESC, id",
            ids,
        ):
            phones[cid].append(number)
        emails: dict[int, list[str]] = defaultdict(list)
        for cid, address in self._children(
            "SELECT customer_id, address FROM customers_customeremail WHERE customer_id IN ({marks}) "
            "ORDER BY customer_id, is_primary DESC, id",
            ids,
        ):
            emails[cid].append(address)
        interests: dict[int, list[str]] = defaultdict(list)
        for cid, kind, value in self._children(
            "SELECT customer_id, kind, value FROM customers_interest WHERE customer_id IN ({marks}) "
            "ORDER BY customer_id, kind, value_key",
            ids,
        ):
            interests[cid].append(f"{kind}: {value}")
        anniversaries: dict[int, list[str]] = defaultdict(list)
        for cid, day, month, year in self._children(
            "SELECT customer_id, day, month, year FROM customers_importantdate "
            "WHERE kind = 'anniversary' AND customer_id IN ({marks}) ORDER BY customer_id, month, day, id",
            ids,
        ):
            anniversaries[cid].append(_month_day(day, month, year))
        # Each with its system or unit ("US 6.5; UK N½", "18 cm"), which the import reads back
        # whatever the store's.
        sizes: dict[tuple[int, str], list[str]] = defaultdict(list)
        for cid, kind, system, value in self._children(
            "SELECT customer_id, kind, system, value FROM customers_size "
            "WHERE customer_id IN ({marks}) ORDER BY customer_id, kind, system, id",
            ids,
        ):
            sizes[(cid, kind)].append(f"{system} {value}" if kind == "ring" else f"{value} {system}")
        consent: dict[tuple[int, str], bool] = {
            (cid, channel): bool(granted)
            for cid, channel, granted in self._children(
                "SELECT customer_id, channel, granted FROM customers_currentconsent "
                "WHERE purpose = 'marketing' AND customer_id IN ({marks})",
                ids,
            )
        }
        dated = rows_coming(store=self.store, filters=self.export.filters, rows=rows, now=self.export.now)
        tz, currency, sources, staff = self.store.tz, self.store.currency, self.sources, self.staff
        channels = (Channel.SMS.value, Channel.EMAIL.value, Channel.WHATSAPP.value)
        buffer = io.StringIO()
        writer = csv.writer(buffer, lineterminator="\r\n")
        for row in rows:
            cid = row["id"]
            if row["partner_id"]:
                partner = partner_display(
                    row["partner__first_name"], row["partner__preferred_name"], row["partner__last_name"]
                )
                partner_birthday = _month_day(
                    row["partner__birthday_day"], row["partner__birthday_month"], row["partner__birthday_year"]
                )
            else:
                partner = row["partner_name"]
                partner_birthday = _month_day(
                    row["partner_birthday_day"], row["partner_birthday_month"], row["partner_birthday_year"]
                )
            states = []
            for channel in channels:
                granted = consent.get((cid, channel))
                states.append("" if granted is None else "granted" if granted else "withdrawn")
            contact = row["last_contact_at"]
            associate = row["assigned_associate_id"]
            last_purchase = row["last_purchase_on"]
            # Free text anyone could have typed is neutralised; ids, amounts, dates and states are
            # ours and never start with a formula character.
            writer.writerow(
                (
                    cid,
                    _safe(row["first_name"]),
                    _safe(row["last_name"]),
                    _safe(row["preferred_name"]),
                    _safe(row["title"]),
                    _safe("; ".join(emails.get(cid, ()))),
                    _safe("; ".join(phones.get(cid, ()))),
                    _safe(row["address_line1"]),
                    _safe(row["address_line2"]),
                    _safe(row["city"]),
                    _safe(row["region"]),
                    _safe(row["postal_code"]),
                    _safe(row["country"]),
                    _month_day(row["birthday_day"], row["birthday_month"], row["birthday_year"]),
                    _safe(partner),
                    partner_birthday,
                    "; ".join(anniversaries.get(cid, ())),
                    _safe("; ".join(interests.get(cid, ()))),
                    "; ".join(sizes.get((cid, "ring"), ())),
                    "; ".join(sizes.get((cid, "bracelet"), ())),
                    "; ".join(sizes.get((cid, "necklace"), ())),
                    sources.get(row["source"], row["source"]),
                    _safe(staff.get(associate, "")) if associate else "",
                    f"{row['lifetime_spend']:.2f}",
                    currency,
                    row["purchase_count"],
                    last_purchase.isoformat() if last_purchase else "",
                    contact.astimezone(tz).isoformat(sep=" ", timespec="minutes")[:16] if contact else "",
                    *states,
                    row["created_at"].astimezone(tz).date().isoformat(),
                    *(() if dated is None else _coming_cells(dated.get(cid, []))),
                )
            )
        return buffer.getvalue()


def _coming_cells(dates: list[ComingDate]) -> tuple[str, str]:
    return "; ".join(d.on.isoformat() for d in dates), _safe("; ".join(d.occasion for d in dates))


def _safe(value: str) -> str:
    """The cell as text a spreadsheet never runs: an apostrophe before a formula's first character,
    looked for past what a spreadsheet may skip before it: spaces of any kind and invisible format
    characters ("\ufeff=1+1", "\u00a0=1+1"). Called for every cell of an export: a first
    character that is a letter or digit, as nearly every cell's is, answers at once."""
    if not value or value[0].isalnum():
        return value
    for char in value:
        if char in FORMULA_STARTS:
            return "'" + value
        if not (char.isspace() or unicodedata.category(char) in ("Cf", "Zs")):
            break
    return value


def customers_export(
    *,
    store: Store,
    actor: Any,
    membership: Membership | None,
    filters: CustomerFilter,
    segment: Segment | None = None,
    ip: str | None = None,
) -> Export:
    """Check the right, count the rows and log the export (committed now), then hand back the stream.

    Only owners and managers may export: an export is the whole customer book leaving the shop.
    """
    roles.require(membership, "customers.export")
    now = timezone.now()
    row_count = customers_filtered(store=store, filters=filters, now=now).count()
    entry = audit_log(
        store=store,
        action="trunkshow.customer.exported",
        actor=actor,
        obj=segment,
        data={
            "filters": filters.params(),
            "segment": segment.name if segment is not None else None,
            "rows": row_count,
            "rows_written": 0,
            "finished": False,
        },
        ip=ip,
    )
    stamp = now.astimezone(store.tz).strftime("%Y-%m-%d-%H%M")
    # A segment's export is named for it ("customers-demo-birthdays-in-the-next-30-days-…"), in
    # the letters a file name in a header may hold; a name without any is the segment's number.
    named = (
        ""
        if segment is None
        else (slugify(re.sub(r"[\W_]+", " ", segment.name))[:60].strip("-") or f"segment-{segment.pk}")
    )
    filename = f"customers-{store.slug}-{named + '-' if named else ''}{stamp}.csv"
    return Export(entry, filename, row_count, store, filters, segment, now)


def export_response(request: Any, export: Export) -> StreamingHttpResponse:
    """The stream as a download: an async iterator under ASGI (Django would otherwise gather a
    sync one into a list first), a sync one under WSGI."""
    content = export.achunks() if isinstance(request, ASGIRequest) else export.chunks()
    response = StreamingHttpResponse(content, content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{export.filename}"'
    response["X-Row-Count"] = str(export.row_count)
    response["Cache-Control"] = "no-store"
    return response
