"""What the widget says, in the visitor's language: the words its script shows and the sentences of its config.

The language is the one ``LocaleMiddleware`` negotiated from the request's ``Accept-Language``
(English when none of ``settings.LANGUAGES`` fits). The script carries ``WORDS`` translated, so
the chat button is in the visitor's language before any request; in those strings ``{name}``
is filled by the script. Sentences that depend on the store and the hour are written here.
"""

from __future__ import annotations

from typing import Any
from zoneinfo import ZoneInfo

from babel.dates import get_timezone_location
from django.conf import settings
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import npgettext, pgettext, pgettext_lazy

LANGUAGE_CODES = frozenset(code for code, _name in settings.LANGUAGES)

# The widget's own words carry the context "web chat" (written out: makemessages reads literals only),
# so that its "Closed" (a day) or "Phone" (a visitor's label) is not the staff pages' "Closed" (a
# conversation) or "Phone" when those are translated.

WORDS = {
    "launch": pgettext_lazy("web chat", "Chat with us"),
    "title": pgettext_lazy("web chat", "Chat"),
    "close_chat": pgettext_lazy("web chat", "Close chat"),
    "hours": pgettext_lazy("web chat", "Opening hours"),
    "closed_day": pgettext_lazy("web chat", "Closed"),
    "hint": pgettext_lazy("web chat", "Ask us about a piece, a size or a visit. A jeweler answers here."),
    "messages": pgettext_lazy("web chat", "Messages"),
    "message": pgettext_lazy("web chat", "Message"),
    "placeholder": pgettext_lazy("web chat", "Write a message…"),
    "send": pgettext_lazy("web chat", "Send"),
    "attach": pgettext_lazy("web chat", "Attach photos"),
    "tray": pgettext_lazy("web chat", "Photos to send"),
    "name": pgettext_lazy("web chat", "Your name"),
    "phone": pgettext_lazy("web chat", "Phone"),
    "email": pgettext_lazy("web chat", "Email"),
    "save_details": pgettext_lazy("web chat", "Save my details"),
    "add_details": pgettext_lazy("web chat", "Add my details"),
    "not_now": pgettext_lazy("web chat", "Not now"),
    "ask_when_closed": pgettext_lazy(
        "web chat",
        "Nobody can answer right now. Leave your name and a phone or email, and we will reply as soon as we open.",
    ),
    "ask_after_first": pgettext_lazy(
        "web chat", "Leave your name and a phone or email, so we can answer even if you leave this page."
    ),
    "name_missing": pgettext_lazy("web chat", "Tell us your name."),
    "write_first": pgettext_lazy("web chat", "Now write your message; your details are sent with it."),
    "thanks": pgettext_lazy("web chat", "Thank you, {name}. We will reply here, or by text or email if you leave."),
    # Without the consent box ticked, the store may not text or email them: only here.
    "thanks_here": pgettext_lazy("web chat", "Thank you, {name}. We will reply here while this page is open."),
    "you": pgettext_lazy("web chat", "You"),
    "store": pgettext_lazy("web chat", "Store"),
    "reconnecting": pgettext_lazy("web chat", "Reconnecting…"),
    "empty_message": pgettext_lazy("web chat", "Write a message first."),
    "too_long": pgettext_lazy(
        "web chat", "Your message has {n} characters; we can take at most {max}. Shorten it or send it in parts."
    ),
    "failed": pgettext_lazy("web chat", "Something went wrong; try again."),
    "offline": pgettext_lazy("web chat", "Could not reach the store; check the connection and try again."),
    "sending_photo": pgettext_lazy("web chat", "Sending the photo…"),
    "sending_photos": pgettext_lazy("web chat", "Sending {n} photos…"),
    "too_many_photos": pgettext_lazy("web chat", "A message can carry at most {max} photos."),
    "not_a_photo": pgettext_lazy("web chat", "“{name}” is not a photo."),
    "photo_too_large": pgettext_lazy("web chat", "“{name}” is {mb} MB; a photo can be at most {max} MB."),
    "remove_photo": pgettext_lazy("web chat", "Remove {name}"),
    "photo": pgettext_lazy("web chat", "Photo"),
    "close_photo": pgettext_lazy("web chat", "Close photo"),
    "open_photo": pgettext_lazy("web chat", "Photo {name}, open full size"),
    "photo_broken": pgettext_lazy("web chat", "Photo {name} (could not be loaded), try opening it"),
    "photo_not_loaded": pgettext_lazy("web chat", "Photo not loaded"),
    "photo_loading": pgettext_lazy("web chat", "Loading {name}…"),
    "photo_failed": pgettext_lazy("web chat", "This photo could not be loaded; try again."),
}


def _day_names() -> dict[str, str]:
    # As they read inside a sentence ("we open Tuesday", "nous ouvrons mardi"); the list capitalises them.
    return {
        "mon": pgettext("web chat", "Monday"),
        "tue": pgettext("web chat", "Tuesday"),
        "wed": pgettext("web chat", "Wednesday"),
        "thu": pgettext("web chat", "Thursday"),
        "fri": pgettext("web chat", "Friday"),
        "sat": pgettext("web chat", "Saturday"),
        "sun": pgettext("web chat", "Sunday"),
    }


def widget_words() -> dict[str, Any]:
    """The script's strings in the active language."""
    words: dict[str, Any] = {key: str(word) for key, word in WORDS.items()}
    # The badge counts at least one message, and every language of LANGUAGES parts its plural at one.
    for key, n in (("unread_one", 1), ("unread_other", 2)):
        words[key] = npgettext("web chat", "Chat with us, {n} new message", "Chat with us, {n} new messages", n)
    words["days"] = _day_names()
    return words


def language() -> str:
    """The active language's code (``"fr"``): the one LocaleMiddleware negotiated for this request."""
    return translation.get_language() or settings.LANGUAGE_CODE


def language_supported(code: str) -> bool:
    return code in LANGUAGE_CODES


def hours_status(opening: dict[str, Any], time_zone: str) -> str:
    """``selectors.opening_hours`` in one sentence: "We are closed now; we open tomorrow at 10:00 (Paris time)."."""
    if opening["open"]:
        return _("We are open now.")
    upcoming = opening["next_open"]
    if upcoming is None:
        return _("We are closed now.")
    locale = translation.to_locale(language())
    values = {
        "time": upcoming["time"],
        "day": _day_names()[upcoming["day"]],
        # The city of the zone, as the visitor's language names it (Wien, Vienne, Vienna).
        "place": get_timezone_location(ZoneInfo(time_zone or "UTC"), locale=locale, return_city=True),
    }
    if upcoming["in_days"] == 0:
        return _("We are closed now; we open today at %(time)s (%(place)s time).") % values
    if upcoming["in_days"] == 1:
        return _("We are closed now; we open tomorrow at %(time)s (%(place)s time).") % values
    if upcoming["in_days"] < 7:
        return _("We are closed now; we open %(day)s at %(time)s (%(place)s time).") % values
    return _("We are closed now; we open next %(day)s at %(time)s (%(place)s time).") % values


def closed_reply(store_name: str, next_open: dict[str, Any], time_zone: str) -> str:
    """The automatic answer while the store is closed, saying when it opens the way ``hours_status``
    says it in the chat ("tomorrow at 10:00", not "from Tuesday 10:00"): a trial read both at once."""
    locale = translation.to_locale(language())
    values = {
        "store": store_name,
        "time": next_open["time"],
        "day": _day_names()[next_open["day"]],
        "place": get_timezone_location(ZoneInfo(time_zone or "UTC"), locale=locale, return_city=True),
    }
    if next_open["in_days"] == 0:
        return (
            _("Thank you for your message. %(store)s is closed now; we will answer today at %(time)s (%(place)s time).")
            % values
        )
    if next_open["in_days"] == 1:
        return (
            _(
                "Thank you for your message. %(store)s is closed now; we will answer tomorrow at %(time)s (%(place)s time)."
            )
            % values
        )
    if next_open["in_days"] < 7:
        return (
            _(
                "Thank you for your message. %(store)s is closed now; we will answer %(day)s at %(time)s (%(place)s time)."
            )
            % values
        )
    return (
        _(
            "Thank you for your message. %(store)s is closed now; we will answer next %(day)s at %(time)s (%(place)s time)."
        )
        % values
    )


def reply_time(own_words: str, target_minutes: int | None) -> str:
    """How soon the store answers, for the widget: the owner's own words when they wrote some (shown
    as written), otherwise the store's first-response target said in the visitor's language."""
    if own_words or not target_minutes:
        return own_words
    if target_minutes >= 60 and target_minutes % 60 == 0:
        hours = target_minutes // 60
        return npgettext(
            "web chat",
            "We usually reply within %(n)s hour while we are open.",
            "We usually reply within %(n)s hours while we are open.",
            hours,
        ) % {"n": hours}
    return npgettext(
        "web chat",
        "We usually reply within %(n)s minute while we are open.",
        "We usually reply within %(n)s minutes while we are open.",
        target_minutes,
    ) % {"n": target_minutes}
