"""Showing dates, money and phone numbers in the store's locale, zone and format.

``{% load trunkshow %}`` then ``{% money amount currency %}``, ``{% when dt %}``,
``{% day d %}``, ``{% monthday day month year %}``, ``{% phone e164 %}``, ``{% number n %}``.
Each reads the store from the template context (set by the store middleware).
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import phonenumbers
from babel.dates import format_date, format_datetime, format_skeleton, format_time, get_datetime_format
from babel.numbers import format_currency, format_decimal
from django import template

register = template.Library()


def _locale(context: Any) -> str:
    store = context.get("store")
    return getattr(store, "locale", None) or "en_US"


def _tz(context: Any) -> Any:
    store = context.get("store")
    return store.tz if store is not None else dt.UTC


@register.simple_tag(takes_context=True)
def money(context: Any, amount: Decimal | int | float | None, currency: str | None = None) -> str:
    if amount is None:
        return ""
    store = context.get("store")
    code = currency or str(getattr(store, "currency", "USD"))
    return format_currency(amount, code, locale=_locale(context))


@register.simple_tag(takes_context=True)
def number(context: Any, value: Decimal | int | float | None) -> str:
    """A count with the locale's grouping: "2,500" in the US, "2 500" in France."""
    if value is None:
        return ""
    return format_decimal(value, locale=_locale(context))


@register.simple_tag(takes_context=True)
def when(context: Any, value: dt.datetime | None, style: str = "medium") -> str:
    """A moment in the store's time zone, e.g. "Mar 3, 2026, 2:15 PM".

    ``"minute"`` is the medium style without seconds ("Dec 1, 2026, 10:04 PM"), for a deadline.
    ``"recent"`` says it as a chat does, from today in the store: "2:15 PM" today, "Yesterday,
    2:15 PM", "Tomorrow, 9:00 AM", "Mon, 2:15 PM" within the week either side, "Mar 3, 2:15 PM" this
    year, "Mar 3, 2025" before it."""
    if value is None:
        return ""
    if style == "recent":
        from trunkshow.core import clock

        return recent_moment(value, tz=_tz(context), locale=_locale(context), now=clock.now())
    if style == "minute":  # "Dec 1, 2026, 10:04 PM": the medium date, the time without seconds
        local, locale = value.astimezone(_tz(context)), _locale(context)
        return (
            str(get_datetime_format("medium", locale=locale))
            .replace("{1}", format_date(local, format="medium", locale=locale))
            .replace("{0}", format_time(local, format="short", locale=locale))
        )
    return format_datetime(value.astimezone(_tz(context)), format=style, locale=_locale(context))


def recent_moment(value: dt.datetime, *, tz: Any, locale: str, now: dt.datetime) -> str:
    """``{% when value "recent" %}``: the day relative to ``now``'s day in ``tz``, then the time."""
    from django.utils.translation import gettext as _

    local = value.astimezone(tz)
    today = now.astimezone(tz).date()
    time = format_time(local, format="short", locale=locale)
    days = (local.date() - today).days
    if days == 0:
        return time
    if days == -1:
        day = _("Yesterday")
    elif days == 1:
        day = _("Tomorrow")
    elif -6 <= days <= 6:
        day = format_skeleton("E", local, locale=locale)
    elif local.year == today.year:
        day = format_skeleton("MMMd", local, locale=locale)
    else:
        return format_date(local.date(), format="medium", locale=locale)
    # The locale's own joining of a date and a time: "{1}, {0}" in English, "{1} {0}" in French.
    return str(get_datetime_format("short", locale=locale)).replace("{1}", day).replace("{0}", time)


@register.simple_tag(takes_context=True)
def day(context: Any, value: dt.date | dt.datetime | None, style: str = "medium") -> str:
    """A day; a moment is first put in the store's time zone (9 pm in New York is not tomorrow)."""
    return store_day(context.get("store"), value, style)


def store_day(store: Any, value: dt.date | dt.datetime | None, style: str = "medium") -> str:
    """``{% day %}`` outside a template (a sentence a service writes): "Nov 23, 2026" in a New York store."""
    if value is None:
        return ""
    context = {"store": store}
    if isinstance(value, dt.datetime):
        value = value.astimezone(_tz(context)).date()
    return format_date(value, format=style, locale=_locale(context))


def store_time(store: Any, value: dt.datetime) -> str:
    """A time of day in the store's zone and locale, as ``{% when … "short" %}`` writes it:
    "11:47 PM" in the US, "23:47" in France (never Django's TIME_FORMAT "11:47 p.m.")."""
    context = {"store": store}
    return format_time(value.astimezone(_tz(context)), format="short", locale=_locale(context))


@register.simple_tag(takes_context=True)
def monthday(context: Any, day: int | None, month: int | None, year: int | None = None) -> str:
    """A birthday or anniversary: "March 12" or "March 12, 1985" in the store's locale."""
    if not day or not month:
        return ""
    if year:
        return format_date(dt.date(year, month, day), format="long", locale=_locale(context))
    # Year 2000 is a leap year, so Feb 29 can be shown without one.
    return format_skeleton("MMMMd", dt.date(2000, month, day), locale=_locale(context))


@register.simple_tag(takes_context=True)
def shortday(context: Any, value: dt.date | None) -> str:
    """A day without its year, short: "Nov 24" in the US, "24 nov." in France (a chart's labels)."""
    if value is None:
        return ""
    return format_skeleton("MMMd", value, locale=_locale(context))


@register.simple_tag(takes_context=True)
def phone(context: Any, e164: str | None) -> str:
    """National format for the store's own region, international for others."""
    return phone_for_region(e164, getattr(context.get("store"), "phone_region", ""))


def phone_for_region(e164: str | None, region: str) -> str:
    """``{% phone %}`` outside a template: national format in ``region``, international elsewhere."""
    if not e164:
        return ""
    try:
        number = phonenumbers.parse(e164, None)
    except phonenumbers.NumberParseException:
        return e164
    fmt = (
        phonenumbers.PhoneNumberFormat.NATIONAL
        if phonenumbers.region_code_for_number(number) == region
        else phonenumbers.PhoneNumberFormat.INTERNATIONAL
    )
    return phonenumbers.format_number(number, fmt)


@register.filter
def email_breaks(address: str | None) -> str:
    """An email address that a narrow column wraps after its "@" (``obriain.siobhan@`` / ``mail.example``),
    not in the middle of a word."""
    from django.utils.html import escape
    from django.utils.safestring import mark_safe

    local, at, domain = (address or "").rpartition("@")
    if not at:
        return escape(address or "")
    return mark_safe(f"{escape(local)}@<wbr>{escape(domain)}")  # noqa: S308 - both parts escaped


@register.filter
def wait(seconds: int | None) -> str:
    """A wait in seconds: "40 s" under a minute, else as ``minutes`` writes it (rounded to the minute)."""
    from django.utils.translation import gettext as _

    total = max(0, int(seconds or 0))
    if total < 60:
        return _("%(s)s s") % {"s": total}
    return minutes((total + 30) // 60)


@register.filter
def minutes(value: int | None) -> str:
    """A wait in minutes as a person reads it: "45 min", "3 h 20 min", "2 d 1 h" (not "2962 min")."""
    from django.utils.translation import gettext as _

    total = max(0, int(value or 0))
    if total < 60:
        return _("%(m)s min") % {"m": total}
    hours, mins = divmod(total, 60)
    if hours < 24:
        return _("%(h)s h %(m)s min") % {"h": hours, "m": mins} if mins else _("%(h)s h") % {"h": hours}
    days, hours = divmod(hours, 24)
    return _("%(d)s d %(h)s h") % {"d": days, "h": hours} if hours else _("%(d)s d") % {"d": days}
