"""Why a searched conversation is listed: its newest message holding the words typed, with them marked.

The search compares folded text (``Message.search_text`` is ``fold(body)``), so the words are found
in the folded body and their places mapped back to the body as written: ``muller`` marks "Müller",
``strasse`` marks "Straße" (one letter folded to two). A message body is untrusted text: it is
escaped piece by piece around the marks, never marked after escaping (so never inside markup).
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from django.db import connection
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

from trunkshow.core.validation import fold
from trunkshow.inbox.stems import stemmed, word_forms

# The excerpt: from a word's start up to LEAD characters before the first word marked, LENGTH in all.
LEAD = 30
LENGTH = 160


@dataclass(frozen=True)
class Match:
    """A searched row's reason: the message shown (None when no message holds a word: the customer
    matched), the excerpt with the spans to mark, and ``customer`` ("name", "email", "phone" or "") when
    the customer's name, email or phone holds words the message does not."""

    message_id: int | None
    direction: str
    text: str
    marks: tuple[tuple[int, int], ...]
    customer: str

    def html(self) -> SafeString:
        """The excerpt as HTML: the text escaped, the words in ``<mark>``."""
        out, at = [], 0
        for start, end in self.marks:
            out += [escape(self.text[at:start]), "<mark>", escape(self.text[start:end]), "</mark>"]
            at = end
        out.append(escape(self.text[at:]))
        return mark_safe("".join(out))  # noqa: S308 - every piece of text above is escaped


def matched_messages(conversation_ids: Sequence[int], words: Sequence[str]) -> dict[int, tuple[int, str, str]]:
    """For each conversation, its message holding the most of ``words`` (folded), each as typed or
    in another form (``word_forms``), then the most of them as typed, the newest among those:
    ``{conversation_id: (message_id, direction, body)}``, in one statement for the page. So a word's
    other forms never put a message before one that held it as typed and was chosen before."""
    words = [w for w in dict.fromkeys(words) if w]
    if not conversation_ids or not words:
        return {}

    def holds(forms: Sequence[str]) -> tuple[str, list[str]]:
        like = " OR ".join(["m.search_text LIKE %s ESCAPE '\\'"] * len(forms))
        return f"({like})", [f"%{connection.ops.prep_for_like_query(form)}%" for form in forms]

    in_any_form = [holds(word_forms(w)) for w in words]
    as_typed = [holds([w]) for w in words if stemmed(w)]

    def count(held: list[tuple[str, list[str]]]) -> str:
        return " + ".join(f"(CASE WHEN {sql} THEN 1 ELSE 0 END)" for sql, _ in held) + " DESC"

    order = [count(in_any_form), *([count(as_typed)] if as_typed else [])]
    # Ids read from the list's own statement (this store's), written in as integers.
    ids = ", ".join(str(int(pk)) for pk in conversation_ids)
    sql = f"""
SELECT conversation_id, id, direction, body FROM (
  SELECT m.conversation_id, m.id, m.direction, m.body,
         ROW_NUMBER() OVER (PARTITION BY m.conversation_id
                            ORDER BY {", ".join(order)}, m.created_at DESC, m.id DESC) AS n
    FROM messaging_message m
   WHERE m.conversation_id IN ({ids}) AND ({" OR ".join(sql for sql, _ in in_any_form)})
) ranked
 WHERE n = 1
"""  # noqa: S608 - placeholders and integers only
    params = [p for held in (in_any_form, as_typed, in_any_form) for _, values in held for p in values]
    with connection.cursor() as cur:
        cur.execute(sql, params)
        return {row[0]: (row[1], row[2], row[3]) for row in cur.fetchall()}


def words_held(text: str, words: Iterable[str]) -> list[str]:
    """Those of ``words`` (folded) that ``text`` holds, as typed or in another form."""
    folded = fold(text)
    return [word for word in words if any(form in folded for form in word_forms(word))]


def marks_in(text: str, words: Iterable[str]) -> list[tuple[int, int]]:
    """Where ``text`` holds each of ``words`` (folded), as spans of ``text`` as written, sorted and
    merged. A word held as typed is marked as typed (``old`` in "gold"); one held in another form
    (``word_forms``: ``engrave`` in "engraving") is marked from its stem to the end of the word there
    ("engraving", all of it). A word of one or two letters is marked only where it is a word of its
    own (not every "a"). Folding may change a character's length ("ß" is "ss", "ﬁ" "fi", a combining
    accent nothing): a match is widened to the whole characters it touches, and takes the accents
    after them."""
    folded, owner = _folded_with_owners(text)
    if folded is None:  # folding here disagrees with folding the whole: mark nothing rather than wrongly
        return []
    patterns = []
    for word in words:
        if not word:
            continue
        pattern = re.escape(word)
        if len(word) < 3:
            pattern = rf"(?<!\w){pattern}(?!\w)"
        patterns.append(pattern)
        patterns += [rf"{re.escape(form)}[^\W\d_]*" for form in word_forms(word) if form != word]
    spans = []
    for pattern in patterns:
        for found in re.finditer(pattern, folded):
            start, end = owner[found.start()], owner[found.end() - 1] + 1
            while end < len(text) and unicodedata.combining(text[end]):
                end += 1
            spans.append((start, end))
    merged: list[tuple[int, int]] = []
    for start, end in sorted(spans):
        if merged and start <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(end, merged[-1][1]))
        else:
            merged.append((start, end))
    return merged


def _folded_with_owners(text: str) -> tuple[str | None, list[int]]:
    """``fold(text)``, and for each of its characters the index of the character of ``text`` it came
    from; None when folding character by character does not give ``fold(text)``."""
    if text.isascii():
        return text.lower(), list(range(len(text)))
    pieces = [fold(ch) for ch in text]
    folded = "".join(pieces)
    if folded != fold(text):
        return None, []
    return folded, [i for i, piece in enumerate(pieces) for _ in piece]


def excerpt(body: str, marks: Sequence[tuple[int, int]]) -> tuple[str, tuple[tuple[int, int], ...]]:
    """Up to ``LENGTH`` characters of ``body`` from a little before its first mark (at a word's start),
    with "…" where it is cut, white space run together; the marks moved to the excerpt."""
    first = marks[0][0] if marks else 0
    start = 0
    # Near the word even when the message is short: a phone shows two lines of it (about 70 characters).
    lead_in = first - LEAD
    if lead_in > 0:
        space = body.find(" ", lead_in, first)
        start = space + 1 if space != -1 else lead_in
        while start < first and unicodedata.combining(body[start]):
            start += 1
    end = min(len(body), max(start + LENGTH, marks[0][1] if marks else 0))
    if end < len(body):  # cut at the end of a word, after the first mark
        space = body.rfind(" ", marks[0][1] if marks else start, end)
        end = space if space > start else end
        while end < len(body) and unicodedata.combining(body[end]):
            end += 1
    # Pieces between and inside the marks, each with its white space run together.
    pieces: list[tuple[str, bool]] = [("…", False)] if start > 0 else []
    at = start
    for m_start, m_end in marks:
        m_start, m_end = max(m_start, start), min(m_end, end)
        if m_start >= m_end:
            continue
        pieces += [(body[at:m_start], False), (body[m_start:m_end], True)]
        at = m_end
    pieces.append((body[at:end], False))
    if end < len(body):
        pieces.append(("…", False))
    text, spans = "", []
    for piece, marked in pieces:
        piece = re.sub(r"\s+", " ", piece)
        if marked:
            spans.append((len(text), len(text) + len(piece)))
        text += piece
    return text, tuple(spans)
