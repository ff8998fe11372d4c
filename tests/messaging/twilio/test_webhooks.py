"""Twilio's webhooks, as Twilio sends them: form fields signed with the library's own algorithm.

A refused request (bad, missing or wrong-URL signature, another store's number, too many) writes
nothing; an accepted one is stored once, however often or concurrently it comes.
"""

from __future__ import annotations

import threading
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django_scopes import scope, scopes_disabled

from tests.conftest import make_customer
from tests.messaging.twilio.conftest import (
    ACCOUNT_SID,
    PUBLIC_URL,
    STORE_A_NUMBER,
    STORE_B_NUMBER,
    FakeTwilio,
    hook,
    inbound_fields,
    sign,
    status_fields,
)
from trunkshow.customers.models import ConsentEvent, CurrentConsent, Customer
from trunkshow.customers.services import ConsentGrant
from trunkshow.messaging.models import Conversation, Message, MessageStatus, OptOut, ProviderEvent
from trunkshow.messaging.services import message_send

CLARA = "+12125550142"
A_INBOUND = "/hooks/twilio/atelier/inbound"
A_STATUS = "/hooks/twilio/atelier/status"
B_INBOUND = "/hooks/twilio/bijoux/inbound"
EMPTY_TWIML = '<?xml version="1.0" encoding="UTF-8"?><Response />'


def counts() -> tuple[int, int, int, int, int]:
    with scopes_disabled():
        return (
            ProviderEvent.objects.count(),
            Message.objects.count(),
            Customer.objects.count(),
            Conversation.objects.count(),
            OptOut.objects.count(),
        )


def text_in(captured: Any, body: str, sid: str, *, path: str = A_INBOUND, **extra: Any) -> Any:
    with captured(execute=True):
        return hook(path, inbound_fields(body, sid=sid, sender=extra.pop("sender", CLARA), **extra))


# ---- inbound ----------------------------------------------------------------------------------


def test_a_text_from_an_unknown_number_is_stored_once_as_a_new_chat_customer(
    world: Any, twilio: FakeTwilio, django_capture_on_commit_callbacks: Any
) -> None:
    response = text_in(django_capture_on_commit_callbacks, "Do you resize rings?", "SM" + "1" * 32)

    assert response.status_code == 200
    assert response["Content-Type"] == "text/xml; charset=utf-8"
    assert response.content.decode() == EMPTY_TWIML
    with scope(store=world.a):
        customer = Customer.objects.get()
        assert customer.source == "chat"
        assert [p.e164 for p in customer.phones.all()] == [CLARA]
        message = Message.objects.get()
        assert (message.channel, message.from_address, message.to_address, message.body) == (
            "sms",
            CLARA,
            STORE_A_NUMBER,
            "Do you resize rings?",
        )
        assert (message.provider, message.provider_id, message.status) == ("twilio", "SM" + "1" * 32, "received")
        assert message.meta == {"num_media": 0, "media": []}
        event = ProviderEvent.objects.get()
        assert (event.provider, event.event_id, event.kind) == ("twilio", "SM" + "1" * 32, "inbound")
        assert event.payload["Body"] == "Do you resize rings?"
        assert event.payload["AccountSid"] == ACCOUNT_SID
    assert twilio.requests == []  # no auto-reply for an ordinary message


def test_photos_are_recorded_and_only_twilio_hosted_media_kept_for_the_worker_to_fetch(
    world: Any, twilio: FakeTwilio, django_capture_on_commit_callbacks: Any
) -> None:
    media = f"https://api.twilio.com/2010-04-01/Accounts/{ACCOUNT_SID}/Messages/MM1/Media/ME1"
    fields = inbound_fields(
        "",
        sid="MM" + "2" * 32,
        sender=CLARA,
        NumMedia="2",
        MediaUrl0=media,
        MediaContentType0="image/jpeg",
        MediaUrl1="https://169.254.169.254/latest/meta-data",
        MediaContentType1="image/png",
    )
    with django_capture_on_commit_callbacks(execute=False) as after_commit:
        response = hook(A_INBOUND, fields)

    assert response.status_code == 200
    with scope(store=world.a):
        message = Message.objects.get()
    assert message.meta == {
        "num_media": 2,
        "media": [{"url": media, "content_type": "image/jpeg", "state": "pending"}],
        "media_refused": ["https://169.254.169.254/latest/meta-data"],
        "media_pending": True,
    }
    assert twilio.requests == []  # nothing fetched in the webhook: the worker does it after commit
    # After commit: the live events, then the fetch task (tests/messaging/twilio/test_inbound_media.py).
    assert after_commit[-1].__qualname__ == "enqueue_on_commit.<locals>.send"  # the fetch, queued after commit


def test_a_whatsapp_message_uses_the_bare_number_and_the_profile_name(
    world: Any, twilio: FakeTwilio, django_capture_on_commit_callbacks: Any
) -> None:
    response = text_in(
        django_capture_on_commit_callbacks,
        "Olá! Is the emerald pendant available?",
        "SM" + "3" * 32,
        sender=f"whatsapp:{CLARA}",
        To=f"whatsapp:{STORE_A_NUMBER}",
        ProfileName="Clara Souza",
        WaId=CLARA.lstrip("+"),
    )

    assert response.status_code == 200
    with scope(store=world.a):
        message = Message.objects.get()
        assert (message.channel, message.from_address, message.to_address) == ("whatsapp", CLARA, STORE_A_NUMBER)
        customer = Customer.objects.get()
        assert (customer.first_name, customer.last_name) == ("Clara", "Souza")
        assert message.conversation.channel == "whatsapp"


def test_the_same_message_sid_again_is_a_no_op_that_still_answers_200(
    world: Any, twilio: FakeTwilio, django_capture_on_commit_callbacks: Any
) -> None:
    first = text_in(django_capture_on_commit_callbacks, "Hello", "SM" + "4" * 32)
    before = counts()
    again = text_in(django_capture_on_commit_callbacks, "Hello", "SM" + "4" * 32)

    assert (first.status_code, again.status_code) == (200, 200)
    assert again.content.decode() == EMPTY_TWIML
    assert before == counts() == (1, 1, 1, 1, 0)


def test_a_captured_stop_replayed_after_start_changes_nothing(
    world: Any, twilio: FakeTwilio, django_capture_on_commit_callbacks: Any
) -> None:
    # Twilio's signature has no timestamp: the captured request still verifies.
    stop = inbound_fields("STOP", sid="SM" + "4" * 31 + "1", sender=CLARA)
    with django_capture_on_commit_callbacks(execute=True):
        assert hook(A_INBOUND, stop).status_code == 200
    text_in(django_capture_on_commit_callbacks, "START", "SM" + "4" * 31 + "2")
    before, posts = counts(), len(twilio.posts)

    with django_capture_on_commit_callbacks(execute=True):
        replayed = hook(A_INBOUND, stop)

    assert (replayed.status_code, replayed.content.decode()) == (200, EMPTY_TWIML)
    assert counts() == before
    assert len(twilio.posts) == posts  # no second confirmation
    with scope(store=world.a):
        assert OptOut.objects.count() == 0
        # Clara never agreed to anything: her START asked for the store's texts (service), not marketing.
        assert set(CurrentConsent.objects.values_list("purpose", "granted")) == {
            ("marketing", False),
            ("service", True),
        }


@pytest.mark.parametrize(
    ("before", "after_start"),
    [
        ((), {("marketing", False), ("service", True)}),
        (("service",), {("marketing", False), ("service", True)}),
        (("marketing", "service"), {("marketing", True), ("service", True)}),
    ],
)
def test_start_grants_service_texts_and_gives_back_only_the_marketing_the_stop_withdrew(
    world: Any,
    twilio: FakeTwilio,
    django_capture_on_commit_callbacks: Any,
    before: tuple[str, ...],
    after_start: set[tuple[str, bool]],
) -> None:
    clara = make_customer(
        world.a,
        phones=[CLARA],
        consents=[ConsentGrant("sms", purpose, method="in_person") for purpose in before],
    )
    text_in(django_capture_on_commit_callbacks, "STOP", "SM" + "6" * 31 + "1")
    with scope(store=world.a):
        assert set(CurrentConsent.objects.values_list("purpose", "granted")) == {
            ("marketing", False),
            ("service", False),
        }
    assert text_in(django_capture_on_commit_callbacks, "START", "SM" + "6" * 31 + "2").status_code == 200

    with scope(store=world.a):
        assert OptOut.objects.count() == 0
        assert set(CurrentConsent.objects.filter(customer=clara).values_list("purpose", "granted")) == after_start
        regranted = ConsentEvent.objects.filter(customer=clara, action="granted", method="keyword")
        # Service texts whatever was before (START asks for them); marketing only if the STOP took it.
        assert sorted(regranted.values_list("purpose", "evidence_text")) == [
            (p, "START") for p in sorted({*before, "service"})
        ]
    assert [p.form["Body"][0][:37] for p in twilio.posts] == [
        "Atelier Ana: you are unsubscribed and",
        "Atelier Ana: you are subscribed again",
    ]


@pytest.mark.django_db(transaction=True)
def test_two_concurrent_deliveries_of_one_message_store_one_row(world: Any, twilio: FakeTwilio) -> None:
    params = inbound_fields("Is the shop open on Sunday?", sid="SM" + "5" * 32, sender=CLARA)
    barrier = threading.Barrier(4)
    statuses: list[int] = []

    def deliver() -> None:
        try:
            barrier.wait()
            statuses.append(hook(A_INBOUND, params).status_code)
        finally:
            connection.close()

    threads = [threading.Thread(target=deliver) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    assert statuses == [200, 200, 200, 200]
    with scopes_disabled():
        assert ProviderEvent.objects.count() == 1
        assert Message.objects.filter(provider_id="SM" + "5" * 32).count() == 1
        assert Customer.objects.count() == 1


# ---- refused requests write nothing -----------------------------------------------------------


def _refused(response: Any, status: int, code: str) -> None:
    assert response.status_code == status
    assert response.json()["error"]["code"] == code
    assert set(response.json()["error"]) == {"code", "message", "fields"}


def test_forged_altered_missing_and_wrong_url_signatures_are_refused_and_write_nothing(
    world: Any, twilio: FakeTwilio
) -> None:
    params = inbound_fields("Hello", sid="SM" + "6" * 32, sender=CLARA)
    before = counts()

    forged = hook(A_INBOUND, params, signature=sign(PUBLIC_URL + A_INBOUND, params, token="e" * 32))
    altered = hook(A_INBOUND, {**params, "Body": "STOP"}, signature=sign(PUBLIC_URL + A_INBOUND, params))
    missing = hook(A_INBOUND, params, signature="")
    # Signed for the address the request reached (the Host header), not the public one.
    by_host = hook(A_INBOUND, params, signed_url="http://testserver" + A_INBOUND)
    # Signed for store A's address, posted to store B's.
    other_store = hook(B_INBOUND, params, signed_url=PUBLIC_URL + A_INBOUND)

    for response in (forged, altered, missing, by_host, other_store):
        _refused(response, 403, "bad_signature")
    assert counts() == before


def test_another_stores_number_on_this_stores_address_is_refused(world: Any, twilio: FakeTwilio) -> None:
    params = inbound_fields("Bonjour", sid="SM" + "7" * 32, sender=CLARA, to=STORE_B_NUMBER)
    before = counts()

    _refused(hook(A_INBOUND, params), 403, "wrong_number")
    _refused(hook(B_INBOUND, {**params, "To": STORE_A_NUMBER}), 403, "wrong_number")
    assert counts() == before


def test_another_account_an_unknown_store_and_a_get_are_refused(world: Any, twilio: FakeTwilio) -> None:
    params = inbound_fields("Hello", sid="SM" + "8" * 32, sender=CLARA, AccountSid="AC" + "9" * 32)
    before = counts()

    _refused(hook(A_INBOUND, params), 403, "wrong_account")
    unknown = "/hooks/twilio/nowhere/inbound"
    _refused(hook(unknown, inbound_fields("Hi", sid="SM" + "8" * 32, sender=CLARA)), 404, "not_found")
    from django.test import Client

    not_allowed = Client().get(A_INBOUND)
    _refused(not_allowed, 405, "method_not_allowed")
    assert not_allowed["Allow"] == "POST"
    assert counts() == before


@pytest.mark.parametrize(
    ("fields", "error"),
    [
        ({"From": "12345"}, {"From": ["“12345” is not a valid phone number (United States). Add the country code, like +1 201-555-0123."]}),
        ({"From": "+4"}, {"From": ["“+4” is not a phone number. Use the international format, like +1 201-555-0123."]}),
        ({"MessageSid": "SM1"}, {}),
        ({"MessageSid": "SM" + "1" * 300}, {}),
        ({"From": ""}, {}),
    ],
)  # fmt: skip
def test_a_sender_or_sid_we_cannot_keep_is_a_clear_400_and_nothing_is_written(
    world: Any, twilio: FakeTwilio, fields: dict[str, str], error: dict[str, list[str]]
) -> None:
    params = {**inbound_fields("Hello", sid="SM" + "8" * 32, sender=CLARA), **fields}

    response = hook(A_INBOUND, params)

    _refused(response, 400, "invalid")
    assert response.json()["error"]["fields"] == error
    assert counts() == (0, 0, 0, 0, 0)


def test_a_nul_in_a_signed_field_is_dropped_not_a_500(
    world: Any, twilio: FakeTwilio, django_capture_on_commit_callbacks: Any
) -> None:
    response = text_in(django_capture_on_commit_callbacks, "ring\x00 size 6", "SM" + "8" * 32, ProfileName="Cl\x00ara")

    assert response.status_code == 200
    with scope(store=world.a):
        message = Message.objects.get()
        assert message.body == "ring size 6"
        assert ProviderEvent.objects.get().payload["Body"] == "ring size 6"
        assert Customer.objects.get().first_name == "Clara"


def test_without_twilio_keys_the_hooks_are_not_there(world: Any) -> None:
    params = inbound_fields("Hello", sid="SM" + "8" * 32, sender=CLARA)
    _refused(hook(A_INBOUND, params), 404, "not_found")
    assert counts() == (0, 0, 0, 0, 0)


def test_too_many_requests_from_one_address_get_a_clear_429(world: Any, twilio: FakeTwilio, settings: Any) -> None:
    settings.TWILIO_HOOK_RATE_PER_MINUTE = 3
    params = inbound_fields("Hello", sid="SM" + "a" * 32, sender=CLARA)
    answers = [hook(A_INBOUND, params, remote_addr="203.0.113.9").status_code for _ in range(3)]
    before = counts()

    limited = hook(A_INBOUND, {**params, "MessageSid": "SM" + "b" * 32}, remote_addr="203.0.113.9")
    other_address = hook(A_INBOUND, {**params, "MessageSid": "SM" + "c" * 32}, remote_addr="203.0.113.10")

    assert answers == [200, 200, 200]
    _refused(limited, 429, "rate_limited")
    assert 1 <= int(limited["Retry-After"]) <= 60
    assert counts() == (before[0] + 1, before[1] + 1, *before[2:])  # only the other address's message
    assert other_address.status_code == 200


# ---- keywords ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "body",
    ["STOP", "stop", "  Stop. ", "STOPALL", "Unsubscribe!", "cancel", "END", "quit?", "Revoke", "OPTOUT", "opt out",
     "STOP 🙏"],
)  # fmt: skip
def test_every_opt_out_keyword_withdraws_consent_confirms_once_and_blocks_sending(
    world: Any, twilio: FakeTwilio, django_capture_on_commit_callbacks: Any, body: str
) -> None:
    clara = make_customer(world.a, phones=[CLARA])
    text_in(django_capture_on_commit_callbacks, "Hi there", "SM" + "d" * 32)

    response = text_in(django_capture_on_commit_callbacks, body, "SM" + "e" * 32)

    assert response.status_code == 200
    with scope(store=world.a):
        assert list(OptOut.objects.values_list("channel", "address")) == [("sms", CLARA)]
        assert set(CurrentConsent.objects.filter(customer=clara, channel="sms").values_list("purpose", "granted")) == {
            ("marketing", False),
            ("service", False),
        }
        conversation = Conversation.objects.get()
        with pytest.raises(ValidationError):
            message_send(store=world.a, actor=None, conversation=conversation, body="Are you sure?")
    assert [(p.form["To"], p.form["Body"]) for p in twilio.posts] == [
        (
            [CLARA],
            ["Atelier Ana: you are unsubscribed and will receive no more messages. Reply START to resubscribe."],
        )
    ]


def test_start_resubscribes_and_help_answers_with_the_stores_name_over_whatsapp(
    world: Any, twilio: FakeTwilio, django_capture_on_commit_callbacks: Any
) -> None:
    world.a.address_line1, world.a.city = "12 Gem Street", "New York"
    world.a.save()
    wa = {"sender": f"whatsapp:{CLARA}", "To": f"whatsapp:{STORE_A_NUMBER}"}
    for index, body in enumerate(["STOP", "unstop", "HELP"]):
        assert text_in(django_capture_on_commit_callbacks, body, f"SM{index:032d}", **wa).status_code == 200

    with scope(store=world.a):
        assert OptOut.objects.count() == 0
        # The START lifted the opt-out and asked for service messages; no marketing Clara never gave.
        assert set(CurrentConsent.objects.filter(channel="whatsapp").values_list("purpose", "granted")) == {
            ("marketing", False),
            ("service", True),
        }
    bodies = [p.form["Body"][0] for p in twilio.posts]
    assert [p.form["To"] for p in twilio.posts] == [[f"whatsapp:{CLARA}"]] * 3
    assert bodies[0].startswith("Atelier Ana: you are unsubscribed")
    assert bodies[1].startswith("Atelier Ana: you are subscribed again.")
    assert bodies[2] == "Atelier Ana: 12 Gem Street, New York. Reply STOP to unsubscribe."


def test_stop_to_store_a_does_not_touch_store_b(
    world: Any, twilio: FakeTwilio, django_capture_on_commit_callbacks: Any
) -> None:
    text_in(django_capture_on_commit_callbacks, "Bonjour", "SM" + "f" * 32, path=B_INBOUND, to=STORE_B_NUMBER)
    text_in(django_capture_on_commit_callbacks, "STOP", "SM" + "0" * 31 + "1")

    with scope(store=world.a):
        assert OptOut.objects.count() == 1
    with scope(store=world.b):
        assert OptOut.objects.count() == 0
        assert ConsentEvent.objects.filter(action="withdrawn").count() == 0
        conversation = Conversation.objects.get()
        with django_capture_on_commit_callbacks(execute=True):
            sent = message_send(store=world.b, actor=None, conversation=conversation, body="Merci, à bientôt.")
        sent.refresh_from_db()
    assert sent.status == MessageStatus.SENT
    assert twilio.posts[-1].form["From"] == [STORE_B_NUMBER]
    assert twilio.posts[-1].form["StatusCallback"] == [f"{PUBLIC_URL}/hooks/twilio/bijoux/status?ref={sent.reference}"]


# ---- status callbacks -------------------------------------------------------------------------


def _sent_reply(world: Any, captured: Any) -> Message:
    text_in(captured, "Hi", "SM" + "9" * 32)
    with scope(store=world.a), captured(execute=True):
        conversation = Conversation.objects.get()
        message = message_send(store=world.a, actor=None, conversation=conversation, body="Hello Clara")
    message.refresh_from_db()
    assert message.status == MessageStatus.SENT
    return message


def test_status_callbacks_in_any_order_leave_the_furthest_state(
    world: Any, twilio: FakeTwilio, django_capture_on_commit_callbacks: Any
) -> None:
    message = _sent_reply(world, django_capture_on_commit_callbacks)
    sid = message.provider_id

    seen = []
    for state in ["delivered", "sent", "queued", "sending", "delivered"]:
        response = hook(A_STATUS, status_fields(sid, state, to=CLARA))
        assert (response.status_code, response.content.decode()) == (200, EMPTY_TWIML)
        message.refresh_from_db()
        seen.append(message.status)

    assert seen == ["delivered"] * 5
    with scope(store=world.a):
        assert sorted(ProviderEvent.objects.filter(kind="status").values_list("event_id", flat=True)) == [
            f"{sid}:delivered",
            f"{sid}:queued",
            f"{sid}:sending",
            f"{sid}:sent",
        ]
    # WhatsApp's "read" goes further still.
    hook(A_STATUS, status_fields(sid, "read", to=CLARA))
    message.refresh_from_db()
    assert message.status == MessageStatus.READ


def test_an_undelivered_report_shows_the_reason(
    world: Any, twilio: FakeTwilio, django_capture_on_commit_callbacks: Any
) -> None:
    message = _sent_reply(world, django_capture_on_commit_callbacks)

    response = hook(A_STATUS, status_fields(message.provider_id, "undelivered", to=CLARA, ErrorCode="30005"))

    assert response.status_code == 200
    message.refresh_from_db()
    assert message.status == MessageStatus.UNDELIVERED
    assert message.error == "Twilio error 30005: The number is unknown or no longer in service."


def test_a_forged_status_callback_changes_nothing(
    world: Any, twilio: FakeTwilio, django_capture_on_commit_callbacks: Any
) -> None:
    message = _sent_reply(world, django_capture_on_commit_callbacks)
    params = status_fields(message.provider_id, "failed", to=CLARA, ErrorCode="30003")
    before = counts()

    _refused(
        hook(A_STATUS, params, signature=sign(PUBLIC_URL + A_STATUS, params, token="0" * 32)), 403, "bad_signature"
    )
    _refused(hook("/hooks/twilio/bijoux/status", params, signed_url=PUBLIC_URL + A_STATUS), 403, "bad_signature")

    message.refresh_from_db()
    assert message.status == MessageStatus.SENT
    assert counts() == before


def test_a_status_for_another_stores_message_does_not_touch_it(
    world: Any, twilio: FakeTwilio, django_capture_on_commit_callbacks: Any
) -> None:
    message = _sent_reply(world, django_capture_on_commit_callbacks)

    response = hook(
        "/hooks/twilio/bijoux/status", status_fields(message.provider_id, "failed", to=CLARA, sender=STORE_B_NUMBER)
    )

    assert response.status_code == 200  # stored as store B's event, which has no such message
    message.refresh_from_db()
    assert message.status == MessageStatus.SENT
