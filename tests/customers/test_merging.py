"""Merging two customers: chosen values win, everything of both is kept, the ledger stays whole."""

from __future__ import annotations

import datetime as dt
import json
import re
from decimal import Decimal
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.db.models import F
from django.http import Http404
from django_scopes import scope, scopes_disabled

from tests.conftest import World, make_customer
from trunkshow.core.models import AuditEntry
from trunkshow.core.templatetags.trunkshow import store_day
from trunkshow.customers import services
from trunkshow.customers.merging import customer_merge, moved_relations
from trunkshow.customers.models import (
    ConsentEvent,
    CurrentConsent,
    Customer,
    CustomerEdit,
    CustomerMerge,
    ImportJob,
    ImportRow,
)
from trunkshow.customers.privacy import customer_erase
from trunkshow.customers.selectors import customer_search
from trunkshow.customers.timeline import customer_timeline

T0 = dt.datetime(2025, 1, 10, 12, 0, tzinfo=dt.UTC)


def grant(channel: str, action: str, at: dt.datetime) -> services.ConsentGrant:
    return services.ConsentGrant(
        channel=channel, purpose="marketing", action=action, occurred_at=at, evidence_text=f"{action} at {at:%H:%M}"
    )


@pytest.fixture
def pair(world: World) -> Any:
    """Two records of one person: Katherine Szirmay (kept) and Kate Szirmai (to merge in)."""
    owner = world.a_owner.user
    keep = make_customer(
        world.a,
        world.a_owner,
        first_name="Katherine",
        last_name="Szirmay",
        title="Ms",
        phones=["+19145550142", "+12125550100"],
        emails=["kat@example.com"],
        city="New York",
        country="US",
        address_line1="1 Fifth Ave",
        interests=[("stone", "Sapphire"), ("metal", "Platinum")],
        consents=[grant("sms", "granted", T0)],
    )
    other = make_customer(
        world.a,
        world.a_owner,
        first_name="Kate",
        last_name="Szirmai",
        preferred_name="Kati",
        title="Dr",
        phones=["+12125550100", "+13105550199"],
        emails=["kat@example.com", "kate.s@example.org"],
        address_line1="9 Elm St",
        city="Boston",
        region="MA",
        postal_code="02110",
        country="US",
        birthday_day=14,
        birthday_month=6,
        language="hu",
        interests=[("stone", "sapphire"), ("style", "Art deco")],
        # Granted on sms earlier than keep's grant, then a newer withdrawal: the withdrawal must win.
        consents=[
            grant("sms", "granted", T0 - dt.timedelta(days=30)),
            grant("sms", "withdrawn", T0 + dt.timedelta(hours=1)),
            grant("email", "granted", T0),
        ],
    )
    with scope(store=world.a):
        services.customer_update(store=world.a, actor=owner, customer=other, data={"time_zone": "America/Chicago"})
        for c, body in ((keep, "Keeps note"), (other, "Other note A"), (other, "Other note B")):
            services.note_create(store=world.a, actor=owner, customer=c, body=body)
        services.important_date_create(store=world.a, actor=owner, customer=other, kind="anniversary", day=3, month=5)
        services.size_add(store=world.a, actor=owner, customer=other, kind="ring", system="US", value="6")
        services.purchase_create(
            store=world.a,
            actor=owner,
            customer=keep,
            purchased_on=dt.date(2024, 3, 1),
            items=[{"description": "Ring"}],
            amount="1000.00",
        )
        services.purchase_create(
            store=world.a,
            actor=owner,
            customer=other,
            purchased_on=dt.date(2024, 9, 1),
            items=[{"description": "Studs"}],
            amount="250.50",
        )
        Customer.objects.filter(pk=keep.pk).update(imported_spend=Decimal("100.00"))
        Customer.objects.filter(pk=other.pk).update(imported_spend=Decimal("40.00"))
        job = ImportJob.objects.create(store=world.a, file_name="pos.csv", file_sha256="0" * 64)
        ImportRow.objects.create(store=world.a, job=job, line=2, outcome="created", customer=other)
        # Someone whose partner is the other record, by link.
        husband = services.customer_create(
            store=world.a, actor=owner, first_name="Laszlo", last_name="Szirmai", partner_id=other.pk
        )
    return world, keep, other, husband


def _counts(customer_id: int) -> dict[str, int]:
    with scopes_disabled():
        c = Customer.objects.get(pk=customer_id)
        return {
            "phones": c.phones.count(),
            "emails": c.emails.count(),
            "dates": c.important_dates.count(),
            "interests": c.interests.count(),
            "sizes": c.sizes.count(),
            "notes": c.notes.count(),
            "purchases": c.purchases.count(),
            "consent_events": c.consent_events.count(),
            "edits": c.edits.count(),
        }


def test_merge_moves_everything_and_collapses_duplicates(pair):
    world, keep, other, husband = pair
    before_keep, before_other = _counts(keep.pk), _counts(other.pk)
    assert before_keep == {
        "phones": 2,
        "emails": 1,
        "dates": 0,
        "interests": 2,
        "sizes": 0,
        "notes": 1,
        "purchases": 1,
        "consent_events": 1,
        "edits": 0,
    }
    assert before_other == {
        "phones": 2,
        "emails": 2,
        "dates": 1,
        "interests": 2,
        "sizes": 1,
        "notes": 2,
        "purchases": 1,
        "consent_events": 3,
        "edits": 3,
    }
    with scope(store=world.a):
        survivor = customer_merge(
            store=world.a,
            actor=world.a_manager.user,
            customer=keep,
            other=other,
            choices={"address": "taken", "first_name": "kept", "last_name": "kept", "title": "taken"},
        )
        assert _counts(survivor.pk) == {
            "phones": 3,  # +12125550100 was on both
            "emails": 2,  # kat@example.com was on both
            "dates": 1,
            "interests": 3,  # sapphire on both (folded), platinum, art deco
            "sizes": 1,
            "notes": 3,
            "purchases": 2,
            "consent_events": 4,
            "edits": 3,
        }
        assert list(survivor.phones.values_list("e164", "is_primary")) == [
            ("+19145550142", True),
            ("+12125550100", False),
            ("+13105550199", False),
        ]
        assert sorted(survivor.interests.values_list("kind", "value")) == [
            ("metal", "Platinum"),
            ("stone", "Sapphire"),
            ("style", "Art deco"),
        ]
        assert (survivor.first_name, survivor.last_name, survivor.title) == ("Katherine", "Szirmay", "Dr")
        # Empty on the survivor, known on the other: taken by default.
        assert (survivor.preferred_name, survivor.language, survivor.time_zone) == ("Kati", "hu", "America/Chicago")
        assert (survivor.birthday_day, survivor.birthday_month) == (14, 6)
        assert (survivor.address_line1, survivor.city, survivor.region, survivor.postal_code) == (
            "9 Elm St",
            "Boston",
            "MA",
            "02110",
        )
        assert survivor.imported_spend == Decimal("140.00")
        assert survivor.lifetime_spend == Decimal("1390.50")
        assert survivor.purchase_count == 2
        assert survivor.last_purchase_on == dt.date(2024, 9, 1)
        assert not Customer.objects.filter(pk=other.pk).exists()
        assert ImportRow.objects.get(line=2).customer_id == survivor.pk
        husband = Customer.objects.get(pk=husband.pk)
        assert husband.partner_id == survivor.pk
        assert "katherine szirmay" in husband.search_text
        merge = CustomerMerge.objects.get()
        assert (merge.customer_id, merge.merged_customer_id, merge.merged_name) == (
            survivor.pk,
            other.pk,
            "Kate Szirmai",
        )
        assert merge.choices == {
            "first_name": "kept",
            "last_name": "kept",
            "preferred_name": "taken",
            "title": "taken",
            "address": "taken",
            "birthday": "taken",
            "partner": "taken",  # the other was linked back to her husband; she had nobody
            "language": "taken",
            "time_zone": "taken",
        }
        assert survivor.partner_id == husband.pk
        assert merge.actor == world.a_manager.user
        # Szirmai: the husband by name, the survivor by her partner's name.
        assert [r.pk for r in customer_search(store=world.a, q="Szirmai")] == [husband.pk, survivor.pk]
        assert [c.pk for c in customer_search(store=world.a, q="kate.s@example.org")] == [survivor.pk]
        assert [c.pk for c in customer_search(store=world.a, q="(310) 555-0199")] == [survivor.pk]
    with scopes_disabled():
        entry = AuditEntry.objects.get(action="trunkshow.customer.merged")
    assert (entry.object_id, entry.actor_id) == (str(survivor.pk), world.a_manager.user.pk)
    assert entry.data == {"merged_customer_id": other.pk, "choices": merge.choices}


def test_merged_ledger_is_intact_and_the_newer_withdrawal_wins(pair):
    world, keep, other, _husband = pair
    with scopes_disabled():
        events_before = sorted(
            ConsentEvent.objects.filter(customer__in=[keep, other]).values_list(
                "id", "channel", "action", "occurred_at", "evidence_text"
            )
        )
    with scope(store=world.a):
        survivor = customer_merge(store=world.a, actor=world.a_owner.user, customer=keep, other=other, choices={})
        events_after = sorted(
            ConsentEvent.objects.filter(customer=survivor).values_list(
                "id", "channel", "action", "occurred_at", "evidence_text"
            )
        )
        assert events_after == events_before
        current = {
            (cc.channel, cc.purpose): (cc.granted, cc.event.occurred_at)
            for cc in CurrentConsent.objects.filter(customer=survivor).select_related("event")
        }
    # keep's grant (T0) is older than other's withdrawal (T0 + 1 h): the withdrawal decides.
    assert current == {
        ("sms", "marketing"): (False, T0 + dt.timedelta(hours=1)),
        ("email", "marketing"): (True, T0),
    }


def test_the_timeline_shows_the_merge(pair):
    world, keep, other, _husband = pair
    with scope(store=world.a):
        survivor = customer_merge(store=world.a, actor=world.a_owner.user, customer=keep, other=other, choices={})
        entries = [e for e in customer_timeline(customer=survivor) if e.kind == "merge"]
    assert len(entries) == 1
    assert entries[0].actor == world.a_owner.user
    assert entries[0].obj.merged_name == "Kate Szirmai"
    assert entries[0].extra["taken"] == [
        "Preferred name",
        "Birthday",
        "Partner",
        "Language",
        "Time zone",
    ]


def _state() -> Any:
    with scopes_disabled():
        return (
            list(Customer.objects.order_by("id").values()),
            sorted(ConsentEvent.objects.values_list("id", "customer_id")),
            sorted(CurrentConsent.objects.values_list("id", "customer_id", "granted")),
            CustomerMerge.objects.count(),
            CustomerEdit.objects.count(),
        )


@pytest.mark.parametrize(
    ("choices", "field", "message"),
    [
        ({"favourite_colour": "taken"}, "choices.favourite_colour", "Unknown field “favourite_colour”: choose among"),
        ({"address": "mine"}, "choices.address", "Use “kept” for this customer's value or “taken”"),
    ],
)
def test_unknown_choices_are_refused_and_nothing_changes(pair, choices, field, message):
    world, keep, other, _husband = pair
    before = _state()
    with scope(store=world.a), pytest.raises(ValidationError) as caught:
        customer_merge(store=world.a, actor=None, customer=keep, other=other, choices=choices)
    assert list(caught.value.message_dict) == [field]
    assert caught.value.message_dict[field][0].startswith(message)
    assert _state() == before


def test_merging_a_customer_with_themself_is_refused(pair):
    world, keep, _other, _husband = pair
    before = _state()
    with scope(store=world.a), pytest.raises(ValidationError) as caught:
        customer_merge(store=world.a, actor=None, customer=keep, other=keep, choices={})
    assert caught.value.message_dict == {
        "other_id": ["A customer cannot be merged with themself; choose another customer."]
    }
    assert _state() == before


def test_merging_with_another_stores_customer_is_not_found(pair):
    world, keep, _other, _husband = pair
    stranger = make_customer(world.b, world.b_owner, first_name="Béa")
    before = _state()
    with scope(store=world.a), pytest.raises(Http404):
        customer_merge(store=world.a, actor=None, customer=keep, other=stranger, choices={})
    assert _state() == before


def test_merging_with_an_erased_customer_is_refused(pair):
    world, keep, other, _husband = pair
    with scope(store=world.a):
        customer_erase(store=world.a, actor=None, customer=other)
        other.refresh_from_db()
        before = _state()
        with pytest.raises(ValidationError) as caught:
            customer_merge(store=world.a, actor=None, customer=keep, other=other, choices={})
        with pytest.raises(ValidationError) as caught_reverse:
            customer_merge(store=world.a, actor=None, customer=other, other=keep, choices={})
    day = store_day(world.a, other.erased_at)
    assert caught.value.message_dict == {
        "other_id": [f"Customer no. {other.pk} was erased on {day}; there is nothing left to merge."]
    }
    assert list(caught_reverse.value.message_dict) == ["customer_id"]
    assert _state() == before


def test_every_relation_to_a_customer_is_carried_by_a_merge():
    found = {
        (f.related_model._meta.label, f.field.name)
        for f in Customer._meta.get_fields(include_hidden=True)
        if f.auto_created and not f.concrete and f.related_model is not None
    }
    assert found == moved_relations()


def test_an_old_link_to_a_merged_away_customer_leads_staff_to_the_survivor(pair):
    from tests.conftest import browser_client

    world, keep, other, _husband = pair
    with scope(store=world.a):
        customer_merge(store=world.a, actor=world.a_owner.user, customer=keep, other=other, choices={})
    for person in (world.a_owner, world.a_associate):
        client = browser_client(person)
        response = client.get(f"/customers/{other.pk}/")
        assert (response.status_code, response["Location"]) == (302, f"/customers/{keep.pk}/")
        page = client.get(response["Location"]).content.decode()
        # Kati: the preferred name only the merged-away record had is taken by default.
        assert f"Customer no. {other.pk} was merged into Kati Szirmay: this is their record now." in page
    # A record merged again later still leads to today's survivor.
    third = make_customer(world.a, world.a_owner, first_name="Kathy", last_name="Szirmay")
    with scope(store=world.a):
        survivor = Customer.objects.get(pk=keep.pk)
        customer_merge(store=world.a, actor=world.a_owner.user, customer=third, other=survivor, choices={})
    response = browser_client(world.a_owner).get(f"/customers/{other.pk}/")
    assert (response.status_code, response["Location"]) == (302, f"/customers/{third.pk}/")


def test_the_api_names_the_customer_a_merged_away_id_went_into_and_another_store_learns_nothing(pair):
    from tests.conftest import api

    world, keep, other, _husband = pair
    with scope(store=world.a):
        customer_merge(store=world.a, actor=world.a_owner.user, customer=keep, other=other, choices={})
    said = f"Customer no. {other.pk} was merged into customer no. {keep.pk} (Kati Szirmay); use that id."
    client = api(world.a_owner)
    for response in (
        client.get(f"/api/v1/customers/{other.pk}"),
        client.get(f"/api/v1/customers/{other.pk}/notes"),
        client.post(f"/api/v1/customers/{other.pk}/erase"),
    ):
        assert response.status_code == 404, response.content
        assert response.json()["error"] == {"code": "merged", "message": said, "fields": {}}
    # Another store's token: the plain 404 of an id that never was.
    theirs = api(world.b_owner).get(f"/api/v1/customers/{other.pk}")
    assert theirs.status_code == 404
    assert "merged" not in theirs.content.decode() and "Szirmay" not in theirs.content.decode()


def test_another_stores_staff_get_a_plain_404_for_a_merged_away_customer(pair):
    from tests.conftest import browser_client

    world, keep, other, _husband = pair
    with scope(store=world.a):
        customer_merge(store=world.a, actor=world.a_owner.user, customer=keep, other=other, choices={})
    response = browser_client(world.b_owner).get(f"/customers/{other.pk}/")
    assert response.status_code == 404
    assert "Szirmay" not in response.content.decode() and "merged" not in response.content.decode()
    # An id that never was a customer of this store is a 404 here too.
    assert browser_client(world.a_owner).get(f"/customers/{other.pk + 1000}/").status_code == 404


# ---------------------------------------------------------------- partners are two people


def _akessons(world: World, *, linked: str) -> tuple[Any, Any]:
    """Märta Åkesson and her partner Björn, linked as ``linked`` says: "both" ways (what choosing a
    partner does), only "hers" (her record names him), only "his", or "his by name" (his record
    notes her name as text, no link)."""
    marta = make_customer(world.a, world.a_owner, first_name="Märta", last_name="Åkesson", phones=["+14155550101"])
    if linked == "his by name":
        bjorn = make_customer(
            world.a, world.a_owner, first_name="Björn", last_name="Åkesson", partner_name="marta akesson"
        )
    else:
        bjorn = make_customer(world.a, world.a_owner, first_name="Björn", last_name="Åkesson", partner_id=marta.pk)
    with scopes_disabled():
        if linked == "hers":
            Customer.objects.filter(pk=bjorn.pk).update(partner=None)
        if linked == "his":
            Customer.objects.filter(pk=marta.pk).update(partner=None)
        marta.refresh_from_db()
        bjorn.refresh_from_db()
    return marta, bjorn


@pytest.mark.parametrize("linked", ["both", "hers", "his", "his by name"])
@pytest.mark.parametrize("from_page", ["hers", "his"])
def test_partners_are_never_merged_and_nothing_changes(world: World, linked: str, from_page: str):
    marta, bjorn = _akessons(world, linked=linked)
    keep, other = (marta, bjorn) if from_page == "hers" else (bjorn, marta)
    before = _state()
    with scope(store=world.a), pytest.raises(ValidationError) as caught:
        customer_merge(store=world.a, actor=None, customer=keep, other=other, choices={"partner": "taken"})
    rest = "partners are two people, so their records are not merged. If that is a mistake, remove the partner from"
    if linked == "both":
        said = (
            f"{keep.full_name} (no. {keep.pk}) and {other.full_name} (no. {other.pk}) are each other's partners: "
            f"{rest} both records first."
        )
    else:
        holder, partner = (marta, bjorn) if linked == "hers" else (bjorn, marta)
        said = (
            f"{partner.full_name} (no. {partner.pk}) is the partner of {holder.full_name} (no. {holder.pk}): "
            f"{rest} {holder.full_name}'s record first."
        )
    assert caught.value.message_dict == {"other_id": [said]}
    assert _state() == before


def test_once_the_partner_is_removed_the_two_records_merge_and_nobody_is_their_own_partner(world: World):
    """A record wrongly linked as the partner of a second record of the same person: unlinking is the deliberate step."""
    marta, bjorn = _akessons(world, linked="both")
    with scope(store=world.a):
        services.customer_update(store=world.a, actor=world.a_owner.user, customer=marta, data={"partner_id": None})
        services.customer_update(store=world.a, actor=world.a_owner.user, customer=bjorn, data={"partner_id": None})
        survivor = customer_merge(store=world.a, actor=None, customer=marta, other=bjorn, choices={})
        assert (survivor.partner_id, survivor.partner_name) == (None, "")
        assert not Customer.objects.filter(partner_id=survivor.pk).exists()


def test_whoever_had_the_merged_away_record_as_partner_now_has_the_survivor(world: World):
    marta = make_customer(world.a, world.a_owner, first_name="Märta", last_name="Åkesson")
    duplicate = make_customer(world.a, world.a_owner, first_name="Marta", last_name="Akesson")
    # Björn chose the duplicate as his partner, which linked her back to him.
    bjorn = make_customer(world.a, world.a_owner, first_name="Björn", last_name="Åkesson", partner_id=duplicate.pk)
    with scope(store=world.a):
        assert Customer.objects.get(pk=duplicate.pk).partner_id == bjorn.pk
        survivor = customer_merge(store=world.a, actor=None, customer=marta, other=duplicate, choices={})
        bjorn.refresh_from_db()
        assert bjorn.partner_id == survivor.pk == marta.pk
        # She had no partner: the duplicate's link to him is taken, so the two point at each other.
        assert survivor.partner_id == bjorn.pk
        assert CustomerMerge.objects.get().choices == {"first_name": "kept", "last_name": "kept", "partner": "taken"}
        assert [c.pk for c in Customer.objects.filter(partner_id=F("pk"))] == []


# ---------------------------------------------------------------- an empty value never wins


def _known_and_empty(world: World) -> tuple[Any, Any]:
    """Katherine Szirmay with an address and a birthday, and a nameless record made by a text."""
    known = make_customer(
        world.a,
        world.a_owner,
        first_name="Katherine",
        last_name="Szirmay",
        phones=["+19145550142"],
        address_line1="12 Elm St",
        city="Boston",
        birthday_day=14,
        birthday_month=6,
    )
    empty = make_customer(world.a, world.a_owner, phones=["+13105550199"])
    # As an inbound text makes it: a phone and no name.
    with scopes_disabled():
        Customer.objects.filter(pk=empty.pk).update(first_name="", last_name="")
        empty.refresh_from_db()
    return known, empty


@pytest.mark.parametrize(
    ("choices", "fields"),
    [
        ({"first_name": "taken", "last_name": "taken"}, ["choices.first_name", "choices.last_name"]),
        ({"address": "taken", "birthday": "taken"}, ["choices.address", "choices.birthday"]),
    ],
)
def test_an_empty_value_is_refused_as_the_winner_over_a_recorded_one(world: World, choices, fields):
    known, empty = _known_and_empty(world)
    before = _state()
    with scope(store=world.a), pytest.raises(ValidationError) as caught:
        customer_merge(store=world.a, actor=None, customer=known, other=empty, choices=choices)
    assert sorted(caught.value.message_dict) == fields
    label = fields[0].removeprefix("choices.").replace("_", " ")
    assert caught.value.message_dict[fields[0]] == [
        f"Customer no. {empty.pk} has no {label} recorded, so customer no. {known.pk}'s is kept: an empty value "
        "cannot replace a recorded one. Choose “kept” or leave the field out."
    ]
    assert _state() == before


def test_keeping_an_empty_name_over_the_others_is_refused_too(world: World):
    known, empty = _known_and_empty(world)
    before = _state()
    with scope(store=world.a), pytest.raises(ValidationError) as caught:
        customer_merge(store=world.a, actor=None, customer=empty, other=known, choices={"first_name": "kept"})
    assert list(caught.value.message_dict) == ["choices.first_name"]
    assert _state() == before
    with scope(store=world.a):
        survivor = customer_merge(store=world.a, actor=None, customer=empty, other=known, choices={})
    assert (survivor.first_name, survivor.last_name, survivor.address_line1, survivor.birthday_day) == (
        "Katherine",
        "Szirmay",
        "12 Elm St",
        14,
    )


def test_the_api_refuses_an_empty_name_as_the_winner_and_nothing_changes(world: World):
    from tests.conftest import api

    known, empty = _known_and_empty(world)
    before = _state()
    response = api(world.a_owner).post(
        f"/api/v1/customers/{known.pk}/merge",
        {"other_id": empty.pk, "choices": {"first_name": "taken", "last_name": "taken"}},
        content_type="application/json",
    )
    assert response.status_code == 400, response.content
    assert sorted(response.json()["error"]["fields"]) == ["choices.first_name", "choices.last_name"]
    assert _state() == before


def test_the_merge_page_offers_no_empty_value_and_keeps_the_recorded_one(world: World):
    from tests.conftest import browser_client

    known, empty = _known_and_empty(world)
    client = browser_client(world.a_owner)
    url = f"/customers/{known.pk}/merge/{empty.pk}/"
    page = client.get(url).content.decode()
    for name in ("first_name", "last_name", "address", "birthday"):
        assert f'name="{name}"' not in page
    assert page.count(f"Only no. {known.pk} has this: it is kept.") == 4
    # A forged post naming an empty winner is refused on the page too, and nothing changes.
    before = _state()
    response = client.post(url, {"first_name": "taken", "last_name": "taken"})
    assert response.status_code == 302
    assert _state() != before
    with scopes_disabled():
        kept = Customer.objects.get(pk=known.pk)
    assert (kept.first_name, kept.last_name, kept.address_line1) == ("Katherine", "Szirmay", "12 Elm St")


# ---------------------------------------------------------------- a merge page of a record already merged


def test_a_second_merge_or_an_old_merge_link_says_the_record_was_already_merged(pair):
    from tests.conftest import browser_client

    world, keep, other, _husband = pair
    client = browser_client(world.a_owner)
    confirm = f"/customers/{keep.pk}/merge/{other.pk}/"
    page = client.get(confirm).content.decode()  # the second tab, opened before the merge
    # What the browser submits: the radios checked by default.
    defaults = dict(re.findall(r'<input type="radio" name="(\w+)" value="(\w+)"[^>]* checked', page))
    assert len(defaults) >= 4
    assert client.post(confirm, defaults).status_code == 302
    said = f"Customer no. {other.pk} was already merged into Kati Szirmay (no. {keep.pk}): this is their record now."
    for method, url, data in (
        ("post", confirm, defaults),  # Merge in the second tab
        ("get", confirm, {}),
        ("get", f"/customers/{other.pk}/merge/", {}),
        ("get", f"/customers/{other.pk}/merge/{keep.pk}/", {}),
    ):
        response = getattr(client, method)(url, data)
        assert (response.status_code, response["Location"]) == (302, f"/customers/{keep.pk}/"), url
        assert said in client.get(response["Location"]).content.decode()
    with scopes_disabled():
        assert CustomerMerge.objects.count() == 1
    # Choosing the merged-away number on the start page says where it went.
    page = client.get(f"/customers/{keep.pk}/merge/?other={other.pk}").content.decode()
    assert f"Customer no. {other.pk} was already merged into Kati Szirmay (no. {keep.pk})." in page
    # Another store's staff learn nothing.
    for url in (confirm, f"/customers/{other.pk}/merge/"):
        response = browser_client(world.b_owner).get(url)
        assert response.status_code == 404
        assert "Szirmay" not in response.content.decode()


# ---------------------------------------------------------------- what a merge replaced is kept


def test_a_merge_keeps_what_each_taken_value_replaced_until_the_customer_is_erased(pair):
    from tests.conftest import browser_client

    world, keep, other, _husband = pair
    with scope(store=world.a):
        Customer.objects.filter(pk=keep.pk).update(birthday_day=2, birthday_month=3, birthday_year=1980)
        keep.refresh_from_db()
        customer_merge(
            store=world.a,
            actor=world.a_owner.user,
            customer=keep,
            other=other,
            choices={"address": "taken", "birthday": "taken"},
        )
        merge = CustomerMerge.objects.get(customer=keep)
    assert merge.replaced["address"]["was"] == {
        "address_line1": "1 Fifth Ave",
        "address_line2": "",
        "city": "New York",
        "region": "",
        "postal_code": "",
        "country": "US",
    }
    assert merge.replaced["birthday"] == {
        "was": {"birthday_day": 2, "birthday_month": 3, "birthday_year": 1980},
        "now": {"birthday_day": 14, "birthday_month": 6, "birthday_year": None},
    }
    page = browser_client(world.a_owner).get(f"/customers/{keep.pk}/").content.decode()
    assert "Address: 9 Elm St, Boston, MA, 02110, US (was 1 Fifth Ave, New York, US)" in page
    assert "Birthday: June 14 (was March 2, 1980)" in page
    # The privacy export holds them.
    export = browser_client(world.a_owner).post(f"/customers/{keep.pk}/data.json")
    data = json.loads(b"".join(export.streaming_content) if export.streaming else export.content)
    assert data["merges"][0]["replaced"] == merge.replaced
    # Erasure erases them.
    with scope(store=world.a):
        customer_erase(store=world.a, actor=None, customer=Customer.objects.get(pk=keep.pk))
        merge.refresh_from_db()
    assert (merge.replaced, merge.merged_name) == ({}, "")


# ---------------------------------------------------------------- the API names what is wrong with other_id


def test_the_api_says_what_is_wrong_with_other_id_on_that_field(pair):
    from tests.conftest import api

    world, keep, other, _husband = pair
    stranger = make_customer(world.b, world.b_owner, first_name="Béa")
    third = make_customer(world.a, world.a_owner, first_name="Kathy", last_name="Szirmay")
    client = api(world.a_owner)

    def merge(customer_id: int, other_id: int) -> Any:
        return client.post(
            f"/api/v1/customers/{customer_id}/merge", {"other_id": other_id}, content_type="application/json"
        )

    before = _state()
    for other_id in (stranger.pk, 987654):
        response = merge(keep.pk, other_id)
        assert response.status_code == 400, response.content
        assert response.json()["error"]["fields"] == {"other_id": ["No customer with this id in this store."]}
    assert _state() == before
    with scope(store=world.a):
        customer_merge(store=world.a, actor=world.a_owner.user, customer=keep, other=other, choices={})
    response = merge(keep.pk, other.pk)
    assert response.status_code == 400, response.content
    assert response.json()["error"]["fields"] == {
        "other_id": [f"Customer no. {other.pk} was already merged into this customer."]
    }
    response = merge(third.pk, other.pk)
    assert response.status_code == 400, response.content
    assert response.json()["error"]["fields"] == {
        "other_id": [f"Customer no. {other.pk} was merged into customer no. {keep.pk} (Kati Szirmay); use that id."]
    }
    # The path's own customer of another store is still the plain 404.
    assert merge(stranger.pk, keep.pk).status_code == 404
