"""Conversations, their messages (inbound, outbound and internal notes), opt-outs and raw provider events.

An outbound message is its own outbox entry: it is a row (status ``queued``) before anything is
sent, the worker moves it forward, and provider callbacks move it further, never back.
"""

from __future__ import annotations

import os
import uuid
from typing import Any, ClassVar

from django.conf import settings
from django.core.files.storage import FileSystemStorage, Storage
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django_scopes import ScopedManager

from trunkshow.core.validation import fold


class ChannelKind(models.TextChoices):
    WEBCHAT = "webchat", _("Web chat")
    SMS = "sms", _("Text message")
    WHATSAPP = "whatsapp", _("WhatsApp")
    EMAIL = "email", _("Email")


# A channel's name inside a sentence ("opted out of text messages"), where the label ("Text message")
# would keep its capital.
CHANNEL_IN_SENTENCE = {
    ChannelKind.WEBCHAT: _("the web chat"),
    ChannelKind.SMS: _("text messages"),
    ChannelKind.WHATSAPP: _("WhatsApp"),
    ChannelKind.EMAIL: _("email"),
}


class ConversationStatus(models.TextChoices):
    OPEN = "open", _("Open")
    PENDING = "pending", _("Pending")
    SNOOZED = "snoozed", _("Snoozed")
    CLOSED = "closed", _("Closed")


class Conversation(models.Model):
    """One thread with one customer (or, on web chat, a visitor who has not said who they are yet)."""

    store = models.ForeignKey("stores.Store", on_delete=models.CASCADE, related_name="+")
    customer = models.ForeignKey(
        "customers.Customer", on_delete=models.CASCADE, null=True, blank=True, related_name="conversations"
    )
    # The channel and address the customer last wrote from: a reply goes back there by default.
    channel = models.CharField(max_length=16, choices=ChannelKind.choices)
    address = models.CharField(max_length=254, blank=True)
    subject = models.CharField(max_length=200, blank=True)
    status = models.CharField(max_length=16, choices=ConversationStatus.choices, default=ConversationStatus.OPEN)
    snoozed_until = models.DateTimeField(null=True, blank=True)
    assigned_to = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="conversation_assignments",
    )
    last_message_at = models.DateTimeField(default=timezone.now)
    last_message_preview = models.CharField(max_length=160, blank=True)
    last_inbound_at = models.DateTimeField(null=True, blank=True)
    # First response time: from the first customer message waiting for an answer to staff's reply.
    awaiting_since = models.DateTimeField(null=True, blank=True)
    # When it last came back to open (a snooze ended, a message or staff reopened it): the target
    # clock, not the first response time, counts from here when it is later (ADR 0010).
    reopened_at = models.DateTimeField(null=True, blank=True)
    first_response_seconds = models.PositiveIntegerField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    objects = ScopedManager(store="store")

    class Meta:
        indexes: ClassVar = [
            models.Index(fields=["store", "status", "-last_message_at", "-id"], name="conversation_inbox"),
            models.Index(fields=["store", "channel", "address"], name="conversation_address"),
            # The inbox's "Waiting longest" order (and the minute task's waits): only the rows with a
            # customer waiting, in the order they have waited (ADR 0010).
            models.Index(
                fields=["store", "status", "awaiting_since", "id"],
                condition=models.Q(awaiting_since__isnull=False),
                name="conversation_waiting",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.channel} conversation {self.pk}"


class Response(models.Model):
    """A customer's wait that a person ended: from their first unanswered message to the first
    answer by someone of the store (the response-time report reads these, never the messages).

    One per wait, not one per conversation: a customer's thread lasts for years, and each time they
    write after being answered (or after it was closed) is a new wait. Automatic answers (out of
    hours, keyword confirmations) end no wait and make none of these.
    """

    store = models.ForeignKey("stores.Store", on_delete=models.CASCADE, related_name="+")
    conversation = models.ForeignKey(Conversation, on_delete=models.CASCADE, related_name="responses")
    channel = models.CharField(max_length=16, choices=ChannelKind.choices)  # the channel answered on
    asked_at = models.DateTimeField()  # the customer's first unanswered message
    # Where the target's clock counted from: the message, or later when the conversation came back
    # to open (a snooze ended) while the customer waited (ADR 0010).
    clock_from = models.DateTimeField()
    answered_at = models.DateTimeField()
    answered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    first = models.BooleanField(default=False)  # the conversation's first answer ever

    objects = ScopedManager(store="store")

    class Meta:
        indexes: ClassVar = [models.Index(fields=["store", "answered_at"], name="response_answered")]

    def __str__(self) -> str:
        return f"response in conversation {self.conversation_id} at {self.answered_at:%Y-%m-%d %H:%M}"


class ConversationFold(models.Model):
    """A conversation folded into another when its customer's records were merged (ADR 0010): the
    folded one's address (a bookmark, a page open on another phone) leads to the thread that stayed."""

    store = models.ForeignKey("stores.Store", on_delete=models.CASCADE, related_name="+")
    folded_id = models.PositiveBigIntegerField()
    conversation = models.ForeignKey(Conversation, on_delete=models.CASCADE, related_name="+")
    at = models.DateTimeField(default=timezone.now)

    objects = ScopedManager(store="store")

    class Meta:
        constraints: ClassVar = [
            models.UniqueConstraint(fields=["store", "folded_id"], name="conversation_fold_unique")
        ]

    def __str__(self) -> str:
        return f"conversation {self.folded_id} folded into {self.conversation_id}"


class Direction(models.TextChoices):
    INBOUND = "in", _("From the customer")
    OUTBOUND = "out", _("To the customer")
    NOTE = "note", _("Internal note")


class MessageStatus(models.TextChoices):
    RECEIVED = "received", _("Received")
    QUEUED = "queued", _("Queued")
    SENDING = "sending", _("Sending")
    SENT = "sent", _("Sent")
    DELIVERED = "delivered", _("Delivered")
    READ = "read", _("Read")
    UNDELIVERED = "undelivered", _("Not delivered")
    FAILED = "failed", _("Failed")


# How far along a message is: a status callback only ever moves it further (Twilio's callbacks
# arrive in any order; "delivered" must never go back to "sent").
STATUS_RANK = {
    MessageStatus.QUEUED: 0,
    MessageStatus.SENDING: 1,
    MessageStatus.SENT: 2,
    MessageStatus.UNDELIVERED: 3,
    MessageStatus.FAILED: 3,
    MessageStatus.DELIVERED: 3,
    MessageStatus.READ: 4,
    MessageStatus.RECEIVED: 0,
}


class Message(models.Model):
    store = models.ForeignKey("stores.Store", on_delete=models.CASCADE, related_name="+")
    conversation = models.ForeignKey(Conversation, on_delete=models.CASCADE, related_name="messages")
    direction = models.CharField(max_length=4, choices=Direction.choices)
    channel = models.CharField(max_length=16, choices=ChannelKind.choices)
    body = models.TextField(blank=True)
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    to_address = models.CharField(max_length=254, blank=True)
    from_address = models.CharField(max_length=254, blank=True)
    status = models.CharField(max_length=16, choices=MessageStatus.choices)
    # Our own id for the message, sent to the provider where it takes one (idempotency, lookups).
    reference = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    provider = models.CharField(max_length=20, blank=True)
    provider_id = models.CharField(max_length=100, blank=True)
    error = models.CharField(max_length=300, blank=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    next_attempt_at = models.DateTimeField(null=True, blank=True)
    claimed_at = models.DateTimeField(null=True, blank=True)
    claim_token = models.CharField(max_length=32, blank=True, db_index=True)  # which worker's batch it is in
    meta = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    sent_at = models.DateTimeField(null=True, blank=True)
    status_at = models.DateTimeField(default=timezone.now)
    # The body as the inbox's search reads it (``message_search_text``), kept by ``save``; each
    # engine's trigram index is on it (migration 0007, ADR 0010).
    search_text = models.TextField(blank=True, default="", editable=False)

    objects = ScopedManager(store="store")

    class Meta:
        # Arrival order: the times come from different processes' clocks (ADR 0015).
        ordering: ClassVar = ["id"]
        constraints: ClassVar = [
            # A provider's retried webhook for the same message is one row.
            models.UniqueConstraint(
                fields=["provider", "provider_id"], condition=~models.Q(provider_id=""), name="message_provider_id"
            )
        ]
        indexes: ClassVar = [
            models.Index(fields=["conversation", "created_at", "id"], name="message_thread"),
            models.Index(fields=["status", "next_attempt_at"], name="message_outbox"),
        ]

    def __str__(self) -> str:
        return f"{self.direction} {self.channel} message {self.pk}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        update_fields = kwargs.get("update_fields")
        if update_fields is None or "body" in update_fields:  # a status change does not fold the body again
            self.search_text = message_search_text(self.body)
            if update_fields is not None:
                kwargs["update_fields"] = {*update_fields, "search_text"}
        super().save(*args, **kwargs)


def message_search_text(body: str) -> str:
    """What the inbox's search looks in: the body folded (``Müller`` and ``Muller`` are ``muller``)."""
    return fold(body or "")


class OptOut(models.Model):
    """An address that said STOP on a channel: nothing is sent to it on that channel, whatever asks."""

    store = models.ForeignKey("stores.Store", on_delete=models.CASCADE, related_name="+")
    channel = models.CharField(max_length=16, choices=ChannelKind.choices)
    address = models.CharField(max_length=254)
    at = models.DateTimeField(default=timezone.now)
    keyword = models.CharField(max_length=40, blank=True)

    objects = ScopedManager(store="store")

    class Meta:
        constraints: ClassVar = [models.UniqueConstraint(fields=["store", "channel", "address"], name="optout_unique")]

    def __str__(self) -> str:
        return f"{self.channel} opt-out"


class ProviderEvent(models.Model):
    """A provider's webhook as it came, stored before we answer: its id is unique, so a retry is a no-op."""

    store = models.ForeignKey("stores.Store", on_delete=models.CASCADE, related_name="+")
    provider = models.CharField(max_length=20)
    event_id = models.CharField(max_length=160)
    kind = models.CharField(max_length=40)
    payload = models.JSONField(default=dict)
    received_at = models.DateTimeField(default=timezone.now)

    objects = ScopedManager(store="store")

    class Meta:
        constraints: ClassVar = [models.UniqueConstraint(fields=["provider", "event_id"], name="provider_event_unique")]

    def __str__(self) -> str:
        return f"{self.provider} {self.kind} {self.event_id}"


class AttachmentStorage(FileSystemStorage):
    """Files under ``ATTACHMENTS_DIR`` (in the data dir), read when used, never served as public files."""

    @property
    def base_location(self) -> str:
        return str(settings.ATTACHMENTS_DIR)

    @property
    def location(self) -> str:
        return os.path.abspath(self.base_location)


def attachment_storage() -> Storage:
    # STORAGES["attachments"], when set, replaces the data dir (another backend, or a test's failing disk).
    if "attachments" in settings.STORAGES:
        from django.core.files.storage import storages

        return storages.create_storage(settings.STORAGES["attachments"])
    return AttachmentStorage(base_url=None)


class Attachment(models.Model):
    """A file that came with a message, kept under a storage key we made (``<store>/<yyyy>/<mm>/<random>``).

    The sender's file name is for display only: it never becomes part of a path.
    """

    store = models.ForeignKey("stores.Store", on_delete=models.CASCADE, related_name="+")
    message = models.ForeignKey(Message, on_delete=models.CASCADE, related_name="attachments")
    file = models.FileField(storage=attachment_storage, max_length=200)
    filename = models.CharField(max_length=200)
    content_type = models.CharField(max_length=100)
    size = models.PositiveBigIntegerField()
    # Set for a photo we re-encoded ourselves (and only then is it shown inline): its pixels and a
    # small copy for the thread.
    width = models.PositiveIntegerField(null=True, blank=True)
    height = models.PositiveIntegerField(null=True, blank=True)
    thumbnail = models.FileField(storage=attachment_storage, max_length=200, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    objects = ScopedManager(store="store")

    def __str__(self) -> str:
        return self.filename

    @property
    def is_photo(self) -> bool:
        return self.width is not None and bool(self.thumbnail)


class WebchatSettings(models.Model):
    """How a store's chat widget behaves: which websites may embed it, what it promises."""

    store = models.OneToOneField("stores.Store", on_delete=models.CASCADE, related_name="+")
    # Exact origins ("https://shop.example.com", "http://localhost:8000"); a request from any other is refused.
    allowed_origins = models.JSONField(default=list, blank=True)
    reply_time_text = models.CharField(max_length=120, blank=True)
    updated_at = models.DateTimeField(default=timezone.now)

    objects = ScopedManager(store="store")

    def __str__(self) -> str:
        return f"web chat settings of store {self.store_id}"


class WebchatVisitor(models.Model):
    """The browser that started a web-chat conversation: only the SHA-256 of its token is kept.

    The token is the visitor's only key: it opens this one conversation of this one store.
    """

    store = models.ForeignKey("stores.Store", on_delete=models.CASCADE, related_name="+")
    conversation = models.OneToOneField(Conversation, on_delete=models.CASCADE, related_name="webchat_visitor")
    token_hash = models.CharField(max_length=64, unique=True)
    # What the visitor said about themselves: a new, unverified contact (never matched to an existing customer).
    identified_at = models.DateTimeField(null=True, blank=True)
    page_url = models.CharField(max_length=500, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    objects = ScopedManager(store="store")

    def __str__(self) -> str:
        return f"web chat visitor of conversation {self.conversation_id}"


class TemplateApproval(models.TextChoices):
    """Where WhatsApp's review of a template stands, in Twilio's words (Content API approval status)."""

    UNSUBMITTED = "unsubmitted", _("Not submitted")
    RECEIVED = "received", _("Received")
    PENDING = "pending", _("Pending")
    APPROVED = "approved", _("Approved")
    REJECTED = "rejected", _("Rejected")
    PAUSED = "paused", _("Paused")
    DISABLED = "disabled", _("Disabled")


class TemplateVariableSource(models.TextChoices):
    """What fills a template's placeholder when it is sent."""

    FIRST_NAME = "first_name", _("The customer's first name")
    ASSOCIATE = "associate", _("The associate's first name")
    STORE = "store", _("The store's name")
    TEXT = "text", _("Written when sending")


class WhatsAppTemplate(models.Model):
    """A message WhatsApp approved for the store: the only kind it lets us send outside the 24-hour window.

    The template itself lives at Twilio (Content Template Builder) under its content SID; here is
    what staff need to send it: its text with numbered placeholders ({{1}}, {{2}}) and, for each
    placeholder in order, what fills it (``variables``: ``[{"source": "first_name", "label": ""}, ...]``).
    """

    store = models.ForeignKey("stores.Store", on_delete=models.CASCADE, related_name="+")
    name = models.CharField(_("name"), max_length=100)
    content_sid = models.CharField(_("content SID"), max_length=34)
    language = models.CharField(_("language"), max_length=16)
    body = models.TextField(_("text"), max_length=1024)
    variables = models.JSONField(default=list, blank=True)
    approval_status = models.CharField(
        _("approval status"), max_length=16, choices=TemplateApproval.choices, default=TemplateApproval.UNSUBMITTED
    )
    rejection_reason = models.CharField(max_length=300, blank=True)
    status_checked_at = models.DateTimeField(null=True, blank=True)  # last asked Twilio
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    updated_at = models.DateTimeField(default=timezone.now)

    objects = ScopedManager(store="store")

    class Meta:
        ordering: ClassVar = ["name", "id"]
        constraints: ClassVar = [
            models.UniqueConstraint(fields=["store", "name"], name="whatsapp_template_name_unique"),
            # Stores sharing one Twilio account may each record the same template.
            models.UniqueConstraint(fields=["store", "content_sid"], name="whatsapp_template_sid_unique"),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def is_approved(self) -> bool:
        return self.approval_status == TemplateApproval.APPROVED
