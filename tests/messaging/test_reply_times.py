"""Times of day in what a customer reads (the closed store's automatic answer on every channel, the
widget's status and week) are written as the reply's language writes them in the customer's region,
or failing that the store's: "10:00 AM" for a New York store, "10:00" in Paris or Berlin (ADR 0012)."""

from __future__ import annotations

from typing import Any

import pytest
import time_machine
from django.core.cache import cache
from django.test import Client
from django_scopes import scope, scopes_disabled

from tests.conftest import World, make_customer
from tests.messaging import test_widget_api
from tests.messaging.test_widget_api import SITE, start
from trunkshow.messaging.models import Message
from trunkshow.messaging.services import message_receive

site = test_widget_api.site  # fixture: store A (New York, en_US) on SITE, store B (Paris, fr_FR) on its own

BIJOUX = "https://bijoux.example"
# Monday 23 November 2026, 17:00 UTC: noon in New York, 18:00 in Paris and Berlin. Both stores open
# Tuesdays only, 10:00 to 18:30: closed now, opening tomorrow at 10:00.
MONDAY = "2026-11-23T17:00:00Z"
TUESDAYS = {"tue": [["10:00", "18:30"]]}
WEEK_CLOSED = {"mon": "", "wed": "", "thu": "", "fri": "", "sat": "", "sun": ""}


@pytest.fixture(autouse=True)
def _fresh_rate_limits() -> None:
    cache.clear()


def _store(store: Any, **fields: Any) -> None:
    for name, value in {"opening_hours": TUESDAYS, **fields}.items():
        setattr(store, name, value)
    with scopes_disabled():
        store.save()


def _config(slug: str, origin: str, language: str) -> dict[str, Any]:
    with time_machine.travel(MONDAY, tick=False):
        response = Client(headers={"Origin": origin, "Accept-Language": language}).get(f"/widget/api/{slug}/config")
    assert response.status_code == 200
    return dict(response.json())


# ---- the widget ----------------------------------------------------------------------------------


def test_a_new_york_stores_widget_writes_its_hours_in_twelve_hour_time_for_an_english_visitor(site: World) -> None:
    _store(site.a)
    data = _config("atelier", SITE, "en-US,en;q=0.9")
    assert data["status"] == "We are closed now; we open tomorrow at 10:00\u202fAM (New York time)."
    assert data["times"] == {"tue": "10:00\u202fAM\u2009–\u20096:30\u202fPM", **WEEK_CLOSED}
    assert data["hours"]["week"][1] == {"day": "tue", "spans": [["10:00", "18:30"]]}  # the data stay as entered


def test_a_paris_stores_widget_writes_its_hours_in_24_hour_time_in_french_and_in_english(site: World) -> None:
    _store(site.b)
    french = _config("bijoux", BIJOUX, "fr-FR,fr;q=0.9")
    assert french["status"] == "Nous sommes fermés en ce moment\u00a0; nous ouvrons demain à 10:00 (heure de Paris)."
    assert french["times"] == {"tue": "10:00\u2009–\u200918:30", **WEEK_CLOSED}
    # English as it is written in France (en_FR): the visitor reads the store's own clock.
    english = _config("bijoux", BIJOUX, "en")
    assert english["status"] == "We are closed now; we open tomorrow at 10:00 (Paris time)."
    assert english["times"] == {"tue": "10:00–18:30", **WEEK_CLOSED}


def test_a_berlin_stores_widget_writes_its_hours_in_24_hour_time_in_german(site: World) -> None:
    _store(site.b, locale="de_DE", time_zone="Europe/Berlin")
    data = _config("bijoux", BIJOUX, "de-DE")
    assert data["status"] == "Wir haben jetzt geschlossen; wir öffnen morgen um 10:00 Uhr (Ortszeit Berlin)."
    assert data["times"] == {"tue": "10:00–18:30 Uhr", **WEEK_CLOSED}


def test_a_french_visitor_of_a_new_york_store_reads_24_hour_time(site: World) -> None:
    """French is not written in twelve-hour time anywhere the store could be: the language's own way."""
    _store(site.a)
    data = _config("atelier", SITE, "fr-FR")
    assert data["status"] == "Nous sommes fermés en ce moment\u00a0; nous ouvrons demain à 10:00 (heure de New York)."
    assert data["times"]["tue"] == "10:00\u2009–\u200918:30"


@pytest.mark.parametrize(
    ("spans", "locale", "shown"),
    [
        ([["20:00", "24:30"]], "en_US", "8:00\u202fPM\u2009–\u200912:30\u202fAM"),  # closes past midnight
        ([["20:00", "24:00"]], "de_DE", "20:00–00:00 Uhr"),
        ([["00:00", "24:00"]], "en_US", "12:00\u202fAM\u2009–\u200912:00\u202fAM"),  # the whole day, not one time
        ([["10:00", "12:00"], ["14:00", "18:00"]], "fr_FR", "10:00\u2009–\u200912:00, 14:00\u2009–\u200918:00"),
    ],
)
def test_the_widgets_week_writes_spans_past_midnight_and_split_days(spans: Any, locale: str, shown: str) -> None:
    from trunkshow.messaging.channels.webchat.text import week_times

    assert week_times({"week": [{"day": "mon", "spans": spans}]}, locale) == {"mon": shown}


def test_the_widgets_closed_answer_to_an_english_visitor_of_a_new_york_store_says_am(site: World) -> None:
    _store(site.a)
    visitor = Client(headers={"Origin": SITE, "Accept-Language": "en-US"})
    with time_machine.travel(MONDAY, tick=False):
        assert start(visitor, "Do you resize rings?").status_code == 201
    with scope(store=site.a):
        replies = list(Message.objects.filter(direction="out").values_list("body", flat=True))
    # In the chat as on the staff pages: Babel's narrow no-break space keeps "AM" by its time.
    assert replies == [
        "Thank you for your message. Atelier Ana is closed now; we will answer tomorrow at 10:00\u202fAM (New York time)."
    ]


# ---- texts, WhatsApp and email -------------------------------------------------------------------

ADDRESSES = {"sms": "+12015550123", "whatsapp": "whatsapp:+12015550123", "email": "clara@example.com"}


def _write_in(store: Any, captured: Any, channel: str) -> list[str]:
    with time_machine.travel(MONDAY, tick=False), scope(store=store), captured(execute=True):
        message_receive(
            store=store,
            channel=channel,
            from_address=ADDRESSES[channel],
            body="Are you open tomorrow?",
            provider="sandbox",
            provider_id=f"{channel}-1",
        )
    with scope(store=store):
        return list(Message.objects.filter(direction="out").values_list("body", flat=True))


@pytest.mark.parametrize(
    ("channel", "time"),
    [
        # A text keeps to the GSM-7 alphabet (one segment): a plain space, not the narrow no-break one.
        ("sms", "10:00 AM"),
        ("whatsapp", "10:00\u202fAM"),
        ("email", "10:00\u202fAM"),
    ],
)
def test_a_new_york_stores_closed_answer_says_am_on_every_channel(
    world: World, django_capture_on_commit_callbacks: Any, channel: str, time: str
) -> None:
    _store(world.a)
    make_customer(world.a, phones=["+12015550123"], emails=["clara@example.com"])
    assert _write_in(world.a, django_capture_on_commit_callbacks, channel) == [
        f"Thank you for your message. Atelier Ana is closed now; we will answer tomorrow at {time} (New York time)."
    ]


@pytest.mark.parametrize("channel", ["sms", "whatsapp", "email"])
def test_a_berlin_stores_closed_answer_says_24_hour_time_in_german_on_every_channel(
    world: World, django_capture_on_commit_callbacks: Any, channel: str
) -> None:
    _store(world.a, locale="de_DE", time_zone="Europe/Berlin")
    make_customer(world.a, phones=["+12015550123"], emails=["clara@example.com"])
    assert _write_in(world.a, django_capture_on_commit_callbacks, channel) == [
        "Vielen Dank für Ihre Nachricht. Atelier Ana hat jetzt geschlossen; "
        "wir antworten Ihnen morgen um 10:00 Uhr (Ortszeit Berlin)."
    ]


def test_a_french_stores_closed_answer_says_24_hour_time_in_french(
    world: World, django_capture_on_commit_callbacks: Any
) -> None:
    _store(world.b)
    make_customer(world.b, phones=["+33612345678"])
    with (
        time_machine.travel(MONDAY, tick=False),
        scope(store=world.b),
        django_capture_on_commit_callbacks(execute=True),
    ):
        message_receive(
            store=world.b,
            channel="sms",
            from_address="+33612345678",
            body="Bonjour",
            provider="sandbox",
            provider_id="1",
        )
    with scope(store=world.b):
        replies = list(Message.objects.filter(direction="out").values_list("body", flat=True))
    assert replies == [
        "Merci pour votre message. Bijoux Berger est fermé pour le moment\u00a0; "
        "nous vous répondrons demain à 10:00 (heure de Paris)."
    ]


def test_a_british_customer_of_a_new_york_store_reads_24_hour_time(
    world: World, django_capture_on_commit_callbacks: Any
) -> None:
    """The customer's own region, when their language says it (en-GB), before the store's."""
    _store(world.a)
    make_customer(world.a, phones=["+12015550123"], language="en-GB")
    assert _write_in(world.a, django_capture_on_commit_callbacks, "sms") == [
        "Thank you for your message. Atelier Ana is closed now; we will answer tomorrow at 10:00 (New York time)."
    ]
