"""Beside a conversation: a chat visitor who may be a known customer (merged in two taps on a phone),
and the customer's partner and time of day, on a phone and a desk."""

from __future__ import annotations

import datetime as dt
from typing import Any
from zoneinfo import ZoneInfo

from babel.dates import format_time
from django_scopes import scope, scopes_disabled
from playwright.sync_api import expect

from tests.browser.conftest import (
    PHONE,
    SCREENSHOTS,
    assert_accessible,
    assert_no_horizontal_scroll,
    log_in,
    screenshot,
)
from tests.conftest import World, make_customer
from tests.inbox.test_conversation_side import chat_as, zsofia_and_gabor
from trunkshow.customers.models import Customer, DistinctPair
from trunkshow.messaging.models import Conversation


def test_a_chat_visitor_with_a_customers_phone_is_flagged_and_merged_into_her_from_a_phone(
    phone: Any, world: World, live_server_url: str
) -> None:
    page = phone
    zoe = make_customer(world.a, world.a_owner, first_name="Zoë", last_name="Goldberg", phones=["+19145550110"])
    conversation_id, _answers = chat_as(world.a, "Zoe", phone="(914) 555-0110")
    with scope(store=world.a):
        new = Conversation.objects.get(pk=conversation_id).customer
    log_in(page, live_server_url, world.a_manager)
    # The new record's profile says so too, at its top.
    page.goto(f"/customers/{new.pk}/")
    expect(page.locator("#possible-match")).to_contain_text("Possibly the same person as Zoë Goldberg (same phone).")
    assert_no_horizontal_scroll(page)
    page.screenshot(
        path=str(
            screenshot(page, "customers-possible-match-phone").with_name("customers-possible-match-phone-view.png")
        )
    )
    page.goto(f"/inbox/{conversation_id}/")

    # On a phone it is at the top of the thread (the side panel, below the whole thread, has none).
    hint = page.locator("#possible-match-top")
    expect(hint).to_contain_text("Possibly the same person as Zoë Goldberg (same phone).")
    expect(page.locator(".convo-side #possible-match")).to_be_hidden()
    expect(hint.get_by_role("link", name="Zoë Goldberg")).to_have_attribute("href", f"/customers/{zoe.pk}/")
    merge = hint.get_by_role("link", name="Compare and merge")
    box = merge.bounding_box()
    assert box is not None and box["height"] >= 44 and box["x"] + box["width"] <= 390, box
    assert_no_horizontal_scroll(page)
    screenshot(page, "inbox-possible-match-phone")
    page.screenshot(
        path=str(screenshot(page, "inbox-possible-match-phone").with_name("inbox-possible-match-phone-view.png"))
    )
    assert_accessible(page)

    merge.click()
    page.wait_for_url(f"**/customers/{zoe.pk}/merge/{new.pk}/")
    page.get_by_role("button", name="Merge", exact=True).click()
    page.wait_for_url(f"**/customers/{zoe.pk}/")
    expect(page.get_by_text(f"Merged customer no. {new.pk} into Zoë Goldberg.")).to_be_visible()
    expect(page.locator("#possible-match")).to_have_count(0)
    with scope(store=world.a):
        assert Conversation.objects.get(pk=conversation_id).customer_id == zoe.pk
        assert not Customer.objects.filter(pk=new.pk).exists()
    page.goto(f"/inbox/{conversation_id}/")
    expect(page.locator("#convo-title")).to_have_text("Zoë Goldberg")
    expect(page.locator("#possible-match")).to_have_count(0)


def test_on_a_phone_the_possible_match_opens_in_view_above_the_thread_and_is_told_apart_without_javascript(
    browser: Any, phone: Any, desktop: Any, world: World, live_server_url: str
) -> None:
    """Found by a trial: on a phone the notice sat below the whole thread and the reply box, where nobody
    scrolled; and there was no way to say the visitor was someone else."""
    zoe = make_customer(world.a, world.a_owner, first_name="Zoë", last_name="Goldberg", phones=["+19145550110"])
    conversation_id, _answers = chat_as(world.a, "Zoe", phone="(914) 555-0110")
    with scope(store=world.a):
        new = Conversation.objects.get(pk=conversation_id).customer
    log_in(phone, live_server_url, world.a_associate)
    phone.goto(f"/inbox/{conversation_id}/")
    hint = phone.locator("#possible-match-top")
    expect(hint).to_contain_text("Possibly the same person as Zoë Goldberg (same phone).")
    # In view as the page opens, between the top bar and the reply box, with the newest message; compact.
    box, bar, composer = (phone.locator(sel).bounding_box() for sel in ("#possible-match-top", ".topbar", "#composer"))
    newest = phone.locator("#thread > li").last.bounding_box()
    assert box and bar and composer and newest
    assert bar["y"] + bar["height"] <= box["y"] and box["y"] + box["height"] <= composer["y"], (box, bar, composer)
    assert newest["y"] + newest["height"] <= composer["y"] + 1, (newest, composer)
    assert box["height"] <= 160, box  # two lines, the note to associates, one row of buttons
    button = hint.get_by_role("button", name="Not the same person")
    tap = button.bounding_box()
    assert tap is not None and tap["height"] >= 44 and tap["x"] + tap["width"] <= 390, tap
    assert_no_horizontal_scroll(phone)
    assert_accessible(phone)
    phone.screenshot(path=str(SCREENSHOTS / "inbox-possible-match-top-phone.png"))

    # On a desk it stays in the side panel beside the thread.
    log_in(desktop, live_server_url, world.a_associate)
    desktop.goto(f"/inbox/{conversation_id}/")
    expect(desktop.locator(".convo-side #possible-match")).to_be_visible()
    expect(desktop.locator("#possible-match-top")).to_be_hidden()
    desktop.screenshot(path=str(SCREENSHOTS / "inbox-possible-match-side-desktop.png"))

    # A plain form: it works with scripts off.
    context = browser.new_context(
        viewport=PHONE, is_mobile=True, has_touch=True, java_script_enabled=False, base_url=live_server_url
    )
    page = context.new_page()
    log_in(page, live_server_url, world.a_associate)
    page.goto(f"/inbox/{conversation_id}/")
    page.locator("#possible-match-top").get_by_role("button", name="Not the same person").click()
    page.wait_for_url(f"**/inbox/{conversation_id}/")
    expect(page.get_by_text("Noted: Zoe and Zoë Goldberg are different people.")).to_be_visible()
    expect(page.locator("#possible-match-top")).to_have_count(0)
    expect(page.locator("#possible-match")).to_have_count(0)
    page.screenshot(path=str(SCREENSHOTS / "inbox-possible-match-told-apart-phone.png"))
    context.close()
    with scopes_disabled():
        assert list(DistinctPair.objects.values_list("customer_id", "other_id", "actor_id")) == [
            (min(zoe.pk, new.pk), max(zoe.pk, new.pk), world.a_associate.user.pk)
        ]
    # And never again, on her profile either.
    phone.goto(f"/customers/{new.pk}/")
    expect(phone.locator("#possible-match")).to_have_count(0)


def budapest_clock(at: dt.datetime) -> str:
    """The side panel's line for a customer in Budapest, seen from the New York store at `at`."""
    theirs = at.astimezone(ZoneInfo("Europe/Budapest"))
    time = format_time(theirs, "short", locale="en_US")
    if theirs.date() != at.astimezone(ZoneInfo("America/New_York")).date():
        time = f"{theirs:%a} {time}"
    return f"Local time {time} (Budapest)"


def test_the_side_panel_shows_her_partner_and_her_local_time_on_a_phone_and_a_desk(
    phone: Any, desktop: Any, world: World, live_server_url: str
) -> None:
    zsofia, gabor, conversation_id = zsofia_and_gabor(
        world, interests=[("stone", "Sapphire")], birthday_day=12, birthday_month=3
    )
    for page, name in ((phone, "phone"), (desktop, "desktop")):
        log_in(page, live_server_url, world.a_associate)
        page.goto(f"/inbox/{conversation_id}/")
        # Her time as the page was made (New York is 6 hours behind, 5 for a week or so around the clock changes).
        # Near midnight the day differs between the two cities, and the weekday leads ("Wed 12:14 AM").
        shown = {
            budapest_clock(at) for at in (dt.datetime.now(dt.UTC) - dt.timedelta(minutes=1), dt.datetime.now(dt.UTC))
        }
        expect(page.locator("#convo-title")).to_have_text(zsofia.display_name)
        side = page.locator(".convo-side")
        expect(side.locator("#partner")).to_have_text("Partner: Gábor Szirmay")
        expect(side.locator("#partner").get_by_role("link")).to_have_attribute("href", f"/customers/{gabor.pk}/")
        assert side.locator("#local-time").inner_text() in shown, shown
        side.scroll_into_view_if_needed()
        assert_no_horizontal_scroll(page)
        screenshot(page, f"inbox-side-partner-time-{name}")
        page.screenshot(
            path=str(
                screenshot(page, f"inbox-side-partner-time-{name}").with_name(
                    f"inbox-side-partner-time-{name}-view.png"
                )
            )
        )
