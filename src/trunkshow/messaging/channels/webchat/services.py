"""Writes of the web chat: a visitor starts a conversation, says who they are; the owner sets the widget up."""

from __future__ import annotations

import hashlib
import ipaddress
import secrets
from collections.abc import Sequence
from typing import Any
from urllib.parse import urlsplit

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from trunkshow.core.audit import audit_log
from trunkshow.core.events import publish_on_commit
from trunkshow.core.validation import check_text
from trunkshow.customers.models import Channel, ConsentAction, ConsentMethod, ConsentPurpose, Customer, Source
from trunkshow.customers.selectors import consent_current
from trunkshow.customers.services import ConsentGrant, consent_events_add, customer_create
from trunkshow.messaging.attachments import files_removed_on_failure
from trunkshow.messaging.channels.webchat.text import language_supported
from trunkshow.messaging.models import Conversation, Message, WebchatSettings, WebchatVisitor
from trunkshow.messaging.photos import Photo
from trunkshow.messaging.services import webchat_message_receive
from trunkshow.stores.models import Store

MAX_ORIGINS = 20
MAX_REPLY_TIME_TEXT = 120


def token_hash(raw: str) -> str:
    return hashlib.sha256(raw.encode()).hexdigest()


@transaction.atomic
def webchat_conversation_start(
    *, store: Store, body: str, page_url: str = "", photos: Sequence[Photo] = ()
) -> tuple[Conversation, Message, str]:
    """The visitor's first message (words, photos or both) starts the conversation; the raw token is
    returned once, only its hash is kept."""
    check_text(page_url, field="page")
    with files_removed_on_failure():  # the photos go if the visitor's row cannot be written
        message = webchat_message_receive(
            store=store, conversation=None, body=body, meta=_page_meta(page_url), photos=photos
        )
        raw = secrets.token_urlsafe(32)  # 256 random bits
        WebchatVisitor.objects.create(
            store=store, conversation=message.conversation, token_hash=token_hash(raw), page_url=page_url[:500]
        )
    return message.conversation, message, raw


def _page_meta(page_url: str) -> dict[str, Any]:
    return {"page": page_url[:500]} if page_url else {}


def consent_text(store: Store, language: str | None = None) -> str:
    """The exact words beside the visitor's checkbox, in a language (the active one by default);
    the ledger records these words, in the language the visitor read them."""
    with translation.override(language or translation.get_language()):
        return _("Yes, %(store)s may reply to me about this conversation by text message or email.") % {
            "store": store.name
        }


@transaction.atomic
def webchat_identify(
    *,
    store: Store,
    visitor: WebchatVisitor,
    name: str,
    phone: str = "",
    email: str = "",
    consent: bool = False,
    consent_language: str,
    page_url: str = "",
    ip: str | None = None,
) -> Customer:
    """Attach a NEW, unverified contact to the visitor's conversation.

    Never an existing customer, even with the same email or phone: anyone can type anyone's
    address, and the conversation must not open that customer's history to them. Staff merge
    the two after checking, like any duplicate. ``consent_language`` is the language the widget
    showed the consent text in (``/config`` says it): the ledger records the words of that language.
    """
    conversation = Conversation.objects.select_for_update().get(pk=visitor.conversation_id)
    errors: dict[str, list[str]] = {}
    name = " ".join((name or "").split())
    phone, email = (phone or "").strip(), (email or "").strip()
    if not name:
        errors["name"] = [_("Tell us your name.")]
    elif len(name) > 200:
        errors["name"] = [_("A name can be at most 200 characters.")]
    if not phone and not email:
        errors["phone"] = [_("Give a phone number or an email address so we can answer you.")]
    if conversation.customer_id is not None:
        errors["name"] = [_("You have already told us who you are.")]
    if consent and not language_supported(consent_language):
        errors["language"] = [_("The chat is not shown in “%(code)s”; reload the page.") % {"code": consent_language}]
    if errors:
        raise ValidationError(errors)
    first, _sep, last = name.partition(" ")
    try:
        customer = customer_create(
            store=store,
            actor=None,
            first_name=first[:100],
            last_name=last[:100],
            phones=[phone] if phone else [],
            emails=[email] if email else [],
            source=Source.CHAT,
            allow_duplicate=True,
            their_own_contact=True,  # they wrote in themselves (ADR 0006)
        )
    except ValidationError as exc:
        fields = getattr(exc, "error_dict", None) or {"name": exc.error_list}
        raise ValidationError(
            {
                _field_of(key): [str(m) for e in errs for m in getattr(e, "messages", [e])]
                for key, errs in fields.items()
            }
        ) from None
    if consent:
        _consent_record(
            store=store,
            customer=customer,
            channels=_given(phone=phone, email=email),
            language=consent_language,
            page_url=page_url,
            ip=ip,
        )
    conversation.customer = customer
    conversation.save(update_fields=["customer"])
    visitor.identified_at = timezone.now()
    visitor.save(update_fields=["identified_at"])
    publish_on_commit(
        store=store,
        kind="conversation_identified",
        payload={"conversation": conversation.pk, "customer": customer.pk, "name": name, "verified": False},
    )
    return customer


def _given(*, phone: object, email: object) -> list[str]:
    return [channel for channel, given in ((Channel.SMS, phone), (Channel.EMAIL, email)) if given]


def _consent_record(
    *, store: Store, customer: Customer, channels: list[str], language: str, page_url: str, ip: str | None
) -> None:
    text = consent_text(store, language)
    grants = [
        ConsentGrant(
            channel,
            ConsentPurpose.SERVICE,
            ConsentAction.GRANTED,
            ConsentMethod.FORM,
            evidence_text=text,
            evidence_url=page_url[:500],
            evidence_ip=ip,
        )
        for channel in channels
    ]
    consent_events_add(store=store, actor=None, customer=customer, grants=grants)


def _contacts(customer: Customer) -> list[str]:
    """The channels the visitor left an address for (identify writes at most a phone and an email)."""
    return _given(phone=customer.phones.exists(), email=customer.emails.exists())


def _service_granted(customer: Customer) -> set[str]:
    return {s.channel for s in consent_current(customer=customer) if s.granted and s.purpose == ConsentPurpose.SERVICE}


def webchat_reach(*, customer: Customer) -> list[str]:
    """The channels besides the chat on which the store may answer this visitor: those they left an
    address for and consented to (service replies), "sms" before "email"."""
    granted = _service_granted(customer)
    return [channel for channel in _contacts(customer) if channel in granted]


@transaction.atomic
def webchat_consent_give(
    *, store: Store, visitor: WebchatVisitor, language: str, page_url: str = "", ip: str | None = None
) -> Customer:
    """The visitor's second chance: they saved their details without ticking the box, then ticked it.

    Only for the record identify made for this conversation (source chat, nobody on the staff its
    author): once staff have merged it into an existing customer, that customer's other phones and
    emails were never the visitor's to give. The ledger gets the words the widget showed, in its
    language, for each address the visitor left that has no consent yet (ticking twice adds nothing).
    """
    conversation = Conversation.objects.select_for_update().get(pk=visitor.conversation_id)
    customer = conversation.customer
    if customer is None:
        raise ValidationError({"name": [_("Leave your name and a phone or email first.")]})
    if not language_supported(language):
        raise ValidationError(
            {"language": [_("The chat is not shown in “%(code)s”; reload the page.") % {"code": language}]}
        )
    if customer.source != Source.CHAT or customer.created_by_id is not None or customer.erased_at is not None:
        raise ValidationError({"name": [_("The store has your details already; ask here to be texted or emailed.")]})
    granted = _service_granted(customer)
    channels = [channel for channel in _contacts(customer) if channel not in granted]
    if channels:
        _consent_record(store=store, customer=customer, channels=channels, language=language, page_url=page_url, ip=ip)
    return customer


def _field_of(key: str) -> str:
    if key.startswith("phone"):
        return "phone"
    if key.startswith("email"):
        return "email"
    return "name"


# ---- the owner's settings ---------------------------------------------------------------------


def _is_local(host: str) -> bool:
    if host == "localhost" or host.endswith(".localhost"):
        return True
    try:
        address = ipaddress.ip_address(host)
    except ValueError:
        return False
    return address.is_loopback or address.is_private


def _with_scheme(raw: str) -> str:
    """``www.shop.com`` -> ``https://www.shop.com``: an owner copies the address bar without its scheme,
    and a public website is https (ADR 0009)."""
    return raw if "://" in raw or not raw else f"https://{raw}"


def origins_completed(values: list[str]) -> list[tuple[str, str]]:
    """(as typed, as saved) for each website typed without https://, so the page can say what it saved."""
    done = []
    for value in values:
        raw = value.strip()
        if raw and _with_scheme(raw) != raw:
            try:
                done.append((raw, origin_clean(raw)))
            except ValidationError:
                continue
    return done


def origin_clean(text: str) -> str:
    """``https://Shop.Example.com:443/`` -> ``https://shop.example.com``, as a browser sends it in ``Origin``.

    Without a scheme, https:// is assumed. A wildcard (``https://*.shop.com``) is refused by name: origins
    are compared exactly, so it would be saved and never match (ADR 0009)."""
    raw = _with_scheme(text.strip())
    if "*" in raw:
        raise ValidationError(
            _(
                "“%(o)s”: wildcards are not supported; list each website on its own line, "
                "like https://www.shop.example.com and https://shop.example.com."
            )
            % {"o": raw}
        )
    try:
        parts = urlsplit(raw)
        port = parts.port
    except ValueError:
        raise ValidationError(_("“%(o)s” is not a web address like https://shop.example.com.") % {"o": raw}) from None
    host = (parts.hostname or "").rstrip(".")
    if parts.scheme not in ("https", "http") or not host or parts.username or parts.password:
        raise ValidationError(_("“%(o)s” is not a web address like https://shop.example.com.") % {"o": raw})
    if parts.path not in ("", "/") or parts.query or parts.fragment:
        raise ValidationError(_("“%(o)s” has a path; give only the site, like https://shop.example.com.") % {"o": raw})
    try:
        host = host.encode("idna").decode("ascii").lower()
    except UnicodeError:
        raise ValidationError(_("“%(o)s” has a host name that cannot be used.") % {"o": raw}) from None
    if parts.scheme == "http" and not _is_local(host):
        raise ValidationError(
            _("“%(o)s” uses http://; a public website must use https:// (http:// is for local tests only).")
            % {"o": raw}
        )
    if ":" in host:  # IPv6 literal
        host = f"[{host}]"
    default = 443 if parts.scheme == "https" else 80
    return f"{parts.scheme}://{host}" + (f":{port}" if port and port != default else "")


def origins_clean(values: list[str]) -> list[str]:
    cleaned: list[str] = []
    problems: list[str] = []
    for value in values:
        if not value.strip():
            continue
        try:
            origin = origin_clean(value)
        except ValidationError as exc:
            problems.extend(exc.messages)
            continue
        if origin not in cleaned:
            cleaned.append(origin)
    if len(cleaned) > MAX_ORIGINS:
        problems.append(_("At most %(n)s websites.") % {"n": MAX_ORIGINS})
    if problems:
        raise ValidationError({"allowed_origins": problems})
    return cleaned


def webchat_settings_get(*, store: Store) -> WebchatSettings:
    found = WebchatSettings.objects.filter(store=store).first()
    return found or WebchatSettings(store=store)


@transaction.atomic
def webchat_settings_update(
    *, store: Store, actor: Any, allowed_origins: list[str], reply_time_text: str, ip: str | None = None
) -> WebchatSettings:
    origins = origins_clean(allowed_origins)
    text = " ".join((reply_time_text or "").split())
    if len(text) > MAX_REPLY_TIME_TEXT:
        raise ValidationError({"reply_time_text": _("At most %(n)s characters.") % {"n": MAX_REPLY_TIME_TEXT}})
    row, _created = WebchatSettings.objects.select_for_update().get_or_create(store=store)
    before = {"allowed_origins": row.allowed_origins, "reply_time_text": row.reply_time_text}
    row.allowed_origins, row.reply_time_text, row.updated_at = origins, text, timezone.now()
    row.save()
    after = {"allowed_origins": origins, "reply_time_text": text}
    if after != before:
        # What changed, before -> after, so the audit log can say it (the whole "after" stays too).
        changes = {name: {"from": before[name], "to": value} for name, value in after.items() if value != before[name]}
        audit_log(
            store=store,
            action="trunkshow.webchat.settings_changed",
            actor=actor,
            data={**after, "changes": changes},
            ip=ip,
        )
    return row


def webchat_origin_allow(*, store: Store, origin: str) -> WebchatSettings:
    """Add one origin (the demo adds its own address, which changes with the port it runs on)."""
    current = webchat_settings_get(store=store)
    origins = list(current.allowed_origins)
    clean = origin_clean(origin)
    if clean in origins:
        return current
    return webchat_settings_update(
        store=store, actor=None, allowed_origins=[*origins, clean], reply_time_text=current.reply_time_text
    )
