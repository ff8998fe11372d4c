"""The API for merge, one customer's data export and erasure: roles, bad input, tenancy, 409/410."""

from __future__ import annotations

from typing import Any

import pytest
from django_scopes import scope, scopes_disabled

from tests.conftest import World, api, make_customer
from trunkshow.core.models import AuditEntry
from trunkshow.core.templatetags.trunkshow import store_day
from trunkshow.customers.models import ConsentEvent, Customer, CustomerMerge, CustomerPhone, Suppression


def _two(world: World) -> tuple[Customer, Customer]:
    keep = make_customer(world.a, world.a_owner, first_name="Katherine", last_name="Szirmay", phones=["+19145550142"])
    other = make_customer(
        world.a,
        world.a_owner,
        first_name="Kate",
        last_name="Szirmai",
        phones=["+19145550142", "+12125550100"],
        emails=["kate@example.com"],
        city="Boston",
    )
    return keep, other


def _state() -> Any:
    with scopes_disabled():
        return (
            list(Customer.objects.order_by("id").values()),
            sorted(CustomerPhone.objects.values_list("id", "customer_id")),
            sorted(ConsentEvent.objects.values_list("id", "customer_id")),
            CustomerMerge.objects.count(),
            Suppression.objects.count(),
            sorted(AuditEntry.objects.values_list("action", flat=True)),
        )


def test_merge_through_the_api(world: World):
    keep, other = _two(world)
    response = api(world.a_manager).post(
        f"/api/v1/customers/{keep.pk}/merge",
        {"other_id": other.pk, "choices": {"last_name": "taken"}},
        content_type="application/json",
    )
    assert response.status_code == 200, response.content
    body = response.json()
    assert (body["id"], body["first_name"], body["last_name"], body["city"]) == (
        keep.pk,
        "Katherine",
        "Szirmai",
        "Boston",
    )
    assert [p["number"] for p in body["phones"]] == ["+19145550142", "+12125550100"]
    assert [e["address"] for e in body["emails"]] == ["kate@example.com"]
    assert api(world.a_manager).get(f"/api/v1/customers/{other.pk}").status_code == 404
    timeline = api(world.a_manager).get(f"/api/v1/customers/{keep.pk}/timeline").json()["items"]
    merge = [e for e in timeline if e["kind"] == "merge"]
    assert len(merge) == 1
    assert merge[0]["actor"]["name"] == "Max Manager"
    assert merge[0]["data"] == {
        "taken": ["Last name", "Address"],
        "changes": [
            {"label": "Last name", "now": "Szirmai", "was": "Szirmay"},
            {"label": "Address", "now": "Boston", "was": ""},
        ],
        "merged_customer_id": other.pk,
        "merged_name": "Kate Szirmai",
    }


@pytest.mark.parametrize(
    ("make_body", "status", "code", "fields"),
    [
        (lambda keep, other, b: {"other_id": keep.pk}, 400, "invalid", ["other_id"]),
        (lambda keep, other, b: {"other_id": b.pk}, 400, "invalid", ["other_id"]),
        (lambda keep, other, b: {"other_id": 10**12}, 400, "invalid", ["other_id"]),
        (
            lambda keep, other, b: {"other_id": other.pk, "choices": {"shoe_size": "taken"}},
            400,
            "invalid",
            ["choices.shoe_size"],
        ),
        (
            lambda keep, other, b: {"other_id": other.pk, "choices": {"address": "both"}},
            400,
            "invalid",
            ["choices.address"],
        ),
        (lambda keep, other, b: {"other_id": other.pk, "choices": {"address": 1}}, 400, "invalid", ["choices.address"]),
        (lambda keep, other, b: {"other_id": other.pk, "store": 2}, 400, "invalid", ["store"]),
        (lambda keep, other, b: {}, 400, "invalid", ["other_id"]),
        (lambda keep, other, b: {"other_id": "two"}, 400, "invalid", ["other_id"]),
    ],
    ids=[
        "itself",
        "other-store",
        "unknown-id",
        "unknown-field",
        "unknown-value",
        "wrong-type",
        "mass-assignment",
        "missing",
        "not-a-number",
    ],
)
def test_bad_merges_get_a_specific_answer_and_change_nothing(world: World, make_body, status, code, fields):
    keep, other = _two(world)
    stranger = make_customer(world.b, world.b_owner, first_name="Béa")
    before = _state()
    response = api(world.a_owner).post(
        f"/api/v1/customers/{keep.pk}/merge", make_body(keep, other, stranger), content_type="application/json"
    )
    assert response.status_code == status, response.content
    error = response.json()["error"]
    assert error["code"] == code
    assert sorted(error["fields"]) == fields
    assert _state() == before


def test_merging_with_an_erased_customer_is_refused_with_the_reason(world: World):
    keep, other = _two(world)
    assert api(world.a_owner).post(f"/api/v1/customers/{other.pk}/erase").status_code == 200
    before = _state()
    response = api(world.a_owner).post(
        f"/api/v1/customers/{keep.pk}/merge", {"other_id": other.pk}, content_type="application/json"
    )
    assert response.status_code == 400
    assert response.json()["error"]["fields"]["other_id"][0].startswith(f"Customer no. {other.pk} was erased on ")
    # And the erased one cannot be the survivor: it is gone.
    response = api(world.a_owner).post(
        f"/api/v1/customers/{other.pk}/merge", {"other_id": keep.pk}, content_type="application/json"
    )
    assert response.status_code == 410
    assert response.json()["error"]["code"] == "erased"
    assert _state() == before


ROUTES = [
    ("post", "/api/v1/customers/{keep}/merge", "Only owners and managers can merge customers."),
    ("get", "/api/v1/customers/{keep}/export", "Only owners and managers can download a customer's personal data."),
    ("post", "/api/v1/customers/{keep}/erase", "Only owners and managers can erase a customer's personal data."),
]


@pytest.mark.parametrize(("method", "route", "reason"), ROUTES)
@pytest.mark.parametrize(("role", "allowed"), [("a_owner", True), ("a_manager", True), ("a_associate", False)])
def test_only_owners_and_managers_merge_export_and_erase(world: World, method, route, reason, role, allowed):
    keep, other = _two(world)
    before = _state()
    merging = route.endswith("/merge")
    kwargs = {"data": {"other_id": other.pk}, "content_type": "application/json"} if merging else {}
    response = getattr(api(getattr(world, role)), method)(route.format(keep=keep.pk), **kwargs)
    if allowed:
        assert response.status_code == 200, response.content
    else:
        assert response.status_code == 403
        assert response.json()["error"] == {"code": "forbidden", "message": reason, "fields": {}}
        assert _state() == before


def test_export_is_json_of_everything_and_audited(world: World):
    keep, _other = _two(world)
    response = api(world.a_owner).get(f"/api/v1/customers/{keep.pk}/export")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/json; charset=utf-8"
    data = response.json()
    assert data["customer"]["first_name"] == "Katherine"
    assert [p["e164"] for p in data["phones"]] == ["+19145550142"]
    with scopes_disabled():
        entry = AuditEntry.objects.get(action="trunkshow.customer.exported")
    assert (entry.object_id, entry.ip) == (str(keep.pk), "127.0.0.1")


def test_erase_then_everything_about_them_is_gone(world: World):
    keep, _other = _two(world)
    client = api(world.a_owner)
    response = client.post(f"/api/v1/customers/{keep.pk}/erase")
    assert response.status_code == 200
    assert response.json()["id"] == keep.pk
    with scope(store=world.a):
        keep.refresh_from_db()
    assert response.json()["erased_at"].replace("Z", "+00:00")[:19] == keep.erased_at.isoformat()[:19]
    day = store_day(world.a, keep.erased_at)  # the store's day, as every other message writes it
    for path in ("", "/export", "/timeline", "/notes", "/consent"):
        gone = client.get(f"/api/v1/customers/{keep.pk}{path}")
        assert gone.status_code == 410, path
        assert gone.json()["error"] == {
            "code": "erased",
            "message": f"Customer no. {keep.pk} was erased on {day}.",
            "fields": {},
        }
    # The search forgives a typo, so "Szirmay" finds the other record (Kate Szirmai), never the erased one.
    assert [c["id"] for c in client.get("/api/v1/customers?q=Szirmay").json()["items"]] == [_other.pk]
    assert client.get("/api/v1/customers?q=Katherine").json()["items"] == []
    assert [c["id"] for c in client.get("/api/v1/customers").json()["items"]] == [_other.pk]
    again = client.post(f"/api/v1/customers/{keep.pk}/erase")
    assert again.status_code == 409
    assert again.json()["error"]["code"] == "already_erased"
    assert again.json()["error"]["message"].startswith(f"Customer no. {keep.pk} was already erased on ")


def test_another_stores_customer_cannot_be_erased_or_exported(world: World):
    stranger = make_customer(world.b, world.b_owner, first_name="Béa", emails=["bea@example.org"])
    before = _state()
    client = api(world.a_owner)
    for response in (
        client.post(f"/api/v1/customers/{stranger.pk}/erase"),
        client.get(f"/api/v1/customers/{stranger.pk}/export"),
        client.post(
            f"/api/v1/customers/{stranger.pk}/merge", {"other_id": stranger.pk}, content_type="application/json"
        ),
    ):
        assert response.status_code == 404
        assert "Béa" not in response.content.decode()
    assert _state() == before


@pytest.mark.parametrize("body", ['{"dry_run": true}', '{"other_id": 1}', "[]", "not json"])
def test_erase_with_a_body_is_refused_and_erases_nothing(world: World, body: str):
    """Erase takes no body: one sent (a hoped-for dry run, a merge's fields) is a 400, not ignored."""
    from tests.customers.test_api_support import assert_error

    keep, _other = _two(world)
    client = api(world.a_owner)
    response = client.post(f"/api/v1/customers/{keep.pk}/erase", body, content_type="application/json")
    error = assert_error(response, 400, "invalid", fields=["body"])
    assert error["message"] == "This action takes no request body; send none."
    keep.refresh_from_db()
    assert keep.erased_at is None
    assert client.get(f"/api/v1/customers/{keep.pk}").status_code == 200
    # Nothing, or an empty object, is the erase.
    assert client.post(f"/api/v1/customers/{keep.pk}/erase", "{}", content_type="application/json").status_code == 200


def test_an_erasure_at_9_pm_in_new_york_is_dated_that_day_in_every_message(world: World):
    """01:30 UTC on November 25 is 8:30 PM on November 24 in the store's New York."""
    import time_machine

    from tests.conftest import browser_client

    keep, other = _two(world)
    with time_machine.travel("2026-11-25 01:30:00+00:00", tick=False):
        assert api(world.a_owner).post(f"/api/v1/customers/{other.pk}/erase").status_code == 200
    client = api(world.a_owner)

    gone = client.get(f"/api/v1/customers/{other.pk}").json()["error"]["message"]
    again = client.post(f"/api/v1/customers/{other.pk}/erase").json()["error"]["message"]
    merge = client.post(f"/api/v1/customers/{keep.pk}/merge", {"other_id": other.pk}, content_type="application/json")
    page = browser_client(world.a_owner).get(f"/customers/{keep.pk}/merge/", {"other": other.pk})

    assert gone == f"Customer no. {other.pk} was erased on Nov 24, 2026."  # as the 409 and the merge say it
    assert again == f"Customer no. {other.pk} was already erased on Nov 24, 2026; there is nothing left to erase."
    assert merge.json()["error"]["fields"]["other_id"] == [
        f"Customer no. {other.pk} was erased on Nov 24, 2026; there is nothing left to merge."
    ]
    assert f"Customer no. {other.pk} was erased on Nov 24, 2026; there is nothing left to merge." in (
        page.content.decode()
    )


@pytest.mark.parametrize("from_page", ["hers", "his"])
def test_partners_are_not_merged_through_the_api_either(world: World, from_page: str):
    marta = make_customer(world.a, world.a_owner, first_name="Märta", last_name="Åkesson")
    bjorn = make_customer(world.a, world.a_owner, first_name="Björn", last_name="Åkesson", partner_id=marta.pk)
    with scopes_disabled():
        Customer.objects.filter(pk=marta.pk).update(partner=None)  # only his record names her
    keep, other = (marta, bjorn) if from_page == "hers" else (bjorn, marta)
    before = _state()
    response = api(world.a_owner).post(
        f"/api/v1/customers/{keep.pk}/merge",
        {"other_id": other.pk, "choices": {"partner": "taken"}},
        content_type="application/json",
    )
    assert response.status_code == 400
    said = (
        f"Märta Åkesson (no. {marta.pk}) is the partner of Björn Åkesson (no. {bjorn.pk}): partners are two people, "
        "so their records are not merged. If that is a mistake, remove the partner from Björn Åkesson's record first."
    )
    assert response.json()["error"] == {"code": "invalid", "message": said, "fields": {"other_id": [said]}}
    assert _state() == before


@pytest.mark.parametrize("value", ["taken", 1], ids=["unknown-names", "values-not-text"])
def test_a_merge_with_100001_bad_choices_gets_a_small_answer_and_changes_nothing(world: World, value):
    keep, other = _two(world)
    before = _state()
    choices = {f"field_{n:06d}": value for n in range(100_001)}
    response = api(world.a_owner).post(
        f"/api/v1/customers/{keep.pk}/merge",
        {"other_id": other.pk, "choices": choices},
        content_type="application/json",
    )
    assert response.status_code == 400
    assert len(response.content) < 10_000, len(response.content)
    error = response.json()["error"]
    if value == "taken":
        assert sorted(error["fields"]) == [
            "choices",
            "choices.field_000000",
            "choices.field_000001",
            "choices.field_000002",
        ]
        assert error["fields"]["choices"][0].startswith("100001 unknown fields in all (the first 3 are named); ")
    else:
        assert len(error["fields"]) == 20
        assert error["message"].endswith("(100001 fields have errors; the first 20 are listed.)")
    assert _state() == before
