"""Benchmark: messages one worker hands to a local fake provider per second, beside the provider alone.

    uv run python bench/outbox.py --data-dir /tmp/ts-outbox                       # email to a local SMTP server
    uv run python bench/outbox.py --data-dir /tmp/ts-outbox-pg \\
        --database-url postgres://postgres@127.0.0.1:5432/trunkshow_bench_outbox

N replies (default 2,000) are written through ``message_send`` into the outbox of one store (in
one transaction, so their deliver tasks are enqueued when it commits), then one real worker
process (``trunkshow worker --workers 1``: the Huey consumer with one thread, on the data dir's
queue, or Redis with ``REDIS_URL``) sends them to the fake provider: an ``aiosmtpd`` server in this
process, reached over TCP by Django's SMTP backend, as in production. Timed from the first message
the provider receives to the last; every message must arrive exactly once. The baseline is the
same number of emails handed to the same server by the same adapter in a plain loop (no queue, no
database): the provider's own pace on this machine. Goal: at least 200 messages a second, so that
carriers' limits, not Trunkshow, bound sending.
"""

from __future__ import annotations

import argparse
import os
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
import generate


class Counter:
    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.times: list[float] = []
        self.ids: list[str] = []

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        content = envelope.content.decode(errors="replace")
        message_id = next((line for line in content.splitlines() if line.lower().startswith("message-id:")), "")
        with self.lock:
            self.times.append(time.perf_counter())
            self.ids.append(message_id)
        return "250 OK"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--data-dir", default="var/bench-outbox")
    parser.add_argument("--database-url", default=None)
    parser.add_argument("--messages", type=int, default=2000)
    args = parser.parse_args()

    from aiosmtpd.controller import Controller

    counter = Counter()
    port = free_port()
    controller = Controller(counter, hostname="127.0.0.1", port=port)
    controller.start()
    os.environ["EMAIL_URL"] = f"smtp://127.0.0.1:{port}"
    queue = Path(args.data_dir, "queue.sqlite3")  # no tasks left over from an earlier run
    for suffix in ("", "-wal", "-shm"):
        Path(f"{queue}{suffix}").unlink(missing_ok=True)
    engine = generate.configure(data_dir=args.data_dir, database_url=args.database_url, fresh=True)

    from django.db import transaction
    from django_scopes import scope

    from trunkshow.messaging.channels.base import Outbound
    from trunkshow.messaging.channels.email import EmailAdapter
    from trunkshow.messaging.models import Message
    from trunkshow.messaging.services import message_receive, message_send
    from trunkshow.stores.services import staff_create, store_create

    store = store_create(slug="outbox", name="Outbox Bench")
    staff = staff_create(store=store, email="sam@outbox.example", role="associate", name="Sam", password=None)
    with scope(store=store):
        inbound, _ = message_receive(
            store=store,
            channel="email",
            from_address="clara@example.com",
            body="Hello",
            provider="email",
            provider_id="<first@example.com>",
            meta={"message_id": "<first@example.com>"},
        )
        # The baseline: the adapter alone, the same number of emails, one after the other.
        adapter = EmailAdapter()
        start = time.perf_counter()
        for i in range(args.messages):
            adapter.send(
                Outbound(
                    reference=f"baseline-{i}",
                    channel="email",
                    to="clara@example.com",
                    sender="shop@outbox.example",
                    body=f"Baseline {i}",
                    headers={"Message-ID": f"<baseline-{i}@outbox.example>", "Subject": "Re: Hello"},
                )
            )
        bare_seconds = time.perf_counter() - start
        assert len(counter.ids) == args.messages
        counter.times.clear()
        counter.ids.clear()

        started = time.perf_counter()
        with transaction.atomic():
            for i in range(args.messages):
                message_send(store=store, actor=staff.user, conversation=inbound.conversation, body=f"Reply {i}")
        queued_seconds = time.perf_counter() - started
    print(f"{engine}: {args.messages:,} replies queued in {queued_seconds:.1f} s; starting one worker", flush=True)

    env = {**os.environ, "PYTHONUNBUFFERED": "1"}
    worker = subprocess.Popen(
        [sys.executable, "-m", "trunkshow.cli", "worker", "--workers", "1"],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + 600
        while len(counter.ids) < args.messages and time.monotonic() < deadline:
            time.sleep(0.2)
        time.sleep(1)  # anything sent twice would arrive now
    finally:
        worker.terminate()
        worker.wait(timeout=30)
        controller.stop()
    received = len(counter.ids)
    with scope(store=store):
        sent = Message.objects.filter(store=store, direction="out", status="sent").count()
    span = counter.times[-1] - counter.times[0] if received > 1 else float("nan")
    rate = (received - 1) / span if received > 1 else 0.0
    bare_rate = args.messages / bare_seconds
    print()
    print("| engine | messages | received | distinct | rows sent | worker msg/s | provider alone msg/s | ratio |")
    print("| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |")
    print(
        f"| {engine} | {args.messages:,} | {received:,} | {len(set(counter.ids)):,} | {sent:,} "
        f"| {rate:,.0f} | {bare_rate:,.0f} | {rate / bare_rate:.2f}× |"
    )


if __name__ == "__main__":
    main()
