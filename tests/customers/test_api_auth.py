"""Authentication on every customers endpoint: no token, a wrong, revoked or deactivated one is a 401."""

from __future__ import annotations

import pytest
from django.test import Client
from django_scopes import scope, scopes_disabled

from tests.conftest import World, api
from tests.customers.test_api_support import ALL_OPERATIONS, assert_error, book, call, full_customer, operation_id
from trunkshow.stores.models import ApiToken
from trunkshow.stores.services import staff_set_active, token_revoke


def _revoke(world: World) -> None:
    with scope(store=world.a):
        token = ApiToken.objects.get(membership=world.a_associate.membership)
        token_revoke(store=world.a, actor=world.a_owner.user, token=token)


def _deactivate_membership(world: World) -> None:
    with scope(store=world.a):
        staff_set_active(
            store=world.a,
            actor=world.a_owner.user,
            actor_membership=world.a_owner.membership,
            membership=world.a_associate.membership,
            active=False,
        )


def _deactivate_user(world: World) -> None:
    with scopes_disabled():
        world.a_associate.user.is_active = False
        world.a_associate.user.save(update_fields=["is_active"])


CASES = {
    "no token": (lambda world: Client(), None, "Send an API token as 'Authorization: Bearer <token>'."),
    "not bearer": (
        lambda world: Client(headers={"Authorization": f"Token {world.a_associate.token}"}),
        None,
        "Send an API token as 'Authorization: Bearer <token>'.",
    ),
    "wrong token": (
        lambda world: Client(headers={"Authorization": "Bearer ts_" + "x" * 43}),
        None,
        "The API token is not valid.",
    ),
    "revoked token": (lambda world: api(world.a_associate), _revoke, "The API token has been revoked."),
    # Deactivating staff also revokes their tokens.
    "deactivated staff": (
        lambda world: api(world.a_associate),
        _deactivate_membership,
        "The API token has been revoked.",
    ),
    "deactivated login": (
        lambda world: api(world.a_associate),
        _deactivate_user,
        "The API token's staff member is no longer active.",
    ),
}


@pytest.mark.parametrize("case", list(CASES))
@pytest.mark.parametrize("op", ALL_OPERATIONS, ids=operation_id)
def test_every_endpoint_answers_401_without_a_valid_token_and_changes_nothing(world: World, case: str, op):
    make_client, before_call, message = CASES[case]
    ids = full_customer(world.a, world.a_owner)
    client = make_client(world)
    if before_call:
        before_call(world)
    before = book(world.a)
    response = call(client, op, ids)
    error = assert_error(response, 401, "unauthenticated", fields=[])
    assert error["message"] == message
    assert response["WWW-Authenticate"] == 'Bearer realm="trunkshow"'
    assert book(world.a) == before


def test_the_same_token_works_before_it_is_revoked(world: World):
    client = api(world.a_associate)
    assert client.get("/api/v1/customers").status_code == 200
    _revoke(world)
    assert client.get("/api/v1/customers").status_code == 401


def test_a_logged_in_browser_session_is_not_an_api_credential(world: World):
    client = Client()
    client.force_login(world.a_owner.user)
    assert_error(client.get("/api/v1/customers"), 401, "unauthenticated")
