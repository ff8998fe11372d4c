"""Suppressions remember an erased customer's phones and emails as digests, per store."""

from __future__ import annotations

import pytest
from django_scopes import scopes_disabled

from trunkshow.customers.models import Suppression
from trunkshow.customers.suppression import suppressed, suppression_add


@pytest.mark.django_db
def test_a_suppressed_phone_or_email_is_recognised_only_in_its_own_store(world):
    with scopes_disabled():
        suppression_add(store=world.a, phones=["+19145550142"], emails=["ilona@example.com"])
        suppression_add(store=world.a, phones=["+19145550142"])  # twice is once
        assert Suppression.objects.filter(store=world.a).count() == 2
        stored = set(Suppression.objects.values_list("digest", flat=True))
        assert not any("5550142" in d or "ilona" in d for d in stored)
        assert suppressed(store=world.a, phones=["+19145550142"]) is True
        assert suppressed(store=world.a, emails=["ilona@example.com"]) is True
        assert suppressed(store=world.a, emails=["other@example.com"], phones=["+19145550143"]) is False
        assert suppressed(store=world.b, phones=["+19145550142"], emails=["ilona@example.com"]) is False
        assert suppressed(store=world.a) is False
