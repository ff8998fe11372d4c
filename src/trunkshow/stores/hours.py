"""Opening hours: is the store open now, when does it open next, and a clock that runs only while open.

``Store.opening_hours`` is ``{"mon": [["10:00", "18:00"]], "sun": []}`` in the store's time zone;
a store with no hours at all is treated as always open (nothing to wait for). A closing time of
``"24:00"`` or later (the settings accept hours up to 24) is that many minutes after the day's
midnight: ``["20:00", "24:30"]`` on Monday closes at 00:30 on Tuesday.
"""

from __future__ import annotations

import bisect
import datetime as dt
from zoneinfo import ZoneInfo

from trunkshow.stores.models import WEEKDAYS, Store

HORIZON_DAYS = 14


def zone(store: Store) -> ZoneInfo:
    return ZoneInfo(store.time_zone or "UTC")


def _minutes(clock: object) -> int | None:
    """``"09:30"`` -> 570; None for anything that is not a time of day up to ``"24:59"``."""
    if not isinstance(clock, str):
        return None
    hh, _sep, mm = clock.partition(":")
    if not (hh.isdigit() and mm.isdigit() and len(hh) <= 2 and len(mm) == 2 and int(hh) <= 24 and int(mm) < 60):
        return None
    return int(hh) * 60 + int(mm)


def day_spans(store: Store, day: str) -> list[tuple[str, str]]:
    """The store's ``(opens, closes)`` on a weekday (``"mon"``), in order of opening.

    Read defensively: the widget shows them on public pages, so a malformed span (from a direct
    write to the column) is left out rather than breaking the page.
    """
    week = store.opening_hours if isinstance(store.opening_hours, dict) else {}
    found = []
    for span in week.get(day) or []:
        if isinstance(span, list | tuple) and len(span) == 2:
            opens, closes = _minutes(span[0]), _minutes(span[1])
            if opens is not None and closes is not None and opens < closes:
                found.append((opens, closes, span[0], span[1]))
    return [(o, c) for _o, _c, o, c in sorted(found)]


def _at(day: dt.date, clock: str, tz: ZoneInfo) -> dt.datetime:
    """A wall-clock time of a local day, in UTC (``"24:30"`` is 00:30 the day after)."""
    days, minutes = divmod(_minutes(clock) or 0, 24 * 60)
    wall = dt.datetime.combine(day + dt.timedelta(days=days), dt.time(*divmod(minutes, 60)), tzinfo=tz)
    return wall.astimezone(dt.UTC)


def _intervals(store: Store, start: dt.datetime, days: int = HORIZON_DAYS) -> list[tuple[dt.datetime, dt.datetime]]:
    """The open intervals (in UTC) that end after ``start``, for ``days`` days, in order and merged.

    From the day before ``start``: its hours may run past midnight. Merged, so a span that runs
    into the next one (or overlaps it) is one stretch of opening time.
    """
    tz = zone(store)
    local_day = start.astimezone(tz).date()
    spans = []
    for offset in range(-1, days + 1):
        for begin, end in spans_on(store, local_day + dt.timedelta(days=offset)):
            if end > start:
                spans.append((max(begin, start), end))
    merged: list[tuple[dt.datetime, dt.datetime]] = []
    for begin, end in sorted(spans):
        if merged and begin <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(merged[-1][1], end))
        else:
            merged.append((begin, end))
    return merged


def spans_on(store: Store, day: dt.date) -> list[tuple[dt.datetime, dt.datetime]]:
    """The store's opening spans of one local day, in UTC (none on a day it is closed)."""
    tz = zone(store)
    return [(_at(day, opens, tz), _at(day, closes, tz)) for opens, closes in day_spans(store, WEEKDAYS[day.weekday()])]


def has_hours(store: Store) -> bool:
    return any(day_spans(store, day) for day in WEEKDAYS)


def is_open(store: Store, at: dt.datetime) -> bool:
    if not has_hours(store):
        return True
    intervals = _intervals(store, at)
    return bool(intervals) and intervals[0][0] <= at


def next_opening(store: Store, at: dt.datetime) -> dt.datetime | None:
    """When the store is next open at or after ``at`` (``at`` itself when it is open); None without hours."""
    if not has_hours(store):
        return None
    intervals = _intervals(store, at)
    return intervals[0][0] if intervals else None


def next_day_opening(store: Store, at: dt.datetime) -> dt.datetime | None:
    """When the store next opens its doors for a day after ``at``: today's first opening if it is still
    to come, else the next open day's (a lunch break's reopening is not a day's opening). None
    without hours. What a snooze defaults to: the conversation is back when someone is there."""
    if not has_hours(store):
        return None
    day = at.astimezone(zone(store)).date()
    for offset in range(HORIZON_DAYS + 1):
        spans = spans_on(store, day + dt.timedelta(days=offset))
        if spans and (opens := min(spans)[0]) > at:
            return opens
    return None


def last_closing(store: Store, at: dt.datetime) -> dt.datetime | None:
    """When the store last closed at or before ``at`` (looking back a week); None without hours."""
    if not has_hours(store):
        return None
    ends = [end for _begin, end in _intervals(store, at - dt.timedelta(days=8)) if end <= at]
    return max(ends, default=None)


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


class OpenClock:
    """Opening time between two moments, for many pairs in one span of days (a report's rows):
    the store's open intervals are worked out once, each pair is then a few comparisons."""

    def __init__(self, store: Store, since: dt.datetime, until: dt.datetime) -> None:
        self.always = not has_hours(store)
        days = max(1, (until - since).days + 2)
        self.spans = [] if self.always else _intervals(store, since, days)
        self.closes = [close for _begin, close in self.spans]

    def seconds(self, start: dt.datetime, end: dt.datetime) -> int:
        """Seconds the store was open from ``start`` to ``end`` (all of them for a store without hours)."""
        if end <= start:
            return 0
        if self.always:
            return int((end - start).total_seconds())
        total = 0.0
        # From the first span that closes after ``start`` (an index, not a copy of the list's tail).
        for i in range(bisect.bisect_right(self.closes, start), len(self.spans)):
            begin, close = self.spans[i]
            if begin >= end:
                break
            total += (min(close, end) - max(begin, start)).total_seconds()
        return int(total)
