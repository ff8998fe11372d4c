"""The customer book's services: validation, normalisation, duplicates, totals, the ledger."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django_scopes import scope, scopes_disabled

from tests.conftest import World, make_customer
from trunkshow.customers import services
from trunkshow.customers.models import AppendOnlyError, ConsentEvent, Customer, CustomerEdit
from trunkshow.customers.selectors import consent_current, customer_completeness, customer_search
from trunkshow.customers.timeline import customer_timeline


@pytest.fixture
def a_scope(world: World):
    with scope(store=world.a):
        yield world


def test_phone_in_any_format_is_stored_as_e164_with_the_store_region(a_scope: World):
    w = a_scope
    c = services.customer_create(
        store=w.a,
        actor=w.a_associate.user,
        first_name="Zoë",
        last_name="Müller",
        phones=["(914) 555-0142", "0044 20 7946 0958", {"number": "+33 1 42 68 53 00", "label": "work"}],
    )
    assert list(c.phones.values_list("e164", "label", "is_primary")) == [
        ("+19145550142", "mobile", True),
        ("+442079460958", "mobile", False),
        ("+33142685300", "work", False),
    ]


def test_the_same_number_in_store_b_uses_store_b_region(world: World):
    with scope(store=world.b):
        c = services.customer_create(store=world.b, actor=None, first_name="Luc", phones=["01 42 68 53 00"])
        assert c.phones.get().e164 == "+33142685300"


def test_email_is_normalised(a_scope: World):
    c = services.customer_create(store=a_scope.a, actor=None, first_name="Zoë", emails=["  Zoe.M@Example.COM "])
    assert c.emails.get().address == "zoe.m@example.com"


@pytest.mark.parametrize(
    ("fields", "field", "message"),
    [
        ({"birthday_day": 30, "birthday_month": 2}, "birthday", "February has no day 30."),
        ({"birthday_day": 31, "birthday_month": 4, "birthday_year": 1990}, "birthday", "April 1990 has no day 31."),
        ({"birthday_day": 29, "birthday_month": 2, "birthday_year": 2001}, "birthday", "February 2001 has no day 29."),
        ({"birthday_day": 1, "birthday_month": 1, "birthday_year": 2999}, "birthday", "This date is in the future."),
        ({"birthday_day": 1, "birthday_month": 13}, "birthday", "The month must be between 1 and 12."),
        ({"birthday_day": 1}, "birthday", "Give both the day and the month (the year is optional)."),
        ({"first_name": "x" * 101}, "first_name", "Use at most 100 characters (this has 101)."),
        ({"first_name": "Ann\nLee"}, "first_name", "Remove the control characters or line breaks from this field."),
        ({"first_name": ""}, "first_name", "Enter a first or last name."),
        ({"country": "XX"}, "country", "“XX” is not a two-letter country code such as FR or US."),
        (
            {"time_zone": "Mars/Olympus"},
            "time_zone",
            "“Mars/Olympus” is not a time zone; use a name like Europe/Paris.",
        ),
        (
            {"source": "tiktok"},
            "source",
            "Unknown source “tiktok”: use walk_in, web_form, giveaway, chat, import, referral, trade_show.",
        ),
        (
            {"preferred_channel": "pigeon"},
            "preferred_channel",
            "Unknown channel “pigeon”: use sms, email, whatsapp, phone, post.",
        ),
        (
            {"phones": ["12345"]},
            "phone",
            "“12345” is not a valid phone number (United States). Add the country code, like +1 201-555-0123.",
        ),
        (  # the country was typed: the digits are wrong, not a missing country code
            {"phones": ["+44 7700 90012"]},
            "phone",
            "“+44 7700 90012” is not a valid phone number (United Kingdom +44): check the digits.",
        ),
        (
            {"phones": ["0033 1 23"]},
            "phone",
            "“0033 1 23” is not a valid phone number (France +33): check the digits.",
        ),
        (
            {"emails": ["ann@"]},
            "email",
            "“ann@” is not a valid email address: There must be something after the @-sign.",
        ),
        ({"store_id": 2}, "store_id", "Unknown field."),
    ],
)
def test_bad_input_is_refused_with_a_specific_message_and_nothing_saved(a_scope: World, fields, field, message):
    fields = {"first_name": "Ann", **fields}
    with pytest.raises(ValidationError) as caught:
        services.customer_create(store=a_scope.a, actor=None, **fields)
    assert caught.value.message_dict[field] == [message]
    assert Customer.objects.count() == 0


def test_feb_29_without_a_year_is_a_valid_birthday(a_scope: World):
    c = services.customer_create(store=a_scope.a, actor=None, first_name="Leap", birthday_day=29, birthday_month=2)
    assert (c.birthday_day, c.birthday_month, c.birthday_year) == (29, 2, None)


def test_duplicate_phone_in_another_format_offers_the_existing_customer(a_scope: World):
    first = services.customer_create(store=a_scope.a, actor=None, first_name="Ann", phones=["+1 914 555 0142"])
    with pytest.raises(services.DuplicateCustomer) as caught:
        services.customer_create(store=a_scope.a, actor=None, first_name="Anne", phones=["914.555.0142"])
    assert caught.value.existing == [first]
    assert Customer.objects.count() == 1


def test_duplicates_are_only_looked_for_in_the_same_store(world: World):
    make_customer(world.b, None, first_name="Béa", emails=["same@example.com"])
    with scope(store=world.a):
        c = services.customer_create(store=world.a, actor=None, first_name="Ann", emails=["SAME@example.com"])
        assert c.emails.get().address == "same@example.com"


def test_update_records_each_changed_field_for_the_timeline(a_scope: World):
    w = a_scope
    c = make_customer(w.a, w.a_owner, first_name="Ann", last_name="Lee")
    c = services.customer_update(
        store=w.a, actor=w.a_owner.user, customer=c, data={"last_name": "Leigh", "first_name": "Ann"}
    )
    edit = CustomerEdit.objects.get(customer=c)
    assert edit.changes == {"last_name": ["Lee", "Leigh"]}
    assert edit.actor == w.a_owner.user
    kinds = [e.kind for e in customer_timeline(customer=c)]
    assert kinds == ["edit", "created"]


def test_partner_link_points_both_ways_and_is_searchable(a_scope: World):
    w = a_scope
    ann = make_customer(w.a, None, first_name="Ann", last_name="Lee")
    bob = services.customer_create(store=w.a, actor=None, first_name="Bob", last_name="Stone", partner_id=ann.pk)
    ann.refresh_from_db()
    assert ann.partner_id == bob.pk
    # Bob by his own name first, then Ann by her partner's.
    assert [c.pk for c in customer_search(store=w.a, q="stone")] == [bob.pk, ann.pk]


def test_a_customer_of_another_store_cannot_be_the_partner(world: World):
    other = make_customer(world.b, None, first_name="Béa")
    with scope(store=world.a), pytest.raises(ValidationError) as caught:
        services.customer_create(store=world.a, actor=None, first_name="Ann", partner_id=other.pk)
    assert caught.value.message_dict == {"partner_id": ["No customer with this id in this store."]}


def test_purchases_keep_lifetime_spend_in_the_store_currency(a_scope: World):
    w = a_scope
    c = make_customer(w.a, None)
    services.purchase_create(
        store=w.a,
        actor=None,
        customer=c,
        purchased_on=dt.date(2025, 3, 1),
        items=[{"description": "Sapphire ring"}],
        amount="1200.50",
    )
    services.purchase_create(
        store=w.a,
        actor=None,
        customer=c,
        purchased_on=dt.date(2025, 6, 1),
        items=[{"description": "Studs", "quantity": 2}],
        amount=Decimal("99.50"),
    )
    services.purchase_create(
        store=w.a,
        actor=None,
        customer=c,
        purchased_on=dt.date(2024, 1, 1),
        items=[{"description": "Bought in Paris"}],
        amount="300",
        currency="EUR",
    )
    c.refresh_from_db()
    assert (c.lifetime_spend, c.purchase_count, c.last_purchase_on) == (Decimal("1300.00"), 3, dt.date(2025, 6, 1))


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"amount": "-1"}, "amount"),
        ({"amount": "1.234"}, "amount"),
        ({"currency": "XYZ"}, "currency"),
        ({"items": []}, "items"),
        ({"items": [{"description": ""}]}, "items.0.description"),
        ({"items": [{"description": "Ring", "quantity": 0}]}, "items.0.quantity"),
        ({"purchased_on": dt.date(2999, 1, 1)}, "purchased_on"),
    ],
)
def test_bad_purchases_are_refused(a_scope: World, kwargs, field):
    c = make_customer(a_scope.a, None)
    args = {"purchased_on": dt.date(2025, 1, 1), "items": [{"description": "Ring"}], "amount": "10", **kwargs}
    with pytest.raises(ValidationError) as caught:
        services.purchase_create(store=a_scope.a, actor=None, customer=c, **args)
    assert field in caught.value.message_dict
    c.refresh_from_db()
    assert c.purchase_count == 0


@pytest.mark.parametrize(
    ("kind", "system", "value", "stored"),
    [
        ("ring", "US", "6.5", "6.5"),
        ("ring", "UK", "m.5", "M½"),
        ("ring", "EU", "52", "52"),
        ("bracelet", "cm", "17,5", "17.5"),
        ("necklace", "in", "18", "18"),
    ],
)
def test_sizes_are_checked_per_system(a_scope: World, kind, system, value, stored):
    c = make_customer(a_scope.a, None)
    assert (
        services.size_add(store=a_scope.a, actor=None, customer=c, kind=kind, system=system, value=value).value
        == stored
    )


@pytest.mark.parametrize(
    ("kind", "system", "value", "message"),
    [
        ("ring", "JP", "9", "Unknown size system “JP” for ring: use US, UK, EU."),
        ("toe", "US", "5", "Unknown size kind “toe”: use ring, bracelet or necklace."),
        ("ring", "US", "22", "“22” is not a US ring size (for example 6.5)."),
        ("necklace", "cm", "500", "A necklace length is between 30 and 120 cm."),
    ],
)
def test_unknown_size_systems_and_values_are_refused(a_scope: World, kind, system, value, message):
    c = make_customer(a_scope.a, None)
    with pytest.raises(ValidationError) as caught:
        services.size_add(store=a_scope.a, actor=None, customer=c, kind=kind, system=system, value=value)
    assert caught.value.message_dict == {"size": [message]}


def test_interests_are_typed_and_deduplicated_ignoring_case_and_accents(a_scope: World):
    c = make_customer(a_scope.a, None)
    first = services.interest_add(store=a_scope.a, actor=None, customer=c, kind="designer", value="Cartier")
    again = services.interest_add(store=a_scope.a, actor=None, customer=c, kind="designer", value="cártier")
    assert first.pk == again.pk
    with pytest.raises(ValidationError) as caught:
        services.interest_add(store=a_scope.a, actor=None, customer=c, kind="colour", value="blue")
    assert caught.value.message_dict == {
        "interest": ["Unknown interest kind “colour”: use metal, stone, style, designer, free."]
    }


def test_current_consent_is_derived_from_the_latest_ledger_event(a_scope: World):
    w = a_scope
    c = make_customer(w.a, None)
    grant = services.ConsentGrant(
        "sms", "marketing", method="in_person", evidence_text="OK to text me about new pieces"
    )
    services.consent_record(store=w.a, actor=w.a_associate.user, customer=c, grant=grant)
    services.consent_record(
        store=w.a,
        actor=None,
        customer=c,
        grant=services.ConsentGrant("sms", "marketing", action="withdrawn", method="keyword", evidence_text="STOP"),
    )
    state = {(s.channel, s.purpose): s.granted for s in consent_current(customer=c)}
    assert state[("sms", "marketing")] is False
    assert list(ConsentEvent.objects.filter(customer=c).values_list("action", "evidence_text")) == [
        ("granted", "OK to text me about new pieces"),
        ("withdrawn", "STOP"),
    ]


def test_consent_events_are_never_edited_or_deleted(a_scope: World):
    c = make_customer(a_scope.a, None)
    event = services.consent_record(
        store=a_scope.a, actor=None, customer=c, grant=services.ConsentGrant("email", "marketing", method="form")
    )
    event.evidence_text = "changed"
    with pytest.raises(AppendOnlyError):
        event.save()
    with pytest.raises(AppendOnlyError):
        event.delete()
    with pytest.raises(AppendOnlyError):
        ConsentEvent.objects.filter(pk=event.pk).update(action="withdrawn")
    with pytest.raises(AppendOnlyError):
        ConsentEvent.objects.filter(pk=event.pk).delete()
    assert ConsentEvent.objects.get(pk=event.pk).evidence_text == ""


def test_completeness_names_what_is_missing(a_scope: World):
    c = make_customer(a_scope.a, None, first_name="Ann", last_name="Lee", phones=["+19145550142"])
    result = customer_completeness(customer=c)
    assert result.score == 30
    assert result.missing == [
        "email",
        "birthday",
        "address",
        "partner",
        "anniversary or other date",
        "interests",
        "ring size",
        "preferred channel",
        "consent",
    ]


def test_completeness_names_the_part_of_an_address_that_is_missing_never_the_whole(a_scope: World):
    lines_and_city = make_customer(
        a_scope.a, None, first_name="Ann", last_name="Lee", address_line1="12 Rue Cler", city="Paris"
    )
    result = customer_completeness(customer=lines_and_city)
    assert "address" not in result.missing
    assert result.missing[:5] == ["phone", "email", "birthday", "country", "partner"]
    assert result.score == 15
    country_only = make_customer(a_scope.a, None, first_name="Bo", last_name="Lee", country="FR")
    assert customer_completeness(customer=country_only).missing[3:6] == ["street address", "city", "partner"]
    whole = make_customer(
        a_scope.a, None, first_name="Cy", last_name="Lee", address_line1="1 Main St", city="Rye", country="US"
    )
    assert (customer_completeness(customer=whole).score, customer_completeness(customer=whole).missing[3]) == (
        25,
        "partner",
    )


def test_completeness_of_a_walk_in_with_a_first_name_asks_for_the_last(a_scope: World):
    rosa = make_customer(a_scope.a, None, first_name="Rosa", last_name="")
    assert customer_completeness(customer=rosa).missing[:2] == ["last name", "phone"]
    lee = make_customer(a_scope.a, None, first_name="", last_name="Lee")
    assert customer_completeness(customer=lee).missing[0] == "first name"


def test_store_data_cannot_be_queried_without_a_scope(world: World):
    from django_scopes.exceptions import ScopeError

    with pytest.raises(ScopeError):
        list(Customer.objects.all())
    with scopes_disabled():
        assert Customer.objects.count() == 0


def test_the_database_refuses_to_change_a_consent_event_even_with_raw_sql(a_scope: World):
    from django.db import DatabaseError, connection, transaction

    c = make_customer(a_scope.a, None)
    event = services.consent_record(
        store=a_scope.a, actor=None, customer=c, grant=services.ConsentGrant("sms", "service", method="staff")
    )
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("UPDATE customers_consentevent SET action = 'withdrawn' WHERE id = %s", [event.pk])
    assert ConsentEvent.objects.get(pk=event.pk).action == "granted"


@pytest.mark.parametrize(("typed", "stored"), [("6 1/2", "6.5"), ("7½", "7.5"), ("5 3/4", "5.75"), ("8 1/4", "8.25")])
def test_us_ring_sizes_may_be_written_as_fractions(a_scope: World, typed, stored):
    c = make_customer(a_scope.a, None)
    assert (
        services.size_add(store=a_scope.a, actor=None, customer=c, kind="ring", system="US", value=typed).value
        == stored
    )


def test_a_national_number_is_read_in_the_customers_country(a_scope: World):
    w = a_scope
    c = services.customer_create(store=w.a, actor=None, first_name="Jürgen", country="DE", phones=["030 12345678"])
    assert c.phones.get().e164 == "+493012345678"
    phone = services.customer_phone_add(store=w.a, actor=None, customer=c, number="089 1234567")
    assert phone.e164 == "+49891234567"


def test_linking_a_partner_customer_drops_the_stand_in_name_and_birthday(a_scope: World):
    w = a_scope
    mia = make_customer(w.a, None, first_name="Mia", last_name="Müller", birthday_day=28, birthday_month=4)
    jurgen = make_customer(
        w.a,
        None,
        first_name="Jürgen",
        last_name="Müller",
        partner_name="Mia",
        partner_birthday_day=9,
        partner_birthday_month=10,
    )
    jurgen = services.customer_update(store=w.a, actor=None, customer=jurgen, data={"partner_id": mia.pk})
    assert (jurgen.partner_id, jurgen.partner_name, jurgen.partner_birthday_day, jurgen.partner_birthday_month) == (
        mia.pk,
        "",
        None,
        None,
    )


def test_a_date_is_in_the_future_by_the_stores_calendar_not_utcs(world: World) -> None:
    """At 00:30 on 25 November in Paris it is still the 24th in UTC: a wedding that day was refused
    as "in the future"; at 21:00 on the 24th in New York it is the 25th in UTC, and the 25th was taken."""
    import time_machine

    paris = make_customer(world.b, first_name="Élise")
    with time_machine.travel(dt.datetime(2026, 11, 24, 23, 30, tzinfo=dt.UTC), tick=False), scope(store=world.b):
        services.important_date_create(
            store=world.b, actor=None, customer=paris, kind="wedding", day=25, month=11, year=2026
        )
        services.customer_update(
            store=world.b,
            actor=None,
            customer=paris,
            data={"birthday_day": 25, "birthday_month": 11, "birthday_year": 2026},
        )
        paris.refresh_from_db()
        assert (paris.birthday_day, paris.birthday_month, paris.birthday_year) == (25, 11, 2026)
        assert list(paris.important_dates.values_list("day", "month", "year")) == [(25, 11, 2026)]

    new_york = make_customer(world.a, first_name="Clara")
    with time_machine.travel(dt.datetime(2026, 11, 25, 2, 0, tzinfo=dt.UTC), tick=False):
        with scope(store=world.a), pytest.raises(ValidationError) as refused:
            services.important_date_create(
                store=world.a, actor=None, customer=new_york, kind="wedding", day=25, month=11, year=2026
            )
        assert refused.value.message_dict == {"date": ["This date is in the future."]}
        with scope(store=world.a), pytest.raises(ValidationError) as refused:
            services.customer_update(
                store=world.a,
                actor=None,
                customer=new_york,
                data={"birthday_day": 25, "birthday_month": 11, "birthday_year": 2026},
            )
        assert refused.value.message_dict == {"birthday": ["This date is in the future."]}
