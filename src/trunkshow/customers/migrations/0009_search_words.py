"""A word-level search index beside the trigram one (see docs/adr/0003-search.md).

``customers_searchword (store_id, word, customer_id)``: one row per name word of a live
customer's search_text (3+ characters, no ``@``, not only digits: KEEP; the words
``customers_nameword`` holds, whose SQLite triggers of 0007 this migration replaces to admit
the same words),
with the btree of its primary key on (store_id, word, customer_id). A query word's prefixes,
substrings and typo corrections are looked up in the store's dictionary of name words (in the
process), then the customers carrying them are btree lookups here, instead of trigram phrases
over every customer's text.

SQLite: kept by triggers on customers_customer beside those of 0007 (which keep the dictionary,
its counts and its stamp, and are made again here with KEEP). PostgreSQL: one PL/pgSQL trigger function keeps this table and the
same dictionary table (``customers_nameword``, created here on PostgreSQL). PostgreSQL keeps no
counts (``n`` is 0) and changes the store's stamp only when the dictionary gains or loses a
word, and locks the stamp row before touching the dictionary: many writers update a store at
once there, and a counter or a stamp written by every write would make them wait for each other.

Both read only ``search_text``, ``erased_at`` and ``store_id``, so an update, an erasure or a
delete corrects the index in the same statement. A later migration that makes SQLite rebuild
customers_customer drops these triggers too: it must run SQLITE_TRIGGERS of this migration
again (it holds 0007's too).

The SQL lives in constants so that bench/generate.py can take the triggers off for a bulk load
and build the index again from the rows.
"""

import importlib

from django.db import migrations

_search = importlib.import_module("trunkshow.customers.migrations.0007_search_indexes")
# The words indexed (and in the dictionary, whose triggers of 0007 this migration replaces on
# SQLite): 3+ characters, no '@' (emails), not only digits (phones). A word of a name with a
# digit (``Szirmay2``) is in, so the letters of such a name find it through this index too.
KEEP = "length(value) >= 3 AND value NOT LIKE '%@%' AND value GLOB '*[^0-9]*'"


def _name_words(row: str) -> str:
    return _search._name_words(row, KEEP)


SQLITE_TABLES = [
    """CREATE TABLE customers_searchword (
        store_id integer NOT NULL, word text NOT NULL, customer_id integer NOT NULL,
        PRIMARY KEY (store_id, word, customer_id)) WITHOUT ROWID""",
]


def _sqlite_add(row: str) -> str:
    return (
        f"INSERT OR IGNORE INTO customers_searchword (store_id, word, customer_id) "
        f"SELECT {row}.store_id, word, {row}.id FROM ({_name_words(row)}) WHERE {row}.erased_at IS NULL;"
    )


def _sqlite_remove(row: str) -> str:
    return (
        f"DELETE FROM customers_searchword WHERE store_id = {row}.store_id AND customer_id = {row}.id "
        f"AND word IN ({_name_words(row)});"
    )


_WORD_TRIGGERS = [
    f"""CREATE TRIGGER customer_words_ai AFTER INSERT ON customers_customer BEGIN
        {_sqlite_add("new")}
    END""",
    f"""CREATE TRIGGER customer_words_ad AFTER DELETE ON customers_customer BEGIN
        {_sqlite_remove("old")}
    END""",
    f"""CREATE TRIGGER customer_words_au AFTER UPDATE OF search_text, erased_at, store_id ON customers_customer
    WHEN old.search_text IS NOT new.search_text OR old.store_id IS NOT new.store_id
        OR (old.erased_at IS NULL) <> (new.erased_at IS NULL)
    BEGIN
        {_sqlite_remove("old")}
        {_sqlite_add("new")}
    END""",
]
# Every search trigger of customers_customer on SQLite: 0007's (FTS and dictionary, with KEEP)
# and this index's.
SQLITE_TRIGGERS = [*_search.sqlite_triggers(KEEP), *_WORD_TRIGGERS]
SQLITE_DROP_TRIGGERS = [
    *_search.SQLITE_DROP_TRIGGERS,
    "DROP TRIGGER IF EXISTS customer_words_ai",
    "DROP TRIGGER IF EXISTS customer_words_ad",
    "DROP TRIGGER IF EXISTS customer_words_au",
]
# After a bulk load with the triggers off: the FTS table, the dictionary and this index again
# from the rows (this index in key order).
SQLITE_REBUILD = [
    *_search.sqlite_rebuild(KEEP),
    "DELETE FROM customers_searchword",
    "INSERT OR IGNORE INTO customers_searchword (store_id, word, customer_id) "
    f"SELECT DISTINCT c.store_id, value, c.id FROM customers_customer c, {_search._json_each('c')} "
    f"WHERE c.erased_at IS NULL AND {KEEP} ORDER BY 1, 2, 3",
]
SQLITE_REVERSE = [
    *SQLITE_DROP_TRIGGERS,
    "DROP TABLE IF EXISTS customers_searchword",
    *_search.SQLITE_TRIGGERS,
    *_search.SQLITE_REBUILD,
]

# The same words as SQLite's KEEP: search_text trimmed of spaces, tabs as spaces, split on
# single spaces; 3+ characters, no '@', not only ASCII digits.
POSTGRES_TABLES = [
    """CREATE TABLE customers_searchword (
        store_id integer NOT NULL, word text NOT NULL, customer_id integer NOT NULL,
        PRIMARY KEY (store_id, word, customer_id))""",
    """CREATE TABLE customers_nameword (
        store_id integer NOT NULL, word text NOT NULL, n bigint NOT NULL,
        PRIMARY KEY (store_id, word))""",
]
POSTGRES_FUNCTIONS = [
    r"""CREATE OR REPLACE FUNCTION customers_name_words(t text) RETURNS text[] LANGUAGE sql IMMUTABLE AS $$
        SELECT coalesce(array_agg(DISTINCT w ORDER BY w), '{}')
        FROM unnest(string_to_array(btrim(replace(coalesce(t, ''), chr(9), ' '), ' '), ' ')) AS w
        WHERE length(w) >= 3 AND w !~ '@' AND w ~ '[^0-9]'
    $$""",
    """CREATE OR REPLACE FUNCTION customers_search_words() RETURNS trigger LANGUAGE plpgsql AS $$
    DECLARE
        old_words text[] := '{}';
        new_words text[] := '{}';
        gone text[];
        added text[];
    BEGIN
        IF TG_OP <> 'INSERT' AND OLD.erased_at IS NULL THEN
            old_words := customers_name_words(OLD.search_text);
        END IF;
        IF TG_OP <> 'DELETE' AND NEW.erased_at IS NULL THEN
            new_words := customers_name_words(NEW.search_text);
        END IF;
        IF TG_OP = 'UPDATE' AND OLD.store_id = NEW.store_id THEN
            gone := ARRAY(SELECT unnest(old_words) EXCEPT SELECT unnest(new_words));
            added := ARRAY(SELECT unnest(new_words) EXCEPT SELECT unnest(old_words));
        ELSE
            gone := old_words;
            added := new_words;
        END IF;
        IF cardinality(gone) > 0 THEN
            DELETE FROM customers_searchword
                WHERE store_id = OLD.store_id AND customer_id = OLD.id AND word = ANY(gone);
            -- A word nobody carries any more leaves the dictionary (an erased name must not stay).
            IF EXISTS (SELECT 1 FROM unnest(gone) AS g(w) WHERE NOT EXISTS (
                    SELECT 1 FROM customers_searchword s WHERE s.store_id = OLD.store_id AND s.word = g.w)) THEN
                INSERT INTO customers_nameword (store_id, word, n) VALUES (OLD.store_id, '', 0)
                    ON CONFLICT (store_id, word) DO UPDATE SET n = floor(random() * 1e15)::bigint;
                DELETE FROM customers_nameword d WHERE d.store_id = OLD.store_id AND d.word = ANY(gone)
                    AND NOT EXISTS (SELECT 1 FROM customers_searchword s
                                    WHERE s.store_id = d.store_id AND s.word = d.word);
            END IF;
        END IF;
        IF cardinality(added) > 0 THEN
            INSERT INTO customers_searchword (store_id, word, customer_id)
                SELECT NEW.store_id, w, NEW.id FROM unnest(added) AS w ON CONFLICT DO NOTHING;
            IF EXISTS (SELECT 1 FROM unnest(added) AS a(w) WHERE NOT EXISTS (
                    SELECT 1 FROM customers_nameword d WHERE d.store_id = NEW.store_id AND d.word = a.w)) THEN
                -- The stamp row first: whoever adds words holds it, so two writers never wait
                -- for each other's new words in opposite orders.
                INSERT INTO customers_nameword (store_id, word, n) VALUES (NEW.store_id, '', 0)
                    ON CONFLICT (store_id, word) DO UPDATE SET n = floor(random() * 1e15)::bigint;
                INSERT INTO customers_nameword (store_id, word, n)
                    SELECT NEW.store_id, w, 0 FROM unnest(added) AS w ON CONFLICT DO NOTHING;
            END IF;
        END IF;
        RETURN NULL;
    END
    $$""",
]
POSTGRES_TRIGGERS = [
    """CREATE TRIGGER customer_words_ai AFTER INSERT ON customers_customer
        FOR EACH ROW EXECUTE FUNCTION customers_search_words()""",
    """CREATE TRIGGER customer_words_ad AFTER DELETE ON customers_customer
        FOR EACH ROW EXECUTE FUNCTION customers_search_words()""",
    """CREATE TRIGGER customer_words_au AFTER UPDATE OF search_text, erased_at, store_id ON customers_customer
        FOR EACH ROW WHEN (OLD.search_text IS DISTINCT FROM NEW.search_text OR OLD.store_id <> NEW.store_id
            OR (OLD.erased_at IS NULL) <> (NEW.erased_at IS NULL))
        EXECUTE FUNCTION customers_search_words()""",
]
POSTGRES_DROP_TRIGGERS = [
    "DROP TRIGGER IF EXISTS customer_words_ai ON customers_customer",
    "DROP TRIGGER IF EXISTS customer_words_ad ON customers_customer",
    "DROP TRIGGER IF EXISTS customer_words_au ON customers_customer",
]
POSTGRES_REBUILD = [
    "TRUNCATE customers_searchword, customers_nameword",
    "INSERT INTO customers_searchword (store_id, word, customer_id) "
    "SELECT c.store_id, w, c.id FROM customers_customer c, unnest(customers_name_words(c.search_text)) AS w "
    "WHERE c.erased_at IS NULL ORDER BY 1, 2, 3",
    "INSERT INTO customers_nameword (store_id, word, n) SELECT DISTINCT store_id, word, 0 FROM customers_searchword",
    "INSERT INTO customers_nameword (store_id, word, n) "
    "SELECT store_id, '', floor(random() * 1e15)::bigint FROM (SELECT DISTINCT store_id FROM customers_customer) s",
    "ANALYZE customers_searchword",
]
POSTGRES_REVERSE = [
    *POSTGRES_DROP_TRIGGERS,
    "DROP FUNCTION IF EXISTS customers_search_words()",
    "DROP FUNCTION IF EXISTS customers_name_words(text)",
    "DROP TABLE IF EXISTS customers_searchword",
    "DROP TABLE IF EXISTS customers_nameword",
]


def forwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        statements = [*POSTGRES_TABLES, *POSTGRES_FUNCTIONS, *POSTGRES_REBUILD, *POSTGRES_TRIGGERS]
    else:
        statements = [*SQLITE_TABLES, *SQLITE_DROP_TRIGGERS, *SQLITE_REBUILD, *SQLITE_TRIGGERS]
    for sql in statements:
        schema_editor.execute(sql, params=None)


def backwards(apps, schema_editor):
    for sql in POSTGRES_REVERSE if schema_editor.connection.vendor == "postgresql" else SQLITE_REVERSE:
        schema_editor.execute(sql, params=None)


class Migration(migrations.Migration):
    dependencies = [("customers", "0008_list_sort_indexes")]

    operations = [migrations.RunPython(forwards, backwards)]
