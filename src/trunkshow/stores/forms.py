"""Forms of the staff pages: login, passwords, invitations, the store's settings and API tokens.

Forms parse and show errors; the rules live in ``services.py``. Service errors are put back
beside their fields with ``add_service_errors``.
"""

from __future__ import annotations

import re
import zoneinfo
from collections import Counter
from functools import lru_cache
from typing import Any

import phonenumbers
from babel import Locale
from babel.localedata import locale_identifiers
from babel.numbers import get_currency_name, get_territory_currencies
from django import forms
from django.contrib.auth.password_validation import password_validators_help_texts, validate_password
from django.core.exceptions import ValidationError
from django.forms.utils import flatatt
from django.utils import timezone, translation
from django.utils.dates import WEEKDAYS as WEEKDAY_NAMES
from django.utils.html import format_html
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext_lazy as _

from trunkshow.stores.models import WEEKDAYS, Role, Store
from trunkshow.stores.services import STORE_FIELDS

PASSWORD_MAX = 4096  # long passphrases are welcome; megabytes are not


class Form(forms.Form):
    """A form whose labels carry no trailing colon (the design sets labels above their fields)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("label_suffix", "")
        super().__init__(*args, **kwargs)


def add_service_errors(form: forms.Form, exc: ValidationError, aliases: dict[str, str] | None = None) -> None:
    """Show a service's ValidationError beside the matching fields (the rest above the form)."""
    aliases = aliases or {}
    if not hasattr(exc, "error_dict"):
        form.add_error(None, exc.messages)
        return
    for key, messages in exc.message_dict.items():
        field = aliases.get(key, key)
        form.add_error(field if field in form.fields else None, messages)


class LoginForm(Form):
    # A plain text field: a malformed address fails like an unknown one, with the same answer.
    email = forms.CharField(
        label=_("Email"),
        max_length=254,
        widget=forms.EmailInput(
            attrs={
                "autocomplete": "username",
                "inputmode": "email",
                "autocapitalize": "none",
                "spellcheck": "false",
                "autofocus": True,
            }
        ),
        error_messages={"required": _("Enter your email address.")},
    )
    password = forms.CharField(
        label=_("Password"),
        strip=False,
        max_length=PASSWORD_MAX,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
        error_messages={"required": _("Enter your password.")},
    )


def _password_field(label: Any, autocomplete: str = "new-password", help_text: Any = "") -> forms.CharField:
    return forms.CharField(
        label=label,
        strip=False,
        max_length=PASSWORD_MAX,
        help_text=help_text,
        widget=forms.PasswordInput(attrs={"autocomplete": autocomplete}),
    )


class NewPasswordForm(Form):
    """Choose a password twice. Used by the reset link (Django passes ``user``) and the invitation."""

    new_password = _password_field(_("New password"))
    new_password_confirm = _password_field(_("New password again"))

    def __init__(self, user: Any = None, *args: Any, **kwargs: Any) -> None:
        self.user = user
        super().__init__(*args, **kwargs)
        # Shown as a list beside the field; the joined text keeps aria-describedby on the input.
        self.rules = password_validators_help_texts()
        self.fields["new_password"].help_text = " ".join(self.rules)

    def clean(self) -> dict[str, Any]:
        super().clean()
        data = self.cleaned_data
        password, again = data.get("new_password"), data.get("new_password_confirm")
        if password and again and password != again:
            self.add_error("new_password_confirm", _("The two passwords differ; type the same one twice."))
        elif password and self.user is not None:
            try:
                validate_password(password, self.user)
            except ValidationError as exc:
                self.add_error("new_password", exc.messages)
        return data


class PasswordChangeForm(NewPasswordForm):
    old_password = _password_field(_("Current password"), autocomplete="current-password")
    field_order = ["old_password", "new_password", "new_password_confirm"]

    def clean_old_password(self) -> str:
        old = self.cleaned_data["old_password"]
        if not self.user.check_password(old):
            raise ValidationError(_("That is not your current password."))
        return old


class JoinForm(NewPasswordForm):
    """A new person accepting an invitation: their name and a password."""

    name = forms.CharField(
        label=_("Your name"),
        max_length=120,
        widget=forms.TextInput(attrs={"autocomplete": "name"}),
        error_messages={"required": _("Enter your name as colleagues should see it.")},
    )
    field_order = ["name", "new_password", "new_password_confirm"]

    def clean(self) -> dict[str, Any]:
        # The password is checked against the name too, by the service, once the name is known.
        Form.clean(self)
        data = self.cleaned_data
        password, again = data.get("new_password"), data.get("new_password_confirm")
        if password and again and password != again:
            self.add_error("new_password_confirm", _("The two passwords differ; type the same one twice."))
        return data


class InviteForm(Form):
    email = forms.CharField(
        label=_("Email"),
        max_length=254,
        widget=forms.EmailInput(
            attrs={"autocomplete": "off", "inputmode": "email", "autocapitalize": "none", "spellcheck": "false"}
        ),
        error_messages={"required": _("Enter the email address to send the invitation to.")},
    )
    # Any role is accepted here so that a manager asking for "owner" gets the 403 and its reason.
    role = forms.CharField(label=_("Role"), max_length=16, initial=Role.ASSOCIATE)

    def __init__(self, *args: Any, allowed_roles: list[str], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["role"].widget = forms.Select(choices=[(r, Role(r).label) for r in allowed_roles])


class TokenForm(Form):
    name = forms.CharField(
        label=_("Token name"),
        max_length=100,
        help_text=_("Where it will be used, e.g. “Website booking form”."),
        widget=forms.TextInput(attrs={"autocomplete": "off"}),
        error_messages={"required": _("Name the token after where it will be used.")},
    )


# ---- store settings -----------------------------------------------------------------------

_TZ_AREAS = ("Africa", "America", "Antarctica", "Asia", "Atlantic", "Australia", "Europe", "Indian", "Pacific")
_LOCALE_ID = re.compile(r"^[a-z]{2,3}_[A-Z]{2}$")


@lru_cache(maxsize=8)
def _time_zone_choices() -> list[Any]:
    named = (name.split("/", 1) for name in sorted(zoneinfo.available_timezones()) if "/" in name)
    zones = [(area, place) for area, place in named if area in _TZ_AREAS]
    # A place in two areas (Europe/Istanbul and Asia/Istanbul, the same clock under two names) says which
    # one it is: a closed menu shows the option's text alone, not its group.
    places = Counter(place for _area, place in zones)
    groups: dict[str, list[tuple[str, str]]] = {}
    for area, place in zones:
        label = place.replace("_", " ").replace("/", " / ")
        groups.setdefault(area, []).append((f"{area}/{place}", f"{label} ({area})" if places[place] > 1 else label))
    return [("UTC", "UTC"), *groups.items()]


@lru_cache(maxsize=8)
def _territory_names(ui: str) -> dict[str, str]:
    names = Locale.parse(ui).territories
    return {code: names.get(code, code) for code in phonenumbers.SUPPORTED_REGIONS}


def _ui_locale() -> str:
    return translation.to_locale(translation.get_language() or "en")


@lru_cache(maxsize=8)
def _currency_choices(ui: str) -> list[tuple[str, str]]:
    codes: set[str] = set()
    for region in phonenumbers.SUPPORTED_REGIONS:
        codes.update(get_territory_currencies(region, start_date=timezone.now().date()))
    return sorted(((c, f"{c} · {get_currency_name(c, locale=ui)}") for c in codes), key=lambda pair: pair[0])


@lru_cache(maxsize=8)
def _locale_choices(ui: str) -> list[tuple[str, str]]:
    ui_locale = Locale.parse(ui)
    found = []
    for ident in locale_identifiers():
        # Babel names no language for a few locales (apc_SY, skr_PK): they are left out rather than shown as
        # "None · apc_SY" (a store already set to one keeps it, see _with_current).
        name = Locale.parse(ident).get_display_name(ui_locale) if _LOCALE_ID.match(ident) else None
        if name:
            found.append((ident, f"{name} · {ident}"))
    return sorted(found, key=lambda pair: pair[1].casefold())


@lru_cache(maxsize=8)
def _region_choices(ui: str) -> list[tuple[str, str]]:
    return sorted(
        ((code, f"{name} · {code}") for code, name in _territory_names(ui).items()), key=lambda pair: pair[1].casefold()
    )


def _values(choices: list[Any]) -> set[str]:
    found: set[str] = set()
    for value, label in choices:
        if isinstance(label, list | tuple):  # an optgroup: (group name, [(value, label), ...])
            found.update(v for v, _l in label)
        else:
            found.add(value)
    return found


def _with_current(choices: list[Any], current: str) -> list[Any]:
    """Keep a stored value the list does not know selectable, so saving does not change it silently."""
    return choices if not current or current in _values(choices) else [(current, current), *choices]


class LongSelect(forms.Select):
    """A select for long lists (time zones, locales, countries) built in Python.

    Django renders one template per option; for the ~1,500 options of the settings page that
    took most of a second per request.
    """

    def render(self, name: str, value: Any, attrs: dict[str, Any] | None = None, renderer: Any = None) -> SafeString:
        final = self.build_attrs(self.attrs, attrs)
        final["name"] = name
        selected = "" if value is None else str(value[0] if isinstance(value, list | tuple) and value else value)
        parts: list[str] = [format_html("<select{}>", flatatt(final))]

        def option(val: Any, label: Any) -> str:
            mark = " selected" if str(val) == selected else ""
            return format_html('<option value="{}"{}>{}</option>', val, mark, label)

        for value_or_group, label in self.choices:
            if isinstance(label, list | tuple):
                parts.append(format_html('<optgroup label="{}">', value_or_group))
                parts.extend(option(v, lab) for v, lab in label)
                parts.append("</optgroup>")
            else:
                parts.append(option(value_or_group, label))
        parts.append("</select>")
        return mark_safe("".join(parts))  # noqa: S308 - every part above is escaped by format_html


def _time(label: Any) -> forms.TimeField:
    return forms.TimeField(
        label=label,
        required=False,
        input_formats=["%H:%M", "%H:%M:%S"],
        widget=forms.TimeInput(format="%H:%M", attrs={"type": "time", "step": 300}),
        error_messages={"invalid": _("Enter a time like 09:30.")},
    )


class StoreSettingsForm(Form):
    """The store's name, formats, address and opening hours (one or two openings a day)."""

    name = forms.CharField(
        label=_("Store name"),
        max_length=500,
        required=False,
        widget=forms.TextInput(attrs={"autocomplete": "organization"}),
    )
    time_zone = forms.CharField(label=_("Time zone"), max_length=64)
    currency = forms.CharField(label=_("Currency"), max_length=3)
    locale = forms.CharField(
        label=_("Language and formats"),
        max_length=16,
        help_text=_("How dates, amounts and numbers are written, e.g. 3/14/2026 or 14/03/2026."),
    )
    phone_region = forms.CharField(
        label=_("Default phone country"),
        max_length=2,
        help_text=_("Phone numbers typed without a country code are read as this country's."),
    )
    address_line1 = forms.CharField(
        label=_("Address"),
        max_length=500,
        required=False,
        widget=forms.TextInput(attrs={"autocomplete": "address-line1"}),
    )
    address_line2 = forms.CharField(
        label=_("Address line 2"),
        max_length=500,
        required=False,
        widget=forms.TextInput(attrs={"autocomplete": "address-line2"}),
    )
    city = forms.CharField(
        label=_("City"),
        max_length=500,
        required=False,
        widget=forms.TextInput(attrs={"autocomplete": "address-level2"}),
    )
    region = forms.CharField(
        label=_("State / province / region"),
        max_length=500,
        required=False,
        widget=forms.TextInput(attrs={"autocomplete": "address-level1"}),
    )
    postal_code = forms.CharField(
        label=_("Postal code"),
        max_length=500,
        required=False,
        widget=forms.TextInput(attrs={"autocomplete": "postal-code"}),
    )
    country = forms.CharField(label=_("Country"), max_length=2, required=False)

    def __init__(self, *args: Any, store: Store, **kwargs: Any) -> None:
        if "initial" not in kwargs:
            kwargs["initial"] = self.initial_from(store)
        super().__init__(*args, **kwargs)
        ui = _ui_locale()
        self.fields["time_zone"].widget = LongSelect(choices=_with_current(_time_zone_choices(), store.time_zone))
        self.fields["currency"].widget = LongSelect(choices=_with_current(_currency_choices(ui), store.currency))
        self.fields["locale"].widget = LongSelect(choices=_with_current(_locale_choices(ui), store.locale))
        self.fields["phone_region"].widget = LongSelect(
            attrs={"autocomplete": "off"}, choices=_with_current(_region_choices(ui), store.phone_region)
        )
        self.fields["country"].widget = LongSelect(
            attrs={"autocomplete": "country"}, choices=[("", "—"), *_with_current(_region_choices(ui), store.country)]
        )
        for day in WEEKDAYS:
            label = WEEKDAY_NAMES[WEEKDAYS.index(day)]
            self.fields[f"{day}_closed"] = forms.BooleanField(label=_("Closed"), required=False)
            self.fields[f"{day}_opens"] = _time(_("%(day)s opens") % {"day": label})
            self.fields[f"{day}_closes"] = _time(_("%(day)s closes") % {"day": label})
            self.fields[f"{day}_opens2"] = _time(_("%(day)s opens again") % {"day": label})
            self.fields[f"{day}_closes2"] = _time(_("%(day)s closes again") % {"day": label})

    @staticmethod
    def initial_from(store: Store) -> dict[str, Any]:
        initial: dict[str, Any] = {
            name: getattr(store, name)
            for name in (
                "name",
                "time_zone",
                "currency",
                "locale",
                "phone_region",
                "address_line1",
                "address_line2",
                "city",
                "region",
                "postal_code",
                "country",
            )
        }
        hours = store.opening_hours or {}
        for day in WEEKDAYS:
            spans = hours.get(day) or []
            initial[f"{day}_closed"] = not spans
            for i, suffix in enumerate(("", "2")):
                if len(spans) > i:
                    initial[f"{day}_opens{suffix}"], initial[f"{day}_closes{suffix}"] = spans[i]
        return initial

    def days(self) -> list[dict[str, Any]]:
        """The opening-hours fields grouped by weekday, for the template."""
        return [
            {
                "key": day,
                "name": WEEKDAY_NAMES[i],
                "closed": self[f"{day}_closed"],
                "opens": self[f"{day}_opens"],
                "closes": self[f"{day}_closes"],
                "opens2": self[f"{day}_opens2"],
                "closes2": self[f"{day}_closes2"],
                "has_second": bool(self[f"{day}_opens2"].value() or self[f"{day}_closes2"].value()),
            }
            for i, day in enumerate(WEEKDAYS)
        ]

    def clean(self) -> dict[str, Any]:
        super().clean()
        data = self.cleaned_data
        hours: dict[str, list[list[str]]] = {}
        for i, day in enumerate(WEEKDAYS):
            name = WEEKDAY_NAMES[i]
            if data.get(f"{day}_closed"):
                # The times of a closed day are hidden on the page: whatever is in them does not matter.
                for suffix in ("opens", "closes", "opens2", "closes2"):
                    self.errors.pop(f"{day}_{suffix}", None)
                hours[day] = []
                continue
            opens, closes = data.get(f"{day}_opens"), data.get(f"{day}_closes")
            opens2, closes2 = data.get(f"{day}_opens2"), data.get(f"{day}_closes2")
            if f"{day}_opens" in self.errors or f"{day}_closes" in self.errors:
                continue
            if opens is None:
                self.add_error(
                    f"{day}_opens", _("Give the opening time, or tick “Closed” for %(day)s.") % {"day": name}
                )
                continue
            if closes is None:
                self.add_error(f"{day}_closes", _("Give the closing time for %(day)s.") % {"day": name})
                continue
            if closes <= opens:
                self.add_error(f"{day}_closes", _("Closing time must be after opening time."))
                continue
            spans = [[opens.strftime("%H:%M"), closes.strftime("%H:%M")]]
            if f"{day}_opens2" in self.errors or f"{day}_closes2" in self.errors:
                continue
            if (opens2 is None) != (closes2 is None):
                field = f"{day}_closes2" if closes2 is None else f"{day}_opens2"
                self.add_error(field, _("Give both times of the second opening, or neither."))
                continue
            if opens2 is not None and closes2 is not None:
                if opens2 < closes:
                    self.add_error(f"{day}_opens2", _("The second opening starts after the first one closes."))
                    continue
                if closes2 <= opens2:
                    self.add_error(f"{day}_closes2", _("Closing time must be after opening time."))
                    continue
                spans.append([opens2.strftime("%H:%M"), closes2.strftime("%H:%M")])
            hours[day] = spans
        data["opening_hours"] = hours
        return data

    def store_data(self) -> dict[str, Any]:
        """What ``store_update`` takes."""
        return {key: self.cleaned_data[key] for key in STORE_FIELDS}
