"""Password reset by email (through a real SMTP server) and password change on the account page."""

from __future__ import annotations

from django.conf import settings
from django.core.cache import cache
from django.test import Client, override_settings
from django_scopes import scope

from tests.conftest import PASSWORD, api, browser_client
from tests.stores.conftest import body_of, link_path
from trunkshow.core.models import AuditEntry
from trunkshow.stores.models import LoginFailure, User
from trunkshow.stores.services import staff_create

NEW_PASSWORD = "emerald cut, platinum band 1962"


def request_reset(email: str, ip: str = "198.51.100.8"):
    return Client().post("/password-reset/", {"email": email}, REMOTE_ADDR=ip)


def test_reset_email_arrives_and_its_link_sets_a_new_password(world, smtp):
    cache.clear()
    response = request_reset("ANA@atelier.example.com")
    assert response.status_code == 302
    assert response["Location"] == "/password-reset/sent/"
    assert smtp.recipients == [["ana@atelier.example.com"]]
    message = smtp.messages[0]
    assert message["Subject"] == "Reset your Trunkshow password"
    assert message["From"] == settings.DEFAULT_FROM_EMAIL
    assert "Hello Ana Owner," in body_of(message)

    client = Client()
    path = link_path(message)
    opened = client.get(path)
    assert opened.status_code == 302  # Django moves the token out of the URL into the session
    form = client.get(opened["Location"])
    assert form.status_code == 200
    assert "Choose a new password" in form.content.decode()
    done = client.post(opened["Location"], {"new_password": NEW_PASSWORD, "new_password_confirm": NEW_PASSWORD})
    assert done.status_code == 302
    assert done["Location"] == "/password-reset/done/"

    assert Client().post("/login/", {"email": "ana@atelier.example.com", "password": PASSWORD}).status_code == 400
    assert Client().post("/login/", {"email": "ana@atelier.example.com", "password": NEW_PASSWORD}).status_code == 302
    # The link worked once.
    again = Client().get(path)
    assert "This link no longer works" in again.content.decode()


def test_staff_added_without_a_password_sets_one_through_the_reset_link(world, smtp):
    """production.md: `createstaff --no-password`, then "Forgot password?" on the login page.
    Django's reset form skips accounts without a usable password; ours must not, or that owner
    can never log in."""
    cache.clear()
    staff_create(store=world.a, email="cy@atelier.example.com", role="owner", name="Cy", password=None)
    assert User.objects.get(email="cy@atelier.example.com").has_usable_password() is False
    assert request_reset("cy@atelier.example.com")["Location"] == "/password-reset/sent/"
    assert smtp.recipients == [["cy@atelier.example.com"]]

    client = Client()
    opened = client.get(link_path(smtp.messages[0]))
    assert opened.status_code == 302
    done = client.post(opened["Location"], {"new_password": NEW_PASSWORD, "new_password_confirm": NEW_PASSWORD})
    assert done["Location"] == "/password-reset/done/"
    assert Client().post("/login/", {"email": "cy@atelier.example.com", "password": NEW_PASSWORD}).status_code == 302


def test_reset_sends_nothing_to_a_deactivated_login(world, smtp):
    cache.clear()
    User.objects.filter(pk=world.a_owner.user.pk).update(is_active=False)
    assert request_reset(world.a_owner.email)["Location"] == "/password-reset/sent/"
    assert smtp.recipients == []


def test_reset_for_an_unknown_email_answers_the_same_and_sends_nothing(world, smtp):
    cache.clear()
    known = request_reset(world.a_owner.email)
    unknown = request_reset("nobody@nowhere.example")
    assert (
        (known.status_code, known["Location"])
        == (unknown.status_code, unknown["Location"])
        == (302, "/password-reset/sent/")
    )
    assert smtp.recipients == [[world.a_owner.email]]


def test_reset_request_is_audited_in_the_users_stores(world, smtp):
    cache.clear()
    request_reset(world.a_manager.email, ip="192.0.2.77")
    with scope(store=world.a):
        entry = AuditEntry.objects.get(action="trunkshow.auth.password_reset_requested")
    assert (entry.store_id, entry.ip, entry.data) == (world.a.pk, "192.0.2.77", {"email": world.a_manager.email})


def test_reset_emails_are_limited_per_address_per_hour(world, smtp):
    cache.clear()
    answers = [request_reset(world.a_owner.email)["Location"] for _ in range(5)]
    assert answers == ["/password-reset/sent/"] * 5
    assert len(smtp.messages) == 3


def test_reset_link_refuses_a_weak_password_with_the_reason(world, smtp):
    cache.clear()
    request_reset(world.a_owner.email)
    client = Client()
    opened = client.get(link_path(smtp.messages[0]))
    response = client.post(opened["Location"], {"new_password": "password1", "new_password_confirm": "password1"})
    assert response.status_code == 200
    html = response.content.decode()
    assert "This password is too common." in html
    assert "This password is too short. It must contain at least 10 characters." in html
    world.a_owner.user.refresh_from_db()
    assert world.a_owner.user.check_password(PASSWORD)


@override_settings(LOGIN_MAX_FAILURES_PER_ACCOUNT=2)
def test_completed_reset_lifts_the_accounts_login_throttle(world, smtp):
    cache.clear()
    for _ in range(2):
        Client().post("/login/", {"email": world.a_owner.email, "password": "guess"})
    assert Client().post("/login/", {"email": world.a_owner.email, "password": PASSWORD}).status_code == 429
    request_reset(world.a_owner.email)
    client = Client()
    opened = client.get(link_path(smtp.messages[0]))
    client.post(opened["Location"], {"new_password": NEW_PASSWORD, "new_password_confirm": NEW_PASSWORD})
    assert LoginFailure.objects.filter(email=world.a_owner.email).count() == 0
    assert Client().post("/login/", {"email": world.a_owner.email, "password": NEW_PASSWORD}).status_code == 302


@override_settings(
    LOGIN_MAX_FAILURES_PER_ACCOUNT=5, LOGIN_MAX_FAILURES_PER_ADDRESS=20, LOGIN_FAILURE_WINDOW_SECONDS=900
)
def test_completed_reset_lets_the_account_past_its_shared_addresss_throttle(world, smtp):
    """Staff of one shop share an address: 20 failures by others pause it, and the page tells
    the person a reset gets them back in at once. It does, for them only."""
    cache.clear()
    shop = "203.0.113.40"
    for i in range(20):
        Client().post("/login/", {"email": f"typo{i}@atelier.example.com", "password": "x"}, REMOTE_ADDR=shop)
    paused = Client().post("/login/", {"email": world.a_owner.email, "password": PASSWORD}, REMOTE_ADDR=shop)
    assert paused.status_code == 429
    assert "You can reset your password to get back in at once." in paused.content.decode()

    request_reset(world.a_owner.email, ip=shop)
    client = Client()
    opened = client.get(link_path(smtp.messages[0]), REMOTE_ADDR=shop)
    done = client.post(
        opened["Location"], {"new_password": NEW_PASSWORD, "new_password_confirm": NEW_PASSWORD}, REMOTE_ADDR=shop
    )
    assert done["Location"] == "/password-reset/done/"
    back_in = Client().post("/login/", {"email": world.a_owner.email, "password": NEW_PASSWORD}, REMOTE_ADDR=shop)
    assert (back_in.status_code, back_in["Location"]) == (302, "/inbox/")
    # Everyone else at that address is still paused: spraying accounts from it stays stopped.
    other = Client().post("/login/", {"email": world.a_manager.email, "password": PASSWORD}, REMOTE_ADDR=shop)
    assert other.status_code == 429


def test_reset_ends_every_session_of_the_user(world, smtp):
    cache.clear()
    elsewhere = browser_client(world.a_owner)
    assert elsewhere.get("/account/").status_code == 200
    request_reset(world.a_owner.email)
    client = Client()
    opened = client.get(link_path(smtp.messages[0]))
    client.post(opened["Location"], {"new_password": NEW_PASSWORD, "new_password_confirm": NEW_PASSWORD})
    assert elsewhere.get("/account/")["Location"] == "/login/?next=/account/"


# ---- change on the account page -------------------------------------------------------------


def change(client: Client, old: str, new: str, again: str | None = None):
    return client.post(
        "/account/password/",
        {"old_password": old, "new_password": new, "new_password_confirm": new if again is None else again},
    )


def test_password_change_keeps_this_session_and_ends_the_others(world):
    here = Client()
    here.post("/login/", {"email": world.a_associate.email, "password": PASSWORD})
    there = Client()
    there.post("/login/", {"email": world.a_associate.email, "password": PASSWORD})
    response = change(here, PASSWORD, NEW_PASSWORD)
    assert response.status_code == 302
    assert response["Location"] == "/account/"
    assert here.get("/account/").status_code == 200
    assert there.get("/account/")["Location"] == "/login/?next=/account/"
    with scope(store=world.a):
        entry = AuditEntry.objects.get(action="trunkshow.auth.password_changed")
    assert (entry.actor_id, entry.data) == (world.a_associate.user.pk, {"via": "account", "tokens_revoked": 1})


def test_password_change_revokes_the_users_api_tokens(world):
    assert api(world.a_associate).get("/api/v1/store").status_code == 200
    here = Client()
    here.post("/login/", {"email": world.a_associate.email, "password": PASSWORD})
    change(here, PASSWORD, NEW_PASSWORD)
    response = api(world.a_associate).get("/api/v1/store")
    assert response.status_code == 401
    assert response.json()["error"]["message"] == "The API token has been revoked."
    assert api(world.a_owner).get("/api/v1/store").status_code == 200


def test_password_change_needs_the_current_password(world):
    client = browser_client(world.a_owner)
    response = change(client, "not my password", NEW_PASSWORD)
    assert response.status_code == 400
    assert "That is not your current password." in response.content.decode()
    world.a_owner.user.refresh_from_db()
    assert world.a_owner.user.check_password(PASSWORD)


def test_password_change_refuses_weak_and_mismatched_passwords_with_reasons(world):
    client = browser_client(world.a_owner)
    weak = change(client, PASSWORD, "12345678901")
    assert weak.status_code == 400
    assert "This password is entirely numeric." in weak.content.decode()
    similar = change(client, PASSWORD, "ana@atelier.example.com")
    assert "The password is too similar to the email." in similar.content.decode()
    mismatch = change(client, PASSWORD, NEW_PASSWORD, again=NEW_PASSWORD + "!")
    assert "The two passwords differ; type the same one twice." in mismatch.content.decode()
    world.a_owner.user.refresh_from_db()
    assert world.a_owner.user.check_password(PASSWORD)


def test_long_unicode_passwords_are_kept_whole(world):
    long_password = "Ünïcødé pässphrase ✨ " * 40  # 840 characters
    client = browser_client(world.a_owner)
    assert change(client, PASSWORD, long_password).status_code == 302
    assert Client().post("/login/", {"email": world.a_owner.email, "password": long_password[:-1]}).status_code == 400
    assert Client().post("/login/", {"email": world.a_owner.email, "password": long_password}).status_code == 302
