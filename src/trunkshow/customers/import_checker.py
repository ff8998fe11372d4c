"""The process that checks a large import's lines while the run writes the lines before them.

It starts as a fresh interpreter (``spawn``), so this module imports nothing of Django at its
top: the process loads it, and the function references it was given, before Django is set up.
"""

from __future__ import annotations

import os
from typing import Any


def setup(settings_module: str) -> None:
    """Set Django up in the checking process, with the run's settings module."""
    os.environ["DJANGO_SETTINGS_MODULE"] = settings_module
    import django

    django.setup()


def plan_batch(ctx: Any, records: list[Any], language: str | None) -> list[Any]:
    """Check one batch in the run's language. Checking reads no database, so this process never
    opens a connection."""
    from django.utils import translation

    from trunkshow.customers.importing.rows import plan_record

    with translation.override(language):
        return [plan_record(ctx, record) for record in records]
