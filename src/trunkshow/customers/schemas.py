"""The customer API's shapes: what a client may send (strict: unknown fields are refused) and what it gets back.

Input schemas check types and closed vocabularies; every rule about the values (phones,
dates, sizes, amounts, lengths) stays in ``services`` so pages and the API give the same
answer. Output builders live here so each handler stays a few lines.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from decimal import Decimal
from typing import Annotated, Any

from django.core.exceptions import ValidationError
from django.http import HttpRequest
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from ninja import Field, Schema
from pydantic import ConfigDict

from trunkshow.core.access import client_ip
from trunkshow.core.api import ErrorBody, Page, Row
from trunkshow.customers.coming import ComingDate
from trunkshow.customers.models import (
    Channel,
    ConsentAction,
    ConsentEvent,
    ConsentMethod,
    ConsentPurpose,
    Customer,
    CustomerEdit,
    CustomerEmail,
    CustomerPhone,
    DateKind,
    EmailLabel,
    ImportantDate,
    Interest,
    InterestKind,
    Note,
    PhoneLabel,
    Purchase,
    Size,
    SizeKind,
    SizeSystem,
    Source,
)
from trunkshow.customers.selectors import customer_profile, summary_display_name
from trunkshow.customers.services import ConsentGrant
from trunkshow.customers.timeline import TimelineEntry
from trunkshow.customers.validation import SIZE_SYSTEMS

# Ids beyond a 64-bit key cannot name a row; bounding them keeps the database out of it.
Id = Annotated[int, Field(ge=1, le=2**63 - 1)]
Day = Annotated[int, Field(ge=1, le=31)]
Month = Annotated[int, Field(ge=1, le=12)]
Year = Annotated[int, Field(ge=1, le=9999)]
Text100 = Annotated[str, Field(max_length=100)]


# ---- errors -------------------------------------------------------------------------------


class DuplicateBody(ErrorBody):
    existing: list[int] = Field(description="Ids of the customers who already have this phone or email.")


class DuplicateOut(Schema):
    error: DuplicateBody


def duplicate_out(existing: list[Customer]) -> DuplicateOut:
    return DuplicateOut(
        error=DuplicateBody(
            code="duplicate",
            message=_(
                "A customer with this phone or email already exists; "
                "open them instead, or send allow_duplicate: true to add a second customer."
            ),
            fields={},
            existing=[c.pk for c in existing],
        )
    )


@contextmanager
def fields_named(rename: Callable[[str], str] | Mapping[str, str]) -> Iterator[None]:
    """Report a service's field errors under the names this request's body uses."""
    try:
        yield
    except ValidationError as exc:
        if not hasattr(exc, "error_dict"):
            raise
        name_of = rename if callable(rename) else (lambda name: rename.get(name, name))
        raise ValidationError({name_of(name): messages for name, messages in exc.message_dict.items()}) from None


_LIST_ITEM = re.compile(r"^(phones|emails|interests)\.(\d+)$")
_ITEM_FIELD = {"phones": "number", "emails": "address", "interests": "value"}


def create_field_name(name: str) -> str:
    """The services name a quick-add form's first phone ``phone``; the API body has ``phones[0].number``."""
    if name in ("phone", "email"):
        name = f"{name}s.0"
    match = _LIST_ITEM.match(name)
    return f"{name}.{_ITEM_FIELD[match.group(1)]}" if match else name


# ---- input --------------------------------------------------------------------------------


class Strict(Schema):
    # Mass assignment: a body naming `store`, `id`, `lifetime_spend`... is refused, field named.
    model_config = ConfigDict(extra="forbid", use_enum_values=True, validate_default=True)


class PhoneIn(Strict):
    number: str = Field(description="In any format; parsed with the store's phone region as default.")
    label: PhoneLabel = PhoneLabel.MOBILE


class EmailIn(Strict):
    address: str
    label: EmailLabel = EmailLabel.PERSONAL


class InterestIn(Strict):
    kind: InterestKind
    value: str


class ConsentIn(Strict):
    channel: Channel
    purpose: ConsentPurpose
    action: ConsentAction = ConsentAction.GRANTED
    method: ConsentMethod = ConsentMethod.STAFF
    evidence_text: str = Field("", max_length=5000, description="The exact words the customer saw or said.")
    evidence_url: str = Field("", max_length=500, description="The page where consent was given, if any.")
    occurred_at: dt.datetime | None = Field(None, description="When it was given; now when left out.")

    def grant(self, request: HttpRequest) -> ConsentGrant:
        """The event as the ledger records it, with the request's address as evidence."""
        return ConsentGrant(
            channel=self.channel,
            purpose=self.purpose,
            action=self.action,
            method=self.method,
            evidence_text=self.evidence_text,
            evidence_url=self.evidence_url,
            evidence_ip=client_ip(request),
            occurred_at=self.occurred_at,
        )


class ProfileIn(Strict):
    """Profile fields. On update, only the fields sent change; null clears a field."""

    first_name: str | None = None
    last_name: str | None = None
    preferred_name: str | None = None
    title: str | None = Field(
        None, description="How a letter addresses them: Mrs, Mr, Dr, Frau… (at most 30 characters)."
    )
    address_line1: str | None = None
    address_line2: str | None = None
    city: str | None = None
    region: str | None = None
    postal_code: str | None = None
    country: Text100 | None = Field(None, description="ISO 3166 code, like FR.")
    birthday_day: Day | None = None
    birthday_month: Month | None = None
    birthday_year: Year | None = None
    partner_id: Id | None = Field(None, description="Another customer of this store.")
    partner_name: str | None = Field(None, description="When the partner is not a customer.")
    partner_birthday_day: Day | None = None
    partner_birthday_month: Month | None = None
    partner_birthday_year: Year | None = None
    preferred_channel: Channel | None = None
    language: Text100 | None = Field(None, description="Like en, fr or pt-BR.")
    time_zone: Text100 | None = Field(None, description="Like Europe/Paris.")
    assigned_associate_id: Id | None = None
    source: Source = Source.WALK_IN

    def profile(self) -> dict[str, Any]:
        """The profile fields the client sent, as the services take them."""
        return self.model_dump(mode="json", include=set(ProfileIn.model_fields), exclude_unset=True)


class CustomerCreateIn(ProfileIn):
    phones: list[PhoneIn] = Field(default=[], max_length=20)
    emails: list[EmailIn] = Field(default=[], max_length=20)
    interests: list[InterestIn] = Field(default=[], max_length=100)
    consents: list[ConsentIn] = Field(default=[], max_length=20)
    allow_duplicate: bool = Field(False, description="Add the customer even if the phone or email is known.")

    def service_arguments(self, request: HttpRequest) -> dict[str, Any]:
        return {
            **self.profile(),
            "phones": [p.model_dump() for p in self.phones],
            "emails": [e.model_dump() for e in self.emails],
            "interests": [(i.kind, i.value) for i in self.interests],
            "consents": [c.grant(request) for c in self.consents],
            "allow_duplicate": self.allow_duplicate,
        }


class CustomerUpdateIn(ProfileIn):
    """Only the fields sent change; null clears a field."""


class NoteIn(Strict):
    body: str


class ImportantDateIn(Strict):
    kind: DateKind
    label: str = Field("", description="Required for kind custom, like “First date”.")
    day: Day
    month: Month
    year: Year | None = None


class SizeIn(Strict):
    kind: SizeKind
    system: SizeSystem = Field(description="Rings: US, UK or EU; bracelets and necklaces: cm or in.")
    value: str = Field(max_length=20)
    note: str = Field("", description="Like “left ring finger”.")

    def field_name(self, name: str) -> str:
        """The services report a size as a whole (``size``): name the part that is wrong."""
        if name != "size":
            return name
        return "value" if self.system in SIZE_SYSTEMS.get(self.kind, ()) else "system"


class PurchaseItemIn(Strict):
    description: str
    sku: str = ""
    quantity: int = Field(1, ge=1, le=10_000)


class PurchaseIn(Strict):
    purchased_on: dt.date
    items: list[PurchaseItemIn] = Field(max_length=100)
    amount: Decimal = Field(description="Up to two decimals, like 1250.00.")
    currency: Annotated[str, Field(max_length=3)] | None = Field(None, description="The store's currency if left out.")
    associate_id: Id | None = None
    external_id: str = Field("", description="The point-of-sale's order number.")

    def service_arguments(self) -> dict[str, Any]:
        return {**self.model_dump(exclude={"items"}), "items": [item.model_dump() for item in self.items]}


class CustomerFilters(Schema):
    """The list's filters (customers/filtering.py checks them and names every bad one)."""

    q: str = Field("", max_length=200, description="Name (accents optional), phone in any format, or email.")
    interest: list[str] = Field(
        [],
        description=(
            "Repeatable or a comma list, at most 10: customers with an interest matching any of them. A term matches an "
            "interest whose value holds it as a word or the start of one, accents and case aside (`gold` "
            "finds Yellow gold and Rose gold, `sapph` finds Sapphire), and a simple English plural matches "
            "its singular and back (`pearls` finds Pearl, `pearl` finds Pearls). `kind:term` keeps to one "
            "kind (metal, stone, style, designer or free): `metal:gold`; in a comma list it carries over to the terms "
            "after it that name no kind (`metal:gold,silver`: both metals). Segments store the same terms, each with "
            "its kind."
        ),
    )
    date: str | None = Field(
        None, description="birthday, partner_birthday, anniversary, wedding, engagement or any; needs `within`."
    )
    within: str | None = Field(None, description="Days ahead (0-365), in each customer's own time zone.")
    associate: str | None = Field(None, description="The assigned associate's user id, or `unassigned`.")
    contact_older_than: str | None = Field(
        None, description="Days since the last contact; a customer never contacted counts from when they were added."
    )
    spend_min: str | None = Field(None, description="Lowest lifetime spend, in the store's currency.")
    spend_max: str | None = Field(None, description="Highest lifetime spend, in the store's currency.")
    source: str | None = Field(None, description="How we met: " + ", ".join(Source.values))
    consent: str | None = Field(None, description="sms, email or whatsapp: may be sent marketing there now.")
    sort: str | None = Field(
        None,
        description=(
            "name, newest, spend, last_purchase, last_contact, or soonest: the next date of the `date` "
            "filter's kind first, in each customer's own calendar, then by id (only with `date`/`within`). "
            "Default: best match with q, else soonest with a date filter, else name."
        ),
    )


class CustomerListParams(CustomerFilters):
    cursor: str | None = Field(None, max_length=1000)
    limit: int = Field(25, ge=1, le=100)


class PageParams(Schema):
    cursor: str | None = Field(None, max_length=1000)
    limit: int = Field(25, ge=1, le=100)


class TimelineParams(Schema):
    limit: int = Field(50, ge=1, le=100)


# ---- output -------------------------------------------------------------------------------


class StaffRef(Schema):
    id: int
    name: str


def staff_ref(user: Any) -> StaffRef | None:
    return StaffRef(id=user.pk, name=str(user)) if user is not None else None


def money(amount: Any) -> str:
    return str(Decimal(amount).quantize(Decimal("0.01")))


class PhoneOut(Schema):
    id: int
    number: str = Field(description="E.164, like +19145550142.")
    label: str
    is_primary: bool


def phone_out(phone: CustomerPhone) -> PhoneOut:
    return PhoneOut(id=phone.pk, number=phone.e164, label=phone.label, is_primary=phone.is_primary)


class EmailOut(Schema):
    id: int
    address: str
    label: str
    is_primary: bool


def email_out(email: CustomerEmail) -> EmailOut:
    return EmailOut(id=email.pk, address=email.address, label=email.label, is_primary=email.is_primary)


class ImportantDateOut(Schema):
    id: int
    kind: str
    label: str
    day: int
    month: int
    year: int | None


def important_date_out(d: ImportantDate) -> ImportantDateOut:
    return ImportantDateOut(id=d.pk, kind=d.kind, label=d.label, day=d.day, month=d.month, year=d.year)


class InterestOut(Schema):
    id: int
    kind: str
    value: str


def interest_out(interest: Interest) -> InterestOut:
    return InterestOut(id=interest.pk, kind=interest.kind, value=interest.value)


class SizeOut(Schema):
    id: int
    kind: str
    system: str
    value: str
    note: str


def size_out(size: Size) -> SizeOut:
    return SizeOut(id=size.pk, kind=size.kind, system=size.system, value=size.value, note=size.note)


class NoteOut(Schema):
    id: int
    body: str
    author: StaffRef | None
    created_at: dt.datetime


def note_out(note: Note) -> NoteOut:
    return NoteOut(id=note.pk, body=note.body, author=staff_ref(note.author), created_at=note.created_at)


class PurchaseItemOut(Schema):
    description: str
    sku: str
    quantity: int


class PurchaseOut(Schema):
    id: int
    purchased_on: dt.date
    items: list[PurchaseItemOut]
    amount: str = Field(description="A decimal string, like 1250.00.")
    currency: str
    associate_id: int | None
    external_id: str
    created_at: dt.datetime


def purchase_out(p: Purchase) -> PurchaseOut:
    return PurchaseOut(
        id=p.pk,
        purchased_on=p.purchased_on,
        items=[PurchaseItemOut(**item) for item in p.items],
        amount=money(p.amount),
        currency=p.currency,
        associate_id=p.associate_id,
        external_id=p.external_id,
        created_at=p.created_at,
    )


class ConsentEventOut(Schema):
    id: int
    channel: str
    purpose: str
    action: str
    occurred_at: dt.datetime
    method: str
    evidence_text: str
    evidence_url: str
    evidence_ip: str | None
    staff: StaffRef | None
    recorded_at: dt.datetime


def consent_event_out(e: ConsentEvent) -> ConsentEventOut:
    return ConsentEventOut(
        id=e.pk,
        channel=e.channel,
        purpose=e.purpose,
        action=e.action,
        occurred_at=e.occurred_at,
        method=e.method,
        evidence_text=e.evidence_text,
        evidence_url=e.evidence_url,
        evidence_ip=e.evidence_ip,
        staff=staff_ref(e.staff_user),
        recorded_at=e.recorded_at,
    )


class ConsentStateOut(Schema):
    channel: str
    purpose: str
    granted: bool
    since: dt.datetime | None = Field(description="When the deciding event happened; null when none was recorded.")


class CompletenessOut(Schema):
    score: int = Field(ge=0, le=100)
    missing: list[str]


class CustomerOut(Schema):
    id: int
    display_name: str
    first_name: str
    last_name: str
    preferred_name: str
    title: str
    address_line1: str
    address_line2: str
    city: str
    region: str
    postal_code: str
    country: str
    birthday_day: int | None
    birthday_month: int | None
    birthday_year: int | None
    partner_id: int | None
    partner_name: str
    partner_birthday_day: int | None
    partner_birthday_month: int | None
    partner_birthday_year: int | None
    preferred_channel: str | None
    language: str
    time_zone: str
    assigned_associate: StaffRef | None
    source: str
    phones: list[PhoneOut]
    emails: list[EmailOut]
    important_dates: list[ImportantDateOut]
    interests: list[InterestOut]
    sizes: list[SizeOut]
    consent: list[ConsentStateOut] = Field(description="Current consent per channel and purpose, from the ledger.")
    lifetime_spend: str = Field(description="Purchases in the store's currency, a decimal string.")
    currency: str
    purchase_count: int
    last_purchase_on: dt.date | None
    completeness: CompletenessOut
    created_at: dt.datetime
    updated_at: dt.datetime


_PROFILE_COPIED = [
    "first_name",
    "last_name",
    "preferred_name",
    "title",
    "address_line1",
    "address_line2",
    "city",
    "region",
    "postal_code",
    "country",
    "birthday_day",
    "birthday_month",
    "birthday_year",
    "partner_id",
    "partner_name",
    "partner_birthday_day",
    "partner_birthday_month",
    "partner_birthday_year",
    "language",
    "time_zone",
    "source",
    "purchase_count",
    "last_purchase_on",
    "created_at",
    "updated_at",
]


def customer_out(customer: Customer, *, currency: str) -> CustomerOut:
    """Everything about one customer, read the way the profile page reads it."""
    profile = customer_profile(customer=customer)
    return CustomerOut(
        id=customer.pk,
        display_name=customer.display_name,
        **{name: getattr(customer, name) for name in _PROFILE_COPIED},
        preferred_channel=customer.preferred_channel or None,
        assigned_associate=staff_ref(customer.assigned_associate),
        phones=[phone_out(p) for p in profile.phones],
        emails=[email_out(e) for e in profile.emails],
        important_dates=[important_date_out(d) for d in profile.important_dates],
        interests=[interest_out(i) for i in profile.interests],
        sizes=[size_out(s) for s in profile.sizes],
        consent=[
            ConsentStateOut(
                channel=s.channel, purpose=s.purpose, granted=s.granted, since=s.event.occurred_at if s.event else None
            )
            for s in profile.consent
        ],
        lifetime_spend=money(customer.lifetime_spend),
        currency=currency,
        completeness=CompletenessOut(score=profile.completeness.score, missing=profile.completeness.missing),
    )


class ComingDateOut(Row):
    kind: str = Field(
        description="birthday, partner_birthday (the partner's, noted here or their own as a customer), "
        "anniversary, wedding, engagement or custom."
    )
    label: str = Field(description="A custom date's own name (“First date”); empty for the other kinds.")
    date: dt.date = Field(description="The next day it falls on, in the customer's own time zone (else the store's).")
    days_until: int = Field(description="Days from the customer's today to `date`: 0 today, 1 tomorrow.")
    years: int | None = Field(
        description="How many years it marks on `date` (25 for a 25th anniversary) when its year is known; "
        "null for birthdays and dates without a year."
    )


def coming_date_out(found: ComingDate) -> dict[str, Any]:
    return {
        "kind": found.kind,
        "label": found.label,
        "date": found.on,
        "days_until": found.days,
        "years": found.years,
    }


class CustomerSummaryOut(Row):
    id: int
    display_name: str
    first_name: str
    last_name: str
    preferred_name: str
    phone: str | None = Field(description="The primary phone, E.164.")
    email: str | None = Field(description="The primary email.")
    assigned_associate_id: int | None
    source: str
    lifetime_spend: str
    currency: str
    purchase_count: int
    last_purchase_on: dt.date | None
    coming_dates: list[ComingDateOut] | None = Field(
        None,
        description=(
            "With a date filter (`date` and `within`): the customer's dates of that kind falling within "
            "the window, soonest first (the first is what `sort=soonest` orders by). Null without one."
        ),
    )


def customer_summary_out(
    customer: Customer, *, currency: str, coming: list[ComingDate] | None = None
) -> CustomerSummaryOut:
    """A row of the list: reads phones and emails from ``customers_with_contacts``, never one query per row."""
    phones, emails = customer.phone_list, customer.email_list  # type: ignore[attr-defined]
    return CustomerSummaryOut(
        id=customer.pk,
        display_name=customer.display_name,
        first_name=customer.first_name,
        last_name=customer.last_name,
        preferred_name=customer.preferred_name,
        phone=phones[0].e164 if phones else None,
        email=emails[0].address if emails else None,
        assigned_associate_id=customer.assigned_associate_id,
        source=customer.source,
        lifetime_spend=money(customer.lifetime_spend),
        currency=currency,
        purchase_count=customer.purchase_count,
        last_purchase_on=customer.last_purchase_on,
        coming_dates=None if coming is None else [ComingDateOut(**coming_date_out(d)) for d in coming],
    )


class CountOut(Schema):
    count: int


SUMMARY_COLUMNS = (
    "id",
    "first_name",
    "last_name",
    "preferred_name",
    "assigned_associate_id",
    "source",
    "lifetime_spend",
    "purchase_count",
    "last_purchase_on",
    "sort_name",
)


def customer_summary_row(row: dict[str, Any], *, currency: str, phone_region: str = "") -> dict[str, Any]:
    """A row of the list from ``selectors.customer_summaries`` (plain values): the same fields as
    ``customer_summary_out``, left for django-ninja to validate once, on the way out."""
    return {
        "id": row["id"],
        "display_name": summary_display_name(row, phone_region),
        "first_name": row["first_name"],
        "last_name": row["last_name"],
        "preferred_name": row["preferred_name"],
        "phone": row["primary_phone"],
        "email": row["primary_email"],
        "assigned_associate_id": row["assigned_associate_id"],
        "source": row["source"],
        "lifetime_spend": money(row["lifetime_spend"]),
        "currency": currency,
        "purchase_count": row["purchase_count"],
        "last_purchase_on": row["last_purchase_on"],
    }


class CustomerPage(Page):
    items: list[CustomerSummaryOut]


class NotePage(Page):
    items: list[NoteOut]


class PurchasePage(Page):
    items: list[PurchaseOut]


class ConsentEventPage(Page):
    items: list[ConsentEventOut]


class ImportantDateList(Schema):
    items: list[ImportantDateOut]


class InterestList(Schema):
    items: list[InterestOut]


class SizeList(Schema):
    items: list[SizeOut]


class TimelineEntryOut(Schema):
    at: dt.datetime
    kind: str = Field(description="note, purchase, consent, edit, created; later apps add their own.")
    actor: StaffRef | None
    object_id: int | None
    data: dict[str, Any]


class Timeline(Schema):
    items: list[TimelineEntryOut]


def _plain(value: Any) -> Any:
    if isinstance(value, Promise):
        return str(value)
    if isinstance(value, Mapping):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    if isinstance(value, dt.date):  # and datetimes
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    return value


def _entry_data(entry: TimelineEntry) -> dict[str, Any]:
    obj = entry.obj
    if isinstance(obj, Note):
        return {"body": obj.body}
    if isinstance(obj, Purchase):
        return {
            "purchased_on": obj.purchased_on,
            "amount": money(obj.amount),
            "currency": obj.currency,
            "items": obj.items,
        }
    if isinstance(obj, ConsentEvent):
        return {"channel": obj.channel, "purpose": obj.purpose, "action": obj.action, "method": obj.method}
    if isinstance(obj, CustomerEdit):
        return {"changes": obj.changes}
    return {}


def timeline_entry_out(entry: TimelineEntry) -> TimelineEntryOut:
    return TimelineEntryOut(
        at=entry.at,
        kind=entry.kind,
        actor=staff_ref(entry.actor),
        object_id=getattr(entry.obj, "pk", None),
        data=_plain({**_entry_data(entry), **entry.extra}),
    )
