"""API tokens on the account page: created and shown once, listed, revoked, audited."""

from __future__ import annotations

import re

from django.test import Client
from django_scopes import scope

from tests.conftest import browser_client
from trunkshow.core.models import AuditEntry
from trunkshow.stores.models import ApiToken
from trunkshow.stores.tokens import token_hash


def create(client: Client, name: str):
    return client.post("/account/tokens/", {"name": name}, REMOTE_ADDR="192.0.2.30")


def test_token_is_shown_once_and_works_with_the_api(world):
    client = browser_client(world.a_manager)
    response = create(client, "Website booking form")
    assert response.status_code == 302
    assert response["Location"] == "/account/tokens/new/"
    page = client.get("/account/tokens/new/")
    assert page.status_code == 200
    assert "no-store" in page["Cache-Control"]
    raw = re.search(r'id="new-token" type="text" readonly value="(ts_[^"]+)"', page.content.decode()).group(1)
    with scope(store=world.a):
        token = ApiToken.objects.get(name="Website booking form")
    assert (token.token_hash, token.prefix, token.membership_id) == (
        token_hash(raw),
        raw[:10],
        world.a_manager.membership.pk,
    )
    assert raw not in token.token_hash

    shown_again = client.get("/account/tokens/new/")
    assert shown_again.status_code == 302
    assert raw not in client.get("/account/").content.decode()

    me = Client(headers={"Authorization": f"Bearer {raw}"}).get("/api/v1/store")
    assert me.status_code == 200
    assert me.json()["slug"] == "atelier"


def test_token_list_shows_prefix_created_and_last_used(world):
    client = browser_client(world.a_owner)
    html = client.get("/account/").content.decode()
    with scope(store=world.a):
        token = ApiToken.objects.get(membership=world.a_owner.membership)
    assert f"<code>{token.prefix}…</code>" in html
    assert "Never used" in html
    Client(headers={"Authorization": f"Bearer {world.a_owner.token}"}).get("/api/v1/store")
    assert "Last used" in client.get("/account/").content.decode()


def test_token_dates_are_written_like_the_other_pages_in_the_stores_zone(world):
    import datetime as dt

    with scope(store=world.a):
        ApiToken.objects.filter(membership=world.a_owner.membership).update(
            created_at=dt.datetime(2026, 11, 23, 11, 6, tzinfo=dt.UTC)
        )
    html = browser_client(world.a_owner).get("/account/").content.decode()
    # 11:06 UTC is 6:06 AM in New York; the same medium style as the audit log and the imports.
    assert "Created Nov 23, 2026, 6:06:00\u202fAM" in html


def test_token_list_shows_only_the_persons_own_tokens(world):
    html = browser_client(world.a_associate).get("/account/").content.decode()
    with scope(store=world.a):
        prefixes = dict(ApiToken.objects.values_list("membership_id", "prefix"))
    assert prefixes[world.a_associate.membership.pk] in html
    assert prefixes[world.a_owner.membership.pk] not in html
    assert prefixes[world.a_manager.membership.pk] not in html


def test_creating_and_revoking_are_audited_and_a_revoked_token_stops_working(world):
    client = browser_client(world.a_associate)
    create(client, "Zapier")
    with scope(store=world.a):
        token = ApiToken.objects.get(name="Zapier")
    response = client.post(f"/account/tokens/{token.pk}/revoke/", REMOTE_ADDR="192.0.2.31")
    assert response.status_code == 302
    token.refresh_from_db()
    assert token.revoked_at is not None
    with scope(store=world.a):
        entries = list(
            AuditEntry.objects.filter(object_id=str(token.pk), action__startswith="trunkshow.token.")
            .order_by("id")
            .values_list("action", "actor_id", "ip")
        )
    assert entries == [
        ("trunkshow.token.created", world.a_associate.user.pk, "192.0.2.30"),
        ("trunkshow.token.revoked", world.a_associate.user.pk, "192.0.2.31"),
    ]
    html = client.get("/account/").content.decode()
    assert "Revoked" in html


def test_token_name_is_required_and_limited(world):
    client = browser_client(world.a_owner)
    empty = create(client, "")
    assert empty.status_code == 400
    assert "Name the token after where it will be used." in empty.content.decode()
    long = create(client, "x" * 101)
    assert long.status_code == 400
    assert "Ensure this value has at most 100 characters (it has 101)." in long.content.decode()
    with scope(store=world.a):
        assert ApiToken.objects.filter(membership=world.a_owner.membership).count() == 1


def test_revoke_needs_a_post(world):
    with scope(store=world.a):
        token = ApiToken.objects.get(membership=world.a_owner.membership)
    assert browser_client(world.a_owner).get(f"/account/tokens/{token.pk}/revoke/").status_code == 405
    token.refresh_from_db()
    assert token.revoked_at is None


def test_the_tokens_section_links_the_api_docs_and_says_how_to_send_a_token(world):
    html = browser_client(world.a_associate).get("/account/").content.decode()
    assert (
        "Send it with every request as <code>Authorization: Bearer</code> followed by the token; the "
        '<a href="/api/v1/docs">API documentation</a> lists what you can do and lets you try it '
        "(Authorize, then paste the token)."
    ) in html
    docs = browser_client(world.a_associate).get("/api/v1/docs")
    assert docs.status_code == 200


def test_the_openapi_schema_is_built_once_per_process_not_on_every_docs_load(world):
    from trunkshow.urls import api as built

    client = browser_client(world.a_associate)
    first = client.get("/api/v1/openapi.json")
    assert first.status_code == 200
    assert built.get_openapi_schema(path_prefix="/api/v1/") is built.get_openapi_schema(path_prefix="/api/v1/")
    assert client.get("/api/v1/openapi.json").content == first.content
