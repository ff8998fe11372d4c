"""Imports the worker lost: who is running a job right now, a retry, and the periodic sweep.

A run holds a claim on its job for as long as it runs: a PostgreSQL session advisory lock, or
on SQLite (one machine) an exclusive ``flock`` on a file beside the upload. The operating
system or the database drops the claim when the process or its connection dies, so "queued or
running, and nobody holds the claim" means the run was lost (the worker crashed, or the queue
lost the task), not merely slow; no heartbeat timestamp to tune. A second run of the same job
finds the claim taken and returns at once, and a run that does start skips the lines already
done, so requeueing is always safe. See docs/adr/0005.
"""

from __future__ import annotations

import datetime as dt
import fcntl
import logging
import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django_scopes import scopes_disabled

from trunkshow.core.audit import audit_log
from trunkshow.core.tasks import enqueue_on_commit
from trunkshow.customers.models import ImportJob, ImportStatus
from trunkshow.stores.models import Store

logger = logging.getLogger(__name__)

WAITING = (ImportStatus.QUEUED, ImportStatus.RUNNING)
# The first key of the two-key advisory lock: "Ti" for Trunkshow imports, so the job id (the
# second key) cannot collide with another kind of lock.
LOCK_SPACE = 0x5469
# A job started this recently may still be on its way from the web process to the queue.
GRACE = dt.timedelta(minutes=2)
# Looking through the queue for a job's task stops here (a huge backlog is not read whole).
QUEUE_SCAN_LIMIT = 10_000


def _lock_path(store_id: int, job_id: int) -> str:
    folder = Path(settings.DATA_DIR) / "imports" / str(store_id)
    folder.mkdir(parents=True, exist_ok=True)
    return str(folder / f".run-{job_id}.lock")


@contextmanager
def run_claim(store_id: int, job_id: int, *, conn: Any = None) -> Iterator[bool]:
    """Hold the job's run claim while the block runs; yields False when another run holds it."""
    conn = conn or connection
    if conn.vendor == "postgresql":
        key = job_id % 2**31
        with conn.cursor() as cur:
            cur.execute("SELECT pg_try_advisory_lock(%s, %s)", [LOCK_SPACE, key])
            held = bool(cur.fetchone()[0])
        try:
            yield held
        finally:
            if held:
                with conn.cursor() as cur:
                    cur.execute("SELECT pg_advisory_unlock(%s, %s)", [LOCK_SPACE, key])
        return
    fd = os.open(_lock_path(store_id, job_id), os.O_RDWR | os.O_CREAT, 0o600)
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            yield False
            return
        yield True
    finally:
        os.close(fd)  # closing drops the lock; a crash drops it too


def claim_forget(store_id: int, job_id: int) -> None:
    """A finished job's lock file goes (SQLite). A run that still opens it finds the job finished
    and returns, so two runs can never both hold a claim on a job that has work left."""
    if connection.vendor != "postgresql":
        Path(_lock_path(store_id, job_id)).unlink(missing_ok=True)


def import_is_running(job: ImportJob) -> bool:
    """A run holds this job's claim right now (on another connection or in another process)."""
    with run_claim(job.store_id, job.pk) as free:
        return not free


def _queued_jobs() -> set[tuple[int, int]] | None:
    """(store id, job id) of every import task waiting in the queue (or for a retry); None when
    the queue cannot be read (Redis down): then nothing is called lost, and pages keep working."""
    from huey.contrib.djhuey import HUEY

    from trunkshow.customers.tasks import import_customers

    name = import_customers.task_class.__name__
    try:
        waiting = [*HUEY.pending(QUEUE_SCAN_LIMIT), *HUEY.scheduled(QUEUE_SCAN_LIMIT)]
    except Exception:
        logger.warning("The task queue could not be read; no import is called lost", exc_info=True)
        return None
    return {tuple(task.args[:2]) for task in waiting if getattr(task, "name", "") == name}


def import_is_stuck(job: ImportJob, *, queued: set[tuple[int, int]] | None = None) -> bool:
    """Queued or running, no run holds it and the queue does not hold its task: it needs a retry."""
    if job.status not in WAITING or import_is_running(job):
        return False
    queued = _queued_jobs() if queued is None else queued
    return queued is not None and (job.store_id, job.pk) not in queued


def _enqueue(job: ImportJob) -> None:
    from trunkshow.customers.tasks import import_customers

    store_id, job_id = job.store_id, job.pk
    enqueue_on_commit(import_customers, store_id, job_id)


def import_retry(*, store: Store, actor: Any, job: ImportJob) -> ImportJob:
    """Queue a stuck import again (the Retry button); it goes on after the last row it finished."""
    if job.store_id != store.pk:
        from django.http import Http404

        raise Http404("No such import")
    job.refresh_from_db()
    if job.status not in WAITING:
        raise ValidationError({"status": _("This import is not waiting or running; there is nothing to retry.")})
    if import_is_running(job):
        raise ValidationError({"status": _("The worker is importing this file right now; it needs no retry.")})
    with transaction.atomic():
        audit_log(
            store=store,
            action="trunkshow.customer.import_retried",
            actor=actor,
            obj=job,
            data={"file": job.file_name, "processed_rows": job.processed_rows},
        )
        _enqueue(job)
    return job


def imports_recover(*, now: dt.datetime | None = None) -> list[int]:
    """Queue again every import of every store that the worker lost; returns their ids.

    Run by the worker every few minutes (``tasks.imports_recover_task``). A job started within
    GRACE is left alone (its task may still be on its way to the queue).
    """
    cutoff = (now or timezone.now()) - GRACE
    requeued = []
    with scopes_disabled():
        jobs = list(ImportJob.objects.filter(status__in=WAITING, created_at__lt=cutoff).select_related("store"))
        queued = _queued_jobs() if jobs else set()
        if queued is None:
            return []
        for job in sorted(jobs, key=lambda j: j.pk):
            if import_is_stuck(job, queued=queued):
                logger.warning("Import %s of store %s was lost by the worker; queued again", job.pk, job.store_id)
                with transaction.atomic():
                    audit_log(
                        store=job.store,
                        action="trunkshow.customer.import_retried",
                        actor=None,
                        obj=job,
                        data={"file": job.file_name, "processed_rows": job.processed_rows, "by": "recovery"},
                    )
                    _enqueue(job)
                requeued.append(job.pk)
    return requeued
