"""Saved replies: written once by the owner or a manager, filled in for one customer, edited, then sent.

Merge fields are ``{first_name}``, ``{associate}`` and ``{store}``. A field with no value for this
customer stays as typed, and ``message_send`` refuses a message that still contains one, so a
customer never reads "Hi {first_name}".
"""

from __future__ import annotations

import re
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _

from trunkshow.core.validation import text_errors
from trunkshow.inbox.models import SavedReply
from trunkshow.messaging.models import Conversation
from trunkshow.messaging.selectors import merge_values
from trunkshow.stores import roles
from trunkshow.stores.models import Membership, Store

FIELDS = ("first_name", "associate", "store")
_FIELD = re.compile(r"\{\s*([a-z_]+)\s*\}")
# Anything written as a merge field, in any case or bracket (as the composer's check reads them):
# {Associate}, {{ store }} and [first_name] are not filled, so they are refused by name.
_WRITTEN_FIELD = re.compile(r"\{\{?\s*[a-z_]+\s*\}?\}|\[\s*(?:first_name|associate|store)\s*\]", re.IGNORECASE)


def _unknown_fields(body: str) -> list[str]:
    """Every merge field in ``body`` that filling would leave as typed, each once, in order."""
    written = (m.group(0) for m in _WRITTEN_FIELD.finditer(body))
    unknown = [w for w in written if not ((known := _FIELD.fullmatch(w)) and known.group(1) in FIELDS)]
    return list(dict.fromkeys(unknown))


def _clean(title: str, body: str) -> tuple[str, str]:
    title, body = (title or "").strip(), (body or "").strip()
    errors = text_errors(title=title, body=body, multiline={"body"})
    if errors:
        raise ValidationError(errors)
    if not title:
        errors["title"] = [_("Give the reply a short title.")]
    elif len(title) > 80:
        errors["title"] = [_("A title can be at most 80 characters.")]
    if not body:
        errors["body"] = [_("Write the reply's text.")]
    elif len(body) > 2000:
        errors["body"] = [_("A saved reply can be at most 2000 characters.")]
    unknown = _unknown_fields(body)
    if len(unknown) == 1:
        errors["body"] = [
            _("Unknown merge field %(field)s; use {first_name}, {associate} or {store}.") % {"field": unknown[0]}
        ]
    elif unknown:
        errors["body"] = [
            _("Unknown merge fields %(some)s and %(last)s; use {first_name}, {associate} or {store}.")
            % {"some": ", ".join(unknown[:-1]), "last": unknown[-1]}
        ]
    if errors:
        raise ValidationError(errors)
    return title, body


def saved_reply_get_for(*, store: Store, reply_id: Any) -> SavedReply:
    try:
        return SavedReply.objects.get(store=store, pk=int(reply_id))
    except (SavedReply.DoesNotExist, TypeError, ValueError):
        raise Http404("No such saved reply") from None


@transaction.atomic
def saved_reply_save(
    *, store: Store, actor: Any, membership: Membership | None, title: str, body: str, reply: SavedReply | None = None
) -> SavedReply:
    roles.require(membership, "inbox.replies")
    title, body = _clean(title, body)
    reply = reply or SavedReply(store=store, created_by=actor)
    reply.title, reply.body, reply.updated_at = title, body, timezone.now()
    try:
        with transaction.atomic():
            reply.save()
    except IntegrityError:
        raise ValidationError({"title": [_("There is already a saved reply called “%(t)s”.") % {"t": title}]}) from None
    return reply


def saved_reply_delete(*, store: Store, membership: Membership | None, reply: SavedReply) -> None:
    roles.require(membership, "inbox.replies")
    reply.delete()


def saved_reply_fill(*, reply: SavedReply, conversation: Conversation, associate: Any) -> str:
    """The reply's text for this conversation; fields without a value stay visible (and block sending)."""
    values = merge_values(conversation=conversation, associate=associate)
    return _FIELD.sub(lambda m: values.get(m.group(1)) or m.group(0), reply.body)
