"""What SQLite's customers_customer holds beyond what Django's models declare (triggers and
indexes written as SQL) survives every migration: a later migration that rebuilds the table (an
AddField of a NOT NULL column, an AlterField) drops them with the old table unless it makes them
again (0017 does). The test database is made by running every migration."""

from __future__ import annotations

import pytest
from django.db import connection

pytestmark = pytest.mark.django_db

# Written as SQL by a migration, so a table rebuild does not make them again by itself.
UNDECLARED = {
    ("trigger", "customer_search_ai"),  # 0007, made again by 0009: the name dictionary
    ("trigger", "customer_search_ad"),
    ("trigger", "customer_search_au"),
    ("trigger", "customer_words_ai"),  # 0009: the word index
    ("trigger", "customer_words_ad"),
    ("trigger", "customer_words_au"),
    ("index", "customer_store_last_purchase"),  # 0008: the list's sort orders
    ("index", "customer_store_last_contact"),
}


def test_the_customer_tables_triggers_and_sql_indexes_survive_every_migration():
    if connection.vendor != "sqlite":
        pytest.skip("SQLite rebuilds a table to change it; PostgreSQL alters it in place")
    with connection.cursor() as cursor:
        cursor.execute("SELECT type, name FROM sqlite_master WHERE tbl_name = 'customers_customer'")
        present = set(cursor.fetchall())
    assert UNDECLARED - present == set()
