"""Each engine's own search indexes over Customer.search_text (see docs/adr/0003-search.md).

SQLite: an FTS5 ``trigram`` table with external content (the customer rows themselves), kept by
triggers; and ``customers_nameword``, each store's dictionary of name words with how many live
customers carry each, kept by triggers too, for correcting typos (the word '' holds a stamp
that changes with every change of the store's words). Both read only ``search_text``
and ``erased_at``, which every write path (services, erasure, merge, import, raw SQL) keeps; so an
update, an erasure or a delete corrects them in the same statement.

PostgreSQL: ``pg_trgm`` GIN indexes with ``store_id`` in front (``btree_gin``), over search_text
and over ``search_names``: a generated column holding the name words of search_text (no emails,
no phone digits), for ``<%`` typo matching. Both indexes leave erased customers out.

A later migration that makes SQLite rebuild customers_customer (an AlterField there copies the
table) drops these triggers with the old table: it must run SQLITE_TRIGGERS again.

The SQL lives in constants so that bench/generate.py can take the triggers off for a bulk load
and put them back exactly.
"""

from django.db import migrations

# search_text split into a JSON list of words (backslashes and quotes escaped, tabs as spaces).
_WORDS_JSON = (
    """'["' || replace(replace(replace(replace(trim({row}.search_text), char(92), char(92) || char(92)), """
    """'"', char(92) || '"'), char(9), ' '), ' ', '","') || '"]'"""
)
# The words of a row that go into the dictionary: names only (no email, nothing with a digit).
_KEEP = "length(value) >= 3 AND value NOT LIKE '%@%' AND value NOT GLOB '*[0-9]*'"


def _json_each(row: str) -> str:
    words = _WORDS_JSON.format(row=row)
    return f"json_each(CASE WHEN json_valid({words}) THEN {words} ELSE '[]' END)"


def _name_words(row: str, keep: str = _KEEP) -> str:
    return f"SELECT DISTINCT value AS word FROM {_json_each(row)} WHERE {keep}"


def _stamp(row: str) -> str:
    """A new random stamp under the word '' of the store: a cached copy of the dictionary is good
    while the stamp is unchanged (random rather than counted, so a rolled-back change cannot
    bring an old number back with other words)."""
    return (
        f"INSERT INTO customers_nameword (store_id, word, n) VALUES ({row}.store_id, '', abs(random())) "
        "ON CONFLICT (store_id, word) DO UPDATE SET n = abs(random());"
    )


def _add_words(row: str, keep: str = _KEEP) -> str:
    return _stamp(row) + (
        f"INSERT INTO customers_nameword (store_id, word, n) SELECT {row}.store_id, word, 1 "
        f"FROM ({_name_words(row, keep)}) WHERE {row}.erased_at IS NULL "
        "ON CONFLICT (store_id, word) DO UPDATE SET n = n + 1;"
    )


def _remove_words(row: str, keep: str = _KEEP) -> str:
    return _stamp(row) + (
        f"UPDATE customers_nameword SET n = n - 1 WHERE {row}.erased_at IS NULL AND store_id = {row}.store_id "
        f"AND word IN ({_name_words(row, keep)}); "
        f"DELETE FROM customers_nameword WHERE store_id = {row}.store_id AND word <> '' AND n <= 0 "
        f"AND word IN ({_name_words(row, keep)});"
    )


SQLITE_TABLES = [
    """CREATE VIRTUAL TABLE customer_search_fts USING fts5(
        search_text, content='customers_customer', content_rowid='id', tokenize='trigram')""",
    """CREATE TABLE customers_nameword (
        store_id integer NOT NULL, word text NOT NULL, n integer NOT NULL,
        PRIMARY KEY (store_id, word)) WITHOUT ROWID""",
]


def sqlite_triggers(keep: str = _KEEP) -> list[str]:
    """The triggers keeping the FTS table and the dictionary (of the words ``keep`` admits)."""
    return [
        """CREATE TRIGGER customer_search_ai AFTER INSERT ON customers_customer BEGIN
        INSERT INTO customer_search_fts (rowid, search_text) VALUES (new.id, new.search_text);
        """
        + _add_words("new", keep)
        + """
    END""",
        """CREATE TRIGGER customer_search_ad AFTER DELETE ON customers_customer BEGIN
        INSERT INTO customer_search_fts (customer_search_fts, rowid, search_text)
            VALUES ('delete', old.id, old.search_text);
        """
        + _remove_words("old", keep)
        + """
    END""",
        """CREATE TRIGGER customer_search_au AFTER UPDATE OF search_text, erased_at, store_id ON customers_customer
    WHEN old.search_text IS NOT new.search_text OR old.store_id IS NOT new.store_id
        OR (old.erased_at IS NULL) <> (new.erased_at IS NULL)
    BEGIN
        INSERT INTO customer_search_fts (customer_search_fts, rowid, search_text)
            VALUES ('delete', old.id, old.search_text);
        INSERT INTO customer_search_fts (rowid, search_text) VALUES (new.id, new.search_text);
        """
        + _remove_words("old", keep)
        + _add_words("new", keep)
        + """
    END""",
    ]


SQLITE_TRIGGERS = sqlite_triggers()


def sqlite_rebuild(keep: str = _KEEP) -> list[str]:
    """After a bulk load with the triggers off: both rebuilt from the rows."""
    return [
        "INSERT INTO customer_search_fts (customer_search_fts) VALUES ('rebuild')",
        "DELETE FROM customers_nameword",
        "INSERT INTO customers_nameword (store_id, word, n) SELECT c.store_id, value, count(DISTINCT c.id) "
        f"FROM customers_customer c, {_json_each('c')} WHERE c.erased_at IS NULL AND {keep} "
        "GROUP BY c.store_id, value",
        "INSERT INTO customers_nameword (store_id, word, n) SELECT store_id, '', abs(random()) "
        "FROM (SELECT DISTINCT store_id FROM customers_customer)",
    ]


SQLITE_REBUILD = sqlite_rebuild()
SQLITE_DROP_TRIGGERS = [
    "DROP TRIGGER IF EXISTS customer_search_ai",
    "DROP TRIGGER IF EXISTS customer_search_ad",
    "DROP TRIGGER IF EXISTS customer_search_au",
]
SQLITE_REVERSE = [*SQLITE_DROP_TRIGGERS, "DROP TABLE IF EXISTS customer_search_fts", "DROP TABLE customers_nameword"]

POSTGRES_SETUP = [
    "CREATE EXTENSION IF NOT EXISTS pg_trgm",
    "CREATE EXTENSION IF NOT EXISTS btree_gin",
    # The name words of search_text: emails and anything with a digit (phones) taken out.
    r"""ALTER TABLE customers_customer ADD COLUMN search_names text GENERATED ALWAYS AS
        (btrim(regexp_replace(regexp_replace(search_text, '\S*(@|\d)\S*', ' ', 'g'), '\s+', ' ', 'g'))) STORED""",
]
POSTGRES_INDEXES = [
    """CREATE INDEX customer_search_trgm ON customers_customer
        USING gin (store_id, search_text gin_trgm_ops) WHERE erased_at IS NULL""",
    """CREATE INDEX customer_names_trgm ON customers_customer
        USING gin (store_id, search_names gin_trgm_ops) WHERE erased_at IS NULL""",
]
POSTGRES_DROP_INDEXES = ["DROP INDEX IF EXISTS customer_search_trgm", "DROP INDEX IF EXISTS customer_names_trgm"]
POSTGRES_REVERSE = [*POSTGRES_DROP_INDEXES, "ALTER TABLE customers_customer DROP COLUMN search_names"]


def forwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        statements = [*POSTGRES_SETUP, *POSTGRES_INDEXES]
    else:
        statements = [*SQLITE_TABLES, *SQLITE_TRIGGERS, *SQLITE_REBUILD]
    for sql in statements:
        schema_editor.execute(sql, params=None)


def backwards(apps, schema_editor):
    for sql in POSTGRES_REVERSE if schema_editor.connection.vendor == "postgresql" else SQLITE_REVERSE:
        schema_editor.execute(sql, params=None)


class Migration(migrations.Migration):
    dependencies = [("customers", "0006_consent_ledger_moves_and_current")]

    operations = [migrations.RunPython(forwards, backwards)]
