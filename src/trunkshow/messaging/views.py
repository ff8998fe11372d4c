"""Staff pages of the messaging app (the web chat's settings, a reply endpoint for the inbox) and the demo's sample website."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django_scopes import scopes_disabled

from trunkshow.core.access import client_ip
from trunkshow.messaging.channels.webchat import services as webchat
from trunkshow.messaging.forms import WebchatSettingsForm
from trunkshow.stores.access import StoreRequest, store_page
from trunkshow.stores.models import Store


@store_page("store.edit")
def chat_settings(request: StoreRequest) -> HttpResponse:
    store = request.store
    current = webchat.webchat_settings_get(store=store)
    snippet = f'<script src="{request.build_absolute_uri(f"/widget/{store.slug}.js")}" async></script>'
    context = {"nav": "settings", "snippet": snippet}
    if request.method == "POST":
        form = WebchatSettingsForm(request.POST)
        if form.is_valid():
            try:
                webchat.webchat_settings_update(
                    store=store,
                    actor=request.user,
                    allowed_origins=form.cleaned_data["allowed_origins"],
                    reply_time_text=form.cleaned_data["reply_time_text"],
                    ip=client_ip(request),
                )
            except ValidationError as exc:
                for name, errors in exc.message_dict.items():
                    for error in errors:
                        form.add_error(name if name in form.fields else None, error)
            else:
                messages.success(request, _("The chat settings are saved."))
                return redirect("messaging:chat_settings")
        return render(request, "messaging/chat_settings.html", {**context, "form": form}, status=400)
    form = WebchatSettingsForm(
        initial={"allowed_origins": "\n".join(current.allowed_origins), "reply_time_text": current.reply_time_text}
    )
    return render(request, "messaging/chat_settings.html", {**context, "form": form})


def _error(status: int, code: str, message: str, fields: dict[str, list[str]] | None = None) -> JsonResponse:
    return JsonResponse({"error": {"code": code, "message": message, "fields": fields or {}}}, status=status)


def demo_site(request: HttpRequest) -> HttpResponse:
    """A sample jeweler's website with the demo store's chat on it, to chat with yourself from the inbox."""
    from trunkshow.demo import DEMO_SLUG

    with scopes_disabled():
        store = Store.objects.filter(slug=DEMO_SLUG).first()
    if store is None:
        raise Http404("The demo store is not loaded")
    return render(request, "messaging/demo_site.html", {"demo_store": store})
