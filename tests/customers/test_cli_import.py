"""`trunkshow import customers FILE.csv --store SLUG`: the same import, in-process, with a progress bar."""

from __future__ import annotations

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
        "  line 3: Phone: “12” is not a valid phone number (United States). Add the country code, like +1 201-555-0123.",
    ]
    assert err.startswith("pos export.csv: 3 lines, UTF-8, separated by comma\n")
    assert "] 100% 3/3 lines, " in err
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
            "trunkshow: c.csv: The file has no column “Ghost”.\n",
        ),
        (
            b"First Name\nAna\n",
            ["--store", "atelier", "--mapping", "First Name"],
            "trunkshow: --mapping 'First Name': write it as COLUMN=FIELD, like 'Mobile=phone' (FIELD empty to skip)\n",
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
        "  line 3: Wedding: February 2015 has no day 31.",
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


def test_a_one_line_file_says_one_line_and_nothing_writes_over_the_bar(capsys: Any, world: World, tmp_path) -> None:
    path = tmp_path / "one.csv"
    path.write_bytes(shopify("Ana,Ruiz,ana@example.com,,,,,,,,,,,,,,,"))
    code, _out, err = run(capsys, "import", "customers", str(path), "--store", "atelier")
    assert code == 0, err
    first, bar = err.split("\n")[:2]
    assert first == "one.csv: 1 line, UTF-8, separated by comma"
    # The bar redraws itself in place and ends its line; no log line is written onto it.
    assert bar.split("\r")[-1].startswith("[##############################] 100% 1/1 line, ")
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
        "  line 3: Finger: “XL” is not a ring size: write a US size from 0 to 16 (like 6½), a UK letter (like M½) "
        "or an EU size from 38 to 76 (like 52), or name the system in the column's header, like “Ring size (UK)”.",
    ]
    with scopes_disabled():
        assert list(Size.objects.values_list("customer__first_name", "kind", "system", "value")) == [
            ("Ana", "ring", "US", "6.5")
        ]
