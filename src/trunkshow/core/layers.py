"""The channel layer of a server without Redis: Channels' in-memory layer, with its sweep amortised.

Channels' ``InMemoryChannelLayer`` looks for expired messages and group memberships by walking
every channel and every group on each ``group_send`` and each ``receive``. A web process with
6,000 widget sockets open has 6,000 channels and 6,000 groups, and every live event costs two such
walks (the send, then the receiving consumer's next ``receive``): measured with py-spy in
``bench/live.py --idle 5000`` before this layer, 46% of the web process's samples were in that
walk, the event loop fell behind, and message requests queued until they timed out on SQLite's
write lock. Here the walk runs at most once per ``clean_interval`` seconds: a message is still
dropped once past its expiry (up to ``clean_interval`` later than before), and a channel whose
message expired still leaves its groups, which is all the walk is for.
"""

from __future__ import annotations

import time
from typing import Any

from channels.layers import InMemoryChannelLayer


class LocalChannelLayer(InMemoryChannelLayer):
    def __init__(self, clean_interval: float = 1.0, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.clean_interval = clean_interval
        self._next_clean = 0.0

    def _clean_expired(self) -> None:
        now = time.time()
        if now < self._next_clean:
            return
        self._next_clean = now + self.clean_interval
        super()._clean_expired()
