"""An owner on a phone imports a point-of-sale export: upload, adjust a column, start, watch, read."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django_scopes import scope, scopes_disabled
from playwright.sync_api import expect

from tests.browser.conftest import assert_accessible, assert_no_horizontal_scroll, log_in, screenshot
from tests.conftest import World, make_customer
from tests.customers.import_support import SHOPIFY_HEADER, import_file, shopify, upload
from trunkshow.customers.models import Customer, ImportJob

ROWS = [
    'Zsófia,Szirmay,zsofia@example.com,yes,,12 Váci utca,,Boston,MA,US,02110,(617) 555-0142,no,"$1,234.50",3,"sapphire, pearls",Anniversary ring in May,no',
    "Amara,Okafor,amara@example.com,no,,,,New York,NY,US,10001,+1 212 555 0199,yes,250,1,,,no",
    "Dora,Diaz,,,,,,,,,,12,,,,,,",
    "José,Álvarez,jose@example.com,yes,,,,Miami,FL,US,33101,,,,,emerald,,",
]


@pytest.mark.parametrize("size", ["phone", "desktop"])
def test_import_a_file_adjust_a_column_start_and_read_the_results(
    transactional_db: Any, request: Any, world: World, live_server_url: str, size: str, tmp_path: Any
):
    page = request.getfixturevalue(size)
    # Amara is in the book already, by her phone: her line merges into her.
    make_customer(world.a, world.a_owner, first_name="Amara", last_name="Okafor", phones=["+1 212 555 0199"])
    log_in(page, live_server_url, world.a_owner)
    csv = tmp_path / "shopify customers.csv"
    csv.write_bytes(shopify(*ROWS))

    page.goto("/customers/")
    page.get_by_role("link", name="Import").click()
    expect(page.get_by_role("heading", name="Import customers")).to_be_visible()
    assert_no_horizontal_scroll(page)
    screenshot(page, f"import-upload-{size}")
    assert_accessible(page)

    page.get_by_label("CSV file exported from your point of sale").set_input_files(str(csv))
    page.get_by_role("button", name="Upload and check the columns").click()
    expect(page.get_by_role("heading", name="Check the columns")).to_be_visible()
    expect(page.get_by_text("4 customer rows · read as UTF-8, separated by comma")).to_be_visible()
    city = page.get_by_label("City", exact=True)
    expect(city).to_have_value("city")
    city.select_option("")  # adjust the guess: do not import the city
    assert_no_horizontal_scroll(page)
    screenshot(page, f"import-mapping-{size}")
    assert_accessible(page)

    page.get_by_role("button", name="Import 4 rows").click()
    # Tests run the worker's task at once, so the run is over when the page comes back.
    expect(page.get_by_role("heading", name="Import results")).to_be_visible()
    expect(page.get_by_role("link", name=re.compile("Not imported"))).to_have_attribute("aria-current", "page")
    expect(page.get_by_text("Row 4")).to_be_visible()
    expect(page.get_by_text("Phone: “12” is not a valid phone number (United States).", exact=False)).to_be_visible()
    assert_no_horizontal_scroll(page)
    screenshot(page, f"import-results-{size}")
    assert_accessible(page)
    # Every line names its customer, linked to them; a merge says into whom.
    page.get_by_role("link", name=re.compile("^All")).click()
    expect(page.get_by_role("link", name="Zsófia Szirmay")).to_be_visible()
    expect(page.get_by_role("link", name="Amara Okafor")).to_be_visible()
    expect(page.get_by_text("Merged into Amara Okafor: filled state / province / region;", exact=False)).to_be_visible()
    assert_no_horizontal_scroll(page)
    screenshot(page, f"import-results-all-{size}")
    assert_accessible(page)
    with scope(store=world.a):
        assert sorted(Customer.objects.values_list("first_name", "city")) == [
            ("Amara", ""),
            ("José", ""),
            ("Zsófia", ""),
        ]

    # A long run in the worker: the page follows it live, then shows the results.
    job = upload(world.a, world.a_owner, (SHOPIFY_HEADER + "\n" + "\n".join(ROWS * 25) + "\n").encode())
    with scopes_disabled():
        ImportJob.objects.filter(pk=job.pk).update(status="running", processed_rows=40, created_count=40)
    page.goto(f"/customers/imports/{job.pk}/")
    progress = page.locator("progress")
    expect(progress).to_have_attribute("value", "40")
    expect(page.get_by_text("40 of 100 rows")).to_be_visible()
    assert_no_horizontal_scroll(page)
    screenshot(page, f"import-progress-{size}")
    assert_accessible(page)
    with scopes_disabled():
        ImportJob.objects.filter(pk=job.pk).update(processed_rows=80, created_count=75, error_count=5)
    expect(progress).to_have_attribute("value", "80", timeout=5000)
    expect(page.locator("[data-field=error_count]")).to_have_text("5")
    page.get_by_role("button", name="Cancel the import").click()
    expect(page.get_by_role("button", name="Stopping…")).to_be_disabled()
    with scopes_disabled():
        assert ImportJob.objects.get(pk=job.pk).cancel_requested is True
        ImportJob.objects.filter(pk=job.pk).update(status="cancelled")
    expect(page.get_by_role("heading", name="Import results")).to_be_visible(timeout=5000)
    expect(page.get_by_text("The import was cancelled.", exact=False)).to_be_visible()


def test_past_imports_list_on_a_phone(phone: Any, world: World, live_server_url: str):
    from tests.customers.import_support import run

    for name in ("october.csv", "a very long file name exported from the point of sale in november 2026.csv"):
        run(world.a, world.a_owner, upload(world.a, world.a_owner, shopify(*ROWS), name=name))
    log_in(phone, live_server_url, world.a_manager)
    phone.goto("/customers/imports/")
    expect(phone.get_by_role("link", name=re.compile("october.csv"))).to_contain_text(
        "3 created, 0 merged, 0 unchanged, 1 not imported"
    )
    # The same file again: every line it imported is unchanged, and the list says so.
    expect(phone.get_by_role("link", name=re.compile("november 2026.csv"))).to_contain_text(
        "0 created, 0 merged, 3 unchanged, 1 not imported"
    )
    assert_no_horizontal_scroll(phone)
    screenshot(phone, "import-list-phone")
    assert_accessible(phone)


def test_an_imported_customers_profile_fits_a_phone_with_a_long_file_name(
    phone: Any, world: World, live_server_url: str
):
    from tests.customers.import_support import run

    name = "lightspeed-customers-export-2026-11-24-all-locations-" + "x" * 40 + ".csv"
    run(world.a, world.a_owner, upload(world.a, world.a_owner, shopify(ROWS[0]), name=name))
    with scope(store=world.a):
        customer = Customer.objects.get()
    log_in(phone, live_server_url, world.a_owner)
    assert phone.goto(f"/customers/{customer.pk}/").status == 200
    timeline = phone.locator("#timeline")
    expect(timeline).to_contain_text(f"Imported from {name} (row 2)")
    expect(timeline).not_to_contain_text("SHA-256")
    assert_no_horizontal_scroll(phone)
    screenshot(phone, "customer-imported-profile-phone")


def test_every_step_name_fits_beside_its_number_on_a_phone(phone: Any, world: World, live_server_url: str):
    """The current step is in bold; "Columns" in bold ran under the "3" of the next step at 390 px."""
    waiting = upload(world.a, world.a_owner, shopify(*ROWS))
    running = upload(world.a, world.a_owner, shopify(*ROWS))
    with scopes_disabled():
        ImportJob.objects.filter(pk=running.pk).update(status="running", processed_rows=1)
    done = import_file(world.a, world.a_owner, shopify(*ROWS))
    log_in(phone, live_server_url, world.a_owner)
    for url, current in [
        ("/customers/imports/", "Upload"),
        (f"/customers/imports/{waiting.pk}/", "Columns"),
        (f"/customers/imports/{running.pk}/", "Import"),
        (f"/customers/imports/{done.pk}/", "Results"),
    ]:
        phone.goto(url)
        steps = phone.get_by_role("list", name="Import steps")
        expect(steps.locator("[aria-current=step]")).to_have_text(re.compile(rf"{current}$"))
        spilled = steps.locator("li").evaluate_all(
            "items => items.filter(li => li.scrollWidth > li.clientWidth).map(li => li.textContent.trim())"
        )
        assert spilled == [], f"{url}: step names spill out of their place: {spilled}"
    screenshot(phone, "import-steps-phone")


def test_the_results_buttons_stand_clear_of_the_list_on_a_desk(desktop: Any, world: World, live_server_url: str):
    done = import_file(world.a, world.a_owner, shopify(*ROWS))
    log_in(desktop, live_server_url, world.a_owner)
    desktop.goto(f"/customers/imports/{done.pk}/")
    list_bottom = desktop.locator(".result-list").evaluate("el => el.getBoundingClientRect().bottom")
    buttons_top = desktop.locator(".action-bar").evaluate("el => el.getBoundingClientRect().top")
    assert buttons_top - list_bottom >= 12, f"the buttons sit {buttons_top - list_bottom:.0f} px under the list"
    screenshot(desktop, "import-results-buttons-desktop")


@pytest.mark.parametrize("size", ["phone", "desktop"])
def test_a_refused_mapping_stays_at_the_mapping_pages_address_and_a_reload_does_not_resubmit(
    transactional_db: Any, request: Any, world: World, live_server_url: str, size: str
):
    page = request.getfixturevalue(size)
    job = upload(world.a, world.a_owner, shopify(*ROWS))
    mapping_url = f"{live_server_url}/customers/imports/{job.pk}/"
    log_in(page, live_server_url, world.a_owner)
    page.goto(mapping_url)
    page.get_by_label("Last Name", exact=True).select_option("first_name")
    page.get_by_label("City", exact=True).select_option("")
    page.get_by_role("button", name="Import 4 rows").click()

    expect(page.get_by_role("alert")).to_contain_text(
        "The columns “First Name” and “Last Name” are both mapped to First name; choose one."
    )
    assert page.url == mapping_url
    posts: list[str] = []
    page.on("request", lambda r: posts.append(r.url) if r.method == "POST" else None)
    response = page.reload()
    assert response is not None and (response.request.method, response.status) == ("GET", 200)
    assert posts == []
    assert page.url == mapping_url
    # The choices made are still chosen, the clashing ones marked beside them.
    expect(page.get_by_role("alert")).to_contain_text("both mapped to First name")
    expect(page.get_by_label("Last Name", exact=True)).to_have_value("first_name")
    expect(page.get_by_label("Last Name", exact=True)).to_have_attribute("aria-invalid", "true")
    expect(page.get_by_label("City", exact=True)).to_have_value("")
    assert_no_horizontal_scroll(page)
    screenshot(page, f"import-mapping-refused-{size}")
    assert_accessible(page)
    with scopes_disabled():
        assert ImportJob.objects.get(pk=job.pk).status == "uploaded"

    page.get_by_label("Last Name", exact=True).select_option("last_name")
    page.get_by_role("button", name="Import 4 rows").click()
    expect(page.get_by_role("heading", name="Import results")).to_be_visible()
    assert page.url == mapping_url
    with scope(store=world.a):
        assert sorted(Customer.objects.values_list("last_name", "city")) == [
            ("Okafor", ""),
            ("Szirmay", ""),
            ("Álvarez", ""),
        ]


def test_on_a_phone_a_file_in_doubt_is_read_again_in_the_encoding_chosen(
    phone: Any, world: World, live_server_url: str, tmp_path: Any
):
    from tests.customers.encoded_files import KOREAN_IN_DOUBT

    log_in(phone, live_server_url, world.a_owner)
    csv = tmp_path / "korean.csv"
    csv.write_bytes(KOREAN_IN_DOUBT)
    phone.goto("/customers/imports/")
    phone.get_by_label("CSV file exported from your point of sale").set_input_files(str(csv))
    phone.get_by_role("button", name="Upload and check the columns").click()
    expect(phone.get_by_text("We are not sure which encoding this file was saved in.", exact=False)).to_be_visible()
    expect(phone.get_by_text("Read as Korean (EUC-KR): “김민준”")).to_be_visible()
    encoding = phone.get_by_label("Encoding")
    expect(encoding).to_have_value("gb18030")
    assert_no_horizontal_scroll(phone)
    screenshot(phone, "import-encoding-doubt-phone")
    assert_accessible(phone)

    encoding.select_option("euc-kr")
    phone.get_by_role("button", name="Read again").click()
    expect(phone.get_by_text("1 customer row · read as Korean (EUC-KR), separated by comma")).to_be_visible()
    expect(phone.get_by_role("cell", name="김민준")).to_be_visible()
    expect(phone.get_by_label("Encoding")).to_have_value("euc-kr")
    assert_no_horizontal_scroll(phone)
    screenshot(phone, "import-encoding-phone")
    assert_accessible(phone)
