"""From a file's columns to customer fields: the guess from the header, the checks on a mapping,
and reading the values point-of-sale exports write (dates, yes/no, money, tags), Trunkshow's
own export included (its headers, its "; " between several values, its consent words and the
apostrophe its formula guard puts before a cell)."""

from __future__ import annotations

import functools
import re
from collections.abc import Iterable, Mapping, Sequence
from decimal import Decimal, InvalidOperation
from typing import NamedTuple

from babel import Locale, UnknownLocaleError
from babel.numbers import get_currency_name, list_currencies
from django.core.exceptions import ValidationError
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, to_locale

from trunkshow.core.validation import fold
from trunkshow.customers.exporting import FORMULA_STARTS
from trunkshow.customers.importing.headers import GUESSES
from trunkshow.customers.models import InterestKind
from trunkshow.customers.validation import LENGTH_BOUNDS, validate_size

IGNORE = ""
_ISO_CURRENCIES = frozenset(list_currencies())
# Field → its label in the mapping step. Phone, email, tags and note may come from several columns.
FIELDS: dict[str, object] = {
    IGNORE: gettext_lazy("Do not import"),
    "first_name": gettext_lazy("First name"),
    "last_name": gettext_lazy("Last name"),
    "full_name": gettext_lazy("Full name (first and last)"),
    "preferred_name": gettext_lazy("Preferred name"),
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
}
# A file may hold a size per system or unit ("Ring size (US)", "Ring size (UK)", "Bracelet size (cm)"):
# each column adds its own.
REPEATABLE = frozenset({"phone", "email", "tags", "note", "ring_size", "bracelet_size", "necklace_length"})
# The size fields → the kind of ``Size`` each fills.
SIZES = {"ring_size": "ring", "bracelet_size": "bracelet", "necklace_length": "necklace"}
# Each date field → (the date it fills, the order its slashes are read in; "" for the store's).
# The three fields of one date are one choice: a file maps at most one column to each date.
DATES: dict[str, tuple[str, str]] = {
    f"{date}{suffix}": (date, order)
    for date in ("birthday", "partner_birthday", "anniversary")
    for suffix, order in (("", ""), ("_dmy", "dmy"), ("_mdy", "mdy"))
}
IDENTIFYING = frozenset({"first_name", "last_name", "full_name", "email", "phone"})

_GUESS = {key: name for name, keys in GUESSES.items() for key in keys}


def column_key(name: str) -> str:
    """``Accepts_Email Marketing`` → ``acceptsemailmarketing``, ``Straße`` → ``strasse``: case, accents,
    spaces and punctuation ignored."""
    return re.sub(r"[\W_]+", "", fold(name))


# A header word naming the system of a ring size column ("Ring size (UK)", "EU ring size", "ring_size_us",
# "Ringgrösse CH"). Italy, Spain and Switzerland number rings by the circumference in millimetres less
# 40 ("IT 12" is EU 52): "IT", "ES" and "CH" are read as that numbering and stored as EU.
_RING_SYSTEM_WORDS = {
    "us": "US",
    "usa": "US",
    "american": "US",
    "uk": "UK",
    "british": "UK",
    "eu": "EU",
    "it": "IT",
    "ita": "IT",
    "italian": "IT",
    "italy": "IT",
    "italia": "IT",
    "es": "ES",
    "esp": "ES",
    "spanish": "ES",
    "spain": "ES",
    "espana": "ES",
    "ch": "CH",
    "swiss": "CH",
    "schweiz": "CH",
    "suisse": "CH",
    "svizzera": "CH",
}
# The numberings that are the circumference in mm less 40; each is stored as its EU size (+40).
LESS_40 = frozenset({"IT", "ES", "CH"})
# Headers in the languages of countries that number rings by the circumference less 40 (Italy, Spain):
# a small number there is that numbering, never a US size ("Misura anello" 12 is EU 52, not US 12).
_RING_LANGUAGE_SYSTEMS = {key: "IT" for key in ("tagliaanello", "misuraanello", "misuradellanello")} | {
    key: "ES" for key in ("talladeanillo", "medidadeanillo", "tallaanillo", "medidaanillo", "talladelanillo")
}
# German and French headers: those countries size rings by the circumference in millimetres (52), so
# their values are checked as EU sizes, and a "14" there is reported rather than read as a US size.
_RING_EU_KEYS = frozenset(GUESSES["ring_size"]) - {"ringsize", "fingersize"} - set(_RING_LANGUAGE_SYSTEMS)
# A header word naming the unit of a length column ("Bracelet size (cm)", "Kettenlänge in Zoll").
_CM_WORDS = (
    "cm",
    "cms",
    "centimeter",
    "centimeters",
    "centimetre",
    "centimetres",
    "zentimeter",
    "centimetri",
    "centimetro",
    "centimetros",
)
_IN_WORDS = ("in", "inch", "inches", "zoll", "pouce", "pouces", "pulgada", "pulgadas", "pollice", "pollici", "duim")
_UNIT_WORDS = {**dict.fromkeys(_CM_WORDS, "cm"), **dict.fromkeys(_IN_WORDS, "in")}
# What a size header may say beside the size's name: its system or unit ("in" may be "length in cm").
_QUALIFIER_WORDS = frozenset(_RING_SYSTEM_WORDS) | frozenset(_UNIT_WORDS)


def _header_words(column: str) -> list[str]:
    return [word for word in re.split(r"[\W_]+", fold(column)) if word]


@functools.lru_cache(maxsize=256)  # a column's header, read for every cell of it
def ring_size_system(column: str) -> str:
    """The ring size system a column's header names ("US", "UK", "EU", or "IT", "ES", "CH": the
    circumference less 40), or "" when the values tell."""
    named = {_RING_SYSTEM_WORDS[w] for w in _header_words(column) if w in _RING_SYSTEM_WORDS}
    if len(named) == 1:
        return named.pop()
    if named & LESS_40 and named <= LESS_40 | {"EU"}:  # "Ring size (EU/IT)": such a column takes both
        return min(named & LESS_40)
    if named:
        return ""
    key = column_key(column)
    return _RING_LANGUAGE_SYSTEMS.get(key) or ("EU" if key in _RING_EU_KEYS else "")


@functools.lru_cache(maxsize=256)
def length_unit(column: str) -> str:
    """The unit a length column's header names ("cm" or "in"), or "" when the values (or the store) tell.
    "in" beside another unit is the preposition ("Länge in cm", "length in cm")."""
    named = {_UNIT_WORDS[w] for w in _header_words(column) if w in _UNIT_WORDS}
    if len(named) > 1 and "in" in _header_words(column):
        named = {_UNIT_WORDS[w] for w in _header_words(column) if w in _UNIT_WORDS and w != "in"}
    return named.pop() if len(named) == 1 else ""


def _guess(key: str, column: str) -> str:
    """The field a header names; a size header may name its system or unit too ("Ring Size (US)",
    "Necklace length (in)")."""
    if key in _GUESS:
        return _GUESS[key]
    bare = column_key("".join(w for w in _header_words(column) if w not in _QUALIFIER_WORDS))
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


def split_values(raw: str) -> list[str]:
    """Several phones or emails in one cell, as Trunkshow's export writes them (``a; b``)."""
    return [part.strip() for part in raw.split(";") if part.strip()]


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


class ReadSize(NamedTuple):
    """One size read from a cell, as ``validate_size`` writes it. ``written`` is how the file wrote it
    when it was read as another (``IT 12`` stored as EU 52; ``40`` without a unit, read in the store's)."""

    kind: str
    system: str
    value: str
    written: str = ""
    store_unit: bool = False  # a bare number both units allow, read in the store's


# What each kind of size is called in a line's result.
SIZE_WORDS = {
    "ring": gettext_lazy("ring size"),
    "bracelet": gettext_lazy("bracelet size"),
    "necklace": gettext_lazy("necklace length"),
}


def size_text(kind: str, system: str, value: str) -> str:
    """``US 6.5`` for a ring, ``18 cm`` for a length: how our export writes them and the results say them."""
    return f"{system} {value}" if kind == "ring" else f"{value} {system}"


def size_reading(size: ReadSize) -> str:
    """How a size was read when not as written ("written IT 12"), for a line's result; "" otherwise."""
    if size.store_unit:
        return _("written “%(written)s” without a unit, read in %(unit)s as this store measures") % {
            "written": size.written,
            "unit": _UNIT_NAMES[size.system],
        }
    return _("written %(written)s") % {"written": size.written} if size.written else ""


def parse_sizes(name: str, raw: str, column: str, store_unit: str) -> list[ReadSize]:
    """The sizes of a cell of a size column (``name``: a key of ``SIZES``), its system or unit named
    by the column's header, else by the value, else (a length) by the store (``store_unit``)."""
    if name == "ring_size":
        return parse_ring_sizes(raw, ring_size_system(column))
    return parse_lengths(raw, SIZES[name], length_unit(column), store_unit)


_SIZE_NAMED = re.compile(
    r"^(?:(us|uk|eu|it|es|ch)(?:\s*:\s*|\s+)(?P<after>\S.*)|(?P<before>.*\S)\s+\(?(us|uk|eu|it|es|ch)\)?)$",
    re.IGNORECASE,
)
# A size in the circumference-less-40 numbering, or a circumference in millimetres: whole or a half.
_WHOLE_OR_HALF = re.compile(r"^\d{1,2}(?:\.[05])?$")


def parse_ring_sizes(raw: str, system: str) -> list[ReadSize]:
    """The ring sizes in a cell, checked and written as the services write them (``6 1/2`` → US
    ``6.5``, ``n.5`` → UK ``N½``, Italian ``12`` → EU ``52``); several are split by ``;``, as our
    export writes them.

    ``system`` is the one the column's header names ("" when it names none). A value may name its
    own (``US 6.5``, ``52 EU``: our export's; ``IT 12``); otherwise the value tells, as the three
    systems do not overlap: a letter is UK, 0 to 16 US, 38 to 76 EU. In a column named for one
    system any other value is reported with that system's reason, so "52" in a "Ring size (US)"
    column is not EU 52. In an Italian, Spanish or Swiss column (IT, ES, CH: the circumference less
    40) 0 to 36 is that numbering and 38 to 76 the circumference itself, as jewelers there write
    both; a value written as a US or UK size there is refused, never guessed."""
    found: list[ReadSize] = []
    for part in split_values(raw):
        named = _SIZE_NAMED.match(part)
        own = (named.group(1) or named.group(4)).upper() if named else ""
        value = (named.group("after") or named.group("before")) if named else part
        if system and own and own != system and not (system in LESS_40 and own in LESS_40 | {"EU"}):
            own, value = "", part  # "UK N" in a US column: checked (and refused) as written
        read = own or system
        if read in LESS_40:
            size = _less_40(read, value, part, millimetres=not own)
        else:
            size = _ring_size(read, value, part, named=bool(system or own))
        if size[:3] not in [old[:3] for old in found]:
            found.append(size)
    return found


def _ring_size(system: str, value: str, part: str, *, named: bool) -> ReadSize:
    try:
        _kind, checked_system, checked = validate_size("ring", system or _ring_system_of(value), value)
    except ValidationError as exc:
        text = value.strip().replace(",", ".")
        if system == "EU" and _WHOLE_OR_HALF.match(text) and Decimal(text) <= 36:
            raise ValidationError(
                _(
                    "“%(value)s” is not an EU ring size (the circumference in millimetres, 38 to 76, like 52). "
                    "If it is an Italian, Spanish or Swiss size (the circumference less 40), name that in the "
                    "column's header, like “Ring size (CH)”; if it is a US size, like “Ring size (US)”."
                )
                % {"value": part}
            ) from None
        if named:
            raise ValidationError(exc.messages) from None
        raise ValidationError(
            _(
                "“%(value)s” is not a ring size: write a US size from 0 to 16 (like 6½), a UK letter "
                "(like M½) or an EU size from 38 to 76 (like 52), or name the system in the "
                "column's header, like “Ring size (UK)”."
            )
            % {"value": part}
        ) from None
    return ReadSize("ring", checked_system, checked)


def _less_40(system: str, value: str, part: str, *, millimetres: bool) -> ReadSize:
    """An Italian, Spanish or Swiss size (the circumference in mm less 40) as its EU size, said so;
    where the column also allows it, a circumference from 38 mm as itself."""
    text = value.strip().replace(",", ".")
    if _WHOLE_OR_HALF.match(text):
        number = Decimal(text)
        if millimetres and number >= 38:
            return ReadSize("ring", *validate_size("ring", "EU", text)[1:])
        if number <= 36:
            eu = validate_size("ring", "EU", format(number + 40, "f"))[2]
            return ReadSize("ring", "EU", eu, written=f"{system} {format(number.normalize(), 'f')}")
    if millimetres:
        message = _(
            "“%(value)s” is not an Italian, Spanish or Swiss ring size (the circumference in millimetres "
            "less 40, from 0 to 36: 12 is EU 52) nor a circumference from 38 to 76 mm. A US or UK size "
            "needs its system in the column's header, like “Ring size (US)”."
        )
    else:
        message = _(
            "“%(value)s” is not an Italian, Spanish or Swiss ring size (the circumference in millimetres "
            "less 40, from 0 to 36: 12 is EU 52)."
        )
    raise ValidationError(message % {"value": part})


_LEADING_NUMBER = re.compile(r"\s*(\d+)")


def _ring_system_of(value: str) -> str:
    """The one system a value can be a size of (the three do not overlap): a letter is UK, a number
    below 38 US, any other EU; validate_size then says whether it is one. One check per value."""
    number = _LEADING_NUMBER.match(value)
    if number is None:
        return "UK"
    return "US" if int(number.group(1)) < 38 else "EU"


# Countries that measure jewelry in inches: a bare length both units allow is read in inches there.
_INCH_COUNTRIES = frozenset({"US", "LR", "MM"})


def store_length_unit(country: str) -> str:
    """The unit a store of this country (or phone region) measures lengths in: inches in the United
    States (and Liberia, Myanmar), centimetres everywhere else."""
    return "in" if country.upper() in _INCH_COUNTRIES else "cm"


_FRACTIONS = {"¼": Decimal("0.25"), "½": Decimal("0.5"), "¾": Decimal("0.75")}
_FRACTIONS |= {"1/4": _FRACTIONS["¼"], "1/2": _FRACTIONS["½"], "3/4": _FRACTIONS["¾"]}
_LENGTH = re.compile(
    r"^(?P<number>\d{1,3}(?:[.,]\d+)?)(?:\s*(?P<glyph>[¼½¾])|\s+(?P<fraction>1/4|1/2|3/4))?"
    r"\s*(?P<unit>[^\W\d_]+\.?|[\"″”]|'')?$"
)


_UNIT_NAMES = {"cm": gettext_lazy("centimetres"), "in": gettext_lazy("inches")}


def parse_lengths(raw: str, kind: str, unit: str, store_unit: str) -> list[ReadSize]:
    """The bracelet sizes or necklace lengths in a cell (``18 cm``, ``7 in``, ``7"``, ``7½``, ``18``),
    checked by ``validate_size`` as the profile's form checks them.

    The unit is the one the column's header names (``unit``), else the value's own (a value naming
    the other one is refused), else the one unit whose lengths the number can be (a bracelet of 18 is
    in cm, of 7 in inches); a number both allow (a necklace of 40) is read in the store's unit
    (``store_unit``), said in the line's result."""
    found: list[ReadSize] = []
    what = SIZE_WORDS[kind]
    for part in split_values(raw):
        match = _LENGTH.match(part)
        own = ""
        if match and match.group("unit"):
            token = match.group("unit")
            own = "in" if token in {'"', "″", "”", "''"} else _UNIT_WORDS.get(fold(token).rstrip("."), "?")
        if match is None or own == "?":
            raise ValidationError(
                _("“%(value)s” is not a %(what)s: write a number and its unit, like %(example)s.")
                % {"value": part, "what": what, "example": "18 cm or 7 in" if kind == "bracelet" else "45 cm or 18 in"}
            )
        if unit and own and own != unit:
            raise ValidationError(
                _("“%(value)s” is in %(own)s, but the column's header says %(unit)s: write it in %(unit)s.")
                % {"value": part, "own": _UNIT_NAMES[own], "unit": _UNIT_NAMES[unit]}
            )
        number = Decimal(match.group("number").replace(",", "."))
        if fraction := match.group("glyph") or match.group("fraction"):
            number += _FRACTIONS[fraction]
        read, by_store = own or unit, False
        if not read:
            fits = [u for u in ("cm", "in") if LENGTH_BOUNDS[(kind, u)][0] <= number <= LENGTH_BOUNDS[(kind, u)][1]]
            if not fits:
                (cm_low, cm_high), (in_low, in_high) = LENGTH_BOUNDS[(kind, "cm")], LENGTH_BOUNDS[(kind, "in")]
                raise ValidationError(
                    _(
                        "“%(value)s” is not a %(what)s we can read: lengths are from %(cm_low)d to %(cm_high)d cm "
                        "or from %(in_low)d to %(in_high)d in."
                    )
                    % {
                        "value": part,
                        "what": what,
                        "cm_low": cm_low,
                        "cm_high": cm_high,
                        "in_low": in_low,
                        "in_high": in_high,
                    }
                )
            read, by_store = (fits[0], False) if len(fits) == 1 else (store_unit, True)
        try:
            _kind, system, value = validate_size(kind, read, format(number, "f"))
        except ValidationError as exc:
            reason = " ".join(exc.messages)
            raise ValidationError(
                _("“%(value)s” is refused: %(reason)s") % {"value": part, "reason": reason[:1].lower() + reason[1:]}
            ) from None
        size = ReadSize(kind, system, value, written=part if by_store else "", store_unit=by_store)
        if size[:3] not in [old[:3] for old in found]:
            found.append(size)
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
        day_first = day_first or (13 <= first <= 31 and 1 <= second <= 12)
        month_first = month_first or (1 <= first <= 12 and 13 <= second <= 31)
        if day_first and month_first:
            return ""
    return "dmy" if day_first else "mdy" if month_first else ""


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
    "split_interests",
    "split_tags",
    "split_values",
    "store_length_unit",
    "unguard",
]
