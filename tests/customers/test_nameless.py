"""Someone who texts in before saying who they are: a customer without a name, shown by their
number as the store writes it, with a neutral avatar, after the named in the list's name sort,
and still found by search; rows made the old way (named "+12125550188") are mended by 0010."""

from __future__ import annotations

import importlib
import re

from django.apps import apps
from django_scopes import scope, scopes_disabled

from tests.conftest import World, api, browser_client, make_customer
from trunkshow.customers.models import NAMELESS_SORT, Customer
from trunkshow.customers.privacy import customer_erase
from trunkshow.customers.selectors import customer_search
from trunkshow.messaging.services import message_receive

mend = importlib.import_module("trunkshow.customers.migrations.0010_nameless_customers")


def _titles(html: str) -> list[tuple[str, str]]:
    """(avatar, title) of each row of the customer list, in order."""
    return re.findall(
        r'<span class="avatar" aria-hidden="true">([^<]*)</span>\s*<span class="item-main">\s*'
        r'<span class="item-title">([^<]*)</span>',
        html,
    )


def _texted_in(world: World, number: str) -> Customer:
    with scope(store=world.a):
        message, _created = message_receive(
            store=world.a,
            channel="sms",
            from_address=number,
            body="Is the ring still there?",
            provider="test",
            provider_id=f"t-{number}",
        )
        return message.conversation.customer


def test_an_unknown_texter_becomes_a_customer_without_a_name(world: World):
    customer = _texted_in(world, "+12125550188")
    assert (customer.first_name, customer.last_name, customer.preferred_name, customer.source) == ("", "", "", "chat")
    assert customer.sort_name == NAMELESS_SORT
    with scope(store=world.a):
        fresh = Customer.objects.get(pk=customer.pk)
        assert (fresh.display_name, fresh.initials, fresh.has_name) == ("(212) 555-0188", "?", False)


def test_the_list_shows_nameless_customers_by_their_number_after_the_named(world: World):
    make_customer(world.a, first_name="Zoë", last_name="Zimmer", phones=["+12125550100"])
    make_customer(world.a, first_name="Amara", last_name="Okafor")
    _texted_in(world, "+12125550188")
    _texted_in(world, "+442079460958")
    page = browser_client(world.a_associate)

    html = page.get("/customers/").content.decode()

    assert _titles(html) == [
        ("AO", "Amara Okafor"),
        ("ZZ", "Zoë Zimmer"),
        ("?", "(212) 555-0188"),
        ("?", "+44 20 7946 0958"),
    ]
    assert "+12125550188" not in html
    # Their line says what is missing instead of the number a second time.
    assert html.count("(212) 555-0188") == 1
    assert html.count("No name yet") == 2

    # The detail page calls them the same, in its title and heading.
    with scope(store=world.a):
        pk = customer_search(store=world.a, q="2125550188").get().pk
    detail = page.get(f"/customers/{pk}/").content.decode()
    assert "<title>(212) 555-0188" in detail
    assert re.search(r"<h1>\(212\) 555-0188</h1>", detail)


def test_the_name_sort_puts_the_nameless_last_and_search_still_finds_them(world: World):
    for i in range(3):
        make_customer(world.a, first_name=f"Ann{i}", last_name="Berg")
    _texted_in(world, "+12125550188")
    page = browser_client(world.a_associate)

    with scope(store=world.a):
        order = [c.display_name for c in customer_search(store=world.a)]
    assert order == ["Ann0 Berg", "Ann1 Berg", "Ann2 Berg", "(212) 555-0188"]
    # Ranked search by the number still finds them first, and a name query does not.
    with scope(store=world.a):
        assert [c.display_name for c in customer_search(store=world.a, q="212 555 0188")] == ["(212) 555-0188"]
        assert [c.display_name for c in customer_search(store=world.a, q="berg")] == [
            "Ann0 Berg",
            "Ann1 Berg",
            "Ann2 Berg",
        ]
    assert page.get("/customers/?sort=newest").status_code == 200


def test_0010_mends_customers_named_by_their_number(world: World):
    old = make_customer(world.a, first_name="", last_name="+12125550188", phones=["+12125550188"], source="chat")
    by_mail = make_customer(
        world.a, first_name="", last_name="visitor@example.net", emails=["visitor@example.net"], source="chat"
    )
    walk_in = make_customer(world.a, first_name="Plus", last_name="+1 Sign", source="walk_in")
    erased = make_customer(world.a, first_name="Gone", phones=["+12125550111"])
    with scope(store=world.a):
        customer_erase(store=world.a, actor=world.a_owner.user, customer=erased)
    with scopes_disabled():
        # What an empty name was sorted by before.
        Customer.objects.filter(pk__in=[old.pk, by_mail.pk]).update(sort_name="")
        before = Customer.objects.get(pk=old.pk)
        assert before.search_text == "+12125550188 12125550188"

        mend.forwards(apps, None)

        rows = {
            c.pk: (c.last_name, c.search_text, c.sort_name)
            for c in Customer.objects.filter(pk__in=[old.pk, by_mail.pk, walk_in.pk, erased.pk])
        }
    assert rows == {
        old.pk: ("", "12125550188", NAMELESS_SORT),
        by_mail.pk: ("", "visitor@example.net", NAMELESS_SORT),
        walk_in.pk: ("+1 Sign", walk_in.search_text, walk_in.sort_name),
        erased.pk: ("", "", ""),  # an erased record keeps no sort key
    }
    with scope(store=world.a):
        assert [c.pk for c in customer_search(store=world.a, q="2125550188")] == [old.pk]
        assert [c.pk for c in customer_search(store=world.a)] == [walk_in.pk, old.pk, by_mail.pk]


def test_the_inbox_calls_an_unknown_texter_by_their_number_too(world: World):
    customer = _texted_in(world, "+12125550188")
    with scope(store=world.a):
        conversation = customer.conversations.get()
    page = browser_client(world.a_associate)
    inbox = page.get("/inbox/").content.decode()
    assert re.search(r'<span class="avatar" aria-hidden="true">\?</span>', inbox)
    assert re.search(r'<span class="inbox-name">\(212\) 555-0188</span>', inbox)
    thread = page.get(f"/inbox/{conversation.pk}/").content.decode()
    assert "<title>(212) 555-0188 · Inbox" in thread


def test_the_api_list_names_them_as_the_pages_do(world: World):
    make_customer(world.a, first_name="Amara", last_name="Okafor")
    _texted_in(world, "+442079460958")
    client = api(world.a_associate)
    items = client.get("/api/v1/customers").json()["items"]
    assert [(i["display_name"], i["last_name"], i["phone"]) for i in items] == [
        ("Amara Okafor", "Okafor", None),
        ("+44 20 7946 0958", "", "+442079460958"),
    ]
