"""The search box: one query finds customers by name, phone, email or partner, best match first.

How (docs/adr/0003-search.md): the query is read as an email (it has an ``@``), a phone (only
digits and phone punctuation, at least three digits) or names, maybe with one run of a phone's
digits beside them (``goldberg 555-0110``: the Goldbergs whose phone holds 5550110, ranked as the
name alone; the digits are checked on the rows the name's lookups read). A bounded set of candidates is
fetched: names through the word index (``customers_searchword``: the name words holding each
query word, from the store's dictionary ``customers_nameword``, intersected per query word; the
same SQL on both engines), emails and exact phones through their btrees, parts of numbers and of
emails through each engine's trigram index (SQLite FTS5, PostgreSQL pg_trgm). Each candidate
gets a rank, lower first:

    0 exact (the full name in either order, the phone, the email), 100 prefix of a word,
    200 substring, 300 a typo; within a tier, plus the letters beyond what was typed, plus 20 when
    it is a partner's or preferred name that matches rather than the customer's own (but a word
    typed whole that is a whole word of the preferred name is their own: ``max`` finds Massimo
    "Max" Rossi at 100, before Maxime at 103); a typo: ten per edit, at most 1 or 2 edits per
    word by length, plus 5 when a word is found only in a partner's name, plus up to 4 for a word found inside a longer name; a word found only buried
    in a name (letters on both sides, not after a hyphen: ``kato`` in Lakatorne) ranks as a typo,
    305 plus the letters around.

Typos are looked for when fewer than a page of candidates matched as typed, unless the words are
a customer's very name as typed (an exact match) or 5 customers' names start with them: each query word is corrected against the store's dictionary with rapidfuzz, on
both engines. A candidate is kept only if each word is within the allowed edits of one of its
words.

``apply`` narrows a queryset to the ranked candidates and orders it by (search_rank, sort_name,
id), so callers page by keyset over those three and combine any other filter. When more match than
the CANDIDATES ranked, every match is still in it: the others follow as UNRANKED, by name, read by
the same lookups without their bounds (``find``, ``Found.sql``), so counts, other orders, exports
and segments hold every match (ADR 0003, amendment "every match").
"""

from __future__ import annotations

import bisect
import contextlib
import re
from collections.abc import Callable, Container
from dataclasses import dataclass, field, replace
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db import connection
from django.db.models import Case, IntegerField, Lookup, QuerySet, Value, When
from django.db.models.expressions import RawSQL
from rapidfuzz import process
from rapidfuzz.distance import Levenshtein

from trunkshow.core.validation import search_text
from trunkshow.customers import validation as v

# How many candidates one query reads at most: the ranked set that pages are cut from.
CANDIDATES = 300
# A query of one or two letters looks for word starts among at most this many rows of the store.
SHORT_SCAN = 2_000
# Typos are looked for when fewer candidates than this matched as typed (one page), none of
# them an exact or word-start match.
TYPO_WHEN_FEWER_THAN = 25
EXACT, PREFIX, SUBSTRING, TYPO = 0, 100, 200, 300
BURIED = TYPO + 5
# ... nor when this many (the first 5 shown) have names starting with the words.
_TYPO_UNLESS_STARTS = 5

_PHONE_LIKE = re.compile(r"^[\d\s().+\-/]+$")
# What a number is written with beside its digits: a link's "tel:" and an extension ("ext. 3",
# "x12", "#4"), which the stored number does not hold.
_TEL = re.compile(r"^tel:", re.IGNORECASE)
_EXTENSION = re.compile(r"\s*(?:,|;|#|x|ext\.?|extn\.?|extension|poste|durchwahl|dw\.?)\s*\d{1,6}$", re.IGNORECASE)
_HAS_DIGIT = re.compile(r"\d")
# What a part of a number or an email address holds and a name does not.
_FRAGMENT = re.compile(r"[\d._+]")


@dataclass(frozen=True)
class Query:
    kind: str  # "name", "phone", "email" or "" (nothing to look for)
    text: str  # folded
    words: tuple[str, ...] = ()
    digits: tuple[str, ...] = ()  # phone: the digit strings to look for, most specific first
    e164: tuple[str, ...] = ()  # phone: full numbers it parses to
    # name: the digits of a number typed beside the words ("zoe 0110", "goldberg 555-0110"), which the
    # customer's phone (or email) must hold; the words alone are ranked.
    number: str = ""


def parse(q: str, *, region: str) -> Query:
    """What the box holds, folded and classified."""
    text = v.fold(search_text(q)).strip()
    if not text:
        return Query("", "")
    number = _EXTENSION.sub("", _TEL.sub("", text)).strip()
    if number != text and _PHONE_LIKE.match(number) and sum(ch.isdigit() for ch in number) >= 7:
        text = number
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
        if raw.startswith("0") and not raw.startswith("00") and len(raw) >= 8:
            # A number as dialled inside its own country, "07400 125652" or "020 7946 0958": most
            # countries but the store's own put a trunk 0 before the national number, which the
            # stored E.164 digits (447400125652) hold without it.
            forms.append(raw[1:])
        return Query("phone", text, digits=tuple(dict.fromkeys(forms)), e164=tuple(dict.fromkeys(e164)))
    words, number = _name_and_number(text.split())
    return Query("name", text, words=words, number=number)


# A part of a number as typed beside a name: digits and phone punctuation ("555-0110", "(914)").
_NUMBER_PART = re.compile(r"^[\d().+\-/]+$")
# Digits a number typed beside a name holds at least (fewer are a ring size, a year's end...).
NUMBER_DIGITS = 3


def _name_and_number(tokens: list[str]) -> tuple[tuple[str, ...], str]:
    """The name words and the digits of one run of number parts among them, when there is one run
    of at least NUMBER_DIGITS digits beside at least one other word ("goldberg 555 0110": goldberg,
    5550110); else every token is a word and there is no number."""
    numeric = [bool(_NUMBER_PART.match(token)) for token in tokens]
    if all(numeric) or not any(numeric):
        return tuple(tokens), ""
    first = numeric.index(True)
    last = len(numeric) - 1 - numeric[::-1].index(True)
    digits = v.phone_digits(" ".join(tokens[first : last + 1]))
    if not all(numeric[first : last + 1]) or len(digits) < NUMBER_DIGITS:
        return tuple(tokens), ""
    return tuple(t for t, part in zip(tokens, numeric, strict=True) if not part), _as_stored(digits)


# A whole number as dialled at home: a national number with its trunk 0 ("07700 900123" in the
# United Kingdom) is this long at least; fewer digits starting with 0 are the end of a number.
_NATIONAL_DIGITS = 9


def _as_stored(digits: str) -> str:
    """The digits of a number typed beside a name as the stored E.164 digits hold them: without an
    international prefix (``00``, ``011``) or a whole national number's trunk ``0``
    ("smith 07700 900123" looks for 7700900123 in 447700900123; an Italian 06…, whose 0 E.164
    keeps, is still inside 3906…). The last digits of a number ("zoe 0110") stay as typed."""
    for prefix in ("011", "00"):
        if digits.startswith(prefix) and len(digits) - len(prefix) >= NUMBER_DIGITS:
            return digits[len(prefix) :]
    if digits.startswith("0") and len(digits) >= _NATIONAL_DIGITS:
        return digits[1:]
    return digits


def _honorific(word: str) -> bool:
    return word.replace(".", "") in v.HONORIFICS


def without_honorifics(query: Query, known: Container[str]) -> Query:
    """The name query without the words that address a person ("mrs", "frau", "sig.ra") when other
    words remain and no name of the store is that word."""
    named = tuple(w for w in query.words if not (_honorific(w) and w.replace(".", "") not in known))
    if not named or len(named) == len(query.words):
        return query
    return replace(query, text=" ".join(named), words=named)


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
    # id -> (sort_name, search_text, preferred_name)
    rows: dict[int, tuple[str, str, str]] = field(default_factory=dict)
    ranks: dict[int, int | None] = field(default_factory=dict)  # id -> rank_of, once per candidate

    def add(self, rows: list[tuple[Any, ...]]) -> None:
        for pk, sort_name, text, preferred in rows:
            self.rows.setdefault(pk, (sort_name, text, preferred))

    def hits(self, query: Query) -> list[Hit]:
        """The candidates that match after all, ranked (each ranked once however often asked)."""
        found = []
        for pk, (sort_name, text, preferred) in self.rows.items():
            if pk not in self.ranks:
                self.ranks[pk] = rank_of(query, sort_name, text, preferred)
            rank = self.ranks[pk]
            if rank is not None:
                found.append(Hit(rank, sort_name, pk))
        return found


def _name_words(text: str) -> list[str]:
    return [w for w in text.split() if "@" not in w and not _HAS_DIGIT.search(w)]


def _closest(word: str, candidates: list[str], *, inside: bool = False) -> int | None:
    """Letters beyond ``word`` in the shortest candidate starting with it (or holding it)."""
    lengths = [len(c) for c in candidates if (word in c if inside else c.startswith(word))]
    return min(lengths) - len(word) if lengths else None


def _buried(word: str, names: list[str]) -> bool:
    """Whether ``word`` is only inside names, letters on both sides, not after a hyphen or an
    apostrophe of any kind (``kato`` in Lakatorne; not ``anna`` ending Joanna, nor ``lopez`` in
    Garcia-Lopez, nor ``brien`` in O’Brien)."""
    for name in names:
        at = name.find(word)
        while at != -1:
            if at == 0 or not name[at - 1].isalnum() or at + len(word) == len(name):
                return False
            at = name.find(word, at + 1)
    return True


def _holds(word: str, names: list[str]) -> bool:
    """Whether one of ``names`` holds ``word`` as the search reads it: a part, or a typo of it."""
    allowed = max_edits(word)
    return any(word in name or Levenshtein.distance(word, name, score_cutoff=allowed) <= allowed for name in names)


def partner_matched(query: Query, *, own: str, partner: str) -> bool:
    """Whether a name search found this customer by their partner's name rather than their own (so a
    list can say why "Catherine" brought Hannah Bianchi: her partner is Catherine Reyes)."""
    if query.kind != "name" or not partner:
        return False
    mine, theirs = v.fold(own).split(), v.fold(partner).split()
    missing = [w for w in query.words if not _holds(w, mine)]
    return bool(missing) and all(_holds(w, theirs) for w in missing)


def rank_of(query: Query, sort_name: str, text: str, preferred: str = "") -> int | None:
    """Where a candidate ranks for this query (lower first); None when it does not match after all.

    The tier (EXACT, PREFIX, SUBSTRING, TYPO) in the hundreds, and within it how far the match
    is: letters or digits beyond what was typed, or for a typo ten per edit. A word that is a whole
    word of the ``preferred`` name counts as the customer's own name, as a first name typed whole
    does (``max`` finds Massimo "Max" Rossi at 100, before Maxime at 103).
    """
    if query.kind in ("email", "phone"):
        values = [w for w in text.split() if "@" in w] if query.kind == "email" else text.split()
        if query.kind == "phone":
            values = [w for w in values if w.isdigit()]
        wanted = (query.text,) if query.kind == "email" else query.digits
        if any(value in wanted for value in values):
            return EXACT
        starts = [len(v) - len(d) for v in values for d in wanted if v.startswith(d) or v.endswith(d)]
        if starts and (query.kind == "phone" or any(v.startswith(query.text) for v in values)):
            return PREFIX + min(min(starts), 99)
        inside = [len(v) - len(d) for v in values for d in wanted if d in v]
        return SUBSTRING + min(min(inside), 99) if inside else None
    if query.number and query.number not in text:
        # The number typed beside the name: in a phone's digits (or an email address), as the
        # lookups check it on the rows (``_Engine.number``).
        return None
    words = query.words
    names = sort_name.split()
    called = [w for w in v.fold(preferred).split() if w in words and w not in names] if preferred else []
    if len(words) == len(names) and any(list(words[i:] + words[:i]) == names for i in range(len(words))):
        return EXACT
    own = _name_words(text)
    # The customer's own name (sort_name) before a partner's or a preferred name.
    for tier, within in ((PREFIX, False), (SUBSTRING, True)):
        for pool, extra in ((names + called, 0), (own, 20)):
            beyond = [_closest(w, pool, inside=within) for w in words]
            if all(b is not None for b in beyond):
                if within and any(_buried(w, pool) for w in words):
                    return BURIED + (5 if extra else 0) + min(sum(b or 0 for b in beyond), 9)
                return tier + extra + min(sum(b or 0 for b in beyond), 79 - extra)
    if all(w in text for w in words):  # inside an email
        return SUBSTRING + 99
    edits = elsewhere = partial = 0
    for w in words:
        if w in names or w in called:
            continue
        held = _closest(w, names, inside=True)
        if held is not None:  # part of a name: after the names holding it whole
            partial += held
            continue
        if w in text:  # in a partner's or preferred name, or an email
            elsewhere += 1
            continue
        allowed = max_edits(w)
        best = min((Levenshtein.distance(w, n, score_cutoff=allowed) for n in names), default=allowed + 1)
        if best > allowed:  # a typo of a partner's or preferred name, after one of the customer's own
            best = min((Levenshtein.distance(w, n, score_cutoff=allowed) for n in own), default=allowed + 1)
            if best > allowed:
                return None
            elsewhere += 1
        edits += best
    return TYPO + 10 * edits + 5 * min(elsewhere, 1) + min(partial, 4)


@dataclass(frozen=True)
class Found:
    """What a search found: the best CANDIDATES ranked, and whether they are every match.

    ``complete`` is false when a lookup was cut by its bound; ``sql`` and ``params`` are then a
    statement selecting ``id`` of every customer the lookups match without their bounds (the same
    conditions on the same indexes), to count, sort or export every match (ADR 0003, amendment
    "every match").
    """

    hits: list[Hit]
    complete: bool = True
    sql: str = ""
    params: tuple[Any, ...] = ()


def ranked(*, store: Any, q: str, within: QuerySet[Any] | None = None) -> list[Hit]:
    """The ranked candidates for ``q`` in this store (at most CANDIDATES), best first.

    ``within``, a queryset of the store's customers (the list's other filters), is pushed into
    every candidate lookup, so the bound applies to the customers that pass the filters.
    """
    return find(store=store, q=q, within=within).hits


def find(*, store: Any, q: str, within: QuerySet[Any] | None = None) -> Found:
    """``ranked``'s candidates, with whether they are every match and, if not, how to read them all."""
    query = parse(q, region=store.phone_region)
    if not query.kind:
        return Found([])
    scope = _Scope.of(within)
    engine = _Postgres if connection.vendor == "postgresql" else _Sqlite
    backend = engine(scope, number=query.number)
    if query.kind == "name" and (titles := [w.replace(".", "") for w in query.words if _honorific(w)]):
        query = without_honorifics(query, backend.known(store.pk, titles))
    found = _Candidates()
    dictionary: _Dictionary | None = None
    inside = False
    long_words = [w for w in query.words if len(w) >= 3]
    short_words = [w for w in query.words if len(w) < 3]
    if query.kind == "email":
        found.add(backend.emails(store.pk, query.text))
        if not found.rows:
            found.add(backend.text(store.pk, [query.text]))
    elif query.kind == "phone":
        found.add(backend.phones(store.pk, query))
    elif long_words:
        dictionary = backend.dictionary(store.pk)
        groups = [[w] for w in long_words]
        # Names starting with the words first (ranges of the word index); names holding them
        # inside rank after those, so they are read only when fewer than a page start with them.
        found.add(backend.words(store.pk, dictionary, groups, short_words, prefix_only=True))
        # When every word starts names and none is held inside one, the second step would run the
        # first's statement again (a name with a number beside it reads all the name's rows).
        again = not all(dictionary.starting(w) and dictionary.holding(w, 1) == [] for w in long_words)
        if len(found.hits(query)) < TYPO_WHEN_FEWER_THAN and again:
            found.add(backend.words(store.pk, dictionary, groups, short_words))
        else:
            # The names starting with the words alone are every match only if no name word holds
            # one of them inside (``anna`` in Joanna): those match too, ranked after.
            inside = any(dictionary.holding(w, 1) != [] for w in long_words)
    elif query.number:
        # Only words of 1-2 letters beside a number: the number leads (the trigram index, as a
        # part of a phone number), the words are checked on its rows.
        found.add(backend.text(store.pk, [query.number], short_words))
    else:
        found.add(backend.sort_prefix(store.pk, short_words))
    hits = found.hits(query)
    typos = False
    if (
        dictionary is not None
        and len(hits) < TYPO_WHEN_FEWER_THAN
        # No typo is looked for when the words are a customer's very name as typed (an exact
        # match), or when a first 5 of customers' names start with them (a typo would rank after
        # those). Fewer names only starting with the words leave room for a typo below them:
        # ``Kato Kateri`` finds Kato Katerina, then Kaito Kateri.
        and not (any(h.rank == EXACT for h in hits) or sum(h.rank < SUBSTRING for h in hits) >= _TYPO_UNLESS_STARTS)
        and any(max_edits(w) for w in long_words)
    ):
        typos = True
        seen = {h.id for h in hits}
        for pk, sort_name, text, preferred in backend.typos(store.pk, dictionary, long_words, short_words):
            if pk in seen:
                continue
            rank = rank_of(query, sort_name, text, preferred)
            if rank is not None:
                seen.add(pk)
                hits.append(Hit(rank, sort_name, pk))
    hits.sort()
    if len(hits) <= CANDIDATES and not inside and not any(lookup.bounded for lookup in backend.lookups):
        return Found(hits)
    every = _every(
        engine,
        store.pk,
        query,
        dictionary,
        ran=len(backend.lookups),
        typos=typos,
    )
    if not every.lookups:  # nothing to read beyond (a word typed in no name nor a typo of one)
        return Found(hits[:CANDIDATES])
    lookups: list[_Lookup] = []
    for lookup in every.lookups:  # a 1-2 letter query's two lookups share their every match
        if lookup not in lookups:
            lookups.append(lookup)
    best = hits[:CANDIDATES]
    # The ranked ones too, for names: a word the ranked lookup checked with LIKE (held by too
    # many names among other words) may have been found in an email, where every match reads
    # names only. (A phone's, an email's or a 1-2 letter query's every match holds its ranked
    # ones; a scan's UNION with them cost SQLite twice the scan.)
    named = best if dictionary is not None else []
    ranked_ids = [f"SELECT b.id FROM customers_customer b WHERE b.id IN ({', '.join(['%s'] * len(named))})"]
    sql = " UNION ".join(
        [*(ranked_ids if named else []), *(f"SELECT x.id FROM ({lookup.sql}) x" for lookup in lookups)]
    )
    params = (*(h.id for h in named), *(p for lookup in lookups for p in lookup.params))
    return Found(best, complete=False, sql=sql, params=params)


def _every(
    engine: type[_Engine], store_id: int, query: Query, dictionary: _Dictionary | None, *, ran: int, typos: bool
) -> _Engine:
    """The lookups ``find`` made, recorded without their bounds and not run, on no other filter (the
    queryset they narrow holds those): every match. ``ran``: how many lookups ``find`` made (an email
    or a phone is looked for in the trigram index only when its btree found none); ``typos``: whether
    it looked for typos. Name words go through the word index however many name words hold them
    (``_EVERY_WORDS``), not the trigram index: the same customers as in a smaller book, and index-only."""
    every = engine(_Scope(), record_only=True, number=query.number)
    long_words = [w for w in query.words if len(w) >= 3]
    short_words = [w for w in query.words if len(w) < 3]
    if query.kind == "email":
        every.emails(store_id, query.text)
        if ran > 1:
            every.text(store_id, [query.text])
    elif query.kind == "phone":
        every.exact_phones(store_id, query.e164)
        if ran > (1 if query.e164 else 0):
            every.text(store_id, [], alternatives=[list(query.digits)])
            # The digits inside a phone number, as ``rank_of`` reads them, not inside an email
            # address (``0142`` in jo0142@…): the trigram index finds both.
            digits = every.lookups.pop()
            held = " OR ".join(["p.e164 LIKE %s"] * len(query.digits))
            every.lookups.append(
                _Lookup(
                    f"SELECT x.id FROM ({digits.sql}) x WHERE EXISTS (SELECT 1 FROM customers_customerphone p "
                    f"WHERE p.customer_id = x.id AND ({held}))",
                    (*digits.params, *(f"%{_like_escape(d)}%" for d in query.digits)),
                    True,
                )
            )
    elif dictionary is not None:
        every.words(store_id, dictionary, [[w] for w in long_words], short_words)
        if typos:
            every.typos(store_id, dictionary, long_words, short_words)
    elif query.number:
        every.text(store_id, [query.number], short_words)
    else:
        every.sort_prefix(store_id, short_words)
    return every


# The rank of a match beyond the best CANDIDATES: after all of them, in name order.
UNRANKED = 1000


def apply(qs: QuerySet[Any], *, store: Any, q: str, narrowed: bool = False) -> QuerySet[Any]:
    """``qs`` narrowed to the matches of ``q``, annotated ``search_rank`` and ordered best first.

    ``narrowed``: ``qs`` holds other filters than the store's live customers; they are then
    pushed into the candidate lookups (``ranked(within=qs)``), so that a match the filters keep
    is found even when more than CANDIDATES customers match ``q`` alone.

    Every match is in it, however many: when more than the best CANDIDATES match, the others
    follow them as ``UNRANKED``, by name (``Found.sql``), so a count, another order, a page
    beyond the best and an export all see every match.
    """
    found = find(store=store, q=q, within=qs if narrowed else None)
    hits = found.hits
    by_rank: dict[int, list[int]] = {}
    for hit in hits:
        by_rank.setdefault(hit.rank, []).append(hit.id)
    if not hits and found.complete:
        return qs.none().annotate(search_rank=Value(0, output_field=IntegerField()))
    if found.complete:
        matches = qs.filter(pk__in=[h.id for h in hits])
    elif connection.vendor == "postgresql":
        # The matches read once, as an array: as ``IN (...)`` PostgreSQL either walks a sort's
        # index probing the word index for each row (5 ms a row for ``son``'s 2,329 words) or,
        # guessing ten times too many matches, scans every customer to hash-join them.
        pk = qs.model._meta.pk
        if _InArray.lookup_name not in pk.get_lookups():
            pk.register_lookup(_InArray)
        matches = qs.filter(**{f"pk__{_InArray.lookup_name}": RawSQL(found.sql, found.params)})  # noqa: S611
    else:
        matches = qs.filter(pk__in=RawSQL(found.sql, found.params))  # noqa: S611 (our own SQL, values as parameters)
    if not hits:  # all read were dropped by the ranking, and more match: every match, by name
        rank_expr: Any = Value(UNRANKED, output_field=IntegerField())
    elif len(by_rank) == 1 and found.complete:
        rank_expr = Value(hits[0].rank, output_field=IntegerField())
    else:
        rank_expr = Case(
            *(When(pk__in=ids, then=Value(rank)) for rank, ids in by_rank.items()),
            default=Value(UNRANKED),
            output_field=IntegerField(),
        )
    return matches.annotate(search_rank=rank_expr).order_by("search_rank", "sort_name", "id")


class _InArray(Lookup):
    """``column = ANY(ARRAY(<subquery>))`` (PostgreSQL): the subquery read once, before the rows it picks."""

    lookup_name = "in_search_array"

    def as_sql(self, compiler: Any, connection: Any) -> Any:
        lhs, lhs_params = self.process_lhs(compiler, connection)
        rhs, rhs_params = self.process_rhs(compiler, connection)
        return f"{lhs} = ANY(ARRAY{rhs})", (*lhs_params, *rhs_params)


def page(
    *, store: Any, q: str, after: tuple[int, str, int] | None, limit: int
) -> tuple[list[dict[str, Any]], Hit | None] | None:
    """One page of the ranked matches as list rows (the lean path of the API when nothing but
    ``q`` narrows the list): the candidates' order is already the page order, so the page is a
    slice of it and one statement reads its rows. Returns the rows and, when more follow, the
    last row's position for the next cursor; None when the page reaches past the best
    CANDIDATES and more match (``apply``'s queryset pages on among every match)."""
    found = find(store=store, q=q)
    hits = found.hits
    if after is not None:
        hits = [h for h in hits if (h.rank, h.sort_name, h.id) > after]
    if len(hits) <= limit and not found.complete:
        return None
    chosen = hits[:limit]
    rows = summaries(store_id=store.pk, ids=[h.id for h in chosen])
    by_id = {row["id"]: row for row in rows}
    ordered = [by_id[h.id] for h in chosen if h.id in by_id]
    return ordered, (chosen[-1] if len(hits) > limit else None)


_SUMMARY_SQL = (
    "SELECT c.id, c.first_name, c.last_name, c.preferred_name, c.assigned_associate_id, c.source, "
    "c.lifetime_spend, c.purchase_count, c.last_purchase_on, "
    "(SELECT p.e164 FROM customers_customerphone p WHERE p.customer_id = c.id "
    "ORDER BY p.is_primary DESC, p.id LIMIT 1), "
    "(SELECT e.address FROM customers_customeremail e WHERE e.customer_id = c.id "
    "ORDER BY e.is_primary DESC, e.id LIMIT 1) "
    "FROM customers_customer c WHERE c.store_id = %s AND c.erased_at IS NULL AND c.id IN ({marks})"
)
_SUMMARY_KEYS = (
    "id",
    "first_name",
    "last_name",
    "preferred_name",
    "assigned_associate_id",
    "source",
    "lifetime_spend",
    "purchase_count",
    "last_purchase_on",
    "primary_phone",
    "primary_email",
)


def summaries(*, store_id: int, ids: list[int]) -> list[dict[str, Any]]:
    """The columns a list row shows, with the primary phone and email, for these customers."""
    if not ids:
        return []
    rows = _fetch(_SUMMARY_SQL.format(marks=", ".join(["%s"] * len(ids))), [store_id, *ids])
    out = []
    for row in rows:
        item = dict(zip(_SUMMARY_KEYS, row, strict=True))
        item["lifetime_spend"] = Decimal(str(item["lifetime_spend"]))
        out.append(item)
    return out


# ---------------------------------------------------------------- engines


def _fetch(sql: str, params: list[Any]) -> list[tuple[Any, ...]]:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return list(cursor.fetchall())


def _like_escape(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


_COLUMNS = "c.id, c.sort_name, c.search_text, c.preferred_name"
# Where a lookup's bounds go in its SQL: run with them (the ranked candidates), or without them
# for every match (``Found.sql``). ``_CAP``: CANDIDATES rows; ``_CHECKED``: the rows read for
# words in no name (taken as cut: whether it was is not known from the rows read).
_CAP, _CHECKED = "/*cap*/", "/*checked*/"
# The end of a prefix range: after every string that starts with the prefix.
_HIGH = "\U0010ffff"
# A query word held by more name words than this (``ann``) is checked on the rows the other
# words find rather than looked up in the word index.
_INDEXED_WORDS = 1_000
# ... but however many (up to this) when every match is counted or read: a list of words is
# index-only where the trigram index reads every row holding the letters (ADR 0003, "every match").
_EVERY_WORDS = 20_000
# Customers of the word index read at most when the only words to check on the rows are in no
# name.
_CHECKED_ROWS = 2_000
# Typo corrections tried per query word, the closest first.
_CORRECTIONS = 32


@dataclass(frozen=True)
class _Scope:
    """The customers the candidates must be among (the list's other filters), as SQL."""

    sql: str = ""
    params: tuple[Any, ...] = ()

    @classmethod
    def of(cls, within: QuerySet[Any] | None) -> _Scope:
        if within is None:
            return cls()
        sql, params = within.order_by().values("pk").query.sql_with_params()
        return cls(f" AND c.id IN ({sql})", tuple(params))


class _Dictionary:
    """A store's name words (3+ letters): sorted, as a set, by length, and as one string with a
    line per word, so that finding the words that hold a string is a scan in C."""

    def __init__(self, words: list[str]) -> None:
        self.words = sorted(words)
        self.known = frozenset(self.words)
        self.by_length: dict[int, list[str]] = {}
        for word in self.words:
            self.by_length.setdefault(len(word), []).append(word)
        self.starts: list[int] = []
        position = 1
        for word in self.words:
            self.starts.append(position)
            position += len(word) + 1
        self.lines = "\n" + "\n".join(self.words) + "\n"
        self._held: dict[tuple[str, int], list[str] | None] = {}
        self._corrected: dict[str, list[str]] = {}

    def holding(self, text: str, limit: int) -> list[str] | None:
        """The words that hold ``text`` after their first letter (those starting with it are one
        range: ``starting``); None when more than ``limit`` do. The answers are kept (a scan of
        the whole dictionary each: a query asks again for the same words in its later lookups, and
        typing a name asks for the same starts over and over)."""
        return _kept(self._held, (text, limit), lambda: self._holding(text, limit))

    def _holding(self, text: str, limit: int) -> list[str] | None:
        found: list[str] = []
        if "\n" in text:
            return found
        at = self.lines.find(text)
        while at != -1:
            i = bisect.bisect_right(self.starts, at) - 1
            if at != self.starts[i]:
                if len(found) == limit:
                    return None
                found.append(self.words[i])
            at = self.lines.find(text, self.starts[i] + len(self.words[i]) + 1)
        return found

    def starting(self, text: str) -> list[str]:
        """The words that start with ``text``."""
        i = bisect.bisect_left(self.words, text)
        j = bisect.bisect_left(self.words, text + _HIGH)
        return self.words[i:j]

    def corrections(self, word: str) -> list[str]:
        """The words within the edits ``word`` is allowed (max_edits), closest first: only words
        of a length that close are compared. Kept like ``holding``: results as you type correct
        the words already typed again at every key (``catherine smy``, ``catherine smyt``)."""
        return _kept(self._corrected, word, lambda: self._corrections(word))

    def _corrections(self, word: str) -> list[str]:
        allowed = max_edits(word)
        found: list[tuple[int, str]] = []
        for length in range(len(word) - allowed, len(word) + allowed + 1):
            for candidate, distance, _i in process.extract(
                word, self.by_length.get(length, []), scorer=Levenshtein.distance, score_cutoff=allowed, limit=None
            ):
                if candidate != word:
                    found.append((distance, candidate))
        return [candidate for _distance, candidate in sorted(found)[:_CORRECTIONS]]


def _kept(cache: dict[Any, Any], key: Any, compute: Callable[[], Any]) -> Any:
    """``compute()`` kept under ``key`` in a dictionary's cache of at most 4,096 answers."""
    if key in cache:
        return cache[key]
    if len(cache) >= 4_096:
        cache.clear()
    cache[key] = found = compute()
    return found


# store id -> (stamp, dictionary): the dictionaries of the stores searched lately, in this process.
_DICTIONARIES: dict[int, tuple[Any, _Dictionary]] = {}


@dataclass(frozen=True)
class _Lookup:
    sql: str  # without its bounds: every customer the lookup matches
    params: tuple[Any, ...]
    bounded: bool  # a bound may have cut its rows


class _Engine:
    def __init__(self, scope: _Scope, *, record_only: bool = False, number: str = "") -> None:
        # A number typed beside the name words is checked on every row a lookup reads, as the
        # list's other filters are (the scope): the name words find the candidates through the
        # word index, and only their rows are read for the digits (their search_text holds each
        # phone's digits), so the cost is that of the name's candidates, whatever the number.
        self.number = number
        if number:
            scope = _Scope(f"{scope.sql} AND {self.checked_column} LIKE %s", (*scope.params, f"%{number}%"))
        self.scope = scope
        self.lookups: list[_Lookup] = []
        # Recording every match (``_every``): lookups are kept unbounded and not run, and a name
        # word is looked up in the word index among however many name words hold it.
        self.record_only = record_only
        self.indexed_words = _EVERY_WORDS if record_only else _INDEXED_WORDS

    def _lookup(
        self, sql: str, params: list[Any], *, every: tuple[str, list[Any]] | None = None
    ) -> list[tuple[Any, ...]]:
        """A candidate lookup, read with its bounds and kept without them (``Found.sql``), or as
        ``every`` says when dropping its bounds is not the way to read every match."""
        unbounded = sql.replace(_CAP, "").replace(_CHECKED, "")
        if self.record_only:
            self.lookups.append(_Lookup(every[0] if every else unbounded, tuple(every[1] if every else params), True))
            return []
        bounded_sql = sql.replace(_CAP, f" LIMIT {CANDIDATES}").replace(_CHECKED, f" LIMIT {_CHECKED_ROWS}")
        rows = _fetch(bounded_sql, params)
        # The rows checked for words in no name are taken as cut: whether they were is not known
        # from the rows, and the unbounded lookup is then exact, only slower.
        cut = len(rows) >= CANDIDATES or _CHECKED in sql
        if every is not None:
            self.lookups.append(_Lookup(every[0], tuple(every[1]), cut))
        else:
            self.lookups.append(_Lookup(unbounded, tuple(params), cut))
        return rows

    @staticmethod
    def among(column: str, values: list[str]) -> tuple[str, list[Any]]:
        """``column`` is one of ``values``."""
        return f"{column} IN ({', '.join(['%s'] * len(values))})", list(values)

    def lead(self, filtered: bool) -> str:
        """The customers of the word index's ids ``s``, as ``c``: the ids lead (each engine's way
        of saying so), as reading them and their rows by primary key is the cheap way."""
        raise NotImplementedError

    def emails(self, store_id: int, text: str) -> list[tuple[Any, ...]]:
        """Emails starting with the text (the exact one among them), through the email btree."""
        return self._lookup(
            f"SELECT DISTINCT {_COLUMNS} FROM customers_customeremail e "
            "JOIN customers_customer c ON c.id = e.customer_id "
            f"WHERE e.store_id = %s AND e.address >= %s AND e.address < %s AND c.erased_at IS NULL{self.scope.sql}{_CAP}",
            [store_id, text, text + _HIGH, *self.scope.params],
        )

    def sort_prefix(self, store_id: int, words: list[str]) -> list[tuple[Any, ...]]:
        """Queries shorter than a trigram: the sort name (last name first) starts with them, through
        its btree; then the start of any word, looked for among a bounded stretch of the book.
        Every match, unbounded, is the start of any word (which the sort name's start implies):
        no index serves it, so reading them all reads the store's rows."""
        prefix = " ".join(words)
        extra, params = self._short_filter(words)
        every = (
            f"SELECT c.id FROM customers_customer c WHERE c.store_id = %s AND c.erased_at IS NULL"
            f"{self.scope.sql}{extra}",
            [store_id, *self.scope.params, *params],
        )
        rows = self._lookup(
            f"SELECT {_COLUMNS} FROM customers_customer c "
            "WHERE c.store_id = %s AND c.sort_name >= %s AND c.sort_name < %s AND c.erased_at IS NULL"
            f"{self.scope.sql} ORDER BY c.sort_name, c.id{_CAP}",
            [store_id, prefix, prefix + _HIGH, *self.scope.params],
            every=every,
        )
        if len(rows) >= CANDIDATES or self.record_only:
            return rows
        # The stretch read, and a row of id 0 when the book goes on beyond it (so its matches
        # there may be missed: every match is then read unbounded), in one statement.
        more = _fetch(
            f"SELECT * FROM (SELECT {_COLUMNS} FROM (SELECT {_COLUMNS} FROM customers_customer c "
            f"WHERE c.store_id = %s AND c.erased_at IS NULL{self.scope.sql} "
            f"ORDER BY c.sort_name, c.id LIMIT {SHORT_SCAN}) c WHERE true{extra} LIMIT {CANDIDATES}) found "
            "UNION ALL SELECT 0, '', '', '' WHERE EXISTS (SELECT 1 FROM customers_customer c "
            f"WHERE c.store_id = %s AND c.erased_at IS NULL{self.scope.sql} "
            f"ORDER BY c.sort_name, c.id LIMIT 1 OFFSET {SHORT_SCAN})",
            [store_id, *self.scope.params, *params, store_id, *self.scope.params],
        )
        found = [row for row in more if row[0] != 0]
        cut = len(found) >= CANDIDATES or len(found) < len(more)
        self.lookups.append(_Lookup(every[0], tuple(every[1]), cut))
        return rows + found

    def exact_phones(self, store_id: int, e164: tuple[str, ...]) -> list[tuple[Any, ...]]:
        if not e164:
            return []
        marks = ", ".join(["%s"] * len(e164))
        return self._lookup(
            f"SELECT {_COLUMNS} FROM customers_customerphone p JOIN customers_customer c ON c.id = p.customer_id "
            f"WHERE p.store_id = %s AND p.e164 IN ({marks}) AND c.erased_at IS NULL{self.scope.sql}{_CAP}",
            [store_id, *e164, *self.scope.params],
        )

    def phones(self, store_id: int, query: Query) -> list[tuple[Any, ...]]:
        """A whole number through the phone btree; the digits inside numbers only when no number
        is the one typed (digit trigrams are in every number: the slowest lookup there is)."""
        rows = self.exact_phones(store_id, query.e164)
        return rows or self.text(store_id, [], alternatives=[list(query.digits)])

    def text(
        self,
        store_id: int,
        words: list[str],
        short: list[str] | None = None,
        *,
        alternatives: list[list[str]] | None = None,
        checked: list[list[str]] | None = None,
        anywhere: bool = False,
    ) -> list[tuple[Any, ...]]:
        """Every word (or one of each group of alternatives) a substring of search_text, through
        the engine's trigram index: for what is not a name word (digits, parts of emails)."""
        raise NotImplementedError

    def known(self, store_id: int, words: list[str]) -> set[str]:
        """Which of ``words`` are name words of the store (one look in the dictionary's index, not
        the whole dictionary: a query such as "Mr Li" never needs the rest)."""
        marks = ", ".join(["%s"] * len(words))
        sql = f"SELECT word FROM customers_nameword WHERE store_id = %s AND word IN ({marks})"
        return {w for (w,) in _fetch(sql, [store_id, *words])}

    def dictionary(self, store_id: int) -> _Dictionary:
        """The store's dictionary of name words, from this process's copy while the stamp the
        triggers change is the same."""
        rows = _fetch("SELECT n FROM customers_nameword WHERE store_id = %s AND word = ''", [store_id])
        stamp = rows[0][0] if rows else None
        cached = _DICTIONARIES.get(store_id)
        if cached is not None and cached[0] == stamp and stamp is not None:
            return cached[1]
        dictionary = _Dictionary(
            [w for (w,) in _fetch("SELECT word FROM customers_nameword WHERE store_id = %s AND word <> ''", [store_id])]
        )
        if len(_DICTIONARIES) >= 64:
            _DICTIONARIES.pop(next(iter(_DICTIONARIES)))
        _DICTIONARIES[store_id] = (stamp, dictionary)
        return dictionary

    def words(
        self,
        store_id: int,
        dictionary: _Dictionary,
        groups: list[list[str]],
        short: list[str],
        *,
        anywhere: bool = False,
        prefix_only: bool = False,
    ) -> list[tuple[Any, ...]]:
        """Customers with, for each group, one of its strings inside their search_text (with
        ``prefix_only``: a name word starting with each word; none when a word starts none).

        The first string of a group is the word as typed, the others its typo corrections. A
        group's name words are those holding the word as typed (from the dictionary) and its
        corrections. The groups' runs of the word index are intersected (the words
        starting with the word as typed are one range of the btree, the others a list), and only
        the customers in all of them are read. A group listing more than _INDEXED_WORDS name
        words is checked on those rows instead; so is a group held by none (a
        part of an email, a name with a digit), on at most _CHECKED_ROWS rows when it is all
        there is to check. A word as typed in no name
        but a few edits from names is a typo: the typo lookup finds it. When no group is in the
        word index: letters are looked for at the start of an email address (the email btree),
        anything else through the trigram index. Short words start a word of the text, or with
        ``anywhere`` (typos, where rank_of wants them anywhere) are inside it.
        """
        # Per group: the words starting with the word as typed (one range of the btree: ranged),
        # and the others, listed (holding it inside, its corrections); None when more
        # than _INDEXED_WORDS would be listed.
        ranged: list[bool] = []
        names: list[list[str] | None] = []
        for group in groups:
            typed = group[0]
            ranged.append(bool(dictionary.starting(typed)))
            held = [] if prefix_only else dictionary.holding(typed, self.indexed_words)
            if held is not None:
                # A correction is a whole name word: a longer word starting with it is no closer
                # to the word typed (rank_of compares whole words), and ``kat``, a correction of
                # ``kato``, starts thousands.
                corrected = (c for c in group[1:] if not c.startswith(typed))
                held = sorted({*held, *corrected})
                if len(held) > self.indexed_words:
                    held = None
            names.append(held)
        if prefix_only and not all(ranged):
            return []
        nameless = [i for i, held in enumerate(names) if held == [] and not ranged[i]]
        if not anywhere and any(dictionary.corrections(groups[i][0]) for i in nameless):
            return []  # a word in no name but a few edits from names: a typo, looked for as one
        indexed = [i for i, held in enumerate(names) if held is not None and (held or ranged[i])]
        if not indexed:
            if nameless and not _FRAGMENT.search(groups[nameless[0]][0]):
                # Letters in no name (nor a few edits from one): the start of an email address.
                first = nameless[0]
                others = [group for i, group in enumerate(groups) if i != first]
                return self.email_starts(store_id, groups[first], checked=others, short=short, anywhere=anywhere)
            # Parts of numbers or emails, or words in too many names: the trigram index.
            return self.text(store_id, [], short, alternatives=groups, anywhere=anywhere)
        parts = []
        params: list[Any] = []
        for i in indexed:
            typed = groups[i][0]
            listed = names[i] or []
            ors = ["(word >= %s AND word < %s)"] if ranged[i] else []
            listed_params: list[Any] = []
            if listed:
                among, listed_params = self.among("word", listed)
                ors.append(among)
            if self.record_only and len(ors) == 2:
                # Every match of a word both starting names and held inside many (``ann``): the
                # range and the list as two lookups, as one OR SQLite read the store's whole run
                # of the index (0.56 s at 1M).
                one = "SELECT customer_id FROM customers_searchword WHERE store_id = %s AND "
                parts.append(f"SELECT customer_id FROM ({one}{ors[0]} UNION {one}{ors[1]}) w")
                params += [store_id, typed, typed + _HIGH, store_id, *listed_params]
                continue
            condition = " OR ".join(ors)
            parts.append(f"SELECT customer_id FROM customers_searchword WHERE store_id = %s AND ({condition})")
            params += [store_id, *((typed, typed + _HIGH) if ranged[i] else ()), *listed_params]
        checked = [group for i, group in enumerate(groups) if i not in indexed]
        ids = " INTERSECT ".join(parts)
        if nameless and len(checked) == len(nameless):
            # Only words in no name to check (a name with a digit, a part of an email): rarely
            # there, so a bounded number of rows is read for them.
            ids = f"SELECT customer_id FROM ({ids}) i{_CHECKED}"
        conditions, checked_params = self._checked(checked)
        extra, short_params = self._short_filter(short, anywhere=anywhere)
        # Every match, when nothing is checked on the rows: the word index's ids alone (it holds
        # only live customers' words; the list's own query reads their rows).
        plain = not (conditions or extra or self.scope.sql or _CHECKED in ids)
        return self._lookup(
            f"SELECT {_COLUMNS} FROM ({ids}) s {self.lead(bool(conditions or extra or self.number))} "
            f"WHERE c.erased_at IS NULL{conditions}{extra}{self.scope.sql}{_CAP}",
            [*params, *checked_params, *short_params, *self.scope.params],
            every=(f"SELECT s.customer_id AS id FROM ({ids}) s", params) if plain else None,
        )

    def email_starts(
        self, store_id: int, starts: list[str], *, checked: list[list[str]], short: list[str], anywhere: bool
    ) -> list[tuple[Any, ...]]:
        """Customers with an email address starting with one of ``starts`` (the email btree), and
        the other groups inside their text."""
        ranges = " OR ".join(["(e.address >= %s AND e.address < %s)"] * len(starts))
        conditions, params = self._checked(checked)
        extra, short_params = self._short_filter(short, anywhere=anywhere)
        return self._lookup(
            f"SELECT DISTINCT {_COLUMNS} FROM customers_customeremail e "
            f"JOIN customers_customer c ON c.id = e.customer_id WHERE e.store_id = %s AND ({ranges}) "
            f"AND c.erased_at IS NULL{conditions}{extra}{self.scope.sql}{_CAP}",
            [
                store_id,
                *(x for text in starts for x in (text, text + _HIGH)),
                *params,
                *short_params,
                *self.scope.params,
            ],
        )

    def typos(
        self, store_id: int, dictionary: _Dictionary, words: list[str], short: list[str]
    ) -> list[tuple[Any, ...]]:
        """Each word or one of its corrections (the store's name words within its allowed edits,
        by rapidfuzz), through the word index."""
        # A correction starting with the word adds nothing the word as typed does not find, so a
        # lookup of those alone is not run again over the same rows; with 1-2 letter words it is,
        # as this lookup reads them anywhere in a word where the first read word starts.
        groups = [[w, *(c for c in dictionary.corrections(w) if short or not c.startswith(w))] for w in words]
        if all(len(g) == 1 for g in groups):
            return []
        return self.words(store_id, dictionary, groups, short, anywhere=True)

    checked_column = "c.search_text"

    def _checked(self, groups: list[list[str]]) -> tuple[str, list[Any]]:
        """Each group: one of its strings inside search_text, checked on the rows read."""
        sql = ""
        params: list[Any] = []
        for group in groups:
            sql += " AND (" + " OR ".join([f"{self.checked_column} LIKE %s ESCAPE '\\'"] * len(group)) + ")"
            params += [f"%{_like_escape(w)}%" for w in group]
        return sql, params

    @staticmethod
    def _short_filter(short: list[str] | None, *, anywhere: bool = False) -> tuple[str, list[Any]]:
        """Words of one or two letters: the start of some word of search_text (or anywhere in it)."""
        sql = ""
        params: list[Any] = []
        for word in short or []:
            sql += " AND (' ' || c.search_text) LIKE %s ESCAPE '\\'"
            params.append(f"%{'' if anywhere else ' '}{_like_escape(word)}%")
        return sql, params


class _Sqlite(_Engine):
    def lead(self, filtered: bool) -> str:
        # CROSS JOIN keeps the word index leading: SQLite's planner might start from the store's
        # customers otherwise.
        return "CROSS JOIN customers_customer c ON c.id = s.customer_id"

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
        checked: list[list[str]] | None = None,
        anywhere: bool = False,
    ) -> list[tuple[Any, ...]]:
        """By FTS5 trigram. The FTS table drives the join (CROSS JOIN): with the store filter
        first, SQLite would probe the FTS index once per customer of the store."""
        groups = [[w] for w in words] + [[a for a in alts if len(a) >= 3] for alts in alternatives or []]
        groups = [g for g in groups if g]
        if not groups:
            return []
        match = " AND ".join("(" + " OR ".join(self._phrase(w) for w in group) + ")" for group in groups)
        conditions, params = self._checked(checked or [])
        extra, short_params = self._short_filter(short, anywhere=anywhere)
        return self._lookup(
            f"SELECT {_COLUMNS} FROM customer_search_fts f CROSS JOIN customers_customer c ON c.id = f.rowid "
            f"WHERE customer_search_fts MATCH %s AND c.store_id = %s AND c.erased_at IS NULL"
            f"{conditions}{extra}{self.scope.sql}{_CAP}",
            [match, store_id, *params, *short_params, *self.scope.params],
        )


class _Postgres(_Engine):
    @staticmethod
    def among(column: str, values: list[str]) -> tuple[str, list[Any]]:
        # One array parameter: a list of thousands of placeholders costs the client more to
        # build and send than the server takes to read the words.
        return f"{column} = ANY(%s)", [list(values)]

    def lead(self, filtered: bool) -> str:
        if not filtered:
            return "JOIN customers_customer c ON c.id = s.customer_id"
        # With a LIKE to check on the rows, the planner reckons a sequential scan of the customers
        # filtered by it cheaper than tens of thousands of primary-key reads, and takes 300-450 ms
        # at 1M customers where the reads take 10-20: OFFSET 0 keeps the lateral read by key.
        return (
            "CROSS JOIN LATERAL (SELECT c0.id, c0.sort_name, c0.search_text, c0.preferred_name, c0.erased_at "
            "FROM customers_customer c0 WHERE c0.id = s.customer_id OFFSET 0) c"
        )

    # Not the indexed expression: the planner checks these on the rows the leading word finds
    # instead of intersecting the trigram index's long lists for common words.
    checked_column = "(c.search_text || '')"

    def text(
        self,
        store_id: int,
        words: list[str],
        short: list[str] | None = None,
        *,
        alternatives: list[list[str]] | None = None,
        checked: list[list[str]] | None = None,
        anywhere: bool = False,
    ) -> list[tuple[Any, ...]]:
        """By the pg_trgm GIN index."""
        groups = [[w] for w in words] + [list(alts) for alts in alternatives or []]
        conditions: list[str] = []
        params: list[Any] = []
        for group in groups:
            conditions.append("(" + " OR ".join(["c.search_text LIKE %s"] * len(group)) + ")")
            params.extend(f"%{_like_escape(w)}%" for w in group)
        if not conditions:
            return []
        more, more_params = self._checked(checked or [])
        extra, short_params = self._short_filter(short, anywhere=anywhere)
        return self._lookup(
            f"SELECT {_COLUMNS} FROM customers_customer c WHERE c.store_id = %s AND c.erased_at IS NULL "
            f"AND {' AND '.join(conditions)}{more}{extra}{self.scope.sql}{_CAP}",
            [store_id, *params, *more_params, *short_params, *self.scope.params],
        )
