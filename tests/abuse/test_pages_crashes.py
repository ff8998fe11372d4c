"""Staff pages that answer 500 or a wrong message for input a person (or a forged request) can send."""

from __future__ import annotations

import base64
from typing import Any

import pytest
from django.test import Client

from tests.conftest import World, browser_client, make_customer
from tests.customers.test_api_support import book


def quiet(client: Any) -> Any:
    client.raise_request_exception = False
    return client


def position(raw: str) -> str:
    """A list page cursor as the page encodes one ("sort name", 0x1f, id)."""
    return base64.urlsafe_b64encode(raw.encode()).decode().rstrip("=")


def test_login_with_a_nul_in_the_email_is_a_400_not_a_500(world: World):
    # Anyone, without an account. Today on PostgreSQL: 500 (login_retry_after queries LoginFailure
    # with the raw POSTed email before the form has refused the NUL).
    response = quiet(Client()).post("/login/", {"email": "ana\x00@atelier.example.com", "password": "guess"})
    assert response.status_code == 400


@pytest.mark.parametrize(
    ("path", "params"),
    [
        ("/customers/", {"q": "Clara\x00"}),
        ("/customers/", {"q": "Clara\x00", "partial": "1"}),
        ("/customers/pick/", {"q": "Clara\x00"}),
        ("/customers/", {"after": position("berg\x00\x1f1")}),
        ("/customers/", {"before": position("berg\x00\x1f1")}),
    ],
    ids=["list-q", "results-q", "pick-q", "after", "before"],
)
def test_a_nul_in_a_list_query_is_not_a_500(world: World, path: str, params: dict[str, str]):
    # Today on PostgreSQL: 500 (DataError: PostgreSQL text fields cannot contain NUL (0x00) bytes).
    make_customer(world.a)
    response = quiet(browser_client(world.a_owner)).get(path, params)
    assert response.status_code in (200, 400)


@pytest.mark.parametrize("partner_id", ["²", "①"])
def test_a_unicode_digit_as_partner_number_is_a_form_error(world: World, partner_id: str):
    # Today "²" and "①" answer 500: str.isdigit() is true for them but int() refuses them
    # (customers/views.py customer_edit, after the form has already rejected the value).
    customer = make_customer(world.a)
    before = book(world.a)
    response = quiet(browser_client(world.a_owner)).post(
        f"/customers/{customer.pk}/edit/", {"first_name": "Clara", "source": "walk_in", "partner_id": partner_id}
    )
    assert response.status_code == 400
    assert book(world.a) == before


@pytest.mark.parametrize(("kind", "system"), [("ring", "EU"), ("necklace", "cm")])
def test_a_size_of_nan_on_the_profile_is_a_form_error(world: World, kind: str, system: str):
    # Today: 500 (decimal.InvalidOperation in validate_size).
    customer = make_customer(world.a)
    before = book(world.a)
    client = quiet(browser_client(world.a_owner))
    response = client.post(f"/customers/{customer.pk}/sizes/", {"kind": kind, "system": system, "value": "NaN"})
    # Refused: back to the profile, where the form shows why.
    assert (response.status_code, response["Location"]) == (302, f"/customers/{customer.pk}/#add-size-errors")
    page = client.get(response["Location"])
    assert page.status_code == 200
    assert 'id="size_value_error"' in page.content.decode()
    assert book(world.a) == before


def test_switching_to_a_huge_store_number_is_a_404(world: World):
    # Today on SQLite: 500 (OverflowError: Python int too large to convert to SQLite INTEGER).
    response = quiet(browser_client(world.a_owner)).post("/account/store/", {"store": "9" * 30})
    assert response.status_code == 404


@pytest.mark.parametrize("amount", ["NaN", "Infinity", "-Infinity"])
def test_an_amount_that_is_not_a_number_is_not_called_negative(world: World, amount: str):
    # Today: 400 "The amount cannot be negative." for NaN and Infinity, which says the wrong thing.
    customer = make_customer(world.a)
    before = book(world.a)
    client = browser_client(world.a_owner)
    response = client.post(
        f"/customers/{customer.pk}/purchases/",
        {"purchased_on": "2024-01-01", "items": "Opal ring", "amount": amount, "currency": "USD"},
        follow=True,
    )
    assert response.redirect_chain == [(f"/customers/{customer.pk}/#add-purchase-errors", 302)]
    page = response.content.decode()
    assert 'id="purchase_amount_error"' in page
    assert "cannot be negative" not in page
    assert book(world.a) == before
