"""A small fixed-window rate limit on the cache, for public endpoints (webhooks, the widget).

With ``REDIS_URL`` the counts are shared by every process; without it each process counts its
own (the limits are generous ceilings against floods, not quotas, so that is good enough).
"""

from __future__ import annotations

import time

from django.core.cache import cache


def throttle_hit(key: str, *, limit: int, window: int = 60) -> int | None:
    """Count one request under ``key``: ``None`` while within ``limit`` per ``window`` seconds,
    else the whole seconds until the window ends (for ``Retry-After``)."""
    now = time.time()
    bucket = int(now // window)
    cache_key = f"trunkshow:throttle:{key}:{bucket}"
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
