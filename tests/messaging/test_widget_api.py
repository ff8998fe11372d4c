"""The web-chat widget's public endpoints: script, CORS per store, visitor tokens, identify, rate limits."""

from __future__ import annotations

import gzip
import hashlib
import json
from typing import Any

import pytest
from django.core.cache import cache
from django.test import Client
from django_scopes import scope, scopes_disabled

from tests.conftest import World, browser_client, make_customer
from trunkshow.core.models import AuditEntry
from trunkshow.customers.models import ConsentEvent, Customer
from trunkshow.messaging.channels.webchat.services import consent_text, webchat_settings_update
from trunkshow.messaging.models import Conversation, Message, WebchatSettings, WebchatVisitor
from trunkshow.messaging.services import message_send, note_add

SITE = "https://www.atelier-ana.example"
OTHER_SITE = "https://evil.example"
XSS = "<img src=x onerror=alert(1)>"


@pytest.fixture(autouse=True)
def _fresh_rate_limits() -> None:
    cache.clear()


@pytest.fixture
def site(world: World) -> World:
    with scope(store=world.a):
        webchat_settings_update(
            store=world.a, actor=None, allowed_origins=[SITE], reply_time_text="We usually reply within 10 minutes."
        )
    with scope(store=world.b):
        webchat_settings_update(
            store=world.b, actor=None, allowed_origins=["https://bijoux.example"], reply_time_text=""
        )
    return world


def visitor(origin: str = SITE) -> Client:
    return Client(headers={"Origin": origin})


def post(client: Client, url: str, data: Any, token: str = "") -> Any:
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    body = data if isinstance(data, str) else json.dumps(data)
    return client.post(url, body, content_type="application/json", headers=headers)


def get(client: Client, url: str, token: str = "") -> Any:
    return client.get(url, headers={"Authorization": f"Bearer {token}"} if token else {})


def start(client: Client, body: str = "Do you resize rings?", slug: str = "atelier", captured: Any = None) -> Any:
    response = post(client, f"/widget/api/{slug}/conversations", {"body": body, "page": f"{SITE}/rings"})
    return response


def count(model: Any) -> int:
    with scopes_disabled():
        return int(model.objects.count())


# ---- the script ---------------------------------------------------------------------------------


def test_widget_script_is_small_cacheable_and_revalidated_by_its_content_hash(site: World) -> None:
    client = Client()
    response = client.get("/widget/atelier.js")
    assert response.status_code == 200
    assert response["Content-Type"] == "text/javascript; charset=utf-8"
    assert response["Cache-Control"] == "public, max-age=300, stale-while-revalidate=86400"
    body = response.content
    assert response["ETag"] == '"' + hashlib.sha256(body).hexdigest()[:20] + '"'
    assert b'"store": "atelier"' in body and b'"base": "http://testserver"' in body
    assert b"http://" not in body.replace(b'"base": "http://testserver"', b"")  # nothing from other hosts
    assert b"https://" not in body
    script_gz = len(gzip.compress(body, 9))
    # The script is all the JavaScript a visitor loads before their first message.
    print(f"\nwidget script: {len(body):,} bytes, {script_gz:,} bytes gzipped (limits 15,360 and 40,960)")
    assert script_gz <= 15 * 1024
    again = client.get("/widget/atelier.js", headers={"If-None-Match": response["ETag"]})
    assert again.status_code == 304 and again.content == b""
    assert client.get("/widget/no-such-store.js").status_code == 404


# ---- CORS -------------------------------------------------------------------------------------------


def test_config_answers_an_allowed_origin_with_cors_headers_hours_and_reply_time(site: World) -> None:
    with scopes_disabled():
        type(site.a).objects.filter(pk=site.a.pk).update(opening_hours={})  # no hours: always open
    response = visitor().get("/widget/api/atelier/config")
    assert response.status_code == 200
    assert response["Access-Control-Allow-Origin"] == SITE
    assert "Origin" in [v.strip() for v in response["Vary"].split(",")]
    data = response.json()
    assert data["store"] == "Atelier Ana"
    assert data["reply_time"] == "We usually reply within 10 minutes."
    assert data["hours"]["open"] is True
    assert data["hours"]["time_zone"] == "America/New_York"
    assert data["hours"]["week"][0] == {"day": "mon", "spans": []}
    assert data["hours"]["next_open"] is None
    assert data["ask_contact_first"] is False
    assert data["consent_text"] == "Yes, Atelier Ana may reply to me about this conversation by text message or email."


TUESDAY_10 = {"day": "tue", "time": "10:00"}


@pytest.mark.parametrize(
    ("utc", "is_open", "next_open"),
    [
        ("2026-11-24T14:59:00Z", False, {**TUESDAY_10, "in_days": 0}),  # Tuesday 09:59 in New York
        ("2026-11-24T15:00:00Z", True, None),  # 10:00
        ("2026-11-24T22:59:00Z", True, None),  # 17:59
        ("2026-11-24T23:00:00Z", False, {**TUESDAY_10, "in_days": 7}),  # 18:00: next Tuesday
        ("2026-11-23T16:00:00Z", False, {**TUESDAY_10, "in_days": 1}),  # Monday, closed all day
    ],
)
def test_open_or_closed_is_decided_in_the_stores_time_zone(
    site: World, utc: str, is_open: bool, next_open: Any
) -> None:
    import time_machine

    with scopes_disabled():
        type(site.a).objects.filter(pk=site.a.pk).update(opening_hours={"mon": [], "tue": [["10:00", "18:00"]]})
    with time_machine.travel(utc, tick=False):
        data = visitor().get("/widget/api/atelier/config").json()
    assert (data["hours"]["open"], data["ask_contact_first"]) == (is_open, not is_open)
    assert data["hours"]["next_open"] == next_open
    assert data["hours"]["today"] == ("tue" if utc.startswith("2026-11-24") else "mon")


@pytest.mark.parametrize(
    ("week", "utc", "is_open", "next_open"),
    [
        # Spans written out of order (straight to the column): open in the morning one, and the
        # afternoon one is next. The inbox's clock took the first span written as the next one.
        ({"tue": [["14:00", "18:00"], ["10:00", "12:00"]]}, "2026-11-24T16:00:00Z", True, None),  # 11:00
        (
            {"tue": [["14:00", "18:00"], ["10:00", "12:00"]]},
            "2026-11-24T17:30:00Z",  # 12:30
            False,
            {"day": "tue", "time": "14:00", "in_days": 0},
        ),
        # Open until midnight, which the settings accept as "24:00" (the inbox's clock raised on it).
        ({"tue": [["18:00", "24:00"]]}, "2026-11-25T04:59:00Z", True, None),  # 23:59
        ({"tue": [["18:00", "24:00"]]}, "2026-11-25T05:00:00Z", False, {"day": "tue", "time": "18:00", "in_days": 6}),
        # Open past midnight: Monday's "24:30" is 00:30 on Tuesday (the widget said closed).
        ({"mon": [["20:00", "24:30"]]}, "2026-11-24T05:15:00Z", True, None),  # Tuesday 00:15
        ({"mon": [["20:00", "24:30"]]}, "2026-11-24T05:30:00Z", False, {"day": "mon", "time": "20:00", "in_days": 6}),
    ],
)
def test_the_widget_and_the_inbox_read_unusual_hours_alike(
    site: World, week: dict[str, Any], utc: str, is_open: bool, next_open: Any
) -> None:
    import datetime as dt

    import time_machine

    from trunkshow.stores import hours

    with scopes_disabled():
        type(site.a).objects.filter(pk=site.a.pk).update(opening_hours=week)
        store = type(site.a).objects.get(pk=site.a.pk)
    with time_machine.travel(utc, tick=False):
        data = visitor().get("/widget/api/atelier/config").json()
    assert (data["hours"]["open"], data["hours"]["next_open"]) == (is_open, next_open)
    # The inbox's out-of-hours answer and response clock read the same module.
    assert hours.is_open(store, dt.datetime.fromisoformat(utc)) is is_open


def test_a_closed_store_asks_for_contact_details_at_once(site: World) -> None:
    import time_machine

    with scopes_disabled():
        type(site.a).objects.filter(pk=site.a.pk).update(opening_hours={"sat": [["10:00", "13:00"]]})
    with time_machine.travel("2026-11-25T15:00:00Z", tick=False):  # a Wednesday
        data = visitor().get("/widget/api/atelier/config").json()
    assert data["hours"]["open"] is False
    assert data["ask_contact_first"] is True


@pytest.mark.parametrize(
    "origin", [OTHER_SITE, "https://bijoux.example", "null", SITE + ":8443", "http://www.atelier-ana.example"]
)
def test_requests_from_origins_not_on_the_stores_list_are_refused(site: World, origin: str) -> None:
    client = visitor(origin)
    for response in (
        client.get("/widget/api/atelier/config"),
        start(client),
        client.options("/widget/api/atelier/conversations", headers={"Access-Control-Request-Method": "POST"}),
    ):
        assert response.status_code == 403
        assert response.json()["error"]["code"] == "origin_not_allowed"
        assert "Access-Control-Allow-Origin" not in response
    assert count(Conversation) == 0


def test_a_request_without_an_origin_is_refused(site: World) -> None:
    response = Client().get("/widget/api/atelier/config")
    assert response.status_code == 403


def test_preflight_from_an_allowed_origin_names_methods_and_headers(site: World) -> None:
    response = visitor().options(
        "/widget/api/atelier/conversations",
        headers={
            "Access-Control-Request-Method": "POST",
            "Access-Control-Request-Headers": "authorization,content-type",
        },
    )
    assert response.status_code == 204
    assert response["Access-Control-Allow-Origin"] == SITE
    assert response["Access-Control-Allow-Methods"] == "POST, OPTIONS"
    assert response["Access-Control-Allow-Headers"] == "Authorization, Content-Type"
    assert response["Access-Control-Max-Age"] == "600"
    assert count(Conversation) == 0


def test_an_unknown_store_is_a_404(site: World) -> None:
    response = visitor().get("/widget/api/nobody/config")
    assert response.status_code == 404
    assert response.json()["error"]["code"] == "not_found"


# ---- starting and writing -----------------------------------------------------------------------


def test_the_first_message_starts_a_conversation_without_a_customer_and_returns_a_token_kept_hashed(
    site: World,
) -> None:
    response = start(visitor(), "  Do you resize rings?  ")
    assert response.status_code == 201
    assert response["Access-Control-Allow-Origin"] == SITE
    data = response.json()
    token = data["token"]
    assert len(token) >= 43  # 256 random bits, URL-safe base64
    with scope(store=site.a):
        conversation = Conversation.objects.get()
        assert data["conversation"] == conversation.pk
        assert conversation.customer_id is None
        assert conversation.channel == "webchat"
        assert conversation.status == "open"
        assert conversation.last_message_preview == "Do you resize rings?"
        message = Message.objects.get()
        assert (message.direction, message.status, message.channel, message.body) == (
            "in",
            "received",
            "webchat",
            "Do you resize rings?",
        )
        assert message.meta == {"page": f"{SITE}/rings"}
        stored = WebchatVisitor.objects.get()
    assert stored.conversation_id == conversation.pk
    assert stored.token_hash == hashlib.sha256(token.encode()).hexdigest()
    assert token not in json.dumps(list(WebchatVisitor.objects.with_scopes_disabled().values()), default=str)
    assert data["message"] == {
        "id": message.pk,
        "from": "visitor",
        "body": "Do you resize rings?",
        "author": "",
        "at": message.created_at.isoformat(),
        "photos": [],
    }
    assert data["last_event"] > 0


@pytest.mark.parametrize(
    ("body", "status", "field"),
    [
        ({"body": ""}, 400, "body"),
        ({"body": "   \n "}, 400, "body"),
        ({}, 400, "body"),
        ({"body": "x" * 5_001}, 400, "body"),
        ({"body": "x" * 100_000}, 400, "body"),
        ({"body": 42}, 400, "body"),
        ("not json", 400, None),
        ("[1, 2]", 400, None),
        # Half of an emoji pair answered 500 (UnicodeEncodeError), and a NUL was stored (a 500 on PostgreSQL).
        ('{"body": "Do you resize \\ud800 rings?"}', 400, "body"),
        ('{"body": "Do you resize\\u0000 rings?"}', 400, "body"),
        ('{"body": "Hi", "page": "https://www.atelier-ana.example/\\ud83d"}', 400, "page"),
        ('{"body": "Hi", "page": "https://www.atelier-ana.example/\\u0000"}', 400, "page"),
    ],
)
def test_bad_first_messages_are_refused_and_nothing_is_stored(site: World, body: Any, status: int, field: Any) -> None:
    response = post(visitor(), "/widget/api/atelier/conversations", body)
    assert response.status_code == status
    error = response.json()["error"]
    if field:
        assert error["code"] == "invalid"
        assert list(error["fields"]) == [field]
    else:
        assert error["code"] == "bad_request"
    assert (count(Conversation), count(Message), count(WebchatVisitor)) == (0, 0, 0)


def test_a_later_message_with_a_broken_character_is_refused_and_not_stored(site: World) -> None:
    client = visitor()
    mine = start(client).json()
    url = f"/widget/api/atelier/conversations/{mine['conversation']}/messages"
    for raw in ('{"body": "My size is \\udc00 6."}', '{"body": "My size is\\u0000 6."}'):
        response = post(client, url, raw, mine["token"])
        assert response.status_code == 400, response.content
        assert list(response.json()["error"]["fields"]) == ["body"]
    assert count(Message) == 1


def test_a_body_over_the_request_limit_is_a_413_in_the_envelope(site: World, settings: Any) -> None:
    # Today: 400 with Django's HTML "Bad Request" page (RequestDataTooBig), which the widget cannot read.
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 10_000
    client = visitor()
    response = post(client, "/widget/api/atelier/conversations", {"body": "x" * 20_000})
    assert response.status_code == 413
    assert response["Content-Type"] == "application/json"
    assert response["Access-Control-Allow-Origin"] == SITE
    assert response.json()["error"]["code"] == "too_large"
    assert (count(Conversation), count(Message), count(WebchatVisitor)) == (0, 0, 0)


def test_a_message_of_exactly_5000_characters_is_accepted(site: World) -> None:
    assert start(visitor(), "x" * 5_000).status_code == 201


def test_the_visitor_writes_and_reads_only_their_own_conversation(
    site: World, django_capture_on_commit_callbacks: Any
) -> None:
    client = visitor()
    mine = start(client).json()
    theirs = start(client, "Someone else's question").json()
    url = f"/widget/api/atelier/conversations/{mine['conversation']}/messages"

    response = post(client, url, {"body": "My size is 6."}, mine["token"])
    assert response.status_code == 201
    assert response.json()["message"]["body"] == "My size is 6."

    # Another conversation's id with my token, my id with another's token, no token, a made-up token: 404.
    other_url = f"/widget/api/atelier/conversations/{theirs['conversation']}/messages"
    for target, token in ((other_url, mine["token"]), (url, theirs["token"]), (url, ""), (url, "x" * 43)):
        assert post(client, target, {"body": "hello?"}, token).status_code == 404
        refused = get(client, target, token)
        assert refused.status_code == 404
        assert refused.json()["error"]["code"] == "not_found"
    # The same token on another store's widget is nobody there.
    bijoux = visitor("https://bijoux.example")
    assert (
        get(bijoux, f"/widget/api/bijoux/conversations/{mine['conversation']}/messages", mine["token"]).status_code
        == 404
    )

    with scope(store=site.a), django_capture_on_commit_callbacks(execute=True):
        conversation = Conversation.objects.get(pk=mine["conversation"])
        note_add(store=site.a, actor=site.a_associate.user, conversation=conversation, body="Check the ring stock")
        reply = message_send(store=site.a, actor=site.a_associate.user, conversation=conversation, body=XSS)
    read = get(client, url + "?after=0", mine["token"]).json()
    assert [(m["from"], m["body"]) for m in read["messages"]] == [
        ("visitor", "Do you resize rings?"),
        ("visitor", "My size is 6."),
        ("store", XSS),
    ]
    assert read["messages"][2]["author"] == "Ali"
    assert read["identified"] is False
    since = get(client, f"{url}?after={read['messages'][1]['id']}", mine["token"]).json()
    assert [m["id"] for m in since["messages"]] == [reply.pk]
    assert get(client, url + "?after=abc", mine["token"]).status_code == 400


def test_a_staff_email_in_the_same_conversation_is_not_shown_in_the_widget(
    site: World, django_capture_on_commit_callbacks: Any
) -> None:
    client = visitor()
    mine = start(client).json()
    with scope(store=site.a):
        conversation = Conversation.objects.get(pk=mine["conversation"])
        Message.objects.create(
            store=site.a,
            conversation=conversation,
            direction="in",
            channel="email",
            body="Private email",
            status="received",
        )
    read = get(client, f"/widget/api/atelier/conversations/{mine['conversation']}/messages", mine["token"]).json()
    assert [m["body"] for m in read["messages"]] == ["Do you resize rings?"]


# ---- identify ---------------------------------------------------------------------------------------


def test_a_visitor_typing_an_existing_customers_email_gets_a_new_unverified_contact_never_their_history(
    site: World, django_capture_on_commit_callbacks: Any
) -> None:
    clara = make_customer(site.a, site.a_owner, first_name="Clara", last_name="Real", emails=["clara@example.com"])
    with scope(store=site.a), django_capture_on_commit_callbacks(execute=True):
        from trunkshow.messaging.services import message_receive

        private, _created = message_receive(
            store=site.a,
            channel="email",
            from_address="clara@example.com",
            body="My engagement ring budget is $20k",
            provider="email",
            provider_id="<clara-1@example.com>",
        )
    client = visitor()
    mine = start(client, "Hi, it's Clara").json()
    url = f"/widget/api/atelier/conversations/{mine['conversation']}"
    response = post(
        client,
        url + "/identify",
        {"name": "Clara Real", "email": "Clara@Example.com", "consent": True, "page": f"{SITE}/contact"},
        mine["token"],
    )
    assert response.status_code == 200
    assert response.json() == {"identified": True, "name": "Clara", "reach": ["email"]}
    with scope(store=site.a):
        conversation = Conversation.objects.get(pk=mine["conversation"])
        new = Customer.objects.get(pk=conversation.customer_id)
        assert new.pk != clara.pk
        assert new.source == "chat"
        assert (new.first_name, new.last_name) == ("Clara", "Real")
        assert list(new.emails.values_list("address", flat=True)) == ["clara@example.com"]
        assert private.conversation_id != conversation.pk
        events = list(
            ConsentEvent.objects.filter(customer=new).values(
                "channel", "purpose", "action", "method", "evidence_text", "evidence_url", "evidence_ip"
            )
        )
        assert events == [
            {
                "channel": "email",
                "purpose": "service",
                "action": "granted",
                "method": "form",
                "evidence_text": consent_text(site.a),
                "evidence_url": f"{SITE}/contact",
                "evidence_ip": "127.0.0.1",
            }
        ]
        assert not ConsentEvent.objects.filter(customer=clara).exists()
    read = get(client, url + "/messages", mine["token"]).json()
    assert [m["body"] for m in read["messages"]] == ["Hi, it's Clara"]
    assert read["identified"] is True
    assert "20k" not in json.dumps(read)
    # With the consent, the conversation can go on by email (to the address the visitor typed).
    with scope(store=site.a), django_capture_on_commit_callbacks(execute=False):
        by_email = message_send(
            store=site.a, actor=site.a_owner.user, conversation=conversation, body="Your ring is ready", channel="email"
        )
        assert (by_email.channel, by_email.to_address) == ("email", "clara@example.com")


def test_identify_without_consent_records_the_contact_and_no_consent(site: World) -> None:
    client = visitor()
    mine = start(client).json()
    response = post(
        client,
        f"/widget/api/atelier/conversations/{mine['conversation']}/identify",
        {"name": "Pat", "phone": "(212) 555-0143", "consent": False},
        mine["token"],
    )
    assert response.status_code == 200
    with scope(store=site.a):
        customer = Conversation.objects.get(pk=mine["conversation"]).customer
        assert list(customer.phones.values_list("e164", flat=True)) == ["+12125550143"]
        assert not ConsentEvent.objects.filter(customer=customer).exists()


@pytest.mark.parametrize(
    ("details", "reach"),
    [
        ({"phone": "(212) 555-0143", "email": "pat@example.com", "consent": True}, ["sms", "email"]),
        ({"phone": "(212) 555-0143", "consent": True}, ["sms"]),
        ({"email": "pat@example.com", "consent": True}, ["email"]),
        ({"phone": "(212) 555-0143", "email": "pat@example.com", "consent": False}, []),
    ],
)
def test_identify_says_where_else_the_store_may_answer_only_the_channels_given_and_consented(
    site: World, details: dict[str, Any], reach: list[str]
) -> None:
    client = visitor()
    mine = start(client).json()
    url = f"/widget/api/atelier/conversations/{mine['conversation']}/identify"
    response = post(client, url, {"name": "Pat Visitor", **details}, mine["token"])
    assert response.json() == {"identified": True, "name": "Pat", "reach": reach}


def test_a_visitor_who_saved_without_consent_can_give_it_afterwards_in_the_exact_words_shown(site: World) -> None:
    client = visitor()
    mine = start(client).json()
    url = f"/widget/api/atelier/conversations/{mine['conversation']}"
    details = {"name": "Priya Shah", "phone": "(212) 555-0143", "email": "priya@example.com", "consent": False}
    assert post(client, url + "/identify", details, mine["token"]).json()["reach"] == []
    shown = client.get("/widget/api/atelier/config", HTTP_ACCEPT_LANGUAGE="fr").json()
    response = post(client, url + "/consent", {"language": shown["language"], "page": f"{SITE}/rings"}, mine["token"])
    assert response.status_code == 200
    assert response.json() == {"name": "Priya", "reach": ["sms", "email"]}
    with scope(store=site.a):
        customer = Conversation.objects.get(pk=mine["conversation"]).customer
        rows = list(
            ConsentEvent.objects.filter(customer=customer)
            .order_by("id")
            .values_list("channel", "purpose", "action", "method", "evidence_text", "evidence_url", "evidence_ip")
        )
    assert shown["consent_text"] == consent_text(site.a, "fr")
    assert rows == [
        ("sms", "service", "granted", "form", shown["consent_text"], f"{SITE}/rings", "127.0.0.1"),
        ("email", "service", "granted", "form", shown["consent_text"], f"{SITE}/rings", "127.0.0.1"),
    ]
    # Ticking again (a second tab, a double tap) records nothing more.
    again = post(client, url + "/consent", {"language": "fr"}, mine["token"])
    assert again.json() == {"name": "Priya", "reach": ["sms", "email"]}
    assert count(ConsentEvent) == 2


def test_consent_before_the_details_or_in_an_unknown_language_is_refused_and_nothing_stored(site: World) -> None:
    client = visitor()
    mine = start(client).json()
    url = f"/widget/api/atelier/conversations/{mine['conversation']}"
    early = post(client, url + "/consent", {"language": "en"}, mine["token"])
    assert early.status_code == 400
    assert early.json()["error"]["fields"] == {"name": ["Leave your name and a phone or email first."]}
    post(client, url + "/identify", {"name": "Pat", "email": "pat@example.com"}, mine["token"])
    unknown = post(client, url + "/consent", {"language": "xx"}, mine["token"])
    assert unknown.status_code == 400
    assert count(ConsentEvent) == 0


def test_consent_with_another_conversations_token_is_a_404(site: World) -> None:
    client = visitor()
    mine, theirs = start(client).json(), start(client, "Another question").json()
    post(
        client,
        f"/widget/api/atelier/conversations/{theirs['conversation']}/identify",
        {"name": "Pat", "email": "p@example.com"},
        theirs["token"],
    )
    response = post(
        client, f"/widget/api/atelier/conversations/{theirs['conversation']}/consent", {"language": "en"}, mine["token"]
    )
    assert response.status_code == 404
    # Its own token on another store's widget is nobody there either.
    bijoux = visitor("https://bijoux.example")
    elsewhere = f"/widget/api/bijoux/conversations/{theirs['conversation']}/consent"
    assert post(bijoux, elsewhere, {"language": "en"}, theirs["token"]).status_code == 404
    assert count(ConsentEvent) == 0


def test_once_staff_merged_the_visitor_into_a_customer_the_widget_cannot_grant_consent_for_them(site: World) -> None:
    """The survivor's other phones and emails were never the visitor's to give."""
    from trunkshow.customers.merging import customer_merge

    ruth = make_customer(site.a, site.a_owner, first_name="Ruth", last_name="Ng", phones=["(212) 555-0199"])
    client = visitor()
    mine = start(client).json()
    url = f"/widget/api/atelier/conversations/{mine['conversation']}"
    post(client, url + "/identify", {"name": "Ruth", "email": "ruth@example.com"}, mine["token"])
    with scope(store=site.a):
        chat = Conversation.objects.get(pk=mine["conversation"]).customer
        customer_merge(store=site.a, actor=site.a_owner.user, customer=ruth, other=chat, choices={})
    response = post(client, url + "/consent", {"language": "en"}, mine["token"])
    assert response.status_code == 400
    assert count(ConsentEvent) == 0


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({"name": "", "email": "a@example.com"}, "name"),
        ({"name": "Pat"}, "phone"),
        ({"name": "Pat", "email": "not an email"}, "email"),
        ({"name": "Pat", "phone": "12"}, "phone"),
        ({"name": "Pat", "email": "a@example.com", "consent": "yes"}, "consent"),
        ({"name": XSS * 40, "email": "a@example.com"}, "name"),
    ],
)
def test_identify_refuses_bad_details_and_stores_nothing(site: World, data: dict[str, Any], field: str) -> None:
    client = visitor()
    mine = start(client).json()
    before = count(Customer)
    response = post(client, f"/widget/api/atelier/conversations/{mine['conversation']}/identify", data, mine["token"])
    assert response.status_code == 400
    assert list(response.json()["error"]["fields"]) == [field]
    assert count(Customer) == before
    assert count(ConsentEvent) == 0


def test_identify_twice_is_refused(site: World) -> None:
    client = visitor()
    mine = start(client).json()
    url = f"/widget/api/atelier/conversations/{mine['conversation']}/identify"
    assert post(client, url, {"name": "Pat", "email": "pat@example.com"}, mine["token"]).status_code == 200
    again = post(client, url, {"name": "Someone Else", "email": "other@example.com"}, mine["token"])
    assert again.status_code == 400
    assert again.json()["error"]["fields"] == {"name": ["You have already told us who you are."]}


# ---- rate limits ------------------------------------------------------------------------------------


def test_a_burst_of_new_conversations_is_throttled_and_nothing_extra_is_stored(site: World, settings: Any) -> None:
    settings.WIDGET_RATE_LIMITS = {"start": (3, 600)}
    client = visitor()
    statuses = [start(client, f"Question {i}").status_code for i in range(5)]
    assert statuses == [201, 201, 201, 429, 429]
    refused = start(client)
    assert refused.json()["error"]["code"] == "throttled"
    assert 1 <= int(refused["Retry-After"]) <= 600
    assert refused["Access-Control-Allow-Origin"] == SITE
    assert (count(Conversation), count(Message), count(WebchatVisitor)) == (3, 3, 3)


@pytest.mark.parametrize(
    ("rate", "method", "path", "data"),
    [
        ("message", "post", "/messages", {"body": "again"}),
        ("read", "get", "/messages?after=0", None),
        ("identify", "post", "/identify", {"name": "", "email": ""}),
    ],
)
def test_bursts_on_a_conversation_are_throttled(
    site: World, settings: Any, rate: str, method: str, path: str, data: Any
) -> None:
    client = visitor()
    mine = start(client).json()
    settings.WIDGET_RATE_LIMITS = {rate: (2, 60)}
    url = f"/widget/api/atelier/conversations/{mine['conversation']}{path}"
    statuses = [
        (post(client, url, data, mine["token"]) if method == "post" else get(client, url, mine["token"])).status_code
        for _ in range(4)
    ]
    assert statuses[2:] == [429, 429]
    assert count(Message) == (3 if rate == "message" else 1)


def test_guessing_tokens_from_one_address_is_throttled(site: World, settings: Any) -> None:
    client = visitor()
    mine = start(client).json()
    cache.clear()  # the start above counted against the address too
    settings.WIDGET_RATE_LIMITS = {"address": (3, 60)}
    url = f"/widget/api/atelier/conversations/{mine['conversation']}/messages"
    statuses = [get(client, url, f"guess-{i}" + "x" * 40).status_code for i in range(5)]
    assert statuses == [404, 404, 404, 429, 429]


def test_config_and_script_are_throttled_too(site: World, settings: Any) -> None:
    settings.WIDGET_RATE_LIMITS = {"config": (2, 60), "script": (2, 60), "preflight": (2, 60)}
    client = visitor()
    assert [client.get("/widget/api/atelier/config").status_code for _ in range(3)] == [200, 200, 429]
    assert [client.get("/widget/atelier.js").status_code for _ in range(3)] == [200, 200, 429]
    preflight = [client.options("/widget/api/atelier/conversations").status_code for _ in range(3)]
    assert preflight == [204, 204, 429]


# ---- the owner's settings -------------------------------------------------------------------------


def test_the_owner_sets_allowed_websites_which_are_normalised_and_audited(world: World) -> None:
    client = browser_client(world.a_owner)
    page = client.get("/settings/chat/")
    assert page.status_code == 200
    assert '<script src="http://testserver/widget/atelier.js" async></script>' in page.content.decode().replace(
        "&lt;", "<"
    ).replace("&gt;", ">").replace("&quot;", '"')
    assert "just before the closing <code>&lt;/body&gt;</code> tag:" in page.content.decode()
    response = client.post(
        "/settings/chat/",
        {
            "allowed_origins": "https://Shop.Example.com:443/\nhttp://localhost:8000\nhttps://shop.example.com",
            "reply_time_text": " Within  an hour. ",
        },
    )
    assert response.status_code == 302
    with scope(store=world.a):
        row = WebchatSettings.objects.get()
        assert row.allowed_origins == ["https://shop.example.com", "http://localhost:8000"]
        assert row.reply_time_text == "Within an hour."
        entry = AuditEntry.objects.get(action="trunkshow.webchat.settings_changed")
        assert entry.actor_id == world.a_owner.user.pk


@pytest.mark.parametrize(
    "bad",
    [
        "http://shop.example.com",
        "https://shop.example.com/page",
        "ftp://shop.example.com",
        "shop.example.com/page",
        "https://user@shop.example.com",
        "https://shop.example.com?x=1",
        "https://:99999",
    ],
)
def test_bad_websites_are_refused_with_the_reason(world: World, bad: str) -> None:
    client = browser_client(world.a_owner)
    response = client.post("/settings/chat/", {"allowed_origins": f"https://ok.example\n{bad}", "reply_time_text": ""})
    assert response.status_code == 400
    assert "allowed_origins" in response.context["form"].errors
    with scope(store=world.a):
        assert not WebchatSettings.objects.exists()


@pytest.mark.parametrize("wildcard", ["https://*.maisondemo.com", "*.maisondemo.com", "https://shop*.maisondemo.com"])
def test_a_wildcard_website_is_refused_by_name_rather_than_saved_to_never_match(world: World, wildcard: str) -> None:
    response = browser_client(world.a_owner).post(
        "/settings/chat/", {"allowed_origins": f"https://www.maisondemo.com\n{wildcard}", "reply_time_text": ""}
    )
    assert response.status_code == 400
    typed = wildcard if "://" in wildcard else f"https://{wildcard}"
    assert response.context["form"].errors["allowed_origins"] == [
        f"“{typed}”: wildcards are not supported; list each website on its own line, "
        "like https://www.shop.example.com and https://shop.example.com."
    ]
    with scope(store=world.a):
        assert not WebchatSettings.objects.exists()


def test_a_website_typed_without_https_is_saved_with_it_and_the_page_says_so(world: World) -> None:
    client = browser_client(world.a_owner)
    response = client.post(
        "/settings/chat/",
        {"allowed_origins": "www.maisondemo.com\nhttps://shop.maisondemo.com", "reply_time_text": ""},
        follow=True,
    )
    assert response.status_code == 200
    assert [str(m) for m in response.context["messages"]] == [
        "The chat settings are saved. “www.maisondemo.com” was saved as https://www.maisondemo.com."
    ]
    with scope(store=world.a):
        assert WebchatSettings.objects.get().allowed_origins == [
            "https://www.maisondemo.com",
            "https://shop.maisondemo.com",
        ]
    # And the widget answers that exact origin only.
    assert visitor("https://www.maisondemo.com").get("/widget/api/atelier/config").status_code == 200
    assert visitor("https://evilmaisondemo.com").get("/widget/api/atelier/config").status_code == 403


def test_the_audit_entry_of_a_chat_settings_change_says_what_changed(world: World) -> None:
    client = browser_client(world.a_owner)
    client.post("/settings/chat/", {"allowed_origins": "https://a.example\nhttps://b.example", "reply_time_text": ""})
    client.post(
        "/settings/chat/",
        {"allowed_origins": "https://b.example\nhttps://c.example", "reply_time_text": "Within an hour."},
    )
    with scope(store=world.a):
        entry = AuditEntry.objects.filter(action="trunkshow.webchat.settings_changed").latest("id")
        assert entry.data["changes"] == {
            "allowed_origins": {
                "from": ["https://a.example", "https://b.example"],
                "to": ["https://b.example", "https://c.example"],
            },
            "reply_time_text": {"from": "", "to": "Within an hour."},
        }
    html = client.get("/audit/").content.decode()
    assert (
        "Websites added: https://c.example · Websites removed: https://a.example · "
        "Expected reply time: “” → “Within an hour.”"
    ) in html.replace("&quot;", '"')


def test_only_the_owner_changes_the_chat_settings(world: World) -> None:
    for person in (world.a_manager, world.a_associate):
        response = browser_client(person).post("/settings/chat/", {"allowed_origins": "https://x.example"})
        assert response.status_code == 403
    with scope(store=world.a):
        assert not WebchatSettings.objects.exists()


# ---- the staff reply endpoint -------------------------------------------------------------------


def test_staff_reply_endpoint_sends_through_the_outbox_with_csrf(
    site: World, django_capture_on_commit_callbacks: Any
) -> None:
    mine = start(visitor()).json()
    client = Client(enforce_csrf_checks=True)
    client.force_login(site.a_associate.user)
    url = f"/inbox/{mine['conversation']}/reply/"
    assert client.post(url, json.dumps({"body": "Yes!"}), content_type="application/json").status_code == 403
    csrf = "k" * 32  # what a page's CSRF cookie would hold
    client.cookies["csrftoken"] = csrf
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            url, json.dumps({"body": "Yes, we resize."}), content_type="application/json", headers={"X-CSRFToken": csrf}
        )
    assert response.status_code == 201
    assert response.json()["message"]["body"] == "Yes, we resize."
    with scope(store=site.a):
        message = Message.objects.get(direction="out")
        assert (message.status, message.channel, message.author_id) == ("sent", "webchat", site.a_associate.user.pk)
    empty = client.post(url, json.dumps({"body": " "}), content_type="application/json", headers={"X-CSRFToken": csrf})
    assert empty.status_code == 400
    assert empty.json()["error"]["fields"] == {"body": ["Write a message first."]}
    other = browser_client(site.b_owner).post(url, json.dumps({"body": "Hi"}), content_type="application/json")
    assert other.status_code == 404


def test_a_visitors_message_over_the_limit_is_refused_with_the_limit_in_words(site: World) -> None:
    response = post(visitor(), "/widget/api/atelier/conversations", {"body": "x" * 5_001})
    assert response.status_code == 400
    assert response.json()["error"]["message"] == (
        "A web chat message can be at most 5,000 characters; this one has 5,001. Shorten it or send it in parts."
    )
    assert (count(Conversation), count(Message)) == (0, 0)
