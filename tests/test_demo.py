"""The demo store: loaded once through the services, kept on the second run, and realistic."""

from __future__ import annotations

import datetime as dt
import time
from decimal import Decimal
from typing import Any

import phonenumbers
import pytest
from django.contrib.auth import authenticate
from django.db.models import Sum
from django.utils import timezone
from django_scopes import scope

from trunkshow.customers.models import (
    ConsentEvent,
    Customer,
    CustomerPhone,
    ImportantDate,
    Interest,
    Note,
    Purchase,
    Size,
)
from trunkshow.customers.selectors import customer_search
from trunkshow.demo import CAST, SEGMENTS, UNKNOWN_TEXTER, demo_load, demo_sample_import
from trunkshow.stores.models import Membership, Store

PASSWORD = "demo owner password 1"


def _demo() -> Any:
    return Store.objects.get(slug="demo")


@pytest.mark.django_db
def test_demo_load_creates_the_store_then_keeps_it_on_the_second_run() -> None:
    assert demo_load(owner_password=PASSWORD, customers=12) is True
    store = _demo()
    with scope(store=store):
        ids = set(Customer.objects.filter(store=store).values_list("id", flat=True))
    assert len(ids) == 12 + 1  # and the person who texted the store from an unknown number (the inbox demo)

    assert demo_load(owner_password="another password 2", customers=40) is False

    with scope(store=store):
        assert set(Customer.objects.filter(store=store).values_list("id", flat=True)) == ids
    assert Store.objects.filter(slug="demo").count() == 1
    # The first password stays the owner's.
    assert authenticate(username="owner@example.com", password=PASSWORD) is not None
    assert authenticate(username="owner@example.com", password="another password 2") is None


@pytest.mark.django_db
def test_demo_store_has_its_settings_and_four_staff_with_roles() -> None:
    demo_load(owner_password=PASSWORD, customers=0)
    store = _demo()
    assert (store.name, store.time_zone, store.currency, store.locale, store.phone_region, store.country) == (
        "Maison Demo Jewelers",
        "America/New_York",
        "USD",
        "en_US",
        "US",
        "US",
    )
    assert (store.address_line1, store.city, store.region, store.postal_code) == (
        "746 Madison Avenue",
        "New York",
        "NY",
        "10065",
    )
    assert store.opening_hours["sat"] == [["10:00", "13:00"], ["14:00", "17:00"]]
    assert store.opening_hours["mon"] == []
    with scope(store=store):
        roles = dict(Membership.objects.filter(store=store).values_list("user__email", "role"))
    assert roles == {
        "owner@example.com": "owner",
        "manager@example.com": "manager",
        "sofia@example.com": "associate",
        "james@example.com": "associate",
    }
    for email in roles:
        assert authenticate(username=email, password=PASSWORD) is not None, email


@pytest.mark.django_db
def test_demo_keeps_an_existing_login_and_its_password() -> None:
    from trunkshow.stores.models import User

    User.objects.create_user("james@example.com", "james's own password", name="James")
    assert demo_load(owner_password=PASSWORD, customers=2) is True
    assert authenticate(username="james@example.com", password="james's own password") is not None
    assert authenticate(username="james@example.com", password=PASSWORD) is None


@pytest.mark.django_db
def test_demo_load_refuses_a_negative_count() -> None:
    with pytest.raises(ValueError, match="customers must be 0 or more"):
        demo_load(owner_password=PASSWORD, customers=-1)
    assert Store.objects.filter(slug="demo").count() == 0


@pytest.mark.django_db
def test_demo_cast_comes_first_and_is_found_by_folded_and_partial_names() -> None:
    demo_load(owner_password=PASSWORD, customers=len(CAST))
    store = _demo()
    with scope(store=store):
        loaded = Customer.objects.filter(store=store).exclude(phones__e164=UNKNOWN_TEXTER[0])
        names = list(loaded.order_by("id").values_list("first_name", "last_name"))
        assert names == [(first, last) for first, last, _country, _stone in CAST]
        # Diacritics folded: what an associate types without the accents.
        assert [c.last_name for c in customer_search(store=store, q="szirmay")] == ["Szirmay"]
        assert [c.last_name for c in customer_search(store=store, q="muller")] == ["Müller"]
        assert [c.last_name for c in customer_search(store=store, q="nguyen")] == ["Nguyễn"]
        szirmay = Customer.objects.get(store=store, last_name="Szirmay")
        assert ("stone", "Sapphire") in set(szirmay.interests.values_list("kind", "value"))
        bought = {item["description"] for purchase in szirmay.purchases.all() for item in purchase.items}
        assert "Sapphire halo ring, 18k white gold" in bought


@pytest.mark.django_db
def test_demo_with_500_customers_is_varied_valid_and_consistent() -> None:
    started = time.monotonic()
    assert demo_load(owner_password=PASSWORD, customers=500) is True
    elapsed = time.monotonic() - started
    print(f"demo_load(customers=500) took {elapsed:.1f} s")  # shown with -s; a figure, not a timed test
    store = _demo()
    today = dt.datetime.now(store.tz).date()
    with scope(store=store):
        customers = list(Customer.objects.filter(store=store).exclude(phones__e164=UNKNOWN_TEXTER[0]))
        assert len(customers) == 500

        # Every phone is stored as valid E.164, from many regions.
        phones = list(CustomerPhone.objects.filter(store=store).values_list("e164", flat=True))
        assert len(phones) == len(set(phones))
        regions = set()
        for e164 in phones:
            number = phonenumbers.parse(e164)
            assert phonenumbers.is_valid_number(number), e164
            assert phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164) == e164
            regions.add(phonenumbers.region_code_for_number(number))
        assert len(regions) >= 8, regions
        assert {"US", "GB", "FR", "DE", "CH", "IT", "ES", "JP"} <= regions

        # Names with diacritics, from many countries.
        accented = [c for c in customers if not (c.first_name + c.last_name).isascii()]
        assert len(accented) >= 100, len(accented)
        assert len({c.country for c in customers}) >= 12

        # Partners: some are customers pointing at each other, some are a name with a birthday.
        linked = [c for c in customers if c.partner_id]
        assert len(linked) >= 40
        by_id = {c.pk: c for c in customers}
        for customer in linked:
            assert by_id[customer.partner_id].partner_id == customer.pk
        named = [c for c in customers if c.partner_name]
        assert len(named) >= 60
        assert any(c.partner_birthday_month and c.partner_birthday_year is None for c in named)

        # Birthdays with and without a year; anniversaries, engagements, weddings.
        assert sum(1 for c in customers if c.birthday_month and c.birthday_year is None) >= 30
        assert sum(1 for c in customers if c.birthday_year) >= 150
        kinds = set(ImportantDate.objects.filter(store=store).values_list("kind", flat=True))
        assert kinds == {"anniversary", "engagement", "wedding", "custom"}

        # Interests of every kind; sizes in every ring system and both length units.
        assert set(Interest.objects.filter(store=store).values_list("kind", flat=True)) == {
            "metal",
            "stone",
            "style",
            "designer",
            "free",
        }
        sizes = set(Size.objects.filter(store=store).values_list("kind", "system"))
        assert {("ring", "US"), ("ring", "UK"), ("ring", "EU")} <= sizes
        assert {("bracelet", "cm"), ("necklace", "cm")} <= sizes
        assert ("bracelet", "in") in sizes or ("necklace", "in") in sizes

        # Purchases over the last three years, and totals that match them.
        purchases = Purchase.objects.filter(store=store)
        assert purchases.count() >= 500
        first_day = min(purchases.values_list("purchased_on", flat=True))
        last_day = max(purchases.values_list("purchased_on", flat=True))
        assert today - dt.timedelta(days=3 * 365 + 1) <= first_day
        assert last_day <= today
        assert (today - first_day).days >= 2 * 365
        totals = dict(purchases.values("customer_id").annotate(total=Sum("amount")).values_list("customer_id", "total"))
        for customer in customers:
            assert customer.lifetime_spend == totals.get(customer.pk, Decimal("0.00")), customer.pk
        assert all(p.associate_id is not None and p.items for p in purchases)

        # Notes by associates, spread over time rather than all written today.
        notes = list(Note.objects.filter(store=store).select_related("author"))
        assert len(notes) >= 300
        assert {n.author.email for n in notes} == {"sofia@example.com", "james@example.com", "manager@example.com"}
        assert len({n.created_at.date() for n in notes}) >= 200

        # Consent with evidence: in person, by form and by import, and some withdrawals.
        events = list(ConsentEvent.objects.filter(store=store))
        assert {e.method for e in events} == {"in_person", "form", "import", "keyword", "staff"}
        assert all(e.evidence_text for e in events)
        assert all(e.evidence_url and e.evidence_ip for e in events if e.method == "form")
        assert sum(1 for e in events if e.action == "withdrawn") >= 15

        # How we met and who looks after them.
        assert {c.source for c in customers} == {
            "walk_in",
            "web_form",
            "giveaway",
            "chat",
            "import",
            "referral",
            "trade_show",
        }
        assert sum(1 for c in customers if c.assigned_associate_id) >= 300
        # Customers became customers over three years, not all today.
        assert len({c.created_at.date() for c in customers}) >= 300


@pytest.mark.django_db
def test_demo_has_saved_segments_that_find_customers(tmp_path: Any) -> None:
    from trunkshow.customers.models import Segment
    from trunkshow.customers.segments import segment_customers

    demo_load(owner_password=PASSWORD, customers=120)
    store = _demo()
    with scope(store=store):
        segments = list(Segment.objects.filter(store=store).order_by("name"))
        assert [s.name for s in segments] == sorted(name for name, _f in SEGMENTS)
        counts = {s.name: segment_customers(store=store, segment=s).count() for s in segments}
        # Each segment finds exactly the customers its filters describe, checked by hand here.
        sapphire_texts = Customer.objects.filter(
            store=store,
            interests__kind="stone",
            interests__value_key="sapphire",
            current_consents__channel="sms",
            current_consents__purpose="marketing",
            current_consents__granted=True,
            phones__isnull=False,
        ).distinct()
        assert counts["Sapphire lovers who may get texts"] == sapphire_texts.count()
    assert counts["Birthdays in the next 30 days"] > 0


@pytest.mark.django_db
def test_demo_sample_export_imports_with_a_reason_for_every_line_it_skips(tmp_path: Any) -> None:
    from tests.customers.import_support import outcomes, run, upload

    demo_load(owner_password=PASSWORD, customers=60)
    store = _demo()
    path = tmp_path / "sample.csv"
    demo_sample_import(path=path)
    content = path.read_bytes()
    assert content.startswith(b"\xef\xbb\xbf")
    job = run(store, None, upload(store, None, content, name="sample-pos-export.csv"))
    lines = outcomes(job)
    assert [(line, outcome) for line, outcome, _m in lines] == [
        (2, "created"),
        (3, "created"),
        (4, "created"),
        (5, "created"),
        (6, "created"),
        (7, "merged"),
        (8, "merged"),
        (9, "error"),
        (10, "error"),
    ]
    assert (job.created_count, job.merged_count, job.error_count) == (5, 2, 2)
    demo_sample_import(path=path)  # kept once written
    assert path.read_bytes() == content


@pytest.mark.django_db
def test_the_demo_has_whatsapp_templates_and_a_whatsapp_conversation_past_the_window() -> None:
    from trunkshow.messaging.models import Conversation, WhatsAppTemplate
    from trunkshow.messaging.selectors import whatsapp_window_closes_at

    demo_load(owner_password=PASSWORD, customers=12)
    store = _demo()
    with scope(store=store):
        templates = list(WhatsAppTemplate.objects.values_list("name", "approval_status"))
        closed = [
            c
            for c in Conversation.objects.filter(store=store, channel="whatsapp")
            if whatsapp_window_closes_at(conversation=c) < timezone.now()
        ]
    assert templates == [
        ("Appointment reminder", "approved"),
        ("New collection preview", "pending"),
        ("Piece ready for collection", "approved"),
    ]
    assert len(closed) == 1
