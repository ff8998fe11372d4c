"""The widget in the visitor's language: a French (or German) Chromium on the store's own website.

The browser's locale sets the Accept-Language of the script and of the widget's cross-origin calls;
everything the panel shows is then in that language, and the consent recorded is the one it showed.
Screenshots go to /tmp/widget-shots/ for a person to look at.
"""

from __future__ import annotations

from typing import Any

import pytest
from django_scopes import scope, scopes_disabled

from tests.browser import test_widget_photos
from tests.browser.conftest import DESKTOP, PHONE, assert_accessible, assert_no_horizontal_scroll, clear_of_midnight
from tests.browser.test_widget import contact_form_hidden_parts, visitors_chats
from tests.browser.test_widget_photos import shot
from tests.conftest import World
from trunkshow.messaging.channels.webchat.services import webchat_settings_update

shop_site = test_widget_photos.shop_site  # fixture: the store's website, another origin with a strict CSP
WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")

# What each language must show: the launcher, the status line, the contact form, the thanks.
SAYS = {
    "fr-FR": {
        "launch": "Écrivez-nous",
        "status": "Nous sommes fermés en ce moment\u00a0; nous ouvrons demain à 10:00 (heure de New York).",
        "reply_time": "Nous répondons en général en moins de 10 minutes.",
        "ask": "Personne ne peut vous répondre pour le moment.",
        "hours": "Horaires d’ouverture",
        "closed": "Fermé",
        "name": "Votre nom",
        "phone": "Téléphone",
        "message": "Message",
        "save": "Enregistrer mes coordonnées",
        "send": "Envoyer",
        "empty": "Écrivez d’abord un message.",
        "consent": "Oui, Atelier Ana peut me répondre au sujet de cette conversation par SMS ou par e-mail.",
        "thanks": "Merci, Léa. Nous vous répondrons ici",
    },
    "de-DE": {
        "launch": "Schreiben Sie uns",
        "status": "Wir haben jetzt geschlossen; wir öffnen morgen um 10:00 Uhr (Ortszeit New York).",
        "reply_time": "Wir antworten in der Regel innerhalb von 10 Minuten.",
        "ask": "Im Moment kann Ihnen niemand antworten.",
        "hours": "Öffnungszeiten",
        "closed": "Geschlossen",
        "name": "Ihr Name",
        "phone": "Telefon",
        "message": "Nachricht",
        "save": "Meine Angaben speichern",
        "send": "Senden",
        "empty": "Schreiben Sie zuerst eine Nachricht.",
        "consent": "Ja, Atelier Ana darf mir zu diesem Gespräch per SMS oder E-Mail antworten.",
        "thanks": "Vielen Dank, Léa. Wir antworten Ihnen hier",
    },
}


@pytest.fixture
def closed_shop(world: World, shop_site: str, transactional_db: Any, request: Any) -> World:
    """Store A (New York) is closed all today and opens tomorrow at 10:00 (10:00–18:00 on other days).

    Today is New York's until the test ends: the day chosen a few seconds before New York's midnight
    was tomorrow's by the time the page asked, and the widget said it opens today at 10:00."""
    today = clear_of_midnight("America/New_York").weekday()
    week = {day: ([] if i == today else [["10:00", "18:00"]]) for i, day in enumerate(WEEKDAYS)}
    with scopes_disabled():
        type(world.a).objects.filter(pk=world.a.pk).update(opening_hours=week)
    with scope(store=world.a):
        webchat_settings_update(
            store=world.a, actor=None, allowed_origins=[shop_site], reply_time_text=SAYS[request.param]["reply_time"]
        )
    return world


def badly_laid_out(page: Any) -> list[str]:
    """What does not fit in the open panel: a button whose words wrap or overflow, anything reaching out
    of the panel's sides, or the message box pushed below its bottom."""
    return list(
        page.evaluate(
            """() => {
          const root = document.querySelector('[data-trunkshow-chat]').shadowRoot;
          const panel = root.querySelector('.panel').getBoundingClientRect();
          const lines = e => { const r = document.createRange(); r.selectNodeContents(e);
            return new Set([...r.getClientRects()].map(c => Math.round(c.top))).size; };
          const bad = [...root.querySelectorAll('.panel *')].filter(e => {
            const r = e.getBoundingClientRect();
            if (!r.width) return false;
            const cut = e.tagName === 'BUTTON' && (e.scrollWidth > e.clientWidth + 1 || lines(e) > 1);
            return cut || r.left < panel.left - 0.5 || r.right > panel.right + 0.5;
          }).map(e => e.tagName + ': ' + e.textContent.trim().slice(0, 60));
          const composer = root.querySelector('.composer').getBoundingClientRect();
          if (composer.bottom > panel.bottom + 0.5) bad.push('the message box is below the panel');
          const box = root.querySelector('textarea');
          if (box.clientHeight > 44) bad.push('the empty message box is ' + box.clientHeight + ' px tall');
          return bad;
        }"""
        )
    )


@pytest.mark.parametrize(
    ("closed_shop", "size"),
    [("fr-FR", "phone"), ("fr-FR", "desktop"), ("de-DE", "phone")],
    indirect=["closed_shop"],
)
def test_a_visitor_whose_browser_speaks_french_or_german_reads_the_whole_widget_in_it(
    browser: Any, live_server_url: str, closed_shop: World, shop_site: str, size: str, request: Any
) -> None:
    locale = request.node.callspec.params["closed_shop"]
    says = SAYS[locale]
    phone = size == "phone"
    extra = {"is_mobile": True, "has_touch": True, "device_scale_factor": 2} if phone else {}
    context = browser.new_context(viewport=PHONE if phone else DESKTOP, locale=locale, **extra)
    page = context.new_page()
    page.set_default_timeout(10_000)
    page.goto(shop_site)

    page.get_by_role("button", name=says["launch"], exact=True).click()
    dialog = page.get_by_role("dialog", name="Atelier Ana")
    page.get_by_text(says["ask"]).wait_for()
    assert page.locator("#ts-status").inner_text() == f"{says['status']} {says['reply_time']}"
    assert page.get_by_label(says["name"], exact=True).is_visible()
    assert page.get_by_label(says["phone"], exact=True).is_visible()
    assert page.locator("#ts-consent-label").inner_text() == says["consent"]
    assert contact_form_hidden_parts(page) == []  # the longest words still fit the desk's panel
    page.get_by_text(says["hours"]).click()
    assert page.locator(".hours li.today span").last.inner_text() == says["closed"]
    assert badly_laid_out(page) == []
    assert_no_horizontal_scroll(page)
    assert_accessible(page)
    shot(page, f"widget-{locale}-closed-{size}")

    page.get_by_role("button", name=says["send"], exact=True).click()  # nothing written yet
    page.get_by_role("alert").get_by_text(says["empty"]).wait_for()
    page.get_by_label(says["name"], exact=True).fill("Léa Martin")
    page.get_by_label(says["phone"], exact=True).fill("(212) 555-0177")
    page.get_by_role("checkbox").check()
    page.get_by_label(says["message"], exact=True).fill("Bonjour, pouvez-vous agrandir une bague ?")
    page.get_by_role("button", name=says["send"], exact=True).click()
    page.get_by_text(says["thanks"]).wait_for()
    assert badly_laid_out(page) == []
    shot(page, f"widget-{locale}-sent-{size}")
    with scope(store=closed_shop.a):
        customer = visitors_chats().get().customer
        assert list(customer.consent_events.values_list("channel", "evidence_text")) == [("sms", says["consent"])]
    assert dialog.is_visible()
    context.close()


@pytest.mark.parametrize("closed_shop", ["fr-FR"], indirect=True)
def test_a_message_sent_past_the_contact_form_goes_alone_and_a_too_long_one_is_refused_whole(
    browser: Any, live_server_url: str, closed_shop: World, shop_site: str
) -> None:
    """Found by a new user: sending while the (empty) contact form showed also sent the form, and
    the panel said "Indiquez-nous votre nom."; a pasted 100,000-character text was cut to 5,000
    without a word."""
    context = browser.new_context(viewport=DESKTOP, locale="fr-FR")
    page = context.new_page()
    page.set_default_timeout(10_000)
    page.goto(shop_site)
    page.get_by_role("button", name=SAYS["fr-FR"]["launch"], exact=True).click()
    page.get_by_text(SAYS["fr-FR"]["ask"]).wait_for()

    box = page.get_by_label(SAYS["fr-FR"]["message"], exact=True)
    box.fill("Juste une question sur les bagues.")
    page.get_by_role("button", name=SAYS["fr-FR"]["send"], exact=True).click()
    page.locator("li.me").get_by_text("Juste une question sur les bagues.").wait_for()
    page.wait_for_timeout(500)  # what the form would have answered has had time to arrive
    assert page.get_by_label(SAYS["fr-FR"]["name"], exact=True).get_attribute("aria-invalid") is None
    assert page.locator("p.error").inner_text() == ""

    long_text = "bague " * 999 + "bague!"  # 6,000 characters, none of them trimmed
    box.fill(long_text)
    assert len(box.input_value()) == 6000  # not cut by the box
    page.get_by_role("button", name=SAYS["fr-FR"]["send"], exact=True).click()
    alert = page.get_by_role("alert")
    alert.get_by_text("caractères", exact=False).wait_for()
    said = "".join(alert.inner_text().split())  # numbers as French writes them: "6 000", a narrow space
    assert "6000caractères" in said and "auplus5000" in said, said
    assert box.input_value() == long_text  # kept, to shorten and send again
    with scope(store=closed_shop.a):
        visitor_said = visitors_chats().get().messages.filter(direction="in")
        assert list(visitor_said.values_list("body", flat=True)) == ["Juste une question sur les bagues."]
    context.close()
