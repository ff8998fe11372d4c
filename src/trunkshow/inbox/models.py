"""The inbox's own state: how far each staff member has read, the store's response target, alerts sent."""

from __future__ import annotations

from typing import ClassVar

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django_scopes import ScopedManager

DEFAULT_TARGET_MINUTES = 5


class InboxSettings(models.Model):
    store = models.OneToOneField("stores.Store", on_delete=models.CASCADE, related_name="+")
    response_target_minutes = models.PositiveSmallIntegerField(
        _("first response target (minutes)"), default=DEFAULT_TARGET_MINUTES
    )
    out_of_hours_reply = models.BooleanField(_("answer automatically when closed"), default=True)

    objects = ScopedManager(store="store")

    def __str__(self) -> str:
        return f"inbox settings of store {self.store_id}"


class ReadState(models.Model):
    """The last message a staff member has seen in a conversation: what is after it is unread for them."""

    store = models.ForeignKey("stores.Store", on_delete=models.CASCADE, related_name="+")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    conversation = models.ForeignKey("messaging.Conversation", on_delete=models.CASCADE, related_name="+")
    last_read_message_id = models.BigIntegerField(default=0)
    at = models.DateTimeField(default=timezone.now)

    objects = ScopedManager(store="store")

    class Meta:
        constraints: ClassVar = [models.UniqueConstraint(fields=["user", "conversation"], name="read_state_unique")]

    def __str__(self) -> str:
        return f"read state {self.user_id}/{self.conversation_id}"


class OverdueAlert(models.Model):
    """The manager was told this conversation waited past the target (once per wait)."""

    store = models.ForeignKey("stores.Store", on_delete=models.CASCADE, related_name="+")
    conversation = models.ForeignKey("messaging.Conversation", on_delete=models.CASCADE, related_name="+")
    # Where the target's clock started (``services.response_clock_from``): the customer's message,
    # or when the conversation came back to open after it (a snooze ended).
    awaiting_since = models.DateTimeField()
    at = models.DateTimeField(default=timezone.now)

    objects = ScopedManager(store="store")

    class Meta:
        constraints: ClassVar = [
            models.UniqueConstraint(fields=["conversation", "awaiting_since"], name="overdue_alert_once")
        ]

    def __str__(self) -> str:
        return f"overdue alert {self.conversation_id}"


class SavedReply(models.Model):
    """A reply staff start from: merge fields ({first_name}, {associate}, {store}) are filled, then it is edited."""

    store = models.ForeignKey("stores.Store", on_delete=models.CASCADE, related_name="+")
    title = models.CharField(_("title"), max_length=80)
    body = models.TextField(_("text"), max_length=2000)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    updated_at = models.DateTimeField(default=timezone.now)

    objects = ScopedManager(store="store")

    class Meta:
        ordering: ClassVar = ["title", "id"]
        constraints: ClassVar = [models.UniqueConstraint(fields=["store", "title"], name="saved_reply_title_unique")]

    def __str__(self) -> str:
        return self.title


class PushSubscription(models.Model):
    """A browser (usually a phone) that asked for web push for this staff member."""

    store = models.ForeignKey("stores.Store", on_delete=models.CASCADE, related_name="+")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    endpoint = models.URLField(max_length=1000, unique=True)
    p256dh = models.CharField(max_length=200)
    auth = models.CharField(max_length=100)
    created_at = models.DateTimeField(default=timezone.now)
    last_error = models.CharField(max_length=300, blank=True)

    objects = ScopedManager(store="store")

    def __str__(self) -> str:
        return f"push subscription of {self.user_id}"


class Mention(models.Model):
    """A staff member @named in a note: waiting for them until they open the conversation, so a
    mention sent while they were away (and without push) is there when they come back."""

    store = models.ForeignKey("stores.Store", on_delete=models.CASCADE, related_name="+")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    conversation = models.ForeignKey("messaging.Conversation", on_delete=models.CASCADE, related_name="+")
    message = models.ForeignKey("messaging.Message", on_delete=models.CASCADE, related_name="+")
    at = models.DateTimeField(default=timezone.now)
    read_at = models.DateTimeField(null=True, blank=True)

    objects = ScopedManager(store="store")

    class Meta:
        constraints: ClassVar = [models.UniqueConstraint(fields=["message", "user"], name="mention_once")]
        indexes: ClassVar = [models.Index(fields=["store", "user", "read_at"], name="mention_unread")]

    def __str__(self) -> str:
        return f"mention of user {self.user_id} in message {self.message_id}"
