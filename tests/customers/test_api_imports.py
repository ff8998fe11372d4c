"""The imports API: upload, preview, start, status, rows, cancel; roles and another store's ids."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django_scopes import scope, scopes_disabled

from tests.conftest import World, api, make_customer
from tests.customers.import_support import shopify
from trunkshow.core.models import AuditEntry
from trunkshow.customers.models import Customer, ImportJob

URL = "/api/v1/imports"
CLARA = 'Clara,Berg,clara@example.com,yes,,1 Main St,,Boston,MA,US,02110,(617) 555-0142,no,"$1,234.50",3,"sapphire, pearls",Loves rings,no'
BAD_PHONE = "Dora,Diaz,,no,,,,,,,,12,,,,,,"


def post_file(person, content: bytes, name: str = "customers.csv"):
    return api(person).post(URL, {"file": SimpleUploadedFile(name, content, content_type="text/csv")})


def test_upload_returns_detected_encoding_delimiter_mapping_and_preview(world: World):
    response = post_file(world.a_manager, shopify(CLARA, BAD_PHONE))
    assert response.status_code == 201, response.content
    body = response.json()
    assert (body["status"], body["encoding"], body["encoding_label"], body["delimiter"], body["delimiter_label"]) == (
        "uploaded",
        "utf-8",
        "UTF-8",
        ",",
        "comma",
    )
    assert body["total_rows"] == 2
    assert body["columns"][:4] == ["First Name", "Last Name", "Email", "Accepts Email Marketing"]
    assert body["mapping"]["Province Code"] == "region"
    assert body["mapping"]["Total Orders"] == ""
    assert body["preview"][0][:3] == ["Clara", "Berg", "clara@example.com"]
    assert body["preview"][1][11] == "12"
    assert body["fields"]["phone"] == "Phone"
    assert len(body["file_sha256"]) == 64


def test_start_runs_in_the_background_and_rows_report_each_line(world: World, django_capture_on_commit_callbacks):
    job_id = post_file(world.a_owner, shopify(CLARA, BAD_PHONE)).json()["id"]
    mapping = post_file  # noqa: F841 - keep names short below
    body = api(world.a_owner).get(f"{URL}/{job_id}").json()
    with django_capture_on_commit_callbacks(execute=True):
        response = api(world.a_owner).post(
            f"{URL}/{job_id}/start", {"mapping": {**body["mapping"], "Note": ""}}, content_type="application/json"
        )
    assert response.status_code == 202, response.content
    assert response.json()["status"] == "queued"
    status = api(world.a_owner).get(f"{URL}/{job_id}").json()
    assert (status["status"], status["processed_rows"], status["created_count"], status["error_count"]) == (
        "done",
        2,
        1,
        1,
    )
    errors = api(world.a_owner).get(f"{URL}/{job_id}/rows?outcome=error").json()
    assert errors == {
        "items": [
            {
                "line": 3,
                "outcome": "error",
                "customer_id": None,
                "customer_name": None,
                "message": "Phone: “12” is not a valid phone number (United States). Add the country code, like +1 201-555-0123.",
            }
        ],
        "next_cursor": None,
    }
    with scope(store=world.a):
        clara = Customer.objects.get()
        assert clara.notes.count() == 0  # the Note column was mapped to nothing
    with scopes_disabled():
        assert AuditEntry.objects.filter(store=world.a, action="trunkshow.customer.import_started").count() == 1


def test_rows_are_paged(world: World, django_capture_on_commit_callbacks):
    lines = [f"P{i},Q,p{i}@example.com,,,,,,,,,,,,,,," for i in range(5)]
    job_id = post_file(world.a_owner, shopify(*lines)).json()["id"]
    mapping = api(world.a_owner).get(f"{URL}/{job_id}").json()["mapping"]
    with django_capture_on_commit_callbacks(execute=True):
        api(world.a_owner).post(f"{URL}/{job_id}/start", {"mapping": mapping}, content_type="application/json")
    first = api(world.a_owner).get(f"{URL}/{job_id}/rows?limit=3").json()
    assert [r["line"] for r in first["items"]] == [2, 3, 4]
    second = api(world.a_owner).get(f"{URL}/{job_id}/rows?limit=3&cursor={first['next_cursor']}").json()
    assert [r["line"] for r in second["items"]] == [5, 6]
    assert second["next_cursor"] is None
    assert api(world.a_owner).get(f"{URL}/{job_id}/rows?status=x").status_code == 400


def test_start_without_a_name_email_or_phone_column_is_refused(world: World):
    job_id = post_file(world.a_owner, b"Colour,Size\nred,6\n").json()["id"]
    response = api(world.a_owner).post(
        f"{URL}/{job_id}/start", {"mapping": {"Colour": "", "Size": ""}}, content_type="application/json"
    )
    assert response.status_code == 400
    assert response.json()["error"]["message"] == (
        "Map at least one column to a name, an email or a phone: without one there is nobody to import. "
        "Check that the first line of the file holds the column names."
    )
    with scopes_disabled():
        assert ImportJob.objects.get().status == "uploaded"


def test_start_with_an_unknown_field_or_column_names_it(world: World):
    job_id = post_file(world.a_owner, b"Name,Email\nAna Ruiz,ana@example.com\n").json()["id"]
    response = api(world.a_owner).post(
        f"{URL}/{job_id}/start",
        {"mapping": {"Name": "full_name", "Email": "lifetime_spend", "Ghost": "email"}},
        content_type="application/json",
    )
    assert response.status_code == 400
    assert response.json()["error"]["fields"]["mapping"] == [
        "The file has no column “Ghost”; its columns are “Name”, “Email”.",
        "“lifetime_spend” (column “Email”) is not a field an import fills; use one of first_name, last_name, "
        "full_name, preferred_name, title, email, phone, address_line1, address_line2, city, region, postal_code, "
        "country, birthday, birthday_dmy, birthday_mdy, partner_name, partner_birthday, partner_birthday_dmy, "
        "partner_birthday_mdy, anniversary, anniversary_dmy, anniversary_mdy, accepts_email_marketing, accepts_sms_marketing, "
        "accepts_whatsapp_marketing, total_spent, tags, ring_size, bracelet_size, necklace_length, note, customer_id.",
    ]


def test_start_names_columns_in_any_case_and_with_spaces_around_them(world: World, django_capture_on_commit_callbacks):
    job_id = post_file(world.a_owner, b"Name,Email\nAna Ruiz,ana@example.com\n").json()["id"]
    with django_capture_on_commit_callbacks(execute=True):
        response = api(world.a_owner).post(
            f"{URL}/{job_id}/start",
            {"mapping": {"name": "full_name", " EMAIL ": " Email "}},
            content_type="application/json",
        )
    assert response.status_code == 202, response.content
    assert response.json()["mapping"] == {"Name": "full_name", "Email": "email"}
    with scope(store=world.a):
        ana = Customer.objects.get()
        assert (ana.first_name, list(ana.emails.values_list("address", flat=True))) == ("Ana", ["ana@example.com"])


def test_start_naming_one_column_twice_is_refused_and_starts_nothing(world: World):
    job_id = post_file(world.a_owner, b"Name,Email\nAna Ruiz,ana@example.com\n").json()["id"]
    response = api(world.a_owner).post(
        f"{URL}/{job_id}/start",
        {"mapping": {"Name": "full_name", "Email": "email", "email": "note"}},
        content_type="application/json",
    )
    assert response.status_code == 400
    assert response.json()["error"]["fields"]["mapping"] == [
        "“Email” and “email” are both the column “Email”, mapped to “email” and “note”: map it once."
    ]
    with scopes_disabled():
        assert (ImportJob.objects.get().status, Customer.objects.count()) == ("uploaded", 0)


def test_start_without_a_mapping_imports_the_guessed_columns(world: World, django_capture_on_commit_callbacks):
    content = "Vorname;Nachname;E-Mail;Telefon;Geburtstag;Umsatz\nAnna;Schmidt;anna@example.com;+49 30 1234567;14.03.1985;1.234,50\n"
    job_id = post_file(world.a_owner, content.encode("cp1252")).json()["id"]
    guessed = api(world.a_owner).get(f"{URL}/{job_id}").json()["mapping"]
    assert guessed == {
        "Vorname": "first_name",
        "Nachname": "last_name",
        "E-Mail": "email",
        "Telefon": "phone",
        "Geburtstag": "birthday_dmy",
        "Umsatz": "total_spent",
    }
    with django_capture_on_commit_callbacks(execute=True):
        response = api(world.a_owner).post(f"{URL}/{job_id}/start", {}, content_type="application/json")
    assert response.status_code == 202, response.content
    assert response.json()["mapping"] == guessed
    with scope(store=world.a):
        anna = Customer.objects.get()
        assert (anna.first_name, anna.birthday_day, anna.birthday_month, anna.birthday_year) == ("Anna", 14, 3, 1985)
        assert (list(anna.phones.values_list("e164", flat=True)), str(anna.imported_spend)) == (
            ["+49301234567"],
            "1234.50",
        )


def test_start_without_a_mapping_in_another_encoding_uses_the_guess_of_the_file_read_again(
    world: World, django_capture_on_commit_callbacks
):
    job_id = post_file(world.a_owner, "Prénom,Téléphone\nZoé,+33 1 42 68 53 00\n".encode("cp1252")).json()["id"]
    with django_capture_on_commit_callbacks(execute=True):
        response = api(world.a_owner).post(
            f"{URL}/{job_id}/start", {"encoding": "windows-1252"}, content_type="application/json"
        )
    assert response.status_code == 202, response.content
    assert response.json()["mapping"] == {"Prénom": "first_name", "Téléphone": "phone"}
    with scope(store=world.a):
        assert list(Customer.objects.values_list("first_name", flat=True)) == ["Zoé"]


def test_cancel_before_start_ends_the_job_and_deletes_the_file(world: World, settings):
    job_id = post_file(world.a_owner, shopify(CLARA)).json()["id"]
    with scopes_disabled():
        stored = settings.DATA_DIR / ImportJob.objects.get().stored_path
    assert stored.exists()
    response = api(world.a_owner).post(f"{URL}/{job_id}/cancel")
    assert response.status_code == 200
    assert response.json()["status"] == "cancelled"
    assert not stored.exists()
    again = api(world.a_owner).post(f"{URL}/{job_id}/cancel")
    assert (again.status_code, again.json()["error"]["message"]) == (400, "This import has already finished.")
    start = api(world.a_owner).post(f"{URL}/{job_id}/start", {"mapping": {}}, content_type="application/json")
    assert start.json()["error"]["message"] == "This import has already been started or cancelled."


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("post", ""),
        ("get", ""),
        ("get", "/{id}"),
        ("post", "/{id}/start"),
        ("post", "/{id}/cancel"),
        ("get", "/{id}/rows"),
    ],
)
def test_associates_cannot_import(world: World, method, path):
    job_id = post_file(world.a_owner, shopify(CLARA)).json()["id"]
    kwargs = {"content_type": "application/json", "data": {"mapping": {}}} if path.endswith("start") else {}
    response = getattr(api(world.a_associate), method)(URL + path.format(id=job_id), **kwargs)
    assert response.status_code == 403
    assert response.json()["error"]["message"] == "Only owners and managers can import customers."
    with scopes_disabled():
        assert ImportJob.objects.get().status == "uploaded"


@pytest.mark.parametrize(
    ("method", "path"),
    [("get", "/{id}"), ("post", "/{id}/start"), ("post", "/{id}/cancel"), ("get", "/{id}/rows")],
)
def test_another_stores_import_is_not_found(world: World, method, path):
    job_id = post_file(world.b_owner, shopify(CLARA)).json()["id"]
    kwargs = {"content_type": "application/json", "data": {"mapping": {}}} if path.endswith("start") else {}
    response = getattr(api(world.a_owner), method)(URL + path.format(id=job_id), **kwargs)
    assert response.status_code == 404
    assert response.json()["error"]["code"] == "not_found"
    with scopes_disabled():
        assert ImportJob.objects.get().status == "uploaded"


def test_list_shows_only_this_stores_imports(world: World):
    post_file(world.b_owner, shopify(CLARA), name="b.csv")
    post_file(world.a_owner, shopify(CLARA), name="a1.csv")
    post_file(world.a_owner, shopify(CLARA), name="a2.csv")
    body = api(world.a_owner).get(URL).json()
    assert [j["file_name"] for j in body["items"]] == ["a2.csv", "a1.csv"]


def test_upload_without_a_file_names_the_field(world: World):
    response = api(world.a_owner).post(URL, {"other": "x"})
    assert response.status_code == 400
    assert response.json()["error"]["fields"] == {"file": ["Required."]}


def test_an_upload_of_several_files_or_unknown_fields_is_refused_and_nothing_is_kept(world: World):
    def csv_file(name: str) -> SimpleUploadedFile:
        return SimpleUploadedFile(name, shopify(CLARA), content_type="text/csv")

    two = api(world.a_owner).post(URL, {"file": [csv_file("a.csv"), csv_file("b.csv")]})
    assert two.status_code == 400
    assert two.json()["error"]["fields"] == {"file": ["This request holds several files; send one."]}
    extra = api(world.a_owner).post(URL, {"file": csv_file("a.csv"), "mapping": "{}", "notes": csv_file("n.csv")})
    assert extra.status_code == 400
    assert extra.json()["error"]["fields"] == {"mapping": ["Unknown field."], "notes": ["Unknown field."]}
    with scopes_disabled():
        assert not ImportJob.objects.filter(store=world.a).exists()


def test_rows_name_each_lines_customer_as_the_app_does_in_one_query_per_page(
    world: World, django_assert_max_num_queries
):
    from tests.customers.import_support import import_file
    from trunkshow.messaging.services import message_receive

    with scope(store=world.a):
        message, _created = message_receive(
            store=world.a, channel="sms", from_address="+12125550188", body="Hi", provider="test", provider_id="t-1"
        )
    texter = message.conversation.customer
    clara = make_customer(world.a, first_name="Clara", last_name="Berg", preferred_name="Clo", emails=["c@example.com"])
    content = shopify(
        "Clara,Berg,c@example.com,,,,,Lyon,,,,,,,,,,",
        # Someone known only by the number they texted from: the message names them as they were found.
        "Ok,Person,,,,,,,,,,(212) 555-0188,,,,,,",
        BAD_PHONE,
        *(f"P{i},Q,p{i}@example.com,,,,,,,,,,,,,,," for i in range(40)),
    )
    job = import_file(world.a, world.a_owner, content)
    with django_assert_max_num_queries(8):
        body = api(world.a_owner).get(f"{URL}/{job.pk}/rows?limit=500").json()
    assert body["items"][:4] == [
        {
            "line": 2,
            "outcome": "merged",
            "customer_id": clara.pk,
            "customer_name": "Clo Berg",
            "message": "Merged into Clo Berg: filled city.",
        },
        {
            "line": 3,
            "outcome": "merged",
            "customer_id": texter.pk,
            "customer_name": "Ok Person",
            "message": "Merged into (212) 555-0188: filled first name; filled last name.",
        },
        {
            "line": 4,
            "outcome": "error",
            "customer_id": None,
            "customer_name": None,
            "message": "Phone: “12” is not a valid phone number (United States). Add the country code, like "
            "+1 201-555-0123.",
        },
        {
            "line": 5,
            "outcome": "created",
            "customer_id": body["items"][3]["customer_id"],
            "customer_name": "P0 Q",
            "message": "",
        },
    ]
    assert [item["customer_name"] for item in body["items"][3:]] == [f"P{i} Q" for i in range(40)]
