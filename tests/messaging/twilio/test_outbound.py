"""Replies by text and WhatsApp go out through the real ``twilio`` library to a fake Twilio API.

The fake sees the exact form fields Twilio documents (To, From, Body, MediaUrl, StatusCallback);
it answers errors and hangs on demand, and the outbox retries, fails or looks up as designed,
never sending one message twice.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
import time_machine
from django.test import Client
from django_scopes import scope

from tests.conftest import make_customer
from tests.messaging.twilio.conftest import (
    ACCOUNT_SID,
    PUBLIC_URL,
    STORE_A_NUMBER,
    FakeTwilio,
    basic_auth,
    hook,
    inbound_fields,
    status_fields,
)
from trunkshow.messaging import outbox
from trunkshow.messaging.models import Conversation, Message, MessageStatus
from trunkshow.messaging.services import message_send

CLARA = "+12125550142"


def customer_writes(world: Any, captured: Any, body: str = "Is the ring ready?", sender: str = CLARA) -> Conversation:
    make_customer(world.a, phones=[CLARA])
    to = f"whatsapp:{STORE_A_NUMBER}" if sender.startswith("whatsapp:") else STORE_A_NUMBER
    with captured(execute=True):
        response = hook(
            "/hooks/twilio/atelier/inbound", inbound_fields(body, sid="SM" + "a" * 32, sender=sender, to=to)
        )
    assert response.status_code == 200
    with scope(store=world.a):
        return Conversation.objects.get()


def reply(world: Any, captured: Any, conversation: Conversation, body: str = "Yes, Clara: come by today.") -> Message:
    with scope(store=world.a), captured(execute=True):
        message = message_send(store=world.a, actor=world.a_associate.user, conversation=conversation, body=body)
    message.refresh_from_db()
    return message


def deliver_when_due(world: Any, message: Message) -> Message:
    with time_machine.travel(message.next_attempt_at + dt.timedelta(seconds=1), tick=False):
        assert outbox.outbox_sweep() == [(world.a.pk, message.pk)]
        with scope(store=world.a):
            outbox.message_deliver(store=world.a, message_id=message.pk)
    message.refresh_from_db()
    return message


def test_a_text_reply_is_sent_with_twilios_documented_fields_and_a_status_callback(
    world: Any, twilio: FakeTwilio, django_capture_on_commit_callbacks: Any
) -> None:
    conversation = customer_writes(world, django_capture_on_commit_callbacks)

    message = reply(world, django_capture_on_commit_callbacks, conversation)

    assert len(twilio.posts) == 1
    sent = twilio.posts[0]
    assert sent.path == f"/2010-04-01/Accounts/{ACCOUNT_SID}/Messages.json"
    assert sent.authorization == basic_auth()
    assert sent.form == {
        "To": [CLARA],
        "From": [STORE_A_NUMBER],
        "Body": ["Yes, Clara: come by today."],
        "StatusCallback": [f"{PUBLIC_URL}/hooks/twilio/atelier/status?ref={message.reference}"],
    }
    assert (message.status, message.provider, message.attempts, message.error) == (MessageStatus.SENT, "twilio", 1, "")
    assert message.provider_id == twilio.accepted[0]["sid"]


def test_photos_go_out_as_media_urls(world: Any, twilio: FakeTwilio, django_capture_on_commit_callbacks: Any) -> None:
    conversation = customer_writes(world, django_capture_on_commit_callbacks)
    with scope(store=world.a), django_capture_on_commit_callbacks(execute=False):
        message = message_send(
            store=world.a, actor=world.a_associate.user, conversation=conversation, body="Two views of the ring."
        )
        # The photos helper puts signed, expiring URLs of the re-encoded uploads here.
        urls = [f"{PUBLIC_URL}/media/signed/1.jpg?sig=a", f"{PUBLIC_URL}/media/signed/2.jpg?sig=b"]
        Message.objects.filter(pk=message.pk).update(meta={"media_urls": urls})
        assert outbox.message_deliver(store=world.a, message_id=message.pk) == MessageStatus.SENT

    assert twilio.posts[0].form["MediaUrl"] == urls
    assert twilio.posts[0].form["Body"] == ["Two views of the ring."]
    assert twilio.accepted[0]["num_media"] == "2"


def test_a_whatsapp_reply_uses_whatsapp_addresses(
    world: Any, twilio: FakeTwilio, django_capture_on_commit_callbacks: Any
) -> None:
    conversation = customer_writes(world, django_capture_on_commit_callbacks, sender=f"whatsapp:{CLARA}")
    assert (conversation.channel, conversation.address) == ("whatsapp", CLARA)

    message = reply(world, django_capture_on_commit_callbacks, conversation)

    assert twilio.posts[0].form["To"] == [f"whatsapp:{CLARA}"]
    assert twilio.posts[0].form["From"] == [f"whatsapp:{STORE_A_NUMBER}"]
    assert (message.channel, message.to_address, message.status) == ("whatsapp", CLARA, MessageStatus.SENT)


def test_twilio_500_and_429_are_retried_with_backoff_and_the_message_goes_out_once(
    world: Any, twilio: FakeTwilio, django_capture_on_commit_callbacks: Any
) -> None:
    conversation = customer_writes(world, django_capture_on_commit_callbacks)
    twilio.plan.extend([("status", 500, 20500), ("status", 429, 20429)])

    message = reply(world, django_capture_on_commit_callbacks, conversation)
    assert (message.status, message.attempts) == (MessageStatus.QUEUED, 1)
    assert message.error == "Twilio answered 500; trying again later."

    message = deliver_when_due(world, message)
    assert (message.status, message.attempts) == (MessageStatus.QUEUED, 2)
    assert message.error == "Twilio is limiting our sending rate (429); trying again later."

    message = deliver_when_due(world, message)
    assert (message.status, message.attempts, message.error) == (MessageStatus.SENT, 3, "")
    assert len(twilio.posts) == 3
    assert len(twilio.accepted) == 1
    assert message.provider_id == twilio.accepted[0]["sid"]


def test_an_invalid_number_fails_at_once_with_the_reason(
    world: Any, twilio: FakeTwilio, django_capture_on_commit_callbacks: Any
) -> None:
    conversation = customer_writes(world, django_capture_on_commit_callbacks)
    twilio.plan.append(("status", 400, 21211))

    message = reply(world, django_capture_on_commit_callbacks, conversation)

    assert (message.status, message.attempts, message.next_attempt_at) == (MessageStatus.FAILED, 1, None)
    assert message.error == "Twilio error 21211: The number is not a valid phone number."
    assert outbox.outbox_sweep() == []
    assert twilio.accepted == []


@pytest.mark.parametrize(
    ("step", "error"),
    [
        ("hang_after_accepting", "Twilio did not answer in time; checking before sending again."),
        (
            "garble_after_accepting",
            "Twilio's answer could not be read (JSONDecodeError); checking before sending again.",
        ),
    ],
)
def test_no_answer_after_twilio_accepted_is_looked_up_and_never_sent_twice(
    world: Any, twilio: FakeTwilio, django_capture_on_commit_callbacks: Any, step: str, error: str
) -> None:
    conversation = customer_writes(world, django_capture_on_commit_callbacks)
    twilio.plan.append((step,))

    message = reply(world, django_capture_on_commit_callbacks, conversation)
    assert (message.status, message.meta.get("ambiguous"), message.error) == (MessageStatus.QUEUED, True, error)
    assert len(twilio.accepted) == 1

    message = deliver_when_due(world, message)

    assert (message.status, message.attempts) == (MessageStatus.SENT, 2)
    assert message.provider_id == twilio.accepted[0]["sid"]
    assert len(twilio.posts) == 1  # looked up, not sent again
    lookup = [r for r in twilio.requests if r.method == "GET"]
    assert [(r.query["To"], r.query["From"]) for r in lookup] == [([CLARA], [STORE_A_NUMBER])]


def _report(record: dict[str, Any], form: dict[str, list[str]], state: str) -> Any:
    """Twilio's status callback for an accepted message, to the address the send gave it."""
    path = form["StatusCallback"][0].removeprefix(PUBLIC_URL)
    return hook(path, status_fields(record["sid"], state, to=record["to"]))


def test_a_status_report_that_overtakes_twilios_answer_is_kept(
    transactional_db: Any, world: Any, twilio: FakeTwilio
) -> None:
    """Twilio reports "delivered" while the worker still waits for the answer to its send.

    Real commits (``transactional_db``): the report is handled on the fake's own thread and
    connection, between the worker's claim and its write of the result.
    """
    make_customer(world.a, phones=[CLARA])
    hook("/hooks/twilio/atelier/inbound", inbound_fields("Is it ready?", sid="SM" + "a" * 32, sender=CLARA))
    answers: list[int] = []
    twilio.before_answer = lambda record, form: answers.append(_report(record, form, "delivered").status_code)

    with scope(store=world.a):
        conversation = Conversation.objects.get()
        message = message_send(store=world.a, actor=None, conversation=conversation, body="Yes, come by.")
    message.refresh_from_db()

    assert answers == [200]
    assert (message.status, message.provider_id) == (MessageStatus.DELIVERED, twilio.accepted[0]["sid"])
    assert (message.attempts, message.next_attempt_at, message.error) == (1, None, "")
    assert message.sent_at is not None
    assert len(twilio.posts) == 1


def _timed_out_reply(world: Any, twilio: FakeTwilio, captured: Any) -> Message:
    """A reply Twilio took but did not answer in time: queued again, without a sid."""
    conversation = customer_writes(world, captured)
    twilio.plan.append(("hang_after_accepting",))
    message = reply(world, captured, conversation)
    assert (message.status, message.provider_id) == (MessageStatus.QUEUED, "")
    return message


def test_a_status_report_after_a_timed_out_send_finds_its_message_and_nothing_is_sent_again(
    world: Any, twilio: FakeTwilio, django_capture_on_commit_callbacks: Any
) -> None:
    message = _timed_out_reply(world, twilio, django_capture_on_commit_callbacks)

    response = _report(twilio.accepted[0], twilio.posts[0].form, "delivered")

    assert response.status_code == 200
    message.refresh_from_db()
    assert (message.status, message.provider_id) == (MessageStatus.DELIVERED, twilio.accepted[0]["sid"])
    with time_machine.travel(message.next_attempt_at + dt.timedelta(seconds=1), tick=False):
        assert outbox.outbox_sweep() == []
        with scope(store=world.a):
            assert outbox.message_deliver(store=world.a, message_id=message.pk) == ""
    assert len(twilio.posts) == 1


def test_a_status_report_naming_another_reference_or_a_forged_one_changes_nothing(
    world: Any, twilio: FakeTwilio, django_capture_on_commit_callbacks: Any
) -> None:
    message = _timed_out_reply(world, twilio, django_capture_on_commit_callbacks)
    record, form = twilio.accepted[0], twilio.posts[0].form

    for ref in ["not-a-uuid", "00000000-0000-4000-8000-000000000000"]:
        path = f"/hooks/twilio/atelier/status?ref={ref}"
        assert hook(path, status_fields(record["sid"], "delivered", to=CLARA)).status_code == 200
    # The real address, but signed for another reference: refused before anything is read.
    signed_for = f"{PUBLIC_URL}/hooks/twilio/atelier/status?ref=00000000-0000-4000-8000-000000000000"
    forged = hook(
        form["StatusCallback"][0].removeprefix(PUBLIC_URL),
        status_fields(record["sid"], "failed", to=CLARA),
        signed_url=signed_for,
    )

    assert forged.status_code == 403
    message.refresh_from_db()
    assert (message.status, message.provider_id) == (MessageStatus.QUEUED, "")


def test_a_timeout_before_twilio_accepted_is_looked_up_then_sent_once(
    world: Any, twilio: FakeTwilio, django_capture_on_commit_callbacks: Any
) -> None:
    conversation = customer_writes(world, django_capture_on_commit_callbacks)
    twilio.plan.append(("hang_before_accepting",))

    message = reply(world, django_capture_on_commit_callbacks, conversation)
    assert message.status == MessageStatus.QUEUED
    assert twilio.accepted == []

    message = deliver_when_due(world, message)

    assert (message.status, message.attempts) == (MessageStatus.SENT, 2)
    assert len(twilio.posts) == 2
    assert len(twilio.accepted) == 1
    assert message.provider_id == twilio.accepted[0]["sid"]


def test_an_unreachable_twilio_is_a_transient_failure(
    world: Any, twilio: FakeTwilio, settings: Any, django_capture_on_commit_callbacks: Any
) -> None:
    conversation = customer_writes(world, django_capture_on_commit_callbacks)
    settings.TWILIO_API_BASE = "http://127.0.0.1:9"  # discard port: nothing listens

    message = reply(world, django_capture_on_commit_callbacks, conversation)

    assert (message.status, message.attempts) == (MessageStatus.QUEUED, 1)
    assert message.error == "Twilio could not be reached (NewConnectionError)."
    assert not message.meta.get("ambiguous")


def test_without_twilio_keys_the_sandbox_records_the_reply(
    world: Any, fake_twilio: FakeTwilio, django_capture_on_commit_callbacks: Any
) -> None:
    customer = make_customer(world.a, phones=[CLARA])
    from trunkshow.messaging.services import message_receive

    with scope(store=world.a), django_capture_on_commit_callbacks(execute=True):
        inbound, _created = message_receive(
            store=world.a, channel="sms", from_address=CLARA, body="Hi", provider="sandbox", provider_id="SB1"
        )
    message = reply(world, django_capture_on_commit_callbacks, inbound.conversation)

    assert (message.status, message.provider) == (MessageStatus.SENT, "sandbox")
    assert message.provider_id == "SB" + str(message.reference).replace("-", "")
    assert customer.pk == inbound.conversation.customer_id
    assert fake_twilio.requests == []


def test_whatsapps_refusal_outside_its_window_fails_the_reply_with_the_reason_in_the_thread(
    world: Any, twilio: FakeTwilio, django_capture_on_commit_callbacks: Any
) -> None:
    """Our clock says the 24 hours are not over; WhatsApp's (ahead of ours) says they are: Twilio
    refuses the free text with 63016, and the thread says why instead of retrying."""
    conversation = customer_writes(world, django_capture_on_commit_callbacks, sender=f"whatsapp:{CLARA}")
    twilio.plan.append(("status", 400, 63016))

    message = reply(world, django_capture_on_commit_callbacks, conversation)

    assert (message.status, message.attempts, message.next_attempt_at) == (MessageStatus.FAILED, 1, None)
    reason = (
        "Twilio error 63016: WhatsApp allows only an approved template outside the 24-hour window after the "
        "customer's last message."
    )
    assert message.error == reason
    assert outbox.outbox_sweep() == []
    client = Client()
    client.force_login(world.a_associate.user)
    thread = client.get(f"/inbox/{conversation.pk}/").content.decode()
    assert "WhatsApp allows only an approved template outside the 24-hour window" in thread
