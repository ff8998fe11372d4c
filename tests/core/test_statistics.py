"""The SQLite planner's statistics are kept: every night, after an import, after the demo loads (ADR 0016)."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.db import connection
from django_scopes import scope
from huey.contrib.djhuey import HUEY

from tests.conftest import World
from tests.customers.import_support import run, shopify, upload
from trunkshow.core.statistics import statistics_refresh
from trunkshow.core.tasks import statistics_refresh_task
from trunkshow.customers.filtering import customers_filtered, filters_parse


def _stats(table: str) -> list[tuple[Any, ...]]:
    with connection.cursor() as cur:
        cur.execute("SELECT count(*) FROM sqlite_master WHERE name = 'sqlite_stat1'")
        if cur.fetchone() == (0,):
            return []
        cur.execute("SELECT idx, stat FROM sqlite_stat1 WHERE tbl = %s ORDER BY idx", [table])
        return list(cur.fetchall())


@pytest.fixture
def sqlite_only() -> None:
    if connection.vendor != "sqlite":
        pytest.skip("PostgreSQL's autovacuum keeps its statistics; statistics_refresh leaves them to it")


def test_postgresql_keeps_its_own_statistics(db: Any) -> None:
    if connection.vendor != "postgresql":
        pytest.skip("SQLite is analysed by statistics_refresh (the tests below)")
    assert statistics_refresh() is None


def test_the_refresh_analyses_every_index_of_the_book_whole(world: World, sqlite_only: None) -> None:
    from tests.conftest import make_customer

    for n in range(30):
        make_customer(world.a, first_name=f"P{n}", last_name="Quinn")
    assert _stats("customers_customer") == []  # a new database has none
    took = statistics_refresh()
    assert took is not None and took >= 0
    stats = dict(_stats("customers_customer"))
    # Counted whole, not sampled: 30 customers of store a and 0 of b (stores with customers: 1),
    # so an index starting with the store says 30 rows, 30 a store.
    assert stats["customer_store_name"].split()[:2] == ["30", "30"]


def test_the_refresh_runs_every_night_in_the_worker() -> None:
    """What the worker's scheduler starts in each minute of a day: the refresh at 03:41, once."""
    name = statistics_refresh_task.task_class.__name__
    day = [dt.datetime(2026, 11, 24, h, m) for h in range(24) for m in range(60)]
    assert [t for t in day if name in {task.name for task in HUEY.read_periodic(t)}] == [
        dt.datetime(2026, 11, 24, 3, 41)
    ]


def test_an_import_leaves_the_book_analysed_and_its_filters_probing_each_customers_rows(
    world: World, sqlite_only: None
) -> None:
    lines = [f"P{i},Quinn,p{i}@example.com,yes,,,,,,,,,,,,gold,,no" for i in range(40)]
    job = run(world.a, world.a_owner, upload(world.a, world.a_owner, shopify(*lines)))
    assert job.created_count == 40
    stats = dict(_stats("customers_customer"))
    assert stats["customer_store_name"].split()[0] == "40"
    assert _stats("customers_interest")
    # With the statistics, a filter reads each customer's own interests and emails.
    with scope(store=world.a):
        filters = filters_parse({"interest": "gold", "consent": "email"}, store=world.a)
        sql, params = customers_filtered(store=world.a, filters=filters).query.sql_with_params()
        assert customers_filtered(store=world.a, filters=filters).count() == 40
    with connection.cursor() as cur:
        cur.execute(f"EXPLAIN QUERY PLAN {sql}", params)
        plan = " ".join(str(row) for row in cur.fetchall())
    assert "interest_store_words" not in plan and "customers_customeremail_store_id" not in plan
