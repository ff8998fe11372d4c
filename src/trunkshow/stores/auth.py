"""Login throttling: failures counted per account and per client address in a sliding window.

A throttle always ends: failures older than ``LOGIN_FAILURE_WINDOW_SECONDS`` stop counting,
attempts made while throttled are not counted, and a completed password reset clears the
account's failures. A reset also lets that account past its address's throttle: staff of one
shop share an address, and one person's reset must get them in even while the address is
paused by others' failures. Only failures from before the reset are set aside, and only for the
account that proved it holds its mailbox, so someone trying many accounts from one address is
still stopped. Unknown and known emails are counted and answered the same way.
"""

from __future__ import annotations

import hashlib
import math
from datetime import timedelta

from django.conf import settings
from django.core.cache import cache
from django.db.models import QuerySet
from django_scopes import scopes_disabled

from trunkshow.core import clock
from trunkshow.core.audit import audit_log
from trunkshow.core.validation import search_text
from trunkshow.stores.models import LoginFailure, Membership, User

# Failures are kept for a day at most (longer than any sensible window) so the table stays small.
KEEP_FAILURES = timedelta(days=1)
# Reset emails per address per hour; further requests get the same answer and send nothing.
RESET_EMAILS_PER_HOUR = 3


def login_key(raw_email: str) -> str:
    """The key failures are counted under: the email as typed, trimmed and lowercased."""
    return search_text(raw_email, max_length=254).lower()


def _window() -> timedelta:
    return timedelta(seconds=settings.LOGIN_FAILURE_WINDOW_SECONDS)


def _wait_for(failures: QuerySet[LoginFailure], limit: int) -> int | None:
    """Seconds until fewer than ``limit`` of these failures remain in the window, or None."""
    if limit <= 0:
        return None
    now = clock.now()  # failures recorded by every web process, counted by any of them
    recent = list(failures.filter(at__gt=now - _window()).order_by("-at").values_list("at", flat=True)[:limit])
    if len(recent) < limit:
        return None
    # Once the limit-th most recent failure leaves the window, the count drops below the limit.
    leaves_at = recent[limit - 1] + _window()
    return max(1, math.ceil((leaves_at - now).total_seconds()))


def _reset_key(email: str) -> str:
    return "trunkshow:reset-done:" + hashlib.sha256(login_key(email).encode()).hexdigest()


def login_retry_after(*, email: str, ip: str | None) -> int | None:
    """How many seconds this account or address must wait before trying again, or None."""
    waits = [_wait_for(LoginFailure.objects.filter(email=login_key(email)), settings.LOGIN_MAX_FAILURES_PER_ACCOUNT)]
    if ip:
        from_address = LoginFailure.objects.filter(ip=ip)
        reset_at = cache.get(_reset_key(email))
        if reset_at is not None:
            from_address = from_address.filter(at__gt=reset_at)
        waits.append(_wait_for(from_address, settings.LOGIN_MAX_FAILURES_PER_ADDRESS))
    found = [w for w in waits if w is not None]
    return max(found) if found else None


def login_failure_record(*, email: str, ip: str | None) -> None:
    """Count a failed login, and write it to the audit log of every store the account belongs to."""
    key = login_key(email)
    now = clock.now()
    LoginFailure.objects.filter(at__lt=now - max(KEEP_FAILURES, _window())).delete()
    LoginFailure.objects.create(email=key, ip=ip, at=now)
    with scopes_disabled():
        user = User.objects.filter(email=key).first()
        if user is None:
            return
        memberships = list(Membership.objects.filter(user=user).select_related("store"))
    # This failure is the one that starts the account's throttle: say so once, not on every try.
    in_window = LoginFailure.objects.filter(email=key, at__gt=now - _window()).count()
    starts_throttle = in_window == settings.LOGIN_MAX_FAILURES_PER_ACCOUNT
    for membership in memberships:
        audit_log(store=membership.store, action="trunkshow.auth.login_failed", obj=user, data={"email": key}, ip=ip)
        if starts_throttle:
            audit_log(
                store=membership.store,
                action="trunkshow.auth.login_throttled",
                obj=user,
                data={"email": key, "failures": in_window},
                ip=ip,
            )


def login_failures_clear(*, email: str) -> None:
    """Forget an account's failures (after a successful login or a completed password reset)."""
    LoginFailure.objects.filter(email=login_key(email)).delete()


def login_reset_completed(*, email: str) -> None:
    """A completed password reset: forget the account's failures, and let it past the failures
    its address had gathered until now (kept for one window, after which they no longer count)."""
    login_failures_clear(email=email)
    cache.set(_reset_key(email), clock.now(), timeout=settings.LOGIN_FAILURE_WINDOW_SECONDS)


def reset_email_allowed(*, email: str) -> bool:
    """At most a few reset emails per address per hour, so the form cannot flood an inbox."""
    key = "trunkshow:reset:" + hashlib.sha256(login_key(email).encode()).hexdigest()
    added = cache.add(key, 1, timeout=3600)
    if added:
        return True
    try:
        count = cache.incr(key)
    except ValueError:  # expired between add and incr
        cache.add(key, 1, timeout=3600)
        return True
    return count <= RESET_EMAILS_PER_HOUR
