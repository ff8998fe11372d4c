"""Hashed phones and emails of erased customers: never imported or contacted again.

Erasure removes the person but must not let the next point-of-sale import bring them back, so
their normalised phone numbers (E.164) and email addresses are kept only as SHA-256 digests over
the store and the value.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Iterable

from trunkshow.customers.models import Suppression, SuppressionKind
from trunkshow.stores.models import Store


def suppression_digest(*, store: Store, kind: str, value: str) -> str:
    """``value`` is already normalised: E.164 for phones, ``normalise_email`` for emails."""
    return hashlib.sha256(f"{store.pk}:{kind}:{value}".encode()).hexdigest()


def suppression_add(*, store: Store, phones: Iterable[str] = (), emails: Iterable[str] = ()) -> None:
    rows = [
        Suppression(store=store, kind=kind, digest=suppression_digest(store=store, kind=kind, value=value))
        for kind, values in ((SuppressionKind.PHONE, phones), (SuppressionKind.EMAIL, emails))
        for value in values
    ]
    Suppression.objects.bulk_create(rows, ignore_conflicts=True)


def suppressed(*, store: Store, phones: Iterable[str] = (), emails: Iterable[str] = ()) -> bool:
    """Whether any of these normalised phones or emails belonged to a customer who was erased."""
    digests = {
        (kind, suppression_digest(store=store, kind=kind, value=value))
        for kind, values in ((SuppressionKind.PHONE, phones), (SuppressionKind.EMAIL, emails))
        for value in values
    }
    if not digests:
        return False
    return Suppression.objects.filter(
        store=store, kind__in={k for k, _d in digests}, digest__in={d for _k, d in digests}
    ).exists()


def suppressed_values(*, store: Store, phones: Iterable[str] = (), emails: Iterable[str] = ()) -> set[str]:
    """Which of these normalised phones and emails belonged to an erased customer (never contacted again)."""
    by_digest = {
        suppression_digest(store=store, kind=kind, value=value): value
        for kind, values in ((SuppressionKind.PHONE, phones), (SuppressionKind.EMAIL, emails))
        for value in values
    }
    if not by_digest:
        return set()
    found = Suppression.objects.filter(store=store, digest__in=list(by_digest)).values_list("digest", flat=True)
    return {by_digest[d] for d in found}


def suppressed_since(*, store: Store, phones: Iterable[str] = (), emails: Iterable[str] = ()) -> dict[str, dt.datetime]:
    """Which of these normalised phones and emails belonged to a customer of this store who was erased,
    and when (the first erasure that held it), in one query: what a person typing them by hand is told."""
    by_digest = {
        suppression_digest(store=store, kind=kind, value=value): value
        for kind, values in ((SuppressionKind.PHONE, phones), (SuppressionKind.EMAIL, emails))
        for value in values
    }
    if not by_digest:
        return {}
    found = Suppression.objects.filter(store=store, digest__in=list(by_digest)).values_list("digest", "created_at")
    return {by_digest[digest]: at for digest, at in found}
