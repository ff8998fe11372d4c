"""Tap targets of at least 44×44 px on a phone: the way back from a settings page, the × that removes
something from a profile, and the standalone links beside a conversation."""

from __future__ import annotations

from typing import Any

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import DESKTOP, PHONE, SCREENSHOTS, assert_accessible, log_in
from tests.conftest import World, make_customer
from tests.inbox.test_conversation_side import zsofia_and_gabor

TAP = 44


def _too_small(locator: Any) -> list[str]:
    """Each matching element narrower or shorter than a fingertip, with its size."""
    small = []
    for element in locator.all():
        box = element.bounding_box()
        assert box is not None
        if round(box["width"]) < TAP or round(box["height"]) < TAP:
            name = element.get_attribute("aria-label") or element.inner_text().strip()
            small.append(f"{name}: {box['width']:.0f}×{box['height']:.0f}")
    return small


def _both_sizes(page: Any, name: str) -> None:
    """A look at the page on a phone and on a desk (the test checks the phone)."""
    SCREENSHOTS.mkdir(exist_ok=True)
    page.evaluate("scrollTo(0, 0)")
    for size, label in ((DESKTOP, "desktop"), (PHONE, "phone")):
        page.set_viewport_size(size)
        page.screenshot(path=str(SCREENSHOTS / f"{name}-{label}.png"), full_page=True)


@pytest.mark.parametrize("path", ["/settings/chat/", "/settings/whatsapp-templates/"])
def test_the_way_back_to_store_settings_is_a_full_tap_target(
    phone: Any, world: World, live_server_url: str, path: str
) -> None:
    log_in(phone, live_server_url, world.a_owner)
    phone.goto(path)
    back = phone.get_by_role("link", name="Store settings")
    expect(back).to_have_attribute("href", "/settings/")
    assert _too_small(back) == []
    _both_sizes(phone, "settings-back" + path.rstrip("/").replace("/", "-"))


def test_every_remove_button_on_a_profile_is_a_full_tap_target(phone: Any, world: World, live_server_url: str) -> None:
    customer = make_customer(
        world.a,
        world.a_associate,
        first_name="Kati",
        last_name="Szirmay",
        phones=["+19145550142"],
        emails=["kati@example.com"],
        interests=[("stone", "Sapphire"), ("metal", "Rose gold")],
    )
    log_in(phone, live_server_url, world.a_associate)
    phone.goto(f"/customers/{customer.pk}/")
    removes = phone.get_by_role("button", name="Remove", exact=False)
    expect(phone.get_by_role("button", name="Remove Sapphire")).to_be_visible()
    assert removes.count() >= 4
    assert _too_small(removes) == []
    assert_accessible(phone)
    _both_sizes(phone, "profile-remove")


def test_the_customer_and_partner_links_beside_a_conversation_are_full_tap_targets(
    phone: Any, world: World, live_server_url: str
) -> None:
    zsofia, gabor, conversation_id = zsofia_and_gabor(world)
    log_in(phone, live_server_url, world.a_associate)
    phone.goto(f"/inbox/{conversation_id}/")
    side = phone.locator(".convo-side")
    name = side.get_by_role("link", name=zsofia.display_name)
    partner = side.locator("#partner").get_by_role("link", name=gabor.display_name)
    expect(partner).to_have_attribute("href", f"/customers/{gabor.pk}/")
    assert _too_small(name) + _too_small(partner) == []
    _both_sizes(phone, "inbox-side-links")
