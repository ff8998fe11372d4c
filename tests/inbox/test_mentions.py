"""@mentions wait for the person named until they open the conversation (a count in the navigation
and a list), per store; an @name that is nobody on the staff is saved with a warning."""

from __future__ import annotations

from typing import Any

from django_scopes import scope

from tests.conftest import api, browser_client, make_customer
from trunkshow.inbox.models import Mention
from trunkshow.messaging.models import Message
from trunkshow.messaging.services import message_receive

NUMBER = "+12125550142"


def _conversation(world: Any) -> int:
    make_customer(world.a, first_name="Clara", phones=[NUMBER])
    with scope(store=world.a):
        message, _created = message_receive(
            store=world.a, channel="sms", from_address=NUMBER, body="Hello", provider="sandbox", provider_id="M1"
        )
    return int(message.conversation_id)


def test_a_mention_waits_for_the_person_until_they_open_the_conversation(
    world: Any, django_capture_on_commit_callbacks: Any
) -> None:
    conversation = _conversation(world)
    manager, ali = browser_client(world.a_manager), browser_client(world.a_associate)
    with django_capture_on_commit_callbacks(execute=True):
        manager.post(f"/inbox/{conversation}/reply/", {"kind": "note", "body": "@Ali can you check the size?"})

    page = ali.get("/customers/").content.decode()  # any staff page: the count is in the navigation
    assert 'href="/inbox/mentions/"' in page
    assert "@ 1 mention</a>" in page
    listing = ali.get("/inbox/mentions/").content.decode()
    waiting = listing.split("Waiting for you")[1].split("</section>")[0]
    assert "Clara Customer" in waiting
    assert "@Ali can you check the size?" in waiting
    assert "Max Manager" in waiting

    assert ali.get(f"/inbox/{conversation}/").status_code == 200  # opening it is seeing the mention
    assert 'href="/inbox/mentions/"' not in ali.get("/customers/").content.decode()
    listing = ali.get("/inbox/mentions/").content.decode()
    assert "Nothing waiting" in listing
    assert "@Ali can you check the size?" in listing.split(">Seen<")[1]
    # The author is not told of their own note, and nobody else of Ali's.
    assert 'href="/inbox/mentions/"' not in manager.get("/customers/").content.decode()


def test_another_stores_staff_see_none_of_its_mentions(world: Any, django_capture_on_commit_callbacks: Any) -> None:
    conversation = _conversation(world)
    with django_capture_on_commit_callbacks(execute=True):
        browser_client(world.a_manager).post(
            f"/inbox/{conversation}/reply/", {"kind": "note", "body": "@Ali @Bo @Bea please look"}
        )
    with scope(store=world.a):
        assert sorted(Mention.objects.filter(store=world.a).values_list("user__email", flat=True)) == [
            "ali@atelier.example.com"
        ]
    for person in (world.b_owner, world.b_associate):
        client = browser_client(person)
        assert 'href="/inbox/mentions/"' not in client.get("/customers/").content.decode()
        assert "please look" not in client.get("/inbox/mentions/").content.decode()
        assert client.get(f"/inbox/{conversation}/").status_code == 404


def test_a_note_naming_nobody_is_saved_with_a_warning(world: Any, django_capture_on_commit_callbacks: Any) -> None:
    conversation = _conversation(world)
    client = browser_client(world.a_manager)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(f"/inbox/{conversation}/reply/", {"kind": "note", "body": "@nobody and @Ali: the clasp"})
    page = client.get(f"/inbox/{conversation}/").content.decode()
    assert (
        "Note saved, but nobody on the staff is @nobody, so nobody was told. Mention a colleague by first name "
        "(@Max) or the start of their email." in page
    )
    with scope(store=world.a):
        assert Message.objects.filter(direction="note").count() == 1
        assert Mention.objects.count() == 1

    answer = client.post(
        f"/inbox/{conversation}/reply/",
        {"kind": "note", "body": "@Ghost, write to ana@example.com @MAX"},
        content_type="application/json",
    )
    assert answer.status_code == 201
    assert answer.json()["warnings"] == [
        "Note saved, but nobody on the staff is @Ghost, so nobody was told. Mention a colleague by first name "
        "(@Max) or the start of their email."
    ]
    fine = client.post(
        f"/inbox/{conversation}/reply/", {"kind": "note", "body": "@ali thanks"}, content_type="application/json"
    )
    assert fine.json()["warnings"] == []


def test_the_api_tells_of_a_note_naming_nobody_and_notifies_who_it_names(
    world: Any, django_capture_on_commit_callbacks: Any
) -> None:
    conversation = _conversation(world)
    client = api(world.a_manager)
    with django_capture_on_commit_callbacks(execute=True):
        answer = client.post(
            f"/api/v1/conversations/{conversation}/messages",
            {"kind": "note", "body": "@Ghost and @ali: the clasp"},
            content_type="application/json",
        )
    assert answer.status_code == 201
    assert answer.json()["direction"] == "note"
    assert answer.json()["body"] == "@Ghost and @ali: the clasp"
    assert answer.json()["warnings"] == [
        "Note saved, but nobody on the staff is @Ghost, so nobody was told. Mention a colleague by first name "
        "(@Max) or the start of their email."
    ]
    with scope(store=world.a):
        assert list(Mention.objects.values_list("user__email", flat=True)) == ["ali@atelier.example.com"]
    reply = client.post(
        f"/api/v1/conversations/{conversation}/messages", {"body": "@Ghost hello"}, content_type="application/json"
    )
    assert reply.status_code == 201
    assert reply.json()["warnings"] == []  # a reply to the customer names no colleague
    assert (
        "warnings" in client.get("/api/v1/openapi.json").json()["components"]["schemas"]["MessageCreated"]["properties"]
    )


def test_the_navigation_count_alone_counts_for_the_person_reading_in_their_store(
    world: Any, django_capture_on_commit_callbacks: Any
) -> None:
    conversation = _conversation(world)
    with django_capture_on_commit_callbacks(execute=True):
        browser_client(world.a_manager).post(f"/inbox/{conversation}/reply/", {"kind": "note", "body": "@Ali look"})
    ali = browser_client(world.a_associate).get("/inbox/mentions/nav/")
    assert ali.status_code == 200
    assert 'href="/inbox/mentions/"' in ali.content.decode()
    assert "@ 1 mention</a>" in ali.content.decode()
    for person in (world.a_manager, world.b_owner, world.b_associate):
        assert browser_client(person).get("/inbox/mentions/nav/").content.decode().strip() == ""
    from django.test import Client

    assert Client().get("/inbox/mentions/nav/").status_code == 302  # to the login page
    assert browser_client(world.a_associate).post("/inbox/mentions/nav/").status_code == 405


def test_the_composer_offers_each_colleague_with_a_handle_that_names_only_them(world: Any) -> None:
    from trunkshow.inbox.services import mention_choices, mentioned
    from trunkshow.stores.services import staff_create

    with scope(store=world.a):
        staff_create(store=world.a, email="max.bell@atelier.example", role="associate", name="Max Bell", password=None)
        choices = mention_choices(world.a, exclude=world.a_owner.user)
        by_name = {c["name"]: c["handle"] for c in choices}
        # Two people called Max: the new one is offered by the start of his email, which names only him.
        assert by_name["Max Bell"] == "max.bell"
        assert [u.email for u in mentioned(world.a, "@max.bell please")] == ["max.bell@atelier.example"]
        assert by_name["Ali Associate"] == "Ali"
        assert [u.pk for u in mentioned(world.a, "@Ali please")] == [world.a_associate.user.pk]
        assert world.a_owner.user.display_name not in by_name  # not oneself
        # Another store's staff are never offered.
        assert not {c["name"] for c in mention_choices(world.b)} & set(by_name)


def test_a_note_shows_its_mentions_of_colleagues_marked_and_everything_else_as_text(
    world: Any, django_capture_on_commit_callbacks: Any
) -> None:
    conversation = _conversation(world)
    manager = browser_client(world.a_manager)
    body = "@Ali and @max.bell? <img src=x onerror=alert(1)> @Bo\nemail ana@atelier.example.com, @ali."
    with django_capture_on_commit_callbacks(execute=True):
        manager.post(f"/inbox/{conversation}/reply/", {"kind": "note", "body": body})

    page = manager.get(f"/inbox/{conversation}/").content.decode()
    note = page.split('<p class="msg-label">Internal note</p>')[1].split("</li>")[0]
    # Ali (by first name, any case) is marked; @max.bell, Bo (another store's) and an email address are not
    # colleagues here; the markup typed in the note stays text.
    assert (
        '<p class="msg-body"><span class="msg-mention">@Ali</span> and @max.bell? '
        "&lt;img src=x onerror=alert(1)&gt; @Bo<br>email ana@atelier.example.com, "
        '<span class="msg-mention">@ali</span>.</p>'
    ) in note
    # A newer note arriving live (the thread's fragment) is marked the same way.
    with django_capture_on_commit_callbacks(execute=True):
        manager.post(f"/inbox/{conversation}/reply/", {"kind": "note", "body": "@Max <b>see</b>"})
    with scope(store=world.a):
        first = Message.objects.filter(direction="note").order_by("id").first()
    live = manager.get(f"/inbox/{conversation}/messages/", {"after": first.pk}).content.decode()
    assert '<span class="msg-mention">@Max</span> &lt;b&gt;see&lt;/b&gt;' in live
