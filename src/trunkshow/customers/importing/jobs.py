"""An import's way through: upload (stored and inspected), mapping and start, the background run
in batches (cancellable, resumable), and the end, when the stored file is deleted."""

from __future__ import annotations

import hashlib
import logging
import multiprocessing
import secrets
from collections.abc import Callable, Generator, Iterator, Mapping
from concurrent.futures import Executor, Future, ProcessPoolExecutor, ThreadPoolExecutor
from contextlib import closing, contextmanager, suppress
from pathlib import Path
from typing import IO, Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import DatabaseError, connection, connections, transaction
from django.db.models import F, Max
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from trunkshow.core.audit import audit_log
from trunkshow.core.statistics import statistics_refresh
from trunkshow.core.tasks import enqueue_on_commit
from trunkshow.core.validation import clean_text
from trunkshow.customers import import_checker as checker
from trunkshow.customers.importing import encodings, inserts
from trunkshow.customers.importing import mapping as m
from trunkshow.customers.importing import reading as r
from trunkshow.customers.importing.rows import Context, Plan, Result, plan_record, write_batch
from trunkshow.customers.models import ImportJob, ImportOutcome, ImportRow, ImportStatus
from trunkshow.stores.models import Store

logger = logging.getLogger(__name__)

BATCH_ROWS = 2000
# From this many lines on, a second process checks the lines while this one writes them.
PROCESS_MIN_ROWS = 20_000
FINISHED = (ImportStatus.DONE, ImportStatus.CANCELLED, ImportStatus.FAILED)
COUNTERS = {
    ImportOutcome.CREATED: "created_count",
    ImportOutcome.MERGED: "merged_count",
    ImportOutcome.UNCHANGED: "unchanged_count",
    ImportOutcome.ERROR: "error_count",
}


def too_large_message() -> str:
    return _(
        "This file is over the %(limit)s limit for an import; split it into smaller files "
        "or remove the columns you do not need."
    ) % {"limit": r.MAX_FILE_LABEL}


def encoding_checked(encoding: str) -> str:
    """Our name for the encoding a person or program gave, or a refusal naming the ones we read."""
    chosen = encodings.choice(encoding)
    if chosen is None:
        raise ValidationError(
            {
                "encoding": _("“%(name)s” is not an encoding we read. Choose one of: %(choices)s.")
                % {"name": encoding[:50], "choices": encodings.choices_label()}
            }
        )
    return chosen


def encoding_doubt_message(encoding: str, alternatives: list[dict[str, str]]) -> str:
    """What a refusal to import on a guess says: how the file reads each way."""
    readings = [
        _("as %(encoding)s it reads “%(word)s”")
        % {"encoding": r.ENCODING_LABELS.get(a["encoding"], a["encoding"]), "word": a["theirs"]}
        for a in alternatives
    ]
    ours = alternatives[0]["ours"] if alternatives else ""
    return _(
        "We are not sure which encoding this file was saved in: as %(encoding)s it reads “%(word)s”, %(others)s. "
        "Choose the encoding."
    ) % {
        "encoding": r.ENCODING_LABELS.get(encoding, encoding),
        "word": ours,
        "others": "; ".join(readings),
    }


def _inspect(path: Path, store: Store, encoding: str | None) -> r.FileFacts:
    """The file's facts, read in the chosen encoding, else detected with the store's code page first."""
    try:
        return r.inspect_file(path, encoding=encoding, prefer=encodings.country_code_page(store.country))
    except r.EncodingProblem as exc:
        raise ValidationError({"encoding": str(exc)}) from None
    except r.FileProblem as exc:
        raise ValidationError({"file": str(exc)}) from None


def import_dir(store: Store) -> Path:
    """Where a store's uploaded files wait for their run: DATA_DIR/imports/<store id>/."""
    return Path(settings.DATA_DIR) / "imports" / str(store.pk)


def _path(job: ImportJob) -> Path:
    return Path(settings.DATA_DIR) / job.stored_path


def import_upload(
    *,
    store: Store,
    actor: Any,
    file_name: str,
    stream: IO[bytes] | Iterator[bytes],
    mapping: Mapping[str, object] | None = None,
    encoding: str | None = None,
    sure: bool = False,
) -> ImportJob:
    """Store the file under a name we choose, inspect it whole, and keep a job waiting for its mapping.

    ``mapping`` changes the guess for some columns (the command line's ``--mapping``): checked with
    the file's header before the job is made, so a bad one leaves nothing behind. ``encoding`` reads
    the file in that encoding instead of detecting it; ``sure`` refuses a detected encoding in doubt
    (where no person looks at the preview before the run), again leaving nothing behind."""
    chosen = encoding_checked(encoding) if encoding is not None else None
    name = clean_text((file_name or "").replace("\\", "/").rsplit("/", 1)[-1], field="file", max_length=255)
    if not name:
        name = "import.csv"
    folder = import_dir(store)
    # The folders this upload makes; a refused one removes them again if still empty, so it leaves
    # nothing behind (a folder holding another upload is never empty, and rmdir never removes it).
    made = [p for p in (folder.parent, folder) if not p.exists()]
    path = folder / f"{secrets.token_hex(16)}.csv"
    digest = hashlib.sha256()
    size = 0
    try:
        with _new_file(path) as out:
            chunks = iter(lambda: stream.read(1 << 20), b"") if hasattr(stream, "read") else stream
            for chunk in chunks:
                size += len(chunk)
                if size > r.MAX_FILE_BYTES:
                    raise ValidationError({"file": too_large_message()})
                digest.update(chunk)
                out.write(chunk)
        facts = _inspect(path, store, chosen)
        if sure and facts.alternatives:
            raise ValidationError({"encoding": encoding_doubt_message(facts.encoding, facts.alternatives)})
        guess = m.guess_mapping(facts.columns, facts.sample)
        if mapping is not None:
            # The file's own column names, so "telefon" changes the guess for "Telefon" rather than
            # being a second, unknown column beside it.
            named, clashes = m.name_columns(facts.columns, mapping)
            if clashes:
                raise ValidationError({"mapping": clashes})
            guess = m.check_mapping(facts.columns, {**guess, **named})
        job = ImportJob.objects.create(
            store=store,
            created_by=actor if getattr(actor, "pk", None) else None,
            file_name=name,
            file_size=size,
            file_sha256=digest.hexdigest(),
            stored_path=str(path.relative_to(Path(settings.DATA_DIR))),
            encoding=facts.encoding,
            encoding_alternatives=facts.alternatives,
            delimiter=facts.delimiter,
            columns=facts.columns,
            mapping=guess,
            total_rows=facts.total_rows,
        )
    except BaseException:
        path.unlink(missing_ok=True)
        for made_folder in reversed(made):
            with suppress(OSError):  # not empty: another upload is in it now
                made_folder.rmdir()
        raise
    return job


def _new_file(path: Path) -> IO[bytes]:
    """``path`` opened for writing, made with its folder; a folder another refused upload removes
    between the two (it was empty) is made again."""
    for _attempt in range(3):
        path.parent.mkdir(parents=True, exist_ok=True)
        try:
            return open(path, "xb")
        except FileNotFoundError:
            continue
    return open(path, "xb")


def import_preview(job: ImportJob) -> list[list[str]]:
    """The first rows of the stored file, as the mapping step shows them."""
    path = _path(job)
    if not job.stored_path or not path.exists():
        return []
    rows = []
    for record in r.read_records(path, job.encoding, job.delimiter):
        if not record.problem:
            rows.append(r.fit_cells(record.cells, len(job.columns)))
        if len(rows) >= r.PREVIEW_ROWS:
            break
    return rows


def import_start(
    *,
    store: Store,
    actor: Any,
    job: ImportJob,
    mapping: Mapping[str, object] | None = None,
    encoding: str | None = None,
    enqueue: bool = True,
    ip: str | None = None,
) -> ImportJob:
    """Check the mapping and queue the run (after commit); the web process never waits for it.

    Without a ``mapping`` the guessed one is used (the file's, read again when ``encoding`` reads
    it in another). ``encoding`` confirms the one the file was read in, or reads it again in another before the
    mapping is checked against its header. Without it, a detected encoding in doubt is refused:
    nothing is imported on a guess."""
    chosen = encoding_checked(encoding) if encoding is not None else None
    with transaction.atomic():
        locked = ImportJob.objects.select_for_update().get(pk=job.pk, store=store)
        if locked.status != ImportStatus.UPLOADED:
            raise ValidationError({"status": _("This import has already been started or cancelled.")})
        if chosen is not None and chosen != encodings.choice(locked.encoding):
            _reread(store, locked, chosen)
        elif chosen is None and locked.encoding_alternatives:
            raise ValidationError({"encoding": encoding_doubt_message(locked.encoding, locked.encoding_alternatives)})
        clean = m.check_mapping(locked.columns, locked.mapping if mapping is None else mapping)
        locked.mapping = clean
        locked.encoding_alternatives = []
        locked.status = ImportStatus.QUEUED
        locked.save(update_fields=["status", *_READ_FIELDS])
        audit_log(
            store=store,
            action="trunkshow.customer.import_started",
            actor=actor,
            obj=locked,
            data={"file": locked.file_name, "rows": locked.total_rows},
            ip=ip,
        )
        if enqueue:
            from trunkshow.customers.tasks import import_customers

            enqueue_on_commit(import_customers, store.pk, locked.pk)
    return locked


# What reading the file sets on its job (``_reread``), saved together.
_READ_FIELDS = ["encoding", "encoding_alternatives", "delimiter", "columns", "mapping", "total_rows"]


def _reread(store: Store, job: ImportJob, encoding: str) -> None:
    """Read the stored file again in ``encoding``: its header, delimiter, lines and the guessed
    mapping follow (a header in Japanese is other columns than the same bytes read as Western)."""
    path = _path(job)
    if not job.stored_path or not path.exists():
        raise ValidationError({"status": _("This import has already been started or cancelled.")})
    facts = _inspect(path, store, encoding)
    job.encoding = facts.encoding
    job.encoding_alternatives = []
    job.delimiter = facts.delimiter
    job.columns = facts.columns
    job.mapping = m.guess_mapping(facts.columns, facts.sample)
    job.total_rows = facts.total_rows


def import_encoding_set(*, store: Store, actor: Any, job: ImportJob, encoding: str) -> ImportJob:
    """Read a waiting upload again in the encoding a person chose (the preview looked wrong).
    A refusal (an unknown name, bytes that encoding does not use) changes nothing."""
    chosen = encoding_checked(encoding)
    with transaction.atomic():
        locked = ImportJob.objects.select_for_update().get(pk=job.pk, store=store)
        if locked.status != ImportStatus.UPLOADED:
            raise ValidationError({"status": _("This import has already been started or cancelled.")})
        _reread(store, locked, chosen)
        locked.save(update_fields=_READ_FIELDS)
    return locked


def import_cancel(*, store: Store, actor: Any, job: ImportJob) -> ImportJob:
    """Before the run: the job ends now. During it: the run stops after its current batch."""
    with transaction.atomic():
        locked = ImportJob.objects.select_for_update().get(pk=job.pk, store=store)
        if locked.status in FINISHED:
            raise ValidationError({"status": _("This import has already finished.")})
        if locked.status == ImportStatus.RUNNING:
            locked.cancel_requested = True
            locked.save(update_fields=["cancel_requested"])
        else:
            _finish(locked, ImportStatus.CANCELLED)
        audit_log(
            store=store,
            action="trunkshow.customer.import_cancelled",
            actor=actor,
            obj=locked,
            data={"file": locked.file_name},
        )
    return locked


def _finish(job: ImportJob, status: str, failure: str = "") -> None:
    _path(job).unlink(missing_ok=True) if job.stored_path else None
    job.status, job.failure, job.finished_at, job.stored_path = status, failure, timezone.now(), ""
    job.save(update_fields=["status", "failure", "finished_at", "stored_path"])


Progress = Callable[[ImportJob], None]


def import_run(*, store: Store, job_id: int, progress: Progress | None = None) -> ImportJob:
    """Import the file in batches; safe to run again after a crash (done lines are skipped)."""
    from trunkshow.customers.importing.recovery import claim_forget, run_claim

    with run_claim(store.pk, int(job_id)) as held:
        job = ImportJob.objects.get(store=store, pk=job_id)
        # Not held: another run of this job is at it (a retry of a job that was not lost after all).
        if not held or job.status not in (ImportStatus.QUEUED, ImportStatus.RUNNING):
            return job
        job = _claimed_run(store, job, progress)
    if job.status in FINISHED:
        claim_forget(store.pk, job.pk)
    return job


def _claimed_run(store: Store, job: ImportJob, progress: Progress | None) -> ImportJob:
    if job.cancel_requested:
        _finish(job, ImportStatus.CANCELLED)
        return job
    job.status = ImportStatus.RUNNING
    job.started_at = job.started_at or timezone.now()
    job.save(update_fields=["status", "started_at"])
    done_through = ImportRow.objects.filter(job=job).aggregate(last=Max("line"))["last"] or 1
    ctx = Context.for_job(store, job)
    with _fewer_checkpoints():
        finished = _run(ctx, job, done_through, progress)
    # A book that grew by thousands is planned by its new size from now on, not at night (ADR 0016).
    statistics_refresh()
    return finished


@contextmanager
def _fewer_checkpoints() -> Iterator[None]:
    """SQLite copies its write-ahead log into the database (with an fsync) every 1000 pages; a
    batch writes about that much, so an import would wait on the disk after every batch. During
    the run the log may grow to 20,000 pages (about 80 MB) and is copied back at the end."""
    if connection.vendor != "sqlite" or connection.in_atomic_block:  # a pragma cannot run in a transaction
        yield
        return
    with connection.cursor() as cur:
        cur.execute("PRAGMA wal_autocheckpoint")
        before = int(cur.fetchone()[0])
        cur.execute("PRAGMA wal_autocheckpoint = 20000")
    try:
        yield
    finally:
        with connection.cursor() as cur:
            cur.execute(f"PRAGMA wal_autocheckpoint = {before:d}")
            cur.execute("PRAGMA wal_checkpoint(PASSIVE)")  # readers are not blocked by a passive one


def _run(ctx: Context, job: ImportJob, done_through: int, progress: Progress | None) -> ImportJob:
    try:
        batches = _batches(r.read_records(_path(job), job.encoding, job.delimiter), done_through, job.line_numbers)
        with closing(_checked(ctx, batches)) as checked:
            for plans in checked:
                if not _run_batch(ctx, job, plans, progress):
                    return job
    except r.FileProblem as exc:
        job.refresh_from_db()
        _finish(job, ImportStatus.FAILED, str(exc))
        return job
    except Exception:
        logger.exception("Import %s failed", job.pk)
        job.refresh_from_db()
        _finish(job, ImportStatus.FAILED, _("Something went wrong on our side; it has been logged."))
        return job
    job.refresh_from_db()
    _finish(job, ImportStatus.DONE)
    if progress:
        progress(job)
    return job


def _checked(ctx: Context, batches: Iterator[list[r.Record]]) -> Generator[list[Plan], None, None]:
    """Each batch's records, checked. Checking a line (phone and email parsing, the services'
    validators) costs about as much time as writing it, so a large file is checked in a second
    process while this one writes (each on its own core; at most two batches are in memory,
    whatever the file's size). A small file is checked in line, as starting that process costs
    about a second; on PostgreSQL, which works in its own process, a thread does it instead (it
    runs while this one waits on the server). SQLite works inside this process and takes
    Python's lock back for every row of an ``executemany``, so a thread beside it only slows
    both down (measured): there a small file is checked in line."""
    language = translation.get_language()
    executor: Executor
    if (ctx.job.total_rows or 0) >= PROCESS_MIN_ROWS:
        executor = ProcessPoolExecutor(
            max_workers=1,
            mp_context=multiprocessing.get_context("spawn"),  # a fresh interpreter: no inherited connections
            initializer=checker.setup,
            initargs=(settings.SETTINGS_MODULE,),
        )
        check: Callable[[Context, list[r.Record], str | None], list[Plan]] = checker.plan_batch
    elif connection.vendor == "postgresql":
        executor, check = ThreadPoolExecutor(max_workers=1, thread_name_prefix="import-check"), _plan_batch
    else:
        for records in batches:
            yield [plan_record(ctx, record) for record in records]
        return
    with executor:
        checking: Future[list[Plan]] | None = None
        for records in batches:
            following = executor.submit(check, ctx, records, language)
            if checking is not None:
                yield checking.result()
            checking = following
        if checking is not None:
            yield checking.result()


def _batches(records: Iterator[r.Record], done_through: int, line_numbers: bool) -> Iterator[list[r.Record]]:
    """The file's records numbered after ``done_through`` (the highest number the job's results
    hold), BATCH_ROWS at a time. A job numbered by lines (it had results before rows were counted,
    ADR 0005) goes on numbering its records by the line they start on, so a resumed run skips
    exactly the records done and its results stay unique and in order."""
    batch: list[r.Record] = []
    for record in records:
        if line_numbers:
            record.row = record.line
        if record.row <= done_through:
            continue
        batch.append(record)
        if len(batch) >= BATCH_ROWS:
            yield batch
            batch = []
    if batch:
        yield batch


def _plan_batch(ctx: Context, records: list[r.Record], language: str | None) -> list[Plan]:
    """Check a batch's records (in the checking thread, in the run's language). Checking reads
    no database; should it ever, the thread's own connection is closed here, not left open."""
    try:
        return checker.plan_batch(ctx, records, language)
    finally:
        connections.close_all()


def _run_batch(ctx: Context, job: ImportJob, plans: list[Plan], progress: Progress | None) -> bool:
    """One batch in one transaction; False when a cancel was asked for (the job is then ended)."""
    if ImportJob.objects.filter(pk=job.pk, cancel_requested=True).exists():
        job.refresh_from_db()
        _finish(job, ImportStatus.CANCELLED)
        if progress:
            progress(job)
        return False
    try:
        with _batch_transaction():
            _save(job, write_batch(ctx, plans))
    except DatabaseError:
        # Something the checks could not foresee (a concurrent edit): each line alone, so only it fails.
        logger.warning("Import %s: batch from row %s retried row by row", job.pk, plans[0].row, exc_info=True)
        with _batch_transaction():
            rows = []
            for plan in plans:
                try:
                    with transaction.atomic():
                        rows += write_batch(ctx, [plan])
                except DatabaseError as exc:
                    rows.append(
                        Result(
                            plan.row,
                            ImportOutcome.ERROR,
                            _("The database refused this row: %(why)s") % {"why": str(exc)[:300]},
                        )
                    )
            _save(job, rows)
    if progress:
        job.refresh_from_db()
        progress(job)
    return True


@contextmanager
def _batch_transaction() -> Iterator[None]:
    """One batch's transaction. On PostgreSQL its commit does not wait for the write-ahead log to
    reach the disk (``synchronous_commit = off``, for this transaction only): a crash of the
    database server may then lose the last batches committed in the previous fraction of a
    second, whole (rows, ImportRows and counters together, never part of one), which is the
    case a killed worker already is: a re-run resumes after the last recorded line. The job's
    end (``_finish``) commits synchronously, which flushes every batch before it, so a job is
    never reported done with a batch that can still be lost. SQLite runs with
    ``synchronous=NORMAL`` in WAL mode, the same promise for every transaction."""
    with transaction.atomic():
        if connection.vendor == "postgresql":
            with connection.cursor() as cur:
                cur.execute("SET LOCAL synchronous_commit = off")
        yield


def _save(job: ImportJob, rows: list[Result]) -> None:
    inserts.insert_rows(
        ImportRow,
        (
            {
                "store_id": job.store_id,
                "job_id": job.pk,
                "line": r.row,
                "outcome": r.outcome,
                "customer_id": r.customer_id,
                "message": r.message,
            }
            for r in rows
        ),
    )
    counts: dict[str, Any] = {"processed_rows": F("processed_rows") + len(rows)}
    for outcome, column in COUNTERS.items():
        n = sum(1 for row in rows if row.outcome == outcome)
        if n:
            counts[column] = F(column) + n
    ImportJob.objects.filter(pk=job.pk).update(**counts)


def import_job_get_for(*, store: Store, job_id: Any) -> ImportJob:
    """The store's import with this id, or 404: another store's id looks like no id at all."""
    from django.http import Http404

    try:
        pk = int(job_id)
    except (TypeError, ValueError):
        raise Http404("No such import") from None
    job = ImportJob.objects.filter(store=store, pk=pk).first()
    if job is None:
        raise Http404("No such import")
    return job
