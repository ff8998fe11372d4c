"""What point-of-sale exports write around their values: Shopify's apostrophe that keeps a zip
code's leading 0 ('02118), Square's "Street Address 1/2" columns and its subscription words."""

from __future__ import annotations

import pytest
from django_scopes import scopes_disabled

from tests.conftest import World
from tests.customers.import_support import import_file, outcomes, upload
from trunkshow.customers.importing import mapping
from trunkshow.customers.models import ConsentEvent, Customer

SHOPIFY_NEW = (
    b"Customer ID,First Name,Last Name,Email,Accepts Email Marketing,Default Address Address1,"
    b"Default Address City,Default Address Province Code,Default Address Country Code,Default Address Zip,"
    b"Phone,Total Spent,Note\n"
    b"'7012345678901,Lena,Fischer,lena@example.com,yes,22 Oak St,Boston,MA,US,'02118,'+16175550111,'340.00,"
    b"'90s hoops\n"
)

SQUARE = (
    b"First Name,Last Name,Email Address,Phone Number,Nickname,Street Address 1,Street Address 2,City,State,"
    b"Postal Code,Memo,Square Customer ID,Total Spend,Email Subscription Status\n"
    b"Maria,Lopez,maria@example.com,+1 212-555-0199,Mari,1 Park Ave,Apt 5,New York,NY,10016,Likes hoops,ABC123,"
    b'"$1,250.00",subscribed\n'
    b"Peter,Smith,peter@example.com,2125550198,,,,,,,,DEF456,$80.00,unsubscribed\n"
)


def test_shopify_s_apostrophe_keeps_the_zip_code_and_leaves_a_note_alone(world: World):
    job = import_file(world.a, world.a_owner, SHOPIFY_NEW)
    assert outcomes(job) == [(2, "created", "")]
    with scopes_disabled():
        lena = Customer.objects.get(store=world.a)
        assert (lena.postal_code, lena.imported_spend, lena.address_line1) == ("02118", 340, "22 Oak St")
        assert list(lena.phones.values_list("e164", flat=True)) == ["+16175550111"]
        # A note's own apostrophe is the customer's words, not a spreadsheet's marker.
        assert list(lena.notes.values_list("body", flat=True)) == ["'90s hoops"]


def test_square_s_columns_are_guessed_and_imported(world: World):
    job = upload(world.a, world.a_owner, SQUARE, name="square.csv")
    assert {column: field for column, field in job.mapping.items() if field} == {
        "First Name": "first_name",
        "Last Name": "last_name",
        "Email Address": "email",
        "Phone Number": "phone",
        "Nickname": "preferred_name",
        "Street Address 1": "address_line1",
        "Street Address 2": "address_line2",
        "City": "city",
        "State": "region",
        "Postal Code": "postal_code",
        "Memo": "note",
        "Total Spend": "total_spent",
        "Email Subscription Status": "accepts_email_marketing",
    }
    job = import_file(world.a, world.a_owner, SQUARE)
    assert [outcome for _line, outcome, _message in outcomes(job)] == ["created", "created"]
    with scopes_disabled():
        maria = Customer.objects.get(store=world.a, first_name="Maria")
        assert (maria.address_line1, maria.address_line2, maria.city, maria.region, maria.postal_code) == (
            "1 Park Ave",
            "Apt 5",
            "New York",
            "NY",
            "10016",
        )
        assert list(ConsentEvent.objects.filter(store=world.a).values_list("customer__first_name", "action")) == [
            ("Maria", "granted")
        ]


@pytest.mark.parametrize(
    ("cell", "first", "last"),
    [
        ("Katalin Szirmay", "Katalin", "Szirmay"),
        ("Anna Maria de la Cruz", "Anna Maria", "de la Cruz"),
        ("Ludwig van Beethoven", "Ludwig", "van Beethoven"),
        ("Maria da Silva Santos", "Maria", "da Silva Santos"),
        ("Szirmay, Katalin", "Katalin", "Szirmay"),
        ("de la Cruz, Anna Maria", "Anna Maria", "de la Cruz"),
        ("Jean Paul Sartre", "Jean Paul", "Sartre"),
        ("Cher", "Cher", ""),
        ("Cher,", "Cher", ""),
        ("Anna De", "Anna", "De"),
    ],
)
def test_a_full_name_cell_is_split_where_the_family_name_starts(cell: str, first: str, last: str):
    assert mapping.split_full_name(cell) == (first, last)
