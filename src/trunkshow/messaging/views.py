"""Staff pages of the messaging app (the web chat's settings, the store's WhatsApp templates) and the demo's sample website."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST
from django_scopes import scopes_disabled

from trunkshow.core.access import client_ip
from trunkshow.messaging import whatsapp_templates as wa
from trunkshow.messaging.channels.twilio.config import twilio_configured
from trunkshow.messaging.channels.webchat import services as webchat
from trunkshow.messaging.forms import WebchatSettingsForm, WhatsAppTemplateForm
from trunkshow.messaging.models import TemplateApproval, TemplateVariableSource, WhatsAppTemplate
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
                saved = _("The chat settings are saved.")
                completed = webchat.origins_completed(form.cleaned_data["allowed_origins"])
                if completed:
                    saved += " " + " ".join(
                        _("“%(typed)s” was saved as %(saved)s.") % {"typed": typed, "saved": origin}
                        for typed, origin in completed
                    )
                messages.success(request, saved)
                return redirect("messaging:chat_settings")
        return render(request, "messaging/chat_settings.html", {**context, "form": form}, status=400)
    form = WebchatSettingsForm(
        initial={"allowed_origins": "\n".join(current.allowed_origins), "reply_time_text": current.reply_time_text}
    )
    return render(request, "messaging/chat_settings.html", {**context, "form": form})


@store_page("store.edit")
def whatsapp_templates(request: StoreRequest, template_id: int | None = None) -> HttpResponse:
    """The store's WhatsApp templates, and the form to record one or change it (owners)."""
    store = request.store
    template = wa.whatsapp_template_get_for(store=store, template_id=template_id) if template_id is not None else None
    status = 200
    if request.method == "POST":
        form = WhatsAppTemplateForm(request.POST, numbers=wa.placeholders(request.POST.get("body", "")))
        if form.is_valid():
            try:
                saved = wa.whatsapp_template_save(
                    store=store,
                    actor=request.user,
                    membership=request.membership,
                    template=template,
                    variables=form.variables(),
                    **{k: form.cleaned_data[k] for k in ("name", "content_sid", "language", "body", "approval_status")},
                )
            except ValidationError as exc:
                form.add_service_errors(exc.message_dict)
            else:
                messages.success(request, _("Template “%(name)s” saved.") % {"name": saved.name})
                if twilio_configured():  # what Twilio says wins over what was typed
                    _review(request, saved)
                return redirect("messaging:whatsapp_templates")
        status = 400
    elif template is not None:
        initial = {k: getattr(template, k) for k in ("name", "content_sid", "language", "body", "approval_status")}
        for v in wa.template_variables(template):
            initial |= {f"var_{v.key}_source": v.source, f"var_{v.key}_label": v.label}
        form = WhatsAppTemplateForm(initial=initial, numbers=wa.placeholders(template.body))
    else:
        form = WhatsAppTemplateForm(
            initial={"language": store.locale or "en", "approval_status": TemplateApproval.APPROVED}, numbers=[]
        )
    context = {
        "nav": "settings",
        "templates": [(t, wa.template_variables(t)) for t in WhatsAppTemplate.objects.filter(store=store)],
        "editing": template,
        "form": form,
        "can_check": twilio_configured(),
        "sources": TemplateVariableSource.choices,
    }
    return render(request, "messaging/whatsapp_templates.html", context, status=status)


@store_page("store.edit")
@require_POST
def whatsapp_template_delete(request: StoreRequest, template_id: int) -> HttpResponse:
    template = wa.whatsapp_template_get_for(store=request.store, template_id=template_id)
    wa.whatsapp_template_delete(
        store=request.store, actor=request.user, membership=request.membership, template=template
    )
    messages.success(request, _("Template “%(name)s” deleted.") % {"name": template.name})
    return redirect("messaging:whatsapp_templates")


@store_page("store.edit")
@require_POST
def whatsapp_template_review(request: StoreRequest, template_id: int) -> HttpResponse:
    """Ask Twilio where WhatsApp's review of the template stands."""
    _review(request, wa.whatsapp_template_get_for(store=request.store, template_id=template_id))
    return redirect("messaging:whatsapp_templates")


def _review(request: StoreRequest, template: WhatsAppTemplate) -> None:
    try:
        template = wa.whatsapp_template_review(
            store=request.store, actor=request.user, membership=request.membership, template=template
        )
    except ValidationError as exc:
        messages.error(request, " ".join(m for msgs in exc.message_dict.values() for m in msgs))
    else:
        messages.success(
            request,
            _("Twilio says “%(name)s” is %(status)s.")
            % {"name": template.name, "status": template.get_approval_status_display().lower()},
        )


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
