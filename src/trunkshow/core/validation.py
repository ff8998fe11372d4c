"""Input checks shared by every app: text, emails, countries, currencies, money, time zones.

Each returns the clean value or raises ``ValidationError`` with a sentence a person can act on.
"""

from __future__ import annotations

import functools
import re
import unicodedata
import zoneinfo
from collections.abc import Collection
from decimal import Decimal, InvalidOperation

import phonenumbers
from babel.numbers import list_currencies
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from email_validator import EmailNotValidError, validate_email

# Letters that do not decompose under NFKD but that people type without their mark.
_FOLD_EXTRA = str.maketrans({"ø": "o", "ł": "l", "đ": "d", "ð": "d", "þ": "th", "æ": "ae", "œ": "oe", "ı": "i"})
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
# Half of a UTF-16 pair: valid in JSON ("\ud800"), but no database can store it as text.
_SURROGATE = re.compile(r"[\ud800-\udfff]")


def fold(text: str) -> str:
    """Lowercase, without diacritics: ``Müller`` and ``Muller`` fold to ``muller``."""
    if text.isascii():  # most names and every email: nothing to decompose (casefold is lower here)
        return text.lower()
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    stripped = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return stripped.translate(_FOLD_EXTRA)


# Marks people type for the same thing: an iPhone's ’ for ', a Word dash for a hyphen.
_SAME_MARK = str.maketrans(dict.fromkeys("’‘ʼ´`′", "'") | dict.fromkeys("‐‑‒–—―−", "-"))


def fold_loosely(text: str) -> str:
    """``fold`` where any apostrophe, any hyphen or dash and any run of spaces compare alike: what a
    person typed to confirm a name matches however their keyboard wrote ``O’Brien`` or ``Lloyd–Jones``."""
    marked = text.translate(_SAME_MARK)  # before fold: NFKD turns ´ into a space and a mark
    return " ".join(fold(marked).replace(" -", "-").replace("- ", "-").split())


def initials(*names: str, limit: int = 2) -> str:
    """The first letter of each name (of each word when one name is given), letters only: a name typed
    as ``<Sam> <Tate>`` is "ST", not "<S<T", ``Thảo`` gives "T", ``Žofia`` "Ž"; "?" when there is none."""
    words = [w for name in names for w in unicodedata.normalize("NFC", name or "").split()]
    if len(names) > 1:  # one letter per name, from its first word that has one
        words = [
            next((w for w in unicodedata.normalize("NFC", n or "").split() if any(c.isalpha() for c in w)), "")
            for n in names
        ]
    found = [next((c for c in w if c.isalpha()), "") for w in words]
    return "".join(c.upper()[:1] for c in found if c)[:limit] or "?"


def text_error(text: str, *, multiline: bool = False) -> str | None:
    """Why this text cannot be stored, or None: half of a UTF-16 pair (no database stores one), a
    control character (PostgreSQL refuses NUL), a line break where the field is one line."""
    if _SURROGATE.search(text):
        return _("This text holds a broken character (half of an emoji pair); type it again.")
    if _CONTROL.search(text) or (not multiline and ("\n" in text or "\r" in text)):
        return _("Remove the control characters or line breaks from this field.")
    return None


def text_errors(*, multiline: Collection[str] = (), **texts: str) -> dict[str, list[str]]:
    """``text_error`` for several fields at once (those named in ``multiline`` may hold line
    breaks), as a form's errors: {field: [why]} for each that cannot be stored."""
    found = {field: text_error(text, multiline=field in multiline) for field, text in texts.items()}
    return {field: [error] for field, error in found.items() if error}


def check_text(text: str, *, field: str, multiline: bool = False) -> None:
    """Raise ``ValidationError`` naming the field when ``text_error`` finds something."""
    error = text_error(text, multiline=multiline)
    if error:
        raise ValidationError({field: error})


# Invisible characters that mean nothing at either end of a field (a byte order mark pasted with a
# name, a zero-width space); inside a word some scripts need the joiners, so only the ends lose them.
INVISIBLE = "\ufeff\u200b\u200c\u200d\u2060"
_BLANK_ENDS = re.compile(rf"^[\s{INVISIBLE}]+|[\s{INVISIBLE}]+$")


def clean_text(value: str | None, *, field: str, max_length: int, multiline: bool = False) -> str:
    text = _BLANK_ENDS.sub("", value or "")
    check_text(text, field=field, multiline=multiline)
    text = unicodedata.normalize("NFC", text)
    if len(text) > max_length:
        raise ValidationError(
            {field: _("Use at most %(max)d characters (this has %(n)d).") % {"max": max_length, "n": len(text)}}
        )
    return text


# The plain addresses nearly everyone has: dot-atom letters before the @, a host name of
# letter-digit-hyphen labels after it ending in an alphabetic top-level domain. For these,
# email-validator's answer is known without running it (valid, and only the case changes), so
# they skip it; everything else (quoted parts, Unicode, Punycode, odd lengths, reserved names) goes
# through it. tests/core/test_validation.py checks the two agree.
_ATEXT = r"[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+"
_PLAIN_EMAIL = re.compile(
    rf"(?P<local>{_ATEXT}(?:\.{_ATEXT})*)@(?P<domain>(?:[A-Za-z0-9](?:[A-Za-z0-9-]{{0,61}}[A-Za-z0-9])?\.)+[A-Za-z]{{2,63}})"
)
# email-validator's SPECIAL_USE_DOMAIN_NAMES: addresses there are refused (by the validator).
_RESERVED_TLDS = frozenset({"arpa", "invalid", "local", "localhost", "onion", "test"})


def _plain_email(text: str) -> str | None:
    """The normalised form of a plain address, or None when email-validator must decide."""
    found = _PLAIN_EMAIL.fullmatch(text)
    if found is None:
        return None
    local, domain = found["local"], found["domain"]
    if len(local) > 64 or len(domain) > 253 or "--" in domain:
        return None
    if domain.rpartition(".")[2].lower() in _RESERVED_TLDS:
        return None
    return text.lower()


def normalise_email(raw: str, *, field: str = "email") -> str:
    text = (raw or "").strip()
    if not text:
        raise ValidationError({field: _("Enter an email address.")})
    if len(text) > 254:
        raise ValidationError({field: _("An email address has at most 254 characters.")})
    plain = _plain_email(text)
    if plain is not None:
        return plain
    try:
        result = validate_email(text, check_deliverability=False)
    except EmailNotValidError as exc:
        raise ValidationError(
            {field: _("“%(raw)s” is not a valid email address: %(why)s") % {"raw": raw, "why": str(exc)}}
        ) from None
    local, _sep, domain = result.normalized.rpartition("@")
    return f"{local}@{result.ascii_domain or domain}".lower()


@functools.cache
def choice_values(choices: type) -> frozenset[str]:
    """The values of a ``TextChoices`` as a set; Django builds ``Choices.values`` anew (a list
    from the members) on every read, which showed in the import's profile."""
    return frozenset(choices.values)  # type: ignore[attr-defined]


@functools.cache
def time_zones() -> frozenset[str]:
    """The IANA zone names; cached, as listing them walks the tz database (about 15 ms each time)."""
    return frozenset(zoneinfo.available_timezones())


def validate_time_zone(value: str, *, field: str = "time_zone") -> str:
    text = (value or "").strip()
    if not text:
        return ""
    if text not in time_zones():
        raise ValidationError({field: _("“%(tz)s” is not a time zone; use a name like Europe/Paris.") % {"tz": value}})
    return text


def validate_country(value: str, *, field: str = "country") -> str:
    text = (value or "").strip().upper()
    if not text:
        return ""
    if text not in phonenumbers.SUPPORTED_REGIONS and text not in {"AQ", "BV", "HM", "TF", "UM", "PN", "GS"}:
        raise ValidationError({field: _("“%(c)s” is not a two-letter country code such as FR or US.") % {"c": value}})
    return text


def validate_currency(value: str, *, field: str = "currency") -> str:
    text = (value or "").strip().upper()
    if text not in list_currencies():
        raise ValidationError({field: _("“%(c)s” is not a currency code such as USD or EUR.") % {"c": value}})
    return text


def validate_amount(value: Decimal | str | float | int, *, field: str = "amount") -> Decimal:
    try:
        amount = Decimal(str(value))
    except InvalidOperation:
        raise ValidationError({field: _("Enter an amount such as 1250.00.")}) from None
    if not amount.is_finite():
        raise ValidationError({field: _("Enter an amount such as 1250.00.")})
    if amount < 0:
        raise ValidationError({field: _("The amount cannot be negative.")})
    if amount >= Decimal("10000000000"):
        raise ValidationError({field: _("The amount is too large.")})
    if amount != amount.quantize(Decimal("0.01")):
        raise ValidationError({field: _("Use at most two decimal places.")})
    return amount.quantize(Decimal("0.01"))


# Control characters of both ranges (C0 with DEL, and C1): no text stored here holds them.
_ANY_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f]")


def search_text(value: str | None, *, max_length: int = 200) -> str:
    """What someone typed into a search box, made safe to compare: control characters and
    broken characters dropped (a search never fails for them, and PostgreSQL refuses a NUL in a
    parameter), trimmed of blanks and invisible characters (``INVISIBLE``) and shortened. Empty
    when nothing searchable was typed (``unsearchable`` tells that from a blank box)."""
    text = _SURROGATE.sub("", _ANY_CONTROL.sub(" ", value or ""))
    return _BLANK_ENDS.sub("", unicodedata.normalize("NFC", text))[:max_length]


def unsearchable(value: str | None) -> bool:
    """Whether something was typed, but nothing that can be searched for: only control characters,
    halves of UTF-16 pairs or invisible characters (a NUL, a zero-width space), with blanks."""
    return bool((value or "").strip()) and not search_text(value)
