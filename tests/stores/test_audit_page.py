"""The audit log page for owners: newest first, paged, in the store's zone and words."""

from __future__ import annotations

import datetime as dt

from django.test import Client
from django_scopes import scope

from tests.conftest import browser_client
from trunkshow.core.audit import audit_log
from trunkshow.core.models import AuditEntry


def test_entries_show_action_text_actor_ip_and_local_time_newest_first(world):
    with scope(store=world.a):
        AuditEntry.objects.filter(store=world.a).delete()
        older = audit_log(
            store=world.a,
            actor=world.a_owner.user,
            action="trunkshow.staff.role_changed",
            obj=world.a_associate.membership,
            data={"email": world.a_associate.email, "from": "associate", "to": "manager"},
            ip="192.0.2.1",
        )
        AuditEntry.objects.filter(pk=older.pk).update(at=dt.datetime(2026, 3, 14, 18, 5, tzinfo=dt.UTC))
        newer = audit_log(
            store=world.a, action="trunkshow.auth.login_failed", data={"email": "x@y.example"}, ip="198.51.100.2"
        )
        AuditEntry.objects.filter(pk=newer.pk).update(at=dt.datetime(2026, 3, 15, 9, 0, tzinfo=dt.UTC))
    html = browser_client(world.a_owner).get("/audit/").content.decode()
    assert html.index("Failed login") < html.index("Role changed")
    assert "ali@atelier.example.com: Associate → Manager" in html
    assert "Ana Owner" in html
    assert "IP 192.0.2.1" in html
    assert "System or unknown" in html
    # 18:05 UTC is 2:05 PM in New York (EDT) on March 14, 2026.
    assert "Mar 14, 2026, 2:05:00\u202fPM" in html
    assert "Times in America/New_York." in html


def test_audit_log_is_paged_fifty_at_a_time(world):
    with scope(store=world.a):
        for _ in range(60):
            audit_log(store=world.a, action="trunkshow.auth.login_failed", data={"email": "guess@x.example"})
        total = AuditEntry.objects.filter(store=world.a).count()
    client = browser_client(world.a_owner)
    first = client.get("/audit/").content.decode()
    assert first.count('<li class="audit-entry">') == 50
    assert f"Page 1 of {(total + 49) // 50}" in first
    second = client.get("/audit/?page=2").content.decode()
    assert second.count('<li class="audit-entry">') == total - 50
    nonsense = client.get("/audit/?page=abc")
    assert nonsense.status_code == 200


def test_audit_log_shows_only_this_stores_entries(world):
    with scope(store=world.b):
        audit_log(store=world.b, action="trunkshow.customer.erased", data={"email": "secret@bijoux.example"})
    html = browser_client(world.a_owner).get("/audit/").content.decode()
    assert "secret@bijoux.example" not in html
    assert "Customer erased" not in html


def test_audit_page_query_count_does_not_grow_with_entries(world, django_assert_max_num_queries):
    with scope(store=world.a):
        for i in range(30):
            audit_log(
                store=world.a,
                actor=world.a_manager.user,
                action="trunkshow.token.created",
                data={"for": world.a_manager.email, "name": f"t{i}", "prefix": "ts_abcdefg"},
            )
    client = browser_client(world.a_owner)
    client.get("/audit/")
    with django_assert_max_num_queries(8):
        assert client.get("/audit/").status_code == 200


def test_audit_page_needs_a_login(db):
    assert Client().get("/audit/")["Location"] == "/login/?next=/audit/"
