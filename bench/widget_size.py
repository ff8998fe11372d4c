"""Weight of the web-chat widget: what a host page loads, and all JavaScript before the first message.

    uv run python bench/widget_size.py

The script is built exactly as ``GET /widget/<store>.js`` serves it (config inlined, stylesheet
inside). Opening the chat and sending the first message load no other JavaScript (the browser
test ``tests/browser/test_widget.py`` counts every script response to check it), so both
figures are the same file. Limits from issue 5: 15 KB gzipped for the script, 40 KB for all the
JavaScript before the first message.
"""

from __future__ import annotations

import gzip
import os
import sys
import zlib

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "trunkshow.settings")
os.environ.setdefault("TRUNKSHOW_ENV", "test")

import django

django.setup()

from trunkshow.messaging.channels.webchat.views import _script  # noqa: E402

LIMIT_SCRIPT = 15 * 1024
LIMIT_BEFORE_FIRST_MESSAGE = 40 * 1024


def main() -> int:
    from django.conf import settings

    # The script carries its words in the visitor's language: each language is its own file.
    largest = 0
    for language, _name in settings.LANGUAGES:
        body, digest = _script("demo", "Maison Demo Jewelers", "https://trunkshow.example.com", language)
        gz = len(gzip.compress(body, 9))
        gz6 = len(zlib.compress(body, 6))
        print(f"widget script, {language} ({digest}): {len(body):,} bytes raw, {gz:,} gzip -9, {gz6:,} deflate -6")
        largest = max(largest, gz)
    print(f"script the host page loads (largest language): {largest:,} / {LIMIT_SCRIPT:,} bytes gzipped")
    print(f"all JavaScript before the first message: {largest:,} / {LIMIT_BEFORE_FIRST_MESSAGE:,} bytes gzipped")
    return 0 if largest <= LIMIT_SCRIPT else 1


if __name__ == "__main__":
    sys.exit(main())
