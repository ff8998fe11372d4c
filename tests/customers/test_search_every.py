"""A search matching more customers than its ranking reads (search.CANDIDATES): the count, the
pages, another order, a filter, the export and a segment all hold every match (ADR 0003,
amendment "every match")."""

from __future__ import annotations

import itertools
from decimal import Decimal
from typing import Any

import pytest
from django_scopes import scope, scopes_disabled

from tests.conftest import World, api, browser_client, make_customer
from tests.customers.test_exporting import exports, read_csv
from trunkshow.customers import search, segments
from trunkshow.customers.models import Customer

SYLLABLES = ["ba", "de", "fi", "go", "lu", "ma", "ne", "ri", "so", "ta"]


def first_names(n: int) -> list[str]:
    """``n`` distinct first names of letters only (a word with a digit is no name word)."""
    return ["".join(p).capitalize() for p in itertools.islice(itertools.product(SYLLABLES, repeat=3), n)]


def spend(customer: Any, amount: str) -> None:
    with scopes_disabled():
        Customer.objects.filter(pk=customer.pk).update(lifetime_spend=Decimal(amount))


@pytest.fixture
def kellers(world: World) -> dict[str, Any]:
    """320 Kellers (the best 300 fill the ranking), 10 Kellermans and 5 Schkellers (held inside:
    ranked last), 3 Millers who do not match; the biggest spender is a Schkeller."""
    names = first_names(335)
    made: dict[str, Any] = {"keller": [], "kellerman": [], "schkeller": []}
    for i, first in enumerate(names):
        last = "Keller" if i < 320 else "Kellerman" if i < 330 else "Schkeller"
        made[last.lower()].append(make_customer(world.a, first_name=first, last_name=last))
    for first in ("Ada", "Bea", "Cy"):
        make_customer(world.a, first_name=first, last_name="Miller")
    spend(made["schkeller"][0], "900")
    spend(made["kellerman"][0], "500")
    for c in made["keller"][:3]:
        spend(c, "200")
    return made


def api_walk(client: Any, **params: Any) -> list[int]:
    out: list[int] = []
    cursor = None
    while True:
        response = client.get("/api/v1/customers", {**params, "limit": 100, **({"cursor": cursor} if cursor else {})})
        assert response.status_code == 200, response.content
        out += [item["id"] for item in response.json()["items"]]
        cursor = response.json()["next_cursor"]
        if not cursor:
            return out


def page_walk(client: Any, **params: Any) -> tuple[list[int], list[Any]]:
    """Every page of the list page, following its Next link; the ids and each page's context."""
    ids: list[int] = []
    contexts = []
    response = client.get("/customers/", params)
    while True:
        contexts.append(response.context)
        ids += [c.pk for c in response.context["rows"]]
        if not response.context["next_url"]:
            return ids, contexts
        response = client.get("/customers/" + response.context["next_url"])


def by_name(customers: list[Any]) -> list[int]:
    with scopes_disabled():
        rows = Customer.objects.filter(pk__in=[c.pk for c in customers]).order_by("sort_name", "id")
        return [c.pk for c in rows]


def test_a_search_matching_more_than_its_ranking_counts_and_pages_every_match(world: World, kellers):
    client = api(world.a_associate)
    assert client.get("/api/v1/customers/count", {"q": "keller"}).json() == {"count": 335}

    # The best 300 as ranked (Kellers before Kellermans before Schkellers, by name within), then
    # every other match by name; the API and the page in the same order.
    found = api_walk(client, q="keller")
    best = by_name(kellers["keller"])[:300]
    rest = by_name([c for c in kellers["keller"] + kellers["kellerman"] + kellers["schkeller"] if c.pk not in best])
    assert found == best + rest
    assert len(set(found)) == 335

    ids, contexts = page_walk(browser_client(world.a_associate), q="keller")
    assert ids == found
    first = contexts[0]
    assert first["total"] == 335
    html = browser_client(world.a_associate).get("/customers/", {"q": "keller"}).content.decode()
    assert "335 customers" in html
    assert "The 300 best matches come first, then the other 35 by name." in html
    # The page where the ranking ends says where the others begin.
    boundary = contexts[300 // 25]
    marked = [c.pk for c in boundary["rows"] if getattr(c, "first_unranked", False)]
    assert marked == [rest[0]]


def test_another_order_and_a_filter_within_a_big_search_reach_every_match(world: World, kellers):
    client = api(world.a_associate)
    top = [
        item["display_name"]
        for item in client.get("/api/v1/customers", {"q": "keller", "sort": "spend"}).json()["items"][:2]
    ]
    assert top == [kellers["schkeller"][0].display_name, kellers["kellerman"][0].display_name]
    assert client.get("/api/v1/customers/count", {"q": "keller", "spend_min": "100"}).json() == {"count": 5}
    assert len(api_walk(client, q="keller", sort="spend")) == 335
    page = browser_client(world.a_associate).get("/customers/", {"q": "keller", "spend_min": "100"})
    assert page.context["total"] == 5
    spenders = [kellers["schkeller"][0], kellers["kellerman"][0], *kellers["keller"][:3]]
    assert {c.pk for c in page.context["rows"]} == {c.pk for c in spenders}


def test_the_export_of_a_big_search_writes_every_match_and_says_so(world: World, kellers):
    response = api(world.a_owner).get("/api/v1/customers/export", {"q": "keller"})
    assert response.status_code == 200
    rows = read_csv(response)[1:]
    assert len(rows) == 335
    assert len({row[0] for row in rows}) == 335
    entry = exports(world.a)[-1]
    assert (entry["rows"], entry["rows_written"], entry["finished"]) == (335, 335, True)
    page = browser_client(world.a_owner).get("/customers/export/", {"q": "keller", "sort": "spend"})
    assert [row[2] for row in read_csv(page)[1:3]] == ["Schkeller", "Kellerman"]


def test_a_segment_of_a_big_search_counts_lists_and_exports_every_match(world: World, kellers):
    with scope(store=world.a):
        segment = segments.segment_create(store=world.a, actor=None, name="Kellers", filters={"q": "keller"})
    client = api(world.a_owner)
    assert client.get(f"/api/v1/segments/{segment.pk}").json()["customer_count"] == 335
    listed: list[int] = []
    cursor = None
    while True:
        body = client.get(
            f"/api/v1/segments/{segment.pk}/customers", {"limit": 100, **({"cursor": cursor} if cursor else {})}
        ).json()
        listed += [item["id"] for item in body["items"]]
        cursor = body["next_cursor"]
        if not cursor:
            break
    assert len(set(listed)) == 335
    rows = read_csv(client.get(f"/api/v1/segments/{segment.pk}/export"))[1:]
    assert len(rows) == 335


@pytest.mark.parametrize(
    ("q", "expected"),
    [
        ("555", {"Ann Phone", "Bea Phone", "Cy Phone", "Dee Phone"}),  # digits inside numbers
        ("kay@", {"Kay One", "Kay Two", "Kay Three", "Kay Four"}),  # the start of an email address
        ("ro", {"Rosa Ames", "Rory Ames", "Ada Rowe", "Bo Rowe"}),  # one or two letters: a word's start
        ("anna", {"Anna Ames", "Anna Bell", "Joanna Ames", "Marianna Bell"}),  # starting, then inside
    ],
)
def test_every_kind_of_query_counts_every_match_beyond_a_small_ranking(world: World, monkeypatch, q, expected):
    monkeypatch.setattr(search, "CANDIDATES", 2)
    monkeypatch.setattr(search, "TYPO_WHEN_FEWER_THAN", 1)  # the prefix step suffices with a ranking of 2
    for first, phone in (("Ann", "+1 914 555 0101"), ("Bea", "+1 914 555 0102"), ("Cy", "+1 212 555 0103")):
        make_customer(world.a, first_name=first, last_name="Phone", phones=[phone])
    make_customer(world.a, first_name="Dee", last_name="Phone", phones=["+1 718 555 0104"])
    for n, first in enumerate(("One", "Two", "Three", "Four")):
        make_customer(world.a, first_name="Kay", last_name=first, emails=[f"kay@{n}.example.com"])
    for first, last in (("Rosa", "Ames"), ("Rory", "Ames"), ("Ada", "Rowe"), ("Bo", "Rowe")):
        make_customer(world.a, first_name=first, last_name=last)
    for first, last in (("Anna", "Ames"), ("Anna", "Bell"), ("Joanna", "Ames"), ("Marianna", "Bell")):
        make_customer(world.a, first_name=first, last_name=last)
    client = api(world.a_associate)
    assert client.get("/api/v1/customers/count", {"q": q}).json() == {"count": len(expected)}
    with scopes_disabled():
        names = {c.display_name for c in Customer.objects.filter(pk__in=api_walk(client, q=q))}
    assert names == expected


def test_digits_count_the_phone_numbers_holding_them_not_an_email_that_does(world: World, monkeypatch):
    monkeypatch.setattr(search, "CANDIDATES", 2)
    for first, phone in (("Ann", "+1 914 555 0101"), ("Bea", "+1 914 555 0102"), ("Cy", "+1 212 555 0103")):
        make_customer(world.a, first_name=first, last_name="Phone", phones=[phone])
    make_customer(world.a, first_name="Dee", last_name="Mail", emails=["dee555@example.com"])
    client = api(world.a_associate)
    assert client.get("/api/v1/customers/count", {"q": "555"}).json() == {"count": 3}
    assert len(api_walk(client, q="555")) == 3


def test_every_match_holds_inside_another_query(world: World, monkeypatch):
    """A segment's customers read as a subquery of another list (as a campaign would) keep every
    match: the statement of every match follows the outer query's aliases."""
    from trunkshow.customers.filtering import customers_filtered, filters_parse

    monkeypatch.setattr(search, "CANDIDATES", 2)
    for first in ("Anna", "Annika", "Joanna", "Marianna"):
        make_customer(world.a, first_name=first, last_name="Ames")
    make_customer(world.a, first_name="Bo", last_name="Ames")
    with scope(store=world.a):
        found = customers_filtered(store=world.a, filters=filters_parse({"q": "ann"}, store=world.a))
        assert found.count() == 4
        outer = Customer.objects.filter(store=world.a, pk__in=found.values("pk")).exclude(first_name="Annika")
        assert sorted(c.first_name for c in outer) == ["Anna", "Joanna", "Marianna"]


def test_a_match_beyond_a_ranking_that_kept_none_of_what_it_read_is_still_listed(world: World, monkeypatch):
    """The digits' lookup reads customers holding them anywhere, and the ranking keeps those whose
    phone holds them: when the few read were all emails, the phone further on is still a match."""
    monkeypatch.setattr(search, "CANDIDATES", 2)
    for n in range(4):
        make_customer(world.a, first_name="Mail", last_name=f"Only{'abcd'[n]}", emails=[f"m555{n}@example.com"])
    phoned = make_customer(world.a, first_name="Pat", last_name="Phone", phones=["+1 914 555 0101"])
    client = api(world.a_associate)
    assert client.get("/api/v1/customers/count", {"q": "555"}).json() == {"count": 1}
    assert api_walk(client, q="555") == [phoned.pk]
