"""Export of a million customers: rows per second and memory, beside a bare cursor + csv.writer.

    uv run python bench/export.py --customers 1000000 --data-dir /tmp/ts-export
    uv run python bench/export.py --customers 1000000 --data-dir /tmp/ts-export \\
        --database-url postgres://postgres@127.0.0.1:5432/trunkshow_bench_export

The book is made with ``bench/generate.py`` (``--existing`` reuses one made earlier). Each side
runs in its own process forked from this one (so neither inherits the other's memory), writing
the CSV to a sink that only counts bytes:

- **ours**: ``exporting.customers_export`` (right check, count, audit entry) and its stream,
  exactly what the download view sends: keyset chunks of 1,000 rows, each with its phones,
  emails, interests and consent in four more queries, every cell neutralised;
- **bare**: one SQL statement over the same rows in the same order (customer columns, phones and
  emails aggregated by correlated subqueries), read through a server-side cursor on PostgreSQL
  (Django's ``chunked_cursor``) and a plain iterating cursor on SQLite, into ``csv.writer``.

Memory is the growth of the process's resident set over the pass (peak ``ru_maxrss`` minus the
resident size at the start), sampled also after the first 100,000 rows, so growth with size shows.
"""

from __future__ import annotations

import argparse
import multiprocessing
import os
import resource
import sys
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "src"))

CHECKPOINT = 100_000


def _rss_kib() -> int:
    with open("/proc/self/statm") as f:
        pages = int(f.read().split()[1])
    return pages * os.sysconf("SC_PAGE_SIZE") // 1024


def _peak_kib() -> int:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss


class Sink:
    """Counts what would go to the client."""

    def __init__(self) -> None:
        self.bytes = 0

    def write(self, text: str) -> int:
        self.bytes += len(text.encode("utf-8"))
        return len(text)


def _ours(store_id: int, owner_id: int) -> dict[str, Any]:
    from django_scopes import scope

    from trunkshow.customers.exporting import customers_export
    from trunkshow.customers.filtering import CustomerFilter
    from trunkshow.stores.models import Membership, Store

    start_rss = _rss_kib()
    t0 = time.perf_counter()
    store = Store.objects.get(pk=store_id)
    with scope(store=store):
        membership = Membership.objects.select_related("user").get(store=store, user_id=owner_id)
        export = customers_export(store=store, actor=membership.user, membership=membership, filters=CustomerFilter())
    sink, rows, at_checkpoint = Sink(), 0, None
    for piece in export.chunks():
        sink.write(piece)
        rows += piece.count("\r\n")
        if at_checkpoint is None and rows >= CHECKPOINT:
            at_checkpoint = _peak_kib() - start_rss
    seconds = time.perf_counter() - t0
    return {
        "rows": rows - 1,
        "bytes": sink.bytes,
        "seconds": seconds,
        "growth_kib": _peak_kib() - start_rss,
        "growth_at_100k_kib": at_checkpoint,
    }


def _bare(store_id: int) -> dict[str, Any]:
    import csv

    from django.db import connection

    agg = "string_agg({col}, '; ' ORDER BY x.id)" if connection.vendor == "postgresql" else "group_concat({col}, '; ')"
    sql = (
        "SELECT c.id, c.first_name, c.last_name, c.preferred_name, "
        f"(SELECT {agg.format(col='x.address')} FROM customers_customeremail x WHERE x.customer_id = c.id), "
        f"(SELECT {agg.format(col='x.e164')} FROM customers_customerphone x WHERE x.customer_id = c.id), "
        "c.address_line1, c.address_line2, c.city, c.region, c.postal_code, c.country, "
        "c.birthday_year, c.birthday_month, c.birthday_day, c.partner_name, c.source, c.assigned_associate_id, "
        "c.lifetime_spend, c.purchase_count, c.last_purchase_on, c.last_contact_at, c.created_at "
        "FROM customers_customer c WHERE c.store_id = %s AND c.erased_at IS NULL ORDER BY c.sort_name, c.id"
    )
    start_rss = _rss_kib()
    t0 = time.perf_counter()
    sink = Sink()
    writer = csv.writer(sink, lineterminator="\r\n")
    rows, at_checkpoint = 0, None
    connection.ensure_connection()
    with connection.chunked_cursor() as cursor:
        cursor.execute(sql, [store_id])
        while True:
            batch = cursor.fetchmany(2000)
            if not batch:
                break
            writer.writerows(batch)
            rows += len(batch)
            if at_checkpoint is None and rows >= CHECKPOINT:
                at_checkpoint = _peak_kib() - start_rss
    seconds = time.perf_counter() - t0
    return {
        "rows": rows,
        "bytes": sink.bytes,
        "seconds": seconds,
        "growth_kib": _peak_kib() - start_rss,
        "growth_at_100k_kib": at_checkpoint,
    }


def _in_child(fn: Any, *args: Any) -> dict[str, Any]:
    """Run ``fn`` in a forked process with its own database connection; return its figures."""
    from django.db import connections

    connections.close_all()
    ctx = multiprocessing.get_context("fork")
    queue = ctx.Queue()

    def run() -> None:
        from django.db import transaction

        with transaction.atomic():  # one snapshot, as a long export reads
            queue.put(fn(*args))

    process = ctx.Process(target=run)
    process.start()
    result = queue.get()
    process.join()
    return result


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--customers", type=int, default=1_000_000)
    parser.add_argument("--data-dir", default="var/bench-export")
    parser.add_argument("--database-url", default=os.environ.get("DATABASE_URL"))
    parser.add_argument("--existing", action="store_true", help="reuse a book generate.py made earlier")
    args = parser.parse_args()

    import generate

    engine = generate.configure(data_dir=args.data_dir, database_url=args.database_url, fresh=not args.existing)
    from django_scopes import scopes_disabled

    from trunkshow.stores.models import Membership, Store

    if args.existing:
        with scopes_disabled():
            store = Store.objects.get(slug="big")
            owner_id = Membership.objects.filter(store=store, role="owner").values_list("user_id", flat=True).first()
        store_id = store.pk
    else:
        print(f"Generating {args.customers:,} customers on {engine} ...", flush=True)
        made = generate.generate(customers=args.customers, small_stores=99, small_size=200)
        store_id, owner_id = made.big_store_id, made.owner_user_id

    bare = _in_child(_bare, store_id)
    ours = _in_child(_ours, store_id, owner_id)
    assert ours["rows"] == bare["rows"], (ours["rows"], bare["rows"])

    def rate(r: dict[str, Any]) -> float:
        return r["rows"] / r["seconds"]

    print(f"\nExport of {ours['rows']:,} customers on {engine}")
    print(f"{'':10} {'rows/s':>10} {'seconds':>8} {'MB out':>8} {'RSS growth':>11} {'at 100k':>9}")
    for name, r in (("ours", ours), ("bare", bare)):
        print(
            f"{name:10} {rate(r):>10,.0f} {r['seconds']:>8.1f} {r['bytes'] / 1e6:>8.1f} "
            f"{r['growth_kib'] / 1024:>9.1f} MB {(r['growth_at_100k_kib'] or 0) / 1024:>6.1f} MB"
        )
    print(f"ratio (ours / bare rows per second): {rate(ours) / rate(bare):.2f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
