"""Web push to staff phones: VAPID keys kept in the data dir, subscriptions per browser, a push per new message.

The keys come from ``VAPID_PRIVATE_KEY`` (PEM) when set, otherwise they are generated once into
``<data dir>/vapid_private.pem`` (mode 600) and kept, so subscriptions survive restarts. A push
carries the customer's name, the start of the message and the conversation's address; the
browser's service worker (``/sw.js``) shows it and opens the conversation when tapped.
"""

from __future__ import annotations

import base64
import binascii
import json
import logging
import os
import tempfile
from functools import cache
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

from cryptography.hazmat.primitives import serialization
from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from py_vapid import Vapid02

from trunkshow.core.tasks import enqueue_on_commit
from trunkshow.inbox.models import PushSubscription
from trunkshow.messaging.models import Conversation, Message
from trunkshow.messaging.selectors import customer_name
from trunkshow.stores.models import Membership, Store

log = logging.getLogger(__name__)
PREVIEW = 140


@cache
def vapid() -> Vapid02:
    pem = getattr(settings, "VAPID_PRIVATE_KEY", "")
    if pem:
        return Vapid02.from_pem(pem.encode())
    path = settings.DATA_DIR / "vapid_private.pem"
    if not path.exists():
        _key_create(path)
    return Vapid02.from_file(str(path))


def _key_create(path: Path) -> None:
    """Write a new key whole beside ``path``, then link it into place: processes starting together
    (web and worker) never read half a file, and the one that links second keeps the first one's key."""
    key = Vapid02()
    key.generate_keys()
    fd, spare = tempfile.mkstemp(dir=path.parent, prefix=".vapid-", suffix=".pem")  # mode 600
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(key.private_pem())
            fh.flush()
            os.fsync(fh.fileno())
        os.link(spare, path)  # atomic, and refuses to replace a key another process linked first
    except FileExistsError:
        pass
    finally:
        os.unlink(spare)


def public_key() -> str:
    """The application server key a browser subscribes with (uncompressed point, base64url)."""
    raw = vapid().public_key.public_bytes(serialization.Encoding.X962, serialization.PublicFormat.UncompressedPoint)
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def _b64(value: str, size: int, field: str) -> str:
    try:
        raw = base64.urlsafe_b64decode(value + "=" * (-len(value) % 4))
    except (binascii.Error, ValueError):
        raw = b""
    if len(raw) != size:
        raise ValidationError({field: _("This is not a browser's push key.")})
    return value


def push_subscribe(*, store: Store, user: Any, data: Any) -> PushSubscription:
    """Keep a browser's subscription (as ``PushSubscription.toJSON()`` gives it) for this staff member."""
    if not isinstance(data, dict) or not isinstance(data.get("keys"), dict):
        raise ValidationError({"subscription": _("Send the browser's subscription: endpoint and keys.")})
    endpoint = str(data.get("endpoint") or "")
    url = urlparse(endpoint)
    local = url.hostname in ("127.0.0.1", "localhost") and not settings.PRODUCTION
    if len(endpoint) > 1000 or not url.hostname or (url.scheme != "https" and not local):
        raise ValidationError({"endpoint": _("A push endpoint is an https:// address of a push service.")})
    p256dh = _b64(str(data["keys"].get("p256dh") or ""), 65, "p256dh")
    auth = _b64(str(data["keys"].get("auth") or ""), 16, "auth")
    subscription, _created = PushSubscription.objects.update_or_create(
        endpoint=endpoint, defaults={"store": store, "user": user, "p256dh": p256dh, "auth": auth, "last_error": ""}
    )
    return subscription


def _recipients(store: Store, conversation: Conversation) -> list[int]:
    if conversation.assigned_to_id is not None:
        return [conversation.assigned_to_id]
    return list(Membership.objects.filter(store=store, is_active=True).values_list("user_id", flat=True))


def notify_inbound(store: Store, conversation: Conversation, message: Message) -> None:
    """A customer wrote: push it to the assigned associate's devices (everyone's when unassigned), after commit."""
    from trunkshow.inbox.tasks import push_message

    users = _recipients(store, conversation)
    if not PushSubscription.objects.filter(store=store, user_id__in=users).exists():
        return
    store_id, message_id = store.pk, message.pk
    enqueue_on_commit(push_message, store_id, message_id, users)


def push_payload(conversation: Conversation, message: Message) -> dict[str, str]:
    name = customer_name(conversation) or _("Website visitor")
    body = " ".join(message.body.split())
    if message.direction == "note":  # an @mention
        author = getattr(message.author, "name", "") or _("A colleague")
        name = _("%(author)s mentioned you · %(customer)s") % {"author": author, "customer": name}
    return {
        "title": name,
        "body": body if len(body) <= PREVIEW else body[: PREVIEW - 1] + "…",
        "url": f"/inbox/{conversation.pk}/",
        "tag": f"conversation-{conversation.pk}",
    }


def push_send(*, store: Store, message_id: int, user_ids: list[int]) -> int:
    """Send one push per subscribed device; gone subscriptions (404/410) are forgotten. Returns pushes sent."""
    from pywebpush import WebPushException, webpush

    message = Message.objects.select_related("conversation__customer", "author").get(store=store, pk=message_id)
    payload = json.dumps(push_payload(message.conversation, message))
    sent = 0
    claims_sub = (
        getattr(settings, "VAPID_SUBJECT", "") or f"mailto:{settings.DEFAULT_FROM_EMAIL.split('<')[-1].strip('> ')}"
    )
    for subscription in PushSubscription.objects.filter(store=store, user_id__in=user_ids):
        info = {"endpoint": subscription.endpoint, "keys": {"p256dh": subscription.p256dh, "auth": subscription.auth}}
        try:
            webpush(
                info, data=payload, vapid_private_key=vapid(), vapid_claims={"sub": claims_sub}, ttl=3600, timeout=10
            )
            sent += 1
        except WebPushException as exc:
            status = getattr(exc.response, "status_code", None)
            if status in (404, 410):
                subscription.delete()
            else:
                subscription.last_error = str(exc)[:300]
                subscription.save(update_fields=["last_error"])
        except OSError as exc:
            log.warning("push to %s failed: %s", urlparse(subscription.endpoint).hostname, exc)
    return sent
