"""The staff pages for merge, data download and erasure: roles, bad input, the happy paths."""

from __future__ import annotations

import io
import json
from typing import Any

import pytest
from django_scopes import scope, scopes_disabled
from PIL import Image

from tests.conftest import World, browser_client, make_customer
from trunkshow.core.models import AuditEntry
from trunkshow.core.templatetags.trunkshow import store_day
from trunkshow.customers.models import Customer, CustomerMerge
from trunkshow.customers.privacy import customer_erase
from trunkshow.messaging.models import Conversation
from trunkshow.messaging.photos import photo_prepare
from trunkshow.messaging.services import message_receive, message_send


def _two(world: World) -> tuple[Customer, Customer]:
    keep = make_customer(
        world.a, world.a_owner, first_name="Katherine", last_name="Szirmay", phones=["+19145550142"], city=""
    )
    other = make_customer(
        world.a,
        world.a_owner,
        first_name="Kate",
        last_name="Szirmai",
        phones=["+12125550100"],
        emails=["kate@example.com"],
        address_line1="9 Elm St",
        city="Boston",
        region="MA",
        postal_code="02110",
        country="US",
    )
    return keep, other


def _state() -> Any:
    with scopes_disabled():
        return (
            list(Customer.objects.order_by("id").values()),
            CustomerMerge.objects.count(),
            sorted(AuditEntry.objects.values_list("action", flat=True)),
        )


def test_profile_offers_the_record_actions_to_owners_and_managers_only(world: World):
    keep, _other = _two(world)
    for person, shown in ((world.a_owner, True), (world.a_manager, True), (world.a_associate, False)):
        html = browser_client(person).get(f"/customers/{keep.pk}/").content.decode()
        assert ("Merge with…" in html) is shown
        assert ("Download data (JSON)" in html) is shown
        assert ("Erase personal data" in html) is shown


@pytest.mark.parametrize(
    ("method", "path", "reason"),
    [
        ("get", "/customers/{keep}/merge/", "Only owners and managers can merge customers."),
        ("get", "/customers/{keep}/merge/{other}/", "Only owners and managers can merge customers."),
        ("post", "/customers/{keep}/merge/{other}/", "Only owners and managers can merge customers."),
        (
            "post",
            "/customers/{keep}/data.json",
            "Only owners and managers can download a customer&#x27;s personal data.",
        ),
        ("get", "/customers/{keep}/erase/", "Only owners and managers can erase a customer&#x27;s personal data."),
        ("post", "/customers/{keep}/erase/", "Only owners and managers can erase a customer&#x27;s personal data."),
    ],
)
def test_associates_are_refused_with_the_reason(world: World, method, path, reason):
    keep, other = _two(world)
    before = _state()
    response = getattr(browser_client(world.a_associate), method)(
        path.format(keep=keep.pk, other=other.pk), {"confirm_name": "Katherine Szirmay"} if method == "post" else {}
    )
    assert response.status_code == 403
    assert reason in response.content.decode()
    assert _state() == before


def test_merge_start_checks_the_other_number(world: World):
    keep, other = _two(world)
    client = browser_client(world.a_manager)
    assert client.get(f"/customers/{keep.pk}/merge/").status_code == 200
    same = client.get(f"/customers/{keep.pk}/merge/", {"other": keep.pk})
    assert same.status_code == 400
    assert "This is the same customer; choose the other record of this person." in same.content.decode()
    unknown = client.get(f"/customers/{keep.pk}/merge/", {"other": 987654})
    assert unknown.status_code == 400
    assert "No customer no. 987654 in this store." in unknown.content.decode()
    garbage = client.get(f"/customers/{keep.pk}/merge/", {"other": "x"})
    assert garbage.status_code == 400
    assert "Enter a whole number." in garbage.content.decode()
    erased = make_customer(world.a, world.a_owner, first_name="Gone")
    with scope(store=world.a):
        customer_erase(store=world.a, actor=None, customer=erased)
        erased.refresh_from_db()
    refused = client.get(f"/customers/{keep.pk}/merge/", {"other": erased.pk})
    assert refused.status_code == 400
    assert (
        f"Customer no. {erased.pk} was erased on {store_day(world.a, erased.erased_at)}; "
        "there is nothing left to merge."
    ) in refused.content.decode()
    # Straight to the comparison with an erased record: back to the choice, with the reason.
    back = client.get(f"/customers/{keep.pk}/merge/{erased.pk}/")
    assert back.status_code == 302
    assert back["Location"] == f"/customers/{keep.pk}/merge/?other={erased.pk}"
    found = client.get(f"/customers/{keep.pk}/merge/", {"other": other.pk})
    assert found.status_code == 302
    assert found["Location"] == f"/customers/{keep.pk}/merge/{other.pk}/"


def test_merge_page_shows_the_differences_and_merges_with_the_choices(world: World):
    keep, other = _two(world)
    client = browser_client(world.a_manager)
    page = client.get(f"/customers/{keep.pk}/merge/{other.pk}/")
    html = page.content.decode()
    assert page.status_code == 200
    for text in ("Katherine", "Kate", "Szirmay", "Szirmai", "9 Elm St", "Boston, MA 02110", "Not recorded"):
        assert text in html, text
    assert "Phones: (914) 555-0142, (212) 555-0100" in html
    assert "Emails: kate@example.com" in html
    response = client.post(
        f"/customers/{keep.pk}/merge/{other.pk}/", {"first_name": "kept", "last_name": "taken", "address": "taken"}
    )
    assert response.status_code == 302
    assert response["Location"] == f"/customers/{keep.pk}/"
    with scope(store=world.a):
        keep.refresh_from_db()
        assert (keep.first_name, keep.last_name, keep.city) == ("Katherine", "Szirmai", "Boston")
        assert not Customer.objects.filter(pk=other.pk).exists()
    profile = client.get(f"/customers/{keep.pk}/").content.decode()
    assert "Records merged" in profile
    assert f"Kate Szirmai (no. {other.pk}) was merged into this record." in profile
    assert "Taken from that record:" in profile
    assert "<li>Last name: Szirmai (was Szirmay)</li>" in profile
    assert "<li>Address: 9 Elm St, Boston, MA, 02110, US</li>" in profile
    assert f"Merged customer no. {other.pk} into Katherine Szirmai." in profile


def test_merge_page_refuses_an_unknown_choice_and_changes_nothing(world: World):
    keep, other = _two(world)
    before = _state()
    response = browser_client(world.a_owner).post(f"/customers/{keep.pk}/merge/{other.pk}/", {"first_name": "both"})
    assert response.status_code == 400
    assert "Select a valid choice. both is not one of the available choices." in response.content.decode()
    assert _state() == before


def test_download_is_a_json_attachment_and_audited(world: World):
    keep, _other = _two(world)
    client = browser_client(world.a_owner)
    response = client.post(f"/customers/{keep.pk}/data.json")
    assert response.status_code == 200
    assert response["Content-Disposition"] == f'attachment; filename="customer-{keep.pk}-data.json"'
    data = json.loads(response.content)
    assert (data["customer"]["id"], data["customer"]["first_name"]) == (keep.pk, "Katherine")
    with scopes_disabled():
        assert AuditEntry.objects.filter(action="trunkshow.customer.exported", object_id=str(keep.pk)).count() == 1


def test_opening_the_data_download_as_a_link_explains_and_leads_back_to_the_customer(world: World):
    keep, _other = _two(world)
    client = browser_client(world.a_owner)
    response = client.get(f"/customers/{keep.pk}/data.json")
    assert (response.status_code, response["Allow"], response["Content-Type"]) == (
        405,
        "POST",
        "text/html; charset=utf-8",
    )
    page = response.content.decode()
    assert "This address is a button’s action" in page
    assert "Nothing was changed." in page
    assert f'<a class="btn btn-secondary" href="/customers/{keep.pk}/">Go back</a>' in page
    # From a page of ours, back is where they came from.
    came_from = client.get(
        f"/customers/{keep.pk}/data.json", HTTP_REFERER=f"http://testserver/customers/{keep.pk}/erase/"
    )
    assert f'href="/customers/{keep.pk}/erase/">Go back</a>' in came_from.content.decode()
    with scopes_disabled():
        assert not AuditEntry.objects.filter(action="trunkshow.customer.exported").exists()


def test_the_erase_page_lists_the_conversations_messages_and_photos_it_removes(world: World, settings, tmp_path):
    settings.ATTACHMENTS_DIR = tmp_path / "attachments"
    clara = make_customer(world.a, world.a_owner, phones=["+19145550142"])
    image = io.BytesIO()
    Image.new("RGB", (40, 30), (200, 30, 30)).save(image, "JPEG")
    with scope(store=world.a):
        message_receive(
            store=world.a,
            channel="sms",
            from_address="+19145550142",
            to_address="+15005550006",
            body="Can I see the ring?",
            provider="sandbox",
            provider_id="SMerase1",
        )
        conversation = Conversation.objects.get(customer=clara)
        message_send(
            store=world.a,
            actor=world.a_owner.user,
            conversation=conversation,
            body="Here it is",
            photos=[photo_prepare(image, filename="ring.jpg")],
        )
    page = browser_client(world.a_owner).get(f"/customers/{clara.pk}/erase/").content.decode()
    removed, _sep, stays = " ".join(page.split()).partition("What stays")
    assert (
        "1 conversation in the inbox, with 2 messages (your team’s notes in them too), 1 photo or file and the "
        "providers’ delivery records; they no longer count in response times" in removed
    )
    assert f"Customer no. {clara.pk} without a name, with how you met" in stays
    assert "An entry in the audit log saying who erased them and when, with these counts only" in stays


@pytest.mark.parametrize("typed", ["Owen O’Brien", "owen o‘brien", "Owen Oʼbrien", "OWEN O´BRIEN", "Owen O`Brien"])
def test_erase_confirmation_takes_any_apostrophe_an_iphone_or_a_keyboard_types(world: World, typed: str):
    owen = make_customer(world.a, world.a_owner, first_name="Owen", last_name="O'Brien", phones=["+19145550143"])
    client = browser_client(world.a_owner)
    other_store = browser_client(world.b_owner).post(f"/customers/{owen.pk}/erase/", {"confirm_name": typed})
    assert other_store.status_code == 404
    done = client.post(f"/customers/{owen.pk}/erase/", {"confirm_name": typed})
    assert done.status_code == 302
    with scope(store=world.a):
        owen.refresh_from_db()
    assert owen.erased_at is not None


def test_erase_confirmation_takes_any_dash_and_spacing_but_not_another_name(world: World):
    ann = make_customer(world.a, world.a_owner, first_name="Ann", last_name="Lloyd-Jones", phones=["+19145550144"])
    client = browser_client(world.a_owner)
    before = _state()
    wrong = client.post(f"/customers/{ann.pk}/erase/", {"confirm_name": "Ann Lloyd Jones"})
    assert wrong.status_code == 400
    assert "That is not the customer’s name. Type “Ann Lloyd-Jones” as shown" in wrong.content.decode()
    assert _state() == before
    done = client.post(f"/customers/{ann.pk}/erase/", {"confirm_name": " ann  lloyd – jones "})
    assert done.status_code == 302


def test_erase_needs_the_name_typed_then_the_customer_is_gone(world: World):
    keep, _other = _two(world)
    client = browser_client(world.a_owner)
    page = client.get(f"/customers/{keep.pk}/erase/").content.decode()
    for text in ("What is removed, for good", "<li>1 phone number</li>", "This cannot be undone.", "$0.00"):
        assert text in page, text
    removed = page.partition("What stays")[0]
    for nothing in ("email address", "conversation", "0 notes", "consent record"):  # none to remove: not listed
        assert nothing not in removed, nothing
    assert "<li>The change history, and their lines in import files still stored</li>" in removed
    before = _state()
    wrong = client.post(f"/customers/{keep.pk}/erase/", {"confirm_name": "Kate Szirmai"})
    assert wrong.status_code == 400
    assert (
        "That is not the customer’s name. Type “Katherine Szirmay” as shown (capitals and accents do not matter)."
        in wrong.content.decode()
    )
    assert _state() == before
    done = client.post(f"/customers/{keep.pk}/erase/", {"confirm_name": "  katherine   SZIRMAY "})
    assert done.status_code == 302
    assert done["Location"] == "/customers/"
    listing = client.get("/customers/").content.decode()
    assert "Szirmay" not in listing
    assert f"The personal data of customer no. {keep.pk} was erased." in listing
    assert "Kate Szirmai" in listing
    with scope(store=world.a):
        keep.refresh_from_db()
    for path in (f"/customers/{keep.pk}/", f"/customers/{keep.pk}/erase/", f"/customers/{keep.pk}/edit/"):
        gone = client.get(path)
        assert gone.status_code == 410, path
        assert "This customer was erased" in gone.content.decode()
    again = client.post(f"/customers/{keep.pk}/erase/", {"confirm_name": "Katherine Szirmay"})
    assert again.status_code == 410
    # The search forgives a typo: "Szirmay" offers the other record (Kate Szirmai), never the erased one.
    picked = client.get("/customers/pick/", {"q": "Szirmay"}).content.decode()
    assert (picked.count("data-id="), f'data-id="{_other.pk}"' in picked) == (1, True)


# ---------------------------------------------------------------- two people, not one


def test_compare_page_warns_when_the_two_look_like_different_people_and_still_merges(world: World):
    marta = make_customer(
        world.a, world.a_owner, first_name="Märta", last_name="Åkesson", birthday_day=14, birthday_month=6
    )
    bjorn = make_customer(
        world.a, world.a_owner, first_name="Björn", last_name="Åkesson", birthday_day=2, birthday_month=3
    )
    client = browser_client(world.a_owner)
    page = client.get(f"/customers/{marta.pk}/merge/{bjorn.pk}/")
    assert page.status_code == 200
    html = page.content.decode()
    assert "These may be two different people" in html
    assert "First name: Märta (stays), Björn (merged in)." in html
    assert "Birthday: June 14 (stays), March 2 (merged in)." in html
    response = client.post(f"/customers/{marta.pk}/merge/{bjorn.pk}/", {"first_name": "kept", "birthday": "kept"})
    assert response.status_code == 302
    with scope(store=world.a):
        assert not Customer.objects.filter(pk=bjorn.pk).exists()


def test_compare_page_does_not_warn_about_one_name_written_two_ways(world: World):
    marta = make_customer(
        world.a, world.a_owner, first_name="Märta", last_name="Åkesson", birthday_day=14, birthday_month=6
    )
    again = make_customer(
        world.a,
        world.a_owner,
        first_name="MARTA",
        last_name="Akesson",
        birthday_day=14,
        birthday_month=6,
        birthday_year=1980,
    )
    html = browser_client(world.a_owner).get(f"/customers/{marta.pk}/merge/{again.pk}/").content.decode()
    assert "First name" in html  # a difference to choose between, but no doubt about the person
    assert "These may be two different people" not in html


def test_partners_are_marked_in_the_picker_and_refused_on_the_merge_pages(world: World):
    marta = make_customer(world.a, world.a_owner, first_name="Märta", last_name="Åkesson", phones=["+14155550101"])
    bjorn = make_customer(world.a, world.a_owner, first_name="Björn", last_name="Åkesson", partner_id=marta.pk)
    namesake = make_customer(world.a, world.a_owner, first_name="Märta", last_name="Åkesson", city="Malmö")
    client = browser_client(world.a_owner)
    picked = client.get("/customers/pick/", {"q": "akesson", "exclude": marta.pk}).content.decode()
    rows = {int(chunk.split('"', 1)[0]): chunk for chunk in picked.split('data-id="')[1:]}
    assert sorted(rows) == sorted([bjorn.pk, namesake.pk])
    assert f'data-number="Customer no. {bjorn.pk} · partner"' in rows[bjorn.pk]
    assert '<span class="badge badge-warn">partner</span>' in rows[bjorn.pk]
    assert "partner" not in rows[namesake.pk]
    assert f"Customer no. {namesake.pk} · Malmö" in rows[namesake.pk]

    before = _state()
    said = (
        f"Märta Åkesson (no. {marta.pk}) and Björn Åkesson (no. {bjorn.pk}) are each other&#x27;s partners: "
        "partners are two people, so their records are not merged."
    )
    start = client.get(f"/customers/{marta.pk}/merge/", {"other": bjorn.pk})
    assert start.status_code == 400
    assert said in start.content.decode()
    for method in (client.get, client.post):
        response = method(
            f"/customers/{marta.pk}/merge/{bjorn.pk}/", {"partner": "taken"} if method == client.post else {}
        )
        assert response.status_code == 302
        assert response["Location"] == f"/customers/{marta.pk}/merge/?other={bjorn.pk}"
    assert _state() == before
