"""A customer's title ("Mrs", "Dr", "Frau"): how a letter addresses them.

SQLite adds a NOT NULL column by rebuilding customers_customer (a new table, the rows copied, the
old one dropped), which drops the search index's triggers with the old table (ADR 0003): they
are made again from 0009's SQL. The index's rows need no rebuild: the copy keeps every id and no
search_text changes. PostgreSQL adds the column in place and keeps its triggers.
"""

import importlib

from django.db import migrations, models

_words = importlib.import_module("trunkshow.customers.migrations.0009_search_words")


def triggers_again(apps, schema_editor):
    if schema_editor.connection.vendor == "sqlite":
        for sql in [*_words.SQLITE_DROP_TRIGGERS, *_words.SQLITE_TRIGGERS]:
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
        migrations.RunPython(triggers_again, migrations.RunPython.noop),
    ]
