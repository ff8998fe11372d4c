"""The conversations API: the inbox list, a thread, replies, notes, assignment, status, retry."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.utils import timezone
from django_scopes import scope

from tests.conftest import api, make_customer
from trunkshow.messaging.channels.webchat.services import webchat_conversation_start
from trunkshow.messaging.models import Message, MessageStatus
from trunkshow.messaging.services import message_receive

NUMBER = "+12125550142"


def text_in(store: Any, captured: Any, body: str, sid: str, number: str = NUMBER) -> Message:
    with scope(store=store), captured(execute=True):
        message, _ = message_receive(
            store=store, channel="sms", from_address=number, body=body, provider="sandbox", provider_id=sid
        )
    return message


def test_list_read_reply_and_note_through_the_api(world: Any, django_capture_on_commit_callbacks: Any) -> None:
    clara = make_customer(world.a, phones=[NUMBER])
    inbound = text_in(world.a, django_capture_on_commit_callbacks, "Is it ready?", "SM1")
    client = api(world.a_associate)

    listing = client.get("/api/v1/conversations").json()
    assert listing["next_cursor"] is None
    [item] = listing["items"]
    assert item["id"] == inbound.conversation_id
    assert item["customer"] == {"id": clara.pk, "name": "Clara Customer"}
    assert (item["channel"], item["status"], item["preview"], item["unread"]) == ("sms", "open", "Is it ready?", 1)
    assert item["response"]["state"] == "waiting"

    with django_capture_on_commit_callbacks(execute=True):
        sent = client.post(
            f"/api/v1/conversations/{item['id']}/messages",
            {"body": "Yes, come any time."},
            content_type="application/json",
        )
    assert sent.status_code == 201
    assert sent.json()["status"] == "queued"  # the answer is given before the worker runs
    note = client.post(
        f"/api/v1/conversations/{item['id']}/messages",
        {"body": "Gift wrap it", "kind": "note"},
        content_type="application/json",
    )
    assert note.status_code == 201

    thread = client.get(f"/api/v1/conversations/{item['id']}").json()
    assert [(m["direction"], m["body"], m["status"]) for m in thread["messages"]] == [
        ("in", "Is it ready?", "received"),
        ("out", "Yes, come any time.", "sent"),
        ("note", "Gift wrap it", "sent"),
    ]
    assert thread["unread"] == 0
    assert thread["response"]["state"] == ""
    after = client.get(f"/api/v1/conversations/{item['id']}/messages?after={thread['messages'][1]['id']}").json()
    assert [m["body"] for m in after] == ["Gift wrap it"]


@pytest.mark.parametrize(
    ("payload", "field", "message"),
    [
        ({"body": ""}, "body", "Write a message first."),
        (
            {"body": "x" * 6000},
            "body",
            "A text message can be at most 1,600 characters; this one has 6,000. Shorten it or send it in parts.",
        ),
        # A paste of any size up to the request's limit is told the channel's limit, not a schema's.
        (
            {"body": "x" * 102_400},
            "body",
            "A text message can be at most 1,600 characters; this one has 102,400. Shorten it or send it in parts.",
        ),
        (
            {"body": "x" * 102_400, "kind": "note"},
            "body",
            "A note can be at most 5,000 characters; this one has 102,400.",
        ),
        (
            {"body": "x" * 1601},
            "body",
            "A text message can be at most 1,600 characters; this one has 1,601. Shorten it or send it in parts.",
        ),
        (
            {"body": "Hi {first_name}"},
            "body",
            "Fill in {first_name} before sending: the customer would see it as typed.",
        ),
        ({"body": "Hi", "channel": "email"}, "channel", "The customer has not agreed to be contacted by email."),
    ],
)
def test_a_bad_message_gets_a_400_naming_the_field_and_nothing_is_stored(
    world: Any, django_capture_on_commit_callbacks: Any, payload: dict[str, Any], field: str, message: str
) -> None:
    make_customer(world.a, phones=[NUMBER], emails=["clara@example.com"])
    inbound = text_in(world.a, django_capture_on_commit_callbacks, "Hello", "SM2")
    response = api(world.a_associate).post(
        f"/api/v1/conversations/{inbound.conversation_id}/messages", payload, content_type="application/json"
    )
    assert response.status_code == 400
    assert response.json()["error"]["fields"] == {field: [message]}
    with scope(store=world.a):
        assert Message.objects.filter(direction="out").count() == 0


def test_status_and_assignment_through_the_api(world: Any, django_capture_on_commit_callbacks: Any) -> None:
    inbound = text_in(world.a, django_capture_on_commit_callbacks, "Hello", "SM3")
    cid, client = inbound.conversation_id, api(world.a_manager)
    later = (timezone.now() + dt.timedelta(hours=3)).isoformat()
    snoozed = client.post(
        f"/api/v1/conversations/{cid}/status",
        {"status": "snoozed", "snoozed_until": later},
        content_type="application/json",
    )
    assert snoozed.status_code == 200
    assert snoozed.json()["status"] == "snoozed"
    naive = client.post(
        f"/api/v1/conversations/{cid}/status",
        {"status": "snoozed", "snoozed_until": "2030-01-01T09:00:00"},
        content_type="application/json",
    )
    assert naive.status_code == 400
    assert naive.json()["error"]["fields"] == {
        "snoozed_until": ["Give the time with its zone, like 2026-12-01T09:00:00-05:00."]
    }
    assigned = client.post(
        f"/api/v1/conversations/{cid}/assign", {"assigned_to": world.a_owner.user.pk}, content_type="application/json"
    )
    assert assigned.json()["assigned_to"] == world.a_owner.user.pk
    foreign = client.post(
        f"/api/v1/conversations/{cid}/assign", {"assigned_to": world.b_owner.user.pk}, content_type="application/json"
    )
    assert foreign.status_code == 400
    assert client.get("/api/v1/conversations?status=snoozed").json()["items"][0]["id"] == cid
    assert client.get("/api/v1/conversations?status=archived").status_code == 400
    assert client.get("/api/v1/conversations?colour=red").status_code == 400


def test_failed_message_retry_through_the_api(world: Any, django_capture_on_commit_callbacks: Any) -> None:
    inbound = text_in(world.a, django_capture_on_commit_callbacks, "Hello", "SM4")
    with scope(store=world.a):
        failed = Message.objects.create(
            store=world.a,
            conversation=inbound.conversation,
            direction="out",
            channel="sms",
            body="Sorry!",
            to_address=NUMBER,
            status=MessageStatus.FAILED,
            error="Carrier refused",
        )
    with django_capture_on_commit_callbacks(execute=True):
        response = api(world.a_associate).post(f"/api/v1/messages/{failed.pk}/retry")
    assert response.status_code == 200
    failed.refresh_from_db()
    assert failed.status == MessageStatus.SENT


ENDPOINTS = [
    ("get", "/api/v1/conversations/{c}", None),
    ("get", "/api/v1/conversations/{c}/messages", None),
    ("post", "/api/v1/conversations/{c}/messages", {"body": "Hi"}),
    ("post", "/api/v1/conversations/{c}/assign", {"assigned_to": None}),
    ("post", "/api/v1/conversations/{c}/status", {"status": "closed"}),
    ("post", "/api/v1/messages/{m}/retry", None),
]


@pytest.mark.parametrize(("method", "path", "payload"), ENDPOINTS)
def test_another_stores_conversation_is_a_404_and_stays_as_it_was(
    world: Any, django_capture_on_commit_callbacks: Any, method: str, path: str, payload: Any
) -> None:
    inbound = text_in(world.b, django_capture_on_commit_callbacks, "Bonjour", "SMb", number="+33612345678")
    url = path.format(c=inbound.conversation_id, m=inbound.pk)
    client = api(world.a_owner)
    response = client.post(url, payload, content_type="application/json") if method == "post" else client.get(url)
    assert response.status_code == 404
    assert response.json()["error"]["code"] == "not_found"
    with scope(store=world.b):
        assert Message.objects.count() == 1
        assert Message.objects.get().conversation.status == "open"
    assert api(world.a_owner).get("/api/v1/conversations").json()["items"] == []


def test_without_a_token_the_api_answers_401(world: Any) -> None:
    from django.test import Client

    assert Client().get("/api/v1/conversations").status_code == 401


def test_the_api_searches_any_status_like_the_inbox(world: Any, django_capture_on_commit_callbacks: Any) -> None:
    make_customer(world.a, phones=["+19175550123"])
    locket = text_in(world.a, django_capture_on_commit_callbacks, "Is the locket engraved?", "SM60", "+19175550123")
    text_in(world.a, django_capture_on_commit_callbacks, "Opening hours?", "SM61")
    text_in(world.b, django_capture_on_commit_callbacks, "The locket, please", "SM62")
    client = api(world.a_associate)
    closed = client.post(
        f"/api/v1/conversations/{locket.conversation_id}/status", {"status": "closed"}, content_type="application/json"
    )
    assert closed.status_code == 200

    assert client.get("/api/v1/conversations?q=locket").json()["items"] == []
    found = client.get("/api/v1/conversations?status=any&q=locket").json()["items"]
    assert [(c["id"], c["status"]) for c in found] == [(locket.conversation_id, "closed")]
    by_phone = client.get("/api/v1/conversations", {"status": "any", "q": "(917) 555-0123"}).json()["items"]
    assert [c["id"] for c in by_phone] == [locket.conversation_id]
    assert len(client.get("/api/v1/conversations?status=any").json()["items"]) == 2


def test_a_long_web_chat_reply_is_told_the_web_chat_limit_and_a_body_past_the_request_limit_gets_413(
    world: Any, django_capture_on_commit_callbacks: Any, settings: Any
) -> None:
    with scope(store=world.a), django_capture_on_commit_callbacks(execute=True):
        chat, _message, _token = webchat_conversation_start(store=world.a, body="Do you resize rings?")
    client = api(world.a_associate)
    url = f"/api/v1/conversations/{chat.pk}/messages"

    long = client.post(url, {"body": "x" * 102_400}, content_type="application/json")
    assert long.status_code == 400
    said = "A web chat message can be at most 5,000 characters; this one has 102,400. Shorten it or send it in parts."
    assert long.json()["error"] == {"code": "invalid", "message": said, "fields": {"body": [said]}}
    # The request's own size limit still stops a body before it is read.
    huge = client.post(url, {"body": "x" * settings.DATA_UPLOAD_MAX_MEMORY_SIZE}, content_type="application/json")
    assert huge.status_code == 413
    assert huge.json()["error"]["code"] == "too_large"
    with scope(store=world.a):
        assert Message.objects.filter(conversation=chat).count() == 1  # the visitor's, nothing more
