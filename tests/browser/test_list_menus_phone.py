"""The customer list's segments menu and filter chips read on a phone: names wrap between words
(never "Annive/rsaries"), counts line up, nothing scrolls sideways; and on a desk one row each."""

from __future__ import annotations

from typing import Any

import pytest
from django_scopes import scope
from playwright.sync_api import expect

from tests.browser.conftest import assert_no_horizontal_scroll, log_in, screenshot
from tests.conftest import World, make_customer
from trunkshow.customers import segments

NAMES = ["Anniversaries in the next 60 days", "Best clients, quiet for 6 months", "Sapphire lovers who may get texts"]

# Each word of each segment name on one line: a word's characters share their top.
WORDS_WHOLE = """() => [...document.querySelectorAll('.segment-name')].every((el) => {
  const text = el.firstChild, range = document.createRange();
  let at = 0;
  return el.textContent.split(' ').every((word) => {
    range.setStart(text, at); range.setEnd(text, at + word.length); at += word.length + 1;
    return range.getClientRects().length === 1;
  });
})"""


def _segments(world: World) -> None:
    make_customer(world.a, first_name="Zoë", last_name="Müller", interests=[("stone", "Sapphire")])
    make_customer(world.a, first_name="", last_name="", phones=["+12125550188"], source="chat")
    with scope(store=world.a):
        for name in NAMES:
            segments.segment_create(store=world.a, actor=None, name=name, filters={"interest": "stone:sapphire"})


def _list_with_segments(request: Any, world: World, live_server_url: str, size: str) -> Any:
    """The owner's customer list with three saved segments, in a page of that size."""
    page = request.getfixturevalue(size)
    _segments(world)
    log_in(page, live_server_url, world.a_owner)
    page.goto("/customers/")
    return page


@pytest.mark.parametrize("size", ["phone", "desktop"])
def test_the_segments_menu_reads_at_phone_and_desk_sizes(
    transactional_db: Any, request: Any, world: World, live_server_url: str, size: str
):
    page = _list_with_segments(request, world, live_server_url, size)
    # The nameless texter comes after the named, called by their number.
    expect(page.locator(".customer-list .item-title")).to_have_text(["Zoë Müller", "(212) 555-0188"])

    page.locator(".segment-picker > summary").click()
    expect(page.locator(".segment-list .segment-count")).to_have_text(["1 customer"] * 3)
    assert page.evaluate(WORDS_WHOLE)
    boxes = page.evaluate(
        """() => [...document.querySelectorAll('.segment-list a')].map((a) => ({
             link: a.getBoundingClientRect().width,
             name: a.querySelector('.segment-name').getBoundingClientRect().width,
             nameTop: a.querySelector('.segment-name').getBoundingClientRect().top,
             countTop: a.querySelector('.segment-count').getBoundingClientRect().top,
             count: a.querySelector('.segment-count').getBoundingClientRect().left,
             counted: a.querySelector('.segment-counted').getBoundingClientRect().right }))"""
    )
    screenshot(page, f"customers-segments-menu-{size}")
    assert len({round(b["count"]) for b in boxes}) == 1  # the counts in one column
    assert len({round(b["counted"]) for b in boxes}) == 1
    if size == "phone":
        assert all(b["name"] == b["link"] for b in boxes)  # the name has the row to itself
    else:
        assert all(b["name"] < b["link"] / 2 + 200 for b in boxes)  # name, count, time on one row
        assert all(abs(b["nameTop"] - b["countTop"]) < 6 for b in boxes)
        assert all(b["link"] <= 48 * 16 for b in boxes)  # the panel is not stretched across a wide list
    assert_no_horizontal_scroll(page)
    screenshot(page, f"customers-segments-menu-{size}")


def test_long_filter_chips_wrap_between_words_on_a_phone(
    transactional_db: Any, phone: Any, world: World, live_server_url: str
):
    _segments(world)
    log_in(phone, live_server_url, world.a_owner)
    phone.goto(
        "/customers/?interest=stone:sapphire&interest=designer:Temple St. Clair Extraordinary Pieces"
        "&contact_older_than=30&source=chat"
    )
    chips = phone.locator(".chips .chip")
    expect(chips).to_have_count(4)
    # One row that scrolls sideways; each chip as wide as the screen at most, a long one in two lines.
    widths = phone.evaluate(
        "[...document.querySelectorAll('.chips .chip')].map((c) => c.getBoundingClientRect().width)"
    )
    assert max(widths) <= 390 * 0.85 + 1, widths
    lines = chips.nth(1).evaluate(
        "c => Math.round(c.getBoundingClientRect().height / parseFloat(getComputedStyle(c).lineHeight))"
    )
    assert lines >= 2, lines
    assert_no_horizontal_scroll(phone)
    screenshot(phone, "customers-chips-phone")


@pytest.mark.parametrize("size", ["phone", "desktop"])
def test_the_open_filters_panel_scrolls_under_the_sticky_header(
    transactional_db: Any, request: Any, world: World, live_server_url: str, size: str
):
    page = _list_with_segments(request, world, live_server_url, size)
    page.locator(".filter-panel > summary").click()
    expect(page.locator(".filter-form")).to_be_visible()
    page.mouse.wheel(0, 260)
    page.wait_for_function("() => window.scrollY > 100")
    # What is drawn at each point of the header is the header, not the panel scrolled beneath it.
    covered = page.evaluate(
        """() => {
             const bar = document.querySelector('.topbar').getBoundingClientRect();
             const points = [];
             for (let x = 8; x < bar.right; x += 40) for (const y of [bar.top + 4, bar.bottom - 4]) points.push([x, y]);
             return points.filter(([x, y]) => !document.elementFromPoint(x, y)?.closest('.topbar'));
           }"""
    )
    page.screenshot(path=str(screenshot(page, f"customers-filters-scrolled-{size}")), full_page=False)
    assert covered == []


@pytest.mark.parametrize("size", ["phone", "desktop"])
def test_a_bad_filter_and_a_changed_segment_read_at_phone_and_desk_sizes(
    transactional_db: Any, request: Any, world: World, live_server_url: str, size: str
):
    page = _list_with_segments(request, world, live_server_url, size)
    page.goto("/customers/?date=birthday&within=-1&consent=email")
    expect(page.locator("#results h2")).to_have_text("Fix the filters first")
    expect(page.locator("#f-within + .error, #f-within ~ .error")).to_have_text(
        "Give a whole number of days from 0 to 365."
    )
    expect(page.locator(".tool-export")).to_have_count(0)
    expect(page.locator(".customer-list")).to_have_count(0)
    assert_no_horizontal_scroll(page)
    page.screenshot(path=str(screenshot(page, f"customers-bad-filter-{size}")), full_page=False)

    page.goto("/customers/?foo=bar")
    expect(page.locator("#results .result-note")).to_have_text(
        "The address has a part this page does not know, left out: foo."
    )
    expect(page.locator(".filter-form .form-errors")).to_have_count(0)

    page.locator(".segment-picker > summary").click()
    page.locator(".segment-list a", has_text=NAMES[1]).click()
    expect(page.locator(".segment-picker > summary .summary-changed")).to_have_count(0)
    page.locator(".chip").first.click()  # the segment's one filter removed
    expect(page.locator(".segment-picker > summary .summary-changed")).to_have_text("(changed)")
    expect(page.locator(".segment-picker > summary .summary-changed")).to_be_in_viewport()
    page.locator(".segment-picker > summary").click()
    expect(page.locator('.segment-list a[aria-current="true"]')).to_have_count(0)
    assert_no_horizontal_scroll(page)
    page.screenshot(path=str(screenshot(page, f"customers-segment-changed-{size}")), full_page=False)
