"""Generate a customer book at scale: N realistic customers in one store, plus 99 small stores beside it.

    uv run python bench/generate.py --customers 1000000 --data-dir /tmp/ts-1m
    uv run python bench/generate.py --customers 100000 --data-dir /tmp/ts-100k \\
        --database-url postgres://postgres@127.0.0.1:5432/trunkshow_bench_100k

Names from many countries (with their diacritics), phones of several regions (valid numbers,
E.164), emails, partners for about a third. Rows go straight into the real tables with raw SQL
(SQLite: ``executemany`` in one transaction; PostgreSQL: ``COPY``), with what the services would
have computed (search_text, sort_name) and every index populated: on SQLite the search triggers
are taken off for the load and the FTS table, word index and name dictionary rebuilt after; on
PostgreSQL the trigram GIN indexes and the word index's triggers are dropped and the index
built again after. By default the database is made fresh
(the SQLite file in the data dir, or the PostgreSQL database the URL names).

From another script (the import and export benchmarks)::

    sys.path.insert(0, "bench"); import generate
    engine = generate.configure(data_dir=..., database_url=...)   # env + django.setup() + migrate
    result = generate.generate(customers=1_000_000)               # -> Generated(big_store_id, ...)

``generate.person(rng, i)`` gives the same kind of person the generator writes, for CSV files.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import random
import sys
import time
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any


def _words(text: str) -> list[str]:
    return text.split()


# (first names, surname roots, surname endings, email domains) by culture.
CULTURES: dict[str, tuple[list[str], list[str], list[str]]] = {
    "hu": (
        _words(
            "Anna Zsófia Ilona Katalin Erzsébet Réka Eszter Dóra Júlia Ágnes Lilla Tímea Gábor László Zoltán Bálint Ádám Márton Péter Dániel Levente Csaba Örs Benedek"
        ),
        _words(
            "Szirm Kovács Horv Nagy Tóth Szab Fark Vár Bal Mol Lakat Kis Fekete Hegyes Somogy Pál Rác Vég Baranyi Gyurk"
        ),
        ["ay", "ai", "", "né", "ffy", "ássy", "ős", "ó"],
    ),
    "de": (
        _words(
            "Jürgen Lukas Matthias Stefan Jörg Uwe Günter Klaus Anja Sabine Jutta Ursula Käthe Lena Heike Birgit Sören Maximilian Greta Till"
        ),
        _words(
            "Müll Schmid Schwarz Hoff Brand Wein Stein Berg Krä Böh Schäf Wagn Zimmer Koch Fisch Bau Hartm Lang Neum Weiß"
        ),
        ["er", "mann", "berger", "hofer", "stein", "", "ke", "rich"],
    ),
    "fr": (
        _words(
            "François Béatrice Chloé Hélène Émilie Anaïs Océane Gaëlle Jérôme Stéphane Sébastien Benoît Étienne Loïc Noël Aurélie Céline Mathéo Inès Zoé"
        ),
        _words(
            "Dub Mor Laf Lef Gir Bonn Rouss Fourn Chev Mercier Gauth Blanch Garn Faur Roux Perr Clém Marc Dum Lemaî"
        ),
        ["ois", "eau", "ont", "ier", "et", "in", "and", "ière"],
    ),
    "es": (
        _words(
            "María José Lucía Carmen Álvaro Sofía Martín Mateo Jesús Ángela Inés Nicolás Andrés Begoña Íñigo Pilar Raúl Adrián Rocío Mónica"
        ),
        _words(
            "Garc Rodr Fernán Gonzál Lóp Martín Sánch Pér Gómez Jimén Ruiz Hernánd Díaz Morén Muñ Álvar Romer Alons Gutiérr Navarr"
        ),
        ["ía", "íguez", "dez", "ez", "o", "", "es", "a"],
    ),
    "pl": (
        _words(
            "Łukasz Małgorzata Paweł Michał Krzysztof Agnieszka Katarzyna Wojciech Żaneta Grzegorz Józef Zofia Bartłomiej Jędrzej Ewa Dorota Tomasz Marek Ścibor Halina"
        ),
        _words(
            "Now Kowal Wiśniew Wójc Kamiń Lewand Zieliń Szymań Woźni Dąbrow Kozł Jankow Mazur Krawcz Piotrow Grabow Pawłow Michal Król Wieczor"
        ),
        ["ak", "ski", "ska", "cik", "czyk", "ek", "owski", "iak"],
    ),
    "nordic": (
        _words(
            "Søren Bjørn Åsa Ingrid Sigrún Jóhanna Guðrún Þórunn Linnéa Håkan Mårten Astrid Freja Kjell Ólafur Dagný Eirik Sindre Liv Siv"
        ),
        _words(
            "Jens Ander Niels Lars Ólafs Sigurð Hans Pers Kristjáns Bergs Lindqv Sjöb Nordstr Åkerl Ström Dahl Holm Lund Eriks Hauk"
        ),
        ["en", "son", "sen", "dóttir", "ström", "berg", "", "qvist"],
    ),
    "it": (
        _words(
            "Giulia Francesca Alessandro Lorenzo Niccolò Chiara Martina Beatrice Matteo Giuseppe Federica Ilaria Tommaso Salvatore Raffaella Gianluca Marta Lucrezia Nicolò Elena"
        ),
        _words(
            "Ross Russ Ferr Esposit Bianch Roman Colomb Ricc Marin Grec Brun Gall Cont De Luc Mancin Cost Giordan Rizz Lombard Moretti"
        ),
        ["i", "o", "ini", "elli", "etti", "one", "", "ucci"],
    ),
    "vi": (
        _words("Nguyễn Thảo Minh Phương Hương Đức Anh Tuấn Quỳnh Hằng Dũng Lâm Ngọc Thủy Khánh Trâm Hiếu Vy Bảo Linh"),
        _words("Nguyễn Trần Lê Phạm Hoàng Huỳnh Phan Vũ Võ Đặng Bùi Đỗ Hồ Ngô Dương Lý Trịnh Đinh Mai Tạ"),
        ["", "", "", "", "", "", "", ""],
    ),
    "ja": (
        _words(
            "Hiroshi Yuki Haruto Sakura Yūto Sōta Aoi Hana Ren Mei Kaito Rin Takumi Yui Shō Ryō Emi Kenji Naoko Daiki"
        ),
        _words(
            "Tanak Nakamur Suzuk Takahash Watanab Itō Yamamot Kobayash Kat Yoshid Yamad Sasak Yamaguch Matsumot Inou Kimur Hayash Shimiz Saitō Mori"
        ),
        ["a", "o", "i", "e", "", "a", "o", "i"],
    ),
    "ie": (
        _words(
            "Siobhán Aoife Niamh Saoirse Caoimhe Róisín Seán Pádraig Eoin Ciarán Oisín Dónal Áine Méabh Cathal Tadhg Clodagh Orla Declan Éamon"
        ),
        _words(
            "O'Brien O'Sullivan Ó Súilleabháin Mac Cárthaigh Murph Kell Walsh Byrn Ry Connoll Dohert Kenned Lync Quin Gallagh Dunn Brenn Fitzgeral McCart"
        ),
        ["", "y", "e", "an", "er", "s", "", "d"],
    ),
    "pt": (
        _words(
            "João Conceição Gonçalo Inês Leonor Sebastião Tomás Mariana Beatriz Vítor Luís Lúcia Simão Estêvão Gabriela Rafaela Thiago Larissa Júlio Fátima"
        ),
        _words(
            "Silv Sant Olivei Souz Rodrig Ferreir Alv Pereir Lim Gom Cost Ribeir Martin Carvalh Almeid Lop Sous Fernand Vieir Barb"
        ),
        ["a", "os", "ra", "es", "o", "", "inho", "ão"],
    ),
    "tr": (
        _words(
            "Ayşe Fatma Emine Hülya Çağla Gökhan Şükrü Ömer Müge Yağmur İbrahim Özge Tuğba Barış Doğan Ümit Sevgi Cem Serkan Eda"
        ),
        _words(
            "Yılmaz Kaya Demir Şahin Çelik Yıldız Yıldırım Öztürk Aydın Özdemir Arslan Doğan Kılıç Aslan Çetin Kara Koç Kurt Özkan Şimşek"
        ),
        ["", "", "oğlu", "er", "", "", "can", ""],
    ),
    "en": (
        _words(
            "Katherine Catherine Olivia Amelia Charlotte Emily Jessica Hannah Elizabeth Margaret Oliver William James Thomas George Harry Christopher Jonathan Michael Edward"
        ),
        _words(
            "Smith John Willi Brow Tayl Dav Wils Evan Thom John Robert Wright Walk Whit Edwar Hugh Green Hall Wood Harr"
        ),
        ["", "son", "s", "ford", "ington", "er", "ley", "e"],
    ),
    "cs": (
        _words(
            "Jiří Petr Tomáš Lucie Tereza Kateřina Zdeněk Miloš Radek Věra Jaroslav Ondřej Šárka Růžena Dušan Přemysl Libuše Bořivoj Hana Eliška"
        ),
        _words(
            "Novák Svobod Dvořák Černý Procház Kučer Veselý Horák Němec Marek Pospíšil Hájek Jelínek Král Růžičk Beneš Fiala Sedláček Doležal Zeman"
        ),
        ["", "a", "ová", "", "ek", "", "ová", "ík"],
    ),
    "in": (
        _words(
            "Aisha Ravi Priya Arjun Ananya Vikram Deepika Rahul Sneha Aditya Kavya Rohan Ishaan Meera Siddharth Pooja Karan Divya Nikhil Lakshmi"
        ),
        _words(
            "Shar Pat Sing Kum Gupt Red Mehr Nai Iyer Rao Desai Jos Chopr Bhat Kapoo Malhotr Agarw Chaudh Menon Pill"
        ),
        ["ma", "el", "h", "ar", "a", "dy", "", "ai"],
    ),
}
DOMAINS = ["gmail.com", "yahoo.com", "outlook.com", "hotmail.com", "icloud.com", "gmx.de", "orange.fr", "libero.it"]
# (country code, national number: fixed head, then {n} digits); all valid for phonenumbers.
PHONES = [
    ("1", "914{7}"),
    ("1", "212{7}"),
    ("1", "415{7}"),
    ("44", "7700{6}"),
    ("44", "207{7}"),
    ("33", "6{8}"),
    ("49", "151{8}"),
    ("36", "20{7}"),
    ("81", "901{7}"),
    ("39", "347{7}"),
]
VI_MIDDLE = ["Thị", "Văn", "Minh", "Ngọc", "Hữu", "Thanh", "Quốc", "Bảo", "Gia", "Xuân"]
INFIXES = ["", "", "an", "el", "or", "in", "er", "ov"]
SOURCES = ["walk_in", "import", "web_form", "referral", "giveaway", "trade_show"]


@dataclass
class Generated:
    big_store_id: int
    small_store_ids: list[int]
    owner_user_id: int
    customers: int
    seconds: float


def _surnames(culture: str) -> list[str]:
    _first, roots, endings = CULTURES[culture]
    # A syllable between root and ending multiplies the surnames (Szirm-an-ay), as real books are varied.
    names = {root + (infix if ending else "") + ending for root in roots for ending in endings for infix in INFIXES}
    return sorted(n for n in names if len(n) >= 2)


_FIRST = {c: CULTURES[c][0] for c in CULTURES}
_LAST = {c: _surnames(c) for c in CULTURES}
_CULTURES = sorted(CULTURES)


def _number(i: int) -> str:
    """A valid E.164 number, distinct for each i (the low digits carry i)."""
    country, pattern = PHONES[i % len(PHONES)]
    n = i // len(PHONES)
    head, _sep, width = pattern.partition("{")
    digits = int(width.rstrip("}"))
    if country == "1":  # NANP: the exchange never starts with 0 or 1
        return f"+1{head}{200 + (n // 10_000) % 800}{n % 10_000:04d}"
    return f"+{country}{head}{n % 10**digits:0{digits}d}"


def person(rng: random.Random, i: int) -> dict[str, Any]:
    """A customer as a person would type them in: names, one phone, one email, maybe a partner."""
    culture = _CULTURES[rng.randrange(len(_CULTURES))]
    # A cosmopolitan book: the first name from any culture half of the time.
    first = rng.choice(_FIRST[culture] if rng.random() < 0.5 else _FIRST[_CULTURES[rng.randrange(len(_CULTURES))]])
    if culture == "vi":  # the middle name is part of the given name: Nguyễn Thị Lan
        first = f"{rng.choice(VI_MIDDLE)} {first}"
    last = rng.choice(_LAST[culture])
    if rng.random() < 0.06:  # double surnames
        last = f"{last}-{rng.choice(_LAST[culture])}" if culture != "es" else f"{last} {rng.choice(_LAST[culture])}"
    from trunkshow.core.validation import fold

    local = f"{fold(first)}.{fold(last)}".replace(" ", "").replace("'", "")
    local = "".join(ch for ch in local if ch.isascii() and (ch.isalnum() or ch in ".-")) or "customer"
    partner = ""
    if rng.random() < 0.33:
        p_culture = culture if rng.random() < 0.7 else _CULTURES[rng.randrange(len(_CULTURES))]
        partner = f"{rng.choice(_FIRST[p_culture])} {last if rng.random() < 0.5 else rng.choice(_LAST[p_culture])}"
    return {
        "first_name": first,
        "last_name": last,
        "phone": _number(i),
        "email": f"{local}{i}@{DOMAINS[i % len(DOMAINS)]}",
        "partner_name": partner,
    }


# ---------------------------------------------------------------- setup


def configure(*, data_dir: str, database_url: str | None = None, fresh: bool = True) -> str:
    """Environment for Django, the database made (fresh if asked) and migrated; returns the engine."""
    os.environ["TRUNKSHOW_DATA_DIR"] = str(Path(data_dir).resolve())
    Path(data_dir).mkdir(parents=True, exist_ok=True)
    os.environ.setdefault("TRUNKSHOW_ENV", "development")
    os.environ.setdefault("DEBUG", "false")
    os.environ.setdefault("LOG_LEVEL", "WARNING")
    os.environ["DJANGO_SETTINGS_MODULE"] = "trunkshow.settings"
    engine = "SQLite"
    if database_url and database_url.startswith("postgres"):
        import psycopg

        base, _sep, name = database_url.rpartition("/")
        if fresh:
            with psycopg.connect(f"{base}/postgres", autocommit=True) as conn:
                conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
                conn.execute(f'CREATE DATABASE "{name}"')
        os.environ["DATABASE_URL"] = database_url
        engine = "PostgreSQL"
    else:
        os.environ.pop("DATABASE_URL", None)
        if fresh:
            for suffix in ("", "-wal", "-shm"):
                Path(data_dir, f"trunkshow.sqlite3{suffix}").unlink(missing_ok=True)
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    return engine


# ---------------------------------------------------------------- load


def _customer_columns() -> list[str]:
    from trunkshow.customers.models import Customer

    return [f.column for f in Customer._meta.concrete_fields if f.column != "id"]


def _rows(store_id: int, start_id: int, count: int, seed: int, now: dt.datetime) -> Any:
    """(customer row, phone row, email row) per person; columns as in _customer_columns."""
    from trunkshow.core.validation import fold

    rng = random.Random(seed)
    columns = _customer_columns()
    template = {
        "store_id": store_id,
        "first_name": "",
        "last_name": "",
        "preferred_name": "",
        "title": "",
        "address_line1": "",
        "address_line2": "",
        "city": "",
        "region": "",
        "postal_code": "",
        "country": "",
        "birthday_day": None,
        "birthday_month": None,
        "birthday_year": None,
        "partner_id": None,
        "partner_name": "",
        "partner_birthday_day": None,
        "partner_birthday_month": None,
        "partner_birthday_year": None,
        "preferred_channel": "",
        "language": "",
        "time_zone": "",
        "assigned_associate_id": None,
        "source": "walk_in",
        "lifetime_spend": Decimal("0.00"),
        "purchase_count": 0,
        "last_purchase_on": None,
        "search_text": "",
        "sort_name": "",
        "imported_spend": Decimal("0.00"),
        "last_contact_at": None,
        "erased_at": None,
        "created_by_id": None,
        "created_at": now,
        "updated_at": now,
    }
    missing = set(columns) - set(template)
    if missing:
        raise SystemExit(f"generate.py does not know the customer columns {sorted(missing)}: add them to _rows")
    for k in range(count):
        pk = start_id + k
        p = person(rng, pk)
        row = dict(template)
        row["first_name"], row["last_name"], row["partner_name"] = p["first_name"], p["last_name"], p["partner_name"]
        if rng.random() < 0.6:
            row["birthday_day"], row["birthday_month"] = rng.randint(1, 28), rng.randint(1, 12)
        row["source"] = SOURCES[rng.randrange(len(SOURCES))]
        spend = Decimal(rng.randrange(0, 2_000_000)) / 100 if rng.random() < 0.7 else Decimal("0.00")
        row["lifetime_spend"] = row["imported_spend"] = spend
        if rng.random() < 0.5:
            row["last_contact_at"] = now - dt.timedelta(days=rng.randrange(1, 1500))
        row["created_at"] = row["updated_at"] = now - dt.timedelta(days=rng.randrange(0, 3000))
        # What services._refresh_search computes.
        words = [p["first_name"], p["last_name"], "", p["partner_name"], p["email"]]
        row["search_text"] = " ".join([fold(" ".join(w for w in words if w)), p["phone"][1:]]).strip()
        row["sort_name"] = fold(f"{p['last_name']} {p['first_name']}".strip())[:220]
        yield (
            (pk, *(row[c] for c in columns)),
            (store_id, pk, p["phone"], "mobile", True, now),
            (store_id, pk, p["email"], "personal", True, now),
        )


PHONE_COLUMNS = "store_id, customer_id, e164, label, is_primary, created_at"
EMAIL_COLUMNS = "store_id, customer_id, address, label, is_primary, created_at"


def _load(store_id: int, count: int, seed: int, start_id: int) -> None:
    from django.db import connection, transaction
    from django.utils import timezone

    now = timezone.now()
    cols = "id, " + ", ".join(_customer_columns())
    rows = _rows(store_id, start_id, count, seed, now)
    batch = 20_000
    if connection.vendor == "postgresql":
        raw = connection.connection
        with transaction.atomic(), raw.cursor() as cur:
            with (
                cur.copy(f"COPY customers_customer ({cols}) FROM STDIN") as c_copy,
            ):
                phones: list[tuple[Any, ...]] = []
                emails: list[tuple[Any, ...]] = []
                for customer, phone, email in rows:
                    c_copy.write_row(customer)
                    phones.append(phone)
                    emails.append(email)
            with cur.copy(f"COPY customers_customerphone ({PHONE_COLUMNS}) FROM STDIN") as p_copy:
                for phone in phones:
                    p_copy.write_row(phone)
            with cur.copy(f"COPY customers_customeremail ({EMAIL_COLUMNS}) FROM STDIN") as e_copy:
                for email in emails:
                    e_copy.write_row(email)
        return
    marks = ", ".join(["%s"] * (len(_customer_columns()) + 1))
    with transaction.atomic(), connection.cursor() as cur:
        chunk: list[Any] = []
        for item in rows:
            chunk.append(item)
            if len(chunk) >= batch:
                _sqlite_chunk(cur, cols, marks, chunk)
                chunk = []
        if chunk:
            _sqlite_chunk(cur, cols, marks, chunk)


def _sqlite_chunk(cur: Any, cols: str, marks: str, chunk: list[Any]) -> None:
    cur.executemany(f"INSERT INTO customers_customer ({cols}) VALUES ({marks})", [c for c, _p, _e in chunk])
    cur.executemany(
        f"INSERT INTO customers_customerphone ({PHONE_COLUMNS}) VALUES (%s, %s, %s, %s, %s, %s)",
        [p for _c, p, _e in chunk],
    )
    cur.executemany(
        f"INSERT INTO customers_customeremail ({EMAIL_COLUMNS}) VALUES (%s, %s, %s, %s, %s, %s)",
        [e for _c, _p, e in chunk],
    )


def _next_id() -> int:
    from django.db import connection

    with connection.cursor() as cur:
        cur.execute("SELECT coalesce(max(id), 0) + 1 FROM customers_customer")
        return int(cur.fetchone()[0])


def reindex() -> None:
    """Build the search indexes from the rows (after a load with them off), then ANALYZE."""
    import importlib

    from django.db import connection
    from django.db import transaction as tx

    search_sql = importlib.import_module("trunkshow.customers.migrations.0007_search_indexes")
    words_sql = importlib.import_module("trunkshow.customers.migrations.0009_search_words")
    with tx.atomic(), connection.cursor() as cur:
        if connection.vendor == "postgresql":
            for sql in [
                *search_sql.POSTGRES_DROP_INDEXES,
                *search_sql.POSTGRES_INDEXES,
                *words_sql.POSTGRES_DROP_TRIGGERS,
                *words_sql.POSTGRES_FUNCTIONS,
                *words_sql.POSTGRES_REBUILD,
                *words_sql.POSTGRES_TRIGGERS,
            ]:
                cur.execute(sql)
            cur.execute(
                "SELECT setval(pg_get_serial_sequence('customers_customer', 'id'), "
                "(SELECT max(id) FROM customers_customer))"
            )
        else:
            # 0009's lists hold 0007's triggers and rebuild too (with the words 0009 indexes).
            for sql in [*words_sql.SQLITE_DROP_TRIGGERS, *words_sql.SQLITE_REBUILD, *words_sql.SQLITE_TRIGGERS]:
                cur.execute(sql)
    with connection.cursor() as cur:
        cur.execute("ANALYZE")
        if connection.vendor == "postgresql":  # index-only scans of the word index want a visibility map
            cur.execute("VACUUM customers_searchword")


def generate(
    *, customers: int, small_stores: int = 99, small_size: int = 200, seed: int = 1, log: Any = print
) -> Generated:
    """Load the book: stores made through the services, customers with raw SQL, indexes rebuilt."""
    import importlib

    from django.db import connection

    from trunkshow.stores.services import staff_create, store_create

    search_sql = importlib.import_module("trunkshow.customers.migrations.0007_search_indexes")
    words_sql = importlib.import_module("trunkshow.customers.migrations.0009_search_words")
    started = time.perf_counter()
    big = store_create(slug="big", name="Big Book Jewelers", phone_region="US", time_zone="America/New_York")
    owner = staff_create(store=big, email="owner@example.com", role="owner", password="a long bench password")
    smalls = [
        store_create(slug=f"small-{k:02d}", name=f"Small Shop {k:02d}", phone_region="FR", time_zone="Europe/Paris")
        for k in range(1, small_stores + 1)
    ]
    with connection.cursor() as cur:  # search indexes off for the load, rebuilt after
        statements = (
            [*search_sql.POSTGRES_DROP_INDEXES, *words_sql.POSTGRES_DROP_TRIGGERS]
            if connection.vendor == "postgresql"
            else words_sql.SQLITE_DROP_TRIGGERS
        )
        for sql in statements:
            cur.execute(sql)
    try:
        next_id = _next_id()
        t0 = time.perf_counter()
        _load(big.pk, customers, seed, next_id)
        log(f"  {customers:,} customers of the big store in {time.perf_counter() - t0:.1f} s")
        next_id += customers
        t0 = time.perf_counter()
        for k, store in enumerate(smalls):
            _load(store.pk, small_size, seed + 1 + k, next_id)
            next_id += small_size
        log(f"  {small_stores} small stores x {small_size:,} customers in {time.perf_counter() - t0:.1f} s")
    finally:
        t0 = time.perf_counter()
        reindex()
        log(f"  search indexes built in {time.perf_counter() - t0:.1f} s")
    return Generated(
        big_store_id=big.pk,
        small_store_ids=[s.pk for s in smalls],
        owner_user_id=owner.user_id,
        customers=customers,
        seconds=time.perf_counter() - started,
    )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--customers", type=int, default=1_000_000, help="customers of the big store")
    parser.add_argument("--small-stores", type=int, default=99)
    parser.add_argument("--small-size", type=int, default=200, help="customers of each small store")
    parser.add_argument("--data-dir", default="var/bench", help="TRUNKSHOW_DATA_DIR (holds the SQLite file)")
    parser.add_argument("--database-url", default=os.environ.get("DATABASE_URL"), help="a PostgreSQL URL")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--keep", action="store_true", help="add to the database instead of making it fresh")
    parser.add_argument("--reindex-only", action="store_true", help="only build the search indexes again")
    args = parser.parse_args()
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "src"))
    engine = configure(
        data_dir=args.data_dir, database_url=args.database_url, fresh=not (args.keep or args.reindex_only)
    )
    if args.reindex_only:
        started = time.perf_counter()
        reindex()
        print(f"Search indexes built again in {time.perf_counter() - started:.1f} s")
        return 0
    print(f"Generating {args.customers:,} customers + {args.small_stores} small stores on {engine} ...", flush=True)
    result = generate(
        customers=args.customers, small_stores=args.small_stores, small_size=args.small_size, seed=args.seed
    )
    rate = (args.customers + args.small_stores * args.small_size) / result.seconds
    print(f"Done in {result.seconds:.1f} s ({rate:,.0f} customers/s overall); big store id {result.big_store_id}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
