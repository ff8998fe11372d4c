"""How long a message may be on each channel: the providers' limits, checked before anything is stored.

Twilio refuses an SMS/MMS body over 1,600 characters and a WhatsApp session message over 4,096;
email and web chat have no provider limit, so they keep our own (5,000, as before). A staff note
never leaves Trunkshow and keeps that one too. The composer shows the same numbers as it is typed
(``limits_for_composer``), and this check is what the page, the API and the widget all meet.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.utils.formats import number_format
from django.utils.translation import gettext as _

from trunkshow.messaging.models import ChannelKind

OWN_LIMIT = 5_000  # characters: email, web chat and notes
BODY_LIMITS = {
    ChannelKind.SMS: 1_600,  # Twilio: "The text of the message ... up to 1,600 characters"
    ChannelKind.WHATSAPP: 4_096,  # WhatsApp session (free-form) messages
    ChannelKind.EMAIL: OWN_LIMIT,
    ChannelKind.WEBCHAT: OWN_LIMIT,
}
NOTE_LIMIT = OWN_LIMIT


def body_limit(channel: str) -> int:
    return BODY_LIMITS.get(channel, OWN_LIMIT)  # type: ignore[call-overload]


def _channel_phrase(channel: str) -> str:
    return {
        ChannelKind.SMS: _("A text message"),
        ChannelKind.WHATSAPP: _("A WhatsApp message"),
        ChannelKind.EMAIL: _("An email"),
        ChannelKind.WEBCHAT: _("A web chat message"),
    }.get(channel, _("A message"))  # type: ignore[call-overload]


def _n(value: int) -> str:
    return number_format(value, force_grouping=True)


def too_long_text(channel: str, length: int) -> str:
    return _("%(channel)s can be at most %(max)s characters; this one has %(n)s. Shorten it or send it in parts.") % {
        "channel": _channel_phrase(channel),
        "max": _n(body_limit(channel)),
        "n": _n(length),
    }


def body_check(text: str, channel: str) -> None:
    """Refuse a body over its channel's limit, naming the limit and the channel."""
    if len(text) > body_limit(channel):
        raise ValidationError({"body": too_long_text(channel, len(text))})


def note_check(text: str) -> None:
    if len(text) > NOTE_LIMIT:
        raise ValidationError(
            {
                "body": _("A note can be at most %(max)s characters; this one has %(n)s.")
                % {"max": _n(NOTE_LIMIT), "n": _n(len(text))}
            }
        )


def limits_for_composer() -> dict[str, Any]:
    """What the inbox composer needs to count as it is typed (``static/trunkshow/inbox.js``)."""
    return {
        "limits": {str(k): v for k, v in BODY_LIMITS.items()},
        "note": NOTE_LIMIT,
        "names": {str(k): _channel_phrase(k) for k in BODY_LIMITS},
        "words": {
            "count": _("{n} of {max} characters"),
            "segments": _("{n} of {max} characters · sent as {segments} texts"),
            "over": _("{channel} can be at most {max} characters; this one has {n}. Shorten it before sending."),
            "note_over": _("A note can be at most {max} characters; this one has {n}."),
            # What the services refuse an empty one with (services.py), said beside the box before sending.
            "empty": _("Write a message first."),
            "note_empty": _("Write a note first."),
        },
    }
