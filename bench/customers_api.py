"""Benchmark: the customer API against the engine's bare query for the same work, in one process.

    uv run python bench/customers_api.py [--customers 10000] [--queries 500]
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres uv run python bench/customers_api.py

Prints p50/p95 of each API call (in-process Django test client, bearer token, JSON) beside the
bare SQL for the same work, and the ratio: for a search, the one search statement; for a profile
read, the very SELECTs the API issued, replayed; for a create, the duplicate checks and the three
INSERTs in one transaction. It builds its own throwaway database (a temp
SQLite file, or a fresh ``trunkshow_bench`` database on the PostgreSQL server named).
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from typing import Any

FIRST = [
    "Zoë",
    "Anna",
    "Béatrice",
    "Łukasz",
    "Søren",
    "François",
    "Maria",
    "Nguyễn",
    "Olivia",
    "Katherine",
    "Hiroshi",
    "Aisha",
    "Mateo",
    "Ingrid",
    "Chloé",
    "Ravi",
    "Yuki",
    "Siobhán",
    "Jürgen",
    "Elena",
]
LAST = [
    "Müller",
    "Szirmay",
    "Dubois",
    "Nowak",
    "Jensen",
    "García",
    "Rossi",
    "Smith",
    "Tanaka",
    "Ólafsdóttir",
    "Kowalski",
    "O'Brien",
    "Nakamura",
    "Silva",
    "Novák",
    "Andersson",
    "Fischer",
    "Moreau",
    "Costa",
    "Lee",
]


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1)))]


def timed(fn: Callable[[], Any], runs: list[float]) -> Any:
    start = time.perf_counter()
    result = fn()
    runs.append((time.perf_counter() - start) * 1000)
    return result


def setup_database() -> str:
    url = os.environ.get("DATABASE_URL", "")
    if url.startswith("postgres"):
        import psycopg

        base = url.rsplit("/", 1)[0]
        with psycopg.connect(url, autocommit=True) as conn:
            conn.execute("DROP DATABASE IF EXISTS trunkshow_bench")
            conn.execute("CREATE DATABASE trunkshow_bench")
        os.environ["DATABASE_URL"] = f"{base}/trunkshow_bench"
        return "PostgreSQL"
    os.environ.pop("DATABASE_URL", None)
    return "SQLite"


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--customers", type=int, default=10_000)
    parser.add_argument("--queries", type=int, default=500)
    parser.add_argument("--creates", type=int, default=300)
    args = parser.parse_args()

    os.environ["TRUNKSHOW_DATA_DIR"] = tempfile.mkdtemp(prefix="trunkshow-bench-")
    os.environ["TRUNKSHOW_ENV"] = "development"
    os.environ["DEBUG"] = "false"
    os.environ["LOG_LEVEL"] = "WARNING"
    os.environ["DJANGO_SETTINGS_MODULE"] = "trunkshow.settings"
    engine = setup_database()
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection
    from django.test import Client
    from django_scopes import scope

    from trunkshow.customers.services import customer_create
    from trunkshow.stores.services import staff_create, store_create, token_create

    call_command("migrate", verbosity=0)
    store = store_create(slug="bench", name="Bench", phone_region="US", time_zone="America/New_York")
    owner = staff_create(store=store, email="owner@example.com", role="owner", password="a long bench password")
    _token, raw = token_create(store=store, membership=owner)
    client = Client(headers={"Authorization": f"Bearer {raw}"})
    rng = random.Random(7)

    def person(i: int) -> dict[str, Any]:
        first, last = rng.choice(FIRST), rng.choice(LAST)
        return {
            "first_name": first,
            "last_name": f"{last}{i}",
            "phones": [f"+1 914 {200 + i // 10000:03d} {i % 10000:04d}"],
            "emails": [f"{first.lower()}.{i}@example.com"],
        }

    print(f"Loading {args.customers:,} customers through the services on {engine} ...", flush=True)
    start = time.perf_counter()
    people = []
    with scope(store=store):
        for i in range(args.customers):
            p = person(i)
            people.append(p)
            customer_create(store=store, actor=owner.user, allow_duplicate=True, **p)
    load_s = time.perf_counter() - start
    print(f"  {args.customers / load_s:,.0f} customers/s through customer_create", flush=True)

    # --- searches: API vs the bare SQL of the same lookup -------------------------------------
    queries = []
    for _ in range(args.queries):
        i = rng.randrange(args.customers)
        p = people[i]
        kind = rng.choice(["prefix", "full", "email", "phone"])
        if kind == "prefix":
            queries.append((p["last_name"][:4], p["last_name"][:4].lower()))
        elif kind == "full":
            queries.append((f"{p['first_name']} {p['last_name']}", None))
        elif kind == "email":
            queries.append((p["emails"][0], p["emails"][0]))
        else:
            digits = "".join(ch for ch in p["phones"][0] if ch.isdigit())
            queries.append((f"({digits[1:4]}) {digits[4:7]}-{digits[7:]}", digits))

    from trunkshow.core.validation import fold

    bare_sql = (
        "SELECT id, first_name, last_name, sort_name FROM customers_customer "
        "WHERE store_id = %s AND search_text LIKE %s ORDER BY sort_name, id LIMIT 26"
    )
    api_runs: list[float] = []
    bare_runs: list[float] = []
    for q, _needle in queries:
        response = timed(lambda q=q: client.get("/api/v1/customers", {"q": q}), api_runs)
        assert response.status_code == 200, response.content
        words = fold(q).split() if not q.startswith("(") else [_needle]
        pattern = "%" + "%".join(words) + "%"
        with connection.cursor() as cursor:
            timed(lambda pattern=pattern: cursor.execute(bare_sql, [store.pk, pattern]) or cursor.fetchall(), bare_runs)

    # --- profile reads: API vs replaying the very SQL it ran, bare ----------------------------
    from django.db import transaction
    from django.test.utils import CaptureQueriesContext

    ids = [row["id"] for row in client.get("/api/v1/customers", {"limit": 100}).json()["items"]]
    read_api: list[float] = []
    read_bare: list[float] = []
    for _ in range(args.queries):
        cid = rng.choice(ids)
        with CaptureQueriesContext(connection) as captured:
            client.get(f"/api/v1/customers/{cid}")
        statements = [q["sql"] for q in captured.captured_queries if q["sql"].lstrip().upper().startswith("SELECT")]
        response = timed(lambda cid=cid: client.get(f"/api/v1/customers/{cid}"), read_api)
        assert response.status_code == 200

        def replay(statements: list[str] = statements) -> None:
            with connection.cursor() as cursor:
                for sql in statements:
                    cursor.execute(sql)
                    cursor.fetchall()

        timed(replay, read_bare)

    # --- creates: API vs the same duplicate checks and INSERTs, bare, in one transaction -----
    insert_customer = (
        "INSERT INTO customers_customer (store_id, first_name, last_name, preferred_name, address_line1, "
        "address_line2, city, region, postal_code, country, partner_name, preferred_channel, language, "
        "time_zone, source, lifetime_spend, purchase_count, search_text, sort_name, created_at, updated_at) "
        "VALUES (%s, %s, %s, '', '', '', '', '', '', '', '', '', '', '', 'walk_in', 0, 0, %s, %s, "
        "CURRENT_TIMESTAMP, CURRENT_TIMESTAMP) RETURNING id"
    )
    create_api: list[float] = []
    create_bare: list[float] = []
    for i in range(args.customers, args.customers + args.creates):
        p = person(i)
        body = {
            "first_name": p["first_name"],
            "last_name": p["last_name"],
            "phones": [{"number": p["phones"][0]}],
            "emails": [{"address": p["emails"][0]}],
        }
        response = timed(
            lambda body=body: client.post("/api/v1/customers", body, content_type="application/json"), create_api
        )
        assert response.status_code == 201, response.content
        e164 = "+" + "".join(ch for ch in p["phones"][0] if ch.isdigit())
        email = p["emails"][0].replace("@", "+bare@")

        def bare_create(p: dict[str, Any] = p, e164: str = e164, email: str = email) -> None:
            text = fold(f"{p['first_name']} {p['last_name']} {email}") + " " + e164[1:]
            with transaction.atomic(), connection.cursor() as cursor:
                cursor.execute(
                    "SELECT customer_id FROM customers_customerphone WHERE store_id = %s AND e164 = %s",
                    [store.pk, e164],
                )
                cursor.fetchall()
                cursor.execute(
                    "SELECT customer_id FROM customers_customeremail WHERE store_id = %s AND address = %s",
                    [store.pk, email],
                )
                cursor.fetchall()
                cursor.execute(insert_customer, [store.pk, p["first_name"], p["last_name"], text, fold(p["last_name"])])
                new_id = cursor.fetchone()[0]
                cursor.execute(
                    "INSERT INTO customers_customerphone (store_id, customer_id, e164, label, is_primary, created_at) "
                    "VALUES (%s, %s, %s, 'mobile', TRUE, CURRENT_TIMESTAMP)",
                    [store.pk, new_id, e164],
                )
                cursor.execute(
                    "INSERT INTO customers_customeremail (store_id, customer_id, address, label, is_primary, created_at) "
                    "VALUES (%s, %s, %s, 'personal', TRUE, CURRENT_TIMESTAMP)",
                    [store.pk, new_id, email],
                )

        timed(bare_create, create_bare)

    print()
    print(f"{engine}, {args.customers:,} customers in the store, {args.queries} lookups / {args.creates} creates")
    print(f"{'operation':<34}{'API p50':>9}{'API p95':>9}{'bare p50':>10}{'bare p95':>10}{'ratio p50':>11}")
    for name, api_runs_, bare_runs_ in (
        ("search (GET /customers?q=)", api_runs, bare_runs),
        ("read profile (GET /customers/ID)", read_api, read_bare),
        ("create (POST /customers)", create_api, create_bare),
    ):
        a50, a95 = statistics.median(api_runs_), percentile(api_runs_, 95)
        b50, b95 = statistics.median(bare_runs_), percentile(bare_runs_, 95)
        print(f"{name:<34}{a50:>8.2f}ms{a95:>7.2f}ms{b50:>8.2f}ms{b95:>8.2f}ms{a50 / b50:>10.1f}x")
    return 0


if __name__ == "__main__":
    sys.exit(main())
