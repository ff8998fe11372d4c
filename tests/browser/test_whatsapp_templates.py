"""Two days after a customer's last WhatsApp message: the associate picks an approved template in the
composer, fills what it needs (her first name and the store's are filled in), sees what she will read,
and sends it; an empty value is refused beside its field with the rest kept."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.utils import timezone
from django_scopes import scope
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
from tests.messaging.test_whatsapp_templates import READY_SID, record_template
from trunkshow.messaging.models import Conversation, Message
from trunkshow.messaging.services import message_receive

ZSOFIA = "+12125550142"


def _whatsapp_two_days_ago(world: World) -> Conversation:
    make_customer(world.a, first_name="Zsófia", last_name="Szirmay", phones=[ZSOFIA])
    with scope(store=world.a):
        message, _created = message_receive(
            store=world.a,
            channel="whatsapp",
            from_address=ZSOFIA,
            body="Could you tell me when the sapphire ring is resized?",
            provider="sandbox",
            provider_id="WAbrowser1",
            received_at=timezone.now() - dt.timedelta(days=2),
        )
    return message.conversation


def test_an_associate_picks_fills_previews_and_sends_a_template_from_a_phone(
    phone: Any, world: World, live_server_url: str
) -> None:
    conversation = _whatsapp_two_days_ago(world)
    record_template(world.a)
    record_template(world.a, name="Awaiting review", sid="HX" + "2" * 32, status="pending")
    record_template(
        world.a,
        name="Appointment reminder",
        sid="HX" + "4" * 32,
        body="Hi {{1}}, a reminder of your visit on {{2}}. {{3}}",
        variables=[
            {"source": "first_name", "label": ""},
            {"source": "text", "label": "Day and time"},
            {"source": "associate", "label": ""},
        ],
    )
    page = phone
    log_in(page, live_server_url, world.a_associate)
    page.goto(f"/inbox/{conversation.pk}/")

    picker = page.locator("#templates")
    expect(picker).to_contain_text("WhatsApp needs a template now")
    expect(picker).to_contain_text("The customer last wrote on WhatsApp 2")
    expect(picker.locator("summary")).to_have_text(["Appointment reminder en", "Piece ready en"])  # approved only

    picker.get_by_text("Piece ready").click()
    choice = picker.locator("details[open]")
    expect(choice.get_by_label("The customer's first name")).to_have_value("Zsófia")
    expect(choice.get_by_label("The store's name")).to_have_value("Atelier Ana")
    piece = choice.get_by_label("The piece")
    expect(piece).to_have_value("")
    preview = choice.locator(".wa-preview")
    expect(preview).to_have_text("Hello Zsófia, your {{2}} is ready at Atelier Ana. Reply to arrange a time.")
    expect(preview.locator("mark")).to_have_text("{{2}}")
    choice.scroll_into_view_if_needed()
    assert_no_horizontal_scroll(page)
    screenshot(page, "whatsapp-template-picker-phone")
    page.screenshot(path=str(SCREENSHOTS / "whatsapp-template-picker-phone-viewport.png"))
    assert_accessible(page)

    # Sent with the piece left empty: refused beside the field, the rest kept, nothing sent.
    choice.get_by_role("button", name="Send template").click()
    page.wait_for_url(f"**/inbox/{conversation.pk}/#templates")
    choice = page.locator("#templates details[open]")
    expect(choice.locator(".field-invalid .error")).to_have_text("Fill in {{2}} (The piece) before sending.")
    expect(choice.get_by_label("The customer's first name")).to_have_value("Zsófia")
    with scope(store=world.a):
        assert not Message.objects.filter(direction="out").exists()

    choice.get_by_label("The piece").fill("sapphire ring")
    expect(choice.locator(".wa-preview")).to_have_text(
        "Hello Zsófia, your sapphire ring is ready at Atelier Ana. Reply to arrange a time."
    )
    choice.get_by_role("button", name="Send template").click()
    sent = page.locator(".msg-out").last
    expect(sent).to_contain_text("Template · Piece ready")
    expect(sent).to_contain_text("Hello Zsófia, your sapphire ring is ready at Atelier Ana. Reply to arrange a time.")
    assert_no_horizontal_scroll(page)

    with scope(store=world.a):
        message = Message.objects.get(direction="out")
    assert message.meta["template"]["content_sid"] == READY_SID
    assert message.meta["template"]["variables"] == {"1": "Zsófia", "2": "sapphire ring", "3": "Atelier Ana"}
    assert (message.channel, message.to_address, message.author) == ("whatsapp", ZSOFIA, world.a_associate.user)


def test_the_template_picker_on_a_desk(desktop: Any, world: World, live_server_url: str) -> None:
    conversation = _whatsapp_two_days_ago(world)
    record_template(world.a)
    page = desktop
    log_in(page, live_server_url, world.a_associate)
    page.goto(f"/inbox/{conversation.pk}/")
    page.locator("#templates").get_by_text("Piece ready").click()
    page.get_by_label("The piece").fill("sapphire ring")
    expect(page.locator("#templates .wa-preview")).to_have_text(
        "Hello Zsófia, your sapphire ring is ready at Atelier Ana. Reply to arrange a time."
    )
    # Thread and customer side by side; the picker sits in the thread column, above the composer.
    side = page.locator(".convo-side").bounding_box()
    picker = page.locator("#templates").bounding_box()
    assert side is not None and picker is not None
    assert picker["x"] + picker["width"] <= side["x"]
    assert_no_horizontal_scroll(page)
    page.locator("#templates").scroll_into_view_if_needed()
    screenshot(page, "whatsapp-template-picker-desktop")
    page.screenshot(path=str(SCREENSHOTS / "whatsapp-template-picker-desktop-viewport.png"))
    assert_accessible(page)


def test_the_owner_records_a_template_and_its_placeholder_rows_follow_the_text(
    desktop: Any, world: World, live_server_url: str
) -> None:
    page = desktop
    log_in(page, live_server_url, world.a_owner)
    page.goto("/settings/whatsapp-templates/")
    expect(page.locator(".wa-var")).to_have_count(0)
    page.get_by_label("Name").fill("Piece ready")
    page.get_by_label("Content SID").fill(READY_SID)
    page.get_by_label("Language").fill("en")
    page.get_by_label("Text, exactly as approved").fill("Hello {{1}}, your {{2}} is ready.")
    expect(page.locator(".wa-var:not([hidden])")).to_have_count(2)
    page.locator("#id_var_1_source").select_option("first_name")
    expect(page.locator("#id_var_1_label")).to_be_hidden()  # a label only for words written when sending
    page.locator("#id_var_2_label").fill("The piece")
    screenshot(page, "whatsapp-templates-settings-desktop")
    assert_accessible(page)
    page.get_by_role("button", name="Save template").click()
    expect(page.locator(".wa-item")).to_contain_text("Piece ready")
    expect(page.locator(".wa-item")).to_contain_text("The piece")
    page.set_viewport_size(PHONE)
    assert_no_horizontal_scroll(page)
    page.screenshot(path=str(SCREENSHOTS / "whatsapp-templates-settings-phone.png"))
    with scope(store=world.a):
        from trunkshow.messaging.models import WhatsAppTemplate

        template = WhatsAppTemplate.objects.get()
    assert template.variables == [{"source": "first_name", "label": ""}, {"source": "text", "label": "The piece"}]
    assert template.approval_status == "approved"
