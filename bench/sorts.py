"""The customer list's sorts on a big store: each one's query plan and time, first page and deep down.

    uv run python bench/sorts.py --data-dir /tmp/gp-100k \\
        --database-url postgres://postgres@127.0.0.1:5432/gp_100k

For every sort of ``filtering.SORTS`` it builds the list's own query (``customers_filtered`` and
``page_in_order``, no search box), prints the plan (EXPLAIN ANALYZE on PostgreSQL, EXPLAIN QUERY
PLAN on SQLite) of the first page and of a page after a cursor half-way down the book, and the
best of 5 timings of each. A plan that sorts the store's rows (``Sort``, ``USE TEMP B-TREE FOR
ORDER BY``) instead of walking an index is what this is here to catch.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).parent))

import generate


def timed_plan(sql: str, params: Any) -> tuple[float, list[str]]:
    """The best of 5 timings of a query, in seconds, and its plan (EXPLAIN ANALYZE on PostgreSQL,
    EXPLAIN QUERY PLAN on SQLite), one line a step."""
    from django.db import connection

    explain = "EXPLAIN ANALYZE " if connection.vendor == "postgresql" else "EXPLAIN QUERY PLAN "
    best = float("inf")
    with connection.cursor() as cur:
        for _ in range(5):
            start = time.perf_counter()
            cur.execute(sql, params)
            cur.fetchall()
            best = min(best, time.perf_counter() - start)
        cur.execute(explain + sql, params)
        plan = [" | ".join(str(x) for x in row) for row in cur.fetchall()]
    return best, plan


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--data-dir", required=True)
    parser.add_argument("--database-url", default=None)
    parser.add_argument("--store", default="big", help="the store's slug")
    parser.add_argument("--no-migrate", action="store_true", help="read the database as it is")
    args = parser.parse_args()

    if args.no_migrate:
        import os

        import django

        os.environ["TRUNKSHOW_DATA_DIR"] = str(Path(args.data_dir).resolve())
        os.environ["DJANGO_SETTINGS_MODULE"] = "trunkshow.settings"
        os.environ.setdefault("TRUNKSHOW_ENV", "development")
        if args.database_url:
            os.environ["DATABASE_URL"] = args.database_url
        django.setup()
    else:
        generate.configure(data_dir=args.data_dir, database_url=args.database_url, fresh=False)
    from django_scopes import scopes_disabled

    from trunkshow.customers.filtering import SORTS, CustomerFilter, _beyond_parts, customers_filtered

    with scopes_disabled():
        from trunkshow.stores.models import Store

        store = Store.objects.get(slug=args.store)
        for name, sort in SORTS.items():
            filters = CustomerFilter(sort=name)
            qs = customers_filtered(store=store, filters=filters)
            total = qs.count()
            middle = qs[total // 2]
            # The first part of the cursor's condition: the query a page after it runs first.
            deep = qs.filter(_beyond_parts(sort, getattr(middle, sort.column), middle.pk)[0])
            for label, page in (("first page", qs[:26]), ("after a cursor half-way", deep[:26])):
                best, plan = timed_plan(*page.query.sql_with_params())
                print(f"== {name} ({label}): best of 5 {best * 1000:.1f} ms")
                for line in plan:
                    print("   ", line)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
