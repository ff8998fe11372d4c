"""Helpers shared by the customer page tests and the browser tests (this module holds no tests)."""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal
from html import unescape
from typing import Any

from django.utils import timezone
from django_scopes import scope

from tests.conftest import World, make_customer


def text_of(response: Any) -> str:
    """The page's visible words, tags removed and spaces squeezed, for exact sentence checks."""
    html = response.content.decode()
    html = re.sub(r"<(script|style)\b.*?</\1>", " ", html, flags=re.S)
    html = html.replace("<wbr>", "")  # a place a line may break, not a space
    text = re.sub(r"<[^>]+>", " ", html)
    return re.sub(r"\s+", " ", unescape(text)).strip()


def make_rich_customer(w: World) -> Any:
    """A customer as the demo has them: two phones, an email, an address abroad, a partner who is a
    customer too, dates, interests of every kind, sizes, purchases over three years, notes, consent
    given and withdrawn, and an edit or two, spread over time so the timeline reads like a real one."""
    from trunkshow.customers import services
    from trunkshow.customers.models import Customer, CustomerEdit, Note

    store, associate, owner = w.a, w.a_associate, w.a_owner
    partner = make_customer(store, owner, first_name="Gábor", last_name="Szirmay", phones=["+36 30 123 4567"])
    with scope(store=store):
        customer = services.customer_create(
            store=store,
            actor=owner.user,
            first_name="Katalin",
            last_name="Szirmay",
            preferred_name="Kati",
            phones=["(914) 555-0142", {"number": "+44 20 7946 0958", "label": "work"}],
            emails=["katalin.szirmay@example.com"],
            address_line1="221 East 71st Street",
            address_line2="Apartment 4B",
            city="New York",
            region="NY",
            postal_code="10021",
            country="US",
            birthday_day=12,
            birthday_month=3,
            birthday_year=1984,
            partner_id=partner.pk,
            preferred_channel="email",
            language="hu",
            time_zone="Europe/Budapest",
            source="referral",
            consents=[
                services.ConsentGrant(
                    channel="sms",
                    purpose="marketing",
                    method="in_person",
                    evidence_text="They agree to texts from Atelier Ana about new pieces and events.",
                    occurred_at=timezone.now() - dt.timedelta(days=1100),
                )
            ],
        )
        services.important_date_create(
            store=store, actor=owner.user, customer=customer, kind="anniversary", day=14, month=6, year=2009
        )
        services.important_date_create(
            store=store, actor=owner.user, customer=customer, kind="custom", label="Mother's birthday", day=2, month=11
        )
        for kind, value in [
            ("metal", "Platinum"),
            ("metal", "Rose gold"),
            ("stone", "Sapphire"),
            ("stone", "Tanzanite"),
            ("style", "Art deco"),
            ("designer", "Cartier"),
            ("free", "Pearls for her mother"),
        ]:
            services.interest_add(store=store, actor=associate.user, customer=customer, kind=kind, value=value)
        services.size_add(
            store=store,
            actor=associate.user,
            customer=customer,
            kind="ring",
            system="US",
            value="6.5",
            note="left ring finger",
        )
        services.size_add(
            store=store, actor=associate.user, customer=customer, kind="bracelet", system="cm", value="17"
        )
        today = timezone.now().date()
        purchases = [
            (
                today - dt.timedelta(days=980),
                [{"description": "Sapphire halo ring, platinum", "sku": "R-1021"}],
                Decimal("8400.00"),
            ),
            (
                today - dt.timedelta(days=540),
                [{"description": "Akoya pearl studs"}, {"description": "Gift wrapping"}],
                Decimal("1250.00"),
            ),
            (
                today - dt.timedelta(days=40),
                [{"description": "Tanzanite pendant on a rose gold chain"}],
                Decimal("3180.50"),
            ),
        ]
        for day, items, amount in purchases:
            services.purchase_create(
                store=store,
                actor=associate.user,
                customer=customer,
                purchased_on=day,
                items=items,
                amount=amount,
                associate_id=associate.user.pk,
            )
        notes = [
            (
                400,
                "Looking at eternity bands for their 15th anniversary next June. Prefers a low setting — works with her hands.",
            ),
            (
                35,
                "Came in with Gábor. Loved the tanzanite pendant; asked us to call when the matching earrings arrive.",
            ),
            (2, "Mother's 70th in November: pearls, classic, nothing too big."),
        ]
        for days_ago, body in notes:
            note = services.note_create(store=store, actor=associate.user, customer=customer, body=body)
            Note.objects.filter(pk=note.pk).update(created_at=timezone.now() - dt.timedelta(days=days_ago))
        services.consent_record(
            store=store,
            actor=associate.user,
            customer=customer,
            grant=services.ConsentGrant(
                channel="email",
                purpose="marketing",
                method="form",
                evidence_text="Sign me up for the newsletter",
                evidence_url="https://atelier.example.com/join",
                occurred_at=timezone.now() - dt.timedelta(days=300),
            ),
        )
        services.consent_record(
            store=store,
            actor=associate.user,
            customer=customer,
            grant=services.ConsentGrant(
                channel="email",
                purpose="marketing",
                action="withdrawn",
                method="staff",
                evidence_text="Asked on the phone to stop the newsletter.",
                occurred_at=timezone.now() - dt.timedelta(days=20),
            ),
        )
        services.customer_update(
            store=store,
            actor=associate.user,
            customer=customer,
            data={"preferred_channel": "sms", "assigned_associate_id": associate.user.pk},
        )
        # Spread the creation and the early edits back in time, as years of use would.
        Customer.objects.filter(pk=customer.pk).update(created_at=timezone.now() - dt.timedelta(days=1100))
        CustomerEdit.objects.filter(customer=customer).exclude(changes__has_key="preferred_channel").update(
            at=timezone.now() - dt.timedelta(days=700)
        )
        customer.refresh_from_db()
    return customer
