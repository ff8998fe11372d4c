"""A name and the last digits of a phone ("zoe 0110", "goldberg 555-0110"): the namesake whose phone
holds the digits, ranked as the name alone ranks them (ADR 0003, amendment "name and number")."""

from __future__ import annotations

from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from django_scopes import scope, scopes_disabled

from tests.conftest import World, api, browser_client, make_customer
from tests.customers.test_search import names, ranks
from tests.customers.test_search_every import api_walk, first_names
from trunkshow.customers import search
from trunkshow.customers.models import Customer


@pytest.fixture
def goldbergs(world: World) -> World:
    make_customer(world.a, first_name="Zoë", last_name="Goldberg", phones=["+19145550110"])
    make_customer(world.a, first_name="Zoë", last_name="Goldberg", phones=["+19145550199"])
    make_customer(world.a, first_name="Madison", last_name="Goldberg", phones=["+16465550118"])
    make_customer(world.a, first_name="Ines", last_name="Ortiz", phones=["+12125550110"])
    make_customer(world.a, first_name="Jo", last_name="Ng", phones=["+13035550110", "+13035550155"])
    make_customer(world.a, first_name="Sam", last_name="Smith", emails=["sam1985@example.com"])
    # The same name and number in another store, and an erased customer whose text was left.
    make_customer(world.b, first_name="Zoë", last_name="Goldberg", phones=["+19145550110"])
    erased = make_customer(world.a, first_name="Zoe", last_name="Goldberg", phones=["+19175550110"])
    with scopes_disabled():
        Customer.objects.filter(pk=erased.pk).update(erased_at=timezone.now())
    return world


def phones(store: Any, q: str) -> list[tuple[str, str]]:
    with scope(store=store):
        return [
            (c.full_name, c.phones.get(is_primary=True).e164 if c.phones.exists() else "")
            for c in search.apply(Customer.objects.filter(store=store, erased_at__isnull=True), store=store, q=q)
        ]


@pytest.mark.parametrize(
    "q",
    [
        "zoe 0110",
        "Zoë 0110",
        "goldberg 0110",
        "goldberg 555 0110",
        "goldberg 555-0110",
        "goldberg 555.0110",
        "0110 goldberg",
        "zoe goldberg 0110",
        "goldberg zoe 5550110",
        "zoe (914) 555-0110",
        "zoe +1 914 555 0110",
        "Mrs Goldberg 0110",
        "gold 0110",
        "goldburg 0110",  # a typo in the name, the number as typed
    ],
)
def test_a_name_and_digits_of_the_phone_pick_the_namesake(goldbergs: World, q: str):
    assert phones(goldbergs.a, q) == [("Zoë Goldberg", "+19145550110")]


def test_the_digits_may_be_anywhere_in_the_number_and_short_words_are_read_too(goldbergs: World):
    assert phones(goldbergs.a, "zoe goldberg 914") == [
        ("Zoë Goldberg", "+19145550110"),
        ("Zoë Goldberg", "+19145550199"),
    ]
    assert phones(goldbergs.a, "jo 0155") == [("Jo Ng", "+13035550110")]  # any of the customer's phones
    assert names(goldbergs.a, "jo 0110") == ["Jo Ng"]
    assert names(goldbergs.a, "zoe 0155") == []
    assert names(goldbergs.a, "ortiz 0110") == ["Ines Ortiz"]


def test_a_number_beside_a_name_is_ranked_as_the_name_alone(goldbergs: World):
    assert ranks(goldbergs.a, "zoe goldberg 0110") == [("Zoë Goldberg", search.EXACT)]
    assert ranks(goldbergs.a, "goldberg 0110") == [("Zoë Goldberg", search.PREFIX)]
    assert ranks(goldbergs.a, "gold 555-0110") == [("Zoë Goldberg", search.PREFIX + 4)]
    assert ranks(goldbergs.a, "oldber 0110") == [("Zoë Goldberg", search.BURIED + 2)]
    assert ranks(goldbergs.a, "goldburg 0110") == [("Zoë Goldberg", search.TYPO + 10)]


def test_digits_in_an_email_beside_a_name_still_find_it(goldbergs: World):
    assert names(goldbergs.a, "smith 1985") == ["Sam Smith"]


@pytest.mark.parametrize(
    ("q", "words", "number"),
    [
        ("zoe 0110", ("zoe",), "0110"),
        ("goldberg 555-0110", ("goldberg",), "5550110"),
        ("0110 zoe goldberg", ("zoe", "goldberg"), "0110"),
        ("zoe (914) 555-0110", ("zoe",), "9145550110"),
        # A whole national number loses its trunk 0, an international prefix its 00 or 011, as
        # the stored E.164 digits hold them; the last digits of a number stay as typed.
        ("smith 07700 900123", ("smith",), "7700900123"),
        ("smith 0044 7700 900123", ("smith",), "447700900123"),
        ("smith 011 44 7700 900123", ("smith",), "447700900123"),
        ("zoe 0110", ("zoe",), "0110"),
        # Fewer than 3 digits, two runs, or letters only: every part is a word, as before.
        ("zoe 01", ("zoe", "01"), ""),
        ("zoe 0110 goldberg 914", ("zoe", "0110", "goldberg", "914"), ""),
        ("jo0142", ("jo0142",), ""),
        ("ring 7", ("ring", "7"), ""),
    ],
)
def test_a_name_query_is_read_as_words_and_one_run_of_digits(q: str, words: tuple[str, ...], number: str):
    query = search.parse(q, region="US")
    assert (query.kind, query.words, query.number) == ("name", words, number)


def test_a_name_and_number_through_the_api_the_count_and_the_list_page(goldbergs: World):
    client = api(goldbergs.a_associate)
    listed = client.get("/api/v1/customers", {"q": "goldberg 555-0110"})
    assert [(c["first_name"], c["phone"]) for c in listed.json()["items"]] == [("Zoë", "+19145550110")]
    assert client.get("/api/v1/customers/count", {"q": "goldberg 555-0110"}).json() == {"count": 1}
    narrowed = client.get("/api/v1/customers", {"q": "goldberg 555-0110", "spend_max": "100"})
    assert [c["first_name"] for c in narrowed.json()["items"]] == ["Zoë"]
    page = browser_client(goldbergs.a_associate).get("/customers/", {"q": "zoe 0110"})
    assert [c.display_name for c in page.context["rows"]] == ["Zoë Goldberg"]
    assert page.context["total"] == 1


@pytest.mark.parametrize("q", ["goldberg 0110", "goldburg 0110", "zoe goldberg 555-0110"])
def test_the_names_rows_are_read_once_for_the_digits(goldbergs: World, q: str):
    """One pass over the name's rows: the names holding a word inside, and typos, are looked up only
    when they can add someone (none holds "goldberg" inside; "goldburg" starts no name, so only its
    corrections are looked up)."""
    with scope(store=goldbergs.a), CaptureQueriesContext(connection) as queries:
        search.find(store=goldbergs.a, q=q)
    lookups = [query["sql"] for query in queries.captured_queries if "customers_searchword" in query["sql"]]
    assert len(lookups) == 1, lookups
    assert all("LIKE '%0110%'" in sql or "LIKE '%5550110%'" in sql for sql in lookups)


def test_the_name_leads_and_each_of_its_customers_is_read_by_its_key(goldbergs: World):
    """The cost is bounded by the name's candidates: the word index's range for the name, then
    each of those customers' rows by primary key, where the digits are checked."""
    if connection.vendor != "sqlite":
        pytest.skip("SQLite's plan; PostgreSQL reads the same rows through LATERAL ... OFFSET 0")
    with scope(store=goldbergs.a), CaptureQueriesContext(connection) as queries:
        search.find(store=goldbergs.a, q="goldberg 0110")
    (lookup,) = {q["sql"] for q in queries.captured_queries if "customers_searchword" in q["sql"]}
    assert "LIKE '%0110%'" in lookup
    with connection.cursor() as cursor:
        cursor.execute("EXPLAIN QUERY PLAN " + lookup)
        plan = [row[3] for row in cursor.fetchall()]
    assert plan == [
        "SEARCH customers_searchword USING PRIMARY KEY (store_id=? AND word>? AND word<?)",
        "SEARCH c USING INTEGER PRIMARY KEY (rowid=?)",
    ]


def test_every_namesake_holding_the_digits_is_listed_beyond_the_ranked(world: World):
    made = [
        make_customer(world.a, first_name=first, last_name="Keller", phones=[f"+1914555{i:04d}"])
        for i, first in enumerate(first_names(305))
    ]
    make_customer(world.a, first_name="Ada", last_name="Miller", phones=["+19145550001"])
    make_customer(world.b, first_name="Bea", last_name="Keller", phones=["+19145550002"])
    client = api(world.a_owner)
    assert client.get("/api/v1/customers/count", {"q": "keller 555"}).json() == {"count": 305}
    assert sorted(api_walk(client, q="keller 555")) == sorted(c.pk for c in made)
    assert client.get("/api/v1/customers/count", {"q": "keller 0110"}).json() == {"count": 1}


def test_a_whole_national_number_with_its_trunk_0_beside_a_name_finds_her(world: World):
    gb = make_customer(world.a, first_name="Ann", last_name="Smith", phones=["+447400123456"])
    make_customer(world.a, first_name="Ann", last_name="Smith", phones=["+447400123999"])
    make_customer(world.b, first_name="Ann", last_name="Smith", phones=["+447400123456"])
    for q in ("smith 07400 123456", "ann smith +44 7400 123456", "smith 0044 7400 123456"):
        items = api(world.a_owner).get("/api/v1/customers", {"q": q}).json()["items"]
        assert [i["id"] for i in items] == [gb.pk], q
