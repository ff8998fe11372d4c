"""A fixed-window rate limit kept in Django's cache: bursts are refused, nothing is written to the database.

With ``REDIS_URL`` the cache is shared by every web process, so the limit holds across them; on a
laptop (local-memory cache) it holds per process.
"""

from __future__ import annotations

import hashlib
import time

from django.core.cache import cache


def rate_allow(*, key: str, limit: int, window: int) -> tuple[bool, int]:
    """Count one hit on ``key``; ``(allowed, seconds until the window ends)``.

    The key is hashed, so a visitor's token or address never appears in the cache's key space as typed.
    """
    now = int(time.time())
    start = now - now % window
    name = "trunkshow:rate:" + hashlib.sha256(f"{key}|{window}|{start}".encode()).hexdigest()[:40]
    retry_after = max(1, start + window - now)
    if cache.add(name, 1, timeout=window + 1):
        return True, retry_after
    try:
        count = cache.incr(name)
    except ValueError:  # expired between add and incr: this hit starts a new window
        cache.add(name, 1, timeout=window + 1)
        return True, retry_after
    return count <= limit, retry_after
