"""A small rate limit on the cache: hits per key in fixed windows, for public endpoints and webhooks."""

from __future__ import annotations

import time

from django.core.cache import cache


def throttle_hit(key: str, *, limit: int, window: int = 60) -> int | None:
    """Count one hit for ``key``; the seconds to wait when it is over ``limit`` in this window, else None."""
    now = time.time()
    bucket = int(now // window)
    cache_key = f"throttle:{key}:{bucket}"
    cache.add(cache_key, 0, timeout=window * 2)
    try:
        hits = cache.incr(cache_key)
    except ValueError:  # evicted between add and incr
        cache.set(cache_key, 1, timeout=window * 2)
        hits = 1
    if hits > limit:
        return max(1, int((bucket + 1) * window - now))
    return None
