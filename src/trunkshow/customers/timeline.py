"""The customer's timeline: one chronological list drawn from registered sources.

Apps above ``customers`` (messaging, appointments) add their own source in ``AppConfig.ready``
with ``register_source``, so this module never imports them.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from trunkshow.customers.models import ConsentEvent, Customer, CustomerEdit, Note, Purchase


@dataclass(frozen=True)
class TimelineEntry:
    at: dt.datetime
    kind: str  # "created", "note", "purchase", "consent", "edit"; later "message", "appointment"
    actor: Any
    obj: Any
    extra: dict[str, Any] = field(default_factory=dict)


Source = Callable[[Customer, int], Iterable[TimelineEntry]]
_SOURCES: dict[str, Source] = {}


def register_source(name: str, source: Source) -> None:
    _SOURCES[name] = source


def customer_timeline(*, customer: Customer, limit: int = 100) -> list[TimelineEntry]:
    entries: list[TimelineEntry] = []
    for source in _SOURCES.values():
        entries.extend(source(customer, limit))
    entries.sort(key=lambda e: e.at, reverse=True)
    return entries[:limit]


def _notes(customer: Customer, limit: int) -> Iterable[TimelineEntry]:
    for note in Note.objects.filter(customer=customer).select_related("author")[:limit]:
        yield TimelineEntry(note.created_at, "note", note.author, note)


def _purchases(customer: Customer, limit: int) -> Iterable[TimelineEntry]:
    for purchase in Purchase.objects.filter(customer=customer).select_related("associate")[:limit]:
        # A purchase sits on the timeline at its date (midday, to sort beside that day's notes).
        at = dt.datetime.combine(purchase.purchased_on, dt.time(12), tzinfo=dt.UTC)
        yield TimelineEntry(at, "purchase", purchase.associate, purchase)


def _consents(customer: Customer, limit: int) -> Iterable[TimelineEntry]:
    events = ConsentEvent.objects.filter(customer=customer).select_related("staff_user").order_by("-occurred_at", "-id")
    for event in events[:limit]:
        yield TimelineEntry(event.occurred_at, "consent", event.staff_user, event)


def _edits(customer: Customer, limit: int) -> Iterable[TimelineEntry]:
    for edit in CustomerEdit.objects.filter(customer=customer).select_related("actor")[:limit]:
        yield TimelineEntry(edit.at, "edit", edit.actor, edit)


def _created(customer: Customer, limit: int) -> Iterable[TimelineEntry]:
    yield TimelineEntry(
        customer.created_at, "created", customer.created_by, customer, {"source": customer.get_source_display()}
    )


register_source("created", _created)
register_source("notes", _notes)
register_source("purchases", _purchases)
register_source("consent", _consents)
register_source("edits", _edits)
