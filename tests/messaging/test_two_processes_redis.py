"""Scale-out: two web processes and a worker sharing Redis (channel layer, queue, cache).

A visitor chats through web process A while their websocket is connected to web process B; an
associate replies through A; the reply is queued in Redis, sent by the worker (a third process),
and the visitor's socket on B receives the reply, and the associate's socket on B its "sent".
"""

from __future__ import annotations

import json
import subprocess
import sys
import time
from collections.abc import Iterator
from typing import Any

import pytest
import redis
from django.conf import settings
from django_scopes import scope
from websockets.sync.client import connect

from tests.conftest import World
from tests.live_server import free_port, server_env, uvicorn_server
from tests.messaging.test_widget_websocket import SITE, receive, reply, staff_cookies, start, ws_url
from trunkshow.messaging.channels.webchat.services import webchat_settings_update
from trunkshow.messaging.models import Message

REDIS_URL = "redis://127.0.0.1:6379/11"  # a database of its own, emptied before the test


@pytest.fixture(scope="module")
def redis_processes(django_db_setup: Any, django_db_blocker: Any) -> Iterator[tuple[str, str]]:
    try:
        redis.Redis.from_url(REDIS_URL).flushdb()
    except redis.ConnectionError:
        pytest.fail("Redis must run on 127.0.0.1:6379 for this test (.ci/run starts it)", pytrace=False)
    env = {"REDIS_URL": REDIS_URL}
    log = open(settings.DATA_DIR / "redis-worker.log", "w")  # noqa: SIM115 - closed below
    worker = subprocess.Popen(
        [sys.executable, "-m", "trunkshow.cli", "worker", "--workers", "1"],
        env=server_env(free_port(), env),
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    try:
        with uvicorn_server("redis-web-a", env) as a, uvicorn_server("redis-web-b", env) as b:
            yield a, b
    finally:
        worker.terminate()
        try:
            worker.wait(timeout=10)
        except subprocess.TimeoutExpired:
            worker.kill()
        log.close()


def events_until(ws: Any, wanted: Any, timeout: float = 10) -> list[dict[str, Any]]:
    seen: list[dict[str, Any]] = []
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        event = receive(ws, timeout=max(0.1, deadline - time.monotonic()))
        seen.append(event)
        if wanted(event):
            return seen
    raise AssertionError(f"not received within {timeout} s; got {seen}")


def test_a_reply_through_one_process_reaches_a_socket_on_the_other_and_the_worker_sends_it(
    world: World, transactional_db: Any, redis_processes: tuple[str, str]
) -> None:
    a, b = redis_processes
    with scope(store=world.a):
        webchat_settings_update(store=world.a, actor=None, allowed_origins=[SITE], reply_time_text="")
    chat = start(a, body="Is the sapphire ring still here?")  # web process A
    staff_ws = connect(
        ws_url(b, "/ws/staff/"), origin=b, additional_headers={"Cookie": staff_cookies(world.a_associate)}
    )
    with connect(ws_url(b, f"/ws/widget/atelier/?token={chat['token']}"), origin=SITE) as visitor_ws, staff_ws:
        visitor_ws.send(json.dumps({"type": "resume", "after": chat["last_event"]}))
        sent_at = time.monotonic()
        sent = reply(a, world.a_associate, chat["conversation"], "Yes, it is waiting for you.")  # through A
        got = events_until(visitor_ws, lambda e: e.get("type") == "message")[-1]
        elapsed = time.monotonic() - sent_at
        assert got["message"]["body"] == "Yes, it is waiting for you."
        assert got["message"]["id"] == sent["id"]
        # The worker (its own process, on the Redis queue) sent it; B's staff socket hears "sent".
        status = events_until(
            staff_ws, lambda e: e.get("kind") == "message_status" and e["payload"]["id"] == sent["id"]
        )[-1]
        assert status["payload"]["status"] == "sent"
    assert elapsed < 3.0
    with scope(store=world.a):
        message = Message.objects.get(pk=sent["id"])
    assert (message.status, message.attempts) == ("sent", 1)
