"""Benchmark: a burst of inbound texts across many stores, through Twilio's signed webhook, beside a bare request.

    uv run python bench/inbound.py --data-dir /tmp/ts-inbound
    uv run python bench/inbound.py --data-dir /tmp/ts-inbound-pg \\
        --database-url postgres://postgres@127.0.0.1:5432/trunkshow_bench_inbound

RELIABILITY.md's load case: 500 inbound texts in 10 s across 50 stores must all be accepted, with
as many message rows as texts. N stores (default 50) each get their own Twilio number; one web
process (uvicorn, as ``trunkshow web`` runs it, on its own port) receives the texts as Twilio sends
them: form-encoded, signed with the ``twilio`` library's ``RequestValidator`` over the public URL,
paced evenly over the window from a pool of client threads (a new connection each, as Twilio
opens). Each store hears from 5 customers, new ones at first (a customer and a conversation are
made), then the same ones again; one text in twenty is delivered twice (Twilio retries a webhook
it did not see answered), which must change nothing. No worker runs: what the texts queue (an
out-of-hours answer) stays in the outbox.

The baseline is the same number of requests, paced the same, to ``/healthz`` of the same process
(the HTTP stack, no database): printed beside the webhook's p50 and p99 as a ratio. Counted
afterwards in the database: inbound messages (must equal the distinct texts), provider events
(one per distinct MessageSid) and failures.
"""

from __future__ import annotations

import argparse
import os
import platform
import socket
import statistics
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from urllib.parse import urlencode

sys.path.insert(0, str(Path(__file__).resolve().parent))
import generate

ACCOUNT_SID = "AC" + "0123456789abcdef" * 2
AUTH_TOKEN = "b" * 32


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1)))]


def store_number(i: int) -> str:
    return f"+1212555{1000 + i:04d}"


def customer_number(store: int, person: int) -> str:
    return f"+1917555{(store * 5 + person) % 10000:04d}"


def paced(count: int, seconds: float, send: Callable[[int], int]) -> list[tuple[float, int]]:
    """Call ``send(i)`` for i in 0..count-1 at evenly spaced moments; (latency ms, status) of each."""
    results: list[tuple[float, int]] = [(0.0, 0)] * count
    start = time.monotonic() + 0.2

    def one(i: int) -> None:
        delay = start + i * seconds / count - time.monotonic()
        if delay > 0:
            time.sleep(delay)
        began = time.perf_counter()
        status = send(i)
        results[i] = ((time.perf_counter() - began) * 1000, status)

    with ThreadPoolExecutor(max_workers=64) as pool:
        list(pool.map(one, range(count)))
    return results


def request(url: str, body: bytes | None = None, headers: dict[str, str] | None = None) -> int:
    """GET, or POST when there is a body; the answer's status (0 when there was none)."""
    method = "POST" if body is not None else "GET"
    try:
        with urllib.request.urlopen(
            urllib.request.Request(url, body, headers or {}, method=method), timeout=30
        ) as answer:
            answer.read()
            return int(answer.status)
    except urllib.error.HTTPError as exc:
        return int(exc.code)
    except OSError:
        return 0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--data-dir", required=True)
    parser.add_argument("--database-url", default=None)
    parser.add_argument("--stores", type=int, default=50)
    parser.add_argument("--texts", type=int, default=500)
    parser.add_argument("--seconds", type=float, default=10.0)
    args = parser.parse_args()

    port = free_port()
    public = f"http://127.0.0.1:{port}"
    numbers = ",".join(f"s{i:02d}={store_number(i)}" for i in range(args.stores))
    twilio_env = {
        "TWILIO_ACCOUNT_SID": ACCOUNT_SID,
        "TWILIO_AUTH_TOKEN": AUTH_TOKEN,
        "TWILIO_FROM_NUMBER": store_number(99),
        "TWILIO_STORE_NUMBERS": numbers,
        "TWILIO_API_BASE": f"http://127.0.0.1:{free_port()}",  # nothing listens: nothing is sent
        "PUBLIC_URL": public,
    }
    os.environ.update(twilio_env)
    queue = Path(args.data_dir, "queue.sqlite3")
    for suffix in ("", "-wal", "-shm"):
        Path(f"{queue}{suffix}").unlink(missing_ok=True)
    engine = generate.configure(data_dir=args.data_dir, database_url=args.database_url, fresh=True)

    from django.db import connection
    from django_scopes import scopes_disabled
    from twilio.request_validator import RequestValidator

    from trunkshow.cli import _uvicorn
    from trunkshow.messaging.models import Message, ProviderEvent
    from trunkshow.stores.services import store_create

    with scopes_disabled():
        for i in range(args.stores):
            store_create(slug=f"s{i:02d}", name=f"Store {i:02d}", time_zone="America/New_York", phone_region="US")
    connection.close()

    log_path = Path(args.data_dir, "inbound-web.log")
    env = {**os.environ, "PYTHONUNBUFFERED": "1", "LOG_LEVEL": "WARNING"}
    with log_path.open("w") as log:
        web = subprocess.Popen(
            [*_uvicorn("127.0.0.1", port), "--log-level", "warning"], env=env, stdout=log, stderr=subprocess.STDOUT
        )
    try:
        deadline = time.monotonic() + 30
        while request(f"{public}/healthz") != 200:
            if web.poll() is not None or time.monotonic() > deadline:
                print(log_path.read_text())
                return 1
            time.sleep(0.2)

        validator = RequestValidator(AUTH_TOKEN)
        texts: list[tuple[str, bytes, dict[str, str]]] = []
        distinct = 0
        for i in range(args.texts):
            store, person = i % args.stores, (i // args.stores) % 5
            sid = f"SM{i:032d}"
            path = f"/hooks/twilio/s{store:02d}/inbound"
            fields = {
                "MessageSid": sid,
                "SmsSid": sid,
                "AccountSid": ACCOUNT_SID,
                "From": customer_number(store, person),
                "To": store_number(store),
                "Body": f"Hello, is the ring in the window still there? ({i})",
                "NumMedia": "0",
                "NumSegments": "1",
                "SmsStatus": "received",
                "ApiVersion": "2010-04-01",
            }
            signed = {
                "Content-Type": "application/x-www-form-urlencoded",
                "X-Twilio-Signature": validator.compute_signature(public + path, fields),
            }
            texts.append((public + path, urlencode(fields).encode(), signed))
            distinct += 1
            if i % 20 == 19:  # Twilio retrying a webhook it did not see answered
                texts.append(texts[-1])
        # Warm the process (imports, first connections) on both paths before timing.
        for _ in range(20):
            request(f"{public}/healthz")

        bare = paced(len(texts), args.seconds, lambda i: request(f"{public}/healthz"))
        hooks = paced(len(texts), args.seconds, lambda i: request(*texts[i]))
    finally:
        web.terminate()
        web.wait(timeout=10)

    with scopes_disabled():
        inbound = Message.objects.filter(direction="in").count()
        conversations = Message.objects.filter(direction="in").values("conversation_id").distinct().count()
        events = ProviderEvent.objects.count()
    statuses: dict[int, int] = {}
    for _ms, status in hooks:
        statuses[status] = statuses.get(status, 0) + 1
    hook_ms = [ms for ms, _s in hooks]
    bare_ms = [ms for ms, _s in bare]
    print(f"{engine}; {platform.machine()}, {os.cpu_count()} CPUs; one web process; {args.stores} stores")
    print(
        f"{len(texts)} webhooks ({distinct} distinct texts, {len(texts) - distinct} retried) over {args.seconds:.0f} s; "
        f"answers: {dict(sorted(statuses.items()))}"
    )
    print()
    print("| requests | p50 | p99 | max | mean |")
    print("| --- | ---: | ---: | ---: | ---: |")
    for name, values in (("inbound webhook", hook_ms), ("/healthz (baseline)", bare_ms)):
        print(
            f"| {name} | {percentile(values, 50):.1f} ms | {percentile(values, 99):.1f} ms "
            f"| {max(values):.1f} ms | {statistics.mean(values):.1f} ms |"
        )
    print(
        f"\nratio p50 {percentile(hook_ms, 50) / percentile(bare_ms, 50):.1f}×, "
        f"p99 {percentile(hook_ms, 99) / percentile(bare_ms, 99):.1f}×"
    )
    lost = distinct - inbound
    print(
        f"\nin the database: {inbound} inbound messages for {distinct} distinct texts (lost: {lost}), "
        f"{conversations} conversations, {events} provider events"
    )
    ok = statuses.get(200, 0) == len(texts) and lost == 0 and events == distinct
    print("all accepted, none lost, none twice" if ok else "NOT all accepted once: see the counts above")
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
