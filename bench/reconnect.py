"""Benchmark: a reconnect storm of N widget sockets after a web process restart, beside a bare websockets server.

    uv run python bench/reconnect.py --data-dir /tmp/ts-storm                    # SQLite, one web process
    uv run python bench/reconnect.py --data-dir /tmp/ts-storm-pg \\
        --database-url postgres://postgres@127.0.0.1:5432/trunkshow_storm_bench
    uv run python bench/reconnect.py --data-dir /tmp/ts-storm --processes 2      # two, over Redis
    uv run python bench/reconnect.py --data-dir /tmp/ts-storm --no-jitter        # and a run without jitter

RELIABILITY.md's load case: 1,000 widget sockets, then a reconnect storm; at least 99.9% must
reconnect, the clients backing off with jitter. N visitors (default 1,000) each have a web-chat
conversation and an open widget websocket (``/ws/widget/<store>/?token=``, opened as
``bench/live.py`` does, never pinging: browsers do not). Then the web process is restarted as a
deploy does it: SIGTERM (uvicorn closes every socket with 1012), a new process on the same port.
While it is down the store answers: two staff replies go into every 10th conversation (through
``message_send`` in this process, as another web process or the worker would write them), and
once the new process answers, one more into every 10th conversation counting from the 5th, while
the visitors are still reconnecting.

Every visitor reconnects exactly as ``widget.js`` ``connect()`` does: after a close, ``retry =
min(retry + 1, 6)`` and the next attempt after ``500 * 2^retry * (0.5 + random())`` ms; from the
second failure it also polls ``GET .../messages?after=<last message>`` every 5 s until a socket
opens; an open socket sends ``{"type": "resume", "after": <last event id>}``. Measured from the
drop: the fraction reconnected within ``--window`` (60 s), the time until 50/99/99.9/100% had
reconnected, attempts per second at the peak, failed handshakes by kind (before the new process
answered, and after), and for every reply written while its visitor was away: received over the
socket exactly once, in order (a poll may show it first; the widget drops the repeat by message id).

The baseline is a bare ``websockets`` server (it reads and drops what it is sent) with the same
clients and the same algorithm, restarted the same way (SIGTERM, then a new process after the
same gap as ours spent writing replies); its clients do not poll (it has no HTTP). Printed beside
ours with the ratio of the times to 99.9% reconnected. ``--no-jitter`` adds a run of ours with
the same backoff without the random factor (``500 * 2^retry`` ms), to show what jitter spares.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import math
import os
import random
import signal
import socket
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
import generate
import live

OPEN_TIMEOUT = 30.0  # a browser waits far longer for a handshake; past this it counts as failed
POLL_SECONDS = 5.0  # widget.js poll()
GRACE = 10.0  # after the last reconnect, how long replies may take to arrive

BARE = """
import asyncio, signal, sys, websockets
async def handler(ws):
    async for _ in ws:
        pass
async def main():
    stop = asyncio.get_running_loop().create_future()
    asyncio.get_running_loop().add_signal_handler(signal.SIGTERM, stop.set_result, None)
    async with websockets.serve(handler, "127.0.0.1", int(sys.argv[1]), backlog=4096, compression=None,
                                max_size=65536, ping_interval=20):
        await stop  # leaving closes every socket (1001), as uvicorn closes them (1012)
asyncio.run(main())
"""


def backoff(retry: int, jitter: bool) -> float:
    """widget.js: ``500 * Math.pow(2, retry) * (0.5 + Math.random())`` ms, retry already capped at 6."""
    return 0.5 * 2**retry * ((0.5 + random.random()) if jitter else 1.0)


@dataclass
class Visitor:
    index: int
    conversation: int
    token: str
    url: str  # the websocket's
    poll_url: str  # empty: this server has no HTTP (the bare one)
    last_event: int = 0  # widget state.lastEvent
    last_message: int = 0  # widget state.lastMessage
    ws: Any = None
    poller: asyncio.Task[None] | None = None
    reconnected: float | None = None  # seconds after the drop
    got: list[int] = field(default_factory=list)  # message ids over the socket since the drop, in order
    polled: set[int] = field(default_factory=set)  # message ids a poll brought since the drop


@dataclass
class Storm:
    jitter: bool
    t0: float | None = None  # the drop
    ready: float | None = None  # the new process answered, seconds after the drop
    over: bool = False
    attempts: list[float] = field(default_factory=list)  # seconds after the drop
    failed_down: Counter[str] = field(default_factory=Counter)  # while the new process did not answer yet
    failed_up: Counter[str] = field(default_factory=Counter)  # after it did
    handshakes: list[float] = field(default_factory=list)  # seconds each took, once the new process answered
    polls: int = 0
    poll_failed: Counter[str] = field(default_factory=Counter)

    def since(self) -> float:
        return time.perf_counter() - (self.t0 or time.perf_counter())


def failure(exc: BaseException) -> str:
    import websockets

    if isinstance(exc, websockets.exceptions.InvalidStatus):
        return f"HTTP {exc.response.status_code}"
    if isinstance(exc, ConnectionRefusedError):
        return "connection refused"
    if isinstance(exc, TimeoutError):
        return "timed out"
    return type(exc).__name__


async def open_socket(visitor: Visitor) -> Any:
    import websockets

    return await websockets.connect(
        visitor.url, origin=live.SITE, open_timeout=OPEN_TIMEOUT, ping_interval=None, max_size=2**20
    )


async def poll(visitor: Visitor, storm: Storm, http: Any) -> None:
    """widget.js poll(): every 5 s, what came after the last message, until a socket opens."""
    import aiohttp

    async def once() -> None:
        storm.polls += 1
        try:
            async with http.get(
                f"{visitor.poll_url}?after={visitor.last_message}",
                headers={"Origin": live.SITE, "Authorization": f"Bearer {visitor.token}"},
            ) as response:
                if response.status != 200:
                    storm.poll_failed[f"HTTP {response.status}"] += 1
                    return
                for message in (await response.json())["messages"]:
                    visitor.last_message = max(visitor.last_message, message["id"])
                    visitor.polled.add(message["id"])
        except (aiohttp.ClientError, OSError, TimeoutError, ValueError) as exc:  # counted; the widget ignores it
            storm.poll_failed[failure(exc)] += 1

    pending = set()
    while not storm.over:
        await asyncio.sleep(POLL_SECONDS)
        task = asyncio.create_task(once())  # setInterval does not wait for the last request
        pending.add(task)
        task.add_done_callback(pending.discard)


async def visitor_run(visitor: Visitor, storm: Storm, http: Any) -> None:
    """widget.js connect() and its onopen, onmessage and onclose, from an open socket on."""
    import websockets

    retry = 0
    while True:
        if visitor.ws is not None:  # onopen
            retry = 0
            if visitor.poller is not None:
                visitor.poller.cancel()
                visitor.poller = None
            if storm.t0 is not None and visitor.reconnected is None:
                visitor.reconnected = storm.since()
            with contextlib.suppress(websockets.exceptions.ConnectionClosed):  # then onclose
                await visitor.ws.send(json.dumps({"type": "resume", "after": visitor.last_event}))
                async for raw in visitor.ws:
                    data = json.loads(raw)
                    if data.get("event"):
                        visitor.last_event = max(visitor.last_event, int(data["event"]))
                    if data.get("type") == "message":
                        visitor.last_message = max(visitor.last_message, data["message"]["id"])
                        if storm.t0 is not None:
                            visitor.got.append(data["message"]["id"])
            visitor.ws = None
        if storm.over:
            return
        retry = min(retry + 1, 6)  # onclose
        if retry > 1 and visitor.poll_url and visitor.poller is None:
            visitor.poller = asyncio.create_task(poll(visitor, storm, http))
        await asyncio.sleep(backoff(retry, storm.jitter))
        if storm.over:
            return
        began = storm.since()
        storm.attempts.append(began)
        try:
            visitor.ws = await open_socket(visitor)
            if storm.ready is not None:
                storm.handshakes.append(storm.since() - began)
        except (OSError, TimeoutError, websockets.exceptions.InvalidHandshake) as exc:  # counted; onclose backs off
            (storm.failed_up if storm.ready is not None else storm.failed_down)[failure(exc)] += 1


def write_replies(slug: str, conversations: list[int], per: int, tag: str, pause: float = 0.0) -> dict[int, list[int]]:
    """Staff replies through the service, as another process writes them; the ids per conversation."""
    from django.db import connections
    from django_scopes import scope, scopes_disabled

    from trunkshow.messaging.models import Conversation
    from trunkshow.messaging.services import message_send
    from trunkshow.stores.models import Store

    with scopes_disabled():
        store = Store.objects.get(slug=slug)
        actor = store.memberships.select_related("user").first().user
    written: dict[int, list[int]] = {}
    try:
        with scope(store=store):
            for pk in conversations:
                conversation = Conversation.objects.get(pk=pk)
                for n in range(per):
                    body = f"{tag} reply {n + 1} to conversation {pk}"
                    message = message_send(store=store, actor=actor, conversation=conversation, body=body)
                    written.setdefault(pk, []).append(message.pk)
                if pause:
                    time.sleep(pause)
    finally:
        connections.close_all()
    return written


def visitor_state(slug: str, chats: list[tuple[int, str]]) -> dict[int, tuple[int, int]]:
    """Each conversation's last event and last message id: what the widget holds after starting it."""
    from django.db.models import Max
    from django_scopes import scopes_disabled

    from trunkshow.core.models import LiveEvent
    from trunkshow.messaging.models import Message

    with scopes_disabled():
        events = dict(
            LiveEvent.objects.filter(store__slug=slug, topic__startswith="conversation:")
            .values_list("topic")
            .annotate(last=Max("id"))
        )
        messages = dict(
            Message.objects.filter(store__slug=slug).values_list("conversation_id").annotate(last=Max("id"))
        )
    return {pk: (events.get(f"conversation:{pk}", 0), messages.get(pk, 0)) for pk, _token in chats}


def wait_listening(port: int, timeout: float = 60.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", port), timeout=1):
            return
        time.sleep(0.2)  # as often as live.start_uvicorn asks /healthz
    raise SystemExit(f"the bare server on {port} did not start")


def start_bare(port: int) -> subprocess.Popen[bytes]:
    process = subprocess.Popen([sys.executable, "-c", BARE, str(port)])
    wait_listening(port)
    return process


def stop(processes: list[subprocess.Popen[bytes]]) -> None:
    for process in processes:
        process.send_signal(signal.SIGTERM)
    for process in processes:
        process.wait(timeout=60)


@dataclass
class Result:
    label: str
    storm: Storm
    visitors: list[Visitor]
    expected: dict[int, list[int]]  # conversation → reply ids written while its visitor was away
    window: float

    def reconnected(self) -> list[float]:
        return sorted(v.reconnected for v in self.visitors if v.reconnected is not None)

    def time_to(self, fraction: float) -> float | None:
        times, need = self.reconnected(), max(1, math.ceil(fraction * len(self.visitors) - 1e-9))
        return times[need - 1] if len(times) >= need else None

    def within(self) -> int:
        return sum(1 for t in self.reconnected() if t <= self.window)

    def peak(self) -> int:
        return max(Counter(int(t) for t in self.storm.attempts).values(), default=0)

    def replies(self) -> dict[str, int]:
        """Over the socket: lost (never there, nor polled), missing (polled only), duplicated, out of order."""
        counts = {"written": 0, "lost": 0, "poll only": 0, "duplicated": 0, "out of order": 0, "other": 0}
        by_conversation = {v.conversation: v for v in self.visitors}
        for pk, ids in self.expected.items():
            visitor = by_conversation[pk]
            counts["written"] += len(ids)
            seen = [i for i in visitor.got if i in ids]
            for i in ids:
                if i not in seen:
                    counts["lost" if i not in visitor.polled else "poll only"] += 1
                elif seen.count(i) > 1:
                    counts["duplicated"] += seen.count(i) - 1
            first = list(dict.fromkeys(seen))
            if first != sorted(first):
                counts["out of order"] += 1
        # A message over the socket that was not written during the outage: an old one sent again.
        counts["other"] = sum(1 for v in self.visitors for i in v.got if i not in self.expected.get(v.conversation, ()))
        return counts


async def storm_run(
    label: str,
    visitors: list[Visitor],
    jitter: bool,
    window: float,
    restart: Callable[[], None],
    start: Callable[[], None],
    during_outage: Callable[[], dict[int, list[int]]],
    during_storm: Callable[[], dict[int, list[int]]],
) -> Result:
    import aiohttp

    storm = Storm(jitter=jitter)
    for v in visitors:  # opened one after another, before the storm, as bench/live.py opens them
        v.ws = await open_socket(v)
        v.reconnected, v.got, v.polled = None, [], set()
    live.settle()
    async with aiohttp.ClientSession(connector=aiohttp.TCPConnector(limit=0)) as http:
        tasks = [asyncio.create_task(visitor_run(v, storm, http)) for v in visitors]
        await asyncio.sleep(2)  # every socket has sent its resume and had its (empty) answer
        storm.t0 = time.perf_counter()
        await asyncio.to_thread(restart)
        expected = await asyncio.to_thread(during_outage)
        await asyncio.to_thread(start)
        storm.ready = storm.since()
        more = await asyncio.to_thread(during_storm)
        for pk, ids in more.items():
            expected.setdefault(pk, []).extend(ids)
        deadline = storm.t0 + window
        while time.perf_counter() < deadline and any(v.reconnected is None for v in visitors):
            await asyncio.sleep(0.1)
        wanted = {pk: set(ids) for pk, ids in expected.items()}
        by_conversation = {v.conversation: v for v in visitors}
        settle_until = time.perf_counter() + GRACE
        while time.perf_counter() < settle_until and any(
            not ids <= set(by_conversation[pk].got) for pk, ids in wanted.items()
        ):
            await asyncio.sleep(0.1)
        storm.over = True
        for v in visitors:
            if v.poller is not None:
                v.poller.cancel()
            if v.ws is not None:
                await v.ws.close()
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
    # A snapshot: the next run reuses the visitors (their last event and message, as a browser keeps them).
    outcomes = [Visitor(v.index, v.conversation, v.token, v.url, v.poll_url) for v in visitors]
    for outcome, v in zip(outcomes, visitors, strict=True):
        outcome.reconnected, outcome.got, outcome.polled = v.reconnected, list(v.got), set(v.polled)
    if os.environ.get("RECONNECT_DEBUG"):
        print(label, "reconnected at", [round(t, 2) for t in sorted(o.reconnected or -1 for o in outcomes)])
        print(label, "attempts at", [round(t, 2) for t in sorted(storm.attempts)])
    return Result(label, storm, outcomes, expected, window)


def row(result: Result) -> str:
    def t(fraction: float) -> str:
        value = result.time_to(fraction)
        return f"{value:.1f} s" if value is not None else "—"

    n, storm = len(result.visitors), result.storm
    to_goal = result.time_to(0.999)
    after_up = f"{to_goal - (storm.ready or 0):.1f} s" if to_goal is not None else "—"
    failed_up = sum(storm.failed_up.values())
    replies = result.replies()
    troubles = replies["lost"] + replies["duplicated"] + replies["out of order"] + replies["other"]
    reply_cell = f"{replies['written']} / {troubles}" if replies["written"] else "—"
    return (
        f"| {result.label} | {n:,} | {storm.ready:.1f} s | {result.within():,} ({100 * result.within() / n:.1f}%) "
        f"| {t(0.5)} | {t(0.99)} | {t(0.999)} | {t(1.0)} | {after_up} | {len(storm.attempts):,} | {result.peak():,} "
        f"| {sum(storm.failed_down.values()):,} | {failed_up:,} | {storm.polls:,} | {reply_cell} |"
    )


def details(result: Result) -> str:
    storm = result.storm
    lines = [f"{result.label}:"]
    lines.append(f"  failed before the new process answered: {dict(storm.failed_down) or 'none'}")
    lines.append(f"  failed after: {dict(storm.failed_up) or 'none'}")
    lines.append(f"  polls: {storm.polls:,}, failed: {dict(storm.poll_failed) or 'none'}")
    if storm.handshakes:
        lines.append(
            f"  handshakes after the new process answered: {len(storm.handshakes):,}, p50 "
            f"{1000 * live.percentile(storm.handshakes, 50):.0f} ms, p99 {1000 * live.percentile(storm.handshakes, 99):.0f} ms, "
            f"max {1000 * max(storm.handshakes):.0f} ms"
        )
    per_second = Counter(int(t) for t in storm.attempts)
    lines.append(
        "  attempts per second after the drop: " + ", ".join(f"{s}s:{per_second[s]}" for s in sorted(per_second))
    )
    if result.expected:
        lines.append(f"  replies written while away: {result.replies()}")
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--data-dir", default="var/bench-reconnect")
    parser.add_argument("--database-url", default=None)
    parser.add_argument("--visitors", type=int, default=1000)
    parser.add_argument("--processes", type=int, choices=(1, 2), default=1)
    parser.add_argument("--window", type=float, default=60.0, help="seconds after the drop that count")
    parser.add_argument("--no-jitter", action="store_true", help="also run ours with the backoff without jitter")
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    random.seed(args.seed)

    if args.processes == 2:  # this process writes the replies: its pushes go over Redis too
        import redis

        redis.Redis.from_url(live.REDIS_URL).flushdb()
        os.environ["REDIS_URL"] = live.REDIS_URL
    engine = generate.configure(data_dir=args.data_dir, database_url=args.database_url, fresh=True)
    slug, chats, _cookie = live.prepare(args.visitors)
    state = visitor_state(slug, chats)
    env = live.server_env()
    ports = [live.free_port() for _ in range(args.processes)]
    bare_ports = [live.free_port() for _ in range(args.processes)]
    processes = [live.start_uvicorn(p, env) for p in ports]
    bare = [start_bare(p) for p in bare_ports]
    ours = [
        Visitor(
            i,
            pk,
            token,
            f"ws://127.0.0.1:{ports[i % len(ports)]}/ws/widget/{slug}/?token={token}",
            f"http://127.0.0.1:{ports[i % len(ports)]}/widget/api/{slug}/conversations/{pk}/messages",
            *state[pk],
        )
        for i, (pk, token) in enumerate(chats)
    ]
    away = [pk for i, (pk, _t) in enumerate(chats) if i % 10 == 0]  # two replies while the process is down
    late = [pk for i, (pk, _t) in enumerate(chats) if i % 10 == 5]  # one while the visitors reconnect
    gap = [0.0]

    def restart_ours() -> None:
        stop(processes)

    def start_ours() -> None:  # all at once, as a deploy restarts them
        with ThreadPoolExecutor(len(ports)) as pool:
            processes[:] = list(pool.map(lambda port: live.start_uvicorn(port, env), ports))

    def outage(tag: str) -> Callable[[], dict[int, list[int]]]:
        def write() -> dict[int, list[int]]:
            began = time.perf_counter()
            written = write_replies(slug, away, 2, tag)
            gap[0] = time.perf_counter() - began
            return written

        return write

    def reconnecting(tag: str) -> Callable[[], dict[int, list[int]]]:
        return lambda: write_replies(slug, late, 1, tag, pause=0.01)

    label = f"{engine}, {args.processes} web process{'es over Redis' if args.processes == 2 else ''}"
    results: list[Result] = []
    loop = asyncio.new_event_loop()
    try:
        results.append(
            loop.run_until_complete(
                storm_run(
                    f"ours ({label}), jitter",
                    ours,
                    True,
                    args.window,
                    restart_ours,
                    start_ours,
                    outage("outage"),
                    reconnecting("storm"),
                )
            )
        )
        print(details(results[-1]), flush=True)
        bare_visitors = [
            Visitor(i, v.conversation, v.token, f"ws://127.0.0.1:{bare_ports[i % len(bare_ports)]}/", "")
            for i, v in enumerate(ours)
        ]

        def restart_bare() -> None:
            stop(bare)

        def start_bare_all() -> None:
            with ThreadPoolExecutor(len(bare_ports)) as pool:
                bare[:] = list(pool.map(start_bare, bare_ports))

        def same_gap() -> dict[int, list[int]]:
            time.sleep(gap[0])  # as long as ours stayed down writing the replies
            return {}

        results.append(
            loop.run_until_complete(
                storm_run(
                    "bare websockets, jitter",
                    bare_visitors,
                    True,
                    args.window,
                    restart_bare,
                    start_bare_all,
                    same_gap,
                    dict,
                )
            )
        )
        print(details(results[-1]), flush=True)
        if args.no_jitter:
            results.append(
                loop.run_until_complete(
                    storm_run(
                        f"ours ({label}), no jitter",
                        ours,
                        False,
                        args.window,
                        restart_ours,
                        start_ours,
                        outage("outage-fixed"),
                        reconnecting("storm-fixed"),
                    )
                )
            )
            print(details(results[-1]), flush=True)
    finally:
        for process in processes + bare:
            process.terminate()
            with contextlib.suppress(subprocess.TimeoutExpired):
                process.wait(timeout=20)
    print()
    print(
        f"| run | sockets | back up | reconnected ≤ {args.window:.0f} s | 50% | 99% | 99.9% | 100% | 99.9% after back up | attempts "
        "| peak attempts/s | failed while down | failed after | polls | replies while away / lost, dup., disordered |"
    )
    print("| --- |" + " ---: |" * 14)
    for result in results:
        print(row(result))
    ours_t, bare_t = results[0].time_to(0.999), results[1].time_to(0.999)
    if ours_t is not None and bare_t is not None:
        print(f"\ntime to 99.9% reconnected, ours / bare: {ours_t:.1f} s / {bare_t:.1f} s = {ours_t / bare_t:.2f}×")
    goal = results[0].within() / len(ours)
    print(
        f"goal ≥ 99.9% reconnected within {args.window:.0f} s: {100 * goal:.1f}%, {'met' if goal >= 0.999 else 'NOT met'}"
    )


if __name__ == "__main__":
    main()
