"""Photos customers send by text or WhatsApp: fetched after the message is stored, kept as staff uploads are.

The webhook only lists the media (``meta["media"]``: address, declared type, ``state``) and stores
the message; the worker then fetches each one through the provider's adapter
(``MediaSource.fetch_media``) and hands the bytes to the same pipeline as staff uploads
(``photos.photo_prepare``: re-encoded by Pillow, no EXIF or GPS, thumbnailed, limits on bytes,
pixels and type), attached to the inbound message. Each item ends in one state, shown in the thread:

- ``attached``: a photo (its attachment id in ``attachment``);
- ``not_shown``: not an image (a contact card, a video): never fetched, said in the thread;
- ``refused``: fetched but not kept (too large, not a photo, HEIC), with the reason;
- ``failed``: could not be fetched, after the last try or at once for what no retry fixes.

A fetch that fails for a reason that may pass (a time-out, a 5xx) is tried again with the outbox's
backoff (``outbox.backoff``, ``outbox.MAX_ATTEMPTS``); the message keeps ``media_pending`` until
every item is settled, and a minute sweep picks up a message whose scheduled retry was lost.
Fetching and decoding happen outside any transaction; the result is written under a lock on the
message, only for items still pending, so a second task for the same message never attaches twice.
"""

from __future__ import annotations

import datetime as dt
import io
import logging
from dataclasses import dataclass
from typing import IO, Any

from django.db import transaction
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _

from trunkshow.core import clock
from trunkshow.core.tasks import enqueue_on_commit
from trunkshow.messaging.attachments import files_removed_on_failure, photo_add
from trunkshow.messaging.channels.base import MediaSource, PermanentError, TransientError
from trunkshow.messaging.models import Direction, Message
from trunkshow.messaging.outbox import MAX_ATTEMPTS, backoff
from trunkshow.messaging.photos import MAX_PHOTO_BYTES, Photo, PhotoRefused, photo_prepare
from trunkshow.stores.models import Store

log = logging.getLogger(__name__)

PENDING, ATTACHED, NOT_SHOWN, REFUSED, FAILED = "pending", "attached", "not_shown", "refused", "failed"
SWEEP_GRACE = dt.timedelta(minutes=1)  # a retry's task this late was lost: the sweep runs it
SWEEP_WINDOW = dt.timedelta(days=2)


@dataclass(frozen=True)
class Outcome:
    state: str  # one of the states above, or PENDING for "try again"
    photo: Photo | None = None
    error: str = ""


def is_image_type(content_type: str) -> bool:
    return content_type.lower().startswith("image/")


def photo_name(index: int) -> str:
    return _("photo %(n)s") % {"n": index + 1}


def prepared(source: IO[bytes], *, index: int, size: int | None = None) -> Outcome:
    """The photo we would keep from these bytes (the staff uploads' pipeline), or why not."""
    try:
        return Outcome(ATTACHED, photo=photo_prepare(source, filename=photo_name(index) + ".jpg", size=size))
    except PhotoRefused as exc:
        return Outcome(REFUSED, error=exc.message)


def _due_at(message: Message) -> dt.datetime | None:
    raw = message.meta.get("media_next_at")
    return parse_datetime(raw) if isinstance(raw, str) else None


# ---- writes -----------------------------------------------------------------------------------


def inbound_media_schedule(*, store: Store, message: Message) -> None:
    """After an inbound message listing media is stored: mark it pending and fetch after commit."""
    if not any(item.get("state") == PENDING for item in message.meta.get("media", ())):
        return
    message.meta = {**message.meta, "media_pending": True}
    message.save(update_fields=["meta"])
    _enqueue(store, message.pk)


def _enqueue(store: Store, message_id: int, eta: dt.datetime | None = None) -> None:
    from trunkshow.messaging.tasks import fetch_inbound_media

    store_id = store.pk
    enqueue_on_commit(fetch_inbound_media, store_id, message_id, eta=eta)


def inbound_media_fetch(*, store: Store, message_id: int, source: MediaSource | None = None) -> None:
    """Fetch the message's pending media that are due, attach what is a photo, schedule a retry for the rest."""
    message = Message.objects.filter(store=store, pk=message_id, direction=Direction.INBOUND).first()
    if message is None or not message.meta.get("media_pending"):
        return
    due = _due_at(message)
    if due is not None and due > clock.now():
        return  # a retry is scheduled for later (this task is a duplicate)
    if source is None:
        from trunkshow.messaging.channels.registry import media_source_for

        source = media_source_for(message.provider)
    outcomes: dict[int, Outcome] = {}
    for index, item in enumerate(message.meta.get("media", ())):
        if item.get("state") != PENDING:
            continue
        if not is_image_type(str(item.get("content_type", ""))):
            outcomes[index] = Outcome(NOT_SHOWN)
            continue
        if source is None:
            outcomes[index] = Outcome(FAILED, error=_("Texts are no longer received through this provider."))
            continue
        try:
            media = source.fetch_media(str(item["url"]), max_bytes=MAX_PHOTO_BYTES)
        except PermanentError as exc:
            outcomes[index] = Outcome(FAILED, error=exc.reason)
        except TransientError as exc:
            outcomes[index] = Outcome(PENDING, error=exc.reason)
        except Exception as exc:  # a bug must not lose the photo: tried again like a time-out
            log.exception("fetching media %s of message %s failed", index, message_id)
            outcomes[index] = Outcome(PENDING, error=exc.__class__.__name__)
        else:
            outcomes[index] = prepared(io.BytesIO(media.data), index=index, size=len(media.data))
    inbound_media_apply(store=store, message_id=message_id, outcomes=outcomes)


@transaction.atomic
def inbound_media_apply(*, store: Store, message_id: int, outcomes: dict[int, Outcome]) -> Message | None:
    """Write what the fetch found, for the items still pending (under a lock on the message), and announce it."""
    from trunkshow.messaging.services import _publish_status  # services imports this module's callers

    message = Message.objects.select_for_update().filter(store=store, pk=message_id).first()
    if message is None:
        return None
    meta: dict[str, Any] = {**message.meta}
    items = [dict(item) for item in meta.get("media", ())]
    photos = list(meta.get("photos", ()))
    retry = False
    changed = False
    with files_removed_on_failure() as written:
        for index, outcome in sorted(outcomes.items()):
            if index >= len(items) or items[index].get("state") != PENDING:
                continue  # settled meanwhile by another task: never attached twice
            item = items[index]
            if outcome.state == PENDING:
                attempts = int(meta.get("media_attempts", 0)) + 1
                if attempts >= MAX_ATTEMPTS:
                    item["state"] = FAILED
                    item["error"] = (_("%(n)s tries failed. %(reason)s") % {"n": attempts, "reason": outcome.error})[
                        :300
                    ]
                    changed = True
                else:
                    item["error"] = outcome.error[:300]
                    retry = True
                continue
            item["state"] = outcome.state
            item.pop("error", None)
            if outcome.error:
                item["error"] = outcome.error[:300]
            if outcome.photo is not None and outcome.state == ATTACHED:
                attachment = photo_add(store=store, message=message, photo=outcome.photo, written=written)
                item["attachment"] = attachment.pk
                photos.append(attachment.pk)
            changed = True
    meta["media"] = items
    if photos:
        meta["photos"] = photos
    if retry:
        attempts = int(meta.get("media_attempts", 0)) + 1
        meta["media_attempts"] = attempts
        next_at = clock.now() + backoff(attempts)
        meta["media_next_at"] = next_at.isoformat()
        _enqueue(store, message.pk, eta=next_at)
    if not any(item.get("state") == PENDING for item in items):
        for key in ("media_pending", "media_next_at"):
            meta.pop(key, None)
    message.meta = meta
    message.save(update_fields=["meta"])
    if changed:
        # The live event for a changed message: an open thread fetches it again and shows its photos.
        _publish_status(store, message)
    return message


def inbound_media_received(*, store: Store, message: Message, files: list[Any]) -> Message | None:
    """Files that came with the inbound message itself (the text sandbox's upload), through the same pipeline.

    ``message.meta["media"]`` lists them in order, as the webhook lists a text's media.
    """
    outcomes: dict[int, Outcome] = {}
    for index, upload in enumerate(files):
        if not is_image_type(upload.content_type or ""):
            outcomes[index] = Outcome(NOT_SHOWN)
        else:
            outcomes[index] = prepared(upload, index=index, size=upload.size)
    return inbound_media_apply(store=store, message_id=message.pk, outcomes=outcomes)


# ---- the safety sweep -------------------------------------------------------------------------


def inbound_media_sweep(*, now: dt.datetime | None = None) -> list[tuple[int, int]]:
    """Messages with media still pending whose fetch is overdue (an enqueue or a scheduled retry lost)."""
    from django_scopes import scopes_disabled

    now = now or clock.now()
    found: list[tuple[int, int]] = []
    with scopes_disabled():
        rows = Message.objects.filter(
            direction=Direction.INBOUND, meta__media_pending=True, created_at__gte=now - SWEEP_WINDOW
        ).order_by("id")[:1000]
        for message in rows:
            due = _due_at(message) or message.created_at
            if due + SWEEP_GRACE <= now:
                found.append((message.store_id, message.pk))
    return found
