"""The profile's "Message": open the customer's conversation in the inbox, or start one (messaging/starting.py)."""

from __future__ import annotations

from django.contrib import messages as flash
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.views.decorators.http import require_http_methods

from trunkshow.customers import selectors as customer_selectors
from trunkshow.messaging.starting import NoChannel, conversation_start
from trunkshow.stores.access import store_page

# The inbox's script puts the cursor in the reply box when the page opens on this.
COMPOSE = "#write"


@store_page("inbox.reply")
@require_http_methods(["GET", "POST"])
def conversation_start_page(request: HttpRequest, customer_id: int) -> HttpResponse:
    store = request.store  # type: ignore[attr-defined]
    customer = customer_selectors.customer_get_for(store=store, customer_id=customer_id)  # another store's: 404
    profile = reverse("customers:detail", args=[customer.pk])
    if request.method == "GET":  # the address reloaded or typed: the button is on the profile
        return redirect(profile + "#message")
    try:
        started = conversation_start(store=store, actor=request.user, customer=customer)
    except NoChannel as exc:
        flash.error(request, exc.reason)
        return redirect(profile + "#message")
    return redirect(reverse("inbox:conversation", args=[started.conversation.pk]) + COMPOSE)
