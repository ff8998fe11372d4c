"""Segments: named, saved filters ("Sapphire lovers, birthday within 30 days") of a store.

Writes (create, update, delete) and reads (list with counts, get-for, the customers of a
segment). Filters are checked with the list's own parser, so a segment holds exactly what the
list page and the API accept; later issues (campaigns, reminders) read ``segment_customers``.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from dataclasses import dataclass
from typing import Any

from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import QuerySet
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _

from trunkshow.core.validation import clean_text
from trunkshow.customers.filtering import CustomerFilter, customers_filtered, filters_parse
from trunkshow.customers.models import Customer, Segment
from trunkshow.stores.models import Store

MAX_SEGMENTS = 200
MAX_NAME = 100
MAX_QUERY = 200  # as GET /customers?q= (schemas.CustomerFilters)
# How long a segment's count is shown before it is counted again: a page with many segments
# in a big book reads them from the cache instead of running one COUNT each per load.
COUNT_TTL = dt.timedelta(minutes=5)


def _clean_name(store: Store, name: Any, *, exclude: int | None = None) -> str:
    if not isinstance(name, str):
        raise ValidationError({"name": [_("Give the segment a name.")]})
    text = clean_text(name, field="name", max_length=MAX_NAME)
    if not text:
        raise ValidationError({"name": [_("Give the segment a name.")]})
    taken = Segment.objects.filter(store=store, name__iexact=text)
    if exclude is not None:
        taken = taken.exclude(pk=exclude)
    if taken.exists():
        raise ValidationError(
            {"name": [_("A segment named “%(name)s” already exists; choose another name.") % {"name": text}]}
        )
    return text


def _clean_filters(store: Store, filters: Any) -> dict[str, Any]:
    """The filters as canonical parameters; every problem reported as ``filters.<name>``."""
    if not isinstance(filters, dict):
        raise ValidationError({"filters": [_('Give the filters as an object of parameters, e.g. {"source": "chat"}.')]})
    for value in filters.values():
        items = value if isinstance(value, list) else [value]
        if not all(isinstance(item, str | int) and not isinstance(item, bool) for item in items):
            raise ValidationError({"filters": [_("Each filter is a text (or a list of texts for interest).")]})
    as_text = {k: [str(x) for x in val] if isinstance(val, list) else str(val) for k, val in filters.items()}
    q = as_text.get("q")
    if isinstance(q, str) and len(q) > MAX_QUERY:  # the search box cuts a long search; a saved one is refused
        raise ValidationError(
            {
                "filters.q": [
                    _("Search for at most %(max)d characters (this has %(n)d).") % {"max": MAX_QUERY, "n": len(q)}
                ]
            }
        )
    try:
        parsed = filters_parse(as_text, store=store)
    except ValidationError as exc:
        raise ValidationError({f"filters.{name}": msgs for name, msgs in exc.message_dict.items()}) from None
    return parsed.params()  # the order is kept too: "best spenders" is a sorted segment


@transaction.atomic
def segment_create(*, store: Store, actor: Any, name: Any, filters: Any) -> Segment:
    errors: dict[str, list[str]] = {}
    clean_name: str = ""
    clean_filters: dict[str, Any] = {}
    try:
        clean_name = _clean_name(store, name)
    except ValidationError as exc:
        errors.update(exc.message_dict)
    try:
        clean_filters = _clean_filters(store, filters)
    except ValidationError as exc:
        errors.update(exc.message_dict)
    if not errors and Segment.objects.filter(store=store).count() >= MAX_SEGMENTS:
        errors["name"] = [_("A store keeps at most %(n)s segments; delete one first.") % {"n": MAX_SEGMENTS}]
    if errors:
        raise ValidationError(errors)
    try:
        with transaction.atomic():
            return Segment.objects.create(store=store, name=clean_name, filters=clean_filters, created_by=_user(actor))
    except IntegrityError:  # the same name saved at the same moment by someone else
        raise ValidationError(
            {"name": [_("A segment named “%(name)s” already exists; choose another name.") % {"name": clean_name}]}
        ) from None


@transaction.atomic
def segment_update(*, store: Store, actor: Any, segment: Segment, name: Any = None, filters: Any = None) -> Segment:
    """Rename, or replace the filters, or both; what is not given stays."""
    errors: dict[str, list[str]] = {}
    changes: dict[str, Any] = {}
    if name is not None:
        try:
            changes["name"] = _clean_name(store, name, exclude=segment.pk)
        except ValidationError as exc:
            errors.update(exc.message_dict)
    if filters is not None:
        try:
            changes["filters"] = _clean_filters(store, filters)
        except ValidationError as exc:
            errors.update(exc.message_dict)
    if errors:
        raise ValidationError(errors)
    if changes:
        for key, value in changes.items():
            setattr(segment, key, value)
        segment.updated_at = timezone.now()
        try:
            with transaction.atomic():
                segment.save(update_fields=[*changes, "updated_at"])
        except IntegrityError:
            raise ValidationError(
                {"name": [_("A segment with this name already exists; choose another name.")]}
            ) from None
    return segment


@transaction.atomic
def segment_delete(*, store: Store, actor: Any, segment: Segment) -> None:
    Segment.objects.filter(store=store, pk=segment.pk).delete()


def segment_get_for(*, store: Store, segment_id: Any) -> Segment:
    """The store's segment with this id, or 404 (another store's id looks like no id at all)."""
    try:
        pk = int(segment_id)
    except (TypeError, ValueError):
        raise Http404("No such segment") from None
    segment = Segment.objects.filter(store=store, pk=pk).first()
    if segment is None:
        raise Http404("No such segment")
    return segment


def segment_list(*, store: Store) -> QuerySet[Segment]:
    return Segment.objects.filter(store=store).order_by("name", "id")


def segment_filter(*, store: Store, segment: Segment) -> CustomerFilter:
    """The segment's filters, checked again: a staff member it named may have left the store."""
    try:
        return filters_parse({k: v for k, v in segment.filters.items()}, store=store)
    except ValidationError:
        # What still makes sense is kept: drop each parameter that no longer checks out.
        kept = dict(segment.filters)
        while kept:
            try:
                return filters_parse(kept, store=store)
            except ValidationError as exc:
                if not set(exc.message_dict) & set(kept):
                    break
                for bad in exc.message_dict:
                    kept.pop(bad, None)
                    if bad == "within":
                        kept.pop("date", None)
                    if bad == "spend_max":
                        kept.pop("spend_min", None)
        return CustomerFilter()


def segment_customers(*, store: Store, segment: Segment, now: dt.datetime | None = None) -> QuerySet[Customer]:
    """The customers in a segment right now (never erased ones), in the segment's order."""
    return customers_filtered(store=store, filters=segment_filter(store=store, segment=segment), now=now)


@dataclass(frozen=True)
class SegmentCount:
    count: int
    counted_at: dt.datetime


def _count_key(segment: Segment) -> str:
    """The cache key of a segment's count: under its store, and changed by any change of its
    filters (or a new segment reusing the id), so a count never outlives what it counted."""
    stamp = json.dumps([segment.created_at.isoformat(), segment.filters], sort_keys=True)
    digest = hashlib.sha256(stamp.encode()).hexdigest()[:24]
    return f"trunkshow:segment-count:{segment.store_id}:{segment.pk}:{digest}"


def _remember(segment: Segment, count: int) -> SegmentCount:
    counted = SegmentCount(count=count, counted_at=timezone.now())
    cache.set(_count_key(segment), (counted.count, counted.counted_at), COUNT_TTL.total_seconds())
    return counted


def segment_counts_cached(*, store: Store, segments: list[Segment]) -> dict[int, SegmentCount]:
    """The counts still in the cache, by segment id (no query): the rest are fetched by the page."""
    keys = {_count_key(s): s.pk for s in segments if s.store_id == store.pk}
    return {keys[key]: SegmentCount(*value) for key, value in cache.get_many(list(keys)).items()}


def segment_count(*, store: Store, segment: Segment) -> SegmentCount:
    """The segment's count from the cache, else counted now and kept for COUNT_TTL."""
    if segment.store_id != store.pk:
        raise Http404("No such segment")
    found = cache.get(_count_key(segment))
    if found is not None:
        return SegmentCount(*found)
    return _remember(segment, segment_customers(store=store, segment=segment).count())


def segment_count_seen(*, store: Store, segment: Segment, count: int) -> None:
    """A count the list page made anyway (it showed this segment): kept, so it costs nothing later."""
    if segment.store_id == store.pk:
        _remember(segment, count)


def segment_counts(*, store: Store, segments: list[Segment]) -> dict[int, int]:
    """Every segment counted now (the API's exact answer); the cache is refreshed with them."""
    return {s.pk: _remember(s, segment_customers(store=store, segment=s).count()).count for s in segments}


def _user(actor: Any) -> Any:
    return actor if actor is not None and getattr(actor, "pk", None) else None
