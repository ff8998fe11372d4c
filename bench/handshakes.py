"""Benchmark: widget socket handshakes a second on one web process, beside a bare websockets server.

    uv run python bench/handshakes.py --data-dir /tmp/ts-handshakes
    uv run python bench/handshakes.py --data-dir /tmp/ts-handshakes-pg \\
        --database-url postgres://postgres@127.0.0.1:5432/trunkshow_handshakes_bench

What a reconnect storm is made of (``bench/reconnect.py``), alone: N visitors (default 400) each
open the widget's socket (``/ws/widget/<store>/?token=``, from an allowed origin) and send the
widget's ``{"type": "resume", "after": 0}``; timed from the connect until the resume's backfill
has answered (the visitor's first message comes back), one visitor at a time (``--concurrency
1``: the cost of one handshake) and 100 at once (the rate a storm gets). The baseline is the same
clients against a bare ``websockets`` server that echoes the resume, in the same run: handshakes
a second and p50 side by side, with the ratio.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import platform
import statistics
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
import generate
import live

ECHO = """
import asyncio, signal, sys, websockets
async def handler(ws):
    async for message in ws:
        await ws.send(message)
async def main():
    stop = asyncio.get_running_loop().create_future()
    asyncio.get_running_loop().add_signal_handler(signal.SIGTERM, stop.set_result, None)
    async with websockets.serve(handler, "127.0.0.1", int(sys.argv[1]), backlog=4096, compression=None):
        await stop
asyncio.run(main())
"""


async def handshakes(urls: list[str], origin: str | None, concurrency: int) -> tuple[float, list[float]]:
    """Open every socket, send the resume, wait for the first answer; (handshakes a second, ms each)."""
    import websockets

    gate = asyncio.Semaphore(concurrency)
    times: list[float] = []
    sockets: list[Any] = []

    async def one(url: str) -> None:
        async with gate:
            began = time.perf_counter()
            ws = await websockets.connect(url, origin=origin, ping_interval=None, open_timeout=60)  # type: ignore[arg-type]
            await ws.send(json.dumps({"type": "resume", "after": 0}))
            await asyncio.wait_for(ws.recv(), timeout=60)
            times.append((time.perf_counter() - began) * 1000)
            sockets.append(ws)

    began = time.perf_counter()
    await asyncio.gather(*(one(url) for url in urls))
    rate = len(urls) / (time.perf_counter() - began)
    for ws in sockets:
        await ws.close()
    return rate, times


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--data-dir", default="var/bench-handshakes")
    parser.add_argument("--database-url", default=None)
    parser.add_argument("--visitors", type=int, default=400)
    parser.add_argument("--rounds", type=int, default=2, help="each measurement this many times, alternating sides")
    args = parser.parse_args()

    engine = generate.configure(data_dir=args.data_dir, database_url=args.database_url, fresh=True)
    slug, chats, _cookie = live.prepare(args.visitors)
    port, bare_port = live.free_port(), live.free_port()
    web = live.start_uvicorn(port, live.server_env())
    bare = subprocess.Popen([sys.executable, "-c", ECHO, str(bare_port)])
    ours_urls = [f"ws://127.0.0.1:{port}/ws/widget/{slug}/?token={token}" for _c, token in chats]
    bare_urls = [f"ws://127.0.0.1:{bare_port}/" for _ in chats]
    rows = []
    try:
        time.sleep(1.0)
        loop = asyncio.new_event_loop()
        loop.run_until_complete(handshakes(ours_urls[:20], live.SITE, 1))  # warm both
        loop.run_until_complete(handshakes(bare_urls[:20], None, 1))
        for concurrency in (1, 100):
            for _round in range(args.rounds):
                ours = loop.run_until_complete(handshakes(ours_urls, live.SITE, concurrency))
                plain = loop.run_until_complete(handshakes(bare_urls, None, concurrency))
                rows.append((concurrency, ours, plain, os.getloadavg()[0]))
    finally:
        web.terminate()
        bare.terminate()
        web.wait(timeout=20)
    print(f"{engine}; {platform.machine()}, {os.cpu_count()} CPUs; one web process; {args.visitors} visitors")
    print()
    print("| at once | ours / s | ours p50 | bare / s | bare p50 | ours / bare (rate) | load |")
    print("| ---: | ---: | ---: | ---: | ---: | ---: | ---: |")
    for concurrency, (rate, times), (bare_rate, bare_times), load in rows:
        print(
            f"| {concurrency} | {rate:.0f} | {statistics.median(times):.1f} ms | {bare_rate:.0f} "
            f"| {statistics.median(bare_times):.1f} ms | {rate / bare_rate:.2f}× | {load:.1f} |"
        )


if __name__ == "__main__":
    main()
