"""Bracelet size and necklace length columns import: the unit named by the header, the value or the
store, each line whole or reported, a customer's own length never replaced, and the same file again
changes nothing."""

from __future__ import annotations

from typing import Any

import pytest
from django_scopes import scope, scopes_disabled

from tests.conftest import World, make_customer
from tests.customers.import_support import book, import_file, outcomes, run_counted
from trunkshow.customers import services
from trunkshow.customers.importing import mapping
from trunkshow.customers.models import Customer, Size


def csv(header: str, *lines: str) -> bytes:
    return ("\n".join([header, *lines]) + "\n").encode()


def lengths(store: Any) -> list[tuple[str, str, str, str]]:
    """(customer's first name, kind, unit, value) of every bracelet and necklace length of the store."""
    with scopes_disabled():
        return sorted(
            Size.objects.filter(store=store, kind__in=["bracelet", "necklace"]).values_list(
                "customer__first_name", "kind", "system", "value"
            )
        )


@pytest.mark.parametrize(
    ("header", "field", "unit"),
    [
        ("Bracelet size", "bracelet_size", ""),
        ("Bracelet length (cm)", "bracelet_size", "cm"),
        ("bracelet_size_in", "bracelet_size", "in"),
        ("Armbandgröße", "bracelet_size", ""),
        ("Armbandlänge in cm", "bracelet_size", "cm"),
        ("Taille de bracelet (pouces)", "bracelet_size", "in"),
        ("Talla de pulsera", "bracelet_size", ""),
        ("Misura bracciale (cm)", "bracelet_size", "cm"),
        ("Armbandmaat", "bracelet_size", ""),
        ("Necklace length", "necklace_length", ""),
        ("Necklace length (inches)", "necklace_length", "in"),
        ("Chain length in cm", "necklace_length", "cm"),
        ("Kettenlänge in Zoll", "necklace_length", "in"),
        ("Longueur de collier", "necklace_length", ""),
        ("Largo de collar (cm)", "necklace_length", "cm"),
        ("Lunghezza collana", "necklace_length", ""),
        ("Kettinglengte (cm)", "necklace_length", "cm"),
    ],
)
def test_a_length_header_is_guessed_with_the_unit_it_names(header, field, unit):
    assert mapping.guess_mapping(["Name", header]) == {"Name": "full_name", header: field}
    assert mapping.length_unit(header) == unit


@pytest.mark.parametrize("header", ["Bracelet", "Necklace", "Wrist size", "Length", "In", "cm"])
def test_a_header_naming_only_a_piece_or_a_unit_is_not_guessed(header):
    assert mapping.guess_mapping(["Name", header]) == {"Name": "full_name", header: ""}


def test_new_customers_get_their_lengths_in_the_unit_written_or_the_only_one_that_fits(world: World):
    job = import_file(
        world.b,
        world.b_owner,
        csv(
            "Name,Email,Bracelet size,Necklace length",
            "Ana Ruiz,ana@example.com,18 cm,45cm",
            'Bea Berg,bea@example.com,7",18 in',
            "Cy Cole,cy@example.com,7½,18",
            'Di Dahl,di@example.com,"17,5","42 cm; 16 inches"',
            "Ed Eng,ed@example.com,,",
        ),
    )
    # A bracelet of 18 can only be in cm, one of 7½ and a necklace of 18 only in inches: nothing to say.
    assert outcomes(job) == [(line, "created", "") for line in range(2, 7)]
    assert lengths(world.b) == [
        ("Ana", "bracelet", "cm", "18"),
        ("Ana", "necklace", "cm", "45"),
        ("Bea", "bracelet", "in", "7"),
        ("Bea", "necklace", "in", "18"),
        ("Cy", "bracelet", "in", "7.5"),
        ("Cy", "necklace", "in", "18"),
        ("Di", "bracelet", "cm", "17.5"),
        ("Di", "necklace", "cm", "42"),
        ("Di", "necklace", "in", "16"),
    ]


def test_a_bare_length_both_units_allow_is_read_in_the_stores_unit_and_said(world: World):
    content = csv("Name,Necklace length,Bracelet size", "Ana Ruiz,40,11")
    # Store B is in France: centimetres.
    job = import_file(world.b, world.b_owner, content)
    assert outcomes(job) == [
        (
            2,
            "created",
            "Necklace length 40 cm: written “40” without a unit, read in centimetres as this store measures. "
            "Bracelet size 11 cm: written “11” without a unit, read in centimetres as this store measures.",
        )
    ]
    assert lengths(world.b) == [("Ana", "bracelet", "cm", "11"), ("Ana", "necklace", "cm", "40")]
    # Store A is in the United States: inches.
    job = import_file(world.a, world.a_owner, content)
    assert outcomes(job)[0][2].startswith("Necklace length 40 in: written “40” without a unit, read in inches")
    assert lengths(world.a) == [("Ana", "bracelet", "in", "11"), ("Ana", "necklace", "in", "40")]


def test_a_bad_length_is_reported_on_its_line_and_the_line_is_not_imported(world: World):
    job = import_file(
        world.b,
        world.b_owner,
        csv(
            "Name,Email,Bracelet size (cm),Necklace length",
            "Ana Ruiz,ana@example.com,35,",
            "Bea Berg,bea@example.com,7 in,",
            "Cy Cole,cy@example.com,,180 mm",
            "Di Dahl,di@example.com,,5",
            'Ed Eng,ed@example.com,"17,25",',
            "Flo Fox,flo@example.com,,long",
            "Gus Gold,gus@example.com,18,45 cm",
        ),
    )
    assert outcomes(job) == [
        # The reason the profile's form gives (validate_size), with the value.
        (2, "error", "Bracelet size (cm): “35” is refused: a bracelet length is between 10 and 30 cm."),
        (
            3,
            "error",
            "Bracelet size (cm): “7 in” is in inches, but the column's header says centimetres: "
            "write it in centimetres.",
        ),
        (
            4,
            "error",
            "Necklace length: “180 mm” is not a necklace length: write a number and its unit, like 45 cm or 18 in.",
        ),
        (
            5,
            "error",
            "Necklace length: “5” is not a necklace length we can read: lengths are from 30 to 120 cm "
            "or from 12 to 48 in.",
        ),
        (6, "error", "Bracelet size (cm): “17,25” is refused: give a length with at most one decimal, like 17.5."),
        (
            7,
            "error",
            "Necklace length: “long” is not a necklace length: write a number and its unit, like 45 cm or 18 in.",
        ),
        (8, "created", ""),
    ]
    with scope(store=world.b):
        assert list(Customer.objects.values_list("first_name", flat=True)) == ["Gus"]
    assert lengths(world.b) == [("Gus", "bracelet", "cm", "18"), ("Gus", "necklace", "cm", "45")]


def test_a_merge_with_a_bad_length_writes_nothing_of_the_line(world: World):
    make_customer(world.b, first_name="Ana", last_name="Ruiz", emails=["ana@example.com"])
    before = book(world.b)
    job = import_file(
        world.b,
        world.b_owner,
        csv("Name,Email,Phone,Bracelet size", "Ana Ruiz,ana@example.com,+33 6 12 34 56 78,99 cm"),
    )
    assert outcomes(job) == [
        (2, "error", "Bracelet size: “99 cm” is refused: a bracelet length is between 10 and 30 cm.")
    ]
    assert book(world.b) == before


def test_a_merge_adds_lengths_and_the_same_file_again_changes_nothing(world: World):
    ana = make_customer(world.b, first_name="Ana", last_name="Ruiz", emails=["ana@example.com"])
    content = csv("Name,Email,Bracelet size,Necklace length", "Ana Ruiz,ana@example.com,17 cm,40")
    job = import_file(world.b, world.b_owner, content)
    assert outcomes(job) == [
        (
            2,
            "merged",
            "Merged into Ana Ruiz: added bracelet size 17 cm; added necklace length 40 cm "
            "(written “40” without a unit, read in centimetres as this store measures).",
        )
    ]
    with scope(store=world.b):
        assert sorted(ana.edits.values_list("changes__size", flat=True)) == [
            [None, "bracelet cm 17"],
            [None, "necklace cm 40"],
        ]
    before = book(world.b)
    again = import_file(world.b, world.b_owner, content)
    assert outcomes(again) == [(2, "unchanged", "Already up to date (Ana Ruiz).")]
    assert book(world.b) == before
    assert lengths(world.b) == [("Ana", "bracelet", "cm", "17"), ("Ana", "necklace", "cm", "40")]


def test_a_different_length_in_a_unit_the_customer_has_is_kept_and_said(world: World):
    ana = make_customer(world.b, first_name="Ana", last_name="Ruiz", emails=["ana@example.com"])
    with scope(store=world.b):
        services.size_add(store=world.b, actor=None, customer=ana, kind="bracelet", system="cm", value="17")
    before = book(world.b)
    job = import_file(world.b, world.b_owner, csv("Name,Email,Bracelet size", "Ana Ruiz,ana@example.com,18 cm"))
    assert outcomes(job) == [
        (2, "unchanged", "Nothing new for Ana Ruiz; kept bracelet size 17 cm (the file has 18 cm).")
    ]
    assert book(world.b) == before
    # Inches are another measurement: added beside it.
    job = import_file(world.b, world.b_owner, csv("Name,Email,Bracelet size", 'Ana Ruiz,ana@example.com,7"'))
    assert outcomes(job) == [(2, "merged", "Merged into Ana Ruiz: added bracelet size 7 in.")]
    assert lengths(world.b) == [("Ana", "bracelet", "cm", "17"), ("Ana", "bracelet", "in", "7")]


def test_reimporting_with_every_size_column_reads_the_sizes_once_per_batch(world: World, django_assert_max_num_queries):
    lines = [f"P{i} Q,p{i}@example.com,{i % 10 + 4},{i % 10 + 15} cm,{i % 10 + 40} cm" for i in range(30)]
    content = csv("Name,Email,Ring size,Bracelet size,Necklace length", *lines)
    import_file(world.a, world.a_owner, content)
    # As test_import_ring_sizes' re-import with one ring size column: one query for all the sizes.
    job = run_counted(world.a, world.a_owner, content, django_assert_max_num_queries(22))
    assert (job.unchanged_count, job.merged_count, job.created_count) == (30, 0, 0)


def test_sizes_checked_in_a_second_process_read_as_in_line(world: World, monkeypatch):
    """A large file's lines are checked in a spawned process (ADR 0005, decision 10): the sizes it
    reads, the store's unit and what the lines say travel back whole."""
    from trunkshow.customers.importing import jobs

    content = csv(
        "Name,Email,Ring size (IT),Bracelet size,Necklace length",
        "Ana Ruiz,ana@example.com,12,18 cm,40",
        "Bea Berg,bea@example.com,6½,,",
        'Cy Cole,cy@example.com,52,7",18',
    )
    monkeypatch.setattr(jobs, "BATCH_ROWS", 2)
    monkeypatch.setattr(jobs, "PROCESS_MIN_ROWS", 3)
    job = import_file(world.a, world.a_owner, content)
    assert [o[:2] for o in outcomes(job)] == [(2, "created"), (3, "error"), (4, "created")]
    assert outcomes(job)[0][2] == (
        "Ring size EU 52: written IT 12. "
        "Necklace length 40 in: written “40” without a unit, read in inches as this store measures."
    )
    assert lengths(world.a) == [
        ("Ana", "bracelet", "cm", "18"),
        ("Ana", "necklace", "in", "40"),
        ("Cy", "bracelet", "in", "7"),
        ("Cy", "necklace", "in", "18"),
    ]
