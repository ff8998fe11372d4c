"""The Twilio library's own HTTP client, pointed at another base address when one is set.

``TWILIO_API_BASE`` exists for tests and local fakes: the library builds every URL from
``https://api.twilio.com`` (messages) or ``https://content.twilio.com`` (templates), and both go
to the one base; its documented way to change how requests go out is a custom
``http_client`` (a ``TwilioHttpClient`` subclass overriding ``request``).
"""

from __future__ import annotations

from typing import Any

from twilio.http.http_client import TwilioHttpClient
from twilio.http.response import Response

TWILIO_HOSTS = ("https://api.twilio.com/", "https://content.twilio.com/")


class RebasedHttpClient(TwilioHttpClient):
    def __init__(self, *, api_base: str = "", timeout: float | None = None) -> None:
        super().__init__(timeout=timeout)
        self.api_base = api_base.rstrip("/")

    def request(self, method: str, url: str, *args: Any, **kwargs: Any) -> Response:
        host = next((h for h in TWILIO_HOSTS if url.startswith(h)), None)
        if self.api_base and host is not None:
            url = self.api_base + url[len(host) - 1 :]
        return super().request(method, url, *args, **kwargs)
