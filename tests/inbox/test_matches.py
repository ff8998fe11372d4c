"""Marking the words searched in a message as written, when the search compared folded text."""

from __future__ import annotations

import pytest

from trunkshow.inbox.matches import Match, excerpt, marks_in


def marked(text: str, *words: str) -> str:
    body, spans = excerpt(text, marks_in(text, words))
    return str(Match(1, "in", body, spans, "").html())


@pytest.mark.parametrize(
    ("text", "words", "expected"),
    [
        # One letter folded to two: found in the middle of "ss", the whole "ß" is marked.
        ("Die Straße", ("strasse",), "Die <mark>Straße</mark>"),
        ("Die Straße", ("sse",), "Die Stra<mark>ße</mark>"),
        ("Die Straße", ("ass",), "Die Str<mark>aß</mark>e"),
        # Written decomposed (u + combining diaeresis): the accent stays with its letter, inside the mark.
        ("fu\u0308r Zoe\u0308", ("zoe",), "fu\u0308r <mark>Zoe\u0308</mark>"),
        ("Herr Mu\u0308ller", ("mul",), "Herr <mark>Mu\u0308l</mark>ler"),
        ("Herr Mu\u0308ller", ("muller",), "Herr <mark>Mu\u0308ller</mark>"),
        # A ligature folds to two letters; "ø" and "æ" by the store's own table.
        ("Der ﬁligrane Ring", ("fili",), "Der <mark>ﬁli</mark>grane Ring"),
        ("Søren's Æble", ("soren", "aeble"), "<mark>Søren</mark>&#x27;s <mark>Æble</mark>"),
        # Overlapping and repeated words are one mark each place.
        ("old gold, OLD", ("old", "gold"), "<mark>old</mark> <mark>gold</mark>, <mark>OLD</mark>"),
        # A word of one or two letters only where it is a word of its own.
        ("a ring and a bangle", ("a", "ring"), "<mark>a</mark> <mark>ring</mark> and <mark>a</mark> bangle"),
        # Markup in a message is text: escaped around the marks, never marked after escaping.
        ("<b>gold</b> & lt", ("lt",), "&lt;b&gt;gold&lt;/b&gt; &amp; <mark>lt</mark>"),
        ("x&y <i>", ("y <i",), "x&amp;<mark>y &lt;i</mark>&gt;"),
        # Held only in another form (``word_forms``): from the stem to the end of the word where it is held.
        ("Is the engraving done?", ("engrave",), "Is the <mark>engraving</mark> done?"),
        ("Two rubies and a ruby", ("ruby",), "Two <mark>rubies</mark> and a <mark>ruby</mark>"),
        ("Die Straßen", ("strasse",), "Die <mark>Straßen</mark>"),
        ("The NECKLACE!", ("necklaces",), "The <mark>NECKLACE</mark>!"),
        # Held as typed: marked as typed, as before (a word inside another stays a part of it).
        ("Pearl earrings", ("rings",), "Pearl ear<mark>rings</mark>"),
        ("Please engrave it", ("engrave",), "Please <mark>engrave</mark> it"),
        # Line breaks and runs of spaces read as one space in a row.
        ("Hello\n\n  the locket", ("locket",), "Hello the <mark>locket</mark>"),
    ],
)
def test_the_words_are_marked_where_they_are_written(text: str, words: tuple[str, ...], expected: str) -> None:
    assert marked(text, *words) == expected


def test_an_emoji_or_a_word_absent_marks_nothing_and_leaves_the_text_whole() -> None:
    assert marked("Thank you 💍!", "zeppelin") == "Thank you 💍!"
    assert marks_in("Thank you 💍!", ["💍"]) == [(10, 11)]
