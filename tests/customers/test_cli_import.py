"""`trunkshow import customers FILE.csv --store SLUG`: the same import, in-process, with a progress bar."""

from __future__ import annotations

import sys
from typing import Any

import pytest
from django_scopes import scopes_disabled

from tests.conftest import World
from tests.customers.import_support import shopify, upload
from trunkshow.cli import main
from trunkshow.core.models import AuditEntry
from trunkshow.customers.models import Customer, ImportJob, Size

pytestmark = pytest.mark.django_db(transaction=True)


def run(capsys: Any, *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def test_imports_with_a_progress_bar_and_a_summary(capsys: Any, world: World, tmp_path) -> None:
    path = tmp_path / "pos export.csv"
    path.write_bytes(
        shopify(
            "Ana,Ruiz,ana@example.com,,,,,,,,,(212) 555-0100,,,,,,",
            "Bea,Berg,,,,,,,,,,12,,,,,,",
            "Cy,Cole,cy@example.com,,,,,Lyon,,,,,,,,,,",
        )
    )
    code, out, err = run(capsys, "import", "customers", str(path), "--store", "atelier", "--mapping", "City=")
    assert code == 0, err
    assert out.splitlines() == [
        "Imported pos export.csv into atelier: 2 created, 0 merged, 0 unchanged, 1 not imported.",
        "  row 3: Phone: “12” is not a valid phone number (United States). Add the country code, like +1 201-555-0123.",
    ]
    assert err.startswith("pos export.csv: 3 rows, UTF-8, separated by comma\n")
    assert "] 100% 3/3 rows, " in err
    with scopes_disabled():
        assert sorted(Customer.objects.values_list("first_name", "city")) == [("Ana", ""), ("Cy", "")]
        job = ImportJob.objects.get()
        assert (job.status, job.stored_path, job.created_by) == ("done", "", None)
    code, out, _err = run(capsys, "import", "customers", str(path), "--store", "atelier", "--mapping", "City=")
    assert (
        out.splitlines()[0] == "Imported pos export.csv into atelier: 0 created, 0 merged, 2 unchanged, 1 not imported."
    )


@pytest.mark.parametrize(
    ("content", "argv", "message"),
    [
        (b"First Name\nAna\n", ["--store", "nowhere"], "trunkshow: no store with the slug 'nowhere'\n"),
        (b"", ["--store", "atelier"], "trunkshow: c.csv: The file is empty: there is not even a header row.\n"),
        (
            b"First Name\n",
            ["--store", "atelier"],
            "trunkshow: c.csv: The file has a header row but no customers under it.\n",
        ),
        (
            b"Colour\nred\n",
            ["--store", "atelier"],
            "trunkshow: c.csv: Map at least one column to a name, an email or a phone: without one there is "
            "nobody to import. Check that the first line of the file holds the column names.\n",
        ),
        (
            b"First Name\nAna\n",
            ["--store", "atelier", "--mapping", "Ghost=email"],
            "trunkshow: c.csv: The file has no column “Ghost”; its columns are “First Name”.\n",
        ),
        (
            b"First Name\nAna\n",
            ["--store", "atelier", "--mapping", "First Name"],
            "trunkshow: --map 'First Name': write it as COLUMN=FIELD, like 'Mobile=phone' (FIELD empty to skip)\n",
        ),
        (
            b"First Name,Birthday\nAna,1990-07-04\n",
            ["--store", "atelier", "--mapping", "Birthday=bday"],
            "trunkshow: c.csv: “bday” (column “Birthday”) is not a field an import fills; use one of first_name, ",
        ),
        (
            b"First Name,Birthday\nAna,1990-07-04\n",
            ["--store", "atelier", "--mapping", "First Name=", "Birthday=birthday"],
            "trunkshow: c.csv: Map at least one column to a name, an email or a phone: without one there is "
            "nobody to import. Check that the first line of the file holds the column names.\n",
        ),
    ],
)
def test_bad_files_and_arguments_exit_non_zero_with_the_reason_and_leave_nothing(
    capsys, world, tmp_path, settings, content, argv, message
):
    """A refused command leaves no trace but its message: no import in Past imports, no audit
    entry, no stored file, and no folder made for one in the data folder."""
    path = tmp_path / "c.csv"
    path.write_bytes(content)
    with scopes_disabled():
        audited = list(AuditEntry.objects.values_list("pk", flat=True))
    settings.DATA_DIR = tmp_path / "data"
    settings.DATA_DIR.mkdir()
    code, out, err = run(capsys, "import", "customers", str(path), *argv)
    assert (code, out) == (2, "")
    assert message in err and err.count("\n") == 1
    with scopes_disabled():
        assert Customer.objects.count() == 0
        assert ImportJob.objects.count() == 0
        assert list(AuditEntry.objects.values_list("pk", flat=True)) == audited
    assert list(settings.DATA_DIR.rglob("*")) == []


def test_a_refused_command_keeps_the_stores_waiting_uploads(capsys, world, tmp_path, settings):
    """Only what the refused command made is removed: the store's folder with another upload in it stays."""
    settings.DATA_DIR = tmp_path / "data"
    job = upload(world.a, None, b"First Name\nAna\n")
    stored = settings.DATA_DIR / job.stored_path
    path = tmp_path / "c.csv"
    path.write_bytes(b"Colour\nred\n")
    code, _out, _err = run(capsys, "import", "customers", str(path), "--store", "atelier")
    assert code == 2
    assert sorted(settings.DATA_DIR.rglob("*")) == [stored.parent.parent, stored.parent, stored]


def test_partners_and_anniversaries_import_from_the_command_line(capsys: Any, world: World, tmp_path) -> None:
    path = tmp_path / "pos.csv"
    path.write_bytes(
        "Name,Phone,Spouse,Wedding\n"
        "Ana Ruiz,(212) 555-0100,Hélène Dubois,12/06/2015\n"
        "Bea Berg,(212) 555-0101,Tom Berg,31/02/2015\n".encode()
    )
    argv = ("import", "customers", str(path), "--store", "atelier", "--mapping", "Wedding=anniversary_dmy")
    code, out, err = run(capsys, *argv)
    assert code == 0, err
    assert out.splitlines() == [
        "Imported pos.csv into atelier: 1 created, 0 merged, 0 unchanged, 1 not imported.",
        "  row 3: Wedding: February 2015 has no day 31.",
    ]
    with scopes_disabled():
        ana = Customer.objects.get()
        assert ana.partner_name == "Hélène Dubois"
        assert list(ana.important_dates.values_list("kind", "day", "month", "year")) == [("anniversary", 12, 6, 2015)]
    code, out, _err = run(capsys, *argv)
    assert out.splitlines()[0] == "Imported pos.csv into atelier: 0 created, 0 merged, 1 unchanged, 1 not imported."


def test_a_missing_file_is_named(capsys: Any, world: World, tmp_path) -> None:
    code, _out, err = run(capsys, "import", "customers", str(tmp_path / "nope.csv"), "--store", "atelier")
    assert (code, err) == (2, f"trunkshow: {tmp_path / 'nope.csv'}: no such file\n")


def test_the_worker_knows_the_import_task(monkeypatch) -> None:
    """A worker that did not import each app's tasks.py drops queued imports as unknown tasks."""
    from huey.contrib.djhuey import HUEY

    started = []

    class Consumer:
        def run(self) -> None:
            started.append(True)

    monkeypatch.setattr(HUEY, "create_consumer", lambda **options: Consumer())
    assert main(["worker"]) == 0
    assert started == [True]
    assert HUEY._registry.string_to_task("trunkshow.customers.tasks.import_customers").__name__ == "import_customers"


def test_into_a_log_the_progress_is_a_line_a_tenth_each_written_once(capsys: Any, world: World, tmp_path) -> None:
    path = tmp_path / "one.csv"
    path.write_bytes(shopify("Ana,Ruiz,ana@example.com,,,,,,,,,,,,,,,"))
    code, _out, err = run(capsys, "import", "customers", str(path), "--store", "atelier")
    assert code == 0, err
    assert "\r" not in err
    bars = [line for line in err.splitlines() if line.startswith("[")]
    assert len(bars) == 1, bars
    assert bars[0].startswith("[##############################] 100% 1/1 row, ") and bars[0].endswith("/s")


def test_a_one_line_file_says_one_line_and_nothing_writes_over_the_bar(
    capsys: Any, world: World, tmp_path, monkeypatch
) -> None:
    path = tmp_path / "one.csv"
    path.write_bytes(shopify("Ana,Ruiz,ana@example.com,,,,,,,,,,,,,,,"))
    monkeypatch.setattr(sys.stderr, "isatty", lambda: True)  # a terminal: the bar redraws in place
    code, _out, err = run(capsys, "import", "customers", str(path), "--store", "atelier")
    assert code == 0, err
    lines = err.split("\n")
    assert lines[0] == "one.csv: 1 row, UTF-8, separated by comma"
    bar = next(line for line in lines if line.startswith("\r"))  # after the mapping, on a line of its own
    # The bar redraws itself in place and ends its line; no log line is written onto it.
    assert bar.split("\r")[-1].startswith("[##############################] 100% 1/1 row, ")
    assert bar.split("\r")[-1].endswith("/s")


def test_a_column_mapped_to_ring_size_by_name_imports_the_sizes(capsys: Any, world: World, tmp_path) -> None:
    path = tmp_path / "crm.csv"
    path.write_text("Name,Email,Finger\nAna Ruiz,ana@example.com,6 1/2\nBo Berg,bo@example.com,XL\n")
    code, out, err = run(
        capsys, "import", "customers", str(path), "--store", "atelier", "--mapping", "Finger=ring_size"
    )
    assert code == 0, err
    assert out.splitlines() == [
        "Imported crm.csv into atelier: 1 created, 0 merged, 0 unchanged, 1 not imported.",
        "  row 3: Finger: “XL” is not a ring size: write a US size from 0 to 16 (like 6½), a UK letter (like M½) "
        "or an EU size from 38 to 76 (like 52), or name the system in the column's header, like “Ring size (UK)”.",
    ]
    with scopes_disabled():
        assert list(Size.objects.values_list("customer__first_name", "kind", "system", "value")) == [
            ("Ana", "ring", "US", "6.5")
        ]


GERMAN = (
    "Vorname;Nachname;E-Mail;Telefon;Geburtstag;Ring size (UK);Umsatz;Anrede;Kundennummer\r\n"
    "Jürgen;Müller;juergen@example.com;+49 30 1234567;14.03.1985;L ½;1.234,50;Herr;K-1001\r\n"
).encode("cp1252")
FIELD_NAMES = (
    "first_name, last_name, full_name, preferred_name, title, email, phone, address_line1, address_line2, city, region, "
    "postal_code, country, birthday, birthday_dmy, birthday_mdy, partner_name, partner_birthday, "
    "partner_birthday_dmy, partner_birthday_mdy, anniversary, anniversary_dmy, anniversary_mdy, "
    "accepts_email_marketing, accepts_sms_marketing, accepts_whatsapp_marketing, total_spent, tags, ring_size, bracelet_size, necklace_length, note, customer_id"
)


def test_the_mapping_and_the_columns_left_out_are_printed_before_the_import(capsys: Any, world: World, tmp_path):
    path = tmp_path / "kunden.csv"
    path.write_bytes(GERMAN)
    code, out, err = run(capsys, "import", "customers", str(path), "--store", "atelier", "--map", "Kundennummer=note")
    assert code == 0, err
    assert [line for line in err.splitlines() if not line.startswith("[")] == [
        "kunden.csv: 1 row, Western European (Windows-1252), separated by semicolon",
        "Columns (change one with --map 'COLUMN=FIELD'):",
        "  Vorname         → First name (first_name)",
        "  Nachname        → Last name (last_name)",
        "  E-Mail          → Email (email)",
        "  Telefon         → Phone (phone)",
        "  Geburtstag      → Birthday, written day/month/year (birthday_dmy)",
        "  Ring size (UK)  → Ring size (ring_size)",
        "  Umsatz          → Total spent (store currency) (total_spent)",
        "  Anrede          → Title (Mrs, Mr, Dr…) (title)",
        "  Kundennummer    → Note (note)",
    ]
    assert out == "Imported kunden.csv into atelier: 1 created, 0 merged, 0 unchanged, 0 not imported.\n"
    with scopes_disabled():
        jurgen = Customer.objects.get()
        assert (jurgen.birthday_day, jurgen.birthday_month, jurgen.birthday_year) == (14, 3, 1985)
        assert (jurgen.title, jurgen.formal_name) == ("Herr", "Herr Jürgen Müller")
        assert list(jurgen.phones.values_list("e164", flat=True)) == ["+49301234567"]
        assert list(jurgen.notes.values_list("body", flat=True)) == ["K-1001"]
        assert list(Size.objects.filter(customer=jurgen).values_list("system", "value")) == [("UK", "L½")]


def test_a_dry_run_prints_the_mapping_and_leaves_nothing(capsys: Any, world: World, tmp_path, settings):
    path = tmp_path / "kunden.csv"
    path.write_bytes(GERMAN)
    settings.DATA_DIR = tmp_path / "data"
    settings.DATA_DIR.mkdir()
    with scopes_disabled():
        audited = AuditEntry.objects.count()
    code, out, err = run(capsys, "import", "customers", str(path), "--store", "atelier", "--dry-run")
    assert code == 0, err
    assert out == "Nothing imported (--dry-run): kunden.csv has 1 row to import.\n"
    assert "  Anrede          → Title (Mrs, Mr, Dr…) (title)\n" in err
    assert (
        f"Not imported: “Kundennummer”. To import one, run again with --map 'COLUMN=FIELD', FIELD one of {FIELD_NAMES}.\n"
        in err
    )
    assert list(settings.DATA_DIR.rglob("*")) == []
    with scopes_disabled():
        assert (Customer.objects.count(), ImportJob.objects.count(), AuditEntry.objects.count()) == (0, 0, audited)


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (
            ["--map", "Telefn=phone"],
            "trunkshow: kunden.csv: The file has no column “Telefn”; its columns are “Vorname”, “Nachname”, “E-Mail”, "
            "“Telefon”, “Geburtstag”, “Ring size (UK)”, “Umsatz”, “Anrede”, “Kundennummer”.\n",
        ),
        (
            ["--map", "Anrede=salutation"],
            f"trunkshow: kunden.csv: “salutation” (column “Anrede”) is not a field an import fills; use one of {FIELD_NAMES}.\n",
        ),
    ],
)
def test_a_map_naming_an_unknown_column_or_field_is_refused_with_the_choices(
    capsys: Any, world: World, tmp_path, argv, message
):
    path = tmp_path / "kunden.csv"
    path.write_bytes(GERMAN)
    code, out, err = run(capsys, "import", "customers", str(path), "--store", "atelier", *argv)
    assert (code, out, err) == (2, "", message)
    with scopes_disabled():
        assert (Customer.objects.count(), ImportJob.objects.count()) == (0, 0)


def test_a_map_names_a_column_in_any_case_and_with_spaces_around_it(capsys: Any, world: World, tmp_path):
    path = tmp_path / "kunden.csv"
    path.write_bytes(GERMAN)
    argv = ["--map", "kundennummer=note", "  ANREDE  =Note", "telefon="]
    code, out, err = run(capsys, "import", "customers", str(path), "--store", "atelier", *argv)
    assert code == 0, err
    shown = [line for line in err.splitlines() if not line.startswith("[")]
    assert shown[5] == "  Telefon         → Do not import"
    assert shown[9:11] == ["  Anrede          → Note (note)", "  Kundennummer    → Note (note)"]
    assert out == "Imported kunden.csv into atelier: 1 created, 0 merged, 0 unchanged, 0 not imported.\n"
    with scopes_disabled():
        jurgen = Customer.objects.get()
        assert sorted(jurgen.notes.values_list("body", flat=True)) == ["Herr", "K-1001"]
        assert list(jurgen.phones.values_list("e164", flat=True)) == []


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (
            ["--map", "Telefon=phone", "TELEFON=note"],
            "trunkshow: kunden.csv: “Telefon” and “TELEFON” are both the column “Telefon”, mapped to “phone” and "
            "“note”: map it once.\n",
        ),
        (
            ["--map", "Telefon=phone", "Telefon=note"],
            "trunkshow: --map names the column 'Telefon' twice ('phone' and 'note'): map it once\n",
        ),
        (
            ["--map", "telefon=fone"],
            f"trunkshow: kunden.csv: “fone” (column “Telefon”) is not a field an import fills; use one of {FIELD_NAMES}.\n",
        ),
    ],
)
def test_a_map_naming_one_column_twice_or_a_bad_field_in_any_case_is_refused(
    capsys: Any, world: World, tmp_path, argv, message
):
    path = tmp_path / "kunden.csv"
    path.write_bytes(GERMAN)
    code, out, err = run(capsys, "import", "customers", str(path), "--store", "atelier", *argv)
    assert (code, out, err) == (2, "", message)
    with scopes_disabled():
        assert (Customer.objects.count(), ImportJob.objects.count()) == (0, 0)
