"""Interests as a jeweler types them: words and their starts, simple plurals, the store's vocabulary.

One place for what "this interest is that one" means: the customer list's filter (so the API,
segments and exports too) matches a typed term against ``Interest.value_words``, and an import
turns a tag into the interest the store already uses by the same words.

``value_words`` holds the folded value's words (letters and digits; an apostrophe joins), each
made singular and each after a space: "Rose gold" is `` rose gold``, "Men's rings" `` men ring``,
"Lab-grown diamonds" `` lab grown diamond``. A typed term is reduced the same way, so `` gold``
found anywhere in it is a word starting with "gold", ``pearls`` and ``pearl`` are one, and
accents and case never count.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from django.db.models import Count, Exists, OuterRef, Q

from trunkshow.core.validation import fold
from trunkshow.customers.models import Interest, InterestKind
from trunkshow.stores.models import Store

# Removed before splitting, so "men's" is one word and "mens" finds it.
_APOSTROPHES = str.maketrans("", "", "'’ʼ‘`´")
_WORD = re.compile(r"[^\W_]+")  # letters and digits of any script
# Plurals that add -es after these endings: brooches, watches, boxes, glasses, brushes.
_ES_AFTER = ("ches", "shes", "sses", "xes")


def singular(word: str) -> str:
    """An English plural's singular, by the simple rules (pearls, rubies, brooches, boxes); anything
    else as it is. Applied to stored and typed words alike, so a rule's miss ("series" → "sery")
    still finds itself; words under four letters, and those ending -ss, -us or -is, are left."""
    if len(word) < 4 or not word.isalpha() or not word.endswith("s"):
        return word
    if word.endswith("ies") and len(word) > 4:
        return word[:-3] + "y"
    if word.endswith(_ES_AFTER):
        return word[:-2]
    if word.endswith(("ss", "us", "is")):
        return word
    return word[:-1]


def interest_words(text: str) -> str:
    """The words of an interest's value, or of a typed term, as ``Interest.value_words`` holds them."""
    return "".join(" " + singular(word) for word in _WORD.findall(fold(text).translate(_APOSTROPHES)))


def interest_key(text: str) -> str:
    """What tells two interests apart: their words, or for a value without a letter or digit
    ("💎") its folded self, which never starts with a space as words do."""
    return interest_words(text) or fold(text)


def stored_key(value_words: str, value_key: str) -> str:
    """``interest_key`` of a stored interest, from its columns."""
    return value_words or value_key


def interest_condition(wanted: Sequence[tuple[str | None, str]]) -> Q:
    """Customers with an interest matching any of ``wanted`` ((kind or None, ``interest_key`` of
    the term)), as one ``EXISTS``: the term's words appear in the value's, the first at the start
    of a word and the last maybe cut short (`` sapph`` in `` sapphire``, `` gold`` in `` rose
    gold``); a term without words ("💎") is the value itself."""
    matches = Q()
    for kind, key in wanted:
        match = Q(value_words__contains=key) if key.startswith(" ") else Q(value_key=key)
        matches |= Q(kind=kind) & match if kind else match
    # Through the base manager: the customer is the store's already, and naming the store again
    # led SQLite without statistics (a new store's database, before ADR 0016's first ANALYZE) to
    # read every interest of the store for each customer instead of probing theirs: 4 s to count 4,500.
    return Q(Exists(Interest._base_manager.filter(matches, customer=OuterRef("pk"))))


def interest_vocabulary(*, store: Store) -> dict[str, tuple[str, str]]:
    """The interests the store uses, by their words: {" pearl": ("stone", "Pearl")}, in one query.

    Where the same words are used with several kinds, a kind other than "free" wins (a tag should
    join the stones and metals the store filters on), then the kind more customers have; the value
    is spelled as most customers' is. Ties go to the first kind of ``InterestKind`` and the first
    spelling in alphabetical order, so the answer never depends on the rows' order.
    """
    order = {kind: i for i, kind in enumerate(InterestKind.values)}
    counted: dict[str, dict[str, int]] = {}  # words -> kind -> customers
    spelled: dict[tuple[str, str], tuple[int, str]] = {}  # (words, kind) -> (-customers, value)
    rows = (
        Interest.objects.filter(store=store)
        .values_list("value_words", "kind", "value")
        .annotate(customers=Count("*"))
        .order_by()
    )
    for words, kind, value, customers in rows:
        if not words:
            continue
        kinds = counted.setdefault(words, {})
        kinds[kind] = kinds.get(kind, 0) + customers
        best = spelled.get((words, kind))
        if best is None or (-customers, value) < best:
            spelled[(words, kind)] = (-customers, value)
    vocabulary: dict[str, tuple[str, str]] = {}
    for words, kinds in counted.items():
        kind = min(kinds, key=lambda k: (k == InterestKind.FREE, -kinds[k], order.get(k, len(order))))
        vocabulary[words] = (kind, spelled[(words, kind)][1])
    return vocabulary
