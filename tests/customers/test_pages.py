"""The customer pages as an associate uses them: the list and its search, quick add, the profile, edit."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

import pytest
import time_machine
from django.test import Client
from django_scopes import scope, scopes_disabled

from tests.conftest import World, browser_client, make_customer
from tests.customers.test_api_support import book
from tests.customers.test_pages_support import make_rich_customer, text_of
from trunkshow.customers import services
from trunkshow.customers.models import ConsentEvent, Customer, CustomerEdit


def titles(response: Any) -> list[str]:
    """The names in the list, in the order shown."""
    return re.findall(r'<span class="item-title">([^<]*)</span>', response.content.decode())


def field_html(response: Any, name: str) -> str:
    """The HTML of the form control named ``name``."""
    match = re.search(rf'<(input|select|textarea)\b[^>]*\bname="{re.escape(name)}"[^>]*>', response.content.decode())
    assert match, f"no control named {name}"
    return match.group(0)


def error_of(response: Any, auto_id: str) -> str:
    match = re.search(
        rf'<div class="error" id="{re.escape(auto_id)}_error">(.*?)</div>', response.content.decode(), re.S
    )
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", match.group(1))).strip() if match else ""


# ---------------------------------------------------------------- the list


def test_list_shows_customers_by_last_name_with_contact_and_a_hint(world: World):
    make_customer(world.a, world.a_owner, first_name="Zoë", last_name="Müller", phones=["(914) 555-0142"])
    make_customer(
        world.a,
        world.a_owner,
        first_name="Amara",
        last_name="Okafor",
        emails=["amara@example.com"],
        interests=[("stone", "Sapphire"), ("metal", "Platinum")],
    )
    make_customer(world.a, world.a_owner, first_name="José", last_name="Álvarez")
    make_customer(world.b, world.b_owner, first_name="Béatrice", last_name="Other-Store")

    response = browser_client(world.a_associate).get("/customers/")

    assert response.status_code == 200
    assert titles(response) == ["José Álvarez", "Zoë Müller", "Amara Okafor"]
    text = text_of(response)
    assert "José Álvarez No phone or email yet" in text
    assert "Zoë Müller (914) 555-0142" in text
    assert "Amara Okafor amara@example.com Sapphire, Platinum" in text  # stones first
    assert "Other-Store" not in text


def test_list_hint_names_the_last_purchase_in_the_store_locale(world: World):
    import datetime as dt

    c = make_customer(world.a, world.a_owner, first_name="Ida", last_name="Buyer")
    with scope(store=world.a):
        services.purchase_create(
            store=world.a,
            actor=None,
            customer=c,
            purchased_on=dt.date(2025, 3, 4),
            items=[{"description": "Ring"}],
            amount="100",
        )
    assert "Ida Buyer No phone or email yet Last bought Mar 4, 2025" in text_of(
        browser_client(world.a_owner).get("/customers/")
    )


@pytest.mark.parametrize(
    ("q", "expected"),
    [
        ("mull", ["Zoë Müller"]),
        ("ZOE", ["Zoë Müller"]),
        ("okafor amara", ["Amara Okafor"]),
        ("(914) 555-0142", ["Zoë Müller"]),
        ("9145550142", ["Zoë Müller"]),
        ("+1 914 555 0142", ["Zoë Müller"]),
        ("555-01", ["Zoë Müller"]),
        ("amara@EXAMPLE.com", ["Amara Okafor"]),
        ("nobody-like-this", []),
    ],
)
def test_search_finds_by_any_part_of_name_phone_in_any_format_or_email(world: World, q: str, expected: list[str]):
    make_customer(world.a, world.a_owner, first_name="Zoë", last_name="Müller", phones=["(914) 555-0142"])
    make_customer(world.a, world.a_owner, first_name="Amara", last_name="Okafor", emails=["amara@example.com"])
    make_customer(world.b, world.b_owner, first_name="Zoé", last_name="Müller", phones=["+1 914 555 0142"])

    response = browser_client(world.a_associate).get("/customers/", {"q": q})

    assert titles(response) == expected
    assert field_html(response, "q").count(f'value="{q}"') == 1


def test_search_as_you_type_gets_only_the_results_fragment(world: World):
    make_customer(world.a, world.a_owner, first_name="Zoë", last_name="Müller")

    response = browser_client(world.a_associate).get("/customers/", {"q": "zo", "partial": "1"})

    assert response.status_code == 200
    # The rows, and the page title they bring for the address bar's page (the same words as the page's).
    assert [t.name for t in response.templates] == ["customers/_results.html", "customers/_list_title.html"]
    html = response.content.decode()
    assert "<html" not in html and 'name="q"' not in html
    assert titles(response) == ["Zoë Müller"]
    assert 'data-summary="1 customer"' in html
    assert "“zo” in customers · Trunkshow" in html


def test_a_customer_found_by_their_partners_name_says_so_in_the_list(world: World):
    katherine = make_customer(world.a, world.a_owner, first_name="Katherine", last_name="Reyes")
    make_customer(world.a, world.a_owner, first_name="Hannah", last_name="Bianchi", partner_name="Catherine Lowe")
    mackenzie = make_customer(world.a, world.a_owner, first_name="Mackenzie", last_name="Clarke")
    with scope(store=world.a):
        from trunkshow.customers.services import customer_update

        customer_update(store=world.a, actor=world.a_owner.user, customer=mackenzie, data={"partner_id": katherine.pk})

    html = browser_client(world.a_associate).get("/customers/", {"q": "catherine"}).content.decode()
    hints = dict(re.findall(r'class="item-title">([^<]+)</span>.*?(?:Partner: ([^<]+)</span>|</a>)', html, re.S))
    # Katherine by her own name (a typo forgiven), Hannah by her partner's, Mackenzie by his (a customer).
    assert hints == {"Katherine Reyes": "", "Hannah Bianchi": "Catherine Lowe", "Mackenzie Clarke": "Katherine Reyes"}
    # Another store's staff find none of them.
    assert "Bianchi" not in browser_client(world.b_owner).get("/customers/", {"q": "catherine"}).content.decode()


def test_list_without_customers_invites_to_add_the_first(world: World):
    response = browser_client(world.a_associate).get("/customers/")

    assert (
        "Your customer book is empty Add the first customer: a name and one way to reach them is enough. Add the first customer"
        in text_of(response)
    )
    assert '<a class="btn" href="/customers/new/">Add the first customer</a>' in response.content.decode()


@pytest.mark.parametrize(
    ("q", "link"),
    [
        ("Zsófia Kiss", "/customers/new/?first_name=Zs%C3%B3fia&amp;last_name=Kiss"),
        ("Zsófia", "/customers/new/?first_name=Zs%C3%B3fia"),
        ("(914) 555-9999", "/customers/new/?phone=%28914%29+555-9999"),
        ("zs@example.com", "/customers/new/?email=zs%40example.com"),
    ],
)
def test_no_match_says_so_and_offers_quick_add_with_the_query(world: World, q: str, link: str):
    make_customer(world.a, world.a_owner, first_name="Amara", last_name="Okafor")

    response = browser_client(world.a_associate).get("/customers/", {"q": q})

    assert f"No customer matches “{q}”" in text_of(response)
    assert f'<a class="btn" href="{link}">Add “{q}” as a new customer</a>' in response.content.decode()


def test_no_match_under_filters_says_the_filters_hide_them_and_offers_the_whole_book(world: World):
    make_customer(world.a, world.a_owner, first_name="Anna", last_name="Szirmay")
    make_customer(world.a, world.a_owner, first_name="Bela", last_name="Kiss", interests=[("stone", "Sapphire")])
    client = browser_client(world.a_associate)

    response = client.get("/customers/", {"q": "anna", "interest": "sapphire"})

    assert "No customer matches “anna” with these filters" in text_of(response)
    assert '<a class="btn" href="?q=anna">Search all customers for “anna”</a>' in response.content.decode()
    assert "as a new customer" not in text_of(response)  # Anna is in the book: adding her would duplicate her
    assert titles(client.get("/customers/", {"q": "anna"})) == ["Anna Szirmay"]


def test_quick_add_from_a_search_starts_with_the_query_filled_in(world: World):
    client = browser_client(world.a_associate)
    by_name = client.get("/customers/new/", {"first_name": "Zsófia", "last_name": "Kiss"})
    by_email = client.get("/customers/new/", {"email": "zs@example.com"})

    assert 'value="Zsófia"' in field_html(by_name, "first_name")
    assert 'value="Kiss"' in field_html(by_name, "last_name")
    assert 'value="zs@example.com"' in field_html(by_email, "email")
    assert re.search(r'<input type="radio" name="reach" value="email"[^>]*checked', by_email.content.decode())


def _make_many(world: World, n: int) -> None:
    for i in range(n):
        make_customer(world.a, None, first_name=f"Person{i:02d}", last_name=f"Surname{i:02d}")


def test_list_pages_forward_and_back_by_cursor_keeping_the_search(world: World):
    _make_many(world, 30)
    client = browser_client(world.a_associate)

    first = client.get("/customers/", {"q": "surname"})
    assert titles(first) == [f"Person{i:02d} Surname{i:02d}" for i in range(25)]
    nxt = first.context["next_url"]
    assert nxt.startswith("?q=surname&after=")
    assert first.context["previous_url"] == ""

    second = client.get("/customers/" + nxt)
    assert titles(second) == [f"Person{i:02d} Surname{i:02d}" for i in range(25, 30)]
    assert second.context["next_url"] == ""
    assert second.context["previous_url"].startswith("?q=surname&before=")

    back = client.get("/customers/" + second.context["previous_url"])
    assert titles(back) == [f"Person{i:02d} Surname{i:02d}" for i in range(25)]
    assert back.context["previous_url"] == ""
    assert back.context["next_url"] == nxt


def test_a_damaged_cursor_starts_again_from_the_top(world: World):
    _make_many(world, 3)
    response = browser_client(world.a_associate).get("/customers/", {"after": "not-a-cursor!!"})
    assert response.status_code == 200
    assert titles(response) == ["Person00 Surname00", "Person01 Surname01", "Person02 Surname02"]


def test_the_list_costs_the_same_few_queries_for_a_full_page(world: World, django_assert_max_num_queries):
    with scope(store=world.a):
        for i in range(30):
            services.customer_create(
                store=world.a,
                actor=None,
                first_name=f"P{i}",
                last_name="Q",
                phones=[f"+1 212 555 01{i:02d}"],
                emails=[f"p{i}@example.com"],
                interests=[("stone", "Ruby")],
                allow_duplicate=True,
            )
    client = browser_client(world.a_associate)
    client.get("/customers/")  # the session is warm
    # session, user, membership (with store), the page, its phones, emails and interests,
    # the count, the segments (each counted: none here), the staff for the associate filter and
    # the @mentions waiting for the reader (in the navigation)
    with django_assert_max_num_queries(11):
        response = client.get("/customers/")
    assert len(titles(response)) == 25


def test_a_visitor_who_is_not_signed_in_is_sent_to_the_login(db):
    response = Client().get("/customers/?q=ana")
    assert response.status_code == 302
    assert response["Location"] == "/login/?next=/customers/%3Fq%3Dana"


def test_a_signed_in_user_outside_every_store_is_refused_with_the_reason(world: World):
    client = Client()
    client.force_login(world.outsider)
    response = client.get("/customers/")
    assert response.status_code == 403
    assert "this login is not on the staff of any store, or its access was turned off." in text_of(response)
    assert "Ask the store's owner or a manager to invite you, then open the link in the email." in text_of(response)


# ---------------------------------------------------------------- quick add


def test_quick_add_form_is_short_with_the_right_keyboards(world: World):
    response = browser_client(world.a_associate).get("/customers/new/")

    assert response.status_code == 200
    first = field_html(response, "first_name")
    assert "autofocus" in first and 'autocomplete="given-name"' in first
    phone = field_html(response, "phone")
    assert 'type="tel"' in phone and 'inputmode="tel"' in phone and 'autocomplete="tel"' in phone
    email = field_html(response, "email")
    assert 'type="email"' in email and 'inputmode="email"' in email and 'autocomplete="email"' in email
    assert re.search(r'<option value="walk_in" selected>Walk-in</option>', response.content.decode())
    assert re.findall(r'name="(\w+)"', response.content.decode().split('id="quick-add"')[1]) == [
        "csrfmiddlewaretoken",
        "first_name",
        "last_name",
        "reach",
        "reach",
        "phone",
        "consent_sms",
        "email",
        "consent_email",
        "source",
    ]
    assert (
        "They agree to texts from Atelier Ana about new pieces and events. Msg &amp; data rates may apply; reply STOP to stop."
        in response.content.decode()
    )


def test_quick_add_saves_name_phone_and_consent_with_its_exact_words_as_evidence(world: World):
    client = browser_client(world.a_associate)
    shown = text_of(client.get("/customers/new/"))
    label = "They agree to texts from Atelier Ana about new pieces and events. Msg & data rates may apply; reply STOP to stop."
    assert label in shown

    response = client.post(
        "/customers/new/",
        {
            "first_name": " Zsófia ",
            "last_name": "Kiss",
            "reach": "phone",
            "phone": "(914) 555-0142",
            "email": "",
            "consent_sms": "on",
            "source": "walk_in",
        },
    )

    with scope(store=world.a):
        customer = Customer.objects.get()
        assert response.status_code == 302
        assert response["Location"] == f"/customers/{customer.pk}/"
        assert (customer.first_name, customer.last_name, customer.source) == ("Zsófia", "Kiss", "walk_in")
        assert list(customer.phones.values_list("e164", flat=True)) == ["+19145550142"]
        assert list(customer.emails.all()) == []
        event = ConsentEvent.objects.get()
        assert (event.channel, event.purpose, event.action, event.method) == (
            "sms",
            "marketing",
            "granted",
            "in_person",
        )
        assert event.evidence_text == label
        assert event.staff_user == world.a_associate.user
        assert event.evidence_url == "http://testserver/customers/new/"
        assert event.evidence_ip == "127.0.0.1"
        assert customer.created_by == world.a_associate.user
    profile = client.get(response["Location"])
    assert "Zsófia Kiss is in the book." in text_of(profile)


def test_quick_add_by_email_records_email_consent_only(world: World):
    client = browser_client(world.a_associate)
    response = client.post(
        "/customers/new/",
        {
            "first_name": "Lena",
            "last_name": "",
            "reach": "email",
            "phone": "",
            "email": "Lena@Example.COM",
            "consent_email": "on",
            "consent_sms": "on",
            "source": "trade_show",
        },
    )
    assert response.status_code == 302
    with scope(store=world.a):
        customer = Customer.objects.get()
        assert list(customer.emails.values_list("address", flat=True)) == ["lena@example.com"]
        assert list(customer.phones.all()) == []
        assert customer.source == "trade_show"
        assert list(ConsentEvent.objects.values_list("channel", "evidence_text")) == [
            (
                "email",
                "They agree to emails from Atelier Ana about new pieces and events; they can unsubscribe at any time.",
            ),
        ]


def test_quick_add_without_a_tick_records_no_consent(world: World):
    browser_client(world.a_associate).post(
        "/customers/new/",
        {
            "first_name": "Noa",
            "reach": "phone",
            "phone": "+1 212 555 0100",
            "source": "walk_in",
        },
    )
    with scope(store=world.a):
        assert Customer.objects.count() == 1
        assert ConsentEvent.objects.count() == 0


@pytest.mark.parametrize(
    ("data", "field", "message"),
    [
        ({"first_name": "", "last_name": ""}, "first_name", "Enter a first or last name."),
        ({"first_name": "A" * 101}, "first_name", "Use at most 100 characters (this has 101)."),
        ({"last_name": "B" * 150}, "last_name", "Use at most 100 characters (this has 150)."),
        (
            {"phone": "12"},
            "phone",
            "“12” is not a valid phone number (United States). Add the country code, like +1 201-555-0123.",
        ),
        (
            {"phone": "call me maybe"},
            "phone",
            "“call me maybe” is not a phone number. Use the international format, like +1 201-555-0123.",
        ),
        (
            {"reach": "email", "email": "not-an-email"},
            "email",
            "“not-an-email” is not a valid email address: An email address must have an @-sign.",
        ),
        ({"source": "billboard"}, "source", "Select a valid choice. billboard is not one of the available choices."),
        ({"reach": "fax"}, "reach", "Select a valid choice. fax is not one of the available choices."),
    ],
)
def test_quick_add_bad_input_is_named_beside_the_field_and_the_rest_is_kept(
    world: World, data: dict[str, str], field: str, message: str
):
    post = {
        "first_name": "Zsófia",
        "last_name": "Kiss",
        "reach": "phone",
        "phone": "(914) 555-0142",
        "email": "",
        "consent_sms": "on",
        "source": "walk_in",
        **data,
    }

    response = browser_client(world.a_associate).post("/customers/new/", post)

    assert response.status_code == 400
    assert error_of(response, f"id_{field}") == message
    assert 'aria-invalid="true"' in field_html(response, field)
    if field == "reach":
        assert '<fieldset class="reach" aria-describedby="id_reach_error">' in response.content.decode()
    else:
        assert f'aria-describedby="id_{field}_error"' in field_html(response, field)
    for kept in ("first_name", "last_name", "phone"):
        if post[kept] and kept != field:
            assert f'value="{post[kept]}"' in field_html(response, kept)
    assert "checked" in field_html(response, "consent_sms")
    with scopes_disabled():
        assert Customer.objects.count() == 0
        assert ConsentEvent.objects.count() == 0


def test_quick_add_with_a_known_phone_offers_the_existing_customer(world: World):
    existing = make_customer(
        world.a,
        world.a_owner,
        first_name="Katalin",
        last_name="Szirmay",
        phones=["+1 914 555 0142"],
        emails=["kati@example.com"],
    )
    client = browser_client(world.a_associate)

    response = client.post(
        "/customers/new/",
        {
            "first_name": "Kati",
            "last_name": "Szirmay",
            "reach": "phone",
            "phone": "914.555.0142",
            "consent_sms": "on",
            "source": "walk_in",
        },
    )

    assert response.status_code == 409
    text = text_of(response)
    assert (
        "Already in the book? This phone or email belongs to a customer you have: KS Katalin Szirmay (914) 555-0142 · kati@example.com Open this customer Save as a new customer anyway"
        in text
    )
    html = response.content.decode()
    assert f'<a class="btn" href="/customers/{existing.pk}/">Open this customer</a>' in html
    with scopes_disabled():
        assert Customer.objects.count() == 1

    # The deliberate second button re-sends what was typed, with allow_duplicate.
    anyway = html.split('class="duplicate-anyway"')[1].split("</form>")[0]
    hidden = dict(re.findall(r'<input type="hidden" name="(\w+)" value="([^"]*)">', anyway))
    assert hidden == {
        "csrfmiddlewaretoken": hidden["csrfmiddlewaretoken"],
        "first_name": "Kati",
        "last_name": "Szirmay",
        "reach": "phone",
        "phone": "914.555.0142",
        "email": "",
        "consent_sms": "on",
        "source": "walk_in",
        "allow_duplicate": "1",
    }
    saved = client.post("/customers/new/", hidden)
    assert saved.status_code == 302
    with scope(store=world.a):
        copy = Customer.objects.exclude(pk=existing.pk).get()
        assert saved["Location"] == f"/customers/{copy.pk}/"
        assert list(copy.phones.values_list("e164", flat=True)) == ["+19145550142"]
        assert ConsentEvent.objects.filter(customer=copy).count() == 1


def test_quick_add_duplicates_are_looked_for_in_this_store_only(world: World):
    make_customer(world.b, world.b_owner, first_name="Luc", phones=["+1 914 555 0142"])
    response = browser_client(world.a_associate).post(
        "/customers/new/",
        {
            "first_name": "Luc",
            "reach": "phone",
            "phone": "+1 914 555 0142",
            "source": "walk_in",
        },
    )
    assert response.status_code == 302


def test_quick_add_by_email_finds_the_duplicate_whatever_the_case(world: World):
    make_customer(world.a, world.a_owner, first_name="Lena", emails=["lena@example.com"])
    response = browser_client(world.a_associate).post(
        "/customers/new/",
        {
            "first_name": "Lena",
            "reach": "email",
            "email": "LENA@example.com",
            "source": "walk_in",
        },
    )
    assert response.status_code == 409
    assert "Lena Customer lena@example.com Open this customer" in text_of(response)


# ---------------------------------------------------------------- profile


def test_profile_shows_the_whole_customer_in_the_store_format(world: World):
    customer = make_rich_customer(world)

    response = browser_client(world.a_associate).get(f"/customers/{customer.pk}/")

    assert response.status_code == 200
    text = text_of(response)
    html = response.content.decode()
    for expected in [
        f"KS Kati Szirmay Katalin Szirmay, goes by Kati Associate: Ali Associate · Customer no. {customer.pk} Profile 100% complete",
        "(914) 555-0142 Mobile · primary",
        "+44 20 7946 0958 Work",
        "katalin.szirmay@example.com Personal",
        "Birthday March 12, 1984 Partner Gábor Szirmay Address 221 East 71st Street Apartment 4B New York, NY 10021 "
        "Prefers Text message · Hungarian Time zone Europe/Budapest · their time",
        "Anniversary June 14, 2009",
        "Mother's birthday November 2",
        "Metal Platinum × Rose gold × Stone Sapphire × Tanzanite × Style Art deco × Designer Cartier × Other Pearls for her mother ×",
        "Bracelet 17 cm × Ring 6.5 US · left ring finger ×",
        "$12,830.50 lifetime spend 3 purchases",
        "✓ Agreed Text message · marketing",
        "✕ Withdrawn Email · marketing",
        "No answer yet: WhatsApp, Phone call, Post",
        "“They agree to texts from Atelier Ana about new pieces and events.”",
        "Preferred channel: Email → changed to Text message Assigned associate: Ali Associate",
        "Size added: Bracelet 17 cm Size added: Ring 6.5 US Interest added: Other: Pearls for her mother",
        "Important date added: Mother's birthday, November 2 Important date added: Anniversary, June 14, 2009",
        "Tanzanite pendant on a rose gold chain",
        "Sapphire halo ring, platinum R-1021",
    ]:
        assert expected in text, expected
    assert '<a class="contact-link" href="tel:+19145550142">' in html
    assert '<span class="contact-link"><span class="contact-value">katalin.szirmay@' in html
    assert "mailto:" not in html  # an email goes through the inbox, not the phone's mail app
    assert f'<a href="/customers/{customer.partner_id}/">Gábor Szirmay</a>' in html
    assert '<progress id="completeness" max="100" value="100">' in html


def test_timeline_is_newest_first_with_who_and_when(world: World):
    customer = make_rich_customer(world)
    response = browser_client(world.a_associate).get(f"/customers/{customer.pk}/")
    kinds = re.findall(r'<li class="tl tl-(\w+)">', response.content.decode())
    # The associate's interests and sizes added together read as one change; the owner's dates as another.
    assert kinds == [
        "edit",
        "note",
        "consent",
        "note",
        "purchase",
        "consent",
        "note",
        "purchase",
        "edit",
        "edit",
        "purchase",
        "created",
        "consent",
    ]
    titles_ = re.findall(r'<strong class="tl-title">(.*?)</strong>', response.content.decode())
    assert titles_[:3] == ["Profile changed", "Note", "Consent withdrawn: Email · marketing"]
    assert re.search(
        r'<span class="tl-meta"><time datetime="[^"]+">\w{3} \d{1,2}, \d{4}, \d{1,2}:\d{2}\u202f[AP]M</time> · Ali Associate</span>',
        response.content.decode(),
    )


def test_a_long_timeline_shows_the_latest_hundred_and_says_so(world: World):
    customer = make_customer(world.a, world.a_owner, first_name="Ida", last_name="Regular")
    with scope(store=world.a):
        for i in range(100):
            services.note_create(store=world.a, actor=None, customer=customer, body=f"visit {i}")
    response = browser_client(world.a_associate).get(f"/customers/{customer.pk}/")
    html = response.content.decode()
    assert html.count('<li class="tl tl-note">') == 100
    assert "Added to the book" not in text_of(response)
    assert "Showing the latest 100 entries." in text_of(response)


def test_profile_names_what_is_missing(world: World):
    customer = make_customer(world.a, world.a_owner, first_name="Noa", last_name="Bare")
    text = text_of(browser_client(world.a_associate).get(f"/customers/{customer.pk}/"))
    assert (
        "Profile 15% complete Missing: phone, email, birthday, address, partner, anniversary or other date, interests, "
        "ring size, preferred channel, consent"
    ) in text
    assert "No phone or email yet." in text
    assert "No associate assigned" in text


def test_profile_with_lines_and_a_city_asks_for_the_country_not_an_address(world: World):
    customer = make_customer(
        world.a, world.a_owner, first_name="Noa", last_name="Cler", address_line1="12 Rue Cler", city="Paris"
    )
    text = text_of(browser_client(world.a_associate).get(f"/customers/{customer.pk}/"))
    assert "Missing: phone, email, birthday, country, partner," in text
    assert "12 Rue Cler" in text
    assert browser_client(world.b_owner).get(f"/customers/{customer.pk}/").status_code == 404
    assert "Nothing yet." not in text  # the creation is on the timeline
    assert "Added to the book" in text


def test_profile_of_a_french_store_uses_its_locale(world: World):
    import datetime as dt
    from decimal import Decimal

    from babel.numbers import format_currency

    customer = make_customer(
        world.b,
        world.b_owner,
        first_name="Luc",
        last_name="Bernard",
        phones=["01 42 68 53 00"],
        birthday_day=12,
        birthday_month=3,
        country="FR",
        city="Paris",
        postal_code="75008",
        address_line1="8 rue Royale",
    )
    with scope(store=world.b):
        services.purchase_create(
            store=world.b,
            actor=None,
            customer=customer,
            purchased_on=dt.date(2025, 3, 4),
            items=[{"description": "Bague"}],
            amount="12830.50",
        )
    text = text_of(browser_client(world.b_owner).get(f"/customers/{customer.pk}/"))
    assert "01 42 68 53 00" in text
    assert "12 mars" in text
    euros = format_currency(Decimal("12830.50"), "EUR", locale="fr_FR")
    assert euros == "12\u202f830,50\u00a0€"
    assert "12 830,50 € lifetime spend" in text  # text_of folds the narrow spaces into plain ones
    assert "4 mars 2025" in text
    assert "8 rue Royale 75008 Paris" in text


def _texted_in(world: World, captured: Any, body: str, sid: str, number: str) -> None:
    from trunkshow.messaging.services import message_receive

    with scope(store=world.a), captured(execute=True):
        message_receive(
            store=world.a, channel="sms", from_address=number, body=body, provider="sandbox", provider_id=sid
        )


def test_profile_messages_through_the_inbox_and_says_since_when_a_number_texted_stop(
    world: World, django_capture_on_commit_callbacks: Any
):
    number = "+12125550142"
    customer = make_customer(world.a, phones=[number], emails=["clara@example.com"])
    client = browser_client(world.a_associate)
    page = client.get(f"/customers/{customer.pk}/").content.decode()
    # No sms: or mailto: shortcut: a message from the phone's own apps leaves the inbox, the outbox and the checks.
    assert "sms:" not in page
    assert "mailto:" not in page
    assert f'<form id="message-form" class="quick-message" method="post" action="/inbox/start/{customer.pk}/">' in page
    assert "Opted out of texts" not in page

    with time_machine.travel(dt.datetime(2026, 3, 3, 17, 0, tzinfo=dt.UTC), tick=False):
        _texted_in(world, django_capture_on_commit_callbacks, "STOP", "SM1", number)
    page = client.get(f"/customers/{customer.pk}/").content.decode()
    quick = re.search(r'<div class="quick-actions" id="message">(.*?)\n  </div>', page, re.S)
    assert quick is not None
    words = re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", quick.group(1))).strip()
    assert words == "Message Call Opted out of texts since Mar 3, 2026 Edit profile"
    assert f'href="tel:{number}"' in page  # a call is still the customer's to take

    _texted_in(world, django_capture_on_commit_callbacks, "START", "SM2", number)
    page = client.get(f"/customers/{customer.pk}/").content.decode()
    assert "Opted out of texts" not in page


def test_profile_costs_a_fixed_number_of_queries_however_long_the_history(world: World, django_assert_max_num_queries):
    customer = make_rich_customer(world)
    client = browser_client(world.a_associate)
    client.get(f"/customers/{customer.pk}/")
    # session, user, membership; customer; staff; phones, emails, dates, interests, sizes, ledger;
    # timeline: creator, notes, purchases, consent, edits, merges, messages; names in the edits (associates, partners);
    # the first phone's text opt-out; the @mentions waiting for the reader (in the navigation);
    # whether "Message" can start anything: a conversation, else their addresses' opt-outs and withdrawals
    with django_assert_max_num_queries(24):
        assert client.get(f"/customers/{customer.pk}/").status_code == 200

    people = [world.a_owner, world.a_manager, world.a_associate]
    with scope(store=world.a):
        for i, channel in enumerate(["whatsapp", "phone", "post", "email", "sms"]):
            services.consent_record(
                store=world.a,
                actor=people[i % 3].user,
                customer=customer,
                grant=services.ConsentGrant(channel=channel, purpose="service"),
            )
            services.note_create(store=world.a, actor=people[i % 3].user, customer=customer, body=f"note {i}")
            services.customer_update(
                store=world.a,
                actor=people[i % 3].user,
                customer=customer,
                data={"assigned_associate_id": people[i % 3].user.pk, "city": f"City {i}"},
            )
    with django_assert_max_num_queries(24):
        assert client.get(f"/customers/{customer.pk}/").status_code == 200


# ---------------------------------------------------------------- edit


EDIT_FIELDS = {
    "first_name": "Katalin",
    "last_name": "Szirmay",
    "preferred_name": "Kati",
    "title": "",
    "address_line1": "",
    "address_line2": "",
    "city": "",
    "region": "",
    "postal_code": "",
    "country": "",
    "birthday_day": "",
    "birthday_month": "",
    "birthday_year": "",
    "partner_id": "",
    "partner_name": "",
    "partner_birthday_day": "",
    "partner_birthday_month": "",
    "partner_birthday_year": "",
    "preferred_channel": "",
    "language": "",
    "time_zone": "",
    "assigned_associate": "",
    "source": "walk_in",
}


def test_edit_form_starts_with_the_current_values(world: World):
    customer = make_rich_customer(world)
    response = browser_client(world.a_associate).get(f"/customers/{customer.pk}/edit/")
    assert response.status_code == 200
    assert 'value="Katalin"' in field_html(response, "first_name")
    assert 'value="12"' in field_html(response, "birthday_day")
    html = response.content.decode()
    assert '<option value="3" selected>March</option>' in html
    assert '<option value="US" selected>United States</option>' in html
    assert '<option value="hu" selected>Hungarian</option>' in html
    assert '<option value="Europe/Budapest" selected>Europe/Budapest</option>' in html
    assert f'<option value="{world.a_associate.user.pk}" selected>Ali Associate</option>' in html
    assert '<option value="referral" selected>Referral</option>' in html
    # Only this store's active staff can be assigned.
    options = re.findall(
        r"<option value=\"(\d*)\"[^>]*>([^<]*)</option>",
        html.split('name="assigned_associate"')[1].split("</select>")[0],
    )
    assert [name for _pk, name in options] == ["Nobody yet", "Ali Associate", "Ana Owner", "Max Manager"]


def test_edit_saves_every_field_and_the_timeline_says_what_changed(world: World):
    partner = make_customer(world.a, world.a_owner, first_name="Gábor", last_name="Szirmay")
    customer = make_customer(world.a, world.a_owner, first_name="Katalin", last_name="Szirmay")
    client = browser_client(world.a_associate)

    response = client.post(
        f"/customers/{customer.pk}/edit/",
        {
            **EDIT_FIELDS,
            "preferred_name": "Kati",
            "title": "Mme",
            "address_line1": "12 Rue de Rivoli",
            "city": "Paris",
            "postal_code": "75004",
            "country": "FR",
            "birthday_day": "29",
            "birthday_month": "2",
            "birthday_year": "",
            "partner_id": str(partner.pk),
            "preferred_channel": "whatsapp",
            "language": "fr",
            "time_zone": "Europe/Paris",
            "assigned_associate": str(world.a_manager.user.pk),
            "source": "trade_show",
        },
    )

    assert response.status_code == 302
    assert response["Location"] == f"/customers/{customer.pk}/"
    with scope(store=world.a):
        customer.refresh_from_db()
        assert (
            customer.preferred_name,
            customer.title,
            customer.address_line1,
            customer.city,
            customer.postal_code,
            customer.country,
        ) == ("Kati", "Mme", "12 Rue de Rivoli", "Paris", "75004", "FR")
        assert (customer.birthday_day, customer.birthday_month, customer.birthday_year) == (29, 2, None)
        assert customer.partner_id == partner.pk
        assert (customer.preferred_channel, customer.language, customer.time_zone) == ("whatsapp", "fr", "Europe/Paris")
        assert customer.assigned_associate_id == world.a_manager.user.pk
        assert customer.source == "trade_show"
        assert CustomerEdit.objects.get(customer=customer).actor == world.a_associate.user
    text = text_of(client.get(response["Location"]))
    assert "Saved the changes to Kati Szirmay." in text
    # The profile's head: the name they go by, then how a letter addresses them.
    assert "Kati Szirmay Mme Katalin Szirmay, goes by Kati" in text
    for line in [
        "Preferred name: Kati",
        "Title: Mme",
        "Address: 12 Rue de Rivoli",
        "City: Paris",
        "Postal code: 75004",
        "Country: France",
        "Birthday (day): 29",
        "Birthday (month): February",
        "Partner: Gábor Szirmay",
        "Preferred channel: WhatsApp",
        "Language: French",
        "Time zone: Europe/Paris",
        "Assigned associate: Max Manager",
        "How we met: Walk-in → changed to Trade show",
    ]:
        assert line in text, line
    assert "Birthday February 29" in text
    assert "12 Rue de Rivoli 75004 Paris France" in text


def test_edit_without_changes_says_nothing_changed(world: World):
    customer = make_customer(world.a, world.a_owner, first_name="Katalin", last_name="Szirmay", preferred_name="Kati")
    client = browser_client(world.a_associate)
    response = client.post(f"/customers/{customer.pk}/edit/", EDIT_FIELDS, follow=True)
    assert "Nothing changed." in text_of(response)
    with scope(store=world.a):
        assert CustomerEdit.objects.count() == 0


def test_a_customer_keeps_an_associate_who_has_left_when_another_field_is_edited(world: World):
    from trunkshow.stores.services import staff_set_active

    customer = make_customer(
        world.a,
        world.a_owner,
        first_name="Katalin",
        last_name="Szirmay",
        preferred_name="Kati",
        assigned_associate_id=world.a_associate.user.pk,
    )
    with scope(store=world.a):
        staff_set_active(
            store=world.a,
            actor=world.a_owner.user,
            actor_membership=world.a_owner.membership,
            membership=world.a_associate.membership,
            active=False,
        )
    client = browser_client(world.a_manager)
    page = client.get(f"/customers/{customer.pk}/edit/")
    assert f'<option value="{world.a_associate.user.pk}" selected>Ali Associate</option>' in page.content.decode()

    response = client.post(
        f"/customers/{customer.pk}/edit/",
        {**EDIT_FIELDS, "city": "Boston", "assigned_associate": str(world.a_associate.user.pk)},
    )

    assert response.status_code == 302
    with scope(store=world.a):
        customer.refresh_from_db()
        assert (customer.city, customer.assigned_associate_id) == ("Boston", world.a_associate.user.pk)
        assert CustomerEdit.objects.get().changes == {"city": ["", "Boston"]}


def test_edit_a_partner_by_name_with_their_birthday(world: World):
    customer = make_customer(world.a, world.a_owner, first_name="Katalin", last_name="Szirmay", preferred_name="Kati")
    client = browser_client(world.a_associate)
    client.post(
        f"/customers/{customer.pk}/edit/",
        {
            **EDIT_FIELDS,
            "partner_name": "Gábor Szirmay",
            "partner_birthday_day": "3",
            "partner_birthday_month": "7",
            "partner_birthday_year": "1980",
        },
    )
    text = text_of(client.get(f"/customers/{customer.pk}/"))
    assert "Partner Gábor Szirmay · birthday July 3, 1980" in text


@pytest.mark.parametrize(
    ("data", "field", "message"),
    [
        ({"birthday_day": "30", "birthday_month": "2"}, "birthday_day", "February has no day 30."),
        (
            {"birthday_day": "31", "birthday_month": "4", "birthday_year": "1990"},
            "birthday_day",
            "April 1990 has no day 31.",
        ),
        (
            {"birthday_day": "1", "birthday_month": "1", "birthday_year": "2999"},
            "birthday_day",
            "This date is in the future.",
        ),
        ({"birthday_day": "12"}, "birthday_day", "Give both the day and the month (the year is optional)."),
        (
            {"birthday_day": "32", "birthday_month": "1"},
            "birthday_day",
            "Ensure this value is less than or equal to 31.",
        ),
        (
            {"birthday_month": "13", "birthday_day": "1"},
            "birthday_month",
            "Select a valid choice. 13 is not one of the available choices.",
        ),
        (
            {"partner_birthday_day": "30", "partner_birthday_month": "2"},
            "partner_birthday_day",
            "February has no day 30.",
        ),
        ({"first_name": "", "last_name": ""}, "first_name", "Enter a first or last name."),
        ({"first_name": "K" * 101}, "first_name", "Use at most 100 characters (this has 101)."),
        ({"postal_code": "9" * 21}, "postal_code", "Use at most 20 characters (this has 21)."),
        ({"title": "M" * 31}, "title", "Use at most 30 characters (this has 31)."),
        ({"city": "Paris\nLyon"}, "city", "Remove the control characters or line breaks from this field."),
        (
            {"time_zone": "Mars/Olympus"},
            "time_zone",
            "Select a valid choice. Mars/Olympus is not one of the available choices.",
        ),
        ({"country": "XX"}, "country", "Select a valid choice. XX is not one of the available choices."),
        ({"partner_id": "999999"}, "partner_id", "No customer with this id in this store."),
        ({"partner_id": "abc"}, "partner_id", "Enter a whole number."),
    ],
)
def test_edit_bad_input_is_named_beside_the_field_and_nothing_changes(
    world: World, data: dict[str, str], field: str, message: str
):
    customer = make_customer(world.a, world.a_owner, first_name="Katalin", last_name="Szirmay", preferred_name="Kati")
    before = book(world.a)

    response = browser_client(world.a_associate).post(f"/customers/{customer.pk}/edit/", {**EDIT_FIELDS, **data})

    assert response.status_code == 400
    assert error_of(response, f"id_{field}") == message
    assert 'value="Kati"' in field_html(response, "preferred_name")
    assert book(world.a) == before


def test_edit_refuses_another_stores_customer_as_partner_and_oneself(world: World):
    other = make_customer(world.b, world.b_owner, first_name="Luc")
    customer = make_customer(world.a, world.a_owner, first_name="Katalin", last_name="Szirmay", preferred_name="Kati")
    client = browser_client(world.a_associate)
    foreign = client.post(f"/customers/{customer.pk}/edit/", {**EDIT_FIELDS, "partner_id": str(other.pk)})
    itself = client.post(f"/customers/{customer.pk}/edit/", {**EDIT_FIELDS, "partner_id": str(customer.pk)})
    assert error_of(foreign, "id_partner_id") == "No customer with this id in this store."
    assert error_of(itself, "id_partner_id") == "A customer cannot be their own partner."


def test_edit_refuses_staff_of_another_store_as_associate(world: World):
    customer = make_customer(world.a, world.a_owner, first_name="Katalin")
    response = browser_client(world.a_associate).post(
        f"/customers/{customer.pk}/edit/",
        {
            **EDIT_FIELDS,
            "first_name": "Katalin",
            "preferred_name": "",
            "assigned_associate": str(world.b_owner.user.pk),
        },
    )
    assert response.status_code == 400
    assert error_of(response, "id_assigned_associate") == (
        f"Select a valid choice. {world.b_owner.user.pk} is not one of the available choices."
    )


def test_partner_picker_lists_matching_customers_but_not_the_customer_themself(world: World):
    me = make_customer(world.a, world.a_owner, first_name="Katalin", last_name="Szirmay")
    gabor = make_customer(world.a, world.a_owner, first_name="Gábor", last_name="Szirmay")
    make_customer(world.b, world.b_owner, first_name="Gabor", last_name="Szirmay")
    response = browser_client(world.a_associate).get("/customers/pick/", {"q": "szirmay", "exclude": str(me.pk)})
    assert [t.name for t in response.templates] == ["customers/_pick_results.html"]
    assert re.findall(r'data-id="(\d+)" data-name="([^"]+)"', response.content.decode()) == [
        (str(gabor.pk), "Gábor Szirmay")
    ]


@pytest.mark.parametrize(
    ("channel", "address"), [("email", "paolo.verdi@example.it"), ("sms", "+12125550177"), ("webchat", "")]
)
def test_someone_who_first_wrote_in_is_said_to_have_written_to_us_not_to_have_chatted(
    world: World, channel: str, address: str
):
    """Found by a new user: a customer made by their first email or text showed "How we met: Chat"."""
    from trunkshow.messaging.services import message_receive

    with scope(store=world.a):
        if channel == "webchat":
            customer = services.customer_create(
                store=world.a, actor=None, first_name="Nora", emails=["nora@example.com"], source="chat"
            )
        else:
            message, _created = message_receive(
                store=world.a,
                channel=channel,
                from_address=address,
                body="Hello, a question about a pendant",
                provider="sandbox",
                provider_id=f"first-{channel}",
                name="Paolo Verdi",
            )
            customer = message.conversation.customer

    text = text_of(browser_client(world.a_associate).get(f"/customers/{customer.pk}/"))

    assert "How we met Wrote to us ·" in text
    assert "How we met: Wrote to us" in text  # the timeline's "Added to the book"
    assert "Chat" not in text
