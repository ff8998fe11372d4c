"""What is "new" in the inbox, per staff member: the customer's messages nobody on the staff has answered
yet that this person has not opened; never what a colleague answered, nor a closed conversation."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

from django.utils import timezone
from django_scopes import scope

from tests.conftest import api, browser_client, make_customer
from trunkshow.messaging.models import Conversation, ConversationStatus, Message
from trunkshow.messaging.services import conversation_for, message_receive, message_record, note_add

NUMBER = "+12125550142"
ANGEL = "+12125550177"


def text_in(world: Any, captured: Any, body: str, sid: str, number: str = NUMBER) -> Message:
    with scope(store=world.a), captured(execute=True):
        message, _created = message_receive(
            store=world.a,
            channel="sms",
            from_address=number,
            to_address="+15005550006",
            body=body,
            provider="sandbox",
            provider_id=sid,
        )
    return message


def reply(world: Any, captured: Any, person: Any, conversation_id: int, body: str) -> None:
    """A reply sent through the API: the person does not open the conversation's page."""
    with captured(execute=True):
        sent = api(person).post(
            f"/api/v1/conversations/{conversation_id}/messages", {"body": body}, content_type="application/json"
        )
    assert sent.status_code == 201


def badges(person: Any, query: str = "view=all&status=any") -> dict[str, str]:
    """Each row of the person's list page: the customer's name and its "new" badge ("" without one)."""
    html = browser_client(person).get(f"/inbox/?{query}").content.decode()
    rows = re.findall(r'<li class="inbox-row.*?</li>', html, re.S)
    shown = {}
    for row in rows:
        name = re.search(r'<span class="inbox-name">([^<]*)</span>', row)
        badge = re.search(r'<span class="badge badge-unread">([^<]*)</span>', row)
        assert name is not None
        shown[name.group(1)] = badge.group(1) if badge else ""
        assert ("is-unread" in row.split(">", 1)[0]) == bool(badge)
    return shown


def unread_in_api(person: Any) -> dict[int, int]:
    items = api(person).get("/api/v1/conversations?view=all&status=any").json()["items"]
    return {item["id"]: item["unread"] for item in items}


def test_the_closed_conversations_a_colleague_answered_carry_no_new_badge_for_the_owner(
    world: Any, django_capture_on_commit_callbacks: Any
) -> None:
    """Found by a new user in the demo: as the owner, every closed conversation whose last message was
    the staff's own reply ("We do, it takes about ten minutes…") carried "1 new"."""
    angel = make_customer(world.a, first_name="Ángel", last_name="Hernández", phones=[ANGEL])
    make_customer(world.a, phones=[NUMBER])
    asked = timezone.now() - dt.timedelta(days=3)
    with scope(store=world.a):
        # History, as the demo records it: asked, answered by the associate, closed; nobody opened it since.
        past = conversation_for(store=world.a, customer=angel, channel="sms", address=ANGEL)
        message_record(
            store=world.a,
            conversation=past,
            direction="in",
            body="Do you clean rings while I wait?",
            at=asked,
            provider="demo",
            provider_id="demo-past-0-0",
        )
        message_record(
            store=world.a,
            conversation=past,
            direction="out",
            at=asked + dt.timedelta(minutes=2),
            body="We do, it takes about ten minutes. Come by any time we are open.",
            author=world.a_associate.user,
            status="delivered",
            provider="demo",
            provider_id="demo-past-0-1",
        )
        Conversation.objects.filter(pk=past.pk).update(status=ConversationStatus.CLOSED)
    # And a customer who writes now, whom nobody has answered: that one is new to everyone.
    waiting = text_in(world, django_capture_on_commit_callbacks, "Is my ring resized yet?", "SM1")

    expected = {"Ángel Hernández": "", "Clara Customer": "1 new"}
    for person in (world.a_owner, world.a_manager, world.a_associate):
        assert badges(person) == expected, person.email
        assert badges(person, "view=all&status=closed") == {"Ángel Hernández": ""}, person.email
        assert unread_in_api(person) == {past.pk: 0, waiting.conversation_id: 1}, person.email


def test_a_question_a_colleague_answered_is_new_to_nobody_and_the_next_one_is_new_to_everyone(
    world: Any, django_capture_on_commit_callbacks: Any
) -> None:
    make_customer(world.a, phones=[NUMBER], assigned_associate_id=world.a_associate.user.pk)
    first = text_in(world, django_capture_on_commit_callbacks, "Is my ring resized yet?", "SM1")
    text_in(world, django_capture_on_commit_callbacks, "It's for Saturday", "SM2")
    cid = first.conversation_id
    assert badges(world.a_owner) == badges(world.a_associate) == {"Clara Customer": "2 new"}

    # A note is for the staff, not an answer: the customer still waits, and it is still new to the owner.
    with scope(store=world.a):
        note_add(store=world.a, actor=world.a_manager.user, conversation=first.conversation, body="Ali, yours?")
    assert badges(world.a_owner) == {"Clara Customer": "2 new"}

    # The associate answers without opening the page: answered, it is new to nobody, their own reply neither.
    reply(world, django_capture_on_commit_callbacks, world.a_associate, cid, "Yes, it is ready.")
    for person in (world.a_owner, world.a_manager, world.a_associate):
        assert badges(person) == {"Clara Customer": ""}, person.email
        assert unread_in_api(person) == {cid: 0}, person.email

    # Her next message is new to everyone, and only it: what was answered stays answered.
    text_in(world, django_capture_on_commit_callbacks, "Great, see you Saturday", "SM3")
    assert badges(world.a_owner) == badges(world.a_associate) == {"Clara Customer": "1 new"}
    # Read state stays each person's: the owner opens it, the associate has not.
    browser_client(world.a_owner).get(f"/inbox/{cid}/")
    assert badges(world.a_owner) == {"Clara Customer": ""}
    assert badges(world.a_associate) == {"Clara Customer": "1 new"}
    # The API's answer after an assignment or a status change counts as the list does, for the caller.
    for person, unread in ((world.a_owner, 0), (world.a_associate, 1)):
        assigned = api(person).post(
            f"/api/v1/conversations/{cid}/assign",
            {"assigned_to": world.a_associate.user.pk},
            content_type="application/json",
        )
        assert (assigned.status_code, assigned.json()["unread"]) == (200, unread), person.email
        pending = api(person).post(
            f"/api/v1/conversations/{cid}/status", {"status": "pending"}, content_type="application/json"
        )
        assert (pending.status_code, pending.json()["unread"]) == (200, unread), person.email


def test_closing_a_conversation_ends_what_was_new_in_it_and_a_new_message_is_new_alone(
    world: Any, django_capture_on_commit_callbacks: Any
) -> None:
    make_customer(world.a, phones=[NUMBER])
    thanks = text_in(world, django_capture_on_commit_callbacks, "Thank you so much!", "SM1")
    cid = thanks.conversation_id
    # Closed without an answer (nothing to answer): dealt with, new to nobody.
    browser_client(world.a_associate).post(f"/inbox/{cid}/status/", {"status": "closed"})
    assert badges(world.a_owner) == {"Clara Customer": ""}
    closed = api(world.a_owner).post(
        f"/api/v1/conversations/{cid}/status", {"status": "closed"}, content_type="application/json"
    )
    assert closed.json()["unread"] == 0

    # She writes again: the conversation reopens with her new message new, the thanks not again.
    text_in(world, django_capture_on_commit_callbacks, "Is the clasp gold?", "SM2")
    with scope(store=world.a):
        assert Conversation.objects.get(pk=cid).status == ConversationStatus.OPEN
    assert badges(world.a_owner) == badges(world.a_associate) == {"Clara Customer": "1 new"}
    assert unread_in_api(world.a_owner) == {cid: 1}


def test_the_list_still_costs_one_statement_for_its_rows_and_their_new_counts(
    world: Any, django_capture_on_commit_callbacks: Any, django_assert_max_num_queries: Any
) -> None:
    for i in range(6):
        message = text_in(world, django_capture_on_commit_callbacks, f"Hello {i}", f"SMq{i}", number=f"+1212555{i:04d}")
        if i % 2:
            reply(world, django_capture_on_commit_callbacks, world.a_associate, message.conversation_id, "Hi!")
    client = browser_client(world.a_owner)
    with django_assert_max_num_queries(11):  # as test_inbox_pages pins it: the count adds no statement
        page = client.get("/inbox/?view=all&status=any").content.decode()
    assert page.count('class="inbox-row') == 6
    assert page.count("1 new") == 3
