"""Entering the store's scope (and its time zone) once per request: from the session's membership or an API token.

Every later query on store data is filtered by django-scopes; without a scope it raises.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.contrib.auth.models import AnonymousUser
from django.http import HttpRequest, HttpResponse
from django.utils import timezone
from django_scopes import scope, scopes_disabled

from trunkshow.core.pages import is_api
from trunkshow.stores.models import Membership
from trunkshow.stores.tokens import token_authenticate

SESSION_STORE_KEY = "trunkshow_store_id"


def membership_for_session(request: HttpRequest) -> Membership | None:
    user = request.user
    if not user.is_authenticated or not user.is_active:
        return None
    with scopes_disabled():
        memberships = Membership.objects.filter(user=user, is_active=True).select_related("store", "user")
        wanted = request.session.get(SESSION_STORE_KEY)
        chosen = None
        if wanted is not None:
            chosen = next((m for m in memberships if m.store_id == wanted), None)
        if chosen is None:
            chosen = memberships.order_by("created_at", "id").first()
    return chosen


class StoreScopeMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        membership: Membership | None
        req: Any = request
        req.api_auth_error = None
        if is_api(request):
            membership, req.api_auth_error = token_authenticate(request.META.get("HTTP_AUTHORIZATION", ""))
            # The API acts as the token's user; it never reads the session (nor do sessions or
            # Django's authentication run for it: trunkshow.core.pages).
            req.user = membership.user if membership is not None else AnonymousUser()
        else:
            membership = membership_for_session(request)
        req.membership = membership
        req.store = membership.store if membership is not None else None
        if membership is None:
            return self.get_response(request)
        # Times shown without a zone of their own (Django's ``date`` filter, ``localtime``) are the store's.
        with scope(store=membership.store), timezone.override(membership.store.tz):
            return self.get_response(request)


def store_context(request: HttpRequest) -> dict[str, Any]:
    return {"store": getattr(request, "store", None), "membership": getattr(request, "membership", None)}
