"""A fake Twilio REST API on a local port, which the real ``twilio`` library talks to, and signed webhooks.

The fake keeps the messages it accepted and every request it saw, and can be told what to answer
next: an error status with Twilio's error body, or a hang longer than the client's timeout
(after accepting the message, or before). It also holds content templates (``content``: SID →
text and WhatsApp's approval status): it answers the Content API's approval requests for them,
renders a message sent with ``ContentSid`` and ``ContentVariables`` as Twilio does, and refuses an
unknown SID (21655) or variables that do not fill the template (21656).

It serves the media customers send as Twilio does with "Enforce HTTP Auth on Media URLs" on:
``GET /2010-04-01/Accounts/AC…/Messages/MM…/Media/ME…`` wants basic auth (else 401) and answers
307 to a short-lived address on its media host (``/cdn/ME…?Expires=…``, no auth wanted there),
which answers the bytes. ``media_plan`` makes the next media requests fail (a status, a hang, a
redirect elsewhere, or a body streamed without a length).
"""

from __future__ import annotations

import base64
import email.utils
import json
import re
import threading
import time
import uuid
from collections import deque
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlencode, urlsplit

import pytest
from django.core.cache import cache
from django.test import Client
from twilio.request_validator import RequestValidator

ACCOUNT_SID = "AC" + "0123456789abcdef" * 2
AUTH_TOKEN = "f" * 32
PUBLIC_URL = "https://clients.atelier.example.com"
STORE_A_NUMBER = "+15005550006"
STORE_B_NUMBER = "+33186950000"
MESSAGES_PATH = f"/2010-04-01/Accounts/{ACCOUNT_SID}/Messages.json"


@dataclass
class Seen:
    method: str
    path: str
    form: dict[str, list[str]]
    query: dict[str, list[str]]
    authorization: str


@dataclass
class FakeTwilio:
    url: str = ""
    requests: list[Seen] = field(default_factory=list)
    accepted: list[dict[str, Any]] = field(default_factory=list)
    # What to do with the next POSTs: ("status", http status, twilio code) | ("hang_after_accepting",)
    # | ("hang_before_accepting",) | ("garble_after_accepting",); empty means accept.
    plan: deque[tuple[Any, ...]] = field(default_factory=deque)
    hang_seconds: float = 2.5
    lock: threading.Lock = field(default_factory=threading.Lock)
    # Content templates: SID -> {"body": "Hi {{1}}", "status": "approved" | None (never submitted), "fail": 503?}
    content: dict[str, dict[str, Any]] = field(default_factory=dict)
    # Called with (accepted record, form) after a message is accepted and before Twilio answers:
    # a status callback that overtakes the answer, as it can when Twilio is quick and we are not.
    before_answer: Callable[[dict[str, Any], dict[str, list[str]]], None] | None = None
    # Media customers sent: ME sid -> (content type, bytes); and what the next media requests get:
    # ("status", 500) | ("hang",) | ("redirect", location) | ("stream",) (no Content-Length); empty: served.
    media: dict[str, tuple[str, bytes]] = field(default_factory=dict)
    media_plan: deque[tuple[Any, ...]] = field(default_factory=deque)
    stream_next: bool = False  # the media host's next answer has no Content-Length

    def media_url(self, message_sid: str, media_sid: str) -> str:
        """A MediaUrl as Twilio puts it in the webhook (on this fake's address, the configured API base)."""
        return f"{self.url}/2010-04-01/Accounts/{ACCOUNT_SID}/Messages/{message_sid}/Media/{media_sid}"

    @property
    def media_requests(self) -> list[Seen]:
        return [r for r in self.requests if r.method == "GET" and ("/Media/" in r.path or r.path.startswith("/cdn/"))]

    @property
    def posts(self) -> list[Seen]:
        return [r for r in self.requests if r.method == "POST"]


MEDIA_PATH = re.compile(rf"/2010-04-01/Accounts/{ACCOUNT_SID}/Messages/(MM[0-9a-f]{{32}})/Media/(ME[0-9a-f]{{32}})")
APPROVAL_PATH = re.compile(r"/v1/Content/(HX[0-9a-fA-F]{32})/ApprovalRequests")
PLACEHOLDER = re.compile(r"\{\{\s*(\d+)\s*\}\}")


def _rendered(fake: FakeTwilio, form: dict[str, list[str]]) -> tuple[str, int]:
    """The text Twilio sends for a ContentSid and ContentVariables, or (reason, error code) when it refuses."""
    template = fake.content.get(form["ContentSid"][0])
    if template is None:
        return "The ContentSid is Invalid", 21655
    try:
        values = json.loads(form["ContentVariables"][0]) if "ContentVariables" in form else {}
    except ValueError:
        return "The ContentVariables Parameter is invalid", 21656
    wanted = set(PLACEHOLDER.findall(template["body"]))
    if not isinstance(values, dict) or set(values) != wanted or not all(values.values()):
        return "The ContentVariables Parameter is invalid", 21656
    return PLACEHOLDER.sub(lambda m: str(values[m.group(1)]), template["body"]), 0


def _record(fake: FakeTwilio, form: dict[str, list[str]], body: str) -> dict[str, Any]:
    record = {
        "sid": "SM" + uuid.uuid4().hex,
        "account_sid": ACCOUNT_SID,
        "to": form["To"][0],
        "from": form["From"][0],
        "body": body,
        "status": "queued",
        "num_media": str(len(form.get("MediaUrl", []))),
        "direction": "outbound-api",
        "date_created": email.utils.formatdate(time.time(), usegmt=True),
        "date_updated": email.utils.formatdate(time.time(), usegmt=True),
        "date_sent": None,
        "api_version": "2010-04-01",
        "error_code": None,
        "error_message": None,
        "uri": f"/2010-04-01/Accounts/{ACCOUNT_SID}/Messages/x.json",
    }
    with fake.lock:
        fake.accepted.append(record)
    return record


def _handler(fake: FakeTwilio) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, *args: Any) -> None:
            pass

        def _answer(self, status: int, payload: dict[str, Any]) -> None:
            body = json.dumps(payload).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def _seen(self, form: dict[str, list[str]]) -> Seen:
            parts = urlsplit(self.path)
            seen = Seen(self.command, parts.path, form, parse_qs(parts.query), self.headers.get("Authorization", ""))
            with fake.lock:
                fake.requests.append(seen)
            return seen

        def _media(self, seen: Seen) -> None:
            """Twilio's media endpoint (basic auth, then a redirect) and its media host (the bytes)."""
            cdn = seen.path.startswith("/cdn/")
            sid = seen.path.removeprefix("/cdn/") if cdn else MEDIA_PATH.fullmatch(seen.path).group(2)  # type: ignore[union-attr]
            if not cdn and seen.authorization != basic_auth():
                self._answer(401, {"code": 20003, "message": "Authenticate", "status": 401})
                return
            if sid not in fake.media:
                self._answer(404, {"code": 20404, "message": "not found", "status": 404})
                return
            with fake.lock:
                step = fake.media_plan.popleft() if fake.media_plan and not cdn else ("serve",)
            if step[0] == "status":
                self._answer(step[1], {"code": 20500, "message": "error", "status": step[1]})
                return
            if step[0] == "hang":
                time.sleep(fake.hang_seconds)
                return
            if not cdn:
                location = step[1] if step[0] == "redirect" else f"{fake.url}/cdn/{sid}?Expires=1900000000&Signature=x"
                self.send_response(307)
                self.send_header("Location", location)
                self.send_header("Content-Length", "0")
                self.end_headers()
                fake.stream_next = step[0] == "stream"
                return
            content_type, data = fake.media[sid]
            self.send_response(200)
            self.send_header("Content-Type", content_type)
            if fake.stream_next:
                self.send_header("Connection", "close")
                self.close_connection = True
            else:
                self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            try:
                for start in range(0, len(data), 65536):
                    self.wfile.write(data[start : start + 65536])
            except OSError:  # the client stopped reading (over its limit)
                pass

        def do_GET(self) -> None:
            seen = self._seen({})
            if MEDIA_PATH.fullmatch(seen.path) or seen.path.startswith("/cdn/"):
                self._media(seen)
                return
            approval = APPROVAL_PATH.fullmatch(seen.path)
            if approval:
                self._approval(approval.group(1))
                return
            if seen.path != MESSAGES_PATH:
                self._answer(404, {"code": 20404, "message": "not found", "status": 404})
                return
            to, sender = seen.query.get("To", [""])[0], seen.query.get("From", [""])[0]
            with fake.lock:
                found = [m for m in reversed(fake.accepted) if m["to"] == to and m["from"] == sender]
            size = int(seen.query.get("PageSize", ["50"])[0])
            self._answer(
                200,
                {"messages": found[:size], "next_page_uri": None, "page": 0, "page_size": size, "uri": seen.path},
            )

        def _approval(self, sid: str) -> None:
            """Twilio's answer to GET /v1/Content/{sid}/ApprovalRequests."""
            template = fake.content.get(sid)
            if template is None:
                self._answer(404, {"code": 20404, "message": "The requested resource was not found", "status": 404})
                return
            if template.get("fail"):  # Twilio failing: {"fail": 503}
                status = template["fail"]
                self._answer(status, {"code": 20500, "message": "Internal error", "status": status})
                return
            whatsapp = None
            if template.get("status") is not None:
                whatsapp = {
                    "type": "whatsapp",
                    "name": template.get("name", "template"),
                    "category": "UTILITY",
                    "content_type": "twilio/text",
                    "status": template["status"],
                    "rejection_reason": template.get("rejection_reason", ""),
                    "allow_category_change": True,
                    "flows": None,
                }
            url = f"https://content.twilio.com/v1/Content/{sid}/ApprovalRequests"
            self._answer(200, {"sid": sid, "account_sid": ACCOUNT_SID, "whatsapp": whatsapp, "url": url})

        def do_POST(self) -> None:
            length = int(self.headers.get("Content-Length", "0"))
            form = parse_qs(self.rfile.read(length).decode(), keep_blank_values=True)
            seen = self._seen(form)
            if seen.path != MESSAGES_PATH:
                self._answer(404, {"code": 20404, "message": "not found", "status": 404})
                return
            with fake.lock:
                step = fake.plan.popleft() if fake.plan else ("accept",)
            if step[0] == "status":
                _kind, status, code = step
                self._answer(status, {"code": code, "message": f"error {code}", "more_info": "", "status": status})
                return
            if step[0] == "hang_before_accepting":
                time.sleep(fake.hang_seconds)
                return
            body = form.get("Body", [""])[0]
            if "ContentSid" in form:
                body, code = _rendered(fake, form)
                if code:
                    self._answer(400, {"code": code, "message": body, "more_info": "", "status": 400})
                    return
            record = _record(fake, form, body)
            if fake.before_answer is not None:
                fake.before_answer(record, form)
            if step[0] == "hang_after_accepting":
                time.sleep(fake.hang_seconds)
            if step[0] == "garble_after_accepting":
                body = b"<html>502 Bad Gateway"
                self.send_response(201)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)
                return
            self._answer(201, record)

    return Handler


@pytest.fixture
def fake_twilio() -> Iterator[FakeTwilio]:
    fake = FakeTwilio()
    server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(fake))
    server.daemon_threads = True
    fake.url = f"http://127.0.0.1:{server.server_address[1]}"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield fake
    server.shutdown()
    server.server_close()


@pytest.fixture
def twilio(settings: Any, fake_twilio: FakeTwilio) -> FakeTwilio:
    """Twilio keys set, the library pointed at the fake; store A has its own number, store B too."""
    settings.TWILIO_ACCOUNT_SID = ACCOUNT_SID
    settings.TWILIO_AUTH_TOKEN = AUTH_TOKEN
    settings.TWILIO_FROM_NUMBER = STORE_A_NUMBER
    settings.TWILIO_WHATSAPP_FROM = STORE_A_NUMBER
    settings.TWILIO_STORE_NUMBERS = {"bijoux": STORE_B_NUMBER}
    settings.TWILIO_API_BASE = fake_twilio.url
    settings.TWILIO_TIMEOUT_SECONDS = 1
    settings.PUBLIC_URL = PUBLIC_URL
    cache.clear()
    return fake_twilio


def basic_auth() -> str:
    return "Basic " + base64.b64encode(f"{ACCOUNT_SID}:{AUTH_TOKEN}".encode()).decode()


def sign(url: str, params: dict[str, Any], token: str = AUTH_TOKEN) -> str:
    return str(RequestValidator(token).compute_signature(url, params))


def hook(
    path: str,
    params: dict[str, Any],
    *,
    signature: str | None = None,
    signed_url: str | None = None,
    remote_addr: str = "54.172.60.1",
) -> Any:
    """POST a webhook as Twilio does: form-encoded, signed over the public URL and the fields."""
    if signature is None:
        signature = sign(signed_url or PUBLIC_URL + path, params)
    headers = {"X-Twilio-Signature": signature} if signature else {}
    return Client(REMOTE_ADDR=remote_addr).post(
        path, data=urlencode(params, doseq=True), content_type="application/x-www-form-urlencoded", headers=headers
    )


def inbound_fields(body: str, *, sid: str, sender: str, to: str = STORE_A_NUMBER, **extra: str) -> dict[str, str]:
    """The fields of Twilio's incoming-message webhook (SMS, MMS and WhatsApp share them)."""
    fields = {
        "ToCountry": "US",
        "ToState": "NY",
        "SmsMessageSid": sid,
        "NumMedia": "0",
        "ToCity": "",
        "FromZip": "10001",
        "SmsSid": sid,
        "FromState": "NY",
        "SmsStatus": "received",
        "FromCity": "NEW YORK",
        "Body": body,
        "FromCountry": "US",
        "To": to,
        "ToZip": "",
        "NumSegments": "1",
        "MessageSid": sid,
        "AccountSid": ACCOUNT_SID,
        "From": sender,
        "ApiVersion": "2010-04-01",
    }
    fields.update(extra)
    return fields


def status_fields(sid: str, status: str, *, to: str, sender: str = STORE_A_NUMBER, **extra: str) -> dict[str, str]:
    """The fields of Twilio's status callback."""
    fields = {
        "SmsSid": sid,
        "SmsStatus": status,
        "MessageStatus": status,
        "To": to,
        "MessageSid": sid,
        "AccountSid": ACCOUNT_SID,
        "From": sender,
        "ApiVersion": "2010-04-01",
    }
    fields.update(extra)
    return fields
