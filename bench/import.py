"""Import benchmark: a 100,000-row point-of-sale CSV into a store that already has 1M customers.

    uv run python bench/import.py --data-dir /tmp/ts-import-1m                 # SQLite
    uv run python bench/import.py --data-dir /tmp/ts-import-1m-pg \\
        --database-url postgres://postgres@127.0.0.1:5432/trunkshow_import_bench  # PostgreSQL
    uv run python bench/import.py --data-dir /tmp/ts-import-20k --customers 20000 --rows 10000 \\
        --memory-rows '' --reimport                                           # and the same file again

Prints, in one process on one database: rows/s of the real import (upload and whole-file check,
then the batched run exactly as the worker does it) beside the raw load of the same rows into
the same tables with the same indexes and triggers (SQLite ``executemany`` in one transaction;
PostgreSQL ``COPY``), as a ratio (goal: at least 0.5); then the peak memory of import processes
for 10k and 100k rows (goal: no growth with the file's size). With ``--reimport``, the same file
imported again, every line matched by its phone and email and found unchanged (the merge path's rows/s),
then once more without its emails (matched by phone, so the names are compared).

The store is made by bench/generate.py (1M customers plus 99 small stores) unless ``--reuse``
finds it already there. Before the import, a twin of the book is made (a byte copy of the
SQLite file, or ``CREATE DATABASE ... TEMPLATE`` on PostgreSQL); the import runs on the book, and
after it the raw load runs in a child process on the twin, which is then dropped. Each side starts from the same pages: loading the
same people into one book twice gives the second load pages the first has already split and
read (measured: 20,000 rows into 1M, SQLite, the raw load's customer INSERT took 23.1 s before
the import and 14.0 s after it). On SQLite each file is read through before its run, so both
start with the file in the operating system's cache.
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import platform
import random
import resource
import subprocess
import sys
import time
from decimal import Decimal
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "src"))

import generate

HEADER = [
    "First Name",
    "Last Name",
    "Email",
    "Phone",
    "Address1",
    "City",
    "Province Code",
    "Country Code",
    "Zip",
    "Accepts Email Marketing",
    "Total Spent",
    "Tags",
    "Birthday",
]
TAGS = ["sapphire", "pearls", "yellow gold", "diamonds", "emerald", "vintage", "platinum", "rubies"]
AREAS = ["914", "212", "415", "646", "718", "617", "305", "512"]
CITIES = [("Boston", "MA", "02110"), ("New York", "NY", "10001"), ("Miami", "FL", "33101"), ("Austin", "TX", "73301")]
# People of the CSV files are numbered from here on: beyond the generated book (about 1.02M), and
# below where generate._number wraps (UK numbers: 10M), so they are new.
FIRST_NUMBER = 2_000_000


def people(count: int, seed: int, first: int) -> Any:
    """What one CSV row says, as values (the row as the file has it is written by write_csv)."""
    rng = random.Random(seed)
    for k in range(count):
        i = first + k
        p = generate.person(rng, i)
        city, region, zip_code = CITIES[k % len(CITIES)]
        # US numbers as a US point of sale writes them, read with the store's region; exchanges
        # from 300 up, where the generated book (200-210) has none, so every one is new.
        area, m = AREAS[i % len(AREAS)], i // len(AREAS)
        exchange, line = 300 + (m // 10_000) % 700, m % 10_000
        yield {
            "first_name": p["first_name"],
            "last_name": p["last_name"],
            "email": p["email"],
            "e164": f"+1{area}{exchange}{line:04d}",
            "phone_text": f"({area}) {exchange}-{line:04d}",
            "address_line1": f"{rng.randint(1, 999)} Main Street",
            "city": city,
            "region": region,
            "country": "US",
            "postal_code": zip_code,
            "marketing": rng.random() < 0.4,
            "spend": Decimal(rng.randrange(0, 500_000)) / 100,
            "tag": TAGS[k % len(TAGS)],
            "birthday": (rng.randint(1, 28), rng.randint(1, 12), rng.randint(1940, 2004)) if k % 2 else None,
        }


def write_csv(path: Path, count: int, seed: int, first: int) -> None:
    with open(path, "w", newline="", encoding="utf-8") as fh:
        out = csv.writer(fh)
        out.writerow(HEADER)
        for p in people(count, seed, first):
            day_month_year = p["birthday"]
            out.writerow(
                [
                    p["first_name"],
                    p["last_name"],
                    p["email"],
                    p["phone_text"],
                    p["address_line1"],
                    p["city"],
                    p["region"],
                    p["country"],
                    p["postal_code"],
                    "yes" if p["marketing"] else "no",
                    f"${p['spend']:,.2f}",
                    p["tag"],
                    f"{day_month_year[1]:02d}/{day_month_year[0]:02d}/{day_month_year[2]}" if day_month_year else "",
                ]
            )


def _search_sql() -> Any:
    """The search migration's SQL, with its SQLite stamp rebuild made to insert one stamp per store.

    As merged (0007), ``SELECT DISTINCT store_id, '', abs(random())`` is distinct per random
    number, not per store, so generate.py's rebuild fails on a UNIQUE constraint after loading;
    reported to the search helper, patched here in memory only.
    """
    import importlib

    sql = importlib.import_module("trunkshow.customers.migrations.0007_search_indexes")
    broken = "SELECT DISTINCT store_id, '', abs(random()) FROM customers_customer"
    fixed = "SELECT store_id, '', abs(random()) FROM (SELECT DISTINCT store_id FROM customers_customer)"
    sql.SQLITE_REBUILD = [statement.replace(broken, fixed) for statement in sql.SQLITE_REBUILD]
    return sql


def ensure_search_indexes() -> None:
    """A SQLite book whose generation stopped before the search rebuild gets it (and its triggers)."""
    from django.db import connection, transaction

    if connection.vendor != "sqlite":
        return
    with connection.cursor() as cur:
        cur.execute("SELECT count(*) FROM sqlite_master WHERE type = 'trigger' AND name = 'customer_search_ai'")
        if cur.fetchone()[0]:
            return
    sql = _search_sql()
    t0 = time.perf_counter()
    with transaction.atomic(), connection.cursor() as cur:
        for statement in [*sql.SQLITE_REBUILD, *sql.SQLITE_TRIGGERS]:
            cur.execute(statement)
    with connection.cursor() as cur:
        cur.execute("ANALYZE")
    print(f"  search indexes rebuilt in {time.perf_counter() - t0:.1f} s (the generation had stopped before)")


def server_cpu() -> float | None:
    """CPU seconds the PostgreSQL backend serving this process's connection has used, read from
    /proc when the server runs on this machine (None otherwise, or on SQLite). Added to the client's
    CPU time, it gives a ratio that other load on the machine does not move; it leaves out the
    server's background work (WAL writer, checkpointer, autovacuum) and time spent waiting on disk."""
    from django.db import connection

    if connection.vendor != "postgresql":
        return None
    with connection.cursor() as cur:
        cur.execute("SELECT pg_backend_pid()")
        pid = int(cur.fetchone()[0])
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return None
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")  # utime, stime


def children_cpu() -> float:
    """CPU seconds of this process's ended children (the import's checking process)."""
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def run_import(store: Any, path: Path) -> tuple[Any, float, float]:
    """The import as the web and the worker do it; (job, seconds for upload+check, seconds for the run).

    ``run_import.cpu`` holds the CPU seconds this process spent (with SQLite, the database's work too)."""
    from django_scopes import scope

    from trunkshow.customers import importing

    s0 = server_cpu()
    k0 = children_cpu()
    with scope(store=store):
        c0 = time.process_time()
        t0 = time.perf_counter()
        with open(path, "rb") as fh:
            job = importing.import_upload(store=store, actor=None, file_name=path.name, stream=fh)
        job = importing.import_start(store=store, actor=None, job=job, mapping=job.mapping, enqueue=False)
        t1 = time.perf_counter()
        job = importing.import_run(store=store, job_id=job.pk)
        t2 = time.perf_counter()
    run_import.cpu = time.process_time() - c0  # type: ignore[attr-defined]
    # A large file is checked in a second process (ended with the run): its CPU counts too.
    run_import.checker_cpu = children_cpu() - k0  # type: ignore[attr-defined]
    run_import.checker_peak_kib = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss  # type: ignore[attr-defined]
    s1 = server_cpu()
    run_import.server_cpu = None if s0 is None or s1 is None else s1 - s0  # type: ignore[attr-defined]
    return job, t1 - t0, t2 - t1


# ---- the bare baseline ------------------------------------------------------------------


def raw_rows(store_id: int, count: int, seed: int, first: int, start_id: int, event_start: int) -> dict[str, list]:
    """The rows the import writes for these people, as tuples for each table (ImportRow aside)."""
    from django.utils import timezone

    from trunkshow.core.validation import fold
    from trunkshow.customers.interests import interest_words

    now = timezone.now()
    columns = generate._customer_columns()
    tables: dict[str, list] = {"customer": [], "phone": [], "email": [], "interest": [], "event": [], "current": []}
    event_id = event_start
    for k, p in enumerate(people(count, seed, first)):
        pk = start_id + k
        birthday = p["birthday"] or (None, None, None)
        row = {
            "store_id": store_id,
            "title": "",
            "first_name": p["first_name"],
            "last_name": p["last_name"],
            "preferred_name": "",
            "address_line1": p["address_line1"],
            "address_line2": "",
            "city": p["city"],
            "region": p["region"],
            "postal_code": p["postal_code"],
            "country": p["country"],
            "birthday_day": birthday[0],
            "birthday_month": birthday[1],
            "birthday_year": birthday[2],
            "partner_id": None,
            "partner_name": "",
            "partner_birthday_day": None,
            "partner_birthday_month": None,
            "partner_birthday_year": None,
            "preferred_channel": "",
            "language": "",
            "time_zone": "",
            "assigned_associate_id": None,
            "source": "import",
            "lifetime_spend": p["spend"],
            "purchase_count": 0,
            "last_purchase_on": None,
            "search_text": fold(f"{p['first_name']} {p['last_name']} {p['email']}") + " " + p["e164"][1:],
            "sort_name": fold(f"{p['last_name']} {p['first_name']}")[:220],
            "imported_spend": p["spend"],
            "last_contact_at": None,
            "erased_at": None,
            "created_by_id": None,
            "created_at": now,
            "updated_at": now,
        }
        tables["customer"].append((pk, *(row[c] for c in columns)))
        tables["phone"].append((store_id, pk, p["e164"], "mobile", True, now))
        tables["email"].append((store_id, pk, p["email"], "personal", True, now))
        tables["interest"].append((store_id, pk, "free", p["tag"], fold(p["tag"]), interest_words(p["tag"]), now))
        if p["marketing"]:
            evidence = (
                f"Imported from bench.csv (SHA-256 {'0' * 64}), line {k + 2}, column “Accepts Email Marketing”: “yes”"
            )
            tables["event"].append(
                (event_id, store_id, pk, "email", "marketing", "granted", now, "import", evidence, "", None, None, now)
            )
            tables["current"].append((store_id, pk, "email", "marketing", True, event_id))
            event_id += 1
    return tables


COLUMNS = {
    "phone": ("customers_customerphone", "store_id, customer_id, e164, label, is_primary, created_at"),
    "email": ("customers_customeremail", "store_id, customer_id, address, label, is_primary, created_at"),
    "interest": ("customers_interest", "store_id, customer_id, kind, value, value_key, value_words, created_at"),
    "event": (
        "customers_consentevent",
        "id, store_id, customer_id, channel, purpose, action, occurred_at, method, evidence_text, evidence_url, "
        "evidence_ip, staff_user_id, recorded_at",
    ),
    "current": ("customers_currentconsent", "store_id, customer_id, channel, purpose, granted, event_id"),
}


def raw_load(tables: dict[str, list]) -> float:
    """Seconds to load the rows with the engine's bare bulk path in one transaction, commit included
    (on the book's twin, which is dropped after)."""
    from django.db import connection, transaction

    customer_cols = "id, " + ", ".join(generate._customer_columns())
    order = [("customer", ("customers_customer", customer_cols)), *COLUMNS.items()]
    s0 = server_cpu()
    c0 = time.process_time()
    t0 = time.perf_counter()
    with transaction.atomic(), connection.cursor() as cur:
        if connection.vendor == "postgresql":
            raw = connection.connection.cursor()
            for key, (table, cols) in order:
                with raw.copy(f"COPY {table} ({cols}) FROM STDIN") as copy:
                    for row in tables[key]:
                        copy.write_row(row)
        else:
            for key, (table, cols) in order:
                marks = ", ".join(["%s"] * len(cols.split(",")))
                cur.executemany(f"INSERT INTO {table} ({cols}) VALUES ({marks})", tables[key])
    seconds = time.perf_counter() - t0
    raw_load.cpu = time.process_time() - c0  # type: ignore[attr-defined]
    s1 = server_cpu()
    raw_load.server_cpu = None if s0 is None or s1 is None else s1 - s0  # type: ignore[attr-defined]
    return seconds


def twin_name(args: argparse.Namespace) -> tuple[str, str | None]:
    """Where the book's twin lives: (data dir, database URL)."""
    twin_dir = str(Path(args.data_dir).resolve()) + "-raw-twin"
    if args.database_url and args.database_url.startswith("postgres"):
        return twin_dir, args.database_url + "_raw_twin"
    return twin_dir, None


def make_twin(args: argparse.Namespace) -> None:
    """A twin of the book, before anything is imported into it."""
    import shutil

    import psycopg
    from django.db import connection, connections

    twin_dir, twin_url = twin_name(args)
    shutil.rmtree(twin_dir, ignore_errors=True)
    Path(twin_dir).mkdir(parents=True)
    shutil.copy2(Path(args.data_dir) / "secret_key", Path(twin_dir) / "secret_key")
    if twin_url:
        connections.close_all()  # a template database may have no other session:
        for conn in connections.all():  # nor the pool's idle ones (settings: a pool on PostgreSQL)
            if getattr(conn, "pool", None) is not None:
                conn.close_pool()
        base, _sep, name = args.database_url.rpartition("/")
        twin = twin_url.rpartition("/")[2]
        with psycopg.connect(f"{base}/postgres", autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{twin}" WITH (FORCE)')
            conn.execute(f'CREATE DATABASE "{twin}" TEMPLATE "{name}"')
    else:
        with connection.cursor() as cur:
            cur.execute("PRAGMA wal_checkpoint(TRUNCATE)")  # the whole book in the one file
        connections.close_all()
        shutil.copyfile(Path(args.data_dir) / "trunkshow.sqlite3", Path(twin_dir) / "trunkshow.sqlite3")


def raw_on_twin(args: argparse.Namespace) -> dict[str, Any]:
    """The raw load of the file's rows, in a child process (after the import, so that the checking
    process's peak memory is read alone), on the twin, which is dropped after; the child's figures."""
    import shutil

    import psycopg

    twin_dir, twin_url = twin_name(args)
    cmd = [sys.executable, __file__, "--data-dir", twin_dir, "--raw-child", "--rows", str(args.rows)]
    cmd += ["--seed", str(args.seed), "--first", str(args.first)]
    if twin_url:
        cmd += ["--database-url", twin_url]
    try:
        out = subprocess.run(cmd, check=True, capture_output=True, text=True).stdout.strip().splitlines()[-1]
    finally:
        shutil.rmtree(twin_dir, ignore_errors=True)
        if twin_url:
            base = twin_url.rpartition("/")[0]
            with psycopg.connect(f"{base}/postgres", autocommit=True) as conn:
                conn.execute(f'DROP DATABASE IF EXISTS "{twin_url.rpartition("/")[2]}" WITH (FORCE)')
    return json.loads(out)


def child_raw(args: argparse.Namespace) -> int:
    """In a fresh process, on the twin: the raw load of the file's rows, as JSON."""
    generate.configure(data_dir=args.data_dir, database_url=args.database_url, fresh=False)
    from trunkshow.stores.models import Store

    store = Store.objects.get(slug="big")
    start_id, event_start = next_ids()
    tables = raw_rows(store.pk, args.rows, args.seed, args.first, start_id, event_start)
    warm(Path(args.data_dir))
    seconds = raw_load(tables)
    figures = {
        "seconds": seconds,
        "cpu": raw_load.cpu,  # type: ignore[attr-defined]
        "server_cpu": raw_load.server_cpu,  # type: ignore[attr-defined]
        "table_rows": sum(len(t) for t in tables.values()),
    }
    print(json.dumps(figures))
    return 0


def warm(data_dir: Path) -> None:
    """Read a SQLite book through, so that a run starts with it in the operating system's cache
    (this machine keeps about 1.5 GB of files cached: a book copied just before is partly out)."""
    for name in ("trunkshow.sqlite3", "trunkshow.sqlite3-wal"):
        path = data_dir / name
        if path.exists():
            with open(path, "rb") as fh:
                while fh.read(1 << 20):
                    pass


def next_ids() -> tuple[int, int]:
    from django.db import connection

    with connection.cursor() as cur:
        cur.execute("SELECT coalesce(max(id), 0) + 1000 FROM customers_customer")
        customer = int(cur.fetchone()[0])
        cur.execute("SELECT coalesce(max(id), 0) + 1000 FROM customers_consentevent")
        event = int(cur.fetchone()[0])
    return customer, event


# ---- memory -------------------------------------------------------------------------------


def peak_kib() -> int:
    """This process's peak resident memory. VmHWM starts afresh at exec, unlike ru_maxrss, which
    a child started with fork and exec inherits from its parent on Linux."""
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1])
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss


def child_memory(args: argparse.Namespace) -> int:
    """In a fresh process: import N rows and report how much the peak RSS grew during the import."""
    generate.configure(data_dir=args.data_dir, database_url=args.database_url, fresh=False)
    from trunkshow.stores.models import Store

    store = Store.objects.get(slug="big")
    path = Path(args.data_dir) / f"bench-memory-{args.child_rows}.csv"
    write_csv(path, args.child_rows, seed=args.seed, first=args.first)
    before = peak_kib()
    job, check, run = run_import(store, path)
    after = peak_kib()
    path.unlink()
    print(
        json.dumps(
            {
                "rows": args.child_rows,
                "created": job.created_count,
                "rss_before_kib": before,
                "rss_peak_kib": after,
                "seconds": check + run,
            }
        )
    )
    return 0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--data-dir", default="var/bench-import")
    parser.add_argument("--database-url", default=os.environ.get("DATABASE_URL"))
    parser.add_argument("--customers", type=int, default=1_000_000, help="customers already in the store")
    parser.add_argument("--rows", type=int, default=100_000, help="rows of the CSV file")
    parser.add_argument("--memory-rows", default="10000", help="file sizes imported again in fresh processes")
    parser.add_argument("--reuse", action="store_true", help="use the generated store if it is there")
    parser.add_argument(
        "--reimport",
        action="store_true",
        help="then import the same file again: every line matches its customer and is unchanged",
    )
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--first", type=int, default=FIRST_NUMBER)
    parser.add_argument("--child-rows", type=int, help=argparse.SUPPRESS)
    parser.add_argument("--raw-child", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child_rows:
        return child_memory(args)
    if args.raw_child:
        return child_raw(args)

    engine = generate.configure(data_dir=args.data_dir, database_url=args.database_url, fresh=not args.reuse)
    from django.db import connection

    from trunkshow.stores.models import Store

    _search_sql()
    store = Store.objects.filter(slug="big").first()
    if store is None:
        print(f"Generating {args.customers:,} customers on {engine} ...", flush=True)
        generate.generate(customers=args.customers)
        store = Store.objects.get(slug="big")
    ensure_search_indexes()
    with connection.cursor() as cur:
        cur.execute("SELECT count(*) FROM customers_customer WHERE store_id = %s", [store.pk])
        existing = int(cur.fetchone()[0])
    print(f"{engine}: store 'big' has {existing:,} customers; importing {args.rows:,} new ones", flush=True)

    make_twin(args)
    path = Path(args.data_dir) / "bench-import.csv"
    write_csv(path, args.rows, seed=args.seed, first=args.first)
    size_mb = path.stat().st_size / 1e6
    warm(Path(args.data_dir))
    rss_before = peak_kib()
    job, check, run = run_import(store, path)
    rss_after = peak_kib()
    checker_cpu = run_import.checker_cpu  # type: ignore[attr-defined]
    import_cpu = run_import.cpu + checker_cpu  # type: ignore[attr-defined]
    assert job.status == "done" and job.created_count == args.rows, (job.status, job.failure, job.error_count)
    import_rate = args.rows / (check + run)
    print(
        f"  import:   {args.rows:,} rows ({size_mb:.1f} MB) in {check + run:6.1f} s "
        f"(upload and whole-file check {check:.1f} s, run {run:.1f} s) = {import_rate:8,.0f} rows/s; "
        f"CPU {import_cpu:.1f} s (of which the checking process {checker_cpu:.1f} s) = "
        f"{args.rows / import_cpu:,.0f} rows per CPU second"
    )
    if args.reimport:
        again, again_check, again_run = run_import(store, path)
        assert again.status == "done" and again.unchanged_count == args.rows, (again.status, again.failure)
        again_cpu = run_import.cpu + run_import.checker_cpu  # type: ignore[attr-defined]
        print(
            f"  again:    the same {args.rows:,} rows, every one matched and unchanged, in "
            f"{again_check + again_run:6.1f} s (run {again_run:.1f} s) = "
            f"{args.rows / (again_check + again_run):8,.0f} rows/s; CPU {again_cpu:.1f} s"
        )
        # Without its emails, each line is matched by its phone alone, so its name is compared.
        phones_only = Path(args.data_dir) / "bench-import-phones.csv"
        with (
            open(path, newline="", encoding="utf-8") as src,
            open(phones_only, "w", newline="", encoding="utf-8") as out,
        ):
            email = HEADER.index("Email")
            csv.writer(out).writerows(
                row if n == 0 else [*row[:email], "", *row[email + 1 :]] for n, row in enumerate(csv.reader(src))
            )
        again, again_check, again_run = run_import(store, phones_only)
        assert again.status == "done" and again.unchanged_count == args.rows, (again.status, again.failure)
        again_cpu = run_import.cpu + run_import.checker_cpu  # type: ignore[attr-defined]
        phones_only.unlink()
        print(
            f"  again:    the same {args.rows:,} rows without their emails, matched by phone and name, in "
            f"{again_check + again_run:6.1f} s (run {again_run:.1f} s) = "
            f"{args.rows / (again_check + again_run):8,.0f} rows/s; CPU {again_cpu:.1f} s"
        )
    raw = raw_on_twin(args)
    bare, bare_cpu, bare_server, rows_total = raw["seconds"], raw["cpu"], raw["server_cpu"], raw["table_rows"]
    bare_rate = args.rows / bare
    kind = "COPY" if connection.vendor == "postgresql" else "executemany, one transaction"
    print(
        f"  raw load: {args.rows:,} rows ({rows_total:,} table rows, {kind}, on a twin of the book) "
        f"in {bare:6.1f} s = {bare_rate:8,.0f} rows/s; "
        f"CPU {bare_cpu:.1f} s = {args.rows / bare_cpu:,.0f} rows per CPU second"
    )
    print(f"  ratio import / raw, wall clock: {import_rate / bare_rate:.2f}  (goal: at least 0.50)")
    if connection.vendor == "sqlite":  # the database works in this process: its CPU time is the whole cost
        print(f"  ratio import / raw, CPU time:   {bare_cpu / import_cpu:.2f}  (the same, unaffected by other load)")
    import_server = run_import.server_cpu  # type: ignore[attr-defined]
    if import_server is not None and bare_server is not None:
        print(
            f"  server backend CPU: import {import_server:.1f} s, raw load {bare_server:.1f} s; "
            f"ratio import / raw, client + server CPU time: "
            f"{(bare_cpu + bare_server) / (import_cpu + import_server):.2f}  (unaffected by other load)"
        )
    path.unlink()

    print(
        f"  memory:   {args.rows:>7,} rows: peak RSS {rss_after / 1024:6.1f} MiB "
        f"(before the import {rss_before / 1024:6.1f} MiB, growth {(rss_after - rss_before) / 1024:5.1f} MiB), this process; "
        f"the checking process's peak RSS {run_import.checker_peak_kib / 1024:.1f} MiB"  # type: ignore[attr-defined]
    )
    sizes = [int(x) for x in args.memory_rows.split(",") if x and int(x) != args.rows]
    for n, first in zip(sizes, (args.first + 3_000_000, args.first + 4_000_000), strict=False):
        cmd = [sys.executable, __file__, "--data-dir", args.data_dir, "--child-rows", str(n), "--first", str(first)]
        if args.database_url:
            cmd += ["--database-url", args.database_url]
        out = subprocess.run(cmd, check=True, capture_output=True, text=True).stdout.strip().splitlines()[-1]
        m = json.loads(out)
        print(
            f"  memory:   {n:>7,} rows: peak RSS {m['rss_peak_kib'] / 1024:6.1f} MiB "
            f"(before the import {m['rss_before_kib'] / 1024:6.1f} MiB, "
            f"growth {(m['rss_peak_kib'] - m['rss_before_kib']) / 1024:5.1f} MiB), a fresh process"
        )
    print(
        f"  machine: {platform.machine()}, {os.cpu_count()} CPUs, Python {platform.python_version()}, "
        f"load average at the end {os.getloadavg()[0]:.1f}"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
