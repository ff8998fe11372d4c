"""Interests get ``value_words``: what the list's filter matches a typed term on.

The folded value's words, each made singular and after a space ("Rose gold" → " rose gold",
"Pearls" → " pearl"), so ``gold`` finds "Yellow gold" and ``pearls`` finds "Pearl"
(``customers/interests.py``, ADR 0004). Existing rows are filled here, one UPDATE per distinct
(store, kind, folded value), each served by the ``interest_store_kind_value`` index: a store has
a few hundred distinct interests, not one per customer. The words are computed by a copy of
``interests.interest_words`` as it was when this was written, so a later change of the rules
does not change what this migration did (such a change would fill the column again).

Then ``(customer, kind, value_words)``, which the filter's probe of each customer's interests
reads alone (SQLite, 100k customers: counting sapphire fans 290 → 150 ms), replaces the index on
``customer_id``, which it and the unique constraint start with. That index is dropped by name (the
name Django gave it, the same on both engines): altering the field would copy the whole table on
SQLite.
"""

import re
import unicodedata

from django.db import migrations, models

_FOLD_EXTRA = str.maketrans({"ø": "o", "ł": "l", "đ": "d", "ð": "d", "þ": "th", "æ": "ae", "œ": "oe", "ı": "i"})
_APOSTROPHES = str.maketrans("", "", "'’ʼ‘`´")
_WORD = re.compile(r"[^\W_]+")
_ES_AFTER = ("ches", "shes", "sses", "xes")
CUSTOMER_INDEX = "customers_interest_customer_id_63859b99"


def _fold(text):
    if text.isascii():
        return text.lower()
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch)).translate(_FOLD_EXTRA)


def _singular(word):
    if len(word) < 4 or not word.isalpha() or not word.endswith("s"):
        return word
    if word.endswith("ies") and len(word) > 4:
        return word[:-3] + "y"
    if word.endswith(_ES_AFTER):
        return word[:-2]
    if word.endswith(("ss", "us", "is")):
        return word
    return word[:-1]


def _words(text):
    return "".join(" " + _singular(word) for word in _WORD.findall(_fold(text).translate(_APOSTROPHES)))


def forwards(apps, schema_editor):
    Interest = apps.get_model("customers", "Interest")
    rows = Interest._base_manager
    # Read whole before writing: SQLite gives no isolation between queries on one connection.
    distinct = list(rows.order_by().values_list("store_id", "kind", "value_key").distinct())
    for store_id, kind, key in distinct:
        rows.filter(store_id=store_id, kind=kind, value_key=key).update(value_words=_words(key))


def analyze(apps, schema_editor):
    # A new column has no statistics until autovacuum gets to it: PostgreSQL would guess how many
    # interests a term matches (0.15% for "gold" where 17% do) and plan the list's page badly.
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("ANALYZE customers_interest")


class Migration(migrations.Migration):
    dependencies = [
        ("customers", "0010_nameless_customers"),
    ]

    operations = [
        migrations.AddField(
            model_name="interest",
            name="value_words",
            field=models.CharField(default="", max_length=181),
            preserve_default=False,
        ),
        migrations.RunPython(forwards, migrations.RunPython.noop, elidable=True),
        migrations.SeparateDatabaseAndState(
            database_operations=[
                migrations.RunSQL(
                    f"DROP INDEX {CUSTOMER_INDEX}", f"CREATE INDEX {CUSTOMER_INDEX} ON customers_interest (customer_id)"
                )
            ],
            state_operations=[
                migrations.AlterField(
                    model_name="interest",
                    name="customer",
                    field=models.ForeignKey(
                        db_index=False,
                        on_delete=models.deletion.CASCADE,
                        related_name="interests",
                        to="customers.customer",
                    ),
                )
            ],
        ),
        migrations.AddIndex(
            model_name="interest",
            index=models.Index(fields=["customer", "kind", "value_words"], name="interest_customer_words"),
        ),
        migrations.RunPython(analyze, migrations.RunPython.noop, elidable=True),
    ]
