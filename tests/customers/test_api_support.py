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
