"""The query planner's statistics (ADR 0016).

PostgreSQL's autovacuum analyses a table as it changes. SQLite keeps no statistics until something
runs ANALYZE, and without them it guesses: a condition on the store read through the store's index
looks as good as one on the customer (a filter once took 4 s instead of 4 ms that way). The worker
runs ``statistics_refresh`` every night and after an import, the demo after it loads, so the plans
a store gets are the ones the benchmarks measured.
"""

from __future__ import annotations

import logging
import time

from django.db import connection

logger = logging.getLogger(__name__)


def statistics_refresh() -> float | None:
    """Analyse every table and index of the SQLite database; the seconds it took, or None on an engine
    that keeps its own (PostgreSQL). Whole, not sampled: ``analysis_limit`` estimates a store index
    from its first rows, 201 customers a store where the book holds 10,198 on average (measured on
    the 1M benchmark book, where the whole analysis took 4.7 s)."""
    if connection.vendor != "sqlite":
        return None
    started = time.perf_counter()
    with connection.cursor() as cursor:
        cursor.execute("PRAGMA analysis_limit = 0")
        cursor.execute("ANALYZE")
    took = time.perf_counter() - started
    logger.debug("SQLite statistics refreshed in %.2f s", took)
    return took
