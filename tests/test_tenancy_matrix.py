"""Every page and endpoint that takes an object id, asked by store A for store B's objects: 404.

The routes are read from the URL resolver, so a new route with an id fails here until its
parameters are mapped below; nothing is changed by any of the requests.
"""

from __future__ import annotations

import datetime as dt
import io
import re
from typing import Any

import pytest
from django.urls import URLPattern, URLResolver, get_resolver
from django_scopes import scope, scopes_disabled

from tests.conftest import World, api, browser_client, make_customer
from trunkshow.core.models import AuditEntry, LiveEvent
from trunkshow.customers import importing, segments, services
from trunkshow.customers.models import (
    ConsentEvent,
    CurrentConsent,
    Customer,
    CustomerEdit,
    CustomerEmail,
    CustomerMerge,
    CustomerPhone,
    DistinctPair,
    ImportantDate,
    ImportJob,
    ImportRow,
    Interest,
    Note,
    Purchase,
    Segment,
    Size,
    Suppression,
)
from trunkshow.inbox.models import SavedReply
from trunkshow.messaging.models import Attachment, Conversation, Message, WhatsAppTemplate
from trunkshow.messaging.services import message_receive
from trunkshow.stores.models import ApiToken, Invitation, Membership

METHODS = ("get", "post", "put", "patch", "delete")
PARAM = re.compile(r"<(?:(?:int|str|path|slug|uuid):)?(\w+)>")

# (route name, parameter) -> the kind of object whose id goes there. Route names are Django's
# for pages and django-ninja's operation names for the API.
OBJECT_OF: dict[tuple[str, str], str] = {}
for name in (
    "detail",
    "edit",
    "note_add",
    "purchase_add",
    "date_add",
    "interest_add",
    "size_add",
    "phone_add",
    "email_add",
    "consent_add",
    "date_delete",
    "interest_delete",
    "size_delete",
    "phone_delete",
    "email_delete",
    "merge",
    "merge_confirm",
    "tell_apart",
    "data_export",
    "erase",
):
    OBJECT_OF[(name, "customer_id")] = "customer"
OBJECT_OF |= {
    ("merge_confirm", "other_id"): "customer",
    ("tell_apart", "other_id"): "customer",
    ("date_delete", "obj_id"): "date",
    ("interest_delete", "obj_id"): "interest",
    ("size_delete", "obj_id"): "size",
    ("phone_delete", "obj_id"): "phone",
    ("email_delete", "obj_id"): "email",
    ("token_revoke", "id"): "token",
    ("staff_role", "id"): "membership",
    ("staff_active", "id"): "membership",
    ("staff_read", "id"): "membership",
    ("invitation_resend", "id"): "invitation",
    ("invitation_revoke", "id"): "invitation",
    ("phone_id", None): "phone",
    ("email_id", None): "email",
    ("note_id", None): "note",
    ("date_id", None): "date",
    ("interest_id", None): "interest",
    ("size_id", None): "size",
    ("purchase_id", None): "purchase",
    ("customer_id", None): "customer",
    ("job_id", None): "import",
    ("segment_id", None): "segment",
    ("conversation_id", None): "conversation",
    ("message_id", None): "message",
    ("reply_id", None): "saved_reply",
    ("attachment_id", None): "attachment",
    ("template_id", None): "whatsapp_template",
}
# A valid body for each API write, so the request passes validation and reaches the lookup.
API_BODIES: dict[tuple[str, str], dict[str, Any]] = {
    ("patch", "/api/v1/customers/<customer_id>"): {"first_name": "Changed"},
    ("post", "/api/v1/customers/<customer_id>/phones"): {"number": "+12125550100"},
    ("post", "/api/v1/customers/<customer_id>/emails"): {"address": "changed@example.com"},
    ("post", "/api/v1/customers/<customer_id>/notes"): {"body": "A note"},
    ("post", "/api/v1/customers/<customer_id>/dates"): {"kind": "wedding", "day": 1, "month": 6},
    ("post", "/api/v1/customers/<customer_id>/interests"): {"kind": "metal", "value": "Gold"},
    ("post", "/api/v1/customers/<customer_id>/sizes"): {"kind": "ring", "system": "US", "value": "6"},
    ("post", "/api/v1/customers/<customer_id>/consent"): {
        "channel": "sms",
        "purpose": "marketing",
        "action": "granted",
        "method": "staff",
    },
    ("post", "/api/v1/customers/<customer_id>/merge"): {"other_id": 1},
    ("post", "/api/v1/imports/<job_id>/start"): {"mapping": {"First Name": "first_name"}},
    ("post", "/api/v1/imports/<job_id>/encoding"): {"encoding": "utf-8"},
    ("patch", "/api/v1/segments/<segment_id>"): {"name": "Renamed"},
    ("post", "/api/v1/conversations/<conversation_id>/messages"): {"body": "Hello"},
    ("post", "/api/v1/conversations/<conversation_id>/assign"): {"assigned_to": None},
    ("post", "/api/v1/conversations/<conversation_id>/status"): {"status": "closed"},
    ("put", "/api/v1/saved-replies/<reply_id>"): {"title": "Changed", "body": "Changed"},
    ("put", "/api/v1/whatsapp-templates/<template_id>"): {
        "name": "Changed",
        "content_sid": "HX" + "0" * 32,
        "language": "en",
        "body": "Changed",
        "variables": [],
        "approval_status": "approved",
    },
    ("post", "/api/v1/customers/<customer_id>/purchases"): {
        "purchased_on": "2025-01-02",
        "items": [{"description": "Ring"}],
        "amount": "10.00",
    },
}
# Ids that are not a store's objects: a signed token, a password-reset link, an icon size; the store
# named in a provider's signed webhook URL (another store's URL fails the signature: tests/messaging/twilio);
# the web-chat widget's public routes (a store's slug, a conversation opened only by the visitor's token:
# another store's or conversation's id is a 404 there, tested in tests/messaging/test_widget_api.py (the
# consent route too), and for
# its photos in tests/messaging/test_widget_photos.py).
# A signed photo link names its store inside the signature (an altered one is refused: tests/messaging/test_photos).
NOT_STORE_OBJECTS = {
    "invitation_accept",
    "password_reset_confirm",
    "icon",
    "twilio_inbound",
    "twilio_status",
    "script",
    "config",
    "start",
    "messages",
    "identify",
    "consent",
    "photos",
    "photo",
    "photo_thumb",
    "attachment_signed",
    "attachment_signed_thumb",
}


def _routes() -> list[tuple[str, str, list[str]]]:
    found: list[tuple[str, str, list[str]]] = []

    def walk(patterns: list[Any], prefix: str) -> None:
        for p in patterns:
            if isinstance(p, URLResolver):
                walk(p.url_patterns, prefix + str(p.pattern))
            elif isinstance(p, URLPattern):
                route = prefix + str(p.pattern)
                params = PARAM.findall(route)
                if params and p.name not in NOT_STORE_OBJECTS:
                    found.append((p.name or route, route, params))

    walk(get_resolver().url_patterns, "/")
    return sorted(set((n, r, tuple(ps)) for n, r, ps in found))  # type: ignore[misc]


ROUTES = _routes()


def _kind(name: str, param: str) -> str:
    kind = OBJECT_OF.get((name, param)) or OBJECT_OF.get((param, None))
    assert kind, f"Map the parameter {param!r} of route {name!r} in OBJECT_OF"
    return kind


@pytest.fixture
def b_objects(world: World) -> dict[str, Any]:
    """One of everything in store B."""
    from trunkshow.stores.services import staff_invite

    customer = make_customer(
        world.b,
        world.b_owner,
        first_name="Béa",
        last_name="Berger",
        phones=["+33142685300"],
        emails=["bea@example.org"],
    )
    with scope(store=world.b):
        actor = world.b_owner.user
        inbound, _created = message_receive(
            store=world.b,
            channel="sms",
            from_address="+33142685300",
            body="Bonjour",
            provider="sandbox",
            provider_id="B1",
        )
        photo = Attachment.objects.create(
            store=world.b,
            message=inbound,
            file="b/photo",
            thumbnail="b/thumb",
            filename="photo.jpg",
            content_type="image/jpeg",
            size=1,
            width=1,
            height=1,
        )
        objs = {
            "attachment": photo,
            "conversation": inbound.conversation,
            "message": inbound,
            "saved_reply": SavedReply.objects.create(store=world.b, title="Merci", body="Merci {first_name} !"),
            "whatsapp_template": WhatsAppTemplate.objects.create(
                store=world.b,
                name="Pièce prête",
                content_sid="HX" + "b" * 32,
                language="fr",
                body="Bonjour {{1}}, votre bague est prête.",
                variables=[{"source": "first_name", "label": ""}],
                approval_status="approved",
            ),
            "customer": customer,
            "phone": customer.phones.get(),
            "email": customer.emails.get(),
            "note": services.note_create(store=world.b, actor=actor, customer=customer, body="Loves pearls"),
            "date": services.important_date_create(
                store=world.b, actor=actor, customer=customer, kind="anniversary", day=3, month=5
            ),
            "interest": services.interest_add(
                store=world.b, actor=actor, customer=customer, kind="stone", value="Pearl"
            ),
            "size": services.size_add(
                store=world.b, actor=actor, customer=customer, kind="ring", system="EU", value="52"
            ),
            "purchase": services.purchase_create(
                store=world.b,
                actor=actor,
                customer=customer,
                purchased_on=dt.date(2025, 5, 1),
                items=[{"description": "Pearl studs"}],
                amount="450",
            ),
            "import": importing.import_upload(
                store=world.b,
                actor=actor,
                file_name="b.csv",
                stream=io.BytesIO("First Name,Email\nBéa,bea@example.org\n".encode()),
            ),
            "segment": segments.segment_create(
                store=world.b, actor=actor, name="Pearl lovers", filters={"interest": ["stone:pearl"]}
            ),
            "membership": world.b_associate.membership,
            "token": ApiToken.objects.filter(membership=world.b_owner.membership).get(),
            "invitation": staff_invite(
                store=world.b,
                actor=actor,
                actor_membership=world.b_owner.membership,
                email="new@example.org",
                role="associate",
            ),
        }
    return objs


def _snapshot() -> dict[str, Any]:
    with scopes_disabled():
        models = (
            Customer,
            CustomerPhone,
            CustomerEmail,
            Note,
            ImportantDate,
            Interest,
            Size,
            Purchase,
            ConsentEvent,
            CurrentConsent,
            CustomerEdit,
            CustomerMerge,
            DistinctPair,
            Suppression,
            Segment,
            Membership,
            ApiToken,
            Invitation,
            ImportJob,
            ImportRow,
            Conversation,
            Message,
            LiveEvent,
            SavedReply,
            Attachment,
            WhatsAppTemplate,
        )
        state: dict[str, Any] = {m.__name__: sorted(m.objects.values_list("id", flat=True)) for m in models}
        state["customers"] = list(Customer.objects.order_by("id").values())
        state["segments"] = list(Segment.objects.order_by("id").values())
        state["memberships"] = list(Membership.objects.order_by("id").values())
        state["tokens"] = list(ApiToken.objects.order_by("id").values("id", "revoked_at"))
        state["invitations"] = list(Invitation.objects.order_by("id").values())
        state["imports"] = list(ImportJob.objects.order_by("id").values())
        state["conversations"] = list(Conversation.objects.order_by("id").values())
        state["messages"] = list(Message.objects.order_by("id").values())
        state["whatsapp_templates"] = list(WhatsAppTemplate.objects.order_by("id").values())
    return state


def _fill(route: str, values: dict[str, Any]) -> str:
    return PARAM.sub(lambda m: str(values[m.group(1)]), route)


def test_every_route_with_an_id_is_mapped():
    assert len(ROUTES) >= 40
    for name, _route, params in ROUTES:
        for param in params:
            _kind(name, param)


@pytest.mark.parametrize(("name", "route", "params"), ROUTES, ids=[r[0] + ":" + r[1] for r in ROUTES])
def test_store_a_gets_404_for_store_b_objects_and_nothing_changes(world: World, b_objects, name, route, params):
    a_customer = make_customer(world.a, world.a_owner, first_name="Ana")
    is_api = route.startswith("/api/")
    client = api(world.a_owner) if is_api else browser_client(world.a_owner)
    variants = [{p: b_objects[_kind(name, p)].pk for p in params}]
    if "customer_id" in params and len(params) > 1:
        # Store A's own customer with store B's child object.
        variants.append({**variants[0], "customer_id": a_customer.pk})
    before = _snapshot()
    for values in variants:
        url = _fill(route, values)
        statuses = {}
        for method in METHODS:
            kwargs: dict[str, Any] = {}
            if method in ("post", "put", "patch") and is_api:
                kwargs = {"content_type": "application/json", "data": API_BODIES.get((method, route), {})}
            response = getattr(client, method)(url, **kwargs)
            statuses[method] = response.status_code
            assert response.status_code in (404, 405), f"{method.upper()} {url} -> {response.status_code}"
            if response.status_code == 404 and is_api:
                assert response.json()["error"]["code"] == "not_found"
            body = response.content.decode(errors="replace")
            assert "Béa" not in body and "bea@example.org" not in body and "Pearl" not in body
        assert 404 in statuses.values(), f"{url}: no method reached the view ({statuses})"
    after = _snapshot()
    assert after == before
    with scopes_disabled():
        assert (
            not AuditEntry.objects.filter(store=world.b)
            .exclude(
                action__in=[
                    "trunkshow.store.created",
                    "trunkshow.staff.created",
                    "trunkshow.token.created",
                    "trunkshow.staff.invited",
                ]
            )
            .exists()
        )
