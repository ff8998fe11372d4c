"""An owner filters birthdays coming within 30 days, soonest first, on a phone and on a desk:
each row says which date and when, and the rows fit the phone's width."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from babel.dates import format_skeleton
from django.utils import timezone
from django_scopes import scope

from tests.browser.conftest import DESKTOP, PHONE, assert_accessible, assert_no_horizontal_scroll, log_in, screenshot
from tests.conftest import World, make_customer
from trunkshow.customers import services


def _book(world: World) -> tuple[dt.date, list[tuple[str, str]]]:
    """Customers with dates from the store's today (the server's clock is the real one), and
    the rows a person should read, soonest first."""
    today = timezone.now().astimezone(world.a.tz).date()

    def on(days: int) -> dt.date:
        return today + dt.timedelta(days=days)

    def md(day: dt.date) -> str:
        return format_skeleton("MMMd", day, locale="en_US")

    people = [
        ("Valentina", "Rossi-Castellano", 9, "(212) 555-0142", "valentina.rossi@example.com"),
        ("Ana", "Lima", 0, "(212) 555-0143", ""),
        ("Margaux", "de la Fontaine-Beaumont", 1, "", "margaux.delafontaine@example.org"),
        ("Kenji", "Watanabe", 23, "(917) 555-0199", "kenji@example.jp"),
        ("Louis", "Late", 45, "", ""),  # outside the window
    ]
    for first, last, days, phone, email in people:
        make_customer(
            world.a,
            world.a_owner,
            first_name=first,
            last_name=last,
            birthday_day=on(days).day,
            birthday_month=on(days).month,
            phones=[phone] if phone else [],
            emails=[email] if email else [],
            interests=[("stone", "Sapphire"), ("metal", "Rose gold")] if first == "Kenji" else [],
        )
    # A couple with their 25th anniversary in 5 days, and a partner's birthday in 2.
    couple = make_customer(world.a, world.a_owner, first_name="Héloïse", last_name="Marchand-Dubois")
    # Three dates in the window: two lines, then how many more.
    busy = make_customer(
        world.a,
        world.a_owner,
        first_name="Camille",
        last_name="Bernard",
        birthday_day=on(12).day,
        birthday_month=on(12).month,
        phones=["(646) 555-0123"],
    )
    with scope(store=world.a):
        for customer, kind, days, years, label in (
            (couple, "anniversary", 5, 25, ""),
            (busy, "wedding", 15, 10, ""),
            (busy, "custom", 20, None, "First date"),
        ):
            services.important_date_create(
                store=world.a,
                actor=None,
                customer=customer,
                kind=kind,
                day=on(days).day,
                month=on(days).month,
                year=on(days).year - years if years else None,
                label=label,
            )
    make_customer(
        world.a,
        world.a_owner,
        first_name="Priya",
        last_name="Raman",
        partner_name="Arjun",
        partner_birthday_day=on(2).day,
        partner_birthday_month=on(2).month,
    )
    expected = [
        ("Ana Lima", [f"Birthday {md(on(0))} · today"]),
        ("Margaux de la Fontaine-Beaumont", [f"Birthday {md(on(1))} · tomorrow"]),
        ("Priya Raman", [f"Partner's birthday {md(on(2))} · in 2 days"]),
        ("Héloïse Marchand-Dubois", [f"25th anniversary {md(on(5))} · in 5 days"]),
        ("Valentina Rossi-Castellano", [f"Birthday {md(on(9))} · in 9 days"]),
        (
            "Camille Bernard",
            [f"Birthday {md(on(12))} · in 12 days", f"10th wedding anniversary {md(on(15))} · in 15 days +1 more date"],
        ),
        ("Kenji Watanabe", [f"Birthday {md(on(23))} · in 23 days"]),
    ]
    return today, expected


@pytest.mark.parametrize(("viewport", "mobile"), [(PHONE, True), (DESKTOP, False)], ids=["phone", "desktop"])
def test_an_owner_lists_the_dates_coming_within_30_days_soonest_first(
    browser: Any, transactional_db: Any, world: World, live_server_url: str, viewport: dict[str, int], mobile: bool
):
    _today, expected = _book(world)
    context = browser.new_context(
        viewport=viewport,
        is_mobile=mobile,
        has_touch=mobile,
        device_scale_factor=2 if mobile else 1,
        base_url=live_server_url,
    )
    page = context.new_page()
    page.set_default_timeout(10_000)
    try:
        log_in(page, live_server_url, world.a_owner)
        page.goto("/customers/")
        page.locator(".filter-panel summary").click()
        page.get_by_label("Date coming up").select_option("any")
        page.get_by_label("Within (days)").fill("30")
        page.get_by_label("Sort by").select_option(label="Soonest date first")
        page.get_by_role("button", name="Apply filters").click()
        page.wait_for_url("**/customers/?*within=30*")

        rows = page.locator("#results .customer-list > li")
        shown = [
            (
                rows.nth(i).locator(".item-title").inner_text(),
                [" ".join(t.split()) for t in rows.nth(i).locator(".item-coming").all_inner_texts()],
            )
            for i in range(rows.count())
        ]
        assert shown == expected
        assert page.locator(".result-count").inner_text() == "7 customers"
        assert_no_horizontal_scroll(page)
        # Every row's lines stay on the row: none spills out of its link.
        for i in range(rows.count()):
            item = rows.nth(i).locator("a.item").bounding_box()
            for line in rows.nth(i).locator(".item-coming, .item-sub").all():
                box = line.bounding_box()
                assert box["x"] + box["width"] <= item["x"] + item["width"] + 0.5
                assert box["y"] + box["height"] <= item["y"] + item["height"] + 0.5
        assert_accessible(page)
        screenshot(page, f"coming-dates-{'phone' if mobile else 'desktop'}")
    finally:
        context.close()
