"""Forms of the messaging pages; the services validate again (and decide)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _


class WebchatSettingsForm(forms.Form):
    allowed_origins = forms.CharField(
        label=_("Websites allowed to show the chat"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 4, "autocomplete": "off", "spellcheck": "false"}),
        help_text=_("One per line, like https://www.your-shop.com. Pages on any other website cannot use the chat."),
    )
    reply_time_text = forms.CharField(
        label=_("Expected reply time"),
        required=False,
        max_length=120,
        help_text=_("Shown to visitors, e.g. “We usually reply within 10 minutes.”"),
    )

    def clean_allowed_origins(self) -> list[str]:
        text: Any = self.cleaned_data.get("allowed_origins") or ""
        return [line.strip() for line in str(text).replace(",", "\n").splitlines() if line.strip()]
