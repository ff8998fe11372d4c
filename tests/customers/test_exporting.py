"""CSV export: exact content, formula neutralising, streaming in chunks, the audit entry (also
for an interrupted download), and who may export."""

from __future__ import annotations

import csv
import datetime as dt
import io
from decimal import Decimal
from typing import Any

import pytest
from django_scopes import scope, scopes_disabled

from tests.conftest import World, api, browser_client, make_customer
from trunkshow.core.models import AuditEntry
from trunkshow.customers import exporting, filtering, segments, services
from trunkshow.customers.exporting import COLUMNS, neutralise
from trunkshow.customers.models import Customer

HEADER = list(COLUMNS)


def read_csv(response: Any) -> list[list[str]]:
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    raw = b"".join(response.streaming_content)
    assert raw.startswith(b"\xef\xbb\xbf")  # UTF-8 with a byte order mark, for Excel
    return list(csv.reader(io.StringIO(raw.decode("utf-8-sig"), newline="")))


def exports(store: Any) -> list[dict[str, Any]]:
    with scopes_disabled():
        return [
            {"actor": e.actor_id, "object": (e.object_type, e.object_id), **e.data}
            for e in AuditEntry.objects.filter(store=store, action="trunkshow.customer.exported").order_by("id")
        ]


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ('=HYPERLINK("http://x")', '\'=HYPERLINK("http://x")'),
        ("+1 212", "'+1 212"),
        ("-2+3", "'-2+3"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("\tx", "'\tx"),
        ("\rx", "'\rx"),
        ("Anne-Marie", "Anne-Marie"),
        ("", ""),
    ],
)
def test_cells_a_spreadsheet_would_run_get_a_leading_apostrophe(value, expected):
    assert neutralise(value) == expected


def test_the_export_holds_what_a_person_expects_exactly(world: World):
    partner = make_customer(world.a, first_name="Pat", last_name="Lee", birthday_day=9, birthday_month=9)
    c = make_customer(
        world.a,
        world.a_owner,
        first_name="Zoë",
        last_name="=cmd|' /C calc'!A0",
        preferred_name="Zo",
        title="@Mme",  # typed by anyone: neutralised like a name
        address_line1="12 Rue de Rivoli",
        city="Paris",
        postal_code="75004",
        country="FR",
        birthday_day=29,
        birthday_month=2,
        birthday_year=1992,
        time_zone="Europe/Paris",
        assigned_associate_id=world.a_associate.user.pk,
        source="trade_show",
        phones=["+12125550142", "+442079460958"],
        emails=["zoe@example.com"],
        interests=[("stone", "Sapphire"), ("metal", "@Rose gold")],
        consents=[
            services.ConsentGrant(channel="sms", purpose="marketing"),
            services.ConsentGrant(channel="email", purpose="marketing", action="withdrawn"),
        ],
    )
    with scope(store=world.a):
        services.customer_update(store=world.a, actor=None, customer=c, data={"partner_id": partner.pk})
        # Several anniversaries in one cell, by date in the year; another kind of date is not one.
        for kind, day, month, year in [
            ("anniversary", 12, 6, 2015),
            ("wedding", 1, 2, 2016),
            ("anniversary", 3, 1, None),
        ]:
            services.important_date_create(
                store=world.a, actor=None, customer=c, kind=kind, day=day, month=month, year=year
            )
        # Sizes with their systems or units, each kind in its column, as the import reads them back.
        for kind, system, value in [
            ("ring", "UK", "M½"),
            ("bracelet", "cm", "17"),
            ("ring", "US", "6 1/2"),
            ("necklace", "in", "18"),
            ("necklace", "cm", "42.5"),
        ]:
            services.size_add(store=world.a, actor=None, customer=c, kind=kind, system=system, value=value)
        services.purchase_create(
            store=world.a,
            actor=None,
            customer=c,
            purchased_on=dt.date(2026, 3, 1),
            items=[{"description": "Ring"}],
            amount="1250.50",
        )
        Customer.objects.filter(pk=c.pk).update(
            created_at=dt.datetime(2026, 1, 2, 3, 4, tzinfo=dt.UTC),
            last_contact_at=dt.datetime(2026, 3, 5, 17, 30, tzinfo=dt.UTC),
        )
    response = browser_client(world.a_owner).get("/customers/export/", {"source": "trade_show"})
    assert response.status_code == 200
    assert response.streaming
    assert response["Content-Disposition"].startswith('attachment; filename="customers-atelier-')
    rows = read_csv(response)
    assert rows[0] == HEADER
    assert rows[1:] == [
        [
            str(c.pk),
            "Zoë",
            "'=cmd|' /C calc'!A0",
            "Zo",
            "'@Mme",
            "zoe@example.com",
            "'+12125550142; +442079460958",
            "12 Rue de Rivoli",
            "",
            "Paris",
            "",
            "75004",
            "FR",
            "1992-02-29",
            "Pat Lee",
            "09-09",
            "01-03; 2015-06-12",
            "metal: @Rose gold; stone: Sapphire",
            "UK M½; US 6.5",
            "17 cm",
            "42.5 cm; 18 in",
            "Trade show",
            "Ali Associate",
            "1250.50",
            "USD",
            "1",
            "2026-03-01",
            "2026-03-05 12:30",
            "granted",
            "withdrawn",
            "",
            "2026-01-01",
        ]
    ]
    assert exports(world.a) == [
        {
            "actor": world.a_owner.user.pk,
            "object": ("", ""),
            "filters": {"source": "trade_show"},
            "segment": None,
            "rows": 1,
            "rows_written": 1,
            "finished": True,
        }
    ]


def test_the_export_streams_in_chunks_and_logs_before_the_first_byte_and_after_an_interruption(
    world: World, monkeypatch
):
    monkeypatch.setattr(exporting, "CHUNK", 2)
    for i in range(5):
        make_customer(world.a, first_name=f"P{i}", last_name="Q", source="chat")
    gone = make_customer(world.a, first_name="Erased", last_name="Q", source="chat")
    with scope(store=world.a):
        Customer.objects.filter(pk=gone.pk).update(erased_at=dt.datetime(2026, 1, 1, tzinfo=dt.UTC))
    client = browser_client(world.a_manager)

    response = client.get("/customers/export/", {"source": "chat"})
    assert response.streaming
    # The entry exists before anything is read, with the rows the export will hold.
    assert exports(world.a)[-1] | {"actor": None} == {
        "actor": None,
        "object": ("", ""),
        "filters": {"source": "chat"},
        "segment": None,
        "rows": 5,
        "rows_written": 0,
        "finished": False,
    }
    pieces = list(response.streaming_content)
    assert len(pieces) == 4  # the header, then three chunks of at most two rows
    assert [len(p.decode("utf-8-sig").splitlines()) for p in pieces] == [1, 2, 2, 1]
    assert (exports(world.a)[-1]["rows_written"], exports(world.a)[-1]["finished"]) == (5, True)

    # The client goes away after the header and one chunk: the server closes the stream.
    with scope(store=world.a):
        export = exporting.customers_export(
            store=world.a,
            actor=world.a_manager.user,
            membership=world.a_manager.membership,
            filters=filtering.filters_parse({"source": "chat"}, store=world.a),
        )
    stream = export.chunks()
    next(stream), next(stream)
    stream.close()
    assert exports(world.a)[-1] | {"actor": None} == {
        "actor": None,
        "object": ("", ""),
        "filters": {"source": "chat"},
        "segment": None,
        "rows": 5,
        "rows_written": 2,
        "finished": False,
    }


def test_a_segment_exports_through_the_api_in_its_order_and_is_logged_with_its_name(world: World):
    for name, spend in (("Low", "10"), ("High", "900"), ("Mid", "300")):
        c = make_customer(world.a, first_name=name, last_name="Q")
        with scope(store=world.a):
            Customer.objects.filter(pk=c.pk).update(lifetime_spend=Decimal(spend))
    with scope(store=world.a):
        segment = segments.segment_create(
            store=world.a, actor=None, name="Spenders", filters={"spend_min": "100", "sort": "spend"}
        )
    response = api(world.a_owner).get(f"/api/v1/segments/{segment.pk}/export")
    assert response.status_code == 200
    assert [row[1] for row in read_csv(response)[1:]] == ["High", "Mid"]
    assert response["Content-Disposition"].startswith('attachment; filename="customers-atelier-spenders-20')
    entry = exports(world.a)[-1]
    assert (entry["object"], entry["segment"], entry["filters"], entry["rows"], entry["finished"]) == (
        ("segment", str(segment.pk)),
        "Spenders",
        {"spend_min": "100.00", "sort": "spend"},
        2,
        True,
    )


@pytest.mark.parametrize(
    ("name", "part"), [("Anniversaries: Déc–Jan!", "anniversaries-dec-jan-"), ("生日", "segment-{pk}-")]
)
def test_a_segments_export_is_named_for_it_in_plain_letters(world: World, name, part):
    with scope(store=world.a):
        segment = segments.segment_create(store=world.a, actor=None, name=name, filters={"source": "chat"})
    response = browser_client(world.a_owner).get(f"/customers/segments/{segment.pk}/export/")
    assert response.status_code == 200
    b"".join(response.streaming_content)
    assert response["Content-Disposition"].startswith(
        'attachment; filename="customers-atelier-' + part.format(pk=segment.pk) + "20"
    )


def test_the_api_export_takes_the_list_filters_and_refuses_bad_ones(world: World):
    make_customer(world.a, first_name="Chat", source="chat")
    make_customer(world.a, first_name="Walk")
    client = api(world.a_manager)
    assert [row[1] for row in read_csv(client.get("/api/v1/customers/export", {"source": "chat"}))[1:]] == ["Chat"]
    bad = client.get("/api/v1/customers/export", {"source": "fax"})
    assert bad.status_code == 400
    assert list(bad.json()["error"]["fields"]) == ["source"]
    unknown = client.get("/api/v1/customers/export", {"format": "xlsx"})
    assert unknown.status_code == 400
    assert len(exports(world.a)) == 1


def test_associates_may_not_export_and_are_told_why(world: World):
    make_customer(world.a, first_name="Ana")
    with scope(store=world.a):
        segment = segments.segment_create(store=world.a, actor=None, name="All", filters={})
    reason = "Only owners and managers can export customers: an export takes the customer book out of the shop."
    for url in ("/api/v1/customers/export", f"/api/v1/segments/{segment.pk}/export"):
        response = api(world.a_associate).get(url)
        assert response.status_code == 403
        assert response.json()["error"] == {"code": "forbidden", "message": reason, "fields": {}}
    for url in ("/customers/export/", f"/customers/segments/{segment.pk}/export/"):
        response = browser_client(world.a_associate).get(url)
        assert response.status_code == 403
        assert reason in response.content.decode()
    listed = browser_client(world.a_associate).get("/customers/")
    assert listed.context["can_export"] is False and "Export CSV" not in listed.content.decode()
    assert exports(world.a) == []


def test_a_searched_list_exports_in_the_order_the_list_shows(world: World, monkeypatch):
    # Adams is found through his partner's name: the list ranks him after the Müllers, and the
    # export must not put him first by name order.
    monkeypatch.setattr(exporting, "CHUNK", 2)  # the ranking holds across chunks too
    make_customer(world.a, first_name="Abe", last_name="Adams", partner_name="Anna Muller")
    for first in ("Zoë", "Ben", "Mia"):
        make_customer(world.a, first_name=first, last_name="Müller")
    make_customer(world.a, first_name="Otto", last_name="Other")
    client = browser_client(world.a_owner)
    listed = client.get("/customers/", {"q": "Muller"})
    shown = [f"{c.first_name} {c.last_name}" for c in listed.context["rows"]]
    assert shown[-1] == "Abe Adams" and len(shown) == 4
    exported = read_csv(client.get("/customers/export/", {"q": "Muller"}))[1:]
    assert [f"{row[1]} {row[2]}" for row in exported] == shown
    # A chosen sort still wins over the ranking, on the screen and in the file.
    by_name = read_csv(client.get("/customers/export/", {"q": "Muller", "sort": "name"}))[1:]
    assert [row[1] for row in by_name] == ["Abe", "Ben", "Mia", "Zoë"]


@pytest.mark.parametrize(
    ("value", "written"),
    [
        ("\ufeff=1+1", "'\ufeff=1+1"),
        ("\u200b@SUM(A1)", "'\u200b@SUM(A1)"),
        (" =HYPERLINK()", "' =HYPERLINK()"),
        ("\u00a0=1+1", "'\u00a0=1+1"),
        ("\u200e+1", "'\u200e+1"),
        ("\tx", "'\tx"),
        ("Zoë", "Zoë"),
        ("\ufeffZoë", "\ufeffZoë"),
        ("", ""),
    ],
)
def test_a_formula_behind_invisible_characters_or_spaces_is_neutralised_too(value: str, written: str):
    assert neutralise(value) == written
