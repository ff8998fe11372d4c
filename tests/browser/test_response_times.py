"""The response-time report in a browser: a phone and a desk, with a month of first answers."""

from __future__ import annotations

import datetime as dt
from typing import Any
from zoneinfo import ZoneInfo

import time_machine
from django_scopes import scope

from tests.browser.conftest import (
    assert_accessible,
    assert_no_horizontal_scroll,
    clear_of_midnight,
    log_in,
    screenshot,
)
from tests.conftest import World, make_customer
from trunkshow.messaging.services import message_receive, message_send


def _month_of_answers(world: World) -> None:
    """Twelve customers on the last twelve days, at noon in New York, answered after 1 to 12 minutes by the associate.

    At noon, not 24 hours apart from now: the report counts the store's days, and an answer 6 days
    and 24 minutes ago fell 7 days back in the first 24 minutes of New York's day (its first hour and
    a half in the week after the spring change), leaving 5 in the last 7 days; in its last 40 minutes
    in the week after the autumn change, one 7 days and 23 minutes ago came in, making 7.
    """
    today = clear_of_midnight("America/New_York").date()
    for n in range(1, 13):
        phone = f"+121255502{n:02d}"
        make_customer(world.a, first_name=f"Client{n}", phones=[phone])
        asked = dt.datetime.combine(today - dt.timedelta(days=n), dt.time(12), tzinfo=ZoneInfo("America/New_York"))
        with scope(store=world.a):
            with time_machine.travel(asked, tick=False):
                inbound, _created = message_receive(
                    store=world.a,
                    channel="sms",
                    from_address=phone,
                    body="Hello?",
                    provider="sandbox",
                    provider_id=phone,
                )
            with time_machine.travel(asked + dt.timedelta(minutes=n), tick=False):
                message_send(store=world.a, actor=world.a_associate.user, conversation=inbound.conversation, body="Hi!")


# Each shown cell of each row of the report's tables: where its first line of text ends, and how many lines it has.
ROW_LINES = """table => [...table.querySelectorAll('tbody tr')].map(row =>
  [...row.children].filter(cell => getComputedStyle(cell).display !== 'none').map(cell => {
    const range = document.createRange();
    range.selectNodeContents(cell);
    const lines = [...range.getClientRects()];
    return [Math.round(lines[0].bottom), new Set(lines.map(line => Math.round(line.top))).size];
  }))"""


def test_the_report_reads_on_a_phone_and_a_desk(phone: Any, desktop: Any, world: World, live_server_url: str) -> None:
    _month_of_answers(world)  # the world's store has no opening hours: always open
    for page, size in ((phone, "phone"), (desktop, "desk")):
        log_in(page, live_server_url, world.a_owner)
        page.goto("/inbox/")
        page.get_by_role("link", name="Response times").click()  # in the bar on a desk, after the list on a phone
        page.get_by_role("link", name="30 days").wait_for()
        figures = page.locator(".report-counts")
        # Twelve answers after 1..12 minutes: the median is 6.5 minutes, 5 of 12 within 5 minutes.
        assert "Answers 12" in " ".join(figures.inner_text().split())
        assert "7 min" in figures.inner_text() and "42%" in figures.inner_text()
        assert page.locator("svg.chart rect").count() == 12
        assert page.locator("svg.chart rect.chart-bar-over").count() == 7
        assert page.get_by_role("row", name="Ali Associate 12 7 min").is_visible()
        # A name sits on the line of its figures, and on one line: a new user saw names set higher
        # than the figures, and wrapped on a phone beside half-empty columns of numbers.
        for section in ("who-title", "channel-title"):
            rows = page.locator(f"section[aria-labelledby={section}] table").evaluate(ROW_LINES)
            assert [{bottom for bottom, _lines in row} for row in rows] == [{row[0][0]} for row in rows], section
            assert [row[0][1] for row in rows] == [1] * len(rows), section
        assert_no_horizontal_scroll(page)
        assert_accessible(page)
        screenshot(page, f"response-times-{size}")
        page.get_by_role("link", name="7 days").click()
        page.wait_for_url("**/inbox/response-times/?days=7")
        assert "Answers 6" in " ".join(page.locator(".report-counts").inner_text().split())
