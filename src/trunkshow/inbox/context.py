"""What every staff page shows of the inbox: the count of @mentions waiting for the person reading."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest

from trunkshow.inbox.selectors import mentions_waiting_count


def mentions(request: HttpRequest) -> dict[str, Any]:
    store = getattr(request, "store", None)
    user = getattr(request, "user", None)
    if store is None or user is None or not user.is_authenticated:
        return {}
    return {"mentions_waiting": mentions_waiting_count(store=store, user=user)}
