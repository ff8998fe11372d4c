"""The demo store: a New York jeweler with a few hundred customers from many countries.

Everything is written through the real services (stores.services, customers.services), so the
demo shows exactly what the app would hold had the staff typed it in; the inbox's conversations
are recorded as the history they are (``messaging.services.message_record``), so nothing is sent
or answered for them. A seeded random generator makes the data repeatable; dates are relative to
the day the demo is loaded.

North American phones are in the 555-0100 to 555-0199 range kept for fiction; other countries'
are phonenumbers' example numbers with their last digits varied, each checked with
``is_valid_number``. Emails use the reserved ``example.*`` domains. Never wire the demo to a real
SMS account: some of the varied numbers may belong to real people.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import random
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

import phonenumbers
from django.db import transaction
from django.utils import timezone
from django_scopes import scope, scopes_disabled

from trunkshow.core.statistics import statistics_refresh
from trunkshow.core.validation import fold

DEMO_SLUG = "demo"
OWNER_EMAIL = "owner@example.com"
SEED = 20261123

STORE: dict[str, Any] = {
    "name": "Maison Demo Jewelers",
    "time_zone": "America/New_York",
    "currency": "USD",
    "locale": "en_US",
    "phone_region": "US",
    "address_line1": "746 Madison Avenue",
    "address_line2": "Ground floor",
    "city": "New York",
    "region": "NY",
    "postal_code": "10065",
    "country": "US",
    "opening_hours": {
        "mon": [],
        "tue": [["10:00", "18:00"]],
        "wed": [["10:00", "18:00"]],
        "thu": [["10:00", "20:00"]],
        "fri": [["10:00", "18:00"]],
        "sat": [["10:00", "13:00"], ["14:00", "17:00"]],
        "sun": [],
    },
}

# (email, role, name): the owner's password is the one passed in; the others share it.
STAFF = (
    (OWNER_EMAIL, "owner", "Hélène Marchand"),
    ("manager@example.com", "manager", "Marcus Bell"),
    ("sofia@example.com", "associate", "Sofía Ortega"),
    ("james@example.com", "associate", "James Okafor"),
)


def _split(text: str) -> tuple[str, ...]:
    """A comma-separated list written on a few lines (a formatter would put each item on its own)."""
    return tuple(item.strip() for item in text.split(",") if item.strip())


@dataclass(frozen=True)
class Country:
    """Where customers come from: names, places and habits that go together."""

    code: str
    weight: int
    language: str
    first_names: tuple[str, ...]
    last_names: tuple[str, ...]
    cities: tuple[tuple[str, str, str, str], ...]  # (city, region, postal code, time zone)
    streets: tuple[str, ...]
    number_first: bool  # "12 Rue de Rivoli" or "Kastanienallee 12"
    ring_system: str  # US, UK or EU
    length_unit: str  # cm or in


def _country(code: str, weight: int, language: str, names: str, places: str, habits: str) -> Country:
    """names: "first, first / last, last"; places: "city|region|postal|zone; ... / street, street";
    habits: "number-first|street-first ring-system length-unit"."""
    first, last = names.split("/")
    cities, streets = places.split(" /")  # time zones have a slash, without the space
    order, ring, unit = habits.split()
    return Country(
        code,
        weight,
        language,
        _split(first),
        _split(last),
        tuple(tuple(part.strip() for part in city.split("|")) for city in cities.split(";") if city.strip()),  # type: ignore[misc]
        _split(streets),
        order == "number-first",
        ring,
        unit,
    )


# fmt: off
COUNTRIES: tuple[Country, ...] = (
    _country(
        "US", 44, "en",
        "Olivia, Emma, Zoë, Chloé, Renée, Ava, Madison, Grace, Hannah, Abigail, Naomi, Camila, Aaliyah, Priya, Mei,"
        "Daniel, Michael, James, Ethan, José, Noah, Benjamin, Marcus, Andre, Samuel, Jonah, Rafael, Elijah, Caroline,"
        "Margaret, Katherine, Eleanor /"
        "Smith, Johnson, Williams, Brown, Garcia, Rodriguez, Martinez, O'Connor, Goldberg, Kim, Patel, Nguyen, Cohen,"
        "Washington, Rossi, Sullivan, Kowalski, Thompson, Rivera, Bianchi, Lee, Levy, Morgan, Hayes, Fitzgerald,"
        "Van der Berg, DeLuca, Okafor, Schwartz, Whitaker",
        "New York|NY|10021|America/New_York; Brooklyn|NY|11201|America/New_York; Scarsdale|NY|10583|America/New_York;"
        "Greenwich|CT|06830|America/New_York; Hoboken|NJ|07030|America/New_York; Boston|MA|02116|America/New_York;"
        "Miami Beach|FL|33139|America/New_York; Chicago|IL|60611|America/Chicago;"
        "Los Angeles|CA|90049|America/Los_Angeles; Denver|CO|80206|America/Denver /"
        "Park Avenue, East 72nd Street, Madison Avenue, Riverside Drive, Court Street, Elm Street, Greenwich Avenue,"
        "Washington Street, Commonwealth Avenue, Collins Avenue, North State Street",
        "number-first US in",
    ),
    _country(
        "GB", 6, "en-GB",
        "Charlotte, Amelia, Siobhan, Imogen, Harriet, Oliver, George, Rhys, Alistair, Freya /"
        "Davies, Evans, Thompson, Ashworth, MacLeod, Patel, Fairbairn, Whitmore, Ó Ceallaigh",
        "London||SW3 2AS|Europe/London; Edinburgh||EH3 6JP|Europe/London; Manchester||M2 5WR|Europe/London;"
        "Bath||BA1 2QH|Europe/London / King's Road, George Street, Deansgate, Royal Crescent, Marylebone High Street",
        "number-first UK cm",
    ),
    _country(
        "FR", 6, "fr",
        "François, Hélène, Amélie, Zoé, Maëlle, Jérôme, Léa, Benoît, Cécile, Noémie, Théo /"
        "Lefèvre, Dupont, Moreau, Girard, Rousseau, Bénard, Mercier, Faure, Lemaître",
        "Paris|Île-de-France|75008|Europe/Paris; Lyon|Auvergne-Rhône-Alpes|69002|Europe/Paris;"
        "Nice|Provence-Alpes-Côte d'Azur|06000|Europe/Paris; Bordeaux|Nouvelle-Aquitaine|33000|Europe/Paris /"
        "rue du Faubourg Saint-Honoré, rue de la République, promenade des Anglais, cours de l'Intendance, rue de Rivoli",
        "number-first EU cm",
    ),
    _country(
        "DE", 5, "de",
        "Jürgen, Jörg, Lena, Käthe, Mia, Lukas, Sophie, Björn, Anneliese, Maximilian /"
        "Müller, Schröder, Weiß, Groß, Köhler, Hoffmann, Müller-Lüdenscheidt, Bäcker, Schäfer",
        "Berlin|Berlin|10119|Europe/Berlin; München|Bayern|80331|Europe/Berlin; Hamburg|Hamburg|20354|Europe/Berlin;"
        "Köln|Nordrhein-Westfalen|50667|Europe/Berlin / Kastanienallee, Maximilianstraße, Jungfernstieg, Schildergasse",
        "street-first EU cm",
    ),
    _country(
        "CH", 4, "de-CH",
        "Reto, Ursula, Céline, Beat, Mathilde, Luca, Nadège, Andrea / Brunner, Zürcher, Favre, Keller, Meier, Gerber,"
        "Rochat, Schnyder",
        "Zürich|ZH|8001|Europe/Zurich; Genève|GE|1204|Europe/Zurich; Basel|BS|4051|Europe/Zurich;"
        "Lugano|TI|6900|Europe/Zurich / Bahnhofstrasse, Rue du Rhône, Freie Strasse, Via Nassa",
        "street-first EU cm",
    ),
    _country(
        "IT", 5, "it",
        "Giulia, Francesca, Niccolò, Lorenzo, Chiara, Matteo, Beatrice, Federico, Nicolò /"
        "Rossi, Bianchi, Ferrari, Esposito, Colombo, De Santis, Galli, Fabbrì, Conti",
        "Milano|MI|20121|Europe/Rome; Roma|RM|00187|Europe/Rome; Firenze|FI|50123|Europe/Rome;"
        "Napoli|NA|80121|Europe/Rome / Via Montenapoleone, Via dei Condotti, Via de' Tornabuoni, Via Chiaia",
        "street-first EU cm",
    ),
    _country(
        "ES", 4, "es",
        "Lucía, María José, Álvaro, Iñaki, Martina, Sofía, Jesús, Begoña, Ramón /"
        "García, Fernández, López, Martínez, Muñoz, Sánchez, Ibáñez, Peña",
        "Madrid|Madrid|28001|Europe/Madrid; Barcelona|Cataluña|08008|Europe/Madrid; Sevilla|Andalucía|41001|Europe/Madrid;"
        "Bilbao|País Vasco|48001|Europe/Madrid / Calle de Serrano, Passeig de Gràcia, Calle Sierpes, Gran Vía",
        "street-first EU cm",
    ),
    _country(
        "JP", 4, "ja",
        "Yūko, Haruto, Sakura, Kenji, Aiko, Ren, Mei, Shōta, Yui / Satō, Suzuki, Takahashi, Tanaka, Itō, Watanabe,"
        "Yamamoto, Kōno",
        "Tokyo|Tokyo|150-0001|Asia/Tokyo; Kyoto|Kyoto|605-0073|Asia/Tokyo; Osaka|Osaka|542-0085|Asia/Tokyo /"
        "Jingūmae 4-12, Gion-machi 2-3, Shinsaibashi-suji 1-8, Ginza 5-7",
        "number-first US cm",
    ),
    _country(
        "AU", 3, "en-AU",
        "Matilda, Isla, Harrison, Lachlan, Sienna, Mackenzie, Zara / Wilson, Nguyen, Fitzpatrick, McKenzie, Anderson,"
        "Papadopoulos, Clarke",
        "Sydney|NSW|2000|Australia/Sydney; Melbourne|VIC|3000|Australia/Melbourne; Brisbane|QLD|4000|Australia/Brisbane /"
        "George Street, Collins Street, Queen Street, Oxford Street",
        "number-first UK cm",
    ),
    _country(
        "BR", 3, "pt-BR",
        "João, Luíza, Conceição, Antônio, Letícia, Thiago, Gonçalo, Mariana / Silva, Gonçalves, Araújo, Magalhães,"
        "Conceição, Simões, Assunção",
        "São Paulo|SP|01310-100|America/Sao_Paulo; Rio de Janeiro|RJ|22021-001|America/Sao_Paulo /"
        "Avenida Paulista, Rua Oscar Freire, Avenida Atlântica",
        "street-first US cm",
    ),
    _country(
        "MX", 3, "es-MX",
        "Ximena, Guadalupe, Ángel, Sofía, Víctor, Itzel, Andrés / Hernández, Ramírez, Cázares, Núñez, Zúñiga, Ortiz,"
        "Treviño",
        "Ciudad de México|CDMX|11560|America/Mexico_City; Guadalajara|Jal.|44160|America/Mexico_City;"
        "Monterrey|N.L.|66220|America/Monterrey / Avenida Presidente Masaryk, Avenida Chapultepec, Calzada del Valle",
        "street-first US cm",
    ),
    _country(
        "CA", 3, "fr-CA",
        "Geneviève, Maxime, Éloïse, Liam, Noémie, Étienne, Hannah / Tremblay, Gagnon, Côté, Bélanger, Lévesque,"
        "MacDonald, Bouchard",
        "Montréal|QC|H3G 1Z2|America/Toronto; Toronto|ON|M5R 2E3|America/Toronto; Vancouver|BC|V6C 1X6|America/Vancouver /"
        "rue Sherbrooke Ouest, Yorkville Avenue, Robson Street",
        "number-first US cm",
    ),
    _country(
        "IS", 1, "is",
        "Guðrún, Sigríður, Þór, Ólafur, Björk, Ragnheiður / Ólafsdóttir, Guðmundsson, Jónsdóttir, Sigurðsson, Þórsdóttir",
        "Reykjavík||101|Atlantic/Reykjavik / Laugavegur, Skólavörðustígur",
        "street-first EU cm",
    ),
    _country(
        "DK", 2, "da",
        "Søren, Mette, Jørgen, Sørine, Astrid, Mads / Jørgensen, Sørensen, Ødegaard, Kjær, Mølgaard, Nørgaard",
        "København||1160|Europe/Copenhagen; Aarhus||8000|Europe/Copenhagen / Strøget, Nørregade, Åboulevarden",
        "street-first EU cm",
    ),
    _country(
        "HU", 2, "hu",
        "Zsófia, Ágnes, Márton, Gergő, Erzsébet, Dávid, Réka / Szirmay, Kovács, Szabó, Tóth, Horváth, Nagy, Fűzfa",
        "Budapest||1052|Europe/Budapest; Debrecen||4024|Europe/Budapest / Andrássy út, Váci utca, Piac utca",
        "street-first EU cm",
    ),
    _country(
        "PL", 2, "pl",
        "Łukasz, Małgorzata, Żaneta, Wojciech, Zofia, Paweł, Agnieszka / Wójcik, Kowalczyk, Lewandowski, Dąbrowska,"
        "Zieliński, Woźniak, Grzegorzewska",
        "Kraków|małopolskie|31-042|Europe/Warsaw; Warszawa|mazowieckie|00-001|Europe/Warsaw /"
        "ulica Floriańska, Nowy Świat, ulica Grodzka",
        "street-first EU cm",
    ),
    _country(
        "VN", 2, "vi",
        "Thảo, Minh, Hương, Đức, Lan Anh, Quỳnh, Tuấn / Nguyễn, Trần, Phạm, Lê, Hoàng, Võ, Đặng",
        "Hà Nội||100000|Asia/Ho_Chi_Minh; Thành phố Hồ Chí Minh||700000|Asia/Ho_Chi_Minh /"
        "Phố Hàng Bạc, Đường Đồng Khởi, Phố Tràng Tiền",
        "number-first US cm",
    ),
    _country(
        "SE", 1, "sv",
        "Åsa, Björn, Linnéa, Örjan, Märta / Lindström, Åkesson, Ekström, Öberg, Söderberg",
        "Stockholm||114 35|Europe/Stockholm; Göteborg||411 36|Europe/Stockholm / Biblioteksgatan, Kungsgatan",
        "street-first EU cm",
    ),
    _country(
        "IE", 1, "en-IE",
        "Siobhán, Seán, Aoife, Niamh, Ciarán, Róisín / Ó Briain, Ní Dhomhnaill, Murphy, Byrne, O'Sullivan,"
        "Mac Cárthaigh",
        "Dublin|Co. Dublin|D02 X285|Europe/Dublin; Galway|Co. Galway|H91 E2K3|Europe/Dublin / Grafton Street, Shop Street",
        "number-first UK cm",
    ),
)

# The first customers are always these, so the docs can say what to search for
# ("Mrs Szirmay, the one with the sapphire ring"; "Muller" finds Müller). (first, last, country, stone)
CAST = (
    ("Zsófia", "Szirmay", "HU", "Sapphire"),
    ("Jürgen", "Müller", "DE", ""),
    ("Thảo", "Nguyễn", "VN", "Pearl"),
    ("Guðrún", "Ólafsdóttir", "IS", ""),
    ("Łukasz", "Wójcik", "PL", ""),
    ("François", "Lefèvre", "FR", "Emerald"),
    ("Zoë", "Goldberg", "US", "Diamond"),
    ("Søren", "Jørgensen", "DK", ""),
    ("Katherine", "Whitaker", "US", "Ruby"),
    ("Siobhán", "Ó Briain", "IE", ""),
    ("Yūko", "Satō", "JP", "Pearl"),
    ("José", "Rodriguez", "US", ""),
)
# Partners the docs name ("`wojciech` finds Łukasz Wójcik"): always theirs, and nobody else's.
CAST_PARTNERS = {("Łukasz", "Wójcik"): "Wojciech Wójcik"}

# Who a note calls "her" and who "his": the demo's first names most often given to women and to men.
# A name given to both (Andrea, Minh, Luca, Mackenzie, Ren) is in neither: its notes say "their".
# (A trial had Thảo "wanting a surprise for his wife's birthday".)
WOMEN = frozenset(
    _split(
        "Olivia, Emma, Zoë, Chloé, Renée, Ava, Madison, Grace, Hannah, Abigail, Naomi, Camila, Aaliyah, Priya, Mei,"
        "Caroline, Margaret, Katherine, Eleanor, Charlotte, Amelia, Siobhan, Imogen, Harriet, Freya, Hélène, Amélie,"
        "Zoé, Maëlle, Léa, Cécile, Noémie, Lena, Käthe, Mia, Sophie, Anneliese, Ursula, Céline, Mathilde, Nadège,"
        "Giulia, Francesca, Chiara, Beatrice, Lucía, María José, Martina, Sofía, Begoña, Yūko, Sakura, Aiko, Yui,"
        "Matilda, Isla, Sienna, Zara, Luíza, Conceição, Letícia, Mariana, Ximena, Guadalupe, Itzel, Geneviève,"
        "Éloïse, Guðrún, Sigríður, Björk, Ragnheiður, Mette, Sørine, Astrid, Zsófia, Ágnes, Erzsébet, Réka,"
        "Małgorzata, Żaneta, Zofia, Agnieszka, Thảo, Hương, Lan Anh, Quỳnh, Åsa, Linnéa, Märta, Siobhán, Aoife,"
        "Niamh, Róisín"
    )
)
MEN = frozenset(
    _split(
        "Daniel, Michael, James, Ethan, José, Noah, Benjamin, Marcus, Andre, Samuel, Jonah, Rafael, Elijah, Oliver,"
        "George, Rhys, Alistair, François, Jérôme, Benoît, Théo, Jürgen, Jörg, Lukas, Björn, Maximilian, Reto, Beat,"
        "Niccolò, Lorenzo, Matteo, Federico, Nicolò, Álvaro, Iñaki, Jesús, Ramón, Haruto, Kenji, Shōta, Harrison,"
        "Lachlan, João, Antônio, Thiago, Gonçalo, Ángel, Víctor, Andrés, Maxime, Liam, Étienne, Þór, Ólafur, Søren,"
        "Jørgen, Mads, Márton, Gergő, Dávid, Łukasz, Wojciech, Paweł, Đức, Tuấn, Örjan, Seán, Ciarán"
    )
)


def _their(first_name: str) -> str:
    """The possessive a note uses for this customer: "her", "his", or "their" when the name is given to both."""
    return "her" if first_name in WOMEN else "his" if first_name in MEN else "their"


ADULT_AGE = 20  # the earliest age at which the demo has anyone engaged, married or celebrating an anniversary

NICKNAMES = {
    "Katherine": "Kate", "Margaret": "Maggie", "Benjamin": "Ben", "Eleanor": "Nell", "Caroline": "Caro",
    "Maximilian": "Max", "Alistair": "Ali", "Guadalupe": "Lupita", "Francesca": "Fran", "Anneliese": "Anne",
    "Małgorzata": "Gosia", "Wojciech": "Wojtek", "Erzsébet": "Erzsi", "Sigríður": "Sigga", "Conceição": "Ceiça",
}

# Area codes of the North American cities above, for numbers in the 555-01XX fiction range.
AREA_CODES = {
    "New York": ("212", "646", "917"), "Brooklyn": ("718", "347"), "Scarsdale": ("914",), "Greenwich": ("203",),
    "Hoboken": ("201",), "Boston": ("617",), "Miami Beach": ("305",), "Chicago": ("312",), "Los Angeles": ("310",),
    "Denver": ("303",), "Montréal": ("514",), "Toronto": ("416",), "Vancouver": ("604",),
}

EMAIL_DOMAINS = _split("example.com, example.org, example.net, mail.example, post.example")

METALS = _split("Yellow gold, White gold, Rose gold, Platinum, Sterling silver, 18k gold, Palladium")
STONES = _split("Diamond, Sapphire, Emerald, Ruby, Pearl, Tanzanite, Opal, Aquamarine, Morganite, Tourmaline,"
                "Lab-grown diamond, Black onyx")
STYLES = _split("Vintage, Art deco, Minimalist, Bold statement, Classic solitaire, Bohemian, Stacking, Halo,"
                "Three-stone, Signet")
DESIGNERS = _split("David Yurman, Pomellato, Mikimoto, Temple St. Clair, Marco Bicego, Roberto Coin, Jennifer Meyer,"
                   "Foundrae, Sophie Buhai")
FREE_INTERESTS = _split("Watches, Cufflinks, Charity galas, Engraving, Heirloom redesign, Birthstones, Anniversary gifts,"
                        "Men's rings, Custom design, Horse riding, Opera")

# (kind, values, the chance a customer likes one or two of them); bench/interests.py gives a big
# book the same.
INTEREST_CHANCES = (
    ("metal", METALS, 0.7),
    ("stone", STONES, 0.65),
    ("style", STYLES, 0.5),
    ("designer", DESIGNERS, 0.25),
    ("free", FREE_INTERESTS, 0.25),
)

UK_RING = tuple("HIJKLMNOPQRST")
US_RING = _split("4, 4.5, 5, 5.25, 5.5, 5.75, 6, 6.25, 6.5, 7, 7.5, 8, 8.5, 9, 9.5, 10, 10.5, 11")
EU_RING = _split("46, 47, 48, 49, 50, 51, 52, 53, 54, 55, 56, 57, 58, 60, 62, 64")

# (description, sku prefix, lowest price, highest price) in the store's currency.
CATALOGUE = (
    ("Diamond solitaire engagement ring, platinum", "ENG", 6500, 18500),
    ("Sapphire halo ring, 18k white gold", "RNG", 2400, 5600),
    ("Akoya pearl strand, 7 mm", "NCK", 1200, 3400),
    ("14k gold hoop earrings", "EAR", 380, 950),
    ("Diamond tennis bracelet, 3 ct", "BRC", 4200, 9800),
    ("Wedding band, 18k yellow gold", "WED", 900, 2200),
    ("Emerald drop earrings", "EAR", 2800, 6500),
    ("Rose gold pendant necklace", "NCK", 450, 1400),
    ("Ruby stud earrings", "EAR", 1100, 2600),
    ("Sterling silver cufflinks", "CUF", 180, 450),
    ("Charm for bracelet, engraved", "CHM", 120, 380),
    ("Tanzanite cocktail ring", "RNG", 1800, 4200),
    ("Eternity band, 1.5 ct", "WED", 2600, 5400),
    ("Signet ring, custom engraving", "RNG", 650, 1600),
)
SERVICES = (
    ("Ring resizing", "SVC", 60, 150),
    ("Watch battery and strap", "SVC", 45, 120),
    ("Cleaning and prong inspection", "SVC", 35, 80),
    ("Pearl restringing", "SVC", 90, 240),
    ("Appraisal for insurance", "SVC", 150, 350),
)

NOTES = (
    "Came in with {partner} looking at {stone} rings; loved the {style} settings. Follow up before the holidays.",
    "Prefers {metal}; allergic to nickel, so no white gold with nickel alloys.",
    "Asked us to call when the new {designer} pieces arrive.",
    "Picked up the resized ring; very happy with it. Mentioned a daughter graduating in June.",
    "Budget around ${budget} for the anniversary gift. Don't call before 10am.",
    "Wants a surprise for {partner}'s birthday: do NOT text about it, email only.",
    "Dropped off grandmother's brooch for appraisal. Sentimental; handle with care.",
    "Thinking about redesigning the engagement ring into a pendant. Sketches to show next visit.",
    "Looked at {stone} studs for {their} sister's 40th.\nWill come back with {their} sister on Saturday.",
    "Collects {style} pieces. Showed the estate tray; set aside two rings until Friday.",
    "Very knowledgeable about {stone}s; asked for the GIA report before deciding.",
    "Travels to New York twice a year; text a week before the spring trunk show.",
)
# fmt: on

# Consent evidence, per how it was given.
IN_PERSON_TEXT = "Asked at the counter: “May we text you about new arrivals and private events?” Said yes."
IN_PERSON_SERVICE = "Asked at the counter: “May we text you when your order or repair is ready?” Said yes."
IN_PERSON_WHATSAPP = "Asked at the counter: “May we send you new pieces on WhatsApp?” Said yes."
IN_PERSON_POST = "Asked at the counter: “May we post you our catalogue twice a year?” Said yes."
FORM_TEXT = (
    "☑ Yes, Maison Demo Jewelers may send me news and offers by text and email. "
    "Up to 4 msgs/month. Msg & data rates may apply. Reply STOP to cancel, HELP for help."
)
FORM_URL = "https://maison-demo.example.com/join"
GIVEAWAY_URL = "https://maison-demo.example.com/giveaway/spring-pearls"
SOURCES = (
    ("walk_in", 40),
    ("referral", 15),
    ("web_form", 12),
    ("import", 10),
    ("trade_show", 8),
    ("giveaway", 8),
    ("chat", 7),
)


def _weighted(rng: random.Random, pairs: Any) -> Any:
    items = list(pairs)
    return rng.choices([i for i, _w in items], weights=[w for _i, w in items], k=1)[0]


class _Phones:
    """Valid numbers per region: the region's example mobile number with its last digits varied."""

    def __init__(self, rng: random.Random) -> None:
        self.rng = rng
        self.used: set[str] = set()

    def make(self, region: str, *, mobile: bool = True, area_code: str = "") -> phonenumbers.PhoneNumber:
        if area_code:
            # North America has a range set aside for fiction: NXX-555-0100 to 0199.
            free = [f"+1{area_code}55501{n:02d}" for n in range(100) if f"+1{area_code}55501{n:02d}" not in self.used]
            if free:
                e164 = self.rng.choice(free)
                self.used.add(e164)
                return phonenumbers.parse(e164)
        kind = phonenumbers.PhoneNumberType.MOBILE if mobile else phonenumbers.PhoneNumberType.FIXED_LINE
        example = phonenumbers.example_number_for_type(region, kind) or phonenumbers.example_number(region)
        assert example is not None, region
        # From E.164, not national_number, which drops Italy's leading zero.
        base = phonenumbers.format_number(example, phonenumbers.PhoneNumberFormat.E164)
        for _attempt in range(200):
            number = phonenumbers.parse(base[:-4] + f"{self.rng.randrange(10_000):04d}")
            e164 = phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)
            if e164 not in self.used and phonenumbers.is_valid_number(number):
                self.used.add(e164)
                return number
        raise RuntimeError(f"no free valid demo number for {region}")


def _typed(number: phonenumbers.PhoneNumber, store_region: str) -> str:
    """How an associate would type it: national format at home, international otherwise."""
    if phonenumbers.region_code_for_number(number) == store_region:
        return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.NATIONAL)
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.INTERNATIONAL)


def _gendered(code: str, first: str, last: str) -> str:
    """The last name in the form a Polish or Icelandic first name takes: Dąbrowska for Zofia,
    Dąbrowski for Paweł; Jónsdóttir for Guðrún, Jónsson for Þór (a name given to both stays)."""
    woman, man = first in WOMEN, first in MEN
    if code == "PL":
        if woman and last.endswith("ki"):
            return last[:-1] + "a"
        if man and last.endswith(("ska", "cka")):
            return last[:-1] + "i"
    if code == "IS":
        if woman and last.endswith("sson"):
            return last[:-3] + "dóttir"
        if man and last.endswith("sdóttir"):
            return last[:-6] + "son"
    return last


def _email_local(first: str, last: str, rng: random.Random) -> str:
    first_key = "".join(ch for ch in fold(first) if ch.isalnum())
    last_key = "".join(ch for ch in fold(last) if ch.isalnum())
    style = rng.randrange(4)
    if style == 0:
        return f"{first_key}.{last_key}"
    if style == 1:
        return f"{first_key[:1]}{last_key}"
    if style == 2:
        return f"{first_key}{rng.randrange(1, 99)}"
    return f"{last_key}.{first_key}"


class _Loader:
    def __init__(self, *, store: Any, staff: dict[str, Any], rng: random.Random) -> None:
        from trunkshow.customers import services

        self.s = services
        self.store = store
        self.staff = staff
        self.associates = [staff["sofia@example.com"], staff["james@example.com"], staff["manager@example.com"]]
        self.rng = rng
        self.phones = _Phones(rng)
        self.emails: set[str] = set()
        self.now = timezone.now()
        self.today = self.now.astimezone(store.tz).date()
        self.created: list[Any] = []
        self.unpartnered: list[Any] = []
        # Every full name the demo has given, folded: customers' and partners' (the cast's from the
        # start). A partner's name is never another customer's or another partner's: a trial had
        # Reto Rochat and Łukasz Wójcik both with a "Wojciech Wójcik", who was a third customer too.
        self.names: set[str] = {fold(f"{first} {last}") for first, last, _code, _stone in CAST}
        self.names.update(fold(name) for name in CAST_PARTNERS.values())
        self.name_rng = random.Random(SEED + 3)
        # Its own stream, so moving moments into opening hours leaves every name and number as it was.
        self.counter_rng = random.Random(SEED + 2)
        # Rows stamped "now" by the services, to be moved back to when they happened.
        self.backdate: list[tuple[Any, int, dt.datetime]] = []

    # -- one customer ---------------------------------------------------------------------
    def customer(self, index: int) -> Any:
        from trunkshow.customers.models import Customer, CustomerEdit, Note

        rng, store = self.rng, self.store
        country = _weighted(rng, ((c, c.weight) for c in COUNTRIES))
        first, last = rng.choice(country.first_names), rng.choice(country.last_names)
        favourite = ""
        if index < len(CAST):
            first, last, code, favourite = CAST[index]
            country = next(c for c in COUNTRIES if c.code == code)
        else:
            # Two customers of one name would read as one person recorded twice (a big demo may have to).
            first, last = self._unique_name(country, first, _gendered(country.code, first, last)) or (first, last)
        self.names.add(fold(f"{first} {last}"))
        city, region, postal, tz = rng.choice(country.cities)
        street = rng.choice(country.streets)
        number = rng.randrange(1, 240)
        address = f"{number} {street}" if country.number_first else f"{street} {number}"
        source = _weighted(rng, SOURCES)
        associate = rng.choice(self.associates) if rng.random() < 0.75 else None
        actor = associate or rng.choice(list(self.staff.values()))
        since = self._at_the_counter(
            self.now
            - dt.timedelta(days=rng.randrange(0, 3 * 365), hours=rng.randrange(0, 9), minutes=rng.randrange(60))
        )

        profile: dict[str, Any] = {
            "first_name": first,
            "last_name": last,
            "country": country.code,
            "language": country.language,
            "time_zone": tz,
            "source": source,
            "assigned_associate_id": associate.pk if associate else None,
        }
        if rng.random() < 0.85:
            profile.update(address_line1=address, city=city, region=region, postal_code=postal)
            if rng.random() < 0.12:
                profile["address_line2"] = rng.choice(("Apt 4B", "Suite 1200", "2nd floor", "c/o Reception", "Flat 3"))
        if first in NICKNAMES and rng.random() < 0.5:
            profile["preferred_name"] = NICKNAMES[first]
        if rng.random() < 0.75:
            day, month = rng.randrange(1, 29), rng.randrange(1, 13)
            year = rng.randrange(1946, 2004) if rng.random() < 0.7 else None
            profile.update(birthday_day=day, birthday_month=month, birthday_year=year)
        profile["preferred_channel"] = rng.choice(("sms", "sms", "email", "email", "whatsapp", "phone", ""))

        # A partner: another customer of the store (linked both ways), or a name with a birthday.
        # The main stream draws what it always drew, so the cast keeps its phones and emails (the
        # README's examples); a partner who would not do is drawn again from the names' own stream.
        partner_roll = rng.random()
        named_from: random.Random | None = None
        if partner_roll < 0.15 and self.unpartnered:
            pick = rng.randrange(len(self.unpartnered))
            # A couple lives together: both are customers from the same country, each pointing at the
            # other (and not two of one first name, which would read as a mix-up).
            couples = [c for c in self.unpartnered if c.country == country.code and c.first_name != first]
            if couples:
                partner = couples[pick % len(couples)]
                self.unpartnered.remove(partner)
                profile["partner_id"] = partner.pk
            else:
                named_from = self.name_rng
        elif partner_roll < 0.40:
            named_from = rng
        if named_from is not None:
            partner_first = named_from.choice(country.first_names)
            partner_last = last if named_from.random() < 0.6 else named_from.choice(country.last_names)
            partner_name = CAST_PARTNERS.get((first, last)) or self._partner_name(
                country, first, last, partner_first, partner_last
            )
            if partner_name:
                profile["partner_name"] = partner_name
                self.names.add(fold(partner_name))
            if named_from.random() < 0.7 and partner_name:
                profile.update(
                    partner_birthday_day=named_from.randrange(1, 29),
                    partner_birthday_month=named_from.randrange(1, 13),
                    partner_birthday_year=named_from.randrange(1946, 2004) if named_from.random() < 0.5 else None,
                )

        phones: list[Any] = []
        if rng.random() < 0.93:
            area_code = rng.choice(AREA_CODES.get(city, ("",)))
            mobile = self.phones.make(country.code, area_code=area_code)
            phones.append({"number": _typed(mobile, store.phone_region), "label": "mobile"})
            if rng.random() < 0.12:
                other = self.phones.make(country.code, mobile=False, area_code=area_code)
                phones.append({"number": _typed(other, store.phone_region), "label": rng.choice(("home", "work"))})
        emails: list[Any] = []
        if rng.random() < 0.8 or not phones:
            address_local = _email_local(first, last, rng)
            email = f"{address_local}@{rng.choice(EMAIL_DOMAINS)}"
            while email in self.emails:
                email = f"{address_local}{rng.randrange(100, 999)}@{rng.choice(EMAIL_DOMAINS)}"
            self.emails.add(email)
            emails.append({"address": email, "label": "personal"})
            if rng.random() < 0.08:
                work = (
                    f"{fold(first)[:1]}.{''.join(ch for ch in fold(last) if ch.isalnum())}@{rng.choice(EMAIL_DOMAINS)}"
                )
                if work not in self.emails:
                    self.emails.add(work)
                    emails.append({"address": work, "label": "work"})

        interests: list[tuple[str, str]] = []
        for kind, values, chance in INTEREST_CHANCES:
            if rng.random() < chance:
                interests.extend((kind, value) for value in rng.sample(values, k=1 if rng.random() < 0.7 else 2))
        if favourite and ("stone", favourite) not in interests:
            interests.append(("stone", favourite))

        consents = (
            self._consents(source, since, index, has_phone=bool(phones), has_email=bool(emails))
            if (phones or emails) and rng.random() < 0.8
            else []
        )
        customer = self.s.customer_create(
            store=store, actor=actor, phones=phones, emails=emails, consents=consents, interests=interests, **profile
        )
        self.backdate.append((Customer, customer.pk, since))

        # After creation, as staff would add things over time.
        moment = since
        if rng.random() < 0.35:
            kind = rng.choice(("anniversary", "anniversary", "wedding", "engagement"))
            # Not before they were grown up: a trial found Thảo engaged in 1993, born in 1994.
            earliest = max(1975, (profile.get("birthday_year") or 0) + ADULT_AGE)
            year = (
                rng.randrange(earliest, self.today.year) if rng.random() < 0.6 and earliest < self.today.year else None
            )
            self.s.important_date_create(
                store=store,
                actor=actor,
                customer=customer,
                kind=kind,
                day=rng.randrange(1, 29),
                month=rng.randrange(1, 13),
                year=year,
            )
        if rng.random() < 0.08:
            self.s.important_date_create(
                store=store,
                actor=actor,
                customer=customer,
                kind="custom",
                label=rng.choice(("First date", "Graduation", "Mother's birthday", "Name day")),
                day=rng.randrange(1, 29),
                month=rng.randrange(1, 13),
            )
        if rng.random() < 0.55:
            system = country.ring_system
            value = {"US": US_RING, "UK": UK_RING, "EU": EU_RING}[system]
            self.s.size_add(
                store=store,
                actor=actor,
                customer=customer,
                kind="ring",
                system=system,
                value=rng.choice(value),
                note=rng.choice(("", "", "left ring finger", "right hand", "index finger")),
            )
        if rng.random() < 0.2:
            unit = country.length_unit
            self.s.size_add(
                store=store,
                actor=actor,
                customer=customer,
                kind="bracelet",
                system=unit,
                value=rng.choice(("6.5", "7", "7.5")) if unit == "in" else rng.choice(("16", "17", "18", "19")),
            )
        if rng.random() < 0.15:
            unit = country.length_unit
            self.s.size_add(
                store=store,
                actor=actor,
                customer=customer,
                kind="necklace",
                system=unit,
                value=rng.choice(("16", "18", "20")) if unit == "in" else rng.choice(("40", "42", "45", "50")),
            )
        if rng.random() < 0.12:
            self.s.interest_add(
                store=store,
                actor=actor,
                customer=customer,
                kind=rng.choice(("stone", "free")),
                value=rng.choice(("Pearl", "Birthstones", "Engraving", "Opal")),
            )
        for edit in CustomerEdit.objects.filter(customer=customer).values_list("pk", flat=True):
            moment += dt.timedelta(minutes=rng.randrange(1, 4))
            self.backdate.append((CustomerEdit, edit, moment))

        self._purchases(customer, since, favourite)
        for _n in range(rng.choice((0, 0, 1, 1, 1, 2, 3))):
            note = self.s.note_create(
                store=store,
                actor=rng.choice(self.associates),
                customer=customer,
                body=self._note_text(profile),
            )
            self.backdate.append((Note, note.pk, self._at_the_counter(self._between(since, self.now))))
        if consents and rng.random() < 0.1:
            self._withdraw(customer, consents, since)
        self.created.append(customer)
        if "partner_id" not in profile and "partner_name" not in profile:
            self.unpartnered.append(customer)
        return customer

    def _unique_name(self, country: Country, first: str, last: str) -> tuple[str, str] | None:
        """The name if nobody in the demo has it yet, else another from the country that nobody has,
        or None after a few tries (a small country in a large demo)."""
        for _attempt in range(20):
            if fold(f"{first} {last}") not in self.names:
                return first, last
            first = self.name_rng.choice(country.first_names)
            last = _gendered(country.code, first, self.name_rng.choice(country.last_names))
        return None

    def _partner_name(self, country: Country, first: str, last: str, partner_first: str, partner_last: str) -> str:
        """A partner's name from the customer's country that is nobody else's in the demo (not another
        customer's, not another's partner), and not the customer's own first name. They share the
        customer's last name only where a country's are shared: an Icelandic one is a father's name.
        Empty when none is free."""
        for _attempt in range(20):
            shared = partner_last == last
            if partner_first != first and not (shared and country.code == "IS"):
                name = f"{partner_first} {_gendered(country.code, partner_first, partner_last)}"
                if fold(name) not in self.names:
                    return name
            partner_first = self.name_rng.choice(country.first_names)
            partner_last = last if self.name_rng.random() < 0.6 else self.name_rng.choice(country.last_names)
        return ""

    def _between(self, start: dt.datetime, end: dt.datetime) -> dt.datetime:
        span = max(int((end - start).total_seconds()), 60)
        return start + dt.timedelta(seconds=self.rng.randrange(span))

    def _at_the_counter(self, moment: dt.datetime) -> dt.datetime:
        """The moment moved into the store's opening hours, that day or the open day before it: the
        staff meet customers, write notes and sell at the counter, not at 1 a.m. on a closed Monday."""
        from trunkshow.stores import hours

        day = moment.astimezone(hours.zone(self.store)).date()
        for _back in range(8):
            spans = [(b, e) for b, e in hours.spans_on(self.store, day) if b < self.now]
            if spans:
                begin, end = self.counter_rng.choice(spans)
                seconds = max(int((min(end, self.now) - begin).total_seconds()), 60)
                return begin + dt.timedelta(seconds=self.counter_rng.randrange(seconds))
            day -= dt.timedelta(days=1)
        return moment

    def _consents(self, source: str, since: dt.datetime, index: int, *, has_phone: bool, has_email: bool) -> list[Any]:
        """Consent with the evidence that covers exactly its channels, and only for ways we can reach them."""
        from trunkshow.customers.services import ConsentGrant

        rng = self.rng
        given: list[tuple[str, str, str, dict[str, Any]]] = []  # channel, purpose, method, evidence
        if source in ("web_form", "giveaway", "chat"):
            form = {
                "evidence_text": FORM_TEXT,
                "evidence_url": GIVEAWAY_URL if source == "giveaway" else FORM_URL,
                "evidence_ip": f"203.0.113.{rng.randrange(1, 255)}",
            }
            given += [("sms", "marketing", "form", form), ("email", "marketing", "form", form)]
        elif source == "import":
            line = f"Imported from lightspeed-customers-2023-03.csv, row {index + 2}: "
            given += [
                ("email", "marketing", "import", {"evidence_text": line + "“Accepts Email Marketing: yes”"}),
                ("sms", "marketing", "import", {"evidence_text": line + "“Accepts SMS Marketing: yes”"}),
            ]
        else:
            given.append(("sms", "marketing", "in_person", {"evidence_text": IN_PERSON_TEXT}))
            if rng.random() < 0.15:
                given.append(("whatsapp", "marketing", "in_person", {"evidence_text": IN_PERSON_WHATSAPP}))
        if rng.random() < 0.6:
            given.append(("sms", "service", "in_person", {"evidence_text": IN_PERSON_SERVICE}))
        if rng.random() < 0.1:
            given.append(("post", "marketing", "in_person", {"evidence_text": IN_PERSON_POST}))
        reachable = {"sms": has_phone, "whatsapp": has_phone, "email": has_email, "post": True}
        return [
            ConsentGrant(channel=channel, purpose=purpose, method=method, occurred_at=since, **evidence)
            for channel, purpose, method, evidence in given
            if reachable[channel]
        ]

    def _withdraw(self, customer: Any, consents: list[Any], since: dt.datetime) -> None:
        from trunkshow.customers.services import ConsentGrant

        grant = self.rng.choice([c for c in consents if c.purpose == "marketing"])
        when = self._between(since, self.now)
        if grant.channel == "sms":
            withdrawal = ConsentGrant(
                channel="sms",
                purpose="marketing",
                action="withdrawn",
                method="keyword",
                evidence_text="Replied “STOP” to the spring trunk show text.",
                occurred_at=when,
            )
        else:
            withdrawal = ConsentGrant(
                channel=grant.channel,
                purpose="marketing",
                action="withdrawn",
                method="staff",
                evidence_text="Asked in person to stop the newsletters.",
                occurred_at=when,
            )
        self.s.consent_record(
            store=self.store, actor=self.rng.choice(self.associates), customer=customer, grant=withdrawal
        )

    def _purchases(self, customer: Any, since: dt.datetime, favourite: str) -> None:
        """Purchases since they became a customer; one with their favourite stone when they have one."""
        rng = self.rng
        count = rng.choices((0, 1, 2, 3, 4, 6), weights=(25, 30, 20, 12, 8, 5), k=1)[0]
        hours_zone = self.store.tz
        start = since.astimezone(hours_zone).date()
        span = max((self.today - start).days, 0)
        signature = [item for item in CATALOGUE if favourite and favourite.lower() in item[0].lower()]
        for n in range(max(count, 1 if signature else 0)):
            day = start + dt.timedelta(days=rng.randrange(span + 1))
            day = (
                self._at_the_counter(dt.datetime.combine(day, dt.time(23, 59), tzinfo=hours_zone))
                .astimezone(hours_zone)
                .date()
            )
            picks = [rng.choice(CATALOGUE)]
            if rng.random() < 0.2:
                picks.append(rng.choice(SERVICES if rng.random() < 0.5 else CATALOGUE))
            if rng.random() < 0.15:
                picks = [rng.choice(SERVICES)]
            if n == 0 and signature:
                picks = [signature[0]]
            items = [
                {"description": d, "sku": f"{sku}-{rng.randrange(1000, 9999)}", "quantity": 1}
                for d, sku, _lo, _hi in picks
            ]
            amount = sum((Decimal(rng.randrange(lo, hi + 1)) for _d, _s, lo, hi in picks), Decimal(0))
            if rng.random() < 0.5:
                amount = (amount / 10).quantize(Decimal(1)) * 10  # round prices
            associate = rng.choice(self.associates)
            self.s.purchase_create(
                store=self.store,
                actor=associate,
                customer=customer,
                purchased_on=day,
                items=items,
                amount=amount,
                associate_id=associate.pk,
                external_id=f"POS-{day.year}-{rng.randrange(10000, 99999)}",
            )

    def _note_text(self, profile: dict[str, Any]) -> str:
        rng = self.rng
        their = _their(profile["first_name"])
        spouse = {"her": "her husband", "his": "his wife"}.get(their, "their partner")
        partner = (profile.get("partner_name") or "").split(" ")[0] or rng.choice(
            (spouse, f"{their} daughter", f"{their} mother")
        )
        return rng.choice(NOTES).format(
            partner=partner,
            their=their,
            stone=rng.choice(STONES).lower(),
            style=rng.choice(STYLES).lower(),
            metal=rng.choice(METALS).lower(),
            designer=rng.choice(DESIGNERS),
            budget=f"{rng.randrange(5, 60) * 100:,}",
        )

    def apply_backdates(self) -> None:
        """The services stamp rows with the current time; the demo moves them to when they happened.

        Only timestamps change (created_at, updated_at, at): the rows themselves came from the services.
        """
        field_of = {"Customer": ("created_at", "updated_at"), "Note": ("created_at",), "CustomerEdit": ("at",)}
        by_model: dict[Any, list[Any]] = {}
        for model, pk, when in self.backdate:
            fields = field_of[model.__name__]
            by_model.setdefault(model, []).append(model(pk=pk, **dict.fromkeys(fields, when)))
        for model, rows in by_model.items():
            model.objects.bulk_update(rows, field_of[model.__name__], batch_size=250)


def demo_load(*, owner_password: str, customers: int = 500) -> bool:
    """Create the demo store with its staff and customers. False when it already exists (kept as is)."""
    from trunkshow.stores.models import Store, User
    from trunkshow.stores.services import staff_create, store_create

    if customers < 0:
        raise ValueError("customers must be 0 or more")
    with transaction.atomic():
        if Store.objects.filter(slug=DEMO_SLUG).exists():
            return False
        store = store_create(slug=DEMO_SLUG, **STORE)
        staff: dict[str, Any] = {}
        with scopes_disabled():
            existing = set(User.objects.filter(email__in=[e for e, _r, _n in STAFF]).values_list("email", flat=True))
        for email, role, name in STAFF:
            # Someone who already has a login keeps their password.
            password = None if email in existing else owner_password
            staff[email] = staff_create(store=store, email=email, role=role, name=name, password=password).user
        with scope(store=store):
            loader = _Loader(store=store, staff=staff, rng=random.Random(SEED))
            for index in range(customers):
                loader.customer(index)
            loader.apply_backdates()
            _segments(store, staff[OWNER_EMAIL])
            _conversations(store, staff)
            _answered_history(store, staff, customers)
            _whatsapp_templates(store, staff[OWNER_EMAIL])
            _saved_replies(store, staff[OWNER_EMAIL])
            _webchat(store, staff[OWNER_EMAIL])
    statistics_refresh()  # the planner's statistics, as the worker keeps them every night (ADR 0016)
    return True


# (name, content SID, text, what fills each placeholder, approval status). The SIDs are made up: with
# real Twilio keys the owner records the store's own from Twilio's Content Template Builder.
WHATSAPP_TEMPLATES = (
    (
        "Piece ready for collection",
        "HX" + "d3a1" * 8,
        "Hello {{1}}, your {{2}} is ready at {{3}}. Reply here to choose a time to collect it.",
        [("first_name", ""), ("text", "The piece"), ("store", "")],
        "approved",
    ),
    (
        "Appointment reminder",
        "HX" + "a7c2" * 8,
        "Hi {{1}}, a reminder of your appointment on {{2}}. {{3}} looks forward to seeing you.",
        [("first_name", ""), ("text", "Day and time"), ("associate", "")],
        "approved",
    ),
    (
        "New collection preview",
        "HX" + "5e9b" * 8,
        "Dear {{1}}, our new collection arrives next week. Would you like a private preview?",
        [("first_name", "")],
        "pending",
    ),
)


def _whatsapp_templates(store: Any, owner: Any) -> None:
    from trunkshow.messaging.whatsapp_templates import whatsapp_template_save
    from trunkshow.stores.models import Membership

    membership = Membership.objects.get(store=store, user=owner)
    for name, sid, body, variables, status in WHATSAPP_TEMPLATES:
        whatsapp_template_save(
            store=store,
            actor=owner,
            membership=membership,
            name=name,
            content_sid=sid,
            language="en",
            body=body,
            variables=[{"source": source, "label": label} for source, label in variables],
            approval_status=status,
        )


# Saved replies the composer offers (Inbox → Saved replies), with the merge fields filled per customer.
SAVED_REPLIES = (
    (
        "Piece ready for collection",
        "Hi {first_name}, good news: your piece is ready. Come by whenever suits you; ask for {associate}. — {store}",
    ),
    (
        "Ring size",
        "Hi {first_name}, to be sure of the size, could you tell me a ring that fits you well, "
        "or stop by for a free sizing? {associate}, {store}",
    ),
    (
        "Thank you for your visit",
        "Thank you for coming in today, {first_name}. It was a pleasure showing you our pieces; "
        "I'm here if you'd like photos of anything you saw. {associate}",
    ),
)


def _saved_replies(store: Any, owner: Any) -> None:
    from trunkshow.inbox.replies import saved_reply_save
    from trunkshow.stores.models import Membership

    membership = Membership.objects.get(store=store, user=owner)
    for title, body in SAVED_REPLIES:
        saved_reply_save(store=store, actor=owner, membership=membership, title=title, body=body)


def _webchat(store: Any, owner: Any) -> None:
    from django.conf import settings
    from django.core.exceptions import ValidationError

    from trunkshow.messaging.channels.webchat.services import origin_clean, webchat_settings_update

    try:
        origins = [origin_clean(settings.PUBLIC_URL)]
    except ValidationError:  # a public http:// address: the owner adds an https one in the settings
        origins = []
    webchat_settings_update(
        store=store,
        actor=owner,
        allowed_origins=origins,
        # No words of the owner's: the widget says the inbox's 5-minute target in each visitor's language.
        reply_time_text="",
    )


def demo_site_allow(*, origin: str) -> None:
    """The demo's sample website is served by the demo itself, on whatever address it runs this time."""
    from django.core.exceptions import ValidationError

    from trunkshow.messaging.channels.webchat.services import webchat_origin_allow
    from trunkshow.stores.models import Store

    with scopes_disabled():
        store = Store.objects.filter(slug=DEMO_SLUG).first()
    if store is None:
        return
    with scope(store=store), transaction.atomic(), contextlib.suppress(ValidationError):
        webchat_origin_allow(store=store, origin=origin)


# Saved segments a new user finds under "Segments" on the customer list.
SEGMENTS = (
    ("Birthdays in the next 30 days", {"date": "birthday", "within": "30"}),
    ("Anniversaries in the next 60 days", {"date": "anniversary", "within": "60"}),
    ("Sapphire lovers who may get texts", {"interest": ["stone:sapphire"], "consent": "sms"}),
    ("Best clients, quiet for 6 months", {"spend_min": "5000", "contact_older_than": "180", "sort": "spend"}),
)


def _segments(store: Any, owner: Any) -> None:
    from trunkshow.customers.segments import segment_create

    for name, filters in SEGMENTS:
        segment_create(store=store, actor=owner, name=name, filters=filters)


# The inbox a new user finds: (channel, minutes ago, who writes, text). "in" is the customer,
# "out:<email>" a reply by that associate, "note:<email>" an internal note; "{first}" is the customer's
# first name (a note says "Jürgen prefers", not a "she" the customer may not be).
CONVERSATIONS: tuple[tuple[str, tuple[tuple[int, str, str], ...]], ...] = (
    (
        "sms",
        (
            (190, "in", "Hi! Is the sapphire halo ring from your window still available in a 6?"),
            (184, "out:sofia@example.com", "It is! I have put it aside for you until Saturday. Would 11:00 suit you?"),
            (3, "in", "Perfect, see you Saturday at 11. Could my husband come along?"),
        ),
    ),
    (
        "email",
        (
            (2900, "in", "Hello, I would like to engrave our wedding date inside my band. How long does it take?"),
            (2880, "out:james@example.com", "About a week; we can do it by hand or by laser. Bring it by any day."),
            (60, "in", "Thank you, I will bring it tomorrow morning."),
            (55, "note:manager@example.com", "@James {first} prefers hand engraving: ask Pierre."),
        ),
    ),
    ("whatsapp", ((14, "in", "Good afternoon, do you still have the pearl drop earrings from the Instagram post?"),)),
    (
        "sms",
        (
            (1500, "in", "Hi, my mother's ring needs resizing from a K to an M, can you do that?"),
            (1490, "out:sofia@example.com", "Yes, two sizes up is no problem in gold. It takes about 5 days."),
            (1400, "in", "STOP"),
        ),
    ),
    (
        "email",
        (
            (9000, "in", "Could you send me photos of your emerald pendants?"),
            (8990, "out:sofia@example.com", "Of course, here are three we love; the second is Colombian."),
            (8000, "in", "Thank you, I will think about it."),
            (7990, "out:sofia@example.com", "Take your time, they are here whenever you are ready."),
        ),
    ),  # Two days ago on WhatsApp: past the 24-hour window, the composer offers the approved templates.
    ("whatsapp", ((2950, "in", "Hello! Is the engraving on my locket finished? No rush at all."),)),
)
# The subjects the demo's email threads were written under (by their first line): the replies the
# store sends go out as "Re: …" of these, as a mail client's would.
EMAIL_SUBJECTS = {
    CONVERSATIONS[1][1][0][2]: "Engraving our wedding date",
    CONVERSATIONS[4][1][0][2]: "Emerald pendants",
}
UNKNOWN_TEXTER = ("+19175550123", "Hi, do you buy old gold? I have a few chains.")
# A visitor of the store's website who chatted, left a name and an email with the widget's consent
# box ticked, and is waiting for the answer to a second question: (minutes ago, who, text).
WEBCHAT_VISITOR = ("Amara", "Mensah", "amara.mensah@example.net")
WEBCHAT_LINES = (
    (26, "in", "Hello! Is the oval sapphire on your website available as an engagement ring?"),
    (21, "out:sofia@example.com", "It is! We can set it in platinum or 18k gold. Would you like to see it in person?"),
    (2, "in", "Yes please! Could I come by on Thursday afternoon with my partner?"),
)

# Photos in the demo's threads, drawn with Pillow (no files shipped), by the text they go with.
EMERALDS = "Of course, here are three we love; the second is Colombian."
RESIZE = "Hi, my mother's ring needs resizing from a K to an M, can you do that?"
PHOTO_DRAWINGS = {
    EMERALDS: (
        ("emerald-pendant-1.jpg", "pendant", (0x1F, 0x8A, 0x5B), "emerald"),
        ("emerald-pendant-2-colombian.jpg", "pendant", (0x0E, 0x9F, 0x6E), "pear"),
        ("emerald-pendant-3.jpg", "pendant", (0x2E, 0x6B, 0x4F), "oval"),
    ),
    RESIZE: (("IMG_2214.jpg", "ring", (0xB0, 0x12, 0x3A), "oval"),),
}


def _drawing(kind: str, colour: tuple[int, int, int], cut: str) -> bytes:
    """A jewel on a soft backdrop, as a phone photo of a piece might look, drawn with Pillow."""
    import io

    from PIL import Image, ImageDraw

    w, h = 960, 720
    image = Image.new("RGB", (w, h))
    draw = ImageDraw.Draw(image)
    for y in range(h):  # a linen-coloured backdrop, lighter at the top
        shade = 244 - y * 40 // h
        draw.line([(0, y), (w, y)], fill=(shade, shade - 6, shade - 16))
    gold, dark_gold = (212, 172, 82), (150, 112, 40)
    cx, cy = w // 2, h // 2 + 40
    if kind == "pendant":
        draw.line([(cx - 330, 0), (cx - 20, cy - 120)], fill=gold, width=5)  # the chain
        draw.line([(cx + 330, 0), (cx + 20, cy - 120)], fill=gold, width=5)
        draw.ellipse([cx - 22, cy - 150, cx + 22, cy - 106], outline=gold, width=8)  # the bail
    else:
        draw.ellipse([cx - 190, cy - 150, cx + 190, cy + 230], outline=gold, width=34)  # the band
        draw.ellipse([cx - 170, cy - 130, cx + 170, cy + 210], outline=dark_gold, width=6)
        cy -= 150
    light = tuple(min(255, c + 90) for c in colour)
    if cut == "emerald":
        box = [
            (cx - 70, cy - 90),
            (cx + 70, cy - 90),
            (cx + 95, cy - 60),
            (cx + 95, cy + 60),
            (cx + 70, cy + 90),
            (cx - 70, cy + 90),
            (cx - 95, cy + 60),
            (cx - 95, cy - 60),
        ]
        draw.polygon(box, fill=colour, outline=gold, width=10)
        draw.rectangle([cx - 50, cy - 55, cx + 50, cy + 55], outline=light, width=4)
    elif cut == "pear":
        draw.ellipse([cx - 85, cy - 20, cx + 85, cy + 130], fill=colour, outline=gold, width=10)
        draw.polygon([(cx, cy - 110), (cx - 78, cy + 30), (cx + 78, cy + 30)], fill=colour)
        draw.line([(cx, cy - 110), (cx - 80, cy + 30)], fill=gold, width=10)
        draw.line([(cx, cy - 110), (cx + 80, cy + 30)], fill=gold, width=10)
    else:
        draw.ellipse([cx - 80, cy - 100, cx + 80, cy + 100], fill=colour, outline=gold, width=10)
    draw.ellipse([cx - 40, cy - 60, cx - 5, cy - 25], fill=light)  # a glint
    out = io.BytesIO()
    image.save(out, "JPEG", quality=88)
    return out.getvalue()


def demo_photos(body: str) -> list[Any]:
    """The photos that go with a line of the demo's inbox, prepared as any upload is (``photo_prepare``)."""
    import io

    from trunkshow.messaging.photos import photo_prepare

    return [
        photo_prepare(io.BytesIO(_drawing(kind, colour, cut)), filename=name)
        for name, kind, colour, cut in PHOTO_DRAWINGS.get(body, ())
    ]


# How a reply ended, by channel: texts report delivery, WhatsApp reports being read, and an email
# says nothing more once it is handed to the mail server.
REPLY_STATUS = {"sms": "delivered", "whatsapp": "read", "email": "sent", "webchat": "sent"}


def _demo_site_url() -> str:
    """The sample website's address, where the demo's web-chat visitor chatted."""
    from django.conf import settings
    from django.urls import reverse

    return settings.PUBLIC_URL.rstrip("/") + reverse("messaging:demo_site")


def _webchat_visitor(store: Any, now: dt.datetime) -> Any:
    """The web-chat visitor of the demo's inbox, as the widget leaves one: a new customer (source
    chat) with the email they typed and the consent they ticked, in the words the widget showed."""
    from trunkshow.customers.models import Customer, Source
    from trunkshow.customers.services import ConsentGrant, consent_events_add, customer_create
    from trunkshow.messaging.channels.webchat.services import consent_text

    first, last, email = WEBCHAT_VISITOR
    said_at = now - dt.timedelta(minutes=WEBCHAT_LINES[0][0] - 1)
    customer = customer_create(
        store=store, actor=None, first_name=first, last_name=last, emails=[email], source=Source.CHAT
    )
    Customer.objects.filter(pk=customer.pk).update(created_at=said_at, updated_at=said_at)
    customer.created_at = said_at
    grant = ConsentGrant(
        "email",
        "service",
        method="form",
        evidence_text=consent_text(store, "en"),
        evidence_url=_demo_site_url(),
        evidence_ip="203.0.113.77",
        occurred_at=said_at,
    )
    consent_events_add(store=store, actor=None, customer=customer, grants=[grant])
    return customer


def _webchat_browser(store: Any, conversation: Any, customer: Any) -> None:
    """The visitor's browser row, as the widget's first message leaves it: a token nobody holds."""
    import secrets

    from trunkshow.messaging.channels.webchat.services import token_hash
    from trunkshow.messaging.models import WebchatVisitor

    WebchatVisitor.objects.create(
        store=store,
        conversation=conversation,
        token_hash=token_hash(secrets.token_urlsafe(32)),
        page_url=_demo_site_url(),
        identified_at=customer.created_at,
        created_at=conversation.created_at,
    )


def _conversations(store: Any, staff: dict[str, Any]) -> None:
    """A lived-in inbox: texts, WhatsApp and email, replies and notes, one opt-out, one unknown number.

    Recorded as history (``message_record``): every message at its own time, the replies delivered,
    the STOP an opt-out dated when it was said. What the store did then is done as it was (the
    conversation goes to the customer's associate or whoever was on duty; the associate who answered
    had read the thread), but nothing is sent, answered or announced now for the past: no
    out-of-hours answer, no opt-out confirmation, no alert. Messages arriving after the demo starts
    get all of that through the live services.
    """
    from trunkshow.customers.models import Customer, Source
    from trunkshow.customers.services import customer_create
    from trunkshow.inbox.models import Mention, OverdueAlert, ReadState
    from trunkshow.inbox.services import (
        assign_on_inbound,
        conversation_read,
        inbox_settings,
        mentioned,
        response_clock_from,
        response_due_at,
    )
    from trunkshow.messaging.models import Conversation, ConversationStatus
    from trunkshow.messaging.services import conversation_for, message_record

    now = timezone.now()
    texters = Customer.objects.filter(store=store, phones__isnull=False, emails__isnull=False).order_by("pk")
    people = list(texters.distinct()[: len(CONVERSATIONS)])
    threads: list[tuple[str, Any, Any, str]] = []  # (channel, lines, customer, address)
    for (channel, lines), customer in zip(CONVERSATIONS, people, strict=False):
        phone, mail = customer.phones.first(), customer.emails.first()
        assert phone is not None and mail is not None  # chosen for having both
        threads.append((channel, lines, customer, phone.e164 if channel in ("sms", "whatsapp") else mail.address))
    # Someone the store did not know texted: the inbox made them a customer then, as it does.
    number, text = UNKNOWN_TEXTER
    texted_at = now - dt.timedelta(minutes=40)
    unknown = customer_create(store=store, actor=None, phones=[number], source=Source.CHAT, allow_duplicate=True)
    Customer.objects.filter(pk=unknown.pk).update(created_at=texted_at, updated_at=texted_at)
    threads.append(("sms", ((40, "in", text),), unknown, number))
    threads.append(("webchat", WEBCHAT_LINES, _webchat_visitor(store, now), ""))

    for n, (channel, lines, customer, address) in enumerate(threads):
        conversation = conversation_for(store=store, customer=customer, channel=channel, address=address)
        subject = EMAIL_SUBJECTS.get(lines[0][2], "") if channel == "email" else ""
        if subject:
            conversation.subject = subject
            conversation.save(update_fields=["subject"])
        for i, (minutes, who, line) in enumerate(lines):
            body = line.replace("{first}", customer.first_name)
            at = now - dt.timedelta(minutes=minutes)
            provider_id = f"demo-{n}-{i}"
            if who == "in":
                message = message_record(
                    store=store,
                    conversation=conversation,
                    direction="in",
                    body=body,
                    at=at,
                    provider="demo",
                    provider_id=provider_id,
                    meta=(
                        {
                            "message_id": f"<{provider_id}@example.com>",
                            "subject": subject if i == 0 else f"Re: {subject}",
                        }
                        if channel == "email"
                        else {}
                    ),
                    photos=demo_photos(body),
                )
                assign_on_inbound(store, conversation, message)
                continue
            kind, email = who.split(":")
            recorded = message_record(
                store=store,
                conversation=conversation,
                direction="note" if kind == "note" else "out",
                body=body,
                at=at,
                author=staff[email],
                status="" if kind == "note" else REPLY_STATUS[channel],
                provider="" if kind == "note" else "demo",
                provider_id="" if kind == "note" else provider_id,
                photos=demo_photos(body),
            )
            if kind == "note":  # the colleague it @names has not opened it yet: it waits for them
                Mention.objects.bulk_create(
                    Mention(store=store, user=u, conversation=conversation, message=recorded, at=at)
                    for u in mentioned(store, body)
                    if u.pk != staff[email].pk
                )
            conversation_read(store=store, user=staff[email], conversation=conversation)
            ReadState.objects.filter(user=staff[email], conversation=conversation).update(at=at)
        if n == 4:
            Conversation.objects.filter(pk=conversation.pk).update(status=ConversationStatus.CLOSED)
        if channel == "webchat":
            _webchat_browser(store, conversation, customer)

    # A customer who waited past the response target before the demo was loaded: the managers were
    # alerted then, once per wait, rather than about every seeded conversation at the next minute.
    target = inbox_settings(store).response_target_minutes
    for conversation in Conversation.objects.filter(
        store=store, status=ConversationStatus.OPEN, awaiting_since__isnull=False
    ):
        due = response_due_at(store, conversation, target)
        clock_from = response_clock_from(conversation)
        if due is not None and due <= now and clock_from is not None:
            OverdueAlert.objects.create(store=store, conversation=conversation, awaiting_since=clock_from, at=due)


# The three months before: questions the team answered, each closed since (the response-time report's
# figures). (question, answer); who answered is whoever the inbox gave the customer to.
HISTORY_LINES = (
    ("Do you clean rings while I wait?", "We do, it takes about ten minutes. Come by any time we are open."),
    ("What are your hours on Saturday?", "10 to 5, with a break from 1 to 2. See you then!"),
    ("Is the gold hoop in the window 14k or 18k?", "It is 18k yellow gold; we have it in white gold too."),
    ("Can you fix a broken clasp on a pearl necklace?", "Yes, bring it in: a new clasp is usually ready in two days."),
    ("Do you buy back old watches?", "We do appraisals on Thursdays; bring the watch and its papers if you have them."),
    ("My ring is a bit loose, can it be made smaller?", "Of course, sizing down is quick. Which size is it now?"),
    ("Do you ship to Canada?", "Yes, insured and tracked; the duties are shown before you pay."),
    (
        "Could I see the sapphire studs again before Friday?",
        "Absolutely, I will have them ready for you at the counter.",
    ),
)
# Minutes a first answer took, most of them quick; a few waited for a busy counter.
HISTORY_WAITS = (1, 1, 1, 2, 2, 2, 2, 3, 3, 3, 3, 4, 4, 4, 6, 8, 14, 35)


def _answered_history(store: Any, staff: dict[str, Any], customers: int) -> None:
    """Three months of answered and closed conversations, about one a day the store is open; one in seven
    written after closing and answered the next morning, a long wait inside the target (the target
    counts opening hours). Recorded as ``_conversations`` records its story: history, nothing sent."""
    from trunkshow.customers.models import Customer
    from trunkshow.inbox.services import assign_on_inbound
    from trunkshow.messaging.models import Conversation, ConversationStatus
    from trunkshow.messaging.services import conversation_for, message_record
    from trunkshow.stores import hours

    rng = random.Random(SEED + 1)
    now = timezone.now()
    tz = hours.zone(store)
    busy = set(Customer.objects.filter(store=store, conversations__isnull=False).values_list("pk", flat=True))
    people = [
        c
        for c in Customer.objects.filter(store=store, phones__isnull=False, emails__isnull=False)
        .order_by("pk")
        .distinct()[: min(120, max(1, customers // 5)) + len(busy)]
        if c.pk not in busy
    ]
    today = now.astimezone(tz).date()
    for n, customer in enumerate(people):
        day = today - dt.timedelta(days=1 + (n * 85) // max(1, len(people)))
        opens = hours.next_opening(store, dt.datetime.combine(day, dt.time(9, 0), tzinfo=tz))
        asked = (opens or dt.datetime.combine(day, dt.time(11, 0), tzinfo=tz)) + dt.timedelta(
            minutes=rng.randrange(20, 300)
        )
        wait = dt.timedelta(minutes=rng.choice(HISTORY_WAITS), seconds=rng.randrange(60))
        if n % 7 == 3:  # after closing: answered once the store opens again
            asked = dt.datetime.combine(day, dt.time(20, 40), tzinfo=tz)
            back = hours.next_opening(store, asked) or asked
            wait = back - asked + dt.timedelta(minutes=rng.randrange(2, 6), seconds=rng.randrange(60))
        if asked + wait >= now:
            continue
        channel = rng.choice(("sms", "sms", "email", "whatsapp"))
        phone, mail = customer.phones.first(), customer.emails.first()
        assert phone is not None and mail is not None  # chosen for having both
        conversation = conversation_for(
            store=store, customer=customer, channel=channel, address=mail.address if channel == "email" else phone.e164
        )
        question, answer = HISTORY_LINES[n % len(HISTORY_LINES)]
        message = message_record(
            store=store,
            conversation=conversation,
            direction="in",
            body=question,
            at=asked,
            provider="demo",
            provider_id=f"demo-past-{n}-0",
            meta={"message_id": f"<demo-past-{n}-0@example.com>"} if channel == "email" else {},
        )
        assign_on_inbound(store, conversation, message)  # sets it on this conversation
        author = conversation.assigned_to or staff["sofia@example.com"]
        message_record(
            store=store,
            conversation=conversation,
            direction="out",
            body=answer,
            at=asked + wait,
            author=author,
            status=REPLY_STATUS[channel],
            provider="demo",
            provider_id=f"demo-past-{n}-1",
        )
        Conversation.objects.filter(pk=conversation.pk).update(status=ConversationStatus.CLOSED)


SAMPLE_HEADER = (
    "First Name,Last Name,Email,Phone,Address1,City,Province Code,Country Code,Zip,"
    "Accepts Email Marketing,Accepts SMS Marketing,Total Spent,Tags,Note,Birthday,Ring Size"
)
# New customers, two already in the book (by email and by phone, in other formats) and two lines
# the import reports instead of importing: a sample point-of-sale export to try the import with.
SAMPLE_ROWS = (
    "Hélène,Dubois,helene.dubois@example.fr,+33 6 12 34 56 78,12 rue de Rivoli,Paris,,FR,75001,yes,no,"
    '2480.00,"pearls, gold",Prefers Art Deco,1984-03-09,52',
    "Tomasz,Nowak,tomasz.nowak@example.pl,,ul. Długa 5,Gdańsk,,PL,80-827,no,no,310.50,silver,,,",
    "Aiyana,Redcloud,aiyana@example.com,(914) 555-0199,88 Main St,White Plains,NY,US,10601,yes,yes,"
    '5120.00,"sapphire, platinum","Engagement ring, 2019",1991-07-22,6.5',
    "Kenji,Watanabe,kenji.w@example.jp,+81 90-1234-5678,,Tokyo,,JP,,no,yes,890.00,pearls,,,",
    "Priya,Raman,priya.raman@example.in,,,Chennai,,IN,,yes,no,0,emerald,,1995-11-30,",
    "{existing_email_row}",
    "{existing_phone_row}",
    "Feb,Thirtieth,feb30@example.com,,,,,US,,no,no,,,,1990-02-30,",
    "Bad,Number,bad.number@example.com,12,,,,US,,no,no,,,,,",
)


def demo_sample_import(*, path: Any) -> None:
    """Write a small point-of-sale export beside the data for a new user to import (once)."""
    from trunkshow.customers.models import CustomerEmail, CustomerPhone
    from trunkshow.stores.models import Store

    if path.exists():
        return
    with scopes_disabled():
        store = Store.objects.filter(slug=DEMO_SLUG).first()
        email = CustomerEmail.objects.filter(store=store).select_related("customer").order_by("id").first()
        phone = (
            CustomerPhone.objects.filter(store=store, e164__startswith="+1")
            .select_related("customer")
            .order_by("id")
            .first()
        )
    rows = []
    for row in SAMPLE_ROWS:
        if row == "{existing_email_row}":
            if email is None:
                continue
            c = email.customer
            row = f"{c.first_name},{c.last_name},{email.address.upper()},,,,,,,yes,,,vintage,,,"
        elif row == "{existing_phone_row}":
            if phone is None:
                continue
            c = phone.customer
            national = phonenumbers.format_number(
                phonenumbers.parse(phone.e164), phonenumbers.PhoneNumberFormat.NATIONAL
            )
            row = f"{c.first_name},{c.last_name},,{national},,,,,,,yes,,,Called about a repair,,"
        rows.append(row)
    path.write_text("\n".join([SAMPLE_HEADER, *rows]) + "\n", encoding="utf-8-sig")
