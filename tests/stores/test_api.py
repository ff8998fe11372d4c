"""The stores API: the token's store and its staff, with bearer tokens and the error envelope."""

from __future__ import annotations

import pytest
from django.test import Client
from django_scopes import scope

from tests.conftest import api
from trunkshow.stores.models import ApiToken
from trunkshow.stores.services import staff_create, token_revoke

STAFF_FIELDS = {"id", "user_id", "name", "email", "role", "is_active", "created_at"}


def test_store_endpoint_returns_the_tokens_store(world):
    response = api(world.b_associate).get("/api/v1/store")
    assert response.status_code == 200
    body = response.json()
    assert body == {
        "id": world.b.pk,
        "slug": "bijoux",
        "name": "Bijoux Berger",
        "time_zone": "Europe/Paris",
        "currency": "EUR",
        "locale": "fr_FR",
        "phone_region": "FR",
        "address_line1": "",
        "address_line2": "",
        "city": "",
        "region": "",
        "postal_code": "",
        "country": "FR",
        "opening_hours": {},
        "created_at": body["created_at"],
    }


def test_staff_list_has_explicit_fields_and_no_secrets(world):
    response = api(world.a_associate).get("/api/v1/staff")
    assert response.status_code == 200
    body = response.json()
    assert body["next_cursor"] is None
    assert [(s["email"], s["role"], s["name"], s["is_active"]) for s in body["items"]] == [
        ("ana@atelier.example.com", "owner", "Ana Owner", True),
        ("max@atelier.example.com", "manager", "Max Manager", True),
        ("ali@atelier.example.com", "associate", "Ali Associate", True),
    ]
    assert {frozenset(s) for s in body["items"]} == {frozenset(STAFF_FIELDS)}
    text = response.content.decode()
    assert "password" not in text
    assert "token" not in text
    assert "argon2" not in text and "md5$" not in text


def test_staff_list_is_cursor_paginated(world):
    with scope(store=world.a):
        for i in range(5):
            staff_create(store=world.a, email=f"extra{i}@atelier.example.com", role="associate", name=f"Extra {i}")
    client = api(world.a_owner)
    seen: list[str] = []
    cursor = None
    pages = 0
    while True:
        response = client.get("/api/v1/staff", {"limit": 3, **({"cursor": cursor} if cursor else {})})
        assert response.status_code == 200
        body = response.json()
        seen += [s["email"] for s in body["items"]]
        pages += 1
        cursor = body["next_cursor"]
        if cursor is None:
            break
    assert pages == 3
    assert len(seen) == 8 == len(set(seen))
    assert "bea@bijoux.example.org" not in seen


def test_bad_cursor_and_limit_are_400_with_the_envelope(world):
    client = api(world.a_owner)
    bad_cursor = client.get("/api/v1/staff", {"cursor": "not-a-cursor"})
    assert bad_cursor.status_code == 400
    assert bad_cursor.json()["error"]["code"] == "invalid_cursor"
    bad_limit = client.get("/api/v1/staff", {"limit": 0})
    assert bad_limit.status_code == 400
    assert bad_limit.json()["error"]["code"] == "invalid"
    assert list(bad_limit.json()["error"]["fields"]) == ["limit"]


def test_one_staff_member_by_id(world):
    response = api(world.a_associate).get(f"/api/v1/staff/{world.a_manager.membership.pk}")
    assert response.status_code == 200
    body = response.json()
    assert (body["email"], body["role"], body["user_id"]) == (world.a_manager.email, "manager", world.a_manager.user.pk)
    assert set(body) == STAFF_FIELDS


def test_another_stores_staff_member_is_a_404_with_the_envelope(world):
    response = api(world.a_owner).get(f"/api/v1/staff/{world.b_owner.membership.pk}")
    assert response.status_code == 404
    assert response.json() == {"error": {"code": "not_found", "message": "Not found.", "fields": {}}}


@pytest.mark.parametrize("path", ["/api/v1/store", "/api/v1/staff", "/api/v1/staff/1"])
def test_missing_token_is_401_with_the_envelope(world, path):
    response = Client().get(path)
    assert response.status_code == 401
    assert response["WWW-Authenticate"] == 'Bearer realm="trunkshow"'
    assert response.json() == {
        "error": {
            "code": "unauthenticated",
            "message": "Send an API token as 'Authorization: Bearer <token>'.",
            "fields": {},
        }
    }


@pytest.mark.parametrize(
    "header,message",
    [
        ("Bearer ts_wrongwrongwrongwrongwrongwrongwrongwrong", "The API token is not valid."),
        ("Bearer something-else", "The API token is not valid."),
        ("Basic YWRtaW46YWRtaW4=", "Send an API token as 'Authorization: Bearer <token>'."),
    ],
)
def test_wrong_token_is_401(world, header, message):
    response = Client(headers={"Authorization": header}).get("/api/v1/staff")
    assert response.status_code == 401
    assert response.json()["error"] == {"code": "unauthenticated", "message": message, "fields": {}}


def test_revoked_token_is_401(world):
    with scope(store=world.a):
        token = ApiToken.objects.get(membership=world.a_owner.membership)
        token_revoke(store=world.a, actor=world.a_owner.user, token=token)
    response = api(world.a_owner).get("/api/v1/store")
    assert response.status_code == 401
    assert response.json()["error"]["message"] == "The API token has been revoked."


def test_session_cookie_does_not_authenticate_the_api(world):
    client = Client()
    client.force_login(world.a_owner.user)
    assert client.get("/api/v1/store").status_code == 401


def test_openapi_documents_the_stores_endpoints(world):
    spec = Client().get("/api/v1/openapi.json").json()
    assert {"/api/v1/store", "/api/v1/staff", "/api/v1/staff/{id}"} <= set(spec["paths"])
    staff = spec["components"]["schemas"]["StaffOut"]["properties"]
    assert set(staff) == STAFF_FIELDS
