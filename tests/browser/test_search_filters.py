"""Search as you type keeps the rest of the list page in step: filters, export and segments."""

from __future__ import annotations

import csv
import io
import itertools
import re
from typing import Any
from urllib.parse import parse_qs, urlsplit

from tests.browser.conftest import log_in, screenshot
from tests.conftest import World, make_customer


def test_a_live_search_survives_a_filter_and_goes_into_the_export(phone: Any, world: World, live_server_url: str):
    page = phone
    make_customer(world.a, first_name="Sophie", last_name="Martin", interests=[("stone", "sapphire")])
    make_customer(world.a, first_name="Sophie", last_name="Dubois", interests=[("stone", "ruby")])
    make_customer(world.a, first_name="Marie", last_name="Laurent", interests=[("stone", "sapphire")])
    log_in(page, live_server_url, world.a_manager)
    page.goto("/customers/")
    results = page.locator("#results .item-title")
    export = page.get_by_role("link", name="Export CSV")

    page.get_by_role("searchbox", name="Search customers by name, phone or email").press_sequentially(
        "sophie", delay=40
    )
    page.wait_for_url(re.compile(r".*/customers/\?q=sophie$"))
    assert results.all_inner_texts() == ["Sophie Dubois", "Sophie Martin"]
    assert export.get_attribute("href") == "/customers/export/?q=sophie"
    # The save-as-segment form appears for the typed search and carries it.
    page.locator(".segment-picker summary").click()
    assert page.locator(".save-segment input[name=q]").input_value() == "sophie"
    page.locator(".segment-picker summary").click()

    page.locator(".filter-panel summary").click()
    page.get_by_label("Interests").fill("stone:sapphire")
    page.get_by_role("button", name="Apply filters").click()
    page.wait_for_load_state()
    assert parse_qs(urlsplit(page.url).query) == {"q": ["sophie"], "interest": ["stone:sapphire"]}
    assert results.all_inner_texts() == ["Sophie Martin"]
    screenshot(page, "search-then-filter-phone")

    href = export.get_attribute("href")
    assert parse_qs(urlsplit(href).query) == {"q": ["sophie"], "interest": ["stone:sapphire"]}
    response = page.request.get(href)
    rows = list(csv.reader(io.StringIO(response.body().decode("utf-8-sig"), newline="")))
    assert [(r[1], r[2]) for r in rows[1:]] == [("Sophie", "Martin")]

    # Clearing the search takes it out of everything again.
    page.get_by_role("searchbox", name="Search customers by name, phone or email").fill("")
    page.wait_for_url(re.compile(r".*/customers/\?interest=stone%3Asapphire$"))
    assert results.all_inner_texts() == ["Marie Laurent", "Sophie Martin"]
    assert parse_qs(urlsplit(export.get_attribute("href")).query) == {"interest": ["stone:sapphire"]}


def test_opening_filters_or_segments_leaves_their_buttons_in_place(
    browser: Any, transactional_db: Any, world: World, live_server_url: str
):
    from tests.browser.conftest import DESKTOP, PHONE

    make_customer(world.a, first_name="Sophie", last_name="Martin")
    for viewport in (PHONE, DESKTOP):
        context = browser.new_context(viewport=viewport, base_url=live_server_url)
        page = context.new_page()
        log_in(page, live_server_url, world.a_manager)
        page.goto("/customers/?source=walk_in")
        for tool in (".filter-panel", ".segment-picker"):
            summary = page.locator(f"{tool} > summary")
            closed = summary.bounding_box()
            summary.click()
            assert page.locator(f"{tool} > .card").is_visible()
            assert summary.bounding_box() == closed, (viewport, tool)
            # The panel opens below the whole row of tools, the export link included.
            export = page.get_by_role("link", name="Export CSV").bounding_box()
            card = page.locator(f"{tool} > .card").bounding_box()
            assert card["y"] >= export["y"] + export["height"]
            # Room is made for it: the chips and the list start below it, not under it.
            assert page.locator(".chips").bounding_box()["y"] >= card["y"] + card["height"]
            summary.click()
        context.close()


def test_on_a_phone_many_filters_make_one_sideways_row_and_the_list_stays_in_view(
    phone: Any, world: World, live_server_url: str
):
    from playwright.sync_api import expect

    from tests.browser.conftest import assert_no_horizontal_scroll

    page = phone
    make_customer(world.a, first_name="Sophie", last_name="Martin", interests=[("stone", "sapphire")])
    log_in(page, live_server_url, world.a_owner)
    page.goto(
        "/customers/?interest=stone:sapphire&date=birthday&within=365&contact_older_than=30&spend_min=500"
        "&spend_max=20000&source=walk_in&consent=sms"
    )
    chips = page.locator(".chips .chip")
    expect(chips).to_have_count(7)
    tops = {round(box["y"]) for box in (chip.bounding_box() for chip in chips.all()) if box}
    assert len(tops) == 1, tops  # one row, however many
    assert_no_horizontal_scroll(page)
    expect(page.locator(".chips")).to_have_js_property("scrollLeft", 0)
    assert page.locator(".chips").evaluate("u => u.scrollWidth > u.clientWidth")  # the rest further along
    expect(page.locator("#results .empty, #results .result-count").first).to_be_in_viewport()
    page.screenshot(
        path=str(screenshot(page, "customers-many-filters-phone").with_name("customers-many-filters-phone-view.png"))
    )


def test_a_search_matching_more_than_it_ranks_says_where_the_ranking_ends(
    phone: Any, world: World, live_server_url: str
):
    # More Kellers than the search ranks (300: the server is another process, so the real bound).
    syllables = ["ba", "de", "fi", "go", "lu", "ma", "ne", "ri"]
    firsts = ["".join(p).capitalize() for p in itertools.product(syllables, repeat=3)][:302]
    for first in firsts:
        make_customer(world.a, first_name=first, last_name="Keller")
    make_customer(world.a, first_name="Ines", last_name="Schkeller")
    make_customer(world.a, first_name="Jon", last_name="Miller")
    page = phone
    log_in(page, live_server_url, world.a_manager)
    page.goto("/customers/")
    page.get_by_role("searchbox", name="Search customers by name, phone or email").press_sequentially(
        "keller", delay=40
    )
    page.wait_for_url(re.compile(r".*/customers/\?q=keller$"))
    assert page.locator("#results .result-count").inner_text() == "303 customers"
    assert page.locator("#results .result-note").inner_text() == (
        "The 300 best matches come first, then the other 3 by name. Another word or a filter narrows them."
    )
    for _ in range(12):  # to the page where the ranking ends
        page.get_by_role("link", name="Next").click()
        page.wait_for_load_state()
    titles = page.locator("#results .item-title").all_inner_texts()
    assert page.locator("#results .customer-list > li").first.text_content() == "Other matches, by name"
    assert titles == [f"{first} Keller" for first in sorted(firsts)[300:]] + ["Ines Schkeller"]
    assert page.evaluate("document.scrollingElement.scrollWidth") <= 390
    screenshot(page, "search-ranking-ends-phone")
