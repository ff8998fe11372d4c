"""A customer merge folds the customer's live conversations into one thread (ADR 0010, amended
2026-11-25): a web-chat visitor who left a known customer's phone, merged into that customer,
leaves one conversation, and the customer's next text goes there."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
import time_machine
from django_scopes import scope

from tests.conftest import api, browser_client, make_customer
from trunkshow.customers.merging import merge_differences
from trunkshow.customers.models import Customer
from trunkshow.inbox.models import Mention, OverdueAlert, ReadState
from trunkshow.inbox.selectors import conversation_unread
from trunkshow.inbox.services import conversation_read, conversation_status_set, inbox_tick
from trunkshow.messaging.channels.webchat.services import webchat_conversation_start, webchat_identify
from trunkshow.messaging.models import Conversation, ConversationStatus, Message, Response, WebchatVisitor
from trunkshow.messaging.services import message_receive, message_send, message_status_apply, note_add

ZOE = "+12125550142"
T0 = dt.datetime(2026, 11, 25, 15, 0, tzinfo=dt.UTC)  # the world's stores keep no hours: always open


def _text(world: Any, captured: Any, body: str, sid: str, sender: str = ZOE) -> Message:
    with scope(store=world.a), captured(execute=True):
        message, _created = message_receive(
            store=world.a,
            channel="sms",
            from_address=sender,
            to_address="+15005550006",
            body=body,
            provider="sandbox",
            provider_id=sid,
        )
    return message


def _story(world: Any, captured: Any, traveller: Any) -> dict[str, Any]:
    """Zoë (Ali's customer) texts and Ali answers; later a web-chat visitor leaves Zoë's phone and
    asks something, in a conversation the manager, Max, has read and an associate was @mentioned in."""
    zoe = make_customer(
        world.a, first_name="Zoë", last_name="Goldberg", phones=[ZOE], assigned_associate_id=world.a_associate.user.pk
    )
    asked = _text(world, captured, "Is my ring resized?", "SMzoe1")
    traveller.shift(dt.timedelta(minutes=3))
    with scope(store=world.a), captured(execute=True):
        thread = Conversation.objects.get(pk=asked.conversation_id)
        reply = message_send(store=world.a, actor=world.a_associate.user, conversation=thread, body="Yes, Friday.")
        conversation_read(store=world.a, user=world.a_associate.user, conversation=thread)
    traveller.shift(dt.timedelta(minutes=10))
    with scope(store=world.a), captured(execute=True):
        chat, chat_first, token = webchat_conversation_start(store=world.a, body="Hello, about my engagement ring")
        visitor = WebchatVisitor.objects.get(conversation=chat)
        webchat_identify(
            store=world.a, visitor=visitor, name="Zoe Goldberg", phone=ZOE, consent_language="en", consent=False
        )
        chat = Conversation.objects.get(pk=chat.pk)
        chat.assigned_to = world.a_manager.user
        chat.save(update_fields=["assigned_to"])
        conversation_read(store=world.a, user=world.a_manager.user, conversation=chat)
        note = note_add(store=world.a, actor=world.a_manager.user, conversation=chat, body="@Ana can you look?")
    traveller.shift(dt.timedelta(minutes=1))
    with scope(store=world.a):
        reply.refresh_from_db()
        chat.refresh_from_db()
        visitor_record = chat.customer
    return {
        "zoe": zoe,
        "visitor_record": visitor_record,
        "thread": thread,
        "chat": chat,
        "asked": asked,
        "reply": reply,
        "chat_first": chat_first,
        "note": note,
        "token": token,
    }


@pytest.fixture
def story(world: Any, django_capture_on_commit_callbacks: Any) -> Any:
    with time_machine.travel(T0, tick=False) as traveller:
        yield _story(world, django_capture_on_commit_callbacks, traveller), traveller


def _merge_by_page(world: Any, zoe: Customer, other: Customer) -> None:
    with scope(store=world.a):
        fields = [f.name for f in merge_differences(customer=zoe, other=other)]
    response = browser_client(world.a_owner).post(
        f"/customers/{zoe.pk}/merge/{other.pk}/", dict.fromkeys(fields, "kept")
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    assert response["Location"] == f"/customers/{zoe.pk}/"


def _merge_by_api(world: Any, zoe: Customer, other: Customer) -> None:
    response = api(world.a_manager).post(
        f"/api/v1/customers/{zoe.pk}/merge", {"other_id": other.pk}, content_type="application/json"
    )
    assert response.status_code == 200, response.content


def test_a_folded_conversations_page_leads_to_the_thread_that_stayed(world: Any, story: Any) -> None:
    s, _traveller = story
    _merge_by_page(world, s["zoe"], s["visitor_record"])
    gone = s["chat"].pk

    response = browser_client(world.a_manager).get(f"/inbox/{gone}/", follow=True)

    assert response.redirect_chain == [(f"/inbox/{s['thread'].pk}/", 302)]
    page = response.content.decode().replace("&#x27;", "'")
    assert "This conversation was joined to Zoë Goldberg's other one when their records were merged" in page
    # Another store's staff: the folded id is as unknown to them as any of this store's.
    assert browser_client(world.b_owner).get(f"/inbox/{gone}/").status_code == 404
    assert browser_client(world.a_manager).get("/inbox/999999/").status_code == 404


@pytest.mark.parametrize("merge", [_merge_by_page, _merge_by_api])
def test_a_merge_leaves_one_live_conversation_and_the_next_text_goes_there(
    world: Any, story: Any, django_capture_on_commit_callbacks: Any, merge: Any
) -> None:
    s, _traveller = story
    with scope(store=world.a):
        before = sorted(Message.objects.values_list("id", flat=True))
    merge(world, s["zoe"], s["visitor_record"])

    with scope(store=world.a):
        (thread,) = Conversation.objects.all()
        # Her own thread stays (its id, its associate); every message of both is in it, in arrival order.
        assert (thread.pk, thread.customer_id, thread.assigned_to_id) == (
            s["thread"].pk,
            s["zoe"].pk,
            world.a_associate.user.pk,
        )
        assert list(thread.messages.values_list("id", flat=True)) == before
        # She last wrote on the web chat: an answer goes there by default; the question there waits.
        assert (thread.channel, thread.status) == ("webchat", ConversationStatus.OPEN)
        assert thread.awaiting_since == s["chat_first"].created_at
        assert thread.last_message_preview == "Hello, about my engagement ring"
        assert thread.created_at == s["asked"].created_at
        assert WebchatVisitor.objects.get().conversation_id == thread.pk
        assert list(Response.objects.values_list("conversation_id", "answered_by_id")) == [
            (thread.pk, world.a_associate.user.pk)
        ]
        assert list(Mention.objects.values_list("conversation_id", "message_id")) == [(thread.pk, s["note"].pk)]

    # Her timeline holds the messages of both, newest first (notes are the staff's, not on it).
    timeline = api(world.a_owner).get(f"/api/v1/customers/{s['zoe'].pk}/timeline").json()["items"]
    assert [e["object_id"] for e in timeline if e["kind"] == "message"] == [
        s["chat_first"].pk,
        s["reply"].pk,
        s["asked"].pk,
    ]

    # One row in the inbox, on the page and in the API.
    rows = api(world.a_owner).get("/api/v1/conversations").json()["items"]
    assert [(r["id"], r["customer"]["id"]) for r in rows] == [(thread.pk, s["zoe"].pk)]

    # A status callback for a moved message still finds it (by the provider's id, as before).
    assert s["reply"].provider == "sandbox" and s["reply"].provider_id
    with scope(store=world.a), django_capture_on_commit_callbacks(execute=True):
        found = message_status_apply(
            store=world.a, provider="sandbox", provider_id=s["reply"].provider_id, status="delivered"
        )
    assert found is not None and (found.pk, found.status) == (s["reply"].pk, "delivered")

    # Her next text goes into her one thread, with Ali.
    later = _text(world, django_capture_on_commit_callbacks, "Also, can I pick it up Friday?", "SMzoe2")
    with scope(store=world.a):
        assert later.conversation_id == thread.pk
        assert Conversation.objects.count() == 1
        thread.refresh_from_db()
        assert (thread.channel, thread.assigned_to_id) == ("sms", world.a_associate.user.pk)
        assert thread.awaiting_since == s["chat_first"].created_at  # still the longest wait


def test_read_marks_keep_what_was_new_and_what_was_seen(world: Any, story: Any) -> None:
    s, _traveller = story
    with scope(store=world.a):
        unread_before = {
            name: conversation_unread(user=getattr(world, name).user, conversation=s["chat"])
            for name in ("a_associate", "a_manager", "a_owner")
        }
    assert unread_before == {"a_associate": 1, "a_manager": 0, "a_owner": 1}
    _merge_by_api(world, s["zoe"], s["visitor_record"])
    with scope(store=world.a):
        thread = Conversation.objects.get()
        # Ali had read her own thread only: the visitor's question is new to her. Max had read the
        # chat, and the text thread's messages are all before the wait: nothing is new to him.
        # Ana read neither: the question is new to her, as before.
        unread = {
            name: conversation_unread(user=getattr(world, name).user, conversation=thread)
            for name in ("a_associate", "a_manager", "a_owner")
        }
        assert unread == {"a_associate": 1, "a_manager": 0, "a_owner": 1}
        last = Message.objects.order_by("-id").values_list("id", flat=True).first()
        marks = dict(ReadState.objects.filter(conversation=thread).values_list("user_id", "last_read_message_id"))
        # Ali's mark is her chat one (she had read none of it); Max's is the end of both threads.
        assert marks == {world.a_associate.user.pk: 0, world.a_manager.user.pk: last}
        assert ReadState.objects.count() == 2


def test_the_surviving_customers_associate_takes_the_thread_and_alerts_are_not_repeated(
    world: Any, story: Any, django_capture_on_commit_callbacks: Any
) -> None:
    s, traveller = story
    traveller.shift(dt.timedelta(minutes=30))  # the visitor's question is past the 5-minute target
    with django_capture_on_commit_callbacks(execute=True):
        assert inbox_tick()["alerted"] == 1
    with scope(store=world.a):
        assert list(OverdueAlert.objects.values_list("conversation_id", flat=True)) == [s["chat"].pk]
    _merge_by_page(world, s["zoe"], s["visitor_record"])
    with scope(store=world.a):
        thread = Conversation.objects.get()
        assert thread.assigned_to_id == world.a_associate.user.pk
        assert list(OverdueAlert.objects.values_list("conversation_id", flat=True)) == [thread.pk]
    with django_capture_on_commit_callbacks(execute=True):
        assert inbox_tick()["alerted"] == 0  # the managers heard of this wait already


def test_a_question_answered_in_the_other_thread_before_the_merge_waits_no_more(
    world: Any, story: Any, django_capture_on_commit_callbacks: Any
) -> None:
    s, traveller = story
    question = _text(world, django_capture_on_commit_callbacks, "And do you still have the pearl studs?", "SMzoe5")
    traveller.shift(dt.timedelta(minutes=2))
    with scope(store=world.a), django_capture_on_commit_callbacks(execute=True):
        thread = Conversation.objects.get(pk=question.conversation_id)
        assert thread.awaiting_since == question.created_at  # her text waits in her own thread
        chat = Conversation.objects.get(pk=s["chat"].pk)
        message_send(store=world.a, actor=world.a_manager.user, conversation=chat, body="Yes, Zoë, we have both.")
    traveller.shift(dt.timedelta(minutes=1))

    _merge_by_api(world, s["zoe"], s["visitor_record"])

    with scope(store=world.a):
        merged = Conversation.objects.get()
        # The answer in the chat came after every question of both threads: nobody waits.
        assert (merged.awaiting_since, merged.reopened_at) == (None, None)
        assert conversation_unread(user=world.a_owner.user, conversation=merged) == 0
    rows = api(world.a_owner).get("/api/v1/conversations", {"sort": "waiting"}).json()["items"]
    assert rows == []

    # Her next question waits from when she asks it.
    traveller.shift(dt.timedelta(minutes=5))
    later = _text(world, django_capture_on_commit_callbacks, "Friday at noon?", "SMzoe6")
    with scope(store=world.a):
        merged.refresh_from_db()
        assert (later.conversation_id, merged.awaiting_since) == (merged.pk, later.created_at)


def test_a_closed_conversation_stays_apart_and_the_next_text_goes_to_the_live_one(
    world: Any, story: Any, django_capture_on_commit_callbacks: Any
) -> None:
    s, _traveller = story
    with scope(store=world.a), django_capture_on_commit_callbacks(execute=True):
        conversation_status_set(
            store=world.a, actor=world.a_owner.user, conversation=s["thread"], status=ConversationStatus.CLOSED
        )
    _merge_by_api(world, s["zoe"], s["visitor_record"])
    with scope(store=world.a):
        kept = dict(Conversation.objects.values_list("id", "status"))
    assert kept == {s["thread"].pk: "closed", s["chat"].pk: "open"}
    with scope(store=world.a):
        # The chat Max picked up, not knowing who wrote, is hers now: her associate answers it.
        assert Conversation.objects.get(pk=s["chat"].pk).assigned_to_id == world.a_associate.user.pk
    # Her own thread is closed, the chat (now hers) is live: the text goes to the live one.
    later = _text(world, django_capture_on_commit_callbacks, "Can I pick it up Friday?", "SMzoe3")
    assert later.conversation_id == s["chat"].pk
    with scope(store=world.a):
        assert Conversation.objects.get(pk=s["thread"].pk).status == "closed"


def test_a_text_finds_the_live_conversation_even_when_a_closed_one_is_newer(
    world: Any, django_capture_on_commit_callbacks: Any
) -> None:
    with time_machine.travel(T0, tick=False) as traveller:
        zoe = make_customer(world.a, first_name="Zoë", last_name="Goldberg", phones=[ZOE])
        with scope(store=world.a):
            live = Conversation.objects.create(store=world.a, customer=zoe, channel="email", last_message_at=T0)
            closed = Conversation.objects.create(
                store=world.a,
                customer=zoe,
                channel="sms",
                status=ConversationStatus.CLOSED,
                last_message_at=T0 + dt.timedelta(minutes=5),
            )
        traveller.shift(dt.timedelta(minutes=10))
        message = _text(world, django_capture_on_commit_callbacks, "Hello again", "SMzoe4")
    assert message.conversation_id == live.pk
    with scope(store=world.a):
        assert Conversation.objects.get(pk=closed.pk).status == "closed"


def test_every_relation_to_a_conversation_follows_a_fold() -> None:
    """A new model pointing at a conversation fails here until ``conversations_fold`` (or the inbox's
    hook) carries its rows to the kept thread: a fold deletes the others, and their rows with them."""
    from django.apps import apps

    relations = {
        (model._meta.label, field.name)
        for model in apps.get_models()
        for field in model._meta.get_fields()
        if field.is_relation and field.concrete and field.related_model is Conversation
    }
    assert relations == {
        ("messaging.Message", "conversation"),
        ("messaging.Response", "conversation"),
        ("messaging.WebchatVisitor", "conversation"),
        ("inbox.ReadState", "conversation"),
        ("inbox.OverdueAlert", "conversation"),
        ("inbox.Mention", "conversation"),
        ("messaging.ConversationFold", "conversation"),  # re-pointed to the kept thread in the fold
    }


def test_the_visitors_widget_keeps_its_chat_in_the_customers_thread(
    world: Any, story: Any, django_capture_on_commit_callbacks: Any
) -> None:
    from django.test import Client

    from trunkshow.messaging.channels.webchat.services import webchat_settings_update

    s, _traveller = story
    site = "https://atelier.example"
    with scope(store=world.a):
        webchat_settings_update(store=world.a, actor=None, allowed_origins=[site], reply_time_text="")
    _merge_by_api(world, s["zoe"], s["visitor_record"])
    client = Client(headers={"Origin": site, "Authorization": f"Bearer {s['token']}"})
    old = f"/widget/api/atelier/conversations/{s['chat'].pk}/messages"

    # The widget still names the folded chat: its token opens the thread now, and says which; the
    # visitor sees the web chat's messages only, never her texts.
    read = client.get(old, {"after": 0})
    assert read.status_code == 200
    assert read.json()["conversation"] == s["thread"].pk
    assert [m["body"] for m in read.json()["messages"]] == ["Hello, about my engagement ring"]
    with django_capture_on_commit_callbacks(execute=True):
        wrote = client.post(old, {"body": "Still there?"}, content_type="application/json")
    assert wrote.status_code == 201
    with scope(store=world.a):
        assert Message.objects.get(body="Still there?").conversation_id == s["thread"].pk
        other = Conversation.objects.create(store=world.a, channel="webchat")
    # A conversation that exists and is not the token's is still nobody's business.
    assert client.get(f"/widget/api/atelier/conversations/{other.pk}/messages").status_code == 404


def test_a_merge_folds_pending_and_snoozed_threads_into_the_one_that_wakes_first(
    world: Any, django_capture_on_commit_callbacks: Any
) -> None:
    from trunkshow.customers.merging import customer_merge

    with time_machine.travel(T0, tick=False):
        keep = make_customer(world.a, first_name="Zoë", last_name="Goldberg", phones=[ZOE])
        other = make_customer(world.a, first_name="Zoë", last_name="Goldberg", emails=["zoe@example.com"])
        with scope(store=world.a), django_capture_on_commit_callbacks(execute=True):
            pending = Conversation.objects.create(
                store=world.a, customer=keep, channel="sms", address=ZOE, assigned_to=world.a_associate.user
            )
            conversation_status_set(
                store=world.a, actor=world.a_owner.user, conversation=pending, status=ConversationStatus.PENDING
            )
            snoozed = Conversation.objects.create(
                store=world.a, customer=other, channel="email", address="zoe@example.com"
            )
            until = T0 + dt.timedelta(days=1)
            conversation_status_set(
                store=world.a,
                actor=world.a_owner.user,
                conversation=snoozed,
                status=ConversationStatus.SNOOZED,
                snoozed_until=until,
            )
            customer_merge(store=world.a, actor=world.a_owner.user, customer=keep, other=other, choices={})
            (thread,) = Conversation.objects.all()
    # Her own thread stays, with whoever had it (she has no associate); the snooze still wakes it.
    assert (thread.pk, thread.status, thread.snoozed_until) == (pending.pk, "snoozed", until)
    assert thread.assigned_to_id == world.a_associate.user.pk


def test_after_a_merge_each_message_of_the_other_number_says_which_number_it_was(
    world: Any, django_capture_on_commit_callbacks: Any
) -> None:
    other = "+13105550199"
    captured = django_capture_on_commit_callbacks
    with time_machine.travel(T0, tick=False) as traveller:
        zoe = make_customer(world.a, first_name="Zoë", last_name="Goldberg", phones=[ZOE])
        unknown = _text(world, captured, "Hi, it's Zoë from my work phone", "SMwork1", sender=other)
        with scope(store=world.a), captured(execute=True):
            work = Conversation.objects.get(pk=unknown.conversation_id)
            answer = message_send(store=world.a, actor=world.a_owner.user, conversation=work, body="Hello!")
        traveller.shift(dt.timedelta(minutes=5))
        own = _text(world, captured, "And from my own phone", "SMzoe9")
        with scope(store=world.a):
            texter = Conversation.objects.get(pk=unknown.conversation_id).customer
        _merge_by_api(world, zoe, texter)

    with scope(store=world.a):
        (thread,) = Conversation.objects.all()
    assert thread.address == ZOE
    listed = api(world.a_owner).get(f"/api/v1/conversations/{thread.pk}/messages").json()
    assert [(m["id"], m["other_address"]) for m in listed] == [
        (unknown.pk, other),
        (answer.pk, other),
        (own.pk, ""),
    ]
    page = browser_client(world.a_owner).get(f"/inbox/{thread.pk}/").content.decode()
    assert page.count('<span class="msg-address">from (310) 555-0199</span>') == 1
    assert page.count('<span class="msg-address">to (310) 555-0199</span>') == 1
    # Another store's staff: the plain 404.
    assert browser_client(world.b_owner).get(f"/inbox/{thread.pk}/").status_code == 404
