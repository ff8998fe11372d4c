"""The inbox's search: every word typed is found somewhere in the conversation or its customer,
accents and case aside, a typo in a customer's name forgiven, never another store's."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django_scopes import scope

from tests.conftest import api, browser_client, make_customer
from tests.inbox.test_inbox_pages import text_in


@pytest.fixture(autouse=True, params=["by the index", "row by row"])
def way(request: Any, monkeypatch: Any) -> str:
    """Each test both ways the list finds a word: through the trigram index (a word few messages
    hold) and checked on the list's rows in order (a common word, here every word held at all)."""
    from trunkshow.inbox import selectors

    if request.param == "row by row":
        monkeypatch.setattr(selectors, "FEW", 1)
    return str(request.param)


def found(client: Any, q: str) -> list[int]:
    html = client.get("/inbox/", {"status": "any", "q": q}).content.decode()
    return [int(pk) for pk in re.findall(r'class="inbox-row[^"]*"[^>]*data-conversation="(\d+)"', html)]


def written_by(store: Any, captured: Any, name: str, number: str, body: str, sid: str) -> int:
    """A customer of ``store`` with this name and number texts ``body``: their conversation's id."""
    first, last = name.split()
    make_customer(store, first_name=first, last_name=last, phones=[number])
    return int(text_in(store, captured, body, sid, number=number).conversation_id)


def test_every_word_typed_is_found_wherever_it_is_in_the_conversation(
    world: Any, django_capture_on_commit_callbacks: Any
) -> None:
    captured = django_capture_on_commit_callbacks
    chains = text_in(world.a, captured, "do you buy old gold? I have a few chains.", "SM1")
    split = text_in(world.a, captured, "The gold one, please", "SM2", number="+12125550111")
    text_in(world.a, captured, "and the chains too", "SM3", number="+12125550111")
    only_gold = text_in(world.a, captured, "Gold hoops?", "SM4", number="+12125550122")
    text_in(world.b, captured, "do you buy old gold? I have a few chains.", "SM5")
    client = browser_client(world.a_owner)

    # Not the phrase: each word, in any message of the conversation, in any case.
    assert sorted(found(client, "gold chains")) == sorted([chains.conversation_id, split.conversation_id])
    assert sorted(found(client, "CHAINS gold")) == sorted([chains.conversation_id, split.conversation_id])
    assert found(client, "buy gold") == [chains.conversation_id]
    assert sorted(found(client, "gold")) == sorted(
        [chains.conversation_id, split.conversation_id, only_gold.conversation_id]
    )
    assert found(client, "gold bracelet") == []
    # Another store's conversation, with the very same words, is not found.
    assert len(found(browser_client(world.b_owner), "gold chains")) == 1
    assert chains.conversation_id not in found(browser_client(world.b_owner), "gold chains")


def test_a_word_may_be_in_the_customers_name_and_another_in_a_message(
    world: Any, django_capture_on_commit_callbacks: Any
) -> None:
    asked = "Is the engraving done?"
    jonas = written_by(world.a, django_capture_on_commit_callbacks, "Jonas Müller", "+12125550142", asked, "SM1")
    written_by(world.a, django_capture_on_commit_callbacks, "Ida Holm", "+12125550199", asked, "SM2")
    client = browser_client(world.a_owner)

    assert found(client, "muller") == [jonas]
    assert found(client, "Müller") == [jonas]
    assert found(client, "muller engraving") == [jonas]
    assert found(client, "engraving jonas") == [jonas]
    assert found(client, "muller holm") == []


def test_a_typo_in_the_customers_name_still_finds_the_conversation(
    world: Any, django_capture_on_commit_callbacks: Any
) -> None:
    asked, captured = "Is my ring resized?", django_capture_on_commit_callbacks
    anna = written_by(world.a, captured, "Anna Szirmay", "+12125550142", asked, "SM1")
    rosa = written_by(world.a, captured, "Rosa Lind", "+12125550199", asked, "SM2")
    written_by(world.a, captured, "Julia King", "+12125550177", "Hello", "SM4")
    written_by(world.b, captured, "Anna Szirmay", "+12125550142", asked, "SM3")
    client = browser_client(world.a_owner)

    assert found(client, "szirmai") == [anna]
    assert found(client, "anna szirmai") == [anna]
    assert found(client, "szirmai ring") == [anna]
    # Typos only when nothing holds the words as typed: "ring" does not bring Julia King's conversation.
    assert sorted(found(client, "ring")) == sorted([anna, rosa])
    assert len(found(client, "kink")) == 1
    assert found(client, "szirmai bracelet") == []
    # The API searches the same way, and store B's search finds only store B's Anna.
    items = api(world.a_associate).get("/api/v1/conversations", {"status": "any", "q": "szirmai"}).json()["items"]
    assert [c["id"] for c in items] == [anna]
    other = found(browser_client(world.b_owner), "szirmai")
    assert len(other) == 1
    assert other != [anna]


def test_accents_are_folded_in_messages_both_ways(world: Any, django_capture_on_commit_callbacks: Any) -> None:
    captured = django_capture_on_commit_callbacks
    accented = text_in(world.a, captured, "Frau Müller's Zoë pendant, bitte", "SM1")
    plain = text_in(world.a, captured, "Mr Muller asked about the Zoe necklace", "SM2", number="+12125550111")
    client = browser_client(world.a_owner)
    both = sorted([accented.conversation_id, plain.conversation_id])

    assert sorted(found(client, "muller")) == both
    assert sorted(found(client, "Müller")) == both
    assert sorted(found(client, "MÜLLER zoe")) == both
    assert found(client, "zoë pendant") == [accented.conversation_id]
    assert found(client, "müller necklace") == [plain.conversation_id]


def test_a_word_found_nowhere_and_a_removed_conversation_find_nothing(
    world: Any, django_capture_on_commit_callbacks: Any
) -> None:
    from trunkshow.messaging.models import Conversation

    captured = django_capture_on_commit_callbacks
    kept = text_in(world.a, captured, "The sapphire locket, order TS-004211", "SM1")
    gone = text_in(world.a, captured, "The sapphire brooch, order TS-009999", "SM2", number="+12125550111")
    client = browser_client(world.a_owner)
    assert found(client, "zeppelin") == []
    assert found(client, "ts-009999") == [gone.conversation_id]

    with scope(store=world.a):
        Conversation.objects.filter(pk=gone.conversation_id).delete()

    assert found(client, "ts-009999") == []
    assert found(client, "sapphire") == [kept.conversation_id]
    assert found(client, "TS-004211") == [kept.conversation_id]
