"""Pages of an erased customer answer 410 Gone with the date, instead of a server error."""

from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from trunkshow.customers.selectors import CustomerErased


class ErasedCustomerMiddleware:
    """``customer_get_for`` raises ``CustomerErased``; the API answers it with its envelope, pages here."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        if isinstance(exception, CustomerErased):
            return render(
                request,
                "customers/erased.html",
                {"nav": "customers", "customer_id": exception.customer_id, "erased_at": exception.erased_at},
                status=410,
            )
        return None
