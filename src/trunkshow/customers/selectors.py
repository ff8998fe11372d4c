"""Reads of the customer book: fetch-for-this-store, search, current consent, completeness."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from django.db.models import Q, QuerySet
from django.http import Http404
from django.utils.translation import gettext_lazy as _

from trunkshow.customers import validation as v
from trunkshow.customers.models import Channel, ConsentAction, ConsentEvent, ConsentPurpose, Customer
from trunkshow.stores.models import Store


def customer_get_for(*, store: Store, customer_id: Any) -> Customer:
    """The store's customer with this id, or 404: another store's id looks like no id at all."""
    try:
        pk = int(customer_id)
    except (TypeError, ValueError):
        raise Http404("No such customer") from None
    customer = Customer.objects.filter(store=store, pk=pk).select_related("partner", "assigned_associate").first()
    if customer is None:
        raise Http404("No such customer")
    return customer


def related_get_for(model: Any, *, store: Store, customer: Customer, obj_id: Any) -> Any:
    """A child row (note, date, interest, ...) of this customer in this store, or 404."""
    try:
        pk = int(obj_id)
    except (TypeError, ValueError):
        raise Http404("Not found") from None
    obj = model.objects.filter(store=store, customer=customer, pk=pk).first()
    if obj is None:
        raise Http404("Not found")
    return obj


_DIGITS_ONLY = re.compile(r"^[\d\s().+\-/]+$")


def customer_search(*, store: Store, q: str = "", assigned_to: int | None = None, source: str | None = None) -> QuerySet[Customer]:
    """Customers matching every word of ``q`` (names folded, emails, partner, phone digits).

    The next issue replaces the matching with each engine's own index; callers keep this signature.
    """
    qs = Customer.objects.filter(store=store)
    text = (q or "").strip()[:200]
    if text:
        if _DIGITS_ONLY.match(text) and sum(ch.isdigit() for ch in text) >= 3:
            digits = v.phone_digits(text)
            if text.startswith("00"):
                digits = digits[2:]
            candidates = {digits}
            try:
                e164 = v.parse_phone(text, region=store.phone_region)
                candidates.add(v.phone_digits(e164))
            except Exception:  # noqa: BLE001 - a partial number is searched as digits
                pass
            condition = Q()
            for d in candidates:
                condition |= Q(search_text__contains=d)
            qs = qs.filter(condition)
        else:
            for word in v.fold(text).split():
                qs = qs.filter(search_text__contains=word)
    if assigned_to is not None:
        qs = qs.filter(assigned_associate_id=assigned_to)
    if source:
        qs = qs.filter(source=source)
    return qs.order_by("sort_name", "id")


@dataclass(frozen=True)
class ConsentState:
    channel: str
    purpose: str
    granted: bool
    event: ConsentEvent | None

    @property
    def channel_label(self) -> str:
        return str(Channel(self.channel).label)

    @property
    def purpose_label(self) -> str:
        return str(ConsentPurpose(self.purpose).label)


def consent_current(*, customer: Customer) -> list[ConsentState]:
    """Derived from the ledger: the latest event per channel and purpose decides."""
    latest: dict[tuple[str, str], ConsentEvent] = {}
    for event in ConsentEvent.objects.filter(customer=customer).order_by("occurred_at", "id"):
        latest[(event.channel, event.purpose)] = event
    states = []
    for channel in Channel.values:
        for purpose in ConsentPurpose.values:
            event = latest.get((channel, purpose))
            states.append(ConsentState(channel, purpose, bool(event and event.action == ConsentAction.GRANTED), event))
    return states


def consent_allows(*, customer: Customer, channel: str, purpose: str) -> bool:
    event = (
        ConsentEvent.objects.filter(customer=customer, channel=channel, purpose=purpose)
        .order_by("-occurred_at", "-id")
        .first()
    )
    return bool(event and event.action == ConsentAction.GRANTED)


@dataclass(frozen=True)
class Completeness:
    score: int
    missing: list[str]


# (what, weight, test): weights add up to 100.
_COMPLETENESS: list[tuple[Any, int, Any]] = [
    (_("name"), 15, lambda c, x: bool(c.first_name and c.last_name)),
    (_("phone"), 15, lambda c, x: x["phones"] > 0),
    (_("email"), 10, lambda c, x: x["emails"] > 0),
    (_("birthday"), 10, lambda c, x: c.birthday_month is not None),
    (_("address"), 10, lambda c, x: bool(c.address_line1 and c.city and c.country)),
    (_("partner"), 5, lambda c, x: bool(c.partner_id or c.partner_name)),
    (_("anniversary or other date"), 5, lambda c, x: x["dates"] > 0),
    (_("interests"), 10, lambda c, x: x["interests"] > 0),
    (_("ring size"), 5, lambda c, x: x["ring_sizes"] > 0),
    (_("preferred channel"), 5, lambda c, x: bool(c.preferred_channel)),
    (_("consent"), 10, lambda c, x: x["consents"] > 0),
]


def customer_completeness(*, customer: Customer) -> Completeness:
    counts = {
        "phones": customer.phones.count(),
        "emails": customer.emails.count(),
        "dates": customer.important_dates.count(),
        "interests": customer.interests.count(),
        "ring_sizes": customer.sizes.filter(kind="ring").count(),
        "consents": customer.consent_events.count(),
    }
    score, missing = 0, []
    for label, weight, test in _COMPLETENESS:
        if test(customer, counts):
            score += weight
        else:
            missing.append(str(label))
    return Completeness(score=score, missing=missing)
