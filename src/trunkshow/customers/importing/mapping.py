"""From a file's columns to customer fields: the guess from the header, the checks on a mapping,
and reading the values point-of-sale exports write (dates, yes/no, money, tags), Trunkshow's
own export included (its headers, its "; " between several values, its consent words and the
apostrophe its formula guard puts before a cell). Sizes are read in ``sizes``, whose names this
module passes on, so the rows read every field through it."""

from __future__ import annotations

import calendar
import re
from collections.abc import Iterable, Mapping, Sequence
from decimal import Decimal, InvalidOperation

from babel import Locale, UnknownLocaleError
from babel.numbers import get_currency_name, list_currencies
from django.core.exceptions import ValidationError
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, to_locale

from trunkshow.core.validation import fold
from trunkshow.customers.exporting import FORMULA_STARTS
from trunkshow.customers.importing.headers import GUESSES, column_key
from trunkshow.customers.importing.sizes import (
    LESS_40,
    QUALIFIER_WORDS,
    SIZE_WORDS,
    SIZES,
    ReadSize,
    header_words,
    length_unit,
    parse_lengths,
    parse_ring_sizes,
    parse_sizes,
    ring_size_system,
    size_reading,
    size_text,
    store_length_unit,
)
from trunkshow.customers.models import InterestKind
from trunkshow.customers.validation import HONORIFICS

IGNORE = ""
_ISO_CURRENCIES = frozenset(list_currencies())
# Field → its label in the mapping step. Phone, email, tags and note may come from several columns.
FIELDS: dict[str, object] = {
    IGNORE: gettext_lazy("Do not import"),
    "first_name": gettext_lazy("First name"),
    "last_name": gettext_lazy("Last name"),
    "full_name": gettext_lazy("Full name (first and last)"),
    "preferred_name": gettext_lazy("Preferred name"),
    "title": gettext_lazy("Title (Mrs, Mr, Dr…)"),
    "email": gettext_lazy("Email"),
    "phone": gettext_lazy("Phone"),
    "address_line1": gettext_lazy("Address line 1"),
    "address_line2": gettext_lazy("Address line 2"),
    "city": gettext_lazy("City"),
    "region": gettext_lazy("State / province / region"),
    "postal_code": gettext_lazy("Postal code"),
    "country": gettext_lazy("Country code"),
    "birthday": gettext_lazy("Birthday"),
    "birthday_dmy": gettext_lazy("Birthday, written day/month/year"),
    "birthday_mdy": gettext_lazy("Birthday, written month/day/year"),
    "partner_name": gettext_lazy("Partner's name"),
    "partner_birthday": gettext_lazy("Partner's birthday"),
    "partner_birthday_dmy": gettext_lazy("Partner's birthday, written day/month/year"),
    "partner_birthday_mdy": gettext_lazy("Partner's birthday, written month/day/year"),
    "anniversary": gettext_lazy("Anniversary"),
    "anniversary_dmy": gettext_lazy("Anniversary, written day/month/year"),
    "anniversary_mdy": gettext_lazy("Anniversary, written month/day/year"),
    "accepts_email_marketing": gettext_lazy("Accepts email marketing (yes/no)"),
    "accepts_sms_marketing": gettext_lazy("Accepts text marketing (yes/no)"),
    "accepts_whatsapp_marketing": gettext_lazy("Accepts WhatsApp marketing (yes/no)"),
    "total_spent": gettext_lazy("Total spent (store currency)"),
    "tags": gettext_lazy("Tags (become interests)"),
    "ring_size": gettext_lazy("Ring size"),
    "bracelet_size": gettext_lazy("Bracelet size"),
    "necklace_length": gettext_lazy("Necklace length"),
    "note": gettext_lazy("Note"),
    "customer_id": gettext_lazy("Customer ID (this store's export)"),
}
# A file may hold a size per system or unit ("Ring size (US)", "Ring size (UK)", "Bracelet size (cm)"):
# each column adds its own.
REPEATABLE = frozenset({"phone", "email", "tags", "note", "ring_size", "bracelet_size", "necklace_length"})
# Each date field → (the date it fills, the order its slashes are read in; "" for the store's).
# The three fields of one date are one choice: a file maps at most one column to each date.
DATES: dict[str, tuple[str, str]] = {
    f"{date}{suffix}": (date, order)
    for date in ("birthday", "partner_birthday", "anniversary")
    for suffix, order in (("", ""), ("_dmy", "dmy"), ("_mdy", "mdy"))
}
IDENTIFYING = frozenset({"first_name", "last_name", "full_name", "email", "phone"})

_GUESS = {key: name for name, keys in GUESSES.items() for key in keys}


def _guess(key: str, column: str) -> str:
    """The field a header names; a size header may name its system or unit too ("Ring Size (US)",
    "Necklace length (in)")."""
    if key in _GUESS:
        return _GUESS[key]
    bare = column_key("".join(w for w in header_words(column) if w not in QUALIFIER_WORDS))
    return _GUESS[bare] if bare and bare != key and _GUESS.get(bare) in SIZES else IGNORE


# Trunkshow's own export, told by two headers only it writes together. Some of its columns read
# differently from a point-of-sale file's: its dates (birthday, partner's birthday, anniversary)
# are ISO or, without a year, month-day (``09-30``); and its lifetime spend includes the purchases
# recorded in Trunkshow, so taking it as "spend before Trunkshow" would count them twice on every
# round trip.
_OWN_EXPORT_SIGNS = frozenset({"customerid", "lifetimespend"})
_OWN_EXPORT_GUESSES = {
    "birthday": "birthday_mdy",
    "partnersbirthday": "partner_birthday_mdy",
    "anniversary": "anniversary_mdy",
    "lifetimespend": IGNORE,
    # Our own id: a row of this store's export is the customer it names (ADR 0005, own-export-ids).
    "customerid": "customer_id",
}


def field_group(name: str) -> str:
    """What a field fills: ``birthday_dmy`` fills the birthday, as ``birthday`` does."""
    return DATES[name][0] if name in DATES else name


def guess_mapping(columns: list[str], sample: Sequence[Sequence[str]] = ()) -> dict[str, str]:
    """The field each column most likely holds; a field (or date) guessed twice keeps its first column.

    A date guessed from its header is read in the order its values in ``sample`` (the file's first
    records) show, when they show one (``date_order_shown``); else in the order the file's other
    date columns show, when they agree (one program wrote the file: a birthday ``14/03/1985`` says
    how to read an anniversary ``12/06/1995``); otherwise in the store's order."""
    mapping: dict[str, str] = {}
    taken: set[str] = set()
    shown: dict[str, str] = {}  # column -> the order its own values show, for undecided date columns
    own_export = {column_key(c) for c in columns} >= _OWN_EXPORT_SIGNS
    for index, column in enumerate(columns):
        key = column_key(column)
        name = _OWN_EXPORT_GUESSES[key] if own_export and key in _OWN_EXPORT_GUESSES else _guess(key, column)
        if (
            name == "title"
            and not own_export
            and not _addresses_people(row[index] for row in sample if index < len(row))
        ):
            name = IGNORE  # a CRM's "Title" is a job title ("Sales Manager"): not how a letter greets them
        if name and name not in REPEATABLE and field_group(name) in taken:
            name = IGNORE
        taken.add(field_group(name))
        if name in DATES and not DATES[name][1]:
            shown[column] = date_order_shown(row[index] for row in sample if index < len(row))
        mapping[column] = name
    file_orders = set(shown.values()) - {""}
    file_order = file_orders.pop() if len(file_orders) == 1 else ""
    for column, order in shown.items():
        if order or file_order:
            mapping[column] = f"{mapping[column]}_{order or file_order}"
    return mapping


def _addresses_people(values: Iterable[str]) -> bool:
    """Whether a title column's sample values are how people are addressed ("Mrs", "Frau Dr.",
    "Mr & Mrs"), each word folded and without dots one of ``HONORIFICS``; true for blanks only."""
    for raw in values:
        words = [
            w.replace(".", "")
            for w in re.split(r"[\s&+/,]+", fold(unguard(raw)))
            if w not in ("", "and", "und", "et", "y", "e", "en")
        ]
        if words and not all(w in HONORIFICS for w in words):
            return False
    return True


def clashing_columns(mapping: Mapping[str, str]) -> set[str]:
    """The columns mapped to a field (or date) another column fills too, as ``check_mapping`` refuses."""
    by_group: dict[str, list[str]] = {}
    for column, name in mapping.items():
        if name in FIELDS and name and name not in REPEATABLE:
            by_group.setdefault(field_group(name), []).append(column)
    return {column for columns in by_group.values() if len(columns) > 1 for column in columns}


def name_columns(columns: list[str], mapping: Mapping[str, object]) -> tuple[dict[str, object], list[str]]:
    """``mapping`` keyed by the file's own column names, and what clashes.

    A key is the column it names exactly, else the one column whose name differs from it only in
    case and surrounding spaces (``--map 'telefon=phone'`` for "Telefon", a JSON key " Email"); a key
    naming none (or several) stays as given, for ``check_mapping`` to report with the file's columns.
    Two keys naming one column with different fields clash, each clash said."""
    exact = set(columns)
    loose: dict[str, list[str]] = {}
    for column in columns:
        loose.setdefault(column.strip().casefold(), []).append(column)
    named: dict[str, object] = {}
    given: dict[str, str] = {}
    clashes: list[str] = []
    for key, value in mapping.items():
        column = key
        if key not in exact and len(found := loose.get(key.strip().casefold(), [])) == 1:
            column = found[0]
        if column in named and named[column] != value:
            clashes.append(
                _("“%(a)s” and “%(b)s” are both the column “%(c)s”, mapped to “%(f)s” and “%(g)s”: map it once.")
                % {"a": given[column], "b": key, "c": column, "f": named[column], "g": value}
            )
            continue
        named[column] = value
        given.setdefault(column, key)
    return named, clashes


def check_mapping(columns: list[str], mapping: Mapping[str, object]) -> dict[str, str]:
    """A complete mapping for these columns, or ValidationError naming the column. Column names are
    matched as ``name_columns`` does (case and surrounding spaces aside), field names likewise."""
    errors: dict[str, list[str]] = {}
    named, clashes = name_columns(columns, mapping)
    if clashes:
        errors["mapping"] = clashes
    unknown = [c for c in named if c not in columns]
    for column in unknown:
        errors.setdefault("mapping", []).append(
            _("The file has no column “%(c)s”; its columns are %(columns)s.")
            % {"c": column, "columns": ", ".join(f"“{c}”" for c in columns)}
        )
    clean: dict[str, str] = {}
    used: dict[str, str] = {}
    for column in columns:
        value = named.get(column, IGNORE)
        name = value.strip().lower() if isinstance(value, str) else None
        if name is None or name not in FIELDS:
            errors.setdefault("mapping", []).append(
                _("“%(f)s” (column “%(c)s”) is not a field an import fills; use one of %(allowed)s.")
                % {"f": value, "c": column, "allowed": ", ".join(f for f in FIELDS if f)}
            )
            continue
        group = field_group(name)
        if name and name not in REPEATABLE and group in used:
            errors.setdefault("mapping", []).append(
                _("The columns “%(a)s” and “%(b)s” are both mapped to %(f)s; choose one.")
                % {"a": used[group], "b": column, "f": FIELDS[name]}
            )
        used.setdefault(group, column)
        clean[column] = name
    if not errors and not IDENTIFYING & set(clean.values()):
        errors["mapping"] = [
            _(
                "Map at least one column to a name, an email or a phone: without one there is nobody to import. "
                "Check that the first line of the file holds the column names."
            )
        ]
    if errors:
        raise ValidationError(errors)
    return clean


# ---- values -------------------------------------------------------------------------------

# "granted" and "withdrawn" are what Trunkshow's own export writes for a consent.
_YES = frozenset({"yes", "y", "true", "1", "x", "subscribed", "optedin", "optin", "oui", "ja", "si", "sí", "granted"})
_NO = frozenset(
    {
        "no",
        "n",
        "false",
        "0",
        "unsubscribed",
        "notsubscribed",
        "optedout",
        "optout",
        "non",
        "nein",
        "never",
        "withdrawn",
    }
)


def unguard(raw: str) -> str:
    """A cell as it was before an export's formula guard: ``'+1 212…`` → ``+1 212…``.

    Only an apostrophe followed by a character the guard protects (= + - @ tab CR) is the
    guard's; any other leading apostrophe (``'Tis``, ``O'Brien``) is the cell's own."""
    if len(raw) >= 2 and raw[0] == "'" and raw[1] in FORMULA_STARTS:
        return raw[1:]
    return raw


# Words that start a family name after the given names ("Anna Maria de la Cruz", "Ludwig van Beethoven").
_NAME_PARTICLES = frozenset(
    [
        "da",
        "das",
        "de",
        "dei",
        "del",
        "della",
        "der",
        "des",
        "di",
        "do",
        "dos",
        "du",
        "la",
        "le",
        "van",
        "von",
        "vom",
        "zu",
        "ten",
        "ter",
        "bin",
        "binti",
        "ibn",
        "al",
        "el",
    ]
)


def split_full_name(text: str) -> tuple[str, str]:
    """A "Full name" cell as (first, last): "Szirmay, Katalin" (the family name first, as many exports
    write it), the family name from its first particle ("Anna Maria | de la Cruz"), else the last word;
    one word is a first name."""
    if "," in text:
        last, _sep, first = (part.strip() for part in text.partition(","))
        if first and last:
            return first, last
        text = first or last
    words = text.split()
    if len(words) < 2:
        return text.strip(), ""
    at = next((i for i in range(1, len(words) - 1) if words[i].casefold() in _NAME_PARTICLES), len(words) - 1)
    return " ".join(words[:at]), " ".join(words[at:])


def parse_customer_id(text: str) -> int:
    """The number in our export's "Customer ID" column (``505``; ``#505`` as the app shows it)."""
    digits = text.strip().removeprefix("#").strip()
    if not (digits.isascii() and digits.isdigit()) or not 0 < int(digits) < 2**63:
        raise ValidationError(_("“%(value)s” is not a customer number.") % {"value": text[:40]})
    return int(digits)


def split_values(raw: str) -> list[str]:
    """Several phones or emails in one cell, as Trunkshow's export writes them (``a; b``)."""
    return [part.strip() for part in raw.split(";") if part.strip()]


# The "no"s that say the customer took consent back, rather than never gave it ("no", "false", "not
# subscribed"): revocation by any reasonable means is honoured (RELIABILITY.md), a point-of-sale
# export's included.
_REVOKED = frozenset({"unsubscribed", "optedout", "optout", "withdrawn", "revoked", "unsubscribe"})


def is_revocation(raw: str) -> bool:
    """Whether a consent cell says the customer withdrew it ("unsubscribed", "opted out")."""
    return column_key(raw) in _REVOKED


def parse_yes_no(raw: str) -> bool | None:
    """``yes``/``no`` and the words exports use for them; None for a blank cell."""
    key = column_key(raw)
    if not key:
        return None
    if key in _YES:
        return True
    if key in _NO or key in {"pending", "invalid", "redacted"}:
        return False
    raise ValidationError(_("“%(v)s” is not yes or no.") % {"v": raw.strip()})


# Money signs point-of-sale exports write before or after an amount, and the currencies each may
# mean (in lower case: matched in any case); a three-letter code (``EUR 300``, ``300 CHF``) names
# its currency itself.
_DOLLARS = frozenset({"USD", "CAD", "AUD", "NZD", "SGD", "HKD", "MXN", "TWD", "ARS", "CLP", "COP"})
_MONEY_SIGNS: dict[str, frozenset[str]] = {
    "us$": frozenset({"USD"}),
    "ca$": frozenset({"CAD"}),
    "c$": frozenset({"CAD"}),
    "au$": frozenset({"AUD"}),
    "a$": frozenset({"AUD"}),
    "nz$": frozenset({"NZD"}),
    "s$": frozenset({"SGD"}),
    "hk$": frozenset({"HKD"}),
    "mx$": frozenset({"MXN"}),
    "r$": frozenset({"BRL"}),
    "$": _DOLLARS,
    "€": frozenset({"EUR"}),
    "£": frozenset({"GBP"}),
    "¥": frozenset({"JPY", "CNY"}),
    "₹": frozenset({"INR"}),
    "₩": frozenset({"KRW"}),
    "₺": frozenset({"TRY"}),
    "₽": frozenset({"RUB"}),
    "₪": frozenset({"ILS"}),
    "₫": frozenset({"VND"}),
    "฿": frozenset({"THB"}),
    "₱": frozenset({"PHP"}),
    "zł": frozenset({"PLN"}),
    "kč": frozenset({"CZK"}),
    "kr": frozenset({"SEK", "NOK", "DKK", "ISK"}),
}
_SIGN = re.compile("|".join(re.escape(sign) for sign in sorted(_MONEY_SIGNS, key=len, reverse=True)), re.IGNORECASE)
_CODE = re.compile(r"(?<![A-Za-z])([A-Za-z]{3})(?![A-Za-z])")


def currencies_named(raw: str) -> frozenset[str]:
    """The currencies a cell's sign or code may mean (``€300`` → EUR, ``$300`` → the dollars);
    empty when it names none."""
    codes = {code.upper() for code in _CODE.findall(raw) if code.upper() in _ISO_CURRENCIES}
    if codes:
        return frozenset(codes)
    sign = _SIGN.search(raw)
    return _MONEY_SIGNS[sign.group(0).lower()] if sign else frozenset()


def parse_money(raw: str, currency: str) -> Decimal | None:
    """``$1,234.50``, ``1 234,50 €``, ``1234.5``: the amount, two decimals; None for a blank cell.
    An amount that names another currency than the store's (``€300`` in a dollar store) is refused,
    never read as if it were in the store's."""
    text = re.sub(r"[^\d,.\-]", "", raw)
    if not raw.strip():
        return None
    named = currencies_named(raw)
    if named and currency not in named:
        locale = to_locale(translation.get_language() or "en")
        store = f"{get_currency_name(currency, locale=locale)} ({currency})"
        if len(named) > 1:  # "$" or "¥": one of several, none the store's
            raise ValidationError(
                _(
                    "“%(v)s” is not in %(store)s, the currency this store keeps its amounts in: "
                    "convert the amounts, or leave this column out."
                )
                % {"v": raw.strip(), "store": store}
            )
        [code] = named
        raise ValidationError(
            _(
                "“%(v)s” is in %(named)s, but this store keeps its amounts in %(store)s: "
                "convert the amounts, or leave this column out."
            )
            % {"v": raw.strip(), "named": f"{get_currency_name(code, locale=locale)} ({code})", "store": store}
        )
    if not re.search(r"\d", text):
        raise ValidationError(_("“%(v)s” is not an amount such as 1250.00.") % {"v": raw.strip()})
    if "," in text and "." in text:
        decimal_mark = "," if text.rfind(",") > text.rfind(".") else "."
    elif "," in text:
        decimal_mark = "," if re.search(r",\d{1,2}$", text) else ""
    else:
        decimal_mark = "." if re.search(r"\.\d{1,2}$", text) or text.count(".") == 1 else ""
    digits = text.replace(",", "").replace(".", "") if not decimal_mark else None
    if digits is None:
        whole, _sep, fraction = text.rpartition(decimal_mark)
        digits = whole.replace(",", "").replace(".", "") + "." + fraction
    try:
        amount = Decimal(digits)
    except InvalidOperation:
        raise ValidationError(_("“%(v)s” is not an amount such as 1250.00.") % {"v": raw.strip()}) from None
    if amount < 0:
        raise ValidationError(_("The amount spent cannot be negative (“%(v)s”).") % {"v": raw.strip()})
    if amount >= Decimal("10000000000"):
        raise ValidationError(_("“%(v)s” is too large for an amount spent.") % {"v": raw.strip()})
    return amount.quantize(Decimal("0.01"))


# Country names as exports in our stores' languages write them ("Deutschland", "Suisse", "España"),
# folded, → their code: the customer's country is kept as a code.
_COUNTRY_LANGUAGES = ("en", "de", "fr", "es", "it", "nl")
_COUNTRY_NAMES: dict[str, str] = {}


def country_code(raw: str) -> str:
    """``Deutschland`` → ``DE``; a code, or a name we do not know, as written (the services check it)."""
    text = raw.strip()
    if len(text) <= 3:
        return text
    if not _COUNTRY_NAMES:
        for language in _COUNTRY_LANGUAGES:
            for code, name in Locale.parse(language).territories.items():
                if len(code) == 2 and code.isalpha():
                    _COUNTRY_NAMES.setdefault(column_key(name), code)
    return _COUNTRY_NAMES.get(column_key(text), text)


def split_tags(raw: str) -> list[str]:
    return [t.strip() for t in re.split(r"[,;|]", raw) if t.strip()]


_KINDED = re.compile(r"^\s*({})\s*:\s*(\S.*)$".format("|".join(InterestKind.values)), re.IGNORECASE | re.DOTALL)


def split_interests(raw: str) -> list[tuple[str, str]]:
    """(kind, value) of each tag: ``stone: Sapphire; metal: Rose gold`` (Trunkshow's export, where a
    value may hold a comma) keeps its kinds; anything else is a free interest, split at , ; or |."""
    found: list[tuple[str, str]] = []
    for part in re.split(r"[;|]", raw):
        if kinded := _KINDED.match(part):
            found.append((kinded.group(1).casefold(), kinded.group(2).strip()))
        else:
            found += [(InterestKind.FREE.value, t) for t in split_tags(part)]
    return found


def date_order(locale: str) -> str:
    """``mdy`` where the store's locale writes the month first (en_US), else ``dmy``."""
    try:
        pattern = Locale.parse(locale).date_formats["short"].pattern
    except (UnknownLocaleError, ValueError, KeyError, TypeError):
        return "dmy"
    m, d = pattern.find("M"), pattern.find("d")
    return "mdy" if 0 <= m < d else "dmy"


_MONTHS = {
    name: i
    for i, names in enumerate(
        [
            ("jan", "january", "janv", "janvier"),
            ("feb", "february", "fev", "fevr", "fevrier", "feb."),
            ("mar", "march", "mars"),
            ("apr", "april", "avr", "avril"),
            ("may", "mai"),
            ("jun", "june", "juin"),
            ("jul", "july", "juil", "juillet"),
            ("aug", "august", "aout"),
            ("sep", "sept", "september", "septembre"),
            ("oct", "october", "octobre"),
            ("nov", "november", "novembre"),
            ("dec", "december", "decembre"),
        ],
        start=1,
    )
    for name in names
}
_ISO = re.compile(
    r"^(\d{4})[-/.](\d{1,2})[-/.](\d{1,2})(?:[ T]\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:Z|[+-]\d{2}:?\d{2})?)?$"
)
_NUMERIC = re.compile(r"^(\d{1,2})([/.\-])(\d{1,2})(?:\2(\d{4}|\d{2}))?(?: \d{1,2}:\d{2}(?::\d{2})?)?$")
_NO_YEAR_ISO = re.compile(r"^--(\d{2})-?(\d{2})$")
_WORDS = re.compile(r"^(?:(\d{1,2})\.?\s+([a-zé.]+)|([a-zé.]+)\s+(\d{1,2})(?:st|nd|rd|th)?,?)(?:[\s,]+(\d{4}))?$")


def parse_date(
    raw: str, order: str, *, chosen: bool = False, date: str = "birthday"
) -> tuple[int, int, int | None] | None:
    """Day, month and year (or None) from the ways exports write a date; None for a blank cell.

    Slashes and dashes follow ``order`` (``dmy`` or ``mdy``). Dots are day.month.year, as they
    usually are (Europe), unless the column's mapping chose an order: a file of ``12.31.1990`` is
    mapped (and guessed) month first and read so. ISO ``1990-05-31`` and month names are
    unambiguous. The result is not yet checked as a date. ``chosen`` says the order came from the
    column's mapping, not the store's, so an error names the right reason; ``date`` (a key of
    ``DATES``: birthday, partner_birthday, anniversary) names the mapping that reads the other order.
    """
    text = raw.strip()
    if not text:
        return None
    if m := _ISO.match(text):
        return int(m.group(3)), int(m.group(2)), int(m.group(1))
    if m := _NO_YEAR_ISO.match(text):
        return int(m.group(2)), int(m.group(1)), None
    if m := _NUMERIC.match(text):
        first, sep, second, year_text = int(m.group(1)), m.group(2), int(m.group(3)), m.group(4)
        year = _year(year_text) if year_text else None
        dotted = sep == "." and not chosen
        month_first = order == "mdy" and not dotted
        read_month = first if month_first else second
        if read_month > 12 and (second if month_first else first) <= 12:
            if not _is_date(read_month, second if month_first else first, year):
                # The other order reads no date either (31/02/1990): advice to map the column so would
                # not help. Read that way, the date's own check says what is wrong ("February 1990 has
                # no day 31").
                return (first, second, year) if month_first else (second, first, year)
            if chosen:
                why = _("as you chose for this column")
            elif dotted:
                why = _("as dates written with dots usually are")
            else:
                why = _("as this store writes dates")
            message = (
                _(
                    "“%(v)s” has no month %(m)d when read month/day/year, %(why)s; "
                    "map the column as “%(other)s” if the file writes the day first."
                )
                if month_first
                else _(
                    "“%(v)s” has no month %(m)d when read day/month/year, %(why)s; "
                    "map the column as “%(other)s” if the file writes the month first."
                )
            )
            other = FIELDS[f"{date}_dmy" if month_first else f"{date}_mdy"]
            raise ValidationError(message % {"v": text, "m": read_month, "why": why, "other": other})
        return (second, first, year) if month_first else (first, second, year)
    folded = text.casefold().replace("é", "e").replace("û", "u")
    if m := _WORDS.match(folded):
        day_text = m.group(1) or m.group(4)
        month = _MONTHS.get((m.group(2) or m.group(3)).rstrip("."))
        if month:
            return int(day_text), month, int(m.group(5)) if m.group(5) else None
    example = "05/31/1990" if order == "mdy" else "31/05/1990"
    raise ValidationError(
        _("“%(v)s” is not a date; write it like 1990-05-31 or %(example)s.") % {"v": text, "example": example}
    )


def date_order_shown(values: Iterable[str]) -> str:
    """The order a column's dates are written in, as far as its values show it: ``dmy`` when some
    value can only be read day first (``28/02/1966``: there is no month 28) and none only month
    first, ``mdy`` the other way round, and "" when they cannot tell (ISO dates, month names, days
    up to 12 only, blanks) or contradict each other."""
    day_first = month_first = False
    for raw in values:
        if not (m := _NUMERIC.match(unguard(raw).strip())):
            continue
        first, second = int(m.group(1)), int(m.group(3))
        year = _year(m.group(4)) if m.group(4) else None
        # Only a real date is evidence: 31/02/1990 is no date either way round, and tells nothing.
        day_first = day_first or (first >= 13 and _is_date(first, second, year))
        month_first = month_first or (second >= 13 and _is_date(second, first, year))
        if day_first and month_first:
            return ""
    return "dmy" if day_first else "mdy" if month_first else ""


def _is_date(day: int, month: int, year: int | None) -> bool:
    """Whether day and month make a date (in that year; without one, 29 February is one)."""
    return 1 <= month <= 12 and 1 <= day <= calendar.monthrange(year or 2000, month)[1]


def _year(text: str) -> int:
    if len(text) == 4:
        return int(text)
    # Two digits: the most recent such year that is not in the future (a birthday, an anniversary).
    century = timezone.now().year // 100 * 100
    year = century + int(text)
    return year - 100 if year > timezone.now().year else year


__all__ = [
    "DATES",
    "FIELDS",
    "IDENTIFYING",
    "IGNORE",
    "LESS_40",
    "REPEATABLE",
    "SIZES",
    "SIZE_WORDS",
    "ReadSize",
    "check_mapping",
    "column_key",
    "country_code",
    "date_order",
    "date_order_shown",
    "field_group",
    "guess_mapping",
    "is_revocation",
    "length_unit",
    "name_columns",
    "parse_date",
    "parse_lengths",
    "parse_money",
    "parse_ring_sizes",
    "parse_sizes",
    "parse_yes_no",
    "ring_size_system",
    "size_reading",
    "size_text",
    "split_full_name",
    "split_interests",
    "split_tags",
    "split_values",
    "store_length_unit",
    "unguard",
]
