"""The store's settings page: every field saved, every bad value refused beside its field."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django_scopes import scope

from tests.conftest import browser_client
from trunkshow.core.models import AuditEntry
from trunkshow.stores.forms import StoreSettingsForm
from trunkshow.stores.models import WEEKDAYS, Store


def form_data(store: Store, **changes: Any) -> dict[str, str]:
    """What the page would post back unchanged, with ``changes`` applied."""
    data: dict[str, str] = {}
    for key, value in StoreSettingsForm.initial_from(store).items():
        if key.endswith("_closed"):
            if value:
                data[key] = "on"
        elif value is not None:
            data[key] = str(value)
    for key, value in changes.items():
        if value is None:
            data.pop(key, None)
        else:
            data[key] = value
    return data


def stored(store: Store) -> dict[str, Any]:
    fresh = Store.objects.get(pk=store.pk)
    return {
        f: getattr(fresh, f)
        for f in (
            "name",
            "time_zone",
            "currency",
            "locale",
            "phone_region",
            "address_line1",
            "city",
            "postal_code",
            "country",
            "opening_hours",
        )
    }


def error_beside(html: str, field: str) -> str:
    """The error list rendered for one field (Django gives it the id ``id_<field>_error``)."""
    match = re.search(rf'<div class="error" id="id_{field}_error"><p>(.*?)</p>', html)
    assert match is not None, f"no error beside {field}"
    return match.group(1)


def test_page_shows_the_current_settings(world):
    html = browser_client(world.a_owner).get("/settings/").content.decode()
    assert 'value="Atelier Ana"' in html
    assert '<option value="America/New_York" selected>New York</option>' in html
    assert re.search(r'<option value="USD" selected>USD · US Dollar</option>', html)
    assert '<option value="en_US" selected>English (United States) · en_US</option>' in html


def test_owner_saves_every_field_and_the_change_is_audited(world):
    hours = {
        "mon_closed": None,
        "mon_opens": "10:00",
        "mon_closes": "13:00",
        "mon_opens2": "14:00",
        "mon_closes2": "19:00",
        "sat_closed": None,
        "sat_opens": "09:30",
        "sat_closes": "17:00",
        "sun_closed": "on",
    }
    data = form_data(
        world.a,
        name="Atelier Ana — Paris",
        time_zone="Europe/Paris",
        currency="EUR",
        locale="fr_FR",
        phone_region="FR",
        address_line1="12 rue de la Paix",
        city="Paris",
        postal_code="75002",
        country="FR",
        **hours,
    )
    response = browser_client(world.a_owner).post("/settings/", data, REMOTE_ADDR="192.0.2.20")
    assert response.status_code == 302
    assert response["Location"] == "/settings/"
    assert stored(world.a) == {
        "name": "Atelier Ana — Paris",
        "time_zone": "Europe/Paris",
        "currency": "EUR",
        "locale": "fr_FR",
        "phone_region": "FR",
        "address_line1": "12 rue de la Paix",
        "city": "Paris",
        "postal_code": "75002",
        "country": "FR",
        "opening_hours": {
            "mon": [["10:00", "13:00"], ["14:00", "19:00"]],
            "tue": [],
            "wed": [],
            "thu": [],
            "fri": [],
            "sat": [["09:30", "17:00"]],
            "sun": [],
        },
    }
    with scope(store=world.a):
        entry = AuditEntry.objects.get(action="trunkshow.store.updated")
    assert entry.ip == "192.0.2.20"
    assert sorted(entry.data["changes"]) == [
        "address_line1",
        "city",
        "country",
        "currency",
        "locale",
        "name",
        "opening_hours",
        "phone_region",
        "postal_code",
        "time_zone",
    ]


def test_saved_hours_show_again_on_the_page(world):
    client = browser_client(world.a_owner)
    client.post("/settings/", form_data(world.a, tue_closed=None, tue_opens="10:00", tue_closes="18:30"))
    html = client.get("/settings/").content.decode()
    assert 'name="tue_opens" value="10:00"' in html
    assert 'name="tue_closes" value="18:30"' in html
    assert re.search(r'<input type="checkbox" name="wed_closed" id="id_wed_closed" checked>', html)


BAD_VALUES = [
    (
        "time_zone",
        {"time_zone": "Mars/Olympus_Mons"},
        "“Mars/Olympus_Mons” is not a time zone; use a name like Europe/Paris.",
    ),
    ("currency", {"currency": "XYZ"}, "“XYZ” is not a currency code such as USD or EUR."),
    ("locale", {"locale": "xx_QQ"}, "“xx_QQ” is not a locale; use one like en_US, fr_FR or de_CH."),
    ("phone_region", {"phone_region": "QQ"}, "“QQ” is not a phone region; use a country code like US or GB."),
    ("country", {"country": "QQ"}, "“QQ” is not a two-letter country code such as FR or US."),
    ("name", {"name": ""}, "Give the store a name."),
    ("name", {"name": "N" * 121}, "Use at most 120 characters (this has 121)."),
    ("city", {"city": "Paris\nFrance"}, "Remove the control characters or line breaks from this field."),
    (
        "mon_opens",
        {"mon_closed": None, "mon_opens": "", "mon_closes": "18:00"},
        "Give the opening time, or tick “Closed” for Monday.",
    ),
    ("mon_closes", {"mon_closed": None, "mon_opens": "10:00", "mon_closes": ""}, "Give the closing time for Monday."),
    (
        "tue_closes",
        {"tue_closed": None, "tue_opens": "18:00", "tue_closes": "10:00"},
        "Closing time must be after opening time.",
    ),
    ("wed_opens", {"wed_closed": None, "wed_opens": "25:99", "wed_closes": "18:00"}, "Enter a time like 09:30."),
    (
        "thu_closes2",
        {"thu_closed": None, "thu_opens": "10:00", "thu_closes": "13:00", "thu_opens2": "14:00"},
        "Give both times of the second opening, or neither.",
    ),
    (
        "fri_opens2",
        {
            "fri_closed": None,
            "fri_opens": "10:00",
            "fri_closes": "13:00",
            "fri_opens2": "12:00",
            "fri_closes2": "18:00",
        },
        "The second opening starts after the first one closes.",
    ),
]


@pytest.mark.parametrize("field,changes,message", BAD_VALUES, ids=[f"{b[0]}-{i}" for i, b in enumerate(BAD_VALUES)])
def test_bad_value_is_refused_beside_its_field_and_nothing_is_saved(world, field, changes, message):
    before = stored(world.a)
    response = browser_client(world.a_owner).post("/settings/", form_data(world.a, **changes))
    assert response.status_code == 400
    html = response.content.decode()
    assert error_beside(html, field) == message.replace("'", "&#x27;")
    assert 'aria-invalid="true"' in html
    assert stored(world.a) == before
    with scope(store=world.a):
        assert AuditEntry.objects.filter(action="trunkshow.store.updated").count() == 0


def test_a_bad_value_keeps_what_the_owner_typed_elsewhere(world):
    response = browser_client(world.a_owner).post("/settings/", form_data(world.a, city="Lyon", currency="XYZ"))
    assert 'name="city" value="Lyon"' in response.content.decode()


def test_closed_days_ignore_their_times(world):
    data = form_data(world.a, **{f"{d}_closed": "on" for d in WEEKDAYS}, mon_opens="99:99")
    assert browser_client(world.a_owner).post("/settings/", data).status_code == 302
    assert stored(world.a)["opening_hours"] == {d: [] for d in WEEKDAYS}


def test_markup_in_the_store_name_is_shown_as_text(world):
    client = browser_client(world.a_owner)
    client.post("/settings/", form_data(world.a, name="<script>alert(1)</script> Gems"))
    html = client.get("/settings/").content.decode()
    assert "<script>alert(1)</script>" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt; Gems" in html


def options(html: str, field: str) -> list[tuple[str, str]]:
    """The (value, label) of every option of one of the page's menus, groups flattened."""
    menu = re.search(rf'<select[^>]* name="{field}"[^>]*>(.*?)</select>', html, re.S)
    assert menu is not None, f"no menu for {field}"
    return re.findall(r'<option value="([^"]*)"[^>]*>([^<]*)</option>', menu.group(1))


def test_every_language_in_the_list_has_a_name(world):
    html = browser_client(world.a_owner).get("/settings/").content.decode()
    locales = options(html, "locale")
    # Babel names no language for a few locales (apc_SY, lld_IT, mhn_IT, skr_PK): they showed as "None · apc_SY".
    assert [label for value, label in locales if label.partition(" · ")[0] in ("None", "", value)] == []
    assert ("fr_FR", "French (France) · fr_FR") in locales


def test_no_two_time_zones_in_the_list_read_the_same(world):
    html = browser_client(world.a_owner).get("/settings/").content.decode()
    labels = [label for _value, label in options(html, "time_zone")]
    assert sorted({label for label in labels if labels.count(label) > 1}) == []
    zones = dict(options(html, "time_zone"))
    assert [zones[z] for z in ("Europe/Istanbul", "Asia/Istanbul", "Europe/Nicosia", "Asia/Nicosia")] == [
        "Istanbul (Europe)",
        "Istanbul (Asia)",
        "Nicosia (Europe)",
        "Nicosia (Asia)",
    ]
    assert zones["Europe/Paris"] == "Paris"


def test_a_store_saved_with_the_other_istanbul_shows_it_and_keeps_it(world):
    Store.objects.filter(pk=world.a.pk).update(time_zone="Asia/Istanbul")
    world.a.refresh_from_db()
    client = browser_client(world.a_owner)
    html = client.get("/settings/").content.decode()
    assert '<option value="Asia/Istanbul" selected>Istanbul (Asia)</option>' in html
    assert client.post("/settings/", form_data(world.a, city="Istanbul")).status_code == 302
    assert stored(world.a)["time_zone"] == "Asia/Istanbul"


def test_settings_link_to_the_api_tokens(world: Any) -> None:
    page = browser_client(world.a_owner).get("/settings/").content.decode()
    assert (
        '<a href="/account/#tokens">API tokens: connect your point of sale or other software to Trunkshow</a>' in page
    )
