"""A person logs in on a phone, and the staff pages look right on phones and desks."""

from __future__ import annotations

import re
from urllib.parse import urlparse

import pytest
from django.core import mail
from django_scopes import scope

from tests.browser.conftest import assert_accessible, assert_no_horizontal_scroll, log_in, screenshot
from tests.conftest import PASSWORD


def test_associate_logs_in_on_a_phone_and_lands_on_the_customer_list(phone, live_server_url, world):
    phone.goto("/login/")
    assert_accessible(phone)
    assert_no_horizontal_scroll(phone)
    screenshot(phone, "login-phone")

    phone.get_by_label("Email").fill("ali@atelier.example.com")
    phone.get_by_label("Password").fill(PASSWORD)
    phone.get_by_role("button", name="Log in").click()

    phone.wait_for_url(re.compile(r"/inbox/$"))
    assert phone.url == f"{live_server_url}/inbox/"
    assert phone.locator(".topbar .brand").inner_text().replace("◆", "").strip() == "Atelier Ana"


def test_wrong_password_on_a_phone_says_so_and_keeps_the_email(phone, world):
    phone.goto("/login/")
    phone.get_by_label("Email").fill("ali@atelier.example.com")
    phone.get_by_label("Password").fill("not my password")
    phone.get_by_role("button", name="Log in").click()
    alert = phone.get_by_role("alert")
    assert alert.inner_text().strip() == "That email and password do not match. Check both, or reset your password."
    assert phone.get_by_label("Email").input_value() == "ali@atelier.example.com"
    assert_accessible(phone)
    screenshot(phone, "login-error-phone")


def test_login_page_on_a_desk(desktop, world):
    desktop.goto("/login/")
    assert_accessible(desktop)
    screenshot(desktop, "login-desktop")


PAGES = [
    ("staff", "/staff/", "Staff"),
    ("settings", "/settings/", "Store settings"),
    ("account", "/account/", "Your account"),
    ("audit", "/audit/", "Audit log"),
]


def furnish(world) -> None:
    """A store as an owner would see it after a few weeks: hours, an open invitation, a leaver."""
    from trunkshow.stores.services import staff_invite, staff_set_active, store_update

    with scope(store=world.a):
        hours = {d: [["10:00", "18:30"]] for d in ("tue", "wed", "thu", "fri")}
        hours["sat"] = [["10:00", "13:00"], ["14:00", "17:00"]]
        store_update(
            store=world.a,
            actor=world.a_owner.user,
            membership=world.a_owner.membership,
            data={
                "opening_hours": hours,
                "address_line1": "14 Mercer Street",
                "city": "New York",
                "postal_code": "10013",
                "region": "NY",
            },
        )
        staff_invite(
            store=world.a,
            actor=world.a_owner.user,
            actor_membership=world.a_owner.membership,
            email="new.hire@atelier.example.com",
            role="associate",
        )
        staff_set_active(
            store=world.a,
            actor=world.a_owner.user,
            actor_membership=world.a_owner.membership,
            membership=world.a_manager.membership,
            active=False,
        )


def assert_nav_fits(page) -> None:
    hidden = page.evaluate(
        "(() => { const n = document.querySelector('.mainnav'); return n.scrollWidth - n.clientWidth })()"
    )
    assert hidden <= 0, f"the main navigation hides {hidden}px of links on {page.url}"
    if page.viewport_size["width"] <= 480:
        # Two rows on a phone (the store and Account, then the links): the bar stays on screen, so every
        # row it takes is a row of thread or list the associate does not see.
        height = page.evaluate("document.querySelector('.topbar').getBoundingClientRect().height")
        assert height <= 110, f"the top bar is {height}px high on {page.url}"


@pytest.mark.parametrize("name,path,heading", PAGES, ids=[p[0] for p in PAGES])
@pytest.mark.parametrize("size", ["phone", "desktop"])
def test_owner_pages_are_accessible_and_fit_the_screen(
    request, transactional_db, live_server_url, world, size, name, path, heading
):
    furnish(world)
    page = request.getfixturevalue(size)
    log_in(page, live_server_url, world.a_owner)
    page.goto(path)
    assert page.get_by_role("heading", level=1).inner_text().strip() == heading
    assert_accessible(page)
    assert_no_horizontal_scroll(page)
    assert_nav_fits(page)
    screenshot(page, f"{name}-{size}")


def test_invitation_page_on_a_phone(phone, live_server_url, world):
    from trunkshow.stores.services import staff_invite

    with scope(store=world.a):
        staff_invite(
            store=world.a,
            actor=world.a_owner.user,
            actor_membership=world.a_owner.membership,
            email="nina@example.com",
            role="associate",
        )
    message = mail.outbox[-1]
    path = urlparse(re.search(r"https?://\S+", message.body).group(0)).path
    phone.goto(path)
    assert phone.get_by_role("heading", level=1).inner_text().strip() == "Join Atelier Ana"
    assert_accessible(phone)
    assert_no_horizontal_scroll(phone)
    screenshot(phone, "join-phone")
    phone.get_by_label("Your name").fill("Nina Novak")
    phone.get_by_label("New password", exact=True).fill("rose gold and tourmaline")
    phone.get_by_label("New password again").fill("rose gold and tourmaline")
    phone.get_by_role("button", name="Create my login and join").click()
    phone.wait_for_url(re.compile(r"/inbox/$"))
    assert phone.locator(".topbar .brand").inner_text().replace("◆", "").strip() == "Atelier Ana"


def test_save_button_of_the_settings_is_within_thumb_reach_on_a_phone(phone, live_server_url, world):
    log_in(phone, live_server_url, world.a_owner)
    phone.goto("/settings/")
    button = phone.get_by_role("button", name="Save settings")
    box = button.bounding_box()
    assert box is not None
    assert box["y"] + box["height"] <= 844
    assert box["y"] >= 844 - 100
    assert box["height"] >= 44


def test_owner_changes_opening_hours_with_the_keyboard_free_form(phone, live_server_url, world):
    log_in(phone, live_server_url, world.a_owner)
    phone.goto("/settings/")
    monday = phone.locator("#hours-mon")
    monday.get_by_label("Closed").uncheck()
    monday.get_by_label("Opens", exact=True).fill("10:00")
    monday.get_by_label("Closes", exact=True).first.fill("18:00")
    phone.get_by_role("button", name="Save settings").click()
    assert phone.get_by_role("status").inner_text().strip() == "The store's settings are saved."
    world.a.refresh_from_db()
    assert world.a.opening_hours["mon"] == [["10:00", "18:00"]]
