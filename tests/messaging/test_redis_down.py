"""Redis down: pages keep working, the widget and the inbox fall back to asking, nothing is lost.

A web process runs on a Redis of its own (cache, channel layer and queue); the test stops that
Redis, then a visitor chats, an associate logs in and replies, and each answer is what it would be
with Redis up. The reply waits in the outbox (its queue was unreachable); once Redis is back, the
outbox's sweep (every minute in the worker) sends it, once.
"""

from __future__ import annotations

import datetime as dt
import re
import shutil
import subprocess
import time
import urllib.request
from collections.abc import Iterator
from http.cookiejar import CookieJar
from typing import Any
from urllib.parse import urlencode

import pytest
import redis
import time_machine
from django.utils import timezone
from django_scopes import scope
from websockets.exceptions import ConnectionClosed, InvalidStatus
from websockets.sync.client import connect

from tests.conftest import PASSWORD, World
from tests.live_server import free_port, uvicorn_server
from tests.messaging.test_widget_websocket import SITE, http, reply, staff_cookies, start, ws_url
from trunkshow.messaging.channels.webchat.services import webchat_settings_update
from trunkshow.messaging.models import Message
from trunkshow.messaging.outbox import SWEEP_GRACE
from trunkshow.messaging.tasks import sweep_outbox


class OwnRedis:
    """A redis-server process of the test's own, on a free port, that the test can stop and start."""

    def __init__(self) -> None:
        self.port = free_port()
        self.url = f"redis://127.0.0.1:{self.port}/0"
        self.process: subprocess.Popen[bytes] | None = None

    def start(self) -> None:
        binary = shutil.which("redis-server")
        if binary is None:
            pytest.fail("redis-server must be installed for this test (.ci/run installs it)", pytrace=False)
        self.process = subprocess.Popen(
            [binary, "--port", str(self.port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"],
            stdout=subprocess.DEVNULL,
        )
        deadline = time.monotonic() + 10
        while True:
            try:
                redis.Redis.from_url(self.url).ping()
                return
            except redis.ConnectionError:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.05)

    def stop(self) -> None:
        if self.process is not None:
            self.process.terminate()
            self.process.wait(timeout=10)
            self.process = None


@pytest.fixture(scope="module")
def own_redis() -> Iterator[OwnRedis]:
    own = OwnRedis()
    own.start()
    try:
        yield own
    finally:
        own.stop()


@pytest.fixture(scope="module")
def server_on_redis(django_db_setup: Any, django_db_blocker: Any, own_redis: OwnRedis) -> Iterator[str]:
    with uvicorn_server("redis-down-web", {"REDIS_URL": own_redis.url}) as url:
        yield url


def log_in(server: str, email: str) -> tuple[int, str]:
    """The login form as a browser sends it: GET for the CSRF cookie, then POST; the final status and page."""
    jar = CookieJar()
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
    with opener.open(f"{server}/login/", timeout=10) as page:
        html = page.read().decode()
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', html)
    assert token, html[:500]
    form = urlencode({"csrfmiddlewaretoken": token.group(1), "email": email, "password": PASSWORD}).encode()
    request = urllib.request.Request(f"{server}/login/", data=form, headers={"Referer": f"{server}/login/"})
    with opener.open(request, timeout=10) as answer:
        return answer.status, answer.geturl()


def test_with_redis_down_pages_chat_and_replies_work_and_the_reply_is_sent_when_it_is_back(
    world: World, transactional_db: Any, own_redis: OwnRedis, server_on_redis: str
) -> None:
    server = server_on_redis
    with scope(store=world.a):
        webchat_settings_update(store=world.a, actor=None, allowed_origins=[SITE], reply_time_text="")
    own_redis.stop()
    status, ready = http("GET", f"{server}/readyz")
    assert (status, ready["status"], ready["checks"]["database"]) == (200, "degraded", "ok")
    assert ready["checks"]["layer"].startswith("error")

    # A visitor starts a chat and writes again (both rate-limited through the cache).
    chat = start(server, body="Is the emerald pendant still in the window?")
    headers = {"Origin": SITE, "Authorization": f"Bearer {chat['token']}"}
    status, _ = http(
        "POST",
        f"{server}/widget/api/atelier/conversations/{chat['conversation']}/messages",
        {"body": "I could come by at five."},
        headers,
    )
    assert status == 201
    # An associate logs in (throttled through the cache) and sees the inbox.
    status, landed = log_in(server, world.a_associate.user.email)
    assert (status, landed) == (200, f"{server}/inbox/")
    # The reply is accepted: a row in the outbox, its queue unreachable for now.
    sent = reply(server, world.a_associate, chat["conversation"], "Yes, it is here. See you at five.")
    # The visitor's widget, without its socket, asks for what is new and gets the reply.
    status, news = http(
        "GET", f"{server}/widget/api/atelier/conversations/{chat['conversation']}/messages?after=0", None, headers
    )
    assert status == 200
    assert [m["body"] for m in news["messages"]][-1] == "Yes, it is here. See you at five."

    # The associate's page, its socket refused, asks for the events it missed: the visitor's two
    # messages and the reply are among them.
    try:
        with connect(
            ws_url(server, "/ws/staff/"),
            origin=server,
            open_timeout=5,
            additional_headers={"Cookie": staff_cookies(world.a_associate)},
        ) as ws:
            ws.recv(timeout=5)  # accepted, then closed: the socket cannot join its group
    except (InvalidStatus, ConnectionClosed):
        pass
    status, caught_up = http(
        "GET", f"{server}/inbox/events/?after=0", None, {"Cookie": staff_cookies(world.a_associate)}
    )
    assert status == 200
    bodies = [e["payload"].get("body") for e in caught_up["events"] if e["kind"] == "message"]
    assert {"Is the emerald pendant still in the window?", "I could come by at five."} <= set(bodies)

    with scope(store=world.a):
        waiting = Message.objects.get(pk=sent["id"])
        assert waiting.status == "queued"
        assert Message.objects.filter(conversation_id=chat["conversation"], direction="in").count() == 2

    own_redis.start()
    status, ready = http("GET", f"{server}/readyz")
    assert (status, ready["status"]) == (200, "ok")
    # The worker's minute sweep, once the reply is past the grace a freshly queued task has.
    with time_machine.travel(timezone.now() + SWEEP_GRACE + dt.timedelta(minutes=1)):
        sweep_outbox.call_local()
    with scope(store=world.a):
        delivered = Message.objects.get(pk=sent["id"])
    assert (delivered.status, delivered.attempts) == ("sent", 1)
