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


def shown(client: Any, q: str) -> dict[int, str]:
    """What each row of the list searched for ``q`` shows under the name, as HTML."""
    html = client.get("/inbox/", {"status": "any", "q": q}).content.decode()
    rows = re.findall(
        r'data-conversation="(\d+)">.*?<span class="inbox-preview inbox-match">(.*?)</span>\s*</span>', html, re.S
    )
    return {int(pk): preview for pk, preview in rows}


def test_a_searched_row_shows_the_newest_message_holding_the_words_with_them_marked(
    world: Any, django_capture_on_commit_callbacks: Any
) -> None:
    captured = django_capture_on_commit_callbacks
    number = "+12125550142"
    jurgen = written_by(world.a, captured, "Jürgen Vogel", number, "Could you add an engraving to the ring?", "SM1")
    text_in(world.a, captured, "The engraving should say J & A, in script", "SM2", number=number)
    text_in(world.a, captured, "Thank you, I will bring it tomorrow morning.", "SM3", number=number)
    client = browser_client(world.a_owner)

    # Not the last message: the newest one holding the word, the word marked (and the "&" escaped).
    assert shown(client, "engraving") == {jurgen: "The <mark>engraving</mark> should say J &amp; A, in script"}
    # The one holding the most of the words wins over a newer one holding fewer.
    assert shown(client, "ring engraving") == {
        jurgen: "Could you add an <mark>engraving</mark> to the <mark>ring</mark>?"
    }
    # The search is unchanged: no mark without a search, the last message as before.
    listed = client.get("/inbox/", {"status": "any"}).content.decode()
    assert "<mark>" not in listed
    assert "Thank you, I will bring it tomorrow morning." in listed
    # The API says the same, as text and offsets to mark.
    items = api(world.a_associate).get("/api/v1/conversations", {"status": "any", "q": "ring engraving"}).json()
    match = items["items"][0]["match"]
    assert match["excerpt"] == "Could you add an engraving to the ring?"
    assert match["marks"] == [[17, 26], [34, 38]]
    assert (match["direction"], match["customer"]) == ("in", "")
    plain = api(world.a_associate).get("/api/v1/conversations", {"status": "any"}).json()
    assert plain["items"][0]["match"] is None


def test_the_marks_are_on_the_words_as_written_when_the_search_folded_them(
    world: Any, django_capture_on_commit_callbacks: Any
) -> None:
    captured = django_capture_on_commit_callbacks
    said = text_in(world.a, captured, "Frau Müller wohnt in der Hauptstraße; ß-Kette für Zoë?", "SM1")
    client = browser_client(world.a_owner)

    assert shown(client, "muller hauptstrasse") == {
        said.conversation_id: "Frau <mark>Müller</mark> wohnt in der <mark>Hauptstraße</mark>; ß-Kette für Zoë?"
    }
    # "ss" found in the folded "ß" marks the whole letter as written; "zoe" marks "Zoë".
    assert shown(client, "kette zoe") == {
        said.conversation_id: "…wohnt in der Hauptstraße; ß-<mark>Kette</mark> für <mark>Zoë</mark>?"
    }
    assert shown(client, "strasse") == {
        said.conversation_id: "Frau Müller wohnt in der Haupt<mark>straße</mark>; ß-Kette für Zoë?"
    }


def test_a_message_written_as_markup_is_shown_as_text_and_marked_outside_it(
    world: Any, django_capture_on_commit_callbacks: Any
) -> None:
    said = text_in(
        world.a, django_capture_on_commit_callbacks, '<img src=x onerror="alert(1)"> the <mark>gold</mark> one', "SM1"
    )
    client = browser_client(world.a_owner)

    assert shown(client, "gold") == {said.conversation_id: "…the &lt;mark&gt;<mark>gold</mark>&lt;/mark&gt; one"}
    # A word that is in the markup's text is marked in that text, escaped: never inside a tag we write.
    assert shown(client, "onerror mark") == {
        said.conversation_id: "&lt;img src=x <mark>onerror</mark>=&quot;alert(1)&quot;&gt; the &lt;<mark>mark</mark>"
        "&gt;gold&lt;/<mark>mark</mark>&gt; one"
    }


def test_a_row_found_by_its_customer_shows_its_last_message_and_says_the_name_matches(
    world: Any, django_capture_on_commit_callbacks: Any
) -> None:
    captured = django_capture_on_commit_callbacks
    jonas = written_by(world.a, captured, "Jonas Müller", "+12125550142", "Is the engraving done?", "SM1")
    text_in(world.a, captured, "See you Saturday", "SM2", number="+12125550142")
    anna = written_by(world.a, captured, "Anna Szirmay", "+12125550199", "Hello", "SM3")
    client = browser_client(world.a_owner)

    assert shown(client, "muller") == {jonas: '<span class="inbox-why">Name matches</span> See you Saturday'}
    assert shown(client, "muller engraving") == {
        jonas: '<span class="inbox-why">Name matches</span> Is the <mark>engraving</mark> done?'
    }
    # A typo of the name (found through the customer search) matches the name too.
    assert shown(client, "szirmai") == {anna: '<span class="inbox-why">Name matches</span> Hello'}
    assert shown(client, "(212) 555-0199") == {anna: '<span class="inbox-why">Phone matches</span> Hello'}


def test_a_row_found_by_its_customers_email_says_the_email_matches(
    world: Any, django_capture_on_commit_callbacks: Any
) -> None:
    captured = django_capture_on_commit_callbacks
    make_customer(
        world.a, first_name="Zoe", last_name="Berg", phones=["+12125550142"], emails=["goldberg.zoe@example.com"]
    )
    zoe = text_in(world.a, captured, "Is the locket ready?", "SM1").conversation_id
    text_in(world.a, captured, "Thank you!", "SM2")
    client = browser_client(world.a_owner)

    assert shown(client, "goldberg") == {zoe: '<span class="inbox-why">Email matches</span> Thank you!'}
    # A word in a message is marked there; the other, only in her email, is said too.
    assert shown(client, "goldberg locket") == {
        zoe: '<span class="inbox-why">Email matches</span> Is the <mark>locket</mark> ready?'
    }
    # Her name still says the name matches ("berg" is in both: the name comes first).
    assert shown(client, "berg") == {zoe: '<span class="inbox-why">Name matches</span> Thank you!'}
    [item] = api(world.a_associate).get("/api/v1/conversations", {"status": "any", "q": "goldberg"}).json()["items"]
    assert (item["match"]["message"], item["match"]["customer"]) == (None, "email")


def test_a_long_message_is_shown_from_a_little_before_the_word(
    world: Any, django_capture_on_commit_callbacks: Any
) -> None:
    before = "We talked about many pieces today, " * 4
    after = " and it should be ready before the anniversary dinner next month, " * 4
    said = text_in(world.a, django_capture_on_commit_callbacks, f"{before}the hand engraving{after}", "SM1")

    preview = shown(browser_client(world.a_owner), "engraving")[said.conversation_id]

    # From the start of a word about 30 characters before it, to the end of a word 160 characters on.
    assert preview.startswith("…many pieces today, the hand <mark>engraving</mark> and it should be ready")
    assert preview.endswith(" dinner…")
    assert len(re.sub(r"</?mark>", "", preview)) == 1 + 155 + 1
    # A short one too (a phone shows two lines of it); one with the word near its start, from its start.
    short = text_in(world.a, django_capture_on_commit_callbacks, f"{before}the locket", "SM2", "+12125550199")
    assert shown(browser_client(world.a_owner), "locket")[short.conversation_id] == (
        "…about many pieces today, the <mark>locket</mark>"
    )
    near = text_in(world.a, django_capture_on_commit_callbacks, f"The brooch {after}", "SM3", "+12125550188")
    assert shown(browser_client(world.a_owner), "brooch")[near.conversation_id].startswith("The <mark>brooch</mark> ")


def test_a_searched_page_costs_one_statement_more_whatever_its_rows(
    world: Any, django_capture_on_commit_callbacks: Any, django_assert_max_num_queries: Any
) -> None:
    captured = django_capture_on_commit_callbacks
    text_in(world.a, captured, "The locket, please", "SMq0", number="+12125550000")
    client = browser_client(world.a_owner)
    with django_assert_max_num_queries(100) as one:
        client.get("/inbox/", {"q": "locket"})
    for i in range(1, 12):
        text_in(world.a, captured, f"A locket for {i}", f"SMq{i}", number=f"+1212555{i:04d}")
        text_in(world.a, captured, "Thanks!", f"SMr{i}", number=f"+1212555{i:04d}")
    with django_assert_max_num_queries(len(one.captured_queries)):
        page = client.get("/inbox/", {"q": "locket"}).content.decode()
    assert page.count("<mark>locket</mark>") == 12
    with django_assert_max_num_queries(len(one.captured_queries) - 1):
        client.get("/inbox/")


def test_a_word_is_found_in_its_other_english_forms(world: Any, django_capture_on_commit_callbacks: Any) -> None:
    captured = django_capture_on_commit_callbacks
    engraving = text_in(world.a, captured, "Is the engraving done?", "SM1").conversation_id
    necklace = text_in(world.a, captured, "The pearl necklace, please", "SM2", number="+12125550111").conversation_id
    resize = text_in(world.a, captured, "Can you resize my ring?", "SM3", number="+12125550122").conversation_id
    rubies = text_in(world.a, captured, "Two rubies and a stone", "SM4", number="+12125550133").conversation_id
    boston = text_in(world.a, captured, "Shipping to Boston", "SM5", number="+12125550144").conversation_id
    text_in(world.b, captured, "Is the engraving done?", "SM6")
    client = browser_client(world.a_owner)

    assert found(client, "engrave") == [engraving]
    assert found(client, "Engraved") == [engraving]
    assert found(client, "necklaces") == [necklace]
    assert found(client, "resized") == [resize]
    assert found(client, "resizing rings") == [resize]
    assert found(client, "ruby") == [rubies]
    assert found(client, "shipped") == [boston]
    # As typed, as before: "earring" holds no "rings"; a word without an ending is itself only.
    assert found(client, "rings") == [resize]
    assert found(client, "gold") == []
    # A stem keeps 5 letters when an -e goes: "stones" finds the stone, not "Boston" ("ston").
    assert found(client, "stones") == [rubies]
    # Every word must still be found: one of them in another form is not enough alone.
    assert found(client, "engraved necklace") == []
    # Another store's conversation, with the very same words, is not found.
    assert engraving not in found(browser_client(world.b_owner), "engrave")


def test_a_customers_name_is_not_read_as_an_english_word(world: Any, django_capture_on_commit_callbacks: Any) -> None:
    captured = django_capture_on_commit_callbacks
    hugh = written_by(world.a, captured, "Hugh Grant", "+12125550142", "Hello", "SM1")
    hughes = written_by(world.a, captured, "Maria Hughes", "+12125550199", "Hello", "SM2")
    client = browser_client(world.a_owner)

    assert found(client, "hughes") == [hughes]
    assert sorted(found(client, "hugh")) == sorted([hugh, hughes])


def test_a_word_found_in_another_form_is_marked_whole_and_as_typed_comes_first(
    world: Any, django_capture_on_commit_callbacks: Any
) -> None:
    captured = django_capture_on_commit_callbacks
    number = "+12125550142"
    jurgen = written_by(world.a, captured, "Jürgen Vogel", number, "Please engrave our date in the ring", "SM1")
    text_in(world.a, captured, "The engraving should say J & A", "SM2", number=number)
    text_in(world.a, captured, "Thank you, I will bring it tomorrow morning.", "SM3", number=number)
    client = browser_client(world.a_owner)

    # The word as typed is held by an older message: that one is still shown, as before.
    assert shown(client, "engrave") == {jurgen: "Please <mark>engrave</mark> our date in the ring"}
    # Only another form held: the whole word is marked, in the newest message holding it.
    assert shown(client, "engraved") == {jurgen: "The <mark>engraving</mark> should say J &amp; A"}
    # The message holding the most of the words wins, whatever their forms.
    assert shown(client, "engraving rings") == {jurgen: "Please <mark>engrave</mark> our date in the <mark>ring</mark>"}
    # The API gives the same offsets to mark.
    items = api(world.a_associate).get("/api/v1/conversations", {"status": "any", "q": "engraved"}).json()["items"]
    assert (items[0]["match"]["excerpt"], items[0]["match"]["marks"]) == ("The engraving should say J & A", [[4, 13]])
