"""Helpers shared by the customer API tests (this module holds no tests)."""

from __future__ import annotations

from typing import Any

from django.apps import apps
from django.test import Client
from django_scopes import scopes_disabled

BASE = "/api/v1/customers"
CUSTOMER_MODELS = [m for m in apps.get_app_config("customers").get_models()]


def book(store: Any) -> dict[str, list[tuple[Any, ...]]]:
    """Every row of the store's customer book, field by field: equal snapshots mean nothing changed."""
    with scopes_disabled():
        return {
            model._meta.label: sorted(model.objects.filter(store=store).order_by("pk").values_list(), key=repr)
            for model in CUSTOMER_MODELS
        }


def counts(store: Any) -> dict[str, int]:
    with scopes_disabled():
        return {model._meta.model_name: model.objects.filter(store=store).count() for model in CUSTOMER_MODELS}


def post(client: Client, path: str, body: Any) -> Any:
    return client.post(BASE + path, data=body, content_type="application/json")


def patch(client: Client, path: str, body: Any) -> Any:
    return client.patch(BASE + path, data=body, content_type="application/json")


def get(client: Client, path: str, **params: Any) -> Any:
    return client.get(BASE + path, params)


def delete(client: Client, path: str) -> Any:
    return client.delete(BASE + path)


def assert_error(response: Any, status: int, code: str, fields: list[str] | None = None) -> dict[str, Any]:
    """The response is the architecture's error envelope with this status, code and exactly these fields."""
    assert response.status_code == status, response.content
    body = response.json()
    assert set(body) == {"error"}
    error = body["error"]
    assert error["code"] == code
    assert isinstance(error["message"], str) and error["message"].strip() != ""
    if fields is not None:
        assert sorted(error["fields"]) == sorted(fields), error
    return error


# ---- every operation, for the tenancy, authentication and OpenAPI tests ---------------------

# (method, path under /api/v1/customers, body): path parameters are named as in the OpenAPI document.
COLLECTION_OPERATIONS: list[tuple[str, str, Any]] = [
    ("get", "", None),
    ("post", "", {"first_name": "Mallory", "phones": [{"number": "+33 1 42 68 53 01"}]}),
    ("get", "/count", None),
    ("get", "/export", None),
]
CUSTOMER_OPERATIONS: list[tuple[str, str, Any]] = [
    ("get", "/{customer_id}", None),
    ("patch", "/{customer_id}", {"first_name": "Mallory"}),
    ("post", "/{customer_id}/phones", {"number": "+33 1 42 68 53 01"}),
    ("delete", "/{customer_id}/phones/{phone_id}", None),
    ("post", "/{customer_id}/emails", {"address": "mallory@example.com"}),
    ("delete", "/{customer_id}/emails/{email_id}", None),
    ("get", "/{customer_id}/notes", None),
    ("post", "/{customer_id}/notes", {"body": "Mallory was here"}),
    ("get", "/{customer_id}/notes/{note_id}", None),
    ("get", "/{customer_id}/dates", None),
    ("post", "/{customer_id}/dates", {"kind": "anniversary", "day": 1, "month": 1}),
    ("delete", "/{customer_id}/dates/{date_id}", None),
    ("get", "/{customer_id}/interests", None),
    ("post", "/{customer_id}/interests", {"kind": "free", "value": "Mallory"}),
    ("delete", "/{customer_id}/interests/{interest_id}", None),
    ("get", "/{customer_id}/sizes", None),
    ("post", "/{customer_id}/sizes", {"kind": "ring", "system": "EU", "value": "52"}),
    ("delete", "/{customer_id}/sizes/{size_id}", None),
    ("get", "/{customer_id}/consent", None),
    ("post", "/{customer_id}/consent", {"channel": "sms", "purpose": "marketing", "action": "withdrawn"}),
    ("get", "/{customer_id}/purchases", None),
    ("post", "/{customer_id}/purchases", {"purchased_on": "2025-01-01", "items": [{"description": "x"}], "amount": 1}),
    ("get", "/{customer_id}/purchases/{purchase_id}", None),
    ("get", "/{customer_id}/timeline", None),
    # "{name}" in a body is filled from the ids like the path; the merge falls back to the customer itself.
    ("post", "/{customer_id}/merge", {"other_id": "{other_customer_id}"}),
    ("get", "/{customer_id}/export", None),
    ("post", "/{customer_id}/erase", None),
]
ALL_OPERATIONS = COLLECTION_OPERATIONS + CUSTOMER_OPERATIONS


def operation_id(op: tuple[str, str, Any]) -> str:
    return f"{op[0].upper()} {op[1] or '/'}"


def full_customer(store: Any, person: Any, **fields: Any) -> dict[str, int]:
    """A customer with one of everything, as ``{"customer_id": ..., "phone_id": ..., ...}``."""
    import datetime as dt

    from django_scopes import scope

    from trunkshow.customers import services
    from trunkshow.customers.services import ConsentGrant

    actor = person.user
    with scope(store=store):
        customer = services.customer_create(
            store=store,
            actor=actor,
            allow_duplicate=True,
            first_name=fields.pop("first_name", "Berthe"),
            last_name=fields.pop("last_name", "Morisot"),
            phones=["+33 6 12 34 56 78"],
            emails=[f"berthe.{store.slug}@example.org"],
            interests=[("stone", "Opal")],
            consents=[ConsentGrant(channel="email", purpose="marketing")],
            **fields,
        )
        return {
            "customer_id": customer.pk,
            "phone_id": customer.phones.get().pk,
            "email_id": customer.emails.get().pk,
            "interest_id": customer.interests.get().pk,
            "note_id": services.note_create(store=store, actor=actor, customer=customer, body="Likes opals").pk,
            "date_id": services.important_date_create(
                store=store, actor=actor, customer=customer, kind="wedding", day=2, month=9
            ).pk,
            "size_id": services.size_add(
                store=store, actor=actor, customer=customer, kind="ring", system="EU", value="54"
            ).pk,
            "purchase_id": services.purchase_create(
                store=store,
                actor=actor,
                customer=customer,
                purchased_on=dt.date(2025, 5, 1),
                items=[{"description": "Opal ring"}],
                amount="900",
            ).pk,
        }


def _fill(body: Any, ids: dict[str, int]) -> Any:
    if not isinstance(body, dict):
        return body
    filled = {}
    for key, value in body.items():
        if isinstance(value, str) and value.startswith("{") and value.endswith("}"):
            value = ids.get(value[1:-1], ids["customer_id"])
        filled[key] = value
    return filled


def call(client: Client, op: tuple[str, str, Any], ids: dict[str, int]) -> Any:
    method, template, body = op
    body = _fill(body, ids)
    path = BASE + template.format(**ids)
    if method in ("post", "patch", "put"):
        return getattr(client, method)(path, data=body, content_type="application/json")
    return getattr(client, method)(path)
