"""CSV export of a filtered customer list or a segment: streamed, safe in a spreadsheet, audited.

Rows are read by keyset in chunks (never an OFFSET, never the whole list), each chunk with
its phones, emails, interests and consent in four more queries, and written as it is read,
so memory stays flat at a million rows. The audit entry is written and committed before the
first byte is sent, with the filters and the number of rows the export holds; when the
stream ends it records how many rows went out and whether it finished, so an interrupted
download is still in the log (as not finished).
"""

from __future__ import annotations

import csv
import io
from collections import defaultdict
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass
from typing import Any

from asgiref.sync import sync_to_async
from django.core.handlers.asgi import ASGIRequest
from django.db.models import QuerySet
from django.http import StreamingHttpResponse
from django.utils import timezone
from django_scopes import scope

from trunkshow.core.audit import audit_log
from trunkshow.core.models import AuditEntry
from trunkshow.customers.filtering import RELEVANCE, SORTS, CustomerFilter, Sort, _beyond, customers_filtered
from trunkshow.customers.models import (
    Channel,
    ConsentPurpose,
    CurrentConsent,
    Customer,
    CustomerEmail,
    CustomerPhone,
    Interest,
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
    "Interests",
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

_FIELDS = (
    "id",
    "first_name",
    "last_name",
    "preferred_name",
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
)


def neutralise(value: str) -> str:
    """A cell a spreadsheet would run as a formula gets a leading apostrophe (shown as text)."""
    return "'" + value if value.startswith(FORMULA_STARTS) else value


def _month_day(day: int | None, month: int | None, year: int | None) -> str:
    if not day or not month:
        return ""
    return f"{year:04d}-{month:02d}-{day:02d}" if year else f"{month:02d}-{day:02d}"


@dataclass
class Export:
    """What a view streams: the file name, the rows it will hold, and the CSV text in pieces."""

    entry: AuditEntry
    filename: str
    row_count: int
    store: Store
    filters: CustomerFilter
    segment: Segment | None

    def _queryset(self) -> QuerySet[Customer]:
        return customers_filtered(store=self.store, filters=self.filters)

    def chunks(self) -> Iterator[str]:
        """The file as text pieces (a chunk of rows each), read inside the store's scope."""
        written, finished = 0, False
        try:
            yield BOM + _csv_line(COLUMNS)
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
        event loop is never blocked and Django never gathers the whole stream into a list."""
        written, finished = 0, False
        try:
            yield BOM + _csv_line(COLUMNS)
            state = _Reader(self)
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
    """Reads the export's rows chunk by chunk, by keyset on the list's order."""

    def __init__(self, export: Export) -> None:
        self.export = export
        self.store = export.store
        sort_name = export.filters.effective_sort
        self.sort: Sort = SORTS["name" if sort_name == RELEVANCE else sort_name]
        self.position: tuple[Any, int] | None = None
        self.done = False
        with scope(store=self.store):
            self.staff = {
                m.user_id: str(m.user) for m in Membership.objects.filter(store=self.store).select_related("user")
            }
        self.sources = dict(Source.choices)

    def next_piece(self) -> tuple[str, int] | None:
        if self.done:
            return None
        with scope(store=self.store):
            qs = self.export._queryset().order_by(*self.sort.order_by())
            if self.position is not None:
                qs = qs.filter(_beyond(self.sort, *self.position))
            rows = list(qs.values(*_FIELDS)[:CHUNK])
            if len(rows) < CHUNK:
                self.done = True
            if not rows:
                return None
            last = rows[-1]
            self.position = (last[self.sort.column], last["id"])
            return self._write(rows), len(rows)

    def _write(self, rows: list[dict[str, Any]]) -> str:
        ids = [row["id"] for row in rows]
        phones: dict[int, list[str]] = defaultdict(list)
        for cid, number in (
            CustomerPhone.objects.filter(customer_id__in=ids)
            .order_by("customer_id", "-is_primary", "id")
            .values_list("customer_id", "e164")
        ):
            phones[cid].append(number)
        emails: dict[int, list[str]] = defaultdict(list)
        for cid, address in (
            CustomerEmail.objects.filter(customer_id__in=ids)
            .order_by("customer_id", "-is_primary", "id")
            .values_list("customer_id", "address")
        ):
            emails[cid].append(address)
        interests: dict[int, list[str]] = defaultdict(list)
        for cid, kind, value in (
            Interest.objects.filter(customer_id__in=ids)
            .order_by("customer_id", "kind", "value_key")
            .values_list("customer_id", "kind", "value")
        ):
            interests[cid].append(f"{kind}: {value}")
        consent: dict[tuple[int, str], bool] = {
            (cid, channel): granted
            for cid, channel, granted in CurrentConsent.objects.filter(
                customer_id__in=ids, purpose=ConsentPurpose.MARKETING
            ).values_list("customer_id", "channel", "granted")
        }
        tz = self.store.tz
        currency = self.store.currency
        buffer = io.StringIO()
        writer = csv.writer(buffer, lineterminator="\r\n")
        for row in rows:
            cid = row["id"]
            if row["partner_id"]:
                first = row["partner__preferred_name"] or row["partner__first_name"]
                partner = " ".join(p for p in (first, row["partner__last_name"]) if p)
                partner_birthday = _month_day(
                    row["partner__birthday_day"], row["partner__birthday_month"], row["partner__birthday_year"]
                )
            else:
                partner = row["partner_name"]
                partner_birthday = _month_day(
                    row["partner_birthday_day"], row["partner_birthday_month"], row["partner_birthday_year"]
                )
            states = []
            for channel in (Channel.SMS, Channel.EMAIL, Channel.WHATSAPP):
                granted = consent.get((cid, channel))
                states.append("" if granted is None else "granted" if granted else "withdrawn")
            contact = row["last_contact_at"]
            values = [
                str(cid),
                row["first_name"],
                row["last_name"],
                row["preferred_name"],
                "; ".join(emails.get(cid, ())),
                "; ".join(phones.get(cid, ())),
                row["address_line1"],
                row["address_line2"],
                row["city"],
                row["region"],
                row["postal_code"],
                row["country"],
                _month_day(row["birthday_day"], row["birthday_month"], row["birthday_year"]),
                partner,
                partner_birthday,
                "; ".join(interests.get(cid, ())),
                str(self.sources.get(row["source"], row["source"])),
                self.staff.get(row["assigned_associate_id"], "") if row["assigned_associate_id"] else "",
                f"{row['lifetime_spend']:.2f}",
                currency,
                str(row["purchase_count"]),
                row["last_purchase_on"].isoformat() if row["last_purchase_on"] else "",
                contact.astimezone(tz).strftime("%Y-%m-%d %H:%M") if contact else "",
                *states,
                row["created_at"].astimezone(tz).strftime("%Y-%m-%d"),
            ]
            writer.writerow([neutralise(value) for value in values])
        return buffer.getvalue()


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
    row_count = customers_filtered(store=store, filters=filters).count()
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
    stamp = timezone.now().astimezone(store.tz).strftime("%Y-%m-%d-%H%M")
    filename = f"customers-{store.slug}-{stamp}.csv"
    return Export(entry, filename, row_count, store, filters, segment)


def export_response(request: Any, export: Export) -> StreamingHttpResponse:
    """The stream as a download: an async iterator under ASGI (Django would otherwise gather a
    sync one into a list first), a sync one under WSGI."""
    content = export.achunks() if isinstance(request, ASGIRequest) else export.chunks()
    response = StreamingHttpResponse(content, content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{export.filename}"'
    response["X-Row-Count"] = str(export.row_count)
    response["Cache-Control"] = "no-store"
    return response
