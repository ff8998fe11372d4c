"""WhatsApp templates: recorded by the owner, offered in the composer past the 24-hour window, filled in and sent.

Sandbox provider here (no Twilio keys): templates are only recorded, and what would go out is the
message row. The wire format Twilio gets is in tests/messaging/twilio/test_templates.py.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.utils import timezone
from django_scopes import scope, scopes_disabled

from tests.conftest import World, api, browser_client, make_customer
from trunkshow.core.models import AuditEntry
from trunkshow.customers.services import ConsentGrant, consent_record
from trunkshow.messaging.models import Conversation, Message, MessageStatus, OptOut, WhatsAppTemplate
from trunkshow.messaging.services import message_receive, message_send, message_send_template

CLARA = "+12125550142"
READY_SID = "HX" + "0123456789abcdef" * 2
READY = "Hello {{1}}, your {{2}} is ready at {{3}}. Reply to arrange a time."
READY_VARIABLES = [
    {"source": "first_name", "label": ""},
    {"source": "text", "label": "The piece"},
    {"source": "store", "label": ""},
]
T0 = dt.datetime(2026, 3, 2, 15, 0, tzinfo=dt.UTC)


def record_template(
    store: Any,
    *,
    name: str = "Piece ready",
    sid: str = READY_SID,
    body: str = READY,
    variables: list[dict[str, str]] | None = None,
    status: str = "approved",
) -> WhatsAppTemplate:
    with scope(store=store):
        return WhatsAppTemplate.objects.create(
            store=store,
            name=name,
            content_sid=sid,
            language="en",
            body=body,
            variables=READY_VARIABLES if variables is None else variables,
            approval_status=status,
        )


def whatsapp_conversation(
    world: World,
    captured: Any,
    *,
    at: dt.datetime | None = None,
    store: Any = None,
    phone: str = CLARA,
    **customer: Any,
) -> Conversation:
    """Clara wrote to the store on WhatsApp at ``at`` (25 hours ago by default)."""
    store = store or world.a
    make_customer(store, first_name="Clara", last_name="Customer", phones=[phone], **customer)
    with scope(store=store), captured(execute=True):
        inbound, _created = message_receive(
            store=store,
            channel="whatsapp",
            from_address=phone,
            body="Is my ring ready?",
            provider="sandbox",
            provider_id=f"WA-{store.slug}",
            received_at=at or timezone.now() - dt.timedelta(hours=25),
        )
    return inbound.conversation


def send_template(
    world: World, captured: Any, conversation: Conversation, template: WhatsAppTemplate, values: dict[str, str]
) -> Message:
    with scope(store=world.a), captured(execute=True):
        message = message_send_template(
            store=world.a,
            actor=world.a_associate.user,
            conversation=conversation,
            template=template,
            variables=values,
        )
    message.refresh_from_db()
    return message


def outbound(store: Any) -> list[Message]:
    with scope(store=store):
        return list(Message.objects.filter(direction="out").order_by("id"))


# ---- the 24-hour window -------------------------------------------------------------------------


def test_free_text_goes_at_23h49_and_only_a_template_from_23h51(
    world: World, django_capture_on_commit_callbacks: Any
) -> None:
    """The last 10 minutes are kept as a margin for clocks (selectors.WHATSAPP_WINDOW_MARGIN)."""
    conversation = whatsapp_conversation(world, django_capture_on_commit_callbacks, at=T0)
    template = record_template(world.a)

    with time_machine.travel(T0 + dt.timedelta(hours=23, minutes=49), tick=False):
        with scope(store=world.a), django_capture_on_commit_callbacks(execute=True):
            inside = message_send(store=world.a, actor=None, conversation=conversation, body="Yes, it is ready!")
        page = browser_client(world.a_associate).get(f"/inbox/{conversation.pk}/").content.decode()
        assert 'id="templates"' not in page

    with time_machine.travel(T0 + dt.timedelta(hours=23, minutes=51), tick=False):
        with scope(store=world.a), pytest.raises(ValidationError) as refused:
            message_send(store=world.a, actor=None, conversation=conversation, body="Are you still there?")
        assert refused.value.message_dict == {
            "channel": [
                "WhatsApp allows free-form messages only within 24 hours of the customer's last message; "
                "send an approved template or use another channel."
            ]
        }
        page = browser_client(world.a_associate).get(f"/inbox/{conversation.pk}/").content.decode()
        assert 'id="templates"' in page
        sent = send_template(
            world,
            django_capture_on_commit_callbacks,
            conversation,
            template,
            {"1": "Clara", "2": "ring", "3": "Atelier Ana"},
        )

    inside.refresh_from_db()
    assert [(m.pk, m.status) for m in outbound(world.a)] == [(inside.pk, "sent"), (sent.pk, "sent")]
    assert sent.body == "Hello Clara, your ring is ready at Atelier Ana. Reply to arrange a time."


def composer_channels(html: str) -> tuple[list[str], str]:
    """The composer's "Send by" options and the one it starts on."""
    select = re.search(r'<select id="reply-channel" name="channel">(.*?)</select>', html, re.S)
    assert select is not None
    options = re.findall(r'<option value="(\w+)"( selected)?>', select.group(1))
    return [value for value, _sel in options], "".join(value for value, sel in options if sel)


def test_past_the_window_the_composer_starts_on_a_text_and_still_offers_whatsapp_templates(
    world: World, django_capture_on_commit_callbacks: Any
) -> None:
    consents = [
        ConsentGrant("sms", "service", method="in_person"),
        ConsentGrant("email", "service", method="in_person"),
    ]
    conversation = whatsapp_conversation(
        world, django_capture_on_commit_callbacks, at=T0, emails=["clara@example.com"], consents=consents
    )
    record_template(world.a)
    client = browser_client(world.a_associate)
    with time_machine.travel(T0 + dt.timedelta(hours=23), tick=False):
        inside = client.get(f"/inbox/{conversation.pk}/").content.decode()
    assert composer_channels(inside) == (["whatsapp", "sms", "email"], "whatsapp")

    with time_machine.travel(T0 + dt.timedelta(hours=25), tick=False):
        page = client.get(f"/inbox/{conversation.pk}/").content.decode()
        assert composer_channels(page) == (["whatsapp", "sms", "email"], "sms")
        assert 'placeholder="A note for the staff, or a reply by text message (choose below)…"' in page
        assert "Or reply below by text message." in page
        assert "Piece ready" in page  # the templates are still there for WhatsApp
        # What the form posts as it came: a typed reply goes by text, not refused by WhatsApp.
        with django_capture_on_commit_callbacks(execute=True):
            client.post(f"/inbox/{conversation.pk}/reply/", {"body": "It is ready!", "channel": "sms", "kind": "reply"})
    [reply] = outbound(world.a)
    assert (reply.channel, reply.to_address, reply.body, reply.status) == ("sms", CLARA, "It is ready!", "sent")


def test_past_the_window_the_composer_skips_a_number_that_opted_out_of_texts_for_email(
    world: World, django_capture_on_commit_callbacks: Any
) -> None:
    clara = make_customer(world.a, phones=[CLARA], emails=["clara@example.com"])
    with scope(store=world.a), django_capture_on_commit_callbacks(execute=True):
        for channel, body, hours_ago in (("sms", "STOP", 30), ("whatsapp", "Is my ring ready?", 25)):
            inbound, _created = message_receive(
                store=world.a,
                channel=channel,
                from_address=CLARA,
                body=body,
                provider="sandbox",
                provider_id=f"IN-{channel}",
                received_at=timezone.now() - dt.timedelta(hours=hours_ago),
            )
        # In the shop she agreed to texts and emails about her ring; her STOP still stands.
        consent_record(
            store=world.a, actor=None, customer=clara, grant=ConsentGrant("sms", "service", method="in_person")
        )
        consent_record(
            store=world.a, actor=None, customer=clara, grant=ConsentGrant("email", "service", method="in_person")
        )
    page = browser_client(world.a_associate).get(f"/inbox/{inbound.conversation_id}/").content.decode()
    assert composer_channels(page) == (["whatsapp", "email"], "email")
    assert 'placeholder="A note for the staff, or a reply by email (choose below)…"' in page


def test_past_the_window_with_no_other_way_to_reach_them_the_composer_stays_on_whatsapp(
    world: World, django_capture_on_commit_callbacks: Any
) -> None:
    conversation = whatsapp_conversation(world, django_capture_on_commit_callbacks)
    page = browser_client(world.a_associate).get(f"/inbox/{conversation.pk}/").content.decode()
    assert composer_channels(page) == (["whatsapp"], "whatsapp")
    assert 'placeholder="A note for the staff…"' in page
    assert "Or reply below" not in page
    assert 'id="templates"' in page


def test_a_text_or_email_from_the_customer_opens_no_whatsapp_window(
    world: World, django_capture_on_commit_callbacks: Any
) -> None:
    conversation = whatsapp_conversation(world, django_capture_on_commit_callbacks)  # 25 hours ago
    with scope(store=world.a), django_capture_on_commit_callbacks(execute=True):
        message_receive(
            store=world.a, channel="sms", from_address=CLARA, body="Hello?", provider="sandbox", provider_id="SMS1"
        )
        from trunkshow.customers.services import consent_events_add

        consent_events_add(
            store=world.a,
            actor=world.a_owner.user,
            customer=conversation.customer,
            grants=[ConsentGrant("whatsapp", "service")],
        )
        conversation.refresh_from_db()
        with pytest.raises(ValidationError) as refused:
            message_send(store=world.a, actor=None, conversation=conversation, body="On WhatsApp", channel="whatsapp")
    assert "within 24 hours" in refused.value.message_dict["channel"][0]


# ---- sending ------------------------------------------------------------------------------------


def test_the_message_records_the_template_its_values_and_the_text_the_customer_reads(
    world: World, django_capture_on_commit_callbacks: Any
) -> None:
    conversation = whatsapp_conversation(world, django_capture_on_commit_callbacks)
    template = record_template(world.a)

    message = send_template(
        world,
        django_capture_on_commit_callbacks,
        conversation,
        template,
        {"1": "Clara", "2": "sapphire ring", "3": "Atelier Ana"},
    )

    assert (message.channel, message.to_address, message.status, message.provider) == (
        "whatsapp",
        CLARA,
        MessageStatus.SENT,
        "sandbox",
    )
    assert message.body == "Hello Clara, your sapphire ring is ready at Atelier Ana. Reply to arrange a time."
    assert message.meta == {
        "template": {
            "id": template.pk,
            "name": "Piece ready",
            "content_sid": READY_SID,
            "language": "en",
            "variables": {"1": "Clara", "2": "sapphire ring", "3": "Atelier Ana"},
        }
    }
    assert message.author == world.a_associate.user
    conversation.refresh_from_db()
    assert conversation.last_message_preview == message.body
    # The thread and the customer's timeline show what Clara got, and that it was a template.
    thread = browser_client(world.a_associate).get(f"/inbox/{conversation.pk}/").content.decode()
    assert "Template · Piece ready" in thread
    assert "Hello Clara, your sapphire ring is ready at Atelier Ana." in thread
    profile = browser_client(world.a_associate).get(f"/customers/{conversation.customer_id}/").content.decode()
    assert "WhatsApp template “Piece ready”" in profile
    assert "Hello Clara, your sapphire ring is ready at Atelier Ana." in profile


@pytest.mark.parametrize(
    ("values", "errors"),
    [
        ({"1": "Clara", "2": "", "3": "Atelier Ana"}, {"variables.2": ["Fill in {{2}} (The piece) before sending."]}),
        ({"1": "Clara", "3": "Atelier Ana"}, {"variables.2": ["Fill in {{2}} (The piece) before sending."]}),
        (
            {"1": "Clara", "2": "ring", "3": "Atelier Ana", "4": "extra"},
            {"variables": ["“Piece ready” has no placeholder {{4}}; it has 3."]},
        ),
        (
            {"1": "Clara", "2": "ring\nand chain", "3": "Atelier Ana"},
            {
                "variables.2": [
                    "{{2}} must be one line: WhatsApp refuses new lines, tabs and runs of spaces in a template's values."
                ]
            },
        ),
        (
            {"1": "Clara", "2": "x" * 501, "3": "Atelier Ana"},
            {"variables.2": ["{{2}} can be at most 500 characters."]},
        ),
        (
            {"1": "{first_name}", "2": "ring", "3": "Atelier Ana"},
            {"variables.1": ["Fill in {first_name} before sending: the customer would see it as typed."]},
        ),
        (
            {"1": "Clara", "2": "ring\x00", "3": "Atelier Ana"},
            {"variables.2": ["Remove the control characters or line breaks from this field."]},
        ),
        (
            {"1": "Clara", "2": "ring \ud83d", "3": "Atelier Ana"},
            {"variables.2": ["This text holds a broken character (half of an emoji pair); type it again."]},
        ),
    ],
    ids=["empty", "missing", "extra", "new-line", "too-long", "merge-field-left", "nul", "half-an-emoji"],
)
def test_wrong_values_are_refused_with_the_placeholder_named_and_nothing_is_queued(
    world: World, django_capture_on_commit_callbacks: Any, values: dict[str, str], errors: dict[str, list[str]]
) -> None:
    conversation = whatsapp_conversation(world, django_capture_on_commit_callbacks)
    template = record_template(world.a)
    with pytest.raises(ValidationError) as refused:
        send_template(world, django_capture_on_commit_callbacks, conversation, template, values)
    assert refused.value.message_dict == errors
    assert outbound(world.a) == []


@pytest.mark.parametrize("status", ["unsubmitted", "received", "pending", "rejected", "paused", "disabled"])
def test_a_template_not_approved_is_refused(world: World, django_capture_on_commit_callbacks: Any, status: str) -> None:
    conversation = whatsapp_conversation(world, django_capture_on_commit_callbacks)
    template = record_template(world.a, status=status)
    with pytest.raises(ValidationError) as refused:
        send_template(world, django_capture_on_commit_callbacks, conversation, template, {"1": "C", "2": "r", "3": "A"})
    label = template.get_approval_status_display().lower()
    assert refused.value.message_dict == {
        "template": [
            f"“Piece ready” is not approved by WhatsApp (status: {label}); only an approved template can be sent."
        ]
    }
    assert outbound(world.a) == []


def test_an_opted_out_number_gets_no_template_when_queued_or_when_sent(
    world: World, django_capture_on_commit_callbacks: Any
) -> None:
    conversation = whatsapp_conversation(world, django_capture_on_commit_callbacks)
    template = record_template(world.a)
    values = {"1": "Clara", "2": "ring", "3": "Atelier Ana"}
    # Queued first (the worker has not run), then Clara says STOP: the outbox's own check stops it.
    with scope(store=world.a), django_capture_on_commit_callbacks(execute=False):
        queued = message_send_template(
            store=world.a, actor=None, conversation=conversation, template=template, variables=values
        )
        OptOut.objects.create(store=world.a, channel="whatsapp", address=CLARA, keyword="STOP")
        from trunkshow.messaging import outbox

        assert outbox.message_deliver(store=world.a, message_id=queued.pk) == MessageStatus.FAILED
    queued.refresh_from_db()
    assert (queued.status, queued.error, queued.provider_id) == ("failed", "The customer opted out.", "")
    # Asked again now, it is refused before anything is queued.
    with pytest.raises(ValidationError) as refused:
        send_template(world, django_capture_on_commit_callbacks, conversation, template, values)
    assert refused.value.message_dict["channel"][0].startswith("This customer opted out of WhatsApp on ")
    assert [m.pk for m in outbound(world.a)] == [queued.pk]


def test_another_stores_template_cannot_be_sent_even_by_the_service(
    world: World, django_capture_on_commit_callbacks: Any
) -> None:
    conversation = whatsapp_conversation(world, django_capture_on_commit_callbacks)
    theirs = record_template(world.b, name="Prête")
    with pytest.raises(ValidationError) as refused:
        send_template(world, django_capture_on_commit_callbacks, conversation, theirs, {"1": "C", "2": "r", "3": "A"})
    assert refused.value.message_dict == {"template": ["This template is not one of the store's."]}
    assert outbound(world.a) == []


# ---- the composer -------------------------------------------------------------------------------


def test_the_composer_offers_approved_templates_with_merge_fields_filled_in(
    world: World, django_capture_on_commit_callbacks: Any
) -> None:
    conversation = whatsapp_conversation(world, django_capture_on_commit_callbacks)
    ready = record_template(world.a)
    record_template(world.a, name="Awaiting review", sid="HX" + "2" * 32, status="pending")
    record_template(world.b, name="Pièce prête", sid="HX" + "3" * 32)

    html = browser_client(world.a_associate).get(f"/inbox/{conversation.pk}/").content.decode()

    assert "WhatsApp needs a template now" in html
    assert "Piece ready" in html
    assert "Awaiting review" not in html and "Pièce prête" not in html
    assert f'<input type="hidden" name="template" value="{ready.pk}">' in html
    assert 'name="var_1" value="Clara"' in html
    assert 'name="var_2" value=""' in html
    assert 'name="var_3" value="Atelier Ana"' in html
    assert "Hello Clara, your {{2}} is ready at Atelier Ana. Reply to arrange a time." in html


def test_with_no_approved_template_the_composer_says_where_they_come_from(
    world: World, django_capture_on_commit_callbacks: Any
) -> None:
    conversation = whatsapp_conversation(world, django_capture_on_commit_callbacks)
    associate = browser_client(world.a_associate).get(f"/inbox/{conversation.pk}/").content.decode()
    assert "There is no approved WhatsApp template yet." in associate
    assert "The owner records them under Settings → WhatsApp templates." in associate
    owner = browser_client(world.a_owner).get(f"/inbox/{conversation.pk}/").content.decode()
    assert 'href="/settings/whatsapp-templates/">Record one</a>' in owner


def test_sending_from_the_composer_and_an_empty_value_coming_back_with_its_message(
    world: World, django_capture_on_commit_callbacks: Any
) -> None:
    conversation = whatsapp_conversation(world, django_capture_on_commit_callbacks)
    template = record_template(world.a)
    client = browser_client(world.a_associate)
    url = f"/inbox/{conversation.pk}/reply/"

    refused = client.post(url, {"template": template.pk, "var_1": "Clara", "var_2": "  ", "var_3": "Atelier Ana"})
    assert refused.status_code == 302
    assert refused["Location"] == f"/inbox/{conversation.pk}/#templates"
    page = client.get(refused["Location"]).content.decode()
    assert page.count("Fill in {{2}} (The piece) before sending.") == 2  # the flash, and beside the field
    assert 'name="var_1" value="Clara"' in page
    assert '<details class="wa-choice" name="wa-template" open>' in page
    assert outbound(world.a) == []

    with django_capture_on_commit_callbacks(execute=True):
        sent = client.post(url, {"template": template.pk, "var_1": "Clara", "var_2": "ring", "var_3": "Atelier Ana"})
    assert sent.status_code == 302
    [message] = outbound(world.a)
    assert (message.body, message.status, message.author) == (
        "Hello Clara, your ring is ready at Atelier Ana. Reply to arrange a time.",
        "sent",
        world.a_associate.user,
    )


def test_the_composer_answers_404_for_another_stores_template_and_sends_nothing(
    world: World, django_capture_on_commit_callbacks: Any
) -> None:
    conversation = whatsapp_conversation(world, django_capture_on_commit_callbacks)
    theirs = record_template(world.b, name="Prête")
    response = browser_client(world.a_associate).post(
        f"/inbox/{conversation.pk}/reply/", {"template": theirs.pk, "var_1": "C", "var_2": "r", "var_3": "A"}
    )
    assert response.status_code == 404
    assert outbound(world.a) == outbound(world.b) == []


# ---- the API's send-message endpoint ------------------------------------------------------------


def test_the_api_sends_a_template_and_shows_it_on_the_message(
    world: World, django_capture_on_commit_callbacks: Any
) -> None:
    conversation = whatsapp_conversation(world, django_capture_on_commit_callbacks)
    template = record_template(world.a)
    with django_capture_on_commit_callbacks(execute=True):
        response = api(world.a_associate).post(
            f"/api/v1/conversations/{conversation.pk}/messages",
            {"template": template.pk, "variables": {"1": "Clara", "2": "ring", "3": "Atelier Ana"}},
            content_type="application/json",
        )
    assert response.status_code == 201, response.content
    data = response.json()
    assert (data["channel"], data["body"], data["status"]) == (
        "whatsapp",
        "Hello Clara, your ring is ready at Atelier Ana. Reply to arrange a time.",
        "queued",
    )
    assert data["template"] == {
        "id": template.pk,
        "name": "Piece ready",
        "content_sid": READY_SID,
        "variables": {"1": "Clara", "2": "ring", "3": "Atelier Ana"},
    }
    thread = api(world.a_associate).get(f"/api/v1/conversations/{conversation.pk}").json()
    assert thread["messages"][-1]["template"]["name"] == "Piece ready"
    assert thread["messages"][-1]["status"] == "sent"
    assert thread["messages"][0]["template"] is None


@pytest.mark.parametrize(
    ("payload", "status", "error"),
    [
        (
            {"variables": {"1": "Clara", "2": "", "3": "A"}},
            400,
            {"code": "invalid", "fields": {"variables.2": ["Fill in {{2}} (The piece) before sending."]}},
        ),
        (
            {"body": "Hello!", "variables": {"1": "Clara", "2": "ring", "3": "A"}},
            400,
            {
                "code": "invalid",
                "fields": {
                    "body": [
                        "A WhatsApp template is sent as it was approved: leave out body, files, kind and any channel "
                        "but whatsapp."
                    ]
                },
            },
        ),
        (
            {"channel": "sms", "variables": {"1": "Clara", "2": "ring", "3": "A"}},
            400,
            {
                "code": "invalid",
                "fields": {
                    "channel": [
                        "A WhatsApp template is sent as it was approved: leave out body, files, kind and any channel "
                        "but whatsapp."
                    ]
                },
            },
        ),
    ],
    ids=["empty-value", "with-a-body", "on-sms"],
)
def test_the_api_refuses_a_template_with_wrong_input(
    world: World, django_capture_on_commit_callbacks: Any, payload: dict[str, Any], status: int, error: dict[str, Any]
) -> None:
    conversation = whatsapp_conversation(world, django_capture_on_commit_callbacks)
    template = record_template(world.a)
    response = api(world.a_associate).post(
        f"/api/v1/conversations/{conversation.pk}/messages",
        {"template": template.pk, **payload},
        content_type="application/json",
    )
    assert response.status_code == status
    body = response.json()["error"]
    assert {"code": body["code"], "fields": body["fields"]} == error
    assert outbound(world.a) == []


def test_the_api_answers_404_for_another_stores_template_and_400_for_an_unapproved_one(
    world: World, django_capture_on_commit_callbacks: Any
) -> None:
    conversation = whatsapp_conversation(world, django_capture_on_commit_callbacks)
    theirs = record_template(world.b, name="Prête")
    pending = record_template(world.a, name="Awaiting review", sid="HX" + "2" * 32, status="pending")
    values = {"1": "Clara", "2": "ring", "3": "A"}
    client = api(world.a_associate)
    url = f"/api/v1/conversations/{conversation.pk}/messages"

    foreign = client.post(url, {"template": theirs.pk, "variables": values}, content_type="application/json")
    assert foreign.status_code == 404
    assert foreign.json()["error"]["code"] == "not_found"
    unknown = client.post(url, {"template": 999_999, "variables": values}, content_type="application/json")
    assert unknown.status_code == 404
    unapproved = client.post(url, {"template": pending.pk, "variables": values}, content_type="application/json")
    assert unapproved.status_code == 400
    assert unapproved.json()["error"]["fields"] == {
        "template": [
            "“Awaiting review” is not approved by WhatsApp (status: pending); only an approved template can be sent."
        ]
    }
    assert outbound(world.a) == outbound(world.b) == []


# ---- recording templates: the settings page -----------------------------------------------------


def _form(**fields: Any) -> dict[str, Any]:
    data = {
        "name": "Piece ready",
        "content_sid": READY_SID,
        "language": "en",
        "body": READY,
        "approval_status": "approved",
        "var_1_source": "first_name",
        "var_2_source": "text",
        "var_2_label": "The piece",
        "var_3_source": "store",
    }
    data.update(fields)
    return {k: v for k, v in data.items() if v is not None}


def test_the_owner_records_changes_and_deletes_a_template_on_the_settings_page(world: World) -> None:
    owner = browser_client(world.a_owner)
    assert owner.get("/settings/whatsapp-templates/").status_code == 200
    assert 'href="/settings/whatsapp-templates/"' in owner.get("/settings/").content.decode()

    created = owner.post("/settings/whatsapp-templates/", _form())
    assert created.status_code == 302
    with scope(store=world.a):
        template = WhatsAppTemplate.objects.get()
    assert (template.name, template.content_sid, template.language, template.body, template.approval_status) == (
        "Piece ready",
        READY_SID,
        "en",
        READY,
        "approved",
    )
    assert template.variables == READY_VARIABLES
    assert template.created_by == world.a_owner.user
    listing = owner.get("/settings/whatsapp-templates/").content.decode()
    assert "Piece ready" in listing and READY_SID in listing and "The piece" in listing

    edit = owner.get(f"/settings/whatsapp-templates/{template.pk}/").content.decode()
    assert 'value="Piece ready"' in edit and 'name="var_2_label"' in edit
    changed = owner.post(
        f"/settings/whatsapp-templates/{template.pk}/",
        _form(name="Ready to collect", body="Hi {{1}}, it is ready.", approval_status="paused"),
    )
    assert changed.status_code == 302
    template.refresh_from_db()
    assert (template.name, template.body, template.variables, template.approval_status) == (
        "Ready to collect",
        "Hi {{1}}, it is ready.",
        [{"source": "first_name", "label": ""}],
        "paused",
    )

    assert owner.post(f"/settings/whatsapp-templates/{template.pk}/delete/").status_code == 302
    with scope(store=world.a):
        assert not WhatsAppTemplate.objects.exists()
    with scopes_disabled():
        actions = list(
            AuditEntry.objects.filter(store=world.a, action__startswith="trunkshow.whatsapp_template")
            .order_by("id")
            .values_list("action", flat=True)
        )
    assert actions == [
        "trunkshow.whatsapp_template.saved",
        "trunkshow.whatsapp_template.saved",
        "trunkshow.whatsapp_template.deleted",
    ]


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"name": ""}, "This field is required."),
        ({"content_sid": "HX123"}, "A content SID is HX followed by 32 hexadecimal digits"),
        ({"content_sid": "MG" + "0" * 32}, "A content SID is HX followed by 32 hexadecimal digits"),
        ({"language": "English"}, "Give the template&#x27;s language as WhatsApp names it"),
        ({"body": "Hello {{1}}, see you {{3}}"}, "Number the placeholders from {{1}} without gaps: {{2}} is missing."),
        ({"body": "Hello {{name}}"}, "Placeholders are numbers in double braces, like {{1}}; “{{name}}” is not one."),
        ({"var_2_source": ""}, "Choose what fills {{2}}"),
        ({"var_2_source": "birthday"}, "Select a valid choice. birthday is not one of the available choices."),
        ({"approval_status": "maybe"}, "Select a valid choice. maybe is not one of the available choices."),
        ({"body": "x" * 1025}, "Ensure this value has at most 1024 characters (it has 1025)."),
    ],
    ids=[
        "no-name",
        "short-sid",
        "not-hx",
        "language",
        "gap",
        "named-placeholder",
        "no-source",
        "bad-source",
        "bad-status",
        "too-long",
    ],
)
def test_a_bad_template_is_refused_beside_its_field_and_nothing_is_saved(
    world: World, fields: dict[str, Any], message: str
) -> None:
    response = browser_client(world.a_owner).post("/settings/whatsapp-templates/", _form(**fields))
    assert response.status_code == 400
    assert message in response.content.decode()
    with scope(store=world.a):
        assert not WhatsAppTemplate.objects.exists()


def test_a_name_or_sid_already_recorded_is_refused(world: World) -> None:
    record_template(world.a)
    record_template(world.b)  # another store may record the same SID (one Twilio account)
    owner = browser_client(world.a_owner)
    same_name = owner.post("/settings/whatsapp-templates/", _form(content_sid="HX" + "9" * 32))
    assert "There is already a template called “Piece ready”." in same_name.content.decode()
    same_sid = owner.post("/settings/whatsapp-templates/", _form(name="Other"))
    assert f"Template {READY_SID} is already recorded." in same_sid.content.decode()
    with scope(store=world.a):
        assert WhatsAppTemplate.objects.count() == 1


def test_a_placeholder_typed_without_saying_what_fills_it_brings_its_row(world: World) -> None:
    """Without the page's script, the rows for new placeholders come back with the error."""
    data = _form(body="Hello {{1}}, your {{2}} is ready at {{3}}; see you {{4}}.")
    response = browser_client(world.a_owner).post("/settings/whatsapp-templates/", data)
    html = response.content.decode()
    assert response.status_code == 400
    assert 'name="var_4_source"' in html
    assert "Choose what fills {{4}}" in html


@pytest.mark.parametrize("person", ["a_manager", "a_associate"])
def test_only_the_owner_opens_or_changes_the_templates(world: World, person: str) -> None:
    template = record_template(world.a)
    client = browser_client(getattr(world, person))
    assert client.get("/settings/whatsapp-templates/").status_code == 403
    for url, data in (
        ("/settings/whatsapp-templates/", _form(name="Mine", content_sid="HX" + "9" * 32)),
        (f"/settings/whatsapp-templates/{template.pk}/", _form(name="Changed")),
        (f"/settings/whatsapp-templates/{template.pk}/delete/", {}),
        (f"/settings/whatsapp-templates/{template.pk}/check/", {}),
    ):
        response = client.post(url, data)
        assert response.status_code == 403
        assert "Only owners can change the store&#x27;s settings." in response.content.decode()
    with scope(store=world.a):
        assert list(WhatsAppTemplate.objects.values_list("name", "approval_status")) == [("Piece ready", "approved")]


def test_another_stores_template_is_404_on_every_page(world: World) -> None:
    theirs = record_template(world.b, name="Prête")
    owner = browser_client(world.a_owner)
    assert owner.get(f"/settings/whatsapp-templates/{theirs.pk}/").status_code == 404
    assert owner.post(f"/settings/whatsapp-templates/{theirs.pk}/", _form()).status_code == 404
    assert owner.post(f"/settings/whatsapp-templates/{theirs.pk}/delete/").status_code == 404
    assert owner.post(f"/settings/whatsapp-templates/{theirs.pk}/check/").status_code == 404
    assert "Prête" not in owner.get("/settings/whatsapp-templates/").content.decode()
    with scope(store=world.b):
        assert list(WhatsAppTemplate.objects.values_list("name", flat=True)) == ["Prête"]


def test_in_the_sandbox_checking_with_twilio_says_there_is_nobody_to_ask(world: World) -> None:
    template = record_template(world.a, status="pending")
    owner = browser_client(world.a_owner)
    page = owner.get("/settings/whatsapp-templates/").content.decode()
    assert "Check with Twilio" not in page
    response = owner.post(f"/settings/whatsapp-templates/{template.pk}/check/", follow=True)
    assert "Twilio is not set up (messages go to the sandbox), so there is nobody to ask" in response.content.decode()
    template.refresh_from_db()
    assert (template.approval_status, template.status_checked_at) == ("pending", None)


# ---- recording templates: the API ---------------------------------------------------------------


def _payload(**fields: Any) -> dict[str, Any]:
    return {
        "name": "Piece ready",
        "content_sid": READY_SID,
        "language": "en",
        "body": READY,
        "variables": READY_VARIABLES,
        "approval_status": "approved",
        **fields,
    }


def test_the_api_records_lists_changes_and_deletes_templates(world: World) -> None:
    owner, associate = api(world.a_owner), api(world.a_associate)
    created = owner.post("/api/v1/whatsapp-templates", _payload(), content_type="application/json")
    assert created.status_code == 201, created.content
    data = created.json()
    tid = data["id"]
    assert {k: data[k] for k in ("name", "content_sid", "language", "body", "approval_status", "rejection_reason")} == {
        "name": "Piece ready",
        "content_sid": READY_SID,
        "language": "en",
        "body": READY,
        "approval_status": "approved",
        "rejection_reason": "",
    }
    assert data["variables"] == [
        {"number": 1, "source": "first_name", "label": ""},
        {"number": 2, "source": "text", "label": "The piece"},
        {"number": 3, "source": "store", "label": ""},
    ]
    owner.post(
        "/api/v1/whatsapp-templates",
        _payload(name="Pending one", content_sid="HX" + "2" * 32, approval_status="pending"),
        content_type="application/json",
    )
    # Associates read them (to send one), filtered the way a sender needs.
    assert [t["name"] for t in associate.get("/api/v1/whatsapp-templates").json()] == ["Pending one", "Piece ready"]
    assert [t["name"] for t in associate.get("/api/v1/whatsapp-templates?approval_status=approved").json()] == [
        "Piece ready"
    ]
    assert associate.get(f"/api/v1/whatsapp-templates/{tid}").json()["name"] == "Piece ready"
    unknown = associate.get("/api/v1/whatsapp-templates?status=approved")
    assert unknown.status_code == 400
    assert unknown.json()["error"]["fields"] == {"status": ["Not a filter of this list; use approval_status."]}

    changed = owner.put(
        f"/api/v1/whatsapp-templates/{tid}",
        _payload(name="Ready", body="Hi {{1}}", variables=[{"source": "first_name"}]),
        content_type="application/json",
    )
    assert changed.status_code == 200
    assert (changed.json()["name"], changed.json()["body"]) == ("Ready", "Hi {{1}}")
    assert owner.delete(f"/api/v1/whatsapp-templates/{tid}").status_code == 204
    assert owner.get(f"/api/v1/whatsapp-templates/{tid}").status_code == 404


@pytest.mark.parametrize(
    ("fields", "errors"),
    [
        (
            {"content_sid": "HXnothex" + "0" * 26},
            {
                "content_sid": [
                    "A content SID is HX followed by 32 hexadecimal digits, as Twilio's Content Template Builder "
                    "shows it."
                ]
            },
        ),
        (
            {"variables": READY_VARIABLES[:2]},
            {"variables": ["The text has 3 placeholders; say what fills each one (2 given)."]},
        ),
        ({"name": "x" * 101}, {"name": ["A name can be at most 100 characters."]}),
        (
            {"variables": [*READY_VARIABLES[:2], {"source": "store", "label": "y" * 61}]},
            {"variables.3.label": ["A label can be at most 60 characters."]},
        ),
        ({"body": "   "}, {"body": ["Write the template's text exactly as it was approved."]}),
        (
            {"variables": [*READY_VARIABLES[:2], {"source": "store", "label": "Atelier\x00"}]},
            {"variables.3.label": ["Remove the control characters or line breaks from this field."]},
        ),
    ],
    ids=["sid", "too-few-variables", "long-name", "long-label", "empty-body", "nul-in-label"],
)
def test_the_api_refuses_a_bad_template_naming_the_field(
    world: World, fields: dict[str, Any], errors: dict[str, list[str]]
) -> None:
    response = api(world.a_owner).post(
        "/api/v1/whatsapp-templates", _payload(**fields), content_type="application/json"
    )
    assert response.status_code == 400
    assert response.json()["error"]["fields"] == errors
    with scope(store=world.a):
        assert not WhatsAppTemplate.objects.exists()


def test_the_api_refuses_an_unknown_source_or_status(world: World) -> None:
    client = api(world.a_owner)
    for payload, field in (
        (_payload(variables=[{"source": "birthday"}, *READY_VARIABLES[1:]]), "variables.0.source"),
        (_payload(approval_status="maybe"), "approval_status"),
    ):
        response = client.post("/api/v1/whatsapp-templates", payload, content_type="application/json")
        assert response.status_code == 400
        assert list(response.json()["error"]["fields"]) == [field]
    with scope(store=world.a):
        assert not WhatsAppTemplate.objects.exists()


@pytest.mark.parametrize("person", ["a_manager", "a_associate"])
def test_only_owners_write_templates_through_the_api(world: World, person: str) -> None:
    template = record_template(world.a)
    client = api(getattr(world, person))
    for method, url, payload in (
        ("post", "/api/v1/whatsapp-templates", _payload(name="Mine", content_sid="HX" + "9" * 32)),
        ("put", f"/api/v1/whatsapp-templates/{template.pk}", _payload(name="Changed")),
        ("delete", f"/api/v1/whatsapp-templates/{template.pk}", None),
        ("post", f"/api/v1/whatsapp-templates/{template.pk}/check", None),
    ):
        kwargs = {"data": payload, "content_type": "application/json"} if payload is not None else {}
        response = getattr(client, method)(url, **kwargs)
        assert response.status_code == 403, (method, url)
        assert response.json()["error"] == {
            "code": "forbidden",
            "message": "Only owners can change the store's settings.",
            "fields": {},
        }
    with scope(store=world.a):
        assert list(WhatsAppTemplate.objects.values_list("name", flat=True)) == ["Piece ready"]


def test_another_stores_template_is_404_on_every_endpoint(world: World) -> None:
    theirs = record_template(world.b, name="Prête")
    client = api(world.a_owner)
    url = f"/api/v1/whatsapp-templates/{theirs.pk}"
    assert client.get(url).status_code == 404
    assert client.put(url, _payload(), content_type="application/json").status_code == 404
    assert client.delete(url).status_code == 404
    assert client.post(url + "/check").status_code == 404
    assert client.get("/api/v1/whatsapp-templates").json() == []
    with scope(store=world.b):
        assert list(WhatsAppTemplate.objects.values_list("name", flat=True)) == ["Prête"]
