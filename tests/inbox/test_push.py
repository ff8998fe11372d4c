"""Web push: a staff phone subscribed, a customer writes, the push service receives the encrypted notification.

The push service is a local HTTP server speaking the Web Push protocol's receiving side; the
browser is played by a real P-256 key pair and auth secret, so the test decrypts exactly what a
phone would (RFC 8291, aes128gcm) with ``http_ece``.
"""

from __future__ import annotations

import base64
import json
import os
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import http_ece
import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec
from django_scopes import scope
from py_vapid import Vapid02

from tests.conftest import browser_client, make_customer
from trunkshow.inbox.models import PushSubscription
from trunkshow.inbox.push import _key_create, public_key
from trunkshow.messaging.services import message_receive


def b64(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


class PushService:
    def __init__(self) -> None:
        self.received: list[tuple[str, Any, bytes]] = []
        self.status = 201
        service = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
                service.received.append((self.path, self.headers, body))
                self.send_response(service.status)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}"


@pytest.fixture
def push_service() -> Iterator[PushService]:
    service = PushService()
    yield service
    service.server.shutdown()


class Phone:
    """What a browser keeps for a push subscription: its key pair and auth secret."""

    def __init__(self, endpoint: str) -> None:
        self.key = ec.generate_private_key(ec.SECP256R1())
        self.auth = os.urandom(16)
        public = self.key.public_key().public_bytes(
            serialization.Encoding.X962, serialization.PublicFormat.UncompressedPoint
        )
        self.subscription = {"endpoint": endpoint, "keys": {"p256dh": b64(public), "auth": b64(self.auth)}}

    def read(self, body: bytes) -> dict[str, Any]:
        plain = http_ece.decrypt(body, private_key=self.key, auth_secret=self.auth, version="aes128gcm")
        return json.loads(plain)


def subscribe(client: Any, phone: Phone) -> Any:
    return client.post("/inbox/push/subscribe/", json.dumps(phone.subscription), content_type="application/json")


def test_a_new_message_is_pushed_to_the_assigned_associates_phone_with_the_name_and_text(
    world: Any, push_service: PushService, django_capture_on_commit_callbacks: Any
) -> None:
    phone = Phone(f"{push_service.url}/push/ali-phone")
    assert subscribe(browser_client(world.a_associate), phone).status_code == 201
    other = Phone(f"{push_service.url}/push/owner-phone")
    assert subscribe(browser_client(world.a_owner), other).status_code == 201
    make_customer(world.a, phones=["+12125550142"], assigned_associate_id=world.a_associate.user.pk)

    with scope(store=world.a), django_capture_on_commit_callbacks(execute=True):
        message_receive(
            store=world.a,
            channel="sms",
            from_address="+12125550142",
            body="Is the sapphire ring still in the window?",
            provider="sandbox",
            provider_id="SM1",
        )

    assert [path for path, _h, _b in push_service.received] == ["/push/ali-phone"]
    _path, headers, body = push_service.received[0]
    assert headers["Content-Encoding"] == "aes128gcm"
    assert headers["Authorization"].startswith("vapid t=")
    assert headers["Authorization"].endswith(f",k={public_key()}")
    notification = phone.read(body)
    assert notification["title"] == "Clara Customer"
    assert notification["body"] == "Is the sapphire ring still in the window?"
    assert notification["url"].startswith("/inbox/")


def test_a_subscription_the_push_service_says_is_gone_is_forgotten(
    world: Any, push_service: PushService, django_capture_on_commit_callbacks: Any
) -> None:
    push_service.status = 410
    subscribe(browser_client(world.a_associate), Phone(f"{push_service.url}/push/old"))
    with scope(store=world.a), django_capture_on_commit_callbacks(execute=True):
        message_receive(
            store=world.a, channel="sms", from_address="+12125550142", body="Hi", provider="sandbox", provider_id="SM2"
        )
    assert len(push_service.received) == 1
    with scope(store=world.a):
        assert PushSubscription.objects.count() == 0


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"endpoint": "https://push.example.com/x"}, "Send the browser's subscription: endpoint and keys."),
        (
            {"endpoint": "ftp://push.example.com/x", "keys": {"p256dh": "x", "auth": "y"}},
            "A push endpoint is an https:// address of a push service.",
        ),
        (
            {"endpoint": "https://push.example.com/x", "keys": {"p256dh": "abc", "auth": b64(os.urandom(16))}},
            "This is not a browser's push key.",
        ),
    ],
)
def test_a_bad_subscription_is_refused_with_the_reason(world: Any, data: dict[str, Any], message: str) -> None:
    response = browser_client(world.a_associate).post(
        "/inbox/push/subscribe/", json.dumps(data), content_type="application/json"
    )
    assert response.status_code == 400
    assert response.json()["error"]["message"] == message
    with scope(store=world.a):
        assert PushSubscription.objects.count() == 0


def test_the_app_is_installable(world: Any) -> None:
    client = browser_client(world.a_associate)
    manifest = client.get("/manifest.webmanifest")
    assert manifest["Content-Type"] == "application/manifest+json"
    assert [i["sizes"] for i in manifest.json()["icons"]] == ["192x192", "512x512"]
    icon = client.get("/icons/512.png")
    assert icon["Content-Type"] == "image/png"
    assert icon.content[:8] == b"\x89PNG\r\n\x1a\n"
    assert client.get("/icons/100.png").status_code == 404
    worker = client.get("/sw.js")
    assert worker["Service-Worker-Allowed"] == "/"
    assert b'addEventListener("push"' in worker.content
    assert 'rel="manifest"' in client.get("/inbox/").content.decode()


def test_what_asks_for_favicon_ico_gets_the_icon_not_a_404(client: Any) -> None:
    """Our pages name their icon inline; a browser showing an image or JSON from us still asks /favicon.ico."""
    icon = client.get("/favicon.ico")
    assert (icon.status_code, icon["Content-Type"]) == (200, "image/x-icon")
    assert icon.content[:4] == b"\x00\x00\x01\x00"  # an ICO file
    assert icon.content[4:6] == (3).to_bytes(2, "little")  # 16, 32 and 48 px


def test_an_at_mention_in_a_note_reaches_the_colleague_live_and_on_their_phone(
    world: Any, push_service: PushService, django_capture_on_commit_callbacks: Any
) -> None:
    from trunkshow.core.models import LiveEvent
    from trunkshow.messaging.services import note_add

    phone = Phone(f"{push_service.url}/push/max")
    subscribe(browser_client(world.a_manager), phone)
    make_customer(world.a, phones=["+12125550142"])
    with scope(store=world.a), django_capture_on_commit_callbacks(execute=True):
        inbound, _ = message_receive(
            store=world.a, channel="sms", from_address="+12125550142", body="Hi", provider="sandbox", provider_id="SM9"
        )
    push_service.received.clear()  # the message itself went to whoever was on duty
    with scope(store=world.a), django_capture_on_commit_callbacks(execute=True):
        note_add(
            store=world.a,
            actor=world.a_associate.user,
            conversation=inbound.conversation,
            body="@max can you approve the discount? cc @nobody",
        )
        event = LiveEvent.objects.get(kind="mention")
    assert event.payload["users"] == [world.a_manager.user.pk]
    assert event.payload["customer"] == "Clara Customer"  # the toast names them wherever the inbox is open
    assert [path for path, _h, _b in push_service.received] == ["/push/max"]
    notification = phone.read(push_service.received[0][2])
    assert notification["title"] == "Ali Associate mentioned you · Clara Customer"
    assert notification["body"] == "@max can you approve the discount? cc @nobody"


def test_processes_starting_together_make_one_key_and_all_read_it_whole(tmp_path: Any) -> None:
    """The web process and the worker may start at once on a new data dir: each makes a key, one
    lands, every one of them then reads that one (never half a file, never an error)."""
    path = tmp_path / "vapid_private.pem"
    start = threading.Barrier(8)
    keys: list[bytes] = []
    errors: list[BaseException] = []

    def start_up() -> None:
        start.wait()
        try:
            _key_create(path)
            keys.append(Vapid02.from_file(str(path)).private_pem())
        except BaseException as exc:  # noqa: BLE001 - the test reports whatever went wrong
            errors.append(exc)

    threads = [threading.Thread(target=start_up) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert len(keys) == 8 and len(set(keys)) == 1
    assert [p.name for p in tmp_path.iterdir()] == ["vapid_private.pem"]  # no spare file left behind
    assert oct(path.stat().st_mode & 0o777) == "0o600"
