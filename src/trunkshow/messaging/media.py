"""Serving the files of messages: to the store's staff by id, to anyone else only by a signed, expiring link.

The file is found through its row (never a path from the request), answered with the type we
stored, ``nosniff``, a cleaned file name and ``private`` caching. Only photos we re-encoded are shown
inline; any other file (an email's PDF, or an image we could not read) is a download of bytes.
"""

from __future__ import annotations

import re

from django.conf import settings
from django.http import FileResponse, Http404, HttpRequest, JsonResponse
from django.http.response import HttpResponseBase
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET
from django_scopes import scope

from trunkshow.core.access import client_ip
from trunkshow.core.throttle import throttle_hit
from trunkshow.messaging.attachments import attachment_token_read
from trunkshow.messaging.models import Attachment, attachment_storage
from trunkshow.stores.models import Store

_UNSAFE_IN_QUOTES = re.compile(r'["\\\r\n]')


def attachment_get_for(*, store: Store, attachment_id: object) -> Attachment:
    try:
        return Attachment.objects.get(store=store, pk=int(str(attachment_id)))
    except (Attachment.DoesNotExist, TypeError, ValueError):
        raise Http404("No such attachment") from None


def _ascii_name(filename: str) -> str:
    name = _UNSAFE_IN_QUOTES.sub("_", filename).encode("ascii", "replace").decode().replace("?", "_")
    return name or "attachment"


def attachment_response(attachment: Attachment, *, thumb: bool = False) -> HttpResponseBase:
    inline = attachment.is_photo
    field = attachment.thumbnail if thumb and inline else attachment.file
    try:
        handle = attachment_storage().open(str(field.name), "rb")
    except OSError:
        raise Http404("The file is no longer stored") from None
    content_type = attachment.content_type if inline else "application/octet-stream"
    response = FileResponse(handle, content_type=content_type)
    disposition = "inline" if inline else "attachment"
    response["Content-Disposition"] = f'{disposition}; filename="{_ascii_name(attachment.filename)}"'
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, max-age=3600"
    # Opened directly, the file may not run anything even if a browser were to take it for a page.
    response["Content-Security-Policy"] = "default-src 'none'; img-src 'self'; style-src 'unsafe-inline'; sandbox"
    return response


def _refused(status: int, code: str, message: str) -> JsonResponse:
    return JsonResponse({"error": {"code": code, "message": message, "fields": {}}}, status=status)


@require_GET
def signed(request: HttpRequest, token: str, thumb: bool = False) -> HttpResponseBase:
    """A link we signed for the provider's fetch or the chat visitor: valid until it expires."""
    wait = throttle_hit(
        f"attachment-link:{client_ip(request) or 'unknown'}", limit=settings.ATTACHMENT_LINK_RATE_PER_MINUTE
    )
    if wait is not None:
        response = _refused(429, "rate_limited", _("Too many requests; retry in %(s)s s.") % {"s": wait})
        response["Retry-After"] = str(wait)
        return response
    found = attachment_token_read(token)
    if found is None:
        return _refused(403, "link_expired", _("This link has expired or is not valid; ask for a new one."))
    store_id, attachment_id = found
    store = Store.objects.filter(pk=store_id).first()
    if store is None:
        return _refused(404, "not_found", _("This file is no longer available."))
    with scope(store=store):
        try:
            attachment = attachment_get_for(store=store, attachment_id=attachment_id)
            return attachment_response(attachment, thumb=thumb)
        except Http404:
            return _refused(404, "not_found", _("This file is no longer available."))
