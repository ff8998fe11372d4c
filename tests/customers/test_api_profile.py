"""The customers API's sub-resources: phones, emails, notes, dates, interests, sizes, consent, purchases, timeline."""

from __future__ import annotations

import datetime as dt

import pytest
from django_scopes import scope

from tests.conftest import World, api, make_customer
from tests.customers.test_api_support import BASE, assert_error, counts, delete, get, post
from trunkshow.customers import services
from trunkshow.customers.models import ConsentEvent, Note


@pytest.fixture
def clara(world: World):
    return make_customer(world.a, world.a_owner, first_name="Clara", last_name="Berg")


def test_phones_are_added_in_e164_and_removed(world: World, clara):
    client = api(world.a_associate)
    first = post(client, f"/{clara.pk}/phones", {"number": "(914) 555-0142"})
    second = post(client, f"/{clara.pk}/phones", {"number": "0044 20 7946 0958", "label": "work"})
    assert first.status_code == second.status_code == 201
    assert first.json() == {"id": first.json()["id"], "number": "+19145550142", "label": "mobile", "is_primary": True}
    assert second.json()["number"] == "+442079460958"
    assert second.json()["is_primary"] is False

    assert delete(client, f"/{clara.pk}/phones/{first.json()['id']}").status_code == 204
    phones = get(client, f"/{clara.pk}").json()["phones"]
    assert [(p["number"], p["is_primary"]) for p in phones] == [("+442079460958", True)]


def test_the_same_phone_twice_on_one_customer_is_refused(world: World, clara):
    client = api(world.a_owner)
    post(client, f"/{clara.pk}/phones", {"number": "+19145550142"})
    before = counts(world.a)
    error = assert_error(post(client, f"/{clara.pk}/phones", {"number": "914.555.0142"}), 400, "invalid", ["number"])
    assert error["fields"]["number"] == ["This customer already has +19145550142."]
    assert counts(world.a) == before


def test_emails_are_added_normalised_and_removed(world: World, clara):
    client = api(world.a_owner)
    added = post(client, f"/{clara.pk}/emails", {"address": "  Zoë@Example.COM ", "label": "work"})
    assert added.status_code == 201
    assert added.json() == {"id": added.json()["id"], "address": "zoë@example.com", "label": "work", "is_primary": True}
    assert delete(client, f"/{clara.pk}/emails/{added.json()['id']}").status_code == 204
    assert get(client, f"/{clara.pk}").json()["emails"] == []


def test_notes_are_written_with_their_author_and_listed_newest_first_in_pages(world: World, clara):
    client = api(world.a_associate)
    created = post(client, f"/{clara.pk}/notes", {"body": "Looked at sapphire halos.\nPrefers platinum."})
    assert created.status_code == 201
    note = created.json()
    assert (note["body"], note["author"]) == (
        "Looked at sapphire halos.\nPrefers platinum.",
        {"id": world.a_associate.user.pk, "name": "Ali Associate"},
    )
    assert get(client, f"/{clara.pk}/notes/{note['id']}").json() == note

    start = dt.datetime(2026, 1, 1, tzinfo=dt.UTC)
    with scope(store=world.a):
        for i in range(29):  # some share a timestamp: the id breaks the tie
            Note.objects.create(
                store=world.a, customer=clara, body=f"n{i}", created_at=start + dt.timedelta(hours=i // 2)
            )
        expected = list(Note.objects.filter(customer=clara).order_by("-created_at", "-id").values_list("id", flat=True))

    first = get(client, f"/{clara.pk}/notes").json()
    second = get(client, f"/{clara.pk}/notes", cursor=first["next_cursor"]).json()
    assert (len(first["items"]), len(second["items"]), second["next_cursor"]) == (25, 5, None)
    assert [n["id"] for n in first["items"] + second["items"]] == expected
    assert first["items"][0]["id"] == note["id"]


def test_notes_keep_html_as_text(world: World, clara):
    body = "<img src=x onerror=alert(1)> & <b>bold</b>"
    created = post(api(world.a_owner), f"/{clara.pk}/notes", {"body": body})
    assert created.json()["body"] == body


def test_important_dates_are_added_listed_and_removed(world: World, clara):
    client = api(world.a_owner)
    wedding = post(client, f"/{clara.pk}/dates", {"kind": "wedding", "day": 12, "month": 6, "year": 2015})
    first_date = post(client, f"/{clara.pk}/dates", {"kind": "custom", "label": "First date", "day": 29, "month": 2})
    assert wedding.status_code == first_date.status_code == 201
    assert get(client, f"/{clara.pk}/dates").json() == {
        "items": [
            {
                "id": first_date.json()["id"],
                "kind": "custom",
                "label": "First date",
                "day": 29,
                "month": 2,
                "year": None,
            },
            {"id": wedding.json()["id"], "kind": "wedding", "label": "", "day": 12, "month": 6, "year": 2015},
        ]
    }
    assert delete(client, f"/{clara.pk}/dates/{wedding.json()['id']}").status_code == 204
    assert [d["kind"] for d in get(client, f"/{clara.pk}/dates").json()["items"]] == ["custom"]


def test_interests_are_added_once_listed_and_removed(world: World, clara):
    client = api(world.a_owner)
    sapphire = post(client, f"/{clara.pk}/interests", {"kind": "stone", "value": "Sapphire"})
    again = post(client, f"/{clara.pk}/interests", {"kind": "stone", "value": "  sapphire "})
    assert sapphire.status_code == again.status_code == 201
    assert again.json() == sapphire.json() == {"id": sapphire.json()["id"], "kind": "stone", "value": "Sapphire"}
    post(client, f"/{clara.pk}/interests", {"kind": "designer", "value": "Cartier"})
    assert [(i["kind"], i["value"]) for i in get(client, f"/{clara.pk}/interests").json()["items"]] == [
        ("designer", "Cartier"),
        ("stone", "Sapphire"),
    ]
    assert delete(client, f"/{clara.pk}/interests/{sapphire.json()['id']}").status_code == 204
    assert [i["value"] for i in get(client, f"/{clara.pk}/interests").json()["items"]] == ["Cartier"]


@pytest.mark.parametrize(
    ("sent", "stored"),
    [
        ({"kind": "ring", "system": "US", "value": "6.5"}, "6.5"),
        ({"kind": "ring", "system": "UK", "value": "m.5"}, "M½"),
        ({"kind": "ring", "system": "EU", "value": "52,0"}, "52"),
        ({"kind": "bracelet", "system": "cm", "value": "17.5"}, "17.5"),
        ({"kind": "necklace", "system": "in", "value": "18"}, "18"),
    ],
)
def test_sizes_are_stored_in_their_system(world: World, clara, sent, stored):
    client = api(world.a_owner)
    created = post(client, f"/{clara.pk}/sizes", {**sent, "note": "left hand"})
    assert created.status_code == 201, created.content
    assert created.json() == {**sent, "id": created.json()["id"], "value": stored, "note": "left hand"}
    assert get(client, f"/{clara.pk}/sizes").json() == {"items": [created.json()]}
    assert delete(client, f"/{clara.pk}/sizes/{created.json()['id']}").status_code == 204
    assert get(client, f"/{clara.pk}/sizes").json() == {"items": []}


# ---- consent: append-only ledger ------------------------------------------------------------


def _sms_marketing(client, customer_id: int) -> bool:
    states = get(client, f"/{customer_id}").json()["consent"]
    return next(s["granted"] for s in states if (s["channel"], s["purpose"]) == ("sms", "marketing"))


def test_granting_then_withdrawing_flips_current_consent_and_keeps_both_events(world: World, clara):
    client = api(world.a_associate)
    assert _sms_marketing(client, clara.pk) is False
    granted = post(
        client,
        f"/{clara.pk}/consent",
        {
            "channel": "sms",
            "purpose": "marketing",
            "method": "form",
            "evidence_text": "Yes, text me new arrivals. Msg & data rates may apply. Reply STOP to stop.",
            "evidence_url": "https://atelier.example.com/join",
        },
    )
    assert granted.status_code == 201, granted.content
    event = granted.json()
    assert {k: v for k, v in event.items() if k not in ("id", "occurred_at", "recorded_at")} == {
        "channel": "sms",
        "purpose": "marketing",
        "action": "granted",
        "method": "form",
        "evidence_text": "Yes, text me new arrivals. Msg & data rates may apply. Reply STOP to stop.",
        "evidence_url": "https://atelier.example.com/join",
        "evidence_ip": "127.0.0.1",
        "staff": {"id": world.a_associate.user.pk, "name": "Ali Associate"},
    }
    assert _sms_marketing(client, clara.pk) is True

    withdrawn = post(client, f"/{clara.pk}/consent", {"channel": "sms", "purpose": "marketing", "action": "withdrawn"})
    assert withdrawn.status_code == 201
    assert _sms_marketing(client, clara.pk) is False

    ledger = get(client, f"/{clara.pk}/consent").json()
    assert [(e["id"], e["action"], e["method"]) for e in ledger["items"]] == [
        (event["id"], "granted", "form"),
        (withdrawn.json()["id"], "withdrawn", "staff"),
    ]
    assert ledger["next_cursor"] is None


def test_consent_given_earlier_is_recorded_at_that_time_and_ordered_by_it(world: World, clara):
    client = api(world.a_owner)
    post(client, f"/{clara.pk}/consent", {"channel": "email", "purpose": "marketing"})
    earlier = post(
        client,
        f"/{clara.pk}/consent",
        {"channel": "email", "purpose": "marketing", "action": "withdrawn", "occurred_at": "2025-03-01T10:00:00Z"},
    )
    assert earlier.json()["occurred_at"] == "2025-03-01T10:00:00Z"
    assert [e["action"] for e in get(client, f"/{clara.pk}/consent").json()["items"]] == ["withdrawn", "granted"]
    states = get(client, f"/{clara.pk}").json()["consent"]
    assert next(s["granted"] for s in states if (s["channel"], s["purpose"]) == ("email", "marketing")) is True


def test_the_consent_ledger_cannot_be_edited_or_deleted_through_the_api(world: World, clara):
    client = api(world.a_owner)
    event_id = post(client, f"/{clara.pk}/consent", {"channel": "sms", "purpose": "service"}).json()["id"]
    before = counts(world.a)
    with scope(store=world.a):
        original = ConsentEvent.objects.values().get(pk=event_id)
    body = {"channel": "sms", "purpose": "service", "action": "withdrawn"}
    attempts = [
        client.put(f"{BASE}/{clara.pk}/consent", data=body, content_type="application/json"),
        client.delete(f"{BASE}/{clara.pk}/consent"),
        client.patch(f"{BASE}/{clara.pk}/consent", data=body, content_type="application/json"),
        client.put(f"{BASE}/{clara.pk}/consent/{event_id}", data=body, content_type="application/json"),
        client.patch(f"{BASE}/{clara.pk}/consent/{event_id}", data=body, content_type="application/json"),
        client.delete(f"{BASE}/{clara.pk}/consent/{event_id}"),
    ]
    assert [r.status_code for r in attempts] == [405, 405, 405, 404, 404, 404]
    assert counts(world.a) == before
    with scope(store=world.a):
        assert ConsentEvent.objects.values().get(pk=event_id) == original


# ---- purchases and the timeline ---------------------------------------------------------------


def test_purchases_are_recorded_listed_newest_first_and_add_to_lifetime_spend(world: World, clara):
    client = api(world.a_associate)
    ring = post(
        client,
        f"/{clara.pk}/purchases",
        {
            "purchased_on": "2025-12-20",
            "items": [{"description": "Sapphire halo ring", "sku": "R-1021"}],
            "amount": "1250.00",
            "associate_id": world.a_associate.user.pk,
            "external_id": "POS-881",
        },
    )
    assert ring.status_code == 201, ring.content
    assert {k: v for k, v in ring.json().items() if k != "created_at"} == {
        "id": ring.json()["id"],
        "purchased_on": "2025-12-20",
        "items": [{"description": "Sapphire halo ring", "sku": "R-1021", "quantity": 1}],
        "amount": "1250.00",
        "currency": "USD",
        "associate_id": world.a_associate.user.pk,
        "external_id": "POS-881",
    }
    studs = post(
        client,
        f"/{clara.pk}/purchases",
        {"purchased_on": "2026-02-14", "items": [{"description": "Pearl studs", "quantity": 2}], "amount": 310.5},
    )
    abroad = post(
        client,
        f"/{clara.pk}/purchases",
        {"purchased_on": "2024-07-01", "items": [{"description": "Charm"}], "amount": "80", "currency": "eur"},
    )
    assert (studs.json()["amount"], abroad.json()["amount"], abroad.json()["currency"]) == ("310.50", "80.00", "EUR")

    profile = get(client, f"/{clara.pk}").json()
    assert (profile["lifetime_spend"], profile["currency"], profile["purchase_count"], profile["last_purchase_on"]) == (
        "1560.50",
        "USD",
        3,
        "2026-02-14",
    )
    page = get(client, f"/{clara.pk}/purchases", limit=2).json()
    rest = get(client, f"/{clara.pk}/purchases", limit=2, cursor=page["next_cursor"]).json()
    assert [p["id"] for p in page["items"] + rest["items"]] == [
        studs.json()["id"],
        ring.json()["id"],
        abroad.json()["id"],
    ]
    assert rest["next_cursor"] is None
    assert get(client, f"/{clara.pk}/purchases/{ring.json()['id']}").json() == ring.json()


def test_timeline_lists_notes_purchases_consent_and_edits_newest_first(world: World, clara):
    client = api(world.a_owner)
    post(
        client,
        f"/{clara.pk}/purchases",
        {"purchased_on": "2020-01-02", "items": [{"description": "Ring"}], "amount": 5},
    )
    with scope(store=world.a):
        services.note_create(store=world.a, actor=world.a_owner.user, customer=clara, body="Anniversary in June")
    post(client, f"/{clara.pk}/consent", {"channel": "email", "purpose": "marketing"})
    patch_response = client.patch(f"{BASE}/{clara.pk}", data={"city": "Boston"}, content_type="application/json")
    assert patch_response.status_code == 200
    timeline = get(client, f"/{clara.pk}/timeline").json()["items"]
    owner = {"id": world.a_owner.user.pk, "name": "Ana Owner"}
    assert [(e["kind"], e["data"], e["actor"]) for e in timeline] == [
        ("edit", {"changes": {"city": ["", "Boston"]}}, owner),
        (
            "consent",
            # summary: the evidence as the timeline shows it (an import's file digest left to the ledger)
            {"channel": "email", "purpose": "marketing", "action": "granted", "method": "staff", "summary": ""},
            owner,
        ),
        ("note", {"body": "Anniversary in June"}, owner),
        ("created", {"source": "Walk-in"}, owner),
        (
            "purchase",
            {
                "purchased_on": "2020-01-02",
                "amount": "5.00",
                "currency": "USD",
                "items": [{"description": "Ring", "sku": "", "quantity": 1}],
            },
            None,
        ),
    ]
    assert timeline[-1]["at"] == "2020-01-02T12:00:00Z"
    assert [e["kind"] for e in get(client, f"/{clara.pk}/timeline", limit=2).json()["items"]] == ["edit", "consent"]
