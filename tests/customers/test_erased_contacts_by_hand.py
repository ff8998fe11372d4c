"""An erased customer's phone or email is never typed back in by hand: quick add, the profile's
forms and the API refuse it with the day of the erasure; another store, and the person writing in
themselves, are unaffected (ADR 0006, amendment "suppressed by hand")."""

from __future__ import annotations

import pytest
from django_scopes import scope, scopes_disabled

from tests.conftest import World, api, browser_client, make_customer
from tests.customers.test_api_support import assert_error, book, post
from trunkshow.core.templatetags.trunkshow import store_day
from trunkshow.customers.models import Customer
from trunkshow.customers.privacy import customer_erase
from trunkshow.messaging.services import message_receive

PHONE = "+19145550177"
EMAIL = "gone@example.com"


@pytest.fixture
def erased_on(world: World) -> str:
    """Store A's customer with PHONE and EMAIL, erased at their request: the day the pages say."""
    gone = make_customer(world.a, world.a_owner, first_name="Gone", last_name="Away", phones=[PHONE], emails=[EMAIL])
    with scope(store=world.a):
        gone = customer_erase(store=world.a, actor=world.a_owner.user, customer=gone)
    return store_day(world.a, gone.erased_at)


def phone_refused(day: str) -> str:
    return f"This number belonged to a customer erased on {day} at their request, so it cannot be added again."


def email_refused(day: str) -> str:
    return f"This email address belonged to a customer erased on {day} at their request, so it cannot be added again."


def test_quick_add_with_an_erased_customers_phone_is_refused_saying_when_and_nothing_is_saved(
    world: World, erased_on: str
):
    before = book(world.a)
    response = browser_client(world.a_associate).post(
        "/customers/new/",
        {"first_name": "Gone", "last_name": "Again", "reach": "phone", "phone": "(914) 555-0177", "source": "walk_in"},
    )
    assert response.status_code == 400
    page = response.content.decode()
    assert phone_refused(erased_on) in page
    assert "Away" not in page  # nothing else of theirs is said
    assert book(world.a) == before


def test_the_api_refuses_an_erased_customers_phone_and_email_naming_each_field(world: World, erased_on: str):
    before = book(world.a)
    response = post(
        api(world.a_owner),
        "",
        {"first_name": "Gone", "phones": [{"number": "(914) 555-0177"}], "emails": [{"address": "Gone@Example.com"}]},
    )
    error = assert_error(response, 400, "invalid", ["phones.0.number", "emails.0.address"])
    assert error["fields"] == {
        "phones.0.number": [phone_refused(erased_on)],
        "emails.0.address": [email_refused(erased_on)],
    }
    assert book(world.a) == before


def test_adding_an_erased_number_or_email_to_a_customer_is_refused_in_the_api_and_on_the_profile(
    world: World, erased_on: str
):
    kati = make_customer(world.a, world.a_owner, first_name="Kati", phones=["+19145550142"])
    before = book(world.a)
    client = api(world.a_owner)
    phone = post(client, f"/{kati.pk}/phones", {"number": "914-555-0177"})
    assert assert_error(phone, 400, "invalid", ["number"])["fields"] == {"number": [phone_refused(erased_on)]}
    email = post(client, f"/{kati.pk}/emails", {"address": EMAIL})
    assert assert_error(email, 400, "invalid", ["address"])["fields"] == {"address": [email_refused(erased_on)]}
    browser = browser_client(world.a_associate)
    response = browser.post(f"/customers/{kati.pk}/phones/", {"number": "(914) 555-0177", "label": "mobile"})
    assert response.status_code == 302
    assert phone_refused(erased_on) in browser.get(response["Location"]).content.decode()
    assert book(world.a) == before
    # Another store's user finds no such customer to add to.
    assert post(api(world.b_owner), f"/{kati.pk}/phones", {"number": "914-555-0177"}).status_code == 404


def test_another_store_adds_the_same_number_and_email_freely(world: World, erased_on: str):
    response = post(
        api(world.b_owner), "", {"first_name": "Other", "phones": [{"number": PHONE}], "emails": [{"address": EMAIL}]}
    )
    assert response.status_code == 201, response.content
    with scopes_disabled():
        assert Customer.objects.filter(store=world.b, phones__e164=PHONE, emails__address=EMAIL).count() == 1


def test_the_person_writing_in_themselves_is_still_received(world: World, erased_on: str):
    with scope(store=world.a):
        message, _new = message_receive(
            store=world.a, channel="sms", from_address=PHONE, body="Hello again", provider="twilio", provider_id="SM1"
        )
        assert list(message.conversation.customer.phones.values_list("e164", flat=True)) == [PHONE]
