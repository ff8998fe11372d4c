"""The task wrapper: a background task gets ids, loads its store and runs inside its scope.

Tasks take ids (never objects), so a task queued before a change sees the data as it is when it
runs; the scope is entered here, once, as the request middleware does for pages.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any, TypeVar

from django.apps import apps
from django_scopes import scope

T = TypeVar("T")


def in_store_scope(fn: Callable[..., T]) -> Callable[..., T]:
    """``fn(store, *args)`` becomes a task called as ``task(store_id, *args)``."""

    @wraps(fn)
    def wrapper(store_id: int, *args: Any, **kwargs: Any) -> T:
        # core imports no app: the model is looked up by name.
        store = apps.get_model("stores", "Store").objects.get(pk=store_id)
        with scope(store=store):
            return fn(store, *args, **kwargs)

    return wrapper
