"""Bad input to the customers API: 400, the field named with a specific message, and nothing stored."""

from __future__ import annotations

import datetime as dt

import pytest

from tests.conftest import World, api
from tests.customers.test_api_support import BASE, assert_error, book, full_customer, patch, post

# A purchase date two days ahead of the store's (New York's) today, worked out when the test runs:
# the cases are built when the module is imported, maybe before a midnight, and by the machine's
# date, which need not be New York's.
IN_TWO_DAYS = "in two days, New York time"
NAME = {"first_name": "Clara"}

# (body sent to POST /api/v1/customers, the field named, the message or None when any specific one will do)
CREATE_CASES = [
    ({"first_name": "x" * 101}, "first_name", "Use at most 100 characters (this has 101)."),
    ({**NAME, "last_name": "y" * 500}, "last_name", "Use at most 100 characters (this has 500)."),
    ({**NAME, "address_line1": "z" * 201}, "address_line1", "Use at most 200 characters (this has 201)."),
    ({**NAME, "partner_name": "p" * 201}, "partner_name", "Use at most 200 characters (this has 201)."),
    ({"first_name": "Cla\x00ra"}, "first_name", "Remove the control characters or line breaks from this field."),
    ({"first_name": "Clara\nBerg"}, "first_name", "Remove the control characters or line breaks from this field."),
    ({"first_name": "", "last_name": "  "}, "first_name", "Enter a first or last name."),
    ({**NAME, "phones": [{"number": "12"}]}, "phones.0.number", None),
    ({**NAME, "phones": [{"number": "not a phone"}]}, "phones.0.number", None),
    ({**NAME, "phones": [{"number": "+19145550142"}, {"number": "555"}]}, "phones.1.number", None),
    ({**NAME, "phones": [{"number": "9" * 41}]}, "phones.0.number", "A phone number has at most 40 characters."),
    ({**NAME, "phones": [{"number": "+19145550142", "label": "pager"}]}, "phones.0.label", None),
    ({**NAME, "phones": ["+19145550142"]}, "phones.0", None),
    ({**NAME, "emails": [{"address": "clara@"}]}, "emails.0.address", None),
    ({**NAME, "emails": [{"address": "clara at example.com"}]}, "emails.0.address", None),
    ({**NAME, "emails": [{"address": "a" * 250 + "@example.com"}]}, "emails.0.address", None),
    ({**NAME, "birthday_day": 30, "birthday_month": 2}, "birthday", "February has no day 30."),
    ({**NAME, "birthday_day": 31, "birthday_month": 4, "birthday_year": 1990}, "birthday", "April 1990 has no day 31."),
    (
        {**NAME, "birthday_day": 1, "birthday_month": 1, "birthday_year": 2999},
        "birthday",
        "This date is in the future.",
    ),
    ({**NAME, "birthday_day": 1, "birthday_month": 13}, "birthday_month", None),
    ({**NAME, "birthday_day": 5}, "birthday", "Give both the day and the month (the year is optional)."),
    ({**NAME, "partner_birthday_day": 30, "partner_birthday_month": 2}, "partner_birthday", "February has no day 30."),
    ({**NAME, "interests": [{"kind": "gemstone", "value": "Opal"}]}, "interests.0.kind", None),
    ({**NAME, "interests": [{"kind": "stone", "value": " "}]}, "interests.0.value", None),
    ({**NAME, "interests": [{"kind": "stone", "value": "o" * 61}]}, "interests.0.value", None),
    ({**NAME, "consents": [{"channel": "fax", "purpose": "marketing"}]}, "consents.0.channel", None),
    ({**NAME, "consents": [{"channel": "sms", "purpose": "spam"}]}, "consents.0.purpose", None),
    ({**NAME, "consents": [{"channel": "sms", "purpose": "service", "action": "maybe"}]}, "consents.0.action", None),
    (
        {**NAME, "consents": [{"channel": "sms", "purpose": "service", "method": "telepathy"}]},
        "consents.0.method",
        None,
    ),
    ({**NAME, "preferred_channel": "pigeon"}, "preferred_channel", None),
    ({**NAME, "source": "billboard"}, "source", None),
    ({**NAME, "time_zone": "Mars/Olympus_Mons"}, "time_zone", None),
    ({**NAME, "country": "ZZ"}, "country", None),
    ({**NAME, "language": "english please"}, "language", None),
    (
        {**NAME, "language": "zz-ZZZZ"},
        "language",
        "“zz-ZZZZ” is not a language code we know: use one such as en, fr or pt-BR.",
    ),
    ({**NAME, "partner_id": 987654321}, "partner_id", "No customer with this id in this store."),
    ({**NAME, "assigned_associate_id": 987654321}, "assigned_associate_id", None),
    ({**NAME, "birthday_day": "soon", "birthday_month": 1}, "birthday_day", None),
    # Mass assignment: fields the server owns are refused by name.
    ({**NAME, "store": 2}, "store", "Extra inputs are not permitted"),
    ({**NAME, "store_id": 2}, "store_id", "Extra inputs are not permitted"),
    ({**NAME, "id": 1}, "id", "Extra inputs are not permitted"),
    ({**NAME, "lifetime_spend": "1000000.00"}, "lifetime_spend", "Extra inputs are not permitted"),
    ({**NAME, "purchase_count": 9}, "purchase_count", "Extra inputs are not permitted"),
    ({**NAME, "created_by": 1}, "created_by", "Extra inputs are not permitted"),
    ({**NAME, "search_text": "x"}, "search_text", "Extra inputs are not permitted"),
    ({**NAME, "phones": [{"number": "+19145550142", "is_primary": False}]}, "phones.0.is_primary", None),
]


def _case_id(case) -> str:
    return case[1]


@pytest.mark.parametrize(
    ("body", "field", "message"), CREATE_CASES, ids=[f"{c[1]}-{i}" for i, c in enumerate(CREATE_CASES)]
)
def test_creating_a_customer_with_bad_input_stores_nothing(world: World, body, field, message):
    before = book(world.a)
    error = assert_error(post(api(world.a_owner), "", body), 400, "invalid", fields=[field])
    assert len(error["fields"][field]) == 1
    if message is not None:
        assert error["fields"][field] == [message]
    assert book(world.a) == before


def test_every_bad_field_is_named_at_once(world: World):
    body = {
        "first_name": "x" * 101,
        "birthday_day": 30,
        "birthday_month": 2,
        "phones": [{"number": "12"}],
        "emails": [{"address": "nope"}],
    }
    error = assert_error(post(api(world.a_owner), "", body), 400, "invalid")
    assert sorted(error["fields"]) == ["birthday", "emails.0.address", "first_name", "phones.0.number"]


@pytest.mark.parametrize(
    ("raw", "content_type"),
    [("{not json", "application/json"), ("[]", "application/json"), ('"Clara"', "application/json")],
)
def test_a_body_that_is_not_a_json_object_is_a_400(world: World, raw: str, content_type: str):
    before = book(world.a)
    response = api(world.a_owner).post(BASE, data=raw, content_type=content_type)
    assert response.status_code == 400
    assert set(response.json()["error"]) == {"code", "message", "fields"}
    assert book(world.a) == before


# (method, path after /{customer_id}, body, the field named, the message or None)
SUB_RESOURCE_CASES = [
    ("patch", "", {"first_name": "x" * 101}, "first_name", "Use at most 100 characters (this has 101)."),
    ("patch", "", {"first_name": "", "last_name": ""}, "first_name", "Enter a first or last name."),
    ("patch", "", {"birthday_day": 30, "birthday_month": 2}, "birthday", "February has no day 30."),
    ("patch", "", {"birthday_day": 1, "birthday_month": 1, "birthday_year": 2999}, "birthday", None),
    ("patch", "", {"source": None}, "source", None),
    ("patch", "", {"store": 2}, "store", "Extra inputs are not permitted"),
    ("patch", "", {"lifetime_spend": "5"}, "lifetime_spend", "Extra inputs are not permitted"),
    ("patch", "", {"phones": [{"number": "+19145550142"}]}, "phones", "Extra inputs are not permitted"),
    ("patch", "", {"allow_duplicate": True}, "allow_duplicate", "Extra inputs are not permitted"),
    ("post", "/phones", {"number": "555"}, "number", None),
    ("post", "/phones", {"number": "+33 6 12 34 56 78", "customer_id": 1}, "customer_id", None),
    ("post", "/phones", {}, "number", None),
    ("post", "/emails", {"address": "not-an-email"}, "address", None),
    ("post", "/emails", {"address": "berthe.atelier@example.org"}, "address", None),
    ("post", "/notes", {"body": "n" * 10_001}, "body", "Use at most 10000 characters (this has 10001)."),
    ("post", "/notes", {"body": "   "}, "body", "Write something in the note."),
    ("post", "/notes", {"body": "x", "author": 1}, "author", "Extra inputs are not permitted"),
    ("post", "/dates", {"kind": "anniversary", "day": 30, "month": 2}, "date", "February has no day 30."),
    ("post", "/dates", {"kind": "wedding", "day": 1, "month": 1, "year": 2999}, "date", "This date is in the future."),
    ("post", "/dates", {"kind": "birthday", "day": 1, "month": 1}, "kind", None),
    ("post", "/dates", {"kind": "custom", "day": 1, "month": 1}, "label", None),
    ("post", "/dates", {"kind": "anniversary", "label": "l" * 101, "day": 1, "month": 1}, "label", None),
    ("post", "/interests", {"kind": "gemstone", "value": "Opal"}, "kind", None),
    ("post", "/interests", {"kind": "stone", "value": "o" * 61}, "value", None),
    ("post", "/sizes", {"kind": "ring", "system": "JP", "value": "7"}, "system", None),
    ("post", "/sizes", {"kind": "ring", "system": "cm", "value": "7"}, "system", None),
    ("post", "/sizes", {"kind": "ring", "system": "US", "value": "42"}, "value", None),
    ("post", "/sizes", {"kind": "anklet", "system": "cm", "value": "20"}, "kind", None),
    ("post", "/sizes", {"kind": "bracelet", "system": "cm", "value": "3"}, "value", None),
    ("post", "/sizes", {"kind": "ring", "system": "US", "value": "7", "note": "n" * 101}, "note", None),
    ("post", "/consent", {"channel": "fax", "purpose": "marketing"}, "channel", None),
    ("post", "/consent", {"channel": "sms", "purpose": "spam"}, "purpose", None),
    ("post", "/consent", {"channel": "sms", "purpose": "marketing", "action": "maybe"}, "action", None),
    (
        "post",
        "/consent",
        {"channel": "sms", "purpose": "marketing", "evidence_text": "e" * 5001},
        "evidence_text",
        None,
    ),
    ("post", "/consent", {"channel": "sms", "purpose": "marketing", "evidence_url": "u" * 501}, "evidence_url", None),
    (
        "post",
        "/consent",
        {"channel": "sms", "purpose": "marketing", "occurred_at": "2999-01-01T00:00:00Z"},
        "consent",
        "Consent cannot be recorded for a time in the future.",
    ),
    (
        "post",
        "/consent",
        {"channel": "sms", "purpose": "marketing", "evidence_ip": "6.6.6.6"},
        "evidence_ip",
        "Extra inputs are not permitted",
    ),
    (
        "post",
        "/purchases",
        {"purchased_on": "2025-01-01", "items": [{"description": "Ring"}], "amount": -5},
        "amount",
        None,
    ),
    (
        "post",
        "/purchases",
        {"purchased_on": "2025-01-01", "items": [{"description": "Ring"}], "amount": "12.345"},
        "amount",
        "Use at most two decimal places.",
    ),
    (
        "post",
        "/purchases",
        {"purchased_on": "2025-01-01", "items": [{"description": "Ring"}], "amount": 12.345},
        "amount",
        "Use at most two decimal places.",
    ),
    (
        "post",
        "/purchases",
        {"purchased_on": "2025-01-01", "items": [{"description": "R"}], "amount": "NaN"},
        "amount",
        None,
    ),
    (
        "post",
        "/purchases",
        {"purchased_on": IN_TWO_DAYS, "items": [{"description": "Ring"}], "amount": 5},
        "purchased_on",
        "The purchase date is in the future.",
    ),
    (
        "post",
        "/purchases",
        {"purchased_on": "2025-02-30", "items": [{"description": "R"}], "amount": 5},
        "purchased_on",
        None,
    ),
    (
        "post",
        "/purchases",
        {"purchased_on": "2025-01-01", "items": [], "amount": 5},
        "items",
        "List at least one item.",
    ),
    (
        "post",
        "/purchases",
        {"purchased_on": "2025-01-01", "items": [{"description": "R", "quantity": 0}], "amount": 5},
        "items.0.quantity",
        None,
    ),
    (
        "post",
        "/purchases",
        {"purchased_on": "2025-01-01", "items": [{"description": " "}], "amount": 5},
        "items.0.description",
        "Describe the item.",
    ),
    (
        "post",
        "/purchases",
        {"purchased_on": "2025-01-01", "items": [{"description": "R"}], "amount": 5, "currency": "ABC"},
        "currency",
        None,
    ),
    (
        "post",
        "/purchases",
        {"purchased_on": "2025-01-01", "items": [{"description": "R"}], "amount": 5, "created_by": 1},
        "created_by",
        "Extra inputs are not permitted",
    ),
]


@pytest.mark.parametrize(
    ("method", "path", "body", "field", "message"),
    SUB_RESOURCE_CASES,
    ids=[f"{c[0]}{c[1] or '/'}-{c[3]}-{i}" for i, c in enumerate(SUB_RESOURCE_CASES)],
)
def test_bad_input_on_a_customer_stores_nothing(world: World, method, path, body, field, message):
    ids = full_customer(world.a, world.a_owner)
    before = book(world.a)
    client = api(world.a_owner)
    url = f"/{ids['customer_id']}{path}"
    if body.get("purchased_on") == IN_TWO_DAYS:
        body = {**body, "purchased_on": (dt.datetime.now(world.a.tz) + dt.timedelta(days=2)).date().isoformat()}
    response = patch(client, url, body) if method == "patch" else post(client, url, body)
    error = assert_error(response, 400, "invalid", fields=[field])
    assert len(error["fields"][field]) == 1
    if message is not None:
        assert error["fields"][field] == [message]
    assert book(world.a) == before


def test_the_same_email_twice_on_one_customer_names_the_address(world: World):
    ids = full_customer(world.a, world.a_owner)
    response = post(api(world.a_owner), f"/{ids['customer_id']}/emails", {"address": "Berthe.Atelier@Example.org"})
    error = assert_error(response, 400, "invalid", fields=["address"])
    assert error["fields"]["address"] == ["This customer already has berthe.atelier@example.org."]


def test_a_body_over_the_upload_limit_is_a_413_and_stores_nothing(world: World, settings):
    before = book(world.a)
    body = '{"first_name": "' + "x" * (settings.DATA_UPLOAD_MAX_MEMORY_SIZE + 1) + '"}'
    response = api(world.a_owner).post(BASE, data=body, content_type="application/json")
    error = assert_error(response, 413, "too_large", fields=[])
    assert error["message"] == f"The request body is over the limit of {settings.DATA_UPLOAD_MAX_MEMORY_SIZE} bytes."
    assert book(world.a) == before


def test_a_customer_cannot_be_their_own_partner(world: World):
    ids = full_customer(world.a, world.a_owner)
    before = book(world.a)
    response = patch(api(world.a_owner), f"/{ids['customer_id']}", {"partner_id": ids["customer_id"]})
    error = assert_error(response, 400, "invalid", fields=["partner_id"])
    assert error["fields"]["partner_id"] == ["A customer cannot be their own partner."]
    assert book(world.a) == before
