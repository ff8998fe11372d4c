"""Quick add of a walk-in who left only a name ("just looking, thanks"), and who their associate is."""

from __future__ import annotations

import json

import pytest
from django_scopes import scope, scopes_disabled

from tests.conftest import Person, World, api, browser_client
from trunkshow.customers.models import ConsentEvent, Customer, CustomerEmail, CustomerPhone


def _quick_add(person: Person, **data: str) -> tuple[int, Customer | None]:
    post = {"first_name": "", "last_name": "", "reach": "phone", "phone": "", "email": "", "source": "walk_in"}
    response = browser_client(person).post("/customers/new/", {**post, **data})
    with scopes_disabled():
        return response.status_code, Customer.objects.select_related("assigned_associate").order_by("-id").first()


def test_quick_add_keeps_a_walk_in_with_only_a_first_name(world: World):
    status, customer = _quick_add(world.a_associate, first_name="Mila", consent_sms="on")

    assert status == 302
    assert customer is not None
    assert (customer.first_name, customer.last_name, customer.store_id) == ("Mila", "", world.a.pk)
    with scopes_disabled():
        assert CustomerPhone.objects.count() == 0
        assert CustomerEmail.objects.count() == 0
        # A consent box ticked without a number is evidence of nothing: no ledger entry.
        assert ConsentEvent.objects.count() == 0


def test_quick_add_keeps_a_walk_in_with_only_a_last_name_on_the_email_tab(world: World):
    status, customer = _quick_add(world.a_owner, last_name="Okafor", reach="email")

    assert status == 302
    assert customer is not None
    assert (customer.first_name, customer.last_name) == ("", "Okafor")


def test_quick_add_without_any_name_or_contact_still_asks_for_a_name(world: World):
    response = browser_client(world.a_associate).post(
        "/customers/new/", {"first_name": "", "last_name": "", "reach": "phone", "phone": "", "source": "walk_in"}
    )

    assert response.status_code == 400
    assert "Enter a first or last name." in response.content.decode()
    with scopes_disabled():
        assert Customer.objects.count() == 0


def test_quick_add_with_a_known_phone_still_offers_the_existing_customer(world: World):
    _quick_add(world.a_associate, first_name="Ines", phone="(914) 555-0142")
    response = browser_client(world.a_associate).post(
        "/customers/new/", {"first_name": "Ines", "reach": "phone", "phone": "914 555 0142", "source": "walk_in"}
    )

    assert response.status_code == 409
    with scopes_disabled():
        assert Customer.objects.count() == 1


def test_an_associate_who_quick_adds_a_customer_is_their_associate(world: World):
    page = browser_client(world.a_associate).get("/customers/new/").content.decode()
    status, customer = _quick_add(world.a_associate, first_name="Mila")

    assert "You will be their associate: change it on their profile." in page
    assert status == 302
    assert customer is not None
    assert customer.assigned_associate == world.a_associate.user
    profile = browser_client(world.a_associate).get(f"/customers/{customer.pk}/").content.decode()
    assert "Associate: Ali Associate" in profile
    assert "No associate assigned" not in profile


@pytest.mark.parametrize("role", ["a_owner", "a_manager"])
def test_an_owner_or_manager_who_quick_adds_leaves_the_customer_unassigned(world: World, role: str):
    person = getattr(world, role)
    page = browser_client(person).get("/customers/new/").content.decode()
    status, customer = _quick_add(person, first_name="Mila")

    assert "No associate is assigned: choose one on their profile." in page
    assert status == 302
    assert customer is not None
    assert customer.assigned_associate is None


def _api_create(person: Person, body: dict[str, object]) -> tuple[int, dict[str, object]]:
    response = api(person).post("/api/v1/customers", json.dumps(body), content_type="application/json")
    return response.status_code, response.json()


def test_the_api_adds_a_customer_with_only_a_first_name_and_makes_the_associate_theirs(world: World):
    status, body = _api_create(world.a_associate, {"first_name": "Mila"})

    assert status == 201
    assert (body["first_name"], body["last_name"], body["phones"], body["emails"]) == ("Mila", "", [], [])
    assert body["assigned_associate"] == {"id": world.a_associate.user.pk, "name": "Ali Associate"}


def test_the_api_leaves_unassigned_when_asked_or_for_an_owner(world: World):
    status, chosen_none = _api_create(world.a_associate, {"first_name": "Mila", "assigned_associate_id": None})
    status_owner, by_owner = _api_create(world.a_owner, {"first_name": "Noor"})
    status_chosen, chosen = _api_create(
        world.a_owner, {"first_name": "Oda", "assigned_associate_id": world.a_associate.user.pk}
    )

    assert (status, status_owner, status_chosen) == (201, 201, 201)
    assert chosen_none["assigned_associate"] is None
    assert by_owner["assigned_associate"] is None
    assert chosen["assigned_associate"] == {"id": world.a_associate.user.pk, "name": "Ali Associate"}
    with scope(store=world.a):
        assert Customer.objects.filter(store=world.a).count() == 3
