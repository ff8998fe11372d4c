"""Twilio's error codes we explain in words, in the thread, beside a message that failed."""

from __future__ import annotations

from django.utils.translation import gettext as _

# REST API codes (the send was refused) and delivery codes (a status callback's ErrorCode).
_REASONS = {
    20003: "Twilio refused our credentials: check TWILIO_ACCOUNT_SID and TWILIO_AUTH_TOKEN.",
    21211: "The number is not a valid phone number.",
    21408: "Sending to this country is not enabled on the Twilio account.",
    21606: "The store's number cannot send to this recipient.",
    21610: "The customer replied STOP to the store's number, so Twilio blocks messages to them.",
    21612: "Twilio cannot send from the store's number to this number.",
    21614: "The number is not a mobile number and cannot receive texts.",
    21655: "The template's content SID is not one of this Twilio account's templates.",
    21656: "The template's variables do not match what Twilio expects.",
    21617: "The message is too long.",
    30003: "The phone is unreachable (off or out of coverage).",
    30004: "The recipient blocked the message.",
    30005: "The number is unknown or no longer in service.",
    30006: "The number is a landline or cannot receive texts.",
    30007: "The carrier filtered the message.",
    30008: "The carrier reported an unknown error.",
    63016: "WhatsApp allows only an approved template outside the 24-hour window after the customer's last message.",
}


def reason_for(code: int | str | None, fallback: str = "") -> str:
    try:
        number = int(code) if code not in (None, "") else None
    except (TypeError, ValueError):
        number = None
    known = _REASONS.get(number) if number is not None else None
    if known:
        return _("Twilio error %(code)s: %(reason)s") % {"code": number, "reason": _(known)}
    if number is not None:
        detail = f" ({fallback})" if fallback else ""
        return _("Twilio error %(code)s%(detail)s.") % {"code": number, "detail": detail}
    return fallback
