"""The customer pages keep stores apart, refuse forged posts, and show what people type as text."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client
from django_scopes import scope

from tests.conftest import World, browser_client, make_customer
from tests.customers.test_api_support import book
from tests.customers.test_pages_support import text_of
from trunkshow.customers import services


def _customer_with_everything(world: World, store: Any, person: Any) -> dict[str, Any]:
    """A customer with one of each sub-object, and their ids."""
    customer = make_customer(
        store,
        person,
        first_name="Owned",
        last_name="Elsewhere",
        phones=["+33 1 42 68 53 00"],
        emails=["owned@example.org"],
    )
    with scope(store=store):
        return {
            "customer": customer.pk,
            "date": services.important_date_create(
                store=store, actor=None, customer=customer, kind="wedding", day=1, month=5
            ).pk,
            "interest": services.interest_add(
                store=store, actor=None, customer=customer, kind="stone", value="Opal"
            ).pk,
            "size": services.size_add(
                store=store, actor=None, customer=customer, kind="ring", system="EU", value="52"
            ).pk,
            "phone": customer.phones.get().pk,
            "email": customer.emails.get().pk,
        }


# (method, path template, form data): every page and action of a customer.
PAGES = [
    ("get", "/customers/{customer}/", {}),
    ("get", "/customers/{customer}/edit/", {}),
    ("post", "/customers/{customer}/edit/", {"first_name": "Hacked", "source": "walk_in"}),
    ("post", "/customers/{customer}/notes/", {"body": "Hacked"}),
    (
        "post",
        "/customers/{customer}/purchases/",
        {"purchased_on": "2025-01-01", "items": "Ring", "amount": "1", "currency": "EUR"},
    ),
    ("post", "/customers/{customer}/dates/", {"kind": "anniversary", "day": "1", "month": "1"}),
    ("post", "/customers/{customer}/dates/{date}/delete/", {}),
    ("post", "/customers/{customer}/interests/", {"kind": "stone", "value": "Hacked"}),
    ("post", "/customers/{customer}/interests/{interest}/delete/", {}),
    ("post", "/customers/{customer}/sizes/", {"kind": "ring", "system": "EU", "value": "50"}),
    ("post", "/customers/{customer}/sizes/{size}/delete/", {}),
    ("post", "/customers/{customer}/phones/", {"number": "+33 6 12 34 56 78", "label": "mobile"}),
    ("post", "/customers/{customer}/phones/{phone}/delete/", {}),
    ("post", "/customers/{customer}/emails/", {"address": "hacked@example.com", "label": "personal"}),
    ("post", "/customers/{customer}/emails/{email}/delete/", {}),
    (
        "post",
        "/customers/{customer}/consent/",
        {"action": "granted", "channel": "sms", "purpose": "marketing", "method": "staff"},
    ),
]
ALL_PAGES = [
    *PAGES,
    ("get", "/customers/", {}),
    ("get", "/customers/new/", {}),
    ("get", "/customers/pick/?q=a", {}),
    ("post", "/customers/new/", {"first_name": "X", "reach": "phone", "phone": "+1 212 555 0100", "source": "walk_in"}),
]


def _ids(case: tuple[str, str, dict[str, str]]) -> str:
    return f"{case[0].upper()} {case[1]}"


@pytest.mark.parametrize(("method", "path", "data"), PAGES, ids=[_ids(c) for c in PAGES])
def test_associate_cannot_reach_another_stores_customer_by_id(
    world: World, method: str, path: str, data: dict[str, str]
):
    theirs = _customer_with_everything(world, world.b, world.b_owner)
    before = book(world.b)

    response = getattr(browser_client(world.a_associate), method)(path.format(**theirs), data)

    assert response.status_code == 404
    assert "Elsewhere" not in response.content.decode()
    assert book(world.b) == before


@pytest.mark.parametrize(
    ("method", "path", "data"),
    [p for p in PAGES if "}/delete/" in p[1]],
    ids=[_ids(c) for c in PAGES if "}/delete/" in c[1]],
)
def test_another_stores_sub_object_under_our_own_customer_is_a_404(
    world: World, method: str, path: str, data: dict[str, str]
):
    theirs = _customer_with_everything(world, world.b, world.b_owner)
    ours = _customer_with_everything(world, world.a, world.a_owner)
    before_a, before_b = book(world.a), book(world.b)

    response = browser_client(world.a_associate).post(path.format(**{**theirs, "customer": ours["customer"]}))

    assert response.status_code == 404
    assert (book(world.a), book(world.b)) == (before_a, before_b)


@pytest.mark.parametrize(
    ("method", "path", "data"),
    [p for p in PAGES if "}/delete/" in p[1]],
    ids=[_ids(c) for c in PAGES if "}/delete/" in c[1]],
)
def test_a_sub_object_of_another_customer_of_the_same_store_is_a_404(
    world: World, method: str, path: str, data: dict[str, str]
):
    first = _customer_with_everything(world, world.a, world.a_owner)
    second = make_customer(world.a, world.a_owner, first_name="Second")
    before = book(world.a)

    response = browser_client(world.a_associate).post(path.format(**{**first, "customer": second.pk}))

    assert response.status_code == 404
    assert book(world.a) == before


@pytest.mark.parametrize("path", ["/customers/999999/", "/customers/999999/edit/", "/customers/0/"])
def test_an_unknown_customer_is_a_404(world: World, path: str):
    assert browser_client(world.a_associate).get(path).status_code == 404


@pytest.mark.parametrize(("method", "path", "data"), ALL_PAGES, ids=[_ids(c) for c in ALL_PAGES])
def test_every_page_sends_a_visitor_who_is_not_signed_in_to_the_login(
    world: World, method: str, path: str, data: dict[str, str]
):
    ours = _customer_with_everything(world, world.a, world.a_owner)
    before = book(world.a)

    response = getattr(Client(), method)(path.format(**ours), data)

    assert response.status_code == 302
    assert response["Location"].startswith("/login/?next=/customers/")
    assert book(world.a) == before


@pytest.mark.parametrize(
    ("method", "path", "data"),
    [p for p in ALL_PAGES if p[0] == "post"],
    ids=[_ids(c) for c in ALL_PAGES if c[0] == "post"],
)
def test_every_form_refuses_a_post_without_the_csrf_token(world: World, method: str, path: str, data: dict[str, str]):
    ours = _customer_with_everything(world, world.a, world.a_owner)
    before = book(world.a)
    client = Client(enforce_csrf_checks=True)
    client.force_login(world.a_associate.user)

    response = client.post(path.format(**ours), data)

    assert response.status_code == 403
    assert book(world.a) == before


def test_a_post_with_the_csrf_token_from_the_page_goes_through(world: World):
    ours = _customer_with_everything(world, world.a, world.a_owner)
    client = Client(enforce_csrf_checks=True)
    client.force_login(world.a_associate.user)
    page = client.get(f"/customers/{ours['customer']}/")
    token = page.content.decode().split('name="csrfmiddlewaretoken" value="')[1].split('"')[0]

    response = client.post(f"/customers/{ours['customer']}/notes/", {"body": "Fine", "csrfmiddlewaretoken": token})

    assert response.status_code == 302


SCRIPT = "<script>alert(1)</script>"
IMG = '<img src=x onerror="alert(2)">'


def test_html_and_script_typed_into_a_customer_are_shown_as_text_everywhere(world: World):
    evil = make_customer(
        world.a,
        world.a_owner,
        first_name=SCRIPT,
        last_name=IMG,
        preferred_name="</title><b>bold</b>",
        emails=["evil@example.com"],
        city="<i>Paris</i>",
        partner_name="<svg onload=alert(3)>",
    )
    with scope(store=world.a):
        services.note_create(store=world.a, actor=world.a_owner.user, customer=evil, body=f"Note {SCRIPT} {IMG}")
        services.interest_add(store=world.a, actor=None, customer=evil, kind="free", value="<u>x</u>")
        services.important_date_create(
            store=world.a, actor=None, customer=evil, kind="custom", label="<em>day</em>", day=1, month=2
        )
        services.consent_record(
            store=world.a,
            actor=None,
            customer=evil,
            grant=services.ConsentGrant(
                channel="sms", purpose="marketing", evidence_text=SCRIPT, evidence_url="javascript:alert(4)"
            ),
        )
        services.customer_update(store=world.a, actor=world.a_owner.user, customer=evil, data={"region": IMG})
    client = browser_client(world.a_associate)
    pages = {
        "list": client.get("/customers/"),
        "search": client.get("/customers/", {"q": "evil@example.com"}),
        "fragment": client.get("/customers/", {"q": "alert", "partial": "1"}),
        "profile": client.get(f"/customers/{evil.pk}/"),
        "edit": client.get(f"/customers/{evil.pk}/edit/"),
        "pick": client.get("/customers/pick/", {"q": "alert"}),
        "duplicate": client.post(
            "/customers/new/",
            {"first_name": "Copy", "reach": "email", "email": "evil@example.com", "source": "walk_in"},
        ),
    }
    for name, response in pages.items():
        html = response.content.decode()
        for raw in (
            SCRIPT,
            IMG,
            "<b>bold</b>",
            "<i>Paris</i>",
            "<svg onload",
            "<u>x</u>",
            "<em>day</em>",
            'href="javascript:',
        ):
            assert raw not in html, f"{raw!r} is live HTML on the {name} page"
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in pages["profile"].content.decode()
    assert f"Note {SCRIPT} {IMG}" in text_of(pages["profile"])
    assert f"</title><b>bold</b> {IMG} evil@example.com <u>x</u>" in text_of(pages["list"])  # preferred name first
    assert f"</title><b>bold</b> {IMG} evil@example.com Open this customer" in text_of(pages["duplicate"])
    assert f"{SCRIPT} {IMG}, goes by </title><b>bold</b>" in text_of(pages["profile"])
    assert f"State, province or region: {IMG}" in text_of(pages["profile"])


def test_a_note_keeps_its_line_breaks_as_text(world: World):
    c = make_customer(world.a, world.a_owner, first_name="Ida")
    with scope(store=world.a):
        services.note_create(store=world.a, actor=None, customer=c, body="one\n<br>two")
    html = browser_client(world.a_owner).get(f"/customers/{c.pk}/").content.decode()
    assert '<p class="body">one\n&lt;br&gt;two</p>' in html
