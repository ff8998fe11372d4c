"""The customer beside a conversation: a chat visitor who may be a known customer (told to staff,
never linked by itself, ADR 0009), the partner, and the customer's own time of day."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

import time_machine
from django.core.cache import cache
from django.test import Client
from django_scopes import scope

from tests.conftest import World, browser_client, make_customer
from trunkshow.customers.merging import customer_merge
from trunkshow.customers.privacy import customer_erase
from trunkshow.customers.selectors import customer_possible_matches, customer_profile
from trunkshow.messaging.channels.webchat.services import webchat_settings_update
from trunkshow.messaging.models import Conversation
from trunkshow.messaging.services import message_receive

SITE = "https://www.atelier-ana.example"
ZOE_PHONE = "+19145550110"


def chat_as(
    store: Any, name: str, *, phone: str = "", email: str = "", body: str = "Hello, do you resize rings?"
) -> tuple[int, Any]:
    """A visitor on the store's website starts a chat and says who they are, as the widget does: the
    conversation's id, and what the widget was answered (identify, then reading the messages)."""
    cache.clear()  # rate limits
    with scope(store=store):
        webchat_settings_update(store=store, actor=None, allowed_origins=[SITE], reply_time_text="")
    client = Client(headers={"Origin": SITE})
    api = f"/widget/api/{store.slug}/conversations"
    started = client.post(api, json.dumps({"body": body, "page": SITE}), content_type="application/json").json()
    headers = {"Authorization": f"Bearer {started['token']}"}
    url = f"{api}/{started['conversation']}"
    details = {"name": name, "phone": phone, "email": email, "consent": False, "page": SITE}
    answer = client.post(url + "/identify", json.dumps(details), content_type="application/json", headers=headers)
    assert answer.status_code == 200, answer.content
    read = client.get(url + "/messages", headers=headers)
    return int(started["conversation"]), (answer.json(), read.json())


def chat_customer(world: World, conversation_id: int) -> Any:
    with scope(store=world.a):
        return Conversation.objects.select_related("customer").get(pk=conversation_id).customer


def sentence(other: Any, kind: str) -> str:
    return f'Possibly the same person as <a href="/customers/{other.pk}/">{other.display_name}</a> ({kind}).'


# ---- a visitor who may be a known customer ----------------------------------------------------------


def test_a_chat_visitor_giving_a_customers_phone_is_shown_to_staff_as_possibly_her_with_a_merge_link(
    world: World,
) -> None:
    zoe = make_customer(world.a, world.a_owner, first_name="Zoë", last_name="Goldberg", phones=["(914) 555-0110"])
    conversation_id, (identified, read) = chat_as(world.a, "Zoe", phone="(914) 555-0110")
    new = chat_customer(world, conversation_id)
    assert new.pk != zoe.pk  # never linked by itself

    client = browser_client(world.a_manager)
    side = client.get(f"/inbox/{conversation_id}/").content.decode()
    assert sentence(zoe, "same phone") in side
    assert f'href="/customers/{zoe.pk}/merge/{new.pk}/">Compare and merge</a>' in side
    # And on the new record's own profile.
    profile = client.get(f"/customers/{new.pk}/").content.decode()
    assert sentence(zoe, "same phone") in profile
    assert f'href="/customers/{zoe.pk}/merge/{new.pk}/">Compare and merge</a>' in profile

    # The merge page opens with the two chosen, Zoë's record staying.
    merge = client.get(f"/customers/{zoe.pk}/merge/{new.pk}/")
    assert merge.status_code == 200
    assert "Phones: (914) 555-0110" in merge.content.decode()

    # The visitor learns nothing of her.
    # (No consent was given, so the store may answer only in the chat: "reach" is empty.)
    assert identified == {"identified": True, "name": "Zoe", "reach": []}
    assert "Goldberg" not in json.dumps(read)


def test_the_same_email_as_stored_normalised_is_a_possible_match_too(world: World) -> None:
    zoe = make_customer(world.a, world.a_owner, first_name="Zoë", last_name="Goldberg", emails=["zoe@example.com"])
    both = make_customer(
        world.a, world.a_owner, first_name="Zoë", last_name="G.", phones=[ZOE_PHONE], emails=["zoe@example.com"]
    )
    conversation_id, _answers = chat_as(world.a, "Zoe", phone="914-555-0110", email="  Zoe@EXAMPLE.com ")

    side = browser_client(world.a_owner).get(f"/inbox/{conversation_id}/").content.decode()
    assert sentence(zoe, "same email") in side
    assert sentence(both, "same phone and email") in side
    assert side.index(sentence(zoe, "same email")) < side.index(sentence(both, "same phone and email"))


def test_another_stores_customer_with_that_phone_is_never_named(world: World) -> None:
    zoe = make_customer(world.a, world.a_owner, first_name="Zoë", last_name="Goldberg", phones=[ZOE_PHONE])
    bernadette = make_customer(world.b, world.b_owner, first_name="Bernadette", last_name="Bijou", phones=[ZOE_PHONE])
    conversation_id, _answers = chat_as(world.a, "Zoe", phone="(914) 555-0110")
    new = chat_customer(world, conversation_id)

    side = browser_client(world.a_owner).get(f"/inbox/{conversation_id}/").content.decode()
    assert sentence(zoe, "same phone") in side
    assert "Bernadette" not in side
    assert f"/customers/{bernadette.pk}/" not in side
    # A visitor to store B's website with that phone is pointed at store B's customer, never at Zoë.
    b_id, _answers = chat_as(world.b, "Zoe", phone="+1 914 555 0110")
    b_side = browser_client(world.b_owner).get(f"/inbox/{b_id}/").content.decode()
    assert sentence(bernadette, "same phone") in b_side
    assert "Goldberg" not in b_side
    # Alone in the book, the visitor is nobody's possible match: store B's customer does not count.
    with scope(store=world.a):
        customer_merge(store=world.a, actor=world.a_owner.user, customer=zoe, other=new, choices={})
    lone_id, _answers = chat_as(world.a, "Zoe again", phone="+19145550111")
    lone = browser_client(world.a_owner).get(f"/inbox/{lone_id}/").content.decode()
    assert "Possibly the same person" not in lone


def test_an_associate_sees_the_hint_and_who_can_merge_but_no_merge_button(world: World) -> None:
    zoe = make_customer(world.a, world.a_owner, first_name="Zoë", last_name="Goldberg", phones=[ZOE_PHONE])
    conversation_id, _answers = chat_as(world.a, "Zoe", phone="(914) 555-0110")

    side = browser_client(world.a_associate).get(f"/inbox/{conversation_id}/").content.decode()
    assert sentence(zoe, "same phone") in side
    assert "If so, an owner or a manager can merge the two records." in side
    assert "Compare and merge" not in side
    assert "/merge/" not in side


def test_once_merged_the_hint_is_gone_and_the_conversation_is_hers(world: World) -> None:
    zoe = make_customer(world.a, world.a_owner, first_name="Zoë", last_name="Goldberg", phones=[ZOE_PHONE])
    conversation_id, _answers = chat_as(world.a, "Zoe", phone="(914) 555-0110")
    new = chat_customer(world, conversation_id)
    client = browser_client(world.a_manager)

    response = client.post(
        f"/customers/{zoe.pk}/merge/{new.pk}/", {"first_name": "kept", "last_name": "kept", "source": "kept"}
    )
    assert response.status_code == 302
    assert chat_customer(world, conversation_id).pk == zoe.pk
    side = client.get(f"/inbox/{conversation_id}/").content.decode()
    assert "Possibly the same person" not in side
    assert "Possibly the same person" not in client.get(f"/customers/{zoe.pk}/").content.decode()


def test_records_staff_added_and_erased_customers_are_not_possible_matches(world: World) -> None:
    # Two people sharing a home phone, added by staff on purpose: no hint on either.
    ruth = make_customer(world.a, world.a_owner, first_name="Ruth", last_name="Stern", phones=[ZOE_PHONE])
    saul = make_customer(world.a, world.a_owner, first_name="Saul", last_name="Stern", phones=[ZOE_PHONE])
    client = browser_client(world.a_owner)
    assert "Possibly the same person" not in client.get(f"/customers/{saul.pk}/").content.decode()
    # An erased customer had the visitor's email: the erasure removed it, and the row is never named.
    gone = make_customer(world.a, world.a_owner, first_name="Gone", last_name="Person", emails=["gone@example.com"])
    with scope(store=world.a):
        customer_erase(store=world.a, actor=world.a_owner.user, customer=gone)
    conversation_id, _answers = chat_as(world.a, "Zoe", phone="(914) 555-0110", email="gone@example.com")

    side = client.get(f"/inbox/{conversation_id}/").content.decode()
    assert sentence(ruth, "same phone") in side
    assert sentence(saul, "same phone") in side
    assert f"/customers/{gone.pk}/" not in side


def test_finding_possible_matches_is_one_query_per_kind_of_address(
    world: World, django_assert_num_queries: Any
) -> None:
    zoe = make_customer(world.a, world.a_owner, first_name="Zoë", phones=[ZOE_PHONE], emails=["zoe@example.com"])
    by_phone, _answers = chat_as(world.a, "Zoe", phone=ZOE_PHONE)
    by_both, _answers = chat_as(world.a, "Zoe", phone=ZOE_PHONE, email="zoe@example.com")
    with scope(store=world.a):
        phone_only = customer_profile(customer=chat_customer(world, by_phone))
        both = customer_profile(customer=chat_customer(world, by_both))
        with django_assert_num_queries(1):
            matches = customer_possible_matches(store=world.a, profile=phone_only)
        # Two chat records of one person point at each other; the merge keeps the older.
        assert [(m.customer.pk, m.same_phone, m.same_email, m.merge_into, m.merge_other) for m in matches] == [
            (zoe.pk, True, False, zoe.pk, phone_only.customer.pk),
            (both.customer.pk, True, False, phone_only.customer.pk, both.customer.pk),
        ]
        with django_assert_num_queries(2):
            matches = customer_possible_matches(store=world.a, profile=both)
        assert [(m.customer.pk, m.same_phone, m.same_email) for m in matches] == [
            (zoe.pk, True, True),
            (phone_only.customer.pk, True, False),
        ]


# ---- the partner and the customer's time of day -------------------------------------------------------


def text_conversation(store: Any, customer: Any) -> int:
    """The customer texts the store; the conversation's id."""
    with scope(store=store):
        message, _created = message_receive(
            store=store,
            channel="sms",
            from_address=customer.phones.first().e164,
            body="Perfect, see you Saturday at 11. Could my husband come along?",
            provider="sandbox",
            provider_id=f"SM{customer.pk}",
        )
    return int(message.conversation_id)


def zsofia_and_gabor(world: World, **fields: Any) -> tuple[Any, Any, int]:
    """Zsófia in Budapest, her husband Gábor a customer too, and her text about him: (her, him, conversation id)."""
    gabor = make_customer(world.a, world.a_owner, first_name="Gábor", last_name="Szirmay", phones=["+36301234567"])
    zsofia = make_customer(
        world.a,
        world.a_owner,
        first_name="Zsófia",
        last_name="Szirmay",
        phones=["+36209876543"],
        time_zone="Europe/Budapest",
        partner_id=gabor.pk,
        **fields,
    )
    return zsofia, gabor, text_conversation(world.a, zsofia)


# Tuesday 24 November 2026, 15:05 UTC: 10:05 in New York, 16:05 in Budapest, 00:05 on Wednesday in Tokyo.
AT = dt.datetime(2026, 11, 24, 15, 5, tzinfo=dt.UTC)


def test_the_side_panel_shows_the_partner_linked_and_the_customers_local_time(world: World) -> None:
    _zsofia, gabor, conversation_id = zsofia_and_gabor(world)
    with time_machine.travel(AT, tick=False):
        side = browser_client(world.a_associate).get(f"/inbox/{conversation_id}/").content.decode()
    assert f'<li id="partner">Partner: <a href="/customers/{gabor.pk}/">Gábor Szirmay</a></li>' in side
    assert '<p class="small" id="local-time">Local time 4:05\u202fPM (Budapest)</p>' in side


def test_a_partner_known_by_name_only_and_a_customer_in_the_stores_time_show_no_link_and_no_clock(
    world: World,
) -> None:
    # Store B is in Paris: a customer in Budapest keeps the same time there, so no clock is shown.
    marta = make_customer(
        world.b,
        world.b_owner,
        first_name="Márta",
        last_name="Kovács",
        phones=["+33612345678"],
        time_zone="Europe/Budapest",
        partner_name="Péter Kovács",
    )
    conversation_id = text_conversation(world.b, marta)
    with time_machine.travel(AT, tick=False):
        side = browser_client(world.b_owner).get(f"/inbox/{conversation_id}/").content.decode()
    assert '<li id="partner">Partner: Péter Kovács</li>' in side
    assert 'id="local-time"' not in side


def test_the_local_time_names_the_day_when_it_is_another_day_there(world: World) -> None:
    yuko = make_customer(
        world.a, world.a_owner, first_name="Yūko", last_name="Satō", phones=["+819012345678"], time_zone="Asia/Tokyo"
    )
    conversation_id = text_conversation(world.a, yuko)
    with time_machine.travel(AT, tick=False):
        side = browser_client(world.a_owner).get(f"/inbox/{conversation_id}/").content.decode()
        profile = browser_client(world.a_owner).get(f"/customers/{yuko.pk}/").content.decode()
    assert '<p class="small" id="local-time">Local time Wed 12:05\u202fAM (Tokyo)</p>' in side
    assert "their time Wed 12:05\u202fAM" in profile
    assert 'id="partner"' not in side
