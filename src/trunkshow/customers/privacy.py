"""A customer's rights over their data: everything we hold as JSON, and erasure.

Erasure keeps the customer's row for anonymous aggregates (spend, purchase count, purchase dates
and amounts) and removes the person: names, address, dates, ways to reach them, notes, the consent
ledger, their lines in stored import files. Their phones and emails stay only as suppression
digests, so the next import or campaign cannot bring them back. See ADR 0006.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import os
import re
import tempfile
import unicodedata
from collections.abc import Callable
from decimal import Decimal
from pathlib import Path
from typing import Any

import phonenumbers
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.db.models import Q
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _

from trunkshow.core.audit import audit_log
from trunkshow.core.templatetags.trunkshow import store_day
from trunkshow.customers import validation as v
from trunkshow.customers.importing.encodings import LEGACY
from trunkshow.customers.importing.reading import sep_delimiter
from trunkshow.customers.models import (
    ConsentEvent,
    CurrentConsent,
    Customer,
    CustomerEdit,
    CustomerEmail,
    CustomerMerge,
    CustomerPhone,
    ImportantDate,
    ImportJob,
    ImportRow,
    Interest,
    Note,
    Purchase,
    Size,
)
from trunkshow.customers.services import _refresh_search, _user
from trunkshow.customers.suppression import suppression_add
from trunkshow.stores.models import Store

EXPORT_FORMAT = "trunkshow.customer-data/1"


class AlreadyErased(Exception):
    """Erasing twice: the API answers 409, the page says when it happened."""

    def __init__(self, customer: Customer) -> None:
        assert customer.erased_at is not None
        self.erased_at = customer.erased_at
        super().__init__(
            _("Customer no. %(number)s was already erased on %(date)s; there is nothing left to erase.")
            % {"number": customer.pk, "date": store_day(customer.store, customer.erased_at)}
        )


# --- export --------------------------------------------------------------------------------


def _json(value: Any) -> Any:
    if isinstance(value, dt.datetime | dt.date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    return value


def _person(user: Any) -> dict[str, Any] | None:
    """A staff member as the export names them: who wrote a note or recorded consent."""
    if user is None:
        return None
    return {"id": user.pk, "name": user.display_name}


def _row(obj: models.Model, names: tuple[str, ...]) -> dict[str, Any]:
    return {name: _json(getattr(obj, name)) for name in names}


PROFILE = (
    "id",
    "first_name",
    "last_name",
    "preferred_name",
    "title",
    "address_line1",
    "address_line2",
    "city",
    "region",
    "postal_code",
    "country",
    "birthday_day",
    "birthday_month",
    "birthday_year",
    "partner_name",
    "partner_birthday_day",
    "partner_birthday_month",
    "partner_birthday_year",
    "preferred_channel",
    "language",
    "time_zone",
    "source",
    "lifetime_spend",
    "imported_spend",
    "purchase_count",
    "last_purchase_on",
    "last_contact_at",
    "erased_at",
    "created_at",
    "updated_at",
)


# Personal data held by apps above customers (conversations): each registers how to export and
# erase its part in its AppConfig.ready, so this module never imports it.
Exporter = Callable[[Customer], Any]
Eraser = Callable[[Store, Customer, list[str], list[str]], dict[str, int]]  # -> counts for the audit entry
Previewer = Callable[[Customer], dict[str, int]]  # -> what erasing will remove, for the confirmation page
_HOLDERS: dict[str, tuple[Exporter, Eraser]] = {}
_PREVIEWS: dict[str, Previewer] = {}


def register_personal_data(name: str, export: Exporter, erase: Eraser, preview: Previewer | None = None) -> None:
    _HOLDERS[name] = (export, erase)
    if preview is not None:
        _PREVIEWS[name] = preview


def customer_data(*, customer: Customer) -> dict[str, Any]:
    """Everything the store holds about one customer, JSON-serialisable (a read: no audit entry)."""
    c = customer
    profile = _row(c, PROFILE)
    profile["partner"] = (
        {"id": c.partner.pk, "name": c.partner.full_name} if c.partner_id and c.partner is not None else None
    )
    profile["assigned_associate"] = _person(c.assigned_associate)
    profile["created_by"] = _person(c.created_by)
    jobs = {job.pk: job for job in ImportJob.objects.filter(store_id=c.store_id, rows__customer=c).distinct()}
    return {
        "format": EXPORT_FORMAT,
        "store": {"id": c.store.pk, "name": c.store.name},
        "customer": profile,
        "phones": [_row(p, ("e164", "label", "is_primary", "created_at")) for p in c.phones.order_by("id")],
        "emails": [_row(e, ("address", "label", "is_primary", "created_at")) for e in c.emails.order_by("id")],
        "important_dates": [
            _row(d, ("kind", "label", "day", "month", "year", "created_at")) for d in c.important_dates.order_by("id")
        ],
        "interests": [_row(i, ("kind", "value", "created_at")) for i in c.interests.order_by("id")],
        "sizes": [_row(s, ("kind", "system", "value", "note", "created_at")) for s in c.sizes.order_by("id")],
        "notes": [
            {**_row(n, ("body", "created_at")), "author": _person(n.author)}
            for n in c.notes.select_related("author").order_by("created_at", "id")
        ],
        "purchases": [
            {
                **_row(p, ("purchased_on", "items", "amount", "currency", "external_id", "created_at")),
                "associate": _person(p.associate),
            }
            for p in c.purchases.select_related("associate").order_by("purchased_on", "id")
        ],
        "consent_events": [
            {
                **_row(
                    e,
                    (
                        "id",
                        "channel",
                        "purpose",
                        "action",
                        "occurred_at",
                        "method",
                        "evidence_text",
                        "evidence_url",
                        "evidence_ip",
                        "recorded_at",
                    ),
                ),
                "recorded_by": _person(e.staff_user),
            }
            for e in c.consent_events.select_related("staff_user").order_by("occurred_at", "id")
        ],
        "current_consent": [
            {"channel": cc.channel, "purpose": cc.purpose, "granted": cc.granted, "event_id": cc.event_id}
            for cc in c.current_consents.order_by("channel", "purpose")
        ],
        "edits": [
            {"changes": e.changes, "by": _person(e.actor), "at": _json(e.at)}
            for e in c.edits.select_related("actor").order_by("at", "id")
        ],
        "merges": [
            {
                "merged_customer_id": m.merged_customer_id,
                "merged_name": m.merged_name,
                "choices": m.choices,
                "replaced": m.replaced,
                "by": _person(m.actor),
                "at": _json(m.at),
            }
            for m in c.merges.select_related("actor").order_by("at", "id")
        ],
        "import_rows": [
            {
                "file_name": jobs[r.job_id].file_name,
                "imported_at": _json(jobs[r.job_id].created_at),
                "line": r.line,
                "outcome": r.outcome,
                "message": r.message,
            }
            for r in ImportRow.objects.filter(store_id=c.store_id, customer=c).order_by("job_id", "line")
        ],
        **{name: export(c) for name, (export, _erase) in _HOLDERS.items()},
    }


def customer_data_export(*, store: Store, actor: Any, customer: Customer, ip: str | None = None) -> dict[str, Any]:
    """One customer's data for them (a data-subject request), audited without the data itself."""
    if customer.store_id != store.pk:
        raise Http404("No such customer")
    if customer.erased_at is not None:
        raise AlreadyErased(customer)
    data = {"exported_at": timezone.now().isoformat(), **customer_data(customer=customer)}
    audit_log(
        store=store,
        actor=_user(actor),
        action="trunkshow.customer.exported",
        obj=customer,
        data={"format": "json", "what": "one customer's personal data"},
        ip=ip,
    )
    return data


# --- erasure -------------------------------------------------------------------------------

BLANKED: dict[str, Any] = {
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
}


@transaction.atomic
def customer_erase(*, store: Store, actor: Any, customer: Customer, ip: str | None = None) -> Customer:
    """Remove the person everywhere; keep anonymous totals and hashed phones/emails. Returns the row."""
    if customer.store_id != store.pk:
        raise Http404("No such customer")
    locked = Customer.objects.select_for_update().filter(store=store, pk=customer.pk).first()
    if locked is None:
        raise Http404("No such customer")
    if locked.erased_at is not None:
        raise AlreadyErased(locked)
    phones = list(CustomerPhone.objects.filter(customer=locked).values_list("e164", flat=True))
    emails = list(CustomerEmail.objects.filter(customer=locked).values_list("address", flat=True))
    counts = {
        "phones": len(phones),
        "emails": len(emails),
        "notes": Note.objects.filter(customer=locked).count(),
        "consent_events": ConsentEvent.objects.filter(customer=locked).count(),
    }

    for model in (CustomerPhone, CustomerEmail, ImportantDate, Interest, Size, Note, CustomerEdit):
        model.objects.filter(customer=locked).delete()
    CurrentConsent.objects.filter(customer=locked).delete()
    # The ledger is evidence and its queryset refuses deletion, so nothing deletes it by accident;
    # erasure is the one deliberate exception (the person's right outweighs keeping the evidence,
    # and the suppression digests keep them from being contacted). The base QuerySet.delete is
    # called on purpose; the database allows DELETE (only UPDATE is refused).
    models.QuerySet.delete(ConsentEvent.objects.filter(customer=locked))
    for purchase in Purchase.objects.filter(customer=locked):
        # What was bought, by SKU and quantity, and for how much stays; descriptions (engravings,
        # names) and the point-of-sale order number that leads back to the person go.
        items = [{"sku": i.get("sku", ""), "quantity": i.get("quantity", 1)} for i in purchase.items or []]
        Purchase.objects.filter(pk=purchase.pk).update(items=items, external_id="")
    # The name of the record merged in, and the values a merge replaced, are theirs too.
    CustomerMerge.objects.filter(customer=locked).update(merged_name="", replaced={})
    mention = _mention_pattern(store, locked, phones=phones, emails=emails)
    own_lines: dict[int, set[int]] = {}
    for job_id, line in ImportRow.objects.filter(store=store, customer=locked).values_list("job_id", "line"):
        own_lines.setdefault(job_id, set()).add(line)
    ImportRow.objects.filter(store=store, customer=locked).update(message="", customer=None)
    for value in [*phones, *emails, *(v.phone_digits(p) for p in phones)]:
        ImportRow.objects.filter(store=store, message__icontains=value).update(message="")
    for _export, erase in _HOLDERS.values():
        counts.update(erase(store, locked, phones, emails))
    mentions = _scrub_mentions(store, locked, mention, phones=phones, emails=emails)
    _scrub_merges(store, locked, mention)
    blanked = _scrub_import_files(store, phones=phones, emails=emails, own_lines=own_lines, mention=mention)
    for job_id, starts in blanked.items():
        # What an import reported about their rows (an invalid phone of theirs, say) goes with them.
        ImportRow.objects.filter(store=store, job_id=job_id, line__in=starts).update(message="")

    # Whoever had them as partner no longer does, and is no longer found by their name.
    for person in Customer.objects.filter(store=store, partner=locked):
        person.partner_id = None
        _refresh_search(person)
        person.save(update_fields=["partner", "search_text", "sort_name"])

    for name, value in BLANKED.items():
        setattr(locked, name, value)
    locked.erased_at = locked.updated_at = timezone.now()
    _refresh_search(locked, phones=[], emails=[])
    locked.save()
    suppression_add(store=store, phones=phones, emails=emails)
    # Counts only: the audit log outlives the person and must not hold them.
    audit_log(
        store=store,
        actor=_user(actor),
        action="trunkshow.customer.erased",
        obj=locked,
        data={**counts, "import_file_lines": sum(len(starts) for starts in blanked.values()), **mentions},
        ip=ip,
    )
    return locked


ERASED = "[erased]"


PHONE_GAP = r"[\s.\-/()]*"  # what people put between a phone number's digits


def _mention_pattern(
    store: Store, customer: Customer, *, phones: list[str], emails: list[str]
) -> re.Pattern[str] | None:
    """Their full name (first and last, and preferred and last), their emails and their phones
    in any format ("+1 914-555-0142", "(914) 555 0142", "00 1 914.555.0142", "01 42 68 53 00"),
    as whole words (a hyphen binds: "Szirmay-Kiss" is someone else), any case.

    A lone first or last name is left alone: "Anna" or "Berg" in another customer's notes is as
    likely someone else, and rewriting other people's notes on a guess does harm (ADR 0006).
    """
    names = {
        " ".join(part for part in (first, customer.last_name) if part)
        for first in (customer.first_name, customer.preferred_name)
        if first and customer.last_name
    }
    words = [re.escape(name).replace(r"\ ", r"\s+") for name in sorted(names, key=len, reverse=True)]
    terms = [rf"(?<![\w-]){word}(?![\w-])" for word in words if len(word) >= 5]
    terms += [rf"(?<![\w.+-]){re.escape(email)}(?!\.?[\w-])" for email in emails]
    for e164 in phones:
        try:
            number = phonenumbers.parse(e164)
        except phonenumbers.NumberParseException:
            continue
        national = str(number.national_number)
        if len(national) < 6:
            continue
        digits = PHONE_GAP.join(national)
        prefix = rf"(?:(?:\+|00){PHONE_GAP}{number.country_code}{PHONE_GAP}|0{PHONE_GAP})?"
        terms.append(rf"(?<![\w+]){prefix}\(?{digits}(?!\d)")
    if not terms:
        return None
    return re.compile("|".join(terms), re.IGNORECASE)


def _scrub(text: str, mention: re.Pattern[str]) -> str:
    return mention.sub(ERASED, text)


def _scrub_mentions(
    store: Store, customer: Customer, mention: re.Pattern[str] | None, *, phones: list[str], emails: list[str]
) -> dict[str, int]:
    """Other customers' partner names, notes and import messages that name them, scrubbed.

    A partner name that is exactly theirs goes with its birthday (that birthday is theirs too);
    elsewhere each mention becomes "[erased]" and the rest of the text stays. A LIKE on a piece
    every form of a mention holds (the last name, the email, a phone's last four digits) narrows
    the rows; the pattern decides.
    """
    if mention is None:
        return {"partner_names": 0, "note_mentions": 0}
    partners = 0
    named = (
        Customer.objects.filter(store=store, partner_name__icontains=customer.last_name) if customer.last_name else []
    )
    for other in named:
        if other.pk == customer.pk:
            continue
        scrubbed = _scrub(other.partner_name, mention)
        if scrubbed == other.partner_name:
            continue
        fields = ["partner_name", "search_text", "sort_name", "updated_at"]
        if scrubbed.strip() == ERASED:
            other.partner_name = ""
            other.partner_birthday_day = other.partner_birthday_month = other.partner_birthday_year = None
            fields += ["partner_birthday_day", "partner_birthday_month", "partner_birthday_year"]
        else:
            other.partner_name = scrubbed
        other.updated_at = timezone.now()
        _refresh_search(other)
        other.save(update_fields=fields)
        for edit in CustomerEdit.objects.filter(customer=other):
            changes = _scrub_json(edit.changes, mention)
            if changes != edit.changes:
                CustomerEdit.objects.filter(pk=edit.pk).update(changes=changes)
        partners += 1
    hints = [*([customer.last_name] if customer.last_name else []), *emails, *(v.phone_digits(p)[-4:] for p in phones)]
    notes = 0
    for field, model in (("body", Note), ("message", ImportRow)):
        wide = Q()
        for hint in hints:
            wide |= Q(**{f"{field}__icontains": hint})
        for pk, text in model.objects.filter(wide, store=store).values_list("pk", field):
            scrubbed = _scrub(text, mention)
            if scrubbed != text:
                model.objects.filter(pk=pk).update(**{field: scrubbed})
                notes += model is Note
    return {"partner_names": partners, "note_mentions": notes}


PARTNER_COLUMNS = (
    "partner_id",
    "partner_name",
    "partner_birthday_day",
    "partner_birthday_month",
    "partner_birthday_year",
)


def _scrub_merges(store: Store, customer: Customer, mention: re.Pattern[str] | None) -> None:
    """Other customers' merges that took or replaced a partner hold that partner's name, birthday
    and id in ``replaced`` (ADR 0006): where that partner was them (linked, or their name exactly),
    the side's partner goes whole, birthday with it; elsewhere each mention becomes "[erased]", as
    in the edit history. One read, and a write only for the rows that change."""
    merges = CustomerMerge.objects.filter(store=store).exclude(customer=customer).exclude(replaced={})
    for pk, replaced in merges.values_list("pk", "replaced"):
        scrubbed = _scrub_json(replaced, mention) if mention is not None else replaced
        partner = scrubbed.get("partner") if isinstance(scrubbed, dict) else None
        if isinstance(partner, dict):
            scrubbed = {**scrubbed, "partner": dict(partner)}
            original = replaced.get("partner") or {}
            for side, values in partner.items():
                before = original.get(side) if isinstance(original, dict) else None
                if not isinstance(values, dict) or not isinstance(before, dict):
                    continue
                name = before.get("partner_name")
                theirs = before.get("partner_id") == customer.pk or (
                    mention is not None and isinstance(name, str) and _scrub(name, mention).strip() == ERASED
                )
                if theirs:
                    scrubbed["partner"][side] = {
                        **values,
                        **{column: "" if column == "partner_name" else None for column in PARTNER_COLUMNS},
                    }
        if scrubbed != replaced:
            CustomerMerge.objects.filter(pk=pk).update(replaced=scrubbed)


def _scrub_json(value: Any, mention: re.Pattern[str]) -> Any:
    if isinstance(value, str):
        scrubbed = _scrub(value, mention)
        return "" if scrubbed.strip() == ERASED else scrubbed
    if isinstance(value, list):
        return [_scrub_json(item, mention) for item in value]
    if isinstance(value, dict):
        return {key: _scrub_json(item, mention) for key, item in value.items()}
    return value


def _import_files(store: Store) -> list[tuple[int, Path, str, str, bool]]:
    """(job id, path, encoding, delimiter, whether its results are numbered by lines) of the
    store's import files still on disk, under DATA_DIR/imports/<store id>/ and nowhere else (a
    stored path is never trusted blindly)."""
    data_dir = Path(settings.DATA_DIR).resolve()
    root = data_dir / "imports" / str(store.pk)
    found = []
    jobs = ImportJob.objects.filter(store=store).exclude(stored_path="")
    fields = ("pk", "stored_path", "encoding", "delimiter", "line_numbers")
    for job_id, stored, encoding, delimiter, line_numbers in jobs.values_list(*fields):
        path = (data_dir / stored).resolve()
        if path.is_relative_to(root) and path.is_file():
            found.append((job_id, path, encoding or "utf-8", delimiter[:1] or ",", line_numbers))
    return found


def _matches(cell: str, store: Store, phones: set[str], emails: set[str], digits: set[str]) -> bool:
    text = cell.strip()
    if not text:
        return False
    if "@" in text:
        return text.lower() in emails
    if sum(ch.isdigit() for ch in text) >= 6:
        if v.phone_digits(text) in digits:
            return True
        try:
            return v.parse_phone(text, region=store.phone_region) in phones
        except ValidationError:
            return False
    return False


def _scrub_import_files(
    store: Store,
    *,
    phones: list[str],
    emails: list[str],
    own_lines: dict[int, set[int]] | None = None,
    mention: re.Pattern[str] | None = None,
) -> dict[int, list[int]]:
    """Blank, in every stored import file, each record holding one of these phones or emails or
    that an import reported as theirs (``own_lines``: the numbers of its results, per job: rows,
    or first lines for a job numbered by lines); in the other records, scrub what ``mention``
    finds (their name as someone's partner, say).

    A blanked record stays one row and as many lines of text (``_blanked``), so the numbers an
    import reports for the other records, and by which a resumed run skips those done, stay
    true. Returns the number of each blanked record, per job, as its results are numbered.
    """
    own_lines = own_lines or {}
    if not phones and not emails and not own_lines and mention is None:
        return {}
    phone_set, email_set = set(phones), {e.lower() for e in emails}
    digits = {v.phone_digits(p) for p in phones}
    blanked: dict[int, list[int]] = {}
    for job_id, path, encoding, delimiter, line_numbers in _import_files(store):
        raw = path.read_bytes()
        # Shift-JIS and EUC-KR files are read (and so written back) with Microsoft's supersets.
        encoding = LEGACY.get(encoding, encoding)
        try:
            text = raw.decode(encoding)
        except (LookupError, UnicodeDecodeError):
            # Latin-1 maps every byte to one character and back, so the other lines stay byte-exact.
            encoding, text = "latin-1", raw.decode("latin-1")
        # Lines as csv sees them (\n, \r\n or \r), endings kept, so the file is rebuilt byte for byte.
        lines = list(io.StringIO(text, newline=""))
        own = own_lines.get(job_id, set())
        try:
            out, starts = _blank_records(
                lines, delimiter, store, phone_set, email_set, digits, own, mention, line_numbers=line_numbers
            )
        except csv.Error:
            # A file csv cannot parse (the importer refuses those at upload, so none of its records
            # has a result to number): blank each physical line that holds one of the values instead.
            out, starts = [], []
            for number, line in enumerate(lines, start=1):
                cells = [part.strip().strip('"') for part in line.split(delimiter)]
                hit = number in own or any(_matches(cell, store, phone_set, email_set, digits) for cell in cells)
                out.append(_ending(line) if hit else _scrub_record([line], cells, mention, delimiter)[0])
                if hit:
                    starts.append(number)
        if starts or out != lines:
            _write_atomically(path, "".join(out), encoding)
            blanked[job_id] = starts
    return blanked


def _blank_records(
    lines: list[str],
    delimiter: str,
    store: Store,
    phones: set[str],
    emails: set[str],
    digits: set[str],
    own: set[int] = frozenset(),  # type: ignore[assignment]
    mention: re.Pattern[str] | None = None,
    *,
    line_numbers: bool = False,
) -> tuple[list[str], list[int]]:
    """The file's lines with each matching CSV record blanked (and mentions scrubbed in the
    others), and the number of each blanked record: its spreadsheet row (header = 1, a blank
    line is a row, as the importer counts them), or its first line with ``line_numbers``."""
    # Excel's line ``sep=X`` is no row (the importer skips it; the header is row 1), but is a line.
    skipped = 1 if lines and sep_delimiter(lines[0]) else 0
    out: list[str] = lines[:skipped]
    starts: list[int] = []
    position = row = 0
    reader = csv.reader(_Feed(lines[skipped:], out), delimiter=delimiter)
    for record in reader:
        taken = reader.line_num - position
        position = reader.line_num
        if not taken:
            continue
        row += 1
        first = position - taken + 1 + skipped
        number = first if line_numbers else row
        physical = out[-taken:]
        del out[-taken:]
        if number in own or any(_matches(cell, store, phones, emails, digits) for cell in record):
            starts.append(number)
            out.extend(_blanked(physical))
        else:
            out.extend(_scrub_record(physical, record, mention, delimiter))
    return out, starts


def _scrub_record(
    physical: list[str], cells: list[str], mention: re.Pattern[str] | None, delimiter: str = ","
) -> list[str]:
    """A record's lines with each mention removed: emptied where it fills a whole cell (a partner's
    name column), "[erased]" inside longer text (a note). The text is edited where it stands, so
    the other cells keep their bytes and quoting, and no line is added or removed."""
    if mention is None or not any(mention.search(unicodedata.normalize("NFC", cell)) for cell in cells):
        return physical
    ends = {delimiter, "\r", "\n", ""}

    def at(text: str, i: int) -> str:
        return text[i] if 0 <= i < len(text) else ""

    def replace(match: re.Match[str]) -> str:
        # A whole cell: a delimiter (or the line's edge) on each side, maybe inside its quotes;
        # a doubled quote ("") is a quote within the text, not the cell's own.
        text, i, j = match.string, match.start(), match.end()
        opened = at(text, i - 1) in ends or (at(text, i - 1) == '"' and at(text, i - 2) in ends)
        closed = at(text, j) in ends or (at(text, j) == '"' and at(text, j + 1) in ends)
        return "" if opened and closed else ERASED

    def scrubbed(line: str) -> str:
        if unicodedata.is_normalized("NFC", line):
            return mention.sub(replace, line)
        # Tones or accents written as separate marks (Windows-1258, some Mac exports): found in the
        # composed text, cut from the line as it is, so its other bytes stay as they were.
        composed, starts = _composed(line)
        pieces, done = [], 0
        for match in mention.finditer(composed):
            start, end = starts[match.start()], starts[match.end()]
            pieces += [line[done:start], replace(match)]
            done = end
        return "".join([*pieces, line[done:]])

    return [scrubbed(line) for line in physical]


def _composed(text: str) -> tuple[str, list[int]]:
    """The text composed (NFC), and for each of its positions and its end where that letter starts
    in ``text``: each letter is composed with the marks that follow it, never across letters."""
    out: list[str] = []
    starts: list[int] = []
    i = 0
    while i < len(text):
        j = i + 1
        while j < len(text) and unicodedata.combining(text[j]):
            j += 1
        letter = unicodedata.normalize("NFC", text[i:j])
        out.append(letter)
        starts += [i] * len(letter)
        i = j
    return "".join(out), [*starts, len(text)]


def _blanked(physical: list[str]) -> list[str]:
    """A record's lines with nothing of it left: one empty line, or for a record of several lines
    (a quoted cell with line breaks) one empty quoted cell holding the same line breaks, so it
    stays one spreadsheet row and as many lines of text. The importer skips it as blank."""
    if len(physical) == 1:
        return [_ending(physical[0])]
    return ['"' + _ending(physical[0]), *(_ending(line) for line in physical[1:-1]), '"' + _ending(physical[-1])]


def _ending(line: str) -> str:
    return "\r\n" if line.endswith("\r\n") else line[-1:] if line[-1:] in ("\n", "\r") else ""


class _Feed:
    """Lines for csv.reader that remembers each one handed out, so a record maps to its lines."""

    def __init__(self, lines: list[str], out: list[str]) -> None:
        self.lines, self.out, self.i = lines, out, 0

    def __iter__(self) -> _Feed:
        return self

    def __next__(self) -> str:
        if self.i >= len(self.lines):
            raise StopIteration
        line = self.lines[self.i]
        self.i += 1
        self.out.append(line)
        return line


def _write_atomically(path: Path, text: str, encoding: str) -> None:
    data = text.encode(encoding)
    fd, temp = tempfile.mkstemp(dir=path.parent, prefix=".erase-")
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(temp, path)
    except BaseException:
        Path(temp).unlink(missing_ok=True)
        raise


def erase_preview(*, customer: Customer) -> dict[str, int]:
    """What an erasure will remove, for the confirmation page."""
    return {
        "phones": customer.phones.count(),
        "emails": customer.emails.count(),
        "dates": customer.important_dates.count(),
        "interests": customer.interests.count(),
        "sizes": customer.sizes.count(),
        "notes": customer.notes.count(),
        "consent_events": customer.consent_events.count(),
        "purchases": customer.purchases.count(),
        **{key: n for preview in _PREVIEWS.values() for key, n in preview(customer).items()},
    }
