"""CSV export through the real server: uvicorn, as `trunkshow web` and `trunkshow demo` run it.

The test client calls views in the test's own thread, so it never met the ASGI path in which
the download is an async stream and the ORM refuses to run in the event loop.
"""

from __future__ import annotations

import csv
import io
import urllib.request
from typing import Any

from django.conf import settings
from django.test import Client
from django_scopes import scope, scopes_disabled

from tests.conftest import World, make_customer
from trunkshow.core.models import AuditEntry
from trunkshow.customers import exporting, segments
from trunkshow.customers.models import Customer


def download(url: str, headers: dict[str, str]) -> tuple[dict[str, str], list[list[str]]]:
    request = urllib.request.Request(url, headers=headers)
    with urllib.request.urlopen(request, timeout=60) as response:
        raw = response.read()
        head = {k.lower(): v for k, v in response.headers.items()}
    assert raw.startswith(b"\xef\xbb\xbf")
    return head, list(csv.reader(io.StringIO(raw.decode("utf-8-sig"), newline="")))


def entry_data(store: Any) -> dict[str, Any]:
    with scopes_disabled():
        entry = AuditEntry.objects.filter(store=store, action="trunkshow.customer.exported").latest("id")
    return {k: entry.data[k] for k in ("rows", "rows_written", "finished")}


def test_every_export_arrives_whole_from_the_uvicorn_server(uvicorn_url: str, transactional_db: Any, world: World):
    make_customer(world.a, first_name="Zoé", last_name="Zed", source="chat")
    make_customer(world.a, first_name="Other", last_name="Shop")  # not chat: filtered out
    # More than one chunk, so the stream goes back to the database after its first piece.
    with scope(store=world.a):
        Customer.objects.bulk_create(
            Customer(store=world.a, first_name=f"P{i:04d}", last_name="Q", sort_name=f"q p{i:04d}", source="chat")
            for i in range(exporting.CHUNK + 4)
        )
        segment = segments.segment_create(store=world.a, actor=None, name="Chats", filters={"source": "chat"})
    expected = exporting.CHUNK + 5
    client = Client()
    client.force_login(world.a_manager.user)
    cookie = f"{settings.SESSION_COOKIE_NAME}={client.cookies[settings.SESSION_COOKIE_NAME].value}"
    bearer = {"Authorization": f"Bearer {world.a_manager.token}"}

    for path, headers in (
        ("/customers/export/?source=chat", {"Cookie": cookie}),
        ("/api/v1/customers/export?source=chat", bearer),
        (f"/api/v1/segments/{segment.pk}/export", bearer),
    ):
        head, rows = download(uvicorn_url + path, headers)
        assert head["x-row-count"] == str(expected), path
        assert rows[0] == list(exporting.COLUMNS), path
        assert len(rows) == expected + 1, path
        first = exporting.COLUMNS.index("First name")
        assert sorted(r[first] for r in rows[1:]) == sorted([f"P{i:04d}" for i in range(exporting.CHUNK + 4)] + ["Zoé"])
        assert entry_data(world.a) == {"rows": expected, "rows_written": expected, "finished": True}, path
