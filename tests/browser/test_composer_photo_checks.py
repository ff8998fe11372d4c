"""The inbox composer checks photos on the device as soon as they are chosen (the server's limits),
says what is wrong beside the input and keeps the photos that pass; and a saved reply's
{first_name} for a customer without one says at once what to do."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django_scopes import scope
from playwright.sync_api import expect

from tests.browser.conftest import assert_no_horizontal_scroll, log_in
from tests.conftest import World, make_customer
from tests.messaging.test_photos import jpeg_with_gps
from trunkshow.inbox.models import SavedReply
from trunkshow.messaging.services import message_receive

SHOTS = Path("/tmp/composer-photo-checks")


def _conversation(world: World, **customer: Any) -> int:
    make_customer(world.a, phones=["+12125550142"], **customer)
    with scope(store=world.a):
        inbound, _created = message_receive(
            store=world.a,
            channel="sms",
            from_address="+12125550142",
            body="Could you send me photos of the rings?",
            provider="sandbox",
            provider_id="SMchecks1",
        )
    return int(inbound.conversation_id)


def _photo(name: str) -> dict[str, Any]:
    return {"name": name, "mimeType": "image/jpeg", "buffer": jpeg_with_gps(200, 200)}


def test_too_many_too_big_and_not_a_photo_are_said_at_once_and_the_good_photos_kept(
    phone: Any, world: World, live_server_url: str
) -> None:
    cid = _conversation(world, first_name="Clara")
    page = phone
    log_in(page, live_server_url, world.a_associate)
    page.goto(f"/inbox/{cid}/")
    error = page.locator("#reply-photos-error")
    chosen = "input => [...input.files].map(f => f.name)"
    assert error.get_attribute("aria-live") == "assertive"

    # Seven photos: the first six are kept, the seventh is named as left out.
    page.set_input_files("#reply-files", [_photo(f"ring{i}.jpg") for i in range(1, 8)])
    assert error.inner_text() == "A message can carry at most 6 photos; these were left out: “ring7.jpg”."
    assert page.locator("#reply-photos img").count() == 6
    assert page.locator("#reply-files").evaluate(chosen) == [f"ring{i}.jpg" for i in range(1, 7)]
    assert page.locator("#reply-files").get_attribute("aria-invalid") == "true"
    SHOTS.mkdir(exist_ok=True)
    page.screenshot(path=str(SHOTS / "too-many-phone.png"), full_page=False)

    # Removing one makes room; a 16 MB file and a PDF are refused, the kept photos stay.
    page.get_by_role("button", name="Remove ring6.jpg").click()
    assert error.inner_text() == ""
    page.set_input_files(
        "#reply-files",
        [
            {"name": "vault.jpg", "mimeType": "image/jpeg", "buffer": b"\xff\xd8" + b"0" * (16 * 1024 * 1024)},
            {"name": "price-list.pdf", "mimeType": "application/pdf", "buffer": b"%PDF-1.4 nothing"},
        ],
    )
    assert error.inner_text() == (
        "“vault.jpg” is 16 MB; a photo can be at most 15 MB. “price-list.pdf” is not a JPEG, PNG, WEBP or GIF photo."
    )
    assert page.locator("#reply-files").evaluate(chosen) == [f"ring{i}.jpg" for i in range(1, 6)]
    page.screenshot(path=str(SHOTS / "too-big-not-photo-phone.png"), full_page=False)
    assert_no_horizontal_scroll(page)

    # A good one is added to those kept, and the five plus it are sent.
    page.set_input_files("#reply-files", [_photo("clasp.jpg")])
    assert error.inner_text() == ""
    assert page.locator("#reply-files").evaluate(chosen) == [*(f"ring{i}.jpg" for i in range(1, 6)), "clasp.jpg"]
    page.get_by_role("button", name="Send", exact=True).click()
    page.wait_for_url(f"**/inbox/{cid}/**")
    page.locator("#thread .msg-photos img").nth(5).wait_for()
    assert page.locator("#thread .msg-photos img").count() == 6


def test_a_photo_the_browser_cannot_draw_is_refused_at_once_and_the_rest_sent(
    phone: Any, world: World, live_server_url: str
) -> None:
    """A document renamed .jpg: refused when chosen, as the server would refuse the whole message
    (before, the page came back with the error and without the other photos)."""
    cid = _conversation(world, first_name="Clara")
    page = phone
    log_in(page, live_server_url, world.a_associate)
    page.goto(f"/inbox/{cid}/")

    renamed = {"name": "notes.jpg", "mimeType": "image/jpeg", "buffer": b"Call Mrs Szirmay back"}
    page.set_input_files("#reply-files", [_photo("ring.jpg"), renamed])
    expect(page.locator("#reply-photos-error")).to_have_text("“notes.jpg” is not a JPEG, PNG, WEBP or GIF photo.")
    expect(page.locator("#reply-photos li")).to_have_count(1)
    assert page.locator("#reply-files").evaluate("input => [...input.files].map(f => f.name)") == ["ring.jpg"]
    assert page.locator("#reply-files").get_attribute("aria-invalid") == "true"
    page.screenshot(path=str(SHOTS / "unreadable-file-phone.png"), full_page=False)

    page.get_by_label("Your reply").fill("Here is the ring")
    page.get_by_role("button", name="Send", exact=True).click()
    expect(page.locator(".msg-photos img")).to_have_count(1)
    with scope(store=world.a):
        from trunkshow.messaging.models import Message

        sent = Message.objects.get(direction="out")
        assert (sent.body, sent.attachments.count()) == ("Here is the ring", 1)


def test_a_file_of_a_type_the_browser_does_not_know_shows_its_name_and_the_server_says_why(
    phone: Any, world: World, live_server_url: str, tmp_path: Path
) -> None:
    """A type the browser cannot name (an extension it does not know: its File.type is "") is left to
    the server, which reads the file and refuses the message with the reason."""
    cid = _conversation(world, first_name="Clara")
    page = phone
    log_in(page, live_server_url, world.a_associate)
    page.goto(f"/inbox/{cid}/")

    unknown = tmp_path / "scan.qzx"
    unknown.write_bytes(b"Call Mrs Szirmay back")
    ring = tmp_path / "ring.jpg"
    ring.write_bytes(jpeg_with_gps(200, 200))
    page.set_input_files("#reply-files", [str(ring), str(unknown)])
    assert page.locator("#reply-files").evaluate("input => [...input.files].map(f => f.type)") == ["image/jpeg", ""]
    tiles = page.locator("#reply-photos li")
    expect(tiles).to_have_count(2)
    expect(tiles.nth(1).locator(".photo-unreadable")).to_have_text("scan.qzx")
    expect(tiles.nth(1).locator("img")).to_have_count(0)

    # Sent, the server reads it, refuses the message with the reason, and stores nothing.
    page.get_by_label("Your reply").fill("Here are two")
    page.get_by_role("button", name="Send", exact=True).click()
    expect(page.get_by_text("“scan.qzx” is not a JPEG, PNG, WEBP or GIF photo.", exact=False).first).to_be_visible()
    with scope(store=world.a):
        from trunkshow.messaging.models import Message

        assert Message.objects.filter(direction="out").count() == 0


def test_the_photo_limits_on_a_desktop(desktop: Any, world: World, live_server_url: str) -> None:
    cid = _conversation(world, first_name="Clara")
    page = desktop
    log_in(page, live_server_url, world.a_associate)
    page.goto(f"/inbox/{cid}/")
    page.set_input_files(
        "#reply-files", [_photo("ring.jpg"), {"name": "a.txt", "mimeType": "text/plain", "buffer": b"x"}]
    )
    assert page.locator("#reply-photos-error").inner_text() == "“a.txt” is not a JPEG, PNG, WEBP or GIF photo."
    SHOTS.mkdir(exist_ok=True)
    page.screenshot(path=str(SHOTS / "not-photo-desktop.png"))


def test_a_saved_reply_with_a_first_name_the_customer_lacks_says_what_to_do_when_inserted(
    phone: Any, world: World, live_server_url: str
) -> None:
    with scope(store=world.a):
        SavedReply.objects.create(store=world.a, title="Ready", body="Hi {first_name}, your ring is ready.")
    cid = _conversation(world, first_name="", last_name="Okafor")
    page = phone
    log_in(page, live_server_url, world.a_associate)
    page.goto(f"/inbox/{cid}/")
    hint = page.locator("#reply-name-hint")
    assert hint.is_hidden()
    page.get_by_text("Saved replies").click()
    page.get_by_role("button", name="Ready").click()
    assert hint.is_visible()
    assert hint.inner_text() == (
        "This customer has no first name on file: write the name in place of {first_name}, or add it to their profile."
    )
    assert hint.get_by_role("link", name="add it to their profile").get_attribute("href").endswith("/edit/")
    SHOTS.mkdir(exist_ok=True)
    page.screenshot(path=str(SHOTS / "name-hint-phone.png"))
    page.fill("#reply-body", "Hi Maya, your ring is ready.")
    assert hint.is_hidden()
