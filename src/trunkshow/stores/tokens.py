"""API tokens: random, shown once, stored as SHA-256, resolved to a membership."""

from __future__ import annotations

import hashlib
import secrets

from django.utils import timezone
from django_scopes import scopes_disabled

from trunkshow.stores.models import ApiToken, Membership

TOKEN_PREFIX = "ts_"  # noqa: S105 - a marker, not a secret


def token_hash(raw: str) -> str:
    return hashlib.sha256(raw.encode()).hexdigest()


def token_generate() -> str:
    return TOKEN_PREFIX + secrets.token_urlsafe(32)


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
        token = (
            ApiToken.objects.select_related("membership__user", "membership__store")
            .filter(token_hash=token_hash(raw))
            .first()
        )
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
