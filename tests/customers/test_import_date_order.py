"""The guessed order of a date column follows what its values show (a day over 12 can only come
first), read over the file's first lines, not only the preview; the store's order when they
cannot tell."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django_scopes import scope

from tests.conftest import World, api, browser_client
from tests.customers.import_support import outcomes, run, upload
from trunkshow.customers.importing import reading
from trunkshow.customers.models import Customer, ImportantDate


def dated_file(*dobs: str) -> bytes:
    rows = [f"Ana Ruiz,+1 212 555 {i:04d},{dob}" for i, dob in enumerate(dobs, start=100)]
    return ("\n".join(["Name,Phone,DOB", *rows]) + "\n").encode()


def birthdays(store: Any) -> list[tuple[int | None, int | None, int | None]]:
    with scope(store=store):
        return list(Customer.objects.order_by("id").values_list("birthday_day", "birthday_month", "birthday_year"))


@pytest.mark.parametrize(
    ("store", "dobs", "guess"),
    [
        # The report: dots, days over 12, in a store that writes the month first.
        ("a", ["28.02.1966", "21.07.1963", "20.01.1994"], "birthday_dmy"),
        ("a", ["28/02/1966", "05/03/1971", "21/07/1963"], "birthday_dmy"),
        ("a", ["28-02-66", "05-03-71"], "birthday_dmy"),
        # The reverse, in a store that writes the day first.
        ("b", ["02/28/1966", "03/05/1971", "07/21/1963"], "birthday_mdy"),
        # Evidence that agrees with the store's order names the order too.
        ("a", ["02/28/1966", "03/05/1971"], "birthday_mdy"),
        # Nothing to tell: ISO, month names, days up to 12, blanks; or the values contradict each other.
        ("a", ["1966-02-28", "1963-07-21"], "birthday"),
        ("a", ["28 Feb 1966", "July 21, 1963"], "birthday"),
        ("a", ["05/03/1971", "11/12/1980", ""], "birthday"),
        ("a", ["28/02/1966", "02/28/1966"], "birthday"),
        ("b", ["05/03/1971"], "birthday"),
        # A date that is no date either way round (31 February) is no evidence: the store's order stays,
        # and the line is reported on its own. A real 29 February only of a leap year is.
        ("a", ["03/07/1990", "31/02/1990"], "birthday"),
        ("b", ["02/31/1990", "05/03/1971"], "birthday"),
        ("a", ["29/02/1990"], "birthday"),
        ("a", ["29/02/1992"], "birthday_dmy"),
    ],
)
def test_the_guess_reads_the_column_in_the_order_its_values_show(world: World, store: str, dobs, guess):
    job = upload(getattr(world, store), None, dated_file(*dobs))
    assert job.mapping == {"Name": "full_name", "Phone": "phone", "DOB": guess}


def test_a_day_first_file_imports_whole_with_the_guessed_mapping(world: World):
    job = upload(world.a, world.a_owner, dated_file("28.02.1966", "21/07/1963", "05/01/1994"))
    job = run(world.a, world.a_owner, job)
    assert [o[1] for o in outcomes(job)] == ["created", "created", "created"]
    assert birthdays(world.a) == [(28, 2, 1966), (21, 7, 1963), (5, 1, 1994)]


def test_a_month_first_file_in_a_day_first_store_imports_whole(world: World):
    job = upload(world.b, world.b_owner, dated_file("02/28/1966", "07/21/1963", "01/05/1994"))
    job = run(world.b, world.b_owner, job)
    assert [o[1] for o in outcomes(job)] == ["created", "created", "created"]
    assert birthdays(world.b) == [(28, 2, 1966), (21, 7, 1963), (5, 1, 1994)]


def test_an_ambiguous_file_keeps_the_stores_order(world: World):
    job = run(world.a, world.a_owner, upload(world.a, world.a_owner, dated_file("05/03/1971", "1966-02-28")))
    assert job.mapping["DOB"] == "birthday"
    assert birthdays(world.a) == [(3, 5, 1971), (28, 2, 1966)]  # May 3rd: month first, as in the US


def test_the_evidence_may_come_after_the_preview_rows(world: World):
    dobs = ["05/03/1971"] * 40 + ["25/12/1980"]
    job = upload(world.a, world.a_owner, dated_file(*dobs))
    assert job.mapping["DOB"] == "birthday_dmy"


def test_the_guess_reads_a_bounded_sample_of_the_file(world: World):
    """Lines past the sample are not read for the guess (they are still checked, and reported, at the run)."""
    dobs = ["05/03/1971"] * reading.SAMPLE_ROWS + ["25/12/1980"]
    job = upload(world.a, world.a_owner, dated_file(*dobs))
    assert job.mapping["DOB"] == "birthday"


def test_the_partners_birthday_and_the_anniversary_are_guessed_the_same_way(world: World):
    content = (
        b"Name,Phone,Spouse Birthday,Wedding date,Birthday\n"
        b"Ana Ruiz,(212) 555-0100,14/07/1984,06/25/2015,1990-05-31\n"
        b"Bea Berg,(212) 555-0101,03/04/1985,01/02/2016,1991-06-01\n"
    )
    job = upload(world.a, world.a_owner, content)
    assert job.mapping == {
        "Name": "full_name",
        "Phone": "phone",
        "Spouse Birthday": "partner_birthday_dmy",
        "Wedding date": "anniversary_mdy",
        "Birthday": "birthday",
    }


def test_a_date_column_that_cannot_tell_is_read_as_the_files_other_dates_are(world: World):
    """A point-of-sale export writes all its dates one way: "14/03/1985" in DOB says the
    anniversary "12/06/1995" is the 12th of June, not December 6th in the store's order."""
    content = (
        "Customer Name,Mobile,DOB,Anniversary\n"
        "Ilona Kertész,(914) 555-0199,14/03/1985,12/06/1995\n"
        "Renée Dubois,+33 6 12 34 56 78,1/5/1970,\n"
    ).encode()
    job = upload(world.a, world.a_owner, content)
    assert (job.mapping["DOB"], job.mapping["Anniversary"]) == ("birthday_dmy", "anniversary_dmy")
    run(world.a, world.a_owner, job)
    with scope(store=world.a):
        assert list(ImportantDate.objects.values_list("kind", "day", "month", "year")) == [("anniversary", 12, 6, 1995)]
    assert birthdays(world.a) == [(14, 3, 1985), (1, 5, 1970)]


def test_date_columns_that_disagree_leave_the_undecided_one_in_the_stores_order(world: World):
    content = (
        b"Name,Phone,Spouse Birthday,Wedding date,Birthday\nAna Ruiz,(212) 555-0100,14/07/1984,06/25/2015,05/06/1990\n"
    )
    assert upload(world.a, world.a_owner, content).mapping["Birthday"] == "birthday"


def test_our_own_export_keeps_its_month_first_dates(world: World):
    content = (
        b"Customer ID,First name,Last name,Phones,Birthday,Lifetime spend\n"
        b"7,Ana,Ruiz,+12125550100,09-30,0.00\n"
        b"8,Bea,Berg,+12125550101,1990-05-31,0.00\n"
    )
    assert upload(world.a, world.a_owner, content).mapping["Birthday"] == "birthday_mdy"


def test_the_mapping_page_and_the_api_show_the_guessed_order(world: World):
    content = dated_file("28.02.1966", "21.07.1963", "20.01.1994")
    response = api(world.a_owner).post(
        "/api/v1/imports", {"file": SimpleUploadedFile("dob.csv", content, content_type="text/csv")}
    )
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["mapping"]["DOB"] == "birthday_dmy"
    page = re.sub(r"\s+", " ", browser_client(world.a_owner).get(f"/customers/imports/{body['id']}/").content.decode())
    assert '<option value="birthday_dmy" selected>Birthday, written day/month/year</option>' in page
    assert "For example: 28.02.1966 · 21.07.1963 · 20.01.1994" in page


def test_a_month_first_dotted_file_imports_whole_with_the_guessed_mapping(world: World):
    """Dots are usually day first (31.12.1990, in Europe), but a column whose values show the month
    first (12.31.1990: there is no month 31) is guessed month first, and read as guessed."""
    job = upload(world.b, world.b_owner, dated_file("12.31.1990", "07.21.1963", "01.05.1994"))
    assert job.mapping["DOB"] == "birthday_mdy"
    job = run(world.b, world.b_owner, job)
    assert [o[1] for o in outcomes(job)] == ["created", "created", "created"]
    assert birthdays(world.b) == [(31, 12, 1990), (21, 7, 1963), (5, 1, 1994)]


@pytest.mark.parametrize(
    ("store", "value", "mapped", "message"),
    [
        # The store's order: dots are read day first, whichever order the store writes slashes in.
        (
            "a",
            "12.31.1990",
            "birthday",
            "DOB: “12.31.1990” has no month 31 when read day/month/year, as dates written with dots "
            "usually are; map the column as “Birthday, written month/day/year” if the file writes the month first.",
        ),
        (
            "b",
            "12.31.1990",
            "birthday",
            "DOB: “12.31.1990” has no month 31 when read day/month/year, as dates written with dots "
            "usually are; map the column as “Birthday, written month/day/year” if the file writes the month first.",
        ),
        # A column mapped in an order reads its dots in that order too, so the advice is right both ways.
        (
            "a",
            "31.12.1990",
            "birthday_mdy",
            "DOB: “31.12.1990” has no month 31 when read month/day/year, as you chose for this column; "
            "map the column as “Birthday, written day/month/year” if the file writes the day first.",
        ),
        (
            "b",
            "12.31.1990",
            "birthday_dmy",
            "DOB: “12.31.1990” has no month 31 when read day/month/year, as you chose for this column; "
            "map the column as “Birthday, written month/day/year” if the file writes the month first.",
        ),
    ],
)
def test_a_dotted_date_in_the_other_order_gets_advice_that_works(world: World, store, value, mapped, message):
    the_store = getattr(world, store)
    person = world.a_owner if store == "a" else world.b_owner
    job = run(the_store, person, upload(the_store, person, dated_file("1990-05-31", value)), {"DOB": mapped})
    assert outcomes(job)[1] == (3, "error", message)
    # The advice, taken, imports the line.
    other = "birthday_dmy" if "day first" in message else "birthday_mdy"
    job = run(the_store, person, upload(the_store, person, dated_file("1990-05-31", value)), {"DOB": other})
    assert [o[1] for o in outcomes(job)] == ["unchanged", "created"]
    assert birthdays(the_store)[-1] == (31, 12, 1990)
