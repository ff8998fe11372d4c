"""A date filter's pages in a chosen order: walked in the order's index or read from the window's
indexes, the same rows in the same order with the same cursors (ADR 0004, amendment 12)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django_scopes import scope

from tests.conftest import World, api, browser_client
from trunkshow.customers import filtering, services
from trunkshow.customers.coming import ROW_FIELDS, coming_dates
from trunkshow.customers.filtering import (
    SORTS,
    customers_filtered,
    customers_walked,
    filters_parse,
    page_in_order,
)
from trunkshow.customers.models import Customer

ZONES = ["", "Europe/Paris", "Pacific/Kiritimati", "Pacific/Pago_Pago"]
MOMENTS = [
    # 20 December, 10:00 in New York (the store's zone), already the 21st in Kiritimati.
    dt.datetime(2026, 12, 20, 15, tzinfo=dt.UTC),
    # 31 December in New York, 1 January in Paris and Kiritimati: the window wraps in every zone.
    dt.datetime(2028, 1, 1, 3, tzinfo=dt.UTC),
]


def dated_book(world: World) -> set[int]:
    """120 customers of store A around the new year in four zones, with ties in every sort
    (names, spends, purchase days, contact times) and NULLs in the nullable ones; a third have a
    birthday within ten days of the moments above, a few an anniversary or a partner's birthday."""
    day = dt.date(2026, 12, 10)
    people = []
    for i in range(120):
        when = day + dt.timedelta(days=(i * 7) % 40) if i % 3 else dt.date(2026, 6, 1 + i % 28)
        people.append(
            Customer(
                store=world.a,
                first_name=f"C{i}",
                sort_name=f"name {i % 17:02d}",
                time_zone=ZONES[i % 4],
                birthday_month=when.month if i % 11 else None,
                birthday_day=when.day if i % 11 else None,
                partner_birthday_month=1 if i % 13 == 0 else None,
                partner_birthday_day=1 if i % 13 == 0 else None,
                lifetime_spend=Decimal(i % 5 * 100),
                last_purchase_on=dt.date(2026, 1, 1 + i % 6) if i % 4 else None,
                last_contact_at=dt.datetime(2026, 3, 1 + i % 3, tzinfo=dt.UTC) if i % 5 else None,
            )
        )
    # Interleaved in every order: store B's twins of each and store A's erased ones, which no page
    # of store A's list may hold, walked or not.
    twins = [Customer(**{**_fields(c), "store": world.b}) for c in people]
    erased = [
        Customer(**{**_fields(c), "store": world.a, "erased_at": dt.datetime(2026, 1, 1, tzinfo=dt.UTC)})
        for c in people[::2]
    ]
    with scope(store=world.a):
        made = Customer.objects.bulk_create(people)
        Customer.objects.bulk_create(erased)
        for who in made[::9]:
            services.important_date_create(
                store=world.a, actor=None, customer=who, kind="anniversary", day=2, month=1, year=2000
            )
    with scope(store=world.b):
        Customer.objects.bulk_create(twins)
    return {c.pk for c in made}


def _fields(customer: Customer) -> dict[str, Any]:
    return {
        f.attname: getattr(customer, f.attname)
        for f in Customer._meta.concrete_fields
        if f.attname not in ("id", "store_id")
    }


def pages(qs: Any, filters: Any, *, walk: Any, store: Any, limit: int) -> list[tuple[list[int], Any, Any]]:
    """Every page forward from the top, then every page back from the last: (ids, next, previous)."""
    seen = []
    page = page_in_order(qs, filters=filters, limit=limit, walk=walk, store=store)
    seen.append(([r.pk for r in page.rows], page.next_cursor, page.previous_cursor))
    while page.next_cursor:
        page = page_in_order(qs, filters=filters, cursor=page.next_cursor, limit=limit, walk=walk, store=store)
        seen.append(([r.pk for r in page.rows], page.next_cursor, page.previous_cursor))
    while page.previous_cursor:
        page = page_in_order(qs, filters=filters, before=page.previous_cursor, limit=limit, walk=walk, store=store)
        seen.append(([r.pk for r in page.rows], page.next_cursor, page.previous_cursor))
    return seen


@pytest.mark.parametrize("moment", MOMENTS)
@pytest.mark.parametrize("kind", ["birthday", "any"])
@pytest.mark.parametrize("sort", ["name", "newest", "spend", "last_purchase", "last_contact"])
def test_a_dated_list_in_any_order_pages_the_same_walked_or_from_the_window_indexes(
    world: World, monkeypatch: Any, moment: dt.datetime, kind: str, sort: str
):
    ids = dated_book(world)
    with scope(store=world.a), time_machine.travel(moment, tick=False):
        filters = filters_parse({"date": kind, "within": "10", "sort": sort}, store=world.a)
        indexed = customers_filtered(store=world.a, filters=filters, now=moment)
        walked = customers_walked(store=world.a, filters=filters, now=moment)
        # PostgreSQL reads birthdays alone without the indexes' superset: nothing to walk there.
        assert (walked is None) is (kind == "birthday" and connection.vendor == "postgresql")
        expected = pages(indexed, filters, walk=None, store=None, limit=4)
        # What the rows' own calendar keeps, in the sort's order: the pages hold exactly those.
        rows = Customer.objects.filter(pk__in=ids).values(*ROW_FIELDS)
        within = {
            pk for pk, dates in coming_dates(store=world.a, rows=rows, kind=kind, days=10, now=moment).items() if dates
        }
        listed = [pk for page_ids, _next, _previous in expected[: len(expected) // 2 + 1] for pk in page_ids]
        assert len(listed) == len(set(listed)) and set(listed) == within and len(within) >= 15
        in_order = list(indexed.values_list(SORTS[sort].column, "pk"))
        assert [pk for _key, pk in in_order] == listed
        # A budget that walks every page, ones that walk some (a page found within 12 or 24
        # customers of the order, in steps of 4 or 12, the next not), and one that never finds a
        # page: the same pages each time.
        for budget, step in ((1000, 250), (12, 4), (24, 12), (1, 250)) if walked is not None else ():
            monkeypatch.setattr(filtering, "WALK_BUDGET", budget)
            monkeypatch.setattr(filtering, "WALK_STEP", step)
            assert pages(indexed, filters, walk=walked, store=world.a, limit=4) == expected, (budget, step)


def test_a_dense_windows_first_page_by_name_is_walked_and_a_sparse_ones_read_from_its_indexes(
    world: World, monkeypatch: Any
):
    """How the plan is chosen: the name index walked for at most WALK_BUDGET customers, the
    window's indexes (a ``UNION`` of their ranges, for any date) when the page is not found there."""
    dated_book(world)
    moment = MOMENTS[0]
    monkeypatch.setattr(filtering, "WALK_BUDGET", 30)
    with scope(store=world.a), time_machine.travel(moment, tick=False):
        for within, walked_only in ((10, True), (0, False)):
            filters = filters_parse({"date": "any", "within": str(within), "sort": "name"}, store=world.a)
            indexed = customers_filtered(store=world.a, filters=filters, now=moment)
            walk = customers_walked(store=world.a, filters=filters, now=moment)
            with CaptureQueriesContext(connection) as queries:
                page = page_in_order(indexed, filters=filters, limit=4, walk=walk, store=world.a)
            assert [r.pk for r in page.rows] == [r.pk for r in indexed[:4]]
            unions = [q["sql"] for q in queries.captured_queries if "UNION" in q["sql"]]
            assert (unions == []) is walked_only, (within, len(queries.captured_queries))
    # Without a date filter, with a search, in the soonest order or without the window's indexes
    # there is nothing to walk.
    with scope(store=world.a):
        for params in (
            {"sort": "name"},
            {"date": "any", "within": "3", "q": "c1"},
            {"date": "any", "within": "3"},
            {"date": "any", "within": "365", "sort": "name"},  # the whole year: no superset to skip
        ):
            assert customers_walked(store=world.a, filters=filters_parse(params, store=world.a), now=moment) is None


@pytest.mark.parametrize("budget", [1000, 3])
def test_the_page_and_the_api_list_a_window_by_name_the_same_whichever_plan(world: World, monkeypatch: Any, budget):
    ids = dated_book(world)
    monkeypatch.setattr(filtering, "WALK_BUDGET", budget)
    moment = MOMENTS[0]  # a window of 30 days from 20 December: to 19 January
    with scope(store=world.a), time_machine.travel(moment, tick=False):
        rows = Customer.objects.filter(pk__in=ids).values(*ROW_FIELDS)
        within = coming_dates(store=world.a, rows=rows, kind="birthday", days=30, now=moment)
        expected = sorted(
            (c.sort_name, c.pk) for c in Customer.objects.filter(pk__in=[pk for pk, d in within.items() if d])
        )
    with time_machine.travel(moment, tick=False):
        client = api(world.a_associate)
        listed, cursor = [], None
        while True:
            query = {
                "date": "birthday",
                "within": "30",
                "sort": "name",
                "limit": 7,
                **({"cursor": cursor} if cursor else {}),
            }
            body = client.get("/api/v1/customers", query).json()
            listed += [(r["id"], [d["date"] for d in r["coming_dates"]]) for r in body["items"]]
            cursor = body["next_cursor"]
            if not cursor:
                break
        assert [pk for pk, _dates in listed] == [pk for _name, pk in expected]
        assert all(dates for _pk, dates in listed)
        browser = browser_client(world.a_owner)
        first = browser.get("/customers/", {"date": "birthday", "within": "30", "sort": "name"})
        second = browser.get("/customers/" + first.context["next_url"])
        back = browser.get("/customers/" + second.context["previous_url"])
        on_page = [c.pk for c in first.context["rows"]] + [c.pk for c in second.context["rows"]]
        assert on_page == [pk for _name, pk in expected][: len(on_page)]
        assert [c.pk for c in back.context["rows"]] == [c.pk for c in first.context["rows"]]
        assert first.context["total"] == len(expected) > 25 + 25
