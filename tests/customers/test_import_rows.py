"""An import numbers each result by the row a spreadsheet shows the record in (the header is row 1, a
blank line is a row, a quoted cell with line breaks stays in one row), wherever the number is shown:
the results page, the API, the command line, the consent evidence, a later row's message. A run
resumed after it was killed skips exactly the rows done, and an import numbered by lines of text
before rows were counted (``line_numbers``) goes on numbering that way."""

from __future__ import annotations

import codecs
import re
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django_scopes import scope, scopes_disabled

from tests.conftest import World, api, browser_client
from tests.customers.import_support import import_file, outcomes, run, shopify, upload
from trunkshow.cli import main
from trunkshow.customers import importing
from trunkshow.customers.importing import jobs
from trunkshow.customers.models import ConsentEvent, Customer, ImportJob, ImportRow, Note
from trunkshow.customers.privacy import _blank_records, customer_erase

BAD_PHONE = "Phone: “12” is not a valid phone number (United States). Add the country code, like +1 201-555-0123."


def note_row(first: str, email: str, note: str, phone: str = "") -> str:
    """A Shopify line with a quoted Note (the 17th of its 18 columns), which may hold line breaks."""
    return f'{first},Ruiz,{email},,,,,,,,,{phone},,,,,"{note}",'


# Ana's note spans three lines of text; Bea's phone is bad. A spreadsheet shows Bea in row 3
# (header, Ana, Bea) although her record starts on line 5 of the text.
MULTI_LINE = [
    note_row("Ana", "ana@example.com", "Met at the Boston show.\nLikes yellow gold.\nSize 6"),
    "Bea,Berg,,,,,,,,,,12,,,,,,",
]


def numbers(job: ImportJob) -> list[tuple[int, str]]:
    return [(number, outcome) for number, outcome, _message in outcomes(job)]


def test_a_bad_row_after_a_note_of_several_lines_is_reported_by_its_spreadsheet_row(world: World):
    job = import_file(world.a, world.a_owner, shopify(*MULTI_LINE))
    assert outcomes(job) == [(2, "created", ""), (3, "error", BAD_PHONE)]
    with scopes_disabled():
        assert Note.objects.get().body == "Met at the Boston show.\nLikes yellow gold.\nSize 6"
        assert ImportJob.objects.get().line_numbers is False

    page = re.sub(r"\s+", " ", browser_client(world.a_owner).get(f"/customers/imports/{job.pk}/").content.decode())
    assert re.findall(r"Row (\d+)", page) == ["3"]
    assert "Row 3</span>" in page and BAD_PHONE in page
    assert "Line " not in page

    body = api(world.a_owner).get(f"/api/v1/imports/{job.pk}/rows?outcome=error").json()
    assert [(item["line"], item["message"]) for item in body["items"]] == [(3, BAD_PHONE)]
    assert api(world.a_owner).get(f"/api/v1/imports/{job.pk}").json()["line_numbers"] is False


@pytest.mark.django_db(transaction=True)
def test_the_command_line_names_the_spreadsheet_row(capsys: Any, world: World, tmp_path) -> None:
    path = tmp_path / "shopify.csv"
    path.write_bytes(shopify(*MULTI_LINE))
    assert main(["import", "customers", str(path), "--store", "atelier"]) == 0
    out, _err = capsys.readouterr()
    assert out.splitlines() == [
        "Imported shopify.csv into atelier: 1 created, 0 merged, 0 unchanged, 1 not imported.",
        f"  row 3: {BAD_PHONE}",
    ]


def test_a_blank_line_between_records_is_a_row_as_a_spreadsheet_shows_it(world: World):
    content = shopify("Ana,Ruiz,ana@example.com,,,,,,,,,,,,,,,", "", ",,,,,,,,,,,,,,,,,", "Bea,Berg,,,,,,,,,,12,,,,,,")
    job = import_file(world.a, world.a_owner, content)
    # Row 3 is empty and row 4 has only delimiters: neither is a customer, both are rows.
    assert outcomes(job) == [(2, "created", ""), (5, "error", BAD_PHONE)]


def test_later_rows_name_the_row_that_created_their_customer_and_consent_names_its_row(world: World):
    later = note_row("Ana", "ana@example.com", "Met again", phone="(212) 555-0100")
    first = 'Ana,Ruiz,ana@example.com,yes,,,,,,,,,,,,,"Met at the\nBoston show",'
    job = import_file(world.a, world.a_owner, shopify("Bea,Berg,,,,,,,,,,12,,,,,,", first, later))
    assert outcomes(job) == [
        (2, "error", BAD_PHONE),
        (3, "created", ""),
        (4, "merged", "Merged into Ana Ruiz, created from row 3 of this file: added phone +12125550100; added a note."),
    ]
    with scopes_disabled():
        evidence = ConsentEvent.objects.get().evidence_text
    assert evidence == (
        f"Imported from customers.csv (SHA-256 {job.file_sha256}), row 3, column “Accepts Email Marketing”: “yes”"
    )


@pytest.mark.parametrize(
    "encode",
    [
        pytest.param(lambda text: text.replace("\n", "\r\n").encode(), id="crlf"),
        pytest.param(lambda text: text.replace("\n", "\r\n").encode("utf-16"), id="utf-16-with-bom"),
        pytest.param(lambda text: text.encode("utf-16-le"), id="utf-16-le-without-bom"),
        pytest.param(lambda text: codecs.BOM_UTF16_BE + text.replace("\n", "\r\n").encode("utf-16-be"), id="utf-16-be"),
    ],
)
def test_crlf_and_utf_16_files_are_numbered_by_the_same_rows(world: World, encode: Any):
    text = shopify(*MULTI_LINE[:1], "", *MULTI_LINE[1:]).decode()
    job = import_file(world.a, world.a_owner, encode(text))
    # Header, Ana (three lines of text), a blank row, Bea: Bea is row 4, on line 6 of the text.
    assert outcomes(job) == [(2, "created", ""), (4, "error", BAD_PHONE)]
    with scopes_disabled():
        assert Note.objects.get().body.splitlines() == ["Met at the Boston show.", "Likes yellow gold.", "Size 6"]


def killed_after_the_first_batch(world: World, monkeypatch: Any, lines: list[str], line_numbers: bool) -> ImportJob:
    """An import of ``lines`` in batches of two whose worker dies while the second batch is being
    written (nothing of it is committed); ``line_numbers`` as migration 0018 leaves the job."""
    job = upload(world.a, world.a_owner, shopify(*lines))
    with scopes_disabled():
        ImportJob.objects.filter(pk=job.pk).update(line_numbers=line_numbers)
    real, calls = jobs._run_batch, {"n": 0}

    def dies_on_second_batch(ctx: Any, job: Any, batch: Any, progress: Any) -> bool:
        calls["n"] += 1
        if calls["n"] == 2:
            raise KeyboardInterrupt
        return real(ctx, job, batch, progress)

    monkeypatch.setattr(jobs, "BATCH_ROWS", 2)
    monkeypatch.setattr(jobs, "_run_batch", dies_on_second_batch)
    with pytest.raises(KeyboardInterrupt):
        run(world.a, world.a_owner, job)
    monkeypatch.undo()
    return job


# Five people, every other one with a note of two lines, and a blank line after the second: rows
# 2, 3, 5, 6, 7 begin on lines 2, 4, 6, 8, 9 of the text.
RESUMED = [
    note_row("P0", "p0@example.com", "first\nsecond"),
    "P1,Q,p1@example.com,,,,,,,,,,,,,,,",
    "",
    note_row("P2", "p2@example.com", "third\nfourth"),
    "P3,Q,p3@example.com,,,,,,,,,,,,,,,",
    "P4,Q,p4@example.com,,,,,,,,,,,,,,,",
]


@pytest.mark.parametrize(
    ("line_numbers", "done", "word"),
    [
        pytest.param(False, [2, 3, 5, 6, 7], "Row", id="by-rows"),
        # A run in progress when rows began to be counted (migration 0018 marked its job): its first
        # results are numbered by lines of text, so the rest are too.
        pytest.param(True, [2, 4, 6, 8, 9], "Line", id="by-lines-as-before-2026-11-25"),
    ],
)
def test_a_run_killed_mid_file_resumes_after_its_last_number_and_imports_every_row_once(
    world: World, monkeypatch: Any, line_numbers: bool, done: list[int], word: str
):
    job = killed_after_the_first_batch(world, monkeypatch, RESUMED, line_numbers)
    assert numbers(job) == [(n, "created") for n in done[:2]]
    with scope(store=world.a):
        job = importing.import_run(store=world.a, job_id=job.pk)
    assert (job.status, job.processed_rows, job.created_count) == ("done", 5, 5)
    assert numbers(job) == [(n, "created") for n in done]
    with scopes_disabled():
        assert sorted(Customer.objects.values_list("first_name", flat=True)) == ["P0", "P1", "P2", "P3", "P4"]
        assert sorted(Note.objects.values_list("body", flat=True)) == ["first\nsecond", "third\nfourth"]
    page = browser_client(world.a_owner).get(f"/customers/imports/{job.pk}/?outcome=all").content.decode()
    assert re.findall(rf"{word} (\d+)", page) == [str(n) for n in done]
    explained = "each number is the line of the file’s text its customer starts on" in page
    assert explained is line_numbers


@pytest.mark.parametrize("line_numbers", [False, True])
def test_erasing_someone_mid_import_blanks_the_record_their_result_numbers(
    world: World, monkeypatch: Any, settings: Any, line_numbers: bool
):
    """Kati's record has no phone or email, so only her result's number finds it: row 3, or line 4
    of the text in a job numbered by lines. It is blanked and keeps its row and its lines, and the
    run resumed afterwards imports the others once, each under its own number."""
    rows = [
        note_row("P0", "p0@example.com", "first\nsecond"),
        'Kati,Szirmay,,,,,,,,,,,,,,,"likes\nsapphires",',
        "P1,Q,p1@example.com,,,,,,,,,,,,,,,",
        "P2,Q,p2@example.com,,,,,,,,,,,,,,,",
    ]
    job = killed_after_the_first_batch(world, monkeypatch, rows, line_numbers)
    kati = 4 if line_numbers else 3
    assert numbers(job) == [(2, "created"), (kati, "created")]
    with scope(store=world.a):
        ImportRow.objects.filter(job=job, line=kati).update(message="Note: too long")  # names none of her values
        customer_erase(store=world.a, actor=world.a_owner.user, customer=Customer.objects.get(first_name="Kati"))
        assert ImportRow.objects.get(job=job, line=kati).message == ""
    stored = (settings.DATA_DIR / job.stored_path).read_text().splitlines()
    assert stored[3:7] == ['"', '"', "P1,Q,p1@example.com,,,,,,,,,,,,,,,", "P2,Q,p2@example.com,,,,,,,,,,,,,,,"]

    with scope(store=world.a):
        job = importing.import_run(store=world.a, job_id=job.pk)
    assert (job.status, job.processed_rows, job.created_count) == ("done", 4, 4)
    later = [(6, "created"), (7, "created")] if line_numbers else [(4, "created"), (5, "created")]
    assert numbers(job) == [(2, "created"), (kati, "created"), *later]
    with scopes_disabled():
        assert sorted(Customer.objects.filter(erased_at=None).values_list("first_name", flat=True)) == [
            "P0",
            "P1",
            "P2",
        ]


@pytest.mark.parametrize(
    ("first_line", "delimiter"),
    [("sep=;", ";"), ("sep=\t", "\t"), ('"sep=,"', ","), ("\ufeffSEP=;", ";"), ("sep=;;;", ";")],
)
def test_excels_sep_line_names_the_delimiter_and_is_not_a_row(world: World, first_line: str, delimiter: str):
    lines = [first_line, "First name|Last name|Email", "Ana|Ruiz|ana@example.com", "Bea|Berg|not-an-email"]
    ending = "\r" if first_line == "sep=;;;" else "\r\n"  # an old Mac's line ends too
    content = (ending.join(line.replace("|", delimiter) for line in lines) + ending).encode()
    job = upload(world.a, world.a_owner, content)
    assert (job.delimiter, job.columns, job.total_rows) == (delimiter, ["First name", "Last name", "Email"], 2)
    assert job.mapping == {"First name": "first_name", "Last name": "last_name", "Email": "email"}
    job = run(world.a, world.a_owner, job)
    # Excel hides the sep line: the header is row 1, Ana row 2, Bea row 3.
    assert numbers(job) == [(2, "created"), (3, "error")]
    with scopes_disabled():
        assert list(Customer.objects.values_list("first_name", "last_name")) == [("Ana", "Ruiz")]


def test_a_sep_line_followed_by_a_blank_line_says_where_the_header_belongs(world: World):
    with pytest.raises(ValidationError) as refused:
        upload(world.a, world.a_owner, b"sep=;\n\nFirst name;Last name\nAna;Ruiz\n")
    assert refused.value.message_dict == {
        "file": ["The header row with the column names must follow the line “sep=”; line 2 is blank."]
    }


def test_sep_is_only_excels_line_when_it_names_one_delimiter(world: World):
    job = upload(world.a, world.a_owner, b"sep=ab,Name\nx,Ana Ruiz\n")
    assert job.columns == ["sep=ab", "Name"]


def test_erasure_blanks_the_row_a_sep_file_numbers(world: World):
    lines = ["sep=;\r\n", "First name;Last name\r\n", "Ana;Ruiz\r\n", "Kati;Szirmay\r\n", "Bea;Berg\r\n"]
    out, starts = _blank_records(lines, ";", world.a, set(), set(), set(), {3})
    assert (out, starts) == (["sep=;\r\n", "First name;Last name\r\n", "Ana;Ruiz\r\n", "\r\n", "Bea;Berg\r\n"], [3])
    out, starts = _blank_records(lines, ";", world.a, set(), set(), set(), {4}, line_numbers=True)
    assert (out[3], starts) == ("\r\n", [4])
