"""Staff pages around the customer list: filters, saved segments and CSV export.

The list page reads its filters with ``filtering.filters_parse`` (the API's parser too); a bad
filter is shown beside its field and the list shows nobody until it is fixed (ADR 0004).
"""

from __future__ import annotations

import contextlib
from dataclasses import replace
from typing import Any
from urllib.parse import urlencode

from babel.numbers import format_currency, format_decimal
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse, HttpResponseBase, JsonResponse, QueryDict
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from trunkshow.core.access import client_ip
from trunkshow.core.templatetags.trunkshow import store_time
from trunkshow.core.validation import search_text
from trunkshow.customers import search, selectors
from trunkshow.customers import segments as seg
from trunkshow.customers.coming import more_dates, rows_coming
from trunkshow.customers.exporting import customers_export, export_response
from trunkshow.customers.filtering import (
    CONSENT_CHANNELS,
    FILTER_NAMES,
    SOONEST,
    BadCursor,
    CustomerFilter,
    consent_labels,
    customers_filtered,
    customers_walked,
    date_kind_labels,
    filters_parse,
    interest_terms,
    interest_text,
    page_in_order,
    ranked_position,
    sort_labels,
)
from trunkshow.customers.models import Customer, InterestKind, Segment, Source
from trunkshow.stores import roles
from trunkshow.stores.access import store_page

PAGE_SIZE = 25
PAGE_EXTRA = ("after", "before", "partial", "segment")
# Paging words of other lists and of the API: the page reads them as "the first page".
PAGING_WORDS = ("page", "cursor", "limit", "offset")
FIRST_PAGE_NOTE = "That page of the list no longer exists; here is the first page."


def _store(request: HttpRequest) -> Any:
    return request.store  # type: ignore[attr-defined]


def _membership(request: HttpRequest) -> Any:
    return request.membership  # type: ignore[attr-defined]


# A refused "Save as segment", for the list to show once after the redirect.
SAVE_REFUSED = "segment_save_refused"


def _query(params: dict[str, Any]) -> str:
    return urlencode(params, doseq=True)


def _money(store: Any) -> Any:
    return lambda amount: format_currency(amount, store.currency, locale=getattr(store, "locale", None) or "en_US")


def _partner_hints(store: Any, q: str, rows: list[Customer]) -> None:
    """``partner_hint`` on the rows a name search found by their partner's name, not their own: the
    partner's name, so the list says why they are there (one query for the page's partners)."""
    query = search.parse(q, region=store.phone_region) if q else None
    if query is None or query.kind != "name":
        return
    linked = {c.partner_id for c in rows if c.partner_id and not c.partner_name}
    names = {
        pk: f"{first} {last}".strip()
        for pk, first, last in Customer.objects.filter(store=store, pk__in=linked).values_list(
            "pk", "first_name", "last_name"
        )
    }
    for c in rows:
        partner = c.partner_name or names.get(c.partner_id or 0, "")
        own = " ".join((c.first_name, c.last_name, c.preferred_name))
        c.partner_hint = partner if search.partner_matched(query, own=own, partner=partner) else ""  # type: ignore[attr-defined]


def _coming_dates(store: Any, filters: CustomerFilter, rows: list[Customer], now: Any) -> None:
    """``coming`` on each row when a date filter is set: the dates it was kept for, soonest first."""
    found = rows_coming(store=store, filters=filters, rows=rows, now=now)
    if found is None:
        return
    for c in rows:
        c.coming = found.get(c.pk, [])  # type: ignore[attr-defined]
        # A row shows two; a phone's row has no room for more.
        c.coming_more = more_dates(len(c.coming) - 2) if len(c.coming) > 2 else ""  # type: ignore[attr-defined]


def _sort_choices(filters: CustomerFilter) -> tuple[str, list[tuple[str, str]]]:
    """The sort menu: what the list is in when none is chosen, then the others. The soonest date is
    offered without a date filter too, to be chosen with one in the same form (the form drops it
    when no date filter comes with it)."""
    labels = sort_labels()
    default = replace(filters, sort=None).effective_sort
    default_label = _("Best match") if default == "relevance" else labels[default]
    return default_label, [(k, v) for k, v in labels.items() if k != default]


def _segment_labels(store: Any, segment: Segment) -> list[str]:
    """What a saved segment holds, as the segments page lists it: its search first ("Search: “nguyen”"),
    then each filter as the list's chips name it."""
    saved = seg.segment_filter(store=store, segment=segment)
    labels = [_("Search: “%(q)s”") % {"q": saved.q}] if saved.q else []
    return labels + [label for _n, label, _rest in saved.chips(money=_money(store))]


def _count_text(store: Any, total: int) -> str:
    return format_decimal(total, locale=getattr(store, "locale", None) or "en_US")


def _filter_params(data: QueryDict) -> QueryDict:
    """Only the filter parameters of a request (a POST carries the form's token and name too)."""
    out = QueryDict(mutable=True)
    for name in FILTER_NAMES:
        for value in data.getlist(name):
            out.appendlist(name, value)
    return out


def list_page(
    request: HttpRequest,
    params: QueryDict | None = None,
    *,
    save_errors: dict[str, list[str]] | None = None,
    save_name: str = "",
    status: int = 200,
) -> HttpResponse:
    store, membership = _store(request), _membership(request)
    params = request.GET if params is None else params
    if refused := request.session.pop(SAVE_REFUSED, None):
        save_errors, save_name = refused["errors"], refused["name"]
    filters, filter_errors, notes = _page_filters(params, store)
    # A search of nothing searchable (a NUL, a zero-width space) is said so above no rows: the whole
    # book, as for an empty box, would read as if everyone matched.
    q_errors = filter_errors.pop("q", [])
    now = timezone.now()  # one moment for the window, the order and each row's dates
    found = customers_filtered(store=store, filters=filters, now=now)
    # A filter in error lists nobody (ADR 0004, amendment "filters in error"): the search alone, or
    # the other filters alone, would be a wider list than the one asked for, ready to act on.
    if q_errors or filter_errors:
        found = found.none()
    rows_qs = selectors.customers_with_contacts(found, interests=True)
    walked = customers_walked(store=store, filters=filters, now=now) if not (q_errors or filter_errors) else None
    walk = selectors.customers_with_contacts(walked, interests=True) if walked is not None else None
    try:
        page = page_in_order(
            rows_qs,
            filters=filters,
            cursor=params.get("after"),
            before=params.get("before"),
            limit=PAGE_SIZE,
            walk=walk,
            store=store,
        )
    except BadCursor:  # a damaged or outdated cursor starts again from the top
        notes.append(FIRST_PAGE_NOTE)
        page = page_in_order(rows_qs, filters=filters, limit=PAGE_SIZE, walk=walk, store=store)
    total = found.count()
    ranked, unranked = _ranking_end(found, filters, total, page.rows, after=params.get("after"))
    _partner_hints(store, filters.q, page.rows)
    _coming_dates(store, filters, page.rows, now)
    base = filters.params()
    segments = list(seg.segment_list(store=store))
    active = None
    segment_id = params.get("segment", "")
    if segment_id.isdigit():
        active = next((s for s in segments if s.pk == int(segment_id)), None)
    if active is not None and not filter_errors and filters.params() == active.filters:
        seg.segment_count_seen(store=store, segment=active, count=total)
    counts = seg.segment_counts_cached(store=store, segments=segments)
    q = filters.q
    # A segment opened and then narrowed or widened stays the list's segment, to be saved into it.
    in_segment = {"segment": active.pk} if active is not None else {}
    chips = [
        {"name": name, "label": label, "url": "?" + _query({**rest, **in_segment})}
        for name, label, rest in filters.chips(money=_money(store))
    ]
    sort_default, sorts = _sort_choices(filters)
    context = {
        "nav": "customers",
        "q": q,
        "filters": filters,
        "filter_values": _form_values(params, filters, filter_errors),
        "filter_errors": filter_errors,
        "q_errors": q_errors,
        "chips": chips,
        "clear_url": "?" + _query({"q": q}) if q else "?",
        "page": page,
        "rows": page.rows,
        "total": total,
        "total_text": _count_text(store, total),
        "ranked_text": _count_text(store, ranked),
        "unranked": unranked,
        "unranked_text": _count_text(store, unranked),
        "empty_book": not page.rows and filters.is_empty and selectors.customer_book_is_empty(store=store),
        "next_url": f"?{_query({**base, 'after': page.next_cursor})}" if page.next_cursor else "",
        "previous_url": f"?{_query({**base, 'before': page.previous_cursor})}" if page.previous_cursor else "",
        "quick_add_url": reverse("customers:new") + (f"?{urlencode(_prefill(q))}" if q else ""),
        "hidden_filters": [
            (k, x) for k, val in base.items() if k != "q" for x in (val if isinstance(val, list) else [val])
        ],
        "hidden_all": [(k, x) for k, val in base.items() for x in (val if isinstance(val, list) else [val])],
        "segments": [
            {
                "segment": s,
                **_count_shown(store, counts.get(s.pk), s),
                "url": "?" + _query({**s.filters, "segment": s.pk}),
            }
            for s in segments
        ],
        "active_segment": active,
        "segment_changed": active is not None and not filter_errors and filters.params() != active.filters,
        # The list is the segment only while its filters are the segment's: changed, it says so and
        # the segments menu no longer ticks it.
        "segment_is_list": active is not None
        and not (filter_errors or q_errors)
        and filters.params() == active.filters,
        "filter_notes": list(dict.fromkeys(notes)),
        # No export while the address is in error: the file would hold another list than the one asked for.
        "can_export": roles.has_right(membership, "customers.export")
        and not (filter_errors or q_errors or any(n not in FILTER_NAMES + PAGE_EXTRA + PAGING_WORDS for n in params)),
        "can_manage_segments": roles.has_right(membership, "segments.manage"),
        "export_url": reverse("customers:export") + ("?" + _query(base) if base else ""),
        "save_errors": save_errors or {},
        "save_name": save_name,
        "staff": selectors.store_staff(store=store),
        "interest_kinds": InterestKind.choices,
        "date_kinds": list(date_kind_labels().items()),
        "sources": Source.choices,
        "consents": [(c, consent_labels()[c]) for c in CONSENT_CHANNELS],
        "sort_default": sort_default,
        "sorts": sorts,
    }
    if params.get("partial") == "1":
        # The rows as you type, with the page's title for them (customer-search.js sets it).
        return render(request, "customers/_results.html", {**context, "partial": True}, status=status)
    return render(request, "customers/list.html", context, status=status)


def _page_filters(params: QueryDict, store: Any) -> tuple[CustomerFilter, dict[str, list[str]], list[str]]:
    """The page's filters, the errors of those given with a bad value, and notes on the parts of the
    address that are not filters at all: another list's paging (``page``, the API's ``cursor``) is
    the first page; anything else is named and left out."""
    notes: list[str] = []
    unknown = [n for n in params if n not in FILTER_NAMES and n not in PAGE_EXTRA]
    if unknown:
        params = params.copy()
        for name in unknown:
            params.pop(name)
        if any(n in PAGING_WORDS for n in unknown):
            notes.append(FIRST_PAGE_NOTE)
        if others := [n for n in unknown if n not in PAGING_WORDS]:
            notes.append(
                _("The address has a part this page does not know, left out: %(names)s.")
                % {"names": ", ".join(n[:60] for n in others)}
            )
    try:
        return filters_parse(params, store=store, allowed_extra=PAGE_EXTRA), {}, notes
    except ValidationError as exc:
        errors = exc.message_dict
    filters = CustomerFilter(q=search_text(params.get("q", "")))
    if set(errors) == {"q"}:  # only the search is wrong: the filters and the order still hold
        rest = params.copy()
        rest.pop("q")
        filters = filters_parse(rest, store=store, allowed_extra=PAGE_EXTRA)
    return filters, errors, notes


def _ranking_end(
    found: Any, filters: CustomerFilter, total: int, rows: list[Customer], *, after: str | None
) -> tuple[int, int]:
    """Where a search's ranking ends in its list: how many matches are ranked and how many follow
    by name (0 when all are ranked or another order was chosen); the page's first row after the
    ranked ones is marked ``first_unranked``. One more count, only when more match than the
    search ranks (ADR 0003, amendment "every match")."""
    if not filters.q or filters.effective_sort != "relevance" or total <= search.CANDIDATES:
        return total, 0
    ranked = found.filter(search_rank__lt=search.UNRANKED).count()
    previous = None  # the rank before the page's first row: the cursor's it came after
    with contextlib.suppress(BadCursor):
        previous = ranked_position(after)[0] if after else None
    for c in rows:
        rank = getattr(c, "search_rank", None)
        c.first_unranked = rank == search.UNRANKED and previous is not None and previous < search.UNRANKED  # type: ignore[attr-defined]
        previous = rank
    return ranked, total - ranked


def _prefill(q: str) -> dict[str, str]:
    from trunkshow.customers.views import _prefill_from_query

    return _prefill_from_query(q)


def _form_values(params: QueryDict, filters: CustomerFilter, errors: dict[str, list[str]]) -> dict[str, Any]:
    """What the filter form shows: the parsed values, or what was typed where it was wrong."""
    values: dict[str, Any] = {name: params.get(name, "") for name in FILTER_NAMES}
    if not errors:
        values |= {k: val for k, val in filters.params().items() if k != "interest"}
    interests = filters.params().get("interest", []) if not errors else params.getlist("interest")
    values["interest_text"] = interest_text(interests)
    return values


def _interest_split(data: QueryDict) -> QueryDict:
    """The filter form's one "interests" box ("stone:sapphire, gold") as repeated ``interest``, each
    with its kind ("metal:gold, silver" is metal:gold and metal:silver)."""
    params = data.copy()
    text = params.pop("interest_text", [""])[-1]
    for term in interest_terms([text]):
        params.appendlist("interest", term)
    return params


@store_page("customers.view")
@require_GET
def customer_filter(request: HttpRequest) -> HttpResponse:
    """The filter form's target: turns its fields into the list's parameters, blanks dropped."""
    params = _interest_split(request.GET)
    clean = QueryDict(mutable=True)
    for name, values in params.lists():
        for value in values:
            if value.strip():
                clean.appendlist(name, value.strip())
    if clean.get("sort") == SOONEST and not (clean.get("date") or clean.get("within")):
        clean.pop("sort")  # the date filter was just removed: its order goes with it
    return redirect(reverse("customers:list") + ("?" + clean.urlencode() if clean else ""))


# ---------------------------------------------------------------- segments


@store_page("segments.create")
@require_POST
def segment_create(request: HttpRequest) -> HttpResponse:
    store = _store(request)
    params = _filter_params(request.POST)
    name = request.POST.get("name", "")
    filters = {k: (vals if k == "interest" else vals[-1]) for k, vals in params.lists()}
    try:
        segment = seg.segment_create(store=store, actor=request.user, name=name, filters=filters)
    except ValidationError as exc:
        errors = exc.message_dict
        if "name" not in errors:
            errors = {"name": [msg for msgs in errors.values() for msg in msgs]}
        # Shown once on the list at its own address (a reload never posts the form again).
        request.session[SAVE_REFUSED] = {"name": name[:100], "errors": errors}
        return redirect(reverse("customers:list") + ("?" + _query(filters) if filters else ""))
    count = seg.segment_count(store=store, segment=segment).count
    messages.success(
        request, _("Saved the segment “%(name)s” (%(count)s).") % {"name": segment.name, "count": _people(store, count)}
    )
    return redirect(reverse("customers:list") + "?" + _query({**segment.filters, "segment": segment.pk}))


def _count_shown(store: Any, counted: seg.SegmentCount | None, segment: Segment) -> dict[str, Any]:
    """A segment's count as a page shows it: the cached count and when it was made, or nothing
    yet and the address the page's script asks for it (so the page never waits on the counts)."""
    if counted is None:
        return {"count": None, "count_text": "", "counted_text": "", "count_url": _count_url(segment)}
    return {"count": counted.count, "count_url": _count_url(segment), **_count_texts(store, counted)}


def _count_url(segment: Segment) -> str:
    return reverse("customers:segment_count", args=[segment.pk])


def _count_texts(store: Any, counted: seg.SegmentCount) -> dict[str, str]:
    at = store_time(store, counted.counted_at)
    return {"count_text": _people(store, counted.count), "counted_text": _("counted at %(time)s") % {"time": at}}


@store_page("customers.view")
@require_GET
def segment_count(request: HttpRequest, segment_id: int) -> JsonResponse:
    """One segment's count for the list and segments pages, which render without waiting for it."""
    store = _store(request)
    counted = seg.segment_count(store=store, segment=_segment(request, segment_id))
    return JsonResponse(
        {"count": counted.count, "counted_at": counted.counted_at.isoformat(), **_count_texts(store, counted)}
    )


def _people(store: Any, count: int) -> str:
    from django.utils.translation import ngettext

    return ngettext("%(n)s customer", "%(n)s customers", count) % {"n": _count_text(store, count)}


@store_page("customers.view")
@require_GET
def segment_manage(request: HttpRequest) -> HttpResponse:
    store, membership = _store(request), _membership(request)
    segments = list(seg.segment_list(store=store))
    counts = seg.segment_counts_cached(store=store, segments=segments)
    return render(
        request,
        "customers/segments.html",
        {
            "nav": "customers",
            "rows": [
                {
                    "segment": s,
                    **_count_shown(store, counts.get(s.pk), s),
                    "chips": _segment_labels(store, s),
                    "url": reverse("customers:list") + "?" + _query({**s.filters, "segment": s.pk}),
                }
                for s in segments
            ],
            "can_manage": roles.has_right(membership, "segments.manage"),
            "can_export": roles.has_right(membership, "customers.export"),
            "errors": {},
        },
    )


def _segment(request: HttpRequest, segment_id: int) -> Segment:
    return seg.segment_get_for(store=_store(request), segment_id=segment_id)


@store_page("segments.manage")
@require_POST
def segment_rename(request: HttpRequest, segment_id: int) -> HttpResponse:
    segment = _segment(request, segment_id)
    try:
        seg.segment_update(
            store=_store(request), actor=request.user, segment=segment, name=request.POST.get("name", "")
        )
    except ValidationError as exc:
        for msgs in exc.message_dict.values():
            for msg in msgs:
                messages.error(request, msg)
        return redirect("customers:segments")
    messages.success(request, _("Renamed to “%(name)s”.") % {"name": segment.name})
    return redirect("customers:segments")


@store_page("segments.manage")
@require_POST
def segment_refilter(request: HttpRequest, segment_id: int) -> HttpResponse:
    """Save the list's current filters into an existing segment."""
    store = _store(request)
    segment = _segment(request, segment_id)
    params = _filter_params(request.POST)
    filters = {k: (vals if k == "interest" else vals[-1]) for k, vals in params.lists()}
    try:
        seg.segment_update(store=store, actor=request.user, segment=segment, filters=filters)
    except ValidationError as exc:
        for msgs in exc.message_dict.values():
            for msg in msgs:
                messages.error(request, msg)
        return redirect(reverse("customers:list") + "?" + params.urlencode())
    messages.success(request, _("Updated the segment “%(name)s”.") % {"name": segment.name})
    return redirect(reverse("customers:list") + "?" + _query({**segment.filters, "segment": segment.pk}))


@store_page("segments.manage")
@require_POST
def segment_delete(request: HttpRequest, segment_id: int) -> HttpResponse:
    segment = _segment(request, segment_id)
    name = segment.name
    seg.segment_delete(store=_store(request), actor=request.user, segment=segment)
    messages.success(request, _("Deleted the segment “%(name)s”; no customer was changed.") % {"name": name})
    return redirect("customers:segments")


# ---------------------------------------------------------------- export


@store_page("customers.export")
@require_GET
def customer_export(request: HttpRequest) -> HttpResponseBase:
    store = _store(request)
    try:
        filters = filters_parse(request.GET, store=store)
    except ValidationError as exc:
        # Refused, never the whole book: back to the list with the same address, its errors marked.
        messages.error(request, " ".join(m for msgs in exc.message_dict.values() for m in msgs))
        return redirect(reverse("customers:list") + ("?" + request.GET.urlencode() if request.GET else ""))
    export = customers_export(
        store=store, actor=request.user, membership=_membership(request), filters=filters, ip=client_ip(request)
    )
    return export_response(request, export)


@store_page("customers.export")
@require_GET
def segment_export(request: HttpRequest, segment_id: int) -> HttpResponseBase:
    store = _store(request)
    segment = _segment(request, segment_id)
    export = customers_export(
        store=store,
        actor=request.user,
        membership=_membership(request),
        filters=seg.segment_filter(store=store, segment=segment),
        segment=segment,
        ip=client_ip(request),
    )
    return export_response(request, export)
