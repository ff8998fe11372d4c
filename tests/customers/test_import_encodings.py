"""Files in each country's code page import with their names right, through the page, the API and
the command line; a reading in doubt is shown and chosen, never guessed; an unknown encoding is refused."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django_scopes import scopes_disabled

from tests.conftest import World, api, browser_client
from tests.customers.encoded_files import FILES, IDS, KOREAN_IN_DOUBT, Encoded
from tests.customers.import_support import import_file, outcomes
from trunkshow.cli import main
from trunkshow.customers.models import Customer, ImportJob

URL = "/api/v1/imports"
CHOICES = (
    "UTF-8, Western European (Windows-1252), Central European (Windows-1250), Cyrillic (Windows-1251), "
    "Greek (Windows-1253), Turkish (Windows-1254), Japanese (Shift-JIS), Chinese Simplified (GB18030), "
    "Korean (EUC-KR), Hebrew (Windows-1255), Arabic (Windows-1256), Baltic (Windows-1257), "
    "Vietnamese (Windows-1258), Traditional Chinese (Big5)"
)


def text(response: Any) -> str:
    return re.sub(r"\s+", " ", response.content.decode())


def people(store: Any) -> list[tuple[str, str, str]]:
    with scopes_disabled():
        return [
            (c.first_name, c.last_name, c.city)
            for c in sorted(Customer.objects.filter(store=store), key=lambda c: c.emails.get().address)
        ]


def only_job() -> ImportJob:
    with scopes_disabled():
        return ImportJob.objects.get()


@pytest.mark.parametrize("encoded", FILES, ids=IDS)
def test_the_page_reads_each_code_page_and_imports_the_names_exactly(
    world: World, tmp_path, django_capture_on_commit_callbacks, encoded: Encoded
):
    client = browser_client(world.a_owner)
    with open(encoded.write(tmp_path), "rb") as fh:
        response = client.post("/customers/imports/upload/", {"file": fh})
    job = only_job()
    assert (response.status_code, job.encoding, job.encoding_alternatives) == (302, encoded.encoding, [])
    page = text(client.get(f"/customers/imports/{job.pk}/"))
    assert f"read as {encoded.label}, separated by" in page
    assert f'<option value="{encoded.encoding}" selected>{encoded.label}</option>' in page
    assert "We are not sure" not in page
    form = {f"col-{i}": job.mapping.get(column, "") for i, column in enumerate(job.columns)}
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            f"/customers/imports/{job.pk}/start/", {**form, "col-4": "", "encoding": encoded.encoding}
        )
    assert response.status_code == 302
    assert only_job().status == "done"
    assert people(world.a) == encoded.people


@pytest.mark.parametrize("encoded", FILES, ids=IDS)
def test_the_api_reads_each_code_page_and_imports_the_names_exactly(
    world: World, tmp_path, django_capture_on_commit_callbacks, encoded: Encoded
):
    with open(encoded.write(tmp_path), "rb") as fh:
        body = api(world.a_owner).post(URL, {"file": fh}).json()
    assert (body["encoding"], body["encoding_label"], body["encoding_alternatives"]) == (
        encoded.encoding,
        encoded.label,
        [],
    )
    assert [row[:2] for row in body["preview"]] == [
        line.replace(";", ",").split(",")[:2] for line in encoded.text.splitlines()[1:]
    ]
    with django_capture_on_commit_callbacks(execute=True):
        response = api(world.a_owner).post(
            f"{URL}/{body['id']}/start", {"mapping": {**body["mapping"], "Note": ""}}, content_type="application/json"
        )
    assert response.status_code == 202, response.content
    assert api(world.a_owner).get(f"{URL}/{body['id']}").json()["status"] == "done"
    assert people(world.a) == encoded.people


def run_cli(capsys: Any, *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("encoded", FILES, ids=IDS)
def test_the_command_line_reads_each_code_page_and_imports_the_names_exactly(
    capsys: Any, world: World, tmp_path, encoded: Encoded
):
    path = encoded.write(tmp_path)
    code, out, err = run_cli(capsys, "import", "customers", str(path), "--store", "atelier", "--mapping", "Note=")
    assert code == 0, err
    assert err.startswith(f"{path.name}: {len(encoded.people)} rows, {encoded.label}, separated by ")
    assert out.splitlines()[0].endswith(f": {len(encoded.people)} created, 0 merged, 0 unchanged, 0 not imported.")
    assert people(world.a) == encoded.people


def test_a_plain_western_file_stays_windows_1252_whatever_the_stores_country(world: World, tmp_path):
    """Müller, Zoë, café and € read the same in three code pages: no doubt, and Western European."""
    from trunkshow.stores.models import Store

    western = next(f for f in FILES if f.encoding == "windows-1252")
    with scopes_disabled():
        Store.objects.filter(pk=world.b.pk).update(country="PL")  # where Excel writes Windows-1250
    for person in (world.a_owner, world.b_owner):
        with open(western.write(tmp_path), "rb") as fh:
            body = api(person).post(URL, {"file": fh}).json()
        assert (body["encoding"], body["encoding_alternatives"]) == ("windows-1252", [])
        assert body["preview"][1] == ["Brontë", "Zoë", "zoe@example.com", "Paris", "café au lait - budget 500 €"]


def test_a_reading_in_doubt_is_shown_and_the_chosen_encoding_is_imported(
    world: World, django_capture_on_commit_callbacks
):
    from django.core.files.uploadedfile import SimpleUploadedFile

    client = browser_client(world.a_owner)
    client.post("/customers/imports/upload/", {"file": SimpleUploadedFile("kr.csv", KOREAN_IN_DOUBT)})
    job = only_job()
    assert (job.encoding, job.encoding_alternatives) == (
        "gb18030",
        [
            {"encoding": "euc-kr", "ours": "辫刮霖", "theirs": "김민준"},
            {"encoding": "big5", "ours": "辫刮霖", "theirs": "梯團遽"},
        ],
    )
    page = text(client.get(f"/customers/imports/{job.pk}/"))
    assert (
        "We are not sure which encoding this file was saved in. Read as Chinese Simplified (GB18030): “辫刮霖”." in page
    )
    assert "<li>Read as Korean (EUC-KR): “김민준”</li>" in page
    assert "<li>Read as Traditional Chinese (Big5): “梯團遽”</li>" in page
    response = client.post(f"/customers/imports/{job.pk}/encoding/", {"encoding": "euc-kr"})
    assert response.status_code == 302
    page = text(client.get(f"/customers/imports/{job.pk}/"))
    assert "read as Korean (EUC-KR), separated by comma" in page
    assert "<td>김민준</td>" in page
    assert "We are not sure" not in page
    with django_capture_on_commit_callbacks(execute=True):
        client.post(
            f"/customers/imports/{job.pk}/start/", {"col-0": "first_name", "col-1": "email", "encoding": "euc-kr"}
        )
    with scopes_disabled():
        assert list(Customer.objects.values_list("first_name", flat=True)) == ["김민준"]


def test_reading_again_forgets_a_refused_mapping_of_the_columns_read_before(world: World):
    """The header read in another encoding is other columns: the guess for them is shown, not the
    choices refused for the old ones."""
    from django.core.files.uploadedfile import SimpleUploadedFile

    client = browser_client(world.a_owner)
    content = "이름,Email\r\n김민준,minjun@example.kr\r\n".encode("euc_kr")
    client.post("/customers/imports/upload/", {"file": SimpleUploadedFile("kr.csv", content)})
    job = only_job()
    assert (job.encoding, job.columns[0]) != ("euc-kr", "이름"), (
        job.encoding_alternatives
    )  # in doubt: read otherwise first
    client.post(
        f"/customers/imports/{job.pk}/start/", {"col-0": "first_name", "col-1": "first_name", "encoding": job.encoding}
    )
    assert "both mapped to First name" in text(client.get(f"/customers/imports/{job.pk}/"))
    assert client.post(f"/customers/imports/{job.pk}/encoding/", {"encoding": "euc-kr"}).status_code == 302
    page = text(client.get(f"/customers/imports/{job.pk}/"))
    assert "both mapped to First name" not in page
    assert client.session["import_refused_mappings"] == {}
    assert (only_job().encoding, only_job().columns) == ("euc-kr", ["이름", "Email"])


def test_the_api_will_not_start_a_reading_in_doubt_without_an_encoding(
    world: World, django_capture_on_commit_callbacks
):
    from django.core.files.uploadedfile import SimpleUploadedFile

    body = api(world.a_owner).post(URL, {"file": SimpleUploadedFile("kr.csv", KOREAN_IN_DOUBT)}).json()
    assert body["encoding_alternatives"] == [
        {"encoding": "euc-kr", "encoding_label": "Korean (EUC-KR)", "ours": "辫刮霖", "theirs": "김민준"},
        {"encoding": "big5", "encoding_label": "Traditional Chinese (Big5)", "ours": "辫刮霖", "theirs": "梯團遽"},
    ]
    assert body["encodings"]["shift_jis"] == "Japanese (Shift-JIS)"
    start = f"{URL}/{body['id']}/start"
    mapping = {"Name": "first_name", "Email": "email"}
    response = api(world.a_owner).post(start, {"mapping": mapping}, content_type="application/json")
    assert response.status_code == 400
    assert response.json()["error"]["fields"] == {
        "encoding": [
            "We are not sure which encoding this file was saved in: as Chinese Simplified (GB18030) it reads “辫刮霖”, "
            "as Korean (EUC-KR) it reads “김민준”; as Traditional Chinese (Big5) it reads “梯團遽”. Choose the encoding."
        ]
    }
    assert only_job().status == "uploaded"
    with django_capture_on_commit_callbacks(execute=True):
        response = api(world.a_owner).post(
            start, {"mapping": mapping, "encoding": "EUC-KR"}, content_type="application/json"
        )
    assert response.status_code == 202, response.content
    assert (only_job().status, only_job().encoding) == ("done", "euc-kr")
    with scopes_disabled():
        assert list(Customer.objects.values_list("first_name", flat=True)) == ["김민준"]


def test_the_api_reads_an_upload_again_in_the_encoding_it_is_given(world: World, tmp_path):
    japanese = FILES[0]
    with open(japanese.write(tmp_path), "rb") as fh:
        # Given at upload: read as asked, whatever detection would say.
        body = api(world.a_owner).post(URL, {"file": fh, "encoding": "gb18030"}).json()
    assert (body["encoding"], body["encoding_alternatives"], body["preview"][0][:2]) == (
        "gb18030",
        [],
        ["嶳揷", "壴巕"],
    )
    response = api(world.a_owner).post(
        f"{URL}/{body['id']}/encoding", {"encoding": "Shift-JIS"}, content_type="application/json"
    )
    assert response.status_code == 200, response.content
    assert (response.json()["encoding"], response.json()["preview"][0][:2]) == ("shift_jis", ["山田", "花子"])


def test_an_unknown_encoding_is_refused_by_name_and_nothing_changes(world: World, tmp_path, settings):
    japanese = FILES[0]
    with open(japanese.write(tmp_path), "rb") as fh:
        response = api(world.a_owner).post(URL, {"file": fh, "encoding": "klingon"})
    message = f"“klingon” is not an encoding we read. Choose one of: {CHOICES}."
    assert response.status_code == 400
    assert response.json()["error"] == {"code": "invalid", "message": message, "fields": {"encoding": [message]}}
    with scopes_disabled():
        assert ImportJob.objects.count() == 0
    with open(japanese.write(tmp_path), "rb") as fh:
        job_id = api(world.a_owner).post(URL, {"file": fh}).json()["id"]
    before = only_job()
    for path, payload in (
        (f"{URL}/{job_id}/encoding", {"encoding": "koi8-r"}),
        (f"{URL}/{job_id}/start", {"mapping": {}, "encoding": "koi8-r"}),
    ):
        response = api(world.a_owner).post(path, payload, content_type="application/json")
        assert response.status_code == 400
        assert response.json()["error"]["fields"] == {"encoding": [message.replace("klingon", "koi8-r")]}
    # The page: the reason beside the select, the upload as it was.
    page = browser_client(world.a_owner).post(f"/customers/imports/{job_id}/encoding/", {"encoding": "klingon"})
    assert page.status_code == 400
    assert f'<div class="form-errors" role="alert" id="encoding-error"><p>{message}</p></div>' in text(page)
    after = only_job()
    assert (after.encoding, after.columns, after.mapping, after.status) == (
        before.encoding,
        before.columns,
        before.mapping,
        "uploaded",
    )


def test_an_encoding_the_bytes_do_not_fit_is_refused_naming_the_line(world: World, tmp_path):
    japanese = FILES[0]
    with open(japanese.write(tmp_path), "rb") as fh:
        job_id = api(world.a_owner).post(URL, {"file": fh}).json()["id"]
    response = api(world.a_owner).post(
        f"{URL}/{job_id}/encoding", {"encoding": "utf-8"}, content_type="application/json"
    )
    assert response.status_code == 400
    assert response.json()["error"]["fields"] == {
        "encoding": ["This file cannot be read as UTF-8: line 2 holds bytes it does not use. Choose another encoding."]
    }
    assert only_job().encoding == "shift_jis"


def test_a_byte_order_mark_decides(world: World):
    from django.core.files.uploadedfile import SimpleUploadedFile

    content = "First Name,Email\r\nRenée,renee@example.com\r\n".encode("utf-16")
    response = api(world.a_owner).post(URL, {"file": SimpleUploadedFile("u.csv", content), "encoding": "windows-1252"})
    assert response.status_code == 400
    assert response.json()["error"]["fields"] == {
        "encoding": ["This file starts with a UTF-16 byte order mark, so it can only be read as UTF-16."]
    }


def test_utf_16_without_a_byte_order_mark_is_read_whole_and_only_as_utf_16(world: World):
    from django.core.files.uploadedfile import SimpleUploadedFile

    content = "First Name,Last Name,Email\r\nŁucja,Żak,lucja@example.pl\r\n安藤,美咲,misaki@example.jp\r\n".encode(
        "utf-16-be"
    )
    response = api(world.a_owner).post(URL, {"file": SimpleUploadedFile("u.csv", content), "encoding": "windows-1250"})
    assert response.status_code == 400
    assert response.json()["error"]["fields"] == {
        "encoding": ["This file is UTF-16 text (two bytes a letter), so it can only be read as UTF-16."]
    }
    job = import_file(world.a, world.a_owner, content)
    assert (job.encoding, outcomes(job)) == ("utf-16-be", [(2, "created", ""), (3, "created", "")])
    with scopes_disabled():
        assert sorted(Customer.objects.values_list("first_name", "last_name")) == [("Łucja", "Żak"), ("安藤", "美咲")]


@pytest.mark.django_db(transaction=True)
def test_the_command_line_refuses_a_reading_in_doubt_and_an_unknown_name(capsys: Any, world: World, tmp_path, settings):
    settings.DATA_DIR = tmp_path / "data"  # this test's own: nothing another test stored is seen
    path = tmp_path / "kr.csv"
    path.write_bytes(KOREAN_IN_DOUBT)
    names = (
        "utf-8, windows-1252, windows-1250, windows-1251, windows-1253, windows-1254, shift_jis, gb18030, euc-kr, "
        "windows-1255, windows-1256, windows-1257, windows-1258, big5"
    )
    code, out, err = run_cli(capsys, "import", "customers", str(path), "--store", "atelier")
    assert (code, out) == (2, "")
    assert err == (
        "trunkshow: kr.csv: We are not sure which encoding this file was saved in: as Chinese Simplified (GB18030) "
        "it reads “辫刮霖”, as Korean (EUC-KR) it reads “김민준”; as Traditional Chinese (Big5) it reads “梯團遽”. "
        "Choose the encoding. "
        f"Run again with --encoding NAME, NAME one of {names}.\n"
    )
    code, out, err = run_cli(capsys, "import", "customers", str(path), "--store", "atelier", "--encoding", "koi8-r")
    assert (code, err) == (2, f"trunkshow: --encoding 'koi8-r': not an encoding we read; use one of {names}\n")
    with scopes_disabled():
        assert (ImportJob.objects.count(), Customer.objects.count()) == (0, 0)
    assert not list((tmp_path / "data").glob("imports/*/*.csv"))
    code, out, err = run_cli(capsys, "import", "customers", str(path), "--store", "atelier", "--encoding", "euc-kr")
    assert code == 0, err
    assert err.startswith("kr.csv: 1 row, Korean (EUC-KR), separated by comma\n")
    with scopes_disabled():
        assert list(Customer.objects.values_list("first_name", flat=True)) == ["김민준"]


def test_a_line_past_what_detection_reads_in_another_encoding_is_refused_as_mixed(world: World):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from trunkshow.customers.importing import encodings

    line = "Müller,hans@example.de\r\n".encode("cp1252")
    lines = encodings.EVIDENCE_BYTES // len(line) + 10
    # 佐藤 in Shift-JIS starts with 0x8D, a byte Windows-1252 leaves undefined.
    content = b"Name,Email\r\n" + line * lines + "佐藤,taro@example.jp\r\n".encode("cp932")
    response = api(world.a_owner).post(URL, {"file": SimpleUploadedFile("mixed.csv", content)})
    assert response.status_code == 400
    assert response.json()["error"]["fields"] == {
        "file": [
            f"This file mixes text encodings: line {lines + 2} cannot be read as Western European (Windows-1252) "
            "although earlier lines are. Save it from your spreadsheet as “CSV UTF-8” and upload it again."
        ]
    }
    with scopes_disabled():
        assert ImportJob.objects.count() == 0


def test_a_taiwanese_store_reads_a_name_valid_in_big5_and_gb18030_as_big5(world: World):
    """曾國華 in Big5 is also three common Simplified characters in GB18030 (“纯瓣地”): a tie, so a store
    of no such country is asked, and a store in Taiwan gets its own code page, without doubt."""
    from django.core.files.uploadedfile import SimpleUploadedFile

    from trunkshow.stores.models import Store

    content = "Name,Email\r\n曾國華,kuohua@example.tw\r\n".encode("cp950")
    with scopes_disabled():
        Store.objects.filter(pk=world.a.pk).update(country="US")
        Store.objects.filter(pk=world.b.pk).update(country="TW")
    body = api(world.a_owner).post(URL, {"file": SimpleUploadedFile("tw.csv", content)}).json()
    assert (body["encoding"], body["encoding_alternatives"]) == (
        "gb18030",
        [{"encoding": "big5", "encoding_label": "Traditional Chinese (Big5)", "ours": "纯瓣地", "theirs": "曾國華"}],
    )
    body = api(world.b_owner).post(URL, {"file": SimpleUploadedFile("tw.csv", content)}).json()
    assert (body["encoding"], body["encoding_alternatives"], body["preview"]) == (
        "big5",
        [],
        [["曾國華", "kuohua@example.tw"]],
    )


def test_vietnamese_tones_written_apart_are_read_composed(world: World):
    """Windows-1258 writes “Nguyễn” as “Nguyê” and a combining tilde: the preview shows, and the import
    stores, the composed name, equal to the one typed, and a search for it finds the customer."""
    from django.core.files.uploadedfile import SimpleUploadedFile
    from django_scopes import scope

    from tests.customers.encoded_files import windows_1258
    from trunkshow.customers import selectors

    content = windows_1258("First Name,Last Name,Email\r\nHương,Nguyễn,huong@example.vn\r\n")
    assert "ê\u0303".encode("cp1258") in content  # the code page has no “ễ”
    body = api(world.a_owner).post(URL, {"file": SimpleUploadedFile("vn.csv", content)}).json()
    assert (body["encoding"], body["preview"]) == ("windows-1258", [["Hương", "Nguyễn", "huong@example.vn"]])
    job = import_file(world.a, world.a_owner, content)
    assert outcomes(job) == [(2, "created", "")]
    with scope(store=world.a):
        customer = Customer.objects.get()
        assert (customer.first_name, customer.last_name) == ("Hương", "Nguyễn")
        assert list(selectors.customer_search(store=world.a, q="Nguyễn")) == [customer]
