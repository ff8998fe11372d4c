"""Each channel's body limit, enforced by the service the page, the API and the widget share: a text
over 1,600 characters (Twilio refuses it) is refused with the limit and the channel named, and
nothing is stored or queued; email and web chat keep their larger limit."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django_scopes import scope

from tests.conftest import browser_client, make_customer
from trunkshow.messaging.models import Message
from trunkshow.messaging.services import message_receive, message_send, note_add

NUMBER = "+12125550142"


def conversation_by_text(world: Any, captured: Any) -> Any:
    with scope(store=world.a), captured(execute=True):
        message, _ = message_receive(
            store=world.a, channel="sms", from_address=NUMBER, body="Hello", provider="sandbox", provider_id="SMx1"
        )
    return message.conversation


@pytest.mark.parametrize(
    ("channel", "length", "refused"),
    [("sms", 1_600, None), ("sms", 1_601, "A text message can be at most 1,600 characters; this one has 1,601.")],
)
def test_a_text_over_1600_characters_is_refused_naming_the_limit(
    world: Any, django_capture_on_commit_callbacks: Any, channel: str, length: int, refused: str | None
) -> None:
    make_customer(world.a, phones=[NUMBER])
    conversation = conversation_by_text(world, django_capture_on_commit_callbacks)
    with scope(store=world.a):
        if refused is None:
            message_send(store=world.a, actor=world.a_associate.user, conversation=conversation, body="x" * length)
            assert Message.objects.filter(direction="out").count() == 1
            return
        with pytest.raises(ValidationError) as exc:
            message_send(store=world.a, actor=world.a_associate.user, conversation=conversation, body="x" * length)
        assert exc.value.message_dict["body"][0].startswith(refused)
        assert Message.objects.filter(direction="out").count() == 0


def test_a_note_keeps_the_larger_limit_of_5000(world: Any, django_capture_on_commit_callbacks: Any) -> None:
    make_customer(world.a, phones=[NUMBER])
    conversation = conversation_by_text(world, django_capture_on_commit_callbacks)
    with scope(store=world.a):
        note_add(store=world.a, actor=world.a_associate.user, conversation=conversation, body="n" * 5_000)
        with pytest.raises(ValidationError) as exc:
            note_add(store=world.a, actor=world.a_associate.user, conversation=conversation, body="n" * 5_001)
        assert exc.value.message_dict["body"] == ["A note can be at most 5,000 characters; this one has 5,001."]
        assert Message.objects.filter(direction="note").count() == 1


def test_a_100_kb_paste_posted_from_the_inbox_page_is_refused_and_comes_back_whole(
    world: Any, django_capture_on_commit_callbacks: Any
) -> None:
    make_customer(world.a, phones=[NUMBER])
    conversation = conversation_by_text(world, django_capture_on_commit_callbacks)
    client = browser_client(world.a_associate)
    pasted = "é" * 100_000
    response = client.post(f"/inbox/{conversation.pk}/reply/", {"body": pasted, "kind": "reply", "channel": "sms"})
    assert response.status_code == 302
    page = client.get(f"/inbox/{conversation.pk}/").content.decode()
    assert "A text message can be at most 1,600 characters; this one has 100,000." in page
    assert pasted in page  # the whole paste is back in the composer, to be shortened
    with scope(store=world.a):
        assert Message.objects.filter(direction="out").count() == 0


def test_the_json_reply_endpoint_answers_400_with_the_limit(
    world: Any, django_capture_on_commit_callbacks: Any
) -> None:
    make_customer(world.a, phones=[NUMBER])
    conversation = conversation_by_text(world, django_capture_on_commit_callbacks)
    response = browser_client(world.a_associate).post(
        f"/inbox/{conversation.pk}/reply/", {"body": "x" * 2_000}, content_type="application/json"
    )
    assert response.status_code == 400
    assert response.json()["error"]["fields"]["body"] == [
        "A text message can be at most 1,600 characters; this one has 2,000. Shorten it or send it in parts."
    ]
