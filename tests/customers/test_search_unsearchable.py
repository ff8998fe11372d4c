"""A search of nothing searchable (a NUL, a zero-width space) is told so, not answered with the whole
book; a NUL or another control character inside a query is dropped, on either engine."""

from __future__ import annotations

from typing import Any

import pytest

from tests.conftest import World, api, browser_client, make_customer
from tests.customers.test_search import erase
from trunkshow.core import validation as v

NOTHING = (
    "There is nothing to search for: the search holds only control or invisible characters. "
    "Type a name, a phone number or an email."
)
UNSEARCHABLE = ["\x00", "\x00\x00 \x00", "\x1b\x07", "\x7f", "\x9f", "\u200b", "\ufeff \u2060"]


@pytest.fixture
def annas(world: World) -> World:
    make_customer(world.a, first_name="Anna", last_name="Ortiz", phones=["+19145550142"])
    make_customer(world.a, first_name="Zoë", last_name="Goldberg", phones=["+19145550110"])
    erase(make_customer(world.a, first_name="Anna", last_name="Erased", phones=["+19145550143"]))
    make_customer(world.b, first_name="Anna", last_name="Elsewhere", phones=["+19145550144"])
    return world


def _names(response: Any) -> list[str]:
    assert response.status_code == 200, response.content
    return [f"{c['first_name']} {c['last_name']}" for c in response.json()["items"]]


@pytest.mark.parametrize("q", UNSEARCHABLE)
def test_the_api_answers_400_naming_q_for_a_search_of_nothing_searchable(annas: World, q: str):
    client = api(annas.a_owner)
    for path in ("/api/v1/customers", "/api/v1/customers/count"):
        response = client.get(path, {"q": q})
        assert response.status_code == 400, (path, response.content)
        assert response.json() == {"error": {"code": "invalid", "message": NOTHING, "fields": {"q": [NOTHING]}}}


@pytest.mark.parametrize("q", ["", " ", "\t"])
def test_a_blank_search_is_still_no_search(annas: World, q: str):
    assert _names(api(annas.a_owner).get("/api/v1/customers", {"q": q})) == ["Zoë Goldberg", "Anna Ortiz"]


@pytest.mark.parametrize(
    ("q", "found"),
    [
        ("anna\x00", ["Anna Ortiz"]),
        ("\x00anna", ["Anna Ortiz"]),
        ("an\x00na", []),  # two words, "an" and "na", not "anna"
        ("ortiz\x00anna", ["Anna Ortiz"]),
        ("anna\u200b", ["Anna Ortiz"]),
        ("914\x00555\x000142", ["Anna Ortiz"]),
        ("0110\x1f", ["Zoë Goldberg"]),
        ("goldberg.zoe\x00@", []),
    ],
)
def test_control_characters_inside_a_query_are_dropped_on_every_path(annas: World, q: str, found: list[str]):
    client = api(annas.a_owner)
    # Only q (the lean path), with a filter (the filtered path), and the count.
    assert _names(client.get("/api/v1/customers", {"q": q})) == found
    assert _names(client.get("/api/v1/customers", {"q": q, "spend_max": "1000"})) == found
    assert client.get("/api/v1/customers/count", {"q": q}).json() == {"count": len(found)}
    page = browser_client(annas.a_associate).get("/customers/", {"q": q})
    assert [c.display_name for c in page.context["rows"]] == found
    assert page.context["q_errors"] == []


@pytest.mark.parametrize("partial", [False, True])
def test_the_list_page_says_there_is_nothing_to_search_for_and_lists_no_one(annas: World, partial: bool):
    params = {"q": "\x00", **({"partial": "1"} if partial else {})}
    page = browser_client(annas.a_associate).get("/customers/", params)
    assert page.status_code == 200
    assert page.context["rows"] == []
    assert page.context["total"] == 0
    assert page.context["q_errors"] == [NOTHING]
    assert page.context["filter_errors"] == {}  # the filters are fine: their panel stays closed
    html = page.content.decode()
    assert "<h2>Nothing to search for</h2>" in html
    assert f'<p class="muted">{NOTHING}</p>' in html
    assert "Anna Ortiz" not in html and "Goldberg" not in html
    assert "\x00" not in html


def test_the_list_page_keeps_its_other_filters_while_telling_the_search_is_empty(annas: World):
    page = browser_client(annas.a_associate).get("/customers/", {"q": "\u200b", "spend_min": "100"})
    assert page.context["rows"] == []
    assert page.context["q_errors"] == [NOTHING]
    assert [c["name"] for c in page.context["chips"]] == ["spend_min"]
    assert page.context["filter_values"]["spend_min"] == "100.00"


def test_the_partner_picker_offers_no_one_for_a_search_of_nothing_searchable(annas: World):
    client = browser_client(annas.a_associate)
    assert client.get("/customers/pick/", {"q": "\x00"}).context["rows"] == []
    assert [c.display_name for c in client.get("/customers/pick/", {"q": "anna\x00"}).context["rows"]] == ["Anna Ortiz"]


def test_a_segment_of_a_search_of_nothing_searchable_is_refused(annas: World):
    response = api(annas.a_manager).post(
        "/api/v1/segments", {"name": "Nobody", "filters": {"q": "\x00"}}, content_type="application/json"
    )
    assert response.status_code == 400
    assert NOTHING in str(response.json()["error"]["fields"])
    assert api(annas.a_manager).get("/api/v1/segments").json()["items"] == []


@pytest.mark.parametrize(
    ("typed", "searched", "unsearchable"),
    [
        ("\x00", "", True),
        ("\u200b\ufeff", "", True),
        ("\x85\x9f", "", True),
        ("", "", False),
        ("   ", "", False),
        ("anna\x00", "anna", False),
        ("\u200banna\u200b", "anna", False),
        ("an\x00na", "an na", False),
        ("\ud800anna", "anna", False),
    ],
)
def test_search_text_drops_what_cannot_be_searched_and_says_when_nothing_is_left(
    typed: str, searched: str, unsearchable: bool
):
    assert v.search_text(typed) == searched
    assert v.unsearchable(typed) is unsearchable
