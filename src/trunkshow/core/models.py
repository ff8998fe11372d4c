"""The audit log: who did what to which store's data, with dotted action names."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django_scopes import ScopedManager


class AuditEntry(models.Model):
    store = models.ForeignKey("stores.Store", on_delete=models.CASCADE, related_name="audit_entries")
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    action = models.CharField(max_length=80, db_index=True)
    object_type = models.CharField(max_length=40, blank=True)
    object_id = models.CharField(max_length=40, blank=True)
    data = models.JSONField(default=dict, blank=True)
    ip = models.GenericIPAddressField(null=True, blank=True)
    at = models.DateTimeField(default=timezone.now, db_index=True)

    objects = ScopedManager(store="store")

    class Meta:
        ordering = ["-at", "-id"]
        indexes = [models.Index(fields=["store", "-at"], name="audit_store_at")]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.action}"


class LiveEvent(models.Model):
    """A real-time event, kept so a client that reconnects can ask for what it missed since an id.

    Written in the transaction of the change it announces (so a rolled-back change announces
    nothing) and pushed to the store's channel group after commit (``core.events``).
    """

    store = models.ForeignKey("stores.Store", on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(max_length=60)
    # Who may see it: "store" (all staff) or "conversation:<id>" (also that conversation's visitor).
    topic = models.CharField(max_length=60)
    payload = models.JSONField(default=dict)
    at = models.DateTimeField(default=timezone.now)

    objects = ScopedManager(store="store")

    class Meta:
        ordering = ["id"]
        indexes = [models.Index(fields=["store", "topic", "id"], name="live_event_backfill")]

    def __str__(self) -> str:
        return f"{self.kind} #{self.pk}"
