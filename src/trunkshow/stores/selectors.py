"""Reads for stores and staff: the staff list, invitations, tokens and the audit log."""

from __future__ import annotations

from django.db.models import QuerySet
from django.shortcuts import get_object_or_404
from django.utils import timezone
from django_scopes import scopes_disabled

from trunkshow.core.models import AuditEntry
from trunkshow.stores.models import ApiToken, Invitation, Membership, Store
from trunkshow.stores.tokens import token_hash


def staff_list(*, store: Store) -> QuerySet[Membership]:
    return (
        Membership.objects.filter(store=store)
        .select_related("user")
        .order_by("-is_active", "user__name", "user__email", "id")
    )


def membership_get_for(*, store: Store, id: int) -> Membership:
    """One of this store's staff; another store's id is a 404."""
    return get_object_or_404(Membership.objects.select_related("user"), store=store, pk=id)


def invitations_open(*, store: Store) -> QuerySet[Invitation]:
    """Invitations not yet accepted or revoked, expired ones included (they can be resent)."""
    return Invitation.objects.filter(store=store, accepted_at__isnull=True, revoked_at__isnull=True).select_related(
        "invited_by"
    )


def invitation_get_for(*, store: Store, id: int) -> Invitation:
    return get_object_or_404(Invitation, store=store, pk=id)


def invitation_from_link(raw: str) -> Invitation | None:
    """The invitation a link's token belongs to, whatever its state, or None."""
    if not raw or len(raw) > 100:
        return None
    with scopes_disabled():
        return Invitation.objects.select_related("store", "invited_by").filter(token_hash=token_hash(raw)).first()


def invitation_state(invitation: Invitation) -> str:
    if invitation.accepted_at is not None:
        return "accepted"
    if invitation.revoked_at is not None:
        return "revoked"
    if invitation.expires_at <= timezone.now():
        return "expired"
    return "pending"


def tokens_of(*, membership: Membership) -> QuerySet[ApiToken]:
    return ApiToken.objects.filter(store=membership.store, membership=membership).order_by("revoked_at", "-created_at")


def token_get_for(*, membership: Membership, id: int) -> ApiToken:
    """One of this person's tokens in this store; anyone else's is a 404."""
    return get_object_or_404(ApiToken, store=membership.store, membership=membership, pk=id)


def audit_entries(*, store: Store) -> QuerySet[AuditEntry]:
    return AuditEntry.objects.filter(store=store).select_related("actor").order_by("-at", "-id")
