"""Every model holding a store's data is scoped: an unscoped query raises instead of leaking."""

from __future__ import annotations

import pytest
from django.apps import apps
from django_scopes.exceptions import ScopeError

STORE_OWNED = sorted(
    (
        m
        for m in apps.get_models()
        if m._meta.app_label in {"core", "stores", "customers", "messaging", "inbox"}
        and any(f.name == "store" for f in m._meta.fields)
    ),
    key=lambda m: m._meta.label,
)


def test_the_store_owned_models_are_the_ones_we_expect():
    assert [m._meta.label for m in STORE_OWNED] == [
        "core.AuditEntry",
        "core.LiveEvent",
        "customers.ConsentEvent",
        "customers.CurrentConsent",
        "customers.Customer",
        "customers.CustomerEdit",
        "customers.CustomerEmail",
        "customers.CustomerMerge",
        "customers.CustomerPhone",
        "customers.DistinctPair",
        "customers.ImportJob",
        "customers.ImportRow",
        "customers.ImportantDate",
        "customers.Interest",
        "customers.Note",
        "customers.Purchase",
        "customers.Segment",
        "customers.Size",
        "customers.Suppression",
        "inbox.InboxSettings",
        "inbox.Mention",
        "inbox.OverdueAlert",
        "inbox.PushSubscription",
        "inbox.ReadState",
        "inbox.SavedReply",
        "messaging.Attachment",
        "messaging.Conversation",
        "messaging.ConversationFold",
        "messaging.Message",
        "messaging.OptOut",
        "messaging.ProviderEvent",
        "messaging.Response",
        "messaging.WebchatSettings",
        "messaging.WebchatVisitor",
        "messaging.WhatsAppTemplate",
        "stores.ApiToken",
        "stores.Invitation",
        "stores.Membership",
    ]


@pytest.mark.parametrize("model", STORE_OWNED, ids=lambda m: m._meta.label)
def test_unscoped_query_raises(model, db):
    with pytest.raises(ScopeError):
        list(model.objects.all())
