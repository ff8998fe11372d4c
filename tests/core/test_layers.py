"""The in-process channel layer: what Channels' in-memory layer does, with its expiry sweep amortised."""

from __future__ import annotations

import asyncio
import concurrent.futures
from collections.abc import Callable, Coroutine
from typing import Any

import time_machine

from trunkshow.core.layers import LocalChannelLayer

START = 1_800_000_000.0  # a fixed instant (2027-01-15), so the test's clock is the layer's clock


def run(scenario: Callable[[], Coroutine[Any, Any, None]]) -> None:
    """``asyncio.run`` on a thread of its own: browser tests earlier in the session leave an event
    loop running on this one (Playwright's), where ``asyncio.run`` refuses to start."""
    with concurrent.futures.ThreadPoolExecutor(1) as pool:
        pool.submit(asyncio.run, scenario()).result()


async def _receive_now(layer: LocalChannelLayer, channel: str) -> dict[str, str] | None:
    try:
        return await asyncio.wait_for(layer.receive(channel), timeout=0.2)
    except TimeoutError:
        return None


def test_group_messages_arrive_and_expired_ones_are_swept_within_the_interval() -> None:
    async def scenario() -> None:
        layer = LocalChannelLayer(expiry=60, clean_interval=1.0)
        with time_machine.travel(START, tick=False) as clock:
            live, stale = await layer.new_channel(), await layer.new_channel()
            await layer.group_add("conversation-1", live)
            await layer.group_add("conversation-1", stale)

            await layer.group_send("conversation-1", {"type": "live.event", "n": 1})
            assert await _receive_now(layer, live) == {"type": "live.event", "n": 1}

            # ``stale`` never reads its copy: 61 s later it has expired. Within the interval of the
            # last sweep nothing is walked; once the interval has passed, the next send sweeps it.
            clock.move_to(START + 61)
            await layer.group_send("conversation-1", {"type": "live.event", "n": 2})
            assert stale not in layer.groups.get("conversation-1", {})
            assert stale not in layer.channels
            assert await _receive_now(layer, live) == {"type": "live.event", "n": 2}

    run(scenario)


def test_the_sweep_runs_at_most_once_per_interval() -> None:
    async def scenario() -> None:
        layer = LocalChannelLayer(expiry=60, clean_interval=1.0)
        with time_machine.travel(START, tick=False) as clock:
            quiet = await layer.new_channel()
            await layer.send(quiet, {"type": "live.event"})  # expires at START + 60

            clock.move_to(START + 59.5)
            await layer.group_send("nobody", {"type": "live.event"})  # sweeps: nothing expired yet
            assert quiet in layer.channels

            clock.move_to(START + 60.2)  # expired, but the last sweep was 0.7 s ago
            await layer.group_send("nobody", {"type": "live.event"})
            assert quiet in layer.channels

            clock.move_to(START + 60.6)  # a second after the last sweep: swept
            await layer.group_send("nobody", {"type": "live.event"})
            assert quiet not in layer.channels

    run(scenario)


def test_a_membership_older_than_the_group_expiry_ends_within_the_group_interval() -> None:
    async def scenario() -> None:
        layer = LocalChannelLayer(group_expiry=86_400, clean_interval=1.0, group_clean_interval=60.0)
        with time_machine.travel(START, tick=False) as clock:
            old, new = await layer.new_channel(), await layer.new_channel()
            await layer.group_add("store-1", old)
            await layer.group_send("store-1", {"type": "live.event"})  # the first sweep, groups included
            assert await _receive_now(layer, old) == {"type": "live.event"}

            clock.move_to(START + 86_390)
            await layer.group_add("store-1", new)
            clock.move_to(START + 86_401)  # ``old`` joined more than a day ago; groups last walked at START
            await layer.group_send("store-1", {"type": "live.event"})
            assert set(layer.groups["store-1"]) == {new}
            assert await _receive_now(layer, new) == {"type": "live.event"}
            assert await _receive_now(layer, old) is None

    run(scenario)
