"""The search box: one query finds customers by name, phone, email or partner, best match first.

How (docs/adr/0003-search.md): the query is read as an email (it has an ``@``), a phone (only
digits and phone punctuation, at least three digits) or names. Each engine then fetches a bounded
set of candidates through its own index (SQLite: FTS5 trigram over search_text; PostgreSQL:
pg_trgm GIN with the store in front; emails and exact phones through their btrees), and each
candidate gets a rank, lower first:

    0 exact (the full name in either order, the phone, the email), 1 prefix of a word,
    2 substring, 3 + n a typo (n = the edits needed, at most 1 or 2 per word by length).

Typos are looked for only when fewer than a page of candidates matched as typed: SQLite corrects
each query word against the store's dictionary of name words (``customers_nameword``, kept by
triggers) with rapidfuzz; PostgreSQL asks ``<%`` (word similarity) on the ``search_names`` column.
A candidate from either is kept only if each word is within the allowed edits of one of its words.

``apply`` narrows a queryset to the ranked candidates and orders it by (search_rank, sort_name,
id), so callers page by keyset over those three and combine any other filter.
"""

from __future__ import annotations

import contextlib
import re
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import ValidationError
from django.db import connection
from django.db.models import Case, IntegerField, QuerySet, Value, When
from rapidfuzz import process
from rapidfuzz.distance import Levenshtein

from trunkshow.core.validation import search_text
from trunkshow.customers import validation as v

# How many candidates one query reads at most: the ranked set that pages are cut from.
CANDIDATES = 300
# A query of one or two letters looks for word starts among at most this many rows of the store.
SHORT_SCAN = 2_000
# Typos are looked for when fewer candidates than this matched as typed (one page).
TYPO_WHEN_FEWER_THAN = 25
EXACT, PREFIX, SUBSTRING, TYPO = 0, 1, 2, 3

_PHONE_LIKE = re.compile(r"^[\d\s().+\-/]+$")
_HAS_DIGIT = re.compile(r"\d")


@dataclass(frozen=True)
class Query:
    kind: str  # "name", "phone", "email" or "" (nothing to look for)
    text: str  # folded
    words: tuple[str, ...] = ()
    digits: tuple[str, ...] = ()  # phone: the digit strings to look for, most specific first
    e164: tuple[str, ...] = ()  # phone: full numbers it parses to


def parse(q: str, *, region: str) -> Query:
    """What the box holds, folded and classified."""
    text = v.fold(search_text(q)).strip()
    if not text:
        return Query("", "")
    if "@" in text and " " not in text:
        return Query("email", text, words=(text,))
    if _PHONE_LIKE.match(text) and sum(ch.isdigit() for ch in text) >= 3:
        raw = v.phone_digits(text)
        forms: list[str] = []
        e164: list[str] = []
        international = None
        for prefix in ("00", "011"):  # international call prefixes, the "+" of a typed number
            if raw.startswith(prefix) and len(raw) > len(prefix) + 6:
                international = raw[len(prefix) :]
        if international:
            forms.append(international)
        with contextlib.suppress(ValidationError):  # a partial number is looked for as digits
            parsed = v.parse_phone(("+" + international) if international else text, region=region)
            e164.append(parsed)
            forms.append(v.phone_digits(parsed))
        forms.append(raw)
        return Query("phone", text, digits=tuple(dict.fromkeys(forms)), e164=tuple(dict.fromkeys(e164)))
    return Query("name", text, words=tuple(text.split()))


def max_edits(word: str) -> int:
    """Typos forgiven in a word: none below 4 letters, one up to 7, two from 8."""
    if len(word) < 4:
        return 0
    return 1 if len(word) < 8 else 2


@dataclass(frozen=True, order=True)
class Hit:
    rank: int
    sort_name: str
    id: int


@dataclass
class _Candidates:
    rows: dict[int, tuple[str, str]] = field(default_factory=dict)  # id -> (sort_name, search_text)

    def add(self, rows: list[tuple[Any, ...]]) -> None:
        for pk, sort_name, text in rows:
            self.rows.setdefault(pk, (sort_name, text))


def _name_words(text: str) -> list[str]:
    return [w for w in text.split() if "@" not in w and not _HAS_DIGIT.search(w)]


def rank_of(query: Query, sort_name: str, text: str) -> int | None:
    """Where a candidate ranks for this query; None when it does not match after all."""
    if query.kind == "email":
        emails = [w for w in text.split() if "@" in w]
        if query.text in emails:
            return EXACT
        if any(e.startswith(query.text) for e in emails):
            return PREFIX
        return SUBSTRING if query.text in text else None
    if query.kind == "phone":
        numbers = [w for w in text.split() if w.isdigit()]
        if any(n in query.digits for n in numbers):
            return EXACT
        if any(n.startswith(d) or n.endswith(d) for n in numbers for d in query.digits):
            return PREFIX
        return SUBSTRING if any(d in n for n in numbers for d in query.digits) else None
    words = query.words
    names = sort_name.split()
    if len(words) == len(names) and any(list(words[i:] + words[:i]) == names for i in range(len(words))):
        return EXACT
    own = _name_words(text)
    if all(any(n.startswith(w) for n in own) for w in words):
        return PREFIX
    if all(w in text for w in words):
        return SUBSTRING
    edits = 0
    for w in words:
        if w in text:
            continue
        allowed = max_edits(w)
        best = min((Levenshtein.distance(w, n, score_cutoff=allowed) for n in own), default=allowed + 1)
        if best > allowed:
            return None
        edits += best
    return TYPO + edits


def ranked(*, store: Any, q: str) -> list[Hit]:
    """The ranked candidates for ``q`` in this store (at most CANDIDATES), best first."""
    query = parse(q, region=store.phone_region)
    if not query.kind:
        return []
    backend = _Postgres() if connection.vendor == "postgresql" else _Sqlite()
    found = _Candidates()
    if query.kind == "email":
        found.add(backend.emails(store.pk, query.text))
        if not found.rows:
            found.add(backend.text(store.pk, [query.text]))
    elif query.kind == "phone":
        found.add(backend.phones(store.pk, query))
    else:
        long_words = [w for w in query.words if len(w) >= 3]
        short_words = [w for w in query.words if len(w) < 3]
        if long_words:
            found.add(backend.text(store.pk, long_words, short_words))
        else:
            found.add(backend.sort_prefix(store.pk, short_words))
    hits = []
    for pk, (sort_name, text) in found.rows.items():
        rank = rank_of(query, sort_name, text)
        if rank is not None:
            hits.append(Hit(rank, sort_name, pk))
    if query.kind == "name" and len(hits) < TYPO_WHEN_FEWER_THAN and any(max_edits(w) for w in query.words):
        seen = {h.id for h in hits}
        for pk, sort_name, text in backend.typos(store.pk, query):
            if pk in seen:
                continue
            rank = rank_of(query, sort_name, text)
            if rank is not None:
                seen.add(pk)
                hits.append(Hit(rank, sort_name, pk))
    hits.sort()
    return hits[:CANDIDATES]


def apply(qs: QuerySet[Any], *, store: Any, q: str) -> QuerySet[Any]:
    """``qs`` narrowed to the matches of ``q``, annotated ``search_rank`` and ordered best first."""
    hits = ranked(store=store, q=q)
    by_rank: dict[int, list[int]] = {}
    for hit in hits:
        by_rank.setdefault(hit.rank, []).append(hit.id)
    if not hits:
        return qs.none().annotate(search_rank=Value(0, output_field=IntegerField()))
    if len(by_rank) == 1:
        rank_expr: Any = Value(hits[0].rank, output_field=IntegerField())
    else:
        rank_expr = Case(
            *(When(pk__in=ids, then=Value(rank)) for rank, ids in by_rank.items()),
            output_field=IntegerField(),
        )
    return (
        qs.filter(pk__in=[h.id for h in hits])
        .annotate(search_rank=rank_expr)
        .order_by("search_rank", "sort_name", "id")
    )


# ---------------------------------------------------------------- engines


def _fetch(sql: str, params: list[Any]) -> list[tuple[Any, ...]]:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return list(cursor.fetchall())


def _like_escape(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


_COLUMNS = "c.id, c.sort_name, c.search_text"
# The end of a prefix range: after every string that starts with the prefix.
_HIGH = "\U0010ffff"


class _Engine:
    def emails(self, store_id: int, text: str) -> list[tuple[Any, ...]]:
        """Emails starting with the text (the exact one among them), through the email btree."""
        return _fetch(
            f"SELECT DISTINCT {_COLUMNS} FROM customers_customeremail e "
            "JOIN customers_customer c ON c.id = e.customer_id "
            "WHERE e.store_id = %s AND e.address >= %s AND e.address < %s AND c.erased_at IS NULL "
            f"LIMIT {CANDIDATES}",
            [store_id, text, text + _HIGH],
        )

    def sort_prefix(self, store_id: int, words: list[str]) -> list[tuple[Any, ...]]:
        """Queries shorter than a trigram: the sort name (last name first) starts with them, through
        its btree; then the start of any word, looked for among a bounded stretch of the book."""
        prefix = " ".join(words)
        rows = _fetch(
            f"SELECT {_COLUMNS} FROM customers_customer c "
            "WHERE c.store_id = %s AND c.sort_name >= %s AND c.sort_name < %s AND c.erased_at IS NULL "
            f"ORDER BY c.sort_name, c.id LIMIT {CANDIDATES}",
            [store_id, prefix, prefix + _HIGH],
        )
        if len(rows) >= CANDIDATES:
            return rows
        extra, params = self._short_filter(words)
        return rows + _fetch(
            f"SELECT {_COLUMNS} FROM (SELECT c.id, c.sort_name, c.search_text FROM customers_customer c "
            f"WHERE c.store_id = %s AND c.erased_at IS NULL ORDER BY c.sort_name, c.id LIMIT {SHORT_SCAN}) c "
            f"WHERE true{extra} LIMIT {CANDIDATES}",
            [store_id, *params],
        )

    def exact_phones(self, store_id: int, e164: tuple[str, ...]) -> list[tuple[Any, ...]]:
        if not e164:
            return []
        marks = ", ".join(["%s"] * len(e164))
        return _fetch(
            f"SELECT {_COLUMNS} FROM customers_customerphone p JOIN customers_customer c ON c.id = p.customer_id "
            f"WHERE p.store_id = %s AND p.e164 IN ({marks}) AND c.erased_at IS NULL LIMIT {CANDIDATES}",
            [store_id, *e164],
        )

    def phones(self, store_id: int, query: Query) -> list[tuple[Any, ...]]:
        rows = self.exact_phones(store_id, query.e164)
        return rows + self.text(store_id, [], alternatives=[list(query.digits)])

    def text(
        self,
        store_id: int,
        words: list[str],
        short: list[str] | None = None,
        *,
        alternatives: list[list[str]] | None = None,
    ) -> list[tuple[Any, ...]]:
        raise NotImplementedError

    def typos(self, store_id: int, query: Query) -> list[tuple[Any, ...]]:
        raise NotImplementedError

    @staticmethod
    def _short_filter(short: list[str] | None) -> tuple[str, list[Any]]:
        """Words of one or two letters: the start of some word of search_text."""
        sql = ""
        params: list[Any] = []
        for word in short or []:
            sql += " AND (' ' || c.search_text) LIKE %s ESCAPE '\\'"
            params.append(f"% {_like_escape(word)}%")
        return sql, params


# store id -> (stamp, words): the dictionaries of the stores searched lately, in this process.
_DICTIONARIES: dict[int, tuple[Any, list[str]]] = {}


class _Sqlite(_Engine):
    @staticmethod
    def _phrase(word: str) -> str:
        return '"' + word.replace('"', '""') + '"'

    def text(
        self,
        store_id: int,
        words: list[str],
        short: list[str] | None = None,
        *,
        alternatives: list[list[str]] | None = None,
    ) -> list[tuple[Any, ...]]:
        """Every word (or one of each group of alternatives) a substring of search_text, by FTS5 trigram.

        The FTS table drives the join (CROSS JOIN): with the store filter first, SQLite would
        probe the FTS index once per customer of the store.
        """
        groups = [[w] for w in words] + [[a for a in alts if len(a) >= 3] for alts in alternatives or []]
        groups = [g for g in groups if g]
        if not groups:
            return []
        match = " AND ".join("(" + " OR ".join(self._phrase(w) for w in group) + ")" for group in groups)
        extra, params = self._short_filter(short)
        return _fetch(
            f"SELECT {_COLUMNS} FROM customer_search_fts f CROSS JOIN customers_customer c ON c.id = f.rowid "
            f"WHERE customer_search_fts MATCH %s AND c.store_id = %s AND c.erased_at IS NULL{extra} "
            f"LIMIT {CANDIDATES}",
            [match, store_id, *params],
        )

    @staticmethod
    def dictionary(store_id: int) -> list[str]:
        """The store's name words, from a copy kept while the stamp the triggers change is the same."""
        stamp = _fetch("SELECT n FROM customers_nameword WHERE store_id = %s AND word = ''", [store_id])
        key = stamp[0][0] if stamp else None
        cached = _DICTIONARIES.get(store_id)
        if cached is not None and cached[0] == key and key is not None:
            return cached[1]
        words = [
            w for (w,) in _fetch("SELECT word FROM customers_nameword WHERE store_id = %s AND word <> ''", [store_id])
        ]
        if len(_DICTIONARIES) >= 64:
            _DICTIONARIES.pop(next(iter(_DICTIONARIES)))
        _DICTIONARIES[store_id] = (key, words)
        return words

    def typos(self, store_id: int, query: Query) -> list[tuple[Any, ...]]:
        """Each word, or its corrections from the store's dictionary of name words."""
        dictionary = self.dictionary(store_id)
        groups = []
        corrected = False
        for word in query.words:
            options = [word]
            allowed = max_edits(word)
            if allowed:
                for candidate, _distance, _i in process.extract(
                    word, dictionary, scorer=Levenshtein.distance, score_cutoff=allowed, limit=20
                ):
                    if candidate != word:
                        options.append(candidate)
                        corrected = True
            groups.append(options)
        if not corrected:
            return []
        return self.text(store_id, [], alternatives=groups)


class _Postgres(_Engine):
    def text(
        self,
        store_id: int,
        words: list[str],
        short: list[str] | None = None,
        *,
        alternatives: list[list[str]] | None = None,
    ) -> list[tuple[Any, ...]]:
        """Every word (or one of each group of alternatives) a substring, by the trigram GIN index."""
        groups = [[w] for w in words] + [list(alts) for alts in alternatives or []]
        conditions: list[str] = []
        params: list[Any] = []
        for group in groups:
            conditions.append("(" + " OR ".join(["c.search_text LIKE %s"] * len(group)) + ")")
            params.extend(f"%{_like_escape(w)}%" for w in group)
        if not conditions:
            return []
        extra, short_params = self._short_filter(short)
        return _fetch(
            f"SELECT {_COLUMNS} FROM customers_customer c WHERE c.store_id = %s AND c.erased_at IS NULL "
            f"AND {' AND '.join(conditions)}{extra} LIMIT {CANDIDATES}",
            [store_id, *params, *short_params],
        )

    def typos(self, store_id: int, query: Query) -> list[tuple[Any, ...]]:
        """Names similar to the query (pg_trgm word similarity), most similar first."""
        with connection.cursor() as cursor:
            cursor.execute("SET pg_trgm.word_similarity_threshold = 0.5")
        return _fetch(
            f"SELECT {_COLUMNS} FROM customers_customer c WHERE c.store_id = %s AND c.erased_at IS NULL "
            f"AND %s <%% c.search_names ORDER BY word_similarity(%s, c.search_names) DESC, c.id LIMIT {CANDIDATES}",
            [store_id, query.text, query.text],
        )
