"""A word typed into the inbox's search is also found in its other English forms: the rule's stems."""

from __future__ import annotations

import pytest

from trunkshow.inbox.stems import stemmed, word_forms


@pytest.mark.parametrize(
    ("word", "forms"),
    [
        # Every form of a verb starts with its stem: the stem finds them all.
        ("engrave", ("engrav",)),
        ("engraves", ("engrav",)),
        ("engraved", ("engrav",)),
        ("engraving", ("engrav",)),
        ("engravings", ("engrav",)),
        ("resized", ("resiz",)),
        ("resizing", ("resiz",)),
        ("polishing", ("polish",)),
        ("shipped", ("shipp",)),
        # Plurals, and the -es that follows ch, sh, ss, x, z.
        ("rings", ("ring",)),
        ("earrings", ("earring",)),
        ("necklaces", ("necklac",)),
        ("necklace", ("necklac",)),
        ("brooches", ("brooch",)),
        ("glasses", ("glass",)),
        ("topazes", ("topaz",)),
        ("sizes", ("size",)),
        ("sized", ("size",)),
        # -ies and a consonant's -y: both spellings.
        ("rubies", ("rubi", "ruby")),
        ("ruby", ("ruby", "rubi")),
        ("married", ("marri", "marry")),
    ],
)
def test_a_word_is_looked_for_by_the_stem_its_forms_start_with(word: str, forms: tuple[str, ...]) -> None:
    assert word_forms(word) == forms
    # A stem is a start of the word typed (or the word itself): the word's forms find all it found.
    assert any(word.startswith(form) for form in forms)


@pytest.mark.parametrize(
    "word",
    [
        # Nothing to take off, or not in English letters.
        "gold",
        "ring",
        "saturday",
        "glass",
        "status",
        "ts-004211",
        "müller",
        "9175550123",
        # Under 4 letters once taken off: these stay whole ("box" is not looked for).
        "gems",
        "used",
        "size",
        "rose",
        # An -e or an -ing must leave 5 letters: "ston" is in Boston, "even" in "event", "earr" and
        # "wedd" are no stems a person means.
        "stone",
        "evening",
        "earring",
        "wedding",
        "setting",
        "morning",
        # Short words, as the trigram index cannot find them anyway.
        "a",
        "ok",
        "the",
    ],
)
def test_a_word_without_an_ending_to_forgive_is_looked_for_as_typed(word: str) -> None:
    assert word_forms(word) == (word,)
    assert not stemmed(word)


def test_a_stem_never_has_fewer_than_four_letters() -> None:
    words = ["boxes", "does", "ties", "cries", "shed", "added", "fitted", "stunning", "goes", "news", "rubies", "very"]
    assert all(len(form) >= 4 for word in words for form in word_forms(word))
