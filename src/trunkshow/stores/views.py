"""Staff pages: login and passwords, the account and its API tokens, staff and invitations,
the store's settings and the audit log. Thin: forms parse, services decide, templates show."""

from __future__ import annotations

import math
from collections.abc import Iterator
from typing import Any

from babel.numbers import format_decimal
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import authenticate, login, update_session_auth_hash
from django.contrib.auth import views as auth_views
from django.contrib.auth.forms import PasswordResetForm
from django.contrib.auth.views import INTERNAL_RESET_SESSION_TOKEN, redirect_to_login
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect, render
from django.urls import reverse, reverse_lazy
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_GET, require_POST
from django_scopes import scopes_disabled

from trunkshow.core.access import client_ip
from trunkshow.core.audit import action_display
from trunkshow.core.validation import initials
from trunkshow.stores import roles, selectors, services
from trunkshow.stores.access import StoreRequest, store_page
from trunkshow.stores.auth import login_failure_record, login_failures_clear, login_retry_after, reset_email_allowed
from trunkshow.stores.forms import (
    InviteForm,
    JoinForm,
    LoginForm,
    NewPasswordForm,
    PasswordChangeForm,
    StoreSettingsForm,
    TokenForm,
    add_service_errors,
)
from trunkshow.stores.middleware import SESSION_STORE_KEY
from trunkshow.stores.models import Membership, Role, Store, User

NEW_TOKEN_SESSION_KEY = "trunkshow_new_token"  # noqa: S105 - a session key name, not a secret
AUDIT_PAGE_SIZE = 50


def _safe_next(request: HttpRequest, target: str | None) -> str | None:
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return None


def _home_for(user: Any) -> str:
    with scopes_disabled():
        has_store = Membership.objects.filter(user=user, is_active=True).exists()
    return reverse(settings.LOGIN_REDIRECT_URL) if has_store else reverse("no_access")


# ---- login and logout ----------------------------------------------------------------------


def _throttled(request: HttpRequest, form: LoginForm, next_url: str | None, wait: int) -> HttpResponse:
    minutes = max(1, math.ceil(wait / 60))
    message = ngettext(
        "Too many failed attempts. For your security, logging in is paused for %(n)d minute. "
        "You can reset your password to get back in at once.",
        "Too many failed attempts. For your security, logging in is paused for %(n)d minutes. "
        "You can reset your password to get back in at once.",
        minutes,
    ) % {"n": minutes}
    response = render(
        request, "stores/login.html", {"form": form, "next": next_url or "", "throttled": message}, status=429
    )
    response["Retry-After"] = str(wait)
    return response


@sensitive_post_parameters("password")
@never_cache
def login_view(request: HttpRequest) -> HttpResponse:
    next_url = _safe_next(request, request.POST.get("next") or request.GET.get("next"))
    if request.method == "POST":
        form = LoginForm(request.POST)
        ip = client_ip(request)
        email = request.POST.get("email", "")
        wait = login_retry_after(email=email, ip=ip)
        if wait is not None:
            return _throttled(request, form, next_url, wait)
        if form.is_valid():
            email = form.cleaned_data["email"].strip().lower()
            user = authenticate(request, email=email, password=form.cleaned_data["password"])
            if user is not None:
                login(request, user)  # rotates the session key and the CSRF token
                login_failures_clear(email=email)
                return HttpResponseRedirect(next_url or _home_for(user))
            login_failure_record(email=email, ip=ip)
            wait = login_retry_after(email=email, ip=ip)
            if wait is not None:
                return _throttled(request, form, next_url, wait)
            form.add_error(None, _("That email and password do not match. Check both, or reset your password."))
        return render(request, "stores/login.html", {"form": form, "next": next_url or ""}, status=400)
    if request.user.is_authenticated:
        return HttpResponseRedirect(next_url or _home_for(request.user))
    form = LoginForm(initial={"email": request.GET.get("email", "")[:254]})
    return render(request, "stores/login.html", {"form": form, "next": next_url or ""})


logout_view = auth_views.LogoutView.as_view()


@never_cache
def no_access(request: HttpRequest) -> HttpResponse:
    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    if getattr(request, "membership", None) is not None:
        return redirect(settings.LOGIN_REDIRECT_URL)
    return render(request, "stores/no_access.html", status=403)


# ---- password reset (Django's views, our templates and rules) --------------------------------


class ResetRequestForm(PasswordResetForm):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("label_suffix", "")
        super().__init__(*args, **kwargs)
        self.fields["email"].widget.attrs.update(
            {"autocomplete": "username", "inputmode": "email", "autocapitalize": "none", "spellcheck": "false"}
        )
        self.fields["email"].error_messages["required"] = _("Enter the email address you log in with.")

    def get_users(self, email: str) -> Iterator[Any]:
        """Active logins with that email, with or without a password yet: Django's form skips those
        without, but ``createstaff --no-password`` leaves an owner exactly that, to set one here."""
        address = email.casefold()
        for user in User.objects.filter(email__iexact=email, is_active=True):
            if str(user.email).casefold() == address:
                yield user


class PasswordResetView(auth_views.PasswordResetView):
    form_class = ResetRequestForm
    template_name = "registration/password_reset_form.html"
    email_template_name = "email/password_reset.txt"
    subject_template_name = "email/password_reset_subject.txt"
    success_url = reverse_lazy("password_reset_done")

    def form_valid(self, form: Any) -> HttpResponse:
        email = form.cleaned_data["email"]
        # The answer is the same whether the address is known, unknown or over its hourly limit.
        if reset_email_allowed(email=email):
            users = list(form.get_users(email))
            form.save(
                use_https=self.request.is_secure(),
                token_generator=self.token_generator,
                email_template_name=self.email_template_name,
                subject_template_name=self.subject_template_name,
                request=self.request,
                extra_email_context={"public_url": settings.PUBLIC_URL},
            )
            for user in users:
                services.password_reset_requested(user=user, ip=client_ip(self.request))
        return HttpResponseRedirect(self.get_success_url())


class PasswordResetDoneView(auth_views.PasswordResetDoneView):
    template_name = "registration/password_reset_done.html"


class PasswordResetConfirmView(auth_views.PasswordResetConfirmView):
    form_class = NewPasswordForm  # type: ignore[assignment]
    template_name = "registration/password_reset_confirm.html"
    success_url = reverse_lazy("password_reset_complete")

    def form_valid(self, form: Any) -> HttpResponse:
        assert self.user is not None  # dispatch only shows the form for a valid link
        try:
            services.password_change(
                user=self.user, password=form.cleaned_data["new_password"], via="reset", ip=client_ip(self.request)
            )
        except ValidationError as exc:
            add_service_errors(form, exc, {"password": "new_password"})
            return self.form_invalid(form)
        del self.request.session[INTERNAL_RESET_SESSION_TOKEN]
        return HttpResponseRedirect(self.get_success_url())


class PasswordResetCompleteView(auth_views.PasswordResetCompleteView):
    template_name = "registration/password_reset_complete.html"


# ---- account: password, API tokens, stores ---------------------------------------------------


def _account(
    request: StoreRequest,
    *,
    password_form: PasswordChangeForm | None = None,
    token_form: TokenForm | None = None,
    status: int = 200,
) -> HttpResponse:
    membership: Membership = request.membership
    with scopes_disabled():
        stores = list(
            Membership.objects.filter(user=request.user, is_active=True).select_related("store").order_by("store__name")
        )
    return render(
        request,
        "stores/account.html",
        {
            "nav": "account",
            "password_form": password_form or PasswordChangeForm(user=request.user),
            "token_form": token_form or TokenForm(),
            "tokens": selectors.tokens_of(membership=membership),
            "stores": stores,
        },
        status=status,
    )


@require_GET
@store_page()
def account(request: StoreRequest) -> HttpResponse:
    return _account(request)


@require_POST
@sensitive_post_parameters("old_password", "new_password", "new_password_confirm")
@store_page()
def account_password(request: StoreRequest) -> HttpResponse:
    user: User = request.user
    form = PasswordChangeForm(user=user, data=request.POST)
    if form.is_valid():
        try:
            services.password_change(
                user=user, password=form.cleaned_data["new_password"], via="account", ip=client_ip(request)
            )
        except ValidationError as exc:
            add_service_errors(form, exc, {"password": "new_password"})
        else:
            update_session_auth_hash(request, user)  # this session stays; every other one ends
            messages.success(
                request,
                _("Your password is changed. You were logged out everywhere else and your API tokens were revoked."),
            )
            return redirect("account")
    return _account(request, password_form=form, status=400)


@require_POST
@store_page("tokens.create")
def token_create(request: StoreRequest) -> HttpResponse:
    form = TokenForm(request.POST)
    if form.is_valid():
        try:
            token, raw = services.token_create(
                store=request.store,
                membership=request.membership,
                name=form.cleaned_data["name"],
                actor=request.user,
                ip=client_ip(request),
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            # Shown once on the next page, then forgotten: only its hash is kept.
            request.session[NEW_TOKEN_SESSION_KEY] = {"id": token.pk, "raw": raw}
            return redirect("token_created")
    return _account(request, token_form=form, status=400)


@require_GET
@never_cache
@store_page()
def token_created(request: StoreRequest) -> HttpResponse:
    shown = request.session.pop(NEW_TOKEN_SESSION_KEY, None)
    if not shown:
        messages.info(
            request, _("A token is shown only once, right after it is created. Create a new one if you lost it.")
        )
        return redirect("account")
    token = selectors.token_get_for(membership=request.membership, id=shown["id"])
    return render(request, "stores/token_created.html", {"nav": "account", "token": token, "raw": shown["raw"]})


@require_POST
@store_page()
def token_revoke(request: StoreRequest, id: int) -> HttpResponse:
    token = selectors.token_get_for(membership=request.membership, id=id)
    services.token_revoke(store=request.store, actor=request.user, token=token, ip=client_ip(request))
    messages.success(
        request, _("The token “%(name)s” is revoked; requests using it are refused from now on.") % {"name": token.name}
    )
    return redirect("account")


@require_POST
@store_page()
def store_switch(request: StoreRequest) -> HttpResponse:
    raw = request.POST.get("store", "")
    store_id = int(raw) if raw.isascii() and raw.isdigit() and len(raw) < 19 else 0
    with scopes_disabled():
        membership = (
            Membership.objects.filter(user=request.user, store_id=store_id, is_active=True)
            .select_related("store")
            .first()
        )
    if membership is None:
        raise Http404
    request.session[SESSION_STORE_KEY] = membership.store_id
    messages.success(request, _("You are now working in %(store)s.") % {"store": membership.store.name})
    return redirect(settings.LOGIN_REDIRECT_URL)


# ---- staff and invitations -------------------------------------------------------------------


def _initials(name: str) -> str:
    return initials(name)


def _allowed_roles(membership: Membership) -> list[str]:
    if membership.role == Role.OWNER:
        return [Role.ASSOCIATE, Role.MANAGER, Role.OWNER]
    return [Role.ASSOCIATE, Role.MANAGER]


def _staff(
    request: StoreRequest,
    *,
    invite_form: InviteForm | None = None,
    row_errors: dict[str, list[str]] | None = None,
    status: int = 200,
) -> HttpResponse:
    membership: Membership = request.membership
    store: Store = request.store
    row_errors = row_errors or {}
    people = [
        {
            "m": m,
            "initials": _initials(m.user.display_name),
            "is_you": m.pk == membership.pk,
            "errors": row_errors.get(f"m{m.pk}", []),
        }
        for m in selectors.staff_list(store=store)
    ]
    invitations = [
        {
            "inv": inv,
            "state": selectors.invitation_state(inv),
            "errors": row_errors.get(f"i{inv.pk}", []),
            "can_handle": membership.role == Role.OWNER or inv.role != Role.OWNER,
        }
        for inv in selectors.invitations_open(store=store)
    ]
    can_manage = roles.has_right(membership, "staff.manage")
    return render(
        request,
        "stores/staff.html",
        {
            "nav": "staff",
            "people": people,
            "invitations": invitations,
            "invite_form": invite_form or InviteForm(allowed_roles=_allowed_roles(membership)),
            "can_invite": roles.has_right(membership, "staff.invite"),
            "can_manage": can_manage,
            "is_owner": membership.role == Role.OWNER,
            "roles": Role.choices,
        },
        status=status,
    )


@require_GET
@store_page("staff.page")
def staff(request: StoreRequest) -> HttpResponse:
    return _staff(request)


@require_POST
@store_page("staff.invite")
def staff_invite(request: StoreRequest) -> HttpResponse:
    form = InviteForm(request.POST, allowed_roles=_allowed_roles(request.membership))
    if form.is_valid():
        try:
            invitation = services.staff_invite(
                store=request.store,
                actor=request.user,
                actor_membership=request.membership,
                email=form.cleaned_data["email"],
                role=form.cleaned_data["role"],
                ip=client_ip(request),
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(
                request, _("Invitation sent to %(email)s. The link works for 7 days.") % {"email": invitation.email}
            )
            return redirect("staff")
    return _staff(request, invite_form=form, status=400)


@require_POST
@store_page("staff.manage")
def staff_role(request: StoreRequest, id: int) -> HttpResponse:
    target = selectors.membership_get_for(store=request.store, id=id)
    role = request.POST.get("role", "")
    try:
        services.staff_change_role(
            store=request.store,
            actor=request.user,
            actor_membership=request.membership,
            membership=target,
            role=role,
            ip=client_ip(request),
        )
    except ValidationError as exc:
        return _staff(request, row_errors={f"m{target.pk}": exc.messages}, status=400)
    messages.success(
        request, _("%(name)s is now %(role)s.") % {"name": target.user, "role": Role(target.role).label.lower()}
    )
    return redirect("staff")


@require_POST
@store_page("staff.manage")
def staff_active(request: StoreRequest, id: int) -> HttpResponse:
    target = selectors.membership_get_for(store=request.store, id=id)
    active = request.POST.get("active") == "1"
    if not active and request.POST.get("confirm") != "1":
        # One tap must not lock a colleague out: the first POST asks, naming them (works without JavaScript).
        return render(request, "stores/staff_deactivate.html", {"nav": "staff", "member": target})
    try:
        services.staff_set_active(
            store=request.store,
            actor=request.user,
            actor_membership=request.membership,
            membership=target,
            active=active,
            ip=client_ip(request),
        )
    except ValidationError as exc:
        return _staff(request, row_errors={f"m{target.pk}": exc.messages}, status=400)
    if active:
        messages.success(request, _("%(name)s can work in the store again.") % {"name": target.user})
    else:
        messages.success(
            request,
            _("%(name)s is deactivated: their sessions and API tokens no longer work here.") % {"name": target.user},
        )
    return redirect("staff")


@require_POST
@store_page("staff.invite")
def invitation_resend(request: StoreRequest, id: int) -> HttpResponse:
    invitation = selectors.invitation_get_for(store=request.store, id=id)
    try:
        services.invitation_resend(
            store=request.store,
            actor=request.user,
            actor_membership=request.membership,
            invitation=invitation,
            ip=client_ip(request),
        )
    except ValidationError as exc:
        return _staff(request, row_errors={f"i{invitation.pk}": exc.messages}, status=400)
    messages.success(
        request, _("A new link was sent to %(email)s; the previous one no longer works.") % {"email": invitation.email}
    )
    return redirect("staff")


@require_POST
@store_page("staff.invite")
def invitation_revoke(request: StoreRequest, id: int) -> HttpResponse:
    invitation = selectors.invitation_get_for(store=request.store, id=id)
    try:
        services.invitation_revoke(
            store=request.store,
            actor=request.user,
            actor_membership=request.membership,
            invitation=invitation,
            ip=client_ip(request),
        )
    except ValidationError as exc:
        return _staff(request, row_errors={f"i{invitation.pk}": exc.messages}, status=400)
    messages.success(request, _("The invitation to %(email)s is revoked.") % {"email": invitation.email})
    return redirect("staff")


@sensitive_post_parameters("new_password", "new_password_confirm")
@never_cache
def invitation_accept(request: HttpRequest, token: str) -> HttpResponse:
    """The emailed link: a new person chooses a name and password; an existing user joins."""
    invitation = selectors.invitation_from_link(token)
    if invitation is None:
        return render(request, "stores/invitation_invalid.html", {"state": "unknown"}, status=404)
    state = selectors.invitation_state(invitation)
    if state != "pending":
        return render(request, "stores/invitation_invalid.html", {"state": state, "invitation": invitation}, status=410)
    has_login = User.objects.filter(email=invitation.email).exists()
    user = request.user if request.user.is_authenticated else None
    context: dict[str, Any] = {
        "invitation": invitation,
        "role": Role(invitation.role).label,
        "has_login": has_login,
        "token": token,
        "invited_store": invitation.store,
    }
    form = JoinForm()
    if request.method == "POST":
        try:
            if has_login:
                if user is None:
                    return redirect_to_login(request.get_full_path())
                membership = services.invitation_accept(invitation=invitation, user=user, ip=client_ip(request))
            elif user is not None:
                # The page asks them to log out first; a new login is never made under someone's session.
                return render(request, "stores/invitation_accept.html", {**context, "form": form}, status=400)
            else:
                form = JoinForm(data=request.POST)
                if not form.is_valid():
                    return render(request, "stores/invitation_accept.html", {**context, "form": form}, status=400)
                membership = services.invitation_accept(
                    invitation=invitation,
                    user=None,
                    name=form.cleaned_data["name"],
                    password=form.cleaned_data["new_password"],
                    ip=client_ip(request),
                )
                login(request, membership.user, backend="django.contrib.auth.backends.ModelBackend")
        except ValidationError as exc:
            if form.is_bound:
                add_service_errors(form, exc, {"password": "new_password"})
            else:
                context["problems"] = exc.messages
            return render(request, "stores/invitation_accept.html", {**context, "form": form}, status=400)
        request.session[SESSION_STORE_KEY] = membership.store_id
        messages.success(request, _("Welcome to %(store)s!") % {"store": membership.store.name})
        return redirect(settings.LOGIN_REDIRECT_URL)
    return render(request, "stores/invitation_accept.html", {**context, "form": form})


# ---- store settings ------------------------------------------------------------------------


@store_page("store.edit")
def store_settings(request: StoreRequest) -> HttpResponse:
    store: Store = request.store
    if request.method == "POST":
        form = StoreSettingsForm(request.POST, store=store)
        if form.is_valid():
            try:
                services.store_update(
                    store=store,
                    actor=request.user,
                    membership=request.membership,
                    data=form.store_data(),
                    ip=client_ip(request),
                )
            except ValidationError as exc:
                store.refresh_from_db()
                add_service_errors(form, exc)
            else:
                messages.success(request, _("The store's settings are saved."))
                return redirect("store_settings")
        return render(request, "stores/settings.html", {"nav": "settings", "form": form}, status=400)
    return render(request, "stores/settings.html", {"nav": "settings", "form": StoreSettingsForm(store=store)})


# ---- audit log -----------------------------------------------------------------------------


def _audit_detail(entry: Any, locale: str) -> str:
    data = entry.data or {}
    if entry.action == "trunkshow.customer.exported":
        return _export_detail(entry, data, locale)
    if entry.action == "trunkshow.customer.merged":
        return _("Customer no. %(other)s merged into no. %(survivor)s") % {
            "other": data.get("merged_customer_id", "?"),
            "survivor": entry.object_id,
        }
    if entry.action == "trunkshow.customer.told_apart":
        return _("Customer no. %(customer)s is not no. %(other)s") % {
            "customer": entry.object_id,
            "other": data.get("other_customer_id", "?"),
        }
    if entry.action == "trunkshow.customer.erased":
        return _erased_detail(entry, data, locale)
    if entry.action in ("trunkshow.customer.import_started", "trunkshow.customer.import_cancelled"):
        rows = data.get("rows")
        count = (
            ngettext("%(n)s row", "%(n)s rows", rows) % {"n": format_decimal(rows, locale=locale)}
            if isinstance(rows, int)
            else ""
        )
        return " · ".join(p for p in (str(data.get("file") or ""), count) if p)
    if entry.action == "trunkshow.webchat.settings_changed":
        return _webchat_settings_detail(data.get("changes") or {})
    if entry.action == "trunkshow.staff.role_changed":
        return f"{data.get('email', '')}: {_role(data.get('from'))} → {_role(data.get('to'))}"
    if entry.action == "trunkshow.store.updated":
        labels = {f.name: str(f.verbose_name) for f in Store._meta.get_fields() if hasattr(f, "verbose_name")}
        return ", ".join(labels.get(name, name) for name in sorted(data.get("changes", {})))
    parts = [str(data[key]) for key in ("email", "for", "name") if data.get(key)]
    if data.get("role"):
        parts.append(_role(data["role"]))
    if data.get("prefix"):
        parts.append(f"{data['prefix']}…")
    if data.get("via"):
        parts.append(_("by reset link") if data["via"] == "reset" else _("on the account page"))
    if data.get("resent"):
        parts.append(_("resent"))
    return " · ".join(parts)


def _webchat_settings_detail(changes: dict[str, Any]) -> str:
    """Websites added: https://b · removed: https://a · Expected reply time: “” → “Within an hour.”"""
    parts = []
    origins = changes.get("allowed_origins")
    if origins:
        added = [o for o in origins.get("to") or [] if o not in (origins.get("from") or [])]
        removed = [o for o in origins.get("from") or [] if o not in (origins.get("to") or [])]
        if added:
            parts.append(_("Websites added: %(list)s") % {"list": ", ".join(added)})
        if removed:
            parts.append(_("Websites removed: %(list)s") % {"list": ", ".join(removed)})
    reply = changes.get("reply_time_text")
    if reply:
        parts.append(
            _("Expected reply time: “%(before)s” → “%(after)s”")
            % {"before": reply.get("from") or "", "after": reply.get("to") or ""}
        )
    return " · ".join(parts)


# What an erasure removed, as the entry counts it (counts only: the log outlives the person).
_ERASED_COUNTS = (
    ("phones", lambda n: ngettext("%(n)s phone", "%(n)s phones", n)),
    ("emails", lambda n: ngettext("%(n)s email", "%(n)s emails", n)),
    ("notes", lambda n: ngettext("%(n)s note", "%(n)s notes", n)),
    ("consent_events", lambda n: ngettext("%(n)s consent record", "%(n)s consent records", n)),
    ("conversations", lambda n: ngettext("%(n)s conversation", "%(n)s conversations", n)),
    ("messages", lambda n: ngettext("%(n)s message", "%(n)s messages", n)),
    ("import_file_lines", lambda n: ngettext("%(n)s line of import files", "%(n)s lines of import files", n)),
    ("partner_names", lambda n: ngettext("their name as %(n)s partner", "their name as %(n)s partners", n)),
    ("note_mentions", lambda n: ngettext("%(n)s mention in notes", "%(n)s mentions in notes", n)),
)


def _erased_detail(entry: Any, data: dict[str, Any], locale: str) -> str:
    """Customer no. 324 · 1 phone, 2 emails, 3 notes… (what went, never who)."""
    removed = [
        words(value) % {"n": format_decimal(value, locale=locale)}
        for key, words in _ERASED_COUNTS
        if isinstance(value := data.get(key), int) and value
    ]
    head = _("Customer no. %(id)s") % {"id": entry.object_id} if entry.object_id else ""
    return " · ".join(p for p in (head, ", ".join(removed)) if p)


def _export_detail(entry: Any, data: dict[str, Any], locale: str) -> str:
    """A CSV export says what it held and whether it all went out; a data export, whose."""
    if data.get("format") == "json":
        return _("One customer's data (JSON), customer no. %(id)s") % {"id": entry.object_id}
    parts = [str(_("CSV"))]
    if data.get("segment"):
        parts.append(_("segment “%(name)s”") % {"name": data["segment"]})
    filters = data.get("filters") or {}
    if filters:
        shown = ", ".join(
            f"{name}={','.join(map(str, value)) if isinstance(value, list) else value}"
            for name, value in filters.items()
        )
        parts.append(_("filters: %(filters)s") % {"filters": shown})
    elif not data.get("segment"):
        parts.append(_("the whole list"))
    rows, written = data.get("rows"), data.get("rows_written")
    if isinstance(rows, int) and isinstance(written, int):
        parts.append(
            ngettext("%(written)s of %(n)s row written", "%(written)s of %(n)s rows written", rows)
            % {"written": format_decimal(written, locale=locale), "n": format_decimal(rows, locale=locale)}
        )
    parts.append(_("finished") if data.get("finished") else _("not finished (the download stopped)"))
    return " · ".join(str(p) for p in parts)


def _role(value: Any) -> str:
    return str(Role(value).label) if value in Role.values else str(value or "")


@require_GET
@store_page("audit.view")
def audit(request: StoreRequest) -> HttpResponse:
    paginator = Paginator(selectors.audit_entries(store=request.store), AUDIT_PAGE_SIZE)
    page = paginator.get_page(request.GET.get("page"))
    locale = request.store.locale or "en_US"
    rows = [
        {"entry": e, "text": action_display(e.action), "detail": _audit_detail(e, locale)} for e in page.object_list
    ]
    return render(request, "stores/audit.html", {"nav": "audit", "page": page, "rows": rows})
