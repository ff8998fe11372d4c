"""The demo's sample store website carries the widget, and the demo store lets it in."""

from __future__ import annotations

from typing import Any

from django.test import Client, override_settings
from django_scopes import scope, scopes_disabled

from trunkshow.demo import demo_load, demo_site_allow
from trunkshow.messaging.models import WebchatSettings
from trunkshow.stores.models import Store


def _settings() -> WebchatSettings:
    with scopes_disabled():
        store = Store.objects.get(slug="demo")
    with scope(store=store):
        return WebchatSettings.objects.get(store=store)


@override_settings(PUBLIC_URL="http://127.0.0.1:8000")
def test_the_demo_store_allows_the_demos_own_address_and_the_one_it_runs_on_next(db: Any) -> None:
    demo_load(owner_password="demo owner password 1", customers=0)
    row = _settings()
    assert row.allowed_origins == ["http://127.0.0.1:8000"]
    assert row.reply_time_text == ""  # the widget says the response target in the visitor's language
    config = Client(headers={"Origin": "http://127.0.0.1:8000", "Accept-Language": "fr"}).get("/widget/api/demo/config")
    assert config.json()["reply_time"] == (
        "Nous répondons d’habitude en moins de 5 minutes pendant nos heures d’ouverture."
    )
    demo_site_allow(origin="http://192.168.1.20:8010")
    demo_site_allow(origin="http://192.168.1.20:8010")
    demo_site_allow(origin="http://shop.example.com")  # not a local address: refused, nothing changes
    assert _settings().allowed_origins == ["http://127.0.0.1:8000", "http://192.168.1.20:8010"]


def test_the_sample_website_has_the_widget_tag_and_exists_only_with_the_demo(db: Any) -> None:
    assert Client().get("/demo-site/").status_code == 404
    demo_load(owner_password="demo owner password 1", customers=0)
    page = Client().get("/demo-site/")
    assert page.status_code == 200
    html = page.content.decode()
    assert '<script src="/widget/demo.js" async></script>' in html
    assert "Maison Demo Jewelers" in html
