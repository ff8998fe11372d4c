"""The inbox's "Waiting longest" order: the customers waiting for an answer, the longest first, page
after page, on the page and in the API, read through its own index."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from django_scopes import scope

from tests.conftest import api, browser_client
from tests.inbox.test_inbox_pages import _close, tab_counts, text_in


def listed(html: str) -> list[int]:
    return [int(pk) for pk in re.findall(r'class="inbox-row[^"]*"[^>]*data-conversation="(\d+)"', html)]


def waits(world: Any, captured: Any) -> dict[str, int]:
    """Conversations of store A: four with a customer waiting (since 5 h, 1 h twice, 20 min), one answered,
    one pending with its customer's message unanswered; and store B's customer waiting longest of all."""
    now = timezone.now()

    def wrote(name: str, minutes_ago: int, number: str) -> int:
        at = now - dt.timedelta(minutes=minutes_ago)
        return int(text_in(world.a, captured, f"Hello from {name}", f"SM{name}", number=number, at=at).conversation_id)

    ids = {
        "answered": wrote("answered", 600, "+12125550100"),
        "five_hours": wrote("five_hours", 300, "+12125550101"),
        "pending": wrote("pending", 400, "+12125550102"),
        "hour_a": wrote("hour_a", 60, "+12125550103"),
        "hour_b": wrote("hour_b", 60, "+12125550104"),
        "twenty": wrote("twenty", 20, "+12125550105"),
    }
    with captured(execute=True):
        browser_client(world.a_owner).post(f"/inbox/{ids['answered']}/reply/", {"body": "Yes!", "channel": "sms"})
    _close(world, ids["pending"], "pending")
    at = now - dt.timedelta(days=3)
    text_in(world.b, captured, "Bonjour", "SMb", number="+12125550199", at=at)
    return ids


def test_waiting_longest_lists_those_waiting_the_longest_first_page_after_page(
    world: Any, django_capture_on_commit_callbacks: Any
) -> None:
    ids = waits(world, django_capture_on_commit_callbacks)
    longest_first = [ids["five_hours"], *sorted([ids["hour_a"], ids["hour_b"]]), ids["twenty"]]

    # The API, one row a page: the cursor keeps the order, ties in order of id, nobody twice.
    seen, cursor = [], ""
    for _ in range(10):
        params = {"sort": "waiting", "limit": 1} | ({"cursor": cursor} if cursor else {})
        page = api(world.a_associate).get("/api/v1/conversations", params).json()
        seen += [item["id"] for item in page["items"]]
        cursor = page["next_cursor"]
        if not cursor:
            break
    assert seen == longest_first
    first = api(world.a_associate).get("/api/v1/conversations", {"sort": "waiting", "limit": 1}).json()
    assert first["items"][0]["response"]["waiting_minutes"] == 300

    # The page: the same order, each row saying how long; the tabs count those waiting, and keep the order.
    client = browser_client(world.a_owner)
    html = client.get("/inbox/", {"sort": "waiting"}).content.decode()
    assert listed(html) == longest_first
    assert "Waiting 20 min" in html
    assert tab_counts(html)["all"] == 4
    assert 'href="?view=mine&status=open&sort=waiting"' in html
    assert '<option value="waiting" selected>Waiting longest</option>' in html
    # Newest activity first stays the default, with every open conversation.
    assert listed(client.get("/inbox/").content.decode())[:2] == [ids["answered"], ids["twenty"]]
    # "Any status" waits the same (only an open conversation waits); pending alone: nobody, and why.
    assert listed(client.get("/inbox/", {"sort": "waiting", "status": "any"}).content.decode()) == longest_first
    pending = client.get("/inbox/", {"sort": "waiting", "status": "pending"}).content.decode()
    assert listed(pending) == []
    assert "Only open conversations wait for an answer" in pending


def test_waiting_longest_searches_and_refuses_another_orders_page_link(
    world: Any, django_capture_on_commit_callbacks: Any
) -> None:
    ids = waits(world, django_capture_on_commit_callbacks)
    newest = api(world.a_associate).get("/api/v1/conversations", {"limit": 1}).json()["next_cursor"]

    answer = api(world.a_associate).get("/api/v1/conversations", {"sort": "waiting", "cursor": newest})
    assert answer.status_code == 400
    # The code every list gives a cursor it did not give out, the reason beside the field.
    assert answer.json()["error"] == {
        "code": "invalid_cursor",
        "message": "The cursor is not one this API gave out.",
        "fields": {"cursor": ["This page link is not valid; start from the first page."]},
    }
    bad = api(world.a_associate).get("/api/v1/conversations", {"sort": "oldest"})
    assert bad.status_code == 400
    page = browser_client(world.a_owner).get("/inbox/", {"sort": "oldest"})
    assert page.status_code == 400
    assert "Choose newest or waiting." in page.content.decode()

    searched = api(world.a_associate).get("/api/v1/conversations", {"sort": "waiting", "q": "hour_"}).json()
    assert [item["id"] for item in searched["items"]] == sorted([ids["hour_a"], ids["hour_b"]])


def test_the_waiting_order_is_read_through_its_index(world: Any, django_capture_on_commit_callbacks: Any) -> None:
    from trunkshow.inbox.selectors import InboxFilters, inbox_page

    waits(world, django_capture_on_commit_callbacks)
    with scope(store=world.a), CaptureQueriesContext(connection) as queries:
        inbox_page(store=world.a, user=world.a_owner.user, filters=InboxFilters(sort="waiting"))
    sql = next(q["sql"] for q in queries.captured_queries if "ORDER BY c.awaiting_since" in q["sql"])
    with connection.cursor() as cur:
        if connection.vendor == "postgresql":
            # A few rows: the planner would rather read the table; asked not to, it must find the index usable.
            cur.execute("SET LOCAL enable_seqscan = off")
            cur.execute("SET LOCAL enable_sort = off")
            cur.execute(f"EXPLAIN {sql}")
        else:
            cur.execute(f"EXPLAIN QUERY PLAN {sql}")
        plan = " ".join(str(row) for row in cur.fetchall())
    assert "conversation_waiting" in plan
