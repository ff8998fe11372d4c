"""The widget speaks the visitor's language (Accept-Language), records consent in the words the visitor
read, and the committed catalogs (src/trunkshow/locale) are whole, current and compiled."""

from __future__ import annotations

import gettext
import gzip
import re
from pathlib import Path
from typing import Any

import pytest
import time_machine
from babel.messages.catalog import Catalog
from babel.messages.extract import extract_from_file
from babel.messages.pofile import read_po
from django.conf import settings
from django.core.cache import cache
from django.test import Client
from django_scopes import scope, scopes_disabled

from tests.conftest import World
from tests.messaging import test_widget_api
from tests.messaging.test_widget_api import SITE, count, post, start
from trunkshow.customers.models import ConsentEvent, Customer
from trunkshow.inbox.services import inbox_settings
from trunkshow.messaging.channels.webchat.selectors import widget_events_since
from trunkshow.messaging.models import Message

site = test_widget_api.site  # fixture: store A's chat allowed on SITE, store B's on its own site

FRENCH_BROWSER = "fr-FR,fr;q=0.9"
# French puts a no-break space (\u00a0) before ; and : and inside « ».
LOCALE = Path(settings.LOCALE_PATHS[0])
SRC = LOCALE.parents[1]  # src/, where the catalogs' "#:" locations start
TRANSLATED = ["fr", "de", "es", "it"]
FRENCH_CONSENT = "Oui, Atelier Ana peut me répondre au sujet de cette conversation par SMS ou par e-mail."
ENGLISH_CONSENT = "Yes, Atelier Ana may reply to me about this conversation by text message or email."


@pytest.fixture(autouse=True)
def _fresh_rate_limits() -> None:
    cache.clear()


def visitor(language: str) -> Client:
    return Client(headers={"Origin": SITE, "Accept-Language": language})


def closed_until_tomorrow(store: Any) -> time_machine.travel:
    """Store A (New York) opens Tuesdays at 10:00; it is Monday 23 November 2026, noon."""
    with scopes_disabled():
        type(store).objects.filter(pk=store.pk).update(opening_hours={"tue": [["10:00", "18:00"]]})
    return time_machine.travel("2026-11-23T17:00:00Z", tick=False)


# ---- the visitor's language -------------------------------------------------------------------------


def test_a_french_browser_gets_the_config_in_french(site: World) -> None:
    with closed_until_tomorrow(site.a):
        response = visitor(FRENCH_BROWSER).get("/widget/api/atelier/config")
    assert response.status_code == 200
    assert response["Content-Language"] == "fr"
    assert "Accept-Language" in [v.strip() for v in response["Vary"].split(",")]
    data = response.json()
    assert data["language"] == "fr"
    assert data["status"] == "Nous sommes fermés en ce moment\u00a0; nous ouvrons demain à 10:00 (heure de New York)."
    assert data["consent_text"] == FRENCH_CONSENT
    assert data["hours"]["next_open"] == {"day": "tue", "time": "10:00", "in_days": 1}  # data stay data


@pytest.mark.parametrize(
    ("language", "minutes", "expected"),
    [
        ("en", 5, "We usually reply within 5 minutes while we are open."),
        ("en", 1, "We usually reply within 1 minute while we are open."),
        ("fr-FR,fr;q=0.9", 5, "Nous répondons d’habitude en moins de 5 minutes pendant nos heures d’ouverture."),
        ("de-DE", 120, "Wir antworten meist innerhalb von 2 Stunden, solange wir geöffnet haben."),
        ("it", 60, "Di solito rispondiamo entro 1 ora durante l’orario di apertura."),
        ("es", 90, "Solemos responder en menos de 90 minutos mientras estamos abiertos."),
    ],
)
def test_without_the_owners_words_the_reply_time_is_the_response_target_in_the_visitors_language(
    site: World, language: str, minutes: int, expected: str
) -> None:
    """Store B wrote no reply time: the widget still says how soon it answers, from the inbox's target."""
    with scope(store=site.b):
        settings_row = inbox_settings(site.b)
        settings_row.response_target_minutes = minutes
        settings_row.save()
    response = Client(headers={"Origin": "https://bijoux.example", "Accept-Language": language}).get(
        "/widget/api/bijoux/config"
    )
    assert response.status_code == 200
    assert response.json()["reply_time"] == expected


def test_the_owners_own_reply_time_words_are_shown_as_written_in_every_language(site: World) -> None:
    response = visitor(FRENCH_BROWSER).get("/widget/api/atelier/config")
    assert response.json()["reply_time"] == "We usually reply within 10 minutes."


@pytest.mark.parametrize("header", ["pt-BR,pt;q=0.9", "xx", ""])
def test_a_language_the_widget_does_not_speak_gets_english(site: World, header: str) -> None:
    with closed_until_tomorrow(site.a):
        data = visitor(header).get("/widget/api/atelier/config").json()
    assert data["language"] == "en"
    assert data["status"] == "We are closed now; we open tomorrow at 10:00\u202fAM (New York time)."
    assert data["consent_text"] == ENGLISH_CONSENT


@pytest.mark.parametrize(
    ("header", "language", "launch", "days"),
    [
        (FRENCH_BROWSER, "fr", "Écrivez-nous", "lundi"),
        ("de-AT,de;q=0.8,en;q=0.5", "de", "Schreiben Sie uns", "Montag"),
        ("it", "it", "Ci scriva", "lunedì"),
        ("pt-BR", "en", "Chat with us", "Monday"),
    ],
)
def test_the_script_carries_its_words_in_the_visitors_language(
    site: World, header: str, language: str, launch: str, days: str
) -> None:
    response = Client(headers={"Accept-Language": header}).get("/widget/atelier.js")
    assert response.status_code == 200
    assert "Accept-Language" in [v.strip() for v in response["Vary"].split(",")]
    body = response.content.decode()
    assert f'"lang": "{language}"' in body
    assert '"name": "Atelier Ana"' in body  # signs the store's messages that have no author
    assert f'"launch": "{launch}"' in body
    assert f'"mon": "{days}"' in body
    assert len(gzip.compress(response.content, 9)) <= 15 * 1024  # the budget holds in every language
    # Each language is its own content, so its own ETag: a cached English copy never answers a French browser.
    english = Client().get("/widget/atelier.js")
    assert (response["ETag"] == english["ETag"]) is (language == "en")


def test_the_consent_ledger_records_the_french_words_the_visitor_saw(site: World) -> None:
    client = visitor(FRENCH_BROWSER)
    shown = client.get("/widget/api/atelier/config").json()
    mine = start(client).json()
    # Even if this request said otherwise, the language the consent was shown in decides the words.
    response = post(
        Client(headers={"Origin": SITE, "Accept-Language": "en"}),
        f"/widget/api/atelier/conversations/{mine['conversation']}/identify",
        {"name": "Léa Martin", "email": "lea@example.com", "consent": True, "language": shown["language"]},
        mine["token"],
    )
    assert response.status_code == 200
    with scope(store=site.a):
        assert list(ConsentEvent.objects.values_list("channel", "evidence_text")) == [("email", FRENCH_CONSENT)]
    assert shown["consent_text"] == FRENCH_CONSENT


def test_without_a_language_the_consent_is_recorded_in_the_language_of_the_request(site: World) -> None:
    """A script cached from before this change sends no language: the request's own is the one it showed."""
    client = visitor(FRENCH_BROWSER)
    mine = start(client).json()
    url = f"/widget/api/atelier/conversations/{mine['conversation']}/identify"
    assert (
        post(client, url, {"name": "Léa", "phone": "(212) 555-0143", "consent": True}, mine["token"]).status_code == 200
    )
    with scope(store=site.a):
        assert list(ConsentEvent.objects.values_list("channel", "evidence_text")) == [("sms", FRENCH_CONSENT)]


def test_consent_in_a_language_never_shown_is_refused_and_nothing_is_stored(site: World) -> None:
    client = visitor(FRENCH_BROWSER)
    mine = start(client).json()
    before = count(Customer)
    response = post(
        client,
        f"/widget/api/atelier/conversations/{mine['conversation']}/identify",
        {"name": "Léa", "email": "lea@example.com", "consent": True, "language": "pt"},
        mine["token"],
    )
    assert response.status_code == 400
    assert response.json()["error"]["fields"] == {
        "language": ["La discussion n’est pas proposée en «\u00a0pt\u00a0»\u00a0; rechargez la page."]
    }
    assert (count(Customer), count(ConsentEvent)) == (before, 0)


def test_a_widget_api_error_comes_in_german(site: World) -> None:
    response = start(visitor("de-DE,de;q=0.9"), "   ")
    assert response.status_code == 400
    assert response["Content-Language"] == "de"
    assert response.json()["error"] == {
        "code": "invalid",
        "message": "Schreiben Sie zuerst eine Nachricht.",
        "fields": {"body": ["Schreiben Sie zuerst eine Nachricht."]},
    }
    refused = Client(headers={"Origin": "https://evil.example", "Accept-Language": "de"}).get(
        "/widget/api/atelier/config"
    )
    assert refused.json()["error"]["message"] == "Diese Website darf den Chat des Geschäfts nicht verwenden."


@pytest.mark.parametrize(
    ("left", "said"),
    [
        (0.5, "Trop de demandes ; réessayez dans 1 seconde."),
        (1.5, "Trop de demandes ; réessayez dans 2 secondes."),
    ],
)
def test_a_throttled_visitor_is_told_how_long_to_wait_in_the_right_number(
    site: World, settings: Any, left: float, said: str
) -> None:
    settings.WIDGET_RATE_LIMITS = {"start": (1, 600)}
    window_end = 1_800_000_000 - 1_800_000_000 % 600 + 600
    with time_machine.travel(window_end - left, tick=False):
        client = visitor("fr-FR,fr;q=0.9")
        assert start(client, "Bonjour").status_code == 201
        refused = start(client, "Bonjour ?")
    assert (refused.status_code, refused["Retry-After"]) == (429, str(round(left + 0.5)))
    assert refused.json()["error"]["message"] == said


def test_a_bad_phone_number_is_explained_in_spanish(site: World) -> None:
    client = visitor("es-ES,es;q=0.9")
    mine = start(client).json()
    response = post(
        client,
        f"/widget/api/atelier/conversations/{mine['conversation']}/identify",
        {"name": "Lucía", "phone": "12"},
        mine["token"],
    )
    assert response.json()["error"]["fields"] == {
        "phone": [
            "«12» no es un número de teléfono válido (Estados Unidos). Añada el prefijo del país, por ejemplo +1 201-555-0123."
        ]
    }


def test_a_french_visitor_writing_while_the_store_is_closed_is_answered_in_french(site: World) -> None:
    with closed_until_tomorrow(site.a):
        started = start(visitor(FRENCH_BROWSER), "Bonjour, êtes-vous ouverts ?")
        assert started.status_code == 201
    with scope(store=site.a):
        replies = list(Message.objects.filter(direction="out").values_list("body", flat=True))
        # The answer came in the same request: the socket's resume from the event the response
        # names brings it (it once named a later event, and the answer showed only after a reload).
        chat = started.json()
        resumed = widget_events_since(store=site.a, conversation_id=chat["conversation"], after_id=chat["last_event"])
    assert replies == [
        "Merci pour votre message. Atelier Ana est fermé pour le moment\u00a0; nous vous répondrons demain à 10:00 (heure de New York)."
    ]
    assert [e["message"]["body"] for e in resumed] == replies


# ---- the catalogs ----------------------------------------------------------------------------------

PLACEHOLDER = re.compile(r"%\(\w+\)s|\{\w+\}")
# Left out of a translation on purpose: the email checker's reason is English only.
MAY_DROP = {"“%(raw)s” is not a valid email address: %(why)s": {"%(why)s"}}
KEYWORDS: dict[str, Any] = {
    "_": None,
    "gettext": None,
    "ngettext": (1, 2),
    "pgettext": ((1, "c"), 2),
    "pgettext_lazy": ((1, "c"), 2),
    "npgettext": ((1, "c"), 2, 3),
}
# Files whose every string a visitor may read; the catalogs must hold all of them.
WHOLE_FILES = [
    "trunkshow/messaging/channels/webchat/text.py",
    "trunkshow/messaging/channels/webchat/views.py",
    "trunkshow/messaging/photos.py",
]


def catalog(language: str) -> Catalog:
    with (LOCALE / language / "LC_MESSAGES" / "django.po").open("rb") as po:
        return read_po(po)


def key(message: Any) -> tuple[str | None, str]:
    return message.context, message.id if isinstance(message.id, str) else message.id[0]


def in_code(path: str) -> set[tuple[str | None, str]]:
    found = extract_from_file("python", SRC / path, keywords=KEYWORDS)
    return {(context, text if isinstance(text, str) else text[0]) for _line, text, _comments, context in found}


@pytest.mark.parametrize("language", TRANSLATED)
def test_each_committed_mo_holds_exactly_the_translations_of_its_po(language: str) -> None:
    """No msgfmt on a fresh machine: the .mo files are committed, compiled by
    ``uv run pybabel compile -d src/trunkshow/locale -D django``. This fails when a .po changed without it."""
    expected: dict[Any, str] = {}
    for message in catalog(language):
        if not message.id:
            continue
        context, msgid = key(message)
        name = f"{context}\x04{msgid}" if context else msgid
        if message.pluralizable:
            expected.update({(name, i): text for i, text in enumerate(message.string)})
        else:
            expected[name] = message.string
    with (LOCALE / language / "LC_MESSAGES" / "django.mo").open("rb") as mo:
        compiled = gettext.GNUTranslations(mo)
    assert {k: v for k, v in compiled._catalog.items() if k != ""} == expected  # type: ignore[attr-defined]
    assert compiled.ngettext("x", "y", 2) == "y"  # the header's plural rule was read


def test_the_four_catalogs_translate_the_same_strings_fully_with_their_placeholders() -> None:
    catalogs = {language: catalog(language) for language in TRANSLATED}
    keys = {language: {key(m) for m in found if m.id} for language, found in catalogs.items()}
    assert all(found == keys["fr"] for found in keys.values())
    for language, found in catalogs.items():
        assert found.num_plurals == 2, language
        for message in found:
            if not message.id:
                continue
            assert not message.fuzzy, (language, message.id)
            ids = [message.id] if isinstance(message.id, str) else list(message.id)
            texts = [message.string] if isinstance(message.string, str) else list(message.string)
            for text in texts:
                assert text.strip(), (language, message.id)
                wanted = set(PLACEHOLDER.findall(ids[-1])) - MAY_DROP.get(ids[0], set())
                assert set(PLACEHOLDER.findall(text)) - MAY_DROP.get(ids[0], set()) == wanted, (language, text)


def test_the_catalogs_hold_every_string_the_widget_shows_and_none_the_code_no_longer_has() -> None:
    french = catalog("fr")
    held = {key(m) for m in french if m.id}
    for path in WHOLE_FILES:
        assert in_code(path) - held == set(), path
    for message in french:
        if message.id:
            where = {path for path, _line in message.locations}
            assert any(key(message) in in_code(path) for path in where), (message.id, where)


@pytest.mark.parametrize(
    ("header", "open_now", "closed_now"),
    [
        (
            "de-DE",
            "Wir haben jetzt geöffnet.",
            "Wir haben jetzt geschlossen; wir öffnen morgen um 10:00 Uhr (Ortszeit New York).",
        ),
        (
            "fr-FR",
            "Nous sommes ouverts en ce moment.",
            "Nous sommes fermés en ce moment\u00a0; nous ouvrons demain à 10:00 (heure de New York).",
        ),
        # Spanish as it is written in the United States, where the store is.
        (
            "es",
            "Ahora estamos abiertos.",
            "Ahora estamos cerrados; abrimos mañana a las 10:00\u202fa.m. (hora de Nueva York).",
        ),
        ("it", "Ora siamo aperti.", "Ora siamo chiusi; apriamo domani alle 10:00 (ora di New York)."),
    ],
)
def test_the_hours_say_we_are_open_or_closed_now_not_that_we_just_opened_or_closed(
    site: World, header: str, open_now: str, closed_now: str
) -> None:
    """Found by a new user: the German chat said "Wir haben gerade geöffnet" ("we have just opened")."""
    with scopes_disabled():
        type(site.a).objects.filter(pk=site.a.pk).update(opening_hours={})  # no hours: always open
    assert visitor(header).get("/widget/api/atelier/config").json()["status"] == open_now
    with closed_until_tomorrow(site.a):
        assert visitor(header).get("/widget/api/atelier/config").json()["status"] == closed_now


def test_the_closed_stores_automatic_answer_in_german_says_closed_now_not_just_closed() -> None:
    from django.utils import translation

    from trunkshow.messaging.channels.webchat.text import closed_reply

    with translation.override("de"):
        said = closed_reply("Atelier Ana", {"day": "tue", "time": "10:00", "in_days": 1}, "America/New_York", "de")
    assert said == (
        "Vielen Dank für Ihre Nachricht. Atelier Ana hat jetzt geschlossen; "
        "wir antworten Ihnen morgen um 10:00 Uhr (Ortszeit New York)."
    )
