"""How the web process's garbage collector treats long-lived objects: frozen, so a full collection is short.

Each open websocket keeps a hundred or more objects alive (uvicorn's protocol, the websockets
connection, the Channels consumer, their tasks and queues). CPython's full collection examines
every tracked object, so with 6,000 sockets open one took 150 ms to 1 s, stopping the event loop
and every request with it: in ``bench/live.py --idle 5000`` the slowest messages (1.85 s) were
exactly those sent during a 1,042 ms full collection (a ``gc.callbacks`` log beside the
per-message latencies, 2026-11-23).

The policy: freeze the heap once the application is loaded (``gc.freeze``: Django, the URL
conf, the templates' code: nothing there is ever garbage), and freeze again what survives each
full collection, so the next one looks only at objects made since. Frozen objects are never
examined, so a reference cycle among them that becomes garbage (a closed socket's) would stay:
every ``THAW_SECONDS`` the policy unfreezes instead, and the next full collection examines, and
frees, everything. That one is as long as before, once per ``THAW_SECONDS`` instead of
whenever the heap has grown by a quarter. Measured with the policy: full collections of
45–73 ms instead of 150–1,042 ms with 6,000 sockets open, and the live-delivery p99 of 1,000
active visitors beside 5,000 idle sockets 53 ms (``docs/benchmarks.md``).
"""

from __future__ import annotations

import gc
import time
from typing import Any

THAW_SECONDS = 600.0


class _Policy:
    def __init__(self, thaw_seconds: float) -> None:
        self.thaw_seconds = thaw_seconds
        self.last_thaw = time.monotonic()
        self.thawed = 0  # how many times it unfroze (for tests and curious operators)

    def __call__(self, phase: str, info: dict[str, Any]) -> None:
        if phase != "stop" or info.get("generation") != 2:
            return
        now = time.monotonic()
        if now - self.last_thaw >= self.thaw_seconds:
            self.last_thaw = now
            self.thawed += 1
            gc.unfreeze()  # the next full collection examines everything, frozen cycles included
        else:
            gc.freeze()


_installed: _Policy | None = None


def gc_policy_install(*, thaw_seconds: float = THAW_SECONDS) -> _Policy:
    """Freeze what is alive now and keep freezing survivors of full collections (idempotent)."""
    global _installed
    if _installed is None:
        gc.collect()
        gc.freeze()
        _installed = _Policy(thaw_seconds)
        gc.callbacks.append(_installed)
    return _installed


def gc_policy_uninstall() -> None:
    """Back to CPython's default: nothing frozen, no callback."""
    global _installed
    if _installed is not None:
        gc.callbacks.remove(_installed)
        _installed = None
    gc.unfreeze()
