"""A refused form on a customer's profile comes back where it was, on a phone: the error in view and
focused (a screen reader reads it), what was typed still there, and an address that opens again."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from django_scopes import scope

from tests.browser.conftest import PHONE, SCREENSHOTS, assert_accessible, log_in
from tests.conftest import World, make_customer
from trunkshow.customers.models import CustomerPhone, ImportantDate


def _kati(world: World) -> Any:
    return make_customer(
        world.a,
        world.a_associate,
        first_name="Katalin",
        last_name="Szirmay",
        phones=["+1 914 555 0142"],
        emails=["kati@example.com"],
    )


def _in_view(page: Any, text: str) -> None:
    """The text is on the screen: below the sticky top bar, above the bottom action bar, not scrolled away."""
    box = page.evaluate(
        """(text) => {
            const el = [...document.querySelectorAll("p")].find((p) => p.textContent.trim() === text);
            const r = el.getBoundingClientRect();
            const bar = document.querySelector(".topbar, header.site, body > header");
            const bottom = document.querySelector(".action-bar-profile");
            return {
                top: r.top,
                bottom: r.bottom,
                below: bar ? bar.getBoundingClientRect().bottom : 0,
                above: bottom && getComputedStyle(bottom).position === "fixed"
                    ? bottom.getBoundingClientRect().top : innerHeight,
            };
        }""",
        text,
    )
    assert box["below"] <= box["top"] and box["bottom"] <= box["above"], f"{text!r} is not in view: {box}"


def _shot(page: Any, name: str) -> Path:
    """What the person sees (the viewport, not the whole page)."""
    SCREENSHOTS.mkdir(exist_ok=True)
    path = SCREENSHOTS / f"{name}.png"
    page.screenshot(path=str(path))
    return path


def test_a_refused_date_comes_back_at_the_form_with_the_error_in_view(phone: Any, live_server_url: str, world: World):
    kati = _kati(world)
    log_in(phone, live_server_url, world.a_associate)
    phone.goto(f"/customers/{kati.pk}/")
    phone.get_by_text("Add a date", exact=True).click()
    phone.fill("#date_day", "31")
    phone.select_option("#date_month", "2")
    phone.fill("#date_year", "1990")
    with phone.expect_navigation():
        phone.get_by_role("button", name="Add date").click()
    phone.wait_for_load_state("load")
    _shot(phone, "profile-date-refused-phone")

    assert phone.url == f"{live_server_url}/customers/{kati.pk}/#add-date-errors"
    _in_view(phone, "February 1990 has no day 31.")
    _in_view(phone, "Please fix what is marked below.")
    # The message is where the cursor is (a screen reader reads it); the next Tab goes into the form.
    assert phone.evaluate("document.activeElement.id") == "add-date-errors"
    assert phone.get_attribute("#date_day", "aria-invalid") == "true"
    assert [phone.input_value(f"#date_{name}") for name in ("day", "month", "year")] == ["31", "2", "1990"]
    with scope(store=world.a):
        assert ImportantDate.objects.count() == 0
    assert_accessible(phone)

    # The address after the refusal is the profile itself: opened again, it is a page, not an error.
    response = phone.reload()
    assert response is not None and response.status == 200
    assert "button’s action" not in phone.content()
    phone.goto(f"/customers/{kati.pk}/dates/")
    assert phone.url == f"{live_server_url}/customers/{kati.pk}/#add-date"
    assert "button’s action" not in phone.content()


@pytest.fixture
def phone_without_js(browser: Any, live_server_url: str, transactional_db: Any) -> Iterator[Any]:
    """A phone-sized page with scripts turned off: the forms and the way back to them are plain HTML."""
    context = browser.new_context(
        viewport=PHONE, is_mobile=True, has_touch=True, base_url=live_server_url, java_script_enabled=False
    )
    page = context.new_page()
    page.set_default_timeout(10_000)
    yield page


def test_a_refused_phone_comes_back_at_the_form_with_the_error_in_view_without_javascript(
    phone_without_js: Any, live_server_url: str, world: World
):
    kati = _kati(world)
    phone = phone_without_js
    log_in(phone, live_server_url, world.a_associate)
    phone.goto(f"/customers/{kati.pk}/")
    phone.get_by_text("Add a phone number", exact=True).click()
    phone.fill("#phone_number", "12")
    with phone.expect_navigation():
        phone.get_by_role("button", name="Add phone").click()
    phone.wait_for_load_state("load")
    _shot(phone, "profile-phone-refused-phone")

    assert phone.url == f"{live_server_url}/customers/{kati.pk}/#add-phone-errors"
    message = "“12” is not a valid phone number (United States). Add the country code, like +1 201-555-0123."
    _in_view(phone, message)
    _in_view(phone, "Please fix what is marked below.")
    assert phone.evaluate("document.activeElement.id") == "add-phone-errors"
    phone.keyboard.press("Tab")
    assert phone.evaluate("document.activeElement.id") == "phone_number"
    assert phone.input_value("#phone_number") == "12"
    with scope(store=world.a):
        assert CustomerPhone.objects.filter(customer=kati).count() == 1
