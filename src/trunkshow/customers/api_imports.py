"""API: CSV imports under /api/v1/imports: upload, read again in another encoding, start with a
mapping, status, rows, cancel.

Owners and managers only. Another store's import id is a 404 like an id that never existed.
"""

from __future__ import annotations

import datetime as dt
from typing import Any, Literal

from django.http import HttpRequest
from ninja import Field, Query, Router, Schema, Status
from pydantic import ConfigDict

from trunkshow.core.access import client_ip
from trunkshow.core.api import ERRORS, ApiError, ErrorOut, Page, paginate, refuse_body, refuse_unknown_parameters
from trunkshow.customers import importing
from trunkshow.customers.importing import encodings, uploads
from trunkshow.customers.importing import mapping as m
from trunkshow.customers.importing.reading import DELIMITERS, ENCODING_LABELS
from trunkshow.customers.models import ImportJob, ImportOutcome, ImportRow
from trunkshow.customers.selectors import customer_names
from trunkshow.stores import roles
from trunkshow.stores.models import Membership

router = Router(tags=["imports"])


def _who(request: HttpRequest) -> Membership:
    membership: Membership = request.auth  # type: ignore[attr-defined]
    roles.require(membership, "customers.import")
    return membership


def _job(request: HttpRequest, job_id: int) -> ImportJob:
    return importing.import_job_get_for(store=_who(request).store, job_id=job_id)


class EncodingAlternativeOut(Schema):
    encoding: str = Field(description="Another encoding that reads the file about as well")
    encoding_label: str
    ours: str = Field(description="A word as the file is read now")
    theirs: str = Field(description="The same word read in this encoding")


class ImportJobOut(Schema):
    id: int
    file_name: str
    file_size: int
    file_sha256: str
    status: str
    encoding: str = Field(
        description="The encoding the file was read in: utf-8, utf-8-sig, utf-16-le, utf-16-be, windows-1252, "
        "windows-1250, windows-1251, windows-1253, windows-1254, shift_jis, gb18030, euc-kr, windows-1255, "
        "windows-1256, windows-1257, windows-1258, big5"
    )
    encoding_label: str
    encoding_alternatives: list[EncodingAlternativeOut] = Field(
        description="While the detected encoding is in doubt, the others that read the file about as well; "
        "starting such an import needs an `encoding`"
    )
    encodings: dict[str, str] = Field(description="Every encoding a file may be read in, with its label")
    delimiter: str
    delimiter_label: str
    columns: list[str]
    mapping: dict[str, str] = Field(description="Column → field: the guess until the import starts, then the one used")
    fields: dict[str, str] = Field(description="Every field a column may be mapped to, with its label")
    preview: list[list[str]] = Field(description="The first rows of the file, while it waits for its mapping")
    total_rows: int | None
    processed_rows: int
    created_count: int
    merged_count: int
    unchanged_count: int
    error_count: int
    cancel_requested: bool
    line_numbers: bool = Field(
        description="True for an import that had results before 2026-11-25: its rows' `line` is the line of the "
        "file's text a record starts on, not its spreadsheet row"
    )
    failure: str
    created_at: dt.datetime
    started_at: dt.datetime | None
    finished_at: dt.datetime | None


def job_out(job: ImportJob, *, preview: bool = False) -> ImportJobOut:
    return ImportJobOut(
        id=job.pk,
        file_name=job.file_name,
        file_size=job.file_size,
        file_sha256=job.file_sha256,
        status=job.status,
        encoding=job.encoding,
        encoding_label=str(ENCODING_LABELS.get(job.encoding, job.encoding)),
        encoding_alternatives=[
            EncodingAlternativeOut(
                encoding=a["encoding"],
                encoding_label=str(ENCODING_LABELS.get(a["encoding"], a["encoding"])),
                ours=a["ours"],
                theirs=a["theirs"],
            )
            for a in job.encoding_alternatives
        ],
        encodings={key: str(ENCODING_LABELS[key]) for key in encodings.CHOICES},
        delimiter=job.delimiter,
        delimiter_label=str(DELIMITERS.get(job.delimiter, job.delimiter)),
        columns=job.columns,
        mapping=job.mapping,
        fields={k: str(label) for k, label in m.FIELDS.items()},
        preview=importing.import_preview(job) if preview and job.status == "uploaded" else [],
        total_rows=job.total_rows,
        processed_rows=job.processed_rows,
        created_count=job.created_count,
        merged_count=job.merged_count,
        unchanged_count=job.unchanged_count,
        error_count=job.error_count,
        cancel_requested=job.cancel_requested,
        line_numbers=job.line_numbers,
        failure=job.failure,
        created_at=job.created_at,
        started_at=job.started_at,
        finished_at=job.finished_at,
    )


class StartIn(Schema):
    model_config = ConfigDict(extra="forbid")
    mapping: dict[str, str] | None = Field(
        None,
        description="Column → field for every column to import; a column left out is not imported. "
        "Without it the guessed `mapping` is used, as the import shows it (after reading the file again "
        "when `encoding` names another)",
    )
    encoding: str | None = Field(
        None,
        max_length=50,
        description="The encoding to read the file in (one of `encodings`): confirms the one it was read in, "
        "or reads it again before the mapping is checked. Required while `encoding_alternatives` is not empty",
    )


class EncodingIn(Schema):
    model_config = ConfigDict(extra="forbid")
    encoding: str = Field(max_length=50, description="One of the import's `encodings`, such as shift_jis")


class RowOut(Schema):
    # Named ``line`` since the API began; renaming it would break its clients.
    line: int = Field(
        description="The record's row as a spreadsheet shows the file: the header is row 1, a blank line is a row, "
        "and a quoted cell with line breaks is within one row. For an import whose `line_numbers` is true "
        "(one that had results before 2026-11-25), the line of the file's text the record starts on"
    )
    outcome: str
    customer_id: int | None
    customer_name: str | None = Field(
        description="The customer's name as the app shows it (without a name, their phone or email); "
        "null when the row has no customer"
    )
    message: str


class RowPage(Page):
    items: list[RowOut]


class RowFilters(Schema):
    outcome: Literal["created", "merged", "unchanged", "error"] | None = None
    cursor: str | None = Field(None, max_length=1000)
    limit: int = Field(100, ge=1, le=500)


class JobPage(Page):
    items: list[ImportJobOut]


class JobFilters(Schema):
    cursor: str | None = Field(None, max_length=1000)
    limit: int = Field(25, ge=1, le=100)


UPLOAD_BODY: dict[str, Any] = {
    "requestBody": {
        "required": True,
        "content": {
            "multipart/form-data": {
                "schema": {
                    "type": "object",
                    "required": ["file"],
                    "properties": {
                        "file": {"type": "string", "format": "binary", "description": "the CSV file"},
                        "encoding": {
                            "type": "string",
                            "maxLength": 50,
                            "description": "read the file in this encoding (shift_jis, windows-1251, ...) "
                            "instead of detecting it",
                        },
                    },
                }
            }
        },
    }
}


@router.post(
    "",
    response={201: ImportJobOut, 413: ErrorOut, **ERRORS},
    summary="Upload a CSV file to import",
    openapi_extra=UPLOAD_BODY,
)
def import_upload(request: HttpRequest) -> Status[ImportJobOut]:
    """Detects the encoding and delimiter, checks the whole file, guesses the mapping and shows the first rows.
    Nothing is imported until the import is started."""
    who = _who(request)
    if uploads.declared_too_large(request):
        raise ApiError(413, "too_large", importing.too_large_message())
    handler = uploads.limit_uploads(request)
    upload = uploads.uploaded_file(request, handler)
    if handler.too_large:
        raise ApiError(413, "too_large", importing.too_large_message())
    if upload is None:
        raise ApiError(400, "invalid", "Send the CSV file as the multipart field “file”.", {"file": ["Required."]})
    if len(request.FILES.getlist("file")) > 1:
        raise ApiError(
            400, "invalid", "Send one file per upload.", {"file": ["This request holds several files; send one."]}
        )
    unknown = sorted({*request.POST, *request.FILES} - {"file", "encoding"})
    if unknown:
        raise ApiError(
            400,
            "invalid",
            "An upload takes the fields “file” and “encoding” only.",
            {name[:50]: ["Unknown field."] for name in unknown[:10]},
        )
    encoding = request.POST.get("encoding") or None
    job = importing.import_upload(
        store=who.store, actor=who.user, file_name=upload.name or "", stream=upload, encoding=encoding
    )
    return Status(201, job_out(job, preview=True))


@router.get("", response={200: JobPage, **ERRORS}, summary="List imports")
def import_list(request: HttpRequest, filters: Query[JobFilters]) -> JobPage:
    refuse_unknown_parameters(request, JobFilters)
    who = _who(request)
    rows, next_cursor = paginate(
        ImportJob.objects.filter(store=who.store), cursor=filters.cursor, limit=filters.limit, keys=("-id",)
    )
    return JobPage(items=[job_out(j) for j in rows], next_cursor=next_cursor)


@router.get("/{job_id}", response={200: ImportJobOut, **ERRORS}, summary="Read an import: status and counts")
def import_read(request: HttpRequest, job_id: int) -> ImportJobOut:
    refuse_unknown_parameters(request, Schema)
    return job_out(_job(request, job_id), preview=True)


@router.post(
    "/{job_id}/start",
    response={202: ImportJobOut, **ERRORS},
    summary="Start an import, with the guessed mapping or your own",
)
def import_start(request: HttpRequest, job_id: int, payload: StartIn) -> Status[ImportJobOut]:
    """Runs in the background; poll the import for progress."""
    who, job = _who(request), _job(request, job_id)
    job = importing.import_start(
        store=who.store,
        actor=who.user,
        job=job,
        mapping=payload.mapping,
        encoding=payload.encoding,
        ip=client_ip(request),
    )
    return Status(202, job_out(_job(request, job.pk)))


@router.post(
    "/{job_id}/encoding", response={200: ImportJobOut, **ERRORS}, summary="Read an upload again in another encoding"
)
def import_encoding(request: HttpRequest, job_id: int, payload: EncodingIn) -> ImportJobOut:
    """While it waits for its mapping: the columns, the guessed mapping and the preview are read again.
    Refused (and nothing changed) for an unknown encoding or one the file's bytes do not fit."""
    who, job = _who(request), _job(request, job_id)
    job = importing.import_encoding_set(store=who.store, actor=who.user, job=job, encoding=payload.encoding)
    return job_out(job, preview=True)


@router.post("/{job_id}/cancel", response={200: ImportJobOut, **ERRORS}, summary="Cancel an import")
def import_cancel(request: HttpRequest, job_id: int) -> ImportJobOut:
    """Before it runs it ends at once; while running it stops after the current batch (the lines done stay)."""
    refuse_body(request)
    who, job = _who(request), _job(request, job_id)
    importing.import_cancel(store=who.store, actor=who.user, job=job)
    return job_out(_job(request, job_id))


@router.get("/{job_id}/rows", response={200: RowPage, **ERRORS}, summary="What happened to each row")
def import_rows(request: HttpRequest, job_id: int, filters: Query[RowFilters]) -> RowPage:
    refuse_unknown_parameters(request, RowFilters)
    who, job = _who(request), _job(request, job_id)
    qs = ImportRow.objects.filter(job=job)
    if filters.outcome:
        qs = qs.filter(outcome=ImportOutcome(filters.outcome))
    rows, next_cursor = paginate(qs, cursor=filters.cursor, limit=filters.limit, keys=("line",))
    names = customer_names(store=who.store, ids=(r.customer_id for r in rows if r.customer_id))
    return RowPage(
        items=[
            RowOut(
                line=r.line,
                outcome=r.outcome,
                customer_id=r.customer_id,
                customer_name=names.get(r.customer_id) if r.customer_id else None,
                message=r.message,
            )
            for r in rows
        ],
        next_cursor=next_cursor,
    )
