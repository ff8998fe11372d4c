"""The date filter on a big store: count, first page and next page, beside the window alone.

    uv run python bench/dates.py --data-dir /tmp/ts-1m
    uv run python bench/dates.py --data-dir /tmp/ts-pg --database-url postgres://postgres@127.0.0.1:5432/ts_1m

"Birthday (or any date) within N days" is what a store reads before it calls its customers. For
each kind of date and window it times, best of 3, what the list asks the database: the count shown
above the rows, the first page soonest first, the next page after its cursor, and the first and
second pages by name (walked in the name index first, ``filtering.customers_walked``). The same in
the same process with the condition as it was before the indexes' superset
(``coming.zones_condition``: one window per group of time zones, which no index serves) is the
baseline; the ratio is ours over it (below 1: faster). The last column is the first page by name
from the superset alone, without the walk (as the thirteenth session left it).
"""

from __future__ import annotations

import argparse
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).parent))

import generate


def best_of(runs: int, work: Callable[[], Any]) -> float:
    best = float("inf")
    for _ in range(runs):
        start = time.perf_counter()
        work()
        best = min(best, time.perf_counter() - start)
    return best * 1000


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--data-dir", required=True)
    parser.add_argument("--database-url", default=None)
    parser.add_argument("--store", default="big", help="the store's slug")
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()

    engine = generate.configure(data_dir=args.data_dir, database_url=args.database_url, fresh=False)
    from django.http import QueryDict
    from django.utils import timezone
    from django_scopes import scopes_disabled

    from trunkshow.customers import coming
    from trunkshow.customers.filtering import customers_filtered, customers_walked, filters_parse, page_in_order
    from trunkshow.customers.models import Customer
    from trunkshow.stores.models import Store

    with scopes_disabled():
        store = Store.objects.get(slug=args.store)
        total = Customer._base_manager.filter(store=store).count()
    print(f"{engine}: {total:,} customers in {args.store!r}; best of {args.runs}, ms\n")
    print(
        "| date | within | found | count | (before) | first page | (before) | next page | (before) "
        "| by name | (before) | by name, next | (before) | by name, superset alone |"
    )
    print("| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |")
    original = coming.date_condition

    def before(store: Any, kind: str, days: int, now: Any, *, indexed: bool = True) -> Any:
        return coming.zones_condition(kind, days, coming.local_today_groups(store, now))

    for kind in ("birthday", "partner_birthday", "anniversary", "any"):
        for within in (7, 30):
            cells: list[str] = []
            found = 0
            figures: dict[str, list[float]] = {}
            for side, condition in (("ours", original), ("before", before)):
                coming.date_condition = condition  # type: ignore[assignment]
                now = timezone.now()
                with scopes_disabled():
                    soonest = filters_parse(QueryDict(f"date={kind}&within={within}"), store=store)
                    by_name = filters_parse(QueryDict(f"date={kind}&within={within}&sort=name"), store=store)
                    qs = customers_filtered(store=store, filters=soonest, now=now)
                    first = page_in_order(qs, filters=soonest, limit=25)
                    named = customers_filtered(store=store, filters=by_name, now=now)
                    walk = customers_walked(store=store, filters=by_name, now=now)
                    first_named = page_in_order(named, filters=by_name, limit=25, walk=walk, store=store)
                    found = qs.count()
                    figures[side] = [
                        best_of(args.runs, qs.count),
                        best_of(args.runs, lambda qs=qs, soonest=soonest: page_in_order(qs, filters=soonest, limit=25)),
                        best_of(
                            args.runs,
                            lambda qs=qs, first=first, soonest=soonest: (
                                page_in_order(qs, filters=soonest, cursor=first.next_cursor, limit=25)
                                if first.next_cursor
                                else None
                            ),
                        ),
                        best_of(
                            args.runs,
                            lambda named=named, by_name=by_name, walk=walk: page_in_order(
                                named, filters=by_name, limit=25, walk=walk, store=store
                            ),
                        ),
                        best_of(
                            args.runs,
                            lambda named=named, by_name=by_name, walk=walk, first_named=first_named: (
                                page_in_order(
                                    named,
                                    filters=by_name,
                                    cursor=first_named.next_cursor,
                                    limit=25,
                                    walk=walk,
                                    store=store,
                                )
                                if first_named.next_cursor
                                else None
                            ),
                        ),
                    ]
                    if side == "ours":
                        alone = best_of(
                            args.runs,
                            lambda named=named, by_name=by_name: page_in_order(named, filters=by_name, limit=25),
                        )
            coming.date_condition = original
            for ours, old in zip(figures["ours"], figures["before"], strict=True):
                cells += [f"{ours:.0f}", f"({old:.0f}, {ours / old:.2f}×)" if old else f"({old:.0f})"]
            cells.append(f"{alone:.0f}")
            print(f"| {kind} | {within} | {found:,} | " + " | ".join(cells) + " |", flush=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
