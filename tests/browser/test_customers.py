"""An associate on a phone: quick add a customer, find them again, open their profile; by keyboard too."""

from __future__ import annotations

import re
import time
from typing import Any

from django_scopes import scope
from playwright.sync_api import expect

from tests.browser.conftest import assert_accessible, assert_no_horizontal_scroll, log_in, screenshot
from tests.conftest import World, make_customer

PROFILE_URL = re.compile(r".*/customers/(\d+)/$")


def test_quick_add_on_a_phone_then_find_them_by_name_and_by_phone(
    phone: Any, world: World, live_server_url: str, record_property: Any
):
    page = phone
    make_customer(world.a, world.a_owner, first_name="Amara", last_name="Okafor", phones=["+1 212 555 0199"])
    log_in(page, live_server_url, world.a_associate)
    page.goto("/customers/")

    # From "just looking, thanks" to a saved profile: open quick add, type, tick, save.
    started = time.monotonic()
    page.get_by_role("link", name="Quick add").click()
    page.get_by_label("First name").fill("Zsófia")
    page.get_by_label("Last name").fill("Kiss")
    page.get_by_label("Mobile phone").fill("(914) 555-0142")
    page.get_by_label(re.compile("They agree to texts from Atelier Ana")).check()
    page.get_by_role("button", name="Save customer").click()
    page.wait_for_url(PROFILE_URL)
    page.get_by_role("heading", name="Zsófia Kiss").wait_for()
    elapsed = time.monotonic() - started
    record_property("quick_add_seconds", round(elapsed, 2))
    print(f"\nquick add, from opening the form to the saved profile: {elapsed:.2f} s")
    assert elapsed < 15
    assert page.get_by_role("status").inner_text() == "Zsófia Kiss is in the book."
    assert page.locator("#contact .contact-value").all_inner_texts() == ["(914) 555-0142"]
    assert [" ".join(t.split()) for t in page.locator("#consent .consent-row").all_inner_texts()] == [
        "✓ Agreed Text message · marketing"
    ]
    customer_id = PROFILE_URL.match(page.url).group(1)  # type: ignore[union-attr]

    # Find her again by typing part of her name: results as you type, the address kept in step.
    page.get_by_role("link", name="Customers", exact=True).first.click()
    search = page.get_by_role("searchbox", name="Search customers by name, phone or email")
    search.press_sequentially("zsof", delay=40)
    results = page.locator("#results .item-title")
    page.wait_for_url(re.compile(r".*/customers/\?q=zsof$"))
    assert results.all_inner_texts() == ["Zsófia Kiss"]
    assert page.get_by_role("status").filter(has_text="customer").inner_text() == "1 customer"

    # ...and by her number typed another way.
    search.fill("")
    search.press_sequentially("+1 914-555-0142", delay=20)
    page.wait_for_url(re.compile(r".*q=%2B1\+914-555-0142$"))
    assert results.all_inner_texts() == ["Zsófia Kiss"]

    # Reload keeps the search; then open the profile from the list.
    page.reload()
    assert search.input_value() == "+1 914-555-0142"
    assert results.all_inner_texts() == ["Zsófia Kiss"]
    page.get_by_role("link", name=re.compile("Zsófia Kiss")).click()
    page.wait_for_url(f"**/customers/{customer_id}/")
    assert page.get_by_role("heading", level=1).inner_text() == "Zsófia Kiss"
    assert_no_horizontal_scroll(page)

    # Back returns to the same search.
    page.go_back()
    page.wait_for_url(re.compile(r".*q=%2B1\+914-555-0142$"))
    assert results.all_inner_texts() == ["Zsófia Kiss"]


def test_search_says_when_nothing_matches_and_offers_quick_add_with_the_query(
    phone: Any, world: World, live_server_url: str
):
    page = phone
    make_customer(world.a, world.a_owner, first_name="Amara", last_name="Okafor")
    log_in(page, live_server_url, world.a_associate)
    page.goto("/customers/")
    page.get_by_role("searchbox").press_sequentially("Ilona Nagy", delay=30)
    page.get_by_text("No customer matches “Ilona Nagy”").wait_for()
    page.get_by_role("link", name="Add “Ilona Nagy” as a new customer").click()
    assert page.get_by_label("First name").input_value() == "Ilona"
    assert page.get_by_label("Last name").input_value() == "Nagy"


def test_the_newest_search_wins_when_answers_arrive_out_of_order(phone: Any, world: World, live_server_url: str):
    page = phone
    make_customer(world.a, world.a_owner, first_name="Amara", last_name="Okafor")
    make_customer(world.a, world.a_owner, first_name="Zoë", last_name="Müller")
    log_in(page, live_server_url, world.a_associate)
    page.goto("/customers/")
    fragments: list[str] = []
    page.on("request", lambda r: fragments.append(r.url) if "partial=1" in r.url else None)

    # The first answer is held back; the second query must win and the first request be aborted.
    def slow(route: Any) -> None:
        if "q=amara" in route.request.url:
            time.sleep(0.6)
        route.continue_()

    page.route("**/customers/?*partial=1*", slow)
    search = page.get_by_role("searchbox")
    search.fill("amara")
    page.wait_for_timeout(260)
    search.fill("zoe")
    page.wait_for_url(re.compile(r".*q=zoe$"))
    page.wait_for_timeout(900)
    assert page.locator("#results .item-title").all_inner_texts() == ["Zoë Müller"]
    assert page.url.endswith("/customers/?q=zoe")
    assert [re.search(r"q=(\w+)", u).group(1) for u in fragments] == ["amara", "zoe"]  # type: ignore[union-attr]


def test_typing_fast_sends_one_request_after_a_pause(phone: Any, world: World, live_server_url: str):
    page = phone
    make_customer(world.a, world.a_owner, first_name="Amara", last_name="Okafor")
    log_in(page, live_server_url, world.a_associate)
    page.goto("/customers/")
    fragments: list[str] = []
    page.on("request", lambda r: fragments.append(r.url) if "partial=1" in r.url else None)
    page.get_by_role("searchbox").press_sequentially("okafor", delay=30)
    page.locator("#results .item-title").filter(has_text="Amara Okafor").wait_for()
    page.wait_for_timeout(400)
    assert len(fragments) == 1 and fragments[0].endswith("q=okafor&partial=1")


def test_search_works_without_javascript(browser: Any, live_server_url: str, transactional_db: Any, world: World):
    context = browser.new_context(
        viewport={"width": 390, "height": 844}, java_script_enabled=False, base_url=live_server_url
    )
    page = context.new_page()
    try:
        make_customer(world.a, world.a_owner, first_name="Amara", last_name="Okafor")
        make_customer(world.a, world.a_owner, first_name="Zoë", last_name="Müller")
        log_in(page, live_server_url, world.a_associate)
        page.goto("/customers/")
        page.get_by_role("searchbox").fill("muller")
        page.get_by_role("button", name="Search").click()
        page.wait_for_url("**/customers/?q=muller")
        assert page.locator("#results .item-title").all_inner_texts() == ["Zoë Müller"]
    finally:
        context.close()


def test_quick_add_of_a_known_number_offers_the_existing_customer(phone: Any, world: World, live_server_url: str):
    page = phone
    existing = make_customer(
        world.a, world.a_owner, first_name="Katalin", last_name="Szirmay", phones=["+1 914 555 0142"]
    )
    log_in(page, live_server_url, world.a_associate)
    page.goto("/customers/new/")
    page.get_by_label("First name").fill("Kati")
    page.get_by_label("Mobile phone").fill("914.555.0142")
    page.get_by_role("button", name="Save customer").click()

    alert = page.locator(".duplicate")
    alert.get_by_text("Already in the book?").wait_for()
    assert alert.locator(".item-title").all_inner_texts() == ["Katalin Szirmay"]
    assert alert.locator(".item-sub").all_inner_texts() == ["(914) 555-0142"]
    assert page.get_by_label("First name").input_value() == "Kati"
    assert_no_horizontal_scroll(page)
    assert_accessible(page)
    screenshot(page, "customers-quick-add-duplicate-phone")
    page.get_by_role("link", name="Open this customer").click()
    page.wait_for_url(f"**/customers/{existing.pk}/")
    assert page.get_by_role("heading", level=1).inner_text() == "Katalin Szirmay"


def test_saving_a_copy_anyway_is_a_deliberate_second_tap(phone: Any, world: World, live_server_url: str):
    page = phone
    existing = make_customer(
        world.a, world.a_owner, first_name="Katalin", last_name="Szirmay", phones=["+1 914 555 0142"]
    )
    log_in(page, live_server_url, world.a_associate)
    page.goto("/customers/new/")
    page.get_by_label("First name").fill("Kati")
    page.get_by_label("Mobile phone").fill("914.555.0142")
    page.get_by_label("Mobile phone").press("Enter")
    page.locator(".duplicate").wait_for()
    # Enter again in the form only asks again; it never saves a copy.
    page.get_by_label("Mobile phone").press("Enter")
    page.locator(".duplicate").wait_for()
    page.get_by_role("button", name="Save as a new customer anyway").click()
    page.wait_for_url(PROFILE_URL)
    assert PROFILE_URL.match(page.url).group(1) != str(existing.pk)  # type: ignore[union-attr]
    with scope(store=world.a):
        from trunkshow.customers.models import Customer

        assert sorted(Customer.objects.values_list("first_name", flat=True)) == ["Katalin", "Kati"]


def test_quick_add_by_keyboard_alone(phone: Any, world: World, live_server_url: str):
    page = phone
    log_in(page, live_server_url, world.a_associate)
    page.goto("/customers/new/")
    assert page.evaluate("document.activeElement.id") == "id_first_name"
    page.keyboard.type("Noa")
    page.keyboard.press("Tab")
    page.keyboard.type("Lindqvist")
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.id") == "id_reach_0"  # Phone | Email
    page.keyboard.press("ArrowRight")  # switch to email
    expect(page.get_by_role("textbox", name="Email")).to_be_visible()
    expect(page.get_by_label("Mobile phone")).to_be_hidden()
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.id") == "id_email"
    page.keyboard.type("noa@example.se")
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.id") == "id_consent_email"
    page.keyboard.press("Space")
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.id") == "id_source"
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.textContent") == "Save customer"
    page.keyboard.press("Enter")
    page.wait_for_url(PROFILE_URL)
    assert page.get_by_role("heading", level=1).inner_text() == "Noa Lindqvist"
    assert page.locator("#contact .contact-value").all_inner_texts() == ["noa@example.se"]
    assert [" ".join(t.split()) for t in page.locator("#consent .consent-row").all_inner_texts()] == [
        "✓ Agreed Email · marketing"
    ]


def test_quick_add_errors_are_said_beside_the_field(phone: Any, world: World, live_server_url: str):
    page = phone
    log_in(page, live_server_url, world.a_associate)
    page.goto("/customers/new/")
    page.get_by_label("First name").fill("Noa")
    page.get_by_label("Mobile phone").fill("12")
    page.get_by_role("button", name="Save customer").click()
    error = page.locator("#id_phone_error")
    error.wait_for()
    assert (
        error.inner_text()
        == "“12” is not a valid phone number (United States). Add the country code, like +1 201-555-0123."
    )
    assert page.get_by_label("Mobile phone").get_attribute("aria-invalid") == "true"
    assert page.get_by_label("First name").input_value() == "Noa"
    assert_accessible(page)
    screenshot(page, "customers-quick-add-error-phone")


def test_choosing_a_partner_by_searching_on_the_edit_page(desktop: Any, world: World, live_server_url: str):
    page = desktop
    kati = make_customer(world.a, world.a_owner, first_name="Katalin", last_name="Szirmay")
    gabor = make_customer(world.a, world.a_owner, first_name="Gábor", last_name="Szirmay")
    log_in(page, live_server_url, world.a_associate)
    page.goto(f"/customers/{kati.pk}/edit/")
    assert not page.get_by_label(re.compile("Partner is a customer")).is_visible()
    page.get_by_label("Find the partner among your customers").press_sequentially("szirm", delay=30)
    choice = page.locator("#partner-results button.pick")
    choice.first.wait_for()
    assert [" ".join(t.split()) for t in choice.all_inner_texts()] == [f"GS Gábor Szirmay Customer no. {gabor.pk}"]
    choice.first.click()
    assert page.locator("[data-picker-name]").inner_text() == "Gábor Szirmay"
    page.get_by_role("button", name="Save changes").click()
    page.wait_for_url(f"**/customers/{kati.pk}/")
    assert page.locator("#about dd a").inner_text() == "Gábor Szirmay"
    with scope(store=world.a):
        kati.refresh_from_db()
        assert kati.partner_id == gabor.pk


def test_the_size_form_offers_the_systems_that_fit_the_kind(phone: Any, world: World, live_server_url: str):
    page = phone
    kati = make_customer(world.a, world.a_owner, first_name="Katalin")
    log_in(page, live_server_url, world.a_associate)
    page.goto(f"/customers/{kati.pk}/")
    page.get_by_text("Add a size").click()
    system = page.locator("#size_system")
    assert system.locator("option:not([disabled])").all_inner_texts() == ["US", "UK", "EU"]
    page.locator("#size_kind").select_option("bracelet")
    assert system.locator("option:not([disabled])").all_inner_texts() == ["cm", "inches"]
    assert system.input_value() == "cm"
    page.locator("#size_value").fill("17")
    page.get_by_role("button", name="Add size").click()
    page.wait_for_url(f"**/customers/{kati.pk}/#sizes")
    assert page.locator("#sizes .contact-row").all_inner_texts() == ["Bracelet 17 cm\n×"]
