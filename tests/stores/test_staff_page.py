"""The staff page: the list, role changes, deactivation and what they do to access."""

from __future__ import annotations

from django_scopes import scope

from tests.conftest import api, browser_client
from trunkshow.core.models import AuditEntry
from trunkshow.stores.models import Membership


def roles_of(store) -> dict[str, tuple[str, bool]]:
    with scope(store=store):
        return {
            m.user.email: (m.role, m.is_active) for m in Membership.objects.filter(store=store).select_related("user")
        }


def test_staff_list_shows_names_emails_roles_and_status(world):
    with scope(store=world.a):
        Membership.objects.filter(pk=world.a_associate.membership.pk).update(is_active=False)
    html = browser_client(world.a_owner).get("/staff/").content.decode()
    assert "3 people" in html
    member = html[html.index(f'id="member-{world.a_associate.membership.pk}"') :]
    member = member[: member.index("</li>")]
    assert "Ali Associate" in member
    assert "ali@atelier.example.com" in member
    assert '<span class="tag">Associate</span>' in member
    assert "Deactivated" in member
    assert "Reactivate" in member


def test_manager_sees_the_list_but_no_role_or_deactivate_controls(world):
    html = browser_client(world.a_manager).get("/staff/").content.decode()
    assert "Ali Associate" in html
    assert "Invite someone" in html
    assert "Change role" not in html
    assert "Deactivate" not in html


def test_owner_promotes_an_associate_and_it_is_audited(world):
    response = browser_client(world.a_owner).post(
        f"/staff/{world.a_associate.membership.pk}/role/", {"role": "manager"}, REMOTE_ADDR="192.0.2.9"
    )
    assert response.status_code == 302
    assert roles_of(world.a)[world.a_associate.email] == ("manager", True)
    with scope(store=world.a):
        entry = AuditEntry.objects.get(action="trunkshow.staff.role_changed")
    assert (entry.actor_id, entry.ip, entry.data) == (
        world.a_owner.user.pk,
        "192.0.2.9",
        {"email": world.a_associate.email, "from": "associate", "to": "manager"},
    )


def test_last_owner_cannot_be_demoted_or_deactivated(world):
    owner = browser_client(world.a_owner)
    before = roles_of(world.a)
    demote = owner.post(f"/staff/{world.a_owner.membership.pk}/role/", {"role": "manager"})
    assert demote.status_code == 400
    assert "A store needs at least one owner; make someone else owner first." in demote.content.decode()
    deactivate = owner.post(f"/staff/{world.a_owner.membership.pk}/active/", {"active": "0", "confirm": "1"})
    assert deactivate.status_code == 400
    assert "A store needs at least one active owner." in deactivate.content.decode()
    assert roles_of(world.a) == before


def test_an_owner_can_step_down_once_there_is_another_owner(world):
    owner = browser_client(world.a_owner)
    owner.post(f"/staff/{world.a_manager.membership.pk}/role/", {"role": "owner"})
    assert owner.post(f"/staff/{world.a_owner.membership.pk}/role/", {"role": "manager"}).status_code == 302
    assert roles_of(world.a)[world.a_owner.email] == ("manager", True)
    # Now a manager: the owner-only page is closed to them.
    assert owner.get("/settings/").status_code == 403


def test_unknown_role_is_refused_with_the_reason(world):
    response = browser_client(world.a_owner).post(f"/staff/{world.a_associate.membership.pk}/role/", {"role": "boss"})
    assert response.status_code == 400
    assert "Unknown role “boss”: use owner, manager or associate." in response.content.decode()
    assert roles_of(world.a)[world.a_associate.email] == ("associate", True)


def test_deactivation_ends_the_persons_sessions_and_tokens_in_this_store_and_reactivation_restores_the_session(world):
    session = browser_client(world.a_associate)
    token_client = api(world.a_associate)
    assert token_client.get("/api/v1/store").status_code == 200
    owner = browser_client(world.a_owner)

    assert (
        owner.post(f"/staff/{world.a_associate.membership.pk}/active/", {"active": "0", "confirm": "1"}).status_code
        == 302
    )
    assert roles_of(world.a)[world.a_associate.email] == ("associate", False)
    assert session.get("/account/").status_code == 403
    assert token_client.get("/api/v1/store").status_code == 401

    assert owner.post(f"/staff/{world.a_associate.membership.pk}/active/", {"active": "1"}).status_code == 302
    assert session.get("/account/").status_code == 200
    # Revoked tokens stay revoked; the person creates a new one.
    assert token_client.get("/api/v1/store").status_code == 401
    with scope(store=world.a):
        actions = list(
            AuditEntry.objects.filter(action__startswith="trunkshow.staff.")
            .order_by("id")
            .values_list("action", flat=True)
        )
    assert actions[-2:] == ["trunkshow.staff.deactivated", "trunkshow.staff.reactivated"]


def test_deactivate_asks_first_naming_the_person_and_changes_nothing_until_confirmed(world):
    owner = browser_client(world.a_owner)
    url = f"/staff/{world.a_associate.membership.pk}/active/"
    asked = owner.post(url, {"active": "0"})
    assert asked.status_code == 200
    html = asked.content.decode()
    name = world.a_associate.membership.user.display_name
    assert f"<h1>Deactivate {name}?</h1>" in html
    assert f'action="{url}"' in html
    assert '<input type="hidden" name="confirm" value="1">' in html
    assert 'href="/staff/">Cancel</a>' in html
    assert roles_of(world.a)[world.a_associate.email] == ("associate", True)
    with scope(store=world.a):
        assert not AuditEntry.objects.filter(action="trunkshow.staff.deactivated").exists()
    assert owner.post(url, {"active": "0", "confirm": "1"}).status_code == 302
    assert roles_of(world.a)[world.a_associate.email] == ("associate", False)


def test_another_stores_staff_member_is_a_404_at_the_confirmation_too(world):
    owner = browser_client(world.a_owner)
    url = f"/staff/{world.b_associate.membership.pk}/active/"
    assert owner.post(url, {"active": "0"}).status_code == 404
    assert owner.post(url, {"active": "0", "confirm": "1"}).status_code == 404
    assert roles_of(world.b)[world.b_associate.email] == ("associate", True)


def test_names_with_markup_are_shown_as_text(world):
    world.a_associate.user.name = '<img src=x onerror="alert(1)">'
    world.a_associate.user.save()
    html = browser_client(world.a_owner).get("/staff/").content.decode()
    assert '<img src=x onerror="alert(1)">' not in html
    assert "&lt;img src=x onerror=&quot;alert(1)&quot;&gt;" in html


def test_person_in_two_stores_switches_between_them_on_the_account_page(world):
    from django_scopes import scopes_disabled

    from trunkshow.stores.services import staff_create

    with scopes_disabled():
        staff_create(store=world.b, email=world.a_manager.email, role="owner")
    client = browser_client(world.a_manager)
    account = client.get("/account/").content.decode()
    assert "Switch to Bijoux Berger" in account
    response = client.post("/account/store/", {"store": str(world.b.pk)})
    assert response.status_code == 302
    assert response["Location"] == "/inbox/"
    staff = client.get("/staff/").content.decode()
    assert world.b_owner.email in staff
    assert world.a_owner.email not in staff
    # And the owner-only pages follow the role held in that store.
    assert client.get("/settings/").status_code == 200
