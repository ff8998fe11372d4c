"""Merging moves consent events to the surviving customer; nothing else about an event may change.

The trigger of 0003 refused every UPDATE. It now fires only for UPDATEs that set any column but
``customer_id``, so the merge service can move a ledger and nothing can rewrite one. The current
state of each ledger is then computed once into CurrentConsent.
"""

from django.db import migrations

COLUMNS = (
    "store_id, channel, purpose, action, occurred_at, method, evidence_text, evidence_url, "
    "evidence_ip, staff_user_id, recorded_at, id"
)

SQLITE = [
    "DROP TRIGGER IF EXISTS consent_event_no_update",
    f"""CREATE TRIGGER consent_event_no_update BEFORE UPDATE OF {COLUMNS} ON customers_consentevent
       BEGIN SELECT RAISE(ABORT, 'consent events are append-only'); END""",
]
SQLITE_REVERSE = [
    "DROP TRIGGER IF EXISTS consent_event_no_update",
    """CREATE TRIGGER consent_event_no_update BEFORE UPDATE ON customers_consentevent
       BEGIN SELECT RAISE(ABORT, 'consent events are append-only'); END""",
]
POSTGRES = [
    "DROP TRIGGER IF EXISTS consent_event_no_update ON customers_consentevent",
    f"""CREATE TRIGGER consent_event_no_update BEFORE UPDATE OF {COLUMNS} ON customers_consentevent
       FOR EACH ROW EXECUTE FUNCTION consent_event_no_update()""",
]
POSTGRES_REVERSE = [
    "DROP TRIGGER IF EXISTS consent_event_no_update ON customers_consentevent",
    """CREATE TRIGGER consent_event_no_update BEFORE UPDATE ON customers_consentevent
       FOR EACH ROW EXECUTE FUNCTION consent_event_no_update()""",
]


def forwards(apps, schema_editor):
    for sql in POSTGRES if schema_editor.connection.vendor == "postgresql" else SQLITE:
        schema_editor.execute(sql)
    ConsentEvent = apps.get_model("customers", "ConsentEvent")
    CurrentConsent = apps.get_model("customers", "CurrentConsent")
    latest = {}
    for event in ConsentEvent.objects.order_by("occurred_at", "id").iterator(chunk_size=2000):
        latest[(event.customer_id, event.channel, event.purpose)] = event
    CurrentConsent.objects.bulk_create(
        (
            CurrentConsent(
                store_id=e.store_id,
                customer_id=e.customer_id,
                channel=e.channel,
                purpose=e.purpose,
                granted=e.action == "granted",
                event_id=e.id,
            )
            for e in latest.values()
        ),
        batch_size=2000,
    )


def backwards(apps, schema_editor):
    apps.get_model("customers", "CurrentConsent").objects.all().delete()
    for sql in POSTGRES_REVERSE if schema_editor.connection.vendor == "postgresql" else SQLITE_REVERSE:
        schema_editor.execute(sql)


class Migration(migrations.Migration):
    dependencies = [("customers", "0005_book_at_scale")]
    operations = [migrations.RunPython(forwards, backwards)]
