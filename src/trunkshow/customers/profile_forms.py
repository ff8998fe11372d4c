"""The small forms on a customer's profile (a note, a purchase, a date, a phone…): where each sits on
the page, and a refused one kept in the session to be shown again at its place on the profile.

Each form posts to its own address. A refusal redirects to the profile at the form's errors
(``/customers/12/#add-date-errors``), as the import's mapping page does: the address the person is
left at is a page, so reloading it or coming back to it shows the profile instead of posting again
or "this address is a button's action". What was typed and why it was refused wait in the session
for that one showing, by customer (docs/adr/0017-profile-forms-after-a-refusal.md).
"""

from __future__ import annotations

from typing import Any

from django import forms as django_forms
from django.core.exceptions import ValidationError
from django.http import HttpRequest
from django.urls import reverse

from trunkshow.customers import forms as f

# Each form's class and the id of its place on the profile (the <details> holding it, or the note form).
FORMS: dict[str, tuple[type[f.StaffForm], str]] = {
    "note": (f.NoteForm, "note"),
    "purchase": (f.PurchaseForm, "add-purchase"),
    "date": (f.ImportantDateForm, "add-date"),
    "interest": (f.InterestForm, "add-interest"),
    "size": (f.SizeForm, "add-size"),
    "phone": (f.PhoneForm, "add-phone"),
    "email": (f.EmailForm, "add-email"),
    "consent": (f.ConsentForm, "add-consent"),
}
REFUSED = "profile_refused_forms"
# The newest few refusals are kept (one per customer, for people with several profiles open) and
# each typed value at most this long: enough for any field's limit and its "this has N" error.
REFUSED_KEPT = 5
VALUE_KEPT = 20_000


def form_url(customer_id: int, name: str) -> str:
    """The profile, scrolled to this form."""
    return reverse("customers:detail", args=[customer_id]) + "#" + FORMS[name][1]


def refused_url(customer_id: int, name: str) -> str:
    """The profile at this form's errors: the message above the form is the fragment's target, which
    the browser scrolls to and focuses (``tabindex="-1"``), so a screen reader reads it, no script needed.
    (An ``autofocus`` on the first wrong field would not do: browsers skip it when the address has a
    target.)"""
    return reverse("customers:detail", args=[customer_id]) + "#" + FORMS[name][1] + "-errors"


def refused_keep(request: HttpRequest, *, customer_id: int, name: str, form: django_forms.Form) -> None:
    """Keep a refused form (what was typed and why it was refused) for the profile's next showing."""
    refused = {
        "form": name,
        "data": {key: str(form.data[key])[:VALUE_KEPT] for key in form.fields if key in form.data},
        "errors": form.errors.get_json_data(),
    }
    kept = {k: v for k, v in request.session.get(REFUSED, {}).items() if k != str(customer_id)}
    request.session[REFUSED] = dict(list(kept.items())[-(REFUSED_KEPT - 1) :]) | {str(customer_id): refused}


def refused_take(request: HttpRequest, *, customer_id: int, staff: list[Any]) -> tuple[str, f.StaffForm] | None:
    """The form refused on this customer's profile, once: its name and the form, bound to what was
    typed, with the errors it was refused with (a service's too, which checking again would not give)."""
    kept = request.session.get(REFUSED, {})
    refused = kept.get(str(customer_id))
    if refused is None:
        return None
    request.session[REFUSED] = {k: v for k, v in kept.items() if k != str(customer_id)}
    name = refused.get("form")
    if name not in FORMS:
        return None
    form_class = FORMS[name][0]
    form = form_class(refused["data"], staff=staff) if form_class is f.PurchaseForm else form_class(refused["data"])
    form.errors.clear()
    for field, errors in refused["errors"].items():
        target = field if field in form.fields else None  # "__all__": above the form
        for error in errors:
            form.add_error(target, ValidationError(error["message"]))
    return name, form
