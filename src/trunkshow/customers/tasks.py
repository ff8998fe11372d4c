"""Background work of the customer book, run by the Huey worker."""

from __future__ import annotations

from typing import Any

from huey import crontab
from huey.contrib.djhuey import db_periodic_task, db_task

from trunkshow.core.tasks import in_store_scope


@db_task()
@in_store_scope
def import_customers(store: Any, job_id: int) -> None:
    """Run an import; a re-run after a crash continues after the last row it finished."""
    from trunkshow.customers.importing import import_run

    import_run(store=store, job_id=job_id)


@db_periodic_task(crontab(minute="*/5"))
def imports_recover_task() -> list[int]:
    """Every five minutes: queue again the imports the worker lost (a crash, a lost task)."""
    from trunkshow.customers.importing.recovery import imports_recover

    return imports_recover()
