"""A real uvicorn process serving the app on the test database (browser and websocket tests)."""

from __future__ import annotations

import os
import socket
import subprocess
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager

import pytest
from django.conf import settings

from trunkshow.cli import _uvicorn


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def database_url() -> str:
    db = settings.DATABASES["default"]
    if db["ENGINE"].endswith("sqlite3"):
        return f"sqlite:///{db['NAME']}"
    user = db.get("USER") or "postgres"
    password = f":{db['PASSWORD']}" if db.get("PASSWORD") else ""
    return f"postgres://{user}{password}@{db.get('HOST') or '127.0.0.1'}:{db.get('PORT') or 5432}/{db['NAME']}"


def server_env(port: int, extra: dict[str, str] | None = None) -> dict[str, str]:
    # The test process allows the ORM in async code (sync Playwright runs an event loop in the
    # main thread); the server must not, or it would hide what a real server refuses.
    return {
        **{k: v for k, v in os.environ.items() if k != "DJANGO_ALLOW_ASYNC_UNSAFE"},
        "DATABASE_URL": database_url(),
        "TRUNKSHOW_ENV": "test",
        "EMAIL_URL": f"file://{settings.DATA_DIR / 'browser-mail'}",
        "PUBLIC_URL": f"http://127.0.0.1:{port}",
        "PYTHONUNBUFFERED": "1",
        **(extra or {}),
    }


@contextmanager
def uvicorn_server(name: str = "server", extra_env: dict[str, str] | None = None) -> Iterator[str]:
    """Start uvicorn on a free port, wait for /healthz, yield its URL, stop it."""
    port = free_port()
    env = server_env(port, extra_env)
    log_path = settings.DATA_DIR / f"{name}.log"
    log = open(log_path, "w")  # noqa: SIM115 - closed below
    process = subprocess.Popen(
        [*_uvicorn("127.0.0.1", port), "--log-level", "warning"],  # as `trunkshow web` runs it
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 30
    while True:
        try:
            with urllib.request.urlopen(f"{url}/healthz", timeout=1) as response:
                if response.status == 200:
                    break
        except OSError:
            pass
        if process.poll() is not None or time.monotonic() > deadline:
            process.kill()
            log.close()
            pytest.fail("The test server did not start:\n" + log_path.read_text())
        time.sleep(0.2)
    try:
        yield url
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
        log.close()
