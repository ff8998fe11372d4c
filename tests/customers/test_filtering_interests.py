"""The Interests filter as a jeweler types it: words and their starts, plurals, kinds, any of several;
on the list page, the API and saved segments alike."""

from __future__ import annotations

import importlib
from typing import Any

import pytest
from django.apps import apps
from django_scopes import scope, scopes_disabled

from tests.conftest import World, api, browser_client, make_customer
from trunkshow.customers.filtering import customers_filtered, filters_parse, interest_terms
from trunkshow.customers.interests import interest_words, singular
from trunkshow.customers.models import Interest, Segment
from trunkshow.customers.segments import segment_count, segment_customers


def names(store: Any, *terms: str) -> list[str]:
    with scope(store=store):
        filters = filters_parse({"interest": list(terms)}, store=store)
        return [c.first_name for c in customers_filtered(store=store, filters=filters)]


@pytest.fixture
def book(world: World) -> World:
    for first, interests in (
        ("Yara", [("metal", "Yellow gold"), ("stone", "Sapphire")]),
        ("Rosa", [("metal", "Rose gold")]),
        ("Mari", [("free", "Marigold")]),
        ("Gil", [("free", "Goldsmith classes")]),
        ("Coin", [("free", "Gold coins")]),
        ("Lab", [("stone", "Lab-grown diamond")]),
        ("Perl", [("stone", "Pearl")]),
        ("Perls", [("stone", "Pearls")]),
        ("Ruby", [("stone", "Rubies")]),
        ("Watch", [("free", "Watches")]),
        ("Broo", [("style", "Brooches")]),
        ("Mens", [("free", "Men's rings")]),
        ("Emma", [("stone", "Émeraude")]),
        ("Ema", [("stone", "Emerald")]),
        ("Gem", [("free", "💎")]),
        ("Silv", [("metal", "Sterling silver")]),
        ("Spoon", [("free", "Silver spoons")]),
        ("None", []),
    ):
        make_customer(world.a, world.a_owner, first_name=first, last_name="X", interests=interests)
    return world


@pytest.mark.parametrize(
    ("term", "found"),
    [
        ("gold", ["Coin", "Gil", "Rosa", "Yara"]),  # a word or the start of one: not Marigold
        ("GOLD", ["Coin", "Gil", "Rosa", "Yara"]),
        ("sapph", ["Yara"]),
        ("rose gold", ["Rosa"]),
        ("gold rose", []),
        ("old", []),
        ("grown", ["Lab"]),
        ("lab grown diamonds", ["Lab"]),
        ("pearls", ["Perl", "Perls"]),  # a plural typed finds the singular
        ("pearl", ["Perl", "Perls"]),  # and the singular the plural
        ("ruby", ["Ruby"]),
        ("rubies", ["Ruby"]),
        ("watch", ["Watch"]),
        ("brooch", ["Broo"]),
        ("mens", ["Mens"]),
        ("men's ring", ["Mens"]),
        ("emer", ["Ema", "Emma"]),  # accents aside
        ("ÉMERAUDE", ["Emma"]),
        ("💎", ["Gem"]),  # no letters: the value itself
        ("⭐", []),
    ],
)
def test_a_term_finds_interests_holding_it_as_a_word_or_its_start(book: World, term: str, found: list[str]):
    assert names(book.a, term) == found


def test_a_kind_first_keeps_to_that_kind(book: World):
    assert names(book.a, "metal:gold") == ["Rosa", "Yara"]
    assert names(book.a, "free:gold") == ["Coin", "Gil"]
    assert names(book.a, "stone:gold") == []
    assert names(book.a, "STONE:Pearls") == ["Perl", "Perls"]


def test_a_kind_carries_over_to_the_terms_after_it_in_a_comma_list(book: World):
    assert names(book.a, "metal:gold, silver") == ["Rosa", "Silv", "Yara"]  # not the silver spoons
    assert names(book.a, "metal:gold, silver, stone:ruby, emerald") == ["Ema", "Rosa", "Ruby", "Silv", "Yara"]
    assert interest_terms(["metal:gold, silver, stone:ruby, emerald"]) == [
        "metal:gold",
        "metal:silver",
        "stone:ruby",
        "stone:emerald",
    ]


def test_a_term_before_any_kind_or_in_a_parameter_of_its_own_is_of_any_kind(book: World):
    assert names(book.a, "silver, metal:gold") == ["Rosa", "Silv", "Spoon", "Yara"]
    assert names(book.a, "metal:gold", "silver") == ["Rosa", "Silv", "Spoon", "Yara"]


def test_carried_kinds_are_stored_on_each_term_so_a_segment_round_trips(book: World):
    with scope(store=book.a):
        filters = filters_parse({"interest": ["metal:gold, silver, stone:ruby, emerald"]}, store=book.a)
        assert filters.params() == {"interest": ["metal:gold", "metal:silver", "stone:ruby", "stone:emerald"]}
        assert [label for _name, label, _rest in filters.chips()] == [
            "Metal: gold",
            "Metal: silver",
            "Stone: ruby",
            "Stone: emerald",
        ]
        assert filters_parse(filters.params(), store=book.a) == filters
    created = api(book.a_manager).post(
        "/api/v1/segments",
        {"name": "Gold and silver", "filters": {"interest": "metal:gold, silver"}},
        content_type="application/json",
    )
    assert created.status_code == 201, created.content
    assert (created.json()["filters"], created.json()["customer_count"]) == (
        {"interest": ["metal:gold", "metal:silver"]},
        3,
    )
    with scopes_disabled():
        segment = Segment.objects.get(pk=created.json()["id"])
    with scope(store=book.a):
        assert [c.first_name for c in segment_customers(store=book.a, segment=segment)] == ["Rosa", "Silv", "Yara"]


def test_the_api_carries_a_kind_over_in_a_comma_list(book: World):
    client = api(book.a_owner)
    listed = client.get("/api/v1/customers", {"interest": "metal:gold,silver"})
    assert [c["first_name"] for c in listed.json()["items"]] == ["Rosa", "Silv", "Yara"]
    assert client.get("/api/v1/customers/count", {"interest": "metal:gold, silver"}).json() == {"count": 3}
    # Another store's silver fan is never counted.
    make_customer(book.b, first_name="Other", last_name="X", interests=[("metal", "Sterling silver")])
    assert client.get("/api/v1/customers/count", {"interest": "metal:silver"}).json() == {"count": 1}


def test_the_filter_box_carries_a_kind_over_and_shows_the_filter_so_it_reads_back_the_same(book: World):
    client = browser_client(book.a_associate)
    sent = client.get("/customers/filter/", {"interest_text": "metal:gold, silver", "q": ""})
    assert sent.status_code == 302
    assert sent["Location"] == "/customers/?interest=metal%3Agold&interest=metal%3Asilver"
    page = client.get(sent["Location"])
    assert [c.first_name for c in page.context["rows"]] == ["Rosa", "Silv", "Yara"]
    assert page.context["filter_values"]["interest_text"] == "metal:gold, metal:silver"
    # Gold among metals and silver of any kind: the box lists the term of any kind first, so sending
    # it again (a kind carries over only to the terms after it) keeps the same filter.
    mixed = client.get("/customers/", {"interest": ["metal:gold", "silver"]})
    assert [c.first_name for c in mixed.context["rows"]] == ["Rosa", "Silv", "Spoon", "Yara"]
    box = mixed.context["filter_values"]["interest_text"]
    assert box == "silver, metal:gold"
    again = client.get(client.get("/customers/filter/", {"interest_text": box})["Location"])
    assert [c.first_name for c in again.context["rows"]] == ["Rosa", "Silv", "Spoon", "Yara"]


def test_a_wrong_kind_carried_over_is_told_once(book: World):
    page = browser_client(book.a_associate).get("/customers/", {"interest": "metl:gold, silver"})
    assert page.context["filter_errors"]["interest"] == [
        "“metl” is not a kind of interest; use metal, stone, style, designer, free."
    ]


def test_several_terms_find_fans_of_any_of_them_once_each_in_one_condition(book: World):
    assert names(book.a, "sapphire", "emerald") == ["Ema", "Yara"]
    assert names(book.a, "metal:gold", "stone:sapphire", "pearls") == ["Perl", "Perls", "Rosa", "Yara"]
    with scope(store=book.a):
        filters = filters_parse({"interest": ["metal:gold", "sapphire", "pearls"]}, store=book.a)
        found = customers_filtered(store=book.a, filters=filters)
        assert found.count() == 4  # Yara likes gold and sapphires: counted once
        sql = str(found.query).upper()
    assert sql.count("EXISTS") == 1


def test_the_same_term_twice_is_one_filter(book: World):
    with scope(store=book.a):
        filters = filters_parse({"interest": ["Pearls", "pearls", "stone:pearls"]}, store=book.a)
    assert filters.params() == {"interest": ["Pearls", "stone:pearls"]}


def test_the_api_reads_interest_terms_as_the_list_does(book: World):
    client = api(book.a_owner)
    listed = client.get("/api/v1/customers", {"interest": ["gold", "stone:pearls"]})
    assert listed.status_code == 200
    assert [c["first_name"] for c in listed.json()["items"]] == ["Coin", "Gil", "Perl", "Perls", "Rosa", "Yara"]
    # A comma list, as the list's filter box takes them, is read the same way.
    as_list = client.get("/api/v1/customers", {"interest": "gold, stone:pearls"})
    assert as_list.json()["items"] == listed.json()["items"]
    assert client.get("/api/v1/customers/count", {"interest": "sapph"}).json() == {"count": 1}
    described = client.get("/api/v1/openapi.json").json()["paths"]["/api/v1/customers"]["get"]["parameters"]
    (interest,) = [p for p in described if p["name"] == "interest"]
    assert "any of them" in interest["description"]
    assert "`gold` finds Yellow gold and Rose gold" in interest["description"]


def test_the_list_page_says_several_interests_mean_any_of_them(book: World):
    page = browser_client(book.a_associate).get("/customers/", {"interest": ["sapphire", "emerald"]})
    html = page.content.decode()
    assert (
        '<p class="help" id="f-interest-help">Customers who like any of them, separated by commas: sapphire, '
        "emerald. A word or its start is enough, singular or plural: gold, sapph, pearls. A kind first keeps to "
        "that kind, and the terms after it too: metal:gold, silver.</p>"
    ) in html
    assert 'value="sapphire, emerald"' in html
    assert [c.display_name for c in page.context["rows"]] == ["Ema X", "Yara X"]
    assert page.context["total"] == 2


def test_a_segment_saved_before_keeps_its_customers_and_gains_the_plurals(book: World):
    with scopes_disabled():
        # As the demo saved "Sapphire lovers" and a store its pearl fans, before terms matched words.
        sapphires = Segment.objects.create(
            store=book.a, name="Sapphire lovers", filters={"interest": ["stone:sapphire"]}
        )
        pearls = Segment.objects.create(store=book.a, name="Pearls", filters={"interest": ["pearl"]})
    with scope(store=book.a):
        assert [c.first_name for c in segment_customers(store=book.a, segment=sapphires)] == ["Yara"]
        assert [c.first_name for c in segment_customers(store=book.a, segment=pearls)] == ["Perl", "Perls"]
        assert segment_count(store=book.a, segment=pearls).count == 2


@pytest.mark.parametrize(
    ("word", "one"),
    [
        ("pearls", "pearl"),
        ("rubies", "ruby"),
        ("brooches", "brooch"),
        ("watches", "watch"),
        ("boxes", "box"),
        ("glasses", "glass"),
        ("sapphires", "sapphire"),
        ("ties", "tie"),
        ("glass", "glass"),
        ("lotus", "lotus"),
        ("iris", "iris"),
        ("gas", "gas"),
        ("18ks", "18ks"),
        ("pearl", "pearl"),
    ],
)
def test_simple_english_plurals_become_singular(word: str, one: str):
    assert singular(word) == one


def test_an_interests_words_are_folded_singular_and_each_after_a_space():
    assert interest_words("Rose gold") == " rose gold"
    assert interest_words("Lab-grown Diamonds") == " lab grown diamond"
    assert interest_words("Men's rings") == " men ring"
    assert interest_words("  Émeraude / Perlés ") == " emeraude perle"
    assert interest_words("Temple St. Clair") == " temple st clair"
    assert interest_words("💎") == ""


def test_the_migration_fills_the_words_of_existing_interests_as_the_app_computes_them(book: World):
    migration = importlib.import_module("trunkshow.customers.migrations.0011_interest_words")
    with scopes_disabled():
        expected = sorted(Interest.objects.values_list("value", "value_words"))
        Interest.objects.update(value_words="")
        migration.forwards(apps, None)
        assert sorted(Interest.objects.values_list("value", "value_words")) == expected
    assert [words for value, words in expected if value == "Lab-grown diamond"] == [" lab grown diamond"]
    for value, _words in expected:
        assert migration._words(value) == interest_words(value)
