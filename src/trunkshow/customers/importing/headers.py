"""The headers the column guess knows: point-of-sale exports' in English and in the languages of
our stores (German, French, Spanish, Italian, Dutch), the field each names, and how a header is
compared with them (``column_key``)."""

from __future__ import annotations

import re

from trunkshow.core.validation import fold


def column_key(name: str) -> str:
    """``Accepts_Email Marketing`` → ``acceptsemailmarketing``, ``Straße`` → ``strasse``: case, accents,
    spaces and punctuation ignored."""
    return re.sub(r"[\W_]+", "", fold(name))


# Headers (as ``column_key`` folds them: case, accents, spaces and punctuation ignored) → the field
# they name, in English and in the languages of our stores' point-of-sale exports (German, French,
# Spanish, Italian, Dutch). A header that names nothing Trunkshow keeps (German "Kundennummer", a
# customer number) is not here: it stays "Do not import", and the command line and the mapping step
# name it.
GUESSES: dict[str, list[str]] = {
    "first_name": [
        "firstname",
        "givenname",
        "first",
        "forename",
        "prenom",  # fr
        "vorname",  # de
        "nombre",  # es
        "nome",  # it
        "voornaam",  # nl
    ],
    "last_name": [
        "lastname",
        "surname",
        "familyname",
        "last",
        "nom",  # fr
        "nomdefamille",
        "nachname",  # de
        "familienname",
        "apellido",  # es
        "apellidos",
        "cognome",  # it
        "achternaam",  # nl
        "familienaam",
    ],
    "full_name": [
        "name",
        "fullname",
        "customername",
        "customer",
        "contactname",
        "client",
        "kundenname",  # de
        "nomcomplet",  # fr
        "nombrecompleto",  # es
        "nomecompleto",  # it
        "nominativo",
        "naam",  # nl
        "volledigenaam",
    ],
    "preferred_name": ["preferredname", "nickname", "knownas", "rufname", "spitzname", "roepnaam"],
    "title": [
        "title",
        "salutation",
        "honorific",
        "nameprefix",
        "anrede",  # de
        "titel",  # de, nl
        "civilite",  # fr (Civilité)
        "titre",
        "tratamiento",  # es
        "titolo",  # it
        "appellativo",
        "aanhef",  # nl
    ],
    "email": [
        "email",
        "emails",
        "emailaddress",
        "mail",
        "customeremail",
        "defaultemail",
        "emailadresse",  # de
        "courriel",  # fr
        "adresseemail",
        "adressemail",
        "correo",  # es
        "correoelectronico",
        "postaelettronica",  # it
        "indirizzoemail",
        "emailadres",  # nl
    ],
    "phone": [
        "phone",
        "phones",
        "phonenumber",
        "mobile",
        "mobilephone",
        "mobilenumber",
        "cell",
        "cellphone",
        "telephone",  # also fr (téléphone)
        "tel",
        "defaultaddressphone",
        "homephone",
        "workphone",
        "telefon",  # de
        "telefonnummer",
        "handy",
        "handynummer",
        "mobil",
        "mobiltelefon",
        "mobilnummer",
        "festnetz",
        "portable",  # fr
        "numerodetelephone",
        "telephoneportable",
        "telefono",  # es, it
        "movil",  # es
        "celular",
        "telefonomovil",
        "cellulare",  # it
        "numeroditelefono",
        "telefoon",  # nl
        "telefoonnummer",
        "mobiel",
        "mobielnummer",
        "gsm",
    ],
    "address_line1": [
        "address1",
        "address",
        "addressline1",
        "street",
        "streetaddress",
        "streetaddress1",  # Square
        "defaultaddressaddress1",
        "strasse",  # de (Straße)
        "strasseundhausnummer",
        "adresse",  # de, fr
        "anschrift",
        "rue",  # fr
        "direccion",  # es
        "calle",
        "domicilio",
        "indirizzo",  # it
        "adres",  # nl
        "straat",
    ],
    "address_line2": [
        "address2",
        "addressline2",
        "streetaddress2",  # Square
        "defaultaddressaddress2",
        "adresszusatz",  # de
        "complementdadresse",  # fr
        "adresse2",
    ],
    "city": [
        "city",
        "town",
        "defaultaddresscity",
        "ort",  # de
        "wohnort",
        "stadt",
        "ville",  # fr
        "localite",
        "commune",
        "ciudad",  # es
        "localidad",
        "poblacion",
        "municipio",
        "citta",  # it
        "comune",
        "localita",
        "plaats",  # nl
        "woonplaats",
        "stad",
    ],
    "region": [
        "provincecode",
        "province",
        "state",
        "statecode",
        "region",  # also fr, es (région, región)
        "county",
        "defaultaddressprovincecode",
        "bundesland",  # de
        "kanton",
        "departement",  # fr
        "provincia",  # es, it
        "regione",  # it
        "provincie",  # nl
    ],
    "postal_code": [
        "zip",
        "zipcode",
        "postcode",  # also nl
        "postalcode",
        "defaultaddresszip",
        "plz",  # de
        "postleitzahl",
        "codepostal",  # fr
        "cp",  # fr, es
        "codigopostal",  # es
        "cap",  # it
        "codicepostale",
    ],
    "country": [
        "countrycode",
        "country",
        "defaultaddresscountrycode",
        "land",  # de, nl
        "pays",  # fr
        "pais",  # es
        "paese",  # it
        "nazione",
    ],
    "birthday": [
        "birthday",
        "birthdate",
        "dateofbirth",
        "dob",
        "birthdaydate",
        "birth",
        "geburtstag",  # de
        "geburtsdatum",
        "anniversaire",  # fr: a birthday (a wedding anniversary is "anniversaire de mariage")
        "datedenaissance",
        "naissance",
        "fechadenacimiento",  # es
        "cumpleanos",
        "nacimiento",
        "datadinascita",  # it
        "compleanno",
        "geboortedatum",  # nl
        "verjaardag",
    ],
    "partner_name": [
        "partner",  # also de, it, nl
        "partnername",
        "partnersname",
        "spouse",
        "spousename",
        "spousesname",
        "significantother",
        "husband",
        "wife",
        "ehepartner",  # de
        "lebenspartner",
        "conjoint",  # fr
        "epoux",
        "epouse",
        "pareja",  # es
        "conyuge",
        "coniuge",  # it
    ],
    "partner_birthday": ["partnerbirthday", "partnersbirthday", "spousebirthday", "spousesbirthday"],
    "anniversary": [
        "anniversary",
        "anniversarydate",
        "weddinganniversary",
        "weddingdate",
        "hochzeitstag",  # de
        "anniversairedemariage",  # fr
        "datedemariage",
        "aniversario",  # es
        "aniversariodeboda",
        "anniversario",  # it
        "anniversariodimatrimonio",
        "trouwdag",  # nl
        "huwelijksdatum",
    ],
    "accepts_email_marketing": [
        "acceptsemailmarketing",
        "acceptsmarketing",
        "emailmarketing",
        "emailoptin",
        "emailsubscribed",
        "emailsubscriptionstatus",
        "marketingemail",
    ],
    "accepts_sms_marketing": [
        "acceptssmsmarketing",
        "smsmarketing",
        "smsoptin",
        "smssubscribed",
        "textmarketing",
        "acceptstextmarketing",
        "smssubscriptionstatus",
    ],
    "accepts_whatsapp_marketing": ["acceptswhatsappmarketing", "whatsappmarketing", "whatsappoptin"],
    "total_spent": [
        "totalspent",
        "totalspend",
        "lifetimespend",
        "lifetimevalue",
        "totalsales",
        "amountspent",
        "umsatz",  # de
        "gesamtumsatz",
        "chiffredaffaires",  # fr
        "totaldesachats",
        "totalgastado",  # es
        "importetotal",
        "fatturato",  # it
        "totalespeso",
        "omzet",  # nl
        "totaleomzet",
    ],
    "tags": [
        "tags",
        "tag",
        "groups",
        "interests",
        "customertags",
        "interessen",  # de
        "schlagworte",
        "etiquettes",  # fr
        "etiquetas",  # es
        "etichette",  # it
        "labels",  # nl
    ],
    # Also with a system named beside it ("Ring size (US)", "EU ring size", "Ringgrösse CH"): see
    # mapping.ring_size_system. Not Dutch "ringmaat": Dutch jewelers give the inner diameter in mm.
    "ring_size": [
        "ringsize",
        "fingersize",
        "ringgrosse",  # de (Ringgröße)
        "tailledebague",  # fr
        "tailledanneau",
        "taillebague",
        "tagliaanello",  # it: the circumference less 40
        "misuraanello",
        "misuradellanello",
        "talladeanillo",  # es: the circumference less 40
        "tallaanillo",
        "talladelanillo",
        "medidadeanillo",
        "medidaanillo",
    ],
    # Also with a unit named beside it ("Bracelet size (cm)", "Kettenlänge in Zoll"): see
    # mapping.length_unit. Not "wrist size": a wrist is measured smaller than the bracelet for it.
    "bracelet_size": [
        "braceletsize",
        "braceletlength",
        "armbandgrosse",  # de (Armbandgröße)
        "armbandlange",
        "tailledebracelet",  # fr
        "taillebracelet",
        "longueurdebracelet",
        "longueurbracelet",
        "talladepulsera",  # es
        "tallapulsera",
        "medidadepulsera",
        "largodepulsera",
        "longituddepulsera",
        "misurabracciale",  # it
        "tagliabracciale",
        "lunghezzabracciale",
        "armbandmaat",  # nl
        "armbandlengte",
    ],
    "necklace_length": [
        "necklacelength",
        "necklacesize",
        "chainlength",
        "kettenlange",  # de (Kettenlänge)
        "halskettenlange",
        "colliergrosse",
        "longueurdecollier",  # fr
        "longueurcollier",
        "tailledecollier",
        "longueurdechaine",
        "largodecollar",  # es
        "longituddecollar",
        "medidadecollar",
        "talladecollar",
        "lunghezzacollana",  # it
        "misuracollana",
        "lunghezzacatena",
        "kettinglengte",  # nl
        "halskettinglengte",
        "kettingmaat",
    ],
    "note": [
        "note",  # also fr, it
        "notes",
        "comment",
        "comments",
        "memo",
        "customernote",
        "notiz",  # de
        "notizen",
        "bemerkung",
        "bemerkungen",
        "anmerkung",
        "kommentar",
        "remarque",  # fr
        "remarques",
        "commentaire",
        "commentaires",
        "nota",  # es, it
        "notas",
        "comentario",
        "comentarios",
        "observaciones",
        "commento",  # it
        "osservazioni",
        "notitie",  # nl
        "opmerking",
        "opmerkingen",
    ],
}
