"""API: the store's WhatsApp templates under /api/v1/whatsapp-templates.

All staff read them (to send one with ``POST /conversations/{id}/messages``); owners record,
change, delete and check them. Another store's template id is a 404.
"""

from __future__ import annotations

import datetime as dt
from typing import Literal

from django.http import HttpRequest
from ninja import Field, Query, Router, Schema, Status
from pydantic import ConfigDict

from trunkshow.core.api import ERRORS, refuse_body, refuse_unknown_parameters
from trunkshow.messaging import whatsapp_templates as wa
from trunkshow.messaging.models import WhatsAppTemplate
from trunkshow.stores import roles
from trunkshow.stores.models import Membership

router = Router(tags=["whatsapp templates"])

Source = Literal["first_name", "associate", "store", "text"]
Approval = Literal["unsubmitted", "received", "pending", "approved", "rejected", "paused", "disabled"]


class VariableIn(Schema):
    model_config = ConfigDict(extra="forbid")

    source: Source = Field(
        description="What fills the placeholder: the customer's first name, the sending associate's, "
        "the store's name, or text written when sending."
    )
    label: str = Field("", max_length=200, description="For text: what to write there (shown to staff).")


class TemplateIn(Schema):
    model_config = ConfigDict(extra="forbid")

    name: str = Field(..., max_length=200)
    content_sid: str = Field(..., max_length=100, description="Twilio's content SID: HX and 32 hexadecimal digits.")
    language: str = Field(..., max_length=40, description="As WhatsApp approved it: en, en_US, fr...")
    body: str = Field(..., max_length=5000, description="The approved text, with placeholders {{1}}, {{2}}...")
    variables: list[VariableIn] = Field(
        default_factory=list, max_length=50, description="One per placeholder, in order: the first fills {{1}}."
    )
    approval_status: Approval = Field(description="As Twilio shows it; only approved templates can be sent.")


class VariableOut(Schema):
    number: int
    source: str
    label: str


class TemplateOut(Schema):
    id: int
    name: str
    content_sid: str
    language: str
    body: str
    variables: list[VariableOut]
    approval_status: str
    rejection_reason: str
    status_checked_at: dt.datetime | None
    updated_at: dt.datetime


class TemplateFilters(Schema):
    approval_status: Approval | None = None


def _who(request: HttpRequest) -> Membership:
    membership: Membership = request.auth  # type: ignore[attr-defined]
    return membership


def _out(t: WhatsAppTemplate) -> TemplateOut:
    return TemplateOut(
        id=t.pk,
        name=t.name,
        content_sid=t.content_sid,
        language=t.language,
        body=t.body,
        variables=[VariableOut(number=v.number, source=v.source, label=v.label) for v in wa.template_variables(t)],
        approval_status=t.approval_status,
        rejection_reason=t.rejection_reason,
        status_checked_at=t.status_checked_at,
        updated_at=t.updated_at,
    )


def _save(request: HttpRequest, payload: TemplateIn, template: WhatsAppTemplate | None = None) -> WhatsAppTemplate:
    who = _who(request)
    return wa.whatsapp_template_save(
        store=who.store,
        actor=who.user,
        membership=who,
        template=template,
        name=payload.name,
        content_sid=payload.content_sid,
        language=payload.language,
        body=payload.body,
        variables=[v.model_dump() for v in payload.variables],
        approval_status=payload.approval_status,
    )


@router.get("", response={200: list[TemplateOut], **ERRORS}, summary="List WhatsApp templates")
def template_list(request: HttpRequest, filters: Query[TemplateFilters]) -> list[TemplateOut]:
    """By name; ``approval_status=approved`` lists the ones that can be sent."""
    refuse_unknown_parameters(request, TemplateFilters)
    who = _who(request)
    roles.require(who, "inbox.view")
    templates = WhatsAppTemplate.objects.filter(store=who.store)
    if filters.approval_status:
        templates = templates.filter(approval_status=filters.approval_status)
    return [_out(t) for t in templates]


@router.post("", response={201: TemplateOut, **ERRORS}, summary="Record a WhatsApp template")
def template_create(request: HttpRequest, payload: TemplateIn) -> Status[TemplateOut]:
    """Owners. A malformed SID, a placeholder without its variable, a name or SID in use: 400 naming the field."""
    return Status(201, _out(_save(request, payload)))


@router.get("/{template_id}", response={200: TemplateOut, **ERRORS}, summary="Read a WhatsApp template")
def template_read(request: HttpRequest, template_id: int) -> TemplateOut:
    refuse_unknown_parameters(request, Schema)
    who = _who(request)
    roles.require(who, "inbox.view")
    return _out(wa.whatsapp_template_get_for(store=who.store, template_id=template_id))


@router.put("/{template_id}", response={200: TemplateOut, **ERRORS}, summary="Change a WhatsApp template")
def template_update(request: HttpRequest, template_id: int, payload: TemplateIn) -> TemplateOut:
    template = wa.whatsapp_template_get_for(store=_who(request).store, template_id=template_id)
    return _out(_save(request, payload, template))


@router.delete("/{template_id}", response={204: None, **ERRORS}, summary="Delete a WhatsApp template")
def template_delete(request: HttpRequest, template_id: int) -> Status[None]:
    """Owners. Messages already sent with it keep its name, SID and values."""
    who = _who(request)
    template = wa.whatsapp_template_get_for(store=who.store, template_id=template_id)
    wa.whatsapp_template_delete(store=who.store, actor=who.user, membership=who, template=template)
    return Status(204, None)


@router.post("/{template_id}/check", response={200: TemplateOut, **ERRORS}, summary="Check a template with Twilio")
def template_check(request: HttpRequest, template_id: int) -> TemplateOut:
    """Owners. Asks Twilio's Content API how WhatsApp's review stands and records it; 400 in the sandbox."""
    refuse_body(request)
    who = _who(request)
    template = wa.whatsapp_template_get_for(store=who.store, template_id=template_id)
    return _out(wa.whatsapp_template_review(store=who.store, actor=who.user, membership=who, template=template))
