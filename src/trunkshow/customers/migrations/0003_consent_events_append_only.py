"""The database itself refuses to change a consent event: the ledger is evidence.

Deletion stays possible at this level only so that erasure (a later issue) can remove a person;
the application refuses it everywhere else (ConsentEvent.delete and its queryset).
"""

from django.db import migrations

SQLITE = [
    """CREATE TRIGGER consent_event_no_update BEFORE UPDATE ON customers_consentevent
       BEGIN SELECT RAISE(ABORT, 'consent events are append-only'); END""",
]
SQLITE_REVERSE = ["DROP TRIGGER IF EXISTS consent_event_no_update"]

POSTGRES = [
    """CREATE FUNCTION consent_event_no_update() RETURNS trigger LANGUAGE plpgsql AS $$
       BEGIN RAISE EXCEPTION 'consent events are append-only'; END $$""",
    """CREATE TRIGGER consent_event_no_update BEFORE UPDATE ON customers_consentevent
       FOR EACH ROW EXECUTE FUNCTION consent_event_no_update()""",
]
POSTGRES_REVERSE = [
    "DROP TRIGGER IF EXISTS consent_event_no_update ON customers_consentevent",
    "DROP FUNCTION IF EXISTS consent_event_no_update()",
]


def forwards(apps, schema_editor):
    statements = POSTGRES if schema_editor.connection.vendor == "postgresql" else SQLITE
    for sql in statements:
        schema_editor.execute(sql)


def backwards(apps, schema_editor):
    statements = POSTGRES_REVERSE if schema_editor.connection.vendor == "postgresql" else SQLITE_REVERSE
    for sql in statements:
        schema_editor.execute(sql)


class Migration(migrations.Migration):
    dependencies = [("customers", "0002_initial")]
    operations = [migrations.RunPython(forwards, backwards)]
