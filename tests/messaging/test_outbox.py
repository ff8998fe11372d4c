"""The outbox: a message is a row before it is sent, retried on transient failures, never sent twice."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.utils import timezone
from django_scopes import scope

from tests.conftest import browser_client, make_customer
from trunkshow.core.events import events_since
from trunkshow.messaging import outbox
from trunkshow.messaging.models import Conversation, Message, MessageStatus
from trunkshow.messaging.services import message_receive, message_send, message_status_apply, note_add


def email_thread(world: Any, captured: Any) -> tuple[Any, Conversation]:
    """Clara wrote to the store by email; the conversation is waiting for a reply."""
    customer = make_customer(world.a, emails=["clara@example.com"])
    with scope(store=world.a), captured(execute=True):
        inbound, _created = message_receive(
            store=world.a,
            channel="email",
            from_address="clara@example.com",
            body="Is the sapphire ring still available?",
            provider="email",
            provider_id="<clara-1@mail.example.com>",
            meta={"message_id": "<clara-1@mail.example.com>", "references": []},
        )
    return customer, inbound.conversation


def send(world: Any, captured: Any, conversation: Conversation, body: str = "Yes, Clara: it is here.") -> Message:
    with scope(store=world.a), captured(execute=True):
        return message_send(store=world.a, actor=world.a_associate.user, conversation=conversation, body=body)


def test_email_reply_is_sent_once_and_threads_under_the_customers_email(
    world: Any, smtp: Any, django_capture_on_commit_callbacks: Any
) -> None:
    _customer, conversation = email_thread(world, django_capture_on_commit_callbacks)

    message = send(world, django_capture_on_commit_callbacks, conversation)

    message.refresh_from_db()
    assert message.status == MessageStatus.SENT
    assert message.attempts == 1
    assert len(smtp.messages) == 1
    sent = smtp.messages[0]
    assert sent["Message-ID"] == f"<{message.reference}@localhost>"
    assert message.provider_id == sent["Message-ID"]
    assert sent["In-Reply-To"] == "<clara-1@mail.example.com>"
    assert sent["References"] == "<clara-1@mail.example.com>"
    assert sent["Subject"] == "Re: Atelier Ana"
    assert smtp.recipients == [["clara@example.com"]]
    assert sent.get_content().strip() == "Yes, Clara: it is here."


def test_a_busy_mail_server_is_retried_with_backoff_and_the_message_arrives_once(
    world: Any, flaky_smtp: Any, django_capture_on_commit_callbacks: Any
) -> None:
    flaky_smtp.failures = 2
    _customer, conversation = email_thread(world, django_capture_on_commit_callbacks)

    message = send(world, django_capture_on_commit_callbacks, conversation)
    message.refresh_from_db()
    assert message.status == MessageStatus.QUEUED
    assert message.attempts == 1
    assert message.error == "The mail server answered 451: try again later."
    first_wait = message.next_attempt_at - timezone.now()
    assert dt.timedelta(seconds=3) < first_wait <= dt.timedelta(seconds=6.25)

    # Nothing is due yet: the sweep leaves it alone.
    assert outbox.outbox_sweep() == []
    for _try in range(2):
        with time_machine.travel(message.next_attempt_at + dt.timedelta(seconds=1), tick=False):
            due = outbox.outbox_sweep()
            assert due == [(world.a.pk, message.pk)]
            with scope(store=world.a):
                outbox.message_deliver(store=world.a, message_id=message.pk)
        message.refresh_from_db()

    assert message.status == MessageStatus.SENT
    assert message.attempts == 3
    assert message.error == ""
    assert len(flaky_smtp.messages) == 1
    assert flaky_smtp.refused == 2


def test_a_mail_server_that_never_answers_fails_the_message_visibly_and_retry_requeues_it(
    world: Any, dead_smtp: Any, django_capture_on_commit_callbacks: Any
) -> None:
    _customer, conversation = email_thread(world, django_capture_on_commit_callbacks)
    message = send(world, django_capture_on_commit_callbacks, conversation)

    for _try in range(outbox.MAX_ATTEMPTS - 1):
        message.refresh_from_db()
        assert message.status == MessageStatus.QUEUED
        with time_machine.travel(message.next_attempt_at + dt.timedelta(seconds=1), tick=False), scope(store=world.a):
            outbox.message_deliver(store=world.a, message_id=message.pk)

    message.refresh_from_db()
    assert message.status == MessageStatus.FAILED
    assert message.attempts == outbox.MAX_ATTEMPTS
    assert message.error == "6 tries failed. The mail server could not be reached (ConnectionRefusedError)."

    # The failure is in the thread on the customer's profile, with its reason.
    page = browser_client(world.a_associate).get(f"/customers/{conversation.customer_id}/")
    assert "Not sent: 6 tries failed." in page.content.decode()

    with scope(store=world.a), django_capture_on_commit_callbacks(execute=True):
        outbox.message_retry(store=world.a, actor=world.a_associate.user, message=message)
    message.refresh_from_db()
    assert (message.status, message.attempts) == (MessageStatus.QUEUED, 1)  # retried at once, still no server


def test_a_refused_address_fails_at_once_without_retries(
    world: Any, smtp: Any, django_capture_on_commit_callbacks: Any
) -> None:
    async def refuse(server: Any, session: Any, envelope: Any, address: str, rcpt_options: Any) -> str:
        return "550 5.1.1 No such user"

    smtp.handle_RCPT = refuse
    _customer, conversation = email_thread(world, django_capture_on_commit_callbacks)
    message = send(world, django_capture_on_commit_callbacks, conversation)
    message.refresh_from_db()
    assert message.status == MessageStatus.FAILED
    assert message.attempts == 1
    assert message.error == "The mail server refused the address clara@example.com."


def test_two_workers_claiming_the_same_message_send_it_once(
    world: Any, smtp: Any, django_capture_on_commit_callbacks: Any
) -> None:
    _customer, conversation = email_thread(world, django_capture_on_commit_callbacks)
    with scope(store=world.a):
        message = message_send(
            store=world.a, actor=None, conversation=conversation, body="Hello"
        )  # not committed: no task
        first = outbox.message_deliver(store=world.a, message_id=message.pk)
        second = outbox.message_deliver(store=world.a, message_id=message.pk)
    assert (first, second) == (MessageStatus.SENT, "")
    assert len(smtp.messages) == 1


def test_a_worker_killed_while_sending_is_picked_up_by_the_sweep_and_looked_up_first(
    world: Any, django_capture_on_commit_callbacks: Any
) -> None:
    customer = make_customer(world.a, phones=["+12125550142"])
    with scope(store=world.a), django_capture_on_commit_callbacks(execute=True):
        inbound, _ = message_receive(
            store=world.a,
            channel="sms",
            from_address="+12125550142",
            body="Hi",
            provider="sandbox",
            provider_id="SMin1",
        )
    conversation = inbound.conversation
    assert conversation.customer == customer
    with scope(store=world.a):
        message = message_send(store=world.a, actor=None, conversation=conversation, body="Hello Clara")
        # The worker claimed it and died before it recorded anything.
        Message.objects.filter(pk=message.pk).update(
            status=MessageStatus.SENDING, claimed_at=timezone.now(), attempts=1
        )
    with time_machine.travel(timezone.now() + outbox.CLAIM_TIMEOUT + dt.timedelta(seconds=5), tick=False):
        assert outbox.outbox_sweep() == [(world.a.pk, message.pk)]
        with scope(store=world.a):
            assert outbox.message_deliver(store=world.a, message_id=message.pk) == MessageStatus.SENT
    message.refresh_from_db()
    assert message.meta["ambiguous"] is True
    assert message.provider_id == f"SB{message.reference.hex}"


def test_status_callbacks_in_any_order_only_move_a_message_forward(
    world: Any, django_capture_on_commit_callbacks: Any
) -> None:
    make_customer(world.a, phones=["+12125550142"])
    with scope(store=world.a), django_capture_on_commit_callbacks(execute=True):
        inbound, _ = message_receive(
            store=world.a,
            channel="sms",
            from_address="+12125550142",
            body="Hi",
            provider="sandbox",
            provider_id="SMin2",
        )
        message = message_send(store=world.a, actor=None, conversation=inbound.conversation, body="Hello")
    message.refresh_from_db()
    assert message.status == MessageStatus.SENT
    with scope(store=world.a):
        message_status_apply(store=world.a, provider="sandbox", provider_id=message.provider_id, status="delivered")
        message_status_apply(store=world.a, provider="sandbox", provider_id=message.provider_id, status="sent")
        message_status_apply(store=world.a, provider="sandbox", provider_id=message.provider_id, status="queued")
    message.refresh_from_db()
    assert message.status == MessageStatus.DELIVERED


@pytest.mark.parametrize(
    ("body", "error"),
    [
        ("   ", "Write a message first."),
        (
            "x" * 100_000,
            "An email can be at most 5,000 characters; this one has 100,000. Shorten it or send it in parts.",
        ),
        (
            "Hi {first_name}, your ring is ready",
            "Fill in {first_name} before sending: the customer would see it as typed.",
        ),
        ("Hi {{ associate }}", "Fill in {{ associate }} before sending: the customer would see it as typed."),
    ],
)
def test_an_empty_huge_or_unfilled_message_is_refused_and_nothing_is_stored(
    world: Any, django_capture_on_commit_callbacks: Any, body: str, error: str
) -> None:
    _customer, conversation = email_thread(world, django_capture_on_commit_callbacks)
    with scope(store=world.a), pytest.raises(ValidationError) as refused:
        message_send(store=world.a, actor=None, conversation=conversation, body=body)
    assert refused.value.message_dict == {"body": [error]}
    with scope(store=world.a):
        assert Message.objects.filter(direction="out").count() == 0


def test_whatsapp_free_text_is_refused_outside_the_24_hour_window(
    world: Any, django_capture_on_commit_callbacks: Any
) -> None:
    make_customer(world.a, phones=["+12125550142"])
    long_ago = timezone.now() - dt.timedelta(hours=25)
    with scope(store=world.a), django_capture_on_commit_callbacks(execute=True):
        inbound, _ = message_receive(
            store=world.a,
            channel="whatsapp",
            from_address="+12125550142",
            body="Hello",
            provider="sandbox",
            provider_id="WA1",
            received_at=long_ago,
        )
    with scope(store=world.a), pytest.raises(ValidationError) as refused:
        message_send(store=world.a, actor=None, conversation=inbound.conversation, body="Are you still there?")
    assert "within 24 hours" in refused.value.message_dict["channel"][0]


def test_live_events_are_recorded_in_order_and_notes_never_reach_the_visitor_topic(
    world: Any, django_capture_on_commit_callbacks: Any
) -> None:
    _customer, conversation = email_thread(world, django_capture_on_commit_callbacks)
    with scope(store=world.a):
        note_add(store=world.a, actor=world.a_owner.user, conversation=conversation, body="VIP: offer the private room")
        events = [e for e in events_since(store=world.a, topic="store", after_id=0) if e["kind"] == "message"]
        assert len(events) == 2
        assert [e["payload"]["direction"] for e in events] == ["in", "note"]
        later = events_since(store=world.a, topic="store", after_id=events[0]["id"])
        assert [e["payload"].get("body") for e in later if e["kind"] == "message"] == ["VIP: offer the private room"]
        assert events_since(store=world.a, topic=f"conversation:{conversation.pk}", after_id=0) == []


def test_one_task_sends_a_backlog_in_one_batch_over_one_connection(
    world: Any, smtp: Any, django_capture_on_commit_callbacks: Any
) -> None:
    greetings: list[str] = []

    async def ehlo(server: Any, session: Any, envelope: Any, hostname: str, responses: list[str]) -> list[str]:
        greetings.append(hostname)
        session.host_name = hostname  # aiosmtpd leaves this to a handler that answers EHLO itself
        return responses

    smtp.handle_EHLO = ehlo
    _customer, conversation = email_thread(world, django_capture_on_commit_callbacks)
    with scope(store=world.a):
        queued = [
            message_send(store=world.a, actor=None, conversation=conversation, body=f"Piece {i}") for i in range(5)
        ]
        assert outbox.message_deliver(store=world.a, message_id=queued[2].pk) == MessageStatus.SENT
        statuses = list(Message.objects.filter(direction="out").order_by("id").values_list("status", flat=True))
    assert statuses == [MessageStatus.SENT] * 5
    assert sorted(m.get_content().strip() for m in smtp.messages) == [f"Piece {i}" for i in range(5)]
    assert len(greetings) == 1
