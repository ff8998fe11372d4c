"""Inputs to the API that answer 500 (or store something a later read cannot show) instead of a clear 400.

Each test names the request that broke; they fail until the bug is fixed.
"""

from __future__ import annotations

import base64
import json
from typing import Any

import pytest

from tests.conftest import World, api, browser_client, make_customer
from tests.customers.test_api_support import BASE, assert_error, book

J = "application/json"


def cursor(raw: str) -> str:
    """A cursor as the API encodes one, around any JSON text."""
    return base64.urlsafe_b64encode(raw.encode()).decode().rstrip("=")


def quiet(client: Any) -> Any:
    client.raise_request_exception = False
    return client


# ---- lone UTF-16 surrogates: valid JSON, not encodable as UTF-8 ------------------------------


@pytest.mark.parametrize(
    ("method", "path", "raw", "field"),
    [
        ("post", "", '{"first_name": "Cl\\ud800ra"}', "first_name"),
        ("post", "/{id}/notes", '{"body": "Likes \\udc00 opals"}', "body"),
        ("post", "/{id}/interests", '{"kind": "stone", "value": "\\ud83d"}', "value"),
        ("patch", "/{id}", '{"last_name": "Berg\\ud800"}', "last_name"),
    ],
)
def test_a_lone_surrogate_in_text_is_a_400_not_a_500(world: World, method: str, path: str, raw: str, field: str):
    # Today: 500 "server_error" (UnicodeEncodeError on SQLite, on PostgreSQL too).
    customer = make_customer(world.a)
    before = book(world.a)
    response = getattr(api(world.a_owner), method)(BASE + path.format(id=customer.pk), data=raw, content_type=J)
    assert_error(response, 400, "invalid", fields=[field])
    assert book(world.a) == before


# ---- consent times ---------------------------------------------------------------------------


def test_a_consent_time_without_a_zone_is_a_400_not_a_500(world: World):
    # Today: 500 (TypeError: can't compare offset-naive and offset-aware datetimes).
    customer = make_customer(world.a)
    before = book(world.a)
    body = {"channel": "sms", "purpose": "marketing", "occurred_at": "2024-01-01T10:00:00"}
    response = api(world.a_owner).post(f"{BASE}/{customer.pk}/consent", json.dumps(body), content_type=J)
    assert_error(response, 400, "invalid")
    response = api(world.a_owner).post(BASE, json.dumps({"first_name": "Clara", "consents": [body]}), content_type=J)
    assert_error(response, 400, "invalid")
    assert book(world.a) == before


@pytest.mark.parametrize("occurred_at", ["0001-01-01T00:00:00Z", "0001-01-01T00:00:00+14:00"])
def test_a_consent_dated_year_one_never_breaks_the_customer(world: World, occurred_at: str):
    # Today, "0001-01-01T00:00:00Z" is stored (201) and the profile page of a store west of UTC
    # answers 500 for good (OverflowError in astimezone). "+14:00" answers 500 on SQLite, and on
    # PostgreSQL is stored as a BC timestamp after which GET /customers/{id}, its timeline and its
    # consent ledger all answer 500 (psycopg DataError: timestamp too small).
    customer = make_customer(world.a)
    client = quiet(api(world.a_owner))
    body = {"channel": "sms", "purpose": "marketing", "occurred_at": occurred_at}
    response = client.post(f"{BASE}/{customer.pk}/consent", json.dumps(body), content_type=J)
    assert response.status_code in (201, 400), response.content
    for path in ("", "/timeline", "/consent"):
        assert client.get(f"{BASE}/{customer.pk}{path}").status_code == 200, path
    assert quiet(browser_client(world.a_owner)).get(f"/customers/{customer.pk}/").status_code == 200


def test_consent_evidence_with_a_nul_is_refused_like_any_other_text(world: World):
    # Today: 201 on SQLite (the NUL is stored), 500 on PostgreSQL (text cannot hold NUL).
    customer = make_customer(world.a)
    before = book(world.a)
    body = {"channel": "sms", "purpose": "marketing", "evidence_text": "Yes\u0000please"}
    response = quiet(api(world.a_owner)).post(f"{BASE}/{customer.pk}/consent", json.dumps(body), content_type=J)
    assert_error(response, 400, "invalid")
    assert book(world.a) == before


# ---- sizes -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "body",
    [
        {"kind": "ring", "system": "EU", "value": "NaN"},
        {"kind": "bracelet", "system": "cm", "value": "sNaN"},
        {"kind": "necklace", "system": "in", "value": "nan"},
    ],
)
def test_a_size_of_nan_is_a_400_not_a_500(world: World, body: dict[str, str]):
    # Today: 500 (decimal.InvalidOperation comparing NaN in validate_size).
    customer = make_customer(world.a)
    before = book(world.a)
    response = api(world.a_owner).post(f"{BASE}/{customer.pk}/sizes", json.dumps(body), content_type=J)
    assert_error(response, 400, "invalid", fields=["value"])
    assert book(world.a) == before


def test_a_size_is_never_longer_than_its_column(world: World):
    # Today: 201 with value "10.00000000001" (14 characters in a 10-character column) on SQLite,
    # 500 on PostgreSQL (value too long for type character varying(10)).
    customer = make_customer(world.a)
    body = {"kind": "bracelet", "system": "cm", "value": "10.00000000001"}
    response = quiet(api(world.a_owner)).post(f"{BASE}/{customer.pk}/sizes", json.dumps(body), content_type=J)
    assert response.status_code in (201, 400), response.content
    if response.status_code == 201:
        assert len(response.json()["value"]) <= 10, response.json()


# ---- interests whose folded key is longer than the value -------------------------------------

GERMAN = "Weißgold, groß, Straßenstil, Fußkettchen, süß & schließbar"  # 57 characters; folded, 64


def test_an_interest_of_sixty_characters_with_eszett_is_saved(world: World):
    # Today on PostgreSQL: 500 (value_key = fold(value) turns each ß into ss and overflows varchar(60)).
    assert len(GERMAN) <= 60
    customer = make_customer(world.a)
    response = quiet(api(world.a_owner)).post(
        f"{BASE}/{customer.pk}/interests", json.dumps({"kind": "style", "value": GERMAN}), content_type=J
    )
    assert response.status_code == 201, response.content
    assert response.json()["value"] == GERMAN
    response = quiet(api(world.a_owner)).post(
        BASE, json.dumps({"first_name": "Greta", "interests": [{"kind": "style", "value": GERMAN}]}), content_type=J
    )
    assert response.status_code == 201, response.content


# ---- cursors ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("path", "raw"),
    [
        ("/api/v1/customers", '["berg clara", 1e309]'),
        ("/api/v1/customers/{id}/notes", '["2026-01-01T00:00:00+00:00", 1e309]'),
        ("/api/v1/customers/{id}/purchases", '["2026-01-01", 1e309]'),
        ("/api/v1/staff", "[1e309]"),
        ("/api/v1/staff", "[" * 20000 + "]" * 20000),
    ],
    ids=["customers-inf", "notes-inf", "purchases-inf", "staff-inf", "staff-deep"],
)
def test_a_forged_cursor_is_a_400_not_a_500(world: World, path: str, raw: str):
    # Today: 500. 1e309 decodes to float inf and int(inf) raises OverflowError, which paginate()
    # does not catch; /staff has no length limit on its cursor, so deep nesting raises RecursionError.
    customer = make_customer(world.a)
    response = quiet(api(world.a_owner)).get(path.format(id=customer.pk), {"cursor": cursor(raw)})
    assert_error(response, 400, "invalid_cursor")


def test_a_cursor_dated_year_one_is_not_a_500(world: World):
    # Today on SQLite: 500 (OverflowError: date value out of range, converting to UTC for the query).
    customer = make_customer(world.a)
    raw = '["0001-01-01T00:00:00+05:00", 1]'
    response = quiet(api(world.a_owner)).get(f"{BASE}/{customer.pk}/notes", {"cursor": cursor(raw)})
    assert response.status_code in (200, 400), response.content


@pytest.mark.parametrize(
    "params",
    [{"q": "Clara\u0000"}, {"q": "914\u0000555"}, {"cursor": cursor('["berg\\u0000", 1]')}],
    ids=["q-name", "q-digits", "cursor"],
)
def test_a_nul_in_the_customer_list_query_is_not_a_500(world: World, params: dict[str, str]):
    # Today on PostgreSQL: 500 (DataError: PostgreSQL text fields cannot contain NUL (0x00) bytes).
    make_customer(world.a)
    response = quiet(api(world.a_owner)).get(BASE, params)
    assert response.status_code in (200, 400), response.content
    if response.status_code == 400:
        assert_error(response, 400, response.json()["error"]["code"])


# ---- lifetime spend past its column ----------------------------------------------------------


def test_lifetime_spend_beyond_its_column_is_refused_and_the_book_still_reads(world: World):
    # Each purchase may be up to 9,999,999,999.99; lifetime_spend holds 14 digits.
    # Today on SQLite the 101st purchase is stored (201) and then GET /customers/{id}, the list,
    # and the staff pages answer 500 (InvalidOperation in the decimal converter); on PostgreSQL
    # the 101st purchase answers 500 (numeric field overflow) instead of a 400 that says why.
    customer = make_customer(world.a)
    client = quiet(api(world.a_owner))
    body = json.dumps({"purchased_on": "2024-01-01", "items": [{"description": "Tiara"}], "amount": "9999999999.99"})
    statuses = [client.post(f"{BASE}/{customer.pk}/purchases", body, content_type=J).status_code for _ in range(101)]
    assert statuses[:100] == [201] * 100
    assert statuses[100] in (201, 400), statuses[100]
    assert client.get(f"{BASE}/{customer.pk}").status_code == 200
    assert client.get(BASE).status_code == 200
    pages = quiet(browser_client(world.a_owner))
    assert pages.get("/customers/").status_code == 200
    assert pages.get(f"/customers/{customer.pk}/").status_code == 200


# ---- conversations, saved replies and WhatsApp templates -------------------------------------


def _conversation(world: World) -> Any:
    from django_scopes import scope

    from trunkshow.messaging.services import message_receive

    make_customer(world.a, phones=["+12125550142"])
    with scope(store=world.a):
        message, _ = message_receive(
            store=world.a, channel="sms", from_address="+12125550142", body="Hi", provider="sandbox", provider_id="SM1"
        )
    return message.conversation


def _messages(world: World) -> list[tuple[str, str]]:
    from django_scopes import scopes_disabled

    from trunkshow.messaging.models import Message

    with scopes_disabled():
        return list(Message.objects.filter(store=world.a).order_by("pk").values_list("direction", "body"))


@pytest.mark.parametrize(
    "raw",
    [
        '{"body": "Ready \\ud800 Saturday"}',
        '{"body": "Ready \\ud800 Saturday", "kind": "note"}',
        '{"body": "Ready\\u0000 Saturday"}',
        '{"body": "Ready\\u0000 Saturday", "kind": "note"}',
    ],
    ids=["reply-surrogate", "note-surrogate", "reply-nul", "note-nul"],
)
def test_a_message_that_cannot_be_stored_as_text_is_a_400(world: World, raw: str):
    # Today: a lone surrogate answers 500 (UnicodeEncodeError when the row is written); a NUL is
    # stored (201) on SQLite and answers 500 on PostgreSQL (text cannot hold NUL).
    conversation = _conversation(world)
    before = _messages(world)
    response = quiet(api(world.a_owner)).post(
        f"/api/v1/conversations/{conversation.pk}/messages", data=raw, content_type=J
    )
    assert_error(response, 400, "invalid", fields=["body"])
    assert _messages(world) == before


@pytest.mark.parametrize("user_id", ["100000000000000000000", "-100000000000000000000"])
def test_assigning_to_an_id_past_the_database_integer_is_a_400(world: World, user_id: str):
    # Today: 500 (OverflowError: Python int too large to convert to SQLite INTEGER).
    conversation = _conversation(world)
    response = quiet(api(world.a_owner)).post(
        f"/api/v1/conversations/{conversation.pk}/assign", data='{"assigned_to": ' + user_id + "}", content_type=J
    )
    assert_error(response, 400, "invalid", fields=["assigned_to"])


@pytest.mark.parametrize(
    ("raw", "field"),
    [
        ('{"title": "Ready\\u0000", "body": "Your ring is ready."}', "title"),
        ('{"title": "Ready", "body": "Yes\\u0000"}', "body"),
    ],
)
def test_a_saved_reply_with_a_nul_is_refused(world: World, raw: str, field: str):
    # Today: 201 on SQLite (the NUL is stored), 500 on PostgreSQL.
    from django_scopes import scopes_disabled

    from trunkshow.inbox.models import SavedReply

    response = quiet(api(world.a_owner)).post("/api/v1/saved-replies", data=raw, content_type=J)
    assert_error(response, 400, "invalid", fields=[field])
    with scopes_disabled():
        assert not SavedReply.objects.filter(store=world.a).exists()


def test_a_whatsapp_template_with_a_nul_is_refused(world: World):
    # Today: 201 on SQLite (the NUL is stored in the name), 500 on PostgreSQL.
    from django_scopes import scopes_disabled

    from trunkshow.messaging.models import WhatsAppTemplate

    body = {
        "name": "Ready\u0000",
        "content_sid": "HX" + "a" * 32,
        "language": "en",
        "body": "Your ring\u0000 is ready.",
        "approval_status": "approved",
    }
    response = quiet(api(world.a_owner)).post("/api/v1/whatsapp-templates", json.dumps(body), content_type=J)
    assert_error(response, 400, "invalid", fields=["name", "body"])
    with scopes_disabled():
        assert not WhatsAppTemplate.objects.filter(store=world.a).exists()


@pytest.mark.parametrize("path", ["/api/v1/conversations/{id}/messages", "/api/v1/imports"])
@pytest.mark.parametrize("content_type", ["multipart/form-data", "multipart/form-data; boundary="])
def test_a_multipart_body_without_a_boundary_is_a_400(world: World, path: str, content_type: str):
    # Today: 500 (MultiPartParserError: Invalid boundary in multipart: None), where the JSON
    # endpoints answer a body they cannot read with a 400.
    conversation = _conversation(world)
    before = _messages(world)
    response = quiet(api(world.a_owner)).post(
        path.format(id=conversation.pk), data=b"body=Ready", content_type=content_type
    )
    assert_error(response, 400, "bad_request")
    assert _messages(world) == before
    assert book(world.a)["customers.ImportJob"] == []
