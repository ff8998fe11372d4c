"""Opening hours: is the store open now, when does it open next, and a clock that runs only while open.

``Store.opening_hours`` is ``{"mon": [["10:00", "18:00"]], "sun": []}`` in the store's time zone;
a store with no hours at all is treated as always open (nothing to wait for).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from zoneinfo import ZoneInfo

from trunkshow.stores.models import WEEKDAYS, Store

HORIZON_DAYS = 14


def _intervals(store: Store, start: dt.datetime) -> Iterator[tuple[dt.datetime, dt.datetime]]:
    """The open intervals (UTC-aware) from the day of ``start`` on, for HORIZON_DAYS days, in order."""
    zone = ZoneInfo(store.time_zone or "UTC")
    local_day = start.astimezone(zone).date()
    for offset in range(HORIZON_DAYS + 1):
        day = local_day + dt.timedelta(days=offset)
        for opens, closes in (store.opening_hours or {}).get(WEEKDAYS[day.weekday()], []):
            begin = dt.datetime.combine(day, dt.time.fromisoformat(opens), tzinfo=zone)
            end = dt.datetime.combine(day, dt.time.fromisoformat(closes), tzinfo=zone)
            if end > start:
                yield max(begin, start), end


def has_hours(store: Store) -> bool:
    return any(store.opening_hours.get(day) for day in WEEKDAYS) if store.opening_hours else False


def is_open(store: Store, at: dt.datetime) -> bool:
    if not has_hours(store):
        return True
    first = next(_intervals(store, at), None)
    return first is not None and first[0] <= at


def next_opening(store: Store, at: dt.datetime) -> dt.datetime | None:
    """When the store is next open at or after ``at`` (``at`` itself when it is open); None without hours."""
    if not has_hours(store):
        return None
    first = next(_intervals(store, at), None)
    return first[0] if first else None


def open_deadline(store: Store, start: dt.datetime, minutes: int) -> dt.datetime:
    """``start`` plus ``minutes`` of opening time: a message at 19:55 with a 10-minute target is due at 10:05 next day."""
    remaining = dt.timedelta(minutes=minutes)
    if not has_hours(store):
        return start + remaining
    for begin, end in _intervals(store, start):
        if end - begin >= remaining:
            return begin + remaining
        remaining -= end - begin
    return start + dt.timedelta(days=HORIZON_DAYS)
