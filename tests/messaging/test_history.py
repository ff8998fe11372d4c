"""Recording a conversation's past: kept as it happened, and nothing sent, answered or alerted for it."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.utils import timezone
from django_scopes import scope

from tests.conftest import make_customer
from trunkshow.customers.models import ConsentEvent, CurrentConsent
from trunkshow.messaging.models import Message, OptOut
from trunkshow.messaging.outbox import outbox_sweep
from trunkshow.messaging.services import conversation_for, message_record

NUMBER = "+12125550142"


def test_a_recorded_thread_keeps_its_times_and_statuses_and_queues_nothing(
    world: Any, django_capture_on_commit_callbacks: Any
) -> None:
    now = timezone.now()
    asked, answered, stopped = now - dt.timedelta(hours=5), now - dt.timedelta(hours=4), now - dt.timedelta(hours=3)
    with scope(store=world.a), django_capture_on_commit_callbacks(execute=True) as callbacks:
        clara = make_customer(world.a, phones=[NUMBER])
        conversation = conversation_for(store=world.a, customer=clara, channel="sms", address=NUMBER)
        record = {"store": world.a, "conversation": conversation}
        message_record(**record, direction="in", body="Is my ring ready?", at=asked)
        message_record(
            **record, direction="out", body="Yes!", at=answered, author=world.a_associate.user, status="delivered"
        )
        message_record(**record, direction="in", body="STOP", at=stopped)
    assert callbacks == []  # no task for the worker, no live event
    with scope(store=world.a):
        rows = list(Message.objects.values_list("direction", "status", "created_at", "status_at", "to_address"))
        assert rows == [
            ("in", "received", asked, asked, ""),
            ("out", "delivered", answered, answered, NUMBER),
            ("in", "received", stopped, stopped, ""),
        ]
        conversation.refresh_from_db()
        # Nobody may answer a number that opted out: the STOP leaves nobody waiting.
        assert (conversation.created_at, conversation.last_message_at, conversation.awaiting_since) == (
            asked,
            stopped,
            None,
        )
        assert conversation.first_response_seconds == 3600
        # The STOP still decides: an opt-out and withdrawn consent from when it was said, unconfirmed.
        assert list(OptOut.objects.values_list("address", "keyword", "at")) == [(NUMBER, "STOP", stopped)]
        assert sorted(
            ConsentEvent.objects.filter(method="keyword").values_list("purpose", "action", "occurred_at")
        ) == [
            ("marketing", "withdrawn", stopped),
            ("service", "withdrawn", stopped),
        ]
        assert not CurrentConsent.objects.filter(customer=clara, channel="sms", granted=True).exists()
    assert outbox_sweep(now=now + dt.timedelta(days=1)) == []


@pytest.mark.parametrize(
    ("direction", "status", "at", "problem"),
    [
        ("out", "queued", dt.timedelta(hours=-1), "a recorded out message cannot be 'queued'"),
        ("out", "sending", dt.timedelta(hours=-1), "a recorded out message cannot be 'sending'"),
        ("in", "delivered", dt.timedelta(hours=-1), "a recorded in message cannot be 'delivered'"),
        ("in", "", dt.timedelta(hours=1), "a recorded message needs an aware time in the past"),
    ],
)
def test_only_a_finished_message_from_the_past_can_be_recorded(
    world: Any, direction: str, status: str, at: dt.timedelta, problem: str
) -> None:
    with scope(store=world.a):
        clara = make_customer(world.a, phones=[NUMBER])
        conversation = conversation_for(store=world.a, customer=clara, channel="sms", address=NUMBER)
        with pytest.raises(ValueError, match=problem):
            message_record(
                store=world.a,
                conversation=conversation,
                direction=direction,
                body="Hello",
                at=timezone.now() + at,
                status=status,
            )
        assert Message.objects.count() == 0
