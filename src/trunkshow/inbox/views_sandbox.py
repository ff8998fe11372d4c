"""The text sandbox: without Twilio keys, see what would have been texted and play a customer texting in.

Only while no Twilio account is configured; the inbound text goes through the same service a real
webhook calls (keywords, assignment, the out-of-hours reply, pushes), with ``provider="sandbox"``.
Photos attached to it go through the pipeline a texted photo goes through once fetched
(``inbound_media``: re-encoded, no EXIF, thumbnailed, limits), listed on the message as a text's media.
"""

from __future__ import annotations

import uuid
from typing import Any

import phonenumbers
from django.contrib import messages as flash
from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from trunkshow.core.templatetags.trunkshow import phone_for_region
from trunkshow.customers.validation import parse_phone
from trunkshow.messaging.channels.twilio.config import twilio_configured
from trunkshow.messaging.inbound_media import PENDING, inbound_media_received
from trunkshow.messaging.limits import body_limit, too_long_text
from trunkshow.messaging.models import ChannelKind, Message
from trunkshow.messaging.photos import PhotoRefused, count_check
from trunkshow.messaging.services import message_receive
from trunkshow.stores.access import store_page


@store_page("inbox.reply")
def sandbox(request: HttpRequest) -> HttpResponse:
    if twilio_configured():
        raise Http404("The sandbox is off: texts go through Twilio")
    store = request.store  # type: ignore[attr-defined]
    errors: dict[str, list[str]] = {}
    values = {"phone": "", "body": "", "channel": ChannelKind.SMS}
    if request.method == "POST":
        values = {k: request.POST.get(k, "").strip() for k in values}
        if values["channel"] not in (ChannelKind.SMS, ChannelKind.WHATSAPP):
            errors["channel"] = [_("Choose a text message or WhatsApp.")]
        try:
            number = parse_phone(values["phone"], region=store.phone_region, field="phone")
        except ValidationError as exc:
            errors.update(exc.message_dict)
        files = request.FILES.getlist("photos")
        try:
            count_check(len(files))
        except PhotoRefused as exc:
            errors["photos"] = [exc.message]
        if not values["body"] and not files:
            errors["body"] = [_("Write the customer's message or attach a photo.")]
        elif len(values["body"]) > body_limit(values["channel"]):
            errors["body"] = [too_long_text(values["channel"], len(values["body"]))]
        if not errors:
            media: list[dict[str, Any]] = [
                {"content_type": (f.content_type or "")[:100], "state": PENDING} for f in files
            ]
            with transaction.atomic():
                message, _created = message_receive(
                    store=store,
                    channel=values["channel"],
                    from_address=number,
                    to_address="",
                    body=values["body"],
                    provider="sandbox",
                    provider_id=f"SBIN{uuid.uuid4().hex}",
                    meta={"num_media": len(media), "media": media} if media else None,
                )
                if files:
                    inbound_media_received(store=store, message=message, files=files)
            flash.success(request, _("The text arrived in the inbox."))
            return redirect("inbox:conversation", message.conversation_id)
    sent = (
        Message.objects.filter(store=store, direction="out", channel__in=[ChannelKind.SMS, ChannelKind.WHATSAPP])
        .select_related("conversation__customer", "author")
        .prefetch_related("attachments")  # an MMS's photos, shown as the inbox shows them
        .order_by("-created_at", "-id")[:30]
    )
    context = {
        "nav": "inbox",
        "values": values,
        "errors": errors,
        "sent": sent,
        "phone_example": _phone_example(store.phone_region),
    }
    return render(request, "inbox/sandbox.html", context, status=400 if errors else 200)


def _phone_example(region: str) -> str:
    """A made-up mobile number of the store's country, written as the page writes numbers
    (``{% phone %}``): "(201) 555-0123" in the US, "06 12 34 56 78" in France."""
    example = phonenumbers.example_number_for_type(region or "US", phonenumbers.PhoneNumberType.MOBILE)
    if example is None:
        return ""
    return phone_for_region(phonenumbers.format_number(example, phonenumbers.PhoneNumberFormat.E164), region)
