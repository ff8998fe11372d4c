"""Writes to the customer book. Every change to a customer goes through a function here."""

from __future__ import annotations

import contextlib
import datetime as dt
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

import phonenumbers
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Count, Max, Q, Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from trunkshow.core.templatetags.trunkshow import store_day
from trunkshow.core.validation import choice_values
from trunkshow.customers import validation as v
from trunkshow.customers.interests import interest_words
from trunkshow.customers.models import (
    NAMELESS_SORT,
    Channel,
    ConsentAction,
    ConsentEvent,
    ConsentMethod,
    ConsentPurpose,
    CurrentConsent,
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
    Source,
)
from trunkshow.customers.selectors import customers_sharing_contacts
from trunkshow.customers.suppression import suppressed_since
from trunkshow.stores.models import Membership, Role, Store

MAX_NOTE = 10_000
# What Customer.lifetime_spend (14 digits, 2 after the point) can hold.
MAX_LIFETIME_SPEND = Decimal("999999999999.99")


class DuplicateCustomer(Exception):
    """The phone or email already belongs to a customer of this store."""

    def __init__(self, existing: Sequence[Customer]) -> None:
        super().__init__("A customer with this phone or email already exists")
        self.existing = list(existing)


@dataclass(frozen=True)
class ConsentGrant:
    channel: str
    purpose: str
    action: str = ConsentAction.GRANTED
    method: str = ConsentMethod.STAFF
    evidence_text: str = ""
    evidence_url: str = ""
    evidence_ip: str | None = None
    occurred_at: dt.datetime | None = None


@dataclass
class _Errors:
    """Collects every field's problem so a form shows them all at once."""

    messages: dict[str, list[str]] = field(default_factory=dict)

    def run(self, fn: Any, *args: Any, **kwargs: Any) -> Any:
        try:
            return fn(*args, **kwargs)
        except ValidationError as exc:
            for name, errors in exc.message_dict.items():
                self.messages.setdefault(name, []).extend(errors)
            return None

    def add(self, name: str, message: str) -> None:
        self.messages.setdefault(name, []).append(message)

    def raise_if_any(self) -> None:
        if self.messages:
            raise ValidationError(self.messages)


TEXT_FIELDS = {
    "first_name": v.MAX_NAME,
    "last_name": v.MAX_NAME,
    "preferred_name": v.MAX_NAME,
    "title": 30,
    "address_line1": 200,
    "address_line2": 200,
    "city": 100,
    "region": 100,
    "postal_code": 20,
    "partner_name": 200,
}
DATE_FIELDS = {"birthday": "birthday", "partner_birthday": "partner_birthday"}
PROFILE_FIELDS = (
    *TEXT_FIELDS,
    "country",
    "birthday_day",
    "birthday_month",
    "birthday_year",
    "partner_birthday_day",
    "partner_birthday_month",
    "partner_birthday_year",
    "partner_id",
    "preferred_channel",
    "language",
    "time_zone",
    "assigned_associate_id",
    "source",
)


def store_today(store: Store) -> dt.date:
    """The store's date now: a date a person gives (a purchase's, a birthday's) is in the future by the store's calendar."""
    return timezone.now().astimezone(store.tz).date()


def _clean_profile(store: Store, customer: Customer | None, data: Mapping[str, Any], errors: _Errors) -> dict[str, Any]:
    unknown = set(data) - set(PROFILE_FIELDS)
    for name in sorted(unknown):
        errors.add(name, _("Unknown field."))
    clean: dict[str, Any] = {}
    for name, max_length in TEXT_FIELDS.items():
        if name in data:
            clean[name] = errors.run(v.clean_text, data[name], field=name, max_length=max_length)
    if "country" in data:
        clean["country"] = errors.run(v.validate_country, data["country"] or "")
    for prefix in DATE_FIELDS:
        keys = [f"{prefix}_day", f"{prefix}_month", f"{prefix}_year"]
        if any(k in data for k in keys):
            current = [getattr(customer, k) if customer else None for k in keys]
            day, month, year = (data.get(k, cur) for k, cur in zip(keys, current, strict=True))
            if errors.run(
                v.validate_month_day, day, month, year, field=prefix, today=store_today(store)
            ) is not None or (day is None and month is None and year is None):
                clean.update({keys[0]: day, keys[1]: month, keys[2]: year})
    if "preferred_channel" in data:
        channel = data["preferred_channel"] or ""
        if channel and channel not in choice_values(Channel):
            errors.add(
                "preferred_channel",
                _("Unknown channel “%(c)s”: use %(allowed)s.") % {"c": channel, "allowed": ", ".join(Channel.values)},
            )
        else:
            clean["preferred_channel"] = channel
    if "language" in data:
        language = (data["language"] or "").strip()
        known = v.language_code(language) if language else ""
        if known is None:
            errors.add(
                "language",
                _("“%(code)s” is not a language code we know: use one such as en, fr or pt-BR.")
                % {"code": language[:20]},
            )
        else:
            clean["language"] = known
    if "time_zone" in data:
        clean["time_zone"] = errors.run(v.validate_time_zone, data["time_zone"] or "")
    if "source" in data:
        if data["source"] not in choice_values(Source):
            errors.add(
                "source",
                _("Unknown source “%(s)s”: use %(allowed)s.")
                % {"s": data["source"], "allowed": ", ".join(Source.values)},
            )
        else:
            clean["source"] = data["source"]
    if "partner_id" in data:
        partner_id = data["partner_id"]
        if partner_id is None:
            clean["partner_id"] = None
        elif customer is not None and partner_id == customer.pk:
            errors.add("partner_id", _("A customer cannot be their own partner."))
        elif not Customer.objects.filter(store=store, pk=partner_id, erased_at__isnull=True).exists():
            errors.add("partner_id", _("No customer with this id in this store."))
        else:
            clean["partner_id"] = partner_id
            # A partner who is a customer has their own name and birthday: the stand-ins go.
            clean.update(
                partner_name="", partner_birthday_day=None, partner_birthday_month=None, partner_birthday_year=None
            )
    if "assigned_associate_id" in data:
        user_id = data["assigned_associate_id"]
        if user_id is None:
            clean["assigned_associate_id"] = None
        elif not Membership.objects.filter(store=store, user_id=user_id, is_active=True).exists():
            errors.add("assigned_associate_id", _("No active staff member with this id in this store."))
        else:
            clean["assigned_associate_id"] = user_id
    return clean


def _refresh_search(
    customer: Customer, *, phones: Sequence[str] | None = None, emails: Sequence[str] | None = None
) -> None:
    """Recompute what search reads; callers that just wrote the phones and emails pass them."""
    if emails is None:
        emails = list(customer.emails.values_list("address", flat=True))
    if phones is None:
        phones = list(customer.phones.values_list("e164", flat=True))
    partner = customer.partner_name
    if customer.partner_id and not partner:
        names = Customer.objects.filter(pk=customer.partner_id).values_list("first_name", "last_name").first()
        partner = " ".join(names) if names else ""
    words = [customer.first_name, customer.last_name, customer.preferred_name, partner or "", *emails]
    digits = [v.phone_digits(p) for p in phones]
    customer.search_text = " ".join([v.fold(" ".join(w for w in words if w)), *digits]).strip()
    name = v.fold(f"{customer.last_name} {customer.first_name}".strip())[:220]
    # Someone with no name at all goes after the named in the name sort (a preferred name alone
    # keeps the empty key it always had; an erased record keeps nothing).
    nameless = not name and not customer.preferred_name and getattr(customer, "erased_at", None) is None
    customer.sort_name = NAMELESS_SORT if nameless else name


def _clean_contacts(
    store: Store, phones: Iterable[Any], emails: Iterable[Any], errors: _Errors, *, country: str = ""
) -> tuple[list[tuple[str, str]], list[tuple[str, str]]]:
    """A phone without a country code is read in the customer's country when it is valid there,
    else in the store's region (whose message is shown when it is valid in neither)."""
    regions = [store.phone_region]
    if country and country in phonenumbers.SUPPORTED_REGIONS and country != store.phone_region:
        regions.insert(0, country)
    clean_phones: list[tuple[str, str]] = []
    for i, item in enumerate(phones):
        number, label = (
            (item, PhoneLabel.MOBILE)
            if isinstance(item, str)
            else (item.get("number", ""), item.get("label") or PhoneLabel.MOBILE)
        )
        name = f"phones.{i}" if i else "phone"
        if label not in choice_values(PhoneLabel):
            errors.add(name, _("Unknown phone label “%(l)s”.") % {"l": label})
            continue
        e164 = None
        for region in regions[:-1]:
            with contextlib.suppress(ValidationError):
                e164 = v.parse_phone(number, region=region, field=name)
                break
        if e164 is None:
            e164 = errors.run(v.parse_phone, number, region=regions[-1], field=name)
        if e164 and e164 not in [p for p, _l in clean_phones]:
            clean_phones.append((e164, label))
    clean_emails: list[tuple[str, str]] = []
    for i, item in enumerate(emails):
        address, label = (
            (item, EmailLabel.PERSONAL)
            if isinstance(item, str)
            else (item.get("address", ""), item.get("label") or EmailLabel.PERSONAL)
        )
        name = f"emails.{i}" if i else "email"
        if label not in choice_values(EmailLabel):
            errors.add(name, _("Unknown email label “%(l)s”.") % {"l": label})
            continue
        normalised = errors.run(v.normalise_email, address, field=name)
        if normalised and normalised not in [e for e, _l in clean_emails]:
            clean_emails.append((normalised, label))
    return clean_phones, clean_emails


def _refuse_erased(
    store: Store, phones: Sequence[str], emails: Sequence[str], errors: _Errors, *, names: Sequence[str] = ()
) -> None:
    """A phone or email of a customer erased at their request is never typed back in by hand (ADR 0006,
    amendment "suppressed by hand"): each is refused with the day of the erasure, and nothing else of
    that customer is said. ``names`` are the fields the values are reported under, in their order."""
    since = suppressed_since(store=store, phones=phones, emails=emails)
    if not since:
        return
    for i, value in enumerate([*phones, *emails]):
        if value not in since:
            continue
        phone = i < len(phones)
        name = names[i] if i < len(names) else ("phone" if phone else "email")
        message = (
            _("This number belonged to a customer erased on %(date)s at their request, so it cannot be added again.")
            if phone
            else _(
                "This email address belonged to a customer erased on %(date)s at their request, so it cannot be "
                "added again."
            )
        )
        errors.add(name, message % {"date": store_day(store, since[value])})


def customer_duplicates(
    *, store: Store, phones: Iterable[str], emails: Iterable[str], exclude_id: int | None = None
) -> list[Customer]:
    """Customers of the store who already have one of these (normalised) phones or emails."""
    shared = customers_sharing_contacts(store=store, phones=phones, emails=emails, exclude_id=exclude_id)
    return [s.customer for s in shared]


def _clean_consents(consents: Sequence[ConsentGrant], errors: _Errors) -> None:
    for i, grant in enumerate(consents):
        _check_consent(grant, errors, f"consents.{i}")


def _check_consent(grant: ConsentGrant, errors: _Errors, name: str) -> None:
    if grant.channel not in choice_values(Channel):
        errors.add(
            name,
            _("Unknown channel “%(c)s”: use %(allowed)s.") % {"c": grant.channel, "allowed": ", ".join(Channel.values)},
        )
    if grant.purpose not in choice_values(ConsentPurpose):
        errors.add(name, _("Unknown purpose “%(p)s”: use marketing or service.") % {"p": grant.purpose})
    if grant.action not in choice_values(ConsentAction):
        errors.add(name, _("Unknown action “%(a)s”: use granted or withdrawn.") % {"a": grant.action})
    if grant.method not in choice_values(ConsentMethod):
        errors.add(
            name,
            _("Unknown method “%(m)s”: use %(allowed)s.")
            % {"m": grant.method, "allowed": ", ".join(ConsentMethod.values)},
        )
    # Evidence is kept exactly as shown; it is only checked to be storable text of a sane size.
    if len(grant.evidence_text) > 5000:
        errors.add(name, _("The evidence text has at most 5000 characters."))
    else:
        errors.run(v.clean_text, grant.evidence_text, field=name, max_length=5000, multiline=True)
    if len(grant.evidence_url) > 500:
        errors.add(name, _("The evidence page address has at most 500 characters."))
    else:
        errors.run(v.clean_text, grant.evidence_url, field=name, max_length=500)
    at = grant.occurred_at
    if at is not None:
        if timezone.is_naive(at):
            errors.add(name, _("Give the time of consent with its time zone, like 2025-03-01T14:30:00+01:00."))
        elif at.year < 1970 or at.year > 9998:
            errors.add(name, _("Consent cannot be dated before 1970."))
        elif at > timezone.now() + dt.timedelta(minutes=5):
            errors.add(name, _("Consent cannot be recorded for a time in the future."))


def customer_associate_default(*, membership: Membership) -> Any | None:
    """Who a customer added by hand (quick add, the API) is assigned to when nobody was chosen: the
    associate who added them, who met them and will follow up; an owner's or a manager's addition
    stays unassigned (they add people on behalf of the shop, and choose an associate on the profile)."""
    return membership.user if membership.role == Role.ASSOCIATE else None


@transaction.atomic
def customer_create(
    *,
    store: Store,
    actor: Any,
    phones: Sequence[Any] = (),
    emails: Sequence[Any] = (),
    consents: Sequence[ConsentGrant] = (),
    interests: Sequence[tuple[str, str]] = (),
    allow_duplicate: bool = False,
    their_own_contact: bool = False,
    **profile: Any,
) -> Customer:
    """``their_own_contact``: the person wrote in from these themselves (a text, an email, the web chat),
    so an erased customer's phone or email is not refused (ADR 0006, "suppressed by hand")."""
    errors = _Errors()
    clean = _clean_profile(store, None, profile, errors)
    clean_phones, clean_emails = _clean_contacts(store, phones, emails, errors, country=clean.get("country") or "")
    if not their_own_contact:
        _refuse_erased(
            store,
            [p for p, _l in clean_phones],
            [e for e, _l in clean_emails],
            errors,
            names=[
                *(f"phones.{i}" if i else "phone" for i in range(len(clean_phones))),
                *(f"emails.{i}" if i else "email" for i in range(len(clean_emails))),
            ],
        )
    _clean_consents(consents, errors)
    for i, (kind, value) in enumerate(interests):
        errors.run(_clean_interest, kind, value, field=f"interests.{i}")
    # Someone who texts or writes in before saying who they are is a customer without a name
    # (pages call them by their number); everyone else is added with one.
    # (A number given but not valid is reported as that alone.)
    known_by_contact = clean.get("source") == Source.CHAT and bool(phones or emails)
    if not (clean.get("first_name") or clean.get("last_name") or known_by_contact) and (
        "first_name" not in errors.messages
    ):
        errors.add("first_name", _("Enter a first or last name."))
    errors.raise_if_any()
    if not allow_duplicate:
        existing = customer_duplicates(
            store=store, phones=[p for p, _l in clean_phones], emails=[e for e, _l in clean_emails]
        )
        if existing:
            raise DuplicateCustomer(existing)
    customer = Customer(store=store, created_by=actor if getattr(actor, "pk", None) else None, **clean)
    _refresh_search(customer, phones=[p for p, _l in clean_phones], emails=[e for e, _l in clean_emails])
    customer.save()
    # A new customer has nothing yet: each kind of row is written in one statement.
    CustomerPhone.objects.bulk_create(
        CustomerPhone(store=store, customer=customer, e164=e164, label=label, is_primary=i == 0)
        for i, (e164, label) in enumerate(clean_phones)
    )
    CustomerEmail.objects.bulk_create(
        CustomerEmail(store=store, customer=customer, address=address, label=label, is_primary=i == 0)
        for i, (address, label) in enumerate(clean_emails)
    )
    new_interests: dict[tuple[str, str], Interest] = {}
    for kind, value in interests:
        kind, text = _clean_interest(kind, value)
        new_interests.setdefault(
            (kind, v.fold(text)),
            Interest(
                store=store,
                customer=customer,
                kind=kind,
                value=text,
                value_key=v.fold(text),
                value_words=interest_words(text),
            ),
        )
    Interest.objects.bulk_create(new_interests.values())
    consent_events_add(store=store, actor=actor, customer=customer, grants=consents)
    _link_partner(customer)
    return customer


def _link_partner(customer: Customer) -> None:
    """Partners point at each other when the other has nobody recorded yet."""
    if customer.partner_id:
        other = Customer.objects.filter(pk=customer.partner_id, partner__isnull=True, partner_name="").first()
        if other is not None:
            other.partner = customer
            _refresh_search(other)
            other.save(update_fields=["partner", "search_text", "sort_name"])


def _display(value: Any) -> Any:
    if isinstance(value, Decimal | dt.date):
        return str(value)
    return value


@transaction.atomic
def customer_update(*, store: Store, actor: Any, customer: Customer, data: Mapping[str, Any]) -> Customer:
    """Change profile fields; every change is recorded for the timeline."""
    errors = _Errors()
    clean = _clean_profile(store, customer, data, errors)
    if ("first_name" in clean or "last_name" in clean) and not (
        clean.get("first_name", customer.first_name) or clean.get("last_name", customer.last_name)
    ):
        errors.add("first_name", _("Enter a first or last name."))
    errors.raise_if_any()
    locked = Customer.objects.select_for_update().get(pk=customer.pk)
    changes = {}
    for name, value in clean.items():
        old = getattr(locked, name)
        if old != value:
            changes[name] = [_display(old), _display(value)]
            setattr(locked, name, value)
    if changes:
        locked.updated_at = timezone.now()
        _refresh_search(locked)
        locked.save()
        CustomerEdit.objects.create(store=store, customer=locked, actor=_user(actor), changes=changes)
        if "partner_id" in changes:
            _link_partner(locked)
    return locked


def _user(actor: Any) -> Any:
    return actor if getattr(actor, "pk", None) else None


def _touch(customer: Customer) -> None:
    _refresh_search(customer)
    customer.updated_at = timezone.now()
    customer.save(update_fields=["search_text", "sort_name", "updated_at"])


@transaction.atomic
def customer_phone_add(
    *, store: Store, actor: Any, customer: Customer, number: str, label: str = PhoneLabel.MOBILE
) -> CustomerPhone:
    errors = _Errors()
    (phones, _emails) = _clean_contacts(
        store, [{"number": number, "label": label}], [], errors, country=customer.country
    )
    errors.raise_if_any()
    _refuse_erased(store, [phones[0][0]], [], errors)
    errors.raise_if_any()
    e164, label = phones[0]
    if customer.phones.filter(e164=e164).exists():
        raise ValidationError({"phone": _("This customer already has %(n)s.") % {"n": e164}})
    phone = CustomerPhone.objects.create(
        store=store, customer=customer, e164=e164, label=label, is_primary=not customer.phones.exists()
    )
    CustomerEdit.objects.create(store=store, customer=customer, actor=_user(actor), changes={"phone": [None, e164]})
    _touch(customer)
    return phone


@transaction.atomic
def customer_phone_remove(*, store: Store, actor: Any, phone: CustomerPhone) -> None:
    customer = phone.customer
    CustomerEdit.objects.create(
        store=store, customer=customer, actor=_user(actor), changes={"phone": [phone.e164, None]}
    )
    phone.delete()
    if not customer.phones.filter(is_primary=True).exists():
        first = customer.phones.first()
        if first:
            CustomerPhone.objects.filter(pk=first.pk).update(is_primary=True)
    _touch(customer)


@transaction.atomic
def customer_email_add(
    *, store: Store, actor: Any, customer: Customer, address: str, label: str = EmailLabel.PERSONAL
) -> CustomerEmail:
    errors = _Errors()
    (_phones, emails) = _clean_contacts(store, [], [{"address": address, "label": label}], errors)
    errors.raise_if_any()
    _refuse_erased(store, [], [emails[0][0]], errors)
    errors.raise_if_any()
    normalised, label = emails[0]
    if customer.emails.filter(address=normalised).exists():
        raise ValidationError({"email": _("This customer already has %(e)s.") % {"e": normalised}})
    email = CustomerEmail.objects.create(
        store=store, customer=customer, address=normalised, label=label, is_primary=not customer.emails.exists()
    )
    CustomerEdit.objects.create(
        store=store, customer=customer, actor=_user(actor), changes={"email": [None, normalised]}
    )
    _touch(customer)
    return email


@transaction.atomic
def customer_email_remove(*, store: Store, actor: Any, email: CustomerEmail) -> None:
    customer = email.customer
    CustomerEdit.objects.create(
        store=store, customer=customer, actor=_user(actor), changes={"email": [email.address, None]}
    )
    email.delete()
    if not customer.emails.filter(is_primary=True).exists():
        first = customer.emails.first()
        if first:
            CustomerEmail.objects.filter(pk=first.pk).update(is_primary=True)
    _touch(customer)


def note_create(*, store: Store, actor: Any, customer: Customer, body: str) -> Note:
    text = v.clean_text(body, field="body", max_length=MAX_NOTE, multiline=True)
    if not text:
        raise ValidationError({"body": _("Write something in the note.")})
    return Note.objects.create(store=store, customer=customer, author=_user(actor), body=text)


def important_date_create(
    *,
    store: Store,
    actor: Any,
    customer: Customer,
    kind: str,
    day: int | None,
    month: int | None,
    year: int | None = None,
    label: str = "",
) -> ImportantDate:
    errors = _Errors()
    if kind not in choice_values(DateKind):
        errors.add(
            "kind",
            _("Unknown date kind “%(k)s”: use %(allowed)s.") % {"k": kind, "allowed": ", ".join(DateKind.values)},
        )
    label = errors.run(v.clean_text, label, field="label", max_length=100) or ""
    if kind == DateKind.CUSTOM and not label and "label" not in errors.messages:
        errors.add("label", _("Name the date (for example “First date”)."))
    checked = errors.run(v.validate_month_day, day, month, year, field="date", today=store_today(store))
    if checked is None and "date" not in errors.messages:
        errors.add("date", _("Give the day and the month."))
    errors.raise_if_any()
    assert day is not None and month is not None
    important = ImportantDate.objects.create(
        store=store, customer=customer, kind=kind, label=label, day=day, month=month, year=year
    )
    CustomerEdit.objects.create(
        store=store,
        customer=customer,
        actor=_user(actor),
        changes={
            "important_date": [None, f"{label or DateKind(kind).label} {day}/{month}" + (f"/{year}" if year else "")]
        },
    )
    return important


@transaction.atomic
def important_date_delete(*, store: Store, actor: Any, important_date: ImportantDate) -> None:
    d = important_date
    CustomerEdit.objects.create(
        store=store,
        customer=d.customer,
        actor=_user(actor),
        changes={
            "important_date": [
                f"{d.label or DateKind(d.kind).label} {d.day}/{d.month}" + (f"/{d.year}" if d.year else ""),
                None,
            ]
        },
    )
    d.delete()


def _clean_interest(kind: str, value: str, *, field: str = "interest") -> tuple[str, str]:
    if kind not in choice_values(InterestKind):
        raise ValidationError(
            {
                field: _("Unknown interest kind “%(k)s”: use %(allowed)s.")
                % {"k": kind, "allowed": ", ".join(InterestKind.values)}
            }
        )
    text = v.clean_text(value, field=field, max_length=60)
    if not text:
        raise ValidationError({field: _("Name the interest (for example “sapphire”).")})
    return kind, text


def _interest_insert(store: Store, customer: Customer, kind: str, text: str) -> tuple[Interest, bool]:
    key = v.fold(text)
    existing = customer.interests.filter(kind=kind, value_key=key).first()
    if existing:
        return existing, False
    interest = Interest.objects.create(
        store=store, customer=customer, kind=kind, value=text, value_key=key, value_words=interest_words(text)
    )
    return interest, True


@transaction.atomic
def interest_add(*, store: Store, actor: Any, customer: Customer, kind: str, value: str) -> Interest:
    kind, text = _clean_interest(kind, value)
    interest, created = _interest_insert(store, customer, kind, text)
    if created:
        CustomerEdit.objects.create(
            store=store, customer=customer, actor=_user(actor), changes={"interest": [None, f"{kind}: {text}"]}
        )
    return interest


@transaction.atomic
def interest_remove(*, store: Store, actor: Any, interest: Interest) -> None:
    CustomerEdit.objects.create(
        store=store,
        customer=interest.customer,
        actor=_user(actor),
        changes={"interest": [f"{interest.kind}: {interest.value}", None]},
    )
    interest.delete()


def size_add(
    *, store: Store, actor: Any, customer: Customer, kind: str, system: str, value: str, note: str = ""
) -> Size:
    kind, system, clean_value = v.validate_size(kind, system, value)
    note = v.clean_text(note, field="note", max_length=100)
    size = Size.objects.create(store=store, customer=customer, kind=kind, system=system, value=clean_value, note=note)
    CustomerEdit.objects.create(
        store=store, customer=customer, actor=_user(actor), changes={"size": [None, f"{kind} {system} {clean_value}"]}
    )
    return size


@transaction.atomic
def size_remove(*, store: Store, actor: Any, size: Size) -> None:
    CustomerEdit.objects.create(
        store=store,
        customer=size.customer,
        actor=_user(actor),
        changes={"size": [f"{size.kind} {size.system} {size.value}", None]},
    )
    size.delete()


@transaction.atomic
def purchase_create(
    *,
    store: Store,
    actor: Any,
    customer: Customer,
    purchased_on: dt.date,
    items: Sequence[Mapping[str, Any]],
    amount: Any,
    currency: str | None = None,
    associate_id: int | None = None,
    external_id: str = "",
) -> Purchase:
    errors = _Errors()
    clean_amount = errors.run(v.validate_amount, amount)
    clean_currency = errors.run(v.validate_currency, currency or store.currency)
    today = store_today(store)
    if purchased_on > today:
        errors.add("purchased_on", _("The purchase date is in the future."))
    if purchased_on.year < 1900:
        errors.add("purchased_on", _("The purchase date must be 1900 or later."))
    clean_items = []
    if not items:
        errors.add("items", _("List at least one item."))
    if len(items) > 100:
        errors.add("items", _("A purchase has at most 100 items."))
    for i, item in enumerate(items[:100]):
        description = errors.run(
            v.clean_text, item.get("description", ""), field=f"items.{i}.description", max_length=200
        )
        sku = errors.run(v.clean_text, item.get("sku", "") or "", field=f"items.{i}.sku", max_length=60)
        quantity = item.get("quantity", 1)
        if not description and f"items.{i}.description" not in errors.messages:
            errors.add(f"items.{i}.description", _("Describe the item."))
        if not isinstance(quantity, int) or isinstance(quantity, bool) or not 1 <= quantity <= 10_000:
            errors.add(f"items.{i}.quantity", _("The quantity is a whole number from 1 to 10000."))
        clean_items.append({"description": description, "sku": sku or "", "quantity": quantity})
    external_id = errors.run(v.clean_text, external_id, field="external_id", max_length=100) or ""
    if associate_id is not None and not Membership.objects.filter(store=store, user_id=associate_id).exists():
        errors.add("associate_id", _("No staff member with this id in this store."))
    if clean_amount is not None and clean_currency == store.currency:
        spend = Customer.objects.filter(pk=customer.pk).values_list("lifetime_spend", flat=True).first() or 0
        if spend + clean_amount > MAX_LIFETIME_SPEND:
            errors.add(
                "amount",
                _(
                    "This purchase would take the customer's lifetime spend past what the book can hold; check the amount."
                ),
            )
    errors.raise_if_any()
    purchase = Purchase.objects.create(
        store=store,
        customer=customer,
        purchased_on=purchased_on,
        items=clean_items,
        amount=clean_amount,
        currency=clean_currency,
        associate_id=associate_id,
        external_id=external_id,
        created_by=_user(actor),
    )
    _refresh_totals(store, customer)
    _note_contact(customer, _purchase_moment(store, purchased_on, today))
    return purchase


def _purchase_moment(store: Store, purchased_on: dt.date, today: dt.date) -> dt.datetime:
    """When a sale put us in touch: now for today's, midday in the store for an earlier one."""
    if purchased_on >= today:
        return timezone.now()
    return dt.datetime.combine(purchased_on, dt.time(12), tzinfo=store.tz)


def _note_contact(customer: Customer, at: dt.datetime) -> None:
    """A sale is contact (the "no contact for N days" filter reads it); never moved backwards."""
    Customer.objects.filter(pk=customer.pk).filter(Q(last_contact_at__isnull=True) | Q(last_contact_at__lt=at)).update(
        last_contact_at=at
    )
    latest = Customer.objects.filter(pk=customer.pk).values_list("last_contact_at", flat=True).first()
    customer.last_contact_at = latest


def _refresh_totals(store: Store, customer: Customer) -> None:
    """Lifetime spend counts purchases in the store's currency; the count and last date count all."""
    totals = Purchase.objects.filter(customer=customer).aggregate(
        count=Count("id"), last=Max("purchased_on"), spend=Sum("amount", filter=Q(currency=store.currency))
    )
    customer.lifetime_spend = (totals["spend"] or Decimal("0")) + customer.imported_spend
    customer.purchase_count = totals["count"]
    customer.last_purchase_on = totals["last"]
    Customer.objects.filter(pk=customer.pk).update(
        lifetime_spend=customer.lifetime_spend,
        purchase_count=customer.purchase_count,
        last_purchase_on=customer.last_purchase_on,
    )


@transaction.atomic
def consent_events_add(
    *, store: Store, actor: Any, customer: Customer, grants: Sequence[ConsentGrant]
) -> list[ConsentEvent]:
    """Append checked grants to the ledger and bring CurrentConsent up to date with them.

    The latest event by occurrence decides, so a back-dated event (an import) does not
    override a newer one already in the ledger.
    """
    if not grants:
        return []
    events = ConsentEvent.objects.bulk_create(_consent_row(store, customer, actor, grant) for grant in grants)
    if not all(e.pk for e in events):  # backends without RETURNING: read the ids back
        events = list(ConsentEvent.objects.filter(customer=customer).order_by("-id")[: len(events)])[::-1]
    pairs = {(e.channel, e.purpose) for e in events}
    latest: dict[tuple[str, str], ConsentEvent] = {}
    for row in ConsentEvent.objects.filter(
        customer=customer, channel__in={c for c, _p in pairs}, purpose__in={p for _c, p in pairs}
    ).order_by("occurred_at", "id"):
        latest[(row.channel, row.purpose)] = row
    for (channel, purpose), row in latest.items():
        if (channel, purpose) not in pairs:
            continue
        CurrentConsent.objects.update_or_create(
            customer=customer,
            channel=channel,
            purpose=purpose,
            defaults={"store": store, "granted": row.action == ConsentAction.GRANTED, "event": row},
        )
    return events


def _consent_row(store: Store, customer: Customer, actor: Any, grant: ConsentGrant) -> ConsentEvent:
    return ConsentEvent(
        store=store,
        customer=customer,
        channel=grant.channel,
        purpose=grant.purpose,
        action=grant.action,
        occurred_at=grant.occurred_at or timezone.now(),
        method=grant.method,
        evidence_text=grant.evidence_text,
        evidence_url=grant.evidence_url,
        evidence_ip=grant.evidence_ip,
        staff_user=_user(actor),
    )


@transaction.atomic
def consent_record(*, store: Store, actor: Any, customer: Customer, grant: ConsentGrant) -> ConsentEvent:
    """Append one event to the customer's consent ledger."""
    errors = _Errors()
    _check_consent(grant, errors, "consent")
    errors.raise_if_any()
    return consent_events_add(store=store, actor=actor, customer=customer, grants=[grant])[0]
