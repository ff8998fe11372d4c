"""Search on a phone: results arrive ranked as the associate types, typos forgiven."""

from __future__ import annotations

import re
from typing import Any

from tests.browser.conftest import assert_accessible, assert_no_horizontal_scroll, log_in, screenshot
from tests.conftest import World, make_customer


def test_typing_on_a_phone_shows_ranked_results_as_they_type(phone: Any, world: World, live_server_url: str):
    page = phone
    for first, last, extra in [
        ("Joanna", "Szirmay", {}),
        ("Anna", "Szirmai", {}),
        ("Anna", "Szirmayer", {"partner_name": "Gábor Szirmayer"}),
        ("Anna", "Szirmay", {"phones": ["+1 914 555 0142"]}),
        ("Katherine", "Lloyd", {"emails": ["kat@lloyd.example"]}),
        ("Ines", "Ortiz", {}),
    ]:
        make_customer(world.a, world.a_owner, first_name=first, last_name=last, **extra)
    make_customer(world.b, world.b_owner, first_name="Anna", last_name="Szirmay")  # another store's
    log_in(page, live_server_url, world.a_associate)
    page.goto("/customers/")
    search = page.get_by_role("searchbox", name="Search customers by name, phone or email")
    results = page.locator("#results .item-title")

    # Two letters already narrow the book (names starting so); the full name puts her first.
    search.press_sequentially("sz", delay=40)
    page.wait_for_url(re.compile(r".*/customers/\?q=sz$"))
    assert results.all_inner_texts() == ["Anna Szirmai", "Anna Szirmay", "Joanna Szirmay", "Anna Szirmayer"]
    search.press_sequentially("irmay anna", delay=40)
    page.wait_for_url(re.compile(r".*q=szirmay\+anna$"))
    assert results.all_inner_texts() == ["Anna Szirmay", "Anna Szirmayer", "Joanna Szirmay"]
    screenshot(page, "search-phone-ranked")
    assert_no_horizontal_scroll(page)
    assert_accessible(page)

    # A typo: the names one letter away come.
    search.fill("")
    search.press_sequentially("Szirmaj", delay=40)
    page.wait_for_url(re.compile(r".*q=Szirmaj$"))
    assert results.all_inner_texts() == ["Anna Szirmai", "Anna Szirmay", "Joanna Szirmay"]
    search.fill("")
    search.press_sequentially("Catherine", delay=30)
    page.wait_for_url(re.compile(r".*q=Catherine$"))
    assert results.all_inner_texts() == ["Katherine Lloyd"]
    screenshot(page, "search-phone-typo")

    # A phone typed the way it is said, and an email.
    search.fill("")
    search.press_sequentially("(914) 555-0142", delay=20)
    page.wait_for_url(re.compile(r".*q=%28914%29\+555-0142$"))
    assert results.all_inner_texts() == ["Anna Szirmay"]
    search.fill("")
    search.press_sequentially("kat@lloyd", delay=20)
    page.wait_for_url(re.compile(r".*q=kat%40lloyd$"))
    assert results.all_inner_texts() == ["Katherine Lloyd"]


def test_the_title_says_what_the_list_shows_as_the_search_is_typed_and_after_back_and_forward(
    phone: Any, world: World, live_server_url: str
):
    page = phone
    make_customer(world.a, world.a_owner, first_name="Jürgen", last_name="Müller")
    make_customer(world.a, world.a_owner, first_name="Thảo", last_name="Nguyễn")
    log_in(page, live_server_url, world.a_associate)
    page.goto("/customers/")
    assert page.title() == "Customers · Trunkshow"
    search = page.get_by_role("searchbox", name="Search customers by name, phone or email")
    results = page.locator("#results .item-title")

    search.press_sequentially("muller", delay=40)
    page.wait_for_url(re.compile(r".*/customers/\?q=muller$"))
    assert results.all_inner_texts() == ["Jürgen Müller"]
    assert page.title() == "“muller” in customers · Trunkshow"  # as the page at this address says
    search.fill("")
    page.wait_for_url(re.compile(r".*/customers/$"))
    assert page.title() == "Customers · Trunkshow"
    search.press_sequentially("<b>nguyen", delay=20)  # markup is text, in the title too
    page.wait_for_url(re.compile(r".*q=%3Cb%3Enguyen$"))
    assert page.title() == "“<b>nguyen” in customers · Trunkshow"
    search.fill("nguyen")
    page.wait_for_url(re.compile(r".*q=nguyen$"))
    assert page.title() == "“nguyen” in customers · Trunkshow"

    # To the customer and back: the list and its title are the search's.
    page.get_by_role("link", name="Thảo Nguyễn").click()
    page.wait_for_url(re.compile(r".*/customers/\d+/$"))
    page.go_back()
    page.wait_for_url(re.compile(r".*q=nguyen$"))
    assert results.all_inner_texts() == ["Thảo Nguyễn"]
    assert page.title() == "“nguyen” in customers · Trunkshow"
    page.go_forward()
    page.wait_for_url(re.compile(r".*/customers/\d+/$"))
    page.go_back()
    assert page.title() == "“nguyen” in customers · Trunkshow"
