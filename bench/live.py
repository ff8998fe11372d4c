"""Benchmark: live delivery from a widget message to the associate's websocket, beside a bare websockets relay.

    uv run python bench/live.py --data-dir /tmp/ts-live                      # one web process
    uv run python bench/live.py --data-dir /tmp/ts-live --processes 2        # two, over Redis
    uv run python bench/live.py --data-dir /tmp/ts-live --idle 5000          # memory per open socket

N visitors (default 1,000) each have a web-chat conversation and an open widget websocket
(``/ws/widget/<store>/?token=``); one associate has the staff websocket (``/ws/staff/``) open. Each
visitor then sends one message through the widget's HTTP endpoint, spread evenly over
``--seconds``; the time from just before the POST to the message's arrival on the associate's
socket is the latency (p50, p99). With ``--processes 2`` there are two uvicorn processes on
Redis (channel layer, cache): visitors and their POSTs alternate between them, the associate is on
the second. Every message must arrive once and no connection may be refused.

The baseline is a bare ``websockets`` relay on the same machine: N sender sockets and one
listener; each sender sends one timestamped message on the same schedule and the relay forwards
it to the listener. Printed beside ours as a ratio.

``--idle K`` first opens K more widget sockets that stay idle, reads the web process's resident
memory before and after (``/proc/<pid>/status``) for the memory per open socket, then runs the
same measurement with them open.
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import json
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
import contextlib

import generate

SITE = "https://www.bench-jewelers.example"
REDIS_URL = "redis://127.0.0.1:6379/12"
DUMP = ""  # --dump FILE
# A browser answers the server's keepalive pings but never sends its own (JavaScript cannot): the
# visitors' sockets do not ping either (the websockets library would, every 20 s, by default).
# --visitor-pings N makes them ping every N seconds, as this benchmark did before 2026-11-24.
BROWSER_PINGS: float | None = None


def settle() -> None:
    """Freeze this process's heap once its sockets are open, before it starts timing.

    The measuring process holds as many sockets as the server (7,000 with ``--idle 5000``); a full
    collection of its own heap (up to a second) would be counted as the server's latency. The
    server's web process does the same (``trunkshow.core.gc_policy``).
    """
    gc.collect()
    gc.freeze()


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1)))]


def rss_kb(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    return 0


def free_port() -> int:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def server_env() -> dict[str, str]:
    """The web process's environment: this one's, with the widget's rate limits raised (every
    benchmark visitor comes from 127.0.0.1, where real ones each have their own address)."""
    return {
        **os.environ,
        "TRUNKSHOW_ENV": "development",
        "DEBUG": "false",
        "LOG_LEVEL": "WARNING",
        "WIDGET_RATE_LIMITS": "address=1000000/60,message=1000/60,start=1000/60,read=1000/60",
        "PYTHONUNBUFFERED": "1",
    }


def start_uvicorn(port: int, env: dict[str, str], ws: str = "auto", ping: float = 20.0) -> subprocess.Popen[bytes]:
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "uvicorn",
            "trunkshow.asgi:application",
            "--host",
            "127.0.0.1",
            "--port",
            str(port),
            "--lifespan",
            "off",
            "--log-level",
            "warning",
            "--ws-max-size",
            "65536",
            "--backlog",
            "4096",
            "--ws",
            ws,
            "--ws-per-message-deflate",
            "false",  # as `trunkshow web` runs it
            "--ws-ping-interval",
            str(ping),
        ],
        env=env,
    )
    import urllib.request

    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=1):
                return process
        except OSError:
            time.sleep(0.2)
    process.kill()
    raise SystemExit(f"uvicorn on {port} did not start")


def prepare(visitors: int) -> tuple[str, list[tuple[int, str]], str]:
    """The store, N web-chat conversations with their visitor tokens, and a staff session cookie."""
    from django.conf import settings
    from django.test import Client
    from django_scopes import scope

    from trunkshow.messaging.channels.webchat.services import webchat_conversation_start, webchat_settings_update
    from trunkshow.stores.services import staff_create, store_create

    store = store_create(slug="live", name="Live Bench Jewelers")
    staff = staff_create(store=store, email="sam@live.example", role="associate", name="Sam", password=None)
    chats = []
    with scope(store=store):
        webchat_settings_update(store=store, actor=None, allowed_origins=[SITE], reply_time_text="")
        for i in range(visitors):
            conversation, _message, token = webchat_conversation_start(store=store, body=f"Hello {i}")
            chats.append((conversation.pk, token))
    client = Client()
    client.force_login(staff.user)
    cookie = f"{settings.SESSION_COOKIE_NAME}={client.cookies[settings.SESSION_COOKIE_NAME].value}"
    return store.slug, chats, cookie


async def measure_ours(
    servers: list[str], slug: str, chats: list[tuple[int, str]], cookie: str, seconds: float, idle: list[Any]
) -> tuple[list[float], int, int]:
    import aiohttp
    import websockets

    staff_server = servers[-1]
    arrivals: dict[str, float] = {}
    sent_at: dict[str, float] = {}
    done = asyncio.Event()
    staff = await websockets.connect(
        staff_server.replace("http", "ws") + "/ws/staff/",
        origin=staff_server,
        additional_headers={"Cookie": cookie},
        max_size=2**20,
        ping_interval=BROWSER_PINGS,
    )

    async def listen() -> None:
        async for raw in staff:
            event = json.loads(raw)
            if event.get("kind") == "message":
                body = event["payload"].get("body", "")
                if body.startswith("bench:"):
                    arrivals.setdefault(body, time.perf_counter())
                    if len(arrivals) == len(chats):
                        done.set()

    listener = asyncio.create_task(listen())
    sockets = []
    refused = 0
    for i, (_conversation, token) in enumerate(chats):
        server = servers[i % len(servers)]
        try:
            sockets.append(
                await websockets.connect(
                    server.replace("http", "ws") + f"/ws/widget/{slug}/?token={token}",
                    origin=SITE,
                    open_timeout=30,
                    ping_interval=BROWSER_PINGS,
                )
            )
        except (OSError, websockets.exceptions.InvalidHandshake, TimeoutError):  # counted, not fatal
            refused += 1
    settle()
    interval = seconds / len(chats)
    statuses: dict[Any, int] = {}
    async with aiohttp.ClientSession(connector=aiohttp.TCPConnector(limit=200)) as http:

        async def post(i: int, conversation: int, token: str) -> None:
            server = servers[i % len(servers)]
            body = f"bench:{i}"
            sent_at[body] = time.perf_counter()
            try:
                async with http.post(
                    f"{server}/widget/api/{slug}/conversations/{conversation}/messages",
                    json={"body": body},
                    headers={"Origin": SITE, "Authorization": f"Bearer {token}"},
                ) as response:
                    if response.status != 201:
                        statuses[response.status] = statuses.get(response.status, 0) + 1
            except (aiohttp.ClientError, OSError, TimeoutError) as exc:  # a reset: counted, not fatal
                statuses[type(exc).__name__] = statuses.get(type(exc).__name__, 0) + 1

        start = time.perf_counter()
        tasks = []
        for i, (conversation, token) in enumerate(chats):
            delay = start + i * interval - time.perf_counter()
            if delay > 0:
                await asyncio.sleep(delay)
            tasks.append(asyncio.create_task(post(i, conversation, token)))
        await asyncio.gather(*tasks)
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(done.wait(), timeout=30)
    listener.cancel()
    await staff.close()
    for ws in sockets:
        await ws.close()
    latencies = [(arrivals[k] - sent_at[k]) * 1000 for k in sent_at if k in arrivals]
    if DUMP:  # one line a message: when it was sent (Unix time) and its latency, for finding what the slow ones share
        wall = time.time() - time.perf_counter()
        with open(DUMP, "w") as out:
            for k in sorted(sent_at, key=sent_at.get):
                latency = f"{(arrivals[k] - sent_at[k]) * 1000:.1f}" if k in arrivals else "lost"
                out.write(f"{wall + sent_at[k]:.3f} {latency}\n")
    if statuses:
        print(f"failed message requests, by answer: {statuses}", flush=True)
    lost = len(chats) - len(latencies)
    return latencies, refused, lost


RELAY = """
import asyncio, sys, websockets
listeners = set()
async def handler(ws):
    if ws.request.path == "/listen":
        listeners.add(ws)
        try:
            await ws.wait_closed()
        finally:
            listeners.discard(ws)
        return
    async for message in ws:
        for listener in list(listeners):
            await listener.send(message)
async def main():
    async with websockets.serve(handler, "127.0.0.1", int(sys.argv[1]), backlog=4096):
        await asyncio.Future()
asyncio.run(main())
"""


async def measure_bare(port: int, count: int, seconds: float) -> tuple[list[float], int, int]:
    import websockets

    url = f"ws://127.0.0.1:{port}"
    listener = await websockets.connect(url + "/listen", ping_interval=BROWSER_PINGS)
    arrivals: dict[str, float] = {}
    sent_at: dict[str, float] = {}
    done = asyncio.Event()

    async def listen() -> None:
        async for raw in listener:
            arrivals.setdefault(str(raw), time.perf_counter())
            if len(arrivals) == count:
                done.set()

    task = asyncio.create_task(listen())
    senders, refused = [], 0
    for _ in range(count):
        try:
            senders.append(await websockets.connect(url + "/send", open_timeout=30, ping_interval=BROWSER_PINGS))
        except (OSError, websockets.exceptions.InvalidHandshake, TimeoutError):  # counted, not fatal
            refused += 1
    settle()
    interval = seconds / count
    start = time.perf_counter()
    for i, ws in enumerate(senders):
        delay = start + i * interval - time.perf_counter()
        if delay > 0:
            await asyncio.sleep(delay)
        key = f"bench:{i}"
        sent_at[key] = time.perf_counter()
        await ws.send(key)
    with contextlib.suppress(TimeoutError):
        await asyncio.wait_for(done.wait(), timeout=30)
    task.cancel()
    for ws in senders:
        await ws.close()
    await listener.close()
    latencies = [(arrivals[k] - sent_at[k]) * 1000 for k in sent_at if k in arrivals]
    return latencies, refused, count - len(latencies)


async def open_idle(servers: list[str], slug: str, chats: list[tuple[int, str]]) -> list[Any]:
    import websockets

    sockets = []
    for i, (_conversation, token) in enumerate(chats):
        server = servers[i % len(servers)]
        sockets.append(
            await websockets.connect(
                server.replace("http", "ws") + f"/ws/widget/{slug}/?token={token}",
                origin=SITE,
                open_timeout=60,
                ping_interval=BROWSER_PINGS,
            )
        )
    return sockets


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--data-dir", default="var/bench-live")
    parser.add_argument("--database-url", default=None)
    parser.add_argument("--visitors", type=int, default=1000)
    parser.add_argument("--seconds", type=float, default=20.0, help="the messages are spread over this time")
    parser.add_argument("--processes", type=int, choices=(1, 2), default=1)
    parser.add_argument("--idle", type=int, default=0, help="idle widget sockets opened first (memory per socket)")
    parser.add_argument("--ws", default="auto", help="uvicorn's websocket implementation (its --ws option)")
    parser.add_argument(
        "--ws-ping-interval", type=float, default=20.0, help="seconds between the server's keepalive pings (uvicorn's)"
    )
    parser.add_argument(
        "--visitor-pings", type=float, default=0, help="the client sockets ping every N seconds (browsers: never)"
    )
    parser.add_argument("--dump", default="", help="write each message's send time and latency to this file")
    parser.add_argument("--memory-only", action="store_true", help="stop after measuring the idle sockets' memory")
    args = parser.parse_args()
    global DUMP, BROWSER_PINGS
    DUMP = args.dump
    BROWSER_PINGS = args.visitor_pings or None

    engine = generate.configure(data_dir=args.data_dir, database_url=args.database_url, fresh=True)
    slug, chats, cookie = prepare(args.visitors + args.idle)
    active, idle_chats = chats[: args.visitors], chats[args.visitors :]
    env = server_env()
    if args.processes == 2:
        import redis

        redis.Redis.from_url(REDIS_URL).flushdb()
        env["REDIS_URL"] = REDIS_URL
    ports = [free_port() for _ in range(args.processes)]
    servers = [f"http://127.0.0.1:{p}" for p in ports]
    processes = [start_uvicorn(p, env, args.ws, args.ws_ping_interval) for p in ports]
    relay_port = free_port()
    relay = subprocess.Popen([sys.executable, "-c", RELAY, str(relay_port)])
    time.sleep(1.0)
    try:
        memory = ""
        idle: list[Any] = []
        loop = asyncio.new_event_loop()
        if idle_chats:
            before = rss_kb(processes[0].pid)
            idle = loop.run_until_complete(open_idle(servers[:1], slug, idle_chats))
            time.sleep(2)
            after = rss_kb(processes[0].pid)
            memory = (
                f"{len(idle):,} idle sockets: RSS {before / 1024:.0f} MB → {after / 1024:.0f} MB, "
                f"{(after - before) / len(idle):.1f} KB per socket"
            )
            print(memory, flush=True)
            if args.memory_only:
                return
        ours, refused, lost = loop.run_until_complete(measure_ours(servers, slug, active, cookie, args.seconds, idle))
        bare, bare_refused, bare_lost = loop.run_until_complete(measure_bare(relay_port, args.visitors, args.seconds))
    finally:
        relay.terminate()
        for process in processes:
            process.terminate()
            process.wait(timeout=20)
    label = f"{engine}, {args.processes} web process{'es over Redis' if args.processes == 2 else ''}"
    if args.idle:
        label += f", {args.idle:,} idle sockets open"
    print()
    print("| setup | messages | refused | lost | ours p50 | ours p99 | bare p50 | bare p99 | ratio p99 |")
    print("| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |")
    print(
        f"| {label} | {args.visitors:,} | {refused} | {lost} | {statistics.median(ours):.1f} ms "
        f"| {percentile(ours, 99):.1f} ms | {statistics.median(bare):.2f} ms | {percentile(bare, 99):.2f} ms "
        f"| {percentile(ours, 99) / percentile(bare, 99):.1f}× |"
    )
    if bare_refused or bare_lost:
        print(f"bare relay: {bare_refused} refused, {bare_lost} lost")
    if memory:
        print(memory)


if __name__ == "__main__":
    main()
