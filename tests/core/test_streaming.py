"""Streamed answers under ASGI: static files, attachments and exports leave as async streams.

Django's ASGI handler reads a sync stream whole into a list before sending it, and says so in the
terminal ("StreamingHttpResponse must consume synchronous iterators..."): a new user saw it on the
demo's first page (WhiteNoise's stylesheet).
"""

from __future__ import annotations

import io
import urllib.request
from pathlib import Path
from typing import Any

from asgiref.sync import async_to_sync
from django.conf import settings
from django.test import AsyncClient, Client
from django_scopes import scope

from tests.abuse.test_clock_skew import jpeg, photo_dir, text_in
from tests.conftest import World
from tests.customers.test_export_server import download
from trunkshow.messaging.models import Attachment
from trunkshow.messaging.photos import photo_prepare
from trunkshow.messaging.services import note_add

__all__ = ["photo_dir"]  # the fixture, used below

WARNING = "must consume synchronous iterators"
STYLESHEET = Path(settings.BASE_DIR) / "static" / "trunkshow" / "app.css"


def test_the_uvicorn_server_streams_static_files_and_exports_without_djangos_warning(
    uvicorn_url: str, transactional_db: Any, world: World
) -> None:
    with urllib.request.urlopen(f"{uvicorn_url}/static/trunkshow/app.css", timeout=30) as response:
        assert response.read() == STYLESHEET.read_bytes()
    client = Client()
    client.force_login(world.a_owner.user)
    cookie = f"{settings.SESSION_COOKIE_NAME}={client.cookies[settings.SESSION_COOKIE_NAME].value}"
    _head, rows = download(f"{uvicorn_url}/customers/export/", {"Cookie": cookie})
    assert rows[0][:2] == ["Customer ID", "First name"]

    log = (settings.DATA_DIR / "server.log").read_text()
    assert WARNING not in log


def test_an_attachment_under_asgi_is_an_async_stream_of_the_whole_file(
    world: World, photo_dir: Path, django_capture_on_commit_callbacks: Any, recwarn: Any
) -> None:
    conversation = text_in(world, django_capture_on_commit_callbacks).conversation
    with scope(store=world.a):
        note = note_add(
            store=world.a,
            actor=world.a_associate.user,
            conversation=conversation,
            body="For Clara",
            photos=[photo_prepare(io.BytesIO(jpeg()), filename="ring.jpg")],
        )
        photo = Attachment.objects.get(message=note)
    client = AsyncClient()
    client.force_login(world.a_associate.user)

    async def fetch() -> tuple[Any, bytes]:
        response = await client.get(f"/inbox/attachments/{photo.pk}/")
        return response, b"".join([piece async for piece in response])

    response, body = async_to_sync(fetch)()
    assert response.status_code == 200
    assert response.is_async is True
    assert body == (photo_dir / photo.file.name).read_bytes()
    assert [str(w.message) for w in recwarn if WARNING in str(w.message)] == []

    # The test client (as WSGI) still reads the same file as a sync stream.
    sync_client = Client()
    sync_client.force_login(world.a_associate.user)
    fetched = sync_client.get(f"/inbox/attachments/{photo.pk}/")
    assert b"".join(fetched.streaming_content) == body
