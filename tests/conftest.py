"""The test world: two stores with named people, an outsider, and clients that act as them."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest
from django.conf import settings
from django.test import Client
from django_scopes import scope, scopes_disabled

# Sync Playwright keeps an event loop in the main thread; the ORM must still run there.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

PASSWORD = "correct horse battery staple"


@dataclass
class Person:
    user: Any
    membership: Any
    token: str

    @property
    def email(self) -> str:
        return str(self.user.email)


@dataclass
class World:
    a: Any
    b: Any
    a_owner: Person
    a_manager: Person
    a_associate: Person
    b_owner: Person
    b_associate: Person
    outsider: Any


def make_person(store: Any, email: str, role: str, name: str) -> Person:
    from trunkshow.stores.services import staff_create, token_create

    membership = staff_create(store=store, email=email, role=role, name=name, password=PASSWORD)
    _token, raw = token_create(store=store, membership=membership, name="tests")
    return Person(membership.user, membership, raw)


@pytest.fixture
def world(db: Any) -> World:
    from trunkshow.stores.models import User
    from trunkshow.stores.services import store_create

    with scopes_disabled():
        a = store_create(
            slug="atelier",
            name="Atelier Ana",
            time_zone="America/New_York",
            currency="USD",
            locale="en_US",
            phone_region="US",
            country="US",
        )
        b = store_create(
            slug="bijoux",
            name="Bijoux Berger",
            time_zone="Europe/Paris",
            currency="EUR",
            locale="fr_FR",
            phone_region="FR",
            country="FR",
        )
        world = World(
            a=a,
            b=b,
            a_owner=make_person(a, "ana@atelier.example.com", "owner", "Ana Owner"),
            a_manager=make_person(a, "max@atelier.example.com", "manager", "Max Manager"),
            a_associate=make_person(a, "ali@atelier.example.com", "associate", "Ali Associate"),
            b_owner=make_person(b, "bea@bijoux.example.org", "owner", "Béa Owner"),
            b_associate=make_person(b, "bo@bijoux.example.org", "associate", "Bo Associate"),
            outsider=User.objects.create_user("olga@outside.example.net", PASSWORD, name="Olga Outsider"),
        )
    return world


def api(person: Person) -> Client:
    """A client that calls the API with this person's bearer token."""
    return Client(headers={"Authorization": f"Bearer {person.token}"})


def browser_client(person: Person) -> Client:
    """A client logged in to the staff app as this person."""
    client = Client()
    client.force_login(person.user)
    return client


def make_customer(store: Any, person: Person | None = None, **fields: Any) -> Any:
    from trunkshow.customers.services import customer_create

    fields.setdefault("first_name", "Clara")
    fields.setdefault("last_name", "Customer")
    with scope(store=store):
        return customer_create(store=store, actor=person.user if person else None, allow_duplicate=True, **fields)


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _database_url() -> str:
    db = settings.DATABASES["default"]
    if db["ENGINE"].endswith("sqlite3"):
        return f"sqlite:///{db['NAME']}"
    user = db.get("USER") or "postgres"
    password = f":{db['PASSWORD']}" if db.get("PASSWORD") else ""
    return f"postgres://{user}{password}@{db.get('HOST') or '127.0.0.1'}:{db.get('PORT') or 5432}/{db['NAME']}"


@pytest.fixture(scope="session")
def uvicorn_url(django_db_setup: Any, django_db_blocker: Any) -> Iterator[str]:
    """A uvicorn process serving the app on the test database, for the whole session, as
    `trunkshow web` runs it. Tests that use it need ``transactional_db`` so it sees their rows."""
    port = _free_port()
    # The test process allows the ORM in async code (sync Playwright runs an event loop in the
    # main thread); the server must not, or it would hide what a real server refuses.
    env = {
        **{k: v for k, v in os.environ.items() if k != "DJANGO_ALLOW_ASYNC_UNSAFE"},
        "DATABASE_URL": _database_url(),
        "TRUNKSHOW_ENV": "test",
        "EMAIL_URL": f"file://{settings.DATA_DIR / 'browser-mail'}",
        "PUBLIC_URL": f"http://127.0.0.1:{port}",
        "PYTHONUNBUFFERED": "1",
    }
    log = open(settings.DATA_DIR / "server.log", "w")  # noqa: SIM115 - closed below
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "uvicorn",
            "trunkshow.asgi:application",
            "--host",
            "127.0.0.1",
            "--port",
            str(port),
            "--lifespan",
            "off",
            "--log-level",
            "warning",
        ],
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
            pytest.fail("The test server did not start:\n" + (settings.DATA_DIR / "server.log").read_text())
        time.sleep(0.2)
    yield url
    process.terminate()
    try:
        process.wait(timeout=10)
    except subprocess.TimeoutExpired:
        process.kill()
    log.close()
