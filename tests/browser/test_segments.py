"""A manager on a phone filters the list, saves it as a segment and sees its count; screenshots
of the list with filters and of the segments page at phone and desktop sizes."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django_scopes import scopes_disabled
from playwright.sync_api import expect

from tests.browser.conftest import assert_accessible, assert_no_horizontal_scroll, log_in, screenshot
from tests.conftest import World, make_customer
from trunkshow.customers.models import Segment


def _book(world: World) -> None:
    for first, last, stone in (
        ("Zoë", "Müller", "Sapphire"),
        ("Amara", "Okafor", "Sapphire"),
        ("José", "Álvarez", "Ruby"),
        ("Ingrid", "Lindqvist", "Emerald"),
    ):
        make_customer(
            world.a, world.a_owner, first_name=first, last_name=last, interests=[("stone", stone)], source="walk_in"
        )


def test_a_manager_on_a_phone_filters_saves_a_segment_and_sees_its_count(
    phone: Any, world: World, live_server_url: str
):
    page = phone
    _book(world)
    log_in(page, live_server_url, world.a_manager)
    page.goto("/customers/")
    expect(page.locator(".result-count")).to_have_text("4 customers")

    page.get_by_text("Filters", exact=True).click()
    page.get_by_label("Interests").fill("stone:sapphire")
    page.get_by_label("Sort by").select_option("newest")
    page.get_by_role("button", name="Apply filters").click()
    expect(page.locator(".result-count")).to_have_text("2 customers")
    expect(page.get_by_role("link", name="Stone: sapphire (remove this filter)")).to_be_visible()
    assert_no_horizontal_scroll(page)

    page.locator(".segment-picker > summary").click()
    page.get_by_label("Save these filters as a segment").fill("Sapphire lovers")
    page.get_by_role("button", name="Save as segment").click()
    expect(page.get_by_role("status").first).to_contain_text("Saved the segment “Sapphire lovers” (2 customers).")
    page.locator(".segment-picker > summary").click()
    expect(page.locator(".segment-list a[aria-current]")).to_contain_text("Sapphire lovers")
    expect(page.locator(".segment-list a[aria-current] .segment-count")).to_have_text("2 customers")
    screenshot(page, "customers-segment-saved-phone")
    assert_accessible(page)

    # Removing the chip widens the list again.
    page.get_by_role("link", name="Stone: sapphire (remove this filter)").click()
    expect(page.locator(".result-count")).to_have_text("4 customers")
    with scopes_disabled():
        assert list(Segment.objects.values_list("name", "filters")) == [
            ("Sapphire lovers", {"interest": ["stone:sapphire"], "sort": "newest"})
        ]


def _tool_boxes(page: Any) -> list[dict[str, float]]:
    return [
        page.locator(f".list-tools > {tool} > summary").bounding_box() for tool in (".filter-panel", ".segment-picker")
    ]


def test_on_a_phone_filters_and_segments_stay_side_by_side_after_a_long_segment_name_is_saved(
    phone: Any, world: World, live_server_url: str
):
    """Saved, the segment's name is on its button: a long one was putting the button on a row of its own,
    wider than the screen, where Filters and Segments had been side by side."""
    page = phone
    _book(world)
    log_in(page, live_server_url, world.a_manager)
    page.goto("/customers/?interest=stone:sapphire")
    before = _tool_boxes(page)
    page.locator(".segment-picker > summary").click()
    name = "Sapphire lovers who came to the spring trunk show"
    page.get_by_label("Save these filters as a segment").fill(name)
    page.get_by_role("button", name="Save as segment").click()
    expect(page.locator(".segment-picker .summary-text")).to_have_attribute("title", name)
    after = _tool_boxes(page)
    screenshot(page, "customers-long-segment-saved-phone")
    for boxes in (before, after):
        filters, segments = boxes
        assert filters["y"] == segments["y"], boxes  # one row
        assert filters["x"] + filters["width"] < segments["x"], boxes
        assert segments["x"] + segments["width"] <= 390, boxes
    assert [(round(b["width"]), round(b["height"])) for b in after] == [
        (round(b["width"]), round(b["height"])) for b in before
    ]
    # The name is cut short on the button, whole in its title and in the open list.
    text = page.locator(".segment-picker .summary-text")
    assert text.evaluate("t => t.scrollWidth > t.clientWidth")
    assert_no_horizontal_scroll(page)
    page.locator(".segment-picker > summary").click()
    expect(page.locator(".segment-list a[aria-current] .segment-name")).to_have_text(name)


@pytest.mark.parametrize("size", ["phone", "desktop"])
def test_filter_and_segment_pages_look_right(transactional_db, request, world, live_server_url, size):
    page = request.getfixturevalue(size)
    _book(world)
    from django_scopes import scope

    from trunkshow.customers import segments

    with scope(store=world.a):
        segments.segment_create(
            store=world.a, actor=None, name="Sapphire lovers", filters={"interest": "stone:sapphire"}
        )
        segments.segment_create(
            store=world.a, actor=None, name="Birthdays this month", filters={"date": "birthday", "within": "30"}
        )
    log_in(page, live_server_url, world.a_owner)
    page.goto("/customers/?interest=stone:sapphire&source=walk_in&spend_min=lots")
    page.locator(".filter-panel > summary").wait_for()
    assert_no_horizontal_scroll(page)
    screenshot(page, f"customers-filters-{size}")
    assert_accessible(page)
    page.goto("/customers/?interest=stone:sapphire&source=walk_in")
    page.locator(".segment-picker > summary").click()
    assert_no_horizontal_scroll(page)
    screenshot(page, f"customers-segment-picker-{size}")
    assert_accessible(page)
    page.goto("/customers/segments/")
    page.locator(".segment-edit > summary").first.click()
    assert_no_horizontal_scroll(page)
    screenshot(page, f"customers-segments-{size}")
    assert_accessible(page)


def test_the_export_streams_through_the_asgi_server_and_is_logged_as_finished(
    phone: Any, world: World, live_server_url: str
):
    import time

    from trunkshow.core.models import AuditEntry

    _book(world)
    log_in(phone, live_server_url, world.a_manager)
    response = phone.request.get("/customers/export/?interest=stone:sapphire&sort=newest")
    assert response.status == 200
    assert response.headers["content-type"] == "text/csv; charset=utf-8"
    body = response.body()
    assert body.startswith(b"\xef\xbb\xbf")
    lines = body.decode("utf-8-sig").splitlines()
    assert [line.split(",")[1] for line in lines] == ["First name", "Amara", "Zoë"]
    for _attempt in range(50):  # the server records the end just after the last byte
        with scopes_disabled():
            entry = AuditEntry.objects.get(action="trunkshow.customer.exported")
        if entry.data["finished"]:
            break
        time.sleep(0.1)
    assert (entry.data["rows"], entry.data["rows_written"], entry.data["finished"]) == (2, 2, True)


def test_segment_counts_arrive_after_the_page_and_say_when_they_were_counted(
    desktop: Any, world: World, live_server_url: str
):
    from django_scopes import scope

    from trunkshow.customers import segments

    _book(world)
    with scope(store=world.a):  # saved without a page: no count is cached for them yet
        segments.segment_create(store=world.a, actor=None, name="Everyone", filters={})
        segments.segment_create(
            store=world.a, actor=None, name="Sapphire lovers", filters={"interest": "stone:sapphire"}
        )
    log_in(desktop, live_server_url, world.a_associate)
    desktop.goto("/customers/segments/")
    expect(desktop.locator(".segment-rows .segment-count")).to_have_text(["4 customers", "2 customers"])
    expect(desktop.locator(".segment-rows .segment-counted").first).to_contain_text("counted at ")
    expect(desktop.locator("[data-segment-count]")).to_have_count(0)
    # The list page now reads them from the cache: no placeholder to fill.
    desktop.goto("/customers/")
    desktop.locator(".segment-picker > summary").click()
    expect(desktop.locator(".segment-list .segment-count")).to_have_text(["4 customers", "2 customers"])
    assert desktop.locator("[data-segment-count]").count() == 0


def test_a_manager_opens_a_segment_changes_its_filters_and_saves_them_into_it(
    phone: Any, world: World, live_server_url: str
):
    from django_scopes import scope

    from trunkshow.customers import segments

    _book(world)
    with scope(store=world.a):
        segments.segment_create(
            store=world.a, actor=None, name="Sapphire lovers", filters={"interest": "stone:sapphire"}
        )
    log_in(phone, live_server_url, world.a_manager)
    phone.goto("/customers/")
    phone.locator(".segment-picker > summary").click()
    phone.get_by_role("link", name="Sapphire lovers").click()
    expect(phone.locator(".result-count")).to_have_text("2 customers")

    # Widen it to rubies from the filter form: the list stays the segment's, to be saved into it.
    phone.locator(".filter-panel > summary").click()
    phone.get_by_label("Interests").fill("stone:sapphire, stone:ruby")
    phone.get_by_role("button", name="Apply filters").click()
    expect(phone.locator(".result-count")).to_have_text("3 customers")
    phone.locator(".segment-picker > summary").click()
    save_into = phone.get_by_role("button", name="Save these filters into “Sapphire lovers”")
    expect(save_into).to_be_visible()
    screenshot(phone, "customers-segment-changed-phone")
    save_into.click()
    expect(phone.get_by_role("status").first).to_contain_text("Updated the segment “Sapphire lovers”.")
    with scopes_disabled():
        assert Segment.objects.get().filters == {"interest": ["stone:sapphire", "stone:ruby"]}

    # Removing a chip keeps the segment too.
    phone.get_by_role("link", name="Stone: ruby (remove this filter)").click()
    expect(phone.locator(".result-count")).to_have_text("2 customers")
    phone.locator(".segment-picker > summary").click()
    expect(phone.get_by_role("button", name="Save these filters into “Sapphire lovers”")).to_be_visible()

    # A search typed inside the segment keeps it in the address, so reload and back stay in it.
    phone.keyboard.press("Escape")
    phone.get_by_role("searchbox").press_sequentially("zo", delay=40)
    phone.wait_for_url(re.compile(r".*/customers/\?q=zo&interest=stone%3Asapphire&segment=\d+$"))
    expect(phone.locator(".result-count")).to_have_text("1 customer")


def test_a_refused_segment_name_is_shown_on_the_filtered_list_and_a_reload_does_not_post_again(
    phone: Any, world: World, live_server_url: str
):
    page = phone
    _book(world)
    with scopes_disabled():
        Segment.objects.create(store=world.a, name="Sapphire lovers", filters={"interest": ["stone:sapphire"]})
    log_in(page, live_server_url, world.a_manager)
    page.goto("/customers/?interest=stone%3Asapphire&sort=newest")
    page.locator(".segment-picker > summary").click()
    page.get_by_label("Save these filters as a segment").fill("SAPPHIRE LOVERS")
    page.get_by_role("button", name="Save as segment").click()

    expect(page.locator("#segment-name-error")).to_have_text(
        "A segment named “SAPPHIRE LOVERS” already exists; choose another name."
    )
    expect(page.get_by_label("Save these filters as a segment")).to_have_value("SAPPHIRE LOVERS")
    assert page.url == f"{live_server_url}/customers/?interest=stone%3Asapphire&sort=newest"
    expect(page.locator(".result-count")).to_have_text("2 customers")
    screenshot(page, "customers-segment-refused-phone")
    posts: list[str] = []
    page.on("request", lambda r: posts.append(r.url) if r.method == "POST" else None)
    response = page.reload()
    assert response is not None and (response.request.method, response.status) == ("GET", 200)
    assert posts == []
    expect(page.locator(".result-count")).to_have_text("2 customers")
    expect(page.locator("#segment-name-error")).to_have_count(0)
    with scopes_disabled():
        assert Segment.objects.count() == 1
