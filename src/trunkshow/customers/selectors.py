"""Reads of the customer book: fetch-for-this-store, search, current consent, completeness."""

from __future__ import annotations

import datetime as dt
import zoneinfo
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from babel.dates import format_date, format_time, get_timezone_location
from django.db.models import Case, OuterRef, Prefetch, QuerySet, Subquery, Value, When
from django.http import Http404
from django.utils.translation import gettext_lazy as _

from trunkshow.core.api import ApiError
from trunkshow.core.templatetags.trunkshow import phone_for_region, store_day
from trunkshow.core.validation import search_text
from trunkshow.customers import search
from trunkshow.customers.models import (
    Channel,
    ConsentAction,
    ConsentEvent,
    ConsentPurpose,
    Customer,
    CustomerEmail,
    CustomerMerge,
    CustomerPhone,
    DistinctPair,
    Interest,
    Note,
    Purchase,
    Source,
    display_name_from,
)
from trunkshow.stores.models import Store


class CustomerErased(ApiError):
    """The store's own customer whose personal data was erased: gone on purpose (410), see ADR 0006."""

    def __init__(self, customer: Customer) -> None:
        assert customer.erased_at is not None
        self.customer_id, self.erased_at = customer.pk, customer.erased_at
        super().__init__(
            410,
            "erased",
            _("Customer no. %(number)s was erased on %(date)s.")
            % {"number": customer.pk, "date": store_day(customer.store, self.erased_at)},
        )


def customer_get_for(*, store: Store, customer_id: Any, include_erased: bool = False) -> Customer:
    """The store's customer with this id, or 404: another store's id looks like no id at all.

    An erased customer of this store raises ``CustomerErased`` (410 Gone with the date) unless
    ``include_erased``: the erase endpoint itself must tell "already erased" apart.
    """
    try:
        pk = int(customer_id)
    except (TypeError, ValueError):
        raise Http404("No such customer") from None
    if not -(2**63) < pk < 2**63:
        raise Http404("No such customer")
    customer = Customer.objects.filter(store=store, pk=pk).select_related("partner", "assigned_associate").first()
    if customer is None:
        raise Http404("No such customer")
    if customer.erased_at is not None and not include_erased:
        raise CustomerErased(customer)
    return customer


def customer_merged_into(*, store: Store, customer_id: Any) -> Customer | None:
    """The live customer this store's merged-away id now lives in, or None.

    A merge deletes the other record and keeps a ``CustomerMerge`` naming its id; merges into a
    record that is itself merged later move with it, so the row names today's survivor."""
    try:
        pk = int(customer_id)
    except (TypeError, ValueError):
        return None
    if not 0 < pk < 2**63:
        return None
    merge = (
        CustomerMerge.objects.filter(store=store, merged_customer_id=pk, customer__erased_at__isnull=True)
        .select_related("customer")
        .order_by("-at", "-id")
        .first()
    )
    return merge.customer if merge is not None else None


def related_get_for(model: Any, *, store: Store, customer: Customer, obj_id: Any) -> Any:
    """A child row (note, date, interest, ...) of this customer in this store, or 404."""
    try:
        pk = int(obj_id)
    except (TypeError, ValueError):
        raise Http404("Not found") from None
    obj = model.objects.filter(store=store, customer=customer, pk=pk).first()
    if obj is None:
        raise Http404("Not found")
    return obj


def customer_search(
    *, store: Store, q: str = "", assigned_to: int | None = None, source: str | None = None
) -> QuerySet[Customer]:
    """The store's customers (never an erased one) matching ``q``, best match first.

    With a query the rows are annotated ``search_rank`` and ordered by (search_rank, sort_name,
    id) (customers/search.py); without one, by (sort_name, id). Filters narrow either.
    """
    qs = Customer.objects.filter(store=store, erased_at__isnull=True)
    if assigned_to is not None:
        qs = qs.filter(assigned_associate_id=assigned_to)
    if source:
        qs = qs.filter(source=source)
    if search_text(q):
        return search.apply(qs, store=store, q=q, narrowed=assigned_to is not None or bool(source))
    return qs.order_by("sort_name", "id")


@dataclass(frozen=True)
class ConsentState:
    channel: str
    purpose: str
    granted: bool
    event: ConsentEvent | None

    @property
    def channel_label(self) -> str:
        return str(Channel(self.channel).label)

    @property
    def purpose_label(self) -> str:
        return str(ConsentPurpose(self.purpose).label)


def consent_current(*, customer: Customer) -> list[ConsentState]:
    """Derived from the ledger: the latest event per channel and purpose decides."""
    latest: dict[tuple[str, str], ConsentEvent] = {}
    for row in (
        ConsentEvent.objects.filter(customer=customer).select_related("staff_user").order_by("occurred_at", "id")
    ):
        latest[(row.channel, row.purpose)] = row
    states = []
    for channel in Channel.values:
        for purpose in ConsentPurpose.values:
            event = latest.get((channel, purpose))
            states.append(ConsentState(channel, purpose, bool(event and event.action == ConsentAction.GRANTED), event))
    return states


@dataclass(frozen=True)
class Completeness:
    score: int
    missing: list[str]


# (what, weight, test): weights add up to 100.
_COMPLETENESS: list[tuple[Any, int, Any]] = [
    (_("name"), 15, lambda c, x: bool(c.first_name and c.last_name)),
    (_("phone"), 15, lambda c, x: x["phones"] > 0),
    (_("email"), 10, lambda c, x: x["emails"] > 0),
    (_("birthday"), 10, lambda c, x: c.birthday_month is not None),
    (_("address"), 10, lambda c, x: _address_parts_missing(c) == []),
    (_("partner"), 5, lambda c, x: bool(c.partner_id or c.partner_name)),
    (_("anniversary or other date"), 5, lambda c, x: x["dates"] > 0),
    (_("interests"), 10, lambda c, x: x["interests"] > 0),
    (_("ring size"), 5, lambda c, x: x["ring_sizes"] > 0),
    (_("preferred channel"), 5, lambda c, x: bool(c.preferred_channel)),
    (_("consent"), 10, lambda c, x: x["consents"] > 0),
]


def _address_parts_missing(customer: Customer) -> list[str] | None:
    """The parts a partly written address lacks (street, city, country: what a letter needs), or
    None when nothing of an address is written."""
    written = (customer.address_line1, customer.address_line2, customer.city, customer.region, customer.postal_code)
    if not any(x.strip() for x in (*written, customer.country)):
        return None
    parts = [(_("street address"), customer.address_line1 or customer.address_line2), (_("city"), customer.city)]
    return [str(label) for label, value in [*parts, (_("country"), customer.country)] if not value.strip()]


def customer_completeness(*, customer: Customer) -> Completeness:
    counts = {
        "phones": customer.phones.count(),
        "emails": customer.emails.count(),
        "dates": customer.important_dates.count(),
        "interests": customer.interests.count(),
        "ring_sizes": customer.sizes.filter(kind="ring").count(),
        "consents": customer.consent_events.count(),
    }
    return _completeness(customer, counts)


def _completeness(customer: Customer, counts: dict[str, int]) -> Completeness:
    score, missing = 0, []
    for label, weight, test in _COMPLETENESS:
        if test(customer, counts):
            score += weight
        elif test is _COMPLETENESS[0][2] and (customer.first_name or customer.last_name):
            # Half a name is there ("Rosa", a walk-in): what is missing is the other half.
            missing.append(str(_("last name") if customer.first_name else _("first name")))
        elif test is _COMPLETENESS[4][2] and (parts := _address_parts_missing(customer)) is not None:
            # Part of an address is there (lines and a city): "address" would read as none at all,
            # beside the one the profile shows; what is missing is that part.
            missing.extend(parts)
        else:
            missing.append(str(label))
    return Completeness(score=score, missing=missing)


# --- Reads for the staff pages: everything the profile shows ---------------------------------


def customer_book_is_empty(*, store: Store) -> bool:
    return not Customer.objects.filter(store=store, erased_at__isnull=True).exists()


@dataclass
class CustomerProfile:
    customer: Customer
    phones: list[Any]
    emails: list[Any]
    important_dates: list[Any]
    interests: list[Any]
    sizes: list[Any]
    consent: list[ConsentState]
    completeness: Completeness


def customer_profile(*, customer: Customer) -> CustomerProfile:
    """Everything the profile page shows about a customer, in a fixed, small number of queries."""
    phones = list(customer.phones.all())
    emails = list(customer.emails.all())
    dates = list(customer.important_dates.all())
    interests = list(customer.interests.all())
    sizes = list(customer.sizes.all())
    consent = consent_current(customer=customer)
    counts = {
        "phones": len(phones),
        "emails": len(emails),
        "dates": len(dates),
        "interests": len(interests),
        "ring_sizes": sum(1 for s in sizes if s.kind == "ring"),
        "consents": sum(1 for state in consent if state.event is not None),
    }
    return CustomerProfile(customer, phones, emails, dates, interests, sizes, consent, _completeness(customer, counts))


@dataclass(frozen=True)
class SharedContacts:
    """A customer holding one of the phones or emails asked about, and which kind."""

    customer: Customer
    same_phone: bool
    same_email: bool


def customers_sharing_contacts(
    *,
    store: Store,
    phones: Iterable[str],
    emails: Iterable[str],
    exclude_id: int | None = None,
    told_apart: bool = False,
) -> list[SharedContacts]:
    """Live customers of the store who already have one of these phones (E.164) or emails (as
    stored, normalised), oldest first. One query per kind of address asked about, each on its
    ``(store, value)`` index. With ``told_apart``, those staff said are not ``exclude_id``'s person
    (a ``DistinctPair``) are left out, in the same query."""
    shared: dict[int, tuple[Customer, set[str]]] = {}
    apart: list[Any] = []
    if told_apart and exclude_id:
        pairs = DistinctPair.objects.filter(store=store)
        apart = [
            pairs.filter(other_id=exclude_id).values("customer_id"),
            pairs.filter(customer_id=exclude_id).values("other_id"),
        ]
    for kind, model, column, values in (
        ("phone", CustomerPhone, "e164", list(phones)),
        ("email", CustomerEmail, "address", list(emails)),
    ):
        if not values:
            continue
        rows = (
            model.objects.filter(store=store, **{f"{column}__in": values}, customer__erased_at__isnull=True)
            .exclude(customer_id=exclude_id or 0)
            .select_related("customer")
        )
        for ids in apart:
            rows = rows.exclude(customer_id__in=ids)
        for row in rows:
            shared.setdefault(row.customer_id, (row.customer, set()))[1].add(kind)
    return [SharedContacts(c, "phone" in kinds, "email" in kinds) for _id, (c, kinds) in sorted(shared.items())]


@dataclass(frozen=True)
class PossibleMatch(SharedContacts):
    """Another record that may be the same person. The merge page's pair: the older record stays
    (its history, its links), the other is merged into it."""

    merge_into: int
    merge_other: int


POSSIBLE_MATCHES_SHOWN = 5


def customer_possible_matches(*, store: Store, profile: CustomerProfile) -> list[PossibleMatch]:
    """Other customers of this store with one of the phones or emails of a record nobody on the
    staff vouched for: one a website chat visitor or an unknown sender made (source chat, no staff
    author). Oldest first, at most a few; one or two queries.

    ADR 0009: such a record is never linked to the existing customer by itself, as anyone can type
    anyone's address; staff are told, and merge after checking. Records staff added are left
    alone: they were offered the existing customer when they typed the phone (quick add), and two
    people sharing a home phone are two customers. Nor is a customer staff said is another person
    ("Not the same person", ``distinct.customer_pair_tell_apart``) suggested again."""
    customer = profile.customer
    if customer.source != Source.CHAT or customer.created_by_id is not None:
        return []
    shared = customers_sharing_contacts(
        store=store,
        phones=[p.e164 for p in profile.phones],
        emails=[e.address for e in profile.emails],
        exclude_id=customer.pk,
        told_apart=True,
    )
    return [
        PossibleMatch(s.customer, s.same_phone, s.same_email, *sorted((s.customer.pk, customer.pk)))
        for s in shared[:POSSIBLE_MATCHES_SHOWN]
    ]


@dataclass(frozen=True)
class Partner:
    name: str
    customer: Customer | None  # when the partner is a customer of the store: their profile is a link


def customer_partner(*, store: Store, customer: Customer) -> Partner | None:
    """The customer's partner as the staff's pages show it: a live customer of this store, else the name on file."""
    if customer.partner_id:
        partner = customer.partner
        if partner is not None and partner.store_id == store.pk and partner.erased_at is None:
            return Partner(partner.display_name, partner)
    return Partner(customer.partner_name, None) if customer.partner_name else None


@dataclass(frozen=True)
class LocalTime:
    time: str  # "16:05", or "Sat 10:00" when it is another day there
    place: str  # the zone's city, "Budapest"


def customer_local_time(*, store: Store, customer: Customer, at: dt.datetime) -> LocalTime | None:
    """What time it is for the customer, in the store's locale; None when their clock reads as
    the store's (no zone, the store's zone, or another with the same offset now) or the zone is unknown."""
    if not customer.time_zone:
        return None
    try:
        zone = zoneinfo.ZoneInfo(customer.time_zone)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        return None
    theirs, ours = at.astimezone(zone), at.astimezone(store.tz)
    if theirs.utcoffset() == ours.utcoffset():
        return None
    locale = store.locale or "en_US"
    time = format_time(theirs, "short", locale=locale)
    if theirs.date() != ours.date():
        time = f"{format_date(theirs, 'EEE', locale=locale)} {time}"
    # Babel's exemplar city, "Budapest"; a zone it has none for reads "Argentina/Buenos Aires".
    place = get_timezone_location(zone, locale=locale, return_city=True).rsplit("/", 1)[-1]
    return LocalTime(time, place)


def store_staff(*, store: Store) -> list[Any]:
    """The store's active staff (users), for "assigned associate" and "sold by" choices."""
    from trunkshow.stores.models import Membership

    memberships = (
        Membership.objects.filter(store=store, is_active=True)
        .select_related("user")
        .order_by("user__name", "user__email")
    )
    return [m.user for m in memberships]


# --- Reads for the API: a customer's notes, purchases and consent ledger, paged by the caller ---


def customer_notes(*, customer: Customer) -> QuerySet[Note]:
    return Note.objects.filter(customer=customer).select_related("author")


def customer_purchases(*, customer: Customer) -> QuerySet[Purchase]:
    return Purchase.objects.filter(customer=customer)


def consent_ledger(*, customer: Customer) -> QuerySet[ConsentEvent]:
    """Every consent event of the customer: the evidence, oldest first, never edited."""
    return ConsentEvent.objects.filter(customer=customer).select_related("staff_user").order_by("occurred_at", "id")


def customers_with_contacts(qs: QuerySet[Customer], *, interests: bool = False) -> QuerySet[Customer]:
    """Rows of a list with their phones and emails (primary first) as ``phone_list`` and
    ``email_list`` (and ``interest_list``): one query per relation, and no per-row queryset,
    which is what a plain ``prefetch_related("phones")`` builds (a third of a list call's time)."""
    lookups = [
        Prefetch("phones", queryset=CustomerPhone.objects.order_by("-is_primary", "id"), to_attr="phone_list"),
        Prefetch("emails", queryset=CustomerEmail.objects.order_by("-is_primary", "id"), to_attr="email_list"),
    ]
    if interests:
        # In a list's hint, what a jeweler reaches for first: stones, then metals, designers, styles.
        hint_order = Case(
            *(When(kind=kind, then=Value(i)) for i, kind in enumerate(["stone", "metal", "designer", "style", "free"])),
            default=Value(9),
        )
        lookups.append(
            Prefetch("interests", queryset=Interest.objects.order_by(hint_order, "value_key"), to_attr="interest_list")
        )
    return qs.prefetch_related(*lookups)


def customer_summaries(qs: QuerySet[Customer], columns: Sequence[str]) -> QuerySet[Any]:
    """Rows of a list as plain values: only ``columns`` and the primary phone and email, in one
    query (a list row needs nothing else; building models and prefetching cost more than the SQL)."""
    first_phone = CustomerPhone.objects.filter(customer=OuterRef("pk")).order_by("-is_primary", "id")
    first_email = CustomerEmail.objects.filter(customer=OuterRef("pk")).order_by("-is_primary", "id")
    extra = ["search_rank"] if "search_rank" in qs.query.annotations else []
    return qs.annotate(
        primary_phone=Subquery(first_phone.values("e164")[:1]),
        primary_email=Subquery(first_email.values("address")[:1]),
    ).values(*columns, *extra, "primary_phone", "primary_email")


def summary_display_name(row: dict[str, Any], phone_region: str) -> str:
    """``Customer.display_name`` of a row of ``customer_summaries`` (with its name columns)."""
    return display_name_from(
        row["first_name"],
        row["preferred_name"],
        row["last_name"],
        lambda: phone_for_region(row["primary_phone"], phone_region) or row["primary_email"] or "",
    )


def customer_names(*, store: Store, ids: Iterable[int]) -> dict[int, str]:
    """The store's customers with these ids → the name the app shows for each (a customer without a
    name by their number as the store writes it, else their email), in one query."""
    wanted = set(ids)
    if not wanted:
        return {}
    rows = customer_summaries(
        Customer.objects.filter(store=store, pk__in=wanted), ("id", "first_name", "preferred_name", "last_name")
    )
    return {row["id"]: summary_display_name(row, store.phone_region) for row in rows}
