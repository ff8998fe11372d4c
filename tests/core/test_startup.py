"""A web process is ready when it starts: the first person to open a page does not wait for it."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path


def test_the_web_process_loads_its_urlconf_as_it_starts(tmp_path: Path) -> None:
    # A fresh interpreter, as uvicorn's worker: importing the ASGI app leaves the URLconf loaded
    # (the API's routers and their schemas), so the first request does not pay for it.
    probe = (
        "import trunkshow.asgi\n"
        "from django.urls import get_resolver\n"
        "print('url_patterns' in get_resolver().__dict__)\n"
    )
    env = {**os.environ, "TRUNKSHOW_DATA_DIR": str(tmp_path), "DJANGO_SETTINGS_MODULE": "trunkshow.settings"}
    env.pop("DATABASE_URL", None)  # the embedded default: nothing is read from a database here
    done = subprocess.run([sys.executable, "-c", probe], env=env, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "True"
