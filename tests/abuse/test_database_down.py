"""The database goes away under a running web process, then comes back.

The web process reaches PostgreSQL through a TCP relay the test holds; cutting the relay is a
database restart as the web process sees it (connections dropped, new ones refused). Pages, the
API and the widget then answer 503 with a clear message and ``Retry-After``, not a crash page;
once the relay is back, the same process serves again without a restart.
"""

from __future__ import annotations

import contextlib
import socket
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from typing import Any

import pytest
from django.conf import settings

from tests.conftest import World
from tests.live_server import database_url, free_port, uvicorn_server
from tests.messaging.test_widget_websocket import staff_cookies

pytestmark = pytest.mark.skipif(
    settings.DATABASES["default"]["ENGINE"].endswith("sqlite3"),
    reason="a database server to stop and start: PostgreSQL only (SQLite is a file in the process)",
)


class Relay:
    """Forwards a local port to PostgreSQL; ``cut()`` drops every connection and refuses new ones."""

    def __init__(self, target: tuple[str, int]) -> None:
        self.target = target
        self.port = free_port()
        self.listener: socket.socket | None = None
        self.open: list[socket.socket] = []
        self.lock = threading.Lock()

    def start(self) -> None:
        listener = socket.socket()
        listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        listener.bind(("127.0.0.1", self.port))
        listener.listen(64)
        self.listener = listener
        threading.Thread(target=self._accept, args=(listener,), daemon=True).start()

    def _accept(self, listener: socket.socket) -> None:
        while True:
            try:
                client, _ = listener.accept()
            except OSError:
                return
            server = socket.create_connection(self.target)
            with self.lock:
                self.open += [client, server]
            for a, b in ((client, server), (server, client)):
                threading.Thread(target=self._pipe, args=(a, b), daemon=True).start()

    @staticmethod
    def _pipe(source: socket.socket, sink: socket.socket) -> None:
        try:
            while data := source.recv(65536):
                sink.sendall(data)
        except OSError:
            pass
        finally:
            for s in (source, sink):
                with contextlib.suppress(OSError):
                    s.shutdown(socket.SHUT_RDWR)

    def cut(self) -> None:
        assert self.listener is not None
        with contextlib.suppress(OSError):
            self.listener.shutdown(socket.SHUT_RDWR)  # wakes the thread blocked in accept()
        self.listener.close()
        self.listener = None
        with self.lock:
            for s in self.open:
                with contextlib.suppress(OSError):
                    s.shutdown(socket.SHUT_RDWR)
                s.close()
            self.open.clear()


def get(url: str, headers: dict[str, str]) -> tuple[int, dict[str, str], str]:
    request = urllib.request.Request(url, headers=headers)
    try:
        with urllib.request.urlopen(request, timeout=20) as response:
            return response.status, {k.lower(): v for k, v in response.headers.items()}, response.read().decode()
    except urllib.error.HTTPError as exc:
        return exc.code, {k.lower(): v for k, v in exc.headers.items()}, exc.read().decode()


@pytest.fixture
def relay() -> Iterator[Relay]:
    db = settings.DATABASES["default"]
    relay = Relay((db.get("HOST") or "127.0.0.1", int(db.get("PORT") or 5432)))
    relay.start()
    yield relay
    if relay.listener is not None:
        relay.cut()


def test_a_database_restart_answers_503_then_serves_again_without_a_restart(
    world: World, transactional_db: Any, relay: Relay
) -> None:
    url = database_url().replace(f":{settings.DATABASES['default'].get('PORT') or 5432}/", f":{relay.port}/")
    assert f":{relay.port}/" in url
    page = {"Cookie": staff_cookies(world.a_associate)}
    api = {"Authorization": f"Bearer {world.a_associate.token}"}
    with uvicorn_server("database-down-web", {"DATABASE_URL": url}) as server:
        assert get(f"{server}/customers/", page)[0] == 200
        assert get(f"{server}/api/v1/customers", api)[0] == 200

        relay.cut()
        status, headers, body = get(f"{server}/customers/", page)
        assert (status, headers.get("retry-after")) == (503, "30"), headers
        assert "The store's data cannot be reached just now" in body
        assert "Nothing you typed was half-saved" in body
        status, headers, body = get(f"{server}/api/v1/customers", api)
        assert (status, headers.get("retry-after"), headers.get("content-type")) == (503, "30", "application/json")
        assert '"code": "unavailable"' in body
        status, _, body = get(f"{server}/readyz", {})
        assert status == 503 and '"database": "error' in body

        relay.start()  # the database is back; the same web process
        # The connection pool tries again on its own schedule (backing off while the database was
        # away): pages answer 503 until it has a connection, within seconds, with no restart.
        back = time.monotonic()
        while (status := get(f"{server}/customers/", page)[0]) == 503 and time.monotonic() - back < 30:
            time.sleep(0.5)
        assert status == 200
        assert get(f"{server}/api/v1/customers", api)[0] == 200
        assert get(f"{server}/readyz", {})[0] == 200
