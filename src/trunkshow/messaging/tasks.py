"""Background work of the conversations: sending from the outbox, fetching customers' photos, their sweeps."""

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


@db_task()
@in_store_scope
def fetch_inbound_media(store: Any, message_id: int) -> None:
    """Fetch the photos a customer sent with an inbound text (see ``inbound_media``)."""
    from trunkshow.messaging.inbound_media import inbound_media_fetch

    inbound_media_fetch(store=store, message_id=message_id)


@db_periodic_task(crontab(minute="*"))
def sweep_inbound_media() -> None:
    """Every minute: fetch media whose fetch task was lost (see ``inbound_media_sweep``)."""
    from trunkshow.messaging.inbound_media import inbound_media_sweep

    for store_id, message_id in inbound_media_sweep():
        fetch_inbound_media(store_id, message_id)
