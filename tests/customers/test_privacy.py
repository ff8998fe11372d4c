"""A customer's data as JSON (everything, exactly) and erasure (nothing of the person left)."""

from __future__ import annotations

import datetime as dt
import json
import shutil
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from django_scopes import scope, scopes_disabled

from tests.conftest import World, make_customer
from trunkshow.core.models import AuditEntry
from trunkshow.core.templatetags.trunkshow import store_day
from trunkshow.customers import services
from trunkshow.customers.merging import MERGE_FIELDS, customer_merge
from trunkshow.customers.models import (
    ConsentEvent,
    CurrentConsent,
    Customer,
    CustomerEdit,
    CustomerEmail,
    CustomerMerge,
    CustomerPhone,
    ImportantDate,
    ImportJob,
    ImportRow,
    Interest,
    Note,
    Purchase,
    Size,
)
from trunkshow.customers.privacy import AlreadyErased, customer_data_export, customer_erase
from trunkshow.customers.selectors import customer_search
from trunkshow.customers.suppression import suppressed

AT = dt.datetime(2025, 3, 1, 14, 30, tzinfo=dt.UTC)


@pytest.fixture(autouse=True)
def _import_files_removed_after(world: World):
    """The data dir is shared by the whole test session: leave no import file behind."""
    yield
    for store in (world.a, world.b):
        shutil.rmtree(Path(settings.DATA_DIR) / "imports" / str(store.pk), ignore_errors=True)
    (Path(settings.DATA_DIR) / "stray.csv").unlink(missing_ok=True)


def rich_customer(world: World) -> tuple[Customer, dict[str, Any]]:
    """A customer with one of everything the store can hold about a person."""
    owner = world.a_owner.user
    partner = make_customer(world.a, world.a_owner, first_name="Laszlo", last_name="Szirmai")
    c = make_customer(
        world.a,
        world.a_owner,
        first_name="Katalin",
        last_name="Szirmay",
        preferred_name="Kati",
        title="Dr",
        address_line1="12 Elm Street",
        address_line2="Apt 4",
        city="Scarsdale",
        region="NY",
        postal_code="10583",
        country="US",
        birthday_day=14,
        birthday_month=6,
        birthday_year=1980,
        partner_id=partner.pk,
        preferred_channel="sms",
        language="hu",
        time_zone="America/Chicago",
        assigned_associate_id=world.a_associate.user.pk,
        source="referral",
        phones=["(914) 555-0142"],
        emails=["kati@example.com"],
        interests=[("stone", "Sapphire")],
        consents=[
            services.ConsentGrant(
                channel="sms",
                purpose="marketing",
                method="form",
                evidence_text="Text me about new pieces",
                evidence_url="https://atelier.example.com/join",
                evidence_ip="203.0.113.9",
                occurred_at=AT,
            )
        ],
    )
    with scope(store=world.a):
        extra: dict[str, Any] = {"partner": partner}
        extra["date"] = services.important_date_create(
            store=world.a, actor=owner, customer=c, kind="anniversary", day=3, month=5, year=2009
        )
        extra["size"] = services.size_add(
            store=world.a, actor=owner, customer=c, kind="ring", system="US", value="6", note="left hand"
        )
        extra["note"] = services.note_create(
            store=world.a, actor=world.a_manager.user, customer=c, body="Wants an eternity band for her 50th"
        )
        extra["purchase"] = services.purchase_create(
            store=world.a,
            actor=owner,
            customer=c,
            purchased_on=dt.date(2024, 12, 20),
            items=[{"description": "Sapphire halo ring, engraved “K & L”", "sku": "R-1021", "quantity": 1}],
            amount="2450.00",
            associate_id=world.a_associate.user.pk,
            external_id="POS-7781",
        )
        Customer.objects.filter(pk=c.pk).update(imported_spend=Decimal("300.00"), lifetime_spend=Decimal("2750.00"))
        twin = make_customer(world.a, world.a_owner, first_name="Kati", last_name="Sz")
        survivor = customer_merge(store=world.a, actor=owner, customer=c, other=twin, choices={})
        extra["twin"] = twin
        job = ImportJob.objects.create(
            store=world.a, file_name="shopify-customers.csv", file_sha256="a" * 64, created_at=AT
        )
        extra["import_row"] = ImportRow.objects.create(
            store=world.a, job=job, line=7, outcome="merged", customer=survivor, message="Merged by phone"
        )
        extra["job"] = job
    return Customer.objects.get(pk=c.pk), extra


def test_export_holds_every_kind_of_row_exactly(world: World):
    with scope(store=world.a):
        c, x = rich_customer(world)
        data = customer_data_export(store=world.a, actor=world.a_manager.user, customer=c)
        c.refresh_from_db()
        phone = CustomerPhone.objects.get(customer=c)
        email = CustomerEmail.objects.get(customer=c)
        interest = Interest.objects.get(customer=c)
        event = ConsentEvent.objects.get(customer=c)
        edits = list(CustomerEdit.objects.filter(customer=c).order_by("at", "id"))
        merge = CustomerMerge.objects.get(customer=c)
    json.dumps(data)  # serialisable as it stands
    assert set(data) == {
        "exported_at",
        "format",
        "store",
        "customer",
        "phones",
        "emails",
        "important_dates",
        "interests",
        "sizes",
        "notes",
        "purchases",
        "consent_events",
        "current_consent",
        "edits",
        "merges",
        "import_rows",
        "conversations",
    }
    assert data["conversations"] == []
    assert data["format"] == "trunkshow.customer-data/1"
    assert data["store"] == {"id": world.a.pk, "name": "Atelier Ana"}
    assert data["customer"] == {
        "id": c.pk,
        "first_name": "Katalin",
        "last_name": "Szirmay",
        "preferred_name": "Kati",
        "title": "Dr",
        "address_line1": "12 Elm Street",
        "address_line2": "Apt 4",
        "city": "Scarsdale",
        "region": "NY",
        "postal_code": "10583",
        "country": "US",
        "birthday_day": 14,
        "birthday_month": 6,
        "birthday_year": 1980,
        "partner": {"id": x["partner"].pk, "name": "Laszlo Szirmai"},
        "partner_name": "",
        "partner_birthday_day": None,
        "partner_birthday_month": None,
        "partner_birthday_year": None,
        "preferred_channel": "sms",
        "language": "hu",
        "time_zone": "America/Chicago",
        "source": "referral",
        "assigned_associate": {"id": world.a_associate.user.pk, "name": "Ali Associate"},
        "created_by": {"id": world.a_owner.user.pk, "name": "Ana Owner"},
        "lifetime_spend": "2750.00",
        "imported_spend": "300.00",
        "purchase_count": 1,
        "last_purchase_on": "2024-12-20",
        "last_contact_at": "2024-12-20T17:00:00+00:00",  # the recorded sale, at noon in the store's zone
        "erased_at": None,
        "created_at": c.created_at.isoformat(),
        "updated_at": c.updated_at.isoformat(),
    }
    assert data["phones"] == [
        {"e164": "+19145550142", "label": "mobile", "is_primary": True, "created_at": phone.created_at.isoformat()}
    ]
    assert data["emails"] == [
        {
            "address": "kati@example.com",
            "label": "personal",
            "is_primary": True,
            "created_at": email.created_at.isoformat(),
        }
    ]
    assert data["important_dates"] == [
        {
            "kind": "anniversary",
            "label": "",
            "day": 3,
            "month": 5,
            "year": 2009,
            "created_at": x["date"].created_at.isoformat(),
        }
    ]
    assert data["interests"] == [{"kind": "stone", "value": "Sapphire", "created_at": interest.created_at.isoformat()}]
    assert data["sizes"] == [
        {
            "kind": "ring",
            "system": "US",
            "value": "6",
            "note": "left hand",
            "created_at": x["size"].created_at.isoformat(),
        }
    ]
    assert data["notes"] == [
        {
            "body": "Wants an eternity band for her 50th",
            "author": {"id": world.a_manager.user.pk, "name": "Max Manager"},
            "created_at": x["note"].created_at.isoformat(),
        }
    ]
    assert data["purchases"] == [
        {
            "purchased_on": "2024-12-20",
            "items": [{"description": "Sapphire halo ring, engraved “K & L”", "sku": "R-1021", "quantity": 1}],
            "amount": "2450.00",
            "currency": "USD",
            "external_id": "POS-7781",
            "associate": {"id": world.a_associate.user.pk, "name": "Ali Associate"},
            "created_at": x["purchase"].created_at.isoformat(),
        }
    ]
    assert data["consent_events"] == [
        {
            "id": event.pk,
            "channel": "sms",
            "purpose": "marketing",
            "action": "granted",
            "occurred_at": "2025-03-01T14:30:00+00:00",
            "method": "form",
            "evidence_text": "Text me about new pieces",
            "evidence_url": "https://atelier.example.com/join",
            "evidence_ip": "203.0.113.9",
            "recorded_by": {"id": world.a_owner.user.pk, "name": "Ana Owner"},
            "recorded_at": event.recorded_at.isoformat(),
        }
    ]
    assert data["current_consent"] == [
        {"channel": "sms", "purpose": "marketing", "granted": True, "event_id": event.pk}
    ]
    assert data["edits"] == [
        {"changes": e.changes, "by": {"id": world.a_owner.user.pk, "name": "Ana Owner"}, "at": e.at.isoformat()}
        for e in edits
    ]
    assert [e["changes"] for e in data["edits"]] == [
        {"important_date": [None, "Anniversary 3/5/2009"]},
        {"size": [None, "ring US 6"]},
    ]
    assert data["merges"] == [
        {
            "merged_customer_id": x["twin"].pk,
            "merged_name": "Kati Sz",
            "choices": {f.name: "kept" for f in MERGE_FIELDS},  # the twin had less on every field
            "replaced": {},
            "by": {"id": world.a_owner.user.pk, "name": "Ana Owner"},
            "at": merge.at.isoformat(),
        }
    ]
    assert data["import_rows"] == [
        {
            "file_name": "shopify-customers.csv",
            "imported_at": "2025-03-01T14:30:00+00:00",
            "line": 7,
            "outcome": "merged",
            "message": "Merged by phone",
        }
    ]
    with scopes_disabled():
        entry = AuditEntry.objects.get(action="trunkshow.customer.exported")
    assert (entry.object_id, entry.actor_id) == (str(c.pk), world.a_manager.user.pk)
    assert entry.data == {"format": "json", "what": "one customer's personal data"}


# --- erasure -------------------------------------------------------------------------------


def _import_file(world: World, job: ImportJob, text: str, encoding: str = "utf-8", delimiter: str = ",") -> Path:
    relative = Path("imports") / str(world.a.pk) / f"{job.pk}.csv"
    path = Path(settings.DATA_DIR) / relative
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(text.encode(encoding))
    with scope(store=world.a):
        ImportJob.objects.filter(pk=job.pk).update(stored_path=str(relative), encoding=encoding, delimiter=delimiter)
    return path


CSV = (
    "First Name,Last Name,Email,Phone,Note\r\n"
    "Ann,Other,ann@example.com,(212) 555-0100,\r\n"
    'Katalin,Szirmay,KATI@example.com,,"likes\r\nsapphires"\r\n'
    "Kat,Sz,,914-555-0142,\r\n"
    "Bob,Other,bob@example.com,,\r\n"
)


def test_erase_leaves_no_trace_of_the_person_and_keeps_the_aggregates(world: World):
    with scope(store=world.a):
        c, x = rich_customer(world)
        path = _import_file(world, x["job"], CSV)
        ImportRow.objects.create(
            store=world.a, job=x["job"], line=5, outcome="error", message="“914-555-0142”: +19145550142 is on two rows"
        )
        ImportRow.objects.create(store=world.a, job=x["job"], line=8, outcome="error", message="Bob has no phone")
        # About their record's line in the stored file, without any value of theirs in it.
        ImportRow.objects.create(
            store=world.a, job=x["job"], line=3, outcome="error", message="Note: “likes…” too long"
        )
        erased = customer_erase(store=world.a, actor=world.a_owner.user, customer=c)

        c.refresh_from_db()
        assert c.erased_at == erased.erased_at is not None
        for name in ("first_name", "last_name", "preferred_name", "title", "address_line1", "address_line2", "city"):
            assert getattr(c, name) == ""
        for name in ("region", "postal_code", "country", "partner_name", "preferred_channel", "language", "time_zone"):
            assert getattr(c, name) == ""
        for name in ("birthday_day", "birthday_month", "birthday_year", "partner_id", "partner_birthday_month"):
            assert getattr(c, name) is None
        assert (c.search_text, c.sort_name) == ("", "")
        # Anonymous aggregates stay.
        assert (c.lifetime_spend, c.imported_spend, c.purchase_count, c.last_purchase_on) == (
            Decimal("2750.00"),
            Decimal("300.00"),
            1,
            dt.date(2024, 12, 20),
        )
        assert list(
            Purchase.objects.filter(customer=c).values_list("purchased_on", "amount", "items", "external_id")
        ) == [(dt.date(2024, 12, 20), Decimal("2450.00"), [{"sku": "R-1021", "quantity": 1}], "")]
        for model in (
            CustomerPhone,
            CustomerEmail,
            ImportantDate,
            Interest,
            Size,
            Note,
            CustomerEdit,
            ConsentEvent,
            CurrentConsent,
        ):
            assert model.objects.filter(customer=c).count() == 0, model.__name__
        assert list(CustomerMerge.objects.filter(customer=c).values_list("merged_name", flat=True)) == [""]
        assert list(
            ImportRow.objects.filter(job=x["job"]).order_by("line").values_list("line", "customer_id", "message")
        ) == [
            (3, None, ""),
            (5, None, ""),
            (7, None, ""),
            (8, None, "Bob has no phone"),
        ]
        # The partner no longer points at them, nor is found by their name.
        partner = Customer.objects.get(pk=x["partner"].pk)
        assert partner.partner_id is None
        assert "szirmay" not in partner.search_text
        # "Szirmay" finds only their partner Laszlo Szirmai now (a typo apart), never them.
        assert [f.pk for f in customer_search(store=world.a, q="Szirmay")] == [x["partner"].pk]
        for q in ("Katalin", "Kati", "kati@example.com", "(914) 555-0142", "9145550142"):
            assert list(customer_search(store=world.a, q=q)) == [], q
        assert suppressed(store=world.a, phones=["+19145550142"])
        assert suppressed(store=world.a, emails=["kati@example.com"])
    # Their import records are blank; the others and every row and line number stay: the record of
    # two lines is one empty quoted cell holding its line break.
    assert path.read_bytes().decode() == (
        "First Name,Last Name,Email,Phone,Note\r\n"
        "Ann,Other,ann@example.com,(212) 555-0100,\r\n"
        '"\r\n'
        '"\r\n'
        "\r\n"
        "Bob,Other,bob@example.com,,\r\n"
    )
    with scopes_disabled():
        entry = AuditEntry.objects.get(action="trunkshow.customer.erased")
        # The phone is looked for by its last seven digits: its area code "914" turns up by chance in
        # timestamps (12:09:14, microseconds) and ids (a merge's "merged_customer_id": 914 on
        # PostgreSQL, whose sequences run on across tests).
        everything = json.dumps(list(AuditEntry.objects.values("action", "object_type", "object_id", "data", "ip")))
    assert (entry.object_id, entry.actor_id) == (str(c.pk), world.a_owner.user.pk)
    assert entry.data == {
        "phones": 1,
        "emails": 1,
        "notes": 1,
        "consent_events": 1,
        "import_file_lines": 2,
        "partner_names": 0,
        "note_mentions": 0,
        "conversations": 0,
        "messages": 0,
    }
    for secret in ("Szirmay", "Katalin", "Kati", "kati@example.com", "5550142", "555-0142", "Scarsdale", "eternity"):
        assert secret not in everything, secret


def test_a_second_erase_is_refused_with_the_date(world: World):
    c = make_customer(world.a, world.a_owner, first_name="Katalin", phones=["(914) 555-0142"])
    with scope(store=world.a):
        customer_erase(store=world.a, actor=None, customer=c)
        c.refresh_from_db()
        before = list(Customer.objects.filter(pk=c.pk).values())
        with pytest.raises(AlreadyErased) as caught:
            customer_erase(store=world.a, actor=None, customer=c)
        assert list(Customer.objects.filter(pk=c.pk).values()) == before
    assert str(caught.value) == (
        f"Customer no. {c.pk} was already erased on {store_day(world.a, c.erased_at)}; there is nothing left to erase."
    )
    with scopes_disabled():
        assert AuditEntry.objects.filter(action="trunkshow.customer.erased").count() == 1


def test_import_files_in_other_encodings_and_delimiters_are_scrubbed_and_stray_paths_left_alone(world: World):
    c = make_customer(
        world.a, world.a_owner, first_name="Katalin", emails=["kati@example.com"], phones=["+33142685300"]
    )
    with scope(store=world.a):
        utf16 = ImportJob.objects.create(store=world.a, file_name="a.csv", file_sha256="b" * 64)
        cp1252 = ImportJob.objects.create(store=world.a, file_name="b.csv", file_sha256="c" * 64)
        outside = ImportJob.objects.create(store=world.a, file_name="c.csv", file_sha256="d" * 64)
    # As the importer records them: UTF-16 with its byte order mark, Windows-1252 with semicolons.
    first = _import_file(world, utf16, "\ufeffName,Email\nKatalin,kati@example.com\nBob,bob@example.com", "utf-16-le")
    second = _import_file(
        world, cp1252, "Nom;Téléphone\r\nKatalin;+33 1 42 68 53 00\r\nRenée;01 42 68 53 01\r\n", "cp1252", ";"
    )
    # A stored path that points outside the store's import folder is never touched.
    stray = Path(settings.DATA_DIR) / "stray.csv"
    stray.write_text("Name,Email\nKatalin,kati@example.com\n")
    with scope(store=world.a):
        ImportJob.objects.filter(pk=outside.pk).update(stored_path="imports/../stray.csv")
        customer_erase(store=world.a, actor=None, customer=c)
    assert first.read_bytes() == "\ufeffName,Email\n\nBob,bob@example.com".encode("utf-16-le")
    assert second.read_bytes() == "Nom;Téléphone\r\n\r\nRenée;01 42 68 53 01\r\n".encode("cp1252")
    assert stray.read_text() == "Name,Email\nKatalin,kati@example.com\n"


def test_an_uploaded_import_waiting_for_its_mapping_loses_their_lines_and_cannot_bring_them_back(world: World):
    from tests.customers.import_support import outcomes, run, shopify, upload
    from trunkshow.customers.importing import import_preview

    c = make_customer(world.a, world.a_owner, first_name="Katalin", last_name="Szirmay", emails=["kati@example.com"])
    job = upload(
        world.a,
        world.a_owner,
        shopify(
            "Ann,Other,ann@example.com,yes,,,,,,,,,no,10.00,1,,,no",
            "Katalin,Szirmay,KATI@example.com,yes,,12 Elm Street,,Scarsdale,NY,US,10583,(914) 555-0142,yes,99.00,1,,"
            '"likes\nsapphires",no',
            "Bob,Other,bob@example.com,no,,,,,,,,,no,0,0,,,no",
        ),
    )
    with scope(store=world.a):
        customer_erase(store=world.a, actor=world.a_owner.user, customer=c)
        preview = import_preview(ImportJob.objects.get(pk=job.pk))
    assert [row[:3] for row in preview] == [["Ann", "Other", "ann@example.com"], ["Bob", "Other", "bob@example.com"]]
    path = Path(settings.DATA_DIR) / job.stored_path
    assert "Szirmay" not in path.read_text() and "Scarsdale" not in path.read_text()
    # The erased record of two lines stays one row (an empty quoted cell holding its line break)
    # of two lines, so Bob stays in row 4 and on line 5 of the text.
    assert path.read_text().splitlines()[2:4] == ['"', '"']
    done = run(world.a, world.a_owner, job)
    assert done.status == "done"
    assert [(row, outcome) for row, outcome, _m in outcomes(done)] == [(2, "created"), (4, "created")]
    with scope(store=world.a):
        assert list(customer_search(store=world.a, q="Szirmay")) == []


def test_erasing_scrubs_a_name_written_with_separate_tone_marks_from_a_vietnamese_import_file(world: World):
    """Windows-1258 writes "Nguyễn" as "Nguyê" and a combining tilde: the name is found all the same,
    and the file's other bytes, marks included, stay as they were."""
    from tests.conftest import api
    from tests.customers.encoded_files import windows_1258

    lan = make_customer(world.a, world.a_owner, first_name="Thị Lan", last_name="Nguyễn", emails=["lan@example.vn"])
    with scope(store=world.a):
        job = ImportJob.objects.create(store=world.a, file_name="vn.csv", file_sha256="f" * 64)
    relative = Path("imports") / str(world.a.pk) / f"{job.pk}.csv"
    path = Path(settings.DATA_DIR) / relative
    path.parent.mkdir(parents=True, exist_ok=True)
    before = 'Họ,Tên,Người thương,Ghi chú\r\nTrần,Hùng,Thị Lan Nguyễn,"Quà cho Thị Lan Nguyễn, ngày 8/3"\r\n'
    path.write_bytes(windows_1258(before))
    assert "Nguyễn".encode("cp1258", errors="replace") not in path.read_bytes()  # the tone is its own byte
    with scope(store=world.a):
        ImportJob.objects.filter(pk=job.pk).update(stored_path=str(relative), encoding="windows-1258", delimiter=",")

    assert api(world.a_owner).post(f"/api/v1/customers/{lan.pk}/erase").status_code == 200
    assert path.read_bytes() == windows_1258(
        'Họ,Tên,Người thương,Ghi chú\r\nTrần,Hùng,,"Quà cho [erased], ngày 8/3"\r\n'
    )


def test_erasing_scrubs_them_from_other_customers_partner_names_notes_edits_and_import_files(world: World):
    from tests.conftest import api

    kati = make_customer(
        world.a,
        world.a_owner,
        first_name="Katalin",
        last_name="Szirmay",
        preferred_name="Kati",
        phones=["(914) 555-0142"],
        emails=["kati@example.com"],
    )
    laszlo = make_customer(world.a, world.a_owner, first_name="Laszlo", last_name="Kovacs")
    marta = make_customer(
        world.a, world.a_owner, first_name="Marta", last_name="Nagy", partner_name="Kati Szirmay and the twins"
    )
    ann = make_customer(world.a, world.a_owner, first_name="Ann", last_name="Other")
    theirs = make_customer(world.b, world.b_owner, first_name="Zoe", last_name="B", partner_name="Katalin Szirmay")
    with scope(store=world.a):
        # A partner typed as a name (with their birthday), changed later: the edit history holds it too.
        services.customer_update(
            store=world.a,
            actor=world.a_owner.user,
            customer=laszlo,
            data={"partner_name": "katalin  SZIRMAY", "partner_birthday_day": 14, "partner_birthday_month": 6},
        )
        services.note_create(
            store=world.a,
            actor=world.a_owner.user,
            customer=ann,
            body="Gift for Katalin Szirmay; call her at +1 914-555-0142, 914.555.0142 or KATI@example.com.\n"
            "Katalin alone, Szirmay alone, Katalin Szirmayova, Kati Szirmay-Kiss and 914-555-01423 stay.",
        )
        job = ImportJob.objects.create(store=world.a, file_name="pos.csv", file_sha256="e" * 64)
        # Line 3 is hers by the import's own report, though it holds no phone or email of hers.
        ImportRow.objects.create(store=world.a, job=job, line=3, outcome="merged", customer=kati)
        ImportRow.objects.create(
            store=world.a, job=job, line=2, outcome="error", message="Partner “Katalin Szirmay” is not a customer"
        )
    path = _import_file(
        world,
        job,
        "First Name,Last Name,Partner,Note\r\n"
        'Ann,Other,Katalin Szirmay,"met through ""Kati Szirmay"" at the fair"\r\n'
        "Katalin,Szirmay,,\r\n"
        "Bob,Other,Katalin Szirmayova,\r\n",
    )

    response = api(world.a_owner).post(f"/api/v1/customers/{kati.pk}/erase")
    assert response.status_code == 200, response.content

    client = api(world.a_associate)
    laszlo_now = client.get(f"/api/v1/customers/{laszlo.pk}").json()
    assert (laszlo_now["partner_name"], laszlo_now["partner_birthday_day"], laszlo_now["partner_birthday_month"]) == (
        "",
        None,
        None,
    )
    assert client.get(f"/api/v1/customers/{marta.pk}").json()["partner_name"] == "[erased] and the twins"
    assert [n["body"] for n in client.get(f"/api/v1/customers/{ann.pk}/notes").json()["items"]] == [
        "Gift for [erased]; call her at [erased], [erased] or [erased].\n"
        "Katalin alone, Szirmay alone, Katalin Szirmayova, Kati Szirmay-Kiss and 914-555-01423 stay."
    ]
    assert [c["display_name"] for c in client.get("/api/v1/customers", {"q": "Katalin"}).json()["items"]] == []
    with scopes_disabled():
        edits = json.dumps(list(CustomerEdit.objects.filter(customer=laszlo).values_list("changes", flat=True)))
        assert "zirmay" not in edits.lower()
        assert list(ImportRow.objects.filter(job=job).order_by("line").values_list("line", "message")) == [
            (2, "Partner “[erased]” is not a customer"),
            (3, ""),
        ]
        # Another store's customer with the same partner name is not theirs to touch.
        assert Customer.objects.get(pk=theirs.pk).partner_name == "Katalin Szirmay"
        entry = AuditEntry.objects.get(action="trunkshow.customer.erased")
    assert (entry.data["partner_names"], entry.data["note_mentions"], entry.data["import_file_lines"]) == (2, 1, 1)
    assert path.read_bytes().decode() == (
        "First Name,Last Name,Partner,Note\r\n"
        'Ann,Other,,"met through ""[erased]"" at the fair"\r\n'
        "\r\n"
        "Bob,Other,Katalin Szirmayova,\r\n"
    )


def test_erasing_scrubs_them_from_other_customers_merge_records(world: World):
    from tests.conftest import api

    jane = make_customer(world.a, world.a_owner, first_name="Jane", last_name="Doe")
    x_keep = make_customer(world.a, world.a_owner, first_name="Xavier", last_name="Ortiz")
    x_gone = make_customer(
        world.a,
        world.a_owner,
        first_name="Xavier",
        last_name="Ortiz",
        partner_name="Jane Doe",
        partner_birthday_day=2,
        partner_birthday_month=3,
        partner_birthday_year=1980,
    )
    # Someone else's partner replaced by someone else's: not hers.
    w_keep = make_customer(world.a, world.a_owner, first_name="Wanda", last_name="Reyes", partner_name="Bob Smith")
    w_gone = make_customer(
        world.a,
        world.a_owner,
        first_name="Wanda",
        last_name="Reyes",
        partner_name="Ann Poe",
        partner_birthday_day=9,
        partner_birthday_month=5,
    )
    # Another store's merge of a partner with her name is not this store's to touch.
    b_keep = make_customer(world.b, world.b_owner, first_name="Yuri", last_name="Lee")
    b_gone = make_customer(world.b, world.b_owner, first_name="Yuri", last_name="Lee", partner_name="Jane Doe")
    with scope(store=world.a):
        customer_merge(
            store=world.a, actor=world.a_owner.user, customer=x_keep, other=x_gone, choices={"partner": "taken"}
        )
        customer_merge(
            store=world.a, actor=world.a_owner.user, customer=w_keep, other=w_gone, choices={"partner": "taken"}
        )
    with scope(store=world.b):
        customer_merge(
            store=world.b, actor=world.b_owner.user, customer=b_keep, other=b_gone, choices={"partner": "taken"}
        )
    with scopes_disabled():
        x_merge = CustomerMerge.objects.get(customer=x_keep)
        assert x_merge.replaced["partner"]["now"]["partner_name"] == "Jane Doe"
        assert x_merge.replaced["partner"]["now"]["partner_birthday_year"] == 1980
        w_before = CustomerMerge.objects.get(customer=w_keep).replaced
        b_before = CustomerMerge.objects.get(customer=b_keep).replaced
    client = api(world.a_owner)
    assert "Jane Doe" in json.dumps(client.get(f"/api/v1/customers/{x_keep.pk}/timeline").json())

    assert client.post(f"/api/v1/customers/{jane.pk}/erase").status_code == 200

    with scopes_disabled():
        x_merge = CustomerMerge.objects.get(customer=x_keep)
        assert x_merge.replaced["partner"]["now"] == {
            "partner_id": None,
            "partner_name": "",
            "partner_birthday_day": None,
            "partner_birthday_month": None,
            "partner_birthday_year": None,
        }
        assert CustomerMerge.objects.get(customer=w_keep).replaced == w_before
        assert CustomerMerge.objects.get(customer=b_keep).replaced == b_before
        assert b_before["partner"]["now"]["partner_name"] == "Jane Doe"
    for text in (
        json.dumps(x_merge.replaced),
        json.dumps(client.get(f"/api/v1/customers/{x_keep.pk}/timeline").json()),
        client.get(f"/api/v1/customers/{x_keep.pk}/export").content.decode(),
    ):
        assert "jane" not in text.lower()
        assert "doe" not in text.lower()
        assert "1980" not in text
