"""API tokens: random, shown once, stored as SHA-256, resolved to a membership."""

from __future__ import annotations

import functools
import hashlib
import secrets
from typing import Any

from django.db import connection
from django.utils import timezone
from django_scopes import scopes_disabled

from trunkshow.stores.models import ApiToken, Membership

TOKEN_PREFIX = "ts_"  # noqa: S105 - a marker, not a secret


def token_hash(raw: str) -> str:
    return hashlib.sha256(raw.encode()).hexdigest()


def token_generate() -> str:
    return TOKEN_PREFIX + secrets.token_urlsafe(32)


@functools.cache
def _lookup_plan(vendor: str) -> tuple[str, list[tuple[Any, list[str], int, int, list[tuple[list[Any], Any]]]]]:
    """The SQL of the token lookup (token, membership, user, store in one row) and how to turn a
    row into the four model instances, built once per process: compiling the same select_related
    query on every API call cost half of a small call's time."""
    from django.contrib.auth import get_user_model

    from trunkshow.stores.models import Store

    quote = connection.ops.quote_name
    tables: list[tuple[Any, str]] = [(ApiToken, "t"), (Membership, "m"), (get_user_model(), "u"), (Store, "s")]
    columns: list[str] = []
    plan = []
    for model, alias in tables:
        fields = list(model._meta.concrete_fields)
        converters = []
        for field in fields:
            col = field.get_col(alias)
            converters.append((connection.ops.get_db_converters(col) + field.get_db_converters(connection), col))
        plan.append((model, [f.attname for f in fields], len(columns), len(columns) + len(fields), converters))
        columns += [f"{alias}.{quote(f.column)}" for f in fields]
    table = {model: quote(model._meta.db_table) for model, _alias in tables}
    user_model, store_model = tables[2][0], tables[3][0]
    # Names from the models' metadata; the one value is a parameter.
    sql = (
        f"SELECT {', '.join(columns)} FROM {table[ApiToken]} t "  # noqa: S608
        f"JOIN {table[Membership]} m ON m.{quote('id')} = t.{quote('membership_id')} "
        f"JOIN {table[user_model]} u ON u.{quote('id')} = m.{quote('user_id')} "
        f"JOIN {table[store_model]} s ON s.{quote('id')} = m.{quote('store_id')} "
        f"WHERE t.{quote('token_hash')} = %s"
    )
    return sql, plan


def _token_with_membership(digest: str) -> ApiToken | None:
    """The token with its membership, the membership's user and store, in one statement."""
    sql, plan = _lookup_plan(connection.vendor)
    with connection.cursor() as cursor:
        cursor.execute(sql, [digest])
        row = cursor.fetchone()
    if row is None:
        return None
    objects = []
    for model, names, start, end, converters in plan:
        values = []
        for value, (functions, col) in zip(row[start:end], converters, strict=True):
            for convert in functions:
                value = convert(value, col, connection)
            values.append(value)
        objects.append(model.from_db(connection.alias, names, values))
    token, membership, user, store = objects
    membership.user = user
    membership.store = store
    token.membership = membership
    return token


def token_authenticate(header: str) -> tuple[Membership | None, str | None]:
    """Resolve an ``Authorization`` header to a membership, or say why not."""
    if not header:
        return None, "Send an API token as 'Authorization: Bearer <token>'."
    scheme, _, raw = header.partition(" ")
    raw = raw.strip()
    if scheme.lower() != "bearer" or not raw:
        return None, "Send an API token as 'Authorization: Bearer <token>'."
    if not raw.startswith(TOKEN_PREFIX) or len(raw) > 200:
        return None, "The API token is not valid."
    with scopes_disabled():
        token = _token_with_membership(token_hash(raw))
        if token is None:
            return None, "The API token is not valid."
        if token.revoked_at is not None:
            return None, "The API token has been revoked."
        membership = token.membership
        if not membership.is_active or not membership.user.is_active:
            return None, "The API token's staff member is no longer active."
        now = timezone.now()
        if token.last_used_at is None or (now - token.last_used_at).total_seconds() > 60:
            ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
    return membership, None
