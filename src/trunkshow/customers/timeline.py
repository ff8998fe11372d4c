"""The customer's timeline: one chronological list drawn from registered sources.

Apps above ``customers`` (messaging, appointments) add their own source in ``AppConfig.ready``
with ``register_source``, so this module never imports them.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from trunkshow.customers.models import (
    ConsentEvent,
    Customer,
    CustomerEdit,
    ImportOutcome,
    ImportRow,
    Note,
    Purchase,
)
from trunkshow.customers.models import Source as HowWeMet

# An import's evidence names the file's SHA-256: proof in the consent ledger's detail, noise (and
# 64 unbroken characters) in a timeline headline.
_FILE_DIGEST = re.compile(r"\s*\(SHA-256 [0-9a-f]{64}\)")


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
        summary = _FILE_DIGEST.sub("", event.evidence_text)
        yield TimelineEntry(event.occurred_at, "consent", event.staff_user, event, {"summary": summary})


def _edits(customer: Customer, limit: int) -> Iterable[TimelineEntry]:
    for edit in CustomerEdit.objects.filter(customer=customer).select_related("actor")[:limit]:
        yield TimelineEntry(edit.at, "edit", edit.actor, edit)


def _created(customer: Customer, limit: int) -> Iterable[TimelineEntry]:
    extra: dict[str, Any] = {"source": customer.get_source_display()}
    if customer.source == HowWeMet.IMPORT:
        # The file and row the customer came from, in words a shop owner reads.
        row = (
            ImportRow.objects.filter(customer=customer, outcome=ImportOutcome.CREATED)
            .select_related("job")
            .order_by("id")
            .first()
        )
        if row is not None:
            extra.update(file_name=row.job.file_name, line=row.line, line_numbers=row.job.line_numbers)
    yield TimelineEntry(customer.created_at, "created", customer.created_by, customer, extra)


register_source("created", _created)
register_source("notes", _notes)
register_source("purchases", _purchases)
register_source("consent", _consents)
register_source("edits", _edits)
