"""API: merging two customers, one customer's data as JSON, and erasure, under /api/v1/customers.

Owners and managers only (403 with the reason for associates). Another store's customer is a 404;
an erased one a 410 with the date, except on erase itself, where a second erase is a 409.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest
from django.utils.translation import gettext as _
from ninja import Field, Router, Schema
from pydantic import ConfigDict

from trunkshow.core.access import client_ip
from trunkshow.core.api import ERRORS, ApiError, ErrorOut, refuse_body, refuse_unknown_parameters
from trunkshow.customers import selectors
from trunkshow.customers.api import customer_for_api
from trunkshow.customers.merging import FIELDS_BY_NAME, customer_merge
from trunkshow.customers.models import Customer
from trunkshow.customers.privacy import AlreadyErased, customer_data_export, customer_erase
from trunkshow.customers.schemas import CustomerOut, customer_out
from trunkshow.stores import roles
from trunkshow.stores.models import Membership

router = Router(tags=["customers"])

GONE: dict[Any, Any] = {410: ErrorOut}


def _customer(request: HttpRequest, customer_id: int, right: str, *, include_erased: bool = False) -> Any:
    """The store's customer (404 first: another store's id says nothing), then the role's right (403)."""
    membership: Membership = request.auth  # type: ignore[attr-defined]
    customer = customer_for_api(membership.store, customer_id, include_erased=include_erased)
    roles.require(membership, right)
    return membership, customer


class MergeIn(Schema):
    model_config = ConfigDict(extra="forbid")

    other_id: int = Field(description="The customer merged in and then deleted.")
    choices: dict[str, str] = Field(
        default_factory=dict,
        description=(
            "Per field, whose value wins: `kept` (this customer's) or `taken` (the other's). Fields: "
            + ", ".join(FIELDS_BY_NAME)
            + ". A field not named keeps this customer's value unless only the other has one."
        ),
    )


class CustomerDataOut(Schema):
    """Everything held about one customer; see customers/privacy.py for each part."""

    format: str = Field(description="trunkshow.customer-data/1")
    exported_at: dt.datetime
    store: dict[str, Any]
    customer: dict[str, Any]
    phones: list[dict[str, Any]]
    emails: list[dict[str, Any]]
    important_dates: list[dict[str, Any]]
    interests: list[dict[str, Any]]
    sizes: list[dict[str, Any]]
    notes: list[dict[str, Any]]
    purchases: list[dict[str, Any]]
    consent_events: list[dict[str, Any]] = Field(description="The ledger with its evidence, oldest first.")
    current_consent: list[dict[str, Any]]
    edits: list[dict[str, Any]]
    merges: list[dict[str, Any]]
    import_rows: list[dict[str, Any]]


class ErasedOut(Schema):
    id: int
    erased_at: dt.datetime


def _other(store: Any, customer: Customer, other_id: int) -> Customer:
    """The record to merge in. Every problem with it is a 400 on ``other_id``: the path's customer
    exists, so a 404 would read as if it did not (ADR 0002, as ``partner_id``). An erased other is
    refused by the service, with the date."""
    try:
        return selectors.customer_get_for(store=store, customer_id=other_id, include_erased=True)
    except Http404:
        survivor = selectors.customer_merged_into(store=store, customer_id=other_id)
    if survivor is None:
        message = _("No customer with this id in this store.")
    elif survivor.pk == customer.pk:
        message = _("Customer no. %(number)s was already merged into this customer.") % {"number": other_id}
    else:
        message = _("Customer no. %(number)s was merged into customer no. %(survivor)s (%(name)s); use that id.") % {
            "number": other_id,
            "survivor": survivor.pk,
            "name": survivor.display_name,
        }
    raise ValidationError({"other_id": message})


@router.post("/{customer_id}/merge", response={200: CustomerOut, **ERRORS, **GONE}, summary="Merge another customer in")
def customer_merge_in(request: HttpRequest, customer_id: int, payload: MergeIn) -> CustomerOut:
    """Phones, emails, dates, interests, sizes, notes, purchases and the consent ledgers of both are kept."""
    who, customer = _customer(request, customer_id, "customers.merge")
    other = _other(who.store, customer, payload.other_id)
    survivor = customer_merge(
        store=who.store,
        actor=who.user,
        customer=customer,
        other=other,
        choices=payload.choices,
        ip=client_ip(request),
    )
    return customer_out(survivor, currency=who.store.currency)


@router.get("/{customer_id}/export", response={200: CustomerDataOut, **ERRORS, **GONE}, summary="Everything we hold")
def customer_export(request: HttpRequest, customer_id: int) -> dict[str, Any]:
    """One customer's data as JSON: profile, contacts, dates, notes, purchases, the consent ledger. Audited."""
    refuse_unknown_parameters(request, Schema)
    who, customer = _customer(request, customer_id, "customers.data_export")
    return customer_data_export(store=who.store, actor=who.user, customer=customer, ip=client_ip(request))


@router.post("/{customer_id}/erase", response={200: ErasedOut, 409: ErrorOut, **ERRORS}, summary="Erase personal data")
def customer_erase_data(request: HttpRequest, customer_id: int) -> ErasedOut:
    """Removes the person everywhere; keeps anonymous totals and hashed phones/emails. Audited."""
    refuse_body(request)
    who, customer = _customer(request, customer_id, "customers.erase", include_erased=True)
    try:
        erased = customer_erase(store=who.store, actor=who.user, customer=customer, ip=client_ip(request))
    except AlreadyErased as exc:
        raise ApiError(409, "already_erased", str(exc)) from None
    assert erased.erased_at is not None
    return ErasedOut(id=erased.pk, erased_at=erased.erased_at)
