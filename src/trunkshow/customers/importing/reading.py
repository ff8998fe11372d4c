"""Reading a point-of-sale CSV export: its encoding, its delimiter, its limits, its records.

Nothing here touches the database. A problem with the whole file raises ``FileProblem`` with a
sentence naming the line of text (as a text editor counts them: where such a problem is mended);
a problem with one record comes back with that record, numbered by its spreadsheet row, so the
rest of the file still imports.
"""

from __future__ import annotations

import codecs
import csv
import io
import itertools
import re
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from trunkshow.customers.importing import encodings
from trunkshow.customers.importing.encodings import Detection

MAX_FILE_BYTES = 50 * 1024 * 1024
MAX_FILE_LABEL = "50 MB"
# One physical line, and one cell (a quoted cell may hold line breaks): 1 MB of text.
MAX_LINE_CHARS = 1024 * 1024
MAX_LINE_LABEL = "1 MB"
MAX_ROWS = 200_000
MAX_COLUMNS = 200
PREVIEW_ROWS = 5
# The lines the mapping's guess reads the values of (a date column's order): enough to meet a day
# over 12 in any real column of dates, few enough to cost nothing; each cell cut to a date's length
# and more, so a file of long cells still keeps the sample small.
SAMPLE_ROWS = 1000
SAMPLE_CELL_CHARS = 64
DELIMITERS = {",": gettext_lazy("comma"), ";": gettext_lazy("semicolon"), "\t": gettext_lazy("tab")}
ENCODING_LABELS = encodings.LABELS


def _save_as() -> str:
    return _("Save it from your spreadsheet as “CSV UTF-8” and upload it again.")


def _readable() -> str:
    return _(
        "UTF-8, UTF-16, Windows-1250 to 1258 (Central European, Cyrillic, Western European, Greek, Turkish, "
        "Hebrew, Arabic, Baltic, Vietnamese), Shift-JIS, GB18030, Big5 or EUC-KR"
    )


# A cell may be up to a line long; the csv module's own limit is far lower by default.
csv.field_size_limit(MAX_LINE_CHARS + 1)


class FileProblem(Exception):
    """The whole file cannot be imported; the message says why and what to do."""


class EncodingProblem(FileProblem):
    """The file cannot be read in the encoding a person chose; another may read it."""


@dataclass
class FileFacts:
    encoding: str
    delimiter: str
    columns: list[str]
    sample: list[list[str]] = field(default_factory=list)  # the first readable records, for the guess
    total_rows: int = 0
    # Other encodings that read the file about as well (the reading is in doubt); empty when sure.
    alternatives: list[dict[str, str]] = field(default_factory=list)


@dataclass
class Record:
    """One record of the file. ``row`` is the number a person finds it by in a spreadsheet: the
    header is row 1, a blank line is a row, and a record whose quoted cell holds line breaks is one
    row. ``line`` is the line of text it starts on (as a text editor counts), which is larger after
    such a cell."""

    line: int
    row: int
    cells: list[str]
    problem: str = ""


def _codec(encoding: str) -> str:
    """The codec that reads the file: UTF-16 in its byte order (``open_text`` skips a byte order
    mark); Shift-JIS, EUC-KR and Big5 with Microsoft's supersets (ours are the names browsers use)."""
    return encodings.CODECS.get(encoding, encoding)


def _chunks(path: Path) -> Iterator[bytes]:
    with open(path, "rb") as fh:
        while chunk := fh.read(1 << 20):
            yield chunk


def _first_bad_line(path: Path, codec: str) -> int | None:
    """The first line these bytes do not decode in (none of our legacy codecs has a newline byte
    inside a character, so a line decodes alone)."""
    with open(path, "rb") as fh:
        for number, line in enumerate(fh, start=1):
            try:
                line.decode(codec)
            except UnicodeDecodeError:
                return number
    return None


def _unmarked_utf16(head: bytes) -> str | None:
    """UTF-16 written without a byte order mark (some tills and database tools do): a CSV's text is
    mostly ASCII (headers, emails, digits, delimiters), so nearly every pair of bytes has a zero in
    the same half, and the whole head reads as text. None for anything else (binary data too)."""
    pairs = len(head) // 2
    if pairs < 4:
        return None
    low, high = head[0 : pairs * 2 : 2].count(0), head[1 : pairs * 2 : 2].count(0)
    if high >= 0.6 * pairs and low <= 0.02 * pairs:
        codec = "utf-16-le"
    elif low >= 0.6 * pairs and high <= 0.02 * pairs:
        codec = "utf-16-be"
    else:
        return None
    try:
        text = head[: pairs * 2].decode(codec)
    except UnicodeDecodeError:
        text = head[: pairs * 2 - 2].decode(codec, errors="replace")  # a pair cut at the end
    if "\n" not in text and len(head) >= 65536:
        return None
    controls = sum(1 for ch in text if ch < " " and ch not in "\t\r\n") + text.count("\ufffd")
    return codec if controls <= len(text) // 1000 else None


def _check_head(head: bytes) -> str | None:
    """Refuses an empty or binary file; the encoding its byte order mark names, if it has one, or
    UTF-16's when the file is UTF-16 text without one."""
    if not head.strip(codecs.BOM_UTF8 + b" \t\r\n"):
        raise FileProblem(_("The file is empty: there is not even a header row."))
    if head.startswith(codecs.BOM_UTF8):
        bom = "utf-8-sig"
    elif head.startswith(codecs.BOM_UTF16_LE):
        return "utf-16-le"
    elif head.startswith(codecs.BOM_UTF16_BE):
        return "utf-16-be"
    else:
        bom = None
    if b"\x00" in head and (unmarked := _unmarked_utf16(head)):
        if not head.decode(unmarked, errors="replace").strip(" \t\r\n\x00"):
            raise FileProblem(_("The file is empty: there is not even a header row."))
        return unmarked
    if b"\x00" in head:
        raise FileProblem(
            _("This is not a CSV text file (it holds binary data, like a spreadsheet or an image). ") + _save_as()
        )
    return bom


def chosen_encoding(path: Path, encoding: str) -> str:
    """The encoding a person chose (one of ``encodings.CHOICES``), checked against the whole file."""
    with open(path, "rb") as fh:
        head = fh.read(65536)
    bom = _check_head(head)
    if bom is not None and encodings.choice(bom) != encoding:
        if bom.startswith("utf-16") and not head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
            raise EncodingProblem(_("This file is UTF-16 text (two bytes a letter), so it can only be read as UTF-16."))
        raise EncodingProblem(
            _("This file starts with a %(bom)s byte order mark, so it can only be read as %(bom)s.")
            % {"bom": "UTF-8" if bom == "utf-8-sig" else "UTF-16"}
        )
    if bom is not None:
        return bom
    bad = _first_bad_line(path, _codec(encoding))
    if bad is not None:
        raise EncodingProblem(
            _(
                "This file cannot be read as %(encoding)s: line %(line)d holds bytes it does not use. Choose another encoding."
            )
            % {"encoding": ENCODING_LABELS[encoding], "line": bad}
        )
    return encoding


def detect_encoding(path: Path, prefer: str | None = None) -> Detection:
    """UTF-8 (with or without BOM), UTF-16 (with or without), else the code page that reads the file best
    (``encodings.detect``; ``prefer`` is the store's own); refuses binary data and mixed encodings."""
    with open(path, "rb") as fh:
        bom = _check_head(fh.read(65536))
        if bom is not None and bom.startswith("utf-16"):
            return Detection(bom)
        utf8 = bom or "utf-8"
        fh.seek(0)
        decoder = codecs.getincrementaldecoder("utf-8")()
        line, saw_utf8 = 1, False
        while chunk := fh.read(1 << 20):
            try:
                decoder.decode(chunk)
            except UnicodeDecodeError as exc:
                bad_line = line + chunk.count(b"\n", 0, max(exc.start, 0))
                if saw_utf8 or any(b > 127 for b in chunk[: max(exc.start, 0)]):
                    raise FileProblem(
                        _("This file mixes text encodings: line %(line)d is not UTF-8 although earlier lines are. ")
                        % {"line": bad_line}
                        + _save_as()
                    ) from None
                break
            saw_utf8 = saw_utf8 or any(b > 127 for b in chunk)
            line += chunk.count(b"\n")
        else:
            try:
                decoder.decode(b"", final=True)
            except UnicodeDecodeError:
                pass
            else:
                return Detection(utf8)
    # Not UTF-8: a Windows export in the code page of the country it was made in.
    detection = encodings.detect(_chunks(path), prefer=prefer)
    if detection is None:
        bad = max((_first_bad_line(path, codec) or 0) for codec in encodings.LEGACY.values())
        raise FileProblem(
            _(
                "This file is not in an encoding we can read (%(encodings)s): line %(line)d holds bytes none of them use. "
            )
            % {"encodings": _readable(), "line": bad}
            + _save_as()
        )
    return detection


def _lines(fh: io.TextIOBase, counter: list[int], *, compose: bool = False) -> Iterator[str]:
    """Physical lines, counted, each refused when longer than the limit; ``compose`` joins letters and
    the marks a code page writes apart (``encodings.COMPOSED``: a mark never starts a line)."""
    for text in fh:
        counter[0] += 1
        if len(text) > MAX_LINE_CHARS:
            raise FileProblem(
                _("Line %(line)d is longer than %(limit)s; a line holds one customer, so this is not a customer list.")
                % {"line": counter[0], "limit": MAX_LINE_LABEL}
            )
        yield unicodedata.normalize("NFC", text) if compose and not text.isascii() else text


# Excel's first line naming the delimiter (``sep=;``), which it reads and hides: Excel writes it for
# semicolon, tab or comma files, some tools quote it or pad it with the delimiter (``sep=;;;``).
_SEP_LINE = re.compile(r'^\ufeff?"?sep=([^\w"\r\n ])"?\1*\r?\n?$', re.IGNORECASE)


def sep_delimiter(line: str) -> str | None:
    """The delimiter a first line ``sep=X`` names, or None when the line is no such line."""
    found = _SEP_LINE.match(line)
    return found.group(1) if found else None


def detect_delimiter(sample: str) -> str:
    """The candidate that splits the header into the most columns, consistently in the next rows."""
    lines = sample.splitlines(keepends=True)[:21]
    if len(lines) > 1 and not sample.endswith(("\n", "\r")):
        lines = lines[:-1]  # the sample may cut the last line short
    best, best_score = ",", (0, 0)
    for delimiter in DELIMITERS:
        try:
            rows = [r for r in csv.reader(lines, delimiter=delimiter) if r]
        except csv.Error:
            continue
        if not rows or len(rows[0]) < 2:
            continue
        width = len(rows[0])
        consistent = sum(1 for r in rows[1:] if len(r) == width)
        score = (consistent, width)
        if score > best_score:
            best, best_score = delimiter, score
    return best


def open_text(path: Path, encoding: str) -> io.TextIOWrapper:
    """The file as text, from after a UTF-16 byte order mark when it has one."""
    fh = open(path, encoding=_codec(encoding), newline="")  # noqa: SIM115 - the caller closes it
    if encoding.startswith("utf-16") and fh.read(1) != "\ufeff":
        fh.seek(0)
    return fh


def _records(fh: io.TextIOBase, delimiter: str, compose: bool) -> Iterator[Record]:
    """Every record after the header is read, with its first line and its row; blank lines are
    skipped, each still counted as a row, as a spreadsheet shows one. A first line ``sep=X`` names
    the delimiter and is no row (Excel hides it: the header is row 1), but is a line of text."""
    counter = [0]
    lines = _lines(fh, counter, compose=compose)
    first = next(lines, None)
    sep = sep_delimiter(first) if first is not None else None
    if sep is None and first is not None:
        lines = itertools.chain([first], lines)
    reader = csv.reader(lines, delimiter=sep or delimiter, strict=True)
    skipped = 1 if sep is not None else 0
    previous_end = skipped
    row = 0
    while True:
        start = previous_end + 1
        row += 1
        try:
            cells = next(reader)
        except StopIteration:
            return
        except csv.Error as exc:
            previous_end = reader.line_num + skipped
            text = str(exc)
            # The file's text is broken: mended in a text editor, so its line; a spreadsheet shows
            # the rest of the file in one cell of that row, so the row too.
            if "unexpected end of data" in text:
                raise FileProblem(
                    _(
                        "Line %(line)d opens a quote that never closes, so the rest of the file would be one cell "
                        "(a spreadsheet shows it in row %(row)d). "
                    )
                    % {"line": start, "row": row}
                    + _("Close the quote in a text editor and upload the file again.")
                ) from None
            if "field larger than field limit" in text:
                raise FileProblem(
                    _(
                        "A cell starting on line %(line)d (row %(row)d in a spreadsheet) runs past %(limit)s, most "
                        "likely because a quote never closes. Close the quote in a text editor and upload the file again."
                    )
                    % {"line": start, "row": row, "limit": MAX_LINE_LABEL}
                ) from None
            yield Record(
                start,
                row,
                [],
                _("The quotes on this row do not close where a cell ends; put the whole cell in quotes."),
            )
            continue
        previous_end = reader.line_num + skipped
        if cells and any(c.strip() for c in cells):
            yield Record(start, row, cells)


def header_and_records(
    fh: io.TextIOBase, delimiter: str, *, encoding: str = "utf-8"
) -> tuple[list[str], Iterator[Record]]:
    records = _records(fh, delimiter, encoding in encodings.COMPOSED)
    first = next(records, None)
    if first is None:
        raise FileProblem(_("The file is empty: there is not even a header row."))
    if first.problem:
        raise FileProblem(
            _("The header row (line %(line)d) cannot be read: %(why)s") % {"line": first.line, "why": first.problem}
        )
    if first.row != 1:
        if first.line != first.row:  # after a line ``sep=X``
            raise FileProblem(_("The header row with the column names must follow the line “sep=”; line 2 is blank."))
        raise FileProblem(_("The first line must be the header row with the column names; line 1 is blank."))
    return check_header(first.cells), records


def check_header(cells: list[str]) -> list[str]:
    columns = [c.strip() for c in cells]
    if len(columns) > MAX_COLUMNS:
        raise FileProblem(
            _("The header row has %(n)d columns; an import takes at most %(max)d.")
            % {"n": len(columns), "max": MAX_COLUMNS}
        )
    while columns and not columns[-1]:
        columns.pop()  # trailing empty columns, as spreadsheets often leave
    named = []
    for i, name in enumerate(columns, start=1):
        named.append(name or _("Column %(n)d") % {"n": i})
    seen: dict[str, int] = {}
    for i, name in enumerate(named, start=1):
        key = name.casefold()
        if key in seen:
            raise FileProblem(
                _(
                    "The column “%(name)s” appears twice in the header (columns %(first)d and %(second)d); "
                    "rename one and upload the file again."
                )
                % {"name": name, "first": seen[key], "second": i}
            )
        seen[key] = i
    return named


def inspect_file(path: Path, *, encoding: str | None = None, prefer: str | None = None) -> FileFacts:
    """Everything the mapping step needs, checking the whole file once (streamed, constant memory).
    ``encoding`` is one a person chose (``encodings.CHOICES``); else it is detected."""
    chosen = Detection(chosen_encoding(path, encoding)) if encoding is not None else None
    detection = chosen or detect_encoding(path, prefer)
    encoding = detection.encoding
    with open_text(path, encoding) as fh:
        try:
            sample = fh.read(65536)
        except UnicodeDecodeError:
            raise FileProblem(
                _("This file is not in an encoding we can read (%(encodings)s). ") % {"encodings": _readable()}
                + _save_as()
            ) from None
    first_line = next(iter(sample.lstrip("\ufeff").splitlines()), "")
    delimiter = sep_delimiter(first_line) or detect_delimiter(sample.lstrip("\ufeff"))
    with open_text(path, encoding) as fh:
        try:
            columns, records = header_and_records(fh, delimiter, encoding=encoding)
            first: list[list[str]] = []
            total = 0
            for record in records:
                total += 1
                if len(first) < SAMPLE_ROWS and not record.problem:
                    first.append([cell[:SAMPLE_CELL_CHARS] for cell in fit_cells(record.cells, len(columns))])
                if total > MAX_ROWS:
                    raise FileProblem(
                        _("The file has more than %(max)s customers; split it into files of at most %(max)s rows.")
                        % {"max": f"{MAX_ROWS:,}"}
                    )
        except UnicodeDecodeError as exc:
            if encoding not in encodings.LEGACY:
                raise FileProblem(
                    _("This file is not in an encoding we can read (%(encodings)s): %(why)s. ")
                    % {"encodings": _readable(), "why": exc.reason}
                    + _save_as()
                ) from None
            bad = _first_bad_line(path, _codec(encoding)) or 0
            if chosen is None:
                # Detection read the lines up to its budget; a later one is in another encoding.
                raise FileProblem(
                    _(
                        "This file mixes text encodings: line %(line)d cannot be read as %(encoding)s although earlier lines are. "
                    )
                    % {"line": bad, "encoding": ENCODING_LABELS.get(encoding, encoding)}
                    + _save_as()
                ) from None
            raise EncodingProblem(
                _(
                    "This file cannot be read as %(encoding)s: line %(line)d holds bytes it does not use. Choose another encoding."
                )
                % {"encoding": ENCODING_LABELS.get(encoding, encoding), "line": bad}
            ) from None
    if total == 0:
        raise FileProblem(_("The file has a header row but no customers under it."))
    return FileFacts(
        encoding=encoding,
        delimiter=delimiter,
        columns=columns,
        sample=first,
        total_rows=total,
        alternatives=detection.alternatives,
    )


def fit_cells(cells: list[str], width: int) -> list[str]:
    """Short rows are padded (exports often drop trailing empty cells); long ones are cut for display."""
    return (cells + [""] * width)[:width]


def read_records(path: Path, encoding: str, delimiter: str) -> Iterator[Record]:
    """The records of an inspected file, for the run; the header is checked again and skipped."""
    with open_text(path, encoding) as fh:
        _columns, records = header_and_records(fh, delimiter, encoding=encoding)
        yield from records
