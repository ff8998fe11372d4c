"""Fetching the photos customers send (Twilio's ``MediaUrl``): only from Twilio, within a byte limit.

A ``MediaUrl`` is ``https://api.twilio.com/2010-04-01/Accounts/AC…/Messages/MM…/Media/ME…``. With
"Enforce HTTP Auth on Media URLs" on, Twilio wants the account SID and auth token (HTTP basic
auth) and answers with a redirect to a short-lived address on ``mms.twiliocdn.com`` (without it,
``s3-external-1.amazonaws.com``). So:

- the first address must be on Twilio's API host (``api.twilio.com`` or ``*.twilio.com``), https;
- each redirect is followed by hand (at most ``MAX_REDIRECTS``), and only to Twilio's media hosts,
  https; the credentials go with the first request only, never after a redirect (Twilio's
  redirect carries its own short-lived signature);
- a host's addresses must all be public (no loopback, private, link-local or metadata address);
- the body is streamed and abandoned as soon as it passes ``max_bytes`` (a ``Content-Length``
  over it is refused before reading), with connect and read time-outs and an overall deadline.

``TWILIO_API_BASE`` (tests and fakes, as for sending) is the one other origin media are fetched
from: an address the operator configured stands in for Twilio's hosts, at its own scheme and
port, and is not refused for being local.
"""

from __future__ import annotations

import ipaddress
import socket
import time
from urllib.parse import urljoin, urlsplit

import requests
from django.conf import settings
from django.utils.translation import gettext as _

from trunkshow.messaging.channels.base import PermanentError, ReceivedMedia, TransientError

API_HOSTS = ("api.twilio.com", ".twilio.com")
# Where Twilio redirects a media request: its CDN with media auth on, S3 without.
MEDIA_HOSTS = (*API_HOSTS, ".twiliocdn.com", "s3-external-1.amazonaws.com")
MAX_REDIRECTS = 3
DEADLINE_SECONDS = 60.0  # a whole download, however slowly the bytes trickle in
CHUNK = 64 * 1024

Origin = tuple[str, str, int]


def _origin(url: str) -> Origin | None:
    parts = urlsplit(url)
    host = (parts.hostname or "").lower()
    if not host or parts.scheme not in ("http", "https"):
        return None
    try:
        port = parts.port or (443 if parts.scheme == "https" else 80)
    except ValueError:
        return None
    return parts.scheme, host, port


def configured_origin() -> Origin | None:
    """The origin of ``TWILIO_API_BASE`` when one is set: a stand-in for Twilio the operator chose."""
    base = str(getattr(settings, "TWILIO_API_BASE", "") or "")
    return _origin(base) if base else None


def _on(host: str, hosts: tuple[str, ...]) -> bool:
    return any(host.endswith(h) if h.startswith(".") else host == h for h in hosts)


def media_url_allowed(url: str, *, redirect: bool = False) -> bool:
    """Whether we would fetch from this address: the first one (``redirect=False``) or one Twilio redirected to."""
    origin = _origin(url)
    if origin is None:
        return False
    if origin == configured_origin():
        return True
    scheme, host, _port = origin
    return scheme == "https" and _on(host, MEDIA_HOSTS if redirect else API_HOSTS)


def _public_host(origin: Origin) -> None:
    """Refuse a host that resolves to an address that is not public (a redirect to the metadata service)."""
    if origin == configured_origin():
        return
    _scheme, host, port = origin
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except OSError as exc:
        raise TransientError(_("Twilio's media host could not be found (%(error)s).") % {"error": exc}) from exc
    for info in infos:
        address = ipaddress.ip_address(str(info[4][0]).split("%", 1)[0])
        if not address.is_global:
            raise PermanentError(_("The photo's address leads to a private network address; it was not fetched."))


def media_fetch(url: str, *, max_bytes: int) -> ReceivedMedia:
    """The bytes and type of one ``MediaUrl``, or ``TransientError`` / ``PermanentError`` with the reason."""
    if not media_url_allowed(url):
        raise PermanentError(_("The photo is not on Twilio's address; it was not fetched."))
    timeout = float(settings.TWILIO_TIMEOUT_SECONDS)
    deadline = time.monotonic() + DEADLINE_SECONDS
    with requests.Session() as session:
        current = url
        for hop in range(MAX_REDIRECTS + 1):
            origin = _origin(current)
            if origin is None or (hop and not media_url_allowed(current, redirect=True)):
                raise PermanentError(_("Twilio redirected the photo to an address we do not fetch from."))
            _public_host(origin)
            auth = (settings.TWILIO_ACCOUNT_SID, settings.TWILIO_AUTH_TOKEN) if hop == 0 else None
            try:
                response = session.get(current, auth=auth, stream=True, allow_redirects=False, timeout=timeout)
            except requests.exceptions.Timeout as exc:
                raise TransientError(_("Twilio did not send the photo in time.")) from exc
            except requests.exceptions.RequestException as exc:
                raise TransientError(
                    _("Twilio could not be reached for the photo (%(error)s).") % {"error": exc.__class__.__name__}
                ) from exc
            with response:
                if response.is_redirect and response.headers.get("Location"):
                    current = urljoin(current, response.headers["Location"])
                    continue
                _check_status(response.status_code)
                return ReceivedMedia(
                    content_type=response.headers.get("Content-Type", "").split(";", 1)[0].strip().lower(),
                    data=_body(response, max_bytes=max_bytes, deadline=deadline),
                )
    raise PermanentError(_("Twilio redirected the photo too many times."))


def _check_status(status: int) -> None:
    if status == 200:
        return
    # 404 too: a media item can be a moment behind its message at Twilio.
    if status in (404, 408, 429) or status >= 500:
        raise TransientError(_("Twilio answered %(status)s for the photo; trying again later.") % {"status": status})
    if status in (401, 403):
        raise PermanentError(
            _("Twilio refused our credentials for the photo (%(status)s): check TWILIO_AUTH_TOKEN.")
            % {"status": status}
        )
    raise PermanentError(_("Twilio answered %(status)s for the photo.") % {"status": status})


def _too_large(max_bytes: int) -> PermanentError:
    return PermanentError(
        _("The photo is larger than %(max)s MB, the most we keep; it was not fetched.")
        % {"max": max_bytes // 1024 // 1024}
    )


def _body(response: requests.Response, *, max_bytes: int, deadline: float) -> bytes:
    try:
        declared = int(response.headers.get("Content-Length", ""))
    except ValueError:
        declared = None
    if declared is not None and declared > max_bytes:
        raise _too_large(max_bytes)
    data = bytearray()
    try:
        for chunk in response.iter_content(CHUNK):
            data += chunk
            if len(data) > max_bytes:
                raise _too_large(max_bytes)
            if time.monotonic() > deadline:
                raise TransientError(_("Twilio did not send the photo in time."))
    except requests.exceptions.RequestException as exc:
        raise TransientError(
            _("The photo's download broke off (%(error)s); trying again later.") % {"error": exc.__class__.__name__}
        ) from exc
    return bytes(data)
