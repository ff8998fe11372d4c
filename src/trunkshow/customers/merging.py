"""Merging two customers by hand: one survives, the other's values win where the person chose,
and everything either of them had (phones, emails, dates, notes, purchases, the consent ledger)
ends up on the survivor.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from trunkshow.core.audit import audit_log
from trunkshow.core.templatetags.trunkshow import monthday, store_day
from trunkshow.core.validation import fold
from trunkshow.customers.distinct import distinct_pairs_carry
from trunkshow.customers.models import (
    ConsentAction,
    ConsentEvent,
    CurrentConsent,
    Customer,
    CustomerEdit,
    CustomerEmail,
    CustomerMerge,
    CustomerPhone,
    ImportantDate,
    ImportRow,
    Interest,
    Note,
    Purchase,
    Size,
)
from trunkshow.customers.services import _refresh_search, _refresh_totals, _user
from trunkshow.customers.timeline import TimelineEntry, register_source
from trunkshow.stores.models import Store

KEPT, TAKEN = "kept", "taken"
UNKNOWN_NAMED = 3


@dataclass(frozen=True)
class MergeField:
    name: str
    label: Any
    columns: tuple[str, ...]


# What a person chooses between, in the order the merge page shows it. An address is one block:
# a street from one customer and a city from the other would be nobody's address.
MERGE_FIELDS: tuple[MergeField, ...] = (
    MergeField("first_name", gettext_lazy("First name"), ("first_name",)),
    MergeField("last_name", gettext_lazy("Last name"), ("last_name",)),
    MergeField("preferred_name", gettext_lazy("Preferred name"), ("preferred_name",)),
    MergeField("title", gettext_lazy("Title"), ("title",)),
    MergeField(
        "address",
        gettext_lazy("Address"),
        ("address_line1", "address_line2", "city", "region", "postal_code", "country"),
    ),
    MergeField("birthday", gettext_lazy("Birthday"), ("birthday_day", "birthday_month", "birthday_year")),
    MergeField(
        "partner",
        gettext_lazy("Partner"),
        ("partner_id", "partner_name", "partner_birthday_day", "partner_birthday_month", "partner_birthday_year"),
    ),
    MergeField("preferred_channel", gettext_lazy("Preferred channel"), ("preferred_channel",)),
    MergeField("language", gettext_lazy("Language"), ("language",)),
    MergeField("time_zone", gettext_lazy("Time zone"), ("time_zone",)),
    MergeField("assigned_associate", gettext_lazy("Assigned associate"), ("assigned_associate_id",)),
    MergeField("source", gettext_lazy("How we met"), ("source",)),
)
FIELDS_BY_NAME = {f.name: f for f in MERGE_FIELDS}

# Every foreign key to Customer, as (model label, field), and so every row a merge must carry
# over. A new one makes tests/customers/test_merging.py fail until a merge handles it.
MOVED_RELATIONS = frozenset(
    {
        ("customers.CustomerPhone", "customer"),
        ("customers.CustomerEmail", "customer"),
        ("customers.ImportantDate", "customer"),
        ("customers.Interest", "customer"),
        ("customers.Size", "customer"),
        ("customers.Note", "customer"),
        ("customers.Purchase", "customer"),
        ("customers.ConsentEvent", "customer"),
        ("customers.CurrentConsent", "customer"),
        ("customers.CustomerEdit", "customer"),
        ("customers.CustomerMerge", "customer"),
        ("customers.DistinctPair", "customer"),
        ("customers.DistinctPair", "other"),
        ("customers.ImportRow", "customer"),
        ("customers.Customer", "partner"),
    }
)
# Relations of apps above customers (a customer's conversations): each app registers how its rows
# follow a merge, in its AppConfig.ready, so this module never imports it.
Carrier = Callable[[Any, Customer, Customer], None]  # (store, survivor, gone)
_CARRIERS: dict[tuple[str, str], Carrier] = {}


def register_carrier(label: str, field: str, carry: Carrier) -> None:
    _CARRIERS[(label, field)] = carry


def moved_relations() -> frozenset[tuple[str, str]]:
    """Every relation to a customer that a merge carries over to the survivor."""
    return MOVED_RELATIONS | frozenset(_CARRIERS)


def _values(customer: Customer, field: MergeField) -> tuple[Any, ...]:
    return tuple(getattr(customer, column) for column in field.columns)


def _is_empty(values: tuple[Any, ...]) -> bool:
    return all(value in (None, "") for value in values)


def merge_differences(*, customer: Customer, other: Customer) -> list[MergeField]:
    """The fields on which the two customers disagree: the only ones worth asking about."""
    return [f for f in MERGE_FIELDS if _values(customer, f) != _values(other, f)]


def merge_default(*, customer: Customer, other: Customer, field: MergeField) -> str:
    """Keep the survivor's value, unless it has none and the other has one: nothing is lost by default."""
    if _is_empty(_values(customer, field)) and not _is_empty(_values(other, field)):
        return TAKEN
    return KEPT


def _name_key(text: str) -> str:
    return " ".join(fold(text).split())


def _full_names(customer: Customer) -> set[str]:
    """The customer's full names as a partner's name would be written: first or preferred, and last."""
    if not customer.last_name.strip():
        return set()
    given = (customer.first_name, customer.preferred_name)
    return {_name_key(f"{name} {customer.last_name}") for name in given if name.strip()}


def _holders(customer: Customer, other: Customer) -> list[Customer]:
    """Which of the two has the other as partner: linked, or the other's full name noted as the
    partner's name (accents, case and spacing aside). Empty when neither does."""
    holders = []
    for holder, partner in ((customer, other), (other, customer)):
        if holder.partner_id == partner.pk or (
            holder.partner_name and _name_key(holder.partner_name) in _full_names(partner)
        ):
            holders.append(holder)
    return holders


def are_partners(customer: Customer, other: Customer) -> bool:
    return bool(_holders(customer, other))


def merge_refusal(*, customer: Customer, other: Customer) -> str | None:
    """Why these two are not merged, or None. Partners are two people by the store's own record:
    merging them deletes one person and would leave the other as their own partner (ADR 0006)."""
    holders = _holders(customer, other)
    if len(holders) == 2:
        return _(
            "%(a)s (no. %(a_no)s) and %(b)s (no. %(b_no)s) are each other's partners: partners are two "
            "people, so their records are not merged. If that is a mistake, remove the partner from both "
            "records first."
        ) % {"a": customer.display_name, "a_no": customer.pk, "b": other.display_name, "b_no": other.pk}
    if holders:
        holder = holders[0]
        partner = other if holder is customer else customer
        return _(
            "%(partner)s (no. %(partner_no)s) is the partner of %(holder)s (no. %(holder_no)s): partners are "
            "two people, so their records are not merged. If that is a mistake, remove the partner from "
            "%(holder)s's record first."
        ) % {
            "partner": partner.display_name,
            "partner_no": partner.pk,
            "holder": holder.display_name,
            "holder_no": holder.pk,
        }
    return None


def merge_doubts(*, customer: Customer, other: Customer) -> list[MergeField]:
    """The fields that say these may be two people: first names that differ once accents and case
    are set aside, or birthdays both have that differ (a year only when both have one). Staff are
    told, not stopped: "Kate" and "Katherine" are often one person."""
    doubts = []
    first = (_name_key(customer.first_name), _name_key(other.first_name))
    if all(first) and first[0] != first[1]:
        doubts.append(FIELDS_BY_NAME["first_name"])
    days = [(c.birthday_month, c.birthday_day) for c in (customer, other)]
    years = (customer.birthday_year, other.birthday_year)
    if (all(m and d for m, d in days) and days[0] != days[1]) or (all(years) and years[0] != years[1]):
        doubts.append(FIELDS_BY_NAME["birthday"])
    return doubts


def _shorten(text: str, limit: int = 60) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _clean_choices(choices: Mapping[str, Any]) -> dict[str, str]:
    if not isinstance(choices, Mapping):
        raise ValidationError({"choices": _("Give the choices as an object of field name to “kept” or “taken”.")})
    errors: dict[str, list[str]] = {}
    clean: dict[str, str] = {}
    unknown = [name for name in choices if name not in FIELDS_BY_NAME]
    # A few unknown names are named, then counted: an answer stays small whatever was sent.
    for name in unknown[:UNKNOWN_NAMED]:
        shown = _shorten(name)
        errors[f"choices.{shown}"] = [
            _("Unknown field “%(name)s”: choose among %(allowed)s.")
            % {"name": shown, "allowed": ", ".join(FIELDS_BY_NAME)}
        ]
    if len(unknown) > UNKNOWN_NAMED:
        errors["choices"] = [
            _("%(count)s unknown fields in all (the first %(named)s are named); choose among %(allowed)s.")
            % {"count": len(unknown), "named": UNKNOWN_NAMED, "allowed": ", ".join(FIELDS_BY_NAME)}
        ]
    for name, value in choices.items():
        if name not in FIELDS_BY_NAME:
            continue
        if value not in (KEPT, TAKEN):
            errors[f"choices.{name}"] = [
                _("Use “kept” for this customer's value or “taken” for the other customer's, not “%(value)s”.")
                % {"value": _shorten(str(value))}
            ]
        else:
            clean[name] = value
    if errors:
        raise ValidationError(errors)
    return clean


def merge_is_open(*, customer: Customer, other: Customer, field: MergeField) -> bool:
    """Whether the person has a choice on this field: both records hold a value. Where only one
    does, that value is kept; an empty one never wins over a recorded one (ADR 0006)."""
    return not _is_empty(_values(customer, field)) and not _is_empty(_values(other, field))


def _refuse_empty_winners(survivor: Customer, gone: Customer, clean: Mapping[str, str]) -> None:
    """Refuse a choice that would put "not recorded" in place of a recorded value: a merge must not
    delete a known name, address or birthday, and must never leave a customer nameless."""
    errors: dict[str, list[str]] = {}
    for name, decision in clean.items():
        field = FIELDS_BY_NAME[name]
        winner, loser = (survivor, gone) if decision == KEPT else (gone, survivor)
        if _is_empty(_values(winner, field)) and not _is_empty(_values(loser, field)):
            errors[f"choices.{name}"] = [
                _(
                    "Customer no. %(empty)s has no %(label)s recorded, so customer no. %(known)s's is kept: "
                    "an empty value cannot replace a recorded one. Choose “%(right)s” or leave the field out."
                )
                % {
                    "empty": winner.pk,
                    "label": str(field.label).lower(),
                    "known": loser.pk,
                    "right": KEPT if decision == TAKEN else TAKEN,
                }
            ]
    if errors:
        raise ValidationError(errors)


def _erased_error(field: str, customer: Customer) -> ValidationError:
    assert customer.erased_at is not None
    return ValidationError(
        {
            field: _("Customer no. %(number)s was erased on %(date)s; there is nothing left to merge.")
            % {"number": customer.pk, "date": store_day(customer.store, customer.erased_at)}
        }
    )


@transaction.atomic
def customer_merge(
    *,
    store: Store,
    actor: Any,
    customer: Customer,
    other: Customer,
    choices: Mapping[str, Any],
    ip: str | None = None,
) -> Customer:
    """Fold ``other`` into ``customer`` and delete ``other``; returns the survivor, fresh from the database.

    ``choices`` maps a field of ``MERGE_FIELDS`` to "kept" (the survivor's value) or "taken" (the
    other's); a field not named keeps the survivor's value unless only the other has one.
    """
    if other.store_id != store.pk or customer.store_id != store.pk:
        raise Http404("No such customer")
    if other.pk == customer.pk:
        raise ValidationError({"other_id": _("A customer cannot be merged with themself; choose another customer.")})
    clean = _clean_choices(choices)
    # Both rows locked in id order, so two merges of the same pair cannot deadlock or interleave.
    locked = {c.pk: c for c in Customer.objects.select_for_update().filter(store=store, pk__in=[customer.pk, other.pk])}
    if len(locked) != 2:
        raise Http404("No such customer")
    survivor, gone = locked[customer.pk], locked[other.pk]
    if survivor.erased_at is not None:
        raise _erased_error("customer_id", survivor)
    if gone.erased_at is not None:
        raise _erased_error("other_id", gone)
    refusal = merge_refusal(customer=survivor, other=gone)
    if refusal is not None:
        raise ValidationError({"other_id": refusal})

    _refuse_empty_winners(survivor, gone, clean)

    outcome: dict[str, str] = {}
    replaced: dict[str, dict[str, dict[str, Any]]] = {}
    for field in MERGE_FIELDS:
        if _values(survivor, field) == _values(gone, field):
            continue
        decision = clean.get(field.name) or merge_default(customer=survivor, other=gone, field=field)
        outcome[field.name] = decision
        if decision == TAKEN:
            replaced[field.name] = {
                "was": {column: getattr(survivor, column) for column in field.columns},
                "now": {column: getattr(gone, column) for column in field.columns},
            }
            for column in field.columns:
                setattr(survivor, column, getattr(gone, column))
    survivor.imported_spend += gone.imported_spend
    survivor.created_at = min(survivor.created_at, gone.created_at)
    if gone.last_contact_at and (survivor.last_contact_at is None or gone.last_contact_at > survivor.last_contact_at):
        survivor.last_contact_at = gone.last_contact_at
    gone_name = gone.full_name

    _move_contacts(survivor, gone)
    for model in (ImportantDate, Size, Note, Purchase, CustomerEdit, CustomerMerge):
        model.objects.filter(customer=gone).update(customer=survivor)
    ImportRow.objects.filter(store=store, customer=gone).update(customer=survivor)
    CurrentConsent.objects.filter(customer=gone).delete()
    ConsentEvent.objects.filter(customer=gone).move_to(survivor)
    _recompute_current_consent(store, survivor)
    distinct_pairs_carry(store, survivor, gone)
    for carry in _CARRIERS.values():
        carry(store, survivor, gone)

    # Whoever had the other as partner now has the survivor (and is found by the survivor's name).
    repointed = list(Customer.objects.filter(store=store, partner=gone).exclude(pk=survivor.pk))
    Customer.objects.filter(pk__in=[p.pk for p in repointed]).update(partner=survivor)
    gone.delete()

    survivor.updated_at = timezone.now()
    _refresh_search(survivor)
    survivor.save()
    _refresh_totals(store, survivor)
    for person in repointed:
        person.partner_id = survivor.pk
        _refresh_search(person)
        person.save(update_fields=["search_text", "sort_name"])
    CustomerMerge.objects.create(
        store=store,
        customer=survivor,
        merged_customer_id=other.pk,
        merged_name=gone_name[:220],
        choices=outcome,
        replaced=replaced,
        actor=_user(actor),
    )
    # The audit entry names fields and ids, never the people: an erasure later leaves nothing here.
    audit_log(
        store=store,
        actor=_user(actor),
        action="trunkshow.customer.merged",
        obj=survivor,
        data={"merged_customer_id": other.pk, "choices": outcome},
        ip=ip,
    )
    return Customer.objects.select_related("partner", "assigned_associate").get(pk=survivor.pk)


def _move_contacts(survivor: Customer, gone: Customer) -> None:
    """Phones, emails and interests both have collapse into the survivor's; the rest move over."""
    phones = set(survivor.phones.values_list("e164", flat=True))
    CustomerPhone.objects.filter(customer=gone, e164__in=phones).delete()
    CustomerPhone.objects.filter(customer=gone).update(customer=survivor, is_primary=False)
    emails = set(survivor.emails.values_list("address", flat=True))
    CustomerEmail.objects.filter(customer=gone, address__in=emails).delete()
    CustomerEmail.objects.filter(customer=gone).update(customer=survivor, is_primary=False)
    for model in (CustomerPhone, CustomerEmail):
        rows = model.objects.filter(customer=survivor)
        if not rows.filter(is_primary=True).exists():
            first = rows.order_by("id").first()
            if first is not None:
                model.objects.filter(pk=first.pk).update(is_primary=True)
    keys = set(survivor.interests.values_list("kind", "value_key"))
    duplicate_ids = [
        pk for pk, kind, key in gone.interests.values_list("pk", "kind", "value_key") if (kind, key) in keys
    ]
    Interest.objects.filter(pk__in=duplicate_ids).delete()
    Interest.objects.filter(customer=gone).update(customer=survivor)


def _recompute_current_consent(store: Store, customer: Customer) -> None:
    """The latest event per channel and purpose across both ledgers, by when it happened, decides."""
    latest: dict[tuple[str, str], ConsentEvent] = {}
    for event in ConsentEvent.objects.filter(customer=customer).order_by("occurred_at", "id"):
        latest[(event.channel, event.purpose)] = event
    CurrentConsent.objects.filter(customer=customer).delete()
    CurrentConsent.objects.bulk_create(
        CurrentConsent(
            store=store,
            customer=customer,
            channel=channel,
            purpose=purpose,
            granted=event.action == ConsentAction.GRANTED,
            event=event,
        )
        for (channel, purpose), event in latest.items()
    )


def merge_value_text(store: Store, field: MergeField, values: Mapping[str, Any]) -> str:
    """A field's stored values in one short line ("12 Elm St, Boston", "March 2, 1980" as the
    store writes dates), "" when empty."""
    if field.name == "birthday":
        day, month, year = (values.get(c) for c in field.columns)
        return monthday({"store": store}, day, month, year) or str(year or "")
    parts = []
    for column in field.columns:
        value = values.get(column)
        if value in (None, ""):
            continue
        if column == "partner_id":
            parts.append(_("customer no. %(number)s") % {"number": value})
        elif column == "assigned_associate_id":
            parts.append(_("staff member no. %(number)s") % {"number": value})
        elif column.startswith("partner_birthday"):
            continue
        else:
            parts.append(str(value))
    return ", ".join(parts)


def _merges(customer: Customer, limit: int) -> Iterable[TimelineEntry]:
    """On the survivor's timeline: who merged which record in, whose values were taken, and what
    each taken value replaced."""
    for merge in CustomerMerge.objects.filter(customer=customer).select_related("actor")[:limit]:
        taken = [str(f.label) for f in MERGE_FIELDS if merge.choices.get(f.name) == TAKEN]
        changes = [
            {
                "label": str(f.label),
                "now": merge_value_text(customer.store, f, merge.replaced[f.name].get("now", {})),
                "was": merge_value_text(customer.store, f, merge.replaced[f.name].get("was", {})),
            }
            for f in MERGE_FIELDS
            if f.name in (merge.replaced or {})
        ]
        extra = {
            "taken": taken,
            "changes": changes,
            "merged_customer_id": merge.merged_customer_id,
            "merged_name": merge.merged_name,
        }
        yield TimelineEntry(merge.at, "merge", merge.actor, merge, extra)


register_source("merges", _merges)
