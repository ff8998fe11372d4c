"""Benchmark: the response-time report over a period's answered waits, beside reading its rows bare.

    uv run python bench/response_report.py --data-dir /tmp/ts-report
    uv run python bench/response_report.py --data-dir /tmp/ts-report-pg \\
        --database-url postgres://postgres@127.0.0.1:5432/trunkshow_report_bench

One store with opening hours (Tuesday to Saturday) and N answered waits (default 10,000 and
100,000) spread over the last 90 days, across 4 staff and 3 channels, plus 9 other stores with as
many each (what the index must keep out). Timed: ``reports.response_report`` for 7, 30 and 90
days (median of 5 runs), beside the engine's bare statement reading the same rows (the same
columns, the same period, fetched into Python) as the baseline, with the ratio: the report's own
work is the per-row arithmetic of the opening-hours clock and the medians.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import platform
import random
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import generate

HOURS = {day: [["10:00", "18:00"]] for day in ("tue", "wed", "thu", "fri")} | {"sat": [["10:00", "17:00"]]}


def populate(waits: int) -> object:
    from django.utils import timezone
    from django_scopes import scopes_disabled

    from trunkshow.messaging.models import Conversation, Response
    from trunkshow.stores.services import staff_create, store_create

    rng = random.Random(11)
    now = timezone.now()
    target = None
    with scopes_disabled():
        for n in range(10):
            store = store_create(
                slug=f"r{n}", name=f"Report {n}", time_zone="America/New_York", phone_region="US", opening_hours=HOURS
            )
            staff = [
                staff_create(
                    store=store, email=f"s{i}@r{n}.example", role="associate", name=f"Staff {i}", password=None
                )
                for i in range(4)
            ]
            conversations = Conversation.objects.bulk_create(
                Conversation(store=store, channel=rng.choice(("sms", "whatsapp", "email"))) for _ in range(waits // 4)
            )
            rows = []
            for _ in range(waits):
                answered = now - dt.timedelta(seconds=rng.randrange(90 * 86400))
                asked = answered - dt.timedelta(seconds=rng.choice((60, 120, 180, 300, 600, 1800, 50000)))
                conversation = rng.choice(conversations)
                rows.append(
                    Response(
                        store=store,
                        conversation=conversation,
                        channel=conversation.channel,
                        asked_at=asked,
                        clock_from=asked,
                        answered_at=answered,
                        answered_by=rng.choice(staff).user,
                    )
                )
            Response.objects.bulk_create(rows, batch_size=5000)
            if n == 0:
                target = store
    return target


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--data-dir", default="var/bench-report")
    parser.add_argument("--database-url", default=None)
    parser.add_argument("--waits", type=int, nargs="+", default=[10_000, 100_000])
    args = parser.parse_args()
    results = []
    for waits in args.waits:
        engine = generate.configure(data_dir=args.data_dir, database_url=args.database_url, fresh=True)
        store = populate(waits)
        from django.db import connection
        from django.utils import timezone
        from django_scopes import scope

        from trunkshow.inbox import reports

        for days in (7, 30, 90):
            with scope(store=store):
                report = reports.response_report(store=store, days=days)  # warm
                ours, bare = [], []
                for _ in range(5):
                    began = time.perf_counter()
                    report = reports.response_report(store=store, days=days)
                    ours.append((time.perf_counter() - began) * 1000)
                    began = time.perf_counter()
                    with connection.cursor() as cursor:
                        cursor.execute(
                            "SELECT asked_at, clock_from, answered_at, answered_by_id, channel FROM messaging_response "
                            "WHERE store_id = %s AND answered_at >= %s AND answered_at <= %s",
                            [store.pk, report.since, timezone.now()],
                        )
                        cursor.fetchall()
                    bare.append((time.perf_counter() - began) * 1000)
            results.append(
                (engine, waits, days, report.total.answered, statistics.median(ours), statistics.median(bare))
            )
        connection.close()
    print(f"{platform.machine()}, {os.cpu_count()} CPUs; load average {os.getloadavg()[0]:.1f}")
    print()
    print("| engine | waits in the store | period | answers read | report | bare rows | ratio |")
    print("| --- | ---: | ---: | ---: | ---: | ---: | ---: |")
    for engine, waits, days, answered, ours_ms, bare_ms in results:
        print(
            f"| {engine} | {waits:,} | {days} days | {answered:,} | {ours_ms:.1f} ms | {bare_ms:.1f} ms "
            f"| {ours_ms / bare_ms:.1f}× |"
        )


if __name__ == "__main__":
    main()
