"""Inbound messages: a new number becomes a customer, a retried webhook is one row, keywords are obeyed."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.http import Http404
from django.utils import timezone
from django_scopes import scope

from tests.conftest import browser_client, make_customer
from trunkshow.customers.models import ConsentEvent, CurrentConsent, Customer
from trunkshow.messaging import keywords
from trunkshow.messaging.channels.registry import sandbox
from trunkshow.messaging.models import Message, MessageStatus, OptOut
from trunkshow.messaging.outbox import message_deliver
from trunkshow.messaging.selectors import conversation_get_for
from trunkshow.messaging.services import message_receive, message_send

NUMBER = "+12125550142"


def text_in(
    world: Any,
    captured: Any,
    body: str,
    sid: str,
    store: Any = None,
    number: str = NUMBER,
    at: dt.datetime | None = None,
) -> tuple[Message, bool]:
    store = store or world.a
    with scope(store=store), captured(execute=True):
        return message_receive(
            store=store,
            channel="sms",
            from_address=number,
            to_address="+15005550006",
            body=body,
            provider="sandbox",
            provider_id=sid,
            received_at=at,
        )


def test_a_text_from_an_unknown_number_starts_a_conversation_with_a_new_chat_customer(
    world: Any, django_capture_on_commit_callbacks: Any
) -> None:
    message, created = text_in(world, django_capture_on_commit_callbacks, "Do you resize rings?", "SM1")
    assert created is True
    with scope(store=world.a):
        customer = Customer.objects.get()
        assert customer.source == "chat"
        assert [p.e164 for p in customer.phones.all()] == [NUMBER]
        conversation = message.conversation
        assert (conversation.customer, conversation.channel, conversation.address) == (customer, "sms", NUMBER)
        assert conversation.last_message_preview == "Do you resize rings?"
        assert conversation.awaiting_since == message.created_at


def test_the_same_webhook_twice_stores_one_message(world: Any, django_capture_on_commit_callbacks: Any) -> None:
    first, created = text_in(world, django_capture_on_commit_callbacks, "Hello", "SM2")
    again, created_again = text_in(world, django_capture_on_commit_callbacks, "Hello", "SM2")
    assert (created, created_again) == (True, False)
    assert again.pk == first.pk
    with scope(store=world.a):
        assert Message.objects.count() == 1
        assert Customer.objects.count() == 1


def test_a_known_number_lands_in_the_customers_own_conversation(
    world: Any, django_capture_on_commit_callbacks: Any
) -> None:
    clara = make_customer(world.a, phones=[NUMBER])
    one, _ = text_in(world, django_capture_on_commit_callbacks, "Hi", "SM3")
    two, _ = text_in(world, django_capture_on_commit_callbacks, "Me again", "SM4")
    assert one.conversation.customer == clara
    assert two.conversation_id == one.conversation_id


@pytest.mark.parametrize(
    "body",
    [
        "STOP",
        "stop",
        "  Stop. ",
        "StopAll!",
        "unsubscribe",
        "Cancel",
        "END",
        "quit",
        "REVOKE",
        "optout",
        "Please stop texting me",
    ],
)
def test_opt_out_words_withdraw_consent_confirm_once_and_block_every_send(
    world: Any, django_capture_on_commit_callbacks: Any, body: str
) -> None:
    clara = make_customer(world.a, phones=[NUMBER])
    first, _ = text_in(world, django_capture_on_commit_callbacks, "Hi there", "SM5")
    with scope(store=world.a):
        # Still in the outbox when the STOP arrives: its task has not run (the test's transaction never commits).
        queued = message_send(
            store=world.a, actor=None, conversation=first.conversation, body="Our trunk show is Friday"
        )

    text_in(world, django_capture_on_commit_callbacks, body, "SM6")

    with scope(store=world.a):
        assert OptOut.objects.filter(channel="sms", address=NUMBER).count() == 1
        withdrawn = ConsentEvent.objects.filter(customer=clara, action="withdrawn")
        assert sorted((e.channel, e.purpose, e.method, e.evidence_text) for e in withdrawn) == [
            ("sms", "marketing", "keyword", body),
            ("sms", "service", "keyword", body),
        ]
        assert set(CurrentConsent.objects.filter(customer=clara).values_list("purpose", "granted")) == {
            ("marketing", False),
            ("service", False),
        }
        queued.refresh_from_db()
        assert (queued.status, queued.error) == (MessageStatus.FAILED, "The customer opted out.")
        confirmations = Message.objects.filter(meta__system="opt_out_confirmation")
        assert [(m.status, m.to_address) for m in confirmations] == [(MessageStatus.SENT, NUMBER)]
        assert confirmations[0].body == (
            "Atelier Ana: you are unsubscribed and will receive no more messages. Reply START to resubscribe."
        )
        with pytest.raises(ValidationError) as refused:
            message_send(store=world.a, actor=None, conversation=first.conversation, body="Are you sure?")
        assert "opted out of text messages" in refused.value.message_dict["channel"][0]
        # A send queued by any other path is refused by the outbox itself, before the provider.
        sneaky = Message.objects.create(
            store=world.a,
            conversation=first.conversation,
            direction="out",
            channel="sms",
            body="Sale!",
            to_address=NUMBER,
            status=MessageStatus.QUEUED,
        )
        assert message_deliver(store=world.a, message_id=sneaky.pk) == MessageStatus.FAILED
        assert sandbox().lookup(str(sneaky.reference)) is None


@pytest.mark.parametrize(
    "body", ["Don't stop the engraving", "stop by tomorrow?", "STOP STOP", "I will end up buying it"]
)
def test_a_sentence_containing_a_keyword_is_not_an_opt_out(
    world: Any, django_capture_on_commit_callbacks: Any, body: str
) -> None:
    text_in(world, django_capture_on_commit_callbacks, body, "SM7")
    with scope(store=world.a):
        assert OptOut.objects.count() == 0
        assert ConsentEvent.objects.count() == 0


def test_start_resubscribes_and_help_answers_with_the_stores_name(
    world: Any, django_capture_on_commit_callbacks: Any
) -> None:
    world.a.address_line1, world.a.city = "12 Gem Street", "New York"
    world.a.save()
    text_in(world, django_capture_on_commit_callbacks, "STOP", "SM8")
    text_in(world, django_capture_on_commit_callbacks, "Start", "SM9")
    _help_in, _ = text_in(world, django_capture_on_commit_callbacks, "help?", "SM10")
    with scope(store=world.a):
        assert OptOut.objects.count() == 0
        # A number that never agreed to anything: START lifts the opt-out and asks for service
        # texts; it is no consent to marketing.
        assert set(CurrentConsent.objects.values_list("purpose", "granted")) == {
            ("marketing", False),
            ("service", True),
        }
        replies = list(Message.objects.filter(direction="out").order_by("id").values_list("body", "status"))
    assert replies[-1] == ("Atelier Ana: 12 Gem Street, New York. Reply STOP to unsubscribe.", "sent")
    assert replies[-2][0].startswith("Atelier Ana: you are subscribed again. Msg & data rates may apply.")


def test_help_names_the_email_address_that_reaches_the_store_when_there_is_one(
    world: Any, django_capture_on_commit_callbacks: Any, settings: Any
) -> None:
    settings.INBOUND_EMAIL_DOMAIN = "in.atelier.example.com"
    world.a.address_line1, world.a.city = "12 Gem Street", "New York"
    world.a.save()
    text_in(world, django_capture_on_commit_callbacks, "HELP", "SM11")
    with scope(store=world.a):
        (reply,) = Message.objects.filter(direction="out").values_list("body", flat=True)
    assert reply == (
        f"Atelier Ana: 12 Gem Street, New York; email {world.a.slug}@in.atelier.example.com. Reply STOP to unsubscribe."
    )


def test_help_from_a_number_that_opted_out_is_not_answered_nor_left_failed_in_the_thread(
    world: Any, django_capture_on_commit_callbacks: Any
) -> None:
    text_in(world, django_capture_on_commit_callbacks, "STOP", "SM8")
    text_in(world, django_capture_on_commit_callbacks, "HELP", "SM9")
    with scope(store=world.a):
        replies = list(Message.objects.filter(direction="out").values_list("body", "status"))
        assert OptOut.objects.count() == 1
    assert len(replies) == 1 and replies[0][0].startswith("Atelier Ana: you are unsubscribed")  # the STOP's only


def test_stop_to_one_store_does_not_touch_another(world: Any, django_capture_on_commit_callbacks: Any) -> None:
    text_in(world, django_capture_on_commit_callbacks, "Bonjour", "SM11", store=world.b)
    text_in(world, django_capture_on_commit_callbacks, "STOP", "SM12", store=world.a)
    with scope(store=world.b):
        assert OptOut.objects.count() == 0
    with scope(store=world.a):
        assert OptOut.objects.count() == 1


def test_another_stores_conversation_is_not_found(world: Any, django_capture_on_commit_callbacks: Any) -> None:
    message, _ = text_in(world, django_capture_on_commit_callbacks, "Hi", "SM13", store=world.b)
    with scope(store=world.a), pytest.raises(Http404):
        conversation_get_for(store=world.a, conversation_id=message.conversation_id)


def test_messages_appear_on_the_customers_timeline_as_text(world: Any, django_capture_on_commit_callbacks: Any) -> None:
    clara = make_customer(world.a, phones=[NUMBER])
    text_in(world, django_capture_on_commit_callbacks, "<img src=x onerror=alert(1)> is it gold?", "SM14")
    page = browser_client(world.a_associate).get(f"/customers/{clara.pk}/").content.decode()
    assert "Message received · Text message" in page
    assert "&lt;img src=x onerror=alert(1)&gt; is it gold?" in page
    assert "<img src=x" not in page


def test_a_switch_of_channel_shows_on_the_timeline(world: Any, django_capture_on_commit_callbacks: Any) -> None:
    clara = make_customer(world.a, phones=[NUMBER], emails=["clara@example.com"])
    text_in(world, django_capture_on_commit_callbacks, "Hi by text", "SM20")
    with scope(store=world.a), django_capture_on_commit_callbacks(execute=True):
        message_receive(
            store=world.a,
            channel="email",
            from_address="clara@example.com",
            body="And by email",
            provider="email",
            provider_id="<x@example.com>",
        )
    page = browser_client(world.a_associate).get(f"/customers/{clara.pk}/").content.decode()
    assert page.count("Switched to Email") == 1


def test_erasure_takes_the_conversations_and_the_erased_number_is_never_texted_again(
    world: Any, django_capture_on_commit_callbacks: Any
) -> None:
    from trunkshow.core.models import LiveEvent
    from trunkshow.customers.privacy import customer_data, customer_erase
    from trunkshow.messaging.models import Conversation, ProviderEvent

    clara = make_customer(world.a, phones=[NUMBER])
    first, _ = text_in(world, django_capture_on_commit_callbacks, "My ring size is 6, my address is 5 Elm St", "SM30")
    text_in(world, django_capture_on_commit_callbacks, "STOP", "SM31")
    with scope(store=world.a):
        ProviderEvent.objects.create(
            store=world.a, provider="sandbox", event_id="SM30", kind="inbound", payload={"Body": "x"}
        )
        exported = customer_data(customer=Customer.objects.get(pk=clara.pk))
        assert [m["body"] for m in exported["conversations"][0]["messages"]][:2] == [
            "My ring size is 6, my address is 5 Elm St",
            "STOP",
        ]
        with django_capture_on_commit_callbacks(execute=True):
            customer_erase(store=world.a, actor=world.a_owner.user, customer=clara)
        assert Conversation.objects.count() == 0
        assert Message.objects.count() == 0
        assert OptOut.objects.count() == 0
        assert ProviderEvent.objects.count() == 0
        assert not LiveEvent.objects.filter(payload__conversation=first.conversation_id).exists()

    # The number writes again: a new chat customer, but nothing is ever sent back to it.
    again, _ = text_in(world, django_capture_on_commit_callbacks, "Hello?", "SM32")
    with scope(store=world.a):
        sneaky = Message.objects.create(
            store=world.a,
            conversation=again.conversation,
            direction="out",
            channel="sms",
            body="Welcome back!",
            to_address=NUMBER,
            status=MessageStatus.QUEUED,
        )
        assert message_deliver(store=world.a, message_id=sneaky.pk) == MessageStatus.FAILED
        sneaky.refresh_from_db()
        assert sneaky.error == "The customer's data was erased."


def _conversation(world: Any) -> Any:
    from trunkshow.messaging.models import Conversation

    with scope(store=world.a):
        return Conversation.objects.get()


@pytest.mark.parametrize("body", ["STOP", "stopall", "UNSUBSCRIBE", "Please stop texting me"])
def test_a_stop_leaves_nobody_waiting_and_alerts_no_manager(
    world: Any, django_capture_on_commit_callbacks: Any, body: str
) -> None:
    from trunkshow.inbox.models import OverdueAlert
    from trunkshow.inbox.services import inbox_tick

    make_customer(world.a, phones=[NUMBER])
    an_hour_ago = timezone.now() - dt.timedelta(hours=1)
    text_in(world, django_capture_on_commit_callbacks, "Do you resize rings?", "SM40", at=an_hour_ago)
    text_in(world, django_capture_on_commit_callbacks, body, "SM41", at=an_hour_ago + dt.timedelta(minutes=1))

    conversation = _conversation(world)
    # Staff may not answer an opted-out number: nothing is waiting for them, and the confirmation
    # is no response of theirs.
    assert (conversation.awaiting_since, conversation.first_response_seconds) == (None, None)
    html = browser_client(world.a_owner).get("/inbox/").content.decode()
    assert html.count('class="inbox-row') == 1
    assert not _waiting_mark(html)
    assert not _waiting_mark(browser_client(world.a_owner).get(f"/inbox/{conversation.pk}/").content.decode())
    with django_capture_on_commit_callbacks(execute=True):
        assert inbox_tick()["alerted"] == 0
    with scope(store=world.a):
        assert OverdueAlert.objects.count() == 0


def test_help_and_start_answered_automatically_start_no_wait_but_an_earlier_question_still_waits(
    world: Any, django_capture_on_commit_callbacks: Any
) -> None:
    make_customer(world.a, phones=[NUMBER])
    text_in(world, django_capture_on_commit_callbacks, "STOP", "SM42")
    text_in(world, django_capture_on_commit_callbacks, "START", "SM43")
    text_in(world, django_capture_on_commit_callbacks, "HELP", "SM44")
    assert _conversation(world).awaiting_since is None

    asked, _ = text_in(world, django_capture_on_commit_callbacks, "Is the clasp gold?", "SM45")
    text_in(world, django_capture_on_commit_callbacks, "info", "SM46")
    conversation = _conversation(world)
    assert (conversation.awaiting_since, conversation.first_response_seconds) == (asked.created_at, None)
    with scope(store=world.a):
        automatic = list(Message.objects.filter(direction="out").values_list("meta__system", flat=True))
    assert automatic == ["opt_out_confirmation", "auto_reply", "auto_reply", "auto_reply"]


@pytest.mark.parametrize(
    ("first", "again"),
    [
        ("STOP", "STOP"),
        ("STOP", "STOPALL"),
        ("unsubscribe", "Stop."),
        ("Cancel", "please stop texting me"),
        ("Please stop texting me", "QUIT"),
    ],
)
def test_a_stop_from_a_number_that_already_opted_out_gets_no_second_confirmation(
    world: Any, django_capture_on_commit_callbacks: Any, first: str, again: str
) -> None:
    clara = make_customer(world.a, phones=[NUMBER])
    stopped, _ = text_in(world, django_capture_on_commit_callbacks, first, "SM50")
    with time_machine.travel(timezone.now() + dt.timedelta(days=1)):
        repeated, _ = text_in(world, django_capture_on_commit_callbacks, again, "SM51")

    with scope(store=world.a):
        assert [m.meta.get("system") for m in Message.objects.filter(direction="out")] == ["opt_out_confirmation"]
        # The opt-out stands from when it was first said; the repeat is kept in the thread only.
        opt_out = OptOut.objects.get()
        assert (opt_out.keyword, opt_out.at.date()) == (keywords.keyword_of(first), stopped.created_at.date())
        assert sorted(ConsentEvent.objects.filter(customer=clara).values_list("purpose", "evidence_text")) == [
            ("marketing", first),
            ("service", first),
        ]
        assert list(Message.objects.filter(direction="in").values_list("body", flat=True)) == [first, again]
    assert _conversation(world).awaiting_since is None
    assert repeated.pk is not None


def test_a_stop_again_withdraws_consent_recorded_since_without_a_confirmation_and_start_gives_only_that_back(
    world: Any, django_capture_on_commit_callbacks: Any
) -> None:
    from trunkshow.customers.services import ConsentGrant, consent_record

    clara = make_customer(world.a, phones=[NUMBER])
    text_in(world, django_capture_on_commit_callbacks, "STOP", "SM52")
    with scope(store=world.a):
        consent_record(
            store=world.a,
            actor=world.a_manager.user,
            customer=clara,
            grant=ConsentGrant("sms", "marketing", "granted", "in_person", evidence_text="Asked at the counter"),
        )
    text_in(world, django_capture_on_commit_callbacks, "STOP", "SM53")

    with scope(store=world.a):
        assert not CurrentConsent.objects.filter(customer=clara, granted=True).exists()
        assert list(
            ConsentEvent.objects.filter(customer=clara).order_by("id").values_list("purpose", "action", "method")
        ) == [
            ("marketing", "withdrawn", "keyword"),
            ("service", "withdrawn", "keyword"),
            ("marketing", "granted", "in_person"),
            ("marketing", "withdrawn", "keyword"),
        ]
        assert Message.objects.filter(direction="out").count() == 1

    # Clara had agreed to nothing before her first STOP: START gives back the marketing the
    # repeated STOP withdrew, and service texts, which the word itself asks for.
    text_in(world, django_capture_on_commit_callbacks, "START", "SM58")
    with scope(store=world.a):
        assert set(CurrentConsent.objects.values_list("purpose", "granted")) == {
            ("marketing", True),
            ("service", True),
        }
        assert ConsentEvent.objects.filter(customer=clara).order_by("-id").values_list(
            "purpose", "action", "method", "evidence_text"
        )[0] == ("marketing", "granted", "keyword", "START")


@pytest.mark.parametrize("body", ["START", "Yes", "unstop"])
def test_an_opt_in_word_from_a_number_that_never_opted_out_is_a_message_for_a_person(
    world: Any, django_capture_on_commit_callbacks: Any, body: str
) -> None:
    clara = make_customer(world.a, phones=[NUMBER], assigned_associate_id=world.a_associate.user.pk)
    message, _ = text_in(world, django_capture_on_commit_callbacks, body, "SM54")

    conversation = _conversation(world)
    assert (conversation.awaiting_since, conversation.assigned_to) == (message.created_at, world.a_associate.user)
    with scope(store=world.a):
        assert Message.objects.filter(direction="out").count() == 0
        assert ConsentEvent.objects.filter(customer=clara).count() == 0


def test_a_second_start_gets_no_second_welcome(world: Any, django_capture_on_commit_callbacks: Any) -> None:
    clara = make_customer(world.a, phones=[NUMBER])
    for sid, body in (("SM55", "STOP"), ("SM56", "START"), ("SM57", "START")):
        text_in(world, django_capture_on_commit_callbacks, body, sid)
    with scope(store=world.a):
        assert [m.meta["system"] for m in Message.objects.filter(direction="out").order_by("id")] == [
            "opt_out_confirmation",
            "auto_reply",
        ]
        # The first START granted service texts; the second, from a number not opted out, nothing more.
        assert ConsentEvent.objects.filter(customer=clara, action="granted").count() == 1
        assert set(CurrentConsent.objects.values_list("purpose", "granted")) == {
            ("marketing", False),
            ("service", True),
        }


def _closed_conversation_with_a_question(world: Any, captured: Any) -> Any:
    """Clara asked, was answered, and the conversation was closed; everyone has read it."""
    clara = make_customer(world.a, phones=[NUMBER], assigned_associate_id=world.a_associate.user.pk)
    asked, _ = text_in(world, captured, "Is the clasp gold?", "SM60")
    with scope(store=world.a), captured(execute=True):
        message_send(store=world.a, actor=world.a_associate.user, conversation=asked.conversation, body="It is!")
    client = browser_client(world.a_associate)
    client.post(f"/inbox/{asked.conversation_id}/status/", {"status": "closed"})
    client.get(f"/inbox/{asked.conversation_id}/")  # read
    return clara


def _inbox_shows(world: Any, status: str) -> str:
    return browser_client(world.a_associate).get(f"/inbox/?view=all&status={status}").content.decode()


@pytest.mark.parametrize("body", ["STOP", "Please stop texting me"])
def test_an_opt_out_to_a_closed_conversation_is_recorded_and_confirmed_but_leaves_it_closed(
    world: Any, django_capture_on_commit_callbacks: Any, body: str
) -> None:
    from trunkshow.customers.timeline import customer_timeline

    clara = _closed_conversation_with_a_question(world, django_capture_on_commit_callbacks)
    stop, _ = text_in(world, django_capture_on_commit_callbacks, body, "SM61")

    conversation = _conversation(world)
    assert (conversation.status, conversation.awaiting_since) == ("closed", None)
    assert conversation.last_message_preview == body  # the thread has it, newest
    with scope(store=world.a):
        assert OptOut.objects.filter(channel="sms", address=NUMBER).count() == 1
        assert sorted(ConsentEvent.objects.filter(customer=clara).values_list("purpose", "action")) == [
            ("marketing", "withdrawn"),
            ("service", "withdrawn"),
        ]
        assert [m.meta.get("system") for m in Message.objects.filter(direction="out").order_by("id")] == [
            None,
            "opt_out_confirmation",
        ]
        assert stop.pk in [e.obj.pk for e in customer_timeline(customer=clara) if e.kind == "message"]
    # Nothing for staff to do: not in the open list, no wait, not unread in the closed one.
    open_list = _inbox_shows(world, "open")
    assert 'class="inbox-row' not in open_list
    assert re.findall(r'<span class="tool-count" data-count="\w+">(\d+)</span>', open_list) == ["0", "0", "0"]
    closed_list = _inbox_shows(world, "closed")
    assert closed_list.count('class="inbox-row') == 1
    assert "1 new" not in closed_list
    assert "is-unread" not in closed_list
    assert not _waiting_mark(closed_list)


def test_a_repeated_stop_start_and_help_to_a_closed_conversation_are_answered_and_leave_it_closed(
    world: Any, django_capture_on_commit_callbacks: Any
) -> None:
    world.a.address_line1, world.a.city = "12 Gem Street", "New York"
    world.a.save()
    _closed_conversation_with_a_question(world, django_capture_on_commit_callbacks)
    for sid, body in (("SM62", "STOP"), ("SM63", "stop"), ("SM64", "START"), ("SM65", "Help")):
        text_in(world, django_capture_on_commit_callbacks, body, sid)
        conversation = _conversation(world)
        assert (conversation.status, conversation.awaiting_since) == ("closed", None), body

    with scope(store=world.a):
        assert OptOut.objects.count() == 0  # START resubscribed
        automatic = list(Message.objects.filter(direction="out").order_by("id").values_list("meta__system", flat=True))
        assert list(Message.objects.filter(direction="in").values_list("meta__keyword", flat=True)) == [
            None,
            "opt_out",
            "opted_out_again",
            "opt_in",
            "help",
        ]
    # The STOP's one confirmation, the welcome back, the help (the repeated STOP got nothing).
    assert automatic == [None, "opt_out_confirmation", "auto_reply", "auto_reply"]
    closed_list = _inbox_shows(world, "closed")
    assert "is-unread" not in closed_list
    assert 'class="inbox-row' not in _inbox_shows(world, "open")

    # A message for a person reopens it, waits from itself, and is the one unread.
    asked, _ = text_in(world, django_capture_on_commit_callbacks, "Can you hold it till Friday?", "SM66")
    conversation = _conversation(world)
    assert (conversation.status, conversation.awaiting_since) == ("open", asked.created_at)
    assert "1 new" in _inbox_shows(world, "open")


@pytest.mark.parametrize("status", ["pending", "snoozed"])
def test_an_opt_out_leaves_a_pending_or_snoozed_conversation_where_it_was(
    world: Any, django_capture_on_commit_callbacks: Any, status: str
) -> None:
    make_customer(world.a, phones=[NUMBER])
    asked, _ = text_in(world, django_capture_on_commit_callbacks, "Is the clasp gold?", "SM67")
    fields = {"status": status}
    if status == "snoozed":
        fields["snoozed_until"] = (timezone.now() + dt.timedelta(days=1)).astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M")
    browser_client(world.a_owner).post(f"/inbox/{asked.conversation_id}/status/", fields)

    text_in(world, django_capture_on_commit_callbacks, "STOP", "SM68")

    conversation = _conversation(world)
    assert (conversation.status, conversation.awaiting_since) == (status, None)
    assert (conversation.snoozed_until is not None) == (status == "snoozed")


def _waiting_mark(html: str) -> list[str]:
    """The "Waiting 5 min" marks on a page (not the list's "Waiting longest" order)."""
    return re.findall(r'class="badge[^"]*">Waiting [^<]*<', html)
