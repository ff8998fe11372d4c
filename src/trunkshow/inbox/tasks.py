"""Background work of the inbox: the response clock and snoozes, every minute."""

from __future__ import annotations

from typing import Any

from huey import crontab
from huey.contrib.djhuey import db_periodic_task, db_task

from trunkshow.core.tasks import in_store_scope


@db_periodic_task(crontab(minute="*"))
def inbox_minute() -> None:
    from trunkshow.inbox.services import inbox_tick

    inbox_tick()


@db_task(retries=2, retry_delay=30)
@in_store_scope
def push_message(store: Any, message_id: int, user_ids: list[int]) -> None:
    from trunkshow.inbox.push import push_send

    push_send(store=store, message_id=message_id, user_ids=user_ids)
