"""Logging in and out: sessions, safe redirects, identical answers, throttling, the audit trail."""

from __future__ import annotations

import datetime as dt
import re

import time_machine
from django.conf import settings
from django.test import Client, override_settings
from django.utils import timezone
from django_scopes import scope, scopes_disabled

from tests.conftest import PASSWORD, browser_client
from trunkshow.core.models import AuditEntry
from trunkshow.stores.models import LoginFailure, Membership

BAD_ANSWER = "That email and password do not match. Check both, or reset your password."


def post_login(
    client: Client, email: str, password: str, ip: str = "203.0.113.7", next: str | None = None, **meta: str
):
    data = {"email": email, "password": password} | ({"next": next} if next is not None else {})
    return client.post("/login/", data, REMOTE_ADDR=ip, **meta)


def page_text(response) -> str:
    return response.content.decode()


def comparable(response, email: str) -> str:
    """The page without what must differ: the CSRF token and the email the person typed."""
    text = re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "", page_text(response))
    return text.replace(email, "EMAIL")


def test_login_page_has_labelled_email_and_password_fields(client, db):
    response = client.get("/login/")
    assert response.status_code == 200
    html = page_text(response)
    assert '<label for="id_email">Email</label>' in html
    assert 'type="email" name="email"' in html
    assert 'autocomplete="username"' in html
    assert 'type="password" name="password"' in html
    assert 'autocomplete="current-password"' in html


def test_owner_logs_in_and_lands_on_the_customer_list(world):
    client = Client()
    response = post_login(client, "ana@atelier.example.com", PASSWORD)
    assert response.status_code == 302
    assert response["Location"] == "/inbox/"
    assert int(client.session["_auth_user_id"]) == world.a_owner.user.pk


def test_email_is_matched_without_regard_to_case_or_spaces(world):
    response = post_login(Client(), "  Ana@Atelier.Example.COM ", PASSWORD)
    assert response.status_code == 302
    assert response["Location"] == "/inbox/"


def test_login_rotates_the_session_key(world):
    client = Client()
    client.get("/login/")
    session = client.session
    session["before_login"] = "yes"
    session.save()
    before = session.session_key
    post_login(client, world.a_owner.email, PASSWORD)
    after = client.cookies[settings.SESSION_COOKIE_NAME].value
    assert before != after
    assert client.session["before_login"] == "yes"


def test_login_follows_a_safe_next_and_ignores_another_host(world):
    response = post_login(Client(), world.a_owner.email, PASSWORD, next="/staff/")
    assert response["Location"] == "/staff/"
    response = post_login(Client(), world.a_owner.email, PASSWORD, next="https://evil.example/steal")
    assert response["Location"] == "/inbox/"
    response = post_login(Client(), world.a_owner.email, PASSWORD, next="//evil.example/")
    assert response["Location"] == "/inbox/"


def test_wrong_password_and_unknown_email_get_the_same_answer(world):
    known = post_login(Client(), world.a_owner.email, "not the password")
    unknown = post_login(Client(), "nobody@nowhere.example", "not the password")
    malformed = post_login(Client(), "not-an-email", "not the password")
    for response in (known, unknown, malformed):
        assert response.status_code == 400
        assert BAD_ANSWER in page_text(response)
    assert comparable(known, world.a_owner.email) == comparable(unknown, "nobody@nowhere.example")


def test_empty_fields_are_named(db):
    response = Client().post("/login/", {"email": "", "password": ""})
    assert response.status_code == 400
    assert "Enter your email address." in page_text(response)
    assert "Enter your password." in page_text(response)
    assert LoginFailure.objects.count() == 0


def test_failed_login_of_a_known_user_is_audited_in_each_of_their_stores(world):
    from trunkshow.stores.services import staff_create

    with scopes_disabled():
        staff_create(store=world.b, email=world.a_manager.email, role="associate")
    post_login(Client(), world.a_manager.email, "wrong password", ip="198.51.100.4")
    with scopes_disabled():
        entries = list(AuditEntry.objects.filter(action="trunkshow.auth.login_failed").order_by("store__slug"))
    assert [(e.store.slug, e.ip, e.data, e.actor_id) for e in entries] == [
        ("atelier", "198.51.100.4", {"email": world.a_manager.email}, None),
        ("bijoux", "198.51.100.4", {"email": world.a_manager.email}, None),
    ]


def test_failed_login_of_an_unknown_email_writes_no_audit_entry(world):
    post_login(Client(), "stranger@nowhere.example", "whatever")
    with scopes_disabled():
        assert AuditEntry.objects.filter(action="trunkshow.auth.login_failed").count() == 0
    assert list(LoginFailure.objects.values_list("email", "ip")) == [("stranger@nowhere.example", "203.0.113.7")]


def test_inactive_login_fails_like_a_wrong_password(world):
    world.a_associate.user.is_active = False
    world.a_associate.user.save()
    response = post_login(Client(), world.a_associate.email, PASSWORD)
    assert response.status_code == 400
    assert BAD_ANSWER in page_text(response)


def test_person_without_a_store_sees_that_they_have_no_access(world):
    client = Client()
    response = post_login(client, world.outsider.email, PASSWORD)
    assert response["Location"] == "/no-access/"
    page = client.get("/no-access/")
    assert page.status_code == 403
    assert "You have no store access" in page_text(page)
    assert world.outsider.email in page_text(page)
    # Every store page says the same, not a crash or another store's data.
    assert client.get("/staff/").status_code == 403
    assert "You have no store access" in page_text(client.get("/account/"))


def test_deactivated_member_loses_access_at_the_next_request(world):
    client = browser_client(world.a_associate)
    assert client.get("/account/").status_code == 200
    with scope(store=world.a):
        Membership.objects.filter(pk=world.a_associate.membership.pk).update(is_active=False)
    response = client.get("/account/")
    assert response.status_code == 403
    assert "You have no store access" in page_text(response)


def test_logout_needs_a_post_and_ends_the_session(world):
    client = browser_client(world.a_owner)
    assert client.get("/logout/").status_code == 405
    response = client.post("/logout/")
    assert response.status_code == 302
    assert response["Location"] == "/login/"
    assert client.get("/account/")["Location"] == "/login/?next=/account/"


def test_store_pages_send_anonymous_visitors_to_login(db):
    for path in ("/account/", "/staff/", "/settings/", "/audit/"):
        response = Client().get(path)
        assert response.status_code == 302
        assert response["Location"] == f"/login/?next={path}"


# ---- throttling ---------------------------------------------------------------------------


@override_settings(
    LOGIN_MAX_FAILURES_PER_ACCOUNT=3, LOGIN_MAX_FAILURES_PER_ADDRESS=100, LOGIN_FAILURE_WINDOW_SECONDS=600
)
def test_account_is_throttled_after_repeated_failures_from_many_addresses(world):
    email = world.a_owner.email
    answers = [post_login(Client(), email, "guess", ip=f"198.51.100.{i}").status_code for i in range(1, 4)]
    assert answers == [400, 400, 429]
    # Even the right password waits: the throttle is decided before the password is checked.
    response = post_login(Client(), email, PASSWORD, ip="192.0.2.50")
    assert response.status_code == 429
    assert 1 <= int(response["Retry-After"]) <= 600
    assert "Too many failed attempts" in page_text(response)
    assert "paused for 10 minutes" in page_text(response)
    # Attempts while throttled are not counted, so the throttle does not grow.
    assert LoginFailure.objects.filter(email=email).count() == 3
    # Another account from the same addresses is not affected.
    assert post_login(Client(), world.a_manager.email, PASSWORD, ip="198.51.100.1").status_code == 302


@override_settings(
    LOGIN_MAX_FAILURES_PER_ACCOUNT=3, LOGIN_MAX_FAILURES_PER_ADDRESS=100, LOGIN_FAILURE_WINDOW_SECONDS=600
)
def test_account_throttle_expires_after_the_window(world):
    email = world.a_owner.email
    start = timezone.now()
    with time_machine.travel(start, tick=False):
        for _ in range(3):
            post_login(Client(), email, "guess")
        assert post_login(Client(), email, PASSWORD).status_code == 429
    with time_machine.travel(start + dt.timedelta(seconds=599), tick=False):
        response = post_login(Client(), email, PASSWORD)
        assert response.status_code == 429
        assert response["Retry-After"] == "1"
    with time_machine.travel(start + dt.timedelta(seconds=601), tick=False):
        assert post_login(Client(), email, PASSWORD).status_code == 302
        # A success clears the account's failures.
        assert LoginFailure.objects.filter(email=email).count() == 0


@override_settings(
    LOGIN_MAX_FAILURES_PER_ACCOUNT=100, LOGIN_MAX_FAILURES_PER_ADDRESS=4, LOGIN_FAILURE_WINDOW_SECONDS=900
)
def test_address_is_throttled_after_failures_across_many_accounts(world):
    ip = "203.0.113.99"
    answers = [post_login(Client(), f"guess{i}@atelier.example.com", "x", ip=ip).status_code for i in range(4)]
    assert answers == [400, 400, 400, 429]
    response = post_login(Client(), world.a_owner.email, PASSWORD, ip=ip)
    assert response.status_code == 429
    assert 890 <= int(response["Retry-After"]) <= 900
    # The same account from another address logs in.
    assert post_login(Client(), world.a_owner.email, PASSWORD, ip="203.0.113.100").status_code == 302


@override_settings(
    LOGIN_MAX_FAILURES_PER_ACCOUNT=100, LOGIN_MAX_FAILURES_PER_ADDRESS=2, LOGIN_FAILURE_WINDOW_SECONDS=60
)
def test_address_throttle_expires_after_the_window(world):
    ip = "203.0.113.5"
    start = timezone.now()
    with time_machine.travel(start, tick=False):
        post_login(Client(), "a@x.example", "x", ip=ip)
        post_login(Client(), "b@x.example", "x", ip=ip)
        assert post_login(Client(), world.a_owner.email, PASSWORD, ip=ip).status_code == 429
    with time_machine.travel(start + dt.timedelta(seconds=61), tick=False):
        assert post_login(Client(), world.a_owner.email, PASSWORD, ip=ip).status_code == 302


@override_settings(
    LOGIN_MAX_FAILURES_PER_ACCOUNT=2, LOGIN_MAX_FAILURES_PER_ADDRESS=100, LOGIN_FAILURE_WINDOW_SECONDS=300
)
def test_throttle_answer_is_the_same_for_known_and_unknown_emails(world):
    start = timezone.now()
    with time_machine.travel(start, tick=False):
        for email in (world.a_owner.email, "ghost@atelier.example.com"):
            post_login(Client(), email, "x", ip="198.51.100.1")
            post_login(Client(), email, "x", ip="198.51.100.2")
        known = post_login(Client(), world.a_owner.email, "x", ip="198.51.100.3")
        unknown = post_login(Client(), "ghost@atelier.example.com", "x", ip="198.51.100.3")
    assert known.status_code == unknown.status_code == 429
    assert known["Retry-After"] == unknown["Retry-After"] == "300"
    assert comparable(known, world.a_owner.email) == comparable(unknown, "ghost@atelier.example.com")


@override_settings(LOGIN_MAX_FAILURES_PER_ACCOUNT=3, LOGIN_MAX_FAILURES_PER_ADDRESS=100)
def test_the_failure_that_starts_a_throttle_is_audited_once(world):
    for _ in range(3):
        post_login(Client(), world.a_owner.email, "guess")
    post_login(Client(), world.a_owner.email, "guess")  # throttled: not counted, not audited
    with scope(store=world.a):
        actions = list(AuditEntry.objects.filter(store=world.a).order_by("id").values_list("action", flat=True))
    assert actions[-4:] == [
        "trunkshow.auth.login_failed",
        "trunkshow.auth.login_failed",
        "trunkshow.auth.login_failed",
        "trunkshow.auth.login_throttled",
    ]


def test_forwarded_for_is_ignored_without_trusted_proxies(world):
    post_login(Client(), "x@y.example", "bad", ip="192.0.2.1", HTTP_X_FORWARDED_FOR="10.9.9.9")
    assert list(LoginFailure.objects.values_list("ip", flat=True)) == ["192.0.2.1"]


@override_settings(TRUSTED_PROXY_COUNT=1)
def test_forwarded_for_names_the_client_behind_one_trusted_proxy(world):
    post_login(Client(), "x@y.example", "bad", ip="10.0.0.2", HTTP_X_FORWARDED_FOR="198.51.100.23")
    assert list(LoginFailure.objects.values_list("ip", flat=True)) == ["198.51.100.23"]


def test_logged_in_person_opening_login_goes_to_the_customer_list(world):
    client = browser_client(world.a_owner)
    response = client.get("/login/")
    assert response.status_code == 302
    assert response["Location"] == "/inbox/"
    assert client.get("/login/?next=/staff/")["Location"] == "/staff/"
