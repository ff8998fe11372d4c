"""Trunkshow's own export imports cleanly: into the same book it changes nothing, into another
store it brings the customers with their phones, emails, interests and consent."""

from __future__ import annotations

from typing import Any

import pytest
from django_scopes import scope, scopes_disabled

from tests.conftest import World, browser_client, make_customer
from tests.customers.import_support import import_file, outcomes, upload
from trunkshow.core.templatetags.trunkshow import store_day
from trunkshow.customers import services
from trunkshow.customers.importing import mapping
from trunkshow.customers.merging import customer_merge
from trunkshow.customers.models import (
    ConsentEvent,
    CurrentConsent,
    Customer,
    CustomerEdit,
    ImportantDate,
    Interest,
    Note,
    Size,
)
from trunkshow.customers.privacy import customer_erase


def book(store: Any) -> dict[str, Any]:
    """Everything an import could write, to compare before and after."""
    with scopes_disabled():
        return {
            "customers": list(Customer.objects.filter(store=store).order_by("id").values()),
            "phones": sorted(Customer.objects.filter(store=store).values_list("phones__e164", flat=True), key=str),
            "emails": sorted(Customer.objects.filter(store=store).values_list("emails__address", flat=True), key=str),
            "interests": list(Interest.objects.filter(store=store).order_by("id").values_list("kind", "value")),
            "events": list(ConsentEvent.objects.filter(store=store).order_by("id").values_list("id", flat=True)),
            "consent": list(
                CurrentConsent.objects.filter(store=store).order_by("id").values_list("customer", "channel", "granted")
            ),
            "dates": list(
                ImportantDate.objects.filter(store=store)
                .order_by("id")
                .values_list("customer", "kind", "day", "month", "year")
            ),
            "edits": CustomerEdit.objects.filter(store=store).count(),
            "notes": Note.objects.filter(store=store).count(),
            "sizes": list(
                Size.objects.filter(store=store).order_by("id").values_list("customer", "kind", "system", "value")
            ),
        }


@pytest.fixture
def mullers(world: World) -> list[Any]:
    grant, withdraw = "granted", "withdrawn"
    zoe = make_customer(
        world.a,
        world.a_owner,
        first_name="Zoë",
        last_name="Müller",
        preferred_name="@Zo",  # a formula character: the export guards it with an apostrophe
        address_line1="'Tis the corner house",  # an apostrophe of its own, not the guard's
        city="Boston",
        region="MA",
        postal_code="02110",
        country="US",
        birthday_day=29,
        birthday_month=2,  # no year: the export writes 02-29
        partner_name="=Hélène Dubois",  # a partner who is not a customer, guarded by the export
        partner_birthday_day=14,
        partner_birthday_month=7,
        partner_birthday_year=1984,
        phones=["+1 212 555 0142", "+44 20 7946 0958"],
        emails=["zoe@example.com", "zoe.work@example.com"],
        interests=[("stone", "Sapphire"), ("style", "Art deco, vintage"), ("free", "Pearls")],
        consents=[
            services.ConsentGrant(channel="sms", purpose="marketing", action=grant),
            services.ConsentGrant(channel="email", purpose="marketing", action=withdraw),
        ],
    )
    hans = make_customer(
        world.a,
        first_name="Hans",
        last_name="Muller",
        birthday_day=3,
        birthday_month=11,
        birthday_year=1970,
        phones=["+1 617 555 0199"],
        consents=[
            services.ConsentGrant(channel="whatsapp", purpose="marketing", action=grant),
            services.ConsentGrant(channel="sms", purpose="marketing", action=withdraw, method="keyword"),
        ],
    )
    ana = make_customer(
        world.a, first_name="Ana", preferred_name="Anita", last_name="Muller-Ruiz", emails=["ana@example.com"]
    )
    make_customer(world.a, first_name="Otto", last_name="Other", phones=["+1 617 555 0100"])
    with scope(store=world.a):
        # Hans and Ana are each other's partner, as customers: the export writes the other's name
        # (the name they go by) and birthday in their "Partner" columns.
        services.customer_update(store=world.a, actor=None, customer=hans, data={"partner_id": ana.pk})
        # Two anniversaries in one cell (``; ``), one without a year, and a date of another kind.
        for kind, day, month, year in [
            ("anniversary", 12, 6, 2015),
            ("anniversary", 3, 1, None),
            ("wedding", 1, 2, 2016),
        ]:
            services.important_date_create(
                store=world.a, actor=None, customer=zoe, kind=kind, day=day, month=month, year=year
            )
        # Ring sizes in two systems (the export writes each with its own), a bracelet and a necklace.
        for kind, system, value in [
            ("ring", "US", "6½"),
            ("ring", "UK", "N"),
            ("bracelet", "cm", "17"),
            ("necklace", "in", "18"),
        ]:
            services.size_add(store=world.a, actor=None, customer=zoe, kind=kind, system=system, value=value)
    return [zoe, hans, ana]


def exported(world: World, **params: str) -> bytes:
    """The file the list's "Export CSV" button gives, through the same view."""
    response = browser_client(world.a_owner).get("/customers/export/", params)
    assert response.status_code == 200
    return b"".join(response.streaming_content)


def test_the_export_header_is_guessed_column_by_column(world: World, mullers):
    job = upload(world.a, world.a_owner, exported(world, q="Muller"), name="muller.csv")
    assert job.mapping == {
        "Customer ID": "customer_id",  # this store's id finds the customer it names
        "First name": "first_name",
        "Last name": "last_name",
        "Preferred name": "preferred_name",
        "Title": "title",
        "Emails": "email",
        "Phones": "phone",
        "Address line 1": "address_line1",
        "Address line 2": "address_line2",
        "City": "city",
        "Region": "region",
        "Postal code": "postal_code",
        "Country": "country",
        "Birthday": "birthday_mdy",  # ISO, or month-day without a year, whatever the store's order
        "Partner": "partner_name",
        "Partner's birthday": "partner_birthday_mdy",  # written as the birthday is
        "Anniversary": "anniversary_mdy",
        "Interests": "tags",
        "Ring size": "ring_size",
        "Bracelet size": "bracelet_size",
        "Necklace length": "necklace_length",
        "How we met": "",
        "Associate": "",
        "Lifetime spend": "",  # includes purchases made in Trunkshow: not spend before Trunkshow
        "Currency": "",
        "Purchases": "",
        "Last purchase": "",
        "Last contact": "",
        "Text marketing": "accepts_sms_marketing",
        "Email marketing": "accepts_email_marketing",
        "WhatsApp marketing": "accepts_whatsapp_marketing",
        "Added on": "",
    }
    # A point-of-sale file's "Lifetime spend" is still its spend before Trunkshow.
    assert mapping.guess_mapping(["Name", "Lifetime Spend"])["Lifetime Spend"] == "total_spent"


def test_our_export_imported_into_the_same_book_changes_nothing(world: World, mullers):
    content = exported(world, q="Muller")
    before = book(world.a)
    job = import_file(world.a, world.a_owner, content, name="muller.csv")
    assert [outcome for _line, outcome, _message in outcomes(job)] == ["unchanged", "unchanged", "unchanged"]
    # Each line names its customer as the app does: the name they go by and their last name.
    assert sorted(message for _line, _outcome, message in outcomes(job)) == [
        "Already up to date (@Zo Müller).",
        "Already up to date (Anita Muller-Ruiz).",
        "Already up to date (Hans Muller).",
    ]
    assert (job.created_count, job.merged_count, job.unchanged_count, job.error_count) == (0, 0, 3, 0)
    assert book(world.a) == before


def test_a_consent_withdrawn_after_the_export_is_not_granted_again_by_it(world: World, mullers):
    zoe = mullers[0]
    content = exported(world, q="Zoë")
    with scope(store=world.a):
        services.consent_events_add(
            store=world.a,
            actor=None,
            customer=zoe,
            grants=[services.ConsentGrant(channel="sms", purpose="marketing", action="withdrawn", method="keyword")],
        )
    before = book(world.a)
    job = import_file(world.a, world.a_owner, content)
    [(_line, outcome, message)] = outcomes(job)
    assert outcome == "unchanged"
    assert "kept text marketing withdrawn" in message
    assert book(world.a) == before


def test_our_export_imported_into_another_store_brings_the_customers_whole(world: World, mullers):
    job = import_file(world.b, world.b_owner, exported(world, q="Muller"), name="muller.csv")
    assert [o[1] for o in outcomes(job)] == ["created", "created", "created"]
    with scope(store=world.b):
        people = {c.last_name: c for c in Customer.objects.filter(store=world.b)}
        assert set(people) == {"Müller", "Muller", "Muller-Ruiz"}
        zoe, hans, ana = people["Müller"], people["Muller"], people["Muller-Ruiz"]
        assert (zoe.first_name, zoe.preferred_name, zoe.address_line1) == ("Zoë", "@Zo", "'Tis the corner house")
        assert (zoe.birthday_day, zoe.birthday_month, zoe.birthday_year) == (29, 2, None)
        assert (hans.birthday_day, hans.birthday_month, hans.birthday_year) == (3, 11, 1970)
        # Partners arrive as names (and birthdays): another store's customers are not theirs to link.
        partners = [
            (c.partner_id, c.partner_name, c.partner_birthday_day, c.partner_birthday_month, c.partner_birthday_year)
            for c in (zoe, hans, ana)
        ]
        assert partners == [
            (None, "=Hélène Dubois", 14, 7, 1984),
            (None, "Anita Muller-Ruiz", None, None, None),
            (None, "Hans Muller", 3, 11, 1970),
        ]
        assert ana.search_text == "ana muller-ruiz anita hans muller ana@example.com"
        # The anniversaries, not the wedding: that column is the export's "Anniversary".
        assert sorted(
            ImportantDate.objects.filter(store=world.b).values_list(
                "customer__first_name", "kind", "day", "month", "year"
            )
        ) == [
            ("Zoë", "anniversary", 3, 1, None),
            ("Zoë", "anniversary", 12, 6, 2015),
        ]
        assert list(zoe.phones.order_by("-is_primary", "id").values_list("e164", flat=True)) == [
            "+12125550142",
            "+442079460958",
        ]
        assert list(zoe.emails.order_by("-is_primary", "id").values_list("address", flat=True)) == [
            "zoe@example.com",
            "zoe.work@example.com",
        ]
        assert sorted(zoe.interests.values_list("kind", "value")) == [
            ("free", "Pearls"),
            ("stone", "Sapphire"),
            ("style", "Art deco, vintage"),
        ]
        # Sizes with their systems and units, each from its column.
        assert sorted(
            Size.objects.filter(store=world.b).values_list("customer__first_name", "kind", "system", "value")
        ) == [
            ("Zoë", "bracelet", "cm", "17"),
            ("Zoë", "necklace", "in", "18"),
            ("Zoë", "ring", "UK", "N"),
            ("Zoë", "ring", "US", "6.5"),
        ]
        assert list(hans.phones.values_list("e164", flat=True)) == ["+16175550199"]
        assert list(ana.emails.values_list("address", flat=True)) == ["ana@example.com"]
        # Granted consent arrives with the file as evidence; a withdrawal with no consent to
        # withdraw writes nothing.
        consent = sorted(
            CurrentConsent.objects.filter(store=world.b).values_list("customer__first_name", "channel", "granted")
        )
        assert consent == [("Hans", "whatsapp", True), ("Zoë", "sms", True)]
        assert set(ConsentEvent.objects.filter(store=world.b).values_list("method", "action")) == {
            ("import", "granted")
        }
    # And the same file again into that store changes nothing there either.
    before = book(world.b)
    again = import_file(world.b, world.b_owner, exported(world, q="Muller"), name="muller.csv")
    assert [o[1] for o in outcomes(again)] == ["unchanged", "unchanged", "unchanged"]
    assert book(world.b) == before


def test_a_customer_without_a_name_imports_back_unchanged_but_is_never_created(world: World, mullers):
    # Who texts from a number the store does not know becomes a customer without a name, as the
    # inbox makes them; the export writes them with their phone and no name.
    make_customer(world.a, first_name="", last_name="", phones=["+1 917 555 0123"], source="chat")
    content = exported(world)
    before = book(world.a)
    job = import_file(world.a, world.a_owner, content)
    assert [outcome for _line, outcome, _message in outcomes(job)] == ["unchanged"] * 5
    assert book(world.a) == before
    # In a store where nobody has that phone, a line without a name still creates no one.
    job = import_file(world.b, world.b_owner, content)
    assert [(outcome, message) for _line, outcome, message in outcomes(job) if outcome != "created"] == [
        ("error", "No name on this row: a customer needs a first or last name.")
    ]
    with scopes_disabled():
        assert Customer.objects.filter(store=world.b).count() == 4


@pytest.mark.parametrize(
    ("cell", "expected"),
    [
        ("'+5511961233867", "+5511961233867"),
        ("'=SUM(A1)", "=SUM(A1)"),
        ("'-2", "-2"),
        ("'@x", "@x"),
        ("'\tx", "\tx"),
        ("'\rx", "\rx"),
        ("'Tis", "'Tis"),
        ("O'Brien", "O'Brien"),
        ("'", "'"),
        ("''+1", "''+1"),
        ("+1 212", "+1 212"),
    ],
)
def test_only_the_export_guards_apostrophe_is_taken_off(cell, expected):
    assert mapping.unguard(cell) == expected


@pytest.mark.parametrize(
    ("cell", "expected"),
    [
        ("granted", True),
        ("Granted", True),
        ("WITHDRAWN", False),
        ("withdrawn", False),
        ("", None),
    ],
)
def test_the_consent_words_our_export_writes_are_understood(cell, expected):
    assert mapping.parse_yes_no(cell) is expected


def _name_only(world: World) -> tuple[Any, Any]:
    """Two customers typed in by hand with a name and nothing else (no phone, no email)."""
    return (
        make_customer(world.a, world.a_owner, first_name="Bea", last_name="Namely"),
        make_customer(world.a, world.a_owner, first_name="Cal", last_name="Namely"),
    )


def test_our_export_finds_customers_with_only_a_name_by_their_customer_id(world: World, mullers):
    bea, cal = _name_only(world)
    content = exported(world, q="Namely")
    before = book(world.a)
    job = import_file(world.a, world.a_owner, content)
    assert job.mapping["Customer ID"] == "customer_id"
    with scope(store=world.a):
        rows = list(job.rows.order_by("line").values_list("outcome", "message", "customer_id"))
    assert rows == [
        ("unchanged", "Already up to date (Bea Namely).", bea.pk),
        ("unchanged", "Already up to date (Cal Namely).", cal.pk),
    ]
    assert book(world.a) == before


def test_a_customer_id_merged_away_finds_the_customer_it_was_merged_into(world: World, mullers):
    bea, cal = _name_only(world)
    content = exported(world, q="Namely")
    with scope(store=world.a):
        customer_merge(store=world.a, actor=world.a_owner.user, customer=bea, other=cal, choices={})
    with scopes_disabled():
        count = Customer.objects.filter(store=world.a).count()
    job = import_file(world.a, world.a_owner, content)
    with scope(store=world.a):
        rows = list(job.rows.order_by("line").values_list("outcome", "customer_id"))
    assert rows == [("unchanged", bea.pk), ("unchanged", bea.pk)]
    with scopes_disabled():
        assert Customer.objects.filter(store=world.a).count() == count


def test_an_erased_customers_row_of_our_export_is_refused_and_nobody_is_created(world: World, mullers):
    _bea, cal = _name_only(world)
    content = exported(world, q="Namely")
    with scope(store=world.a):
        erased = customer_erase(store=world.a, actor=world.a_owner.user, customer=cal)
    before = book(world.a)
    job = import_file(world.a, world.a_owner, content)
    day = store_day(world.a, erased.erased_at)
    assert [(outcome, message) for _line, outcome, message in outcomes(job)] == [
        ("unchanged", "Already up to date (Bea Namely)."),
        (
            "error",
            f"Customer no. {cal.pk} was erased on {day} at their request; this row is not imported again. "
            "Remove it from the file.",
        ),
    ]
    assert book(world.a) == before


def test_another_stores_customer_id_is_neither_used_nor_told_apart_from_a_number_nobody_has(world: World, mullers):
    bea, _cal = _name_only(world)
    theirs = make_customer(world.b, world.b_owner, first_name="Bea", last_name="Namely")
    a_before, b_before = book(world.a), book(world.b)
    header = "Customer ID,First name,Last name,Emails,Phones,Lifetime spend\n"
    # Store A's export imported into store B: A's id means nothing there and A is untouched.
    job = import_file(world.b, world.b_owner, f"{header}{bea.pk},Bea,Namely,,,0\n".encode())
    [(_line, outcome, message)] = outcomes(job)
    assert (outcome, message) == (
        "created",
        f"Customer no. {theirs.pk} is called Bea Namely too; this row has no phone or email to tell them apart, "
        "so merge the two if they are one person. "
        f"Customer ID {bea.pk} is not a customer of this store, so this row was matched by its phone, email "
        "or name, and none was found.",
    )
    assert book(world.a) == a_before
    # Store B's id in a file imported into store A reads exactly as an id nobody has.
    unknown = 2**40
    job = import_file(world.a, world.a_owner, f"{header}{theirs.pk},Dee,Else,,,0\n{unknown},Eve,Else,,,0\n".encode())
    messages = [message for _line, _outcome, message in outcomes(job)]
    assert messages == [
        f"Customer ID {number} is not a customer of this store, so this row was matched by its phone, email "
        "or name, and none was found."
        for number in (theirs.pk, unknown)
    ]
    with scope(store=world.b):
        theirs.refresh_from_db()
    assert (theirs.first_name, theirs.last_name) == ("Bea", "Namely")
    assert len(book(world.b)["customers"]) == len(b_before["customers"]) + 1


def test_a_customer_id_and_an_email_of_two_customers_are_reported_not_merged(world: World, mullers):
    bea, _cal = _name_only(world)
    header = "Customer ID,First name,Last name,Emails,Phones,Lifetime spend\n"
    before = book(world.a)
    job = import_file(world.a, world.a_owner, f"{header}{bea.pk},Bea,Namely,ana@example.com,,0\n".encode())
    assert [(outcome, message) for _line, outcome, message in outcomes(job)] == [
        (
            "error",
            "This row's Customer ID is Bea Namely, but its email ana@example.com is Anita Muller-Ruiz's: "
            "different customers. Merge them first if they are one person, or correct the file; then import it again.",
        )
    ]
    assert book(world.a) == before


def test_a_customer_id_that_is_no_number_is_the_rows_error(world: World, mullers):
    header = "Customer ID,First name,Last name,Emails,Phones,Lifetime spend\n"
    job = import_file(world.a, world.a_owner, f"{header}abc,Fay,Namely,,,0\n".encode())
    assert [(outcome, message) for _line, outcome, message in outcomes(job)] == [
        ("error", "Customer ID: “abc” is not a customer number.")
    ]


ID_HEADER = "Customer ID,First name,Last name,Emails,Phones,Birthday,Lifetime spend"


def _import_lines(world: World, *lines: str) -> Any:
    """A file of our export's columns, with these rows, imported into store A."""
    return import_file(world.a, world.a_owner, "\n".join([ID_HEADER, *lines, ""]).encode())


def test_a_customer_id_of_someone_of_another_name_is_refused_and_nobody_is_touched(world: World, mullers):
    # Another instance's (or a trial store's) export: its small ids are this store's other people.
    bea, _cal = _name_only(world)
    before = book(world.a)
    job = _import_lines(
        world,
        f"{bea.pk},Ana,Ruiz,ana.ruiz@x.com,,1990-03-04,0",
        f"{bea.pk},Dan,Other,,,,0",
        # The same first name is not enough for an id: a household shares a phone, not a number.
        f"{bea.pk},Bea,Jones,,,,0",
    )
    assert job.mapping["Customer ID"] == "customer_id"
    assert [(outcome, message) for _line, outcome, message in outcomes(job)] == [
        (
            "error",
            f"Customer ID {bea.pk} is Bea Namely in this store, not this row's {name}; correct the file "
            "or set the Customer ID column to “Do not import”.",
        )
        for name in ("Ana Ruiz", "Dan Other", "Bea Jones")
    ]
    assert book(world.a) == before


def test_a_customer_id_whose_name_agrees_but_for_accents_and_case_is_still_theirs(world: World, mullers):
    zoe, _hans, _ana = mullers
    bea, _cal = _name_only(world)
    before = book(world.a)
    job = _import_lines(world, f"{zoe.pk},ZOE,muller,,,,0", f"{bea.pk},bea,NAMELY,,,,0")
    with scope(store=world.a):
        rows = list(job.rows.order_by("line").values_list("outcome", "customer_id"))
    assert rows == [("unchanged", zoe.pk), ("unchanged", bea.pk)]
    assert book(world.a) == before
    # A row of the same name with news merges it, as before.
    job = _import_lines(world, f"{bea.pk},Bea,Namely,bea@example.com,,,0")
    with scope(store=world.a):
        assert list(job.rows.values_list("outcome", "customer_id")) == [("merged", bea.pk)]
        assert list(bea.emails.values_list("address", flat=True)) == ["bea@example.com"]
