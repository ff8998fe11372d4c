"""Django's middleware for pages, entered only by requests that are not the API's (ADR 0019).

The API (``/api/``) is stateless: a bearer token names the store and the staff member, answers
are JSON in English and nothing is kept between requests. The language a browser asks for, slash
redirects, the user from the session and flash messages are what pages need. Each class here is
Django's own; an API request passes by it in one call instead of its request and response hooks,
which together took 0.09 ms of every API request (bench/api_fixed_cost.py): a tenth of a search
by phone number through the API.

Sessions and CSRF stay Django's classes for every request: Django's deployment checks
(``manage.py check --deploy``: the CSRF middleware, secure session and CSRF cookies) look for
them by name, and for the API they cost little (0.01 ms; CSRF's ``process_view`` lets an exempt
view, every API operation, through at once). Frame options stay for everything: the API's docs
are a page.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.contrib.auth.middleware import AuthenticationMiddleware as _Authentication
from django.contrib.messages.middleware import MessageMiddleware as _Messages
from django.http import HttpRequest
from django.middleware.common import CommonMiddleware as _Common
from django.middleware.locale import LocaleMiddleware as _Locale
from django.utils import translation

API_PREFIX = "/api/"


def is_api(request: HttpRequest) -> bool:
    return request.path.startswith(API_PREFIX)


class _PagesOnly:
    get_response: Callable[[HttpRequest], Any]

    def __call__(self, request: HttpRequest) -> Any:
        if is_api(request):
            return self.get_response(request)
        return super().__call__(request)  # type: ignore[misc]


class LocaleMiddleware(_PagesOnly, _Locale):
    def __call__(self, request: HttpRequest) -> Any:
        if is_api(request):
            # The API speaks English, whatever the browser asked for; a language a page chose
            # before on this thread (Django activates it and leaves it) must not linger.
            translation.activate(settings.LANGUAGE_CODE)
        return super().__call__(request)


class CommonMiddleware(_PagesOnly, _Common):
    pass


class AuthenticationMiddleware(_PagesOnly, _Authentication):
    pass


class MessageMiddleware(_PagesOnly, _Messages):
    pass
