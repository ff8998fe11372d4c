"""Background work of the inbox: the response clock and snoozes, every minute."""

from __future__ import annotations

from huey import crontab
from huey.contrib.djhuey import db_periodic_task


@db_periodic_task(crontab(minute="*"))
def inbox_minute() -> None:
    from trunkshow.inbox.services import inbox_tick

    inbox_tick()
