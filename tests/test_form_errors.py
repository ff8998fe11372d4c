"""A refused form opens with the same sentence on every page (the sandbox and saved replies said
"Please correct the fields marked below." where the settings pages said "Please fix what is marked below.")."""

from __future__ import annotations

from typing import Any

import pytest

from tests.conftest import World, browser_client

SAID = "Please fix what is marked below."

REFUSED = [
    ("/inbox/sandbox/", {"phone": "12", "body": "", "channel": "fax"}),
    ("/inbox/replies/", {"title": "", "body": "x"}),
    ("/settings/", {"name": "", "time_zone": "UTC", "currency": "USD", "locale": "en_US", "phone_region": "US"}),
]


@pytest.mark.parametrize("url,data", REFUSED, ids=[url for url, _data in REFUSED])
def test_a_refused_form_says_the_same_thing_on_every_page(world: World, url: str, data: dict[str, Any]) -> None:
    response = browser_client(world.a_owner).post(url, data)
    assert response.status_code == 400
    html = response.content.decode()
    assert html.count('role="alert"') == 1
    assert SAID in html
    assert "Please correct" not in html
