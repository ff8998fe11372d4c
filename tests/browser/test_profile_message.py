"""From a customer's profile on a phone, "Message" lands in the inbox with the reply box ready."""

from django_scopes import scope
from playwright.sync_api import expect

from tests.browser.conftest import SCREENSHOTS, assert_accessible, assert_no_horizontal_scroll, log_in, screenshot
from tests.conftest import World, make_customer
from trunkshow.messaging.models import Conversation
from trunkshow.messaging.services import message_receive


def test_profile_message_opens_the_composer_on_a_phone(phone, live_server_url, world: World):
    clara = make_customer(world.a, world.a_associate, first_name="Clara", last_name="Berg", phones=["+12125550142"])
    log_in(phone, live_server_url, world.a_associate)
    phone.goto(f"/customers/{clara.pk}/")
    assert phone.locator('a[href^="sms:"], a[href^="mailto:"]').count() == 0
    # Within thumb reach: the bar at the bottom of the screen carries it.
    bar_button = phone.locator(".action-bar-profile").get_by_role("button", name="Message")
    box = bar_button.bounding_box()
    assert box is not None and box["y"] + box["height"] <= 844 and box["height"] >= 44
    assert_no_horizontal_scroll(phone)
    assert phone.evaluate("document.querySelector('.action-bar-profile').getBoundingClientRect().height") < 80
    screenshot(phone, "profile-message-phone")
    phone.screenshot(path=str(SCREENSHOTS / "profile-message-phone-screen.png"))

    with phone.expect_navigation():
        bar_button.click()

    with scope(store=world.a):
        conversation = Conversation.objects.get()
    assert phone.url == f"{live_server_url}/inbox/{conversation.pk}/"
    assert (conversation.channel, conversation.address) == ("sms", "+12125550142")
    body = phone.locator("#reply-body")
    body.wait_for()
    phone.wait_for_function("document.activeElement && document.activeElement.id === 'reply-body'")
    assert phone.locator("#reply-channel").input_value() == "sms"
    assert body.is_visible()
    assert_no_horizontal_scroll(phone)
    assert_accessible(phone)
    phone.screenshot(path=str(SCREENSHOTS / "profile-message-composer-phone.png"))


def test_profile_message_without_a_way_to_reach_says_why_on_a_phone(phone, live_server_url, world: World):
    mila = make_customer(world.a, world.a_associate, first_name="Mila", last_name="")
    log_in(phone, live_server_url, world.a_associate)
    phone.goto(f"/customers/{mila.pk}/")

    # Greyed out, with the reason beside it from the start (no tap to find out).
    message = phone.locator(".quick-actions").get_by_role("button", name="Message")
    expect(message).to_be_disabled()
    expect(message).to_have_attribute("aria-describedby", "message-blocked")
    assert phone.get_by_text(
        "Mila cannot be messaged: there is no phone number or email address. Add one under Contact."
    ).is_visible()
    assert_no_horizontal_scroll(phone)
    phone.screenshot(path=str(SCREENSHOTS / "profile-message-refused-phone.png"))


def _apart(a: dict, b: dict) -> bool:
    """Whether two boxes share no pixel (one is beside or below the other)."""
    return (
        a["x"] + a["width"] <= b["x"]
        or b["x"] + b["width"] <= a["x"]
        or a["y"] + a["height"] <= b["y"]
        or b["y"] + b["height"] <= a["y"]
    )


def test_message_call_and_why_not_side_by_side_without_overlapping_on_a_phone(phone, live_server_url, world: World):
    number = "+12125550143"
    clara = make_customer(world.a, world.a_associate, first_name="Clara", last_name="Berg", phones=[number])
    mila = make_customer(world.a, world.a_associate, first_name="Mila", last_name="")
    with scope(store=world.a):
        message_receive(
            store=world.a, channel="sms", from_address=number, body="STOP", provider="sandbox", provider_id="SM1"
        )
    log_in(phone, live_server_url, world.a_associate)

    # A number that opted out: Message and Call share a row, each whole; the reason has its own row.
    phone.goto(f"/customers/{clara.pk}/")
    quick = phone.locator(".quick-actions")
    message = quick.get_by_role("button", name="Message").bounding_box()
    call = quick.get_by_role("link", name="Call").bounding_box()
    off = quick.locator(".quick-off").bounding_box()
    assert message["y"] == call["y"] and message["x"] + message["width"] <= call["x"]
    assert min(message["height"], call["height"]) >= 44 and min(message["width"], call["width"]) >= 120
    assert _apart(message, off) and _apart(call, off) and off["y"] >= message["y"] + message["height"]
    assert_no_horizontal_scroll(phone)
    screenshot(phone, "profile-quick-actions-opted-out-phone")

    # Nobody to message: the greyed Message and the reason beneath, apart.
    phone.goto(f"/customers/{mila.pk}/")
    message = quick.get_by_role("button", name="Message").bounding_box()
    off = phone.locator("#message-blocked").bounding_box()
    assert message["height"] >= 44 and _apart(message, off)
    assert_no_horizontal_scroll(phone)
    screenshot(phone, "profile-quick-actions-blocked-phone")
