"""Helpers for the import tests: files as point-of-sale systems write them, and a job run to the end."""

from __future__ import annotations

import io
from contextlib import AbstractContextManager
from typing import Any

from django_scopes import scope, scopes_disabled

from tests.customers.test_api_support import CUSTOMER_MODELS
from trunkshow.customers import importing
from trunkshow.customers.models import ImportJob, ImportRow

SHOPIFY_HEADER = (
    "First Name,Last Name,Email,Accepts Email Marketing,Default Address Company,Address1,Address2,City,"
    "Province Code,Country Code,Zip,Phone,Accepts SMS Marketing,Total Spent,Total Orders,Tags,Note,Tax Exempt"
)


def shopify(*rows: str) -> bytes:
    return ("\n".join([SHOPIFY_HEADER, *rows]) + "\n").encode()


def upload(store: Any, person: Any, content: bytes, name: str = "customers.csv") -> ImportJob:
    with scope(store=store):
        return importing.import_upload(
            store=store, actor=person.user if person else None, file_name=name, stream=io.BytesIO(content)
        )


def run(store: Any, person: Any, job: ImportJob, mapping: dict[str, str] | None = None) -> ImportJob:
    """Start with the guessed mapping (changed by ``mapping``) and run in-process to the end."""
    with scope(store=store):
        job = importing.import_start(
            store=store,
            actor=person.user if person else None,
            job=job,
            mapping={**job.mapping, **(mapping or {})},
            enqueue=False,
        )
        return importing.import_run(store=store, job_id=job.pk)


def import_file(store: Any, person: Any, content: bytes, mapping: dict[str, str] | None = None, **kw: Any) -> ImportJob:
    return run(store, person, upload(store, person, content, **kw), mapping)


def run_counted(store: Any, person: Any, content: bytes, counted: AbstractContextManager[Any]) -> ImportJob:
    """Upload and start with the guessed mapping, then run with only the run inside ``counted``
    (``django_assert_max_num_queries(n)``)."""
    job = upload(store, person, content)
    with scope(store=store):
        importing.import_start(store=store, actor=None, job=job, mapping=job.mapping, enqueue=False)
        with counted:
            return importing.import_run(store=store, job_id=job.pk)


def outcomes(job: ImportJob) -> list[tuple[int, str, str]]:
    with scope(store=job.store):
        return list(ImportRow.objects.filter(job=job).order_by("line").values_list("line", "outcome", "message"))


def book(store: Any) -> dict[str, list[tuple[Any, ...]]]:
    """Every row of the store's customer book but the import's own records: equal means nothing changed."""
    with scopes_disabled():
        return {
            model._meta.label: sorted(model.objects.filter(store=store).values_list(), key=repr)
            for model in CUSTOMER_MODELS
            if model not in (ImportJob, ImportRow)
        }
