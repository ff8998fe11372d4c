"""Who may do what on the staff pages, and that another store's ids are a 404.

On every denial the state is compared before and after: nothing changed, nothing was sent.
"""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.test import Client
from django_scopes import scope, scopes_disabled

from tests.conftest import browser_client
from tests.stores.conftest import Inbox
from trunkshow.core.models import AuditEntry
from trunkshow.stores.models import ApiToken, Invitation, Membership, Store
from trunkshow.stores.services import staff_invite


def snapshot(world: Any, smtp: Inbox) -> dict[str, Any]:
    with scopes_disabled():
        return {
            "memberships": sorted(Membership.objects.values_list("id", "role", "is_active")),
            "invitations": sorted(Invitation.objects.values_list("id", "email", "role", "token_hash", "revoked_at")),
            "tokens": sorted(ApiToken.objects.values_list("id", "revoked_at")),
            "stores": sorted(Store.objects.values_list("id", "name", "time_zone", "opening_hours")),
            "audit": AuditEntry.objects.count(),
            "mails": len(smtp.messages),
        }


@pytest.fixture
def pending(world: Any, smtp: Inbox) -> dict[str, Invitation]:
    """An open invitation for an associate in each store."""
    with scope(store=world.a):
        a = staff_invite(
            store=world.a,
            actor=world.a_owner.user,
            actor_membership=world.a_owner.membership,
            email="pending-a@example.com",
            role="associate",
        )
    with scope(store=world.b):
        b = staff_invite(
            store=world.b,
            actor=world.b_owner.user,
            actor_membership=world.b_owner.membership,
            email="pending-b@example.com",
            role="associate",
        )
    return {"a": a, "b": b}


PAGES = [
    # (path, owner, manager, associate)
    ("/account/", 200, 200, 200),
    ("/staff/", 200, 200, 403),
    ("/settings/", 200, 403, 403),
    ("/audit/", 200, 403, 403),
]

REASONS = {
    "/staff/": "Only owners and managers can open the staff page.",
    "/settings/": "Only owners can change the store&#x27;s settings.",
    "/audit/": "Only owners can read the audit log.",
}


@pytest.mark.parametrize("role_index,person", [(1, "a_owner"), (2, "a_manager"), (3, "a_associate")])
@pytest.mark.parametrize("page", PAGES, ids=[p[0] for p in PAGES])
def test_page_access_by_role(world, page, role_index, person):
    response = browser_client(getattr(world, person)).get(page[0])
    assert response.status_code == page[role_index]
    if response.status_code == 403:
        assert REASONS[page[0]] in response.content.decode()


def _actions(world: Any, pending: dict[str, Invitation]) -> list[tuple[str, str, dict[str, str], tuple[int, int, int]]]:
    associate = world.a_associate.membership.pk
    invitation = pending["a"].pk
    return [
        ("invite", "/staff/invite/", {"email": "new@example.com", "role": "associate"}, (302, 302, 403)),
        ("invite owner", "/staff/invite/", {"email": "new@example.com", "role": "owner"}, (302, 403, 403)),
        ("change role", f"/staff/{associate}/role/", {"role": "manager"}, (302, 403, 403)),
        ("deactivate", f"/staff/{associate}/active/", {"active": "0", "confirm": "1"}, (302, 403, 403)),
        ("resend", f"/staff/invitations/{invitation}/resend/", {}, (302, 302, 403)),
        ("revoke", f"/staff/invitations/{invitation}/revoke/", {}, (302, 302, 403)),
        (
            "settings",
            "/settings/",
            {
                "name": "Renamed",
                "time_zone": "UTC",
                "currency": "USD",
                "locale": "en_US",
                "phone_region": "US",
                **{f"{d}_closed": "on" for d in ("mon", "tue", "wed", "thu", "fri", "sat", "sun")},
            },
            (302, 403, 403),
        ),
    ]


ACTION_NAMES = ["invite", "invite owner", "change role", "deactivate", "resend", "revoke", "settings"]


@pytest.mark.parametrize("who,column", [("a_owner", 0), ("a_manager", 1), ("a_associate", 2)])
@pytest.mark.parametrize("action", ACTION_NAMES)
def test_action_permission_matrix(world, smtp, pending, action, who, column):
    _name, path, data, expected = next(a for a in _actions(world, pending) if a[0] == action)
    before = snapshot(world, smtp)
    response = browser_client(getattr(world, who)).post(path, data)
    assert response.status_code == expected[column]
    if response.status_code == 403:
        assert snapshot(world, smtp) == before
    else:
        assert snapshot(world, smtp) != before


def test_associate_sees_why_the_staff_page_is_closed(world):
    response = browser_client(world.a_associate).get("/staff/")
    assert response.status_code == 403
    assert "Only owners and managers can open the staff page." in response.content.decode()


def test_nav_shows_owner_pages_to_owners_only(world):
    owner = browser_client(world.a_owner).get("/account/").content.decode()
    manager = browser_client(world.a_manager).get("/account/").content.decode()
    associate = browser_client(world.a_associate).get("/account/").content.decode()
    assert ('href="/audit/"' in owner, 'href="/settings/"' in owner, 'href="/staff/"' in owner) == (True, True, True)
    assert ('href="/audit/"' in manager, 'href="/settings/"' in manager, 'href="/staff/"' in manager) == (
        False,
        False,
        True,
    )
    assert ('href="/audit/"' in associate, 'href="/settings/"' in associate, 'href="/staff/"' in associate) == (
        False,
        False,
        False,
    )


# ---- tenancy: another store's ids are a 404 and nothing changes ------------------------------


def test_owner_cannot_touch_another_stores_staff_invitations_or_tokens(world, smtp, pending):
    owner = browser_client(world.a_owner)
    b_member = world.b_associate.membership.pk
    with scope(store=world.b):
        b_token = ApiToken.objects.get(membership=world.b_associate.membership).pk
    before = snapshot(world, smtp)
    requests = [
        (f"/staff/{b_member}/role/", {"role": "owner"}),
        (f"/staff/{b_member}/active/", {"active": "0"}),
        (f"/staff/{b_member}/active/", {"active": "0", "confirm": "1"}),
        (f"/staff/invitations/{pending['b'].pk}/resend/", {}),
        (f"/staff/invitations/{pending['b'].pk}/revoke/", {}),
        (f"/account/tokens/{b_token}/revoke/", {}),
        ("/account/store/", {"store": str(world.b.pk)}),
    ]
    statuses = [owner.post(path, data).status_code for path, data in requests]
    assert statuses == [404] * len(requests)
    assert snapshot(world, smtp) == before


def test_staff_page_lists_only_this_stores_people(world):
    html = browser_client(world.a_owner).get("/staff/").content.decode()
    for person in (world.a_owner, world.a_manager, world.a_associate):
        assert person.email in html
    for person in (world.b_owner, world.b_associate):
        assert person.email not in html
    assert world.outsider.email not in html


def test_a_colleagues_token_is_a_404_too(world, smtp):
    with scope(store=world.a):
        owners_token = ApiToken.objects.get(membership=world.a_owner.membership)
    before = snapshot(world, smtp)
    response = browser_client(world.a_associate).post(f"/account/tokens/{owners_token.pk}/revoke/")
    assert response.status_code == 404
    assert snapshot(world, smtp) == before


def test_unknown_ids_are_404(world, smtp):
    owner = browser_client(world.a_owner)
    assert owner.post("/staff/999999/role/", {"role": "owner"}).status_code == 404
    assert owner.post("/staff/invitations/999999/revoke/").status_code == 404
    assert owner.post("/account/tokens/999999/revoke/").status_code == 404


# ---- CSRF -----------------------------------------------------------------------------------

CSRF_FORMS = [
    ("/login/", {"email": "ana@atelier.example.com", "password": "x"}),
    ("/logout/", {}),
    ("/password-reset/", {"email": "ana@atelier.example.com"}),
    ("/account/password/", {"old_password": "x", "new_password": "y", "new_password_confirm": "y"}),
    ("/account/tokens/", {"name": "forged"}),
    ("/staff/invite/", {"email": "forged@example.com", "role": "owner"}),
    ("/settings/", {"name": "Forged"}),
]


@pytest.mark.parametrize("path,data", CSRF_FORMS, ids=[p for p, _d in CSRF_FORMS])
def test_forms_refuse_posts_without_a_csrf_token(world, smtp, path, data):
    client = Client(enforce_csrf_checks=True)
    client.force_login(world.a_owner.user)
    before = snapshot(world, smtp)
    response = client.post(path, data)
    assert response.status_code == 403
    assert "CSRF" in response.content.decode()
    assert snapshot(world, smtp) == before


def test_role_change_with_a_csrf_token_from_the_page_works(world):
    client = Client(enforce_csrf_checks=True)
    client.force_login(world.a_owner.user)
    client.get("/staff/")
    token = client.cookies["csrftoken"].value
    response = client.post(
        f"/staff/{world.a_associate.membership.pk}/role/", {"role": "manager", "csrfmiddlewaretoken": token}
    )
    assert response.status_code == 302


def _back_link(html: str) -> tuple[str, str]:
    """Where the 403 page's one button leads, and what it says."""
    found = re.findall(r'<a class="btn btn-secondary" href="([^"]*)">([^<]*)</a>', html)
    assert len(found) == 1, found
    return found[0]


@pytest.mark.parametrize(
    "path,referer,back",
    [
        # Opened by its address: back to the page the section starts from.
        ("/inbox/response-times/", None, ("/inbox/", "Back to the inbox")),
        ("/settings/", None, ("/customers/", "Back to customers")),
        # Followed from a page of this site: back to that page.
        ("/inbox/response-times/", "http://testserver/inbox/?view=all", ("/inbox/?view=all", "Back to the inbox")),
        ("/audit/", "http://testserver/customers/?q=ana", ("/customers/?q=ana", "Back to customers")),
        ("/staff/", "http://testserver/account/", ("/account/", "Go back")),
        # Another site's page, or the refused page itself, is not where the button leads.
        ("/inbox/response-times/", "https://elsewhere.example/inbox/x/", ("/inbox/", "Back to the inbox")),
        ("/settings/", "http://testserver/settings/", ("/customers/", "Back to customers")),
    ],
)
def test_a_refused_page_leads_back_where_the_associate_came_from(world, path, referer, back):
    headers = {"HTTP_REFERER": referer} if referer else {}
    response = browser_client(world.a_associate).get(path, **headers)
    assert response.status_code == 403
    assert _back_link(response.content.decode()) == back
