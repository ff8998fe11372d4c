"""CSV import from a point-of-sale export: reading the file, mapping its columns, importing its rows.

``reading`` knows files (encodings, delimiters, limits), ``mapping`` knows columns and values
(``headers``: the header names its guess knows), ``rows`` checks and writes one batch, ``jobs`` is
the service the views, API, task and CLI call.
"""

from trunkshow.customers.importing.jobs import (
    BATCH_ROWS,
    encoding_checked,
    import_cancel,
    import_dir,
    import_encoding_set,
    import_job_get_for,
    import_preview,
    import_run,
    import_start,
    import_upload,
    too_large_message,
)
from trunkshow.customers.importing.recovery import import_is_stuck, import_retry, imports_recover

__all__ = [
    "BATCH_ROWS",
    "encoding_checked",
    "import_cancel",
    "import_dir",
    "import_encoding_set",
    "import_is_stuck",
    "import_job_get_for",
    "import_preview",
    "import_retry",
    "import_run",
    "import_start",
    "import_upload",
    "imports_recover",
    "too_large_message",
]
