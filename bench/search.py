"""Benchmark: 1,000 mixed searches through the API beside the engine's bare query, with quality.

    uv run python bench/generate.py --customers 1000000 --data-dir /tmp/ts-1m      # once
    uv run python bench/search.py --data-dir /tmp/ts-1m
    uv run python bench/search.py --data-dir /tmp/ts-1m-pg --database-url postgres://postgres@127.0.0.1:5432/ts_1m

The queries are made from customers of the big store picked at random: a name prefix (first name
and the start of the last name, or last name and the start of the first), a substring (first name and the inside of the last name), a
phone in several formats (national, digits only, +international, 00 and 011 prefixes, the last
eight digits), an email (whole, or its start) and a name with one typo (a letter changed, dropped
or added in a word of five letters or more). Each goes through ``GET /api/v1/customers?q=`` in
process (Django test client, bearer token, every middleware); beside it, the bare query: the SQL
statements the search issued for the same answer (the candidates, then the first page's 25 rows
with their phone and email), replayed on a raw cursor. Printed: p50
and p95 of both and their ratio, per kind and overall, and the quality: how often the intended
customer is among the first 5 results.

Each query is asked of the API twice. The first answer is the one an associate waits for (a query
never asked before: its index pages may not be in memory) and gives the API p50 and p95. Capturing
the statements runs the search once more and the replay follows, so the bare query always runs
on warm pages; the API is then asked again, on the same warm pages, and the ratio is that second
answer's time over the bare replay's: the cost of the API around the engine's work, not the cost
of a cold page read on one side only.
"""

from __future__ import annotations

import argparse
import random
import statistics
import sys
import time
from collections import defaultdict
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
import generate

KINDS = [("prefix", 20), ("substring", 15), ("phone", 25), ("email", 15), ("typo", 25)]


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1)))]


def _typo(word: str, rng: random.Random) -> str:
    letters = "abcdefghijklmnopqrstuvwxyz"
    i = rng.randrange(1, len(word))  # people rarely get the first letter wrong; Catherine/Katherine aside
    edit = rng.choice(["change", "drop", "add"])
    if edit == "change":
        return word[:i] + rng.choice([ch for ch in letters if ch != word[i].lower()]) + word[i + 1 :]
    if edit == "drop":
        return word[:i] + word[i + 1 :]
    return word[:i] + rng.choice(letters) + word[i:]


def _phone_forms(e164: str) -> list[str]:
    import phonenumbers

    number = phonenumbers.parse(e164)
    international = phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.INTERNATIONAL)
    digits = e164[1:]
    if number.country_code == 1:
        national = phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.NATIONAL)
        return [national, digits[1:], international, national.replace("(", "").replace(") ", "-"), digits[-8:]]
    return [international, "00" + international[1:], "011 " + international[1:], digits, digits[-8:]]


def _long_words(p: dict[str, Any]) -> list[str]:
    return [w for w in (*p["first_name"].split(), *p["last_name"].split()) if len(w) >= 5 and w.isalpha()]


def make_queries(people: list[dict[str, Any]], count: int, rng: random.Random) -> list[tuple[str, str, int]]:
    from trunkshow.core.validation import fold

    kinds = [k for k, weight in KINDS for _ in range(weight)]
    queries = []
    for i in range(count):
        p = people[i % len(people)]
        kind = kinds[i % len(kinds)]
        first, last = p["first_name"], p["last_name"]
        plain = rng.random() < 0.5  # half typed without the accents
        if plain:
            first, last = fold(first), fold(last)
        if kind == "prefix":  # the first name and the start of the last, or the other way round
            forward = f"{first} {last[: max(4, len(last) - 2)]}"
            q = forward if i % 2 else f"{last} {first[: max(3, len(first) - 2)]}"
        elif kind == "substring":
            q = f"{first} {last[1:-1] if len(last) >= 6 else last[1:]}"
        elif kind == "phone":
            q = rng.choice(_phone_forms(p["phone"]))
        elif kind == "email":
            q = p["email"] if rng.random() < 0.7 else p["email"][: p["email"].index("@") + 3]
        else:
            long_words = _long_words({"first_name": first, "last_name": last})
            if not long_words:
                # A name without a word of five letters (Minh Duc Ta): the next person who has one, as
                # a typo in a shorter word is not one search forgives (none below 4 letters).
                p = next(o for o in people[i % len(people) :] + people if _long_words(o))
                first, last = (
                    (fold(p["first_name"]), fold(p["last_name"])) if plain else (p["first_name"], p["last_name"])
                )
                long_words = _long_words({"first_name": first, "last_name": last})
            target = rng.choice(long_words)
            q = f"{first} {last}".replace(target, _typo(target, rng), 1)
        queries.append((kind, q, p["id"]))
    rng.shuffle(queries)
    return queries


def big_store_token(name: str) -> tuple[Any, str]:
    """The generated book's big store and a new API token of its owner (after ``generate.configure``)."""
    from django_scopes import scopes_disabled

    from trunkshow.stores.models import Membership, Store
    from trunkshow.stores.services import token_create

    with scopes_disabled():
        store = Store.objects.get(slug="big")
        owner = Membership.objects.filter(store=store, role="owner").first()
        _token, raw = token_create(store=store, membership=owner, name=name)
    return store, raw


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--data-dir", required=True)
    parser.add_argument("--database-url", default=None)
    parser.add_argument("--queries", type=int, default=1000)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--misses", action="store_true", help="print every miss (typo misses are always printed)")
    args = parser.parse_args()

    engine = generate.configure(data_dir=args.data_dir, database_url=args.database_url, fresh=False)
    from django.db import connection
    from django.test import Client

    from trunkshow.customers import search

    store, raw = big_store_token("search bench")
    client = Client(headers={"Authorization": f"Bearer {raw}"})
    with connection.cursor() as cur:
        cur.execute("SELECT min(id), max(id), count(*) FROM customers_customer WHERE store_id = %s", [store.pk])
        low, high, total = cur.fetchone()
    rng = random.Random(args.seed)
    ids = rng.sample(range(low, high + 1), args.queries)
    with connection.cursor() as cur:
        marks = ", ".join(["%s"] * len(ids))
        cur.execute(
            "SELECT c.id, c.first_name, c.last_name, "
            "(SELECT e164 FROM customers_customerphone p WHERE p.customer_id = c.id ORDER BY id LIMIT 1), "
            "(SELECT address FROM customers_customeremail e WHERE e.customer_id = c.id ORDER BY id LIMIT 1) "
            f"FROM customers_customer c WHERE c.id IN ({marks}) AND c.erased_at IS NULL",
            ids,
        )
        people = [
            {"id": r[0], "first_name": r[1], "last_name": r[2], "phone": r[3], "email": r[4]}
            for r in cur.fetchall()
            if r[3] and r[4]
        ]
    people.sort(key=lambda p: ids.index(p["id"]))
    queries = make_queries(people, args.queries, rng)
    print(f"{engine}: {total:,} customers in the big store; {len(queries)} queries", flush=True)

    def statements_of(q: str) -> list[tuple[str, Any]]:
        captured: list[tuple[str, Any]] = []

        def wrapper(execute: Any, sql: str, params: Any, many: bool, context: Any) -> Any:
            captured.append((sql, params))
            return execute(sql, params, many, context)

        with connection.execute_wrapper(wrapper):
            search.page(store=store, q=q, after=None, limit=25)  # the API's first page
        return captured

    def replay(statements: list[tuple[str, Any]]) -> None:
        raw_cursor = connection.connection.cursor()
        for sql, params in statements:
            if connection.vendor == "sqlite":
                sql = sql.replace("%s", "?")
            raw_cursor.execute(sql, params or ())
            if raw_cursor.description:
                raw_cursor.fetchall()

    for _kind, q, _pk in queries[:20]:  # warm the caches (pages, the dictionary copy)
        client.get("/api/v1/customers", {"q": q})
    api_ms: dict[str, list[float]] = defaultdict(list)
    again_ms: dict[str, list[float]] = defaultdict(list)
    bare_ms: dict[str, list[float]] = defaultdict(list)
    found: dict[str, list[bool]] = defaultdict(list)
    namesake: dict[str, list[bool]] = defaultdict(list)
    from trunkshow.core.validation import fold

    def full_name(item: dict[str, Any]) -> str:
        return fold(f"{item['first_name']} {item['last_name']}")

    names_of = {p["id"]: full_name(p) for p in people}
    misses: list[tuple[str, str, int, bool]] = []
    for kind, q, pk in queries:
        start = time.perf_counter()
        response = client.get("/api/v1/customers", {"q": q})
        api_ms[kind].append((time.perf_counter() - start) * 1000)
        assert response.status_code == 200, response.content
        items = response.json()["items"][:5]
        top = [item["id"] for item in items]
        found[kind].append(pk in top)
        # The generated book holds people with the same name: a namesake in the first 5 is a tie.
        namesake[kind].append(pk in top or any(full_name(i) == names_of[pk] for i in items))
        if pk not in top:
            misses.append((kind, q, pk, any(full_name(i) == names_of[pk] for i in items)))
        statements = statements_of(q)
        start = time.perf_counter()
        replay(statements)
        bare_ms[kind].append((time.perf_counter() - start) * 1000)
        start = time.perf_counter()
        again = client.get("/api/v1/customers", {"q": q})
        again_ms[kind].append((time.perf_counter() - start) * 1000)
        assert [item["id"] for item in again.json()["items"][:5]] == top

    print()
    print(
        "| kind | n | API p50 | API p95 | API again p50 | API again p95 | bare p50 | bare p95 "
        "| ratio p50 | ratio p95 | in top 5 | it or a namesake in top 5 |"
    )
    print("| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |")
    rows = [(kind, api_ms[kind], again_ms[kind], bare_ms[kind], found[kind], namesake[kind]) for kind, _w in KINDS]
    rows.append(
        (
            "all",
            [x for k in api_ms for x in api_ms[k]],
            [x for k in again_ms for x in again_ms[k]],
            [x for k in bare_ms for x in bare_ms[k]],
            [x for k in found for x in found[k]],
            [x for k in namesake for x in namesake[k]],
        )
    )
    for kind, api, again, bare, hits, ties in rows:
        a50, a95, b50, b95 = percentile(api, 50), percentile(api, 95), percentile(bare, 50), percentile(bare, 95)
        w50, w95 = percentile(again, 50), percentile(again, 95)
        print(
            f"| {kind} | {len(api)} | {a50:.2f} ms | {a95:.2f} ms | {w50:.2f} ms | {w95:.2f} ms "
            f"| {b50:.2f} ms | {b95:.2f} ms | {w50 / b50:.1f}× | {w95 / b95:.1f}× | {100 * sum(hits) / len(hits):.1f}% "
            f"| {100 * sum(ties) / len(ties):.1f}% |"
        )
    all_api = rows[-1][1]
    print(f"\nAPI mean {statistics.mean(all_api):.2f} ms; {len(misses)} misses:")
    causes: dict[str, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    for kind, q, pk, tie in misses:
        cause, detail = miss_cause(store, q, pk, tie=tie)
        causes[kind][cause] += 1
        if args.misses or kind == "typo":
            print(f"   {kind}: {q!r} for {names_of[pk]!r}: {cause}; {detail}")
    print("\nMisses by cause:")
    for kind, counted in causes.items():
        print(f"   {kind}: " + ", ".join(f"{cause} {n}" for cause, n in sorted(counted.items())))
    return 0


def miss_cause(store: Any, q: str, pk: int, *, tie: bool) -> tuple[str, str]:
    """Why the intended customer is not in the first 5, from the ranked candidates:

    - ``exact others``: the query as typed is the exact name of other customers (a typo that made
      another real name: nothing can tell them apart);
    - ``namesakes``: people with the intended customer's very name fill the first 5 before it
      (ties are broken by sort name and id);
    - ``another name's words``: every word of the query is a whole name word of the store and
      other customers' names start with them, so those come first (and from 5 of them, no typo is
      looked for): ``Declan Brenne`` for Declan Brennery, where Declan Brenner exists;
    - ``ranked lower``: found, but ranked after 5 others (ties of equal edits, prefixes shared by
      many names);
    - ``not found``: not among the candidates.
    """
    from trunkshow.core.validation import fold
    from trunkshow.customers import search

    hits = search.ranked(store=store, q=q)
    mine = [i for i, h in enumerate(hits) if h.id == pk]
    top = [(h.rank, h.sort_name) for h in hits[:5]]
    detail = f"its place {mine[0] + 1 if mine else None} (rank {hits[mine[0]].rank if mine else None}); first 5: {top}"
    if hits and hits[0].rank == search.EXACT and not any(h.id == pk and h.rank == search.EXACT for h in hits):
        return "exact others", detail
    if tie:
        return "namesakes", detail
    words = [w for w in fold(q).split() if len(w) >= 3]
    dictionary = search._Engine(search._Scope()).dictionary(store.pk)
    if all(w in dictionary.known for w in words) and any(h.rank < search.SUBSTRING for h in hits):
        return "another name's words", detail
    if mine:
        return "ranked lower", detail
    return "not found", detail


if __name__ == "__main__":
    sys.exit(main())
