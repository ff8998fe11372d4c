"""The import pages: upload, map the columns, watch the progress, read the results; past imports.

Owners and managers only (an associate gets 403 with the reason). The run itself happens in the
worker; these pages only start it, show its counters and cancel it.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse, HttpResponseBase, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt, csrf_protect
from django.views.decorators.http import require_GET, require_POST

from trunkshow.core.access import client_ip
from trunkshow.customers import importing
from trunkshow.customers.importing import encodings, uploads
from trunkshow.customers.importing import mapping as m
from trunkshow.customers.importing.reading import DELIMITERS, ENCODING_LABELS, MAX_FILE_LABEL
from trunkshow.customers.models import ImportJob, ImportOutcome, ImportRow, ImportStatus
from trunkshow.customers.selectors import customer_names
from trunkshow.stores.access import store_page

RESULTS_PAGE = 50
RUNNING = (ImportStatus.QUEUED, ImportStatus.RUNNING)
# A refused mapping waits in the session, by import, for the mapping page to show again after the
# redirect (a reload then shows it again instead of resubmitting); the newest few are kept.
REFUSED_MAPPINGS = "import_refused_mappings"
REFUSED_KEPT = 5


def _store(request: HttpRequest) -> Any:
    return request.store  # type: ignore[attr-defined]


def _job(request: HttpRequest, job_id: int) -> ImportJob:
    return importing.import_job_get_for(store=_store(request), job_id=job_id)


def _list_page(request: HttpRequest, error: str = "", status: int = 200) -> HttpResponse:
    jobs = ImportJob.objects.filter(store=_store(request)).select_related("created_by")[:50]
    context = {"nav": "customers", "jobs": jobs, "error": error, "limit": MAX_FILE_LABEL}
    return render(request, "customers/imports.html", context, status=status)


@store_page("customers.import")
@require_GET
def import_list(request: HttpRequest) -> HttpResponseBase:
    return _list_page(request)


@csrf_exempt  # the upload handler must be in place before anything reads the body; checked just below
@require_POST
def import_upload(request: HttpRequest) -> HttpResponseBase:
    return _upload(request, uploads.limit_uploads(request))


@csrf_protect
@store_page("customers.import")
def _upload(request: HttpRequest, handler: uploads.LimitedUpload) -> HttpResponse:
    upload = uploads.uploaded_file(request, handler)
    if handler.too_large:
        return _list_page(request, importing.too_large_message(), status=413)
    if upload is None:
        return _list_page(request, _("Choose a CSV file to upload."), status=400)
    try:
        job = importing.import_upload(
            store=_store(request), actor=request.user, file_name=upload.name or "", stream=upload
        )
    except ValidationError as exc:
        return _list_page(request, " ".join(exc.messages), status=400)
    return redirect("customers:import_detail", job_id=job.pk)


def _mapping_rows(job: ImportJob, preview: list[list[str]], chosen: dict[str, str]) -> list[dict[str, Any]]:
    rows = []
    clashing = m.clashing_columns(chosen)
    for i, column in enumerate(job.columns):
        samples = [row[i] for row in preview if i < len(row) and row[i].strip()][:3]
        rows.append(
            {
                "index": i,
                "column": column,
                "samples": samples,
                "chosen": chosen.get(column, m.IGNORE),
                "clash": column in clashing,
            }
        )
    return rows


def _progress(job: ImportJob) -> dict[str, Any]:
    total = job.total_rows or 0
    percent = int(job.processed_rows * 100 / total) if total else 0
    seconds_left = None
    if job.status == ImportStatus.RUNNING and job.started_at and job.processed_rows:
        elapsed = (timezone.now() - job.started_at).total_seconds()
        seconds_left = int(elapsed / job.processed_rows * (total - job.processed_rows))
    return {
        "status": job.status,
        "status_label": str(job.get_status_display()),
        "finished": job.status not in (*RUNNING, ImportStatus.UPLOADED),
        "total_rows": total,
        "processed_rows": job.processed_rows,
        "percent": percent,
        "seconds_left": seconds_left,
        "created_count": job.created_count,
        "merged_count": job.merged_count,
        "unchanged_count": job.unchanged_count,
        "error_count": job.error_count,
        "cancel_requested": job.cancel_requested,
        "text": _progress_text(job, total, seconds_left),
    }


def _progress_text(job: ImportJob, total: int, seconds_left: int | None) -> str:
    if job.cancel_requested:
        return _("Stopping after the rows in progress…")
    if job.status == ImportStatus.QUEUED:
        return _("Waiting for the worker to start…")
    text = _("%(done)s of %(total)s rows") % {"done": f"{job.processed_rows:,}", "total": f"{total:,}"}
    if seconds_left is not None:
        if seconds_left < 60:
            text += " · " + _("less than a minute left")
        else:
            text += " · " + _("about %(n)d minutes left") % {"n": round(seconds_left / 60)}
    return text


@store_page("customers.import")
@require_GET
def import_detail(request: HttpRequest, job_id: int) -> HttpResponse:
    job = _job(request, job_id)
    context: dict[str, Any] = {
        "nav": "customers",
        "job": job,
        "encoding_label": ENCODING_LABELS.get(job.encoding, job.encoding),
        "delimiter_label": DELIMITERS.get(job.delimiter, job.delimiter),
        "progress": _progress(job),
    }
    if job.status == ImportStatus.UPLOADED:
        refused = request.session.get(REFUSED_MAPPINGS, {}).get(str(job.pk))
        if refused is None:
            return _mapping_page(request, job, job.mapping, [])
        try:
            m.check_mapping(job.columns, refused)
        except ValidationError as exc:
            return _mapping_page(request, job, refused, exc.messages)
        return _mapping_page(request, job, refused, [])
    if job.status in RUNNING:
        context["stuck"] = importing.import_is_stuck(job)
        return render(request, "customers/import_progress.html", context)
    outcome = request.GET.get("outcome", "")
    if outcome not in ImportOutcome.values and outcome != "all":
        outcome = "error" if job.error_count else "all"
    rows = ImportRow.objects.filter(job=job)
    if outcome != "all":
        rows = rows.filter(outcome=outcome)
    # In the file's order in every tab: a row that names an earlier one ("created from row 2") comes after it.
    page = Paginator(rows.order_by("line"), RESULTS_PAGE).get_page(request.GET.get("page"))
    tabs = [
        ("error", _("Not imported"), job.error_count),
        ("created", _("Created"), job.created_count),
        ("merged", _("Merged"), job.merged_count),
        ("unchanged", _("Unchanged"), job.unchanged_count),
        ("all", _("All"), job.processed_rows),
    ]
    # The customers the page's rows name, as the app names them: one query for the page.
    names = customer_names(store=_store(request), ids=(row.customer_id for row in page if row.customer_id))
    results = [(row, names.get(row.customer_id, "") if row.customer_id else "") for row in page]
    context.update(page=page, results=results, outcome=outcome, tabs=tabs)
    return render(request, "customers/import_results.html", context)


def _mapping_page(
    request: HttpRequest,
    job: ImportJob,
    chosen: dict[str, str],
    errors: list[str],
    status: int = 200,
    encoding_errors: list[str] | None = None,
) -> HttpResponse:
    preview = importing.import_preview(job)
    # A file with a byte order mark is the encoding the mark names; any other may be read again.
    current = encodings.choice(job.encoding) if not job.encoding.startswith("utf-16") else None
    context = {
        "nav": "customers",
        "job": job,
        "encoding_label": ENCODING_LABELS.get(job.encoding, job.encoding),
        "encoding_current": current,
        "encoding_choices": [(key, str(ENCODING_LABELS[key])) for key in encodings.CHOICES] if current else [],
        "encoding_doubt": [
            {
                "label": ENCODING_LABELS.get(a["encoding"], a["encoding"]),
                "ours": a["ours"],
                "theirs": a["theirs"],
            }
            for a in job.encoding_alternatives
        ],
        "encoding_errors": encoding_errors or [],
        "delimiter_label": DELIMITERS.get(job.delimiter, job.delimiter),
        "preview": preview,
        "mapping_rows": _mapping_rows(job, preview, chosen),
        "fields": [(k, str(label)) for k, label in m.FIELDS.items()],
        "has_dates": any(name in m.DATES for name in chosen.values()),
        # Said above the columns at once, not only after pressing Import (check_mapping's refusal).
        "recognised": any(chosen.get(column) for column in job.columns),
        "identified": any(chosen.get(column) in m.IDENTIFYING for column in job.columns),
        "identifying": " ".join(sorted(m.IDENTIFYING)),
        "store_order": _("day/month/year") if m.date_order(job.store.locale) == "dmy" else _("month/day/year"),
        "errors": errors,
    }
    return render(request, "customers/import_mapping.html", context, status=status)


@store_page("customers.import")
@require_POST
def import_start(request: HttpRequest, job_id: int) -> HttpResponse:
    job = _job(request, job_id)
    chosen = {column: request.POST.get(f"col-{i}", m.IGNORE) for i, column in enumerate(job.columns)}
    try:
        importing.import_start(
            store=_store(request),
            actor=request.user,
            job=job,
            mapping=chosen,
            # The encoding the page showed its preview in: the person saw it and went on.
            encoding=request.POST.get("encoding") or None,
            ip=client_ip(request),
        )
    except ValidationError as exc:
        if job.status != ImportStatus.UPLOADED:
            messages.error(request, " ".join(exc.messages))
        else:  # shown again at the mapping page's own address, with the choices made and why they were refused
            _keep_refused_mapping(request, job, chosen)
        return redirect("customers:import_detail", job_id=job.pk)
    _keep_refused_mapping(request, job, None)
    return redirect("customers:import_detail", job_id=job.pk)


def _keep_refused_mapping(request: HttpRequest, job: ImportJob, chosen: dict[str, str] | None) -> None:
    kept = {k: v for k, v in request.session.get(REFUSED_MAPPINGS, {}).items() if k != str(job.pk)}
    if chosen is not None:
        kept = dict(list(kept.items())[-(REFUSED_KEPT - 1) :]) | {str(job.pk): chosen}
    if kept or REFUSED_MAPPINGS in request.session:
        request.session[REFUSED_MAPPINGS] = kept


@store_page("customers.import")
@require_POST
def import_encoding(request: HttpRequest, job_id: int) -> HttpResponse:
    """Read the waiting upload again in the encoding the person chose, and show its preview."""
    job = _job(request, job_id)
    try:
        importing.import_encoding_set(
            store=_store(request), actor=request.user, job=job, encoding=request.POST.get("encoding", "")
        )
    except ValidationError as exc:
        if job.status != ImportStatus.UPLOADED:
            messages.error(request, " ".join(exc.messages))
            return redirect("customers:import_detail", job_id=job.pk)
        return _mapping_page(request, job, job.mapping, [], status=400, encoding_errors=exc.messages)
    _keep_refused_mapping(request, job, None)  # read anew, the columns and their guess start over
    return redirect("customers:import_detail", job_id=job.pk)


@store_page("customers.import")
@require_POST
def import_cancel(request: HttpRequest, job_id: int) -> HttpResponse:
    job = _job(request, job_id)
    was = job.status
    try:
        job = importing.import_cancel(store=_store(request), actor=request.user, job=job)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return redirect("customers:import_detail", job_id=job.pk)
    if was == ImportStatus.UPLOADED:
        messages.success(request, _("The upload of %(file)s was discarded.") % {"file": job.file_name})
        return redirect("customers:imports")
    return redirect("customers:import_detail", job_id=job.pk)


@store_page("customers.import")
@require_POST
def import_retry(request: HttpRequest, job_id: int) -> HttpResponse:
    """Queue again an import no worker is running (the worker crashed or lost the task)."""
    job = _job(request, job_id)
    try:
        importing.import_retry(store=_store(request), actor=request.user, job=job)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _("Queued again; it goes on after the last row it finished."))
    return redirect("customers:import_detail", job_id=job.pk)


@store_page("customers.import")
@require_GET
def import_status(request: HttpRequest, job_id: int) -> JsonResponse:
    """The counters, for the progress page's script; the page itself works by reloading."""
    job = _job(request, job_id)
    return JsonResponse({**_progress(job), "url": reverse("customers:import_detail", args=[job.pk])})
