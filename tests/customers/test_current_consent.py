"""CurrentConsent follows the ledger: the latest event by occurrence decides, back-dated ones do not."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.db.utils import DatabaseError
from django.utils import timezone
from django_scopes import scopes_disabled

from tests.conftest import make_customer
from trunkshow.customers.models import ConsentEvent, CurrentConsent
from trunkshow.customers.services import ConsentGrant, consent_record


def grant(action: str, *, at: dt.datetime | None = None) -> ConsentGrant:
    return ConsentGrant(
        channel="sms",
        purpose="marketing",
        action=action,
        method="staff",
        evidence_text="Asked at the counter",
        occurred_at=at,
    )


@pytest.mark.django_db
def test_current_consent_follows_the_latest_event_not_the_last_written(world):
    store = world.a
    with scopes_disabled():
        customer = make_customer(store, first_name="Ilona", phones=["+19145550142"])
        consent_record(store=store, actor=world.a_owner.user, customer=customer, grant=grant("granted"))
        assert CurrentConsent.objects.get(customer=customer, channel="sms", purpose="marketing").granted is True
        consent_record(store=store, actor=world.a_owner.user, customer=customer, grant=grant("withdrawn"))
        assert CurrentConsent.objects.get(customer=customer, channel="sms", purpose="marketing").granted is False
        # A grant dated last year (an old point-of-sale export) does not undo today's withdrawal.
        old = timezone.now() - dt.timedelta(days=365)
        consent_record(store=store, actor=world.a_owner.user, customer=customer, grant=grant("granted", at=old))
        current = CurrentConsent.objects.get(customer=customer, channel="sms", purpose="marketing")
        assert (current.granted, current.event.action) == (False, "withdrawn")
        assert CurrentConsent.objects.filter(customer=customer).count() == 1


@pytest.mark.django_db
def test_the_database_lets_a_ledger_move_to_another_customer_and_nothing_else(world):
    store = world.a
    with scopes_disabled():
        one = make_customer(store, first_name="Ilona")
        two = make_customer(store, first_name="Ilona", last_name="Szirmay")
        consent_record(store=store, actor=world.a_owner.user, customer=one, grant=grant("granted"))
        assert ConsentEvent.objects.filter(customer=one).move_to(two) == 1
        assert ConsentEvent.objects.get().customer_id == two.pk
    with pytest.raises(DatabaseError), connection.cursor() as cursor:
        cursor.execute("UPDATE customers_consentevent SET action = 'withdrawn'")
