"""Imports the worker lost: a task that never ran, a run killed mid-file. The Retry button and the
periodic sweep queue them again, a run in progress is never run twice, and nothing already
imported is imported again."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import pytest
from django.db import connections
from django.utils import timezone
from django_scopes import scope, scopes_disabled

from tests.conftest import World, browser_client
from tests.customers.import_support import shopify, upload
from trunkshow.core.models import AuditEntry
from trunkshow.customers import importing
from trunkshow.customers.importing import jobs
from trunkshow.customers.importing.recovery import run_claim
from trunkshow.customers.models import Customer, ImportJob, ImportRow, Note
from trunkshow.customers.tasks import imports_recover_task

LINES = [f"P{i},Q,p{i}@example.com,,,,,,,,,,,,,,," for i in range(5)]
# The same people, every other one with a note of two lines (as Shopify exports them): rows 2 to 6
# of a spreadsheet, starting on lines 2, 4, 5, 7 and 8 of the text.
NOTED = [line[:-1] + '"met at\nthe show",' if i % 2 == 0 else line for i, line in enumerate(LINES)]


def lost_job(world: World, lines: list[str] = LINES) -> ImportJob:
    """Started, but its task never reached a worker (the queue lost it)."""
    job = upload(world.a, world.a_owner, shopify(*lines))
    with scope(store=world.a):
        job = importing.import_start(store=world.a, actor=None, job=job, mapping=job.mapping, enqueue=False)
    return job


def age(job: ImportJob, minutes: int = 10) -> None:
    with scopes_disabled():
        ImportJob.objects.filter(pk=job.pk).update(created_at=timezone.now() - dt.timedelta(minutes=minutes))


def state(job: ImportJob) -> tuple[str, int, int, int, int]:
    with scopes_disabled():
        job.refresh_from_db()
        return (
            job.status,
            job.processed_rows,
            job.created_count,
            Customer.objects.filter(store=job.store).count(),
            ImportRow.objects.filter(job=job).count(),
        )


@contextmanager
def another_worker_running(job: ImportJob) -> Iterator[None]:
    """The claim held the way a run in another worker process holds it: its own connection
    (PostgreSQL) or its own open lock file (SQLite)."""
    other = connections.create_connection("default")
    try:
        with run_claim(job.store_id, job.pk, conn=other) as held:
            assert held is True
            yield
    finally:
        other.close()


def test_a_job_the_queue_lost_shows_retry_and_retrying_imports_it_once(
    world: World, django_capture_on_commit_callbacks
):
    job = lost_job(world)
    page = browser_client(world.a_manager)
    progress = page.get(f"/customers/imports/{job.pk}/")
    assert progress.context["stuck"] is True
    assert "No worker is running this import" in progress.content.decode()
    assert state(job) == ("queued", 0, 0, 0, 0)

    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        response = page.post(f"/customers/imports/{job.pk}/retry/", follow=True)
    assert len(callbacks) == 1
    assert "Queued again; it goes on after the last row it finished." in response.content.decode()
    assert state(job) == ("done", 5, 5, 5, 5)
    with scopes_disabled():
        entry = AuditEntry.objects.get(action="trunkshow.customer.import_retried")
    assert (entry.store_id, entry.actor_id, entry.data) == (
        world.a.pk,
        world.a_manager.user.pk,
        {"file": "customers.csv", "processed_rows": 0},
    )

    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        again = page.post(f"/customers/imports/{job.pk}/retry/", follow=True)
    assert callbacks == []
    assert "This import is not waiting or running; there is nothing to retry." in again.content.decode()
    assert state(job) == ("done", 5, 5, 5, 5)


def test_the_sweep_requeues_a_run_killed_mid_file_which_goes_on_after_its_last_line(
    world: World, monkeypatch: Any, django_capture_on_commit_callbacks: Any
):
    monkeypatch.setattr(jobs, "BATCH_ROWS", 2)
    job = lost_job(world, NOTED)

    def killed_after_the_first_batch(job: ImportJob) -> None:
        raise KeyboardInterrupt  # the worker process killed: its claim goes with it

    with scope(store=world.a), pytest.raises(KeyboardInterrupt):
        importing.import_run(store=world.a, job_id=job.pk, progress=killed_after_the_first_batch)
    assert state(job) == ("running", 2, 2, 2, 2)

    # Just started (within the grace period): left alone, its task may be on its way.
    with django_capture_on_commit_callbacks(execute=True):
        assert imports_recover_task.call_local() == []
    age(job)
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        assert imports_recover_task.call_local() == [job.pk]
    assert len(callbacks) == 1
    assert state(job) == ("done", 5, 5, 5, 5)
    with scopes_disabled():
        assert list(ImportRow.objects.filter(job=job).values_list("line", "outcome")) == [
            (n, "created") for n in range(2, 7)
        ]
        assert sorted(Customer.objects.values_list("first_name", flat=True)) == ["P0", "P1", "P2", "P3", "P4"]
        assert Note.objects.filter(body="met at\nthe show").count() == 3
        entry = AuditEntry.objects.get(action="trunkshow.customer.import_retried")
    assert (entry.actor_id, entry.data) == (None, {"file": "customers.csv", "processed_rows": 2, "by": "recovery"})
    with django_capture_on_commit_callbacks(execute=True):
        assert imports_recover_task.call_local() == []


def test_a_job_a_live_run_holds_is_neither_swept_nor_retried_nor_run_twice(
    world: World, django_capture_on_commit_callbacks: Any
):
    job = lost_job(world)
    age(job)
    page = browser_client(world.a_owner)
    with another_worker_running(job):
        with django_capture_on_commit_callbacks(execute=True) as callbacks:
            assert imports_recover_task.call_local() == []
            refused = page.post(f"/customers/imports/{job.pk}/retry/", follow=True)
        assert callbacks == []
        assert "The worker is importing this file right now; it needs no retry." in refused.content.decode()
        assert page.get(f"/customers/imports/{job.pk}/").context["stuck"] is False
        # A second run of the same job (a duplicate task) leaves it to the one at work.
        with scope(store=world.a):
            importing.import_run(store=world.a, job_id=job.pk)
        assert state(job) == ("queued", 0, 0, 0, 0)
    with scopes_disabled():
        assert AuditEntry.objects.filter(action="trunkshow.customer.import_retried").count() == 0
    # That worker died without finishing: now the sweep takes it.
    with django_capture_on_commit_callbacks(execute=True):
        assert imports_recover_task.call_local() == [job.pk]
    assert state(job) == ("done", 5, 5, 5, 5)


def test_retrying_another_stores_import_is_a_404_and_changes_nothing(world: World):
    job = lost_job(world)
    response = browser_client(world.b_owner).post(f"/customers/imports/{job.pk}/retry/")
    assert response.status_code == 404
    assert state(job) == ("queued", 0, 0, 0, 0)


def test_a_finished_run_leaves_no_lock_file_behind(world: World, settings: Any):
    job = lost_job(world)
    with scope(store=world.a):
        importing.import_run(store=world.a, job_id=job.pk)
    assert state(job) == ("done", 5, 5, 5, 5)
    folder = settings.DATA_DIR / "imports" / str(world.a.pk)
    assert sorted(p.name for p in folder.iterdir() if p.name.startswith(".run-")) == []


def test_a_job_whose_task_still_waits_in_the_queue_is_not_called_lost(world: World):
    from huey.contrib.djhuey import HUEY

    from trunkshow.customers.tasks import import_customers

    job = lost_job(world)
    age(job)
    # The task sits in the queue behind other work (stored as the consumer would find it).
    HUEY.storage.enqueue(HUEY.serialize_task(import_customers.s(world.a.pk, job.pk)))
    try:
        assert imports_recover_task.call_local() == []
        assert browser_client(world.a_owner).get(f"/customers/imports/{job.pk}/").context["stuck"] is False
    finally:
        HUEY.storage.flush_queue()
    assert state(job) == ("queued", 0, 0, 0, 0)
