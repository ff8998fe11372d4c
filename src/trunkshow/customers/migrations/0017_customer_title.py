"""A customer's title ("Mrs", "Dr", "Frau"): how a letter addresses them.

SQLite adds a NOT NULL column by rebuilding customers_customer (a new table, the rows copied, the
old one dropped), which drops with the old table what Django's models do not declare: the search
index's triggers (ADR 0003), made again from 0009's SQL, and the two sort indexes of 0008 (last
purchase, last contact), made again from its SQL. The search index's rows need no rebuild: the copy
keeps every id and no search_text changes. PostgreSQL adds the column in place and keeps both.
tests/customers/test_sqlite_schema.py checks the table keeps all of them after every migration.
"""

import importlib

from django.db import migrations, models

_sorts = importlib.import_module("trunkshow.customers.migrations.0008_list_sort_indexes")
_words = importlib.import_module("trunkshow.customers.migrations.0009_search_words")


def undeclared_again(apps, schema_editor):
    if schema_editor.connection.vendor == "sqlite":
        for sql in [*_words.SQLITE_DROP_TRIGGERS, *_words.SQLITE_TRIGGERS, *_sorts.REVERSE, *_sorts.SQLITE]:
            schema_editor.execute(sql, params=None)


class Migration(migrations.Migration):
    dependencies = [
        ("customers", "0016_partner_birthday_index"),
    ]

    operations = [
        migrations.AddField(
            model_name="customer",
            name="title",
            field=models.CharField(blank=True, max_length=30, verbose_name="title"),
        ),
        migrations.RunPython(undeclared_again, migrations.RunPython.noop),
    ]
