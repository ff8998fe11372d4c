"""The inbox's search: a folded copy of each message's body and each engine's trigram index on it.

SQLite: an FTS5 ``trigram`` table with the messages as its external content, kept by triggers.
PostgreSQL: a pg_trgm GIN index with ``store_id`` in front (``btree_gin``). ADR 0010.
"""

from django.db import migrations, models

from trunkshow.core.validation import fold

SQLITE_FORWARDS = [
    """CREATE VIRTUAL TABLE message_search_fts USING fts5(
        search_text, content='messaging_message', content_rowid='id', tokenize='trigram')""",
    """CREATE TRIGGER message_search_ai AFTER INSERT ON messaging_message BEGIN
        INSERT INTO message_search_fts (rowid, search_text) VALUES (new.id, new.search_text);
    END""",
    """CREATE TRIGGER message_search_ad AFTER DELETE ON messaging_message BEGIN
        INSERT INTO message_search_fts (message_search_fts, rowid, search_text)
            VALUES ('delete', old.id, old.search_text);
    END""",
    """CREATE TRIGGER message_search_au AFTER UPDATE OF search_text ON messaging_message
    WHEN old.search_text IS NOT new.search_text BEGIN
        INSERT INTO message_search_fts (message_search_fts, rowid, search_text)
            VALUES ('delete', old.id, old.search_text);
        INSERT INTO message_search_fts (rowid, search_text) VALUES (new.id, new.search_text);
    END""",
    "INSERT INTO message_search_fts (message_search_fts) VALUES ('rebuild')",
]
SQLITE_BACKWARDS = [
    "DROP TRIGGER IF EXISTS message_search_ai",
    "DROP TRIGGER IF EXISTS message_search_ad",
    "DROP TRIGGER IF EXISTS message_search_au",
    "DROP TABLE IF EXISTS message_search_fts",
]
POSTGRES_FORWARDS = [
    "CREATE EXTENSION IF NOT EXISTS pg_trgm",
    "CREATE EXTENSION IF NOT EXISTS btree_gin",
    "CREATE INDEX message_search_trgm ON messaging_message USING gin (store_id, search_text gin_trgm_ops)",
]
POSTGRES_BACKWARDS = ["DROP INDEX IF EXISTS message_search_trgm"]


def fill(apps, schema_editor):
    """Every message's folded body, a batch at a time (the rows written before this column)."""
    connection = schema_editor.connection
    last = 0
    with connection.cursor() as cur:
        while True:
            cur.execute("SELECT id, body FROM messaging_message WHERE id > %s ORDER BY id LIMIT 5000", [last])
            rows = cur.fetchall()
            if not rows:
                break
            cur.executemany(
                "UPDATE messaging_message SET search_text = %s WHERE id = %s", [(fold(body or ""), pk) for pk, body in rows]
            )
            last = rows[-1][0]


def index(apps, schema_editor):
    postgres = schema_editor.connection.vendor == "postgresql"
    for sql in POSTGRES_FORWARDS if postgres else SQLITE_FORWARDS:
        schema_editor.execute(sql, params=None)


def unindex(apps, schema_editor):
    postgres = schema_editor.connection.vendor == "postgresql"
    for sql in POSTGRES_BACKWARDS if postgres else SQLITE_BACKWARDS:
        schema_editor.execute(sql, params=None)


class Migration(migrations.Migration):
    dependencies = [("messaging", "0006_conversation_reopened_at")]

    operations = [
        migrations.AddField(
            model_name="message",
            name="search_text",
            field=models.TextField(blank=True, default="", editable=False),
        ),
        migrations.RunPython(fill, migrations.RunPython.noop),
        migrations.RunPython(index, unindex),
    ]
