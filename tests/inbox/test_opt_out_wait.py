"""A question nobody answered waits again after STOP and START (ADR 0010, amended 2026-11-25): the
opt-out ended its wait, the START brings it back with the target's clock counting from the START,
and no manager hears of the opt-out's days."""

from __future__ import annotations

import datetime as dt
from typing import Any

import time_machine
from django_scopes import scope

from tests.conftest import api, browser_client, make_customer
from trunkshow.inbox.models import OverdueAlert
from trunkshow.inbox.services import inbox_tick
from trunkshow.messaging.models import Conversation, Message, Response

NUMBER = "+12125550142"
T0 = dt.datetime(2026, 11, 25, 15, 0, tzinfo=dt.UTC)  # the world's stores keep no hours: always open


def _sandbox(world: Any, captured: Any, body: str) -> None:
    with captured(execute=True):
        response = browser_client(world.a_owner).post(
            "/inbox/sandbox/", {"phone": NUMBER, "body": body, "channel": "sms"}
        )
    assert response.status_code == 302, response.content.decode()[:1000]


def _waiting(world: Any) -> list[tuple[int, str, int]]:
    items = api(world.a_owner).get("/api/v1/conversations", {"sort": "waiting"}).json()["items"]
    return [(item["id"], item["response"]["state"], item["unread"]) for item in items]


def _conversation(world: Any) -> Conversation:
    with scope(store=world.a):
        return Conversation.objects.get()


def test_after_stop_and_start_an_unanswered_question_waits_again_from_the_start(
    world: Any, django_capture_on_commit_callbacks: Any
) -> None:
    captured = django_capture_on_commit_callbacks
    make_customer(world.a, first_name="Clara", phones=[NUMBER])
    with time_machine.travel(T0, tick=False) as traveller:
        _sandbox(world, captured, "Can I pick up my bracelet on Friday?")
        pk = _conversation(world).pk
        assert _waiting(world) == [(pk, "waiting", 1)]
        traveller.shift(dt.timedelta(minutes=1))
        _sandbox(world, captured, "HELP")
        assert _waiting(world) == [(pk, "waiting", 1)]
        traveller.shift(dt.timedelta(minutes=1))
        _sandbox(world, captured, "STOP")
        assert _conversation(world).awaiting_since is None
        assert _waiting(world) == []

        # Two days opted out: nobody could answer, so nobody is told the question went past target.
        traveller.shift(dt.timedelta(days=2))
        with captured(execute=True):
            assert inbox_tick()["alerted"] == 0
        _sandbox(world, captured, "START")
        conversation = _conversation(world)
        assert (conversation.awaiting_since, conversation.reopened_at) == (T0, T0 + dt.timedelta(days=2, minutes=2))
        assert conversation.status == "open"
        # Waiting again, the question new to those who have not read it, and within the target.
        assert _waiting(world) == [(pk, "waiting", 1)]
        row = api(world.a_owner).get("/api/v1/conversations").json()["items"][0]
        assert row["response"]["due_at"] == "2026-11-27T15:07:00Z"
        with captured(execute=True):
            assert inbox_tick()["alerted"] == 0

        # Past the target counted from the START: the managers are told once, of this wait.
        traveller.shift(dt.timedelta(minutes=6))
        with captured(execute=True):
            assert inbox_tick()["alerted"] == 1
            assert inbox_tick()["alerted"] == 0
        with scope(store=world.a):
            assert list(OverdueAlert.objects.values_list("awaiting_since", flat=True)) == [
                T0 + dt.timedelta(days=2, minutes=2)
            ]

        with captured(execute=True):
            answered = browser_client(world.a_associate).post(
                f"/inbox/{pk}/reply/", {"body": "Yes, Friday from 10.", "channel": "sms"}
            )
        assert answered.status_code == 302
        with scope(store=world.a):
            assert list(Response.objects.values_list("asked_at", "clock_from", "answered_by_id")) == [
                (T0, T0 + dt.timedelta(days=2, minutes=2), world.a_associate.user.pk)
            ]
        assert _waiting(world) == []


def test_a_start_with_nothing_unanswered_starts_no_wait(world: Any, django_capture_on_commit_callbacks: Any) -> None:
    captured = django_capture_on_commit_callbacks
    make_customer(world.a, first_name="Clara", phones=[NUMBER])
    with time_machine.travel(T0, tick=False) as traveller:
        _sandbox(world, captured, "Can I pick up my bracelet on Friday?")
        pk = _conversation(world).pk
        traveller.shift(dt.timedelta(minutes=2))
        with captured(execute=True):
            browser_client(world.a_associate).post(f"/inbox/{pk}/reply/", {"body": "Yes, from 10.", "channel": "sms"})
        traveller.shift(dt.timedelta(minutes=2))
        _sandbox(world, captured, "STOP")
        traveller.shift(dt.timedelta(days=1))
        _sandbox(world, captured, "START")
        traveller.shift(dt.timedelta(hours=1))
        with captured(execute=True):
            assert inbox_tick()["alerted"] == 0
    conversation = _conversation(world)
    assert (conversation.awaiting_since, conversation.status) == (None, "open")
    assert _waiting(world) == []
    with scope(store=world.a):
        assert Message.objects.filter(direction="in").count() == 3
        assert OverdueAlert.objects.count() == 0
