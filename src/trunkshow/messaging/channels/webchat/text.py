"""What the widget says, in the visitor's language: the words its script shows and the sentences of its config.

The language is the one ``LocaleMiddleware`` negotiated from the request's ``Accept-Language``
(English when none of ``settings.LANGUAGES`` fits). The script carries ``WORDS`` translated, so
the chat button is in the visitor's language before any request; in those strings ``{name}``
is filled by the script. Sentences that depend on the store and the hour are written here.
"""

from __future__ import annotations

import datetime as dt
from typing import Any
from zoneinfo import ZoneInfo

from babel import Locale, UnknownLocaleError
from babel.dates import format_interval, format_time, get_timezone_location
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
    # The thanks names only the channels the visitor gave and consented to.
    "thanks": pgettext_lazy("web chat", "Thank you, {name}. We will reply here, or by text or email if you leave."),
    "thanks_text": pgettext_lazy("web chat", "Thank you, {name}. We will reply here, or by text if you leave."),
    "thanks_email": pgettext_lazy("web chat", "Thank you, {name}. We will reply here, or by email if you leave."),
    # Without the consent box ticked, the store may not text or email them: only here.
    "thanks_here": pgettext_lazy(
        "web chat", "Thank you, {name}. We can only answer you here, while this page is open."
    ),
    # The second chance to tick the box (ADR 0009).
    "allow_contact": pgettext_lazy("web chat", "Also let the store answer me after I leave"),
    "allow_save": pgettext_lazy("web chat", "Save my choice"),
    "consent_unticked": pgettext_lazy("web chat", "Tick the box first, or tap Not now."),
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


def times_locale(store_locale: str, customer_language: str = "") -> str:
    """The locale whose way of writing a time of day the active language uses: that language in the
    customer's region when their language tag names one (``en-GB``), else in the store's (``en_US``:
    "10:00 AM"; English for a Berlin store, ``en_DE``: "10:00"), else the language's own (fr: "10:00").
    A customer region the language is never written in (``fr`` in the US) falls to the next."""
    spoken = translation.to_locale(language()).split("_")[0]
    for tag in (customer_language, store_locale):
        try:
            territory = Locale.parse((tag or "").replace("-", "_")).territory
        except (UnknownLocaleError, ValueError, TypeError):
            continue
        if not territory:
            continue
        try:
            return str(Locale(spoken, territory))
        except UnknownLocaleError:
            continue
    return spoken


def _clock(value: str) -> dt.time:
    """``"09:30"`` as a time of day; ``"24:30"`` (a closing past midnight) is 00:30."""
    hh, _sep, mm = value.partition(":")
    return dt.time(int(hh) % 24, int(mm))


def opening_time(value: str, locale: str) -> str:
    """A store's ``"10:00"`` as the locale writes it: "10:00\u202fAM" in the US, "10:00" in France."""
    return format_time(_clock(value), "short", locale=locale)


def opening_span(opens: str, closes: str, locale: str) -> str:
    """One opening span in the locale's own interval pattern, twelve- or 24-hour as its times are:
    "10:00\u202fAM\u2009–\u20096:00\u202fPM" in the US, "10:00–18:00 Uhr" in German."""
    twelve = "h" in str(Locale.parse(locale).time_formats["short"].pattern)
    # On two days when it closes past midnight ("20:00"–"24:30"), so Babel does not read one moment.
    start = dt.datetime.combine(dt.date(2000, 1, 3), _clock(opens))
    end = dt.datetime.combine(dt.date(2000, 1, 3 + int(closes.partition(":")[0]) // 24), _clock(closes))
    if end - start >= dt.timedelta(days=1):  # a whole day: Babel would write its one clock time once
        pattern = str(Locale.parse(locale).interval_formats.get(None) or "{0}\u2013{1}")
        return pattern.format(
            format_time(start.time(), "short", locale=locale), format_time(end.time(), "short", locale=locale)
        )
    return format_interval(start, end, "hm" if twelve else "Hm", locale=locale)


def week_times(opening: dict[str, Any], locale: str) -> dict[str, str]:
    """``selectors.opening_hours``'s week as the widget lists it, day by day ("" on a closed day)."""
    return {day["day"]: ", ".join(opening_span(o, c, locale) for o, c in day["spans"]) for day in opening["week"]}


def hours_status(opening: dict[str, Any], time_zone: str, locale: str) -> str:
    """``selectors.opening_hours`` in one sentence: "We are closed now; we open tomorrow at 10:00 AM (New York
    time).", the time written as ``locale`` (``times_locale``) writes it."""
    if opening["open"]:
        return _("We are open now.")
    upcoming = opening["next_open"]
    if upcoming is None:
        return _("We are closed now.")
    values = {
        "time": opening_time(upcoming["time"], locale),
        "day": _day_names()[upcoming["day"]],
        # The city of the zone, as the visitor's language names it (Wien, Vienne, Vienna).
        "place": _place(time_zone),
    }
    if upcoming["in_days"] == 0:
        return _("We are closed now; we open today at %(time)s (%(place)s time).") % values
    if upcoming["in_days"] == 1:
        return _("We are closed now; we open tomorrow at %(time)s (%(place)s time).") % values
    if upcoming["in_days"] < 7:
        return _("We are closed now; we open %(day)s at %(time)s (%(place)s time).") % values
    return _("We are closed now; we open next %(day)s at %(time)s (%(place)s time).") % values


def _place(time_zone: str) -> str:
    locale = translation.to_locale(language())
    return get_timezone_location(ZoneInfo(time_zone or "UTC"), locale=locale, return_city=True)


def closed_reply(store_name: str, next_open: dict[str, Any], time_zone: str, locale: str) -> str:
    """The automatic answer while the store is closed, saying when it opens the way ``hours_status``
    says it in the chat ("tomorrow at 10:00 AM", not "from Tuesday 10:00"): a trial read both at once."""
    values = {
        "store": store_name,
        "time": opening_time(next_open["time"], locale),
        "day": _day_names()[next_open["day"]],
        "place": _place(time_zone),
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
