"""The saved replies page: a full-width title, Change opening at its form with the title ready to type,
and each reply's buttons side by side, on a phone and on a desk."""

from __future__ import annotations

from typing import Any

import pytest
from django_scopes import scope
from playwright.sync_api import expect

from tests.browser.conftest import (
    DESKTOP,
    PHONE,
    SCREENSHOTS,
    assert_accessible,
    assert_no_horizontal_scroll,
    log_in,
    screenshot,
)
from tests.conftest import World
from trunkshow.inbox.models import SavedReply

LONG = "Hi {first_name}, thank you for coming in today. It was a pleasure showing you our pieces. " * 3


@pytest.mark.parametrize("size", ["phone", "desktop"])
def test_change_opens_the_saved_reply_at_its_form_with_full_width_fields(
    browser: Any, world: World, live_server_url: str, transactional_db: Any, size: str
) -> None:
    with scope(store=world.a):
        replies = [SavedReply.objects.create(store=world.a, title=f"Reply {i}", body=LONG) for i in range(8)]
    viewport = PHONE if size == "phone" else DESKTOP
    context = browser.new_context(viewport=viewport, base_url=live_server_url, is_mobile=size == "phone")
    page = context.new_page()
    page.set_default_timeout(10_000)
    log_in(page, live_server_url, world.a_manager)
    page.goto("/inbox/replies/")

    # The title is a text field as wide as the text box under it (it was a small unstyled box).
    title, text = page.locator("#sr-title"), page.locator("#sr-body")
    expect(title).to_have_attribute("type", "text")
    assert round(title.bounding_box()["width"]) == round(text.bounding_box()["width"])
    assert title.bounding_box()["height"] >= 44
    # Change and Delete side by side, each a full tap target.
    card = page.locator(".reply-list li").first
    change, delete = card.get_by_role("link", name="Change"), card.get_by_role("button", name="Delete")
    change_box, delete_box = change.bounding_box(), delete.bounding_box()
    assert change_box["y"] == delete_box["y"] and delete_box["x"] > change_box["x"] + change_box["width"]
    assert min(change_box["height"], delete_box["height"]) >= 44
    screenshot(page, f"saved-replies-{size}")

    # Change (the sixth, far down the list): its form is what the page opens on, the title focused to type in.
    page.locator(".reply-list li").nth(5).get_by_role("link", name="Change").click()
    page.wait_for_url(f"**/inbox/replies/{replies[5].pk}/")
    expect(page.get_by_role("heading", name="Change the saved reply")).to_be_in_viewport()
    expect(title).to_be_focused()
    expect(title).to_have_value("Reply 5")
    expect(text).to_be_in_viewport()
    expect(page.get_by_role("button", name="Save")).to_be_in_viewport()
    assert_no_horizontal_scroll(page)
    page.screenshot(path=str(SCREENSHOTS / f"saved-reply-change-{size}-viewport.png"))  # what opens, as seen
    assert_accessible(page)

    title.fill("")
    page.get_by_role("button", name="Save").click()
    # Refused: back at the form (not the top of the list), the title marked and ready to type.
    expect(page.locator("#sr-title-err")).to_be_in_viewport()
    expect(title).to_be_focused()
    title.fill("Thank you for your visit")
    page.get_by_role("button", name="Save").click()
    expect(page.locator(".flash")).to_contain_text("Saved reply “Thank you for your visit” saved.")
    with scope(store=world.a):
        assert SavedReply.objects.get(pk=replies[5].pk).title == "Thank you for your visit"
    context.close()


def test_deleting_a_saved_reply_asks_first(
    browser: Any, world: World, live_server_url: str, transactional_db: Any
) -> None:
    with scope(store=world.a):
        reply = SavedReply.objects.create(store=world.a, title="Ring size", body="Hi {first_name}, your ring size?")
    context = browser.new_context(viewport=PHONE, base_url=live_server_url, is_mobile=True, has_touch=True)
    page = context.new_page()
    page.set_default_timeout(10_000)
    log_in(page, live_server_url, world.a_manager)
    page.goto("/inbox/replies/")
    asked: list[str] = []

    def dismiss(dialog: Any) -> None:
        asked.append(dialog.message)
        dialog.dismiss()

    # A stray tap: asked, declined, and the reply is still there.
    page.once("dialog", dismiss)
    page.get_by_role("button", name="Delete").click()
    page.wait_for_timeout(300)
    assert asked == ["Delete the saved reply “Ring size”?"]
    expect(page.locator(".reply-list")).to_contain_text("Ring size")
    with scope(store=world.a):
        assert SavedReply.objects.filter(pk=reply.pk).exists()

    page.once("dialog", lambda dialog: dialog.accept())
    page.get_by_role("button", name="Delete").click()
    expect(page.locator(".flash")).to_contain_text("Saved reply “Ring size” deleted.")
    with scope(store=world.a):
        assert not SavedReply.objects.filter(pk=reply.pk).exists()
    context.close()
