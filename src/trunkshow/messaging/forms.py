"""Forms of the messaging pages; the services validate again (and decide)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from trunkshow.messaging.models import TemplateApproval, TemplateVariableSource


class WebchatSettingsForm(forms.Form):
    allowed_origins = forms.CharField(
        label=_("Websites allowed to show the chat"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 4, "autocomplete": "off", "spellcheck": "false"}),
        help_text=_(
            "One per line, like https://www.your-shop.com (https:// is added when left out). Each address "
            "separately: www.your-shop.com and your-shop.com are two websites, and wildcards such as "
            "*.your-shop.com are not accepted. Pages on any other website cannot use the chat."
        ),
    )
    reply_time_text = forms.CharField(
        label=_("Expected reply time"),
        required=False,
        max_length=120,
        help_text=_(
            "Shown to visitors as you write it, e.g. “We usually reply within 10 minutes.” Left empty, "
            "the chat says it in each visitor's language from the inbox's first-response target."
        ),
    )

    def clean_allowed_origins(self) -> list[str]:
        text: Any = self.cleaned_data.get("allowed_origins") or ""
        return [line.strip() for line in str(text).replace(",", "\n").splitlines() if line.strip()]


class WhatsAppTemplateForm(forms.Form):
    """A template as the owner records it; one source and label per placeholder of its text (``var_<n>_*``)."""

    name = forms.CharField(
        label=_("Name"),
        max_length=100,
        help_text=_("How staff pick it in a conversation, e.g. “Piece ready for collection”."),
        widget=forms.TextInput(attrs={"autocomplete": "off"}),
    )
    content_sid = forms.CharField(
        label=_("Content SID"),
        max_length=34,
        help_text=_("From Twilio's Content Template Builder: HX followed by 32 letters and digits."),
        widget=forms.TextInput(
            attrs={"autocomplete": "off", "spellcheck": "false", "autocapitalize": "off", "class": "mono"}
        ),
    )
    language = forms.CharField(
        label=_("Language"),
        max_length=16,
        help_text=_("As WhatsApp approved it: en, en_US, fr, pt_BR…"),
        widget=forms.TextInput(attrs={"autocomplete": "off", "spellcheck": "false", "autocapitalize": "off"}),
    )
    body = forms.CharField(
        label=_("Text, exactly as approved"),
        max_length=1024,
        help_text=_("With numbered placeholders where the values go: “Hello {{1}}, your {{2}} is ready.”"),
        widget=forms.Textarea(attrs={"rows": 4}),
    )
    approval_status = forms.ChoiceField(
        label=_("Approval status"),
        choices=TemplateApproval.choices,
        help_text=_("As Twilio shows it. Staff are offered approved templates only."),
    )

    def __init__(self, *args: Any, numbers: list[int], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.numbers = numbers
        for n in numbers:
            self.fields[f"var_{n}_source"] = forms.ChoiceField(
                label=_("{{%(n)s}} is filled with") % {"n": n},
                choices=[("", _("Choose…")), *TemplateVariableSource.choices],
                required=False,
            )
            self.fields[f"var_{n}_label"] = forms.CharField(
                label=_("What to write for {{%(n)s}}") % {"n": n},
                max_length=60,
                required=False,
                help_text=_("Shown to staff when it is written when sending, e.g. “Pick-up day”."),
            )

    def variable_rows(self) -> list[tuple[int, Any, Any]]:
        return [(n, self[f"var_{n}_source"], self[f"var_{n}_label"]) for n in self.numbers]

    def variables(self) -> list[dict[str, str]]:
        data = self.cleaned_data
        return [
            {"source": data.get(f"var_{n}_source") or "", "label": data.get(f"var_{n}_label") or ""}
            for n in self.numbers
        ]

    def add_service_errors(self, errors: dict[str, list[str]]) -> None:
        """The service's errors beside their fields ("variables.2.source" is the field var_2_source)."""
        for key, messages in errors.items():
            parts = key.split(".")
            name = f"var_{parts[1]}_{parts[2]}" if len(parts) == 3 and parts[0] == "variables" else key
            for message in messages:
                self.add_error(name if name in self.fields else None, message)
