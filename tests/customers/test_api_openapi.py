"""The OpenAPI document lists every customers operation with its schemas."""

from __future__ import annotations

from typing import Any

import pytest

from tests.customers.test_api_support import ALL_OPERATIONS, operation_id

PREFIX = "/api/v1/customers"


@pytest.fixture
def document(client) -> dict[str, Any]:
    response = client.get("/api/v1/openapi.json")
    assert response.status_code == 200, response.content[:2000]
    return response.json()


def _resolve(document: dict[str, Any], schema: dict[str, Any]) -> dict[str, Any]:
    ref = schema.get("$ref", "")
    return document["components"]["schemas"][ref.rsplit("/", 1)[-1]] if ref else schema


@pytest.mark.parametrize("op", ALL_OPERATIONS, ids=operation_id)
def test_every_operation_is_documented_with_schemas_bearer_auth_and_errors(document, op):
    method, path, body = op
    operation = document["paths"][PREFIX + path][method]
    assert operation["summary"].strip() != ""
    assert operation["security"] == [{"StoreBearer": []}]
    responses = operation["responses"]
    success = [code for code in responses if code.startswith("2")]
    assert len(success) == 1
    if path.endswith("/export") and "{customer_id}" not in path:  # one customer's data is JSON
        assert set(responses[success[0]]["content"]) == {"text/csv"}
    elif success != ["204"]:
        schema = _resolve(document, responses[success[0]]["content"]["application/json"]["schema"])
        assert schema["type"] == "object" and schema["properties"]
    for code in ("400", "401", "404"):
        error = _resolve(document, responses[code]["content"]["application/json"]["schema"])
        assert set(error["properties"]) == {"error"}
    if body is not None:
        request = _resolve(document, operation["requestBody"]["content"]["application/json"]["schema"])
        assert request["additionalProperties"] is False
        assert set(body) <= set(request["properties"])
    else:
        assert "requestBody" not in operation


def test_operation_ids_are_unique(document):
    ids = [op["operationId"] for path in document["paths"].values() for op in path.values()]
    assert len(ids) == len(set(ids))


def test_creating_documents_the_duplicate_answer(document):
    responses = document["paths"][PREFIX]["post"]["responses"]
    duplicate = _resolve(document, responses["409"]["content"]["application/json"]["schema"])
    body = _resolve(document, duplicate["properties"]["error"])
    assert {"code", "message", "fields", "existing"} <= set(body["properties"])


def test_closed_vocabularies_are_documented_as_enums(document):
    schemas = document["components"]["schemas"]
    assert schemas["Channel"]["enum"] == ["sms", "email", "whatsapp", "phone", "post"]
    assert schemas["InterestKind"]["enum"] == ["metal", "stone", "style", "designer", "free"]
    assert schemas["SizeSystem"]["enum"] == ["US", "UK", "EU", "cm", "in"]


def test_the_list_documents_its_filters(document):
    params = {p["name"]: p for p in document["paths"][PREFIX]["get"]["parameters"]}
    assert sorted(params) == [
        "associate",
        "consent",
        "contact_older_than",
        "cursor",
        "date",
        "interest",
        "limit",
        "q",
        "sort",
        "source",
        "spend_max",
        "spend_min",
        "within",
    ]
    assert (params["limit"]["schema"]["minimum"], params["limit"]["schema"]["maximum"]) == (1, 100)
