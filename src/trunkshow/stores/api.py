"""API: the token's store and its staff (read)."""

from __future__ import annotations

from datetime import datetime

from django.http import HttpRequest
from ninja import Field, Query, Router, Schema

from trunkshow.core.api import ERRORS, paginate, refuse_unknown_parameters
from trunkshow.stores import roles, selectors

router = Router(tags=["stores"])


class StoreOut(Schema):
    id: int
    slug: str
    name: str
    time_zone: str
    currency: str
    locale: str
    phone_region: str
    address_line1: str
    address_line2: str
    city: str
    region: str
    postal_code: str
    country: str
    opening_hours: dict[str, list[list[str]]] = Field(
        description="Local opening times per weekday (mon…sun) as [open, close] pairs; an empty list means closed."
    )
    created_at: datetime


class StaffOut(Schema):
    id: int = Field(description="The staff member's id in this store (their membership).")
    user_id: int
    name: str
    email: str
    role: str = Field(description="owner, manager or associate")
    is_active: bool
    created_at: datetime

    @staticmethod
    def resolve_name(obj: object) -> str:
        return str(obj.user.name)  # type: ignore[attr-defined]

    @staticmethod
    def resolve_email(obj: object) -> str:
        return str(obj.user.email)  # type: ignore[attr-defined]


class StaffPage(Schema):
    items: list[StaffOut]
    next_cursor: str | None = None


class StaffFilters(Schema):
    cursor: str | None = None
    limit: int = Field(50, ge=1, le=200)


@router.get("/store", response={200: StoreOut, **ERRORS}, summary="The store of the token")
def store_read(request: HttpRequest) -> object:
    refuse_unknown_parameters(request, Schema)
    return request.store  # type: ignore[attr-defined]


@router.get("/staff", response={200: StaffPage, **ERRORS}, summary="The store's staff, oldest first")
def staff_list(request: HttpRequest, filters: Query[StaffFilters]) -> dict[str, object]:
    refuse_unknown_parameters(request, StaffFilters)
    roles.require(request.membership, "staff.view")  # type: ignore[attr-defined]
    items, next_cursor = paginate(
        selectors.staff_list(store=request.store),  # type: ignore[attr-defined]
        cursor=filters.cursor,
        limit=filters.limit,
        keys=["id"],
    )
    return {"items": items, "next_cursor": next_cursor}


@router.get("/staff/{id}", response={200: StaffOut, **ERRORS}, summary="One staff member")
def staff_read(request: HttpRequest, id: int) -> object:
    refuse_unknown_parameters(request, Schema)
    roles.require(request.membership, "staff.view")  # type: ignore[attr-defined]
    return selectors.membership_get_for(store=request.store, id=id)  # type: ignore[attr-defined]
