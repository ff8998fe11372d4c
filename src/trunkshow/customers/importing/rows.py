"""One batch of an import's records: each checked whole, then created, merged or reported.

Every record is checked with the customer services' own validators before anything is
written, so a bad record never half-saves. New customers of a batch are written with one
statement per table; a record matching an existing customer (same email, or same phone under a
name that does not plainly differ) is merged through the services, filling blanks and adding
what is new, never silently overwriting, and never giving them a phone another customer holds
(their linked partner's aside).
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from types import SimpleNamespace
from typing import Any, cast

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F, Lookup
from django.db.models.lookups import In
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from trunkshow.core.templatetags.trunkshow import phone_for_region, store_day
from trunkshow.customers import services
from trunkshow.customers import validation as v
from trunkshow.customers.exporting import partner_display
from trunkshow.customers.importing import inserts
from trunkshow.customers.importing import mapping as m
from trunkshow.customers.importing.reading import Record, fit_cells
from trunkshow.customers.interests import interest_key, interest_vocabulary, interest_words, stored_key
from trunkshow.customers.models import (
    Channel,
    ConsentAction,
    ConsentEvent,
    ConsentMethod,
    ConsentPurpose,
    CurrentConsent,
    Customer,
    CustomerEmail,
    CustomerMerge,
    CustomerPhone,
    DateKind,
    ImportantDate,
    ImportJob,
    ImportOutcome,
    ImportRow,
    Interest,
    InterestKind,
    Note,
    Size,
    Source,
    Suppression,
    SuppressionKind,
    display_name_from,
)
from trunkshow.customers.suppression import suppression_digest
from trunkshow.stores.models import Store

CONSENT_CHANNELS = {
    "accepts_email_marketing": Channel.EMAIL,
    "accepts_sms_marketing": Channel.SMS,
    "accepts_whatsapp_marketing": Channel.WHATSAPP,
}
# Fields whose values a file may write after an apostrophe that keeps their digits as text ('02118).
_DIGITS_KEPT_AS_TEXT = frozenset({"postal_code", "total_spent"})
NO_NAME = gettext_lazy("No name on this row: a customer needs a first or last name.")


def _erased(values: list[str]) -> str:
    """Which of the line's phones and emails belonged to an erased customer, by kind, never the
    value: the result is stored and shown, and the erasure promised that nothing of theirs is kept
    but irreversible fingerprints."""
    emails = sum("@" in value for value in values)
    phones = len(values) - emails
    kinds = []
    if phones:
        kinds.append(ngettext("the phone", "%(n)d of the phones", phones) % {"n": phones})
    if emails:
        kinds.append(ngettext("the email", "%(n)d of the emails", emails) % {"n": emails})
    what = _listed(kinds)
    return ngettext(
        "%(what)s on this row belonged to a customer erased at their request and is never imported again; "
        "remove it from the row to import the rest.",
        "%(what)s on this row belonged to a customer erased at their request and are never imported again; "
        "remove them from the row to import the rest.",
        len(values),
    ) % {"what": what[:1].upper() + what[1:]}


def _listed(items: list[str]) -> str:
    """ "a", "a and b", "a, b and c"."""
    if len(items) == 1:
        return items[0]
    return _("%(items)s and %(last)s") % {"items": ", ".join(items[:-1]), "last": items[-1]}


@dataclass
class Context:
    """What every record of one job is read with."""

    store: Store
    job: ImportJob
    actor: Any
    fields: list[tuple[int, str, str]]  # (cell index, column, field) for mapped columns
    order: str  # the store's date order, "dmy" or "mdy"
    width: int
    # The unit a bare bracelet or necklace length both units allow is read in: the store's ("in" in the US).
    length_unit: str = "cm"
    country: str = ""  # the store's (or its phone region's): the ring numbering a header's language implies
    # The interests the store uses, by their words (interests.interest_vocabulary), read once per
    # run: a tag naming one becomes it ("pearls" → the store's stone "Pearl").
    vocabulary: dict[str, tuple[str, str]] = field(default_factory=dict)
    # Whether this import has created a customer yet (a resumed run: by its counters): until it has,
    # no line can be merging into one it created, and that costs no query.
    created_any: bool = False
    # When this file (by its SHA-256) was first uploaded to the store, by an earlier job (None: this
    # job is its first upload), read once, when a consent an import recorded would change: consent
    # an import recorded since then is newer than anything the file says (ADR 0005, decision 7).
    first_upload: dt.datetime | None = None
    first_upload_read: bool = False

    @property
    def today(self) -> dt.date:
        """The store's date: an anniversary after it is in the future."""
        return services.store_today(self.store)

    @classmethod
    def for_job(cls, store: Store, job: ImportJob) -> Context:
        fields = [(i, column, job.mapping.get(column, m.IGNORE)) for i, column in enumerate(job.columns)]
        tagged = any(name == "tags" for _i, _column, name in fields)
        return cls(
            store=store,
            job=job,
            actor=job.created_by,
            fields=[f for f in fields if f[2]],
            order=m.date_order(store.locale),
            width=len(job.columns),
            length_unit=m.store_length_unit(store.country or store.phone_region),
            country=store.country or store.phone_region,
            vocabulary=interest_vocabulary(store=store) if tagged else {},
            created_any=job.created_count > 0,
        )

    def first_uploaded(self) -> dt.datetime | None:
        """When an earlier job of the store uploaded the same bytes: the file is at least that old."""
        if not self.first_upload_read:
            job = self.job
            earlier = ImportJob.objects.filter(
                store=self.store, file_sha256=job.file_sha256, created_at__lt=job.created_at
            )
            self.first_upload = (
                earlier.exclude(pk=job.pk).order_by("created_at").values_list("created_at", flat=True).first()
            )
            self.first_upload_read = True
        return self.first_upload


@dataclass
class Plan:
    """One record, checked: what it would write, or why it cannot be imported."""

    row: int  # the number its result is reported by (``Record.row``)
    profile: dict[str, Any] = field(default_factory=dict)
    phones: list[str] = field(default_factory=list)
    emails: list[str] = field(default_factory=list)
    tags: list[tuple[str, str]] = field(default_factory=list)  # interests: (kind, value)
    notes: list[str] = field(default_factory=list)
    anniversaries: list[tuple[int, int, int | None]] = field(default_factory=list)  # day, month, year
    sizes: list[m.ReadSize] = field(default_factory=list)  # ring, bracelet, necklace: as validate_size writes them
    spend: Decimal | None = None
    # Our export's "Customer ID": in this store, the customer the row is (ADR 0005, own-export-ids).
    customer_id: int | None = None
    # channel, granted, evidence, whether the cell says the customer withdrew it ("unsubscribed")
    consents: list[tuple[str, bool, str, bool]] = field(default_factory=list)
    error: str = ""
    # No name, but a phone or email: it may only update the customer holding them (our export
    # writes the customers the inbox made from an unknown number without a name); never created.
    nameless: bool = False
    # Worked out with the checks (in the checking thread), so writing the batch does only the writing.
    keys: tuple[tuple[str, str], ...] = ()  # what identifies the person: phones and emails, else the name
    digests: dict[str, str] = field(default_factory=dict)  # suppression digest → its phone (E.164) or email
    search_text: str = ""
    sort_name: str = ""

    def match_keys(self) -> tuple[tuple[str, str], ...]:
        return self.keys


def row_name(job: ImportJob, number: int) -> str:
    """ "row 57": how a result's number is said (an import numbered by lines says "line 57")."""
    return (_("line %(n)d") if job.line_numbers else _("row %(n)d")) % {"n": number}


def _sort_name(profile: dict[str, Any]) -> str:
    return v.fold(f"{profile.get('last_name', '')} {profile.get('first_name', '')}".strip())[:220]


def _add_tag(plan: Plan, kind: str, text: str) -> None:
    """One interest per value's words: ``opal`` twice is one, ``pearls`` and ``Pearl`` too, and
    beside ``stone: Opal`` it is that stone (a kind the file names wins over a free tag)."""
    key = interest_key(text)
    for i, (old_kind, old_text) in enumerate(plan.tags):
        if interest_key(old_text) == key:
            if old_kind == InterestKind.FREE and kind != InterestKind.FREE:
                plan.tags[i] = (kind, text)
            return
    plan.tags.append((kind, text))


def _known_tags(ctx: Context, plan: Plan) -> None:
    """A free tag naming an interest the store uses, singular or plural aside, becomes that one, in
    the store's kind and spelling (``pearls`` → stone "Pearl"); an unknown one stays free. After
    ``_add_tag`` has seen the whole line, so a kind the line names still wins."""
    for i, (kind, text) in enumerate(plan.tags):
        if kind == InterestKind.FREE:
            plan.tags[i] = ctx.vocabulary.get(interest_key(text), (kind, text))


def plan_record(ctx: Context, record: Record) -> Plan:
    """Read and check one record with the services' validators; nothing is written."""
    plan = Plan(row=record.row)
    if record.problem:
        plan.error = record.problem
        return plan
    cells = record.cells
    if len(cells) > ctx.width and any(c.strip() for c in cells[ctx.width :]):
        plan.error = _("This row has %(n)d cells but the header has %(w)d columns; check the delimiters.") % {
            "n": len(cells),
            "w": ctx.width,
        }
        return plan
    cells = fit_cells(cells, ctx.width)
    problems: list[tuple[int, str]] = []  # (column position, message): reported in the file's order
    position_of = {column: i for i, column, _name in ctx.fields}
    column_of: dict[str, str] = {}
    profile: dict[str, Any] = {}
    phones: list[tuple[str, str]] = []
    emails: list[tuple[str, str]] = []

    def fail(column: str, message: str) -> None:
        problems.append((position_of.get(column, -1), f"{column}: {message}"))

    for index, column, name in ctx.fields:
        raw = m.unguard(cells[index])
        text = raw.strip()
        if not text:
            continue
        if text[0] == "'" and text[1:2].isdigit() and (name in _DIGITS_KEPT_AS_TEXT or name in m.DATES):
            # Shopify writes a zip code (and spreadsheets a number kept as text) after an apostrophe,
            # so that "02118" keeps its 0: the apostrophe is no part of the value.
            text = text[1:]
        try:
            if name == "phone":
                phones += [(column, part) for part in m.split_values(text)]
            elif name == "email":
                emails += [(column, part) for part in m.split_values(text)]
            elif name == "full_name":
                first, last = m.split_full_name(text)
                profile.setdefault("first_name", first)
                profile.setdefault("last_name", last)
                column_of.setdefault("first_name", column)
                column_of.setdefault("last_name", column)
            elif name in m.DATES:
                date, order = m.DATES[name]
                if date == "anniversary":  # several, as our export writes them (``a; b``)
                    for part in m.split_values(text):
                        _add_anniversary(
                            plan, m.parse_date(part, order or ctx.order, chosen=bool(order), date=date), ctx.today
                        )
                elif parsed := m.parse_date(text, order or ctx.order, chosen=bool(order), date=date):
                    profile[f"{date}_day"], profile[f"{date}_month"], profile[f"{date}_year"] = parsed
                    column_of[date] = column  # the services' checks report the date under its name
            elif name in CONSENT_CHANNELS:
                granted = m.parse_yes_no(text)
                if granted is not None:
                    evidence = _(
                        "Imported from %(file)s (SHA-256 %(sha)s), %(row)s, column “%(column)s”: “%(value)s”"
                    ) % {
                        "file": ctx.job.file_name,
                        "sha": ctx.job.file_sha256,
                        "row": row_name(ctx.job, record.row),
                        "column": column,
                        "value": text[:100],
                    }
                    plan.consents.append((CONSENT_CHANNELS[name], granted, evidence, m.is_revocation(text)))
            elif name == "customer_id":
                plan.customer_id = m.parse_customer_id(text)
            elif name == "total_spent":
                plan.spend = m.parse_money(text, ctx.store.currency)
            elif name == "tags":
                for kind, tag in m.split_interests(text):
                    _add_tag(plan, *services._clean_interest(kind, tag, field=column))
            elif name in m.SIZES:
                for size in m.parse_sizes(name, text, column, ctx.length_unit, ctx.country):
                    if size[:3] not in [old[:3] for old in plan.sizes]:
                        plan.sizes.append(size)
            elif name == "note":
                plan.notes.append(v.clean_text(raw, field=column, max_length=services.MAX_NOTE, multiline=True))
            else:
                profile[name] = m.country_code(text) if name == "country" else text
                column_of[name] = column
        except ValidationError as exc:
            for message in exc.messages:
                fail(column, message)
    errors = services._Errors()
    clean = services._clean_profile(ctx.store, None, profile, errors)
    nameless = not (clean.get("first_name") or clean.get("last_name")) and "first_name" not in errors.messages
    if nameless and not (phones or emails):
        errors.add("", str(NO_NAME))
    clean_phones, clean_emails = services._clean_contacts(
        ctx.store, [raw for _c, raw in phones], [raw for _c, raw in emails], errors, country=clean.get("country") or ""
    )
    for key, messages in errors.messages.items():
        base, _dot, position = key.partition(".")
        if base in ("phone", "phones"):
            column = phones[int(position) if position else 0][0]
        elif base in ("email", "emails"):
            column = emails[int(position) if position else 0][0]
        else:
            column = column_of.get(key, "")
        for message in messages:
            fail(column, message) if column else problems.append((-1, message))
    if problems:
        plan.error = " ".join(message for _position, message in sorted(problems, key=lambda p: p[0]))
        return plan
    _known_tags(ctx, plan)
    plan.nameless = nameless
    plan.profile = {k: val for k, val in clean.items() if val not in ("", None)}
    plan.phones = [p for p, _label in clean_phones]
    plan.emails = [e for e, _label in clean_emails]
    plan.keys = tuple([("phone", p) for p in plan.phones] + [("email", e) for e in plan.emails]) or (
        ("name", _sort_name(plan.profile)),
    )
    plan.digests = {
        suppression_digest(store=ctx.store, kind=kind, value=value): value
        for kind, values in ((SuppressionKind.PHONE, plan.phones), (SuppressionKind.EMAIL, plan.emails))
        for value in values
    }
    # What search reads of a new customer, computed by the services' own function on the line's values.
    words = SimpleNamespace(
        first_name=plan.profile.get("first_name", ""),
        last_name=plan.profile.get("last_name", ""),
        preferred_name=plan.profile.get("preferred_name", ""),
        partner_name=plan.profile.get("partner_name", ""),
        partner_id=None,
    )
    services._refresh_search(cast(Customer, words), phones=plan.phones, emails=plan.emails)
    plan.search_text, plan.sort_name = words.search_text, words.sort_name
    return plan


def _add_anniversary(plan: Plan, parsed: tuple[int, int, int | None] | None, today: dt.date) -> None:
    """Check a parsed anniversary as the services check a typed one (ValidationError names nothing:
    the caller names the column); the same day and month twice on a line is one anniversary."""
    if parsed is None:
        return
    try:
        checked = v.validate_month_day(*parsed, field="date", today=today)
    except ValidationError as exc:
        raise ValidationError(exc.messages) from None
    if checked and checked[:2] not in [a[:2] for a in plan.anniversaries]:
        plan.anniversaries.append(checked)


# ---- writing ----------------------------------------------------------------------------


@dataclass
class Owners:
    """Who already holds each phone, email or (for records without either) name."""

    by_key: dict[tuple[str, str], set[int]] = field(default_factory=dict)
    # For a line without a phone or email: a customer of its very name whom it is not matched to (they
    # have a phone or an email, or were not imported) → (their id, their name), said beside "created".
    namesakes: dict[str, tuple[int, str]] = field(default_factory=dict)

    def of(self, plan: Plan) -> tuple[set[int], set[int]]:
        """(who holds the line's emails, or its name when it has no phone or email; who holds its phones)."""
        named: set[int] = set()
        phoned: set[int] = set()
        for key in plan.match_keys():
            (phoned if key[0] == "phone" else named).update(self.by_key.get(key, ()))
        return named, phoned

    def add(self, plan: Plan, customer_id: int) -> None:
        for key in plan.match_keys():
            self.by_key.setdefault(key, set()).add(customer_id)


class _AnyOf(Lookup):
    """``field IN (values)`` as PostgreSQL reads fastest for a batch's thousands of values: one array
    parameter (``= ANY(%s)``) rather than a placeholder each, which both Django and the server would
    otherwise parse one by one. Other engines get Django's own IN."""

    lookup_name = "any_of"
    prepare_rhs = False

    def as_sql(self, compiler: Any, connection: Any) -> Any:
        if connection.vendor != "postgresql":
            return compiler.compile(In(self.lhs, list(self.rhs)))
        lhs, params = self.process_lhs(compiler, connection)
        return f"{lhs} = ANY(%s)", [*params, list(self.rhs)]


def _owners(store: Store, plans: Sequence[Plan]) -> Owners:
    owners = Owners()
    phones = {p for plan in plans for p in plan.phones}
    emails = {e for plan in plans for e in plan.emails}
    names = {key[1] for plan in plans for key in plan.match_keys() if key[0] == "name"}
    if phones:
        for e164, customer_id in CustomerPhone.objects.filter(
            _AnyOf(F("e164"), phones), store=store, customer__erased_at__isnull=True
        ).values_list("e164", "customer_id"):
            owners.by_key.setdefault(("phone", e164), set()).add(customer_id)
    if emails:
        for address, customer_id in CustomerEmail.objects.filter(
            _AnyOf(F("address"), emails), store=store, customer__erased_at__isnull=True
        ).values_list("address", "customer_id"):
            owners.by_key.setdefault(("email", address), set()).add(customer_id)
    if names:
        # Without a phone or email, the same name imported before without either is the same person.
        for sort_name, customer_id in Customer.objects.filter(
            store=store,
            sort_name__in=names,
            source=Source.IMPORT,
            erased_at__isnull=True,
            phones__isnull=True,
            emails__isnull=True,
        ).values_list("sort_name", "id"):
            owners.by_key.setdefault(("name", sort_name), set()).add(customer_id)
        matched = {i for sort_name in names for i in owners.by_key.get(("name", sort_name), ())}
        for sort_name, customer_id, first, preferred, last in (
            Customer.objects.filter(store=store, sort_name__in=names, erased_at__isnull=True)
            .exclude(pk__in=matched)
            .order_by("id")
            .values_list("sort_name", "id", "first_name", "preferred_name", "last_name")
        ):
            owners.namesakes.setdefault(sort_name, (customer_id, display_name_from(first, preferred, last)))
    return owners


def _suppressed(store: Store, plans: Sequence[Plan]) -> set[str]:
    digests = {digest for plan in plans for digest in plan.digests}
    if not digests:
        return set()
    return set(Suppression.objects.filter(_AnyOf(F("digest"), digests), store=store).values_list("digest", flat=True))


@dataclass(frozen=True, slots=True)
class Listed:
    """What a "Customer ID" of our export is in this store: the customer it is today (itself, or the one
    it was merged into), or when that customer was erased."""

    customer_id: int
    erased_at: dt.datetime | None
    merged_name: str = ""  # the name of the record the id was, when it was merged away


def _customers_by_id(store: Store, plans: Sequence[Plan]) -> dict[int, Listed]:
    """This store's customers the batch's ids name, in one query (a second for ids merged away). An id
    of another store, or of nobody, is not in it: the scoped queries cannot see one, so the two read
    alike and nothing of another store is touched or said."""
    ids = {plan.customer_id for plan in plans if plan.customer_id is not None}
    if not ids:
        return {}
    listed = {
        pk: Listed(pk, erased_at)
        for pk, erased_at in Customer.objects.filter(_AnyOf(F("id"), ids), store=store).values_list("id", "erased_at")
    }
    if gone := ids - set(listed):
        # A merge moves its CustomerMerge rows to the survivor, so each names today's customer.
        for merged_id, survivor, erased_at, merged_name in (
            CustomerMerge.objects.filter(_AnyOf(F("merged_customer_id"), gone), store=store)
            .order_by("at", "id")
            .values_list("merged_customer_id", "customer_id", "customer__erased_at", "merged_name")
        ):
            listed[merged_id] = Listed(survivor, erased_at, merged_name)
    return listed


def _erased_listed(store: Store, plan: Plan, erased_at: dt.datetime) -> str:
    return _(
        "Customer no. %(number)s was erased on %(date)s at their request; this row is not imported again. "
        "Remove it from the file."
    ) % {"number": plan.customer_id, "date": store_day(store, erased_at)}


@dataclass(frozen=True, slots=True)
class Result:
    """What happened to one record, as its ImportRow will say."""

    row: int
    outcome: str
    message: str = ""
    customer_id: int | None = None


def write_batch(ctx: Context, plans: Sequence[Plan]) -> list[Result]:
    """Write the batch's plans (inside the caller's transaction); one ImportRow per plan, in order."""
    store = ctx.store
    valid = [p for p in plans if not p.error]
    suppressed = _suppressed(store, valid)
    owners = _owners(store, valid)
    listed = _customers_by_id(store, valid)
    # A file without an anniversary (or size) column costs no query for them.
    dated = any(m.field_group(name) == "anniversary" for _i, _column, name in ctx.fields)
    sized = frozenset(m.SIZES[name] for _i, _column, name in ctx.fields if name in m.SIZES)
    found_ids = {i for ids in owners.by_key.values() for i in ids}
    found_ids |= {x.customer_id for x in listed.values() if x.erased_at is None}
    snapshots = _snapshots(store, found_ids, anniversaries=dated, sizes=sized)
    # Customer → the line of this file that created them (in an earlier batch, or in this one below):
    # a later line of the same person merges into them, and says so rather than "an existing customer".
    created_from = _created_lines(ctx.job, found_ids) if ctx.created_any else {}
    results: dict[int, Result] = {}
    pending: list[Plan] = []
    pending_keys: set[tuple[str, str]] = set()

    def row(plan: Plan, outcome: str, message: str = "", customer_id: int | None = None) -> None:
        results[plan.row] = Result(plan.row, outcome, message, customer_id)

    def snapshot(customer_id: int) -> Snapshot:
        if customer_id not in snapshots:  # created earlier in this batch, or changed by a merge
            snapshots.update(_snapshots(store, {customer_id}, anniversaries=dated, sizes=sized))
        return snapshots[customer_id]

    def flush() -> None:
        for plan, customer_id in zip(pending, _create(ctx, pending), strict=True):
            row(
                plan,
                ImportOutcome.CREATED,
                " ".join(filter(None, (_read_sizes(plan), _namesake(plan, owners), _unlisted(plan)))),
                customer_id,
            )
            owners.add(plan, customer_id)
            created_from[customer_id] = plan.row
            ctx.created_any = True
        pending.clear()
        pending_keys.clear()

    for plan in plans:
        if plan.error:
            row(plan, ImportOutcome.ERROR, plan.error)
            continue
        by_id = listed.get(plan.customer_id) if plan.customer_id is not None else None
        if by_id is not None and by_id.erased_at is not None:
            row(plan, ImportOutcome.ERROR, _erased_listed(store, plan, by_id.erased_at))
            continue
        if erased := [value for digest, value in plan.digests.items() if digest in suppressed]:
            row(
                plan,
                ImportOutcome.ERROR,
                _erased(erased),
            )
            continue
        if by_id is not None and _not_named(plan, by_id, snapshot(by_id.customer_id).customer):
            # Another instance's or a trial store's export: its small ids are this store's other people.
            row(plan, ImportOutcome.ERROR, _other_named(store, plan, snapshot(by_id.customer_id)))
            continue
        if not pending_keys.isdisjoint(plan.match_keys()):
            flush()  # the same person twice in one batch: the second merges into the first
        found, phoned = owners.of(plan)
        if by_id is not None:
            # This store's own id names the person: a name-only row is them whoever shares the name;
            # an email or phone of someone else is a conflict, said as for any row.
            found = (found if plan.emails or plan.phones else set()) | {by_id.customer_id}
        # A phone is shared in a household: its holder is this line's person only when the names
        # agree, or when an email of the line is theirs too.
        others = [i for i in sorted(phoned - found) if _names_differ(plan.profile, snapshot(i).customer)]
        found |= phoned.difference(others)
        # The line's one person: a phone of the line that someone else holds and they do not is not
        # given to them, unless that holder is their partner (the household's phone).
        person = next(iter(found)) if len(found) == 1 else None
        strangers, household = _phones_held(plan, owners, person, snapshot) if person is not None else ([], {})
        if others and not found:
            row(plan, ImportOutcome.ERROR, _shared_phone(store, plan, owners, others, snapshots))
        elif len(found) > 1:
            names = {i: snapshot(i).name(store.phone_region) for i in sorted(found)}
            if by_id is not None:
                row(plan, ImportOutcome.ERROR, _not_listed_one(store, plan, owners, names, by_id.customer_id))
            else:
                row(plan, ImportOutcome.ERROR, _different_customers(store, plan, owners, names))
        elif person is not None and strangers:
            names = {i: snapshot(i).name(store.phone_region) for i in sorted({person, *strangers})}
            row(plan, ImportOutcome.ERROR, _not_theirs(store, plan, owners, names, names[person]))
        elif person is not None:
            customer_id = person
            partners = {e164: snapshot(i).name(store.phone_region) for e164, i in household.items()}
            diff = _diff(ctx, plan, snapshot(customer_id), partners)
            try:
                if diff.changed:  # a savepoint only where something is written
                    with transaction.atomic():
                        outcome, message = _merge(ctx, snapshots[customer_id], diff, created_from.get(customer_id))
                else:
                    outcome, message = _merge(ctx, snapshots[customer_id], diff, created_from.get(customer_id))
            except ValidationError as exc:
                row(plan, ImportOutcome.ERROR, " ".join(exc.messages))
            else:
                row(plan, outcome, message, customer_id)
                owners.add(plan, customer_id)
                if outcome == ImportOutcome.MERGED:
                    del snapshots[customer_id]
        elif plan.nameless:
            row(plan, ImportOutcome.ERROR, str(NO_NAME))
        else:
            pending.append(plan)
            pending_keys.update(plan.match_keys())
    flush()
    return [results[plan.row] for plan in plans]


def _created_lines(job: ImportJob, ids: set[int]) -> dict[int, int]:
    """Which of these customers an earlier batch of this import created, and from which line."""
    if not ids:
        return {}
    rows = ImportRow.objects.filter(job=job, outcome=ImportOutcome.CREATED, customer_id__in=ids)
    return dict(rows.values_list("customer_id", "line"))


def _name_words(text: str) -> list[str]:
    return re.findall(r"\w+", v.fold(text))


def _names_differ(profile: dict[str, Any], customer: Customer) -> bool:
    """Whether a line and a customer plainly name two people, as a household sharing a phone does.

    Folded (case and accents aside), word by word, where a word that begins another is the same
    name (an initial, "Eli" for "Elijah"; a nickname such as "Bob" for "Robert" is beyond this
    test). When both have a first name (or the name they go by) and a last name, the first names
    tell: a household shares its last name. When either has only one of them, no word of one may
    be any word of the other. The same words in another order (first and last swapped) are the
    same person; so is a line or a customer without a name."""
    given = _name_words(f"{profile.get('first_name', '')} {profile.get('preferred_name', '')}")
    family = _name_words(profile.get("last_name", ""))
    their_given = _name_words(f"{customer.first_name} {customer.preferred_name}")
    their_family = _name_words(customer.last_name)
    if not (given or family) or not (their_given or their_family):
        return False
    if set(given + family) == set(their_given + their_family):
        return False
    if not (given and family and their_given and their_family):
        given, their_given = given + family, their_given + their_family
    return not any(a.startswith(b) or b.startswith(a) for a in given for b in their_given)


def _not_named(plan: Plan, by_id: Listed, customer: Customer) -> bool:
    """Whether a row's Customer ID names someone the row's own name is not, by the shared phone's rule
    (``_names_differ``) and, as an id is one person where a phone may be a household's, by the
    last names too when both have one ("Bob Jones" is not customer no. 12, Bob Smith; a last name
    changed since the export is refused, said, and can be put right by hand): a row without a name
    is whoever its id is. An id merged away is the row's when the row bears either the name of the
    record it was or that of the customer it became."""
    if not (_names_differ(plan.profile, customer) or _family_differs(plan.profile, customer)):
        return False
    return not by_id.merged_name or _names_differ(plan.profile, Customer(first_name=by_id.merged_name))


def _family_differs(profile: dict[str, Any], customer: Customer) -> bool:
    """Whether both have a last name and no word of one is (or begins) a word of the other."""
    family, theirs = _name_words(profile.get("last_name", "")), _name_words(customer.last_name)
    return bool(family and theirs) and not any(a.startswith(b) or b.startswith(a) for a in family for b in theirs)


def _other_named(store: Store, plan: Plan, snapshot: Snapshot) -> str:
    """Why a row whose Customer ID is a customer of another name was not imported (an export of
    another store or instance, whose ids are this store's other people)."""
    p = plan.profile
    return _(
        "Customer ID %(number)s is %(name)s in this store, not this row's %(row_name)s; correct the file "
        "or set the Customer ID column to “Do not import”."
    ) % {
        "number": plan.customer_id,
        "name": snapshot.name(store.phone_region),
        "row_name": display_name_from(
            p.get("first_name", ""), p.get("preferred_name", ""), p.get("last_name", ""), lambda: ""
        ),
    }


def _phones_held(
    plan: Plan, owners: Owners, person: int, snapshot: Callable[[int], Snapshot]
) -> tuple[list[int], dict[str, int]]:
    """Who else holds the phones of a line found to be ``person``'s: (the customers holding a phone
    of the line that ``person`` does not, which an import never gives them; the phones of the line
    that only ``person``'s partner holds → that partner, their household's phone, which it adds).

    A phone ``person`` already holds is theirs whoever else has it (a household's, added by hand);
    a new number is anybody's. Partners are those linked in the store, either way round."""
    strangers: set[int] = set()
    household: dict[str, int] = {}
    mine = snapshot(person).customer
    for e164 in plan.phones:
        holders = owners.by_key.get(("phone", e164), set())
        if not holders or person in holders:
            continue
        partner = next(
            (i for i in sorted(holders) if mine.partner_id == i or snapshot(i).customer.partner_id == person), None
        )
        if partner is None:
            strangers.update(holders)
        else:
            household[e164] = partner
    return sorted(strangers), household


def _whose(names: list[str]) -> str:
    """ "Elijah Schwartz's", or "Elijah Schwartz and Sarah Schwartz's" for several holders of one thing."""
    if len(names) == 1:
        return _("%(name)s's") % {"name": names[0]}
    return _("%(names)s and %(last)s's") % {"names": ", ".join(names[:-1]), "last": names[-1]}


def _shared_phone(store: Store, plan: Plan, owners: Owners, others: list[int], snapshots: dict[int, Snapshot]) -> str:
    """Why a line whose phone belongs to someone of another name was not merged, naming them."""
    e164 = next(p for p in plan.phones if not owners.by_key.get(("phone", p), set()).isdisjoint(others))
    holders = [i for i in others if i in owners.by_key[("phone", e164)]]
    whose = _whose([snapshots[i].name(store.phone_region) for i in holders])
    return _(
        "The phone %(phone)s is %(whose)s; the names differ, so this row was not merged. "
        "Add them by hand or correct the file."
    ) % {"phone": phone_for_region(e164, store.phone_region), "whose": whose}


def _different_customers(store: Store, plan: Plan, owners: Owners, names: dict[int, str]) -> str:
    """Why a line that is several customers' (``names``: their ids → names) was not merged: whose
    each of its emails and phones is, by name, as the store writes them; ids mean nothing to a user."""
    if not (plan.emails or plan.phones):  # found by name: customers imported without either
        return _(
            "More than one customer without a phone or email is named %(name)s. "
            "Merge them first, then import the file again."
        ) % {"name": next(iter(names.values()))}
    return _(
        "This row's %(parts)s: different customers. "
        "Merge them first if they are one person, or correct the file; then import it again."
    ) % {"parts": _whose_each(store, plan, owners, names)}


def _not_listed_one(store: Store, plan: Plan, owners: Owners, names: dict[int, str], person: int) -> str:
    """Why a row whose Customer ID is one customer, and whose email or phone is another's, was not merged."""
    others = {i: name for i, name in names.items() if i != person}
    return _(
        "This row's Customer ID is %(person)s, but its %(parts)s: different customers. "
        "Merge them first if they are one person, or correct the file; then import it again."
    ) % {"person": names[person], "parts": _whose_each(store, plan, owners, others)}


def _unlisted(plan: Plan) -> str:
    """Said beside "created" when the row's Customer ID is no customer of this store (an export of
    another store's, or a number nobody has): the row was matched as any file's row is."""
    if plan.customer_id is None:
        return ""
    return _(
        "Customer ID %(number)s is not a customer of this store, so this row was matched by its phone, email "
        "or name, and none was found."
    ) % {"number": plan.customer_id}


def _not_theirs(store: Store, plan: Plan, owners: Owners, names: dict[int, str], person: str) -> str:
    """Why a line that is ``person``'s, with a phone of someone of another name, was not merged."""
    return _(
        "This row's %(parts)s: different customers, so this row was not merged. If the phone is shared, "
        "add it to %(person)s by hand; otherwise correct the file. Then import it again."
    ) % {"parts": _whose_each(store, plan, owners, names), "person": person}


def _whose_each(store: Store, plan: Plan, owners: Owners, names: dict[int, str]) -> str:
    """ "email zoe@example.com is Zoë Goldberg's and phone (914) 555-0177 is Elijah Schwartz's": the
    line's emails and phones that the customers of ``names`` hold, and whose each is."""
    parts = []
    for kind, value in [*(("email", e) for e in plan.emails), *(("phone", p) for p in plan.phones)]:
        holders = [i for i in names if i in owners.by_key.get((kind, value), ())]
        if not holders:
            continue
        whose = _whose([names[i] for i in holders])
        if kind == "email":
            parts.append(_("email %(email)s is %(whose)s") % {"email": value, "whose": whose})
        else:
            phone = phone_for_region(value, store.phone_region)
            parts.append(_("phone %(phone)s is %(whose)s") % {"phone": phone, "whose": whose})
    return _listed(parts)


def _create(ctx: Context, plans: Sequence[Plan]) -> list[int]:
    """New customers with everything they bring, one statement per table."""
    if not plans:
        return []
    store, actor = ctx.store, services._user(ctx.actor)
    actor_id = actor.pk if actor else None
    now = timezone.now()
    ids = inserts.reserve_ids(Customer, len(plans))
    customers, phones, emails, interests, notes, dates, sizes, grants = [], [], [], [], [], [], [], []
    for pk, plan in zip(ids, plans, strict=True):
        spend = plan.spend or Decimal("0")
        row = {
            **plan.profile,
            "id": pk,
            "store_id": store.pk,
            "created_by_id": actor_id,
            "source": Source.IMPORT,
            "imported_spend": spend,
            "lifetime_spend": spend,
            "created_at": now,
            "updated_at": now,
        }
        row["search_text"], row["sort_name"] = plan.search_text, plan.sort_name
        customers.append(row)
        base = {"store_id": store.pk, "customer_id": pk, "created_at": now}
        phones += [{**base, "e164": e164, "is_primary": i == 0} for i, e164 in enumerate(plan.phones)]
        emails += [{**base, "address": address, "is_primary": i == 0} for i, address in enumerate(plan.emails)]
        interests += [
            {**base, "kind": kind, "value": tag, "value_key": v.fold(tag), "value_words": interest_words(tag)}
            for kind, tag in plan.tags
        ]
        notes += [{**base, "author_id": actor_id, "body": body} for body in _unique(plan.notes)]
        dates += [
            {**base, "kind": DateKind.ANNIVERSARY, "day": day, "month": month, "year": year}
            for day, month, year in plan.anniversaries
        ]
        sizes += [{**base, "kind": size.kind, "system": size.system, "value": size.value} for size in plan.sizes]
        granted = {channel: evidence for channel, yes, evidence, _revoked in plan.consents if yes}
        grants += [(pk, channel, evidence) for channel, evidence in granted.items()]
    inserts.insert_rows(Customer, customers, with_ids=True)
    inserts.insert_rows(CustomerPhone, phones)
    inserts.insert_rows(CustomerEmail, emails)
    inserts.insert_rows(Interest, interests)
    inserts.insert_rows(Note, notes)
    inserts.insert_rows(ImportantDate, dates)
    inserts.insert_rows(Size, sizes)
    if grants:
        event_ids = inserts.reserve_ids(ConsentEvent, len(grants))
        events = [
            {
                "id": event_id,
                "store_id": store.pk,
                "customer_id": pk,
                "channel": channel,
                "purpose": ConsentPurpose.MARKETING,
                "action": ConsentAction.GRANTED,
                "occurred_at": now,
                "recorded_at": now,
                "method": ConsentMethod.IMPORT,
                "evidence_text": evidence,
                "staff_user_id": actor_id,
            }
            for event_id, (pk, channel, evidence) in zip(event_ids, grants, strict=True)
        ]
        inserts.insert_rows(ConsentEvent, events, with_ids=True)
        inserts.insert_rows(
            CurrentConsent,
            (
                {
                    "store_id": store.pk,
                    "customer_id": e["customer_id"],
                    "channel": e["channel"],
                    "purpose": e["purpose"],
                    "granted": True,
                    "event_id": e["id"],
                }
                for e in events
            ),
        )
    return ids


def _unique(items: Sequence[str]) -> list[str]:
    return list(dict.fromkeys(items))


def _label(name: str) -> str:
    return str(getattr(Customer._meta.get_field(name), "verbose_name", name))


@dataclass
class Snapshot:
    """What a merge compares a line with: the customer and what they already have."""

    customer: Customer
    phones: set[str] = field(default_factory=set)
    emails: set[str] = field(default_factory=set)
    # Their primary (else first) phone and email: a customer without a name is shown by them.
    first_phone: str = ""
    first_email: str = ""
    # Interests' keys (interests.interest_key: their words), whatever their kind: a tag with the same
    # words is that interest ("opal" in the file is the customer's "stone: Opal", "pearls" their "Pearl").
    tags: set[str] = field(default_factory=set)
    notes: set[str] = field(default_factory=set)
    anniversaries: set[tuple[int, int, int | None]] = field(default_factory=set)  # day, month, year
    sizes: set[tuple[str, str, str]] = field(default_factory=set)  # (kind, system, value)
    consents: dict[str, CurrentConsent] = field(default_factory=dict)  # marketing, by channel

    def name(self, region: str) -> str:
        """The customer's name as the app shows it, from what the snapshot holds (no query)."""
        c = self.customer
        return display_name_from(
            c.first_name,
            c.preferred_name,
            c.last_name,
            lambda: phone_for_region(self.first_phone, region) or self.first_email,
        )


def _snapshots(
    store: Store, ids: set[int], *, anniversaries: bool, sizes: frozenset[str] = frozenset()
) -> dict[int, Snapshot]:
    """The customers a batch may merge into (with a partner who is a customer), with everything
    compared, in six queries, and one more for their anniversaries, and one for their sizes of the
    kinds in ``sizes``, when the file has a column of them."""
    if not ids:
        return {}
    found = {c.pk: Snapshot(c) for c in Customer.objects.filter(store=store, pk__in=ids).select_related("partner")}
    # Primary first, as the models order them, so each customer's first row is the one they are shown by.
    phones = CustomerPhone.objects.filter(customer_id__in=ids).order_by("-is_primary", "id")
    for customer_id, e164 in phones.values_list("customer_id", "e164"):
        snap = found[customer_id]
        snap.first_phone = snap.first_phone or e164
        snap.phones.add(e164)
    emails = CustomerEmail.objects.filter(customer_id__in=ids).order_by("-is_primary", "id")
    for customer_id, address in emails.values_list("customer_id", "address"):
        snap = found[customer_id]
        snap.first_email = snap.first_email or address
        snap.emails.add(address)
    interests = Interest.objects.filter(customer_id__in=ids).values_list("customer_id", "value_words", "value_key")
    for customer_id, words, key in interests:
        found[customer_id].tags.add(stored_key(words, key))
    for customer_id, body in Note.objects.filter(customer_id__in=ids).values_list("customer_id", "body"):
        found[customer_id].notes.add(body)
    if anniversaries:
        for customer_id, day, month, year in ImportantDate.objects.filter(
            customer_id__in=ids, kind=DateKind.ANNIVERSARY
        ).values_list("customer_id", "day", "month", "year"):
            found[customer_id].anniversaries.add((day, month, year))
    if sizes:
        for customer_id, kind, system, value in Size.objects.filter(customer_id__in=ids, kind__in=sizes).values_list(
            "customer_id", "kind", "system", "value"
        ):
            found[customer_id].sizes.add((kind, system, value))
    for consent in CurrentConsent.objects.filter(customer_id__in=ids, purpose=ConsentPurpose.MARKETING).select_related(
        "event"
    ):
        found[consent.customer_id].consents[consent.channel] = consent
    return found


@dataclass
class Diff:
    fills: dict[str, Any] = field(default_factory=dict)
    phones: list[str] = field(default_factory=list)
    emails: list[str] = field(default_factory=list)
    tags: list[tuple[str, str]] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    anniversaries: list[tuple[int, int, int | None]] = field(default_factory=list)
    sizes: list[m.ReadSize] = field(default_factory=list)
    spend: Decimal | None = None
    grants: list[services.ConsentGrant] = field(default_factory=list)
    changed: list[str] = field(default_factory=list)
    kept: list[str] = field(default_factory=list)


def _diff(ctx: Context, plan: Plan, snap: Snapshot, household: dict[str, str] | None = None) -> Diff:
    """What merging the line would change, and what it keeps; nothing is written. ``household``: the
    line's phones the customer's partner already holds → the partner's name, said when added."""
    customer, diff = snap.customer, Diff()
    changed, kept = diff.changed, diff.kept
    profile = dict(plan.profile)
    if customer.partner_id is not None:
        _compare_linked_partner(snap, profile, kept)
    for name, value in profile.items():
        if name.rpartition("_")[0] in _DATE_WORDS:  # a date's day, month or year: compared whole below
            continue
        current = getattr(customer, name)
        if current in ("", None):
            diff.fills[name] = value
            changed.append(_("filled %(field)s") % {"field": _label(name)})
        elif v.fold(str(current)) != v.fold(str(value)):
            kept.append(
                _("kept %(field)s “%(old)s” (the file has “%(new)s”)")
                % {"field": _label(name), "old": current, "new": value}
            )
    for date in _DATE_WORDS:
        _diff_date(diff, customer, profile, date)
    for new in plan.anniversaries:
        same = sorted((old for old in snap.anniversaries if old[:2] == new[:2]), key=lambda d: d[2] or 0)
        if not same:
            diff.anniversaries.append(new)
            changed.append(_("added the anniversary %(date)s") % {"date": _date_text(*new)})
        elif new[2] is not None and new[2] not in [old[2] for old in same]:
            # An anniversary the store typed is not edited: a year the file adds to it is said.
            kept.append(
                _("kept the anniversary %(old)s (the file has %(new)s)")
                % {"old": _date_text(*same[0]), "new": _date_text(*new)}
            )
    _diff_sizes(diff, plan, snap)
    for e164 in plan.phones:
        if e164 not in snap.phones:
            diff.phones.append(e164)
            if household and e164 in household:
                changed.append(
                    _("added phone %(p)s (their partner %(partner)s's too)") % {"p": e164, "partner": household[e164]}
                )
            else:
                changed.append(_("added phone %(p)s") % {"p": e164})
    for address in plan.emails:
        if address not in snap.emails:
            diff.emails.append(address)
            changed.append(_("added email %(e)s") % {"e": address})
    for kind, tag in plan.tags:
        if interest_key(tag) not in snap.tags:
            diff.tags.append((kind, tag))
            changed.append(_("added interest “%(t)s”") % {"t": tag})
    for body in _unique(plan.notes):
        if body not in snap.notes:
            diff.notes.append(body)
            changed.append(_("added a note"))
    if plan.spend is not None and plan.spend != customer.imported_spend:
        diff.spend = plan.spend
        changed.append(
            _("spend before Trunkshow %(old)s → %(new)s") % {"old": customer.imported_spend, "new": plan.spend}
        )
    diff.grants = _consent_changes(ctx, plan, snap.consents, changed, kept)
    return diff


def _diff_sizes(diff: Diff, plan: Plan, snap: Snapshot) -> None:
    """A size is added in a system (or unit) the customer has none of that kind in; another size in
    one they have is kept and said, like any value the store holds: a finger or wrist measured twice
    is one size, and the store's is as likely to be the newer (ADR 0005, decision 6, ring sizes)."""
    for size in plan.sizes:
        if size[:3] in snap.sizes:
            continue
        what, new = m.SIZE_WORDS[size.kind], m.size_text(*size[:3])
        reading = m.size_reading(size)
        theirs = sorted(old for kind, system, old in snap.sizes if kind == size.kind and system == size.system)
        if theirs:
            diff.kept.append(
                _("kept %(what)s %(old)s (the file has %(new)s)")
                % {
                    "what": what,
                    "old": ", ".join(m.size_text(size.kind, size.system, old) for old in theirs),
                    "new": f"{new}, {reading}" if reading else new,
                }
            )
        else:
            diff.sizes.append(size)
            diff.changed.append(
                _("added %(what)s %(size)s") % {"what": what, "size": f"{new} ({reading})" if reading else new}
            )


def _namesake(plan: Plan, owners: Owners) -> str:
    """A created line without a phone or email, beside a customer of its very name it was not
    merged into (a name alone never merges into one reached by phone or email): said, so that the
    store can merge them if they are one person."""
    found = next(
        (owners.namesakes[key[1]] for key in plan.match_keys() if key[0] == "name" and key[1] in owners.namesakes), None
    )
    if found is None:
        return ""
    return _(
        "Customer no. %(id)d is called %(name)s too; this row has no phone or email to tell them apart, "
        "so merge the two if they are one person."
    ) % {"id": found[0], "name": found[1]}


def _read_sizes(plan: Plan) -> str:
    """A created line's result: the sizes it read otherwise than as written ("Ring size EU 52: written
    IT 12."), so nobody takes the stored value for a typing error; "" when it read none so."""
    said = []
    for size in plan.sizes:
        if reading := m.size_reading(size):
            what = str(m.SIZE_WORDS[size.kind])
            said.append(f"{what[:1].upper()}{what[1:]} {m.size_text(*size[:3])}: {reading}.")
    return " ".join(said)


# A date of the profile → what filling its day and month, filling its year, and keeping it say.
_DATE_WORDS = {
    "birthday": (
        gettext_lazy("filled the birthday"),
        gettext_lazy("filled the birth year"),
        gettext_lazy("kept the birthday %(old)s (the file has %(new)s)"),
    ),
    "partner_birthday": (
        gettext_lazy("filled the partner's birthday"),
        gettext_lazy("filled the partner's birth year"),
        gettext_lazy("kept the partner's birthday %(old)s (the file has %(new)s)"),
    ),
}


def _diff_date(diff: Diff, customer: Customer, profile: dict[str, Any], date: str) -> None:
    """A date fills an empty one, or the year of the same day and month; any other is kept and said."""
    keys = (f"{date}_day", f"{date}_month", f"{date}_year")
    if keys[0] not in profile:
        return
    new = (profile[keys[0]], profile[keys[1]], profile.get(keys[2]))
    old = (getattr(customer, keys[0]), getattr(customer, keys[1]), getattr(customer, keys[2]))
    filled, filled_year, kept = _DATE_WORDS[date]
    if old[0] is None:
        diff.fills.update(zip(keys, new, strict=True))
        diff.changed.append(str(filled))
    elif old[:2] == new[:2] and old[2] is None and new[2] is not None:
        diff.fills[keys[2]] = new[2]
        diff.changed.append(str(filled_year))
    elif old[:2] != new[:2] or (new[2] is not None and old[2] != new[2]):
        diff.kept.append(str(kept) % {"old": _date_text(*old), "new": _date_text(*new)})


def _compare_linked_partner(snap: Snapshot, profile: dict[str, Any], kept: list[str]) -> None:
    """A partner who is a customer of the store has their own name and birthday (the services empty
    the stand-ins), and our export writes those: the file's are compared with them, never written,
    so neither this customer nor the partner is changed."""
    partner = snap.customer.partner
    name = profile.pop("partner_name", None)
    birthday = tuple(profile.pop(f"partner_birthday_{part}", None) for part in ("day", "month", "year"))
    if partner is None:
        return
    shown = partner_display(partner.first_name, partner.preferred_name, partner.last_name)
    # Named as the app names them (without a name, by their number: one query, only then).
    if name is not None and v.fold(name) not in {v.fold(shown), v.fold(f"{partner.first_name} {partner.last_name}")}:
        kept.append(
            _("kept partner “%(old)s”, a customer with their own profile (the file has “%(new)s”)")
            % {"old": partner.display_name, "new": name}
        )
    theirs = (partner.birthday_day, partner.birthday_month, partner.birthday_year)
    if birthday[0] is not None and (
        birthday[:2] != theirs[:2] or (birthday[2] is not None and birthday[2] != theirs[2])
    ):
        kept.append(
            _("kept the partner's birthday as on %(name)s's profile (the file has %(new)s)")
            % {"name": partner.display_name, "new": _date_text(*birthday)}
        )


def _merge(ctx: Context, snap: Snapshot, diff: Diff, created_on: int | None = None) -> tuple[str, str]:
    """Fill the customer's blanks and add what is new, through the services; a different non-blank
    value is kept and said. A line that brings nothing new writes nothing. ``created_on``: the line
    of this file that created the customer, said, as they are not one the store had before."""
    store, actor = ctx.store, ctx.actor
    customer = snap.customer
    name = snap.name(store.phone_region)  # as the customer was found, before the line fills anything
    if created_on is not None:
        name = _("%(name)s, created from %(row)s of this file") % {"name": name, "row": row_name(ctx.job, created_on)}
    if diff.changed:
        if diff.fills:
            customer = services.customer_update(store=store, actor=actor, customer=customer, data=diff.fills)
        for e164 in diff.phones:
            services.customer_phone_add(store=store, actor=actor, customer=customer, number=e164)
        for address in diff.emails:
            services.customer_email_add(store=store, actor=actor, customer=customer, address=address)
        for kind, tag in diff.tags:
            services.interest_add(store=store, actor=actor, customer=customer, kind=kind, value=tag)
        for body in diff.notes:
            services.note_create(store=store, actor=actor, customer=customer, body=body)
        for day, month, year in diff.anniversaries:
            services.important_date_create(
                store=store, actor=actor, customer=customer, kind=DateKind.ANNIVERSARY, day=day, month=month, year=year
            )
        for size in diff.sizes:
            services.size_add(
                store=store, actor=actor, customer=customer, kind=size.kind, system=size.system, value=size.value
            )
        if diff.spend is not None:
            customer.imported_spend = diff.spend
            Customer.objects.filter(pk=customer.pk).update(imported_spend=diff.spend)
            services._refresh_totals(store, customer)
        if diff.grants:
            services.consent_events_add(store=store, actor=actor, customer=customer, grants=diff.grants)
        text = _("Merged into %(name)s: %(what)s.") % {"name": name, "what": "; ".join(diff.changed + diff.kept)}
        return ImportOutcome.MERGED, text
    if diff.kept:
        return ImportOutcome.UNCHANGED, _("Nothing new for %(name)s; %(what)s.") % {
            "name": name,
            "what": "; ".join(diff.kept),
        }
    return ImportOutcome.UNCHANGED, _("Already up to date (%(name)s).") % {"name": name}


def _date_text(day: int | None, month: int | None, year: int | None) -> str:
    return f"{year:04d}-{month:02d}-{day:02d}" if year else f"--{month:02d}-{day:02d}"


def _consent_changes(
    ctx: Context, plan: Plan, current: dict[str, CurrentConsent], changed: list[str], kept: list[str]
) -> list[services.ConsentGrant]:
    """Events only where the file changes the current state, and only over evidence no stronger and
    no newer than a file (ADR 0005, decision 7): an import never undoes a withdrawal the customer
    made another way (a STOP, a form, in person), never withdraws a consent given another way (in
    person, a form, a START, to staff), and a file uploaded before changes no consent an import
    recorded since its first upload. What it keeps instead is said."""
    names: dict[str, str] = {
        Channel.SMS: _("text marketing"),
        Channel.EMAIL: _("email marketing"),
        Channel.WHATSAPP: _("WhatsApp marketing"),
    }
    zone = ctx.store.tz
    grants = []
    for channel, granted, evidence, revoked in plan.consents:
        now = current.get(channel)
        if (now is not None and now.granted) == granted:  # nothing recorded reads as not granted
            continue
        if now is not None:
            event, what = now.event, names[channel]
            date = event.occurred_at.astimezone(zone).date().isoformat()
            # A cell saying the customer withdrew ("unsubscribed") is a revocation, honoured whoever
            # recorded the grant, unless the grant is newer than the file (the check below).
            if event.method != ConsentMethod.IMPORT and not (now.granted and revoked):
                if now.granted:
                    text = _(
                        "kept %(what)s granted (granted on %(date)s, %(how)s; "
                        "a file's “no” withdraws only what an import granted; “unsubscribed” withdraws any)"
                    )
                else:
                    text = _("kept %(what)s withdrawn (withdrawn on %(date)s, %(how)s; an import does not undo that)")
                kept.append(text % {"what": what, "date": date, "how": event.get_method_display()})
                continue
            if (first := ctx.first_uploaded()) is not None and event.recorded_at >= first:
                if now.granted and event.method != ConsentMethod.IMPORT:
                    text = _(
                        "kept %(what)s granted (granted on %(date)s, %(how)s, "
                        "after this file was first uploaded on %(seen)s)"
                    )
                elif now.granted:
                    text = _(
                        "kept %(what)s granted (granted on %(date)s by an import, "
                        "after this file was first uploaded on %(seen)s)"
                    )
                else:
                    text = _(
                        "kept %(what)s withdrawn (withdrawn on %(date)s by an import, "
                        "after this file was first uploaded on %(seen)s)"
                    )
                seen = first.astimezone(zone).date().isoformat()
                kept.append(text % {"what": what, "date": date, "seen": seen, "how": event.get_method_display()})
                continue
        changed.append((_("%(what)s granted") if granted else _("%(what)s withdrawn")) % {"what": names[channel]})
        grants.append(
            services.ConsentGrant(
                channel=channel,
                purpose=ConsentPurpose.MARKETING,
                action=ConsentAction.GRANTED if granted else ConsentAction.WITHDRAWN,
                method=ConsentMethod.IMPORT,
                evidence_text=evidence,
                occurred_at=timezone.now(),
            )
        )
    return grants
