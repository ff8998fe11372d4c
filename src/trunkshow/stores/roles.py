"""What each role may do. One table, checked by services, shown in 403 reasons."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from trunkshow.core.access import PermissionDenied
from trunkshow.stores.models import Membership, Role

OWNER, MANAGER, ASSOCIATE = Role.OWNER, Role.MANAGER, Role.ASSOCIATE

RIGHTS: dict[str, frozenset[str]] = {
    "customers.view": frozenset({OWNER, MANAGER, ASSOCIATE}),
    "customers.edit": frozenset({OWNER, MANAGER, ASSOCIATE}),
    "staff.view": frozenset({OWNER, MANAGER, ASSOCIATE}),
    "staff.page": frozenset({OWNER, MANAGER}),
    "staff.invite": frozenset({OWNER, MANAGER}),
    "staff.manage": frozenset({OWNER}),
    "store.edit": frozenset({OWNER}),
    "audit.view": frozenset({OWNER}),
    "tokens.create": frozenset({OWNER, MANAGER, ASSOCIATE}),
    "customers.merge": frozenset({OWNER, MANAGER}),
    "customers.erase": frozenset({OWNER, MANAGER}),
    "customers.data_export": frozenset({OWNER, MANAGER}),
    "customers.import": frozenset({OWNER, MANAGER}),
    "customers.export": frozenset({OWNER, MANAGER}),
    "segments.create": frozenset({OWNER, MANAGER, ASSOCIATE}),
    "segments.manage": frozenset({OWNER, MANAGER}),
    "inbox.view": frozenset({OWNER, MANAGER, ASSOCIATE}),
    "inbox.reply": frozenset({OWNER, MANAGER, ASSOCIATE}),
    "inbox.replies": frozenset({OWNER, MANAGER}),
    "inbox.report": frozenset({OWNER, MANAGER}),
}

REASONS = {
    "staff.page": _("Only owners and managers can open the staff page."),
    "staff.invite": _("Only owners and managers can invite staff."),
    "staff.manage": _("Only owners can change roles or deactivate staff."),
    "store.edit": _("Only owners can change the store's settings."),
    "audit.view": _("Only owners can read the audit log."),
    "customers.merge": _("Only owners and managers can merge customers."),
    "customers.erase": _("Only owners and managers can erase a customer's personal data."),
    "customers.data_export": _("Only owners and managers can download a customer's personal data."),
    "customers.import": _("Only owners and managers can import customers."),
    "customers.export": _(
        "Only owners and managers can export customers: an export takes the customer book out of the shop."
    ),
    "segments.manage": _("Only owners and managers can rename, change or delete segments."),
    "inbox.replies": _("Only owners and managers can write, change or delete saved replies."),
    "inbox.report": _("Only owners and managers can see the store's response times."),
}


def has_right(membership: Membership | None, right: str) -> bool:
    if right not in RIGHTS:
        raise ValueError(f"Unknown right {right!r}")
    return membership is not None and membership.is_active and membership.role in RIGHTS[right]


def require(membership: Membership | None, right: str) -> None:
    if not has_right(membership, right):
        raise PermissionDenied(str(REASONS.get(right, _("Your role does not allow this."))))
