"""The profile's "Message" and POST /api/v1/conversations: open the customer's conversation, or start one
on a channel they may be messaged on, or say why there is none."""

from __future__ import annotations

import datetime as dt
import json
import re
from typing import Any

import pytest
from django_scopes import scope, scopes_disabled

from tests.conftest import World, api, browser_client, make_customer
from trunkshow.customers.models import ConsentAction, ConsentPurpose
from trunkshow.customers.services import ConsentGrant
from trunkshow.messaging.models import Conversation, ConversationStatus, Message, OptOut

NUMBER = "+12125550142"
OTHER_NUMBER = "+12125550177"
STOPPED_AT = dt.datetime(2026, 3, 3, 17, 0, tzinfo=dt.UTC)


def _conversation(store: Any, customer: Any, channel: str, address: str, status: str, minutes_ago: int) -> Any:
    at = dt.datetime.now(dt.UTC) - dt.timedelta(minutes=minutes_ago)
    with scope(store=store):
        return Conversation.objects.create(
            store=store, customer=customer, channel=channel, address=address, status=status, last_message_at=at
        )


def _opt_out(store: Any, channel: str, address: str) -> None:
    with scope(store=store):
        OptOut.objects.create(store=store, channel=channel, address=address, at=STOPPED_AT, keyword="STOP")


def _conversations(store: Any) -> list[tuple[int | None, str, str, str]]:
    with scope(store=store):
        return list(Conversation.objects.order_by("id").values_list("customer_id", "channel", "address", "status"))


def _message(person: Any, customer: Any) -> Any:
    return browser_client(person).post(f"/inbox/start/{customer.pk}/")


# ---------------------------------------------------------------- the profile's button


def test_message_opens_the_customers_most_recent_open_conversation(world: World):
    clara = make_customer(world.a, phones=[NUMBER])
    _conversation(world.a, clara, "sms", NUMBER, ConversationStatus.CLOSED, minutes_ago=1)
    snoozed = _conversation(world.a, clara, "whatsapp", NUMBER, ConversationStatus.SNOOZED, minutes_ago=60)
    _conversation(world.a, clara, "email", "clara@example.com", ConversationStatus.PENDING, minutes_ago=120)

    response = _message(world.a_associate, clara)

    assert (response.status_code, response["Location"]) == (302, f"/inbox/{snoozed.pk}/#write")
    assert len(_conversations(world.a)) == 3  # nothing started
    page = browser_client(world.a_associate).get(f"/inbox/{snoozed.pk}/").content.decode()
    assert '<textarea id="reply-body" name="body"' in page


def test_message_opens_a_closed_conversation_rather_than_splitting_the_thread(world: World):
    clara = make_customer(world.a, phones=[NUMBER])
    closed = _conversation(world.a, clara, "webchat", "", ConversationStatus.CLOSED, minutes_ago=600)

    response = _message(world.a_associate, clara)

    assert response["Location"] == f"/inbox/{closed.pk}/#write"
    assert len(_conversations(world.a)) == 1


def test_message_starts_a_text_conversation_on_the_customers_phone_assigned_to_their_associate(world: World):
    clara = make_customer(
        world.a, phones=[NUMBER], emails=["clara@example.com"], assigned_associate_id=world.a_manager.user.pk
    )

    response = _message(world.a_associate, clara)

    with scope(store=world.a):
        started = Conversation.objects.get()
        assert (started.customer_id, started.channel, started.address, started.status) == (
            clara.pk,
            "sms",
            NUMBER,
            "open",
        )
        assert started.assigned_to_id == world.a_manager.user.pk
        assert Message.objects.count() == 0  # nothing is sent until the associate writes
    assert response["Location"] == f"/inbox/{started.pk}/#write"
    page = browser_client(world.a_associate).get(f"/inbox/{started.pk}/").content.decode()
    assert '<option value="sms" selected>Text message</option>' in page


def test_message_starts_on_the_preferred_channel(world: World):
    clara = make_customer(world.a, phones=[NUMBER], emails=["clara@example.com"], preferred_channel="email")

    _message(world.a_associate, clara)

    assert _conversations(world.a) == [(clara.pk, "email", "clara@example.com", "open")]


def test_message_prefers_a_channel_they_agreed_to_when_there_is_no_preference(world: World):
    clara = make_customer(
        world.a,
        phones=[NUMBER],
        emails=["clara@example.com"],
        consents=[ConsentGrant(channel="email", purpose=ConsentPurpose.MARKETING)],
    )

    _message(world.a_associate, clara)

    assert _conversations(world.a) == [(clara.pk, "email", "clara@example.com", "open")]


def test_an_opted_out_number_is_never_used_another_of_theirs_is(world: World):
    clara = make_customer(world.a, phones=[NUMBER, OTHER_NUMBER], preferred_channel="sms")
    _opt_out(world.a, "sms", NUMBER)

    _message(world.a_associate, clara)

    assert _conversations(world.a) == [(clara.pk, "sms", OTHER_NUMBER, "open")]


def test_an_opted_out_preferred_channel_gives_way_to_email(world: World):
    clara = make_customer(world.a, phones=[NUMBER], emails=["clara@example.com"], preferred_channel="sms")
    _opt_out(world.a, "sms", NUMBER)

    _message(world.a_associate, clara)

    assert _conversations(world.a) == [(clara.pk, "email", "clara@example.com", "open")]


def _button(page: str) -> str:
    found = re.search(r'<div class="quick-actions" id="message">.*?(<button[^>]*>).*?\n  </div>', page, re.S)
    assert found is not None
    return found.group(1)


def test_the_profile_says_before_the_tap_why_a_customer_cannot_be_messaged(world: World):
    mila = make_customer(world.a, first_name="Mila", last_name="")
    client = browser_client(world.a_associate)
    reason = "Mila cannot be messaged: there is no phone number or email address. Add one under Contact."

    page = client.get(f"/customers/{mila.pk}/").content.decode()

    assert _button(page) == '<button class="btn" type="submit" disabled aria-describedby="message-blocked">'
    assert f'<p class="quick-off" id="message-blocked">{reason}</p>' in page

    client.post(f"/customers/{mila.pk}/phones/", {"number": NUMBER, "label": "mobile"})
    page = client.get(f"/customers/{mila.pk}/").content.decode()
    assert _button(page) == '<button class="btn" type="submit">'
    assert "cannot be messaged" not in page


def test_a_customer_whose_every_way_closed_after_a_conversation_can_still_have_it_opened(world: World):
    clara = make_customer(world.a, first_name="Clara", last_name="Berg", phones=[NUMBER])
    _conversation(world.a, clara, "sms", NUMBER, ConversationStatus.CLOSED, minutes_ago=5)
    _opt_out(world.a, "sms", NUMBER)
    _opt_out(world.a, "whatsapp", NUMBER)

    page = browser_client(world.a_associate).get(f"/customers/{clara.pk}/").content.decode()

    # "Message" opens the thread they had (to read it); the composer says what may be sent there.
    assert _button(page) == '<button class="btn" type="submit">'
    assert "cannot be messaged" not in page


def test_message_refuses_a_customer_without_phone_or_email_and_says_so_on_the_profile(world: World):
    mila = make_customer(world.a, first_name="Mila", last_name="")
    client = browser_client(world.a_associate)

    response = client.post(f"/inbox/start/{mila.pk}/", follow=True)

    assert response.redirect_chain == [(f"/customers/{mila.pk}/#message", 302)]
    assert (
        "Mila cannot be messaged: there is no phone number or email address. Add one under Contact."
        in response.content.decode()
    )
    assert _conversations(world.a) == []


def test_message_refuses_when_every_way_opted_out_or_was_refused_and_names_each(world: World):
    clara = make_customer(
        world.a,
        first_name="Clara",
        last_name="Berg",
        phones=[NUMBER],
        emails=["clara@example.com"],
        consents=[
            ConsentGrant(
                channel="email", purpose=ConsentPurpose.SERVICE, action=ConsentAction.WITHDRAWN, occurred_at=STOPPED_AT
            )
        ],
    )
    _opt_out(world.a, "sms", NUMBER)
    _opt_out(world.a, "whatsapp", NUMBER)

    response = browser_client(world.a_associate).post(f"/inbox/start/{clara.pk}/", follow=True)

    assert (
        "Clara Berg cannot be messaged: (212) 555-0142 opted out of text messages on Mar 3, 2026; "
        "they withdrew consent to email on Mar 3, 2026; (212) 555-0142 opted out of WhatsApp on Mar 3, 2026."
    ) in response.content.decode().replace("&#x27;", "'")
    assert _conversations(world.a) == []


def test_another_stores_customer_is_a_404_and_nothing_is_started(world: World):
    luc = make_customer(world.b, phones=["+33142685300"])

    response = _message(world.a_associate, luc)

    assert response.status_code == 404
    assert _conversations(world.b) == []


def test_message_opened_by_address_leads_back_to_the_profile(world: World):
    clara = make_customer(world.a, phones=[NUMBER])

    response = browser_client(world.a_associate).get(f"/inbox/start/{clara.pk}/")

    assert response["Location"] == f"/customers/{clara.pk}/#message"
    assert _conversations(world.a) == []


# ---------------------------------------------------------------- the timeline


def test_timeline_messages_link_to_their_conversation(world: World, django_capture_on_commit_callbacks: Any):
    from trunkshow.messaging.services import message_receive, message_send

    clara = make_customer(world.a, phones=[NUMBER])
    with scope(store=world.a), django_capture_on_commit_callbacks(execute=False):
        received, _created = message_receive(
            store=world.a, channel="sms", from_address=NUMBER, body="Ready?", provider="sandbox", provider_id="SM1"
        )
        sent = message_send(
            store=world.a, actor=world.a_associate.user, conversation=received.conversation, body="Yes, come by."
        )

    page = browser_client(world.a_associate).get(f"/customers/{clara.pk}/").content.decode()

    conversation = received.conversation_id
    assert f'<a href="/inbox/{conversation}/#m{sent.pk}">Message sent · Text message</a>' in page
    assert f'<a href="/inbox/{conversation}/#m{received.pk}">Message received · Text message</a>' in page


# ---------------------------------------------------------------- the API


def _api_start(person: Any, body: dict[str, Any]) -> Any:
    return api(person).post("/api/v1/conversations", json.dumps(body), content_type="application/json")


def test_api_starts_a_conversation_then_answers_the_same_one(world: World):
    clara = make_customer(world.a, phones=[NUMBER], emails=["clara@example.com"])

    first = _api_start(world.a_associate, {"customer_id": clara.pk, "channel": "email"})
    again = _api_start(world.a_associate, {"customer_id": clara.pk})

    assert first.status_code == 201
    assert (first.json()["channel"], first.json()["address"], first.json()["status"]) == (
        "email",
        "clara@example.com",
        "open",
    )
    assert first.json()["customer"] == {"id": clara.pk, "name": "Clara Customer"}
    assert first.json()["assigned_to"] == world.a_associate.user.pk
    assert (again.status_code, again.json()["id"]) == (200, first.json()["id"])


def test_api_refuses_an_opted_out_channel_with_409_and_the_reason(world: World):
    clara = make_customer(world.a, phones=[NUMBER], emails=["clara@example.com"])
    _opt_out(world.a, "sms", NUMBER)

    response = _api_start(world.a_associate, {"customer_id": clara.pk, "channel": "sms"})

    assert response.status_code == 409
    reason = "Clara Customer cannot be messaged: (212) 555-0142 opted out of text messages on Mar 3, 2026."
    assert response.json() == {"error": {"code": "no_channel", "message": reason, "fields": {"channel": [reason]}}}
    assert _conversations(world.a) == []


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"customer_id": 1, "channel": "webchat"}, "channel"),
        ({"customer_id": 1, "extra": 1}, "extra"),
        ({}, "customer_id"),
    ],
)
def test_api_refuses_bad_bodies_with_400(world: World, body: dict[str, Any], field: str):
    response = _api_start(world.a_associate, body)

    assert response.status_code == 400
    assert field in json.dumps(response.json()["error"]["fields"])


def test_api_another_stores_customer_is_a_404(world: World):
    luc = make_customer(world.b, phones=["+33142685300"])

    response = _api_start(world.a_owner, {"customer_id": luc.pk})

    assert response.status_code == 404
    with scopes_disabled():
        assert Conversation.objects.count() == 0


def test_api_start_is_in_the_openapi_document(world: World):
    document = api(world.a_owner).get("/api/v1/openapi.json").json()

    operation = document["paths"]["/api/v1/conversations"]["post"]
    assert operation["summary"] == "Open or start a conversation with a customer"
    assert set(operation["responses"]) >= {"200", "201", "404", "409"}


def test_someone_without_a_place_in_the_store_starts_nothing(world: World):
    from django.test import Client

    clara = make_customer(world.a, phones=[NUMBER])
    client = Client()
    client.force_login(world.outsider)

    response = client.post(f"/inbox/start/{clara.pk}/")

    assert response.status_code == 403
    assert _conversations(world.a) == []
