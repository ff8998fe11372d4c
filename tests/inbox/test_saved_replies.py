"""Saved replies: filled in for the customer, edited, and never sent with a field left as typed."""

from __future__ import annotations

from typing import Any

from django_scopes import scope

from tests.conftest import browser_client, make_customer
from trunkshow.inbox.models import SavedReply
from trunkshow.messaging.models import Conversation, Message
from trunkshow.messaging.services import message_receive


def conversation_with(world: Any, captured: Any, **customer: Any) -> int:
    make_customer(world.a, phones=["+12125550142"], **customer)
    with scope(store=world.a), captured(execute=True):
        message, _ = message_receive(
            store=world.a, channel="sms", from_address="+12125550142", body="Hi", provider="sandbox", provider_id="S1"
        )
    return message.conversation_id


def test_a_manager_saves_a_reply_and_an_associate_gets_it_filled_in(
    world: Any, django_capture_on_commit_callbacks: Any
) -> None:
    manager = browser_client(world.a_manager)
    response = manager.post(
        "/inbox/replies/", {"title": "Ready", "body": "Hi {first_name}, your piece is ready. {associate} at {store}"}
    )
    assert response.status_code == 302
    cid = conversation_with(world, django_capture_on_commit_callbacks, first_name="Clara")
    html = browser_client(world.a_associate).get(f"/inbox/{cid}/").content.decode()
    assert 'data-insert="Hi Clara, your piece is ready. Ali at Atelier Ana"' in html


def test_without_saved_replies_the_composer_shows_owners_and_managers_where_to_add_them(
    world: Any, django_capture_on_commit_callbacks: Any
) -> None:
    cid = conversation_with(world, django_capture_on_commit_callbacks, first_name="Clara")
    link = '<a href="/inbox/replies/">Add saved replies</a>'
    for person in (world.a_owner, world.a_manager):
        assert link in browser_client(person).get(f"/inbox/{cid}/").content.decode()
    associate = browser_client(world.a_associate).get(f"/inbox/{cid}/").content.decode()
    assert link not in associate
    assert '<details class="saved-replies">' not in associate


def test_a_field_without_a_value_stays_visible_and_the_message_cannot_be_sent(
    world: Any, django_capture_on_commit_callbacks: Any
) -> None:
    with scope(store=world.a):
        SavedReply.objects.create(store=world.a, title="Ready", body="Hi {first_name}, it is ready.")
    cid = conversation_with(world, django_capture_on_commit_callbacks, first_name="", last_name="Okafor")
    client = browser_client(world.a_associate)
    html = client.get(f"/inbox/{cid}/").content.decode()
    assert 'data-insert="Hi {first_name}, it is ready."' in html
    # The hint is there for the script to show once the reply is inserted, hidden until then.
    assert 'id="reply-name-hint" role="status" data-field="{first_name}" hidden>' in html
    refused = client.post(f"/inbox/{cid}/reply/", {"body": "Hi {first_name}, it is ready."}, follow=True)
    page = refused.content.decode()
    # The refusal says what to do, and the page comes back with the text kept and the way to the profile.
    assert (
        "This customer has no first name on file: write the name in place of {first_name}, or add it to their profile."
    ) in page
    with scope(store=world.a):
        customer_id = Conversation.objects.get(pk=cid).customer_id
    assert (
        '<p class="composer-hint small" id="reply-name-hint" role="status" data-field="{first_name}">'
        "This customer has no first name on file: write the name in place of {first_name}, "
        f'or <a href="/customers/{customer_id}/edit/">add it to their profile</a>.</p>'
    ) in page
    assert "Hi {first_name}, it is ready.</textarea>" in page
    with scope(store=world.a):
        assert not Message.objects.filter(direction="out").exists()


def test_a_first_name_field_for_someone_without_a_customer_says_to_write_the_name(
    world: Any, django_capture_on_commit_callbacks: Any
) -> None:
    with scope(store=world.a), django_capture_on_commit_callbacks(execute=True):
        message, _ = message_receive(
            store=world.a, channel="sms", from_address="+12125550177", body="Hi", provider="sandbox", provider_id="S9"
        )
        message.conversation.customer = None
        message.conversation.save(update_fields=["customer"])
    client = browser_client(world.a_associate)
    refused = client.post(f"/inbox/{message.conversation_id}/reply/", {"body": "Dear {first_name},"}, follow=True)
    page = refused.content.decode()
    assert (
        "We do not know this person&#x27;s name: write it in place of {first_name}, or leave the greeting out." in page
    )
    assert "/edit/" not in page.split('id="reply-name-hint"')[1].split("</p>")[0]
    with scope(store=world.a):
        assert not Message.objects.filter(direction="out").exists()


def test_bad_saved_replies_are_refused_with_the_reason(world: Any) -> None:
    client = browser_client(world.a_owner)
    client.post("/inbox/replies/", {"title": "Thanks", "body": "Thank you!"})
    cases = [
        ({"title": "", "body": "x"}, "Give the reply a short title."),
        ({"title": "Other", "body": ""}, "Write the reply&#x27;s text."),
        (
            {"title": "Other", "body": "Hi {firstname}"},
            "Unknown merge field {firstname}; use {first_name}, {associate} or {store}.",
        ),
        (
            {"title": "Other", "body": "Dear {first_name} {last_name}, {Associate} of [store] and {{ store }}"},
            "Unknown merge fields {last_name}, {Associate}, [store] and {{ store }}; "
            "use {first_name}, {associate} or {store}.",
        ),
        ({"title": "Thanks", "body": "Again"}, "There is already a saved reply called “Thanks”."),
        ({"title": "T" * 81, "body": "x"}, "A title can be at most 80 characters."),
    ]
    for data, message in cases:
        response = client.post("/inbox/replies/", data)
        assert response.status_code == 400, data
        assert message in response.content.decode(), data
    with scope(store=world.a):
        assert list(SavedReply.objects.values_list("title", "body")) == [("Thanks", "Thank you!")]


def test_associates_use_saved_replies_but_cannot_change_them(world: Any) -> None:
    with scope(store=world.a):
        reply = SavedReply.objects.create(store=world.a, title="Ready", body="It is ready.")
    client = browser_client(world.a_associate)
    assert client.get("/inbox/replies/").status_code == 200
    refused = client.post("/inbox/replies/", {"title": "Mine", "body": "Mine"})
    assert refused.status_code == 403
    assert "Only owners and managers can write, change or delete saved replies." in refused.content.decode()
    assert client.post(f"/inbox/replies/{reply.pk}/delete/").status_code == 403
    with scope(store=world.a):
        assert list(SavedReply.objects.values_list("title", flat=True)) == ["Ready"]


def test_saved_replies_through_the_api(world: Any) -> None:
    from tests.conftest import api

    owner, associate = api(world.a_owner), api(world.a_associate)
    created = owner.post(
        "/api/v1/saved-replies", {"title": "Ready", "body": "Hi {first_name}"}, content_type="application/json"
    )
    assert created.status_code == 201
    rid = created.json()["id"]
    assert [r["title"] for r in associate.get("/api/v1/saved-replies").json()] == ["Ready"]
    bad = owner.put(
        f"/api/v1/saved-replies/{rid}", {"title": "Ready", "body": "{name}"}, content_type="application/json"
    )
    assert bad.status_code == 400
    assert bad.json()["error"]["fields"] == {
        "body": ["Unknown merge field {name}; use {first_name}, {associate} or {store}."]
    }
    denied = associate.delete(f"/api/v1/saved-replies/{rid}")
    assert denied.status_code == 403
    assert owner.delete(f"/api/v1/saved-replies/{rid}").status_code == 204
    assert owner.get("/api/v1/saved-replies").json() == []


def test_the_saved_replies_page_leads_back_to_the_inbox(world: Any) -> None:
    """As the inbox's other pages do (response times, the text sandbox): one tap back on a phone."""
    import re

    html = browser_client(world.a_associate).get("/inbox/replies/").content.decode()
    back = re.search(r'<p class="back"><a href="([^"]+)">.*?</a></p>', html, re.S)
    assert back is not None and back.group(1) == "/inbox/"
    assert back.start() < html.index("<h1>Saved replies</h1>")
