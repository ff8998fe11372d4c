"""Writes for stores, staff, invitations, passwords and API tokens."""

from __future__ import annotations

import secrets
import smtplib
import zoneinfo
from datetime import timedelta
from typing import Any

from babel import Locale, UnknownLocaleError
from django.conf import settings
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.core.mail import EmailMultiAlternatives
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django_scopes import scopes_disabled

from trunkshow.core import validation as v
from trunkshow.core.access import PermissionDenied
from trunkshow.core.audit import audit_log
from trunkshow.stores import roles
from trunkshow.stores.auth import login_reset_completed
from trunkshow.stores.models import WEEKDAYS, ApiToken, Invitation, Membership, Role, Store, User, slug_validator
from trunkshow.stores.tokens import token_generate, token_hash

STORE_FIELDS = (
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
    "opening_hours",
)


def _clean_opening_hours(value: Any) -> dict[str, list[list[str]]]:
    if not isinstance(value, dict):
        raise ValidationError(
            {"opening_hours": _("Opening hours are a map from weekday (mon…sun) to [open, close] pairs.")}
        )
    clean: dict[str, list[list[str]]] = {}
    for day, spans in value.items():
        if day not in WEEKDAYS:
            raise ValidationError(
                {"opening_hours": _("“%(d)s” is not a weekday; use mon, tue, wed, thu, fri, sat, sun.") % {"d": day}}
            )
        if not isinstance(spans, list):
            raise ValidationError({"opening_hours": _("Give %(d)s as a list of [open, close] pairs.") % {"d": day}})
        clean_spans = []
        for span in spans:
            if not (isinstance(span, list | tuple) and len(span) == 2 and all(isinstance(t, str) for t in span)):
                raise ValidationError({"opening_hours": _("Give %(d)s as a list of [open, close] pairs.") % {"d": day}})
            opens, closes = span
            for t in (opens, closes):
                hh, _sep, mm = t.partition(":")
                if not (hh.isdigit() and mm.isdigit() and len(mm) == 2 and 0 <= int(hh) <= 24 and 0 <= int(mm) < 60):
                    raise ValidationError({"opening_hours": _("“%(t)s” is not a time like 09:30.") % {"t": t}})
            if opens >= closes:
                raise ValidationError(
                    {"opening_hours": _("On %(d)s the store must open before it closes.") % {"d": day}}
                )
            clean_spans.append([opens.zfill(5), closes.zfill(5)])
        clean[day] = sorted(clean_spans)
    return clean


def _clean_store(data: dict[str, Any]) -> dict[str, Any]:
    errors: dict[str, list[str]] = {}

    def check(name: str, fn: Any) -> None:
        if name in data:
            try:
                data[name] = fn(data[name])
            except ValidationError as exc:
                for key, msgs in exc.message_dict.items():
                    errors.setdefault(key if key != "__all__" else name, []).extend(msgs)

    def text(name: str, max_length: int) -> Any:
        return lambda value: v.clean_text(value, field=name, max_length=max_length)

    def tz(value: str) -> str:
        if value not in zoneinfo.available_timezones():
            raise ValidationError(
                {"time_zone": _("“%(tz)s” is not a time zone; use a name like Europe/Paris.") % {"tz": value}}
            )
        return value

    def locale(value: str) -> str:
        try:
            Locale.parse(value)
        except (UnknownLocaleError, ValueError, TypeError):
            raise ValidationError(
                {"locale": _("“%(l)s” is not a locale; use one like en_US, fr_FR or de_CH.") % {"l": value}}
            ) from None
        return value

    def region(value: str) -> str:
        import phonenumbers

        value = (value or "").upper()
        if value not in phonenumbers.SUPPORTED_REGIONS:
            raise ValidationError(
                {"phone_region": _("“%(r)s” is not a phone region; use a country code like US or GB.") % {"r": value}}
            )
        return value

    check("name", text("name", 120))
    for name, max_length in (
        ("address_line1", 200),
        ("address_line2", 200),
        ("city", 100),
        ("region", 100),
        ("postal_code", 20),
    ):
        check(name, text(name, max_length))
    check("time_zone", tz)
    check("currency", lambda value: v.validate_currency(value))
    check("locale", locale)
    check("phone_region", region)
    check("country", lambda value: v.validate_country(value))
    check("opening_hours", _clean_opening_hours)
    if "name" in data and not data["name"] and "name" not in errors:
        errors["name"] = [_("Give the store a name.")]
    if errors:
        raise ValidationError(errors)
    return data


@transaction.atomic
def store_create(*, slug: str, name: str, actor: Any = None, **fields: Any) -> Store:
    unknown = set(fields) - set(STORE_FIELDS)
    if unknown:
        raise ValidationError({name: [_("Unknown field.")] for name in unknown})
    slug = (slug or "").strip().lower()
    try:
        slug_validator(slug)
    except ValidationError as exc:
        raise ValidationError({"slug": exc.messages}) from None
    data = _clean_store({"name": name, **fields})
    if Store.objects.filter(slug=slug).exists():
        raise ValidationError({"slug": _("A store with the slug “%(s)s” already exists.") % {"s": slug}})
    store = Store.objects.create(slug=slug, **data)
    audit_log(store=store, actor=actor, action="trunkshow.store.created", obj=store, data={"slug": slug})
    return store


@transaction.atomic
def store_update(
    *, store: Store, actor: Any, membership: Membership | None, data: dict[str, Any], ip: str | None = None
) -> Store:
    roles.require(membership, "store.edit")
    unknown = set(data) - set(STORE_FIELDS)
    if unknown:
        raise ValidationError({name: [_("Unknown field.")] for name in unknown})
    clean = _clean_store(dict(data))
    changed = {k: [str(getattr(store, k)), str(val)] for k, val in clean.items() if getattr(store, k) != val}
    for k, val in clean.items():
        setattr(store, k, val)
    store.save()
    if changed:
        audit_log(
            store=store, actor=actor, action="trunkshow.store.updated", obj=store, data={"changes": changed}, ip=ip
        )
    return store


@transaction.atomic
def staff_create(
    *, store: Store, email: str, role: str, name: str = "", password: str | None = None, actor: Any = None
) -> Membership:
    """Add a person to a store (creating their login if new). Used by the CLI and invitations."""
    if role not in Role.values:
        raise ValidationError({"role": _("Unknown role “%(r)s”: use owner, manager or associate.") % {"r": role}})
    address = v.normalise_email(email)
    name = v.clean_text(name, field="name", max_length=120)
    with scopes_disabled():
        user = User.objects.filter(email=address).first()
        if user is None:
            if password is not None:
                try:
                    validate_password(password, User(email=address, name=name))
                except ValidationError as exc:
                    raise ValidationError({"password": exc.messages}) from None
            user = User.objects.create_user(address, password, name=name)
        elif password is not None:
            raise ValidationError({"email": _("%(e)s already has a login; they keep their password.") % {"e": address}})
        if Membership.objects.filter(store=store, user=user).exists():
            raise ValidationError(
                {"email": _("%(e)s is already on the staff of %(s)s.") % {"e": address, "s": store.name}}
            )
        membership = Membership.objects.create(store=store, user=user, role=role)
    audit_log(
        store=store,
        actor=actor,
        action="trunkshow.staff.created",
        obj=membership,
        data={"email": address, "role": role},
    )
    return membership


@transaction.atomic
def staff_change_role(
    *,
    store: Store,
    actor: Any,
    actor_membership: Membership | None,
    membership: Membership,
    role: str,
    ip: str | None = None,
) -> Membership:
    roles.require(actor_membership, "staff.manage")
    if role not in Role.values:
        raise ValidationError({"role": _("Unknown role “%(r)s”: use owner, manager or associate.") % {"r": role}})
    if membership.role == Role.OWNER and role != Role.OWNER:
        owners = Membership.objects.filter(store=store, role=Role.OWNER, is_active=True).count()
        if owners <= 1:
            raise ValidationError({"role": _("A store needs at least one owner; make someone else owner first.")})
    old = membership.role
    if old != role:
        membership.role = role
        membership.save(update_fields=["role"])
        audit_log(
            store=store,
            actor=actor,
            action="trunkshow.staff.role_changed",
            obj=membership,
            data={"email": membership.user.email, "from": old, "to": role},
            ip=ip,
        )
    return membership


@transaction.atomic
def staff_set_active(
    *,
    store: Store,
    actor: Any,
    actor_membership: Membership | None,
    membership: Membership,
    active: bool,
    ip: str | None = None,
) -> Membership:
    """Deactivating ends the person's access to this store: sessions resolve no store, tokens stop."""
    roles.require(actor_membership, "staff.manage")
    if not active and membership.role == Role.OWNER:
        owners = Membership.objects.filter(store=store, role=Role.OWNER, is_active=True).count()
        if owners <= 1:
            raise ValidationError({"role": _("A store needs at least one active owner.")})
    if membership.is_active != active:
        membership.is_active = active
        membership.save(update_fields=["is_active"])
        if not active:
            ApiToken.objects.filter(membership=membership, revoked_at__isnull=True).update(revoked_at=timezone.now())
        audit_log(
            store=store,
            actor=actor,
            action="trunkshow.staff.reactivated" if active else "trunkshow.staff.deactivated",
            obj=membership,
            data={"email": membership.user.email},
            ip=ip,
        )
    return membership


@transaction.atomic
def token_create(
    *, store: Store, membership: Membership, name: str = "", actor: Any = None, ip: str | None = None
) -> tuple[ApiToken, str]:
    """A new API token for this membership. The raw token is returned once and never stored."""
    name = v.clean_text(name, field="name", max_length=100)
    raw = token_generate()
    token = ApiToken.objects.create(
        store=store, membership=membership, name=name, prefix=raw[:10], token_hash=token_hash(raw)
    )
    audit_log(
        store=store,
        actor=actor or membership.user,
        action="trunkshow.token.created",
        obj=token,
        data={"for": membership.user.email, "name": name, "prefix": token.prefix},
        ip=ip,
    )
    return token, raw


@transaction.atomic
def token_revoke(*, store: Store, actor: Any, token: ApiToken, ip: str | None = None) -> ApiToken:
    if token.revoked_at is None:
        token.revoked_at = timezone.now()
        token.save(update_fields=["revoked_at"])
        audit_log(
            store=store, actor=actor, action="trunkshow.token.revoked", obj=token, data={"prefix": token.prefix}, ip=ip
        )
    return token


# ---- passwords ------------------------------------------------------------------------------


def _audit_all_stores(*, user: User, action: str, data: dict[str, Any], ip: str | None, actor: Any = None) -> None:
    with scopes_disabled():
        stores = [m.store for m in Membership.objects.filter(user=user).select_related("store")]
    for store in stores:
        audit_log(store=store, actor=actor, action=action, obj=user, data=data, ip=ip)


@transaction.atomic
def password_change(*, user: User, password: str, via: str, ip: str | None = None) -> User:
    """Set a new password (from the account page or a reset link).

    The session hash changes with the password, so every other session of this user ends;
    the caller keeps its own with ``update_session_auth_hash``. The user's API tokens are revoked
    too (whoever learnt the old password may have made one). A reset also ends a login throttle, the address's included for this account.
    """
    try:
        validate_password(password, user)
    except ValidationError as exc:
        raise ValidationError({"password": exc.messages}) from None
    user.set_password(password)
    user.save(update_fields=["password"])
    with scopes_disabled():
        revoked = ApiToken.objects.filter(membership__user=user, revoked_at__isnull=True).update(
            revoked_at=timezone.now()
        )
    if via == "reset":
        login_reset_completed(email=user.email)
    _audit_all_stores(
        user=user,
        actor=user,
        action="trunkshow.auth.password_changed",
        data={"via": via, "tokens_revoked": revoked},
        ip=ip,
    )
    return user


def password_reset_requested(*, user: User, ip: str | None = None) -> None:
    """Note a reset request in the audit log of each of the user's stores (the email is sent by Django)."""
    _audit_all_stores(user=user, action="trunkshow.auth.password_reset_requested", data={"email": user.email}, ip=ip)


# ---- invitations ---------------------------------------------------------------------------

INVITATION_VALID_FOR = timedelta(days=7)
# What a failing mail server raises: refused, timed out, or an SMTP error reply.
_SEND_ERRORS = (smtplib.SMTPException, OSError)


def invitation_link(raw: str) -> str:
    return settings.PUBLIC_URL + reverse("invitation_accept", args=[raw])


def _invitation_send(invitation: Invitation, raw: str) -> None:
    context = {
        "store": invitation.store,
        "role": Role(invitation.role).label,
        "inviter": invitation.invited_by,
        "link": invitation_link(raw),
        "expires_at": invitation.expires_at,
        "days": INVITATION_VALID_FOR.days,
    }
    subject = "".join(render_to_string("email/invitation_subject.txt", context).splitlines())
    body = render_to_string("email/invitation.txt", context)
    EmailMultiAlternatives(subject, body, settings.DEFAULT_FROM_EMAIL, [invitation.email]).send()


def _not_sent(exc: Exception) -> ValidationError:
    return ValidationError(
        {
            "email": _(
                "The invitation email could not be sent (%(why)s), so nothing was saved. "
                "Check the email settings and try again."
            )
            % {"why": exc.__class__.__name__}
        }
    )


def _require_can_invite(actor_membership: Membership | None, role: str) -> None:
    roles.require(actor_membership, "staff.invite")
    if role == Role.OWNER and actor_membership is not None and actor_membership.role != Role.OWNER:
        raise PermissionDenied(_("Managers can invite associates and managers; only an owner can invite an owner."))


def staff_invite(
    *, store: Store, actor: Any, actor_membership: Membership | None, email: str, role: str, ip: str | None = None
) -> Invitation:
    """Invite a person by email to join the store with a role; the emailed link works once, for 7 days."""
    roles.require(actor_membership, "staff.invite")
    if role not in Role.values:
        raise ValidationError({"role": _("Unknown role “%(r)s”: use owner, manager or associate.") % {"r": role}})
    _require_can_invite(actor_membership, role)
    address = v.normalise_email(email)
    raw = secrets.token_urlsafe(32)
    with transaction.atomic(), scopes_disabled():
        existing = Membership.objects.filter(store=store, user__email=address).first()
        if existing is not None and existing.is_active:
            raise ValidationError(
                {"email": _("%(e)s is already on the staff of %(s)s.") % {"e": address, "s": store.name}}
            )
        if existing is not None:
            raise ValidationError(
                {"email": _("%(e)s was deactivated; an owner can reactivate them in the staff list.") % {"e": address}}
            )
        if Invitation.objects.filter(
            store=store, email=address, accepted_at__isnull=True, revoked_at__isnull=True, expires_at__gt=timezone.now()
        ).exists():
            raise ValidationError(
                {
                    "email": _("%(e)s has already been invited; resend the invitation from the list below.")
                    % {"e": address}
                }
            )
        now = timezone.now()
        invitation = Invitation.objects.create(
            store=store,
            email=address,
            role=role,
            token_hash=token_hash(raw),
            invited_by=actor,
            created_at=now,
            expires_at=now + INVITATION_VALID_FOR,
        )
    try:
        _invitation_send(invitation, raw)
    except _SEND_ERRORS as exc:
        Invitation.objects.filter(pk=invitation.pk).delete()
        raise _not_sent(exc) from exc
    audit_log(
        store=store,
        actor=actor,
        action="trunkshow.staff.invited",
        obj=invitation,
        data={"email": address, "role": role},
        ip=ip,
    )
    return invitation


def invitation_resend(
    *, store: Store, actor: Any, actor_membership: Membership | None, invitation: Invitation, ip: str | None = None
) -> Invitation:
    """Send a fresh link (the old one stops working) valid for another 7 days."""
    _require_can_invite(actor_membership, invitation.role)
    if invitation.accepted_at is not None or invitation.revoked_at is not None:
        raise ValidationError({"invitation": _("This invitation was already accepted or revoked.")})
    raw = secrets.token_urlsafe(32)
    before = (invitation.token_hash, invitation.expires_at)
    invitation.token_hash, invitation.expires_at = token_hash(raw), timezone.now() + INVITATION_VALID_FOR
    invitation.save(update_fields=["token_hash", "expires_at"])
    try:
        _invitation_send(invitation, raw)
    except _SEND_ERRORS as exc:
        # The link in the earlier email keeps working.
        invitation.token_hash, invitation.expires_at = before
        invitation.save(update_fields=["token_hash", "expires_at"])
        raise _not_sent(exc) from exc
    audit_log(
        store=store,
        actor=actor,
        action="trunkshow.staff.invited",
        obj=invitation,
        data={"email": invitation.email, "role": invitation.role, "resent": True},
        ip=ip,
    )
    return invitation


@transaction.atomic
def invitation_revoke(
    *, store: Store, actor: Any, actor_membership: Membership | None, invitation: Invitation, ip: str | None = None
) -> Invitation:
    _require_can_invite(actor_membership, invitation.role)
    if invitation.accepted_at is not None:
        raise ValidationError({"invitation": _("This invitation was already accepted.")})
    if invitation.revoked_at is None:
        invitation.revoked_at = timezone.now()
        invitation.save(update_fields=["revoked_at"])
        audit_log(
            store=store,
            actor=actor,
            action="trunkshow.staff.invitation_revoked",
            obj=invitation,
            data={"email": invitation.email, "role": invitation.role},
            ip=ip,
        )
    return invitation


def invitation_accept(
    *, invitation: Invitation, user: User | None, name: str = "", password: str = "", ip: str | None = None
) -> Membership:
    """Join the store: a new person (``user`` None) gets a login with the invited email; an
    existing user must be logged in as that email."""
    with transaction.atomic(), scopes_disabled():
        invitation = (
            Invitation.objects.select_for_update(of=("self",))
            .select_related("store", "invited_by")
            .get(pk=invitation.pk)
        )
        if not invitation.is_pending:
            raise ValidationError(
                {"invitation": _("This invitation has expired or was already used; ask for a new one.")}
            )
        store = invitation.store
        if user is None:
            if User.objects.filter(email=invitation.email).exists():
                raise ValidationError(
                    {
                        "invitation": _("%(e)s already has a login: log in first, then open the link again.")
                        % {"e": invitation.email}
                    }
                )
            name = v.clean_text(name, field="name", max_length=120)
            errors: dict[str, list[str]] = {}
            if not name:
                errors["name"] = [_("Enter your name as colleagues and customers should see it.")]
            try:
                validate_password(password, User(email=invitation.email, name=name))
            except ValidationError as exc:
                errors["password"] = exc.messages
            if errors:
                raise ValidationError(errors)
            user = User.objects.create_user(invitation.email, password, name=name)
        elif user.email != invitation.email:
            raise ValidationError(
                {
                    "invitation": _(
                        "This invitation was sent to %(invited)s, but you are logged in as %(you)s. "
                        "Log out, then open the link again."
                    )
                    % {"invited": invitation.email, "you": user.email}
                }
            )
        if Membership.objects.filter(store=store, user=user).exists():
            raise ValidationError({"invitation": _("You are already on the staff of %(s)s.") % {"s": store.name}})
        membership = Membership.objects.create(store=store, user=user, role=invitation.role)
        invitation.accepted_at = timezone.now()
        invitation.save(update_fields=["accepted_at"])
        audit_log(
            store=store,
            actor=user,
            action="trunkshow.staff.joined",
            obj=membership,
            data={
                "email": user.email,
                "role": invitation.role,
                "invited_by": invitation.invited_by.email if invitation.invited_by else None,
            },
            ip=ip,
        )
    return membership
