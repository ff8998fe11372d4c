"""The house clock: the database server's time, the one clock every web and worker process shares.

In production the web processes, the worker and the database run on machines whose clocks may
disagree by minutes. A time written by one process and compared by another (a message's time and
the reply's, the response target and the managers' alert, a snooze's end, a retry's due time and
the sweep, a send's claim and its timeout, the WhatsApp window) is read from here, never from the
machine's own clock (ADR 0015). This process's offset from the database's clock is measured on
first use and again every minute, so asking costs no query most of the time.
"""

from __future__ import annotations

import datetime as dt
import time

from django.db import connection
from django.utils import timezone

REMEASURE_AFTER = 60.0  # seconds: clocks drift slowly; a stepped clock is caught within a minute

# Tests that make time pass with time_machine move only this process's clock: they turn this off
# (tests/conftest.py). The clock-skew tests turn it on (tests/abuse/test_clock_skew.py).
from_database = True

_offset: dt.timedelta | None = None
_measured_at = 0.0


def now() -> dt.datetime:
    """The database's time now (aware, UTC)."""
    global _offset, _measured_at
    if not from_database:
        return timezone.now()
    if _offset is None or time.monotonic() - _measured_at > REMEASURE_AFTER:
        _offset, _measured_at = _measure(), time.monotonic()
    return timezone.now() + _offset


def local(moment: dt.datetime) -> dt.datetime:
    """The house-clock time ``moment`` on this machine's clock (for a scheduler that reads it: Huey's eta)."""
    return moment - (_offset or dt.timedelta(0)) if from_database else moment


def forget() -> None:
    """Measure again on the next ``now()`` (as a process that has just started)."""
    global _offset
    _offset = None


def _measure() -> dt.timedelta:
    before = timezone.now()
    database = _database_now()
    after = timezone.now()
    if database is None:
        return dt.timedelta(0)
    return database - (before + (after - before) / 2)


def _database_now() -> dt.datetime | None:
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SELECT clock_timestamp()")  # now() would be the transaction's start
            value = cursor.fetchone()[0]
            return value if isinstance(value, dt.datetime) else None
        if connection.vendor == "sqlite":
            # The machine's own clock (SQLite runs in this process), to the millisecond.
            cursor.execute("SELECT strftime('%Y-%m-%d %H:%M:%f', 'now')")
            return dt.datetime.fromisoformat(cursor.fetchone()[0]).replace(tzinfo=dt.UTC)
    return None
