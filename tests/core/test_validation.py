"""The shortcuts in core.validation give the answers of the slow paths they skip.

``normalise_email`` skips email-validator for plain addresses, and ``fold`` skips Unicode
decomposition for ASCII text; each is checked here against the full path on generated and
hand-picked inputs.
"""

from __future__ import annotations

import unicodedata

import pytest
from django.core.exceptions import ValidationError
from email_validator import EmailNotValidError, validate_email
from hypothesis import given, settings
from hypothesis import strategies as st

from trunkshow.core import validation as v


def _by_validator(text: str) -> str | None:
    """What normalise_email answered before the shortcut: email-validator's normal form, lowercased."""
    text = text.strip()
    try:
        result = validate_email(text, check_deliverability=False)
    except EmailNotValidError:
        return None
    local, _sep, domain = result.normalized.rpartition("@")
    return f"{local}@{result.ascii_domain or domain}".lower()


def _ours(text: str) -> str | None:
    try:
        return v.normalise_email(text)
    except ValidationError:
        return None


# Letters that make addresses plain, and the ones that send them to the validator or make them invalid.
_LOCAL = st.text(alphabet="abcXYZ019._+-'!#~\"(", min_size=0, max_size=70)
_LABEL = st.text(alphabet="abcXYZ09-_é", min_size=0, max_size=66)
_TLD = st.sampled_from(
    ["com", "COM", "hu", "co.uk", "test", "local", "localhost", "onion", "arpa", "invalid", "c", "123"]
)


@settings(max_examples=3000, deadline=None)
@given(local=_LOCAL, labels=st.lists(_LABEL, min_size=0, max_size=3), tld=_TLD)
def test_plain_addresses_get_the_validators_answer(local: str, labels: list[str], tld: str) -> None:
    address = f"{local}@{'.'.join([*labels, tld])}"
    assert _ours(address) == _by_validator(address)


@pytest.mark.parametrize(
    "address",
    [
        "Anna.Szirmay@Example.COM",
        "o'brien+rings@mail.example.co.uk",
        "a..b@example.com",
        ".a@example.com",
        "a.@example.com",
        "a@-example.com",
        "a@example-.com",
        "a@ex--ample.com",
        "a@xn--mller-kva.de",
        "a@xn--zz.de",
        "a@example",
        "a@example.c0m",
        "a@example.test",
        "a@mail.local",
        "a@localhost",
        "a@foo.onion",
        "a@1.in-addr.arpa",
        "a@nothing.invalid",
        "x" * 64 + "@example.com",
        "x" * 65 + "@example.com",
        "a@" + "b" * 63 + ".com",
        "a@" + "b" * 64 + ".com",
        "a@" + ".".join(["b" * 60] * 4) + ".com",
        "müller@example.com",
        "anna@müller.de",
        '"anna smith"@example.com',
        "anna@[127.0.0.1]",
        "  Anna@Example.com  ",
    ],
)
def test_edge_addresses_get_the_validators_answer(address: str) -> None:
    assert _ours(address) == _by_validator(address)


def test_a_refused_address_names_the_reason() -> None:
    with pytest.raises(ValidationError) as caught:
        v.normalise_email("anna@example.test", field="email")
    assert "special-use or reserved name" in caught.value.message_dict["email"][0]


def _fold_by_decomposition(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch)).translate(v._FOLD_EXTRA)


@settings(max_examples=2000, deadline=None)
@given(st.text(max_size=40))
def test_fold_of_any_text_is_the_decomposed_lowercase(text: str) -> None:
    assert v.fold(text) == _fold_by_decomposition(text)


@pytest.mark.parametrize("text", ["Müller", "SZIRMAY", "Ørsted", "ǅemal", "ﬁona", "Straße", "İstanbul", "O'Brien"])
def test_fold_of_names(text: str) -> None:
    assert v.fold(text) == _fold_by_decomposition(text)
    assert v.fold("Müller") == v.fold("Muller") == "muller"


def test_invisible_characters_at_the_ends_of_a_field_go_and_those_inside_stay():
    assert v.clean_text("\ufeffZoë\u200b ", field="first_name", max_length=100) == "Zoë"
    assert v.clean_text(" \u2060 Müller", field="last_name", max_length=100) == "Müller"
    assert v.clean_text("\u200b \ufeffAnna\u200b\t", field="first_name", max_length=100) == "Anna"
    # A joiner inside a word belongs to it (Persian, emoji sequences).
    assert v.clean_text("می\u200cخواهم", field="note", max_length=100) == "می\u200cخواهم"
