"""Writing an import's new rows with the engine's bulk path (SQLite ``executemany``, PostgreSQL
``COPY``), without a model instance per row.

The rows are checked before (rows.plan_record, with the services' validators); this only turns
them into each column's database value the way Django would (defaults, datetimes, decimals) and
sends one statement per table. Ids of new customers are reserved first: SQLite holds the
write lock for the whole transaction, PostgreSQL hands them out from the table's sequence.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from functools import cache
from typing import Any

from django.db import connection, models

Adapt = Callable[[Any], Any]


@cache
def _columns(model: type[models.Model]) -> tuple[tuple[str, str, Adapt, Any], ...]:
    """(attribute, column, adapter, default) of every concrete field but the id."""
    found = []
    for f in model._meta.concrete_fields:
        if f.primary_key:
            continue
        adapt: Adapt
        if isinstance(f, models.DateTimeField):
            adapt = connection.ops.adapt_datetimefield_value
        elif isinstance(f, models.DecimalField):
            adapt = _decimal(f.max_digits, f.decimal_places)
        elif isinstance(f, models.DateField):
            adapt = connection.ops.adapt_datefield_value
        elif isinstance(f, models.JSONField):
            adapt = f.get_db_prep_save  # type: ignore[assignment]
        else:
            adapt = _same
        found.append((f.attname, str(f.column), adapt, f.get_default))
    return tuple(found)


def _same(value: Any) -> Any:
    return value


def _memo(adapt: Adapt) -> Adapt:
    """The adapter, remembering its last answer (a batch's rows share their timestamps)."""
    last: list[Any] = [object(), None]

    def adapt_once(value: Any) -> Any:
        if value is not last[0]:
            last[0], last[1] = value, adapt(value)
        return last[1]

    return adapt_once


def _decimal(max_digits: int | None, places: int | None) -> Adapt:
    def adapt(value: Any) -> Any:
        return connection.ops.adapt_decimalfield_value(value, max_digits, places)

    return adapt


def reserve_ids(model: type[models.Model], count: int) -> list[int]:
    """Ids for ``count`` new rows, inside the caller's transaction."""
    if count == 0:
        return []
    table = model._meta.db_table
    with connection.cursor() as cur:
        if connection.vendor == "postgresql":
            cur.execute("SELECT nextval(pg_get_serial_sequence(%s, 'id')) FROM generate_series(1, %s)", [table, count])
            return [int(r[0]) for r in cur.fetchall()]
        # SQLite: the transaction is BEGIN IMMEDIATE, so no other writer runs until we commit;
        # AUTOINCREMENT never reuses an id, hence sqlite_sequence beside max(id).
        cur.execute(
            f"SELECT max(coalesce((SELECT seq FROM sqlite_sequence WHERE name = %s), 0), "  # noqa: S608 - our table name
            f"coalesce((SELECT max(id) FROM {connection.ops.quote_name(table)}), 0))",
            [table],
        )
        start = int(cur.fetchone()[0]) + 1
    return list(range(start, start + count))


def insert_rows(model: type[models.Model], rows: Iterable[Mapping[str, Any]], *, with_ids: bool = False) -> None:
    """Insert rows given as {attribute: value}; other columns get the field's default."""
    rows = list(rows)
    if not rows:
        return
    columns = _columns(model)
    defaults: dict[str, Any] = {attname: default() for attname, _column, _adapt, default in columns}
    defaults["id"] = None
    names: list[tuple[str, str, Adapt]] = [("id", "id", _same)] if with_ids else []
    names += [(attname, column, adapt) for attname, column, adapt, _default in columns]
    # Most values need no adapting; the rest (datetimes, decimals) repeat from row to row.
    plain = [(attname, defaults[attname]) for attname, _c, adapt in names if adapt is _same]
    adapted = [(attname, defaults[attname], _memo(adapt)) for attname, _c, adapt in names if adapt is not _same]
    order = [a for a, _d in plain] + [a for a, _d, _f in adapted]
    names = sorted(names, key=lambda n: order.index(n[0]))
    values = [(*(row.get(a, d) for a, d in plain), *(f(row.get(a, d)) for a, d, f in adapted)) for row in rows]
    quote = connection.ops.quote_name
    if connection.vendor == "postgresql":  # COPY: PostgreSQL's bulk path, as fast as it loads anything
        connection.ensure_connection()
        columns_sql = ", ".join(quote(c) for _a, c, _ad in names)
        with (
            connection.connection.cursor() as raw,
            raw.copy(f"COPY {quote(model._meta.db_table)} ({columns_sql}) FROM STDIN") as copy,
        ):
            for value in values:
                copy.write_row(value)
        return
    sql = (
        f"INSERT INTO {quote(model._meta.db_table)} ({', '.join(quote(c) for _a, c, _ad in names)}) "  # noqa: S608
        f"VALUES ({', '.join(['%s'] * len(names))})"
    )
    with connection.cursor() as cur:
        cur.executemany(sql, values)
