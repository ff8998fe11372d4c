"""The customers API: create, read, update, list, search and cursor paging, as an integration sees them."""

from __future__ import annotations

import pytest
from django_scopes import scope, scopes_disabled

from tests.conftest import World, api, make_customer
from tests.customers.test_api_support import BASE, assert_error, book, counts, get, patch, post
from trunkshow.core.api import encode_cursor
from trunkshow.customers.models import ConsentEvent, CustomerEdit


def test_owner_adds_a_customer_and_reads_back_exact_normalised_values(world: World):
    client = api(world.a_associate)
    response = post(
        client,
        "",
        {
            "first_name": "Zoë",
            "last_name": "Müller",
            "preferred_name": "Zo",
            "title": "  Mme ",
            "address_line1": "12 Rue de Rivoli",
            "city": "Paris",
            "postal_code": "75004",
            "country": "fr",
            "birthday_day": 29,
            "birthday_month": 2,
            "partner_name": "Hélène Dubois",
            "partner_birthday_day": 14,
            "partner_birthday_month": 7,
            "partner_birthday_year": 1984,
            "preferred_channel": "sms",
            "language": "fr",
            "time_zone": "Europe/Paris",
            "assigned_associate_id": world.a_associate.user.pk,
            "source": "trade_show",
            "phones": [{"number": "(914) 555-0142"}, {"number": "0044 20 7946 0958", "label": "work"}],
            "emails": [{"address": "Zoë@Example.COM"}],
            "interests": [{"kind": "stone", "value": "Sapphire"}, {"kind": "metal", "value": "Rose gold"}],
            "consents": [
                {"channel": "sms", "purpose": "marketing", "method": "in_person", "evidence_text": "Text me offers"}
            ],
        },
    )
    assert response.status_code == 201, response.content
    body = response.json()
    cid = body["id"]
    expected_consent = [
        {"channel": ch, "purpose": pu, "granted": (ch, pu) == ("sms", "marketing")}
        for ch in ("sms", "email", "whatsapp", "phone", "post")
        for pu in ("marketing", "service")
    ]
    assert [{k: s[k] for k in ("channel", "purpose", "granted")} for s in body["consent"]] == expected_consent
    with scope(store=world.a):
        event = ConsentEvent.objects.get(customer_id=cid)
    assert body["consent"][0]["since"] == event.occurred_at.isoformat(timespec="milliseconds").replace("+00:00", "Z")
    assert (event.evidence_ip, event.staff_user_id, event.method, event.evidence_text) == (
        "127.0.0.1",
        world.a_associate.user.pk,
        "in_person",
        "Text me offers",
    )
    phone_ids = [p["id"] for p in body["phones"]]
    for key in ("consent", "created_at", "updated_at"):
        body.pop(key)
    assert body == {
        "id": cid,
        "display_name": "Zo Müller",
        "first_name": "Zoë",
        "last_name": "Müller",
        "preferred_name": "Zo",
        "title": "Mme",
        "address_line1": "12 Rue de Rivoli",
        "address_line2": "",
        "city": "Paris",
        "region": "",
        "postal_code": "75004",
        "country": "FR",
        "birthday_day": 29,
        "birthday_month": 2,
        "birthday_year": None,
        "partner_id": None,
        "partner_name": "Hélène Dubois",
        "partner_birthday_day": 14,
        "partner_birthday_month": 7,
        "partner_birthday_year": 1984,
        "preferred_channel": "sms",
        "language": "fr",
        "time_zone": "Europe/Paris",
        "assigned_associate": {"id": world.a_associate.user.pk, "name": "Ali Associate"},
        "source": "trade_show",
        "phones": [
            {"id": phone_ids[0], "number": "+19145550142", "label": "mobile", "is_primary": True},
            {"id": phone_ids[1], "number": "+442079460958", "label": "work", "is_primary": False},
        ],
        "emails": [
            {"id": body["emails"][0]["id"], "address": "zoë@example.com", "label": "personal", "is_primary": True}
        ],
        "important_dates": [],
        "interests": [
            {"id": body["interests"][0]["id"], "kind": "metal", "value": "Rose gold"},
            {"id": body["interests"][1]["id"], "kind": "stone", "value": "Sapphire"},
        ],
        "sizes": [],
        "lifetime_spend": "0.00",
        "currency": "USD",
        "purchase_count": 0,
        "last_purchase_on": None,
        "completeness": {"score": 90, "missing": ["anniversary or other date", "ring size"]},
    }
    assert get(client, f"/{cid}").json()["phones"][0]["number"] == "+19145550142"


def test_a_phone_in_store_b_is_read_with_store_b_region(world: World):
    response = post(api(world.b_owner), "", {"first_name": "Luc", "phones": [{"number": "01 42 68 53 00"}]})
    assert response.status_code == 201
    assert [p["number"] for p in response.json()["phones"]] == ["+33142685300"]
    assert response.json()["currency"] == "EUR"


def test_names_with_html_are_stored_as_typed_and_returned_as_json_text(world: World):
    client = api(world.a_owner)
    script, image = "<script>alert(1)</script>", '<img src=x onerror="alert(1)">'
    created = post(client, "", {"first_name": script, "last_name": image})
    assert created.status_code == 201
    read = get(client, f"/{created.json()['id']}")
    assert read["Content-Type"] == "application/json; charset=utf-8"
    assert (read.json()["first_name"], read.json()["last_name"]) == (script, image)
    assert read.json()["display_name"] == f"{script} {image}"


def test_same_phone_in_another_format_answers_409_naming_the_existing_customer(world: World):
    existing = make_customer(world.a, world.a_owner, first_name="Ines", phones=["+1 914 555 0142"])
    other = make_customer(world.a, world.a_owner, first_name="Ida", emails=["ida@example.com"])
    before = book(world.a)
    response = post(
        api(world.a_owner),
        "",
        {"first_name": "Ines", "phones": [{"number": "(914) 555-0142"}], "emails": [{"address": "IDA@example.com"}]},
    )
    error = assert_error(response, 409, "duplicate", fields=[])
    assert error["existing"] == [existing.pk, other.pk]
    assert book(world.a) == before


def test_allow_duplicate_adds_a_second_customer_with_the_same_phone(world: World):
    make_customer(world.a, world.a_owner, phones=["+19145550142"])
    response = post(
        api(world.a_owner), "", {"first_name": "Ines", "phones": [{"number": "914 555 0142"}], "allow_duplicate": True}
    )
    assert response.status_code == 201
    assert counts(world.a)["customer"] == 2


def test_a_phone_known_only_in_another_store_is_not_a_duplicate(world: World):
    make_customer(world.b, world.b_owner, phones=["+19145550142"])
    response = post(api(world.a_owner), "", {"first_name": "Ines", "phones": [{"number": "(914) 555-0142"}]})
    assert response.status_code == 201


def test_patch_changes_only_the_fields_sent_and_records_the_edit(world: World):
    customer = make_customer(
        world.a, world.a_owner, first_name="Clara", last_name="Berg", birthday_day=3, birthday_month=5, city="Boston"
    )
    client = api(world.a_manager)
    response = patch(client, f"/{customer.pk}", {"preferred_name": "Clarita", "birthday_year": 1990})
    assert response.status_code == 200, response.content
    body = response.json()
    assert (body["first_name"], body["preferred_name"], body["city"]) == ("Clara", "Clarita", "Boston")
    assert (body["birthday_day"], body["birthday_month"], body["birthday_year"]) == (3, 5, 1990)
    with scope(store=world.a):
        edit = CustomerEdit.objects.get(customer=customer)
    assert edit.changes == {"preferred_name": ["", "Clarita"], "birthday_year": [None, 1990]}
    assert edit.actor_id == world.a_manager.user.pk

    cleared = patch(client, f"/{customer.pk}", {"preferred_name": None, "preferred_channel": "email"}).json()
    assert (cleared["preferred_name"], cleared["display_name"], cleared["preferred_channel"]) == (
        "",
        "Clara Berg",
        "email",
    )


def test_patch_with_nothing_sent_changes_nothing(world: World):
    customer = make_customer(world.a, world.a_owner)
    before = book(world.a)
    assert patch(api(world.a_owner), f"/{customer.pk}", {}).status_code == 200
    assert book(world.a) == before


def test_partner_can_be_another_customer_of_the_store(world: World):
    partner = make_customer(world.a, world.a_owner, first_name="Paul", last_name="Berg")
    response = post(api(world.a_owner), "", {"first_name": "Clara", "last_name": "Berg", "partner_id": partner.pk})
    assert response.status_code == 201
    assert response.json()["partner_id"] == partner.pk
    assert get(api(world.a_owner), f"/{partner.pk}").json()["partner_id"] == response.json()["id"]


# ---- the list: search, filters, paging ------------------------------------------------------


def _names(response) -> list[str]:
    assert response.status_code == 200, response.content
    return [row["display_name"] for row in response.json()["items"]]


def test_list_rows_carry_the_primary_contact_and_spend(world: World):
    c = make_customer(
        world.a,
        world.a_owner,
        first_name="Zoë",
        last_name="Müller",
        phones=["(914) 555-0142"],
        emails=["z@example.com"],
    )
    assert get(api(world.a_owner), "").json() == {
        "next_cursor": None,
        "items": [
            {
                "id": c.pk,
                "display_name": "Zoë Müller",
                "first_name": "Zoë",
                "last_name": "Müller",
                "preferred_name": "",
                "phone": "+19145550142",
                "email": "z@example.com",
                "assigned_associate_id": None,
                "source": "walk_in",
                "lifetime_spend": "0.00",
                "currency": "USD",
                "purchase_count": 0,
                "last_purchase_on": None,
                "coming_dates": None,  # only with a date filter
            }
        ],
    }


@pytest.mark.parametrize("q", ["muller", "Müller", "MULLER", "zoe mul", "Zoë"])
def test_search_folds_diacritics_and_case(world: World, q: str):
    make_customer(world.a, world.a_owner, first_name="Zoë", last_name="Müller")
    make_customer(world.a, world.a_owner, first_name="Zoltan", last_name="Mayer")
    assert _names(get(api(world.a_owner), "", q=q)) == ["Zoë Müller"]


@pytest.mark.parametrize("q", ["(914) 555-0142", "9145550142", "+1 914 555 0142", "914-555-0142", "555-0142"])
def test_search_finds_a_us_phone_typed_in_any_format(world: World, q: str):
    make_customer(world.a, world.a_owner, first_name="Ines", last_name="Ortiz", phones=["+19145550142"])
    make_customer(world.a, world.a_owner, first_name="Other", last_name="Person", phones=["+19145550199"])
    assert _names(get(api(world.a_owner), "", q=q)) == ["Ines Ortiz"]


@pytest.mark.parametrize("q", ["0044 20 7946 0958", "+44 20 7946 0958", "442079460958"])
def test_search_finds_a_uk_phone_typed_in_any_format(world: World, q: str):
    make_customer(world.a, world.a_owner, first_name="Ruth", last_name="Hale", phones=["+44 20 7946 0958"])
    assert _names(get(api(world.a_owner), "", q=q)) == ["Ruth Hale"]


@pytest.mark.parametrize("q", ["zoe.m@example.com", "Zoe.M@Example.COM", "zoe.m@"])
def test_search_finds_an_email(world: World, q: str):
    make_customer(world.a, world.a_owner, first_name="Zoë", last_name="Martin", emails=["Zoe.M@example.com"])
    make_customer(world.a, world.a_owner, first_name="Zed", last_name="Martin", emails=["zed@example.com"])
    assert _names(get(api(world.a_owner), "", q=q)) == ["Zoë Martin"]


def test_search_never_shows_another_stores_customers(world: World):
    make_customer(world.b, world.b_owner, first_name="Zoë", last_name="Müller", phones=["+19145550142"])
    assert _names(get(api(world.a_owner), "", q="muller")) == []
    assert _names(get(api(world.a_owner), "", q="9145550142")) == []
    assert _names(get(api(world.a_owner), "")) == []


def test_filters_by_assigned_associate_and_source_combine_with_search(world: World):
    ali = world.a_associate.user.pk
    make_customer(world.a, world.a_owner, first_name="Ann", last_name="Abel", assigned_associate_id=ali, source="chat")
    make_customer(world.a, world.a_owner, first_name="Ann", last_name="Baker", assigned_associate_id=ali)
    make_customer(world.a, world.a_owner, first_name="Ann", last_name="Cole", source="chat")
    client = api(world.a_owner)
    assert _names(get(client, "", associate=ali)) == ["Ann Abel", "Ann Baker"]
    assert _names(get(client, "", source="chat")) == ["Ann Abel", "Ann Cole"]
    assert _names(get(client, "", q="ann", associate=ali, source="chat")) == ["Ann Abel"]


def test_sixty_customers_come_in_pages_of_25_25_10_without_gaps_or_repeats(world: World):
    for i in range(60):
        # Two customers share each surname so the id breaks ties inside a sort name.
        make_customer(world.a, world.a_owner, first_name="Kim", last_name=f"Family{i // 2:02d}")
    with scopes_disabled():
        from trunkshow.customers.models import Customer

        expected = list(Customer.objects.filter(store=world.a).order_by("sort_name", "id").values_list("id", flat=True))
    client, seen, sizes, cursor = api(world.a_owner), [], [], None
    while True:
        params = {"cursor": cursor} if cursor else {}
        page = get(client, "", **params).json()
        sizes.append(len(page["items"]))
        seen += [row["id"] for row in page["items"]]
        cursor = page["next_cursor"]
        if cursor is None:
            break
    assert sizes == [25, 25, 10]
    assert seen == expected


def test_limit_sets_the_page_size(world: World):
    for name in ("Ada", "Bea", "Cy"):
        make_customer(world.a, world.a_owner, first_name=name, last_name=name)
    client = api(world.a_owner)
    first = get(client, "", limit=2).json()
    assert [r["first_name"] for r in first["items"]] == ["Ada", "Bea"]
    second = get(client, "", limit=2, cursor=first["next_cursor"]).json()
    assert ([r["first_name"] for r in second["items"]], second["next_cursor"]) == (["Cy"], None)


@pytest.mark.parametrize("cursor", ["not-a-cursor", "%%%", encode_cursor(["only one"]), encode_cursor(["x", "y"])])
def test_a_cursor_we_did_not_give_out_is_a_400(world: World, cursor: str):
    make_customer(world.a, world.a_owner)
    assert_error(get(api(world.a_owner), "", cursor=cursor), 400, "invalid_cursor")


@pytest.mark.parametrize("limit", ["0", "101", "-1", "ten"])
def test_limit_outside_1_to_100_is_a_400_naming_limit(world: World, limit: str):
    assert_error(get(api(world.a_owner), "", limit=limit), 400, "invalid", fields=["limit"])


@pytest.mark.parametrize("name", ["store", "store_id", "order_by", "offset", "page", "lifetime_spend__gt"])
def test_a_filter_outside_the_allow_list_is_refused(world: World, name: str):
    error = assert_error(get(api(world.a_owner), "", q="ann", **{name: "1"}), 400, "invalid", fields=[name])
    assert error["message"] == f"Unknown query parameter: {name}."


def test_unknown_source_filter_is_a_400(world: World):
    assert_error(get(api(world.a_owner), "", source="billboard"), 400, "invalid", fields=["source"])


def test_the_list_costs_the_same_few_queries_for_3_or_25_rows(world: World, django_assert_max_num_queries):
    client = api(world.a_owner)
    get(client, "")  # the token's last-used time is written at most once a minute
    for i in range(3):
        make_customer(world.a, world.a_owner, last_name=f"P{i:02d}", phones=["+19145550142"], emails=["a@example.com"])
    # token lookup, the page, the page's phones, the page's emails
    with django_assert_max_num_queries(4):
        assert len(get(client, "").json()["items"]) == 3
    for i in range(3, 40):
        make_customer(world.a, world.a_owner, last_name=f"P{i:02d}", phones=["+19145550142"], emails=["a@example.com"])
    with django_assert_max_num_queries(4):
        assert len(get(client, "").json()["items"]) == 25
    with django_assert_max_num_queries(4):
        assert len(get(client, "", q="p1").json()["items"]) == 10


def test_list_url_without_trailing_slash_is_the_collection(world: World):
    assert get(api(world.a_owner), "").status_code == 200
    assert api(world.a_owner).get(BASE).status_code == 200


def test_a_language_code_is_kept_as_bcp_47_writes_it(world: World):
    client = api(world.a_owner)
    for typed, kept in (("pt_br", "pt-BR"), ("EN", "en"), ("zh-hant-tw", "zh-Hant-TW"), ("fil", "fil")):
        created = client.post(
            "/api/v1/customers", {"first_name": "Ana", "language": typed}, content_type="application/json"
        )
        assert created.status_code == 201, created.content
        assert created.json()["language"] == kept
