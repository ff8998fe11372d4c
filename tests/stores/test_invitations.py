"""Staff invitations, end to end through a real SMTP server: invite, follow the link, join."""

from __future__ import annotations

import datetime as dt

import time_machine
from django.conf import settings
from django.test import Client
from django.utils import timezone
from django_scopes import scope, scopes_disabled

from tests.conftest import PASSWORD, browser_client
from tests.stores.conftest import body_of, link_path
from trunkshow.core.models import AuditEntry
from trunkshow.stores.models import Invitation, Membership, User

JOIN_PASSWORD = "old mine cut diamonds 1890"


def invite(client: Client, email: str, role: str = "associate"):
    return client.post("/staff/invite/", {"email": email, "role": role}, REMOTE_ADDR="192.0.2.10")


def invitations(store) -> list[tuple[str, str]]:
    with scope(store=store):
        return list(Invitation.objects.filter(store=store).order_by("id").values_list("email", "role"))


def test_new_person_is_invited_follows_the_link_sets_a_password_and_logs_in(world, smtp):
    response = invite(browser_client(world.a_owner), "Nina.New@Example.com", "manager")
    assert response.status_code == 302
    assert response["Location"] == "/staff/"
    assert smtp.recipients == [["nina.new@example.com"]]
    message = smtp.messages[0]
    assert message["Subject"] == "Join Atelier Ana on Trunkshow"
    assert message["To"] == "nina.new@example.com"
    assert "Ana Owner invites you to join Atelier Ana on Trunkshow as Manager." in body_of(message)
    assert "The link works once, for 7 days." in body_of(message)
    assert body_of(message).count(settings.PUBLIC_URL + "/join/") == 1

    path = link_path(message)
    visitor = Client()
    page = visitor.get(path)
    assert page.status_code == 200
    html = page.content.decode()
    assert "Join Atelier Ana" in html
    assert "Ana Owner invited you to Atelier Ana as Manager." in html
    assert 'value="nina.new@example.com" readonly' in html

    joined = visitor.post(
        path, {"name": "Nina New", "new_password": JOIN_PASSWORD, "new_password_confirm": JOIN_PASSWORD}
    )
    assert joined.status_code == 302
    assert joined["Location"] == "/inbox/"
    assert visitor.get("/account/").status_code == 200  # logged in as Nina, in Atelier Ana
    with scope(store=world.a):
        membership = Membership.objects.select_related("user").get(user__email="nina.new@example.com")
        entry = AuditEntry.objects.get(action="trunkshow.staff.joined")
    assert (membership.role, membership.user.name, membership.is_active) == ("manager", "Nina New", True)
    assert (entry.actor_id, entry.data) == (
        membership.user_id,
        {"email": "nina.new@example.com", "role": "manager", "invited_by": world.a_owner.email},
    )
    # And she logs in with her own password later.
    assert Client().post("/login/", {"email": "nina.new@example.com", "password": JOIN_PASSWORD}).status_code == 302
    # The link worked once.
    assert Client().get(path).status_code == 410


def test_invitation_is_audited_with_the_inviter_and_address(world, smtp):
    invite(browser_client(world.a_manager), "sam@example.com")
    with scope(store=world.a):
        entry = AuditEntry.objects.get(action="trunkshow.staff.invited")
    assert (entry.actor_id, entry.ip, entry.data) == (
        world.a_manager.user.pk,
        "192.0.2.10",
        {"email": "sam@example.com", "role": "associate"},
    )


def test_only_the_tokens_hash_is_stored(world, smtp):
    invite(browser_client(world.a_owner), "hash@example.com")
    raw = link_path(smtp.messages[0]).rstrip("/").rsplit("/", 1)[1]
    with scope(store=world.a):
        invitation = Invitation.objects.get(email="hash@example.com")
    assert raw not in invitation.token_hash
    assert len(invitation.token_hash) == 64
    assert invitation.expires_at - invitation.created_at == dt.timedelta(days=7)


def test_join_form_refuses_a_weak_password_and_a_missing_name_and_creates_nothing(world, smtp):
    invite(browser_client(world.a_owner), "weak@example.com")
    path = link_path(smtp.messages[0])
    response = Client().post(
        path, {"name": "", "new_password": "weak@example.com", "new_password_confirm": "weak@example.com"}
    )
    assert response.status_code == 400
    html = response.content.decode()
    assert "Enter your name as colleagues should see it." in html
    response = Client().post(path, {"name": "Wendy", "new_password": "password", "new_password_confirm": "password"})
    assert response.status_code == 400
    assert "This password is too common." in response.content.decode()
    assert User.objects.filter(email="weak@example.com").count() == 0
    assert Client().get(path).status_code == 200  # still usable


def test_existing_user_logs_in_first_then_joins(world, smtp):
    invite(browser_client(world.b_owner), world.a_associate.email, "associate")
    path = link_path(smtp.messages[0])
    anonymous = Client().get(path)
    assert f"{world.a_associate.email} already has a Trunkshow login. Log in to join." in anonymous.content.decode()
    assert Client().post(path)["Location"] == f"/login/?next={path}"

    client = Client()
    logged_in = client.post("/login/", {"email": world.a_associate.email, "password": PASSWORD, "next": path})
    assert logged_in["Location"] == path
    joined = client.post(path)
    assert joined.status_code == 302
    with scopes_disabled():
        stores = sorted(Membership.objects.filter(user=world.a_associate.user).values_list("store__slug", flat=True))
    assert stores == ["atelier", "bijoux"]
    # The session now works in the store just joined.
    assert "Bijoux Berger" in client.get("/account/").content.decode()


def test_another_logged_in_user_cannot_use_someone_elses_invitation(world, smtp):
    invite(browser_client(world.a_owner), "intended@example.com")
    path = link_path(smtp.messages[0])
    intruder = browser_client(world.b_associate)
    page = intruder.get(path)
    assert "but you are logged in as bo@bijoux.example.org" in page.content.decode()
    response = intruder.post(path, {"name": "Bo", "new_password": JOIN_PASSWORD, "new_password_confirm": JOIN_PASSWORD})
    assert response.status_code == 400
    with scope(store=world.a):
        assert Membership.objects.filter(store=world.a, user=world.b_associate.user).count() == 0


def test_existing_user_invitation_cannot_be_taken_by_another_login(world, smtp):
    invite(browser_client(world.b_owner), world.a_manager.email)
    path = link_path(smtp.messages[0])
    response = browser_client(world.a_owner).post(path)
    assert response.status_code == 400
    assert (
        "This invitation was sent to max@atelier.example.com, but you are logged in as ana@atelier.example.com."
        in response.content.decode()
    )


def test_manager_cannot_invite_an_owner(world, smtp):
    response = invite(browser_client(world.a_manager), "boss@example.com", "owner")
    assert response.status_code == 403
    assert (
        "Managers can invite associates and managers; only an owner can invite an owner." in response.content.decode()
    )
    assert invitations(world.a) == []
    assert smtp.messages == []


def test_manager_sees_only_the_roles_they_may_invite(world):
    html = browser_client(world.a_manager).get("/staff/").content.decode()
    form = html[html.index('name="role"') : html.index("</select>", html.index('name="role"'))]
    assert 'value="associate"' in form
    assert 'value="manager"' in form
    assert 'value="owner"' not in form


def test_inviting_existing_staff_or_twice_is_refused_with_the_reason(world, smtp):
    owner = browser_client(world.a_owner)
    response = invite(owner, world.a_associate.email)
    assert response.status_code == 400
    assert "ali@atelier.example.com is already on the staff of Atelier Ana." in response.content.decode()
    assert invite(owner, "twice@example.com").status_code == 302
    again = invite(owner, "twice@example.com")
    assert again.status_code == 400
    assert (
        "twice@example.com has already been invited; resend the invitation from the list below."
        in again.content.decode()
    )
    assert invitations(world.a) == [("twice@example.com", "associate")]


def test_bad_email_and_unknown_role_get_specific_errors(world, smtp):
    owner = browser_client(world.a_owner)
    bad = invite(owner, "not an email")
    assert bad.status_code == 400
    assert "is not a valid email address" in bad.content.decode()
    role = invite(owner, "ok@example.com", "jeweller")
    assert role.status_code == 400
    assert "Unknown role “jeweller”: use owner, manager or associate." in role.content.decode()
    assert invitations(world.a) == []
    assert smtp.messages == []


def test_invitation_is_not_saved_when_the_mail_server_is_down(world, dead_smtp):
    response = invite(browser_client(world.a_owner), "lost@example.com")
    assert response.status_code == 400
    assert "The invitation email could not be sent" in response.content.decode()
    assert invitations(world.a) == []


def test_resend_sends_a_new_link_and_the_old_one_stops_working(world, smtp):
    owner = browser_client(world.a_owner)
    invite(owner, "again@example.com")
    first = link_path(smtp.messages[0])
    with scope(store=world.a):
        invitation = Invitation.objects.get(email="again@example.com")
    response = owner.post(f"/staff/invitations/{invitation.pk}/resend/")
    assert response.status_code == 302
    assert smtp.recipients == [["again@example.com"], ["again@example.com"]]
    second = link_path(smtp.messages[1])
    assert first != second
    assert Client().get(first).status_code == 404
    assert Client().get(second).status_code == 200


def test_revoked_invitation_link_no_longer_works(world, smtp):
    owner = browser_client(world.a_owner)
    invite(owner, "gone@example.com")
    path = link_path(smtp.messages[0])
    with scope(store=world.a):
        invitation = Invitation.objects.get(email="gone@example.com")
    assert owner.post(f"/staff/invitations/{invitation.pk}/revoke/").status_code == 302
    page = Client().get(path)
    assert page.status_code == 410
    assert "It was withdrawn by the store." in page.content.decode()
    posted = Client().post(path, {"name": "G", "new_password": JOIN_PASSWORD, "new_password_confirm": JOIN_PASSWORD})
    assert posted.status_code == 410
    assert User.objects.filter(email="gone@example.com").count() == 0
    with scope(store=world.a):
        assert AuditEntry.objects.filter(action="trunkshow.staff.invitation_revoked").count() == 1


def test_invitation_expires_after_seven_days_and_can_be_resent(world, smtp):
    owner = browser_client(world.a_owner)
    start = timezone.now()
    with time_machine.travel(start, tick=False):
        invite(owner, "late@example.com")
    path = link_path(smtp.messages[0])
    with time_machine.travel(start + dt.timedelta(days=6, hours=23), tick=False):
        assert Client().get(path).status_code == 200
    with time_machine.travel(start + dt.timedelta(days=7, minutes=1), tick=False):
        page = Client().get(path)
        assert page.status_code == 410
        assert "It has expired" in page.content.decode()
        assert "Expired" in owner.get("/staff/").content.decode()
        with scope(store=world.a):
            invitation = Invitation.objects.get(email="late@example.com")
        owner.post(f"/staff/invitations/{invitation.pk}/resend/")
        assert Client().get(link_path(smtp.messages[1])).status_code == 200


def test_manager_cannot_resend_or_revoke_an_owners_invitation(world, smtp):
    invite(browser_client(world.a_owner), "co-owner@example.com", "owner")
    with scope(store=world.a):
        invitation = Invitation.objects.get(email="co-owner@example.com")
    manager = browser_client(world.a_manager)
    assert manager.post(f"/staff/invitations/{invitation.pk}/resend/").status_code == 403
    assert manager.post(f"/staff/invitations/{invitation.pk}/revoke/").status_code == 403
    invitation.refresh_from_db()
    assert (invitation.revoked_at, len(smtp.messages)) == (None, 1)


def test_unknown_link_is_a_404(db):
    response = Client().get("/join/not-a-real-token/")
    assert response.status_code == 404
    assert "This invitation link does not work" in response.content.decode()


def test_the_invitations_expiry_is_shown_to_the_minute_without_seconds(world, smtp):
    owner = browser_client(world.a_owner)
    # Seven days on, 03:04:09 UTC on Dec 2 is 10:04:09 PM on Dec 1 in New York (EST), the store's zone.
    with time_machine.travel(dt.datetime(2026, 11, 25, 3, 4, 9, tzinfo=dt.UTC), tick=False):
        invite(owner, "soon@example.com")
        html = owner.get("/staff/").content.decode()
    assert "Link works until Dec 1, 2026, 10:04\u202fPM" in html
    assert "10:04:09" not in html
