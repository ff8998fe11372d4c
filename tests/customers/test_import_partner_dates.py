"""Importing the partner's name and birthday and the anniversary: guessed from the header, read in
the file's date order, reported per line, merged without overwriting, searchable, idempotent."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.db import DatabaseError
from django_scopes import scope, scopes_disabled

from tests.conftest import World, api, make_customer
from tests.customers.import_support import book, import_file, outcomes, run_counted
from tests.customers.test_api_support import get
from trunkshow.customers import services
from trunkshow.customers.importing import headers, jobs, mapping
from trunkshow.customers.models import Customer, CustomerEdit, DateKind, ImportantDate, Source

HEADER = "Name,Phone,Spouse,Spouse Birthday,Anniversary"


def person(store: Any, **lookup: Any) -> Customer:
    with scope(store=store):
        return Customer.objects.get(**lookup)


def anniversaries(customer: Customer) -> list[tuple[int, int, int | None]]:
    with scopes_disabled():
        return list(
            ImportantDate.objects.filter(customer=customer, kind=DateKind.ANNIVERSARY)
            .order_by("month", "day")
            .values_list("day", "month", "year")
        )


@pytest.mark.parametrize(
    ("header", "field"),
    [
        ("Partner", "partner_name"),
        ("Partner's name", "partner_name"),
        ("Partner Name", "partner_name"),
        ("Spouse", "partner_name"),
        ("Spouse name", "partner_name"),
        ("Significant Other", "partner_name"),
        ("Husband", "partner_name"),
        ("WIFE", "partner_name"),
        ("Partner Birthday", "partner_birthday"),
        ("Partner's birthday", "partner_birthday"),
        ("Spouse_Birthday", "partner_birthday"),
        ("Anniversary", "anniversary"),
        ("Anniversary Date", "anniversary"),
        ("Wedding Anniversary", "anniversary"),
        ("Wedding date", "anniversary"),
        # The guesses that were there keep working.
        ("Birthday", "birthday"),
        ("Anniversaire", "birthday"),  # French for birthday
        ("DOB", "birthday"),
        ("Name", "full_name"),
    ],
)
def test_partner_and_anniversary_columns_are_guessed_from_common_headers(header, field):
    assert mapping.guess_mapping(["Email", header]) == {"Email": "email", header: field}


def test_no_header_is_guessed_as_two_fields():
    keys = [key for keys in headers.GUESSES.values() for key in keys]
    assert sorted(key for key in set(keys) if keys.count(key) > 1) == []


def test_a_date_or_partner_guessed_twice_keeps_its_first_column_and_the_mapping_is_valid():
    columns = ["Name", "Husband", "Wife", "Wedding date", "Anniversary", "DOB", "Birthday"]
    guessed = mapping.guess_mapping(columns)
    assert guessed == {
        "Name": "full_name",
        "Husband": "partner_name",
        "Wife": "",
        "Wedding date": "anniversary",
        "Anniversary": "",
        "DOB": "birthday",
        "Birthday": "",
    }
    assert mapping.check_mapping(columns, guessed) == guessed


def test_one_date_mapped_from_two_columns_in_two_orders_is_refused():
    with pytest.raises(ValidationError) as caught:
        mapping.check_mapping(["Name", "A", "B"], {"Name": "full_name", "A": "anniversary", "B": "anniversary_dmy"})
    assert caught.value.message_dict == {
        "mapping": ["The columns “A” and “B” are both mapped to Anniversary, written day/month/year; choose one."]
    }


def test_a_new_customer_gets_the_partner_and_every_anniversary_of_the_line(world: World):
    content = f'{HEADER}\nAna Ruiz,(212) 555-0100,Hélène Dubois,07/14/1984,"06/12/2015; 01/03; 2015-06-12"\n'.encode()
    job = import_file(world.a, world.a_owner, content)
    assert outcomes(job) == [(2, "created", "")]
    ana = person(world.a)
    assert (ana.partner_id, ana.partner_name) == (None, "Hélène Dubois")
    assert (ana.partner_birthday_day, ana.partner_birthday_month, ana.partner_birthday_year) == (14, 7, 1984)
    assert anniversaries(ana) == [(3, 1, None), (12, 6, 2015)]  # the same day twice is one anniversary


@pytest.mark.parametrize(
    ("store", "cells", "message"),
    [
        ("b", "Hélène,31/02/1990,", "Spouse Birthday: February 1990 has no day 31."),
        ("b", "Hélène,,31/02/1990", "Anniversary: February 1990 has no day 31."),
        ("b", "Hélène,,01/01/2020; 30/02", "Anniversary: February has no day 30."),
        ("b", "Hélène,,1/1/2999", "Anniversary: This date is in the future."),
        ("b", "Hélène,,soon", "Anniversary: “soon” is not a date; write it like 1990-05-31 or 31/05/1990."),
        ("b", "H" * 201 + ",,", "Spouse: Use at most 200 characters (this has 201)."),
        (
            "a",
            "Hélène,31/03/1990,",
            "Spouse Birthday: “31/03/1990” has no month 31 when read month/day/year, as this store writes dates; "
            "map the column as “Partner's birthday, written day/month/year” if the file writes the day first.",
        ),
        (
            "b",
            "Hélène,,05/31/1990",
            "Anniversary: “05/31/1990” has no month 31 when read day/month/year, as this store writes dates; "
            "map the column as “Anniversary, written month/day/year” if the file writes the month first.",
        ),
    ],
)
def test_a_bad_partner_or_anniversary_is_that_lines_error_and_nothing_of_it_is_saved(
    world: World, store, cells, message
):
    the_store = getattr(world, store)
    content = (
        f"{HEADER}\nAna Ruiz,+1 212 555 0100,Paul Ruiz,1980-01-02,2010-05-06\nBea Berg,+1 212 555 0101,{cells}\n"
    ).encode()
    # Read in the store's order, as chosen on the mapping step (the guess would follow the values).
    job = import_file(the_store, None, content, {"Spouse Birthday": "partner_birthday", "Anniversary": "anniversary"})
    assert outcomes(job) == [(2, "created", ""), (3, "error", message)]
    with scope(store=the_store):
        assert list(Customer.objects.values_list("first_name", "partner_name")) == [("Ana", "Paul Ruiz")]
        assert list(ImportantDate.objects.values_list("customer__first_name", "day", "month", "year")) == [
            ("Ana", 6, 5, 2010)
        ]


def test_merging_fills_an_empty_partner_and_adds_a_new_anniversary(world: World):
    clara = make_customer(world.a, world.a_owner, first_name="Clara", last_name="Berg", phones=["+1 212 555 0100"])
    content = f"{HEADER}\nClara Berg,(212) 555-0100,Paul Berg,07/14/1984,06/12/2015\n".encode()
    job = import_file(world.a, world.a_owner, content)
    assert outcomes(job) == [
        (
            2,
            "merged",
            "Merged into Clara Berg: filled partner's name; filled the partner's birthday; "
            "added the anniversary 2015-06-12.",
        )
    ]
    clara = person(world.a)
    assert (clara.partner_name, clara.partner_birthday_day, clara.partner_birthday_month) == ("Paul Berg", 14, 7)
    assert anniversaries(clara) == [(12, 6, 2015)]
    with scope(store=world.a):
        assert [e.changes for e in CustomerEdit.objects.filter(customer=clara).order_by("id")] == [
            {
                "partner_name": ["", "Paul Berg"],
                "partner_birthday_day": [None, 14],
                "partner_birthday_month": [None, 7],
                "partner_birthday_year": [None, 1984],
            },
            {"important_date": [None, "Anniversary 12/6/2015"]},
        ]


def test_merging_never_overwrites_what_the_store_typed_and_adds_an_anniversary_once(world: World):
    clara = make_customer(
        world.a,
        world.a_owner,
        first_name="Clara",
        last_name="Berg",
        phones=["+1 212 555 0100"],
        partner_name="Paul Bergström",
        partner_birthday_day=14,
        partner_birthday_month=7,
    )
    with scope(store=world.a):
        for day, month, year in [(12, 6, None), (3, 1, 2001)]:
            services.important_date_create(
                store=world.a, actor=None, customer=clara, kind="anniversary", day=day, month=month, year=year
            )
    before = book(world.a)
    for cells, said in [
        # The same partner, a year for the birthday, an anniversary there without a year, one with another year.
        (
            'paul bergstrom,07/14/1984,"06/12/2015; 01/03/2002"',
            "filled the partner's birth year; kept the anniversary --06-12 (the file has 2015-06-12); "
            "kept the anniversary 2001-01-03 (the file has 2002-01-03)",
        ),
        # Another partner and another birthday are kept and said; a new day is a new anniversary.
        (
            "Hans Berg,08/01/1984,09/09",
            "added the anniversary --09-09; kept partner's name “Paul Bergström” (the file has “Hans Berg”); "
            "kept the partner's birthday 1984-07-14 (the file has 1984-08-01)",
        ),
    ]:
        job = import_file(world.a, world.a_owner, f"{HEADER}\nClara Berg,(212) 555-0100,{cells}\n".encode())
        assert outcomes(job) == [(2, "merged", f"Merged into Clara Berg: {said}.")]
    clara = person(world.a)
    assert (clara.partner_name, clara.partner_birthday_day, clara.partner_birthday_month) == ("Paul Bergström", 14, 7)
    assert clara.partner_birthday_year == 1984
    assert anniversaries(clara) == [(3, 1, 2001), (12, 6, None), (9, 9, None)]
    after = book(world.a)
    assert len(after["customers.ImportantDate"]) == len(before["customers.ImportantDate"]) + 1


def test_reimporting_partners_and_anniversaries_changes_nothing(world: World):
    content = (
        f"{HEADER}\n"
        'Ana Ruiz,(212) 555-0100,Hélène Dubois,07/14/1984,"06/12/2015; 01/03"\n'
        "Bea Berg,,Tom Berg,,02/29\n"  # no phone: matched by name on the second run
    ).encode()
    first = import_file(world.a, world.a_owner, content)
    assert [o[1] for o in outcomes(first)] == ["created", "created"]
    before = book(world.a)
    second = import_file(world.a, world.a_owner, content)
    assert outcomes(second) == [
        (2, "unchanged", "Already up to date (Ana Ruiz)."),
        (3, "unchanged", "Already up to date (Bea Berg)."),
    ]
    assert book(world.a) == before


def test_reimporting_anniversaries_reads_them_once_a_batch(world: World, django_assert_max_num_queries):
    lines = [f"P{i} Q,+1 212 555 {i:04d},Partner {i},07/14/1984,06/12/2015; 01/03" for i in range(30)]
    content = "\n".join([HEADER, *lines, ""]).encode()
    import_file(world.a, world.a_owner, content)
    # The 22 of a file without anniversaries (test_importing), and one query for them.
    job = run_counted(world.a, world.a_owner, content, django_assert_max_num_queries(23))
    assert (job.unchanged_count, job.merged_count, job.created_count) == (30, 0, 0)


def test_a_partner_who_is_a_customer_is_not_changed_by_a_partner_name_in_the_file(world: World):
    pat = make_customer(
        world.a, first_name="Patricia", preferred_name="Pat", last_name="Lee", birthday_day=9, birthday_month=9
    )
    clara = make_customer(world.a, first_name="Clara", last_name="Berg", phones=["+1 212 555 0100"])
    with scope(store=world.a):
        services.customer_update(store=world.a, actor=None, customer=clara, data={"partner_id": pat.pk})
    before = book(world.a)
    # As our export writes the partner (by the name they go by, or first and last), then someone else.
    for cells in ("Pat Lee,09/09,", "patricia lee,,"):
        job = import_file(world.a, world.a_owner, f"{HEADER}\nClara Berg,(212) 555-0100,{cells}\n".encode())
        assert outcomes(job) == [(2, "unchanged", "Already up to date (Clara Berg).")]
    job = import_file(world.a, world.a_owner, f"{HEADER}\nClara Berg,(212) 555-0100,Paul Berg,07/14/1984,\n".encode())
    assert outcomes(job) == [
        (
            2,
            "unchanged",
            "Nothing new for Clara Berg; kept partner “Pat Lee”, a customer with their own profile "
            "(the file has “Paul Berg”); kept the partner's birthday as on Pat Lee's profile (the file has 1984-07-14).",
        )
    ]
    assert book(world.a) == before
    clara = person(world.a, pk=clara.pk)
    assert (clara.partner_id, clara.partner_name, clara.partner_birthday_day) == (pat.pk, "", None)


def test_an_imported_partner_name_is_searched_like_one_typed_in_the_form(world: World):
    import_file(world.a, world.a_owner, f"{HEADER}\nAna Ruiz,(212) 555-0100,Hélène Dubois,,\n".encode())
    typed = make_customer(
        world.b, first_name="Ana", last_name="Ruiz", phones=["+1 212 555 0100"], partner_name="Hélène Dubois"
    )
    assert person(world.a).search_text == typed.search_text == "ana ruiz helene dubois 12125550100"
    # A partner name filled by a merge is searchable too.
    make_customer(world.a, first_name="Bea", last_name="Berg", phones=["+1 212 555 0101"])
    import_file(world.a, world.a_owner, f"{HEADER}\nBea Berg,(212) 555-0101,Tom Dubois,,\n".encode())
    for q, names in [("helene", ["Ana Ruiz"]), ("Dubois", ["Ana Ruiz", "Bea Berg"]), ("tom dubois", ["Bea Berg"])]:
        response = get(api(world.a_owner), "", q=q)
        assert response.status_code == 200
        assert sorted(row["display_name"] for row in response.json()["items"]) == names


def test_a_batch_retried_line_by_line_still_writes_partners_and_anniversaries(world: World, monkeypatch):
    real, calls = jobs.write_batch, []

    def refuses_the_whole_batch_once(ctx, plans):
        calls.append(len(plans))
        if len(calls) == 1:
            raise DatabaseError("a concurrent edit")
        return real(ctx, plans)

    monkeypatch.setattr(jobs, "write_batch", refuses_the_whole_batch_once)
    content = f"{HEADER}\nAna Ruiz,,Hélène Dubois,07/14/1984,06/12/2015\nBea Berg,,Tom Berg,,01/02\n".encode()
    job = import_file(world.a, world.a_owner, content)
    assert calls == [2, 1, 1]
    assert [o[1] for o in outcomes(job)] == ["created", "created"]
    ana, bea = person(world.a, first_name="Ana"), person(world.a, first_name="Bea")
    assert (ana.partner_name, ana.partner_birthday_month, bea.partner_name) == ("Hélène Dubois", 7, "Tom Berg")
    assert (anniversaries(ana), anniversaries(bea)) == ([(12, 6, 2015)], [(2, 1, None)])


def test_a_partner_known_only_by_their_number_is_named_by_it(world: World):
    """A partner who texted before saying who they are is named as the app names them: by their number."""
    texter = make_customer(world.a, first_name="", last_name="", source=Source.CHAT, phones=["+1 212 555 0188"])
    clara = make_customer(world.a, first_name="Clara", last_name="Berg", phones=["+1 212 555 0100"])
    with scope(store=world.a):
        services.customer_update(store=world.a, actor=None, customer=clara, data={"partner_id": texter.pk})
    before = book(world.a)
    job = import_file(world.a, world.a_owner, f"{HEADER}\nClara Berg,(212) 555-0100,Paul Berg,07/14/1984,\n".encode())
    assert outcomes(job) == [
        (
            2,
            "unchanged",
            "Nothing new for Clara Berg; kept partner “(212) 555-0188”, a customer with their own profile "
            "(the file has “Paul Berg”); kept the partner's birthday as on (212) 555-0188's profile "
            "(the file has 1984-07-14).",
        )
    ]
    assert book(world.a) == before
