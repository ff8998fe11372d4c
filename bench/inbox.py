"""Benchmark: the open-conversations list at 100,000 conversations and 1,000,000 messages, beside bare SQL.

    uv run python bench/inbox.py --data-dir /tmp/ts-inbox
    uv run python bench/inbox.py --data-dir /tmp/ts-inbox-pg \\
        --database-url postgres://postgres@127.0.0.1:5432/trunkshow_bench_inbox
    # again on the same data: add --existing

One store ("inbox") gets N conversations (default 100,000) with M messages in all (default
1,000,000; 2 to 18 each, a third of the last ones from the customer, some read by the staff member
who asks), spread over the last 90 days, written with raw SQL in one transaction (SQLite
``executemany``, PostgreSQL ``COPY``), plus 20 small stores beside it. Then it times
``GET /api/v1/conversations`` through the in-process test client (bearer token, every
middleware, JSON; the list with the last message's preview, the unread count for the caller, the
customer's name and the response clock) for the first page and pages further down (by cursor),
and for each the bare statement the list issues for its rows, replayed on a raw cursor. Printed:
p50/p95 of both, the ratio, and the number of statements per request for page sizes 25 and 100
(it must not grow with the page size).
"""

from __future__ import annotations

import argparse
import datetime as dt
import random
import statistics
import sys
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
import generate


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1)))]


def load(conversations: int, messages: int, seed: int) -> None:
    from django.db import connection, transaction
    from django.utils import timezone
    from django_scopes import scopes_disabled

    from trunkshow.messaging.models import Conversation, Message
    from trunkshow.stores.services import staff_create, store_create

    rng = random.Random(seed)
    now = timezone.now()
    with scopes_disabled(), transaction.atomic():
        store = store_create(slug="inbox", name="Inbox Bench", time_zone="America/New_York")
        owner = staff_create(store=store, email="owner@inbox.example", role="owner", name="Olive Owner", password=None)
        staff_create(store=store, email="sam@inbox.example", role="associate", name="Sam Associate", password=None)
        for i in range(20):
            small = store_create(slug=f"small-{i}", name=f"Small {i}")
            staff_create(store=small, email=f"o{i}@small.example", role="owner", name=f"Owner {i}", password=None)
    started = time.perf_counter()
    conv_cols = [f.column for f in Conversation._meta.concrete_fields if f.column != "id"]
    msg_cols = [f.column for f in Message._meta.concrete_fields if f.column != "id"]
    # A column added later (and not set below) gets the field's default, as Django would write it.
    defaults = {
        f.column: f.get_db_prep_save(f.get_default(), connection)
        for model in (Conversation, Message)
        for f in model._meta.concrete_fields
    }
    per = [2 + rng.randrange(17) for _ in range(conversations)]
    scale = messages / sum(per)
    per = [max(1, round(n * scale)) for n in per]
    step = 1 if sum(per) < messages else -1
    while sum(per) != messages:  # spread the rounding over random conversations, keeping each at 1 or more
        i = rng.randrange(conversations)
        if per[i] + step >= 1:
            per[i] += step
    conv_rows, msg_rows, read_rows = [], [], []
    with connection.cursor() as cur:
        cur.execute("SELECT COALESCE(MAX(id), 0) FROM messaging_conversation")
        first_conv = cur.fetchone()[0] + 1
    next_msg = 1
    for i in range(conversations):
        cid = first_conv + i
        last_at = now - dt.timedelta(seconds=rng.randrange(90 * 86400))
        n = per[i]
        waiting = rng.random() < 0.3
        row = {
            "store_id": store.pk,
            "customer_id": None,
            "channel": rng.choice(["sms", "email", "whatsapp", "webchat"]),
            "address": f"+1212{rng.randrange(10**7):07d}",
            "subject": "",
            "status": "open" if rng.random() < 0.6 else rng.choice(["pending", "closed", "snoozed"]),
            "snoozed_until": None,
            "assigned_to_id": owner.user_id if rng.random() < 0.5 else None,
            "last_message_at": last_at,
            "last_message_preview": "Is the sapphire ring still available in a size 6?",
            "last_inbound_at": last_at,
            "awaiting_since": last_at if waiting else None,
            "first_response_seconds": None if waiting else rng.randrange(30, 3600),
            "created_at": last_at - dt.timedelta(days=1),
        }
        conv_rows.append([row.get(c, defaults[c]) for c in conv_cols])
        for k in range(n):
            at = last_at - dt.timedelta(minutes=(n - k) * 7)
            inbound = (k == n - 1 and waiting) or k % 2 == 0
            m = {
                "store_id": store.pk,
                "conversation_id": cid,
                "direction": "in" if inbound else "out",
                "channel": row["channel"],
                "body": _body(rng),
                "author_id": None if inbound else owner.user_id,
                "to_address": "",
                "from_address": "",
                "status": "received" if inbound else "delivered",
                "reference": f"{cid:012x}{k:020x}",
                "provider": "",
                "provider_id": "",
                "error": "",
                "attempts": 0 if inbound else 1,
                "next_attempt_at": None,
                "claimed_at": None,
                "meta": "{}",
                "created_at": at,
                "sent_at": None,
                "status_at": at,
            }
            if "search_text" in msg_cols:  # the folded copy the search reads (messaging.models.message_search_text)
                m["search_text"] = _folded(m["body"])
            msg_rows.append([m.get(c, defaults[c]) for c in msg_cols])
        if rng.random() < 0.5:  # read up to a message before the last
            read_rows.append((store.pk, owner.user_id, cid, next_msg + max(0, n - 2), now))
        next_msg += n
    _insert(connection, "messaging_conversation", conv_cols, conv_rows)
    _insert(connection, "messaging_message", msg_cols, msg_rows)
    _insert(
        connection,
        "inbox_readstate",
        ["store_id", "user_id", "conversation_id", "last_read_message_id", "at"],
        read_rows,
    )
    with connection.cursor() as cur:
        cur.execute("ANALYZE")
    print(
        f"loaded {conversations:,} conversations and {len(msg_rows):,} messages in {time.perf_counter() - started:.1f} s"
    )


# Words a jeweler's messages are made of, so that a search word is found in as many conversations as
# in a store's inbox: "ring" in most, a stone in some, a surname with an accent or an order number
# in very few, and "zeppelin" in none.
_PIECES = ["ring", "necklace", "bracelet", "earrings", "pendant", "locket", "watch", "brooch", "chain", "bangle"]
_STONES = ["sapphire", "emerald", "ruby", "diamond", "pearl", "opal", "topaz", "garnet", "amethyst", "aquamarine"]
_METALS = ["gold", "white gold", "rose gold", "silver", "platinum"]
_NAMES = ["Müller", "Szirmay", "Łukasz", "Zoë", "Núñez", "Ferreira", "Dvořák", "Søren", "Côté", "O'Brien"]
_ASKS = [
    "Is the {metal} {piece} with the {stone} still available?",
    "Could you resize my {piece}? It's a {metal} one.",
    "Thank you! The {stone} {piece} is perfect.",
    "What would engraving cost on a {metal} {piece}?",
    "Can I come by on Saturday to see the {stone} pieces?",
    "My partner loved the {piece}. Do you have {stone} earrings to match?",
    "We have a {stone} {piece} in {metal} that you might like; shall I send a photo?",
    "It's ready for collection, we're open until six.",
]


def _body(rng: random.Random) -> str:
    text = rng.choice(_ASKS).format(piece=rng.choice(_PIECES), stone=rng.choice(_STONES), metal=rng.choice(_METALS))
    if rng.random() < 0.02:
        text += f" This is {rng.choice(_NAMES)} speaking."
    if rng.random() < 0.01:
        text += f" Order TS-{rng.randrange(10**6):06d}."
    return text


def _folded(body: str) -> str:
    from trunkshow.messaging.models import message_search_text

    return message_search_text(body)


def _insert(connection: Any, table: str, cols: list[str], rows: list[list[Any]]) -> None:
    from django.db import transaction

    with transaction.atomic(), connection.cursor() as cur:
        if connection.vendor == "postgresql":
            with cur.cursor.copy(f"COPY {table} ({', '.join(cols)}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(row)
        else:
            marks = ", ".join(["%s"] * len(cols))
            sql = f"INSERT INTO {table} ({', '.join(cols)}) VALUES ({marks})"
            for start in range(0, len(rows), 50_000):
                cur.executemany(sql, [[_sqlite(v) for v in r] for r in rows[start : start + 50_000]])


def _sqlite(value: Any) -> Any:
    return value.isoformat(sep=" ") if isinstance(value, dt.datetime) else value


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--data-dir", default="var/bench-inbox")
    parser.add_argument("--database-url", default=None)
    parser.add_argument("--conversations", type=int, default=100_000)
    parser.add_argument("--messages", type=int, default=1_000_000)
    parser.add_argument("--requests", type=int, default=300)
    parser.add_argument("--existing", action="store_true")
    parser.add_argument("--seed", type=int, default=5)
    parser.add_argument("--search", action="store_true", help="also time the list searched, by kind of word")
    args = parser.parse_args()

    engine = generate.configure(data_dir=args.data_dir, database_url=args.database_url, fresh=not args.existing)
    if not args.existing:
        load(args.conversations, args.messages, args.seed)

    from django.db import connection
    from django.test import Client
    from django_scopes import scopes_disabled

    from trunkshow.stores.models import Membership, Store
    from trunkshow.stores.services import token_create

    with scopes_disabled():
        store = Store.objects.get(slug="inbox")
        owner = Membership.objects.get(store=store, role="owner")
        _token, raw = token_create(store=store, membership=owner, name="inbox bench")
    client = Client(headers={"Authorization": f"Bearer {raw}"})

    def captured_get(params: dict[str, Any]) -> tuple[Any, list[tuple[str, Any]]]:
        statements: list[tuple[str, Any]] = []

        def wrapper(execute: Any, sql: str, sql_params: Any, many: bool, context: Any) -> Any:
            statements.append((sql, sql_params))
            return execute(sql, sql_params, many, context)

        with connection.execute_wrapper(wrapper):
            response = client.get("/api/v1/conversations", params)
        assert response.status_code == 200, response.content
        return response, statements

    def replay(sql: str, params: Any) -> None:
        raw_cursor = connection.connection.cursor()
        raw_cursor.execute(sql.replace("%s", "?") if connection.vendor == "sqlite" else sql, params or ())
        raw_cursor.fetchall()

    # Cursors for pages further down: walk 40 pages of "all open".
    cursors = [""]
    for _ in range(40):
        response, _s = captured_get({"status": "open", "cursor": cursors[-1]} if cursors[-1] else {"status": "open"})
        nxt = response.json()["next_cursor"]
        if not nxt:
            break
        cursors.append(nxt)
    print(f"{engine}: {args.conversations:,} conversations; {len(cursors)} page cursors")

    counts: dict[int, int] = {}
    for size in (25, 100):
        _r, statements = captured_get({"status": "open", "limit": size})
        counts[size] = len(statements)
    rng = random.Random(args.seed)
    api_ms: list[float] = []
    bare_ms: list[float] = []
    for i in range(args.requests):
        params: dict[str, Any] = {"status": "open", "view": rng.choice(["all", "mine", "unassigned"])}
        cursor = rng.choice(cursors) if i % 3 == 0 else ""
        if cursor:
            params["cursor"] = cursor
        start = time.perf_counter()
        _response, statements = captured_get(params)
        api_ms.append((time.perf_counter() - start) * 1000)
        rows_sql = max(statements, key=lambda s: len(s[0]))  # the list statement (the longest one)
        start = time.perf_counter()
        replay(*rows_sql)
        bare_ms.append((time.perf_counter() - start) * 1000)
    print()
    print("| engine | requests | API p50 | API p95 | bare p50 | bare p95 | ratio p50 | statements (25 / 100 rows) |")
    print("| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |")
    print(
        f"| {engine} | {len(api_ms)} | {statistics.median(api_ms):.2f} ms | {percentile(api_ms, 95):.2f} ms "
        f"| {statistics.median(bare_ms):.2f} ms | {percentile(bare_ms, 95):.2f} ms "
        f"| {statistics.median(api_ms) / statistics.median(bare_ms):.1f}× | {counts[25]} / {counts[100]} |"
    )

    waiting(captured_get, args.requests)
    if args.search:
        search(captured_get, rng, args.requests)


def waiting(captured_get: Any, requests: int) -> None:
    """The "Waiting longest" order (``sort=waiting``, its partial index): the first page and pages
    further down by cursor, beside the newest-first order."""
    cursors = [""]
    for _ in range(10):
        params = {"status": "open", "sort": "waiting"} | ({"cursor": cursors[-1]} if cursors[-1] else {})
        nxt = captured_get(params)[0].json()["next_cursor"]
        if not nxt:
            break
        cursors.append(nxt)
    print()
    print("| order | requests | p50 | p95 |")
    print("| --- | ---: | ---: | ---: |")
    per = max(10, requests // 5)
    for sort in ("newest", "waiting"):
        ms = []
        for i in range(per):
            params = {"status": "open", "sort": sort}
            if sort == "waiting" and i % 2:
                params["cursor"] = cursors[i % len(cursors)]
            start = time.perf_counter()
            captured_get({k: v for k, v in params.items() if v})
            ms.append((time.perf_counter() - start) * 1000)
        print(f"| {sort} | {per} | {statistics.median(ms):.2f} ms | {percentile(ms, 95):.2f} ms |")


# What an associate types into the inbox's search, by how many conversations hold it: most ("ring"),
# some (a stone and a piece), very few (an accented surname typed without its accent, a sentence's
# words apart), one (an order number), none (the list then also asks every other status), and words
# the messages hold only in another form.
_SEARCHES = {
    "common word": ["ring", "gold", "saturday"],
    "two words": ["emerald bangle", "opal brooch", "platinum locket"],
    "folded name": ["muller", "dvorak", "cote", "soren"],
    "rare words": ["zoe locket", "nunez aquamarine"],
    "order number": [],  # filled from the data
    "nowhere": ["zeppelin", "harpsichord", "xylophone"],
    # Held only in another form ("engraving", "necklace", "resize", "ruby"): found by its stem since
    # 2026-11-24 (ADR 0010), found nowhere before.
    "other form": ["engrave", "necklaces", "resized", "rubies"],
}


def search(captured_get: Any, rng: random.Random, requests: int) -> None:
    """The list searched (``status=open``, as the inbox's box asks first), beside the list unsearched."""
    from django.db import connection

    with connection.cursor() as cur:
        cur.execute("SELECT body FROM messaging_message WHERE body LIKE '%%Order TS-%%' ORDER BY id LIMIT 50")
        _SEARCHES["order number"] = [row[0].rsplit("Order ", 1)[1].rstrip(".") for row in cur.fetchall()][:5]

    def timed(params: dict[str, Any]) -> tuple[float, int, int]:
        start = time.perf_counter()
        response, statements = captured_get(params)
        return (time.perf_counter() - start) * 1000, len(response.json()["items"]), len(statements)

    per = max(10, requests // 10)
    plain = [timed({"status": "open"})[0] for _ in range(per)]
    print()
    print("| search | requests | found (first page) | statements | p50 | p95 | p50 / unsearched list |")
    print("| --- | ---: | ---: | ---: | ---: | ---: | ---: |")
    base = statistics.median(plain)
    print(f"| (none: the list) | {per} | 25 | | {base:.1f} ms | {percentile(plain, 95):.1f} ms | 1.0× |")
    for kind, queries in _SEARCHES.items():
        ms, found, statements = [], [], []
        for i in range(per):
            took, n, count = timed({"status": "open", "q": queries[i % len(queries)]})
            ms.append(took)
            found.append(n)
            statements.append(count)
        print(
            f"| {kind} (`{queries[0]}`, …) | {per} | {min(found)}–{max(found)} | {max(statements)} "
            f"| {statistics.median(ms):.1f} ms | {percentile(ms, 95):.1f} ms | {statistics.median(ms) / base:.1f}× |"
        )


if __name__ == "__main__":
    main()
