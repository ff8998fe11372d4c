"""Writing and describing audit log entries. Services call `audit_log`; owners read them."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _

from trunkshow.core.models import AuditEntry

# One display text per action; an action not listed here is a programming error.
ACTIONS: dict[str, Any] = {
    "trunkshow.auth.login_failed": _("Failed login"),
    "trunkshow.auth.login_throttled": _("Login throttled after repeated failures"),
    "trunkshow.auth.password_reset_requested": _("Password reset requested"),
    "trunkshow.auth.password_changed": _("Password changed"),
    "trunkshow.staff.invited": _("Staff member invited"),
    "trunkshow.staff.joined": _("Staff member joined"),
    "trunkshow.staff.invitation_revoked": _("Invitation revoked"),
    "trunkshow.staff.created": _("Staff member created"),
    "trunkshow.staff.role_changed": _("Role changed"),
    "trunkshow.staff.deactivated": _("Staff member deactivated"),
    "trunkshow.staff.reactivated": _("Staff member reactivated"),
    "trunkshow.token.created": _("API token created"),
    "trunkshow.token.revoked": _("API token revoked"),
    "trunkshow.store.created": _("Store created"),
    "trunkshow.store.updated": _("Store settings changed"),
    "trunkshow.customer.exported": _("Customers exported"),
    "trunkshow.customer.erased": _("Customer erased"),
    "trunkshow.customer.merged": _("Customers merged"),
    "trunkshow.customer.told_apart": _("Customers marked as different people"),
    "trunkshow.customer.import_started": _("Customer import started"),
    "trunkshow.customer.import_cancelled": _("Customer import cancelled"),
    "trunkshow.customer.import_retried": _("Customer import queued again (it had been interrupted or lost)"),
    "trunkshow.webchat.settings_changed": _("Web chat settings changed"),
    "trunkshow.inbox.settings_changed": _("Inbox settings changed"),
    "trunkshow.whatsapp_template.saved": _("WhatsApp template saved"),
    "trunkshow.whatsapp_template.deleted": _("WhatsApp template deleted"),
    "trunkshow.whatsapp_template.reviewed": _("WhatsApp template's approval status changed at Twilio"),
}


def audit_log(
    *,
    store: Any,
    action: str,
    actor: Any = None,
    obj: Any = None,
    data: dict[str, Any] | None = None,
    ip: str | None = None,
) -> AuditEntry:
    if action not in ACTIONS:
        raise ValueError(f"Unknown audit action {action!r}: add it to ACTIONS with its display text")
    return AuditEntry.objects.with_scopes_disabled().create(
        store=store,
        actor=actor if actor is not None and getattr(actor, "pk", None) else None,
        action=action,
        object_type=obj._meta.model_name if obj is not None else "",
        object_id=str(obj.pk) if obj is not None else "",
        data=data or {},
        ip=ip,
    )


def action_display(action: str) -> str:
    return str(ACTIONS.get(action, action))
