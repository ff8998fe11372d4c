"""WhatsApp templates: the messages WhatsApp approved for a store, recorded by the owner, filled in by staff.

Outside the 24-hour window after the customer's last WhatsApp message, WhatsApp delivers only an
approved template. The template lives at Twilio (Content Template Builder) under its content SID
(``HX`` and 32 hexadecimal digits); the store records here its text with numbered placeholders
(``{{1}}``, ``{{2}}``) and what fills each one: a merge field (the customer's first name, the
associate's, the store's name) or words the associate writes when sending. Sending one is
``services.message_send_template``; Twilio renders it from ``ContentSid`` and ``ContentVariables``.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _

from trunkshow.core.audit import audit_log
from trunkshow.core.validation import text_error, text_errors
from trunkshow.messaging.channels.base import SendError
from trunkshow.messaging.channels.registry import template_reviews
from trunkshow.messaging.models import Conversation, TemplateApproval, TemplateVariableSource, WhatsAppTemplate
from trunkshow.messaging.selectors import merge_values
from trunkshow.stores import roles
from trunkshow.stores.models import Membership, Store

CONTENT_SID = re.compile(r"HX[0-9a-fA-F]{32}")
LANGUAGE = re.compile(r"[a-z]{2,3}(?:[_-][A-Za-z0-9]{2,8})?")
PLACEHOLDER = re.compile(r"\{\{\s*(\d+)\s*\}\}")
_ANY_PLACEHOLDER = re.compile(r"\{\{(.*?)\}\}")
MAX_NAME = 100
MAX_BODY = 1024  # WhatsApp's limit on a template's text
MAX_PLACEHOLDERS = 20
MAX_LABEL = 60
MAX_VALUE = 500
# WhatsApp refuses a variable with a new line, a tab or more than four spaces in a row.
_VALUE_REFUSED = re.compile(r"[\n\r\t]| {5,}")


@dataclass(frozen=True)
class Variable:
    """One placeholder of a template: ``{{number}}``, filled from ``source``; ``label`` says what to write."""

    number: int
    source: str
    label: str = ""

    @property
    def key(self) -> str:
        return str(self.number)

    @property
    def display(self) -> str:
        """How staff see it: the label for words to write, otherwise what fills it."""
        return self.label or str(TemplateVariableSource(self.source).label)


def template_variables(template: WhatsAppTemplate) -> list[Variable]:
    return [
        Variable(i, str(v.get("source", TemplateVariableSource.TEXT)), str(v.get("label", "")))
        for i, v in enumerate(template.variables or [], start=1)
    ]


def placeholders(body: str) -> list[int]:
    """The placeholder numbers of a template's text, in order, each once."""
    return sorted({int(n) for n in PLACEHOLDER.findall(body or "")})


def _body_errors(body: str) -> list[str]:
    if not body:
        return [_("Write the template's text exactly as it was approved.")]
    if len(body) > MAX_BODY:
        return [
            _("A WhatsApp template can be at most %(max)s characters; this one has %(n)s.")
            % {"max": MAX_BODY, "n": len(body)}
        ]
    odd = [m.group(0) for m in _ANY_PLACEHOLDER.finditer(body) if not PLACEHOLDER.fullmatch(m.group(0))]
    if odd:
        return [
            _("Placeholders are numbers in double braces, like {{1}}; “%(found)s” is not one.") % {"found": odd[0][:40]}
        ]
    numbers = placeholders(body)
    if len(numbers) > MAX_PLACEHOLDERS:
        return [_("A template can have at most %(max)s placeholders.") % {"max": MAX_PLACEHOLDERS}]
    missing = [n for n in range(1, len(numbers) + 1) if n not in numbers]
    if missing:
        return [_("Number the placeholders from {{1}} without gaps: {{%(n)s}} is missing.") % {"n": missing[0]}]
    return []


def _clean_variables(raw: Any, count: int) -> tuple[list[dict[str, str]], dict[str, list[str]]]:
    errors: dict[str, list[str]] = {}
    rows = list(raw or [])
    if len(rows) != count:
        errors["variables"] = [
            _("The text has %(n)s placeholders; say what fills each one (%(given)s given).")
            % {"n": count, "given": len(rows)}
        ]
        return [], errors
    clean: list[dict[str, str]] = []
    for number, row in enumerate(rows, start=1):
        row = row if isinstance(row, Mapping) else {}
        source, label = str(row.get("source") or ""), " ".join(str(row.get("label") or "").split())
        if source not in TemplateVariableSource.values:
            errors[f"variables.{number}.source"] = [
                _(
                    "Choose what fills {{%(n)s}}: the customer's first name, the associate's, the store's name, or words written when sending."
                )
                % {"n": number}
            ]
        if len(label) > MAX_LABEL:
            errors[f"variables.{number}.label"] = [_("A label can be at most %(max)s characters.") % {"max": MAX_LABEL}]
        elif label_error := text_error(label):
            errors[f"variables.{number}.label"] = [label_error]
        clean.append({"source": source, "label": label})
    return clean, errors


def whatsapp_template_get_for(*, store: Store, template_id: Any) -> WhatsAppTemplate:
    try:
        return WhatsAppTemplate.objects.get(store=store, pk=int(template_id))
    except (WhatsAppTemplate.DoesNotExist, TypeError, ValueError):
        raise Http404("No such WhatsApp template") from None


def approved_templates(*, store: Store) -> list[WhatsAppTemplate]:
    return list(WhatsAppTemplate.objects.filter(store=store, approval_status=TemplateApproval.APPROVED))


@transaction.atomic
def whatsapp_template_save(
    *,
    store: Store,
    actor: Any,
    membership: Membership | None,
    name: str,
    content_sid: str,
    language: str,
    body: str,
    variables: Sequence[Mapping[str, Any]],
    approval_status: str,
    template: WhatsAppTemplate | None = None,
) -> WhatsAppTemplate:
    """Record a template (or change one): owners only; every field checked, nothing saved on an error."""
    roles.require(membership, "store.edit")
    name, content_sid, language = " ".join((name or "").split()), (content_sid or "").strip(), (language or "").strip()
    body = (body or "").strip()
    errors = text_errors(name=name, body=body, multiline={"body"})
    if errors:
        raise ValidationError(errors)
    if not name:
        errors["name"] = [_("Give the template the name staff will pick it by.")]
    elif len(name) > MAX_NAME:
        errors["name"] = [_("A name can be at most %(max)s characters.") % {"max": MAX_NAME}]
    if not CONTENT_SID.fullmatch(content_sid):
        errors["content_sid"] = [
            _("A content SID is HX followed by 32 hexadecimal digits, as Twilio's Content Template Builder shows it.")
        ]
    if not LANGUAGE.fullmatch(language):
        errors["language"] = [_("Give the template's language as WhatsApp names it: en, en_US, fr, pt_BR…")]
    body_errors = _body_errors(body)
    if body_errors:
        errors["body"] = body_errors
        clean_variables: list[dict[str, str]] = []
    else:
        clean_variables, variable_errors = _clean_variables(variables, len(placeholders(body)))
        errors.update(variable_errors)
    if approval_status not in TemplateApproval.values:
        errors["approval_status"] = [
            _("Unknown approval status “%(s)s”; use one of %(all)s.")
            % {"s": str(approval_status)[:40], "all": ", ".join(TemplateApproval.values)}
        ]
    others = WhatsAppTemplate.objects.filter(store=store)
    if template is not None:
        others = others.exclude(pk=template.pk)
    if name and others.filter(name=name).exists():
        errors["name"] = [_("There is already a template called “%(name)s”.") % {"name": name}]
    if "content_sid" not in errors and others.filter(content_sid=content_sid).exists():
        errors["content_sid"] = [_("Template %(sid)s is already recorded.") % {"sid": content_sid}]
    if errors:
        raise ValidationError(errors)
    created = template is None
    template = template or WhatsAppTemplate(store=store, created_by=actor if getattr(actor, "pk", None) else None)
    if template.content_sid != content_sid or template.approval_status != approval_status:
        template.rejection_reason = ""
    template.name, template.content_sid, template.language, template.body = name, content_sid, language, body
    template.variables, template.approval_status, template.updated_at = clean_variables, approval_status, timezone.now()
    try:
        with transaction.atomic():
            template.save()
    except IntegrityError:  # the same name or SID saved at the same moment by someone else
        raise ValidationError({"name": [_("There is already a template with this name or content SID.")]}) from None
    audit_log(
        store=store,
        action="trunkshow.whatsapp_template.saved",
        actor=actor,
        obj=template,
        data={"name": name, "content_sid": content_sid, "approval_status": approval_status, "created": created},
    )
    return template


@transaction.atomic
def whatsapp_template_delete(
    *, store: Store, actor: Any, membership: Membership | None, template: WhatsAppTemplate
) -> None:
    """Forget a template; messages sent with it keep its name, SID and values."""
    roles.require(membership, "store.edit")
    audit_log(
        store=store,
        action="trunkshow.whatsapp_template.deleted",
        actor=actor,
        obj=template,
        data={"name": template.name, "content_sid": template.content_sid},
    )
    template.delete()


def whatsapp_template_review(
    *, store: Store, actor: Any, membership: Membership | None, template: WhatsAppTemplate
) -> WhatsAppTemplate:
    """Ask Twilio how WhatsApp's review of the template stands and record it.

    The question goes out before any transaction is open; only the answer is written.
    """
    roles.require(membership, "store.edit")
    reviews = template_reviews()
    if reviews is None:
        raise ValidationError(
            {
                "approval_status": [
                    _(
                        "Twilio is not set up (messages go to the sandbox), so there is nobody to ask: "
                        "record the status the Content Template Builder shows."
                    )
                ]
            }
        )
    try:
        review = reviews.template_review(template.content_sid)
    except SendError as exc:
        raise ValidationError({"approval_status": [exc.reason]}) from None
    status, reason = review.status, review.rejection_reason
    if status not in TemplateApproval.values:  # a status Twilio adds later: never taken for approval
        status, reason = TemplateApproval.PENDING, _("Twilio says “%(s)s”.") % {"s": review.status[:40]}
    with transaction.atomic():
        changed = WhatsAppTemplate.objects.filter(store=store, pk=template.pk).update(
            approval_status=status, rejection_reason=reason[:300], status_checked_at=timezone.now()
        )
        if not changed:
            raise Http404("No such WhatsApp template")
        if status != template.approval_status:
            audit_log(
                store=store,
                action="trunkshow.whatsapp_template.reviewed",
                actor=actor,
                obj=template,
                data={"name": template.name, "from": template.approval_status, "to": status},
            )
    template.refresh_from_db()
    return template


def template_prefill(*, template: WhatsAppTemplate, conversation: Conversation, associate: Any) -> dict[str, str]:
    """The values to start from in a conversation: merge fields filled in, words to write left empty."""
    merge = merge_values(conversation=conversation, associate=associate)
    return {v.key: merge.get(v.source, "") for v in template_variables(template)}


def template_render(template: WhatsAppTemplate, values: Mapping[str, str]) -> str:
    """The text the customer reads; a placeholder without a value stays as it is written."""
    return PLACEHOLDER.sub(lambda m: values.get(str(int(m.group(1)))) or m.group(0), template.body)


def template_fill(*, template: WhatsAppTemplate, values: Mapping[str, Any]) -> tuple[dict[str, str], str]:
    """Check the values for each placeholder; return them (keys "1", "2"...) and the text the customer reads.

    A missing or empty value, one for a placeholder the template does not have, or one WhatsApp
    refuses (a new line, a tab, five spaces in a row, over 500 characters) is a ``ValidationError``
    naming the placeholder.
    """
    variables = template_variables(template)
    keys = {v.key for v in variables}
    errors: dict[str, list[str]] = {}
    unknown = sorted(str(k) for k in values if str(k) not in keys)
    if unknown:
        errors["variables"] = [
            _("“%(name)s” has no placeholder {{%(key)s}}; it has %(count)s.")
            % {"name": template.name, "key": unknown[0][:10], "count": len(keys)}
        ]
    clean: dict[str, str] = {}
    for variable in variables:
        value = str(values.get(variable.key) or "").strip()
        if not value:
            errors[f"variables.{variable.key}"] = [
                _("Fill in {{%(n)s}} (%(what)s) before sending.") % {"n": variable.key, "what": variable.display}
            ]
        elif len(value) > MAX_VALUE:
            errors[f"variables.{variable.key}"] = [
                _("{{%(n)s}} can be at most %(max)s characters.") % {"n": variable.key, "max": MAX_VALUE}
            ]
        elif _VALUE_REFUSED.search(value):
            errors[f"variables.{variable.key}"] = [
                _(
                    "{{%(n)s}} must be one line: WhatsApp refuses new lines, tabs and runs of spaces in a template's values."
                )
                % {"n": variable.key}
            ]
        elif value_error := text_error(value):
            errors[f"variables.{variable.key}"] = [value_error]
        clean[variable.key] = value
    if errors:
        raise ValidationError(errors)
    return clean, template_render(template, clean)
