"""Liveness and readiness probes for load balancers and orchestrators."""

from __future__ import annotations

from django.conf import settings
from django.db import connection
from django.http import HttpRequest, JsonResponse


def healthz(request: HttpRequest) -> JsonResponse:
    return JsonResponse({"status": "ok"})


def readyz(request: HttpRequest) -> JsonResponse:
    """200 "ok"; 200 "degraded" with the queue or Redis unreachable; 503 without the database."""
    checks: dict[str, str] = {}
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
        checks["database"] = "ok"
    except Exception as exc:  # noqa: BLE001 - reported, not raised
        checks["database"] = f"error: {exc.__class__.__name__}"
    try:
        from huey.contrib.djhuey import HUEY

        HUEY.storage.queue_size()
        checks["queue"] = "ok"
    except Exception as exc:  # noqa: BLE001
        checks["queue"] = f"error: {exc.__class__.__name__}"
    if settings.REDIS_URL:
        try:
            import redis

            redis.Redis.from_url(settings.REDIS_URL, socket_timeout=2).ping()
            checks["layer"] = "ok"
        except Exception as exc:  # noqa: BLE001
            checks["layer"] = f"error: {exc.__class__.__name__}"
    else:
        checks["layer"] = "ok"
    # Without the database nothing can be answered: 503, take this process out of rotation. Without
    # the queue or Redis, pages, the widget and webhooks still answer (docs/production.md, "While
    # Redis is down"): still ready, "degraded", so a balancer does not take every process out at once.
    if checks["database"] != "ok":
        return JsonResponse({"status": "unavailable", "checks": checks}, status=503)
    ok = all(value == "ok" for value in checks.values())
    return JsonResponse({"status": "ok" if ok else "degraded", "checks": checks})
