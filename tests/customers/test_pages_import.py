"""The import pages: upload, mapping, progress, results; owners and managers only."""

from __future__ import annotations

import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django_scopes import scope, scopes_disabled

from tests.conftest import World, browser_client
from tests.customers.import_support import shopify, upload
from trunkshow.customers.models import Customer, ImportJob, ImportRow

CLARA = 'Clara,Berg,clara@example.com,yes,,1 Main St,,Boston,MA,US,02110,(617) 555-0142,no,"$1,234.50",3,sapphire,,no'
BAD = "Dora,Diaz,,,,,,,,,,12,,,,,,"


def text(response) -> str:
    return re.sub(r"\s+", " ", response.content.decode())


def test_the_customer_list_links_to_imports_for_owners_and_managers_only(world: World):
    assert 'href="/customers/imports/"' in text(browser_client(world.a_manager).get("/customers/"))
    assert 'href="/customers/imports/"' not in text(browser_client(world.a_associate).get("/customers/"))


@pytest.mark.parametrize(
    ("method", "url"),
    [
        ("get", "/customers/imports/"),
        ("post", "/customers/imports/upload/"),
        ("get", "/customers/imports/{id}/"),
        ("post", "/customers/imports/{id}/start/"),
        ("post", "/customers/imports/{id}/cancel/"),
        ("get", "/customers/imports/{id}/status/"),
    ],
)
def test_associates_get_403_with_the_reason(world: World, method, url):
    job = upload(world.a, world.a_owner, shopify(CLARA))
    response = getattr(browser_client(world.a_associate), method)(url.format(id=job.pk))
    assert response.status_code == 403
    assert "Only owners and managers can import customers." in text(response)
    with scopes_disabled():
        assert ImportJob.objects.get().status == "uploaded"


def test_upload_then_mapping_page_shows_the_guess_and_the_first_rows(world: World):
    client = browser_client(world.a_manager)
    response = client.post("/customers/imports/upload/", {"file": SimpleUploadedFile("pos.csv", shopify(CLARA, BAD))})
    with scopes_disabled():
        job = ImportJob.objects.get()
    assert response.status_code == 302 and response.url == f"/customers/imports/{job.pk}/"
    page = text(client.get(response.url))
    assert "2 customer rows · read as UTF-8, separated by comma" in page
    assert '<label for="col-0">First Name</label>' in page
    assert "For example: Clara · Dora" in page
    assert '<option value="region" selected>State / province / region</option>' in page
    assert '<option value="" selected>Do not import</option>' in page  # Default Address Company
    assert "<td>(617) 555-0142</td>" in page
    assert "Import 2 rows" in page


def test_a_refused_file_shows_the_reason_beside_the_field(world: World, settings):
    client = browser_client(world.a_owner)
    response = client.post("/customers/imports/upload/", {"file": SimpleUploadedFile("x.csv", b"First Name\n")})
    assert response.status_code == 400
    page = text(response)
    assert (
        '<div class="error" id="id_file_error" role="alert"><p>The file has a header row but no customers under it.</p></div>'
        in page
    )
    assert 'aria-invalid="true"' in page
    with scopes_disabled():
        assert ImportJob.objects.count() == 0


def test_a_200_mb_file_is_refused_naming_the_limit(world: World, tmp_path):
    big = tmp_path / "big.csv"
    with open(big, "wb") as fh:  # sparse: 200 MB on paper, nothing on disk
        fh.write(b"First Name,Email\n")
        fh.truncate(200 * 1024 * 1024)
    client = browser_client(world.a_owner)
    with open(big, "rb") as fh:
        response = client.post("/customers/imports/upload/", {"file": fh})
    assert response.status_code == 413
    assert (
        "This file is over the 50 MB limit for an import; split it into smaller files "
        "or remove the columns you do not need." in text(response)
    )
    with scopes_disabled():
        assert ImportJob.objects.count() == 0


def test_start_with_a_changed_mapping_then_results_open_on_the_errors(world: World, django_capture_on_commit_callbacks):
    client = browser_client(world.a_owner)
    job = upload(world.a, world.a_owner, shopify(CLARA, BAD))
    form = {f"col-{i}": field for i, field in enumerate(job.mapping.values())}
    form["col-7"] = ""  # City: not imported
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(f"/customers/imports/{job.pk}/start/", form)
    assert response.status_code == 302
    with scope(store=world.a):
        assert Customer.objects.get().city == ""
        assert ImportJob.objects.get().mapping["City"] == ""
    page = text(client.get(f"/customers/imports/{job.pk}/"))
    assert "Import results" in page
    assert '<a href="?outcome=error" aria-current="page">Not imported <span class="tab-count">1</span></a>' in page
    assert "Row 3" in page and "Phone: “12” is not a valid phone number (United States)." in page
    assert "Row 2" not in page
    everything = text(client.get(f"/customers/imports/{job.pk}/?outcome=all"))
    assert re.findall(r"Row (\d+)", everything) == ["2", "3"]
    # One word for one outcome: the summary and the tab both say "Created".
    assert "<dt>Created</dt><dd>1</dd>" in page.replace("> <", "><")
    assert '<a href="?outcome=created">Created <span class="tab-count">1</span></a>' in page
    assert "<dt>New</dt>" not in page.replace("> <", "><")


def test_a_mapping_without_a_name_email_or_phone_is_shown_again_with_the_reason(world: World):
    client = browser_client(world.a_owner)
    job = upload(world.a, world.a_owner, shopify(CLARA))
    response = client.post(f"/customers/imports/{job.pk}/start/", {}, follow=True)
    assert response.redirect_chain == [(f"/customers/imports/{job.pk}/", 302)]
    assert response.status_code == 200
    assert "Map at least one column to a name, an email or a phone" in text(response)
    chosen = re.findall(r'<select id="col-\d+".*?<option value="([^"]*)" selected>', text(response))
    assert chosen == [""] * 18  # as chosen: nothing
    with scopes_disabled():
        assert ImportJob.objects.get().status == "uploaded"


def test_a_file_of_unrecognised_columns_says_so_above_the_columns_before_import_is_pressed(world: World):
    job = upload(world.a, world.a_owner, b"Foo,Bar,Baz\n1,2,3\n")
    page = text(browser_client(world.a_owner).get(f"/customers/imports/{job.pk}/"))
    notice = (
        '<div class="notice mapping-needed" id="mapping-needed" role="status"> <p><strong>We did not recognise any '
        "of this file’s columns</strong>, so each is set to “Do not import” and nothing would be imported.</p> "
        "<p>Choose below what each column holds, using the examples from the file. At least one must be a name, "
        "an email or a phone; then import.</p> </div>"
    )
    assert notice in page
    assert page.index(notice) < page.index('<ul class="list mapping">')
    assert "We guessed what each column holds" not in page
    # The button says why it cannot import yet; the page's script keeps it disabled until a column is mapped.
    assert '<button class="btn" type="submit" id="import-button" aria-describedby="mapping-needed">Import 1 row' in page
    assert 'data-identifying="email first_name full_name last_name phone"' in page
    assert "trunkshow/import-mapping.js" in page
    # Another store's owner finds no such import.
    assert browser_client(world.b_owner).get(f"/customers/imports/{job.pk}/").status_code == 404


def test_columns_recognised_but_none_a_person_say_a_name_email_or_phone_is_needed(world: World):
    job = upload(world.a, world.a_owner, b"City,Birthday\nBoston,1990-05-01\n")
    page = text(browser_client(world.a_owner).get(f"/customers/imports/{job.pk}/"))
    assert (
        "No column is mapped to a name, an email or a phone, and without one there is nobody to import. "
        "Choose below which column holds one; then import."
    ) in page
    assert 'aria-describedby="mapping-needed"' in page


def test_a_guessed_file_shows_no_warning_and_a_plain_import_button(world: World):
    job = upload(world.a, world.a_owner, shopify(CLARA))
    page = text(browser_client(world.a_owner).get(f"/customers/imports/{job.pk}/"))
    assert "mapping-needed" not in page
    assert '<button class="btn" type="submit" id="import-button">Import 1 row' in page


def test_two_columns_mapped_to_one_field_are_both_marked_beside_their_choice(world: World):
    client = browser_client(world.a_owner)
    job = upload(world.a, world.a_owner, shopify(CLARA))
    form = {f"col-{i}": field for i, field in enumerate(job.mapping.values())}
    form["col-1"] = "first_name"  # Last Name, as the first name too
    form["col-7"] = "birthday_dmy"  # City, and Default Address Company below, as the birthday
    form["col-4"] = "birthday_mdy"
    response = client.post(f"/customers/imports/{job.pk}/start/", form, follow=True)

    assert response.redirect_chain == [(f"/customers/imports/{job.pk}/", 302)]
    page = text(response)
    assert "The columns “First Name” and “Last Name” are both mapped to First name; choose one." in page
    marked = re.findall(r'<select id="col-(\d+)"[^>]*aria-invalid="true"', page)
    assert marked == ["0", "1", "4", "7"]
    assert page.count("Another column is mapped to this too; choose one.") == 4
    assert 'aria-describedby="col-1-samples col-1-error"' in page
    assert 'aria-describedby="col-2-samples"' in page  # Email: only one column


def test_a_refused_mapping_is_shown_at_the_mapping_pages_address_and_again_on_reload(world: World):
    client = browser_client(world.a_owner)
    job = upload(world.a, world.a_owner, shopify(CLARA))
    form = {f"col-{i}": field for i, field in enumerate(job.mapping.values())}
    form["col-1"] = "first_name"  # Last Name, as the first name too
    form["col-7"] = ""  # City: not imported

    response = client.post(f"/customers/imports/{job.pk}/start/", form)
    assert (response.status_code, response["Location"]) == (302, f"/customers/imports/{job.pk}/")
    # A reload is a GET of the mapping page: the same choices and reasons, nothing started.
    for _ in range(2):
        page = text(client.get(f"/customers/imports/{job.pk}/"))
        assert "The columns “First Name” and “Last Name” are both mapped to First name; choose one." in page
        chosen = re.findall(r'<select id="col-(\d+)".*?<option value="([^"]*)" selected>', page)
        assert dict(chosen) == {k.removeprefix("col-"): v for k, v in form.items()}
    with scopes_disabled():
        assert ImportJob.objects.get().status == "uploaded"
        assert ImportJob.objects.get().mapping["City"] == "city"  # the guess; the choice waits in the session

    # Corrected, it starts, and the refused choice is forgotten.
    form["col-1"] = "last_name"
    response = client.post(f"/customers/imports/{job.pk}/start/", form)
    assert (response.status_code, response["Location"]) == (302, f"/customers/imports/{job.pk}/")
    assert client.session["import_refused_mappings"] == {}
    with scope(store=world.a):
        assert ImportJob.objects.get().mapping["City"] == ""
        assert ImportJob.objects.get().status != "uploaded"


def test_a_refused_mapping_is_kept_for_its_own_import_only(world: World):
    client = browser_client(world.a_owner)
    first = upload(world.a, world.a_owner, shopify(CLARA))
    second = upload(world.a, world.a_owner, shopify(CLARA))
    client.post(f"/customers/imports/{first.pk}/start/", {})
    assert "Map at least one column" in text(client.get(f"/customers/imports/{first.pk}/"))
    page = text(client.get(f"/customers/imports/{second.pk}/"))
    assert "Map at least one column" not in page
    assert '<option value="first_name" selected>' in page  # the guess


def test_past_imports_and_results_count_in_the_results_words_with_grouped_numbers(world: World):
    job = upload(world.a, world.a_owner, shopify(CLARA))
    with scopes_disabled():
        ImportJob.objects.filter(pk=job.pk).update(
            status="done", processed_rows=5212, created_count=4000, merged_count=1200, unchanged_count=10, error_count=2
        )
    client = browser_client(world.a_owner)

    listed = text(client.get("/customers/imports/"))
    results = text(client.get(f"/customers/imports/{job.pk}/")).replace("> <", "><")

    # As the results page and the command line say it: "created", not "new"; 4,000 as the store writes it.
    assert "4,000 created, 1,200 merged, 10 unchanged, 2 not imported" in listed
    assert "<dt>Created</dt><dd>4,000</dd>" in results
    assert "<dt>Merged</dt><dd>1,200</dd>" in results


def test_progress_page_and_status_while_running(world: World):
    job = upload(world.a, world.a_owner, shopify(CLARA, BAD))
    with scopes_disabled():
        ImportJob.objects.filter(pk=job.pk).update(status="running", processed_rows=1, created_count=1)
    client = browser_client(world.a_owner)
    page = text(client.get(f"/customers/imports/{job.pk}/"))
    assert '<progress max="100" value="50"' in page
    assert '<dt>Created</dt><dd data-field="created_count">1</dd>' in page.replace("> <", "><")
    assert '<noscript><meta http-equiv="refresh" content="3"></noscript>' in page
    assert "1 of 2 rows" in page
    status = client.get(f"/customers/imports/{job.pk}/status/").json()
    assert {
        k: status[k] for k in ("status", "finished", "percent", "processed_rows", "total_rows", "created_count")
    } == {
        "status": "running",
        "finished": False,
        "percent": 50,
        "processed_rows": 1,
        "total_rows": 2,
        "created_count": 1,
    }
    response = client.post(f"/customers/imports/{job.pk}/cancel/")
    assert response.status_code == 302
    assert "Stopping after the rows in progress…" in text(client.get(f"/customers/imports/{job.pk}/"))


def test_an_import_cancelled_before_its_first_line_says_nothing_was_imported(world: World):
    job = upload(world.a, world.a_owner, shopify(CLARA, BAD))
    with scopes_disabled():
        ImportJob.objects.filter(pk=job.pk).update(status="queued")  # started; no worker has picked it up yet
    client = browser_client(world.a_owner)

    assert client.post(f"/customers/imports/{job.pk}/cancel/").status_code == 302
    page = text(client.get(f"/customers/imports/{job.pk}/"))

    assert (
        "The import was cancelled before its first row: nothing was imported. "
        "To import this file, upload it again." in page
    )
    assert "The lines below were done before it stopped" not in page
    with scope(store=world.a):
        assert Customer.objects.count() == 0


def test_progress_counts_are_written_as_the_store_writes_numbers(world: World):
    job = upload(world.a, world.a_owner, shopify(CLARA, BAD))
    with scopes_disabled():
        ImportJob.objects.filter(pk=job.pk).update(
            status="running", processed_rows=2, total_rows=20000, created_count=2500, merged_count=1200
        )
    page = text(browser_client(world.a_owner).get(f"/customers/imports/{job.pk}/"))
    assert '<dd data-field="created_count">2,500</dd>' in page
    assert '<dd data-field="merged_count">1,200</dd>' in page
    assert 'data-locale="en_US"' in page  # the script groups the live counts the same way


def test_discarding_an_upload_deletes_its_file(world: World, settings):
    job = upload(world.a, world.a_owner, shopify(CLARA))
    stored = settings.DATA_DIR / job.stored_path
    response = browser_client(world.a_owner).post(f"/customers/imports/{job.pk}/cancel/")
    assert response.status_code == 302 and response.url == "/customers/imports/"
    assert not stored.exists()


def test_results_page_queries_do_not_grow_with_rows(world: World, django_assert_max_num_queries):
    job = upload(world.a, world.a_owner, shopify(CLARA))
    with scope(store=world.a):
        ImportJob.objects.filter(pk=job.pk).update(status="done", processed_rows=60, error_count=60)
        ImportRow.objects.bulk_create(
            ImportRow(store=world.a, job=job, line=n, outcome="error", message="x") for n in range(2, 62)
        )
    client = browser_client(world.a_owner)
    with django_assert_max_num_queries(12):
        page = text(client.get(f"/customers/imports/{job.pk}/"))
    assert "Page 1 of 2" in page
    assert page.count('class="result"') == 50


def test_an_imported_customers_timeline_names_the_file_and_line_in_plain_words(world: World):
    from tests.customers.import_support import run

    name = "pos-export-" + "x" * 60 + ".csv"
    job = run(world.a, world.a_owner, upload(world.a, world.a_owner, shopify(CLARA), name=name))
    with scope(store=world.a):
        clara = Customer.objects.get()
    page = text(browser_client(world.a_owner).get(f"/customers/{clara.pk}/"))
    timeline = page[page.index('<section id="timeline"') :]
    assert f"Imported from {name} (row 2)" in timeline
    assert f"“Imported from {name}, row 2, column “Accepts Email Marketing”: “yes”" in timeline
    assert "SHA-256" not in timeline and job.file_sha256 not in timeline
    # The digest stays where evidence is shown: the consent ledger's detail.
    ledger = page[page.index('id="consent-title"') : page.index('<section id="timeline"')]
    assert f"Imported from {name} (SHA-256 {job.file_sha256}), row 2" in ledger


def test_past_imports_count_the_unchanged_lines_of_a_reimport(world: World):
    from tests.customers.import_support import import_file

    lines = [f"P{i},Q,p{i}@example.com,,,,,,,,,,,,,,," for i in range(7)]
    import_file(world.a, world.a_owner, shopify(*lines, BAD), name="first.csv")
    import_file(world.a, world.a_owner, shopify(*lines, BAD), name="again.csv")
    page = text(browser_client(world.a_owner).get("/customers/imports/"))
    items = re.findall(r'<span class="item-title">([^<]*)</span> <span class="item-sub">[^<]*· ([^<]*)</span>', page)
    assert items == [
        ("again.csv", "0 created, 0 merged, 7 unchanged, 1 not imported"),
        ("first.csv", "7 created, 0 merged, 0 unchanged, 1 not imported"),
    ]


def test_results_name_each_lines_customer_in_one_query_for_the_page(world: World, django_assert_max_num_queries):
    from tests.conftest import make_customer
    from tests.customers.import_support import import_file

    clara = make_customer(world.a, first_name="Clara", last_name="Bergström", phones=["+1 617 555 0142"])
    lines = [f"P{i},Q,p{i}@example.com,,,,,,,,,,,,,,," for i in range(60)]
    job = import_file(world.a, world.a_owner, shopify(CLARA, *lines))
    client = browser_client(world.a_owner)
    with django_assert_max_num_queries(13):  # as many as a page of errors, and one for the names
        page = text(client.get(f"/customers/imports/{job.pk}/"))
    assert page.count('class="result"') == 50
    assert (
        f'<span class="tag badge-warn">Merged</span> '
        f'<a class="result-open" href="/customers/{clara.pk}/">Clara Bergström</a>' in page
    )
    assert '<p class="result-message">Merged into Clara Bergström: filled address line 1;' in page
    with scopes_disabled():
        p0 = Customer.objects.get(first_name="P0")
    assert (
        f'<span class="tag badge-ok">Created</span> <a class="result-open" href="/customers/{p0.pk}/">P0 Q</a>' in page
    )
    assert "Open customer" not in page


@pytest.mark.parametrize(("store", "order"), [("a", "month/day/year"), ("b", "day/month/year")])
def test_the_mapping_page_says_how_dates_are_read_in_this_store(world: World, store: str, order: str):
    shop = getattr(world, store)
    owner = world.a_owner if store == "a" else world.b_owner
    job = upload(shop, owner, b"Name,Email,DOB\nClara,clara@example.com,05/03/1985\n")
    page = text(browser_client(owner).get(f"/customers/imports/{job.pk}/"))
    assert (
        "Dates are read as their values show (28/02/1966 can only be day first); where they cannot tell, "
        f"{order}, as this store writes them." in page
    )
    # The choice itself stays short enough for a phone's select.
    assert '<option value="birthday" selected>Birthday</option>' in page
    no_dates = upload(shop, owner, b"Name,Email\nClara,clara@example.com\n")
    assert "Dates are read" not in text(browser_client(owner).get(f"/customers/imports/{no_dates.pk}/"))


def test_a_utf8_file_keeps_the_encoding_choice_folded_away(world: World):
    """UTF-8 read without a fault is UTF-8: the choice is there for the rare garbled file, folded."""
    job = upload(world.a, world.a_owner, "Name,Email\nZsófia,zsofia@example.com\n".encode())
    page = text(browser_client(world.a_owner).get(f"/customers/imports/{job.pk}/"))
    assert (
        '<details class="disclosure encoding-more"><summary>Names look garbled? Choose the encoding</summary>' in page
    )
    assert '<option value="utf-8" selected>UTF-8</option>' in page


def test_every_tab_lists_the_lines_in_the_files_order(world: World):
    from tests.customers.import_support import import_file

    lines = [
        BAD,
        CLARA,
        BAD.replace("Dora", "Dina"),
        CLARA.replace("Loves", "Likes"),
        "Eve,Ek,eve@example.com" + "," * 15,
    ]
    job = import_file(world.a, world.a_owner, shopify(*lines))
    client = browser_client(world.a_owner)
    shown = {
        outcome: re.findall(r"Row (\d+)", text(client.get(f"/customers/imports/{job.pk}/?outcome={outcome}")))
        for outcome in ("all", "error", "created", "unchanged")
    }
    assert shown == {
        "all": ["2", "3", "4", "5", "6"],
        "error": ["2", "4"],
        "created": ["3", "6"],
        "unchanged": ["5"],
    }


def test_a_line_repeating_an_earlier_one_says_it_merged_with_the_customer_that_line_created(world: World):
    from tests.customers.import_support import import_file

    again = "Clara,Berg,clara@example.com,,,,,,,,,(617) 555-0199,,,,,Second visit,"
    job = import_file(world.a, world.a_owner, shopify(CLARA, BAD, again))
    with scope(store=world.a):
        clara = Customer.objects.get()
        assert list(ImportRow.objects.filter(job=job).values_list("line", "outcome", "customer_id", "message")) == [
            (2, "created", clara.pk, ""),
            (
                3,
                "error",
                None,
                "Phone: “12” is not a valid phone number (United States). Add the country code, like +1 201-555-0123.",
            ),
            (
                4,
                "merged",
                clara.pk,
                "Merged into Clara Berg, created from row 2 of this file: added phone +16175550199; added a note.",
            ),
        ]
    page = text(browser_client(world.a_owner).get(f"/customers/imports/{job.pk}/?outcome=merged"))
    assert (
        f'<span class="tag badge-warn">Merged</span> <a class="result-open" href="/customers/{clara.pk}/">Clara Berg</a>'
        in page
    )
    assert "Merged into Clara Berg, created from row 2 of this file: added phone" in page
    assert "existing customer" not in page
