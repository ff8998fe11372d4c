"""Who may open a staff page: signed in, on the staff of a store, with the page's right.

Every staff page of every app uses ``store_page``; a role without the right gets 403 with
the reason, and so does a service refusing an action with ``PermissionDenied``.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any
from urllib.parse import urlsplit

from django.contrib.auth.views import redirect_to_login
from django.http import HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import render
from django.urls import Resolver404, resolve, reverse
from django.utils.translation import gettext as _

from trunkshow.core.access import PermissionDenied
from trunkshow.stores import roles
from trunkshow.stores.models import Membership, Store, User

View = Callable[..., HttpResponseBase]


class StoreRequest(HttpRequest):
    """A request on a store page: the store middleware has set these (``store_page`` checks)."""

    store: Store
    membership: Membership
    user: User


def _came_from(request: HttpRequest) -> str | None:
    """The page of this site that led here (its path and query), unless it is this very page."""
    referer = urlsplit(request.headers.get("referer", ""))
    if referer.netloc == request.get_host() and referer.path != request.path:
        return referer.path + (f"?{referer.query}" if referer.query else "")
    return None


def forbidden(request: HttpRequest, reason: str) -> HttpResponse:
    """The page a role without the right gets: the reason, and a way back to where they came from (or,
    opened by its address, to the start of its section: an inbox page leads to the inbox)."""
    inbox, customers = reverse("inbox:list"), reverse("customers:list")
    back = _came_from(request) or (inbox if request.path.startswith(inbox) else customers)
    if back.startswith(inbox):
        label = _("Back to the inbox")
    elif back.startswith(customers):
        label = _("Back to customers")
    else:
        label = _("Go back")
    return render(request, "forbidden.html", {"reason": reason, "back": back, "back_label": label}, status=403)


def _not_allowed(request: HttpRequest, response: HttpResponseBase) -> HttpResponse:
    """An action's address opened as a page (a bookmark, a link pasted, the address bar): a page
    that says what happened and leads back, rather than a blank 405."""
    back = _came_from(request)
    if back is None:  # the nearest page above it: /customers/12/data.json leads back to /customers/12/
        back = "/"
        parts = request.path.rstrip("/").split("/")
        while len(parts) > 1:
            parts.pop()
            candidate = "/".join(parts) + "/"
            try:
                resolve(candidate)
            except Resolver404:
                continue
            back = candidate
            break
    page = render(request, "not_allowed.html", {"back": back}, status=405)
    page["Allow"] = response.get("Allow", "POST")
    return page


def store_page(right: str | None = None) -> Callable[[View], View]:
    """A page of the staff app: logged in, with an active membership, and (optionally) a right.

    A role without the right gets 403 with the reason; so does a service refusing an action.
    An action (POST only) opened with GET gets a page leading back instead of a blank 405.
    """

    def decorate(view: View) -> View:
        @wraps(view)
        def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
            if not request.user.is_authenticated:
                return redirect_to_login(request.get_full_path())
            if getattr(request, "membership", None) is None:
                return render(request, "stores/no_access.html", status=403)
            try:
                if right is not None:
                    roles.require(request.membership, right)  # type: ignore[attr-defined]
                response = view(request, *args, **kwargs)
            except PermissionDenied as exc:
                return forbidden(request, str(exc))
            if response.status_code == 405 and request.method in ("GET", "HEAD"):
                return _not_allowed(request, response)
            return response

        return wrapper

    return decorate
