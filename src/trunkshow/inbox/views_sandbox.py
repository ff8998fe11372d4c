"""The text sandbox: without Twilio keys, see what would have been texted and play a customer texting in.

Only while no Twilio account is configured; the inbound text goes through the same service a real
webhook calls (keywords, assignment, the out-of-hours reply, pushes), with ``provider="sandbox"``.
"""

from __future__ import annotations

import uuid

from django.contrib import messages as flash
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from trunkshow.customers.validation import parse_phone
from trunkshow.messaging.channels.twilio.config import twilio_configured
from trunkshow.messaging.models import ChannelKind, Message
from trunkshow.messaging.services import MAX_BODY, message_receive
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
        if not values["body"]:
            errors["body"] = [_("Write the customer's message.")]
        elif len(values["body"]) > MAX_BODY:
            errors["body"] = [_("A message can be at most %(max)s characters.") % {"max": MAX_BODY}]
        if not errors:
            message, _created = message_receive(
                store=store,
                channel=values["channel"],
                from_address=number,
                to_address="",
                body=values["body"],
                provider="sandbox",
                provider_id=f"SBIN{uuid.uuid4().hex}",
            )
            flash.success(request, _("The text arrived in the inbox."))
            return redirect("inbox:conversation", message.conversation_id)
    sent = (
        Message.objects.filter(store=store, direction="out", channel__in=[ChannelKind.SMS, ChannelKind.WHATSAPP])
        .select_related("conversation__customer", "author")
        .prefetch_related("attachments")  # an MMS's photos, shown as the inbox shows them
        .order_by("-created_at", "-id")[:30]
    )
    context = {"nav": "inbox", "values": values, "errors": errors, "sent": sent}
    return render(request, "inbox/sandbox.html", context, status=400 if errors else 200)
