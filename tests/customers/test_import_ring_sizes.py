"""A ring size column imports: its system named by the header or told by the value, each line whole
or reported, a customer's own ring size never replaced, and the same file again changes nothing."""

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


def ring_sizes(store: Any) -> list[tuple[str, str, str]]:
    """(customer's first name, system, value) of every ring size of the store."""
    with scopes_disabled():
        return sorted(
            Size.objects.filter(store=store, kind="ring").values_list("customer__first_name", "system", "value")
        )


@pytest.mark.parametrize(
    ("header", "system"),
    [
        ("Ring Size", ""),
        ("Ring size (US)", "US"),
        ("Finger size", ""),
        ("ring_size_uk", "UK"),
        ("EU ring size", "EU"),
        # Where rings are sized by circumference (France, Germany): checked as EU sizes, so a "14"
        # is reported, never read as US 14.
        ("Ringgröße", "EU"),
        ("Taille de bague", "EU"),
        # Italy, Spain and Switzerland number them by the circumference less 40: stored as EU (+40).
        ("Taglia anello", "IT"),
        ("Misura anello", "IT"),
        ("Talla de anillo", "ES"),
        ("Talla anillo", "ES"),
        ("Ring size (IT)", "IT"),
        ("Ringgrösse CH", "CH"),
        ("Ring size (EU/IT)", "IT"),  # such a column reads both the circumference and the numbering
        ("Ring size (UK)", "UK"),
    ],
)
def test_a_ring_size_header_is_guessed_with_the_system_it_names(header, system):
    assert mapping.guess_mapping(["Name", header]) == {"Name": "full_name", header: "ring_size"}
    assert mapping.ring_size_system(header) == system


def test_two_ring_size_columns_may_both_be_imported():
    columns = ["Name", "Ring size (US)", "Ring size (UK)"]
    guessed = mapping.guess_mapping(columns)
    assert guessed == {"Name": "full_name", "Ring size (US)": "ring_size", "Ring size (UK)": "ring_size"}
    assert mapping.check_mapping(columns, guessed) == guessed


def test_new_customers_get_their_ring_size_in_each_system(world: World):
    job = import_file(
        world.a,
        world.a_owner,
        csv(
            "Name,Email,Ring Size",
            "Ana Ruiz,ana@example.com,6 1/2",
            "Bea Berg,bea@example.com,N½",
            "Cy Cole,cy@example.com,52",
            "Di Dahl,di@example.com,7¾",
            "Ed Eng,ed@example.com,m 1/2",
            "Flo Fox,flo@example.com,",
            'Gus Gold,gus@example.com,"US 5; EU 49,5"',
        ),
    )
    assert [o[1] for o in outcomes(job)] == ["created"] * 7
    assert ring_sizes(world.a) == [
        ("Ana", "US", "6.5"),
        ("Bea", "UK", "N½"),
        ("Cy", "EU", "52"),
        ("Di", "US", "7.75"),
        ("Ed", "UK", "M½"),
        ("Gus", "EU", "49.5"),
        ("Gus", "US", "5"),
    ]


def test_a_bad_ring_size_is_reported_on_its_line_and_the_line_is_not_imported(world: World):
    job = import_file(
        world.a,
        world.a_owner,
        csv(
            "Name,Email,Finger size,Ring size (US)",
            "Ana Ruiz,ana@example.com,XL,",
            "Bea Berg,bea@example.com,99,",
            "Cy Cole,cy@example.com,,52",
            "Di Dahl,di@example.com,,UK N",
            "Ed Eng,ed@example.com,N,6",
        ),
    )
    told = (
        "is not a ring size: write a US size from 0 to 16 (like 6½), a UK letter (like M½) or an EU size "
        "from 38 to 76 (like 52), or name the system in the column's header, like “Ring size (UK)”."
    )
    assert outcomes(job) == [
        (2, "error", f"Finger size: “XL” {told}"),
        (3, "error", f"Finger size: “99” {told}"),
        (4, "error", "Ring size (US): “52” is not a US ring size (for example 6.5)."),
        (5, "error", "Ring size (US): “UK N” is not a US ring size (for example 6.5)."),
        (6, "created", ""),
    ]
    with scope(store=world.a):
        assert list(Customer.objects.values_list("first_name", flat=True)) == ["Ed"]
    assert ring_sizes(world.a) == [("Ed", "UK", "N"), ("Ed", "US", "6")]


def test_a_merge_adds_a_ring_size_and_the_same_file_again_changes_nothing(world: World):
    ana = make_customer(world.a, first_name="Ana", last_name="Ruiz", emails=["ana@example.com"])
    content = csv("Name,Email,Ring size", "Ana Ruiz,ana@example.com,6½")
    job = import_file(world.a, world.a_owner, content)
    assert outcomes(job) == [(2, "merged", "Merged into Ana Ruiz: added ring size US 6.5.")]
    assert ring_sizes(world.a) == [("Ana", "US", "6.5")]
    with scope(store=world.a):
        assert ana.edits.filter(changes__size=[None, "ring US 6.5"]).count() == 1
    before = book(world.a)
    again = import_file(world.a, world.a_owner, content)
    assert outcomes(again) == [(2, "unchanged", "Already up to date (Ana Ruiz).")]
    assert book(world.a) == before


def test_a_different_ring_size_in_a_system_the_customer_has_is_kept_and_said(world: World):
    ana = make_customer(world.a, first_name="Ana", last_name="Ruiz", emails=["ana@example.com"])
    with scope(store=world.a):
        services.size_add(store=world.a, actor=None, customer=ana, kind="ring", system="US", value="7")
    before = book(world.a)
    content = csv("Name,Email,Ring size", "Ana Ruiz,ana@example.com,6 1/2")
    job = import_file(world.a, world.a_owner, content)
    assert outcomes(job) == [(2, "unchanged", "Nothing new for Ana Ruiz; kept ring size US 7 (the file has US 6.5).")]
    assert book(world.a) == before
    # Another system is another measurement: added beside it.
    job = import_file(world.a, world.a_owner, csv("Name,Email,Ring size", "Ana Ruiz,ana@example.com,N"))
    assert outcomes(job) == [(2, "merged", "Merged into Ana Ruiz: added ring size UK N.")]
    assert ring_sizes(world.a) == [("Ana", "UK", "N"), ("Ana", "US", "7")]


def test_a_ring_size_never_lands_on_another_stores_customer(world: World):
    theirs = make_customer(world.b, first_name="Ana", last_name="Ruiz", emails=["ana@example.com"])
    ours = make_customer(world.a, first_name="Ana", last_name="Ruiz", emails=["ana@example.com"])
    before = book(world.b)
    job = import_file(
        world.a, world.a_owner, csv("Name,Email,Ring size", "Ana Ruiz,ana@example.com,6", "Bo Berg,bo@example.com,7")
    )
    assert [o[1] for o in outcomes(job)] == ["merged", "created"]
    assert ring_sizes(world.a) == [("Ana", "US", "6"), ("Bo", "US", "7")]
    assert book(world.b) == before
    with scopes_disabled():
        assert list(Size.objects.filter(customer=ours).values_list("store", flat=True)) == [world.a.pk]
        assert not Size.objects.filter(customer=theirs).exists()


def test_reimporting_with_a_ring_size_column_reads_the_sizes_once_per_batch(
    world: World, django_assert_max_num_queries
):
    lines = [f"P{i} Q,p{i}@example.com,{i % 10 + 4}" for i in range(30)]
    content = csv("Name,Email,Ring size", *lines)
    import_file(world.a, world.a_owner, content)
    # test_importing's re-import without the column: 23; this file has no phone and no tags (no
    # phone lookup, no reading of the store's interests: 21), and one query for the sizes.
    job = run_counted(world.a, world.a_owner, content, django_assert_max_num_queries(22))
    assert (job.unchanged_count, job.merged_count, job.created_count) == (30, 0, 0)


@pytest.mark.parametrize("written", ["L½", "L ½", "L 1/2", "L1/2", "L.5", "L .5", "l,5", "UK L ½"])
def test_a_uk_half_size_is_read_however_it_is_spaced_or_written(world: World, written: str):
    job = import_file(world.a, world.a_owner, csv("Name,Ring size (UK)", f'Ann Lee,"{written}"'))
    assert outcomes(job) == [(2, "created", "")]
    assert ring_sizes(world.a) == [("Ann", "UK", "L½")]


@pytest.mark.parametrize(("written", "size"), [("L ½", ("UK", "L½")), ("6 ½", ("US", "6.5")), ("6 1/2", ("US", "6.5"))])
def test_a_half_size_with_a_space_is_told_by_its_value_in_a_column_naming_no_system(world: World, written, size):
    import_file(world.a, world.a_owner, csv("Name,Ring size", f"Ann Lee,{written}"))
    assert ring_sizes(world.a) == [("Ann", *size)]


@pytest.mark.parametrize(("system", "written"), [("UK", "L 5"), ("UK", "L 1/4"), ("US", "61/2"), ("US", "6 1/3")])
def test_a_size_whose_half_is_not_plain_is_still_refused(system: str, written: str):
    from django.core.exceptions import ValidationError

    from trunkshow.customers.validation import validate_size

    with pytest.raises(ValidationError) as refused:
        validate_size("ring", system, written)
    assert refused.value.messages == [
        f"“{written}” is not a {system} ring size (for example {'M½' if system == 'UK' else '6.5'})."
    ]


# Italy, Spain and Switzerland number rings by the circumference in millimetres less 40.


def located(store: Any, country: str) -> None:
    """The store is in this country (the test world's store A is in New York)."""
    with scopes_disabled():
        type(store).objects.filter(pk=store.pk).update(country=country)
    store.refresh_from_db()


@pytest.mark.parametrize(
    ("country", "header", "value", "told", "stored"),
    [
        ("IT", "Misura anello", "12", "Ring size EU 52: written IT 12.", ("EU", "52")),
        ("CH", "Misura anello", "12", "Ring size EU 52: written IT 12.", ("EU", "52")),  # Ticino
        ("ES", "Talla anillo", '"14,5"', "Ring size EU 54.5: written ES 14.5.", ("EU", "54.5")),
        # Jewelers there write the circumference too: 38 to 76 cannot be that numbering (78 mm on).
        ("IT", "Misura anello", "52", "", ("EU", "52")),
    ],
)
def test_an_italian_or_spanish_column_converts_their_numbering_to_eu_and_says_so(
    world: World, country, header, value, told, stored
):
    located(world.a, country)
    job = import_file(world.a, world.a_owner, csv(f"Name,Email,{header}", f"Ana Ruiz,ana@example.com,{value}"))
    assert outcomes(job) == [(2, "created", told)]
    assert ring_sizes(world.a) == [("Ana", *stored)]


@pytest.mark.parametrize(
    ("country", "header"),
    [
        ("MX", "Talla de anillo"),  # Mexico sizes rings as the United States does
        ("US", "Medida de anillo"),  # a store in Miami whose till speaks Spanish
        ("CA", "Taille de bague"),  # Quebec: US sizes
        ("US", "Misura anello"),
        ("GB", "Ringgröße"),
    ],
)
def test_a_header_in_a_language_says_no_numbering_where_the_store_does_not_size_so(world: World, country, header):
    # Only a system named outright holds anywhere: there the values tell, as under "Ring size".
    located(world.a, country)
    assert mapping.ring_size_system(header, country) == ""
    job = import_file(
        world.a,
        world.a_owner,
        csv(f"Name,Email,{header}", "Ana Ruiz,ana@example.com,7", "Bea Berg,bea@example.com,52"),
    )
    assert outcomes(job) == [(2, "created", ""), (3, "created", "")]
    assert ring_sizes(world.a) == [("Ana", "US", "7"), ("Bea", "EU", "52")]


def test_a_system_named_in_the_header_holds_wherever_the_store_is(world: World):
    assert mapping.ring_size_system("Ring size (IT)", "US") == "IT"
    assert mapping.ring_size_system("Talla de anillo (ES)", "MX") == "ES"
    assert mapping.ring_size_system("Misura anello", "") == "IT"  # a store of no known country


def test_a_header_or_value_naming_it_es_or_ch_is_converted_too(world: World):
    job = import_file(
        world.a,
        world.a_owner,
        csv(
            "Name,Email,Ringgrösse CH,Ring size (IT),Ring size",
            "Ana Ruiz,ana@example.com,13,,",
            "Bea Berg,bea@example.com,,EU 55,",
            "Cy Cole,cy@example.com,,,CH 11",
            'Di Dahl,di@example.com,,,"US 6; ES 12"',
        ),
    )
    assert outcomes(job) == [
        (2, "created", "Ring size EU 53: written CH 13."),
        (3, "created", ""),  # the circumference, named: kept as it is
        (4, "created", "Ring size EU 51: written CH 11."),
        (5, "created", "Ring size EU 52: written ES 12."),
    ]
    assert ring_sizes(world.a) == [
        ("Ana", "EU", "53"),
        ("Bea", "EU", "55"),
        ("Cy", "EU", "51"),
        ("Di", "EU", "52"),
        ("Di", "US", "6"),
    ]


def test_an_ambiguous_value_in_an_italian_column_is_refused_never_guessed(world: World):
    located(world.a, "IT")
    job = import_file(
        world.a,
        world.a_owner,
        csv(
            "Name,Email,Misura anello,Ring size (IT)",
            "Ana Ruiz,ana@example.com,6½,",  # written as a US size
            "Bea Berg,bea@example.com,N,",  # a UK letter
            "Cy Cole,cy@example.com,37,",  # neither 77 mm nor a circumference
            "Di Dahl,di@example.com,,IT 52",  # named IT, but no ring is 92 mm
            "Ed Eng,ed@example.com,11,",
        ),
    )
    either = (
        "is not an Italian, Spanish or Swiss ring size (the circumference in millimetres less 40, from 0 to 36: "
        "12 is EU 52) nor a circumference from 38 to 76 mm. A US or UK size needs its system in the column's "
        "header, like “Ring size (US)”."
    )
    assert outcomes(job) == [
        (2, "error", f"Misura anello: “6½” {either}"),
        (3, "error", f"Misura anello: “N” {either}"),
        (4, "error", f"Misura anello: “37” {either}"),
        (
            5,
            "error",
            "Ring size (IT): “IT 52” is not an Italian, Spanish or Swiss ring size (the circumference in "
            "millimetres less 40, from 0 to 36: 12 is EU 52).",
        ),
        (6, "created", "Ring size EU 51: written IT 11."),
    ]
    with scope(store=world.a):
        assert list(Customer.objects.values_list("first_name", flat=True)) == ["Ed"]


def test_a_small_number_in_a_german_or_french_column_is_still_refused_naming_the_swiss_header(world: World):
    located(world.a, "DE")
    job = import_file(
        world.a,
        world.a_owner,
        csv("Name,Email,Ringgröße,Taille de bague", "Ana Ruiz,ana@example.com,14,", "Bea Berg,bea@example.com,,54"),
    )
    assert outcomes(job) == [
        (
            2,
            "error",
            "Ringgröße: “14” is not an EU ring size (the circumference in millimetres, 38 to 76, like 52). If it "
            "is an Italian, Spanish or Swiss size (the circumference less 40), name that in the column's header, "
            "like “Ring size (CH)”; if it is a US size, like “Ring size (US)”.",
        ),
        (3, "created", ""),
    ]
    assert ring_sizes(world.a) == [("Bea", "EU", "54")]


def test_an_italian_size_merged_is_said_and_the_same_file_again_changes_nothing(world: World):
    located(world.a, "IT")
    make_customer(world.a, first_name="Ana", last_name="Ruiz", emails=["ana@example.com"])
    make_customer(world.a, first_name="Bea", last_name="Berg", emails=["bea@example.com"])
    content = csv("Name,Email,Misura anello", "Ana Ruiz,ana@example.com,12", "Bea Berg,bea@example.com,14")
    with scope(store=world.a):
        bea = Customer.objects.get(first_name="Bea")
        services.size_add(store=world.a, actor=None, customer=bea, kind="ring", system="EU", value="53")
    job = import_file(world.a, world.a_owner, content)
    assert outcomes(job) == [
        (2, "merged", "Merged into Ana Ruiz: added ring size EU 52 (written IT 12)."),
        (3, "unchanged", "Nothing new for Bea Berg; kept ring size EU 53 (the file has EU 54, written IT 14)."),
    ]
    before = book(world.a)
    again = import_file(world.a, world.a_owner, content)
    assert [o[1] for o in outcomes(again)] == ["unchanged", "unchanged"]
    assert book(world.a) == before
    assert ring_sizes(world.a) == [("Ana", "EU", "52"), ("Bea", "EU", "53")]
