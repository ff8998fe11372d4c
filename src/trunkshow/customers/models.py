"""The customer book: profiles, ways to reach them, dates, tastes, sizes, notes, purchases, consent."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django_scopes import ScopedManager

from trunkshow.core.validation import initials


class Source(models.TextChoices):
    WALK_IN = "walk_in", _("Walk-in")
    WEB_FORM = "web_form", _("Web form")
    GIVEAWAY = "giveaway", _("Giveaway")
    # Anyone whose first message made them a customer: the chat on the website, a text, WhatsApp or an email.
    CHAT = "chat", _("Wrote to us")
    IMPORT = "import", _("Import")
    REFERRAL = "referral", _("Referral")
    TRADE_SHOW = "trade_show", _("Trade show")


class Channel(models.TextChoices):
    SMS = "sms", _("Text message")
    EMAIL = "email", _("Email")
    WHATSAPP = "whatsapp", _("WhatsApp")
    PHONE = "phone", _("Phone call")
    POST = "post", _("Post")


LIVE_CUSTOMER = models.Q(erased_at__isnull=True)


def display_name_from(
    first_name: str, preferred_name: str, last_name: str, reached_by: str | Callable[[], str] = ""
) -> str:
    """How the app names a customer (``Customer.display_name``), from plain values where no model is
    at hand (a list's row, an import's results): the name they go by, else their first name, and
    their last name; without a name, how they reached us (``reached_by``: the number as the store
    writes it, else the email; a callable is asked only then), else "Unnamed customer"."""
    first = preferred_name or first_name
    name = " ".join(part for part in (first, last_name) if part)
    if name:
        return name
    return (reached_by() if callable(reached_by) else reached_by) or str(_("Unnamed customer"))


# The sort_name of a customer with no name at all (someone who texted before saying who they
# are): above every folded name in code point order (SQLite's and the C.UTF-8 collation's), so
# the list's name sort walks its (store, sort_name, id) index and shows them after the named.
NAMELESS_SORT = "\U0010fffd"


class Customer(models.Model):
    store = models.ForeignKey("stores.Store", on_delete=models.CASCADE, related_name="customers")
    first_name = models.CharField(_("first name"), max_length=100, blank=True)
    last_name = models.CharField(_("last name"), max_length=100, blank=True)
    preferred_name = models.CharField(_("preferred name"), max_length=100, blank=True)
    # How a letter or a formal greeting addresses them ("Mrs", "Dr", "Frau"), as the store writes it.
    title = models.CharField(_("title"), max_length=30, blank=True)

    address_line1 = models.CharField(_("address line 1"), max_length=200, blank=True)
    address_line2 = models.CharField(_("address line 2"), max_length=200, blank=True)
    city = models.CharField(_("city"), max_length=100, blank=True)
    region = models.CharField(_("state / province / region"), max_length=100, blank=True)
    postal_code = models.CharField(_("postal code"), max_length=20, blank=True)
    country = models.CharField(_("country"), max_length=2, blank=True)

    birthday_day = models.PositiveSmallIntegerField(_("birthday day"), null=True, blank=True)
    birthday_month = models.PositiveSmallIntegerField(_("birthday month"), null=True, blank=True)
    birthday_year = models.PositiveSmallIntegerField(_("birth year"), null=True, blank=True)

    # A partner is either another customer of the store, or just a name (with a birthday).
    partner = models.ForeignKey("self", on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    partner_name = models.CharField(_("partner's name"), max_length=200, blank=True)
    partner_birthday_day = models.PositiveSmallIntegerField(null=True, blank=True)
    partner_birthday_month = models.PositiveSmallIntegerField(null=True, blank=True)
    partner_birthday_year = models.PositiveSmallIntegerField(null=True, blank=True)

    preferred_channel = models.CharField(_("preferred channel"), max_length=16, choices=Channel.choices, blank=True)
    language = models.CharField(_("language"), max_length=16, blank=True)
    time_zone = models.CharField(_("time zone"), max_length=64, blank=True)
    assigned_associate = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    source = models.CharField(_("how we met"), max_length=16, choices=Source.choices, default=Source.WALK_IN)

    # Maintained by services: totals in the store's currency, and what search reads.
    lifetime_spend = models.DecimalField(max_digits=14, decimal_places=2, default=0)
    purchase_count = models.PositiveIntegerField(default=0)
    last_purchase_on = models.DateField(null=True, blank=True)
    search_text = models.TextField(blank=True, default="")
    sort_name = models.CharField(max_length=220, blank=True, default="", db_index=True)
    # What a point-of-sale import reported as spent before our own purchase history began; part of
    # lifetime_spend, so a re-import replaces it instead of adding to it.
    imported_spend = models.DecimalField(max_digits=14, decimal_places=2, default=0)
    # The last time the store and the customer were in touch (a purchase, a message either way).
    last_contact_at = models.DateTimeField(null=True, blank=True)
    # Erasure keeps the row (anonymous aggregates such as lifetime_spend) and removes the person.
    erased_at = models.DateTimeField(null=True, blank=True)

    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)

    objects = ScopedManager(store="store")

    class Meta:
        ordering = ["sort_name", "id"]
        indexes = [
            models.Index(fields=["store", "sort_name", "id"], name="customer_store_sort"),
            # The list's sorts walk these in order, id included so ties need no sort, erased rows
            # left out as the list leaves them out. Last purchase and last contact have NULLS
            # clauses that SQLite cannot put in an index: 0008_list_sort_indexes makes those per
            # engine, in SQL. See docs/adr/0004-filters-segments-export.md.
            models.Index(fields=["store", "sort_name", "id"], name="customer_store_name", condition=LIVE_CUSTOMER),
            models.Index(fields=["store", "-created_at", "-id"], name="customer_store_newest", condition=LIVE_CUSTOMER),
            models.Index(
                fields=["store", "lifetime_spend", "id"], name="customer_store_spend_id", condition=LIVE_CUSTOMER
            ),
            models.Index(fields=["store", "birthday_month", "birthday_day"], name="customer_store_birthday"),
            # A partner noted by name only: their birthday, for the date filter's window.
            models.Index(
                fields=["store", "partner_birthday_month", "partner_birthday_day"], name="customer_partner_birthday"
            ),
            models.Index(fields=["store", "source"], name="customer_store_source"),
            models.Index(fields=["store", "assigned_associate"], name="customer_store_associate"),
        ]

    def __str__(self) -> str:
        return self.display_name

    @property
    def has_name(self) -> bool:
        return bool(self.preferred_name or self.first_name or self.last_name)

    @property
    def display_name(self) -> str:
        """The name staff call them by; without one, how they reached us: the phone number as
        the store writes it ("(212) 555-0188"; "+44 20 7946 0958" from abroad), else the email."""
        return display_name_from(self.first_name, self.preferred_name, self.last_name, self._reached_by)

    def _reached_by(self) -> str:
        if "_reached_by_cache" not in self.__dict__:
            self.__dict__["_reached_by_cache"] = self._primary_contact()
        return str(self.__dict__["_reached_by_cache"])

    def _primary_contact(self) -> str:
        from trunkshow.core.templatetags.trunkshow import phone_for_region

        # A list's rows carry their phones and emails (selectors.customers_with_contacts).
        phones = self.__dict__.get("phone_list")
        if phones is None:
            phones = list(self.phones.order_by("-is_primary", "id")[:1]) if self.pk else []
        if phones:
            return phone_for_region(phones[0].e164, self._store_region())
        emails = self.__dict__.get("email_list")
        if emails is None:
            emails = list(self.emails.order_by("-is_primary", "id")[:1]) if self.pk else []
        return emails[0].address if emails else ""

    def _store_region(self) -> str:
        """The store's phone region without a query where it is at hand: the instance's cached
        store, else the store whose scope the request or task entered."""
        from django_scopes import get_scope

        store = self.store if Customer.store.is_cached(self) else get_scope().get("store")
        if getattr(store, "pk", None) != self.store_id:
            store = self.store
        return str(store.phone_region)

    @property
    def full_name(self) -> str:
        return " ".join(part for part in (self.first_name, self.last_name) if part)

    @property
    def formal_name(self) -> str:
        """The full name with the title before it ("Mrs Anna Szirmay"), as a letter is addressed."""
        return " ".join(part for part in (self.title, self.first_name, self.last_name) if part)

    @property
    def initials(self) -> str:
        return initials(self.preferred_name or self.first_name, self.last_name)


class PhoneLabel(models.TextChoices):
    MOBILE = "mobile", _("Mobile")
    HOME = "home", _("Home")
    WORK = "work", _("Work")
    OTHER = "other", _("Other")


class CustomerPhone(models.Model):
    store = models.ForeignKey("stores.Store", on_delete=models.CASCADE, related_name="+")
    customer = models.ForeignKey(Customer, on_delete=models.CASCADE, related_name="phones")
    e164 = models.CharField(max_length=20)
    label = models.CharField(max_length=10, choices=PhoneLabel.choices, default=PhoneLabel.MOBILE)
    is_primary = models.BooleanField(default=False)
    created_at = models.DateTimeField(default=timezone.now)

    objects = ScopedManager(store="store")

    class Meta:
        ordering = ["-is_primary", "id"]
        indexes = [models.Index(fields=["store", "e164"], name="phone_store_e164")]
        constraints = [models.UniqueConstraint(fields=["customer", "e164"], name="phone_unique_per_customer")]

    def __str__(self) -> str:
        return self.e164


class EmailLabel(models.TextChoices):
    PERSONAL = "personal", _("Personal")
    WORK = "work", _("Work")
    OTHER = "other", _("Other")


class CustomerEmail(models.Model):
    store = models.ForeignKey("stores.Store", on_delete=models.CASCADE, related_name="+")
    customer = models.ForeignKey(Customer, on_delete=models.CASCADE, related_name="emails")
    address = models.CharField(max_length=254)  # normalised: domain in ASCII, lowercased
    label = models.CharField(max_length=10, choices=EmailLabel.choices, default=EmailLabel.PERSONAL)
    is_primary = models.BooleanField(default=False)
    created_at = models.DateTimeField(default=timezone.now)

    objects = ScopedManager(store="store")

    class Meta:
        ordering = ["-is_primary", "id"]
        indexes = [models.Index(fields=["store", "address"], name="email_store_address")]
        constraints = [models.UniqueConstraint(fields=["customer", "address"], name="email_unique_per_customer")]

    def __str__(self) -> str:
        return self.address


class DateKind(models.TextChoices):
    ANNIVERSARY = "anniversary", _("Anniversary")
    ENGAGEMENT = "engagement", _("Engagement")
    WEDDING = "wedding", _("Wedding")
    CUSTOM = "custom", _("Other")


class ImportantDate(models.Model):
    store = models.ForeignKey("stores.Store", on_delete=models.CASCADE, related_name="+")
    customer = models.ForeignKey(Customer, on_delete=models.CASCADE, related_name="important_dates")
    kind = models.CharField(max_length=16, choices=DateKind.choices)
    label = models.CharField(max_length=100, blank=True)
    day = models.PositiveSmallIntegerField()
    month = models.PositiveSmallIntegerField()
    year = models.PositiveSmallIntegerField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    objects = ScopedManager(store="store")

    class Meta:
        ordering = ["month", "day", "id"]
        indexes = [models.Index(fields=["store", "month", "day"], name="date_store_month_day")]
        constraints = [
            models.CheckConstraint(condition=models.Q(month__gte=1, month__lte=12), name="date_month_range"),
            models.CheckConstraint(condition=models.Q(day__gte=1, day__lte=31), name="date_day_range"),
        ]

    def __str__(self) -> str:
        return f"{self.label or self.get_kind_display()} {self.day}/{self.month}"


class InterestKind(models.TextChoices):
    METAL = "metal", _("Metal")
    STONE = "stone", _("Stone")
    STYLE = "style", _("Style")
    DESIGNER = "designer", _("Designer")
    FREE = "free", _("Other")


class Interest(models.Model):
    # No index of their own: interest_store_words starts with the store, interest_customer_words
    # and the unique constraint with the customer.
    store = models.ForeignKey("stores.Store", on_delete=models.CASCADE, related_name="+", db_index=False)
    customer = models.ForeignKey(Customer, on_delete=models.CASCADE, related_name="interests", db_index=False)
    kind = models.CharField(max_length=16, choices=InterestKind.choices)
    value = models.CharField(max_length=60)
    value_key = models.CharField(max_length=180)  # folded (ß becomes ss, ﬃ ffi): up to 3x the value
    # What the list's filter and an import match on: the folded words, each singular and after a
    # space (" rose gold"), from ``interests.interest_words``; at most one character over value_key.
    value_words = models.CharField(max_length=181)
    created_at = models.DateTimeField(default=timezone.now)

    objects = ScopedManager(store="store")

    class Meta:
        ordering = ["kind", "value_key"]
        indexes = [
            # The list's interest filter probes each customer's interests: read from this index
            # alone (kind and words in it), it costs what the exact match on value_key did.
            models.Index(fields=["customer", "kind", "value_words"], name="interest_customer_words"),
            # The store's vocabulary, which an import reads once (interests.interest_vocabulary).
            models.Index(fields=["store", "value_words", "kind", "value"], name="interest_store_words"),
        ]
        constraints = [
            models.UniqueConstraint(fields=["customer", "kind", "value_key"], name="interest_unique_per_customer")
        ]

    def __str__(self) -> str:
        return f"{self.kind}: {self.value}"


class SizeKind(models.TextChoices):
    RING = "ring", _("Ring")
    BRACELET = "bracelet", _("Bracelet")
    NECKLACE = "necklace", _("Necklace length")


class SizeSystem(models.TextChoices):
    US = "US", _("US")
    UK = "UK", _("UK")
    EU = "EU", _("EU")
    CM = "cm", _("cm")
    IN = "in", _("inches")


class Size(models.Model):
    store = models.ForeignKey("stores.Store", on_delete=models.CASCADE, related_name="+")
    customer = models.ForeignKey(Customer, on_delete=models.CASCADE, related_name="sizes")
    kind = models.CharField(max_length=16, choices=SizeKind.choices)
    system = models.CharField(max_length=4, choices=SizeSystem.choices)
    value = models.CharField(max_length=10)
    note = models.CharField(max_length=100, blank=True)  # "left ring finger"
    created_at = models.DateTimeField(default=timezone.now)

    objects = ScopedManager(store="store")

    class Meta:
        ordering = ["kind", "id"]

    def __str__(self) -> str:
        return f"{self.kind} {self.system} {self.value}"


class Note(models.Model):
    store = models.ForeignKey("stores.Store", on_delete=models.CASCADE, related_name="+")
    customer = models.ForeignKey(Customer, on_delete=models.CASCADE, related_name="notes")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    body = models.TextField()
    created_at = models.DateTimeField(default=timezone.now)

    objects = ScopedManager(store="store")

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return self.body[:40]


class Purchase(models.Model):
    store = models.ForeignKey("stores.Store", on_delete=models.CASCADE, related_name="+")
    customer = models.ForeignKey(Customer, on_delete=models.CASCADE, related_name="purchases")
    purchased_on = models.DateField()
    # [{"description": "Sapphire halo ring", "sku": "R-1021", "quantity": 1}]
    items = models.JSONField(default=list)
    amount = models.DecimalField(max_digits=12, decimal_places=2)
    currency = models.CharField(max_length=3)
    associate = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    external_id = models.CharField(max_length=100, blank=True)  # the point-of-sale's order number
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)

    objects = ScopedManager(store="store")

    class Meta:
        ordering = ["-purchased_on", "-id"]
        constraints = [models.CheckConstraint(condition=models.Q(amount__gte=0), name="purchase_amount_not_negative")]

    def __str__(self) -> str:
        return f"{self.purchased_on} {self.amount} {self.currency}"


class ConsentPurpose(models.TextChoices):
    MARKETING = "marketing", _("Marketing")
    SERVICE = "service", _("Service")


class ConsentAction(models.TextChoices):
    GRANTED = "granted", _("Granted")
    WITHDRAWN = "withdrawn", _("Withdrawn")


class ConsentMethod(models.TextChoices):
    FORM = "form", _("Web form")
    IN_PERSON = "in_person", _("In person")
    IMPORT = "import", _("Import")
    KEYWORD = "keyword", _("Keyword reply")
    STAFF = "staff", _("Recorded by staff")


class AppendOnlyError(Exception):
    """Consent events are evidence: they are never changed or deleted (erasure aside)."""


class ConsentEventQuerySet(models.QuerySet["ConsentEvent"]):
    def update(self, **kwargs: Any) -> int:
        raise AppendOnlyError("Consent events cannot be changed")

    def move_to(self, customer: Customer) -> int:
        """Merging two customers moves their ledgers together: the one change the database allows."""
        return super().update(customer=customer)

    def delete(self) -> tuple[int, dict[str, int]]:
        raise AppendOnlyError("Consent events cannot be deleted; erasure has its own service")


class ConsentEvent(models.Model):
    store = models.ForeignKey("stores.Store", on_delete=models.CASCADE, related_name="+")
    customer = models.ForeignKey(Customer, on_delete=models.CASCADE, related_name="consent_events")
    channel = models.CharField(max_length=16, choices=Channel.choices)
    purpose = models.CharField(max_length=16, choices=ConsentPurpose.choices)
    action = models.CharField(max_length=16, choices=ConsentAction.choices)
    occurred_at = models.DateTimeField(default=timezone.now)
    method = models.CharField(max_length=16, choices=ConsentMethod.choices)
    # Evidence: what the person saw and where, from which address, recorded by whom.
    evidence_text = models.TextField(blank=True)
    evidence_url = models.CharField(max_length=500, blank=True)
    evidence_ip = models.GenericIPAddressField(null=True, blank=True)
    staff_user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    recorded_at = models.DateTimeField(default=timezone.now)

    objects = ScopedManager(models.Manager.from_queryset(ConsentEventQuerySet), store="store")

    class Meta:
        ordering = ["occurred_at", "id"]
        indexes = [models.Index(fields=["customer", "channel", "purpose", "occurred_at"], name="consent_lookup")]

    def __str__(self) -> str:
        return f"{self.channel} {self.purpose} {self.action}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if self.pk is not None:
            raise AppendOnlyError("Consent events cannot be changed")
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> tuple[int, dict[str, int]]:
        raise AppendOnlyError("Consent events cannot be deleted; erasure has its own service")


class CustomerEdit(models.Model):
    """A record of changed fields, for the timeline: {"field": [old, new]}."""

    store = models.ForeignKey("stores.Store", on_delete=models.CASCADE, related_name="+")
    customer = models.ForeignKey(Customer, on_delete=models.CASCADE, related_name="edits")
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    changes = models.JSONField(default=dict)
    at = models.DateTimeField(default=timezone.now)

    objects = ScopedManager(store="store")

    class Meta:
        ordering = ["-at", "-id"]

    def __str__(self) -> str:
        return f"edit of customer {self.customer_id}"


class CurrentConsent(models.Model):
    """The ledger's latest word per customer, channel and purpose, kept beside it for filtering.

    Written only with the events (services.consent_events_add); the ledger stays the evidence.
    """

    store = models.ForeignKey("stores.Store", on_delete=models.CASCADE, related_name="+")
    customer = models.ForeignKey(Customer, on_delete=models.CASCADE, related_name="current_consents")
    channel = models.CharField(max_length=16, choices=Channel.choices)
    purpose = models.CharField(max_length=16, choices=ConsentPurpose.choices)
    granted = models.BooleanField()
    event = models.ForeignKey(ConsentEvent, on_delete=models.CASCADE, related_name="+")

    objects = ScopedManager(store="store")

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["customer", "channel", "purpose"], name="current_consent_unique")
        ]
        indexes = [
            models.Index(fields=["store", "channel", "purpose", "granted", "customer"], name="current_consent_filter")
        ]

    def __str__(self) -> str:
        return f"{self.channel} {self.purpose} {'granted' if self.granted else 'withdrawn'}"


class Segment(models.Model):
    """A named, saved set of filters ("Sapphire lovers, birthday in the next 30 days")."""

    store = models.ForeignKey("stores.Store", on_delete=models.CASCADE, related_name="+")
    name = models.CharField(max_length=100)
    # The filter parameters exactly as the list page and the API take them, validated on save.
    filters = models.JSONField(default=dict)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)

    objects = ScopedManager(store="store")

    class Meta:
        ordering = ["name", "id"]
        constraints = [models.UniqueConstraint(fields=["store", "name"], name="segment_name_unique_per_store")]

    def __str__(self) -> str:
        return self.name


class ImportStatus(models.TextChoices):
    UPLOADED = "uploaded", _("Waiting for the column mapping")
    QUEUED = "queued", _("Queued")
    RUNNING = "running", _("Importing")
    DONE = "done", _("Done")
    CANCELLED = "cancelled", _("Cancelled")
    FAILED = "failed", _("Failed")


class ImportJob(models.Model):
    """One uploaded CSV file and its way through mapping, the background run and the results."""

    store = models.ForeignKey("stores.Store", on_delete=models.CASCADE, related_name="+")
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    file_name = models.CharField(max_length=255)
    file_size = models.BigIntegerField(default=0)
    file_sha256 = models.CharField(max_length=64)
    # Relative to the data dir, chosen by the server (never the uploaded name); removed when done.
    stored_path = models.CharField(max_length=300, blank=True)
    encoding = models.CharField(max_length=32, blank=True)
    # While the encoding is a guess in doubt: the others that read the file about as well, each
    # with a word both read differently ({"encoding", "ours", "theirs"}); empty once sure or chosen.
    encoding_alternatives = models.JSONField(default=list, blank=True)
    delimiter = models.CharField(max_length=4, blank=True)
    columns = models.JSONField(default=list)  # the header row, as read
    mapping = models.JSONField(default=dict)  # {"column header": "field"}
    status = models.CharField(max_length=16, choices=ImportStatus.choices, default=ImportStatus.UPLOADED)
    total_rows = models.PositiveIntegerField(null=True, blank=True)
    processed_rows = models.PositiveIntegerField(default=0)
    created_count = models.PositiveIntegerField(default=0)
    merged_count = models.PositiveIntegerField(default=0)
    unchanged_count = models.PositiveIntegerField(default=0)
    error_count = models.PositiveIntegerField(default=0)
    cancel_requested = models.BooleanField(default=False)
    # Its results are numbered by the line of text a record starts on, as every import that had
    # results before 2026-11-25 was (migration 0018); since then by the record's spreadsheet row.
    # A run resumed or a file scrubbed later keeps the job's own numbering (ADR 0005).
    line_numbers = models.BooleanField(default=False)
    failure = models.TextField(blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    objects = ScopedManager(store="store")

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return self.file_name


class ImportOutcome(models.TextChoices):
    CREATED = "created", _("Created")
    MERGED = "merged", _("Merged into an existing customer")
    UNCHANGED = "unchanged", _("Already up to date")
    ERROR = "error", _("Not imported")


class ImportRow(models.Model):
    """What happened to one line of an import; a line is imported whole or reported, never half."""

    store = models.ForeignKey("stores.Store", on_delete=models.CASCADE, related_name="+")
    job = models.ForeignKey(ImportJob, on_delete=models.CASCADE, related_name="rows")
    # The record's spreadsheet row, header = 1 (its job's ``line_numbers``: the line it starts on).
    line = models.PositiveIntegerField()
    outcome = models.CharField(max_length=16, choices=ImportOutcome.choices)
    customer = models.ForeignKey(Customer, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    message = models.TextField(blank=True)

    objects = ScopedManager(store="store")

    class Meta:
        ordering = ["job", "line"]
        constraints = [models.UniqueConstraint(fields=["job", "line"], name="import_row_unique_line")]
        indexes = [models.Index(fields=["job", "outcome", "line"], name="import_row_outcome")]

    def __str__(self) -> str:
        return f"row {self.line}: {self.outcome}"


class CustomerMerge(models.Model):
    """Two customers became one: shown on the survivor's timeline."""

    store = models.ForeignKey("stores.Store", on_delete=models.CASCADE, related_name="+")
    customer = models.ForeignKey(Customer, on_delete=models.CASCADE, related_name="merges")
    merged_customer_id = models.PositiveBigIntegerField()
    merged_name = models.CharField(max_length=220, blank=True)
    # {"field": "kept" | "taken"}: which customer's value won, per field.
    choices = models.JSONField(default=dict)
    # {"field": {"was": {column: value}, "now": {column: value}}} for each field taken from the
    # merged-away record: what the survivor held before, so a merge loses nothing for good. Personal
    # data: erasure empties it (privacy.customer_erase).
    replaced = models.JSONField(default=dict, blank=True)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    at = models.DateTimeField(default=timezone.now)

    objects = ScopedManager(store="store")

    class Meta:
        ordering = ["-at", "-id"]

    def __str__(self) -> str:
        return f"merge of {self.merged_customer_id} into {self.customer_id}"


class DistinctPair(models.Model):
    """Two customers staff said are different people ("Not the same person"): never suggested to each
    other as a possible match again (``selectors.customer_possible_matches``). The lower id first."""

    store = models.ForeignKey("stores.Store", on_delete=models.CASCADE, related_name="+")
    customer = models.ForeignKey(Customer, on_delete=models.CASCADE, related_name="+")
    other = models.ForeignKey(Customer, on_delete=models.CASCADE, related_name="+")
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    at = models.DateTimeField(default=timezone.now)

    objects = ScopedManager(store="store")

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["customer", "other"], name="distinct_pair_unique"),
            models.CheckConstraint(condition=models.Q(customer__lt=models.F("other")), name="distinct_pair_ordered"),
        ]

    def __str__(self) -> str:
        return f"{self.customer_id} is not {self.other_id}"


class SuppressionKind(models.TextChoices):
    PHONE = "phone", _("Phone")
    EMAIL = "email", _("Email")


class Suppression(models.Model):
    """A hashed phone or email of an erased customer: never imported or contacted again.

    The digest is SHA-256 over the store id and the normalised value, so the value itself is gone.
    """

    store = models.ForeignKey("stores.Store", on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(max_length=8, choices=SuppressionKind.choices)
    digest = models.CharField(max_length=64)
    created_at = models.DateTimeField(default=timezone.now)

    objects = ScopedManager(store="store")

    class Meta:
        constraints = [models.UniqueConstraint(fields=["store", "kind", "digest"], name="suppression_unique")]

    def __str__(self) -> str:
        return f"{self.kind} {self.digest[:12]}"
