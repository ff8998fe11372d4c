"""The small forms on the profile: each posts to its own URL, and comes back with a message or its errors."""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal
from typing import Any

import pytest
from django.utils import timezone
from django_scopes import scope

from tests.conftest import World, browser_client, make_customer
from tests.customers.test_api_support import book
from tests.customers.test_pages_support import text_of
from trunkshow.customers import services
from trunkshow.customers.models import (
    ConsentEvent,
    CustomerEdit,
    CustomerEmail,
    CustomerPhone,
    ImportantDate,
    Interest,
    Note,
    Purchase,
    Size,
)


@pytest.fixture
def kati(world: World) -> Any:
    return make_customer(
        world.a,
        world.a_owner,
        first_name="Katalin",
        last_name="Szirmay",
        phones=["+1 914 555 0142"],
        emails=["kati@example.com"],
    )


def post(world: World, path: str, data: dict[str, str]) -> Any:
    return browser_client(world.a_associate).post(path, data)


def refused(world: World, path: str, data: dict[str, str], place: str) -> Any:
    """Post a form that is refused: it leads back to the profile at the form's errors (a page of its
    own, so a reload never posts again); what that page then shows."""
    client = browser_client(world.a_associate)
    response = client.post(path, data)
    assert response.status_code == 302
    profile = path.rsplit("/", 2)[0] + "/"
    assert response["Location"] == f"{profile}#{place}-errors"
    page = client.get(response["Location"])
    assert page.status_code == 200
    return page


def errors_in(response: Any, prefix: str) -> dict[str, str]:
    """Every error shown in one of the profile's forms: {field id: message}."""
    found = re.findall(rf'<div class="error" id="{prefix}_(\w+)_error">(.*?)</div>', response.content.decode(), re.S)
    return {name: re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html)).strip() for name, html in found}


def opened(response: Any) -> list[str]:
    """The summaries of the disclosures shown open (the form with the errors)."""
    return re.findall(
        r'<details id="[\w-]+" class="disclosure" open>\s*<summary>([^<]+)</summary>', response.content.decode()
    )


# ---------------------------------------------------------------- notes


def test_adding_a_note_puts_it_first_on_the_timeline_with_its_author(world: World, kati: Any):
    client = browser_client(world.a_associate)
    response = client.post(f"/customers/{kati.pk}/notes/", {"body": "Loves  art deco.\nAsk about the ring."})
    assert response.status_code == 302
    assert response["Location"] == f"/customers/{kati.pk}/#timeline"
    with scope(store=world.a):
        note = Note.objects.get()
        assert (note.body, note.author, note.customer_id) == (
            "Loves  art deco.\nAsk about the ring.",
            world.a_associate.user,
            kati.pk,
        )
    page = client.get(response["Location"])
    text = text_of(page)
    assert "Note added." in text
    assert re.search(
        r'<li class="tl tl-note">.*?<p class="body">Loves  art deco.\nAsk about the ring.</p>',
        page.content.decode(),
        re.S,
    )
    assert re.findall(r'<li class="tl tl-(\w+)">', page.content.decode())[0] == "note"


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ("", "This field is required."),
        ("   ", "Write something in the note."),
        ("x" * 10_001, "Use at most 10000 characters (this has 10001)."),
        ("bell\x07", "Remove the control characters or line breaks from this field."),
    ],
)
def test_a_bad_note_is_refused_beside_the_box_and_the_text_is_kept(world: World, kati: Any, body: str, message: str):
    before = book(world.a)
    response = refused(world, f"/customers/{kati.pk}/notes/", {"body": body}, "note")
    assert errors_in(response, "note") == {"body": message}
    if body.strip():
        assert body[:100] in response.content.decode()
    assert book(world.a) == before


# ---------------------------------------------------------------- purchases


def test_recording_a_purchase_updates_lifetime_spend(world: World, kati: Any):
    client = browser_client(world.a_associate)
    response = client.post(
        f"/customers/{kati.pk}/purchases/",
        {
            "purchased_on": "2025-03-04",
            "items": "Sapphire halo ring\n\n  Gift wrapping  ",
            "amount": "1,250.00",
            "currency": "usd",
            "associate": str(world.a_manager.user.pk),
        },
    )
    assert response.status_code == 302
    assert response["Location"] == f"/customers/{kati.pk}/#purchases"
    with scope(store=world.a):
        purchase = Purchase.objects.get()
        assert purchase.purchased_on == dt.date(2025, 3, 4)
        assert purchase.items == [
            {"description": "Sapphire halo ring", "sku": "", "quantity": 1},
            {"description": "Gift wrapping", "sku": "", "quantity": 1},
        ]
        assert (purchase.amount, purchase.currency) == (Decimal("1250.00"), "USD")
        assert (purchase.associate, purchase.created_by) == (world.a_manager.user, world.a_associate.user)
    text = text_of(client.get(f"/customers/{kati.pk}/"))
    assert "Purchase recorded." in text
    assert "$1,250.00 lifetime spend 1 purchase Mar 4, 2025 last purchase" in text
    assert "Purchase · $1,250.00 Mar 4, 2025 · Max Manager Sapphire halo ring Gift wrapping" in text


@pytest.mark.parametrize(
    ("typed", "stored"), [("1 250,50", "1250.50"), ("€2.500,00", "2500.00"), ("980", "980.00"), ("12.5", "12.50")]
)
def test_amounts_are_read_the_way_people_type_them(world: World, kati: Any, typed: str, stored: str):
    post(
        world,
        f"/customers/{kati.pk}/purchases/",
        {"purchased_on": "2025-03-04", "items": "Ring", "amount": typed, "currency": "EUR"},
    )
    with scope(store=world.a):
        assert Purchase.objects.get().amount == Decimal(stored)


@pytest.mark.parametrize(
    ("data", "errors"),
    [
        ({"purchased_on": "2999-01-01"}, {"purchased_on": "The purchase date is in the future."}),
        ({"purchased_on": "2025-02-30"}, {"purchased_on": "Enter a valid date."}),
        ({"amount": "a lot"}, {"amount": "Enter an amount such as 1250.00."}),
        ({"amount": "-5"}, {"amount": "The amount cannot be negative."}),
        ({"currency": "ZZZ"}, {"currency": "“ZZZ” is not a currency code such as USD or EUR."}),
        ({"items": ""}, {"items": "This field is required."}),
        ({"items": "x" * 201}, {"items": "Use at most 200 characters (this has 201)."}),
        ({"associate": "999999"}, {"associate": "Select a valid choice. 999999 is not one of the available choices."}),
    ],
)
def test_a_bad_purchase_is_refused_beside_the_field(
    world: World, kati: Any, data: dict[str, str], errors: dict[str, str]
):
    before = book(world.a)
    response = refused(
        world,
        f"/customers/{kati.pk}/purchases/",
        {"purchased_on": "2025-03-04", "items": "Ring", "amount": "100", "currency": "USD", **data},
        "add-purchase",
    )
    assert errors_in(response, "purchase") == errors
    assert opened(response) == ["Record a purchase"]
    assert book(world.a) == before


# ---------------------------------------------------------------- important dates


def test_adding_and_removing_an_important_date(world: World, kati: Any):
    client = browser_client(world.a_associate)
    added = client.post(
        f"/customers/{kati.pk}/dates/",
        {"kind": "custom", "label": "First visit", "day": "29", "month": "2", "year": ""},
    )
    assert added["Location"] == f"/customers/{kati.pk}/#dates"
    with scope(store=world.a):
        date = ImportantDate.objects.get()
        assert (date.kind, date.label, date.day, date.month, date.year) == ("custom", "First visit", 29, 2, None)
    text = text_of(client.get(f"/customers/{kati.pk}/"))
    assert "Date added." in text
    assert "First visit February 29 ×" in text
    assert "Important date added: First visit, February 29" in text

    removed = client.post(f"/customers/{kati.pk}/dates/{date.pk}/delete/")
    assert removed["Location"] == f"/customers/{kati.pk}/#dates"
    with scope(store=world.a):
        assert ImportantDate.objects.count() == 0
    text = text_of(client.get(f"/customers/{kati.pk}/"))
    assert "Date removed." in text
    assert "Important date removed: First visit, February 29" in text


@pytest.mark.parametrize(
    ("data", "errors"),
    [
        ({"day": "30", "month": "2"}, {"day": "February has no day 30."}),
        ({"day": "1", "month": "1", "year": "2999"}, {"day": "This date is in the future."}),
        ({"day": "", "month": ""}, {"day": "Give the day and the month."}),
        ({"day": "5", "month": ""}, {"day": "Give both the day and the month (the year is optional)."}),
        ({"kind": "custom", "label": ""}, {"label": "Name the date (for example “First date”)."}),
        ({"kind": "birthday"}, {"kind": "Unknown date kind “birthday”: use anniversary, engagement, wedding, custom."}),
        ({"label": "L" * 101}, {"label": "Use at most 100 characters (this has 101)."}),
    ],
)
def test_a_bad_date_is_refused_beside_the_field(world: World, kati: Any, data: dict[str, str], errors: dict[str, str]):
    before = book(world.a)
    response = refused(
        world,
        f"/customers/{kati.pk}/dates/",
        {"kind": "anniversary", "label": "", "day": "14", "month": "6", "year": "", **data},
        "add-date",
    )
    assert errors_in(response, "date") == errors
    assert opened(response) == ["Add a date"]
    assert book(world.a) == before


# ---------------------------------------------------------------- interests


def test_adding_and_removing_an_interest(world: World, kati: Any):
    client = browser_client(world.a_associate)
    added = client.post(f"/customers/{kati.pk}/interests/", {"kind": "stone", "value": " Sapphire "})
    assert added["Location"] == f"/customers/{kati.pk}/#interests"
    with scope(store=world.a):
        interest = Interest.objects.get()
        assert (interest.kind, interest.value) == ("stone", "Sapphire")
    text = text_of(client.get(f"/customers/{kati.pk}/"))
    assert "Interest added: Sapphire." in text
    assert "Likes and interests Stone Sapphire ×" in text

    removed = client.post(f"/customers/{kati.pk}/interests/{interest.pk}/delete/")
    assert removed["Location"] == f"/customers/{kati.pk}/#interests"
    text = text_of(client.get(f"/customers/{kati.pk}/"))
    assert "Interest removed." in text
    assert "Interest removed: Stone: Sapphire" in text
    with scope(store=world.a):
        assert Interest.objects.count() == 0


@pytest.mark.parametrize(
    ("data", "errors"),
    [
        ({"kind": "gemstone"}, {"value": "Unknown interest kind “gemstone”: use metal, stone, style, designer, free."}),
        ({"value": ""}, {"value": "This field is required."}),
        ({"value": "   "}, {"value": "Name the interest (for example “sapphire”)."}),
        ({"value": "v" * 61}, {"value": "Use at most 60 characters (this has 61)."}),
    ],
)
def test_a_bad_interest_is_refused_beside_the_field(
    world: World, kati: Any, data: dict[str, str], errors: dict[str, str]
):
    before = book(world.a)
    response = refused(
        world, f"/customers/{kati.pk}/interests/", {"kind": "stone", "value": "Ruby", **data}, "add-interest"
    )
    assert errors_in(response, "interest") == errors
    assert opened(response) == ["Add an interest"]
    assert book(world.a) == before


# ---------------------------------------------------------------- sizes


def test_adding_and_removing_a_size(world: World, kati: Any):
    client = browser_client(world.a_associate)
    added = client.post(
        f"/customers/{kati.pk}/sizes/", {"kind": "ring", "system": "UK", "value": "m.5", "note": "left ring finger"}
    )
    assert added["Location"] == f"/customers/{kati.pk}/#sizes"
    with scope(store=world.a):
        size = Size.objects.get()
        assert (size.kind, size.system, size.value, size.note) == ("ring", "UK", "M½", "left ring finger")
    text = text_of(client.get(f"/customers/{kati.pk}/"))
    assert "Size added." in text
    assert "Sizes Ring M½ UK · left ring finger ×" in text

    removed = client.post(f"/customers/{kati.pk}/sizes/{size.pk}/delete/")
    assert removed["Location"] == f"/customers/{kati.pk}/#sizes"
    assert "Size removed: Ring M½ UK" in text_of(client.get(f"/customers/{kati.pk}/"))


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"system": "JP"}, "Unknown size system “JP” for ring: use US, UK, EU."),
        ({"system": "cm"}, "Unknown size system “cm” for ring: use US, UK, EU."),
        ({"kind": "anklet"}, "Unknown size kind “anklet”: use ring, bracelet or necklace."),
        ({"value": "17"}, "“17” is not a US ring size (for example 6.5)."),
        ({"kind": "bracelet", "system": "cm", "value": "45"}, "A bracelet length is between 10 and 30 cm."),
    ],
)
def test_a_bad_size_is_refused_beside_the_field(world: World, kati: Any, data: dict[str, str], message: str):
    before = book(world.a)
    response = refused(
        world,
        f"/customers/{kati.pk}/sizes/",
        {"kind": "ring", "system": "US", "value": "6.5", "note": "", **data},
        "add-size",
    )
    assert errors_in(response, "size") == {"value": message}
    assert opened(response) == ["Add a size"]
    assert book(world.a) == before


# ---------------------------------------------------------------- phones and emails


def test_adding_a_phone_in_another_format_and_removing_the_primary_one(world: World, kati: Any):
    client = browser_client(world.a_associate)
    added = client.post(f"/customers/{kati.pk}/phones/", {"number": "0044 20 7946 0958", "label": "work"})
    assert added["Location"] == f"/customers/{kati.pk}/#contact"
    text = text_of(client.get(f"/customers/{kati.pk}/"))
    assert "Phone number added." in text
    assert "(914) 555-0142 Mobile · primary × +44 20 7946 0958 Work ×" in text
    assert "Phone added: +44 20 7946 0958" in text

    with scope(store=world.a):
        first = CustomerPhone.objects.get(e164="+19145550142")
    client.post(f"/customers/{kati.pk}/phones/{first.pk}/delete/")
    with scope(store=world.a):
        assert list(CustomerPhone.objects.values_list("e164", "is_primary")) == [("+442079460958", True)]
    assert "Phone removed: (914) 555-0142" in text_of(client.get(f"/customers/{kati.pk}/"))


@pytest.mark.parametrize(
    ("number", "message"),
    [
        ("12", "“12” is not a valid phone number (United States). Add the country code, like +1 201-555-0123."),
        ("(914) 555-0142", "This customer already has +19145550142."),
        ("1" * 41, "A phone number has at most 40 characters."),
    ],
)
def test_a_bad_phone_is_refused_beside_the_field(world: World, kati: Any, number: str, message: str):
    before = book(world.a)
    response = refused(world, f"/customers/{kati.pk}/phones/", {"number": number, "label": "mobile"}, "add-phone")
    assert errors_in(response, "phone") == {"number": message}
    assert opened(response) == ["Add a phone number"]
    assert book(world.a) == before


def test_adding_and_removing_an_email(world: World, kati: Any):
    client = browser_client(world.a_associate)
    added = client.post(f"/customers/{kati.pk}/emails/", {"address": "K.Szirmay@Work.Example.com", "label": "work"})
    assert added["Location"] == f"/customers/{kati.pk}/#contact"
    with scope(store=world.a):
        email = CustomerEmail.objects.get(label="work")
        assert email.address == "k.szirmay@work.example.com"
    assert "Email address added." in text_of(client.get(f"/customers/{kati.pk}/"))
    client.post(f"/customers/{kati.pk}/emails/{email.pk}/delete/")
    with scope(store=world.a):
        assert list(CustomerEmail.objects.values_list("address", flat=True)) == ["kati@example.com"]
        assert CustomerEdit.objects.filter(changes__email=["k.szirmay@work.example.com", None]).count() == 1


@pytest.mark.parametrize(
    ("address", "message"),
    [
        (
            "kati-at-example.com",
            "“kati-at-example.com” is not a valid email address: An email address must have an @-sign.",
        ),
        ("KATI@example.com", "This customer already has kati@example.com."),
        ("", "This field is required."),
    ],
)
def test_a_bad_email_is_refused_beside_the_field(world: World, kati: Any, address: str, message: str):
    before = book(world.a)
    response = refused(world, f"/customers/{kati.pk}/emails/", {"address": address, "label": "personal"}, "add-email")
    assert errors_in(response, "email") == {"address": message}
    assert book(world.a) == before


# ---------------------------------------------------------------- consent


def test_recording_consent_then_a_withdrawal_changes_the_current_state(world: World, kati: Any):
    client = browser_client(world.a_associate)
    granted = client.post(
        f"/customers/{kati.pk}/consent/",
        {
            "action": "granted",
            "channel": "whatsapp",
            "purpose": "service",
            "method": "in_person",
            "evidence_text": "Yes, WhatsApp me when the repair is ready.",
        },
    )
    assert granted["Location"] == f"/customers/{kati.pk}/#consent"
    text = text_of(client.get(f"/customers/{kati.pk}/"))
    assert "Recorded: WhatsApp for service, agreed." in text
    assert "✓ Agreed WhatsApp · service" in text
    assert "“Yes, WhatsApp me when the repair is ready.”" in text

    client.post(
        f"/customers/{kati.pk}/consent/",
        {
            "action": "withdrawn",
            "channel": "whatsapp",
            "purpose": "service",
            "method": "staff",
            "evidence_text": "Said no more messages.",
        },
    )
    text = text_of(client.get(f"/customers/{kati.pk}/"))
    assert "Recorded: WhatsApp for service, withdrawn." in text
    assert "✕ Withdrawn WhatsApp · service" in text
    assert "Consent withdrawn: WhatsApp · service" in text
    with scope(store=world.a):
        events = list(
            ConsentEvent.objects.order_by("id").values_list(
                "action", "method", "evidence_text", "staff_user", "evidence_ip"
            )
        )
    assert events == [
        ("granted", "in_person", "Yes, WhatsApp me when the repair is ready.", world.a_associate.user.pk, "127.0.0.1"),
        ("withdrawn", "staff", "Said no more messages.", world.a_associate.user.pk, "127.0.0.1"),
    ]


def test_evidence_is_shown_on_demand_with_when_how_and_who(world: World, kati: Any):
    with scope(store=world.a):
        services.consent_record(
            store=world.a,
            actor=world.a_owner.user,
            customer=kati,
            grant=services.ConsentGrant(
                channel="email",
                purpose="marketing",
                method="form",
                evidence_text="Sign me up",
                evidence_url="https://shop.example.com/join",
                evidence_ip="203.0.113.9",
                occurred_at=dt.datetime(2025, 3, 4, 15, 30, 5, tzinfo=dt.UTC),
            ),
        )
    html = browser_client(world.a_associate).get(f"/customers/{kati.pk}/").content.decode()
    evidence = html.split('<details class="evidence">')[1].split("</details>")[0]
    assert re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", evidence)).strip() == (
        "Mar 4, 2025, 10:30:05 AM, Web form When Mar 4, 2025, 10:30:05 AM How Web form Recorded by Ana Owner "
        "Words “Sign me up” Page https://shop.example.com/join Address 203.0.113.9"
    )


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"channel": "pigeon"}, "Unknown channel “pigeon”: use sms, email, whatsapp, phone, post."),
        ({"purpose": "spam"}, "Unknown purpose “spam”: use marketing or service."),
        ({"action": "maybe"}, "Unknown action “maybe”: use granted or withdrawn."),
        ({"method": "telepathy"}, "Unknown method “telepathy”: use form, in_person, import, keyword, staff."),
        ({"evidence_text": "e" * 5001}, "The evidence text has at most 5000 characters."),
    ],
)
def test_bad_consent_is_refused_with_the_reason(world: World, kati: Any, data: dict[str, str], message: str):
    before = book(world.a)
    response = refused(
        world,
        f"/customers/{kati.pk}/consent/",
        {
            "action": "granted",
            "channel": "sms",
            "purpose": "marketing",
            "method": "in_person",
            "evidence_text": "",
            **data,
        },
        "add-consent",
    )
    summary = '<div class="form-errors" role="alert" id="add-consent-errors" tabindex="-1">'
    assert f"{summary}<p>{message}</p></div>" in response.content.decode().replace("&#x27;", "'")
    assert opened(response) == ["Record consent or a withdrawal"]
    assert book(world.a) == before


def test_an_unknown_sub_object_or_wrong_method_is_refused(world: World, kati: Any):
    client = browser_client(world.a_associate)
    assert client.post(f"/customers/{kati.pk}/interests/999999/delete/").status_code == 404
    assert client.get(f"/customers/{kati.pk}/interests/1/delete/").status_code == 405


# ---------------------------------------------------------------- a refused form's address


def field_tag(response: Any, field_id: str) -> str:
    """The opening tag of one field (an input, or a select with its chosen option)."""
    html = response.content.decode()
    found = re.search(
        rf'<select [^>]*id="{field_id}".*?</select>|<(?:input|textarea) [^>]*id="{field_id}"[^>]*>', html, re.S
    )
    assert found, field_id
    return found.group(0)


def test_a_refused_date_is_shown_at_the_form_with_what_was_typed_and_nothing_is_saved(world: World, kati: Any):
    before = book(world.a)
    client = browser_client(world.a_associate)
    response = client.post(
        f"/customers/{kati.pk}/dates/",
        {"kind": "custom", "label": "First visit", "day": "31", "month": "2", "year": "1990"},
    )
    assert (response.status_code, response["Location"]) == (302, f"/customers/{kati.pk}/#add-date-errors")
    assert book(world.a) == before

    page = client.get(response["Location"])
    assert page.status_code == 200
    assert errors_in(page, "date") == {"day": "February 1990 has no day 31."}
    assert opened(page) == ["Add a date"]
    # The message the address leads to, which the browser focuses (so a screen reader reads it).
    assert (
        '<div class="form-errors" role="alert" id="add-date-errors" tabindex="-1"><p>Please fix'
        in page.content.decode()
    )
    assert 'value="31"' in field_tag(page, "date_day")
    assert 'aria-invalid="true"' in field_tag(page, "date_day")
    assert '<option value="2" selected>' in field_tag(page, "date_month")
    assert 'value="1990"' in field_tag(page, "date_year")
    assert '<option value="custom" selected>' in field_tag(page, "date_kind")
    assert 'value="First visit"' in field_tag(page, "date_label")

    # Shown once: reloaded, it is the profile as it is, with nothing posted again.
    again = client.get(response["Location"])
    assert again.status_code == 200
    assert (errors_in(again, "date"), opened(again)) == ({}, [])
    assert "add-date-errors" not in again.content.decode()
    assert book(world.a) == before


def test_a_refused_phone_is_shown_at_the_form_with_what_was_typed_and_nothing_is_saved(world: World, kati: Any):
    before = book(world.a)
    client = browser_client(world.a_associate)
    response = client.post(f"/customers/{kati.pk}/phones/", {"number": "+1 914 555", "label": "work"})
    assert (response.status_code, response["Location"]) == (302, f"/customers/{kati.pk}/#add-phone-errors")

    page = client.get(response["Location"])
    assert errors_in(page, "phone") == {
        "number": "“+1 914 555” is not a valid phone number (United States +1): check the digits."
    }
    assert opened(page) == ["Add a phone number"]
    assert 'value="+1 914 555"' in field_tag(page, "phone_number")
    assert '<option value="work" selected>' in field_tag(page, "phone_label")
    assert book(world.a) == before
    with scope(store=world.a):
        assert list(CustomerPhone.objects.values_list("e164", flat=True)) == ["+19145550142"]


def test_a_refusal_waits_for_its_own_customers_profile(world: World, kati: Any):
    other = make_customer(world.a, world.a_owner, first_name="Other")
    client = browser_client(world.a_associate)
    client.post(f"/customers/{kati.pk}/interests/", {"kind": "stone", "value": "   "})
    client.post(f"/customers/{other.pk}/sizes/", {"kind": "ring", "system": "US", "value": "17"})

    theirs = client.get(f"/customers/{other.pk}/")
    assert (opened(theirs), errors_in(theirs, "interest")) == (["Add a size"], {})
    assert errors_in(theirs, "size") == {"value": "“17” is not a US ring size (for example 6.5)."}
    ours = client.get(f"/customers/{kati.pk}/")
    assert opened(ours) == ["Add an interest"]
    assert errors_in(ours, "interest") == {"value": "Name the interest (for example “sapphire”)."}
    # Another person's session has nothing waiting.
    assert opened(browser_client(world.a_owner).get(f"/customers/{kati.pk}/")) == []


@pytest.mark.parametrize(
    ("action", "place"),
    [
        ("notes", "note"),
        ("purchases", "add-purchase"),
        ("dates", "add-date"),
        ("interests", "add-interest"),
        ("sizes", "add-size"),
        ("phones", "add-phone"),
        ("emails", "add-email"),
        ("consent", "add-consent"),
    ],
)
def test_a_forms_address_opened_as_a_page_leads_to_the_form_on_the_profile(
    world: World, kati: Any, action: str, place: str
):
    before = book(world.a)
    client = browser_client(world.a_associate)
    response = client.get(f"/customers/{kati.pk}/{action}/")
    assert (response.status_code, response["Location"]) == (302, f"/customers/{kati.pk}/#{place}")
    page = client.get(response["Location"])
    assert page.status_code == 200
    assert f'id="{place}"' in page.content.decode()
    assert book(world.a) == before


def test_a_forms_address_for_another_stores_customer_is_a_404(world: World):
    theirs = make_customer(world.b, world.b_owner, first_name="Elsewhere")
    assert browser_client(world.a_associate).get(f"/customers/{theirs.pk}/dates/").status_code == 404


def test_purchases_in_another_currency_are_listed_but_not_added_to_lifetime_spend(world: World, kati: Any):
    client = browser_client(world.a_associate)
    client.post(
        f"/customers/{kati.pk}/purchases/",
        {
            "purchased_on": str(timezone.now().date() - dt.timedelta(days=3)),
            "items": "Brooch",
            "amount": "300",
            "currency": "EUR",
        },
    )
    text = text_of(client.get(f"/customers/{kati.pk}/"))
    assert "$0.00 lifetime spend 1 purchase" in text
    assert "Purchase · €300.00" in text
