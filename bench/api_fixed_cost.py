"""Benchmark: what ADR 0019 took off every API request, beside the way it was, in one process.

    uv run python bench/api_fixed_cost.py --data-dir /tmp/ts-1m        # a book made by bench/generate.py

The same searches (bench/search.py's mix, from the big store's customers) go through
``GET /api/v1/customers?q=`` in turn under four set-ups: Django's own page middleware and the
standard library's ``json`` (as before ADR 0019), each of the two changes alone, and both (as
now). Each set-up asks every query in rounds (the first round warms the pages and is not counted;
the order of set-ups turns with each round, so none always follows another); printed per kind of
query: the median of each set-up and, in brackets, its difference from the old one (negative:
faster).
"""

from __future__ import annotations

import argparse
import random
import statistics
import sys
import time
from collections import defaultdict
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import generate
import search as search_bench

# What settings.MIDDLEWARE listed before ADR 0019, class by class.
DJANGO_PAGES = {
    "LocaleMiddleware": "django.middleware.locale.LocaleMiddleware",
    "CommonMiddleware": "django.middleware.common.CommonMiddleware",
    "AuthenticationMiddleware": "django.contrib.auth.middleware.AuthenticationMiddleware",
    "MessageMiddleware": "django.contrib.messages.middleware.MessageMiddleware",
}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--data-dir", required=True)
    parser.add_argument("--database-url", default=None)
    parser.add_argument("--queries", type=int, default=400)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--seed", type=int, default=11)
    args = parser.parse_args()

    engine = generate.configure(data_dir=args.data_dir, database_url=args.database_url, fresh=False)
    from django.conf import settings
    from django.db import connection
    from django.test import Client, override_settings
    from ninja.renderers import JSONRenderer as StandardJSON

    from trunkshow.urls import api

    store, raw = search_bench.big_store_token("fixed-cost bench")
    with connection.cursor() as cur:
        cur.execute(
            "SELECT c.id, c.first_name, c.last_name, "
            "(SELECT e164 FROM customers_customerphone p WHERE p.customer_id = c.id ORDER BY id LIMIT 1), "
            "(SELECT address FROM customers_customeremail e WHERE e.customer_id = c.id ORDER BY id LIMIT 1) "
            "FROM customers_customer c WHERE c.store_id = %s AND c.erased_at IS NULL AND c.id %% 997 = %s",
            [store.pk, args.seed],
        )
        people = [
            {"id": r[0], "first_name": r[1], "last_name": r[2], "phone": r[3], "email": r[4]}
            for r in cur.fetchall()
            if r[3] and r[4]
        ][: args.queries]
    queries = search_bench.make_queries(people, len(people), random.Random(args.seed))

    now = list(settings.MIDDLEWARE)
    before = [DJANGO_PAGES.get(m.rsplit(".", 1)[1], m) if m.startswith("trunkshow.core.pages.") else m for m in now]
    ours = api.renderer
    setups = {
        "before (Django's middleware, json)": (before, StandardJSON()),
        "pages passed by": (now, StandardJSON()),
        "orjson": (before, ours),
        "both (now)": (now, ours),
    }
    timings: dict[str, dict[str, list[float]]] = {name: defaultdict(list) for name in setups}
    names = list(setups)
    for round_ in range(args.rounds + 1):
        order = names[round_ % len(names) :] + names[: round_ % len(names)]
        for name in order:
            middleware, renderer = setups[name]
            api.renderer = renderer
            with override_settings(MIDDLEWARE=middleware):
                client = Client(headers={"Authorization": f"Bearer {raw}"})
                for kind, q, _pk in queries:
                    start = time.perf_counter()
                    response = client.get("/api/v1/customers", {"q": q})
                    elapsed = (time.perf_counter() - start) * 1000
                    assert response.status_code == 200, response.content
                    if round_:
                        timings[name][kind].append(elapsed)
    api.renderer = ours

    print(f"{engine}: {len(queries)} queries x {args.rounds} rounds per set-up\n")
    kinds = [k for k, _w in search_bench.KINDS if timings[names[0]][k]] + ["all"]
    for name in names:
        timings[name]["all"] = [x for k in kinds[:-1] for x in timings[name][k]]
    print("| set-up | " + " | ".join(f"{k} p50" for k in kinds) + " |")
    print("| --- |" + " ---: |" * len(kinds))
    base = names[0]
    for name in names:
        cells = []
        for kind in kinds:
            p50 = statistics.median(timings[name][kind])
            saved = statistics.median(timings[base][kind]) - p50
            cells.append(f"{p50:.3f} ms" + (f" ({-saved:+.3f})" if name != base else ""))
        print(f"| {name} | " + " | ".join(cells) + " |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
