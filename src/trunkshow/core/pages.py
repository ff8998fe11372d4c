"""Django's middleware for pages, entered only by requests that are not the API's (ADR 0019).

The API (``/api/``) is stateless: a bearer token names the store and the staff member, answers
are JSON in English and nothing is kept between requests. Sessions, the language a browser asks
for, slash redirects, the CSRF cookie, the user from the session and flash messages are what
pages need. (Frame options stay for everything: the API's docs are a page.) Each class
here is Django's own; an API request passes by it in one call instead of its request and
response hooks, which together took about 0.14 ms of every API request: a tenth of a search by
phone number through the API.

Each class's other hooks (``process_view``, ``process_exception``) are still called by Django for
every view: CSRF's lets an exempt view (every API operation) through at once.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.contrib.auth.middleware import AuthenticationMiddleware as _Authentication
from django.contrib.messages.middleware import MessageMiddleware as _Messages
from django.contrib.sessions.middleware import SessionMiddleware as _Sessions
from django.http import HttpRequest
from django.middleware.common import CommonMiddleware as _Common
from django.middleware.csrf import CsrfViewMiddleware as _Csrf
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


class SessionMiddleware(_PagesOnly, _Sessions):
    pass


class LocaleMiddleware(_PagesOnly, _Locale):
    def __call__(self, request: HttpRequest) -> Any:
        if is_api(request):
            # The API speaks English, whatever the browser asked for; a language a page chose
            # before on this thread (Django activates it and leaves it) must not linger.
            translation.activate(settings.LANGUAGE_CODE)
        return super().__call__(request)


class CommonMiddleware(_PagesOnly, _Common):
    pass


class CsrfViewMiddleware(_PagesOnly, _Csrf):
    pass


class AuthenticationMiddleware(_PagesOnly, _Authentication):
    pass


class MessageMiddleware(_PagesOnly, _Messages):
    pass
