"""A conversation as a person expects it to behave: a mention marked on the row of the person named,
every unfilled merge field named at once, the reply channel that sticks, a snooze that ends when the
store opens."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django_scopes import scope

from tests.conftest import browser_client, make_customer
from tests.inbox.test_inbox_pages import NUMBER, _consent, _send_by, text_in
from trunkshow.messaging.models import Conversation
from trunkshow.messaging.services import message_send


def _row(html: str, conversation_id: int) -> str:
    match = re.search(rf'<li class="inbox-row[^"]*" data-conversation="{conversation_id}">.*?</li>', html, re.S)
    assert match is not None
    return match.group(0)


def test_a_mention_marks_the_row_of_the_person_named_until_they_open_the_conversation(
    world: Any, django_capture_on_commit_callbacks: Any
) -> None:
    make_customer(world.a, first_name="Clara", phones=[NUMBER])
    cid = text_in(world.a, django_capture_on_commit_callbacks, "Hello", "SMm1").conversation_id
    manager, ali = browser_client(world.a_manager), browser_client(world.a_associate)
    with django_capture_on_commit_callbacks(execute=True):
        manager.post(f"/inbox/{cid}/reply/", {"kind": "note", "body": "@Ali can you check the size?"})

    row = _row(ali.get("/inbox/").content.decode(), cid)
    assert "is-mentioned" in row
    assert '<span class="badge badge-mention">@ You</span>' in row
    # The author is not marked, nor anyone else.
    assert "badge-mention" not in _row(manager.get("/inbox/").content.decode(), cid)
    assert "badge-mention" not in _row(browser_client(world.a_owner).get("/inbox/").content.decode(), cid)

    assert ali.get(f"/inbox/{cid}/").status_code == 200  # opening it is seeing the mention
    assert "badge-mention" not in _row(ali.get("/inbox/").content.decode(), cid)


def test_the_list_with_mentions_costs_the_same_number_of_queries(
    world: Any, django_capture_on_commit_callbacks: Any, django_assert_max_num_queries: Any
) -> None:
    manager = browser_client(world.a_manager)
    for i in range(6):
        cid = text_in(
            world.a, django_capture_on_commit_callbacks, f"Hi {i}", f"SMq{i}", number=f"+1212555{i:04d}"
        ).conversation_id
        with django_capture_on_commit_callbacks(execute=True):
            manager.post(f"/inbox/{cid}/reply/", {"kind": "note", "body": "@Ali please look"})
    ali = browser_client(world.a_associate)
    with django_assert_max_num_queries(11):  # as without mentions (test_inbox_pages)
        page = ali.get("/inbox/").content.decode()
    assert page.count('<span class="badge badge-mention">') == 6


def test_a_text_with_several_unfilled_fields_names_them_all(
    world: Any, django_capture_on_commit_callbacks: Any
) -> None:
    make_customer(world.a, first_name="Clara", phones=[NUMBER])
    message = text_in(world.a, django_capture_on_commit_callbacks, "Is it ready?", "SMf1")
    with scope(store=world.a):
        conversation = Conversation.objects.get(pk=message.conversation_id)
        with pytest.raises(ValidationError) as refused:
            message_send(
                store=world.a,
                actor=world.a_associate.user,
                conversation=conversation,
                body="Your {piece} is ready, {pickup_day}. Ask for {associate} on {pickup_day}.",
            )
    assert refused.value.message_dict == {
        "body": ["Fill in {piece}, {pickup_day} and {associate} before sending: the customer would see them as typed."]
    }
    # Through the page: the one message says all of them, and the text is kept.
    client = browser_client(world.a_associate)
    client.post(
        f"/inbox/{message.conversation_id}/reply/", {"kind": "reply", "body": "Your {piece} is ready, {pickup_day}."}
    )
    page = client.get(f"/inbox/{message.conversation_id}/").content.decode()
    assert "Fill in {piece} and {pickup_day} before sending: the customer would see them as typed." in page
    assert "Your {piece} is ready, {pickup_day}.</textarea>" in page


def test_a_reply_by_email_sticks_until_the_customer_writes_again(
    world: Any, django_capture_on_commit_callbacks: Any
) -> None:
    clara = make_customer(world.a, first_name="Clara", phones=[NUMBER], emails=["clara@example.com"])
    _consent(world, clara, "email")
    cid = text_in(world.a, django_capture_on_commit_callbacks, "Is my ring ready?", "SMc1").conversation_id
    client = browser_client(world.a_associate)
    page = f"/inbox/{cid}/"
    assert _send_by(client.get(page).content.decode()) == [("sms", True), ("email", False)]

    with django_capture_on_commit_callbacks(execute=True):
        client.post(f"/inbox/{cid}/reply/", {"kind": "reply", "body": "Yes, details by email.", "channel": "email"})
    # A note after it changes nothing: it goes to no channel.
    with django_capture_on_commit_callbacks(execute=True):
        client.post(f"/inbox/{cid}/reply/", {"kind": "note", "body": "Sent the invoice too"})
    html = client.get(page).content.decode()
    assert _send_by(html) == [("sms", False), ("email", True)]
    assert '<p class="small muted">Email · ' in html
    assert '<span class="channel channel-email">Email</span>' in _row(client.get("/inbox/").content.decode(), cid)

    # She texts again: the newest message is a text, and the reply goes back by text.
    text_in(world.a, django_capture_on_commit_callbacks, "Thank you!", "SMc2")
    assert _send_by(client.get(page).content.decode()) == [("sms", True), ("email", False)]
    row = _row(client.get("/inbox/").content.decode(), cid)
    assert '<span class="channel channel-sms">Text message</span>' in row


def _snooze_default(client: Any, cid: int) -> str:
    match = re.search(
        r'id="snooze-until" name="snoozed_until" value="([^"]*)"', client.get(f"/inbox/{cid}/").content.decode()
    )
    assert match is not None
    return match.group(1)


@pytest.mark.parametrize(
    ("now", "expected"),
    [
        # Monday 23 November 2026 in New York (UTC-5).
        (dt.datetime(2026, 11, 23, 12, 0, tzinfo=dt.UTC), "2026-11-23T10:00"),  # 07:00: opens today at 10:00
        (dt.datetime(2026, 11, 23, 19, 0, tzinfo=dt.UTC), "2026-11-24T10:30"),  # 14:00, open: Tuesday's opening
        (dt.datetime(2026, 11, 24, 16, 0, tzinfo=dt.UTC), "2026-11-26T11:00"),  # Tuesday: closed Wednesday
        (dt.datetime(2026, 11, 26, 23, 30, tzinfo=dt.UTC), "2026-11-30T10:00"),  # Thursday evening: Monday
    ],
)
def test_a_snooze_defaults_to_the_stores_next_opening(
    world: Any, django_capture_on_commit_callbacks: Any, now: dt.datetime, expected: str
) -> None:
    world.a.opening_hours = {
        "mon": [["10:00", "13:00"], ["14:00", "18:00"]],
        "tue": [["10:30", "18:00"]],
        "thu": [["11:00", "18:00"]],
    }
    world.a.save()
    make_customer(world.a, phones=[NUMBER])
    with time_machine.travel(now, tick=False):
        cid = text_in(world.a, django_capture_on_commit_callbacks, "Hello", "SMs1").conversation_id
        assert _snooze_default(browser_client(world.a_associate), cid) == expected


def test_without_opening_hours_a_snooze_defaults_to_tomorrow_at_nine(
    world: Any, django_capture_on_commit_callbacks: Any
) -> None:
    world.a.opening_hours = {}
    world.a.save()
    make_customer(world.a, phones=[NUMBER])
    with time_machine.travel(dt.datetime(2026, 11, 23, 19, 0, tzinfo=dt.UTC), tick=False):
        cid = text_in(world.a, django_capture_on_commit_callbacks, "Hello", "SMs2").conversation_id
        assert _snooze_default(browser_client(world.a_associate), cid) == "2026-11-24T09:00"
