"""The one reader of the events table per web process without Redis (``consumers._Relay``)."""

from __future__ import annotations

import asyncio
import concurrent.futures
from typing import Any

from trunkshow.core.layers import LocalChannelLayer
from trunkshow.messaging.consumers import _Relay


def _readers() -> list[asyncio.Task[Any]]:
    return [t for t in asyncio.all_tasks() if not t.done() and "_Relay._run" in repr(t.get_coro())]


def test_sockets_joining_at_once_share_one_reader_that_stops_when_the_last_leaves(transactional_db: Any) -> None:
    """A reconnect storm: hundreds of sockets join while the reader reads its starting position.
    Each started its own reader before, and leaving stopped only the last: the others read the
    table every two seconds until the process ended."""

    async def storm() -> tuple[int, int]:
        relay, layer = _Relay(), LocalChannelLayer()
        await asyncio.gather(*(relay.join(layer) for _ in range(50)))
        while_open = len(_readers())
        for _ in range(50):
            relay.leave()
        await asyncio.sleep(0.01)  # the cancelled reader ends
        return while_open, len(_readers())

    # On a thread of its own: a browser test's event loop may be running on this one.
    with concurrent.futures.ThreadPoolExecutor(1) as pool:
        assert pool.submit(asyncio.run, storm()).result() == (1, 0)
