"""Websockets over a real uvicorn process: the visitor's conversation and the staff's store feed.

Staff replies go through the server's own HTTP endpoint, so the live event is published in the
process that holds the sockets (the in-memory channel layer is per process).
"""

from __future__ import annotations

import json
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from typing import Any

import pytest
from django.conf import settings
from django.core.cache import cache
from django.test import Client
from django_scopes import scope
from websockets.exceptions import ConnectionClosed, InvalidStatus
from websockets.sync.client import ClientConnection, connect

from tests.conftest import World
from tests.live_server import uvicorn_server
from trunkshow.messaging.channels.webchat.services import webchat_settings_update

SITE = "https://www.atelier-ana.example"
XSS = "<img src=x onerror=alert(1)>"


@pytest.fixture(scope="module")
def server(django_db_setup: Any, django_db_blocker: Any) -> Iterator[str]:
    with uvicorn_server("websocket-server") as url:
        yield url


@pytest.fixture
def shop(world: World, transactional_db: Any, server: str) -> World:
    cache.clear()
    with scope(store=world.a):
        webchat_settings_update(store=world.a, actor=None, allowed_origins=[SITE], reply_time_text="")
    with scope(store=world.b):
        webchat_settings_update(
            store=world.b, actor=None, allowed_origins=["https://bijoux.example"], reply_time_text=""
        )
    return world


def http(method: str, url: str, data: Any = None, headers: dict[str, str] | None = None) -> tuple[int, Any]:
    body = json.dumps(data).encode() if data is not None else None
    request = urllib.request.Request(
        url, data=body, method=method, headers={"Content-Type": "application/json", **(headers or {})}
    )
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status, json.loads(response.read() or b"null")
    except urllib.error.HTTPError as exc:
        return exc.code, json.loads(exc.read() or b"null")


def start(server: str, slug: str = "atelier", origin: str = SITE, body: str = "Do you resize rings?") -> dict[str, Any]:
    status, data = http("POST", f"{server}/widget/api/{slug}/conversations", {"body": body}, {"Origin": origin})
    assert status == 201, data
    return dict(data)


def staff_cookies(person: Any) -> str:
    client = Client()
    client.force_login(person.user)
    return f"{settings.SESSION_COOKIE_NAME}={client.cookies[settings.SESSION_COOKIE_NAME].value}; csrftoken={'k' * 32}"


def reply(server: str, person: Any, conversation: int, body: str) -> dict[str, Any]:
    status, data = http(
        "POST",
        f"{server}/inbox/{conversation}/reply/",
        {"body": body},
        {"Cookie": staff_cookies(person), "X-CSRFToken": "k" * 32, "Origin": server},
    )
    assert status == 201, data
    return dict(data["message"])


def ws_url(server: str, path: str) -> str:
    return server.replace("http://", "ws://") + path


def widget_socket(server: str, token: str, slug: str = "atelier", origin: str = SITE) -> ClientConnection:
    return connect(ws_url(server, f"/ws/widget/{slug}/?token={token}"), origin=origin, open_timeout=5)  # type: ignore[arg-type]


def receive(ws: ClientConnection, timeout: float = 5) -> dict[str, Any]:
    return dict(json.loads(ws.recv(timeout=timeout)))


def nothing_more(ws: ClientConnection, wait: float = 0.5) -> bool:
    try:
        ws.recv(timeout=wait)
    except TimeoutError:
        return True
    return False


def test_the_visitor_receives_a_staff_reply_the_instant_it_is_sent(shop: World, server: str) -> None:
    chat = start(server)
    with widget_socket(server, chat["token"]) as ws:
        ws.send(json.dumps({"type": "resume", "after": chat["last_event"]}))
        assert nothing_more(ws, 0.3)  # nothing missed yet
        sent_at = time.monotonic()
        sent = reply(server, shop.a_associate, chat["conversation"], XSS)
        got = receive(ws)
        elapsed = time.monotonic() - sent_at
    assert got["type"] == "message"
    assert got["message"] == {
        "id": sent["id"],
        "from": "store",
        "body": XSS,
        "author": "Ali",
        "at": sent["at"],
        "photos": [],
    }
    assert got["event"] > chat["last_event"]
    assert elapsed < 2.0


def test_a_reconnecting_visitor_receives_what_it_missed_in_order_once(shop: World, server: str) -> None:
    chat = start(server)
    with widget_socket(server, chat["token"]) as ws:
        ws.send(json.dumps({"type": "resume", "after": chat["last_event"]}))
        first = reply(server, shop.a_associate, chat["conversation"], "One")
        last_seen = receive(ws)["event"]
    missed = [reply(server, shop.a_associate, chat["conversation"], text)["id"] for text in ("Two", "Three")]
    with widget_socket(server, chat["token"]) as ws:
        ws.send(json.dumps({"type": "resume", "after": last_seen}))
        backfill = [receive(ws) for _ in missed]
        assert [e["message"]["id"] for e in backfill] == missed
        assert [e["message"]["body"] for e in backfill] == ["Two", "Three"]
        assert backfill[0]["event"] < backfill[1]["event"]
        # Asking again (a client that resent its resume) repeats nothing.
        ws.send(json.dumps({"type": "resume", "after": last_seen}))
        assert nothing_more(ws)
        live = reply(server, shop.a_associate, chat["conversation"], "Four")
        assert receive(ws)["message"]["id"] == live["id"]
        assert nothing_more(ws)
    assert first["body"] == "One"


def test_the_visitors_own_messages_and_notes_are_filtered_per_conversation(shop: World, server: str) -> None:
    mine, theirs = start(server), start(server, body="Other visitor")
    with widget_socket(server, mine["token"]) as ws:
        reply(server, shop.a_associate, theirs["conversation"], "For the other visitor")
        status, _ = http(
            "POST",
            f"{server}/widget/api/atelier/conversations/{mine['conversation']}/messages",
            {"body": "Size 6"},
            {"Origin": SITE, "Authorization": f"Bearer {mine['token']}"},
        )
        assert status == 201
        got = receive(ws)
        assert (got["message"]["from"], got["message"]["body"]) == ("visitor", "Size 6")
        assert nothing_more(ws)


@pytest.mark.parametrize(
    ("slug", "origin", "token_of"),
    [
        ("atelier", "https://evil.example", "mine"),
        ("atelier", "", "mine"),
        ("atelier", SITE, "none"),
        ("atelier", SITE, "made_up"),
        ("bijoux", "https://bijoux.example", "mine"),
        ("nobody", SITE, "mine"),
    ],
)
def test_a_widget_socket_with_a_bad_origin_or_token_is_refused(
    shop: World, server: str, slug: str, origin: str, token_of: str
) -> None:
    chat = start(server)
    token = {"mine": chat["token"], "none": "", "made_up": "A" * 43}[token_of]
    with pytest.raises(InvalidStatus) as refused:
        connect(ws_url(server, f"/ws/widget/{slug}/?token={token}"), origin=origin or None, open_timeout=5)  # type: ignore[arg-type]
    assert refused.value.response.status_code == 403


def test_a_frame_over_64_kb_closes_the_socket(shop: World, server: str) -> None:
    chat = start(server)
    with widget_socket(server, chat["token"]) as ws:
        ws.send(json.dumps({"type": "resume", "after": 0, "pad": "x" * 70_000}))
        with pytest.raises(ConnectionClosed) as closed:
            ws.recv(timeout=5)
            ws.recv(timeout=5)
    assert closed.value.rcvd is not None and closed.value.rcvd.code == 1009


def test_the_server_offers_no_per_message_compression(shop: World, server: str) -> None:
    """Each compressed socket held a zlib compressor and decompressor (about 40 KB) for events of
    a few hundred bytes; the client offers it, the server (as `trunkshow web` runs it) declines."""
    chat = start(server)
    with widget_socket(server, chat["token"]) as ws:
        assert "permessage-deflate" in ws.request.headers["Sec-WebSocket-Extensions"]  # type: ignore[union-attr]
        assert ws.response.headers.get("Sec-WebSocket-Extensions") is None  # type: ignore[union-attr]


# ---- the staff socket -----------------------------------------------------------------------------


def staff_socket(server: str, person: Any | None, origin: str | None = None) -> ClientConnection:
    headers = {"Cookie": staff_cookies(person)} if person is not None else {}
    return connect(ws_url(server, "/ws/staff/"), origin=origin or server, additional_headers=headers, open_timeout=5)  # type: ignore[arg-type]


def nothing_more_into(ws: ClientConnection, events: list[dict[str, Any]], wait: float = 0.5) -> bool:
    """True when nothing more arrives within ``wait``; otherwise the event is added to ``events``."""
    try:
        events.append(json.loads(ws.recv(timeout=wait)))
    except TimeoutError:
        return True
    return False


def test_staff_see_a_visitors_message_live_and_catch_up_after_a_drop(shop: World, server: str) -> None:
    with staff_socket(server, shop.a_associate) as ws, staff_socket(server, shop.b_owner) as other_store:
        chat = start(server, body="Is the sapphire ring still available?")
        event = receive(ws)
        while event.get("kind") != "message":  # the assignment that follows a first message may come too
            event = receive(ws)
        assert event["type"] == "event"
        assert event["kind"] == "message"
        assert event["topic"] == "store"
        assert event["payload"]["conversation"] == chat["conversation"]
        assert event["payload"]["body"] == "Is the sapphire ring still available?"
        assert event["payload"]["direction"] == "in"
        assert nothing_more(other_store)
    second = start(server, body="Second visitor")
    with staff_socket(server, shop.a_associate) as ws:
        ws.send(json.dumps({"type": "since", "after": event["id"]}))  # what the inbox page sends
        missed = [receive(ws)]
        while not nothing_more_into(ws, missed):
            pass
        messages = [e for e in missed if e["kind"] == "message"]
        assert [m["payload"]["conversation"] for m in messages] == [second["conversation"]]
        assert len({e["id"] for e in missed}) == len(missed)  # each event once


@pytest.mark.parametrize("case", ["no_session", "bad_origin", "outsider"])
def test_the_staff_socket_refuses_strangers(shop: World, server: str, case: str) -> None:
    from tests.conftest import Person

    person = {"no_session": None, "bad_origin": shop.a_owner, "outsider": Person(shop.outsider, None, "")}[case]
    origin = "https://evil.example" if case == "bad_origin" else None
    with pytest.raises(InvalidStatus) as refused:
        staff_socket(server, person, origin)
    assert refused.value.response.status_code == 403


def test_events_published_by_another_process_reach_open_sockets_once_without_redis(shop: World, server: str) -> None:
    """Without Redis each process has its own channel layer: an event the worker publishes (here:
    this test process, whose layer holds no socket) reaches the server's sockets through the one
    reader of the events table per web process, to the right store only, and each socket once."""
    from django.db import transaction

    from trunkshow.core.events import publish_on_commit

    with (
        staff_socket(server, shop.a_associate) as first,
        staff_socket(server, shop.a_owner) as second,
        staff_socket(server, shop.b_owner) as other_store,
    ):
        with transaction.atomic(), scope(store=shop.a):
            publish_on_commit(store=shop.a, kind="status", payload={"message": 1, "status": "delivered"})
        for ws in (first, second):
            event = json.loads(ws.recv(timeout=10))  # within the reader's two seconds, and some slack
            assert (event["kind"], event["payload"]) == ("status", {"message": 1, "status": "delivered"})
            assert nothing_more(ws, wait=2.5)  # not again at the next read
        assert nothing_more(other_store, wait=0.1)
