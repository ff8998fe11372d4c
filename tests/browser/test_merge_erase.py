"""Merging two records and erasing a customer, on a phone (and the same pages on a desk)."""

from __future__ import annotations

from typing import Any

from django_scopes import scope, scopes_disabled
from playwright.sync_api import expect

from tests.browser.conftest import assert_accessible, assert_no_horizontal_scroll, log_in, screenshot
from tests.conftest import World, make_customer
from trunkshow.customers import services
from trunkshow.customers.models import Customer


def _pair(world: World) -> tuple[Any, Any]:
    keep = make_customer(
        world.a,
        world.a_owner,
        first_name="Katherine",
        last_name="Szirmay",
        phones=["+19145550142"],
        emails=["katherine.szirmay@example.com"],
        birthday_day=14,
        birthday_month=6,
    )
    other = make_customer(
        world.a,
        world.a_owner,
        first_name="Kate",
        last_name="Szirmai",
        preferred_name="Kati",
        phones=["+12125550100"],
        emails=["kate@example.com"],
        address_line1="9 Elm Street, Apartment 14B",
        city="Boston",
        region="MA",
        postal_code="02110",
        country="US",
        birthday_day=15,
        birthday_month=6,
        language="hu",
        interests=[("stone", "Sapphire")],
    )
    with scope(store=world.a):
        services.note_create(store=world.a, actor=world.a_owner.user, customer=other, body="Wants an eternity band")
    return keep, other


def test_merging_two_records_on_a_phone(phone: Any, world: World, live_server_url: str):
    page = phone
    keep, other = _pair(world)
    log_in(page, live_server_url, world.a_manager)
    page.goto(f"/customers/{keep.pk}/")
    page.get_by_role("link", name="Merge with…").click()
    page.wait_for_url(f"**/customers/{keep.pk}/merge/")
    assert not page.get_by_label("Customer no.").is_visible()  # the search replaces the number field
    page.get_by_label("Find them by name, phone or email").press_sequentially("szirm", delay=30)
    choice = page.locator("#merge-results button.pick")
    choice.first.wait_for()
    # The record itself is not offered; the other shows its phone to tell them apart.
    assert [" ".join(t.split()) for t in choice.all_inner_texts()] == [
        f"KS Kati Szirmai Customer no. {other.pk} · (212) 555-0100"
    ]
    assert_accessible(page)
    choice.first.click()
    assert page.locator("[data-picker-name]").inner_text() == "Kati Szirmai"
    assert_no_horizontal_scroll(page)
    screenshot(page, "customers-merge-pick-phone")
    page.get_by_role("button", name="Compare").click()
    page.wait_for_url(f"**/customers/{keep.pk}/merge/{other.pk}/")
    assert_no_horizontal_scroll(page)
    assert_accessible(page)
    # Told, not stopped: Katherine and Kate, born a day apart, may be two people.
    doubt = page.get_by_role("note", name="These may be two different people")
    expect(doubt.get_by_role("listitem")).to_have_text(
        ["First name: Katherine (stays), Kate (merged in).", "Birthday: June 14 (stays), June 15 (merged in)."]
    )
    screenshot(page, "customers-merge-confirm-phone")
    # Defaults: the survivor's values, and the other's where the survivor has none.
    assert page.get_by_role("group", name="Birthday").get_by_role("radio").first.is_checked()
    # Only the other record has an address: it is kept, shown as text, and not a choice.
    address = page.get_by_role("group", name="Address")
    expect(address.get_by_role("radio")).to_have_count(0)
    expect(address.get_by_text(f"Only no. {other.pk} has this: it is kept.")).to_be_visible()
    page.get_by_role("group", name="Birthday").get_by_text("June 15").click()
    page.get_by_role("button", name="Merge", exact=True).click()
    page.wait_for_url(f"**/customers/{keep.pk}/")
    assert page.get_by_text(f"Merged customer no. {other.pk} into Kati Szirmay.").is_visible()
    timeline = page.locator("#timeline")
    assert f"Kate Szirmai (no. {other.pk}) was merged into this record." in timeline.inner_text()
    contact = page.locator("#contact").inner_text()
    assert "(914) 555-0142" in contact and "(212) 555-0100" in contact and "kate@example.com" in contact
    with scope(store=world.a):
        keep.refresh_from_db()
        assert (keep.birthday_day, keep.birthday_month, keep.city, keep.preferred_name) == (15, 6, "Boston", "Kati")
        assert keep.notes.count() == 1
        assert not Customer.objects.filter(pk=other.pk).exists()
    screenshot(page, "customers-merged-profile-phone")


def test_a_refused_other_record_shows_why_and_the_search_not_a_blank_choice(
    phone: Any, world: World, live_server_url: str
):
    page = phone
    keep, other = _pair(world)
    log_in(page, live_server_url, world.a_manager)
    response = page.goto(f"/customers/{keep.pk}/merge/?other={keep.pk}")
    assert response.status == 400
    expect(page.get_by_text("This is the same customer; choose the other record of this person.")).to_be_visible()
    # No card for a choice with neither name nor initials: the search, to pick the right one.
    expect(page.locator("[data-picker-chosen]")).to_be_hidden()
    search = page.get_by_label("Find them by name, phone or email")
    expect(search).to_be_visible()
    screenshot(page, "customers-merge-same-record-phone")
    search.press_sequentially("szirm", delay=30)
    page.locator("#merge-results button.pick").first.click()
    expect(page.locator("[data-picker-name]")).to_have_text("Kati Szirmai")
    page.get_by_role("button", name="Compare").click()
    page.wait_for_url(f"**/customers/{keep.pk}/merge/{other.pk}/")


def test_a_partner_is_marked_in_the_picker_and_not_merged_on_a_phone(phone: Any, world: World, live_server_url: str):
    page = phone
    marta = make_customer(world.a, world.a_owner, first_name="Märta", last_name="Åkesson", phones=["+14155550101"])
    bjorn = make_customer(world.a, world.a_owner, first_name="Björn", last_name="Åkesson", partner_id=marta.pk)
    namesake = make_customer(world.a, world.a_owner, first_name="Märta", last_name="Åkesson", city="Malmö")
    log_in(page, live_server_url, world.a_owner)
    page.goto(f"/customers/{marta.pk}/merge/")
    page.get_by_label("Find them by name, phone or email").press_sequentially("akesson", delay=30)
    choice = page.locator("#merge-results button.pick")
    choice.first.wait_for()
    assert sorted(" ".join(t.split()) for t in choice.all_inner_texts()) == [
        f"BÅ Björn Åkesson partner Customer no. {bjorn.pk}",
        f"MÅ Märta Åkesson Customer no. {namesake.pk} · Malmö",
    ]
    assert_no_horizontal_scroll(page)
    screenshot(page, "customers-merge-pick-partner-phone")
    choice.filter(has_text="Björn").click()
    expect(page.locator("[data-picker-number]")).to_have_text(f"Customer no. {bjorn.pk} · partner")
    assert_no_horizontal_scroll(page)  # the longer line wraps inside the card
    page.get_by_role("button", name="Compare").click()
    page.wait_for_url(f"**/customers/{marta.pk}/merge/?other={bjorn.pk}")
    expect(page.get_by_text("are each other's partners: partners are two people")).to_be_visible()
    assert_no_horizontal_scroll(page)
    assert_accessible(page)
    screenshot(page, "customers-merge-partner-refused-phone")
    with scopes_disabled():
        assert Customer.objects.filter(pk=bjorn.pk).exists()


def test_merge_page_on_a_desk(desktop: Any, world: World, live_server_url: str):
    page = desktop
    keep, other = _pair(world)
    log_in(page, live_server_url, world.a_owner)
    page.goto(f"/customers/{keep.pk}/merge/{other.pk}/")
    assert_no_horizontal_scroll(page)
    assert_accessible(page)
    screenshot(page, "customers-merge-confirm-desktop")
    page.goto(f"/customers/{keep.pk}/")
    screenshot(page, "customers-profile-record-actions-desktop")


def test_erasing_a_customer_on_a_phone(phone: Any, world: World, live_server_url: str):
    page = phone
    _keep, other = _pair(world)
    log_in(page, live_server_url, world.a_owner)
    page.goto(f"/customers/{other.pk}/")
    screenshot(page, "customers-profile-record-actions-phone")
    page.get_by_role("link", name="Erase personal data").click()
    page.wait_for_url(f"**/customers/{other.pk}/erase/")
    assert_no_horizontal_scroll(page)
    assert_accessible(page)
    screenshot(page, "customers-erase-phone")
    page.get_by_label("Type the customer’s name to confirm").fill("Kate")
    page.get_by_role("button", name="Erase personal data").click()
    error = page.locator("#id_confirm_name_error")
    error.wait_for()
    assert (
        error.inner_text()
        == "That is not the customer’s name. Type “Kati Szirmai” as shown (capitals and accents do not matter)."
    )
    assert page.get_by_label("Type the customer’s name to confirm").get_attribute("aria-invalid") == "true"
    assert_accessible(page)
    screenshot(page, "customers-erase-wrong-name-phone")
    page.get_by_label("Type the customer’s name to confirm").fill("kati szirmai")
    page.get_by_role("button", name="Erase personal data").click()
    page.wait_for_url("**/customers/")
    assert page.get_by_text(f"The personal data of customer no. {other.pk} was erased.").is_visible()
    assert "Szirmai" not in page.locator("main").inner_text()
    page.get_by_role("searchbox").first.fill("kate@example.com")
    page.wait_for_timeout(600)
    assert "Kati" not in page.locator("main").inner_text()
    response = page.goto(f"/customers/{other.pk}/")
    assert response.status == 410
    assert page.get_by_role("heading", name="This customer was erased").is_visible()
    assert_accessible(page)
    screenshot(page, "customers-erased-gone-phone")
    with scopes_disabled():
        gone = Customer.objects.get(pk=other.pk)
        assert (gone.first_name, gone.search_text, gone.notes.count()) == ("", "", 0)


def test_erase_page_on_a_desk(desktop: Any, world: World, live_server_url: str):
    page = desktop
    keep, _other = _pair(world)
    log_in(page, live_server_url, world.a_manager)
    page.goto(f"/customers/{keep.pk}/erase/")
    assert_no_horizontal_scroll(page)
    assert_accessible(page)
    screenshot(page, "customers-erase-desktop")


def test_a_long_name_with_a_partner_badge_wraps_in_the_picker_on_a_phone(
    phone: Any, world: World, live_server_url: str
):
    page = phone
    zoe = make_customer(world.a, world.a_owner, first_name="Zoë", last_name="Goldberg", phones=["+19145550110"])
    make_customer(
        world.a,
        world.a_owner,
        first_name="Marcus-Alexander",
        last_name="Van der Berg-Goldberg",
        phones=["+19175550158"],
        partner_id=zoe.pk,
    )
    log_in(page, live_server_url, world.a_owner)
    page.goto(f"/customers/{zoe.pk}/merge/")
    page.get_by_label("Find them by name, phone or email").press_sequentially("goldberg", delay=30)
    choice = page.locator("#merge-results button.pick")
    choice.first.wait_for()
    expect(choice.first).to_contain_text("partner")
    # The long line wraps inside the card: the page keeps the phone's width, the search box whole on screen.
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    box = page.get_by_label("Find them by name, phone or email").bounding_box()
    assert box is not None and box["x"] + box["width"] <= 390
    screenshot(page, "customers-merge-pick-long-partner-phone")
