"""The channel layer of a server without Redis: Channels' in-memory layer, with its sweep amortised.

Channels' ``InMemoryChannelLayer`` looks for expired messages and group memberships by walking
every channel and every group on each ``group_send`` and each ``receive``. A web process with
6,000 widget sockets open has 6,000 channels and 6,000 groups, and every live event costs two such
walks (the send, then the receiving consumer's next ``receive``): measured with py-spy in
``bench/live.py --idle 5000`` before this layer, 46% of the web process's samples were in that
walk, the event loop fell behind, and message requests queued until they timed out on SQLite's
write lock. Here the sweep looks only at channels that were sent something since it last looked
(a consumer waiting on an empty queue cannot hold an expired message), at most once per
``clean_interval`` seconds, and walks the group memberships (which expire after a day) at most
once per ``group_clean_interval``: a walk over 6,000 idle sockets took 13 ms of the event loop
on an idle machine. A message is still dropped once past its expiry (up to ``clean_interval``
later than before), and a channel whose message expired still leaves its groups.
"""

from __future__ import annotations

import time
from typing import Any

from channels.layers import InMemoryChannelLayer


class LocalChannelLayer(InMemoryChannelLayer):
    def __init__(self, clean_interval: float = 1.0, group_clean_interval: float = 60.0, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.clean_interval = clean_interval
        self.group_clean_interval = group_clean_interval
        self._next_clean = 0.0
        self._next_group_clean = 0.0
        self._sent_to: set[str] = set()  # channels sent something since the last sweep

    async def send(self, channel: str, message: dict[str, Any]) -> None:
        await super().send(channel, message)
        self._sent_to.add(channel)

    async def flush(self) -> None:
        await super().flush()
        self._sent_to.clear()

    def _clean_expired(self) -> None:
        now = time.time()
        if now < self._next_clean:
            return
        self._next_clean = now + self.clean_interval
        for channel in list(self._sent_to):
            queue = self.channels.get(channel)
            while queue is not None and not queue.empty() and queue._queue[0][0] < now:
                queue.get_nowait()
                self._remove_from_groups(channel)  # as Channels does: an expired message ends the memberships
                if queue.empty():
                    self.channels.pop(channel, None)
            if queue is None or queue.empty():
                self._sent_to.discard(channel)
        if now >= self._next_group_clean:
            self._next_group_clean = now + self.group_clean_interval
            oldest = int(now) - self.group_expiry
            for members in self.groups.values():
                for name, joined in list(members.items()):
                    if joined and joined < oldest:
                        members.pop(name, None)
