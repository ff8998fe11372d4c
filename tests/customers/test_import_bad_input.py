"""Every file an import must refuse, and every line it must report: the exact answer, nothing stored."""

from __future__ import annotations

import codecs
import os
import time

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django_scopes import scopes_disabled

from tests.conftest import World, api
from tests.customers.import_support import import_file, outcomes, shopify
from trunkshow.customers.importing import reading
from trunkshow.customers.models import Customer, ImportJob

URL = "/api/v1/imports"
SAVE_AS = "Save it from your spreadsheet as “CSV UTF-8” and upload it again."


def refused(world: World, content: bytes, name: str = "customers.csv") -> str:
    response = api(world.a_owner).post(URL, {"file": SimpleUploadedFile(name, content, content_type="text/csv")})
    assert response.status_code == 400, response.content
    body = response.json()["error"]
    assert body["fields"]["file"] == [body["message"]]
    return str(body["message"])


def stored_files(settings) -> set:
    folder = settings.DATA_DIR / "imports"
    return {p for p in folder.rglob("*") if p.is_file()} if folder.exists() else set()


@pytest.fixture(autouse=True)
def files_before(settings):
    """Files other tests of the session left waiting (uploads never started)."""
    return stored_files(settings)


def assert_nothing_stored(settings, before=None) -> None:
    with scopes_disabled():
        assert ImportJob.objects.count() == 0
        assert Customer.objects.count() == 0
    assert stored_files(settings) == (before if before is not None else set())


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"", "The file is empty: there is not even a header row."),
        (codecs.BOM_UTF8 + b"\r\n\r\n", "The file is empty: there is not even a header row."),
        ("\r\n \r\n\r\n".encode("utf-16-le"), "The file is empty: there is not even a header row."),
        (b"First Name,Email\r\n", "The file has a header row but no customers under it."),
        (b"First Name,Email\r\n\r\n,\r\n", "The file has a header row but no customers under it."),
        (
            b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x01\x00",
            "This is not a CSV text file (it holds binary data, like a spreadsheet or an image). " + SAVE_AS,
        ),
        (
            b"PK\x03\x04\x14\x00\x06\x00\x08\x00\x00\x00!\x00[Content_Types].xml",
            "This is not a CSV text file (it holds binary data, like a spreadsheet or an image). " + SAVE_AS,
        ),
        (
            "First Name,Email\nZoë,zoe@example.com\n".encode() + "Renée,renee@example.com\n".encode("cp1252"),
            "This file mixes text encodings: line 3 is not UTF-8 although earlier lines are. " + SAVE_AS,
        ),
        (
            # 0x81 is in no Windows code page but Cyrillic, which has no 0x98, and Arabic, which maps
            # every byte (“Badپ”: a Persian letter inside a Latin word, garbage); both need a second
            # byte in Shift-JIS, GB18030, EUC-KR and Big5, and a space or an @ is not one.
            b"First Name,Email\nAna,ana@example.com\nBad\x81 Byte,b\x98@example.com\n",
            "This file is not in an encoding we can read (UTF-8, UTF-16, Windows-1250 to 1258 (Central European, "
            "Cyrillic, Western European, Greek, Turkish, Hebrew, Arabic, Baltic, Vietnamese), Shift-JIS, GB18030, "
            "Big5 or EUC-KR): line 3 holds bytes none of them use. " + SAVE_AS,
        ),
        (
            b"First Name,Email,email\nAna,a@example.com,b@example.com\n",
            "The column “email” appears twice in the header (columns 2 and 3); rename one and upload the file again.",
        ),
        (
            # After a note of two lines: Bea starts on line 4 of the text, in row 3 of a spreadsheet.
            b'First Name,Note\nAna,"fine\nand dandy"\nBea,"this quote\nnever closes\nAna,x\n',
            "Line 4 opens a quote that never closes, so the rest of the file would be one cell "
            "(a spreadsheet shows it in row 3). Close the quote in a text editor and upload the file again.",
        ),
        (
            b'First Name,Note\nAna,"' + b"x" * (reading.MAX_LINE_CHARS // 2) + b"\n" + b"y" * 600_000 + b"\n",
            "A cell starting on line 2 (row 2 in a spreadsheet) runs past 1 MB, most likely because a quote never "
            "closes. Close the quote in a text editor and upload the file again.",
        ),
        (
            b"First Name,Note\nAna," + b"x" * (10 * 1024 * 1024) + b"\n",
            "Line 2 is longer than 1 MB; a line holds one customer, so this is not a customer list.",
        ),
        (
            b"\nFirst Name,Email\nAna,a@example.com\n",
            "The first line must be the header row with the column names; line 1 is blank.",
        ),
    ],
    ids=[
        "empty",
        "only-a-bom",
        "blank-utf-16-without-a-bom",
        "header-only",
        "header-and-blank-lines",
        "png-named-csv",
        "xlsx-named-csv",
        "mixed-encodings",
        "wrong-encoding",
        "duplicated-columns",
        "unclosed-quote",
        "unclosed-quote-past-the-cell-limit",
        "a-10-mb-line",
        "blank-first-line",
    ],
)
def test_files_that_cannot_be_imported_are_refused_with_the_reason(
    world: World, settings, files_before, content, message
):
    assert refused(world, content) == message
    assert_nothing_stored(settings, files_before)


def test_a_200_mb_file_is_refused_naming_the_limit_before_it_is_read(world: World, settings, files_before, tmp_path):
    big = tmp_path / "big.csv"
    with open(big, "wb") as fh:  # sparse: 200 MB on paper, nothing on disk
        fh.write(b"First Name,Email\n")
        fh.truncate(200 * 1024 * 1024)
    started = time.monotonic()
    with open(big, "rb") as fh:
        response = api(world.a_owner).post(URL, {"file": fh})
    assert response.status_code == 413
    assert response.json()["error"] == {
        "code": "too_large",
        "message": "This file is over the 50 MB limit for an import; split it into smaller files "
        "or remove the columns you do not need.",
        "fields": {},
    }
    assert time.monotonic() - started < 30
    assert_nothing_stored(settings, files_before)


def test_a_body_longer_than_declared_is_cut_off_while_it_streams(world: World, settings, files_before):
    content = b"First Name,Email\n" + b"a" * (reading.MAX_FILE_BYTES)
    response = api(world.a_owner).post(URL, {"file": SimpleUploadedFile("big.csv", content)})
    assert response.status_code == 413
    assert response.json()["error"]["message"].startswith("This file is over the 50 MB limit for an import")
    assert_nothing_stored(settings, files_before)


def test_a_streamed_file_past_the_limit_is_refused_by_the_service(world: World, settings, files_before, tmp_path):
    from django.core.exceptions import ValidationError
    from django_scopes import scope

    from trunkshow.customers.importing import import_upload

    big = tmp_path / "big.csv"
    with open(big, "wb") as fh:
        fh.truncate(200 * 1024 * 1024)
    with scope(store=world.a), open(big, "rb") as fh, pytest.raises(ValidationError) as info:
        import_upload(store=world.a, actor=world.a_owner.user, file_name="big.csv", stream=fh)
    assert info.value.message_dict == {
        "file": [
            "This file is over the 50 MB limit for an import; split it into smaller files "
            "or remove the columns you do not need."
        ]
    }
    assert_nothing_stored(settings, files_before)


def test_windows_1252_utf_16_and_bom_files_are_read_correctly(world: World):
    text = "First Name;Last Name;Email\r\nRenée;Müller;renee@example.com\r\n"
    for content, encoding, delimiter in [
        (text.encode("cp1252"), "windows-1252", ";"),
        (codecs.BOM_UTF8 + text.encode(), "utf-8-sig", ";"),
        (text.replace(";", "\t").encode("utf-16"), "utf-16-le", "\t"),
        (codecs.BOM_UTF16_BE + text.encode("utf-16-be"), "utf-16-be", ";"),
        # Without a byte order mark, as some tills and database tools write UTF-16.
        (text.encode("utf-16-le"), "utf-16-le", ";"),
        (text.replace(";", ",").encode("utf-16-be"), "utf-16-be", ","),
    ]:
        response = api(world.a_owner).post(URL, {"file": SimpleUploadedFile("c.csv", content)})
        body = response.json()
        assert (body["encoding"], body["delimiter"]) == (encoding, delimiter)
        assert body["columns"] == ["First Name", "Last Name", "Email"]
        assert body["mapping"] == {"First Name": "first_name", "Last Name": "last_name", "Email": "email"}
        assert body["preview"] == [["Renée", "Müller", "renee@example.com"]]


def test_quoted_newlines_and_delimiters_inside_cells_stay_in_their_cell(world: World):
    content = b'First Name,Last Name,Note\r\nAna,"Ruiz, Jr.","Likes\r\nyellow gold"\r\nBea,Berg,\r\n'
    job = import_file(world.a, world.a_owner, content)
    # Bea starts on line 4 of the text, and is row 3 where a spreadsheet opens the file.
    assert outcomes(job) == [(2, "created", ""), (3, "created", "")]
    with scopes_disabled():
        ana = Customer.objects.get(first_name="Ana")
        assert ana.last_name == "Ruiz, Jr."
        assert ana.notes.get().body == "Likes\r\nyellow gold"


@pytest.mark.parametrize(
    ("row", "message"),
    [
        (
            "Dora,Diaz,,,,,,,,,,12,,,,,,",
            "Phone: “12” is not a valid phone number (United States). Add the country code, like +1 201-555-0123.",
        ),
        (
            "Dora,Diaz,,,,,,,,,,call me,,,,,,",
            "Phone: “call me” is not a phone number. Use the international format, like +1 201-555-0123.",
        ),
        (
            "Dora,Diaz,dora@,,,,,,,,,,,,,,,",
            "Email: “dora@” is not a valid email address: There must be something after the @-sign.",
        ),
        (",,dora@example.com,,,,,,,,,,,,,,,", "No name on this row: a customer needs a first or last name."),
        ("Dora,Diaz,,maybe,,,,,,,,,,,,,,", "Accepts Email Marketing: “maybe” is not yes or no."),
        ("Dora,Diaz,,,,,,,,USA,,,,,,,,", "Country Code: “USA” is not a two-letter country code such as FR or US."),
        ("Dora,Diaz,,,,,,,,,,,,lots,,,,", "Total Spent: “lots” is not an amount such as 1250.00."),
        ("Dora,Diaz,,,,,,,,,,,,-5.00,,,,", "Total Spent: The amount spent cannot be negative (“-5.00”)."),
        (
            "Dora,Diaz,,,,,,,,,,,,€300,,,,",
            "Total Spent: “€300” is in Euro (EUR), but this store keeps its amounts in US Dollar (USD): "
            "convert the amounts, or leave this column out.",
        ),
        (
            "Dora,Diaz,,,,,,,,,,,,¥30000,,,,",
            "Total Spent: “¥30000” is not in US Dollar (USD), the currency this store keeps its amounts in: "
            "convert the amounts, or leave this column out.",
        ),
        ("Dora,Diaz,,,,,,,,,,,,,,x" + "y" * 60 + ",,", "Tags: Use at most 60 characters (this has 61)."),
        (
            "Dora,Diaz,,,,,,,,,,,,,,,,,,extra",
            "This row has 20 cells but the header has 18 columns; check the delimiters.",
        ),
        (
            'Dora,"Di"az,,,,,,,,,,,,,,,,',
            "The quotes on this row do not close where a cell ends; put the whole cell in quotes.",
        ),
        (
            "Dora,Diaz,,,,,,,,,,12,,lots,,,,",
            "Phone: “12” is not a valid phone number (United States). Add the country code, like +1 201-555-0123. "
            "Total Spent: “lots” is not an amount such as 1250.00.",
        ),
    ],
    ids=[
        "short-phone",
        "words-for-a-phone",
        "bad-email",
        "no-name",
        "consent-not-yes-or-no",
        "country-name",
        "spend-words",
        "spend-negative",
        "spend-in-euros",
        "spend-in-yen-or-yuan",
        "long-tag",
        "extra-cells",
        "stray-quote",
        "two-problems",
    ],
)
def test_a_bad_line_is_reported_with_its_reason_and_the_others_import(world: World, row, message):
    job = import_file(world.a, world.a_owner, shopify("Ana,Ruiz,,,,,,,,,,,,,,,,", row, "Bea,Berg,,,,,,,,,,,,,,,,"))
    assert outcomes(job) == [(2, "created", ""), (3, "error", message), (4, "created", "")]
    assert (job.status, job.created_count, job.error_count, job.processed_rows) == ("done", 2, 1, 3)
    with scopes_disabled():
        assert sorted(Customer.objects.values_list("first_name", flat=True)) == ["Ana", "Bea"]


@pytest.mark.parametrize(
    ("store", "spent", "expected"),
    [
        ("a", "$1,234.50", "1234.50"),
        ("a", "USD 80", "80.00"),
        ("a", "US$ 80", "80.00"),
        ("b", "1 234,50 €", "1234.50"),
        ("b", "EUR 99,90", "99.90"),
        ("b", "300", "300.00"),
    ],
)
def test_an_amount_in_the_stores_own_currency_imports_whatever_sign_it_carries(
    world: World, store: str, spent: str, expected: str
) -> None:
    job = import_file(
        getattr(world, store),
        world.a_owner if store == "a" else world.b_owner,
        shopify(f'Dora,Diaz,,,,,,,,,,,,"{spent}",,,,'),
    )
    assert outcomes(job) == [(2, "created", "")]
    with scopes_disabled():
        assert str(Customer.objects.get(first_name="Dora").lifetime_spend) == expected


def test_dollars_in_a_euro_store_are_refused_and_pounds_named(world: World) -> None:
    job = import_file(
        world.b, world.b_owner, shopify("Dora,Diaz,,,,,,,,,,,,$300,,,,", "Eve,Diaz,,,,,,,,,,,,300 GBP,,,,")
    )
    assert outcomes(job) == [
        (
            2,
            "error",
            "Total Spent: “$300” is not in Euro (EUR), the currency this store keeps its amounts in: "
            "convert the amounts, or leave this column out.",
        ),
        (
            3,
            "error",
            "Total Spent: “300 GBP” is in British Pound (GBP), but this store keeps its amounts in Euro (EUR): "
            "convert the amounts, or leave this column out.",
        ),
    ]
    with scopes_disabled():
        assert not Customer.objects.filter(store=world.b, first_name__in=["Dora", "Eve"]).exists()


@pytest.mark.parametrize(
    ("store", "value", "mapped", "expected"),
    [
        ("b", "31/02/1990", "birthday", (3, "error", "Birthday: February 1990 has no day 31.")),
        # Not a date read day first either: no advice to map the column so, but what is wrong.
        ("a", "31/02/1990", "birthday", (3, "error", "Birthday: February 1990 has no day 31.")),
        (
            "a",
            "31/04/1990",
            "birthday",
            (3, "error", "Birthday: April 1990 has no day 31."),
        ),
        (
            "a",
            "31/05/1990",
            "birthday",
            (
                3,
                "error",
                "Birthday: “31/05/1990” has no month 31 when read month/day/year, as this store writes dates; "
                "map the column as “Birthday, written day/month/year” if the file writes the day first.",
            ),
        ),
        ("a", "31/02/1990", "birthday_dmy", (3, "error", "Birthday: February 1990 has no day 31.")),
        (
            "a",
            "05/31/1990",
            "birthday_dmy",
            (
                3,
                "error",
                "Birthday: “05/31/1990” has no month 31 when read day/month/year, as you chose for this column; "
                "map the column as “Birthday, written month/day/year” if the file writes the month first.",
            ),
        ),
        (
            "b",
            "31/05/1990",
            "birthday_mdy",
            (
                3,
                "error",
                "Birthday: “31/05/1990” has no month 31 when read month/day/year, as you chose for this column; "
                "map the column as “Birthday, written day/month/year” if the file writes the day first.",
            ),
        ),
        (
            "b",
            "05/31/1990",
            "birthday",
            (
                3,
                "error",
                "Birthday: “05/31/1990” has no month 31 when read day/month/year, as this store writes dates; "
                "map the column as “Birthday, written month/day/year” if the file writes the month first.",
            ),
        ),
        ("a", "1990-02-31", "birthday", (3, "error", "Birthday: February 1990 has no day 31.")),
        ("a", "02/30", "birthday", (3, "error", "Birthday: February has no day 30.")),
        (
            "a",
            "someday",
            "birthday",
            (3, "error", "Birthday: “someday” is not a date; write it like 1990-05-31 or 05/31/1990."),
        ),
        ("a", "2999-01-01", "birthday", (3, "error", "Birthday: This date is in the future.")),
    ],
)
def test_impossible_birthdays_are_reported(world: World, store, value, mapped, expected):
    the_store = getattr(world, store)
    person = world.a_owner if store == "a" else world.b_owner
    content = f"First Name,Birthday\nAna,1990-05-31\nBea,{value}\n".encode()
    job = import_file(the_store, person, content, mapping={"Birthday": mapped})
    assert outcomes(job) == [(2, "created", ""), expected]


def test_phones_are_read_in_the_stores_region(world: World):
    content = b"First Name,Phone\nAna,01 42 68 53 00\nBea,(914) 555-0142\n"
    job = import_file(world.b, world.b_owner, content)
    assert outcomes(job) == [
        (2, "created", ""),
        (
            3,
            "error",
            "Phone: “(914) 555-0142” is not a valid phone number (France). Add the country code, like +33 6 12 34 56 78.",
        ),
    ]
    with scopes_disabled():
        assert list(Customer.objects.get().phones.values_list("e164", flat=True)) == ["+33142685300"]


def test_a_phone_that_is_no_number_at_all_gets_an_example_of_the_stores_own_country(world: World):
    """A store in France is shown a French number to copy, not a London one."""
    job = import_file(world.b, world.b_owner, b"First Name,Mobile\nAna,call me maybe\n")
    assert outcomes(job) == [
        (
            2,
            "error",
            "Mobile: “call me maybe” is not a phone number. Use the international format, like +33 6 12 34 56 78.",
        )
    ]


def test_sparse_files_leave_no_trace(tmp_path):
    # The 200 MB test files above are sparse: they take no disk space while they exist.
    path = tmp_path / "s.csv"
    with open(path, "wb") as fh:
        fh.truncate(200 * 1024 * 1024)
    assert os.stat(path).st_blocks * 512 < 1024 * 1024
