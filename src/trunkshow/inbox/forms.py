"""The inbox's settings form (owners): the first-response target and the automatic answer when closed."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from trunkshow.inbox.services import MAX_TARGET_MINUTES


class InboxSettingsForm(forms.Form):
    response_target_minutes = forms.IntegerField(
        label=_("Answer a customer who writes within (minutes)"),
        min_value=1,
        max_value=MAX_TARGET_MINUTES,
        widget=forms.NumberInput(attrs={"inputmode": "numeric", "autocomplete": "off"}),
        help_text=_("Past it, the conversation turns red in the inbox and managers are told."),
        error_messages={
            "required": _("Give a number of minutes from 1 to %(max)s (a day).") % {"max": MAX_TARGET_MINUTES},
            "invalid": _("Give a whole number of minutes, like 5."),
            "min_value": _("Give a number of minutes from 1 to %(max)s (a day).") % {"max": MAX_TARGET_MINUTES},
            "max_value": _("Give a number of minutes from 1 to %(max)s (a day).") % {"max": MAX_TARGET_MINUTES},
        },
    )
    out_of_hours_reply = forms.BooleanField(
        label=_("When the store is closed, answer a customer’s message automatically with when you open"),
        required=False,
    )
