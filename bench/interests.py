"""The customer list's interest filter on a big store: each term's plan and time, counted and paged.

    uv run python bench/generate.py --customers 100000 --data-dir /tmp/ts-int-100k
    uv run python bench/interests.py --data-dir /tmp/ts-int-100k --add
    uv run python bench/interests.py --data-dir /tmp/ts-int-100k-pg \\
        --database-url postgres://postgres@127.0.0.1:5432/ts_interests_100k --add

``generate.py`` writes no interests, so ``--add`` gives the big store's customers the demo's
(metals 70%, stones 65%, styles 50%, designers 25%, free 25%, one or two of each) plus one
customer in fifty a free interest of their own ("Grandmother's brooch 123"), as a book typed by
staff over years holds. Then, for each filter of ``FILTERS``, it builds the list's own query
(``customers_filtered``: count, and the first page in name order) and prints the best of 5
timings, the count, and the plan (EXPLAIN ANALYZE on PostgreSQL, EXPLAIN QUERY PLAN on SQLite);
and how long the import takes to read the store's vocabulary (``interests.interest_vocabulary``).
"""

from __future__ import annotations

import argparse
import random
import sys
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).parent))

import generate
from sorts import timed_plan

FILTERS: list[list[str]] = [
    ["metal:yellow gold"],
    ["gold"],
    ["metal:gold"],
    ["sapph"],
    ["pearls"],
    ["sapphire", "emerald"],
    ["black onyx"],
    ["brooch 4242"],
]


def _add(store: Any) -> int:
    """Interests for every customer of the store that has none yet, straight into the table."""
    from django.db import connection, transaction
    from django.utils import timezone

    from trunkshow.core.validation import fold
    from trunkshow.customers.models import Customer, Interest
    from trunkshow.demo import INTEREST_CHANCES

    words: Any = None
    names = [f.column for f in Interest._meta.concrete_fields if f.column != "id"]
    if "value_words" in names:
        from trunkshow.customers.interests import interest_words

        words = interest_words
    rng = random.Random(7)
    now = timezone.now()
    ids = list(Customer.objects.filter(store=store, interests__isnull=True).order_by("id").values_list("id", flat=True))
    rows: list[tuple[Any, ...]] = []
    for pk in ids:
        chosen: list[tuple[str, str]] = []
        for kind, values, chance in INTEREST_CHANCES:
            if rng.random() < chance:
                chosen += [(kind, value) for value in rng.sample(values, k=1 if rng.random() < 0.7 else 2)]
        if rng.random() < 0.02:
            chosen.append(("free", f"Grandmother's brooch {pk}"))
        for kind, value in chosen:
            row = {"store_id": store.pk, "customer_id": pk, "kind": kind, "value": value, "value_key": fold(value)}
            row["created_at"] = now
            if words is not None:
                row["value_words"] = words(row["value_key"])
            rows.append(tuple(row[n] for n in names))
    marks = ", ".join(["%s"] * len(names))
    with transaction.atomic(), connection.cursor() as cur:
        for start in range(0, len(rows), 20_000):
            cur.executemany(
                f"INSERT INTO customers_interest ({', '.join(names)}) VALUES ({marks})", rows[start : start + 20_000]
            )
        if connection.vendor == "postgresql":
            cur.execute("ANALYZE customers_interest")
        else:
            cur.execute("ANALYZE")
    return len(rows)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--data-dir", required=True)
    parser.add_argument("--database-url", default=None)
    parser.add_argument("--store", default="big", help="the store's slug")
    parser.add_argument("--add", action="store_true", help="give the store's customers interests first")
    parser.add_argument("--plans", action="store_true", help="print each query's plan")
    args = parser.parse_args()

    generate.configure(data_dir=args.data_dir, database_url=args.database_url, fresh=False)
    from django.db.models import Count
    from django_scopes import scopes_disabled

    from trunkshow.customers.filtering import customers_filtered, filters_parse
    from trunkshow.customers.models import Interest

    with scopes_disabled():
        from trunkshow.stores.models import Store

        store = Store.objects.get(slug=args.store)
        if args.add:
            start = time.perf_counter()
            added = _add(store)
            print(f"added {added:,} interests in {time.perf_counter() - start:.1f} s")
        total = Interest.objects.filter(store=store).aggregate(n=Count("id"))["n"]
        print(f"{total:,} interests in the store")
        try:
            from trunkshow.customers.interests import interest_vocabulary
        except ImportError:
            interest_vocabulary = None
        if interest_vocabulary is not None:
            best = float("inf")
            for _ in range(3):
                start = time.perf_counter()
                vocabulary = interest_vocabulary(store=store)
                best = min(best, time.perf_counter() - start)
            print(f"== the store's vocabulary ({len(vocabulary):,} entries): best of 3 {best * 1000:.1f} ms")
        for terms in FILTERS:
            filters = filters_parse({"interest": terms}, store=store)
            qs = customers_filtered(store=store, filters=filters)
            count_sql, count_params = qs.order_by().values("id").query.sql_with_params()
            count_sql = f"SELECT COUNT(*) FROM ({count_sql}) AS counted"
            for label, (sql, params) in (
                ("count", (count_sql, count_params)),
                ("first page", qs[:26].query.sql_with_params()),
            ):
                best, plan = timed_plan(sql, params)
                shown = f", {qs.count():,} customers" if label == "count" else ""
                print(f"== {', '.join(terms)} ({label}): best of 5 {best * 1000:.1f} ms{shown}")
                if args.plans:
                    for line in plan:
                        print("   ", line)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
