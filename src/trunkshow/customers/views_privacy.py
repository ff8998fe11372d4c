"""Staff pages for merging two customers (or saying they are two people), downloading one
customer's data, and erasing it.

Merge: pick the other record (the customer picker), then a side-by-side page with a choice per
field on which they differ and a list of what is combined. Erase: a page naming the
consequences, confirmed by typing the customer's name. Owners and managers only.
"""

from __future__ import annotations

import json
from typing import Any

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext, ngettext_lazy
from django.views.decorators.http import require_http_methods, require_POST

from trunkshow.core.access import client_ip
from trunkshow.core.templatetags import trunkshow as fmt
from trunkshow.customers import selectors
from trunkshow.customers import validation as v
from trunkshow.customers.distinct import customer_pair_tell_apart
from trunkshow.customers.merging import (
    KEPT,
    TAKEN,
    MergeField,
    customer_merge,
    merge_default,
    merge_differences,
    merge_doubts,
    merge_is_open,
    merge_refusal,
)
from trunkshow.customers.models import Channel, Customer, Source
from trunkshow.customers.privacy import AlreadyErased, customer_data_export, customer_erase, erase_preview
from trunkshow.customers.views import _address_lines, _locale, to_survivor
from trunkshow.stores import roles
from trunkshow.stores.access import store_page


def _store(request: HttpRequest) -> Any:
    return request.store  # type: ignore[attr-defined]


def _merge_party(request: HttpRequest, customer_id: int, **kwargs: Any) -> Customer | HttpResponse:
    """This store's customer, or for a record already merged away (a second tab, a double submit,
    an old link) a redirect to the one that stayed that says so, as the profile does. Another
    store's id, or one that never was, is still the plain 404."""
    try:
        return selectors.customer_get_for(store=_store(request), customer_id=customer_id, **kwargs)
    except Http404:
        return to_survivor(
            request,
            customer_id,
            _("Customer no. %(old)s was already merged into %(name)s (no. %(number)s): this is their record now."),
        )


# ---------------------------------------------------------------- merge: choose the other record


class OtherForm(forms.Form):
    other = forms.IntegerField(
        label=gettext_lazy("Customer no."),
        min_value=1,
        max_value=2**63 - 1,
        widget=forms.NumberInput(attrs={"inputmode": "numeric", "autocomplete": "off"}),
        error_messages={"required": gettext_lazy("Choose the customer to merge in.")},
    )


@store_page("customers.merge")
@require_http_methods(["GET"])
def merge_start(request: HttpRequest, customer_id: int) -> HttpResponse:
    store = _store(request)
    customer = _merge_party(request, customer_id)
    if isinstance(customer, HttpResponse):
        return customer
    form = OtherForm(request.GET if "other" in request.GET else None)
    if form.is_bound and form.is_valid():
        other_id = form.cleaned_data["other"]
        if other_id == customer.pk:
            form.add_error("other", _("This is the same customer; choose the other record of this person."))
        else:
            other = Customer.objects.filter(store=store, pk=other_id).first()
            refusal = merge_refusal(customer=customer, other=other) if other is not None else None
            survivor = selectors.customer_merged_into(store=store, customer_id=other_id) if other is None else None
            if survivor is not None:
                form.add_error(
                    "other",
                    _("Customer no. %(number)s was already merged into %(name)s (no. %(survivor)s).")
                    % {"number": other_id, "name": survivor.display_name, "survivor": survivor.pk},
                )
            elif other is None:
                form.add_error("other", _("No customer no. %(number)s in this store.") % {"number": other_id})
            elif other.erased_at is not None:
                form.add_error(
                    "other",
                    _("Customer no. %(number)s was erased on %(date)s; there is nothing left to merge.")
                    % {"number": other_id, "date": fmt.store_day(store, other.erased_at)},
                )
            elif refusal is not None:
                form.add_error("other", refusal)
        if form.is_valid():
            return redirect("customers:merge_confirm", customer_id=customer.pk, other_id=other_id)
    return render(
        request,
        "customers/merge_start.html",
        {"nav": "customers", "customer": customer, "form": form},
        status=400 if form.is_bound else 200,
    )


# ---------------------------------------------------------------- merge: side by side, confirm


def _value_text(request: HttpRequest, customer: Customer, field: MergeField) -> list[str]:
    """A field's value as lines a person reads; empty when the customer has none."""
    store = _store(request)
    c, context = customer, {"store": store}
    locale = _locale(store)
    if field.name == "address":
        country = locale.territories.get(c.country, c.country) if c.country else ""
        return _address_lines(c, country, store.country)
    if field.name == "birthday":
        text = fmt.monthday(context, c.birthday_day, c.birthday_month, c.birthday_year) if c.birthday_month else ""
        return [text] if text else []
    if field.name == "partner":
        if c.partner_id:
            partner = Customer.objects.filter(store=store, pk=c.partner_id).first()
            return [partner.display_name] if partner else []
        if c.partner_name:
            when = (
                fmt.monthday(context, c.partner_birthday_day, c.partner_birthday_month, c.partner_birthday_year)
                if c.partner_birthday_month
                else ""
            )
            return [c.partner_name + (f" · {when}" if when else "")]
        return []
    if field.name == "preferred_channel":
        return [str(Channel(c.preferred_channel).label)] if c.preferred_channel else []
    if field.name == "language":
        return [locale.languages.get(c.language, c.language)] if c.language else []
    if field.name == "assigned_associate":
        return [c.assigned_associate.display_name] if c.assigned_associate else []
    if field.name == "source":
        return [str(Source(c.source).label)] if c.source in Source.values else [c.source]
    value = getattr(c, field.columns[0])
    return [str(value)] if value not in (None, "") else []


def _combined(customer: Customer, other: Customer) -> list[str]:
    """What a merge adds together, in words: every kind of row both have, duplicates once."""
    phones = list(
        dict.fromkeys([*customer.phones.values_list("e164", flat=True), *other.phones.values_list("e164", flat=True)])
    )
    emails = list(
        dict.fromkeys(
            [*customer.emails.values_list("address", flat=True), *other.emails.values_list("address", flat=True)]
        )
    )
    keys = set(customer.interests.values_list("kind", "value_key")) | set(
        other.interests.values_list("kind", "value_key")
    )

    n = {
        name: getattr(customer, name).count() + getattr(other, name).count()
        for name in ("important_dates", "sizes", "notes", "purchases", "consent_events")
    }
    lines = []
    if phones:
        lines.append(
            _("Phones: %(list)s") % {"list": ", ".join(fmt.phone({"store": customer.store}, p) for p in phones)}
        )
    if emails:
        lines.append(_("Emails: %(list)s") % {"list": ", ".join(emails)})
    counted = (
        (n["important_dates"], ngettext("%(n)s important date", "%(n)s important dates", n["important_dates"])),
        (n["sizes"], ngettext("%(n)s size", "%(n)s sizes", n["sizes"])),
        (n["notes"], ngettext("%(n)s note", "%(n)s notes", n["notes"])),
        (n["purchases"], ngettext("%(n)s purchase", "%(n)s purchases", n["purchases"])),
        (n["consent_events"], ngettext("%(n)s consent record", "%(n)s consent records", n["consent_events"])),
    )
    lines += [text % {"n": count} for count, text in counted if count]
    if keys:
        lines.append(ngettext("%(n)s interest", "%(n)s interests", len(keys)) % {"n": len(keys)})
    return lines


class MergeForm(forms.Form):
    """One radio per differing field, built for the pair; values are "kept" or "taken"."""

    def __init__(self, *args: Any, fields: list[tuple[MergeField, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for field, default in fields:
            self.fields[field.name] = forms.ChoiceField(
                label=field.label, choices=[(KEPT, KEPT), (TAKEN, TAKEN)], initial=default, widget=forms.RadioSelect
            )


@store_page("customers.merge")
@require_http_methods(["GET", "POST"])
def merge_confirm(request: HttpRequest, customer_id: int, other_id: int) -> HttpResponse:
    store = _store(request)
    customer = _merge_party(request, customer_id)
    if isinstance(customer, HttpResponse):
        return customer
    other = _merge_party(request, other_id, include_erased=True)
    if isinstance(other, HttpResponse):
        return other
    if other.erased_at is not None or other.pk == customer.pk or merge_refusal(customer=customer, other=other):
        # The start page says why (erased, the same record, partners), beside the number.
        start = reverse("customers:merge", args=[customer.pk]) + f"?other={other.pk}"
        return redirect(start)
    differing = merge_differences(customer=customer, other=other)
    # Only a field both records hold is a choice; where one has nothing, the recorded value is
    # kept and shown as plain text ("Not recorded" is never offered as a winner, ADR 0006).
    fields = [
        (f, merge_default(customer=customer, other=other, field=f))
        for f in differing
        if merge_is_open(customer=customer, other=other, field=f)
    ]
    form = MergeForm(request.POST if request.method == "POST" else None, fields=fields)
    errors: list[str] = []
    if form.is_bound and form.is_valid():
        try:
            survivor = customer_merge(
                store=store,
                actor=request.user,
                customer=customer,
                other=other,
                choices=form.cleaned_data,
                ip=client_ip(request),
            )
        except Http404:
            # Merged by someone else between loading this page and locking the rows.
            for party in (customer_id, other_id):
                found = _merge_party(request, party, include_erased=True)
                if isinstance(found, HttpResponse):
                    return found
            raise
        except ValidationError as exc:
            errors = [m for ms in exc.message_dict.values() for m in ms]
        else:
            messages.success(
                request,
                _("Merged customer no. %(other)s into %(name)s.") % {"other": other_id, "name": survivor.display_name},
            )
            return redirect("customers:detail", customer_id=survivor.pk)
    rows = [
        {
            "field": field,
            "bound": form[field.name] if field.name in form.fields else None,
            "kept": _value_text(request, customer, field),
            "taken": _value_text(request, other, field),
            "winner": merge_default(customer=customer, other=other, field=field),
        }
        for field in differing
    ]
    doubts = [
        {
            "label": field.label,
            "kept": ", ".join(_value_text(request, customer, field)),
            "taken": ", ".join(_value_text(request, other, field)),
        }
        for field in merge_doubts(customer=customer, other=other)
    ]
    return render(
        request,
        "customers/merge_confirm.html",
        {
            "nav": "customers",
            "customer": customer,
            "other": other,
            "doubts": doubts,
            "rows": rows,
            "combined": _combined(customer, other),
            "form": form,
            "errors": errors,
        },
        status=400 if form.is_bound else 200,
    )


# ---------------------------------------------------------------- not the same person


@store_page("customers.edit")
@require_POST
def tell_apart(request: HttpRequest, customer_id: int, other_id: int) -> HttpResponse:
    """ "Not the same person" under a possible match: recorded, never suggested again, and back to
    the page it was said on (the customer's, or the conversation's)."""
    store = _store(request)
    customer = selectors.customer_get_for(store=store, customer_id=customer_id)
    other = selectors.customer_get_for(store=store, customer_id=other_id)
    back = request.POST.get("next", "")
    if not url_has_allowed_host_and_scheme(back, allowed_hosts={request.get_host()}, require_https=request.is_secure()):
        back = reverse("customers:detail", args=[customer.pk])
    try:
        customer_pair_tell_apart(store=store, actor=request.user, customer=customer, other=other, ip=client_ip(request))
    except ValidationError as exc:
        messages.error(request, " ".join(m for ms in exc.message_dict.values() for m in ms))
    else:
        messages.success(
            request,
            _("Noted: %(name)s and %(other)s are different people. They will not be suggested as a match again.")
            % {"name": customer.display_name, "other": other.display_name},
        )
    return redirect(back)


# ---------------------------------------------------------------- data export


@store_page("customers.data_export")
@require_POST
def data_export(request: HttpRequest, customer_id: int) -> HttpResponse:
    """A download (POST: it is audited, so no link prefetch may trigger it)."""
    store = _store(request)
    customer = selectors.customer_get_for(store=store, customer_id=customer_id)
    data = customer_data_export(store=store, actor=request.user, customer=customer, ip=client_ip(request))
    response = HttpResponse(
        json.dumps(data, ensure_ascii=False, indent=2), content_type="application/json; charset=utf-8"
    )
    response["Content-Disposition"] = f'attachment; filename="customer-{customer.pk}-data.json"'
    response["Cache-Control"] = "no-store"
    return response


# ---------------------------------------------------------------- erase


class EraseForm(forms.Form):
    confirm_name = forms.CharField(
        label=gettext_lazy("Type the customer’s name to confirm"),
        max_length=300,
        widget=forms.TextInput(attrs={"autocomplete": "off", "autocapitalize": "words", "spellcheck": "false"}),
        error_messages={"required": gettext_lazy("Type the customer’s name to confirm the erasure.")},
    )

    def __init__(self, *args: Any, customer: Customer, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.customer = customer
        self.fields["confirm_name"].help_text = _("Type “%(name)s” to confirm.") % {"name": customer.display_name}

    def clean_confirm_name(self) -> str:
        typed = v.fold_loosely(self.cleaned_data["confirm_name"])
        names = {v.fold_loosely(self.customer.display_name), v.fold_loosely(self.customer.full_name)}
        if typed not in names:
            raise ValidationError(
                _("That is not the customer’s name. Type “%(name)s” as shown (capitals and accents do not matter).")
                % {"name": self.customer.display_name}
            )
        return typed


def _erase_lines(counts: dict[str, int]) -> list[str]:
    """What the erasure removes beyond the name and address, as the page lists it: only what the
    customer has (no "0 email addresses")."""

    def counted(key: str, text: Any) -> str:  # text: ngettext_lazy(..., "n"), extractable as it stands
        n = counts.get(key, 0)
        return str(text % {"n": n}) if n else ""

    def joined(*parts: str) -> str:
        return ", ".join(part for part in parts if part)

    lines = [
        joined(
            counted("phones", ngettext_lazy("%(n)d phone number", "%(n)d phone numbers", "n")),
            counted("emails", ngettext_lazy("%(n)d email address", "%(n)d email addresses", "n")),
        ),
        joined(
            counted("notes", ngettext_lazy("%(n)d note", "%(n)d notes", "n")),
            counted("dates", ngettext_lazy("%(n)d important date", "%(n)d important dates", "n")),
            counted("interests", ngettext_lazy("%(n)d interest", "%(n)d interests", "n")),
            counted("sizes", ngettext_lazy("%(n)d size", "%(n)d sizes", "n")),
        ),
    ]
    if conversations := counts.get("conversations", 0):
        messages = counts.get("messages", 0)
        inbox = ngettext(
            "%(n)d conversation in the inbox, with %(messages)s (your team’s notes in them too)",
            "%(n)d conversations in the inbox, with %(messages)s (your team’s notes in them too)",
            conversations,
        ) % {"n": conversations, "messages": ngettext("%(n)d message", "%(n)d messages", messages) % {"n": messages}}
        inbox = joined(
            inbox, counted("attachments", ngettext_lazy("%(n)d photo or file", "%(n)d photos and files", "n"))
        )
        lines.append(inbox + _(" and the providers’ delivery records; they no longer count in response times"))
    lines.append(
        counted(
            "consent_events",
            ngettext_lazy(
                "The consent record (%(n)d entry), the change history, and their lines in import files still stored",
                "The consent record (%(n)d entries), the change history, and their lines in import files still stored",
                "n",
            ),
        )
        or _("The change history, and their lines in import files still stored")
    )
    return [line for line in lines if line]


@store_page("customers.erase")
@require_http_methods(["GET", "POST"])
def erase(request: HttpRequest, customer_id: int) -> HttpResponse:
    store = _store(request)
    customer = selectors.customer_get_for(store=store, customer_id=customer_id)
    form = EraseForm(request.POST if request.method == "POST" else None, customer=customer)
    status = 200
    if form.is_bound:
        status = 400
        if form.is_valid():
            try:
                customer_erase(store=store, actor=request.user, customer=customer, ip=client_ip(request))
            except AlreadyErased as exc:
                form.add_error(None, str(exc))
                status = 409
            else:
                messages.success(
                    request,
                    _("The personal data of customer no. %(number)s was erased. Their totals stay in your figures.")
                    % {"number": customer.pk},
                )
                return redirect("customers:list")
    counts = erase_preview(customer=customer)
    return render(
        request,
        "customers/erase.html",
        {
            "nav": "customers",
            "customer": customer,
            "form": form,
            "removed": _erase_lines(counts),
            "purchases": counts["purchases"],
            "can_export": roles.has_right(request.membership, "customers.data_export"),  # type: ignore[attr-defined]
        },
        status=status,
    )
