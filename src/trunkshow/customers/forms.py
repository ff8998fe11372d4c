"""Forms of the staff pages: they parse what a person typed; the services decide what is valid.

Each form only turns strings into Python values (numbers, dates, choices); the business
checks (Feb 30, a phone that does not exist, an unknown size system) live in the services,
whose messages are put back beside the right field with ``add_service_errors``.
"""

from __future__ import annotations

import zoneinfo
from typing import Any

from babel import Locale, UnknownLocaleError
from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext, pgettext_lazy
from django.utils.translation import gettext_lazy as _

from trunkshow.customers.models import (
    Channel,
    ConsentAction,
    ConsentMethod,
    ConsentPurpose,
    DateKind,
    EmailLabel,
    InterestKind,
    PhoneLabel,
    SizeKind,
    SizeSystem,
    Source,
)

# The service names some fields differently from the form (or collectively, as "birthday").
SERVICE_FIELD_MAP: dict[str, str | None] = {
    "phone": "phone",
    "email": "email",
    "birthday": "birthday_day",
    "partner_birthday": "partner_birthday_day",
    "partner_id": "partner_id",
    "assigned_associate_id": "assigned_associate",
    "date": "day",
    "body": "body",
    "interest": "value",
    "size": "value",
    "note": "note",
    "consent": None,  # the whole consent entry: shown above the form
    "associate_id": "associate",
}


def add_service_errors(form: forms.Form, error: ValidationError) -> None:
    """Put a service's ``ValidationError`` beside the matching field (or above the form)."""
    for name, messages in error.message_dict.items():
        field = getattr(form, "service_fields", {}).get(name) or SERVICE_FIELD_MAP.get(name, name)
        if field and field.startswith("items."):
            field = "items"
        target = field if field in form.fields else None
        for message in messages:
            form.add_error(target, message)


class StaffForm(forms.Form):
    """A form whose element ids start with ``id_prefix``, so several can share one page."""

    id_prefix = ""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        if self.id_prefix:
            kwargs.setdefault("auto_id", f"{self.id_prefix}_%s")
        super().__init__(*args, **kwargs)

    def _set_choices(self, name: str, choices: list[tuple[str, str]]) -> None:
        field = self.fields[name]
        assert isinstance(field, forms.ChoiceField)
        field.choices = choices


def _text(max_length: int, *, autocomplete: str = "", required: bool = False, **attrs: Any) -> forms.CharField:
    """A text input with the browser's length limit; the service gives the precise error if exceeded."""
    widget_attrs = {"maxlength": str(max_length), **attrs}
    if autocomplete:
        widget_attrs["autocomplete"] = autocomplete
    return forms.CharField(required=required, strip=False, widget=forms.TextInput(attrs=widget_attrs))


def month_choices(blank: str = "") -> list[tuple[str, str]]:
    """Month names in the interface language."""
    from django.utils.dates import MONTHS

    return [("", blank or "—"), *((str(n), str(MONTHS[n])) for n in range(1, 13))]


def _day_field(label: Any) -> forms.IntegerField:
    return forms.IntegerField(
        label=label,
        required=False,
        min_value=1,
        max_value=31,
        widget=forms.NumberInput(attrs={"inputmode": "numeric", "min": "1", "max": "31", "class": "input-day"}),
    )


def _month_field(label: Any) -> forms.TypedChoiceField:
    return forms.TypedChoiceField(label=label, required=False, coerce=int, empty_value=None, choices=month_choices)


def _year_field(label: Any) -> forms.IntegerField:
    return forms.IntegerField(
        label=label,
        required=False,
        min_value=1,
        max_value=9999,
        widget=forms.NumberInput(attrs={"inputmode": "numeric", "class": "input-year", "placeholder": _("optional")}),
    )


# ---------------------------------------------------------------- quick add


def consent_label(store: Any, channel: str) -> str:
    """The exact words shown beside a consent checkbox: they are kept in the ledger as evidence."""
    if channel == Channel.SMS:
        return gettext(
            "They agree to texts from %(store)s about new pieces and events. Msg & data rates may apply; reply STOP to stop."
        ) % {"store": store.name}
    return gettext(
        "They agree to emails from %(store)s about new pieces and events; they can unsubscribe at any time."
    ) % {"store": store.name}


class QuickAddForm(StaffForm):
    REACH_CHOICES = [("phone", _("Phone")), ("email", _("Email"))]

    first_name = _text(100, autocomplete="given-name", autocapitalize="words", spellcheck="false")
    last_name = _text(100, autocomplete="family-name", autocapitalize="words", spellcheck="false")
    reach = forms.ChoiceField(choices=REACH_CHOICES, initial="phone", widget=forms.RadioSelect)
    phone = forms.CharField(
        required=False,
        strip=False,
        widget=forms.TextInput(attrs={"type": "tel", "inputmode": "tel", "autocomplete": "tel", "maxlength": "40"}),
    )
    email = forms.CharField(
        required=False,
        strip=False,
        widget=forms.TextInput(
            attrs={
                "type": "email",
                "inputmode": "email",
                "autocomplete": "email",
                "maxlength": "254",
                "spellcheck": "false",
                "autocapitalize": "none",
            }
        ),
    )
    consent_sms = forms.BooleanField(required=False)
    consent_email = forms.BooleanField(required=False)
    source = forms.ChoiceField(choices=Source.choices, initial=Source.WALK_IN)

    def __init__(self, *args: Any, store: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.store = store
        self.fields["first_name"].label = _("First name")
        self.fields["first_name"].widget.attrs["autofocus"] = True
        self.fields["last_name"].label = _("Last name")
        self.fields["reach"].label = _("One way to reach them")
        self.fields["phone"].label = _("Mobile phone")
        self.fields["phone"].widget.attrs["placeholder"] = _("Mobile number")
        self.fields["email"].label = _("Email")
        self.fields["email"].widget.attrs["placeholder"] = _("name@example.com")
        self.fields["source"].label = _("How we met")
        self.fields["consent_sms"].label = consent_label(store, Channel.SMS)
        self.fields["consent_email"].label = consent_label(store, Channel.EMAIL)

    def contact(self) -> tuple[list[str], list[str]]:
        """The phone or email typed in the chosen field (none: a walk-in who left only a name, ADR 0002)."""
        data = self.cleaned_data
        value = (data.get(data.get("reach") or "phone") or "").strip()
        if not value:
            return [], []
        return ([value], []) if data["reach"] == "phone" else ([], [value])


# ---------------------------------------------------------------- edit


def country_choices(locale: str) -> list[tuple[str, str]]:
    """Every country, named in the store's locale, sorted the way a reader of it expects."""
    import phonenumbers

    try:
        territories = Locale.parse(locale).territories
    except (UnknownLocaleError, ValueError):
        territories = Locale.parse("en_US").territories
    codes = set(phonenumbers.SUPPORTED_REGIONS) | {"AQ", "BV", "HM", "TF", "UM", "PN", "GS"}
    named = [(code, territories.get(code, code)) for code in codes if len(code) == 2 and code.isalpha()]
    return [("", "—"), *sorted(named, key=lambda pair: pair[1].casefold())]


def language_choices(locale: str) -> list[tuple[str, str]]:
    """Languages with a two-letter code, each named in the store's locale."""
    try:
        languages = Locale.parse(locale).languages
    except (UnknownLocaleError, ValueError):
        languages = Locale.parse("en_US").languages
    named = [(code, name) for code, name in languages.items() if len(code) == 2 and code.isalpha()]
    return [("", "—"), *sorted(named, key=lambda pair: pair[1].casefold())]


def time_zone_choices() -> list[tuple[str, str]]:
    zones = sorted(
        z for z in zoneinfo.available_timezones() if "/" in z and not z.startswith(("Etc/", "SystemV/", "US/"))
    )
    return [("", "—"), *((z, z.replace("_", " ")) for z in zones)]


def staff_choices(staff: list[Any], blank: str = "—") -> list[tuple[str, str]]:
    return [("", blank), *((str(user.pk), user.display_name) for user in staff)]


class CustomerEditForm(StaffForm):
    first_name = _text(100, autocomplete="given-name")
    last_name = _text(100, autocomplete="family-name")
    preferred_name = _text(100, autocomplete="nickname")
    title = _text(30, autocomplete="honorific-prefix")
    address_line1 = _text(200, autocomplete="address-line1")
    address_line2 = _text(200, autocomplete="address-line2")
    city = _text(100, autocomplete="address-level2")
    region = _text(100, autocomplete="address-level1")
    postal_code = _text(20, autocomplete="postal-code", autocapitalize="characters")
    country = forms.ChoiceField(required=False)
    birthday_day = _day_field(_("Day"))
    birthday_month = _month_field(_("Month"))
    birthday_year = _year_field(_("Year"))
    partner_id = forms.IntegerField(
        required=False, min_value=1, widget=forms.NumberInput(attrs={"inputmode": "numeric", "min": "1"})
    )
    partner_name = _text(200, autocomplete="off")
    partner_birthday_day = _day_field(_("Day"))
    partner_birthday_month = _month_field(_("Month"))
    partner_birthday_year = _year_field(_("Year"))
    preferred_channel = forms.ChoiceField(required=False, choices=[("", "—"), *Channel.choices])
    language = forms.ChoiceField(required=False)
    time_zone = forms.ChoiceField(required=False)
    assigned_associate = forms.TypedChoiceField(required=False, coerce=int, empty_value=None)
    source = forms.ChoiceField(choices=Source.choices)

    LABELS = {
        "first_name": _("First name"),
        "last_name": _("Last name"),
        "preferred_name": _("Preferred name"),
        "title": _("Title"),
        "address_line1": _("Address"),
        "address_line2": _("Address line 2"),
        "city": _("City"),
        "region": _("State, province or region"),
        "postal_code": _("Postal code"),
        "country": _("Country"),
        "partner_id": _("Partner is a customer (customer number)"),
        "partner_name": _("Partner's name"),
        "preferred_channel": _("Preferred channel"),
        "language": _("Language"),
        "time_zone": _("Time zone"),
        "assigned_associate": _("Assigned associate"),
        "source": _("How we met"),
    }

    def __init__(self, *args: Any, store: Any, staff: list[Any], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for name, label in self.LABELS.items():
            self.fields[name].label = label
        self._set_choices("country", country_choices(store.locale))
        self.fields["country"].widget.attrs["autocomplete"] = "country"
        self._set_choices("language", language_choices(store.locale))
        self._set_choices("time_zone", time_zone_choices())
        self._set_choices("assigned_associate", staff_choices(staff, blank=str(_("Nobody yet"))))

    @classmethod
    def initial_for(cls, customer: Any) -> dict[str, Any]:
        initial = {name: getattr(customer, name) for name in cls.base_fields if hasattr(customer, name)}
        initial["assigned_associate"] = customer.assigned_associate_id
        initial["partner_id"] = customer.partner_id
        return initial

    def service_data(self, customer: Any) -> dict[str, Any]:
        """What changed, under the names ``customer_update`` takes.

        Unchanged values are left out, so a value that is no longer allowed (an associate who has
        left the store) survives an edit of another field.
        """
        data = dict(self.cleaned_data)
        data["assigned_associate_id"] = data.pop("assigned_associate")
        return {name: value for name, value in data.items() if value != getattr(customer, name)}


# ---------------------------------------------------------------- profile actions


class NoteForm(StaffForm):
    id_prefix = "note"

    body = forms.CharField(
        label=_("Note"),
        strip=False,
        widget=forms.Textarea(
            attrs={"rows": 3, "maxlength": "10000", "placeholder": _("What did you learn about them?")}
        ),
    )


def _parse_items(text: str) -> list[dict[str, Any]]:
    return [{"description": line.strip(), "quantity": 1} for line in text.splitlines() if line.strip()]


class PurchaseForm(StaffForm):
    id_prefix = "purchase"

    purchased_on = forms.DateField(label=_("Date"), widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"))
    items = forms.CharField(
        label=_("Items"),
        help_text=_("One item per line."),
        strip=False,
        widget=forms.Textarea(attrs={"rows": 2, "placeholder": _("Sapphire halo ring, platinum")}),
    )
    amount = forms.CharField(
        label=_("Amount"),
        widget=forms.TextInput(attrs={"inputmode": "decimal", "autocomplete": "off", "maxlength": "20"}),
    )
    currency = forms.CharField(
        label=_("Currency"),
        widget=forms.TextInput(attrs={"maxlength": "3", "autocapitalize": "characters", "class": "input-currency"}),
    )
    associate = forms.TypedChoiceField(label=_("Sold by"), required=False, coerce=int, empty_value=None)

    def __init__(self, *args: Any, staff: list[Any], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._set_choices("associate", staff_choices(staff))

    def clean_items(self) -> list[dict[str, Any]]:
        return _parse_items(self.cleaned_data["items"])

    def clean_amount(self) -> str:
        # People type "1,250.00" or "1 250,00": keep the digits and the last separator as the decimal point.
        raw = self.cleaned_data["amount"].strip().replace(" ", "").replace("\u00a0", "").replace("\u202f", "")
        for symbol in "$€£¥":
            raw = raw.replace(symbol, "")
        last = max(raw.rfind(","), raw.rfind("."))
        if last >= 0 and len(raw) - last - 1 in (1, 2):
            raw = raw[:last].replace(",", "").replace(".", "") + "." + raw[last + 1 :]
        else:
            raw = raw.replace(",", "")
        return raw


class ImportantDateForm(StaffForm):
    id_prefix = "date"

    kind = forms.CharField(label=_("What"), widget=forms.Select(choices=DateKind.choices))
    label = _text(100)
    day = _day_field(_("Day"))
    month = _month_field(_("Month"))
    year = _year_field(_("Year"))

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["label"].label = _("Name it (for “Other”)")


class InterestForm(StaffForm):
    id_prefix = "interest"

    kind = forms.CharField(label=_("Kind"), widget=forms.Select(choices=InterestKind.choices))
    value = _text(60, required=True, autocomplete="off")

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["value"].label = _("Interest")
        self.fields["value"].widget.attrs["placeholder"] = _("sapphire, rose gold, art deco…")


class SizeForm(StaffForm):
    id_prefix = "size"

    kind = forms.CharField(label=_("What"), widget=forms.Select(choices=SizeKind.choices))
    system = forms.CharField(label=pgettext_lazy("size", "System"), widget=forms.Select(choices=SizeSystem.choices))
    value = _text(10, required=True, autocomplete="off")
    note = _text(100, autocomplete="off")

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["value"].label = _("Size")
        self.fields["value"].widget.attrs["placeholder"] = _("6.5, M½, 52, 18…")
        self.fields["note"].label = _("Note")
        self.fields["note"].widget.attrs["placeholder"] = _("left ring finger")


class PhoneForm(StaffForm):
    id_prefix = "phone"
    service_fields = {"phone": "number"}

    number = forms.CharField(
        label=_("Phone number"),
        strip=False,
        widget=forms.TextInput(attrs={"type": "tel", "inputmode": "tel", "autocomplete": "off", "maxlength": "40"}),
    )
    label = forms.CharField(label=_("Label"), widget=forms.Select(choices=PhoneLabel.choices))


class EmailForm(StaffForm):
    id_prefix = "email"
    service_fields = {"email": "address"}

    address = forms.CharField(
        label=_("Email address"),
        strip=False,
        widget=forms.TextInput(
            attrs={
                "type": "email",
                "inputmode": "email",
                "autocomplete": "off",
                "maxlength": "254",
                "autocapitalize": "none",
                "spellcheck": "false",
            }
        ),
    )
    label = forms.CharField(label=_("Label"), widget=forms.Select(choices=EmailLabel.choices))


class ConsentForm(StaffForm):
    id_prefix = "consent"

    action = forms.CharField(label=_("Answer"), widget=forms.RadioSelect(choices=ConsentAction.choices))
    channel = forms.CharField(label=_("Channel"), widget=forms.Select(choices=Channel.choices))
    purpose = forms.CharField(label=_("Purpose"), widget=forms.Select(choices=ConsentPurpose.choices))
    method = forms.CharField(label=_("How"), widget=forms.Select(choices=ConsentMethod.choices))
    evidence_text = forms.CharField(
        label=_("Evidence"),
        required=False,
        strip=False,
        help_text=_("What they were told or what they said, word for word."),
        widget=forms.Textarea(attrs={"rows": 2, "maxlength": "5000"}),
    )
