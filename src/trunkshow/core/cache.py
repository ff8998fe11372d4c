"""The Redis cache, with this process's memory standing in while Redis cannot be reached.

What Trunkshow keeps in the cache (rate-limit counters, segment counts, password-reset marks) is
worth less than an answer: with Redis down, the login page, the widget and every webhook still
answer, counting in this process until Redis is back. A failed call marks Redis down for a few
seconds, so requests in the meantime do not each wait for a connection to fail; the outage is
logged once per outage, not per call.
"""

from __future__ import annotations

import logging
import time
from typing import Any

import redis
from django.core.cache.backends.base import DEFAULT_TIMEOUT
from django.core.cache.backends.locmem import LocMemCache
from django.core.cache.backends.redis import RedisCache

logger = logging.getLogger(__name__)

RETRY_AFTER_SECONDS = 5.0
# What "Redis cannot be reached" raises, here and wherever Redis is used (the queue, the channel layer).
OUTAGE = (redis.ConnectionError, redis.TimeoutError)


class _Outage:
    """Whether this process last found Redis down, shared by the cache objects of all its threads
    (Django makes one per thread), and until when not to ask it again."""

    def __init__(self) -> None:
        self.down = False
        self.retry_at = 0.0


_OUTAGES: dict[str, _Outage] = {}


class ResilientRedisCache(RedisCache):
    def __init__(self, server: str, params: dict[str, Any]) -> None:
        super().__init__(server, params)
        # One stand-in per process and server: LocMemCache objects of the same name share their data.
        self._local = LocMemCache(f"redis-standin:{server}", {"OPTIONS": {"MAX_ENTRIES": 10_000}})
        self._outage = _OUTAGES.setdefault(str(server), _Outage())

    def _call(self, name: str, *args: Any) -> Any:
        outage = self._outage
        if time.monotonic() >= outage.retry_at:
            try:
                value = getattr(super(), name)(*args)
            except OUTAGE:
                if not outage.down:
                    logger.warning("Redis is unreachable: the cache counts in this process until it is back")
                outage.down = True
                outage.retry_at = time.monotonic() + RETRY_AFTER_SECONDS
            else:
                if outage.down:
                    logger.warning("Redis is reachable again: the cache is shared again")
                    outage.down = False
                return value
        return getattr(self._local, name)(*args)

    # Every operation goes through ``_call``: Redis when it answers, this process's memory when not.
    def add(self, key: Any, value: Any, timeout: Any = DEFAULT_TIMEOUT, version: Any = None) -> bool:
        return bool(self._call("add", key, value, timeout, version))

    def get(self, key: Any, default: Any = None, version: Any = None) -> Any:
        return self._call("get", key, default, version)

    def set(self, key: Any, value: Any, timeout: Any = DEFAULT_TIMEOUT, version: Any = None) -> None:
        self._call("set", key, value, timeout, version)

    def touch(self, key: Any, timeout: Any = DEFAULT_TIMEOUT, version: Any = None) -> bool:
        return bool(self._call("touch", key, timeout, version))

    def delete(self, key: Any, version: Any = None) -> bool:
        return bool(self._call("delete", key, version))

    def get_many(self, keys: Any, version: Any = None) -> dict[Any, Any]:
        return dict(self._call("get_many", keys, version))

    def has_key(self, key: Any, version: Any = None) -> bool:
        return bool(self._call("has_key", key, version))

    def incr(self, key: Any, delta: int = 1, version: Any = None) -> int:
        return int(self._call("incr", key, delta, version))

    def set_many(self, data: Any, timeout: Any = DEFAULT_TIMEOUT, version: Any = None) -> list[Any]:
        return list(self._call("set_many", data, timeout, version) or [])

    def delete_many(self, keys: Any, version: Any = None) -> None:
        self._call("delete_many", keys, version)

    def clear(self) -> None:
        self._local.clear()
        self._call("clear")
