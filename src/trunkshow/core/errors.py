"""The answer when something fails on our side: 503 "try again" when the database cannot be
reached (a restart, a failover, a full connection pool), 500 otherwise.

Django calls ``server_error`` (``handler500``) inside the ``except`` block of the failed request,
so the exception is at hand. Nothing here touches the database: the pages are static templates.
A database that comes back is used again by the next request (connections are health-checked on
reuse), without restarting anything.
"""

from __future__ import annotations

import json
import sys

from django.db import InterfaceError, OperationalError
from django.http import HttpRequest, HttpResponse
from django.template import loader

RETRY_AFTER_SECONDS = 30
UNAVAILABLE_MESSAGE = "The store's data cannot be reached just now; nothing was half-saved. Try again in a minute."
JSON_PREFIXES = ("/api/", "/widget/api/", "/hooks/")


def database_unreachable(exc: BaseException | None) -> bool:
    """A failure to talk to the database (connection refused or dropped, server shutting down,
    SQLite's file locked too long), as opposed to a bug in a statement."""
    return isinstance(exc, OperationalError | InterfaceError)


def server_error(request: HttpRequest) -> HttpResponse:
    down = database_unreachable(sys.exc_info()[1])
    status = 503 if down else 500
    if request.path.startswith(JSON_PREFIXES):
        code, message = (
            ("unavailable", UNAVAILABLE_MESSAGE)
            if down
            else ("server_error", "Something went wrong on our side; it has been logged.")
        )
        body = {"error": {"code": code, "message": message, "fields": {}}}
        response = HttpResponse(json.dumps(body), status=status, content_type="application/json")
    else:
        template = "503.html" if down else "500.html"
        response = HttpResponse(loader.get_template(template).render(), status=status)
    if down:
        response["Retry-After"] = str(RETRY_AFTER_SECONDS)
    return response
