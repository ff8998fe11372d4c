"""Tenancy for every customers endpoint: another store's ids are a 404 in the envelope, and nothing changes."""

from __future__ import annotations

import pytest

from tests.conftest import World, api
from tests.customers.test_api_support import (
    ALL_OPERATIONS,
    CUSTOMER_OPERATIONS,
    assert_error,
    book,
    call,
    full_customer,
    get,
    operation_id,
    patch,
    post,
)

CHILD_OPERATIONS = [op for op in CUSTOMER_OPERATIONS if op[1].count("{") == 2]


@pytest.fixture
def two_books(world: World):
    """A full customer in each store, and a second one in store A."""
    return (
        full_customer(world.a, world.a_owner, first_name="Ana", last_name="Client"),
        full_customer(world.b, world.b_owner, first_name="Béatrice", last_name="Cliente"),
        full_customer(world.a, world.a_owner, first_name="Other", last_name="Client"),
    )


def test_every_customer_endpoint_is_in_the_tenancy_table(client):
    documented = client.get("/api/v1/openapi.json").json()["paths"]
    ours = {
        (method, path.removeprefix("/api/v1/customers"))
        for path, operations in documented.items()
        if path.startswith("/api/v1/customers")
        for method in operations
    }
    assert ours == {(method, path) for method, path, _body in ALL_OPERATIONS}


@pytest.mark.parametrize("op", CUSTOMER_OPERATIONS, ids=operation_id)
@pytest.mark.parametrize("person", ["a_owner", "a_associate"])
def test_store_a_staff_get_404_for_every_store_b_id(world: World, two_books, op, person):
    _a, b, _other = two_books
    before_a, before_b = book(world.a), book(world.b)
    response = call(api(getattr(world, person)), op, b)
    error = assert_error(response, 404, "not_found", fields=[])
    assert error["message"] == "Not found."
    assert "Béatrice" not in response.content.decode()
    assert (book(world.a), book(world.b)) == (before_a, before_b)


@pytest.mark.parametrize("op", CHILD_OPERATIONS, ids=operation_id)
def test_a_store_b_child_id_under_a_store_a_customer_is_a_404(world: World, two_books, op):
    a, b, _other = two_books
    ids = {**b, "customer_id": a["customer_id"]}
    before_a, before_b = book(world.a), book(world.b)
    assert_error(call(api(world.a_owner), op, ids), 404, "not_found", fields=[])
    assert (book(world.a), book(world.b)) == (before_a, before_b)


@pytest.mark.parametrize("op", CHILD_OPERATIONS, ids=operation_id)
def test_another_customers_child_id_in_the_same_store_is_a_404(world: World, two_books, op):
    a, _b, other = two_books
    ids = {**other, "customer_id": a["customer_id"]}
    before = book(world.a)
    assert_error(call(api(world.a_owner), op, ids), 404, "not_found", fields=[])
    assert book(world.a) == before


@pytest.mark.parametrize("op", CUSTOMER_OPERATIONS, ids=operation_id)
def test_the_same_call_on_the_own_store_works(world: World, two_books, op):
    """The control for the 404s above: the table's requests are valid for the right store."""
    a, _b, other = two_books
    response = call(api(world.a_owner), op, {**a, "other_customer_id": other["customer_id"]})
    assert response.status_code in (200, 201, 204), response.content


@pytest.mark.parametrize("customer_id", ["0", "99999999", "9223372036854775808", "99999999999999999999999"])
def test_ids_that_name_nobody_are_a_404(world: World, customer_id: str):
    assert_error(get(api(world.a_owner), f"/{customer_id}"), 404, "not_found")


def test_store_b_staff_cannot_read_store_a_customers_either(world: World, two_books):
    a, _b, _other = two_books
    assert_error(get(api(world.b_associate), f"/{a['customer_id']}"), 404, "not_found")
    assert [row["first_name"] for row in get(api(world.b_associate), "").json()["items"]] == ["Béatrice"]


def test_another_stores_customer_cannot_be_named_as_partner(world: World, two_books):
    a, b, _other = two_books
    before_a, before_b = book(world.a), book(world.b)
    client = api(world.a_owner)
    created = post(client, "", {"first_name": "Eve", "partner_id": b["customer_id"]})
    changed = patch(client, f"/{a['customer_id']}", {"partner_id": b["customer_id"]})
    for response in (created, changed):
        error = assert_error(response, 400, "invalid", fields=["partner_id"])
        assert error["fields"]["partner_id"] == ["No customer with this id in this store."]
    assert (book(world.a), book(world.b)) == (before_a, before_b)


def test_another_stores_staff_cannot_be_assigned_or_credited_with_a_sale(world: World, two_books):
    a, _b, _other = two_books
    before = book(world.a)
    client = api(world.a_owner)
    bo = world.b_associate.user.pk
    assigned = patch(client, f"/{a['customer_id']}", {"assigned_associate_id": bo})
    sold = post(
        client,
        f"/{a['customer_id']}/purchases",
        {"purchased_on": "2025-01-01", "items": [{"description": "Ring"}], "amount": 10, "associate_id": bo},
    )
    assert_error(assigned, 400, "invalid", fields=["assigned_associate_id"])
    assert_error(sold, 400, "invalid", fields=["associate_id"])
    assert book(world.a) == before
