"""API: customers and everything on their profile, under /api/v1/customers.

Each handler parses with an input schema, fetches through a ``*_get_for`` selector (another
store's id is a 404 like an id that never existed), calls one service and returns an output
schema. Errors use the envelope of ``core.api``.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.http import Http404, HttpRequest, HttpResponseBase
from django.utils import timezone
from ninja import Query, Router, Schema, Status

from trunkshow.core.access import client_ip
from trunkshow.core.api import ERRORS, ApiError, paginate, refuse_unknown_parameters
from trunkshow.customers import coming, filtering, search, services
from trunkshow.customers.exporting import customers_export, export_response
from trunkshow.customers.filtering import (
    BadCursor,
    customers_filtered,
    customers_walked,
    filters_parse,
    page_in_order,
)
from trunkshow.customers.models import (
    Customer,
    CustomerEmail,
    CustomerPhone,
    ImportantDate,
    Interest,
    Note,
    Purchase,
    Size,
)
from trunkshow.customers.schemas import (
    SUMMARY_COLUMNS,
    ConsentEventOut,
    ConsentEventPage,
    ConsentIn,
    CountOut,
    CustomerCreateIn,
    CustomerFilters,
    CustomerListParams,
    CustomerOut,
    CustomerPage,
    CustomerUpdateIn,
    DuplicateOut,
    EmailIn,
    EmailOut,
    ImportantDateIn,
    ImportantDateList,
    ImportantDateOut,
    InterestIn,
    InterestList,
    InterestOut,
    NoteIn,
    NoteOut,
    NotePage,
    PageParams,
    PhoneIn,
    PhoneOut,
    PurchaseIn,
    PurchaseOut,
    PurchasePage,
    SizeIn,
    SizeList,
    SizeOut,
    Timeline,
    TimelineParams,
    coming_date_out,
    consent_event_out,
    create_field_name,
    customer_out,
    customer_summary_row,
    duplicate_out,
    email_out,
    fields_named,
    important_date_out,
    interest_out,
    note_out,
    phone_out,
    purchase_out,
    size_out,
    timeline_entry_out,
)
from trunkshow.customers.selectors import (
    consent_ledger,
    customer_get_for,
    customer_merged_into,
    customer_notes,
    customer_purchases,
    customer_summaries,
    related_get_for,
)
from trunkshow.customers.timeline import customer_timeline
from trunkshow.stores import roles
from trunkshow.stores.models import Membership

router = Router(tags=["customers"])


def _who(request: HttpRequest) -> Membership:
    """The token's membership: StoreBearer has already answered 401 when there is none."""
    membership: Membership = request.auth  # type: ignore[attr-defined]
    return membership


def customer_for_api(store: Any, customer_id: Any, *, include_erased: bool = False) -> Customer:
    """``customer_get_for``, and for a record merged into another of this store a 404 that names
    the one that stayed, as the profile's old link leads there (another store's id: a plain 404)."""
    try:
        return customer_get_for(store=store, customer_id=customer_id, include_erased=include_erased)
    except Http404:
        survivor = customer_merged_into(store=store, customer_id=customer_id)
        if survivor is None:
            raise
        raise ApiError(
            404,
            "merged",
            f"Customer no. {customer_id} was merged into customer no. {survivor.pk} ({survivor.display_name}); "
            "use that id.",
        ) from None


def _customer(request: HttpRequest, customer_id: int) -> Customer:
    return customer_for_api(_who(request).store, customer_id)


# ---- customers ----------------------------------------------------------------------------


def _columns(checked: Any) -> tuple[str, ...]:
    dated = coming.ROW_FIELDS if checked.date else ()
    return tuple(dict.fromkeys((*SUMMARY_COLUMNS, *checked.key_columns(), *dated)))


def _summaries(store: Any, checked: Any, rows: list[dict[str, Any]], now: dt.datetime) -> list[dict[str, Any]]:
    """The page's rows, with their coming dates when a date filter is set."""
    items = [customer_summary_row(r, currency=store.currency, phone_region=store.phone_region) for r in rows]
    found = coming.rows_coming(store=store, filters=checked, rows=rows, now=now)
    if found is not None:
        for item in items:
            item["coming_dates"] = [coming_date_out(d) for d in found.get(item["id"], [])]
    return items


@router.get("", response={200: CustomerPage, **ERRORS}, summary="Find customers")
def customer_list(request: HttpRequest, filters: Query[CustomerListParams]) -> dict[str, Any]:
    """By name (accents optional), phone in any format or email, narrowed by the list's filters,
    in the chosen order (best match first when searching, else by name); cursor-paged. A search
    lists every match: when more match than it ranks (300), the best 300 come first and the others
    follow by name (the count says how many match)."""
    refuse_unknown_parameters(request, CustomerListParams)
    store = _who(request).store
    checked = filters_parse(request.GET, store=store, allowed_extra=("cursor", "limit"))
    if checked.q and not checked.has_filters and checked.effective_sort == filtering.RELEVANCE:
        lean = _ranked_search_page(store, checked.q, cursor=filters.cursor, limit=filters.limit)
        if lean is not None:
            return lean
    now = timezone.now()  # one moment for the window, the order and each row's dates
    found = customers_filtered(store=store, filters=checked, now=now)
    walked = customers_walked(store=store, filters=checked, now=now)
    try:
        page = page_in_order(
            customer_summaries(found, _columns(checked)),
            filters=checked,
            cursor=filters.cursor,
            limit=filters.limit,
            walk=customer_summaries(walked, _columns(checked)) if walked is not None else None,
            store=store,
        )
    except BadCursor:
        raise ApiError(400, "invalid_cursor", "The cursor is not one this API gave out.") from None
    return {"items": _summaries(store, checked, page.rows, now), "next_cursor": page.next_cursor}


def _ranked_search_page(store: Any, q: str, *, cursor: str | None, limit: int) -> dict[str, Any] | None:
    """Only the search box: page the ranked matches directly, in the order and with the cursor
    the filtered path gives (the lean path that keeps the API near the bare query). None past
    the best search.CANDIDATES when more match: the filtered path pages on among every match."""
    try:
        after = filtering.ranked_position(cursor) if cursor else None
    except BadCursor:
        raise ApiError(400, "invalid_cursor", "The cursor is not one this API gave out.") from None
    found = search.page(store=store, q=q, after=after, limit=limit)
    if found is None:
        return None
    rows, last = found
    return {
        "items": [customer_summary_row(r, currency=store.currency, phone_region=store.phone_region) for r in rows],
        "next_cursor": filtering.ranked_cursor(last.rank, last.sort_name, last.id) if last else None,
    }


@router.get("/count", response={200: CountOut, **ERRORS}, summary="Count customers")
def customer_count(request: HttpRequest, filters: Query[CustomerFilters]) -> CountOut:
    """How many customers the same filters find (what the list page shows above the rows): every
    match of a search, however many, as the list and the export hold them."""
    refuse_unknown_parameters(request, CustomerFilters)
    store = _who(request).store
    checked = filters_parse(request.GET, store=store)
    return CountOut(count=customers_filtered(store=store, filters=checked).count())


@router.get(
    "/export",
    response={200: None, **ERRORS},
    summary="Export customers as CSV",
    openapi_extra={"responses": {200: {"description": "CSV (UTF-8 with BOM)", "content": {"text/csv": {}}}}},
)
def customer_export(request: HttpRequest, filters: Query[CustomerFilters]) -> HttpResponseBase:
    """The filtered list as a streamed CSV; owners and managers only; written to the audit log."""
    refuse_unknown_parameters(request, CustomerFilters)
    who = _who(request)
    roles.require(who, "customers.export")
    checked = filters_parse(request.GET, store=who.store)
    export = customers_export(store=who.store, actor=who.user, membership=who, filters=checked, ip=client_ip(request))
    return export_response(request, export)


@router.post("", response={201: CustomerOut, 409: DuplicateOut, **ERRORS}, summary="Add a customer")
def customer_create(request: HttpRequest, payload: CustomerCreateIn) -> Status[CustomerOut | DuplicateOut]:
    """A phone or email another customer already has answers 409 with their ids, unless allow_duplicate.
    A name alone is enough (a walk-in "just looking"). Without ``assigned_associate_id``, an associate's
    token makes them the customer's associate; an owner's or manager's leaves the customer unassigned."""
    who = _who(request)
    arguments = payload.service_arguments(request)
    if "assigned_associate_id" not in payload.model_fields_set:
        associate = services.customer_associate_default(membership=who)
        arguments["assigned_associate_id"] = getattr(associate, "pk", None)
    try:
        with fields_named(create_field_name):
            customer = services.customer_create(store=who.store, actor=who.user, **arguments)
    except services.DuplicateCustomer as exc:
        return Status(409, duplicate_out(exc.existing))
    return Status(201, customer_out(_customer(request, customer.pk), currency=who.store.currency))


@router.get("/{customer_id}", response={200: CustomerOut, **ERRORS}, summary="Read a customer")
def customer_read(request: HttpRequest, customer_id: int) -> CustomerOut:
    refuse_unknown_parameters(request, Schema)
    return customer_out(_customer(request, customer_id), currency=_who(request).store.currency)


@router.patch("/{customer_id}", response={200: CustomerOut, **ERRORS}, summary="Change a customer")
def customer_update(request: HttpRequest, customer_id: int, payload: CustomerUpdateIn) -> CustomerOut:
    """Only the fields sent change; null clears one."""
    who, customer = _who(request), _customer(request, customer_id)
    services.customer_update(store=who.store, actor=who.user, customer=customer, data=payload.profile())
    return customer_out(_customer(request, customer_id), currency=who.store.currency)


# ---- phones and emails --------------------------------------------------------------------


@router.post("/{customer_id}/phones", response={201: PhoneOut, **ERRORS}, summary="Add a phone")
def phone_add(request: HttpRequest, customer_id: int, payload: PhoneIn) -> Status[PhoneOut]:
    who, customer = _who(request), _customer(request, customer_id)
    with fields_named({"phone": "number"}):
        phone = services.customer_phone_add(
            store=who.store, actor=who.user, customer=customer, number=payload.number, label=payload.label
        )
    return Status(201, phone_out(phone))


@router.delete("/{customer_id}/phones/{phone_id}", response={204: None, **ERRORS}, summary="Remove a phone")
def phone_remove(request: HttpRequest, customer_id: int, phone_id: int) -> Status[None]:
    who, customer = _who(request), _customer(request, customer_id)
    phone = related_get_for(CustomerPhone, store=who.store, customer=customer, obj_id=phone_id)
    services.customer_phone_remove(store=who.store, actor=who.user, phone=phone)
    return Status(204, None)


@router.post("/{customer_id}/emails", response={201: EmailOut, **ERRORS}, summary="Add an email")
def email_add(request: HttpRequest, customer_id: int, payload: EmailIn) -> Status[EmailOut]:
    who, customer = _who(request), _customer(request, customer_id)
    with fields_named({"email": "address"}):
        email = services.customer_email_add(
            store=who.store, actor=who.user, customer=customer, address=payload.address, label=payload.label
        )
    return Status(201, email_out(email))


@router.delete("/{customer_id}/emails/{email_id}", response={204: None, **ERRORS}, summary="Remove an email")
def email_remove(request: HttpRequest, customer_id: int, email_id: int) -> Status[None]:
    who, customer = _who(request), _customer(request, customer_id)
    email = related_get_for(CustomerEmail, store=who.store, customer=customer, obj_id=email_id)
    services.customer_email_remove(store=who.store, actor=who.user, email=email)
    return Status(204, None)


# ---- notes --------------------------------------------------------------------------------


@router.get("/{customer_id}/notes", response={200: NotePage, **ERRORS}, summary="List notes, newest first")
def note_list(request: HttpRequest, customer_id: int, params: Query[PageParams]) -> NotePage:
    refuse_unknown_parameters(request, PageParams)
    rows, next_cursor = paginate(
        customer_notes(customer=_customer(request, customer_id)),
        cursor=params.cursor,
        limit=params.limit,
        keys=("-created_at", "-id"),
    )
    return NotePage(items=[note_out(n) for n in rows], next_cursor=next_cursor)


@router.post("/{customer_id}/notes", response={201: NoteOut, **ERRORS}, summary="Write a note")
def note_create(request: HttpRequest, customer_id: int, payload: NoteIn) -> Status[NoteOut]:
    who, customer = _who(request), _customer(request, customer_id)
    note = services.note_create(store=who.store, actor=who.user, customer=customer, body=payload.body)
    return Status(201, note_out(note))


@router.get("/{customer_id}/notes/{note_id}", response={200: NoteOut, **ERRORS}, summary="Read a note")
def note_read(request: HttpRequest, customer_id: int, note_id: int) -> NoteOut:
    refuse_unknown_parameters(request, Schema)
    who, customer = _who(request), _customer(request, customer_id)
    return note_out(related_get_for(Note, store=who.store, customer=customer, obj_id=note_id))


# ---- important dates, interests, sizes ----------------------------------------------------


@router.get("/{customer_id}/dates", response={200: ImportantDateList, **ERRORS}, summary="List important dates")
def important_date_list(request: HttpRequest, customer_id: int) -> ImportantDateList:
    refuse_unknown_parameters(request, Schema)
    customer = _customer(request, customer_id)
    return ImportantDateList(items=[important_date_out(d) for d in customer.important_dates.all()])


@router.post("/{customer_id}/dates", response={201: ImportantDateOut, **ERRORS}, summary="Add an important date")
def important_date_create(request: HttpRequest, customer_id: int, payload: ImportantDateIn) -> Status[ImportantDateOut]:
    who, customer = _who(request), _customer(request, customer_id)
    important = services.important_date_create(
        store=who.store, actor=who.user, customer=customer, **payload.model_dump()
    )
    return Status(201, important_date_out(important))


@router.delete("/{customer_id}/dates/{date_id}", response={204: None, **ERRORS}, summary="Remove an important date")
def important_date_delete(request: HttpRequest, customer_id: int, date_id: int) -> Status[None]:
    who, customer = _who(request), _customer(request, customer_id)
    important = related_get_for(ImportantDate, store=who.store, customer=customer, obj_id=date_id)
    services.important_date_delete(store=who.store, actor=who.user, important_date=important)
    return Status(204, None)


@router.get("/{customer_id}/interests", response={200: InterestList, **ERRORS}, summary="List interests")
def interest_list(request: HttpRequest, customer_id: int) -> InterestList:
    refuse_unknown_parameters(request, Schema)
    customer = _customer(request, customer_id)
    return InterestList(items=[interest_out(i) for i in customer.interests.all()])


@router.post("/{customer_id}/interests", response={201: InterestOut, **ERRORS}, summary="Add an interest")
def interest_add(request: HttpRequest, customer_id: int, payload: InterestIn) -> Status[InterestOut]:
    """Adding an interest the customer already has returns the one on file."""
    who, customer = _who(request), _customer(request, customer_id)
    with fields_named({"interest": "value"}):
        interest = services.interest_add(
            store=who.store, actor=who.user, customer=customer, kind=payload.kind, value=payload.value
        )
    return Status(201, interest_out(interest))


@router.delete("/{customer_id}/interests/{interest_id}", response={204: None, **ERRORS}, summary="Remove an interest")
def interest_remove(request: HttpRequest, customer_id: int, interest_id: int) -> Status[None]:
    who, customer = _who(request), _customer(request, customer_id)
    interest = related_get_for(Interest, store=who.store, customer=customer, obj_id=interest_id)
    services.interest_remove(store=who.store, actor=who.user, interest=interest)
    return Status(204, None)


@router.get("/{customer_id}/sizes", response={200: SizeList, **ERRORS}, summary="List sizes")
def size_list(request: HttpRequest, customer_id: int) -> SizeList:
    refuse_unknown_parameters(request, Schema)
    customer = _customer(request, customer_id)
    return SizeList(items=[size_out(s) for s in customer.sizes.all()])


@router.post("/{customer_id}/sizes", response={201: SizeOut, **ERRORS}, summary="Add a size")
def size_add(request: HttpRequest, customer_id: int, payload: SizeIn) -> Status[SizeOut]:
    who, customer = _who(request), _customer(request, customer_id)
    with fields_named(payload.field_name):
        size = services.size_add(store=who.store, actor=who.user, customer=customer, **payload.model_dump())
    return Status(201, size_out(size))


@router.delete("/{customer_id}/sizes/{size_id}", response={204: None, **ERRORS}, summary="Remove a size")
def size_remove(request: HttpRequest, customer_id: int, size_id: int) -> Status[None]:
    who, customer = _who(request), _customer(request, customer_id)
    size = related_get_for(Size, store=who.store, customer=customer, obj_id=size_id)
    services.size_remove(store=who.store, actor=who.user, size=size)
    return Status(204, None)


# ---- consent: append-only; there is no PUT or DELETE --------------------------------------


@router.get("/{customer_id}/consent", response={200: ConsentEventPage, **ERRORS}, summary="The consent ledger")
def consent_list(request: HttpRequest, customer_id: int, params: Query[PageParams]) -> ConsentEventPage:
    """Every consent event, oldest first. The profile's current consent is derived from these."""
    refuse_unknown_parameters(request, PageParams)
    rows, next_cursor = paginate(
        consent_ledger(customer=_customer(request, customer_id)),
        cursor=params.cursor,
        limit=params.limit,
        keys=("occurred_at", "id"),
    )
    return ConsentEventPage(items=[consent_event_out(e) for e in rows], next_cursor=next_cursor)


@router.post("/{customer_id}/consent", response={201: ConsentEventOut, **ERRORS}, summary="Record consent")
def consent_record(request: HttpRequest, customer_id: int, payload: ConsentIn) -> Status[ConsentEventOut]:
    """Appends one event, with the caller's address and user as evidence."""
    who, customer = _who(request), _customer(request, customer_id)
    event = services.consent_record(store=who.store, actor=who.user, customer=customer, grant=payload.grant(request))
    return Status(201, consent_event_out(event))


# ---- purchases and the timeline -----------------------------------------------------------


@router.get("/{customer_id}/purchases", response={200: PurchasePage, **ERRORS}, summary="List purchases, newest first")
def purchase_list(request: HttpRequest, customer_id: int, params: Query[PageParams]) -> PurchasePage:
    refuse_unknown_parameters(request, PageParams)
    rows, next_cursor = paginate(
        customer_purchases(customer=_customer(request, customer_id)),
        cursor=params.cursor,
        limit=params.limit,
        keys=("-purchased_on", "-id"),
    )
    return PurchasePage(items=[purchase_out(p) for p in rows], next_cursor=next_cursor)


@router.post("/{customer_id}/purchases", response={201: PurchaseOut, **ERRORS}, summary="Record a purchase")
def purchase_create(request: HttpRequest, customer_id: int, payload: PurchaseIn) -> Status[PurchaseOut]:
    """Updates the customer's lifetime spend (purchases in the store's currency) and purchase count."""
    who, customer = _who(request), _customer(request, customer_id)
    purchase = services.purchase_create(
        store=who.store, actor=who.user, customer=customer, **payload.service_arguments()
    )
    return Status(201, purchase_out(purchase))


@router.get("/{customer_id}/purchases/{purchase_id}", response={200: PurchaseOut, **ERRORS}, summary="Read a purchase")
def purchase_read(request: HttpRequest, customer_id: int, purchase_id: int) -> PurchaseOut:
    refuse_unknown_parameters(request, Schema)
    who, customer = _who(request), _customer(request, customer_id)
    return purchase_out(related_get_for(Purchase, store=who.store, customer=customer, obj_id=purchase_id))


@router.get("/{customer_id}/timeline", response={200: Timeline, **ERRORS}, summary="The customer's timeline")
def timeline(request: HttpRequest, customer_id: int, params: Query[TimelineParams]) -> Timeline:
    """Notes, purchases, consent changes and edits (later messages and appointments), newest first."""
    refuse_unknown_parameters(request, TimelineParams)
    entries = customer_timeline(customer=_customer(request, customer_id), limit=params.limit)
    return Timeline(items=[timeline_entry_out(e) for e in entries])
