"""Initials on avatars come from letters only (a trial's "<Sam> <Tate>" showed as "<S<T")."""

from __future__ import annotations

from typing import Any

import pytest
from django_scopes import scope

from tests.conftest import browser_client, make_customer
from trunkshow.core.validation import initials
from trunkshow.messaging.services import message_receive


@pytest.mark.parametrize(
    ("names", "expected"),
    [
        (("<Sam>", "<Tate>"), "ST"),
        (("Žofia", "Novák"), "ŽN"),
        (("Thảo", "Nguyễn"), "TN"),
        (("Z\u030cofia", "Ňovák"), "ŽŇ"),  # a decomposed Ž is one letter
        (("'O", "1999"), "O"),
        (("<>", "!!"), "?"),
        (("", ""), "?"),
        (("Ana Owner",), "AO"),
        (("<S> <T> <U>",), "ST"),
    ],
)
def test_initials_take_letters_only(names: tuple[str, ...], expected: str) -> None:
    assert initials(*names) == expected


def test_the_inbox_avatar_of_a_customer_named_with_markup_shows_letters(
    world: Any, django_capture_on_commit_callbacks: Any
) -> None:
    make_customer(world.a, first_name="<script>", last_name="<Tate>", phones=["+12125550142"])
    with scope(store=world.a):
        message_receive(
            store=world.a, channel="sms", from_address="+12125550142", body="Hi", provider="sandbox", provider_id="I1"
        )
    html = browser_client(world.a_associate).get("/inbox/").content.decode()
    assert '<span class="avatar" aria-hidden="true">ST</span>' in html
    assert "&lt;S" not in html.split('class="avatar"')[1][:60]
