"""Background work of the conversations: sending from the outbox, and its safety sweep."""

from __future__ import annotations

from typing import Any

from huey import crontab
from huey.contrib.djhuey import db_periodic_task, db_task

from trunkshow.core.tasks import in_store_scope


@db_task()
@in_store_scope
def deliver_message(store: Any, message_id: int) -> None:
    from trunkshow.messaging.outbox import message_deliver

    message_deliver(store=store, message_id=message_id)


@db_periodic_task(crontab(minute="*"))
def sweep_outbox() -> None:
    """Every minute: send what is due but has no task waiting for it (see ``outbox_sweep``)."""
    from trunkshow.messaging.outbox import outbox_sweep

    for store_id, message_id in outbox_sweep():
        deliver_message(store_id, message_id)
