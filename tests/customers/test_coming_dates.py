"""The date filter's rows say which date is coming and when, and list the soonest first: on the
page, through the API, in a saved segment and in the export, across the new year and 29 February,
in each customer's own time zone, paged by keyset with ties, never another store's customers."""

from __future__ import annotations

import csv
import datetime as dt
import html
import io
import re
from typing import Any
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django_scopes import scope

from tests.conftest import World, api, browser_client, make_customer
from trunkshow.customers import services
from trunkshow.customers.coming import ROW_FIELDS, coming_dates, next_on
from trunkshow.customers.filtering import customers_filtered, filters_parse
from trunkshow.customers.importing.mapping import guess_mapping
from trunkshow.customers.models import Customer, Segment

# 20 December 2026, 10:00 in New York (the store's zone); already 21 December in Kiritimati.
NOW = dt.datetime(2026, 12, 20, 15, 0, tzinfo=dt.UTC)


@pytest.fixture
def frozen() -> Any:
    with time_machine.travel(NOW, tick=False) as traveller:
        yield traveller


def person(world: World, first: str, **fields: Any) -> Customer:
    return make_customer(world.a, world.a_owner, first_name=first, last_name="X", **fields)


@pytest.fixture
def book(world: World) -> dict[str, Customer]:
    made = {
        "Eve": person(world, "Eve", birthday_day=20, birthday_month=12),
        "Tom": person(world, "Tom", birthday_day=21, birthday_month=12),
        "Kiri": person(world, "Kiri", birthday_day=21, birthday_month=12, time_zone="Pacific/Kiritimati"),
        "Pat": person(world, "Pat", partner_name="Sam", partner_birthday_day=22, partner_birthday_month=12),
        "Dee": person(world, "Dee", birthday_day=24, birthday_month=12),
        "Jan": person(world, "Jan", birthday_day=2, birthday_month=1),
        "Ann": person(world, "Ann"),
        "Lea": person(world, "Lea", birthday_day=29, birthday_month=2, birthday_year=1992),
        "Mar": person(world, "Mar", birthday_day=15, birthday_month=3),
    }
    with scope(store=world.a):
        services.important_date_create(
            store=world.a, actor=None, customer=made["Ann"], kind="anniversary", day=5, month=1, year=2002
        )
    # Another store's customer with a birthday tomorrow: never on store A's lists.
    make_customer(world.b, world.b_owner, first_name="Other", last_name="Store", birthday_day=21, birthday_month=12)
    return made


def rows_of(response: Any) -> list[tuple[str, list[str]]]:
    """Each row of the list page as (name, its coming-date lines), as a person reads them."""
    assert response.status_code == 200, response.content[:500]
    page = response.content.decode()
    rows = []
    for item in re.findall(r'<li><a class="item".*?</a></li>', page, re.S):
        name = re.search(r'class="item-title">(.*?)</span>', item).group(1)
        listed = re.search(r'<span class="item-coming-list">(.*?)</span>\s*<span class="item-sub"', item, re.S)
        lines = re.split(r'<span class="item-coming">', listed.group(1))[1:] if listed else []
        text = [" ".join(html.unescape(re.sub(r"<[^>]+>", " ", line)).split()) for line in lines]
        rows.append((html.unescape(name), text))
    return rows


def test_rows_say_which_date_is_coming_and_when_soonest_first_across_the_new_year(world, book, frozen):
    client = browser_client(world.a_owner)
    response = client.get("/customers/", {"date": "any", "within": "70"})
    assert rows_of(response) == [
        ("Eve X", ["Birthday Dec 20 · today"]),
        # Already the 21st in Kiritimati: today there, so before tomorrow here, whatever the date.
        ("Kiri X", ["Birthday Dec 21 · today"]),
        ("Tom X", ["Birthday Dec 21 · tomorrow"]),
        ("Pat X", ["Partner's birthday Dec 22 · in 2 days"]),
        ("Dee X", ["Birthday Dec 24 · in 4 days"]),
        ("Jan X", ["Birthday Jan 2 · in 13 days"]),
        ("Ann X", ["25th anniversary Jan 5 · in 16 days"]),
        # Born on 29 February: 2027 has none, so it is celebrated on the 28th, 70 days away.
        ("Lea X", ["Birthday Feb 29 · in 70 days"]),
    ]
    assert response.context["total_text"] == "8"
    assert "8 customers" in response.content.decode()
    # The order is the default of a date filter; the menu offers it by name, the others after it.
    assert '<option value="">Soonest date first</option>' in response.content.decode()
    assert '<option value="name">Name</option>' in response.content.decode()

    birthdays = rows_of(client.get("/customers/", {"date": "birthday", "within": "4"}))
    assert [name for name, _lines in birthdays] == ["Eve X", "Kiri X", "Tom X", "Dee X"]
    # Another order chosen: the rows still say what is coming.
    by_name = rows_of(client.get("/customers/", {"date": "birthday", "within": "4", "sort": "name"}))
    assert by_name[0] == ("Dee X", ["Birthday Dec 24 · in 4 days"])
    # Without a date filter, no row says anything is coming; the soonest is offered, to be chosen
    # with a date filter in the same form.
    plain = client.get("/customers/")
    assert all(lines == [] for _name, lines in rows_of(plain))
    assert '<option value="">Name</option>' in plain.content.decode()
    assert '<option value="soonest">Soonest date first</option>' in plain.content.decode()


def test_several_dates_in_the_window_each_show_the_soonest_first(world, frozen):
    both = person(world, "Bo", birthday_day=3, birthday_month=1)
    with scope(store=world.a):
        for kind, day, year in (("wedding", 28, 2016), ("engagement", 1, None), ("custom", 30, None)):
            services.important_date_create(
                store=world.a,
                actor=None,
                customer=both,
                kind=kind,
                day=day,
                month=12,
                year=year,
                label="First date" if kind == "custom" else "",
            )
    rows = rows_of(browser_client(world.a_owner).get("/customers/", {"within": "30"}))
    # Two lines at most on a row, then how many more.
    assert rows == [
        ("Bo X", ["10th wedding anniversary Dec 28 · in 8 days", "First date Dec 30 · in 10 days +1 more date"])
    ]
    engaged = rows_of(browser_client(world.a_owner).get("/customers/", {"date": "engagement", "within": "365"}))
    assert engaged == [("Bo X", ["Engagement anniversary Dec 1 · in 346 days"])]


def test_the_rows_speak_the_pages_language_and_write_dates_in_the_stores_locale(world, book, frozen):
    """The staff pages are not translated yet (only the widget is, ADR 0012): a browser asking for
    German or French gets the rows in English like the rest of the page, never half of it."""
    client = browser_client(world.a_owner)
    german = client.get("/customers/", {"date": "anniversary", "within": "30"}, HTTP_ACCEPT_LANGUAGE="de")
    assert rows_of(german) == [("Ann X", ["25th anniversary Jan 5 · in 16 days"])]
    assert "<h1>Customers</h1>" in german.content.decode()
    french = rows_of(client.get("/customers/", {"date": "birthday", "within": "1"}, HTTP_ACCEPT_LANGUAGE="fr"))
    assert french[0] == ("Eve X", ["Birthday Dec 20 · today"])


def test_the_page_pages_soonest_first_with_ties_forward_and_back(world, frozen):
    # 40 customers on 8 dates (5 each): every page boundary falls inside a run of equal dates.
    made = []
    for i in range(40):
        day = 22 + i % 8  # 22 to 29 December
        made.append(person(world, f"P{i:02d}", birthday_day=day, birthday_month=12))
    expected = [c.pk for c in sorted(made, key=lambda c: (c.birthday_day, c.pk))]
    client = browser_client(world.a_owner)
    first = client.get("/customers/", {"date": "birthday", "within": "10"})
    second = client.get("/customers/" + first.context["next_url"])
    assert [c.pk for c in first.context["rows"]] + [c.pk for c in second.context["rows"]] == expected
    assert second.context["next_url"] == ""
    assert first.context["total_text"] == second.context["total_text"] == "40"
    back = client.get("/customers/" + second.context["previous_url"])
    assert [c.pk for c in back.context["rows"]] == expected[:25]
    # The soonest order is what the cursor holds: another order's cursor starts from the top.
    other = client.get("/customers/", {"date": "birthday", "within": "10", "sort": "name"})
    restarted = client.get(
        "/customers/", {"date": "birthday", "within": "10", "after": other.context["page"].next_cursor}
    )
    assert [c.pk for c in restarted.context["rows"]] == expected[:25]


def walk(client: Any, **params: Any) -> list[dict[str, Any]]:
    """Every row of the API list, two a page."""
    rows: list[dict[str, Any]] = []
    cursor = None
    while True:
        query = {**params, "limit": 2, **({"cursor": cursor} if cursor else {})}
        response = client.get("/api/v1/customers", query)
        assert response.status_code == 200, response.content
        rows += response.json()["items"]
        cursor = response.json()["next_cursor"]
        if not cursor:
            return rows


def test_the_api_sorts_by_the_soonest_date_and_rows_carry_it(world, book, frozen):
    client = api(world.a_associate)
    rows = walk(client, date="any", within="70", sort="soonest")
    assert [r["first_name"] for r in rows] == ["Eve", "Kiri", "Tom", "Pat", "Dee", "Jan", "Ann", "Lea"]
    # Soonest is the default with a date filter, and a chosen order wins.
    assert walk(client, date="any", within="70") == rows
    assert [r["first_name"] for r in walk(client, date="any", within="70", sort="name")][:2] == ["Ann", "Dee"]
    by_name = {r["first_name"]: r["coming_dates"] for r in rows}
    assert by_name["Kiri"] == [{"kind": "birthday", "label": "", "date": "2026-12-21", "days_until": 0, "years": None}]
    assert by_name["Pat"] == [
        {"kind": "partner_birthday", "label": "", "date": "2026-12-22", "days_until": 2, "years": None}
    ]
    assert by_name["Ann"] == [{"kind": "anniversary", "label": "", "date": "2027-01-05", "days_until": 16, "years": 25}]
    assert by_name["Lea"] == [{"kind": "birthday", "label": "", "date": "2027-02-28", "days_until": 70, "years": None}]
    assert "Other" not in by_name
    assert client.get("/api/v1/customers/count", {"date": "any", "within": "70"}).json() == {"count": 8}
    # Without a date filter the rows say nothing is coming (null), and the search's lean path agrees.
    assert {r["coming_dates"] for r in walk(client)} == {None}
    assert {r["coming_dates"] for r in walk(client, q="eve")} == {None}


def test_the_api_refuses_the_soonest_without_a_date_filter_and_a_cursor_of_another_order(world, book, frozen):
    client = api(world.a_associate)
    alone = client.get("/api/v1/customers", {"sort": "soonest"})
    assert alone.status_code == 400
    assert alone.json()["error"]["fields"] == {
        "sort": ["Sort by the soonest date together with a date filter (date and within)."]
    }
    unknown = client.get("/api/v1/customers", {"sort": "sooner", "date": "any", "within": "3"})
    assert unknown.json()["error"]["fields"] == {
        "sort": ["Sort by one of name, newest, spend, last_purchase, last_contact, soonest."]
    }
    first = client.get("/api/v1/customers", {"date": "any", "within": "70", "limit": 2}).json()
    foreign = client.get(
        "/api/v1/customers", {"date": "any", "within": "70", "sort": "name", "cursor": first["next_cursor"]}
    )
    assert foreign.status_code == 400
    assert foreign.json()["error"]["code"] == "invalid_cursor"
    forged = client.get("/api/v1/customers", {"date": "any", "within": "70", "cursor": "WyJzb29uZXN0IiwieCIsMV0"})
    assert forged.status_code == 400


def test_the_api_pages_soonest_first_through_ties(world, frozen):
    made = [person(world, f"T{i}", birthday_day=21 + i % 3, birthday_month=12) for i in range(9)]
    rows = walk(api(world.a_owner), date="birthday", within="5")
    assert [r["id"] for r in rows] == [c.pk for c in sorted(made, key=lambda c: (c.birthday_day, c.pk))]


def test_a_segment_keeps_the_soonest_order_and_its_rows_carry_the_dates(world, book, frozen):
    client = api(world.a_owner)
    made = client.post(
        "/api/v1/segments",
        {"name": "Call this week", "filters": {"date": "birthday", "within": "7", "sort": "soonest"}},
        content_type="application/json",
    )
    assert made.status_code == 201, made.content
    with scope(store=world.a):
        assert Segment.objects.get(pk=made.json()["id"]).filters == {
            "date": "birthday",
            "within": "7",
            "sort": "soonest",
        }
    listed = client.get(f"/api/v1/segments/{made.json()['id']}/customers").json()["items"]
    assert [(r["first_name"], [d["days_until"] for d in r["coming_dates"]]) for r in listed] == [
        ("Eve", [0]),
        ("Kiri", [0]),
        ("Tom", [1]),
        ("Dee", [4]),
    ]
    # Saved from the list page with the soonest chosen: the segment keeps it, and opens in it.
    page = browser_client(world.a_owner)
    saved = page.post(
        "/customers/segments/new/",
        {"name": "Birthdays by name", "date": "birthday", "within": "7", "sort": "name"},
    )
    assert saved.status_code == 302
    with scope(store=world.a):
        segment = Segment.objects.get(name="Birthdays by name")
    assert segment.filters["sort"] == "name"
    opened = page.get(saved["Location"])
    assert [name for name, _lines in rows_of(opened)] == ["Dee X", "Eve X", "Kiri X", "Tom X"]


def test_removing_the_date_filter_takes_its_order_with_it(world, book, frozen):
    client = browser_client(world.a_owner)
    response = client.get("/customers/", {"date": "birthday", "within": "7", "sort": "soonest", "source": "walk_in"})
    chip = next(c for c in response.context["chips"] if c["name"] == "date")
    assert chip["url"] == "?source=walk_in"
    form = client.get("/customers/filter/", {"date": "", "within": "", "sort": "soonest", "source": "walk_in"})
    assert form["Location"] == "/customers/?source=walk_in"
    # A search with a date filter keeps the search's ranking unless the soonest is chosen.
    searched = client.get("/customers/", {"q": "x", "date": "birthday", "within": "7"})
    assert '<option value="">Best match</option>' in searched.content.decode()
    assert 'value="soonest"' in searched.content.decode()
    chosen = client.get("/customers/", {"q": "x", "date": "birthday", "within": "7", "sort": "soonest"})
    assert [name for name, _lines in rows_of(chosen)] == ["Eve X", "Kiri X", "Tom X", "Dee X"]


def test_the_export_of_a_date_filter_is_soonest_first_with_its_coming_dates(world, book, frozen):
    response = browser_client(world.a_owner).get("/customers/export/", {"date": "any", "within": "20"})
    assert response.status_code == 200
    lines = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode("utf-8-sig"))))
    header, rows = lines[0], lines[1:]
    assert header[-2:] == ["Coming dates", "Coming occasions"]
    assert [(r[1], r[-2], r[-1]) for r in rows] == [
        ("Eve", "2026-12-20", "Birthday"),
        ("Kiri", "2026-12-21", "Birthday"),
        ("Tom", "2026-12-21", "Birthday"),
        ("Pat", "2026-12-22", "Partner's birthday"),
        ("Dee", "2026-12-24", "Birthday"),
        ("Jan", "2027-01-02", "Birthday"),
        ("Ann", "2027-01-05", "25th anniversary"),
    ]
    # Imported back, the two columns are left out (what they say is worked out, not kept).
    assert {k: v for k, v in guess_mapping(header).items() if k.startswith("Coming")} == {
        "Coming dates": "",
        "Coming occasions": "",
    }
    plain = browser_client(world.a_owner).get("/customers/export/")
    assert "Coming dates" not in b"".join(plain.streaming_content).decode("utf-8-sig").splitlines()[0]


def test_the_dated_list_page_costs_a_fixed_number_of_queries(world, book, frozen, django_assert_max_num_queries):
    for i in range(20):
        person(
            world,
            f"Q{i}",
            birthday_day=22,
            birthday_month=12,
            partner_name="P",
            partner_birthday_day=23,
            partner_birthday_month=12,
        )
    client = browser_client(world.a_owner)
    client.get("/customers/", {"date": "any", "within": "30"})
    with django_assert_max_num_queries(12):
        response = client.get("/customers/", {"date": "any", "within": "30"})
    assert len(response.context["rows"]) == 25


@pytest.mark.parametrize(
    "moment",
    [
        dt.datetime(2026, 12, 20, 15, tzinfo=dt.UTC),
        dt.datetime(2027, 2, 27, 15, tzinfo=dt.UTC),
        dt.datetime(2027, 2, 28, 15, tzinfo=dt.UTC),
        dt.datetime(2027, 3, 1, 15, tzinfo=dt.UTC),
        dt.datetime(2028, 2, 29, 15, tzinfo=dt.UTC),
        dt.datetime(2028, 1, 1, 3, tzinfo=dt.UTC),  # 31 December in New York, 1 January in Paris
    ],
)
def test_the_sql_order_is_the_next_date_of_every_month_day_in_each_zone(world: World, moment: dt.datetime):
    """The sort key computed in SQL is the days until the date the Python side shows (as a day
    number on the store's calendar), for all 366 month-days in four zones."""
    zones = ["", "Europe/Paris", "Pacific/Kiritimati", "Pacific/Pago_Pago"]
    days = [d for d in (dt.date(2000, 1, 1) + dt.timedelta(n) for n in range(366))]
    with scope(store=world.a):
        Customer.objects.bulk_create(
            Customer(
                store=world.a,
                first_name=f"M{d:%m%d}",
                birthday_month=d.month,
                birthday_day=d.day,
                time_zone=zones[i % len(zones)],
            )
            for i, d in enumerate(days)
        )
        filters = filters_parse({"date": "birthday", "within": "365"}, store=world.a)
        got = list(
            customers_filtered(store=world.a, filters=filters, now=moment).values_list(
                "birthday_month", "birthday_day", "time_zone", "coming_key"
            )
        )
    assert len(got) == 366
    wrong = []
    store_today = moment.astimezone(world.a.tz).date()
    days_until = []
    for month, day, zone, key in got:
        today = moment.astimezone(ZoneInfo(zone) if zone else world.a.tz).date()
        until = (next_on(month, day, today) - today).days
        days_until.append(until)
        # The store's day on which the customer's date is as many days away as their row says.
        if key != store_today.toordinal() + until:
            wrong.append((month, day, zone, dt.date.fromordinal(key), next_on(month, day, today)))
    assert wrong == []
    keys = [key for *_rest, key in got]
    assert keys == sorted(keys)
    assert days_until == sorted(days_until)  # "today", "tomorrow", "in 2 days": never back up the list


@pytest.mark.parametrize(
    "moment",
    [
        dt.datetime(2026, 12, 20, 15, tzinfo=dt.UTC),
        dt.datetime(2027, 2, 27, 15, tzinfo=dt.UTC),
        dt.datetime(2028, 1, 1, 3, tzinfo=dt.UTC),  # 31 December in New York, 1 January in Paris
        dt.datetime(2028, 2, 28, 11, tzinfo=dt.UTC),  # already the 29th in Kiritimati
    ],
)
@pytest.mark.parametrize("kind", ["birthday", "partner_birthday", "anniversary", "any"])
def test_the_window_keeps_exactly_the_customers_whose_date_comes_within_it(
    world: World, moment: dt.datetime, kind: str
):
    """The list's condition (the indexes' superset, then each zone's window) keeps exactly the
    customers the rows' own calendar says have a date of the kind within N days, for every
    month-day, in each zone, by each kind of date: none lost at a window's edge."""
    zones = ["", "Europe/Paris", "Pacific/Kiritimati", "Pacific/Pago_Pago"]
    days = [dt.date(2000, 1, 1) + dt.timedelta(n) for n in range(366)]
    with scope(store=world.a):
        people = Customer.objects.bulk_create(
            Customer(store=world.a, first_name=f"M{d:%m%d}", time_zone=zones[i % len(zones)])
            for i, d in enumerate(days)
        )
        partners = Customer.objects.bulk_create(Customer(store=world.a, first_name=f"P{d:%m%d}") for d in days)
        for i, (who, partner, d) in enumerate(zip(people, partners, days, strict=True)):
            # Each month-day is someone's birthday, a noted partner's, a partner customer's and
            # an anniversary, spread over the four kinds so that "any" has one date per person.
            if i % 4 == 0:
                who.birthday_month, who.birthday_day = d.month, d.day
            elif i % 4 == 1:
                who.partner_birthday_month, who.partner_birthday_day = d.month, d.day
            elif i % 4 == 2:
                partner.birthday_month, partner.birthday_day = d.month, d.day
                who.partner = partner
            else:
                services.important_date_create(
                    store=world.a, actor=None, customer=who, kind="anniversary", day=d.day, month=d.month
                )
        Customer.objects.bulk_update(
            people, ["birthday_month", "birthday_day", "partner_birthday_month", "partner_birthday_day", "partner"]
        )
        Customer.objects.bulk_update(partners, ["birthday_month", "birthday_day"])
        ids = {c.pk for c in people}
        for within in (0, 1, 6, 30, 200, 364):
            filters = filters_parse({"date": kind, "within": str(within)}, store=world.a)
            got = set(customers_filtered(store=world.a, filters=filters, now=moment).values_list("pk", flat=True))
            rows = Customer.objects.filter(pk__in=ids).values(*ROW_FIELDS)
            expected = {
                pk
                for pk, dates in coming_dates(store=world.a, rows=rows, kind=kind, days=within, now=moment).items()
                if dates
            }
            assert got & ids == expected, (within, sorted(got ^ expected)[:5])
            assert expected or within < 6  # a week holds someone of every kind here
