"""Filters of the customer list: one parser for the page, the API and saved segments, and the query.

Parameters (the same names on ``/customers/?...``, ``GET /api/v1/customers?...`` and in a
segment's ``filters``):

- ``q``: the search box (matching and ranking belong to ``selectors.customer_search``);
- ``interest`` (repeatable): a term (``gold``, ``sapph``, ``pearls``) matching an interest whose
  value holds it as a word or the start of one, accents, case and simple plurals aside
  (``interests.interest_condition``), or ``kind:term`` (``metal:gold``) for that kind alone;
  several, repeated or in a comma list, mean any of them (``sapphire`` and ``emerald``: fans of
  either); in a comma list a kind carries over to the terms after it that name none
  (``metal:gold, silver``: both metals; ``interest_terms``);
- ``date`` (birthday, partner_birthday, anniversary, wedding, engagement, any) with
  ``within`` (0 to 365 days): the month-day falls from today to ``within`` days ahead, today
  being the customer's own date (their time zone, else the store's);
- ``associate``: a staff member's user id, or ``unassigned``;
- ``contact_older_than``: days since the last contact, being added counting as the first
  (``last_contact_at``, else ``created_at``: a customer added yesterday is not "quiet for 30 days");
- ``spend_min`` / ``spend_max``: lifetime spend in the store's currency;
- ``source``; ``consent`` (sms, email, whatsapp): may be sent marketing on it now;
- ``sort``: name, newest, spend, last_purchase, last_contact, or soonest (the next date of the
  date filter's kind first; only with that filter). Default: the search's ranking when ``q`` is
  given, else soonest when a date filter is set, else name.

Every bad value gets its own message under its own name, and a name that is not a filter is
refused, never silently ignored.
"""

from __future__ import annotations

import base64
import datetime as dt
import json
import re
import unicodedata
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.exceptions import ValidationError
from django.db.models import Exists, F, OuterRef, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from trunkshow.core.validation import search_text, unsearchable
from trunkshow.customers import coming, search
from trunkshow.customers.interests import interest_condition, interest_key
from trunkshow.customers.models import (
    Channel,
    ConsentPurpose,
    CurrentConsent,
    Customer,
    CustomerEmail,
    CustomerPhone,
    DateKind,
    InterestKind,
    Source,
)
from trunkshow.stores.models import Membership, Store

FILTER_NAMES = (
    "q",
    "interest",
    "date",
    "within",
    "associate",
    "contact_older_than",
    "spend_min",
    "spend_max",
    "source",
    "consent",
    "sort",
)
REPEATABLE = frozenset({"interest"})
MAX_INTERESTS = 10
MAX_DAYS = 365
MAX_CONTACT_DAYS = 36_500
MAX_SPEND = Decimal("999999999999.99")

DATE_KINDS = ("birthday", "partner_birthday", "anniversary", "wedding", "engagement", "any")
CONSENT_CHANNELS = (Channel.SMS.value, Channel.EMAIL.value, Channel.WHATSAPP.value)
UNASSIGNED = "unassigned"


@dataclass(frozen=True)
class Sort:
    """A list order: one column (maybe NULL) then the id, both in the same direction."""

    name: str
    column: str
    descending: bool
    nullable: bool = False

    def order_by(self) -> list[Any]:
        # NULLS FIRST/LAST only where a column can be NULL: on PostgreSQL a NULLS clause that
        # differs from the btree's own order stops the index from serving the sort.
        if not self.nullable:
            return [f"-{self.column}" if self.descending else self.column, "-id" if self.descending else "id"]
        column = F(self.column).desc(nulls_last=True) if self.descending else F(self.column).asc(nulls_first=True)
        return [column, "-id" if self.descending else "id"]


SORTS: dict[str, Sort] = {
    "name": Sort("name", "sort_name", descending=False),
    "newest": Sort("newest", "created_at", descending=True),
    "spend": Sort("spend", "lifetime_spend", descending=True),
    "last_purchase": Sort("last_purchase", "last_purchase_on", descending=True, nullable=True),
    # The ones we have not spoken to for longest come first, never contacted at the top.
    "last_contact": Sort("last_contact", "last_contact_at", descending=False, nullable=True),
    # The date filter's next date (coming.soonest_key, an annotation), then the id.
    "soonest": Sort("soonest", "coming_key", descending=False),
}
SOONEST = "soonest"
RELEVANCE = "relevance"


def sort_labels() -> dict[str, str]:
    return {
        "name": _("Name"),
        "newest": _("Newest first"),
        "spend": _("Highest spend"),
        "last_purchase": _("Last purchase"),
        "last_contact": _("Longest without contact"),
        "soonest": _("Soonest date first"),
    }


def date_kind_labels() -> dict[str, str]:
    return {
        "any": _("Any date"),
        "birthday": _("Birthday"),
        "partner_birthday": _("Partner's birthday"),
        "anniversary": str(DateKind.ANNIVERSARY.label),
        "wedding": str(DateKind.WEDDING.label),
        "engagement": str(DateKind.ENGAGEMENT.label),
    }


def consent_labels() -> dict[str, str]:
    return {
        "sms": _("May be texted for marketing"),
        "email": _("May be emailed for marketing"),
        "whatsapp": _("May get WhatsApp marketing"),
    }


@dataclass(frozen=True)
class CustomerFilter:
    """Checked filters: what the list, the API, a segment and an export apply."""

    q: str = ""
    interests: tuple[tuple[str | None, str, str], ...] = ()  # (kind or None, as typed, interests.interest_key)
    date: str | None = None
    within: int | None = None
    associate: int | str | None = None  # a user id or UNASSIGNED
    contact_older_than: int | None = None
    spend_min: Decimal | None = None
    spend_max: Decimal | None = None
    source: str | None = None
    consent: str | None = None
    sort: str | None = None
    associate_name: str = field(default="", compare=False)

    @property
    def is_empty(self) -> bool:
        return not self.params()

    @property
    def has_filters(self) -> bool:
        """Anything beyond the search box and the order."""
        return bool(set(self.params()) - {"q", "sort"})

    def key_columns(self) -> tuple[str, ...]:
        """The columns a page's cursor needs, for lists read with ``.values()``."""
        sort = SORTS.get(self.effective_sort)
        return ("id", "sort_name") if sort is None else ("id", "sort_name", sort.column)

    @property
    def effective_sort(self) -> str:
        # A date filter lists who to call first, the soonest date at the top; a search keeps its
        # ranking (what was typed chose the order), and any sort chosen wins (ADR 0004).
        if self.sort and (self.sort != SOONEST or self.date):
            return self.sort
        if self.q:
            return RELEVANCE
        return SOONEST if self.date else "name"

    def params(self) -> dict[str, Any]:
        """The filters as parameters again (what a segment stores and a link carries), canonical."""
        out: dict[str, Any] = {}
        if self.q:
            out["q"] = self.q
        if self.interests:
            out["interest"] = [f"{kind}:{value}" if kind else value for kind, value, _key in self.interests]
        if self.date:
            out["date"] = self.date
            out["within"] = str(self.within)
        if self.associate is not None:
            out["associate"] = str(self.associate)
        if self.contact_older_than is not None:
            out["contact_older_than"] = str(self.contact_older_than)
        if self.spend_min is not None:
            out["spend_min"] = str(self.spend_min)
        if self.spend_max is not None:
            out["spend_max"] = str(self.spend_max)
        for name in ("source", "consent", "sort"):
            if getattr(self, name):
                out[name] = getattr(self, name)
        return out

    def chips(self, money: Callable[[Decimal], str] = str) -> list[tuple[str, str, dict[str, Any]]]:
        """(name, label, the parameters without it): what the page shows as removable chips."""
        params = self.params()
        chips: list[tuple[str, str, dict[str, Any]]] = []

        def without(name: str, item: str | None = None) -> dict[str, Any]:
            rest = {k: val for k, val in params.items() if k != name}
            if name == "date":
                rest.pop("within", None)
            if name == "date" and rest.get("sort") == SOONEST:
                rest.pop("sort")  # the soonest date of no date filter means nothing
            if item is not None:
                remaining = [x for x in params[name] if x != item]
                if remaining:
                    rest[name] = remaining
            return rest

        kinds = dict(InterestKind.choices)
        for (kind, value, _key), raw in zip(self.interests, params.get("interest", []), strict=True):
            label = f"{kinds[kind]}: {value}" if kind else value
            chips.append(("interest", str(label), without("interest", raw)))
        if self.date:
            label = _("%(kind)s within %(days)s days") % {"kind": date_kind_labels()[self.date], "days": self.within}
            if self.within == 0:
                label = _("%(kind)s today") % {"kind": date_kind_labels()[self.date]}
            chips.append(("date", label, without("date")))
        if self.associate is not None:
            label = _("Unassigned") if self.associate == UNASSIGNED else self.associate_name
            chips.append(("associate", _("Associate: %(name)s") % {"name": label}, without("associate")))
        if self.contact_older_than is not None:
            label = _("No contact for %(days)s days") % {"days": self.contact_older_than}
            chips.append(("contact_older_than", label, without("contact_older_than")))
        if self.spend_min is not None:
            chips.append(
                ("spend_min", _("Spent at least %(amount)s") % {"amount": money(self.spend_min)}, without("spend_min"))
            )
        if self.spend_max is not None:
            chips.append(
                ("spend_max", _("Spent at most %(amount)s") % {"amount": money(self.spend_max)}, without("spend_max"))
            )
        if self.source:
            chips.append(("source", _("Met: %(source)s") % {"source": Source(self.source).label}, without("source")))
        if self.consent:
            chips.append(("consent", consent_labels()[self.consent], without("consent")))
        return chips


# ---- parsing --------------------------------------------------------------------------------


def _values(data: Any, name: str) -> list[str]:
    """Every value of ``name`` in a QueryDict, or a JSON object (a string or a list of strings)."""
    if hasattr(data, "getlist"):
        return [str(x) for x in data.getlist(name)]
    value = data.get(name)
    if value is None:
        return []
    if isinstance(value, list | tuple):
        return [x if isinstance(x, str) else json.dumps(x) for x in value]
    return [value if isinstance(value, str) else json.dumps(value)]


def _whole_number(text: str, *, name: str, low: int, high: int, errors: dict[str, list[str]]) -> int | None:
    text = text.strip()
    if not text.isascii() or not text.isdigit() or len(text) > 9:
        errors.setdefault(name, []).append(_("Give a whole number of days from %(low)s to %(high)s.") % locals())
        return None
    number = int(text)
    if not low <= number <= high:
        errors.setdefault(name, []).append(_("Give a whole number of days from %(low)s to %(high)s.") % locals())
        return None
    return number


def _amount(text: str, *, name: str, errors: dict[str, list[str]]) -> Decimal | None:
    # As people write amounts: "$1,000", "1 000 €", "USD 250" are 1000, 1000 and 250.
    bare = "".join(ch for ch in text if not (ch.isspace() or unicodedata.category(ch) == "Sc"))
    bare = re.sub(r"^[A-Za-z]{3}|[A-Za-z]{3}$", "", bare)
    try:
        amount = Decimal(bare.replace(",", ""))
    except InvalidOperation:
        amount = None
    if amount is None or not amount.is_finite():
        errors.setdefault(name, []).append(_("Give an amount such as 250 or 1200.50."))
        return None
    if amount < 0 or amount > MAX_SPEND:
        errors.setdefault(name, []).append(_("Give an amount from 0 to 999,999,999,999.99."))
        return None
    if amount.as_tuple().exponent < -2:  # type: ignore[operator]
        errors.setdefault(name, []).append(_("Give the amount with at most two decimals."))
        return None
    return amount.quantize(Decimal("0.01"))


def interest_terms(values: Iterable[str]) -> list[str]:
    """The interest terms of parameter values, each a comma list, with their kinds carried over: in
    one value a ``kind:`` applies to the terms after it that name none, until another kind
    (``metal:gold, silver, stone:ruby, emerald`` is metal:gold, metal:silver, stone:ruby,
    stone:emerald). A term before any kind, or in a value of its own, is of any kind."""
    terms: list[str] = []
    for value in values:
        carried = ""
        for part in value.split(","):
            term = part.strip()
            if not term:
                continue
            kind_text, sep, _rest = term.partition(":")
            if sep:
                carried = kind_text.strip()
            elif carried:
                term = f"{carried}:{term}"
            terms.append(term)
    return terms


def interest_text(terms: Sequence[str]) -> str:
    """Interest terms as one comma list that ``interest_terms`` reads back to the same terms: those
    of any kind first, as a kind before them would carry over to them."""
    return ", ".join(sorted(terms, key=lambda term: ":" in term))


def filters_parse(
    data: Mapping[str, Any] | Any, *, store: Store, allowed_extra: Iterable[str] = (), blank_is_absent: bool = True
) -> CustomerFilter:
    """Check filter parameters (a QueryDict or a segment's JSON) against this store.

    Raises ``ValidationError({name: [message]})`` naming every bad parameter. Blank values are
    absent (an empty form field), so the page's form can send every field.
    """
    errors: dict[str, list[str]] = {}
    extra = set(allowed_extra)
    names = list(data.keys())
    unknown = sorted(n for n in names if n not in FILTER_NAMES and n not in extra)
    for name in unknown:
        errors[str(name)[:60]] = [
            _("Not a filter of the customer list; use %(known)s.") % {"known": ", ".join(FILTER_NAMES)}
        ]

    def one(name: str) -> str | None:
        values = [x for x in _values(data, name) if x.strip()] if blank_is_absent else _values(data, name)
        if len(values) > 1:
            errors.setdefault(name, []).append(_("Give this filter once."))
            return None
        return values[0].strip() if values else None

    got: dict[str, Any] = {}
    q = one("q")
    got["q"] = search_text(q) if q else ""
    if q and unsearchable(q):
        # Not the whole book as if the box were empty: the person typed something (a pasted NUL, a
        # zero-width space) and should hear that it cannot be looked for.
        errors.setdefault("q", []).append(
            _(
                "There is nothing to search for: the search holds only control or invisible characters. "
                "Type a name, a phone number or an email."
            )
        )

    interests: list[tuple[str | None, str, str]] = []
    # Repeated, or a comma list as the filter form's box takes them ("sapphire, emerald"), where a
    # kind carries over to the terms after it ("metal:gold, silver").
    raw_interests = interest_terms(_values(data, "interest"))
    if len(raw_interests) > MAX_INTERESTS:
        errors.setdefault("interest", []).append(_("Filter on at most %(n)s interests.") % {"n": MAX_INTERESTS})
    for raw in raw_interests[:MAX_INTERESTS]:
        kind_text, sep, value = raw.partition(":")
        kind: str | None = kind_text.strip().lower() if sep else None
        if not sep:
            value = raw
        if kind is not None and kind not in InterestKind.values:
            message = _("“%(kind)s” is not a kind of interest; use %(kinds)s.") % {
                "kind": kind_text[:30],
                "kinds": ", ".join(InterestKind.values),
            }
            if message not in errors.get("interest", []):  # once, though it carried over to more terms
                errors.setdefault("interest", []).append(message)
            continue
        value = search_text(value, max_length=61).strip()
        if not value or len(value) > 60:
            message = _("Give an interest of 1 to 60 characters, e.g. stone:sapphire.")
            if message not in errors.get("interest", []):
                errors.setdefault("interest", []).append(message)
            continue
        key = interest_key(value)
        if any(k == kind and existing == key for k, _value, existing in interests):
            continue
        interests.append((kind, value, key))
    got["interests"] = tuple(interests)

    date = one("date")
    within = one("within")
    if date is not None and date not in DATE_KINDS:
        errors.setdefault("date", []).append(_("Choose one of %(kinds)s.") % {"kinds": ", ".join(DATE_KINDS)})
    if within is not None:
        got["within"] = _whole_number(within, name="within", low=0, high=MAX_DAYS, errors=errors)
        if date is None and "date" not in errors:
            date = "any"
    elif date is not None:
        errors.setdefault("within", []).append(_("Say within how many days (0 to 365)."))
    got["date"] = date

    associate = one("associate")
    if associate is not None:
        if associate.lower() == UNASSIGNED:
            got["associate"] = UNASSIGNED
        elif associate.isascii() and associate.isdigit() and len(associate) < 19:
            membership = Membership.objects.filter(store=store, user_id=int(associate)).select_related("user").first()
            if membership is None:
                errors.setdefault("associate", []).append(_("No staff member with this id in this store."))
            else:
                got["associate"] = int(associate)
                got["associate_name"] = str(membership.user)
        else:
            errors.setdefault("associate", []).append(_("Give a staff member's id, or “unassigned”."))

    older = one("contact_older_than")
    if older is not None:
        got["contact_older_than"] = _whole_number(
            older, name="contact_older_than", low=1, high=MAX_CONTACT_DAYS, errors=errors
        )

    for name in ("spend_min", "spend_max"):
        text = one(name)
        if text is not None:
            got[name] = _amount(text, name=name, errors=errors)
    if got.get("spend_min") is not None and got.get("spend_max") is not None and got["spend_min"] > got["spend_max"]:
        errors.setdefault("spend_max", []).append(_("The highest spend is below the lowest."))

    source = one("source")
    if source is not None:
        if source in Source.values:
            got["source"] = source
        else:
            errors.setdefault("source", []).append(_("Choose one of %(s)s.") % {"s": ", ".join(Source.values)})

    consent = one("consent")
    if consent is not None:
        if consent in CONSENT_CHANNELS:
            got["consent"] = consent
        else:
            errors.setdefault("consent", []).append(_("Choose one of %(c)s.") % {"c": ", ".join(CONSENT_CHANNELS)})

    sort = one("sort")
    if sort is not None:
        if sort not in SORTS:
            errors.setdefault("sort", []).append(_("Sort by one of %(s)s.") % {"s": ", ".join(SORTS)})
        elif sort == SOONEST and date is None:
            errors.setdefault("sort", []).append(
                _("Sort by the soonest date together with a date filter (date and within).")
            )
        else:
            got["sort"] = sort

    if errors:
        raise ValidationError(errors)
    return CustomerFilter(**got)


# ---- the query ----------------------------------------------------------------------------


def filters_apply(
    qs: QuerySet[Customer],
    *,
    store: Store,
    filters: CustomerFilter,
    now: dt.datetime | None = None,
    indexed: bool = True,
) -> QuerySet[Customer]:
    """Narrow a customer queryset (search results or the whole book) by every filter, then order it.

    ``indexed=False``: the date window without its indexes' superset (``customers_walked``)."""
    now = now or timezone.now()
    narrowed = _narrowed(qs, store=store, filters=filters, now=now, indexed=indexed)
    return _ordered(narrowed, store=store, filters=filters, now=now)


def _narrowed(
    qs: QuerySet[Customer], *, store: Store, filters: CustomerFilter, now: dt.datetime, indexed: bool = True
) -> QuerySet[Customer]:
    qs = qs.filter(store=store, erased_at__isnull=True)
    if filters.interests:
        qs = qs.filter(interest_condition([(kind, key) for kind, _value, key in filters.interests]))
    if filters.date and filters.within is not None:
        qs = qs.filter(coming.date_condition(store, filters.date, filters.within, now, indexed=indexed))
    if filters.associate == UNASSIGNED:
        qs = qs.filter(assigned_associate__isnull=True)
    elif isinstance(filters.associate, int):
        qs = qs.filter(assigned_associate_id=filters.associate)
    if filters.contact_older_than is not None:
        cutoff = now - dt.timedelta(days=filters.contact_older_than)
        # Being added is the first contact: someone added yesterday has not gone N days without one
        # (ADR 0004, amendment 15). Each branch is a range on one column of the customer's row.
        qs = qs.filter(Q(last_contact_at__lt=cutoff) | Q(last_contact_at__isnull=True, created_at__lt=cutoff))
    if filters.spend_min is not None:
        qs = qs.filter(lifetime_spend__gte=filters.spend_min)
    if filters.spend_max is not None:
        qs = qs.filter(lifetime_spend__lte=filters.spend_max)
    if filters.source:
        qs = qs.filter(source=filters.source)
    if filters.consent:
        granted = CurrentConsent.objects.filter(
            customer=OuterRef("pk"), channel=filters.consent, purpose=ConsentPurpose.MARKETING, granted=True
        )
        reach: Any = CustomerEmail if filters.consent == Channel.EMAIL else CustomerPhone
        # A customer's own emails or phones, by the base manager: a store condition here is read
        # by SQLite without statistics as "scan the store's", for each customer (interests.py).
        qs = qs.filter(Exists(granted), Exists(reach._base_manager.filter(customer=OuterRef("pk"))))
    return qs


def _ordered(qs: QuerySet[Customer], *, store: Store, filters: CustomerFilter, now: dt.datetime) -> QuerySet[Customer]:
    """In the list's order: the search's ranking as it is, or the sort (its key computed first)."""
    sort = filters.effective_sort
    if sort == RELEVANCE:
        return qs
    if sort == SOONEST:
        assert filters.date  # effective_sort never says soonest without a date filter
        qs = qs.annotate(coming_key=coming.soonest_key(store, filters.date, now))
    return qs.order_by(*SORTS[sort].order_by())


def customers_filtered(*, store: Store, filters: CustomerFilter, now: dt.datetime | None = None) -> QuerySet[Customer]:
    """The search box's matches (in its ranking) narrowed by the filters: what every list shows.

    With both, the filters go first and into the search's candidate lookups: the search ranks
    at most search.CANDIDATES customers, and those must be ones the filters keep, or a match
    the filters keep would be ranked after many that they drop. Every match the filters keep is
    in the list either way (``search.apply``).
    """
    from trunkshow.customers.selectors import customer_search

    now = now or timezone.now()
    if not (search_text(filters.q) and filters.has_filters):
        return filters_apply(customer_search(store=store, q=filters.q), store=store, filters=filters, now=now)
    kept = _narrowed(
        Customer.objects.filter(store=store, erased_at__isnull=True), store=store, filters=filters, now=now
    )
    found = search.apply(kept, store=store, q=filters.q, narrowed=True)
    return _ordered(found, store=store, filters=filters, now=now)


def customers_walked(*, store: Store, filters: CustomerFilter, now: dt.datetime) -> QuerySet[Customer] | None:
    """The rows of ``customers_filtered`` with the date window checked on each row as the order's
    index is walked, for ``page_in_order(walk=...)``; None when there is nothing to walk: no date
    filter, a search (its own candidates are few), or the soonest order (no index holds it).

    A page of a dense window (a month of birthdays: 5% of a book) is found within a few hundred
    rows of the name index, where the indexes' superset first reads the whole window (ADR 0004,
    amendment 12). None too where the list reads the window without that superset: walking
    would only repeat the same plan."""
    if not filters.date or filters.within is None or filters.q or filters.effective_sort in (RELEVANCE, SOONEST):
        return None
    if not coming.date_condition_indexed(store, filters.date, filters.within, now):
        return None  # the list's own condition is already checked row by row (a year's window; birthdays on PostgreSQL)
    from trunkshow.customers.selectors import customer_search

    return filters_apply(customer_search(store=store, q=""), store=store, filters=filters, now=now, indexed=False)


# ---- paging in the list's order ----------------------------------------------------------


MAX_RELEVANCE_OFFSET = 1000


def _encode(values: Sequence[Any]) -> str:
    return base64.urlsafe_b64encode(json.dumps(list(values), separators=(",", ":")).encode()).decode().rstrip("=")


class BadCursor(ValueError):
    pass


def _decode(cursor: str) -> list[Any]:
    if len(cursor) > 1000:
        raise BadCursor
    try:
        raw = base64.urlsafe_b64decode((cursor + "=" * (-len(cursor) % 4)).encode())
        values = json.loads(raw, parse_constant=lambda name: (_ for _ in ()).throw(ValueError(name)))
    except (ValueError, TypeError, RecursionError):
        raise BadCursor from None
    if not isinstance(values, list) or len(values) != 3 or not isinstance(values[0], str):
        raise BadCursor
    return values


def _get(row: Any, name: str) -> Any:
    """A column of a list row: a model, or a dict from ``.values()``."""
    return row[name] if isinstance(row, dict) else getattr(row, "pk" if name == "id" else name)


def _key_of(row: Any, sort: Sort) -> Any:
    value = _get(row, sort.column)
    if isinstance(value, dt.datetime):
        return value.astimezone(dt.UTC).isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    return value


def _key_value(sort: Sort, value: Any) -> Any:
    if value is None:
        if not sort.nullable:
            raise BadCursor
        return None
    if sort.name == SOONEST:  # a day number (coming.soonest_key), not a column
        if isinstance(value, bool) or not isinstance(value, int) or not 0 < value < 2**31:
            raise BadCursor
        return value
    if isinstance(value, bool) or not isinstance(value, str):
        raise BadCursor
    field_: Any = Customer._meta.get_field(sort.column)
    try:
        clean = field_.to_python(value)
    except (ValidationError, ValueError, TypeError, OverflowError):
        raise BadCursor from None
    if isinstance(clean, dt.datetime) and clean.tzinfo is None:
        raise BadCursor
    if clean is None:
        raise BadCursor
    return clean


def _beyond_parts(sort: Sort, value: Any, pk: int) -> list[Q]:
    """Rows after (value, pk) in the sort's order (NULLs last when descending, first when
    ascending), as conditions read one after the other: each is one range of the sort's index.

    Written ``col >= v AND (col > v OR id > pk)`` rather than ``col > v OR (col = v AND id > pk)``:
    the same rows, but the first term is a range the (store, col, id) index can seek to, where
    the plain OR made SQLite scan from the top for every page (quadratic over an export). The
    NULLs are a part of their own for the same reason: ``... OR col IS NULL`` in one condition
    made PostgreSQL sort the whole store instead of walking the index.
    """
    col = sort.column
    if sort.descending:
        if value is None:
            return [Q(**{f"{col}__isnull": True, "pk__lt": pk})]
        after = Q(**{f"{col}__lte": value}) & (Q(**{f"{col}__lt": value}) | Q(pk__lt=pk))
        return [after, Q(**{f"{col}__isnull": True})] if sort.nullable else [after]
    if value is None:
        return [Q(**{f"{col}__isnull": True, "pk__gt": pk}), Q(**{f"{col}__isnull": False})]
    return [Q(**{f"{col}__gte": value}) & (Q(**{f"{col}__gt": value}) | Q(pk__gt=pk))]


def _beyond(sort: Sort, value: Any, pk: int) -> Q:
    """The rows of ``_beyond_parts`` as one condition (for a count, or a filter on a big read)."""
    parts = _beyond_parts(sort, value, pk)
    condition = parts[0]
    for part in parts[1:]:
        condition |= part
    return condition


def rows_beyond(qs: QuerySet[Any], sort: Sort, value: Any, pk: int, limit: int) -> list[Any]:
    """Up to ``limit`` rows of ``qs`` (ordered by ``sort``) after (value, pk): one query, or two
    when the page crosses from the dated rows to the NULLs."""
    rows: list[Any] = []
    for part in _beyond_parts(sort, value, pk):
        rows += list(qs.filter(part)[: limit - len(rows)])
        if len(rows) >= limit:
            break
    return rows


@dataclass(frozen=True)
class OrderedPage:
    rows: list[Any]
    next_cursor: str | None
    previous_cursor: str | None


def _reversed(sort: Sort) -> Sort:
    # Descending puts NULLs last and ascending first, so the reverse order is the other direction.
    return Sort(sort.name, sort.column, not sort.descending, sort.nullable)


def _position(cursor: str, sort_name: str) -> tuple[Any, int]:
    values = _decode(cursor)
    if values[0] != sort_name:
        raise BadCursor
    if sort_name == RELEVANCE:
        offset = values[1]
        if isinstance(offset, bool) or not isinstance(offset, int) or not 0 <= offset <= MAX_RELEVANCE_OFFSET:
            raise BadCursor
        return None, offset
    pk = values[2]
    if isinstance(pk, bool) or not isinstance(pk, int) or not 0 < pk < 2**63:
        raise BadCursor
    return _key_value(SORTS[sort_name], values[1]), pk


def page_in_order(
    qs: QuerySet[Any],
    *,
    filters: CustomerFilter,
    cursor: str | None = None,
    before: str | None = None,
    limit: int = 25,
    walk: QuerySet[Any] | None = None,
    store: Store | None = None,
) -> OrderedPage:
    """One page in the list's order, with cursors to the next and previous pages.

    ``cursor`` continues after a position, ``before`` goes back from one. A chosen sort pages by
    keyset (its column, then the id: stable under inserts, fast deep down); the search's own
    ranking pages by position, as far as MAX_RELEVANCE_OFFSET (nobody reads page 40 of a
    search). A cursor that is not one we gave out for this order raises BadCursor.

    ``walk`` (with the ``store``): the same rows as ``qs``, read the same way, from
    ``customers_walked``: the page is first looked for among the next WALK_BUDGET customers of
    the order's index (``_walked``), and only if it is not filled there read from ``qs``.
    """
    sort_name = filters.effective_sort
    if sort_name == RELEVANCE and "search_rank" in qs.query.annotations:
        return _ranked_page(qs, cursor=cursor, before=before, limit=limit)
    if sort_name == RELEVANCE:
        if before:
            _none, end = _position(before, RELEVANCE)
            offset = max(0, end - limit)
            rows = list(qs[offset:end])
            previous = _encode([RELEVANCE, offset, None]) if offset > 0 else None
            return OrderedPage(rows, _encode([RELEVANCE, end, None]) if rows else None, previous)
        offset = _position(cursor, RELEVANCE)[1] if cursor else 0
        rows = list(qs[offset : offset + limit + 1])
        more = len(rows) > limit and offset + limit < MAX_RELEVANCE_OFFSET
        previous = _encode([RELEVANCE, offset, None]) if offset > 0 and rows else None
        return OrderedPage(rows[:limit], _encode([RELEVANCE, offset + limit, None]) if more else None, previous)

    sort = SORTS[sort_name]

    def encode(row: Any) -> str:
        return _encode([sort_name, _key_of(row, sort), _get(row, "id")])

    walking = walk is not None and store is not None and sort_name != SOONEST
    if before and not cursor:
        value, pk = _position(before, sort_name)
        back = _reversed(sort)
        found = _walked(walk, store, back, _beyond_parts(back, value, pk), limit + 1) if walking else None
        rows = rows_beyond(qs.order_by(*back.order_by()), back, value, pk, limit + 1) if found is None else found
        has_more = len(rows) > limit
        rows = rows[:limit][::-1]
        return OrderedPage(rows, encode(rows[-1]) if rows else None, encode(rows[0]) if has_more and rows else None)
    if cursor:
        value, pk = _position(cursor, sort_name)
        found = _walked(walk, store, sort, _beyond_parts(sort, value, pk), limit + 1) if walking else None
        rows = rows_beyond(qs, sort, value, pk, limit + 1) if found is None else found
    else:
        found = _walked(walk, store, sort, _all_parts(sort), limit + 1) if walking else None
        rows = list(qs[: limit + 1]) if found is None else found
    following = encode(rows[limit - 1]) if len(rows) > limit else None
    rows = rows[:limit]
    return OrderedPage(rows, following, encode(rows[0]) if cursor and rows else None)


# How many customers of an order's index a page is looked for among before the window's indexes
# are asked instead: 26 rows are found within it when more than 0.65% of the book is in the window
# (a month of birthdays is 5%: about 500 rows; a week's 1%: 2,500). The first WALK_STEP tell how
# dense the window is; the walk goes on only if the page is expected within the rest, so a sparse
# window wastes that step alone, a millisecond or two (ADR 0004, amendment 12; bench/dates.py).
WALK_BUDGET = 4000
WALK_STEP = 250


def _all_parts(sort: Sort) -> list[Q]:
    """The whole order as ranges of its index, one after the other, as ``_beyond_parts`` gives
    the rows after a cursor: the dated rows and the NULLs (first ascending, last descending)."""
    if not sort.nullable:
        return [Q()]
    dated, undated = Q(**{f"{sort.column}__isnull": False}), Q(**{f"{sort.column}__isnull": True})
    return [dated, undated] if sort.descending else [undated, dated]


def _through(sort: Sort, value: Any, pk: int) -> Q:
    """The rows up to (value, pk) in the sort's order, the row itself included, within one part
    of ``_beyond_parts`` (where the column is either always NULL or never)."""
    col = sort.column
    if value is None:
        return Q(pk__lte=pk) if not sort.descending else Q(pk__gte=pk)
    if sort.descending:
        return Q(**{f"{col}__gte": value}) & (Q(**{f"{col}__gt": value}) | Q(pk__gte=pk))
    return Q(**{f"{col}__lte": value}) & (Q(**{f"{col}__lt": value}) | Q(pk__lte=pk))


def _walked(walk: Any, store: Any, sort: Sort, parts: list[Q], limit: int) -> list[Any] | None:
    """Up to ``limit`` rows of ``walk`` in the sort's order within ``parts``, if they are found
    among the first WALK_BUDGET customers of the order; None when they are not, or not expected to
    be from the share of the first WALK_STEP that matched.

    Each step's bound is its last customer in the store's live book, read from the sort's index
    alone; below it the walk's condition (the date window checked per row) stops the planner at
    that row however few match. Every row of the walk is in the book, in the same order, so what
    is found below a bound is exactly what the whole list holds there.
    """
    book = Customer._base_manager.filter(store=store, erased_at__isnull=True).order_by(*sort.order_by())
    rows: list[int] = []  # the ids found; the page's rows are read once at the end (with what they prefetch)
    read = 0
    for part in parts:
        rest = part
        while True:
            step = min(WALK_STEP if read == 0 else WALK_BUDGET - read, WALK_BUDGET - read)
            bound = list(book.filter(rest).values_list(sort.column, "pk")[step - 1 : step])
            found = walk.filter(rest).order_by(*sort.order_by())
            if bound:
                found = found.filter(_through(sort, *bound[0]))
            rows += list(found.values_list("pk", flat=True)[: limit - len(rows)])
            if len(rows) >= limit:
                return _rows_of(walk, sort, rows)
            if not bound:  # the part ends within the step: on to the next one
                break
            read += step
            # The part goes on: walk on only while the page is expected within the budget.
            if not rows or read + (limit - len(rows)) * read / len(rows) > WALK_BUDGET:
                return None
            rest = part & _beyond_parts(sort, *bound[0])[0]
    return _rows_of(walk, sort, rows)


def _rows_of(walk: Any, sort: Sort, ids: list[int]) -> list[Any]:
    return list(walk.filter(pk__in=ids).order_by(*sort.order_by())) if ids else []


RANKED = "ranked"


def _ranked_beyond(rank: int, sort_name: str, pk: int, *, before: bool) -> Q:
    op = "lt" if before else "gt"
    return (
        Q(**{f"search_rank__{op}": rank})
        | Q(search_rank=rank, **{f"sort_name__{op}": sort_name})
        | Q(search_rank=rank, sort_name=sort_name, **{f"pk__{op}": pk})
    )


def ranked_after(rank: int, sort_name: str, pk: int) -> Q:
    """The rows after (search_rank, sort_name, id) in the search's ranking (the export reads on by it)."""
    return _ranked_beyond(rank, sort_name, pk, before=False)


def ranked_position(cursor: str) -> tuple[int, str, int]:
    values = _decode(cursor)
    if values[0] != RANKED or not isinstance(values[1], list) or len(values[1]) != 2:
        raise BadCursor
    (rank, sort_name), pk = values[1], values[2]
    for number in (rank, pk):
        if isinstance(number, bool) or not isinstance(number, int) or not 0 <= number < 2**63:
            raise BadCursor
    if not isinstance(sort_name, str) or "\x00" in sort_name or len(sort_name) > 300:
        raise BadCursor
    return rank, sort_name, pk


def ranked_cursor(rank: int, sort_name: str, pk: int) -> str:
    return _encode([RANKED, [rank, sort_name], pk])


def _ranked_page(qs: QuerySet[Any], *, cursor: str | None, before: str | None, limit: int) -> OrderedPage:
    """The search's ranking (search_rank, then name, then id), paged by keyset like any sort."""

    def encode(row: Any) -> str:
        return ranked_cursor(_get(row, "search_rank"), _get(row, "sort_name"), _get(row, "id"))

    if before and not cursor:
        back = qs.filter(_ranked_beyond(*ranked_position(before), before=True))
        rows = list(back.order_by("-search_rank", "-sort_name", "-id")[: limit + 1])
        has_more = len(rows) > limit
        rows = rows[:limit][::-1]
        return OrderedPage(rows, encode(rows[-1]) if rows else None, encode(rows[0]) if has_more and rows else None)
    if cursor:
        qs = qs.filter(_ranked_beyond(*ranked_position(cursor), before=False))
    rows = list(qs.order_by("search_rank", "sort_name", "id")[: limit + 1])
    following = encode(rows[limit - 1]) if len(rows) > limit else None
    rows = rows[:limit]
    return OrderedPage(rows, following, encode(rows[0]) if cursor and rows else None)
