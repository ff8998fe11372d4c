"""Headers of point-of-sale exports in our stores' languages are guessed (case, accents, spaces and
punctuation aside), and a file of them imports whole: the German file a new user brought."""

from __future__ import annotations

import pytest
from django_scopes import scope

from tests.conftest import World
from tests.customers.import_support import import_file, outcomes, upload
from trunkshow.customers.importing import headers, mapping
from trunkshow.customers.models import Customer, Size

BY_LANGUAGE = {
    "de": {
        "Vorname": "first_name",
        "Nachname": "last_name",
        "E-Mail": "email",
        "Telefon": "phone",
        "Handy": "phone",
        "Mobil": "phone",
        "Mobiltelefon": "phone",
        "Geburtstag": "birthday",
        "Geburtsdatum": "birthday",
        "Umsatz": "total_spent",
        "Gesamtumsatz": "total_spent",
        "Straße": "address_line1",
        "PLZ": "postal_code",
        "Ort": "city",
        "Land": "country",
        "Notiz": "note",
        "Bemerkung": "note",
        "Hochzeitstag": "anniversary",
        "Anrede": "title",
        "Kundennummer": "",  # no field holds it: named as not imported
    },
    "fr": {
        "Prénom": "first_name",
        "Nom": "last_name",
        "Téléphone": "phone",
        "Portable": "phone",
        "Date de naissance": "birthday",
        "Anniversaire": "birthday",
        "Adresse": "address_line1",
        "Code postal": "postal_code",
        "Ville": "city",
        "Pays": "country",
        "Remarque": "note",
        "Courriel": "email",
        "Civilité": "title",
    },
    "es": {
        "Nombre": "first_name",
        "Apellidos": "last_name",
        "Teléfono": "phone",
        "Móvil": "phone",
        "Fecha de nacimiento": "birthday",
        "Cumpleaños": "birthday",
        "Dirección": "address_line1",
        "Código postal": "postal_code",
        "Ciudad": "city",
        "País": "country",
        "Observaciones": "note",
        "Correo electrónico": "email",
        "Tratamiento": "title",
    },
    "it": {
        "Nome": "first_name",
        "Cognome": "last_name",
        "Cellulare": "phone",
        "Data di nascita": "birthday",
        "Indirizzo": "address_line1",
        "CAP": "postal_code",
        "Città": "city",
        "Paese": "country",
        "Note": "note",
        "Fatturato": "total_spent",
    },
    "nl": {
        "Voornaam": "first_name",
        "Achternaam": "last_name",
        "Telefoonnummer": "phone",
        "Mobiel": "phone",
        "Geboortedatum": "birthday",
        "Adres": "address_line1",
        "Postcode": "postal_code",
        "Woonplaats": "city",
        "Land": "country",
        "Opmerking": "note",
        "Aanhef": "title",
        "Omzet": "total_spent",
    },
}


@pytest.mark.parametrize(
    ("header", "field"), [(header, field) for guesses in BY_LANGUAGE.values() for header, field in guesses.items()]
)
def test_a_header_in_a_language_of_our_stores_is_guessed(header: str, field: str):
    assert mapping.guess_mapping([header]) == {header: field}
    # In any case, and however it is accented or punctuated.
    assert mapping.guess_mapping([header.upper()]) == {header.upper(): field}
    assert mapping.guess_mapping([f" {header.lower()}: "]) == {f" {header.lower()}: ": field}


def test_each_header_of_the_table_is_written_as_column_key_folds_a_files_header():
    """Or it would never match (a header named twice is test_no_header_is_guessed_as_two_fields)."""
    known = [header for field in headers.GUESSES.values() for header in field]
    assert [h for h in known if mapping.column_key(h) != h] == []
    assert set(headers.GUESSES) <= set(mapping.FIELDS)


def test_the_new_users_german_file_imports_every_column(world: World):
    content = (
        "Vorname;Nachname;E-Mail;Telefon;Geburtstag;Ring size (UK);Umsatz;Land\r\n"
        "Jürgen;Müller;juergen@example.com;+49 30 1234567;14.03.1985;L ½;1.234,50;Deutschland\r\n"
    ).encode("cp1252")
    job = upload(world.a, world.a_owner, content)
    assert job.mapping == {
        "Vorname": "first_name",
        "Nachname": "last_name",
        "E-Mail": "email",
        "Telefon": "phone",
        "Geburtstag": "birthday_dmy",
        "Ring size (UK)": "ring_size",
        "Umsatz": "total_spent",
        "Land": "country",
    }
    job = import_file(world.a, world.a_owner, content)
    assert outcomes(job) == [(2, "created", "")]
    with scope(store=world.a):
        jurgen = Customer.objects.get()
        assert (jurgen.first_name, jurgen.last_name, jurgen.country, str(jurgen.imported_spend)) == (
            "Jürgen",
            "Müller",
            "DE",
            "1234.50",
        )
        assert (jurgen.birthday_day, jurgen.birthday_month, jurgen.birthday_year) == (14, 3, 1985)
        assert list(jurgen.phones.values_list("e164", flat=True)) == ["+49301234567"]
        assert list(Size.objects.filter(customer=jurgen).values_list("system", "value")) == [("UK", "L½")]


@pytest.mark.parametrize(
    ("written", "code"), [("Deutschland", "DE"), ("Suisse", "CH"), ("España", "ES"), ("italia", "IT"), ("FR", "FR")]
)
def test_a_country_written_by_its_name_in_our_stores_languages_is_kept_as_its_code(written: str, code: str):
    assert mapping.country_code(written) == code


def test_a_country_name_we_do_not_know_is_reported_on_its_line(world: World):
    job = import_file(world.a, world.a_owner, b"Vorname;Nachname;Land\nAnna;Berg;Narnia\n")
    assert outcomes(job) == [(2, "error", "Land: “Narnia” is not a two-letter country code such as FR or US.")]
