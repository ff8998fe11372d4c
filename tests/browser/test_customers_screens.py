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
