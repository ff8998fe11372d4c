"""Checking what people type about customers: phones, month-day dates, sizes (and the shared checks).

Each function returns the clean value or raises ``ValidationError`` with a sentence a
person can act on. Services call these; forms and the API show the sentence.
"""

from __future__ import annotations

import calendar
import re
from datetime import date
from decimal import Decimal, InvalidOperation

import phonenumbers
from babel import Locale, UnknownLocaleError
from django.core.exceptions import ValidationError
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from trunkshow.core.validation import (
    clean_text,
    fold,
    fold_loosely,
    normalise_email,
    validate_amount,
    validate_country,
    validate_currency,
    validate_time_zone,
)

# How people are addressed before their name, folded and without dots ("Mrs", "Frau", "Sig.ra" →
# "sigra"): search drops them from a name query ("Mrs Szirmay"), and an import's "Title" column is
# the customer's title only when its values are such words (a CRM's "Title" is a job title).
HONORIFICS: frozenset[str] = frozenset(
    {
        # en
        "mr",
        "mrs",
        "ms",
        "miss",
        "mx",
        "dr",
        "prof",
        "sir",
        "dame",
        "lady",
        "lord",
        "rev",
        "hon",
        "mister",
        "doctor",
        "professor",
        "capt",
        "col",
        "maj",
        "sgt",
        "lt",
        # de, at, ch
        "herr",
        "herrn",
        "frau",
        "fr",
        "hr",
        "ing",
        "dipl",
        "mag",
        "dkfm",
        # fr
        "m",
        "mme",
        "mmes",
        "mlle",
        "madame",
        "monsieur",
        "mademoiselle",
        "me",
        # es, pt
        "sr",
        "sra",
        "srta",
        "sres",
        "don",
        "dona",
        "senor",
        "senora",
        "senorita",
        "dom",
        # it
        "sig",
        "sigra",
        "sigr",
        "signor",
        "signora",
        "signore",
        "signorina",
        "dott",
        "dottssa",
        "dottoressa",
        "avv",
        # nl
        "dhr",
        "mevr",
        "mw",
        "drs",
        "ir",
        "meneer",
        "mevrouw",
    }
)


__all__ = [
    "LENGTH_BOUNDS",
    "clean_text",
    "fold",
    "fold_loosely",
    "normalise_email",
    "parse_phone",
    "phone_digits",
    "validate_amount",
    "validate_country",
    "validate_currency",
    "validate_month_day",
    "validate_size",
    "validate_time_zone",
]

MAX_NAME = 100


def _example_number(region: str) -> str:
    """A mobile number of the store's own region in international form, for an error to show."""
    example = phonenumbers.example_number_for_type(region.upper() or "US", phonenumbers.PhoneNumberType.MOBILE)
    if example is None:
        return "+44 7400 123456"
    return phonenumbers.format_number(example, phonenumbers.PhoneNumberFormat.INTERNATIONAL)


def _country(code: str) -> str:
    """A region code as the reader's language names it ("US" → "United States", "États-Unis")."""
    try:
        names = Locale.parse(translation.to_locale(translation.get_language() or "en")).territories
    except (ValueError, UnknownLocaleError):
        return code
    return str(names.get(code.upper(), code))


def parse_phone(raw: str, *, region: str, field: str = "phone") -> str:
    """Parse a phone number typed in any format to E.164, with the store's region as default."""
    text = (raw or "").strip()
    if not text:
        raise ValidationError({field: _("Enter a phone number.")})
    if len(text) > 40:
        raise ValidationError({field: _("A phone number has at most 40 characters.")})
    if text.startswith("00"):
        text = "+" + text[2:]
    try:
        number = phonenumbers.parse(text, region.upper() or None)
    except phonenumbers.NumberParseException:
        raise ValidationError(
            {
                field: _("“%(raw)s” is not a phone number. Use the international format, like %(example)s.")
                % {"raw": raw, "example": _example_number(region)}
            }
        ) from None
    valid = phonenumbers.is_valid_number(number)
    if not valid and text.startswith("+"):
        # The country was typed: the digits after it are what is wrong, not a missing country code.
        country = phonenumbers.region_code_for_country_code(number.country_code or 0)
        raise ValidationError(
            {
                field: _("“%(raw)s” is not a valid phone number (%(country)s +%(code)s): check the digits.")
                % {
                    "raw": raw,
                    "country": _country(country) if country != phonenumbers.UNKNOWN_REGION else "",
                    "code": number.country_code,
                }
            }
        )
    if not valid:
        raise ValidationError(
            {
                field: _("“%(raw)s” is not a valid phone number (%(region)s). Add the country code, like %(example)s.")
                % {
                    "raw": raw,
                    "region": _country(phonenumbers.region_code_for_number(number) or region),
                    "example": _example_number(region),
                }
            }
        )
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def phone_digits(raw: str) -> str:
    return re.sub(r"\D", "", raw or "")


def validate_month_day(
    day: int | None, month: int | None, year: int | None, *, field: str, today: date | None = None
) -> tuple[int, int, int | None] | None:
    """A date such as a birthday: day and month, year optional. None when all are empty."""
    if day is None and month is None and year is None:
        return None
    if day is None or month is None:
        raise ValidationError({field: _("Give both the day and the month (the year is optional).")})
    if not 1 <= month <= 12:
        raise ValidationError({field: _("The month must be between 1 and 12.")})
    # Feb 29 is allowed without a year (it exists in leap years).
    longest = calendar.monthrange(year if year else 2000, month)[1]
    if not 1 <= day <= longest:
        raise ValidationError(
            {
                field: _("%(month)s has no day %(day)d.")
                % {"month": calendar.month_name[month] + (f" {year}" if year else ""), "day": day}
            }
        )
    today = today or timezone.now().date()
    if year is not None:
        if year < 1900:
            raise ValidationError({field: _("The year must be 1900 or later.")})
        if date(year, month, day) > today:
            raise ValidationError({field: _("This date is in the future.")})
    return day, month, year


RING_US = re.compile(r"^(?:[0-9]|1[0-6])(?:\.(?:0|25|5|75))?$")
# A letter and maybe a half, however it is written: M½, M ½, M 1/2, M1/2, M.5, M .5 (M,5 once commas are dots).
RING_UK = re.compile(r"^([A-Z])\s*(½|\.5|1/2)?$")
# A quarter size written as a fraction: 6½, 6 ½, 6 1/2, 7 3/4 (not "61/2": six and a half, or 61 halves?).
RING_US_FRACTION = re.compile(r"^(\d{1,2})(?:\s*([¼½¾])|\s+(1/4|1/2|3/4))$")
_QUARTERS = {"¼": ".25", "½": ".5", "¾": ".75", "1/4": ".25", "1/2": ".5", "3/4": ".75"}
SIZE_SYSTEMS = {"ring": ("US", "UK", "EU"), "bracelet": ("cm", "in"), "necklace": ("cm", "in")}
# The lengths a bracelet or necklace may have, by unit (the profile's form and the import check them).
LENGTH_BOUNDS = {
    ("bracelet", "cm"): (10, 30),
    ("bracelet", "in"): (4, 12),
    ("necklace", "cm"): (30, 120),
    ("necklace", "in"): (12, 48),
}


def validate_size(kind: str, system: str, value: str, *, field: str = "size") -> tuple[str, str, str]:
    """Ring sizes in US (0–16 in quarters), UK (A–Z, halves) or EU (38–76); lengths in cm or inches."""
    if kind not in SIZE_SYSTEMS:
        raise ValidationError(
            {field: _("Unknown size kind “%(kind)s”: use ring, bracelet or necklace.") % {"kind": kind}}
        )
    systems = SIZE_SYSTEMS[kind]
    if system not in systems:
        raise ValidationError(
            {
                field: _("Unknown size system “%(system)s” for %(kind)s: use %(allowed)s.")
                % {"system": system, "kind": kind, "allowed": ", ".join(systems)}
            }
        )
    text = (value or "").strip().replace(",", ".")
    if kind == "ring":
        if system == "US":
            us = text
            if fraction := RING_US_FRACTION.match(text):
                us = fraction.group(1) + _QUARTERS[fraction.group(2) or fraction.group(3)]
            if RING_US.match(us):
                return kind, system, us
        if system == "UK" and (uk := RING_UK.match(text.upper())):
            return kind, system, uk.group(1) + ("½" if uk.group(2) else "")
        if system == "EU":
            eu = _number(text)
            if eu is not None and 38 <= eu <= 76 and eu % Decimal("0.5") == 0:
                return kind, system, format(eu.normalize(), "f")
        examples = {"US": "6.5", "UK": "M½", "EU": "52"}
        raise ValidationError(
            {
                field: _("“%(value)s” is not a %(system)s ring size (for example %(example)s).")
                % {"value": value, "system": system, "example": examples[system]}
            }
        )
    length = _number(text)
    low, high = LENGTH_BOUNDS[(kind, system)]
    if length is None or not low <= length <= high:
        raise ValidationError(
            {
                field: _("A %(kind)s length is between %(low)d and %(high)d %(unit)s.")
                % {"kind": kind, "low": low, "high": high, "unit": system}
            }
        )
    if length != length.quantize(Decimal("0.1")):
        raise ValidationError({field: _("Give a length with at most one decimal, like 17.5.")})
    return kind, system, format(length.normalize(), "f")


def _number(text: str) -> Decimal | None:
    """A short finite decimal such as 52 or 17.5; None for anything else (NaN, 1e999, words)."""
    if len(text) > 8:
        return None
    try:
        number = Decimal(text)
    except InvalidOperation:
        return None
    return number if number.is_finite() else None


def language_code(text: str) -> str | None:
    """A language code as written in BCP 47 (``pt_br`` → ``pt-BR``), or None when no language of
    the CLDR has it (``zz-ZZZZ``, a word): what the customer's messages are written in must be a
    language someone can write in."""
    if len(text) > 16 or not text.replace("-", "").replace("_", "").isalpha():
        return None
    try:
        locale = Locale.parse(text.replace("_", "-"), sep="-")
    except (ValueError, UnknownLocaleError):
        return None
    return "-".join(part for part in (locale.language, locale.script, locale.territory) if part)
