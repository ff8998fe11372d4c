"""A small fixed-window rate limit kept in Django's cache, for public endpoints (webhooks, the widget).

Bursts are refused and nothing is written to the database. With ``REDIS_URL`` the counts are
shared by every process; without it each process counts its own (the limits are generous ceilings
against floods, not quotas, so that is good enough). Keys are hashed, so a visitor's token or
address never appears in the cache's key space as typed.
"""

from __future__ import annotations

import hashlib
import time

from django.core.cache import cache


def throttle_hit(key: str, *, limit: int, window: int = 60) -> int | None:
    """Count one request under ``key``: ``None`` while within ``limit`` per ``window`` seconds,
    else the whole seconds until the window ends (for ``Retry-After``)."""
    now = time.time()
    bucket = int(now // window)
    digest = hashlib.sha256(f"{key}|{window}".encode()).hexdigest()[:40]
    cache_key = f"trunkshow:throttle:{digest}:{bucket}"
    if cache.add(cache_key, 1, timeout=window + 1):
        count = 1
    else:
        try:
            count = cache.incr(cache_key)
        except ValueError:  # expired between add and incr: this is the first hit of a new window
            cache.add(cache_key, 1, timeout=window + 1)
            count = 1
    if count <= limit:
        return None
    return max(1, int((bucket + 1) * window - now + 0.999))


def rate_allow(*, key: str, limit: int, window: int) -> tuple[bool, int]:
    """Count one hit on ``key``; ``(allowed, seconds until the window ends)``."""
    wait = throttle_hit(key, limit=limit, window=window)
    if wait is None:
        now = time.time()
        return True, max(1, int((int(now // window) + 1) * window - now + 0.999))
    return False, wait
