"""English word endings forgiven by the inbox search: what a message must hold for a word typed to
be found in another of its forms (``engrave`` in "engraving", ``necklaces`` in "necklace").

The search finds a word as a substring of the folded messages, through a trigram index (ADR 0010).
So a word's forms are substrings too: its stem, the word without its ending, which every form of
it starts with (``engrav`` is in engrave, engraves, engraved and engraving), and for a word ending
in a consonant and ``y`` the stem its -ies and -ied forms start with (``rubi`` beside ``ruby``).
One ending is taken off, by these rules, in this order (on folded words of ASCII letters only):

- ``-ies``, ``-ied`` → the word with ``i`` and with ``y`` (rubies → rubi, ruby; married → marri, marry);
- ``-ches``, ``-shes``, ``-sses``, ``-xes``, ``-zes`` → without ``-es`` (brooches → brooch, glasses → glass);
- ``-s`` (not ``-ss``, ``-us``, ``-is``) → without it (rings → ring, earrings → earring), then as
  the singular reads (necklaces → necklace → necklac; engravings → engraving → engrav);
- ``-ing`` → without it, a doubled last consonant made single (engraving → engrav, polishing →
  polish, shipping → shipp);
- ``-ed`` (not ``-eed``) → without it (engraved → engrav, resized → resiz), else without the ``d``
  (sized → size);
- ``-e`` (not ``-ee``) → without it (engrave → engrav, resize → resiz, necklace → necklac);
- a consonant and ``-y`` → the word and the word with ``i`` (ruby → ruby, rubi).

A stem keeps at least 4 letters (``rings`` → ring, ``gold`` stays gold, ``boxes`` never finds "box"), and
at least 5 when what is taken off is an ``-e`` or an ``-ing``: a 4-letter remainder there is more
often another word than a stem, and would be found inside others (``stone`` → "ston" in Boston,
``evening`` → "even", ``earring`` → "earr", ``wedding``, ``setting``), so those stay as typed.
Only inflections (plural, -ed, -ing): no derivations (-er, -ly, -ness), which change the meaning
more than a person searching a word expects.

Each rule gives a prefix of the word (or the word itself), so a word's forms find every message the
word as typed finds: the search only finds more.
"""

from __future__ import annotations

# Taking these off must leave a stem of at least STEM letters, or LONG_STEM for an -e or an -ing.
STEM = 4
LONG_STEM = 5
_VOWELS = frozenset("aeiou")
_DOUBLED = frozenset("bdfgmnprt")  # doubled before -ing and -ed: shipping, stunned, fitted
_ES_AFTER = ("ches", "shes", "sses", "xes", "zes")


def word_forms(word: str) -> tuple[str, ...]:
    """What a message must hold (any one of them, as a substring) for ``word`` (folded) to be found
    in one of its forms: ``engrave`` → ("engrav",), ``rubies`` → ("rubi", "ruby"), ``gold`` →
    ("gold",). Each is at least 4 letters; a word without an ending is its own only form."""
    if len(word) < STEM or not (word.isascii() and word.isalpha()):
        return (word,)
    if word.endswith(("ies", "ied")) and len(word) - 2 >= STEM:
        return (word[:-2], word[:-3] + "y")
    if word.endswith(_ES_AFTER) and len(word) - 2 >= STEM:
        return (word[:-2],)
    if word.endswith("s") and not word.endswith(("ss", "us", "is")):
        singular = word[:-1]
        if len(singular) < STEM:
            return (word,)
        return word_forms(singular) if singular.endswith(("ing", "e")) else (singular,)
    if word.endswith("ing"):
        return (_undoubled(word[:-3]),) if len(word) - 3 >= LONG_STEM else (word,)
    if word.endswith("ed") and not word.endswith("eed"):
        if len(word) - 2 >= LONG_STEM:
            return (_undoubled(word[:-2]),)
        return (word[:-1],) if len(word) - 1 >= STEM else (word,)  # sized → size
    if word.endswith("e") and not word.endswith("ee"):
        return (word[:-1],) if len(word) - 1 >= LONG_STEM else (word,)
    if word.endswith("y") and word[-2] not in _VOWELS:
        return (word, word[:-1] + "i")
    return (word,)


def _undoubled(stem: str) -> str:
    """``stem`` with a doubled last consonant made single when that leaves LONG_STEM letters
    (``stunn`` stays: "stun" would be found in "stunt")."""
    if len(stem) > LONG_STEM and stem[-1] == stem[-2] and stem[-1] in _DOUBLED:
        return stem[:-1]
    return stem


def stemmed(word: str) -> bool:
    """Whether ``word`` is looked for in other forms than itself."""
    return word_forms(word) != (word,)
