"""Benchmark: what reading every match of a search costs, beside the best 300 it ranks.

    uv run python bench/search_every.py --data-dir /tmp/ts-1m
    uv run python bench/search_every.py --data-dir /tmp/ts-pg --database-url postgres://postgres@127.0.0.1:5432/ts_1m

For queries matching few, hundreds, thousands and tens of thousands of the big store's customers
(a name word, a common one, a part held by too many names for the word index, one or two letters,
digits of phones, a typo), prints best-of-N milliseconds of: the ranked candidates as the API's
first page reads them (``search.find``), the count of every match (``customers_filtered(...).count()``,
what the list page and ``/customers/count`` show), the list's first page in the search's ranking,
a page beyond the best 300, the first page by spend and the count with a spend filter (ADR 0003,
amendment "every match"). It only reads the book.
"""

from __future__ import annotations

import argparse
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
import generate

QUERIES = [
    "garcia",
    "keller",
    "muller",
    "smith",
    "maria",
    "anna",
    "anna mar",
    "ann",
    "son",
    "ke",
    "a",
    "0142",
    "kellar",
]


def best_of(runs: int, work: Callable[[], Any]) -> tuple[float, Any]:
    best, result = float("inf"), None
    for _ in range(runs):
        start = time.perf_counter()
        result = work()
        best = min(best, time.perf_counter() - start)
    return best * 1000, result


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--data-dir", required=True)
    parser.add_argument("--database-url", default=None)
    parser.add_argument("--store", default="big", help="the store's slug")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--query", action="append", help="instead of the built-in queries")
    args = parser.parse_args()

    engine = generate.configure(data_dir=args.data_dir, database_url=args.database_url, fresh=False)
    from django.http import QueryDict
    from django_scopes import scope, scopes_disabled

    from trunkshow.customers import search
    from trunkshow.customers.filtering import customers_filtered, filters_parse, page_in_order, ranked_cursor
    from trunkshow.customers.models import Customer
    from trunkshow.stores.models import Store

    with scopes_disabled():
        store = Store.objects.get(slug=args.store)
        total = Customer._base_manager.filter(store=store).count()
    print(f"{engine}: {total:,} customers in {args.store!r}; best of {args.runs}, ms\n")
    print(
        f"{'query':<10} {'matches':>8} {'ranked':>7} {'count':>8} {'page 1':>8} {'beyond':>8} "
        f"{'by spend':>9} {'+spend':>8} {'n +spend':>9}"
    )
    with scope(store=store):
        for q in args.query or QUERIES:

            def filters(q: str = q, **more: str) -> Any:
                data = QueryDict(mutable=True)
                data["q"] = q
                for key, value in more.items():
                    data[key] = value
                return filters_parse(data, store=store)

            plain, spend, spending = filters(), filters(sort="spend"), filters(spend_min="100")
            ranked_ms, found = best_of(args.runs, lambda: search.find(store=store, q=q))  # noqa: B023
            count_ms, count = best_of(args.runs, lambda: customers_filtered(store=store, filters=plain).count())  # noqa: B023
            page_ms, _page = best_of(
                args.runs,
                lambda: page_in_order(customers_filtered(store=store, filters=plain), filters=plain, limit=25),  # noqa: B023
            )
            beyond = "-"
            if not found.complete:
                last = found.hits[-1]
                cursor = ranked_cursor(last.rank, last.sort_name, last.id)
                ms, _rows = best_of(
                    args.runs,
                    lambda: page_in_order(
                        customers_filtered(store=store, filters=plain),  # noqa: B023
                        filters=plain,  # noqa: B023
                        cursor=cursor,  # noqa: B023
                        limit=25,
                    ),
                )
                beyond = f"{ms:.1f}"
            spend_ms, _rows = best_of(
                args.runs,
                lambda: page_in_order(customers_filtered(store=store, filters=spend), filters=spend, limit=25),  # noqa: B023
            )
            spent_ms, spent = best_of(
                args.runs,
                lambda: customers_filtered(store=store, filters=spending).count(),  # noqa: B023
            )
            print(
                f"{q:<10} {count:>8,} {ranked_ms:>7.1f} {count_ms:>8.1f} {page_ms:>8.1f} {beyond:>8} "
                f"{spend_ms:>9.1f} {spent_ms:>8.1f} {spent:>9,}",
                flush=True,
            )
    return 0


if __name__ == "__main__":
    sys.exit(main())
