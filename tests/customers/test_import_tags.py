"""An import's tags join the interests the store already uses: "pearls" is the store's stone "Pearl"."""

from __future__ import annotations

from typing import Any

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django_scopes import scope

from tests.conftest import World, make_customer
from tests.customers.import_support import import_file, outcomes, shopify
from trunkshow.customers.filtering import customers_filtered, filters_parse
from trunkshow.customers.interests import interest_vocabulary
from trunkshow.customers.models import Customer, Segment
from trunkshow.customers.segments import segment_customers

TAGGED = 'Vera,Lind,vera@example.com,,,,,,,,,,,,,"diamond, platinum, pearls, silver",,'
# What Vera's tags become in a store that has the known_book: the store's kinds and spellings, and
# the tag no customer has ("silver") free, as typed.
VERAS = [("free", "silver"), ("metal", "Platinum"), ("stone", "Diamond"), ("stone", "Pearl")]


def interests(store: Any, **lookup: Any) -> list[tuple[str, str]]:
    with scope(store=store):
        return list(Customer.objects.get(**lookup).interests.order_by("kind", "value").values_list("kind", "value"))


def known_book(world: World) -> None:
    """The store's vocabulary: stones, a metal, and one customer's free "pearl" beside two stones."""
    make_customer(world.a, first_name="Dia", interests=[("stone", "Diamond"), ("metal", "Platinum")])
    make_customer(world.a, first_name="Perla", interests=[("stone", "Pearl"), ("stone", "Sapphire")])
    make_customer(world.a, first_name="Pia", interests=[("stone", "Pearl")])
    make_customer(world.a, first_name="Fay", interests=[("free", "PEARL")])


def test_a_tag_naming_an_interest_the_store_uses_becomes_that_interest(world: World):
    known_book(world)
    job = import_file(world.a, world.a_owner, shopify(TAGGED))
    assert outcomes(job) == [(2, "created", "")]
    assert interests(world.a, first_name="Vera") == VERAS
    with scope(store=world.a):
        diamonds = filters_parse({"interest": ["stone:diamond"]}, store=world.a)
        assert sorted(c.first_name for c in customers_filtered(store=world.a, filters=diamonds)) == ["Dia", "Vera"]


def test_importing_the_same_file_again_changes_nothing(world: World):
    known_book(world)
    first = import_file(world.a, world.a_owner, shopify(TAGGED))
    with scope(store=world.a):
        vera = Customer.objects.get(first_name="Vera")
        edits = vera.edits.count()
    again = import_file(world.a, world.a_owner, shopify(TAGGED))
    assert [o for _line, o, _m in outcomes(first)] == ["created"]
    assert outcomes(again) == [(2, "unchanged", "Already up to date (Vera Lind).")]
    assert interests(world.a, first_name="Vera") == VERAS
    with scope(store=world.a):
        assert vera.edits.count() == edits


def test_a_merge_adds_the_stores_interest_once_and_a_segment_then_holds_the_customer(world: World):
    known_book(world)
    ana = make_customer(world.a, first_name="Ana", last_name="Ruiz", phones=["+1 212 555 0100"])
    with scope(store=world.a):
        sapphires = Segment.objects.create(
            store=world.a, name="Sapphire lovers", filters={"interest": ["stone:sapphire"]}
        )
    row = 'Ana,Ruiz,,,,,,,,,,+1 212 555 0100,,,,"Sapphires, pearls",,'
    job = import_file(world.a, world.a_owner, shopify(row))
    assert outcomes(job) == [(2, "merged", "Merged into Ana Ruiz: added interest “Sapphire”; added interest “Pearl”.")]
    again = import_file(world.a, world.a_owner, shopify(row))
    assert outcomes(again) == [(2, "unchanged", "Already up to date (Ana Ruiz).")]
    assert interests(world.a, pk=ana.pk) == [("stone", "Pearl"), ("stone", "Sapphire")]
    with scope(store=world.a):
        assert [c.first_name for c in segment_customers(store=world.a, segment=sapphires)] == [
            "Perla",
            "Ana",
        ]  # by last name


def test_a_free_tag_imported_before_is_the_same_interest_and_adds_nothing(world: World):
    known_book(world)
    # An earlier import (before tags joined the store's interests) left "pearls" free.
    ana = make_customer(
        world.a, first_name="Ana", last_name="Ruiz", phones=["+1 212 555 0100"], interests=[("free", "pearls")]
    )
    job = import_file(world.a, world.a_owner, shopify("Ana,Ruiz,,,,,,,,,,+1 212 555 0100,,,,pearls,,"))
    assert outcomes(job) == [(2, "unchanged", "Already up to date (Ana Ruiz).")]
    assert interests(world.a, pk=ana.pk) == [("free", "pearls")]


def test_a_kind_the_file_names_is_kept_wherever_it_stands_on_the_line(world: World):
    known_book(world)
    job = import_file(
        world.a,
        world.a_owner,
        shopify('Ana,Ruiz,,,,,,,,,,,,,,"pearls; designer: Pearl",,', 'Bo,Ruiz,,,,,,,,,,,,,,"style: Pearls; pearl",,'),
    )
    assert outcomes(job) == [(2, "created", ""), (3, "created", "")]
    assert interests(world.a, first_name="Ana") == [("designer", "Pearl")]
    assert interests(world.a, first_name="Bo") == [("style", "Pearls")]


def test_another_stores_interests_are_not_this_stores_vocabulary(world: World):
    make_customer(world.b, first_name="Bea", interests=[("stone", "Pearl")])
    job = import_file(world.a, world.a_owner, shopify('Ana,Ruiz,,,,,,,,,,,,,,"pearls, Diamond",,'))
    assert outcomes(job) == [(2, "created", "")]
    assert interests(world.a, first_name="Ana") == [("free", "Diamond"), ("free", "pearls")]


def test_the_vocabulary_prefers_a_kind_over_free_then_the_most_customers_and_their_spelling(world: World):
    known_book(world)
    make_customer(world.a, first_name="Des", interests=[("designer", "pearl")])
    with scope(store=world.a):
        vocabulary = interest_vocabulary(store=world.a)
    assert vocabulary == {
        " diamond": ("stone", "Diamond"),
        " platinum": ("metal", "Platinum"),
        " pearl": ("stone", "Pearl"),
        " sapphire": ("stone", "Sapphire"),
    }


def test_the_store_vocabulary_is_read_once_per_import_not_per_line(world: World):
    known_book(world)
    lines = [f'P{i},Lind,p{i}@example.com,,,,,,,,,,,,,"pearls, platinum",,' for i in range(30)]
    with CaptureQueriesContext(connection) as queries:
        job = import_file(world.a, world.a_owner, shopify(*lines))
    assert {o for _line, o, _m in outcomes(job)} == {"created"}
    read = [q["sql"] for q in queries.captured_queries if "GROUP BY" in q["sql"] and "customers_interest" in q["sql"]]
    assert len(read) == 1
    assert interests(world.a, first_name="P29") == [("metal", "Platinum"), ("stone", "Pearl")]
