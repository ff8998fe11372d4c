"""The web-chat widget on a visitor's phone whose clock is wrong (RELIABILITY.md: a clock 5 minutes off).

Customers' phones in 20+ countries are often minutes, sometimes hours, off. The widget shows the
store's times as the server wrote them and never compares them with the phone's own clock: the
intro under a staff reply depends on how long ago the store answered by the server's clock.
"""

from __future__ import annotations

import datetime as dt
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from django_scopes import scope, scopes_disabled

from tests.browser.test_widget import (  # noqa: F401 (``demo`` is a fixture)
    demo,
    open_a_minute_a_day,
    staff_reply,
    visitors_chats,
)
from trunkshow.messaging.models import Message
from trunkshow.stores.models import Store

NOBODY = "Nobody can answer right now."
REPLY = "I'm here late: yes, it is."
SOFT = "so we can answer even if you leave this page"
BERLIN = ZoneInfo("Europe/Berlin")


@pytest.fixture
def closed_demo(demo: Store) -> Store:  # noqa: F811
    """The demo store, closed all week (but a minute a day, far from now): the widget asks for contact details at once."""
    with scopes_disabled():
        Store.objects.filter(pk=demo.pk).update(opening_hours=open_a_minute_a_day()[0])
    return demo


@pytest.mark.parametrize(
    "off", [dt.timedelta(minutes=5), dt.timedelta(minutes=-5), dt.timedelta(hours=3), dt.timedelta(hours=-3)]
)
def test_a_visitor_whose_clock_is_off_sees_the_stores_times_order_and_the_right_intro(
    browser: Any,
    live_server_url: str,
    closed_demo: Store,
    off: dt.timedelta,
) -> None:
    store = closed_demo
    context = browser.new_context(
        viewport={"width": 390, "height": 844}, base_url=live_server_url, timezone_id="Europe/Berlin", locale="en-US"
    )
    page = context.new_page()
    page.set_default_timeout(10_000)
    page.clock.install(time=dt.datetime.now(dt.UTC) + off)
    assert abs(page.evaluate("Date.now()") / 1000 - (dt.datetime.now(dt.UTC) + off).timestamp()) < 60

    page.goto("/demo-site/")
    page.get_by_role("button", name="Chat with us").click()
    page.get_by_text(NOBODY).wait_for()
    page.get_by_label("Message", exact=True).fill("Is the emerald ring still there?")
    page.keyboard.press("Enter")
    log = page.get_by_role("log", name="Messages")
    log.get_by_text("is closed now").wait_for()
    with scope(store=store):
        conversation = visitors_chats().get()

    # A staff reply just now: the notice softens, live and after a reload, however wrong the phone's clock.
    staff_reply(browser, live_server_url, conversation.pk, REPLY)
    for step in ("live", "after a reload"):
        if step != "live":
            page.reload()
            page.get_by_role("button", name="Chat with us").click()
        log.get_by_text(REPLY).wait_for()
        page.get_by_text(SOFT).wait_for()
        assert page.get_by_text(NOBODY).count() == 0, step

    # The thread in the order it happened, each message at the server's time in the visitor's zone.
    with scope(store=store):
        thread = list(Message.objects.filter(conversation=conversation).order_by("id"))
    items = log.locator("li")
    assert items.count() == 3
    for item, message in zip(items.all(), thread, strict=True):
        local = message.created_at.astimezone(BERLIN)
        who = " ".join(item.locator(".who").inner_text().split())  # a narrow space before PM in some versions
        assert who.endswith(f"{local.hour % 12 or 12}:{local.minute:02d} {local.strftime('%p')}"), who
        assert message.body in item.inner_text()
    assert [m.direction for m in thread] == ["in", "out", "out"]
    assert thread[2].author is not None and thread[2].body == REPLY

    # The store answered two hours ago by the server's clock: nobody can answer now again.
    with scope(store=store):
        two_hours_ago = thread[2].created_at - dt.timedelta(hours=2)
        Message.objects.filter(pk=thread[2].pk).update(created_at=two_hours_ago)
    page.reload()
    page.get_by_role("button", name="Chat with us").click()
    log.get_by_text(REPLY).wait_for()
    page.get_by_text(NOBODY).wait_for()
    context.close()
