"""Screenshots of the customer pages at phone and desktop sizes, for a person to look at."""

from __future__ import annotations

import pytest

from tests.browser.conftest import assert_accessible, assert_no_horizontal_scroll, log_in, screenshot
from tests.conftest import make_customer
from tests.customers.test_pages_support import make_rich_customer


@pytest.mark.parametrize("size", ["phone", "desktop"])
def test_customer_pages_look_right(transactional_db, request, world, live_server_url, size):
    page = request.getfixturevalue(size)
    log_in(page, live_server_url, world.a_associate)
    customer = make_rich_customer(world)
    for i, (first, last) in enumerate(
        [("Zoë", "Müller"), ("Amara", "Okafor"), ("José", "Álvarez"), ("Ingrid", "Lindqvist")]
    ):
        make_customer(world.a, world.a_owner, first_name=first, last_name=last, phones=[f"+1 212 555 01{20 + i}"])
    for name, url in [
        ("list", "/customers/"),
        ("profile", f"/customers/{customer.pk}/"),
        ("edit", f"/customers/{customer.pk}/edit/"),
        ("quick-add", "/customers/new/"),
    ]:
        assert page.goto(url).status == 200
        assert_no_horizontal_scroll(page)
        screenshot(page, f"customers-{name}-{size}")
        assert_accessible(page)


def test_on_a_desk_the_list_shows_a_long_email_whole(transactional_db, desktop, world, live_server_url):
    # A 1280 px screen has room for the phone and a long address beside the name: the list uses it
    # rather than cutting the address short in a narrow column between empty margins.
    make_customer(
        world.a,
        first_name="Mackenzie",
        last_name="Anderson",
        phones=["+61 412 348 180"],
        emails=["anderson.mackenzie@example.com"],
        interests=[("stone", "Aquamarine"), ("designer", "Roberto Coin"), ("designer", "Temple St. Clair")],
    )
    log_in(desktop, live_server_url, world.a_associate)
    desktop.goto("/customers/")
    contact = desktop.locator(".customer-list .item-sub").first
    assert contact.inner_text().endswith("anderson.mackenzie@example.com")
    assert contact.evaluate("e => e.scrollWidth <= e.clientWidth"), "the address is cut short"
