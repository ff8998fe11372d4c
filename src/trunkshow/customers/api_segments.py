"""API: saved segments under /api/v1/segments, their customers and their CSV export.

Everyone on the staff may list, read and create segments; owners and managers change and
delete them; only they export. Another store's segment id is a 404.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.http import HttpRequest, HttpResponseBase
from django.utils import timezone
from ninja import Field, Query, Router, Schema, Status
from pydantic import ConfigDict

from trunkshow.core.access import client_ip
from trunkshow.core.api import ERRORS, ApiError, refuse_unknown_parameters
from trunkshow.customers import segments as seg
from trunkshow.customers.coming import rows_coming
from trunkshow.customers.exporting import customers_export, export_response
from trunkshow.customers.filtering import BadCursor, customers_walked, page_in_order
from trunkshow.customers.models import Segment
from trunkshow.customers.schemas import CustomerPage, PageParams, customer_summary_out
from trunkshow.customers.selectors import customers_with_contacts
from trunkshow.stores import roles
from trunkshow.stores.models import Membership

router = Router(tags=["segments"])


class SegmentIn(Schema):
    model_config = ConfigDict(extra="forbid")

    name: str = Field(..., description="Unique in the store (case does not count).")
    filters: dict[str, Any] = Field(
        default_factory=dict,
        description='The customer list\'s parameters, e.g. {"interest": ["stone:sapphire"], "date": "birthday", "within": "30"}.',
    )


class SegmentPatch(Schema):
    model_config = ConfigDict(extra="forbid")

    name: str | None = None
    filters: dict[str, Any] | None = None


class SegmentOut(Schema):
    id: int
    name: str
    filters: dict[str, Any]
    customer_count: int
    created_at: dt.datetime
    updated_at: dt.datetime


class SegmentList(Schema):
    items: list[SegmentOut]


def _who(request: HttpRequest) -> Membership:
    membership: Membership = request.auth  # type: ignore[attr-defined]
    return membership


def _segment(request: HttpRequest, segment_id: int) -> Segment:
    return seg.segment_get_for(store=_who(request).store, segment_id=segment_id)


def _out(segment: Segment, count: int) -> SegmentOut:
    return SegmentOut(
        id=segment.pk,
        name=segment.name,
        filters=segment.filters,
        customer_count=count,
        created_at=segment.created_at,
        updated_at=segment.updated_at,
    )


def _counted(request: HttpRequest, segment: Segment) -> SegmentOut:
    count = seg.segment_customers(store=_who(request).store, segment=segment).count()
    return _out(segment, count)


@router.get("", response={200: SegmentList, **ERRORS}, summary="List segments")
def segment_list(request: HttpRequest) -> SegmentList:
    """Every segment of the store by name, each with how many customers it holds now."""
    refuse_unknown_parameters(request, Schema)
    store = _who(request).store
    segments = list(seg.segment_list(store=store))
    counts = seg.segment_counts(store=store, segments=segments)
    return SegmentList(items=[_out(s, counts[s.pk]) for s in segments])


@router.post("", response={201: SegmentOut, **ERRORS}, summary="Save a segment")
def segment_create(request: HttpRequest, payload: SegmentIn) -> Status[SegmentOut]:
    """A bad filter is answered under ``filters.<name>``; a name in use under ``name``."""
    who = _who(request)
    roles.require(who, "segments.create")
    segment = seg.segment_create(store=who.store, actor=who.user, name=payload.name, filters=payload.filters)
    return Status(201, _counted(request, segment))


@router.get("/{segment_id}", response={200: SegmentOut, **ERRORS}, summary="Read a segment")
def segment_read(request: HttpRequest, segment_id: int) -> SegmentOut:
    refuse_unknown_parameters(request, Schema)
    return _counted(request, _segment(request, segment_id))


@router.patch("/{segment_id}", response={200: SegmentOut, **ERRORS}, summary="Rename a segment or change its filters")
def segment_update(request: HttpRequest, segment_id: int, payload: SegmentPatch) -> SegmentOut:
    who, segment = _who(request), _segment(request, segment_id)
    roles.require(who, "segments.manage")
    seg.segment_update(store=who.store, actor=who.user, segment=segment, name=payload.name, filters=payload.filters)
    return _counted(request, segment)


@router.delete("/{segment_id}", response={204: None, **ERRORS}, summary="Delete a segment")
def segment_delete(request: HttpRequest, segment_id: int) -> Status[None]:
    """Only the saved filters go; no customer changes."""
    who, segment = _who(request), _segment(request, segment_id)
    roles.require(who, "segments.manage")
    seg.segment_delete(store=who.store, actor=who.user, segment=segment)
    return Status(204, None)


@router.get("/{segment_id}/customers", response={200: CustomerPage, **ERRORS}, summary="Customers in a segment")
def segment_customer_list(request: HttpRequest, segment_id: int, params: Query[PageParams]) -> CustomerPage:
    """The segment's customers now, in its order, cursor-paged like the customer list."""
    refuse_unknown_parameters(request, PageParams)
    store, segment = _who(request).store, _segment(request, segment_id)
    filters = seg.segment_filter(store=store, segment=segment)
    now = timezone.now()  # one moment for the window, the order and each row's dates
    found = customers_with_contacts(seg.segment_customers(store=store, segment=segment, now=now))
    walked = customers_walked(store=store, filters=filters, now=now)
    walk = customers_with_contacts(walked) if walked is not None else None
    try:
        page = page_in_order(found, filters=filters, cursor=params.cursor, limit=params.limit, walk=walk, store=store)
    except BadCursor:
        raise ApiError(400, "invalid_cursor", "The cursor is not one this API gave out.") from None
    dated = rows_coming(store=store, filters=filters, rows=page.rows, now=now)
    return CustomerPage(
        items=[
            customer_summary_out(c, currency=store.currency, coming=None if dated is None else dated.get(c.pk, []))
            for c in page.rows
        ],
        next_cursor=page.next_cursor,
    )


@router.get(
    "/{segment_id}/export",
    response={200: None, **ERRORS},
    summary="Export a segment as CSV",
    openapi_extra={"responses": {200: {"description": "CSV (UTF-8 with BOM)", "content": {"text/csv": {}}}}},
)
def segment_export(request: HttpRequest, segment_id: int) -> HttpResponseBase:
    """Owners and managers only; written to the audit log with the segment and its filters."""
    refuse_unknown_parameters(request, Schema)
    who, segment = _who(request), _segment(request, segment_id)
    roles.require(who, "customers.export")
    export = customers_export(
        store=who.store,
        actor=who.user,
        membership=who,
        filters=seg.segment_filter(store=who.store, segment=segment),
        segment=segment,
        ip=client_ip(request),
    )
    return export_response(request, export)
