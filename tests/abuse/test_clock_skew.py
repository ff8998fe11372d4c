"""A clock 5 minutes off (RELIABILITY.md, faults): web processes and the worker whose clocks disagree.

Each test plays two processes of one deployment: one writes a time, the other compares it with
its own. A process's clock is moved with time_machine (Python's clock only); the database's clock
is the real one, on SQLite as on PostgreSQL, and it is the house clock every process reads
(``core.clock``, ADR 0015). A process measures its offset from the database when it starts.
"""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
import time_machine
from django.conf import settings
from django.core.exceptions import ValidationError
from django.test import Client, override_settings
from django_scopes import scope, scopes_disabled
from PIL import Image

from tests.conftest import World, api, make_customer
from tests.messaging.test_outbox import email_thread
from tests.messaging.test_whatsapp_templates import whatsapp_conversation
from trunkshow.core import clock
from trunkshow.inbox.models import OverdueAlert
from trunkshow.inbox.services import conversation_status_set, inbox_tick
from trunkshow.messaging import outbox
from trunkshow.messaging.attachments import PROVIDER_MINUTES, signed_url_for
from trunkshow.messaging.models import Attachment, Conversation, Message, MessageStatus
from trunkshow.messaging.photos import photo_prepare
from trunkshow.messaging.services import message_receive, message_send, note_add

SKEW = dt.timedelta(minutes=5)
CLARA = "+12125550142"


@pytest.fixture(autouse=True)
def house_clock() -> Iterator[None]:
    """The production clock: the database's (tests/conftest.py turns it off for the other tests)."""
    clock.from_database = True
    clock.forget()
    yield
    clock.from_database = False
    clock.forget()


@contextmanager
def process(skew: dt.timedelta) -> Iterator[None]:
    """Run as a process whose clock is ``skew`` off the database's (it measures its offset on first use)."""
    real = dt.datetime.now(dt.UTC)
    with time_machine.travel(real + skew, tick=True):
        clock.forget()
        yield
    clock.forget()


def database_now() -> dt.datetime:
    clock.forget()
    return clock.now()  # outside ``process``: this test process's clock is right


def text_in(world: World, captured: Any, body: str = "Is my ring ready?", n: int = 1) -> Message:
    with scope(store=world.a), captured(execute=True):
        message, _created = message_receive(
            store=world.a, channel="sms", from_address=CLARA, body=body, provider="sandbox", provider_id=f"SM-{n}"
        )
    return message


def reply(world: World, captured: Any, conversation: Conversation, body: str = "Yes, Clara: it is here.") -> Message:
    with scope(store=world.a), captured(execute=True):
        return message_send(store=world.a, actor=world.a_associate.user, conversation=conversation, body=body)


def fresh(conversation: Conversation, world: World) -> Conversation:
    with scope(store=world.a):
        return Conversation.objects.get(pk=conversation.pk)


# ---- the thread and the first response ------------------------------------------------------------

# (clock of the process that took the customer's text, clock of the one that sent the reply)
PAIRS = [(SKEW, dt.timedelta(0)), (-SKEW, dt.timedelta(0)), (dt.timedelta(0), SKEW), (dt.timedelta(0), -SKEW)]


@pytest.mark.parametrize(("inbound_skew", "reply_skew"), PAIRS)
def test_a_reply_shows_under_the_text_it_answers_and_its_response_time_is_true(
    world: World, django_capture_on_commit_callbacks: Any, inbound_skew: dt.timedelta, reply_skew: dt.timedelta
) -> None:
    make_customer(world.a, first_name="Clara", phones=[CLARA])
    with process(inbound_skew):
        inbound = text_in(world, django_capture_on_commit_callbacks)
    with process(reply_skew):
        answer = reply(world, django_capture_on_commit_callbacks, inbound.conversation)
    with process(inbound_skew):
        later = text_in(world, django_capture_on_commit_callbacks, "Thank you!", n=2)

    thread = api(world.a_associate).get(f"/api/v1/conversations/{inbound.conversation.pk}/messages").json()
    assert [(m["id"], m["body"]) for m in thread] == [
        (inbound.pk, "Is my ring ready?"),
        (answer.pk, "Yes, Clara: it is here."),
        (later.pk, "Thank you!"),
    ]
    # Answered within a second or two of real time: not 5 minutes, whichever clock was off.
    conversation = fresh(inbound.conversation, world)
    assert conversation.first_response_seconds is not None
    assert conversation.first_response_seconds <= 2
    assert [m["created_at"] for m in thread] == sorted(m["created_at"] for m in thread)


@pytest.mark.parametrize("web_skew", [SKEW, -SKEW])
def test_a_customer_who_just_wrote_is_not_shown_as_waiting_for_minutes(
    world: World, django_capture_on_commit_callbacks: Any, web_skew: dt.timedelta
) -> None:
    make_customer(world.a, first_name="Clara", phones=[CLARA])
    inbound = text_in(world, django_capture_on_commit_callbacks)

    with process(web_skew):
        page = api(world.a_associate).get("/api/v1/conversations").json()
    [row] = [item for item in page["items"] if item["id"] == inbound.conversation_id]
    assert row["response"]["state"] == "waiting"
    assert row["response"]["waiting_minutes"] == 0


def test_a_worker_5_minutes_ahead_does_not_tell_managers_a_fresh_text_is_overdue(
    world: World, django_capture_on_commit_callbacks: Any
) -> None:
    make_customer(world.a, first_name="Clara", phones=[CLARA])
    inbound = text_in(world, django_capture_on_commit_callbacks)

    with process(SKEW + dt.timedelta(seconds=30)):  # the 5-minute target is past by this worker's clock
        assert inbox_tick() == {"woken": 0, "alerted": 0}
    with scopes_disabled():
        assert not OverdueAlert.objects.filter(conversation_id=inbound.conversation_id).exists()


def test_a_worker_5_minutes_behind_tells_managers_when_the_target_is_past(
    world: World, django_capture_on_commit_callbacks: Any
) -> None:
    make_customer(world.a, first_name="Clara", phones=[CLARA])
    inbound = text_in(world, django_capture_on_commit_callbacks)
    six_minutes_ago = database_now() - dt.timedelta(minutes=6)
    with scopes_disabled():
        Conversation.objects.filter(pk=inbound.conversation_id).update(awaiting_since=six_minutes_ago)

    with process(-SKEW):
        assert inbox_tick() == {"woken": 0, "alerted": 1}
    with scopes_disabled():
        alert = OverdueAlert.objects.get(conversation_id=inbound.conversation_id)
    assert alert.awaiting_since == six_minutes_ago


# ---- snoozing -----------------------------------------------------------------------------------


@pytest.mark.parametrize("worker_skew", [SKEW, -SKEW])
def test_a_snooze_ends_at_its_time_by_the_house_clock_not_the_workers(
    world: World, django_capture_on_commit_callbacks: Any, worker_skew: dt.timedelta
) -> None:
    make_customer(world.a, first_name="Clara", phones=[CLARA])
    conversation = text_in(world, django_capture_on_commit_callbacks).conversation
    with process(-SKEW), scope(store=world.a):  # a web process 5 minutes slow takes a snooze of 3 minutes
        until = database_now() + dt.timedelta(minutes=3)
        conversation_status_set(
            store=world.a,
            actor=world.a_associate.user,
            conversation=conversation,
            status="snoozed",
            snoozed_until=until,
        )

    with process(worker_skew):
        assert inbox_tick()["woken"] == 0
    assert fresh(conversation, world).status == "snoozed"

    with scopes_disabled():  # three minutes later, by the database's clock
        Conversation.objects.filter(pk=conversation.pk).update(snoozed_until=database_now() - dt.timedelta(seconds=1))
    with process(worker_skew):
        assert inbox_tick()["woken"] == 1
    assert fresh(conversation, world).status == "open"


# ---- the outbox ---------------------------------------------------------------------------------


def queued_reply(world: World, captured: Any, conversation: Conversation) -> Message:
    """The web process writes the reply; the task that would send it is not run (the worker will)."""
    with scope(store=world.a), captured(execute=False):
        return message_send(store=world.a, actor=world.a_associate.user, conversation=conversation, body="Yes!")


@pytest.mark.parametrize("worker_skew", [SKEW, -SKEW])
def test_a_new_reply_goes_out_at_once_whatever_the_workers_clock(
    world: World, smtp: Any, django_capture_on_commit_callbacks: Any, worker_skew: dt.timedelta
) -> None:
    message = queued_reply(
        world, django_capture_on_commit_callbacks, email_thread(world, django_capture_on_commit_callbacks)[1]
    )

    with process(worker_skew), scope(store=world.a):
        assert outbox.message_deliver(store=world.a, message_id=message.pk) == MessageStatus.SENT
    assert [m.get_content().strip() for m in smtp.messages] == ["Yes!"]


def test_a_sweep_5_minutes_ahead_leaves_a_send_in_progress_alone(
    world: World, django_capture_on_commit_callbacks: Any
) -> None:
    message = queued_reply(
        world, django_capture_on_commit_callbacks, email_thread(world, django_capture_on_commit_callbacks)[1]
    )
    with scope(store=world.a):  # a worker with a right clock has claimed it and is talking to the provider
        [claimed] = outbox._claim(world.a, message.pk, clock.now(), 1)

    with process(SKEW):
        assert outbox.outbox_sweep() == []
    with scopes_disabled():
        still = Message.objects.get(pk=message.pk)
    # Not put back as "ambiguous" for another worker to send again while this one sends it.
    assert (still.status, still.claim_token, still.meta.get("ambiguous")) == (
        MessageStatus.SENDING,
        claimed.claim_token,
        None,
    )


def test_a_sweep_5_minutes_behind_finds_a_retry_that_is_due(
    world: World, flaky_smtp: Any, django_capture_on_commit_callbacks: Any
) -> None:
    flaky_smtp.failures = 1
    conversation = email_thread(world, django_capture_on_commit_callbacks)[1]
    message = reply(world, django_capture_on_commit_callbacks, conversation, "Yes!")
    message.refresh_from_db()
    assert (message.status, message.attempts) == (MessageStatus.QUEUED, 1)
    with scopes_disabled():  # its backoff is over, by the database's clock
        Message.objects.filter(pk=message.pk).update(next_attempt_at=database_now() - dt.timedelta(seconds=1))

    with process(-SKEW):
        assert outbox.outbox_sweep() == [(world.a.pk, message.pk)]
        with scope(store=world.a):
            assert outbox.message_deliver(store=world.a, message_id=message.pk) == MessageStatus.SENT
    assert [m.get_content().strip() for m in flaky_smtp.messages] == ["Yes!"]


# ---- signed links the provider fetches --------------------------------------------------------------


@pytest.fixture
def photo_dir(tmp_path: Path) -> Iterator[Path]:
    with override_settings(ATTACHMENTS_DIR=tmp_path / "attachments"):
        yield tmp_path / "attachments"


def jpeg() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (64, 48), (200, 30, 30)).save(out, "JPEG")
    return out.getvalue()


@pytest.mark.parametrize(("signer_skew", "server_skew"), [(SKEW, -SKEW), (-SKEW, SKEW)])
def test_a_photo_link_signed_by_one_process_opens_on_another_5_minutes_apart(
    world: World, photo_dir: Path, django_capture_on_commit_callbacks: Any, signer_skew: Any, server_skew: Any
) -> None:
    conversation = text_in(world, django_capture_on_commit_callbacks).conversation
    data = jpeg()
    with scope(store=world.a):
        note = note_add(
            store=world.a,
            actor=world.a_associate.user,
            conversation=conversation,
            body="For Clara",
            photos=[photo_prepare(io.BytesIO(data), filename="ring.jpg")],
        )
        photo = Attachment.objects.get(message=note)
    with process(signer_skew):
        url = signed_url_for(photo.pk, world.a.pk, minutes=PROVIDER_MINUTES)

    with process(server_skew):
        fetched = Client().get(url.removeprefix(settings.PUBLIC_URL))
    assert fetched.status_code == 200
    assert b"".join(fetched.streaming_content) == (photo_dir / photo.file.name).read_bytes()


# ---- WhatsApp's 24 hours ------------------------------------------------------------------------


def test_a_web_process_5_minutes_slow_sends_no_free_text_whatsapp_would_refuse(
    world: World, django_capture_on_commit_callbacks: Any
) -> None:
    # The customer wrote 23 h 56 min ago: by this process's clock 23 h 51 min, by WhatsApp's maybe 24 h.
    conversation = whatsapp_conversation(
        world, django_capture_on_commit_callbacks, at=database_now() - dt.timedelta(hours=23, minutes=56)
    )

    with process(-SKEW), scope(store=world.a), pytest.raises(ValidationError) as refused:
        message_send(store=world.a, actor=world.a_associate.user, conversation=conversation, body="Yes, it is ready!")
    assert refused.value.message_dict == {
        "channel": [
            "WhatsApp allows free-form messages only within 24 hours of the customer's last message; "
            "send an approved template or use another channel."
        ]
    }
    with scopes_disabled():
        assert not Message.objects.filter(conversation=conversation, direction="out").exists()


@pytest.mark.parametrize("web_skew", [SKEW, -SKEW])
def test_free_text_still_goes_well_inside_the_window(
    world: World, django_capture_on_commit_callbacks: Any, web_skew: dt.timedelta
) -> None:
    conversation = whatsapp_conversation(
        world, django_capture_on_commit_callbacks, at=database_now() - dt.timedelta(hours=23, minutes=45)
    )

    with process(web_skew):
        message = reply(world, django_capture_on_commit_callbacks, conversation, "Yes, it is ready!")
    message.refresh_from_db()
    assert (message.channel, message.status) == ("whatsapp", MessageStatus.SENT)
