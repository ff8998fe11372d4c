"""A title column ("Title", "Anrede", "Civilité") imports: a new customer gets it, a customer without
one has it filled, one with another keeps theirs and the line says so, a title longer than the
field is the line's error, and the same file again changes nothing."""

from __future__ import annotations

from django_scopes import scopes_disabled

from tests.conftest import World, make_customer
from tests.customers.import_support import book, import_file, outcomes
from trunkshow.customers.importing import mapping
from trunkshow.customers.models import Customer


def titles(store: object) -> list[tuple[str, str]]:
    with scopes_disabled():
        return sorted(Customer.objects.filter(store=store).values_list("first_name", "title"))


def test_a_title_fills_new_and_empty_ones_and_never_replaces_the_stores_own(world: World):
    make_customer(world.b, first_name="Ana", last_name="Ruiz", emails=["ana@example.com"])
    make_customer(world.b, first_name="Bea", last_name="Berg", title="Dr", emails=["bea@example.com"])
    content = (
        "Anrede;Vorname;Nachname;E-Mail\n"
        "Frau;Ana;Ruiz;ana@example.com\n"
        "Frau;Bea;Berg;bea@example.com\n"
        "Herr;Jürgen;Müller;juergen@example.com\n"
        f"{'Sehr geehrte ' * 3};Cy;Cole;cy@example.com\n"
    ).encode()
    for header in ("Anrede", "Civilité", "Title", "Salutation", "Aanhef", "Tratamiento"):
        assert mapping.guess_mapping(["Name", header]) == {"Name": "full_name", header: "title"}
    assert mapping.guess_mapping(["Job title"]) == {"Job title": ""}
    # A CRM's "Title" holds a job title: the values tell, and such a column is not guessed.
    assert mapping.guess_mapping(["Name", "Title"], [["Ana Ruiz", "Mrs"], ["Bo Berg", "Chief Buyer"]]) == {
        "Name": "full_name",
        "Title": "",
    }
    assert mapping.guess_mapping(["Name", "Title"], [["Ana Ruiz", "Sales Manager"]]) == {
        "Name": "full_name",
        "Title": "",
    }
    assert mapping.guess_mapping(["Name", "Title"], [["Ana Ruiz", "Mrs"], ["Bo Berg", "Mr & Mrs"], ["Cy", ""]]) == {
        "Name": "full_name",
        "Title": "title",
    }
    assert mapping.guess_mapping(["Name", "Anrede"], [["Jürgen Müller", "Herr Dr."], ["Eva Roth", "Frau"]]) == {
        "Name": "full_name",
        "Anrede": "title",
    }
    # Mapped by hand: its last value, too long for a title, keeps the column from being guessed.
    chosen = {"Anrede": "title", "Vorname": "first_name", "Nachname": "last_name", "E-Mail": "email"}
    job = import_file(world.b, world.b_owner, content, chosen)
    assert outcomes(job) == [
        (2, "merged", "Merged into Ana Ruiz: filled title."),
        (3, "unchanged", "Nothing new for Bea Berg; kept title “Dr” (the file has “Frau”)."),
        (4, "created", ""),
        (5, "error", "Anrede: Use at most 30 characters (this has 38)."),
    ]
    assert titles(world.b) == [("Ana", "Frau"), ("Bea", "Dr"), ("Jürgen", "Herr")]
    before = book(world.b)
    again = import_file(world.b, world.b_owner, content, chosen)
    assert [outcome for _line, outcome, _message in outcomes(again)] == ["unchanged", "unchanged", "unchanged", "error"]
    assert book(world.b) == before
