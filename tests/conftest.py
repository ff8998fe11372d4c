"""The test world: two stores with named people, an outsider, and clients that act as them."""

from __future__ import annotations

import os
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest
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


@pytest.fixture(scope="session")
def uvicorn_url(django_db_setup: Any, django_db_blocker: Any) -> Iterator[str]:
    """A uvicorn process serving the app on the test database, for the whole session, as
    `trunkshow web` runs it. Tests that use it need ``transactional_db`` so it sees their rows."""
    from tests.live_server import uvicorn_server

    with uvicorn_server("server") as url:
        yield url


@pytest.fixture(scope="session", autouse=True)
def _database_pools_closed(django_db_setup: Any, django_db_blocker: Any) -> Iterator[None]:
    """PostgreSQL's connection pool (settings: one per process) keeps connections open; closed here,
    before the test database is dropped (its teardown runs after this one's), with any session
    other processes left, or the drop finds the database "being accessed by other users"."""
    yield
    from django.db import connections

    for connection in connections.all():
        if connection.vendor == "postgresql":
            # Sessions of the processes the tests started (uvicorn, workers) can outlive them by a
            # moment on the server: ended here, so the drop does not find them (a CI warning).
            with django_db_blocker.unblock(), connection.cursor() as cursor:
                cursor.execute(
                    "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                    "WHERE datname = current_database() AND pid <> pg_backend_pid()"
                )
        close_pool = getattr(connection, "close_pool", None)
        if close_pool is not None:
            close_pool()


@pytest.fixture(autouse=True)
def _process_clock() -> Iterator[None]:
    """Tests make time pass with time_machine, which moves this process's clock and not the
    database's: the house clock (``core.clock``) follows this process's here. The clock-skew tests
    (tests/abuse/test_clock_skew.py) put the database's back."""
    from trunkshow.core import clock

    clock.from_database = False
    clock.forget()
    yield
    clock.from_database = True
    clock.forget()


@pytest.fixture(autouse=True)
def _language_reset() -> Iterator[None]:
    """A page in French or Italian leaves its language active on the thread that served it (the
    test client serves on the test's own); the next test starts in the default language."""
    from django.utils import translation

    yield
    translation.deactivate()
