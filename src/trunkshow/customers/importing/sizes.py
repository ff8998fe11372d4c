"""Sizes in an import: the ring size system or length unit a column's header names, and reading
the ring sizes, bracelet sizes and necklace lengths its cells hold, as ``validate_size`` (the
profile's form) checks them."""

from __future__ import annotations

import functools
import re
from decimal import Decimal
from typing import NamedTuple

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from trunkshow.core.validation import fold
from trunkshow.customers.importing.headers import GUESSES, column_key
from trunkshow.customers.validation import LENGTH_BOUNDS, validate_size

# The size fields → the kind of ``Size`` each fills.
SIZES = {"ring_size": "ring", "bracelet_size": "bracelet", "necklace_length": "necklace"}

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
# Where the numbering a header's language implies is the one rings are sized by. A store elsewhere
# (Spanish in Mexico or the United States, French in Quebec, Italian in New York) may write its
# columns in that language and still size rings in US or UK sizes: there the values tell, as for
# "Ring size". A store whose country is not known keeps the language's numbering.
_LANGUAGE_NUMBERING_COUNTRIES = {
    "IT": frozenset({"IT", "SM", "VA", "CH"}),
    "ES": frozenset({"ES", "AD"}),
    "EU": frozenset({"DE", "AT", "CH", "LI", "LU", "FR", "BE", "MC"}),
}
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
QUALIFIER_WORDS = frozenset(_RING_SYSTEM_WORDS) | frozenset(_UNIT_WORDS)


def header_words(column: str) -> list[str]:
    """A header's words, folded: ``Ringgröße (CH)`` → ``ringgrosse``, ``ch``."""
    return [word for word in re.split(r"[\W_]+", fold(column)) if word]


@functools.lru_cache(maxsize=256)  # a column's header, read for every cell of it
def ring_size_system(column: str, country: str = "") -> str:
    """The ring size system a column's header names ("US", "UK", "EU", or "IT", "ES", "CH": the
    circumference less 40), or "" when the values tell. A system named outright ("Ring size (IT)")
    holds anywhere; one implied by the header's language ("Talla de anillo") only in a store of a
    country that sizes rings so (``country``, the store's; "" when not known)."""
    named = {_RING_SYSTEM_WORDS[w] for w in header_words(column) if w in _RING_SYSTEM_WORDS}
    if len(named) == 1:
        return named.pop()
    if named & LESS_40 and named <= LESS_40 | {"EU"}:  # "Ring size (EU/IT)": such a column takes both
        return min(named & LESS_40)
    if named:
        return ""
    key = column_key(column)
    implied = _RING_LANGUAGE_SYSTEMS.get(key) or ("EU" if key in _RING_EU_KEYS else "")
    if implied and country and country.upper() not in _LANGUAGE_NUMBERING_COUNTRIES[implied]:
        return ""
    return implied


@functools.lru_cache(maxsize=256)
def length_unit(column: str) -> str:
    """The unit a length column's header names ("cm" or "in"), or "" when the values (or the store) tell.
    "in" beside another unit is the preposition ("Länge in cm", "length in cm")."""
    named = {_UNIT_WORDS[w] for w in header_words(column) if w in _UNIT_WORDS}
    if len(named) > 1 and "in" in header_words(column):
        named = {_UNIT_WORDS[w] for w in header_words(column) if w in _UNIT_WORDS and w != "in"}
    return named.pop() if len(named) == 1 else ""


def _parts(raw: str) -> list[str]:
    """Several sizes in one cell, as our export writes them (``US 6.5; UK M½``), like mapping.split_values."""
    return [part.strip() for part in raw.split(";") if part.strip()]


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


def parse_sizes(name: str, raw: str, column: str, store_unit: str, country: str = "") -> list[ReadSize]:
    """The sizes of a cell of a size column (``name``: a key of ``SIZES``), its system or unit named
    by the column's header, else by the value, else (a length) by the store (``store_unit``).
    ``country``: the store's, for the ring size numbering a header's language implies."""
    if name == "ring_size":
        return parse_ring_sizes(raw, ring_size_system(column, country))
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
    for part in _parts(raw):
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
    for part in _parts(raw):
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
