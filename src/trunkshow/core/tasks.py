"""The task wrapper: a background task gets ids, loads its store and runs inside its scope.

Tasks take ids (never objects), so a task queued before a change sees the data as it is when it
runs; the scope is entered here, once, as the request middleware does for pages.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from functools import wraps
from typing import Any, TypeVar

from django.apps import apps
from django.db import transaction
from django_scopes import scope
from huey import crontab
from huey.contrib.djhuey import db_periodic_task

from trunkshow.core import clock

T = TypeVar("T")
logger = logging.getLogger(__name__)


def in_store_scope(fn: Callable[..., T]) -> Callable[..., T]:
    """``fn(store, *args)`` becomes a task called as ``task(store_id, *args)``."""

    @wraps(fn)
    def wrapper(store_id: int, *args: Any, **kwargs: Any) -> T:
        # core imports no app: the model is looked up by name.
        store = apps.get_model("stores", "Store").objects.get(pk=store_id)
        with scope(store=store):
            return fn(store, *args, **kwargs)

    return wrapper


def enqueue_on_commit(task: Any, *args: Any, eta: Any = None) -> None:
    """Queue ``task(*args)`` (at ``eta``, a time of the house clock ``core.clock``, if given) once the
    transaction commits.

    The row the task works from is committed first, so the queue being unreachable (Redis down)
    loses nothing: the request still succeeds, the failure is logged, and the task's periodic
    sweep finds the row (``sweep_outbox``, ``sweep_inbound_media``, ``imports_recover_task``). Only a
    web push notification has no sweep; it is a nudge, and the inbox shows the message anyway.
    """
    from trunkshow.core.cache import OUTAGE

    def send() -> None:
        try:
            if eta is None:
                task(*args)
            else:
                task.schedule(args, eta=clock.local(eta))
        except OUTAGE:
            name = task.task_class.__name__
            logger.warning("The task queue is unreachable: %s%r waits for its sweep", name, args)

    transaction.on_commit(send)


@db_periodic_task(crontab(hour="3", minute="41"))
def statistics_refresh_task() -> float | None:
    """Every night: the SQLite planner's statistics, for books that grew by the day (ADR 0016)."""
    from trunkshow.core.statistics import statistics_refresh

    return statistics_refresh()
