"""'Not the same person' under a possible match: staff say a chat visitor is someone else, and that
pair is never suggested again (ADR 0009), through the pages a person uses."""

from __future__ import annotations

from typing import Any

from django.test import Client
from django_scopes import scope, scopes_disabled

from tests.conftest import World, browser_client, make_customer
from tests.inbox.test_conversation_side import ZOE_PHONE, chat_as, chat_customer, sentence
from trunkshow.core.models import AuditEntry
from trunkshow.customers.merging import customer_merge
from trunkshow.customers.models import DistinctPair


def pairs(store: Any) -> list[tuple[int, int, Any]]:
    with scopes_disabled():
        return list(DistinctPair.objects.filter(store=store).order_by("id").values_list("customer", "other", "actor"))


def told_apart_entries(store: Any) -> list[tuple[Any, str, dict[str, Any]]]:
    with scopes_disabled():
        return list(
            AuditEntry.objects.filter(store=store, action="trunkshow.customer.told_apart").values_list(
                "actor", "object_id", "data"
            )
        )


def test_an_associate_says_the_chat_visitor_is_not_the_same_person_and_the_match_is_gone(world: World) -> None:
    zoe = make_customer(world.a, world.a_owner, first_name="Zoë", last_name="Goldberg", phones=[ZOE_PHONE])
    conversation_id, _answers = chat_as(world.a, "Zoe", phone="(914) 555-0110")
    new = chat_customer(world, conversation_id)
    client = browser_client(world.a_associate)
    page = client.get(f"/inbox/{conversation_id}/").content.decode()
    # Twice in the page (at the top of the thread for phones, in the side panel for a desk), a plain form each.
    form = f'action="/customers/{new.pk}/not-same/{zoe.pk}/"'
    assert page.count(form) == 2
    assert page.count(f'<input type="hidden" name="next" value="/inbox/{conversation_id}/">') == 2

    response = client.post(f"/customers/{new.pk}/not-same/{zoe.pk}/", {"next": f"/inbox/{conversation_id}/"})

    assert response.status_code == 302
    assert response["Location"] == f"/inbox/{conversation_id}/"
    after = client.get(response["Location"]).content.decode()
    assert "Noted: Zoe and Zoë Goldberg are different people. They will not be suggested as a match again." in after
    assert "Possibly the same person" not in after
    assert "Possibly the same person" not in client.get(f"/customers/{new.pk}/").content.decode()
    assert pairs(world.a) == [(min(zoe.pk, new.pk), max(zoe.pk, new.pk), world.a_associate.user.pk)]
    assert told_apart_entries(world.a) == [(world.a_associate.user.pk, str(new.pk), {"other_customer_id": zoe.pk})]
    # Shown to owners in the audit log, by numbers only.
    audit = browser_client(world.a_owner).get("/audit/").content.decode()
    assert "Customers marked as different people" in audit
    assert f"Customer no. {new.pk} is not no. {zoe.pk}" in audit


def test_saying_it_again_changes_nothing_and_from_the_profile_it_returns_to_the_profile(world: World) -> None:
    zoe = make_customer(world.a, world.a_owner, first_name="Zoë", last_name="Goldberg", phones=[ZOE_PHONE])
    conversation_id, _answers = chat_as(world.a, "Zoe", phone="(914) 555-0110")
    new = chat_customer(world, conversation_id)
    client = browser_client(world.a_manager)
    profile = client.get(f"/customers/{new.pk}/").content.decode()
    assert profile.count(f'action="/customers/{new.pk}/not-same/{zoe.pk}/"') == 1

    first = client.post(f"/customers/{new.pk}/not-same/{zoe.pk}/", {"next": f"/customers/{new.pk}/"})
    # From the other side of the pair, and with a next that leads off the site: back to the profile.
    again = client.post(f"/customers/{zoe.pk}/not-same/{new.pk}/", {"next": "https://evil.example/phish"})

    assert first["Location"] == f"/customers/{new.pk}/"
    assert again.status_code == 302 and again["Location"] == f"/customers/{zoe.pk}/"
    assert len(pairs(world.a)) == 1
    assert len(told_apart_entries(world.a)) == 1


def test_only_the_pair_told_apart_stops_being_a_possible_match(world: World) -> None:
    zoe = make_customer(world.a, world.a_owner, first_name="Zoë", last_name="Goldberg", phones=[ZOE_PHONE])
    ruth = make_customer(world.a, world.a_owner, first_name="Ruth", last_name="Stern", phones=[ZOE_PHONE])
    conversation_id, _answers = chat_as(world.a, "Zoe", phone="(914) 555-0110")
    new = chat_customer(world, conversation_id)
    client = browser_client(world.a_owner)

    client.post(f"/customers/{new.pk}/not-same/{ruth.pk}/")

    side = client.get(f"/inbox/{conversation_id}/").content.decode()
    assert sentence(zoe, "same phone") in side
    assert f"/customers/{ruth.pk}/" not in side
    # Another chat visitor with that phone is still told about both: the decision was about one pair.
    other_id, _answers = chat_as(world.a, "Zoe again", phone="(914) 555-0110")
    other_side = client.get(f"/inbox/{other_id}/").content.decode()
    assert sentence(zoe, "same phone") in other_side
    assert sentence(ruth, "same phone") in other_side


def test_a_merge_keeps_what_was_told_apart_for_the_survivor_and_drops_the_merged_pair(world: World) -> None:
    zoe = make_customer(world.a, world.a_owner, first_name="Zoë", last_name="Goldberg", phones=[ZOE_PHONE])
    ruth = make_customer(world.a, world.a_owner, first_name="Ruth", last_name="Stern", phones=[ZOE_PHONE])
    visitor_id, _answers = chat_as(world.a, "Zoe", phone="(914) 555-0110")
    visitor = chat_customer(world, visitor_id)
    second_id, _answers = chat_as(world.a, "Zoe", phone="(914) 555-0110")
    second = chat_customer(world, second_id)
    client = browser_client(world.a_owner)
    client.post(f"/customers/{visitor.pk}/not-same/{ruth.pk}/")
    client.post(f"/customers/{visitor.pk}/not-same/{second.pk}/")

    with scope(store=world.a):
        customer_merge(store=world.a, actor=world.a_owner.user, customer=zoe, other=visitor, choices={})
        customer_merge(store=world.a, actor=world.a_owner.user, customer=zoe, other=second, choices={})

    # Zoe (the visitor) is Zoë and not Ruth, so Zoë is not Ruth; the visitor and the second were merged
    # into Zoë after all, so that pair is gone rather than Zoë "not being" herself.
    assert [(c, o) for c, o, _actor in pairs(world.a)] == [(min(zoe.pk, ruth.pk), max(zoe.pk, ruth.pk))]


def test_a_get_changes_nothing_and_the_form_needs_its_csrf_token(world: World) -> None:
    zoe = make_customer(world.a, world.a_owner, first_name="Zoë", last_name="Goldberg", phones=[ZOE_PHONE])
    conversation_id, _answers = chat_as(world.a, "Zoe", phone="(914) 555-0110")
    new = chat_customer(world, conversation_id)
    url = f"/customers/{new.pk}/not-same/{zoe.pk}/"

    assert browser_client(world.a_owner).get(url).status_code == 405
    forged = Client(enforce_csrf_checks=True)
    forged.force_login(world.a_owner.user)
    assert forged.post(url).status_code == 403
    assert browser_client(world.a_owner).post(f"/customers/{new.pk}/not-same/{new.pk}/").status_code == 302
    assert Client().post(url).status_code == 302  # to the login page
    assert pairs(world.a) == []
    assert told_apart_entries(world.a) == []


def test_store_b_cannot_tell_apart_store_a_customers(world: World) -> None:
    zoe = make_customer(world.a, world.a_owner, first_name="Zoë", last_name="Goldberg", phones=[ZOE_PHONE])
    conversation_id, _answers = chat_as(world.a, "Zoe", phone="(914) 555-0110")
    new = chat_customer(world, conversation_id)
    bea = make_customer(world.b, world.b_owner, first_name="Béa", phones=[ZOE_PHONE])
    client = browser_client(world.b_owner)

    assert client.post(f"/customers/{new.pk}/not-same/{zoe.pk}/").status_code == 404
    assert client.post(f"/customers/{bea.pk}/not-same/{zoe.pk}/").status_code == 404
    assert pairs(world.a) == [] and pairs(world.b) == []
    assert (
        "Possibly the same person" in browser_client(world.a_owner).get(f"/inbox/{conversation_id}/").content.decode()
    )
