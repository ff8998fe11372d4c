"""The audit log page for owners: newest first, paged, in the store's zone and words."""

from __future__ import annotations

import datetime as dt
import re
from html import unescape

from django.test import Client
from django_scopes import scope

from tests.conftest import browser_client, make_customer
from trunkshow.core.audit import audit_log
from trunkshow.core.models import AuditEntry
from trunkshow.customers import exporting, filtering, segments


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


def test_exports_merges_and_imports_show_what_they_did_and_from_where(world, django_capture_on_commit_callbacks):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from tests.conftest import api, make_customer
    from tests.customers.import_support import shopify

    with scope(store=world.a):
        AuditEntry.objects.filter(store=world.a).delete()
        segment = segments.segment_create(store=world.a, actor=None, name="Chats", filters={"source": "chat"})
    for i in range(3):
        make_customer(world.a, first_name=f"Chat{i}", source="chat")
    keep = make_customer(world.a, first_name="Kay", last_name="Lee")
    other = make_customer(world.a, first_name="Kay", last_name="Leigh")
    client = api(world.a_owner)
    ip = {"REMOTE_ADDR": "192.0.2.77"}

    b"".join(browser_client(world.a_owner).get("/customers/export/", {"source": "chat"}, **ip).streaming_content)
    b"".join(client.get(f"/api/v1/segments/{segment.pk}/export", **ip).streaming_content)
    # A download the client walks away from after the header (the server closes the stream).
    with scope(store=world.a):
        export = exporting.customers_export(
            store=world.a,
            actor=world.a_owner.user,
            membership=world.a_owner.membership,
            filters=filtering.filters_parse({}, store=world.a),
            ip="192.0.2.77",
        )
    stream = export.chunks()
    next(stream)
    stream.close()
    assert client.get(f"/api/v1/customers/{keep.pk}/export", **ip).status_code == 200
    merged = client.post(
        f"/api/v1/customers/{keep.pk}/merge", {"other_id": other.pk}, content_type="application/json", **ip
    )
    assert merged.status_code == 200, merged.content
    upload = client.post(
        "/api/v1/imports",
        {"file": SimpleUploadedFile("book.csv", shopify("Ana,Ruiz,,,,,,,,,,,,,,,,"), content_type="text/csv")},
    )
    job = upload.json()
    with django_capture_on_commit_callbacks(execute=False):
        started = client.post(
            f"/api/v1/imports/{job['id']}/start", {"mapping": job["mapping"]}, content_type="application/json", **ip
        )
    assert started.status_code == 202, started.content

    html = browser_client(world.a_owner).get("/audit/").content.decode()
    details = re.findall(r'<div class="item-sub audit-detail">([^<]*)</div>', html)
    assert [unescape(d) for d in details] == [
        "book.csv · 1 row",
        f"Customer no. {other.pk} merged into no. {keep.pk}",
        f"One customer's data (JSON), customer no. {keep.pk}",
        "CSV · the whole list · 0 of 5 rows written · not finished (the download stopped)",
        "CSV · segment “Chats” · filters: source=chat · 3 of 3 rows written · finished",
        "CSV · filters: source=chat · 3 of 3 rows written · finished",
    ]
    assert html.count("IP 192.0.2.77") == 6


def test_an_erasure_in_the_log_says_what_went_and_never_who(world):
    from trunkshow.customers.privacy import customer_erase

    c = make_customer(
        world.a,
        world.a_owner,
        first_name="Katalin",
        last_name="Szirmay",
        phones=["(914) 555-0142"],
        emails=["kati@example.com", "k.szirmay@example.com"],
    )
    with scope(store=world.a):
        customer_erase(store=world.a, actor=world.a_owner.user, customer=c)
    html = browser_client(world.a_owner).get("/audit/").content.decode()
    assert "Customer erased" in html
    assert f"Customer no. {c.pk} · 1 phone, 2 emails" in html
    assert "Szirmay" not in html and "kati@example.com" not in html


def test_a_cancelled_import_in_the_log_names_its_file_as_its_start_does(world):
    from tests.customers.import_support import shopify, upload
    from trunkshow.customers import importing

    job = upload(world.a, world.a_owner, shopify("Clara,Berg,clara@example.com"), name="october pos.csv")
    with scope(store=world.a):
        job = importing.import_start(
            store=world.a, actor=world.a_owner.user, job=job, mapping=job.mapping, enqueue=False
        )
        importing.import_cancel(store=world.a, actor=world.a_owner.user, job=job)
    html = unescape(browser_client(world.a_owner).get("/audit/").content.decode())
    details = re.findall(r'<div class="item-sub audit-detail">([^<]*)</div>', html)
    assert details[:2] == ["october pos.csv", "october pos.csv · 1 row"]  # cancelled, then started
    assert html.index("Customer import cancelled") < html.index("Customer import started")
