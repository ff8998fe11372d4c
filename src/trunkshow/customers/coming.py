"""Coming dates: which customers have a date within N days, when it falls, and the soonest first.

Birthdays, partners' birthdays and important dates are month-days, compared from each customer's
own today (their time zone, else the store's). At any moment only two or three local dates exist
on Earth, so the zones are grouped by their local date now (``local_today_groups``) and every
condition or sort key is written once per group, never once per customer (ADR 0004, decision 3).
A 29 February falls on the 28th in a year without one, here and in the window alike.

Three readers of the same rules: the list's condition (``date_condition``), the "soonest first"
sort key in SQL (``soonest_key``: the days until the next occurrence, counted on the store's
calendar as a day number, so a page's cursor still holds after the store's midnight), and each
row's coming dates for the page, the API and the export (``coming_dates``), computed in Python
from the same ``next_on``.
"""

from __future__ import annotations

import calendar
import datetime as dt
import functools
import zoneinfo
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from django.db import connection
from django.db.models import (
    Case,
    Exists,
    F,
    IntegerField,
    OuterRef,
    Q,
    Subquery,
    Value,
    When,
)
from django.db.models.functions import Coalesce, Least
from django.utils import timezone
from django.utils.translation import get_language, npgettext, pgettext

from trunkshow.customers.models import Customer, DateKind, ImportantDate
from trunkshow.stores.models import Store

# What a date filter's kind takes in: "any" is every one of them, custom dates included.
BIRTHDAY, PARTNER_BIRTHDAY = "birthday", "partner_birthday"
# Above every day number a date can have (``date.max`` is 3,652,059): "no date of this kind".
NO_DATE = 9_999_999


def kinds_of(kind: str) -> tuple[str, ...]:
    """The dates a filter's kind looks at: birthday, partner_birthday and ImportantDate kinds."""
    if kind == "any":
        return (BIRTHDAY, PARTNER_BIRTHDAY, *DateKind.values)
    return (kind,)


# ---- one customer's calendar ----------------------------------------------------------------


def is_leap(year: int) -> bool:
    return calendar.isleap(year)


def _on(year: int, month: int, day: int) -> dt.date:
    # 29 February in a year without one is celebrated on the 28th (a day past a month's end, which
    # no form accepts, on its last day).
    return dt.date(year, month, min(day, calendar.monthrange(year, month)[1]))


def next_on(month: int, day: int, today: dt.date) -> dt.date:
    """The next date (today included) on which a month-day falls."""
    this_year = _on(today.year, month, day)
    return this_year if this_year >= today else _on(today.year + 1, month, day)


_ALL_ZONES: frozenset[str] | None = None


def _zones() -> frozenset[str]:
    global _ALL_ZONES
    if _ALL_ZONES is None:
        _ALL_ZONES = frozenset(zoneinfo.available_timezones())
    return _ALL_ZONES


@functools.cache
def _zone_infos() -> tuple[tuple[str, zoneinfo.ZoneInfo], ...]:
    """Every zone by name, loaded once: ``ZoneInfo`` keeps only its last few zones alive, so
    reading all 600 each time read most of their files again (15 ms a page)."""
    infos = []
    for name in sorted(_zones()):
        try:
            infos.append((name, zoneinfo.ZoneInfo(name)))
        except (zoneinfo.ZoneInfoNotFoundError, ValueError):  # pragma: no cover - a broken tzdata entry
            continue
    return tuple(infos)


def local_today(store: Store, time_zone: str, now: dt.datetime) -> dt.date:
    """A customer's today: in their zone, else (blank or unknown, as the SQL groups read it) the store's."""
    zone = zoneinfo.ZoneInfo(time_zone) if time_zone in _zones() else store.tz
    return now.astimezone(zone).date()


def local_today_groups(store: Store, now: dt.datetime | None = None) -> list[tuple[dt.date, list[str] | None]]:
    """Today's date per group of time zones: at any moment there are two or three such dates.

    The group holding the store's own date is returned with ``None`` for its zones: it takes
    every customer not in another group (a blank or unknown zone means the store's).
    """
    now = now or timezone.now()
    store_today = now.astimezone(store.tz).date()
    groups: dict[dt.date, list[str]] = {}
    for name, zone in _zone_infos():
        local = now.astimezone(zone).date()
        if local != store_today:
            groups.setdefault(local, []).append(name)
    return [(store_today, None), *sorted(groups.items())]


# ---- the window, as a condition -----------------------------------------------------------


def _md_range(month_field: str, day_field: str, start: tuple[int, int], end: tuple[int, int]) -> Q:
    """Month-days from ``start`` to ``end`` inclusive (same year, start <= end), index-friendly."""
    (m1, d1), (m2, d2) = start, end
    if m1 == m2:
        return Q(**{month_field: m1, f"{day_field}__gte": d1, f"{day_field}__lte": d2})
    condition = Q(**{month_field: m1, f"{day_field}__gte": d1}) | Q(**{month_field: m2, f"{day_field}__lte": d2})
    if m2 - m1 > 1:
        condition |= Q(**{f"{month_field}__gt": m1, f"{month_field}__lt": m2})
    return condition


def _window(month_field: str, day_field: str, today: dt.date, days: int) -> Q:
    """The month-day falls on ``today`` or up to ``days`` later; across the new year, and a
    29 February counts on the 28th in a year without one."""
    last = today + dt.timedelta(days=days)
    if days >= 365:  # a whole year: every month-day, 29 February included
        return Q(**{f"{month_field}__isnull": False})
    spans: list[tuple[tuple[int, int], tuple[int, int]]] = []
    if last.year == today.year:
        spans.append(((today.month, today.day), (last.month, last.day)))
    else:
        spans.append(((today.month, today.day), (12, 31)))
        spans.append(((1, 1), (last.month, last.day)))
    condition = Q()
    for start, end in spans:
        condition |= _md_range(month_field, day_field, start, end)
    # 28 February in the window of a year without a 29th: those born on the 29th celebrate then.
    for year in range(today.year, last.year + 1):
        if not is_leap(year) and today <= dt.date(year, 2, 28) <= last:
            condition |= Q(**{month_field: 2, day_field: 29})
    return condition


def _in_group(zones: list[str] | None, others: list[str]) -> Q:
    if zones is not None:
        return Q(time_zone__in=zones)
    return ~Q(time_zone__in=others) if others else Q()


def _candidates(store: Store, kinds: Sequence[str], groups: Sequence[tuple[dt.date, Any]], days: int) -> Q | None:
    """A superset of the window's customers that the month-day indexes find by themselves: the
    days from the earliest local today to the latest one's window end, for every zone at once.

    The exact condition (one window per group of zones) is an OR of ANDs over the time zone, which
    no index serves: without this both engines read the whole store, and SQLite took 1.7 s to count
    a 30-day window at 1M customers. Each part here is one index's range (the customer's birthday,
    a noted partner's, the partner customer's, the important dates'), joined as ``id IN (...)``.
    None when the span is a whole year (every dated customer: nothing to narrow), and on
    PostgreSQL for birthdays alone: there the condition is all in the customer's row, and a
    parallel scan of the store counts a 30-day window in 0.1 s where the superset takes 0.2 s.
    For the partners' and the important dates PostgreSQL too needs it (0.6-2.9 s without, at 1M;
    ``bench/dates.py``, docs/benchmarks.md).
    """
    first = min(today for today, _zones in groups)
    span = days + (max(today for today, _zones in groups) - first).days
    if span >= 365 or (connection.vendor == "postgresql" and set(kinds) == {BIRTHDAY}):
        return None
    customers = Customer._base_manager.filter(store=store)
    parts: list[Any] = []
    if BIRTHDAY in kinds:
        parts.append(customers.filter(_window("birthday_month", "birthday_day", first, span)).values("pk"))
    if PARTNER_BIRTHDAY in kinds:
        noted = _window("partner_birthday_month", "partner_birthday_day", first, span)
        parts.append(customers.filter(noted, partner__isnull=True).values("pk"))
        # Those with a partner who is a customer, from the partner index (few in a book: both
        # engines otherwise read the whole store to join it), whose partner's birthday is in it.
        born = customers.filter(_window("birthday_month", "birthday_day", first, span)).values("pk")
        parts.append(Customer._base_manager.filter(partner__isnull=False, partner__in=born).values("pk"))
    important = [k for k in kinds if k in DateKind.values]
    if important:
        dated = ImportantDate._base_manager.filter(store=store, kind__in=important)
        parts.append(dated.filter(_window("month", "day", first, span)).values("customer_id"))
    # One ``id IN (... UNION ...)``, the set made once: with an OR of several INs PostgreSQL read
    # the store and probed each set for every row (1.2 s for "any date" at 1M, 0.6 s now).
    first_part, *others = parts
    return Q(pk__in=first_part.order_by().union(*(part.order_by() for part in others)) if others else first_part)


def date_condition(store: Store, kind: str, days: int, now: dt.datetime | None, *, indexed: bool = True) -> Q:
    """Customers with a date of ``kind`` in the window, each compared in their own time zone:
    one condition per distinct local date (two or three), never one per customer, behind a
    superset the indexes find (``_candidates``).

    ``indexed=False`` leaves the superset out: the same customers, each row checked where it is
    read, for walking an order's index a page at a time (``filtering.page_in_order``): the superset
    is built whole before the first row, the price of a dense window's page by name (ADR 0004,
    amendment 12)."""
    groups = local_today_groups(store, now)
    candidates = _candidates(store, kinds_of(kind), groups, days) if indexed else None
    exact = zones_condition(kind, days, groups)
    return exact if candidates is None else candidates & exact


def date_condition_indexed(store: Store, kind: str, days: int, now: dt.datetime | None) -> bool:
    """Whether ``date_condition`` reads the window through its indexes' superset (else it is the
    plain condition, which an order's index walk checks row by row as it is)."""
    return _candidates(store, kinds_of(kind), local_today_groups(store, now), days) is not None


def zones_condition(kind: str, days: int, groups: Sequence[tuple[dt.date, list[str] | None]]) -> Q:
    """The window alone, one per group of zones (``bench/dates.py`` times it beside the whole)."""
    others = [zone for _today, zones in groups for zone in (zones or [])]
    kinds = kinds_of(kind)
    condition = Q()
    for today, zones in groups:
        dates = Q()
        if BIRTHDAY in kinds:
            dates |= _window("birthday_month", "birthday_day", today, days)
        if PARTNER_BIRTHDAY in kinds:
            # A partner who is a customer has their own birthday; otherwise the one noted here.
            dates |= Q(partner__isnull=True) & _window("partner_birthday_month", "partner_birthday_day", today, days)
            dates |= _window("partner__birthday_month", "partner__birthday_day", today, days)
        important = [k for k in kinds if k in DateKind.values]
        if important:
            dated = ImportantDate.objects.filter(customer=OuterRef("pk"), kind__in=important).filter(
                _window("month", "day", today, days)
            )
            dates |= Q(Exists(dated))
        condition |= _in_group(zones, others) & dates
    return condition


# ---- the soonest first, as a sort key -----------------------------------------------------


def _day_number(month_field: str, day_field: str, today: dt.date) -> Case:
    """The day number (``date.toordinal``) of the next time a month-day falls from ``today``:
    per month a constant plus the day, the month of today split into this year's days and next
    year's, and a day past a month's end (29 February in a year without one) on its last day."""
    whens: list[When] = []
    for month in range(1, 13):
        years = [today.year if month > today.month else today.year + 1]
        if month == today.month:
            years = [today.year, today.year + 1]
        for year in years:
            last = calendar.monthrange(year, month)[1]
            low = today.day if (year, month) == (today.year, today.month) else 1
            high = today.day - 1 if (year, month) == (today.year + 1, today.month) else last
            first = dt.date(year, month, 1).toordinal() - 1
            if low <= high:
                whens.append(
                    When(
                        Q(**{month_field: month, f"{day_field}__gte": low, f"{day_field}__lte": high}),
                        then=Value(first) + F(day_field),
                    )
                )
            if high == last < 31:
                whens.append(
                    When(
                        Q(**{month_field: month, f"{day_field}__gt": last}),
                        then=Value(dt.date(year, month, last).toordinal()),
                    )
                )
    return Case(*whens, default=Value(None), output_field=IntegerField())


def _soonest_of(kinds: Sequence[str], today: dt.date) -> Any:
    """The soonest of a customer's dates of these kinds from ``today``, as a day number."""
    keys: list[Any] = []
    if BIRTHDAY in kinds:
        keys.append(_day_number("birthday_month", "birthday_day", today))
    if PARTNER_BIRTHDAY in kinds:
        noted = _day_number("partner_birthday_month", "partner_birthday_day", today)
        keys.append(Case(When(partner__isnull=True, then=noted), default=Value(None), output_field=IntegerField()))
        keys.append(_day_number("partner__birthday_month", "partner__birthday_day", today))
    important = [k for k in kinds if k in DateKind.values]
    if important:
        # By the base manager: the probe names the customer only (ADR 0004, decision 8).
        dated = (
            ImportantDate._base_manager.filter(customer=OuterRef("pk"), kind__in=important)
            .annotate(key=_day_number("month", "day", today))
            .order_by("key")
            .values("key")[:1]
        )
        keys.append(Subquery(dated, output_field=IntegerField()))
    if len(keys) == 1:
        return keys[0]
    # LEAST is NULL on SQLite when any of its values is: each absent date is NO_DATE instead.
    return Least(*(Coalesce(key, Value(NO_DATE)) for key in keys), output_field=IntegerField())


def soonest_key(store: Store, kind: str, now: dt.datetime | None) -> Case:
    """Per customer, when the next date of ``kind`` comes, as the store's own day number on which
    it is as many days away as the row says ("today", "in 2 days"): the "soonest first" order
    (then the id). The next date in the customer's calendar shifted by their today's difference
    from the store's (a day at most, either way), so the rows' days never go down the list, and a
    cursor still holds when the store's midnight passes during the paging (ADR 0004, amendment 11).
    """
    groups = local_today_groups(store, now)
    others = [zone for _today, zones in groups for zone in (zones or [])]
    kinds = kinds_of(kind)
    (store_today, _none), *elsewhere = groups
    return Case(
        *(
            When(_in_group(zones, others), then=_soonest_of(kinds, today) + Value((store_today - today).days))
            for today, zones in elsewhere
        ),
        default=_soonest_of(kinds, store_today),
        output_field=IntegerField(),
    )


# ---- each row's coming dates ----------------------------------------------------------------


@dataclass(frozen=True)
class ComingDate:
    """One of a customer's dates that falls within the window: what a row shows."""

    kind: str  # birthday, partner_birthday, or an ImportantDate kind
    label: str  # a custom date's own name ("First date"); "" otherwise
    month: int
    day: int
    on: dt.date  # the next time it falls, in the customer's own calendar (a 29 February on the 28th)
    days: int  # from the customer's today: 0 today, 1 tomorrow
    years: int | None  # the years it marks (an anniversary's count), when its year is known

    @property
    def as_written(self) -> dt.date:
        """The month-day as kept (29 February too, in a year that has one), for showing it."""
        return dt.date(2000, self.month, min(self.day, calendar.monthrange(2000, self.month)[1]))

    # The words have the context "coming date": the staff pages are not translated yet (ADR 0012),
    # and a plain "Birthday" would also translate the filter menu's, inside English sentences.
    @property
    def occasion(self) -> str:
        """What it is: "Birthday", "Partner's birthday", "25th anniversary", "First date"."""
        nth = {"nth": ordinal(self.years)} if self.years else None
        if self.kind == BIRTHDAY:
            return pgettext("coming date", "Birthday")
        if self.kind == PARTNER_BIRTHDAY:
            return pgettext("coming date", "Partner's birthday")
        if self.kind == DateKind.ANNIVERSARY:
            if nth:
                return pgettext("coming date", "%(nth)s anniversary") % nth
            return pgettext("coming date", "Anniversary")
        if self.kind == DateKind.WEDDING:
            if nth:
                return pgettext("coming date", "%(nth)s wedding anniversary") % nth
            return pgettext("coming date", "Wedding anniversary")
        if self.kind == DateKind.ENGAGEMENT:
            if nth:
                return pgettext("coming date", "%(nth)s engagement anniversary") % nth
            return pgettext("coming date", "Engagement anniversary")
        return self.label or pgettext("coming date", "Important date")

    @property
    def how_soon(self) -> str:
        if self.days == 0:
            return pgettext("coming date", "today")
        if self.days == 1:
            return pgettext("coming date", "tomorrow")
        return npgettext("coming date", "in %(n)s day", "in %(n)s days", self.days) % {"n": self.days}


def more_dates(count: int) -> str:
    """What a row says of the dates it has no room for: "+1 more date"."""
    return npgettext("coming date", "+%(n)s more date", "+%(n)s more dates", count) % {"n": count}


def ordinal(number: int) -> str:
    """ "25th" in the language of the words around it: "25." in German, "25e" in French, "25º" in
    Italian; in English while the rows' words are (the staff pages are not translated yet)."""
    words = "%(nth)s anniversary"
    language = (get_language() or "en")[:2] if pgettext("coming date", words) != words else "en"
    if language == "de":
        return f"{number}."
    if language == "fr":
        return "1er" if number == 1 else f"{number}e"
    if language == "es":
        return f"{number}.º"
    if language == "it":
        return f"{number}º"
    suffix = "th" if 10 <= number % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(number % 10, "th")
    return f"{number}{suffix}"


# The fields of a row (a model or a ``.values()`` dict) that ``coming_dates`` reads.
ROW_FIELDS = (
    "id",
    "time_zone",
    "birthday_month",
    "birthday_day",
    "birthday_year",
    "partner_id",
    "partner_birthday_month",
    "partner_birthday_day",
    "partner_birthday_year",
)


def _get(row: Any, name: str) -> Any:
    return row[name] if isinstance(row, dict) else getattr(row, "pk" if name == "id" else name)


def coming_dates(
    *, store: Store, rows: Iterable[Any], kind: str, days: int, now: dt.datetime | None = None
) -> dict[int, list[ComingDate]]:
    """For each row (by id), its dates of ``kind`` within ``days`` from its own today, soonest
    first: what the date filter kept it for. Two queries at most, for the rows' partners who are
    customers and for their important dates; none for birthdays alone."""
    now = now or timezone.now()
    rows = list(rows)
    kinds = kinds_of(kind)
    partners: dict[int, tuple[int | None, int | None, int | None]] = {}
    linked = {_get(r, "partner_id") for r in rows if _get(r, "partner_id")}
    if PARTNER_BIRTHDAY in kinds and linked:
        partners = {
            pk: (month, day, year)
            for pk, month, day, year in Customer._base_manager.filter(store=store, pk__in=linked).values_list(
                "pk", "birthday_month", "birthday_day", "birthday_year"
            )
        }
    important: dict[int, list[tuple[str, str, int, int, int | None]]] = defaultdict(list)
    wanted = [k for k in kinds if k in DateKind.values]
    if wanted and rows:
        for values in ImportantDate._base_manager.filter(
            store=store, customer_id__in=[_get(r, "id") for r in rows], kind__in=wanted
        ).values_list("customer_id", "kind", "label", "month", "day", "year"):
            important[values[0]].append(values[1:])

    found: dict[int, list[ComingDate]] = {}
    for row in rows:
        cid = _get(row, "id")
        today = local_today(store, _get(row, "time_zone"), now)
        dates: list[tuple[str, str, int | None, int | None, int | None]] = []
        if BIRTHDAY in kinds:
            dates.append((BIRTHDAY, "", _get(row, "birthday_month"), _get(row, "birthday_day"), None))
        if PARTNER_BIRTHDAY in kinds:
            partner_id = _get(row, "partner_id")
            if partner_id:
                their_month, their_day, _year = partners.get(partner_id, (None, None, None))
            else:
                their_month, their_day = _get(row, "partner_birthday_month"), _get(row, "partner_birthday_day")
            dates.append((PARTNER_BIRTHDAY, "", their_month, their_day, None))
        dates.extend(important.get(cid, ()))
        coming: list[ComingDate] = []
        for date_kind, label, month, day, year in dates:
            if not month or not day:
                continue
            on = next_on(month, day, today)
            until = (on - today).days
            if until <= days:
                years = on.year - year if year and on.year > year else None
                coming.append(ComingDate(date_kind, label, month, day, on, until, years))
        found[cid] = sorted(coming, key=lambda c: (c.on, kinds.index(c.kind)))
    return found


def rows_coming(
    *, store: Store, filters: Any, rows: Iterable[Any], now: dt.datetime
) -> dict[int, list[ComingDate]] | None:
    """``coming_dates`` of a page's rows under a list's filters (a ``filtering.CustomerFilter``),
    or None when they hold no date filter (the rows then carry no coming dates at all)."""
    if not filters.date or filters.within is None:
        return None
    return coming_dates(store=store, rows=rows, kind=filters.date, days=filters.within, now=now)
