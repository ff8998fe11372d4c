"""WhatsApp templates through the real ``twilio`` library to the fake Twilio: the wire format Twilio documents.

A template goes to ``POST /2010-04-01/Accounts/{sid}/Messages.json`` as ``ContentSid`` and
``ContentVariables`` (one JSON string), with no ``Body``; WhatsApp's review of a template is read
from ``GET https://content.twilio.com/v1/Content/{sid}/ApprovalRequests``.
"""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

import time_machine
from django_scopes import scope

from tests.conftest import World, api, browser_client
from tests.messaging.test_whatsapp_templates import (
    CLARA,
    READY,
    READY_SID,
    record_template,
    send_template,
    whatsapp_conversation,
)
from tests.messaging.twilio.conftest import ACCOUNT_SID, PUBLIC_URL, STORE_A_NUMBER, FakeTwilio, basic_auth
from trunkshow.messaging import outbox
from trunkshow.messaging.models import MessageStatus, WhatsAppTemplate

VALUES = {"1": "Clara", "2": "sapphire ring", "3": "Atelier Ana"}
RENDERED = "Hello Clara, your sapphire ring is ready at Atelier Ana. Reply to arrange a time."


def test_a_template_goes_out_as_content_sid_and_content_variables_without_a_body(
    world: World, twilio: FakeTwilio, django_capture_on_commit_callbacks: Any
) -> None:
    twilio.content[READY_SID] = {"body": READY, "status": "approved"}
    conversation = whatsapp_conversation(world, django_capture_on_commit_callbacks)
    template = record_template(world.a)

    message = send_template(world, django_capture_on_commit_callbacks, conversation, template, VALUES)

    [sent] = twilio.posts
    assert sent.path == f"/2010-04-01/Accounts/{ACCOUNT_SID}/Messages.json"
    assert sent.authorization == basic_auth()
    assert sent.form == {
        "To": [f"whatsapp:{CLARA}"],
        "From": [f"whatsapp:{STORE_A_NUMBER}"],
        "ContentSid": [READY_SID],
        "ContentVariables": ['{"1": "Clara", "2": "sapphire ring", "3": "Atelier Ana"}'],
        "StatusCallback": [f"{PUBLIC_URL}/hooks/twilio/atelier/status?ref={message.reference}"],
    }
    assert json.loads(sent.form["ContentVariables"][0]) == VALUES
    # What Twilio rendered is what the thread shows.
    assert twilio.accepted[0]["body"] == message.body == RENDERED
    assert (message.status, message.provider, message.provider_id) == (
        MessageStatus.SENT,
        "twilio",
        twilio.accepted[0]["sid"],
    )


def test_values_with_accents_and_quotes_reach_twilio_as_valid_json(
    world: World, twilio: FakeTwilio, django_capture_on_commit_callbacks: Any
) -> None:
    twilio.content[READY_SID] = {"body": READY, "status": "approved"}
    conversation = whatsapp_conversation(world, django_capture_on_commit_callbacks)
    template = record_template(world.a)
    values = {"1": "Zsófia", "2": 'bague "Étoile"', "3": "Atelier Ana"}

    message = send_template(world, django_capture_on_commit_callbacks, conversation, template, values)

    assert json.loads(twilio.posts[0].form["ContentVariables"][0]) == values
    assert (
        twilio.accepted[0]["body"]
        == message.body
        == ('Hello Zsófia, your bague "Étoile" is ready at Atelier Ana. Reply to arrange a time.')
    )


def test_a_template_without_placeholders_is_sent_without_content_variables(
    world: World, twilio: FakeTwilio, django_capture_on_commit_callbacks: Any
) -> None:
    sid = "HX" + "a" * 32
    twilio.content[sid] = {"body": "Your order has arrived at the store.", "status": "approved"}
    conversation = whatsapp_conversation(world, django_capture_on_commit_callbacks)
    template = record_template(
        world.a, name="Arrived", sid=sid, body="Your order has arrived at the store.", variables=[]
    )

    message = send_template(world, django_capture_on_commit_callbacks, conversation, template, {})

    assert "ContentVariables" not in twilio.posts[0].form
    assert twilio.posts[0].form["ContentSid"] == [sid]
    assert (message.status, message.body) == (MessageStatus.SENT, "Your order has arrived at the store.")


def test_twilio_refusing_the_variables_fails_the_message_with_the_reason_in_words(
    world: World, twilio: FakeTwilio, django_capture_on_commit_callbacks: Any
) -> None:
    # The owner recorded three placeholders, but the template at Twilio has two: Twilio answers 21656.
    twilio.content[READY_SID] = {"body": "Hello {{1}}, your {{2}} is ready.", "status": "approved"}
    conversation = whatsapp_conversation(world, django_capture_on_commit_callbacks)
    template = record_template(world.a)

    message = send_template(world, django_capture_on_commit_callbacks, conversation, template, VALUES)

    assert (message.status, message.attempts) == (MessageStatus.FAILED, 1)
    assert message.error == "Twilio error 21656: The template's variables do not match what Twilio expects."
    assert twilio.accepted == []


def test_an_ambiguous_template_send_is_found_at_twilio_and_not_sent_twice(
    world: World, twilio: FakeTwilio, django_capture_on_commit_callbacks: Any
) -> None:
    twilio.content[READY_SID] = {"body": READY, "status": "approved"}
    conversation = whatsapp_conversation(world, django_capture_on_commit_callbacks)
    template = record_template(world.a)
    twilio.plan.append(("hang_after_accepting",))

    message = send_template(world, django_capture_on_commit_callbacks, conversation, template, VALUES)
    assert message.status == MessageStatus.QUEUED
    with time_machine.travel(message.next_attempt_at + dt.timedelta(seconds=1), tick=False), scope(store=world.a):
        assert outbox.message_deliver(store=world.a, message_id=message.pk) == MessageStatus.SENT

    message.refresh_from_db()
    assert len(twilio.posts) == 1
    assert message.provider_id == twilio.accepted[0]["sid"]


def test_checking_a_template_records_whatsapps_review_from_twilios_content_api(
    world: World, twilio: FakeTwilio
) -> None:
    pending = record_template(world.a, status="pending")
    rejected = record_template(world.a, name="Sale", sid="HX" + "b" * 32, status="pending")
    fresh = record_template(world.a, name="Draft", sid="HX" + "c" * 32, status="approved")
    twilio.content[READY_SID] = {"body": READY, "status": "approved", "name": "piece_ready"}
    twilio.content["HX" + "b" * 32] = {"body": "x", "status": "rejected", "rejection_reason": "Promotional content"}
    twilio.content["HX" + "c" * 32] = {"body": "x", "status": None}  # never submitted to WhatsApp
    owner = browser_client(world.a_owner)

    assert "Check with Twilio" in owner.get("/settings/whatsapp-templates/").content.decode()
    page = owner.post(f"/settings/whatsapp-templates/{pending.pk}/check/", follow=True).content.decode()
    assert "Twilio says “Piece ready” is approved." in page
    owner.post(f"/settings/whatsapp-templates/{rejected.pk}/check/")
    checked = api(world.a_owner).post(f"/api/v1/whatsapp-templates/{fresh.pk}/check")
    assert checked.status_code == 200
    assert checked.json()["approval_status"] == "unsubmitted"

    [first, *_rest] = twilio.requests
    assert (first.method, first.path, first.authorization) == (
        "GET",
        f"/v1/Content/{READY_SID}/ApprovalRequests",
        basic_auth(),
    )
    for template in (pending, rejected, fresh):
        template.refresh_from_db()
    assert (pending.approval_status, pending.rejection_reason) == ("approved", "")
    assert (rejected.approval_status, rejected.rejection_reason) == ("rejected", "Promotional content")
    assert fresh.approval_status == "unsubmitted"
    assert all(t.status_checked_at is not None for t in (pending, rejected, fresh))
    listing = owner.get("/settings/whatsapp-templates/").content.decode()
    assert "WhatsApp said: Promotional content" in listing


def test_a_sid_twilio_does_not_know_is_reported_and_nothing_changes(world: World, twilio: FakeTwilio) -> None:
    template = record_template(world.a, status="approved")
    response = api(world.a_owner).post(f"/api/v1/whatsapp-templates/{template.pk}/check")
    assert response.status_code == 400
    assert response.json()["error"]["fields"] == {
        "approval_status": [f"Twilio has no template {READY_SID} on this account: check the content SID."]
    }
    template.refresh_from_db()
    assert (template.approval_status, template.status_checked_at) == ("approved", None)


def test_twilio_failing_to_answer_a_check_says_to_try_again_and_changes_nothing(
    world: World, twilio: FakeTwilio
) -> None:
    template = record_template(world.a, status="pending")
    twilio.content[READY_SID] = {"body": READY, "status": "approved", "fail": 503}
    page = browser_client(world.a_owner).post(f"/settings/whatsapp-templates/{template.pk}/check/", follow=True)
    assert "Twilio answered 503; try again shortly." in page.content.decode()
    template.refresh_from_db()
    assert (template.approval_status, template.status_checked_at) == ("pending", None)


def test_saving_a_template_with_twilio_set_up_asks_twilio_for_its_status(world: World, twilio: FakeTwilio) -> None:
    twilio.content[READY_SID] = {"body": READY, "status": "pending"}
    response = browser_client(world.a_owner).post(
        "/settings/whatsapp-templates/",
        {
            "name": "Piece ready",
            "content_sid": READY_SID,
            "language": "en",
            "body": READY,
            "approval_status": "approved",
            "var_1_source": "first_name",
            "var_2_source": "text",
            "var_3_source": "store",
        },
        follow=True,
    )
    assert "Twilio says “Piece ready” is pending." in response.content.decode()
    with scope(store=world.a):
        assert list(WhatsAppTemplate.objects.values_list("approval_status", flat=True)) == ["pending"]
    assert [r.path for r in twilio.requests] == [f"/v1/Content/{READY_SID}/ApprovalRequests"]
