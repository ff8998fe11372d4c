"""The staff pages of the customer book: list and search, quick add, profile with timeline, edit.

Views are thin: they parse a form, fetch through a ``*_get_for`` selector (another store's
id is a 404), call one service and redirect with a message; errors go back beside the field.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
from functools import wraps
from typing import Any

from babel import Locale, UnknownLocaleError
from babel.dates import format_date, format_time, get_datetime_format
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.dates import MONTHS
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from trunkshow.core.access import client_ip
from trunkshow.core.templatetags import trunkshow as fmt
from trunkshow.core.validation import search_text
from trunkshow.customers import forms as f
from trunkshow.customers import profile_forms, selectors, services
from trunkshow.customers.merging import are_partners
from trunkshow.customers.models import (
    Channel,
    ConsentAction,
    ConsentMethod,
    ConsentPurpose,
    Customer,
    CustomerEmail,
    CustomerPhone,
    DateKind,
    ImportantDate,
    Interest,
    InterestKind,
    Size,
    SizeKind,
    Source,
)
from trunkshow.customers.opt_outs import message_blocked, opt_outs_of
from trunkshow.customers.timeline import customer_timeline
from trunkshow.stores import roles
from trunkshow.stores.access import store_page

PAGE_SIZE = 25
TIMELINE_LIMIT = 100


def _store(request: HttpRequest) -> Any:
    return request.store  # type: ignore[attr-defined]


# ---------------------------------------------------------------- list


def _prefill_from_query(q: str) -> dict[str, str]:
    """What a "no matches" search most likely was: an email, a phone number or a name."""
    text = q.strip()
    if not text:
        return {}
    if "@" in text:
        return {"email": text}
    if re.fullmatch(r"[\d\s().+\-/]+", text) and sum(ch.isdigit() for ch in text) >= 3:
        return {"phone": text}
    first, _sep, last = text.partition(" ")
    return {"first_name": first, "last_name": last.strip()} if last else {"first_name": first}


@store_page("customers.view")
@require_GET
def customer_list(request: HttpRequest) -> HttpResponse:
    """The list with the search box, filters, segments and counts (customers/views_lists.py)."""
    from trunkshow.customers.views_lists import list_page

    return list_page(request)


@store_page("customers.view")
@require_GET
def customer_pick(request: HttpRequest) -> HttpResponse:
    """Search results as buttons, for choosing a partner on the edit page or the other record on the
    merge page (a fragment). ``exclude`` is the customer choosing: not offered, and their own
    partner is marked, so a partner is not taken for a second record of the same person."""
    store = _store(request)
    # Only what can be searched: a box of control or invisible characters alone offers no one (the
    # store's first eight by name, as an empty search would list them, would look like matches).
    q = search_text(request.GET.get("q", ""))
    rows = list(selectors.customers_with_contacts(selectors.customer_search(store=store, q=q))[:8]) if q else []
    exclude = request.GET.get("exclude", "")
    rows = [c for c in rows if str(c.pk) != exclude]
    me = Customer.objects.filter(store=store, pk=exclude).first() if rows and exclude.isdigit() else None
    partners = {c.pk for c in rows if me is not None and are_partners(me, c)}
    return render(request, "customers/_pick_results.html", {"rows": rows, "q": q, "partners": partners})


# ---------------------------------------------------------------- quick add


@store_page("customers.edit")
@require_http_methods(["GET", "POST"])
def customer_new(request: HttpRequest) -> HttpResponse:
    store = _store(request)
    duplicates: list[Customer] = []
    associate = services.customer_associate_default(membership=request.membership)  # type: ignore[attr-defined]
    if request.method == "POST":
        form = f.QuickAddForm(request.POST, store=store)
        if form.is_valid():
            data = form.cleaned_data
            phones, emails = form.contact()
            consents = []
            for channel, field in ((Channel.SMS, "consent_sms"), (Channel.EMAIL, "consent_email")):
                # Only the channel they gave us an address for: the other checkbox was hidden.
                if data[field] and (phones if channel == Channel.SMS else emails):
                    consents.append(
                        services.ConsentGrant(
                            channel=channel,
                            purpose=ConsentPurpose.MARKETING,
                            action=ConsentAction.GRANTED,
                            method=ConsentMethod.IN_PERSON,
                            evidence_text=f.consent_label(store, channel),
                            evidence_url=request.build_absolute_uri(request.path),
                            evidence_ip=client_ip(request),
                        )
                    )
            try:
                customer = services.customer_create(
                    store=store,
                    actor=request.user,
                    first_name=data["first_name"],
                    last_name=data["last_name"],
                    source=data["source"],
                    phones=phones,
                    emails=emails,
                    consents=consents,
                    assigned_associate_id=getattr(associate, "pk", None),
                    allow_duplicate=request.POST.get("allow_duplicate") == "1",
                )
            except services.DuplicateCustomer as exc:
                duplicates = exc.existing
            except ValidationError as exc:
                f.add_service_errors(form, exc)
            else:
                messages.success(request, _("%(name)s is in the book.") % {"name": customer.display_name})
                return redirect("customers:detail", customer_id=customer.pk)
    else:
        initial = {k: request.GET[k][:254] for k in ("first_name", "last_name", "phone", "email") if k in request.GET}
        if "email" in initial:
            initial["reach"] = "email"
        form = f.QuickAddForm(initial=initial, store=store)
    if form.is_bound:
        # Back with a problem: the cursor goes to the first field to fix, not back to the top.
        form.fields["first_name"].widget.attrs.pop("autofocus", None)
        first_wrong = next((name for name in form.fields if name in form.errors), None)
        if first_wrong:
            form.fields[first_wrong].widget.attrs["autofocus"] = True
    if duplicates:
        duplicates = list(
            selectors.customers_with_contacts(Customer.objects.filter(store=store, pk__in=[c.pk for c in duplicates]))
        )
    status = 200 if request.method == "GET" else (409 if duplicates else 400)
    return render(
        request,
        "customers/new.html",
        {"nav": "customers", "form": form, "duplicates": duplicates, "associate": associate},
        status=status,
    )


# ---------------------------------------------------------------- profile


def _field_labels() -> dict[str, str]:
    return {
        "first_name": _("First name"),
        "last_name": _("Last name"),
        "preferred_name": _("Preferred name"),
        "title": _("Title"),
        "address_line1": _("Address"),
        "address_line2": _("Address line 2"),
        "city": _("City"),
        "region": _("State, province or region"),
        "postal_code": _("Postal code"),
        "country": _("Country"),
        "birthday_day": _("Birthday (day)"),
        "birthday_month": _("Birthday (month)"),
        "birthday_year": _("Birth year"),
        "partner_id": _("Partner"),
        "partner_name": _("Partner's name"),
        "partner_birthday_day": _("Partner's birthday (day)"),
        "partner_birthday_month": _("Partner's birthday (month)"),
        "partner_birthday_year": _("Partner's birth year"),
        "preferred_channel": _("Preferred channel"),
        "language": _("Language"),
        "time_zone": _("Time zone"),
        "assigned_associate_id": _("Assigned associate"),
        "source": _("How we met"),
        "phone": _("Phone"),
        "email": _("Email"),
        "important_date": _("Important date"),
        "interest": _("Interest"),
        "size": _("Size"),
    }


def _locale(store: Any) -> Locale:
    try:
        return Locale.parse(store.locale)
    except (UnknownLocaleError, ValueError):
        return Locale.parse("en_US")


# Edits to these are additions to or removals from a list, not a field set to a new value.
COLLECTIONS = {"phone", "email", "important_date", "interest", "size"}
# How the service writes an important date into an edit: "Anniversary 14/6/2009".
_RECORDED_DATE = re.compile(r"^(.*) (\d{1,2})/(\d{1,2})(?:/(\d{4}))?$")
# Edits by one person this close together read as one change on the timeline.
EDIT_MERGE_WINDOW = dt.timedelta(minutes=15)


def moment(store: Any, value: dt.datetime) -> str:
    """A moment on the timeline: the day and the time to the minute, in the store's zone and locale.

    ``{% when %}`` shows seconds (babel's medium style), right for evidence, noisy in a timeline.
    """
    locale, local = _locale(store), value.astimezone(store.tz)
    pattern = str(get_datetime_format("medium", locale=locale)).replace("'", "")
    return pattern.format(format_time(local, "short", locale=locale), format_date(local, "medium", locale=locale))


class _ChangeFormatter:
    """Turns the raw values recorded in a ``CustomerEdit`` into words a person reads."""

    def __init__(self, store: Any, edits: list[Any]) -> None:
        self.store = store
        self.context = {"store": store}
        self.locale = _locale(store)
        user_ids: set[int] = set()
        customer_ids: set[int] = set()
        for edit in edits:
            for name, pair in edit.changes.items():
                ids = user_ids if name == "assigned_associate_id" else customer_ids if name == "partner_id" else None
                if ids is not None:
                    ids.update(v for v in pair if isinstance(v, int))
        from trunkshow.stores.models import User

        self.users = {u.pk: u.display_name for u in User.objects.filter(pk__in=user_ids)} if user_ids else {}
        self.customers = (
            {c.pk: c.display_name for c in Customer.objects.filter(store=store, pk__in=customer_ids)}
            if customer_ids
            else {}
        )
        self.labels = _field_labels()

    def value(self, name: str, value: Any) -> str:
        if value is None or value == "":
            return ""
        if name in ("birthday_month", "partner_birthday_month") and isinstance(value, int) and 1 <= value <= 12:
            return str(MONTHS[value])
        if name == "country":
            return self.locale.territories.get(value, value)
        if name == "language":
            return self.locale.languages.get(value, value)
        if name == "preferred_channel":
            return str(Channel(value).label) if value in Channel.values else value
        if name == "source":
            return str(Source(value).label) if value in Source.values else value
        if name == "assigned_associate_id":
            return self.users.get(value, _("a former staff member"))
        if name == "partner_id":
            return self.customers.get(value, _("a removed customer"))
        if name == "phone":
            return fmt.phone(self.context, value)
        if name == "important_date":
            match = _RECORDED_DATE.match(str(value))
            if match:
                label, day, month, year = match.groups()
                when = fmt.monthday(self.context, int(day), int(month), int(year) if year else None)
                return f"{label}, {when}" if when else str(value)
        if name == "interest" and ": " in str(value):
            kind, _sep, text = str(value).partition(": ")
            return f"{InterestKind(kind).label}: {text}" if kind in InterestKind.values else str(value)
        if name == "size":
            parts = str(value).split(" ", 2)
            if len(parts) == 3 and parts[0] in SizeKind.values:
                kind, system, size = parts
                return f"{SizeKind(kind).label} {size} {system}"
            return str(value)
        return str(value)

    def rows(self, edit: Any) -> list[dict[str, str]]:
        """One line per change: a field set, changed or cleared, or an item added to or removed from a list."""
        rows = []
        for name, pair in edit.changes.items():
            old, new = self.value(name, pair[0]), self.value(name, pair[1])
            label = str(self.labels.get(name, name.replace("_", " ").capitalize()))
            if name in COLLECTIONS:
                how = "added" if new and not old else "removed" if old and not new else "changed"
            else:
                how = "set" if new and not old else "cleared" if old and not new else "changed"
            rows.append({"label": label, "old": old, "new": new, "how": how})
        return rows


def _timeline(store: Any, customer: Customer) -> tuple[list[dict[str, Any]], bool]:
    """The timeline's entries ready to show, and whether older ones were left out."""
    entries = customer_timeline(customer=customer, limit=TIMELINE_LIMIT)
    formatter = _ChangeFormatter(store, [e.obj for e in entries if e.kind == "edit"])
    items: list[dict[str, Any]] = []
    for entry in entries:
        previous = items[-1] if items else None
        if (
            entry.kind == "edit"
            and previous is not None
            and previous["kind"] == "edit"
            and previous["actor"] == entry.actor
            and previous["last_at"] - entry.at <= EDIT_MERGE_WINDOW
        ):
            # Newest first: this older edit's lines go below the newer ones already shown.
            previous["changes"].extend(formatter.rows(entry.obj))
            previous["last_at"] = entry.at
            continue
        item: dict[str, Any] = {
            "kind": entry.kind,
            "at": entry.at,
            "last_at": entry.at,
            "at_text": moment(store, entry.at),
            "actor": entry.actor,
            "obj": entry.obj,
            "extra": entry.extra,
        }
        if entry.kind == "edit":
            item["changes"] = formatter.rows(entry.obj)
        items.append(item)
    return items, len(entries) >= TIMELINE_LIMIT


def _consent_summary(states: list[Any]) -> tuple[list[Any], list[str]]:
    answered = [s for s in states if s.event is not None]
    answered_channels = {s.channel for s in answered}
    unanswered = [str(label) for value, label in Channel.choices if value not in answered_channels]
    return answered, unanswered


# Where the city line reads "City, Region Postal" (North America, Australia), or the postcode
# stands on its own line (UK, Ireland); elsewhere, mostly "Postal City".
_CITY_REGION_POSTAL = {"US", "CA", "AU", "NZ"}
_POSTCODE_ALONE = {"GB", "IE"}


def _address_lines(customer: Customer, country_name: str, store_country: str) -> list[str]:
    """The postal address as it is written in the customer's country; the country only when abroad."""
    c = customer
    lines = [c.address_line1, c.address_line2]
    if c.country in _CITY_REGION_POSTAL:
        lines.append(", ".join(p for p in (c.city, " ".join(p for p in (c.region, c.postal_code) if p)) if p))
    elif c.country in _POSTCODE_ALONE:
        lines += [c.city, c.region, c.postal_code]
    else:
        lines += [" ".join(p for p in (c.postal_code, c.city) if p), c.region]
    if c.country and c.country != store_country:
        lines.append(country_name)
    return [line for line in lines if line]


def _grouped_interests(interests: list[Interest]) -> list[tuple[str, list[Interest]]]:
    groups: dict[str, list[Interest]] = {}
    for interest in interests:
        groups.setdefault(interest.kind, []).append(interest)
    return [(str(InterestKind(kind).label), groups[kind]) for kind in InterestKind.values if kind in groups]


def _blank_forms(request: HttpRequest, store: Any, staff: list[Any]) -> dict[str, Any]:
    return {
        "note": f.NoteForm(),
        "purchase": f.PurchaseForm(
            initial={
                "purchased_on": services.store_today(store),
                "currency": store.currency,
                "associate": request.user.pk,
            },
            staff=staff,
        ),
        "date": f.ImportantDateForm(initial={"kind": DateKind.ANNIVERSARY}),
        "interest": f.InterestForm(initial={"kind": InterestKind.STONE}),
        "size": f.SizeForm(initial={"kind": SizeKind.RING, "system": (store.phone_region == "US" and "US") or "EU"}),
        "phone": f.PhoneForm(initial={"label": "mobile"}),
        "email": f.EmailForm(initial={"label": "personal"}),
        "consent": f.ConsentForm(
            initial={
                "action": ConsentAction.GRANTED,
                "channel": Channel.SMS,
                "purpose": ConsentPurpose.MARKETING,
                "method": ConsentMethod.IN_PERSON,
            }
        ),
    }


def _render_profile(request: HttpRequest, customer: Customer) -> HttpResponse:
    store = _store(request)
    staff = selectors.store_staff(store=store)
    profile = selectors.customer_profile(customer=customer)
    forms_ = _blank_forms(request, store, staff)
    # A form refused just before (profile_forms.py): shown again, open, with what was typed and why.
    failed = profile_forms.refused_take(request, customer_id=customer.pk, staff=staff)
    if failed:
        forms_[failed[0]] = failed[1]
    answered, unanswered = _consent_summary(profile.consent)
    timeline, truncated = _timeline(store, customer)
    # The quick "Text" action texts the first phone: not one that opted out (the outbox's own list).
    first_phone = profile.phones[0].e164 if profile.phones else ""
    texts_opted_out_at = opt_outs_of(store=store, addresses=[first_phone]).get((Channel.SMS, first_phone))
    locale = _locale(store)
    local_time = selectors.customer_local_time(store=store, customer=customer, at=timezone.now())
    context = {
        "nav": "customers",
        "customer": customer,
        "profile": profile,
        "forms": forms_,
        "open": failed[0] if failed else "",
        "timeline": timeline,
        "timeline_truncated": truncated,
        "timeline_limit": TIMELINE_LIMIT,
        "texts_opted_out_at": texts_opted_out_at,
        "message_blocked": message_blocked(
            store=store,
            customer=customer,
            phones=[phone.e164 for phone in profile.phones],
            emails=[email.address for email in profile.emails],
        ),
        "consent_answered": answered,
        "consent_unanswered": unanswered,
        "interest_groups": _grouped_interests(profile.interests),
        "address_lines": _address_lines(
            customer,
            locale.territories.get(customer.country, customer.country) if customer.country else "",
            store.country,
        ),
        "language_name": locale.languages.get(customer.language, customer.language) if customer.language else "",
        "local_time": local_time.time if local_time else "",
        "possible_matches": selectors.customer_possible_matches(store=store, profile=profile),
        "completeness_missing": ", ".join(profile.completeness.missing),
        "can": {
            right: roles.has_right(request.membership, f"customers.{right}")  # type: ignore[attr-defined]
            for right in ("merge", "data_export", "erase")
        },
    }
    return render(request, "customers/detail.html", context)


@store_page("customers.view")
@require_GET
def customer_detail(request: HttpRequest, customer_id: int) -> HttpResponse:
    store = _store(request)
    try:
        customer = selectors.customer_get_for(store=store, customer_id=customer_id)
    except Http404:
        return to_survivor(
            request, customer_id, _("Customer no. %(old)s was merged into %(name)s: this is their record now.")
        )
    return _render_profile(request, customer)


def to_survivor(request: HttpRequest, customer_id: Any, text: str) -> HttpResponse:
    """An old link to a record merged into another leads to the one that stayed, saying so with
    ``text`` (``old``, ``name``, ``number``). This store's merges only: another store's id, or one
    that never was, raises the plain 404."""
    survivor = selectors.customer_merged_into(store=_store(request), customer_id=customer_id)
    if survivor is None:
        raise Http404("No such customer")
    messages.info(request, text % {"old": customer_id, "name": survivor.display_name, "number": survivor.pk})
    return redirect("customers:detail", survivor.pk)


# ---------------------------------------------------------------- edit


@store_page("customers.edit")
@require_http_methods(["GET", "POST"])
def customer_edit(request: HttpRequest, customer_id: int) -> HttpResponse:
    store = _store(request)
    customer = selectors.customer_get_for(store=store, customer_id=customer_id)
    staff = selectors.store_staff(store=store)
    if customer.assigned_associate is not None and customer.assigned_associate not in staff:
        staff.append(customer.assigned_associate)  # still assigned, though no longer on the staff
    if request.method == "POST":
        form = f.CustomerEditForm(request.POST, store=store, staff=staff)
        if form.is_valid():
            try:
                updated = services.customer_update(
                    store=store, actor=request.user, customer=customer, data=form.service_data(customer)
                )
            except ValidationError as exc:
                f.add_service_errors(form, exc)
            else:
                if updated.updated_at != customer.updated_at:
                    messages.success(request, _("Saved the changes to %(name)s.") % {"name": updated.display_name})
                else:
                    messages.info(request, _("Nothing changed."))
                return redirect("customers:detail", customer_id=customer.pk)
    else:
        form = f.CustomerEditForm(initial=f.CustomerEditForm.initial_for(customer), store=store, staff=staff)
    partner = customer.partner
    chosen_id = form["partner_id"].value()
    if chosen_id and str(chosen_id) != str(customer.partner_id or ""):
        partner = (
            Customer.objects.filter(store=store, pk=int(chosen_id)).first()
            if str(chosen_id).isascii() and str(chosen_id).isdigit() and len(str(chosen_id)) < 19
            else None
        )
    return render(
        request,
        "customers/edit.html",
        {"nav": "customers", "customer": customer, "form": form, "partner": partner},
        status=200 if request.method == "GET" else 400,
    )


# ---------------------------------------------------------------- profile actions


def _profile_form(name: str) -> Callable[[Callable[..., HttpResponse]], Callable[..., HttpResponse]]:
    """A small profile form's own address: POST runs the form; GET (the address reloaded, bookmarked
    or typed) leads to the form on the profile rather than to a page saying it is a button's action."""

    def decorate(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
        @wraps(view)
        @require_http_methods(["GET", "POST"])
        def wrapper(request: HttpRequest, customer_id: int) -> HttpResponse:
            if request.method == "GET":
                customer = selectors.customer_get_for(store=_store(request), customer_id=customer_id)
                return redirect(profile_forms.form_url(customer.pk, name))
            return view(request, customer_id)

        return wrapper

    return decorate


def _action(
    request: HttpRequest,
    customer_id: int,
    name: str,
    form: Any,
    perform: Callable[[Any, Customer, dict[str, Any]], Any],
    success: Callable[[Any], str],
    anchor: str,
) -> HttpResponse:
    """Run one small profile form: on success back to the profile with a message; refused, back to
    the profile at the form, with what was typed and the errors beside it (profile_forms.py)."""
    store = _store(request)
    customer = selectors.customer_get_for(store=store, customer_id=customer_id)
    if form.is_valid():
        try:
            result = perform(store, customer, form.cleaned_data)
        except ValidationError as exc:
            f.add_service_errors(form, exc)
        else:
            messages.success(request, success(result))
            return redirect(reverse("customers:detail", args=[customer.pk]) + f"#{anchor}")
    profile_forms.refused_keep(request, customer_id=customer.pk, name=name, form=form)
    return redirect(profile_forms.refused_url(customer.pk, name))


def _remove(
    request: HttpRequest,
    customer_id: int,
    obj_id: int,
    model: Any,
    perform: Callable[[Any, Any], None],
    success: str,
    anchor: str,
) -> HttpResponse:
    store = _store(request)
    customer = selectors.customer_get_for(store=store, customer_id=customer_id)
    obj = selectors.related_get_for(model, store=store, customer=customer, obj_id=obj_id)
    perform(store, obj)
    messages.success(request, success)
    return redirect(reverse("customers:detail", args=[customer.pk]) + f"#{anchor}")


@store_page("customers.edit")
@_profile_form("note")
def note_add(request: HttpRequest, customer_id: int) -> HttpResponse:
    return _action(
        request,
        customer_id,
        "note",
        f.NoteForm(request.POST),
        lambda store, c, d: services.note_create(store=store, actor=request.user, customer=c, body=d["body"]),
        lambda _r: _("Note added."),
        "timeline",
    )


@store_page("customers.edit")
@_profile_form("purchase")
def purchase_add(request: HttpRequest, customer_id: int) -> HttpResponse:
    staff = selectors.store_staff(store=_store(request))
    return _action(
        request,
        customer_id,
        "purchase",
        f.PurchaseForm(request.POST, staff=staff),
        lambda store, c, d: services.purchase_create(
            store=store,
            actor=request.user,
            customer=c,
            purchased_on=d["purchased_on"],
            items=d["items"],
            amount=d["amount"],
            currency=d["currency"],
            associate_id=d["associate"],
        ),
        lambda _r: _("Purchase recorded."),
        "purchases",
    )


@store_page("customers.edit")
@_profile_form("date")
def date_add(request: HttpRequest, customer_id: int) -> HttpResponse:
    return _action(
        request,
        customer_id,
        "date",
        f.ImportantDateForm(request.POST),
        lambda store, c, d: services.important_date_create(
            store=store,
            actor=request.user,
            customer=c,
            kind=d["kind"],
            day=d["day"],
            month=d["month"],
            year=d["year"],
            label=d["label"] or "",
        ),
        lambda _r: _("Date added."),
        "dates",
    )


@store_page("customers.edit")
@require_POST
def date_delete(request: HttpRequest, customer_id: int, obj_id: int) -> HttpResponse:
    return _remove(
        request,
        customer_id,
        obj_id,
        ImportantDate,
        lambda store, obj: services.important_date_delete(store=store, actor=request.user, important_date=obj),
        _("Date removed."),
        "dates",
    )


@store_page("customers.edit")
@_profile_form("interest")
def interest_add(request: HttpRequest, customer_id: int) -> HttpResponse:
    return _action(
        request,
        customer_id,
        "interest",
        f.InterestForm(request.POST),
        lambda store, c, d: services.interest_add(
            store=store, actor=request.user, customer=c, kind=d["kind"], value=d["value"]
        ),
        lambda r: _("Interest added: %(value)s.") % {"value": r.value},
        "interests",
    )


@store_page("customers.edit")
@require_POST
def interest_delete(request: HttpRequest, customer_id: int, obj_id: int) -> HttpResponse:
    return _remove(
        request,
        customer_id,
        obj_id,
        Interest,
        lambda store, obj: services.interest_remove(store=store, actor=request.user, interest=obj),
        _("Interest removed."),
        "interests",
    )


@store_page("customers.edit")
@_profile_form("size")
def size_add(request: HttpRequest, customer_id: int) -> HttpResponse:
    return _action(
        request,
        customer_id,
        "size",
        f.SizeForm(request.POST),
        lambda store, c, d: services.size_add(
            store=store,
            actor=request.user,
            customer=c,
            kind=d["kind"],
            system=d["system"],
            value=d["value"],
            note=d["note"] or "",
        ),
        lambda _r: _("Size added."),
        "sizes",
    )


@store_page("customers.edit")
@require_POST
def size_delete(request: HttpRequest, customer_id: int, obj_id: int) -> HttpResponse:
    return _remove(
        request,
        customer_id,
        obj_id,
        Size,
        lambda store, obj: services.size_remove(store=store, actor=request.user, size=obj),
        _("Size removed."),
        "sizes",
    )


@store_page("customers.edit")
@_profile_form("phone")
def phone_add(request: HttpRequest, customer_id: int) -> HttpResponse:
    return _action(
        request,
        customer_id,
        "phone",
        f.PhoneForm(request.POST),
        lambda store, c, d: services.customer_phone_add(
            store=store, actor=request.user, customer=c, number=d["number"], label=d["label"]
        ),
        lambda _r: _("Phone number added."),
        "contact",
    )


@store_page("customers.edit")
@require_POST
def phone_delete(request: HttpRequest, customer_id: int, obj_id: int) -> HttpResponse:
    return _remove(
        request,
        customer_id,
        obj_id,
        CustomerPhone,
        lambda store, obj: services.customer_phone_remove(store=store, actor=request.user, phone=obj),
        _("Phone number removed."),
        "contact",
    )


@store_page("customers.edit")
@_profile_form("email")
def email_add(request: HttpRequest, customer_id: int) -> HttpResponse:
    return _action(
        request,
        customer_id,
        "email",
        f.EmailForm(request.POST),
        lambda store, c, d: services.customer_email_add(
            store=store, actor=request.user, customer=c, address=d["address"], label=d["label"]
        ),
        lambda _r: _("Email address added."),
        "contact",
    )


@store_page("customers.edit")
@require_POST
def email_delete(request: HttpRequest, customer_id: int, obj_id: int) -> HttpResponse:
    return _remove(
        request,
        customer_id,
        obj_id,
        CustomerEmail,
        lambda store, obj: services.customer_email_remove(store=store, actor=request.user, email=obj),
        _("Email address removed."),
        "contact",
    )


@store_page("customers.edit")
@_profile_form("consent")
def consent_add(request: HttpRequest, customer_id: int) -> HttpResponse:
    def perform(store: Any, customer: Customer, d: dict[str, Any]) -> Any:
        grant = services.ConsentGrant(
            channel=d["channel"],
            purpose=d["purpose"],
            action=d["action"],
            method=d["method"],
            evidence_text=d["evidence_text"].strip(),
            evidence_url=request.build_absolute_uri(request.path),
            evidence_ip=client_ip(request),
        )
        return services.consent_record(store=store, actor=request.user, customer=customer, grant=grant)

    def success(event: Any) -> str:
        if event.action == ConsentAction.GRANTED:
            return _("Recorded: %(channel)s for %(purpose)s, agreed.") % {
                "channel": event.get_channel_display(),
                "purpose": event.get_purpose_display().lower(),
            }
        return _("Recorded: %(channel)s for %(purpose)s, withdrawn.") % {
            "channel": event.get_channel_display(),
            "purpose": event.get_purpose_display().lower(),
        }

    return _action(request, customer_id, "consent", f.ConsentForm(request.POST), perform, success, "consent")
