"""Segment counts on the list and segments pages: cached per store for a few minutes, fetched
after the page renders when not cached, never another store's, and a page whose query count does
not grow with the number of segments."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
import time_machine
from django.core.cache import cache
from django_scopes import scope

from tests.conftest import World, browser_client, make_customer
from trunkshow.core.templatetags.trunkshow import when
from trunkshow.customers import segments

NOON_UTC = dt.datetime(2026, 11, 23, 16, 42, tzinfo=dt.UTC)  # 11:42 in New York, store A's zone


@pytest.fixture(autouse=True)
def empty_cache() -> Any:
    cache.clear()
    yield
    cache.clear()


def make_segment(store: Any, name: str, **filters: Any) -> Any:
    with scope(store=store):
        return segments.segment_create(store=store, actor=None, name=name, filters=filters)


def shown(rows: list[dict[str, Any]]) -> list[tuple[str, str, str]]:
    return [(r["segment"].name, r["count_text"], r["counted_text"]) for r in rows]


def test_the_list_page_shows_no_count_until_fetched_then_the_cached_one_with_its_time(world: World):
    make_customer(world.a, first_name="Sara", interests=[("stone", "Sapphire")])
    make_customer(world.a, first_name="Rudy", interests=[("stone", "Ruby")])
    sapphires = make_segment(world.a, "Sapphires", interest="stone:sapphire")
    everyone = make_segment(world.a, "Everyone")
    page = browser_client(world.a_associate)

    first = page.get("/customers/")
    assert shown(first.context["segments"]) == [("Everyone", "", ""), ("Sapphires", "", "")]
    html = first.content.decode()
    assert f'data-segment-count="/customers/segments/{sapphires.pk}/count/"' in html
    assert "trunkshow/segment-counts.js" in html

    with time_machine.travel(NOON_UTC, tick=False):
        counted = page.get(f"/customers/segments/{sapphires.pk}/count/")
    assert counted.status_code == 200
    assert counted.json() == {
        "count": 1,
        "count_text": "1 customer",
        "counted_at": "2026-11-23T16:42:00+00:00",
        "counted_text": "counted at 11:42\u202fAM",
    }
    with time_machine.travel(NOON_UTC + dt.timedelta(minutes=1), tick=False):
        again = page.get("/customers/")
        manage = page.get("/customers/segments/")
    assert shown(again.context["segments"]) == [
        ("Everyone", "", ""),
        ("Sapphires", "1 customer", "counted at 11:42\u202fAM"),
    ]
    assert shown(manage.context["rows"]) == [
        ("Everyone", "", ""),
        ("Sapphires", "1 customer", "counted at 11:42\u202fAM"),
    ]
    assert "counted at 11:42\u202fAM" in manage.content.decode()

    # Past the five minutes the count is made again, with what the book holds then.
    make_customer(world.a, first_name="Sia", interests=[("stone", "Sapphire")])
    with time_machine.travel(NOON_UTC + dt.timedelta(minutes=6), tick=False):
        stale = page.get("/customers/")
        recounted = page.get(f"/customers/segments/{sapphires.pk}/count/").json()
    assert shown(stale.context["segments"]) == [("Everyone", "", ""), ("Sapphires", "", "")]
    assert (recounted["count"], recounted["counted_text"]) == (2, "counted at 11:48\u202fAM")
    assert page.get(f"/customers/segments/{everyone.pk}/count/").json()["count"] == 3


def test_the_counted_time_is_written_as_every_other_time_on_the_staff_pages(world: World):
    """The store's locale, as ``{% when %}`` writes it: "11:42 AM" in the US (not Django's
    "11:42 a.m."), a 24-hour clock where the locale keeps one."""
    sapphires = make_segment(world.a, "Sapphires", interest="stone:sapphire")
    page = browser_client(world.a_associate)
    with time_machine.travel(NOON_UTC, tick=False):
        us = page.get(f"/customers/segments/{sapphires.pk}/count/").json()["counted_text"]
    assert us == "counted at 11:42\u202fAM"
    assert us.removeprefix("counted at ") == when({"store": world.a}, NOON_UTC, "short").split(", ")[-1]

    world.a.locale = "fr_FR"
    world.a.save(update_fields=["locale"])
    cache.clear()
    with time_machine.travel(NOON_UTC, tick=False):
        french = page.get(f"/customers/segments/{sapphires.pk}/count/").json()["counted_text"]
    assert french == "counted at 11:42"


def test_opening_a_segment_keeps_its_count_and_changing_its_filters_forgets_it(world: World):
    make_customer(world.a, first_name="Sara", interests=[("stone", "Sapphire")])
    make_customer(world.a, first_name="Rudy", interests=[("stone", "Ruby")], source="chat")
    sapphires = make_segment(world.a, "Sapphires", interest="stone:sapphire")
    page = browser_client(world.a_manager)
    opened = page.get("/customers/", {"interest": "stone:sapphire", "segment": sapphires.pk})
    assert opened.context["total"] == 1
    assert [r["count_text"] for r in opened.context["segments"]] == ["1 customer"]

    # The same segment with other filters: the old count is not shown for them.
    response = page.post(f"/customers/segments/{sapphires.pk}/filters/", {"source": "chat"})
    assert response.status_code == 302
    after = page.get("/customers/")
    assert [r["count_text"] for r in after.context["segments"]] == [""]
    assert page.get(f"/customers/segments/{sapphires.pk}/count/").json()["count"] == 1
    refreshed = page.get("/customers/").context["segments"][0]
    assert (refreshed["segment"].filters, refreshed["count_text"]) == ({"source": "chat"}, "1 customer")


def test_a_count_is_never_another_stores(world: World):
    for first in ("Ann", "Bob", "Cy"):
        make_customer(world.a, first_name=first)
    make_customer(world.b, first_name="Dee")
    mine = make_segment(world.a, "Everyone")
    theirs = make_segment(world.b, "Everyone")
    a_page, b_page = browser_client(world.a_associate), browser_client(world.b_associate)
    assert a_page.get(f"/customers/segments/{mine.pk}/count/").json()["count"] == 3
    assert b_page.get(f"/customers/segments/{theirs.pk}/count/").json()["count"] == 1
    assert a_page.get(f"/customers/segments/{theirs.pk}/count/").status_code == 404
    assert b_page.get(f"/customers/segments/{mine.pk}/count/").status_code == 404
    assert [r["count_text"] for r in a_page.get("/customers/").context["segments"]] == ["3 customers"]
    assert [r["count_text"] for r in b_page.get("/customers/").context["segments"]] == ["1 customer"]


# Each staff page also counts the @mentions waiting for its reader (the navigation's "@ 2 mentions").
@pytest.mark.parametrize(("url", "queries"), [("/customers/", 11), ("/customers/segments/", 5)])
def test_the_pages_cost_the_same_few_queries_for_2_or_40_segments(
    world: World, url: str, queries: int, django_assert_max_num_queries: Any
):
    # Before the counts were cached the list page ran one COUNT per segment on every load: 50 here.
    for i in range(3):
        make_customer(world.a, first_name=f"Ann{i}", interests=[("stone", "Ruby")], source="chat")
    page = browser_client(world.a_associate)
    filters = [{"interest": "stone:ruby"}, {"source": "chat"}, {"sort": "spend"}, {"date": "birthday", "within": "30"}]
    for i in range(2):
        make_segment(world.a, f"Segment {i:02d}", **filters[i % 4])
    with django_assert_max_num_queries(queries):
        assert page.get(url).status_code == 200
    for i in range(2, 40):
        make_segment(world.a, f"Segment {i:02d}", **filters[i % 4])
    cache.clear()
    with django_assert_max_num_queries(queries):
        response = page.get(url)
    assert response.status_code == 200
    rows = response.context["segments" if url == "/customers/" else "rows"]
    assert len(rows) == 40
    # Counted once each (by the page's script), then read from the cache on the next load.
    for row in rows:
        assert page.get(row["count_url"]).status_code == 200
    with django_assert_max_num_queries(queries):
        response = page.get(url)
    rows = response.context["segments" if url == "/customers/" else "rows"]
    assert {r["count_text"] for r in rows} == {"3 customers", "0 customers"}
