"""Every inbox page and action with another store's ids: 404, and nothing changes."""

from __future__ import annotations

from typing import Any

import pytest
from django_scopes import scope

from tests.conftest import browser_client
from trunkshow.messaging.models import Conversation, Message
from trunkshow.messaging.services import message_receive

PAGES = [
    ("get", "/inbox/{c}/", {}),
    ("get", "/inbox/{c}/messages/", {}),
    ("post", "/inbox/{c}/reply/", {"body": "Hello"}),
    ("post", "/inbox/{c}/reply/", {"body": "note", "kind": "note"}),
    ("post", "/inbox/{c}/status/", {"status": "closed"}),
    ("post", "/inbox/{c}/assign/", {"assigned_to": ""}),
    ("post", "/inbox/messages/{m}/retry/", {}),
]


@pytest.fixture
def other_stores_thread(world: Any, django_capture_on_commit_callbacks: Any) -> Message:
    with scope(store=world.b), django_capture_on_commit_callbacks(execute=True):
        message, _ = message_receive(
            store=world.b,
            channel="sms",
            from_address="+33612345678",
            body="Bonjour",
            provider="sandbox",
            provider_id="SMb",
        )
    return message


@pytest.mark.parametrize(("method", "path", "data"), PAGES)
def test_store_a_staff_get_404_for_store_bs_conversation(
    world: Any, other_stores_thread: Message, method: str, path: str, data: dict[str, str]
) -> None:
    url = path.format(c=other_stores_thread.conversation_id, m=other_stores_thread.pk)
    with scope(store=world.b):
        before = Conversation.objects.get().assigned_to_id
    response = getattr(browser_client(world.a_owner), method)(url, data)
    assert response.status_code == 404
    with scope(store=world.b):
        conversation = Conversation.objects.get()
        assert (conversation.status, conversation.assigned_to_id) == ("open", before)
        assert before == world.b_associate.user.pk  # the one on duty took it
        assert Message.objects.count() == 1


@pytest.mark.parametrize(("method", "path", "data"), PAGES)
def test_the_inbox_needs_a_login(
    world: Any, other_stores_thread: Message, method: str, path: str, data: dict[str, str]
) -> None:
    from django.test import Client

    url = path.format(c=other_stores_thread.conversation_id, m=other_stores_thread.pk)
    response = getattr(Client(), method)(url, data)
    assert response.status_code == 302
    assert response["Location"].startswith("/login/")
