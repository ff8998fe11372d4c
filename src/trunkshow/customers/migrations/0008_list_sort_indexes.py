"""Indexes the customer list's sorts walk in order, keyset cursor included (docs/adr/0004).

Every sort is (column, id) in one direction, over live (not erased) customers. Newest and
spend are plain indexes both engines make. Last purchase (descending, NULLs last) and last
contact (ascending, NULLs first) need the NULLS clause in the index on PostgreSQL, or its
planner sorts the whole store; SQLite cannot write NULLS in an index but already puts NULLs
first ascending and last descending, so the plain column order is the same order there.
Name gets a partial twin of (store, sort_name, id): with only partial indexes matching its
WHERE, SQLite's planner took one of those and sorted the store by name (85 ms at 100k).
The old (store, last_contact_at) index is replaced: the new one serves "no contact for N days" too.
"""

from django.db import migrations, models

POSTGRES = [
    "CREATE INDEX customer_store_last_purchase ON customers_customer "
    "(store_id, last_purchase_on DESC NULLS LAST, id DESC) WHERE erased_at IS NULL",
    "CREATE INDEX customer_store_last_contact ON customers_customer "
    "(store_id, last_contact_at ASC NULLS FIRST, id ASC) WHERE erased_at IS NULL",
]
SQLITE = [
    "CREATE INDEX customer_store_last_purchase ON customers_customer "
    "(store_id, last_purchase_on DESC, id DESC) WHERE erased_at IS NULL",
    "CREATE INDEX customer_store_last_contact ON customers_customer "
    "(store_id, last_contact_at ASC, id ASC) WHERE erased_at IS NULL",
]
REVERSE = [
    "DROP INDEX IF EXISTS customer_store_last_purchase",
    "DROP INDEX IF EXISTS customer_store_last_contact",
]


def forwards(apps, schema_editor):
    for sql in POSTGRES if schema_editor.connection.vendor == "postgresql" else SQLITE:
        schema_editor.execute(sql, params=None)


def backwards(apps, schema_editor):
    for sql in REVERSE:
        schema_editor.execute(sql, params=None)


class Migration(migrations.Migration):
    dependencies = [("customers", "0007_search_indexes")]

    operations = [
        migrations.RemoveIndex(model_name="customer", name="customer_store_created"),
        migrations.RemoveIndex(model_name="customer", name="customer_store_spend"),
        migrations.RemoveIndex(model_name="customer", name="customer_store_contact"),
        migrations.AddIndex(
            model_name="customer",
            index=models.Index(
                condition=models.Q(("erased_at__isnull", True)),
                fields=["store", "sort_name", "id"],
                name="customer_store_name",
            ),
        ),
        migrations.AddIndex(
            model_name="customer",
            index=models.Index(
                condition=models.Q(("erased_at__isnull", True)),
                fields=["store", "-created_at", "-id"],
                name="customer_store_newest",
            ),
        ),
        migrations.AddIndex(
            model_name="customer",
            index=models.Index(
                condition=models.Q(("erased_at__isnull", True)),
                fields=["store", "lifetime_spend", "id"],
                name="customer_store_spend_id",
            ),
        ),
        migrations.RunPython(forwards, backwards),
    ]
